/*
 * syscall.c - the ecall wrappers and IPC stubs.
 */
#include <samara/user.h>

long sys7(long n, long a0, long a1, long a2, long a3, long a4, long a5, long a6)
{
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r3 __asm__("a3") = a3;
    register long r4 __asm__("a4") = a4;
    register long r5 __asm__("a5") = a5;
    register long r6 __asm__("a6") = a6;
    register long r7 __asm__("a7") = n;
    __asm__ volatile("ecall"
                     : "+r"(r0)
                     : "r"(r7), "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6)
                     : "memory", "t0", "t1", "t2", "t3", "t4", "t5", "t6");
    return r0;
}

long sys6(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
    return sys7(n, a0, a1, a2, a3, a4, a5, 0);
}

long sys0(long n)
{
    return sys6(n, 0, 0, 0, 0, 0, 0);
}
long sys1(long n, long a0)
{
    return sys6(n, a0, 0, 0, 0, 0, 0);
}
long sys2(long n, long a0, long a1)
{
    return sys6(n, a0, a1, 0, 0, 0, 0);
}
long sys3(long n, long a0, long a1, long a2)
{
    return sys6(n, a0, a1, a2, 0, 0, 0);
}
long sys4(long n, long a0, long a1, long a2, long a3)
{
    return sys6(n, a0, a1, a2, a3, 0, 0);
}
long sys5(long n, long a0, long a1, long a2, long a3, long a4)
{
    return sys6(n, a0, a1, a2, a3, a4, 0);
}

long sys_debug_write(const void *buf, size_t len)
{
    return sys2(SYS_DEBUG_WRITE, (long)buf, (long)len);
}

long sys_yield(void)
{
    return sys0(SYS_YIELD);
}

long sys_sysinfo(unsigned which)
{
    return sys1(SYS_SYSINFO, which);
}

/*
 * syscall.c - the ecall wrappers and IPC stubs.
 */
#include <samara/user.h>

#define SYSCALL_BODY                                                                              \
    __asm__ volatile("ecall"                                                                      \
                     : "+r"(r0)                                                                   \
                     : "r"(r7), "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5)                       \
                     : "memory", "a6");                                                           \
    return r0

long sys6(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r3 __asm__("a3") = a3;
    register long r4 __asm__("a4") = a4;
    register long r5 __asm__("a5") = a5;
    register long r7 __asm__("a7") = n;
    SYSCALL_BODY;
}

long sys0(long n) { return sys6(n, 0, 0, 0, 0, 0, 0); }
long sys1(long n, long a0) { return sys6(n, a0, 0, 0, 0, 0, 0); }
long sys2(long n, long a0, long a1) { return sys6(n, a0, a1, 0, 0, 0, 0); }
long sys3(long n, long a0, long a1, long a2) { return sys6(n, a0, a1, a2, 0, 0, 0); }
long sys4(long n, long a0, long a1, long a2, long a3) { return sys6(n, a0, a1, a2, a3, 0, 0); }
long sys5(long n, long a0, long a1, long a2, long a3, long a4)
{
    return sys6(n, a0, a1, a2, a3, a4, 0);
}

/* The IPC calls return a message in a0..a6: one asm body serves all of them. */
static struct ipc_msg ipc7(long n, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                           uint64_t a4, uint64_t a5, uint64_t a6)
{
    register uint64_t r0 __asm__("a0") = a0;
    register uint64_t r1 __asm__("a1") = a1;
    register uint64_t r2 __asm__("a2") = a2;
    register uint64_t r3 __asm__("a3") = a3;
    register uint64_t r4 __asm__("a4") = a4;
    register uint64_t r5 __asm__("a5") = a5;
    register uint64_t r6 __asm__("a6") = a6;
    register long r7 __asm__("a7") = n;
    __asm__ volatile("ecall"
                     : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6)
                     : "r"(r7)
                     : "memory");
    return (struct ipc_msg){(int64_t)r0, r1, {r2, r3, r4, r5}, r6};
}

struct ipc_msg ipc_call(unsigned long ep, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2,
                        uint64_t w3)
{
    return ipc7(SYS_CALL, ep, tag, w0, w1, w2, w3, 0);
}

long ipc_send(unsigned long ep, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
    return ipc7(SYS_SEND, ep, tag, w0, w1, w2, w3, 0).err;
}

struct ipc_msg ipc_recv(unsigned long ep, unsigned long reply_slot)
{
    return ipc7(SYS_RECV, ep, reply_slot, 0, 0, 0, 0, 0);
}

long ipc_reply(unsigned long reply_slot, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2,
               uint64_t w3)
{
    return ipc7(SYS_REPLY, reply_slot, tag, w0, w1, w2, w3, 0).err;
}

struct ipc_msg ipc_reply_recv(unsigned long ep, uint64_t tag, uint64_t w0, uint64_t w1,
                              uint64_t w2, uint64_t w3, unsigned long reply_slot)
{
    return ipc7(SYS_REPLY_RECV, ep, tag, w0, w1, w2, w3, reply_slot);
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

/*
 * helpers.c - what several guest tests need: threads, children, fresh memory, time.
 */
#include <stdlib.h>
#include <sys/wait.h>

#include "ktest.h"

#define KT_STACK 16384
static _Alignas(16) char kt_stacks[4][KT_STACK];
static unsigned kt_nstacks;

/*
 * Fault in every page of the program image (text, data, bss) and a thread stack through the
 * pager, so that a thread whose faults go to a test's own handler faults only where the test
 * means it to.
 */
static void kt_prefault(char *stack)
{
    extern char __heap_start[], __fini_array_end[];
    /* The writable segment starts on the page after rodata's end (userland/lib/user.ld):
     * write to it, so that no page there stays a read-only file or zero page waiting for a
     * write fault. */
    uintptr_t data = ((uintptr_t)__fini_array_end + 4095) & ~(uintptr_t)4095;
    for (uintptr_t a = 0x10000; a < (uintptr_t)__heap_start; a += 4096) {
        volatile char *c = (volatile char *)a;
        char v = *c;
        if (a >= data)
            *c = v; /* a write of what is there: the page becomes writable */
    }
    for (unsigned i = 0; i < KT_STACK; i += 4096)
        stack[i] = 0;
    stack[KT_STACK - 1] = 0; /* the stack need not start on a page */
}

long kt_thread(void (*fn)(uint64_t), uint64_t arg, unsigned slot, unsigned fault_ep_slot)
{
    if (kt_nstacks == 4)
        return -SAMARA_ENOMEM;
    char *stack = kt_stacks[kt_nstacks++];
    if (fault_ep_slot)
        kt_prefault(stack);
    long err = sys3(SYS_THREAD_CREATE, CAP_PROC_CONTROL, CAP_PROC_TASK, slot);
    /* By default the pager handles the new thread's faults, as for the main thread. */
    if (!err)
        err = sys2(SYS_THREAD_SET_FAULT, slot, fault_ep_slot ? fault_ep_slot : CAP_PROC_PAGER);
    if (err)
        return err;
    char *top = stack + KT_STACK;
    return sys4(SYS_THREAD_START, slot, (long)fn, (long)top, (long)arg);
}

long kt_run_child(const char *name)
{
    const char *argv[] = {"/bin/ktest", "case", name, NULL};
    long pid = pager_spawn("/bin/ktest", argv);
    if (pid < 0)
        return pid;
    int status = 0;
    long r = pager_wait(pid, &status, 0);
    return r < 0 ? r : status;
}

uint64_t kt_map_fresh(uint64_t va, unsigned n, unsigned perms, unsigned mem_slot)
{
    uint64_t pa = 0;
    if (pager_memgrant(n, mem_slot, &pa) < 0)
        return 0;
    if (sys6(SYS_MAP, CAP_PROC_TASK, (long)va, mem_slot, (long)pa, n, perms) < 0)
        return 0;
    return pa;
}

uint64_t kt_now(void)
{
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

uint64_t kt_hz(void)
{
    return (uint64_t)sys_sysinfo(SYSINFO_TIMEBASE);
}

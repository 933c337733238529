/*
 * trap.c - where trap_entry lands: interrupts, system calls and faults of user threads, and
 * the report of an exception inside the kernel.
 */
#include "csr.h"
#include "endpoint.h"
#include "kernel.h"
#include "sched.h"
#include "thread.h"
#include "timer.h"

void syscall_dispatch(struct thread *t);

_Noreturn void trap_from_user(struct thread *t)
{
    uint64_t cause = csr_read(scause);
    if (cause & SCAUSE_INTR) {
        if ((cause & ~SCAUSE_INTR) == IRQ_S_TIMER)
            timer_handle();
    } else if (cause == EXC_ECALL_U) {
        t->ctx[REG_PC] += 4;
        syscall_dispatch(t);
    } else {
        fault_raise(t, cause, csr_read(stval), t->ctx[REG_PC]);
    }
    sched_return();
}

_Noreturn void kernel_trap(void)
{
    panic("exception in the kernel: scause %lx stval %lx sepc %lx", csr_read(scause),
          csr_read(stval), csr_read(sepc));
}

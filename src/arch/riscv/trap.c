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
#include "vspace.h"

#include <samara/ipc.h>

#include <samara/syscall.h>

void syscall_dispatch(struct thread *t);
void fastpath_fault(struct thread *t, uint64_t cause, uint64_t addr, uint64_t access);

_Static_assert(ASM_EXC_ECALL_U == EXC_ECALL_U, "trap.S dispatch");
_Static_assert(ASM_SYS_CALL == SYS_CALL && ASM_SYS_REPLY_RECV == SYS_REPLY_RECV, "trap.S");

/* A system call the fast paths did not take (trap.S has stepped sepc over the ecall). */
_Noreturn void syscall_entry(struct thread *t)
{
    syscall_dispatch(t);
    sched_return();
}

/* Interrupts and exceptions other than system calls. */
_Noreturn void trap_from_user(struct thread *t)
{
    uint64_t cause = csr_read(scause);
    if (cause & SCAUSE_INTR) {
        if ((cause & ~SCAUSE_INTR) == IRQ_S_TIMER)
            timer_handle();
    } else {
        uint64_t addr = csr_read(stval);
        /* Page faults take the fast path to a waiting pager; it returns if it cannot. */
        if (cause == EXC_LOAD_PAGE_FAULT)
            fastpath_fault(t, cause, addr, FAULT_READ);
        else if (cause == EXC_STORE_PAGE_FAULT)
            fastpath_fault(t, cause, addr, FAULT_WRITE);
        else if (cause == EXC_INST_PAGE_FAULT)
            fastpath_fault(t, cause, addr, FAULT_EXEC);
        fault_raise(t, cause, addr, t->ctx[REG_PC]);
    }
    sched_return();
}

_Noreturn void kernel_trap(void)
{
    panic("exception in the kernel: scause %lx stval %lx sepc %lx", csr_read(scause),
          csr_read(stval), csr_read(sepc));
}

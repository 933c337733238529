/*
 * trap.S - entering the kernel from user mode, and going back.
 *
 * While a thread runs in user mode, sscratch holds a pointer to its struct thread; while the
 * kernel runs, sscratch is 0. The kernel never enables interrupts in S-mode, so a trap taken
 * with sscratch == 0 is an exception in the kernel itself: a bug, reported by kernel_trap().
 *
 * trap_entry saves all 31 user registers and the pc into the thread, switches to the kernel
 * stack and calls trap_from_user(thread), which does not return: it ends in
 * trap_return(thread) for whichever thread is to run next.
 */
#include "asm_offsets.h"

    .section .text
    .balign 4
    .globl trap_entry
trap_entry:
    csrrw   t6, sscratch, t6
    beqz    t6, .Lkernel_trap
    sd      ra, CTX_REG(1)(t6)
    sd      sp, CTX_REG(2)(t6)
    sd      gp, CTX_REG(3)(t6)
    sd      tp, CTX_REG(4)(t6)
    sd      s0, CTX_REG(8)(t6)
    sd      s1, CTX_REG(9)(t6)
    sd      a0, CTX_REG(10)(t6)
    sd      a1, CTX_REG(11)(t6)
    sd      a2, CTX_REG(12)(t6)
    sd      a3, CTX_REG(13)(t6)
    sd      a4, CTX_REG(14)(t6)
    sd      a5, CTX_REG(15)(t6)
    sd      a6, CTX_REG(16)(t6)
    sd      a7, CTX_REG(17)(t6)
    sd      s2, CTX_REG(18)(t6)
    sd      s3, CTX_REG(19)(t6)
    sd      s4, CTX_REG(20)(t6)
    sd      s5, CTX_REG(21)(t6)
    sd      s6, CTX_REG(22)(t6)
    sd      s7, CTX_REG(23)(t6)
    sd      s8, CTX_REG(24)(t6)
    sd      s9, CTX_REG(25)(t6)
    sd      s10, CTX_REG(26)(t6)
    sd      s11, CTX_REG(27)(t6)
    csrrw   a4, sscratch, zero       /* a4 = the user's t6; sscratch = 0: in the kernel */
    csrr    a0, sepc
    ld      sp, CTX_KSTACK(t6)
    csrr    a1, scause
    li      a2, ASM_EXC_ECALL_U
    bne     a1, a2, .Lnot_syscall
    /*
     * A system call. The ABI lets system calls clobber t0..t6 (docs/ABI.md), so they are not
     * saved here; trap_return reloads the thread's own older values, which leaks nothing.
     * Step over the ecall, and try the IPC fast paths (fastpath.c) first: they return only
     * when they do not apply. s1 keeps the thread across the calls (the user's s1 is saved).
     */
    addi    a0, a0, 4
    sd      a0, CTX_PC(t6)
    mv      s1, t6
    mv      a0, t6
    ld      a3, CTX_REG(17)(t6)      /* a7: the system call number */
    li      a2, ASM_SYS_CALL
    beq     a3, a2, .Lfast_call
    li      a2, ASM_SYS_REPLY_RECV
    beq     a3, a2, .Lfast_reply_recv
    call    syscall_entry
.Lfast_call:
    call    fastpath_call
    mv      a0, s1
    call    syscall_entry
.Lfast_reply_recv:
    call    fastpath_reply_recv
    mv      a0, s1
    call    syscall_entry

/* Interrupts and exceptions: the whole context matters, t0..t6 included. */
.Lnot_syscall:
    sd      a0, CTX_PC(t6)
    sd      t0, CTX_REG(5)(t6)
    sd      t1, CTX_REG(6)(t6)
    sd      t2, CTX_REG(7)(t6)
    sd      t3, CTX_REG(28)(t6)
    sd      t4, CTX_REG(29)(t6)
    sd      t5, CTX_REG(30)(t6)
    sd      a4, CTX_REG(31)(t6)
    mv      a0, t6
    call    trap_from_user
    /* not reached */
1:  j       1b

.Lkernel_trap:
    csrrw   t6, sscratch, t6        /* t6 back, sscratch = 0 again */
    addi    sp, sp, -16
    sd      ra, 8(sp)
    call    kernel_trap
2:  j       2b

/*
 * trap_return(struct thread *t): restore t's user context and sret into it. The caller has
 * installed t's address space. sstatus.SPP = 0 (return to user) and SPIE = 1 (interrupts on
 * in user mode) were set once at boot (main.c) and every trap from user mode leaves them so,
 * because the kernel itself never takes a trap.
 */
    .globl trap_return
trap_return:
    ld      t0, CTX_PC(a0)
    csrw    sepc, t0
    csrw    sscratch, a0
    mv      t6, a0
    ld      ra, CTX_REG(1)(t6)
    ld      sp, CTX_REG(2)(t6)
    ld      gp, CTX_REG(3)(t6)
    ld      tp, CTX_REG(4)(t6)
    ld      t0, CTX_REG(5)(t6)
    ld      t1, CTX_REG(6)(t6)
    ld      t2, CTX_REG(7)(t6)
    ld      s0, CTX_REG(8)(t6)
    ld      s1, CTX_REG(9)(t6)
    ld      a0, CTX_REG(10)(t6)
    ld      a1, CTX_REG(11)(t6)
    ld      a2, CTX_REG(12)(t6)
    ld      a3, CTX_REG(13)(t6)
    ld      a4, CTX_REG(14)(t6)
    ld      a5, CTX_REG(15)(t6)
    ld      a6, CTX_REG(16)(t6)
    ld      a7, CTX_REG(17)(t6)
    ld      s2, CTX_REG(18)(t6)
    ld      s3, CTX_REG(19)(t6)
    ld      s4, CTX_REG(20)(t6)
    ld      s5, CTX_REG(21)(t6)
    ld      s6, CTX_REG(22)(t6)
    ld      s7, CTX_REG(23)(t6)
    ld      s8, CTX_REG(24)(t6)
    ld      s9, CTX_REG(25)(t6)
    ld      s10, CTX_REG(26)(t6)
    ld      s11, CTX_REG(27)(t6)
    ld      t3, CTX_REG(28)(t6)
    ld      t4, CTX_REG(29)(t6)
    ld      t5, CTX_REG(30)(t6)
    ld      t6, CTX_REG(31)(t6)
    sret

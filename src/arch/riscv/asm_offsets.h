/*
 * asm_offsets.h - structure offsets and sizes shared by assembly and C.
 *
 * struct thread (src/thread.h) begins with the saved user context: regs[0] holds the user pc
 * (x0 needs no slot), regs[1..31] hold x1..x31. Right after it comes the top of the kernel
 * stack the trap entry switches to. thread.h checks these with _Static_assert.
 */
#ifndef ARCH_RISCV_ASM_OFFSETS_H
#define ARCH_RISCV_ASM_OFFSETS_H

#define KSTACK_SIZE 16384
#define CTX_PC      0
#define CTX_REG(n)  ((n)*8)
#define CTX_KSTACK  256

/* Numbers trap.S dispatches on; trap.c checks them against csr.h and samara/syscall.h. */
#define ASM_EXC_ECALL_U    8
#define ASM_SYS_CALL       10
#define ASM_SYS_REPLY_RECV 14

#endif

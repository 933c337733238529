/*
 * fork.S - the first instructions of a forked child (process.c's fork).
 *
 * The pager starts the child's thread here with a0 = the struct fork_ctx the parent filled
 * before PAGER_FORK, at the same address in the child's copy of memory: the thread pointer,
 * then a jmp_buf. The global pointer is set as crt0 does, the thread pointer restored, and
 * longjmp(ctx->jb, 1) returns from the parent's setjmp a second time, in the child.
 */
    .text
    .globl __samara_fork_child
__samara_fork_child:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    ld      tp, 0(a0)
    addi    a0, a0, 16
    li      a1, 1
    tail    longjmp

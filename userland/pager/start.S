/*
 * start.S - the root task's entry. The kernel starts the pager with sp = ROOT_STACK_TOP (an
 * empty stack) and a0 = the boot info page, not with the argc/argv stack of a program.
 */
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    call    pager_main
1:  j       1b

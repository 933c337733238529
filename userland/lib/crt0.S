/*
 * crt0.S - program entry. The pager starts a program with sp pointing at argc, then argv[],
 * NULL, envp[], NULL, then the auxiliary vector (docs/ABI.md): the System V layout Linux uses.
 */
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    mv      a0, sp
    andi    sp, sp, -16
    call    __samara_start
1:  j       1b

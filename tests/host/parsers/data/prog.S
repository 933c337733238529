    .text
    .globl _start
_start:
    la      a0, counter
1:  ld      a1, 0(a0)
    addi    a1, a1, 1
    sd      a1, 0(a0)
    j       1b

    .data
counter:
    .dword  42
    .bss
scratch:
    .space  8192

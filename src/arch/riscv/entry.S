/*
 * entry.S - the first instructions: from OpenSBI to C, on the boot hart.
 *
 * OpenSBI's fw_dynamic enters here in S-mode, MMU off, at the physical load address
 * (0x80200000 on the supported boards), with a0 = hart id and a1 = physical address of the
 * DTB. The kernel is linked in the upper half (0xffffffff80200000), so until paging is on only
 * PC-relative addressing is used.
 *
 * 1. Claim the cold-boot path with an atomic swap on a flag in .data (not .bss, which the
 *    winner clears). OpenSBI 1.1 can send a hart started by HSM here instead of to its
 *    start address; late arrivals park (SMP will start them properly through HSM).
 * 2. Build an early Sv39 table of 1 GiB pages: identity for 0..4 GiB (so the next fetch after
 *    writing satp still works), the Sv39 direct map of the same 4 GiB at 0xffffffc000000000,
 *    and the kernel's gigapage at 0xffffffff80000000. Every CPU that runs Linux has Sv39, so
 *    this works everywhere; C code then probes Sv48 and builds the real tables.
 * 3. Jump to the upper-half alias, clear .bss, take the boot stack, and call
 *    kmain(hartid, dtb, kernel physical base).
 */
#include "asm_offsets.h"

    .section .text.boot, "ax"
    .globl _start
_start:
    lla     t0, boot_claimed
    li      t1, 1
    amoswap.w.aq t1, t1, (t0)
    bnez    t1, secondary_park

    /* Early page table: leaves V|R|W|X|G|A|D = 0xef. A 1 GiB page's PPN is (pa >> 12), i.e.
     * gigapage number << 18, placed at PTE bit 10: gigapage number << 28. */
    lla     t0, early_pt
    li      t1, 0
    li      t2, 4
1:  slli    t3, t1, 28
    ori     t3, t3, 0xef
    slli    t4, t1, 3
    add     t4, t4, t0
    sd      t3, 0(t4)               /* identity: entry i */
    li      t5, 256 * 8
    add     t4, t4, t5
    sd      t3, 0(t4)               /* direct map: entry 256 + i */
    addi    t1, t1, 1
    blt     t1, t2, 1b

    lla     t1, _start              /* kernel gigapage: VA 0xffffffff80000000, entry 510 */
    srli    t1, t1, 30
    slli    t1, t1, 28
    ori     t1, t1, 0xef
    li      t4, 510 * 8
    add     t4, t4, t0
    sd      t1, 0(t4)

    lla     a2, _start              /* kmain's third argument: the kernel's physical base */
    srli    t1, t0, 12
    li      t2, 8                   /* satp.MODE = Sv39 */
    slli    t2, t2, 60
    or      t1, t1, t2
    sfence.vma
    csrw    satp, t1
    sfence.vma

    ld      t0, .Lhigh_start
    jr      t0

    .balign 8
.Lhigh_start:
    .dword  high_start

high_start:
    la      t0, _bss_start
    la      t1, _bss_end
2:  bgeu    t0, t1, 3f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       2b
3:  la      sp, boot_stack_top
    csrw    sscratch, zero          /* sscratch = 0: "in the kernel" for trap_entry */
    la      t0, trap_entry
    csrw    stvec, t0
    /* Programs may read cycle, time and instret (rdcycle, rdtime, rdinstret), as on Linux
     * 6.1: benchmarks count instructions with them. Where the firmware keeps a counter from
     * S-mode, the read still traps and the program gets SIGILL. */
    li      t0, 7
    csrw    scounteren, t0
    call    kmain
4:  wfi
    j       4b

/* Harts that lost the race wait here with interrupts off until SMP support starts them. */
secondary_park:
    csrw    sie, zero
5:  wfi
    j       5b

    .section .data
    .balign 4
boot_claimed:
    .word   0

    .section .data.early_pt, "aw"
    .balign 4096
    .globl  early_pt
early_pt:
    .zero   4096

    .section .bss.stack, "aw", @nobits
    .balign 16
boot_stack:
    .zero   KSTACK_SIZE
    .globl  boot_stack_top
boot_stack_top:

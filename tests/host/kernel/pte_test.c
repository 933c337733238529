/*
 * pte_test.c - host tests of the page-table entry encoding (src/arch/riscv/pte.h).
 *
 * Checks the bit layout against the privileged spec (section 4.4/4.5), the A/D policy for
 * cores that do not manage them, VA indexing at every level for Sv39 and Sv48, and canonical
 * address checks. TAP output.
 */
#include <stdio.h>

#include "pte.h"

static int n, failed;

static void check(int ok, const char *what)
{
    n++;
    if (!ok)
        failed++;
    printf("%s %d - %s\n", ok ? "ok" : "not ok", n, what);
}

int main(void)
{
    /* Bits as the spec numbers them. */
    check(PTE_V == 1 && PTE_R == 2 && PTE_W == 4 && PTE_X == 8, "V R W X are bits 0..3");
    check(PTE_U == 16 && PTE_G == 32 && PTE_A == 64 && PTE_D == 128, "U G A D are bits 4..7");

    pte_t e = pte_leaf(0x80201000ul, PTE_R | PTE_X | PTE_U);
    check((e >> 10) == 0x80201, "PPN sits at bit 10");
    check(pte_pa(e) == 0x80201000ul, "pte_pa inverts pte_leaf");
    check(pte_is_valid(e) && pte_is_leaf(e), "leaf is valid and a leaf");
    check((e & PTE_A) && !(e & PTE_D), "read-only leaf: A set, D clear");
    e = pte_leaf(0x1000, PTE_R | PTE_W);
    check((e & PTE_A) && (e & PTE_D), "writable leaf: A and D set (U54 does not set them)");
    check(!(pte_leaf(0x1000, PTE_R | (1ul << 9)) & (1ul << 9)), "RSW and other bits dropped");
    check(pte_pa(pte_leaf(0xfffffffffff000ul, PTE_R)) == 0xfffffffffff000ul, "56-bit PA kept");

    pte_t t = pte_table(0x87654000ul);
    check(pte_is_valid(t) && !pte_is_leaf(t), "table pointer: valid, not a leaf");
    check(pte_pa(t) == 0x87654000ul, "table pointer PA");
    check(!pte_is_valid(0) && !pte_is_leaf(0), "zero entry is invalid");

    check(pte_level_size(0) == 4096 && pte_level_size(1) == 2ul << 20 &&
              pte_level_size(2) == 1ul << 30 && pte_level_size(3) == 512ul << 30,
          "level sizes 4K 2M 1G 512G");

    uint64_t va = (0x1aul << 39) | (0x123ul << 30) | (0x45ul << 21) | (0x67ul << 12) | 0x89;
    check(pte_index(va, 3) == 0x1a && pte_index(va, 2) == 0x123 && pte_index(va, 1) == 0x45 &&
              pte_index(va, 0) == 0x67,
          "VA index at each level");
    check(pte_index(0xffffffff80200000ul, 2) == 510 && pte_index(0xffffffff80200000ul, 3) == 511,
          "kernel image VA: Sv39 root entry 510, Sv48 root entry 511");
    check(pte_index(0xffffffc000000000ul, 2) == 256, "Sv39 direct map starts at root entry 256");
    check(pte_index(0xffff800000000000ul, 3) == 256, "Sv48 direct map starts at root entry 256");

    check(pte_va_canonical(0x3ffffffffful, 3) && !pte_va_canonical(0x4000000000ul, 3),
          "Sv39: bit 38 must be copied upward");
    check(pte_va_canonical(0xffffffc000000000ul, 3) && pte_va_canonical(0x4000000000ul, 4),
          "Sv39 upper half, and 2^38 fine under Sv48");
    check(!pte_va_canonical(0x800000000000ul, 4) && pte_va_canonical(0xffff800000000000ul, 4),
          "Sv48: bit 47 must be copied upward");

    printf("1..%d\n", n);
    return failed ? 1 : 0;
}

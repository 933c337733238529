/*
 * pte.h - the RISC-V Sv39/Sv48 page-table entry, and how virtual addresses index tables.
 *
 * Privileged spec 1.12, section 4.4-4.5. A page-table entry is 64 bits:
 *
 *   63  62-61 60-54    53 ........... 10  9-8  7 6 5 4 3 2 1 0
 *   N   PBMT  reserved  PPN (44 bits)      RSW  D A G U X W R V
 *
 * V=0: invalid. R=W=X=0 with V=1: a pointer to the next-level table. Otherwise a leaf
 * (a page, or a superpage at a higher level: 2 MiB at level 1, 1 GiB at level 2, 512 GiB at
 * level 3 in Sv48; the PPN of a superpage must be aligned to its size). W without R is
 * reserved. Sv39 has 3 levels (VA bits 38..0), Sv48 has 4 (VA bits 47..0); each level takes
 * 9 bits of the VA above the 12-bit page offset, and the upper bits must copy the top one.
 *
 * Real SiFive U54/U74 cores do not set A or D themselves: they fault instead. So every leaf
 * the kernel installs has A set, and D set when it is writable (docs/BOOT.md).
 *
 * This header is pure arithmetic so that the host tests can check the encoding.
 */
#ifndef ARCH_RISCV_PTE_H
#define ARCH_RISCV_PTE_H

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t pte_t;

#define PTE_V   (1ul << 0)
#define PTE_R   (1ul << 1)
#define PTE_W   (1ul << 2)
#define PTE_X   (1ul << 3)
#define PTE_U   (1ul << 4)
#define PTE_G   (1ul << 5)
#define PTE_A   (1ul << 6)
#define PTE_D   (1ul << 7)
#define PTE_RWX (PTE_R | PTE_W | PTE_X)
/*
 * Software bit (RSW, bit 8): with V clear, a "retained" leaf that keeps its PPN while giving
 * no access (PROT_NONE). The hardware ignores an entry with V clear, so it faults; the kernel
 * reports the frame in the fault message and hands it back on unmap.
 */
#define PTE_RETAINED  (1ul << 8)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK  ((1ul << 44) - 1)

#define PAGE_SHIFT    12
#define PAGE_SIZE     (1ul << PAGE_SHIFT)
#define PT_ENTRIES    512
#define PT_INDEX_BITS 9

/* Bytes mapped by one leaf at `level` (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB, 3 = 512 GiB). */
static inline uint64_t pte_level_size(unsigned level)
{
    return 1ul << (PAGE_SHIFT + PT_INDEX_BITS * level);
}

/* Index into the table at `level` for virtual address va. */
static inline unsigned pte_index(uint64_t va, unsigned level)
{
    return (unsigned)((va >> (PAGE_SHIFT + PT_INDEX_BITS * level)) & (PT_ENTRIES - 1));
}

static inline bool pte_is_valid(pte_t e)
{
    return (e & PTE_V) != 0;
}

static inline bool pte_is_leaf(pte_t e)
{
    return (e & PTE_V) && (e & PTE_RWX);
}

static inline bool pte_is_retained(pte_t e)
{
    return !(e & PTE_V) && (e & PTE_RETAINED);
}

/* A leaf that gives no access but keeps its frame. */
static inline pte_t pte_retain(pte_t e)
{
    return (e & ~(PTE_V | PTE_RWX | PTE_A | PTE_D)) | PTE_RETAINED;
}

static inline uint64_t pte_pa(pte_t e)
{
    return ((e >> PTE_PPN_SHIFT) & PTE_PPN_MASK) << PAGE_SHIFT;
}

/* A pointer to the next-level table at physical address pa. */
static inline pte_t pte_table(uint64_t pa)
{
    return ((pa >> PAGE_SHIFT) << PTE_PPN_SHIFT) | PTE_V;
}

/*
 * A leaf for physical address pa with permissions perms (PTE_R/W/X/U/G bits). A is always set,
 * D when writable, for cores that do not manage them (see above).
 */
static inline pte_t pte_leaf(uint64_t pa, uint64_t perms)
{
    pte_t e =
        ((pa >> PAGE_SHIFT) << PTE_PPN_SHIFT) | PTE_V | PTE_A | (perms & (PTE_RWX | PTE_U | PTE_G));
    if (perms & PTE_W)
        e |= PTE_D;
    return e;
}

/* The same, writable but clean (D clear): the first store sets D (MAP_FLAG_CLEAN). */
static inline pte_t pte_leaf_clean(uint64_t pa, uint64_t perms)
{
    return pte_leaf(pa, perms) & ~PTE_D;
}

/* True when va is canonical for a paging mode with `levels` levels (upper bits sign-extend). */
static inline bool pte_va_canonical(uint64_t va, unsigned levels)
{
    unsigned bits = PAGE_SHIFT + PT_INDEX_BITS * levels;
    int64_t s = (int64_t)(va << (64 - bits)) >> (64 - bits);
    return (uint64_t)s == va;
}

#endif

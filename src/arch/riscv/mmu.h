/*
 * mmu.h - page tables, generic over the number of levels (Sv39: 3, Sv48: 4).
 *
 * The contract of the page-table layer in one place (after Zircon's arch_vm_aspace.h):
 * - A table is one 4 KiB page of 512 PTEs (pte.h), allocated zeroed from the kernel pool.
 * - mmu_map() installs one leaf at `level` (0: 4 KiB, 1: 2 MiB, 2: 1 GiB), allocating the
 *   tables on the way. It replaces an existing leaf of the same size, refuses (-EEXIST) to
 *   put a leaf where a table or a larger/smaller leaf is, and on -ENOMEM leaves whatever tables
 *   it already allocated in place (they are empty and harmless, freed with the space).
 * - Upper-half (kernel) root entries are global and identical in every space: a new space
 *   copies them from the kernel root, and they never change after boot.
 * - The caller does the TLB maintenance (mmu_flush_page / mmu_flush_space).
 */
#ifndef ARCH_RISCV_MMU_H
#define ARCH_RISCV_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "pte.h"

extern unsigned mmu_levels;    /* 3 or 4 */
extern uint64_t mmu_task_size; /* user addresses are below this: 2^38 or 2^47 */
extern unsigned mmu_asid_bits; /* 0 when the hart has no ASIDs */
extern pte_t *mmu_kernel_root;
/* Counts page-table pages freed: a saved pointer to an entry is still good if it has not moved
 * since the pointer was taken. */
extern uint64_t mmu_tables_freed;

/* Page allocator for tables: the boot bump allocator first, the pool later. */
typedef pte_t *(*mmu_table_alloc_fn)(void);

/*
 * Build the kernel's tables for `levels` levels with table pages from alloc(): the direct
 * map at the mode's dmap base for every RAM range, and the kernel image. Returns the root's
 * physical address, or 0 if alloc() ran dry.
 */
struct mmu_range {
    uint64_t base, size;
};
uint64_t mmu_build_kernel(unsigned levels, const struct mmu_range *ram, unsigned nram,
                          const struct mmu_range *mmio, unsigned nmmio, uint64_t kimage_pa,
                          uint64_t kimage_size, mmu_table_alloc_fn alloc);

/* Direct-map base (the start of the upper half) for a mode. */
uint64_t mmu_dmap_base(unsigned levels);

/* Switch to the kernel root of `levels` levels; returns true if the hart accepted the mode. */
bool mmu_enable(uint64_t root_pa, unsigned levels);
void mmu_probe_asid(void);

int mmu_map(pte_t *root, uint64_t va, uint64_t pa, unsigned level, uint64_t pte_perms);
/*
 * The leaf mapping va and its level, or NULL with *level the level of the invalid entry that
 * ended the walk (so a caller scanning a range can skip pte_level_size(*level) bytes).
 */
pte_t *mmu_lookup(pte_t *root, uint64_t va, unsigned *level);
/* As mmu_lookup, but also finds retained leaves (pte_is_retained). */
pte_t *mmu_lookup_any(pte_t *root, uint64_t va, unsigned *level);
/* The entry for va at level, allocating tables above it; NULL on -ENOMEM or a leaf above. */
pte_t *mmu_walk_alloc(pte_t *root, uint64_t va, unsigned level);
/* The level-0 entry for va, tables made as needed: NULL with *err = -EEXIST (a superpage or
 * retained leaf is in the way) or -ENOMEM. The next 4 KiB page's entry is the next slot
 * until va reaches a 2 MiB boundary. */
pte_t *mmu_leaf_slot(pte_t *root, uint64_t va, int *err);
/* Free every user-half table under root (not the root itself, nor any mapped frame). */
void mmu_free_user_tables(pte_t *root);
void mmu_copy_kernel_half(pte_t *root);

uint64_t mmu_satp(uint64_t root_pa, unsigned asid);
void mmu_flush_page(uint64_t va, unsigned asid);
void mmu_flush_space(unsigned asid);

#endif

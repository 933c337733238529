/*
 * mmu.c - Sv39/Sv48 page tables: building the kernel's, walking and editing a task's.
 *
 * Level numbering follows the spec: level 0 tables hold 4 KiB leaves, and the root is at level
 * mmu_levels - 1. The same code serves both modes; only the root level and the direct-map base
 * differ (docs/BOOT.md has the two memory layouts).
 */
#include "mmu.h"

#include "csr.h"
#include "kernel.h"
#include "pool.h"

unsigned mmu_levels = 3;
uint64_t mmu_task_size;
unsigned mmu_asid_bits;
uint64_t mmu_tables_freed;
pte_t *mmu_kernel_root;

uint64_t mmu_dmap_base(unsigned levels)
{
    /* The first canonical upper-half address: the top bit of the VA and all above it set. */
    return ~0ul << (PAGE_SHIFT + PT_INDEX_BITS * levels - 1);
}

static mmu_table_alloc_fn table_alloc;

static pte_t *table_at(pte_t e)
{
    return pa_to_kva(pte_pa(e));
}

/*
 * The entry for va at `level`, allocating tables above it when alloc is set. NULL if a table
 * is missing (and !alloc), allocation failed, or a leaf blocks the way (*blocked set then).
 */
static pte_t *walk(pte_t *root, unsigned levels, uint64_t va, unsigned level, bool alloc,
                   bool *blocked)
{
    pte_t *table = root;
    for (unsigned l = levels - 1; l > level; l--) {
        pte_t *e = &table[pte_index(va, l)];
        if (pte_is_leaf(*e) || pte_is_retained(*e)) {
            if (blocked)
                *blocked = true;
            return NULL;
        }
        if (!pte_is_valid(*e)) {
            if (!alloc)
                return NULL;
            pte_t *t = table_alloc();
            if (!t)
                return NULL;
            *e = pte_table(kva_to_pa(t));
        }
        table = table_at(*e);
    }
    return &table[pte_index(va, level)];
}

static int map_one(pte_t *root, unsigned levels, uint64_t va, uint64_t pa, unsigned level,
                   uint64_t perms)
{
    bool blocked = false;
    pte_t *e = walk(root, levels, va, level, true, &blocked);
    if (!e)
        return blocked ? -EEXIST : -ENOMEM;
    if (pte_is_valid(*e) && !pte_is_leaf(*e)) {
        /* A table where a superpage should go: fine if it maps nothing. */
        pte_t *t = table_at(*e);
        for (unsigned i = 0; i < PT_ENTRIES; i++)
            if (pte_is_valid(t[i]) || pte_is_retained(t[i]))
                return -EEXIST;
        pool_page_free(t);
        mmu_tables_freed++;
    }
    *e = pte_leaf(pa, perms);
    return 0;
}

static int map_range(pte_t *root, unsigned levels, uint64_t va, uint64_t pa, uint64_t size,
                     uint64_t perms)
{
    while (size) {
        unsigned level = 2;
        while (level > 0 &&
               ((va | pa) & (pte_level_size(level) - 1) || size < pte_level_size(level)))
            level--;
        int err = map_one(root, levels, va, pa, level, perms);
        if (err)
            return err;
        va += pte_level_size(level);
        pa += pte_level_size(level);
        size -= pte_level_size(level);
    }
    return 0;
}

uint64_t mmu_build_kernel(unsigned levels, const struct mmu_range *ram, unsigned nram,
                          const struct mmu_range *mmio, unsigned nmmio, uint64_t kimage_pa,
                          uint64_t kimage_size, mmu_table_alloc_fn alloc)
{
    table_alloc = alloc;
    pte_t *root = alloc();
    if (!root)
        return 0;
    uint64_t dmap = mmu_dmap_base(levels);
    for (unsigned i = 0; i < nram; i++)
        if (map_range(root, levels, dmap + ram[i].base, ram[i].base, ram[i].size,
                      PTE_R | PTE_W | PTE_G))
            return 0;
    for (unsigned i = 0; i < nmmio; i++)
        if (map_range(root, levels, dmap + mmio[i].base, mmio[i].base, mmio[i].size,
                      PTE_R | PTE_W | PTE_G))
            return 0;
    uint64_t kva = (uint64_t)_kernel_start & ~(pte_level_size(1) - 1);
    uint64_t kpa = kimage_pa & ~(pte_level_size(1) - 1);
    uint64_t ksize = ALIGN_UP(kimage_pa + kimage_size, pte_level_size(1)) - kpa;
    if (map_range(root, levels, kva, kpa, ksize, PTE_R | PTE_W | PTE_X | PTE_G))
        return 0;
    return kva_to_pa(root);
}

static pte_t *pool_table_alloc(void)
{
    return pool_page_alloc();
}

bool mmu_enable(uint64_t root_pa, unsigned levels)
{
    uint64_t mode = levels == 4 ? SATP_MODE_SV48 : SATP_MODE_SV39;
    uint64_t satp = (mode << SATP_MODE_SHIFT) | (root_pa >> PAGE_SHIFT);
    sfence_vma_all();
    csr_write(satp, satp);
    sfence_vma_all();
    /* satp is WARL: a mode the hart lacks leaves the whole register unchanged. */
    if (csr_read(satp) != satp)
        return false;
    mmu_levels = levels;
    mmu_task_size = 1ul << (PAGE_SHIFT + PT_INDEX_BITS * levels - 1);
    table_alloc = pool_table_alloc;
    return true;
}

void mmu_probe_asid(void)
{
    /* Write all ones to satp.ASID and see which bits stick (spec 4.1.11). */
    uint64_t satp = csr_read(satp);
    csr_write(satp, satp | (SATP_ASID_MASK << SATP_ASID_SHIFT));
    uint64_t asid = (csr_read(satp) >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
    csr_write(satp, satp);
    sfence_vma_all();
    unsigned bits = 0;
    while (asid & (1ul << bits))
        bits++;
    mmu_asid_bits = bits;
}

int mmu_map(pte_t *root, uint64_t va, uint64_t pa, unsigned level, uint64_t pte_perms)
{
    return map_one(root, mmu_levels, va, pa, level, pte_perms);
}

pte_t *mmu_lookup(pte_t *root, uint64_t va, unsigned *level)
{
    pte_t *table = root;
    for (unsigned l = mmu_levels; l-- > 0;) {
        pte_t *e = &table[pte_index(va, l)];
        if (level)
            *level = l;
        if (!pte_is_valid(*e))
            return NULL;
        if (pte_is_leaf(*e))
            return e;
        if (l == 0)
            return NULL;
        table = table_at(*e);
    }
    return NULL;
}

pte_t *mmu_lookup_any(pte_t *root, uint64_t va, unsigned *level)
{
    pte_t *table = root;
    for (unsigned l = mmu_levels; l-- > 0;) {
        pte_t *e = &table[pte_index(va, l)];
        if (level)
            *level = l;
        if (pte_is_retained(*e) || pte_is_leaf(*e))
            return e;
        if (!pte_is_valid(*e) || l == 0)
            return NULL;
        table = table_at(*e);
    }
    return NULL;
}

pte_t *mmu_leaf_slot(pte_t *root, uint64_t va, int *err)
{
    bool blocked = false;
    pte_t *e = walk(root, mmu_levels, va, 0, true, &blocked);
    if (!e)
        *err = blocked ? -EEXIST : -ENOMEM;
    return e;
}

pte_t *mmu_walk_alloc(pte_t *root, uint64_t va, unsigned level)
{
    return walk(root, mmu_levels, va, level, true, NULL);
}

static void free_tables(pte_t *table, unsigned level)
{
    for (unsigned i = 0; i < PT_ENTRIES; i++) {
        if (pte_is_valid(table[i]) && !pte_is_leaf(table[i]) && level > 0) {
            pte_t *t = table_at(table[i]);
            free_tables(t, level - 1);
            pool_page_free(t);
            mmu_tables_freed++;
        }
        table[i] = 0;
    }
}

void mmu_free_user_tables(pte_t *root)
{
    unsigned top = mmu_levels - 1;
    for (unsigned i = 0; i < PT_ENTRIES / 2; i++) {
        if (pte_is_valid(root[i]) && !pte_is_leaf(root[i])) {
            pte_t *t = table_at(root[i]);
            free_tables(t, top - 1);
            pool_page_free(t);
        }
        root[i] = 0;
    }
}

void mmu_copy_kernel_half(pte_t *root)
{
    for (unsigned i = PT_ENTRIES / 2; i < PT_ENTRIES; i++)
        root[i] = mmu_kernel_root[i];
}

uint64_t mmu_satp(uint64_t root_pa, unsigned asid)
{
    uint64_t mode = mmu_levels == 4 ? SATP_MODE_SV48 : SATP_MODE_SV39;
    return (mode << SATP_MODE_SHIFT) | ((uint64_t)asid << SATP_ASID_SHIFT) |
           (root_pa >> PAGE_SHIFT);
}

void mmu_flush_page(uint64_t va, unsigned asid)
{
    /* With ASID 0 shared by every space (no ASIDs), flush va in all of them. */
    if (asid)
        sfence_vma_page(va, asid);
    else
        __asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}

void mmu_flush_space(unsigned asid)
{
    if (asid)
        sfence_vma_asid(asid);
    else
        sfence_vma_all();
}

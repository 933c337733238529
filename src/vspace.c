/*
 * vspace.c - checked edits of user address spaces, and kernel access to user memory.
 */
#include "vspace.h"

#include <samara/ipc.h>
#include <samara/syscall.h>

#include "kernel.h"
#include "object.h"
#include "task.h"
#include "arch/riscv/mmu.h"

static uint64_t perms_to_pte(unsigned perms)
{
    uint64_t p = PTE_U;
    if (perms & MAP_PERM_R)
        p |= PTE_R;
    if (perms & MAP_PERM_W)
        p |= PTE_W | PTE_R;
    if (perms & MAP_PERM_X)
        p |= PTE_X;
    return p;
}

static bool range_ok(uint64_t va, uint64_t len)
{
    return len && va < mmu_task_size && len <= mmu_task_size - va;
}

int vspace_map_decode(struct task *caller, struct task *target, uint64_t va, uint64_t mem_slot,
                      uint64_t pa, uint64_t npages, uint64_t flags, struct vspace_map_req *out)
{
    unsigned perms = flags & MAP_PERM_MASK;
    unsigned size = (flags >> MAP_SIZE_SHIFT) & 3;
    if (flags & ~(uint64_t)(MAP_PERM_MASK | (3u << MAP_SIZE_SHIFT) | MAP_FLAG_NOREPLACE |
                            MAP_FLAG_REPEAT | MAP_FLAG_CLEAN))
        return -EINVAL;
    if (!perms || size > MAP_SIZE_1G || (perms & MAP_PERM_W && !(perms & MAP_PERM_R)))
        return -EINVAL;
    if (target->dead)
        return -ESRCH;
    unsigned level = size;
    uint64_t psize = pte_level_size(level);
    if (!npages || npages > (1ul << 30) || (va | pa) & (psize - 1))
        return -EINVAL;
    uint64_t len = npages * psize;
    if (!range_ok(va, len))
        return -EINVAL;
    struct cap *m;
    int err = cap_lookup(caller, mem_slot, CAP_MEMORY, 0, &m);
    if (err)
        return err;
    unsigned need = ((perms & MAP_PERM_R) ? CAP_R_READ : 0) |
                    ((perms & MAP_PERM_W) ? CAP_R_WRITE : 0) |
                    ((perms & MAP_PERM_X) ? CAP_R_EXEC : 0);
    if ((m->rights & need) != need)
        return -EPERM;
    uint64_t base = m->obj, end = m->obj + m->word * PAGE_SIZE;
    uint64_t frames = flags & MAP_FLAG_REPEAT ? psize : len;
    if (pa < base || pa >= end || frames > end - pa)
        return -EINVAL;
    *out = (struct vspace_map_req){va,
                                   pa,
                                   npages,
                                   level,
                                   (unsigned)flags &
                                       (MAP_FLAG_NOREPLACE | MAP_FLAG_REPEAT | MAP_FLAG_CLEAN),
                                   perms_to_pte(perms)};
    return 0;
}

/*
 * 4 KiB pages: one walk per page table (512 pages), not one per page, since a run of pages
 * fills consecutive entries of the same table: fault-around and populate map such runs.
 */
static int map_pages(struct task *target, const struct vspace_map_req *r)
{
    pte_t *slot = NULL;
    for (uint64_t i = 0; i < r->npages; i++) {
        uint64_t va = r->va + i * PAGE_SIZE;
        if (slot && pte_index(va, 0) != 0) {
            slot++;
        } else {
            int err = 0;
            slot = mmu_leaf_slot(target->root, va, &err);
            if (!slot && err == -EEXIST && r->flags & MAP_FLAG_NOREPLACE)
                continue; /* a superpage is there: keep it */
            if (!slot) {
                if (r->npages > 64)
                    task_flush(target); /* pages replaced before the failure */
                return err;
            }
        }
        if (r->flags & MAP_FLAG_NOREPLACE && (pte_is_valid(*slot) || pte_is_retained(*slot)))
            continue;
        uint64_t pa = r->flags & MAP_FLAG_REPEAT ? r->pa : r->pa + i * PAGE_SIZE;
        *slot = r->flags & MAP_FLAG_CLEAN ? pte_leaf_clean(pa, r->pte_perms)
                                          : pte_leaf(pa, r->pte_perms);
        if (r->npages <= 64)
            task_flush_page(target, va);
    }
    if (r->npages > 64)
        task_flush(target);
    return 0;
}

int vspace_map_perform(struct task *target, const struct vspace_map_req *r)
{
    if (r->level == 0)
        return map_pages(target, r);
    uint64_t psize = pte_level_size(r->level);
    for (uint64_t i = 0; i < r->npages; i++) {
        uint64_t va = r->va + i * psize;
        if (r->flags & MAP_FLAG_NOREPLACE && mmu_lookup_any(target->root, va, NULL))
            continue;
        uint64_t pa = r->flags & MAP_FLAG_REPEAT ? r->pa : r->pa + i * psize;
        int err = mmu_map(target->root, va, pa, r->level, r->pte_perms);
        if (err) {
            if (r->npages > 64)
                task_flush(target); /* pages replaced before the failure */
            return err;
        }
        if (r->npages <= 64)
            task_flush_page(target, va);
    }
    if (r->npages > 64)
        task_flush(target);
    return 0;
}

/*
 * The page word (samara/syscall.h) of the leaf or retained entry e at level, for the 4K page
 * va within it. PTE bits R, W, X (1..3) shifted down by one are MAP_PERM_R, _W, _X.
 */
_Static_assert(PTE_R >> 1 == MAP_PERM_R && PTE_W >> 1 == MAP_PERM_W && PTE_X >> 1 == MAP_PERM_X,
               "PTE permission bits are MAP_PERM_* shifted");
static inline uint64_t page_word(pte_t e, unsigned level, uint64_t va)
{
    uint64_t pa = pte_pa(e) + (va & (pte_level_size(level) - 1) & ~(PAGE_SIZE - 1));
    return pa | ((e >> 1) & MAP_PERM_MASK) << 4 | (uint64_t)level << 7 |
           (e & PTE_V ? PAGE_W_PRESENT : PAGE_W_RETAINED) |
           ((e & PTE_V) && (e & PTE_D) ? PAGE_W_DIRTY : 0);
}

/*
 * On every page fault, so kept lean: a walk that stops at the first leaf, retained leaf or
 * hole, and starts at the last table of 4 KiB leaves when va is in the region it maps.
 */
uint64_t vspace_page_word_slot(struct task *t, uint64_t va, pte_t **slot)
{
    *slot = NULL;
    if (va >= mmu_task_size)
        return 0; /* a user access to a kernel address: nothing of the user's is there */
    uint64_t region = va >> (PAGE_SHIFT + PT_INDEX_BITS);
    if (t->leaf_hint && t->leaf_hint_region == region && t->leaf_hint_gen == mmu_tables_freed) {
        pte_t *s = &t->leaf_hint[pte_index(va, 0)];
        pte_t e = *s;
        *slot = s;
        return e & PTE_V ? (e & PTE_RWX ? page_word(e, 0, va) : 0)
                         : (e & PTE_RETAINED ? page_word(e, 0, va) : 0);
    }
    pte_t *table = t->root;
    for (int l = (int)mmu_levels - 1; l >= 0; l--) {
        pte_t *s = &table[(va >> (PAGE_SHIFT + PT_INDEX_BITS * (unsigned)l)) & (PT_ENTRIES - 1)];
        pte_t e = *s;
        if (l == 0) {
            *slot = s;
            t->leaf_hint = table;
            t->leaf_hint_region = region;
            t->leaf_hint_gen = mmu_tables_freed;
        }
        if (!(e & PTE_V) && !(e & PTE_RETAINED))
            return 0;
        if (!(e & PTE_V) || e & PTE_RWX)
            return page_word(e, (unsigned)l, va);
        table = pa_to_kva(pte_pa(e));
    }
    return 0;
}

uint64_t vspace_fault_neighbours(uint64_t va, uint64_t word, const uint64_t *slot)
{
    if (!slot)
        return word ? 0 : FAULT_NEIGHBOURS_KNOWN; /* no table: nothing around either */
    unsigned first = pte_index(va, 0) & ~(FAULT_WINDOW - 1);
    const uint64_t *t = slot - pte_index(va, 0) + first;
    uint64_t bits = 0;
#pragma GCC unroll 16
    for (unsigned i = 0; i < FAULT_WINDOW; i++)
        bits |= (uint64_t)((t[i] & (PTE_V | PTE_RETAINED)) != 0) << i;
    return FAULT_NEIGHBOURS_KNOWN | bits << 16;
}

bool vspace_mark_dirty(struct task *t, uint64_t va)
{
    unsigned level;
    pte_t *e = va < mmu_task_size ? mmu_lookup(t->root, va, &level) : NULL;
    if (!e || !(*e & PTE_W) || !(*e & PTE_U) || *e & PTE_D)
        return false;
    *e |= PTE_D | PTE_A;
    task_flush_page(t, va & ~(pte_level_size(level) - 1));
    return true;
}

uint64_t vspace_page_word(struct task *t, uint64_t va)
{
    pte_t *slot;
    return vspace_page_word_slot(t, va, &slot);
}

/*
 * The leaves (mapped or retained) in [va, end), in order: *e and *level of the next one at
 * or after *va, advancing *va past it. Missing tables are skipped a table at a time.
 */
static pte_t *next_leaf(struct task *t, uint64_t *va, uint64_t end, unsigned *level)
{
    while (*va < end) {
        pte_t *e = mmu_lookup_any(t->root, *va, level);
        uint64_t size = pte_level_size(*level);
        uint64_t at = *va;
        *va = ALIGN_DOWN(at, size) + size;
        if (e) {
            *va = at; /* the caller advances past the leaf it takes */
            return e;
        }
    }
    return NULL;
}

/*
 * -EINVAL if a superpage sticks out of [va, end). Only the leaves holding the first and the
 * last page can: any other leaf lies between them, inside the range, so two walks do.
 */
static int check_leaves(struct task *t, uint64_t va, uint64_t end)
{
    unsigned level;
    if (mmu_lookup_any(t->root, va, &level) && level && va & (pte_level_size(level) - 1))
        return -EINVAL;
    if (mmu_lookup_any(t->root, end - 1, &level) && level && end & (pte_level_size(level) - 1))
        return -EINVAL;
    return 0;
}

static int check_range(struct task *t, uint64_t va, uint64_t len)
{
    if (t->dead)
        return -ESRCH;
    if ((va | len) & (PAGE_SIZE - 1) || !range_ok(va, len))
        return -EINVAL;
    return 0;
}

int vspace_unmap_check(struct task *t, uint64_t va, uint64_t len)
{
    int err = check_range(t, va, len);
    return err ? err : check_leaves(t, va, va + len);
}

int vspace_unmap(struct task *t, uint64_t va, uint64_t len, struct vspace_leaf *out, unsigned max,
                 unsigned *count)
{
    int err = vspace_unmap_check(t, va, len);
    return err ? err : vspace_unmap_more(t, va, len, out, max, count);
}

int vspace_unmap_more(struct task *t, uint64_t va, uint64_t len, struct vspace_leaf *out,
                      unsigned max, unsigned *count)
{
    uint64_t end = va + len, n = 0;
    unsigned level;
    pte_t *e;
    *count = 0;
    while ((!out || *count < max) && (e = next_leaf(t, &va, end, &level))) {
        if (out)
            out[(*count)++] = (struct vspace_leaf){va, page_word(*e, level, va)};
        *e = 0;
        if (++n <= 64)
            task_flush_page(t, va);
        va += pte_level_size(level);
    }
    if (n > 64)
        task_flush(t);
    return 0;
}

int vspace_share_check(struct task *src, struct task *dst, uint64_t va, uint64_t len,
                       unsigned flags)
{
    int err = check_range(src, va, len);
    if (!err)
        err = check_range(dst, va, len);
    if (!err && (src == dst || flags & ~SHARE_COW))
        err = -EINVAL;
    return err ? err : check_leaves(src, va, va + len);
}

/* Give dst the leaf *e of src at va (level): write-protected on both sides with SHARE_COW.
 * Returns whether it was given (dst had nothing there); *flushes counts src's TLB work. */
static bool share_leaf(struct task *src, pte_t *e, pte_t *d, uint64_t va, unsigned flags,
                       uint64_t *flushes)
{
    if (pte_is_valid(*d) || pte_is_retained(*d))
        return false;
    pte_t leaf = *e;
    if (flags & SHARE_COW && pte_is_valid(leaf) && leaf & PTE_W) {
        /* Both sides lose the right to write: the next write faults, and copies. */
        leaf = pte_leaf(pte_pa(leaf), (leaf & PTE_RWX & ~PTE_W) | PTE_U);
        *e = leaf;
        if (++*flushes <= 64)
            task_flush_page(src, va);
    }
    *d = leaf;
    return true;
}

int vspace_share_more(struct task *src, struct task *dst, uint64_t va, uint64_t len, unsigned flags,
                      struct vspace_leaf *out, unsigned max, unsigned *count)
{
    int err = 0;
    uint64_t end = va + len, flushes = 0;
    unsigned level;
    pte_t *e;
    *count = 0;
    while (*count < max && (e = next_leaf(src, &va, end, &level))) {
        if (level == 0) {
            /* 4 KiB pages: go along the rest of this page table, and dst's, entry by entry. */
            int why = 0;
            pte_t *d = mmu_leaf_slot(dst->root, va, &why);
            if (!d && why == -EEXIST) {
                va += PAGE_SIZE; /* dst has a superpage there: leave it */
                continue;
            }
            if (!d) {
                err = why;
                break;
            }
            /* The hot loop of fork: plain bit operations on the entries, no calls. */
            uint64_t stop = ALIGN_DOWN(va, PT_ENTRIES * PAGE_SIZE) + PT_ENTRIES * PAGE_SIZE;
            stop = stop < end ? stop : end;
            unsigned n = *count;
            bool cow = flags & SHARE_COW;
            for (; n < max && va < stop; va += PAGE_SIZE, e++, d++) {
                pte_t leaf = *e;
                if (!(leaf & (PTE_V | PTE_RETAINED)) || *d & (PTE_V | PTE_RETAINED))
                    continue;
                if (cow && (leaf & (PTE_V | PTE_W)) == (PTE_V | PTE_W)) {
                    /* Both sides lose the right to write (and the page its dirty mark, now
                     * read-only): the next write faults, and copies. */
                    leaf &= ~(PTE_W | PTE_D);
                    *e = leaf;
                    if (++flushes <= 64)
                        task_flush_page(src, va);
                }
                *d = leaf;
                out[n++] = (struct vspace_leaf){va, page_word(leaf, 0, va)};
            }
            *count = n;
            continue;
        }
        uint64_t size = pte_level_size(level);
        pte_t *d = mmu_walk_alloc(dst->root, va, level);
        if (!d) {
            err = -ENOMEM; /* what is shared so far stays shared, and is reported */
            break;
        }
        if (share_leaf(src, e, d, va, flags, &flushes))
            out[(*count)++] = (struct vspace_leaf){va, page_word(*e, level, va)};
        va += size;
    }
    if (flushes > 64)
        task_flush(src);
    return *count ? 0 : err;
}

int vspace_protect(struct task *t, uint64_t va, uint64_t len, unsigned perms)
{
    int err = check_range(t, va, len);
    bool clean = perms & MAP_PERM_CLEAN;
    perms &= ~MAP_PERM_CLEAN;
    if (!err && (perms & ~MAP_PERM_MASK || (perms & MAP_PERM_W && !(perms & MAP_PERM_R))))
        err = -EINVAL;
    if (!err)
        err = check_leaves(t, va, va + len);
    if (err)
        return err;
    /*
     * Each mapping keeps only the rights it has that perms also has: protect never gives a
     * right (that needs the memory capability: map the frame again). What keeps no right at
     * all is retained: the frame stays, access goes.
     */
    uint64_t keep = perms_to_pte(perms) & PTE_RWX, end = va + len, n = 0;
    unsigned level;
    pte_t *e;
    while ((e = next_leaf(t, &va, end, &level))) {
        if (!pte_is_retained(*e)) {
            uint64_t rights = *e & keep;
            if (rights & PTE_W && !(rights & PTE_R))
                rights &= ~PTE_W;
            /* The D bit stays as it was (a written page stays dirty, also read-only), unless
             * the caller cleans it. */
            pte_t dirty = clean ? 0 : *e & PTE_D;
            *e = rights ? pte_leaf_clean(pte_pa(*e), rights | PTE_U) | dirty : pte_retain(*e);
            if (++n <= 64)
                task_flush_page(t, va);
        }
        va += pte_level_size(level);
    }
    if (n > 64)
        task_flush(t);
    return 0;
}

int vspace_query(struct task *t, uint64_t va, uint64_t npages, uint64_t *out)
{
    if (t->dead)
        return -ESRCH;
    if (va & (PAGE_SIZE - 1) || !npages || npages > 512 || !range_ok(va, npages * PAGE_SIZE))
        return -EINVAL;
    /* One walk per page table: a page whose level-0 table exists is read from it directly. */
    pte_t *table = NULL;
    for (uint64_t i = 0; i < npages; i++) {
        uint64_t a = va + i * PAGE_SIZE;
        if (!table || pte_index(a, 0) == 0) {
            pte_t *slot;
            out[i] = vspace_page_word_slot(t, a, &slot);
            table = slot ? slot - pte_index(a, 0) : NULL;
            continue;
        }
        pte_t e = table[pte_index(a, 0)];
        out[i] = pte_is_valid(e) || pte_is_retained(e) ? page_word(e, 0, a) : 0;
    }
    return 0;
}

int vspace_remap(struct task *t, uint64_t from, uint64_t to, uint64_t len)
{
    int err = check_range(t, from, len);
    if (!err)
        err = check_range(t, to, len);
    if (!err && ((from < to && to - from < len) || (to < from && from - to < len)))
        err = -EINVAL; /* overlapping ranges */
    if (!err)
        err = check_leaves(t, from, from + len);
    if (err)
        return err;
    /* The destination must be empty, and superpages must keep their alignment. */
    uint64_t va = to;
    unsigned level;
    if (next_leaf(t, &va, to + len, &level))
        return -EEXIST;
    va = from;
    pte_t *e;
    while ((e = next_leaf(t, &va, from + len, &level)))
        if (((to + (va - from)) & (pte_level_size(level) - 1)) != 0)
            return -EINVAL;
        else
            va += pte_level_size(level);
    va = from;
    while ((e = next_leaf(t, &va, from + len, &level))) {
        pte_t *d = mmu_walk_alloc(t->root, to + (va - from), level);
        if (!d) {
            task_flush(t);
            return -ENOMEM; /* what moved so far stays moved */
        }
        *d = *e;
        *e = 0;
        va += pte_level_size(level);
    }
    task_flush(t);
    return 0;
}

int64_t vspace_translate(struct task *t, uint64_t va)
{
    if (t->dead || va >= mmu_task_size)
        return -EFAULT;
    unsigned level;
    pte_t *e = mmu_lookup(t->root, va, &level);
    if (!e)
        return -EFAULT;
    uint64_t pa = pte_pa(*e) + (va & (pte_level_size(level) - 1) & ~(PAGE_SIZE - 1));
    unsigned perms = ((*e & PTE_R) ? MAP_PERM_R : 0) | ((*e & PTE_W) ? MAP_PERM_W : 0) |
                     ((*e & PTE_X) ? MAP_PERM_X : 0);
    return (int64_t)(pa | perms);
}

void *vspace_user_page(struct task *t, uint64_t va, bool write)
{
    if (va >= mmu_task_size)
        return NULL;
    unsigned level;
    pte_t *e = mmu_lookup(t->root, va, &level);
    if (!e || !(*e & PTE_U) || !(*e & (write ? PTE_W : PTE_R)))
        return NULL;
    return pa_to_kva(pte_pa(*e) + (va & (pte_level_size(level) - 1)));
}

static int copy_user(struct task *t, uint64_t uva, void *kbuf, size_t len, bool to_user)
{
    char *k = kbuf;
    while (len) {
        size_t chunk = PAGE_SIZE - (uva & (PAGE_SIZE - 1));
        if (chunk > len)
            chunk = len;
        char *u = vspace_user_page(t, uva, to_user);
        if (!u)
            return -EFAULT;
        if (to_user)
            memcpy(u, k, chunk);
        else
            memcpy(k, u, chunk);
        uva += chunk;
        k += chunk;
        len -= chunk;
    }
    return 0;
}

int copy_from_user(struct task *t, void *dst, uint64_t uva, size_t len)
{
    return copy_user(t, uva, dst, len, false);
}

int copy_to_user(struct task *t, uint64_t uva, const void *src, size_t len)
{
    return copy_user(t, uva, (void *)src, len, true);
}

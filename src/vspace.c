/*
 * vspace.c - checked edits of user address spaces, and kernel access to user memory.
 */
#include "vspace.h"

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
    if (flags & ~(uint64_t)(MAP_PERM_MASK | (3u << MAP_SIZE_SHIFT)))
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
    if (pa < base || pa >= end || len > end - pa)
        return -EINVAL;
    *out = (struct vspace_map_req){va, pa, npages, level, perms_to_pte(perms)};
    return 0;
}

int vspace_map_perform(struct task *target, const struct vspace_map_req *r)
{
    uint64_t psize = pte_level_size(r->level);
    for (uint64_t i = 0; i < r->npages; i++) {
        uint64_t va = r->va + i * psize;
        int err = mmu_map(target->root, va, r->pa + i * psize, r->level, r->pte_perms);
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
 * Visit every leaf in [va, va+len): first only to check no superpage sticks out (check),
 * then to apply fn. Missing tables are skipped a whole table at a time.
 */
static int for_each_leaf(struct task *t, uint64_t va, uint64_t len, bool check,
                         void (*fn)(struct task *, pte_t *, uint64_t, unsigned), unsigned arg,
                         uint64_t allowed)
{
    uint64_t end = va + len;
    uint64_t n = 0;
    while (va < end) {
        unsigned level;
        pte_t *e = mmu_lookup(t->root, va, &level);
        uint64_t size = pte_level_size(level);
        uint64_t next = ALIGN_DOWN(va, size) + size;
        if (e) {
            if (check && (va & (size - 1) || next > end))
                return -EINVAL;
            if (check && (allowed & ~*e & PTE_RWX))
                return -EPERM;
            if (!check) {
                fn(t, e, va, arg);
                n++;
            }
        }
        va = next;
    }
    if (!check && n > 64)
        task_flush(t);
    return 0;
}

static void leaf_clear(struct task *t, pte_t *e, uint64_t va, unsigned arg)
{
    (void)arg;
    *e = 0;
    task_flush_page(t, va);
}

static void leaf_protect(struct task *t, pte_t *e, uint64_t va, unsigned perms)
{
    *e = pte_leaf(pte_pa(*e), perms_to_pte(perms));
    task_flush_page(t, va);
}

static int check_range(struct task *t, uint64_t va, uint64_t len)
{
    if (t->dead)
        return -ESRCH;
    if ((va | len) & (PAGE_SIZE - 1) || !range_ok(va, len))
        return -EINVAL;
    return 0;
}

int vspace_unmap(struct task *t, uint64_t va, uint64_t len)
{
    int err = check_range(t, va, len);
    if (!err)
        err = for_each_leaf(t, va, len, true, leaf_clear, 0, 0);
    if (!err)
        err = for_each_leaf(t, va, len, false, leaf_clear, 0, 0);
    return err;
}

int vspace_protect(struct task *t, uint64_t va, uint64_t len, unsigned perms)
{
    int err = check_range(t, va, len);
    if (!err && (!perms || perms & ~MAP_PERM_MASK || (perms & MAP_PERM_W && !(perms & MAP_PERM_R))))
        err = -EINVAL;
    /* Only taking rights away: giving them needs the memory capability, i.e. SYS_MAP. */
    if (!err)
        err = for_each_leaf(t, va, len, true, leaf_protect, perms, perms_to_pte(perms));
    if (!err)
        err = for_each_leaf(t, va, len, false, leaf_protect, perms, 0);
    return err;
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

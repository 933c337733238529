/*
 * vma.c - a process's VMAs in its maple tree: find, insert, split, merge, remove.
 *
 * VMA structures come from a pool of frames set aside for the pager (like tree nodes), so
 * they are outside the free-frame count programs see.
 */
#include <string.h>

#include "pager.h"

#define VMA_SLOT 128

_Static_assert(sizeof(struct vma) <= VMA_SLOT, "a VMA fits its slot");

struct free_vma {
    struct free_vma *next;
};

static struct free_vma *vma_free_list;

/* Bumped whenever any VMA or tree changes: a process's vma_find cache is good while equal. */
uint64_t vma_gen = 1;

/* Frames set aside for VMAs at start-up: 4,096 VMAs before the pool ever grows. */
#define VMA_INITIAL_FRAMES 128

static void vma_grow(void);

void vma_init(void)
{
    for (unsigned i = 0; i < VMA_INITIAL_FRAMES; i++)
        vma_grow();
}

struct vma *vma_alloc(void)
{
    if (!vma_free_list)
        vma_grow();
    if (!vma_free_list)
        return NULL;
    struct free_vma *f = vma_free_list;
    vma_free_list = f->next;
    struct vma *v = (struct vma *)f;
    *v = (struct vma){0}; /* word stores: picolibc's memset goes a byte at a time */
    return v;
}

static void vma_grow(void)
{
    uint64_t pa = frame_alloc();
    if (!pa)
        return;
    char *page = physmap(pa);
    for (unsigned i = 0; i < PAGE_SIZE / VMA_SLOT; i++) {
        struct free_vma *f = (struct free_vma *)(page + i * VMA_SLOT);
        f->next = vma_free_list;
        vma_free_list = f;
    }
    /* Pool frames stay with the pager, never freed by an unmap. */
    frame_info(pa)->flags |= FRAME_GRANTED;
}

void vma_free(struct vma *v)
{
    vma_gen++;
    if (v->file)
        pfile_vma_put(v->file);
    if (v->shm)
        shmem_put(v->shm);
    struct free_vma *f = (struct free_vma *)v;
    f->next = vma_free_list;
    vma_free_list = f;
}

struct vma *vma_find_tree(struct proc *p, uint64_t addr)
{
    struct vma *v = mtree_load(&p->mm, addr);
    p->vcache = v;
    p->vcache_gen = vma_gen;
    return v;
}

struct vma *vma_find_from(struct proc *p, uint64_t addr)
{
    unsigned long index = addr;
    return mt_find(&p->mm, &index, ~0ul);
}

struct vma *vma_prev(struct proc *p, uint64_t addr)
{
    if (!addr)
        return NULL;
    MA_STATE(mas, &p->mm, addr - 1, addr - 1);
    return mas_find_rev(&mas, 0);
}

int vma_insert(struct proc *p, struct vma *v)
{
    vma_gen++;
    int err = mtree_store_range(&p->mm, v->start, v->end - 1, v);
    if (err)
        return -SAMARA_ENOMEM;
    p->map_count++;
    return 0;
}

void vma_remove(struct proc *p, struct vma *v)
{
    vma_gen++;
    mtree_store_range(&p->mm, v->start, v->end - 1, NULL);
    p->map_count--;
    vma_free(v);
}

int vma_split(struct proc *p, struct vma *v, uint64_t addr, struct vma **upper)
{
    vma_gen++;
    if (p->map_count >= max_map_count)
        return -SAMARA_ENOMEM;
    struct vma *u = vma_alloc();
    if (!u)
        return -SAMARA_ENOMEM;
    *u = *v;
    vma_copied(u);
    u->start = addr;
    u->pgoff = v->pgoff + (addr - v->start) / PAGE_SIZE;
    if (mtree_store_range(&p->mm, addr, v->end - 1, u)) {
        vma_free(u);
        return -SAMARA_ENOMEM;
    }
    v->end = addr;
    p->map_count++;
    *upper = u;
    return 0;
}

void vma_copied(struct vma *copy)
{
    if (copy->file)
        copy->file->vmas++; /* the original holds the pin: no call needed */
    if (copy->shm)
        shmem_get(copy->shm);
}

static bool compatible(const struct vma *a, const struct vma *b)
{
    return a->end == b->start && a->prot == b->prot && a->flags == b->flags && a->ops == b->ops &&
           a->name == b->name && a->ops->mergeable(a, b) && a->shm == b->shm &&
           (!a->shm || b->pgoff == a->pgoff + (a->end - a->start) / PAGE_SIZE) &&
           !(a->flags & (VM_SPECIAL | VM_HUGETLB));
}

struct vma *vma_merge(struct proc *p, struct vma *v)
{
    vma_gen++;
    struct vma *prev = vma_prev(p, v->start);
    if (prev && compatible(prev, v) && !mtree_store_range(&p->mm, prev->start, v->end - 1, prev)) {
        prev->end = v->end;
        p->map_count--;
        vma_free(v);
        v = prev;
    }
    struct vma *next = vma_find(p, v->end);
    if (next && compatible(v, next) && !mtree_store_range(&p->mm, v->start, next->end - 1, v)) {
        v->end = next->end;
        p->map_count--;
        vma_free(next);
    }
    return v;
}

uint64_t vma_total_pages(struct proc *p)
{
    uint64_t n = 0;
    unsigned long index = 0;
    struct vma *v;
    mt_for_each(&p->mm, v, index, ~0ul) n += (v->end - v->start) / PAGE_SIZE;
    return n;
}

int vma_validate(struct proc *p)
{
    if (mt_validate(&p->mm))
        return -1;
    unsigned n = 0;
    uint64_t last_end = 0;
    unsigned long index = 0;
    struct vma *v;
    mt_for_each(&p->mm, v, index, ~0ul)
    {
        if (v->start >= v->end || (v->start | v->end) & (PAGE_SIZE - 1) || v->start < last_end)
            return -2;
        if (mtree_load(&p->mm, v->start) != v || mtree_load(&p->mm, v->end - 1) != v)
            return -3;
        last_end = v->end;
        n++;
    }
    return n == p->map_count ? 0 : -4;
}

/* Anonymous memory: zero-filled, always mergeable with its like. */
static void anon_fill(const struct vma *v, uint64_t va, uint64_t pa)
{
    (void)v;
    (void)va;
    page_zero(physmap(pa));
}

static bool anon_mergeable(const struct vma *a, const struct vma *b)
{
    (void)a;
    (void)b;
    return true;
}

const struct vma_ops vma_anon_ops = {"anon", anon_fill, anon_mergeable};

/* ELF segments from the boot image: file bytes, then zeroes (bss). Private copies. */
static void elf_fill(const struct vma *v, uint64_t va, uint64_t pa)
{
    char *page = physmap(pa);
    page_zero(page);
    uint64_t lo = va > v->file_va ? va : v->file_va;
    uint64_t hi =
        va + PAGE_SIZE < v->file_va + v->file_len ? va + PAGE_SIZE : v->file_va + v->file_len;
    if (hi > lo)
        memcpy(page + (lo - va), physmap(v->file_pa + (lo - v->file_va)), hi - lo);
}

static bool elf_mergeable(const struct vma *a, const struct vma *b)
{
    return a->file_pa == b->file_pa && a->file_va == b->file_va && a->file_len == b->file_len &&
           b->pgoff == a->pgoff + (a->end - a->start) / PAGE_SIZE;
}

const struct vma_ops vma_elf_ops = {"elf", elf_fill, elf_mergeable};

/* Files on the RAM disk: the pages are the disk's own frames (filemap.c), never filled here. */
static void file_fill(const struct vma *v, uint64_t va, uint64_t pa)
{
    (void)v;
    (void)va;
    page_zero(physmap(pa));
}

static bool file_mergeable(const struct vma *a, const struct vma *b)
{
    return a->file == b->file && b->pgoff == a->pgoff + (a->end - a->start) / PAGE_SIZE;
}

const struct vma_ops vma_file_ops = {"file", file_fill, file_mergeable};

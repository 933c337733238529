/*
 * shmem.c - shared anonymous memory: the pages of a MAP_SHARED | MAP_ANONYMOUS mapping.
 *
 * A shared anonymous mapping is an object of its own, as Linux's shmem file behind it: page
 * index -> frame, in a maple tree. Every VMA of the mapping (its parts after splits, its
 * copies in forked children, a moved mremap) holds a reference to the object, and a fault
 * anywhere maps the object's frame for that page, made (zeroed) at the first touch. So the
 * sharing holds for pages nobody had touched at fork, whatever the protection then, and a
 * huge untouched mapping costs nothing. MADV_DONTNEED drops only the mapping: the data stays
 * in the object, as on Linux. The object holds one reference on each frame, each mapping
 * another; the last VMA going frees the object and its frames.
 */
#include <string.h>

#include "pager.h"

#define SHMEM_MAX 256

static struct shmem shmems[SHMEM_MAX];

struct shmem *shmem_new(void)
{
    for (unsigned i = 0; i < SHMEM_MAX; i++) {
        struct shmem *s = &shmems[i];
        if (!s->refs) {
            memset(s, 0, sizeof(*s));
            s->refs = 1;
            s->id = i;
            mtree_init(&s->pages, 0);
            return s;
        }
    }
    return NULL;
}

void shmem_get(struct shmem *s)
{
    s->refs++;
}

void shmem_put(struct shmem *s)
{
    if (!s->refs || --s->refs)
        return;
    unsigned long index = 0;
    void *e;
    mt_for_each(&s->pages, e, index, ~0ul) frame_put((uint64_t)(uintptr_t)e & ~1ul);
    mtree_destroy(&s->pages);
}

uint64_t shmem_page(struct shmem *s, uint64_t page)
{
    void *e = mtree_load(&s->pages, page);
    if (e)
        return (uint64_t)(uintptr_t)e & ~1ul;
    uint64_t pa = frame_alloc();
    if (!pa)
        return 0;
    /* Entries carry a set low bit: the tree keeps some small aligned values to itself. */
    if (mtree_store(&s->pages, page, (void *)(uintptr_t)(pa | 1))) {
        frame_put(pa);
        return 0;
    }
    return pa;
}

struct shmem_range {
    struct shmem *s;
    uint64_t first, last; /* pages [first, last) */
};

/* Unmap the range's pages from w, if w maps them. */
static void shmem_unmap_range(struct proc *q, struct vma *w, void *ctx)
{
    const struct shmem_range *r = ctx;
    if (w->shm != r->s)
        return;
    uint64_t wfirst = w->pgoff, wlast = w->pgoff + (w->end - w->start) / PAGE_SIZE;
    uint64_t lo = wfirst > r->first ? wfirst : r->first, hi = wlast < r->last ? wlast : r->last;
    if (lo < hi)
        space_unmap(q, w->start + (lo - wfirst) * PAGE_SIZE, w->start + (hi - wfirst) * PAGE_SIZE);
}

void shmem_remove(struct vma *v, uint64_t start, uint64_t end)
{
    struct shmem *s = v->shm;
    uint64_t first = v->pgoff + (start - v->start) / PAGE_SIZE;
    uint64_t last = first + (end - start) / PAGE_SIZE;
    /* Every mapping of those pages goes first, in every process (fork shares the object). */
    struct shmem_range range = {s, first, last};
    proc_each_vma(shmem_unmap_range, &range);
    unsigned long index = first;
    void *e;
    mt_for_each(&s->pages, e, index, last - 1)
    {
        frame_put((uint64_t)(uintptr_t)e & ~1ul);
        mtree_store_range(&s->pages, index - 1, index - 1, NULL);
    }
}

/*
 * filecache.c - the pages of program files (ELF segments in the boot image), shared.
 *
 * A read-only file mapping (program text and read-only data) does not need a private copy
 * per process: the first fault on a page fills a frame from the file and keeps it here, and
 * every later fault on that page, in any process, maps the same frame read-only. The cache
 * holds one reference; each mapping holds one more. A write to such a page (after mprotect)
 * copies it first (fault.c), so the cached page never changes. The key is the physical
 * address of the page's bytes in the boot image, which is unique per file page. The file
 * server's page cache (keyed by file and page index) takes over this role later.
 */
#include "pager.h"

static struct maple_tree cache;

void filecache_init(void)
{
    mtree_init(&cache, 0); /* after node_init(): the tree takes the pager's node allocator */
}

/* The cached frame of page va of v, or 0 (nothing is filled). */
static uint64_t filecache_peek(const struct vma *v, uint64_t va)
{
    void *e = mtree_load(&cache, (v->file_pa + (va - v->file_va)) >> 12);
    return (uint64_t)(uintptr_t)e & ~1ul;
}

unsigned filecache_around(struct proc *p, const struct vma *v, uint64_t va, unsigned perms,
                          uint64_t *groups, unsigned max)
{
    static uint64_t words[FAULT_AROUND];
    uint64_t lo = va & ~(FAULT_AROUND * PAGE_SIZE - 1), hi = lo + FAULT_AROUND * PAGE_SIZE;
    lo = lo < v->start ? v->start : lo;
    hi = hi > v->end ? v->end : hi;
    if (sys4(SYS_QUERY, proc_task_slot(p), (long)lo, (long)((hi - lo) / PAGE_SIZE), (long)words))
        return 0;
    unsigned n = 0;
    for (uint64_t a = lo; a < hi && n < max; a += PAGE_SIZE) {
        uint64_t pa;
        if (a == va || words[(a - lo) / PAGE_SIZE] || !(pa = filecache_peek(v, a)))
            continue;
        frame_info(pa)->refs++;
        space_note_rss(p, 1);
        groups[4 * n] = a | perms;
        groups[4 * n + 1] = frame_cap_slot(pa);
        groups[4 * n + 2] = pa;
        groups[4 * n + 3] = 1;
        n++;
    }
    return n;
}

uint64_t filecache_get(const struct vma *v, uint64_t va)
{
    uint64_t key = (v->file_pa + (va - v->file_va)) >> 12;
    void *e = mtree_load(&cache, key);
    if (e) {
        uint64_t pa = (uint64_t)(uintptr_t)e & ~1ul;
        frame_info(pa)->refs++;
        return pa;
    }
    uint64_t pa = frame_alloc_nozero();
    if (!pa)
        return 0;
    v->ops->fill(v, va, pa);
    /* Entries carry a set low bit: the tree reserves some small and aligned values. If the
     * tree cannot take it, the page is simply this mapping's private copy. */
    if (mtree_store(&cache, key, (void *)(uintptr_t)(pa | 1)) == 0) {
        frame_cache_add(pa);
        frame_info(pa)->refs++;
    }
    return pa;
}

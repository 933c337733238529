/*
 * space.c - page-level work on a process's address space, through the kernel.
 *
 * The kernel's page table is the one record of what is mapped: SYS_UNMAP reports the frames
 * it removes (their references are dropped here), SYS_QUERY says what a range holds, and
 * SYS_MAP_BATCH installs many pages per call when a range is populated.
 */
#include <string.h>

#include "pager.h"

uint64_t space_zero_pa; /* the shared zero page: read faults on anonymous memory map it */

void space_init(void)
{
    space_zero_pa = frame_alloc();
    frame_info(space_zero_pa)->flags |= FRAME_ZERO;
}

/* Drop the references of a removed leaf; returns how many resident pages it counted for. */
static uint64_t drop_leaf(struct proc *p, uint64_t word)
{
    uint64_t pa = PAGE_W_PA(word), pages = 1ul << (9 * PAGE_W_SIZE(word));
    struct frame_meta *m = frame_info(pa);
    if (m && m->flags & FRAME_DISK) {
        p->rss_file--; /* a file page: the disk keeps it, written or not */
        if (word & PAGE_W_DIRTY && PAGE_W_PERMS(word) & MAP_PERM_W)
            m->flags |= FRAME_DIRTY;
        if (m->refs)
            m->refs--;
        return 1;
    }
    if (!m || m->flags & (FRAME_ZERO | FRAME_GRANTED))
        return 0;
    if (m->flags & FRAME_HUGE) {
        huge_put(pa);
        return 0; /* hugetlb pages are not in rss */
    }
    frame_put(pa);
    return pages;
}

void space_unmap(struct proc *p, uint64_t start, uint64_t end)
{
    static uint64_t report[2 * 256];
    while (start < end) {
        long n =
            sys5(SYS_UNMAP, proc_task_slot(p), (long)start, (long)(end - start), (long)report, 256);
        if (n <= 0)
            return;
        for (long i = 0; i < n; i++) {
            if (PAGE_W_SIZE(report[2 * i + 1]))
                p->huge_pages--;
            p->rss -= drop_leaf(p, report[2 * i + 1]);
        }
        if (n < 256)
            return;
        start = report[2 * (n - 1)] + (1ul << (12 + 9 * PAGE_W_SIZE(report[2 * n - 1])));
    }
}

void space_protect(struct proc *p, uint64_t start, uint64_t end, unsigned prot)
{
    sys4(SYS_PROTECT, proc_task_slot(p), (long)start, (long)(end - start), vma_map_perms(prot));
}

void space_note_rss(struct proc *p, uint64_t pages)
{
    p->rss += pages;
    if (p->rss > p->hwm)
        p->hwm = p->rss;
}

/*
 * Populate [start, end) of v: every page not yet there gets a frame (write) or the zero page
 * (read of anonymous memory), installed 128 pages per system call. Returns 0 or -ENOMEM.
 */
int space_populate(struct proc *p, struct vma *v, uint64_t start, uint64_t end, bool write)
{
    static uint64_t words[512];
    static uint64_t groups[4 * 128];
    unsigned perms = vma_map_perms(v->prot);
    if (v->flags & VM_HUGETLB)
        return huge_populate(p, v, start, end, false);
    if (v->file)
        return filemap_populate(p, v, start, end, write);
    while (start < end) {
        uint64_t n = (end - start) / PAGE_SIZE;
        if (n > 512)
            n = 512;
        if (sys4(SYS_QUERY, proc_task_slot(p), (long)start, (long)n, (long)words))
            return -SAMARA_ENOMEM;
        unsigned ng = 0;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t va = start + i * PAGE_SIZE, w = words[i], pa;
            unsigned pp = perms;
            bool zero = PAGE_W_PA(w) == space_zero_pa && space_zero_pa;
            if (w && !(write && zero))
                continue; /* already there (or kept by PROT_NONE) */
            if (v->shm) {
                pa = shmem_page(v->shm, v->pgoff + (va - v->start) / PAGE_SIZE);
                if (!pa) {
                    if (ng)
                        sys3(SYS_MAP_BATCH, proc_task_slot(p), (long)groups, ng);
                    return -SAMARA_ENOMEM;
                }
                frame_info(pa)->refs++;
                space_note_rss(p, 1);
            } else if (!write && v->ops == &vma_anon_ops) {
                pa = space_zero_page();
                pp &= ~MAP_PERM_W;
            } else {
                pa = v->ops == &vma_anon_ops ? frame_alloc() : frame_alloc_nozero();
                if (!pa) {
                    /* Out of frames: install what was taken so far (it is accounted). */
                    if (ng)
                        sys3(SYS_MAP_BATCH, proc_task_slot(p), (long)groups, ng);
                    return -SAMARA_ENOMEM;
                }
                if (v->ops != &vma_anon_ops)
                    v->ops->fill(v, va, pa);
                space_own_frame(p, pa, va);
            }
            uint64_t *g = &groups[4 * ng];
            if (ng && groups[4 * (ng - 1)] + groups[4 * (ng - 1) + 3] * PAGE_SIZE == (va | pp) &&
                groups[4 * (ng - 1) + 2] + groups[4 * (ng - 1) + 3] * PAGE_SIZE == pa &&
                groups[4 * (ng - 1) + 1] == frame_cap_slot(pa) && pa != space_zero_pa) {
                groups[4 * (ng - 1) + 3]++;
                continue;
            }
            g[0] = va | pp;
            g[1] = frame_cap_slot(pa);
            g[2] = pa;
            g[3] = 1;
            if (++ng == 128) {
                if (sys3(SYS_MAP_BATCH, proc_task_slot(p), (long)groups, ng))
                    return -SAMARA_ENOMEM;
                ng = 0;
            }
        }
        if (ng && sys3(SYS_MAP_BATCH, proc_task_slot(p), (long)groups, ng))
            return -SAMARA_ENOMEM;
        start += n * PAGE_SIZE;
    }
    return 0;
}

/* Resident pages of [start, end): frames mapped or kept there (the zero page not counted). */
uint64_t space_resident(struct proc *p, uint64_t start, uint64_t end, uint64_t *huge)
{
    static uint64_t words[512];
    uint64_t rss = 0;
    if (huge)
        *huge = 0;
    while (start < end) {
        uint64_t n = (end - start) / PAGE_SIZE;
        if (n > 512)
            n = 512;
        if (sys4(SYS_QUERY, proc_task_slot(p), (long)start, (long)n, (long)words))
            return rss;
        for (uint64_t i = 0; i < n; i++) {
            if (words[i] && PAGE_W_PA(words[i]) != space_zero_pa) {
                rss++;
                if (huge && PAGE_W_SIZE(words[i]))
                    (*huge)++;
            }
        }
        start += n * PAGE_SIZE;
    }
    return rss;
}

/*
 * filemap.c - faults on file mappings: pages straight from the RAM disk (pfile.c).
 *
 * A page of a mapped file is the frame of its block in the disk image, so a fault maps that
 * frame, after fault.c has checked the access against the VMA:
 *   - a read (or execute) maps it read-only, together with the file's other pages in the
 *     aligned block of fault_around_pages around it (Linux's fault-around: 16 by default,
 *     the bootarg fault_around=N sets 1, 2, 4, 8 or 16), as long as they
 *     are in the VMA, before the end of file and not mapped yet;
 *   - a MAP_SHARED mapping open for writing gets its pages writable but clean
 *     (MAP_FLAG_CLEAN: the PTE's D bit clear), for reads and writes alike and with
 *     fault-around: the hardware (or the kernel, on a core that does not) sets D at the first
 *     store, so the pager learns what was written from the page table (filemap_harvest)
 *     without a write fault per page (docs/MM.md);
 *   - a write to a MAP_PRIVATE mapping copies the page into a fresh anonymous frame (copy on
 *     write), whether or not the page was mapped read-only before;
 *   - a page wholly past the end of file is SIGBUS, as on Linux; the part of the last page
 *     past the end reads as zero (the server keeps it so, samara/fs.h);
 *   - a hole in a sparse file gets its block at the first fault (FS_BMAP_ALLOC), so that a
 *     later write() to the file lands in the page the mapping shows; a full disk is SIGBUS.
 * A fault that had to ask the file server where a page is counts as major, one the page
 * index answered as minor (/proc/<pid>/stat).
 */
#include <samara/fs.h>

#include "pager.h"

unsigned fault_around_pages = FAULT_AROUND;

/* Reply with n map groups: the first in the reply words, the others in the IPC buffer. */
static void filemap_reply(struct reply *r, const uint64_t *g, unsigned n)
{
    struct ipc_buffer *b = (struct ipc_buffer *)ROOT_IPCBUF_VA;
    for (unsigned i = 1; i < n; i++)
        for (unsigned k = 0; k < 4; k++)
            b->words[4 * i + k] = g[4 * i + k];
    r->send = true;
    r->tag = IPC_TAG(FAULT_REPLY_MAP, 4 * n);
    for (unsigned k = 0; k < 4; k++)
        r->w[k] = g[k];
}

static void filemap_group(uint64_t *g, uint64_t va, unsigned perms, uint64_t pa)
{
    static uint64_t disk_lo, disk_hi, disk_slot;
    if (!disk_hi) { /* the disk is one run of frames, under one memory capability */
        disk_lo = pfile_block_pa(0);
        disk_hi = disk_lo + fsrv_image_pages() * PAGE_SIZE;
        disk_slot = frame_cap_slot(disk_lo);
    }
    g[0] = va | perms;
    g[1] = pa >= disk_lo && pa < disk_hi ? disk_slot : frame_cap_slot(pa);
    g[2] = pa;
    g[3] = 1;
}

/* A private copy of the page at src (0: a zero page) for va; 0 when out of memory. */
static uint64_t filemap_copy(struct proc *p, uint64_t va, uint64_t src)
{
    uint64_t pa = src ? frame_alloc_nozero() : frame_alloc();
    if (!pa)
        return 0;
    if (src)
        page_copy(physmap(pa), physmap(src));
    struct frame_meta *fm = frame_info(pa);
    fm->pid = (uint16_t)p->pid;
    fm->va = va;
    return pa;
}

void filemap_fault(struct proc *p, struct vma *v, uint64_t addr, uint64_t word, uint64_t access,
                   uint64_t pc, struct reply *r)
{
    bool write = FAULT_ACCESS(access) == FAULT_WRITE;
    struct pfile *f = v->file;
    uint64_t va = addr & ~(PAGE_SIZE - 1), page = v->pgoff + (va - v->start) / PAGE_SIZE;
    bool shared = v->flags & VM_SHARED;
    unsigned perms = vma_map_perms(v->prot);
    uint64_t g[4 * FAULT_AROUND];
    if (shared && perms & MAP_PERM_W)
        perms |= MAP_FLAG_CLEAN; /* dirty tracking by the D bit */

    if (word & (PAGE_W_PRESENT | PAGE_W_RETAINED)) {
        /* Mapped with fewer rights than the VMA now gives (mprotect, a sync, a COW). */
        uint64_t pa = PAGE_W_PA(word);
        struct frame_meta *fm = frame_info(pa);
        bool disk = fm && fm->flags & FRAME_DISK;
        bool shared_frame = disk || (fm && fm->refs > 1); /* the file's, or shared by fork */
        if (shared) {
            if (word & PAGE_W_DIRTY)
                perms &= ~MAP_FLAG_CLEAN; /* written already: it stays dirty */
        } else if (write && shared_frame) {
            uint64_t copy = filemap_copy(p, va, pa);
            if (!copy)
                return fault_signal(p, FAULT_BUS_ADRERR, "out of memory", addr, pc, r);
            if (!disk)
                frame_put(pa);
            else {
                p->rss_file--; /* the file page gives way to a private copy */
                fm->refs--;
            }
            pa = copy;
        } else if (shared_frame) {
            perms &= ~MAP_PERM_W; /* a read: it stays read-only until a write copies it */
        }
        filemap_group(g, va, perms, pa);
        return filemap_reply(r, g, 1);
    }

    /* The window of pages to look up: the fault-around block for a read, the page for a write. */
    uint64_t lo = va, hi = va + PAGE_SIZE;
    if (!write || perms & MAP_FLAG_CLEAN) {
        lo = va & ~(fault_around_pages * PAGE_SIZE - 1);
        hi = lo + fault_around_pages * PAGE_SIZE;
        lo = lo < v->start ? v->start : lo;
        hi = hi > v->end ? v->end : hi;
    }
    uint64_t first = v->pgoff + (lo - v->start) / PAGE_SIZE, blocks[FAULT_AROUND];
    unsigned count = (unsigned)((hi - lo) / PAGE_SIZE), at = (unsigned)(page - first);
    bool major = false, asked;
    long n = pfile_blocks(f, first, count, false, blocks, &asked);
    major |= asked;
    if (n == -SAMARA_ENOSPC)
        return fault_signal(p, FAULT_BUS_ADRERR, "no space left on the disk", addr, pc, r);
    if (n < 0 || (unsigned long)n <= at)
        return fault_signal(p, FAULT_BUS_ADRERR, "access beyond the end of the file", addr, pc, r);
    if (!blocks[at]) {
        /* A hole: give it its block now (see above), just this page. */
        long m = pfile_blocks(f, page, 1, true, &blocks[at], &asked);
        major |= asked;
        if (m == -SAMARA_ENOSPC)
            return fault_signal(p, FAULT_BUS_ADRERR, "no space left on the disk", addr, pc, r);
        if (m < 1 || !blocks[at])
            return fault_signal(p, FAULT_BUS_ADRERR, "access beyond the end of the file", addr, pc,
                                r);
    }
    if (major) {
        p->majflt++;
        p->minflt--;
    }

    uint64_t pa = pfile_block_pa(blocks[at]);
    if (shared) {
        /* (writable and clean when the mapping may write: see above) */
    } else if (write) {
        pa = filemap_copy(p, va, pa);
        if (!pa)
            return fault_signal(p, FAULT_BUS_ADRERR, "out of memory", addr, pc, r);
    } else {
        perms &= ~MAP_PERM_W;
    }
    space_note_rss(p, 1);
    unsigned around_perms = shared ? perms : perms & ~MAP_PERM_W;
    if (!write || shared) {
        p->rss_file++;
        pfile_block_meta(blocks[at])->refs++; /* mappings of a disk page: smaps's Shared_*, Pss */
    }
    if ((write && !(perms & MAP_FLAG_CLEAN)) || count == 1) {
        filemap_group(g, va, perms, pa);
        return filemap_reply(r, g, 1);
    }
    /* What the window has mapped already: the fault message says (samara/ipc.h), else ask. */
    static uint64_t words[FAULT_AROUND];
    uint64_t present = FAULT_NEIGHBOURS(access) >> ((lo / PAGE_SIZE) % FAULT_WINDOW);
    if (!(access & FAULT_NEIGHBOURS_KNOWN)) {
        present = 0;
        if (sys4(SYS_QUERY, proc_task_slot(p), (long)lo, (long)count, (long)words)) {
            filemap_group(g, va, perms, pa);
            return filemap_reply(r, g, 1);
        }
        for (unsigned i = 0; i < count; i++)
            present |= (uint64_t)(words[i] != 0) << i;
    }
    /*
     * Fault-around: the page and the window's other known pages that nothing maps yet, in
     * address order, consecutive blocks at consecutive addresses in one group (the kernel
     * maps a run of frames at once), as a file written in order mostly is.
     */
    unsigned ng = 0, around = 0;
    uint64_t disk = pfile_block_pa(0), *last = g;
    for (unsigned i = 0; i < (unsigned)n; i++) {
        if (i != at && (!blocks[i] || (present >> i & 1)))
            continue;
        uint64_t bpa = disk + blocks[i] * PAGE_SIZE, a = lo + i * PAGE_SIZE;
        if (i != at) {
            pfile_block_meta(blocks[i])->refs++;
            around++;
        }
        /* (the disk is one run of frames under one memory capability) */
        unsigned pp = i == at ? perms : around_perms;
        if (ng && last[0] + last[3] * PAGE_SIZE == (a | pp) &&
            last[2] + last[3] * PAGE_SIZE == bpa) {
            last[3]++;
            continue;
        }
        last = &g[4 * ng++];
        filemap_group(last, a, pp, bpa);
    }
    space_note_rss(p, around);
    p->rss_file += around;
    filemap_reply(r, g, ng);
}

int filemap_populate(struct proc *p, struct vma *v, uint64_t start, uint64_t end, bool write)
{
    static uint64_t words[FS_BMAP_MAX], groups[4 * FS_BMAP_MAX];
    uint64_t blocks[FS_BMAP_MAX];
    bool shared = v->flags & VM_SHARED, major;
    unsigned perms = vma_map_perms(v->prot);
    if (!shared)
        perms &= ~MAP_PERM_W; /* private pages are copied by the write fault, later */
    else if (perms & MAP_PERM_W)
        perms |= MAP_FLAG_CLEAN; /* dirty tracking by the D bit */
    (void)write;
    while (start < end) {
        uint64_t first = v->pgoff + (start - v->start) / PAGE_SIZE;
        unsigned count = (end - start) / PAGE_SIZE > FS_BMAP_MAX
                             ? FS_BMAP_MAX
                             : (unsigned)((end - start) / PAGE_SIZE);
        long n = pfile_blocks(v->file, first, count, true, blocks, &major);
        if (n <= 0)
            return n == -SAMARA_ENOSPC ? -SAMARA_ENOMEM : 0; /* past the end: nothing more */
        if (sys4(SYS_QUERY, proc_task_slot(p), (long)start, n, (long)words))
            return -SAMARA_ENOMEM;
        unsigned ng = 0;
        for (unsigned i = 0; i < (unsigned)n; i++) {
            if (words[i] || !blocks[i])
                continue;
            filemap_group(&groups[4 * ng++], start + i * PAGE_SIZE, perms,
                          pfile_block_pa(blocks[i]));
            pfile_block_meta(blocks[i])->refs++;
            if (write && shared)
                pfile_block_meta(blocks[i])->flags |= FRAME_DIRTY;
        }
        if (ng && sys3(SYS_MAP_BATCH, proc_task_slot(p), (long)groups, ng))
            return -SAMARA_ENOMEM;
        space_note_rss(p, ng);
        p->rss_file += ng;
        if ((unsigned)n < count)
            return 0;
        start += (uint64_t)n * PAGE_SIZE;
    }
    return 0;
}

bool filemap_harvest(struct proc *p, uint64_t lo, uint64_t hi, unsigned prot, bool clean)
{
    static uint64_t words[512];
    bool any = false;
    while (lo < hi) {
        uint64_t n = (hi - lo) / PAGE_SIZE > 512 ? 512 : (hi - lo) / PAGE_SIZE;
        if (sys4(SYS_QUERY, proc_task_slot(p), (long)lo, (long)n, (long)words))
            return any;
        bool dirty = false;
        for (uint64_t i = 0; i < n; i++) {
            if (!(words[i] & PAGE_W_DIRTY))
                continue;
            struct frame_meta *fm = frame_info(PAGE_W_PA(words[i]));
            if (fm && fm->flags & FRAME_DISK) {
                fm->flags |= FRAME_DIRTY;
                dirty = true;
            }
        }
        if (dirty && clean)
            sys4(SYS_PROTECT, proc_task_slot(p), (long)lo, (long)(n * PAGE_SIZE),
                 (long)(vma_map_perms(prot) | MAP_PERM_CLEAN));
        any |= dirty;
        lo += n * PAGE_SIZE;
    }
    return any;
}

/*
 * pfile.c - the files the pager maps: one object per inode, its page index, its pins.
 *
 * File pages are not copied anywhere. The RAM disk's image sits in frames the pager gave the
 * file server (fsrv.c), and ext2 with 4 KiB blocks puts every page of a file in one block, so
 * a file page *is* a frame: the pager asks the server where the page's block is (FS_BMAP)
 * and maps that frame, as Linux's DAX does for persistent memory. read() and write() in the
 * server touch the same frames, so mappings and file calls are coherent by construction, and
 * "writing back" a shared page costs no copy (docs/MM.md, "File pages").
 *
 * A struct pfile stands for one inode (number and generation: a reused inode number gets a
 * new generation, so a stale object is never taken for a new file). It keeps:
 *   - the page index: page -> block, learnt from FS_BMAP answers and kept in a maple tree as
 *     runs (a range of pages whose blocks are consecutive stores one entry, block - page), so
 *     a fault on a known page asks nobody (a minor fault) and one on an unknown page asks the
 *     server (a major fault);
 *   - the size the pager last heard (it only errs on the small side: files shrink only
 *     through the pager, FS_TRUNCATE, and a page past it is asked about before SIGBUS);
 *   - how many VMAs map it: while any does, the server holds the inode pinned (FS_PIN), so
 *     its blocks stay allocated even if the file is unlinked;
 *   - whether a shared mapping wrote it since the last sync.
 * Objects no VMA uses stay as a cache of page indexes, the least recently used one recycled
 * when the table is full.
 */
#include <stdio.h>
#include <string.h>

#include <samara/fs.h>

#include "pager.h"

#define PFILE_MAX 64

static struct pfile pfiles[PFILE_MAX];
static uint64_t pfile_clock;

/* ---- calls to the file server ------------------------------------------------------------ */

static struct ipc_buffer *pfile_ipcbuf(void)
{
    return (struct ipc_buffer *)ROOT_IPCBUF_VA;
}

/* A call on the server's endpoint with badge 0 (the pager); the result word or -errno. */
static long pfile_call(unsigned label, unsigned words, uint64_t w0, uint64_t w1, uint64_t w2,
                       uint64_t w3, struct ipc_msg *out)
{
    if (!fsrv_running)
        return -SAMARA_ENOENT; /* no server (yet, or any more): nobody would answer */
    struct ipc_msg m = ipc_call(SLOT_FS_EP, IPC_TAG(label, words), w0, w1, w2, w3);
    if (out)
        *out = m;
    return m.err ? m.err : (long)m.w[0];
}

/* ---- the object table -------------------------------------------------------------------- */

static struct pfile *pfile_find(uint32_t ino, uint32_t gen)
{
    for (unsigned i = 0; i < PFILE_MAX; i++)
        if (pfiles[i].ino == ino && pfiles[i].gen == gen)
            return &pfiles[i];
    return NULL;
}

/* Forget the page index of pages >= first (a run reaching below first keeps its lower part). */
static void pfile_forget(struct pfile *f, uint64_t first)
{
    f->run_lo = 1;
    f->run_hi = 0; /* the cached run may be cut */
    /* Blocks the server frees may serve another file next: no dirty mark goes with them. */
    MA_STATE(mas, &f->blocks, first, ~0ul);
    void *e;
    mas_for_each(&mas, e, ~0ul)
    {
        uint64_t delta = (uint64_t)((int64_t)(uintptr_t)e >> 1);
        for (uint64_t page = mas.index < first ? first : mas.index; page <= mas.last; page++)
            pfile_block_meta(page + delta)->flags &= ~FRAME_DIRTY;
    }
    mtree_store_range(&f->blocks, first, ~0ul, NULL);
}

/* The object for (ino, gen), made if needed; NULL when every object is in use. */
static struct pfile *pfile_obtain(uint32_t ino, uint32_t gen, uint64_t size, unsigned mode,
                                  const char *path)
{
    struct pfile *f = pfile_find(ino, gen), *victim = NULL;
    if (!f) {
        for (unsigned i = 0; i < PFILE_MAX; i++) {
            struct pfile *c = &pfiles[i];
            if (c->vmas)
                continue;
            if (!c->ino) {
                victim = c;
                break;
            }
            if (!victim || c->used < victim->used)
                victim = c;
        }
        if (!victim)
            return NULL;
        f = victim;
        if (f->ino)
            mtree_destroy(&f->blocks);
        memset(f, 0, sizeof(*f));
        f->run_lo = 1; /* no run cached */
        f->ino = ino;
        f->gen = gen;
        mtree_init(&f->blocks, 0);
    }
    f->size = size;
    f->mode = mode;
    if (path && path[0]) {
        strncpy(f->path, path, sizeof(f->path) - 1);
        f->path[sizeof(f->path) - 1] = 0;
    }
    f->used = ++pfile_clock;
    return f;
}

long pfile_from_fd(struct proc *p, int fd, struct pfile **out, unsigned *oflags)
{
    struct ipc_msg m;
    long err = pfile_call(FS_FDINFO, 2, (uint64_t)p->pid, (uint64_t)(uint32_t)fd, 0, 0, &m);
    if (err < 0)
        return err;
    char path[PFILE_PATH];
    const char *d = (const char *)&pfile_ipcbuf()->words[IPC_REG_WORDS];
    unsigned n = IPC_TAG_LEN(m.tag) > IPC_REG_WORDS ? (IPC_TAG_LEN(m.tag) - IPC_REG_WORDS) * 8 : 0;
    if (n > sizeof(path) - 1)
        n = sizeof(path) - 1;
    memcpy(path, d, n);
    path[n] = 0;
    *oflags = (unsigned)(uint32_t)m.w[3];
    struct pfile *f = pfile_obtain((uint32_t)m.w[1], (uint32_t)(m.w[1] >> 32), m.w[2],
                                   (unsigned)(m.w[3] >> 32), path);
    if (!f)
        return -SAMARA_ENOMEM;
    *out = f;
    return 0;
}

long pfile_from_path(const char *path, struct pfile **out)
{
    size_t n = strlen(path) + 1;
    if (n > FS_DATA_MAX)
        return -SAMARA_ENOENT;
    memcpy(&pfile_ipcbuf()->words[IPC_REG_WORDS], path, n);
    struct ipc_msg m;
    long err = pfile_call(FS_LOOKUP, IPC_REG_WORDS + (unsigned)((n + 7) / 8), n, 0, 0, 0, &m);
    if (err < 0)
        return err;
    struct pfile *f =
        pfile_obtain((uint32_t)m.w[1], (uint32_t)(m.w[1] >> 32), m.w[2], (unsigned)m.w[3], path);
    if (!f)
        return -SAMARA_ENOMEM;
    *out = f;
    return 0;
}

long pfile_vma_get(struct pfile *f)
{
    if (f->vmas == 0) {
        long err = pfile_call(FS_PIN, 2, f->ino, f->gen, 0, 0, NULL);
        if (err < 0)
            return err;
    }
    f->vmas++;
    return 0;
}

void pfile_vma_put(struct pfile *f)
{
    if (f->vmas && --f->vmas == 0) {
        pfile_sync(f);
        pfile_call(FS_UNPIN, 1, f->ino, 0, 0, 0, NULL);
    }
}

/* ---- the page index ---------------------------------------------------------------------- */

/* Index entries: (block - page) << 1 | 1 (the tree keeps small aligned values to itself). */

static void pfile_learn(struct pfile *f, uint64_t first, const uint64_t *blocks, unsigned n)
{
    unsigned i = 0;
    while (i < n) {
        if (!blocks[i]) {
            i++;
            continue;
        }
        unsigned j = i + 1;
        while (j < n && blocks[j] == blocks[i] + (j - i))
            j++;
        uint64_t delta = (blocks[i] - (first + i)) << 1 | 1;
        /* Out of tree nodes: the page is simply asked about again next time. */
        mtree_store_range(&f->blocks, first + i, first + j - 1, (void *)(uintptr_t)delta);
        i = j;
    }
}

/*
 * Learn the layout of f from page first on, FS_EXTENTS_MAX pages (or count if more) in one
 * call, and fill blocks[] for the window [first, first + count). Returns the pages of the
 * window before the end of file, -errno, or -EAGAIN when the answer's runs ran out before
 * the window's end (a fragmented file: the caller asks page by page).
 */
static long pfile_extents(struct pfile *f, uint64_t first, unsigned count, uint64_t *blocks)
{
    struct ipc_msg m;
    long done = pfile_call(FS_EXTENTS, 3, f->ino, first, FS_EXTENTS_MAX, 0, &m);
    if (done < 0)
        return done;
    if ((uint32_t)m.w[2] != f->gen)
        return -SAMARA_ENOENT; /* the inode is another file now */
    f->size = m.w[1];
    const uint64_t *run = &pfile_ipcbuf()->words[IPC_REG_WORDS];
    unsigned runs =
        IPC_TAG_LEN(m.tag) > IPC_REG_WORDS ? (IPC_TAG_LEN(m.tag) - IPC_REG_WORDS) / 2 : 0;
    uint64_t page = first;
    for (unsigned k = 0; k < runs; k++) {
        uint64_t block = run[2 * k], n = run[2 * k + 1];
        if (block) /* out of tree nodes: the run is simply asked about again */
            mtree_store_range(&f->blocks, page, page + n - 1,
                              (void *)(uintptr_t)((block - page) << 1 | 1));
        for (uint64_t i = 0; i < n && page + i < first + count; i++)
            blocks[page + i - first] = block ? block + i : 0;
        page += n;
    }
    if ((uint64_t)done >= count)
        return count;
    uint64_t pages = (f->size + PAGE_SIZE - 1) / PAGE_SIZE;
    return first + (uint64_t)done < pages ? -SAMARA_EAGAIN : done;
}

long pfile_blocks(struct pfile *f, uint64_t first, unsigned count, bool alloc, uint64_t *blocks,
                  bool *major)
{
    *major = false;
    uint64_t pages = (f->size + PAGE_SIZE - 1) / PAGE_SIZE;
    if (!alloc && first + count <= pages && first >= f->run_lo && first + count - 1 <= f->run_hi) {
        /* The run the last lookup found (faults mostly go through a file in order). */
        for (unsigned i = 0; i < count; i++)
            blocks[i] = first + i + f->run_delta;
        return count;
    }
    if (!alloc && first + count <= pages) {
        /* The index: one walk per run of consecutive blocks, not one per page. */
        MA_STATE(mas, &f->blocks, first, first);
        unsigned i = 0;
        while (i < count) {
            mas_set(&mas, first + i);
            void *e = mas_walk(&mas);
            if (!e)
                break;
            uint64_t delta = (uint64_t)((int64_t)(uintptr_t)e >> 1);
            f->run_lo = mas.index;
            f->run_hi = mas.last;
            f->run_delta = delta;
            for (; i < count && first + i <= mas.last; i++)
                blocks[i] = first + i + delta;
        }
        if (i == count)
            return count;
    }
    if (!alloc) {
        long n = pfile_extents(f, first, count, blocks);
        *major = true;
        if (n != -SAMARA_EAGAIN)
            return n;
    }
    if (count > FS_BMAP_MAX)
        count = FS_BMAP_MAX;
    struct ipc_msg m;
    long n = pfile_call(FS_BMAP, 4, f->ino, first, count, alloc ? FS_BMAP_ALLOC : 0, &m);
    if (n < 0 && n != -SAMARA_ENOSPC)
        return n;
    if ((uint32_t)m.w[2] != f->gen)
        return -SAMARA_ENOENT; /* the inode is another file now */
    *major = true;
    f->size = m.w[1];
    if (n < 0)
        return n;
    if (n > count)
        n = count;
    memcpy(blocks, &pfile_ipcbuf()->words[IPC_REG_WORDS], (size_t)n * 8);
    pfile_learn(f, first, blocks, (unsigned)n);
    return n;
}

uint64_t pfile_block_pa(uint64_t block)
{
    return fsrv_image_pa() + block * PAGE_SIZE;
}

struct frame_meta *pfile_block_meta(uint64_t block)
{
    /* The disk is one run of frames, so its metadata is one run too (checked once). */
    static struct frame_meta *base;
    static int contiguous = -1;
    if (contiguous < 0) {
        base = frame_info(fsrv_image_pa());
        uint64_t last = fsrv_image_pages() - 1;
        contiguous = base && frame_info(pfile_block_pa(last)) == base + last;
    }
    return contiguous ? base + block : frame_info(pfile_block_pa(block));
}

/* ---- mappings of a file across processes -------------------------------------------------- */

/*
 * Call fn(p, v, lo, hi) for every VMA of f in every process, with [lo, hi) the part of it
 * holding file pages >= first.
 */
struct pfile_each {
    struct pfile *f;
    uint64_t first;
    bool shared_only;
    void (*fn)(struct proc *p, struct vma *v, uint64_t lo, uint64_t hi, void *ctx);
    void *ctx;
};

static void pfile_each_one(struct proc *p, struct vma *v, void *ctx)
{
    const struct pfile_each *e = ctx;
    if (v->file != e->f || (e->shared_only && !(v->flags & VM_SHARED)))
        return;
    uint64_t pages = (v->end - v->start) / PAGE_SIZE;
    if (v->pgoff + pages <= e->first)
        return;
    uint64_t lo = e->first > v->pgoff ? v->start + (e->first - v->pgoff) * PAGE_SIZE : v->start;
    e->fn(p, v, lo, v->end, e->ctx);
}

static void pfile_each_vma(struct pfile *f, uint64_t first, bool shared_only,
                           void (*fn)(struct proc *p, struct vma *v, uint64_t lo, uint64_t hi,
                                      void *ctx),
                           void *ctx)
{
    struct pfile_each e = {f, first, shared_only, fn, ctx};
    proc_each_vma(pfile_each_one, &e);
}

static void pfile_zap(struct proc *p, struct vma *v, uint64_t lo, uint64_t hi, void *ctx)
{
    (void)v;
    (void)ctx;
    space_unmap(p, lo, hi);
}

void pfile_sync(struct pfile *f)
{
    /*
     * The pages are in the image already; what is left of write-back is the bookkeeping:
     * which pages were written (the D bits of every shared mapping, and the marks left by
     * mappings since gone), cleaning them so that the next store shows, and the server's
     * times when anything was.
     */
    bool dirty = pfile_harvest(f, true);
    MA_STATE(mas, &f->blocks, 0, ~0ul);
    void *e;
    mas_for_each(&mas, e, ~0ul)
    {
        uint64_t delta = (uint64_t)((int64_t)(uintptr_t)e >> 1);
        for (uint64_t page = mas.index; page <= mas.last; page++) {
            struct frame_meta *fm = pfile_block_meta(page + delta);
            dirty |= (fm->flags & FRAME_DIRTY) != 0;
            fm->flags &= ~FRAME_DIRTY;
        }
    }
    if (dirty)
        pfile_call(FS_SYNC, 2, f->ino, f->gen, 0, 0, NULL);
}

long pfile_truncate(struct proc *p, int fd, uint64_t size)
{
    struct pfile *f;
    unsigned oflags;
    long err = pfile_from_fd(p, fd, &f, &oflags);
    if (err)
        return err;
    uint64_t keep = (size + PAGE_SIZE - 1) / PAGE_SIZE;
    if (size < f->size) {
        /* No mapping may keep a block the server is about to free. */
        pfile_each_vma(f, keep, false, pfile_zap, NULL);
        pfile_forget(f, keep);
    }
    err = pfile_call(FS_TRUNCATE, 3, (uint64_t)p->pid, (uint64_t)(uint32_t)fd, size, 0, NULL);
    if (err < 0)
        return err;
    f->size = size;
    return 0;
}

long pfile_fsync(struct proc *p, int fd)
{
    struct pfile *f;
    unsigned oflags;
    long err = pfile_from_fd(p, fd, &f, &oflags);
    if (err)
        return err;
    pfile_sync(f); /* FS_FDINFO has checked the descriptor: EBADF */
    return 0;
}

void pfile_proc_exit(struct proc *p)
{
    pfile_call(FS_EXIT, 1, (uint64_t)p->pid, 0, 0, 0, NULL);
}

long pfile_fork(struct proc *parent, struct proc *child)
{
    long err = pfile_call(FS_FORK, 2, (uint64_t)parent->pid, (uint64_t)child->pid, 0, 0, NULL);
    /* No server, or one without descriptors for the parent: nothing to copy. */
    return err == -SAMARA_ENOMEM ? err : 0;
}

bool pfile_deleted(struct pfile *f)
{
    return pfile_call(FS_NLINK, 2, f->ino, f->gen, 0, 0, NULL) == 0;
}

/* What pfile_harvest asks of each shared mapping, and learns. */
struct pfile_harvest_ctx {
    bool clean, dirty;
};

static void pfile_harvest_vma(struct proc *p, struct vma *v, uint64_t lo, uint64_t hi, void *ctx)
{
    struct pfile_harvest_ctx *h = ctx;
    if (v->prot & VP_WRITE)
        h->dirty |= filemap_harvest(p, lo, hi, v->prot, h->clean);
}

bool pfile_harvest(struct pfile *f, bool clean)
{
    struct pfile_harvest_ctx h = {clean, false};
    pfile_each_vma(f, 0, true, pfile_harvest_vma, &h);
    return h.dirty;
}

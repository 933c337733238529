/*
 * mincore.c - mincore(2): which pages of a range are in memory.
 *
 * As Linux's: a page is resident when it is mapped here (a frame, the zero page, or one kept
 * under PROT_NONE), and an unmapped page of a shared anonymous mapping or of a file when its
 * object holds it (the shmem object's page; a file block, which on the RAM disk is memory).
 * A page of private anonymous memory never touched is not. One call answers at most
 * MINCORE_CHUNK pages of one VMA (PAGER_MINCORE, samara/pager.h); the C library loops and
 * copies each answer into the caller's vector, whose range is checked first so that a bad
 * vector is EFAULT, not a fault in the library.
 */
#include <string.h>

#include <samara/fs.h>

#include "pager.h"

/* Whether [va, va + len) lies in writable VMAs of p. */
static bool range_writable(struct proc *p, uint64_t va, uint64_t len)
{
    uint64_t end = va + len;
    while (va < end) {
        struct vma *v = vma_find(p, va);
        if (!v || !(v->prot & VP_WRITE))
            return false;
        va = v->end;
    }
    return true;
}

/* Residency of the unmapped pages of a file VMA: a block before the end of file. */
static void file_pages(struct vma *v, uint64_t start, unsigned n, uint8_t *out)
{
    uint64_t first = v->pgoff + (start - v->start) / PAGE_SIZE, blocks[FS_BMAP_MAX];
    for (unsigned i = 0; i < n; i += FS_BMAP_MAX) {
        unsigned count = n - i < FS_BMAP_MAX ? n - i : FS_BMAP_MAX;
        bool asked;
        long got = pfile_blocks(v->file, first + i, count, false, blocks, &asked);
        for (unsigned k = 0; k < count; k++)
            if (!out[i + k])
                out[i + k] = got > 0 && k < (unsigned long)got && blocks[k] != 0;
    }
}

void do_mincore(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    uint64_t start = m->w[0], len = m->w[1], vec = m->w[2];
    /* Linux's order: the start's alignment, the range, then the vector. */
    if (start & (PAGE_SIZE - 1))
        return reply_value(r, -SAMARA_EINVAL);
    if (len > task_size || start > task_size - len)
        return reply_value(r, -SAMARA_ENOMEM);
    uint64_t pages = (len >> 12) + ((len & (PAGE_SIZE - 1)) != 0);
    if (vec > task_size || pages > task_size - vec)
        return reply_value(r, -SAMARA_EFAULT);
    if (!pages)
        return reply_value(r, 0);
    struct vma *v = vma_find(p, start);
    if (!v)
        return reply_value(r, -SAMARA_ENOMEM);
    uint64_t in_vma = (v->end - start) / PAGE_SIZE;
    unsigned n = (unsigned)(pages < in_vma ? pages : in_vma);
    if (n > MINCORE_CHUNK)
        n = MINCORE_CHUNK;

    /* Made here and copied into the IPC buffer last: asking the file server uses it. */
    static uint8_t out[MINCORE_CHUNK];
    static uint64_t words[MINCORE_CHUNK];
    if (sys4(SYS_QUERY, proc_task_slot(p), (long)start, (long)n, (long)words))
        memset(words, 0, n * sizeof(words[0]));
    for (unsigned i = 0; i < n; i++) {
        out[i] = words[i] != 0; /* mapped: a frame, the zero page, or kept under PROT_NONE */
        if (!out[i] && v->shm)
            out[i] =
                mtree_load(&v->shm->pages, v->pgoff + (start - v->start) / PAGE_SIZE + i) != NULL;
    }
    if (v->file)
        file_pages(v, start, n, out);
    if (!range_writable(p, vec, n))
        return reply_value(r, -SAMARA_EFAULT);
    struct ipc_buffer *b = (struct ipc_buffer *)ROOT_IPCBUF_VA;
    memcpy(&b->words[IPC_REG_WORDS], out, n);
    r->send = true;
    r->tag = IPC_TAG(0, IPC_REG_WORDS + (n + 7) / 8);
    r->w[0] = n;
}

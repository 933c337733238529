/*
 * pager.c - the pager's requests (samara/fs.h, badge 0 only; main.c refuses the others with
 * EPERM). The pager maps file pages straight from the RAM disk's frames, so it asks where a
 * file's pages are (FS_BMAP), what a program's descriptor names (FS_FDINFO) or a path names
 * (FS_LOOKUP), keeps mapped inodes alive (FS_PIN/FS_UNPIN), truncates on a program's behalf
 * after unmapping what the new size cuts off (FS_TRUNCATE), reports written pages (FS_SYNC)
 * and process ends (FS_EXIT).
 *
 * An inode is named by (ino, generation): ext2 gives every allocation a fresh generation, so
 * a stale pair is ENOENT even when the number has been reused.
 */
#include <string.h>

#include "server.h"

/* Inode @ino, in use, with generation @gen (any when @check is false). Return: 0, -ENOENT. */
static long pager_inode(uint64_t ino, uint64_t gen, bool check, struct ext2_stat *st)
{
    if (ino == 0 || ino > UINT32_MAX || ext2_stat(&fs, (uint32_t)ino, st) != 0)
        return -ENOENT;
    if (check && st->generation != (uint32_t)gen)
        return -ENOENT;
    return 0;
}

void fs_bmap(const struct fs_msg *m, struct fs_reply *r)
{
    struct ext2_stat st;
    uint32_t blocks[FS_BMAP_MAX];
    long err = pager_inode(m->w[0], 0, false, &st);
    if (!err && (m->w[2] > FS_BMAP_MAX || (m->w[3] & ~(uint64_t)FS_BMAP_ALLOC)))
        err = -EINVAL;
    if (err) {
        fs_error(r, err);
        return;
    }
    int64_t n = ext2_page_map(&fs, (uint32_t)m->w[0], m->w[1], (uint32_t)m->w[2],
                              (m->w[3] & FS_BMAP_ALLOC) != 0, blocks);
    if (n == -EBADF)
        n = -ENOENT;
    ext2_stat(&fs, (uint32_t)m->w[0], &st); /* the size and generation after allocation */
    uint64_t *w = &ipc_buffer()->words[IPC_REG_WORDS];
    for (int64_t i = 0; i < n; i++)
        w[i] = blocks[i];
    *r = (struct fs_reply){IPC_REG_WORDS + (unsigned)(n > 0 ? n : 0),
                           {(uint64_t)n, st.size, st.generation, 0}};
}

void fs_fdinfo(const struct fs_msg *m, struct fs_reply *r)
{
    struct fs_client *c = m->w[0] <= UINT32_MAX ? client_lookup((uint32_t)m->w[0], false) : NULL;
    struct fs_open *f = client_fd(c, m->w[1]);
    struct ext2_stat st;
    if (!f || ext2_stat(&fs, f->ino, &st) != 0) {
        fs_error(r, -EBADF);
        return;
    }
    size_t n = strlen(f->path) + 1;
    memcpy(fs_data(), f->path, n);
    uint64_t flags = f->flags & (FS_O_ACCMODE | FS_O_APPEND);
    *r = (struct fs_reply){
        IPC_REG_WORDS + (unsigned)((n + 7) / 8),
        {0, st.ino | (uint64_t)st.generation << 32, st.size, flags | (uint64_t)st.mode << 32}};
}

void fs_lookup(const struct fs_msg *m, struct fs_reply *r)
{
    char path[FS_DATA_MAX];
    uint32_t ino = 0;
    struct ext2_stat st;
    long err = fs_path(m, path, m->w[0]);
    if (!err)
        err = ext2_lookup(&fs, path, &ino);
    if (!err)
        err = ext2_stat(&fs, ino, &st);
    if (err) {
        fs_error(r, err);
        return;
    }
    *r = (struct fs_reply){4, {0, st.ino | (uint64_t)st.generation << 32, st.size, st.mode}};
}

void fs_pin(const struct fs_msg *m, struct fs_reply *r)
{
    struct ext2_stat st;
    long err = pager_inode(m->w[0], m->w[1], true, &st);
    fs_error(r, err ? err : node_get((uint32_t)m->w[0], true));
}

void fs_unpin(const struct fs_msg *m, struct fs_reply *r)
{
    fs_error(r, m->w[0] <= UINT32_MAX ? node_put((uint32_t)m->w[0], true) : -ENOENT);
}

/*
 * ftruncate for process w0's descriptor w1, in Linux's order: EINVAL for a negative size,
 * EBADF, EINVAL unless a regular file open for writing (a directory opens only read-only),
 * then ext2_truncate's EFBIG, ENOSPC, EUCLEAN.
 */
void fs_truncate(const struct fs_msg *m, struct fs_reply *r)
{
    struct fs_client *c = m->w[0] <= UINT32_MAX ? client_lookup((uint32_t)m->w[0], false) : NULL;
    struct fs_open *f = client_fd(c, m->w[1]);
    struct ext2_stat st;
    long err = (int64_t)m->w[2] < 0 ? -EINVAL : f ? ext2_stat(&fs, f->ino, &st) : -EBADF;
    if (!err &&
        ((st.mode & EXT2_S_IFMT) != EXT2_S_IFREG || (f->flags & FS_O_ACCMODE) == FS_O_RDONLY))
        err = -EINVAL;
    if (!err)
        err = ext2_truncate(&fs, f->ino, m->w[2]);
    fs_error(r, err);
}

void fs_sync(const struct fs_msg *m, struct fs_reply *r)
{
    struct ext2_stat st;
    long err = pager_inode(m->w[0], m->w[1], true, &st);
    fs_error(r, err ? err : ext2_touch(&fs, (uint32_t)m->w[0]));
}

void fs_exit(const struct fs_msg *m, struct fs_reply *r)
{
    if (m->w[0] && m->w[0] <= UINT32_MAX)
        client_exit((uint32_t)m->w[0]);
    fs_error(r, 0);
}

void fs_fork(const struct fs_msg *m, struct fs_reply *r)
{
    bool ok = m->w[0] && m->w[0] <= UINT32_MAX && m->w[1] && m->w[1] <= UINT32_MAX;
    fs_error(r, ok ? client_fork((uint32_t)m->w[0], (uint32_t)m->w[1]) : -EINVAL);
}

/* The link count of inode w0 (0: unlinked, kept for its references), for "(deleted)". */
void fs_nlink(const struct fs_msg *m, struct fs_reply *r)
{
    struct ext2_stat st;
    long err = pager_inode(m->w[0], m->w[1], true, &st);
    fs_error(r, err ? err : (long)st.links);
}

/*
 * The pages of inode w0 from page w1 on, at most w2 of them, as runs of consecutive blocks
 * (a hole is a run of block 0), so that one answer maps a file written in order: words 4..
 * hold {first block, pages} pairs, at most FS_EXTENTS_RUNS of them.
 */
void fs_extents(const struct fs_msg *m, struct fs_reply *r)
{
    struct ext2_stat st;
    long err = pager_inode(m->w[0], 0, false, &st);
    if (!err && m->w[2] > FS_EXTENTS_MAX)
        err = -EINVAL;
    if (err) {
        fs_error(r, err);
        return;
    }
    struct ext2_run runs[FS_EXTENTS_RUNS];
    unsigned nruns = 0;
    int64_t done =
        ext2_page_runs(&fs, (uint32_t)m->w[0], m->w[1], m->w[2], runs, FS_EXTENTS_RUNS, &nruns);
    if (done < 0) {
        fs_error(r, done == -EBADF ? -ENOENT : done);
        return;
    }
    uint64_t *w = &ipc_buffer()->words[IPC_REG_WORDS];
    for (unsigned i = 0; i < nruns; i++) {
        w[2 * i] = runs[i].block;
        w[2 * i + 1] = runs[i].pages;
    }
    unsigned runs_n = nruns;
    *r = (struct fs_reply){IPC_REG_WORDS + 2 * runs_n, {(uint64_t)done, st.size, st.generation, 0}};
}

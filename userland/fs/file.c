/*
 * file.c - the programs' requests (samara/fs.h): open, close, read, write, fstat, stat,
 * unlink, mkdir, rmdir, rename, getdents, fsync; ftruncate is refused (EPERM), as is
 * FS_O_TRUNC: a file's size shrinks only through the pager (FS_TRUNCATE), which first unmaps
 * the pages past the new end.
 */
#include <string.h>

#include "server.h"

/*
 * Split path into its parent directory (resolved into *dir) and last component, copied to
 * name. Trailing slashes are ignored. Return: 0, -EINVAL (the root itself), -ENAMETOOLONG and
 * ext2_lookup's errors for the parent.
 */
static long fs_parent(char *path, uint32_t *dir, char *name)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        path[--n] = 0;
    char *slash = strrchr(path, '/');
    size_t len = strlen(slash + 1);
    if (len == 0)
        return -EINVAL;
    if (len > EXT2_NAME_MAX)
        return -ENAMETOOLONG;
    memcpy(name, slash + 1, len + 1);
    if (slash == path)
        return ext2_lookup(&fs, "/", dir);
    *slash = 0;
    long err = ext2_lookup(&fs, path, dir);
    *slash = '/';
    return err;
}

void fs_open(const struct fs_msg *m, struct fs_reply *r)
{
    char path[FS_DATA_MAX], name[EXT2_NAME_MAX + 1];
    uint32_t flags = (uint32_t)m->w[1], acc = flags & FS_O_ACCMODE, ino = 0;
    long err = fs_path(m, path, m->w[0]);
    if (!err && acc == 3)
        err = -EINVAL;
    if (!err && (flags & FS_O_TRUNC))
        err = -FS_EPERM; /* through the pager: PAGER_FTRUNCATE */
    struct fs_client *c = err ? NULL : client_lookup(m->pid, true);
    if (!err && !c)
        err = m->pid ? -FS_ENFILE : -FS_EPERM; /* every table taken; the pager opens nothing */
    if (!err)
        err = ext2_lookup(&fs, path, &ino);
    if (err == -ENOENT && (flags & FS_O_CREAT)) {
        uint32_t dir;
        err = fs_parent(path, &dir, name);
        if (!err)
            err = ext2_create(&fs, dir, name, (uint32_t)m->w[2] & 07777, &ino);
    } else if (!err && (flags & (FS_O_CREAT | FS_O_EXCL)) == (FS_O_CREAT | FS_O_EXCL)) {
        err = -EEXIST;
    }
    struct ext2_stat st = {0};
    if (!err)
        err = ext2_stat(&fs, ino, &st);
    if (!err) {
        bool is_dir = (st.mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
        if (is_dir && acc != FS_O_RDONLY)
            err = -EISDIR;
        else if (!is_dir && (flags & FS_O_DIRECTORY))
            err = -ENOTDIR;
    }
    long fd = err ? err : client_fd_alloc(c, ino, flags, path);
    if (fd < 0) {
        fs_error(r, fd);
        return;
    }
    *r = (struct fs_reply){3, {(uint64_t)fd, st.mode, st.size}};
}

void fs_close(const struct fs_msg *m, struct fs_reply *r)
{
    fs_error(r, client_fd_close(m->c, m->w[0]));
}

void fs_read(const struct fs_msg *m, struct fs_reply *r)
{
    struct fs_open *f = client_fd(m->c, m->w[0]);
    size_t len = m->w[2] < FS_DATA_MAX ? m->w[2] : FS_DATA_MAX;
    if (!f || (f->flags & FS_O_ACCMODE) == FS_O_WRONLY) {
        fs_error(r, -EBADF);
        return;
    }
    bool current = m->w[1] == FS_OFFSET_CURRENT;
    uint64_t off = current ? f->offset : m->w[1];
    int64_t n = ext2_read(&fs, f->ino, off, fs_data(), len);
    fs_error(r, n);
    if (n > 0) {
        r->len = IPC_REG_WORDS + (unsigned)((n + 7) / 8);
        off += (uint64_t)n;
        if (current)
            f->offset = off;
    }
    r->w[1] = off;
}

void fs_write(const struct fs_msg *m, struct fs_reply *r)
{
    struct fs_open *f = client_fd(m->c, m->w[0]);
    uint64_t off = m->w[1], len = m->w[2];
    bool current = off == FS_OFFSET_CURRENT;
    struct ext2_stat st;
    if (!f) {
        fs_error(r, -EBADF);
        return;
    }
    if ((f->flags & FS_O_ACCMODE) == FS_O_RDONLY) {
        fs_error(r, -FS_EACCES);
        return;
    }
    if (len > FS_DATA_MAX || len > fs_data_len(m)) {
        fs_error(r, -EINVAL);
        return;
    }
    if (f->flags & FS_O_APPEND) {
        long err = ext2_stat(&fs, f->ino, &st);
        if (err) {
            fs_error(r, err);
            return;
        }
        off = st.size;
    } else if (current)
        off = f->offset;
    int64_t n = len ? ext2_write(&fs, f->ino, off, fs_data(), len) : 0;
    *r = (struct fs_reply){2, {(uint64_t)n, n > 0 ? off + (uint64_t)n : off}};
    if (current && n >= 0)
        f->offset = r->w[1];
}

static void fs_stat_reply(uint32_t ino, struct fs_reply *r)
{
    struct ext2_stat st;
    long err = ext2_stat(&fs, ino, &st);
    if (err) {
        fs_error(r, err);
        return;
    }
    uint64_t *w = ipc_buffer()->words;
    w[4] = st.blocks;
    w[5] = st.atime;
    w[6] = st.mtime;
    w[7] = st.ctime;
    *r = (struct fs_reply){8, {0, st.mode | (uint64_t)st.links << 32, st.size, st.ino}};
}

void fs_fstat(const struct fs_msg *m, struct fs_reply *r)
{
    struct fs_open *f = client_fd(m->c, m->w[0]);
    if (!f)
        fs_error(r, -EBADF);
    else
        fs_stat_reply(f->ino, r);
}

void fs_stat(const struct fs_msg *m, struct fs_reply *r)
{
    char path[FS_DATA_MAX];
    uint32_t ino = 0;
    long err = fs_path(m, path, m->w[0]);
    if (!err)
        err = ext2_lookup(&fs, path, &ino);
    if (err)
        fs_error(r, err);
    else
        fs_stat_reply(ino, r);
}

/* Programs truncate through the pager (PAGER_FTRUNCATE -> FS_TRUNCATE). */
void fs_ftruncate(const struct fs_msg *m, struct fs_reply *r)
{
    (void)m;
    fs_error(r, -FS_EPERM);
}

/* unlink, mkdir, rmdir: a path split into its directory and name, then one ext2 call. */
static void fs_name_op(const struct fs_msg *m, struct fs_reply *r, unsigned label)
{
    char path[FS_DATA_MAX], name[EXT2_NAME_MAX + 1];
    uint32_t dir = 0, ino;
    long err = fs_path(m, path, m->w[0]);
    if (!err)
        err = fs_parent(path, &dir, name);
    if (!err && label == FS_UNLINK)
        err = ext2_unlink(&fs, dir, name);
    else if (!err && label == FS_MKDIR)
        err = ext2_mkdir(&fs, dir, name, (uint32_t)m->w[1] & 07777, &ino);
    else if (!err)
        err = ext2_rmdir(&fs, dir, name);
    fs_error(r, err);
}

void fs_unlink(const struct fs_msg *m, struct fs_reply *r)
{
    fs_name_op(m, r, FS_UNLINK);
}

void fs_mkdir(const struct fs_msg *m, struct fs_reply *r)
{
    fs_name_op(m, r, FS_MKDIR);
}

void fs_rmdir(const struct fs_msg *m, struct fs_reply *r)
{
    fs_name_op(m, r, FS_RMDIR);
}

void fs_rename(const struct fs_msg *m, struct fs_reply *r)
{
    char buf[FS_DATA_MAX], old_name[EXT2_NAME_MAX + 1], new_name[EXT2_NAME_MAX + 1];
    size_t bytes = m->w[0];
    uint32_t old_dir = 0, new_dir = 0;
    if (bytes < 4 || bytes > fs_data_len(m) || bytes > FS_DATA_MAX) {
        fs_error(r, -EINVAL);
        return;
    }
    memcpy(buf, fs_data(), bytes);
    char *old_path = buf, *new_path = buf + strnlen(buf, bytes) + 1;
    if (new_path >= buf + bytes || buf[bytes - 1] != 0 ||
        strlen(new_path) + 1 != (size_t)(buf + bytes - new_path) || old_path[0] != '/' ||
        new_path[0] != '/') {
        fs_error(r, -EINVAL);
        return;
    }
    long err = fs_parent(old_path, &old_dir, old_name);
    if (!err)
        err = fs_parent(new_path, &new_dir, new_name);
    if (!err)
        err = ext2_rename(&fs, old_dir, old_name, new_dir, new_name);
    fs_error(r, err);
}

void fs_getdents(const struct fs_msg *m, struct fs_reply *r)
{
    struct fs_open *f = client_fd(m->c, m->w[0]);
    struct ext2_dirent d;
    uint64_t cookie = m->w[1];
    if (!f) {
        fs_error(r, -EBADF);
        return;
    }
    int n = ext2_readdir(&fs, f->ino, &cookie, &d);
    if (n <= 0) {
        fs_error(r, n);
        return;
    }
    memcpy(fs_data(), d.name, (size_t)d.name_len + 1);
    *r = (struct fs_reply){IPC_REG_WORDS + (unsigned)(d.name_len + 8) / 8,
                           {1, cookie, d.ino, d.type}};
}

/* Every write is in the image already; the pager wrote mapped pages back before asking. */
void fs_fsync(const struct fs_msg *m, struct fs_reply *r)
{
    fs_error(r, client_fd(m->c, m->w[0]) ? 0 : -EBADF);
}

/* The open file's offset: set, moved, or from the end (the size now). */
void fs_lseek(const struct fs_msg *m, struct fs_reply *r)
{
    struct fs_open *f = client_fd(m->c, m->w[0]);
    struct ext2_stat st;
    if (!f) {
        fs_error(r, -EBADF);
        return;
    }
    int64_t off = (int64_t)m->w[1], base;
    if (m->w[2] == 0) {
        base = 0;
    } else if (m->w[2] == 1) {
        base = (int64_t)f->offset;
    } else if (m->w[2] == 2) {
        long err = ext2_stat(&fs, f->ino, &st);
        if (err) {
            fs_error(r, err);
            return;
        }
        base = (int64_t)st.size;
    } else {
        fs_error(r, -EINVAL);
        return;
    }
    if (off < -base || off > INT64_MAX - base) {
        fs_error(r, -EINVAL);
        return;
    }
    f->offset = (uint64_t)(base + off);
    fs_error(r, (long)f->offset);
}

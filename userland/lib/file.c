/*
 * file.c - files and directories of the RAM-disk file server (samara/fs.h): the "file"
 * descriptor kind, and stat, unlink, mkdir, rmdir, rename, ftruncate, truncate, fsync,
 * fdatasync, pread, pwrite and the directory stream calls.
 *
 * A file's size shrinks, and its mapped pages are written back, only through the pager
 * (PAGER_FTRUNCATE, PAGER_FSYNC: it maps file pages straight from the RAM disk, so it must
 * unmap what a truncation cuts off first); the server refuses FS_FTRUNCATE and FS_O_TRUNC
 * from programs. open(O_TRUNC) is therefore an open without it, then a PAGER_FTRUNCATE to 0
 * when the file is open for writing and not empty.
 *
 * The server keeps, per process, which inode each of its descriptors names and how it was
 * opened, and the offset of each open file (shared by dup, fork and exec, as POSIX's open
 * file descriptions): read and write use it, pread and pwrite name their own. Data and
 * paths go 480 bytes a message through the IPC buffer, so a large read or write is a loop of
 * calls. Paths go absolute: a relative one is taken from the working directory (cwd.c). Without a
 * file server (no CAP_PROC_FS) every path is ENOENT.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dirent.h>
#include <samara/fs.h>
#include <samara/user.h>

#include "cwd.h"
#include "fd.h"

#define FILE_EXT2_S_IFDIR 0040000u

static char *file_data(void)
{
    return (char *)&ipc_buffer()->words[IPC_REG_WORDS];
}

static long file_result(const struct ipc_msg *m)
{
    return m->err ? (m->err == -SAMARA_EBADF ? -ENOENT : m->err) : (long)m->w[0];
}

/*
 * Put path (made absolute against the working directory) into the IPC buffer; *bytes is its
 * length with the NUL. Return: 0, -EFAULT, -ENAMETOOLONG (over FS_DATA_MAX), -ENOENT (empty,
 * as Linux).
 */
static long file_put_path(const char *path, size_t off, size_t *bytes)
{
    long n =
        off < FS_DATA_MAX ? cwd_resolve(path, file_data() + off, FS_DATA_MAX - off) : -ENAMETOOLONG;
    if (n < 0)
        return n;
    *bytes = (size_t)n + 1;
    return 0;
}

static unsigned file_words(size_t bytes)
{
    return IPC_REG_WORDS + (unsigned)((bytes + 7) / 8);
}

/* A request naming one path: label with w0 = path bytes, w1, w2. */
static long file_path_call(unsigned label, const char *path, uint64_t w1, uint64_t w2,
                           struct ipc_msg *out)
{
    size_t bytes = 0;
    long err = file_put_path(path, 0, &bytes);
    if (err)
        return err;
    struct ipc_msg m = ipc_call(CAP_PROC_FS, IPC_TAG(label, file_words(bytes)), bytes, w1, w2, 0);
    if (out)
        *out = m;
    return file_result(&m);
}

/* FS_STAT / FS_FSTAT reply m into st. */
static void file_fill_stat(const struct ipc_msg *m, struct stat *st)
{
    const uint64_t *w = ipc_buffer()->words;
    memset(st, 0, sizeof(*st));
    st->st_mode = (mode_t)(uint32_t)m->w[1];
    st->st_nlink = (nlink_t)(m->w[1] >> 32);
    st->st_size = (off_t)m->w[2];
    st->st_ino = (ino_t)m->w[3];
    st->st_blksize = 4096;
    st->st_dev = 0x100; /* the RAM disk, 01:00 (Linux's /dev/ram0): as /proc/<pid>/maps says */
    if (IPC_TAG_LEN(m->tag) >= 8) {
        st->st_blocks = (blkcnt_t)w[4];
        st->st_atime = (time_t)w[5];
        st->st_mtime = (time_t)w[6];
        st->st_ctime = (time_t)w[7];
    }
}

/* ---- the descriptor kind ---------------------------------------------------------------- */

/* Bytes at off (-1: the open file's offset, moving on) into buf (at most n): calls of
 * FS_DATA_MAX until a short one. */
static long file_pread(struct fd_file *f, void *buf, size_t n, off_t off)
{
    size_t done = 0;
    while (done < n) {
        size_t want = n - done < FS_DATA_MAX ? n - done : FS_DATA_MAX;
        struct ipc_msg m = ipc_call(CAP_PROC_FS, IPC_TAG(FS_READ, 3), (uint64_t)f->file,
                                    off < 0 ? FS_OFFSET_CURRENT : (uint64_t)off + done, want, 0);
        long r = m.err ? m.err : (long)m.w[0];
        if (r < 0)
            return done ? (long)done : r;
        size_t came =
            IPC_TAG_LEN(m.tag) > IPC_REG_WORDS ? (IPC_TAG_LEN(m.tag) - IPC_REG_WORDS) * 8 : 0;
        if ((size_t)r > want || (size_t)r > came)
            return done ? (long)done : -EIO;
        memcpy((char *)buf + done, file_data(), (size_t)r);
        done += (size_t)r;
        if ((size_t)r < want)
            break;
    }
    return (long)done;
}

/* Bytes of buf at off (-1: the open file's offset; at the end with O_APPEND); *end is the
 * offset after the last byte. */
static long file_pwrite(struct fd_file *f, const void *buf, size_t n, off_t off, off_t *end)
{
    size_t done = 0;
    bool current = off < 0;
    *end = off;
    while (done < n) {
        size_t len = n - done < FS_DATA_MAX ? n - done : FS_DATA_MAX;
        memcpy(file_data(), (const char *)buf + done, len);
        struct ipc_msg m =
            ipc_call(CAP_PROC_FS, IPC_TAG(FS_WRITE, file_words(len)), (uint64_t)f->file,
                     current ? FS_OFFSET_CURRENT : (uint64_t)*end, len, 0);
        long r = m.err ? m.err : (long)m.w[0];
        if (r < 0)
            return done ? (long)done : r;
        done += (size_t)r;
        *end = (off_t)m.w[1];
        if ((size_t)r < len)
            break;
    }
    return (long)done;
}

/* read and write use the server's offset of the open file: shared as POSIX wants. */
static long file_read(struct fd_file *f, void *buf, size_t n)
{
    return file_pread(f, buf, n, -1);
}

static long file_write(struct fd_file *f, const void *buf, size_t n)
{
    off_t end;
    return file_pwrite(f, buf, n, -1, &end);
}

static long file_fstat(struct fd_file *f, struct stat *st)
{
    struct ipc_msg m = ipc_call(CAP_PROC_FS, IPC_TAG(FS_FSTAT, 1), (uint64_t)f->file, 0, 0, 0);
    long r = m.err ? m.err : (long)m.w[0];
    if (r == 0)
        file_fill_stat(&m, st);
    return r;
}

static long file_lseek(struct fd_file *f, off_t off, int whence)
{
    if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
        return -EINVAL;
    struct ipc_msg m = ipc_call(CAP_PROC_FS, IPC_TAG(FS_LSEEK, 3), (uint64_t)f->file, (uint64_t)off,
                                (uint64_t)whence, 0);
    return m.err ? m.err : (long)m.w[0];
}

static long file_close(struct fd_file *f)
{
    struct ipc_msg m = ipc_call(CAP_PROC_FS, IPC_TAG(FS_CLOSE, 1), (uint64_t)f->file, 0, 0, 0);
    return m.err ? m.err : (long)m.w[0];
}

static long file_getdents(struct fd_file *f, uint64_t *cookie, struct dirent *ent);

const struct fd_ops file_ops = {file_read,  file_write, file_lseek,   file_fstat,
                                file_close, 0,          file_getdents};

/* picolibc's open flags in the protocol's (Linux's) values. */
static uint64_t file_flags(int flags)
{
    static const struct {
        int libc;
        uint64_t fs;
    } map[] = {
        {O_CREAT, FS_O_CREAT},   {O_EXCL, FS_O_EXCL},           {O_TRUNC, FS_O_TRUNC},
        {O_APPEND, FS_O_APPEND}, {O_DIRECTORY, FS_O_DIRECTORY},
    };
    uint64_t r = (flags & O_ACCMODE) == O_WRONLY   ? FS_O_WRONLY
                 : (flags & O_ACCMODE) == O_RDWR   ? FS_O_RDWR
                 : (flags & O_ACCMODE) == O_RDONLY ? FS_O_RDONLY
                                                   : FS_O_ACCMODE;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (flags & map[i].libc)
            r |= map[i].fs;
    return r;
}

/* PAGER_FTRUNCATE of the server's descriptor sfd. Return: 0 or -errno. */
static long file_pager_truncate(int sfd, off_t size)
{
    struct ipc_msg m =
        ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_FTRUNCATE, 2), (uint64_t)sfd, (uint64_t)size, 0, 0);
    return m.err ? m.err : (long)m.w[0];
}

int file_open(struct fd_file *f, const char *path, int flags, int mode, int *err)
{
    struct ipc_msg m;
    long r = file_path_call(FS_OPEN, path, file_flags(flags & ~O_TRUNC), (uint64_t)mode, &m);
    if (r < 0) {
        *err = (int)r;
        return 1;
    }
    int sfd = (int)r;
    if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY && m.w[2] != 0) {
        r = file_pager_truncate(sfd, 0);
        if (r < 0) {
            ipc_call(CAP_PROC_FS, IPC_TAG(FS_CLOSE, 1), (uint64_t)sfd, 0, 0, 0);
            *err = (int)r;
            return 1;
        }
    }
    *f = (struct fd_file){&file_ops, flags & O_ACCMODE, 0, sfd, 0, 1, 0};
    *err = 0;
    return 1;
}

int fd_server_fd(int fd)
{
    struct fd_file *f = fd_get(fd);
    if (!f)
        return -EBADF;
    return f->ops == &file_ops ? f->file : -ENODEV;
}

/* ---- calls by path ---------------------------------------------------------------------- */

int stat(const char *path, struct stat *st)
{
    struct ipc_msg m;
    long r = file_path_call(FS_STAT, path, 0, 0, &m);
    if (r == 0)
        file_fill_stat(&m, st);
    return (int)posix_errno(r);
}

int unlink(const char *path)
{
    return (int)posix_errno(file_path_call(FS_UNLINK, path, 0, 0, NULL));
}

int mkdir(const char *path, mode_t mode)
{
    return (int)posix_errno(file_path_call(FS_MKDIR, path, mode, 0, NULL));
}

int rmdir(const char *path)
{
    return (int)posix_errno(file_path_call(FS_RMDIR, path, 0, 0, NULL));
}

int rename(const char *old_path, const char *new_path)
{
    size_t a = 0, b = 0;
    long r = file_put_path(old_path, 0, &a);
    if (!r)
        r = file_put_path(new_path, a, &b);
    if (!r) {
        struct ipc_msg m =
            ipc_call(CAP_PROC_FS, IPC_TAG(FS_RENAME, file_words(a + b)), a + b, 0, 0, 0);
        r = file_result(&m);
    }
    return (int)posix_errno(r);
}

/* The server descriptor of fd, or -EBADF for none or another kind. */
static struct fd_file *file_get(int fd)
{
    struct fd_file *f = fd_get(fd);
    return f && f->ops == &file_ops ? f : NULL;
}

/* ftruncate - as Linux: EINVAL for a negative size, EBADF, EINVAL unless a file open for
 * writing; then the pager's and the server's answer (FS_TRUNCATE: EFBIG, ENOSPC...). */
int ftruncate(int fd, off_t size)
{
    struct fd_file *f = fd_get(fd);
    if (size < 0)
        return (int)posix_errno(-EINVAL);
    if (!f)
        return (int)posix_errno(-EBADF);
    if (f->ops != &file_ops || f->mode == O_RDONLY)
        return (int)posix_errno(-EINVAL);
    return (int)posix_errno(file_pager_truncate(f->file, size));
}

/* truncate - open for writing (EISDIR for a directory, ENOENT...), ftruncate, close. */
int truncate(const char *path, off_t size)
{
    if (size < 0)
        return (int)posix_errno(-EINVAL);
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return -1;
    int r = ftruncate(fd, size), saved = errno;
    close(fd);
    errno = saved;
    return r;
}

/* fsync - the pager writes the file's mapped pages back (PAGER_FSYNC); EINVAL for the console
 * and /proc, which cannot be synced (as Linux for a tty). */
int fsync(int fd)
{
    struct fd_file *f = fd_get(fd);
    if (!f)
        return (int)posix_errno(-EBADF);
    if (f->ops != &file_ops)
        return (int)posix_errno(-EINVAL);
    struct ipc_msg m =
        ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_FSYNC, 1), (uint64_t)f->file, 0, 0, 0);
    return (int)posix_errno(m.err ? m.err : (long)m.w[0]);
}

int fdatasync(int fd)
{
    return fsync(fd);
}

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
    struct fd_file *f = file_get(fd);
    if (!f || f->mode == O_WRONLY) /* a descriptor of another kind cannot seek */
        return posix_errno(f || !fd_get(fd) ? -EBADF : -ESPIPE);
    if (off < 0)
        return posix_errno(-EINVAL);
    return posix_errno(file_pread(f, buf, n, off));
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    struct fd_file *f = file_get(fd);
    off_t end;
    if (!f || f->mode == O_RDONLY) /* a descriptor of another kind cannot seek */
        return posix_errno(f || !fd_get(fd) ? -EBADF : -ESPIPE);
    if (off < 0)
        return posix_errno(-EINVAL);
    return posix_errno(file_pwrite(f, buf, n, off, &end));
}

/* ---- directory streams ------------------------------------------------------------------ */

DIR *fdopendir(int fd)
{
    struct stat st;
    if (!fd_get(fd)) {
        posix_errno(-EBADF);
        return NULL;
    }
    if (fstat(fd, &st) < 0)
        return NULL;
    if (!S_ISDIR(st.st_mode)) {
        posix_errno(-ENOTDIR);
        return NULL;
    }
    DIR *d = calloc(1, sizeof(*d));
    if (!d) {
        posix_errno(-ENOMEM);
        return NULL;
    }
    d->fd = fd;
    return d;
}

DIR *opendir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return NULL;
    DIR *d = fdopendir(fd);
    if (!d)
        close(fd);
    return d;
}

/* FS_GETDENTS: the entry at *cookie. */
static long file_getdents(struct fd_file *f, uint64_t *cookie, struct dirent *ent)
{
    struct ipc_msg m =
        ipc_call(CAP_PROC_FS, IPC_TAG(FS_GETDENTS, 2), (uint64_t)f->file, *cookie, 0, 0);
    long r = m.err ? m.err : (long)m.w[0];
    if (r <= 0)
        return r;
    static const unsigned char types[8] = {DT_UNKNOWN, DT_REG,     DT_DIR,     DT_UNKNOWN,
                                           DT_UNKNOWN, DT_UNKNOWN, DT_UNKNOWN, DT_LNK};
    *cookie = m.w[1];
    ent->d_ino = (ino_t)m.w[2];
    ent->d_type = types[m.w[3] & 7];
    size_t room = IPC_TAG_LEN(m.tag) > IPC_REG_WORDS ? (IPC_TAG_LEN(m.tag) - IPC_REG_WORDS) * 8 : 0;
    if (room > sizeof(ent->d_name) - 1)
        room = sizeof(ent->d_name) - 1;
    memcpy(ent->d_name, file_data(), room);
    ent->d_name[room] = 0;
    return 1;
}

/* readdir - the next entry of any kind of directory (the file server's, /proc). */
struct dirent *readdir(DIR *d)
{
    struct fd_file *f = d ? fd_get(d->fd) : NULL;
    if (!f || !f->ops->getdents) {
        posix_errno(-EBADF);
        return NULL;
    }
    long r = f->ops->getdents(f, &d->cookie, &d->ent);
    if (r <= 0) {
        if (r < 0)
            posix_errno(r);
        return NULL; /* the end: errno unchanged */
    }
    return &d->ent;
}

void rewinddir(DIR *d)
{
    if (d)
        d->cookie = 0;
}

int dirfd(DIR *d)
{
    return d ? d->fd : (int)posix_errno(-EINVAL);
}

int closedir(DIR *d)
{
    if (!d)
        return (int)posix_errno(-EBADF);
    int r = close(d->fd);
    free(d);
    return r;
}

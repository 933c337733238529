/*
 * fd.c - file descriptors: open, read, write, lseek, fstat, isatty, close, dup, dup2, dup3,
 * fcntl (F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL).
 *
 * A descriptor is a slot of fd_table pointing at an open file description (fd.h): the
 * operations of its kind (a table of functions), its access mode, offset and what the kind
 * needs to find its data. Duplicated descriptors share one description, as on Linux; the
 * kind's close (for a file, the server's descriptor) runs when the last of them closes. Kinds:
 *
 *   console  descriptors 0 (read: end of file), 1 and 2 (write: the kernel console), open at
 *            start as before;
 *   proc     /proc/<pid>/{maps,smaps,smaps_rollup,status,stat,cmdline}, /proc/self/...,
 *            /proc/meminfo, /proc/cmdline, /proc/sys/kernel/randomize_va_space: read-only text the
 * pager makes (PAGER_PROCREAD): the text is made when offset 0 is read, so lseek(fd, 0, SEEK_SET)
 * and reading again gives fresh text, as on Linux; and /proc itself, a directory of the pids
 * (PAGER_PROCLIST); file     every other path: a file or directory of the RAM-disk file server
 * (file.c).
 *
 * open() tries each entry of fd_openers in turn; the file server's comes last. picolibc's stdio
 * (fopen, fgets...) reaches all of this through the POSIX names open, read, lseek and close.
 * exec hands the descriptors without FD_CLOEXEC, and the working directory, to the new
 * program (fd_export, fd_import).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <dirent.h>
#include <samara/user.h>

#include "cwd.h"
#include "fd.h"

/* ---- console ---------------------------------------------------------------------------- */

/*
 * The console's input, a line at a time as a terminal in canonical mode gives it: typed
 * characters are echoed, backspace (DEL or ^H) takes one back, ^U the whole line, Enter (CR
 * or LF) ends the line with '\n', and ^D on an empty line is the end of file. The kernel only
 * says what has arrived (SYS_DEBUG_READ, never blocking), so waiting is yielding.
 */
static char console_line[256];
static size_t console_have, console_given; /* bytes in the line; of a whole line, given out */
static bool console_ready;                 /* the line is whole (it ends with '\n') */

static long console_read(struct fd_file *f, void *buf, size_t n)
{
    (void)f;
    if (!n)
        return 0;
    while (!console_ready) {
        char c;
        if (sys6(SYS_DEBUG_READ, (long)&c, 1, 0, 0, 0, 0) != 1) {
            sys_yield();
            continue;
        }
        if (c == 4 && console_have == 0)
            return 0;                           /* ^D on an empty line: the end of file */
        if (c == 0x7f || c == 8 || c == 0x15) { /* backspace; ^U: the whole line */
            do {
                if (console_have) {
                    console_have--;
                    sys_debug_write("\b \b", 3);
                }
            } while (c == 0x15 && console_have);
            continue;
        }
        if (c == '\r')
            c = '\n';
        if (((unsigned char)c < 32 && c != '\n' && c != '\t') ||
            (console_have == sizeof(console_line) - 1 && c != '\n'))
            continue; /* other control characters, and past a full line, are dropped */
        console_line[console_have++] = c;
        sys_debug_write(&c, 1);
        console_ready = c == '\n';
    }
    size_t k = console_have - console_given < n ? console_have - console_given : n;
    memcpy(buf, console_line + console_given, k);
    console_given += k;
    if (console_given == console_have)
        console_have = console_given = 0, console_ready = false;
    return (long)k;
}

static long console_write(struct fd_file *f, const void *buf, size_t n)
{
    (void)f;
    return sys_debug_write(buf, n);
}

static long console_lseek(struct fd_file *f, off_t off, int whence)
{
    (void)f;
    (void)off;
    (void)whence;
    return -ESPIPE;
}

static long console_fstat(struct fd_file *f, struct stat *st)
{
    (void)f;
    st->st_mode = S_IFCHR | 0620;
    return 0;
}

static const struct fd_ops console_ops = {
    console_read, console_write, console_lseek, console_fstat, NULL, 1, NULL};

/* The descriptions (at most one per descriptor), and the descriptors naming them. */
static struct fd_file fd_descs[FD_MAX] = {
    {&console_ops, O_RDONLY, 0, 0, 0, 1, 0},
    {&console_ops, O_WRONLY, 0, 0, 0, 1, 0},
    {&console_ops, O_WRONLY, 0, 0, 0, 1, 0},
};
static struct fd_file *fd_table[FD_MAX] = {&fd_descs[0], &fd_descs[1], &fd_descs[2]};
static unsigned char fd_cloexec[FD_MAX]; /* FD_CLOEXEC, per descriptor */

/* ---- /proc ------------------------------------------------------------------------------ */

static const struct {
    const char *name;
    int file;
} proc_files[] = {
    {"maps", PROC_FILE_MAPS},
    {"smaps", PROC_FILE_SMAPS},
    {"smaps_rollup", PROC_FILE_SMAPS_ROLLUP},
    {"status", PROC_FILE_STATUS},
    {"stat", PROC_FILE_STAT},
    {"cmdline", PROC_FILE_CMDLINE},
};

#define PROC_DIR 0 /* fd_file.file of /proc itself */

/*
 * One PAGER_PROCREAD at f's offset, copied to buf (at most n bytes).
 * Return: bytes copied (0 at the end of the text), or -errno from the pager.
 */
static long proc_chunk(struct fd_file *f, char *buf, size_t n)
{
    struct ipc_msg m = ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_PROCREAD, 3), (uint64_t)f->pid,
                                (uint64_t)f->file, (uint64_t)f->offset, 0);
    long r = m.err ? m.err : (long)m.w[0];
    if (r <= 0)
        return r;
    if (r > PROC_CHUNK)
        r = PROC_CHUNK;
    /* Words 4.. arrive all or none (docs/ABI.md 4.3): trust only what the tag says came. */
    unsigned words = IPC_TAG_LEN(m.tag);
    size_t came = words > IPC_REG_WORDS ? (words - IPC_REG_WORDS) * sizeof(uint64_t) : 0;
    if ((size_t)r > came)
        return -EIO;
    size_t k = (size_t)r < n ? (size_t)r : n;
    memcpy(buf, &ipc_buffer()->words[IPC_REG_WORDS], k);
    f->offset += (off_t)k;
    return (long)k;
}

static long proc_read(struct fd_file *f, void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        long r = proc_chunk(f, (char *)buf + done, n - done);
        if (r < 0)
            return done ? (long)done : r;
        if (r == 0)
            break;
        done += (size_t)r;
    }
    return (long)done;
}

static long proc_write(struct fd_file *f, const void *buf, size_t n)
{
    (void)f;
    (void)buf;
    (void)n;
    return -EBADF; /* not reached: /proc files open read-only */
}

/* Linux's seq_file lseek: SEEK_SET and SEEK_CUR only, never below 0. */
static long proc_lseek(struct fd_file *f, off_t off, int whence)
{
    off_t base = whence == SEEK_SET ? 0 : f->offset;
    if ((whence != SEEK_SET && whence != SEEK_CUR) || off < -base || off > LONG_MAX - base)
        return -EINVAL;
    f->offset = base + off;
    return (long)f->offset;
}

static long proc_fstat(struct fd_file *f, struct stat *st)
{
    (void)f;
    st->st_mode = S_IFREG | 0444;
    st->st_nlink = 1;
    st->st_blksize = 1024;
    return 0;
}

static const struct fd_ops proc_ops = {proc_read, proc_write, proc_lseek, proc_fstat,
                                       NULL,      0,          NULL};

/* /proc itself: a directory whose entries are the pids (PAGER_PROCLIST). */
static long procdir_read(struct fd_file *f, void *buf, size_t n)
{
    (void)f;
    (void)buf;
    (void)n;
    return -EISDIR;
}

static long procdir_lseek(struct fd_file *f, off_t off, int whence)
{
    (void)f;
    return whence == SEEK_SET && off == 0 ? 0 : -EINVAL;
}

static long procdir_fstat(struct fd_file *f, struct stat *st)
{
    (void)f;
    st->st_mode = S_IFDIR | 0555;
    st->st_nlink = 2;
    st->st_blksize = 1024;
    return 0;
}

/* The pid at *cookie (the pager's cookie: 0 first), as a name. */
static long procdir_getdents(struct fd_file *f, uint64_t *cookie, struct dirent *ent)
{
    (void)f;
    struct ipc_msg m = ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_PROCLIST, 1), *cookie, 0, 0, 0);
    long pid = m.err ? m.err : (long)m.w[0];
    if (pid <= 0)
        return pid;
    *cookie = m.w[1];
    ent->d_ino = (ino_t)pid;
    ent->d_type = DT_DIR;
    snprintf(ent->d_name, sizeof(ent->d_name), "%ld", pid);
    return 1;
}

static const struct fd_ops procdir_ops = {procdir_read, proc_write, procdir_lseek,   procdir_fstat,
                                          NULL,         0,          procdir_getdents};

/* The next path component of *p (slashes skipped) in [*start, *p). Return: its length. */
static size_t path_next(const char **p, const char **start)
{
    while (**p == '/')
        (*p)++;
    *start = *p;
    while (**p && **p != '/')
        (*p)++;
    return (size_t)(*p - *start);
}

static int path_is(const char *s, size_t n, const char *name)
{
    return strlen(name) == n && memcmp(s, name, n) == 0;
}

/*
 * Parse "/proc/<pid or self>/<file>" into pid (0 for self) and file; "/proc/meminfo" is pid
 * 0's PROC_FILE_MEMINFO (so are /proc/cmdline and /proc/sys/kernel/randomize_va_space, the
 * one sysctl there is), "/proc" the directory (PROC_DIR).
 * Return: 1 for a /proc path (then 0 or -ENOENT / -ENOTDIR), 0 for any other path.
 */
static int proc_lookup(const char *path, int *pid, int *file, int *err)
{
    const char *p = path, *s;
    size_t n = path_next(&p, &s);
    if (path[0] != '/' || !path_is(s, n, "proc"))
        return 0;
    *err = -ENOENT;
    n = path_next(&p, &s);
    if (path_is(s, n, "sys")) {
        /* /proc/sys/kernel/randomize_va_space, read-only here */
        n = path_next(&p, &s);
        if (!path_is(s, n, "kernel"))
            return 1;
        n = path_next(&p, &s);
        if (!path_is(s, n, "randomize_va_space"))
            return 1;
        *pid = 0;
        *file = PROC_FILE_RANDOMIZE;
        *err = *p ? -ENOTDIR : 0;
        return 1;
    }
    if (n == 0 || path_is(s, n, "meminfo") || path_is(s, n, "cmdline")) {
        *pid = 0;
        *file = !n ? PROC_DIR : path_is(s, n, "meminfo") ? PROC_FILE_MEMINFO : PROC_FILE_KCMDLINE;
        *err = n && *p ? -ENOTDIR : 0;
        return 1;
    }
    if (path_is(s, n, "self")) {
        *pid = 0;
    } else {
        long v = 0;
        if (n == 0 || n > 9 || s[0] == '0') /* Linux's /proc takes no leading zeros */
            return 1;
        for (size_t i = 0; i < n; i++) {
            if (s[i] < '0' || s[i] > '9')
                return 1;
            v = v * 10 + (s[i] - '0');
        }
        *pid = (int)v;
    }
    n = path_next(&p, &s);
    for (size_t i = 0; i < sizeof(proc_files) / sizeof(proc_files[0]); i++) {
        if (path_is(s, n, proc_files[i].name)) {
            *file = proc_files[i].file;
            *err = *p ? -ENOTDIR : 0; /* "maps/" or "maps/x": maps is no directory */
            return 1;
        }
    }
    return 1;
}

/*
 * Open a /proc file into f. Return: 1 and *err = 0 or -errno for a /proc path, 0 for
 * another path. Errors: ENOENT (no such file or process), ENOTDIR, EEXIST (O_CREAT|O_EXCL),
 * EACCES (opened for writing), and the pager's.
 */
static int proc_open(struct fd_file *f, const char *path, int flags, int mode, int *err)
{
    (void)mode;
    int pid = 0, file = 0;
    if (!proc_lookup(path, &pid, &file, err))
        return 0;
    if (*err)
        return 1;
    if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
        *err = -EEXIST;
    else if ((flags & O_ACCMODE) != O_RDONLY)
        *err = file == PROC_DIR ? -EISDIR : -EACCES;
    else if (file != PROC_DIR && (flags & O_DIRECTORY))
        *err = -ENOTDIR;
    if (*err)
        return 1;
    if (file == PROC_DIR) {
        *f = (struct fd_file){&procdir_ops, O_RDONLY, 0, PROC_DIR, 0, 1, 0};
        return 1;
    }
    *f = (struct fd_file){&proc_ops, O_RDONLY, pid, file, 0, 1, 0};
    /* Ask for the first chunk now, so that a process that does not exist fails here. */
    char probe;
    long r = proc_chunk(f, &probe, 0);
    f->offset = 0;
    *err = r == -SAMARA_ESRCH ? -ENOENT : r < 0 ? (int)r : 0;
    return 1;
}

/* The openers by path, tried in order: the file server's last, it takes every path. */
static int (*const fd_openers[])(struct fd_file *f, const char *path, int flags, int mode,
                                 int *err) = {
    proc_open,
    file_open,
};

/* ---- the POSIX calls -------------------------------------------------------------------- */

struct fd_file *fd_get(int fd)
{
    if (fd < 0 || fd >= FD_MAX)
        return NULL;
    return fd_table[fd];
}

/* The lowest free descriptor at or above min, or -EMFILE. */
static int fd_free_slot(int min)
{
    for (int fd = min; fd < FD_MAX; fd++)
        if (!fd_table[fd])
            return fd;
    return -EMFILE;
}

/* open - the lowest free descriptor for path. Return: it, or -1 (EFAULT, EMFILE, ENOENT and
 * what the kind refuses with). */
int open(const char *path, int flags, ...)
{
    if (!path)
        return (int)posix_errno(-EFAULT);
    int fd = fd_free_slot(0);
    if (fd < 0)
        return (int)posix_errno(fd);
    struct fd_file *slot = NULL;
    for (int i = 0; i < FD_MAX && !slot; i++)
        if (!fd_descs[i].ops)
            slot = &fd_descs[i];
    if (!slot) /* not reached: a description per descriptor at most */
        return (int)posix_errno(-ENFILE);
    int mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, int);
        va_end(ap);
    }
    struct fd_file f;
    for (size_t i = 0; i < sizeof(fd_openers) / sizeof(fd_openers[0]); i++) {
        int err = 0;
        if (fd_openers[i](&f, path, flags, mode, &err)) {
            if (err)
                return (int)posix_errno(err);
            f.refs = 1;
            f.status = flags & O_APPEND;
            *slot = f;
            fd_table[fd] = slot;
            fd_cloexec[fd] = (flags & O_CLOEXEC) != 0;
            return fd;
        }
    }
    return (int)posix_errno(-ENOENT);
}

ssize_t read(int fd, void *buf, size_t n)
{
    struct fd_file *f = fd_get(fd);
    if (!f || f->mode == O_WRONLY)
        return posix_errno(-EBADF);
    return posix_errno(f->ops->read(f, buf, n));
}

ssize_t write(int fd, const void *buf, size_t n)
{
    struct fd_file *f = fd_get(fd);
    if (!f || f->mode == O_RDONLY)
        return posix_errno(-EBADF);
    return posix_errno(f->ops->write(f, buf, n));
}

off_t lseek(int fd, off_t off, int whence)
{
    struct fd_file *f = fd_get(fd);
    if (!f)
        return posix_errno(-EBADF);
    return posix_errno(f->ops->lseek(f, off, whence));
}

int fstat(int fd, struct stat *st)
{
    struct fd_file *f = fd_get(fd);
    if (!f)
        return (int)posix_errno(-EBADF);
    memset(st, 0, sizeof(*st));
    return (int)posix_errno(f->ops->fstat(f, st));
}

int isatty(int fd)
{
    struct fd_file *f = fd_get(fd);
    if (!f || !f->ops->tty) {
        errno = f ? ENOTTY : EBADF;
        return 0;
    }
    return 1;
}

/* Drop descriptor fd (open); the description's close runs with its last descriptor. */
static long fd_drop(int fd)
{
    struct fd_file *f = fd_table[fd];
    fd_table[fd] = NULL;
    fd_cloexec[fd] = 0;
    if (--f->refs > 0)
        return 0;
    long r = f->ops->close ? f->ops->close(f) : 0;
    f->ops = NULL;
    return r;
}

int close(int fd)
{
    if (!fd_get(fd))
        return (int)posix_errno(-EBADF);
    return (int)posix_errno(fd_drop(fd));
}

/* Make descriptor newfd (free) name oldfd's description. */
static int fd_install(int oldfd, int newfd, bool cloexec)
{
    fd_table[newfd] = fd_table[oldfd];
    fd_table[newfd]->refs++;
    fd_cloexec[newfd] = cloexec;
    return newfd;
}

int dup(int oldfd)
{
    if (!fd_get(oldfd))
        return (int)posix_errno(-EBADF);
    int fd = fd_free_slot(0);
    return fd < 0 ? (int)posix_errno(fd) : fd_install(oldfd, fd, false);
}

/* dup2 - as Linux: newfd is closed first (its errors ignored); dup2(fd, fd) checks fd only. */
int dup2(int oldfd, int newfd)
{
    if (!fd_get(oldfd) || newfd < 0 || newfd >= FD_MAX)
        return (int)posix_errno(-EBADF);
    if (oldfd == newfd)
        return newfd;
    if (fd_table[newfd])
        fd_drop(newfd);
    return fd_install(oldfd, newfd, false);
}

/* dup3 - dup2 with O_CLOEXEC, and EINVAL for equal descriptors or other flags (Linux). */
int dup3(int oldfd, int newfd, int flags)
{
    if (flags & ~O_CLOEXEC)
        return (int)posix_errno(-EINVAL);
    if (oldfd == newfd)
        return (int)posix_errno(-EINVAL);
    if (!fd_get(oldfd) || newfd < 0 || newfd >= FD_MAX)
        return (int)posix_errno(-EBADF);
    if (fd_table[newfd])
        fd_drop(newfd);
    return fd_install(oldfd, newfd, (flags & O_CLOEXEC) != 0);
}

/* fcntl - F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL; other commands are EINVAL. */
int fcntl(int fd, int cmd, ...)
{
    struct fd_file *f = fd_get(fd);
    va_list ap;
    va_start(ap, cmd);
    long arg = cmd == F_GETFD || cmd == F_GETFL ? 0 : va_arg(ap, long);
    va_end(ap);
    if (!f)
        return (int)posix_errno(-EBADF);
    switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
        if (arg < 0 || arg >= FD_MAX) /* Linux: EINVAL at or past RLIMIT_NOFILE */
            return (int)posix_errno(-EINVAL);
        int nfd = fd_free_slot((int)arg);
        return nfd < 0 ? (int)posix_errno(nfd) : fd_install(fd, nfd, cmd == F_DUPFD_CLOEXEC);
    }
    case F_GETFD:
        return fd_cloexec[fd] ? FD_CLOEXEC : 0;
    case F_SETFD:
        fd_cloexec[fd] = (arg & FD_CLOEXEC) != 0;
        return 0;
    case F_GETFL:
        return f->mode | f->status;
    default:
        return (int)posix_errno(-EINVAL);
    }
}

/* ---- exec: what the new program inherits ------------------------------------------------ */

/*
 * The block exec hands on (process.c, AT_SAMARA_BLOCK): the working directory, then one
 * record per open descriptor; descriptors that share a description name the same index,
 * so dup'ed descriptors still share an offset in the new program. Close-on-exec descriptors
 * are left out; the server descriptors only they used are listed for the new program to
 * close (exec may still fail, so the old program cannot close them first).
 */
struct fd_record {
    int32_t fd;   /* >= 0: a descriptor; -1: a server descriptor to close */
    int32_t desc; /* index of its description (the same for dup'ed descriptors) */
    int32_t kind; /* 0 console, 1 file, 2 /proc */
    int32_t mode, pid, file, status, pad;
    int64_t offset;
};

size_t fd_export(void *buf, size_t room)
{
    char *out = buf;
    const char *cwd = cwd_get();
    size_t n = strlen(cwd) + 1, used = (n + 7) & ~7ul;
    if (used > room)
        return 0;
    memcpy(out, cwd, n);
    for (int pass = 0; pass < 2; pass++) {
        for (int fd = 0; fd < FD_MAX; fd++) {
            struct fd_file *f = fd_table[fd];
            if (!f)
                continue;
            bool kept = false; /* does a descriptor without FD_CLOEXEC name it? */
            for (int k = 0; k < FD_MAX; k++)
                kept |= fd_table[k] == f && !fd_cloexec[k];
            struct fd_record r = {.fd = fd,
                                  .desc = (int32_t)(f - fd_descs),
                                  .kind = f->ops == &file_ops   ? 1
                                          : f->ops == &proc_ops ? 2
                                                                : 0,
                                  .mode = f->mode,
                                  .pid = f->pid,
                                  .file = f->file,
                                  .status = f->status,
                                  .offset = f->offset};
            if (f->ops == &procdir_ops)
                continue; /* a listing of /proc: not worth handing on, it is just gone */
            if (pass == 0 && (fd_cloexec[fd] || !kept))
                continue; /* the first pass: what the new program keeps */
            if (pass == 1) {
                /* The second: a file description nothing keeps, once (its first descriptor). */
                int first = 0;
                while (fd_table[first] != f)
                    first++;
                if (kept || r.kind != 1 || first != fd)
                    continue;
                r.fd = -1;
            }
            if (used + sizeof(r) > room)
                return used; /* the rest does not fit: it is not handed on */
            memcpy(out + used, &r, sizeof(r));
            used += sizeof(r);
        }
    }
    return used;
}

void fd_import(const void *buf, size_t len)
{
    const char *in = buf;
    size_t n = strnlen(in, len);
    if (n == len)
        return; /* not a block of ours */
    cwd_set(in);
    size_t at = (n + 1 + 7) & ~7ul;
    /* The new program's table is the block's: the console defaults go first. */
    bool any = at + sizeof(struct fd_record) <= len;
    for (int fd = 0; any && fd < FD_MAX; fd++) {
        fd_table[fd] = NULL;
        fd_descs[fd].ops = NULL;
        fd_descs[fd].refs = 0;
    }
    for (; at + sizeof(struct fd_record) <= len; at += sizeof(struct fd_record)) {
        struct fd_record r;
        memcpy(&r, in + at, sizeof(r));
        if (r.fd < 0) {
            struct fd_file gone = {.ops = &file_ops, .file = r.file};
            file_ops.close(&gone);
            continue;
        }
        if (r.fd >= FD_MAX || r.desc < 0 || r.desc >= FD_MAX)
            continue;
        struct fd_file *f = &fd_descs[r.desc];
        if (!f->ops) {
            f->ops = r.kind == 1 ? &file_ops : r.kind == 2 ? &proc_ops : &console_ops;
            f->mode = r.mode;
            f->pid = r.pid;
            f->file = r.file;
            f->status = r.status;
            f->offset = (off_t)r.offset;
        }
        f->refs++;
        fd_table[r.fd] = f;
    }
}

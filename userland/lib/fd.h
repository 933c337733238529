/*
 * fd.h - the descriptor table's kinds, shared by fd.c (the table, console and /proc) and
 * file.c (files of the RAM-disk file server). Internal to libsamara.
 */
#ifndef SAMARA_LIB_FD_H
#define SAMARA_LIB_FD_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define FD_MAX 64 /* descriptors a process can have (RLIMIT_NOFILE) */

struct fd_file;
struct dirent;

/*
 * What a kind of descriptor does. Results are >= 0 or a negative Linux errno (the servers'
 * answers, or the library's own); posix_errno() turns them into picolibc's errno.
 */
struct fd_ops {
    long (*read)(struct fd_file *f, void *buf, size_t n);
    long (*write)(struct fd_file *f, const void *buf, size_t n);
    long (*lseek)(struct fd_file *f, off_t off, int whence);
    long (*fstat)(struct fd_file *f, struct stat *st);
    long (*close)(struct fd_file *f); /* NULL: nothing to release */
    int tty;                          /* isatty() */
    /* A directory's entry at *cookie into ent, *cookie moved on: 1, 0 at the end, or -errno.
     * NULL: not a directory (readdir). */
    long (*getdents)(struct fd_file *f, uint64_t *cookie, struct dirent *ent);
};

/*
 * An open file description: what descriptors name. dup, dup2, dup3 and fcntl(F_DUPFD) make
 * descriptors that share one (its offset and flags), and the kind's close runs when the last
 * of them closes.
 */
struct fd_file {
    const struct fd_ops *ops; /* NULL: the description is free */
    int mode;                 /* O_RDONLY, O_WRONLY or O_RDWR */
    int pid;                  /* proc: the process, 0 for the caller */
    int file;                 /* proc: PROC_FILE_*; file: the server's descriptor */
    off_t offset;
    int refs;   /* descriptors naming it */
    int status; /* status flags open gave (O_APPEND), for fcntl(F_GETFL) */
};

/* The open file description of descriptor fd, or NULL. */
struct fd_file *fd_get(int fd);

/*
 * fd_server_fd - for mmap and the pager's file calls: the file server's descriptor behind fd.
 * Return: it (>= 0), -EBADF (fd is not open), -ENODEV (a descriptor that cannot be mapped:
 * the console, /proc).
 */
int fd_server_fd(int fd);

/* The file server's descriptors (file.c), for exec to hand them on (fd.c). */
extern const struct fd_ops file_ops;

/* The file server's opener (file.c): claims every path no other kind does. */
int file_open(struct fd_file *f, const char *path, int flags, int mode, int *err);

/* The ABI result r, or -1 with errno set (posix.c). */
long posix_errno(long r);

#endif

/*
 * fd.h - the descriptor table's kinds, shared by fd.c (the table, console and /proc) and
 * file.c (files of the RAM-disk file server). Internal to libsamara.
 */
#ifndef SAMARA_LIB_FD_H
#define SAMARA_LIB_FD_H

#include <sys/stat.h>
#include <sys/types.h>

struct fd_file;

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
};

struct fd_file {
    const struct fd_ops *ops; /* NULL: the slot is free */
    int mode;                 /* O_RDONLY, O_WRONLY or O_RDWR */
    int pid;                  /* proc: the process, 0 for the caller */
    int file;                 /* proc: PROC_FILE_*; file: the server's descriptor */
    off_t offset;
};

/* The open slot fd, or NULL. */
struct fd_file *fd_get(int fd);

/* The file server's opener (file.c): claims every path no other kind does. */
int file_open(struct fd_file *f, const char *path, int flags, int mode, int *err);

/* The ABI result r, or -1 with errno set (posix.c). */
long posix_errno(long r);

#endif

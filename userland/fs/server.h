/*
 * server.h - what the parts of the RAM-disk file server share (userland/fs; protocol
 * samara/fs.h, design docs/FS.md).
 *
 *   main.c    mount, the clock, the receive loop and the dispatch table
 *   node.c    inodes the server references (descriptors and the pager's pins): orphans
 *   client.c  the descriptor table of each client process
 *   file.c    the programs' requests (open, read, write, names, directories...)
 *   pager.c   the pager's requests (BMAP, FDINFO, LOOKUP, PIN, UNPIN, TRUNCATE, SYNC, EXIT)
 *
 * The server never calls the pager (the pager calls it synchronously: a call back would
 * deadlock) and never asks for memory after start: every table is static.
 */
#ifndef FS_SERVER_H
#define FS_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <samara/fs.h>
#include <samara/user.h>

#include "ext2/ext2.h"

/* Linux numbers lib/ext2 does not define (picolibc's <errno.h> is not used here). */
#define FS_EPERM  1
#define FS_ENOMEM 12
#define FS_EACCES 13
#define FS_ENFILE 23
#define FS_EMFILE 24
#define FS_ENOSYS 38

#define FS_CLIENTS 64  /* descriptor tables (one per live process that opened a file) */
#define FS_FILES   32  /* descriptors per client */
#define FS_OPENS   512 /* open files in the whole server */
#define FS_NODES   512 /* referenced inodes (open or pinned) */

/* An open file: the inode (referenced in node.c), how it was opened and by which path. */
struct fs_open {
    uint32_t ino; /* 0: free */
    uint32_t flags;
    uint32_t refs;   /* descriptors naming it (a fork's child shares its parent's) */
    uint64_t offset; /* for FS_OFFSET_CURRENT reads and writes, and FS_LSEEK */
    char path[FS_DATA_MAX];
};

struct fs_client {
    uint32_t pid;             /* 0: free */
    uint16_t files[FS_FILES]; /* index + 1 into the open files, 0: free */
};

/* A request as received: the caller's pid (0 for the pager) and its table, if it has one. */
struct fs_msg {
    uint64_t tag;
    uint64_t w[4];
    uint32_t pid;
    struct fs_client *c;
};

struct fs_reply {
    unsigned len; /* words */
    uint64_t w[4];
};

extern struct ext2_fs fs;

/* main.c */
char *fs_data(void);
size_t fs_data_len(const struct fs_msg *m);
void fs_error(struct fs_reply *r, long err);
long fs_path(const struct fs_msg *m, char *buf, size_t bytes);

/* node.c */
void node_init(void);
long node_get(uint32_t ino, bool pin);
long node_put(uint32_t ino, bool pin);

/* client.c */
struct fs_client *client_lookup(uint32_t pid, bool make);
long client_fd_alloc(struct fs_client *c, uint32_t ino, uint32_t flags, const char *path);
struct fs_open *client_fd(struct fs_client *c, uint64_t fd);
long client_fd_close(struct fs_client *c, uint64_t fd);
void client_exit(uint32_t pid);
long client_fork(uint32_t parent, uint32_t child);

/* The handlers, one per label. */
typedef void (*fs_handler)(const struct fs_msg *m, struct fs_reply *r);

void fs_open(const struct fs_msg *m, struct fs_reply *r);
void fs_close(const struct fs_msg *m, struct fs_reply *r);
void fs_read(const struct fs_msg *m, struct fs_reply *r);
void fs_lseek(const struct fs_msg *m, struct fs_reply *r);
void fs_write(const struct fs_msg *m, struct fs_reply *r);
void fs_fstat(const struct fs_msg *m, struct fs_reply *r);
void fs_stat(const struct fs_msg *m, struct fs_reply *r);
void fs_ftruncate(const struct fs_msg *m, struct fs_reply *r);
void fs_unlink(const struct fs_msg *m, struct fs_reply *r);
void fs_mkdir(const struct fs_msg *m, struct fs_reply *r);
void fs_rmdir(const struct fs_msg *m, struct fs_reply *r);
void fs_rename(const struct fs_msg *m, struct fs_reply *r);
void fs_getdents(const struct fs_msg *m, struct fs_reply *r);
void fs_fsync(const struct fs_msg *m, struct fs_reply *r);

void fs_bmap(const struct fs_msg *m, struct fs_reply *r);
void fs_fdinfo(const struct fs_msg *m, struct fs_reply *r);
void fs_lookup(const struct fs_msg *m, struct fs_reply *r);
void fs_pin(const struct fs_msg *m, struct fs_reply *r);
void fs_unpin(const struct fs_msg *m, struct fs_reply *r);
void fs_truncate(const struct fs_msg *m, struct fs_reply *r);
void fs_sync(const struct fs_msg *m, struct fs_reply *r);
void fs_exit(const struct fs_msg *m, struct fs_reply *r);
void fs_fork(const struct fs_msg *m, struct fs_reply *r);
void fs_nlink(const struct fs_msg *m, struct fs_reply *r);
void fs_extents(const struct fs_msg *m, struct fs_reply *r);

#endif

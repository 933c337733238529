/*
 * main.c - the RAM-disk file server: ext2 on the in-memory image, POSIX file requests from
 * programs and mapping requests from the pager (samara/fs.h; docs/FS.md).
 *
 * The pager starts this program (`/sbin/fs SIZE`) with the boot image's ramdisk.img copied
 * into fresh frames mapped read-write at FS_IMAGE_VA, and the receive side of the file
 * endpoint in slot CAP_FS_SERVER_EP. Every other program holds a send capability to it badged
 * with its pid (CAP_PROC_FS); the pager calls it with badge 0.
 *
 * Rules that keep the pager safe: the server never calls the pager (the pager waits for the
 * server's answers: a call back would deadlock), so it never asks whether a client lives (the
 * pager sends FS_EXIT) and never asks for memory after start (all its tables are static; the
 * pager maps its whole space at spawn). lib/ext2 checks every block access against the image,
 * so a corrupt image or a malformed request gives an error, never a crash or a hang.
 *
 * The clock: there is no wall clock, so timestamps are the image's last write time (from
 * mke2fs) plus the seconds since boot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define FS_REPLY 9 /* the slot receiving reply capabilities */

/* Who may make a request. */
enum { FS_ANYONE, FS_PAGER_ONLY };

static const struct {
    uint64_t label;
    fs_handler fn;
    int who;
    const char *name;
} handlers[] = {
    {FS_OPEN, fs_open, FS_ANYONE, "open"},
    {FS_CLOSE, fs_close, FS_ANYONE, "close"},
    {FS_READ, fs_read, FS_ANYONE, "read"},
    {FS_WRITE, fs_write, FS_ANYONE, "write"},
    {FS_FSTAT, fs_fstat, FS_ANYONE, "fstat"},
    {FS_STAT, fs_stat, FS_ANYONE, "stat"},
    {FS_FTRUNCATE, fs_ftruncate, FS_ANYONE, "ftruncate"},
    {FS_UNLINK, fs_unlink, FS_ANYONE, "unlink"},
    {FS_MKDIR, fs_mkdir, FS_ANYONE, "mkdir"},
    {FS_RMDIR, fs_rmdir, FS_ANYONE, "rmdir"},
    {FS_RENAME, fs_rename, FS_ANYONE, "rename"},
    {FS_GETDENTS, fs_getdents, FS_ANYONE, "getdents"},
    {FS_FSYNC, fs_fsync, FS_ANYONE, "fsync"},
    {FS_LSEEK, fs_lseek, FS_ANYONE, "lseek"},
    {FS_BMAP, fs_bmap, FS_PAGER_ONLY, "bmap"},
    {FS_FDINFO, fs_fdinfo, FS_PAGER_ONLY, "fdinfo"},
    {FS_LOOKUP, fs_lookup, FS_PAGER_ONLY, "lookup"},
    {FS_PIN, fs_pin, FS_PAGER_ONLY, "pin"},
    {FS_UNPIN, fs_unpin, FS_PAGER_ONLY, "unpin"},
    {FS_TRUNCATE, fs_truncate, FS_PAGER_ONLY, "truncate"},
    {FS_SYNC, fs_sync, FS_PAGER_ONLY, "sync"},
    {FS_EXIT, fs_exit, FS_PAGER_ONLY, "exit"},
    {FS_FORK, fs_fork, FS_PAGER_ONLY, "fork"},
    {FS_NLINK, fs_nlink, FS_PAGER_ONLY, "nlink"},
    {FS_EXTENTS, fs_extents, FS_PAGER_ONLY, "extents"},
};

struct ext2_fs fs;

char *fs_data(void)
{
    return (char *)&ipc_buffer()->words[IPC_REG_WORDS];
}

/* Bytes of words 4.. the request brought. */
size_t fs_data_len(const struct fs_msg *m)
{
    unsigned n = IPC_TAG_LEN(m->tag);
    return n > IPC_REG_WORDS ? (n - IPC_REG_WORDS) * 8 : 0;
}

void fs_error(struct fs_reply *r, long err)
{
    r->len = 1;
    r->w[0] = (uint64_t)err;
}

/*
 * The path of a request: @bytes (the NUL included) from words 4.., copied into buf.
 * Return: 0, -EINVAL (missing, not NUL-terminated where said, or not absolute).
 */
long fs_path(const struct fs_msg *m, char *buf, size_t bytes)
{
    if (bytes == 0 || bytes > fs_data_len(m) || bytes > FS_DATA_MAX)
        return -EINVAL;
    memcpy(buf, fs_data(), bytes);
    if (buf[bytes - 1] != 0 || strlen(buf) != bytes - 1 || buf[0] != '/')
        return -EINVAL;
    return 0;
}

static uint64_t fs_rdtime(void)
{
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

int main(int argc, char **argv)
{
    const char *why = NULL;
    size_t size = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;
    long err = ext2_mount(&fs, (void *)FS_IMAGE_VA, size, &why);
    uint32_t clock_base = 0;
    uint64_t hz = (uint64_t)sys_sysinfo(SYSINFO_TIMEBASE);
    if (err) {
        /* Keep serving: every request gets the mount error. */
        printf("fs: cannot mount the RAM disk: %s (%ld)\n", why ? why : "?", err);
    } else {
        clock_base = ext2_clock(&fs);
        node_init();
    }
    struct ipc_msg in = ipc_recv(CAP_FS_SERVER_EP, FS_REPLY);
    for (;;) {
        struct fs_reply r = {1, {(uint64_t)-FS_ENOSYS}};
        uint32_t pid = (uint32_t)in.badge;
        struct fs_msg m = {in.tag, {in.w[0], in.w[1], in.w[2], in.w[3]}, pid, NULL};
        uint64_t label = IPC_TAG_LABEL(in.tag);
        if (in.err) {
            in = ipc_recv(CAP_FS_SERVER_EP, FS_REPLY);
            continue;
        }
        m.c = client_lookup(pid, false);
        if (!err && hz)
            ext2_set_time(&fs, clock_base + (uint32_t)(fs_rdtime() / hz));
        for (unsigned i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
            if (handlers[i].label != label)
                continue;
            if (handlers[i].who == FS_PAGER_ONLY && pid != 0)
                fs_error(&r, -FS_EPERM);
            else if (err)
                fs_error(&r, err);
            else
                handlers[i].fn(&m, &r);
        }
        in = ipc_reply_recv(CAP_FS_SERVER_EP, IPC_TAG(0, r.len), r.w[0], r.w[1], r.w[2], r.w[3],
                            FS_REPLY);
    }
}

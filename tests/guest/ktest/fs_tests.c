/*
 * fs_tests.c - the RAM-disk file server (userland/fs) through the POSIX calls of libsamara,
 * and its protocol (samara/fs.h) directly where POSIX hides an answer.
 *
 * Each test works under its own name in /tmp or /data of the ext2 image the pager loaded at
 * boot, so the tests do not depend on one another's leftovers; the image lives as long as the
 * machine, so a test removes what it made where a later one could trip over it.
 */
#define _GNU_SOURCE /* dup3 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <samara/fs.h>
#include <samara/pager.h>

#include "ktest.h"

/* libsamara's export for mmap (userland/lib/fd.h): the server descriptor behind fd. */
int fd_server_fd(int fd);

static int t_fs_motd(void)
{
    FILE *f = fopen("/etc/motd", "r");
    CHECK(f != NULL);
    char line[128];
    CHECK(fgets(line, sizeof(line), f) != NULL);
    CHECK(!strcmp(line, "Welcome to Samara.\n"));
    CHECK(fgets(line, sizeof(line), f) != NULL);
    CHECK(strstr(line, "RAM disk") != NULL);
    CHECK(fgets(line, sizeof(line), f) == NULL);
    CHECK_EQ(fclose(f), 0);
    struct stat st;
    CHECK_EQ(stat("/etc/motd", &st), 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(st.st_size, 52);
    return 0;
}

static int t_fs_create_rw(void)
{
    const char *msg = "hello, file server\n";
    int fd = open("/tmp/rw", O_CREAT | O_RDWR, 0644);
    CHECK(fd >= 3);
    CHECK_EQ(write(fd, msg, strlen(msg)), strlen(msg));
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), strlen(msg));
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    char buf[64] = {0};
    CHECK_EQ(read(fd, buf, sizeof(buf)), strlen(msg));
    CHECK(!strcmp(buf, msg));
    CHECK_EQ(read(fd, buf, sizeof(buf)), 0);
    struct stat st;
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK(S_ISREG(st.st_mode));
    CHECK_EQ(st.st_size, strlen(msg));
    CHECK_EQ(close(fd), 0);
    /* stdio on a file */
    FILE *f = fopen("/tmp/rw", "a");
    CHECK(f != NULL);
    CHECK(fprintf(f, "line %d\n", 2) > 0);
    CHECK_EQ(fclose(f), 0);
    f = fopen("/tmp/rw", "r");
    CHECK(f != NULL);
    CHECK(fgets(buf, sizeof(buf), f) && !strcmp(buf, msg));
    CHECK(fgets(buf, sizeof(buf), f) && !strcmp(buf, "line 2\n"));
    CHECK_EQ(fclose(f), 0);
    CHECK_EQ(unlink("/tmp/rw"), 0);
    return 0;
}

static int t_fs_append_trunc(void)
{
    int fd = open("/tmp/app", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "abc", 3), 3);
    CHECK_EQ(close(fd), 0);
    fd = open("/tmp/app", O_WRONLY | O_APPEND);
    CHECK(fd >= 0);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ(write(fd, "de", 2), 2); /* at the end, whatever the offset */
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5);
    CHECK_EQ(close(fd), 0);
    char buf[16] = {0};
    fd = open("/tmp/app", O_RDONLY);
    CHECK_EQ(read(fd, buf, sizeof(buf)), 5);
    CHECK(!memcmp(buf, "abcde", 5));
    CHECK_EQ(close(fd), 0);
    fd = open("/tmp/app", O_RDWR | O_TRUNC);
    CHECK(fd >= 0);
    struct stat st;
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, 0);
    CHECK_EQ(read(fd, buf, sizeof(buf)), 0);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(unlink("/tmp/app"), 0);
    return 0;
}

static int t_fs_excl(void)
{
    int fd = open("/tmp/excl", O_CREAT | O_EXCL | O_WRONLY, 0600);
    CHECK(fd >= 0);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(open("/tmp/excl", O_CREAT | O_EXCL | O_WRONLY, 0600), -1);
    CHECK_EQ(errno, EEXIST);
    fd = open("/tmp/excl", O_CREAT | O_WRONLY, 0600); /* without O_EXCL: opens it */
    CHECK(fd >= 0);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(open("/tmp/nosuch", O_RDONLY), -1);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(open("/tmp/nosuchdir/x", O_CREAT | O_WRONLY, 0600), -1);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(open("/etc/motd/x", O_RDONLY), -1);
    CHECK_EQ(errno, ENOTDIR);
    CHECK_EQ(open("/etc", O_WRONLY), -1);
    CHECK_EQ(errno, EISDIR);
    CHECK_EQ(open("/etc/motd", O_RDONLY | O_DIRECTORY), -1);
    CHECK_EQ(errno, ENOTDIR);
    char name[300];
    memset(name, 'n', sizeof(name));
    memcpy(name, "/tmp/", 5);
    name[sizeof(name) - 1] = 0;
    CHECK_EQ(open(name, O_CREAT | O_WRONLY, 0600), -1);
    CHECK_EQ(errno, ENAMETOOLONG);
    CHECK_EQ(unlink("/tmp/excl"), 0);
    return 0;
}

static int t_fs_lseek(void)
{
    int fd = open("/tmp/seek", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "0123456789", 10), 10);
    CHECK_EQ(lseek(fd, -3, SEEK_END), 7);
    char c[4] = {0};
    CHECK_EQ(read(fd, c, 3), 3);
    CHECK(!strcmp(c, "789"));
    CHECK_EQ(lseek(fd, 2, SEEK_SET), 2);
    CHECK_EQ(lseek(fd, 2, SEEK_CUR), 4);
    CHECK_EQ(read(fd, c, 1), 1);
    CHECK_EQ(c[0], '4');
    CHECK_EQ(lseek(fd, -100, SEEK_CUR), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(lseek(fd, 0, 42), -1);
    CHECK_EQ(errno, EINVAL);
    /* a write past the end leaves a hole of zeros */
    CHECK_EQ(lseek(fd, 8192, SEEK_SET), 8192);
    CHECK_EQ(write(fd, "x", 1), 1);
    CHECK_EQ(pread(fd, c, 2, 5000), 2);
    CHECK(c[0] == 0 && c[1] == 0);
    CHECK_EQ(pwrite(fd, "AB", 2, 0), 2);
    CHECK_EQ(pread(fd, c, 3, 0), 3);
    CHECK(!memcmp(c, "AB2", 3));
    CHECK_EQ(lseek(fd, 0, SEEK_END), 8193);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(unlink("/tmp/seek"), 0);
    return 0;
}

static int t_fs_ftruncate(void)
{
    int fd = open("/tmp/trunc", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "abcdef", 6), 6);
    CHECK_EQ(ftruncate(fd, 3), 0);
    struct stat st;
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, 3);
    CHECK_EQ(ftruncate(fd, 10000), 0);
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, 10000);
    char buf[16];
    CHECK_EQ(pread(fd, buf, 6, 0), 6);
    CHECK(!memcmp(buf, "abc\0\0\0", 6)); /* the cut bytes do not come back */
    CHECK_EQ(pread(fd, buf, 16, 9995), 5);
    CHECK_EQ(close(fd), 0);
    fd = open("/tmp/trunc", O_RDONLY);
    CHECK_EQ(ftruncate(fd, 0), -1);
    CHECK(errno == EINVAL || errno == EBADF);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(unlink("/tmp/trunc"), 0);
    return 0;
}

static int t_fs_unlink(void)
{
    int fd = open("/data/gone", O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(close(fd), 0);
    struct stat st;
    CHECK_EQ(stat("/data/gone", &st), 0);
    CHECK_EQ(unlink("/data/gone"), 0);
    CHECK_EQ(stat("/data/gone", &st), -1);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(open("/data/gone", O_RDONLY), -1);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(unlink("/data/gone"), -1);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(unlink("/data"), -1);
    CHECK_EQ(errno, EISDIR);
    return 0;
}

static int t_fs_dirs(void)
{
    CHECK_EQ(mkdir("/tmp/d", 0755), 0);
    CHECK_EQ(mkdir("/tmp/d", 0755), -1);
    CHECK_EQ(errno, EEXIST);
    CHECK_EQ(mkdir("/tmp/d/e/", 0755), 0); /* a trailing slash is fine */
    struct stat st;
    CHECK_EQ(stat("/tmp/d/e", &st), 0);
    CHECK(S_ISDIR(st.st_mode));
    CHECK_EQ(rmdir("/tmp/d"), -1);
    CHECK_EQ(errno, ENOTEMPTY);
    int fd = open("/tmp/d/f", O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(rmdir("/tmp/d/f"), -1);
    CHECK_EQ(errno, ENOTDIR);
    CHECK_EQ(unlink("/tmp/d/f"), 0);
    CHECK_EQ(rmdir("/tmp/d/e"), 0);
    CHECK_EQ(rmdir("/tmp/d"), 0);
    CHECK_EQ(stat("/tmp/d", &st), -1);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(rmdir("/tmp/d"), -1);
    CHECK_EQ(errno, ENOENT);
    return 0;
}

static int t_fs_rename(void)
{
    int fd = open("/tmp/old", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "data", 4), 4);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(mkdir("/data/rdir", 0755), 0);
    CHECK_EQ(rename("/tmp/old", "/data/rdir/new"), 0);
    struct stat st;
    CHECK_EQ(stat("/tmp/old", &st), -1);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(stat("/data/rdir/new", &st), 0);
    CHECK_EQ(st.st_size, 4);
    CHECK_EQ(rename("/tmp/nosuch", "/tmp/x"), -1);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(rename("/data/rdir", "/data/rdir/sub"), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(unlink("/data/rdir/new"), 0);
    CHECK_EQ(rmdir("/data/rdir"), 0);
    return 0;
}

static int t_fs_readdir(void)
{
    CHECK_EQ(mkdir("/tmp/ls", 0755), 0);
    const char *names[] = {"alpha", "beta", "gamma"};
    for (unsigned i = 0; i < 3; i++) {
        char p[32];
        snprintf(p, sizeof(p), "/tmp/ls/%s", names[i]);
        int fd = open(p, O_CREAT | O_WRONLY, 0644);
        CHECK(fd >= 0);
        CHECK_EQ(close(fd), 0);
    }
    CHECK_EQ(mkdir("/tmp/ls/sub", 0755), 0);
    DIR *d = opendir("/tmp/ls");
    CHECK(d != NULL);
    unsigned seen = 0, n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        n++;
        for (unsigned i = 0; i < 3; i++)
            if (!strcmp(e->d_name, names[i]) && e->d_type == DT_REG)
                seen |= 1u << i;
        if (!strcmp(e->d_name, "sub") && e->d_type == DT_DIR)
            seen |= 8;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            seen |= 16;
    }
    CHECK_EQ(seen, 31);
    CHECK_EQ(n, 6);
    rewinddir(d);
    CHECK(readdir(d) != NULL);
    CHECK_EQ(closedir(d), 0);
    CHECK(opendir("/etc/motd") == NULL);
    CHECK_EQ(errno, ENOTDIR);
    CHECK(opendir("/nosuch") == NULL);
    CHECK_EQ(errno, ENOENT);
    /* the image's top level */
    d = opendir("/");
    CHECK(d != NULL);
    seen = 0;
    while ((e = readdir(d)))
        for (unsigned i = 0; i < 5; i++)
            if (!strcmp(e->d_name, (const char *[]){"bin", "sbin", "etc", "tmp", "data"}[i]))
                seen |= 1u << i;
    CHECK_EQ(seen, 31);
    CHECK_EQ(closedir(d), 0);
    for (unsigned i = 0; i < 3; i++) {
        char p[32];
        snprintf(p, sizeof(p), "/tmp/ls/%s", names[i]);
        CHECK_EQ(unlink(p), 0);
    }
    CHECK_EQ(rmdir("/tmp/ls/sub"), 0);
    CHECK_EQ(rmdir("/tmp/ls"), 0);
    return 0;
}

static int t_fs_badf(void)
{
    char c;
    CHECK_EQ(read(40, &c, 1), -1);
    CHECK_EQ(errno, EBADF);
    CHECK_EQ(close(40), -1);
    CHECK_EQ(errno, EBADF);
    int fd = open("/etc/motd", O_RDONLY);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "x", 1), -1); /* POSIX: EBADF for a descriptor not open for writing */
    CHECK_EQ(errno, EBADF);
    /* The server answers EACCES for a write on a read-only descriptor. */
    struct stat st;
    CHECK_EQ(fstat(fd, &st), 0);
    struct ipc_buffer *b = ipc_buffer();
    memcpy(&b->words[IPC_REG_WORDS], "x", 1);
    for (uint64_t sfd = 0; sfd < 32; sfd++) {
        struct ipc_msg m = ipc_call(CAP_PROC_FS, IPC_TAG(FS_WRITE, 5), sfd, 0, 1, 0);
        CHECK_EQ(m.err, 0);
        CHECK((long)m.w[0] == -13 || (long)m.w[0] == -EBADF);
        if ((long)m.w[0] == -13) {
            CHECK_EQ(close(fd), 0);
            fd = -1;
            break;
        }
    }
    CHECK_EQ(fd, -1); /* the read-only descriptor was found and refused */
    fd = open("/etc/motd", O_RDONLY);
    CHECK(fd >= 0);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(read(fd, &c, 1), -1);
    CHECK_EQ(errno, EBADF);
    fd = open("/tmp/wo", O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(read(fd, &c, 1), -1);
    CHECK_EQ(errno, EBADF);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(unlink("/tmp/wo"), 0);
    return 0;
}

/* Malformed requests: errors, and the server still answers afterwards. */
static int t_fs_malformed(void)
{
    struct ipc_buffer *b = ipc_buffer();
    memset(&b->words[IPC_REG_WORDS], 'a', 64);
    struct ipc_msg m = ipc_call(CAP_PROC_FS, IPC_TAG(FS_OPEN, 4), 5000, 0, 0, 0);
    CHECK_EQ((long)m.w[0], -EINVAL);
    m = ipc_call(CAP_PROC_FS, IPC_TAG(FS_OPEN, 12), 64, 0, 0, 0); /* no NUL */
    CHECK_EQ((long)m.w[0], -EINVAL);
    m = ipc_call(CAP_PROC_FS, IPC_TAG(FS_RENAME, 12), 64, 0, 0, 0);
    CHECK_EQ((long)m.w[0], -EINVAL);
    m = ipc_call(CAP_PROC_FS, IPC_TAG(FS_READ, 3), ~0ul, 0, 100, 0);
    CHECK_EQ((long)m.w[0], -EBADF);
    m = ipc_call(CAP_PROC_FS, IPC_TAG(FS_WRITE, 4), 0, 0, 100000, 0);
    CHECK((long)m.w[0] == -EBADF || (long)m.w[0] == -EINVAL);
    m = ipc_call(CAP_PROC_FS, IPC_TAG(999, 0), 0, 0, 0, 0);
    CHECK_EQ((long)m.w[0], -38);
    m = ipc_call(CAP_PROC_FS, IPC_TAG(FS_GETDENTS, 2), 31, 0, 0, 0);
    CHECK_EQ((long)m.w[0], -EBADF);
    struct stat st;
    CHECK_EQ(stat("/etc/motd", &st), 0);
    return 0;
}

static int t_fs_big(void)
{
    const size_t size = 300 * 1024 + 123;
    unsigned char *buf = malloc(size), *back = malloc(size);
    CHECK(buf && back);
    for (size_t i = 0; i < size; i++)
        buf[i] = (unsigned char)(i * 31 + (i >> 10));
    int fd = open("/data/big", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, buf, size), size);
    CHECK_EQ(close(fd), 0);
    struct stat st;
    CHECK_EQ(stat("/data/big", &st), 0);
    CHECK_EQ(st.st_size, size);
    fd = open("/data/big", O_RDONLY);
    CHECK(fd >= 0);
    memset(back, 0, size);
    CHECK_EQ(read(fd, back, size), size);
    CHECK(!memcmp(buf, back, size));
    CHECK_EQ(read(fd, back, 1), 0);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(unlink("/data/big"), 0);
    free(buf);
    free(back);
    return 0;
}

/* Descriptors of ended processes are not kept forever: many children each leave one open. */
static int c_fs_leak(void)
{
    return open("/etc/motd", O_RDONLY) >= 0 ? 0 : 1;
}

static int t_fs_exit_drops(void)
{
    for (int i = 0; i < 80; i++)
        CHECK_EQ(kt_run_child("_fs_leak"), 0);
    int fd = open("/etc/motd", O_RDONLY);
    CHECK(fd >= 0);
    CHECK_EQ(close(fd), 0);
    return 0;
}

/* dup and dup2 share one open file description: offset, and the server descriptor. */
static int t_fs_dup(void)
{
    int fd = open("/tmp/dup", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK(fd >= 3);
    int d = dup(fd);
    CHECK(d >= 0 && d != fd);
    CHECK_EQ(write(fd, "abc", 3), 3);
    CHECK_EQ(lseek(d, 0, SEEK_CUR), 3); /* one offset */
    CHECK_EQ(write(d, "de", 2), 2);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5);
    CHECK_EQ(close(fd), 0);
    char buf[8] = {0};
    CHECK_EQ(pread(d, buf, 8, 0), 5); /* the server descriptor lives on */
    CHECK(!memcmp(buf, "abcde", 5));
    CHECK_EQ(dup2(d, d), d);
    CHECK_EQ(dup2(40, 40), -1);
    CHECK_EQ(errno, EBADF);
    CHECK_EQ(dup2(d, -1), -1);
    CHECK_EQ(errno, EBADF);
    CHECK_EQ(dup2(d, 50), 50);
    CHECK_EQ(lseek(50, 1, SEEK_SET), 1);
    CHECK_EQ(lseek(d, 0, SEEK_CUR), 1);
    int e = open("/etc/motd", O_RDONLY);
    CHECK(e >= 0);
    CHECK_EQ(dup2(e, 50), 50); /* closes the old 50 first */
    CHECK_EQ(read(50, buf, 7), 7);
    CHECK(!memcmp(buf, "Welcome", 7));
    CHECK_EQ(lseek(d, 0, SEEK_CUR), 1);
    CHECK_EQ(fcntl(d, F_DUPFD, 20), 20);
    CHECK_EQ(fcntl(d, F_GETFL) & O_ACCMODE, O_RDWR);
    CHECK_EQ(dup3(d, d, 0), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(dup3(d, 21, O_CLOEXEC), 21);
    CHECK_EQ(fcntl(21, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(dup(99), -1);
    CHECK_EQ(errno, EBADF);
    /* stdout duplicated still writes to the console */
    int out = dup(1);
    CHECK(out >= 0);
    CHECK_EQ(write(out, "# dup(1) writes\n", 16), 16);
    const int all[] = {d, 20, 21, 50, e, out};
    for (unsigned i = 0; i < 6; i++)
        CHECK_EQ(close(all[i]), 0);
    CHECK_EQ(close(20), -1);
    CHECK_EQ(errno, EBADF);
    CHECK_EQ(unlink("/tmp/dup"), 0);
    return 0;
}

/* fsync and fdatasync: files through the pager, EINVAL on the console, EBADF. */
static int t_fs_fsync(void)
{
    int fd = open("/tmp/sync", O_CREAT | O_RDWR, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "x", 1), 1);
    CHECK_EQ(fsync(fd), 0);
    CHECK_EQ(fdatasync(fd), 0);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(fsync(fd), -1);
    CHECK_EQ(errno, EBADF);
    CHECK_EQ(fsync(1), -1);
    CHECK_EQ(errno, EINVAL);
    /* the server's own FS_FSYNC */
    struct ipc_msg m = ipc_call(CAP_PROC_FS, IPC_TAG(FS_FSYNC, 1), 31, 0, 0, 0);
    CHECK_EQ((long)m.w[0], -EBADF);
    CHECK_EQ(unlink("/tmp/sync"), 0);
    return 0;
}

/* truncate by path, and open(O_TRUNC), both through the pager. */
static int t_fs_truncate_path(void)
{
    int fd = open("/tmp/tp", O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "0123456789", 10), 10);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(truncate("/tmp/tp", 4), 0);
    struct stat st;
    CHECK_EQ(stat("/tmp/tp", &st), 0);
    CHECK_EQ(st.st_size, 4);
    CHECK_EQ(truncate("/tmp", 0), -1);
    CHECK_EQ(errno, EISDIR);
    CHECK_EQ(truncate("/tmp/nosuch", 0), -1);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(truncate("/tmp/tp", -1), -1);
    CHECK_EQ(errno, EINVAL);
    fd = open("/tmp/tp", O_RDONLY | O_TRUNC); /* read-only: nothing is cut */
    CHECK(fd >= 0);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(stat("/tmp/tp", &st), 0);
    CHECK_EQ(st.st_size, 4);
    CHECK_EQ(ftruncate(1, 0), -1); /* the console */
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(unlink("/tmp/tp"), 0);
    return 0;
}

/* The pager's requests, and truncation by the server itself, are refused to programs. */
static int t_fs_eperm(void)
{
    static const unsigned labels[] = {FS_BMAP,  FS_FDINFO,   FS_LOOKUP, FS_PIN,
                                      FS_UNPIN, FS_TRUNCATE, FS_SYNC,   FS_EXIT};
    int fd = open("/etc/motd", O_RDONLY);
    CHECK(fd >= 0);
    for (unsigned i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        struct ipc_msg m =
            ipc_call(CAP_PROC_FS, IPC_TAG(labels[i], 4), (uint64_t)getpid(), 0, 1, 0);
        CHECK_EQ(m.err, 0);
        CHECK_EQ((long)m.w[0], -EPERM);
    }
    int w = open("/tmp/eperm", O_CREAT | O_RDWR, 0644);
    CHECK(w >= 0);
    CHECK_EQ(write(w, "abc", 3), 3);
    int sfd = fd_server_fd(w);
    CHECK(sfd >= 0);
    struct ipc_msg m = ipc_call(CAP_PROC_FS, IPC_TAG(FS_FTRUNCATE, 2), (uint64_t)sfd, 0, 0, 0);
    CHECK_EQ((long)m.w[0], -EPERM);
    char *b = (char *)&ipc_buffer()->words[IPC_REG_WORDS];
    memcpy(b, "/tmp/eperm", 11);
    m = ipc_call(CAP_PROC_FS, IPC_TAG(FS_OPEN, 6), 11, FS_O_RDWR | FS_O_TRUNC, 0, 0);
    CHECK_EQ((long)m.w[0], -EPERM);
    struct stat st;
    CHECK_EQ(fstat(w, &st), 0);
    CHECK_EQ(st.st_size, 3); /* nothing was cut */
    /* the file still works, and the motd too: the server lives on */
    CHECK_EQ(fd_server_fd(1), -ENODEV);
    CHECK_EQ(fd_server_fd(45), -EBADF);
    CHECK_EQ(close(w), 0);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(unlink("/tmp/eperm"), 0);
    return 0;
}

/* A file unlinked while open stays readable and writable through its descriptor (an orphan),
 * and its inode number is not given to a new file meanwhile. */
static int t_fs_orphan(void)
{
    int fd = open("/data/orphan", O_CREAT | O_RDWR, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "still here", 10), 10);
    struct stat st, st2;
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(unlink("/data/orphan"), 0);
    CHECK_EQ(stat("/data/orphan", &st2), -1);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(fstat(fd, &st2), 0);
    CHECK_EQ(st2.st_nlink, 0);
    CHECK_EQ(st2.st_ino, st.st_ino);
    int n = open("/data/orphan2", O_CREAT | O_RDWR, 0644);
    CHECK(n >= 0);
    struct stat st3;
    CHECK_EQ(fstat(n, &st3), 0);
    CHECK(st3.st_ino != st.st_ino);
    char buf[16] = {0};
    CHECK_EQ(pwrite(fd, "!", 1, 10), 1);
    CHECK_EQ(pread(fd, buf, 16, 0), 11);
    CHECK(!memcmp(buf, "still here!", 11));
    /* rename over an open file: the old one lives on behind its descriptor */
    CHECK_EQ(write(n, "new", 3), 3);
    int o = open("/data/orphan3", O_CREAT | O_RDWR, 0644);
    CHECK(o >= 0);
    CHECK_EQ(write(o, "old", 3), 3);
    CHECK_EQ(rename("/data/orphan2", "/data/orphan3"), 0);
    CHECK_EQ(pread(o, buf, 16, 0), 3);
    CHECK(!memcmp(buf, "old", 3));
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(close(o), 0);
    CHECK_EQ(close(n), 0);
    CHECK_EQ(unlink("/data/orphan3"), 0);
    return 0;
}

const struct ktest fs_tests[] = {
    {"fs_motd", t_fs_motd, "read /etc/motd from the RAM disk with stdio"},
    {"fs_create_rw", t_fs_create_rw, "create, write, read back, fstat; fprintf/fgets"},
    {"fs_append_trunc", t_fs_append_trunc, "O_APPEND writes at the end; O_TRUNC empties"},
    {"fs_excl", t_fs_excl, "O_EXCL -> EEXIST, ENOENT, ENOTDIR, EISDIR, ENAMETOOLONG"},
    {"fs_lseek", t_fs_lseek, "lseek SET/CUR/END, holes, pread/pwrite"},
    {"fs_ftruncate", t_fs_ftruncate, "ftruncate shrinks and grows"},
    {"fs_unlink", t_fs_unlink, "unlink, then ENOENT"},
    {"fs_dirs", t_fs_dirs, "mkdir, rmdir, ENOTEMPTY, ENOTDIR"},
    {"fs_rename", t_fs_rename, "rename across directories; into its own subtree -> EINVAL"},
    {"fs_readdir", t_fs_readdir, "opendir/readdir list a directory's entries"},
    {"fs_badf", t_fs_badf, "EBADF; the server refuses writes on read-only fds (EACCES)"},
    {"fs_malformed", t_fs_malformed, "malformed requests get errors, the server lives on"},
    {"fs_big", t_fs_big, "a 300 KiB file round-trips"},
    {"fs_exit_drops", t_fs_exit_drops, "descriptors of ended processes are dropped"},
    {"fs_dup", t_fs_dup, "dup/dup2/dup3/F_DUPFD share one description; dup2(fd, fd)"},
    {"fs_fsync", t_fs_fsync, "fsync/fdatasync: 0 for files, EINVAL on the console, EBADF"},
    {"fs_truncate_path", t_fs_truncate_path, "truncate(path): EISDIR, ENOENT, EINVAL; O_TRUNC"},
    {"fs_eperm", t_fs_eperm, "the pager's requests, FS_FTRUNCATE and FS_O_TRUNC: EPERM"},
    {"fs_orphan", t_fs_orphan, "unlinked or replaced while open: readable, number kept"},
    {"_fs_leak", c_fs_leak, "(child) open a file and exit without closing it"},
};
const unsigned fs_tests_count = sizeof(fs_tests) / sizeof(fs_tests[0]);

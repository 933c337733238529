/*
 * ext2_test.h - what the ext2 host tests share: TAP output, a scratch directory in the build
 * tree, building images with mke2fs, and checking them with e2fsck and debugfs.
 *
 * Each check prints "ok N - what" or "not ok N - what"; tap_done() prints the plan and gives
 * the exit status. Images live in a mkdtemp() directory under the current directory (the
 * build directory: meson runs the tests there), removed at the end.
 */
#ifndef TESTS_EXT2_TEST_H
#define TESTS_EXT2_TEST_H

#include "ext2/ext2.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int tap_count, tap_failed;
static char scratch[64];

__attribute__((format(printf, 2, 3))) static inline bool ok(bool cond, const char *fmt, ...)
{
    va_list ap;

    tap_count++;
    if (!cond)
        tap_failed++;
    printf("%s %d - ", cond ? "ok" : "not ok", tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    return cond;
}

__attribute__((format(printf, 1, 2))) static inline void diag(const char *fmt, ...)
{
    va_list ap;

    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static inline void run_or_die(const char *cmd)
{
    if (system(cmd) != 0) {
        fprintf(stderr, "failed: %s\n", cmd);
        exit(2);
    }
}

static inline void scratch_init(void)
{
    strcpy(scratch, "ext2-test-XXXXXX");
    if (!mkdtemp(scratch)) {
        perror("mkdtemp");
        exit(2);
    }
}

static inline int tap_done(void)
{
    char cmd[128];

    if (scratch[0] && !tap_failed) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
        run_or_die(cmd);
    } else if (scratch[0]) {
        diag("images kept in %s", scratch);
    }
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}

/* A path inside the scratch directory (a static buffer per call site is the caller's). */
static inline void spath(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", scratch, name);
}

static inline void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (!p) {
        perror("malloc");
        exit(2);
    }
    return p;
}

/* A heap copy of exactly @len bytes (so AddressSanitizer sees a read one byte past it). */
static inline uint8_t *dup_image(const uint8_t *src, size_t len)
{
    uint8_t *p = xmalloc(len);

    if (len)
        memcpy(p, src, len);
    return p;
}

static inline uint8_t *load(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    uint8_t *p;

    if (!f || fstat(fileno(f), &st) != 0) {
        perror(path);
        exit(2);
    }
    p = xmalloc((size_t)st.st_size);
    if (fread(p, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        perror(path);
        exit(2);
    }
    fclose(f);
    *size = (size_t)st.st_size;
    return p;
}

static inline void save(const char *path, const void *p, size_t size)
{
    FILE *f = fopen(path, "wb");

    if (!f || fwrite(p, 1, size, f) != size || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

/* Write @len bytes of @data to the staging file @name (relative to the scratch dir). */
static inline void stage_file(const char *name, const void *data, size_t len)
{
    char p[512];

    spath(p, sizeof(p), name);
    save(p, data, len);
}

static inline void stage_dir(const char *name)
{
    char p[512];

    spath(p, sizeof(p), name);
    if (mkdir(p, 0755) != 0 && errno != EEXIST) {
        perror(p);
        exit(2);
    }
}

/* mke2fs an image of @blocks blocks of @bs bytes from the staging dir @stage (may be NULL). */
static inline uint8_t *make_image(const char *stage, unsigned bs, unsigned blocks,
                                  const char *extra, size_t *size)
{
    char cmd[1024], img[256], st[256];

    spath(img, sizeof(img), "mkfs.img");
    unlink(img);
    if (stage)
        spath(st, sizeof(st), stage);
    snprintf(cmd, sizeof(cmd), "mke2fs -q -F -t ext2 -b %u %s %s%s '%s' %u >/dev/null 2>&1", bs,
             extra ? extra : "", stage ? "-d " : "", stage ? st : "", img, blocks);
    run_or_die(cmd);
    return load(img, size);
}

/* e2fsck -fn on @img; returns its exit status and prints its report as diagnostics if not 0. */
static inline int fsck(const uint8_t *img, size_t size)
{
    char cmd[1024], p[256], log[256], line[512];
    FILE *f;
    int st, lines = 0;

    spath(p, sizeof(p), "check.img");
    spath(log, sizeof(log), "check.log");
    save(p, img, size);
    snprintf(cmd, sizeof(cmd), "e2fsck -fn '%s' >'%s' 2>&1", p, log);
    st = system(cmd);
    st = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
    if (st != 0 && (f = fopen(log, "r"))) {
        while (fgets(line, sizeof(line), f) && lines++ < 40)
            diag("e2fsck: %.*s", (int)strcspn(line, "\n"), line);
        fclose(f);
    }
    return st;
}

/* Whether `debugfs -R "cat @path"` on the image last given to fsck() prints exactly @want. */
static inline bool debugfs_cat(const char *path, const uint8_t *want, size_t len)
{
    char cmd[2048], p[256], out[256];
    uint8_t *got;
    size_t n;
    bool same;

    spath(p, sizeof(p), "check.img");
    spath(out, sizeof(out), "cat.out");
    snprintf(cmd, sizeof(cmd), "debugfs -R 'cat %s' '%s' >'%s' 2>/dev/null", path, p, out);
    if (system(cmd) != 0)
        return false;
    got = load(out, &n);
    same = n == len && (len == 0 || memcmp(got, want, len) == 0);
    free(got);
    return same;
}

/* The test pattern: byte @off of file number @k. */
static inline uint8_t pat(unsigned k, uint64_t off)
{
    return (uint8_t)(off * 31 + k * 7 + (off >> 12) + (off >> 20));
}

static inline void fill_pat(uint8_t *p, size_t len, unsigned k, uint64_t off)
{
    for (size_t i = 0; i < len; i++)
        p[i] = pat(k, off + i);
}

/* The superblock's free block and inode counts. */
static inline uint32_t sb_free_blocks(const struct ext2_fs *fs)
{
    const uint8_t *p = fs->image + 1024 + 12;

    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint32_t sb_free_inodes(const struct ext2_fs *fs)
{
    const uint8_t *p = fs->image + 1024 + 16;

    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif

/*
 * mincore_tests.c - mincore(2), with Linux's answers: errors in Linux's order, private
 * anonymous pages resident once touched and not after MADV_DONTNEED, shared anonymous and
 * file pages resident while their object holds them, PROT_NONE keeping pages, and ranges
 * longer than one pager answer (480 pages).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ktest.h"
#include "mm_util.h"

#define RW   (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

/* How many of vec[0..n) are 1; every byte must be 0 or 1 (else -1). */
static long resident(const unsigned char *vec, size_t n)
{
    long r = 0;
    for (size_t i = 0; i < n; i++) {
        if (vec[i] > 1)
            return -1;
        r += vec[i];
    }
    return r;
}

static int t_mincore_errors(void)
{
    unsigned char vec[4];
    char *p = mmap(NULL, 3 * PG, RW, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK_EQ(mm_call_err(mincore(p + 1, PG, vec)), EINVAL);  /* start not page aligned */
    CHECK_EQ(mm_call_err(mincore(p + 1, 0, vec)), EINVAL);   /* even with no length */
    CHECK_EQ(mm_call_err(mincore(p, 0, vec)), 0);            /* nothing to do */
    CHECK_EQ(mm_call_err(mincore(p, 3 * PG, NULL)), EFAULT); /* no vector */
    CHECK_EQ(mm_call_err(mincore(p, 3 * PG, (void *)t_mincore_errors)), EFAULT); /* text */
    unsigned long ts = (unsigned long)sys_sysinfo(SYSINFO_TASK_SIZE);
    CHECK_EQ(mm_call_err(mincore((void *)(ts - PG), 2 * PG, vec)), ENOMEM); /* past the end */
    CHECK_EQ(mm_call_err(mincore((void *)ts, PG, vec)), ENOMEM);
    CHECK_EQ(munmap(p + PG, PG), 0);
    CHECK_EQ(mm_call_err(mincore(p + PG, PG, vec)), ENOMEM); /* nothing mapped there */
    CHECK_EQ(mm_call_err(mincore(p, 3 * PG, vec)), ENOMEM);  /* a hole inside the range */
    CHECK_EQ(mm_call_err(mincore(p, PG + 1, vec)), ENOMEM);  /* a partial page counts whole */
    CHECK_EQ(mm_call_err(mincore(p, PG, vec)), 0);
    CHECK_EQ(munmap(p, 3 * PG), 0);
    return 0;
}

/* Private anonymous memory: resident once touched, not before, not after MADV_DONTNEED. */
static int t_mincore_anon(void)
{
    unsigned char vec[8];
    memset(vec, 0xaa, sizeof(vec));
    char *p = mmap(NULL, 8 * PG, RW, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK_EQ(mincore(p, 8 * PG, vec), 0);
    CHECK_EQ(resident(vec, 8), 0);
    p[PG] = 1;
    p[5 * PG + 7] = 1;
    CHECK_EQ(mincore(p, 8 * PG, vec), 0);
    CHECK_EQ(resident(vec, 8), 2);
    CHECK(vec[1] && vec[5]);
    CHECK_EQ(mincore(p + PG, 1, vec), 0); /* one byte asks about its page */
    CHECK_EQ(vec[0], 1);
    CHECK_EQ(madvise(p, 8 * PG, MADV_DONTNEED), 0);
    CHECK_EQ(mincore(p, 8 * PG, vec), 0);
    CHECK_EQ(resident(vec, 8), 0);
    /* Pages kept under PROT_NONE are still in memory. */
    p[2 * PG] = 1;
    CHECK_EQ(mprotect(p, 8 * PG, PROT_NONE), 0);
    CHECK_EQ(mincore(p, 8 * PG, vec), 0);
    CHECK_EQ(resident(vec, 8), 1);
    CHECK_EQ(vec[2], 1);
    CHECK_EQ(munmap(p, 8 * PG), 0);
    return 0;
}

/* mlock and MAP_POPULATE make every page resident. */
static int t_mincore_locked(void)
{
    unsigned char vec[16];
    char *p = mmap(NULL, 16 * PG, RW, ANON | MAP_POPULATE, -1, 0);
    char *q = mmap(NULL, 16 * PG, RW, ANON, -1, 0);
    CHECK(p != MAP_FAILED && q != MAP_FAILED);
    CHECK_EQ(mincore(p, 16 * PG, vec), 0);
    CHECK_EQ(resident(vec, 16), 16);
    CHECK_EQ(mlock(q, 16 * PG), 0);
    CHECK_EQ(mincore(q, 16 * PG, vec), 0);
    CHECK_EQ(resident(vec, 16), 16);
    CHECK_EQ(munmap(p, 16 * PG), 0);
    CHECK_EQ(munmap(q, 16 * PG), 0);
    return 0;
}

/* Shared anonymous memory: the object keeps a page MADV_DONTNEED unmapped (Linux's shmem). */
static int t_mincore_shared_anon(void)
{
    unsigned char vec[4];
    char *p = mmap(NULL, 4 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK_EQ(mincore(p, 4 * PG, vec), 0);
    CHECK_EQ(resident(vec, 4), 0);
    p[3 * PG] = 'x';
    CHECK_EQ(madvise(p + 3 * PG, PG, MADV_DONTNEED), 0);
    CHECK_EQ(mincore(p, 4 * PG, vec), 0);
    CHECK_EQ(resident(vec, 4), 1);
    CHECK_EQ(vec[3], 1);
    CHECK_EQ(p[3 * PG], 'x');
    CHECK_EQ(munmap(p, 4 * PG), 0);
    return 0;
}

/* A file's pages are in memory (the RAM disk) before any access; holes and pages past the
 * end of the file are not. */
static int t_mincore_file(void)
{
    const char *path = "/tmp/mincore.file";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    static char page[PG];
    memset(page, 'f', sizeof(page));
    CHECK_EQ(write(fd, page, PG), (long)PG);
    CHECK_EQ(write(fd, page, PG), (long)PG);
    CHECK_EQ(ftruncate(fd, 4 * PG), 0); /* pages 2 and 3: a hole */
    char *p = mmap(NULL, 6 * PG, PROT_READ, MAP_SHARED, fd, 0);
    CHECK(p != MAP_FAILED);
    unsigned char vec[6];
    CHECK_EQ(mincore(p, 6 * PG, vec), 0);
    CHECK_EQ(vec[0], 1);
    CHECK_EQ(vec[1], 1);
    CHECK_EQ(vec[2], 0);
    CHECK_EQ(vec[3], 0);
    CHECK_EQ(vec[4], 0); /* past the end */
    CHECK_EQ(vec[5], 0);
    CHECK_EQ(munmap(p, 6 * PG), 0);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(unlink(path), 0);
    return 0;
}

/* A range longer than one pager answer and over several VMAs. */
static int t_mincore_long(void)
{
    const size_t n = 2000;
    char *p = mmap(NULL, n * PG, RW, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK_EQ(mprotect(p + 700 * PG, 300 * PG, PROT_READ), 0); /* three VMAs now */
    for (size_t i = 0; i < n; i += 3)
        if (i < 700 || i >= 1000)
            p[i * PG] = 1;
    static unsigned char vec[2000];
    memset(vec, 0xaa, sizeof(vec));
    CHECK_EQ(mincore(p, n * PG, vec), 0);
    for (size_t i = 0; i < n; i++) {
        int want = i % 3 == 0 && (i < 700 || i >= 1000);
        if (vec[i] != want) {
            printf("# page %zu: %d, expected %d\n", i, vec[i], want);
            return 1;
        }
    }
    CHECK_EQ(munmap(p, n * PG), 0);
    return 0;
}

const struct ktest mincore_tests[] = {
    {"mincore_errors", t_mincore_errors, "mincore: EINVAL, ENOMEM, EFAULT in Linux's order"},
    {"mincore_anon", t_mincore_anon, "mincore: anonymous pages once touched; DONTNEED; PROT_NONE"},
    {"mincore_locked", t_mincore_locked, "mincore: MAP_POPULATE and mlock make pages resident"},
    {"mincore_shared_anon", t_mincore_shared_anon,
     "mincore: shared anonymous pages stay in memory"},
    {"mincore_file", t_mincore_file, "mincore: file pages resident; holes and past EOF not"},
    {"mincore_long", t_mincore_long, "mincore: 2,000 pages over three VMAs"},
};
const unsigned mincore_tests_count = sizeof(mincore_tests) / sizeof(mincore_tests[0]);

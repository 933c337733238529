/*
 * madvise_tests.c - the madvise advice that changes what fork copies (MADV_DONTFORK,
 * MADV_WIPEONFORK and their undoing), MADV_REMOVE, MADV_FREE, MADV_DONTNEED_LOCKED and the
 * advice locked memory refuses, each with Linux 6.1's answers and errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ktest.h"
#include "mm_util.h"
#include "proc_util.h"

#define RW   (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

/* MADV_DONTFORK: the child has nothing there (a touch is SIGSEGV); MADV_DOFORK undoes it. */
static int t_madv_dontfork(void)
{
    char *p = mmap(NULL, 2 * PG, RW, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    p[0] = 'd';
    CHECK_EQ(madvise(p, PG, MADV_DONTFORK), 0);
    CHECK(mm_smaps_flag((unsigned long)p, "dc"));
    CHECK(!mm_smaps_flag((unsigned long)p + PG, "dc")); /* only the advised page */
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        unsigned char vec[1];
        CCHECK(mincore(p, PG, vec) == -1 && errno == ENOMEM); /* not mapped in the child */
        CCHECK(mincore(p + PG, PG, vec) == 0);
        *(volatile char *)p = 1;
        _exit(0);
    }
    CHECK_SIGNALED(pid, SIGSEGV);
    CHECK_EQ(p[0], 'd');
    CHECK_EQ(madvise(p, 2 * PG, MADV_DOFORK), 0);
    CHECK(!mm_smaps_flag((unsigned long)p, "dc"));
    pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(p[0] == 'd');
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    CHECK_EQ(munmap(p, 2 * PG), 0);
    return 0;
}

/* MADV_WIPEONFORK: the child gets the mapping empty; the parent keeps its data. Only private
 * anonymous memory may be wiped. MADV_KEEPONFORK undoes it. */
static int t_madv_wipeonfork(void)
{
    char *p = mmap(NULL, 2 * PG, RW, ANON, -1, 0);
    char *s = mmap(NULL, PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED && s != MAP_FAILED);
    memset(p, 'w', 2 * PG);
    CHECK_EQ(madvise(p, 2 * PG, MADV_WIPEONFORK), 0);
    CHECK(mm_smaps_flag((unsigned long)p, "wf"));
    CHECK_EQ(mm_call_err(madvise(s, PG, MADV_WIPEONFORK)), EINVAL);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(mm_is_zero(p, 2 * PG));
        CCHECK(mm_smaps_flag((unsigned long)p, "wf")); /* the child's VMA keeps the flag */
        p[0] = 'c';
        CCHECK(p[0] == 'c');
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    CHECK_EQ(p[0], 'w');
    CHECK_EQ(p[2 * PG - 1], 'w');
    CHECK_EQ(madvise(p, 2 * PG, MADV_KEEPONFORK), 0);
    CHECK(!mm_smaps_flag((unsigned long)p, "wf"));
    pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(p[0] == 'w');
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    CHECK_EQ(munmap(p, 2 * PG), 0);
    CHECK_EQ(munmap(s, PG), 0);
    return 0;
}

/* A file mapping cannot be wiped on fork either. */
static int t_madv_wipeonfork_file(void)
{
    const char *path = "/tmp/wipe.file";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(ftruncate(fd, PG), 0);
    char *f = mmap(NULL, PG, RW, MAP_PRIVATE, fd, 0);
    CHECK(f != MAP_FAILED);
    CHECK_EQ(mm_call_err(madvise(f, PG, MADV_WIPEONFORK)), EINVAL);
    CHECK_EQ(madvise(f, PG, MADV_DONTFORK), 0); /* that one any mapping may have */
    CHECK_EQ(munmap(f, PG), 0);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(unlink(path), 0);
    return 0;
}

/* MADV_REMOVE frees shared memory's pages for every process mapping them; other mappings
 * are refused as Linux refuses them. */
static int t_madv_remove(void)
{
    char *s = mmap(NULL, 2 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char *p = mmap(NULL, PG, RW, ANON, -1, 0);
    char *ro = mmap(NULL, PG, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    volatile int *mb = mailbox();
    CHECK(s != MAP_FAILED && p != MAP_FAILED && ro != MAP_FAILED && mb);
    memset(s, 'r', 2 * PG);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(s[PG] == 'r');
        post(&mb[0], 1);
        CCHECK(await(&mb[1], 1));
        CCHECK(s[0] == 'r' && mm_is_zero(s + PG, PG)); /* the parent removed page 1 */
        _exit(0);
    }
    CHECK(await(&mb[0], 1));
    CHECK_EQ(madvise(s + PG, PG, MADV_REMOVE), 0);
    CHECK(mm_is_zero(s + PG, PG));
    CHECK_EQ(s[0], 'r');
    post(&mb[1], 1);
    CHECK_EXIT(pid, 0);
    CHECK_EQ(mm_call_err(madvise(p, PG, MADV_REMOVE)), EINVAL);  /* private anonymous */
    CHECK_EQ(mm_call_err(madvise(ro, PG, MADV_REMOVE)), EACCES); /* not writable */
    const char *path = "/tmp/remove.file";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(ftruncate(fd, PG), 0);
    char *f = mmap(NULL, PG, RW, MAP_SHARED, fd, 0);
    CHECK(f != MAP_FAILED);
    CHECK_EQ(mm_call_err(madvise(f, PG, MADV_REMOVE)), EOPNOTSUPP); /* ext2 punches no holes */
    CHECK_EQ(munmap(f, PG), 0);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(unlink(path), 0);
    return 0;
}

/* MADV_FREE: private anonymous memory only. Locked memory refuses DONTNEED, FREE, COLD and
 * PAGEOUT, but MADV_DONTNEED_LOCKED drops it. */
static int t_madv_free_and_locked(void)
{
    char *p = mmap(NULL, 4 * PG, RW, ANON, -1, 0);
    char *s = mmap(NULL, PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED && s != MAP_FAILED);
    memset(p, 1, 4 * PG);
    CHECK_EQ(madvise(p, 2 * PG, MADV_FREE), 0);
    CHECK_EQ(mm_call_err(madvise(s, PG, MADV_FREE)), EINVAL);
    CHECK_EQ(mlock(p + 2 * PG, 2 * PG), 0);
    CHECK_EQ(mm_call_err(madvise(p + 2 * PG, PG, MADV_DONTNEED)), EINVAL);
    CHECK_EQ(mm_call_err(madvise(p + 2 * PG, PG, MADV_FREE)), EINVAL);
    CHECK_EQ(mm_call_err(madvise(p + 2 * PG, PG, MADV_COLD)), EINVAL);
    CHECK_EQ(mm_call_err(madvise(p + 2 * PG, PG, MADV_PAGEOUT)), EINVAL);
    CHECK_EQ(p[2 * PG], 1);
    CHECK_EQ(madvise(p + 2 * PG, PG, MADV_DONTNEED_LOCKED), 0);
    CHECK(mm_is_zero(p + 2 * PG, PG)); /* dropped; the next touch is a fresh zero page */
    CHECK_EQ(p[3 * PG], 1);
    CHECK_EQ(madvise(p, 2 * PG, MADV_COLD), 0);
    CHECK_EQ(madvise(p, 2 * PG, MADV_PAGEOUT), 0);
    CHECK_EQ(munmap(p, 4 * PG), 0);
    CHECK_EQ(munmap(s, PG), 0);
    return 0;
}

/* MADV_DONTNEED on hugetlb memory drops whole huge pages from an aligned start (Linux 6.1). */
static int t_madv_dontneed_hugetlb(void)
{
    const size_t huge = 2ul << 20;
    char *h = mmap(NULL, 2 * huge, RW, ANON | MAP_HUGETLB, -1, 0);
    CHECK(h != MAP_FAILED);
    h[0] = 'a';
    h[huge] = 'b';
    CHECK_EQ(mm_status_kb("HugetlbPages"), 4096);
    CHECK_EQ(mm_call_err(madvise(h + PG, PG, MADV_DONTNEED)), EINVAL); /* not aligned */
    CHECK_EQ(mm_call_err(madvise(h, PG, MADV_FREE)), EINVAL);
    CHECK_EQ(madvise(h, PG, MADV_DONTNEED), 0); /* the whole first huge page */
    CHECK_EQ(mm_status_kb("HugetlbPages"), 2048);
    CHECK(mm_is_zero(h, PG));
    CHECK_EQ(h[huge], 'b');
    CHECK_EQ(munmap(h, 2 * huge), 0);
    return 0;
}

const struct ktest madvise_tests[] = {
    {"madv_dontfork", t_madv_dontfork, "MADV_DONTFORK: the child has no mapping; DOFORK"},
    {"madv_wipeonfork", t_madv_wipeonfork, "MADV_WIPEONFORK: the child's copy is empty"},
    {"madv_wipeonfork_file", t_madv_wipeonfork_file, "MADV_WIPEONFORK on a file: EINVAL"},
    {"madv_dontneed_hugetlb", t_madv_dontneed_hugetlb,
     "MADV_DONTNEED on hugetlb: whole huge pages from an aligned start"},
    {"madv_remove", t_madv_remove, "MADV_REMOVE: shared pages freed everywhere; errors"},
    {"madv_free_and_locked", t_madv_free_and_locked,
     "MADV_FREE only on private anonymous; locked memory and DONTNEED_LOCKED"},
};
const unsigned madvise_tests_count = sizeof(madvise_tests) / sizeof(madvise_tests[0]);

/*
 * proc_tests.c - processes: fork with copy-on-write, exec, wait statuses, kill (issue 6).
 *
 * Each case runs in its own ktest child, so it may fork, be killed, or leave children behind
 * without taking the harness down. Statuses are checked through POSIX waitpid() with
 * picolibc's signal numbers (the C library translates Linux's). Linux is the reference for
 * every expectation.
 *
 * Parent and child order their steps through the mailbox page (proc_util.h); a child reports
 * a failed check by printing it and exiting 1, and the parent checks every exit status.
 *
 * Cases whose name starts with "_" are programs that other cases exec (`ktest case _NAME
 * ARGS...`): they look at their own argv, environment and descriptors.
 *
 * A case that makes an orphan (orphan_reparent) leaves a zombie under pid 1, which is the
 * ktest harness in the test suite and only waits for its own test processes.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktest.h"
#include "mm_util.h"
#include "proc_util.h"

#define RW   (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

/* ---- copy-on-write ------------------------------------------------------------------------ */

static int t_fork_exit_status(void)
{
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0)
        _exit(42);
    int st = proc_wait(pid);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 42);
    return 0;
}

static int t_fork_cow_anon(void)
{
    volatile char *p =
        mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    p[0] = 1;
    p[4096] = 1;
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        if (p[0] != 1)
            _exit(1);
        p[0] = 2;
        p[8192] = 2; /* a zero page in the parent */
        _exit(p[0] == 2 && p[4096] == 1 && p[8192] == 2 ? 0 : 3);
    }
    int st = proc_wait(pid);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 0);
    CHECK_EQ(p[0], 1);
    CHECK_EQ(p[8192], 0);
    p[4096] = 5; /* the only user now: written in place */
    CHECK_EQ(p[4096], 5);
    return 0;
}

/* Parent and child write the same pages while both live, in turn: neither sees the other. */
static int t_cow_interleaved(void)
{
    volatile char *p = anon(2);
    volatile int *mb = mailbox();
    CHECK(p && mb);
    p[0] = 'A';
    p[PG] = 'a';
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(await(&mb[0], 1));
        CCHECK(p[0] == 'A'); /* the parent wrote 'P' after fork */
        p[0] = 'C';
        p[PG] = 'c';
        post(&mb[1], 1);
        CCHECK(await(&mb[0], 2));
        CCHECK(p[0] == 'C' && p[PG] == 'c');
        _exit(0);
    }
    p[0] = 'P';
    post(&mb[0], 1);
    CHECK(await(&mb[1], 1));
    CHECK_EQ(p[0], 'P');
    CHECK_EQ(p[PG], 'a');
    p[PG] = 'q';
    post(&mb[0], 2);
    CHECK_EXIT(pid, 0);
    CHECK_EQ(p[0], 'P');
    CHECK_EQ(p[PG], 'q');
    return 0;
}

/* Pages only read before fork (the zero page): each side's write is its own. */
static int t_cow_zero_page(void)
{
    volatile char *p = anon(3);
    volatile int *mb = mailbox();
    CHECK(p && mb);
    CHECK_EQ(p[0] + p[PG], 0); /* read faults: zero pages */
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(p[0] == 0);
        p[0] = 1;
        post(&mb[1], 1);
        CCHECK(await(&mb[0], 1));
        CCHECK(mm_is_zero((const void *)(p + PG), PG)); /* the parent's write */
        CCHECK(mm_is_zero((const void *)(p + 2 * PG), PG));
        CCHECK(p[0] == 1);
        _exit(0);
    }
    CHECK(await(&mb[1], 1));
    CHECK(mm_is_zero((const void *)p, 3 * PG));
    p[PG] = 2;
    post(&mb[0], 1);
    CHECK_EXIT(pid, 0);
    CHECK_EQ(p[PG], 2);
    CHECK_EQ(p[0], 0);
    CHECK(mm_is_zero((const void *)(p + 2 * PG), PG));
    return 0;
}

/* MAP_PRIVATE file pages, both a file page and the parent's private copy, across fork. */
static int t_cow_private_file(void)
{
    char path[64];
    int fd = pt_file("cowpriv", 2 * PG, 3, 0644, path);
    CHECK(fd >= 0);
    volatile char *p = mmap(NULL, 2 * PG, RW, MAP_PRIVATE, fd, 0);
    volatile int *mb = mailbox();
    CHECK(p != MAP_FAILED && mb);
    CHECK(is_pat(p, 3, 0, PG)); /* page 0: the file's page */
    p[PG] = 'X';                /* page 1: the parent's private copy */
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(is_pat(p, 3, 0, PG));
        CCHECK(p[PG] == 'X' && is_pat(p + PG + 1, 3, PG + 1, PG - 1));
        p[0] = 'c';
        p[PG] = 'd';
        post(&mb[1], 1);
        CCHECK(await(&mb[0], 1));
        CCHECK(p[0] == 'c' && p[PG] == 'd');
        CCHECK(is_pat(p + 1, 3, 1, PG - 1));
        _exit(0);
    }
    CHECK(await(&mb[1], 1));
    CHECK(is_pat(p, 3, 0, PG));
    CHECK_EQ(p[PG], 'X');
    p[0] = 'e';
    post(&mb[0], 1);
    CHECK_EXIT(pid, 0);
    CHECK_EQ(p[0], 'e');
    char buf[2];
    CHECK_EQ(pread(fd, buf, 1, 0), 1);
    CHECK_EQ(buf[0], pat(3, 0)); /* private writes never reach the file */
    CHECK_EQ(pread(fd, buf, 1, PG), 1);
    CHECK_EQ(buf[0], pat(3, PG));
    close(fd);
    unlink(path);
    return 0;
}

/* Three generations: parent, child and grandchild each see their own writes only. */
static int t_cow_grandchild(void)
{
    volatile char *p = anon(3);
    volatile int *mb = mailbox();
    CHECK(p && mb);
    p[0] = 'A';
    p[PG] = 'A';
    /* p[2 * PG] stays untouched: no page at fork */
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        p[PG] = 'B';
        pid_t gc = pfork();
        CCHECK(gc >= 0);
        if (gc == 0) {
            CCHECK(p[0] == 'A' && p[PG] == 'B' && p[2 * PG] == 0);
            p[0] = 'G';
            p[PG] = 'G';
            p[2 * PG] = 'G';
            post(&mb[2], 1);
            CCHECK(await(&mb[3], 1)); /* the child wrote */
            CCHECK(await(&mb[4], 1)); /* the grandparent wrote */
            CCHECK(p[0] == 'G' && p[PG] == 'G' && p[2 * PG] == 'G');
            _exit(0);
        }
        CCHECK(await(&mb[2], 1));
        CCHECK(p[0] == 'A' && p[PG] == 'B' && p[2 * PG] == 0);
        p[0] = 'C';
        post(&mb[3], 1);
        int st = proc_wait(gc);
        CCHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        CCHECK(p[0] == 'C' && p[PG] == 'B' && p[2 * PG] == 0);
        _exit(0);
    }
    CHECK(await(&mb[2], 1));
    CHECK(p[0] == 'A' && p[PG] == 'A' && p[2 * PG] == 0);
    p[PG] = 'P';
    post(&mb[4], 1);
    CHECK_EXIT(pid, 0);
    CHECK(p[0] == 'A' && p[PG] == 'P' && p[2 * PG] == 0);
    return 0;
}

static int pt_data = 5; /* .data */
static int pt_bss;      /* .bss */

/* The program's own segments, the heap and the stack are copied on write too. */
static int t_cow_data_bss_stack_heap(void)
{
    volatile int *mb = mailbox();
    volatile char stack[256];
    volatile char *heap = malloc(64 << 10);
    CHECK(mb && heap);
    memset((char *)stack, 's', sizeof(stack));
    memset((char *)heap, 'h', 64 << 10);
    pt_data = 6;
    pt_bss = 7;
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(pt_data == 6 && pt_bss == 7 && stack[100] == 's' && heap[60000] == 'h');
        pt_data = 60;
        pt_bss = 70;
        stack[100] = 'S';
        heap[60000] = 'H';
        post(&mb[1], 1);
        CCHECK(await(&mb[0], 1));
        CCHECK(pt_data == 60 && pt_bss == 70 && stack[100] == 'S' && heap[60000] == 'H');
        CCHECK(stack[101] == 's' && heap[100] == 'h');
        _exit(0);
    }
    CHECK(await(&mb[1], 1));
    CHECK(pt_data == 6 && pt_bss == 7 && stack[100] == 's' && heap[60000] == 'h');
    pt_data = 600;
    heap[100] = 'p';
    stack[101] = 'p';
    post(&mb[0], 1);
    CHECK_EXIT(pid, 0);
    CHECK(pt_data == 600 && pt_bss == 7 && stack[101] == 'p' && heap[100] == 'p');
    free((void *)heap);
    return 0;
}

/* A megabyte of distinct pages: the child rewrites all of it, the parent keeps its own. */
static int t_cow_many_pages(void)
{
    enum { N = 256 };
    volatile char *p = anon(N);
    CHECK(p);
    for (unsigned i = 0; i < N; i++)
        for (unsigned j = 0; j < PG; j += 512)
            p[i * PG + j] = (char)(i + j / 512);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        for (unsigned i = 0; i < N; i++)
            for (unsigned j = 0; j < PG; j += 512) {
                CCHECK(p[i * PG + j] == (char)(i + j / 512));
                p[i * PG + j] = (char)~(i + j / 512);
            }
        for (unsigned i = 0; i < N; i++)
            CCHECK(p[i * PG] == (char)~i);
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    for (unsigned i = 0; i < N; i++)
        for (unsigned j = 0; j < PG; j += 512)
            CHECK_EQ(p[i * PG + j], (char)(i + j / 512));
    return 0;
}

/* ---- shared mappings ------------------------------------------------------------------------ */

/* MAP_SHARED|MAP_ANONYMOUS: writes go both ways, also to a page nobody touched before fork. */
static int t_shared_anon_both_ways(void)
{
    volatile char *p = mmap(NULL, 3 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    volatile int *mb = mailbox();
    CHECK(p != MAP_FAILED && mb);
    p[0] = 1;
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(p[0] == 1);
        p[PG] = 7; /* untouched before fork */
        p[0] = 2;  /* written before fork */
        post(&mb[1], 1);
        CCHECK(await(&mb[0], 1));
        CCHECK(p[0] == 9 && p[2 * PG] == 8);
        _exit(0);
    }
    CHECK(await(&mb[1], 1));
    CHECK_EQ(p[PG], 7);
    CHECK_EQ(p[0], 2);
    p[0] = 9;
    p[2 * PG] = 8;
    post(&mb[0], 1);
    CHECK_EXIT(pid, 0);
    return 0;
}

/* A grandchild's write to MAP_SHARED anonymous memory reaches its grandparent. */
static int t_shared_anon_grandchild(void)
{
    volatile char *p = mmap(NULL, 2 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    p[0] = 'a';
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        pid_t gc = pfork();
        CCHECK(gc >= 0);
        if (gc == 0) {
            CCHECK(p[0] == 'a');
            p[0] = 'g';
            p[PG] = 'h';
            _exit(0);
        }
        int st = proc_wait(gc);
        CCHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        CCHECK(p[0] == 'g' && p[PG] == 'h');
        p[PG] = 'c';
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    CHECK_EQ(p[0], 'g');
    CHECK_EQ(p[PG], 'c');
    return 0;
}

/* The parent's private copy of a file page, made inaccessible and accessible again in the
 * child: a read maps the shared copy read-only, the write after it copies it. */
static int t_cow_private_file_mprotect(void)
{
    char path[64];
    int fd = pt_file("cowprot", PG, 4, 0644, path);
    CHECK(fd >= 0);
    volatile char *p = mmap(NULL, PG, RW, MAP_PRIVATE, fd, 0);
    CHECK(p != MAP_FAILED);
    p[0] = 'X'; /* the parent's private copy */
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(mprotect((void *)p, PG, PROT_NONE) == 0);
        CCHECK(mprotect((void *)p, PG, RW) == 0);
        CCHECK(p[0] == 'X' && is_pat(p + 1, 4, 1, PG - 1));
        p[0] = 'c';
        CCHECK(p[0] == 'c');
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    CHECK_EQ(p[0], 'X');
    char buf[1];
    CHECK_EQ(pread(fd, buf, 1, 0), 1);
    CHECK_EQ(buf[0], pat(4, 0));
    close(fd);
    unlink(path);
    return 0;
}

/* MAP_SHARED file pages: both ways, and into the file. */
static int t_shared_file_both_ways(void)
{
    char path[64];
    int fd = pt_file("shfile", 2 * PG, 5, 0644, path);
    CHECK(fd >= 0);
    volatile char *p = mmap(NULL, 2 * PG, RW, MAP_SHARED, fd, 0);
    volatile int *mb = mailbox();
    CHECK(p != MAP_FAILED && mb);
    p[0] = 'p'; /* page 0 mapped before fork, page 1 not */
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(p[0] == 'p');
        p[1] = 'c';
        p[PG] = 'd';
        post(&mb[1], 1);
        CCHECK(await(&mb[0], 1));
        CCHECK(p[2] == 'q' && p[PG + 1] == 'r');
        _exit(0);
    }
    CHECK(await(&mb[1], 1));
    CHECK_EQ(p[1], 'c');
    CHECK_EQ(p[PG], 'd');
    p[2] = 'q';
    p[PG + 1] = 'r';
    post(&mb[0], 1);
    CHECK_EXIT(pid, 0);
    CHECK_EQ(msync((void *)p, 2 * PG, MS_SYNC), 0);
    char buf[3];
    CHECK_EQ(pread(fd, buf, 3, 0), 3);
    CHECK(buf[0] == 'p' && buf[1] == 'c' && buf[2] == 'q');
    CHECK_EQ(pread(fd, buf, 2, PG), 2);
    CHECK(buf[0] == 'd' && buf[1] == 'r');
    close(fd);
    unlink(path);
    return 0;
}

/* A MAP_SHARED anonymous mapping that is read-only at fork, made writable after: still shared. */
static int t_shared_anon_readonly_at_fork(void)
{
    volatile char *p = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    volatile int *mb = mailbox();
    CHECK(p != MAP_FAILED && mb);
    CHECK_EQ(p[0], 0); /* read before fork */
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(mprotect((void *)p, 2 * PG, RW) == 0);
        p[0] = 'c';
        p[PG] = 'd';
        post(&mb[1], 1);
        _exit(0);
    }
    CHECK(await(&mb[1], 1));
    CHECK_EXIT(pid, 0);
    CHECK_EQ(p[0], 'c');
    CHECK_EQ(p[PG], 'd');
    return 0;
}

/* A MAP_SHARED anonymous mapping that is PROT_NONE at fork: fork works, and it stays shared. */
static int t_shared_anon_prot_none_at_fork(void)
{
    volatile char *p = mmap(NULL, 2 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    p[0] = 'a';
    CHECK_EQ(mprotect((void *)p, 2 * PG, PROT_NONE), 0);
    pid_t pid = pfork();
    if (pid < 0)
        printf("# fork: errno %d\n", errno);
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(mprotect((void *)p, 2 * PG, RW) == 0);
        CCHECK(p[0] == 'a');
        p[0] = 'c';
        p[PG] = 'd';
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    CHECK_EQ(mprotect((void *)p, 2 * PG, PROT_READ), 0);
    CHECK_EQ(p[0], 'c');
    CHECK_EQ(p[PG], 'd');
    return 0;
}

/*
 * A large MAP_SHARED anonymous mapping, almost all untouched (more than the machine's RAM):
 * Linux forks without making its pages, and both sides still share what either writes.
 */
static int t_shared_anon_large_untouched(void)
{
    size_t len = 1ul << 30;
    volatile char *p = mmap(NULL, len, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    CHECK(p != MAP_FAILED);
    p[0] = 'a';
    pid_t pid = pfork();
    if (pid < 0)
        printf("# fork: errno %d\n", errno);
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(p[0] == 'a');
        p[len / 2] = 'm';
        p[len - 1] = 'z';
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    CHECK_EQ(p[len / 2], 'm');
    CHECK_EQ(p[len - 1], 'z');
    CHECK_EQ(munmap((void *)p, len), 0);
    return 0;
}

/* MAP_PRIVATE|MAP_HUGETLB: the child sees the parent's data (copied on write, as Linux). */
static int t_cow_hugetlb_private(void)
{
    volatile char *p = mmap(NULL, HPAGE, RW, ANON | MAP_HUGETLB, -1, 0);
    CHECK(p != MAP_FAILED);
    p[0] = 'H';
    p[HPAGE / 2] = 'h';
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(p[0] == 'H' && p[HPAGE / 2] == 'h');
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    p[0] = 'P';
    CHECK_EQ(p[0], 'P');
    CHECK_EQ(p[HPAGE / 2], 'h');
    return 0;
}

/* A private huge page made inaccessible and accessible again in the child: a read maps the
 * shared page read-only again, and the write after it still copies. */
static int t_cow_hugetlb_mprotect(void)
{
    volatile char *p = mmap(NULL, HPAGE, RW, ANON | MAP_HUGETLB, -1, 0);
    CHECK(p != MAP_FAILED);
    p[0] = 'H';
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(mprotect((void *)p, HPAGE, PROT_NONE) == 0);
        CCHECK(mprotect((void *)p, HPAGE, RW) == 0);
        CCHECK(p[0] == 'H');
        p[0] = 'C';
        CCHECK(p[0] == 'C');
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    CHECK_EQ(p[0], 'H');
    CHECK_EQ(munmap((void *)p, HPAGE), 0);
    return 0;
}

/* MAP_SHARED|MAP_HUGETLB: shared across fork, both ways. */
static int t_shared_hugetlb(void)
{
    volatile char *p = mmap(NULL, HPAGE, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
    CHECK(p != MAP_FAILED);
    p[0] = 'H';
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(p[0] == 'H');
        p[1] = 'c';
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    CHECK_EQ(p[1], 'c');
    return 0;
}

/* ---- the hard cases ---------------------------------------------------------------------------
 */

/*
 * mprotect read-only (or inaccessible) and back to read-write on a COW page must not give
 * write access to the shared frame: a read maps it read-only and the next write still copies.
 * side 0: the parent does it, 1: the child; mid: the protection in between.
 */
static int cow_mprotect(int side, int mid)
{
    volatile char *p = anon(2);
    volatile int *mb = mailbox();
    CHECK(p && mb);
    p[0] = 'A';
    p[PG] = 'A';
    pid_t pid = pfork();
    CHECK(pid >= 0);
    bool me = (pid == 0) == (side == 1);
    if (me) {
        if (mprotect((void *)p, 2 * PG, mid) || (mid != PROT_NONE && p[0] != 'A') ||
            mprotect((void *)p, 2 * PG, RW) || p[0] != 'A' || p[PG] != 'A') {
            printf("# mprotect failed\n");
            if (pid == 0)
                _exit(1);
            return 1;
        }
        p[0] = 'W';
        p[PG] = 'W';
        post(&mb[0], 1);
        if (pid == 0) {
            CCHECK(await(&mb[1], 1));
            CCHECK(p[0] == 'W');
            _exit(0);
        }
        CHECK(await(&mb[1], 1));
        CHECK_EXIT(pid, 0);
        CHECK_EQ(p[0], 'W');
        return 0;
    }
    /* the other side: its page must still read 'A' */
    if (pid == 0) {
        CCHECK(await(&mb[0], 1));
        CCHECK(p[0] == 'A' && p[PG] == 'A');
        post(&mb[1], 1);
        _exit(0);
    }
    CHECK(await(&mb[0], 1));
    CHECK_EQ(p[0], 'A');
    CHECK_EQ(p[PG], 'A');
    post(&mb[1], 1);
    CHECK_EXIT(pid, 0);
    CHECK_EQ(p[0], 'A');
    return 0;
}

static int t_cow_mprotect_parent(void)
{
    return cow_mprotect(0, PROT_READ);
}

static int t_cow_mprotect_child(void)
{
    return cow_mprotect(1, PROT_READ);
}

static int t_cow_mprotect_none_parent(void)
{
    return cow_mprotect(0, PROT_NONE);
}

static int t_cow_mprotect_none_child(void)
{
    return cow_mprotect(1, PROT_NONE);
}

/* A page read-only at fork made writable after it, on both sides: each write copies. */
static int t_cow_mprotect_ro_at_fork(void)
{
    volatile char *p = anon(1);
    volatile int *mb = mailbox();
    CHECK(p && mb);
    p[0] = 'A';
    CHECK_EQ(mprotect((void *)p, PG, PROT_READ), 0);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(mprotect((void *)p, PG, RW) == 0);
        p[0] = 'C';
        post(&mb[1], 1);
        CCHECK(await(&mb[0], 1));
        CCHECK(p[0] == 'C');
        _exit(0);
    }
    CHECK(await(&mb[1], 1));
    CHECK_EQ(p[0], 'A');
    CHECK_EQ(mprotect((void *)p, PG, RW), 0);
    p[0] = 'P';
    post(&mb[0], 1);
    CHECK_EXIT(pid, 0);
    CHECK_EQ(p[0], 'P');
    return 0;
}

/* mremap (moved with MREMAP_FIXED) of COW pages on one side: the moved pages still copy. */
static int cow_mremap(int side)
{
    volatile char *p = anon(2);
    volatile int *mb = mailbox();
    void *dst = mmap(NULL, 2 * PG, RW, ANON, -1, 0);
    CHECK(p && mb && dst != MAP_FAILED);
    p[0] = 'A';
    p[PG] = 'B';
    pid_t pid = pfork();
    CHECK(pid >= 0);
    bool me = (pid == 0) == (side == 1);
    if (me) {
        volatile char *q = mremap((void *)p, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
        if (q != dst || q[0] != 'A' || q[PG] != 'B') {
            printf("# mremap: %p (expected %p)\n", (void *)q, dst);
            if (pid == 0)
                _exit(1);
            return 1;
        }
        q[0] = 'M';
        q[PG] = 'N';
        post(&mb[0], 1);
        if (pid == 0) {
            CCHECK(await(&mb[1], 1));
            CCHECK(q[0] == 'M' && q[PG] == 'N');
            _exit(0);
        }
        CHECK(await(&mb[1], 1));
        CHECK_EXIT(pid, 0);
        CHECK(q[0] == 'M' && q[PG] == 'N');
        return 0;
    }
    if (pid == 0) {
        CCHECK(await(&mb[0], 1));
        CCHECK(p[0] == 'A' && p[PG] == 'B');
        CCHECK(mm_is_zero(dst, 2 * PG));
        post(&mb[1], 1);
        _exit(0);
    }
    CHECK(await(&mb[0], 1));
    CHECK(p[0] == 'A' && p[PG] == 'B');
    CHECK(mm_is_zero(dst, 2 * PG));
    post(&mb[1], 1);
    CHECK_EXIT(pid, 0);
    CHECK(p[0] == 'A' && p[PG] == 'B');
    return 0;
}

static int t_cow_mremap_parent(void)
{
    return cow_mremap(0);
}

static int t_cow_mremap_child(void)
{
    return cow_mremap(1);
}

/* MADV_DONTNEED of shared-by-COW anonymous pages on one side leaves the other's alone. */
static int cow_dontneed(int side)
{
    volatile char *p = anon(2);
    volatile int *mb = mailbox();
    CHECK(p && mb);
    p[0] = 'A';
    p[PG] = 'B';
    pid_t pid = pfork();
    CHECK(pid >= 0);
    bool me = (pid == 0) == (side == 1);
    if (me) {
        if (madvise((void *)p, 2 * PG, MADV_DONTNEED) || !mm_is_zero((const void *)p, 2 * PG)) {
            printf("# MADV_DONTNEED: error or not zero\n");
            if (pid == 0)
                _exit(1);
            return 1;
        }
        p[0] = 'Z';
        post(&mb[0], 1);
        if (pid == 0) {
            CCHECK(await(&mb[1], 1));
            CCHECK(p[0] == 'Z' && p[PG] == 0);
            _exit(0);
        }
        CHECK(await(&mb[1], 1));
        CHECK_EXIT(pid, 0);
        CHECK(p[0] == 'Z' && p[PG] == 0);
        return 0;
    }
    if (pid == 0) {
        CCHECK(await(&mb[0], 1));
        CCHECK(p[0] == 'A' && p[PG] == 'B');
        post(&mb[1], 1);
        _exit(0);
    }
    CHECK(await(&mb[0], 1));
    CHECK(p[0] == 'A' && p[PG] == 'B');
    post(&mb[1], 1);
    CHECK_EXIT(pid, 0);
    return 0;
}

static int t_cow_dontneed_child(void)
{
    return cow_dontneed(1);
}

static int t_cow_dontneed_parent(void)
{
    return cow_dontneed(0);
}

/* MADV_DONTNEED of a private file page in the child: the file again, the parent's copy stays. */
static int t_cow_dontneed_file(void)
{
    char path[64];
    int fd = pt_file("dontneed", 2 * PG, 9, 0644, path);
    CHECK(fd >= 0);
    volatile char *p = mmap(NULL, 2 * PG, RW, MAP_PRIVATE, fd, 0);
    CHECK(p != MAP_FAILED);
    p[0] = 'X';  /* the parent's private copy */
    (void)p[PG]; /* the file's page */
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(p[0] == 'X');
        p[PG] = 'Y'; /* the child's private copy of page 1 */
        CCHECK(madvise((void *)p, 2 * PG, MADV_DONTNEED) == 0);
        CCHECK(is_pat(p, 9, 0, 2 * PG));
        p[0] = 'c';
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    CHECK_EQ(p[0], 'X');
    CHECK(is_pat(p + 1, 9, 1, 2 * PG - 1));
    close(fd);
    unlink(path);
    return 0;
}

/* mlock is not inherited: the child's VmLck is 0 kB, the parent keeps its own. */
static int t_fork_mlock_not_inherited(void)
{
    volatile char *p = anon(4);
    volatile int *mb = mailbox();
    CHECK(p && mb);
    CHECK_EQ(mlock((void *)p, 4 * PG), 0);
    long locked = mm_status_kb("VmLck");
    CHECK(locked >= 16);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        long l = mm_status_kb("VmLck");
        if (l != 0)
            printf("# child: VmLck %ld kB\n", l);
        CCHECK(l == 0);
        p[0] = 1; /* still writable, now a copy */
        post(&mb[1], 1);
        CCHECK(await(&mb[0], 1));
        _exit(0);
    }
    CHECK(await(&mb[1], 1));
    CHECK_EQ(mm_status_kb("VmLck"), locked);
    post(&mb[0], 1);
    CHECK_EXIT(pid, 0);
    CHECK_EQ(mm_status_kb("VmLck"), locked);
    CHECK_EQ(p[0], 0);
    return 0;
}

/* After the child is gone, the parent's write to a formerly shared page reuses its frame. */
static int t_cow_reuse_after_exit(void)
{
    enum { N = 8 };
    volatile char *p = anon(N);
    CHECK(p);
    for (unsigned i = 0; i < N; i++)
        p[i * PG] = 'a';
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        for (unsigned i = 0; i < N; i++)
            CCHECK(p[i * PG] == 'a'); /* reads only */
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    long f0 = pager_free_frames();
    for (unsigned i = 0; i < N; i++)
        p[i * PG] = 'b';
    long f1 = pager_free_frames();
    CHECK_EQ(f1, f0);
    return 0;
}

/* Once the child has its own copies, the parent's frames are its alone: writes reuse them. */
static int t_cow_reuse_after_child_copy(void)
{
    enum { N = 8 };
    volatile char *p = anon(N);
    volatile int *mb = mailbox();
    CHECK(p && mb);
    for (unsigned i = 0; i < N; i++)
        p[i * PG] = 'a';
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        for (unsigned i = 0; i < N; i++)
            p[i * PG] = 'c';
        post(&mb[1], 1);
        CCHECK(await(&mb[0], 1));
        _exit(0);
    }
    CHECK(await(&mb[1], 1));
    long f0 = pager_free_frames();
    for (unsigned i = 0; i < N; i++)
        p[i * PG] = 'b';
    long f1 = pager_free_frames();
    post(&mb[0], 1);
    CHECK_EXIT(pid, 0);
    CHECK_EQ(f1, f0);
    for (unsigned i = 0; i < N; i++)
        CHECK_EQ(p[i * PG], 'b');
    return 0;
}

/*
 * The child lets go of COW pages (munmap of some, MADV_DONTNEED of others): the parent's frames
 * are its alone again, and its writes reuse them.
 */
static int t_cow_unmap_child_reuse(void)
{
    enum { N = 8 };
    volatile char *p = anon(N);
    volatile int *mb = mailbox();
    CHECK(p && mb);
    for (unsigned i = 0; i < N; i++)
        p[i * PG] = 'a';
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(munmap((void *)p, N / 2 * PG) == 0);
        CCHECK(madvise((void *)(p + N / 2 * PG), N / 2 * PG, MADV_DONTNEED) == 0);
        post(&mb[1], 1);
        CCHECK(await(&mb[0], 1));
        CCHECK(mm_is_zero((const void *)(p + N / 2 * PG), N / 2 * PG));
        _exit(0);
    }
    CHECK(await(&mb[1], 1));
    long f0 = pager_free_frames();
    for (unsigned i = 0; i < N; i++)
        p[i * PG] = 'b';
    long f1 = pager_free_frames();
    post(&mb[0], 1);
    CHECK_EXIT(pid, 0);
    if (f1 != f0)
        printf("# %ld frames taken by writes to pages only the parent maps\n", f0 - f1);
    CHECK_EQ(f1, f0);
    return 0;
}

/* The child's program break starts at the parent's and moves on its own. */
static int t_fork_brk(void)
{
    char *b0 = sbrk(0);
    CHECK(b0 != (char *)-1);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(sbrk(0) == b0);
        char *q = sbrk(64 << 10);
        CCHECK(q == b0);
        memset(q, 'c', 64 << 10);
        CCHECK(sbrk(0) == b0 + (64 << 10));
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    CHECK(sbrk(0) == b0);
    char *q = sbrk(64 << 10);
    CHECK(q == b0);
    CHECK(mm_is_zero(q, 64 << 10)); /* not the child's pages */
    return 0;
}

/* Recurse through about `kb` KiB of stack, writing each frame. */
static int deep_stack_kb(int kb)
{
    volatile char buf[1000];
    buf[0] = (char)kb;
    buf[999] = 1;
    return kb > 0 ? deep_stack_kb(kb - 1) + buf[999] : 0;
}

/* The child's stack grows far below anything the parent used, and the parent's can too. */
static int t_fork_stack_grows(void)
{
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(deep_stack_kb(2048) == 2048);
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    CHECK_EQ(deep_stack_kb(1024), 1024);
    return 0;
}

/* The child's /proc/self/maps is the parent's. */
static int t_fork_maps_equal(void)
{
    static char before[16384];
    size_t n;
    const char *m = mm_slurp("/proc/self/maps", &n);
    CHECK(m && n < sizeof(before));
    memcpy(before, m, n + 1);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        size_t k;
        const char *c = mm_slurp("/proc/self/maps", &k);
        CCHECK(c);
        if (k != n || memcmp(c, before, n))
            printf("# parent's maps:\n%s# child's maps:\n%s", before, c);
        CCHECK(k == n && !memcmp(c, before, n));
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    return 0;
}

/* ---- reference counts and the process limit ---------------------------------------------------
 */

/* Recurse through depth pages of stack, writing each. */
static int deep_stack(int depth)
{
    volatile char buf[3000];
    buf[0] = (char)depth;
    buf[2999] = (char)depth;
    return depth ? deep_stack(depth - 1) + buf[0] : buf[2999];
}

/* A child that touches memory of every kind: its own and the parent's, heap, mmap, stack. */
static void toucher(volatile char *p, unsigned n)
{
    for (unsigned i = 0; i < n; i += 2)
        p[i * PG] = 'c';
    char *h = malloc(32 << 10);
    CCHECK(h);
    memset(h, 1, 32 << 10);
    volatile char *m = anon(4);
    CCHECK(m);
    m[0] = m[3 * PG] = 1;
    CCHECK(deep_stack(8) > 0);
    _exit(0);
}

/*
 * 50 fork/exit cycles of children that touch memory: not a frame is lost. One cycle runs
 * before the count: the first fork may take frames for the parent's own first touches (a new
 * stack page, stdio), which it keeps.
 */
static int t_fork_no_leak(void)
{
    enum { N = 16 };
    volatile char *p = anon(N);
    CHECK(p);
    for (unsigned i = 0; i < N; i++)
        p[i * PG] = 'a';
    long f0 = 0;
    for (int round = -1; round < 50; round++) {
        if (round == 0)
            f0 = pager_free_frames();
        pid_t pid = pfork();
        CHECK(pid >= 0);
        if (pid == 0)
            toucher(p, N);
        if (round & 1)
            for (unsigned i = 1; i < N; i += 2)
                p[i * PG] = (char)round; /* copies in the parent while the child may live */
        CHECK_EXIT(pid, 0);
    }
    long f1 = pager_free_frames();
    if (f1 != f0)
        printf("# %ld frames lost in 50 forks\n", f0 - f1);
    CHECK_EQ(f1, f0);
    return 0;
}

/*
 * The file server forgets a process's descriptors when it exits: 150 children, each with the
 * parent's open file (more than the server's 64 tables or 512 open files would hold if it
 * did not), each opening one more of its own; then the parent still opens and reads files,
 * and the shared offset moved exactly as the children read.
 */
static int t_fork_fs_no_leak(void)
{
    const char *path = "/tmp/proc_fsleak";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    char buf[200];
    memset(buf, 'z', sizeof(buf));
    CHECK_EQ(write(fd, buf, sizeof(buf)), (long)sizeof(buf));
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    for (int i = 0; i < 150; i++) {
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            char c;
            int own = open(path, O_RDONLY);
            _exit(own >= 0 && read(fd, &c, 1) == 1 && c == 'z' ? 0 : 1);
        }
        CHECK_EXIT(pid, 0);
    }
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 150);
    for (int i = 0; i < 40; i++) {
        int more = open(path, O_RDONLY);
        CHECK(more >= 0);
        CHECK_EQ(read(more, buf, 10), 10);
        CHECK_EQ(close(more), 0);
    }
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(unlink(path), 0);
    return 0;
}

/* The fork bomb's shared counters. */
struct bomb {
    int pending; /* processes not yet done forking (or about to be made) */
    int procs;   /* processes made */
    int eagain;  /* forks that failed with EAGAIN */
    int other;   /* forks that failed otherwise */
    int stop;    /* set by the case: reap your children and exit */
    int bad;     /* a process whose wait went wrong */
};

#define BOMB_KIDS 64

/* Fork until fork fails, every child doing the same; returns in each with its children. */
static int bomb_fork(volatile struct bomb *b, pid_t *kids)
{
    int n = 0;
    while (n < BOMB_KIDS) {
        __atomic_add_fetch(&b->pending, 1, __ATOMIC_SEQ_CST);
        pid_t pid = fork();
        if (pid == 0) {
            n = 0;
            __atomic_add_fetch(&b->procs, 1, __ATOMIC_SEQ_CST);
            continue;
        }
        if (pid < 0) {
            __atomic_add_fetch(errno == EAGAIN ? &b->eagain : &b->other, 1, __ATOMIC_SEQ_CST);
            __atomic_sub_fetch(&b->pending, 1, __ATOMIC_SEQ_CST); /* not made */
            break;
        }
        kids[n++] = pid;
    }
    __atomic_sub_fetch(&b->pending, 1, __ATOMIC_SEQ_CST);
    return n;
}

/* Reap kids[0..n); returns how many did not exit 0. */
static int bomb_reap(pid_t *kids, int n)
{
    int bad = 0;
    for (int i = 0; i < n; i++) {
        int st = proc_wait(kids[i]);
        bad += st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0;
    }
    return bad;
}

/* One fork bomb from this process; returns the number of processes it made, or -1. */
static int bomb_once(volatile struct bomb *b)
{
    memset((void *)b, 0, sizeof(*b));
    b->pending = 1;
    pid_t me = getpid(), kids[BOMB_KIDS];
    fflush(stdout);
    int n = bomb_fork(b, kids);
    if (getpid() != me) {
        /* a bomb process: wait for the end, reap, go */
        bool ok = await(&b->stop, 1) || await(&b->stop, 1) || await(&b->stop, 1);
        int bad = bomb_reap(kids, n);
        if (bad || !ok)
            __atomic_add_fetch(&b->bad, 1, __ATOMIC_SEQ_CST);
        _exit(0);
    }
    bool settled = await(&b->pending, 0) || await(&b->pending, 0);
    int procs = b->procs, eagain = b->eagain, other = b->other;
    post(&b->stop, 1);
    int bad = bomb_reap(kids, n);
    printf("# fork bomb: %d processes, %d EAGAIN, %d other errors, %d bad waits\n", procs, eagain,
           other, bad + b->bad);
    if (!settled || other || !eagain || bad || b->bad || procs < 4)
        return -1;
    return procs;
}

/*
 * A fork bomb is contained by the process limit (EAGAIN), leaks nothing, and can go again to
 * the same number of processes. A first bomb runs before the frames are counted (the first
 * time this process does all this, it may take frames for itself: stack, stdio).
 */
static int t_fork_bomb(void)
{
    volatile struct bomb *b = (volatile struct bomb *)mailbox();
    CHECK(b);
    int n0 = bomb_once(b);
    CHECK(n0 > 0);
    long f0 = pager_free_frames();
    int n1 = bomb_once(b);
    CHECK_EQ(n1, n0); /* every slot came back */
    long f1 = pager_free_frames();
    if (f1 != f0)
        printf("# %ld frames lost in a fork bomb\n", f0 - f1);
    CHECK_EQ(f1, f0);
    int n2 = bomb_once(b);
    CHECK_EQ(n2, n0);
    CHECK_EQ(pager_free_frames(), f0);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0)
        _exit(3);
    CHECK_EXIT(pid, 3);
    return 0;
}

/* ---- wait statuses, kill, pids ------------------------------------------------------------ */

static int t_wait_exit_codes(void)
{
    static const int codes[] = {0, 1, 127, 255, 256 + 3};
    pid_t pids[5];
    for (int i = 0; i < 5; i++) {
        pids[i] = pfork();
        CHECK(pids[i] >= 0);
        if (pids[i] == 0) {
            if (i == 4)
                exit(codes[i]); /* through exit(): only the low 8 bits */
            _exit(codes[i]);
        }
    }
    for (int i = 4; i >= 0; i--)
        CHECK_EXIT(pids[i], codes[i] & 0xff);
    return 0;
}

static int t_wait_sigsegv(void)
{
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        volatile uintptr_t bad = 8;
        *(volatile int *)bad = 1;
        _exit(0);
    }
    int st = proc_wait(pid);
    CHECK(WIFSIGNALED(st));
    CHECK_EQ(WTERMSIG(st), SIGSEGV);
    return 0;
}

/* A read of a file mapping past the end of the file is SIGBUS. */
static int t_wait_sigbus(void)
{
    char path[64];
    int fd = pt_file("sigbus", 100, 4, 0644, path);
    CHECK(fd >= 0);
    volatile char *p = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(p != MAP_FAILED);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(is_pat(p, 4, 0, 100) && p[100] == 0); /* the zero tail */
        (void)p[PG];
        _exit(0);
    }
    int st = proc_wait(pid);
    close(fd);
    unlink(path);
    CHECK(WIFSIGNALED(st));
    CHECK_EQ(WTERMSIG(st), SIGBUS);
    return 0;
}

/* kill(sig) of a child spinning in a loop: WIFSIGNALED with that signal. */
static int kill_spinner(int sig)
{
    volatile int *mb = mailbox();
    CHECK(mb);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0)
        for (;;)
            __atomic_add_fetch(&mb[1], 1, __ATOMIC_SEQ_CST);
    uint64_t deadline = kt_now() + PT_WAIT_S * kt_hz();
    while (!mb[1] && kt_now() < deadline)
        sys_yield();
    CHECK(mb[1] != 0); /* it runs */
    CHECK_EQ(kill(pid, 0), 0);
    CHECK_EQ(kill(pid, sig), 0);
    CHECK_SIGNALED(pid, sig);
    CHECK_EQ(kill(pid, 0), -1); /* gone and reaped */
    CHECK_EQ(errno, ESRCH);
    return 0;
}

static int t_kill_sigterm(void)
{
    return kill_spinner(SIGTERM);
}

static int t_kill_sigkill(void)
{
    return kill_spinner(SIGKILL);
}

/* kill's errors: ESRCH for no such process, EINVAL for a bad signal. */
static int t_kill_errors(void)
{
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0)
        _exit(0);
    CHECK_EXIT(pid, 0);
    CHECK_EQ(kill(pid, SIGTERM), -1);
    CHECK_EQ(errno, ESRCH);
    CHECK_EQ(kill(getpid(), 200), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(kill(getpid(), 0), 0);
    return 0;
}

/* WNOHANG returns 0 while the child runs, then its pid once it has exited. */
static int t_wait_wnohang(void)
{
    volatile int *mb = mailbox();
    CHECK(mb);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(await(&mb[0], 1));
        _exit(5);
    }
    int st = -1;
    CHECK_EQ(waitpid(pid, &st, WNOHANG), 0);
    CHECK_EQ(waitpid(-1, &st, WNOHANG), 0);
    post(&mb[0], 1);
    uint64_t deadline = kt_now() + PT_WAIT_S * kt_hz();
    pid_t r;
    while ((r = waitpid(pid, &st, WNOHANG)) == 0 && kt_now() < deadline)
        sys_yield();
    CHECK_EQ(r, pid);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 5);
    CHECK_EQ(waitpid(-1, &st, WNOHANG), -1); /* no children left */
    CHECK_EQ(errno, ECHILD);
    return 0;
}

/* waitpid on what is not a child (pid 1, itself, a grandchild, a reaped child) is ECHILD. */
static int t_wait_echild(void)
{
    int st;
    CHECK_EQ(waitpid(-1, &st, 0), -1);
    CHECK_EQ(errno, ECHILD);
    CHECK_EQ(waitpid(1, &st, 0), -1);
    CHECK_EQ(errno, ECHILD);
    CHECK_EQ(waitpid(getpid(), &st, 0), -1);
    CHECK_EQ(errno, ECHILD);
    volatile int *mb = mailbox();
    CHECK(mb);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        pid_t gc = pfork();
        CCHECK(gc >= 0);
        if (gc == 0) {
            CCHECK(await(&mb[1], 1));
            _exit(0);
        }
        post(&mb[0], gc);
        CCHECK(await(&mb[1], 1));
        int s = proc_wait(gc);
        CCHECK(WIFEXITED(s) && WEXITSTATUS(s) == 0);
        _exit(0);
    }
    uint64_t deadline = kt_now() + PT_WAIT_S * kt_hz();
    while (!mb[0] && kt_now() < deadline)
        sys_yield();
    CHECK(mb[0] > 0);
    CHECK_EQ(waitpid(mb[0], &st, WNOHANG), -1); /* the grandchild */
    CHECK_EQ(errno, ECHILD);
    post(&mb[1], 1);
    CHECK_EXIT(pid, 0);
    CHECK_EQ(waitpid(pid, &st, 0), -1); /* reaped already */
    CHECK_EQ(errno, ECHILD);
    return 0;
}

/* wait() reaps each of several children exactly once, with its own status. */
static int t_wait_any(void)
{
    pid_t pids[3];
    for (int i = 0; i < 3; i++) {
        pids[i] = pfork();
        CHECK(pids[i] >= 0);
        if (pids[i] == 0) {
            for (int k = 0; k < (2 - i) * 5; k++)
                sys_yield();
            _exit(10 + i);
        }
    }
    bool seen[3] = {false, false, false};
    for (int n = 0; n < 3; n++) {
        int st = 0;
        pid_t r = wait(&st);
        CHECK(r > 0);
        int i = 0;
        while (i < 3 && pids[i] != r)
            i++;
        CHECK(i < 3 && !seen[i]);
        seen[i] = true;
        CHECK(WIFEXITED(st));
        CHECK_EQ(WEXITSTATUS(st), 10 + i);
    }
    int st;
    CHECK_EQ(wait(&st), -1);
    CHECK_EQ(errno, ECHILD);
    return 0;
}

/* In the child, getpid() is what fork returned and getppid() the parent's pid. */
static int t_getpid_getppid(void)
{
    volatile int *mb = mailbox();
    CHECK(mb);
    pid_t me = getpid();
    CHECK(me > 1);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        post(&mb[0], getpid());
        post(&mb[1], getppid());
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    CHECK(pid != me);
    CHECK_EQ(mb[0], pid);
    CHECK_EQ(mb[1], me);
    CHECK_EQ(getpid(), me);
    return 0;
}

/* A child whose parent has exited gets getppid() == 1 (the reaper). */
static int t_orphan_reparent(void)
{
    volatile int *mb = mailbox();
    CHECK(mb);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        pid_t gc = pfork();
        CCHECK(gc >= 0);
        if (gc == 0) {
            pid_t parent = getppid();
            post(&mb[2], parent);
            uint64_t deadline = kt_now() + PT_WAIT_S * kt_hz();
            while (getppid() == parent && kt_now() < deadline)
                sys_yield();
            post(&mb[1], getppid());
            post(&mb[0], 1);
            _exit(0);
        }
        CCHECK(await(&mb[2], getpid()));
        _exit(0); /* leaves gc an orphan */
    }
    CHECK_EXIT(pid, 0);
    CHECK(await(&mb[0], 1));
    CHECK_EQ(mb[2], pid);
    CHECK_EQ(mb[1], 1);
    return 0;
}

/*
 * A process killed while it blocks in waitpid: its status is SIGKILL, and the pager forgets the
 * wait (its grandchild, now init's, still runs and exits; it stays a zombie of pid 1).
 */
static int t_kill_waiting_parent(void)
{
    volatile int *mb = mailbox();
    CHECK(mb);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        pid_t gc = pfork();
        CCHECK(gc >= 0);
        if (gc == 0) {
            CCHECK(await(&mb[1], 1));
            post(&mb[2], getppid());
            _exit(0);
        }
        post(&mb[0], 1);
        proc_wait(gc); /* blocks until killed */
        _exit(1);
    }
    CHECK(await(&mb[0], 1));
    for (int i = 0; i < 20; i++)
        sys_yield(); /* let it block in waitpid */
    CHECK_EQ(kill(pid, SIGKILL), 0);
    CHECK_SIGNALED(pid, SIGKILL);
    post(&mb[1], 1);
    CHECK(await(&mb[2], 1)); /* the grandchild ran on, now init's */
    /* the pager serves waits as before */
    pid_t c = pfork();
    CHECK(c >= 0);
    if (c == 0)
        _exit(4);
    CHECK_EXIT(c, 4);
    return 0;
}

/* ---- descriptors across fork -------------------------------------------------------------- */

/* The child reads a file the parent opened. */
static int t_fork_fd_read(void)
{
    char path[64];
    int fd = pt_file("fdread", 3000, 6, 0644, path);
    CHECK(fd >= 0);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char buf[3000];
        CCHECK(read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf));
        CCHECK(is_pat(buf, 6, 0, sizeof(buf)));
        CCHECK(write(fd, "tail", 4) == 4); /* and writes through it */
        close(fd);
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    char buf[4];
    CHECK_EQ(pread(fd, buf, 4, 3000), 4); /* the parent's descriptor is still open */
    CHECK(!memcmp(buf, "tail", 4));
    close(fd);
    unlink(path);
    return 0;
}

/* Parent and child share the open file description: its offset moves for both (Linux). */
static int t_fork_fd_offset_shared(void)
{
    char path[64];
    int fd = pt_file("fdoff", 0, 0, 0644, path);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "0123456789", 10), 10);
    CHECK_EQ(lseek(fd, 2, SEEK_SET), 2);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char b[3];
        CCHECK(read(fd, b, 3) == 3 && !memcmp(b, "234", 3));
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    off_t off = lseek(fd, 0, SEEK_CUR);
    close(fd);
    unlink(path);
    CHECK_EQ(off, 5);
    return 0;
}

const struct ktest proc_tests[] = {
    {"fork_exit_status", t_fork_exit_status, "a child's exit code reaches waitpid"},
    {"fork_cow_anon", t_fork_cow_anon, "private pages are copied on write, both ways"},
    {"cow_interleaved", t_cow_interleaved, "parent and child write in turn, each sees its own"},
    {"cow_zero_page", t_cow_zero_page, "zero pages at fork: each side's write is its own"},
    {"cow_private_file", t_cow_private_file, "MAP_PRIVATE file pages and copies across fork"},
    {"cow_private_file_mprotect", t_cow_private_file_mprotect,
     "a private file copy: mprotect NONE then RW in the child, read then write, still copies"},
    {"cow_grandchild", t_cow_grandchild, "parent, child, grandchild see only their own writes"},
    {"cow_data_bss_stack_heap", t_cow_data_bss_stack_heap, ".data, .bss, stack, heap are COW"},
    {"cow_many_pages", t_cow_many_pages, "a megabyte rewritten by the child, kept by the parent"},
    {"shared_anon_both_ways", t_shared_anon_both_ways, "MAP_SHARED anonymous stays shared"},
    {"shared_anon_grandchild", t_shared_anon_grandchild, "a grandchild's shared write arrives"},
    {"shared_file_both_ways", t_shared_file_both_ways, "MAP_SHARED file pages stay shared"},
    {"shared_anon_readonly_at_fork", t_shared_anon_readonly_at_fork, "PROT_READ at fork, RW after"},
    {"shared_anon_prot_none_at_fork", t_shared_anon_prot_none_at_fork, "PROT_NONE at fork"},
    {"shared_anon_large_untouched", t_shared_anon_large_untouched, "1 GiB shared, untouched"},
    {"cow_hugetlb_private", t_cow_hugetlb_private, "MAP_PRIVATE hugetlb: the child sees the data"},
    {"cow_hugetlb_mprotect", t_cow_hugetlb_mprotect,
     "MAP_PRIVATE hugetlb: mprotect NONE then RW in the child, read then write, still copies"},
    {"shared_hugetlb", t_shared_hugetlb, "MAP_SHARED hugetlb stays shared"},
    {"cow_mprotect_parent", t_cow_mprotect_parent,
     "mprotect RO then RW in the parent still copies"},
    {"cow_mprotect_child", t_cow_mprotect_child, "mprotect RO then RW in the child still copies"},
    {"cow_mprotect_none_parent", t_cow_mprotect_none_parent,
     "mprotect NONE then RW, read then write, in the parent still copies"},
    {"cow_mprotect_none_child", t_cow_mprotect_none_child,
     "mprotect NONE then RW, read then write, in the child still copies"},
    {"cow_mprotect_ro_at_fork", t_cow_mprotect_ro_at_fork, "read-only at fork, RW after: copies"},
    {"cow_mremap_parent", t_cow_mremap_parent, "COW pages moved by mremap in the parent copy"},
    {"cow_mremap_child", t_cow_mremap_child, "COW pages moved by mremap in the child copy"},
    {"cow_dontneed_child", t_cow_dontneed_child, "MADV_DONTNEED in the child: zeros, parent kept"},
    {"cow_dontneed_parent", t_cow_dontneed_parent, "MADV_DONTNEED in the parent: child kept"},
    {"cow_dontneed_file", t_cow_dontneed_file, "MADV_DONTNEED of private file pages in the child"},
    {"fork_mlock_not_inherited", t_fork_mlock_not_inherited, "the child's VmLck is 0 kB"},
    {"cow_reuse_after_exit", t_cow_reuse_after_exit, "the child gone, the parent reuses frames"},
    {"cow_reuse_after_child_copy", t_cow_reuse_after_child_copy, "the child copied: reuse"},
    {"cow_unmap_child_reuse", t_cow_unmap_child_reuse, "child munmap/DONTNEED: parent reuses"},
    {"fork_brk", t_fork_brk, "the child's break starts at the parent's, moves on its own"},
    {"fork_stack_grows", t_fork_stack_grows, "the child's stack grows past the parent's"},
    {"fork_maps_equal", t_fork_maps_equal, "the child's /proc/self/maps is the parent's"},
    {"fork_no_leak", t_fork_no_leak, "50 fork/exit cycles leave the free frames as they were"},
    {"fork_fs_no_leak", t_fork_fs_no_leak,
     "150 children with open files: the file server forgets each at its exit"},
    {"fork_bomb", t_fork_bomb, "a fork bomb gets EAGAIN, leaks nothing, and can run again"},
    {"wait_exit_codes", t_wait_exit_codes, "exit codes 0, 1, 127, 255 and exit(259) == 3"},
    {"wait_sigsegv", t_wait_sigsegv, "a child's segfault is WTERMSIG SIGSEGV"},
    {"wait_sigbus", t_wait_sigbus, "a read past the end of a mapped file is SIGBUS"},
    {"kill_sigterm", t_kill_sigterm, "kill(SIGTERM) of a spinning child: WTERMSIG SIGTERM"},
    {"kill_sigkill", t_kill_sigkill, "kill(SIGKILL) of a spinning child: WTERMSIG SIGKILL"},
    {"kill_errors", t_kill_errors, "kill of a reaped pid is ESRCH, a bad signal EINVAL"},
    {"wait_wnohang", t_wait_wnohang, "waitpid WNOHANG is 0 while the child runs"},
    {"wait_echild", t_wait_echild, "waitpid on a non-child is ECHILD"},
    {"wait_any", t_wait_any, "wait() reaps each child once with its status"},
    {"fork_getpid_getppid", t_getpid_getppid, "getpid and getppid in the child"},
    {"fork_orphan_reparent", t_orphan_reparent, "an orphan's getppid() becomes 1"},
    {"kill_waiting_parent", t_kill_waiting_parent, "kill of a process blocked in waitpid"},
    {"fork_fd_read", t_fork_fd_read, "the child reads and writes a descriptor the parent opened"},
    {"fork_fd_offset_shared", t_fork_fd_offset_shared, "the file offset is shared across fork"},
};
const unsigned proc_tests_count = sizeof(proc_tests) / sizeof(proc_tests[0]);

/*
 * mm_tests.c - guest tests of the pager's anonymous memory (issue 4): mmap, munmap, mprotect,
 * mremap, madvise, brk, their flags and errors, merging and splitting as /proc/self/maps shows
 * them, the zero page, superpages, the map count limit, TASK_SIZE, stack growth and its guard
 * gap, fault counts, frame accounting, and the text formats of /proc/self/{maps,smaps,
 * smaps_rollup,status,stat}.
 *
 * Linux is the reference: each case states what Linux does (man pages mmap(2), munmap(2),
 * mprotect(2), mremap(2), madvise(2), brk(2), proc(5)), and the cases that do not depend on
 * Samara's own calls were checked against Linux itself. A test that needs a layout makes it
 * inside mm_reserve()d ranges, so that no other mapping of the process can merge with it.
 *
 * Tests whose name starts with "_" are children run by kt_run_child(): they exit 0 only if the
 * access that should have killed them did not.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktest.h"
#include "mm_util.h"

int brk(void *addr);

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << 26) /* log2(2 MiB) << MAP_HUGE_SHIFT */
#endif

#define RW       (PROT_READ | PROT_WRITE)
#define ANON     (MAP_PRIVATE | MAP_ANONYMOUS)
#define SIG_SEGV 11
#define SIG_BUS  7
#define SIG_KILL 9

/* vm.max_map_count's default (Linux's DEFAULT_MAX_MAP_COUNT), which the guest boots with. */
#define MAX_MAP_COUNT 65530
/* Linux's stack_guard_gap: 256 pages. */
#define GUARD_PAGES 256

static unsigned long task_size(void)
{
    return (unsigned long)sys_sysinfo(SYSINFO_TASK_SIZE);
}

/* mmap that must fail: its errno, or 0 (and the mapping undone) when it succeeded. */
static int mmap_err(void *addr, size_t len, int prot, int flags, off_t off)
{
    errno = 0;
    void *p = mmap(addr, len, prot, flags, -1, off);
    if (p != MAP_FAILED) {
        munmap(p, len);
        return 0;
    }
    return errno;
}

static void fill(char *p, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i += 512)
        p[i] = (char)(seed + i / 512);
}

static int filled(const char *p, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i += 512)
        if (p[i] != (char)(seed + i / 512))
            return 0;
    return 1;
}

/*
 * A new mapping of `pages` at a place of its own (inside an mm_reserve), so that it cannot
 * merge with another and its smaps lines are its own. NULL on failure.
 */
static char *fresh(size_t pages, int prot, int flags)
{
    char *r = mm_reserve(pages);
    if (!r)
        return NULL;
    char *p = mmap(r, pages * PG, prot, ANON | MAP_FIXED | flags, -1, 0);
    return p == r ? p : NULL;
}

/* Touch (write) one byte in each page. */
static void touch(char *p, size_t pages)
{
    for (size_t i = 0; i < pages; i++)
        ((volatile char *)p)[i * PG] = 1;
}

/* Read the largest /proc file once, so that later reads touch no new page of the buffer. */
static void warm(void)
{
    mm_slurp("/proc/self/smaps", NULL);
}

/* The current minor fault count, with the /proc buffer already touched. */
static long minflt(void)
{
    mm_stat_field(10);
    return mm_stat_field(10);
}

/* ---- basics and mmap errors ---- */

static int t_pagesize(void)
{
    CHECK_EQ(getpagesize(), 4096);
    CHECK_EQ(sysconf(_SC_PAGESIZE), 4096);
    return 0;
}

static int t_mmap_anon_zeroed(void)
{
    char *p = mmap(NULL, 16 * PG, RW, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK_EQ((uintptr_t)p % PG, 0);
    CHECK((uintptr_t)p + 16 * PG <= task_size());
    CHECK(mm_is_zero(p, 16 * PG));
    fill(p, 16 * PG, 3);
    CHECK(filled(p, 16 * PG, 3));
    struct mm_vma v;
    CHECK_EQ(mm_vma_at((uintptr_t)p, &v), 0);
    CHECK(v.start <= (uintptr_t)p && v.end >= (uintptr_t)p + 16 * PG);
    CHECK(!strcmp(v.perms, "rw-p"));
    CHECK_EQ(munmap(p, 16 * PG), 0);
    CHECK_EQ(mm_vmas_in((uintptr_t)p, (uintptr_t)p + 16 * PG), 0);
    return 0;
}

static int t_mmap_einval(void)
{
    CHECK_EQ(mmap_err(NULL, 0, RW, ANON, 0), EINVAL);
    /* MAP_FIXED and MAP_FIXED_NOREPLACE need a page-aligned address. */
    char *r = mm_reserve(4);
    CHECK(r);
    CHECK_EQ(mmap_err(r + 8, PG, RW, ANON | MAP_FIXED, 0), EINVAL);
    CHECK_EQ(mmap_err(r + 8, PG, RW, ANON | MAP_FIXED_NOREPLACE, 0), EINVAL);
    /* Neither private nor shared, both (MAP_SHARED_VALIDATE is not for anonymous memory), and
     * types that do not exist. */
    CHECK_EQ(mmap_err(NULL, PG, RW, MAP_ANONYMOUS, 0), EINVAL);
    CHECK_EQ(mmap_err(NULL, PG, RW, MAP_ANONYMOUS | MAP_SHARED | MAP_PRIVATE, 0), EINVAL);
    CHECK_EQ(mmap_err(NULL, PG, RW, MAP_ANONYMOUS | 0x04, 0), EINVAL);
    CHECK_EQ(mmap_err(NULL, PG, RW, MAP_ANONYMOUS | 0x0f, 0), EINVAL);
    /* A shared mapping cannot grow down. */
    CHECK_EQ(mmap_err(NULL, PG, RW, MAP_ANONYMOUS | MAP_SHARED | MAP_GROWSDOWN, 0), EINVAL);
    /* The offset must be page aligned, even for anonymous memory. */
    CHECK_EQ(mmap_err(NULL, PG, RW, ANON, 100), EINVAL);
    /* Nothing of the reservation changed. */
    CHECK_EQ(mm_vmas_in((uintptr_t)r, (uintptr_t)r + 4 * PG), 1);
    return 0;
}

static int t_mmap_ebadf(void)
{
    /* Not anonymous: needs a file, and -1 is none. */
    errno = 0;
    CHECK(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0) == MAP_FAILED);
    CHECK_EQ(errno, EBADF);
    return 0;
}

static int t_mmap_enomem_size(void)
{
    unsigned long ts = task_size();
    /* Longer than the address space, or no gap that large. */
    CHECK_EQ(mmap_err(NULL, ts + PG, PROT_NONE, ANON | MAP_NORESERVE, 0), ENOMEM);
    CHECK_EQ(mmap_err(NULL, ts, PROT_NONE, ANON | MAP_NORESERVE, 0), ENOMEM);
    CHECK_EQ(mmap_err(NULL, ts - PG, PROT_NONE, ANON | MAP_NORESERVE, 0), ENOMEM);
    CHECK_EQ(mmap_err(NULL, (size_t)-PG, PROT_NONE, ANON | MAP_NORESERVE, 0), ENOMEM);
    /* Rounded up to a page, -1 wraps to 0. */
    CHECK_EQ(mmap_err(NULL, (size_t)-1, PROT_NONE, ANON | MAP_NORESERVE, 0), ENOMEM);
    return 0;
}

static int t_mmap_beyond_task_size(void)
{
    unsigned long ts = task_size();
    CHECK_EQ(mmap_err((void *)ts, PG, RW, ANON | MAP_FIXED, 0), ENOMEM);
    CHECK_EQ(mmap_err((void *)(ts - PG), 2 * PG, RW, ANON | MAP_FIXED, 0), ENOMEM);
    CHECK_EQ(mmap_err((void *)ts, PG, RW, ANON | MAP_FIXED_NOREPLACE, 0), ENOMEM);
    CHECK_EQ(mmap_err((void *)(ts + (1ul << 30)), PG, RW, ANON | MAP_FIXED, 0), ENOMEM);
    /* A hint beyond TASK_SIZE is only a hint: the mapping goes below it. */
    char *p = mmap((void *)(ts + (1ul << 30)), PG, RW, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK((uintptr_t)p + PG <= ts);
    *p = 1;
    CHECK_EQ(munmap(p, PG), 0);
    return 0;
}

static int t_task_size_sv(void)
{
    long levels = sys_sysinfo(SYSINFO_PAGING);
    unsigned long ts = task_size();
    CHECK(levels == 3 || levels == 4);
    CHECK_EQ(ts, levels == 4 ? 1ul << 47 : 1ul << 38);
    /* Just below 2^38: user space under both modes. */
    char *lo = (char *)((1ul << 38) - (1ul << 30));
    char *p = mmap(lo, 2 * PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
    CHECK(p == lo);
    p[PG] = 7;
    CHECK_EQ(p[PG], 7);
    CHECK_EQ(munmap(p, 2 * PG), 0);
    /* At 2^38: only Sv48 has it. */
    char *hi = (char *)(1ul << 38);
    errno = 0;
    p = mmap(hi, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
    if (levels == 3) {
        CHECK(p == MAP_FAILED);
        CHECK_EQ(errno, ENOMEM);
    } else {
        CHECK(p == hi);
        *p = 9;
        CHECK_EQ(*p, 9);
        CHECK_EQ(munmap(p, PG), 0);
    }
    /* Top-down placement starts near the top of the space, far above the program. */
    p = mmap(NULL, PG, RW, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK((uintptr_t)p > ts / 2 && (uintptr_t)p < ts);
    return 0;
}

static int t_mmap_hint(void)
{
    char *r = mm_reserve(6);
    CHECK(r);
    mm_unreserve(r, 6); /* now 8 free pages from r - PG */
    char *p = mmap(r + PG, 2 * PG, RW, ANON, -1, 0);
    CHECK(p == r + PG);
    CHECK_EQ(munmap(p, 2 * PG), 0);
    /* An unaligned hint is rounded to a page (up in Linux's generic code, which RISC-V uses;
     * down on x86). */
    p = mmap(r + PG + 123, PG, RW, ANON, -1, 0);
    CHECK(p == r + 2 * PG || p == r + PG);
    CHECK_EQ(munmap(p, PG), 0);
    return 0;
}

static int t_mmap_hint_busy(void)
{
    char *a = mmap(NULL, 4 * PG, RW, ANON, -1, 0);
    CHECK(a != MAP_FAILED);
    fill(a, 4 * PG, 5);
    /* Without MAP_FIXED an occupied hint is ignored; what is there stays. */
    char *b = mmap(a + PG, 2 * PG, RW, ANON, -1, 0);
    CHECK(b != MAP_FAILED);
    CHECK(b + 2 * PG <= a || b >= a + 4 * PG);
    CHECK(filled(a, 4 * PG, 5));
    CHECK(mm_is_zero(b, 2 * PG));
    return 0;
}

static int t_mmap_topdown(void)
{
    /* Different protections so that they stay separate mappings. */
    char *a = mmap(NULL, 16 * PG, PROT_READ, ANON, -1, 0);
    char *b = mmap(NULL, 16 * PG, RW, ANON, -1, 0);
    char *c = mmap(NULL, 16 * PG, PROT_READ, ANON, -1, 0);
    CHECK(a != MAP_FAILED && b != MAP_FAILED && c != MAP_FAILED);
    /* Each one directly below the previous: the highest gap that fits. */
    CHECK(b + 16 * PG == a);
    CHECK(c + 16 * PG == b);
    CHECK_EQ(mm_vmas_in((uintptr_t)c, (uintptr_t)a + 16 * PG), 3);
    return 0;
}

static int t_mmap_fixed_replaces(void)
{
    char *r = mm_reserve(8);
    CHECK(r);
    char *p = mmap(r, 8 * PG, RW, ANON | MAP_FIXED, -1, 0);
    CHECK(p == r);
    fill(p, 8 * PG, 1);
    char *q = mmap(r + 3 * PG, 2 * PG, PROT_READ, ANON | MAP_FIXED, -1, 0);
    CHECK(q == r + 3 * PG);
    CHECK(mm_is_zero(q, 2 * PG));
    CHECK(filled(r, 3 * PG, 1));
    CHECK(filled(r + 5 * PG, 3 * PG, 1 + 5 * 8));
    CHECK_EQ(mm_vmas_in((uintptr_t)r, (uintptr_t)r + 8 * PG), 3);
    struct mm_vma v;
    CHECK_EQ(mm_vma_at((uintptr_t)q, &v), 0);
    CHECK_EQ(v.start, (uintptr_t)q);
    CHECK_EQ(v.end, (uintptr_t)q + 2 * PG);
    CHECK(!strcmp(v.perms, "r--p"));
    return 0;
}

static int t_mmap_fixed_noreplace(void)
{
    char *r = mm_reserve(8);
    CHECK(r);
    CHECK_EQ(munmap(r + 4 * PG, 4 * PG), 0);
    char *p = mmap(r, 2 * PG, RW, ANON | MAP_FIXED, -1, 0);
    CHECK(p == r);
    fill(p, 2 * PG, 9);
    /* Anything mapped in the range, wholly or partly, is EEXIST; nothing changes. */
    CHECK_EQ(mmap_err(r, 2 * PG, RW, ANON | MAP_FIXED_NOREPLACE, 0), EEXIST);
    CHECK_EQ(mmap_err(r + PG, 4 * PG, RW, ANON | MAP_FIXED_NOREPLACE, 0), EEXIST);
    CHECK_EQ(mmap_err(r + 3 * PG, 2 * PG, RW, ANON | MAP_FIXED_NOREPLACE, 0), EEXIST);
    CHECK(filled(p, 2 * PG, 9));
    /* A free range: exactly there. */
    char *q = mmap(r + 4 * PG, 4 * PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
    CHECK(q == r + 4 * PG);
    CHECK(mm_is_zero(q, 4 * PG));
    return 0;
}

/* ---- flags ---- */

static int t_mmap_populate(void)
{
    warm();
    minflt();
    long f0 = pager_free_frames();
    char *p = fresh(32, RW, MAP_POPULATE);
    CHECK(p);
    CHECK(f0 - pager_free_frames() >= 32);
    CHECK_EQ(mm_smaps_field((uintptr_t)p, "Rss"), 32 * 4);
    long m0 = minflt();
    touch(p, 32);
    CHECK(minflt() - m0 < 4); /* already mapped writable: no faults */
    CHECK(mm_is_zero(p + 1, PG - 1));
    return 0;
}

static int t_mmap_noreserve(void)
{
    warm();
    /* 4 GiB, far more than the RAM: nothing is reserved or allocated up front. */
    size_t len = 4ul << 30;
    long f0 = pager_free_frames();
    char *p = fresh(len / PG, RW, MAP_NORESERVE);
    CHECK(p);
    p[0] = 1;
    p[len - 1] = 2;
    CHECK(f0 - pager_free_frames() < 16);
    CHECK_EQ(mm_smaps_field((uintptr_t)p, "Size"), (long)(len >> 10));
    CHECK_EQ(mm_smaps_field((uintptr_t)p, "Rss"), 8);
    CHECK(mm_smaps_flag((uintptr_t)p, "nr"));
    char *q = mmap(NULL, PG, RW, ANON, -1, 0);
    CHECK(q != MAP_FAILED);
    CHECK(!mm_smaps_flag((uintptr_t)q, "nr"));
    CHECK_EQ(munmap(p, len), 0);
    return 0;
}

static int t_mmap_locked(void)
{
    long lck0 = mm_status_kb("VmLck");
    CHECK(lck0 >= 0);
    char *p = fresh(16, RW, MAP_LOCKED);
    CHECK(p);
    /* Populated and locked at once, before any access. */
    CHECK_EQ(mm_smaps_field((uintptr_t)p, "Rss"), 64);
    CHECK_EQ(mm_smaps_field((uintptr_t)p, "Locked"), 64);
    CHECK(mm_smaps_flag((uintptr_t)p, "lo"));
    CHECK_EQ(mm_status_kb("VmLck"), lck0 + 64);
    CHECK(mm_is_zero(p, 16 * PG));
    CHECK_EQ(munmap(p, 16 * PG), 0);
    CHECK_EQ(mm_status_kb("VmLck"), lck0);
    return 0;
}

static int t_mmap_growsdown(void)
{
    /* 4 MiB of room below, more than the guard gap from whatever lies below that. */
    char *r = mm_reserve(1024);
    CHECK(r);
    mm_unreserve(r, 1024);
    char *top = r + 1020 * PG;
    char *p = mmap(top, 4 * PG, RW, ANON | MAP_FIXED | MAP_GROWSDOWN, -1, 0);
    CHECK(p == top);
    CHECK(mm_smaps_flag((uintptr_t)p, "gd"));
    p[0] = 1;
    /* A fault just below grows the mapping down. */
    ((volatile char *)p)[-1] = 2;
    ((volatile char *)p)[-(long)PG - 1] = 3;
    struct mm_vma v;
    CHECK_EQ(mm_vma_at((uintptr_t)p, &v), 0);
    CHECK_EQ(v.start, (uintptr_t)p - 2 * PG);
    CHECK_EQ(v.end, (uintptr_t)p + 4 * PG);
    CHECK_EQ(p[-1], 2);
    CHECK_EQ(p[0], 1);
    return 0;
}

static int t_mmap_stack_flag(void)
{
    char *p = mmap(NULL, 8 * PG, RW, ANON | MAP_STACK, -1, 0);
    CHECK(p != MAP_FAILED);
    fill(p, 8 * PG, 4);
    CHECK(filled(p, 8 * PG, 4));
    CHECK(!mm_smaps_flag((uintptr_t)p, "gd"));
    return 0;
}

static int t_mmap_shared_anon(void)
{
    char *r = mm_reserve(4);
    CHECK(r);
    char *a = mmap(r, 2 * PG, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    char *b = mmap(r + 2 * PG, 2 * PG, RW, ANON | MAP_FIXED, -1, 0);
    CHECK(a == r && b == r + 2 * PG);
    CHECK(mm_is_zero(a, 2 * PG));
    fill(a, 2 * PG, 6);
    CHECK(filled(a, 2 * PG, 6));
    struct mm_vma v;
    CHECK_EQ(mm_vma_at((uintptr_t)a, &v), 0);
    CHECK(!strcmp(v.perms, "rw-s"));
    CHECK_EQ(v.end, (uintptr_t)b); /* a shared mapping never merges with a private one */
    CHECK(mm_smaps_flag((uintptr_t)a, "sh"));
    CHECK_EQ(mm_vma_at((uintptr_t)b, &v), 0);
    CHECK(!strcmp(v.perms, "rw-p"));
    CHECK(!mm_smaps_flag((uintptr_t)b, "sh"));
    return 0;
}

static int t_prot_write_implies_read(void)
{
    /* On RISC-V (as on x86) a writable page is readable. */
    volatile char *p = mmap(NULL, PG, PROT_WRITE, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK_EQ(p[5], 0);
    p[5] = 42;
    CHECK_EQ(p[5], 42);
    return 0;
}

/* Code that returns 0x77: RISC-V "addi a0, zero, 0x77; ret" (x86-64 for host checks). */
static void put_code(void *p)
{
#if defined(__riscv)
    static const uint32_t code[] = {0x07700513, 0x00008067};
#else
    static const unsigned char code[] = {0xb8, 0x77, 0, 0, 0, 0xc3};
#endif
    memcpy(p, code, sizeof(code));
}

static void sync_icache(void)
{
#if defined(__riscv)
    __asm__ volatile(".word 0x0000100f" ::: "memory"); /* fence.i */
#endif
}

static int t_prot_exec(void)
{
    char *p = mmap(NULL, PG, RW, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    put_code(p);
    CHECK_EQ(mprotect(p, PG, PROT_READ | PROT_EXEC), 0);
    sync_icache();
    long (*f)(void) = (long (*)(void))(uintptr_t)p;
    CHECK_EQ(f(), 0x77);
    struct mm_vma v;
    CHECK_EQ(mm_vma_at((uintptr_t)p, &v), 0);
    CHECK(!strcmp(v.perms, "r-xp"));
    CHECK(mm_smaps_flag((uintptr_t)p, "ex"));
    /* And mapped executable from the start. */
    char *q = mmap(NULL, PG, PROT_READ | PROT_WRITE | PROT_EXEC, ANON, -1, 0);
    CHECK(q != MAP_FAILED);
    put_code(q);
    sync_icache();
    f = (long (*)(void))(uintptr_t)q;
    CHECK_EQ(f(), 0x77);
    CHECK_EQ(mm_vma_at((uintptr_t)q, &v), 0);
    CHECK(!strcmp(v.perms, "rwxp"));
    return 0;
}

/* ---- faults that kill ---- */

static int c_prot_none(void)
{
    volatile char *p = mmap(NULL, PG, PROT_NONE, ANON, -1, 0);
    if (p == MAP_FAILED)
        return 2;
    return p[0] + 3;
}

static int c_write_readonly(void)
{
    volatile char *p = mmap(NULL, PG, PROT_READ, ANON, -1, 0);
    if (p == MAP_FAILED || p[0] != 0)
        return 2;
    p[0] = 1;
    return 0;
}

static int c_exec_noexec(void)
{
    char *p = mmap(NULL, PG, RW, ANON, -1, 0);
    if (p == MAP_FAILED)
        return 2;
    put_code(p);
    sync_icache();
    long (*f)(void) = (long (*)(void))(uintptr_t)p;
    return (int)f() - 0x77; /* exits 0 if it ran */
}

static int c_unmapped(void)
{
    volatile char *p = mmap(NULL, 4 * PG, RW, ANON, -1, 0);
    if (p == MAP_FAILED)
        return 2;
    p[2 * PG] = 1;
    if (munmap((char *)p + 2 * PG, PG))
        return 3;
    p[PG] = 1;
    p[3 * PG] = 1;
    p[2 * PG] = 1; /* unmapped: SIGSEGV */
    return 0;
}

static int t_segv_prot_none(void)
{
    return mm_expect_signal("_mm_prot_none", SIG_SEGV);
}

static int t_segv_write_readonly(void)
{
    return mm_expect_signal("_mm_write_readonly", SIG_SEGV);
}

static int t_segv_exec_noexec(void)
{
    return mm_expect_signal("_mm_exec_noexec", SIG_SEGV);
}

static int t_segv_unmapped(void)
{
    return mm_expect_signal("_mm_unmapped", SIG_SEGV);
}

/* ---- the zero page ---- */

static int t_zero_page_read(void)
{
    warm();
    char *p = fresh(64, RW, 0);
    CHECK(p);
    mm_smaps_field((uintptr_t)p, "Rss");
    long f0 = pager_free_frames();
    /* Reads map the shared zero page: no frame, nothing resident. */
    CHECK(mm_is_zero(p, 64 * PG));
    CHECK(f0 - pager_free_frames() < 8);
    CHECK_EQ(mm_smaps_field((uintptr_t)p, "Rss"), 0);
    /* Writes replace it with fresh zeroed frames. */
    touch(p, 64);
    CHECK(f0 - pager_free_frames() >= 64);
    CHECK_EQ(mm_smaps_field((uintptr_t)p, "Rss"), 256);
    for (int i = 0; i < 64; i++) {
        CHECK_EQ(p[i * PG], 1);
        CHECK(mm_is_zero(p + i * PG + 1, PG - 1));
    }
    return 0;
}

static int t_zero_page_then_write(void)
{
    volatile char *p = fresh(4, RW, 0);
    CHECK(p);
    CHECK_EQ(p[PG + 10], 0);
    CHECK_EQ(p[2 * PG + 10], 0);
    p[PG + 10] = 5; /* the zero page under it is replaced, not written */
    CHECK_EQ(p[PG + 10], 5);
    CHECK_EQ(p[2 * PG + 10], 0);
    CHECK_EQ(p[10], 0);
    CHECK_EQ(mm_smaps_field((uintptr_t)p, "Rss"), 4);
    /* A second mapping still reads zeros: the zero page was not dirtied. */
    volatile char *q = mmap(NULL, PG, PROT_READ, ANON, -1, 0);
    CHECK(q != MAP_FAILED);
    CHECK_EQ(q[10], 0);
    return 0;
}

/* ---- munmap ---- */

static int t_munmap_frees_frames(void)
{
    warm();
    char *p = mmap(NULL, 64 * PG, RW, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    long f0 = pager_free_frames();
    touch(p, 64);
    long f1 = pager_free_frames();
    CHECK(f0 - f1 >= 64);
    CHECK_EQ(munmap(p, 32 * PG), 0);
    CHECK(pager_free_frames() - f1 >= 32);
    CHECK_EQ(munmap(p + 32 * PG, 32 * PG), 0);
    CHECK(pager_free_frames() >= f0 - 4); /* page tables at most */
    return 0;
}

static int t_munmap_split(void)
{
    char *r = mm_reserve(8);
    CHECK(r);
    char *p = mmap(r, 8 * PG, RW, ANON | MAP_FIXED, -1, 0);
    CHECK(p == r);
    fill(p, 8 * PG, 2);
    CHECK_EQ(munmap(p + 3 * PG, 2 * PG), 0);
    struct mm_vma v;
    CHECK_EQ(mm_vma_at((uintptr_t)p, &v), 0);
    CHECK_EQ(v.start, (uintptr_t)p);
    CHECK_EQ(v.end, (uintptr_t)p + 3 * PG);
    CHECK_EQ(mm_vma_at((uintptr_t)p + 5 * PG, &v), 0);
    CHECK_EQ(v.start, (uintptr_t)p + 5 * PG);
    CHECK_EQ(v.end, (uintptr_t)p + 8 * PG);
    CHECK(mm_vma_at((uintptr_t)p + 3 * PG, &v) < 0);
    CHECK(filled(p, 3 * PG, 2));
    CHECK(filled(p + 5 * PG, 3 * PG, 2 + 5 * 8));
    /* Filling the hole again with the same kind of memory merges it all back. */
    CHECK(mmap(p + 3 * PG, 2 * PG, RW, ANON | MAP_FIXED, -1, 0) == p + 3 * PG);
    CHECK_EQ(mm_vmas_in((uintptr_t)r, (uintptr_t)r + 8 * PG), 1);
    CHECK(mm_is_zero(p + 3 * PG, 2 * PG));
    return 0;
}

static int t_munmap_errors(void)
{
    char *p = mmap(NULL, 2 * PG, RW, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK_EQ(mm_call_err(munmap(p, 0)), EINVAL);
    CHECK_EQ(mm_call_err(munmap(p + 1, PG)), EINVAL);
    unsigned long ts = task_size();
    CHECK_EQ(mm_call_err(munmap((void *)ts, PG)), EINVAL);
    CHECK_EQ(mm_call_err(munmap((void *)(ts - PG), 2 * PG)), EINVAL);
    /* Unmapping what is not mapped is not an error. */
    char *r = mm_reserve(4);
    CHECK(r);
    mm_unreserve(r, 4);
    CHECK_EQ(munmap(r, 4 * PG), 0);
    /* An unaligned length is rounded up. */
    CHECK_EQ(munmap(p, PG + 1), 0);
    CHECK_EQ(mm_vmas_in((uintptr_t)p, (uintptr_t)p + 2 * PG), 0);
    return 0;
}

static int t_munmap_many(void)
{
    char *r = mm_reserve(12);
    CHECK(r);
    CHECK(mmap(r, 2 * PG, RW, ANON | MAP_FIXED, -1, 0) == r);
    CHECK(mmap(r + 3 * PG, 2 * PG, PROT_READ, ANON | MAP_FIXED, -1, 0) == r + 3 * PG);
    CHECK(mmap(r + 6 * PG, 3 * PG, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
          r + 6 * PG);
    touch(r, 2);
    touch(r + 6 * PG, 3);
    /* One call over mappings of every kind and the holes between them. */
    CHECK_EQ(munmap(r - PG, 14 * PG), 0);
    CHECK_EQ(mm_vmas_in((uintptr_t)r - PG, (uintptr_t)r + 13 * PG), 0);
    return 0;
}

/* ---- merging and mprotect ---- */

static int t_merge_adjacent(void)
{
    char *r = mm_reserve(12);
    CHECK(r);
    CHECK(mmap(r, 4 * PG, RW, ANON | MAP_FIXED, -1, 0) == r);
    r[0] = 1;
    CHECK(mmap(r + 4 * PG, 4 * PG, RW, ANON | MAP_FIXED, -1, 0) == r + 4 * PG);
    struct mm_vma v;
    CHECK_EQ(mm_vma_at((uintptr_t)r, &v), 0);
    CHECK_EQ(v.start, (uintptr_t)r);
    CHECK_EQ(v.end, (uintptr_t)r + 8 * PG);
    /* A neighbour with other protections stays apart. */
    CHECK(mmap(r + 8 * PG, 4 * PG, PROT_READ, ANON | MAP_FIXED, -1, 0) == r + 8 * PG);
    CHECK_EQ(mm_vmas_in((uintptr_t)r, (uintptr_t)r + 12 * PG), 2);
    CHECK_EQ(r[0], 1);
    return 0;
}

static int t_mprotect_split_merge(void)
{
    char *r = mm_reserve(8);
    CHECK(r);
    CHECK(mmap(r, 8 * PG, RW, ANON | MAP_FIXED, -1, 0) == r);
    fill(r, 8 * PG, 8);
    CHECK_EQ(mprotect(r + 2 * PG, 3 * PG, PROT_READ), 0);
    struct mm_vma v[3];
    CHECK_EQ(mm_vma_at((uintptr_t)r, &v[0]), 0);
    CHECK_EQ(mm_vma_at((uintptr_t)r + 2 * PG, &v[1]), 0);
    CHECK_EQ(mm_vma_at((uintptr_t)r + 5 * PG, &v[2]), 0);
    CHECK(v[0].start == (uintptr_t)r && v[0].end == (uintptr_t)r + 2 * PG);
    CHECK(v[1].start == (uintptr_t)r + 2 * PG && v[1].end == (uintptr_t)r + 5 * PG);
    CHECK(v[2].start == (uintptr_t)r + 5 * PG && v[2].end == (uintptr_t)r + 8 * PG);
    CHECK(!strcmp(v[0].perms, "rw-p") && !strcmp(v[1].perms, "r--p") &&
          !strcmp(v[2].perms, "rw-p"));
    CHECK(filled(r, 8 * PG, 8));
    /* Back as it was: one mapping again. */
    CHECK_EQ(mprotect(r + 2 * PG, 3 * PG, RW), 0);
    CHECK_EQ(mm_vmas_in((uintptr_t)r, (uintptr_t)r + 8 * PG), 1);
    r[3 * PG] = 1;
    return 0;
}

static int c_mprotect_middle(void)
{
    volatile char *p = mmap(NULL, 3 * PG, RW, ANON, -1, 0);
    if (p == MAP_FAILED || mprotect((char *)p + PG, PG, PROT_READ))
        return 2;
    p[0] = 1;
    p[2 * PG] = 1;
    if (p[PG] != 0)
        return 3;
    p[PG] = 1; /* SIGSEGV */
    return 0;
}

static int t_mprotect_segv_middle(void)
{
    return mm_expect_signal("_mm_mprotect_middle", SIG_SEGV);
}

static int t_mprotect_errors(void)
{
    char *r = mm_reserve(4);
    CHECK(r);
    CHECK(mmap(r, 2 * PG, RW, ANON | MAP_FIXED, -1, 0) == r);
    CHECK_EQ(mm_call_err(mprotect(r + 1, PG, PROT_READ)), EINVAL);
    CHECK_EQ(mm_call_err(mprotect(r, PG, 0x40)), EINVAL);
    CHECK_EQ(mprotect(r, 0, PROT_READ), 0);
    /* A hole in the range is ENOMEM. */
    CHECK_EQ(munmap(r + 2 * PG, 2 * PG), 0);
    CHECK_EQ(mm_call_err(mprotect(r, 4 * PG, PROT_READ)), ENOMEM);
    CHECK_EQ(mm_call_err(mprotect(r + 2 * PG, PG, PROT_READ)), ENOMEM);
    CHECK_EQ(mm_call_err(mprotect((void *)task_size(), PG, PROT_READ)), ENOMEM);
    return 0;
}

static int t_mprotect_keeps_data(void)
{
    warm();
    char *p = mmap(NULL, 4 * PG, RW, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    fill(p, 4 * PG, 11);
    long f0 = pager_free_frames();
    CHECK_EQ(mprotect(p, 4 * PG, PROT_NONE), 0);
    CHECK_EQ(mprotect(p, 4 * PG, PROT_READ), 0);
    CHECK(filled(p, 4 * PG, 11));
    CHECK_EQ(mprotect(p, 4 * PG, RW), 0);
    CHECK(filled(p, 4 * PG, 11));
    p[1] = 1;
    CHECK(pager_free_frames() >= f0 - 2); /* nothing was copied or lost */
    return 0;
}

/* ---- mremap ---- */

static int t_mremap_shrink(void)
{
    warm();
    char *r = mm_reserve(8);
    CHECK(r);
    CHECK(mmap(r, 8 * PG, RW, ANON | MAP_FIXED, -1, 0) == r);
    fill(r, 8 * PG, 12);
    long f0 = pager_free_frames();
    CHECK(mremap(r, 8 * PG, 3 * PG, 0) == r);
    CHECK(pager_free_frames() - f0 >= 5);
    struct mm_vma v;
    CHECK_EQ(mm_vma_at((uintptr_t)r, &v), 0);
    CHECK_EQ(v.end, (uintptr_t)r + 3 * PG);
    CHECK(filled(r, 3 * PG, 12));
    CHECK(mm_vma_at((uintptr_t)r + 3 * PG, &v) < 0);
    return 0;
}

static int c_mremap_shrunk(void)
{
    volatile char *p = mmap(NULL, 4 * PG, RW, ANON, -1, 0);
    if (p == MAP_FAILED || mremap((char *)p, 4 * PG, 2 * PG, 0) != p)
        return 2;
    p[PG] = 1;
    p[2 * PG] = 1; /* SIGSEGV */
    return 0;
}

static int t_mremap_shrunk_segv(void)
{
    return mm_expect_signal("_mm_mremap_shrunk", SIG_SEGV);
}

static int t_mremap_grow_in_place(void)
{
    char *r = mm_reserve(8);
    CHECK(r);
    CHECK(mmap(r, 2 * PG, RW, ANON | MAP_FIXED, -1, 0) == r);
    CHECK_EQ(munmap(r + 2 * PG, 6 * PG), 0);
    fill(r, 2 * PG, 13);
    CHECK(mremap(r, 2 * PG, 6 * PG, 0) == r);
    CHECK(filled(r, 2 * PG, 13));
    CHECK(mm_is_zero(r + 2 * PG, 4 * PG));
    touch(r + 2 * PG, 4);
    struct mm_vma v;
    CHECK_EQ(mm_vma_at((uintptr_t)r, &v), 0);
    CHECK_EQ(v.start, (uintptr_t)r);
    CHECK_EQ(v.end, (uintptr_t)r + 6 * PG);
    return 0;
}

static int t_mremap_maymove(void)
{
    warm();
    char *r = mm_reserve(8);
    CHECK(r);
    CHECK(mmap(r, 2 * PG, RW, ANON | MAP_FIXED, -1, 0) == r);
    CHECK(mmap(r + 2 * PG, PG, PROT_READ, ANON | MAP_FIXED, -1, 0) == r + 2 * PG);
    fill(r, 2 * PG, 14);
    /* Blocked by the neighbour: in place is ENOMEM, and nothing changed. */
    errno = 0;
    CHECK(mremap(r, 2 * PG, 4 * PG, 0) == MAP_FAILED);
    CHECK_EQ(errno, ENOMEM);
    CHECK(filled(r, 2 * PG, 14));
    long f0 = pager_free_frames();
    char *q = mremap(r, 2 * PG, 4 * PG, MREMAP_MAYMOVE);
    CHECK(q != MAP_FAILED);
    CHECK(q != r);
    CHECK(filled(q, 2 * PG, 14));
    CHECK(mm_is_zero(q + 2 * PG, 2 * PG));
    CHECK(f0 - pager_free_frames() < 4); /* the frames moved, not copied */
    struct mm_vma v;
    CHECK(mm_vma_at((uintptr_t)r, &v) < 0);
    CHECK_EQ(mm_vma_at((uintptr_t)r + 2 * PG, &v), 0);
    CHECK(!strcmp(v.perms, "r--p"));
    CHECK_EQ(mm_vma_at((uintptr_t)q, &v), 0);
    CHECK(v.start <= (uintptr_t)q && v.end >= (uintptr_t)q + 4 * PG);
    CHECK(!strcmp(v.perms, "rw-p"));
    return 0;
}

static int c_mremap_moved(void)
{
    volatile char *p = fresh(2, RW, 0);
    if (!p)
        return 2;
    p[0] = 1;
    /* p is followed by the PROT_NONE border of its reservation: it cannot grow in place. */
    volatile char *q = mremap((char *)p, 2 * PG, 8 * PG, MREMAP_MAYMOVE);
    if (q == MAP_FAILED || q == p || q[0] != 1)
        return 4;
    return p[0]; /* the old range is gone: SIGSEGV */
}

static int t_mremap_old_gone_segv(void)
{
    return mm_expect_signal("_mm_mremap_moved", SIG_SEGV);
}

static int t_mremap_fixed(void)
{
    char *r = mm_reserve(12);
    CHECK(r);
    char *a = r, *b = r + 6 * PG;
    CHECK(mmap(a, 3 * PG, RW, ANON | MAP_FIXED, -1, 0) == a);
    CHECK(mmap(b, 4 * PG, PROT_READ, ANON | MAP_FIXED, -1, 0) == b);
    fill(a, 3 * PG, 15);
    /* Moves to b, replacing what was there. */
    char *q = mremap(a, 3 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, b);
    CHECK(q == b);
    CHECK(filled(b, 3 * PG, 15));
    struct mm_vma v;
    CHECK(mm_vma_at((uintptr_t)a, &v) < 0);
    CHECK_EQ(mm_vma_at((uintptr_t)b, &v), 0);
    CHECK(!strcmp(v.perms, "rw-p"));
    CHECK_EQ(v.start, (uintptr_t)b);
    CHECK_EQ(v.end, (uintptr_t)b + 3 * PG);
    CHECK_EQ(mm_vma_at((uintptr_t)b + 3 * PG, &v), 0);
    CHECK(!strcmp(v.perms, "r--p"));
    /* MREMAP_FIXED needs MREMAP_MAYMOVE; the new address must be aligned; the ranges must not
     * overlap. */
    errno = 0;
    CHECK(mremap(b, 3 * PG, 3 * PG, MREMAP_FIXED, a) == MAP_FAILED);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK(mremap(b, 3 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, a + 8) == MAP_FAILED);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK(mremap(b, 3 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, b - PG) == MAP_FAILED);
    CHECK_EQ(errno, EINVAL);
    CHECK(filled(b, 3 * PG, 15));
    return 0;
}

static int t_mremap_dontunmap(void)
{
    char *p = fresh(4, RW, 0);
    CHECK(p);
    fill(p, 4 * PG, 16);
    /* (NULL: some C libraries pass the fifth argument even without MREMAP_FIXED) */
    char *q = mremap(p, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, (void *)0);
    CHECK(q != MAP_FAILED);
    CHECK(q != p);
    CHECK(filled(q, 4 * PG, 16));
    /* The old range stays mapped, emptied: private anonymous memory reads zeros there. */
    struct mm_vma v;
    CHECK_EQ(mm_vma_at((uintptr_t)p, &v), 0);
    CHECK(!strcmp(v.perms, "rw-p"));
    CHECK_EQ(mm_smaps_field((uintptr_t)p, "Rss"), 0);
    CHECK(mm_is_zero(p, 4 * PG));
    p[0] = 1;
    CHECK_EQ(q[0], 16);
    /* Only with MREMAP_MAYMOVE and the same size. */
    errno = 0;
    CHECK(mremap(q, 4 * PG, 4 * PG, MREMAP_DONTUNMAP, (void *)0) == MAP_FAILED);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK(mremap(q, 4 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, (void *)0) == MAP_FAILED);
    CHECK_EQ(errno, EINVAL);
    return 0;
}

static int t_mremap_errors(void)
{
    char *r = mm_reserve(8);
    CHECK(r);
    CHECK(mmap(r, 2 * PG, RW, ANON | MAP_FIXED, -1, 0) == r);
    CHECK(mmap(r + 2 * PG, 2 * PG, PROT_READ, ANON | MAP_FIXED, -1, 0) == r + 2 * PG);
    errno = 0;
    CHECK(mremap(r + 1, PG, 2 * PG, MREMAP_MAYMOVE) == MAP_FAILED);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK(mremap(r, 2 * PG, 0, MREMAP_MAYMOVE) == MAP_FAILED);
    CHECK_EQ(errno, EINVAL);
    errno = 0;
    CHECK(mremap(r, 2 * PG, 4 * PG, 0x40) == MAP_FAILED);
    CHECK_EQ(errno, EINVAL);
    /* Nothing mapped at the old address. */
    CHECK_EQ(munmap(r + 6 * PG, 2 * PG), 0);
    errno = 0;
    CHECK(mremap(r + 6 * PG, PG, 2 * PG, MREMAP_MAYMOVE) == MAP_FAILED);
    CHECK_EQ(errno, EFAULT);
    /* Growing a range that spans two mappings. */
    errno = 0;
    CHECK(mremap(r, 4 * PG, 8 * PG, MREMAP_MAYMOVE) == MAP_FAILED);
    CHECK_EQ(errno, EFAULT);
    CHECK_EQ(mm_vmas_in((uintptr_t)r, (uintptr_t)r + 4 * PG), 2);
    return 0;
}

/* An old length of 0: a second mapping of a shared mapping's pages (Linux's special case);
 * EINVAL on a private mapping, ENOMEM without MREMAP_MAYMOVE. */
static int t_mremap_dup_shared(void)
{
    char *s = mmap(NULL, 2 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char *p = mmap(NULL, PG, RW, ANON, -1, 0);
    CHECK(s != MAP_FAILED && p != MAP_FAILED);
    s[0] = 'a';
    s[PG] = 'b';
    char *d = mremap(s, 0, 2 * PG, MREMAP_MAYMOVE);
    CHECK(d != MAP_FAILED && d != s);
    CHECK(d[0] == 'a' && d[PG] == 'b');
    d[0] = 'z';
    CHECK_EQ(s[0], 'z'); /* the same pages */
    CHECK_EQ(mm_call_err(mremap(p, 0, PG, MREMAP_MAYMOVE) == MAP_FAILED ? -1 : 0), EINVAL);
    CHECK_EQ(mm_call_err(mremap(s, 0, PG, 0) == MAP_FAILED ? -1 : 0), ENOMEM);
    char *r = mm_reserve(2);
    CHECK(r);
    char *f = mremap(s + PG, 0, PG, MREMAP_MAYMOVE | MREMAP_FIXED, r);
    CHECK(f == r);
    CHECK_EQ(f[0], 'b');
    CHECK_EQ(munmap(s, 2 * PG), 0);
    CHECK_EQ(d[PG], 'b'); /* the object lives while a mapping does */
    CHECK_EQ(munmap(d, 2 * PG), 0);
    CHECK_EQ(munmap(p, PG), 0);
    return 0;
}

/* ---- madvise ---- */

static int t_madv_dontneed(void)
{
    warm();
    char *p = fresh(32, RW, 0);
    CHECK(p);
    fill(p, 32 * PG, 17);
    long f0 = pager_free_frames();
    CHECK_EQ(madvise(p + 8 * PG, 16 * PG, MADV_DONTNEED), 0);
    CHECK(pager_free_frames() - f0 >= 16);
    CHECK_EQ(mm_smaps_field((uintptr_t)p, "Rss"), 16 * 4);
    /* Private anonymous: zero-fill on the next access; the rest is untouched. */
    CHECK(mm_is_zero(p + 8 * PG, 16 * PG));
    CHECK(filled(p, 8 * PG, 17));
    CHECK(filled(p + 24 * PG, 8 * PG, 17 + 24 * 8));
    CHECK_EQ(mm_vmas_in((uintptr_t)p, (uintptr_t)p + 32 * PG), 1);
    return 0;
}

static int t_madv_willneed(void)
{
    char *p = mmap(NULL, 8 * PG, RW, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    fill(p, 4 * PG, 18);
    CHECK_EQ(madvise(p, 8 * PG, MADV_WILLNEED), 0);
    CHECK(filled(p, 4 * PG, 18));
    CHECK(mm_is_zero(p + 4 * PG, 4 * PG));
    return 0;
}

static int t_madv_populate_read(void)
{
    warm();
    char *p = fresh(32, RW, 0);
    CHECK(p);
    minflt();
    long f0 = pager_free_frames();
    CHECK_EQ(madvise(p, 32 * PG, MADV_POPULATE_READ), 0);
    /* Populated with the zero page: readable without faults, still nothing resident. */
    CHECK(f0 - pager_free_frames() < 4);
    CHECK_EQ(mm_smaps_field((uintptr_t)p, "Rss"), 0);
    long m0 = minflt();
    CHECK(mm_is_zero(p, 32 * PG));
    CHECK(minflt() - m0 < 4);
    return 0;
}

static int t_madv_populate_write(void)
{
    warm();
    char *p = fresh(32, RW, 0);
    CHECK(p);
    p[0] = 3;
    minflt();
    long f0 = pager_free_frames();
    CHECK_EQ(madvise(p, 32 * PG, MADV_POPULATE_WRITE), 0);
    CHECK(f0 - pager_free_frames() >= 31);
    CHECK_EQ(mm_smaps_field((uintptr_t)p, "Rss"), 128);
    CHECK_EQ(p[0], 3); /* what was there stays */
    long m0 = minflt();
    touch(p, 32);
    CHECK(minflt() - m0 < 4);
    return 0;
}

static int t_madv_populate_errors(void)
{
    char *r = mm_reserve(4);
    CHECK(r);
    CHECK(mmap(r, 2 * PG, PROT_READ, ANON | MAP_FIXED, -1, 0) == r);
    /* Populating against the protections is EINVAL (a write to read-only memory, a read of
     * PROT_NONE); a hole is ENOMEM. */
    CHECK_EQ(mm_call_err(madvise(r, 2 * PG, MADV_POPULATE_WRITE)), EINVAL);
    CHECK_EQ(mm_call_err(madvise(r - PG, PG, MADV_POPULATE_READ)), EINVAL);
    CHECK_EQ(munmap(r + 2 * PG, 2 * PG), 0);
    CHECK_EQ(mm_call_err(madvise(r, 4 * PG, MADV_POPULATE_READ)), ENOMEM);
    return 0;
}

static int t_madv_access_hints(void)
{
    char *r = mm_reserve(8);
    CHECK(r);
    CHECK(mmap(r, 8 * PG, RW, ANON | MAP_FIXED, -1, 0) == r);
    CHECK_EQ(madvise(r + 2 * PG, 2 * PG, MADV_RANDOM), 0);
    CHECK(mm_smaps_flag((uintptr_t)r + 2 * PG, "rr"));
    CHECK(!mm_smaps_flag((uintptr_t)r, "rr"));
    CHECK_EQ(mm_vmas_in((uintptr_t)r, (uintptr_t)r + 8 * PG), 3);
    CHECK_EQ(madvise(r + 2 * PG, 2 * PG, MADV_SEQUENTIAL), 0);
    CHECK(mm_smaps_flag((uintptr_t)r + 2 * PG, "sr"));
    CHECK(!mm_smaps_flag((uintptr_t)r + 2 * PG, "rr"));
    /* Back to normal: the pieces merge into one mapping again. */
    CHECK_EQ(madvise(r + 2 * PG, 2 * PG, MADV_NORMAL), 0);
    CHECK(!mm_smaps_flag((uintptr_t)r + 2 * PG, "sr"));
    CHECK_EQ(mm_vmas_in((uintptr_t)r, (uintptr_t)r + 8 * PG), 1);
    touch(r, 8);
    return 0;
}

static int t_madv_errors(void)
{
    char *r = mm_reserve(4);
    CHECK(r);
    CHECK(mmap(r, 2 * PG, RW, ANON | MAP_FIXED, -1, 0) == r);
    CHECK_EQ(mm_call_err(madvise(r + 1, PG, MADV_NORMAL)), EINVAL);
    CHECK_EQ(mm_call_err(madvise(r, PG, 9999)), EINVAL);
    CHECK_EQ(madvise(r, 0, MADV_DONTNEED), 0);
    CHECK_EQ(munmap(r + 2 * PG, 2 * PG), 0);
    /* A hole is ENOMEM, but the mapped part is still advised. */
    r[0] = 5;
    CHECK_EQ(mm_call_err(madvise(r, 4 * PG, MADV_DONTNEED)), ENOMEM);
    CHECK_EQ(r[0], 0);
    CHECK_EQ(mm_call_err(madvise(r + 2 * PG, 2 * PG, MADV_WILLNEED)), ENOMEM);
    return 0;
}

/* ---- brk ---- */

static char some_bss[64];

static int t_brk_grow_shrink(void)
{
    warm();
    char *b0 = sbrk(0);
    CHECK(b0 != (char *)-1);
    char *top = (char *)(((uintptr_t)b0 + PG - 1) & ~(PG - 1)) + 16 * PG;
    CHECK_EQ(brk(top), 0);
    CHECK(sbrk(0) == top);
    CHECK(mm_is_zero(b0, (size_t)(top - b0)));
    memset(b0, 0x5a, (size_t)(top - b0));
    struct mm_vma v;
    CHECK_EQ(mm_vma_at((uintptr_t)top - 1, &v), 0);
    CHECK(!strcmp(v.name, "[heap]"));
    CHECK_EQ(v.end, (uintptr_t)top);
    CHECK(!strcmp(v.perms, "rw-p"));
    /* sbrk moves it by an increment and returns the old break. */
    CHECK(sbrk(PG) == top);
    CHECK(sbrk(-(intptr_t)PG) == top + PG);
    long f0 = pager_free_frames();
    CHECK_EQ(brk(b0), 0);
    CHECK(sbrk(0) == b0);
    CHECK(pager_free_frames() - f0 >= 15);
    return 0;
}

static int t_brk_limits(void)
{
    char *b0 = sbrk(0);
    /* Not below the start of the heap, not into other mappings, not past TASK_SIZE; a failed
     * brk leaves the break where it was. */
    brk(some_bss); /* (glibc's brk returns 0 here, the break being above the request) */
    CHECK(sbrk(0) == b0);
    char *m = mmap(NULL, PG, RW, ANON, -1, 0);
    CHECK(m != MAP_FAILED);
    errno = 0;
    CHECK_EQ(brk(m + PG), -1);
    CHECK_EQ(errno, ENOMEM);
    CHECK(sbrk(0) == b0);
    errno = 0;
    CHECK_EQ(brk((void *)(task_size() + PG)), -1);
    CHECK_EQ(errno, ENOMEM);
    CHECK(sbrk(0) == b0);
    return 0;
}

static int t_heap_after_data(void)
{
    some_bss[0] = 1;
    char *b0 = sbrk(0);
    CHECK(b0 > some_bss + sizeof(some_bss));
    CHECK(sbrk(PG) == b0);
    b0[0] = 1;
    struct mm_vma data, heap;
    CHECK_EQ(mm_vma_at((uintptr_t)some_bss, &data), 0);
    CHECK_EQ(mm_vma_at((uintptr_t)b0, &heap), 0);
    CHECK(!strcmp(heap.name, "[heap]"));
    CHECK(heap.start >= data.end || (heap.start == data.start && !strcmp(data.name, "[heap]")));
    char *m = mmap(NULL, PG, PROT_READ, ANON, -1, 0);
    CHECK(m != MAP_FAILED);
    CHECK(heap.end <= (uintptr_t)m); /* and below the mmap area */
    return 0;
}

static int c_brk_shrunk(void)
{
    char *b0 = sbrk(0);
    char *top = (char *)(((uintptr_t)b0 + PG - 1) & ~(PG - 1)) + 4 * PG;
    if (brk(top))
        return 2;
    ((volatile char *)top)[-1] = 1;
    if (brk(top - 2 * PG))
        return 3;
    ((volatile char *)top)[-1] = 1; /* SIGSEGV */
    return 0;
}

static int t_brk_shrunk_segv(void)
{
    return mm_expect_signal("_mm_brk_shrunk", SIG_SEGV);
}

/* ---- /proc formats ---- */

static int t_maps_format(void)
{
    static struct mm_vma v[512];
    int n = mm_maps(v, 512);
    CHECK(n > 2 && n <= 512);
    int local = 0, stacks = 0;
    for (int i = 0; i < n; i++) {
        CHECK(v[i].start < v[i].end);
        CHECK_EQ(v[i].start % PG, 0);
        CHECK_EQ(v[i].end % PG, 0);
        if (mm_is_gate(&v[i]))
            continue;
        CHECK(v[i].end <= task_size());
        if (i)
            CHECK(v[i - 1].end <= v[i].start); /* sorted, disjoint */
        if (!strcmp(v[i].name, "[stack]")) {
            stacks++;
            CHECK(v[i].start <= (uintptr_t)&local && (uintptr_t)&local < v[i].end);
            CHECK(!strcmp(v[i].perms, "rw-p"));
        }
        if (v[i].name[0] == '[' || !v[i].name[0]) {
            /* anonymous: no device, inode or offset */
            CHECK_EQ(v[i].dev_major, 0);
            CHECK_EQ(v[i].dev_minor, 0);
            CHECK_EQ(v[i].inode, 0);
            CHECK_EQ(v[i].off, 0);
        }
    }
    CHECK_EQ(stacks, 1);
    /* An unnamed anonymous mapping: the line ends with the space after inode 0. */
    char *p = mmap(NULL, 3 * PG, PROT_READ, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    char want[64];
    snprintf(want, sizeof(want), "%08lx-%08lx r--p 00000000 00:00 0 \n", (unsigned long)p,
             (unsigned long)p + 3 * PG);
    const char *t = mm_slurp("/proc/self/maps", NULL);
    CHECK(t);
    const char *line = strstr(t, want);
    CHECK(line && (line == t || line[-1] == '\n'));
    return 0;
}

static int t_maps_by_pid(void)
{
    static char self[64 << 10];
    size_t n1, n2;
    const char *t = mm_slurp("/proc/self/maps", &n1);
    CHECK(t && n1 < sizeof(self));
    memcpy(self, t, n1 + 1);
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/maps", (int)getpid());
    t = mm_slurp(path, &n2);
    CHECK(t);
    CHECK_EQ(n2, n1);
    CHECK(!strcmp(t, self));
    /* No such process. */
    errno = 0;
    CHECK_EQ(open("/proc/999999/maps", O_RDONLY), -1);
    CHECK_EQ(errno, ENOENT);
    return 0;
}

/* The smaps fields of a mapping in Linux 6.1's order; KSM (6.6+) may also appear. */
static const char *const smaps_fields[] = {
    "Size",          "KernelPageSize", "MMUPageSize",     "Rss",           "Pss",
    "Pss_Dirty",     "Shared_Clean",   "Shared_Dirty",    "Private_Clean", "Private_Dirty",
    "Referenced",    "Anonymous",      "LazyFree",        "AnonHugePages", "ShmemPmdMapped",
    "FilePmdMapped", "Shared_Hugetlb", "Private_Hugetlb", "Swap",          "SwapPss",
    "Locked",
};

/* smaps_rollup's, after its header line. */
static const char *const rollup_fields[] = {
    "Rss",
    "Pss",
    "Pss_Dirty",
    "Pss_Anon",
    "Pss_File",
    "Pss_Shmem",
    "Shared_Clean",
    "Shared_Dirty",
    "Private_Clean",
    "Private_Dirty",
    "Referenced",
    "Anonymous",
    "LazyFree",
    "AnonHugePages",
    "ShmemPmdMapped",
    "FilePmdMapped",
    "Shared_Hugetlb",
    "Private_Hugetlb",
    "Swap",
    "SwapPss",
    "Locked",
};

/*
 * Check one "Name:   %8lu kB" line (the number ends at column 24, as SEQ_PUT_DEC prints it)
 * and return its value, or -1.
 */
static long kb_line(const char *p, const char *nl, const char *name)
{
    size_t fl = strlen(name);
    if (strncmp(p, name, fl) || p[fl] != ':' || nl - p != 27 || strncmp(p + 24, " kB", 3))
        return -1;
    const char *d = p + fl + 1;
    if (*d != ' ')
        return -1;
    while (*d == ' ')
        d++;
    if (d >= p + 24)
        return -1;
    long v = 0;
    for (; d < p + 24; d++) {
        if (*d < '0' || *d > '9')
            return -1;
        v = v * 10 + (*d - '0');
    }
    return v;
}

/* Skip an optional line of this name. */
static const char *skip_opt(const char *p, const char *name)
{
    size_t fl = strlen(name);
    if (!strncmp(p, name, fl) && p[fl] == ':')
        return strchr(p, '\n') + 1;
    return p;
}

static int t_smaps_format(void)
{
    static struct mm_vma v[512];
    int n = mm_maps(v, 512);
    CHECK(n > 0 && n <= 512);
    size_t len;
    const char *t = mm_slurp("/proc/self/smaps", &len);
    CHECK(t && len > 0 && t[len - 1] == '\n');
    const char *p = t;
    for (int i = 0; i < n; i++) {
        const char *nl = strchr(p, '\n');
        struct mm_vma h;
        CHECK_EQ(mm_parse_maps_line(p, (size_t)(nl - p), &h), 0);
        CHECK_EQ(h.start, v[i].start); /* the same mappings as maps, in order */
        p = nl + 1;
        long val[32];
        for (unsigned f = 0; f < sizeof(smaps_fields) / sizeof(smaps_fields[0]); f++) {
            if (f == 12)
                p = skip_opt(p, "KSM");
            nl = strchr(p, '\n');
            CHECK(nl);
            val[f] = kb_line(p, nl, smaps_fields[f]);
            if (val[f] < 0)
                printf("# bad smaps line: %.*s\n", (int)(nl - p), p);
            CHECK(val[f] >= 0);
            p = nl + 1;
        }
        CHECK_EQ(val[0], (long)((h.end - h.start) >> 10));
        CHECK(val[1] == 4 || val[1] == 2048);
        CHECK(val[3] <= val[0] && val[4] <= val[3]);
        if (val[1] == 4) /* Rss is its clean and dirty parts */
            CHECK_EQ(val[3], val[6] + val[7] + val[8] + val[9]);
        /* "THPeligible:    %8u", no unit */
        nl = strchr(p, '\n');
        CHECK(nl && nl - p == 24 && !strncmp(p, "THPeligible:    ", 16));
        CHECK(p[23] == '0' || p[23] == '1');
        p = skip_opt(nl + 1, "ProtectionKey");
        /* "VmFlags:" then " xx" per flag, and a trailing space */
        nl = strchr(p, '\n');
        CHECK(nl && !strncmp(p, "VmFlags:", 8));
        CHECK((nl - p - 8) % 3 == 1 && nl[-1] == ' ');
        for (const char *f = p + 8; f + 1 < nl; f += 3)
            CHECK(f[0] == ' ' && f[1] >= 'a' && f[1] <= 'z' && f[2] >= 'a' && f[2] <= 'z');
        p = nl + 1;
    }
    CHECK_EQ(*p, 0);
    return 0;
}

static int t_smaps_rss(void)
{
    char *r = mm_reserve(16);
    CHECK(r);
    CHECK(mmap(r, 16 * PG, RW, ANON | MAP_FIXED, -1, 0) == r);
    for (int i = 0; i < 16; i += 3)
        r[i * PG] = 1; /* 6 pages */
    (void)r[PG];       /* a read: the zero page, not counted */
    uintptr_t a = (uintptr_t)r;
    CHECK_EQ(mm_smaps_field(a, "Size"), 64);
    CHECK_EQ(mm_smaps_field(a, "KernelPageSize"), 4);
    CHECK_EQ(mm_smaps_field(a, "MMUPageSize"), 4);
    CHECK_EQ(mm_smaps_field(a, "Rss"), 24);
    CHECK_EQ(mm_smaps_field(a, "Pss"), 24);
    CHECK_EQ(mm_smaps_field(a, "Private_Dirty"), 24);
    CHECK_EQ(mm_smaps_field(a, "Anonymous"), 24);
    CHECK_EQ(mm_smaps_field(a, "Shared_Dirty"), 0);
    CHECK_EQ(mm_smaps_field(a, "Swap"), 0);
    CHECK_EQ(mm_smaps_field(a, "Locked"), 0);
    CHECK(mm_smaps_flag(a, "rd") && mm_smaps_flag(a, "wr") && mm_smaps_flag(a, "mr") &&
          mm_smaps_flag(a, "mw") && mm_smaps_flag(a, "me"));
    CHECK(!mm_smaps_flag(a, "ex") && !mm_smaps_flag(a, "sh") && !mm_smaps_flag(a, "lo"));
    return 0;
}

static int t_smaps_rollup(void)
{
    static struct mm_vma v[512];
    int n = mm_maps(v, 512);
    CHECK(n > 0 && n <= 512);
    /* The sum of the mappings' Rss, from smaps (read twice: reading touches the buffer). */
    mm_slurp("/proc/self/smaps", NULL);
    const char *t = mm_slurp("/proc/self/smaps", NULL);
    CHECK(t);
    long rss = 0;
    for (const char *p = t; (p = strstr(p, "\nRss:")); p++)
        rss += strtol(p + 5, NULL, 10);
    size_t len;
    t = mm_slurp("/proc/self/smaps_rollup", &len);
    CHECK(t && len > 0 && t[len - 1] == '\n');
    const char *nl = strchr(t, '\n');
    struct mm_vma h;
    CHECK_EQ(mm_parse_maps_line(t, (size_t)(nl - t), &h), 0);
    if (mm_is_gate(&v[n - 1]))
        n--;
    CHECK_EQ(h.start, v[0].start);
    CHECK_EQ(h.end, v[n - 1].end);
    CHECK(!strcmp(h.perms, "---p"));
    CHECK(!strcmp(h.name, "[rollup]"));
    const char *p = nl + 1;
    long val[32];
    for (unsigned f = 0; f < sizeof(rollup_fields) / sizeof(rollup_fields[0]); f++) {
        if (f == 12)
            p = skip_opt(p, "KSM");
        nl = strchr(p, '\n');
        CHECK(nl);
        val[f] = kb_line(p, nl, rollup_fields[f]);
        if (val[f] < 0)
            printf("# bad smaps_rollup line: %.*s\n", (int)(nl - p), p);
        CHECK(val[f] >= 0);
        p = nl + 1;
    }
    CHECK_EQ(*p, 0);
    CHECK_EQ(val[0], rss);
    CHECK(val[1] <= val[0]);
    return 0;
}

static const char *const status_fields[] = {"VmPeak", "VmSize", "VmLck", "VmHWM",
                                            "VmRSS",  "VmData", "VmStk", "VmExe"};

static int t_status_format(void)
{
    const char *t = mm_slurp("/proc/self/status", NULL);
    CHECK(t);
    const char *prev = t;
    for (unsigned i = 0; i < sizeof(status_fields) / sizeof(status_fields[0]); i++) {
        char key[16];
        snprintf(key, sizeof(key), "\n%s:\t", status_fields[i]);
        const char *p = strstr(t, key);
        if (!p)
            printf("# no %s line\n", status_fields[i]);
        CHECK(p);
        CHECK(p > prev); /* in Linux's order */
        prev = p;
        CHECK(mm_status_kb(status_fields[i]) >= 0);
        t = mm_slurp("/proc/self/status", NULL);
    }
    CHECK(mm_status_kb("VmPeak") >= mm_status_kb("VmSize"));
    CHECK(mm_status_kb("VmHWM") >= mm_status_kb("VmRSS"));
    CHECK(mm_status_kb("VmRSS") > 0);
    CHECK(mm_status_kb("VmExe") > 0);
    return 0;
}

static int t_status_vmsize(void)
{
    static struct mm_vma v[512];
    int n = mm_maps(v, 512);
    CHECK(n > 0 && n <= 512);
    unsigned long total = 0;
    for (int i = 0; i < n; i++)
        total += mm_is_gate(&v[i]) ? 0 : v[i].end - v[i].start;
    long size0 = mm_status_kb("VmSize");
    CHECK_EQ(size0, (long)(total >> 10)); /* VmSize is every mapping */
    char *p = mmap(NULL, 256 * PG, PROT_READ, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK_EQ(mm_status_kb("VmSize"), size0 + 1024);
    CHECK_EQ(munmap(p, 256 * PG), 0);
    CHECK_EQ(mm_status_kb("VmSize"), size0);
    CHECK(mm_status_kb("VmPeak") >= size0 + 1024); /* the peak stays */
    return 0;
}

static int t_status_vmrss(void)
{
    char *p = mmap(NULL, 64 * PG, RW, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    long rss0 = mm_status_kb("VmRSS");
    touch(p, 64);
    long rss1 = mm_status_kb("VmRSS");
    CHECK(rss1 - rss0 >= 256 && rss1 - rss0 <= 256 + 32);
    CHECK(mm_status_kb("VmHWM") >= rss1);
    CHECK_EQ(munmap(p, 64 * PG), 0);
    long rss2 = mm_status_kb("VmRSS");
    CHECK(rss1 - rss2 >= 256 - 32 && rss1 - rss2 <= 256);
    CHECK(mm_status_kb("VmHWM") >= rss2);
    return 0;
}

static int t_status_vmdata(void)
{
    long d0 = mm_status_kb("VmData");
    CHECK(d0 >= 0);
    /* VmData counts private writable mappings, not read-only or shared ones. */
    char *a = mmap(NULL, 256 * PG, RW, ANON, -1, 0);
    CHECK(a != MAP_FAILED);
    CHECK_EQ(mm_status_kb("VmData"), d0 + 1024);
    char *b = mmap(NULL, 64 * PG, PROT_READ, ANON, -1, 0);
    char *c = mmap(NULL, 64 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(b != MAP_FAILED && c != MAP_FAILED);
    CHECK_EQ(mm_status_kb("VmData"), d0 + 1024);
    CHECK_EQ(munmap(a, 256 * PG), 0);
    CHECK_EQ(mm_status_kb("VmData"), d0);
    return 0;
}

static int t_status_vmstk(void)
{
    int local = 0;
    struct mm_vma v;
    CHECK_EQ(mm_vma_at((uintptr_t)&local, &v), 0);
    CHECK(!strcmp(v.name, "[stack]"));
    CHECK_EQ(mm_status_kb("VmStk"), (long)((v.end - v.start) >> 10));
    return 0;
}

static int t_stat_faults(void)
{
    const char *t = mm_slurp("/proc/self/stat", NULL);
    CHECK(t);
    /* "pid (comm) state ppid ...": 52 fields on one line (proc(5)). */
    char head[32];
    snprintf(head, sizeof(head), "%d (", (int)getpid());
    CHECK(!strncmp(t, head, strlen(head)));
    const char *r = strrchr(t, ')');
    CHECK(r && r[1] == ' ' && r[2] >= 'A' && r[2] <= 'Z' && r[3] == ' ');
    int fields = 2;
    for (const char *p = r + 2; *p && *p != '\n'; p++)
        fields += p == r + 2 || p[-1] == ' ';
    CHECK_EQ(fields, 52);
    CHECK(strchr(t, '\n') && strchr(t, '\n')[1] == 0);
    CHECK_EQ(mm_stat_field(4), getppid());

    char *p = mmap(NULL, 64 * PG, RW, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    long min0 = minflt(), maj0 = mm_stat_field(12);
    CHECK(min0 >= 0 && maj0 >= 0);
    touch(p, 64);
    long min1 = minflt();
    CHECK(min1 - min0 >= 64 && min1 - min0 < 64 + 16);
    CHECK_EQ(mm_stat_field(12), maj0); /* anonymous memory needs no I/O */
    return 0;
}

/* ---- superpages ---- */

static int t_hugetlb(void)
{
    warm();
    long f0 = pager_free_frames();
    char *p = mmap(NULL, HPAGE, RW, ANON | MAP_HUGETLB, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK_EQ((uintptr_t)p % HPAGE, 0);
    uintptr_t a = (uintptr_t)p;
    CHECK_EQ(mm_smaps_field(a, "KernelPageSize"), 2048);
    CHECK_EQ(mm_smaps_field(a, "MMUPageSize"), 2048);
    CHECK(mm_smaps_flag(a, "ht"));
    long m0 = minflt();
    for (size_t i = 0; i < HPAGE; i += PG)
        p[i] = (char)(i >> 12);
    CHECK(minflt() - m0 <= 2); /* one fault maps the whole superpage */
    for (size_t i = 0; i < HPAGE; i += PG)
        CHECK_EQ(p[i], (char)(i >> 12));
    CHECK(mm_is_zero(p + 1, PG - 1));
    CHECK_EQ(mm_smaps_field(a, "Private_Hugetlb"), 2048);
    /* Huge pages come from their own pool (as hugetlbfs): counted in HugetlbPages, not RSS,
     * and the ordinary free frames do not change. */
    CHECK_EQ(mm_status_kb("HugetlbPages"), 2048);
    CHECK(pager_free_frames() >= f0 - 4);
    CHECK_EQ(munmap(p, HPAGE), 0);
    CHECK_EQ(mm_status_kb("HugetlbPages"), 0);
    CHECK(pager_free_frames() >= f0 - 4);
    return 0;
}

/* A huge page made inaccessible and then accessible again keeps its contents, read first. */
static int t_hugetlb_mprotect(void)
{
    volatile char *p = mmap(NULL, HPAGE, RW, ANON | MAP_HUGETLB, -1, 0);
    CHECK(p != MAP_FAILED);
    p[PG] = 'h';
    CHECK_EQ(mprotect((void *)p, HPAGE, PROT_NONE), 0);
    CHECK_EQ(mprotect((void *)p, HPAGE, PROT_READ | PROT_WRITE), 0);
    CHECK_EQ(p[PG], 'h');
    p[PG] = 'w';
    CHECK_EQ(p[PG], 'w');
    CHECK_EQ(mprotect((void *)p, HPAGE, PROT_READ), 0);
    CHECK_EQ(p[PG], 'w');
    CHECK_EQ(munmap((void *)p, HPAGE), 0);
    return 0;
}

static int t_hugetlb_errors(void)
{
    /* The length is rounded up to whole superpages. */
    char *p = mmap(NULL, 3ul << 20, RW, ANON | MAP_HUGETLB | MAP_HUGE_2MB, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK_EQ((uintptr_t)p % HPAGE, 0);
    CHECK_EQ(mm_smaps_field((uintptr_t)p, "Size"), 4096);
    p[0] = 1;
    /* munmap and mprotect cannot cut a superpage; MAP_FIXED needs a 2 MiB-aligned address. */
    CHECK_EQ(mm_call_err(munmap(p + PG, PG)), EINVAL);
    CHECK_EQ(mm_call_err(mprotect(p, PG, PROT_READ)), EINVAL);
    CHECK_EQ(mmap_err(p + 4 * HPAGE + PG, HPAGE, RW, ANON | MAP_HUGETLB | MAP_FIXED, 0), EINVAL);
    CHECK_EQ(p[0], 1);
    CHECK_EQ(munmap(p, 2 * HPAGE), 0);
    return 0;
}

/* ---- the map count limit ---- */

static int t_map_count_limit(void)
{
    int e = mm_map_count();
    CHECK(e > 0);
    const size_t pages = 70001;
    char *r = mmap(NULL, pages * PG, PROT_READ, ANON | MAP_NORESERVE, -1, 0);
    CHECK(r != MAP_FAILED);
    CHECK_EQ(mm_map_count(), e + 1);
    /* A hole for single pages later, below r: 8 pages, used at 1, 3, 5 (never adjacent). */
    char *hole = mmap(NULL, 8 * PG, PROT_NONE, ANON, -1, 0);
    CHECK(hole != MAP_FAILED);
    CHECK_EQ(munmap(hole, 8 * PG), 0);
    /* Every other page PROT_NONE: each call splits one mapping into three. */
    long k = 0;
    int err = 0;
    for (size_t i = 1; i + 1 < pages; i += 2) {
        if (mprotect(r + i * PG, PG, PROT_NONE)) {
            err = errno;
            break;
        }
        k++;
    }
    long count = e + 1 + 2 * k;
    printf("# %ld splits, %ld mappings when refused\n", k, count);
    CHECK_EQ(err, ENOMEM);
    CHECK(count >= MAX_MAP_COUNT - 3 && count <= MAX_MAP_COUNT);
    /* New mappings: at most one or two more, then ENOMEM. */
    int made = 0;
    err = 0;
    for (int j = 0; j < 3; j++) {
        char *q = mmap(hole + (2 * j + 1) * PG, PG, PROT_READ, ANON | MAP_FIXED_NOREPLACE, -1, 0);
        if (q == MAP_FAILED) {
            err = errno;
            break;
        }
        made++;
    }
    CHECK_EQ(err, ENOMEM);
    CHECK(made <= 2);
    /* At the limit, splitting by munmap or mprotect is refused too. */
    CHECK_EQ(mm_call_err(munmap(r + (pages - 3) * PG, PG)), ENOMEM);
    CHECK_EQ(mm_call_err(mprotect(r + (pages - 3) * PG, PG, RW)), ENOMEM);
    /* Unmapping whole mappings always works, and then mmap works again. */
    CHECK_EQ(munmap(r, pages * PG), 0);
    CHECK_EQ(munmap(hole, 8 * PG), 0);
    CHECK_EQ(mm_map_count(), e);
    char *q = mmap(NULL, PG, RW, ANON, -1, 0);
    CHECK(q != MAP_FAILED);
    *q = 1;
    return 0;
}

/* ---- the stack ---- */

static int t_stack_grows(void)
{
    int local = 0;
    struct mm_vma v;
    CHECK_EQ(mm_vma_at((uintptr_t)&local, &v), 0);
    CHECK(!strcmp(v.name, "[stack]"));
    CHECK(v.end - v.start < (4ul << 20)); /* it starts small */
    CHECK(v.end <= task_size());
    unsigned long s = v.start;
    CHECK(mm_vma_at(s - 64 * PG, &v) < 0);
    /* A fault below the stack grows it down to there. */
    ((volatile char *)s)[-(long)(32 * PG)] = 1;
    CHECK_EQ(mm_vma_at((uintptr_t)&local, &v), 0);
    CHECK_EQ(v.start, s - 32 * PG);
    CHECK(mm_smaps_flag(v.start, "gd"));
    CHECK_EQ(((volatile char *)s)[-(long)(32 * PG) + 1], 0);
    return 0;
}

/*
 * Put an accessible page 300 pages below the stack, then touch `below` pages below the
 * stack's start: growing there leaves 300 - below - 1 pages between, and Linux refuses to
 * grow closer than the 256-page guard gap to a mapping below.
 */
static int stack_guard_child(unsigned long below)
{
    int local = 0;
    struct mm_vma v;
    if (mm_vma_at((uintptr_t)&local, &v) || strcmp(v.name, "[stack]"))
        return 2;
    unsigned long s = v.start;
    char *p = (char *)(s - 300 * PG);
    if (mmap(p, PG, PROT_READ, ANON | MAP_FIXED_NOREPLACE, -1, 0) != p)
        return 3;
    ((volatile char *)s)[-(long)(below * PG)] = 1;
    return 0;
}

static int c_stack_guard_ok(void)
{
    return stack_guard_child(40); /* 259 pages between: allowed */
}

static int c_stack_guard_hit(void)
{
    return stack_guard_child(50); /* 249 pages between: SIGSEGV */
}

static int t_stack_guard_gap(void)
{
    long st = kt_run_child("_mm_stack_guard_ok");
    CHECK(st >= 0);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 0);
    return mm_expect_signal("_mm_stack_guard_hit", SIG_SEGV);
}

static int t_stack_guard_placement(void)
{
    int local = 0;
    struct mm_vma v;
    CHECK_EQ(mm_vma_at((uintptr_t)&local, &v), 0);
    unsigned long gap_lo = v.start - GUARD_PAGES * PG, top = v.end;
    /* A hint inside the guard gap is not taken; nothing is placed there. */
    char *hint = (char *)(v.start - 16 * PG);
    CHECK(mm_vma_at((uintptr_t)hint, &v) < 0);
    char *p = mmap(hint, PG, RW, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK(p != hint);
    CHECK((uintptr_t)p + PG <= gap_lo || (uintptr_t)p >= top);
    for (int i = 0; i < 8; i++) {
        char *q = mmap(NULL, 64 * PG, PROT_READ, ANON, -1, 0);
        CHECK(q != MAP_FAILED);
        CHECK((uintptr_t)q + 64 * PG <= gap_lo || (uintptr_t)q >= top);
    }
    return 0;
}

/* ---- frames and out of memory ---- */

/* Use memory every way there is, and exit without giving any of it back. */
static int c_churn(void)
{
    char *a = mmap(NULL, 256 * PG, RW, ANON, -1, 0);
    if (a == MAP_FAILED)
        return 2;
    touch(a, 256);
    char *b = mremap(a, 256 * PG, 512 * PG, MREMAP_MAYMOVE);
    if (b == MAP_FAILED)
        return 3;
    touch(b + 256 * PG, 64);
    madvise(b, 32 * PG, MADV_DONTNEED);
    mprotect(b + 8 * PG, 8 * PG, PROT_READ);
    munmap(b + 100 * PG, 10 * PG);
    char *c = mmap(NULL, 64 * PG, RW, ANON | MAP_POPULATE, -1, 0);
    char *d = mmap(NULL, 16 * PG, RW, ANON | MAP_LOCKED, -1, 0);
    char *e = mmap(NULL, 32 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char *h = mmap(NULL, HPAGE, RW, ANON | MAP_HUGETLB, -1, 0);
    if (c == MAP_FAILED || d == MAP_FAILED || e == MAP_FAILED || h == MAP_FAILED)
        return 4;
    touch(e, 32);
    h[0] = 1;
    char *z = mmap(NULL, 64 * PG, PROT_READ, ANON, -1, 0);
    if (z == MAP_FAILED || !mm_is_zero(z, 64 * PG))
        return 5;
    madvise(z, 64 * PG, MADV_POPULATE_WRITE);
    char *w = mmap(NULL, 32 * PG, RW, ANON, -1, 0);
    if (w == MAP_FAILED || madvise(w, 32 * PG, MADV_POPULATE_WRITE))
        return 6;
    char *q = mremap(w, 32 * PG, 32 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, (void *)0);
    if (q == MAP_FAILED)
        return 7;
    touch(w, 4);
    char *b0 = sbrk(0);
    if (brk(b0 + 64 * PG))
        return 8;
    memset(b0, 1, 64 * PG);
    mm_slurp("/proc/self/smaps", NULL);
    return 0;
}

static int c_touch_then_segv(void)
{
    char *p = mmap(NULL, 128 * PG, RW, ANON, -1, 0);
    if (p == MAP_FAILED)
        return 2;
    touch(p, 128);
    char *h = mmap(NULL, HPAGE, RW, ANON | MAP_HUGETLB, -1, 0);
    if (h != MAP_FAILED)
        h[0] = 1;
    munmap(p + 64 * PG, PG);
    return ((volatile char *)p)[64 * PG]; /* SIGSEGV */
}

static int t_frames_after_exit(void)
{
    long f0 = pager_free_frames();
    CHECK(f0 > 0);
    for (int i = 0; i < 2; i++) {
        long st = kt_run_child("_mm_churn");
        CHECK(st >= 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st))
            printf("# _mm_churn: status 0x%lx\n", st);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        CHECK_EQ(pager_free_frames(), f0);
    }
    CHECK_EQ(mm_expect_signal("_mm_touch_then_segv", SIG_SEGV), 0);
    CHECK_EQ(pager_free_frames(), f0);
    return 0;
}

/* Touch more memory than there is, a batch of pages per call while that works. */
static int c_oom(void)
{
    long free = pager_free_frames();
    if (free <= 0)
        return 2;
    size_t len = (size_t)(free + 8192) * PG;
    char *p = mmap(NULL, len, RW, ANON | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return 3;
    const size_t chunk = 256 * PG;
    for (size_t off = 0; off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        if (madvise(p + off, n, MADV_POPULATE_WRITE))
            touch(p + off, n / PG); /* the fault that finds no frame */
    }
    return 0;
}

static int t_oom_kills_only_faulter(void)
{
    long f0 = pager_free_frames();
    long st = kt_run_child("_mm_oom");
    CHECK(st >= 0);
    if (!WIFSIGNALED(st))
        printf("# _mm_oom exited with status %d\n", (int)WEXITSTATUS(st));
    CHECK(WIFSIGNALED(st));
    CHECK(WTERMSIG(st) == SIG_BUS || WTERMSIG(st) == SIG_KILL);
    /* Everything came back, and the pager and this process go on. */
    CHECK_EQ(pager_free_frames(), f0);
    char *p = mmap(NULL, 16 * PG, RW, ANON, -1, 0);
    CHECK(p != MAP_FAILED);
    touch(p, 16);
    CHECK_EQ(munmap(p, 16 * PG), 0);
    st = kt_run_child("_mm_churn");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return 0;
}

const struct ktest mm_tests[] = {
    {"mm_pagesize", t_pagesize, "getpagesize and sysconf(_SC_PAGESIZE) are 4096"},
    {"mm_mmap_anon_zeroed", t_mmap_anon_zeroed, "anonymous memory is aligned, zeroed, usable"},
    {"mm_mmap_einval", t_mmap_einval, "mmap: length 0, unaligned fixed, bad type -> EINVAL"},
    {"mm_mmap_ebadf", t_mmap_ebadf, "mmap without MAP_ANONYMOUS and fd -1 -> EBADF"},
    {"mm_mmap_enomem_size", t_mmap_enomem_size, "mmap longer than any free area -> ENOMEM"},
    {"mm_mmap_beyond_task_size", t_mmap_beyond_task_size, "fixed maps past TASK_SIZE -> ENOMEM"},
    {"mm_task_size_sv", t_task_size_sv, "TASK_SIZE 2^47 (Sv48) or 2^38 (Sv39) bounds mmap"},
    {"mm_mmap_hint", t_mmap_hint, "a free hint is honoured (rounded to a page)"},
    {"mm_mmap_hint_busy", t_mmap_hint_busy, "an occupied hint is ignored, nothing replaced"},
    {"mm_mmap_topdown", t_mmap_topdown, "placement is top-down, each below the last"},
    {"mm_mmap_fixed_replaces", t_mmap_fixed_replaces, "MAP_FIXED replaces part of a mapping"},
    {"mm_mmap_fixed_noreplace", t_mmap_fixed_noreplace, "MAP_FIXED_NOREPLACE: EEXIST or exact"},
    {"mm_mmap_populate", t_mmap_populate, "MAP_POPULATE maps every page up front"},
    {"mm_mmap_noreserve", t_mmap_noreserve, "4 GiB MAP_NORESERVE costs nothing, flag nr"},
    {"mm_mmap_locked", t_mmap_locked, "MAP_LOCKED populates; Locked, VmLck, flag lo"},
    {"mm_mmap_growsdown", t_mmap_growsdown, "MAP_GROWSDOWN grows on a fault below it"},
    {"mm_mmap_stack_flag", t_mmap_stack_flag, "MAP_STACK memory works"},
    {"mm_mmap_shared_anon", t_mmap_shared_anon, "MAP_SHARED anonymous: rw-s, sh, no merge"},
    {"mm_prot_write_implies_read", t_prot_write_implies_read, "PROT_WRITE alone is readable"},
    {"mm_prot_exec", t_prot_exec, "code runs from PROT_EXEC memory"},
    {"mm_segv_prot_none", t_segv_prot_none, "reading PROT_NONE memory is SIGSEGV"},
    {"mm_segv_write_readonly", t_segv_write_readonly, "writing PROT_READ memory is SIGSEGV"},
    {"mm_segv_exec_noexec", t_segv_exec_noexec, "running code without PROT_EXEC is SIGSEGV"},
    {"mm_segv_unmapped", t_segv_unmapped, "touching an unmapped page is SIGSEGV"},
    {"mm_zero_page_read", t_zero_page_read, "reads map the zero page: no frames, Rss 0"},
    {"mm_zero_page_then_write", t_zero_page_then_write, "a write replaces the zero page"},
    {"mm_munmap_frees_frames", t_munmap_frees_frames, "munmap returns frames to the pool"},
    {"mm_munmap_split", t_munmap_split, "munmap in the middle splits; refill merges"},
    {"mm_munmap_errors", t_munmap_errors, "munmap: EINVAL cases; unmapped range is fine"},
    {"mm_munmap_many", t_munmap_many, "one munmap over many mappings and holes"},
    {"mm_merge_adjacent", t_merge_adjacent, "compatible neighbours merge in maps"},
    {"mm_mprotect_split_merge", t_mprotect_split_merge, "mprotect splits and merges back"},
    {"mm_mprotect_segv_middle", t_mprotect_segv_middle, "a page made read-only faults alone"},
    {"mm_mprotect_errors", t_mprotect_errors, "mprotect: EINVAL, ENOMEM over a hole"},
    {"mm_mprotect_keeps_data", t_mprotect_keeps_data, "PROT_NONE and back keeps the contents"},
    {"mm_mremap_shrink", t_mremap_shrink, "mremap shrinks in place, frees the tail"},
    {"mm_mremap_shrunk_segv", t_mremap_shrunk_segv, "the cut tail of a mremap is SIGSEGV"},
    {"mm_mremap_grow_in_place", t_mremap_grow_in_place, "mremap grows in place into free room"},
    {"mm_mremap_maymove", t_mremap_maymove, "blocked growth: ENOMEM, or moves with MAYMOVE"},
    {"mm_mremap_old_gone_segv", t_mremap_old_gone_segv, "the old range of a move is SIGSEGV"},
    {"mm_mremap_fixed", t_mremap_fixed, "MREMAP_FIXED moves over a mapping; its errors"},
    {"mm_mremap_dontunmap", t_mremap_dontunmap, "MREMAP_DONTUNMAP leaves an empty old range"},
    {"mm_mremap_errors", t_mremap_errors, "mremap: EINVAL and EFAULT cases"},
    {"mm_mremap_dup_shared", t_mremap_dup_shared, "mremap of 0 bytes duplicates a shared mapping"},
    {"mm_madv_dontneed", t_madv_dontneed, "MADV_DONTNEED zeroes and frees frames"},
    {"mm_madv_willneed", t_madv_willneed, "MADV_WILLNEED succeeds, contents unchanged"},
    {"mm_madv_populate_read", t_madv_populate_read, "MADV_POPULATE_READ maps the zero page"},
    {"mm_madv_populate_write", t_madv_populate_write, "MADV_POPULATE_WRITE maps frames"},
    {"mm_madv_populate_errors", t_madv_populate_errors, "populate: EINVAL; ENOMEM over a hole"},
    {"mm_madv_access_hints", t_madv_access_hints, "RANDOM/SEQUENTIAL split (rr, sr); NORMAL"},
    {"mm_madv_errors", t_madv_errors, "madvise: EINVAL; ENOMEM over a hole"},
    {"mm_brk_grow_shrink", t_brk_grow_shrink, "brk/sbrk grow and shrink [heap]"},
    {"mm_brk_limits", t_brk_limits, "brk below the heap or into a mapping fails"},
    {"mm_heap_after_data", t_heap_after_data, "the heap lies after the program's data"},
    {"mm_brk_shrunk_segv", t_brk_shrunk_segv, "memory above a lowered break is SIGSEGV"},
    {"mm_maps_format", t_maps_format, "/proc/self/maps lines in Linux's format"},
    {"mm_maps_by_pid", t_maps_by_pid, "/proc/<pid>/maps equals /proc/self/maps"},
    {"mm_smaps_format", t_smaps_format, "/proc/self/smaps fields, order and widths"},
    {"mm_smaps_rss", t_smaps_rss, "smaps Rss counts written pages exactly"},
    {"mm_smaps_rollup", t_smaps_rollup, "smaps_rollup: format and the sum of Rss"},
    {"mm_status_format", t_status_format, "/proc/self/status Vm* lines in Linux's format"},
    {"mm_status_vmsize", t_status_vmsize, "VmSize is the sum of the mappings; VmPeak"},
    {"mm_status_vmrss", t_status_vmrss, "VmRSS follows touched and unmapped pages; VmHWM"},
    {"mm_status_vmdata", t_status_vmdata, "VmData counts private writable mappings"},
    {"mm_status_vmstk", t_status_vmstk, "VmStk is the size of [stack]"},
    {"mm_stat_faults", t_stat_faults, "/proc/self/stat: 52 fields, minflt and majflt"},
    {"mm_hugetlb", t_hugetlb, "MAP_HUGETLB: 2 MiB superpage, KernelPageSize 2048 kB"},
    {"mm_hugetlb_mprotect", t_hugetlb_mprotect, "MAP_HUGETLB: mprotect NONE then RW, read first"},
    {"mm_hugetlb_errors", t_hugetlb_errors, "hugetlb: length rounding; no partial cuts"},
    {"mm_map_count_limit", t_map_count_limit, "max_map_count: splits and maps -> ENOMEM"},
    {"mm_stack_grows", t_stack_grows, "the main stack grows down on a fault below it"},
    {"mm_stack_guard_gap", t_stack_guard_gap, "the stack keeps a 256-page guard gap"},
    {"mm_stack_guard_placement", t_stack_guard_placement, "mmap places nothing in the gap"},
    {"mm_frames_after_exit", t_frames_after_exit, "every frame is back after exit or SIGSEGV"},
    {"mm_oom_kills_only_faulter", t_oom_kills_only_faulter, "out of memory kills the faulter"},
    {"_mm_prot_none", c_prot_none, "(child) read PROT_NONE memory"},
    {"_mm_write_readonly", c_write_readonly, "(child) write PROT_READ memory"},
    {"_mm_exec_noexec", c_exec_noexec, "(child) run code from non-executable memory"},
    {"_mm_unmapped", c_unmapped, "(child) touch an unmapped page"},
    {"_mm_mprotect_middle", c_mprotect_middle, "(child) write a page made read-only"},
    {"_mm_mremap_shrunk", c_mremap_shrunk, "(child) touch past a shrunk mapping"},
    {"_mm_mremap_moved", c_mremap_moved, "(child) touch the old range of a moved mapping"},
    {"_mm_brk_shrunk", c_brk_shrunk, "(child) touch above a lowered break"},
    {"_mm_stack_guard_ok", c_stack_guard_ok, "(child) grow the stack to the guard gap"},
    {"_mm_stack_guard_hit", c_stack_guard_hit, "(child) grow the stack into the guard gap"},
    {"_mm_churn", c_churn, "(child) use memory every way and exit"},
    {"_mm_touch_then_segv", c_touch_then_segv, "(child) use memory, then SIGSEGV"},
    {"_mm_oom", c_oom, "(child) touch more memory than there is"},
};
const unsigned mm_tests_count = sizeof(mm_tests) / sizeof(mm_tests[0]);

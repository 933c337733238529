/*
 * layout_tests.c - address-space layout randomisation (ASLR), as Linux's: where each exec puts
 * the stack, the mmap area and the heap, AT_RANDOM, personality(ADDR_NO_RANDOMIZE) and
 * /proc/sys/kernel/randomize_va_space.
 *
 * Each case execs the helper _layout several times; the helper writes where its layout
 * landed to /tmp/layout.<pid>. The expectations follow randomize_va_space as the system
 * reports it, so the same cases check the default boot (2: stack, mmap and heap move) and a
 * boot with `norandmaps` (0: the fixed layout; tests/guest/meson.build runs both).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <unistd.h>

#include "ktest.h"
#include "mm_util.h"
#include "proc_util.h"

#define RUNS         4
#define STACK_OFFSET 0x3000ul          /* the stack top without randomisation: TASK_SIZE - this */
#define MMAP_GAP     (129ul << 20)     /* mmap_base without randomisation: TASK_SIZE - this */
#define STACK_RND    (0x3fffful << 12) /* riscv64's stack randomisation: 1 GiB of pages */
#define MMAP_RND_GAP ((8ul << 20) + (1ul << 20) + STACK_RND) /* the gap when randomised */
#define MMAP_RND     (1ul << 30)                             /* 18 bits of pages */
#define BRK_RND      (1ul << 30)
#define AT_RANDOM    25

struct layout {
    unsigned long random; /* AT_RANDOM's address: 16 bytes below the stack's top */
    unsigned long local;  /* a local variable of the helper */
    unsigned long mmap;   /* its first mmap(NULL, 4096) */
    unsigned long brk;    /* start_brk (/proc/self/stat field 47) */
    unsigned long end;    /* the end of its program (end, page aligned) */
    unsigned char bytes[16];
};

/* The helper: where did this process's layout land? Written to /tmp/layout.<pid>. */
static int h_layout(void)
{
    extern char end[];
    volatile int local = 0;
    struct layout l = {0};
    l.random = getauxval(AT_RANDOM);
    CHECK(l.random != 0);
    memcpy(l.bytes, (const void *)l.random, 16);
    l.local = (unsigned long)&local;
    void *m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    l.mmap = (unsigned long)m;
    l.brk = (unsigned long)mm_stat_field(47);
    l.end = (unsigned long)end;
    char path[32];
    snprintf(path, sizeof(path), "/tmp/layout.%d", (int)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, &l, sizeof(l)), (long)sizeof(l));
    CHECK_EQ(close(fd), 0);
    return 0;
}

/* Exec the helper in a child and read what it found; 0 or -1. */
static int run_layout(struct layout *l)
{
    pid_t pid = exec_child("_layout", NULL, NULL);
    if (pid <= 0)
        return -1;
    int st = proc_wait(pid);
    if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    char path[32];
    snprintf(path, sizeof(path), "/tmp/layout.%d", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    long n = read(fd, l, sizeof(*l));
    close(fd);
    unlink(path);
    return n == (long)sizeof(*l) ? 0 : -1;
}

/* /proc/sys/kernel/randomize_va_space as a number, or -1. */
static int randomize_va_space(void)
{
    size_t len;
    const char *t = mm_slurp("/proc/sys/kernel/randomize_va_space", &len);
    if (!t || len != 2 || t[1] != '\n' || t[0] < '0' || t[0] > '2')
        return -1;
    return t[0] - '0';
}

/* How many distinct values of field among the runs (a tiny O(n^2) count). */
static int distinct(const struct layout *l, int n, unsigned long (*field)(const struct layout *))
{
    int d = 0;
    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++)
            seen |= field(&l[i]) == field(&l[j]);
        d += !seen;
    }
    return d;
}

static unsigned long f_random(const struct layout *l)
{
    return l->random;
}
static unsigned long f_mmap(const struct layout *l)
{
    return l->mmap;
}
static unsigned long f_brk(const struct layout *l)
{
    return l->brk;
}
static unsigned long f_bytes(const struct layout *l)
{
    unsigned long v;
    memcpy(&v, l->bytes, sizeof(v));
    return v;
}

/* Every run's layout within Linux's ranges for level; fixed values at level 0. */
static int check_ranges(const struct layout *l, int level)
{
    unsigned long ts = (unsigned long)sys_sysinfo(SYSINFO_TASK_SIZE);
    unsigned long top = ts - STACK_OFFSET, base = ts - MMAP_GAP;
    if (level == 0) {
        CHECK_EQ(l->random, top - 16); /* AT_RANDOM's bytes are the stack's top 16 */
        CHECK_EQ(l->mmap, base - PG);  /* the first mapping right below mmap_base */
        CHECK_EQ(l->brk, l->end);      /* the heap right after the program */
        return 0;
    }
    /* The stack top moves down by whole pages; AT_RANDOM's bytes are its top 16. */
    CHECK(l->random <= top - 16 && l->random >= top - STACK_RND - 16);
    CHECK_EQ((top - 16 - l->random) % PG, 0);
    CHECK(l->local < l->random);
    base = ts - MMAP_RND_GAP;
    CHECK(l->mmap < base && l->mmap >= base - MMAP_RND - (64ul << 20));
    CHECK_EQ(l->mmap % PG, 0);
    if (level == 2)
        CHECK(l->brk >= l->end && l->brk < l->end + BRK_RND);
    else
        CHECK_EQ(l->brk, l->end);
    CHECK_EQ(l->brk % PG, 0);
    return 0;
}

/* Each exec gets a layout as randomize_va_space says: new places at 1 and 2, fixed at 0. */
static int t_aslr_exec_layouts(void)
{
    int level = randomize_va_space();
    CHECK(level >= 0);
    struct layout l[RUNS];
    for (int i = 0; i < RUNS; i++) {
        CHECK_EQ(run_layout(&l[i]), 0);
        if (check_ranges(&l[i], level))
            return 1;
    }
    /* Four runs with 18, 18 and 18 bits of randomness: all alike by chance < 2^-50. */
    int want = level ? 2 : 1;
    CHECK(level ? distinct(l, RUNS, f_random) >= want : distinct(l, RUNS, f_random) == 1);
    CHECK(level ? distinct(l, RUNS, f_mmap) >= want : distinct(l, RUNS, f_mmap) == 1);
    CHECK(level == 2 ? distinct(l, RUNS, f_brk) >= 2 : distinct(l, RUNS, f_brk) == 1);
    /* AT_RANDOM's bytes are random whatever the level (Linux gives them always). */
    CHECK(distinct(l, RUNS, f_bytes) >= 2);
    return 0;
}

/* personality(ADDR_NO_RANDOMIZE) (setarch -R): the fixed layout, kept by fork and exec. */
static int t_aslr_personality(void)
{
    int old = personality(0xffffffff);
    CHECK(old >= 0);
    CHECK_EQ(old & ADDR_NO_RANDOMIZE, 0);
    CHECK_EQ(personality((unsigned long)old | ADDR_NO_RANDOMIZE), old);
    CHECK_EQ(personality(0xffffffff), old | ADDR_NO_RANDOMIZE);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(personality(0xffffffff) == (old | ADDR_NO_RANDOMIZE)); /* fork keeps it */
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    struct layout l[2];
    CHECK_EQ(run_layout(&l[0]), 0);
    CHECK_EQ(run_layout(&l[1]), 0);
    for (int i = 0; i < 2; i++)
        if (check_ranges(&l[i], 0))
            return 1;
    CHECK(f_bytes(&l[0]) != f_bytes(&l[1])); /* AT_RANDOM stays random */
    CHECK_EQ(personality((unsigned long)old), old | ADDR_NO_RANDOMIZE);
    CHECK_EQ(personality(0xffffffff), old);
    return 0;
}

/* A forked child keeps its parent's layout exactly (only exec chooses a new one). */
static int t_aslr_fork_keeps_layout(void)
{
    volatile int *mb = mailbox();
    CHECK(mb);
    unsigned long top = getauxval(AT_RANDOM);
    CHECK(top != 0);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        CCHECK(getauxval(AT_RANDOM) == top);
        void *m = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CCHECK(m != MAP_FAILED);
        mb[1] = (int)((unsigned long)m >> 12);
        _exit(0);
    }
    CHECK_EXIT(pid, 0);
    /* The same address comes next here: both spaces have the same mappings and mmap_base. */
    void *m = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    CHECK_EQ(mb[1], (int)((unsigned long)m >> 12));
    return 0;
}

/* /proc/sys/kernel/randomize_va_space: one number, as the boot arguments chose. */
static int t_aslr_sysctl(void)
{
    int level = randomize_va_space();
    CHECK(level >= 0);
    size_t len;
    const char *cmdline = mm_slurp("/proc/cmdline", &len);
    CHECK(cmdline);
    const char *knob = strstr(cmdline, "randomize_va_space=");
    int want = strstr(cmdline, "norandmaps") ? 0 : knob ? knob[19] - '0' : 2;
    CHECK_EQ(level, want);
    CHECK(open("/proc/sys/kernel/randomize_va_space", O_WRONLY) < 0); /* read-only here */
    CHECK(open("/proc/sys/kernel/no_such_knob", O_RDONLY) < 0);
    return 0;
}

const struct ktest layout_tests[] = {
    {"aslr_exec_layouts", t_aslr_exec_layouts,
     "each exec: stack, mmap base and heap where randomize_va_space says"},
    {"aslr_personality", t_aslr_personality,
     "personality(ADDR_NO_RANDOMIZE): fixed layout, kept by fork and exec"},
    {"aslr_fork_keeps_layout", t_aslr_fork_keeps_layout, "fork keeps the parent's layout"},
    {"aslr_sysctl", t_aslr_sysctl, "/proc/sys/kernel/randomize_va_space follows the bootargs"},
    {"_layout", h_layout, "helper: writes this process's layout to /tmp/layout.<pid>"},
};
const unsigned layout_tests_count = sizeof(layout_tests) / sizeof(layout_tests[0]);

/*
 * mmanon.c - the anonymous-memory workloads of the benchmark table (shared/bench/README.md),
 * run as init under `tools/bench` (QEMU -icount: one guest instruction per nanosecond).
 *
 * Each workload runs once to warm up, then counted, and prints
 *     BENCH <name> <units> <total_ns> <ns_per_unit>
 * The workloads are those of the table: anon_write_fault, anon_read_fault, mmap_munmap,
 * mprotect_split, vma_scale_fault, munmap_10k, fork_16m, cow_fault and mlock_populate (same
 * sizes and counts; the file ones are in mmfile.c). Arguments name the workloads to run
 * (anon_faults, mmap_munmap, mprotect_split, vma_scale, fork_cow, mlock_populate): all when
 * none, e.g. `tools/run --icount -- init=/bin/mmanon fork_cow` to profile one.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <samara/user.h>

#include "bench.h"

#define PAGE        4096ul
#define ANON_SIZE   (64ul << 20)
#define PAIRS       10000
#define SPLIT_PAGES 1024
#define SCALE       10000

static char *map_anon(size_t len, int prot)
{
    char *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        printf("mmanon: mmap of %lu bytes failed\n", (unsigned long)len);
        exit(1);
    }
    return p;
}

static uint32_t seed = 12345;

static uint32_t rnd(void)
{
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
}

static void anon_faults(int counted)
{
    volatile char *p = map_anon(ANON_SIZE, PROT_READ | PROT_WRITE);
    uint64_t t0 = now_ns();
    for (uint64_t off = 0; off < ANON_SIZE; off += PAGE)
        p[off] = 1;
    bench_report("anon_write_fault", counted, ANON_SIZE / PAGE, now_ns() - t0);
    munmap((void *)p, ANON_SIZE);
    p = map_anon(ANON_SIZE, PROT_READ | PROT_WRITE);
    unsigned long sum = 0;
    t0 = now_ns();
    for (uint64_t off = 0; off < ANON_SIZE; off += PAGE)
        sum += p[off];
    bench_report("anon_read_fault", counted, ANON_SIZE / PAGE, now_ns() - t0);
    munmap((void *)p, ANON_SIZE);
    if (sum)
        printf("mmanon: zero page not zero\n");
}

static void mmap_munmap(int counted)
{
    uint64_t t0 = now_ns();
    for (int i = 0; i < PAIRS; i++)
        munmap(map_anon(PAGE, PROT_READ | PROT_WRITE), PAGE);
    bench_report("mmap_munmap", counted, PAIRS, now_ns() - t0);
}

static void mprotect_split(int counted)
{
    char *p = map_anon(SPLIT_PAGES * PAGE, PROT_READ | PROT_WRITE);
    for (unsigned i = 0; i < SPLIT_PAGES; i++)
        p[i * PAGE] = 1;
    uint64_t t0 = now_ns();
    for (int i = 0; i < PAIRS; i++) {
        char *q = p + (rnd() % SPLIT_PAGES) * PAGE;
        mprotect(q, PAGE, PROT_READ);
        mprotect(q, PAGE, PROT_READ | PROT_WRITE);
    }
    bench_report("mprotect_split", counted, PAIRS, now_ns() - t0);
    munmap(p, SPLIT_PAGES * PAGE);
}

static void vma_scale(int counted)
{
    /* 10,000 one-page mappings a page apart (they cannot merge), touched in random order. */
    char *base = map_anon(2 * SCALE * PAGE, PROT_NONE);
    munmap(base, 2 * SCALE * PAGE);
    static unsigned order[SCALE];
    for (unsigned i = 0; i < SCALE; i++) {
        if (mmap(base + 2 * i * PAGE, PAGE, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) {
            printf("mmanon: mmap %u failed\n", i);
            exit(1);
        }
        order[i] = i;
    }
    for (unsigned i = SCALE - 1; i > 0; i--) {
        unsigned j = rnd() % (i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    uint64_t t0 = now_ns();
    for (unsigned i = 0; i < SCALE; i++)
        base[2 * order[i] * PAGE] = 1;
    bench_report("vma_scale_fault", counted, SCALE, now_ns() - t0);
    t0 = now_ns();
    for (unsigned i = 0; i < SCALE; i++)
        munmap(base + 2 * i * PAGE, PAGE);
    bench_report("munmap_10k", counted, SCALE, now_ns() - t0);
}

#define COW_SIZE (16ul << 20)

/*
 * fork_16m: fork() of a process with 16 MiB of anonymous memory resident, from the call to
 * whichever of parent and child runs first after it (as mmbench). cow_fault: then the child
 * writes one byte per page (each a copy-on-write fault), timed in the child. The child's
 * figures come back through a shared page.
 */
static void fork_cow(int counted)
{
    volatile uint64_t *shm =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    volatile char *p = map_anon(COW_SIZE, PROT_READ | PROT_WRITE);
    if (shm == MAP_FAILED)
        exit(1);
    for (uint64_t off = 0; off < COW_SIZE; off += PAGE)
        p[off] = 1;
    shm[0] = ~0ull;
    uint64_t t0 = now_ns();
    pid_t pid = fork();
    if (pid == 0) {
        shm[0] = now_ns();
        uint64_t c0 = now_ns();
        for (uint64_t off = 0; off < COW_SIZE; off += PAGE)
            p[off] = 2;
        shm[1] = now_ns() - c0;
        _exit(0);
    }
    uint64_t t1 = now_ns();
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
        printf("mmanon: fork failed\n");
        exit(1);
    }
    uint64_t first = t1 < shm[0] ? t1 : shm[0];
    bench_report("fork_16m", counted, 1, first - t0);
    bench_report("cow_fault", counted, COW_SIZE / PAGE, shm[1]);
    munmap((void *)p, COW_SIZE);
    munmap((void *)shm, 4096);
}

/* mlock_populate: mlock a fresh 16 MiB anonymous mapping (every page made and mapped). */
static void mlock_populate(int counted)
{
    char *p = map_anon(COW_SIZE, PROT_READ | PROT_WRITE);
    uint64_t t0 = now_ns();
    if (mlock(p, COW_SIZE)) {
        printf("mmanon: mlock failed\n");
        exit(1);
    }
    bench_report("mlock_populate", counted, COW_SIZE / PAGE, now_ns() - t0);
    munlock(p, COW_SIZE);
    munmap(p, COW_SIZE);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        void (*run)(int counted);
    } w[] = {{"anon_faults", anon_faults},
             {"mmap_munmap", mmap_munmap},
             {"mprotect_split", mprotect_split},
             {"vma_scale", vma_scale},
             {"fork_cow", fork_cow},
             {"mlock_populate", mlock_populate}};
    for (int a = 1; a < argc; a++) {
        unsigned k = 0;
        while (k < sizeof(w) / sizeof(w[0]) && strcmp(argv[a], w[k].name))
            k++;
        if (k == sizeof(w) / sizeof(w[0])) {
            printf("mmanon: no workload %s\n", argv[a]);
            return 2;
        }
    }
    for (unsigned k = 0; k < sizeof(w) / sizeof(w[0]); k++) {
        bool chosen = argc < 2;
        for (int a = 1; a < argc; a++)
            chosen |= !strcmp(argv[a], w[k].name);
        if (!chosen)
            continue;
        w[k].run(0);
        w[k].run(1);
    }
    return 0;
}

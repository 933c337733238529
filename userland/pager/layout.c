/*
 * layout.c - where a new program's stack, mmap area and heap begin: address-space layout
 * randomisation (ASLR), as Linux 6.1 does it on 64-bit RISC-V.
 *
 * randomize_va_space (bootarg `randomize_va_space=`, or `norandmaps` for 0; read back in
 * /proc/sys/kernel/randomize_va_space) says how much moves at each exec:
 *   0  nothing: the stack top is TASK_SIZE - 0x3000, mmap_base is 129 MiB below TASK_SIZE
 *      (Linux's smallest gap: 128 MiB and the 1 MiB stack guard gap), the heap right after
 *      the program;
 *   1  the stack top goes down by up to 1 GiB in whole pages (riscv64's STACK_RND_MASK,
 *      0x3ffff), and mmap_base by up to 1 GiB more (18 bits of pages, riscv64's
 *      mmap_rnd_bits) below a gap that leaves room for all of that (8 MiB of stack limit,
 *      1 MiB of guard gap and the stack's 1 GiB of randomisation, as Linux's mmap_base());
 *   2  (the default) also the start of the heap (up to 1 GiB past the program).
 * A process whose personality has ADDR_NO_RANDOMIZE (personality(2), `setarch -R`; kept by
 * fork and exec) gets the fixed layout. The program itself is not moved: programs are linked
 * at a fixed address (ET_EXEC), which Linux does not move either. The IPC buffer page stays
 * at its fixed place below TASK_SIZE (docs/BOOT.md).
 *
 * The random numbers come from the kernel's generator (SYS_GETRANDOM), a buffer at a time.
 */
#include <string.h>

#include "pager.h"

unsigned randomize_va_space = 2;

#define STACK_RND_PAGES 0x3fffful     /* riscv64's STACK_RND_MASK: 1 GiB of pages */
#define MMAP_RND_BITS   18            /* riscv64's default mmap_rnd_bits */
#define BRK_RND_RANGE   (1ul << 30)   /* arch_randomize_brk: within 1 GiB */
#define STACK_GUARD_GAP (256ul << 12) /* stack_guard_gap */
#define MMAP_MIN_GAP    ((128ul << 20) + STACK_GUARD_GAP) /* Linux's MIN_GAP */
#define STACK_RLIMIT    (8ul << 20)                       /* RLIMIT_STACK */

void layout_random(void *buf, size_t len)
{
    static uint8_t pool[256];
    static size_t left;
    uint8_t *out = buf;
    while (len) {
        if (!left) {
            long n = sys2(SYS_GETRANDOM, (long)pool, sizeof(pool));
            left = n > 0 ? (size_t)n : 0;
            if (!left) {
                memset(out, 0, len); /* cannot happen: the kernel's generator never fails */
                return;
            }
        }
        size_t n = len < left ? len : left;
        memcpy(out, pool + sizeof(pool) - left, n);
        memset(pool + sizeof(pool) - left, 0, n); /* used bytes do not stay behind */
        left -= n;
        out += n;
        len -= n;
    }
}

static uint64_t random_below(uint64_t range)
{
    uint64_t r;
    layout_random(&r, sizeof(r));
    return range ? r % range : 0;
}

static bool randomized(const struct proc *p, unsigned level)
{
    return randomize_va_space >= level && !(p->personality & PAGER_ADDR_NO_RANDOMIZE);
}

void layout_choose(struct proc *p)
{
    uint64_t stack_top = task_size - PROC_STACK_OFFSET;
    uint64_t mmap_base = task_size - MMAP_MIN_GAP;
    if (randomized(p, 1)) {
        /* mmap_base(): the gap covers the stack limit, its guard and its randomisation. */
        uint64_t gap = STACK_RLIMIT + STACK_GUARD_GAP + STACK_RND_PAGES * PAGE_SIZE;
        gap = gap < MMAP_MIN_GAP ? MMAP_MIN_GAP : gap;
        stack_top -= random_below(STACK_RND_PAGES + 1) * PAGE_SIZE;
        mmap_base = task_size - gap - random_below(1ul << MMAP_RND_BITS) * PAGE_SIZE;
    }
    p->stack_top = stack_top;
    p->mmap_base = mmap_base;
}

void layout_place_heap(struct proc *p)
{
    if (!randomized(p, 2) || !p->start_brk)
        return;
    uint64_t base = p->start_brk;
    p->start_brk = p->brk = base + random_below(BRK_RND_RANGE / PAGE_SIZE) * PAGE_SIZE;
}

/*
 * physmem.c - free-range bookkeeping for boot. A small array; boot-time only.
 */
#include "physmem.h"

#include "kernel.h"
#include "arch/riscv/pte.h"

struct physmem_range physmem_free[PHYSMEM_MAX];
unsigned physmem_nfree;

int physmem_add(uint64_t base, uint64_t size)
{
    uint64_t b = ALIGN_UP(base, PAGE_SIZE), e = ALIGN_DOWN(base + size, PAGE_SIZE);
    if (e <= b)
        return 0;
    if (physmem_nfree == PHYSMEM_MAX)
        return -E2BIG;
    physmem_free[physmem_nfree++] = (struct physmem_range){b, e};
    return 0;
}

int physmem_reserve(uint64_t base, uint64_t size)
{
    if (!size)
        return 0;
    uint64_t rb = ALIGN_DOWN(base, PAGE_SIZE);
    uint64_t re = base + size < base ? ~0ul & ~(PAGE_SIZE - 1) : ALIGN_UP(base + size, PAGE_SIZE);
    for (unsigned i = 0; i < physmem_nfree; i++) {
        struct physmem_range *r = &physmem_free[i];
        if (re <= r->base || rb >= r->end)
            continue;
        if (rb > r->base && re < r->end) {
            /* Split in two. */
            if (physmem_nfree == PHYSMEM_MAX)
                return -E2BIG;
            physmem_free[physmem_nfree++] = (struct physmem_range){re, r->end};
            r->end = rb;
        } else if (rb > r->base) {
            r->end = rb;
        } else if (re < r->end) {
            r->base = re;
        } else {
            r->base = r->end = 0;
        }
    }
    /* Drop emptied ranges. */
    unsigned n = 0;
    for (unsigned i = 0; i < physmem_nfree; i++)
        if (physmem_free[i].end > physmem_free[i].base)
            physmem_free[n++] = physmem_free[i];
    physmem_nfree = n;
    return 0;
}

uint64_t physmem_take(uint64_t npages)
{
    struct physmem_range *best = NULL;
    for (unsigned i = 0; i < physmem_nfree; i++) {
        struct physmem_range *r = &physmem_free[i];
        if ((r->end - r->base) / PAGE_SIZE >= npages &&
            (!best || r->end - r->base > best->end - best->base))
            best = r;
    }
    if (!best)
        return 0;
    uint64_t pa = best->base;
    physmem_reserve(pa, npages * PAGE_SIZE);
    return pa;
}

uint64_t physmem_total_free(void)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < physmem_nfree; i++)
        n += physmem_free[i].end - physmem_free[i].base;
    return n;
}

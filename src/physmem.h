/*
 * physmem.h - the boot-time map of free physical memory.
 *
 * Built once from the DTB: RAM ranges minus every reservation (OpenSBI's, the kernel image,
 * the DTB, the initrd), page aligned. The kernel then takes its pool and the root task's
 * image from it, and hands what is left to the pager as memory capabilities.
 */
#ifndef PHYSMEM_H
#define PHYSMEM_H

#include <stdint.h>

#define PHYSMEM_MAX 32

struct physmem_range {
    uint64_t base, end; /* [base, end), page aligned */
};

extern struct physmem_range physmem_free[PHYSMEM_MAX];
extern unsigned physmem_nfree;

/* Start from RAM [base, base+size). Returns -E2BIG when the table is full. */
int physmem_add(uint64_t base, uint64_t size);
/* Remove [base, base+size) (widened to pages) from the free ranges. -E2BIG on overflow. */
int physmem_reserve(uint64_t base, uint64_t size);
/* Take npages contiguous pages from the start of the largest range that has them; 0 if none. */
uint64_t physmem_take(uint64_t npages);
uint64_t physmem_total_free(void);

#endif

/*
 * pool.h - the kernel memory pool: every byte the kernel allocates after boot.
 *
 * A fixed range of RAM is carved out at boot (never handed to the pager). Pages are kept on a
 * free list; objects smaller than a page come from per-size-class lists of page-carved slots.
 * Running out is reported to the caller as NULL (and to the user as -ENOMEM), never a panic.
 */
#ifndef POOL_H
#define POOL_H

#include <stddef.h>
#include <stdint.h>

void pool_init(uint64_t pa, uint64_t npages);

/* A zeroed page (kernel virtual address), or NULL when the pool is empty. */
void *pool_page_alloc(void);
void pool_page_free(void *page);

/* A zeroed object of `size` bytes (at most a page), or NULL. Free with the same size. */
void *pool_alloc(size_t size);
void pool_free(void *obj, size_t size);

uint64_t pool_free_pages(void);
uint64_t pool_total_pages(void);

#endif

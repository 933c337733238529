/*
 * host_alloc.h - the node allocator the host tests give the maple tree: aligned_alloc(), a count
 * of live nodes (so a leak or a double free is seen at once), and failure injection.
 */
#ifndef TESTS_HOST_MAPLE_HOST_ALLOC_H
#define TESTS_HOST_MAPLE_HOST_ALLOC_H

#include "maple/maple_tree.h"

/* The allocator; host_alloc_install() also makes it the default for mtree_init(). */
extern const struct maple_alloc host_alloc;
void host_alloc_install(void);

/* Make the allocation @n allocations from now fail (0: the next one); -1 turns failures off. */
void host_alloc_fail_after(long n);
/* Allocations made, and nodes currently live. */
unsigned long host_alloc_count(void);
long host_alloc_live(void);

#endif

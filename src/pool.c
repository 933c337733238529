/*
 * pool.c - page and small-object allocator over the kernel's boot-time pool.
 *
 * Size classes are powers of two from 64 bytes to a page. A class refills by taking one page
 * and threading its slots onto the class's free list; slots are never given back to the page
 * list (objects are few and long-lived: tasks, threads, endpoints, capability-table pages).
 */
#include "pool.h"

#include "kernel.h"
#include "arch/riscv/pte.h"

struct free_node {
    struct free_node *next;
};

#define POOL_MIN_SHIFT 6
#define POOL_CLASSES   (PAGE_SHIFT - POOL_MIN_SHIFT) /* 64 .. 2048 */

static struct free_node *page_list;
static struct free_node *class_list[POOL_CLASSES];
static uint64_t pages_free, pages_total;

void pool_init(uint64_t pa, uint64_t npages)
{
    for (uint64_t i = npages; i-- > 0;) {
        struct free_node *n = pa_to_kva(pa + i * PAGE_SIZE);
        n->next = page_list;
        page_list = n;
    }
    pages_free = pages_total = npages;
}

void *pool_page_alloc(void)
{
    struct free_node *n = page_list;
    if (!n)
        return NULL;
    page_list = n->next;
    pages_free--;
    memset(n, 0, PAGE_SIZE);
    return n;
}

void pool_page_free(void *page)
{
    struct free_node *n = page;
    n->next = page_list;
    page_list = n;
    pages_free++;
}

static unsigned size_class(size_t size)
{
    unsigned c = 0;
    while (((size_t)1 << (c + POOL_MIN_SHIFT)) < size)
        c++;
    return c;
}

void *pool_alloc(size_t size)
{
    if (size > PAGE_SIZE / 2)
        return pool_page_alloc();
    unsigned c = size_class(size);
    size_t slot = (size_t)1 << (c + POOL_MIN_SHIFT);
    if (!class_list[c]) {
        char *page = pool_page_alloc();
        if (!page)
            return NULL;
        for (size_t off = PAGE_SIZE; off >= slot; off -= slot) {
            struct free_node *n = (struct free_node *)(page + off - slot);
            n->next = class_list[c];
            class_list[c] = n;
        }
    }
    struct free_node *n = class_list[c];
    class_list[c] = n->next;
    memset(n, 0, slot);
    return n;
}

void pool_free(void *obj, size_t size)
{
    if (size > PAGE_SIZE / 2) {
        pool_page_free(obj);
        return;
    }
    unsigned c = size_class(size);
    struct free_node *n = obj;
    n->next = class_list[c];
    class_list[c] = n;
}

uint64_t pool_free_pages(void)
{
    return pages_free;
}

uint64_t pool_total_pages(void)
{
    return pages_total;
}

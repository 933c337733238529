/*
 * task.h - a task: an address space (page-table root and ASID) and a capability table.
 */
#ifndef TASK_H
#define TASK_H

#include <stdbool.h>

#include "object.h"
#include "arch/riscv/pte.h"

struct thread;

struct task {
    struct kobj obj;
    bool dead;
    uint16_t asid;
    uint32_t id;
    pte_t *root;
    uint64_t satp; /* the satp value that makes this space the current one */
    struct cap *captab[CAP_SLOTS / CAPS_PER_PAGE];
    struct thread *threads; /* live threads, linked through thread->task_next */
    /*
     * The last page table of 4 KiB leaves that vspace_page_word_slot walked to, and the 2 MiB
     * region it maps: faults come in runs through one table, and this saves the walk down
     * to it. Good while no table has been freed since (mmu_tables_freed == leaf_hint_gen).
     */
    pte_t *leaf_hint;
    uint64_t leaf_hint_region, leaf_hint_gen;
};

/* A new empty task with one reference (the caller's), or NULL on -ENOMEM. */
struct task *task_create(void);
/* Kill all threads, free the address space's tables and the capability table. Idempotent. */
void task_destroy(struct task *t);
/* Called when the last reference goes. */
void task_free(struct task *t);
/* Make t's address space the current one. */
void task_activate(struct task *t);
/* Flush the TLB entries of t for one page, or all of t. */
void task_flush_page(struct task *t, uint64_t va);
void task_flush(struct task *t);

extern struct task *active_task;

#endif

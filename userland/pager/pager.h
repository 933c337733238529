/*
 * pager.h - the pager's internal interfaces: frames, processes, faults.
 *
 * This is the first version of the pager: programs come from the boot initrd, their ELF
 * segments and stack are demand-paged from fresh frames, and every process's frames are
 * listed so that exit returns all of them. The VMA tree, COW, files and the mmap family build
 * on these pieces (docs/DESIGN-pager.md).
 */
#ifndef PAGER_PAGER_H
#define PAGER_PAGER_H

#include <stdbool.h>
#include <stdint.h>

#include <samara/bootinfo.h>
#include <samara/user.h>

#include "maple/maple_tree.h"

#define PAGE_SIZE    4096ul
#define PHYSMAP_BASE 0x1000000000ul /* the pager sees physical address pa at PHYSMAP_BASE + pa */

/* Capability slots of the pager's own table. */
#define SLOT_EP 5 /* the pager's endpoint (unbadged) */
/* Slots CAP_ROOT_FIRST_MEM .. + BOOTINFO_MAX_MEM - 1 hold the memory capabilities. */
#define SLOT_REPLY_FIRST 64 /* reply capabilities: the receive slot and deferred replies */
#define SLOT_REPLY_LAST  191
#define SLOT_PROC_BASE   256 /* process p: task at base + 4p, thread + 1, badged ep + 2 */
_Static_assert(CAP_ROOT_FIRST_MEM + BOOTINFO_MAX_MEM <= SLOT_REPLY_FIRST, "slot layout");

extern const struct bootinfo *bootinfo;
extern uint64_t task_size;

static inline void *physmap(uint64_t pa)
{
    return (void *)(PHYSMAP_BASE + pa);
}

/* frame.c */
struct frame_meta {
    uint32_t refs;   /* mappings (or owners) holding the frame */
    uint16_t flags;  /* FRAME_* */
    uint16_t pid;    /* reverse map: the first mapping's process ... */
    uint64_t va;     /* ... and address */
};
#define FRAME_ZERO    1u /* the shared zero page */
#define FRAME_GRANTED 2u /* given to a program with PAGER_MEMGRANT: freed at its exit */
#define FRAME_HUGE    4u /* part of the huge-page pool */

void frame_init(void);
/* A zeroed frame with one reference, or 0 when none is left. */
uint64_t frame_alloc(void);
/* The same, not zeroed (the caller fills it). */
uint64_t frame_alloc_nozero(void);
/* Drop a reference; the frame is free when none is left. Special frames are never freed. */
void frame_put(uint64_t pa);
/* The metadata of the frame at pa, or NULL if pa is not a frame of the pager's. */
struct frame_meta *frame_info(uint64_t pa);
void frame_free(uint64_t pa);
/* n contiguous zeroed frames, or 0. */
uint64_t frame_alloc_contig(uint64_t n);
uint64_t frame_free_count(void);
uint64_t frame_total(void);
/* Slot of the memory capability covering pa. */
unsigned frame_cap_slot(uint64_t pa);
/* Per-owner lists of frames, threaded through the frame table. */
void frame_list_add(uint32_t *head, uint64_t pa);
void frame_list_free_all(uint32_t *head);

/* node.c: maple-tree nodes for every tree the pager keeps. */
void node_init(void);
uint64_t node_pool_frames(void);

/*
 * Regions of a process's address space: kept in p->regions, indexed by the maple tree
 * p->vmas over [start, end - 1] (the full VMA structure comes with the mmap family).
 */
#define REGION_MAX 16
struct region {
    uint64_t start, end; /* [start, end), page aligned */
    unsigned perms;      /* MAP_PERM_* */
    uint64_t file_va;    /* bytes [file_va, file_va + file_len) come from file_pa */
    uint64_t file_len;
    uint64_t file_pa; /* physical address of the file bytes (in the initrd) */
};

enum proc_state { PROC_FREE, PROC_LIVE, PROC_ZOMBIE };

#define PROC_MAX 64

struct proc {
    int state;
    int pid, ppid;
    int status; /* wait status once a zombie */
    unsigned nregions;
    struct region regions[REGION_MAX];
    struct maple_tree vmas; /* address -> struct region * */
    uint32_t frames;        /* list of the frames it owns */
    bool waiting;           /* blocked in PAGER_WAIT */
    long wait_pid;
    unsigned wait_reply; /* slot of the deferred reply capability */
    uint64_t minflt, invalid_faults;
    char name[32];
};

/* proc.c */
extern struct proc procs[PROC_MAX];
struct proc *proc_get(uint64_t pid);
/* Start program `path` (an initrd path) with argv; returns the pid or a negative errno. */
long proc_spawn(int ppid, const char *path, char *const argv[], int argc);
/* End p with a wait status; wakes a waiting parent. */
void proc_exit(struct proc *p, int status);
unsigned proc_task_slot(const struct proc *p);

/* reply.c: reply slots for deferred replies. */
unsigned reply_slot_take(void);
void reply_slot_release(unsigned slot);

/* fault.c: resolve a fault of p; fills *reply (label and words) for the faulting thread. */
struct reply {
    bool send; /* false: no reply now (the caller is gone or the reply is deferred) */
    uint64_t tag;
    uint64_t w[4];
};
void fault_handle(struct proc *p, const struct ipc_msg *m, struct reply *r);

/* Text of a signal for the kill message. */
const char *signal_name(int sig);

#endif

/*
 * pager.h - the pager's internal interfaces: frames, processes, faults.
 *
 * The pager keeps every process's VMAs in a maple tree (vma.c), serves the memory calls with
 * Linux's semantics (mmap.c), resolves faults (fault.c) with frames it counts and zeroes
 * (frame.c), and works on pages only through the kernel's page tables (space.c). Programs
 * come from the boot image. docs/MM.md tells the whole story.
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
#define SLOT_EP    5 /* the pager's endpoint (unbadged) */
#define SLOT_FS_EP 6 /* the file server's endpoint (fsrv.c), empty without a RAM disk */
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
    uint32_t refs;  /* mappings (or owners) holding the frame */
    uint16_t flags; /* FRAME_* */
    uint16_t pid;   /* reverse map: the first mapping's process ... */
    uint64_t va;    /* ... and address */
};
#define FRAME_ZERO    1u  /* the shared zero page */
#define FRAME_GRANTED 2u  /* given to a program with PAGER_MEMGRANT: freed at its exit */
#define FRAME_HUGE    4u  /* part of the huge-page pool */
#define FRAME_CLEAN   8u  /* free and known to be all zero */
#define FRAME_CACHE   16u /* a page of a program file, shared by its read-only mappings */

#define HUGE_MAX 64
/* Set up the frames, putting huge_pages 2 MiB pages aside for MAP_HUGETLB. */
void frame_init(unsigned huge_pages);
/* The huge-page pool's physical bases. */
unsigned frame_huge_pool(const uint64_t **bases);
/* A zeroed frame with one reference, or 0 when none is left. */
uint64_t frame_alloc(void);
/* The same, not zeroed (the caller fills it). */
uint64_t frame_alloc_nozero(void);
/* Drop a reference; the frame is free when none is left. Special frames are never freed. */
void frame_put(uint64_t pa);
/* Mark a frame as a file-cache page (counted with the free frames, see frame.c). */
void frame_cache_add(uint64_t pa);
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

/* A reply a handler asks main.c to send (or not). */
struct reply {
    bool send; /* false: no reply now (the caller is gone or the reply is deferred) */
    uint64_t tag;
    uint64_t w[4];
};

struct proc;

/* node.c: maple-tree nodes for every tree the pager keeps. */
void node_init(void);
uint64_t node_pool_frames(void);

#include "vma.h"

enum proc_state { PROC_FREE, PROC_LIVE, PROC_ZOMBIE };

#define PROC_MAX 64

struct proc {
    int state;
    int pid, ppid;
    int status;           /* wait status once a zombie */
    struct maple_tree mm; /* the VMAs: address -> struct vma * (vma.c) */
    unsigned map_count;
    unsigned def_flags;      /* VM_* given to every new VMA (mlockall MCL_FUTURE) */
    uint64_t start_brk, brk; /* the heap: [start_brk, brk) */
    uint64_t stack_top, mmap_base;
    uint64_t start_code, end_code;
    uint64_t rss, hwm;   /* resident frames now and at most (pages) */
    uint64_t peak_vm;    /* largest total VMA size seen (pages) */
    uint64_t huge_pages; /* 2 MiB pages mapped (not in rss, as Linux's hugetlb) */
    uint64_t minflt, majflt, invalid_faults;
    uint32_t frames; /* frames granted by PAGER_MEMGRANT, freed at exit */
    bool waiting;    /* blocked in PAGER_WAIT */
    long wait_pid;
    unsigned wait_reply; /* slot of the deferred reply capability */
    char name[16];       /* the comm of /proc/<pid>/stat */
    char path[64];       /* the program's file, for /proc/<pid>/maps */
};

/* proc.c */
extern struct proc procs[PROC_MAX];
struct proc *proc_get(uint64_t pid);
/* Start program `path` (an initrd path) with argv; returns the pid or a negative errno. */
long proc_spawn(int ppid, const char *path, char *const argv[], int argc);
/* The same, calling setup(p) (0 or -errno) on the new process before its thread starts. */
long proc_spawn_with(int ppid, const char *path, char *const argv[], int argc,
                     long (*setup)(struct proc *p));
/* End p with a wait status; wakes a waiting parent. */
void proc_exit(struct proc *p, int status);
unsigned proc_task_slot(const struct proc *p);
/* The badge of p's endpoint capabilities (slot index and pid), and back: O(1) on each message. */
uint64_t proc_badge(const struct proc *p);
struct proc *proc_from_badge(uint64_t badge);
extern bool init_gone; /* set when pid 1 has ended */

/* fsrv.c */
extern bool fsrv_ready; /* SLOT_FS_EP holds the file server's endpoint */
/* Load the RAM disk and create the file server's endpoint: before init starts. */
void fsrv_init(void);
/* Start the file server (after init, so that init is pid 1). */
void fsrv_start(void);

/* reply.c: reply slots for deferred replies. */
unsigned reply_slot_take(void);
void reply_slot_release(unsigned slot);

/* fault.c: resolve a fault of p; fills *reply (label and words) for the faulting thread. */
void fault_handle(struct proc *p, const struct ipc_msg *m, struct reply *r);

/* Text of a signal for the kill message. */
const char *signal_name(int sig);

/* space.c: page-level work through the kernel. */
uint64_t space_zero_page(void);
void space_unmap(struct proc *p, uint64_t start, uint64_t end);
void space_protect(struct proc *p, uint64_t start, uint64_t end, unsigned prot);
int space_populate(struct proc *p, struct vma *v, uint64_t start, uint64_t end, bool write);
uint64_t space_resident(struct proc *p, uint64_t start, uint64_t end, uint64_t *huge);
void space_note_rss(struct proc *p, uint64_t pages);

/* filecache.c: pages of program files, shared by every read-only mapping of them. */
void filecache_init(void);
uint64_t filecache_get(const struct vma *v, uint64_t va);
/*
 * Fault-around (as Linux's, 16 pages): the pages near va in its aligned block of
 * FAULT_AROUND that are cached and not mapped, as up to max map groups (4 words each) with
 * perms; each takes a reference and counts as resident. Returns how many.
 */
#define FAULT_AROUND 16
unsigned filecache_around(struct proc *p, const struct vma *v, uint64_t va, unsigned perms,
                          uint64_t *groups, unsigned max);

/* huge.c: 2 MiB pages for MAP_HUGETLB. */
void huge_init(void);
uint64_t huge_alloc(void);
void huge_put(uint64_t pa);
unsigned huge_free_count(void);
int huge_populate(struct proc *p, struct vma *v, uint64_t start, uint64_t end);

/* mmap.c: the memory calls (samara/pager.h), each a handler for main.c's table. */
void do_mmap(struct proc *p, const struct ipc_msg *m, struct reply *r);
void do_munmap(struct proc *p, const struct ipc_msg *m, struct reply *r);
void do_mprotect(struct proc *p, const struct ipc_msg *m, struct reply *r);
void do_mremap(struct proc *p, const struct ipc_msg *m, struct reply *r);
void do_madvise(struct proc *p, const struct ipc_msg *m, struct reply *r);
void do_brk(struct proc *p, const struct ipc_msg *m, struct reply *r);
void do_mlock(struct proc *p, const struct ipc_msg *m, struct reply *r);
void do_munlock(struct proc *p, const struct ipc_msg *m, struct reply *r);
void do_mlockall(struct proc *p, const struct ipc_msg *m, struct reply *r);
void do_munlockall(struct proc *p, const struct ipc_msg *m, struct reply *r);
void do_msync(struct proc *p, const struct ipc_msg *m, struct reply *r);
extern unsigned long max_map_count;

/* procfs.c: /proc/<pid>/... text. */
void do_procread(struct proc *p, const struct ipc_msg *m, struct reply *r);

#endif

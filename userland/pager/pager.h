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
#define FRAME_DISK                                                                                 \
    32u                 /* a block of the RAM disk (also GRANTED): a file page, never freed;       \
                           refs counts programs' mappings of it (not the server's) */
#define FRAME_DIRTY 64u /* a disk page written through a shared mapping since the last sync */

#define HUGE_MAX 64
/* Set up the frames, putting huge_pages 2 MiB pages aside for MAP_HUGETLB. */
void frame_init(unsigned huge_pages);
/* The huge-page pool's physical bases. */
unsigned frame_huge_pool(const uint64_t **bases);
/* A zeroed frame with one reference, or 0 when none is left. */
uint64_t frame_alloc(void);
/* The same, not zeroed (the caller fills it). */
uint64_t frame_alloc_nozero(void);
/* Mark a frame as a file-cache page (counted with the free frames, see frame.c). */
void frame_cache_add(uint64_t pa);
/* A run of frames from one memory capability: frames base.. (npages), global indexes first..,
 * mapped through capability slot. In the header so that the lookups below, done several
 * times on every fault, are inline. */
struct frame_span {
    uint64_t base, npages, first;
    unsigned slot;
};
extern const struct frame_span *frame_span_hint;
extern struct frame_meta *frame_table; /* one per frame, by global index */
/* The span holding pa (it becomes the hint), or NULL. */
const struct frame_span *frame_span_of(uint64_t pa);
/* The metadata of the frame at pa, or NULL if pa is not a frame of the pager's. */
static inline struct frame_meta *frame_info(uint64_t pa)
{
    const struct frame_span *s = frame_span_hint;
    if (pa - s->base >= s->npages * PAGE_SIZE && !(s = frame_span_of(pa)))
        return NULL;
    return &frame_table[s->first + (pa - s->base) / PAGE_SIZE];
}
/* The same, and the run of frames [*lo, *hi) around pa whose metadata follows in order, so
 * that a loop over many frames finds the next ones by arithmetic (fork). */
struct frame_meta *frame_info_span(uint64_t pa, uint64_t *lo, uint64_t *hi);
void frame_free(uint64_t pa);
/* n contiguous zeroed frames, or 0. */
uint64_t frame_alloc_contig(uint64_t n);
uint64_t frame_free_count(void);
uint64_t frame_total(void);
/* Drop a reference to the frame pa whose metadata is m; the frame is free when none is left.
 * Special frames (the zero page, granted and huge frames) are never freed. */
void frame_unref(struct frame_meta *m, uint64_t pa);
/* The same, for any pa (nothing happens if it is not a frame of the pager's). */
static inline void frame_put(uint64_t pa)
{
    struct frame_meta *m = frame_info(pa);
    if (m)
        frame_unref(m, pa);
}
/* Slot of the memory capability covering pa (0: none). */
static inline unsigned frame_cap_slot(uint64_t pa)
{
    const struct frame_span *s = frame_span_hint;
    if (pa - s->base >= s->npages * PAGE_SIZE && !(s = frame_span_of(pa)))
        return 0;
    return s->slot;
}
/* Per-owner lists of frames, threaded through the frame table. */
void frame_list_add(uint32_t *head, uint64_t pa);
void frame_list_free_all(uint32_t *head);

/* A reply a handler asks main.c to send (or not). */
struct reply {
    bool send; /* false: no reply now (the caller is gone or the reply is deferred) */
    uint64_t tag;
    uint64_t w[4];
};

/*
 * A FAULT_REPLY_MAP whose first group, in the reply words, maps npages at va_flags (address
 * | MAP_PERM_* | MAP_FLAG_*) from pa; `more` further groups wait in the pager's IPC buffer.
 */
static inline void reply_map(struct reply *r, uint64_t va_flags, uint64_t pa, uint64_t npages,
                             unsigned more)
{
    r->send = true;
    r->tag = IPC_TAG(FAULT_REPLY_MAP, 4 + 4 * more);
    r->w[0] = va_flags;
    r->w[1] = frame_cap_slot(pa);
    r->w[2] = pa;
    r->w[3] = npages;
}

/* The common reply: one word, a result or -errno. */
static inline void reply_value(struct reply *r, int64_t v)
{
    r->send = true;
    r->tag = IPC_TAG(0, 1);
    r->w[0] = (uint64_t)v;
}

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
    struct vma *vcache;      /* the VMA vma_find found last (faults come in runs) ... */
    uint64_t vcache_gen;     /* ... valid while no VMA has changed since (vma_gen) */
    unsigned def_flags;      /* VM_* given to every new VMA (mlockall MCL_FUTURE) */
    uint64_t start_brk, brk; /* the heap: [start_brk, brk) */
    uint64_t stack_top, mmap_base;
    unsigned personality; /* personality(2): PAGER_ADDR_NO_RANDOMIZE is the one obeyed */
    uint64_t sig_caught;  /* bit s: the program handles signal s (PAGER_SIGACTION) ... */
    uint64_t sig_entry;   /* ... through its library's trampoline here (0: none) */
    uint64_t sig_nodefer; /* bit s: SA_NODEFER, s stays unblocked while its handler runs */
    uint64_t sig_blocked; /* bit s: blocked (PAGER_SIGMASK; a handler blocks its signal) */
    uint64_t start_code, end_code;
    uint64_t rss, hwm;   /* resident frames now and at most (pages) */
    uint64_t rss_file;   /* of rss: pages of files (the RAM disk's frames) */
    uint64_t peak_vm;    /* largest total VMA size seen (pages) */
    uint64_t huge_pages; /* 2 MiB pages mapped (not in rss, as Linux's hugetlb) */
    uint64_t minflt, majflt, invalid_faults;
    uint32_t frames; /* frames granted by PAGER_MEMGRANT, freed at exit */
    bool waiting;    /* blocked in PAGER_WAIT */
    long wait_pid;
    unsigned wait_reply; /* slot of the deferred reply capability */
    char name[16];       /* the comm of /proc/<pid>/stat */
    char path[64];       /* the program's file, for /proc/<pid>/maps */
    char cmdline[128];   /* argv, each NUL-terminated (cut short), for /proc/<pid>/cmdline */
    unsigned cmdline_len;
};

/* The VMA containing addr, or NULL; the one found last first, as faults come in runs. */
static inline struct vma *vma_find(struct proc *p, uint64_t addr)
{
    struct vma *v = p->vcache;
    if (v && p->vcache_gen == vma_gen && addr - v->start < v->end - v->start)
        return v;
    return vma_find_tree(p, addr);
}

/* proc.c */
extern struct proc procs[PROC_MAX];
/* Call fn(p, v, ctx) for every VMA v of every live process p (fn must not change the trees). */
void proc_each_vma(void (*fn)(struct proc *p, struct vma *v, void *ctx), void *ctx);
struct proc *proc_get(uint64_t pid);
/* Start program `path` (on the RAM disk, else in the initrd) with argv; the pid or -errno. */
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
/* What a new program starts with (spawn, exec). */
struct proc_image {
    char *const *argv;
    int argc;
    char *const *envp;
    int envc;
    const void *block; /* exec's inherited block (AT_SAMARA_BLOCK), or none */
    uint64_t block_len;
};
#define PAGER_EXEC_ARGC_MAX 256 /* arguments, and environment strings, each */
#define PROC_EXEC_GONE      1   /* proc_exec: the caller's thread is gone (no reply) */
extern unsigned proc_max;       /* processes at most (bootarg proc_max=, <= PROC_MAX) */
/* A new process (table entry, task, thread, capabilities) with nothing in its space:
 * 0, -EAGAIN (the process limit), -ENOMEM. */
long proc_create(int ppid, const char *path, struct proc **out);
/* Undo a process: its space, capabilities, frames and VMAs; the entry is free after. */
void proc_discard(struct proc *p);
/* The IPC buffer page at ipcbuf (and its VMA unless there is one): 0 or -ENOMEM. */
long proc_map_ipcbuf(struct proc *p, uint64_t ipcbuf);
/* Start p's thread at pc with sp and a0 (its IPC buffer, fault endpoint, priority set). */
long proc_thread_start(struct proc *p, uint64_t pc, uint64_t sp, uint64_t a0);
/* Replace p's program: -errno with p unchanged, or PROC_EXEC_GONE. */
long proc_exec(struct proc *p, const char *path, const struct proc_image *img);

/* fork.c: PAGER_FORK and PAGER_EXEC. */
void do_fork(struct proc *p, const struct ipc_msg *m, struct reply *r);
void do_exec(struct proc *p, const struct ipc_msg *m, struct reply *r);

/* The pid the next process gets (start-up: the file server is 2 but starts before init). */
void proc_set_next_pid(int pid);

/* fsrv.c */
extern bool fsrv_ready; /* SLOT_FS_EP holds the file server's endpoint */
/* The physical base of the RAM disk's image (block b is at base + b * 4096). */
uint64_t fsrv_image_pa(void);
uint64_t fsrv_image_pages(void);
/* Load the RAM disk and create the file server's endpoint: before init starts. */
void fsrv_init(void);
extern bool fsrv_running; /* the server runs: programs may come from the disk */
/* Start the file server as pid 2, before init (which may come from the disk). */
void fsrv_start(void);
/* p is gone: the server drops its descriptors; if p was the server, no file calls any more. */
void fsrv_proc_gone(struct proc *p);

/* reply.c: reply slots for deferred replies. */
unsigned reply_slot_take(void);
void reply_slot_release(unsigned slot);

/* fault.c: resolve a fault of p; fills *reply (label and words) for the faulting thread. */
void fault_handle(struct proc *p, const struct ipc_msg *m, struct reply *r);
/* What a fault the pager cannot resolve raises: a signal and its si_code, as Linux's. */
#define FAULT_SIGNAL(sig, code) ((unsigned)(sig) | (unsigned)(code) << 8)
#define FAULT_SEGV_MAPERR       FAULT_SIGNAL(PAGER_SIGSEGV, 1) /* nothing mapped there */
#define FAULT_SEGV_ACCERR       FAULT_SIGNAL(PAGER_SIGSEGV, 2) /* the protection forbids it */
#define FAULT_BUS_ADRALN        FAULT_SIGNAL(PAGER_SIGBUS, 1)  /* misaligned */
#define FAULT_BUS_ADRERR        FAULT_SIGNAL(PAGER_SIGBUS, 2)  /* no such page (past EOF...) */
#define FAULT_ILL_ILLOPC        FAULT_SIGNAL(PAGER_SIGILL, 1)
#define FAULT_TRAP_BRKPT        FAULT_SIGNAL(PAGER_SIGTRAP, 1) /* ebreak */
/*
 * Raise `what` (FAULT_*) for p's fault at addr: the program's handler runs when it has one
 * for the signal (FAULT_REPLY_SIGNAL, filled into *r); otherwise p ends with the signal
 * (logged with why) and no reply is sent.
 */
void fault_signal(struct proc *p, unsigned what, const char *why, uint64_t addr, uint64_t pc,
                  struct reply *r);

/* Text of a signal for the kill message. */
const char *signal_name(int sig);

/* layout.c: where a new program's stack, mmap area and heap begin (ASLR). */
extern unsigned randomize_va_space; /* 0, 1 or 2, as Linux's sysctl */
/* len random bytes from the kernel's generator. */
void layout_random(void *buf, size_t len);
/* Set p->stack_top and p->mmap_base for the program p is about to load. */
void layout_choose(struct proc *p);
/* Move the start of the heap (p->start_brk, set by the loader) at random, at level 2. */
void layout_place_heap(struct proc *p);

/* space.c: page-level work through the kernel. */
/* Allocate the shared zero page: at start-up, before any process. */
void space_init(void);
/* The shared zero page's frame (inline: every anonymous fault asks). */
static inline uint64_t space_zero_page(void)
{
    extern uint64_t space_zero_pa;
    return space_zero_pa;
}
void space_unmap(struct proc *p, uint64_t start, uint64_t end);
void space_protect(struct proc *p, uint64_t start, uint64_t end, unsigned prot);
int space_populate(struct proc *p, struct vma *v, uint64_t start, uint64_t end, bool write);
uint64_t space_resident(struct proc *p, uint64_t start, uint64_t end, uint64_t *huge);
void space_note_rss(struct proc *p, uint64_t pages);
/* A fresh frame pa now backs p's page va: its reverse map, and p's RSS (inline: faults). */
static inline void space_own_frame(struct proc *p, uint64_t pa, uint64_t va)
{
    struct frame_meta *m = frame_info(pa);
    m->pid = (uint16_t)p->pid;
    m->va = va;
    space_note_rss(p, 1);
}

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

/* pfile.c: the files the pager maps (an object per inode, its page index and pins). */
#define PFILE_PATH 64
struct pfile {
    uint32_t ino, gen;        /* 0: a free object */
    uint64_t size;            /* bytes, as last heard (never more than the truth) */
    unsigned mode;            /* st_mode */
    unsigned vmas;            /* VMAs mapping it; the server pins the inode while any do */
    uint64_t used;            /* when last obtained, to recycle the oldest unused object */
    struct maple_tree blocks; /* page -> block runs */
    uint64_t run_lo, run_hi;  /* the run the last lookup found: pages [lo, hi] ... */
    uint64_t run_delta;       /* ... are in blocks page + delta (none while lo > hi) */
    char path[PFILE_PATH];    /* for /proc/<pid>/maps */
};
/* The object of descriptor fd of p (FS_FDINFO): 0, -EBADF, -ENOMEM; *oflags = FS_O_* flags. */
long pfile_from_fd(struct proc *p, int fd, struct pfile **out, unsigned *oflags);
/* The object of a path on the disk (FS_LOOKUP): 0, -ENOENT, -ENOMEM. */
long pfile_from_path(const char *path, struct pfile **out);
/* A VMA starts (get: 0, or -ENOENT if the inode is gone) or stops (put) mapping f. */
long pfile_vma_get(struct pfile *f);
void pfile_vma_put(struct pfile *f);
/*
 * Blocks of pages [first, first + count) (count <= FS_BMAP_MAX) into blocks[], 0 for a hole;
 * with alloc, holes get blocks. Returns how many pages lie before the end of file (<= count),
 * or -ENOENT (the file is gone), -ENOSPC (alloc, disk full); *major tells whether the server
 * was asked (the index did not know every page).
 */
long pfile_blocks(struct pfile *f, uint64_t first, unsigned count, bool alloc, uint64_t *blocks,
                  bool *major);
/* The frame holding a block of the RAM disk, and its metadata. */
uint64_t pfile_block_pa(uint64_t block);
struct frame_meta *pfile_block_meta(uint64_t block);
/* Write back f's written pages: gather and clear the D bits of its shared mappings; if any
 * page was written (now or by a mapping since gone), FS_SYNC. */
void pfile_sync(struct pfile *f);
/* Mark the pages of f any shared mapping has written FRAME_DIRTY, cleaning the D bits with
 * clean (a sync) or not (smaps). Returns whether any page was written. */
bool pfile_harvest(struct pfile *f, bool clean);
/* ftruncate of p's descriptor fd (PAGER_FTRUNCATE): unmap pages past the end everywhere, then
 * FS_TRUNCATE. 0 or -errno. */
long pfile_truncate(struct proc *p, int fd, uint64_t size);
/* fsync of p's descriptor fd (PAGER_FSYNC): 0 or -EBADF. */
long pfile_fsync(struct proc *p, int fd);
/* child is parent's fork: the server copies the descriptor table (FS_FORK). 0 or -ENOMEM. */
long pfile_fork(struct proc *parent, struct proc *child);
/* Whether f has no link left (unlinked while mapped: maps says "(deleted)"). */
bool pfile_deleted(struct pfile *f);
/* p has exited: the server closes its descriptors (FS_EXIT). */
void pfile_proc_exit(struct proc *p);

/* filemap.c: faults on file mappings. */
extern unsigned fault_around_pages; /* file fault-around window: a power of two, 1..16 */
void filemap_fault(struct proc *p, struct vma *v, uint64_t addr, uint64_t word, uint64_t access,
                   uint64_t pc, struct reply *r);
/*
 * The pages of [lo, hi) of p (part of a shared file VMA of protection prot) that were written
 * since mapped clean (their PTE's D bit): their frames are marked FRAME_DIRTY, and with clean
 * their D bits are cleared again. Returns whether any was.
 */
bool filemap_harvest(struct proc *p, uint64_t lo, uint64_t hi, unsigned prot, bool clean);
/* Map the pages of [start, end) of file VMA v that are not mapped yet (read-only, writable and
 * clean in a shared writable mapping); stops at the end of file. 0, or -ENOMEM. */
int filemap_populate(struct proc *p, struct vma *v, uint64_t start, uint64_t end, bool write);

/* shmem.c: the pages of shared anonymous memory, shared by every VMA of a mapping. */
struct shmem {
    unsigned refs;           /* VMAs (0: free) */
    unsigned id;             /* for /proc/<pid>/maps's inode column */
    struct maple_tree pages; /* page -> frame | 1 */
};
/* A new object with one reference, or NULL when none is left. */
struct shmem *shmem_new(void);
void shmem_get(struct shmem *s);
/* Drop a reference; the last frees the object's frames. */
void shmem_put(struct shmem *s);
/* The frame of page (made, zeroed, at the first call), or 0 out of memory. The object's
 * own reference is the frame's first; a mapping takes another. */
uint64_t shmem_page(struct shmem *s, uint64_t page);
/* MADV_REMOVE over [start, end) of the VMA v: the object's pages there are freed, after
 * being unmapped from every process that maps them (they read as zeroes again). */
void shmem_remove(struct vma *v, uint64_t start, uint64_t end);

/* huge.c: 2 MiB pages for MAP_HUGETLB. */
void huge_init(void);
uint64_t huge_alloc(void);
void huge_get(uint64_t pa);
void huge_put(uint64_t pa);
unsigned huge_free_count(void);
/* Map the huge pages of [start, end) that are missing, and with write, copy (or make
 * writable) those mapped read-only. 0 or -ENOMEM. */
int huge_populate(struct proc *p, struct vma *v, uint64_t start, uint64_t end, bool write);

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
/* mincore.c */
void do_mincore(struct proc *p, const struct ipc_msg *m, struct reply *r);
extern unsigned long max_map_count;

/* procfs.c: /proc/<pid>/... text. */
void do_procread(struct proc *p, const struct ipc_msg *m, struct reply *r);

#endif

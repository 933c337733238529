/*
 * samara/syscall.h - system-call numbers and register conventions.
 *
 * A system call is `ecall` with the number in a7 and arguments in a0..a6. The kernel returns
 * a0 = result (>= 0) or a negative samara/errno.h code. IPC calls also return the message in
 * a1..a5 and the sender's badge in a6 (see samara/ipc.h). t0..t6 are clobbered (the kernel
 * does not save them on a system call); all other registers are preserved.
 *
 * Capabilities are named by their slot number in the calling task's capability table
 * (samara/cap.h). Each call checks the slot's type and rights before doing anything, and a
 * call that fails its checks has no effect. Some can fail part-way, with what was done kept:
 * SYS_MAP, SYS_MAP_BATCH, SYS_REMAP (and a fault reply) running out of kernel memory for page
 * tables after some pages, and SYS_REPLY_RECV whose reply succeeded but whose receive failed
 * (docs/ABI.md gives the exact contract of each).
 */
#ifndef SAMARA_SYSCALL_H
#define SAMARA_SYSCALL_H

enum samara_sys {
    /* Console and system. */
    SYS_DEBUG_WRITE = 0, /* (const char *buf, size_t len) -> len */
    SYS_YIELD = 1,       /* () -> 0: go to the back of the run queue */
    SYS_GETRANDOM = 2,   /* (void *buf, size_t len) -> len; len <= 256 */
    SYS_SHUTDOWN = 3,    /* (control slot, int status): needs CAP_R_SHUTDOWN */
    SYS_SYSINFO = 4,     /* (which) -> value; see SYSINFO_* below */
    SYS_DEBUG_READ = 5,  /* (void *buf, size_t len) -> bytes the console received (0: none) */

    /* IPC (samara/ipc.h). */
    SYS_CALL = 10,       /* (ep, tag, m0, m1, m2, m3) -> 0, a1=tag, a2..a5=m0..m3 */
    SYS_SEND = 11,       /* (ep, tag, m0, m1, m2, m3) -> 0 */
    SYS_RECV = 12,       /* (ep, reply slot) -> 0, a1=tag, a2..a5, a6=badge */
    SYS_REPLY = 13,      /* (reply slot, tag, m0, m1, m2, m3) -> 0 */
    SYS_REPLY_RECV = 14, /* (ep, tag, m0, m1, m2, m3, reply slot) -> as SYS_RECV */

    /* Object creation: all need a control capability with CAP_R_CREATE. */
    SYS_ENDPOINT_CREATE = 20, /* (control, dst slot) */
    SYS_TASK_CREATE = 21,     /* (control, dst slot) */
    SYS_THREAD_CREATE = 22,   /* (control, task slot, dst slot) */

    /* Threads. */
    SYS_THREAD_START = 30,      /* (thread, pc, sp, arg) -> 0; the thread starts with a0 = arg */
    SYS_THREAD_SET_FAULT = 31,  /* (thread, endpoint slot or 0) */
    SYS_THREAD_SET_PRIO = 32,   /* (thread, prio 0..SAMARA_PRIO_MAX, not above the caller's) */
    SYS_THREAD_SET_IPCBUF = 33, /* (thread, user va of a page, or 0) */
    SYS_THREAD_SUSPEND = 34,    /* (thread): stop it for good; it never runs again */

    /* Capabilities. */
    SYS_CAP_COPY = 40,   /* (src slot, dst task or 0 for self, dst slot, rights mask, badge) */
    SYS_CAP_DELETE = 41, /* (slot) */
    SYS_CAP_INFO = 42,   /* (slot) -> type | rights << 8 */
    SYS_MEM_DERIVE = 43, /* (mem slot, dst task or 0, dst slot, pa, npages, rights) */

    /* Address spaces. */
    SYS_MAP = 50,          /* (task, va, mem slot, pa, npages, flags = perms | size << 4) */
    SYS_UNMAP = 51,        /* (task, va, len, buf, max): report up to max leaves, see below */
    SYS_PROTECT = 52,      /* (task, va, len, perms): keep only those rights; none: retain */
    SYS_TASK_DESTROY = 53, /* (task): kill all threads, free its space and capabilities */
    SYS_TRANSLATE = 54,    /* (task, va) -> pa | perms of the leaf mapping va, or -EFAULT */
    SYS_QUERY = 55,        /* (task, va, npages <= 512, buf): a page word per page (below) */
    SYS_REMAP = 56,        /* (task, old va, new va, len): move mappings; new range empty */
    SYS_MAP_BATCH = 57,    /* (task, buf, n <= 128): n groups {va|flags, mem slot, pa, npages} */
    SYS_SHARE = 58,        /* (src task, dst task, va, len, flags, buf, max): fork, see below */
    SYS_SIGRETURN = 59,    /* (frame): the 32 registers at frame (pc first) become the thread's */
    SYS_SIGCONTEXT = 60,   /* (frame): copy the registers FAULT_REPLY_SIGNAL kept to frame */
};

#define SYS_COUNT 64

/*
 * SYS_SHARE maps in dst what src has in [va, va + len), at the same addresses and frames,
 * skipping addresses dst already has; with SHARE_COW, writable pages lose the write right in
 * both (copy-on-write after fork). Every page given is reported in buf as SYS_UNMAP's report
 * ({va, page word} pairs, at most max <= 4096); returns how many. The caller holds both task
 * capabilities, so it owns the frames already.
 */
#define SHARE_COW 1u

/* SYS_SYSINFO selectors. */
#define SYSINFO_TASK_SIZE 0 /* top of user space: 2^47 (Sv48) or 2^38 (Sv39) */
#define SYSINFO_PAGING    1 /* page-table levels: 3 (Sv39) or 4 (Sv48) */
#define SYSINFO_POOL_FREE 2 /* free pages in the kernel pool */
#define SYSINFO_TIMEBASE  3 /* rdtime ticks per second */
#define SYSINFO_TICKS     4 /* timer interrupts taken so far */

/* Mapping permissions (SYS_MAP, SYS_PROTECT, fault replies). Write implies read. */
#define MAP_PERM_R    1u
#define MAP_PERM_W    2u
#define MAP_PERM_X    4u
#define MAP_PERM_MASK 7u

/*
 * A page word (SYS_QUERY, SYS_UNMAP's report, the fault message's word 3): what one page of an
 * address space holds. 0 = nothing; else the frame's physical address (bits 12 and up) and:
 */
#define PAGE_W_PERMS(w) (((w) >> 4) & 7) /* MAP_PERM_* */
#define PAGE_W_SIZE(w)  (((w) >> 7) & 3) /* MAP_SIZE_* of the leaf holding it */
#define PAGE_W_PRESENT  (1ul << 9)       /* mapped with PAGE_W_PERMS */
#define PAGE_W_RETAINED (1ul << 10)      /* PROT_NONE: frame kept, no access */
#define PAGE_W_DIRTY                                                                               \
    (1ul << 11) /* D: mapped writable, and not clean (MAP_FLAG_CLEAN) or                           \
                   written since */
#define PAGE_W_PA(w) ((w) & ~0xffful)

/*
 * Map flags beyond perms and size (SYS_MAP, SYS_MAP_BATCH, fault replies):
 * MAP_FLAG_NOREPLACE skips pages where something is mapped (or retained) instead of replacing
 * it; MAP_FLAG_REPEAT maps the same frame at every page (npages of them), e.g. a zero page.
 */
#define MAP_FLAG_NOREPLACE (1u << 6)
#define MAP_FLAG_REPEAT    (1u << 7)
/*
 * MAP_FLAG_CLEAN maps writable pages not yet dirty (PTE D bit clear): the first store sets D
 * (by the hardware, or the kernel on a core that faults instead: the program never sees it),
 * and the page word shows PAGE_W_DIRTY. SYS_PROTECT with MAP_PERM_CLEAN clears D again. A
 * pager tracks what shared file pages were written this way, without a write fault per page.
 */
#define MAP_FLAG_CLEAN (1u << 8)
#define MAP_PERM_CLEAN 8u /* SYS_PROTECT: also mark the pages clean (rights as the mask says) */

/* Page sizes for SYS_MAP flags and fault replies (flags bits 4..5). */
#define MAP_SIZE_4K    0u
#define MAP_SIZE_2M    1u
#define MAP_SIZE_1G    2u
#define MAP_SIZE_SHIFT 4

#define SAMARA_PRIO_MAX 63

#endif

/*
 * main.c - the pager: start-up and the request loop.
 *
 * Start-up: map all RAM the kernel gave (and the initrd, read-only) into the pager's own
 * space at PHYSMAP_BASE + pa, with 2 MiB pages where alignment allows, so that filling and
 * copying frames is plain memory access; set up the frame allocator; create the pager's
 * endpoint; start `init` from the bootargs (`init=PATH ARGS...`, default /sbin/init).
 *
 * The loop receives one message at a time: faults (label IPC_LABEL_FAULT) and requests
 * (samara/pager.h), dispatched through the table below, and answers with reply_recv so that
 * answering and waiting for the next message is one system call. When init ends, the machine
 * halts with init's exit status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pager.h"

const struct bootinfo *bootinfo;
uint64_t task_size;

typedef void (*handler_fn)(struct proc *p, const struct ipc_msg *m, struct reply *r);

static unsigned recv_slot;

static void map_physmap(uint64_t base, uint64_t npages, unsigned slot, unsigned perms)
{
    uint64_t pa = base, end = base + npages * PAGE_SIZE;
    const uint64_t big = 2ul << 20;
    while (pa < end) {
        long err;
        if ((pa & (big - 1)) == 0 && end - pa >= big) {
            uint64_t n = (end - pa) / big;
            err = sys6(SYS_MAP, CAP_ROOT_TASK, (long)(PHYSMAP_BASE + pa), slot, (long)pa, (long)n,
                       perms | MAP_SIZE_2M << MAP_SIZE_SHIFT);
            pa += n * big;
        } else {
            uint64_t next = (pa + big) & ~(big - 1);
            uint64_t n = ((next < end ? next : end) - pa) / PAGE_SIZE;
            err = sys6(SYS_MAP, CAP_ROOT_TASK, (long)(PHYSMAP_BASE + pa), slot, (long)pa, (long)n,
                       perms);
            pa += n * PAGE_SIZE;
        }
        if (err) {
            printf("pager: cannot map physical memory at 0x%lx: error %ld\n", (unsigned long)pa,
                   err);
            sys2(SYS_SHUTDOWN, CAP_ROOT_CONTROL, 5);
        }
    }
}

/* The number after "key=" in the kernel bootargs (those before init=), or def. */
static const char *bootarg_find(const char *key, size_t kl)
{
    const char *a = bootinfo->bootargs, *end = strstr(a, "init=");
    while (end && end != a && end[-1] != ' ')
        end = strstr(end + 1, "init=");
    for (const char *p = a; *p && (!end || p < end); p++)
        if ((p == a || p[-1] == ' ') && !strncmp(p, key, kl) &&
            (p[kl] == '=' || p[kl] == ' ' || !p[kl]))
            return p;
    return NULL;
}

/* Whether the bare word key is among the kernel bootargs (those before init=). */
static bool bootarg_flag(const char *key)
{
    const char *p = bootarg_find(key, strlen(key));
    return p && p[strlen(key)] != '=';
}

static unsigned long bootarg_ulong(const char *key, unsigned long def)
{
    size_t kl = strlen(key);
    const char *p = bootarg_find(key, kl);
    return p && p[kl] == '=' ? strtoul(p + kl + 1, NULL, 0) : def;
}

/* Huge pages set aside when no bootarg says: 8 (16 MiB) with 256 MiB or more, else 2. */
static unsigned long frame_default_huge(void)
{
    uint64_t pages = 0;
    for (unsigned i = 0; i < bootinfo->nmem; i++)
        pages += bootinfo->mem[i].npages;
    return pages >= 65536 ? 8 : 2;
}

const char *signal_name(int sig)
{
    switch (sig) {
    case PAGER_SIGSEGV:
        return "Segmentation fault";
    case PAGER_SIGBUS:
        return "Bus error";
    case PAGER_SIGILL:
        return "Illegal instruction";
    case PAGER_SIGTRAP:
        return "Trace/breakpoint trap";
    case PAGER_SIGKILL:
        return "Killed";
    case PAGER_SIGTERM:
        return "Terminated";
    default:
        return "Killed by a signal";
    }
}

static void do_exit(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    proc_exit(p, (int)(m->w[0] & 0xff) << 8);
    r->send = false;
}

/* Split "path\0arg0\0arg1\0..." from the IPC buffer. */
static void do_spawn(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    struct ipc_buffer *b = (struct ipc_buffer *)ROOT_IPCBUF_VA;
    char buf[(IPC_MAX_WORDS - IPC_REG_WORDS) * 8 + 1];
    size_t len = m->w[0];
    size_t have =
        (IPC_TAG_LEN(m->tag) > IPC_REG_WORDS ? IPC_TAG_LEN(m->tag) - IPC_REG_WORDS : 0) * 8;
    r->send = true;
    r->tag = IPC_TAG(0, 1);
    if (len == 0 || len > have || len >= sizeof(buf)) {
        r->w[0] = (uint64_t)-SAMARA_EINVAL;
        return;
    }
    memcpy(buf, &b->words[IPC_REG_WORDS], len);
    buf[len] = 0;
    char *argv[32];
    int argc = 0;
    char *path = buf;
    for (char *s = buf + strlen(buf) + 1; s < buf + len; s += strlen(s) + 1) {
        if (argc == 31) {
            r->w[0] = (uint64_t)-SAMARA_E2BIG;
            return;
        }
        argv[argc++] = s;
    }
    argv[argc] = NULL;
    r->w[0] = (uint64_t)proc_spawn(p->pid, path, argv, argc);
}

struct proc *proc_zombie_child(struct proc *parent, long pid, bool *any_child);

static void do_proclist(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    (void)p;
    r->send = true;
    r->tag = IPC_TAG(0, 2);
    r->w[0] = 0;
    for (uint64_t i = m->w[0]; i < PROC_MAX; i++) {
        if (procs[i].state != PROC_FREE) {
            r->w[0] = (uint64_t)procs[i].pid;
            r->w[1] = i + 1;
            return;
        }
    }
}

static void do_ftruncate(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    r->send = true;
    r->tag = IPC_TAG(0, 1);
    r->w[0] = (int64_t)m->w[1] < 0 ? (uint64_t)-SAMARA_EINVAL
                                   : (uint64_t)pfile_truncate(p, (int)(uint32_t)m->w[0], m->w[1]);
}

static void do_fsync(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    r->send = true;
    r->tag = IPC_TAG(0, 1);
    r->w[0] = (uint64_t)pfile_fsync(p, (int)(uint32_t)m->w[0]);
}

static void do_wait(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    long pid = (long)m->w[0];
    bool any;
    struct proc *c = proc_zombie_child(p, pid, &any);
    r->send = true;
    r->tag = IPC_TAG(0, 2);
    if (c) {
        r->w[0] = (uint64_t)c->pid;
        r->w[1] = (uint64_t)c->status;
        c->state = PROC_FREE;
    } else if (!any) {
        r->w[0] = (uint64_t)-SAMARA_ECHILD;
    } else if (m->w[1] & 1) {
        r->w[0] = 0; /* WNOHANG */
    } else {
        /* Keep this reply capability; receive the next message elsewhere. */
        unsigned fresh = reply_slot_take();
        if (!fresh) {
            r->w[0] = (uint64_t)-SAMARA_EAGAIN;
            return;
        }
        p->waiting = true;
        p->wait_pid = pid;
        p->wait_reply = recv_slot;
        recv_slot = fresh;
        r->send = false;
    }
}

static void do_kill(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    struct proc *target = proc_get(m->w[0]);
    int sig = (int)m->w[1];
    r->send = true;
    r->tag = IPC_TAG(0, 1);
    if (!target || target->state != PROC_LIVE) {
        r->w[0] = (uint64_t)-SAMARA_ESRCH;
        return;
    }
    if (sig < 0 || sig > 64) {
        r->w[0] = (uint64_t)-SAMARA_EINVAL;
        return;
    }
    r->w[0] = 0;
    /* As on Linux, init gets no signal it has not asked for: it cannot be killed. */
    if (sig == 0 || target->pid == 1)
        return;
    if (target == p)
        r->send = false;
    proc_exit(target, sig);
}

static void do_getpid(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    (void)m;
    r->send = true;
    r->tag = IPC_TAG(0, 2);
    r->w[0] = (uint64_t)p->pid;
    r->w[1] = (uint64_t)p->ppid;
}

/* personality(2): the process's execution domain and flags, kept by fork and exec; of the
 * flags only ADDR_NO_RANDOMIZE changes anything here (layout.c, at the next exec). */
static void do_personality(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    uint64_t old = p->personality;
    if (m->w[0] != PAGER_PERSONALITY_QUERY)
        p->personality = (unsigned)m->w[0];
    r->send = true;
    r->tag = IPC_TAG(0, 1);
    r->w[0] = old;
}

/* sigaction(2) for the signals faults raise: whether the program handles signal w0 (w1), and
 * the trampoline its library runs handlers through (w2). SIGKILL and SIGSTOP cannot be. */
static void do_sigaction(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    uint64_t sig = m->w[0];
    if (sig < 1 || sig > 64 || sig == PAGER_SIGKILL || sig == 19 /* SIGSTOP */)
        return reply_value(r, -SAMARA_EINVAL);
    uint64_t bit = 1ul << (sig & 63);
    p->sig_caught = m->w[1] & PAGER_SIG_CAUGHT ? p->sig_caught | bit : p->sig_caught & ~bit;
    p->sig_nodefer = m->w[1] & PAGER_SIG_NODEFER ? p->sig_nodefer | bit : p->sig_nodefer & ~bit;
    if (m->w[2])
        p->sig_entry = m->w[2];
    reply_value(r, 0);
}

/* sigprocmask(2) for the signals faults raise: the blocked set (bit s: signal s) -> the old. */
static void do_sigmask(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    uint64_t old = p->sig_blocked;
    p->sig_blocked = m->w[0] & ~(1ul << PAGER_SIGKILL | 1ul << 19); /* never SIGKILL, SIGSTOP */
    reply_value(r, (int64_t)old);
}

static void do_frames(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    (void)p;
    (void)m;
    r->send = true;
    r->tag = IPC_TAG(0, 2);
    r->w[0] = frame_free_count();
    r->w[1] = frame_total();
}

static void do_memgrant(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    uint64_t n = m->w[0], slot = m->w[1];
    r->send = true;
    r->tag = IPC_TAG(0, 2);
    if (n == 0 || n > 512 || slot < CAP_PROC_FREE || slot >= CAP_SLOTS) {
        r->w[0] = (uint64_t)-SAMARA_EINVAL;
        return;
    }
    uint64_t pa = frame_alloc_contig(n);
    if (!pa) {
        r->w[0] = (uint64_t)-SAMARA_ENOMEM;
        return;
    }
    long err = sys6(SYS_MEM_DERIVE, frame_cap_slot(pa), proc_task_slot(p), (long)slot, (long)pa,
                    (long)n, CAP_R_READ | CAP_R_WRITE | CAP_R_EXEC);
    if (err) {
        for (uint64_t i = 0; i < n; i++)
            frame_free(pa + i * PAGE_SIZE);
        r->w[0] = (uint64_t)err;
        return;
    }
    for (uint64_t i = 0; i < n; i++) {
        frame_info(pa + i * PAGE_SIZE)->flags |= FRAME_GRANTED;
        frame_list_add(&p->frames, pa + i * PAGE_SIZE);
    }
    r->w[0] = 0;
    r->w[1] = pa;
}

static const struct {
    uint64_t label;
    handler_fn fn;
    const char *name;
} handlers[] = {
    {IPC_LABEL_FAULT, fault_handle, "fault"},
    {PAGER_EXIT, do_exit, "exit"},
    {PAGER_SPAWN, do_spawn, "spawn"},
    {PAGER_WAIT, do_wait, "wait"},
    {PAGER_KILL, do_kill, "kill"},
    {PAGER_GETPID, do_getpid, "getpid"},
    {PAGER_FRAMES, do_frames, "frames"},
    {PAGER_MEMGRANT, do_memgrant, "memgrant"},
    {PAGER_MMAP, do_mmap, "mmap"},
    {PAGER_MUNMAP, do_munmap, "munmap"},
    {PAGER_MPROTECT, do_mprotect, "mprotect"},
    {PAGER_MREMAP, do_mremap, "mremap"},
    {PAGER_MADVISE, do_madvise, "madvise"},
    {PAGER_BRK, do_brk, "brk"},
    {PAGER_MLOCK, do_mlock, "mlock"},
    {PAGER_MUNLOCK, do_munlock, "munlock"},
    {PAGER_MLOCKALL, do_mlockall, "mlockall"},
    {PAGER_MUNLOCKALL, do_munlockall, "munlockall"},
    {PAGER_MSYNC, do_msync, "msync"},
    {PAGER_MINCORE, do_mincore, "mincore"},
    {PAGER_PROCREAD, do_procread, "procread"},
    {PAGER_FTRUNCATE, do_ftruncate, "ftruncate"},
    {PAGER_FSYNC, do_fsync, "fsync"},
    {PAGER_FORK, do_fork, "fork"},
    {PAGER_EXEC, do_exec, "exec"},
    {PAGER_PROCLIST, do_proclist, "proclist"},
    {PAGER_PERSONALITY, do_personality, "personality"},
    {PAGER_SIGACTION, do_sigaction, "sigaction"},
    {PAGER_SIGMASK, do_sigmask, "sigmask"},
};

/* init=PATH ARGS... : everything after init= is the program and its arguments. */
static void start_init(void)
{
    static char args[BOOTINFO_ARGS_LEN];
    const char *a = bootinfo->bootargs;
    const char *p = strstr(a, "init=");
    while (p && p != a && p[-1] != ' ')
        p = strstr(p + 1, "init=");
    strncpy(args, p ? p + 5 : "/sbin/init", sizeof(args) - 1);
    char *argv[32];
    int argc = 0;
    long pid = 0;
    for (char *s = strtok(args, " "); s; s = strtok(NULL, " ")) {
        if (argc == 31)
            pid = -SAMARA_E2BIG;
        else
            argv[argc++] = s;
    }
    argv[argc] = NULL;
    if (!pid)
        pid = argc ? proc_spawn(0, argv[0], argv, argc) : -SAMARA_EINVAL;
    if (pid != 1) {
        printf("pager: cannot start init %s: error %ld\n", argc ? argv[0] : "(none)", pid);
        sys2(SYS_SHUTDOWN, CAP_ROOT_CONTROL, 127);
    }
}

static void init_finished(void)
{
    if (!init_gone)
        return;
    struct proc *init = proc_get(1);
    if (!init || init->state != PROC_ZOMBIE)
        return;
    int st = init->status;
    int code = (st & 0x7f) ? 128 + (st & 0x7f) : (st >> 8) & 0xff;
    printf("pager: init exited with status %d\n", code);
    fflush(stdout);
    sys2(SYS_SHUTDOWN, CAP_ROOT_CONTROL, code);
}

void pager_main(const struct bootinfo *bi)
{
    extern void __samara_init_tls(void);
    __samara_init_tls();
    bootinfo = bi;
    task_size = bi->task_size;
    if (bi->magic != BOOTINFO_MAGIC)
        sys2(SYS_SHUTDOWN, CAP_ROOT_CONTROL, 6);
    for (unsigned i = 0; i < bi->nmem; i++)
        map_physmap(bi->mem[i].base, bi->mem[i].npages, bi->mem[i].slot, MAP_PERM_R | MAP_PERM_W);
    uint64_t ib = bi->initrd_base & ~(PAGE_SIZE - 1);
    map_physmap(ib, (bi->initrd_base + bi->initrd_size - ib + PAGE_SIZE - 1) / PAGE_SIZE,
                CAP_ROOT_INITRD, MAP_PERM_R);
    frame_init((unsigned)bootarg_ulong("hugepages", frame_default_huge()));
    node_init();
    vma_init();
    filecache_init();
    huge_init();
    space_init();
    max_map_count = bootarg_ulong("max_map_count", 65530);
    unsigned around = (unsigned)bootarg_ulong("fault_around", FAULT_AROUND);
    while (around & (around - 1))
        around &= around - 1; /* a power of two, as Linux rounds fault_around_bytes */
    fault_around_pages = around < 1 ? 1 : around > FAULT_AROUND ? FAULT_AROUND : around;
    proc_max = (unsigned)bootarg_ulong("proc_max", PROC_MAX);
    randomize_va_space = (unsigned)bootarg_ulong("randomize_va_space", 2);
    if (randomize_va_space > 2 || bootarg_flag("norandmaps"))
        randomize_va_space = randomize_va_space > 2 ? 2 : 0;
    if (proc_max > PROC_MAX || proc_max < 3)
        proc_max = PROC_MAX;
    if (sys2(SYS_ENDPOINT_CREATE, CAP_ROOT_CONTROL, SLOT_EP)) {
        printf("pager: cannot create its endpoint\n");
        sys2(SYS_SHUTDOWN, CAP_ROOT_CONTROL, 5);
    }
    printf("pager: %lu MiB in %lu frames, %s, init: %s\n", (unsigned long)(frame_total() >> 8),
           (unsigned long)frame_total(), bi->paging_levels == 4 ? "Sv48" : "Sv39",
           strstr(bi->bootargs, "init=") ? strstr(bi->bootargs, "init=") + 5 : "/sbin/init");
    fflush(stdout);
    recv_slot = reply_slot_take();
    fsrv_init();
    /* The file server first, as pid 2, because init may live on its disk; init is pid 1. */
    proc_set_next_pid(2);
    fsrv_start();
    proc_set_next_pid(1);
    start_init();
    proc_set_next_pid(3);

    struct ipc_msg m = ipc_recv(SLOT_EP, recv_slot);
    for (;;) {
        struct reply r = {0};
        struct proc *p = proc_from_badge(m.badge);
        uint64_t label = IPC_TAG_LABEL(m.tag);
        handler_fn fn = NULL;
        if (label == IPC_LABEL_FAULT)
            fn = fault_handle; /* the common case first */
        else
            for (unsigned i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
                if (handlers[i].label == label)
                    fn = handlers[i].fn;
        if (m.err) {
            printf("pager: receive failed: %ld\n", (long)m.err);
        } else if (!p || p->state != PROC_LIVE) {
            r.send = false; /* a message from a process already gone */
        } else if (!fn) {
            r = (struct reply){true, IPC_TAG(0, 1), {(uint64_t)-SAMARA_ENOSYS}};
        } else {
            fn(p, &m, &r);
        }
        init_finished();
        if (r.send) {
            m = ipc_reply_recv(SLOT_EP, r.tag, r.w[0], r.w[1], r.w[2], r.w[3], recv_slot);
            if (m.err && p && p->state == PROC_LIVE && label == IPC_LABEL_FAULT) {
                printf("pager: pid %d: fault reply refused (%ld), killing it\n", p->pid,
                       (long)m.err);
                /* A signal that cannot be delivered is SIGSEGV, as Linux's force_sigsegv. */
                proc_exit(p, IPC_TAG_LABEL(r.tag) == FAULT_REPLY_SIGNAL ? PAGER_SIGSEGV
                                                                        : PAGER_SIGKILL);
                init_finished();
                m = ipc_recv(SLOT_EP, recv_slot);
            } else if (m.err) {
                m = ipc_recv(SLOT_EP, recv_slot);
            }
        } else {
            m = ipc_recv(SLOT_EP, recv_slot);
        }
    }
}

/*
 * syscall.c - the system-call table and the calls that are not IPC.
 *
 * Each handler reads its arguments from the thread's saved registers (a0..a6) and leaves its
 * result in a0. Handlers check everything first and change nothing on error (seL4's
 * decode/perform split); samara/syscall.h lists the calls and docs/ABI.md their contracts.
 */
#include <samara/cap.h>
#include <samara/syscall.h>

#include "endpoint.h"
#include "kernel.h"
#include "platform.h"
#include "pool.h"
#include "random.h"
#include "sched.h"
#include "task.h"
#include "thread.h"
#include "uart.h"
#include "vspace.h"
#include "arch/riscv/mmu.h"

#define ARG(t, n) ((t)->ctx[REG_A0 + (n)])

typedef void (*sys_fn)(struct thread *t);

static void ret(struct thread *t, int64_t v)
{
    t->ctx[REG_A0] = (uint64_t)v;
}

/*
 * A signal handler's first call: the registers FAULT_REPLY_SIGNAL kept, to the user's frame
 * (32 words, pc first), and the kernel's copy is free again. -EINVAL when none is kept.
 */
static void sys_sigcontext(struct thread *t)
{
    if (!t->sigctx_kept) {
        ret(t, -EINVAL);
        return;
    }
    int err = copy_to_user(t->task, ARG(t, 0), t->sigctx, sizeof(t->sigctx));
    if (!err)
        t->sigctx_kept = false;
    ret(t, err);
}

/*
 * The end of a signal handler: the 32 registers at the user's frame (pc first) become the
 * thread's, a0 included, so there is no return value unless the frame cannot be read
 * (-EFAULT) or its pc is not a user address (-EINVAL). Only user registers come back, so
 * whatever the frame holds gives nothing the program did not have.
 */
static void sys_sigreturn(struct thread *t)
{
    uint64_t frame[32];
    int err = copy_from_user(t->task, frame, ARG(t, 0), sizeof(frame));
    if (!err && (frame[REG_PC] >= mmu_task_size || frame[REG_PC] & 1))
        err = -EINVAL;
    if (err) {
        ret(t, err);
        return;
    }
    memcpy(t->ctx, frame, sizeof(frame));
}

/* Up to len bytes the console has received, without waiting: the count (0: none yet). */
static void sys_debug_read(struct thread *t)
{
    char buf[64];
    uint64_t uva = ARG(t, 0), len = ARG(t, 1), n = 0;
    int c;
    while (n < len && n < sizeof(buf) && (c = uart_getc()) >= 0)
        buf[n++] = (char)c;
    ret(t, n && copy_to_user(t->task, uva, buf, n) ? -EFAULT : (int64_t)n);
}

static void sys_debug_write(struct thread *t)
{
    char buf[128];
    uint64_t uva = ARG(t, 0), len = ARG(t, 1);
    if (len > (1u << 20)) {
        ret(t, -EINVAL);
        return;
    }
    for (uint64_t done = 0; done < len;) {
        size_t n = len - done > sizeof(buf) ? sizeof(buf) : len - done;
        if (copy_from_user(t->task, buf, uva + done, n)) {
            ret(t, done ? (int64_t)done : -EFAULT);
            return;
        }
        for (size_t i = 0; i < n; i++)
            kputc(buf[i]);
        done += n;
    }
    ret(t, (int64_t)len);
}

static void sys_yield(struct thread *t)
{
    ret(t, 0);
    sched_yield();
}

static void sys_getrandom(struct thread *t)
{
    uint8_t buf[256];
    uint64_t len = ARG(t, 1);
    if (len > sizeof(buf)) {
        ret(t, -EINVAL);
        return;
    }
    random_bytes(buf, len);
    int err = copy_to_user(t->task, ARG(t, 0), buf, len);
    ret(t, err ? err : (int64_t)len);
}

static void sys_shutdown(struct thread *t)
{
    struct cap *c;
    int err = cap_lookup(t->task, ARG(t, 0), CAP_CONTROL, CAP_R_SHUTDOWN, &c);
    if (err) {
        ret(t, err);
        return;
    }
    platform_halt((int)ARG(t, 1));
}

static void sys_sysinfo(struct thread *t)
{
    switch (ARG(t, 0)) {
    case SYSINFO_TASK_SIZE:
        ret(t, (int64_t)mmu_task_size);
        break;
    case SYSINFO_PAGING:
        ret(t, mmu_levels);
        break;
    case SYSINFO_POOL_FREE:
        ret(t, (int64_t)pool_free_pages());
        break;
    case SYSINFO_TIMEBASE:
        ret(t, (int64_t)platform_timebase_hz);
        break;
    case SYSINFO_TICKS:
        ret(t, (int64_t)sched_ticks);
        break;
    default:
        ret(t, -EINVAL);
    }
}

/* An empty slot of task `into` (0 = the caller's own task) to create or copy a capability in. */
static int dest_slot(struct thread *t, uint64_t task_slot, uint64_t slot, struct cap **out)
{
    struct task *into = t->task;
    if (task_slot) {
        struct cap *tc;
        int err = cap_lookup(t->task, task_slot, CAP_TASK, CAP_R_MANAGE, &tc);
        if (err)
            return err;
        into = (struct task *)tc->obj;
        if (into->dead)
            return -ESRCH;
    }
    if (slot == 0 || slot >= CAP_SLOTS)
        return -EBADF;
    struct cap *c = cap_slot(into, slot, true);
    if (!c)
        return -ENOMEM;
    if (c->type)
        return -EEXIST;
    *out = c;
    return 0;
}

static int check_create(struct thread *t, uint64_t control, uint64_t slot, struct cap **dst)
{
    struct cap *c;
    int err = cap_lookup(t->task, control, CAP_CONTROL, CAP_R_CREATE, &c);
    if (err)
        return err;
    return dest_slot(t, 0, slot, dst);
}

static void sys_endpoint_create(struct thread *t)
{
    struct cap *dst;
    int err = check_create(t, ARG(t, 0), ARG(t, 1), &dst);
    if (err) {
        ret(t, err);
        return;
    }
    struct endpoint *ep = endpoint_create();
    if (!ep) {
        ret(t, -ENOMEM);
        return;
    }
    struct cap c = {.type = CAP_ENDPOINT, .rights = CAP_R_ALL, .obj = (uint64_t)ep};
    cap_install(dst, &c);
    kobj_unref(&ep->obj); /* the capability holds it now */
    ret(t, 0);
}

static void sys_task_create(struct thread *t)
{
    struct cap *dst;
    int err = check_create(t, ARG(t, 0), ARG(t, 1), &dst);
    if (err) {
        ret(t, err);
        return;
    }
    struct task *nt = task_create();
    if (!nt) {
        ret(t, -ENOMEM);
        return;
    }
    struct cap c = {.type = CAP_TASK, .rights = CAP_R_ALL, .obj = (uint64_t)nt};
    cap_install(dst, &c);
    kobj_unref(&nt->obj);
    ret(t, 0);
}

static void sys_thread_create(struct thread *t)
{
    struct cap *dst, *tc;
    int err = check_create(t, ARG(t, 0), ARG(t, 2), &dst);
    if (!err)
        err = cap_lookup(t->task, ARG(t, 1), CAP_TASK, CAP_R_MANAGE, &tc);
    if (!err && ((struct task *)tc->obj)->dead)
        err = -ESRCH;
    if (err) {
        ret(t, err);
        return;
    }
    struct thread *th = thread_create((struct task *)tc->obj);
    if (!th) {
        ret(t, -ENOMEM);
        return;
    }
    th->prio = t->prio;
    struct cap c = {.type = CAP_THREAD, .rights = CAP_R_ALL, .obj = (uint64_t)th};
    cap_install(dst, &c);
    kobj_unref(&th->obj);
    ret(t, 0);
}

static int lookup_thread(struct thread *t, uint64_t slot, struct thread **out)
{
    struct cap *c;
    int err = cap_lookup(t->task, slot, CAP_THREAD, CAP_R_MANAGE, &c);
    if (err)
        return err;
    *out = (struct thread *)c->obj;
    return (*out)->state == TS_DEAD ? -ESRCH : 0;
}

static void sys_thread_start(struct thread *t)
{
    struct thread *th;
    int err = lookup_thread(t, ARG(t, 0), &th);
    if (!err && th->state != TS_INACTIVE)
        err = -EBUSY;
    if (!err && (ARG(t, 1) >= mmu_task_size || ARG(t, 1) & 1))
        err = -EINVAL;
    if (err) {
        ret(t, err);
        return;
    }
    th->ctx[REG_PC] = ARG(t, 1);
    th->ctx[REG_SP] = ARG(t, 2);
    th->ctx[REG_A0] = ARG(t, 3);
    th->state = TS_RUNNABLE;
    sched_enqueue(th);
    ret(t, 0);
}

static void sys_thread_set_fault(struct thread *t)
{
    struct thread *th;
    struct cap *ep = NULL;
    int err = lookup_thread(t, ARG(t, 0), &th);
    if (!err && ARG(t, 1))
        err = cap_lookup(t->task, ARG(t, 1), CAP_ENDPOINT, CAP_R_SEND, &ep);
    if (err) {
        ret(t, err);
        return;
    }
    if (th->fault_ep.type)
        cap_clear(&th->fault_ep);
    if (ep)
        cap_install(&th->fault_ep, ep);
    ret(t, 0);
}

static void sys_thread_set_prio(struct thread *t)
{
    struct thread *th;
    int err = lookup_thread(t, ARG(t, 0), &th);
    if (!err && ARG(t, 1) > t->prio)
        err = ARG(t, 1) > SAMARA_PRIO_MAX ? -EINVAL : -EPERM;
    if (err) {
        ret(t, err);
        return;
    }
    bool queued = th->in_runq;
    if (queued)
        sched_remove(th);
    th->prio = (uint8_t)ARG(t, 1);
    if (queued)
        sched_enqueue(th);
    ret(t, 0);
}

static void sys_thread_set_ipcbuf(struct thread *t)
{
    struct thread *th;
    int err = lookup_thread(t, ARG(t, 0), &th);
    if (!err && ARG(t, 1) & (PAGE_SIZE - 1))
        err = -EINVAL;
    if (!err && ARG(t, 1) >= mmu_task_size)
        err = -EINVAL;
    if (err) {
        ret(t, err);
        return;
    }
    th->ipcbuf_va = ARG(t, 1);
    ret(t, 0);
}

static void sys_thread_suspend(struct thread *t)
{
    struct thread *th;
    int err = lookup_thread(t, ARG(t, 0), &th);
    if (err) {
        ret(t, err);
        return;
    }
    ret(t, 0);
    thread_kill(th);
}

static void sys_cap_copy(struct thread *t)
{
    struct cap *src, *dst;
    uint64_t rights = ARG(t, 3), badge = ARG(t, 4);
    src = cap_slot(t->task, ARG(t, 0), false);
    int err = (!src || !src->type || src->type == CAP_REPLY) ? -EBADF : 0;
    if (!err && badge && (src->type != CAP_ENDPOINT || src->word))
        err = -EINVAL; /* only an unbadged endpoint capability can be minted */
    if (!err)
        err = dest_slot(t, ARG(t, 1), ARG(t, 2), &dst);
    if (err) {
        ret(t, err);
        return;
    }
    struct cap c = *src;
    c.rights &= (uint8_t)rights;
    if (badge)
        c.word = badge;
    cap_install(dst, &c);
    ret(t, 0);
}

static void sys_cap_delete(struct thread *t)
{
    struct cap *c = cap_slot(t->task, ARG(t, 0), false);
    if (!c || !c->type) {
        ret(t, -EBADF);
        return;
    }
    ret(t, 0);
    cap_clear(c);
}

static void sys_cap_info(struct thread *t)
{
    struct cap *c = cap_slot(t->task, ARG(t, 0), false);
    ret(t, c && c->type ? (int64_t)(c->type | (unsigned)c->rights << 8) : -EBADF);
}

static void sys_mem_derive(struct thread *t)
{
    struct cap *m, *dst;
    uint64_t pa = ARG(t, 3), npages = ARG(t, 4), rights = ARG(t, 5);
    int err = cap_lookup(t->task, ARG(t, 0), CAP_MEMORY, 0, &m);
    if (!err) {
        uint64_t end = m->obj + m->word * PAGE_SIZE;
        if (pa & (PAGE_SIZE - 1) || !npages || pa < m->obj || pa >= end ||
            npages > (end - pa) / PAGE_SIZE)
            err = -EINVAL;
    }
    if (!err)
        err = dest_slot(t, ARG(t, 1), ARG(t, 2), &dst);
    if (err) {
        ret(t, err);
        return;
    }
    struct cap c = {
        .type = CAP_MEMORY, .rights = (uint8_t)(m->rights & rights), .obj = pa, .word = npages};
    cap_install(dst, &c);
    ret(t, 0);
}

static int lookup_task(struct thread *t, uint64_t slot, struct task **out)
{
    struct cap *c;
    int err = cap_lookup(t->task, slot, CAP_TASK, CAP_R_MANAGE, &c);
    if (!err)
        *out = (struct task *)c->obj;
    return err;
}

static void sys_map(struct thread *t)
{
    struct task *target;
    struct vspace_map_req r;
    int err = lookup_task(t, ARG(t, 0), &target);
    if (!err)
        err = vspace_map_decode(t->task, target, ARG(t, 1), ARG(t, 2), ARG(t, 3), ARG(t, 4),
                                ARG(t, 5), &r);
    if (!err)
        err = vspace_map_perform(target, &r);
    ret(t, err);
}

static void sys_unmap(struct thread *t)
{
    struct task *target;
    struct vspace_leaf leaves[32];
    uint64_t buf = ARG(t, 3), max = ARG(t, 4), done = 0;
    int err = lookup_task(t, ARG(t, 0), &target);
    if (!err && buf && (max == 0 || max > 4096))
        err = -EINVAL;
    if (err || !buf) {
        unsigned n;
        ret(t, err ? err : vspace_unmap(target, ARG(t, 1), ARG(t, 2), NULL, 0, &n));
        return;
    }
    /* Report in chunks; every page of the user buffer is checked before anything is
     * removed, so no removed leaf can go unreported. */
    uint64_t bend = buf + max * sizeof(struct vspace_leaf);
    for (uint64_t a = buf & ~(PAGE_SIZE - 1); a < bend; a += PAGE_SIZE) {
        if (!vspace_user_page(t->task, a < buf ? buf : a, true)) {
            ret(t, -EFAULT);
            return;
        }
    }
    uint64_t va = ARG(t, 1), end = ARG(t, 1) + ARG(t, 2);
    err = vspace_unmap_check(target, va, ARG(t, 2)); /* once: chunks below go on unchecked */
    while (!err && done < max && va < end) {
        unsigned n, want = max - done < 32 ? (unsigned)(max - done) : 32;
        err = vspace_unmap_more(target, va, end - va, leaves, want, &n);
        if (err)
            break;
        err = copy_to_user(t->task, buf + done * sizeof(leaves[0]), leaves, n * sizeof(leaves[0]));
        if (err)
            break;
        done += n;
        if (n < want)
            break;
        va = leaves[n - 1].va + (1ul << (12 + 9 * PAGE_W_SIZE(leaves[n - 1].word)));
    }
    ret(t, err && !done ? err : (int64_t)done);
}

static void sys_protect(struct thread *t)
{
    struct task *target;
    int err = lookup_task(t, ARG(t, 0), &target);
    ret(t, err ? err : vspace_protect(target, ARG(t, 1), ARG(t, 2), (unsigned)ARG(t, 3)));
}

static void sys_query(struct thread *t)
{
    struct task *target;
    uint64_t words[64];
    uint64_t va = ARG(t, 1), npages = ARG(t, 2), buf = ARG(t, 3);
    int err = lookup_task(t, ARG(t, 0), &target);
    for (uint64_t i = 0; !err && i < npages; i += 64) {
        uint64_t n = npages - i < 64 ? npages - i : 64;
        err = npages > 512 ? -EINVAL : vspace_query(target, va + i * PAGE_SIZE, n, words);
        if (!err)
            err = copy_to_user(t->task, buf + i * 8, words, n * 8);
    }
    ret(t, err ? err : (npages ? 0 : -EINVAL));
}

static void sys_remap(struct thread *t)
{
    struct task *target;
    int err = lookup_task(t, ARG(t, 0), &target);
    ret(t, err ? err : vspace_remap(target, ARG(t, 1), ARG(t, 2), ARG(t, 3)));
}

static void sys_share(struct thread *t)
{
    struct task *src = NULL, *dst = NULL;
    struct vspace_leaf leaves[32];
    uint64_t va = ARG(t, 2), end = ARG(t, 2) + ARG(t, 3), buf = ARG(t, 5), max = ARG(t, 6);
    uint64_t done = 0;
    int err = lookup_task(t, ARG(t, 0), &src);
    if (!err)
        err = lookup_task(t, ARG(t, 1), &dst);
    if (!err && (max == 0 || max > 4096 || end < va))
        err = -EINVAL;
    /* As SYS_UNMAP: the whole report buffer is checked before anything is shared. */
    uint64_t bend = buf + max * sizeof(struct vspace_leaf);
    for (uint64_t a = buf & ~(PAGE_SIZE - 1); !err && a < bend; a += PAGE_SIZE)
        if (!vspace_user_page(t->task, a < buf ? buf : a, true))
            err = -EFAULT;
    if (!err)
        err = vspace_share_check(src, dst, va, end - va, (unsigned)ARG(t, 4));
    /*
     * The report goes straight into the caller's buffer, a page of it at a time through the
     * kernel's view of that page (checked above), when the buffer is 16-byte aligned; else
     * through a bounce buffer. Fork shares thousands of pages in one call.
     */
    struct vspace_leaf *out = NULL;
    bool direct = !(buf & (sizeof(struct vspace_leaf) - 1));
    while (!err && done < max && va < end) {
        uint64_t at = buf + done * sizeof(struct vspace_leaf);
        unsigned n, want = max - done < 32 ? (unsigned)(max - done) : 32;
        if (direct) {
            uint64_t room = (PAGE_SIZE - (at & (PAGE_SIZE - 1))) / sizeof(struct vspace_leaf);
            want = max - done < room ? (unsigned)(max - done) : (unsigned)room;
            out = vspace_user_page(t->task, at, true);
            if (!out) {
                err = -EFAULT;
                break;
            }
        }
        err = vspace_share_more(src, dst, va, end - va, (unsigned)ARG(t, 4), direct ? out : leaves,
                                want, &n);
        if (!err && n && !direct)
            err = copy_to_user(t->task, at, leaves, n * sizeof(leaves[0]));
        if (err)
            break;
        done += n;
        if (n < want)
            break;
        const struct vspace_leaf *last = direct ? &out[n - 1] : &leaves[n - 1];
        va = last->va + (1ul << (12 + 9 * PAGE_W_SIZE(last->word)));
    }
    ret(t, err && !done ? err : (int64_t)done);
}

static void sys_map_batch(struct thread *t)
{
    struct task *target;
    struct vspace_map_req req[128];
    uint64_t n = ARG(t, 2), g[4];
    int err = lookup_task(t, ARG(t, 0), &target);
    if (!err && (n == 0 || n > 128))
        err = -EINVAL;
    for (uint64_t i = 0; !err && i < n; i++) {
        err = copy_from_user(t->task, g, ARG(t, 1) + i * sizeof(g), sizeof(g));
        if (!err)
            err = vspace_map_decode(t->task, target, g[0] & ~0xffful, g[1], g[2], g[3],
                                    g[0] & 0xfff, &req[i]);
    }
    for (uint64_t i = 0; !err && i < n; i++)
        err = vspace_map_perform(target, &req[i]);
    ret(t, err);
}

static void sys_task_destroy(struct thread *t)
{
    struct task *target;
    int err = lookup_task(t, ARG(t, 0), &target);
    if (err) {
        ret(t, err);
        return;
    }
    ret(t, 0);
    task_destroy(target);
}

static void sys_translate(struct thread *t)
{
    struct task *target;
    int err = lookup_task(t, ARG(t, 0), &target);
    ret(t, err ? err : vspace_translate(target, ARG(t, 1)));
}

static const sys_fn sys_table[SYS_COUNT] = {
    [SYS_DEBUG_WRITE] = sys_debug_write,
    [SYS_DEBUG_READ] = sys_debug_read,
    [SYS_YIELD] = sys_yield,
    [SYS_GETRANDOM] = sys_getrandom,
    [SYS_SHUTDOWN] = sys_shutdown,
    [SYS_SYSINFO] = sys_sysinfo,
    [SYS_CALL] = sys_call,
    [SYS_SEND] = sys_send,
    [SYS_RECV] = sys_recv,
    [SYS_REPLY] = sys_reply,
    [SYS_REPLY_RECV] = sys_reply_recv,
    [SYS_ENDPOINT_CREATE] = sys_endpoint_create,
    [SYS_TASK_CREATE] = sys_task_create,
    [SYS_THREAD_CREATE] = sys_thread_create,
    [SYS_THREAD_START] = sys_thread_start,
    [SYS_THREAD_SET_FAULT] = sys_thread_set_fault,
    [SYS_THREAD_SET_PRIO] = sys_thread_set_prio,
    [SYS_THREAD_SET_IPCBUF] = sys_thread_set_ipcbuf,
    [SYS_THREAD_SUSPEND] = sys_thread_suspend,
    [SYS_CAP_COPY] = sys_cap_copy,
    [SYS_CAP_DELETE] = sys_cap_delete,
    [SYS_CAP_INFO] = sys_cap_info,
    [SYS_MEM_DERIVE] = sys_mem_derive,
    [SYS_MAP] = sys_map,
    [SYS_UNMAP] = sys_unmap,
    [SYS_PROTECT] = sys_protect,
    [SYS_TASK_DESTROY] = sys_task_destroy,
    [SYS_TRANSLATE] = sys_translate,
    [SYS_QUERY] = sys_query,
    [SYS_REMAP] = sys_remap,
    [SYS_MAP_BATCH] = sys_map_batch,
    [SYS_SHARE] = sys_share,
    [SYS_SIGRETURN] = sys_sigreturn,
    [SYS_SIGCONTEXT] = sys_sigcontext,
};

void syscall_dispatch(struct thread *t)
{
    uint64_t n = t->ctx[REG_A7];
    if (n >= SYS_COUNT || !sys_table[n]) {
        ret(t, -ENOSYS);
        return;
    }
    sys_table[n](t);
}

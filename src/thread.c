/*
 * thread.c - thread creation and death.
 *
 * Every thread has its own kernel stack pointer field, but on this single-hart kernel they all
 * point at the one per-hart stack: the kernel never blocks inside a call (a blocked thread's
 * state is all in its saved user context and IPC fields), so one stack per hart suffices.
 */
#include "thread.h"

#include "endpoint.h"
#include "kernel.h"
#include "pool.h"
#include "sched.h"
#include "task.h"

extern char boot_stack_top[];
static uint32_t thread_next_id = 1;

struct thread *thread_create(struct task *t)
{
    struct thread *th = pool_alloc(sizeof(*th));
    if (!th)
        return NULL;
    th->obj.type = CAP_THREAD;
    th->obj.refs = 2; /* the caller's, and the one a live thread holds on itself */
    th->state = TS_INACTIVE;
    th->kstack_top = (uint64_t)boot_stack_top;
    th->id = thread_next_id++;
    th->task = t;
    kobj_ref(&t->obj);
    th->task_next = t->threads;
    t->threads = th;
    return th;
}

void thread_kill(struct thread *th)
{
    if (th->state == TS_DEAD)
        return;
    switch (th->state) {
    case TS_RUNNABLE:
        sched_remove(th);
        break;
    case TS_BLOCKED_SEND:
        tqueue_remove(&th->blocked_on->sendq, th);
        kobj_unref(&th->blocked_on->obj);
        break;
    case TS_BLOCKED_RECV:
        tqueue_remove(&th->blocked_on->recvq, th);
        kobj_unref(&th->blocked_on->obj);
        break;
    default:
        break;
    }
    th->blocked_on = NULL;
    th->state = TS_DEAD;
    if (sched_current == th)
        sched_current = NULL;
    if (th->fault_ep.type)
        cap_clear(&th->fault_ep);
    struct task *t = th->task;
    for (struct thread **p = &t->threads; *p; p = &(*p)->task_next) {
        if (*p == th) {
            *p = th->task_next;
            break;
        }
    }
    th->task = NULL;
    kobj_unref(&t->obj);
    kobj_unref(&th->obj);
}

void thread_free(struct thread *th)
{
    pool_free(th, sizeof(*th));
}

/*
 * sched.c - the run queue, the timer tick, and the way back to user mode.
 */
#include "sched.h"

#include "kernel.h"
#include "task.h"
#include "thread.h"
#include "timer.h"
#include "arch/riscv/csr.h"

#define SCHED_PRIOS 64

struct thread *sched_current;
uint64_t sched_ticks;

static struct thread *runq_head[SCHED_PRIOS], *runq_tail[SCHED_PRIOS];
uint64_t sched_runq_bitmap;

void trap_return(struct thread *t) __attribute__((noreturn));

void sched_enqueue(struct thread *t)
{
    kassert(!t->in_runq);
    unsigned p = t->prio;
    t->qnext = NULL;
    t->qprev = runq_tail[p];
    if (runq_tail[p])
        runq_tail[p]->qnext = t;
    else
        runq_head[p] = t;
    runq_tail[p] = t;
    sched_runq_bitmap |= 1ul << p;
    t->in_runq = true;
}

void sched_remove(struct thread *t)
{
    if (!t->in_runq)
        return;
    unsigned p = t->prio;
    if (t->qprev)
        t->qprev->qnext = t->qnext;
    else
        runq_head[p] = t->qnext;
    if (t->qnext)
        t->qnext->qprev = t->qprev;
    else
        runq_tail[p] = t->qprev;
    if (!runq_head[p])
        sched_runq_bitmap &= ~(1ul << p);
    t->in_runq = false;
    t->qnext = t->qprev = NULL;
}

int sched_top_prio(void)
{
    return sched_runq_bitmap ? 63 - __builtin_clzl(sched_runq_bitmap) : -1;
}

void sched_switch_to(struct thread *t)
{
    struct thread *c = sched_current;
    if (c && c != t && c->state == TS_RUNNABLE)
        sched_enqueue(c);
    sched_remove(t);
    sched_current = t;
}

void sched_yield(void)
{
    struct thread *c = sched_current;
    if (c && c->state == TS_RUNNABLE && (sched_runq_bitmap >> c->prio) != 0) {
        sched_enqueue(c);
        sched_current = NULL;
    }
}

void sched_tick(void)
{
    sched_ticks++;
    sched_yield();
}

static struct thread *sched_pick(void)
{
    int p = sched_top_prio();
    if (p < 0)
        return NULL;
    struct thread *t = runq_head[p];
    sched_remove(t);
    return t;
}

/* Wait for an interrupt with interrupts off: wfi returns once one is pending (spec 3.3.3). */
static void sched_idle(void)
{
    for (;;) {
        __asm__ volatile("wfi");
        if (timer_pending()) {
            timer_handle();
            return;
        }
    }
}

_Noreturn void sched_return(void)
{
    struct thread *t = sched_current;
    if (t && t->state == TS_RUNNABLE) {
        /* A higher-priority thread woken by this call runs first. */
        if (sched_higher_waiting(t->prio)) {
            sched_enqueue(t);
            t = NULL;
        }
    } else {
        t = NULL;
    }
    while (!t) {
        t = sched_pick();
        if (!t)
            sched_idle();
    }
    sched_current = t;
    task_activate(t->task);
    trap_return(t);
}

/*
 * sched.h - priority round-robin scheduling on one hart.
 *
 * 64 priorities (higher runs first), a FIFO per priority and a bitmap of non-empty FIFOs.
 * `sched_current` is the thread the current kernel entry will return to; a system call that
 * blocks it sets it to NULL, and sched_return() picks the next one. The timer tick puts the
 * current thread at the back of its FIFO.
 */
#ifndef SCHED_H
#define SCHED_H

#include <stdbool.h>
#include <stdint.h>

struct thread;

extern struct thread *sched_current;
extern uint64_t sched_ticks;
extern uint64_t sched_runq_bitmap; /* bit p: a thread of priority p is waiting to run */

/* True when a thread of priority higher than prio waits in the run queue. */
static inline bool sched_higher_waiting(unsigned prio)
{
    return (sched_runq_bitmap >> prio) >> 1 != 0;
}

void sched_enqueue(struct thread *t);
void sched_remove(struct thread *t);
/* Highest priority waiting in the run queue, or -1. */
int sched_top_prio(void);
/* Make t (runnable) the thread to return to, queueing the current one if still runnable. */
void sched_switch_to(struct thread *t);
void sched_tick(void);
void sched_yield(void);
/* Return to user mode in the chosen thread; idles until one is runnable. */
_Noreturn void sched_return(void);

#endif

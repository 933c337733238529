/*
 * timer.h - the preemption timer: a tick every TIMER_HZ-th of a second, programmed through
 * the Sstc extension's stimecmp when the hart has it, else through the SBI TIME extension.
 */
#ifndef TIMER_H
#define TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TIMER_HZ 100

void timer_init(uint64_t timebase_hz, bool sstc);
bool timer_pending(void);
/* Take a tick: reschedule and arm the next one. */
void timer_handle(void);

#endif

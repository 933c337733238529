/*
 * sched.h - picolibc's, with sched_yield declared whatever the feature macros (posix.c
 * defines it: the thread gives up the rest of its time slice, SYS_YIELD).
 */
#ifndef SAMARA_SCHED_H
#define SAMARA_SCHED_H

#include_next <sched.h>

int sched_yield(void);

#endif

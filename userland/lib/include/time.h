/*
 * time.h - picolibc's <time.h>, with the POSIX clocks Samara has (userland/lib/time.c).
 *
 * picolibc declares clock_gettime and CLOCK_MONOTONIC only when the target says it has POSIX
 * timers; Samara's C library provides them (from the rdtime counter), so POSIX programs that
 * use them build unchanged.
 */
#ifndef SAMARA_TIME_H
#define SAMARA_TIME_H

#include_next <time.h>

#ifndef CLOCK_REALTIME
#define CLOCK_REALTIME ((clockid_t)1)
#endif
#ifndef CLOCK_MONOTONIC
#define CLOCK_MONOTONIC ((clockid_t)4)
#endif
#ifndef CLOCK_MONOTONIC_RAW
#define CLOCK_MONOTONIC_RAW ((clockid_t)5)
#endif
#ifndef CLOCK_BOOTTIME
#define CLOCK_BOOTTIME ((clockid_t)7)
#endif

#if !defined(_POSIX_TIMERS)
int clock_gettime(clockid_t clock_id, struct timespec *tp);
int clock_getres(clockid_t clock_id, struct timespec *res);
#endif
int nanosleep(const struct timespec *req, struct timespec *rem);

#endif

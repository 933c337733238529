/*
 * time.c - clocks: clock_gettime, clock_getres and nanosleep over the rdtime counter.
 *
 * Every clock counts from boot at the platform's timebase (SYS_SYSINFO_TIMEBASE ticks a
 * second: 10 MHz on QEMU virt, 1 MHz on sifive_u); there is no wall clock yet, so
 * CLOCK_REALTIME is the same count (1970 plus the uptime). Under QEMU -icount shift=0 one
 * tick is 100 guest instructions, which is how the benchmarks count.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include <samara/user.h>

static uint64_t time_hz(void)
{
    static uint64_t hz;
    if (!hz)
        hz = (uint64_t)sys_sysinfo(SYSINFO_TIMEBASE);
    return hz ? hz : 10000000;
}

static uint64_t time_ticks(void)
{
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

static int time_clock_ok(clockid_t id)
{
    return id == CLOCK_REALTIME || id == CLOCK_MONOTONIC || id == CLOCK_MONOTONIC_RAW ||
           id == CLOCK_BOOTTIME;
}

int clock_gettime(clockid_t id, struct timespec *tp)
{
    if (!time_clock_ok(id)) {
        errno = EINVAL;
        return -1;
    }
    uint64_t t = time_ticks(), hz = time_hz();
    tp->tv_sec = (time_t)(t / hz);
    tp->tv_nsec = (long)((t % hz) * 1000000000ull / hz);
    return 0;
}

int clock_getres(clockid_t id, struct timespec *res)
{
    if (!time_clock_ok(id)) {
        errno = EINVAL;
        return -1;
    }
    if (res) {
        res->tv_sec = 0;
        res->tv_nsec = (long)(1000000000ull / time_hz());
    }
    return 0;
}

/* Sleep by yielding until the time has passed (there is no timer sleep call yet). */
int nanosleep(const struct timespec *req, struct timespec *rem)
{
    if (!req || req->tv_nsec < 0 || req->tv_nsec >= 1000000000l || req->tv_sec < 0) {
        errno = EINVAL;
        return -1;
    }
    uint64_t hz = time_hz();
    uint64_t end =
        time_ticks() + (uint64_t)req->tv_sec * hz + (uint64_t)req->tv_nsec * hz / 1000000000ull;
    while (time_ticks() < end)
        sys_yield();
    if (rem)
        rem->tv_sec = rem->tv_nsec = 0;
    return 0;
}

/*
 * bench.h - what the guest benchmark programs share (kbench.c, mmanon.c, mmfile.c): guest
 * time, which under QEMU -icount is guest instructions, and the BENCH line tools/bench reads:
 *     BENCH <name> <units> <total_ns> <ns_per_unit>
 */
#ifndef SAMARA_BENCH_H
#define SAMARA_BENCH_H

#include <stdint.h>
#include <stdio.h>

#include <samara/user.h>

/* Nanoseconds of guest time (rdtime, scaled by the timebase SYSINFO gives). */
static inline uint64_t now_ns(void)
{
    static uint64_t ns_per_tick;
    if (!ns_per_tick)
        ns_per_tick = 1000000000ull / (uint64_t)sys_sysinfo(SYSINFO_TIMEBASE);
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t * ns_per_tick;
}

/* Print the BENCH line of a workload: units done in ns. */
static inline void bench_line(const char *name, uint64_t units, uint64_t ns)
{
    printf("BENCH %s %lu %lu %lu\n", name, (unsigned long)units, (unsigned long)ns,
           (unsigned long)(ns / units));
}

/* The same for a workload run twice, to warm up (counted 0: nothing printed) and counted. */
static inline void bench_report(const char *name, int counted, uint64_t units, uint64_t ns)
{
    if (counted)
        bench_line(name, units, ns);
}

#endif

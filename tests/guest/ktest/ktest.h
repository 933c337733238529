/*
 * ktest.h - the guest test harness: a table of tests, each run in its own process.
 *
 * `ktest` with no arguments (or with name filters) prints TAP: for every test it asks the
 * pager to start `ktest case NAME` as a child, waits for it with a deadline, and reports
 * "ok" when the child exits 0. A crash, a non-zero exit or a timeout is "not ok", so one
 * broken test cannot take the others down. `ktest list` prints the table.
 */
#ifndef KTEST_H
#define KTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <samara/user.h>

struct ktest {
    const char *name;
    int (*fn)(void); /* 0 = pass */
    const char *what;
};

/* Fail the current test with a message (returns from the test function). */
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("# %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                      \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_) {                                                                            \
            printf("# %s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, #a, a_, #b,   \
                   b_);                                                                            \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

extern const struct ktest kernel_tests[];
extern const unsigned kernel_tests_count;
extern const struct ktest maple_tests[];
extern const unsigned maple_tests_count;
extern const struct ktest mm_tests[];
extern const unsigned mm_tests_count;
extern const struct ktest mincore_tests[]; /* mincore_tests.c */
extern const unsigned mincore_tests_count;
extern const struct ktest fs_tests[];
extern const unsigned fs_tests_count;
extern const struct ktest file_tests[]; /* opt-in: `ktest file` (main.c) */
extern const unsigned file_tests_count;
extern const struct ktest proc_tests[]; /* opt-in until fork and exec land */
extern const unsigned proc_tests_count;
extern const struct ktest exec_tests[]; /* exec_tests.c */
extern const unsigned exec_tests_count;
extern const struct ktest madvise_tests[]; /* madvise_tests.c: fork flags, REMOVE, FREE */
extern const unsigned madvise_tests_count;
extern const struct ktest signal_tests[]; /* signal_tests.c: handlers for fault signals */
extern const unsigned signal_tests_count;
extern const struct ktest libc_tests[]; /* libc_tests.c: POSIX calls libsamara adds */
extern const unsigned libc_tests_count;
extern const struct ktest layout_tests[]; /* layout_tests.c: ASLR */
extern const unsigned layout_tests_count;
extern const struct ktest shell_tests[]; /* shell_tests.c: /bin/sh and the programs */
extern const unsigned shell_tests_count;

/* Helpers for tests (helpers.c). */
/*
 * Start fn(arg) on a new thread of this task, in `slot`, with its own stack. Its faults go to
 * fault_ep_slot, or to the pager when 0 (the image and stack are faulted in first then).
 * Returns 0 or a negative error.
 */
long kt_thread(void (*fn)(uint64_t), uint64_t arg, unsigned slot, unsigned fault_ep_slot);
/* Spawn `ktest case NAME`, wait for it; returns its wait status or a negative error. */
long kt_run_child(const char *name);
/* Map n fresh pages at va in this task with perms; returns the physical base or 0. */
uint64_t kt_map_fresh(uint64_t va, unsigned n, unsigned perms, unsigned mem_slot);
uint64_t kt_now(void); /* rdtime */
uint64_t kt_hz(void);  /* rdtime ticks per second */

#endif

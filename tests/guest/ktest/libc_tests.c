/*
 * libc_tests.c - the POSIX calls libsamara adds to picolibc for programs written for Linux:
 * resource limits with Linux's defaults and checks, the ids (root), sleeping and yielding.
 */
#include <errno.h>
#include <sched.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "ktest.h"

static int t_libc_rlimit(void)
{
    struct rlimit rl;
    CHECK_EQ(getrlimit(RLIMIT_STACK, &rl), 0);
    CHECK_EQ(rl.rlim_cur, 8ul << 20); /* the main stack's limit (docs/MM.md) */
    CHECK_EQ(rl.rlim_max, RLIM_INFINITY);
    CHECK_EQ(getrlimit(RLIMIT_MEMLOCK, &rl), 0);
    CHECK_EQ(rl.rlim_cur, 8ul << 20);
    CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
    CHECK_EQ(rl.rlim_cur, 64);
    CHECK_EQ(getrlimit(RLIMIT_AS, &rl), 0);
    CHECK_EQ(rl.rlim_cur, RLIM_INFINITY);
    CHECK_EQ(getrlimit(99, &rl), -1);
    CHECK_EQ(errno, EINVAL);
    struct rlimit bad = {2, 1};
    CHECK_EQ(setrlimit(RLIMIT_MEMLOCK, &bad), -1); /* soft above hard */
    CHECK_EQ(errno, EINVAL);
    struct rlimit small = {4096, 8192};
    CHECK_EQ(setrlimit(RLIMIT_MEMLOCK, &small), 0);
    CHECK_EQ(getrlimit(RLIMIT_MEMLOCK, &rl), 0);
    CHECK(rl.rlim_cur == 4096 && rl.rlim_max == 8192);
    struct rlimit many = {100000, 100000};
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &many), -1);
    CHECK_EQ(errno, EPERM);
    return 0;
}

static int t_libc_ids_sleep(void)
{
    CHECK_EQ(getuid(), 0);
    CHECK_EQ(geteuid(), 0);
    CHECK_EQ(getgid(), 0);
    CHECK_EQ(getegid(), 0);
    CHECK_EQ(sched_yield(), 0);
    struct timespec a, b;
    CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &a), 0);
    CHECK_EQ(usleep(20000), 0);
    CHECK_EQ(sleep(0), 0);
    CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &b), 0);
    long ns = (b.tv_sec - a.tv_sec) * 1000000000l + (b.tv_nsec - a.tv_nsec);
    CHECK(ns >= 20000000l); /* usleep waited at least as long as asked */
    return 0;
}

const struct ktest libc_tests[] = {
    {"libc_rlimit", t_libc_rlimit, "getrlimit/setrlimit: Linux's defaults and checks"},
    {"libc_ids_sleep", t_libc_ids_sleep, "uid/gid 0, sched_yield, usleep waits"},
};
const unsigned libc_tests_count = sizeof(libc_tests) / sizeof(libc_tests[0]);

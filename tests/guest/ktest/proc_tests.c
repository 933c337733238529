/*
 * proc_tests.c - processes: fork with copy-on-write, exec, wait statuses, kill (issue 6).
 *
 * Each case runs in its own ktest child, so it may fork, be killed, or leave children behind
 * without taking the harness down. Statuses are checked through POSIX waitpid() with
 * picolibc's signal numbers (the C library translates Linux's).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktest.h"

/* Wait for pid and return its status, or -1. */
static int proc_wait(pid_t pid)
{
    int st = 0;
    return waitpid(pid, &st, 0) == pid ? st : -1;
}

static int t_fork_exit_status(void)
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0)
        _exit(42);
    int st = proc_wait(pid);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 42);
    return 0;
}

static int t_fork_cow_anon(void)
{
    volatile char *p =
        mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    p[0] = 1;
    p[4096] = 1;
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        if (p[0] != 1)
            _exit(1);
        p[0] = 2;
        p[8192] = 2; /* a zero page in the parent */
        _exit(p[0] == 2 && p[4096] == 1 && p[8192] == 2 ? 0 : 3);
    }
    int st = proc_wait(pid);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 0);
    CHECK_EQ(p[0], 1);
    CHECK_EQ(p[8192], 0);
    p[4096] = 5; /* the only user now: written in place */
    CHECK_EQ(p[4096], 5);
    return 0;
}

static int t_wait_sigsegv(void)
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        volatile uintptr_t bad = 8;
        *(volatile int *)bad = 1;
        _exit(0);
    }
    int st = proc_wait(pid);
    CHECK(WIFSIGNALED(st));
    CHECK_EQ(WTERMSIG(st), SIGSEGV);
    return 0;
}

static int t_exec_missing(void)
{
    char *argv[] = {"nothing", NULL};
    CHECK_EQ(execv("/bin/no-such-program", argv), -1);
    CHECK_EQ(errno, ENOENT);
    return 0;
}

static int t_exec_runs_program(void)
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char *argv[] = {"ktest", "case", "_exit7", NULL};
        execv("/bin/ktest", argv);
        _exit(99);
    }
    int st = proc_wait(pid);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 7);
    return 0;
}

static int h_exit7(void)
{
    exit(7);
}

const struct ktest proc_tests[] = {
    {"fork_exit_status", t_fork_exit_status, "a child's exit code reaches waitpid"},
    {"fork_cow_anon", t_fork_cow_anon, "private pages are copied on write, both ways"},
    {"wait_sigsegv", t_wait_sigsegv, "a child's segfault is WTERMSIG SIGSEGV"},
    {"exec_missing", t_exec_missing, "execv of a missing program is ENOENT, the caller goes on"},
    {"exec_runs_program", t_exec_runs_program, "a forked child execs a program from the disk"},
    {"_exit7", h_exit7, "helper: exits 7"},
};
const unsigned proc_tests_count = sizeof(proc_tests) / sizeof(proc_tests[0]);

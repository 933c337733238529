/*
 * proc_util.h - what the process test cases share (proc_tests.c, layout_tests.c): checks for
 * forked children and wait statuses, fork and exec helpers, and the mailbox.
 *
 * Parent and child order their steps through a MAP_SHARED|MAP_ANONYMOUS page (the mailbox):
 * one side stores a step number, the other waits for it, yielding, never longer than
 * PT_WAIT_S seconds, so a broken fork or COW shows up as a failed check, not a hang. A child
 * reports a failed check by printing it and exiting 1; the parent checks every exit status.
 */
#ifndef PROC_UTIL_H
#define PROC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PT_WAIT_S 5

/* A failed check in a forked child: say where, and exit 1. */
#define CCHECK(cond)                                                                               \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("# %s:%d: child %d: check failed: %s\n", __FILE__, __LINE__, (int)getpid(),     \
                   #cond);                                                                         \
            fflush(stdout);                                                                        \
            _exit(1);                                                                              \
        }                                                                                          \
    } while (0)

/* Wait for pid; fail the case unless it exited with code. */
#define CHECK_EXIT(pid, code)                                                                      \
    do {                                                                                           \
        int st_ = proc_wait(pid);                                                                  \
        if (st_ == -1 || !WIFEXITED(st_) || WEXITSTATUS(st_) != (code)) {                          \
            printf("# %s:%d: child %d: wait status %#x, expected exit %d\n", __FILE__, __LINE__,   \
                   (int)(pid), st_, (int)(code));                                                  \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

/* Wait for pid; fail the case unless it was killed by sig. */
#define CHECK_SIGNALED(pid, sig)                                                                   \
    do {                                                                                           \
        int st_ = proc_wait(pid);                                                                  \
        if (st_ == -1 || !WIFSIGNALED(st_) || WTERMSIG(st_) != (sig)) {                            \
            printf("# %s:%d: child %d: wait status %#x, expected signal %d\n", __FILE__, __LINE__, \
                   (int)(pid), st_, (int)(sig));                                                   \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

/* Wait for pid and return its status, or -1. */
int proc_wait(pid_t pid);
/* fork with stdout flushed first, so that nothing buffered is printed twice. */
pid_t pfork(void);
/* A page shared with every later child: the steps of a case; NULL when mmap fails. */
volatile int *mailbox(void);
void post(volatile int *slot, int v);
/* Wait (yielding, at most PT_WAIT_S seconds) until *slot == v. */
bool await(volatile int *slot, int v);
/* exec a ktest helper in a child with argv (NULL-ended, after "ktest case NAME") and envp
 * (NULL: environ); returns the child's pid, or -1. */
pid_t exec_child(const char *helper, char *const extra[], char *const envp[]);
/* exec_child, then wait for it: its wait status, or -1. */
int exec_wait(const char *helper, char *const extra[], char *const envp[]);
/* Fresh private anonymous memory, or NULL. */
volatile char *anon(size_t pages);
/* The byte at offset i of a pattern file made with seed. */
char pat(unsigned seed, size_t i);
/* Create /tmp/pt_NAME (path: 64 bytes) with size pattern bytes and mode; an O_RDWR
 * descriptor, or -1. */
int pt_file(const char *name, size_t size, unsigned seed, int mode, char *path);
/* Create (truncating) path with size pattern bytes and mode; an O_RDWR descriptor, or -1. */
int pattern_create(const char *path, size_t size, unsigned seed, int mode);
/* Whether p[0..n) holds the pattern of file offsets [off, off + n). */
bool is_pat(const volatile char *p, unsigned seed, size_t off, size_t n);

#endif

/*
 * proc_util.c - the helpers of proc_util.h: waiting, forking, exec'ing ktest helpers, and
 * the mailbox page through which parent and child order their steps.
 */
#include <errno.h>
#include <sys/mman.h>

#include "ktest.h"
#include "mm_util.h"
#include "proc_util.h"

int proc_wait(pid_t pid)
{
    int st = 0;
    return waitpid(pid, &st, 0) == pid ? st : -1;
}

pid_t pfork(void)
{
    fflush(stdout);
    return fork();
}

volatile int *mailbox(void)
{
    void *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void post(volatile int *slot, int v)
{
    __atomic_store_n(slot, v, __ATOMIC_SEQ_CST);
}

bool await(volatile int *slot, int v)
{
    uint64_t deadline = kt_now() + PT_WAIT_S * kt_hz();
    while (__atomic_load_n(slot, __ATOMIC_SEQ_CST) != v) {
        if (kt_now() > deadline)
            return false;
        sys_yield();
    }
    return true;
}

pid_t exec_child(const char *helper, char *const extra[], char *const envp[])
{
    char *argv[16] = {"ktest", "case", (char *)helper};
    unsigned n = 3;
    for (; extra && extra[n - 3] && n < 15; n++)
        argv[n] = extra[n - 3];
    argv[n] = NULL;
    pid_t pid = pfork();
    if (pid == 0) {
        if (envp)
            execve("/bin/ktest", argv, envp);
        else
            execv("/bin/ktest", argv);
        printf("# exec of %s failed: errno %d\n", helper, errno);
        fflush(stdout);
        _exit(99);
    }
    return pid;
}

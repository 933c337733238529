/*
 * proc_util.c - the helpers of proc_util.h: waiting, forking, exec'ing ktest helpers, the
 * mailbox page through which parent and child order their steps, and pattern files.
 */
#include <errno.h>
#include <fcntl.h>
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

int exec_wait(const char *helper, char *const extra[], char *const envp[])
{
    pid_t pid = exec_child(helper, extra, envp);
    return pid > 0 ? proc_wait(pid) : -1;
}

/* Fresh private anonymous memory, or NULL. */
volatile char *anon(size_t pages)
{
    void *p = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* The byte at offset i of a file made with seed. */
char pat(unsigned seed, size_t i)
{
    return (char)(seed * 31 + i * 7 + (i >> 12) * 13 + 1);
}

/* Create /tmp/pt_NAME with size pattern bytes and mode; returns an O_RDWR descriptor or -1. */
int pt_file(const char *name, size_t size, unsigned seed, int mode, char *path)
{
    snprintf(path, 64, "/tmp/pt_%s", name);
    unlink(path);
    return pattern_create(path, size, seed, mode);
}

int pattern_create(const char *path, size_t size, unsigned seed, int mode)
{
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, mode);
    if (fd < 0)
        return -1;
    char buf[512];
    for (size_t off = 0; off < size;) {
        size_t n = size - off < sizeof(buf) ? size - off : sizeof(buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = pat(seed, off + i);
        if (write(fd, buf, n) != (ssize_t)n) {
            close(fd);
            return -1;
        }
        off += n;
    }
    return fd;
}

/* Whether p[0..n) holds the pattern of file offsets [off, off + n). */
bool is_pat(const volatile char *p, unsigned seed, size_t off, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != pat(seed, off + i))
            return false;
    return true;
}

/*
 * process.c - POSIX processes over the pager (samara/pager.h): fork, the exec family,
 * waitpid and wait, kill, and the translation of signal numbers.
 *
 * fork: the library saves its registers with setjmp and the thread pointer beside them, and
 * asks the pager for a copy-on-write copy of the process whose thread starts in
 * __samara_fork_child (fork.S) with that save area, below the current stack frame; the
 * child's longjmp returns 0 from fork, the parent gets the child's pid.
 *
 * exec: the pager reads the path, argv and envp from this process's memory, with a block
 * the library hands on to the new program (descriptors and the working directory, fd.c's
 * fd_export; the new program's start.c gives it to fd_import).
 *
 * Signals: the ABI (wait statuses, PAGER_KILL) uses Linux's numbers; picolibc's <signal.h>
 * numbers some differently (SIGBUS is 10 there, 7 on Linux), so the library translates both
 * ways, as posix.c does for errno.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/wait.h>
#include <unistd.h>

#include <samara/pager.h>
#include <samara/user.h>

#include "fd.h"

#define PATH_MAX_SAMARA 256

/*
 * What exec hands on, and how paths become absolute: fd.c's (descriptors, working
 * directory). These defaults stand until it has its own: nothing handed on, paths from "/".
 */
__attribute__((weak)) size_t fd_export(void *buf, size_t room)
{
    (void)buf;
    (void)room;
    return 0;
}

__attribute__((weak)) void fd_import(const void *buf, size_t len)
{
    (void)buf;
    (void)len;
}

__attribute__((weak)) long fd_absolute(const char *path, char *out, size_t room)
{
    size_t n = strlen(path), slash = path[0] != '/';
    if (n + slash + 1 > room)
        return -ENAMETOOLONG;
    out[0] = '/';
    memcpy(out + slash, path, n + 1);
    return 0;
}

/* picolibc's signal number -> Linux's (0: none). */
static const unsigned char process_sig_to_linux[32] = {0,
                                                       1,
                                                       2,
                                                       3,
                                                       4,
                                                       5,
                                                       6,
                                                       0 /* SIGEMT */,
                                                       8,
                                                       9,
                                                       7 /* SIGBUS */,
                                                       11,
                                                       31 /* SIGSYS */,
                                                       13,
                                                       14,
                                                       15,
                                                       23 /* SIGURG */,
                                                       19 /* SIGSTOP */,
                                                       20 /* SIGTSTP */,
                                                       18 /* SIGCONT */,
                                                       17 /* SIGCHLD */,
                                                       21,
                                                       22,
                                                       29 /* SIGIO */,
                                                       24,
                                                       25,
                                                       26,
                                                       27,
                                                       28,
                                                       0 /* SIGLOST */,
                                                       10 /* SIGUSR1 */,
                                                       12 /* SIGUSR2 */};

int process_signal_to_linux(int sig)
{
    return sig >= 0 && sig < 32 ? process_sig_to_linux[sig] : sig;
}

int process_signal_from_linux(int sig)
{
    for (int i = 1; i < 32; i++)
        if (process_sig_to_linux[i] == sig)
            return i;
    return sig;
}

/* A Linux wait status with its signal number in picolibc's numbering. */
static int process_status(int st)
{
    if ((st & 0x7f) && (st & 0x7f) != 0x7f)
        return (st & ~0x7f) | process_signal_from_linux(st & 0x7f);
    return st;
}

struct fork_ctx {
    uint64_t tp, pad;
    jmp_buf jb;
};

extern void __samara_fork_child(void);

pid_t fork(void)
{
    struct fork_ctx ctx;
    __asm__ volatile("mv %0, tp" : "=r"(ctx.tp));
    if (setjmp(ctx.jb))
        return 0; /* the child, from fork.S */
    uint64_t sp = ((uint64_t)(uintptr_t)&ctx - 256) & ~15ul;
    struct ipc_msg m =
        ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_FORK, 3), (uint64_t)(uintptr_t)__samara_fork_child,
                 sp, (uint64_t)(uintptr_t)&ctx, 0);
    return (pid_t)posix_errno(m.err ? m.err : (long)m.w[0]);
}

int execve(const char *path, char *const argv[], char *const envp[])
{
    static uint64_t block[PAGER_EXEC_BLOCK_MAX / 8];
    char abs[PATH_MAX_SAMARA];
    if (!path)
        return (int)posix_errno(-EFAULT);
    if (!path[0])
        return (int)posix_errno(-ENOENT);
    long err = fd_absolute(path, abs, sizeof(abs));
    if (err)
        return (int)posix_errno(err);
    static char *const empty[] = {NULL};
    block[0] = (uint64_t)fd_export(&block[1], sizeof(block) - 8);
    struct ipc_msg m =
        ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_EXEC, 4), (uint64_t)(uintptr_t)abs,
                 (uint64_t)(uintptr_t)(argv ? argv : empty),
                 (uint64_t)(uintptr_t)(envp ? envp : empty), (uint64_t)(uintptr_t)block);
    return (int)posix_errno(m.err ? m.err : (long)m.w[0]);
}

int execv(const char *path, char *const argv[])
{
    extern char **environ;
    return execve(path, argv, environ);
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
    if (!file || !file[0] || strchr(file, '/'))
        return execve(file, argv, envp);
    const char *dirs = getenv("PATH");
    if (!dirs)
        dirs = "/bin:/sbin";
    int saved = ENOENT;
    for (const char *d = dirs;; d++) {
        const char *end = strchr(d, ':');
        size_t n = end ? (size_t)(end - d) : strlen(d);
        char full[PATH_MAX_SAMARA];
        if (n + 1 + strlen(file) + 1 <= sizeof(full)) {
            memcpy(full, d, n);
            full[n] = '/';
            strcpy(full + n + 1, file);
            execve(n ? full : file, argv, envp);
            if (errno != ENOENT && errno != ENOTDIR)
                saved = errno; /* as glibc: EACCES and the like are remembered */
        }
        if (!end)
            break;
        d = end;
    }
    errno = saved;
    return -1;
}

int execvp(const char *file, char *const argv[])
{
    extern char **environ;
    return execvpe(file, argv, environ);
}

pid_t waitpid(pid_t pid, int *status, int options)
{
    if (options & ~WNOHANG)
        return (pid_t)posix_errno(-EINVAL);
    /* No process groups: 0 and -pgid mean any child. */
    long r = pager_wait(pid > 0 ? pid : -1, status, options & WNOHANG ? 1 : 0);
    if (r > 0 && status)
        *status = process_status(*status);
    return (pid_t)posix_errno(r);
}

pid_t wait(int *status)
{
    return waitpid(-1, status, 0);
}

int personality(unsigned long persona)
{
    return (int)posix_errno(pager_personality(persona));
}

int kill(pid_t pid, int sig)
{
    if (sig < 0 || sig >= 65)
        return (int)posix_errno(-EINVAL);
    return (int)posix_errno(pager_kill(pid, process_signal_to_linux(sig)));
}

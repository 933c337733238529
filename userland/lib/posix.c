/*
 * posix.c - the POSIX calls picolibc needs underneath, over Samara's system calls and the
 * pager. Issue-by-issue these grow: for now the console is file descriptors 0-2, and files
 * arrive with the file server.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <samara/user.h>

char **environ;

static long set_errno(long r)
{
    if (r < 0) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    if (fd != 1 && fd != 2)
        return set_errno(-SAMARA_EBADF);
    return set_errno(sys_debug_write(buf, n));
}

ssize_t read(int fd, void *buf, size_t n)
{
    (void)buf;
    (void)n;
    return set_errno(fd == 0 ? 0 : -SAMARA_EBADF);
}

int open(const char *path, int flags, ...)
{
    (void)path;
    (void)flags;
    return (int)set_errno(-SAMARA_ENOENT);
}

int close(int fd)
{
    return fd >= 0 && fd <= 2 ? 0 : (int)set_errno(-SAMARA_EBADF);
}

off_t lseek(int fd, off_t off, int whence)
{
    (void)fd;
    (void)off;
    (void)whence;
    return set_errno(-ESPIPE);
}

int fstat(int fd, struct stat *st)
{
    if (fd < 0 || fd > 2)
        return (int)set_errno(-SAMARA_EBADF);
    memset(st, 0, sizeof(*st));
    st->st_mode = S_IFCHR;
    return 0;
}

int isatty(int fd)
{
    return fd >= 0 && fd <= 2;
}

_Noreturn void _exit(int status)
{
    ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_EXIT, 1), (uint64_t)status, 0, 0, 0);
    for (;;)
        sys_yield();
}

pid_t getpid(void)
{
    return (pid_t)ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_GETPID, 0), 0, 0, 0, 0).w[0];
}

pid_t getppid(void)
{
    return (pid_t)ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_GETPID, 0), 0, 0, 0, 0).w[1];
}

int kill(pid_t pid, int sig)
{
    return (int)set_errno(pager_kill(pid, sig));
}

long sysconf(int name)
{
    if (name == _SC_PAGESIZE)
        return 4096;
    errno = EINVAL;
    return -1;
}

int getpagesize(void)
{
    return 4096;
}

/*
 * posix.c - the POSIX calls picolibc needs underneath, over Samara's system calls and the
 * pager: processes, sysconf, and the errno translation every libsamara call uses. File
 * descriptors are in fd.c, memory mappings in mman.c, the program break in brk.c.
 */
#include <errno.h>
#include <signal.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <samara/user.h>

char **environ;

/*
 * Linux's errno values (the ABI's, samara/errno.h) where picolibc numbers an error otherwise.
 * The two agree from EPERM (1) to ERANGE (34); past that picolibc keeps newlib's numbers.
 */
static const struct {
    unsigned char linux_errno;
    unsigned char libc_errno;
} posix_errno_map[] = {
    {35, EDEADLK}, {36, ENAMETOOLONG}, {37, ENOLCK}, {38, ENOSYS},     {39, ENOTEMPTY},
    {40, ELOOP},   {75, EOVERFLOW},    {84, EILSEQ}, {110, ETIMEDOUT}, {125, ECANCELED},
};

/*
 * posix_errno - the C library's answer to a result r of the system-call ABI: r itself when
 * r >= 0; otherwise errno is set to picolibc's number for Linux error -r, and -1 returned.
 * Every call of libsamara that fails through errno goes through here.
 */
long posix_errno(long r)
{
    if (r >= 0)
        return r;
    int e = (int)-r;
    for (size_t i = 0; i < sizeof(posix_errno_map) / sizeof(posix_errno_map[0]); i++)
        if (posix_errno_map[i].linux_errno == e) {
            e = posix_errno_map[i].libc_errno;
            break;
        }
    errno = e;
    return -1;
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

/* There are no users: every process runs as root (uid and gid 0), as a Linux test harness
 * usually does. */
uid_t getuid(void)
{
    return 0;
}

uid_t geteuid(void)
{
    return 0;
}

gid_t getgid(void)
{
    return 0;
}

gid_t getegid(void)
{
    return 0;
}

int sched_yield(void)
{
    sys_yield();
    return 0;
}

unsigned sleep(unsigned seconds)
{
    struct timespec t = {(time_t)seconds, 0};
    nanosleep(&t, NULL);
    return 0;
}

int usleep(useconds_t usec)
{
    struct timespec t = {(time_t)(usec / 1000000), (long)(usec % 1000000) * 1000};
    return nanosleep(&t, NULL);
}

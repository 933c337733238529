/*
 * exec_tests.c - exec (issue 6): programs from the disk with their arguments and environment,
 * the descriptors and working directory they keep, the errors that leave the caller running,
 * and what an exec'd program starts with. Cases whose name starts with "_" are the programs
 * other cases exec (`ktest case _NAME ARGS...`): they look at their own argv, environment
 * and descriptors.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktest.h"
#include "mm_util.h"
#include "proc_util.h"

#define RW   (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static int exec_data = 5; /* .data: a failed exec leaves it as it was */

/*
 * This program's argv, as start.c found it on the entry stack: argc, argv[], NULL, then envp[],
 * where environ points. Only valid while environ is the one exec gave.
 */
static char **self_argv(int *argc)
{
    extern char **environ;
    for (long k = 0; k < 64; k++) {
        if ((uintptr_t)environ[-2 - k] == (uintptr_t)k) {
            *argc = (int)k;
            return &environ[-1 - k];
        }
    }
    *argc = 0;
    return NULL;
}

static int t_exec_missing(void)
{
    char *argv[] = {"nothing", NULL};
    CHECK_EQ(execv("/bin/no-such-program", argv), -1);
    CHECK_EQ(errno, ENOENT);
    CHECK_EQ(execv("/no-such-dir/prog", argv), -1);
    CHECK_EQ(errno, ENOENT);
    return 0;
}

static int t_exec_runs_program(void)
{
    pid_t pid = pfork();
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

/* The arguments and the environment execve passed arrive exactly. */
static int t_exec_argv_envp(void)
{
    char *extra[] = {"alpha", "two words", "", NULL};
    char *envp[] = {"KT_PROC=42", "KT_EMPTY=", NULL};
    pid_t pid = exec_child("_argcheck", extra, envp);
    CHECK(pid > 0);
    CHECK_EXIT(pid, 0);
    return 0;
}

static int h_argcheck(void)
{
    extern char **environ;
    int argc;
    char **argv = self_argv(&argc);
    CHECK(argv);
    CHECK_EQ(argc, 6);
    CHECK(!strcmp(argv[0], "ktest") && !strcmp(argv[2], "_argcheck"));
    CHECK(!strcmp(argv[3], "alpha"));
    CHECK(!strcmp(argv[4], "two words"));
    CHECK(!strcmp(argv[5], ""));
    CHECK(argv[6] == NULL);
    CHECK(environ[0] && !strcmp(environ[0], "KT_PROC=42"));
    CHECK(environ[1] && !strcmp(environ[1], "KT_EMPTY="));
    CHECK(environ[2] == NULL);
    CHECK(getenv("KT_PROC") && !strcmp(getenv("KT_PROC"), "42"));
    return 0;
}

/* execv passes environ on. */
static int t_exec_inherits_environ(void)
{
    extern char **environ;
    static char *env[] = {"KT_INHERIT=yes", "PATH=/bin", NULL};
    environ = env;
    pid_t pid = exec_child("_envcheck", NULL, NULL);
    CHECK(pid > 0);
    CHECK_EXIT(pid, 0);
    return 0;
}

static int h_envcheck(void)
{
    const char *v = getenv("KT_INHERIT");
    CHECK(v && !strcmp(v, "yes"));
    return 0;
}

/* execvp searches PATH, past a directory without the program. */
static int t_execvp_path(void)
{
    extern char **environ;
    static char *env[] = {"PATH=/nowhere:/tmp:/bin", NULL};
    environ = env;
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char *argv[] = {"ktest", "case", "_exit7", NULL};
        execvp("ktest", argv);
        _exit(99);
    }
    CHECK_EXIT(pid, 7);
    char *argv[] = {"x", NULL};
    CHECK_EQ(execvp("no-such-program-kt", argv), -1);
    CHECK_EQ(errno, ENOENT);
    return 0;
}

/* A path through a regular file is ENOTDIR. */
static int t_exec_enotdir(void)
{
    char *argv[] = {"x", NULL};
    CHECK_EQ(execv("/bin/ktest/x", argv), -1);
    CHECK_EQ(errno, ENOTDIR);
    return 0;
}

/* A directory is EACCES, and the caller goes on. */
static int t_exec_eacces_dir(void)
{
    char *argv[] = {"tmp", NULL};
    CHECK_EQ(execv("/tmp", argv), -1);
    CHECK_EQ(errno, EACCES);
    CHECK_EQ(execv("/", argv), -1);
    CHECK_EQ(errno, EACCES);
    volatile char *p = anon(1); /* still this program, its memory intact */
    CHECK(p);
    p[0] = 1;
    CHECK_EQ(exec_data, 5);
    return 0;
}

/* A file without execute permission is EACCES (checked before the format). */
static int t_exec_eacces_mode(void)
{
    char path[64];
    int fd = pt_file("noexec", 100, 1, 0644, path);
    CHECK(fd >= 0);
    close(fd);
    struct stat st;
    CHECK_EQ(stat(path, &st), 0);
    CHECK_EQ(st.st_mode & 0111, 0);
    char *argv[] = {"noexec", NULL};
    CHECK_EQ(execv(path, argv), -1);
    int e = errno;
    unlink(path);
    CHECK_EQ(e, EACCES);
    return 0;
}

/* Executable files that are not ELF programs are ENOEXEC: text, an empty file, a bad ELF. */
static int t_exec_enoexec(void)
{
    char path[64], empty[64];
    int fd = pt_file("notelf", 300, 2, 0755, path);
    CHECK(fd >= 0);
    CHECK_EQ(pwrite(fd, "hello, not a program\n", 21, 0), 21);
    close(fd);
    fd = pt_file("empty", 0, 0, 0755, empty);
    CHECK(fd >= 0);
    close(fd);
    struct stat st;
    CHECK_EQ(stat(path, &st), 0);
    CHECK(st.st_mode & 0100);
    char *argv[] = {"notelf", NULL};
    int r1 = execv(path, argv), e1 = errno;
    int r2 = execv(empty, argv), e2 = errno;
    int r3 = execv("/bin/badelf", argv), e3 = errno;
    unlink(path);
    unlink(empty);
    CHECK_EQ(r1, -1);
    CHECK_EQ(e1, ENOEXEC);
    CHECK_EQ(r2, -1);
    CHECK_EQ(e2, ENOEXEC);
    CHECK_EQ(r3, -1);
    CHECK_EQ(e3, ENOEXEC);
    return 0;
}

/* Bad pointers in execve's arguments are EFAULT; the caller goes on. */
static int t_exec_efault(void)
{
    char *env[] = {NULL};
    char *bad_arg[] = {"ktest", (char *)16, NULL};
    char *argv[] = {"ktest", "case", "_exit7", NULL};
    volatile uintptr_t bad_argv = 8, bad_envp = 24; /* opaque to the compiler's checks */
    CHECK_EQ(execve("/bin/ktest", (char *const *)bad_argv, env), -1);
    CHECK_EQ(errno, EFAULT);
    CHECK_EQ(execve("/bin/ktest", bad_arg, env), -1);
    CHECK_EQ(errno, EFAULT);
    CHECK_EQ(execve("/bin/ktest", argv, (char *const *)bad_envp), -1);
    CHECK_EQ(errno, EFAULT);
    return 0;
}

/* A forked child whose exec fails continues, and can report it. */
static int t_exec_fail_in_child(void)
{
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char *argv[] = {"x", NULL};
        if (execv("/bin/no-such-program", argv) == -1 && errno == ENOENT)
            _exit(33);
        _exit(1);
    }
    CHECK_EXIT(pid, 33);
    return 0;
}

/* exec keeps the pid and the parent. */
static int t_exec_keeps_pid(void)
{
    char ppid[16];
    snprintf(ppid, sizeof(ppid), "%d", (int)getpid());
    volatile int *mb = mailbox();
    CHECK(mb);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        char me[16];
        snprintf(me, sizeof(me), "%d", (int)getpid());
        char *argv[] = {"ktest", "case", "_pidcheck", me, ppid, NULL};
        execv("/bin/ktest", argv);
        _exit(99);
    }
    CHECK_EXIT(pid, 0);
    return 0;
}

static int h_pidcheck(void)
{
    int argc;
    char **argv = self_argv(&argc);
    CHECK(argv && argc == 5);
    CHECK_EQ(getpid(), atoi(argv[3]));
    CHECK_EQ(getppid(), atoi(argv[4]));
    return 0;
}

/* exec replaces the memory: a mapping of the old program is gone in the new one. */
static int t_exec_replaces_memory(void)
{
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        volatile char *p = mmap((void *)0x2000000000ul, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
        CCHECK(p != MAP_FAILED);
        p[0] = 1;
        char addr[32];
        snprintf(addr, sizeof(addr), "%lx", (unsigned long)p);
        char *argv[] = {"ktest", "case", "_mapcheck", addr, NULL};
        execv("/bin/ktest", argv);
        _exit(99);
    }
    CHECK_EXIT(pid, 0);
    return 0;
}

static int h_mapcheck(void)
{
    int argc;
    char **argv = self_argv(&argc);
    CHECK(argv && argc == 4);
    unsigned long a = strtoul(argv[3], NULL, 16);
    struct mm_vma v;
    CHECK(a != 0);
    CHECK_EQ(mm_vma_at(a, &v), -1);
    CHECK_EQ(mm_status_kb("VmLck"), 0);
    return 0;
}

/* A descriptor open before exec (without O_CLOEXEC) works in the new program, at its offset. */
static int t_exec_fd_inherited(void)
{
    char path[64];
    int fd = pt_file("fdinh", 0, 0, 0644, path);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "inherited", 9), 9);
    CHECK_EQ(lseek(fd, 2, SEEK_SET), 2); /* the offset goes with the description */
    char num[16];
    snprintf(num, sizeof(num), "%d", fd);
    char *extra[] = {num, "herited", NULL};
    int st = exec_wait("_fdcheck", extra, NULL);
    close(fd);
    unlink(path);
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return 0;
}

static int h_fdcheck(void)
{
    int argc;
    char **argv = self_argv(&argc);
    CHECK(argv && argc == 5);
    int fd = atoi(argv[3]);
    char buf[64] = {0};
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    if (n < 0)
        printf("# read of descriptor %d: errno %d\n", fd, errno);
    CHECK_EQ(n, (long)strlen(argv[4]));
    CHECK(!strcmp(buf, argv[4]));
    return 0;
}

/* A descriptor with O_CLOEXEC is closed in the new program. */
static int t_exec_cloexec(void)
{
    char path[64];
    int fd = pt_file("cloexec", 10, 0, 0644, path);
    CHECK(fd >= 0);
    close(fd);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0);
    CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    char num[16];
    snprintf(num, sizeof(num), "%d", fd);
    char *extra[] = {num, NULL};
    int st = exec_wait("_fdclosed", extra, NULL);
    close(fd);
    unlink(path);
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return 0;
}

static int h_fdclosed(void)
{
    int argc;
    char **argv = self_argv(&argc);
    CHECK(argv && argc == 4);
    int fd = atoi(argv[3]);
    char c;
    CHECK_EQ(read(fd, &c, 1), -1);
    CHECK_EQ(errno, EBADF);
    CHECK_EQ(fcntl(fd, F_GETFD), -1);
    return 0;
}

/* A program exec'd in a child that segfaults: the parent sees SIGSEGV. */
static int t_exec_signal_status(void)
{
    pid_t pid = exec_child("_proc_nullderef", NULL, NULL);
    CHECK(pid > 0);
    CHECK_SIGNALED(pid, SIGSEGV);
    return 0;
}

static int h_segv(void)
{
    volatile uintptr_t bad = 16; /* a field of a NULL struct pointer: page 0 */
    return *(volatile int *)bad;
}

/* Children survive their parent's exec: the new program waits for them. */
static int t_exec_keeps_children(void)
{
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        pid_t c = pfork();
        CCHECK(c >= 0);
        if (c == 0)
            _exit(9);
        char num[16];
        snprintf(num, sizeof(num), "%d", (int)c);
        char *argv[] = {"ktest", "case", "_reapcheck", num, NULL};
        execv("/bin/ktest", argv);
        _exit(99);
    }
    CHECK_EXIT(pid, 0);
    return 0;
}

static int h_reapcheck(void)
{
    int argc;
    char **argv = self_argv(&argc);
    CHECK(argv && argc == 4);
    int st = 0;
    CHECK_EQ(wait(&st), atoi(argv[3]));
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 9);
    return 0;
}

/* 20 fork/exec/exit cycles: not a frame is lost. */
static int t_exec_no_leak(void)
{
    pid_t pid = exec_child("_exit7", NULL, NULL); /* a first run, outside the count */
    CHECK(pid > 0);
    CHECK_EXIT(pid, 7);
    long f0 = pager_free_frames();
    for (int i = 0; i < 20; i++) {
        pid = exec_child("_exit7", NULL, NULL);
        CHECK(pid > 0);
        CHECK_EXIT(pid, 7);
    }
    long f1 = pager_free_frames();
    if (f1 != f0)
        printf("# %ld frames lost in 20 execs\n", f0 - f1);
    CHECK_EQ(f1, f0);
    return 0;
}

const struct ktest exec_tests[] = {
    {"exec_missing", t_exec_missing, "execv of a missing program is ENOENT, the caller goes on"},
    {"exec_runs_program", t_exec_runs_program, "a forked child execs a program from the disk"},
    {"exec_argv_envp", t_exec_argv_envp, "execve's argv and envp arrive exactly"},
    {"exec_inherits_environ", t_exec_inherits_environ, "execv passes environ"},
    {"exec_execvp_path", t_execvp_path, "execvp searches PATH"},
    {"exec_enotdir", t_exec_enotdir, "a path through a file is ENOTDIR"},
    {"exec_eacces_dir", t_exec_eacces_dir, "a directory is EACCES, the caller goes on"},
    {"exec_eacces_mode", t_exec_eacces_mode, "a file without execute permission is EACCES"},
    {"exec_enoexec", t_exec_enoexec, "text, empty and bad ELF files are ENOEXEC"},
    {"exec_efault", t_exec_efault, "bad pointers in execve are EFAULT"},
    {"exec_fail_in_child", t_exec_fail_in_child, "a child whose exec failed goes on"},
    {"exec_keeps_pid", t_exec_keeps_pid, "exec keeps the pid and the parent"},
    {"exec_replaces_memory", t_exec_replaces_memory, "the old program's mappings are gone"},
    {"exec_fd_inherited", t_exec_fd_inherited, "a descriptor open before exec works after it"},
    {"exec_cloexec", t_exec_cloexec, "an O_CLOEXEC descriptor is closed by exec"},
    {"exec_signal_status", t_exec_signal_status, "an exec'd program's SIGSEGV reaches the parent"},
    {"exec_keeps_children", t_exec_keeps_children, "the new program waits for the old's child"},
    {"exec_no_leak", t_exec_no_leak, "20 fork/exec/exit cycles leave the free frames as they were"},
    {"_exit7", h_exit7, "helper: exits 7"},
    {"_argcheck", h_argcheck, "helper: checks argv[3..] and environ (exec_argv_envp)"},
    {"_envcheck", h_envcheck, "helper: checks KT_INHERIT=yes"},
    {"_pidcheck", h_pidcheck, "helper: getpid() == argv[3], getppid() == argv[4]"},
    {"_mapcheck", h_mapcheck, "helper: nothing mapped at argv[3] (hex)"},
    {"_fdcheck", h_fdcheck, "helper: descriptor argv[3] reads argv[4]"},
    {"_fdclosed", h_fdclosed, "helper: descriptor argv[3] is closed"},
    {"_reapcheck", h_reapcheck, "helper: wait() returns child argv[3], exit 9"},
    {"_proc_nullderef", h_segv, "helper: reads page 0 (a NULL struct's field)"},
};
const unsigned exec_tests_count = sizeof(exec_tests) / sizeof(exec_tests[0]);

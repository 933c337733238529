/*
 * sh_run.c - running a parsed command: variable assignments, redirections, the builtins
 * (cd, exit, echo, pwd, export) in the shell itself, and programs through PATH with
 * fork + execve + waitpid. A child killed by a signal is reported as bash words it
 * ("Segmentation fault", "Killed"...) and $? is 128 + the signal; a program not found is 127,
 * one that cannot be executed 126.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "echo_words.h"
#include "sh.h"

extern char **environ;

#define SH_DEFAULT_PATH "/bin:/sbin"
#define SH_SAVED_FD_MIN 10 /* where a builtin's redirected descriptors are kept meanwhile */

/*
 * What bash prints for a child killed by each signal, and the signal's Linux number, which $?
 * holds plus 128 (waitpid gives picolibc's numbers: its SIGBUS is 10, Linux's 7). SIGINT and
 * SIGPIPE print nothing.
 */
static const struct {
    int sig, linux_sig;
    const char *text;
} sh_signals[] = {
    {SIGHUP, 1, "Hangup"},
    {SIGINT, 2, NULL},
    {SIGQUIT, 3, "Quit"},
    {SIGILL, 4, "Illegal instruction"},
    {SIGTRAP, 5, "Trace/breakpoint trap"},
    {SIGABRT, 6, "Aborted"},
    {SIGBUS, 7, "Bus error"},
    {SIGFPE, 8, "Floating point exception"},
    {SIGKILL, 9, "Killed"},
    {SIGUSR1, 10, "User defined signal 1"},
    {SIGSEGV, 11, "Segmentation fault"},
    {SIGUSR2, 12, "User defined signal 2"},
    {SIGPIPE, 13, NULL},
    {SIGALRM, 14, "Alarm clock"},
    {SIGTERM, 15, "Terminated"},
    {SIGSYS, 31, "Bad system call"},
};

const char *sh_signal_name(int sig, int *linux_sig)
{
    static char other[24];
    for (size_t i = 0; i < sizeof(sh_signals) / sizeof(sh_signals[0]); i++) {
        if (sh_signals[i].sig == sig) {
            *linux_sig = sh_signals[i].linux_sig;
            return sh_signals[i].text;
        }
    }
    *linux_sig = sig;
    snprintf(other, sizeof(other), "Signal %d", sig);
    return other;
}

/* ---- redirections ----------------------------------------------------------------------- */

/* Apply cmd's redirections in order. Return: 0, or -1 (reported). */
static int redirect(struct sh_cmd *cmd)
{
    for (int i = 0; i < cmd->nredir; i++) {
        struct sh_redir *r = &cmd->redir[i];
        if (r->dup_fd >= 0) {
            if (dup2(r->dup_fd, r->fd) < 0) {
                sh_err("sh: %d: %s", r->dup_fd, strerror(errno));
                return -1;
            }
            continue;
        }
        int fd = open(r->path, r->flags, 0644); /* 0666 less the usual umask 022 */
        if (fd < 0) {
            sh_err("sh: %s: %s", r->path, strerror(errno));
            return -1;
        }
        if (fd != r->fd) {
            int d = dup2(fd, r->fd);
            close(fd);
            if (d < 0) {
                sh_err("sh: %d: %s", r->fd, strerror(errno));
                return -1;
            }
        }
    }
    return 0;
}

/*
 * For a builtin: keep a copy of every descriptor cmd redirects (saved[fd], -1 when it was not
 * open), so that restore() can put them back afterwards.
 */
static void save_fds(struct sh_cmd *cmd, int saved[10])
{
    for (int fd = 0; fd < 10; fd++)
        saved[fd] = -2; /* not redirected */
    for (int i = 0; i < cmd->nredir; i++) {
        int fd = cmd->redir[i].fd;
        if (saved[fd] == -2)
            saved[fd] = fcntl(fd, F_DUPFD_CLOEXEC, SH_SAVED_FD_MIN);
    }
}

static void restore_fds(const int saved[10])
{
    fflush(stdout);
    for (int fd = 0; fd < 10; fd++) {
        if (saved[fd] == -2)
            continue;
        if (saved[fd] < 0) {
            close(fd);
            continue;
        }
        dup2(saved[fd], fd);
        close(saved[fd]);
    }
}

/* ---- builtins --------------------------------------------------------------------------- */

static int builtin_cd(struct sh_state *sh, int argc, char **argv)
{
    (void)sh;
    const char *dir = argc > 1 ? argv[1] : getenv("HOME");
    if (!dir)
        dir = "/";
    if (argc > 2) {
        sh_err("sh: cd: too many arguments");
        return 1;
    }
    bool dash = !strcmp(dir, "-");
    if (dash) {
        dir = getenv("OLDPWD");
        if (!dir) {
            sh_err("sh: cd: OLDPWD not set");
            return 1;
        }
    }
    char old[PATH_MAX];
    if (!getcwd(old, sizeof(old)))
        old[0] = 0;
    if (chdir(dir) < 0) {
        sh_err("sh: cd: %s: %s", dir, strerror(errno));
        return 1;
    }
    char now[PATH_MAX];
    if (getcwd(now, sizeof(now)))
        setenv("PWD", now, 1);
    if (old[0])
        setenv("OLDPWD", old, 1);
    if (dash)
        printf("%s\n", now);
    return 0;
}

static int builtin_pwd(struct sh_state *sh, int argc, char **argv)
{
    (void)sh;
    (void)argc;
    (void)argv;
    char buf[PATH_MAX];
    if (!getcwd(buf, sizeof(buf))) {
        sh_err("sh: pwd: %s", strerror(errno));
        return 1;
    }
    printf("%s\n", buf);
    return 0;
}

/* echo [-n] WORD... (as bash's builtin without -e: no escapes are interpreted) */
static int builtin_echo(struct sh_state *sh, int argc, char **argv)
{
    (void)sh;
    return echo_words(argc, argv);
}

/* exit [n]: n, or $? without it; a word that is not a number is status 2, as bash. */
static int builtin_exit(struct sh_state *sh, int argc, char **argv)
{
    sh->exiting = true;
    if (argc < 2)
        return sh->status;
    char *end;
    long n = strtol(argv[1], &end, 10);
    if (!argv[1][0] || *end) {
        sh_err("sh: exit: %s: numeric argument required", argv[1]);
        return 2;
    }
    return (int)(n & 255);
}

/* export NAME=VALUE... (every variable is in the environment already; NAME alone is a no-op) */
static int builtin_export(struct sh_state *sh, int argc, char **argv)
{
    (void)sh;
    for (int i = 1; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq)
            continue;
        *eq = 0;
        setenv(argv[i], eq + 1, 1);
        *eq = '=';
    }
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(struct sh_state *sh, int argc, char **argv);
} builtins[] = {
    {"cd", builtin_cd},     {"pwd", builtin_pwd},       {"echo", builtin_echo},
    {"exit", builtin_exit}, {"export", builtin_export},
};

/* ---- programs --------------------------------------------------------------------------- */

/*
 * The file name runs as: itself when it has a slash, else the first regular file dir/name of
 * PATH. Return: true with path filled, false when there is none.
 */
static bool find_program(const char *name, char *path, size_t size)
{
    if (strchr(name, '/')) {
        snprintf(path, size, "%s", name);
        return true;
    }
    const char *dirs = getenv("PATH");
    if (!dirs)
        dirs = SH_DEFAULT_PATH;
    for (const char *d = dirs;;) {
        const char *e = strchr(d, ':');
        size_t n = e ? (size_t)(e - d) : strlen(d);
        struct stat st;
        /* An empty entry is the current directory, as POSIX says. */
        int w = snprintf(path, size, "%.*s%s%s", (int)n, d, n ? "/" : "", name);
        if (w > 0 && (size_t)w < size && stat(path, &st) == 0 && S_ISREG(st.st_mode))
            return true;
        if (!e)
            return false;
        d = e + 1;
    }
}

/* Whether word is NAME=VALUE. */
static bool is_assignment(const char *word)
{
    const char *p = word;
    if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
        return false;
    while (*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
           (*p >= '0' && *p <= '9'))
        p++;
    return *p == '=';
}

static void set_assignments(char **words, int n)
{
    for (int i = 0; i < n; i++) {
        char *eq = strchr(words[i], '=');
        *eq = 0;
        setenv(words[i], eq + 1, 1);
        *eq = '=';
    }
}

/* Wait for pid; its status as $?, reporting a signal that killed it. */
static int wait_child(pid_t pid)
{
    int st = 0;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            sh_err("sh: waitpid: %s", strerror(errno));
            return 1;
        }
    }
    if (WIFSIGNALED(st)) {
        int linux_sig;
        const char *name = sh_signal_name(WTERMSIG(st), &linux_sig);
        if (name)
            sh_err("%s", name);
        return 128 + linux_sig;
    }
    return WEXITSTATUS(st);
}

/* Fork, redirect in the child and execve path (argv after nassign assignments). */
static int run_program(struct sh_cmd *cmd, int nassign, const char *path)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        sh_err("sh: fork: %s", strerror(errno));
        return 2;
    }
    if (pid == 0) {
        if (redirect(cmd) < 0)
            _exit(1);
        set_assignments(cmd->argv, nassign);
        execve(path, cmd->argv + nassign, environ);
        int e = errno;
        sh_err("sh: %s: %s", path, strerror(e));
        _exit(e == ENOENT ? 127 : 126);
    }
    return wait_child(pid);
}

void sh_run(struct sh_state *sh, struct sh_cmd *cmd)
{
    int nassign = 0;
    while (nassign < cmd->argc && is_assignment(cmd->argv[nassign]))
        nassign++;
    char **argv = cmd->argv + nassign;
    int argc = cmd->argc - nassign;
    int saved[10];
    if (argc == 0) { /* assignments and redirections only: `> file` creates file */
        save_fds(cmd, saved);
        int r = redirect(cmd);
        restore_fds(saved);
        if (r == 0)
            set_assignments(cmd->argv, nassign);
        sh->status = r < 0 ? 1 : 0;
        return;
    }
    for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
        if (strcmp(argv[0], builtins[i].name))
            continue;
        save_fds(cmd, saved);
        int r = redirect(cmd) < 0 ? 1 : builtins[i].fn(sh, argc, argv);
        restore_fds(saved);
        sh->status = r;
        return;
    }
    char path[PATH_MAX];
    if (!find_program(argv[0], path, sizeof(path))) {
        if (sh->interactive)
            sh_err("sh: %s: command not found", argv[0]);
        else
            sh_err("%s: line %u: %s: command not found", sh->name, sh->line, argv[0]);
        sh->status = 127;
        return;
    }
    sh->status = run_program(cmd, nassign, path);
}

/*
 * main.c - the file tests (../file_tests.c) on a Linux host, to check that their expectations
 * are Linux's. Same commands as ktest: no argument runs every case, NAME... the cases whose
 * names contain one, `case NAME` runs one case in this process. Each case runs in a child
 * (this program again, as `case NAME`) with a 20 s timeout, as in the guest.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../ktest.h"

long pager_spawn(const char *path, const char *const argv[])
{
    (void)path; /* /bin/ktest: this program */
    pid_t pid = fork();
    if (pid == 0) {
        execv("/proc/self/exe", (char *const *)argv);
        _exit(127);
    }
    return pid < 0 ? -1 : pid;
}

long pager_wait(long pid, int *status, int options)
{
    long r = waitpid((pid_t)pid, status, options);
    return r;
}

long kt_run_child(const char *name)
{
    const char *argv[] = {"/bin/ktest", "case", name, NULL};
    long pid = pager_spawn("/bin/ktest", argv);
    if (pid < 0)
        return pid;
    int st = 0;
    long r = pager_wait(pid, &st, 0);
    return r < 0 ? r : st;
}

static const struct ktest *find(const char *name)
{
    for (unsigned i = 0; i < file_tests_count; i++)
        if (!strcmp(file_tests[i].name, name))
            return &file_tests[i];
    return NULL;
}

static int run_one(const struct ktest *t)
{
    const char *argv[] = {"/bin/ktest", "case", t->name, NULL};
    long pid = pager_spawn("/bin/ktest", argv);
    if (pid < 0)
        return 0;
    int st = 0;
    for (int ms = 0;; ms++) {
        if (waitpid((pid_t)pid, &st, WNOHANG) == pid)
            break;
        if (ms > 20000) {
            kill((pid_t)pid, SIGKILL);
            waitpid((pid_t)pid, &st, 0);
            printf("# timed out\n");
            return 0;
        }
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    }
    if (WIFSIGNALED(st)) {
        printf("# killed by signal %d\n", WTERMSIG(st));
        return 0;
    }
    if (WEXITSTATUS(st)) {
        printf("# exit status %d\n", WEXITSTATUS(st));
        return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc >= 3 && !strcmp(argv[1], "case")) {
        const struct ktest *t = find(argv[2]);
        return t ? t->fn() : 2;
    }
    unsigned n = 0, failed = 0;
    for (unsigned i = 0; i < file_tests_count; i++) {
        const struct ktest *t = &file_tests[i];
        int sel = t->name[0] != '_' && argc < 2;
        for (int a = 1; a < argc && t->name[0] != '_'; a++)
            sel |= strstr(t->name, argv[a]) != NULL;
        if (!sel)
            continue;
        int ok = run_one(t);
        failed += !ok;
        printf("%s %u - %s: %s\n", ok ? "ok" : "not ok", ++n, t->name, t->what);
    }
    printf("# %u passed, %u failed\n", n - failed, failed);
    return failed != 0;
}

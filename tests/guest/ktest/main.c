/*
 * main.c - ktest: runs the guest test table as TAP, one child process per test.
 *
 *   ktest                 run every test
 *   ktest NAME...         run the tests whose names contain one of NAME
 *   ktest list            list the tests
 *   ktest case NAME       run one test in this process (what the harness spawns)
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "ktest.h"

#define KT_TIMEOUT_S 20

static const struct ktest *find(const char *name)
{
    for (unsigned i = 0; i < kernel_tests_count; i++)
        if (!strcmp(kernel_tests[i].name, name))
            return &kernel_tests[i];
    return NULL;
}

static bool selected(const struct ktest *t, int argc, char **argv)
{
    if (t->name[0] == '_')
        return false; /* helpers run by other tests */
    if (argc < 2)
        return true;
    for (int i = 1; i < argc; i++)
        if (strstr(t->name, argv[i]))
            return true;
    return false;
}

/* Run one test in a child; returns true on pass. Prints why not. */
static bool run_one(const struct ktest *t)
{
    const char *args[] = {"/bin/ktest", "case", t->name, NULL};
    long pid = pager_spawn("/bin/ktest", args);
    if (pid < 0) {
        printf("# cannot start the test process: error %ld\n", pid);
        return false;
    }
    uint64_t deadline = kt_now() + KT_TIMEOUT_S * kt_hz();
    int status = 0;
    for (;;) {
        long r = pager_wait(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (r < 0) {
            printf("# wait failed: %ld\n", r);
            return false;
        }
        if (kt_now() > deadline) {
            pager_kill(pid, 9);
            pager_wait(pid, &status, 0);
            printf("# timed out after %d s\n", KT_TIMEOUT_S);
            return false;
        }
        sys_yield();
    }
    if (WIFSIGNALED(status)) {
        printf("# killed by signal %d\n", WTERMSIG(status));
        return false;
    }
    if (WEXITSTATUS(status) != 0) {
        printf("# exit status %d\n", WEXITSTATUS(status));
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "case")) {
        const struct ktest *t = find(argv[2]);
        if (!t) {
            printf("# no test named %s\n", argv[2]);
            return 2;
        }
        int r = t->fn();
        fflush(stdout);
        return r;
    }
    if (argc == 2 && !strcmp(argv[1], "list")) {
        for (unsigned i = 0; i < kernel_tests_count; i++)
            printf("%-28s %s\n", kernel_tests[i].name, kernel_tests[i].what);
        return 0;
    }
    unsigned n = 0, failed = 0;
    for (unsigned i = 0; i < kernel_tests_count; i++)
        n += selected(&kernel_tests[i], argc, argv);
    printf("TAP version 13\n1..%u\n", n);
    unsigned k = 0;
    for (unsigned i = 0; i < kernel_tests_count; i++) {
        const struct ktest *t = &kernel_tests[i];
        if (!selected(t, argc, argv))
            continue;
        bool ok = run_one(t);
        failed += !ok;
        printf("%s %u - %s: %s\n", ok ? "ok" : "not ok", ++k, t->name, t->what);
        fflush(stdout);
    }
    printf("# %u passed, %u failed\n", n - failed, failed);
    return failed ? 1 : 0;
}

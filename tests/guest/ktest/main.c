/*
 * main.c - ktest: runs the guest test table as TAP, one child process per test.
 *
 *   ktest                 run every test of the default tables
 *   ktest NAME...         run the tests whose names contain one of NAME (opt-in tables too)
 *   ktest list            list the tests
 *   ktest case NAME       run one test in this process (what the harness spawns)
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "ktest.h"

#define KT_TIMEOUT_S 20

/*
 * The test tables, one per file of tests, seen as one list. An opt-in table runs only when
 * named (`ktest file`): its tests wait for a feature still being written, and the default
 * run (the guest suites) leaves them out until the feature lands.
 */
static const struct {
    const struct ktest *tests;
    const unsigned *count;
    bool optin;
} tables[] = {
    {kernel_tests, &kernel_tests_count, false},
    {maple_tests, &maple_tests_count, false},
    {mm_tests, &mm_tests_count, false},
    {mincore_tests, &mincore_tests_count, false},
    {fs_tests, &fs_tests_count, false},
    {file_tests, &file_tests_count, false},
    /* issue 6, processes */
    {proc_tests, &proc_tests_count, false},
    {exec_tests, &exec_tests_count, false},
    {madvise_tests, &madvise_tests_count, false},
    {layout_tests, &layout_tests_count, false},
    {signal_tests, &signal_tests_count, false},
    {libc_tests, &libc_tests_count, false},
    {shell_tests, &shell_tests_count, false}, /* until exec hands descriptors on (fd_export) */
};

static unsigned total(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
        n += *tables[i].count;
    return n;
}

static const struct ktest *test_at(unsigned k)
{
    for (unsigned i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        if (k < *tables[i].count)
            return &tables[i].tests[k];
        k -= *tables[i].count;
    }
    return NULL;
}

/* Whether test k belongs to an opt-in table. */
static bool optin_at(unsigned k)
{
    for (unsigned i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        if (k < *tables[i].count)
            return tables[i].optin;
        k -= *tables[i].count;
    }
    return false;
}

static const struct ktest *find(const char *name)
{
    for (unsigned i = 0; i < total(); i++)
        if (!strcmp(test_at(i)->name, name))
            return test_at(i);
    return NULL;
}

static bool selected(const struct ktest *t, bool optin, int argc, char **argv)
{
    if (t->name[0] == '_')
        return false; /* helpers run by other tests */
    if (argc < 2)
        return !optin;
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
    /* As init does: orphans the test left behind (reparented to pid 1, which is us when the
     * suite runs as init) are reaped, so that they hold no process slot. */
    int orphan;
    while (pager_wait(-1, &orphan, WNOHANG) > 0)
        ;
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

/*
 * Touch the next 64 KiB of stack below the caller's. Many cases check that the free-frame
 * count comes back exactly; a stack page first touched in the middle of one would be counted
 * as lost. Where the stack starts moves at every exec (ASLR, a random offset within its top
 * pages), so without this, whether a deep call reaches a new page is chance.
 */
static __attribute__((noinline)) void stack_prefault(void)
{
    volatile char depth[64 * 1024];
    for (size_t i = 0; i < sizeof(depth); i += 4096)
        depth[i] = 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "case")) {
        stack_prefault();
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
        for (unsigned i = 0; i < total(); i++)
            printf("%-28s %s\n", test_at(i)->name, test_at(i)->what);
        return 0;
    }
    unsigned n = 0, failed = 0;
    for (unsigned i = 0; i < total(); i++)
        n += selected(test_at(i), optin_at(i), argc, argv);
    printf("TAP version 13\n1..%u\n", n);
    unsigned k = 0;
    for (unsigned i = 0; i < total(); i++) {
        const struct ktest *t = test_at(i);
        if (!selected(t, optin_at(i), argc, argv))
            continue;
        bool ok = run_one(t);
        failed += !ok;
        printf("%s %u - %s: %s\n", ok ? "ok" : "not ok", ++k, t->name, t->what);
        fflush(stdout);
    }
    printf("# %u passed, %u failed\n", n - failed, failed);
    return failed ? 1 : 0;
}

/*
 * pagertest.c - /bin/pagertest [NAME...]: the guest test suite. It becomes /bin/ktest with
 * the same arguments, so `pagertest` runs every test, `pagertest mm_mremap fs` the tests
 * whose names contain one of the words, and `pagertest list` lists them (tests/guest/ktest).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define KTEST "/bin/ktest"

int main(int argc, char **argv)
{
    (void)argc;
    argv[0] = "ktest";
    execv(KTEST, argv);
    fprintf(stderr, "pagertest: %s: %s\n", KTEST, strerror(errno));
    return 127;
}

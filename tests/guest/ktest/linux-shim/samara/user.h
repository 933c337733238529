/*
 * samara/user.h for the Linux host build of file_tests.c (see ../README): the few Samara
 * calls the file tests use, done with fork/exec/waitpid by ../linux-shim/main.c.
 */
#ifndef SAMARA_USER_H_SHIM
#define SAMARA_USER_H_SHIM

long pager_spawn(const char *path, const char *const argv[]);
long pager_wait(long pid, int *status, int options);

#endif

/*
 * sys/resource.h - picolibc's, plus resource limits (struct rlimit, RLIMIT_* with Linux's
 * numbers, getrlimit, setrlimit), which it lacks. resource.c says which limits the system
 * keeps to and which it only records.
 */
#ifndef SAMARA_SYS_RESOURCE_H
#define SAMARA_SYS_RESOURCE_H

#include_next <sys/resource.h>

typedef unsigned long rlim_t;

struct rlimit {
    rlim_t rlim_cur; /* the soft limit */
    rlim_t rlim_max; /* the hard limit: the soft one may not exceed it */
};

#define RLIM_INFINITY (~0ul)

#define RLIMIT_CPU     0
#define RLIMIT_FSIZE   1
#define RLIMIT_DATA    2
#define RLIMIT_STACK   3
#define RLIMIT_CORE    4
#define RLIMIT_RSS     5
#define RLIMIT_NPROC   6
#define RLIMIT_NOFILE  7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS      9
#define RLIM_NLIMITS   16

int getrlimit(int resource, struct rlimit *rlim);
int setrlimit(int resource, const struct rlimit *rlim);

#endif

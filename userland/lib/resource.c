/*
 * resource.c - getrlimit and setrlimit: the process's resource limits, with Linux's defaults.
 *
 * The values are those the system keeps to: RLIMIT_STACK 8 MiB (the pager grows the main
 * stack to 8 MiB, docs/MM.md), RLIMIT_NOFILE the descriptor table's size, RLIMIT_NPROC the
 * process table's (64), RLIMIT_MEMLOCK Linux's 8 MiB default (like root's on Linux, mlock
 * here is not held to it); the others are unlimited. setrlimit checks its arguments as
 * Linux's does (EINVAL for a soft limit above the hard one or an unknown resource; lowering
 * is always allowed, raising as root is) and records the new values for getrlimit, but the
 * pager does not enforce changed limits: a program sees what it set.
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/resource.h>

#include "fd.h"

static struct rlimit resource_limits[RLIM_NLIMITS];
static bool resource_ready;

static void resource_init(void)
{
    for (int i = 0; i < RLIM_NLIMITS; i++)
        resource_limits[i] = (struct rlimit){RLIM_INFINITY, RLIM_INFINITY};
    resource_limits[RLIMIT_STACK].rlim_cur = 8ul << 20;
    resource_limits[RLIMIT_CORE].rlim_cur = 0;
    resource_limits[RLIMIT_NOFILE] = (struct rlimit){FD_MAX, FD_MAX};
    resource_limits[RLIMIT_NPROC] = (struct rlimit){64, 64};
    resource_limits[RLIMIT_MEMLOCK] = (struct rlimit){8ul << 20, 8ul << 20};
    resource_ready = true;
}

int getrlimit(int resource, struct rlimit *rlim)
{
    if (resource < 0 || resource >= RLIM_NLIMITS) {
        errno = EINVAL;
        return -1;
    }
    if (!resource_ready)
        resource_init();
    *rlim = resource_limits[resource];
    return 0;
}

int setrlimit(int resource, const struct rlimit *rlim)
{
    if (resource < 0 || resource >= RLIM_NLIMITS || rlim->rlim_cur > rlim->rlim_max) {
        errno = EINVAL;
        return -1;
    }
    if (!resource_ready)
        resource_init();
    if (resource == RLIMIT_NOFILE && rlim->rlim_max > FD_MAX) {
        errno = EPERM; /* Linux: above the system's table (nr_open) */
        return -1;
    }
    resource_limits[resource] = *rlim;
    return 0;
}

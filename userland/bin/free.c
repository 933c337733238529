/*
 * free.c - /bin/free: the machine's memory in kB, as procps free prints it: total, used,
 * free, shared, buff/cache and available from /proc/meminfo (used = total - free -
 * buff/cache). Samara has no swap: its line is zeros. When /proc/meminfo cannot be read (a
 * pager without it) the totals come from PAGER_FRAMES instead.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <samara/user.h>

struct meminfo {
    unsigned long total, free, available, buffers, cached, shared, swap_total, swap_free;
};

static const struct {
    const char *name;
    size_t off;
} fields[] = {
    {"MemTotal:", offsetof(struct meminfo, total)},
    {"MemFree:", offsetof(struct meminfo, free)},
    {"MemAvailable:", offsetof(struct meminfo, available)},
    {"Buffers:", offsetof(struct meminfo, buffers)},
    {"Cached:", offsetof(struct meminfo, cached)},
    {"Shmem:", offsetof(struct meminfo, shared)},
    {"SwapTotal:", offsetof(struct meminfo, swap_total)},
    {"SwapFree:", offsetof(struct meminfo, swap_free)},
};

/* Read /proc/meminfo into m. Return: 0, or -1 with errno set. */
static int read_meminfo(struct meminfo *m)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return -1;
    char line[128];
    bool any = false;
    m->available = (unsigned long)-1;
    while (fgets(line, sizeof(line), f)) {
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
            size_t n = strlen(fields[i].name);
            if (!strncmp(line, fields[i].name, n)) {
                *(unsigned long *)((char *)m + fields[i].off) = strtoul(line + n, NULL, 10);
                any = true;
            }
        }
    }
    fclose(f);
    if (!any) {
        errno = EIO;
        return -1;
    }
    if (m->available == (unsigned long)-1)
        m->available = m->free;
    return 0;
}

/* The totals from the pager's frame counts (PAGER_FRAMES: w0 free, w1 total). */
static int frames_meminfo(struct meminfo *m)
{
    struct ipc_msg r = ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_FRAMES, 0), 0, 0, 0, 0);
    if (r.err || (long)r.w[0] < 0)
        return -1;
    m->free = m->available = r.w[0] * 4;
    m->total = r.w[1] * 4;
    return 0;
}

int main(void)
{
    struct meminfo m = {0};
    if (read_meminfo(&m) < 0) {
        int e = errno;
        if (frames_meminfo(&m) < 0) {
            fprintf(stderr, "free: /proc/meminfo: %s\n", strerror(e));
            return 1;
        }
    }
    unsigned long cache = m.buffers + m.cached;
    unsigned long used = m.total > m.free + cache ? m.total - m.free - cache : 0;
    printf("%-7s %11s %11s %11s %11s %11s %11s\n", "", "total", "used", "free", "shared",
           "buff/cache", "available");
    printf("%-7s %11lu %11lu %11lu %11lu %11lu %11lu\n", "Mem:", m.total, used, m.free, m.shared,
           cache, m.available);
    printf("%-7s %11lu %11lu %11lu\n", "Swap:", m.swap_total, m.swap_total - m.swap_free,
           m.swap_free);
    return 0;
}

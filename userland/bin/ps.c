/*
 * ps.c - /bin/ps: every process, one a line, as columns PID PPID STATE RSS NAME: the pids are
 * the numeric entries of /proc (the pager's PAGER_PROCLIST), pid, name, state and parent
 * come from /proc/<pid>/stat, RSS (kB) from the VmRSS line of /proc/<pid>/status. A process
 * that exits while ps reads it is left out.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ps_row {
    int pid, ppid;
    char state;
    long rss_kb; /* -1: unknown */
    char name[64];
};

/* The text of path (at most n - 1 bytes) into buf. Return: 0, or -1 (none, or empty). */
static int read_file(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t k = fread(buf, 1, n - 1, f);
    fclose(f);
    buf[k] = 0;
    return k ? 0 : -1;
}

/*
 * Fill row from /proc/<pid>/stat ("pid (name) S ppid ...": the name may hold spaces and
 * parentheses, so it ends at the last ')') and /proc/<pid>/status. Return: 0 or -1.
 */
static int ps_read(int pid, struct ps_row *row)
{
    char path[64], text[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    if (read_file(path, text, sizeof(text)) < 0)
        return -1;
    char *open = strchr(text, '('), *close = strrchr(text, ')');
    if (!open || !close || close < open)
        return -1;
    size_t n = (size_t)(close - open - 1);
    if (n >= sizeof(row->name))
        n = sizeof(row->name) - 1;
    memcpy(row->name, open + 1, n);
    row->name[n] = 0;
    row->pid = pid;
    if (sscanf(close + 1, " %c %d", &row->state, &row->ppid) != 2)
        return -1;
    row->rss_kb = -1;
    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    static char status[2048];
    if (read_file(path, status, sizeof(status)) == 0) {
        char *line = strstr(status, "\nVmRSS:");
        if (line)
            row->rss_kb = strtol(line + 7, NULL, 10);
    }
    return 0;
}

static int by_pid(const void *a, const void *b)
{
    return ((const struct ps_row *)a)->pid - ((const struct ps_row *)b)->pid;
}

int main(void)
{
    DIR *d = opendir("/proc");
    if (!d) {
        fprintf(stderr, "ps: /proc: %s\n", strerror(errno));
        return 1;
    }
    struct ps_row *rows = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            struct ps_row *bigger = realloc(rows, cap * sizeof(*rows));
            if (!bigger)
                break;
            rows = bigger;
        }
        if (ps_read((int)pid, &rows[n]) == 0)
            n++;
    }
    closedir(d);
    qsort(rows, n, sizeof(*rows), by_pid);
    printf("%5s %5s %-5s %8s %s\n", "PID", "PPID", "STATE", "RSS", "NAME");
    for (size_t i = 0; i < n; i++) {
        char rss[24];
        if (rows[i].rss_kb < 0)
            snprintf(rss, sizeof(rss), "-");
        else
            snprintf(rss, sizeof(rss), "%ld", rows[i].rss_kb);
        printf("%5d %5d %-5c %8s %s\n", rows[i].pid, rows[i].ppid, rows[i].state, rss,
               rows[i].name);
    }
    free(rows);
    return 0;
}

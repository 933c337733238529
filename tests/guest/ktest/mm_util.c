/*
 * mm_util.c - reading and parsing /proc/self files for the memory tests, and reservations.
 *
 * Everything here reads through open/read, as any program would, into one static buffer, so
 * that looking at the process does not itself allocate or map memory (a test measuring faults
 * or frames calls a reader once first, to touch the buffer).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sys/wait.h>

#include "ktest.h"
#include "mm_util.h"

#define SLURP_MAX (256u << 10)

static char slurp_buf[SLURP_MAX];

const char *mm_slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    size_t n = 0;
    for (;;) {
        if (n == SLURP_MAX - 1) {
            close(fd);
            return NULL; /* does not fit */
        }
        ssize_t r = read(fd, slurp_buf + n, SLURP_MAX - 1 - n);
        if (r < 0) {
            close(fd);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    slurp_buf[n] = 0;
    if (len)
        *len = n;
    return slurp_buf;
}

/* Parse exactly `width` (or, when width is 0, at least 8) lower-case hex digits. */
static const char *hex(const char *s, const char *end, unsigned width, unsigned long long *v)
{
    unsigned n = 0;
    *v = 0;
    while (s < end && ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'))) {
        *v = *v * 16 + (unsigned)(*s <= '9' ? *s - '0' : *s - 'a' + 10);
        s++;
        n++;
    }
    if (width ? n != width : n < 8)
        return NULL;
    /* %08lx: no leading zero beyond the minimum width */
    if (!width && n > 8 && s[-(long)n] == '0')
        return NULL;
    return s;
}

int mm_parse_maps_line(const char *line, size_t len, struct mm_vma *v)
{
    const char *s = line, *end = line + len;
    unsigned long long a, b, x;
    if (!(s = hex(s, end, 0, &a)) || s >= end || *s++ != '-')
        return -1;
    if (!(s = hex(s, end, 0, &b)) || s >= end || *s++ != ' ')
        return -1;
    if (end - s < 5)
        return -1;
    if ((s[0] != 'r' && s[0] != '-') || (s[1] != 'w' && s[1] != '-') ||
        (s[2] != 'x' && s[2] != '-') || (s[3] != 'p' && s[3] != 's') || s[4] != ' ')
        return -1;
    memcpy(v->perms, s, 4);
    v->perms[4] = 0;
    s += 5;
    if (!(s = hex(s, end, 0, &v->off)) || s >= end || *s++ != ' ')
        return -1;
    if (!(s = hex(s, end, 2, &x)) || s >= end || *s++ != ':')
        return -1;
    v->dev_major = (unsigned)x;
    if (!(s = hex(s, end, 2, &x)) || s >= end || *s++ != ' ')
        return -1;
    v->dev_minor = (unsigned)x;
    if (s >= end || *s < '0' || *s > '9')
        return -1;
    v->inode = 0;
    while (s < end && *s >= '0' && *s <= '9')
        v->inode = v->inode * 10 + (unsigned long)(*s++ - '0');
    /* The header always ends with one space after the inode. */
    if (s >= end || *s++ != ' ')
        return -1;
    v->start = (unsigned long)a;
    v->end = (unsigned long)b;
    v->name[0] = 0;
    if (s == end)
        return 0; /* unnamed: the line ends "0 " */
    /* Named: padded with spaces so that the name starts at column 73. */
    size_t col = (size_t)(s - line);
    while (s < end && *s == ' ')
        s++;
    if ((size_t)(s - line) != (col <= 72 ? 73 : col + 1))
        return -1;
    size_t n = (size_t)(end - s);
    if (n == 0 || n >= sizeof(v->name))
        return -1;
    memcpy(v->name, s, n);
    v->name[n] = 0;
    return 0;
}

int mm_maps(struct mm_vma *v, int max)
{
    size_t len;
    const char *t = mm_slurp("/proc/self/maps", &len);
    if (!t || len == 0 || t[len - 1] != '\n')
        return -1;
    int n = 0;
    for (const char *p = t; *p;) {
        const char *nl = strchr(p, '\n');
        struct mm_vma tmp;
        if (mm_parse_maps_line(p, (size_t)(nl - p), n < max ? &v[n] : &tmp) < 0)
            return -1;
        n++;
        p = nl + 1;
    }
    return n;
}

int mm_map_count(void)
{
    static struct mm_vma all[512];
    int n = mm_maps(all, 512), k = 0;
    if (n < 0 || n > 512)
        return n;
    for (int i = 0; i < n; i++)
        k += !mm_is_gate(&all[i]);
    return k;
}

static struct mm_vma vmas[512];

int mm_vma_at(unsigned long addr, struct mm_vma *out)
{
    int n = mm_maps(vmas, 512);
    for (int i = 0; i < n && i < 512; i++)
        if (vmas[i].start <= addr && addr < vmas[i].end) {
            *out = vmas[i];
            return 0;
        }
    return -1;
}

int mm_vmas_in(unsigned long a, unsigned long b)
{
    int n = mm_maps(vmas, 512), k = 0;
    if (n < 0)
        return -1;
    for (int i = 0; i < n && i < 512; i++)
        k += vmas[i].start < b && vmas[i].end > a;
    return k;
}

/* The smaps lines of the mapping containing addr: [*begin, return) after its header. */
static const char *smaps_block(unsigned long addr, const char **begin)
{
    const char *t = mm_slurp("/proc/self/smaps", NULL);
    if (!t)
        return NULL;
    const char *blk = NULL;
    for (const char *p = t; *p;) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            return NULL;
        struct mm_vma v;
        if (mm_parse_maps_line(p, (size_t)(nl - p), &v) == 0) {
            if (blk)
                return p;
            if (v.start <= addr && addr < v.end) {
                blk = nl + 1;
                *begin = blk;
            }
        }
        p = nl + 1;
    }
    return blk ? t + strlen(t) : NULL;
}

long mm_smaps_field(unsigned long addr, const char *field)
{
    const char *p, *end = smaps_block(addr, &p);
    if (!end)
        return -1;
    size_t fl = strlen(field);
    while (p < end) {
        const char *nl = strchr(p, '\n');
        if (!strncmp(p, field, fl) && p[fl] == ':') {
            const char *v = p + fl + 1;
            while (*v == ' ')
                v++;
            long x = strtol(v, NULL, 10);
            return x;
        }
        p = nl + 1;
    }
    return -1;
}

int mm_smaps_flag(unsigned long addr, const char *flag)
{
    const char *p, *end = smaps_block(addr, &p);
    if (!end)
        return 0;
    while (p < end) {
        const char *nl = strchr(p, '\n');
        if (!strncmp(p, "VmFlags:", 8)) {
            for (const char *f = p + 8; f + 3 <= nl; f += 3)
                if (f[0] == ' ' && f[1] == flag[0] && f[2] == flag[1])
                    return 1;
            return 0;
        }
        p = nl + 1;
    }
    return 0;
}

long mm_status_kb(const char *field)
{
    const char *t = mm_slurp("/proc/self/status", NULL);
    if (!t)
        return -1;
    size_t fl = strlen(field);
    for (const char *p = t; *p;) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            return -1;
        if (!strncmp(p, field, fl) && p[fl] == ':') {
            /* "Name:\t%8lu kB" */
            const char *v = p + fl + 1;
            if (*v++ != '\t' || nl - v < 11 || strncmp(nl - 3, " kB", 3))
                return -1;
            if (nl - 3 - v < 8 || (nl - 3 - v > 8 && *v == ' '))
                return -1;
            char *e;
            long x = strtol(v, &e, 10);
            return e == nl - 3 ? x : -1;
        }
        p = nl + 1;
    }
    return -1;
}

long mm_stat_field(int n)
{
    const char *t = mm_slurp("/proc/self/stat", NULL);
    if (!t)
        return -1;
    /* comm may hold spaces and parentheses: the state follows the last ')'. */
    const char *p = strrchr(t, ')');
    if (!p || p[1] != ' ')
        return -1;
    p += 2; /* field 3, the state */
    for (int f = 3; f < n; f++) {
        p = strchr(p, ' ');
        if (!p)
            return -1;
        p++;
    }
    if (*p < '0' || *p > '9')
        return -1;
    return strtol(p, NULL, 10);
}

void *mm_reserve(size_t pages)
{
    char *p = mmap(NULL, (pages + 2) * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    return p + PG;
}

void mm_unreserve(void *p, size_t pages)
{
    munmap((char *)p - PG, (pages + 2) * PG);
}

int mm_is_zero(const void *p, size_t len)
{
    const volatile unsigned char *c = p;
    for (size_t i = 0; i < len; i++)
        if (c[i])
            return 0;
    return 1;
}

int mm_call_err(int r)
{
    return r == 0 ? 0 : errno;
}

int mm_expect_signal(const char *child, int sig)
{
    long st = kt_run_child(child);
    CHECK(st >= 0);
    if (!WIFSIGNALED(st))
        printf("# %s exited with status %d instead of a signal\n", child, (int)WEXITSTATUS(st));
    CHECK(WIFSIGNALED(st));
    CHECK_EQ(WTERMSIG(st), sig);
    return 0;
}

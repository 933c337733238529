/*
 * mm_util.h - what the memory tests (mm_tests.c) need to look at a process from the inside:
 * /proc/self/{maps,smaps,smaps_rollup,status,stat} read with open/read and parsed, and
 * reservations that give a test an address range no other mapping can touch.
 *
 * The parsers are strict about Linux's text formats (fs/proc/task_mmu.c, array.c): a line
 * that does not match makes the call fail, so a format error shows up as a failed check.
 */
#ifndef MM_UTIL_H
#define MM_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define PG    4096ul
#define HPAGE (2ul << 20)

/* One line of /proc/<pid>/maps. */
struct mm_vma {
    unsigned long start, end;
    char perms[5]; /* "rw-p" */
    unsigned long long off;
    unsigned dev_major, dev_minor;
    unsigned long inode;
    char name[80]; /* "" for unnamed mappings */
};

/*
 * Read a whole file (a /proc file) into a static buffer with open/read, NUL-terminated.
 * Returns the text, or NULL when it cannot be opened or read or does not fit. The buffer is
 * reused by the next call.
 */
const char *mm_slurp(const char *path, size_t *len);

/*
 * Parse one maps line (without the newline) in Linux's exact format:
 * "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu " and, for named mappings, spaces up to column
 * 73 and the name. Returns 0, or -1 when the line is not in that format.
 */
int mm_parse_maps_line(const char *line, size_t len, struct mm_vma *v);

/*
 * Whether a maps line is x86 Linux's [vsyscall] gate page, listed but not a mapping of the
 * process (not in VmSize, the map count or smaps_rollup). Samara has none; the tests skip it
 * so that they also hold on an x86-64 Linux host.
 */
static inline int mm_is_gate(const struct mm_vma *v)
{
    return v->name[0] == '[' && v->name[1] == 'v' && v->name[2] == 's' && v->name[3] == 'y';
}

/* All of /proc/self/maps, parsed into v[0..max); returns the count or -1 (format error). */
int mm_maps(struct mm_vma *v, int max);
/* Number of mappings in /proc/self/maps (gate page excluded), or -1. */
int mm_map_count(void);
/* The mapping containing addr (0) or -1 when none. */
int mm_vma_at(unsigned long addr, struct mm_vma *out);
/* How many mappings intersect [a, b). */
int mm_vmas_in(unsigned long a, unsigned long b);

/*
 * The value of an smaps field ("Rss", "KernelPageSize", ...) of the mapping containing addr,
 * in kB (THPeligible: its plain number). Returns -1 when the mapping or field is missing.
 */
long mm_smaps_field(unsigned long addr, const char *field);
/* 0 when a call returning 0 succeeded, else its errno (for CHECK_EQ against an errno). */
int mm_call_err(int r);
/* Run the child case `child` (kt_run_child) and check that a signal `sig` ended it: 0, or 1
 * with the reason printed, as a test function returns. */
int mm_expect_signal(const char *child, int sig);
/* Whether the VmFlags line of the mapping containing addr holds the two-letter flag. */
int mm_smaps_flag(unsigned long addr, const char *flag);

/* A "Name:\t%8lu kB" field of /proc/self/status, in kB; -1 when missing or malformed. */
long mm_status_kb(const char *field);
/* Numeric field n (1-based, as proc(5) numbers them; n >= 4) of /proc/self/stat; -1 if none. */
long mm_stat_field(int n);

/*
 * A fresh range of `pages` pages bordered by one PROT_NONE page on each side (all of it mapped
 * PROT_NONE): mappings the test makes inside with MAP_FIXED cannot merge with anything else.
 * Returns the first page of the range, or NULL.
 */
void *mm_reserve(size_t pages);
/* Undo mm_reserve (the whole range and its borders). */
void mm_unreserve(void *p, size_t pages);

/* Whether [p, p + len) reads as zero. */
int mm_is_zero(const void *p, size_t len);

#endif

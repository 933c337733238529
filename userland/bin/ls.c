/*
 * ls.c - /bin/ls [-l] [-a] [PATH...]: the entries of each directory (default "."), sorted by
 * name, one a line; a file is listed as itself. Names starting with "." are left out unless
 * -a. With -l each line is "mode links owner group size month day time name", as GNU ls -l
 * (every file belongs to root), after a "total" of 1 KiB blocks for a directory.
 * Exit status: 0, 1 for a minor problem (an entry that cannot be stat'ed), 2 for a path that
 * does not exist, as GNU ls.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static bool opt_long, opt_all;
static int status;

/* "drwxr-xr-x" for mode. */
static void mode_string(mode_t mode, char s[11])
{
    s[0] = S_ISDIR(mode) ? 'd' : S_ISLNK(mode) ? 'l' : S_ISCHR(mode) ? 'c' : '-';
    const char *rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++)
        s[1 + i] = mode & (0400 >> i) ? rwx[i] : '-';
    if (mode & S_ISVTX)
        s[9] = mode & 0001 ? 't' : 'T';
    s[10] = 0;
}

static void print_entry(const char *name, const struct stat *st)
{
    if (!opt_long) {
        printf("%s\n", name);
        return;
    }
    char mode[11], when[16];
    mode_string(st->st_mode, mode);
    time_t t = st->st_mtime;
    struct tm *tm = gmtime(&t);
    if (!tm || !strftime(when, sizeof(when), "%b %e %H:%M", tm))
        snprintf(when, sizeof(when), "?");
    printf("%s %2lu root root %8ld %s %s\n", mode, (unsigned long)st->st_nlink, (long)st->st_size,
           when, name);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of directory path, sorted. */
static void list_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "ls: cannot open directory '%s': %s\n", path, strerror(errno));
        status = 2;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' && !opt_all)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            char **bigger = realloc(names, cap * sizeof(*names));
            if (!bigger)
                break;
            names = bigger;
        }
        names[n] = strdup(e->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof(*names), by_name);
    struct stat *sts = opt_long ? calloc(n ? n : 1, sizeof(*sts)) : NULL;
    if (opt_long) {
        long blocks = 0;
        char full[PATH_MAX];
        for (size_t i = 0; i < n && sts; i++) {
            snprintf(full, sizeof(full), "%s/%s", path, names[i]);
            if (stat(full, &sts[i]) < 0) {
                fprintf(stderr, "ls: cannot access '%s': %s\n", full, strerror(errno));
                status = status ? status : 1;
            }
            blocks += (long)sts[i].st_blocks / 2; /* st_blocks counts 512-byte units */
        }
        printf("total %ld\n", blocks);
    }
    for (size_t i = 0; i < n; i++) {
        print_entry(names[i], sts ? &sts[i] : NULL);
        free(names[i]);
    }
    free(names);
    free(sts);
}

int main(int argc, char **argv)
{
    int first = 1;
    for (; first < argc && argv[first][0] == '-' && argv[first][1]; first++) {
        for (const char *o = argv[first] + 1; *o; o++) {
            if (*o == 'l') {
                opt_long = true;
            } else if (*o == 'a') {
                opt_all = true;
            } else if (*o == '1') {
                continue; /* one a line is all ls does */
            } else {
                fprintf(stderr, "ls: invalid option -- '%c'\nusage: ls [-la1] [PATH...]\n", *o);
                return 2;
            }
        }
    }
    int npaths = argc - first;
    if (npaths == 0) {
        list_dir(".");
        return status;
    }
    for (int i = first; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) < 0) {
            int e = errno;
            DIR *d = opendir(argv[i]); /* /proc is a directory stat does not know */
            if (!d) {
                fprintf(stderr, "ls: cannot access '%s': %s\n", argv[i], strerror(e));
                status = 2;
                continue;
            }
            closedir(d);
            st.st_mode = S_IFDIR;
        }
        if (!S_ISDIR(st.st_mode)) {
            print_entry(argv[i], &st);
            continue;
        }
        if (npaths > 1)
            printf("%s%s:\n", i > first ? "\n" : "", argv[i]);
        list_dir(argv[i]);
    }
    return status;
}

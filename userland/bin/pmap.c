/*
 * pmap.c - /bin/pmap PID...: the memory map of each process, as procps pmap prints it by
 * default: "PID:   command line", then per mapping of /proc/PID/maps its address, size in
 * kB, permissions (r, w, x, s for shared, -) and what it maps (a file's base name, [ stack ],
 * or [ anon ]), and a total line. "self" names pmap itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The command line of pid: /proc/PID/cmdline with its NULs as spaces, or when that cannot be
 * read, the Name of /proc/PID/status in brackets.
 */
static void command_line(const char *pid, char *out, size_t size)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(out, 1, size - 1, f) : 0;
    if (f)
        fclose(f);
    while (n && out[n - 1] == 0)
        n--;
    for (size_t i = 0; i < n; i++)
        if (!out[i])
            out[i] = ' ';
    out[n] = 0;
    if (n)
        return;
    snprintf(path, sizeof(path), "/proc/%s/status", pid);
    f = fopen(path, "r");
    char line[128];
    if (f && fgets(line, sizeof(line), f) && !strncmp(line, "Name:", 5)) {
        char *name = line + 5 + strspn(line + 5, " \t");
        name[strcspn(name, "\n")] = 0;
        snprintf(out, size, "[%s]", name);
    }
    if (f)
        fclose(f);
}

/* What a mapping of maps maps, as pmap names it. */
static const char *mapping_name(const char *name)
{
    if (name[0] == '/') {
        const char *slash = strrchr(name, '/');
        return slash[1] ? slash + 1 : name;
    }
    if (!strcmp(name, "[stack]"))
        return "  [ stack ]";
    return "  [ anon ]";
}

static int pmap_one(const char *pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%s/maps", pid);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "pmap: %s: %s\n", pid, strerror(errno));
        return 1;
    }
    static char cmd[1024];
    command_line(pid, cmd, sizeof(cmd));
    printf("%s:   %s\n", pid, cmd);
    char line[512];
    unsigned long total = 0;
    while (fgets(line, sizeof(line), f)) {
        unsigned long start, end, off;
        char perms[8];
        int at = 0;
        if (sscanf(line, "%lx-%lx %7s %lx %*s %*u %n", &start, &end, perms, &off, &at) < 4)
            continue;
        char *name = at ? line + at : (char *)"";
        name += strspn(name, " ");
        name[strcspn(name, "\n")] = 0;
        char mode[6] = {perms[0], perms[1], perms[2], perms[3] == 's' ? 's' : '-', '-', 0};
        unsigned long kb = (end - start) >> 10;
        total += kb;
        printf("%016lx %6luK %s %s\n", start, kb, mode, mapping_name(name));
    }
    fclose(f);
    printf(" total %16luK\n", total);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: pmap PID...\n");
        return 1;
    }
    int status = 0;
    for (int i = 1; i < argc; i++)
        status |= pmap_one(argv[i]);
    return status;
}

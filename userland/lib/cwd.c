/*
 * cwd.c - the current directory: chdir, fchdir-less getcwd, and cwd_resolve() for the
 * calls that take a path.
 *
 * The file server knows only absolute paths, so the directory lives here, as a normalised
 * absolute path, and each relative path is joined to it and normalised before it is sent.
 * ".." is taken lexically ("/a/b/.." is "/a") and stops at "/": there are no symbolic links
 * on the RAM disk, so that is the directory the kernel's walk would reach, except that a
 * ".." after a component that is not a directory succeeds here where Linux says ENOTDIR.
 * A forked child has a copy of the directory; exec passes it to the new program (cwd_set).
 * fd_absolute() is the name process.c's execve makes a path absolute with.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cwd.h"
#include "fd.h"

static char cwd[PATH_MAX] = "/";

/* Append component [s, s + n) to out (length *len), or drop one for "..". */
static long cwd_push(char *out, size_t size, size_t *len, const char *s, size_t n)
{
    if (n == 0 || (n == 1 && s[0] == '.'))
        return 0;
    if (n == 2 && s[0] == '.' && s[1] == '.') {
        while (*len > 1 && out[*len - 1] != '/')
            (*len)--;
        if (*len > 1)
            (*len)--; /* the slash before it, unless it is the root's */
        out[*len] = 0;
        return 0;
    }
    size_t slash = *len > 1;
    if (*len + slash + n + 1 > size)
        return -ENAMETOOLONG;
    if (slash)
        out[(*len)++] = '/';
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = 0;
    return 0;
}

/* Every component of path appended to out (length *len). */
static long cwd_walk(char *out, size_t size, size_t *len, const char *path)
{
    while (*path) {
        while (*path == '/')
            path++;
        const char *s = path;
        while (*path && *path != '/')
            path++;
        long r = cwd_push(out, size, len, s, (size_t)(path - s));
        if (r)
            return r;
    }
    return 0;
}

long cwd_resolve(const char *path, char *out, size_t size)
{
    if (!path)
        return -EFAULT;
    if (!path[0])
        return -ENOENT;
    if (size < 2)
        return -ENAMETOOLONG;
    size_t len = 1;
    out[0] = '/';
    out[1] = 0;
    long r = path[0] == '/' ? 0 : cwd_walk(out, size, &len, cwd);
    if (!r)
        r = cwd_walk(out, size, &len, path);
    if (r)
        return r;
    /* "dir/", "x/." and the like name a directory: keep a slash for the server's ENOTDIR. */
    size_t n = strlen(path);
    bool dir = path[n - 1] == '/' || !strcmp(path, ".") || !strcmp(path, "..") ||
               (n >= 2 && !strcmp(path + n - 2, "/.")) || (n >= 3 && !strcmp(path + n - 3, "/.."));
    if (dir && len > 1) {
        if (len + 2 > size)
            return -ENAMETOOLONG;
        out[len++] = '/';
        out[len] = 0;
    }
    return (long)len;
}

/* fd_absolute - for execve (process.c): cwd_resolve, with 0 for success. */
long fd_absolute(const char *path, char *out, size_t room)
{
    long r = cwd_resolve(path, out, room);
    return r < 0 ? r : 0;
}

const char *cwd_get(void)
{
    return cwd;
}

long cwd_set(const char *abs)
{
    size_t n = strlen(abs);
    if (n + 1 > sizeof(cwd))
        return -ENAMETOOLONG;
    memcpy(cwd, abs, n + 1);
    return 0;
}

/* chdir - ENOENT, ENOTDIR, ENAMETOOLONG, EFAULT, and what stat answers. */
int chdir(const char *path)
{
    char abs[PATH_MAX];
    long r = cwd_resolve(path, abs, sizeof(abs));
    if (r < 0)
        return (int)posix_errno(r);
    if (r > 1 && abs[r - 1] == '/')
        abs[r - 1] = 0;
    struct stat st;
    if (stat(abs, &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return (int)posix_errno(-ENOTDIR);
    return (int)posix_errno(cwd_set(abs));
}

/*
 * getcwd - the directory into buf (size bytes); with buf NULL, into a malloc'd buffer of size
 * bytes, or of the length needed when size is 0 (as glibc). Errors: EINVAL (size 0 with a
 * buffer), ERANGE (too small), ENOMEM.
 */
char *getcwd(char *buf, size_t size)
{
    size_t n = strlen(cwd) + 1;
    if (buf && size == 0) {
        errno = EINVAL;
        return NULL;
    }
    if (!buf && size == 0)
        size = n;
    if (size < n) {
        errno = ERANGE;
        return NULL;
    }
    char *out = buf ? buf : malloc(size);
    if (!out) {
        errno = ENOMEM;
        return NULL;
    }
    memcpy(out, cwd, n);
    return out;
}

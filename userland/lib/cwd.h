/*
 * cwd.h - the current directory, and relative paths made absolute against it (cwd.c).
 * Internal to libsamara: file.c hands every path to the file server through cwd_resolve().
 */
#ifndef SAMARA_LIB_CWD_H
#define SAMARA_LIB_CWD_H

#include <stddef.h>

/*
 * cwd_resolve - path made absolute against the current directory and normalised ("." and
 * empty components dropped, ".." taking the previous one off, never above "/") into out; a
 * path ending in "/", "/." or "/.." keeps a trailing slash (it must name a directory).
 * Return: its length without the NUL, -EFAULT (path NULL), -ENOENT (path empty, as Linux),
 * -ENAMETOOLONG (it needs more than size bytes with the NUL).
 */
long cwd_resolve(const char *path, char *out, size_t size);

/* The current directory, absolute and normalised. */
const char *cwd_get(void);

/*
 * cwd_set - make abs (absolute, normalised: what cwd_resolve gives) the current directory
 * without checking it. For exec, which carries the directory to the new program.
 * Return: 0, or -ENAMETOOLONG.
 */
long cwd_set(const char *abs);

#endif

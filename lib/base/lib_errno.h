/*
 * lib_errno.h - the error codes the pure libraries under lib/ return (FDT, cpio, ELF).
 *
 * Linux errno values, the same numbers as SAMARA_E* in include/samara/errno.h. The libraries
 * are also built on the host next to a C library's <errno.h>, so each name is defined only
 * where nothing defined it already (the values agree either way).
 */
#ifndef LIB_ERRNO_H
#define LIB_ERRNO_H

#ifndef ENOENT
#define ENOENT 2
#endif
#ifndef E2BIG
#define E2BIG 7
#endif
#ifndef ENOEXEC
#define ENOEXEC 8
#endif
#ifndef EINVAL
#define EINVAL 22
#endif
#ifndef ERANGE
#define ERANGE 34
#endif

#endif

/*
 * dirent.h - directories of the RAM-disk file server (picolibc's own <dirent.h> is an #error
 * stub). opendir/readdir/closedir/rewinddir over FS_GETDENTS, in userland/lib/file.c.
 */
#ifndef SAMARA_DIRENT_H
#define SAMARA_DIRENT_H

#include <stdint.h>
#include <sys/types.h>

/* d_type values: Linux's. */
#define DT_UNKNOWN 0
#define DT_DIR     4
#define DT_REG     8
#define DT_LNK     10

struct dirent {
    ino_t d_ino;
    unsigned char d_type;
    char d_name[256];
};

typedef struct {
    int fd;          /* an O_DIRECTORY descriptor */
    uint64_t cookie; /* where the next entry is (FS_GETDENTS) */
    struct dirent ent;
} DIR;

DIR *opendir(const char *path);
DIR *fdopendir(int fd);
struct dirent *readdir(DIR *d);
void rewinddir(DIR *d);
int closedir(DIR *d);
int dirfd(DIR *d);

#endif

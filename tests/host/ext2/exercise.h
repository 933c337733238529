/*
 * exercise.h - what the corruption test and the fuzzer do with an image that may be corrupt:
 * mount it, look up a set of paths, read every file found, list every directory found (to
 * depth 3), then change it (create, write, truncate, mkdir, rename, unlink, rmdir). Any result
 * is accepted; only a sanitizer report, a crash or a hang is a failure.
 */
#ifndef TESTS_EXT2_EXERCISE_H
#define TESTS_EXT2_EXERCISE_H

#include "ext2/ext2.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *const exercise_paths[] = {
    "/",        "/small",      "/big", "/d1",          "/d1/d2", "/d1/d2/deep", "/many",
    "/many/f3", "/lost+found", "/..",  "/d1/../small", "/nope",  "/small/x",
};

static void exercise_dir(struct ext2_fs *fs, uint32_t dir, int depth)
{
    static uint8_t buf[1 << 16];
    struct ext2_dirent de;
    uint64_t cookie = 0;
    int n = 0;

    while (n++ < 4096 && ext2_readdir(fs, dir, &cookie, &de) == 1) {
        struct ext2_stat st;
        uint32_t ino;

        if (de.name_len <= 2 && de.name[0] == '.')
            continue;
        if (ext2_lookup_at(fs, dir, de.name, de.name_len, &ino) != 0 || ext2_stat(fs, ino, &st))
            continue;
        if ((st.mode & EXT2_S_IFMT) == EXT2_S_IFDIR && depth < 3)
            exercise_dir(fs, ino, depth + 1);
        else
            ext2_read(fs, ino, 0, buf, sizeof(buf));
    }
}

static void exercise(void *image, size_t size)
{
    static uint8_t buf[1 << 16];
    struct ext2_fs fs;
    uint32_t ino, f = 0, d = 0;
    uint64_t off;
    size_t i;

    if (ext2_mount(&fs, image, size, NULL) != 0)
        return;
    for (i = 0; i < sizeof(exercise_paths) / sizeof(exercise_paths[0]); i++) {
        if (ext2_lookup(&fs, exercise_paths[i], &ino) != 0)
            continue;
        ext2_read(&fs, ino, 0, buf, sizeof(buf));
        ext2_read(&fs, ino, 50000, buf, 100);
        ext2_block_of(&fs, ino, 20, &off);
    }
    exercise_dir(&fs, EXT2_ROOT_INO, 0);
    memset(buf, 0x5a, sizeof(buf));
    ext2_set_time(&fs, 1);
    if (ext2_create(&fs, EXT2_ROOT_INO, "zz-new", 0644, &f) == 0) {
        ext2_write(&fs, f, 0, buf, 20000);
        ext2_write(&fs, f, 5u << 20, buf, 10);
        ext2_truncate(&fs, f, 3000);
    }
    ext2_mkdir(&fs, EXT2_ROOT_INO, "zz-dir", 0755, &d);
    ext2_rename(&fs, EXT2_ROOT_INO, "zz-new", d ? d : EXT2_ROOT_INO, "moved");
    ext2_rename(&fs, EXT2_ROOT_INO, "small", EXT2_ROOT_INO, "big");
    ext2_rename(&fs, EXT2_ROOT_INO, "d1", d ? d : EXT2_ROOT_INO, "d1");
    if (ext2_lookup(&fs, "/big", &ino) == 0)
        ext2_truncate(&fs, ino, 1);
    ext2_unlink(&fs, d, "moved");
    ext2_rmdir(&fs, EXT2_ROOT_INO, "zz-dir");
    ext2_unlink(&fs, EXT2_ROOT_INO, "big");
    exercise_dir(&fs, EXT2_ROOT_INO, 0);
}

#endif

/*
 * test_corrupt.c - lib/ext2 on corrupt images (ASan + UBSan): thousands of copies of a valid
 * mke2fs image with random bit flips (mostly in the metadata blocks at the start) and every
 * kind of truncation go through mount, lookup, read, readdir and then changes
 * (exercise.h). Any error or result is fine; a sanitizer report, a crash or a hang (the alarm)
 * is not.
 *
 * Usage: test_corrupt SEED COUNT   (prints TAP)
 */
#include "ext2_test.h"
#include "exercise.h"

#define BS 4096u

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng >> 33) % n;
}

int main(int argc, char **argv)
{
    unsigned long seed = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
    int count = argc > 2 ? atoi(argv[2]) : 3000, i, mounted = 0;
    uint8_t *img, *copy, data[60000];
    struct ext2_fs fs;
    size_t size, len;
    char name[64];

    rng = seed;
    alarm(80); /* a hang is a failure */
    scratch_init();
    stage_dir("st");
    stage_dir("st/d1");
    stage_dir("st/d1/d2");
    stage_dir("st/many");
    fill_pat(data, sizeof(data), 3, 0);
    stage_file("st/small", "hello\n", 6);
    stage_file("st/big", data, sizeof(data)); /* 15 blocks: single-indirect */
    stage_file("st/d1/d2/deep", data, 5000);
    for (i = 0; i < 40; i++) {
        snprintf(name, sizeof(name), "st/many/f%d", i);
        stage_file(name, data, (size_t)i);
    }
    img = make_image("st", BS, 128, "-N 64", &size);
    ok(ext2_mount(&fs, img, size, NULL) == 0, "the unmodified image mounts");

    for (i = 0; i < count; i++) {
        int flips = 1 + (int)rnd(8);

        copy = dup_image(img, size);
        while (flips--) {
            /* Most flips land in the first blocks: superblock, descriptors, bitmaps, inodes,
             * the root directory. */
            size_t at = rnd(4) ? rnd(16 * BS) : rnd((uint32_t)size);

            copy[at] ^= (uint8_t)(1u << rnd(8));
        }
        if (ext2_mount(&fs, copy, size, NULL) == 0)
            mounted++;
        exercise(copy, size);
        free(copy);
    }
    ok(true, "%d images with bit flips (%d mounted), no sanitizer report or hang", count, mounted);

    for (len = 0; len <= size; len += len < 4 * BS ? 512 : BS) {
        copy = dup_image(img, len);
        exercise(copy, len);
        free(copy);
    }
    ok(true, "every truncation of the image at 512-byte and block steps");

    /* Whole fields set to extreme values: sizes, block pointers, rec_lens. */
    for (i = 0; i < count / 4; i++) {
        static const uint32_t vals[] = {0,       1,          2,          0xff, 0xffff,
                                        0x10000, 0x7fffffff, 0xffffffff, 63,   64};
        size_t at = rnd(16 * BS) & ~(size_t)3;
        uint32_t v = vals[rnd(10)];

        copy = dup_image(img, size);
        memcpy(copy + at, &v, rnd(2) ? 4 : 2);
        exercise(copy, size);
        free(copy);
    }
    ok(true, "%d images with a field set to an extreme value", count / 4);
    free(img);
    return tap_done();
}

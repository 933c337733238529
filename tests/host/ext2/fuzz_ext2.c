/*
 * fuzz_ext2.c - libFuzzer target for lib/ext2: the input is the start of a disk image; the
 * rest, up to the size the superblock claims (at most 2 MiB), is zeros, so the committed seeds
 * (mke2fs images with their trailing zeros cut) stay small. The image then goes through
 * mount, lookup, read, readdir and changes (exercise.h).
 *
 * Build: see meson.build (clang -fsanitize=fuzzer,address,undefined).
 */
#include "exercise.h"

#include <stdlib.h>

#define MAX_IMAGE (2u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t want = size;
    uint8_t *img;

    if (size > MAX_IMAGE)
        return 0;
    if (size >= 2048) {
        const uint8_t *sb = data + 1024;
        uint64_t blocks =
            (uint32_t)sb[4] | (uint32_t)sb[5] << 8 | (uint32_t)sb[6] << 16 | (uint32_t)sb[7] << 24;
        uint32_t log = sb[24];

        if (log <= 2 && blocks * (1024u << log) <= MAX_IMAGE && blocks * (1024u << log) > size)
            want = (size_t)(blocks * (1024u << log));
    }
    img = calloc(1, want ? want : 1);
    if (!img)
        return 0;
    memcpy(img, data, size);
    exercise(img, want);
    free(img);
    return 0;
}

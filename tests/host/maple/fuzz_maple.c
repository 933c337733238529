/*
 * fuzz_maple.c - libFuzzer target: the same differential check as test_random.c, driven by the
 * fuzzer's bytes.
 *
 * Input: one mode byte (bit 0: allocation tree; bits 1-2: key scale), then 7-byte operations:
 * kind, and three 16-bit arguments scaled to keys by the mode, so that small inputs reach dense
 * key ranges, the area near 0 and the area near ULONG_MAX. Any disagreement with the model, or
 * an mt_validate() failure, aborts with a message.
 */
#include "diff.h"
#include "host_alloc.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned long scale(unsigned int mode, unsigned int v)
{
    switch (mode & 3) {
    case 0:
        return v & 0x3ff; /* dense */
    case 1:
        return (unsigned long)v << 12; /* page-like */
    case 2:
        return ULONG_MAX - (v & 0x3ff); /* near the top */
    default:
        return (unsigned long)v * 0x0001000100010001ul; /* spread over the whole space */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diff d;
    unsigned int mode;

    if (size < 1)
        return 0;
    mode = data[0];
    diff_init(&d, (mode & 1) ? MT_FLAGS_ALLOC_RANGE : 0, 1);
    data++;
    size--;
    for (; size >= 7; data += 7, size -= 7) {
        unsigned int kind = data[0] % DIFF_KINDS;
        unsigned int a = data[1] | data[2] << 8, b = data[3] | data[4] << 8;
        unsigned int c = data[5] | data[6] << 8;
        unsigned int keys = (mode >> 1) ^ (data[0] >> 6);
        unsigned long arg_c = c;

        if (kind == DIFF_EMPTY_AREA || kind == DIFF_ALLOC_RANGE)
            arg_c = (keys & 3) == 1 ? ((unsigned long)c + 1) << 12 : (unsigned long)c % 64 + 1;
        if (diff_op(&d, (enum diff_kind)kind, scale(keys, a), scale(keys, b), arg_c)) {
            fprintf(stderr, "maple fuzz: %s\n", d.why);
            abort();
        }
    }
    diff_fini(&d);
    if (host_alloc_live() != 0) {
        fprintf(stderr, "maple fuzz: %ld nodes leaked\n", host_alloc_live());
        abort();
    }
    return 0;
}

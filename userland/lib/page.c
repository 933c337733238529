/*
 * page.c - zeroing and copying whole 4 KiB pages, fast.
 *
 * picolibc's memset and memcpy for RV64IMAC are built for size and move a byte at a time
 * (about 4 instructions a byte); these move 8 bytes per store, 8 stores per loop turn, so a
 * page costs about 600 instructions. The pager zeroes or copies a page on most faults.
 */
#include <stdint.h>

#include <samara/user.h>

void page_zero(void *page)
{
    uint64_t *p = page, *end = p + 512;
    for (; p < end; p += 8) {
        p[0] = 0;
        p[1] = 0;
        p[2] = 0;
        p[3] = 0;
        p[4] = 0;
        p[5] = 0;
        p[6] = 0;
        p[7] = 0;
    }
}

void page_copy(void *dst, const void *src)
{
    /* 16 words a turn: the loop's own three instructions are spread over 32 memory ones. */
    uint64_t *d = dst, *end = d + 512;
    const uint64_t *s = src;
    for (; d < end; d += 16, s += 16) {
        uint64_t w[16];
#pragma GCC unroll 16
        for (unsigned k = 0; k < 16; k++)
            w[k] = s[k];
#pragma GCC unroll 16
        for (unsigned k = 0; k < 16; k++)
            d[k] = w[k];
    }
}

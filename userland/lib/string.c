/*
 * string.c - memcpy, memmove and memset a word at a time, for every program.
 *
 * Debian's picolibc is built for size: its memcpy and memset move one byte per loop turn,
 * four instructions a byte. Programs, the file server (a block copy per read and write) and
 * the pager (every VMA it clears) spend much of their time there, so these take their place
 * (libsamara comes before picolibc at link time): eight bytes a turn once the addresses are
 * aligned, bytes only at the ends or when the two addresses can never both be aligned.
 *
 * The loops must not become calls to memcpy or memset themselves: the file is compiled with
 * that pattern recognition off (see the attribute).
 */
#include <stddef.h>
#include <stdint.h>

#define STRING_NO_CALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))

STRING_NO_CALLS void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
        while (n && ((uintptr_t)d & 7)) {
            *d++ = *s++;
            n--;
        }
        uint64_t *dw = (uint64_t *)d;
        const uint64_t *sw = (const uint64_t *)s;
        for (; n >= 32; n -= 32, dw += 4, sw += 4) {
            uint64_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];
            dw[0] = a;
            dw[1] = b;
            dw[2] = c;
            dw[3] = e;
        }
        for (; n >= 8; n -= 8)
            *dw++ = *sw++;
        d = (unsigned char *)dw;
        s = (const unsigned char *)sw;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

STRING_NO_CALLS void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n); /* forwards is safe */
    /* Backwards, from the end. */
    d += n;
    s += n;
    if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
        while (n && ((uintptr_t)d & 7)) {
            *--d = *--s;
            n--;
        }
        for (; n >= 8; n -= 8) {
            d -= 8;
            s -= 8;
            *(uint64_t *)d = *(const uint64_t *)s;
        }
    }
    while (n--)
        *--d = *--s;
    return dst;
}

STRING_NO_CALLS void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n && ((uintptr_t)d & 7)) {
        *d++ = (unsigned char)c;
        n--;
    }
    uint64_t w = (unsigned char)c * 0x0101010101010101ull, *dw = (uint64_t *)d;
    for (; n >= 32; n -= 32, dw += 4) {
        dw[0] = w;
        dw[1] = w;
        dw[2] = w;
        dw[3] = w;
    }
    for (; n >= 8; n -= 8)
        *dw++ = w;
    d = (unsigned char *)dw;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

/*
 * random.c - ChaCha20-based random generator.
 *
 * ChaCha20 (RFC 8439, section 2.3) with the "fast key erasure" construction: each request
 * runs the block function from the current key, uses the first 32 bytes of output as the next
 * key and the rest as output, so a later compromise of the state reveals nothing earlier.
 * Entropy is mixed by XOR into the key followed by one block to diffuse it. Sources: the DTB
 * `rng-seed` (QEMU 7.2 virt gives 32 fresh bytes each boot) and the low bits of rdtime/rdcycle
 * around variable-latency work (weak, but all sifive_u offers; OpenSBI 1.1 does not delegate
 * the Zkr `seed` CSR to S-mode).
 */
#include "random.h"

#include "kernel.h"
#include "arch/riscv/csr.h"

static uint32_t rng_key[8];
static uint64_t rng_counter;

#define ROTL(v, n) (((v) << (n)) | ((v) >> (32 - (n))))
#define QR(a, b, c, d)                                                                             \
    do {                                                                                           \
        a += b;                                                                                    \
        d ^= a;                                                                                    \
        d = ROTL(d, 16);                                                                           \
        c += d;                                                                                    \
        b ^= c;                                                                                    \
        b = ROTL(b, 12);                                                                           \
        a += b;                                                                                    \
        d ^= a;                                                                                    \
        d = ROTL(d, 8);                                                                            \
        c += d;                                                                                    \
        b ^= c;                                                                                    \
        b = ROTL(b, 7);                                                                            \
    } while (0)

static void chacha20_block(const uint32_t key[8], uint64_t counter, uint32_t out[16])
{
    uint32_t s[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
    for (int i = 0; i < 8; i++)
        s[4 + i] = key[i];
    s[12] = (uint32_t)counter;
    s[13] = (uint32_t)(counter >> 32);
    s[14] = s[15] = 0;
    uint32_t x[16];
    memcpy(x, s, sizeof(x));
    for (int i = 0; i < 10; i++) {
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++)
        out[i] = x[i] + s[i];
}

static void rekey(void)
{
    uint32_t blk[16];
    chacha20_block(rng_key, rng_counter++, blk);
    memcpy(rng_key, blk, sizeof(rng_key));
}

void random_mix(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint8_t *k = (uint8_t *)rng_key;
    for (size_t i = 0; i < len; i++) {
        k[i % sizeof(rng_key)] ^= p[i];
        if (i % sizeof(rng_key) == sizeof(rng_key) - 1)
            rekey();
    }
    rekey();
}

void random_mix_jitter(unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        uint64_t t0 = rdtime(), c;
        __asm__ volatile("rdcycle %0" : "=r"(c));
        rekey(); /* variable work between samples */
        uint64_t sample = t0 ^ (c << 17) ^ rdtime();
        random_mix(&sample, sizeof(sample));
    }
}

void random_bytes(void *out, size_t len)
{
    uint8_t *o = out;
    while (len) {
        uint32_t blk[16];
        chacha20_block(rng_key, rng_counter++, blk);
        memcpy(rng_key, blk, sizeof(rng_key));
        size_t n = len < 32 ? len : 32;
        memcpy(o, (uint8_t *)blk + 32, n);
        memset(blk, 0, sizeof(blk));
        o += n;
        len -= n;
    }
}

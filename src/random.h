/*
 * random.h - the kernel's CSPRNG (ChaCha20 with fast key erasure), behind SYS_GETRANDOM.
 */
#ifndef RANDOM_H
#define RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* Mix entropy into the key (the DTB's rng-seed, timer jitter). Any number of times. */
void random_mix(const void *data, size_t len);
/* Mix n samples of timer jitter. */
void random_mix_jitter(unsigned n);
void random_bytes(void *out, size_t len);

#endif

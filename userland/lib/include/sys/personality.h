/*
 * sys/personality.h - personality(2), as Linux's <sys/personality.h> (picolibc has none).
 *
 * The persona is kept by the pager per process, inherited by fork and kept by exec. Of its
 * flags only ADDR_NO_RANDOMIZE does anything here: the next exec gets the fixed layout, with
 * no address-space randomisation (as `setarch -R`).
 */
#ifndef SAMARA_SYS_PERSONALITY_H
#define SAMARA_SYS_PERSONALITY_H

#define PER_LINUX         0x0000
#define ADDR_NO_RANDOMIZE 0x0040000
#define PER_MASK          0x00ff

/* Set the persona (0xffffffff: leave it) and return the previous one. */
int personality(unsigned long persona);

#endif

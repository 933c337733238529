/*
 * root.h - creating the root task (the pager) from the boot image.
 */
#ifndef ROOT_H
#define ROOT_H

#include <stdint.h>

/*
 * Find `pager` in the cpio initrd at physical [base, base+size), load it into fresh frames,
 * give it its capabilities and boot info, and make its thread runnable. Stops the machine
 * with a message if the initrd or the ELF is malformed.
 */
void root_start(uint64_t initrd_pa, uint64_t initrd_size, const char *bootargs,
                uint64_t timebase_hz, unsigned nharts);

#endif

/*
 * board.h - QEMU `virt`: the few facts a device tree cannot give.
 *
 * Everything else (memory, UART, timebase, harts, the test device used for exit codes) comes
 * from the DTB. These are used only when the DTB itself is unusable, to report that with a
 * non-zero exit code, and as the defaults tools/run passes.
 */
#ifndef BOARD_H
#define BOARD_H

#define BOARD_NAME "qemu-virt"
/* sifive,test1 at this address on every QEMU virt: lets a broken-DTB boot exit non-zero. */
#define BOARD_FALLBACK_TEST_DEV 0x100000ul

#endif

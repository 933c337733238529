/*
 * platform.h - what the generic kernel knows about the board, all of it read from the DTB at
 * boot (board.h adds the facts a DTB cannot give), and how to stop the machine.
 */
#ifndef PLATFORM_H
#define PLATFORM_H

#include <stdint.h>

extern uint64_t platform_timebase_hz;
extern uint64_t platform_test_dev; /* physical address of sifive,test1, or 0 */

/*
 * Stop the machine with an exit status: through the test device when there is one (QEMU then
 * exits with that status), else SBI SRST shutdown, else SRST cold reboot (QEMU exits with
 * -no-reboot). Prints "samara: halt, status N" first so a host can read it off the console.
 */
_Noreturn void platform_halt(int status);

#endif

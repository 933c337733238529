/*
 * board.h - SiFive HiFive Unleashed / Unmatched family (QEMU `sifive_u`): the few facts a
 * device tree cannot give.
 *
 * These boards have no test device: a shutdown is an SBI SRST (cold reboot when shutdown is
 * not supported, which QEMU turns into an exit with -no-reboot), and an exit status reaches the
 * host only through the console line "samara: halt, status N".
 */
#ifndef BOARD_H
#define BOARD_H

#define BOARD_NAME              "sifive-u"
#define BOARD_FALLBACK_TEST_DEV 0ul

#endif

/*
 * sbi.h - calls into the Supervisor Binary Interface (OpenSBI) firmware.
 *
 * SBI spec 1.0: `ecall` from S-mode with a7 = extension id (EID), a6 = function id (FID),
 * arguments in a0..a5; the firmware returns an error in a0 and a value in a1. The legacy
 * console putchar (EID 0x01) takes the character in a0 and turns "\n" into "\r\n" itself.
 */
#ifndef ARCH_RISCV_SBI_H
#define ARCH_RISCV_SBI_H

#include <stdint.h>

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_BASE           0x10
#define SBI_EXT_TIME           0x54494d45 /* "TIME" */
#define SBI_EXT_HSM            0x48534d   /* "HSM" */
#define SBI_EXT_SRST           0x53525354 /* "SRST" */

#define SBI_SRST_SHUTDOWN       0
#define SBI_SRST_COLD_REBOOT    1
#define SBI_SRST_REASON_NONE    0
#define SBI_SRST_REASON_FAILURE 1

#define SBI_ERR_NOT_SUPPORTED (-2)

struct sbiret {
    long error;
    long value;
};

struct sbiret sbi_call(long eid, long fid, long a0, long a1, long a2);
void sbi_putchar(char c);
void sbi_set_timer(uint64_t when);
long sbi_probe(long eid);
/* Reset the system; returns only if the firmware refused (with its error). */
long sbi_reset(long type, long reason);

#endif

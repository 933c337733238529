/*
 * uart.h - the console UART named by the DTB: ns16550a (QEMU virt) or sifive,uart0
 * (SiFive FU540/FU740: QEMU sifive_u and the HiFive boards).
 */
#ifndef UART_H
#define UART_H

#include <stdbool.h>
#include <stdint.h>

enum uart_kind { UART_NONE, UART_NS16550A, UART_SIFIVE };

/* Start using the UART whose registers are mapped at kernel address base. */
void uart_init(enum uart_kind kind, volatile void *base, unsigned reg_shift, unsigned io_width);
bool uart_ready(void);
void uart_putc(char c);
/* The next received byte, or -1 when none is waiting (never blocks). */
int uart_getc(void);

#endif

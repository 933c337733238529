/*
 * uart.c - polled output and input on the two UARTs the supported boards have.
 *
 * ns16550a: transmit holding register at offset 0, line status register at 5 (each scaled by
 * reg-shift), LSR bit 5 = THR empty. sifive,uart0 (FU540 manual, chapter 13): txdata at 0x00,
 * bit 31 = FIFO full; OpenSBI has already enabled the transmitter. Input: ns16550a's receive
 * buffer at 0 when LSR bit 0 says data is ready; sifive's rxdata at 0x04, bit 31 = empty. The
 * kernel adds the "\r" before "\n" that a terminal expects, as the SBI console does.
 */
#include "uart.h"

static enum uart_kind uart_kind;
static volatile uint8_t *uart_base;
static unsigned uart_shift, uart_width;

void uart_init(enum uart_kind kind, volatile void *base, unsigned reg_shift, unsigned io_width)
{
    uart_base = base;
    uart_shift = reg_shift;
    uart_width = io_width;
    uart_kind = kind;
    if (kind == UART_SIFIVE)
        ((volatile uint32_t *)base)[3] |= 1; /* rxctrl.rxen: receive */
}

bool uart_ready(void)
{
    return uart_kind != UART_NONE;
}

static uint32_t ns_read(unsigned reg)
{
    volatile uint8_t *p = uart_base + (reg << uart_shift);
    return uart_width == 4 ? *(volatile uint32_t *)p : *p;
}

static void ns_write(unsigned reg, uint32_t v)
{
    volatile uint8_t *p = uart_base + (reg << uart_shift);
    if (uart_width == 4)
        *(volatile uint32_t *)p = v;
    else
        *p = (uint8_t)v;
}

static void uart_putc_raw(char c)
{
    if (uart_kind == UART_NS16550A) {
        while (!(ns_read(5) & 0x20))
            ;
        ns_write(0, (uint8_t)c);
    } else {
        volatile uint32_t *tx = (volatile uint32_t *)uart_base;
        while (*tx & 0x80000000u)
            ;
        *tx = (uint8_t)c;
    }
}

int uart_getc(void)
{
    if (uart_kind == UART_NS16550A)
        return ns_read(5) & 1 ? (int)(ns_read(0) & 0xff) : -1; /* LSR bit 0: data ready */
    if (uart_kind == UART_SIFIVE) {
        uint32_t rx = ((volatile uint32_t *)uart_base)[1]; /* rxdata: bit 31 = empty */
        return rx & 0x80000000u ? -1 : (int)(rx & 0xff);
    }
    return -1;
}

void uart_putc(char c)
{
    if (c == '\n')
        uart_putc_raw('\r');
    uart_putc_raw(c);
}

/*
 * stdio.c - picolibc's standard streams on the console.
 *
 * picolibc's tinystdio calls put() once per character; a line buffer here turns that into one
 * system call per line (or per 256 bytes), and fflush() drains it.
 */
#include <stdio.h>
#include <unistd.h>

static char out_buf[256];
static size_t out_len;

static int console_flush(FILE *f)
{
    (void)f;
    size_t n = out_len;
    out_len = 0;
    if (n)
        write(1, out_buf, n);
    return 0;
}

static int console_put(char c, FILE *f)
{
    out_buf[out_len++] = c;
    if (c == '\n' || out_len == sizeof(out_buf))
        console_flush(f);
    return (unsigned char)c;
}

static int console_get(FILE *f)
{
    (void)f;
    return EOF;
}

static FILE console = FDEV_SETUP_STREAM(console_put, console_get, console_flush, _FDEV_SETUP_RW);

FILE *const stdin = &console;
FILE *const stdout = &console;
FILE *const stderr = &console;

/*
 * stdio.c - picolibc's standard streams over descriptors 0, 1 and 2.
 *
 * picolibc's tinystdio calls put() once per character; a line buffer per output stream turns
 * that into one write() per line (or per 256 bytes), and fflush() drains it. stdin reads
 * descriptor 0 a byte at a time (the console answers end of file; a redirected stdin is a
 * file), so that nothing is read ahead of what a program consumes. Each stream writes its own
 * descriptor: a shell's `2> file` or `> file` separates errors from output, as on Linux.
 */
#include <stdio.h>
#include <unistd.h>

struct stdio_stream {
    FILE file; /* first: the callbacks get &file */
    int fd;
    size_t len;
    char buf[256];
};

static int stream_flush(FILE *f)
{
    struct stdio_stream *s = (struct stdio_stream *)f;
    size_t n = s->len;
    s->len = 0;
    if (n)
        write(s->fd, s->buf, n);
    return 0;
}

static int stream_put(char c, FILE *f)
{
    struct stdio_stream *s = (struct stdio_stream *)f;
    s->buf[s->len++] = c;
    if (c == '\n' || s->len == sizeof(s->buf))
        stream_flush(f);
    return (unsigned char)c;
}

static int stream_get(FILE *f)
{
    struct stdio_stream *s = (struct stdio_stream *)f;
    unsigned char c;
    ssize_t n = read(s->fd, &c, 1);
    return n == 1 ? c : n == 0 ? _FDEV_EOF : _FDEV_ERR;
}

static struct stdio_stream streams[3] = {
    {FDEV_SETUP_STREAM(NULL, stream_get, NULL, _FDEV_SETUP_READ), 0, 0, {0}},
    {FDEV_SETUP_STREAM(stream_put, NULL, stream_flush, _FDEV_SETUP_WRITE), 1, 0, {0}},
    {FDEV_SETUP_STREAM(stream_put, NULL, stream_flush, _FDEV_SETUP_WRITE), 2, 0, {0}},
};

FILE *const stdin = &streams[0].file;
FILE *const stdout = &streams[1].file;
FILE *const stderr = &streams[2].file;

/*
 * echo.c - /bin/echo [-n] [WORD...]: the words, separated by spaces, and a newline (none
 * with -n). The shell has echo as a builtin too; this one is for exec and other programs.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    int i = 1;
    int newline = 1;
    if (argc > 1 && !strcmp(argv[1], "-n")) {
        newline = 0;
        i = 2;
    }
    for (; i < argc; i++)
        printf("%s%s", argv[i], i + 1 < argc ? " " : "");
    if (newline)
        printf("\n");
    fflush(stdout);
    return 0;
}

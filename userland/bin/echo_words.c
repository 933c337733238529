/*
 * echo_words.c - echo's work, shared by /bin/echo and the shell's builtin echo: the words,
 * separated by spaces, and a newline (none with -n).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "echo_words.h"

int echo_words(int argc, char **argv)
{
    int i = 1;
    bool newline = true;
    if (argc > 1 && !strcmp(argv[1], "-n")) {
        newline = false;
        i = 2;
    }
    for (; i < argc; i++)
        printf("%s%s", argv[i], i + 1 < argc ? " " : "");
    if (newline)
        printf("\n");
    fflush(stdout);
    return 0;
}

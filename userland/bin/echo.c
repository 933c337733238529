/*
 * echo.c - /bin/echo [-n] [WORD...]: the words, separated by spaces, and a newline (none
 * with -n). The shell has echo as a builtin too (the same echo_words); this one is for exec
 * and other programs.
 */
#include "echo_words.h"

int main(int argc, char **argv)
{
    return echo_words(argc, argv);
}

/* echo_words.h - echo's work (echo_words.c): print argv[1..] as echo does; returns 0. */
#ifndef SAMARA_ECHO_WORDS_H
#define SAMARA_ECHO_WORDS_H

int echo_words(int argc, char **argv);

#endif

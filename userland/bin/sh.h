/*
 * sh.h - the shell's pieces: sh.c reads and parses lines into commands, sh_run.c runs them
 * (builtins, PATH search, fork + execve + waitpid, redirections, how a child died).
 */
#ifndef SAMARA_SH_H
#define SAMARA_SH_H

#include <stdbool.h>

#define SH_LINE_MAX  4096 /* bytes of one input line */
#define SH_WORDS_MAX 64   /* words of one command */
#define SH_REDIRS    8    /* redirections of one command */

/* One redirection: `[fd]> path`, `[fd]>> path`, `[fd]< path` or `[fd]>&target`. */
struct sh_redir {
    int fd;     /* the descriptor redirected */
    int flags;  /* open flags; 0 with dup_fd >= 0 for `>&` */
    int dup_fd; /* `>&N`: N; otherwise -1 */
    char *path;
};

/* A simple command: words (argv, NULL-ended) and its redirections. */
struct sh_cmd {
    int argc;
    char *argv[SH_WORDS_MAX + 1];
    int nredir;
    struct sh_redir redir[SH_REDIRS];
};

struct sh_state {
    int status;       /* $?: the last command's */
    bool interactive; /* reading a terminal: prompt, and no exit on a syntax error */
    bool exiting;     /* `exit` ran */
    const char *name; /* for messages: "sh", or the script */
    unsigned line;    /* line number of the script, for messages */
};

/* sh_err - "sh: " and the message on standard error (descriptor 2). */
void sh_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* sh_run - run one parsed command (argc > 0 or redirections only); sets sh->status. */
void sh_run(struct sh_state *sh, struct sh_cmd *cmd);

/*
 * sh_signal_name - what bash prints for a child killed by signal sig (picolibc's number, as
 * waitpid gives it; NULL: nothing), and in *linux_sig its Linux number, for $?.
 */
const char *sh_signal_name(int sig, int *linux_sig);

#endif

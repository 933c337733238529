/*
 * sh.c - /bin/sh: a small POSIX-flavoured shell, enough to live in.
 *
 *   sh                 read commands from standard input (prompt "samara$ " on a terminal)
 *   sh FILE [ARG...]   run the script FILE
 *   sh -c "COMMANDS"   run COMMANDS
 *
 * A line holds commands separated by `;`. A command is words with redirections: `> file`,
 * `>> file`, `< file`, `N> file`, `N>&M`. Words are split on blanks; '...' quotes literally,
 * "..." quotes with $ expansion, \ escapes one character; $? $$ $NAME ${NAME} expand (every
 * variable is in the environment); `#` at the start of a word comments out the rest of the
 * line. `NAME=VALUE` alone sets a variable; before a program, sets it for that program only.
 * What runs commands (builtins cd, exit, echo, pwd, export; programs found through PATH) is in
 * sh_run.c.
 *
 * This file reads lines (with read(), not stdio: a script is a descriptor of its own and
 * standard input may be redirected) and parses them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sh.h"

void sh_err(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof(buf) - 2)
        n = (int)sizeof(buf) - 2;
    buf[n++] = '\n';
    fflush(stdout); /* keep the order of what was printed before */
    write(2, buf, (size_t)n);
}

/* ---- input ------------------------------------------------------------------------------ */

/* A line source: a descriptor read in blocks, or a string (-c). */
struct sh_input {
    int fd; /* -1: the string */
    const char *str;
    char buf[512];
    size_t pos, len;
};

static int input_getc(struct sh_input *in)
{
    if (in->fd < 0)
        return *in->str ? (unsigned char)*in->str++ : -1;
    if (in->pos == in->len) {
        ssize_t n = read(in->fd, in->buf, sizeof(in->buf));
        if (n <= 0)
            return -1;
        in->pos = 0;
        in->len = (size_t)n;
    }
    return (unsigned char)in->buf[in->pos++];
}

/*
 * The next line (without its newline) into line. Return: 1 for a line, 0 at the end of the
 * input, -1 for a line longer than SH_LINE_MAX (skipped).
 */
static int input_line(struct sh_input *in, char *line)
{
    size_t n = 0;
    int c;
    bool any = false, toolong = false;
    while ((c = input_getc(in)) >= 0) {
        any = true;
        if (c == '\n')
            break;
        if (n + 1 < SH_LINE_MAX)
            line[n++] = (char)c;
        else
            toolong = true;
    }
    line[n] = 0;
    if (!any)
        return 0;
    return toolong ? -1 : 1;
}

/* ---- parsing ---------------------------------------------------------------------------- */

/* Where the words of one command are built: expansion may make them longer than the line. */
struct sh_words {
    char store[2 * SH_LINE_MAX];
    size_t used;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static bool ends_word(char c)
{
    return !c || is_blank(c) || c == ';' || c == '>' || c == '<';
}

static bool is_name_char(char c, bool first)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (!first && c >= '0' && c <= '9');
}

static bool put_char(struct sh_words *w, char c)
{
    if (w->used + 1 >= sizeof(w->store))
        return false;
    w->store[w->used++] = c;
    return true;
}

static bool put_str(struct sh_words *w, const char *s)
{
    while (*s)
        if (!put_char(w, *s++))
            return false;
    return true;
}

/* Expand the $ at **pp (moving past what it names). Return: false when out of room. */
static bool expand(struct sh_state *sh, const char **pp, struct sh_words *w)
{
    const char *p = *pp + 1;
    char num[24];
    if (*p == '?' || *p == '$') {
        snprintf(num, sizeof(num), "%d", *p == '?' ? sh->status : (int)getpid());
        *pp = p + 1;
        return put_str(w, num);
    }
    bool brace = *p == '{';
    const char *s = p + brace;
    const char *e = s;
    while (is_name_char(*e, e == s))
        e++;
    if (e == s || (brace && *e != '}')) {
        *pp = p; /* not a name: the $ is literal */
        return put_char(w, '$');
    }
    char name[128];
    size_t n = (size_t)(e - s) < sizeof(name) - 1 ? (size_t)(e - s) : sizeof(name) - 1;
    memcpy(name, s, n);
    name[n] = 0;
    *pp = e + brace;
    const char *v = getenv(name);
    return put_str(w, v ? v : "");
}

/*
 * One word at *pp into w (NUL-terminated). *word is it, or NULL when it expanded to nothing
 * without quotes (it is then no word, as in sh). Return: 0, or -1 for a syntax error (an
 * unterminated quote, a line too long), reported.
 */
static int parse_word(struct sh_state *sh, const char **pp, struct sh_words *w, char **word)
{
    const char *p = *pp;
    size_t start = w->used;
    bool quoted = false, ok = true;
    while (ok && !ends_word(*p)) {
        if (*p == '\'') {
            const char *e = strchr(p + 1, '\'');
            if (!e) {
                sh_err("%s: line %u: unexpected end of line: missing '", sh->name, sh->line);
                return -1;
            }
            for (p++; ok && p < e; p++)
                ok = put_char(w, *p);
            p = e + 1;
            quoted = true;
        } else if (*p == '"') {
            for (p++; ok && *p && *p != '"';) {
                if (*p == '\\' && p[1] && strchr("\"\\$`", p[1])) {
                    ok = put_char(w, p[1]);
                    p += 2;
                } else if (*p == '$') {
                    ok = expand(sh, &p, w);
                } else {
                    ok = put_char(w, *p++);
                }
            }
            if (ok && *p != '"') {
                sh_err("%s: line %u: unexpected end of line: missing \"", sh->name, sh->line);
                return -1;
            }
            p++;
            quoted = true;
        } else if (*p == '\\') {
            if (p[1])
                ok = put_char(w, p[1]);
            p += p[1] ? 2 : 1;
            quoted = true;
        } else if (*p == '$') {
            ok = expand(sh, &p, w);
        } else {
            ok = put_char(w, *p++);
        }
    }
    if (!ok || !put_char(w, 0)) {
        sh_err("%s: line %u: line too long after expansion", sh->name, sh->line);
        return -1;
    }
    *pp = p;
    *word = quoted || w->store[start] ? &w->store[start] : NULL;
    return 0;
}

/*
 * A redirection at *pp (an optional descriptor digit, then > >> < or >&) into cmd.
 * Return: 0, or -1 for a syntax error (reported).
 */
static int parse_redir(struct sh_state *sh, const char **pp, struct sh_words *w, struct sh_cmd *cmd)
{
    const char *p = *pp;
    struct sh_redir r = {-1, 0, -1, NULL};
    if (*p >= '0' && *p <= '9')
        r.fd = *p++ - '0';
    if (*p == '<') {
        r.fd = r.fd < 0 ? 0 : r.fd;
        r.flags = O_RDONLY;
        p++;
    } else {
        r.fd = r.fd < 0 ? 1 : r.fd;
        r.flags = O_WRONLY | O_CREAT | (p[1] == '>' ? O_APPEND : O_TRUNC);
        p += p[1] == '>' ? 2 : 1;
        if (*p == '&' && p[1] >= '0' && p[1] <= '9' && ends_word(p[2])) {
            r.dup_fd = p[1] - '0';
            r.flags = 0;
            p += 2;
        }
    }
    if (r.dup_fd < 0) {
        while (is_blank(*p))
            p++;
        if (ends_word(*p) || *p == '#') {
            sh_err("%s: line %u: syntax error: redirection without a file name", sh->name,
                   sh->line);
            return -1;
        }
        if (parse_word(sh, &p, w, &r.path) < 0)
            return -1;
        if (!r.path) {
            sh_err("%s: line %u: ambiguous redirect", sh->name, sh->line);
            return -1;
        }
    }
    if (cmd->nredir == SH_REDIRS) {
        sh_err("%s: line %u: too many redirections", sh->name, sh->line);
        return -1;
    }
    cmd->redir[cmd->nredir++] = r;
    *pp = p;
    return 0;
}

/*
 * Run every command of line. Return: 0, or -1 after a syntax error (the rest of the line is
 * not run, as sh).
 */
static int sh_line(struct sh_state *sh, const char *line)
{
    static struct sh_words w;
    static struct sh_cmd cmd;
    const char *p = line;
    for (;;) {
        w.used = 0;
        memset(&cmd, 0, sizeof(cmd));
        for (;;) {
            while (is_blank(*p))
                p++;
            if (!*p || *p == '#' || *p == ';')
                break;
            bool redir =
                *p == '>' || *p == '<' || (*p >= '0' && *p <= '9' && (p[1] == '>' || p[1] == '<'));
            if (redir) {
                if (parse_redir(sh, &p, &w, &cmd) < 0)
                    return -1;
                continue;
            }
            char *word;
            if (parse_word(sh, &p, &w, &word) < 0)
                return -1;
            if (!word)
                continue;
            if (cmd.argc == SH_WORDS_MAX) {
                sh_err("%s: line %u: too many words", sh->name, sh->line);
                return -1;
            }
            cmd.argv[cmd.argc++] = word;
        }
        if (*p == ';' && cmd.argc == 0 && cmd.nredir == 0) {
            sh_err("%s: line %u: syntax error near unexpected token `;'", sh->name, sh->line);
            return -1;
        }
        if (cmd.argc || cmd.nredir)
            sh_run(sh, &cmd);
        if (sh->exiting || *p != ';')
            return 0;
        p++;
    }
}

/* Read and run every line of in. */
static void sh_loop(struct sh_state *sh, struct sh_input *in)
{
    static char line[SH_LINE_MAX];
    for (;;) {
        if (sh->interactive) {
            fflush(stdout);
            write(2, "samara$ ", 8);
        }
        int r = input_line(in, line);
        if (r == 0)
            break;
        sh->line++;
        if (r < 0) {
            sh_err("%s: line %u: line too long", sh->name, sh->line);
            sh->status = 2;
        } else if (sh_line(sh, line) < 0) {
            sh->status = 2;
            if (!sh->interactive)
                return; /* a script stops at a syntax error, as dash */
        }
        if (sh->exiting)
            return;
    }
    if (sh->interactive)
        write(2, "\n", 1);
}

int main(int argc, char **argv)
{
    static struct sh_input in;
    struct sh_state sh = {0, false, false, "sh", 0};
    if (!getenv("PATH"))
        setenv("PATH", "/bin:/sbin", 1);
    in.fd = 0;
    if (argc >= 2 && !strcmp(argv[1], "-c")) {
        if (argc < 3) {
            sh_err("sh: -c: option requires an argument");
            return 2;
        }
        in.fd = -1;
        in.str = argv[2];
    } else if (argc >= 2) {
        in.fd = open(argv[1], O_RDONLY);
        if (in.fd < 0) {
            sh_err("sh: %s: %s", argv[1], strerror(errno));
            return 127;
        }
        sh.name = argv[1];
    } else {
        sh.interactive = isatty(0);
    }
    sh_loop(&sh, &in);
    fflush(stdout);
    return sh.status;
}

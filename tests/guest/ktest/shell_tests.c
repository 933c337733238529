/*
 * shell_tests.c - /bin/sh and the programs of /bin, driven the way a user would (issue 6).
 *
 * Each test writes a script (or a -c string), runs /bin/sh on it in a child whose standard
 * output and error go to one file, and compares the file with what bash would print, and
 * the shell's exit status with the expected one. The programs the scripts run are the real
 * ones of /bin, found through PATH, started with fork + execve and waited for.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktest.h"

#define SH_DIR "/tmp/shtest"
#define SH_OUT "/tmp/shtest.out"

static char sh_buf[4096];

/* Write text to path. Return: 0 or -1. */
static int sh_write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    size_t n = strlen(text);
    int r = write(fd, text, n) == (ssize_t)n ? 0 : -1;
    close(fd);
    return r;
}

/* The text of path into sh_buf. Return: its length, or -1. */
static long sh_read_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    long n = 0, r;
    while ((r = read(fd, sh_buf + n, sizeof(sh_buf) - 1 - (size_t)n)) > 0)
        n += r;
    close(fd);
    sh_buf[n] = 0;
    return n;
}

/*
 * Run /bin/sh with argv (after "sh") with standard output and error into SH_OUT, in
 * directory dir. Return: its wait status, or -1. SH_OUT's text is in sh_buf afterwards.
 */
static int sh_run(const char *dir, char *const args[])
{
    char *argv[8] = {"sh"};
    for (int i = 0; i < 6 && args[i]; i++)
        argv[i + 1] = args[i];
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* O_APPEND: the shell and its children each keep their own offset (the C library
         * keeps it, and a description is not shared between processes yet). */
        int fd = open(SH_OUT, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
        if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0 || chdir(dir) < 0)
            _exit(120);
        close(fd);
        execv("/bin/sh", argv);
        _exit(121);
    }
    int st = 0;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    if (sh_read_file(SH_OUT) < 0)
        return -1;
    return st;
}

/* Compare the output with want; print both when they differ. Return: 0 when equal. */
static int sh_expect(const char *want)
{
    if (!strcmp(sh_buf, want))
        return 0;
    printf("# got:\n");
    for (char *line = strtok(sh_buf, "\n"); line; line = strtok(NULL, "\n"))
        printf("#   |%s\n", line);
    printf("# expected:\n");
    char copy[sizeof(sh_buf)];
    snprintf(copy, sizeof(copy), "%s", want);
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n"))
        printf("#   |%s\n", line);
    return 1;
}

/* A child for the scripts to run: dies of SIGSEGV. */
static int t_segv_helper(void)
{
    volatile uintptr_t bad = 16;
    *(volatile int *)bad = 1;
    return 0;
}

static const char script[] = "# a comment, and a blank line\n"
                             "\n"
                             "echo hello   world\n"
                             "/bin/echo prog 'a  b' \"c $?\" # words, quotes, $?\n"
                             "cd " SH_DIR "\n"
                             "pwd\n"
                             "echo first > out.txt\n"
                             "echo second >> out.txt\n"
                             "cat out.txt\n"
                             "ls > list.txt\n"
                             "cat list.txt\n"
                             "ktest case _shell_segv\n"
                             "echo status $?\n"
                             "nosuchprogram\n"
                             "echo status $?\n"
                             "cd /nonexistent\n"
                             "echo status $?\n"
                             "cat missing.txt\n"
                             "echo status $?\n"
                             "exit 7\n"
                             "echo not reached\n";

static const char script_out[] =
    "hello world\n"
    "prog a  b c 0\n" SH_DIR "\n"
    "first\n"
    "second\n"
    "list.txt\n"
    "out.txt\n"
    "script.sh\n"
    "Segmentation fault\n"
    "status 139\n" SH_DIR "/script.sh: line 14: nosuchprogram: command not found\n"
    "status 127\n"
    "sh: cd: /nonexistent: No such file or directory\n"
    "status 1\n"
    "cat: missing.txt: No such file or directory\n"
    "status 1\n";

/* A script: echo, a program with arguments, cd and pwd, > and >> then cat, ls, a child
 * killed by SIGSEGV, a missing program, failing cd and cat, exit with a status. */
static int t_shell_script(void)
{
    mkdir(SH_DIR, 0755);
    CHECK(sh_write_file(SH_DIR "/script.sh", script) == 0);
    char *args[] = {SH_DIR "/script.sh", NULL};
    int st = sh_run("/", args);
    CHECK(st >= 0);
    CHECK(sh_expect(script_out) == 0);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 7);
    return 0;
}

/* sh -c: `;`, variables and their expansion, a relative path from the inherited directory,
 * 2> (errors apart from output) and 2>&1, and the status of the last command. */
static int t_shell_c(void)
{
    mkdir(SH_DIR, 0755);
    CHECK(sh_write_file(SH_DIR "/note", "a note\n") == 0);
    char *args[] = {"-c",
                    "X=two; echo one $X \"${X}s\" '$X'; cat note; pwd; "
                    "cat nothing 2> err.txt; echo [; cat err.txt; echo ]; cat nothing 2>&1; "
                    "A=1 /bin/echo $A; exit",
                    NULL};
    int st = sh_run(SH_DIR, args);
    CHECK(st >= 0);
    CHECK(sh_expect("one two twos $X\n"
                    "a note\n" SH_DIR "\n"
                    "[\n"
                    "cat: nothing: No such file or directory\n"
                    "]\n"
                    "cat: nothing: No such file or directory\n"
                    "\n") == 0);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 0);
    return 0;
}

/* ps, free and pmap of the shell itself: their headers and a line each. */
static int t_shell_tools(void)
{
    char *args[] = {"-c", "ps; free; pmap $$", NULL};
    int st = sh_run("/", args);
    CHECK(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    const char *want[] = {"  PID  PPID STATE      RSS NAME\n",
                          " sh\n",
                          " ps\n",
                          "Mem:",
                          "Swap:",
                          ":   ",
                          "[ stack ]",
                          " total "};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        if (!strstr(sh_buf, want[i])) {
            printf("# no \"%s\" in:\n", want[i]);
            for (char *line = strtok(sh_buf, "\n"); line; line = strtok(NULL, "\n"))
                printf("#   |%s\n", line);
            return 1;
        }
    }
    return 0;
}

const struct ktest shell_tests[] = {
    {"_shell_segv", t_segv_helper, "helper: dies of SIGSEGV"},
    {"shell_script", t_shell_script, "sh FILE: echo, programs, cd, redirection, signals, exit"},
    {"shell_c", t_shell_c, "sh -c: ;, variables, inherited directory, 2> and 2>&1"},
    {"shell_tools", t_shell_tools, "ps, free and pmap through the shell"},
};
const unsigned shell_tests_count = sizeof(shell_tests) / sizeof(shell_tests[0]);

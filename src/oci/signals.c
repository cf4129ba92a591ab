#include "oci/signals.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cleanup.h"

/* Canonical names first: signal_name() returns the first entry for a number. */
static const struct {
        const char *name; /* without "SIG" */
        int signo;
} signal_table[] = {
    {"HUP", SIGHUP},
    {"INT", SIGINT},
    {"QUIT", SIGQUIT},
    {"ILL", SIGILL},
    {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT},
    {"BUS", SIGBUS},
    {"FPE", SIGFPE},
    {"KILL", SIGKILL},
    {"USR1", SIGUSR1},
    {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE},
    {"ALRM", SIGALRM},
    {"TERM", SIGTERM},
#ifdef SIGSTKFLT
    {"STKFLT", SIGSTKFLT},
#endif
    {"CHLD", SIGCHLD},
    {"CONT", SIGCONT},
    {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU},
    {"URG", SIGURG},
    {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ},
    {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},
    {"IO", SIGIO},
#ifdef SIGPWR
    {"PWR", SIGPWR},
#endif
    {"SYS", SIGSYS},
#ifdef SIGEMT
    {"EMT", SIGEMT},
#endif
    /* aliases */
    {"IOT", SIGIOT},
    {"CLD", SIGCHLD},
    {"POLL", SIGPOLL},
};

/* Strict decimal: digits only, no sign, no overflow. */
static int parse_decimal(const char *s, long max, long *out)
{
        if (*s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        char *end;
        long v = strtol(s, &end, 10);
        if (errno || *end || v > max)
                return -EINVAL;
        *out = v;
        return 0;
}

/* "RTMIN", "RTMIN+n", "RTMAX", "RTMAX-n" (prefix already stripped). */
static int parse_realtime(const char *s, int *signo)
{
        int rtmin = SIGRTMIN, rtmax = SIGRTMAX;
        long n = 0;
        if (!strncasecmp(s, "RTMIN", 5)) {
                s += 5;
                if (*s && (*s != '+' || parse_decimal(s + 1, rtmax - rtmin, &n) < 0))
                        return -EINVAL;
                *signo = rtmin + (int)n;
                return 0;
        }
        if (!strncasecmp(s, "RTMAX", 5)) {
                s += 5;
                if (*s && (*s != '-' || parse_decimal(s + 1, rtmax - rtmin, &n) < 0))
                        return -EINVAL;
                *signo = rtmax - (int)n;
                return 0;
        }
        return -EINVAL;
}

int signal_parse(const char *s, int *signo, struct error **err)
{
        if (!s)
                return error_set(err, 0, "unknown signal \"\"");
        long v;
        if (*s >= '0' && *s <= '9') {
                if (parse_decimal(s, INT_MAX, &v) < 0)
                        return error_set(err, 0, "unknown signal \"%s\"", s);
                *signo = (int)v;
                return 0;
        }
        const char *name = !strncasecmp(s, "SIG", 3) ? s + 3 : s;
        for (size_t i = 0; i < ARRAY_SIZE(signal_table); i++)
                if (!strcasecmp(name, signal_table[i].name)) {
                        *signo = signal_table[i].signo;
                        return 0;
                }
        if (parse_realtime(name, signo) == 0)
                return 0;
        return error_set(err, 0, "unknown signal \"%s\"", s);
}

const char *signal_name(int signo, char buf[SIGNAL_NAME_MAX])
{
        for (size_t i = 0; i < ARRAY_SIZE(signal_table); i++)
                if (signal_table[i].signo == signo) {
                        snprintf(buf, SIGNAL_NAME_MAX, "SIG%s", signal_table[i].name);
                        return buf;
                }
        if (signo == SIGRTMIN)
                return strcpy(buf, "SIGRTMIN");
        if (signo > SIGRTMIN && signo <= SIGRTMAX) {
                snprintf(buf, SIGNAL_NAME_MAX, "SIGRTMIN+%d", signo - SIGRTMIN);
                return buf;
        }
        return NULL;
}

/* Signal names <-> numbers for `kill` (and hooks/stopSignal users). Pure and table-driven. */
#pragma once
#include "core/error.h"

/* Accepts a decimal number (not range-checked: the kernel rejects invalid ones, as with crun and runc),
 * a name with or without the SIG prefix in any case ("KILL", "sigkill", "SIGKILL"), "RTMIN", "RTMAX",
 * "RTMIN+n" and "RTMAX-n" (within the real-time range). Error: unknown signal "FOO". */
int signal_parse(const char *s, int *signo, struct error **err);
/* Canonical name ("SIGKILL", "SIGRTMIN+3") written into buf and returned; NULL when signo is no signal. */
#define SIGNAL_NAME_MAX 16
const char *signal_name(int signo, char buf[SIGNAL_NAME_MAX]);

/* For tests of code that changes process-wide state (rlimits, credentials, capabilities, fds, the root):
 * each case runs in a forked child, which reports its first failed check on a pipe to the test runner. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* In the child: the pipe to the runner (moved to fd 100 or above, out of the way of the fds tests dup2). */
extern int child_report_fd;

/* In the child: report and exit on the first failed expectation. */
void child_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
#define EXPECT(cond, ...)                                                                                              \
        do {                                                                                                           \
                if (!(cond))                                                                                           \
                        child_fail(__VA_ARGS__);                                                                       \
        } while (0)
/* `err` by address: the call filling it may be an argument of the same call (unspecified evaluation order). */
void expect_ok(int r, struct error **errp, const char *what);
void expect_error(int r, struct error **errp, int errnum, const char *msg);

/* Run `fn` in a forked child; fails the cmocka test with the child's report. */
void run_in_child(void (*fn)(void));

/* The value of a "Key:\t..." line of /proc/self/status, whitespace-trimmed, in buf. */
char *status_field(const char *key, char *buf, size_t size);
bool has_cap_sys_resource(void);

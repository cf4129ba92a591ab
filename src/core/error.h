/* Errors are values: a failing function fills a struct error and returns a negative int.
 * Context is prepended as the error travels up ("create: rootfs: mount `/proc`: ..."); only main prints. */
#pragma once
#include <stdarg.h>

struct error {
        int errnum; /* errno value, 0 when the message says it all */
        char *msg;  /* heap-allocated, never NULL once set */
};

/* Each returns a negative value (-errnum, or -1 when errnum is 0) so callers can `return error_set(...)`. */
int error_set(struct error **err, int errnum, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Like error_set with errnum = errno. */
int error_sys(struct error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prepend "context: " to an existing error; returns the error's negative status. */
int error_prefix(struct error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int error_vset(struct error **err, int errnum, const char *fmt, va_list ap);
/* The negative status of an error (for re-returning it). */
int error_status(const struct error *err);
/* "msg: strerror(errnum)" or "msg"; caller frees. */
char *error_text(const struct error *err);
void error_free(struct error **err);

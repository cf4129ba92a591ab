
#include "core/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int status_of(int errnum)
{
        return errnum > 0 ? -errnum : -1;
}

int error_vset(struct error **err, int errnum, const char *fmt, va_list ap)
{
        char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        if (err) {
                error_free(err);
                struct error *e = calloc(1, sizeof(*e));
                if (e) {
                        e->errnum = errnum;
                        e->msg = msg ? msg : strdup("out of memory");
                        *err = e;
                        msg = NULL;
                }
        }
        free(msg);
        return status_of(errnum);
}

int error_set(struct error **err, int errnum, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int r = error_vset(err, errnum, fmt, ap);
        va_end(ap);
        return r;
}

int error_sys(struct error **err, const char *fmt, ...)
{
        int errnum = errno;
        va_list ap;
        va_start(ap, fmt);
        int r = error_vset(err, errnum, fmt, ap);
        va_end(ap);
        return r;
}

int error_prefix(struct error **err, const char *fmt, ...)
{
        if (!err || !*err)
                return -1;
        char *ctx = NULL, *joined = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&ctx, fmt, ap);
        va_end(ap);
        if (n >= 0 && asprintf(&joined, "%s: %s", ctx, (*err)->msg) >= 0) {
                free((*err)->msg);
                (*err)->msg = joined;
        }
        if (n >= 0)
                free(ctx);
        return status_of((*err)->errnum);
}

int error_status(const struct error *err)
{
        return err ? status_of(err->errnum) : 0;
}

char *error_text(const struct error *err)
{
        char *s = NULL;
        if (!err)
                return strdup("unknown error");
        if (err->errnum > 0) {
                if (asprintf(&s, "%s: %s", err->msg, strerror(err->errnum)) < 0)
                        return NULL;
                return s;
        }
        return strdup(err->msg);
}

void error_free(struct error **err)
{
        if (!err || !*err)
                return;
        free((*err)->msg);
        free(*err);
        *err = NULL;
}

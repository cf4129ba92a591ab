
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fs.h"
#include "core/utf8.h"

static struct {
        int fd; /* -1: stderr only */
        enum log_format format;
        enum log_level level;
} log_cfg = {-1, LOG_TEXT, LOG_ERROR};

static const char *const level_names[] = {[LOG_ERROR] = "error", [LOG_WARNING] = "warning", [LOG_DEBUG] = "debug"};

int log_level_from_name(const char *name)
{
        if (!strcmp(name, "error"))
                return LOG_ERROR;
        if (!strcmp(name, "warning") || !strcmp(name, "warn"))
                return LOG_WARNING;
        if (!strcmp(name, "debug") || !strcmp(name, "info"))
                return LOG_DEBUG;
        return -1;
}

int log_format_from_name(const char *name)
{
        if (!strcmp(name, "text"))
                return LOG_TEXT;
        if (!strcmp(name, "json"))
                return LOG_JSON;
        return -1;
}

int log_init(const char *dest, enum log_format fmt, enum log_level level, struct error **err)
{
        log_cfg.format = fmt;
        log_cfg.level = level;
        if (!dest || !*dest)
                return 0;
        const char *path = dest;
        if (!strncmp(dest, "file:", 5))
                path = dest + 5;
        else if (strchr(dest, ':') && dest[0] != '/')
                return error_set(err, EINVAL, "--log: unsupported destination `%s` (expected PATH or file:PATH)", dest);
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return error_sys(err, "--log: open `%s`", path);
        log_cfg.fd = fd;
        return 0;
}

enum log_level log_get_level(void)
{
        return log_cfg.level;
}

/* JSON string escaping for the record's msg. Messages quote paths and values from the command line and
 * the filesystem, which need not be UTF-8: a bad byte becomes U+FFFD, so every record stays JSON that
 * containerd (which reads the last error record) can parse. */
static void append_escaped(char **buf, size_t *len, size_t *cap, const char *s)
{
        for (const char *end = s + strlen(s); *s; s++) {
                char tmp[8];
                const char *piece = tmp;
                unsigned char c = (unsigned char)*s;
                size_t seq = c >= 0x80 ? utf8_sequence_len(s, (size_t)(end - s)) : 1;
                if (seq == 0)
                        piece = "\ufffd";
                else if (seq > 1) {
                        memcpy(tmp, s, seq);
                        tmp[seq] = 0;
                        s += seq - 1;
                } else if (c == '"')
                        piece = "\\\"";
                else if (c == '\\')
                        piece = "\\\\";
                else if (c == '\n')
                        piece = "\\n";
                else if (c == '\t')
                        piece = "\\t";
                else if (c < 0x20)
                        snprintf(tmp, sizeof(tmp), "\\u%04x", c);
                else {
                        tmp[0] = (char)c;
                        tmp[1] = 0;
                }
                size_t n = strlen(piece);
                if (*len + n + 1 > *cap) {
                        *cap = (*cap + n + 1) * 2;
                        char *nb = realloc(*buf, *cap);
                        if (!nb)
                                return;
                        *buf = nb;
                }
                memcpy(*buf + *len, piece, n + 1);
                *len += n;
        }
}

char *log_format_json_record(const char *level, const char *msg, long long sec, long usec)
{
        size_t len = 0, cap = strlen(msg) + 16;
        char *esc = malloc(cap);
        if (!esc)
                return NULL;
        esc[0] = 0;
        append_escaped(&esc, &len, &cap, msg);
        time_t t = (time_t)sec;
        struct tm tm;
        gmtime_r(&t, &tm);
        char when[64];
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
        char *out = NULL;
        if (asprintf(&out, "{\"msg\":\"%s\",\"level\":\"%s\",\"time\":\"%s.%06ldZ\"}", esc, level, when, usec) < 0)
                out = NULL;
        free(esc);
        return out;
}

static void emit(enum log_level level, const char *msg)
{
        if (log_cfg.fd < 0) {
                _cleanup_free_ char *line = NULL;
                if (asprintf(&line, "%s%s\n",
                             level == LOG_ERROR     ? ""
                             : level == LOG_WARNING ? "warning: "
                                                    : "debug: ",
                             msg) >= 0)
                        fs_write_all(STDERR_FILENO, line, strlen(line));
                return;
        }
        _cleanup_free_ char *rec = NULL;
        if (log_cfg.format == LOG_JSON) {
                struct timeval tv;
                gettimeofday(&tv, NULL);
                char *r = log_format_json_record(level_names[level], msg, tv.tv_sec, tv.tv_usec);
                if (r && asprintf(&rec, "%s\n", r) < 0)
                        rec = NULL;
                free(r);
        } else if (asprintf(&rec, "%s: %s\n", level_names[level], msg) < 0) {
                rec = NULL;
        }
        if (rec)
                fs_write_all(log_cfg.fd, rec, strlen(rec));
}

static void vlog(enum log_level level, const char *fmt, va_list ap)
{
        if (level > log_cfg.level)
                return;
        _cleanup_free_ char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) < 0)
                return;
        emit(level, msg);
}

void log_warning(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vlog(LOG_WARNING, fmt, ap);
        va_end(ap);
}

void log_required_warning(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) >= 0)
                emit(LOG_WARNING, msg);
        va_end(ap);
}

void log_debug(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vlog(LOG_DEBUG, fmt, ap);
        va_end(ap);
}

void log_final_error(const struct error *err)
{
        _cleanup_free_ char *text = error_text(err);
        if (!text)
                return;
        emit(LOG_ERROR, text);
        /* Callers (conmon) read stderr too: say it there as well when the log goes elsewhere. */
        if (log_cfg.fd >= 0) {
                _cleanup_free_ char *line = NULL;
                if (asprintf(&line, "%s\n", text) >= 0)
                        fs_write_all(STDERR_FILENO, line, strlen(line));
        }
}

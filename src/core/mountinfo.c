/* Splitting and decoding /proc/<pid>/mountinfo lines (see mountinfo.h). Pure: no syscalls. */
#include "core/mountinfo.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool is_octal(char c)
{
        return c >= '0' && c <= '7';
}

/* Decode `\NNN` in place. The first digit is at most 3 so the value fits a byte; `\000` is left alone
 * because a NUL would silently cut the field short (the kernel never escapes one: paths cannot hold it).
 * The && chain stops at the terminating NUL, so nothing past the string is read. */
static void unescape(char *s)
{
        char *o = s;
        for (const char *i = s; *i;) {
                if (i[0] == '\\' && is_octal(i[1]) && i[1] <= '3' && is_octal(i[2]) && is_octal(i[3])) {
                        int v = ((i[1] - '0') << 6) | ((i[2] - '0') << 3) | (i[3] - '0');
                        if (v != 0) {
                                *o++ = (char)v;
                                i += 4;
                                continue;
                        }
                }
                *o++ = *i++;
        }
        *o = '\0';
}

/* The field at *p up to the next single space (or the end), NUL-terminated in place; *p moves past the
 * space, or becomes NULL after the last field. NULL when there is no field left. */
static char *next_field(char **p)
{
        char *f = *p;
        if (!f)
                return NULL;
        char *sp = strchr(f, ' ');
        if (sp) {
                *sp = '\0';
                *p = sp + 1;
        } else {
                *p = NULL;
        }
        return f;
}

/* A non-empty run of decimal digits up to `max`. */
static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
        unsigned long v = 0;
        if (!*s)
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                unsigned d = (unsigned)(*s - '0');
                if (v > (max - d) / 10)
                        return -EINVAL;
                v = v * 10 + d;
        }
        *out = v;
        return 0;
}

static int parse_id(const char *s, int *out)
{
        unsigned long v;
        if (parse_uint(s, INT_MAX, &v) < 0)
                return -EINVAL;
        *out = (int)v;
        return 0;
}

/* "MAJ:MIN", both decimal. */
static int parse_dev(char *s, unsigned *major, unsigned *minor)
{
        char *colon = strchr(s, ':');
        unsigned long a, b;
        if (!colon)
                return -EINVAL;
        *colon = '\0';
        if (parse_uint(s, UINT_MAX, &a) < 0 || parse_uint(colon + 1, UINT_MAX, &b) < 0)
                return -EINVAL;
        *major = (unsigned)a;
        *minor = (unsigned)b;
        return 0;
}

/* The optional fields run from *p to the field "-". They stay one string ("shared:1 master:2"), which
 * must be single-space separated like the rest of the line; *p moves past the separator. */
static const char *split_optional(char **p)
{
        char *s = *p;
        if (!s)
                return NULL;
        if (s[0] == '-' && (s[1] == ' ' || s[1] == '\0')) {
                *p = s[1] ? s + 2 : NULL;
                return "";
        }
        char *sep = strstr(s, " - ");
        if (!sep || sep == s || s[0] == ' ')
                return NULL; /* no separator, or an empty optional field */
        *sep = '\0';
        *p = sep + 3;
        if (strstr(s, "  ") || sep[-1] == ' ')
                return NULL; /* an empty optional field */
        return s;
}

int mountinfo_parse_line(char *line, struct mountinfo_entry *e)
{
        char *p = line, *f[6];
        for (size_t i = 0; i < 6; i++) {
                f[i] = next_field(&p);
                if (!f[i] || !*f[i])
                        return -EINVAL;
        }
        const char *optional = split_optional(&p);
        if (!optional)
                return -EINVAL;
        char *fstype = next_field(&p), *source = next_field(&p), *super = next_field(&p);
        /* SOURCE alone may be empty: mount(2) accepts "" as the source and the kernel prints it as is. */
        if (!super || p || !*fstype || !*super)
                return -EINVAL;
        struct mountinfo_entry m = {.optional = optional};
        if (parse_id(f[0], &m.mount_id) < 0 || parse_id(f[1], &m.parent_id) < 0 ||
            parse_dev(f[2], &m.major, &m.minor) < 0)
                return -EINVAL;
        char *decoded[] = {f[3], f[4], f[5], fstype, source, super};
        for (size_t i = 0; i < sizeof(decoded) / sizeof(decoded[0]); i++)
                unescape(decoded[i]);
        m.root = f[3];
        m.mount_point = f[4];
        m.options = f[5];
        m.fstype = fstype;
        m.source = source;
        m.super_options = super;
        *e = m;
        return 0;
}

void mountinfo_iter_init(struct mountinfo_iter *it, const char *text)
{
        *it = (struct mountinfo_iter){.next = text};
}

/* Room for a line of `len` bytes and its NUL; doubling keeps a text of growing lines linear. */
static int reserve(struct mountinfo_iter *it, size_t len)
{
        if (len < it->cap)
                return 0;
        size_t cap = it->cap * 2 > len ? it->cap * 2 : len + 1;
        char *b = realloc(it->buf, cap);
        if (!b)
                return -ENOMEM;
        it->buf = b;
        it->cap = cap;
        return 0;
}

int mountinfo_next(struct mountinfo_iter *it, struct mountinfo_entry *e)
{
        while (it->next && *it->next) {
                const char *line = it->next;
                size_t len = strcspn(line, "\n");
                it->next = line + len + (line[len] == '\n');
                it->line++;
                if (len == 0)
                        continue;
                if (reserve(it, len) < 0)
                        return -ENOMEM;
                memcpy(it->buf, line, len);
                it->buf[len] = '\0';
                return mountinfo_parse_line(it->buf, e) < 0 ? -EINVAL : 1;
        }
        return 0;
}

void mountinfo_iter_done(struct mountinfo_iter *it)
{
        free(it->buf);
        *it = (struct mountinfo_iter){0};
}

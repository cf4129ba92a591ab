/* passwd(5) entries by uid (passwd.h). */
#include "core/passwd.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"

/* Field `idx` (0-based) of a ':'-separated line, as [start, len). false when the line has fewer fields. */
static bool line_field(const char *line, int idx, const char **start, size_t *len)
{
        const char *p = line;
        for (int i = 0; i < idx; i++) {
                p = strchr(p, ':');
                if (!p)
                        return false;
                p++;
        }
        *start = p;
        *len = strcspn(p, ":\n");
        return true;
}

static bool parse_uid(const char *s, size_t len, uid_t *uid)
{
        if (len == 0 || len > 10)
                return false;
        uint64_t v = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                v = v * 10 + (uint64_t)(s[i] - '0');
        }
        if (v > UINT32_MAX)
                return false;
        *uid = (uid_t)v;
        return true;
}

int passwd_field(FILE *passwd, uid_t uid, enum passwd_field field, char **out)
{
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        *out = NULL;
        while (getline(&line, &size, passwd) >= 0) {
                const char *s;
                size_t len;
                uid_t u;
                if (line[0] == '#' || !line_field(line, 2, &s, &len) || !parse_uid(s, len, &u) || u != uid)
                        continue;
                /* The first entry for the uid decides, as with getpwuid. */
                if (!line_field(line, (int)field, &s, &len) || len == 0)
                        return 0;
                *out = strndup(s, len);
                return *out ? 1 : -ENOMEM;
        }
        return 0;
}

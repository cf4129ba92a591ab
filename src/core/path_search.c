#include "core/path_search.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cleanup.h"

char *path_search_join(const char *cwd, const char *dir, size_t dir_len, const char *name)
{
        char *s = NULL;
        const char *base = cwd && *cwd ? cwd : "/";
        /* "/" + "/" + "x" would give "//x": no separator after a base that already ends with one. */
        const char *sep = base[strlen(base) - 1] == '/' ? "" : "/";
        int n;
        if (dir_len == 0)
                n = asprintf(&s, "%s%s%s", base, sep, name);
        else if (dir[0] == '/')
                n = asprintf(&s, "%.*s/%s", (int)dir_len, dir, name);
        else
                n = asprintf(&s, "%s%s%.*s/%s", base, sep, (int)dir_len, dir, name);
        return n < 0 ? NULL : s;
}

int path_search(const char *name, const char *path_env, const char *cwd, unsigned flags, path_search_check_fn check,
                void *userdata, char **out)
{
        *out = NULL;
        int first_error = 0;
        for (const char *dir = path_env ? path_env : PATH_SEARCH_DEFAULT;;) {
                const char *end = strchrnul(dir, ':');
                size_t len = (size_t)(end - dir);
                if (!(flags & PATH_SEARCH_ABSOLUTE_ONLY) || (len > 0 && dir[0] == '/')) {
                        _cleanup_free_ char *p = path_search_join(cwd, dir, len, name);
                        if (!p)
                                return -ENOMEM;
                        int r = check(p, userdata);
                        if (r == 0) {
                                *out = TAKE_PTR(p);
                                return 0;
                        }
                        if (r != -ENOENT && r != -ENOTDIR && !first_error)
                                first_error = r;
                }
                if (*end == '\0')
                        return first_error ? first_error : -ENOENT;
                dir = end + 1;
        }
}

#include "container/exec_path.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"

/* dir + "/" + name, with dir made absolute against cwd; NULL on ENOMEM. */
static char *join_candidate(const char *cwd, const char *dir, size_t dir_len, const char *name)
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

static int not_found(struct error **err, const char *file)
{
        /* crun's wording: podman maps "executable file not found in" to exit 127. */
        return error_set(err, ENOENT, "executable file `%s` not found in $PATH", file);
}

static int failed(struct error **err, int errnum, const char *file)
{
        if (errnum == ENOENT || errnum == ENOTDIR)
                return not_found(err, file);
        /* "open executable" + "Permission denied": podman maps it to exit 126. */
        return error_set(err, errnum, "open executable: `%s`", file);
}

int exec_path_resolve(const char *file, const char *path_env, const char *cwd, exec_path_check_fn check, void *userdata,
                      char **out, struct error **err)
{
        *out = NULL;
        if (!file || !*file)
                return error_set(err, ENOENT, "process.args[0]: empty executable name");

        if (strchr(file, '/')) {
                _cleanup_free_ char *p = file[0] == '/' ? strdup(file) : join_candidate(cwd, NULL, 0, file);
                if (!p)
                        return error_set(err, ENOMEM, "resolve executable `%s`", file);
                int r = check(p, userdata);
                if (r < 0)
                        return failed(err, -r, file);
                *out = TAKE_PTR(p);
                return 0;
        }

        if (!path_env)
                path_env = EXEC_PATH_DEFAULT;
        int saw_error = 0; /* first "exists but unusable" error, reported when nothing is found */
        const char *dir = path_env;
        for (;;) {
                const char *end = strchrnul(dir, ':');
                _cleanup_free_ char *p = join_candidate(cwd, dir, (size_t)(end - dir), file);
                if (!p)
                        return error_set(err, ENOMEM, "resolve executable `%s`", file);
                int r = check(p, userdata);
                if (r == 0) {
                        *out = TAKE_PTR(p);
                        return 0;
                }
                if (r != -ENOENT && r != -ENOTDIR && !saw_error)
                        saw_error = -r;
                if (*end == '\0')
                        break;
                dir = end + 1;
        }
        return saw_error ? failed(err, saw_error, file) : not_found(err, file);
}

int exec_path_check_fs(const char *path, void *userdata)
{
        (void)userdata;
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        /* execve refuses directories and special files with EACCES: report it now, at create. */
        if (!S_ISREG(st.st_mode))
                return -EACCES;
        if (access(path, X_OK) < 0)
                return -errno;
        return 0;
}

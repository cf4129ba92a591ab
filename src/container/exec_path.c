#include "container/exec_path.h"

#include <errno.h>
#include <limits.h>
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

/* Clients turn our create error into the exit status of `run` by matching its text, so the wording is
 * runc's, in lower case: the docker CLI (case-sensitive) gives 127 for "executable file not found" and 126 for
 * "permission denied"; podman and containerd match the same phrases. */
int exec_path_error_text(int errnum, const char *file, char *buf, size_t size)
{
        if (errnum == ENOENT || errnum == ENOTDIR) {
                snprintf(buf, size, "exec: `%s`: executable file not found%s", file,
                         strchr(file, '/') ? "" : " in $PATH");
                return ENOENT;
        }
        if (errnum == EACCES)
                snprintf(buf, size, "exec: `%s`: not an executable file (permission denied)", file);
        else
                snprintf(buf, size, "exec: `%s`: cannot be executed", file);
        return errnum;
}

int exec_path_error(struct error **err, int errnum, const char *file)
{
        char msg[PATH_MAX + 96];
        int e = exec_path_error_text(errnum, file, msg, sizeof(msg));
        return error_set(err, e, "%s", msg);
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
                        return exec_path_error(err, -r, file);
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
        return exec_path_error(err, saw_error ? saw_error : ENOENT, file);
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

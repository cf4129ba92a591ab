#include "init/exec_path.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/path_search.h"

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
                _cleanup_free_ char *p = file[0] == '/' ? strdup(file) : path_search_join(cwd, NULL, 0, file);
                if (!p)
                        return error_set(err, ENOMEM, "resolve executable `%s`", file);
                int r = check(p, userdata);
                if (r < 0)
                        return exec_path_error(err, -r, file);
                *out = TAKE_PTR(p);
                return 0;
        }

        _cleanup_free_ char *found = NULL;
        int r = path_search(file, path_env, cwd, 0, check, userdata, &found);
        if (r == -ENOMEM)
                return error_set(err, ENOMEM, "resolve executable `%s`", file);
        if (r < 0)
                return exec_path_error(err, -r, file);
        *out = TAKE_PTR(found);
        return 0;
}

int exec_path_failure_status(int errnum)
{
        if (errnum == ENOENT)
                return 127;
        if (errnum == EACCES || errnum == EPERM || errnum == ENOEXEC)
                return 126;
        return 1;
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

/* execvp-style search of a command name along a PATH list, written once for every lookup: the container's
 * executable (native and krun), and the host helpers the runtime starts (criu, passt). Pure: whether a
 * candidate is usable is asked of a callback, so tests cover every rule without a filesystem. */
#pragma once
#include <stddef.h>

/* PATH when none is given (the default crun, runc and Docker use). */
#define PATH_SEARCH_DEFAULT "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* 0 when `candidate` can be used; -ENOENT or -ENOTDIR when nothing is there; another -errno (-EACCES:
 * something is there but cannot be executed) otherwise. */
typedef int (*path_search_check_fn)(const char *candidate, void *userdata);

enum path_search_flags {
        /* Skip empty and relative elements. For host helpers: where the runtime happens to run from is no
         * place to pick a program up. Without it an empty element means `cwd`, a relative one is taken
         * against `cwd` (execvp's rules, as seen from the container's working directory). */
        PATH_SEARCH_ABSOLUTE_ONLY = 1 << 0,
};

/* dir + "/" + name, a relative or empty dir taken against cwd (NULL or empty: "/"); NULL on ENOMEM. */
char *path_search_join(const char *cwd, const char *dir, size_t dir_len, const char *name);

/* Searches `name` (which must not contain '/') along `path_env` (NULL: PATH_SEARCH_DEFAULT), in order.
 * Returns 0 with *out the first usable candidate (heap string), -ENOMEM, or the error to report when none
 * is usable: the first error other than -ENOENT/-ENOTDIR a candidate gave (execvp reports EACCES when a
 * match existed but could not be executed), else -ENOENT. */
int path_search(const char *name, const char *path_env, const char *cwd, unsigned flags, path_search_check_fn check,
                void *userdata, char **out);

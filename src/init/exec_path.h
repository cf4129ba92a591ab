/* execvp-style lookup of process.args[0] (pure: the filesystem check is injected, so tests cover every branch). */
#pragma once
#include <stddef.h>

#include "core/error.h"
#include "core/path_search.h"

/* Returns 0 when `path` is an executable regular file, -ENOENT/-ENOTDIR when nothing is there, -EACCES when
 * something is there but cannot be executed (directory, device, no x bit), another -errno otherwise. */
typedef path_search_check_fn exec_path_check_fn;

/* Resolve `file` like execvp: a name containing '/' is taken as is (made absolute against `cwd` when relative);
 * otherwise the search is core/path_search.h's (NULL `path_env`: PATH_SEARCH_DEFAULT; an empty element means
 * `cwd`). As execvp, a candidate that exists but is not executable does not stop the search, but is reported
 * (EACCES) when nothing better is found. On success *out is a heap string. */
int exec_path_resolve(const char *file, const char *path_env, const char *cwd, exec_path_check_fn check, void *userdata,
                      char **out, struct error **err);

/* The error for `file` failing with errnum (ENOENT/ENOTDIR: not found, EACCES: not executable), worded so
 * that Docker, podman and containerd map it to exit 127 / 126 as they do for runc. */
/* The same wording as text (no syscalls, no allocation): also the in-guest agent's. Returns the errno to
 * report with it. */
int exec_path_error_text(int errnum, const char *file, char *buf, size_t size);
int exec_path_error(struct error **err, int errnum, const char *file);
/* The exit status of a process that could not be started because of errnum, as a shell reports it:
 * 127 not found, 126 not executable, else 1. */
int exec_path_failure_status(int errnum);

/* The real check: stat + access(X_OK) in the current root. */
int exec_path_check_fs(const char *path, void *userdata);

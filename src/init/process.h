/* Process attributes the container init (and exec's process) sets on itself inside the container. */
#pragma once
#include <stdbool.h>

#include "core/error.h"
#include "oci/spec.h"

/* Resolve args[0] like execvp against the process env's PATH, inside the current root (after pivot).
 * Errors are exec_path_error's ("exec: `X`: executable file not found in $PATH", "... (permission denied)"),
 * which Docker, podman and containerd map to 127 / 126. */
int process_resolve_executable(const struct oci_process *proc, char **path, struct error **err);
/* Final environment: process.env, plus HOME from /etc/passwd (of the current root) when unset, plus
 * `extra` entries (NULL-terminated, may be NULL; e.g. LISTEN_FDS). Caller frees with strv free. */
int process_build_env(const struct oci_process *proc, char *const *extra, char ***envp, struct error **err);
/* Enter process.cwd, resolved inside the current root (no /proc magic links: CVE-2024-21626). */
int process_chdir(const struct oci_process *proc, struct error **err);
/* True when a failed process_chdir is worth retrying after the user switch (root-squashed NFS: EACCES);
 * any other failure, an escape above all, is final. */
bool process_chdir_retry_as_user(const struct error *e);
/* Give the stdio pipes and sockets to process.user, so that it can reopen them (/dev/stdout, /proc/self/fd/1):
 * a pipe is mode 0600 and owned by whoever made it, often the container's root. */
void process_hand_over_stdio(const struct oci_process *proc);
/* umask, additional gids, gid, uid (keeping caps across the switch), capability sets (bounding dropped,
 * effective/permitted/inheritable set, ambient raised), noNewPrivileges. */
int process_set_identity(const struct oci_process *proc, bool in_userns, struct error **err);
/* Close or CLOEXEC every fd >= 3 except [3, 3+preserve) and `keep` (used right before exec). */
int process_close_fds(int preserve_fds, const int *keep, size_t n_keep, struct error **err);

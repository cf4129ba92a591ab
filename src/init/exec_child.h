/* `exec`'s process inside the container: forked by the runtime's first child once it has joined the
 * container's namespaces (container/exec.c), it sets itself up with the init's code and calls execve. */
#pragma once
#include <stdbool.h>

#include "linux/seccomp_filter.h"
#include "oci/spec.h"

struct exec_child {
        const struct oci_process *proc;
        struct seccomp_filter *seccomp; /* NULL: no linux.seccomp */
        int sync_fd;                    /* our end of the sync socket (CLOEXEC: its EOF reports the execve) */
        int console_sock;               /* --console-socket, -1: none; closed once the pty master is sent */
        int preserve_fds;               /* --preserve-fds */
        bool joins_userns;              /* the container's user namespace was joined */
};

/* Terminal, labels, env, cwd and executable (resolved inside the container's root), scheduling attributes,
 * fds, seccomp and identity, then execve. On failure sends SYNC_ACK with the exit status (127 not found,
 * 126 not executable, else 1) and the error over sync_fd, and exits with that status. Never returns. */
__attribute__((noreturn)) void exec_child_run(struct exec_child *c);

/* process.terminal: the pty comes from the container's own devpts instance (so the container can use
 * and resize it, and the host's devpts is never exposed), the slave becomes the init's stdio, controlling
 * terminal and /dev/console, and the master leaves the container: over --console-socket (cli-contract.md
 * §7: one sendmsg, payload " ", SCM_RIGHTS with exactly one fd) or to the foreground runtime. */
#pragma once
#include "core/error.h"
#include "oci/spec.h"

/* Runtime, before the clone: connect to --console-socket (AF_UNIX SOCK_STREAM) while its host path is
 * reachable with the runtime's credentials; the init inherits the connection. */
int terminal_connect_console_socket(const char *path, int *sock, struct error **err);
/* Init, after rootfs_prepare (the container's /dev/pts is mounted), before pivot_root: open the rootfs'
 * /dev/ptmx, apply consoleSize and bind-mount the slave on <rootfs>/dev/console. */
int terminal_open(int rootfs_fd, const struct oci_process *proc, int *master, int *slave, struct error **err);
/* Init, in its new session: the slave becomes the controlling terminal and fds 0, 1, 2; it is closed. */
int terminal_make_controlling(int slave, const struct oci_process *proc, struct error **err);
/* Send the master over a connected console socket. Payload and fd count are what conmon checks. */
int terminal_send_master(int sock, int master, struct error **err);

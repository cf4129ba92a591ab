/* process.terminal inside the container: the pty comes from the container's own devpts instance (so the
 * container can use and resize it, and the host's devpts is never exposed), the slave becomes the process's
 * stdio and controlling terminal (and, for the init, /dev/console), and the master leaves the container:
 * over --console-socket (cli-contract.md §7: one sendmsg, payload " ", SCM_RIGHTS with exactly one fd) or to
 * the foreground runtime over the sync socket. One path for the init and for exec's process; the runtime
 * connects the console socket (container/console_socket.h). */
#pragma once
#include "core/error.h"
#include "oci/spec.h"

/* A pty from the /dev/ptmx found inside `root_fd` (-1: the current root, for exec's process that joined the
 * container's mount namespace), unlocked, with process.consoleSize applied to the slave. */
int terminal_open_pty(int root_fd, const struct oci_process *proc, int *master, int *slave, struct error **err);
/* Init, after rootfs_prepare (the container's /dev/pts is mounted), before pivot_root: terminal_open_pty in
 * the rootfs, and the slave bind-mounted on <rootfs>/dev/console. */
int terminal_open_console(int rootfs_fd, const struct oci_process *proc, int *master, int *slave, struct error **err);
/* In the process's new session: the slave becomes the controlling terminal and fds 0, 1, 2, then the master
 * is sent over `console_sock` when >= 0, else as SYNC_PTY over `sync_fd`. Takes both pty fds (closed here);
 * the sockets stay the caller's. */
int terminal_hand_over(int master, int slave, const struct oci_process *proc, int console_sock, int sync_fd,
                       struct error **err);

/* `run` in the foreground: release the init, then be its reaper: forward signals, relay the terminal,
 * and turn its wait status into our exit status. */
#pragma once
#include <sys/types.h>

#include "core/error.h"

/* Tell the init to start and wait until it exec'd (EOF on the CLOEXEC sync socket) or failed. */
int foreground_start(int sync_fd, struct error **err);
/* Wait for the init; *exit_status = its code, or 128+N when killed by signal N. pty_master may be -1. */
int foreground_wait(pid_t pid, int pidfd, int pty_master, int *exit_status, struct error **err);
/* Pure: wait status -> shell-style exit status. */
int foreground_exit_status(int wait_status);

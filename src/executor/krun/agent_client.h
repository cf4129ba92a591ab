/* The runtime's side of the agent protocol: `exec`, `kill` and `ps` of a krun container reach its guest
 * through the unix socket libkrun maps to the agent's vsock port (executor.h capabilities). */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

#include "core/error.h"
#include "executor/executor.h"

int krun_agent_exec(struct executor_exec_request *req, int *exit_status, struct error **err);
int krun_agent_signal(int state_dir_fd, int signo, bool all, struct error **err);
int krun_agent_list_pids(int state_dir_fd, pid_t **pids, size_t *n, struct error **err);

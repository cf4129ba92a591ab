/* krun-agent: the process libkrun's guest init starts as the container's workload (docs/krun-mode.md).
 * It runs the real workload as its child and serves the runtime on a vsock port. */
#pragma once
#include <sys/types.h>

/* What a session needs to know about the agent it was forked from. */
struct agent_self {
        pid_t agent;    /* the agent's pid (skipped by `ps` and `kill --all`) */
        pid_t workload; /* the workload's pid */
};

/* Serve one connection (HELLO, then one request) in a forked child; returns the exit status. */
int agent_session(int conn, const struct agent_self *self);

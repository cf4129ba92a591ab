/* sd_notify proxy (cli-contract.md §10): when the runtime runs with NOTIFY_SOCKET, the container gets its
 * own datagram socket (the state directory's `notify/` bind-mounted at /run/notify) and `start`/`run`
 * forwards what the workload sends to the host socket, returning only once READY=1 arrived. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "oci/spec.h"

#define NOTIFY_CONTAINER_DIR "/run/notify"
#define NOTIFY_CONTAINER_SOCKET NOTIFY_CONTAINER_DIR "/notify.sock"

/* Pure: does one datagram carry READY=1 (newline-separated assignments)? */
bool notify_message_is_ready(const char *msg, size_t len);

/* create: make `<state_dir>/notify` and add its read-only bind mount at /run/notify to the spec. */
int notify_prepare(int dir_fd, const char *state_dir, struct oci_spec *spec, struct error **err);
/* start/run: bind the container-visible socket (replacing a stale one); *fd = -1 when the container was
 * not created with NOTIFY_SOCKET or the caller has none (nothing to forward to). */
int notify_open(int dir_fd, int *fd, struct error **err);
/* Forward datagrams to the host NOTIFY_SOCKET until READY=1 or until the init (pidfd) is gone. */
int notify_wait_ready(int fd, int pidfd, struct error **err);

/* sd_notify proxy (cli-contract.md §10): when the runtime runs with NOTIFY_SOCKET, the container gets its
 * own datagram socket and `start`/`run` forwards what the workload sends to the host socket, returning
 * only once READY=1 arrived. crun's layout, which images and tools written for crun expect: the state
 * directory's `notify/` is bind-mounted at the host's NOTIFY_SOCKET path inside the container, and the
 * workload's NOTIFY_SOCKET is that path + "/notify" (e.g. /run/systemd/notify/notify). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "oci/spec.h"

#define NOTIFY_SOCKET_NAME "notify"
/* Where the socket's directory goes when the host's NOTIFY_SOCKET is not a path (an abstract `@name`). */
#define NOTIFY_FALLBACK_DIR "/run/notify"

/* Pure: does one datagram carry READY=1 (newline-separated assignments)? */
bool notify_message_is_ready(const char *msg, size_t len);
/* Pure: the directory holding the socket inside the container for the host's NOTIFY_SOCKET value (the
 * same absolute path, trailing slashes dropped; NOTIFY_FALLBACK_DIR for an abstract or relative one).
 * Caller frees; NULL on ENOMEM. */
char *notify_container_dir(const char *host);

/* create: make `<state_dir>/notify` and add its read-only bind mount at notify_container_dir to the spec. */
int notify_prepare(int dir_fd, const char *state_dir, struct oci_spec *spec, struct error **err);
/* start/run: bind the container-visible socket (replacing a stale one); *fd = -1 when the container was
 * not created with NOTIFY_SOCKET or the caller has none (nothing to forward to). */
int notify_open(int dir_fd, int *fd, struct error **err);
/* Forward datagrams to the host NOTIFY_SOCKET until READY=1 or until the init (pidfd) is gone. */
int notify_wait_ready(int fd, int pidfd, struct error **err);

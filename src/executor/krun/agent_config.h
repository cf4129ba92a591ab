/* Where the in-guest agent lives and how the guest is told to start it (pure; docs/krun-mode.md). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "oci/spec.h"

/* The agent's mount point in the rootfs: a 0-byte file the runtime creates next to /.krun_config.json and
 * bind-mounts the host's agent binary onto, read-only. */
#define KRUN_AGENT_GUEST_PATH "/.krun-agent"
/* Below the container's state directory: the directory the VMM creates the agent's socket in. */
#define KRUN_AGENT_STATE_DIR "agent"
#define KRUN_AGENT_SOCKET "agent.sock"

/* config.json with process.args = [agent, --port, N, --, the workload's args...]: what the guest init
 * reads from /.krun_config.json. -EINVAL (error naming the path) when process.args is not an array. */
int krun_agent_wrap_config(const char *json, size_t len, char **out, size_t *out_len, struct error **err);
/* The host id a container id maps to (identity without mappings, (uint32_t)-1 when unmapped). */
uint32_t krun_agent_host_id(uint32_t id, const struct oci_id_mapping *m, size_t n);

/* Setting up the in-guest agent for a krun container (docs/krun-mode.md, "The in-guest agent"): the
 * runtime side at create, the init side before pivot_root, the VMM side right before krun_start_enter. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "executor/executor.h"

/* libkrun ≥ 1.10: map a guest vsock port to a unix socket; listen=true: libkrun creates and listens on it. */
typedef int32_t (*krun_add_vsock_port2_fn)(uint32_t ctx, uint32_t port, const char *path, bool listen);

struct krun_agent {
        bool is_enabled;
        char *host_path; /* the agent binary on the host */
        int dir_fd;      /* <state dir>/agent (O_PATH): the VMM creates the socket in it through /proc/self/fd */
        krun_add_vsock_port2_fn add_vsock_port2;
};

void krun_agent_init(struct krun_agent *a);
void krun_agent_clear(struct krun_agent *a);
/* Runtime, host credentials, at create, before /.krun_config.json is written (plain flavor only: sev boots
 * a disk image, aws-nitro an enclave, neither runs our rootfs' agent). Finds the binary, the libkrun call,
 * makes the socket directory and the mount point. */
int krun_agent_prepare(struct krun_agent *a, struct executor_ctx *ctx, void *libkrun, int rootfs_fd,
                       struct error **err);
/* The bytes to write to /.krun_config.json: the config as is, or with the agent in front of process.args. */
int krun_agent_guest_config(const struct krun_agent *a, const char *json, size_t len, char **out, size_t *out_len,
                            struct error **err);
/* Container init, mounts done, host root still reachable: bind the agent onto its mount point, read-only. */
int krun_agent_mount(struct krun_agent *a, int rootfs_fd, struct error **err);
/* The socket directory's fd must survive the init's fd closing. */
void krun_agent_keep_fds(const struct krun_agent *a, int *fds, size_t *n);
/* Right before krun_start_enter: the vsock port mapping. Returns libkrun's result. */
int32_t krun_agent_before_start(struct krun_agent *a, uint32_t ctx_id);
/* `delete`: remove the mount point (an empty regular file: the bind mount died with the container). */
int krun_agent_cleanup_rootfs(int rootfs_fd, struct error **err);

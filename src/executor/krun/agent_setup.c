/* The in-guest agent's setup for one container (agent_setup.h). */
#include "executor/krun/agent_setup.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "agent/protocol.h"
#include "build_config.h"
#include "core/cleanup.h"
#include "core/log.h"
#include "executor/krun/agent_config.h"
#include "linux/safe_path.h"

void krun_agent_init(struct krun_agent *a)
{
        *a = (struct krun_agent){.dir_fd = -1};
}

void krun_agent_clear(struct krun_agent *a)
{
        free(a->host_path);
        if (a->dir_fd >= 0)
                close(a->dir_fd);
        krun_agent_init(a);
}

/* Next to the runtime's own executable (the build tree), else where `meson install` puts it. */
static int find_binary(char **out, struct error **err)
{
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n > 0) {
                exe[n] = 0;
                char *slash = strrchr(exe, '/');
                if (slash) {
                        *slash = 0;
                        if (asprintf(out, "%s/krun-agent", exe) < 0)
                                return error_set(err, ENOMEM, "krun: agent");
                        if (access(*out, X_OK) == 0)
                                return 0;
                        free(*out);
                }
        }
        *out = strdup(KRUN_AGENT_INSTALLED);
        if (!*out)
                return error_set(err, ENOMEM, "krun: agent");
        if (access(*out, X_OK) < 0)
                return error_sys(err, "krun: the in-guest agent `%s` (or krun-agent next to the runtime) is missing",
                                 *out);
        return 0;
}

/* <state>/agent, owned by the host ids the VMM runs as (the container's user, through its user namespace
 * mappings), so that the VMM may create the socket there. Nobody else may enter it. */
static int make_socket_dir(struct krun_agent *a, struct executor_ctx *ctx, struct error **err)
{
        _cleanup_close_ int state = open(ctx->state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (state < 0)
                return error_sys(err, "krun: agent: open the state directory `%s`", ctx->state_dir);
        if (mkdirat(state, KRUN_AGENT_STATE_DIR, 0700) < 0)
                return error_sys(err, "krun: agent: create `%s/" KRUN_AGENT_STATE_DIR "`", ctx->state_dir);
        const struct oci_process *proc = ctx->spec->process;
        const struct oci_linux *lx = &ctx->spec->linux_;
        uint32_t uid = krun_agent_host_id(proc ? proc->uid : 0, lx->uid_mappings, lx->n_uid_mappings);
        uint32_t gid = krun_agent_host_id(proc ? proc->gid : 0, lx->gid_mappings, lx->n_gid_mappings);
        if ((uid != 0 || gid != 0) && fchownat(state, KRUN_AGENT_STATE_DIR, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
                return error_sys(err, "krun: agent: chown `%s/" KRUN_AGENT_STATE_DIR "` to %u:%u", ctx->state_dir, uid,
                                 gid);
        a->dir_fd = openat(state, KRUN_AGENT_STATE_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (a->dir_fd < 0)
                return error_sys(err, "krun: agent: open `%s/" KRUN_AGENT_STATE_DIR "`", ctx->state_dir);
        return 0;
}

int krun_agent_prepare(struct krun_agent *a, struct executor_ctx *ctx, void *libkrun, int rootfs_fd, struct error **err)
{
        a->add_vsock_port2 = (krun_add_vsock_port2_fn)dlsym(libkrun, "krun_add_vsock_port2");
        if (!a->add_vsock_port2)
                return error_set(err, ENOSYS,
                                 "krun: libkrun.so.1 does not provide krun_add_vsock_port2 (libkrun >= 1.10), needed "
                                 "for the in-guest agent");
        int r = find_binary(&a->host_path, err);
        if (r >= 0)
                r = make_socket_dir(a, ctx, err);
        /* The mount point: the guest mounts its own /dev, /proc and /sys over the container's, so the root
         * directory is the one place every image has that the guest still sees. Created like the config
         * file (never through a planted symlink); the agent's bytes never enter the image. */
        if (r >= 0 && safe_write_file(rootfs_fd, KRUN_AGENT_GUEST_PATH, "", 0, 0555, err) < 0)
                r = error_prefix(err, "krun: agent mount point");
        if (r >= 0)
                a->is_enabled = true;
        return r;
}

int krun_agent_guest_config(const struct krun_agent *a, const char *json, size_t len, char **out, size_t *out_len,
                            struct error **err)
{
        if (!a->is_enabled) {
                *out = NULL;
                *out_len = 0;
                return 0;
        }
        return krun_agent_wrap_config(json, len, out, out_len, err);
}

int krun_agent_mount(struct krun_agent *a, int rootfs_fd, struct error **err)
{
        if (!a->is_enabled)
                return 0;
        _cleanup_close_ int target = -1;
        int r = safe_openat(rootfs_fd, KRUN_AGENT_GUEST_PATH, O_PATH | O_NOFOLLOW, 0, &target, err);
        if (r < 0)
                return error_prefix(err, "krun: agent mount point");
        struct stat st;
        if (fstat(target, &st) < 0 || !S_ISREG(st.st_mode))
                return error_set(err, EINVAL, "krun: agent mount point `%s` is not a regular file",
                                 KRUN_AGENT_GUEST_PATH);
        char path[64];
        safe_fd_path(target, path);
        if (mount(a->host_path, path, NULL, MS_BIND, NULL) < 0)
                return error_sys(err, "krun: bind-mount the agent `%s` on `%s`", a->host_path, KRUN_AGENT_GUEST_PATH);
        /* The fd still names the file under the new mount: the remount needs the mount itself. */
        close(target);
        target = -1;
        r = safe_openat(rootfs_fd, KRUN_AGENT_GUEST_PATH, O_PATH | O_NOFOLLOW, 0, &target, err);
        if (r < 0)
                return error_prefix(err, "krun: agent mount point");
        safe_fd_path(target, path);
        /* Read-only, no setuid, no devices; flags the source mount has locked (in a user namespace) kept. */
        struct statvfs sv;
        unsigned long locked = statvfs(a->host_path, &sv) == 0 ? sv.f_flag & (ST_NOEXEC | ST_NOATIME) : 0;
        unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV |
                              (locked & ST_NOEXEC ? MS_NOEXEC : 0) | (locked & ST_NOATIME ? MS_NOATIME : 0);
        if (mount(NULL, path, NULL, flags, NULL) < 0)
                return error_sys(err, "krun: remount the agent on `%s` read-only", KRUN_AGENT_GUEST_PATH);
        return 0;
}

void krun_agent_keep_fds(const struct krun_agent *a, int *fds, size_t *n)
{
        if (a->dir_fd >= 0 && *n < 8)
                fds[(*n)++] = a->dir_fd;
}

int32_t krun_agent_before_start(struct krun_agent *a, uint32_t ctx_id)
{
        if (!a->is_enabled)
                return 0;
        /* libkrun binds the path itself, from its device thread, in the VMM's root (the container's): the
         * state directory is reached through our fd to it, which must stay open (not CLOEXEC: the VMM's
         * fd closing below only closes CLOEXEC ones). */
        if (fcntl(a->dir_fd, F_SETFD, 0) < 0)
                return -errno;
        char path[96];
        snprintf(path, sizeof(path), "/proc/self/fd/%d/" KRUN_AGENT_SOCKET, a->dir_fd);
        int32_t r = a->add_vsock_port2(ctx_id, AGENT_VSOCK_PORT, path, true);
        log_debug("krun: krun_add_vsock_port2 -> %d", r);
        return r;
}

int krun_agent_cleanup_rootfs(int rootfs_fd, struct error **err)
{
        struct stat st;
        const char *name = &KRUN_AGENT_GUEST_PATH[1];
        if (fstatat(rootfs_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) || st.st_size != 0)
                return 0; /* not ours (or gone) */
        if (unlinkat(rootfs_fd, name, 0) < 0 && errno != ENOENT)
                return error_sys(err, "krun: remove `%s` from the rootfs", KRUN_AGENT_GUEST_PATH);
        return 0;
}

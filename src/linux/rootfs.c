/* The container's filesystem view, in the order of the OCI lifecycle (see rootfs.h). */
#include "linux/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "linux/devices.h"
#include "linux/mount_fd.h"
#include "linux/mount_options.h"
#include "linux/mounts.h"
#include "linux/safe_path.h"

/* rootfsPropagation in two steps. Before the mounts the whole tree becomes private (or slave for the
 * slave forms), recursively, so nothing we mount reaches the host, pivot_root accepts the new root (its
 * parent must not be shared) and binds still work (an unbindable source refuses them). Once masked and
 * read-only paths are in place `/` gets the asked propagation, recursively only for the r* forms. The
 * default is rprivate, as crun. */
struct root_propagation {
        unsigned long before; /* on the whole tree, before the mounts */
        unsigned long final;  /* on `/`, after the pivot and the last bind; 0: nothing more to do */
};

static int root_propagation(const char *name, struct root_propagation *p, struct error **err)
{
        static const struct {
                const char *name;
                unsigned long final;
        } table[] = {
            {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
            {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
            {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
            {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
        };
        *p = (struct root_propagation){.before = MS_PRIVATE | MS_REC, .final = 0};
        if (!name || !*name)
                return 0;
        for (size_t i = 0; i < ARRAY_SIZE(table); i++)
                if (strcmp(table[i].name, name) == 0) {
                        if (table[i].final & MS_SLAVE)
                                p->before = MS_SLAVE | MS_REC;
                        p->final = table[i].final;
                        return 0;
                }
        return error_set(err, EINVAL,
                         "config.json: linux.rootfsPropagation: unknown value \"%s\" (expected one of: shared, slave, "
                         "private, unbindable, or their r* forms)",
                         name);
}

/* pivot_root and MS_MOVE refuse a new root whose parent mount is shared: make the closest mount above
 * the rootfs private (walking up until a path is a mount point; EINVAL = not one). */
static int make_parent_mount_private(const char *rootfs, struct error **err)
{
        _cleanup_free_ char *p = strdup(rootfs);
        if (!p)
                return error_set(err, ENOMEM, "rootfs parent");
        for (;;) {
                char *slash = strrchr(p, '/');
                if (!slash)
                        return 0;
                if (slash == p)
                        slash[1] = '\0';
                else
                        *slash = '\0';
                if (mount(NULL, p, NULL, MS_PRIVATE, NULL) == 0)
                        return 0;
                if (errno != EINVAL)
                        return error_sys(err, "make `%s` private", p);
                if (strcmp(p, "/") == 0)
                        return 0;
        }
}

/* A mount namespace of the container's own: new, or joined by path (then we set it up like crun does). */
static bool has_mntns(const struct rootfs_config *cfg)
{
        return cfg->has_new_mntns || oci_spec_namespace(cfg->spec, NS_MOUNT);
}

static bool needs_mounts(const struct oci_spec *spec)
{
        const struct oci_linux *l = &spec->linux_;
        return spec->n_mounts || l->n_devices || (l->masked_paths && l->masked_paths[0]) ||
               (l->readonly_paths && l->readonly_paths[0]) || spec->root_readonly;
}

/* A missing process.cwd is created (as runc and crun do), inside the root, after the mounts it may sit on
 * and before root.readonly and readonlyPaths make that impossible. */
static int create_cwd(const struct oci_process *proc, int rootfs_fd, struct error **err)
{
        if (!proc || !proc->cwd || !*proc->cwd || strcmp(proc->cwd, "/") == 0)
                return 0;
        _cleanup_close_ int cwd = -1;
        _cleanup_error_ struct error *e = NULL;
        if (safe_mkdir_p(rootfs_fd, proc->cwd, 0755, &cwd, &e) >= 0)
                return 0;
        /* ELOOP/EXDEV: a /proc magic link or a path out of the root (CVE-2024-21626), as process_chdir says. */
        if (e->errnum == ELOOP || e->errnum == EXDEV)
                return error_set(err, e->errnum,
                                 "config.json: process.cwd: `%s` is refused: it must resolve to a directory inside "
                                 "the container without /proc magic links (such as /proc/self/fd/N)",
                                 proc->cwd);
        if (err)
                *err = TAKE_PTR(e);
        return error_prefix(err, "config.json: process.cwd");
}

int rootfs_prepare(const struct rootfs_config *cfg, int *rootfs_fd, struct error **err)
{
        const struct oci_spec *spec = cfg->spec;
        int r;

        if (!has_mntns(cfg) && needs_mounts(spec))
                return error_set(err, EINVAL,
                                 "config.json: mounts, linux.devices, linux.maskedPaths, linux.readonlyPaths and "
                                 "root.readonly need a new mount namespace (they would change the host's mounts)");
        if (has_mntns(cfg)) {
                /* Our mounts must never propagate back to the host's namespace. */
                struct root_propagation prop;
                r = root_propagation(spec->linux_.rootfs_propagation, &prop, err);
                if (r < 0)
                        return r;
                if (mount(NULL, "/", NULL, prop.before, NULL) < 0)
                        return error_sys(err, "set propagation of `/`");
                /* After rslave nothing is shared, and the rootfs must stay a slave of the host's mount. */
                r = (prop.before & MS_SLAVE) ? 0 : make_parent_mount_private(cfg->rootfs, err);
                if (r < 0)
                        return r;
                /* A mount of its own (inheriting the propagation just set), so pivot_root works and
                 * root.readonly can be a bind remount. */
                if (mount(cfg->rootfs, cfg->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
                        return error_sys(err, "bind `%s` on itself", cfg->rootfs);
        }

        _cleanup_close_ int fd = open(cfg->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return error_sys(err, "open rootfs `%s`", cfg->rootfs);

        struct mounts_state st = {0};
        for (size_t i = 0; i < spec->n_mounts; i++) {
                r = mounts_apply_entry(cfg, fd, &spec->mounts[i], &st, err);
                if (r < 0)
                        return r;
        }

        /* The default devices exist in every container with its own mounts (runc and crun): on our /dev
         * tmpfs, or else in the image's /dev (what is there already is kept). */
        if (has_mntns(cfg)) {
                r = devices_create_defaults(fd, err);
                /* An image on a read-only filesystem keeps the /dev it has (nothing could be added). */
                if (r < 0 && !st.dev_is_tmpfs && (*err)->errnum == EROFS) {
                        log_debug("rootfs: default devices not created: %s", (*err)->msg);
                        error_free(err);
                        r = 0;
                }
                if (r < 0)
                        return r;
        }
        r = devices_create_spec(cfg, fd, err);
        if (r >= 0)
                r = devices_create_symlinks(fd, st.has_devpts, st.dev_is_tmpfs, err);
        if (r >= 0 && cfg->console_slave_fd >= 0)
                r = devices_mount_console(fd, cfg->console_slave_fd, err);
        if (r >= 0)
                r = create_cwd(spec->process, fd, err);
        if (r < 0)
                return r;
        *rootfs_fd = TAKE_FD(fd);
        return 0;
}

static int enter_root(const struct rootfs_config *cfg, int rootfs_fd, struct error **err)
{
        if (fchdir(rootfs_fd) < 0)
                return error_sys(err, "chdir to the rootfs");
        if (!has_mntns(cfg)) {
                /* Sharing the host's mount namespace: pivot_root or MS_MOVE would rearrange the host. */
                if (chroot(".") < 0)
                        return error_sys(err, "chroot");
                return chdir("/") < 0 ? error_sys(err, "chdir `/`") : 0;
        }
        if (cfg->no_pivot) {
                if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
                        return error_sys(err, "move the rootfs on `/`");
                if (chroot(".") < 0)
                        return error_sys(err, "chroot");
                return chdir("/") < 0 ? error_sys(err, "chdir `/`") : 0;
        }
        /* pivot_root(".", "."): the old root ends up stacked on top of the new one, so no put_old
         * directory is needed inside an image that may be read-only; then it is detached. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return error_sys(err, "pivot_root");
        /* The old root's unmount must not propagate to the host (it may be shared or slave of it). */
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
                return error_sys(err, "make the old root a slave");
        if (umount2(".", MNT_DETACH) < 0)
                return error_sys(err, "detach the old root");
        return chdir("/") < 0 ? error_sys(err, "chdir `/`") : 0;
}

int rootfs_pivot(const struct rootfs_config *cfg, int rootfs_fd, struct error **err)
{
        return enter_root(cfg, rootfs_fd, err);
}

/* Resolve a container path after pivot: the fd to mount on, or 0 with *fd == -1 when missing. */
static int open_existing(int root_fd, const char *path, int *fd, struct error **err)
{
        *fd = -1;
        int r = safe_openat(root_fd, path, O_PATH, 0, fd, err);
        if (r < 0 && ((*err)->errnum == ENOENT || (*err)->errnum == ENOTDIR)) {
                error_free(err);
                return 0;
        }
        return r;
}

/* After the pivot the root is the container's, so a plain path cannot lead out of it any more; it is
 * the fallback when the container has no /proc for /proc/self/fd/N. */
static const char *target_of(int fd, const char *path, bool via_fd, char buf[64])
{
        if (!via_fd)
                return path;
        safe_fd_path(fd, buf);
        return buf;
}

static int mask_path(int root_fd, const char *path, bool via_fd, struct error **err)
{
        _cleanup_close_ int target = -1;
        int r = open_existing(root_fd, path, &target, err);
        if (r < 0 || target < 0)
                return r;
        struct stat st;
        if (fstat(target, &st) < 0)
                return error_sys(err, "stat");
        char tbuf[64], sbuf[64];
        const char *tgt = target_of(target, path, via_fd, tbuf);
        if (S_ISDIR(st.st_mode)) {
                if (mount("tmpfs", tgt, "tmpfs", MS_RDONLY, "nr_blocks=1,nr_inodes=1,mode=755") < 0)
                        return error_sys(err, "mount read-only tmpfs");
                return 0;
        }
        _cleanup_close_ int null = open("/dev/null", O_PATH | O_CLOEXEC);
        if (null < 0)
                return error_sys(err, "open `/dev/null`");
        if (mount(target_of(null, "/dev/null", via_fd, sbuf), tgt, NULL, MS_BIND, NULL) < 0)
                return error_sys(err, "bind `/dev/null`");
        return 0;
}

static int readonly_path(int root_fd, const char *path, bool via_fd, struct error **err)
{
        _cleanup_close_ int target = -1;
        int r = open_existing(root_fd, path, &target, err);
        if (r < 0 || target < 0)
                return r;
        char buf[64];
        const char *tgt = target_of(target, path, via_fd, buf);
        if (mount(tgt, tgt, NULL, MS_BIND | MS_REC, NULL) < 0)
                return error_sys(err, "bind on itself");
        _cleanup_close_ int top = -1;
        r = mount_reopen(root_fd, path, &top);
        if (r < 0)
                return error_set(err, -r, "reopen");
        unsigned long flags = 0;
        r = mount_remount_flags(top, MS_RDONLY, 0, &flags);
        if (r < 0)
                return error_set(err, -r, "remount read-only");
        if (mount(NULL, target_of(top, path, via_fd, buf), NULL, flags, NULL) < 0)
                return error_sys(err, "remount read-only");
        return 0;
}

int rootfs_finalize(const struct rootfs_config *cfg, struct error **err)
{
        const struct oci_linux *l = &cfg->spec->linux_;
        _cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return error_sys(err, "open `/`");
        bool via_fd = access("/proc/self/fd", F_OK) == 0;
        int r;
        for (size_t i = 0; l->masked_paths && l->masked_paths[i]; i++) {
                r = mask_path(root, l->masked_paths[i], via_fd, err);
                if (r < 0)
                        return error_prefix(err, "masked path `%s`", l->masked_paths[i]);
        }
        for (size_t i = 0; l->readonly_paths && l->readonly_paths[i]; i++) {
                r = readonly_path(root, l->readonly_paths[i], via_fd, err);
                if (r < 0)
                        return error_prefix(err, "read-only path `%s`", l->readonly_paths[i]);
        }
        if (cfg->spec->root_readonly) {
                /* The root is the bind of the rootfs on itself: a bind remount flips only this mount. By
                 * path, since the container may have no /proc for /proc/self/fd. */
                unsigned long flags = 0;
                r = mount_remount_flags(root, MS_RDONLY, 0, &flags);
                if (r < 0 || mount(NULL, "/", NULL, flags, NULL) < 0)
                        return error_set(err, r < 0 ? -r : errno, "remount `/` read-only");
        }
        if (!has_mntns(cfg))
                return 0;
        /* Last, since an unbindable `/` refuses the binds above. A shared `/` is a new peer group of our own:
         * the host only ever had private or slave copies. */
        struct root_propagation prop;
        r = root_propagation(cfg->spec->linux_.rootfs_propagation, &prop, err);
        if (r >= 0 && prop.final && mount(NULL, "/", NULL, prop.final, NULL) < 0)
                r = error_sys(err, "set propagation of `/` (linux.rootfsPropagation)");
        return r;
}

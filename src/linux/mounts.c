/* One mounts[] entry at a time, in the order of the config: resolve the destination inside the rootfs,
 * create it (directory, or empty file for a file bind source), mount, then remount / propagation /
 * recursive attributes on the new mount. */
#include "linux/mounts.h"

#include <dirent.h>
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

#include "core/cleanup.h"
#include "linux/idmap.h"
#include "linux/mount_cgroup.h"
#include "linux/mount_entry.h"
#include "linux/mount_fd.h"
#include "linux/mount_options.h"
#include "linux/safe_path.h"

static bool path_is(const char *path, const char *want)
{
        size_t n = strlen(path);
        while (n > 1 && path[n - 1] == '/')
                n--;
        return strlen(want) == n && strncmp(path, want, n) == 0;
}

/* The mounts that fall back to a bind of the host's own instance when the namespace they describe is
 * not ours (sysfs without a network namespace) or the kernel refuses a fresh instance to a user
 * namespace (sysfs, proc or mqueue of a namespace owned by another user namespace). */
static const char *host_fallback_source(const char *type)
{
        if (strcmp(type, "sysfs") == 0)
                return "/sys";
        if (strcmp(type, "mqueue") == 0)
                return "/dev/mqueue";
        if (strcmp(type, "proc") == 0)
                return "/proc";
        return NULL;
}

static int bind_host_path(const char *host, int rootfs_fd, const char *dest, int target_fd,
                          const struct mount_options *o, bool recursive)
{
        _cleanup_close_ int src = open(host, O_PATH | O_CLOEXEC);
        if (src < 0)
                return -errno;
        int r = mount_bind_fd(src, target_fd, recursive);
        if (r < 0)
                return r;
        if (mount_bind_needs_remount(o->flags)) {
                _cleanup_close_ int top = -1;
                r = mount_reopen(rootfs_fd, dest, &top);
                if (r < 0)
                        return r;
                r = mount_remount_bind(top, o->flags, o->clear_flags);
                /* A read-only sysfs must be read-only below too (/sys/fs/cgroup, /sys/kernel/...). */
                if (r == 0 && recursive && (o->flags & MS_RDONLY))
                        (void)mount_set_recursive_attrs(top, MOUNT_ATTR_RDONLY, 0);
        }
        return r;
}

/* Copy the content of the directory `from` into `to` (tmpcopyup): files, directories, symlinks, with
 * their mode and owner. Device nodes and sockets are skipped. */
static int copy_tree(int from, int to, int depth)
{
        if (depth > 64)
                return -ELOOP;
        int dup_fd = openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dup_fd < 0)
                return -errno;
        DIR *d = fdopendir(dup_fd);
        if (!d) {
                close(dup_fd);
                return -errno;
        }
        int r = 0;
        struct dirent *de;
        while (r == 0 && (de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                struct stat st;
                if (fstatat(from, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = -errno;
                        break;
                }
                if (S_ISDIR(st.st_mode)) {
                        if (mkdirat(to, de->d_name, st.st_mode & 07777) < 0 && errno != EEXIST) {
                                r = -errno;
                                break;
                        }
                        _cleanup_close_ int a =
                            openat(from, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        _cleanup_close_ int b = openat(to, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (a < 0 || b < 0) {
                                r = -errno;
                                break;
                        }
                        r = copy_tree(a, b, depth + 1);
                } else if (S_ISLNK(st.st_mode)) {
                        char target[PATH_MAX];
                        ssize_t n = readlinkat(from, de->d_name, target, sizeof(target) - 1);
                        if (n < 0 || (target[n] = '\0', symlinkat(target, to, de->d_name) < 0)) {
                                r = -errno;
                                break;
                        }
                } else if (S_ISREG(st.st_mode)) {
                        _cleanup_close_ int a = openat(from, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                        _cleanup_close_ int b = openat(
                            to, de->d_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 07777);
                        if (a < 0 || b < 0) {
                                r = -errno;
                                break;
                        }
                        char buf[65536];
                        ssize_t n;
                        while ((n = read(a, buf, sizeof(buf))) > 0)
                                if (write(b, buf, (size_t)n) != n) {
                                        n = -1;
                                        break;
                                }
                        if (n < 0) {
                                r = -errno;
                                break;
                        }
                } else {
                        continue;
                }
                if (r == 0 && fchownat(to, de->d_name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
                    errno != EPERM && errno != EINVAL) /* ids not mapped in a user namespace: keep ours */
                        r = -errno;
                if (r == 0 && !S_ISLNK(st.st_mode) && fchmodat(to, de->d_name, st.st_mode & 07777, 0) < 0)
                        r = -errno;
        }
        closedir(d);
        return r;
}

/* dest-nofollow (crun): an existing last component of the destination is the target itself, a symlink
 * included, so the bind covers the link and not what it points to. 1: *target_fd is it; 0: missing. */
static int open_target_nofollow(int rootfs_fd, const char *dest, int *target_fd, struct error **err)
{
        _cleanup_free_ char *dir = strdup(dest);
        if (!dir)
                return error_set(err, ENOMEM, "dest-nofollow");
        char *slash = strrchr(dir, '/');
        const char *base = slash ? slash + 1 : dir;
        if (slash)
                *slash = '\0';
        if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
                return 0;
        _cleanup_close_ int parent = -1;
        int r = safe_mkdir_p(rootfs_fd, slash && *dir ? dir : "/", 0755, &parent, err);
        if (r < 0)
                return r;
        *target_fd = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (*target_fd >= 0)
                return 1;
        if (errno == ENOENT)
                return 0;
        return error_sys(err, "open `%s` (dest-nofollow)", dest);
}

/* A bind mount: the source is a host path (relative ones are against the bundle). */
static int mount_bind_entry(const struct rootfs_config *cfg, int rootfs_fd, const struct oci_mount *m,
                            const struct mount_options *o, int *target_fd, struct error **err)
{
        if (!m->source)
                return error_set(err, EINVAL, "missing source for a bind mount");
        _cleanup_free_ char *source = mount_bind_source(cfg->bundle, m->source);
        if (!source)
                return error_set(err, ENOMEM, "bind source");

        _cleanup_close_ int src =
            open(source, O_PATH | O_CLOEXEC | (o->src_nofollow || o->copy_symlink ? O_NOFOLLOW : 0));
        if (src < 0)
                return error_sys(err, "open source `%s`", source);
        struct stat st;
        if (fstat(src, &st) < 0)
                return error_sys(err, "stat source `%s`", source);

        if (S_ISLNK(st.st_mode) && o->copy_symlink) {
                char link[PATH_MAX];
                ssize_t n = readlinkat(src, "", link, sizeof(link) - 1);
                if (n < 0)
                        return error_sys(err, "read symlink `%s`", source);
                link[n] = '\0';
                _cleanup_free_ char *dir = strdup(m->destination);
                if (!dir)
                        return error_set(err, ENOMEM, "copy-symlink");
                char *slash = strrchr(dir, '/');
                const char *base = slash ? slash + 1 : dir;
                if (slash)
                        *slash = '\0';
                _cleanup_close_ int parent = -1;
                int r = safe_mkdir_p(rootfs_fd, slash && *dir ? dir : "/", 0755, &parent, err);
                if (r < 0)
                        return r;
                if (symlinkat(link, parent, base) < 0 && errno != EEXIST)
                        return error_sys(err, "create symlink");
                return 0;
        }

        int r = o->dest_nofollow ? open_target_nofollow(rootfs_fd, m->destination, target_fd, err) : 0;
        if (r == 0)
                r = S_ISDIR(st.st_mode) ? safe_mkdir_p(rootfs_fd, m->destination, 0755, target_fd, err)
                                        : safe_create_file(rootfs_fd, m->destination, 0755, target_fd, err);
        if (r < 0)
                return r;
        r = mount_bind_fd(src, *target_fd, o->is_rbind);
        if (r < 0)
                return error_set(err, -r, "bind `%s`", source);
        return 1; /* mounted: the caller reopens the target and applies the remaining options */
}

/* An idmapped bind: the runtime cloned and idmapped the source (linux/idmap.h); we only attach it, at a
 * target resolved inside the rootfs. Its options apply afterwards like those of any bind. */
static int mount_idmapped_entry(const struct rootfs_config *cfg, int rootfs_fd, const struct oci_mount *m,
                                struct mounts_state *st, int *target_fd, struct error **err)
{
        if (st->next_idmapped >= cfg->n_idmapped_fds)
                return error_set(err, EPROTO, "no idmapped mount was prepared for it by the runtime");
        int tree = cfg->idmapped_fds[st->next_idmapped++];
        struct stat sb;
        if (fstat(tree, &sb) < 0)
                return error_sys(err, "stat the idmapped mount");
        int r = S_ISDIR(sb.st_mode) ? safe_mkdir_p(rootfs_fd, m->destination, 0755, target_fd, err)
                                    : safe_create_file(rootfs_fd, m->destination, 0755, target_fd, err);
        if (r < 0)
                return r;
        r = idmap_attach(tree, *target_fd);
        if (r < 0)
                return error_set(err, -r, "attach the idmapped mount of `%s` (move_mount)", m->source);
        return 1;
}

static int mount_fs_entry(const struct rootfs_config *cfg, int rootfs_fd, const struct oci_mount *m,
                          const struct mount_options *o, int *target_fd, struct error **err)
{
        const char *type = m->type;
        int r = safe_mkdir_p(rootfs_fd, m->destination, 0755, target_fd, err);
        if (r < 0)
                return r;

        const char *host = host_fallback_source(type);
        /* A fresh sysfs shows the mounter's network namespace: without our own, the host's /sys is the
         * honest view (crun binds it too). mqueue has no such issue: a fresh one shows our IPC namespace. */
        bool foreign_ns = strcmp(type, "sysfs") == 0 && !cfg->has_new_netns;
        if (host && foreign_ns) {
                r = bind_host_path(host, rootfs_fd, m->destination, *target_fd, o, true);
                if (r < 0)
                        return error_set(err, -r, "bind host `%s`", host);
                return 0;
        }

        _cleanup_free_ char *data = o->data ? strdup(o->data) : NULL;
        if (o->data && !data)
                return error_set(err, ENOMEM, "mount data");
        if (strcmp(type, "tmpfs") == 0 && !mount_data_has_key(data, "mode")) {
                /* The tmpfs takes the permissions of the directory it shadows, as with crun. */
                struct stat st;
                char mode[32];
                if (fstat(*target_fd, &st) == 0) {
                        snprintf(mode, sizeof(mode), "mode=%o", st.st_mode & 07777);
                        data = mount_data_append(TAKE_PTR(data), mode);
                        if (!data)
                                return error_set(err, ENOMEM, "mount data");
                }
        }
        _cleanup_close_ int shadowed = -1;
        if (o->tmpcopyup) {
                if (strcmp(type, "tmpfs") != 0)
                        return error_set(err, EINVAL, "option `tmpcopyup` is only valid for tmpfs");
                char path[64];
                safe_fd_path(*target_fd, path);
                shadowed = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (shadowed < 0)
                        return error_sys(err, "open the directory to copy up");
        }

        const char *source = m->source && *m->source ? m->source : type;
        r = mount_on_fd(source, *target_fd, type, o->flags, data);
        if (r == -EINVAL && strcmp(type, "devpts") == 0 && mount_data_has_key(data, "gid")) {
                /* gid=5 is not mapped in this user namespace: let the kernel pick the group. */
                _cleanup_free_ char *nogid = mount_data_remove(data, "gid=5");
                r = mount_on_fd(source, *target_fd, type, o->flags, nogid);
        }
        if ((r == -EPERM || r == -EBUSY) && host) {
                /* A user namespace may not get a fresh instance of these: bind the host's (crun does too). */
                r = bind_host_path(host, rootfs_fd, m->destination, *target_fd, o, true);
                if (r < 0)
                        return error_set(err, -r, "bind host `%s`", host);
                return 0;
        }
        if (r < 0)
                return error_set(err, -r, "mount %s", type);

        if (shadowed >= 0) {
                _cleanup_close_ int fresh = -1;
                r = safe_openat(rootfs_fd, m->destination, O_RDONLY | O_DIRECTORY, 0, &fresh, err);
                if (r < 0)
                        return r;
                r = copy_tree(shadowed, fresh, 0);
                if (r < 0)
                        return error_set(err, -r, "tmpcopyup");
        }
        return 1;
}

static int apply_entry(const struct rootfs_config *cfg, int rootfs_fd, const struct oci_mount *m,
                       struct mounts_state *st, struct error **err)
{
        _cleanup_mount_options_ struct mount_options o = {0};
        int r = mount_entry_options(m, &o, err);
        if (r < 0)
                return r;
        if (!o.is_bind && (!m->type || !*m->type))
                return error_set(err, EINVAL, "invalid mount type (a mount without `type` needs `bind` or `rbind`)");

        _cleanup_close_ int target = -1;
        if (idmap_mount_is_idmapped(m, &o))
                r = mount_idmapped_entry(cfg, rootfs_fd, m, st, &target, err);
        else if (o.is_bind)
                r = mount_bind_entry(cfg, rootfs_fd, m, &o, &target, err);
        else if (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0)
                return mount_cgroup(cfg, rootfs_fd, m->destination, &o, err);
        else
                r = mount_fs_entry(cfg, rootfs_fd, m, &o, &target, err);
        if (r <= 0)
                return r;

        _cleanup_close_ int top = -1;
        /* A bind of a symlink (src-nofollow) must not be followed now either; over a symlink
         * (dest-nofollow) the lookup lands on the new mount anyway. */
        if (o.src_nofollow || o.dest_nofollow)
                r = safe_openat(rootfs_fd, m->destination, O_PATH | O_NOFOLLOW, 0, &top, NULL);
        else
                r = mount_reopen(rootfs_fd, m->destination, &top);
        if (r < 0)
                return error_set(err, -r, "reopen the new mount");
        if (o.is_bind && (mount_bind_needs_remount(o.flags))) {
                /* The kernel ignores flags on the initial bind: a remount applies them. */
                r = mount_remount_bind(top, o.flags, o.clear_flags);
                if (r < 0)
                        return error_set(err, -r, "remount with the mount options");
        }
        if (o.propagation) {
                r = mount_on_fd(NULL, top, NULL, o.propagation, NULL);
                if (r < 0)
                        return error_set(err, -r, "set propagation");
        }
        r = mount_set_recursive_attrs(top, o.attr_set, o.attr_clr);
        if (r < 0)
                return error_set(err, -r, "apply recursive mount attributes");

        if (!o.is_bind && path_is(m->destination, "/dev") && strcmp(m->type, "tmpfs") == 0)
                st->dev_is_tmpfs = true;
        if (!o.is_bind && path_is(m->destination, "/dev/pts") && strcmp(m->type, "devpts") == 0)
                st->has_devpts = true;
        return 0;
}

int mounts_apply_entry(const struct rootfs_config *cfg, int rootfs_fd, const struct oci_mount *m,
                       struct mounts_state *st, struct error **err)
{
        int r = apply_entry(cfg, rootfs_fd, m, st, err);
        if (r < 0)
                return error_prefix(err, "mount `%s`", m->destination);
        return 0;
}

/* A `cgroup` mount. On a pure cgroup v2 host: a fresh cgroup2 when the container has its own cgroup
 * namespace (its root is then the container's cgroup), else a bind of the container's own cgroup
 * directory. On v1/hybrid hosts: a tmpfs with, per hierarchy, a bind of the container's own cgroup in
 * it (falling back to the whole host hierarchy), and the host's symlinks (cpu -> cpu,cpuacct). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fs.h"
#include "linux/mount_cgroup.h"
#include "linux/mount_fd.h"
#include "linux/safe_path.h"

#define HOST_CGROUP "/sys/fs/cgroup"

/* Our own cgroup path in the hierarchy named `hierarchy` ("memory", "cpu,cpuacct", "systemd" for
 * name=systemd, "unified" or "" for the v2 line), from the text of /proc/self/cgroup (`self`, read once
 * per mount, not once per hierarchy). NULL when not listed. */
static char *own_cgroup(const char *self, const char *hierarchy)
{
        _cleanup_free_ char *text = self ? strdup(self) : NULL;
        if (!text)
                return NULL;
        bool want_v2 = !*hierarchy || strcmp(hierarchy, "unified") == 0;
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *c1 = strchr(line, ':');
                char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c2 = '\0';
                const char *ctrl = c1 + 1;
                if (strncmp(ctrl, "name=", 5) == 0)
                        ctrl += 5;
                if ((want_v2 && !*ctrl) || (!want_v2 && strcmp(ctrl, hierarchy) == 0))
                        return strdup(c2 + 1);
        }
        return NULL;
}

/* /proc/self/cgroup, read on first use into `*cache` (NULL when unreadable: the binds then fall back). */
static const char *self_cgroups(char **cache)
{
        if (!*cache && fs_read_file("/proc/self/cgroup", 1 << 20, cache, NULL) < 0)
                *cache = NULL;
        return *cache;
}

/* Bind the container's cgroup of one hierarchy, or the whole hierarchy when that cannot be found. */
static int bind_hierarchy(const char *self, const char *host_dir, const char *hierarchy, int dir_fd, const char *name,
                          const struct mount_options *o)
{
        _cleanup_close_ int target_fd = -1;
        int r = mount_reopen(dir_fd, name, &target_fd);
        if (r < 0)
                return r;
        _cleanup_free_ char *own = own_cgroup(self, hierarchy);
        _cleanup_free_ char *path = NULL;
        if (own && strcmp(own, "/") != 0 && asprintf(&path, "%s%s", host_dir, own) < 0)
                path = NULL;
        _cleanup_close_ int src = path ? open(path, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
        if (src < 0)
                src = open(host_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (src < 0)
                return -errno;
        r = mount_bind_fd(src, target_fd, true);
        if (r < 0)
                return r;
        _cleanup_close_ int top = -1;
        r = mount_reopen(dir_fd, name, &top);
        if (r < 0)
                return r;
        return mount_remount_bind(top, o->flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, o->clear_flags);
}

/* In a new cgroup namespace a fresh mount of the hierarchy shows the namespace root, i.e. our cgroup
 * (/proc/self/cgroup then says "/" and cannot tell us where we are on the host). */
static int mount_fresh_hierarchy(const char *hierarchy, int target_fd, const struct mount_options *o)
{
        unsigned long flags = o->flags | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        if (strcmp(hierarchy, "unified") == 0)
                return mount_on_fd("cgroup2", target_fd, "cgroup2", flags, NULL);
        _cleanup_free_ char *data = NULL;
        if (asprintf(&data, "%s%s", strcmp(hierarchy, "systemd") == 0 ? "none,name=" : "", hierarchy) < 0)
                return -ENOMEM;
        return mount_on_fd("cgroup", target_fd, "cgroup", flags, data);
}

static int mount_v1(const struct rootfs_config *cfg, int rootfs_fd, const char *dest, int target_fd,
                    const struct mount_options *o, struct error **err)
{
        /* Mounted writable first: the hierarchy directories are created in it, then it is remounted
         * read-only when asked (the binds inside keep their own flags). */
        int r = mount_on_fd("tmpfs", target_fd, "tmpfs", (o->flags & ~MS_RDONLY) | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                            "mode=755");
        if (r < 0)
                return error_set(err, -r, "mount tmpfs");
        _cleanup_close_ int tmpfs = -1;
        r = safe_openat(rootfs_fd, dest, O_PATH | O_DIRECTORY, 0, &tmpfs, err);
        if (r < 0)
                return r;

        _cleanup_free_ char *self = NULL;
        DIR *d = opendir(HOST_CGROUP);
        if (!d)
                return error_sys(err, "open `%s`", HOST_CGROUP);
        struct dirent *de;
        r = 0;
        while (r == 0 && (de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *host_dir = NULL;
                if (asprintf(&host_dir, "%s/%s", HOST_CGROUP, de->d_name) < 0) {
                        r = error_set(err, ENOMEM, "cgroup");
                        break;
                }
                struct stat st;
                if (lstat(host_dir, &st) < 0)
                        continue;
                if (S_ISLNK(st.st_mode)) {
                        char link[256];
                        ssize_t n = readlink(host_dir, link, sizeof(link) - 1);
                        if (n > 0) {
                                link[n] = '\0';
                                if (symlinkat(link, tmpfs, de->d_name) < 0 && errno != EEXIST)
                                        r = error_sys(err, "symlink `%s`", de->d_name);
                        }
                        continue;
                }
                struct statfs sfs;
                if (!S_ISDIR(st.st_mode) || statfs(host_dir, &sfs) < 0 ||
                    (sfs.f_type != CGROUP_SUPER_MAGIC && sfs.f_type != CGROUP2_SUPER_MAGIC))
                        continue;
                if (mkdirat(tmpfs, de->d_name, 0755) < 0 && errno != EEXIST) {
                        r = error_sys(err, "create `%s`", de->d_name);
                        break;
                }
                _cleanup_close_ int sub = openat(tmpfs, de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub < 0) {
                        r = error_sys(err, "open `%s`", de->d_name);
                        break;
                }
                int b = cfg->has_new_cgroupns ? mount_fresh_hierarchy(de->d_name, sub, o) : -EPERM;
                if (b < 0)
                        b = bind_hierarchy(self_cgroups(&self), host_dir, de->d_name, tmpfs, de->d_name, o);
                if (b < 0)
                        r = error_set(err, -b, "bind `%s`", host_dir);
        }
        closedir(d);
        if (r < 0)
                return r;
        if (o->flags & MS_RDONLY) {
                r = mount_on_fd(NULL, tmpfs, NULL, MS_REMOUNT | o->flags | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                                "mode=755");
                if (r < 0)
                        return error_set(err, -r, "remount tmpfs read-only");
        }
        return 0;
}

int mount_cgroup(const struct rootfs_config *cfg, int rootfs_fd, const char *dest, const struct mount_options *o,
                 struct error **err)
{
        _cleanup_close_ int target = -1;
        int r = safe_mkdir_p(rootfs_fd, dest, 0755, &target, err);
        if (r < 0)
                return r;

        struct statfs sfs;
        if (statfs(HOST_CGROUP, &sfs) < 0)
                return error_sys(err, "statfs `%s`", HOST_CGROUP);
        if (sfs.f_type != CGROUP2_SUPER_MAGIC) {
                r = mount_v1(cfg, rootfs_fd, dest, target, o, err);
                return r < 0 ? r : 0;
        }

        if (cfg->has_new_cgroupns) {
                r = mount_on_fd("cgroup2", target, "cgroup2", o->flags | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
                if (r == 0)
                        return 0;
                if (r != -EPERM && r != -EBUSY)
                        return error_set(err, -r, "mount cgroup2");
        }
        /* Without our own cgroup namespace a fresh cgroup2 would show the host's root: bind ours. */
        _cleanup_free_ char *self = NULL;
        r = bind_hierarchy(self_cgroups(&self), HOST_CGROUP, "", rootfs_fd, dest, o);
        if (r < 0)
                return error_set(err, -r, "bind the container cgroup");
        return 0;
}

/* Idmapped bind mounts (see idmap.h for the why and the mapping semantics). The first half is pure: which
 * mounts are idmapped and with what mapping. The second half is the runtime's syscalls (open_tree,
 * mount_setattr, the helper user namespace) and the init's one move_mount. */
#include "linux/idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/mountinfo.h"
#include "linux/mount_entry.h"
#include "oci/namespaces.h"

/* The kernel's limit on uid_map/gid_map lines (since 4.15). */
#define IDMAP_MAX_ENTRIES 340

void idmap_request_free(struct idmap_request *req)
{
        free(req->uids);
        free(req->gids);
        req->uids = req->gids = NULL;
        req->n_uids = req->n_gids = 0;
}

bool idmap_mount_is_idmapped(const struct oci_mount *m, const struct mount_options *o)
{
        return o->idmap || m->n_uid_mappings || m->n_gid_mappings;
}

/* A decimal uint32 at *p; advances *p past it. */
static bool parse_u32(const char **p, uint32_t *out)
{
        const char *s = *p;
        uint64_t v = 0;
        if (*s < '0' || *s > '9')
                return false;
        for (; *s >= '0' && *s <= '9'; s++) {
                v = v * 10 + (uint64_t)(*s - '0');
                if (v > UINT32_MAX)
                        return false;
        }
        *out = (uint32_t)v;
        *p = s;
        return true;
}

/* `@B` names a container id: the host id is where the container's mapping puts it. The whole range must sit
 * in one entry of that mapping, or its ids would not be contiguous on the host. */
static int relative_to_host(uint32_t b, uint32_t n, const struct oci_id_mapping *cm, size_t n_cm, uint32_t *host)
{
        for (size_t i = 0; i < n_cm; i++) {
                if (b < cm[i].container_id || b - cm[i].container_id >= cm[i].size)
                        continue;
                if ((uint64_t)b + n > (uint64_t)cm[i].container_id + cm[i].size)
                        return -1;
                *host = cm[i].host_id + (b - cm[i].container_id);
                return 0;
        }
        return -1;
}

/* "[@]A-B-N#[@]A-B-N…" (len bytes at s) for `key` ("uids" or "gids"). */
static int parse_entries(const char *s, size_t len, const char *key, const struct oci_id_mapping *cm, size_t n_cm,
                         struct oci_id_mapping **out, size_t *n_out, struct error **err)
{
        _cleanup_free_ char *list = strndup(s, len);
        if (!list)
                return error_set(err, ENOMEM, "%s=", key);
        _cleanup_free_ struct oci_id_mapping *m = NULL;
        size_t n = 0;
        char *save = NULL;
        for (char *e = strtok_r(list, "#", &save); e; e = strtok_r(NULL, "#", &save)) {
                const char *p = e;
                bool relative = *p == '@';
                if (relative)
                        p++;
                uint32_t a, b, size;
                if (!parse_u32(&p, &a) || *p++ != '-' || !parse_u32(&p, &b) || *p++ != '-' || !parse_u32(&p, &size) ||
                    *p)
                        return error_set(err, EINVAL, "%s=: entry `%s`: expected [@]FROM-TO-SIZE (decimal ids)", key,
                                         e);
                if (size == 0)
                        return error_set(err, EINVAL, "%s=: entry `%s`: the size must be at least 1", key, e);
                if (relative && relative_to_host(b, size, cm, n_cm, &b) < 0)
                        return error_set(err, EINVAL,
                                         "%s=: entry `%s`: `@%" PRIu32 "` needs the container ids %" PRIu32 "-%" PRIu64
                                         " inside one entry of linux.%s",
                                         key, e, b, b, (uint64_t)b + size - 1,
                                         strcmp(key, "uids") == 0 ? "uidMappings" : "gidMappings");
                /* The kernel refuses ranges that wrap around (and id 4294967295 is "no id"). */
                if ((uint64_t)a + size > UINT32_MAX || (uint64_t)b + size > UINT32_MAX)
                        return error_set(err, EINVAL, "%s=: entry `%s`: the range goes past the largest id", key, e);
                if (n == IDMAP_MAX_ENTRIES)
                        return error_set(err, E2BIG, "%s=: more than %d entries (the kernel's limit)", key,
                                         IDMAP_MAX_ENTRIES);
                struct oci_id_mapping *grown = realloc(m, (n + 1) * sizeof(*m));
                if (!grown)
                        return error_set(err, ENOMEM, "%s=", key);
                m = grown;
                m[n++] = (struct oci_id_mapping){.container_id = a, .host_id = b, .size = size};
        }
        if (n == 0)
                return error_set(err, EINVAL, "%s=: no entries (expected [@]FROM-TO-SIZE[#…])", key);
        *out = TAKE_PTR(m);
        *n_out = n;
        return 0;
}

int idmap_parse_option(const char *value, const struct oci_linux *container, struct idmap_request *out,
                       struct error **err)
{
        const char *p = value;
        for (;;) {
                const char *end = strchr(p, ';');
                size_t len = end ? (size_t)(end - p) : strlen(p);
                bool is_uids = len >= 5 && strncmp(p, "uids=", 5) == 0;
                bool is_gids = len >= 5 && strncmp(p, "gids=", 5) == 0;
                if (!is_uids && !is_gids)
                        return error_set(err, EINVAL, "`%.*s`: expected uids=… or gids=…", (int)len, p);
                if (is_uids ? out->n_uids : out->n_gids)
                        return error_set(err, EINVAL, "%s= given twice", is_uids ? "uids" : "gids");
                int r = is_uids ? parse_entries(p + 5, len - 5, "uids", container->uid_mappings,
                                                container->n_uid_mappings, &out->uids, &out->n_uids, err)
                                : parse_entries(p + 5, len - 5, "gids", container->gid_mappings,
                                                container->n_gid_mappings, &out->gids, &out->n_gids, err);
                if (r < 0)
                        return r;
                if (!end)
                        return 0;
                p = end + 1;
        }
}

static int copy_mappings(const struct oci_id_mapping *from, size_t n, struct oci_id_mapping **to, size_t *n_to)
{
        *to = malloc(n * sizeof(*from)); /* NOLINT(clang-analyzer-optin.portability.UnixAPI): callers check n > 0 */
        if (!*to)
                return -ENOMEM;
        memcpy(*to, from, n * sizeof(*from));
        *n_to = n;
        return 0;
}

/* idmap=… may leave out one side: it comes from the container's own mapping (crun's rule). */
static int fill_missing_side(const struct oci_linux *container, struct idmap_request *req, const char *value,
                             struct error **err)
{
        if (!req->n_uids) {
                if (!container->n_uid_mappings)
                        return error_set(err, EINVAL,
                                         "option `idmap=%s`: no uids= and no linux.uidMappings to take them from",
                                         value);
                if (copy_mappings(container->uid_mappings, container->n_uid_mappings, &req->uids, &req->n_uids) < 0)
                        return error_set(err, ENOMEM, "idmap");
        }
        if (!req->n_gids) {
                if (!container->n_gid_mappings)
                        return error_set(err, EINVAL,
                                         "option `idmap=%s`: no gids= and no linux.gidMappings to take them from",
                                         value);
                if (copy_mappings(container->gid_mappings, container->n_gid_mappings, &req->gids, &req->n_gids) < 0)
                        return error_set(err, ENOMEM, "idmap");
        }
        return 0;
}

int idmap_request_resolve(const struct oci_mount *m, const struct mount_options *o, const struct oci_linux *container,
                          bool has_container_userns, struct idmap_request *out, struct error **err)
{
        memset(out, 0, sizeof(*out));
        if (!idmap_mount_is_idmapped(m, o))
                return 0;
        /* Like runc: an idmapping belongs to a clone of an existing tree, which is what a bind mount is. */
        if (!o->is_bind)
                return error_set(err, EINVAL, "an idmapped mount must be a bind mount (add `bind` or `rbind`)");
        bool has_own = m->n_uid_mappings || m->n_gid_mappings;
        int r = 0;
        if (has_own && o->idmap_value) {
                return error_set(err, EINVAL,
                                 "uidMappings/gidMappings and option `idmap=%s` both give a mapping (keep one)",
                                 o->idmap_value);
        } else if (has_own) {
                /* config.json parsing guarantees both are present. */
                if (copy_mappings(m->uid_mappings, m->n_uid_mappings, &out->uids, &out->n_uids) < 0 ||
                    copy_mappings(m->gid_mappings, m->n_gid_mappings, &out->gids, &out->n_gids) < 0)
                        r = error_set(err, ENOMEM, "idmap");
        } else if (o->idmap_value) {
                r = idmap_parse_option(o->idmap_value, container, out, err);
                if (r < 0)
                        r = error_prefix(err, "option `idmap=%s`", o->idmap_value);
                else
                        r = fill_missing_side(container, out, o->idmap_value, err);
        } else if (has_container_userns) {
                out->use_container_userns = true;
        } else {
                return error_set(err, EINVAL,
                                 "option `%s` maps through the container's user namespace, but linux.namespaces has "
                                 "no `user` (add one, or give the mount uidMappings and gidMappings)",
                                 o->ridmap ? "ridmap" : "idmap");
        }
        if (r < 0) {
                idmap_request_free(out);
                return r;
        }
        out->clone_recursive = o->is_rbind;
        /* Mappings without the option: recursive with rbind, as runc does. */
        out->idmap_recursive = o->ridmap || (!o->idmap && o->is_rbind);
        return 1;
}

int idmap_format_map(const struct oci_id_mapping *m, size_t n, char *buf, size_t size)
{
        size_t len = 0;
        if (size)
                buf[0] = '\0';
        for (size_t i = 0; i < n; i++) {
                int w = snprintf(buf + len, size - len, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n", m[i].container_id,
                                 m[i].host_id, m[i].size);
                if (w < 0 || (size_t)w >= size - len)
                        return -E2BIG;
                len += (size_t)w;
        }
        return (int)len;
}

/* ---- syscalls ---- */

static int write_proc_file(pid_t pid, const char *name, const char *text, struct error **err)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return error_sys(err, "open %s", path);
        size_t len = strlen(text);
        if (write(fd, text, len) != (ssize_t)len)
                return error_sys(err, "write %s (the kernel refused the mapping: overlapping ranges?)", name);
        return 0;
}

/* A user namespace carrying the mount's own mapping. The kernel gives user namespaces only to processes:
 * a child is cloned into a new one, its maps are written, the namespace is kept as an fd and the child is
 * killed. The namespace lives on as long as the fd (and then the idmapped mount) refers to it. */
static int open_helper_userns(const struct idmap_request *req, int *out_fd, struct error **err)
{
        char uid_map[IDMAP_MAX_ENTRIES * 33], gid_map[IDMAP_MAX_ENTRIES * 33];
        if (idmap_format_map(req->uids, req->n_uids, uid_map, sizeof(uid_map)) < 0 ||
            idmap_format_map(req->gids, req->n_gids, gid_map, sizeof(gid_map)) < 0)
                return error_set(err, E2BIG, "too many mapping entries");
        /* A raw clone: the new user namespace exists atomically with the child, no handshake needed. */
        pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
        if (pid < 0)
                return error_sys(err, "create a user namespace for the mount's mapping");
        if (pid == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                for (;;)
                        pause();
        }
        /* We hold CAP_SETGID over the new namespace's parent: no setgroups "deny" is needed for gid_map. */
        int r = write_proc_file(pid, "uid_map", uid_map, err);
        if (r >= 0)
                r = write_proc_file(pid, "gid_map", gid_map, err);
        if (r >= 0) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, oci_ns_info(NS_USER)->proc_name);
                *out_fd = open(path, O_RDONLY | O_CLOEXEC);
                if (*out_fd < 0)
                        r = error_sys(err, "open %s", path);
        }
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        return r;
}

/* The filesystem type of the mount `path` is on, from mountinfo, for the error message. Best effort:
 * what cannot be read or parsed leaves "unknown type". */
static void fs_type_of(const char *path, char *buf, size_t size)
{
        snprintf(buf, size, "unknown type");
        struct statx stx;
        if (statx(AT_FDCWD, path, 0, STATX_MNT_ID, &stx) < 0 || !(stx.stx_mask & STATX_MNT_ID))
                return;
        _cleanup_free_ char *text = NULL;
        _cleanup_error_ struct error *ignored = NULL;
        if (mountinfo_read(0, &text, &ignored) < 0)
                return;
        struct mountinfo_iter it;
        struct mountinfo_entry e;
        int r;
        mountinfo_iter_init(&it, text);
        while ((r = mountinfo_next(&it, &e)) != 0) {
                if (r == 1 && (unsigned long long)e.mount_id == stx.stx_mnt_id) {
                        snprintf(buf, size, "%s", e.fstype);
                        break;
                }
                if (r == -ENOMEM)
                        break;
        }
        mountinfo_iter_done(&it);
}

/* Clone the source of `m` into a detached mount and idmap it. */
static int prepare_one(const struct oci_mount *m, const struct mount_options *o, const struct idmap_request *req,
                       const char *bundle, int container_userns_fd, int *out_fd, struct error **err)
{
        if (!m->source)
                return error_set(err, EINVAL, "missing source for a bind mount");
        _cleanup_free_ char *source = mount_bind_source(bundle, m->source);
        if (!source)
                return error_set(err, ENOMEM, "bind source");
        unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (req->clone_recursive ? AT_RECURSIVE : 0) |
                         (o->src_nofollow ? AT_SYMLINK_NOFOLLOW : 0);
        _cleanup_close_ int tree = open_tree(AT_FDCWD, source, flags);
        if (tree < 0 && errno == ENOSYS)
                return error_set(err, ENOSYS, "idmapped mounts need Linux 5.12 or later (no open_tree)");
        if (tree < 0)
                return error_sys(err, "clone `%s` (open_tree)", source);

        _cleanup_close_ int helper = -1;
        if (!req->use_container_userns) {
                int r = open_helper_userns(req, &helper, err);
                if (r < 0)
                        return r;
        }
        struct mount_attr attr = {
            .attr_set = MOUNT_ATTR_IDMAP,
            .userns_fd = (uint64_t)(req->use_container_userns ? container_userns_fd : helper),
        };
        if (mount_setattr(tree, "", AT_EMPTY_PATH | (req->idmap_recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) <
            0) {
                if (errno == ENOSYS)
                        return error_set(err, ENOSYS, "idmapped mounts need Linux 5.12 or later (no mount_setattr)");
                /* The tree is a fresh detached clone and the namespace fd a user namespace: EINVAL can only be
                 * the filesystem lacking FS_ALLOW_IDMAP. */
                if (errno == EINVAL) {
                        char type[64];
                        fs_type_of(source, type, sizeof(type));
                        return error_set(err, EOPNOTSUPP,
                                         "`%s`: its filesystem (%s)%s does not support idmapped mounts", source, type,
                                         req->idmap_recursive ? " or one below it (ridmap)" : "");
                }
                return error_sys(err, "idmap `%s` (mount_setattr)", source);
        }
        *out_fd = TAKE_FD(tree);
        return 0;
}

void idmap_mounts_close(struct idmap_mounts *m)
{
        for (size_t i = 0; i < m->n; i++)
                if (m->fds[i] >= 0)
                        close(m->fds[i]);
        free(m->fds);
        m->fds = NULL;
        m->n = 0;
}

bool idmap_spec_has_idmapped_mounts(const struct oci_spec *spec)
{
        for (size_t i = 0; i < spec->n_mounts; i++) {
                _cleanup_mount_options_ struct mount_options o = {0};
                /* A bad option list is reported by the init, with the other mount errors. */
                if (mount_entry_options(&spec->mounts[i], &o, NULL) >= 0 &&
                    idmap_mount_is_idmapped(&spec->mounts[i], &o))
                        return true;
        }
        return false;
}

static int prepare_entry(const struct oci_spec *spec, const struct oci_mount *m, const char *bundle,
                         int container_userns_fd, int *out_fd, struct error **err)
{
        _cleanup_mount_options_ struct mount_options o = {0};
        int r = mount_entry_options(m, &o, err);
        if (r < 0)
                return r;
        struct idmap_request req;
        r = idmap_request_resolve(m, &o, &spec->linux_, container_userns_fd >= 0, &req, err);
        if (r <= 0)
                return r;
        r = prepare_one(m, &o, &req, bundle, container_userns_fd, out_fd, err);
        idmap_request_free(&req);
        return r < 0 ? r : 1;
}

int idmap_mounts_prepare(const struct oci_spec *spec, const char *bundle, int container_userns_fd,
                         struct idmap_mounts *out, struct error **err)
{
        *out = (struct idmap_mounts){0};
        for (size_t i = 0; i < spec->n_mounts; i++) {
                int fd = -1;
                int r = prepare_entry(spec, &spec->mounts[i], bundle, container_userns_fd, &fd, err);
                if (r == 0)
                        continue;
                int *grown = r > 0 ? realloc(out->fds, (out->n + 1) * sizeof(int)) : NULL;
                if (r > 0 && !grown) {
                        close(fd);
                        r = error_set(err, ENOMEM, "idmapped mounts");
                }
                if (r < 0) {
                        idmap_mounts_close(out);
                        return error_prefix(err, "mount `%s`", spec->mounts[i].destination);
                }
                out->fds = grown;
                out->fds[out->n++] = fd; /* NOLINT(clang-analyzer-core.NullDereference): r > 0 here, so grown */
        }
        return 0;
}

int idmap_attach(int tree_fd, int target_fd)
{
        return move_mount(tree_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0 ? -errno
                                                                                                             : 0;
}

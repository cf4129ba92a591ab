#include "linux/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"

char *sysctl_key_to_path(const char *key)
{
        if (!key || !*key || key[0] == '/' || key[0] == '.')
                return NULL;
        char *p = strdup(key);
        if (!p)
                return NULL;
        bool has_slash = strchr(p, '/') != NULL;
        if (!has_slash)
                for (char *c = p; *c; c++)
                        if (*c == '.')
                                *c = '/';
        /* Every component must be a plain name: no way out of /proc/sys. */
        for (char *comp = p;;) {
                char *end = strchr(comp, '/');
                size_t len = end ? (size_t)(end - comp) : strlen(comp);
                if (len == 0 || (len == 1 && comp[0] == '.') || (len == 2 && comp[0] == '.' && comp[1] == '.')) {
                        free(p);
                        return NULL;
                }
                if (!end)
                        break;
                comp = end + 1;
        }
        return p;
}

static bool starts_with(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* IPC sysctls that live in the IPC namespace (ipc/ipc_sysctl.c, plus the mqueue ones). */
static const char *const ipc_keys[] = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

int sysctl_check(const char *key, const char *value, const struct sysctl_namespaces *ns, struct error **err)
{
        _cleanup_free_ char *path = sysctl_key_to_path(key);
        if (!path)
                return error_set(err, EINVAL, "linux.sysctl: invalid key `%s`", key ? key : "");
        /* Rules are written in the dotted form. */
        _cleanup_free_ char *name = strdup(path);
        if (!name)
                return error_set(err, ENOMEM, "linux.sysctl");
        for (char *c = name; *c; c++)
                if (*c == '/')
                        *c = '.';

        for (size_t i = 0; i < sizeof(ipc_keys) / sizeof(ipc_keys[0]); i++)
                if (strcmp(name, ipc_keys[i]) == 0)
                        goto ipc;
        if (starts_with(name, "fs.mqueue."))
                goto ipc;
        if (starts_with(name, "net.")) {
                if (!ns->has_netns)
                        return error_set(err, EINVAL,
                                         "linux.sysctl.%s: the container has no network namespace of its own: "
                                         "it would change the host",
                                         key);
                return 0;
        }
        if (strcmp(name, "kernel.hostname") == 0)
                return error_set(err, EINVAL, "linux.sysctl.%s: conflicts with `hostname` (set the hostname there)",
                                 key);
        if (strcmp(name, "kernel.domainname") == 0) {
                if (!ns->has_utsns)
                        return error_set(err, EINVAL,
                                         "linux.sysctl.%s: the container has no UTS namespace of its own: "
                                         "it would change the host",
                                         key);
                if (ns->domainname && value && strcmp(ns->domainname, value) != 0)
                        return error_set(err, EINVAL, "linux.sysctl.%s: `%s` conflicts with domainname `%s`", key,
                                         value, ns->domainname);
                return 0;
        }
        if (starts_with(name, "user.")) {
                if (!ns->has_userns)
                        return error_set(err, EINVAL,
                                         "linux.sysctl.%s: the container has no user namespace of its own: "
                                         "it would change the host",
                                         key);
                return 0;
        }
        return error_set(err, EINVAL, "linux.sysctl.%s: is not namespaced (it would change the host)", key);
ipc:
        if (!ns->has_ipcns)
                return error_set(err, EINVAL,
                                 "linux.sysctl.%s: the container has no IPC namespace of its own: it would change "
                                 "the host",
                                 key);
        return 0;
}

static int write_one(const char *key, const char *value, struct error **err)
{
        _cleanup_free_ char *rel = sysctl_key_to_path(key);
        _cleanup_free_ char *path = NULL;
        if (!rel || asprintf(&path, "/proc/sys/%s", rel) < 0)
                return error_set(err, ENOMEM, "linux.sysctl.%s", key);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return error_sys(err, "linux.sysctl.%s: open `%s`", key, path);
        size_t len = strlen(value);
        ssize_t n = write(fd, value, len);
        if (n < 0)
                return error_sys(err, "linux.sysctl.%s: write `%s`", key, value);
        if ((size_t)n != len)
                return error_set(err, EIO, "linux.sysctl.%s: short write of `%s`", key, value);
        return 0;
}

int sysctl_apply(const struct oci_kv *entries, size_t n, const struct sysctl_namespaces *ns, struct error **err)
{
        /* All checked first: a refused key must not leave the others half applied. */
        for (size_t i = 0; i < n; i++) {
                int r = sysctl_check(entries[i].key, entries[i].value, ns, err);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < n; i++) {
                int r = write_one(entries[i].key, entries[i].value ? entries[i].value : "", err);
                if (r < 0)
                        return r;
        }
        return 0;
}

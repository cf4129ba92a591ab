#include "container/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fs.h"

bool notify_message_is_ready(const char *msg, size_t len)
{
        static const char ready[] = "READY=1";
        const size_t rlen = sizeof(ready) - 1;
        size_t start = 0;
        while (start < len) {
                const char *nl = memchr(msg + start, '\n', len - start);
                size_t end = nl ? (size_t)(nl - msg) : len;
                if (end - start == rlen && memcmp(msg + start, ready, rlen) == 0)
                        return true;
                start = end + 1;
        }
        return false;
}

char *notify_container_dir(const char *host)
{
        if (!host || host[0] != '/')
                return strdup(NOTIFY_FALLBACK_DIR);
        size_t n = strlen(host);
        while (n > 1 && host[n - 1] == '/')
                n--;
        if (n == 1)
                return strdup(NOTIFY_FALLBACK_DIR);
        return strndup(host, n);
}

int notify_prepare(int dir_fd, const char *state_dir, struct oci_spec *spec, struct error **err)
{
        if (!getenv("NOTIFY_SOCKET"))
                return 0;
        if (mkdirat(dir_fd, "notify", 0755) < 0 && errno != EEXIST)
                return error_sys(err, "NOTIFY_SOCKET: create `%s/notify`", state_dir);
        _cleanup_free_ char *abs = fs_absolute(state_dir);
        struct oci_mount *m = reallocarray(spec->mounts, spec->n_mounts + 1, sizeof(*m));
        if (!abs || !m)
                return error_set(err, ENOMEM, "NOTIFY_SOCKET: mount");
        spec->mounts = m;
        m = &spec->mounts[spec->n_mounts];
        memset(m, 0, sizeof(*m));
        char **opts = calloc(4, sizeof(char *));
        if (opts) {
                opts[0] = strdup("bind");
                opts[1] = strdup("ro");
                opts[2] = strdup("nosuid");
        }
        m->destination = notify_container_dir(getenv("NOTIFY_SOCKET"));
        m->type = strdup("bind");
        m->options = opts;
        if (asprintf(&m->source, "%s/notify", abs) < 0)
                m->source = NULL;
        spec->n_mounts++; /* counted even when incomplete: oci_spec_free frees what exists */
        if (!opts || !opts[0] || !opts[1] || !opts[2] || !m->destination || !m->type || !m->source)
                return error_set(err, ENOMEM, "NOTIFY_SOCKET: mount");
        return 0;
}

int notify_open(int dir_fd, int *fd, struct error **err)
{
        *fd = -1;
        struct stat st;
        if (!getenv("NOTIFY_SOCKET") || fstatat(dir_fd, "notify", &st, 0) < 0)
                return 0;
        /* Through /proc/self/fd: a long --root must not hit the sun_path limit. */
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/notify/" NOTIFY_SOCKET_NAME, dir_fd);
        unlinkat(dir_fd, "notify/" NOTIFY_SOCKET_NAME, 0);
        _cleanup_close_ int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0)
                return error_sys(err, "NOTIFY_SOCKET: bind the container's notify socket");
        /* Any user of the container may notify, like with systemd's own socket. */
        fchmodat(dir_fd, "notify/" NOTIFY_SOCKET_NAME, 0777, 0);
        *fd = TAKE_FD(s);
        return 0;
}

static int forward(const char *msg, size_t len, struct error **err)
{
        const char *host = getenv("NOTIFY_SOCKET");
        if (!host) /* notify_open saw it set; refused below as an empty path if it went away */
                host = "";
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        size_t hl = strlen(host);
        if (hl == 0 || hl >= sizeof(addr.sun_path))
                return error_set(err, EINVAL, "NOTIFY_SOCKET: `%s` is not a usable socket path", host);
        memcpy(addr.sun_path, host, hl);
        if (host[0] == '@') /* abstract namespace, as systemd writes it */
                addr.sun_path[0] = 0;
        _cleanup_close_ int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0 || sendto(s, msg, len, MSG_NOSIGNAL, (struct sockaddr *)&addr,
                            (socklen_t)(offsetof(struct sockaddr_un, sun_path) + hl)) < 0)
                return error_sys(err, "NOTIFY_SOCKET: forward to `%s`", host);
        return 0;
}

int notify_wait_ready(int fd, int pidfd, struct error **err)
{
        char buf[4096];
        if (pidfd < 0) /* the init is already gone: nobody will say READY=1 */
                return 0;
        for (;;) {
                struct pollfd p[2] = {{fd, POLLIN, 0}, {pidfd, POLLIN, 0}};
                int n = poll(p, 2, -1);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return error_sys(err, "NOTIFY_SOCKET: poll");
                if (p[0].revents & POLLIN) {
                        ssize_t len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
                        if (len < 0 && errno != EAGAIN && errno != EINTR)
                                return error_sys(err, "NOTIFY_SOCKET: receive");
                        if (len > 0) {
                                int r = forward(buf, (size_t)len, err);
                                if (r < 0)
                                        return r;
                                if (notify_message_is_ready(buf, (size_t)len))
                                        return 0;
                        }
                        continue;
                }
                if (p[1].revents & POLLIN) /* the container died before READY=1: crun gives up too */
                        return 0;
        }
}

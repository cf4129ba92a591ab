/* Passing one fd over a unix socket (SCM_RIGHTS): the console socket, the seccomp listener and the
 * parent↔init sync channel all send an fd the same way. Return 0 / a byte count, or -errno. */
#pragma once
#include <stddef.h>
#include <sys/types.h>

/* Send `len` (> 0: a stream socket needs at least one byte for the control message to travel) bytes of
 * `data`, with `fd` attached to the first sendmsg when fd >= 0. What that sendmsg leaves unsent follows
 * with plain sends. MSG_NOSIGNAL: a peer that went away is -EPIPE, not a SIGPIPE. Retries on EINTR. */
int fdpass_send(int sock, int fd, const void *data, size_t len);
/* One recvmsg of up to `len` bytes (retrying on EINTR). An fd that came with them is stored in *fd
 * (O_CLOEXEC), or closed when `fd` is NULL; *fd is -1 when none came. Returns the byte count (0 at EOF). */
ssize_t fdpass_recv(int sock, void *buf, size_t len, int *fd);

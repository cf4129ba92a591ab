#include "container/console_socket.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "core/cleanup.h"

int console_socket_connect(const char *path, int *sock, struct error **err)
{
        *sock = -1;
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        if (strlen(path) >= sizeof(addr.sun_path))
                return error_set(err, ENAMETOOLONG, "--console-socket `%s`: path too long", path);
        strcpy(addr.sun_path, path);
        _cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return error_sys(err, "--console-socket: socket");
        if (connect(s, (struct sockaddr *)&addr, sizeof(addr)) < 0)
                return error_sys(err, "--console-socket: connect to `%s`", path);
        *sock = TAKE_FD(s);
        return 0;
}

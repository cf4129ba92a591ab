#include "init/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fdpass.h"
#include "linux/safe_path.h"

int terminal_connect_console_socket(const char *path, int *sock, struct error **err)
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

int terminal_open(int rootfs_fd, const struct oci_process *proc, int *master, int *slave, struct error **err)
{
        *master = *slave = -1;
        /* Resolved inside the rootfs: /dev/ptmx is normally a symlink to pts/ptmx, the container's devpts. */
        _cleanup_close_ int m = -1;
        int r = safe_openat(rootfs_fd, "/dev/ptmx", O_RDWR | O_NOCTTY, 0, &m, err);
        if (r < 0)
                return error_prefix(err, "terminal: open /dev/ptmx of the container");
        int unlock = 0;
        if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
                return error_sys(err, "terminal: unlock pty");
        /* TIOCGPTPEER opens the slave from the master itself: no path lookup that could land in another
         * devpts instance (before pivot_root, /dev/pts/N would be the host's). */
        _cleanup_close_ int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (s < 0)
                return error_sys(err, "terminal: open pty slave");
        if (proc->has_console_size) {
                struct winsize ws = {.ws_row = (unsigned short)proc->console_height,
                                     .ws_col = (unsigned short)proc->console_width};
                if (ioctl(s, TIOCSWINSZ, &ws) < 0)
                        return error_sys(err, "terminal: process.consoleSize");
        }
        _cleanup_close_ int console = -1;
        r = safe_create_file(rootfs_fd, "/dev/console", 0600, &console, err);
        if (r < 0)
                return error_prefix(err, "terminal: /dev/console");
        char src[64], dst[64];
        safe_fd_path(s, src);
        safe_fd_path(console, dst);
        if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
                return error_sys(err, "terminal: bind-mount the pty on /dev/console");
        *master = TAKE_FD(m);
        *slave = TAKE_FD(s);
        return 0;
}

int terminal_make_controlling(int slave, const struct oci_process *proc, struct error **err)
{
        /* The container user must own its terminal (like runc); ids unmapped in a user namespace fail with
         * EINVAL and leave root as owner, which is what crun does too. */
        if (fchown(slave, proc->uid, (gid_t)-1) < 0 && errno != EINVAL && errno != EPERM)
                return error_sys(err, "terminal: chown the pty");
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
                return error_sys(err, "terminal: make the pty the controlling terminal");
        for (int fd = 0; fd < 3; fd++)
                if (dup2(slave, fd) < 0)
                        return error_sys(err, "terminal: pty as fd %d", fd);
        if (slave > 2)
                close(slave);
        return 0;
}

int terminal_send_master(int sock, int master, struct error **err)
{
        int r = fdpass_send(sock, master, " ", 1);
        if (r < 0)
                return error_set(err, -r, "--console-socket: send the pty master");
        return 0;
}

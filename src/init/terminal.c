#include "init/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <termios.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/fdpass.h"
#include "init/sync.h"
#include "linux/safe_path.h"

int terminal_open_pty(int root_fd, const struct oci_process *proc, int *master, int *slave, struct error **err)
{
        *master = *slave = -1;
        _cleanup_close_ int own_root = -1;
        if (root_fd < 0) {
                own_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (own_root < 0)
                        return error_sys(err, "terminal: open the container root");
                root_fd = own_root;
        }
        /* Resolved inside the root: /dev/ptmx is normally a symlink to pts/ptmx, the container's devpts. */
        _cleanup_close_ int m = -1;
        int r = safe_openat(root_fd, "/dev/ptmx", O_RDWR | O_NOCTTY, 0, &m, err);
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
        *master = TAKE_FD(m);
        *slave = TAKE_FD(s);
        return 0;
}

int terminal_open_console(int rootfs_fd, const struct oci_process *proc, int *master, int *slave, struct error **err)
{
        _cleanup_close_ int m = -1, s = -1;
        int r = terminal_open_pty(rootfs_fd, proc, &m, &s, err);
        if (r < 0)
                return r;
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

static int make_controlling(int slave, const struct oci_process *proc, struct error **err)
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
        return 0;
}

int terminal_hand_over(int master, int slave, const struct oci_process *proc, int console_sock, int sync_fd,
                       struct error **err)
{
        _cleanup_close_ int m = master;
        int r = make_controlling(slave, proc, err);
        if (slave > 2)
                close(slave);
        if (r < 0)
                return r;
        if (console_sock < 0)
                return sync_send_fd(sync_fd, SYNC_PTY, m, err);
        /* Payload and fd count are what conmon checks. */
        r = fdpass_send(console_sock, m, " ", 1);
        return r < 0 ? error_set(err, -r, "--console-socket: send the pty master") : 0;
}

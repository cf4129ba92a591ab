#include "linux/lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/log.h"

bool lsm_apparmor_enabled(void)
{
        char c = 0;
        _cleanup_close_ int fd = open("/sys/module/apparmor/parameters/enabled", O_RDONLY | O_CLOEXEC);
        return fd >= 0 && read(fd, &c, 1) == 1 && c == 'Y';
}

bool lsm_selinux_enabled(void)
{
        return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

char *lsm_apparmor_exec_command(const char *profile)
{
        char *s = NULL;
        return asprintf(&s, "exec %s", profile) < 0 ? NULL : s;
}

/* The first attr file that exists; per-thread, because the label must land on this very task. */
static int write_attr(const char *const *paths, const char *what, const char *data, struct error **err)
{
        for (size_t i = 0; paths[i]; i++) {
                _cleanup_close_ int fd = open(paths[i], O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0 && errno == ENOENT)
                        continue;
                if (fd < 0)
                        return error_sys(err, "%s: open `%s`", what, paths[i]);
                if (write(fd, data, strlen(data)) < 0)
                        return error_sys(err, "%s: set `%s`", what, data);
                return 0;
        }
        return error_set(err, ENOENT, "%s: no LSM attribute file in /proc", what);
}

int lsm_apply_exec_labels(const struct oci_process *proc, struct error **err)
{
        if (proc->apparmor_profile && *proc->apparmor_profile) {
                if (!lsm_apparmor_enabled()) {
                        log_debug("AppArmor is not enabled: ignoring process.apparmorProfile `%s`",
                                  proc->apparmor_profile);
                } else {
                        /* attr/apparmor/exec since Linux 5.8 (stacking); attr/exec before. */
                        static const char *const paths[] = {"/proc/thread-self/attr/apparmor/exec",
                                                            "/proc/thread-self/attr/exec", NULL};
                        _cleanup_free_ char *cmd = lsm_apparmor_exec_command(proc->apparmor_profile);
                        if (!cmd)
                                return error_set(err, ENOMEM, "process.apparmorProfile");
                        int r = write_attr(paths, "process.apparmorProfile", cmd, err);
                        if (r < 0)
                                return r;
                }
        }
        if (proc->selinux_label && *proc->selinux_label) {
                if (!lsm_selinux_enabled()) {
                        log_debug("SELinux is not enabled: ignoring process.selinuxLabel `%s`", proc->selinux_label);
                        return 0;
                }
                static const char *const paths[] = {"/proc/thread-self/attr/exec", NULL};
                return write_attr(paths, "process.selinuxLabel", proc->selinux_label, err);
        }
        return 0;
}

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
        return lsm_attr_command(LSM_APPARMOR, LSM_ON_EXEC, profile);
}

/* "exec" queues a profile for the next execve; "changeprofile" switches this task now (apparmor(7),
 * aa_change_profile). SELinux takes the bare label in both files. */
char *lsm_attr_command(enum lsm_kind kind, enum lsm_when when, const char *label)
{
        char *s = NULL;
        if (kind == LSM_SELINUX)
                return strdup(label);
        return asprintf(&s, "%s %s", when == LSM_ON_EXEC ? "exec" : "changeprofile", label) < 0 ? NULL : s;
}

const char *const *lsm_attr_paths(enum lsm_kind kind, enum lsm_when when)
{
        /* attr/apparmor/ since Linux 5.8 (stacking); the shared attr/ files before. */
        static const char *const apparmor_exec[] = {"/proc/thread-self/attr/apparmor/exec",
                                                    "/proc/thread-self/attr/exec", NULL};
        static const char *const apparmor_current[] = {"/proc/thread-self/attr/apparmor/current",
                                                       "/proc/thread-self/attr/current", NULL};
        static const char *const selinux_exec[] = {"/proc/thread-self/attr/exec", NULL};
        static const char *const selinux_current[] = {"/proc/thread-self/attr/current", NULL};
        if (kind == LSM_APPARMOR)
                return when == LSM_ON_EXEC ? apparmor_exec : apparmor_current;
        return when == LSM_ON_EXEC ? selinux_exec : selinux_current;
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

static int apply_label(enum lsm_kind kind, enum lsm_when when, const char *label, const char *what, struct error **err)
{
        _cleanup_free_ char *cmd = lsm_attr_command(kind, when, label);
        if (!cmd)
                return error_set(err, ENOMEM, "%s", what);
        return write_attr(lsm_attr_paths(kind, when), what, cmd, err);
}

static int apply_labels(const struct oci_process *proc, enum lsm_when when, struct error **err)
{
        if (proc->apparmor_profile && *proc->apparmor_profile) {
                if (!lsm_apparmor_enabled()) {
                        log_debug("AppArmor is not enabled: ignoring process.apparmorProfile `%s`",
                                  proc->apparmor_profile);
                } else {
                        int r = apply_label(LSM_APPARMOR, when, proc->apparmor_profile, "process.apparmorProfile", err);
                        if (r < 0)
                                return r;
                }
        }
        if (proc->selinux_label && *proc->selinux_label) {
                if (!lsm_selinux_enabled()) {
                        log_debug("SELinux is not enabled: ignoring process.selinuxLabel `%s`", proc->selinux_label);
                        return 0;
                }
                return apply_label(LSM_SELINUX, when, proc->selinux_label, "process.selinuxLabel", err);
        }
        return 0;
}

int lsm_apply_exec_labels(const struct oci_process *proc, struct error **err)
{
        return apply_labels(proc, LSM_ON_EXEC, err);
}

int lsm_apply_current_labels(const struct oci_process *proc, struct error **err)
{
        return apply_labels(proc, LSM_NOW, err);
}

/* AppArmor profile and SELinux process label of the container process (process.apparmorProfile,
 * process.selinuxLabel). Both are "on exec" attributes: set in the init, they take effect at execve, so
 * the runtime code in between keeps running unconfined. On a host without the LSM enabled the field is
 * skipped with a debug message (crun's behaviour). linux.mountLabel is mount data, applied by the rootfs
 * code, not here. */
#pragma once
#include <stdbool.h>

#include "core/error.h"
#include "oci/spec.h"

bool lsm_apparmor_enabled(void);
bool lsm_selinux_enabled(void);
/* The text written to the attr file: "exec PROFILE" for AppArmor, the label itself for SELinux. Pure. */
char *lsm_apparmor_exec_command(const char *profile);
/* Init, after pivot_root (the attr files are those of the container's /proc). */
int lsm_apply_exec_labels(const struct oci_process *proc, struct error **err);

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
enum lsm_kind { LSM_APPARMOR, LSM_SELINUX };
/* On the next execve (attr/exec) or for the calling task right now (attr/current). */
enum lsm_when { LSM_ON_EXEC, LSM_NOW };

/* The text written to the attr file: "exec PROFILE" / "changeprofile PROFILE" for AppArmor, the label
 * itself for SELinux. Pure. */
char *lsm_attr_command(enum lsm_kind kind, enum lsm_when when, const char *label);
char *lsm_apparmor_exec_command(const char *profile);
/* The attr files to try, in order (NULL-terminated); the first that exists is written. Pure. */
const char *const *lsm_attr_paths(enum lsm_kind kind, enum lsm_when when);
/* Init, after pivot_root (the attr files are those of the container's /proc). */
int lsm_apply_exec_labels(const struct oci_process *proc, struct error **err);
/* The same labels on the calling task at once, for a process that never execs (the krun VMM). SELinux
 * needs the policy to allow the dynamic transition (setcurrent, dyntransition). */
int lsm_apply_current_labels(const struct oci_process *proc, struct error **err);

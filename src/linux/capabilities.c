#include "linux/capabilities.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "core/cleanup.h"
#include "core/log.h"

int capabilities_last_cap(void)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
        int last = -1;
        if (f && fscanf(f, "%d", &last) == 1 && last >= 0 && last < 64)
                return last;
        /* PR_CAPBSET_READ fails with EINVAL for a capability the kernel does not know. */
        last = 0;
        while (last < 63 && prctl(PR_CAPBSET_READ, (unsigned long)last + 1, 0, 0, 0) >= 0)
                last++;
        return last;
}

uint64_t capabilities_known(uint64_t set, int last_cap)
{
        if (last_cap >= 63)
                return set;
        if (last_cap < 0)
                return 0;
        return set & ((UINT64_C(1) << (last_cap + 1)) - 1);
}

static const char *cap_label(int cap, char *buf, size_t size)
{
        char *name = cap_to_name((cap_value_t)cap);
        snprintf(buf, size, "%s", name ? name : "?");
        cap_free(name);
        return buf;
}

int capabilities_drop_bounding(uint64_t keep, int last_cap, struct error **err)
{
        for (int cap = 0; cap <= last_cap && cap < 64; cap++) {
                if (keep & (UINT64_C(1) << cap))
                        continue;
                /* EINVAL: the kernel does not know this cap after all; nothing to drop. */
                if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0 && errno != EINVAL) {
                        int e = errno;
                        char name[64];
                        return error_set(err, e, "process.capabilities.bounding: drop %s from the bounding set",
                                         cap_label(cap, name, sizeof(name)));
                }
        }
        return 0;
}

static int add_flags(cap_t caps, cap_flag_t flag, uint64_t set, int last_cap)
{
        for (int cap = 0; cap <= last_cap && cap < 64; cap++) {
                if (!(set & (UINT64_C(1) << cap)))
                        continue;
                cap_value_t v = (cap_value_t)cap;
                if (cap_set_flag(caps, flag, 1, &v, CAP_SET) < 0)
                        return -errno;
        }
        return 0;
}

static void cap_freep(cap_t *c)
{
        if (*c)
                cap_free(*c);
}

int capabilities_set_proc(uint64_t effective, uint64_t permitted, uint64_t inheritable, int last_cap,
                          struct error **err)
{
        __attribute__((cleanup(cap_freep))) cap_t caps = cap_init();
        if (!caps)
                return error_sys(err, "process.capabilities: cap_init");
        int r = add_flags(caps, CAP_EFFECTIVE, effective, last_cap);
        if (r >= 0)
                r = add_flags(caps, CAP_PERMITTED, permitted, last_cap);
        if (r >= 0)
                r = add_flags(caps, CAP_INHERITABLE, inheritable, last_cap);
        if (r < 0)
                return error_set(err, -r, "process.capabilities: build the capability sets");
        if (cap_set_proc(caps) < 0)
                return error_sys(err,
                                 "process.capabilities: set effective/permitted/inheritable (capset 0x%llx/"
                                 "0x%llx/0x%llx)",
                                 (unsigned long long)effective, (unsigned long long)permitted,
                                 (unsigned long long)inheritable);
        return 0;
}

int capabilities_set_ambient(uint64_t ambient, int last_cap, struct error **err)
{
        /* EINVAL here means a kernel without ambient capabilities (< 4.3): then there is nothing to clear. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return error_sys(err, "process.capabilities.ambient: clear the ambient set");
        for (int cap = 0; cap <= last_cap && cap < 64; cap++) {
                if (!(ambient & (UINT64_C(1) << cap)))
                        continue;
                /* The runtime spec and crun ignore EINVAL/EPERM (cap not permitted or not inheritable): the
                 * process still starts, and the warning says why the cap is missing. */
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0) < 0) {
                        int e = errno;
                        char name[64];
                        cap_label(cap, name, sizeof(name));
                        if (e != EINVAL && e != EPERM)
                                return error_set(err, e, "process.capabilities.ambient: raise %s", name);
                        log_warning("process.capabilities.ambient: cannot raise %s (it must be permitted and "
                                    "inheritable): %s",
                                    name, strerror(e));
                }
        }
        return 0;
}

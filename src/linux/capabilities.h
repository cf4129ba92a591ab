/* Capability sets of the container process (bitmasks indexed by CAP_* number, as in struct oci_caps). */
#pragma once
#include <stdint.h>

#include "core/error.h"

/* The highest capability the running kernel knows: /proc/sys/kernel/cap_last_cap, else probed with
 * PR_CAPBSET_READ (the container's /proc may not be mounted). */
int capabilities_last_cap(void);
/* `set` without the capabilities above `last_cap` (crun silently ignores caps the kernel does not know). Pure. */
uint64_t capabilities_known(uint64_t set, int last_cap);
/* Drop every capability not in `keep` from the bounding set. Needs CAP_SETPCAP: call while still root. */
int capabilities_drop_bounding(uint64_t keep, int last_cap, struct error **err);
/* capset(effective, permitted, inheritable) through libcap. */
int capabilities_set_proc(uint64_t effective, uint64_t permitted, uint64_t inheritable, int last_cap,
                          struct error **err);
/* Clear the ambient set, then raise each cap of `ambient` (each must be permitted and inheritable by now). */
int capabilities_set_ambient(uint64_t ambient, int last_cap, struct error **err);

/* linux.netDevices: move host interfaces into the container's network namespace, renamed. */
#pragma once
#include <sys/types.h>

#include "core/error.h"
#include "oci/spec.h"

/* From the runtime (host network namespace), once the init exists in its new netns. */
int netdev_move_all(const struct oci_spec *spec, pid_t init_pid, struct error **err);

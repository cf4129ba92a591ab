/* Process attributes the init inherits from the runtime across clone. */
#pragma once
#include "core/error.h"
#include "oci/spec.h"

/* In the runtime, before clone: rlimits (needs host CAP_SYS_RESOURCE to raise hard limits) and
 * oomScoreAdj on the runtime itself so the init inherits them. */
int process_apply_inherited(const struct oci_process *proc, struct error **err);

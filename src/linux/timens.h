/* linux.timeOffsets: the clock offsets of a new time namespace, written by the runtime after
 * unshare(CLONE_NEWTIME) and before the init is cloned into it. */
#pragma once
#include <stdbool.h>

#include "core/error.h"
#include "oci/spec.h"

/* Pure: the text for /proc/PID/timens_offsets ("monotonic S N\nboottime S N\n"); NULL when no offset is
 * set (or on ENOMEM, with *oom set). */
char *timens_offsets_text(const struct oci_linux *l, bool *oom);
/* Right after unshare(CLONE_NEWTIME), before any process enters the namespace (the init's clone). */
int timens_write_offsets(const struct oci_linux *l, struct error **err);

/* The loopback interface of a new network namespace. */
#pragma once
#include "core/error.h"

/* Bring `lo` up in the caller's network namespace (crun and runc do: a new namespace starts with it
 * down, so 127.0.0.1 and ::1 would be unreachable, and pods talk to their sidecars over it). */
int loopback_up(struct error **err);

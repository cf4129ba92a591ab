/* Whether this host can run the krun executor, for `--version` and `features` (through the registry). */
#pragma once
#include <stdbool.h>

/* Whether one of the libkrun flavors (libkrun, libkrun-sev, libkrun-awsnitro) loads the way the handler
 * loads it and exports the entry point the handler calls first. Unloads what it loaded. */
bool krun_library_available(void);

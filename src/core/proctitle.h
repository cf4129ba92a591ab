/* The process title: what `ps`, `podman top` and /proc/<pid>/cmdline show. A workload that never execs
 * (the krun VMM is the container's init) would otherwise show the runtime's own `create ...` command. */
#pragma once
#include <stddef.h>

/* Remember the argv area (main, before anything else). */
void proctitle_init(int argc, char **argv);
/* Overwrite the argv area with "prefix arg0 arg1 ..." (truncated to its size). Every pointer into the
 * original argv becomes invalid: call it only right before the process becomes something else. */
void proctitle_set(const char *prefix, char *const *args);
/* Pure: the title text for `prefix` and `args`, written into buf (at most size bytes, NUL included). */
size_t proctitle_format(char *buf, size_t size, const char *prefix, char *const *args);

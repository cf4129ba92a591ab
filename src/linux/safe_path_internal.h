/* Exposed for the unit tests only: the component-by-component resolver used when openat2 is missing,
 * so both resolvers can be checked against the same hostile rootfs. */
#pragma once
#include <sys/types.h>

int safe_openat_fallback(int root_fd, const char *path, int flags, mode_t mode, int *out_fd);

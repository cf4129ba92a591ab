/* Kernel-style CPU and NUMA node lists ("0-3,7", "1,3-5"): pure parsing into a bitmask. */
#pragma once
#include <stddef.h>

/* Sets the bits of `list` in `mask` (nbits wide, cleared first). Returns the number of bits set, or -1
 * when the syntax is invalid (empty item, range reversed, garbage) or an id is >= nbits. */
int cpulist_parse(const char *list, unsigned long *mask, size_t nbits);

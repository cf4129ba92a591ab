/* RFC 3339 UTC timestamps without libc's time zone machinery. Pure. glibc's gmtime_r and strftime call
 * tzset(), which opens and reads /etc/localtime: a file read on the start path for a stamp that is UTC. */
#pragma once
#include <stddef.h>
#include <time.h>

/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" (proleptic Gregorian calendar, seconds >= 0) into `buf`; the length
 * written, or -1 when `size` is too small (31 bytes with the NUL suffice up to year 9999). */
int utctime_format(const struct timespec *ts, char *buf, size_t size);

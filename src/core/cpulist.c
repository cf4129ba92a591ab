#include "core/cpulist.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define LONG_BITS (sizeof(unsigned long) * CHAR_BIT)

static int parse_id(const char **p, unsigned long *out)
{
        if (!isdigit((unsigned char)**p))
                return -1;
        char *end;
        errno = 0;
        unsigned long v = strtoul(*p, &end, 10);
        if (errno)
                return -1;
        *p = end;
        *out = v;
        return 0;
}

int cpulist_parse(const char *list, unsigned long *mask, size_t nbits)
{
        memset(mask, 0, (nbits + LONG_BITS - 1) / LONG_BITS * sizeof(unsigned long));
        const char *p = list;
        int count = 0;
        for (;;) {
                unsigned long lo, hi;
                if (parse_id(&p, &lo) < 0)
                        return -1;
                hi = lo;
                if (*p == '-') {
                        p++;
                        if (parse_id(&p, &hi) < 0 || hi < lo)
                                return -1;
                }
                if (hi >= nbits)
                        return -1;
                for (unsigned long i = lo; i <= hi; i++) {
                        if (!(mask[i / LONG_BITS] & (1UL << (i % LONG_BITS))))
                                count++;
                        mask[i / LONG_BITS] |= 1UL << (i % LONG_BITS);
                }
                if (*p == 0)
                        return count;
                if (*p != ',')
                        return -1;
                p++;
        }
}

#include "core/utctime.h"

#include <stdio.h>

/* Civil date of a day count since 1970-01-01, by 400-year eras of 146097 days whose years start on
 * March 1st (the leap day then ends the year). */
static void civil_from_days(long long days, long long *year, int *month, int *day)
{
        days += 719468; /* 0000-03-01 to 1970-01-01 */
        long long era = (days >= 0 ? days : days - 146096) / 146097;
        long long doe = days - era * 146097;                                   /* [0, 146096] */
        long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
        long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
        long long mp = (5 * doy + 2) / 153;                                    /* [0, 11], March = 0 */
        *day = (int)(doy - (153 * mp + 2) / 5 + 1);
        *month = (int)(mp < 10 ? mp + 3 : mp - 9);
        *year = yoe + era * 400 + (*month <= 2);
}

int utctime_format(const struct timespec *ts, char *buf, size_t size)
{
        long long secs = (long long)ts->tv_sec;
        long long days = secs / 86400, rem = secs % 86400;
        if (rem < 0) {
                rem += 86400;
                days--;
        }
        long long year;
        int month, day;
        civil_from_days(days, &year, &month, &day);
        int n = snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02d.%09ldZ", year, month, day, (int)(rem / 3600),
                         (int)(rem / 60 % 60), (int)(rem % 60), (long)ts->tv_nsec);
        return n < 0 || (size_t)n >= size ? -1 : n;
}

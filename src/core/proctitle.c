#include "core/proctitle.h"

#include <string.h>
#include <sys/prctl.h>

static char *area;
static size_t area_size;

void proctitle_init(int argc, char **argv)
{
        if (argc <= 0 || !argv[0])
                return;
        /* The kernel lays the argv strings out back to back: the area runs from argv[0] to the end of the
         * last one that follows contiguously. */
        char *end = argv[0] + strlen(argv[0]) + 1;
        for (int i = 1; i < argc && argv[i] == end; i++)
                end = argv[i] + strlen(argv[i]) + 1;
        area = argv[0];
        area_size = (size_t)(end - area);
}

size_t proctitle_format(char *buf, size_t size, const char *prefix, char *const *args)
{
        size_t n = 0;
        if (size == 0)
                return 0;
        const char *part = prefix;
        for (size_t i = 0; part; part = args ? args[i++] : NULL) {
                if (n > 0 && n + 1 < size)
                        buf[n++] = ' ';
                size_t len = strlen(part);
                if (len > size - 1 - n)
                        len = size - 1 - n;
                memcpy(buf + n, part, len);
                n += len;
        }
        buf[n] = '\0';
        return n;
}

void proctitle_set(const char *prefix, char *const *args)
{
        prctl(PR_SET_NAME, prefix, 0, 0, 0);
        if (!area)
                return;
        size_t n = proctitle_format(area, area_size, prefix, args);
        /* The rest zeroed: /proc/<pid>/cmdline then ends where the title ends. */
        memset(area + n, 0, area_size - n);
}

#include "linux/timens.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/cleanup.h"

char *timens_offsets_text(const struct oci_linux *l, bool *oom)
{
        static const char *const clocks[] = {"monotonic", "boottime"};
        char *text = NULL;
        size_t len = 0;
        *oom = false;
        FILE *f = NULL;
        for (size_t i = 0; i < 2; i++) {
                if (!l->time_offsets[i].set)
                        continue;
                if (!f && !(f = open_memstream(&text, &len))) {
                        *oom = true;
                        return NULL;
                }
                fprintf(f, "%s %lld %u\n", clocks[i], (long long)l->time_offsets[i].secs, l->time_offsets[i].nanosecs);
        }
        if (f && fclose(f) != 0) {
                free(text);
                *oom = true;
                return NULL;
        }
        return text;
}

int timens_write_offsets(const struct oci_linux *l, struct error **err)
{
        bool oom;
        _cleanup_free_ char *text = timens_offsets_text(l, &oom);
        if (oom)
                return error_set(err, ENOMEM, "linux.timeOffsets");
        if (!text)
                return 0;
        _cleanup_close_ int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
        /* One write: the kernel takes all the clocks of a write at once. */
        if (fd < 0 || write(fd, text, strlen(text)) < 0)
                return error_sys(err, "linux.timeOffsets: write /proc/self/timens_offsets");
        return 0;
}

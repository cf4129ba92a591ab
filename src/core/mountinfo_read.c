/* Reading /proc/<pid>/mountinfo: the one place that knows its path and size cap (see mountinfo.h). */
#include <stdio.h>

#include "core/fs.h"
#include "core/mountinfo.h"

int mountinfo_read(pid_t pid, char **text, struct error **err)
{
        char path[64];
        if (pid > 0)
                snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
        else
                snprintf(path, sizeof(path), "/proc/self/mountinfo");
        *text = NULL;
        int r = fs_read_file(path, MOUNTINFO_MAX_SIZE, text, NULL);
        if (r < 0)
                return error_set(err, -r, "read %s", path);
        return 0;
}

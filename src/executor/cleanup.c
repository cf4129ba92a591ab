/* `delete`: undo what an executor left in the rootfs. Runs without loading the executor (no libkrun). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "executor/executor.h"
#include "oci/state.h"

int executor_cleanup_rootfs(const char *executor_name, const char *id, const char *rootfs, int state_dir_fd,
                            struct error **err)
{
        const struct executor *ex = executor_by_name(executor_name);
        if (!ex || !ex->cleanup_rootfs || !rootfs)
                return 0;
        /* The bundle path is the caller's, not the image's: opened like create opened it. */
        _cleanup_close_ int rootfs_fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfs_fd < 0) {
                if (errno == ENOENT || errno == ENOTDIR)
                        return 0; /* the engine removed the rootfs first */
                return error_sys(err, "open rootfs `%s`", rootfs);
        }
        _cleanup_free_ char *config = NULL;
        size_t len = 0;
        _cleanup_error_ struct error *e = NULL;
        int r = state_read_config(state_dir_fd, id, &config, &len, &e);
        if (r < 0 && e->errnum != ENOENT) { /* no copy: the executor removes only what it can tell is its own */
                *err = TAKE_PTR(e);
                return r;
        }
        return ex->cleanup_rootfs(rootfs_fd, config, config ? len : 0, err);
}

/* The native executor: the workload is the container init itself, replaced by execve. */
#include <errno.h>
#include <unistd.h>

#include "executor/executor.h"

extern char **environ;

static int native_exec(struct executor_ctx *ctx, const struct oci_process *proc, const char *path, struct error **err)
{
        (void)ctx;
        /* The create flow already set `environ` to the container environment (process_build_env). */
        execve(path, proc->args, environ);
        /* crun's wording: ENOENT here, after the file was found at create, is usually the ELF interpreter or a
         * shared library missing from the image. */
        if (errno == ENOENT)
                return error_sys(err, "exec container process (missing dynamic library?) `%s`", path);
        return error_sys(err, "exec container process `%s`", path);
}

const struct executor executor_native = {
    .name = "native",
    .caps = EXECUTOR_CAN_EXEC | EXECUTOR_CAN_PAUSE | EXECUTOR_CAN_UPDATE | EXECUTOR_CAN_CHECKPOINT,
    .resolves_executable = true,
    .exec = native_exec,
};

#include "fake_lifecycle.h"

#include "container/checkpoint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fake_call fake_last;
int fake_run_exit_status;

void fake_reset(void)
{
        memset(&fake_last, 0, sizeof(fake_last));
        memset(&fake_manage, 0, sizeof(fake_manage));
        fake_run_exit_status = 0;
}

static void record(const char *fn, const char *id)
{
        fake_last.fn = fn;
        snprintf(fake_last.id, sizeof(fake_last.id), "%s", id ? id : "");
        fake_last.calls++;
}

int container_create(struct runtime_ctx *rt, const struct create_options *opts, struct error **err)
{
        (void)rt;
        (void)err;
        record("create", opts->id);
        fake_last.create = *opts;
        return 0;
}

int container_run(struct runtime_ctx *rt, const struct create_options *opts, int *exit_status, struct error **err)
{
        (void)rt;
        (void)err;
        record("run", opts->id);
        fake_last.create = *opts;
        *exit_status = fake_run_exit_status;
        return 0;
}

int container_start(struct runtime_ctx *rt, const char *id, struct error **err)
{
        (void)rt;
        (void)err;
        record("start", id);
        return 0;
}

int container_kill(struct runtime_ctx *rt, const char *id, int signo, bool all, struct error **err)
{
        (void)rt;
        record("kill", id);
        fake_last.signo = signo;
        fake_last.flag = all;
        if (!strcmp(id, "dead"))
                return error_set(err, ESRCH, "container `%s` is not running", id);
        return 0;
}

int container_delete(struct runtime_ctx *rt, const char *id, bool force, struct error **err)
{
        (void)rt;
        (void)err;
        record("delete", id);
        fake_last.flag = force;
        return 0;
}

struct fake_manage fake_manage;

int container_exec(struct runtime_ctx *rt, const struct exec_options *opts, int *exit_status, struct error **err)
{
        (void)rt;
        record("exec", opts->id);
        fake_manage.exec_detach = opts->detach;
        fake_manage.exec_args0 = opts->args ? opts->args[0] : NULL;
        *exit_status = fake_manage.exec_status;
        if (fake_manage.exec_fail)
                return error_set(err, ENOENT, "executable file `x` not found in $PATH");
        return 0;
}

int container_pause(struct runtime_ctx *rt, const char *id, struct error **err)
{
        (void)rt;
        (void)err;
        record("pause", id);
        return 0;
}

int container_resume(struct runtime_ctx *rt, const char *id, struct error **err)
{
        (void)rt;
        (void)err;
        record("resume", id);
        return 0;
}

int container_update(struct runtime_ctx *rt, const char *id, const char *resources_file,
                     const struct oci_resources *flags, struct error **err)
{
        (void)rt;
        (void)err;
        record("update", id);
        fake_manage.update_file = resources_file;
        fake_manage.update_has_flags = flags != NULL;
        if (flags)
                fake_manage.update_flags = *flags;
        return 0;
}

int container_pids(struct runtime_ctx *rt, const char *id, pid_t **pids, size_t *n, struct error **err)
{
        (void)rt;
        (void)err;
        record("ps", id);
        *pids = calloc(2, sizeof(**pids));
        (*pids)[0] = 10;
        (*pids)[1] = 42;
        *n = 2;
        return 0;
}

int container_checkpoint(struct runtime_ctx *rt, const struct checkpoint_options *opts, struct error **err)
{
        (void)rt;
        (void)err;
        record("checkpoint", opts->id);
        return 0;
}

/* `features` asks whether criu is there: never in the unit tests (container/checkpoint.c is not linked). */
char *checkpoint_criu_path(const struct runtime_ctx *rt, struct error **err)
{
        (void)rt;
        (void)err;
        return NULL;
}

int container_restore(struct runtime_ctx *rt, const struct restore_options *opts, int *exit_status, struct error **err)
{
        (void)rt;
        (void)err;
        record("restore", opts->id);
        *exit_status = fake_run_exit_status;
        return 0;
}

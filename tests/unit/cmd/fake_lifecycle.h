/* Recording fakes of src/container/lifecycle.h, so the command layer is tested without creating
 * containers. They replace the library's versions at link time (the test object defines every one of
 * them, so the archive members holding the real ones are never pulled in). */
#pragma once
#include "container/lifecycle.h"

struct fake_call {
        const char *fn;
        struct create_options create; /* create/run */
        char id[256];
        int signo;
        bool flag; /* kill --all / delete --force */
        int calls;
};
extern struct fake_call fake_last;
extern int fake_run_exit_status;
void fake_reset(void);

/* exec, pause/resume, update, ps */
struct fake_manage {
        int exec_status; /* what the fake exec reports as the process status */
        bool exec_fail;  /* fail like a missing executable (status 127 must be set by the test) */
        bool exec_detach;
        const char *exec_args0;
        const char *update_file;
        bool update_has_flags;
        struct oci_resources update_flags;
};
extern struct fake_manage fake_manage;

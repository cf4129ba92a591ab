/* The command table: main dispatches through it and the global --help lists it. */
#include <string.h>

#include "cmd/cmd.h"

const struct cmd_desc *const cmd_table[] = {
    &cmd_create_desc,
    &cmd_start_desc,
    &cmd_run_desc,
    &cmd_kill_desc,
    &cmd_delete_desc,
    &cmd_state_desc,
    &cmd_list_desc,
    &cmd_spec_desc,
    &cmd_exec_desc,
    &cmd_ps_desc,
    &cmd_pause_desc,
    &cmd_resume_desc,
    &cmd_update_desc,
    &cmd_features_desc,
    &cmd_checkpoint_desc,
    &cmd_restore_desc,
    NULL,
};

const struct cmd_desc *cmd_find(const char *name)
{
        for (size_t i = 0; cmd_table[i]; i++)
                if (!strcmp(cmd_table[i]->name, name))
                        return cmd_table[i];
        return NULL;
}

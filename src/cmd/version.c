/* `--version`: the block go-runc and podman parse (line 1 cut at a fixed width, `commit: `, `spec: `). Line 1
 * reads "crun version X" like crun's own (also when invoked as krun, as crun's krun does), so scripts and
 * tools that recognise crun by it accept us. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_config.h"
#include "cmd/cmd.h"
#include "core/cleanup.h"
#include "executor/executor.h"

/* Build-time dependencies around the executors' tags; JSON_C stays last, as in crun. */
static const char *const static_features_before[] = {"+SECCOMP", "+CAP", "+SYSTEMD"};
static const char *const static_features_after[] = {"+JSON_C"};

char *cmd_version_features(bool has_criu, unsigned available)
{
        char buf[256] = "";
        size_t n = 0;
        for (size_t i = 0; i < ARRAY_SIZE(static_features_before); i++)
                n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s ", static_features_before[i]);
        /* crun lists +CRIU only when it can checkpoint; we can when a criu binary is there to run. */
        if (has_criu)
                n += (size_t)snprintf(buf + n, sizeof(buf) - n, "+CRIU ");
        /* crun lists the feature string of each handler it was built with; ours are loaded at run time, so
         * `-` says this host cannot run one. */
        for (size_t i = 0; i < executor_count(); i++) {
                const struct executor *ex = executor_at(i);
                if (ex->feature)
                        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%c%s ", available & (1u << i) ? '+' : '-',
                                              ex->feature);
        }
        for (size_t i = 0; i < ARRAY_SIZE(static_features_after); i++)
                n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s ", static_features_after[i]);
        if (n > 0)
                buf[n - 1] = 0;
        return strdup(buf);
}

char *cmd_version_text(const char *rundir, bool has_criu, unsigned available)
{
        char *features = cmd_version_features(has_criu, available);
        if (!features)
                return NULL;
        char *out = NULL;
        if (asprintf(&out, "crun version %s\ncommit: %s\nrundir: %s\nspec: 1.0.0\n%s\n", KRUN_VERSION, KRUN_COMMIT,
                     rundir, features) < 0)
                out = NULL;
        free(features);
        return out;
}

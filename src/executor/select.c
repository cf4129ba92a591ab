/* Which executor runs a container (docs/krun-mode.md, step "select"). Pure: argv[0] and the annotations only. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "core/cleanup.h"
#include "executor/executor.h"

#define ANNOTATION_HANDLER "run.oci.handler"
#define ANNOTATION_CONTAINER_TYPE "io.kubernetes.cri.container-type"

/* The handler an invocation name asks for: `krun` → "krun", `crun-NAME` → NAME, else none. */
static const char *global_handler(const char *argv0_basename)
{
        if (!argv0_basename)
                return NULL;
        if (strcmp(argv0_basename, "krun") == 0)
                return "krun";
        if (strncmp(argv0_basename, "crun-", 5) == 0)
                return argv0_basename + 5;
        return NULL;
}

int executor_select(const char *argv0_basename, const struct oci_spec *spec, const struct executor **out,
                    struct error **err)
{
        *out = NULL;
        /* The pod sandbox (pause) container never gets a handler, so `krun` as the pod runtime still starts
         * its infra container natively; checked before everything else, as upstream does. */
        const char *type = oci_spec_annotation(spec, ANNOTATION_CONTAINER_TYPE);
        if (type && strcmp(type, "sandbox") == 0) {
                *out = &executor_native;
                return 0;
        }

        const char *global = global_handler(argv0_basename);
        const char *local = oci_spec_annotation(spec, ANNOTATION_HANDLER);
        if (global && local)
                return error_set(err, EACCES,
                                 "invalid attempt to override already configured global handler (invoked as `%s`, "
                                 "annotation " ANNOTATION_HANDLER "=`%s`)",
                                 argv0_basename, local);
        const char *name = global ? global : local;
        if (!name) {
                *out = &executor_native;
                return 0;
        }
        *out = executor_handler(name);
        if (*out)
                return 0;
        _cleanup_free_ char *known = executor_handler_names();
        /* Upstream silently falls back to a plain container here; a caller asking for VM isolation must never
         * get one without being told. */
        if (global)
                return error_set(err, ENOENT, "invoked as `%s`: unknown handler `%s` (expected one of: %s)",
                                 argv0_basename, name, known ? known : "?");
        return error_set(err, ENOENT,
                         "config.json: annotations: " ANNOTATION_HANDLER ": unknown handler `%s` (expected one of: "
                         "%s)",
                         name, known ? known : "?");
}

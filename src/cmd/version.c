/* `--version`: the block go-runc and podman parse (line 1 cut at a fixed width, `commit: `, `spec: `). Line 1
 * reads "crun version X" like crun's own (also when invoked as krun, as crun's krun does), so scripts and
 * tools that recognise crun by it accept us. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "build_config.h"
#include "cmd/cmd.h"
#include "core/cleanup.h"

/* Every tag but LIBKRUN is a build-time dependency; JSON_C stays last, as in crun. */
static const char *const static_features_before[] = {"+SECCOMP", "+CAP", "+SYSTEMD"};
static const char *const static_features_after[] = {"+JSON_C"};

/* libkrun is dlopen'ed at run time (never linked), so the tag reflects this host, not the build. */
static const char *const libkrun_libraries[] = {"libkrun.so.1", "libkrun-sev.so.1", "libkrun-awsnitro.so.1"};

char *cmd_version_features(bool has_criu, bool has_libkrun)
{
        char buf[256] = "";
        size_t n = 0;
        for (size_t i = 0; i < ARRAY_SIZE(static_features_before); i++)
                n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s ", static_features_before[i]);
        /* crun lists +CRIU only when it can checkpoint; we can when a criu binary is there to run. */
        if (has_criu)
                n += (size_t)snprintf(buf + n, sizeof(buf) - n, "+CRIU ");
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s ", has_libkrun ? "+LIBKRUN" : "-LIBKRUN");
        for (size_t i = 0; i < ARRAY_SIZE(static_features_after); i++)
                n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s ", static_features_after[i]);
        if (n > 0)
                buf[n - 1] = 0;
        return strdup(buf);
}

char *cmd_version_text(const char *rundir, bool has_criu, bool has_libkrun)
{
        char *features = cmd_version_features(has_criu, has_libkrun);
        if (!features)
                return NULL;
        char *out = NULL;
        if (asprintf(&out, "crun version %s\ncommit: %s\nrundir: %s\nspec: 1.0.0\n%s\n", KRUN_VERSION, KRUN_COMMIT,
                     rundir, features) < 0)
                out = NULL;
        free(features);
        return out;
}

bool cmd_libkrun_available(void)
{
        /* Load the way the krun executor does (RTLD_NOW: every symbol resolvable) and require the entry point
         * it calls first, so the tag never promises a library the executor would then refuse. */
        for (size_t i = 0; i < ARRAY_SIZE(libkrun_libraries); i++) {
                void *h = dlopen(libkrun_libraries[i], RTLD_NOW | RTLD_LOCAL);
                if (!h)
                        continue;
                bool has_entry = dlsym(h, "krun_create_ctx") != NULL;
                dlclose(h);
                if (has_entry)
                        return true;
        }
        return false;
}

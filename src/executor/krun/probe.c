/* libkrun is dlopen'ed at run time (never linked), so whether the krun executor works is a fact about this
 * host, not about the build. */
#include <dlfcn.h>

#include "executor/krun/probe.h"
#include "executor/krun/vm_config.h"

bool krun_library_available(void)
{
        /* Open each variant's library the way prepare_rootfs opens the container's one (load_library in
         * handler.c: RTLD_NOW, every symbol resolvable) and require the entry point it calls first, so
         * `+LIBKRUN` never promises a library the executor would then refuse. */
        for (int f = 0; f < KRUN_FLAVOR_COUNT; f++) {
                void *h = dlopen(krun_flavor_library((enum krun_flavor)f), RTLD_NOW | RTLD_LOCAL);
                if (!h)
                        continue;
                bool has_entry = dlsym(h, "krun_create_ctx") != NULL;
                dlclose(h);
                if (has_entry)
                        return true;
        }
        return false;
}

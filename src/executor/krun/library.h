/* Facts about libkrun builds found in the wild, as pure functions of what a loaded library exports
 * (docs/krun-mode.md, "How it works"): which guest-kernel library (libkrunfw) its krun_create_ctx
 * loads, and which krun_has_feature ids a configuration needs. The handler asks dlsym and the library;
 * these functions only interpret the answers. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "executor/krun/vm_config.h"

/* Exported symbols that date a libkrun release. */
struct krun_library_markers {
        bool has_setuid;                 /* krun_setuid: >= 1.11.0 */
        bool has_disable_implicit_vsock; /* krun_disable_implicit_vsock: >= 1.17.0 */
        bool has_has_feature;            /* krun_has_feature: >= 1.17.3 */
};

#define KRUN_SYM_SETUID "krun_setuid"
#define KRUN_SYM_DISABLE_IMPLICIT_VSOCK "krun_disable_implicit_vsock"
#define KRUN_SYM_HAS_FEATURE "krun_has_feature"

/* The soname libkrun dlopens in its first krun_create_ctx: libkrunfw[-sev].so.5 from 1.17.0, .so.4 from
 * 1.11.0. NULL when there is nothing to check: libkrun <= 1.10 links libkrunfw (a missing one already
 * failed the dlopen of libkrun), and aws-nitro, whose guest is not verified to come from libkrunfw. */
const char *krun_libkrunfw_soname(enum krun_flavor flavor, const struct krun_library_markers *m);

/* krun_has_feature ids (libkrun include/libkrun.h, v1.19.0). */
enum krun_feature {
        KRUN_FEATURE_NET = 0,
        KRUN_FEATURE_BLK = 1,
        KRUN_FEATURE_GPU = 2,
};

struct krun_feature_need {
        enum krun_feature feature;
        const char *name;   /* "networking" */
        const char *reason; /* the setting that needs it: "krun.use_passt" */
};

#define KRUN_FEATURE_NEEDS_MAX 4

/* The features `cfg` needs from the library, in a fixed order; returns their number. */
size_t krun_features_needed(const struct vm_config *cfg, struct krun_feature_need out[KRUN_FEATURE_NEEDS_MAX]);

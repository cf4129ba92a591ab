/* Pure facts about libkrun builds (library.h). */
#include "executor/krun/library.h"

const char *krun_libkrunfw_soname(enum krun_flavor flavor, const struct krun_library_markers *m)
{
        /* krun_has_feature (1.17.3) implies the 1.17 generation even if krun_disable_implicit_vsock were
         * ever renamed. */
        bool is_v5 = m->has_disable_implicit_vsock || m->has_has_feature;
        if (!is_v5 && !m->has_setuid)
                return NULL;
        switch (flavor) {
        case KRUN_FLAVOR_PLAIN:
                return is_v5 ? "libkrunfw.so.5" : "libkrunfw.so.4";
        case KRUN_FLAVOR_SEV:
                return is_v5 ? "libkrunfw-sev.so.5" : "libkrunfw-sev.so.4";
        case KRUN_FLAVOR_AWSNITRO:
        case KRUN_FLAVOR_COUNT:
                break;
        }
        return NULL;
}

size_t krun_features_needed(const struct vm_config *cfg, struct krun_feature_need out[KRUN_FEATURE_NEEDS_MAX])
{
        size_t n = 0;
        /* libkrun builds the virtio-net device only with NET=1 and the GPU only with GPU=1; without them the
         * calls are either missing or accepted and ignored (a VM without the device). */
        if (cfg->use_passt)
                out[n++] = (struct krun_feature_need){KRUN_FEATURE_NET, "networking (NET=1)", "krun.use_passt"};
        if (cfg->gpu_flags > 0)
                out[n++] = (struct krun_feature_need){KRUN_FEATURE_GPU, "the GPU (GPU=1)", "krun.gpu_flags"};
        return n;
}

/* Facts about libkrun builds (library.h) and the /dev/kvm open hints (devices.h): which libkrunfw a
 * release loads, which features a configuration needs, what a failed open of /dev/kvm means. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "executor/krun/devices.h"
#include "executor/krun/library.h"

static void test_libkrunfw_soname(void **state)
{
        (void)state;
        const struct krun_library_markers v110 = {0};
        const struct krun_library_markers v116 = {.has_setuid = true};
        const struct krun_library_markers v117 = {.has_setuid = true, .has_disable_implicit_vsock = true};
        const struct krun_library_markers v119 = {
            .has_setuid = true, .has_disable_implicit_vsock = true, .has_has_feature = true};
        const struct krun_library_markers only_feature = {.has_has_feature = true};
        /* <= 1.10 links libkrunfw: nothing left to check once libkrun itself loaded. */
        assert_null(krun_libkrunfw_soname(KRUN_FLAVOR_PLAIN, &v110));
        assert_string_equal(krun_libkrunfw_soname(KRUN_FLAVOR_PLAIN, &v116), "libkrunfw.so.4");
        assert_string_equal(krun_libkrunfw_soname(KRUN_FLAVOR_SEV, &v116), "libkrunfw-sev.so.4");
        assert_string_equal(krun_libkrunfw_soname(KRUN_FLAVOR_PLAIN, &v117), "libkrunfw.so.5");
        assert_string_equal(krun_libkrunfw_soname(KRUN_FLAVOR_PLAIN, &v119), "libkrunfw.so.5");
        assert_string_equal(krun_libkrunfw_soname(KRUN_FLAVOR_SEV, &v119), "libkrunfw-sev.so.5");
        assert_string_equal(krun_libkrunfw_soname(KRUN_FLAVOR_PLAIN, &only_feature), "libkrunfw.so.5");
        assert_null(krun_libkrunfw_soname(KRUN_FLAVOR_AWSNITRO, &v119));
}

static void test_features_needed(void **state)
{
        (void)state;
        struct krun_feature_need n[KRUN_FEATURE_NEEDS_MAX];
        struct vm_config cfg = {.flavor = KRUN_FLAVOR_PLAIN, .cpus = 1, .ram_mib = 512};
        assert_int_equal(krun_features_needed(&cfg, n), 0);
        cfg.use_passt = true;
        cfg.gpu_flags = 1;
        assert_int_equal(krun_features_needed(&cfg, n), 2);
        assert_int_equal(n[0].feature, KRUN_FEATURE_NET);
        assert_int_equal(n[0].feature, 0);
        assert_string_equal(n[0].reason, "krun.use_passt");
        assert_int_equal(n[1].feature, KRUN_FEATURE_GPU);
        assert_int_equal(n[1].feature, 2);
        assert_string_equal(n[1].reason, "krun.gpu_flags");
}

static void test_kvm_open_hints(void **state)
{
        (void)state;
        assert_non_null(strstr(krun_kvm_open_hint(EACCES), "`kvm` group"));
        assert_non_null(strstr(krun_kvm_open_hint(EPERM), "`kvm` group"));
        assert_non_null(strstr(krun_kvm_open_hint(ENOENT), "no KVM"));
        assert_non_null(strstr(krun_kvm_open_hint(ENXIO), "no KVM driver"));
        assert_non_null(strstr(krun_kvm_open_hint(ENODEV), "no KVM driver"));
        assert_null(krun_kvm_open_hint(EBUSY));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_libkrunfw_soname),
            cmocka_unit_test(test_features_needed),
            cmocka_unit_test(test_kvm_open_hints),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* krun_plan_build: the libkrun call order and arguments for each flavor and feature (krun-mode.md §2.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "core/log.h"
#include "executor/krun/libkrun.h"
#include "executor/krun/plan.h"

static struct vm_config base(void)
{
        return (struct vm_config){.flavor = KRUN_FLAVOR_PLAIN,
                                  .cpus = 2,
                                  .ram_mib = 1024,
                                  .virtiofs_tag = "/dev/root",
                                  .virtiofs_shm_size = 536870912ull};
}

static void expect_order(const struct krun_plan *p, const enum krun_call_id *ids, size_t n)
{
        if (p->n != n)
                fail_msg("plan has %zu calls, expected %zu", p->n, n);
        for (size_t i = 0; i < n; i++)
                if (p->calls[i].id != ids[i])
                        fail_msg("call %zu is %s, expected %s", i, krun_call_symbol(p->calls[i].id),
                                 krun_call_symbol(ids[i]));
}

static void test_default_plan(void **state)
{
        (void)state;
        struct vm_config cfg = base();
        struct krun_plan p;
        krun_plan_build(&(struct krun_plan_input){.cfg = &cfg, .log_level = LOG_ERROR, .passt_fd = -1}, &p);
        const enum krun_call_id ids[] = {KRUN_CALL_SET_LOG_LEVEL, KRUN_CALL_ADD_VIRTIOFS2, KRUN_CALL_SET_VM_CONFIG,
                                         KRUN_CALL_START_ENTER};
        expect_order(&p, ids, ARRAY_SIZE(ids));
        assert_int_equal(p.calls[0].value, KRUN_LOG_LEVEL_ERROR);
        assert_string_equal(p.calls[1].tag, "/dev/root");
        assert_string_equal(p.calls[1].path, "/");
        assert_int_equal(p.calls[1].value, 536870912ull);
        assert_int_equal(p.calls[2].vcpus, 2);
        assert_int_equal(p.calls[2].ram_mib, 1024);
        for (size_t i = 0; i < p.n; i++)
                assert_false(p.calls[i].is_optional);
}

static void test_log_levels(void **state)
{
        (void)state;
        assert_int_equal(krun_log_level_for(LOG_ERROR), 1);
        assert_int_equal(krun_log_level_for(LOG_WARNING), 2);
        assert_int_equal(krun_log_level_for(LOG_DEBUG), 4);
}

static void test_all_features(void **state)
{
        (void)state;
        struct vm_config cfg = base();
        cfg.gpu_flags = 0x583;
        cfg.nested_virt = true;
        cfg.use_passt = true;
        cfg.has_kernel = true;
        cfg.kernel_path = "/vmlinux";
        cfg.kernel_format = 1;
        cfg.initrd_path = "/initrd";
        cfg.kernel_cmdline = "quiet";
        struct krun_plan p;
        krun_plan_build(&(struct krun_plan_input){.cfg = &cfg, .log_level = LOG_DEBUG, .passt_fd = 7}, &p);
        const enum krun_call_id ids[] = {
            KRUN_CALL_SET_LOG_LEVEL,      KRUN_CALL_ADD_VIRTIOFS2,     KRUN_CALL_SET_VM_CONFIG,
            KRUN_CALL_SET_GPU_OPTIONS,    KRUN_CALL_CHECK_NESTED_VIRT, KRUN_CALL_SET_NESTED_VIRT,
            KRUN_CALL_ADD_NET_UNIXSTREAM, KRUN_CALL_SET_KERNEL,        KRUN_CALL_START_ENTER};
        expect_order(&p, ids, ARRAY_SIZE(ids));
        assert_int_equal(p.calls[0].value, KRUN_LOG_LEVEL_DEBUG);
        assert_int_equal(p.calls[3].value, 0x583);
        assert_true(p.calls[4].is_optional);
        assert_int_equal(p.calls[5].value, 1);
        assert_false(p.calls[5].is_optional);
        assert_int_equal(p.calls[6].fd, 7);
        assert_int_equal(p.calls[6].features, 0x4C83);
        assert_int_equal(p.calls[6].flags, KRUN_NET_FLAG_DHCP_CLIENT);
        assert_true(p.calls[6].retry_without_flags);
        assert_string_equal(p.calls[7].path, "/vmlinux");
        assert_int_equal(p.calls[7].value, 1);
        assert_string_equal(p.calls[7].initrd, "/initrd");
        assert_string_equal(p.calls[7].cmdline, "quiet");
}

static void test_kernel_without_initrd(void **state)
{
        (void)state;
        struct vm_config cfg = base();
        cfg.has_kernel = true;
        cfg.kernel_path = "/vmlinux";
        cfg.kernel_format = 0;
        struct krun_plan p;
        krun_plan_build(&(struct krun_plan_input){.cfg = &cfg, .passt_fd = -1}, &p);
        assert_int_equal(p.calls[p.n - 2].id, KRUN_CALL_SET_KERNEL);
        assert_null(p.calls[p.n - 2].initrd);
        assert_null(p.calls[p.n - 2].cmdline);
        assert_int_equal(p.calls[p.n - 2].value, 0);
}

static void test_sev_plan(void **state)
{
        (void)state;
        struct vm_config cfg = base();
        cfg.flavor = KRUN_FLAVOR_SEV;
        struct krun_plan p;
        krun_plan_build(&(struct krun_plan_input){.cfg = &cfg, .log_level = LOG_WARNING, .passt_fd = -1}, &p);
        const enum krun_call_id ids[] = {KRUN_CALL_SET_LOG_LEVEL, KRUN_CALL_SET_ROOT_DISK,
                                         KRUN_CALL_SET_TEE_CONFIG_FILE, KRUN_CALL_SET_VM_CONFIG, KRUN_CALL_START_ENTER};
        expect_order(&p, ids, ARRAY_SIZE(ids));
        assert_int_equal(p.calls[0].value, KRUN_LOG_LEVEL_WARN);
        assert_string_equal(p.calls[1].path, "/disk.img");
        assert_string_equal(p.calls[2].path, "/krun-sev.json");
}

static void test_nitro_plan(void **state)
{
        (void)state;
        struct vm_config cfg = base();
        cfg.flavor = KRUN_FLAVOR_AWSNITRO;
        const char *argv[] = {"/bin/echo", "hi", NULL};
        const char *envp[] = {"A=1", NULL};
        struct krun_plan p;
        krun_plan_build(
            &(struct krun_plan_input){
                .cfg = &cfg, .passt_fd = -1, .exec_path = "/bin/echo", .argv = argv, .envp = envp},
            &p);
        const enum krun_call_id ids[] = {KRUN_CALL_SET_LOG_LEVEL, KRUN_CALL_ADD_VIRTIOFS2, KRUN_CALL_SET_CONSOLE_OUTPUT,
                                         KRUN_CALL_SET_EXEC,      KRUN_CALL_SET_VM_CONFIG, KRUN_CALL_START_ENTER};
        expect_order(&p, ids, ARRAY_SIZE(ids));
        assert_string_equal(p.calls[2].path, "/dev/stdout");
        assert_string_equal(p.calls[3].path, "/bin/echo");
        assert_ptr_equal(p.calls[3].argv, argv);
        assert_ptr_equal(p.calls[3].envp, envp);

        /* A NULL env must never reach libkrun (it would copy the VMM's environment). */
        krun_plan_build(&(struct krun_plan_input){.cfg = &cfg, .passt_fd = -1, .exec_path = "/x", .argv = argv}, &p);
        assert_non_null(p.calls[3].envp);
        assert_null(p.calls[3].envp[0]);
}

static void test_symbols(void **state)
{
        (void)state;
        const char *expect[KRUN_CALL_COUNT] = {
            [KRUN_CALL_SET_LOG_LEVEL] = "krun_set_log_level",
            [KRUN_CALL_SET_ROOT_DISK] = "krun_set_root_disk",
            [KRUN_CALL_SET_TEE_CONFIG_FILE] = "krun_set_tee_config_file",
            [KRUN_CALL_ADD_VIRTIOFS2] = "krun_add_virtiofs2",
            [KRUN_CALL_SET_CONSOLE_OUTPUT] = "krun_set_console_output",
            [KRUN_CALL_SET_EXEC] = "krun_set_exec",
            [KRUN_CALL_SET_VM_CONFIG] = "krun_set_vm_config",
            [KRUN_CALL_SET_RLIMITS] = "krun_set_rlimits",
            [KRUN_CALL_SET_GPU_OPTIONS] = "krun_set_gpu_options",
            [KRUN_CALL_CHECK_NESTED_VIRT] = "krun_check_nested_virt",
            [KRUN_CALL_SET_NESTED_VIRT] = "krun_set_nested_virt",
            [KRUN_CALL_ADD_NET_UNIXSTREAM] = "krun_add_net_unixstream",
            [KRUN_CALL_SET_KERNEL] = "krun_set_kernel",
            [KRUN_CALL_START_ENTER] = "krun_start_enter",
        };
        for (int i = 0; i < KRUN_CALL_COUNT; i++)
                assert_string_equal(krun_call_symbol(i), expect[i]);
        const uint8_t mac[6] = {0x5a, 0x94, 0xef, 0xe4, 0x0c, 0xee};
        assert_memory_equal(krun_passt_mac, mac, 6);
        assert_int_equal(KRUN_COMPAT_NET_FEATURES, 0x4C83);
}

/* process.rlimits -> krun_set_rlimits items right after the sizing; none -> no call. */
static void test_rlimits(void **state)
{
        (void)state;
        const struct oci_rlimit rl[] = {{.resource = 7, .soft = 1024, .hard = 4096},
                                        {.resource = 4, .soft = 0, .hard = UINT64_MAX}};
        _cleanup_strv_ char **items = krun_rlimit_items(rl, 2);
        assert_non_null(items);
        assert_string_equal(items[0], "7=1024:4096");
        assert_string_equal(items[1], "4=0:18446744073709551615");
        assert_null(items[2]);
        struct vm_config cfg = base();
        struct krun_plan p;
        krun_plan_build(&(struct krun_plan_input){.cfg = &cfg, .passt_fd = -1, .rlimits = (const char *const *)items},
                        &p);
        const enum krun_call_id ids[] = {KRUN_CALL_SET_LOG_LEVEL, KRUN_CALL_ADD_VIRTIOFS2, KRUN_CALL_SET_VM_CONFIG,
                                         KRUN_CALL_SET_RLIMITS, KRUN_CALL_START_ENTER};
        expect_order(&p, ids, ARRAY_SIZE(ids));
        assert_ptr_equal(p.calls[3].argv, items);
        assert_false(p.calls[3].is_optional);
        const char *const none[] = {NULL};
        krun_plan_build(&(struct krun_plan_input){.cfg = &cfg, .passt_fd = -1, .rlimits = none}, &p);
        assert_int_equal(p.n, 4);
        _cleanup_strv_ char **empty = krun_rlimit_items(rl, 0);
        assert_non_null(empty);
        assert_null(empty[0]);
}

/* libkrun-awsnitro >= 1.19 has no krun_add_virtiofs2: optional there, required everywhere else. */
static void test_virtiofs2_optional_only_for_nitro(void **state)
{
        (void)state;
        struct vm_config cfg = base();
        struct krun_plan p;
        krun_plan_build(&(struct krun_plan_input){.cfg = &cfg, .passt_fd = -1}, &p);
        assert_int_equal(p.calls[1].id, KRUN_CALL_ADD_VIRTIOFS2);
        assert_false(p.calls[1].is_optional);
        cfg.flavor = KRUN_FLAVOR_AWSNITRO;
        krun_plan_build(&(struct krun_plan_input){.cfg = &cfg, .passt_fd = -1}, &p);
        assert_int_equal(p.calls[1].id, KRUN_CALL_ADD_VIRTIOFS2);
        assert_true(p.calls[1].is_optional);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_default_plan),
            cmocka_unit_test(test_log_levels),
            cmocka_unit_test(test_all_features),
            cmocka_unit_test(test_kernel_without_initrd),
            cmocka_unit_test(test_sev_plan),
            cmocka_unit_test(test_nitro_plan),
            cmocka_unit_test(test_symbols),
            cmocka_unit_test(test_rlimits),
            cmocka_unit_test(test_virtiofs2_optional_only_for_nitro),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

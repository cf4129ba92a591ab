/* agent_config.c: the guest config with the agent in front of the workload, and the socket directory's owner. */
#include <errno.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "executor/krun/agent_config.h"

static void test_wrap(void **state)
{
        (void)state;
        const char *cfg = "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\",\"-c\",\"echo hi\"],"
                          "\"env\":[\"A=1\"]},\"hostname\":\"h\"}";
        _cleanup_error_ struct error *err = NULL;
        _cleanup_free_ char *out = NULL;
        size_t len = 0;
        assert_int_equal(krun_agent_wrap_config(cfg, strlen(cfg), &out, &len, &err), 0);
        assert_int_equal(strlen(out), len);
        struct json_object *o = json_tokener_parse(out), *proc, *args, *v;
        assert_true(json_object_object_get_ex(o, "process", &proc));
        assert_true(json_object_object_get_ex(proc, "args", &args));
        const char *want[] = {"/.krun-agent", "--port", "10700", "--", "sh", "-c", "echo hi"};
        assert_int_equal(json_object_array_length(args), 7);
        for (size_t i = 0; i < 7; i++)
                assert_string_equal(json_object_get_string(json_object_array_get_idx(args, i)), want[i]);
        /* Everything else is the config as it was. */
        assert_true(json_object_object_get_ex(o, "hostname", &v));
        assert_string_equal(json_object_get_string(v), "h");
        assert_true(json_object_object_get_ex(proc, "env", &v));
        assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "A=1");
        json_object_put(o);
        /* Deterministic: delete recognises the file it wrote by comparing bytes. */
        _cleanup_free_ char *again = NULL;
        size_t len2 = 0;
        assert_int_equal(krun_agent_wrap_config(cfg, strlen(cfg), &again, &len2, &err), 0);
        assert_int_equal(len, len2);
        assert_memory_equal(out, again, len);
}

static void test_wrap_errors(void **state)
{
        (void)state;
        const char *bad[] = {"{}", "{\"process\":{}}", "{\"process\":{\"args\":\"sh\"}}", "not json", "[1]"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                _cleanup_error_ struct error *err = NULL;
                char *out = (char *)1;
                size_t len;
                assert_true(krun_agent_wrap_config(bad[i], strlen(bad[i]), &out, &len, &err) < 0);
                assert_null(out);
                assert_int_equal(err->errnum, EINVAL);
                assert_non_null(strstr(err->msg, "process.args"));
        }
}

static void test_host_id(void **state)
{
        (void)state;
        assert_int_equal(krun_agent_host_id(0, NULL, 0), 0);
        assert_int_equal(krun_agent_host_id(1000, NULL, 0), 1000);
        struct oci_id_mapping m[] = {{.container_id = 0, .host_id = 100000, .size = 1000},
                                     {.container_id = 1000, .host_id = 5000, .size = 1}};
        assert_int_equal(krun_agent_host_id(0, m, 2), 100000);
        assert_int_equal(krun_agent_host_id(999, m, 2), 100999);
        assert_int_equal(krun_agent_host_id(1000, m, 2), 5000);
        assert_int_equal(krun_agent_host_id(1001, m, 2), (uint32_t)-1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_wrap),
            cmocka_unit_test(test_wrap_errors),
            cmocka_unit_test(test_host_id),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

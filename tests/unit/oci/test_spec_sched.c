/* process.scheduler/ioPriority/execCPUAffinity and linux.timeOffsets/memoryPolicy: names become kernel
 * numbers, and every bad value names its JSON path. JSON texts use ' for ". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cleanup.h"
#include "linux/timens.h"
#include "oci/spec.h"

static char *config(const char *process_extra, const char *linux_extra)
{
        char *s = NULL;
        if (asprintf(&s,
                     "{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'}, 'process': {'cwd': '/', 'args': ['sh']%s},"
                     " 'linux': {'namespaces': [{'type': 'time'}, {'type': 'mount'}]%s}}",
                     process_extra, linux_extra) < 0)
                return NULL;
        for (char *p = s; *p; p++)
                if (*p == '\'')
                        *p = '"';
        return s;
}

static struct oci_spec *parse_ok(const char *pe, const char *le)
{
        _cleanup_free_ char *t = config(pe, le);
        _cleanup_error_ struct error *err = NULL;
        struct oci_spec *spec = NULL;
        if (oci_spec_parse(t, strlen(t), "config.json", &spec, &err) < 0)
                fail_msg("%s: %s", t, err->msg);
        return spec;
}

static void test_values(void **state)
{
        (void)state;
        struct oci_spec *s = parse_ok(", 'scheduler': {'policy': 'SCHED_DEADLINE', 'runtime': 10, 'deadline': 20, "
                                      "'period': 30, 'flags': ['SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_RECLAIM']},"
                                      " 'ioPriority': {'class': 'IOPRIO_CLASS_IDLE', 'priority': 7},"
                                      " 'execCPUAffinity': {'initial': '0-1', 'final': '1'}",
                                      ", 'timeOffsets': {'boottime': {'secs': -5, 'nanosecs': 7}},"
                                      " 'memoryPolicy': {'mode': 'MPOL_INTERLEAVE', 'nodes': '0-1',"
                                      " 'flags': ['MPOL_F_RELATIVE_NODES']}");
        const struct oci_process *p = s->process;
        assert_true(p->has_scheduler);
        assert_int_equal(p->scheduler.policy, 6);
        assert_int_equal(p->scheduler.flags, 3);
        assert_int_equal(p->scheduler.runtime, 10);
        assert_int_equal(p->scheduler.deadline, 20);
        assert_int_equal(p->scheduler.period, 30);
        assert_true(p->has_io_priority);
        assert_int_equal(p->io_priority_class, 3);
        assert_int_equal(p->io_priority, 7);
        assert_string_equal(p->cpu_affinity_initial, "0-1");
        assert_string_equal(p->cpu_affinity_final, "1");
        assert_false(s->linux_.time_offsets[0].set);
        assert_true(s->linux_.time_offsets[1].set);
        assert_int_equal(s->linux_.time_offsets[1].secs, -5);
        assert_int_equal(s->linux_.time_offsets[1].nanosecs, 7);
        assert_true(s->linux_.has_memory_policy);
        assert_int_equal(s->linux_.memory_policy_mode, 3);
        assert_int_equal(s->linux_.memory_policy_flags, 1 << 14);
        assert_string_equal(s->linux_.memory_policy_nodes, "0-1");
        bool oom;
        char *text = timens_offsets_text(&s->linux_, &oom);
        assert_string_equal(text, "boottime -5 7\n");
        free(text);
        oci_spec_free(s);

        s = parse_ok("", "");
        assert_false(s->process->has_scheduler);
        assert_false(s->process->has_io_priority);
        assert_null(s->process->cpu_affinity_final);
        assert_false(s->linux_.has_memory_policy);
        assert_null(timens_offsets_text(&s->linux_, &oom));
        assert_false(oom);
        oci_spec_free(s);
}

static const struct {
        const char *process_extra, *linux_extra, *want;
} errors[] = {
    {", 'scheduler': {}", "", "process.scheduler.policy"},
    {", 'scheduler': {'policy': 'SCHED_X'}", "", "process.scheduler.policy: unknown value `SCHED_X`"},
    {", 'scheduler': {'policy': 'SCHED_RR'}", "", "process.scheduler.priority"},
    {", 'scheduler': {'policy': 'SCHED_OTHER', 'priority': 3}", "", "process.scheduler.priority"},
    {", 'scheduler': {'policy': 'SCHED_OTHER', 'nice': -21}", "", "process.scheduler.nice"},
    {", 'scheduler': {'policy': 'SCHED_OTHER', 'flags': ['X']}", "", "process.scheduler.flags[0]"},
    {", 'scheduler': {'policy': 'SCHED_DEADLINE'}", "", "process.scheduler.runtime"},
    {", 'scheduler': {'policy': 'SCHED_OTHER', 'runtime': -1}", "", "process.scheduler.runtime"},
    {", 'ioPriority': {'priority': 1}", "", "process.ioPriority.class"},
    {", 'ioPriority': {'class': 'IOPRIO_CLASS_BE', 'priority': 8}", "", "process.ioPriority.priority"},
    {", 'execCPUAffinity': {'initial': 'x'}", "", "process.execCPUAffinity.initial"},
    {", 'execCPUAffinity': {'final': ''}", "", "process.execCPUAffinity.final"},
    {"", ", 'timeOffsets': {'realtime': {'secs': 1}}", "linux.timeOffsets.realtime"},
    {"", ", 'timeOffsets': {'monotonic': {'nanosecs': 1000000000}}", "linux.timeOffsets.monotonic.nanosecs"},
    {"", ", 'timeOffsets': {'monotonic': 3}", "linux.timeOffsets.monotonic"},
    {"", ", 'memoryPolicy': {'mode': 'MPOL_X'}", "linux.memoryPolicy.mode"},
    {"", ", 'memoryPolicy': {'mode': 'MPOL_BIND'}", "linux.memoryPolicy.nodes: required"},
    {"", ", 'memoryPolicy': {'mode': 'MPOL_LOCAL', 'nodes': '0'}", "linux.memoryPolicy.nodes: must be empty"},
    {"", ", 'memoryPolicy': {'mode': 'MPOL_BIND', 'nodes': '1-0'}", "linux.memoryPolicy.nodes: invalid"},
    {"", ", 'memoryPolicy': {'mode': 'MPOL_BIND', 'nodes': '0', 'flags': ['F']}", "linux.memoryPolicy.flags[0]"},
};

static void test_errors(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
                _cleanup_free_ char *t = config(errors[i].process_extra, errors[i].linux_extra);
                _cleanup_error_ struct error *err = NULL;
                struct oci_spec *spec = NULL;
                if (oci_spec_parse(t, strlen(t), "config.json", &spec, &err) >= 0)
                        fail_msg("accepted: %s", t);
                if (!strstr(err->msg, errors[i].want))
                        fail_msg("%s: got `%s`, want `%s`", t, err->msg, errors[i].want);
        }
}

static void test_time_offsets_need_new_timens(void **state)
{
        (void)state;
        const char *t = "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"}, \"linux\": {\"timeOffsets\": "
                        "{\"monotonic\": {\"secs\": 1}}}}";
        _cleanup_error_ struct error *err = NULL;
        struct oci_spec *spec = NULL;
        assert_true(oci_spec_parse(t, strlen(t), "config.json", &spec, &err) < 0);
        assert_non_null(strstr(err->msg, "linux.timeOffsets: requires a new time namespace"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {cmocka_unit_test(test_values), cmocka_unit_test(test_errors),
                                           cmocka_unit_test(test_time_offsets_need_new_timens)};
        return cmocka_run_group_tests(tests, NULL, NULL);
}

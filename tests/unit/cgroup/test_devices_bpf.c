/* The v2 device filter: its shape (prologue, one block per rule, default deny) and its meaning, checked
 * by running it in a tiny interpreter of the few instructions the generator emits. */
#include <linux/bpf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cgroup/internal.h"
#include "core/cleanup.h"

/* Returns the program's verdict (r0) for one access; fails the test on an unknown instruction or a
 * jump out of the program. */
static int run(const struct bpf_insn *p, size_t n, int type, uint32_t major, uint32_t minor, int access)
{
        uint64_t reg[11] = {0};
        uint32_t ctx[3] = {((uint32_t)access << 16) | (uint32_t)type, major, minor};
        for (size_t pc = 0; pc < n; pc++) {
                const struct bpf_insn *i = &p[pc];
                switch (i->code) {
                case BPF_LDX | BPF_MEM | BPF_W:
                        assert_int_equal(i->src_reg, 1);
                        assert_true(i->off % 4 == 0 && i->off <= 8);
                        reg[i->dst_reg] = ctx[i->off / 4];
                        break;
                case BPF_ALU | BPF_AND | BPF_K:
                        reg[i->dst_reg] = (uint32_t)reg[i->dst_reg] & (uint32_t)i->imm;
                        break;
                case BPF_ALU | BPF_RSH | BPF_K:
                        reg[i->dst_reg] = (uint32_t)reg[i->dst_reg] >> i->imm;
                        break;
                case BPF_ALU | BPF_MOV | BPF_X:
                        reg[i->dst_reg] = (uint32_t)reg[i->src_reg];
                        break;
                case BPF_ALU64 | BPF_MOV | BPF_K:
                        reg[i->dst_reg] = (uint64_t)(int64_t)i->imm;
                        break;
                case BPF_JMP | BPF_JNE | BPF_K:
                        if (reg[i->dst_reg] != (uint64_t)(int64_t)i->imm)
                                pc += (size_t)i->off;
                        break;
                case BPF_JMP | BPF_JNE | BPF_X:
                        if (reg[i->dst_reg] != reg[i->src_reg])
                                pc += (size_t)i->off;
                        break;
                case BPF_JMP | BPF_EXIT:
                        return (int)reg[0];
                default:
                        fail_msg("unexpected opcode 0x%x at %zu", i->code, pc);
                }
                assert_true(pc < n);
        }
        fail_msg("fell off the end of the program");
        return -1;
}

enum { C = BPF_DEVCG_DEV_CHAR, B = BPF_DEVCG_DEV_BLOCK };
enum { M = BPF_DEVCG_ACC_MKNOD, R = BPF_DEVCG_ACC_READ, W = BPF_DEVCG_ACC_WRITE };

static void build(const struct oci_device_rule *rules, size_t n, struct bpf_insn **p, size_t *np)
{
        _cleanup_error_ struct error *err = NULL;
        if (cgroup_bpf_devices_program(rules, n, p, np, &err) < 0)
                fail_msg("program: %s", err->msg);
}

static void test_defaults_only(void **state)
{
        (void)state;
        _cleanup_free_ struct bpf_insn *p = NULL;
        size_t n;
        build(NULL, 0, &p, &n);
        /* prologue: load type, mask; load access, shift; load major; load minor */
        assert_int_equal(p[0].code, BPF_LDX | BPF_MEM | BPF_W);
        assert_int_equal(p[1].code, BPF_ALU | BPF_AND | BPF_K);
        assert_int_equal(p[1].imm, 0xFFFF);
        assert_int_equal(p[3].code, BPF_ALU | BPF_RSH | BPF_K);
        assert_int_equal(p[3].imm, 16);
        assert_int_equal(p[4].off, 4);
        assert_int_equal(p[5].off, 8);
        /* ends in "deny": r0 = 0; exit */
        assert_int_equal(p[n - 2].code, BPF_ALU64 | BPF_MOV | BPF_K);
        assert_int_equal(p[n - 2].imm, 0);
        assert_int_equal(p[n - 1].code, BPF_JMP | BPF_EXIT);
        /* the last default rule (c 5:1 rwm, console) comes first: type, major, minor, verdict */
        assert_int_equal(p[6].code, BPF_JMP | BPF_JNE | BPF_K);
        assert_int_equal(p[6].imm, C);
        assert_int_equal(p[6].off, 4); /* over major, minor, verdict, exit */
        assert_int_equal(p[7].imm, 5);
        assert_int_equal(p[8].imm, 1);
        assert_int_equal(p[9].imm, 1);
        /* prologue 6 + c *:* m (6) + b *:* m (6) + 9 rules M:m rwm (5) + c 136:* rwm (4) + deny (2) */
        assert_int_equal(n, 6 + 6 + 6 + 9 * 5 + 4 + 2);

        assert_int_equal(run(p, n, C, 1, 3, R | W), 1);   /* /dev/null */
        assert_int_equal(run(p, n, C, 136, 7, R | W), 1); /* a pts */
        assert_int_equal(run(p, n, C, 10, 200, R), 1);    /* tun */
        assert_int_equal(run(p, n, C, 8, 0, M), 1);       /* mknod of anything */
        assert_int_equal(run(p, n, B, 8, 0, M), 1);
        assert_int_equal(run(p, n, B, 8, 0, R), 0);     /* a disk: denied */
        assert_int_equal(run(p, n, C, 4, 1, R | W), 0); /* a tty: denied */
        assert_int_equal(run(p, n, C, 8, 0, M | R), 0); /* mknod plus read is more than m */
}

static void test_rule_order(void **state)
{
        (void)state;
        /* a later matching rule wins: allow all block devices, then deny reads of 8:* */
        struct oci_device_rule rules[] = {
            {false, 'a', -1, -1, "rwm"},
            {true, 'b', -1, -1, "rwm"},
            {false, 'b', 8, -1, "r"},
            {true, 'c', 10, 229, "rw"},
        };
        _cleanup_free_ struct bpf_insn *p = NULL;
        size_t n;
        build(rules, 4, &p, &n);
        assert_int_equal(run(p, n, B, 7, 0, R | W), 1);
        assert_int_equal(run(p, n, B, 8, 0, W), 1);
        assert_int_equal(run(p, n, B, 8, 1, R), 0);
        /* (r|w) is not a subset of the deny's "r": the deny does not match, the earlier allow does */
        assert_int_equal(run(p, n, B, 8, 1, R | W), 1);
        assert_int_equal(run(p, n, C, 10, 229, R | W), 1);
        assert_int_equal(run(p, n, C, 10, 229, M), 1); /* via the default c *:* m */
        assert_int_equal(run(p, n, C, 10, 230, R), 0);
        assert_int_equal(run(p, n, C, 1, 3, W), 1);
        /* the deny-all is unconditional: it ends the program, no extra trailing deny */
        assert_int_equal(p[n - 2].imm, 0);
        assert_int_equal(p[n - 3].code, BPF_JMP | BPF_EXIT);
}

static void test_allow_all(void **state)
{
        (void)state;
        /* privileged: allow everything; a later deny still applies */
        struct oci_device_rule rules[] = {{true, 'a', -1, -1, "rwm"}, {false, 'c', 1, 3, "w"}};
        _cleanup_free_ struct bpf_insn *p = NULL;
        size_t n;
        build(rules, 1, &p, &n);
        assert_int_equal(run(p, n, B, 8, 0, R | W | M), 1);
        assert_int_equal(p[n - 2].imm, 1);
        free(p);
        p = NULL;
        build(rules, 2, &p, &n);
        /* the default list (after the user rules) re-allows /dev/null: users cannot remove it */
        assert_int_equal(run(p, n, C, 1, 3, W), 1);
        assert_int_equal(run(p, n, C, 1, 4, W), 1);
}

static void test_errors(void **state)
{
        (void)state;
        struct bpf_insn *p = NULL;
        size_t n;
        _cleanup_error_ struct error *err = NULL;
        struct oci_device_rule bad = {true, 'c', 1, 1, ""};
        assert_true(cgroup_bpf_devices_program(&bad, 1, &p, &n, &err) < 0);
        assert_non_null(strstr(err->msg, "devices[0].access"));
        struct oci_device_rule big = {true, 'c', 1LL << 40, 1, "r"};
        assert_true(cgroup_bpf_devices_program(&big, 1, &p, &n, &err) < 0);
        assert_non_null(strstr(err->msg, "out of range"));
        assert_null(p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_defaults_only),
            cmocka_unit_test(test_rule_order),
            cmocka_unit_test(test_allow_all),
            cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

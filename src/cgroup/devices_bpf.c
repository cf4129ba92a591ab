/* The cgroup v2 device controller is an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE) attached to the
 * cgroup. We assemble it by hand from the rules, as crun and runc do: no compiler, no libbpf.
 *
 * The program sees struct bpf_cgroup_dev_ctx { u32 access_type (access << 16 | type); u32 major, minor; }.
 * Rules are checked from the last to the first, so the last matching rule wins (the v1 semantics the OCI
 * spec describes); nothing matched means deny. */
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup/internal.h"
#include "core/cleanup.h"

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU32_IMM(op, dst, imm) INSN(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV32_REG(dst, src) INSN(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV64_IMM(dst, imm) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm, off) INSN(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JNE_REG(dst, src, off) INSN(BPF_JMP | BPF_JNE | BPF_X, dst, src, off, 0)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers after the prologue. */
enum { R_TYPE = 2, R_ACCESS = 3, R_MAJOR = 4, R_MINOR = 5 };

static int access_mask(const char *a)
{
        int m = 0;
        for (; *a; a++)
                m |= *a == 'm' ? BPF_DEVCG_ACC_MKNOD : *a == 'r' ? BPF_DEVCG_ACC_READ : BPF_DEVCG_ACC_WRITE;
        return m;
}

static bool is_unconditional(const struct oci_device_rule *d)
{
        return d->type == 'a' && d->major < 0 && d->minor < 0 && access_mask(d->access) == 7;
}

/* One rule: a chain of "not this? skip the rest of the block" tests, then return the verdict. */
static size_t emit_rule(struct bpf_insn *p, const struct oci_device_rule *d)
{
        int acc = access_mask(d->access);
        size_t n = 2 + (d->type != 'a') + (acc != 7 ? 3 : 0) + (d->major >= 0) + (d->minor >= 0), i = 0;
#define SKIP ((short)(n - i - 1))
        if (d->type != 'a') {
                p[i] = JNE_IMM(R_TYPE, d->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, SKIP);
                i++;
        }
        if (acc != 7) {
                /* Matches when every requested access bit is in the rule: (req & rule) == req. */
                p[i++] = MOV32_REG(1, R_ACCESS);
                p[i++] = ALU32_IMM(BPF_AND, 1, acc);
                p[i] = JNE_REG(1, R_ACCESS, SKIP);
                i++;
        }
        if (d->major >= 0) {
                p[i] = JNE_IMM(R_MAJOR, (int)d->major, SKIP);
                i++;
        }
        if (d->minor >= 0) {
                p[i] = JNE_IMM(R_MINOR, (int)d->minor, SKIP);
                i++;
        }
#undef SKIP
        p[i++] = MOV64_IMM(0, d->allow ? 1 : 0);
        p[i++] = EXIT();
        return i;
}

int cgroup_bpf_devices_program(const struct oci_device_rule *rules, size_t n, struct bpf_insn **insns, size_t *n_insns,
                               struct error **err)
{
        int r = cgroup_devices_check(rules, n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (rules[i].major > INT32_MAX || rules[i].minor > INT32_MAX)
                        return error_set(err, EINVAL, "linux.resources.devices[%zu]: major/minor out of range", i);
        size_t total = n + cgroup_n_default_device_rules;
        /* Prologue 6, per rule at most 9, epilogue 2. */
        struct bpf_insn *p = calloc(6 + 9 * total + 2, sizeof(*p));
        if (!p)
                return error_set(err, ENOMEM, "device filter");
        size_t k = 0;
        p[k++] = LDX_W(R_TYPE, 1, 0);
        p[k++] = ALU32_IMM(BPF_AND, R_TYPE, 0xFFFF);
        p[k++] = LDX_W(R_ACCESS, 1, 0);
        p[k++] = ALU32_IMM(BPF_RSH, R_ACCESS, 16);
        p[k++] = LDX_W(R_MAJOR, 1, 4);
        p[k++] = LDX_W(R_MINOR, 1, 8);
        bool done = false;
        for (size_t j = total; j-- > 0 && !done;) {
                /* The default allow-list comes after the user rules, so it is checked first. */
                const struct oci_device_rule *d = j >= n ? &cgroup_default_device_rules[j - n] : &rules[j];
                k += emit_rule(p + k, d);
                /* Nothing earlier can be reached after a rule that matches everything. */
                done = is_unconditional(d);
        }
        if (!done) {
                p[k++] = MOV64_IMM(0, 0);
                p[k++] = EXIT();
        }
        *insns = p;
        *n_insns = k;
        return 0;
}

static int bpf(int cmd, union bpf_attr *attr)
{
        return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* Programs attached to the cgroup before ours, to detach once ours is in (so there is no window
 * without a filter). */
static int query_attached(int cgroup_fd, uint32_t *ids, uint32_t *n)
{
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.query.target_fd = (uint32_t)cgroup_fd;
        a.query.attach_type = BPF_CGROUP_DEVICE;
        a.query.prog_ids = (uint64_t)(uintptr_t)ids;
        a.query.prog_cnt = *n;
        if (bpf(BPF_PROG_QUERY, &a) < 0)
                return -errno;
        *n = a.query.prog_cnt;
        return 0;
}

int cgroup_bpf_devices_attach(int cgroup_fd, const struct oci_device_rule *rules, size_t n, struct error **err)
{
        _cleanup_free_ struct bpf_insn *insns = NULL;
        size_t n_insns = 0;
        int r = cgroup_bpf_devices_program(rules, n, &insns, &n_insns, err);
        if (r < 0)
                return r;
        uint32_t old[64];
        uint32_t n_old = ARRAY_SIZE(old);
        if (query_attached(cgroup_fd, old, &n_old) < 0)
                n_old = 0;

        static char verifier_log[4096];
        union bpf_attr a;
        memset(&a, 0, sizeof(a));
        a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
        a.insns = (uint64_t)(uintptr_t)insns;
        a.insn_cnt = (uint32_t)n_insns;
        a.license = (uint64_t)(uintptr_t) "GPL";
        a.log_buf = (uint64_t)(uintptr_t)verifier_log;
        a.log_size = sizeof(verifier_log);
        a.log_level = 1;
        verifier_log[0] = 0;
        _cleanup_close_ int prog = bpf(BPF_PROG_LOAD, &a);
        if (prog < 0 && errno == ENOSPC) {
                /* The verifier log did not fit: load again without it rather than fail for that. */
                a.log_buf = 0;
                a.log_size = a.log_level = 0;
                prog = bpf(BPF_PROG_LOAD, &a);
        }
        if (prog < 0)
                return error_sys(err, "devices: load the eBPF device filter (%zu instructions)%s%s", n_insns,
                                 verifier_log[0] ? ": " : "", verifier_log);

        memset(&a, 0, sizeof(a));
        a.target_fd = (uint32_t)cgroup_fd;
        a.attach_bpf_fd = (uint32_t)prog;
        a.attach_type = BPF_CGROUP_DEVICE;
        a.attach_flags = BPF_F_ALLOW_MULTI;
        if (bpf(BPF_PROG_ATTACH, &a) < 0)
                return error_sys(err, "devices: attach the eBPF device filter to the cgroup");

        for (uint32_t i = 0; i < n_old; i++) {
                union bpf_attr g;
                memset(&g, 0, sizeof(g));
                g.prog_id = old[i];
                _cleanup_close_ int fd = bpf(BPF_PROG_GET_FD_BY_ID, &g);
                if (fd < 0)
                        continue;
                memset(&g, 0, sizeof(g));
                g.target_fd = (uint32_t)cgroup_fd;
                g.attach_bpf_fd = (uint32_t)fd;
                g.attach_type = BPF_CGROUP_DEVICE;
                if (bpf(BPF_PROG_DETACH, &g) < 0 && errno != ENOENT)
                        return error_sys(err, "devices: detach the previous eBPF device filter (id %u)", old[i]);
        }
        return 0;
}

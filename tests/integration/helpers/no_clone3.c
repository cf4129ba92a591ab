/* Run a command under a seccomp filter that answers clone3 with ENOSYS, as Docker's default profile,
 * valgrind and kernels before 5.3 do:  no_clone3 PROGRAM ARGS...
 * The runtime under test must then fall back to clone. Needs CAP_SYS_ADMIN (no no_new_privs is set, so
 * the runtime keeps its setuid-free, privileged behaviour). */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx || seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) < 0 ||
            seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) < 0 || seccomp_load(ctx) < 0) {
                fprintf(stderr, "no_clone3: cannot install the filter\n");
                return 2;
        }
        seccomp_release(ctx);
        execvp(argv[1], argv + 1);
        perror("no_clone3: exec");
        return 127;
}

/* What re-executing the runtime from a sealed memfd copy (the CVE-2019-5736 defence runc and crun have
 * used) would cost per invocation, against a plain execve: N times, fork and run `BINARY --version`
 *   mode 0: execve(BINARY)
 *   mode 1: copy BINARY into a memfd, seal it, fexecve it
 *   mode 2: the copy and seal only (no exec)
 * and print wall and CPU time (user+sys of the children) per run.
 * Usage: gcc -O2 -o /tmp/memfd_reexec bench/memfd_reexec.c && /tmp/memfd_reexec build/crun 300 1
 * The README's "Exec and seccomp hardening" section has the numbers and the decision. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void child(const char *bin, char **args, int mode)
{
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        if (mode == 0) {
                execv(bin, args);
                _exit(127);
        }
        int src = open(bin, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (src < 0 || fstat(src, &st) < 0)
                _exit(126);
        int m = memfd_create("runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        for (off_t off = 0; off < st.st_size;)
                if (sendfile(m, src, &off, (size_t)(st.st_size - off)) <= 0)
                        _exit(126);
        fcntl(m, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
        if (mode == 2)
                _exit(0);
        fexecve(m, args, environ);
        _exit(125);
}

int main(int argc, char **argv)
{
        if (argc != 4) {
                fprintf(stderr, "usage: %s BINARY RUNS MODE(0|1|2)\n", argv[0]);
                return 2;
        }
        char *args[] = {argv[1], "--version", NULL};
        int n = atoi(argv[2]), mode = atoi(argv[3]);
        double t0 = now();
        for (int i = 0; i < n; i++) {
                pid_t p = fork();
                if (p == 0)
                        child(argv[1], args, mode);
                int status;
                if (p < 0 || waitpid(p, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                        fprintf(stderr, "run %d failed\n", i);
                        return 1;
                }
        }
        struct rusage ru;
        getrusage(RUSAGE_CHILDREN, &ru);
        double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
                     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
        printf("mode %d: wall %.0f us, cpu %.0f us per run\n", mode, (now() - t0) / n * 1e6, cpu / n);
        return 0;
}

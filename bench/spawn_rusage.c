/* Runs argv[1..] with stdin/stdout on /dev/null and stderr into $SPAWN_STDERR (when set), waits for it and
 * prints "exit wall_ns user_us sys_us maxrss_kib" from wait4. A small C parent, because ru_maxrss keeps
 * the high-water mark of the forked parent's copy across exec: spawned from Python it would report the
 * interpreter's 15 MB for every runtime. Built by start_latency.py. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        if (argc < 2) {
                fprintf(stderr, "usage: spawn_rusage PROGRAM [ARG...]\n");
                return 2;
        }
        const char *errlog = getenv("SPAWN_STDERR");
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        pid_t pid = fork();
        if (pid < 0)
                return perror("fork"), 1;
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR);
                dup2(null, 0);
                dup2(null, 1);
                if (errlog) {
                        int e = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0600);
                        if (e >= 0)
                                dup2(e, 2);
                }
                execv(argv[1], argv + 1);
                _exit(127);
        }
        int status;
        struct rusage ru;
        if (wait4(pid, &status, 0, &ru) < 0)
                return perror("wait4"), 1;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long long ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
        printf("%d %lld %lld %lld %ld\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), ns,
               (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
               (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec, ru.ru_maxrss);
        return 0;
}

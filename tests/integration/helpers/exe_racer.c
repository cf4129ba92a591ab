/* A hostile container process for the CVE-2019-5736 regression test (static, runs in the busybox rootfs):
 *   exe_racer DEV INO SECONDS OUT
 * For SECONDS, scans /proc for processes whose /proc/PID/exe is the runtime binary (host device DEV, inode
 * INO, as fstat sees it) and tries what the attack needs: open /proc/PID/exe (then write through it),
 * /proc/PID/mem for writing, and list /proc/PID/fd. Writes one line per success and a final "done N"
 * (N = processes examined) to OUT. The runtime is safe when OUT says only "done". */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static dev_t want_dev;
static ino_t want_ino;

static int is_runtime(const struct stat *st)
{
        return st->st_dev == want_dev && st->st_ino == want_ino;
}

static void probe(int pid, FILE *out)
{
        char path[64];
        struct stat st;
        snprintf(path, sizeof(path), "/proc/%d/exe", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                if (fstat(fd, &st) == 0 && is_runtime(&st)) {
                        fprintf(out, "opened exe of %d\n", pid);
                        char self[64];
                        snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
                        int w = open(self, O_WRONLY | O_CLOEXEC);
                        if (w >= 0) {
                                fprintf(out, "opened runtime binary for writing\n");
                                close(w);
                        }
                }
                close(fd);
        }
        snprintf(path, sizeof(path), "/proc/%d/mem", pid);
        fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd >= 0) {
                snprintf(path, sizeof(path), "/proc/%d/exe", pid);
                if (stat(path, &st) == 0 && is_runtime(&st))
                        fprintf(out, "opened mem of %d\n", pid);
                close(fd);
        }
        snprintf(path, sizeof(path), "/proc/%d/fd", pid);
        DIR *d = opendir(path);
        if (d) {
                int n = 0;
                while (readdir(d))
                        n++;
                closedir(d);
                snprintf(path, sizeof(path), "/proc/%d/exe", pid);
                if (n > 0 && stat(path, &st) == 0 && is_runtime(&st))
                        fprintf(out, "listed fds of %d\n", pid);
        }
}

int main(int argc, char **argv)
{
        if (argc != 5)
                return 2;
        want_dev = (dev_t)strtoull(argv[1], NULL, 0);
        want_ino = (ino_t)strtoull(argv[2], NULL, 0);
        time_t end = time(NULL) + atoi(argv[3]);
        FILE *out = fopen(argv[4], "w");
        if (!out)
                return 2;
        setvbuf(out, NULL, _IOLBF, 0);
        long examined = 0;
        int self = getpid();
        while (time(NULL) < end) {
                DIR *d = opendir("/proc");
                if (!d)
                        return 2;
                for (struct dirent *e; (e = readdir(d));) {
                        int pid = atoi(e->d_name);
                        if (pid > 0 && pid != self) {
                                probe(pid, out);
                                examined++;
                        }
                }
                closedir(d);
        }
        fprintf(out, "done %ld\n", examined);
        return 0;
}

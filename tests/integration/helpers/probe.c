/* A static helper copied into test rootfs (busybox has no way to make these syscalls):
 *   probe notify MSG        send MSG to $NOTIFY_SOCKET (sd_notify)
 *   probe sched             print "policy prio nice runtime deadline period flags" (sched_getattr)
 *   probe ioprio            print "class level" (ioprio_get of ourselves)
 *   probe personality       print the personality word in hex
 *   probe mempolicy         print "mode nodemask" (get_mempolicy)
 *   probe affinity          print the CPUs we may run on, comma separated */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

struct sched_attr_v1 {
        uint32_t size, sched_policy;
        uint64_t sched_flags;
        int32_t sched_nice;
        uint32_t sched_priority;
        uint64_t sched_runtime, sched_deadline, sched_period;
};

int main(int argc, char **argv)
{
        if (argc < 2)
                return 2;
        if (!strcmp(argv[1], "notify") && argc == 3) {
                const char *path = getenv("NOTIFY_SOCKET");
                struct sockaddr_un a = {.sun_family = AF_UNIX};
                if (!path || strlen(path) >= sizeof(a.sun_path))
                        return 3;
                strcpy(a.sun_path, path);
                int s = socket(AF_UNIX, SOCK_DGRAM, 0);
                if (s < 0 || sendto(s, argv[2], strlen(argv[2]), 0, (struct sockaddr *)&a, sizeof(a)) < 0) {
                        perror("notify");
                        return 1;
                }
                return 0;
        }
        if (!strcmp(argv[1], "sched")) {
                struct sched_attr_v1 at = {0};
                if (syscall(SYS_sched_getattr, 0, &at, sizeof(at), 0) < 0) {
                        perror("sched_getattr");
                        return 1;
                }
                printf("%u %u %d %llu %llu %llu %llu\n", at.sched_policy, at.sched_priority, at.sched_nice,
                       (unsigned long long)at.sched_runtime, (unsigned long long)at.sched_deadline,
                       (unsigned long long)at.sched_period, (unsigned long long)at.sched_flags);
                return 0;
        }
        if (!strcmp(argv[1], "ioprio")) {
                long v = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
                if (v < 0) {
                        perror("ioprio_get");
                        return 1;
                }
                printf("%ld %ld\n", v >> 13, v & 0x1fff);
                return 0;
        }
        if (!strcmp(argv[1], "personality")) {
                printf("%#x\n", personality(0xffffffff));
                return 0;
        }
        if (!strcmp(argv[1], "mempolicy")) {
                int mode = 0;
                unsigned long mask[16] = {0};
                if (syscall(SYS_get_mempolicy, &mode, mask, sizeof(mask) * 8, NULL, 0) < 0) {
                        perror("get_mempolicy");
                        return 1;
                }
                printf("%d %#lx\n", mode, mask[0]);
                return 0;
        }
        if (!strcmp(argv[1], "affinity")) {
                cpu_set_t set;
                if (sched_getaffinity(0, sizeof(set), &set) < 0) {
                        perror("sched_getaffinity");
                        return 1;
                }
                const char *sep = "";
                for (int i = 0; i < CPU_SETSIZE; i++)
                        if (CPU_ISSET(i, &set)) {
                                printf("%s%d", sep, i);
                                sep = ",";
                        }
                printf("\n");
                return 0;
        }
        return 2;
}

/* The loopback interface of a new network namespace: one socket, two ioctls. */
#include "linux/loopback.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "core/cleanup.h"

int loopback_up(struct error **err)
{
        _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0)
                return error_sys(err, "loopback: socket");
        struct ifreq ifr = {0};
        strncpy(ifr.ifr_name, "lo", sizeof(ifr.ifr_name) - 1);
        if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                return error_sys(err, "loopback: read the flags of `lo`");
        if (ifr.ifr_flags & IFF_UP)
                return 0;
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
                return error_sys(err, "loopback: bring `lo` up");
        return 0;
}

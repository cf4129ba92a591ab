#include "linux/netdev.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/cleanup.h"

struct link_req {
        struct nlmsghdr nh;
        struct ifinfomsg ifi;
        char attrs[256];
};

static void add_attr(struct link_req *req, unsigned short type, const void *data, size_t len)
{
        struct rtattr *rta = (struct rtattr *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));
        rta->rta_type = type;
        rta->rta_len = (unsigned short)RTA_LENGTH(len);
        memcpy(RTA_DATA(rta), data, len);
        req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* `ip link set dev HOST netns PID name NAME` in one RTM_NEWLINK: the kernel renames it on arrival. */
static int move_one(int nl, const char *host, const char *name, pid_t pid, struct error **err)
{
        unsigned idx = if_nametoindex(host);
        if (idx == 0)
                return error_sys(err, "linux.netDevices.%s: no such host interface", host);
        if (strlen(name) >= IFNAMSIZ)
                return error_set(err, EINVAL, "linux.netDevices.%s.name: `%s` longer than %d characters", host, name,
                                 IFNAMSIZ - 1);
        struct link_req req = {
            .nh = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)),
                   .nlmsg_type = RTM_NEWLINK,
                   .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK},
            .ifi = {.ifi_family = AF_UNSPEC, .ifi_index = (int)idx},
        };
        uint32_t p = (uint32_t)pid;
        add_attr(&req, IFLA_NET_NS_PID, &p, sizeof(p));
        add_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
        if (send(nl, &req, req.nh.nlmsg_len, 0) < 0)
                return error_sys(err, "linux.netDevices.%s: netlink send", host);
        char buf[512];
        ssize_t n = recv(nl, buf, sizeof(buf), 0);
        if (n < 0)
                return error_sys(err, "linux.netDevices.%s: netlink receive", host);
        struct nlmsghdr *h = (struct nlmsghdr *)buf;
        if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) && h->nlmsg_type == NLMSG_ERROR) {
                int e = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
                if (e)
                        return error_set(err, e, "linux.netDevices.%s: move into the container as `%s`", host, name);
        }
        return 0;
}

int netdev_move_all(const struct oci_spec *spec, pid_t init_pid, struct error **err)
{
        const struct oci_linux *l = &spec->linux_;
        if (l->n_net_devices == 0)
                return 0;
        const struct oci_namespace *ns = oci_spec_namespace(spec, NS_NET);
        if (!ns || ns->path)
                return error_set(err, EINVAL,
                                 "linux.netDevices: requires a new network namespace "
                                 "(linux.namespaces has no `network` entry without a path)");
        _cleanup_close_ int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (nl < 0)
                return error_sys(err, "linux.netDevices: netlink socket");
        for (size_t i = 0; i < l->n_net_devices; i++) {
                const char *host = l->net_devices[i].key;
                const char *name = l->net_devices[i].value && *l->net_devices[i].value ? l->net_devices[i].value : host;
                int r = move_one(nl, host, name, init_pid, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * link_watch: interface change notifications (link_watch.h).
 */
#include <errno.h>
#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "link_watch.h"
#include "log.h"

struct link_watch {
	struct loop *loop;
	struct loop_io lio;
	int fd;
	link_watch_cb cb;
	void *data;
};

static void on_readable(struct loop_io *lio, uint32_t events)
{
	struct link_watch *w = lio->data;
	char buf[8192];
	bool any = false;

	(void)events;
	for (;;) {
		ssize_t n = recv(w->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n > 0) {
			any = true;
			continue;
		}
		/* ENOBUFS: notifications were lost; reading the state
		 * afresh is what we do anyway. */
		if (n < 0 && errno == ENOBUFS) {
			any = true;
			continue;
		}
		break;
	}
	if (any)
		w->cb(w->data);
}

int link_watch_open(struct link_watch **wp, struct loop *l, link_watch_cb cb,
		    void *data)
{
	struct sockaddr_nl snl = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR,
	};
	struct link_watch *w;
	int ret;

	*wp = NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->loop = l;
	w->cb = cb;
	w->data = data;
	w->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       NETLINK_ROUTE);
	if (w->fd < 0 || bind(w->fd, (struct sockaddr *)&snl, sizeof(snl))) {
		ret = -errno;
		goto err;
	}
	ret = loop_io_add(l, &w->lio, w->fd, EPOLLIN, on_readable, w);
	if (ret)
		goto err;
	*wp = w;
	return 0;
err:
	if (w->fd >= 0)
		close(w->fd);
	free(w);
	return ret;
}

void link_watch_close(struct link_watch *w)
{
	if (!w)
		return;
	loop_io_del(w->loop, &w->lio);
	close(w->fd);
	free(w);
}

void link_watch_state(const char *ifname, struct in_addr not_this,
		      struct link_state *s)
{
	struct ifaddrs *ifa, *i;
	struct ifreq ifr;
	int fd;

	memset(s, 0, sizeof(*s));
	s->ifindex = if_nametoindex(ifname);
	if (!s->ifindex)
		return;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		memset(&ifr, 0, sizeof(ifr));
		strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
		if (!ioctl(fd, SIOCGIFFLAGS, &ifr))
			s->up = (ifr.ifr_flags & IFF_UP) &&
				(ifr.ifr_flags & IFF_RUNNING);
		if (!ioctl(fd, SIOCGIFHWADDR, &ifr))
			memcpy(s->mac, ifr.ifr_hwaddr.sa_data, 6);
		close(fd);
	}
	if (getifaddrs(&ifa))
		return;
	for (i = ifa; i; i = i->ifa_next) {
		const struct sockaddr_in *sin = (const void *)i->ifa_addr;

		if (!sin || sin->sin_family != AF_INET ||
		    strcmp(i->ifa_name, ifname) ||
		    sin->sin_addr.s_addr == not_this.s_addr)
			continue;
		s->addr = sin->sin_addr;
		break;
	}
	freeifaddrs(ifa);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * link_watch: "something about the interfaces changed". An rtnetlink
 * socket subscribed to link and IPv4 address notifications, on the event
 * loop; it says only that a change came (the callback then reads what it
 * needs: link_watch_state()), so a burst of notifications, or an overrun
 * of the socket's buffer, is one call and loses nothing.
 *
 * HSRP uses it for its groups' interfaces (up, down, their address) and
 * for interface tracking.
 */
#ifndef MIPHA_LINK_WATCH_H
#define MIPHA_LINK_WATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "loop.h"

struct link_watch;

typedef void (*link_watch_cb)(void *data);

int link_watch_open(struct link_watch **wp, struct loop *l, link_watch_cb cb,
		    void *data);
void link_watch_close(struct link_watch *w);

struct link_state {
	uint32_t ifindex;	/* 0: no such interface */
	bool up;		/* administratively up and running (carrier) */
	struct in_addr addr;	/* its primary IPv4 address, 0 if none */
	uint8_t mac[6];
};

/* The state of the interface named ifname now (ioctl, getifaddrs). Its
 * address is the first IPv4 one other than not_this (a virtual IP put on
 * the interface itself with use-bia is not the router's own). */
void link_watch_state(const char *ifname, struct in_addr not_this,
		      struct link_state *s);

#endif /* MIPHA_LINK_WATCH_H */

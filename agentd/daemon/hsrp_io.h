/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hsrp_io: the HSRP socket. One UDP socket on port 1985 for every group
 * and interface: it joins 224.0.0.2 (v1) and 224.0.0.102 (v2) on each
 * interface a group runs on, sends with TTL 1 from the interface's
 * address, and hands up what it receives with the interface, source and
 * destination it came with.
 *
 * What it drops before anyone sees it (counted in hsrp_io_stats): a
 * datagram not sent to one of the two groups (HSRP is link-local
 * multicast only; a unicast "hello" is someone probing), one whose TTL is
 * not 1 (RFC 2281 sends TTL 1: more means it crossed a router, so it is
 * not from this link), one from a source that cannot be a router's
 * interface address, one truncated by the buffer.
 */
#ifndef MIPHA_HSRP_IO_H
#define MIPHA_HSRP_IO_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "loop.h"

struct hsrp_io;

/* One datagram that passed the socket's checks. */
struct hsrp_io_rx {
	const uint8_t *buf;
	size_t len;
	uint32_t ifindex;   /* the interface it arrived on */
	struct in_addr src; /* sender */
	struct in_addr dst; /* 224.0.0.2 or 224.0.0.102 */
};

typedef void (*hsrp_io_rx_cb)(void *data, const struct hsrp_io_rx *rx);

struct hsrp_io_stats {
	uint64_t received, sent, send_errors;
	uint64_t not_multicast, bad_ttl, bad_source, truncated;
};

int hsrp_io_open(struct hsrp_io **iop, struct loop *l, hsrp_io_rx_cb cb,
		 void *data);
void hsrp_io_close(struct hsrp_io *io);
/* Listen to group (HSRP_V1_MCAST or HSRP_V2_MCAST, host order) on
 * ifindex (already joined: 0); closing the socket leaves them all. */
int hsrp_io_join(struct hsrp_io *io, uint32_t ifindex, uint32_t group);
int hsrp_io_leave(struct hsrp_io *io, uint32_t ifindex, uint32_t group);
/* Multicast buf to group out of ifindex from src. */
int hsrp_io_send(struct hsrp_io *io, uint32_t ifindex, struct in_addr src,
		 uint32_t group, const uint8_t *buf, size_t len);
const struct hsrp_io_stats *hsrp_io_get_stats(const struct hsrp_io *io);

#endif /* MIPHA_HSRP_IO_H */

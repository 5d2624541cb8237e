// SPDX-License-Identifier: GPL-2.0
/*
 * hsrp_io: the HSRP socket (hsrp_io.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "hsrp_io.h"
#include "hsrp_msg.h"
#include "log.h"

/* Longer than any message we speak: a v2 hello with text and MD5 TLVs is
 * 84 bytes; a bigger datagram is not ours and is truncated, counted. */
#define HSRP_IO_BUF 512

struct hsrp_io {
	struct loop *loop;
	struct loop_io lio;
	int fd;
	hsrp_io_rx_cb cb;
	void *data;
	struct hsrp_io_stats stats;
	uint8_t buf[HSRP_IO_BUF];
};

static bool source_ok(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	/* 0/8, 127/8, multicast and above, limited broadcast. */
	return h >> 24 != 0 && h >> 24 != 127 && h < 0xe0000000u;
}

static void rx_one(struct hsrp_io *io, ssize_t n, struct msghdr *mh,
		   const struct sockaddr_in *from)
{
	struct hsrp_io_rx rx = { .buf = io->buf, .len = (size_t)n };
	struct cmsghdr *cm;
	int ttl = -1;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != IPPROTO_IP)
			continue;
		if (cm->cmsg_type == IP_PKTINFO) {
			const struct in_pktinfo *pi =
				(const void *)CMSG_DATA(cm);

			rx.ifindex = (uint32_t)pi->ipi_ifindex;
			rx.dst = pi->ipi_addr;
		} else if (cm->cmsg_type == IP_TTL) {
			memcpy(&ttl, CMSG_DATA(cm), sizeof(ttl));
		}
	}
	io->stats.received++;
	if (mh->msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		io->stats.truncated++;
		return;
	}
	if (ntohl(rx.dst.s_addr) != HSRP_V1_MCAST &&
	    ntohl(rx.dst.s_addr) != HSRP_V2_MCAST) {
		io->stats.not_multicast++;
		return;
	}
	if (ttl != 1) {
		io->stats.bad_ttl++;
		return;
	}
	rx.src = from->sin_addr;
	if (!source_ok(rx.src) || ntohs(from->sin_port) != HSRP_PORT) {
		io->stats.bad_source++;
		return;
	}
	io->cb(io->data, &rx);
}

static void on_readable(struct loop_io *lio, uint32_t events)
{
	struct hsrp_io *io = lio->data;
	unsigned int budget = 64; /* then let the loop breathe */

	(void)events;
	while (budget--) {
		union {
			char buf[CMSG_SPACE(sizeof(struct in_pktinfo)) +
				 CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} cbuf;
		struct sockaddr_in from;
		struct iovec iov = { io->buf, sizeof(io->buf) };
		struct msghdr mh = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf.buf,
			.msg_controllen = sizeof(cbuf.buf),
		};
		ssize_t n = recvmsg(io->fd, &mh, 0);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_ratelimited(LOG_WARNING, "hsrp: %s",
						strerror(errno));
			return;
		}
		rx_one(io, n, &mh, &from);
	}
}

int hsrp_io_open(struct hsrp_io **iop, struct loop *l, hsrp_io_rx_cb cb,
		 void *data)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(HSRP_PORT),
	};
	int one = 1, zero = 0, ret;
	struct hsrp_io *io;

	*iop = NULL;
	io = calloc(1, sizeof(*io));
	if (!io)
		return -ENOMEM;
	io->loop = l;
	io->cb = cb;
	io->data = data;
	io->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (io->fd < 0) {
		ret = -errno;
		free(io);
		return ret;
	}
	/*
	 * TTL 1 out (RFC 2281), TTL and arrival interface in; our own
	 * multicasts are not looped back to us (another daemon in another
	 * network namespace sees them on the wire as it should).
	 */
	/* No SO_REUSEADDR: no other socket may bind the port beside us
	 * and read the group's traffic. */
	if (setsockopt(io->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) ||
	    setsockopt(io->fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)) ||
	    setsockopt(io->fd, IPPROTO_IP, IP_MULTICAST_TTL, &one,
		       sizeof(one)) ||
	    setsockopt(io->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &zero,
		       sizeof(zero)) ||
	    setsockopt(io->fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero,
		       sizeof(zero)) ||
	    bind(io->fd, (struct sockaddr *)&sin, sizeof(sin)))
		goto err;
	ret = loop_io_add(l, &io->lio, io->fd, EPOLLIN, on_readable, io);
	if (ret) {
		errno = -ret;
		goto err;
	}
	*iop = io;
	return 0;
err:
	ret = -errno;
	close(io->fd);
	free(io);
	return ret;
}

void hsrp_io_close(struct hsrp_io *io)
{
	if (!io)
		return;
	loop_io_del(io->loop, &io->lio);
	close(io->fd);
	free(io);
}

static int membership(struct hsrp_io *io, int op, uint32_t ifindex,
		      uint32_t group)
{
	struct ip_mreqn mr = {
		.imr_multiaddr.s_addr = htonl(group),
		.imr_ifindex = (int)ifindex,
	};

	if (setsockopt(io->fd, IPPROTO_IP, op, &mr, sizeof(mr)))
		return -errno;
	return 0;
}

int hsrp_io_join(struct hsrp_io *io, uint32_t ifindex, uint32_t group)
{
	int ret = membership(io, IP_ADD_MEMBERSHIP, ifindex, group);

	return ret == -EADDRINUSE ? 0 : ret;
}

int hsrp_io_leave(struct hsrp_io *io, uint32_t ifindex, uint32_t group)
{
	int ret = membership(io, IP_DROP_MEMBERSHIP, ifindex, group);

	return ret == -EADDRNOTAVAIL ? 0 : ret;
}

int hsrp_io_send(struct hsrp_io *io, uint32_t ifindex, struct in_addr src,
		 uint32_t group, const uint8_t *buf, size_t len)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(HSRP_PORT),
		.sin_addr.s_addr = htonl(group),
	};
	union {
		char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} cbuf = { 0 };
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = {
		.msg_name = &to,
		.msg_namelen = sizeof(to),
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf.buf,
		.msg_controllen = sizeof(cbuf.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	struct in_pktinfo *pi;

	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(*pi));
	pi = (struct in_pktinfo *)CMSG_DATA(cm);
	pi->ipi_ifindex = (int)ifindex;
	pi->ipi_spec_dst = src;
	if (sendmsg(io->fd, &mh, 0) < 0) {
		io->stats.send_errors++;
		return -errno;
	}
	io->stats.sent++;
	return 0;
}

const struct hsrp_io_stats *hsrp_io_get_stats(const struct hsrp_io *io)
{
	return &io->stats;
}

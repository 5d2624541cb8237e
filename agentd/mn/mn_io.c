// SPDX-License-Identifier: GPL-2.0
/*
 * mn_io: mipha-mn's UDP sockets and pacer.
 *
 * One non-blocking socket per care-of address (or the emulated FA's
 * address), bound to it so requests leave from it. The pacer starts new
 * transactions from a FIFO of queued nodes, at most --window waiting for a
 * reply and at most --rate per second (token bucket, refilled by a timer);
 * retransmissions bypass it: they already hold their place in the window.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "mn.h"

#define SOCK_BUF   (8 << 20)
#define RECV_BATCH 256 /* datagrams per wakeup before others get a turn */

static void sock_cb(struct loop_io *io, uint32_t events)
{
	struct mn_sock *s = io->data;
	struct mn_ctx *c = s->ctx;
	uint8_t buf[4096];
	unsigned int i;

	if (events & EPOLLOUT) {
		s->blocked = false;
		loop_io_mod(c->loop, io, EPOLLIN);
		mn_io_pump(c);
	}
	for (i = 0; i < RECV_BATCH && !c->stop; i++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n;

		n = recvfrom(io->fd, buf, sizeof(buf), 0,
			     (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				c->stats.malformed++; /* ICMP error queued */
			if (errno == EAGAIN)
				break;
			continue;
		}
		mn_node_reply(c, s->index, buf, (size_t)n, from.sin_addr);
	}
}

static void set_buf(int fd, int opt_force, int opt)
{
	int v = SOCK_BUF;

	/* FORCE needs CAP_NET_ADMIN; without it the sysctl caps us. */
	if (setsockopt(fd, SOL_SOCKET, opt_force, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, opt, &v, sizeof(v));
}

static void pace_timer(struct loop_timer *t)
{
	mn_io_pump(t->data);
}

int mn_io_open(struct mn_ctx *c)
{
	const struct mn_opts *o = c->opts;
	unsigned int i;

	loop_timer_init(&c->pace_timer, pace_timer, c);
	for (i = 0; i < o->n_coas; i++) {
		struct sockaddr_in sa = {
			.sin_family = AF_INET,
			.sin_addr = o->coas[i],
			.sin_port = htons(o->sport),
		};
		struct mn_sock *s = &c->socks[i];
		char a[INET_ADDRSTRLEN];
		int fd, ret;

		fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    0);
		if (fd < 0)
			return -errno;
		set_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF);
		set_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			ret = -errno;
			inet_ntop(AF_INET, &o->coas[i], a, sizeof(a));
			fprintf(stderr,
				"mipha-mn: cannot bind to %s port %u: %s\n", a,
				o->sport, strerror(-ret));
			close(fd);
			return ret;
		}
		s->ctx = c;
		s->index = i;
		ret = loop_io_add(c->loop, &s->io, fd, EPOLLIN, sock_cb, s);
		if (ret) {
			close(fd);
			return ret;
		}
		c->n_socks++;
	}
	return 0;
}

void mn_io_close(struct mn_ctx *c)
{
	unsigned int i;

	loop_timer_cancel(c->loop, &c->pace_timer);
	for (i = 0; i < c->n_socks; i++) {
		int fd = c->socks[i].io.fd;

		loop_io_del(c->loop, &c->socks[i].io);
		close(fd);
	}
	c->n_socks = 0;
}

int mn_io_send(struct mn_ctx *c, unsigned int sock, const uint8_t *buf,
	       size_t len)
{
	struct mn_sock *s = &c->socks[sock];
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_addr = c->opts->ha,
		.sin_port = htons(c->opts->ha_port),
	};

	struct mmsghdr m[16];
	struct iovec iov = { (void *)buf, len };
	unsigned int i, copies = c->opts->copies ?: 1;

	if (s->blocked)
		return -EAGAIN;
	if (copies > 1) {
		/* One system call: the copies arrive together. */
		memset(m, 0, sizeof(m));
		for (i = 0; i < copies && i < 16; i++) {
			m[i].msg_hdr.msg_name = &to;
			m[i].msg_hdr.msg_namelen = sizeof(to);
			m[i].msg_hdr.msg_iov = &iov;
			m[i].msg_hdr.msg_iovlen = 1;
		}
		if (sendmmsg(s->io.fd, m, i, 0) > 0)
			return 0;
	} else if (sendto(s->io.fd, buf, len, 0, (struct sockaddr *)&to,
			  sizeof(to)) == (ssize_t)len) {
		return 0;
	}
	if (errno == EAGAIN || errno == ENOBUFS) {
		s->blocked = true;
		loop_io_mod(c->loop, &s->io, EPOLLIN | EPOLLOUT);
		return -EAGAIN;
	}
	return -errno;
}

void mn_io_enqueue(struct mn_ctx *c, uint32_t idx, bool head)
{
	struct mn_node *n = &c->nodes[idx];

	n->state = MN_S_QUEUED;
	if (c->q_head == UINT32_MAX) {
		n->next = UINT32_MAX;
		c->q_head = c->q_tail = idx;
	} else if (head) {
		n->next = c->q_head;
		c->q_head = idx;
	} else {
		n->next = UINT32_MAX;
		c->nodes[c->q_tail].next = idx;
		c->q_tail = idx;
	}
}

static void refill(struct mn_ctx *c)
{
	double rate = c->opts->rate, burst;
	uint64_t now = mn_now_us();

	if (!c->tokens_at_us) {
		c->tokens_at_us = now;
		c->tokens = 1;
		return;
	}
	c->tokens += (double)(now - c->tokens_at_us) * rate / 1e6;
	c->tokens_at_us = now;
	/* Two timer ticks' worth: smooth, yet the rate holds at 1 ms
	 * granularity. */
	burst = rate * 0.002;
	if (burst < 1)
		burst = 1;
	if (c->tokens > burst)
		c->tokens = burst;
}

void mn_io_pump(struct mn_ctx *c)
{
	const struct mn_opts *o = c->opts;

	if (c->stop)
		return;
	while (c->q_head != UINT32_MAX && c->inflight < o->window) {
		uint32_t idx = c->q_head;
		int ret;

		if (o->rate > 0) {
			refill(c);
			if (c->tokens < 1) {
				double ms = (1 - c->tokens) * 1000 / o->rate;

				if (!loop_timer_armed(&c->pace_timer))
					loop_timer_arm(
						c->loop, &c->pace_timer,
						ms < 1 ? 1 : (uint64_t)ms + 1);
				return;
			}
		}
		if (c->socks[c->nodes[idx].sock].blocked)
			return; /* EPOLLOUT pumps again */
		c->q_head = c->nodes[idx].next;
		if (c->q_head == UINT32_MAX)
			c->q_tail = UINT32_MAX;
		c->nodes[idx].next = UINT32_MAX;
		ret = mn_node_send(c, idx);
		if (ret == -EAGAIN) {
			mn_io_enqueue(c, idx, true);
			return;
		}
		if (ret) {
			/* Cannot even build it (bad key): give the node up. */
			c->nodes[idx].state = MN_S_IDLE;
			c->stats.send_errors++;
			continue;
		}
		if (o->rate > 0)
			c->tokens -= 1;
	}
}

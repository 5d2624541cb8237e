// SPDX-License-Identifier: GPL-2.0
/*
 * mn_reflector: the baseline of scripts/bench-register. A trivial home
 * agent that does per request only what any home agent must: parse the
 * request, verify its MN-HA authenticator, build a reply carrying an
 * MN-HA authenticator, send it. No replay state, no binding, no kernel.
 * Same event loop and the same codec as mipha-mn, one datagram per system
 * call as agentd does, so the ratio measures what agentd adds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "mn.h"

struct reflector {
	const struct mn_opts *opts;
	struct loop *loop;
	struct loop_io io;
	uint64_t requests, replies, bad;
};

static void reflect_one(struct reflector *r, const uint8_t *buf, size_t len,
			const struct sockaddr_in *from)
{
	struct reg_request req;
	struct reg_reply rep;
	uint8_t out[1024];
	ssize_t n;

	r->requests++;
	if (reg_request_parse(buf, len, &req) || !req.has_mn_ha ||
	    !reg_auth_ext_verify(buf, &req.mn_ha, &r->opts->mn_ha)) {
		r->bad++;
		return;
	}
	memset(&rep, 0, sizeof(rep));
	rep.code = REG_CODE_ACCEPTED;
	rep.lifetime = req.lifetime;
	rep.home_addr = req.home_addr;
	rep.ha_addr = req.ha_addr;
	rep.id = req.id;
	rep.nai = req.nai;
	rep.nai_len = req.nai ? req.nai_len : 0;
	n = reg_reply_build(out, sizeof(out), &rep, &r->opts->mn_ha, NULL);
	if (n < 0) {
		r->bad++;
		return;
	}
	if (sendto(r->io.fd, out, (size_t)n, 0, (const struct sockaddr *)from,
		   sizeof(*from)) == n)
		r->replies++;
}

static void reflector_cb(struct loop_io *io, uint32_t events)
{
	struct reflector *r = io->data;
	uint8_t buf[4096];
	int i;

	(void)events;
	for (i = 0; i < 256; i++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(io->fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &fl);

		if (n < 0)
			return;
		reflect_one(r, buf, (size_t)n, &from);
	}
}

static void on_signal(struct loop *l, int signo, void *data)
{
	(void)signo;
	(void)data;
	loop_stop(l);
}

int mn_reflector_run(const struct mn_opts *o)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_addr = o->reflect_addr,
		.sin_port = htons(o->reflect_port),
	};
	struct reflector r = { .opts = o };
	int fd, v = 8 << 20, ret;

	ret = loop_new(&r.loop);
	if (ret)
		return ret;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		goto err_loop;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		fprintf(stderr, "mipha-mn: reflector: cannot bind: %s\n",
			strerror(errno));
		goto err_fd;
	}
	ret = loop_signals(r.loop, sigs, 2, on_signal, NULL);
	if (!ret)
		ret = loop_io_add(r.loop, &r.io, fd, EPOLLIN, reflector_cb, &r);
	if (ret)
		goto err_fd;
	fprintf(stderr, "mipha-mn: reflector listening on %s:%u\n",
		inet_ntoa(o->reflect_addr), o->reflect_port);
	ret = loop_run(r.loop);
	loop_io_del(r.loop, &r.io);
	fprintf(stderr,
		"mipha-mn: reflector: %llu requests, %llu replies, %llu refused\n",
		(unsigned long long)r.requests, (unsigned long long)r.replies,
		(unsigned long long)r.bad);
err_fd:
	close(fd);
err_loop:
	loop_free(r.loop);
	return ret;
}

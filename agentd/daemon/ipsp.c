// SPDX-License-Identifier: GPL-2.0
/*
 * ipsp: see ipsp.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>

#include "binding_store.h"
#include "config.h"
#include "config_ipsp.h"
#include "ipsp.h"
#include "ipsp_state.h"
#include "kernel_adapter.h"
#include "log.h"
#include "loop.h"
#include "notify.h"
#include "reg.h"
#include "reg_pipeline.h"
#include "sync_tls.h"

#define IPSP_BACKOFF_MIN_MS 100
#define IPSP_BACKOFF_MAX_MS 5000
#define IPSP_NOTIFY_TIMEOUT_MS 10000
/* Claims of 500,000 bindings are about 22 MB: queued whole. */
#define IPSP_QUEUE_MAX	   (64 * 1024 * 1024)
/* A call to us must authenticate within this (or the dead interval). */
#define IPSP_ACCEPT_HANDSHAKE_MS 10000
/* A connection that lived this long resets the backoff of calls. */
#define IPSP_STABLE_MS 5000
/* Keys of the peer's address at most (a rollover: several). */
#define IPSP_KEYS_MAX 16
/* What a stop or a mode change waits for the queue to go out. */
#define IPSP_DRAIN_MS 2000

struct ipsp {
	struct loop *loop;
	const struct config *cfg;
	const struct config_ipsp *ic;
	struct reg *reg;
	struct binding_store *store;
	struct kadapter *ka;
	struct ipsp_state *st;

	struct sync_tls_ctx *tls;
	struct sync_tls_conn *conn; /* authenticated, or our call */
	struct sync_tls_conn *pending; /* a call to us in its handshake */
	bool caller;		    /* the secondary (configured) calls */
	uint32_t spi;		    /* the key we offer: the newest */
	int listen_fd;
	struct loop_io listen_io;
	struct loop_timer tick, retry, kick, closer;
	const char *close_why; /* the state machine's (a static string) */
	struct sync_tls_conn *close_conn; /* the one it asked to close */
	uint64_t close_at_ms; /* ... once its queue is out, or then */
	uint64_t up_ms;			  /* when conn came up */
	uint32_t backoff_ms;
	bool up; /* conn authenticated */

	struct notify *notify;
	void (*event_fn)(void *data, json_t *fields);
	void *event_data;

	uint64_t connects, auth_failures, frame_errors, strangers;
};

static const char *peer_str(const struct ipsp *ip)
{
	static char buf[INET_ADDRSTRLEN];

	return inet_ntop(AF_INET, &ip->ic->peer, buf, sizeof(buf));
}

/* ---- the state machine's view ------------------------------------------- */

static void st_close(void *ctx, const char *why);

static int st_send(void *ctx, const uint8_t *buf, size_t len)
{
	struct ipsp *ip = ctx;

	int err;

	if (!ip->conn || !ip->up)
		return -ENOTCONN;
	err = sync_tls_send(ip->conn, buf, len);
	/* a frame lost breaks the protocol: the connection goes (later) */
	if (err)
		st_close(ip, "a frame could not be queued");
	return err;
}

struct release_op {
	struct ipsp *ip;
	struct in_addr addr;
};

static void release_done(void *ctx, const struct kadapter_result *res)
{
	struct release_op *op = ctx;
	struct ipsp *ip = op->ip;
	int err = res->err == -ENOENT ? 0 : res->err;
	char as[INET_ADDRSTRLEN];

	if (!err && res->unknown)
		err = -EIO;
	if (!err) {
		/* the address stays reserved: it is IPSP's to busy out */
		binding_store_remove(ip->store, op->addr,
				     BINDING_CAUSE_TAKEN_OVER, BINDING_KEEP_ADDR);
	} else {
		log_ratelimited(LOG_ERR, "ipsp: binding %s not removed: %s",
				inet_ntop(AF_INET, &op->addr, as, sizeof(as)),
				strerror(-err));
	}
	ipsp_state_release_done(ip->st, op->addr, err);
	free(op);
}

static int st_release_binding(void *ctx, struct in_addr addr)
{
	struct ipsp *ip = ctx;
	struct kernel_binding kb = { .home_addr = addr };
	struct release_op *op = malloc(sizeof(*op));
	int err;

	if (!op)
		return -ENOMEM;
	op->ip = ip;
	op->addr = addr;
	err = kadapter_submit(ip->ka, KERNEL_OP_DEL, &kb, release_done, op);
	if (err == -ENOSPC) {
		kadapter_flush(ip->ka);
		err = kadapter_submit(ip->ka, KERNEL_OP_DEL, &kb, release_done,
				      op);
	}
	if (err) {
		free(op);
		return err;
	}
	kadapter_flush_soon(ip->ka);
	return 0;
}

static void st_alloc_done(void *ctx, struct reg_txn *t, int err,
			  struct in_addr addr)
{
	(void)ctx;
	reg_pipeline_alloc_done(t, err, addr);
}

static void st_event(void *ctx, const char *what, json_t *fields)
{
	struct ipsp *ip = ctx;
	const char *args[2] = { what, ipsp_role_name(ipsp_state_role(ip->st)) };
	json_t *o;

	if (ip->notify && notify_run(ip->notify, args, 2))
		log_ratelimited(LOG_WARNING, "ipsp: notify hook queue full");
	if (!ip->event_fn)
		return;
	o = fields ? json_deep_copy(fields) : json_object();
	if (!o)
		return;
	json_object_set_new(o, "what", json_string(what));
	json_object_set_new(o, "peer", json_string(peer_str(ip)));
	json_object_set_new(o, "role", json_string(ipsp_role_name(
					       ipsp_state_role(ip->st))));
	ip->event_fn(ip->event_data, o);
	json_decref(o);
}

static void st_kick(void *ctx)
{
	struct ipsp *ip = ctx;

	if (!loop_timer_armed(&ip->kick))
		loop_timer_arm(ip->loop, &ip->kick, 0);
}

static void st_close(void *ctx, const char *why)
{
	struct ipsp *ip = ctx;

	ip->close_why = why;
	ip->close_conn = ip->conn;
	ip->close_at_ms = 0; /* at once */
	loop_timer_arm(ip->loop, &ip->closer, 0);
}

static const struct ipsp_state_ops state_ops = {
	.send = st_send,
	.release_binding = st_release_binding,
	.alloc_done = st_alloc_done,
	.event = st_event,
	.kick = st_kick,
	.close = st_close,
};

/* ---- time --------------------------------------------------------------- */

static void tick_cb(struct loop_timer *t)
{
	struct ipsp *ip = t->data;
	uint64_t now = loop_now_ms(), next = ipsp_state_tick(ip->st, now);

	loop_timer_arm_at(ip->loop, &ip->tick, next);
}

static void conn_close(struct ipsp *ip, const char *why);

static void closer_cb(struct loop_timer *t)
{
	struct ipsp *ip = t->data;

	/* only the connection it was asked about, not a newer one */
	if (!ip->conn || ip->conn != ip->close_conn)
		return;
	if (ip->up && sync_tls_conn_queued(ip->conn) &&
	    loop_now_ms() < ip->close_at_ms) {
		loop_timer_arm(ip->loop, &ip->closer, 20); /* not out yet */
		return;
	}
	conn_close(ip, ip->close_why);
}

static void kick_cb(struct loop_timer *t)
{
	struct ipsp *ip = t->data;

	ipsp_state_tick(ip->st, loop_now_ms());
}

/* ---- the connection ----------------------------------------------------- */

static void conn_close(struct ipsp *ip, const char *why);

static void call_later(struct ipsp *ip)
{
	uint32_t jitter = ip->backoff_ms / 4;

	if (!ip->caller || !ipsp_state_wants_peer(ip->st))
		return;
	loop_timer_arm(ip->loop, &ip->retry,
		       ip->backoff_ms +
			       (jitter ? (uint32_t)random() % jitter : 0));
	ip->backoff_ms = ip->backoff_ms * 2 > IPSP_BACKOFF_MAX_MS ?
				 IPSP_BACKOFF_MAX_MS :
				 ip->backoff_ms * 2;
}

static size_t peer_keys(const struct config *cfg, struct in_addr peer,
			struct sync_tls_key *keys, uint32_t *spi);

/* Is spi one of the keys of the peer's address? */
static bool peer_spi_ok(const struct ipsp *ip, uint32_t spi)
{
	struct sync_tls_key keys[IPSP_KEYS_MAX];
	uint32_t newest;
	size_t i, n = peer_keys(ip->cfg, ip->ic->peer, keys, &newest);

	for (i = 0; i < n; i++)
		if (keys[i].spi == spi)
			return true;
	return false;
}

static void conn_up(struct sync_tls_conn *c, void *data)
{
	struct ipsp *ip = data;
	uint32_t spi = 0;

	if (!sync_tls_conn_peer_spi(c, &spi) || !peer_spi_ok(ip, spi)) {
		ip->auth_failures++;
		log_ratelimited(LOG_WARNING,
				"ipsp: %s authenticated with SPI 0x%x, not "
				"one of its own: refused",
				peer_str(ip), spi);
		if (c == ip->pending) {
			sync_tls_conn_free(c);
			ip->pending = NULL;
		} else {
			conn_close(ip, "another peer's key");
		}
		return;
	}
	if (c == ip->pending) {
		/* the peer's call, authenticated: it replaces ours */
		ip->pending = NULL;
		if (ip->conn)
			conn_close(ip, "the peer called again");
		ip->conn = c;
	}
	ip->up = true;
	ip->connects++;
	ip->up_ms = loop_now_ms();
	log_notice("ipsp: connected to %s (%s)", peer_str(ip),
		   sync_tls_conn_cipher(c));
	ipsp_state_connected(ip->st, loop_now_ms());
}

static size_t conn_recv(struct sync_tls_conn *c, const uint8_t *buf, size_t len,
			void *data)
{
	struct ipsp *ip = data;
	size_t used = 0, flen;
	const char *why;
	int err;

	while (ip->conn == c && used < len) {
		err = ipsp_frame_peek(buf + used, len - used, &flen);
		if (err == -EAGAIN)
			break;
		if (err) {
			ip->frame_errors++;
			conn_close(ip, "a frame that does not parse");
			return len;
		}
		err = ipsp_state_frame(ip->st, buf + used, flen, loop_now_ms(),
				       &why);
		used += flen;
		if (err) {
			log_ratelimited(LOG_ERR, "ipsp: %s: %s", peer_str(ip),
					why ? why : strerror(-err));
			conn_close(ip, why ? why : "protocol error");
			return len;
		}
	}
	return ip->conn == c ? used : len;
}

static void conn_down(struct sync_tls_conn *c, const struct sync_tls_close *why,
		      void *data)
{
	struct ipsp *ip = data;
	const char *d = why->detail ? why->detail :
				      sync_tls_reason_name(why->reason);

	if (why->reason == SYNC_TLS_AUTH)
		ip->auth_failures++;
	if (c == ip->pending) {
		log_ratelimited(LOG_INFO, "ipsp: a call from %s failed: %s",
				peer_str(ip), d);
		sync_tls_conn_free(c);
		ip->pending = NULL;
		return;
	}
	conn_close(ip, d);
}

static const struct sync_tls_ops conn_ops = {
	.up = conn_up,
	.recv = conn_recv,
	.down = conn_down,
};

static void conn_close(struct ipsp *ip, const char *why)
{
	bool was_up = ip->up;

	if (ip->conn) {
		/* a close it was waiting for is done (the pointer may be a
		 * new connection's next) */
		if (ip->conn == ip->close_conn) {
			ip->close_conn = NULL;
			loop_timer_cancel(ip->loop, &ip->closer);
		}
		sync_tls_conn_free(ip->conn);
		ip->conn = NULL;
	}
	/* a peer that flaps keeps backing off; one that stayed, not */
	if (was_up && loop_now_ms() - ip->up_ms >= IPSP_STABLE_MS)
		ip->backoff_ms = IPSP_BACKOFF_MIN_MS;
	ip->up = false;
	if (was_up) {
		log_warn("ipsp: connection to %s closed: %s", peer_str(ip),
			 why);
		ipsp_state_disconnected(ip->st, loop_now_ms());
	} else {
		log_ratelimited(LOG_INFO, "ipsp: no connection to %s: %s",
				peer_str(ip), why);
	}
	if (!loop_timer_armed(&ip->retry))
		call_later(ip);
}

static struct sync_tls_conn_cfg conn_cfg(struct ipsp *ip)
{
	struct sync_tls_conn_cfg cfg = {
		.ops = &conn_ops,
		.data = ip,
		.handshake_timeout_ms = ip->ic->dead_interval * 1000,
		.out_high = IPSP_QUEUE_MAX,
		.out_low = IPSP_QUEUE_MAX / 2,
		.in_max = 2 * IPSP_FRAME_BUF,
	};

	return cfg;
}

static void retry_cb(struct loop_timer *t)
{
	struct ipsp *ip = t->data;
	struct sockaddr_in peer = { .sin_family = AF_INET,
				    .sin_port = htons(ip->ic->port),
				    .sin_addr = ip->ic->peer };
	struct sockaddr_in local = { .sin_family = AF_INET,
				     .sin_addr = ip->ic->local };
	struct sync_tls_conn_cfg cfg = conn_cfg(ip);
	int err;

	if (ip->conn || !ipsp_state_wants_peer(ip->st))
		return;
	err = sync_tls_connect(&ip->conn, ip->tls, ip->loop, ip->spi, &peer,
			       ip->ic->local.s_addr ? &local : NULL, &cfg);
	if (err) {
		ip->conn = NULL;
		log_ratelimited(LOG_WARNING, "ipsp: calling %s: %s",
				peer_str(ip), strerror(-err));
		call_later(ip);
	}
}

static void listen_cb(struct loop_io *io, uint32_t events)
{
	struct ipsp *ip = io->data;
	struct sync_tls_conn_cfg cfg = conn_cfg(ip);
	struct sockaddr_in from;
	socklen_t flen;
	int fd;

	(void)events;
	for (;;) {
		flen = sizeof(from);
		fd = accept4(ip->listen_fd, (struct sockaddr *)&from, &flen,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (from.sin_addr.s_addr != ip->ic->peer.s_addr ||
		    !ipsp_state_wants_peer(ip->st)) {
			ip->strangers++;
			log_ratelimited(LOG_WARNING,
					"ipsp: connection from %s refused: "
					"not the IPSP peer",
					inet_ntoa(from.sin_addr));
			close(fd);
			continue;
		}
		/* one handshake at a time: the newest, and a short one */
		if (ip->pending)
			sync_tls_conn_free(ip->pending);
		ip->pending = NULL;
		if (cfg.handshake_timeout_ms > IPSP_ACCEPT_HANDSHAKE_MS)
			cfg.handshake_timeout_ms = IPSP_ACCEPT_HANDSHAKE_MS;
		if (sync_tls_accept(&ip->pending, ip->tls, ip->loop, fd, &cfg))
			ip->pending = NULL;
	}
}

static int listen_start(struct ipsp *ip)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(ip->ic->port),
				  .sin_addr = ip->ic->local };
	int one = 1;

	ip->listen_fd =
		socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ip->listen_fd < 0)
		return -errno;
	setsockopt(ip->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(ip->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(ip->listen_fd, 4))
		return -errno;
	return loop_io_add(ip->loop, &ip->listen_io, ip->listen_fd, EPOLLIN,
			   listen_cb, ip);
}

/*
 * The keys of the peer's address in cfg (several: a rollover; the last
 * one is offered). Returns how many, 0: none.
 */
static size_t peer_keys(const struct config *cfg, struct in_addr peer,
			struct sync_tls_key *keys, uint32_t *spi)
{
	uint32_t a = ntohl(peer.s_addr);
	size_t i, n = 0;

	for (i = 0; i < cfg->n_ha_ha && n < IPSP_KEYS_MAX; i++) {
		const struct config_sa *sa = &cfg->ha_ha[i];
		size_t k;

		if (sa->match != CONFIG_MATCH_ADDR || sa->range.first > a ||
		    a > sa->range.last)
			continue;
		for (k = 0; k < n && keys[k].spi != sa->key.spi; k++)
			;
		if (k < n)
			continue;
		keys[n++] = (struct sync_tls_key){ sa->key.spi, sa->key.key,
						   sa->key.key_len };
		*spi = sa->key.spi;
	}
	return n;
}

static int tls_start(struct ipsp *ip)
{
	struct sync_tls_key keys[IPSP_KEYS_MAX];
	size_t n = peer_keys(ip->cfg, ip->ic->peer, keys, &ip->spi);

	if (!n)
		return -ENOKEY;
	return sync_tls_ctx_new(&ip->tls, keys, n);
}

/* ---- the service -------------------------------------------------------- */

int ipsp_new(struct ipsp **ipp, struct loop *l, const struct config *cfg,
	     struct pool_set *pools, struct reg *reg)
{
	const struct config_ipsp *ic = config_ipsp(cfg);
	struct reg_allocator alloc;
	struct ipsp *ip;
	int err;

	*ipp = NULL;
	if (!ic)
		return 0;
	ip = calloc(1, sizeof(*ip));
	if (!ip)
		return -ENOMEM;
	ip->loop = l;
	ip->cfg = cfg;
	ip->ic = ic;
	ip->reg = reg;
	ip->store = reg_store(reg);
	ip->ka = reg_kadapter(reg);
	ip->listen_fd = -1;
	ip->backoff_ms = IPSP_BACKOFF_MIN_MS;
	/* the configuration names the peer's role: the secondary calls */
	ip->caller = ic->peer_role == IPSP_ROLE_PRIMARY;
	loop_timer_init(&ip->tick, tick_cb, ip);
	loop_timer_init(&ip->retry, retry_cb, ip);
	loop_timer_init(&ip->kick, kick_cb, ip);
	loop_timer_init(&ip->closer, closer_cb, ip);
	err = ipsp_state_new(&ip->st, cfg, pools, ip->store, &state_ops, ip,
			     loop_now_ms());
	if (!err)
		err = tls_start(ip);
	if (!err && !ip->caller)
		err = listen_start(ip);
	if (!err && ic->notify)
		err = notify_new(&ip->notify, l, ic->notify,
				 IPSP_NOTIFY_TIMEOUT_MS, 1);
	if (err) {
		ipsp_free(ip, false);
		return err;
	}
	ipsp_state_allocator(ip->st, &alloc);
	reg_set_allocator(reg, &alloc);
	loop_timer_arm(l, &ip->tick, 0);
	if (ip->caller)
		loop_timer_arm(l, &ip->retry, 0);
	log_notice("ipsp: %s of %s, mode %s, dead interval %u s",
		   ipsp_role_name(ipsp_state_role(ip->st)), peer_str(ip),
		   ipsp_mode_name(ic->mode), ic->dead_interval);
	*ipp = ip;
	return 0;
}

/*
 * What is queued (a primary's holdings and GOING_DOWN: some MB with many
 * bindings) goes out before the connection does, for a second at most:
 * the loop runs meanwhile (the daemon is stopping, still whole).
 */
static bool unsent(struct ipsp *ip)
{
	int fd, n = 0;

	if (!ip->conn || !ip->up)
		return false;
	if (sync_tls_conn_queued(ip->conn))
		return true;
	/* ... and what the socket holds, not yet acknowledged by the peer
	 * (closing with it there risks a reset that drops it) */
	fd = sync_tls_conn_fd(ip->conn);
	return fd >= 0 && !ioctl(fd, SIOCOUTQ, &n) && n > 0;
}

static void drain(struct ipsp *ip)
{
	uint64_t until = loop_now_ms() + IPSP_DRAIN_MS;

	while (unsent(ip) && loop_now_ms() < until)
		loop_run_once(ip->loop, 20);
}

void ipsp_free(struct ipsp *ip, bool graceful)
{
	if (!ip)
		return;
	/*
	 * Removals we queued complete now, while we are here to hear it
	 * (reg_free() would complete them after we are gone).
	 */
	if (ip->ka)
		kadapter_flush(ip->ka);
	if (ip->st) {
		if (graceful && ip->up) {
			ipsp_state_going_down(ip->st);
			drain(ip);
			/* (nothing new starts once going down; to be sure) */
			kadapter_flush(ip->ka);
		}
		reg_set_allocator(ip->reg, NULL);
	}
	if (ip->pending)
		sync_tls_conn_free(ip->pending);
	if (ip->conn)
		sync_tls_conn_free(ip->conn);
	if (ip->listen_fd >= 0) {
		loop_io_del(ip->loop, &ip->listen_io);
		close(ip->listen_fd);
	}
	loop_timer_cancel(ip->loop, &ip->tick);
	loop_timer_cancel(ip->loop, &ip->retry);
	loop_timer_cancel(ip->loop, &ip->kick);
	loop_timer_cancel(ip->loop, &ip->closer);
	notify_free(ip->notify);
	ipsp_state_free(ip->st);
	if (ip->tls)
		sync_tls_ctx_free(ip->tls);
	free(ip);
}

void ipsp_set_config(struct ipsp *ip, const struct config *cfg,
		     struct pool_set *pools)
{
	const struct config_ipsp *ic = config_ipsp(cfg);
	struct sync_tls_key keys[IPSP_KEYS_MAX];
	uint32_t spi = ip->spi;
	bool mode_changed = ic && ic->mode != ip->ic->mode;
	size_t n;

	/* (leaving active, the state machine tells the peer first) */
	ipsp_state_set_config(ip->st, cfg, pools, loop_now_ms());
	ip->cfg = cfg;
	if (!ic)
		return;
	ip->ic = ic;
	/* the peer's keys as now configured (a rollover, a new key) */
	n = peer_keys(cfg, ic->peer, keys, &spi);
	if (n && !sync_tls_ctx_set_keys(ip->tls, keys, n))
		ip->spi = spi;
	if (!mode_changed)
		return;
	/*
	 * A new mode: a new connection, whose HELLOs say it; the old one
	 * closed once what it has queued (a GOING_DOWN) went out.
	 */
	if (!ipsp_state_wants_peer(ip->st))
		loop_timer_cancel(ip->loop, &ip->retry);
	else if (ip->caller)
		ip->backoff_ms = IPSP_BACKOFF_MIN_MS;
	if (ip->conn && ip->close_conn != ip->conn) {
		ip->close_why = "the mode changed";
		ip->close_conn = ip->conn;
		ip->close_at_ms = loop_now_ms() + IPSP_DRAIN_MS;
		loop_timer_arm(ip->loop, &ip->closer, 0);
	} else if (!ip->conn) if (ipsp_state_wants_peer(ip->st) && ip->caller) {
		loop_timer_arm(ip->loop, &ip->retry, 0);
	}
}

void ipsp_set_event_fn(struct ipsp *ip,
		       void (*fn)(void *data, json_t *fields), void *data)
{
	ip->event_fn = fn;
	ip->event_data = data;
}

json_t *ipsp_json(const struct ipsp *ip)
{
	json_t *o = ipsp_state_json(ip->st, loop_now_ms()), *c;
	const char *state;

	if (!o)
		return NULL;
	state = ip->up				      ? "up" :
		ip->conn && sync_tls_conn_state(ip->conn) ==
				    SYNC_TLS_CONNECTING ? "connecting" :
		ip->conn || ip->pending		      ? "handshake" :
							"down";
	json_object_set_new(o, "peer_state", json_string(state));
	c = json_object_get(o, "counters");
	if (c) {
		json_object_set_new(c, "connects", json_integer(
							   (json_int_t)ip->connects));
		json_object_set_new(c, "auth_failures",
				    json_integer((json_int_t)ip->auth_failures));
		json_object_set_new(
			c, "protocol_errors",
			json_integer((json_int_t)(ip->frame_errors +
				     ipsp_state_counters(ip->st)->protocol_errors)));
		json_object_set_new(c, "strangers",
				    json_integer((json_int_t)ip->strangers));
	}
	return o;
}

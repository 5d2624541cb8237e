// SPDX-License-Identifier: GPL-2.0
/*
 * reg: the registration service. One UDP socket on port 434 (wildcard, with
 * IP_PKTINFO so we know which address a request was sent to, and answer
 * from it), read and answered a burst at a time; the requests go through
 * reg_pipeline, the bindings live in binding_store, the kernel follows
 * through kernel_adapter. Here too: expiry's kernel delete, the kernel's
 * notifications, and recovery from the kernel table.
 *
 * The kernel is the authority on what is forwarded; the daemon's table is
 * its view plus what the kernel does not know (NAI, replay state, pool):
 * the same data the agent cookie carries, so the view can always be rebuilt
 * from a dump.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <jansson.h>
#include <openssl/rand.h>

#include "config.h"
#include "config_standby.h"
#include "kernel.h"
#include "kernel_adapter.h"
#include "log.h"
#include "loop.h"
#include "pool.h"
#include "reg.h"
#include "reg_config.h"
#include "reg_pipeline.h"
#include "binding_store.h"
#include "binding_kernel.h"


/*
 * Replay state of mobile nodes without a binding (replay_cache.h): at most
 * this many identities, then the least recently used are forgotten behind
 * a floor that refuses anything older than what was forgotten.
 */
#define REG_REPLAY_CACHE 65536

struct reg_burst;


/* A growing list of addresses (a resync's bookkeeping). */
struct addr_list {
	struct in_addr *v;
	size_t n, cap;
};

struct reg {
	struct loop *loop;
	const struct config *cfg;
	struct pool_set *pools;
	struct reg_env env;
	struct reg_config_env envdata;
	struct kernel_sock *ks;	 /* requests */
	struct kernel_sock *kns; /* notifications */
	struct loop_io udp_io;
	struct loop_io notify_io;
	struct binding_store *store; /* the bindings, their replay state */
	struct reg_stats stats;
	struct kadapter *ka;	 /* kernel changes, in batches */
	struct reg_pipeline pipe; /* requests from decision to reply */
	struct reg_burst *burst;  /* requests being handled */
	/* a resync that failed is tried again later, backing off */
	struct loop_timer resync_timer;
	uint64_t resync_backoff_ms;
	/*
	 * Pool addresses kept reserved because the kernel may still hold
	 * them (a resync that failed, a delete of unknown outcome): the next
	 * complete dump settles them.
	 */
	struct addr_list limbo;
	bool (*served)(void *data, struct in_addr addr);
	void *served_data;
};

/* A failed resync is retried after 1 s, doubling up to a minute. */
#define RESYNC_RETRY_MIN_MS 1000
#define RESYNC_RETRY_MAX_MS 60000

/* ---- expiry --------------------------------------------------------- */

/* An expiry's delete, waiting for the kernel. */
struct expire_op {
	struct reg *r;
	struct in_addr home;
	uint64_t reg_time_ms; /* which registration of the node expired */
};

static void expire_done(void *ctx, const struct kadapter_result *res)
{
	struct expire_op *op = ctx;
	struct reg *r = op->r;
	const struct reg_binding *b;

	if (res->err == -ECANCELED)
		goto out; /* shutting down */
	if (res->err && res->err != -ENOENT) {
		/*
		 * The kernel may still forward for it (or may not: unknown):
		 * the binding and its address stay, and the store asks again.
		 */
		r->stats.kernel_errors++;
		log_ratelimited(LOG_WARNING, "expiry: kernel delete failed: %s",
				strerror(-res->err));
		goto out;
	}
	/* Unless it was renewed or removed meanwhile. */
	b = binding_store_find_addr(r->store, op->home);
	if (b && b->reg_time_ms == op->reg_time_ms) {
		r->stats.expiries++;
		binding_store_remove(r->store, op->home, BINDING_CAUSE_EXPIRED,
				     0);
	}
out:
	free(op);
}

/*
 * A binding's expiry timer fired (binding_store_ops.expire). Normally the
 * kernel's EXPIRED came first; make sure it is gone: a delete in the next
 * batch, the binding removed when the kernel answered.
 */
static int reg_expire(void *ctx, const struct binding_rec *rec)
{
	struct reg *r = ctx;
	struct kernel_binding kb = { .home_addr = rec->home_addr };
	struct expire_op *op = malloc(sizeof(*op));
	int ret;

	if (!op)
		return -ENOMEM;
	*op = (struct expire_op){ r, rec->home_addr, rec->reg_time_ms };
	ret = kadapter_submit(r->ka, KERNEL_OP_DEL, &kb, expire_done, op);
	if (ret == -ENOSPC) {
		kadapter_flush(r->ka);
		ret = kadapter_submit(r->ka, KERNEL_OP_DEL, &kb, expire_done,
				      op);
	}
	if (ret) {
		free(op);
		return ret;
	}
	kadapter_flush_soon(r->ka);
	return -EINPROGRESS;
}

/* ---- bursts ------------------------------------------------------------ */

/*
 * Requests are handled a burst at a time: up to REG_BURST datagrams read by
 * one recvmmsg(), their kernel installs sent as one netlink batch (one
 * sendmsg(), one ACK), their replies sent by one sendmmsg(). Per request
 * that leaves no system call at all; the syscalls of one-at-a-time handling
 * (receive, install, its ACK, reply, clock reads) were what capped the
 * registration rate, the HMAC and the table work are cheap beside them.
 *
 * A registration stays pending from its decision until the batch is
 * answered; only then is the binding ours and the reply sent (an accepted
 * reply always means the kernel forwards). A request of a mobile node with
 * a registration still pending in the burst (a retransmission, a
 * deregistration right behind) first has the batch sent and finished, so it
 * is decided on the state that registration left, exactly as if they had
 * come one at a time.
 */
#define REG_BURST REG_PIPELINE_MAX

struct reg_slot {
	char rx_cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct reg_txn t; /* the request, from its decision to its reply */
};

struct reg_burst {
	struct reg_slot slot[REG_BURST];
	struct mmsghdr rx[REG_BURST], tx[REG_BURST];
	struct iovec rx_iov[REG_BURST], tx_iov[REG_BURST];
	struct reg_txn *tx_txn[REG_BURST];
	unsigned int n_tx;
	uint32_t nonce[REG_BURST];
	unsigned int n_nonce; /* left in nonce[] */
	uint64_t now_ntp, now_unix_ms, now_mono_ms; /* read once a burst */
	/* Last: untouched pages of it cost no memory. */
	uint8_t buf[REG_BURST][REG_MSG_MAX];
};

static void burst_clock(struct reg_burst *bu)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	bu->now_ntp = replay_ntp_from_unix(ts.tv_sec, ts.tv_nsec);
	bu->now_unix_ms = (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	bu->now_mono_ms = loop_now_ms();
}

/*
 * A fresh nonce for replay protection, drawn REG_BURST at a time. False if
 * the random source failed: then there is none, and nonce SAs go
 * unanswered (fail closed) rather than get a predictable one.
 */
static bool burst_nonce(struct reg_burst *bu, uint32_t *nonce)
{
	*nonce = 0;
	if (!bu->n_nonce) {
		if (RAND_bytes((unsigned char *)bu->nonce, sizeof(bu->nonce)) !=
		    1) {
			log_ratelimited(LOG_ERR, "RAND_bytes failed: no nonce");
			return false;
		}
		bu->n_nonce = REG_BURST;
	}
	*nonce = bu->nonce[--bu->n_nonce];
	return true;
}

/* ---- replies ---------------------------------------------------------- */

/* Build the reply of a decided request and queue it for replies_send(). */
static void reply_queue(struct reg *r, struct reg_txn *s)
{
	const struct reg_decision *d = &s->d;
	struct reg_burst *bu = r->burst;
	struct reg_reply rep = {
		.code = d->code,
		.lifetime = d->lifetime,
		.home_addr = d->home_addr,
		.ha_addr = d->ha_addr,
		.id = d->reply_id,
	};
	struct mmsghdr *m = &bu->tx[bu->n_tx];
	struct in_pktinfo *pi;
	struct cmsghdr *cm;
	ssize_t len;

	if (d->parsed && d->req.nai) {
		rep.nai = d->req.nai;
		rep.nai_len = d->req.nai_len;
	}
	len = reg_reply_build(s->reply, sizeof(s->reply), &rep,
			      d->sign_mn_ha ? &d->sa.key : NULL,
			      d->sign_fa_ha ? &d->fa_key : NULL);
	if (len < 0) {
		r->stats.send_errors++;
		log_ratelimited(LOG_ERR, "building a reply: %s",
				strerror((int)-len));
		return;
	}
	s->code = d->code;
	bu->tx_iov[bu->n_tx] = (struct iovec){ s->reply, (size_t)len };
	memset(m, 0, sizeof(*m));
	m->msg_hdr.msg_name = &s->from;
	m->msg_hdr.msg_namelen = sizeof(s->from);
	m->msg_hdr.msg_iov = &bu->tx_iov[bu->n_tx];
	m->msg_hdr.msg_iovlen = 1;
	/* Answer from the address the request was sent to (not broadcast). */
	if (s->dst.s_addr != htonl(INADDR_BROADCAST) && s->dst.s_addr) {
		memset(s->tx_cbuf, 0, sizeof(s->tx_cbuf));
		m->msg_hdr.msg_control = s->tx_cbuf;
		m->msg_hdr.msg_controllen = sizeof(s->tx_cbuf);
		cm = CMSG_FIRSTHDR(&m->msg_hdr);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(*pi));
		pi = (struct in_pktinfo *)CMSG_DATA(cm);
		pi->ipi_spec_dst = s->dst;
	}
	bu->tx_txn[bu->n_tx++] = s;
}

/* Send the queued replies, as many per system call as the socket takes. */
static void replies_send(struct reg *r)
{
	struct reg_burst *bu = r->burst;
	unsigned int i = 0;
	int n, k;

	while (i < bu->n_tx) {
		n = sendmmsg(r->udp_io.fd, &bu->tx[i], bu->n_tx - i,
			     MSG_DONTWAIT);
		if (n <= 0) {
			/* This one failed (sendmmsg reports the first). */
			r->stats.send_errors++;
			log_ratelimited(LOG_WARNING, "sending a reply: %s",
					n < 0 ? strerror(errno) : "not sent");
			i++;
			continue;
		}
		for (k = 0; k < n; k++)
			r->stats.replies[bu->tx_txn[i + k]->code]++;
		i += (unsigned int)n;
	}
	bu->n_tx = 0;
}

/* ---- registration ----------------------------------------------------- */

/* A request's clock (its burst's) and a fresh nonce. */
static void txn_prepare(struct reg *r, struct reg_txn *t)
{
	struct reg_burst *bu = r->burst;

	t->in.src = t->from.sin_addr;
	t->in.dst = t->dst;
	t->in.now_ntp = bu->now_ntp;
	t->in.no_nonce = !burst_nonce(bu, &t->in.nonce);
	t->now_unix_ms = bu->now_unix_ms;
	t->now_mono_ms = bu->now_mono_ms;
}

/* reg_pipeline_ops: decided again after a flush, on a fresh clock. */
static void pipe_prepare(void *ctx, struct reg_txn *t)
{
	struct reg *r = ctx;

	burst_clock(r->burst);
	txn_prepare(r, t);
}

static void pipe_reply(void *ctx, struct reg_txn *t)
{
	reply_queue(ctx, t);
}

static void resync_unknown(struct reg *r);

static void pipe_resumed(void *ctx, struct reg_txn *t)
{
	struct reg *r = ctx;

	(void)t;
	replies_send(r);
	if (r->pipe.resync_pending)
		resync_unknown(r);
}

static const struct reg_pipeline_ops pipe_ops = {
	.prepare = pipe_prepare,
	.reply = pipe_reply,
	.resumed = pipe_resumed,
};

static int reg_resync(struct reg *r);

/*
 * Installs whose outcome is unknown: the table is rebuilt from what the
 * kernel holds, and the pool addresses taken for those installs that the
 * kernel does not hold go back to their pools.
 */
/*
 * A resync that failed leaves the table as it was (nothing freed that the
 * kernel may hold); it is tried again from a timer, backing off, not from
 * each burst: a dump per datagram would let anyone keep the loop busy.
 */
static void resync_later(struct reg *r, int err)
{
	uint64_t d = r->resync_backoff_ms;

	d = d ? (2 * d < RESYNC_RETRY_MAX_MS ? 2 * d : RESYNC_RETRY_MAX_MS) :
		RESYNC_RETRY_MIN_MS;
	r->resync_backoff_ms = d;
	log_ratelimited(LOG_ERR, "resynchronising: %s; again in %llu ms",
			strerror(-err), (unsigned long long)d);
	if (loop_timer_arm_at(r->loop, &r->resync_timer, loop_now_ms() + d))
		log_err("out of memory arming the resync timer");
}

/*
 * Every resync goes through here: on success what waited for it is done
 * (the addresses of installs of unknown outcome that the kernel does not
 * hold go back to their pools) and the backoff resets; on failure the
 * timer tries again.
 */
static void resync_run(struct reg *r, const char *why)
{
	struct reg_pipeline *p = &r->pipe;
	unsigned int i;
	int ret;

	p->resync_pending = false;
	loop_timer_cancel(r->loop, &r->resync_timer);
	log_warn("%s: resynchronising", why);
	ret = reg_resync(r);
	if (ret) {
		/* The addresses stay reserved: never both bound and free. */
		resync_later(r, ret);
		return;
	}
	r->resync_backoff_ms = 0;
	for (i = 0; i < p->n_unknown; i++)
		if (binding_store_addr_free(r->store, p->unknown_addrs[i]))
			p->alloc.ops->release(p->alloc.ctx,
					      p->unknown_addrs[i]);
	p->n_unknown = 0;
}

/*
 * A burst or a resumed request left installs of unknown outcome. While a
 * retry is armed the timer does it (their addresses stay listed): a kernel
 * socket that keeps failing must not cost a dump per datagram.
 */
static void resync_unknown(struct reg *r)
{
	if (loop_timer_armed(&r->resync_timer)) {
		r->pipe.resync_pending = false;
		return;
	}
	resync_run(r, "kernel installs of unknown outcome");
}

static void resync_timer_cb(struct loop_timer *t)
{
	resync_run(t->data, "retrying the resync");
}

static void udp_cb(struct loop_io *io, uint32_t events)
{
	struct reg *r = io->data;
	struct reg_burst *bu = r->burst;
	struct cmsghdr *cm;
	int i, n;

	(void)events;
	/* One burst a call: other events get their turn under a flood. */
	n = recvmmsg(io->fd, bu->rx, REG_BURST, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_ratelimited(LOG_WARNING, "port 434: %s",
					strerror(errno));
		return;
	}
	/*
	 * Changes queued outside a burst (expiries) are finished first: a
	 * request is decided on the bindings they leave, and no completion
	 * of theirs changes a binding a pending request holds.
	 */
	kadapter_flush(r->ka);
	burst_clock(bu);
	for (i = 0; i < n; i++) {
		struct reg_slot *sl = &bu->slot[i];
		struct reg_txn *s = &sl->t;
		struct msghdr *mh = &bu->rx[i].msg_hdr;

		s->dst.s_addr = 0;
		for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
			if (cm->cmsg_level == IPPROTO_IP &&
			    cm->cmsg_type == IP_PKTINFO)
				s->dst = ((struct in_pktinfo *)CMSG_DATA(cm))
						 ->ipi_addr;
		}
		if (mh->msg_flags & MSG_TRUNC) {
			r->stats.requests++;
			r->stats.discarded++;
		} else if (r->served && !r->served(r->served_data, s->dst)) {
			r->stats.requests++;
			r->stats.not_active++;
		} else {
			s->in = (struct reg_input){
				.buf = bu->buf[i],
				.len = bu->rx[i].msg_len,
			};
			txn_prepare(r, s);
			reg_pipeline_request(&r->pipe, s);
		}
		/* recvmmsg() shrank these to what it returned. */
		mh->msg_namelen = sizeof(s->from);
		mh->msg_controllen = sizeof(sl->rx_cbuf);
	}
	reg_pipeline_flush(&r->pipe);
	replies_send(r);
	if (r->pipe.resync_pending)
		resync_unknown(r);
}

/* The receive headers of a burst, pointing at their slots; set up once. */
static void burst_init(struct reg_burst *bu)
{
	unsigned int i;

	for (i = 0; i < REG_BURST; i++) {
		struct reg_slot *s = &bu->slot[i];
		struct msghdr *mh = &bu->rx[i].msg_hdr;

		bu->rx_iov[i] = (struct iovec){ bu->buf[i], REG_MSG_MAX };
		mh->msg_name = &s->t.from;
		mh->msg_namelen = sizeof(s->t.from);
		mh->msg_iov = &bu->rx_iov[i];
		mh->msg_iovlen = 1;
		mh->msg_control = s->rx_cbuf;
		mh->msg_controllen = sizeof(s->rx_cbuf);
	}
}

/* ---- kernel notifications and recovery -------------------------------- */

/*
 * A dump rebuilds the table. Until it is complete nothing may be freed
 * that the kernel may still forward for: a binding the dump replaces or
 * displaces leaves the table with its pool address kept reserved (kept),
 * and a kernel binding the dump decides against is deleted only after it
 * (stale); each such address goes back to its pool once the kernel is
 * known not to hold it.
 */
struct recover_ctx {
	struct reg *r;
	unsigned int ours, foreign;
	struct addr_list stale; /* kernel bindings to delete after the dump */
	struct addr_list kept;	/* left the table, address still reserved */
};

static int addr_push(struct addr_list *l, struct in_addr a)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct in_addr *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = a;
	return 0;
}

/* A binding leaves the table during the dump; its address stays reserved. */
static int recover_displace(struct recover_ctx *ctx, struct in_addr home)
{
	int ret = addr_push(&ctx->kept, home);

	binding_store_remove(ctx->r->store, home, BINDING_CAUSE_RECOVERED,
			     BINDING_KEEP_ADDR);
	return ret;
}

static int recover_stale(struct recover_ctx *ctx, struct in_addr home,
			 const char *why)
{
	char a[INET_ADDRSTRLEN];

	if (addr_push(&ctx->stale, home))
		return -ENOMEM;
	ctx->r->stats.recovery_conflicts++;
	inet_ntop(AF_INET, &home, a, sizeof(a));
	log_warn("kernel binding %s not recovered (%s): removed", a, why);
	return 0;
}

static int recover_binding(const struct kernel_binding *kb, void *data)
{
	struct recover_ctx *ctx = data;
	struct reg *r = ctx->r;
	const struct reg_binding *b;
	struct binding_rec rec;
	struct reg_cookie c;

	if (!kb->cookie_len ||
	    reg_cookie_decode(kb->cookie, kb->cookie_len, &c)) {
		ctx->foreign++;
		return 0;
	}
	/*
	 * The kernel holds one binding per address; one per NAI is ours to
	 * keep. A cookie whose NAI is not well formed, or whose NAI is bound
	 * already (to another address), is not taken over: the first one
	 * found stays, the other is removed from the kernel so that it can
	 * neither forward for a stale owner nor, expiring, take the address
	 * of the binding that stays.
	 */
	if (c.nai_len && !reg_nai_valid(c.nai, c.nai_len))
		return recover_stale(ctx, kb->home_addr, "malformed NAI");
	/* cookies of older versions may hold the realm in capitals */
	reg_nai_fold(c.nai, c.nai_len, c.nai);
	/*
	 * What the table held before the dump (still marked stale) is
	 * replaced by the kernel's copy; an entry this dump gave already is
	 * a dump repeating it: the kernel's copy wins too.
	 */
	b = binding_store_find_addr(r->store, kb->home_addr);
	if (b) {
		if (!b->stale)
			ctx->ours--;
		if (recover_displace(ctx, kb->home_addr))
			return -ENOMEM;
	}
	b = c.nai_len ? binding_store_find_nai(r->store, c.nai, c.nai_len) :
			NULL;
	if (b && b->stale) {
		/*
		 * The node's binding from before the dump, at another
		 * address: the kernel's is the one it has. If the kernel
		 * holds that other address too, the dump brings it later
		 * and the newer of the two stays.
		 */
		if (recover_displace(ctx, b->home_addr))
			return -ENOMEM;
		b = NULL;
	}
	if (b) {
		/* The later registration is the one the node believes in. */
		if (b->reg_time_ms >= c.reg_time_ms)
			return recover_stale(ctx, kb->home_addr,
					     "its NAI is bound to a newer "
					     "binding");
		if (recover_stale(ctx, b->home_addr,
				  "its NAI has a newer binding") ||
		    recover_displace(ctx, b->home_addr))
			return -ENOMEM;
		ctx->ours--;
	}
	binding_rec_from_kernel(kb, &c, loop_now_ms(), BINDING_ORIGIN_RECOVERY,
				&rec);
	rec.pool = binding_store_pool_reserve(r->store,
					      c.pool_len ? c.pool : NULL,
					      kb->home_addr);
	binding_store_replay_merge(r->store, &rec);
	/*
	 * Failing, the kernel still forwards for it: its address stays
	 * reserved (lost to the pool until a restart, never given twice).
	 */
	if (binding_store_upsert(r->store, &rec, BINDING_CAUSE_RECOVERED))
		return -ENOMEM;
	ctx->ours++;
	return 0;
}

static void recover_restart(void *data)
{
	struct recover_ctx *ctx = data;

	/*
	 * Everything is stale until the dump gives it again (an interrupted
	 * dump starts over). Nothing is removed before the dump is complete:
	 * a binding forgotten while the kernel still forwards for it would
	 * give its address to another node.
	 */
	binding_store_mark_stale(ctx->r->store);
	ctx->ours = ctx->foreign = 0;
	ctx->r->stats.recovery_conflicts -= ctx->stale.n;
	ctx->stale.n = 0;
}

/* Rebuild the table from the kernel's (at start, and after lost events). */
static void stale_done(void *ctx, const struct kadapter_result *res)
{
	bool *gone = ctx;

	/* Of unknown outcome (verified or not), it may still be there. */
	if (gone)
		*gone = (!res->err || res->err == -ENOENT) && !res->unknown;
	if (res->err && res->err != -ENOENT && res->err != -ECANCELED)
		log_warn("removing a stale kernel binding: %s",
			 strerror(-res->err));
}

static bool addr_in(const struct in_addr *v, size_t n, struct in_addr a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].s_addr == a.s_addr)
			return true;
	return false;
}

/* An address stays reserved until a complete dump settles it. */
static void limbo_add(struct reg *r, struct in_addr a)
{
	if (addr_in(r->limbo.v, r->limbo.n, a))
		return;
	if (addr_push(&r->limbo, a))
		log_err("kernel table: out of memory; %s stays reserved "
			"until a restart",
			inet_ntoa(a));
}

/*
 * The kernel bindings recovery did not take, in one batch; then the pool
 * addresses the kernel is known not to hold go back: those of the deleted
 * ones, and, after a complete dump, those displaced and not given again
 * (a complete dump would have given them if the kernel held them). The
 * rest wait in the limbo for the next complete dump.
 */
static void remove_stale(struct reg *r, const struct recover_ctx *ctx,
			 bool complete)
{
	bool *gone = calloc(ctx->stale.n ?: 1, sizeof(*gone));
	size_t i;

	for (i = 0; i < ctx->stale.n; i++) {
		struct kernel_binding kb = { .home_addr = ctx->stale.v[i] };
		bool *g = gone ? &gone[i] : NULL;
		int ret;

		ret = kadapter_submit(r->ka, KERNEL_OP_DEL, &kb, stale_done, g);
		if (ret == -ENOSPC) {
			kadapter_flush(r->ka);
			ret = kadapter_submit(r->ka, KERNEL_OP_DEL, &kb,
					      stale_done, g);
		}
		if (ret)
			log_warn("removing a stale kernel binding: %s",
				 strerror(-ret));
	}
	kadapter_flush(r->ka);
	for (i = 0; i < ctx->stale.n; i++) {
		if (gone && gone[i])
			binding_store_pool_release_unbound(r->store,
							   ctx->stale.v[i]);
		else if (binding_store_addr_free(r->store, ctx->stale.v[i]))
			limbo_add(r, ctx->stale.v[i]);
	}
	for (i = 0; i < ctx->kept.n; i++) {
		struct in_addr a = ctx->kept.v[i];

		if (addr_in(ctx->stale.v, ctx->stale.n, a))
			continue; /* decided above */
		if (complete)
			binding_store_pool_release_unbound(r->store, a);
		else if (binding_store_addr_free(r->store, a))
			limbo_add(r, a);
	}
	if (r->limbo.n)
		log_warn("kernel table: %zu addresses stay reserved until a "
			 "complete dump shows whether the kernel holds them",
			 r->limbo.n);
	free(gone);
}

static int reg_resync(struct reg *r)
{
	const struct kernel_dump_ops ops = {
		.binding = recover_binding,
		.restart = recover_restart,
	};
	struct recover_ctx ctx = { .r = r };
	size_t gone, i;
	int ret;


	/* What earlier resyncs could not settle, this one does. */
	for (i = 0; i < r->limbo.n; i++) {
		if (addr_push(&ctx.kept, r->limbo.v[i])) {
			free(ctx.kept.v);
			return -ENOMEM;
		}
	}
	r->limbo.n = 0;
	/* What was queued before is in the dump. */
	kadapter_flush(r->ka);
	recover_restart(&ctx);
	ret = kadapter_resync(r->ka, &ops, &ctx);
	if (ret) {
		/*
		 * Keep what is left: the kernel may forward for any of it.
		 * The kernel bindings decided against are still deleted (the
		 * table no longer has them).
		 */
		binding_store_unmark_stale(r->store);
		remove_stale(r, &ctx, false);
		free(ctx.stale.v);
		free(ctx.kept.v);
		return ret;
	}
	/*
	 * What the kernel no longer holds goes, and its address is free;
	 * but an address the dump decided against is still in the kernel
	 * until its delete is answered (remove_stale()).
	 */
	for (i = 0; i < ctx.stale.n; i++) {
		const struct reg_binding *b;

		b = binding_store_find_addr(r->store, ctx.stale.v[i]);
		if (b && b->stale && recover_displace(&ctx, b->home_addr))
			log_err("kernel table: out of memory; %s stays "
				"reserved",
				inet_ntoa(ctx.stale.v[i]));
	}
	gone = binding_store_sweep_stale(r->store, BINDING_CAUSE_DELETED_OUTSIDE);
	if (gone)
		log_info("kernel table: %zu bindings no longer there", gone);
	/* Not during the dump: the socket is busy with it. */
	remove_stale(r, &ctx, true);
	free(ctx.stale.v);
	free(ctx.kept.v);
	r->stats.recovered += ctx.ours;
	log_info("kernel table: %u bindings of ours recovered, %u others "
		 "left alone",
		 ctx.ours, ctx.foreign);
	return 0;
}

static int notify_cb(const struct kernel_notification *n, void *data)
{
	struct reg *r = data;
	const struct reg_binding *b;
	struct reg_cookie c;

	if (n->event == MIPHA_EVENT_FLUSHED) {
		log_notice("kernel table flushed: dropping %zu bindings",
			   binding_store_count(r->store));
		binding_store_remove_all(r->store, BINDING_CAUSE_FLUSHED);
		return 0;
	}
	if (n->event != MIPHA_EVENT_EXPIRED && n->event != MIPHA_EVENT_DELETED)
		return 0;
	b = binding_store_find_addr(r->store, n->binding.home_addr);
	if (!b)
		return 0;
	/*
	 * Only if it is still the binding we know: a removal reported late
	 * must not take a re-registration made meanwhile with it.
	 */
	if (!n->binding.cookie_len ||
	    reg_cookie_decode(n->binding.cookie, n->binding.cookie_len, &c) ||
	    c.reg_time_ms != b->reg_time_ms)
		return 0;
	if (n->event == MIPHA_EVENT_EXPIRED)
		r->stats.expiries++;
	binding_store_remove(r->store, b->home_addr,
			     n->event == MIPHA_EVENT_EXPIRED ?
				     BINDING_CAUSE_EXPIRED :
				     BINDING_CAUSE_DELETED_OUTSIDE,
			     0);
	return 0;
}

static void notify_io_cb(struct loop_io *io, uint32_t events)
{
	struct reg *r = io->data;
	int ret;

	(void)events;
	ret = kernel_notify_read(r->kns, notify_cb, r);
	if (ret == -ENOBUFS)
		resync_run(r, "kernel notifications lost");
}

/* ---- setup ------------------------------------------------------------ */

#define REG_RCVBUF (4 << 20) /* bytes: some 5000 requests in a burst */

static int udp_open(uint16_t port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int fd, one = 1, ret, rcvbuf = REG_RCVBUF;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/*
	 * Registrations come in bursts (every mobile node of a foreign
	 * network at once after an outage, a load test): the default
	 * receive buffer holds about 300 requests and drops the rest, which
	 * then wait seconds for a retransmission. FORCE needs CAP_NET_ADMIN
	 * (the daemon has it); without it the sysctl's limit applies.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/*
 * Proxy ARP on the physical home links, as configured. Only changes are
 * sent: switching it on makes the kernel announce every binding of the
 * link again, which a restart or a reload must not cause.
 */
static void apply_links(struct reg *r, const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->n_links; i++) {
		const struct config_link *cl = &cfg->links[i];
		struct kernel_link kl = { 0 };
		uint32_t ifx = r->envdata.ifindex ? r->envdata.ifindex[i] : 0;
		int ret;

		/* The link of a standby group: HSRP switches its proxy ARP
		 * on while the group is active here, and only then. */
		if (!ifx || config_standby_on_link(cfg, cl->ifname))
			continue;
		ret = kernel_link_get(r->ks, ifx, &kl);
		if (!ret && kl.has_proxy_arp && kl.proxy_arp == cl->proxy_arp)
			continue;
		memset(&kl, 0, sizeof(kl));
		kl.ifindex = ifx;
		kl.has_proxy_arp = true;
		kl.proxy_arp = cl->proxy_arp;
		ret = kernel_link_set(r->ks, &kl);
		if (ret)
			log_err("home link %s: proxy ARP: %s", cl->ifname,
				strerror(-ret));
		else
			log_info("home link %s: proxy ARP %s", cl->ifname,
				 cl->proxy_arp ? "on" : "off");
	}
}

unsigned int reg_announce_all(struct reg *r)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < r->cfg->n_links; i++) {
		uint32_t ifx = r->envdata.ifindex ? r->envdata.ifindex[i] : 0;
		struct kernel_link kl = { 0 };
		int ret;

		if (!ifx || kernel_link_get(r->ks, ifx, &kl) ||
		    !kl.has_proxy_arp || !kl.proxy_arp)
			continue;
		ret = kernel_announce(r->ks, ifx, NULL);
		if (ret)
			log_err("home link %s: announcing its bindings: %s",
				r->cfg->links[i].ifname, strerror(-ret));
		else
			n++;
	}
	return n;
}

void reg_set_allocator(struct reg *r, const struct reg_allocator *a)
{
	struct reg_allocator pools_alloc;

	reg_pipeline_cancel_parked(&r->pipe);
	if (!a) {
		reg_pool_allocator(&pools_alloc, r->store);
		a = &pools_alloc;
	}
	reg_pipeline_set_allocator(&r->pipe, a);
}

void reg_set_addr_gate(struct reg *r,
		       bool (*served)(void *data, struct in_addr addr),
		       void *data)
{
	r->served = served;
	r->served_data = data;
}

int reg_set_config(struct reg *r, const struct config *cfg,
		   struct pool_set *pools)
{
	int ret = reg_config_env(&r->env, &r->envdata, cfg);
	unsigned int n;

	if (ret)
		return ret;
	apply_links(r, cfg);
	n = reg_pipeline_cancel_parked(&r->pipe);
	if (n)
		log_info("reload: %u requests waiting for an address dropped "
			 "(their nodes retransmit)",
			 n);
	/* The caller moved the allocations over (pool_set_transfer()). */
	r->cfg = cfg;
	r->pools = pools;
	binding_store_set_pools(r->store, pools);
	return 0;
}

int reg_new(struct reg **rp, struct loop *l, const struct config *cfg,
	    struct pool_set *pools, const struct reg_opts *opts)
{
	struct reg *r;
	int fd, ret;

	*rp = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->loop = l;
	loop_timer_init(&r->resync_timer, resync_timer_cb, r);
	r->pools = pools;
	r->cfg = cfg;
	ret = reg_config_env(&r->env, &r->envdata, cfg);
	if (ret)
		goto err_free;
	ret = binding_store_new(&r->store, l, pools, REG_REPLAY_CACHE,
				&(struct binding_store_ops){
					.expire = reg_expire,
				},
				r);
	if (ret)
		goto err_free;
	ret = kernel_open(&r->ks, KERNEL_F_NONBLOCK);
	if (ret) {
		log_err("kernel: %s",
			ret == -ENOENT ?
				"no mipha generic netlink family (is mipha.ko "
				"loaded?)" :
				strerror(-ret));
		goto err_free;
	}
	r->ka = kadapter_new(r->ks, l);
	r->burst = calloc(1, sizeof(*r->burst));
	if (!r->ka || !r->burst) {
		ret = -ENOMEM;
		goto err_ks;
	}
	burst_init(r->burst);
	{
		struct reg_allocator pools_alloc;

		reg_pool_allocator(&pools_alloc, r->store);
		reg_pipeline_init(&r->pipe, &r->env, r->store, r->ka,
				  &pools_alloc, &r->stats, &pipe_ops, r);
	}
	ret = kernel_open(&r->kns, KERNEL_F_NONBLOCK | KERNEL_F_NOTIFY |
				    KERNEL_F_REMOVALS);
	if (ret) {
		log_err("kernel notifications: %s", strerror(-ret));
		goto err_ks;
	}
	ret = loop_io_add(l, &r->notify_io, kernel_fd(r->kns), EPOLLIN,
			  notify_io_cb, r);
	if (ret)
		goto err_kns;
	apply_links(r, cfg);
	/* Subscribed before the dump: no removal can fall between them. */
	ret = reg_resync(r);
	if (ret) {
		log_err("dumping the kernel table: %s", strerror(-ret));
		goto err_notify;
	}
	fd = udp_open(opts && opts->port ? opts->port : REG_PORT);
	if (fd < 0) {
		ret = fd;
		log_err("UDP port %u: %s",
			opts && opts->port ? opts->port : REG_PORT,
			strerror(-ret));
		goto err_table;
	}
	ret = loop_io_add(l, &r->udp_io, fd, EPOLLIN, udp_cb, r);
	if (ret) {
		close(fd);
		goto err_table;
	}
	*rp = r;
	return 0;

err_table:
	binding_store_remove_all(r->store, BINDING_CAUSE_RECOVERED);
err_notify:
	loop_io_del(l, &r->notify_io);
err_kns:
	kernel_close(r->kns);
err_ks:
	kadapter_free(r->ka);
	free(r->burst);
	kernel_close(r->ks);
err_free:
	binding_store_free(r->store);
	reg_config_env_free(&r->envdata);
	free(r);
	return ret;
}

void reg_free(struct reg *r, bool flush)
{
	if (!r)
		return;
	loop_io_del(r->loop, &r->udp_io);
	close(r->udp_io.fd);
	loop_io_del(r->loop, &r->notify_io);
	loop_timer_cancel(r->loop, &r->resync_timer);
	free(r->limbo.v);
	reg_pipeline_fini(&r->pipe);
	/* Expiries queued for the next batch: as if they had gone already. */
	kadapter_flush(r->ka);
	if (flush) {
		uint32_t n = 0;
		int ret = kernel_binding_flush(r->ks, &n);

		if (ret) {
			log_err("flushing the kernel table: %s",
				strerror(-ret));
		} else {
			log_notice("kernel table flushed: %u bindings", n);
			binding_store_remove_all(r->store,
						 BINDING_CAUSE_FLUSHED);
		}
	}
	/*
	 * Without flush the kernel keeps forwarding: the bindings do not
	 * end, they are forgotten (no observer is told).
	 */
	kadapter_free(r->ka);
	binding_store_free(r->store);
	kernel_close(r->kns);
	free(r->burst);
	kernel_close(r->ks);
	reg_config_env_free(&r->envdata);
	free(r);
}

struct binding_store *reg_store(struct reg *r)
{
	return r->store;
}

struct kadapter *reg_kadapter(struct reg *r)
{
	return r->ka;
}

const struct reg_stats *reg_get_stats(const struct reg *r)
{
	return &r->stats;
}

size_t reg_binding_count(const struct reg *r)
{
	return binding_store_count(r->store);
}

/* ---- JSON views ------------------------------------------------------- */

static void json_addr(json_t *o, const char *key, struct in_addr a)
{
	char s[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, s, sizeof(s));
	json_object_set_new(o, key, json_string(s));
}

/* As IOS shows them: upper case = bit set. "V" is RFC 5944's 'r' bit. */
static void flag_letters(char *s, uint8_t f)
{
	static const char l[] = "sbdmgvt";
	static const uint8_t bit[] = { REG_F_S, REG_F_B, REG_F_D, REG_F_M,
				       REG_F_G, REG_F_R, REG_F_T };
	size_t i;

	for (i = 0; i < sizeof(bit); i++)
		s[i] = (f & bit[i]) ? (char)(l[i] - 'a' + 'A') : l[i];
	s[i] = '\0';
}

/* A binding's AAA attributes as [{"type": N, "value": "hex"}], opaque. */
static json_t *aaa_json(const struct reg_binding *b)
{
	json_t *a = json_array();
	char hex[2 * BINDING_AAA_VALUE_MAX + 1];
	unsigned int i, j;

	for (i = 0; a && i < b->n_aaa; i++) {
		for (j = 0; j < b->aaa[i].len; j++)
			snprintf(hex + 2 * j, 3, "%02x", b->aaa[i].value[j]);
		hex[2 * j] = '\0';
		json_array_append_new(a, json_pack("{s:i,s:s}", "type",
						   b->aaa[i].type, "value",
						   hex));
	}
	return a;
}

json_t *reg_binding_json(const struct reg *r, struct in_addr home)
{
	const struct reg_binding *b = binding_store_find_addr(r->store, home);
	uint64_t now = loop_now_ms(), remaining = 0;
	char flags[8], id[32], opts[8], *p = opts;
	json_t *o;

	if (!b)
		return NULL;
	o = json_object();
	if (!o)
		return NULL;
	if (b->expires_ms > now)
		remaining = (b->expires_ms - now + 999) / 1000;
	flag_letters(flags, b->req_flags);
	snprintf(id, sizeof(id), "%08X.%08X",
		 (unsigned int)(b->replay.last_id >> 32),
		 (unsigned int)b->replay.last_id);
	if (b->kflags & MIPHA_F_BROADCAST)
		*p++ = 'B';
	if (b->req_flags & REG_F_D)
		*p++ = 'D';
	if (b->encap == MIPHA_ENCAP_GRE)
		*p++ = 'G';
	if (b->kflags & MIPHA_F_REVERSE_TUNNEL)
		*p++ = 'T';
	*p = '\0';
	json_addr(o, "home_addr", b->home_addr);
	json_addr(o, "coa", b->coa);
	json_addr(o, "src", b->src);
	json_addr(o, "ha_addr", b->ha_addr);
	json_object_set_new(o, "lifetime", json_integer(b->granted));
	json_object_set_new(o, "remaining",
			    json_integer((json_int_t)remaining));
	json_object_set_new(o, "flags", json_string(flags));
	json_object_set_new(o, "identification", json_string(id));
	json_object_set_new(o, "encap",
			    json_string(b->encap == MIPHA_ENCAP_GRE ? "gre" :
								      "ipip"));
	json_object_set_new(o, "reverse_tunnel",
			    json_boolean(b->kflags & MIPHA_F_REVERSE_TUNNEL));
	json_object_set_new(o, "routing_options", json_string(opts));
	json_object_set_new(o, "link", json_integer(b->link));
	json_object_set_new(o, "spi", json_integer(b->spi));
	json_object_set_new(o, "replay",
			    json_string(replay_method_name(
				    (enum replay_method)b->replay_method)));
	json_object_set_new(o, "registered_ms",
			    json_integer((json_int_t)b->reg_time_ms));
	if (b->nai_len)
		json_object_set_new(o, "nai",
				    json_stringn((const char *)b->nai,
						 b->nai_len));
	if (b->pool)
		json_object_set_new(o, "pool", json_string(b->pool));
	if (b->n_aaa)
		json_object_set_new(o, "aaa", aaa_json(b));
	return o;
}

size_t reg_bindings_on_link(const struct reg *r, uint32_t ifindex)
{
	return ifindex ? binding_store_count_link(r->store, ifindex) : 0;
}

int reg_binding_addrs(const struct reg *r, struct in_addr **out, size_t *n)
{
	const struct binding_table *t = binding_store_table(r->store);
	struct in_addr *v;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	if (!binding_store_count(r->store))
		return 0;
	v = malloc(binding_store_count(r->store) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < binding_table_buckets(t); i++) {
		const struct reg_binding *b;

		for (b = binding_table_bucket(t, i); b; b = b->next_addr)
			v[k++] = b->home_addr;
	}
	*out = v;
	*n = k;
	return 0;
}

json_t *reg_summary_json(const struct reg *r)
{
	const struct binding_table *t = binding_store_table(r->store);
	json_t *o = json_object(), *by_ha = json_object();
	uint64_t dynamic = 0, gre = 0, reverse = 0, vnet = 0;
	size_t i;

	if (!o || !by_ha) {
		json_decref(o);
		json_decref(by_ha);
		return NULL;
	}
	for (i = 0; i < binding_table_buckets(t); i++) {
		const struct reg_binding *b;

		for (b = binding_table_bucket(t, i); b; b = b->next_addr) {
			char a[INET_ADDRSTRLEN];
			json_t *cnt;

			dynamic += b->pool != NULL;
			gre += b->encap == MIPHA_ENCAP_GRE;
			reverse += !!(b->kflags & MIPHA_F_REVERSE_TUNNEL);
			vnet += !b->link;
			inet_ntop(AF_INET, &b->ha_addr, a, sizeof(a));
			cnt = json_object_get(by_ha, a);
			json_object_set_new(
				by_ha, a,
				json_integer(
					(cnt ? json_integer_value(cnt) : 0) +
					1));
		}
	}
	json_object_set_new(o, "total", json_integer((json_int_t)binding_store_count(r->store)));
	json_object_set_new(o, "dynamic", json_integer((json_int_t)dynamic));
	json_object_set_new(o, "gre", json_integer((json_int_t)gre));
	json_object_set_new(o, "reverse_tunnel",
			    json_integer((json_int_t)reverse));
	json_object_set_new(o, "virtual_network",
			    json_integer((json_int_t)vnet));
	json_object_set_new(o, "by_ha_addr", by_ha);
	return o;
}

json_t *reg_stats_json(const struct reg *r)
{
	const struct reg_stats *s = &r->stats;
	json_t *o = json_object(), *codes = json_object();
	uint64_t accepted = 0, denied = 0;
	unsigned int i;

	if (!o || !codes) {
		json_decref(o);
		json_decref(codes);
		return NULL;
	}
	for (i = 0; i < 256; i++) {
		char k[8];

		if (!s->replies[i])
			continue;
		if (reg_code_accepted((uint8_t)i))
			accepted += s->replies[i];
		else
			denied += s->replies[i];
		snprintf(k, sizeof(k), "%u", i);
		json_object_set_new(codes, k,
				    json_integer((json_int_t)s->replies[i]));
	}
#define PUT(name, v) json_object_set_new(o, name, json_integer((json_int_t)(v)))
	PUT("requests", s->requests);
	PUT("accepted", accepted);
	PUT("denied", denied);
	PUT("discarded", s->discarded);
	PUT("not_active", s->not_active);
	PUT("auth_failures", s->replies[REG_CODE_MN_AUTH]);
	PUT("fa_auth_failures", s->replies[REG_CODE_FA_AUTH]);
	PUT("replays", s->replies[REG_CODE_ID_MISMATCH]);
	PUT("poorly_formed", s->replies[REG_CODE_POORLY_FORMED]);
	PUT("registrations", s->registrations);
	PUT("deregistrations", s->deregistrations);
	PUT("expiries", s->expiries);
	PUT("recovered", s->recovered);
	PUT("address_conflicts", s->address_conflicts);
	PUT("recovery_conflicts", s->recovery_conflicts);
	PUT("installs_verified", s->installs_verified);
	PUT("replay_cache",
	    replay_cache_count(binding_store_replay(r->store)));
	PUT("replay_cache_evictions",
	    replay_cache_evictions(binding_store_replay(r->store)));
	PUT("send_errors", s->send_errors);
	PUT("kernel_errors", s->kernel_errors);
	PUT("bindings", binding_store_count(r->store));
#undef PUT
	json_object_set_new(o, "replies", codes);
	return o;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * sync: peer sync, the service (see sync.h).
 *
 * Per peer:
 *  - a connection (sync_tls), made by the side with the lower address;
 *  - our stream to it (sync_out: numbered, retained until acknowledged)
 *    and its stream to us (sync_in: where we are in it);
 *  - the BINDINGS frame being filled with our changes of this loop turn
 *    (bundling), closed and sent at the end of the turn;
 *  - a bulk download in progress, read from the live table bucket by
 *    bucket as the connection takes it (and at the configured rate).
 * A peer's frame is applied whole before the next is read: its entries go
 * to the kernel as one batch and into the store as the kernel answers, so
 * each entry is decided against a store that holds every earlier one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "binding_kernel.h"
#include "binding_store.h"
#include "config.h"
#include "config_digest.h"
#include "config_redundancy.h"
#include "kernel_adapter.h"
#include "log.h"
#include "loop.h"
#include "sync.h"
#include "sync_merge.h"
#include "sync_stream.h"
#include "sync_tls.h"

#define SYNC_BACKOFF_MIN_MS 100
#define SYNC_BACKOFF_MAX_MS 5000
#define SYNC_PEER_ADDRS	    4 /* paths to one peer (one per link) */
#define SYNC_BULK_TICK_MS   100 /* rate pacing: a tenth of a second */
#define SYNC_ACK_EVERY	    8	/* frames applied per acknowledgement */
/*
 * The connection's queue: a bulk download waits while this much is
 * queued (checked again every SYNC_BULK_POLL_MS), while our changes are
 * queued whatever the bulk queued before them, up to SYNC_QUEUE_MAX.
 */
#define SYNC_BULK_QUEUE	  (1024 * 1024)
#define SYNC_BULK_POLL_MS 10
#define SYNC_QUEUE_MAX	  (64 * 1024 * 1024)
/* A peer's requests for our table: one download per this at most. */
#define SYNC_BULK_REQUEST_MIN_MS 1000
/* One announcement of our table for one heal, however many frames the
 * peer's merged registrations take to arrive. */
#define SYNC_HEAL_MIN_MS 10000

enum peer_state {
	PEER_IDLE,	 /* no connection (waiting to connect or be called) */
	PEER_CONNECTING, /* TCP and TLS handshake */
	PEER_HELLO,	 /* TLS up, the peer's HELLO not yet received */
	PEER_UP,	 /* streams running */
};

struct sync_peer {
	struct sync *s;
	/*
	 * The addresses it is reachable on (one per link: redundancy paths)
	 * and the one in use, the path: the caller moves to the next when a
	 * call fails or a connection goes silent (not on a protocol error),
	 * and backs off only once every path failed in a row.
	 */
	struct in_addr addrs[SYNC_PEER_ADDRS];
	unsigned int n_addrs, path, failed_paths;
	int up_path;		    /* of the last connection up; -1: none */
	bool path_failed;	    /* what ended it was the path's fault */
	struct in_addr addr;	    /* addrs[path] */
	char name[INET_ADDRSTRLEN]; /* addr, for logs */
	uint32_t spis[4];	    /* the keys it may use (rollover) */
	unsigned int n_spis;
	uint32_t spi;
	bool connects_out; /* ours is the lower address: we call */
	bool warned_uncalled;
	uint64_t path_changes;
	enum peer_state state;
	struct sync_tls_conn *conn;
	/*
	 * Calls from the peer still in their handshake, one per path: one
	 * replaces conn only once it authenticated with the peer's key (a
	 * bare connect from that address must not end the one we have, and
	 * one on a link must not end a call on another).
	 */
	struct sync_tls_conn *pending[SYNC_PEER_ADDRS];
	struct loop_timer retry, tick, bulk_timer;
	uint32_t backoff_ms;
	uint64_t last_rx_ms, last_tx_ms;

	/* what the peer said */
	uint32_t node_id;
	uint8_t mode, role;
	uint16_t features; /* SYNC_FEAT_*: what we may send it */
	bool mismatch;
	char mismatch_parts[128];

	struct sync_out out;
	struct sync_in in;

	/* our changes of this turn, in one BINDINGS frame */
	uint8_t *pend_buf;
	struct sync_builder pend;
	bool pend_open;

	/* bulk download we send */
	bool bulk_active;
	size_t bulk_bucket, bulk_buckets;
	size_t bulk_replay_bucket; /* then the replay cache's */
	uint64_t bulk_replay_sent, replay_applied;
	/* replay floors: the last one sent on the stream, and received */
	uint64_t floor_sent, floor_received;
	uint32_t bulk_sent, bulk_request, bulk_budget;
	uint64_t bulk_started_ms;
	/* bulk download we receive */
	bool bulk_asked; /* since the peer became active */
	/* when our last download to it started (requests within
	 * SYNC_BULK_REQUEST_MIN_MS of it are answered by it), and the
	 * requests ignored */
	uint64_t bulk_request_ms, bulk_requests_ignored;
	bool bulk_request_pending;
	uint32_t bulk_request_pending_id;
	bool dual_active; /* it was active while we were too */
	uint32_t bulk_requests_sent;
	bool recv_bulk_marked;
	uint64_t recv_bulk_started_ms;
	uint32_t last_bulk_count;
	uint64_t last_bulk_ms;

	/* counters */
	uint64_t sent, received, applied, skipped, refused, resyncs;
	uint64_t connects, auth_failures, bulks_sent, bulks_received;
	uint64_t heals, last_heal_ms;
};

struct sync {
	struct sync_host host;
	struct sync_tls_ctx *tls;
	/* copies: a reload frees the configuration they came from */
	struct config_digest digest;
	struct config_digest_part parts[SYNC_SECTIONS_MAX];
	struct config_redundancy cfg;
	char group[SYNC_GROUP_NAME_MAX + 1];
	uint32_t node_id;
	uint8_t role;
	uint16_t features; /* what our HELLOs announce */
	struct in_addr local;
	int listen_fd;
	struct loop_io listen_io;
	struct loop_timer flush;
	struct sync_peer *peers;
	size_t n_peers;
	struct sync_peer *marking; /* whose download marked the store */
	uint8_t *frame;		   /* scratch for bulk frames */
	/*
	 * Scratch for applying a frame, kept from one to the next (a frame
	 * of a bulk download has hundreds of entries: allocating and zeroing
	 * their operations every time cost as much as applying them).
	 */
	struct apply_op *apply_ops;
	size_t apply_ops_cap;
	uint32_t *apply_set;
	size_t apply_set_cap;
	uint64_t unknown_peers;
};

/* ---- helpers ---------------------------------------------------------- */

static uint8_t our_mode(const struct sync *s)
{
	return s->cfg.mode == CONFIG_SYNC_VIRTUAL ? SYNC_MODE_VIRTUAL :
						    SYNC_MODE_PHYSICAL;
}

/* Do we send our changes and tables? (physical: only the active) */
static bool we_lead(const struct sync *s)
{
	return our_mode(s) == SYNC_MODE_VIRTUAL || s->role == SYNC_ROLE_ACTIVE;
}

static const char *peer_name(const struct sync_peer *p)
{
	return p->name;
}

static void peer_down(struct sync_peer *p, const char *why);
static void peer_event(struct sync_peer *p, const char *event, json_t *more);

/* The path to use next becomes addrs[i]. */
static void set_path(struct sync_peer *p, unsigned int i)
{
	p->path = i;
	p->addr = p->addrs[i];
	inet_ntop(AF_INET, &p->addr, p->name, sizeof(p->name));
}

/*
 * A connection is up on the path in use: a move if the last one was up on
 * another (counted, logged and published; the retries between are not).
 */
static void path_up(struct sync_peer *p)
{
	char was[INET_ADDRSTRLEN];

	if (p->up_path >= 0 && (unsigned int)p->up_path != p->path) {
		inet_ntop(AF_INET, &p->addrs[p->up_path], was, sizeof(was));
		p->path_changes++;
		log_msg(LOG_NOTICE, "sync: peer %s now on its path %s", was,
			p->name);
		peer_event(p, "path", json_pack("{s:s}", "from", was));
	}
	p->up_path = (int)p->path;
	p->failed_paths = 0;
}

/* An event for the operator's followers, with the peer's address. */
static void peer_event(struct sync_peer *p, const char *event, json_t *more)
{
	struct sync *s = p->s;
	json_t *o;

	if (!s->host.event) {
		json_decref(more);
		return;
	}
	/* ("event" is the line's own name: "redundancy") */
	o = json_pack("{s:s,s:s}", "peer", peer_name(p), "what", event);
	if (o && more)
		json_object_update(o, more);
	json_decref(more);
	if (o)
		s->host.event(s->host.ctx, o);
	json_decref(o);
}

/* Sends a frame on the connection (queued in full or not at all). */
static int peer_send(struct sync_peer *p, const void *buf, size_t len)
{
	int err;

	if (p->state < PEER_HELLO || !p->conn)
		return -ENOTCONN;
	err = sync_tls_send(p->conn, buf, len);
	if (!err)
		p->last_tx_ms = loop_now_ms();
	return err;
}

/*
 * A sequenced frame (its seq from sync_out_next()): retained for a
 * resume, and sent if the peer is up. A frame the connection refuses is
 * still retained: the resume after the reconnection sends it.
 */
static void peer_send_seq(struct sync_peer *p, const uint8_t *buf, size_t len)
{
	int err;

	sync_out_sent(&p->out, buf, len);
	if (p->state != PEER_UP)
		return;
	err = peer_send(p, buf, len);
	if (err && err != -ENOTCONN)
		/* over the high mark: the stream has a hole; start again */
		peer_down(p, "send queue overflow");
}

/* ---- our changes -------------------------------------------------------- */

static void peer_close_pending(struct sync_peer *p)
{
	size_t len;

	if (!p->pend_open)
		return;
	p->pend_open = false;
	len = sync_bindings_finish(&p->pend);
	p->sent += p->pend.n_entries;
	peer_send_seq(p, p->pend_buf, len);
}

static int peer_open_pending(struct sync_peer *p)
{
	int err;

	if (p->pend_open)
		return 0;
	err = sync_bindings_begin(&p->pend, p->pend_buf, SYNC_FRAME_BUF,
				  sync_out_next(&p->out));
	if (!err)
		p->pend_open = true;
	return err;
}

static void flush_cb(struct loop_timer *t)
{
	struct sync *s = t->data;
	size_t i;

	for (i = 0; i < s->n_peers; i++)
		peer_close_pending(&s->peers[i]);
}

static const char *rec_link_name(const struct sync *s,
				 const struct binding_rec *rec)
{
	if (!rec->link)
		return NULL;
	return s->host.link_name ? s->host.link_name(s->host.ctx, rec->link) :
				   NULL;
}

static void peer_add_change(struct sync_peer *p, enum sync_op op,
			    enum binding_cause cause,
			    const struct binding_rec *rec, const char *link)
{
	uint64_t now = loop_now_ms();
	int err;

	if (peer_open_pending(p))
		return;
	err = sync_bindings_add_rec(&p->pend, op, cause, rec, now, link);
	if (err == -ENOSPC) {
		peer_close_pending(p);
		if (peer_open_pending(p))
			return;
		err = sync_bindings_add_rec(&p->pend, op, cause, rec, now,
					    link);
	}
	if (err)
		log_ratelimited(LOG_ERR, "sync: binding %s not sent to %s: %s",
				inet_ntoa(rec->home_addr), peer_name(p),
				strerror(-err));
}

/* The store's observer: every change but a peer's goes to every peer. */
static void observe(void *ctx, enum binding_cause cause,
		    const struct binding_rec *old,
		    const struct binding_rec *new)
{
	struct sync *s = ctx;
	const struct binding_rec *rec = new ? new : old;
	const char *link;
	size_t i;

	if (cause == BINDING_CAUSE_PEER || cause == BINDING_CAUSE_RECOVERED ||
	    !we_lead(s) || !rec)
		return;
	link = rec_link_name(s, rec);
	if (rec->link && !link) {
		log_ratelimited(LOG_ERR,
				"sync: binding %s: home link %u has no name",
				inet_ntoa(rec->home_addr), rec->link);
		return;
	}
	for (i = 0; i < s->n_peers; i++)
		peer_add_change(&s->peers[i],
				new ? SYNC_OP_UPSERT : SYNC_OP_REMOVE, cause,
				rec, link);
	if (!loop_timer_armed(&s->flush))
		loop_timer_arm(s->host.loop, &s->flush, 0);
}

/* ---- bulk download, sending --------------------------------------------- */

static void bulk_continue(struct sync_peer *p);

static void bulk_start(struct sync_peer *p, uint32_t request_id)
{
	struct sync *s = p->s;
	struct sync_bulk_start st = {
		.request_id = request_id,
		.expected = (uint32_t)binding_store_count(s->host.store),
	};
	uint8_t buf[64];
	ssize_t len;

	peer_close_pending(p);
	len = sync_encode_bulk_start(buf, sizeof(buf), sync_out_next(&p->out),
				     &st);
	if (len < 0)
		return;
	peer_send_seq(p, buf, (size_t)len);
	p->bulk_active = true;
	p->bulk_bucket = 0;
	p->bulk_replay_bucket = 0;
	p->bulk_buckets =
		binding_table_buckets(binding_store_table(s->host.store));
	p->bulk_sent = 0;
	p->bulk_request = request_id;
	p->bulk_started_ms = loop_now_ms();
	p->bulk_request_ms = p->bulk_started_ms;
	p->bulk_budget = s->cfg.rate / (1000 / SYNC_BULK_TICK_MS) ?: 1;
	p->bulks_sent++;
	log_msg(LOG_INFO, "sync: bulk download to %s: %u bindings",
		peer_name(p), st.expected);
	bulk_continue(p);
}

/*
 * Our replay cache's floor, if it has one we have not sent on this stream
 * (a complete download sends it whatever went before: the receiver's
 * table starts over).
 */
static void send_floor(struct sync_peer *p, bool again)
{
	uint64_t floor =
		replay_cache_floor(binding_store_replay(p->s->host.store));
	uint8_t buf[SYNC_HDR_LEN + 8];
	ssize_t len;

	/* floor_sent 0: none sent yet (an NTP time's top bit is set) */
	if (!floor || (!again && p->floor_sent &&
		       (int64_t)(floor - p->floor_sent) <= 0))
		return;
	/* an open frame took the next seq: it goes first */
	peer_close_pending(p);
	len = sync_encode_replay_floor(buf, sizeof(buf),
				       sync_out_next(&p->out), floor);
	if (len <= 0)
		return;
	p->floor_sent = floor;
	peer_send_seq(p, buf, (size_t)len);
}

static void bulk_end(struct sync_peer *p, uint8_t status)
{
	struct sync_bulk_end e = {
		.request_id = p->bulk_request,
		.count = p->bulk_sent,
		.status = status,
	};
	uint8_t buf[64];
	ssize_t len;

	peer_close_pending(p);
	if (status == SYNC_BULK_COMPLETE)
		send_floor(p, true);
	len = sync_encode_bulk_end(buf, sizeof(buf), sync_out_next(&p->out),
				   &e);
	if (len > 0)
		peer_send_seq(p, buf, (size_t)len);
	p->bulk_active = false;
	log_msg(LOG_INFO,
		"sync: bulk download to %s %s: %u bindings in %llu ms",
		peer_name(p), status == SYNC_BULK_COMPLETE ? "done" : "aborted",
		p->bulk_sent,
		(unsigned long long)(loop_now_ms() - p->bulk_started_ms));
	if (status == SYNC_BULK_COMPLETE)
		peer_event(p, "bulk-sent",
			   json_pack("{s:I,s:I}", "bindings",
				     (json_int_t)p->bulk_sent, "ms",
				     (json_int_t)(loop_now_ms() -
						  p->bulk_started_ms)));
}

/*
 * One record into the download's open frame, a full frame sent first.
 * -EPIPE: no new frame could be begun (the download stops here).
 */
static int bulk_add(struct sync_peer *p, struct sync_builder *b,
		    enum sync_op op, const struct binding_rec *rec,
		    uint64_t now, const char *link)
{
	struct sync *s = p->s;
	int err = sync_bindings_add_rec(b, op, BINDING_CAUSE_REGISTER, rec,
					now, link);

	if (err != -ENOSPC)
		return err;
	peer_send_seq(p, s->frame, sync_bindings_finish(b));
	if (sync_bindings_begin(b, s->frame, SYNC_FRAME_BUF,
				sync_out_next(&p->out)))
		return -EPIPE;
	return sync_bindings_add_rec(b, op, BINDING_CAUSE_REGISTER, rec, now,
				     link);
}

/* The bindings of one bucket of the table; how many it held. */
static size_t bulk_bindings(struct sync_peer *p, struct sync_builder *b,
			    size_t bucket, uint64_t now, bool *stop)
{
	struct sync *s = p->s;
	const struct binding_table *t = binding_store_table(s->host.store);
	const struct reg_binding *rb;
	struct binding_rec rec;
	size_t n = 0;

	for (rb = binding_table_bucket(t, bucket); rb; rb = rb->next_addr) {
		const char *link;
		int err;

		n++;
		binding_store_rec(rb, &rec);
		link = rec_link_name(s, &rec);
		if (rec.link && !link)
			continue;
		err = bulk_add(p, b, SYNC_OP_UPSERT, &rec, now, link);
		if (err == -EPIPE) {
			*stop = true;
			break;
		}
		if (err)
			continue;
		p->bulk_sent++;
		p->sent++;
	}
	return n;
}

/* The replay marks of one bucket of the replay cache (nodes without a binding). */
struct bulk_replay {
	struct sync_peer *p;
	struct sync_builder *b;
	uint64_t now;
	size_t n;
	bool stop;
};

static void bulk_replay_one(void *ctx, const uint8_t *key, size_t len,
			    const struct replay_state *st, enum replay_method m)
{
	struct bulk_replay *r = ctx;
	struct binding_rec rec = { .replay = *st, .replay_method = (uint8_t)m };
	int err;

	if (r->stop || !st->seen || !binding_replay_identity(key, len, &rec))
		return;
	r->n++;
	err = bulk_add(r->p, r->b, SYNC_OP_REPLAY, &rec, r->now, NULL);
	if (err == -EPIPE)
		r->stop = true;
	else if (!err)
		r->p->bulk_replay_sent++;
}

/*
 * As many buckets as the connection and the rate take, each read from
 * the live table now: what changed in a bucket already sent follows as a
 * change on the same stream, what changes in one not sent yet is sent as
 * it is then. A table resized under us starts over (its buckets moved);
 * a binding sent twice is harmless, one never sent is not. Then the replay
 * cache, bucket by bucket as well: the high-water marks of nodes without a
 * binding, so that a request replayed to a peer that takes over is still
 * refused (a removal on the stream carries its mark too; this is for the
 * peer that was not connected then).
 */
static void bulk_continue(struct sync_peer *p)
{
	struct sync *s = p->s;
	const struct binding_table *t = binding_store_table(s->host.store);
	const struct replay_cache *rc = binding_store_replay(s->host.store);
	/* replay marks only to a peer that reads them (SYNC_FEAT_*) */
	size_t replay_buckets = p->features & SYNC_FEAT_REPLAY_ENTRIES ?
					replay_cache_buckets(rc) :
					0;
	struct sync_builder b;
	bool open = false, stop = false;
	uint64_t now = loop_now_ms();

	if (!p->bulk_active || p->state != PEER_UP)
		return;
	if (binding_table_buckets(t) != p->bulk_buckets) {
		p->bulk_bucket = 0;
		p->bulk_buckets = binding_table_buckets(t);
	}
	while (p->bulk_bucket < p->bulk_buckets ||
	       p->bulk_replay_bucket < replay_buckets) {
		size_t n;

		if (sync_tls_conn_queued(p->conn) >= SYNC_BULK_QUEUE) {
			loop_timer_arm(s->host.loop, &p->bulk_timer,
				       SYNC_BULK_POLL_MS);
			break;
		}
		if (s->cfg.rate && !p->bulk_budget) {
			if (!loop_timer_armed(&p->bulk_timer))
				loop_timer_arm(s->host.loop, &p->bulk_timer,
					       SYNC_BULK_TICK_MS);
			break;
		}
		if (!open) {
			peer_close_pending(p);
			if (sync_bindings_begin(&b, s->frame, SYNC_FRAME_BUF,
						sync_out_next(&p->out)))
				return;
			open = true;
		}
		/* whole buckets */
		if (p->bulk_bucket < p->bulk_buckets) {
			n = bulk_bindings(p, &b, p->bulk_bucket++, now, &stop);
		} else {
			struct bulk_replay r = { .p = p, .b = &b, .now = now };

			replay_cache_bucket(rc, p->bulk_replay_bucket++,
					    bulk_replay_one, &r);
			n = r.n;
			stop = r.stop;
		}
		if (stop)
			return;
		if (s->cfg.rate)
			p->bulk_budget = n < p->bulk_budget ?
						 p->bulk_budget - (uint32_t)n :
						 0;
		if (b.len > SYNC_FRAME_MAX / 2) {
			peer_send_seq(p, s->frame, sync_bindings_finish(&b));
			open = false;
		}
		if (p->state != PEER_UP)
			return;
	}
	/* (an empty frame took a number too: it goes, the peer counts it) */
	if (open)
		peer_send_seq(p, s->frame, sync_bindings_finish(&b));
	if (p->bulk_bucket >= p->bulk_buckets &&
	    p->bulk_replay_bucket >= replay_buckets && p->state == PEER_UP)
		bulk_end(p, SYNC_BULK_COMPLETE);
}

/* ---- a peer's frames ---------------------------------------------------- */

struct apply_op {
	struct sync_peer *p;
	enum sync_op op;
	bool reserved;	 /* we reserved the address in its pool */
	bool displacing; /* the node's old address, for its new one */
	int result;	 /* of the kernel operation */
	struct binding_rec rec;
	uint8_t nai[SYNC_NAI_MAX];
	char pool[SYNC_POOL_NAME_MAX + 1];
	struct binding_aaa aaa[SYNC_AAA_MAX]; /* their values in the frame */
};

/*
 * Zeroes an operation but for its copies of the entry's NAI and
 * attributes (about 500 bytes), which op_init() fills as far as used.
 */
static void op_clear(struct apply_op *op)
{
	memset(op, 0, offsetof(struct apply_op, nai));
	op->pool[0] = '\0';
}

static void note_replay(struct binding_store *store,
			const struct binding_rec *rec);

static void apply_done(void *ctx, const struct kadapter_result *res)
{
	struct apply_op *op = ctx;
	struct sync_peer *p = op->p;
	struct binding_store *store = p->s->host.store;
	char home[INET_ADDRSTRLEN];
	int err;

	op->result = res->err ?: (res->unknown ? -EIO : 0);
	if (op->op == SYNC_OP_REMOVE) {
		if (!op->result) {
			binding_store_remove(store, op->rec.home_addr,
					     BINDING_CAUSE_PEER, 0);
			if (op->displacing)
				return;
			/* the removal's replay state: a replay stays one */
			note_replay(store, &op->rec);
			p->applied++;
		} else {
			/* the kernel may still forward for it: keep it */
			p->refused++;
		}
		return;
	}
	if (op->result) {
		/*
		 * The address stays reserved: the reservation may have been
		 * someone's in flight, and the kernel may hold it. Lost to
		 * the pool until a restart, never given twice.
		 */
		p->refused++;
		log_ratelimited(LOG_ERR, "sync: binding %s from %s: kernel: %s",
				inet_ntop(AF_INET, &op->rec.home_addr, home,
					  sizeof(home)),
				peer_name(p), strerror(-op->result));
		return;
	}
	/*
	 * A physical-mode active takes registrations from no one: this
	 * one was the peer's while it was active too (a partition; the
	 * streams carry it over when the link comes back).
	 */
	if (our_mode(p->s) == SYNC_MODE_PHYSICAL &&
	    p->s->role == SYNC_ROLE_ACTIVE)
		p->dual_active = true;
	err = binding_store_upsert(store, &op->rec, BINDING_CAUSE_PEER);
	if (err) {
		p->refused++;
		log_ratelimited(LOG_ERR, "sync: binding %s from %s: store: %s",
				inet_ntop(AF_INET, &op->rec.home_addr, home,
					  sizeof(home)),
				peer_name(p), strerror(-err));
		return;
	}
	p->applied++;
}

/* An address for a log line: formatted only when one is written. */
static const char *addr_str(struct in_addr a, char buf[INET_ADDRSTRLEN])
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* Who accepted the registration a record holds (for sync_merge). */
static uint32_t accepted_by(const struct sync_peer *p,
			    const struct reg_binding *b)
{
	return b->origin == BINDING_ORIGIN_LOCAL ? p->s->node_id : p->node_id;
}

static int submit(struct sync_peer *p, struct apply_op *op, enum kernel_op kop,
		  const struct kernel_binding *kb)
{
	struct kadapter *ka = p->s->host.ka;
	int err;

	err = kadapter_submit(ka, kop, kb, apply_done, op);
	if (err == -ENOSPC) {
		kadapter_flush(ka);
		err = kadapter_submit(ka, kop, kb, apply_done, op);
	}
	return err;
}

/* A pool name into op->pool (snprintf() cost 550 instructions a binding). */
static const char *op_pool(struct apply_op *op, const char *name)
{
	size_t n = strnlen(name, sizeof(op->pool) - 1);

	memcpy(op->pool, name, n);
	op->pool[n] = '\0';
	return op->pool;
}

/* An operation on the record rec (its strings copied into the op). */
static struct apply_op *op_init(struct apply_op *op, struct sync_peer *p,
				enum sync_op code,
				const struct binding_rec *rec)
{
	op_clear(op);
	op->p = p;
	op->op = code;
	op->rec = *rec;
	op->rec.nai = NULL;
	op->rec.pool = NULL;
	if (rec->nai_len) {
		memcpy(op->nai, rec->nai, rec->nai_len);
		op->rec.nai = op->nai;
	}
	if (rec->pool)
		op->rec.pool = op_pool(op, rec->pool);
	/*
	 * The attributes' array is the decoder's entry, reused for the next
	 * one: copied. Their values (up to 4 KB) stay in the frame, which
	 * outlives its ops (apply_bindings() flushes every completion
	 * before it returns).
	 */
	op->rec.aaa = NULL;
	if (rec->n_aaa) {
		memcpy(op->aaa, rec->aaa, rec->n_aaa * sizeof(op->aaa[0]));
		op->rec.aaa = op->aaa;
	}
	return op;
}

/* A removed binding's replay state, kept only if newer than what we keep. */
static void note_replay(struct binding_store *store,
			const struct binding_rec *rec)
{
	uint8_t key[REPLAY_KEY_MAX];
	uint16_t klen =
		binding_replay_key(key, rec->nai, rec->nai_len, rec->home_addr);
	struct replay_state cached;

	if (!rec->replay.seen)
		return;
	binding_store_replay_get(store, key, klen, &cached);
	/* never backwards: a replay must stay one */
	if (cached.seen &&
	    (rec->replay_method != REPLAY_TIMESTAMP ||
	     (int64_t)(rec->replay.last_id - cached.last_id) <= 0))
		return;
	binding_store_replay_note(store, NULL, key, klen, &rec->replay,
				  (enum replay_method)rec->replay_method,
				  replay_ntp_now());
}

/* Is r (a peer's record) the node b is the binding of? */
static bool same_node(const struct reg_binding *b, const struct binding_rec *r)
{
	return b->nai_len == r->nai_len &&
	       (!r->nai_len || !memcmp(b->nai, r->nai, r->nai_len));
}

/*
 * Is p the one active we follow? It says it is active, in the
 * physical-network mode with our configuration, we are not, and no other
 * connected peer says it is active too (two claimants: a partition not
 * settled yet, and neither is the truth until HSRP says which stays).
 */
static bool the_active(const struct sync_peer *p)
{
	const struct sync *s = p->s;
	size_t i;

	if (our_mode(s) != SYNC_MODE_PHYSICAL || s->role == SYNC_ROLE_ACTIVE ||
	    p->role != SYNC_ROLE_ACTIVE || p->mode != SYNC_MODE_PHYSICAL ||
	    p->mismatch)
		return false;
	for (i = 0; i < s->n_peers; i++) {
		const struct sync_peer *o = &s->peers[i];

		if (o != p && o->state == PEER_UP &&
		    o->role == SYNC_ROLE_ACTIVE)
			return false;
	}
	return true;
}

/* May p's record take an address another node holds here? */
static bool takes_others(const struct sync_peer *p)
{
	/* the active's table is the truth a physical standby follows */
	return the_active(p);
}

/* Queues the removal of b, which p's record displaces. */
static int displace(struct sync_peer *p, const struct reg_binding *b,
		    struct apply_op *ops, unsigned int *n_ops,
		    struct in_addr *displaced)
{
	struct kernel_binding kb = { .home_addr = b->home_addr };
	struct apply_op *op = &ops[*n_ops];
	int err;

	op_clear(op);
	op->p = p;
	op->op = SYNC_OP_REMOVE;
	op->displacing = true; /* its replay state stays in the cache */
	op->rec.home_addr = b->home_addr;
	err = submit(p, op, KERNEL_OP_DEL, &kb);
	if (!err) {
		(*n_ops)++;
		*displaced = b->home_addr;
	}
	return err;
}

/*
 * One entry, decided against the store as every earlier entry left it:
 * the caller flushes the adapter before an entry whose address an earlier
 * one of the frame touched, and this flushes before deciding anything
 * that depends on another binding (the node at another address, another
 * node at this one). Appends its kernel operations (at most two: the
 * displaced binding, then its own) to ops[*n_ops], where they stay until
 * the adapter completed them.
 */
static int apply_entry(struct sync_peer *p, const struct sync_entry *e,
		       uint64_t now, struct apply_op *ops, unsigned int *n_ops,
		       struct in_addr *displaced)
{
	struct sync *s = p->s;
	struct binding_store *store = s->host.store;
	const struct reg_binding *b, *nb;
	struct binding_rec theirs, ours;
	struct kernel_binding kb;
	uint8_t cookie[REG_COOKIE_MAX];
	char home[INET_ADDRSTRLEN];
	struct apply_op *op;
	int err;

	sync_entry_to_rec(e, now, &theirs);
	if (e->op == SYNC_OP_REPLAY) {
		/*
		 * A node bound here (perhaps a stale binding this download
		 * will sweep) has its mark in its binding: raised there, so
		 * that the sweep leaves the newer one in the cache.
		 */
		b = theirs.nai_len ? binding_store_find_nai(store, theirs.nai,
							     theirs.nai_len) :
				     binding_store_find_addr(store,
							     theirs.home_addr);
		if (b && (b->nai_len != theirs.nai_len ||
			  (b->nai_len && memcmp(b->nai, theirs.nai,
						b->nai_len))))
			b = NULL; /* another node's: not this identity */
		if (b) {
			if (theirs.replay_method == REPLAY_TIMESTAMP &&
			    b->replay_method == REPLAY_TIMESTAMP &&
			    (!b->replay.seen ||
			     (int64_t)(theirs.replay.last_id -
				       b->replay.last_id) > 0))
				binding_store_replay_note(
					store, b, NULL, 0, &theirs.replay,
					REPLAY_TIMESTAMP, replay_ntp_now());
		} else {
			note_replay(store, &theirs);
		}
		p->replay_applied++;
		return 0;
	}
	if (e->link[0]) {
		theirs.link = s->host.link_index ?
				      s->host.link_index(s->host.ctx, e->link) :
				      0;
		if (!theirs.link) {
			p->refused++;
			log_ratelimited(LOG_WARNING,
					"sync: binding %s from %s: %s is not "
					"a home link here",
					addr_str(e->home_addr, home),
					peer_name(p), e->link);
			return 0;
		}
	}
	b = binding_store_find_addr(store, e->home_addr);
	nb = theirs.nai_len ?
		     binding_store_find_nai(store, theirs.nai, theirs.nai_len) :
		     NULL;
	if (((b && !same_node(b, &theirs)) || (nb && nb != b)) &&
	    kadapter_pending(s->host.ka)) {
		/* decide on the store as the queued operations leave it */
		kadapter_flush(s->host.ka);
		b = binding_store_find_addr(store, e->home_addr);
		nb = theirs.nai_len ? binding_store_find_nai(store, theirs.nai,
							     theirs.nai_len) :
				      NULL;
	}
	if (b && !same_node(b, &theirs)) {
		/* another node holds the address here */
		if (e->op == SYNC_OP_REMOVE) {
			p->skipped++; /* not the binding the peer removed */
			return 0;
		}
		if (!takes_others(p)) {
			p->refused++;
			log_ratelimited(LOG_WARNING,
					"sync: binding %s from %s: another "
					"mobile node holds it here",
					addr_str(e->home_addr, home),
					peer_name(p));
			return 0;
		}
		err = displace(p, b, ops, n_ops, displaced);
		if (err)
			return err;
		b = NULL;
	} else if (b) {
		enum sync_merge m;

		binding_store_rec(b, &ours);
		m = sync_merge(&ours, accepted_by(p, b), &theirs, p->node_id);
		/*
		 * A physical standby follows the active's stream, which is
		 * ordered: its latest word on a binding is the truth, even
		 * against a record we accepted ourselves when we were active,
		 * or recovered from our kernel after a restart (the agreed
		 * order may call ours newer: same Identification and version,
		 * our node id higher; the active removed it since). Only the
		 * very record we hold from it is not applied again.
		 */
		if (takes_others(p) &&
		    !(m == SYNC_MERGE_SAME && e->op == SYNC_OP_UPSERT))
			m = SYNC_MERGE_THEIRS;
		/*
		 * Otherwise an update must be newer than ours; a removal
		 * ends ours unless ours is newer (a renewal it has not seen).
		 */
		if (m == SYNC_MERGE_OURS ||
		    (m == SYNC_MERGE_SAME && e->op == SYNC_OP_UPSERT)) {
			binding_store_keep(store, e->home_addr);
			p->skipped++;
			return 0;
		}
	}
	memset(&kb, 0, sizeof(kb));
	kb.home_addr = e->home_addr;
	if (e->op == SYNC_OP_REMOVE) {
		if (!b) {
			/* gone here already: its replay state still counts */
			note_replay(store, &theirs);
			p->skipped++;
			return 0;
		}
		op = op_init(&ops[*n_ops], p, SYNC_OP_REMOVE, &theirs);
		err = submit(p, op, KERNEL_OP_DEL, &kb);
		if (!err)
			(*n_ops)++;
		return err;
	}
	/* the node bound at another address: the newer registration wins */
	if (nb && nb != b && nb->home_addr.s_addr != displaced->s_addr) {
		binding_store_rec(nb, &ours);
		if (sync_merge(&ours, accepted_by(p, nb), &theirs,
			       p->node_id) != SYNC_MERGE_THEIRS) {
			p->refused++;
			return 0;
		}
		err = displace(p, nb, ops, n_ops, displaced);
		if (err)
			return err;
	}
	op = op_init(&ops[*n_ops], p, SYNC_OP_UPSERT, &theirs);
	if (b) {
		/* it keeps the pool its address came from */
		op->rec.pool = b->pool ? op_pool(op, b->pool) : NULL;
	} else {
		op->rec.pool = binding_store_pool_reserve(store, op->rec.pool,
							  e->home_addr);
		if (e->pool[0] && !op->rec.pool) {
			/* a pool address here is in none of our pools */
			p->refused++;
			log_ratelimited(LOG_WARNING,
					"sync: binding %s from %s: in none of "
					"our pools (pool %s there)",
					addr_str(e->home_addr, home),
					peer_name(p), e->pool);
			return 0;
		}
	}
	binding_store_replay_merge(store, &op->rec);
	err = binding_rec_to_kernel(&op->rec, now, cookie,
				    sizeof(cookie), &kb);
	if (!err)
		err = submit(p, op, KERNEL_OP_REPLACE, &kb);
	if (err)
		return err;
	(*n_ops)++;
	return 0;
}

/* A small set of addresses: those an applied frame touched so far. */
struct addr_set {
	uint32_t *v;
	size_t mask;
};

static bool addr_set_add(struct addr_set *a, struct in_addr x)
{
	uint32_t k = x.s_addr ?: 1; /* 0 marks a free slot */
	/*
	 * Not (k * golden ratio) & mask: the low bits of that product are
	 * those of k's low bits, the first octet in network order, the same
	 * for a whole pool. Every address of a frame probed one chain.
	 */
	size_t i = binding_hash_addr(x) & a->mask;

	while (a->v[i]) {
		if (a->v[i] == k)
			return false;
		i = (i + 1) & a->mask;
	}
	a->v[i] = k;
	return true;
}

/*
 * A BINDINGS frame, applied whole: its kernel operations go as one batch
 * (two when an entry touches an address an earlier one did: the store
 * must hold the earlier one's outcome before the later is decided). Its
 * entries' times (elapsed, remaining) are counted from one reading of the
 * clock, the frame's arrival: a reading per entry cost two system calls a
 * binding where the clock source has no vDSO path (HPET, as in a VM).
 */
static void healed(struct sync_peer *p);

/* Room in s's scratch for a frame of n entries: false if out of memory. */
static bool apply_scratch(struct sync *s, size_t n)
{
	size_t ops = 2 * n + 1, cap = 4;

	while (cap < 4 * n)
		cap <<= 1;
	if (ops > s->apply_ops_cap) {
		struct apply_op *o = realloc(s->apply_ops, ops * sizeof(*o));

		if (!o)
			return false;
		s->apply_ops = o;
		s->apply_ops_cap = ops;
	}
	if (cap > s->apply_set_cap) {
		uint32_t *v = realloc(s->apply_set, cap * sizeof(*v));

		if (!v)
			return false;
		s->apply_set = v;
		s->apply_set_cap = cap;
	}
	return true;
}

/* Gives the scratch back (it grows to the largest frame: megabytes). */
static void apply_scratch_free(struct sync *s)
{
	free(s->apply_ops);
	free(s->apply_set);
	s->apply_ops = NULL;
	s->apply_set = NULL;
	s->apply_ops_cap = 0;
	s->apply_set_cap = 0;
}

static void apply_bindings(struct sync_peer *p, const struct sync_frame *f)
{
	struct sync *s = p->s;
	struct kadapter *ka = s->host.ka;
	size_t n = f->bindings.n_entries, cap = 4;
	struct sync_entry_iter it;
	struct sync_entry e;
	struct apply_op *ops;
	struct addr_set set;
	unsigned int n_ops = 0;
	uint64_t now = loop_now_ms();

	if (!apply_scratch(s, n)) {
		peer_down(p, "out of memory applying a frame");
		return;
	}
	while (cap < 4 * n)
		cap <<= 1;
	ops = s->apply_ops; /* each initialised as it is taken */
	set.v = s->apply_set;
	set.mask = cap - 1;
	memset(set.v, 0, cap * sizeof(*set.v));
	sync_entries_init(&it, &f->bindings);
	while (sync_entries_next(&it, &e) == 1) {
		struct in_addr displaced = { 0 };

		p->received++;
		if (!addr_set_add(&set, e.home_addr)) {
			kadapter_flush(ka);
			memset(set.v, 0, cap * sizeof(*set.v));
			addr_set_add(&set, e.home_addr);
		}
		if (apply_entry(p, &e, now, ops, &n_ops, &displaced)) {
			p->refused++;
			continue;
		}
		if (displaced.s_addr && !addr_set_add(&set, displaced)) {
			kadapter_flush(ka);
			memset(set.v, 0, cap * sizeof(*set.v));
			addr_set_add(&set, e.home_addr);
			addr_set_add(&set, displaced);
		}
	}
	kadapter_flush(ka); /* every completion has run */
	/* registrations it took while active too, and it gave way since */
	healed(p);
}

/* Receiving a bulk: mark at its start, sweep at its complete end. */
static bool we_sweep(const struct sync *s)
{
	return our_mode(s) == SYNC_MODE_PHYSICAL && s->role != SYNC_ROLE_ACTIVE;
}

/*
 * Does p's download replace our table? Only in the physical-network mode,
 * only from a peer that says it is the active one (in that mode too), and
 * only while we are not: a standby's table is the active's. The marks are
 * the store's, so one download at a time owns them.
 */
static bool may_sweep(const struct sync_peer *p)
{
	const struct sync *s = p->s;

	return we_sweep(s) && the_active(p) && (!s->marking || s->marking == p);
}

static void unmark(struct sync_peer *p)
{
	struct sync *s = p->s;

	if (!p->recv_bulk_marked)
		return;
	p->recv_bulk_marked = false;
	if (s->marking == p) {
		binding_store_unmark_stale(s->host.store);
		s->marking = NULL;
	}
}

static void recv_bulk_start(struct sync_peer *p)
{
	struct sync *s = p->s;

	unmark(p);
	if (may_sweep(p)) {
		binding_store_mark_stale(s->host.store);
		s->marking = p;
		p->recv_bulk_marked = true;
	}
	p->recv_bulk_started_ms = loop_now_ms();
}

static void apply_done(void *ctx, const struct kadapter_result *res);

/*
 * What the active's complete download did not bring goes: from the kernel
 * first (it must stop forwarding for it), then from the store.
 */
static size_t sweep(struct sync_peer *p)
{
	struct sync *s = p->s;
	const struct binding_table *t = binding_store_table(s->host.store);
	struct apply_op *ops;
	size_t i, n = 0, k = 0;
	const struct reg_binding *b;

	for (i = 0; i < binding_table_buckets(t); i++)
		for (b = binding_table_bucket(t, i); b; b = b->next_addr)
			n += b->stale;
	if (!n)
		return 0;
	ops = calloc(n, sizeof(*ops));
	if (!ops) {
		log_err("sync: out of memory removing %zu stale bindings", n);
		return 0;
	}
	/*
	 * The addresses first, the removals after: a submit may complete
	 * at once (a full batch is sent), and its completion frees the
	 * binding the walk would go on from.
	 */
	for (i = 0; i < binding_table_buckets(t) && k < n; i++) {
		for (b = binding_table_bucket(t, i); b && k < n;
		     b = b->next_addr) {
			if (!b->stale)
				continue;
			ops[k].p = p;
			ops[k].op = SYNC_OP_REMOVE;
			ops[k].displacing = true; /* no replay state to note */
			ops[k].rec.home_addr = b->home_addr;
			k++;
		}
	}
	for (i = 0, n = 0; i < k; i++) {
		struct kernel_binding kb = { .home_addr =
						     ops[i].rec.home_addr };

		if (!submit(p, &ops[i], KERNEL_OP_DEL, &kb))
			n++;
	}
	kadapter_flush(s->host.ka); /* every completion has run */
	free(ops);
	return n;
}

static void recv_bulk_end(struct sync_peer *p, const struct sync_bulk_end *e)
{
	struct sync *s = p->s;
	size_t swept = 0;

	if (p->recv_bulk_marked && e->status == SYNC_BULK_COMPLETE &&
	    may_sweep(p))
		swept = sweep(p);
	unmark(p);
	apply_scratch_free(s); /* sized for a download's frames */
	if (e->status != SYNC_BULK_COMPLETE)
		return;
	p->bulks_received++;
	p->last_bulk_count = e->count;
	p->last_bulk_ms = loop_now_ms() - p->recv_bulk_started_ms;
	log_msg(LOG_INFO,
		"sync: bulk download from %s: %u bindings in %llu ms, %zu "
		"removed",
		peer_name(p), e->count, (unsigned long long)p->last_bulk_ms,
		swept);
	peer_event(p, "bulk-received",
		   json_pack("{s:i,s:I,s:I}", "bindings", (int)e->count,
			     "removed", (json_int_t)swept, "ms",
			     (json_int_t)p->last_bulk_ms));
	if (s->host.bulk_done && p->role == SYNC_ROLE_ACTIVE)
		s->host.bulk_done(s->host.ctx);
}

static void send_ack(struct sync_peer *p)
{
	uint8_t buf[SYNC_HDR_LEN + 8];
	ssize_t len = sync_encode_ack(buf, sizeof(buf), p->in.applied);

	if (len > 0 && !peer_send(p, buf, (size_t)len))
		sync_in_acked(&p->in);
}

/*
 * A peer that became active while we are not (physical-network mode):
 * our table came from the old active, and the new one's may differ by
 * what one of us did not get before the old one died. We ask for its
 * whole table (seed 001's binding information request); its download
 * marks and sweeps ours, so the two end equal. Once per peer for each
 * time it becomes active; a new connection resumes or downloads anyway.
 */
static void request_bulk(struct sync_peer *p)
{
	struct sync_bulk_request r = { 0 };
	uint8_t buf[64];
	ssize_t len;

	if (p->bulk_asked || p->state != PEER_UP || !the_active(p))
		return;
	r.request_id = ++p->bulk_requests_sent;
	len = sync_encode_bulk_request(buf, sizeof(buf), &r);
	if (len > 0 && !peer_send(p, buf, (size_t)len)) {
		p->bulk_asked = true;
		log_msg(LOG_INFO, "sync: %s is active now: its table asked for",
			peer_name(p));
	}
}

/*
 * The peer was active while we were too (a partition: each side took
 * registrations, and the streams merged them when the link came back) and
 * now gives way to us: the bound home addresses it announced meanwhile are
 * ours again, announced from here (the host's healed()).
 */
static void healed(struct sync_peer *p)
{
	struct sync *s = p->s;
	uint64_t now = loop_now_ms();

	if (!p->dual_active || s->role != SYNC_ROLE_ACTIVE ||
	    p->role == SYNC_ROLE_ACTIVE)
		return;
	p->dual_active = false;
	/* the rest of its stream (more frames of the same merge) */
	if (p->last_heal_ms && now - p->last_heal_ms < SYNC_HEAL_MIN_MS)
		return;
	p->last_heal_ms = now;
	p->heals++;
	log_msg(LOG_NOTICE,
		"sync: %s, active meanwhile, gave way: %zu bindings here, "
		"announcing them again",
		peer_name(p), binding_store_count(s->host.store));
	peer_event(p, "healed",
		   json_pack("{s:I}", "bindings",
			     (json_int_t)binding_store_count(s->host.store)));
	if (s->host.healed)
		s->host.healed(s->host.ctx);
}

/*
 * The other side cannot resume our stream: our table, if we lead; else
 * only where the stream starts again (a BULK_START, and a BULK_END that
 * says aborted: nothing to mark, nothing to sweep).
 */
static void restart_stream(struct sync_peer *p, uint32_t request_id)
{
	struct sync_bulk_start st = { .request_id = request_id };
	uint8_t buf[64];
	ssize_t len;

	p->resyncs++;
	if (we_lead(p->s)) {
		bulk_start(p, request_id);
		return;
	}
	peer_close_pending(p);
	len = sync_encode_bulk_start(buf, sizeof(buf), sync_out_next(&p->out),
				     &st);
	if (len > 0)
		peer_send_seq(p, buf, (size_t)len);
	p->bulk_sent = 0;
	p->bulk_request = request_id;
	p->bulk_started_ms = loop_now_ms();
	bulk_end(p, SYNC_BULK_ABORTED);
}

static int resend(void *ctx, uint64_t seq, const void *buf, size_t len)
{
	struct sync_peer *p = ctx;

	(void)seq;
	return peer_send(p, buf, len);
}

/* Names of the configuration parts whose digests differ from ours. */
static bool compare_digests(struct sync_peer *p, const struct sync_hello *h)
{
	const struct config_digest *d = &p->s->digest;
	size_t i, j;
	bool differ = false;

	p->mismatch_parts[0] = '\0';
	if (!memcmp(h->digest, d->all, SYNC_DIGEST_LEN))
		return false;
	for (i = 0; i < d->n_parts; i++) {
		const char *name = d->parts[i].name;
		bool same = false;

		for (j = 0; j < h->n_sections; j++)
			if (h->sections[j].name_len == strlen(name) &&
			    !memcmp(h->sections[j].name, name,
				    h->sections[j].name_len))
				same = !memcmp(h->sections[j].digest,
					       d->parts[i].digest,
					       SYNC_DIGEST_LEN);
		if (same)
			continue;
		differ = true;
		snprintf(p->mismatch_parts + strlen(p->mismatch_parts),
			 sizeof(p->mismatch_parts) - strlen(p->mismatch_parts),
			 "%s%s", p->mismatch_parts[0] ? " " : "", name);
	}
	return differ || h->n_sections != d->n_parts;
}

static void recv_hello(struct sync_peer *p, const struct sync_hello *h)
{
	struct sync *s = p->s;
	bool first = p->state == PEER_HELLO;
	int err;

	bool became_active = h->role == SYNC_ROLE_ACTIVE &&
			     p->role != SYNC_ROLE_ACTIVE;
	bool gave_way = p->role == SYNC_ROLE_ACTIVE &&
			h->role != SYNC_ROLE_ACTIVE;
	/* our HELLO asked it to resume its stream (else it downloads) */
	bool resumes = p->in.epoch && p->in.epoch == h->stream_epoch;

	p->node_id = h->node_id;
	p->mode = h->mode;
	p->role = h->role;
	p->features = h->features;
	if (h->role != SYNC_ROLE_ACTIVE)
		p->bulk_asked = false;
	if (h->role == SYNC_ROLE_ACTIVE && s->role == SYNC_ROLE_ACTIVE)
		p->dual_active = true;
	if (!first) {
		/* a role change: a new active's table, if we follow it */
		if (became_active) {
			request_bulk(p);
		} else if (gave_way) {
			size_t i;

			healed(p);
			/* one claimant fewer: the one left may be the active */
			for (i = 0; i < s->n_peers; i++)
				request_bulk(&s->peers[i]);
		}
		return;
	}
	/*
	 * An active peer resumes our copy of its stream, or downloads. One
	 * that became active while we were apart (p->role outlives the
	 * connection) is asked for its table once we are up: a resumed
	 * stream does not settle what the old active sent one of us only.
	 */
	p->bulk_asked = h->role == SYNC_ROLE_ACTIVE &&
			!(became_active && resumes);
	p->mismatch = compare_digests(p, h) || h->mode != our_mode(s);
	if (p->mismatch)
		log_msg(LOG_ERR,
			"sync: %s (node %u) has another configuration: %s%s%s",
			peer_name(p), h->node_id,
			h->mode != our_mode(s) ? "mode " : "",
			h->mode != our_mode(s) ? sync_mode_str(h->mode) : "",
			p->mismatch_parts);
	sync_in_hello(&p->in, h->stream_epoch);
	p->state = PEER_UP;
	p->backoff_ms = SYNC_BACKOFF_MIN_MS;
	path_up(p);
	log_msg(LOG_INFO, "sync: %s (node %u, %s) up", peer_name(p), h->node_id,
		sync_role_str(h->role));
	peer_event(p, "up",
		   json_pack("{s:I,s:s}", "node_id", (json_int_t)h->node_id,
			     "role", sync_role_str(h->role)));
	if (p->mismatch)
		peer_event(p, "config-mismatch",
			   json_pack("{s:s}", "differs", p->mismatch_parts));
	err = sync_out_resume(&p->out, h->resume_epoch, h->resume_from, resend,
			      p);
	if (err == -ESTALE || err == -EINVAL)
		restart_stream(p, 0);
	else if (err)
		peer_down(p, "cannot resend");
	else if (p->bulk_active)
		bulk_continue(p); /* a download the break interrupted */
	if (p->state == PEER_UP && became_active && resumes)
		request_bulk(p);
}

static void serve_bulk_request(struct sync_peer *p);

static void recv_frame(struct sync_peer *p, const struct sync_frame *f)
{
	enum sync_in_verdict v;

	if (f->hdr.type == SYNC_HELLO) {
		recv_hello(p, &f->hello);
		return;
	}
	if (p->state != PEER_UP) {
		peer_down(p, "a frame before its HELLO");
		return;
	}
	switch (f->hdr.type) {
	case SYNC_ACK:
		if (sync_out_ack(&p->out, f->ack.acked))
			peer_down(p, "acknowledges what we never sent");
		return;
	case SYNC_BULK_REQUEST:
		/*
		 * A follower's. An active peer follows nobody (physical
		 * mode), and one who leads nothing has nothing to send:
		 * counted, ignored. Else a download now, or, while one
		 * runs or within SYNC_BULK_REQUEST_MIN_MS of the last one
		 * (a peer asking in a loop), one when that has passed
		 * (tick_cb): requests meanwhile are one.
		 */
		if (!we_lead(p->s) || (our_mode(p->s) == SYNC_MODE_PHYSICAL &&
				       p->role == SYNC_ROLE_ACTIVE)) {
			p->bulk_requests_ignored++;
			return;
		}
		p->bulk_request_pending = true;
		p->bulk_request_pending_id = f->bulk_request.request_id;
		serve_bulk_request(p);
		return;
	}
	if (!f->hdr.seq)
		return; /* an unsequenced type of a newer peer */
	v = sync_in_check(&p->in, f->hdr.seq, f->hdr.type == SYNC_BULK_START);
	if (v == SYNC_IN_DUPLICATE)
		return;
	if (v == SYNC_IN_GAP) {
		p->resyncs++;
		peer_down(p, "a gap in the stream");
		return;
	}
	switch (f->hdr.type) {
	case SYNC_BINDINGS:
		apply_bindings(p, f);
		break;
	case SYNC_BULK_START:
		recv_bulk_start(p);
		break;
	case SYNC_BULK_END:
		recv_bulk_end(p, &f->bulk_end);
		break;
	case SYNC_REPLAY_FLOOR:
		/*
		 * From a peer whose table we follow (the active, or any in
		 * the virtual mode), as the sender's rule is; only ever
		 * stricter: raised, never past our clock.
		 */
		if (our_mode(p->s) != SYNC_MODE_VIRTUAL && !the_active(p)) {
			p->refused++;
			break;
		}
		binding_store_replay_floor(p->s->host.store,
					   f->replay_floor.floor,
					   replay_ntp_now());
		p->floor_received = f->replay_floor.floor;
		break;
	}
	if (p->state != PEER_UP)
		return;
	sync_in_applied(&p->in, f->hdr.seq);
	if (sync_in_ack_due(&p->in, SYNC_ACK_EVERY, false))
		send_ack(p);
}

static size_t conn_recv(struct sync_tls_conn *c, const uint8_t *buf, size_t len,
			void *data)
{
	struct sync_peer *p = data;
	struct sync_frame *f = malloc(sizeof(*f));
	size_t used = 0, flen;
	int err;

	(void)c;
	if (!f) {
		peer_down(p, "out of memory");
		return len;
	}
	p->last_rx_ms = loop_now_ms();
	while (p->conn == c && used < len) {
		err = sync_frame_peek(buf + used, len - used, &flen);
		if (err == -EAGAIN)
			break;
		if (err) {
			peer_down(p, "a frame that does not parse");
			break;
		}
		err = sync_frame_decode(buf + used, flen, f);
		used += flen;
		if (err == -ENOMSG) {
			/* a type we do not know: its number counts */
			if (f->hdr.seq && sync_in_check(&p->in, f->hdr.seq,
							false) == SYNC_IN_APPLY)
				sync_in_applied(&p->in, f->hdr.seq);
			continue;
		}
		if (err) {
			log_ratelimited(LOG_ERR,
					"sync: %s sent a malformed %s frame",
					peer_name(p),
					sync_type_str(f->hdr.type));
			peer_down(p, "a malformed frame");
			break;
		}
		recv_frame(p, f);
	}
	free(f);
	if (p->conn == c && sync_in_ack_due(&p->in, SYNC_ACK_EVERY, true))
		send_ack(p);
	return p->conn == c ? used : len;
}

/* ---- connections ---------------------------------------------------------- */

static void send_hello(struct sync_peer *p)
{
	struct sync *s = p->s;
	const struct config_digest *d = &s->digest;
	struct sync_hello *h = calloc(1, sizeof(*h));
	uint8_t *buf = malloc(SYNC_FRAME_BUF);
	ssize_t len;
	size_t i;

	if (!h || !buf)
		goto out;
	h->node_id = s->node_id;
	h->features = s->features;
	h->mode = our_mode(s);
	h->role = s->role;
	h->stream_epoch = p->out.epoch;
	h->resume_epoch = p->in.epoch;
	h->resume_from = p->in.applied;
	memcpy(h->digest, d->all, SYNC_DIGEST_LEN);
	for (i = 0; i < d->n_parts && i < SYNC_SECTIONS_MAX; i++) {
		h->sections[i].name = d->parts[i].name;
		h->sections[i].name_len = (uint8_t)strlen(d->parts[i].name);
		memcpy(h->sections[i].digest, d->parts[i].digest,
		       SYNC_DIGEST_LEN);
	}
	h->n_sections = (uint16_t)i;
	if (s->group[0]) {
		h->groups[0].name = s->group;
		h->groups[0].name_len = (uint8_t)strlen(s->group);
		h->n_groups = 1;
	}
	len = sync_encode_hello(buf, SYNC_FRAME_BUF, h);
	if (len > 0)
		peer_send(p, buf, (size_t)len);
out:
	free(h);
	free(buf);
}

static bool peer_spi_ok(const struct sync_peer *p, uint32_t spi)
{
	unsigned int i;

	for (i = 0; i < p->n_spis; i++)
		if (p->spis[i] == spi)
			return true;
	return false;
}

/* The peer reachable at @a (any of its paths), and which path in *@path. */
static struct sync_peer *peer_by_addr(struct sync *s, struct in_addr a,
				      unsigned int *path)
{
	size_t i;
	unsigned int j;

	for (i = 0; i < s->n_peers; i++)
		for (j = 0; j < s->peers[i].n_addrs; j++)
			if (s->peers[i].addrs[j].s_addr == a.s_addr) {
				if (path)
					*path = j;
				return &s->peers[i];
			}
	return NULL;
}

/* Which path's call c is, if it is one still in its handshake; -1: not. */
static int pending_path(const struct sync_peer *p,
			const struct sync_tls_conn *c)
{
	unsigned int i;

	for (i = 0; i < p->n_addrs; i++)
		if (p->pending[i] == c)
			return (int)i;
	return -1;
}

static void conn_up(struct sync_tls_conn *c, void *data)
{
	struct sync_peer *p = data;
	int call = pending_path(p, c);
	uint32_t spi = 0;

	/* the key must be this peer's: another peer's key is not enough */
	if (!sync_tls_conn_peer_spi(c, &spi) || !peer_spi_ok(p, spi)) {
		p->auth_failures++;
		log_ratelimited(LOG_WARNING,
				"sync: %s authenticated with SPI 0x%x, not one "
				"of its own: refused",
				peer_name(p), spi);
		if (call >= 0) {
			sync_tls_conn_free(c);
			p->pending[call] = NULL;
		} else {
			peer_down(p, "another peer's key");
		}
		return;
	}
	if (call >= 0) {
		/*
		 * authenticated: it replaces what we had, on the path it
		 * came by (the peer may have moved: a link failed there)
		 */
		p->pending[call] = NULL;
		if (p->conn)
			peer_down(p, "the peer called again");
		loop_timer_cancel(p->s->host.loop, &p->retry);
		p->conn = c;
		p->connects++;
		set_path(p, (unsigned int)call);
	}
	p->state = PEER_HELLO;
	p->last_rx_ms = p->last_tx_ms = loop_now_ms();
	send_hello(p);
	loop_timer_arm(p->s->host.loop, &p->tick, p->s->cfg.keepalive_ms);
}

/*
 * Was the path at fault? A call that could not connect, did not complete
 * its handshake or authenticate, or a connection whose socket failed: the
 * caller tries the next path. The peer closing, or speaking garbage, is
 * not the link's doing: the same path again.
 */
static bool path_fault(const struct sync_tls_close *why)
{
	return why->reason == SYNC_TLS_TIMEOUT ||
	       why->reason == SYNC_TLS_IO_ERROR ||
	       why->reason == SYNC_TLS_AUTH || why->in_handshake;
}

static void conn_down(struct sync_tls_conn *c, const struct sync_tls_close *why,
		      void *data)
{
	struct sync_peer *p = data;
	int call = pending_path(p, c);

	if (why->reason == SYNC_TLS_AUTH)
		p->auth_failures++;
	if (call >= 0) {
		log_ratelimited(LOG_INFO, "sync: a call from %s failed: %s",
				inet_ntoa(p->addrs[call]),
				why->detail ?
					why->detail :
					sync_tls_reason_name(why->reason));
		sync_tls_conn_free(c);
		p->pending[call] = NULL;
		return;
	}
	p->path_failed = path_fault(why);
	peer_down(p, why->detail ? why->detail :
				   sync_tls_reason_name(why->reason));
}

static const struct sync_tls_ops conn_ops = {
	.up = conn_up,
	.recv = conn_recv,
	.down = conn_down,
};

/*
 * The path a round of calls starts on: the one in use if an HSRP group of
 * ours hears the peer there (its hellos come from that address), else the
 * next one that does, so a link whose group lost the peer costs no failed
 * call; none heard (no HSRP, or the peer is a listen router, which sends
 * no hellos): the one in use. Only at a round's start: hellos crossing a
 * link say nothing of whether sync does (a filter, the MTU), so within a
 * round a failed path moves us on as ever; and a path whose connection
 * worked last is kept (a reconnect, the peer closing).
 */
static void path_choose(struct sync_peer *p)
{
	const struct sync_host *h = &p->s->host;
	unsigned int i, j;

	if (!h->hears || p->n_addrs < 2 || p->failed_paths ||
	    (int)p->path == p->up_path)
		return;
	for (i = 0; i < p->n_addrs; i++) {
		j = (p->path + i) % p->n_addrs;
		if (h->hears(h->ctx, p->addrs[j])) {
			if (j != p->path)
				set_path(p, j);
			return;
		}
	}
}

static void peer_connect(struct sync_peer *p)
{
	struct sync *s = p->s;
	struct sync_tls_conn_cfg cfg = {
		.ops = &conn_ops,
		.data = p,
		.out_high = SYNC_QUEUE_MAX,
		.out_low = SYNC_QUEUE_MAX / 2,
		.in_max = 2 * SYNC_FRAME_BUF,
		/* a path that drops everything fails as soon as a dead one */
		.handshake_timeout_ms = s->cfg.dead_ms,
	};
	struct sockaddr_in peer = {
		.sin_family = AF_INET,
		.sin_port = htons(s->cfg.port),
	};
	struct sockaddr_in local = {
		.sin_family = AF_INET,
		.sin_addr = s->local,
	};
	int err;

	path_choose(p);
	peer.sin_addr = p->addr;
	err = sync_tls_connect(&p->conn, s->tls, s->host.loop, p->spi, &peer,
			       s->local.s_addr ? &local : NULL, &cfg);
	if (err) {
		p->conn = NULL;
		p->path_failed = true;
		peer_down(p, strerror(-err));
		return;
	}
	p->connects++;
	p->state = PEER_CONNECTING;
}

static void retry_cb(struct loop_timer *t)
{
	struct sync_peer *p = t->data;

	if (p->state != PEER_IDLE)
		return;
	if (p->connects_out) {
		peer_connect(p);
	} else if (!p->warned_uncalled) {
		/*
		 * We wait to be called (the lower address calls): say so when
		 * it does not come, rather than wait in silence (a peer whose
		 * configuration does not name us alike decides it waits too).
		 */
		p->warned_uncalled = true;
		log_msg(LOG_WARNING,
			"sync: %s has not called for %u ms (it calls: its "
			"address is the lower); is its configuration of us "
			"the mirror of ours?",
			peer_name(p), 3 * p->s->cfg.dead_ms);
		peer_event(p, "not-called", NULL);
	}
}

/*
 * The connection is over: everything of ours stays retained for the
 * resume, a bulk being received leaves the marks it set. The caller
 * side calls again after a backoff; the other waits to be called.
 */
static void peer_down(struct sync_peer *p, const char *why)
{
	struct sync *s = p->s;
	bool was_up = p->state == PEER_UP;

	if (p->conn) {
		sync_tls_conn_free(p->conn);
		p->conn = NULL;
	}
	if (p->state != PEER_IDLE)
		log_msg(was_up ? LOG_WARNING : LOG_INFO, "sync: %s down: %s",
			peer_name(p), why);
	if (was_up)
		peer_event(p, "down", json_pack("{s:s}", "reason", why));
	p->state = PEER_IDLE;
	/* (a bulk download being sent goes on after a resume) */
	unmark(p);
	loop_timer_cancel(s->host.loop, &p->tick);
	loop_timer_cancel(s->host.loop, &p->bulk_timer);
	if (p->connects_out && !loop_timer_armed(&p->retry)) {
		uint32_t delay = 0;

		/*
		 * A path at fault: the next one at once (a failed link must
		 * not cost a backoff), backing off once every path failed in
		 * a row. Anything else (the peer closed, a protocol error,
		 * an operator's reconnect): the same path, after a backoff.
		 */
		if (p->path_failed && p->n_addrs > 1)
			set_path(p, (p->path + 1) % p->n_addrs);
		if (!p->path_failed || ++p->failed_paths >= p->n_addrs) {
			uint32_t jitter = p->backoff_ms / 4;

			p->failed_paths = 0;
			delay = p->backoff_ms +
				(jitter ? (uint32_t)random() % jitter : 0);
			p->backoff_ms =
				p->backoff_ms * 2 > SYNC_BACKOFF_MAX_MS ?
					SYNC_BACKOFF_MAX_MS :
					p->backoff_ms * 2;
		}
		loop_timer_arm(s->host.loop, &p->retry, delay);
	} else if (!p->connects_out && !loop_timer_armed(&p->retry)) {
		/* waiting to be called: a warning if it does not come */
		p->warned_uncalled = false;
		loop_timer_arm(s->host.loop, &p->retry, 3 * s->cfg.dead_ms);
	}
	p->path_failed = false;
}

/* A peer's BULK_REQUEST waiting for its turn: now, if it has come. */
static void serve_bulk_request(struct sync_peer *p)
{
	if (our_mode(p->s) == SYNC_MODE_PHYSICAL && p->role == SYNC_ROLE_ACTIVE)
		p->bulk_request_pending = false; /* it leads now */
	if (!p->bulk_request_pending || p->bulk_active || !we_lead(p->s) ||
	    (p->bulk_request_ms &&
	     loop_now_ms() - p->bulk_request_ms < SYNC_BULK_REQUEST_MIN_MS))
		return;
	p->bulk_request_pending = false;
	bulk_start(p, p->bulk_request_pending_id);
}

/* Keepalive and dead interval; a deferred download. */
static void tick_cb(struct loop_timer *t)
{
	struct sync_peer *p = t->data;
	struct sync *s = p->s;
	uint64_t now = loop_now_ms();

	if (p->state < PEER_HELLO)
		return;
	if (now - p->last_rx_ms >= s->cfg.dead_ms) {
		p->path_failed = true;
		peer_down(p, "dead interval: the peer went silent");
		return;
	}
	if (now - p->last_tx_ms >= s->cfg.keepalive_ms)
		send_ack(p);
	/* evictions since: the floor rose (a download sends its own) */
	if (p->state == PEER_UP && we_lead(s) && !p->bulk_active)
		send_floor(p, false);
	serve_bulk_request(p);
	loop_timer_arm(s->host.loop, &p->tick, s->cfg.keepalive_ms / 2 ?: 1);
}

/* A bulk download paused (a full queue, or its rate): go on. */
static void bulk_timer_cb(struct loop_timer *t)
{
	struct sync_peer *p = t->data;

	if (p->s->cfg.rate)
		p->bulk_budget = p->s->cfg.rate / (1000 / SYNC_BULK_TICK_MS) ?:
									       1;
	bulk_continue(p);
}

static void listen_cb(struct loop_io *io, uint32_t events)
{
	struct sync *s = io->data;
	struct sync_tls_conn_cfg cfg = {
		.ops = &conn_ops,
		.out_high = SYNC_QUEUE_MAX,
		.out_low = SYNC_QUEUE_MAX / 2,
		.in_max = 2 * SYNC_FRAME_BUF,
	};
	struct sockaddr_in from;
	socklen_t flen;
	struct sync_peer *p;
	unsigned int path = 0;
	int fd;

	(void)events;
	for (;;) {
		flen = sizeof(from);
		fd = accept4(s->listen_fd, (struct sockaddr *)&from, &flen,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		p = peer_by_addr(s, from.sin_addr, &path);
		if (!p || p->connects_out) {
			s->unknown_peers++;
			log_ratelimited(LOG_WARNING,
					"sync: connection from %s refused: %s",
					inet_ntoa(from.sin_addr),
					p ? "we call that peer" : "not a peer");
			close(fd);
			continue;
		}
		/* one handshake in progress per peer and path: the newest */
		if (p->pending[path])
			sync_tls_conn_free(p->pending[path]);
		p->pending[path] = NULL;
		cfg.data = p;
		if (sync_tls_accept(&p->pending[path], s->tls, s->host.loop,
				    fd, &cfg))
			p->pending[path] = NULL;
	}
}

/*
 * Our lowest address on the peer's subnet (an interface's, up or not; the
 * lowest, as a virtual or secondary address may share the subnet); -ENOENT.
 */
static int local_addr_on_subnet(struct in_addr peer, struct in_addr *out)
{
	struct ifaddrs *ifa, *i;
	int err = -ENOENT;

	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		const struct sockaddr_in *a = (const void *)i->ifa_addr,
					 *m = (const void *)i->ifa_netmask;

		if (!a || !m || a->sin_family != AF_INET ||
		    !m->sin_addr.s_addr || m->sin_addr.s_addr == INADDR_NONE ||
		    ((a->sin_addr.s_addr ^ peer.s_addr) & m->sin_addr.s_addr))
			continue;
		if (err || ntohl(a->sin_addr.s_addr) < ntohl(out->s_addr))
			*out = a->sin_addr;
		err = 0;
	}
	freeifaddrs(ifa);
	return err;
}

/* Our address toward a peer: the one the kernel would use. */
static int local_addr_to(struct in_addr peer, uint16_t port,
			 struct in_addr *out)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port),
				  .sin_addr = peer };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len))
		err = -errno;
	else
		*out = sa.sin_addr;
	close(fd);
	return err;
}

/* ---- the service ---------------------------------------------------------- */

void sync_set_features(struct sync *s, uint16_t features)
{
	s->features = features;
}

void sync_set_role(struct sync *s, uint8_t role)
{
	bool was_active = s->role == SYNC_ROLE_ACTIVE;
	size_t i;

	if (role == s->role)
		return;
	s->role = role;
	for (i = 0; i < s->n_peers; i++) {
		struct sync_peer *p = &s->peers[i];

		if (p->state >= PEER_HELLO)
			send_hello(p); /* tells the role */
		if (role == SYNC_ROLE_ACTIVE && p->state == PEER_UP &&
		    p->role == SYNC_ROLE_ACTIVE)
			p->dual_active = true;
		else if (role != SYNC_ROLE_ACTIVE)
			p->dual_active = false;
		/*
		 * We follow now: an active's table, even one we had asked
		 * before (it became active while we were too, or we led
		 * meanwhile and our table is not its).
		 */
		if (was_active)
			p->bulk_asked = false;
		request_bulk(p);
		/* an active does not sweep what another sends it */
		if (!we_sweep(s))
			unmark(p);
	}
}

void sync_set_config(struct sync *s, const struct config *cfg)
{
	const struct config_digest *d = config_digest(cfg);
	size_t i, n = d->n_parts < SYNC_SECTIONS_MAX ? d->n_parts :
						       SYNC_SECTIONS_MAX;

	memcpy(s->digest.all, d->all, sizeof(s->digest.all));
	for (i = 0; i < n; i++)
		s->parts[i] = d->parts[i]; /* names are static */
	s->digest.parts = s->parts;
	s->digest.n_parts = n;
	s->cfg.rate = config_redundancy(cfg)->rate;
	s->cfg.keepalive_ms = config_redundancy(cfg)->keepalive_ms;
	s->cfg.dead_ms = config_redundancy(cfg)->dead_ms;
}

void sync_reconnect(struct sync *s)
{
	size_t i;

	for (i = 0; i < s->n_peers; i++)
		if (s->peers[i].state != PEER_IDLE)
			peer_down(&s->peers[i], "reconnect asked");
}

static int listen_on(struct sync *s)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(s->cfg.port),
		.sin_addr = s->local,
	};
	int one = 1;

	s->listen_fd =
		socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0)
		return -errno;
	/* a restart must not wait out TIME_WAIT of the last life's */
	setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(s->listen_fd, 16))
		return -errno;
	return loop_io_add(s->host.loop, &s->listen_io, s->listen_fd, EPOLLIN,
			   listen_cb, s);
}

/* A peer whose addrs are set: the rest, and it counts among s's peers. */
static int peer_init(struct sync *s, struct sync_peer *p, uint64_t epoch)
{
	p->s = s;
	p->up_path = -1;
	set_path(p, 0);
	p->backoff_ms = SYNC_BACKOFF_MIN_MS;
	loop_timer_init(&p->retry, retry_cb, p);
	loop_timer_init(&p->tick, tick_cb, p);
	loop_timer_init(&p->bulk_timer, bulk_timer_cb, p);
	/* a new epoch per life (and a distinct one per peer) */
	sync_out_init(&p->out, (epoch + s->n_peers) ?: 1,
		      (size_t)s->cfg.retain_kib * 1024);
	sync_in_init(&p->in);
	p->pend_buf = malloc(SYNC_FRAME_BUF);
	if (!p->pend_buf)
		return -ENOMEM;
	s->n_peers++;
	return 0;
}

int sync_new(struct sync **sp, const struct sync_host *host,
	     const struct config *cfg, struct in_addr local, uint32_t node_id)
{
	struct sync_tls_key *keys = NULL;
	struct sync *s;
	uint64_t epoch;
	size_t i, n = 0, n_keys = 0;
	int err;

	*sp = NULL;
	for (i = 0; i < cfg->n_ha_ha; i++)
		n += cfg->ha_ha[i].match == CONFIG_MATCH_ADDR &&
		     cfg->ha_ha[i].range.first == cfg->ha_ha[i].range.last;
	if (!n)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	keys = calloc(cfg->n_ha_ha, sizeof(*keys));
	if (!s || !keys) {
		free(s);
		free(keys);
		return -ENOMEM;
	}
	s->host = *host;
	s->cfg = *config_redundancy(cfg);
	/* (the configuration's, which a reload frees: read here only) */
	s->cfg.paths = NULL;
	s->cfg.n_paths = 0;
	sync_set_config(s, cfg);
	s->node_id = s->cfg.node_id ?: node_id;
	s->features = SYNC_FEATURES;
	s->local = local;
	s->listen_fd = -1;
	if (cfg->standby_group)
		snprintf(s->group, sizeof(s->group), "%s", cfg->standby_group);
	loop_timer_init(&s->flush, flush_cb, s);
	s->peers = calloc(n, sizeof(*s->peers));
	s->frame = malloc(SYNC_FRAME_BUF);
	err = s->peers && s->frame ? 0 : -ENOMEM;
	if (!err && RAND_bytes((uint8_t *)&epoch, sizeof(epoch)) != 1)
		err = -EIO;
	/*
	 * Only the keys of peers (one address each) go to TLS, each SPI
	 * once (the configuration checked that an SPI on several addresses
	 * has one key: one peer on several paths).
	 */
	for (i = 0; !err && i < cfg->n_ha_ha; i++) {
		const struct config_sa *sa = &cfg->ha_ha[i];
		size_t k;

		if (sa->match != CONFIG_MATCH_ADDR ||
		    sa->range.first != sa->range.last)
			continue;
		for (k = 0; k < n_keys && keys[k].spi != sa->key.spi; k++)
			;
		if (k == n_keys)
			keys[n_keys++] = (struct sync_tls_key){
				sa->key.spi, sa->key.key, sa->key.key_len
			};
	}
	if (!err)
		err = sync_tls_ctx_new(&s->tls, keys, n_keys);
	/*
	 * The peers: one per redundancy paths string (its addresses in the
	 * order given), then one per other address; a second SA of an
	 * address is one more key (a rollover).
	 */
	for (i = 0; !err && i < config_redundancy(cfg)->n_paths; i++) {
		const struct config_sync_paths *g =
			&config_redundancy(cfg)->paths[i];
		struct sync_peer *p = &s->peers[s->n_peers];

		memcpy(p->addrs, g->addrs, g->n * sizeof(g->addrs[0]));
		p->n_addrs = g->n;
		err = peer_init(s, p, epoch);
	}
	for (i = 0; !err && i < cfg->n_ha_ha; i++) {
		const struct config_sa *sa = &cfg->ha_ha[i];
		struct sync_peer *p = &s->peers[s->n_peers], *q;
		struct in_addr a;

		if (sa->match != CONFIG_MATCH_ADDR ||
		    sa->range.first != sa->range.last)
			continue;
		a.s_addr = htonl(sa->range.first);
		q = peer_by_addr(s, a, NULL);
		if (!q) {
			p->addrs[0] = a;
			p->n_addrs = 1;
			err = peer_init(s, p, epoch);
			q = p;
		}
		if (!err && !peer_spi_ok(q, sa->key.spi) &&
		    q->n_spis < sizeof(q->spis) / sizeof(q->spis[0]))
			q->spis[q->n_spis++] = sa->key.spi;
		if (!q->spi)
			q->spi = sa->key.spi; /* the key we call with */
	}
	/*
	 * Who calls: the side whose lowest address toward the pair is the
	 * lower, so both sides agree on one connection per pair. Ours on
	 * each path is the address we hold on the peer's subnet (whether its
	 * link is up or not, so a link down at start changes nothing), else
	 * the kernel's choice of route.
	 */
	for (i = 0; !err && i < s->n_peers; i++) {
		struct sync_peer *p = &s->peers[i];
		uint32_t ours = UINT32_MAX, theirs = UINT32_MAX;
		unsigned int j;

		for (j = 0; j < p->n_addrs; j++) {
			struct in_addr o = local;

			if (!o.s_addr && local_addr_on_subnet(p->addrs[j], &o) &&
			    local_addr_to(p->addrs[j], s->cfg.port, &o))
				o.s_addr = 0;
			if (o.s_addr && ntohl(o.s_addr) < ours)
				ours = ntohl(o.s_addr);
			if (ntohl(p->addrs[j].s_addr) < theirs)
				theirs = ntohl(p->addrs[j].s_addr);
		}
		if (ours == UINT32_MAX)
			ours = 0; /* no address toward it yet: as before, we call */
		p->connects_out = ours < theirs;
		if (!s->node_id)
			s->node_id = ours;
	}
	if (keys) {
		/* (pointers to the configuration's keys, not the keys) */
		memset(keys, 0, cfg->n_ha_ha * sizeof(*keys));
		free(keys);
	}
	if (!err)
		err = binding_store_observe(s->host.store, observe, s);
	if (!err)
		err = listen_on(s);
	if (err) {
		sync_free(s);
		return err;
	}
	/* callers call now; the others warn if no call comes */
	for (i = 0; i < s->n_peers; i++)
		loop_timer_arm(s->host.loop, &s->peers[i].retry,
			       s->peers[i].connects_out ? 0 :
							  3 * s->cfg.dead_ms);
	*sp = s;
	return 0;
}

void sync_free(struct sync *s)
{
	size_t i;
	unsigned int j;

	if (!s)
		return;
	binding_store_unobserve(s->host.store, observe, s);
	for (i = 0; i < s->n_peers; i++) {
		struct sync_peer *p = &s->peers[i];

		if (p->conn)
			sync_tls_conn_free(p->conn);
		for (j = 0; j < p->n_addrs; j++)
			if (p->pending[j])
				sync_tls_conn_free(p->pending[j]);
		loop_timer_cancel(s->host.loop, &p->retry);
		loop_timer_cancel(s->host.loop, &p->tick);
		loop_timer_cancel(s->host.loop, &p->bulk_timer);
		sync_out_fini(&p->out);
		free(p->pend_buf);
	}
	loop_timer_cancel(s->host.loop, &s->flush);
	if (s->listen_fd >= 0) {
		loop_io_del(s->host.loop, &s->listen_io);
		close(s->listen_fd);
	}
	if (s->tls)
		sync_tls_ctx_free(s->tls);
	free(s->peers);
	free(s->frame);
	apply_scratch_free(s);
	free(s);
}

/* ---- inspection ----------------------------------------------------------- */

static const char *state_str(enum peer_state st)
{
	static const char *const names[] = { "idle", "connecting", "hello",
					     "up" };

	return names[st];
}

int sync_handover_ready(const struct sync *s, uint64_t since_ms,
			const char **why)
{
	bool standby = false;
	size_t i;

	if (our_mode(s) == SYNC_MODE_VIRTUAL) {
		*why = "virtual-network mode: every home agent is active";
		return -EOPNOTSUPP;
	}
	if (s->role != SYNC_ROLE_ACTIVE) {
		*why = "this home agent is not the active one";
		return -EPERM;
	}
	for (i = 0; i < s->n_peers; i++) {
		const struct sync_peer *p = &s->peers[i];

		if (p->state != PEER_UP)
			continue;
		if (p->bulk_active) {
			*why = "a bulk download to a peer is still running";
			return -EAGAIN;
		}
		if (p->pend_open || sync_out_lag(&p->out)) {
			*why = "a peer has not acknowledged every binding yet";
			return -EAGAIN;
		}
		if (p->role != SYNC_ROLE_STANDBY)
			continue;
		if (p->mismatch) {
			/* it refuses what its configuration lacks */
			*why = "the standby's configuration differs from ours";
			return -EAGAIN;
		}
		/* a standby that died keeps its connection up to "dead" */
		if (p->last_rx_ms < since_ms) {
			*why = "the standby has not been heard from since the "
			       "switchover began";
			return -EAGAIN;
		}
		standby = true;
	}
	if (!standby) {
		*why = "no standby peer connected";
		return -EAGAIN;
	}
	return 0;
}

/* Every address of the peer, the path in use first. */
static json_t *paths_json(const struct sync_peer *p)
{
	json_t *a = json_array();
	char name[INET_ADDRSTRLEN];
	unsigned int i;

	for (i = 0; a && i < p->n_addrs; i++) {
		inet_ntop(AF_INET, &p->addrs[(p->path + i) % p->n_addrs], name,
			  sizeof(name));
		json_array_append_new(a, json_string(name));
	}
	return a;
}

/* The peer's addresses where an HSRP group of ours hears it now. */
static json_t *heard_json(const struct sync_peer *p)
{
	const struct sync_host *h = &p->s->host;
	json_t *a = json_array();
	char name[INET_ADDRSTRLEN];
	unsigned int i;

	for (i = 0; a && h->hears && i < p->n_addrs; i++) {
		if (!h->hears(h->ctx, p->addrs[i]))
			continue;
		inet_ntop(AF_INET, &p->addrs[i], name, sizeof(name));
		json_array_append_new(a, json_string(name));
	}
	return a;
}

json_t *sync_json(const struct sync *s)
{
	json_t *o = json_object(), *peers = json_array();
	const struct sync_tls_stats *ts;
	size_t i;

	if (!o || !peers) {
		json_decref(o);
		json_decref(peers);
		return NULL;
	}
	json_object_set_new(o, "node_id", json_integer(s->node_id));
	json_object_set_new(o, "mode", json_string(sync_mode_str(our_mode(s))));
	json_object_set_new(o, "role", json_string(sync_role_str(s->role)));
	json_object_set_new(o, "unknown_peers",
			    json_integer((json_int_t)s->unknown_peers));
	for (i = 0; i < s->n_peers; i++) {
		const struct sync_peer *p = &s->peers[i];
		json_t *j = json_pack(
			"{s:s, s:b, s:s, s:s, s:I, s:s, s:I, s:I, s:I, s:I, "
			"s:I, s:I, s:I, s:I, s:b, s:s, s:I, s:I, s:I, s:I}",
			"address", peer_name(p), "connected",
			p->state == PEER_UP, "state", state_str(p->state),
			"tls",
			p->conn && p->state >= PEER_HELLO ?
				sync_tls_conn_cipher(p->conn) :
				"",
			"node_id", (json_int_t)p->node_id, "role",
			sync_role_str(p->role), "sent", (json_int_t)p->sent,
			"received", (json_int_t)p->received, "applied",
			(json_int_t)p->applied, "acked",
			(json_int_t)p->out.acked, "lag",
			(json_int_t)sync_out_lag(&p->out), "resyncs",
			(json_int_t)p->resyncs, "skipped",
			(json_int_t)p->skipped, "refused",
			(json_int_t)p->refused, "config_mismatch", p->mismatch,
			"config_differs", p->mismatch_parts, "auth_failures",
			(json_int_t)p->auth_failures, "bulks_sent",
			(json_int_t)p->bulks_sent, "bulks_received",
			(json_int_t)p->bulks_received, "last_bulk_ms",
			(json_int_t)p->last_bulk_ms);

		if (!j)
			continue;
		json_object_set_new(j, "addresses", paths_json(p));
		json_object_set_new(j, "heard", heard_json(p));
		json_object_set_new(j, "path_changes",
				    json_integer((json_int_t)p->path_changes));
		json_object_set_new(j, "connections",
				    json_integer((json_int_t)p->connects));
		/* a download going out: how far it got */
		json_object_set_new(j, "bulk_sending",
				    json_boolean(p->bulk_active));
		json_object_set_new(j, "bulk_sending_sent",
				    json_integer((json_int_t)p->bulk_sent));
		json_object_set_new(
			j, "last_bulk_bindings",
			json_integer((json_int_t)p->last_bulk_count));
		json_object_set_new(j, "features",
				    json_integer((json_int_t)p->features));
		json_object_set_new(j, "heals",
				    json_integer((json_int_t)p->heals));
		/* replay marks of nodes without a binding, in downloads */
		json_object_set_new(
			j, "replay_sent",
			json_integer((json_int_t)p->bulk_replay_sent));
		json_object_set_new(j, "replay_received",
				    json_integer((json_int_t)p->replay_applied));
		/* replay cache floors: NTP timestamps in hex, "0": none */
		json_object_set_new(j, "replay_floor_sent",
				    json_sprintf("%llx", (unsigned long long)
							       p->floor_sent));
		json_object_set_new(j, "replay_floor_received",
				    json_sprintf("%llx",
						 (unsigned long long)
							 p->floor_received));
		json_object_set_new(
			j, "bulk_requests_ignored",
			json_integer((json_int_t)p->bulk_requests_ignored));
		json_array_append_new(peers, j);
	}
	json_object_set_new(o, "peers", peers);
	/* every connection's, the closed ones too (benchmarks, lag) */
	ts = sync_tls_ctx_stats(s->tls);
	json_object_set_new(o, "tls",
			    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
				      "handshakes", (json_int_t)ts->handshakes,
				      "auth_failures",
				      (json_int_t)ts->hs_auth_failures,
				      "bytes_out", (json_int_t)ts->bytes_out,
				      "bytes_in", (json_int_t)ts->bytes_in,
				      "wire_out", (json_int_t)ts->wire_out,
				      "wire_in", (json_int_t)ts->wire_in));
	return o;
}

void sync_totals(const struct sync *s, struct sync_totals *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < s->n_peers; i++) {
		const struct sync_peer *p = &s->peers[i];

		t->sent += p->sent;
		t->received += p->received;
		t->applied += p->applied;
		t->acked += p->out.acked;
		t->lag += sync_out_lag(&p->out);
		t->resyncs += p->resyncs;
		t->refused += p->refused;
		t->connected += p->state == PEER_UP;
		t->mismatched += p->mismatch;
	}
}

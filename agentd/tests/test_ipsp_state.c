// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of ipsp_state.c, the IP Pool Sharing Protocol's state machine
 * (seed 004): two home agents in one process, each with its configuration,
 * pool set, binding store and ipsp_state, wired back to back: a frame one
 * sends is queued and pump() hands it to the other's ipsp_state_frame().
 * Binding releases the primary asks for are completed by the test (as the
 * service would: the store's binding removed with its address kept, then
 * ipsp_state_release_done()). Registrations are hand-made struct reg_txn
 * driven through the allocator ipsp_state_allocator() gives.
 *
 * Covered: the secondary's lock at start; HELLOs, claims, the first block;
 * handoffs (the same NAI, another NAI, a free address); all-free and the
 * change of roles; check-config; the dead interval; GOING_DOWN both ways;
 * both primary on reconnection (claims newer / older / another node's);
 * protocol errors; keepalives; the JSON view. After every step no address
 * is bound at both home agents, and when both are up and settled every
 * pool address is usable at exactly one of them. Also: a partition that
 * heals, a dead interval on a live connection, a request crossing
 * ALL_FREE (each loses no address, keeps one primary, breaks nothing).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <jansson.h>

#include "binding_store.h"
#include "config.h"
#include "config_ipsp.h"
#include "ipsp_msg.h"
#include "ipsp_state.h"
#include "loop.h"
#include "pool.h"
#include "reg_pipeline.h"

#define KEY16	"00112233445566778899aabbccddeeff"
#define P_ADDR	"192.168.50.1"
#define S_ADDR	"192.168.50.2"
#define RANGE	"10.30.0.1 10.30.0.16"
#define POOL_N	16
#define BLOCK	4
#define DEAD_S	3
#define T0	1000000ULL

/* ---- the fixture ---------------------------------------------------------- */

struct qframe {
	struct qframe *next;
	size_t len;
	uint8_t buf[];
};

struct done {
	struct reg_txn *t;
	int err;
	struct in_addr addr;
};

struct fix;

struct ha {
	const char *name;
	struct fix *f;
	struct ha *peer;
	struct config *cfg;
	struct config *cfg_reloaded; /* a reload's, set by the test */
	struct pool_set *pools;
	struct binding_store *st;
	struct ipsp_state *ip;
	struct reg_allocator alloc;
	/* frames sent, not delivered yet */
	struct qframe *q, **qt;
	/* the type of every frame sent */
	uint8_t sent[1024];
	size_t n_sent;
	/* addresses (10.30.0.i: [i]) in OK GRANTs received */
	bool granted[POOL_N + 1];
	/* ipsp_state_frame()'s errors here */
	unsigned int frame_errs;
	int last_err;
	const char *last_why;
	/* release_binding() */
	struct in_addr rel[64];
	size_t n_rel;
	int rel_ret;
	/* alloc_done() */
	struct done done[64];
	size_t n_done;
	/* events, with their fields */
	char ev[64][24];
	json_t *ev_fields[64];
	size_t n_ev;
	unsigned int kicks;
	const char *close_asked; /* the state machine asked to close */
	int fail_type; /* sends of this frame type fail (-ENOBUFS) */
};

struct fix {
	struct loop *l;
	struct ha p, s; /* configured primary, configured secondary */
	uint64_t now;
	struct reg_txn *txns[64];
	size_t n_txns;
	/* addresses allowed bound at both (a conflict set up on purpose) */
	struct in_addr except[8];
	size_t n_except;
};

static struct in_addr A(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* 10.30.0.i */
static struct in_addr pa(unsigned int i)
{
	struct in_addr a = { htonl(0x0a1e0000u + i) };

	return a;
}

/* i of 10.30.0.i, 0 if not in the pool */
static unsigned int pidx(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return h > 0x0a1e0000u && h <= 0x0a1e0000u + POOL_N ?
		       h - 0x0a1e0000u :
		       0;
}

/* ---- ops ---------------------------------------------------------------- */

static int op_send(void *ctx, const uint8_t *buf, size_t len)
{
	struct ha *h = ctx;
	struct qframe *q;

	if (h->fail_type && buf[1] == h->fail_type)
		return -ENOBUFS;
	q = malloc(sizeof(*q) + len);

	assert_non_null(q);
	assert_true(len >= IPSP_HDR_LEN);
	q->next = NULL;
	q->len = len;
	memcpy(q->buf, buf, len);
	*h->qt = q;
	h->qt = &q->next;
	assert_true(h->n_sent < sizeof(h->sent));
	h->sent[h->n_sent++] = buf[1];
	return 0;
}

static int op_release(void *ctx, struct in_addr a)
{
	struct ha *h = ctx;

	if (h->rel_ret)
		return h->rel_ret;
	assert_true(h->n_rel < 64);
	h->rel[h->n_rel++] = a;
	return 0;
}

static void op_alloc_done(void *ctx, struct reg_txn *t, int err,
			  struct in_addr addr)
{
	struct ha *h = ctx;

	assert_true(h->n_done < 64);
	h->done[h->n_done++] = (struct done){ t, err, addr };
}

static void op_event(void *ctx, const char *what, json_t *fields)
{
	struct ha *h = ctx;

	assert_true(h->n_ev < 64);
	snprintf(h->ev[h->n_ev], sizeof(h->ev[0]), "%s", what);
	h->ev_fields[h->n_ev] = fields ? json_incref(fields) : NULL;
	h->n_ev++;
}

static void op_kick(void *ctx)
{
	((struct ha *)ctx)->kicks++;
}

/* The service would close the connection from the loop: pump_raw() does. */
static void op_close(void *ctx, const char *why)
{
	struct ha *h = ctx;

	h->close_asked = why;
}

static const struct ipsp_state_ops ops = {
	.send = op_send,
	.release_binding = op_release,
	.alloc_done = op_alloc_done,
	.event = op_event,
	.kick = op_kick,
	.close = op_close,
};

static int no_expire(void *ctx, const struct binding_rec *rec)
{
	(void)ctx;
	(void)rec;
	return -EBUSY;
}

/* ---- set up --------------------------------------------------------------- */

/*
 * A home agent's file: self its address, peer_kw "primary" / "secondary"
 * (the PEER's role), mode, pool p's range, and more sections (extra).
 */
static struct config *ha_config_x(const char *self, const char *peer_kw,
				  const char *peer, const char *mode,
				  const char *range, const char *extra)
{
	char text[4096], err[512];
	struct config *c = NULL;
	int n;

	n = snprintf(text, sizeof(text),
		     "home-agent {\n address = %s\n}\n"
		     "pool \"p\" {\n range = { \"%s\" }\n}\n"
		     "virtual-network \"10.30.0.0 255.255.0.0\" {}\n"
		     "host \"nai @example.net\" {\n pool = p\n"
		     " virtual-network = \"10.30.0.0 255.255.0.0\"\n}\n"
		     "secure-host \"nai @example.net\" {\n spi = 0x100\n"
		     " key = \"" KEY16 "\"\n}\n"
		     "secure-home-agent \"%s\" {\n spi = 0x200\n"
		     " key = \"" KEY16 "\"\n}\n"
		     "ipsp {\n %s = %s\n mode = %s\n dead-interval = %d\n"
		     " block = %d\n}\n%s",
		     self, range, peer, peer_kw, peer, mode, DEAD_S, BLOCK,
		     extra);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	if (config_parse_text("ipsp.conf", text, (size_t)n, &c, err,
			      sizeof(err)))
		fail_msg("%s", err);
	assert_non_null(config_ipsp(c));
	return c;
}

static struct config *ha_config(const char *self, const char *peer_kw,
				const char *peer, const char *mode,
				const char *range)
{
	return ha_config_x(self, peer_kw, peer, mode, range, "");
}

static void ha_state(struct ha *h)
{
	assert_int_equal(ipsp_state_new(&h->ip, h->cfg, h->pools, h->st, &ops,
					h, h->f->now),
			 0);
	ipsp_state_allocator(h->ip, &h->alloc);
	assert_non_null(h->alloc.ops);
}

static void ha_start(struct fix *f, struct ha *h, const char *name,
		     struct config *cfg)
{
	const struct binding_store_ops bops = { .expire = no_expire };

	h->name = name;
	h->f = f;
	h->peer = h == &f->p ? &f->s : &f->p;
	h->cfg = cfg;
	h->qt = &h->q;
	h->pools = pool_set_new(cfg);
	assert_non_null(h->pools);
	assert_int_equal(binding_store_new(&h->st, f->l, h->pools, 64, &bops,
					   NULL),
			 0);
	ha_state(h);
}

/* Both: their modes and ranges. */
static void start(struct fix *f, const char *p_mode, const char *p_range,
		  const char *s_mode, const char *s_range)
{
	ha_start(f, &f->p, "P",
		 ha_config(P_ADDR, "secondary", S_ADDR, p_mode, p_range));
	ha_start(f, &f->s, "S",
		 ha_config(S_ADDR, "primary", P_ADDR, s_mode, s_range));
}

static void start_active(struct fix *f)
{
	start(f, "active", RANGE, "active", RANGE);
}

static void drop_queue(struct ha *h)
{
	struct qframe *q;

	while ((q = h->q)) {
		h->q = q->next;
		free(q);
	}
	h->qt = &h->q;
}

static void ha_stop(struct ha *h)
{
	size_t i;

	drop_queue(h);
	ipsp_state_free(h->ip);
	h->ip = NULL;
	binding_store_free(h->st);
	pool_set_free(h->pools);
	config_free(h->cfg);
	config_free(h->cfg_reloaded);
	for (i = 0; i < h->n_ev; i++)
		json_decref(h->ev_fields[i]);
	h->n_ev = 0;
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(loop_new(&f->l), 0);
	f->now = T0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	size_t i;

	if (f->p.cfg)
		ha_stop(&f->p);
	if (f->s.cfg)
		ha_stop(&f->s);
	for (i = 0; i < f->n_txns; i++)
		free(f->txns[i]);
	loop_free(f->l);
	free(f);
	return 0;
}

/*
 * h restarts: its IPSP state, pools and store are gone; the bindings come
 * back (recovered from the kernel) with their addresses reserved.
 */
static void ha_restart(struct ha *h)
{
	const struct binding_store_ops bops = { .expire = no_expire };
	const struct binding_table *t = binding_store_table(h->st);
	struct binding_store *st;
	struct pool_set *pools;
	const struct reg_binding *b;
	size_t i;

	drop_queue(h);
	ipsp_state_free(h->ip);
	h->ip = NULL;
	pools = pool_set_new(h->cfg);
	assert_non_null(pools);
	assert_int_equal(binding_store_new(&st, h->f->l, pools, 64, &bops,
					   NULL),
			 0);
	for (i = 0; i < binding_table_buckets(t); i++)
		for (b = binding_table_bucket(t, i); b; b = b->next_addr) {
			struct binding_rec r;

			binding_store_rec(b, &r);
			r.version = 0;
			r.pool = binding_store_pool_reserve(st, "p",
							    r.home_addr);
			assert_non_null(r.pool);
			assert_int_equal(binding_store_upsert(
						 st, &r, BINDING_CAUSE_RECOVERED),
					 0);
		}
	binding_store_free(h->st);
	pool_set_free(h->pools);
	h->st = st;
	h->pools = pools;
	ha_state(h);
}

/* ---- the wire --------------------------------------------------------------- */

static void note_rx(struct ha *to, const uint8_t *buf, size_t len)
{
	struct ipsp_frame fr;
	struct ipsp_range rg;
	uint16_t k;
	uint32_t a;

	if (ipsp_frame_decode(buf, len, &fr) || fr.hdr.type != IPSP_GRANT ||
	    fr.u.grant.status != IPSP_OK)
		return;
	for (k = 0; k < fr.u.grant.n_ranges; k++) {
		ipsp_grant_range(&fr.u.grant, k, &rg);
		for (a = ntohl(rg.first.s_addr); a <= ntohl(rg.last.s_addr);
		     a++) {
			unsigned int i = pidx((struct in_addr){ htonl(a) });

			if (i)
				to->granted[i] = true;
		}
	}
}

/* The first frame from sent to its peer. false: none queued. */
static bool deliver_one(struct ha *from)
{
	struct qframe *q = from->q;
	struct ha *to = from->peer;
	const char *why = NULL;
	int err;

	if (!q)
		return false;
	from->q = q->next;
	if (!from->q)
		from->qt = &from->q;
	note_rx(to, q->buf, q->len);
	err = ipsp_state_frame(to->ip, q->buf, q->len, to->f->now, &why);
	if (err) {
		to->frame_errs++;
		to->last_err = err;
		to->last_why = why;
	}
	free(q);
	return true;
}

/* Every queued frame delivered, one each way in turn. */
static void disconnect_both(struct fix *f);

static void pump_raw(struct fix *f)
{
	bool any;

	do {
		any = deliver_one(&f->p);
		any |= deliver_one(&f->s);
		if (f->p.close_asked || f->s.close_asked) {
			/* one side closed: both see the connection go */
			f->p.close_asked = f->s.close_asked = NULL;
			disconnect_both(f);
			any = false;
		}
	} while (any);
}

static void pump(struct fix *f)
{
	unsigned int pe = f->p.frame_errs, se = f->s.frame_errs;

	pump_raw(f);
	if (f->p.frame_errs != pe || f->s.frame_errs != se)
		fail_msg("a protocol error: P %s, S %s",
			 f->p.last_why ?: "-", f->s.last_why ?: "-");
}

/* The releases h was asked for, done as the service does. */
static bool complete_releases(struct ha *h)
{
	struct in_addr rel[64];
	size_t i, n = h->n_rel;

	memcpy(rel, h->rel, n * sizeof(rel[0]));
	h->n_rel = 0;
	for (i = 0; i < n; i++) {
		assert_int_equal(binding_store_remove(h->st, rel[i],
						      BINDING_CAUSE_TAKEN_OVER,
						      BINDING_KEEP_ADDR),
				 0);
		ipsp_state_release_done(h->ip, rel[i], 0);
	}
	return n;
}

static bool bound(const struct ha *h, struct in_addr a)
{
	return binding_store_find_addr(h->st, a);
}

/* Usable here: bound here, or free in the pool. */
static bool owns(const struct ha *h, struct in_addr a)
{
	return bound(h, a) || !pool_in_use(h->pools, a);
}

/* Busied out here: reserved, and no binding holds it. */
static bool busy(const struct ha *h, struct in_addr a)
{
	return pool_in_use(h->pools, a) && !bound(h, a);
}

/* The invariant: no address bound at both (but f->except). */
static void check_bound_once(struct fix *f)
{
	unsigned int i;
	size_t k;

	for (i = 1; i <= POOL_N; i++) {
		bool ok = false;

		if (!bound(&f->p, pa(i)) || !bound(&f->s, pa(i)))
			continue;
		for (k = 0; k < f->n_except; k++)
			ok |= f->except[k].s_addr == pa(i).s_addr;
		if (!ok)
			fail_msg("10.30.0.%u is bound at both", i);
	}
}

/* Both up, settled, nothing in flight: every address is one side's. */
static void check_owned_once(struct fix *f)
{
	unsigned int i;

	for (i = 1; i <= POOL_N; i++)
		if (owns(&f->p, pa(i)) + owns(&f->s, pa(i)) != 1)
			fail_msg("10.30.0.%u usable at %s", i,
				 owns(&f->p, pa(i)) ? "both" : "neither");
}

/* Frames delivered and releases done until nothing moves; the invariant. */
static void settle(struct fix *f)
{
	bool more;

	do {
		pump(f);
		more = complete_releases(&f->p);
		more |= complete_releases(&f->s);
		check_bound_once(f);
	} while (more || f->p.q || f->s.q);
}

static void connect_both(struct fix *f)
{
	ipsp_state_connected(f->p.ip, f->now);
	ipsp_state_connected(f->s.ip, f->now);
	settle(f);
}

static void disconnect_both(struct fix *f)
{
	drop_queue(&f->p);
	drop_queue(&f->s);
	ipsp_state_disconnected(f->p.ip, f->now);
	ipsp_state_disconnected(f->s.ip, f->now);
	check_bound_once(f);
}

static size_t sent_count(const struct ha *h, uint8_t type)
{
	size_t i, n = 0;

	for (i = 0; i < h->n_sent; i++)
		n += h->sent[i] == type;
	return n;
}

static size_t event_count(const struct ha *h, const char *what)
{
	size_t i, n = 0;

	for (i = 0; i < h->n_ev; i++)
		n += !strcmp(h->ev[i], what);
	return n;
}

/* The fields of the last event what. */
static json_t *event_fields(const struct ha *h, const char *what)
{
	size_t i;

	for (i = h->n_ev; i-- > 0;)
		if (!strcmp(h->ev[i], what))
			return h->ev_fields[i];
	return NULL;
}

/* ---- registrations ------------------------------------------------------- */

static struct reg_txn *txn(struct fix *f, const char *nai, struct in_addr req)
{
	struct reg_txn *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	assert_true(f->n_txns < 64);
	f->txns[f->n_txns++] = t;
	t->d.host.pool = "p";
	t->req_home = req;
	if (nai) {
		t->ident_len = (uint8_t)strlen(nai);
		memcpy(t->ident, nai, t->ident_len);
	}
	return t;
}

/* alloc(), and wait() as the pipeline does on -EINPROGRESS. */
static int alloc_t(struct ha *h, struct reg_txn *t, struct in_addr *out)
{
	int ret;

	out->s_addr = 0;
	ret = h->alloc.ops->alloc(h->alloc.ctx, t, out);
	if (ret == -EINPROGRESS)
		assert_int_equal(h->alloc.ops->wait(h->alloc.ctx, t), 0);
	return ret;
}

/* A new node (no address asked for). */
static int alloc_new(struct ha *h, struct in_addr *out)
{
	return alloc_t(h, txn(h->f, "new@example.net", (struct in_addr){ 0 }),
		       out);
}

/* nai bound at a (reserved in h's pool: reserved here if not) with id. */
static void bind_at(struct ha *h, struct in_addr a, const char *nai, uint64_t id)
{
	struct binding_rec r = {
		.home_addr = a,
		.ha_addr = A(h == &h->f->p ? P_ADDR : S_ADDR),
		.coa = A("1.1.1.1"),
		.src = A("1.1.1.1"),
		.replay = { .seen = true, .last_id = id },
		.replay_method = REPLAY_TIMESTAMP,
		.granted = 600,
		.spi = 0x100,
		.nai = (const uint8_t *)nai,
		.nai_len = (uint8_t)strlen(nai),
		.pool = "p",
	};

	if (!pool_in_use(h->pools, a))
		assert_non_null(binding_store_pool_reserve(h->st, "p", a));
	assert_int_equal(binding_store_upsert(h->st, &r,
					      BINDING_CAUSE_REGISTER),
			 0);
	check_bound_once(h->f);
}

/* The node deregisters: its address goes back to h's pool. */
static void unbind(struct ha *h, struct in_addr a)
{
	assert_int_equal(binding_store_remove(h->st, a,
					      BINDING_CAUSE_DEREGISTER, 0),
			 0);
}

/* A new node registers at h and is bound: its address. */
static struct in_addr register_new(struct ha *h, const char *nai, uint64_t id)
{
	struct in_addr a;

	assert_int_equal(alloc_t(h, txn(h->f, nai, (struct in_addr){ 0 }), &a),
			 0);
	assert_true(pidx(a));
	bind_at(h, a, nai, id);
	return a;
}

/*
 * Every address h's allocator still gives (each taken back after): none
 * may be in not[] (10.30.0.i: not[i]). Returns how many.
 */
static unsigned int alloc_all(struct ha *h, const bool *not)
{
	struct in_addr got[POOL_N + 1], a;
	unsigned int n = 0, i;
	int ret;

	while (!(ret = alloc_new(h, &a))) {
		assert_true(n < POOL_N);
		assert_true(pidx(a));
		if (not && not[pidx(a)])
			fail_msg("%s allocated 10.30.0.%u", h->name, pidx(a));
		got[n++] = a;
	}
	assert_int_equal(ret, -ENOSPC);
	for (i = 0; i < n; i++)
		h->alloc.ops->release(h->alloc.ctx, got[i]);
	return n;
}

/* Connected; the secondary's first block granted. */
static void up(struct fix *f)
{
	unsigned int i, n = 0;

	connect_both(f);
	for (i = 1; i <= POOL_N; i++)
		n += f->s.granted[i];
	assert_int_equal(n, BLOCK);
	check_owned_once(f);
}

/* ---- tests ----------------------------------------------------------------- */

/* A secondary locks every pool address at start: nothing is given. */
static void test_secondary_locked_at_start(void **state)
{
	struct fix *f = *state;
	struct in_addr a;
	json_t *j;
	unsigned int i;

	start_active(f);
	for (i = 1; i <= POOL_N; i++)
		assert_true(busy(&f->s, pa(i)));
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_SECONDARY);
	assert_int_equal(alloc_new(&f->s, &a), -EAGAIN);
	assert_int_equal(ipsp_state_counters(f->s.ip)->refused_sessions, 1);
	/* a handoff cannot be asked for either: no primary */
	assert_int_equal(alloc_t(&f->s, txn(f, "n1@example.net", pa(9)), &a),
			 -EAGAIN);
	assert_int_equal(ipsp_state_counters(f->s.ip)->refused_sessions, 2);
	assert_int_equal(f->s.n_sent, 0);
	j = ipsp_state_json(f->s.ip, f->now);
	assert_true(json_is_true(json_object_get(j, "locked")));
	json_decref(j);

	/* the primary's pools are not locked; it waits for the claims */
	for (i = 1; i <= POOL_N; i++)
		assert_false(pool_in_use(f->p.pools, pa(i)));
	assert_int_equal(alloc_new(&f->p, &a), -EAGAIN);
	assert_int_equal(ipsp_state_counters(f->p.ip)->refused_sessions, 1);
}

/*
 * Connected: HELLOs, the secondary's (empty) claims make the primary ready,
 * its block request is granted; it allocates from that block alone, then
 * waits for the next; the primary never gives a granted address.
 */
static void test_connect_and_block(void **state)
{
	struct fix *f = *state;
	struct in_addr a, mine[BLOCK];
	json_t *j, *p0;
	unsigned int i, n;

	start_active(f);
	ipsp_state_connected(f->p.ip, f->now);
	ipsp_state_connected(f->s.ip, f->now);
	assert_int_equal(f->p.n_sent, 1);
	assert_int_equal(f->p.sent[0], IPSP_HELLO);
	assert_int_equal(f->s.sent[0], IPSP_HELLO);
	settle(f);
	assert_true(ipsp_state_peer_up(f->p.ip));
	assert_true(ipsp_state_peer_up(f->s.ip));
	assert_int_equal(event_count(&f->p, "peer-up"), 1);
	assert_int_equal(event_count(&f->s, "peer-up"), 1);
	/* the secondary: HELLO, HELD (its claims: none), BLOCK_REQUEST */
	assert_int_equal(f->s.n_sent, 3);
	assert_int_equal(f->s.sent[1], IPSP_HELD);
	assert_int_equal(f->s.sent[2], IPSP_BLOCK_REQUEST);
	/* the primary: HELLO, GRANT */
	assert_int_equal(f->p.n_sent, 2);
	assert_int_equal(f->p.sent[1], IPSP_GRANT);
	assert_true(f->p.kicks > 0);
	j = ipsp_state_json(f->p.ip, f->now);
	assert_true(json_is_true(json_object_get(j, "ready")));
	assert_true(json_is_true(json_object_get(j, "config_match")));
	p0 = json_array_get(json_object_get(j, "pools"), 0);
	assert_int_equal(json_integer_value(json_object_get(p0, "released")),
			 BLOCK);
	json_decref(j);
	assert_int_equal(ipsp_state_counters(f->p.ip)->block_requests, 1);
	assert_int_equal(ipsp_state_counters(f->p.ip)->grants, 1);
	assert_int_equal(ipsp_state_counters(f->s.ip)->grants, 1);
	check_owned_once(f);

	/* the block is released (busied out) at the primary */
	for (i = 1, n = 0; i <= POOL_N; i++)
		if (f->s.granted[i]) {
			n++;
			assert_true(busy(&f->p, pa(i)));
			assert_false(busy(&f->s, pa(i)));
		} else {
			assert_false(pool_in_use(f->p.pools, pa(i)));
			assert_true(busy(&f->s, pa(i)));
		}
	assert_int_equal(n, BLOCK);

	/* the secondary allocates exactly its block */
	for (i = 0; i < BLOCK; i++) {
		char nai[32];

		snprintf(nai, sizeof(nai), "s%u@example.net", i);
		mine[i] = register_new(&f->s, nai, 1);
		assert_true(f->s.granted[pidx(mine[i])]);
	}
	for (i = 0; i < BLOCK; i++)
		for (n = i + 1; n < BLOCK; n++)
			assert_int_not_equal(mine[i].s_addr, mine[n].s_addr);
	check_owned_once(f);

	/* used up: the next one waits for a second block, then gets one */
	n = (unsigned int)f->s.n_sent;
	assert_int_equal(alloc_new(&f->s, &a), -EINPROGRESS);
	assert_int_equal(f->s.n_sent, n + 1);
	assert_int_equal(f->s.sent[n], IPSP_BLOCK_REQUEST);
	assert_int_equal(f->s.n_done, 0);
	settle(f);
	assert_int_equal(f->s.n_done, 1);
	assert_int_equal(f->s.done[0].err, 0);
	assert_true(pidx(f->s.done[0].addr));
	assert_true(f->s.granted[pidx(f->s.done[0].addr)]);
	for (i = 0; i < BLOCK; i++)
		assert_int_not_equal(f->s.done[0].addr.s_addr, mine[i].s_addr);
	bind_at(&f->s, f->s.done[0].addr, "s9@example.net", 1);
	assert_int_equal(ipsp_state_counters(f->s.ip)->refused_sessions, 0);
	check_owned_once(f);
	j = ipsp_state_json(f->p.ip, f->now);
	p0 = json_array_get(json_object_get(j, "pools"), 0);
	assert_int_equal(json_integer_value(json_object_get(p0, "released")),
			 2 * BLOCK);
	json_decref(j);

	/* the primary: every address but the two blocks, never one of them */
	n = alloc_all(&f->p, f->s.granted);
	assert_int_equal(n, POOL_N - 2 * BLOCK);
	for (i = 0; i < POOL_N - 2 * BLOCK; i++) {
		char nai[32];

		snprintf(nai, sizeof(nai), "p%u@example.net", i);
		a = register_new(&f->p, nai, 1);
		assert_false(f->s.granted[pidx(a)]);
	}
	assert_int_equal(alloc_new(&f->p, &a), -ENOSPC);
	check_owned_once(f);
}

/*
 * A handoff: the node bound at the primary asks the secondary for its
 * address; the primary releases its binding, then grants the address.
 */
static void test_handoff_same_nai(void **state)
{
	struct fix *f = *state;
	struct in_addr x, a;
	struct reg_txn *t;
	bool not[POOL_N + 1] = { false };
	json_t *j, *p0;
	size_t n;

	start_active(f);
	up(f);
	x = register_new(&f->p, "n1@example.net", 100);
	assert_false(f->s.granted[pidx(x)]);
	assert_true(busy(&f->s, x));

	t = txn(f, "n1@example.net", x);
	n = f->s.n_sent;
	assert_int_equal(alloc_t(&f->s, t, &a), -EINPROGRESS);
	assert_int_equal(f->s.n_sent, n + 1);
	assert_int_equal(f->s.sent[n], IPSP_ADDR_REQUEST);
	assert_int_equal(ipsp_state_counters(f->s.ip)->addr_requests, 1);

	/* the primary asks for its binding's removal, grants nothing yet */
	pump(f);
	assert_int_equal(f->p.n_rel, 1);
	assert_int_equal(f->p.rel[0].s_addr, x.s_addr);
	assert_true(bound(&f->p, x));
	assert_int_equal(f->s.n_done, 0);
	assert_int_equal(sent_count(&f->p, IPSP_GRANT), 1);

	/* done: the address is granted, the registration answered */
	settle(f);
	assert_false(bound(&f->p, x));
	assert_int_equal(f->s.n_done, 1);
	assert_ptr_equal(f->s.done[0].t, t);
	assert_int_equal(f->s.done[0].err, 0);
	assert_int_equal(f->s.done[0].addr.s_addr, x.s_addr);
	assert_int_equal(ipsp_state_counters(f->p.ip)->handoffs, 1);
	assert_int_equal(ipsp_state_counters(f->s.ip)->handoffs, 1);
	bind_at(&f->s, x, "n1@example.net", 101);

	/* busied out at the primary: never given there again */
	assert_true(busy(&f->p, x));
	j = ipsp_state_json(f->p.ip, f->now);
	p0 = json_array_get(json_object_get(j, "pools"), 0);
	assert_int_equal(json_integer_value(json_object_get(p0, "released")),
			 BLOCK + 1);
	assert_int_equal(json_integer_value(json_object_get(p0, "used")), 0);
	json_decref(j);
	check_owned_once(f);
	not[pidx(x)] = true;
	alloc_all(&f->p, not);
	check_owned_once(f);
}

/* A handoff of an address bound at the primary to another node: refused. */
static void test_handoff_other_nai_refused(void **state)
{
	struct fix *f = *state;
	struct in_addr x, a;
	const struct reg_binding *b;
	struct reg_txn *t;

	start_active(f);
	up(f);
	x = register_new(&f->p, "n1@example.net", 100);
	t = txn(f, "n2@example.net", x);
	assert_int_equal(alloc_t(&f->s, t, &a), -EINPROGRESS);
	settle(f);
	assert_int_equal(f->p.n_rel, 0);
	assert_int_equal(f->s.n_done, 1);
	assert_ptr_equal(f->s.done[0].t, t);
	assert_int_equal(f->s.done[0].err, -EACCES);
	assert_int_equal(f->s.done[0].addr.s_addr, 0);
	assert_int_equal(ipsp_state_counters(f->p.ip)->denials, 1);
	assert_int_equal(ipsp_state_counters(f->s.ip)->denials, 1);
	assert_int_equal(ipsp_state_counters(f->s.ip)->refused_sessions, 1);
	assert_int_equal(ipsp_state_counters(f->p.ip)->handoffs, 0);
	/* the primary's binding is untouched, the address still not ours */
	b = binding_store_find_addr(f->p.st, x);
	assert_non_null(b);
	assert_int_equal(b->nai_len, 14);
	assert_memory_equal(b->nai, "n1@example.net", 14);
	assert_true(busy(&f->s, x));
	check_owned_once(f);
}

/* A handoff of an address free at the primary: granted at once. */
static void test_handoff_free_address(void **state)
{
	struct fix *f = *state;
	struct in_addr x = { 0 }, a;
	struct reg_txn *t;
	unsigned int i;
	bool not[POOL_N + 1] = { false };

	start_active(f);
	up(f);
	for (i = POOL_N; i >= 1 && !x.s_addr; i--)
		if (!f->s.granted[i])
			x = pa(i);
	assert_false(pool_in_use(f->p.pools, x));
	t = txn(f, "n1@example.net", x);
	assert_int_equal(alloc_t(&f->s, t, &a), -EINPROGRESS);
	/* one round trip: no release */
	pump(f);
	assert_int_equal(f->p.n_rel, 0);
	assert_int_equal(f->s.n_done, 1);
	assert_ptr_equal(f->s.done[0].t, t);
	assert_int_equal(f->s.done[0].err, 0);
	assert_int_equal(f->s.done[0].addr.s_addr, x.s_addr);
	assert_true(busy(&f->p, x));
	bind_at(&f->s, x, "n1@example.net", 5);
	check_owned_once(f);
	not[pidx(x)] = true;
	alloc_all(&f->p, not);
}

/*
 * All free: the primary's last binding gone, it says so, raises the event
 * and becomes the secondary; the secondary becomes the primary.
 */
static void test_all_free(void **state)
{
	struct fix *f = *state;
	struct in_addr x;
	json_t *j, *ev;
	unsigned int i, n;

	start_active(f);
	up(f);
	register_new(&f->s, "s1@example.net", 1);
	/* a primary that never held an address has nothing to hand over */
	f->now += 100;
	ipsp_state_tick(f->p.ip, f->now);
	assert_int_equal(sent_count(&f->p, IPSP_ALL_FREE), 0);
	assert_int_equal(ipsp_state_role(f->p.ip), IPSP_ROLE_PRIMARY);
	x = register_new(&f->p, "n1@example.net", 1);
	f->now += 100;
	ipsp_state_tick(f->p.ip, f->now);
	assert_int_equal(sent_count(&f->p, IPSP_ALL_FREE), 0);
	assert_false(ipsp_state_all_free(f->p.ip));
	assert_int_equal(event_count(&f->p, "all-free"), 0);

	unbind(&f->p, x);
	assert_int_equal(sent_count(&f->p, IPSP_ALL_FREE), 0);
	f->now += 100;
	ipsp_state_tick(f->p.ip, f->now);
	assert_int_equal(sent_count(&f->p, IPSP_ALL_FREE), 1);
	assert_int_equal(event_count(&f->p, "all-free"), 1);
	assert_true(ipsp_state_all_free(f->p.ip));
	assert_int_equal(ipsp_state_role(f->p.ip), IPSP_ROLE_SECONDARY);
	ev = event_fields(&f->p, "role");
	assert_non_null(ev);
	assert_string_equal(json_string_value(json_object_get(ev, "role")),
			    "secondary");
	assert_true(json_is_true(json_object_get(ev, "acting")));
	j = ipsp_state_json(f->p.ip, f->now);
	assert_true(json_is_true(json_object_get(j, "all_free")));
	assert_string_equal(json_string_value(json_object_get(j, "role")),
			    "secondary");
	json_decref(j);

	settle(f);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_PRIMARY);
	assert_int_equal(ipsp_state_counters(f->s.ip)->takeovers, 1);
	ev = event_fields(&f->s, "role");
	assert_non_null(ev);
	assert_string_equal(json_string_value(json_object_get(ev, "role")),
			    "primary");
	assert_true(json_is_true(json_object_get(ev, "acting")));
	j = ipsp_state_json(f->s.ip, f->now);
	assert_true(json_is_true(json_object_get(j, "acting")));
	json_decref(j);
	/* the new secondary asked the new primary for a block, got it */
	assert_int_equal(sent_count(&f->p, IPSP_BLOCK_REQUEST), 1);
	for (i = 1, n = 0; i <= POOL_N; i++)
		n += f->p.granted[i];
	assert_int_equal(n, BLOCK);
	check_owned_once(f);
	/* it allocates every free address, none the new secondary holds */
	n = alloc_all(&f->s, f->p.granted);
	assert_int_equal(n, POOL_N - 1 - BLOCK);
	/* a later tick changes nothing */
	f->now += 100;
	ipsp_state_tick(f->p.ip, f->now);
	ipsp_state_tick(f->s.ip, f->now);
	settle(f);
	assert_int_equal(sent_count(&f->p, IPSP_ALL_FREE), 1);
	assert_int_equal(sent_count(&f->s, IPSP_ALL_FREE), 0);
	assert_int_equal(ipsp_state_role(f->p.ip), IPSP_ROLE_SECONDARY);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_PRIMARY);
	check_owned_once(f);
}

/* check-config: differences reported, nothing locked, asked or granted. */
static void test_check_config(void **state)
{
	struct fix *f = *state;
	struct in_addr a;
	json_t *j, *diff, *ev;
	size_t i;
	bool named = false;

	start(f, "check-config", RANGE, "check-config",
	      "10.30.0.1 10.30.0.15");
	/* nothing locked */
	assert_int_equal(alloc_new(&f->s, &a), 0);
	f->s.alloc.ops->release(f->s.alloc.ctx, a);
	connect_both(f);
	assert_int_equal(f->p.n_sent, 1);
	assert_int_equal(f->s.n_sent, 1);
	assert_int_equal(f->p.sent[0], IPSP_HELLO);
	assert_int_equal(f->s.sent[0], IPSP_HELLO);
	assert_int_equal(event_count(&f->p, "config-mismatch"), 1);
	assert_int_equal(event_count(&f->s, "config-mismatch"), 1);
	ev = event_fields(&f->s, "config-mismatch");
	assert_true(json_is_array(json_object_get(ev, "differences")));

	j = ipsp_state_json(f->s.ip, f->now);
	assert_true(json_is_false(json_object_get(j, "config_match")));
	assert_string_equal(json_string_value(json_object_get(j, "mode")),
			    "check-config");
	diff = json_object_get(j, "config_diff");
	assert_true(json_array_size(diff) >= 1);
	for (i = 0; i < json_array_size(diff); i++)
		named |= strstr(json_string_value(json_array_get(diff, i)),
				"\"p\"") != NULL;
	assert_true(named);
	assert_false(json_is_true(json_object_get(j, "locked")));
	json_decref(j);

	/* both allocate as without IPSP; ticks ask for nothing */
	assert_int_equal(alloc_all(&f->s, NULL), 15);
	assert_int_equal(alloc_all(&f->p, NULL), POOL_N);
	f->now += 100;
	ipsp_state_tick(f->s.ip, f->now);
	ipsp_state_tick(f->p.ip, f->now);
	settle(f);
	assert_int_equal(sent_count(&f->s, IPSP_BLOCK_REQUEST), 0);
	assert_int_equal(sent_count(&f->s, IPSP_HELD), 0);
	assert_int_equal(sent_count(&f->p, IPSP_ALL_FREE), 0);
	assert_int_equal(ipsp_state_counters(f->s.ip)->refused_sessions, 0);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_SECONDARY);
	assert_int_equal(ipsp_state_role(f->p.ip), IPSP_ROLE_PRIMARY);
}

/* check-config with equal pools: they match, still nothing is asked. */
static void test_check_config_match(void **state)
{
	struct fix *f = *state;
	json_t *j;

	start(f, "check-config", RANGE, "check-config", RANGE);
	connect_both(f);
	j = ipsp_state_json(f->p.ip, f->now);
	assert_true(json_is_true(json_object_get(j, "config_match")));
	assert_int_equal(json_array_size(json_object_get(j, "config_diff")), 0);
	json_decref(j);
	assert_int_equal(event_count(&f->p, "config-mismatch"), 0);
	assert_int_equal(f->p.n_sent, 1);
	assert_int_equal(f->s.n_sent, 1);
	assert_int_equal(alloc_all(&f->s, NULL), POOL_N);
}

/* Active with different pools: the secondary stays locked, asks nothing. */
static void test_active_mismatch(void **state)
{
	struct fix *f = *state;
	struct in_addr a;

	start(f, "active", "10.30.0.1 10.30.0.15", "active", RANGE);
	connect_both(f);
	assert_int_equal(event_count(&f->s, "config-mismatch"), 1);
	assert_int_equal(f->p.n_sent, 1);
	assert_int_equal(f->s.n_sent, 1);
	assert_int_equal(alloc_new(&f->s, &a), -EAGAIN);
	assert_int_equal(alloc_t(&f->s, txn(f, "n1@example.net", pa(3)), &a),
			 -EAGAIN);
	assert_int_equal(f->s.n_sent, 1);
}

/* Dead interval, no address of ours: the secondary stays locked. */
static void test_dead_interval_no_address(void **state)
{
	struct fix *f = *state;
	struct in_addr a;

	start_active(f);
	f->now += DEAD_S * 1000 - 1;
	ipsp_state_tick(f->s.ip, f->now);
	f->now += 1;
	ipsp_state_tick(f->s.ip, f->now);
	f->now += 10 * DEAD_S * 1000;
	ipsp_state_tick(f->s.ip, f->now);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_SECONDARY);
	assert_int_equal(ipsp_state_counters(f->s.ip)->takeovers, 0);
	assert_int_equal(event_count(&f->s, "role"), 0);
	assert_int_equal(alloc_new(&f->s, &a), -EAGAIN);

	/* the primary alone: allocating after its dead interval */
	assert_int_equal(alloc_new(&f->p, &a), -EAGAIN);
	ipsp_state_tick(f->p.ip, f->now);
	assert_int_equal(alloc_new(&f->p, &a), 0);
	assert_int_equal(ipsp_state_role(f->p.ip), IPSP_ROLE_PRIMARY);
}

/*
 * Dead interval with a block of ours: the secondary becomes the primary
 * and un-busies every address; not a millisecond before.
 */
static void test_dead_interval_with_block(void **state)
{
	struct fix *f = *state;
	unsigned int i;

	start_active(f);
	up(f);
	register_new(&f->s, "s1@example.net", 1);
	f->now += DEAD_S * 1000 - 1;
	ipsp_state_tick(f->s.ip, f->now);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_SECONDARY);
	assert_int_equal(event_count(&f->s, "peer-down"), 0);
	for (i = 1; i <= POOL_N; i++)
		if (!f->s.granted[i])
			assert_true(busy(&f->s, pa(i)));

	f->now += 1;
	ipsp_state_tick(f->s.ip, f->now);
	assert_int_equal(event_count(&f->s, "peer-down"), 1);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_PRIMARY);
	assert_int_equal(ipsp_state_counters(f->s.ip)->takeovers, 1);
	assert_int_equal(event_count(&f->s, "role"), 1);
	for (i = 1; i <= POOL_N; i++)
		assert_false(busy(&f->s, pa(i)));
	assert_int_equal(alloc_all(&f->s, NULL), POOL_N - 1);
	/* once */
	f->now += DEAD_S * 1000;
	ipsp_state_tick(f->s.ip, f->now);
	assert_int_equal(ipsp_state_counters(f->s.ip)->takeovers, 1);
	assert_int_equal(event_count(&f->s, "peer-down"), 1);
}

/*
 * GOING_DOWN from the primary: its bindings' addresses, then the word; the
 * secondary is the (acting) primary at once, those addresses kept for
 * their nodes alone.
 */
static void test_going_down_primary(void **state)
{
	struct fix *f = *state;
	struct in_addr x, y, a;
	bool not[POOL_N + 1] = { false };
	size_t n;

	start_active(f);
	up(f);
	x = register_new(&f->p, "n1@example.net", 10);
	y = register_new(&f->p, "n2@example.net", 20);
	n = f->p.n_sent;
	ipsp_state_going_down(f->p.ip);
	assert_int_equal(f->p.n_sent, n + 2);
	assert_int_equal(f->p.sent[n], IPSP_HELD);
	assert_int_equal(f->p.sent[n + 1], IPSP_GOING_DOWN);
	assert_int_equal(ipsp_state_counters(f->p.ip)->going_down_sent, 1);
	pump(f);
	assert_int_equal(ipsp_state_counters(f->s.ip)->going_down_received, 1);
	assert_int_equal(event_count(&f->s, "going-down"), 1);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_PRIMARY);
	assert_int_equal(ipsp_state_counters(f->s.ip)->takeovers, 1);
	/* the primary's bound addresses stay busy, the rest is ours */
	assert_true(busy(&f->s, x));
	assert_true(busy(&f->s, y));
	disconnect_both(f);
	/*
	 * The primary is down: its bindings stay in its kernel (and store)
	 * until it is back, when the claims settle them.
	 */
	f->except[f->n_except++] = x;

	/* another node asking for y: a new address, never y */
	assert_int_equal(alloc_t(&f->s, txn(f, "n3@example.net", y), &a), 0);
	assert_int_not_equal(a.s_addr, y.s_addr);
	assert_int_not_equal(a.s_addr, x.s_addr);
	bind_at(&f->s, a, "n3@example.net", 1);
	/* x's node asking for x: granted here */
	assert_int_equal(alloc_t(&f->s, txn(f, "n1@example.net", x), &a), 0);
	assert_int_equal(a.s_addr, x.s_addr);
	bind_at(&f->s, x, "n1@example.net", 11);
	/* and no new node is given y */
	not[pidx(y)] = true;
	assert_int_equal(alloc_all(&f->s, not), POOL_N - 3);
	assert_true(busy(&f->s, y));
	/* nor a node asking for y without an NAI */
	assert_int_equal(alloc_t(&f->s, txn(f, NULL, y), &a), 0);
	assert_int_not_equal(a.s_addr, y.s_addr);
	f->s.alloc.ops->release(f->s.alloc.ctx, a);
}

/* GOING_DOWN from the secondary: the primary marks it down. */
static void test_going_down_secondary(void **state)
{
	struct fix *f = *state;
	json_t *ev;
	size_t n;

	start_active(f);
	up(f);
	register_new(&f->p, "n1@example.net", 10);
	n = f->s.n_sent;
	ipsp_state_going_down(f->s.ip);
	assert_int_equal(f->s.n_sent, n + 1);
	assert_int_equal(f->s.sent[n], IPSP_GOING_DOWN);
	assert_int_equal(ipsp_state_counters(f->s.ip)->going_down_sent, 1);
	settle(f);
	assert_int_equal(ipsp_state_counters(f->p.ip)->going_down_received, 1);
	assert_int_equal(event_count(&f->p, "going-down"), 1);
	ev = event_fields(&f->p, "going-down");
	assert_non_null(ev);
	assert_string_equal(
		json_string_value(json_object_get(ev, "peer_role")),
		"secondary");
	assert_int_equal(ipsp_state_role(f->p.ip), IPSP_ROLE_PRIMARY);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_SECONDARY);
	assert_int_equal(ipsp_state_counters(f->p.ip)->takeovers, 0);
	/* the primary goes on allocating */
	register_new(&f->p, "n2@example.net", 10);
	/* the peer is down at once; the dead interval has nothing to add */
	assert_int_equal(event_count(&f->p, "peer-down"), 1);
	assert_false(ipsp_state_peer_up(f->p.ip)); /* the connection went */
	f->now += 2 * DEAD_S * 1000;
	ipsp_state_tick(f->p.ip, f->now);
	assert_int_equal(event_count(&f->p, "peer-down"), 1);
	assert_int_equal(ipsp_state_role(f->p.ip), IPSP_ROLE_PRIMARY);
}

/*
 * The secondary plays the primary while the primary is away (it died; it
 * comes back with the bindings it had): both primary. The configured
 * secondary gives the role back and claims its bindings: a newer
 * registration of the same node wins, an older loses, another node's
 * loses; a claim of an address free at the primary busies it out.
 */
static void test_reconnect_both_primary(void **state)
{
	struct fix *f = *state;
	struct in_addr b1, x1, x2, x3, x5, a;
	const struct reg_binding *b;
	unsigned int i, n;
	json_t *ev;

	start_active(f);
	up(f);
	x1 = register_new(&f->p, "n1@example.net", 100);
	x2 = register_new(&f->p, "n2@example.net", 300);
	x3 = register_new(&f->p, "n3@example.net", 400);
	x5 = register_new(&f->p, "n6@example.net", 500);
	b1 = register_new(&f->s, "n5@example.net", 1);
	check_owned_once(f);

	/* the primary dies: the secondary takes over after the dead interval */
	disconnect_both(f);
	f->now += DEAD_S * 1000;
	ipsp_state_tick(f->s.ip, f->now);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_PRIMARY);
	assert_int_equal(ipsp_state_counters(f->s.ip)->takeovers, 1);

	/* nodes of the primary's register at the secondary meanwhile */
	f->except[f->n_except++] = x1;
	f->except[f->n_except++] = x2;
	f->except[f->n_except++] = x3;
	assert_int_equal(alloc_t(&f->s, txn(f, "n1@example.net", x1), &a), 0);
	assert_int_equal(a.s_addr, x1.s_addr);
	bind_at(&f->s, x1, "n1@example.net", 200); /* newer than 100 */
	assert_int_equal(alloc_t(&f->s, txn(f, "n2@example.net", x2), &a), 0);
	assert_int_equal(a.s_addr, x2.s_addr);
	bind_at(&f->s, x2, "n2@example.net", 250); /* older than 300 */
	assert_int_equal(alloc_t(&f->s, txn(f, "n4@example.net", x3), &a), 0);
	assert_int_equal(a.s_addr, x3.s_addr);
	bind_at(&f->s, x3, "n4@example.net", 900); /* another node */

	/* the primary comes back */
	f->now += 1000;
	ha_restart(&f->p);
	assert_int_equal(ipsp_state_role(f->p.ip), IPSP_ROLE_PRIMARY);
	assert_true(bound(&f->p, x1) && bound(&f->p, x2) && bound(&f->p, x3) &&
		    bound(&f->p, x5));
	assert_int_equal(alloc_new(&f->p, &a), -EAGAIN); /* no claims yet */

	memset(f->s.granted, 0, sizeof(f->s.granted));
	ipsp_state_connected(f->p.ip, f->now);
	ipsp_state_connected(f->s.ip, f->now);
	/* the conflicts are settled from here on: none allowed any more */
	pump(f);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_SECONDARY);
	ev = event_fields(&f->s, "role");
	assert_string_equal(json_string_value(json_object_get(ev, "role")),
			    "secondary");
	assert_int_equal(ipsp_state_role(f->p.ip), IPSP_ROLE_PRIMARY);
	/* the newer claim: the primary releases its binding of x1 */
	assert_int_equal(f->p.n_rel, 1);
	assert_int_equal(f->p.rel[0].s_addr, x1.s_addr);
	/* the older one and another node's: the secondary drops its own */
	assert_int_equal(f->s.n_rel, 2);
	assert_true((f->s.rel[0].s_addr == x2.s_addr &&
		     f->s.rel[1].s_addr == x3.s_addr) ||
		    (f->s.rel[0].s_addr == x3.s_addr &&
		     f->s.rel[1].s_addr == x2.s_addr));
	f->n_except = 0;
	settle(f);

	/* x1: the secondary's */
	assert_false(bound(&f->p, x1));
	assert_true(busy(&f->p, x1));
	b = binding_store_find_addr(f->s.st, x1);
	assert_non_null(b);
	assert_int_equal(b->replay.last_id, 200);
	/* x2: the primary's (n2, 300) */
	assert_false(bound(&f->s, x2));
	assert_true(busy(&f->s, x2));
	b = binding_store_find_addr(f->p.st, x2);
	assert_non_null(b);
	assert_int_equal(b->replay.last_id, 300);
	/* x3: the primary's n3 stays */
	assert_false(bound(&f->s, x3));
	b = binding_store_find_addr(f->p.st, x3);
	assert_non_null(b);
	assert_memory_equal(b->nai, "n3@example.net", 14);
	/* x5 and b1: each where it was */
	assert_true(bound(&f->p, x5));
	assert_true(busy(&f->s, x5));
	assert_true(bound(&f->s, b1));
	assert_true(busy(&f->p, b1));
	assert_int_equal(ipsp_state_counters(f->p.ip)->claims, 4);
	assert_int_equal(ipsp_state_counters(f->p.ip)->conflicts, 3);
	/* released: x1, b1 (claimed) and a new block of other addresses */
	for (i = 1, n = 0; i <= POOL_N; i++)
		n += f->s.granted[i];
	assert_int_equal(n, BLOCK);
	assert_false(f->s.granted[pidx(b1)]);
	assert_false(f->s.granted[pidx(x1)]);
	ev = ipsp_state_json(f->p.ip, f->now);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(ev, "pools"), 0),
				 "released")),
			 2 + BLOCK);
	json_decref(ev);
	/* the primary allocates again, the secondary has a new block */
	ev = ipsp_state_json(f->p.ip, f->now);
	assert_true(json_is_true(json_object_get(ev, "ready")));
	json_decref(ev);
	check_owned_once(f);
	register_new(&f->p, "n8@example.net", 1);
	register_new(&f->s, "n9@example.net", 1);
	check_owned_once(f);
}

/*
 * The same without a restart: the primary stayed up behind a broken
 * network while the secondary took over. When they meet again every
 * address is one side's: the primary's part of the secondary's old block
 * the secondary does not claim any more comes back to it.
 */
static void test_partition_heals(void **state)
{
	struct fix *f = *state;
	struct in_addr x1, b1, a;

	start_active(f);
	up(f);
	x1 = register_new(&f->p, "n1@example.net", 100);
	b1 = register_new(&f->s, "n5@example.net", 1);

	disconnect_both(f);
	f->now += DEAD_S * 1000;
	ipsp_state_tick(f->s.ip, f->now);
	ipsp_state_tick(f->p.ip, f->now);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_PRIMARY);
	assert_int_equal(ipsp_state_role(f->p.ip), IPSP_ROLE_PRIMARY);
	f->except[f->n_except++] = x1;
	assert_int_equal(alloc_t(&f->s, txn(f, "n1@example.net", x1), &a), 0);
	bind_at(&f->s, x1, "n1@example.net", 200);

	connect_both(f);
	f->n_except = 0;
	check_bound_once(f);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_SECONDARY);
	assert_true(bound(&f->s, x1));
	assert_true(bound(&f->s, b1));
	assert_false(bound(&f->p, x1));
	/* nothing lost: each address usable at one side exactly */
	check_owned_once(f);
}

/*
 * The dead interval runs out while the connection stays up (the primary
 * stalled, or its packets were lost, for longer than it): the secondary
 * plays the primary. When the primary is heard from again on that same
 * connection the two must not stay primary side by side, each allocating
 * from the whole pool: one address would go to two nodes.
 */
static void test_dead_interval_peer_heard_again(void **state)
{
	struct fix *f = *state;

	start_active(f);
	up(f);
	register_new(&f->p, "n1@example.net", 1);
	register_new(&f->s, "s1@example.net", 1);
	f->now += DEAD_S * 1000;
	ipsp_state_tick(f->s.ip, f->now);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_PRIMARY);
	/* a connection silent for the dead interval is closed with it */
	assert_non_null(f->s.close_asked);
	drop_queue(&f->s); /* lost as the primary's were */
	pump(f);
	assert_false(ipsp_state_peer_up(f->s.ip));
	/* the primary again: the secondary calls, the HELLOs settle it */
	f->now += 100;
	connect_both(f);
	settle(f);
	f->now += 100;
	ipsp_state_tick(f->p.ip, f->now);
	ipsp_state_tick(f->s.ip, f->now);
	settle(f);
	assert_false(ipsp_state_role(f->p.ip) == IPSP_ROLE_PRIMARY &&
		     ipsp_state_role(f->s.ip) == IPSP_ROLE_PRIMARY);
	check_owned_once(f);
}

/* Frames that break the protocol: refused, counted. */
static void test_protocol_errors(void **state)
{
	struct fix *f = *state;
	uint8_t buf[512];
	struct ipsp_hello_pool hp = { 1, "p", NULL };
	uint8_t dg[IPSP_DIGEST_LEN] = { 0 };
	struct ipsp_hello h = {
		.role_cfg = IPSP_ROLE_PRIMARY,
		.role = IPSP_ROLE_PRIMARY,
		.mode = IPSP_MODE_ACTIVE,
		.dead_interval = DEAD_S,
		.n_pools = 1,
		.pools = &hp,
	};
	struct ipsp_range r = { pa(1), pa(1) };
	struct ipsp_grant g = { .id = 12345, .status = IPSP_OK,
				.n_ranges = 1, .ranges = &r };
	const char *why;
	ssize_t n;

	hp.digest = dg;
	start_active(f);
	/* before HELLO */
	n = ipsp_encode_empty(buf, sizeof(buf), IPSP_KEEPALIVE);
	assert_true(n > 0);
	why = NULL;
	assert_true(ipsp_state_frame(f->s.ip, buf, (size_t)n, f->now, &why) <
		    0);
	assert_non_null(why);
	assert_int_equal(ipsp_state_counters(f->s.ip)->protocol_errors, 1);
	/* a second primary */
	n = ipsp_encode_hello(buf, sizeof(buf), &h);
	assert_true(n > 0);
	why = NULL;
	assert_true(ipsp_state_frame(f->p.ip, buf, (size_t)n, f->now, &why) <
		    0);
	assert_non_null(why);
	assert_int_equal(ipsp_state_counters(f->p.ip)->protocol_errors, 1);
	assert_false(ipsp_state_peer_up(f->p.ip));
	/* malformed */
	why = NULL;
	assert_true(ipsp_state_frame(f->p.ip, buf, (size_t)n - 1, f->now,
				     &why) < 0);
	assert_non_null(why);
	assert_int_equal(ipsp_state_counters(f->p.ip)->protocol_errors, 2);

	up(f);
	/* a GRANT for no request, at either */
	n = ipsp_encode_grant(buf, sizeof(buf), &g);
	assert_true(n > 0);
	why = NULL;
	assert_true(ipsp_state_frame(f->s.ip, buf, (size_t)n, f->now, &why) <
		    0);
	assert_non_null(why);
	assert_int_equal(ipsp_state_counters(f->s.ip)->protocol_errors, 2);
	why = NULL;
	assert_true(ipsp_state_frame(f->p.ip, buf, (size_t)n, f->now, &why) <
		    0);
	assert_int_equal(ipsp_state_counters(f->p.ip)->protocol_errors, 3);
	/* a second HELLO */
	h.role_cfg = IPSP_ROLE_SECONDARY;
	h.role = IPSP_ROLE_SECONDARY;
	n = ipsp_encode_hello(buf, sizeof(buf), &h);
	why = NULL;
	assert_true(ipsp_state_frame(f->p.ip, buf, (size_t)n, f->now, &why) <
		    0);
	assert_non_null(why);
	assert_int_equal(ipsp_state_counters(f->p.ip)->protocol_errors, 4);
	/* a type of a newer version is skipped, not an error */
	n = ipsp_encode_empty(buf, sizeof(buf), IPSP_KEEPALIVE);
	buf[1] = 200;
	assert_int_equal(ipsp_state_frame(f->p.ip, buf, (size_t)n, f->now,
					  &why),
			 0);
	assert_int_equal(ipsp_state_counters(f->p.ip)->protocol_errors, 4);
}

/*
 * A GRANT whose id is 0 answers no request (ids start at 1): an error,
 * even while a registration waits for a block (whose wait has no id).
 */
static void test_grant_id_zero(void **state)
{
	struct fix *f = *state;
	uint8_t buf[64];
	struct ipsp_range r = { pa(1), pa(16) };
	struct ipsp_grant g = { .id = 0, .status = IPSP_OK, .n_ranges = 1,
				.ranges = &r };
	struct in_addr a;
	const char *why = NULL;
	unsigned int i;
	ssize_t n;

	start_active(f);
	up(f);
	/* the block used up: a new node waits for the next one */
	for (i = 0; i < BLOCK; i++) {
		char nai[32];

		snprintf(nai, sizeof(nai), "w%u@example.net", i);
		register_new(&f->s, nai, 1);
	}
	assert_int_equal(alloc_new(&f->s, &a), -EINPROGRESS);
	drop_queue(&f->s); /* its request is on the way */
	n = ipsp_encode_grant(buf, sizeof(buf), &g);
	assert_true(n > 0);
	assert_true(ipsp_state_frame(f->s.ip, buf, (size_t)n, f->now, &why) <
		    0);
	assert_non_null(why);
	assert_int_equal(ipsp_state_counters(f->s.ip)->protocol_errors, 1);
	/* the registration still waits */
	assert_int_equal(f->s.n_done, 0);
}

/* Keepalives: one every dead interval / 3, not one a tick. */
static void test_keepalive_interval(void **state)
{
	struct fix *f = *state;
	uint64_t next, t0;

	start_active(f);
	up(f);
	t0 = f->now;
	next = ipsp_state_tick(f->s.ip, f->now);
	assert_true(next > f->now);
	assert_int_equal(sent_count(&f->s, IPSP_KEEPALIVE), 0);
	f->now = t0 + DEAD_S * 1000 / 3;
	ipsp_state_tick(f->s.ip, f->now);
	assert_int_equal(sent_count(&f->s, IPSP_KEEPALIVE), 1);
	/* ticks between: none */
	f->now += 250;
	ipsp_state_tick(f->s.ip, f->now);
	f->now += 250;
	ipsp_state_tick(f->s.ip, f->now);
	assert_int_equal(sent_count(&f->s, IPSP_KEEPALIVE), 1);
	f->now = t0 + 2 * (DEAD_S * 1000 / 3);
	ipsp_state_tick(f->s.ip, f->now);
	assert_int_equal(sent_count(&f->s, IPSP_KEEPALIVE), 2);
	/* keepalives keep the peer alive */
	pump(f);
	f->now = t0 + DEAD_S * 1000 + 10;
	register_new(&f->p, "n1@example.net", 1); /* no all-free */
	ipsp_state_tick(f->p.ip, f->now);
	assert_int_equal(event_count(&f->p, "peer-down"), 0);
	settle(f);
}

/*
 * A block request crossing the primary's ALL_FREE: the answer (the peer is
 * no primary any more) is no protocol error.
 */
static void test_request_crossing_all_free(void **state)
{
	struct fix *f = *state;
	struct in_addr a, x;
	unsigned int i;

	start_active(f);
	up(f);
	x = register_new(&f->p, "n1@example.net", 1);
	f->now += 100;
	ipsp_state_tick(f->p.ip, f->now);
	unbind(&f->p, x);
	for (i = 0; i < BLOCK; i++) {
		char nai[32];

		snprintf(nai, sizeof(nai), "w%u@example.net", i);
		register_new(&f->s, nai, 1);
	}
	assert_int_equal(alloc_new(&f->s, &a), -EINPROGRESS); /* on its way */
	f->now += 100;
	ipsp_state_tick(f->p.ip, f->now); /* meanwhile: all free */
	assert_int_equal(sent_count(&f->p, IPSP_ALL_FREE), 1);
	pump_raw(f);
	if (f->s.frame_errs || f->p.frame_errs)
		fail_msg("a protocol error: P %s, S %s",
			 f->p.last_why ?: "-", f->s.last_why ?: "-");
	assert_int_equal(ipsp_state_counters(f->s.ip)->protocol_errors, 0);
	settle(f);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_PRIMARY);
	assert_int_equal(ipsp_state_role(f->p.ip), IPSP_ROLE_SECONDARY);
	/* the registration that waited is decided by the new primary */
	assert_true(f->s.n_done > 0);
	assert_int_equal(f->s.done[f->s.n_done - 1].err, 0);
	bind_at(&f->s, f->s.done[f->s.n_done - 1].addr, "late@example.net", 1);
	check_owned_once(f);
}

/* One node moves from from to to (to asks from for its address a). */
static void move(struct fix *f, struct ha *from, struct ha *to,
		 const char *nai, struct in_addr a, uint64_t id)
{
	struct reg_txn *t = txn(f, nai, a);
	struct in_addr got;
	unsigned int n = to->n_done;

	assert_int_equal(alloc_t(to, t, &got), -EINPROGRESS);
	settle(f);
	assert_int_equal(to->n_done, n + 1);
	assert_int_equal(to->done[n].err, 0);
	assert_int_equal(to->done[n].addr.s_addr, a.s_addr);
	assert_false(bound(from, a));
	bind_at(to, a, nai, id);
}

/*
 * After the upgrade the same procedure runs the other way (seed 004,
 * "Configuring IPSP After the Software Upgrade"): the old secondary, primary
 * since ALL_FREE, sees its nodes move back to the old primary, and when it
 * holds nothing hands the role back the same way.
 */
static void test_reverse_after_all_free(void **state)
{
	struct fix *f = *state;
	struct in_addr x, y;

	start_active(f);
	up(f);
	x = register_new(&f->p, "n1@example.net", 10);
	y = register_new(&f->s, "s1@example.net", 10);
	f->now += 100;
	ipsp_state_tick(f->p.ip, f->now); /* it holds one */
	move(f, &f->p, &f->s, "n1@example.net", x, 11);
	f->now += 100;
	ipsp_state_tick(f->p.ip, f->now);
	settle(f);
	assert_int_equal(ipsp_state_role(f->p.ip), IPSP_ROLE_SECONDARY);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_PRIMARY);
	check_owned_once(f);

	/* the way back: both nodes move to the configured primary */
	f->now += 100;
	ipsp_state_tick(f->s.ip, f->now); /* it holds two */
	assert_int_equal(sent_count(&f->s, IPSP_ALL_FREE), 0);
	move(f, &f->s, &f->p, "n1@example.net", x, 12);
	move(f, &f->s, &f->p, "s1@example.net", y, 11);
	check_bound_once(f);
	f->now += 100;
	ipsp_state_tick(f->s.ip, f->now);
	assert_int_equal(sent_count(&f->s, IPSP_ALL_FREE), 1);
	assert_true(ipsp_state_all_free(f->s.ip));
	settle(f);
	assert_int_equal(ipsp_state_role(f->p.ip), IPSP_ROLE_PRIMARY);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_SECONDARY);
	assert_int_equal(ipsp_state_counters(f->p.ip)->takeovers, 0);
	assert_int_equal(ipsp_state_counters(f->s.ip)->takeovers, 1);
	assert_true(bound(&f->p, x) && bound(&f->p, y));
	check_owned_once(f);
}

/* Found by review (R1-R9: the bug each would show is in its comment). */
/*
 * R1: the connection flaps right after the HELLO. The primary had a full
 * picture (the block it released is busy); on_hello() un-busies all and
 * waits for claims; the connection drops before HELD; the next tick makes
 * it ready (start_ms is old) and it allocates the secondary's bound address.
 */
static void r1_flap_after_hello(void **state)
{
	struct fix *f = *state;
	struct in_addr sa;
	bool not[POOL_N + 1] = { 0 };
	unsigned int i;

	start_active(f);
	up(f);
	sa = register_new(&f->s, "s1@example.net", 1);
	for (i = 1; i <= POOL_N; i++)
		not[i] = f->s.granted[i];
	/* a pair that has run a while: keepalives both ways */
	for (i = 0; i < 20; i++) {
		f->now += 500;
		ipsp_state_tick(f->p.ip, f->now);
		ipsp_state_tick(f->s.ip, f->now);
		settle(f);
	}
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_SECONDARY);
	disconnect_both(f);
	f->now += 1000;
	ipsp_state_tick(f->p.ip, f->now);
	ipsp_state_tick(f->s.ip, f->now);
	/* reconnect: only the secondary's HELLO reaches the primary */
	ipsp_state_connected(f->p.ip, f->now);
	ipsp_state_connected(f->s.ip, f->now);
	deliver_one(&f->s);
	disconnect_both(f);
	f->now += 250;
	ipsp_state_tick(f->p.ip, f->now);
	print_message("R1: S holds 10.30.0.%u bound; P now allocates %u addresses\n",
		      pidx(sa), alloc_all(&f->p, NULL));
	alloc_all(&f->p, not); /* fails if P hands out S's block */
}

/*
 * R2: mode active -> inactive on the primary (a live reload). Its released
 * block was handed back to its pools at once, while the secondary still
 * had it bound; and GOING_DOWN went without the HELD of the primary's
 * bindings, so the secondary became primary with no "used" list and
 * un-busied the primary's bound address too.
 */
static void r2_primary_inactive(void **state)
{
	struct fix *f = *state;
	struct config *inact;
	struct in_addr sa, pb, got;
	bool s_gave_pb = false;

	start_active(f);
	up(f);
	sa = register_new(&f->s, "s1@example.net", 1);
	pb = register_new(&f->p, "p1@example.net", 1);
	inact = ha_config(P_ADDR, "secondary", S_ADDR, "inactive", RANGE);
	ipsp_state_set_config(f->p.ip, inact, f->p.pools, f->now);
	/* (the old one is freed with the fixture; its pools stay named) */
	f->p.cfg_reloaded = inact;
	pump_raw(f);
	assert_int_equal(sent_count(&f->p, IPSP_HELD), 1);
	print_message("R2: P sent HELD before GOING_DOWN: %zu\n",
		      sent_count(&f->p, IPSP_HELD));
	print_message("R2: S role %s\n",
		      ipsp_role_name(ipsp_state_role(f->s.ip)));
	while (!alloc_new(&f->s, &got)) {
		if (got.s_addr == pb.s_addr)
			s_gave_pb = true;
	}
	print_message("R2: S allocates P's bound 10.30.0.%u: %s\n", pidx(pb),
		      s_gave_pb ? "YES" : "no");
	print_message("R2: P may allocate S's bound 10.30.0.%u: %s\n", pidx(sa),
		      !pool_in_use(f->p.pools, sa) ? "YES" : "no");
	assert_false(s_gave_pb);
	assert_true(pool_in_use(f->p.pools, sa));
}

/*
 * R3: a release (handoff) completes after a reconnect: its GRANT carries
 * an id of the old connection: the secondary calls it a protocol error,
 * and the address is busied out at the primary, busy at the secondary.
 */
static void r3_stale_grant(void **state)
{
	struct fix *f = *state;
	struct in_addr x, got;
	unsigned int errs;

	start_active(f);
	up(f);
	x = register_new(&f->p, "mover@example.net", 5);
	assert_int_equal(alloc_t(&f->s, txn(f, "mover@example.net", x), &got),
			 -EINPROGRESS);
	pump_raw(f); /* ADDR_REQUEST to P: release asked, not done */
	assert_int_equal(f->p.n_rel, 1);
	disconnect_both(f);
	ipsp_state_connected(f->p.ip, f->now);
	ipsp_state_connected(f->s.ip, f->now);
	pump_raw(f);
	errs = f->s.frame_errs;
	complete_releases(&f->p);
	pump_raw(f);
	print_message("R3: S frame errors %u -> %u (%s)\n", errs,
		      f->s.frame_errs, f->s.last_why ?: "-");
	print_message("R3: x usable at P %d, at S %d\n", owns(&f->p, x),
		      owns(&f->s, x));
	assert_int_equal(f->s.frame_errs, errs);
}

/* R8: a handoff whose GRANT never comes (here: the primary's send fails):
 * the registration stays parked for good, connection up, keepalives. */
static void r8_wait_forever(void **state)
{
	struct fix *f = *state;
	struct in_addr x, got;
	unsigned int i;

	start_active(f);
	up(f);
	x = register_new(&f->p, "mover@example.net", 5);
	register_new(&f->p, "stayer@example.net", 5); /* no ALL_FREE */
	f->p.fail_type = IPSP_GRANT;
	assert_int_equal(alloc_t(&f->s, txn(f, "mover@example.net", x), &got),
			 -EINPROGRESS);
	for (i = 0; i < 200; i++) {
		f->now += 500;
		ipsp_state_tick(f->p.ip, f->now);
		ipsp_state_tick(f->s.ip, f->now);
		settle(f);
	}
	print_message("R8: after 100 s: S answered %zu parked registrations; "
		      "x bound at P %d, busy at P %d, busy at S %d\n",
		      f->s.n_done, bound(&f->p, x), busy(&f->p, x),
		      busy(&f->s, x));
	if (f->s.n_done)
		print_message("R8: done err %d, S events %zu last %s, P events last %s\n",
			      f->s.done[0].err, f->s.n_ev, f->s.ev[f->s.n_ev-1], f->p.ev[f->p.n_ev-1]);
	assert_int_equal(f->s.n_done, 1);
}

/* R9: after ALL_FREE the configured primary is upgraded (restarts) and
 * comes back: the acting primary's ACTING flag is ignored, it gives the
 * role back and is locked again, holding every session. */
static void r9_restart_after_all_free(void **state)
{
	struct fix *f = *state;
	struct in_addr x;

	start_active(f);
	up(f);
	x = register_new(&f->p, "n1@example.net", 10);
	f->now += 100;
	ipsp_state_tick(f->p.ip, f->now);
	{
		struct in_addr got;
		struct reg_txn *t = txn(f, "n1@example.net", x);

		assert_int_equal(alloc_t(&f->s, t, &got), -EINPROGRESS);
		settle(f);
		bind_at(&f->s, x, "n1@example.net", 11);
	}
	f->now += 100;
	ipsp_state_tick(f->p.ip, f->now);
	settle(f);
	print_message("R9: after ALL_FREE: P %s, S %s\n",
		      ipsp_role_name(ipsp_state_role(f->p.ip)),
		      ipsp_role_name(ipsp_state_role(f->s.ip)));
	disconnect_both(f);
	ha_restart(&f->p); /* the upgrade */
	connect_both(f);
	settle(f);
	/* the one that was handed the pools keeps them (HELLO's HANDED) */
	assert_int_equal(ipsp_state_role(f->p.ip), IPSP_ROLE_SECONDARY);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_PRIMARY);
	assert_true(bound(&f->s, x));
	check_bound_once(f);
}

/* ---- review 2 ------------------------------------------------------------ */

static void run_ticks(struct fix *f, unsigned int ms, unsigned int step)
{
	unsigned int t;

	for (t = 0; t < ms; t += step) {
		f->now += step;
		ipsp_state_tick(f->p.ip, f->now);
		ipsp_state_tick(f->s.ip, f->now);
		settle(f);
	}
}

/* N1: an active primary connected to a mismatched (but live) peer: the
 * peer's keepalives keep "heard" fresh, so ready-alone never fires. */
static void n1_mismatch_primary_stuck(void **state)
{
	struct fix *f = *state;
	struct in_addr a;
	int r;

	start(f, "active", RANGE, "active", "10.30.0.1 10.30.0.15");
	connect_both(f);
	assert_true(ipsp_state_peer_up(f->p.ip));
	run_ticks(f, 10 * DEAD_S * 1000, 250);
	r = alloc_new(&f->p, &a);
	print_message("N1: P after %d s with a mismatched live peer: alloc %d "
		      "(refused %llu), S alloc %d\n", 10 * DEAD_S, r,
		      (unsigned long long)ipsp_state_counters(f->p.ip)->refused_sessions,
		      alloc_new(&f->s, &a));
	assert_int_equal(r, 0);
}

/* N1b: the same with the secondary in check-config (pools equal). */
static void n1b_checkconfig_peer_primary_stuck(void **state)
{
	struct fix *f = *state;
	struct in_addr a;
	int r;

	start(f, "active", RANGE, "check-config", RANGE);
	connect_both(f);
	run_ticks(f, 10 * DEAD_S * 1000, 250);
	r = alloc_new(&f->p, &a);
	print_message("N1b: P (active) with S in check-config, after %d s: "
		      "alloc %d\n", 10 * DEAD_S, r);
	assert_int_equal(r, 0);
}

/* Every address h's allocator gives now (taken back after). */
static void alloc_set(struct ha *h, bool *out)
{
	struct in_addr got[POOL_N + 1], a;
	unsigned int n = 0, i;

	memset(out, 0, (POOL_N + 1) * sizeof(bool));
	while (!alloc_new(h, &a)) {
		assert_true(pidx(a));
		out[pidx(a)] = true;
		got[n++] = a;
	}
	for (i = 0; i < n; i++)
		h->alloc.ops->release(h->alloc.ctx, got[i]);
}

/* N2: the primary goes inactive (live reload) before all-free: it keeps
 * its free addresses; the secondary, told GOING_DOWN, un-busies them. */
static void n2_primary_inactive_dup(void **state)
{
	struct fix *f = *state;
	struct config *inact;
	bool ps[POOL_N + 1], ss[POOL_N + 1];
	unsigned int i, both = 0;

	start_active(f);
	up(f);
	register_new(&f->s, "s1@example.net", 1);
	register_new(&f->p, "p1@example.net", 1);
	inact = ha_config(P_ADDR, "secondary", S_ADDR, "inactive", RANGE);
	ipsp_state_set_config(f->p.ip, inact, f->p.pools, f->now);
	f->p.cfg_reloaded = inact;
	pump_raw(f);
	disconnect_both(f); /* ipsp_set_config closes: the mode changed */
	alloc_set(&f->p, ps);
	alloc_set(&f->s, ss);
	for (i = 1; i <= POOL_N; i++)
		both += ps[i] && ss[i];
	print_message("N2: P inactive (role %s), S %s: %u addresses "
		      "allocatable at both\n",
		      ipsp_role_name(ipsp_state_role(f->p.ip)),
		      ipsp_role_name(ipsp_state_role(f->s.ip)), both);
	assert_int_equal(both, 0);
}

/* N3: ALL_FREE lost with the connection: the HELLO's ALL_FREE flag is
 * ignored; the configured primary takes the role back and never hands
 * over again (had_used is false). */
static void n3_all_free_lost(void **state)
{
	struct fix *f = *state;
	struct in_addr x;

	start_active(f);
	up(f);
	x = register_new(&f->p, "n1@example.net", 1);
	f->now += 100;
	ipsp_state_tick(f->p.ip, f->now);
	unbind(&f->p, x);
	f->now += 100;
	ipsp_state_tick(f->p.ip, f->now);
	assert_int_equal(sent_count(&f->p, IPSP_ALL_FREE), 1);
	assert_int_equal(event_count(&f->p, "all-free"), 1);
	disconnect_both(f); /* ALL_FREE never reaches S */
	f->now += 1000;
	connect_both(f);
	run_ticks(f, 5 * DEAD_S * 1000, 250);
	print_message("N3: after the all-free event and a reconnect: P %s, "
		      "S %s, ALL_FREE sent %zu\n",
		      ipsp_role_name(ipsp_state_role(f->p.ip)),
		      ipsp_role_name(ipsp_state_role(f->s.ip)),
		      sent_count(&f->p, IPSP_ALL_FREE));
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_PRIMARY);
}

/* N4: S's first block request refused (P's pool full); P's nodes leave;
 * S stays locked and never asks again on this connection. */
static void n4_locked_after_exhausted(void **state)
{
	struct fix *f = *state;
	struct in_addr a, got[POOL_N];
	unsigned int i;
	int r;

	start_active(f);
	f->now += DEAD_S * 1000;
	ipsp_state_tick(f->p.ip, f->now); /* P alone: ready */
	for (i = 0; i < POOL_N; i++) {
		char nai[32];

		snprintf(nai, sizeof(nai), "p%u@example.net", i);
		got[i] = register_new(&f->p, nai, 1);
	}
	connect_both(f);
	print_message("N4: S's block request answered: denials at S %llu\n",
		      (unsigned long long)ipsp_state_counters(f->s.ip)->denials);
	for (i = 0; i < POOL_N / 2; i++)
		unbind(&f->p, got[i]);
	run_ticks(f, 5 * DEAD_S * 1000, 250);
	r = alloc_new(&f->s, &a);
	print_message("N4: P freed %u addresses; %d s later S alloc %d, S "
		      "block requests %zu\n", POOL_N / 2, 5 * DEAD_S, r,
		      sent_count(&f->s, IPSP_BLOCK_REQUEST));
	assert_true(r == 0 || r == -EINPROGRESS);
}


/* N6: a node of pool "p" asks for an address of pool "q" (another
 * virtual network): IPSP's allocator grants it (the pools' allocator
 * never honours a requested address). */
static struct config *two_pool_config(const char *self, const char *peer_kw,
				      const char *peer)
{
	return ha_config_x(self, peer_kw, peer, "active", "10.30.0.1 10.30.0.16",
			   "pool \"q\" {\n"
			   " range = { \"10.40.0.1 10.40.0.16\" }\n}\n"
			   "virtual-network \"10.40.0.0 255.255.0.0\" {}\n");
}

static void n6_other_pool_address(void **state)
{
	struct fix *f = *state;
	struct in_addr a, q5 = A("10.40.0.5");
	struct reg_txn *t;
	int r;

	ha_start(f, &f->p, "P", two_pool_config(P_ADDR, "secondary", S_ADDR));
	ha_start(f, &f->s, "S", two_pool_config(S_ADDR, "primary", P_ADDR));
	f->now += DEAD_S * 1000;
	ipsp_state_tick(f->p.ip, f->now); /* ready alone */
	t = txn(f, "evil@example.net", q5); /* host pool "p" */
	r = alloc_t(&f->p, t, &a);
	print_message("N6: a pool-p node asking 10.40.0.5 (pool q) at the "
		      "primary: %d, got %s\n", r, inet_ntoa(a));
	assert_false(r == 0 && a.s_addr == q5.s_addr);
}


/* N5: S reloads (reg_set_config cancels every parked registration) while a
 * handoff is in flight: P releases its binding and grants; the GRANT is
 * stale at S: the address is usable at neither until a reconnection. */
static void n5_reload_cancels_handoff(void **state)
{
	struct fix *f = *state;
	struct in_addr x, got;
	struct reg_txn *t;

	start_active(f);
	up(f);
	x = register_new(&f->p, "mover@example.net", 5);
	t = txn(f, "mover@example.net", x);
	assert_int_equal(alloc_t(&f->s, t, &got), -EINPROGRESS);
	f->s.alloc.ops->cancel(f->s.alloc.ctx, t); /* the reload */
	settle(f);
	run_ticks(f, 5 * DEAD_S * 1000, 250);
	print_message("N5: after the handoff's GRANT came stale: x bound at P "
		      "%d, usable at P %d, at S %d; frame errors S %u\n",
		      bound(&f->p, x), owns(&f->p, x), owns(&f->s, x),
		      f->s.frame_errs);
	check_owned_once(f);
}




/* N8: the secondary is inactive longer than the dead interval, then active
 * again: its first tick (before it could even connect) finds the primary
 * "dead" and takes over, un-busying every address. */
static void n8_inactive_then_active_takes_over(void **state)
{
	struct fix *f = *state;
	struct config *c1, *c2;
	bool ps[POOL_N + 1], ss[POOL_N + 1];
	unsigned int i, both = 0;

	start_active(f);
	up(f);
	register_new(&f->s, "s1@example.net", 1);
	register_new(&f->p, "p1@example.net", 1);
	c1 = ha_config(S_ADDR, "primary", P_ADDR, "inactive", RANGE);
	ipsp_state_set_config(f->s.ip, c1, f->s.pools, f->now);
	pump_raw(f);
	disconnect_both(f);
	f->now += 2 * DEAD_S * 1000;
	ipsp_state_tick(f->p.ip, f->now);
	ipsp_state_tick(f->s.ip, f->now);
	c2 = ha_config(S_ADDR, "primary", P_ADDR, "active", RANGE);
	ipsp_state_set_config(f->s.ip, c2, f->s.pools, f->now);
	f->now += 250; /* the service's next tick; its call is on the way */
	ipsp_state_tick(f->s.ip, f->now);
	alloc_set(&f->p, ps);
	alloc_set(&f->s, ss);
	for (i = 1; i <= POOL_N; i++)
		both += ps[i] && ss[i];
	print_message("N8: S active again 250 ms ago, not connected yet: S "
		      "%s, P %s; %u addresses allocatable at both\n",
		      ipsp_role_name(ipsp_state_role(f->s.ip)),
		      ipsp_role_name(ipsp_state_role(f->p.ip)), both);
	config_free(c1);
	f->s.cfg_reloaded = c2;
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_SECONDARY);
}

/* M1: the role handed over twice (P->S, S->P), the second ALL_FREE lost. */
static void m1_double_handover_lost(void **state)
{
	struct fix *f = *state;
	struct in_addr x, a;
	int rp, rs;

	start_active(f);
	up(f);
	x = register_new(&f->p, "n1@example.net", 10);
	f->now += 100;
	ipsp_state_tick(f->p.ip, f->now);
	move(f, &f->p, &f->s, "n1@example.net", x, 11);
	f->now += 100;
	ipsp_state_tick(f->p.ip, f->now);
	settle(f);
	assert_int_equal(ipsp_state_role(f->s.ip), IPSP_ROLE_PRIMARY);
	f->now += 100;
	ipsp_state_tick(f->s.ip, f->now); /* S holds one */
	move(f, &f->s, &f->p, "n1@example.net", x, 12);
	f->now += 100;
	ipsp_state_tick(f->s.ip, f->now); /* S: ALL_FREE */
	assert_int_equal(sent_count(&f->s, IPSP_ALL_FREE), 1);
	disconnect_both(f); /* lost */
	f->now += 1000;
	connect_both(f);
	run_ticks(f, 10 * DEAD_S * 1000, 250);
	rp = alloc_new(&f->p, &a);
	rs = alloc_new(&f->s, &a);
	print_message("M1: P %s (all_free %d), S %s (all_free %d); alloc P %d S %d\n",
		      ipsp_role_name(ipsp_state_role(f->p.ip)), ipsp_state_all_free(f->p.ip),
		      ipsp_role_name(ipsp_state_role(f->s.ip)), ipsp_state_all_free(f->s.ip), rp, rs);
	assert_true(ipsp_state_role(f->p.ip) == IPSP_ROLE_PRIMARY ||
		    ipsp_state_role(f->s.ip) == IPSP_ROLE_PRIMARY);
}

/* M2: S holds a block, goes check-config; P restarts: after a dead
 * interval P allocates alone, S (check-config) from its block too. */
static void m2_check_secondary_block_dup(void **state)
{
	struct fix *f = *state;
	struct config *chk;
	bool ps[POOL_N + 1], ss[POOL_N + 1];
	unsigned int i, both = 0;

	start_active(f);
	up(f);
	chk = ha_config(S_ADDR, "primary", P_ADDR, "check-config", RANGE);
	ipsp_state_set_config(f->s.ip, chk, f->s.pools, f->now);
	f->s.cfg_reloaded = chk;
	settle(f);
	disconnect_both(f);
	ha_restart(&f->p);
	connect_both(f);
	run_ticks(f, 2 * DEAD_S * 1000, 250);
	alloc_set(&f->p, ps);
	alloc_set(&f->s, ss);
	for (i = 1; i <= POOL_N; i++)
		if (ps[i] && ss[i]) {
			both++;
			print_message("M2: 10.30.0.%u allocatable at both\n", i);
		}
	assert_int_equal(both, 0);
}

/*
 * Going down (a stop's drain, a mode leaving active), nothing changes any
 * more: a request that crossed our GOING_DOWN releases no binding (its
 * removal would finish after the service is gone), and no new node gets
 * an address the peer was not told of.
 */
static void test_going_down_frozen(void **state)
{
	struct fix *f = *state;
	struct in_addr x, a;

	start_active(f);
	up(f);
	x = register_new(&f->p, "n1@example.net", 10);
	register_new(&f->p, "n2@example.net", 10);
	/* the secondary asks for x as the primary says it goes */
	assert_int_equal(alloc_t(&f->s, txn(f, "n1@example.net", x), &a),
			 -EINPROGRESS);
	ipsp_state_going_down(f->p.ip);
	pump_raw(f);
	assert_int_equal(f->p.n_rel, 0);
	assert_true(bound(&f->p, x));
	assert_int_equal(alloc_new(&f->p, &a), -EAGAIN);
	check_bound_once(f);
}

/* The JSON view. */
static void test_json(void **state)
{
	struct fix *f = *state;
	json_t *j, *pools, *p0;

	start_active(f);
	j = ipsp_state_json(f->s.ip, f->now);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "role")),
			    "secondary");
	assert_string_equal(json_string_value(json_object_get(j, "mode")),
			    "active");
	assert_true(json_is_false(json_object_get(j, "peer_up")));
	assert_true(json_is_false(json_object_get(j, "all_free")));
	json_decref(j);

	up(f);
	register_new(&f->p, "n1@example.net", 1);
	register_new(&f->p, "n2@example.net", 1);
	register_new(&f->s, "n3@example.net", 1);
	j = ipsp_state_json(f->p.ip, f->now);
	assert_string_equal(json_string_value(json_object_get(j, "role")),
			    "primary");
	assert_string_equal(json_string_value(json_object_get(j, "mode")),
			    "active");
	assert_true(json_is_true(json_object_get(j, "peer_up")));
	assert_true(json_is_false(json_object_get(j, "all_free")));
	pools = json_object_get(j, "pools");
	assert_int_equal(json_array_size(pools), 1);
	p0 = json_array_get(pools, 0);
	assert_string_equal(json_string_value(json_object_get(p0, "name")),
			    "p");
	assert_int_equal(json_integer_value(json_object_get(p0, "used")), 2);
	assert_int_equal(json_integer_value(json_object_get(p0, "released")),
			 BLOCK);
	json_decref(j);

	j = ipsp_state_json(f->s.ip, f->now);
	assert_string_equal(json_string_value(json_object_get(j, "role")),
			    "secondary");
	assert_true(json_is_true(json_object_get(j, "peer_up")));
	p0 = json_array_get(json_object_get(j, "pools"), 0);
	assert_string_equal(json_string_value(json_object_get(p0, "name")),
			    "p");
	assert_int_equal(json_integer_value(json_object_get(p0, "used")), 1);
	assert_int_equal(json_integer_value(json_object_get(p0, "released")),
			 0);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_secondary_locked_at_start),
		T(test_connect_and_block),
		T(test_handoff_same_nai),
		T(test_handoff_other_nai_refused),
		T(test_handoff_free_address),
		T(test_all_free),
		T(test_reverse_after_all_free),
		T(r1_flap_after_hello),
		T(r2_primary_inactive),
		T(r3_stale_grant),
		T(r8_wait_forever),
		T(r9_restart_after_all_free),
		T(n1_mismatch_primary_stuck),
		T(n1b_checkconfig_peer_primary_stuck),
		T(n2_primary_inactive_dup),
		T(n3_all_free_lost),
		T(n4_locked_after_exhausted),
		T(n6_other_pool_address),
		T(n5_reload_cancels_handoff),
		T(n8_inactive_then_active_takes_over),
		T(test_going_down_frozen),
		T(m1_double_handover_lost),
		T(m2_check_secondary_block_dup),
		T(test_check_config),
		T(test_check_config_match),
		T(test_active_mismatch),
		T(test_dead_interval_no_address),
		T(test_dead_interval_with_block),
		T(test_going_down_primary),
		T(test_going_down_secondary),
		T(test_reconnect_both_primary),
		T(test_partition_heals),
		T(test_dead_interval_peer_heard_again),
		T(test_protocol_errors),
		T(test_grant_id_zero),
		T(test_keepalive_interval),
		T(test_request_crossing_all_free),
		T(test_json),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

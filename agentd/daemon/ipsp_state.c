// SPDX-License-Identifier: GPL-2.0
/*
 * ipsp_state: see ipsp_state.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <openssl/evp.h>

#include "binding_store.h"
#include "config.h"
#include "config_ipsp.h"
#include "ipsp_state.h"
#include "log.h"
#include "pool.h"
#include "reg_pipeline.h"

/* ---- the book: which pool addresses IPSP has busied out ---------------- */

struct book_range {
	uint32_t first, last; /* host order */
	uint64_t *busy;	      /* one bit per address */
	/*
	 * Primary, between the secondary's HELLO and its last claim: the
	 * busy addresses no claim has confirmed yet. Those still set at the
	 * last claim are given back (the secondary no longer holds them);
	 * a connection lost before that changes nothing.
	 */
	uint64_t *unconf;
};

struct book_pool {
	const struct config_pool *cp;
	struct book_range *r;
	size_t n;
	uint64_t size, busy;
	uint8_t digest[IPSP_DIGEST_LEN];
	uint32_t block_req; /* id of the block request in flight, 0: none */
	uint64_t quiet_until_ms; /* refused: no block asked ahead until */
};

/* A registration parked for the primary's answer. */
struct ipsp_wait {
	struct ipsp_wait *next;
	struct reg_txn *t;
	uint32_t id;	  /* ADDR_REQUEST's id; 0 for a block wait */
	size_t pool;	  /* block wait: the book pool */
	struct in_addr addr;
	uint64_t deadline_ms; /* not answered by then: refused (130) */
};

/* A binding removal in flight and what it is for. */
enum release_why {
	REL_GRANT, /* a handoff: GRANT the address when it is gone */
	REL_CLAIM, /* a newer claim of the secondary's: busy it out */
	REL_PEER,  /* the primary's RELEASE: busy it out */
};

struct ipsp_release {
	struct ipsp_release *next;
	struct in_addr addr;
	enum release_why why;
	uint32_t id;	/* REL_GRANT */
	uint32_t epoch; /* the connection it answers (REL_GRANT) */
};

/* An address the primary's bindings held when it went down. */
struct used_entry {
	uint32_t addr; /* host order, the key of the sorted array */
	uint8_t nai_sum[16]; /* SHA-256 of the NAI, its first half: 20
			      * bytes an address however long the NAI */
};

struct ipsp_state {
	const struct config *cfg;
	const struct config_ipsp *ic;
	struct pool_set *pools;
	struct binding_store *store;
	const struct ipsp_state_ops *ops;
	void *ctx;

	uint8_t role_cfg, role, mode;
	bool connected, hello_rx;
	bool peer_alive;    /* heard within the dead interval */
	bool dead_handled;  /* the dead interval's decision was taken */
	bool ready;	    /* primary: knows what the secondary holds */
	bool all_free;	    /* primary: raised (until the role changes) */
	bool locked;	    /* secondary: nothing approved since locking */
	bool had_used;	    /* primary: held an address while working */
	bool going_down;    /* told the peer we go: nothing more happens */
	bool config_known, config_match;
	uint8_t peer_role, peer_role_cfg, peer_mode;
	uint32_t peer_dead;
	uint64_t start_ms, last_rx_ms, last_tx_ms;
	uint64_t now_ms; /* of the last frame or tick */
	uint64_t last_work_ms; /* the last frame of a peer working with us */

	struct book_pool *book;
	size_t n_book;
	uint8_t digest[IPSP_DIGEST_LEN];
	json_t *diff; /* array of strings: what differs from the peer */

	struct ipsp_wait *waits;
	struct ipsp_release *releases;
	uint32_t next_id; /* the last request id used (they only grow: an
			   * answer to an id of before is stale, not a lie) */
	uint32_t conn_epoch; /* +1 a connection: releases know theirs */
	uint64_t hello_ms;   /* when the peer's HELLO came */
	bool claims_done;    /* primary: the secondary's HELD_LAST came */
	bool handed;	     /* primary since the peer handed over (ALL_FREE):
			      * it stays so when the other comes back */

	struct used_entry *used; /* the primary's, at its GOING_DOWN */
	size_t n_used, cap_used;
	bool used_sorted;

	struct ipsp_counters c;
	uint8_t *frame;	     /* IPSP_FRAME_BUF bytes to build in */
	uint8_t *held_frame; /* ... and HELD / RELEASE frames, entry by
			      * entry, while others may be sent */
};

static const char *role_name(uint8_t r)
{
	return ipsp_role_name(r);
}

static const char *addr_str(struct in_addr a, char buf[INET_ADDRSTRLEN])
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static struct in_addr in_of(uint32_t host)
{
	struct in_addr a = { htonl(host) };

	return a;
}

static int book_init(struct ipsp_state *st)
{
	size_t i, j;

	st->n_book = st->cfg->n_pools;
	st->book = calloc(st->n_book ?: 1, sizeof(*st->book));
	if (!st->book)
		return -ENOMEM;
	for (i = 0; i < st->n_book; i++) {
		struct book_pool *bp = &st->book[i];
		const struct config_pool *cp = &st->cfg->pools[i];

		bp->cp = cp;
		bp->r = calloc(cp->n_ranges ?: 1, sizeof(*bp->r));
		if (!bp->r)
			return -ENOMEM;
		bp->n = cp->n_ranges; /* (book_free() frees what is here) */
		for (j = 0; j < bp->n; j++) {
			struct book_range *r = &bp->r[j];
			uint64_t size;

			r->first = cp->ranges[j].range.first;
			r->last = cp->ranges[j].range.last;
			size = (uint64_t)r->last - r->first + 1;
			r->busy = calloc((size + 63) / 64, sizeof(uint64_t));
			r->unconf = calloc((size + 63) / 64, sizeof(uint64_t));
			if (!r->busy || !r->unconf)
				return -ENOMEM;
			bp->size += size;
		}
		config_ipsp_pool_digest(cp, bp->digest);
	}
	config_ipsp_pools_digest(st->cfg, st->digest);
	return 0;
}

static void book_free(struct ipsp_state *st)
{
	size_t i, j;

	for (i = 0; st->book && i < st->n_book; i++) {
		for (j = 0; j < st->book[i].n; j++) {
			free(st->book[i].r[j].busy);
			free(st->book[i].r[j].unconf);
		}
		free(st->book[i].r);
	}
	free(st->book);
	st->book = NULL;
}

/* The book pool and range of addr (host order): false if in none. */
static bool book_find(const struct ipsp_state *st, uint32_t a, size_t *pi,
		      struct book_range **rp)
{
	size_t i, j;

	for (i = 0; i < st->n_book; i++)
		for (j = 0; j < st->book[i].n; j++) {
			struct book_range *r = &st->book[i].r[j];

			if (a >= r->first && a <= r->last) {
				*pi = i;
				*rp = r;
				return true;
			}
		}
	return false;
}

static bool bit_get(const struct book_range *r, uint32_t a)
{
	uint64_t o = a - r->first;

	return r->busy[o / 64] >> (o % 64) & 1;
}

static void bit_set(struct book_range *r, uint32_t a, bool v)
{
	uint64_t o = a - r->first, m = 1ULL << (o % 64);

	if (v)
		r->busy[o / 64] |= m;
	else
		r->busy[o / 64] &= ~m;
}

static bool is_busy(const struct ipsp_state *st, uint32_t a)
{
	struct book_range *r;
	size_t pi;

	return book_find(st, a, &pi, &r) && bit_get(r, a);
}

/*
 * Busy addr out here. Free: reserved now. Already reserved and
 * held_already (a binding was removed with its address kept, or a
 * handoff's reservation comes back): the reservation becomes IPSP's.
 * 0, or -EEXIST (reserved by someone else: bound or in flight).
 */
static int busy_out(struct ipsp_state *st, uint32_t a, bool held_already)
{
	struct book_range *r;
	size_t pi;

	if (!book_find(st, a, &pi, &r))
		return -ENOENT;
	if (bit_get(r, a))
		return 0;
	if (!held_already) {
		if (binding_store_find_addr(st->store, in_of(a)))
			return -EEXIST;
		if (pool_reserve(st->pools, NULL, in_of(a)))
			return -EEXIST;
	} else if (!pool_in_use(st->pools, in_of(a)) &&
		   pool_reserve(st->pools, NULL, in_of(a))) {
		return -EEXIST;
	}
	bit_set(r, a, true);
	st->book[pi].busy++;
	return 0;
}

/* Hand addr back to its pool (free here). */
static void unbusy(struct ipsp_state *st, uint32_t a)
{
	struct book_range *r;
	size_t pi;

	if (!book_find(st, a, &pi, &r) || !bit_get(r, a))
		return;
	bit_set(r, a, false);
	st->book[pi].busy--;
	pool_release(st->pools, in_of(a));
}

/* The busy bit of addr goes, its reservation stays: a binding's now. */
static bool take_busy(struct ipsp_state *st, uint32_t a)
{
	struct book_range *r;
	size_t pi;

	if (!book_find(st, a, &pi, &r) || !bit_get(r, a))
		return false;
	bit_set(r, a, false);
	st->book[pi].busy--;
	return true;
}

static void unconf_clear(struct book_range *r, uint32_t a)
{
	uint64_t o = a - r->first;

	r->unconf[o / 64] &= ~(1ULL << (o % 64));
}

/* A primary's busy set, to be confirmed by the secondary's claims. */
static void unconf_mark(struct ipsp_state *st)
{
	size_t i, j;

	for (i = 0; i < st->n_book; i++)
		for (j = 0; j < st->book[i].n; j++) {
			struct book_range *r = &st->book[i].r[j];
			uint64_t words = ((uint64_t)r->last - r->first + 64) / 64;

			memcpy(r->unconf, r->busy, words * sizeof(uint64_t));
		}
}

/*
 * done: the last claim came; what none confirmed is ours again (given
 * back to the pools). Else (the connection went first) nothing changes.
 * Returns how many were given back.
 */
static uint64_t unconf_settle(struct ipsp_state *st, bool done)
{
	uint64_t n = 0, a;
	size_t i, j;

	for (i = 0; i < st->n_book; i++)
		for (j = 0; j < st->book[i].n; j++) {
			struct book_range *r = &st->book[i].r[j];

			for (a = r->first; a <= r->last; a++) {
				uint64_t o = a - r->first;

				if (!(r->unconf[o / 64] >> (o % 64) & 1))
					continue;
				unconf_clear(r, (uint32_t)a);
				if (done && bit_get(r, (uint32_t)a)) {
					unbusy(st, (uint32_t)a);
					n++;
				}
			}
		}
	return n;
}

/* Lock: every free address busied out. */
static void busy_all_free(struct ipsp_state *st)
{
	size_t i, j;
	uint64_t a;

	for (i = 0; i < st->n_book; i++)
		for (j = 0; j < st->book[i].n; j++) {
			struct book_range *r = &st->book[i].r[j];

			for (a = r->first; a <= r->last; a++)
				if (!bit_get(r, (uint32_t)a) &&
				    !pool_in_use(st->pools, in_of((uint32_t)a)))
					busy_out(st, (uint32_t)a, false);
		}
}

static bool used_find(struct ipsp_state *st, uint32_t a,
		      const struct used_entry **out);

/* Every busy address back to the pools, but the primary's used ones. */
static void unbusy_all(struct ipsp_state *st, bool keep_used)
{
	size_t i, j;
	uint64_t a;

	for (i = 0; i < st->n_book; i++)
		for (j = 0; j < st->book[i].n; j++) {
			struct book_range *r = &st->book[i].r[j];

			for (a = r->first; a <= r->last; a++)
				if (bit_get(r, (uint32_t)a) &&
				    !(keep_used &&
				      used_find(st, (uint32_t)a, NULL)))
					unbusy(st, (uint32_t)a);
		}
}

/*
 * Addresses of book pool i bound or in flight here. The book and the pool
 * set are both built from the configuration's pools, in its order (and the
 * pools cannot change while IPSP is configured): book pool i is pool i.
 */
static uint64_t pool_used(const struct ipsp_state *st, size_t i)
{
	struct pool_stats ps;

	if (pool_get_stats(st->pools, i, &ps) ||
	    strcmp(ps.name, st->book[i].cp->name))
		return 0;
	return ps.used >= st->book[i].busy ? ps.used - st->book[i].busy : 0;
}

static uint64_t total_used(const struct ipsp_state *st)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < st->n_book; i++)
		n += pool_used(st, i);
	return n;
}

/* Free addresses of pool i here (a secondary's: its block's). */
static uint64_t pool_free(const struct ipsp_state *st, size_t i)
{
	uint64_t in_use = pool_used(st, i) + st->book[i].busy;

	return st->book[i].size > in_use ? st->book[i].size - in_use : 0;
}

static size_t book_by_name(const struct ipsp_state *st, const char *name,
			   size_t len)
{
	size_t i;

	for (i = 0; i < st->n_book; i++)
		if (strlen(st->book[i].cp->name) == len &&
		    !memcmp(st->book[i].cp->name, name, len))
			return i;
	return SIZE_MAX;
}

/* ---- the primary's used addresses, kept by the secondary -------------- */

static int used_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct used_entry *)a)->addr,
		 y = ((const struct used_entry *)b)->addr;

	return x < y ? -1 : x > y;
}

static bool used_find(struct ipsp_state *st, uint32_t a,
		      const struct used_entry **out)
{
	struct used_entry key = { .addr = a }, *e;

	if (!st->n_used)
		return false;
	if (!st->used_sorted) {
		size_t i, n = 0;

		qsort(st->used, st->n_used, sizeof(*st->used), used_cmp);
		/* an address sent twice is kept once */
		for (i = 0; i < st->n_used; i++) {
			if (n && st->used[n - 1].addr == st->used[i].addr)
				n--;
			st->used[n++] = st->used[i];
		}
		st->n_used = n;
		st->used_sorted = true;
	}
	e = bsearch(&key, st->used, st->n_used, sizeof(*st->used), used_cmp);
	if (e && out)
		*out = e;
	return e;
}

/* The first half of SHA-256(nai): an NAI compared in 16 bytes. */
static void nai_sum(const uint8_t *nai, uint8_t len, uint8_t out[16])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(nai ? nai : (const uint8_t *)"", len, md, &n,
			EVP_sha256(), NULL) || n < 16)
		memset(md, 0xff, 16); /* matches no NAI's digest in practice */
	memcpy(out, md, 16);
}

static int used_add(struct ipsp_state *st, const struct ipsp_entry *e)
{
	struct used_entry *u;
	uint64_t size = 0;
	size_t i;
	struct book_range *r;

	/* only addresses of our pools, each counted against their size */
	if (!book_find(st, ntohl(e->addr.s_addr), &i, &r))
		return 0;
	for (i = 0; i < st->n_book; i++)
		size += st->book[i].size;
	if (st->n_used >= size)
		return -E2BIG; /* more than the pools hold: not the primary's */
	if (st->n_used == st->cap_used) {
		size_t cap = st->cap_used ? 2 * st->cap_used : 256;

		u = realloc(st->used, cap * sizeof(*u));
		if (!u)
			return -ENOMEM;
		st->used = u;
		st->cap_used = cap;
	}
	u = &st->used[st->n_used++];
	u->addr = ntohl(e->addr.s_addr);
	nai_sum(e->nai, e->nai_len, u->nai_sum);
	st->used_sorted = false;
	return 0;
}

static void used_clear(struct ipsp_state *st)
{
	free(st->used);
	st->used = NULL;
	st->n_used = st->cap_used = 0;
}

/* ---- sending ------------------------------------------------------------ */

static void event(struct ipsp_state *st, const char *what, json_t *fields)
{
	if (st->ops->event)
		st->ops->event(st->ctx, what, fields);
	json_decref(fields);
}

static int send_frame(struct ipsp_state *st, ssize_t len)
{
	if (len < 0)
		return (int)len;
	if (!st->connected)
		return -ENOTCONN;
	st->last_tx_ms = st->start_ms > st->last_tx_ms ? st->start_ms :
							 st->last_tx_ms;
	return st->ops->send(st->ctx, st->frame, (size_t)len);
}

static int send_held(struct ipsp_state *st, ssize_t len)
{
	if (len < 0)
		return (int)len;
	if (!st->connected)
		return -ENOTCONN;
	return st->ops->send(st->ctx, st->held_frame, (size_t)len);
}

static int send_hello(struct ipsp_state *st)
{
	struct ipsp_hello_pool pools[IPSP_POOLS_MAX];
	struct ipsp_hello h = {
		.role_cfg = st->role_cfg,
		.role = st->role,
		.mode = st->mode,
		.flags = (st->role != st->role_cfg ? IPSP_HELLO_ACTING : 0) |
			 (st->all_free ? IPSP_HELLO_ALL_FREE : 0) |
			 (st->handed ? IPSP_HELLO_HANDED : 0),
		.dead_interval = st->ic->dead_interval,
		.pools = pools,
	};
	size_t i;

	memcpy(h.digest, st->digest, sizeof(h.digest));
	for (i = 0; i < st->n_book && i < IPSP_POOLS_MAX; i++) {
		pools[i].name = st->book[i].cp->name;
		pools[i].name_len = (uint8_t)strlen(st->book[i].cp->name);
		pools[i].digest = st->book[i].digest;
	}
	h.n_pools = (uint16_t)i;
	return send_frame(st, ipsp_encode_hello(st->frame, IPSP_FRAME_BUF, &h));
}

static int send_empty(struct ipsp_state *st, enum ipsp_type type)
{
	return send_frame(st,
			  ipsp_encode_empty(st->frame, IPSP_FRAME_BUF, type));
}

static int send_grant(struct ipsp_state *st, uint32_t id, uint8_t status,
		      const struct ipsp_range *ranges, uint16_t n)
{
	struct ipsp_grant g = {
		.id = id, .status = status, .n_ranges = n, .ranges = ranges
	};

	int err = send_frame(st, ipsp_encode_grant(st->frame, IPSP_FRAME_BUF,
						   &g));

	if (!err && status == IPSP_OK)
		st->c.grants++;
	else if (!err)
		st->c.denials++;
	return err;
}

static uint32_t new_id(struct ipsp_state *st)
{
	if (!++st->next_id)
		st->next_id = 1;
	return st->next_id;
}

static int send_block_request(struct ipsp_state *st, size_t i)
{
	struct ipsp_block_request r = {
		.count = st->ic->block,
		.name = st->book[i].cp->name,
		.name_len = (uint8_t)strlen(st->book[i].cp->name),
	};
	int err;

	if (st->book[i].block_req)
		return 0;
	r.id = new_id(st);
	err = send_frame(st, ipsp_encode_block_request(st->frame,
						       IPSP_FRAME_BUF, &r));
	if (!err) {
		st->book[i].block_req = r.id;
		st->c.block_requests++;
	}
	return err;
}

/*
 * HELD / RELEASE frames of the addresses that pass want(), built entry by
 * entry: a frame that fills is sent and another begun.
 */
struct held_out {
	struct ipsp_state *st;
	struct ipsp_held_builder b;
	enum ipsp_type type;
	int err;
	size_t n;
};

static void held_begin(struct held_out *h, struct ipsp_state *st,
		       enum ipsp_type type)
{
	h->st = st;
	h->type = type;
	h->err = ipsp_held_begin(&h->b, st->held_frame, IPSP_FRAME_BUF, type);
	h->n = 0;
}

static void held_add(struct held_out *h, const struct ipsp_entry *e)
{
	int err;

	if (h->err)
		return;
	err = ipsp_held_add(&h->b, e);
	if (err == -ENOSPC) {
		h->err = send_held(h->st, ipsp_held_finish(&h->b, 0));
		if (!h->err)
			h->err = ipsp_held_begin(&h->b, h->st->held_frame,
						 IPSP_FRAME_BUF, h->type);
		err = h->err ? h->err : ipsp_held_add(&h->b, e);
	}
	/* an entry the codec refuses (an NAI it cannot carry): not sent */
	if (!err)
		h->n++;
}

static int held_finish(struct held_out *h)
{
	if (h->err)
		return h->err;
	return send_held(h->st, ipsp_held_finish(&h->b, IPSP_HELD_LAST));
}

/* The entry of a binding (BOUND, its NAI and Identification). */
static void entry_of(const struct reg_binding *b, struct ipsp_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->addr = b->home_addr;
	e->flags = IPSP_ENTRY_BOUND;
	if (b->replay.seen) {
		e->id = b->replay.last_id;
		if (b->replay_method == REPLAY_TIMESTAMP)
			e->flags |= IPSP_ENTRY_TIMESTAMP;
	}
	e->nai_len = b->nai_len;
	e->nai = b->nai;
}

/*
 * What we hold of the pools: every address not busied out that is
 * bound, in flight, or (held_free: a secondary's block) free.
 */
static int send_holdings(struct ipsp_state *st, bool held_free)
{
	struct held_out h;
	size_t i, j;
	uint64_t a;

	held_begin(&h, st, IPSP_HELD);
	for (i = 0; i < st->n_book; i++)
		for (j = 0; j < st->book[i].n; j++) {
			struct book_range *r = &st->book[i].r[j];

			for (a = r->first; a <= r->last; a++) {
				struct in_addr ia = in_of((uint32_t)a);
				const struct reg_binding *b;
				struct ipsp_entry e = { .addr = ia };

				if (bit_get(r, (uint32_t)a))
					continue;
				b = binding_store_find_addr(st->store, ia);
				if (b)
					entry_of(b, &e);
				else if (!held_free &&
					 !pool_in_use(st->pools, ia))
					continue;
				held_add(&h, &e);
			}
		}
	return held_finish(&h);
}

/* ---- roles -------------------------------------------------------------- */

static void role_event(struct ipsp_state *st, const char *why)
{
	log_notice("ipsp: %s now (%s)", role_name(st->role), why);
	event(st, "role",
	      json_pack("{s:s, s:s, s:b}", "role", role_name(st->role), "why",
			why, "acting", st->role != st->role_cfg));
}

static void fail_waits(struct ipsp_state *st, int err);

/* Secondary: lock, then (connected) claim and ask. */
static void become_secondary(struct ipsp_state *st, const char *why)
{
	bool was = st->role == IPSP_ROLE_SECONDARY;

	st->role = IPSP_ROLE_SECONDARY;
	st->all_free = false;
	st->ready = false;
	used_clear(st);
	busy_all_free(st);
	st->locked = true;
	if (!was)
		role_event(st, why);
}

static void retry_waits(struct ipsp_state *st);

enum take_how {
	TAKE_ALL,	/* the peer holds nothing (it handed over, is dead) */
	TAKE_KEEP_USED, /* ... but what its bindings held (it went down) */
	TAKE_CLAIMED,	/* the peer says what it holds: busy until then */
};

static void become_primary(struct ipsp_state *st, const char *why,
			   enum take_how how)
{
	st->role = IPSP_ROLE_PRIMARY;
	st->had_used = false;
	st->all_free = false;
	st->handed = false;
	/* the secondary (connected, it says so at once) claims afresh */
	st->claims_done = false;
	st->hello_ms = st->now_ms;
	st->locked = false;
	st->ready = how != TAKE_CLAIMED;
	if (how == TAKE_CLAIMED)
		unconf_mark(st);
	else
		unbusy_all(st, how == TAKE_KEEP_USED);
	if (how != TAKE_KEEP_USED)
		used_clear(st);
	if (st->role_cfg != IPSP_ROLE_PRIMARY)
		st->c.takeovers++;
	role_event(st, why);
	/* what waited for the old primary is ours to decide now */
	retry_waits(st);
}

/* Does this side work the protocol with the peer now? */
static bool working(const struct ipsp_state *st)
{
	return st->mode == IPSP_MODE_ACTIVE && st->connected && st->hello_rx &&
	       st->peer_mode == IPSP_MODE_ACTIVE && st->config_match;
}

/* A secondary, connected: its claims, then a block of each pool it lacks. */
static void secondary_start(struct ipsp_state *st)
{
	size_t i;

	if (send_holdings(st, true))
		return;
	for (i = 0; i < st->n_book; i++) {
		st->book[i].block_req = 0;
		if (!pool_free(st, i) && send_block_request(st, i))
			return;
	}
}

/* ---- the registration path's allocator ---------------------------------- */

static void wait_add(struct ipsp_state *st, struct ipsp_wait *w)
{
	w->deadline_ms = st->now_ms + st->ic->dead_interval * 1000ULL;
	w->next = st->waits;
	st->waits = w;
}

static struct ipsp_wait *wait_unlink(struct ipsp_state *st,
				     struct ipsp_wait *w)
{
	struct ipsp_wait **pp;

	for (pp = &st->waits; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return w;
		}
	return NULL;
}

/* Every parked registration answered with err (130). */
static void fail_waits(struct ipsp_state *st, int err)
{
	struct ipsp_wait *w;
	struct in_addr none = { 0 };

	while ((w = st->waits)) {
		st->waits = w->next;
		st->c.refused_sessions++;
		st->ops->alloc_done(st->ctx, w->t, err, none);
		free(w);
	}
	for (size_t i = 0; i < st->n_book; i++)
		st->book[i].block_req = 0;
}

/* Is addr (a node's Home Address field) one of ours to keep? */
/*
 * May a node of pool name (len bytes) hold an address of book pool pi?
 * Its own pool, or one of its group (allocated from as one pool).
 */
static bool pool_accepts(const struct ipsp_state *st, const char *name,
			 size_t len, size_t pi)
{
	size_t i = book_by_name(st, name, len);
	const struct config_pool *a, *b;

	if (i == SIZE_MAX)
		return false;
	if (i == pi)
		return true;
	a = st->book[i].cp;
	b = st->book[pi].cp;
	return a->group && b->group && !strcmp(a->group, b->group);
}

/*
 * The address t's node holds and asks for (its Home Address field), when
 * it is one its own pool may give: a node never picks an address of
 * another pool (another network) nor one it did not hold there.
 */
static bool wanted_of(const struct ipsp_state *st, const struct reg_txn *t,
		      uint32_t *a)
{
	const char *pool = t->d.host.pool;
	struct book_range *r;
	size_t pi;

	*a = ntohl(t->req_home.s_addr);
	return t->req_home.s_addr && t->req_home.s_addr != INADDR_BROADCAST &&
	       pool && book_find(st, *a, &pi, &r) &&
	       pool_accepts(st, pool, strlen(pool), pi);
}

static const uint8_t *sum_of(const struct reg_txn *t, uint8_t sum[16])
{
	nai_sum(t->ident, t->ident_len, sum);
	return sum;
}

static int alloc_cb(void *ctx, struct reg_txn *t, struct in_addr *out)
{
	struct ipsp_state *st = ctx;
	const char *pool = t->d.host.pool;
	const struct used_entry *u;
	uint8_t sum[16];
	uint32_t a;
	int ret;

	if (st->mode != IPSP_MODE_ACTIVE || !config_ipsp(st->cfg))
		return binding_store_pool_alloc(st->store, pool, out);
	if (st->going_down) {
		/* the peer was told what we hold: nothing new */
		st->c.refused_sessions++;
		return -EAGAIN;
	}
	if (st->role == IPSP_ROLE_PRIMARY && !st->ready) {
		/* what the secondary holds is not known yet */
		st->c.refused_sessions++;
		return -EAGAIN;
	}
	if (wanted_of(st, t, &a)) {
		/* A node asks for the address it holds: keep it if we can. */
		if (!is_busy(st, a)) {
			if (!binding_store_find_addr(st->store, in_of(a)) &&
			    !pool_reserve(st->pools, pool, in_of(a))) {
				*out = in_of(a);
				return 0;
			}
		} else if (st->role == IPSP_ROLE_SECONDARY) {
			/* a handoff: the primary must release it */
			if (!working(st)) {
				st->c.refused_sessions++;
				return -EAGAIN;
			}
			return -EINPROGRESS;
		} else if (st->n_used && t->ident_len &&
			   used_find(st, a, &u) &&
			   !memcmp(u->nai_sum, sum_of(t, sum), 16) &&
			   take_busy(st, a)) {
			/* acting primary: the node the primary held it for */
			*out = in_of(a);
			return 0;
		}
	}
	if (st->role == IPSP_ROLE_PRIMARY)
		return binding_store_pool_alloc(st->store, pool, out);
	ret = binding_store_pool_alloc(st->store, pool, out);
	if (ret != -ENOSPC)
		return ret;
	/* nothing approved yet, or no primary to ask: refused (seed 004) */
	if (st->locked || !working(st)) {
		st->c.refused_sessions++;
		return -EAGAIN;
	}
	return -EINPROGRESS; /* the next block */
}

static int wait_cb(void *ctx, struct reg_txn *t)
{
	struct ipsp_state *st = ctx;
	struct ipsp_wait *w = calloc(1, sizeof(*w));
	uint32_t a;
	size_t i;
	int err;

	if (!w)
		return -ENOMEM;
	w->t = t;
	if (wanted_of(st, t, &a) && is_busy(st, a)) {
		struct ipsp_addr_request r = {
			.addr = in_of(a),
			.name = t->d.host.pool,
			.name_len = (uint8_t)strlen(t->d.host.pool),
			.nai_len = t->ident_len,
			.nai = t->ident,
		};

		r.id = w->id = new_id(st);
		w->addr = r.addr;
		err = send_frame(st, ipsp_encode_addr_request(
					     st->frame, IPSP_FRAME_BUF, &r));
		if (err) {
			free(w);
			return err;
		}
		st->c.addr_requests++;
		wait_add(st, w);
		return 0;
	}
	i = t->d.host.pool ? book_by_name(st, t->d.host.pool,
					  strlen(t->d.host.pool)) :
			     SIZE_MAX;
	if (i == SIZE_MAX) {
		free(w);
		return -ENOENT;
	}
	w->pool = i;
	err = send_block_request(st, i);
	if (err) {
		free(w);
		return err;
	}
	wait_add(st, w);
	return 0;
}

static void release_cb(void *ctx, struct in_addr a)
{
	struct ipsp_state *st = ctx;

	binding_store_pool_unreserve(st->store, a);
}

static void cancel_cb(void *ctx, struct reg_txn *t)
{
	struct ipsp_state *st = ctx;
	struct ipsp_wait *w;

	for (w = st->waits; w; w = w->next)
		if (w->t == t) {
			wait_unlink(st, w);
			free(w);
			return;
		}
}

static const struct reg_allocator_ops allocator_ops = {
	.alloc = alloc_cb,
	.wait = wait_cb,
	.release = release_cb,
	.cancel = cancel_cb,
};

/* Every parked registration decided again (we became the primary). */
static void retry_waits(struct ipsp_state *st)
{
	struct ipsp_wait *w;
	struct in_addr a = { 0 };
	int err;
	size_t i;

	for (i = 0; i < st->n_book; i++)
		st->book[i].block_req = 0;
	while ((w = st->waits)) {
		st->waits = w->next;
		err = alloc_cb(st, w->t, &a);
		if (err == -EINPROGRESS)
			err = -EAGAIN;
		st->ops->alloc_done(st->ctx, w->t, err, a);
		free(w);
	}
}

void ipsp_state_allocator(struct ipsp_state *st, struct reg_allocator *a)
{
	a->ops = &allocator_ops;
	a->ctx = st;
}

/* Block waits of pool i served from what is free now. */
static void serve_block_waits(struct ipsp_state *st, size_t i)
{
	struct ipsp_wait **pp = &st->waits, *w;
	struct in_addr a;

	while ((w = *pp)) {
		if (w->id || w->pool != i) {
			pp = &w->next;
			continue;
		}
		if (binding_store_pool_alloc(st->store, st->book[i].cp->name,
					     &a)) {
			if (working(st))
				send_block_request(st, i);
			return;
		}
		*pp = w->next;
		st->ops->alloc_done(st->ctx, w->t, 0, a);
		free(w);
	}
}

/* ---- the primary: requests, claims -------------------------------------- */

static int range_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int serve_block(struct ipsp_state *st,
		       const struct ipsp_block_request *r)
{
	static struct ipsp_range ranges[IPSP_RANGES_MAX];
	uint32_t *got;
	uint32_t n = 0, k;
	uint16_t nr = 0;
	struct in_addr a;
	size_t i;
	int err;

	if (st->role != IPSP_ROLE_PRIMARY)
		return send_grant(st, r->id, IPSP_ST_NOT_PRIMARY, NULL, 0);
	if (!working(st))
		return send_grant(st, r->id, IPSP_ST_NOT_READY, NULL, 0);
	i = book_by_name(st, r->name, r->name_len);
	if (i == SIZE_MAX)
		return send_grant(st, r->id, IPSP_ST_NO_POOL, NULL, 0);
	st->c.block_requests++;
	got = malloc(r->count * sizeof(*got));
	if (!got)
		return send_grant(st, r->id, IPSP_ST_ERROR, NULL, 0);
	while (n < r->count &&
	       !binding_store_pool_alloc(st->store, st->book[i].cp->name, &a)) {
		got[n++] = ntohl(a.s_addr);
		/* reserved by the pool: busied out (held_already) */
		busy_out(st, ntohl(a.s_addr), true);
	}
	qsort(got, n, sizeof(*got), range_cmp);
	for (k = 0; k < n; k++) {
		if (nr && ntohl(ranges[nr - 1].last.s_addr) + 1 == got[k]) {
			ranges[nr - 1].last = in_of(got[k]);
			continue;
		}
		if (nr == IPSP_RANGES_MAX) {
			/* too scattered to say in one frame: keep the rest */
			for (; k < n; k++)
				unbusy(st, got[k]);
			break;
		}
		ranges[nr].first = ranges[nr].last = in_of(got[k]);
		nr++;
	}
	free(got);
	if (!nr)
		return send_grant(st, r->id, IPSP_ST_EXHAUSTED, NULL, 0);
	err = send_grant(st, r->id, IPSP_OK, ranges, nr);
	return err;
}

static struct ipsp_release *release_find(struct ipsp_state *st,
					 struct in_addr a)
{
	struct ipsp_release *r;

	for (r = st->releases; r; r = r->next)
		if (r->addr.s_addr == a.s_addr)
			return r;
	return NULL;
}

/* Our binding of a removed (kernel, then store): release_done() follows. */
static int release_start(struct ipsp_state *st, struct in_addr a,
			 enum release_why why, uint32_t id)
{
	struct ipsp_release *r;
	int err;

	if (release_find(st, a))
		return -EBUSY;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->addr = a;
	r->why = why;
	r->id = id;
	r->epoch = st->conn_epoch;
	/* listed first: the removal may complete before the call returns */
	r->next = st->releases;
	st->releases = r;
	err = st->ops->release_binding(st->ctx, a);
	if (err) {
		struct ipsp_release **pp;

		for (pp = &st->releases; *pp; pp = &(*pp)->next)
			if (*pp == r) {
				*pp = r->next;
				free(r);
				break;
			}
	}
	return err;
}

static bool same_nai(const struct reg_binding *b, const uint8_t *nai,
		     uint8_t len)
{
	return b->nai_len && b->nai_len == len && !memcmp(b->nai, nai, len);
}

/*
 * A handoff: the node asking holds the address here (the same NAI) or
 * nobody does; it is released and busied out, then granted.
 */
static int serve_addr(struct ipsp_state *st, const struct ipsp_addr_request *r)
{
	uint32_t a = ntohl(r->addr.s_addr);
	struct ipsp_range one = { r->addr, r->addr };
	const struct reg_binding *b;
	struct book_range *rg;
	char as[INET_ADDRSTRLEN];
	size_t pi;
	int err;

	if (st->role != IPSP_ROLE_PRIMARY)
		return send_grant(st, r->id, IPSP_ST_NOT_PRIMARY, NULL, 0);
	if (!working(st))
		return send_grant(st, r->id, IPSP_ST_NOT_READY, NULL, 0);
	st->c.addr_requests++;
	if (!book_find(st, a, &pi, &rg) || !r->name_len ||
	    !pool_accepts(st, r->name, r->name_len, pi))
		return send_grant(st, r->id, IPSP_ST_NO_POOL, NULL, 0);
	if (bit_get(rg, a)) /* released already (an answer lost) */
		return send_grant(st, r->id, IPSP_OK, &one, 1);
	b = binding_store_find_addr(st->store, r->addr);
	if (b) {
		if (!same_nai(b, r->nai, r->nai_len)) {
			log_ratelimited(LOG_WARNING,
					"ipsp: the secondary asked for %s, "
					"bound here to another node: refused",
					addr_str(r->addr, as));
			return send_grant(st, r->id, IPSP_ST_IN_USE, NULL, 0);
		}
		err = release_start(st, r->addr, REL_GRANT, r->id);
		if (err)
			return send_grant(st, r->id, IPSP_ST_ERROR, NULL, 0);
		return 0; /* granted by release_done() */
	}
	if (busy_out(st, a, false)) /* in flight here */
		return send_grant(st, r->id, IPSP_ST_IN_USE, NULL, 0);
	return send_grant(st, r->id, IPSP_OK, &one, 1);
}

/* Is the claim e newer than our binding b of the same node? */
static bool claim_newer(const struct ipsp_entry *e, const struct reg_binding *b)
{
	if ((e->flags & IPSP_ENTRY_TIMESTAMP) && b->replay.seen &&
	    b->replay_method == REPLAY_TIMESTAMP)
		return e->id > b->replay.last_id;
	return true; /* it registered there after leaving us */
}

static void claim_one(struct ipsp_state *st, const struct ipsp_entry *e,
		      struct held_out *back)
{
	uint32_t a = ntohl(e->addr.s_addr);
	const struct reg_binding *b;
	struct book_range *rg;
	struct ipsp_entry mine;
	char as[INET_ADDRSTRLEN];
	size_t pi;

	st->c.claims++;
	if (!book_find(st, a, &pi, &rg))
		return;
	unconf_clear(rg, a); /* the secondary holds it: it stays busy */
	if (bit_get(rg, a))
		return;
	b = binding_store_find_addr(st->store, e->addr);
	if (!b) {
		if (!busy_out(st, a, false))
			return;
		/* in flight here: ours */
		memset(&mine, 0, sizeof(mine));
		mine.addr = e->addr;
	} else if ((e->flags & IPSP_ENTRY_BOUND) &&
		   same_nai(b, e->nai, e->nai_len) && claim_newer(e, b) &&
		   !release_start(st, e->addr, REL_CLAIM, 0)) {
		st->c.conflicts++;
		log_ratelimited(LOG_NOTICE,
				"ipsp: %s bound here and at the secondary: "
				"its registration is newer, ours goes",
				addr_str(e->addr, as));
		return;
	} else {
		/* (a release that could not start: ours stays, as below) */
		entry_of(b, &mine);
	}
	st->c.conflicts++;
	log_ratelimited(LOG_WARNING,
			"ipsp: %s claimed by the secondary is %s here: ours "
			"stays, the secondary drops it",
			addr_str(e->addr, as), b ? "bound" : "in use");
	held_add(back, &mine);
}

/* A secondary's claims (we are primary), or the primary's used list. */
static int on_held(struct ipsp_state *st, const struct ipsp_held *h,
		   const char **why)
{
	struct ipsp_entry_iter it;
	struct ipsp_entry e;
	struct held_out back;
	uint64_t n;
	int err = 0;

	if (st->peer_role == IPSP_ROLE_PRIMARY) {
		/* the primary's bindings, ahead of its GOING_DOWN */
		ipsp_entries_begin(h, &it);
		while (!err && !ipsp_entries_next(&it, &e))
			if (e.flags & IPSP_ENTRY_BOUND)
				err = used_add(st, &e);
		if (err == -E2BIG) {
			*why = "more addresses in use than the pools hold";
			return -EPROTO;
		}
		return err;
	}
	if (st->claims_done) {
		*why = "claims after the last one";
		return -EPROTO;
	}
	held_begin(&back, st, IPSP_RELEASE);
	ipsp_entries_begin(h, &it);
	while (!ipsp_entries_next(&it, &e))
		claim_one(st, &e, &back);
	if (back.n)
		err = held_finish(&back);
	if (h->flags & IPSP_HELD_LAST) {
		st->claims_done = true;
		n = unconf_settle(st, true);
		if (n)
			log_notice("ipsp: %llu addresses released to the "
				   "secondary are ours again (it holds them "
				   "no more)",
				   (unsigned long long)n);
		if (!st->ready)
			log_notice("ipsp: the secondary's addresses are known: "
				   "allocating");
		st->ready = true;
		if (st->ops->kick)
			st->ops->kick(st->ctx);
	}
	return err;
}

/* The primary's RELEASE: our binding of these lost to its. */
static void on_release(struct ipsp_state *st, const struct ipsp_held *h)
{
	struct ipsp_entry_iter it;
	struct ipsp_entry e;
	char as[INET_ADDRSTRLEN];

	ipsp_entries_begin(h, &it);
	while (!ipsp_entries_next(&it, &e)) {
		uint32_t a = ntohl(e.addr.s_addr);

		if (binding_store_find_addr(st->store, e.addr)) {
			log_ratelimited(LOG_WARNING,
					"ipsp: %s is the primary's: our "
					"binding goes",
					addr_str(e.addr, as));
			release_start(st, e.addr, REL_PEER, 0);
		} else {
			busy_out(st, a, false);
		}
	}
}

/* ---- the secondary: answers --------------------------------------------- */

static struct ipsp_wait *wait_by_id(struct ipsp_state *st, uint32_t id)
{
	struct ipsp_wait *w;

	for (w = st->waits; w; w = w->next)
		if (w->id && w->id == id) /* a block wait has none */
			return w;
	return NULL;
}

static int status_err(uint8_t status)
{
	return status == IPSP_ST_IN_USE	   ? -EACCES :
	       status == IPSP_ST_EXHAUSTED ? -ENOSPC :
	       status == IPSP_ST_NO_POOL   ? -ENOENT :
					     -EAGAIN;
}

/*
 * The addresses of an OK GRANT are ours: those busy here go back to our
 * pools (free: our block). 0, or -EPROTO with *why for a grant of more
 * than a block (the whole address space is no grant).
 */
static int take_granted(struct ipsp_state *st, const struct ipsp_grant *g,
			const char **why)
{
	struct ipsp_range rg;
	uint64_t a, n = 0;
	uint16_t k;

	for (k = 0; k < g->n_ranges; k++) {
		ipsp_grant_range(g, k, &rg);
		n += (uint64_t)ntohl(rg.last.s_addr) - ntohl(rg.first.s_addr) +
		     1;
	}
	if (n > IPSP_BLOCK_MAX) {
		*why = "a GRANT of more addresses than a block";
		return -EPROTO;
	}
	for (k = 0; k < g->n_ranges; k++) {
		ipsp_grant_range(g, k, &rg);
		for (a = ntohl(rg.first.s_addr); a <= ntohl(rg.last.s_addr);
		     a++) {
			size_t pi;
			struct book_range *r;

			/* only our own pools' addresses, only busy ones */
			if (book_find(st, (uint32_t)a, &pi, &r) &&
			    bit_get(r, (uint32_t)a))
				unbusy(st, (uint32_t)a);
		}
	}
	return 0;
}

static int on_grant(struct ipsp_state *st, const struct ipsp_grant *g,
		    const char **why)
{
	struct ipsp_wait *w = wait_by_id(st, g->id);
	struct ipsp_range rg;
	size_t i, pool = SIZE_MAX;
	uint16_t k;

	if (g->status == IPSP_OK)
		st->c.grants++;
	else
		st->c.denials++;
	if (w) {
		/* a handoff's address */
		struct in_addr none = { 0 };
		bool ok = false;

		wait_unlink(st, w);
		for (k = 0; g->status == IPSP_OK && k < g->n_ranges; k++) {
			ipsp_grant_range(g, k, &rg);
			ok |= ntohl(rg.first.s_addr) <= ntohl(w->addr.s_addr) &&
			      ntohl(w->addr.s_addr) <= ntohl(rg.last.s_addr);
		}
		if (ok && (take_busy(st, ntohl(w->addr.s_addr)) ||
			   !pool_reserve(st->pools, NULL, w->addr))) {
			st->c.handoffs++;
			st->locked = false;
			st->ops->alloc_done(st->ctx, w->t, 0, w->addr);
		} else {
			st->c.refused_sessions++;
			st->ops->alloc_done(st->ctx, w->t,
					    ok ? -EEXIST : status_err(g->status),
					    none);
		}
		free(w);
		return 0;
	}
	for (i = 0; i < st->n_book; i++)
		if (st->book[i].block_req == g->id)
			pool = i;
	if (pool == SIZE_MAX) {
		/*
		 * An answer to a request given up (the role changed, or the
		 * connection's requests were failed) is stale; an id we never
		 * used is a lie.
		 */
		if (g->id && g->id <= st->next_id) {
			/*
			 * What it granted is ours all the same (the primary
			 * busied it out): kept free here, not lost at both.
			 */
			if (g->status == IPSP_OK &&
			    st->role == IPSP_ROLE_SECONDARY)
				return take_granted(st, g, why);
			return 0;
		}
		*why = "a GRANT for no request of ours";
		return -EPROTO;
	}
	st->book[pool].block_req = 0;
	if (g->status != IPSP_OK) {
		/* not asked again ahead of need for a while */
		st->book[pool].quiet_until_ms =
			st->now_ms + st->ic->dead_interval * 1000ULL;
		struct ipsp_wait **pp = &st->waits;

		/* the pool's waiting registrations: refused */
		while ((w = *pp)) {
			if (w->id || w->pool != pool) {
				pp = &w->next;
				continue;
			}
			*pp = w->next;
			st->c.refused_sessions++;
			st->ops->alloc_done(st->ctx, w->t,
					    status_err(g->status),
					    (struct in_addr){ 0 });
			free(w);
		}
		return 0;
	}
	if (take_granted(st, g, why))
		return -EPROTO;
	st->locked = false;
	serve_block_waits(st, pool);
	return 0;
}

/* ---- HELLO -------------------------------------------------------------- */

static void compare_pools(struct ipsp_state *st, const struct ipsp_hello *h)
{
	struct ipsp_pool_iter it;
	struct ipsp_hello_pool p;
	bool *seen = calloc(st->n_book ?: 1, sizeof(bool));
	char line[160];
	size_t i;

	json_decref(st->diff);
	st->diff = json_array();
	ipsp_pools_begin(h, &it);
	while (!ipsp_pools_next(&it, &p)) {
		i = book_by_name(st, p.name, p.name_len);
		if (i == SIZE_MAX) {
			snprintf(line, sizeof(line),
				 "pool \"%.*s\": only at the peer", p.name_len,
				 p.name);
		} else {
			if (seen)
				seen[i] = true;
			if (!memcmp(st->book[i].digest, p.digest,
				    IPSP_DIGEST_LEN))
				continue;
			snprintf(line, sizeof(line),
				 "pool \"%s\": ranges, priority or group "
				 "differ",
				 st->book[i].cp->name);
		}
		json_array_append_new(st->diff, json_string(line));
	}
	for (i = 0; seen && i < st->n_book; i++)
		if (!seen[i]) {
			snprintf(line, sizeof(line), "pool \"%s\": only here",
				 st->book[i].cp->name);
			json_array_append_new(st->diff, json_string(line));
		}
	if (!json_array_size(st->diff) &&
	    memcmp(st->digest, h->digest, IPSP_DIGEST_LEN))
		json_array_append_new(st->diff,
				      json_string("pool order differs"));
	free(seen);
	st->config_known = true;
	st->config_match = !json_array_size(st->diff);
	if (!st->config_match) {
		for (i = 0; i < json_array_size(st->diff); i++)
			log_warn("ipsp: configuration differs from the "
				 "peer's: %s",
				 json_string_value(json_array_get(st->diff, i)));
		event(st, "config-mismatch",
		      json_pack("{s:O}", "differences", st->diff));
	}
}

static int on_hello(struct ipsp_state *st, const struct ipsp_hello *h,
		    const char **why)
{
	if (h->role_cfg == st->role_cfg) {
		*why = st->role_cfg == IPSP_ROLE_PRIMARY ?
			       "both are configured as the primary" :
			       "both are configured as the secondary";
		return -EPROTO;
	}
	if (st->hello_rx) {
		*why = "a second HELLO";
		return -EPROTO;
	}
	st->hello_rx = true;
	st->hello_ms = st->now_ms;
	st->peer_role_cfg = h->role_cfg;
	st->peer_role = h->role;
	st->peer_mode = h->mode;
	st->peer_dead = h->dead_interval;
	compare_pools(st, h);
	log_notice("ipsp: peer up: configured %s, %s now, mode %s%s",
		   role_name(h->role_cfg), role_name(h->role),
		   ipsp_mode_name(h->mode),
		   st->config_match ? "" : " (configuration differs)");
	event(st, "peer-up",
	      json_pack("{s:s, s:s, s:b}", "peer_role", role_name(h->role),
			"peer_mode", ipsp_mode_name(h->mode), "config_match",
			st->config_match));
	if (!working(st))
		return 0; /* check-config, or not usable: nothing changes */
	/* one primary: see ipsp_state.h, "Roles on connecting" */
	if (h->role == st->role) {
		bool peer_handed = h->flags & IPSP_HELLO_HANDED;

		if (st->role == IPSP_ROLE_PRIMARY &&
		    (peer_handed != st->handed ?
			     peer_handed :
			     st->role_cfg == IPSP_ROLE_SECONDARY))
			become_secondary(st, peer_handed ?
						     "the peer holds the pools "
						     "since we handed over" :
						     "the configured primary is "
						     "back");
		else if (st->role == IPSP_ROLE_SECONDARY && st->all_free &&
			 !(h->flags & IPSP_HELLO_ALL_FREE))
			; /* we handed over (its ALL_FREE was lost): still so */
		else if (st->role == IPSP_ROLE_SECONDARY && !st->all_free &&
			 (h->flags & IPSP_HELLO_ALL_FREE)) {
			/* the peer handed over, and it was lost on the way */
			become_primary(st, "all addresses free at the peer",
				       TAKE_ALL);
			st->handed = true;
		} else if (st->role == IPSP_ROLE_SECONDARY &&
			   st->role_cfg == IPSP_ROLE_PRIMARY)
			become_primary(st, "no primary between us",
				       TAKE_CLAIMED);
		st->peer_role = st->role == IPSP_ROLE_PRIMARY ?
					IPSP_ROLE_SECONDARY :
					IPSP_ROLE_PRIMARY;
		/* two primaries met: allocate once their claims are in */
		if (st->role == IPSP_ROLE_PRIMARY && h->role == IPSP_ROLE_PRIMARY)
			st->ready = false;
	}
	if (st->role == IPSP_ROLE_PRIMARY) {
		/*
		 * What the secondary holds is what its claims say, nothing
		 * more: what we released and it no longer holds (it gave the
		 * role back after a partition, or a grant never reached it)
		 * is ours again once its last claim came (unconf_settle()).
		 * Until then the busy set stands, connection lost or not.
		 */
		unconf_mark(st);
	}
	used_clear(st);
	if (st->role == IPSP_ROLE_SECONDARY)
		secondary_start(st);
	return 0;
}

/* ---- frames ------------------------------------------------------------- */

int ipsp_state_frame(struct ipsp_state *st, const uint8_t *buf, size_t len,
		     uint64_t now_ms, const char **why)
{
	struct ipsp_frame f;
	int err;

	*why = NULL;
	err = ipsp_frame_decode(buf, len, &f);
	if (err == -ENOMSG)
		return 0; /* a type of a newer version */
	if (err) {
		*why = "a malformed frame";
		goto bad;
	}
	st->last_rx_ms = st->now_ms = now_ms;
	if (st->going_down)
		return 0; /* (the connection goes with our GOING_DOWN) */
	if (working(st))
		st->last_work_ms = now_ms;
	if (!st->peer_alive && st->hello_rx && f.hdr.type != IPSP_GOING_DOWN) {
		st->peer_alive = true;
		st->dead_handled = false;
	}
	if (!st->hello_rx && f.hdr.type != IPSP_HELLO) {
		*why = "a frame before HELLO";
		err = -EPROTO;
		goto bad;
	}
	switch (f.hdr.type) {
	case IPSP_HELLO:
		st->peer_alive = true;
		st->dead_handled = false;
		err = on_hello(st, &f.u.hello, why);
		break;
	case IPSP_KEEPALIVE:
		break;
	case IPSP_BLOCK_REQUEST:
		err = serve_block(st, &f.u.block);
		break;
	case IPSP_ADDR_REQUEST:
		err = serve_addr(st, &f.u.addr);
		break;
	case IPSP_GRANT:
		err = on_grant(st, &f.u.grant, why);
		break;
	case IPSP_HELD:
		if (working(st))
			err = on_held(st, &f.u.held, why);
		break;
	case IPSP_RELEASE:
		if (working(st) && st->role == IPSP_ROLE_SECONDARY)
			on_release(st, &f.u.held);
		break;
	case IPSP_ALL_FREE:
		if (working(st) && st->role == IPSP_ROLE_SECONDARY) {
			log_notice("ipsp: the primary holds no address: "
				   "taking over its pools");
			st->peer_role = IPSP_ROLE_SECONDARY;
			become_primary(st, "all addresses free at the primary",
				       TAKE_ALL);
			st->handed = true;
		}
		break;
	case IPSP_GOING_DOWN:
		st->c.going_down_received++;
		st->peer_alive = false;
		st->dead_handled = true;
		log_notice("ipsp: the %s is going down",
			   role_name(st->peer_role));
		event(st, "going-down",
		      json_pack("{s:s}", "peer_role",
				role_name(st->peer_role)));
		event(st, "peer-down",
		      json_pack("{s:s}", "why", "going down"));
		if (st->ops->close)
			st->ops->close(st->ctx, "the peer is going down");
		if (working(st) && st->role == IPSP_ROLE_SECONDARY &&
		    st->peer_role == IPSP_ROLE_PRIMARY) {
			become_primary(st, "the primary is going down",
				       TAKE_KEEP_USED);
		}
		break;
	}
	if (err && *why)
		goto bad;
	return 0;
bad:
	st->c.protocol_errors++;
	return err ? err : -EPROTO;
}

/* ---- the connection ----------------------------------------------------- */

void ipsp_state_connected(struct ipsp_state *st, uint64_t now_ms)
{
	st->connected = true;
	st->hello_rx = false;
	st->last_tx_ms = now_ms;
	st->conn_epoch++;
	st->claims_done = false;
	send_hello(st);
}

void ipsp_state_disconnected(struct ipsp_state *st, uint64_t now_ms)
{
	(void)now_ms;
	if (st->connected && st->hello_rx)
		event(st, "disconnected", json_object());
	st->connected = false;
	st->hello_rx = false;
	unconf_settle(st, false); /* the busy set stands */
	/* an answer that cannot come any more: 130, the node retries */
	fail_waits(st, -EAGAIN);
}

void ipsp_state_release_done(struct ipsp_state *st, struct in_addr addr,
			     int err)
{
	struct ipsp_release **pp, *r;
	struct ipsp_range one = { addr, addr };

	for (pp = &st->releases; (r = *pp); pp = &r->next)
		if (r->addr.s_addr == addr.s_addr)
			break;
	if (!r)
		return;
	*pp = r->next;
	if (!err && r->why == REL_GRANT &&
	    (r->epoch != st->conn_epoch || !st->connected)) {
		/*
		 * Its request's connection is gone (the secondary refused
		 * that registration): the address is ours again, free.
		 */
		binding_store_pool_unreserve(st->store, addr);
		free(r);
		if (st->ops->kick)
			st->ops->kick(st->ctx);
		return;
	}
	if (!err && busy_out(st, ntohl(addr.s_addr), true))
		err = -EEXIST;
	if (r->why == REL_GRANT && r->epoch == st->conn_epoch &&
	    !send_grant(st, r->id, err ? IPSP_ST_ERROR : IPSP_OK, &one, 1) &&
	    !err)
		st->c.handoffs++;
	free(r);
	if (st->ops->kick)
		st->ops->kick(st->ctx);
}

void ipsp_state_going_down(struct ipsp_state *st)
{
	/*
	 * From here on nothing changes (the daemon stops, or the mode
	 * leaves active): no request served, no binding released, no
	 * address given, so what the peer was told stays true.
	 */
	st->going_down = true;
	if (!st->connected || !st->hello_rx)
		return;
	if (working(st) && st->role == IPSP_ROLE_PRIMARY)
		send_holdings(st, false);
	if (!send_empty(st, IPSP_GOING_DOWN))
		st->c.going_down_sent++;
}

/* ---- time --------------------------------------------------------------- */

static uint32_t keepalive_ms(const struct ipsp_state *st)
{
	uint32_t ka = st->ic->dead_interval * 1000 / 3;

	return ka < 200 ? 200 : ka;
}

static void dead_interval(struct ipsp_state *st)
{
	size_t i;
	uint64_t held = 0;

	st->dead_handled = true;
	if (st->peer_alive) {
		st->peer_alive = false;
		log_warn("ipsp: peer down: not heard from for %u s",
			 st->ic->dead_interval);
		event(st, "peer-down",
		      json_pack("{s:s}", "why", "dead interval"));
	}
	/*
	 * A connection silent that long is dead too: closed, so that a peer
	 * heard again comes back through a HELLO and its roles are settled
	 * (never two primaries on a live connection).
	 */
	if (st->connected && st->ops->close)
		st->ops->close(st->ctx, "dead interval");
	if (st->mode != IPSP_MODE_ACTIVE)
		return;
	if (st->role == IPSP_ROLE_PRIMARY)
		return; /* ready without it: ipsp_state_tick() */
	for (i = 0; i < st->n_book; i++)
		held += pool_used(st, i) + pool_free(st, i);
	if (!held) {
		log_warn("ipsp: the primary is down and no address was "
			 "assigned to us: staying secondary (sessions "
			 "refused)");
		return;
	}
	become_primary(st, "the primary is dead", TAKE_ALL);
}

/*
 * The seed's trap: the primary's used count DROPS to zero once IPSP runs.
 * A primary that never held an address here has nothing to hand over (a
 * secondary of an empty primary takes blocks as ever).
 */
static void check_all_free(struct ipsp_state *st)
{
	uint64_t used;

	if (st->role != IPSP_ROLE_PRIMARY || st->all_free || !working(st) ||
	    !st->ready || st->releases)
		return;
	used = total_used(st);
	if (used) {
		st->had_used = true;
		return;
	}
	if (!st->had_used)
		return;
	log_notice("ipsp: all addresses free: the secondary takes over as "
		   "primary");
	event(st, "all-free", json_object());
	if (send_empty(st, IPSP_ALL_FREE))
		return;
	st->peer_role = IPSP_ROLE_PRIMARY;
	become_secondary(st, "handed over: no address in use here");
	st->all_free = true;
	/* claims (none) and block requests, as a secondary does */
	secondary_start(st);
}

/*
 * Registrations that waited a dead interval for an answer: refused (130;
 * the node retries), and the connection that did not answer is closed
 * (the next one starts clean).
 */
static void expire_waits(struct ipsp_state *st, uint64_t now_ms)
{
	struct ipsp_wait **pp = &st->waits, *w;
	bool any = false;

	while ((w = *pp)) {
		if (now_ms < w->deadline_ms) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		if (!w->id)
			st->book[w->pool].block_req = 0;
		st->c.refused_sessions++;
		st->ops->alloc_done(st->ctx, w->t, -EAGAIN,
				    (struct in_addr){ 0 });
		free(w);
		any = true;
		pp = &st->waits; /* (alloc_done may have changed the list) */
	}
	if (any && st->connected && st->ops->close)
		st->ops->close(st->ctx, "a request unanswered for the dead "
					"interval");
}

uint64_t ipsp_state_tick(struct ipsp_state *st, uint64_t now_ms)
{
	uint64_t ka = keepalive_ms(st), dead = st->ic->dead_interval * 1000ULL;
	uint64_t heard = st->last_rx_ms > st->start_ms ? st->last_rx_ms :
							 st->start_ms;
	size_t i;

	st->now_ms = now_ms;
	if (st->mode == IPSP_MODE_INACTIVE || st->going_down)
		return now_ms + 1000;
	if (st->connected && now_ms - st->last_tx_ms >= ka &&
	    !send_empty(st, IPSP_KEEPALIVE))
		st->last_tx_ms = now_ms;
	if (!st->dead_handled && now_ms - heard >= dead)
		dead_interval(st);
	/*
	 * A primary alone: no secondary worked with us (connected, same
	 * pools, active) for a dead interval. A peer that only checks, or
	 * whose pools differ, holds nothing of ours.
	 */
	if (st->mode == IPSP_MODE_ACTIVE && st->role == IPSP_ROLE_PRIMARY &&
	    !st->ready && !working(st) &&
	    now_ms - (st->last_work_ms > st->start_ms ? st->last_work_ms :
							 st->start_ms) >=
		    dead) {
		log_notice("ipsp: no working secondary within the dead "
			   "interval: allocating alone");
		st->ready = true;
	}
	expire_waits(st, now_ms);
	if (working(st) && st->role == IPSP_ROLE_PRIMARY && !st->claims_done &&
	    now_ms - st->hello_ms >= dead && st->ops->close)
		st->ops->close(st->ctx, "no claims within the dead interval");
	check_all_free(st);
	/*
	 * A secondary keeps a block ahead of its new nodes (locked: asks
	 * again after a refusal's quiet time, the primary may have freed
	 * some since)
	 */
	if (working(st) && st->role == IPSP_ROLE_SECONDARY)
		for (i = 0; i < st->n_book; i++)
			if (pool_free(st, i) * 2 < st->ic->block &&
			    now_ms >= st->book[i].quiet_until_ms)
				send_block_request(st, i);
	return now_ms + (ka < 250 ? ka : 250);
}

/* ---- set up ------------------------------------------------------------- */

int ipsp_state_new(struct ipsp_state **sp, const struct config *cfg,
		   struct pool_set *pools, struct binding_store *store,
		   const struct ipsp_state_ops *ops, void *ctx,
		   uint64_t now_ms)
{
	const struct config_ipsp *ic = config_ipsp(cfg);
	struct ipsp_state *st;
	int err;

	*sp = NULL;
	if (!ic)
		return -EINVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->cfg = cfg;
	st->ic = ic;
	st->pools = pools;
	st->store = store;
	st->ops = ops;
	st->ctx = ctx;
	st->mode = ic->mode;
	/* the configuration names the peer's role: ours is the other */
	st->role_cfg = ic->peer_role == IPSP_ROLE_PRIMARY ?
			       IPSP_ROLE_SECONDARY :
			       IPSP_ROLE_PRIMARY;
	st->role = st->role_cfg;
	st->start_ms = st->last_tx_ms = now_ms;
	st->frame = malloc(IPSP_FRAME_BUF);
	st->held_frame = malloc(IPSP_FRAME_BUF);
	st->diff = json_array();
	err = st->frame && st->held_frame && st->diff ? book_init(st) :
							 -ENOMEM;
	if (err) {
		ipsp_state_free(st);
		return err;
	}
	if (st->mode == IPSP_MODE_ACTIVE && st->role == IPSP_ROLE_SECONDARY)
		become_secondary(st, "configured");
	*sp = st;
	return 0;
}

void ipsp_state_free(struct ipsp_state *st)
{
	struct ipsp_wait *w;
	struct ipsp_release *r;

	if (!st)
		return;
	while ((w = st->waits)) {
		st->waits = w->next;
		free(w);
	}
	while ((r = st->releases)) {
		st->releases = r->next;
		free(r);
	}
	book_free(st);
	used_clear(st);
	json_decref(st->diff);
	free(st->frame);
	free(st->held_frame);
	free(st);
}

void ipsp_state_set_config(struct ipsp_state *st, const struct config *cfg,
			   struct pool_set *pools, uint64_t now_ms)
{
	const struct config_ipsp *ic = config_ipsp(cfg);
	uint8_t old_mode = st->mode;
	bool handing_over;
	size_t i;

	st->cfg = cfg;
	st->pools = pools;
	if (!ic)
		return; /* the service goes with this configuration */
	st->ic = ic;
	/* the pools are the same (a change is refused while IPSP is on) */
	for (i = 0; i < st->n_book && i < cfg->n_pools; i++)
		st->book[i].cp = &cfg->pools[i];
	/*
	 * Leaving active is a graceful termination: the peer is told (a
	 * primary's bindings with it) while the protocol still runs.
	 */
	handing_over = old_mode == IPSP_MODE_ACTIVE &&
		       ic->mode != IPSP_MODE_ACTIVE && working(st) &&
		       st->role == IPSP_ROLE_PRIMARY;
	if (old_mode == IPSP_MODE_ACTIVE && ic->mode != IPSP_MODE_ACTIVE)
		ipsp_state_going_down(st);
	st->mode = ic->mode;
	if (old_mode == st->mode)
		return;
	log_notice("ipsp: mode %s", ipsp_mode_name(st->mode));
	if (st->mode != IPSP_MODE_ACTIVE) {
		/*
		 * Off or checking: nothing is asked or granted any more, and
		 * what is busied out stays so (released to the peer, or not
		 * ours): seed 004 disables IPSP once the primary released
		 * everything, and a restart without it starts afresh. A
		 * primary that told its secondary it goes keeps only its
		 * bindings' addresses (the secondary plays the primary with
		 * the rest); a secondary gives its unused block back (a
		 * primary that restarts meanwhile could not know it).
		 */
		fail_waits(st, -EAGAIN);
		if (handing_over || st->role == IPSP_ROLE_SECONDARY)
			busy_all_free(st);
		return;
	}
	st->going_down = false;
	/* active again: the dead interval counts from now */
	st->start_ms = now_ms;
	st->last_rx_ms = st->last_work_ms = 0;
	st->dead_handled = false;
	st->peer_alive = false;
	if (st->role == IPSP_ROLE_SECONDARY) {
		become_secondary(st, "mode active");
	} else {
		st->ready = false; /* the secondary's claims first */
	}
}

bool ipsp_state_wants_peer(const struct ipsp_state *st)
{
	return st->mode != IPSP_MODE_INACTIVE;
}

/* ---- views -------------------------------------------------------------- */

const struct ipsp_counters *ipsp_state_counters(const struct ipsp_state *st)
{
	return &st->c;
}

uint8_t ipsp_state_role(const struct ipsp_state *st)
{
	return st->role;
}

bool ipsp_state_peer_up(const struct ipsp_state *st)
{
	return st->connected && st->hello_rx;
}

bool ipsp_state_all_free(const struct ipsp_state *st)
{
	return st->all_free;
}

/*
 * An acting primary's addresses of pool i kept busy for the nodes of the
 * primary that went down: busy, but not released to anyone.
 */
static uint64_t kept_used(const struct ipsp_state *st, size_t i)
{
	uint64_t n = 0;
	struct book_range *r;
	size_t k, pi;

	for (k = 0; k < st->n_used; k++)
		if (book_find(st, st->used[k].addr, &pi, &r) && pi == i &&
		    bit_get(r, st->used[k].addr))
			n++;
	return n;
}

json_t *ipsp_state_json(const struct ipsp_state *st, uint64_t now_ms)
{
	json_t *o, *pools = json_array(), *c;
	char peer[INET_ADDRSTRLEN];
	size_t i;

	for (i = 0; i < st->n_book; i++) {
		uint64_t busy = st->book[i].busy, kept = kept_used(st, i);
		bool prim = st->role == IPSP_ROLE_PRIMARY;

		json_array_append_new(
			pools,
			json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "name",
				  st->book[i].cp->name, "size",
				  (json_int_t)st->book[i].size, "used",
				  (json_int_t)pool_used(st, i), "released",
				  (json_int_t)(prim && busy > kept ? busy - kept :
							       0),
				  "held",
				  (json_int_t)(prim ? 0 : pool_free(st, i)),
				  "busy", (json_int_t)busy));
	}
	c = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
		      "s:I, s:I}",
		      "block_requests", (json_int_t)st->c.block_requests,
		      "addr_requests", (json_int_t)st->c.addr_requests,
		      "grants", (json_int_t)st->c.grants, "denials",
		      (json_int_t)st->c.denials, "handoffs",
		      (json_int_t)st->c.handoffs, "claims",
		      (json_int_t)st->c.claims, "conflicts",
		      (json_int_t)st->c.conflicts, "refused_sessions",
		      (json_int_t)st->c.refused_sessions, "takeovers",
		      (json_int_t)st->c.takeovers, "going_down_sent",
		      (json_int_t)st->c.going_down_sent, "going_down_received",
		      (json_int_t)st->c.going_down_received, "protocol_errors",
		      (json_int_t)st->c.protocol_errors);
	o = json_pack(
		"{s:b, s:s, s:s, s:b, s:s, s:s, s:i, s:b, s:i, s:b, s:b, "
		"s:b, s:O, s:o, s:o}",
		"configured", 1, "role", role_name(st->role), "role_configured",
		role_name(st->role_cfg), "acting", st->role != st->role_cfg,
		"mode", ipsp_mode_name(st->mode), "peer",
		addr_str(st->ic->peer, peer), "port", (int)st->ic->port,
		"peer_up", ipsp_state_peer_up(st), "dead_interval",
		(int)st->ic->dead_interval, "locked",
		st->role == IPSP_ROLE_SECONDARY && st->locked, "ready",
		st->role == IPSP_ROLE_PRIMARY && st->ready, "all_free",
		st->all_free, "config_diff", st->diff, "pools", pools,
		"counters", c);
	if (!o)
		return NULL;
	json_object_set_new(o, "peer_role",
			    st->hello_rx ? json_string(role_name(st->peer_role)) :
					   json_null());
	json_object_set_new(o, "peer_mode",
			    st->hello_rx ?
				    json_string(ipsp_mode_name(st->peer_mode)) :
				    json_null());
	json_object_set_new(o, "config_match",
			    st->config_known ? json_boolean(st->config_match) :
					       json_null());
	json_object_set_new(o, "last_heard_ms",
			    st->last_rx_ms ?
				    json_integer((json_int_t)(now_ms -
							      st->last_rx_ms)) :
				    json_null());
	return o;
}

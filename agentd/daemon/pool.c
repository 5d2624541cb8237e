// SPDX-License-Identifier: GPL-2.0
/*
 * pool: dynamic home addresses (see pool.h for the policy).
 *
 * Per range: a bitmap of the addresses in use, a "fresh" cursor below which
 * every address has been handed out at least once, and a FIFO of released
 * addresses. Every free address below the cursor is in the FIFO (and the
 * cursor passes over queued ones, released after a pool_reserve()); a FIFO
 * entry whose address is in use again (pool_reserve() took it) is stale
 * and skipped when it comes out, so each entry is looked at once: O(1)
 * amortised. A second bitmap says which addresses are queued, so that the
 * FIFO holds each at most once and never outgrows the range.
 *
 * Per group (or per pool without a group): its ranges sorted by priority,
 * highest first, then by configuration line, and a cursor on the first
 * one that may have a free address (releases move it back).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "log.h"
#include "pool.h"
#include "sort.h"

struct pgroup;
struct ppool;

struct prange {
	const struct config_pool_range *cfg;
	uint32_t first; /* host byte order */
	uint64_t size;	/* addresses */
	uint64_t used;
	uint64_t fresh;	  /* offsets below were handed out at least once */
	uint64_t *inuse;  /* bitmap by offset */
	uint64_t *queued; /* bitmap: offset is in the FIFO */
	uint32_t *fifo;	  /* ring of released offsets */
	uint64_t fifo_cap, fifo_head, fifo_len;
	struct ppool *pool;
	size_t gpos; /* index in its group's order */
};

struct pgroup {
	const char *name;      /* group name, or the pool's if none */
	struct prange **order; /* by priority (desc), then line */
	size_t n;
	size_t cursor; /* order[< cursor] are full */
};

struct ppool {
	const struct config_pool *cfg;
	struct prange *ranges;
	uint64_t used, peak, allocs, releases, exhausted;
	bool above_high;
	struct pgroup *group;
};

struct pool_set {
	const struct config *cfg;
	struct ppool *pools;
	size_t n_pools;
	struct pgroup *groups;
	size_t n_groups;
	struct prange **by_addr; /* every range, sorted by first address */
	size_t n_ranges;
	uint64_t bad_releases;
	bool quiet; /* no threshold events (transfer) */
	pool_event_fn fn;
	void *ctx;
};

static bool bit_test(const uint64_t *b, uint64_t i)
{
	return b[i / 64] & (1ULL << (i % 64));
}

static void bit_set(uint64_t *b, uint64_t i)
{
	b[i / 64] |= 1ULL << (i % 64);
}

static void bit_clear(uint64_t *b, uint64_t i)
{
	b[i / 64] &= ~(1ULL << (i % 64));
}

static int fifo_push(struct prange *r, uint32_t off)
{
	if (r->fifo_len == r->fifo_cap) {
		/* Grow, unrolling the ring; never beyond the range size,
		 * since an offset is queued at most once. */
		uint64_t cap = r->fifo_cap ? 2 * r->fifo_cap : 64, i;
		uint32_t *f;

		if (cap > r->size)
			cap = r->size;
		f = malloc(cap * sizeof(*f));
		if (!f)
			return -ENOMEM;
		for (i = 0; i < r->fifo_len; i++)
			f[i] = r->fifo[(r->fifo_head + i) % r->fifo_cap];
		free(r->fifo);
		r->fifo = f;
		r->fifo_cap = cap;
		r->fifo_head = 0;
	}
	r->fifo[(r->fifo_head + r->fifo_len) % r->fifo_cap] = off;
	r->fifo_len++;
	bit_set(r->queued, off);
	return 0;
}

/* ---- thresholds ------------------------------------------------------- */

static void thresholds(struct pool_set *ps, struct ppool *p)
{
	const struct config_pool *c = p->cfg;
	struct pool_event ev = {
		.pool = c->name,
		.used = p->used,
		.size = c->size,
	};

	if (!c->threshold_high || ps->quiet)
		return;
	if (!p->above_high && p->used * 100 >= c->threshold_high * c->size) {
		p->above_high = true;
		ev.kind = POOL_EVENT_HIGH;
		ev.threshold = c->threshold_high;
		log_warn("pool %s: %llu of %llu addresses in use, at or above "
			 "the high threshold (%u%%)",
			 c->name, (unsigned long long)p->used,
			 (unsigned long long)c->size, c->threshold_high);
	} else if (p->above_high &&
		   p->used * 100 <= c->threshold_low * c->size) {
		p->above_high = false;
		ev.kind = POOL_EVENT_LOW;
		ev.threshold = c->threshold_low;
		log_notice("pool %s: %llu of %llu addresses in use, back at or "
			   "below the low threshold (%u%%)",
			   c->name, (unsigned long long)p->used,
			   (unsigned long long)c->size, c->threshold_low);
	} else {
		return;
	}
	if (ps->fn)
		ps->fn(ps->ctx, &ev);
}

static void took(struct pool_set *ps, struct prange *r)
{
	struct ppool *p = r->pool;

	r->used++;
	p->used++;
	p->allocs++;
	if (p->used > p->peak)
		p->peak = p->used;
	thresholds(ps, p);
}

/* ---- set up ----------------------------------------------------------- */

static int order_cmp(const void *a, const void *b)
{
	const struct prange *x = *(const struct prange *const *)a;
	const struct prange *y = *(const struct prange *const *)b;

	if (x->cfg->priority != y->cfg->priority)
		return x->cfg->priority > y->cfg->priority ? -1 : 1;
	return x->cfg->line - y->cfg->line;
}

static int addr_cmp(const void *a, const void *b)
{
	const struct prange *x = *(const struct prange *const *)a;
	const struct prange *y = *(const struct prange *const *)b;

	return x->first < y->first ? -1 : x->first > y->first;
}

static struct pgroup *group_of(struct pool_set *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->n_groups; i++)
		if (!strcmp(ps->groups[i].name, name))
			return &ps->groups[i];
	ps->groups[ps->n_groups].name = name;
	return &ps->groups[ps->n_groups++];
}

static int range_init(struct prange *r, const struct config_pool_range *c,
		      struct ppool *p)
{
	uint64_t words;

	r->cfg = c;
	r->first = c->range.first;
	r->size = (uint64_t)c->range.last - c->range.first + 1;
	r->pool = p;
	words = (r->size + 63) / 64;
	r->inuse = calloc(words, sizeof(uint64_t));
	r->queued = calloc(words, sizeof(uint64_t));
	return r->inuse && r->queued ? 0 : -ENOMEM;
}

struct pool_set *pool_set_new(const struct config *cfg)
{
	struct pool_set *ps = calloc(1, sizeof(*ps));
	size_t i, j, k;

	if (!ps)
		return NULL;
	ps->cfg = cfg;
	ps->pools = calloc(cfg->n_pools + 1, sizeof(*ps->pools));
	ps->groups = calloc(cfg->n_pools + 1, sizeof(*ps->groups));
	for (i = 0; i < cfg->n_pools; i++)
		ps->n_ranges += cfg->pools[i].n_ranges;
	ps->by_addr = calloc(ps->n_ranges + 1, sizeof(*ps->by_addr));
	if (!ps->pools || !ps->groups || !ps->by_addr)
		goto err;

	k = 0;
	for (i = 0; i < cfg->n_pools; i++) {
		const struct config_pool *c = &cfg->pools[i];
		struct ppool *p = &ps->pools[i];

		p->cfg = c;
		ps->n_pools++;
		p->ranges = calloc(c->n_ranges, sizeof(*p->ranges));
		if (!p->ranges)
			goto err;
		for (j = 0; j < c->n_ranges; j++) {
			if (range_init(&p->ranges[j], &c->ranges[j], p))
				goto err;
			ps->by_addr[k++] = &p->ranges[j];
		}
		p->group = group_of(ps, c->group ? c->group : c->name);
		p->group->n += c->n_ranges;
	}
	sort_array(ps->by_addr, ps->n_ranges, sizeof(*ps->by_addr), addr_cmp);

	for (i = 0; i < ps->n_groups; i++) {
		ps->groups[i].order =
			calloc(ps->groups[i].n, sizeof(struct prange *));
		if (!ps->groups[i].order)
			goto err;
		ps->groups[i].n = 0;
	}
	for (i = 0; i < ps->n_pools; i++) {
		struct pgroup *g = ps->pools[i].group;

		for (j = 0; j < ps->pools[i].cfg->n_ranges; j++)
			g->order[g->n++] = &ps->pools[i].ranges[j];
	}
	for (i = 0; i < ps->n_groups; i++) {
		struct pgroup *g = &ps->groups[i];

		sort_array(g->order, g->n, sizeof(*g->order), order_cmp);
		for (j = 0; j < g->n; j++)
			g->order[j]->gpos = j;
	}
	return ps;
err:
	pool_set_free(ps);
	errno = ENOMEM;
	return NULL;
}

void pool_set_free(struct pool_set *ps)
{
	size_t i, j;

	if (!ps)
		return;
	for (i = 0; i < ps->n_pools; i++) {
		struct ppool *p = &ps->pools[i];

		for (j = 0; p->ranges && j < p->cfg->n_ranges; j++) {
			free(p->ranges[j].inuse);
			free(p->ranges[j].queued);
			free(p->ranges[j].fifo);
		}
		free(p->ranges);
	}
	for (i = 0; i < ps->n_groups; i++)
		free(ps->groups[i].order);
	free(ps->groups);
	free(ps->pools);
	free(ps->by_addr);
	free(ps);
}

void pool_set_event_fn(struct pool_set *ps, pool_event_fn fn, void *ctx)
{
	ps->fn = fn;
	ps->ctx = ctx;
}

/* ---- allocation ------------------------------------------------------- */

static struct ppool *find_pool(const struct pool_set *ps, const char *name)
{
	size_t i;

	for (i = 0; i < ps->n_pools; i++)
		if (!strcmp(ps->pools[i].cfg->name, name))
			return &ps->pools[i];
	return NULL;
}

static struct prange *find_range(const struct pool_set *ps, uint32_t a)
{
	size_t lo = 0, hi = ps->n_ranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ps->by_addr[mid]->first <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && a - ps->by_addr[lo - 1]->first < ps->by_addr[lo - 1]->size)
		return ps->by_addr[lo - 1];
	return NULL;
}

/* A free offset of r (r->used < r->size). */
static uint64_t range_take(struct prange *r)
{
	while (r->fresh < r->size) {
		uint64_t off = r->fresh++;

		/* A queued address (reserved, then released) waits for its
		 * turn in the FIFO. */
		if (!bit_test(r->inuse, off) && !bit_test(r->queued, off))
			return off;
	}
	for (;;) {
		uint64_t off = r->fifo[r->fifo_head];

		r->fifo_head = (r->fifo_head + 1) % r->fifo_cap;
		r->fifo_len--;
		bit_clear(r->queued, off);
		if (!bit_test(r->inuse, off))
			return off;
	}
}

int pool_alloc(struct pool_set *ps, const char *name, struct in_addr *out)
{
	struct ppool *p = find_pool(ps, name);
	struct pgroup *g;
	struct prange *r;
	uint64_t off;

	if (!p)
		return -ENOENT;
	g = p->group;
	while (g->cursor < g->n &&
	       g->order[g->cursor]->used == g->order[g->cursor]->size)
		g->cursor++;
	if (g->cursor == g->n) {
		p->exhausted++;
		return -ENOSPC;
	}
	r = g->order[g->cursor];
	off = range_take(r);
	bit_set(r->inuse, off);
	out->s_addr = htonl(r->first + (uint32_t)off);
	took(ps, r);
	log_debug(LOG_POOL, "pool %s: allocated %s", r->pool->cfg->name,
		  inet_ntoa(*out));
	return 0;
}

int pool_reserve(struct pool_set *ps, const char *name, struct in_addr addr)
{
	struct prange *r = find_range(ps, ntohl(addr.s_addr));
	uint64_t off;

	if (!r)
		return -ENOENT;
	if (name) {
		struct ppool *p = find_pool(ps, name);

		if (!p || p->group != r->pool->group)
			return -ENOENT;
	}
	off = ntohl(addr.s_addr) - r->first;
	if (bit_test(r->inuse, off))
		return -EEXIST;
	/* A queued entry for it becomes stale: range_take() skips it. */
	bit_set(r->inuse, off);
	took(ps, r);
	return 0;
}

int pool_release(struct pool_set *ps, struct in_addr addr)
{
	struct prange *r = find_range(ps, ntohl(addr.s_addr));
	struct ppool *p;
	uint64_t off;

	if (!r || !bit_test(r->inuse, ntohl(addr.s_addr) - r->first)) {
		ps->bad_releases++;
		log_ratelimited(LOG_WARNING,
				"pool: release of %s, which is not allocated",
				inet_ntoa(addr));
		return -ENOENT;
	}
	off = ntohl(addr.s_addr) - r->first;
	/*
	 * A released address is queued (below the fresh cursor it would
	 * never be handed out again otherwise; above it, the cursor skips
	 * it so that it keeps its turn). Queue first: if that fails for
	 * lack of memory the address stays allocated rather than lost.
	 */
	if (!bit_test(r->queued, off) && fifo_push(r, off)) {
		log_err("pool %s: out of memory releasing %s",
			r->pool->cfg->name, inet_ntoa(addr));
		return -ENOMEM;
	}
	bit_clear(r->inuse, off);
	p = r->pool;
	r->used--;
	p->used--;
	p->releases++;
	if (r->gpos < p->group->cursor)
		p->group->cursor = r->gpos;
	thresholds(ps, p);
	log_debug(LOG_POOL, "pool %s: released %s", p->cfg->name,
		  inet_ntoa(addr));
	return 0;
}

bool pool_in_use(const struct pool_set *ps, struct in_addr addr)
{
	struct prange *r = find_range(ps, ntohl(addr.s_addr));

	return r && bit_test(r->inuse, ntohl(addr.s_addr) - r->first);
}

const char *pool_owner(const struct pool_set *ps, struct in_addr addr)
{
	struct prange *r = find_range(ps, ntohl(addr.s_addr));

	return r ? r->pool->cfg->name : NULL;
}

int pool_set_transfer(const struct pool_set *from, struct pool_set *to,
		      struct in_addr *missing)
{
	size_t i, w;
	int err = 0;

	to->quiet = true;
	for (i = 0; i < from->n_ranges && !err; i++) {
		const struct prange *r = from->by_addr[i];

		for (w = 0; w < (r->size + 63) / 64 && !err; w++) {
			uint64_t bits = r->inuse[w];

			while (bits && !err) {
				uint64_t off = w * 64 + __builtin_ctzll(bits);
				struct in_addr a = { htonl(r->first +
							   (uint32_t)off) };

				bits &= bits - 1;
				err = pool_reserve(to, NULL, a);
				if (err && missing)
					*missing = a;
			}
		}
	}
	to->quiet = false;
	/* Carry the threshold state over, so that a reload does not
	 * announce again what was announced; then a real crossing (the
	 * thresholds or the ranges changed) is reported. */
	for (i = 0; i < to->n_pools && !err; i++) {
		struct ppool *o = find_pool(from, to->pools[i].cfg->name);

		to->pools[i].above_high = o && o->above_high;
		if (o && o->peak > to->pools[i].peak)
			to->pools[i].peak = o->peak;
		thresholds(to, &to->pools[i]);
	}
	return err;
}

/* ---- statistics ------------------------------------------------------- */

size_t pool_set_count(const struct pool_set *ps)
{
	return ps->n_pools;
}

int pool_get_stats(const struct pool_set *ps, size_t i, struct pool_stats *st)
{
	const struct ppool *p;

	if (i >= ps->n_pools)
		return -ENOENT;
	p = &ps->pools[i];
	memset(st, 0, sizeof(*st));
	st->name = p->cfg->name;
	st->group = p->cfg->group;
	st->size = p->cfg->size;
	st->used = p->used;
	st->peak = p->peak;
	st->allocs = p->allocs;
	st->releases = p->releases;
	st->exhausted = p->exhausted;
	st->threshold_low = p->cfg->threshold_low;
	st->threshold_high = p->cfg->threshold_high;
	st->above_high = p->above_high;
	st->n_ranges = p->cfg->n_ranges;
	return 0;
}

int pool_get_range_stats(const struct pool_set *ps, size_t i, size_t r,
			 struct pool_range_stats *st)
{
	const struct prange *pr;

	if (i >= ps->n_pools || r >= ps->pools[i].cfg->n_ranges)
		return -ENOENT;
	pr = &ps->pools[i].ranges[r];
	st->range = pr->cfg->range;
	st->priority = pr->cfg->priority;
	st->size = pr->size;
	st->used = pr->used;
	return 0;
}

uint64_t pool_set_bad_releases(const struct pool_set *ps)
{
	return ps->bad_releases;
}

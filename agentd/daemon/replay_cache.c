// SPDX-License-Identifier: GPL-2.0
/*
 * replay_cache: a chained hash table over exact identity keys, with an LRU
 * list for eviction and a floor for what was evicted (replay_cache.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "replay_cache.h"

struct rc_entry {
	struct rc_entry *next;	     /* hash chain */
	struct rc_entry *lru_prev;   /* towards the least recently used */
	struct rc_entry *lru_next;
	struct replay_state st;
	uint8_t method; /* enum replay_method */
	uint16_t len;
	uint8_t key[];
};

struct replay_cache {
	struct rc_entry **b;
	size_t size; /* buckets, a power of two */
	size_t n, capacity;
	struct rc_entry *lru_head; /* least recently used */
	struct rc_entry *lru_tail; /* most recently used */
	uint64_t floor;
	bool has_floor;
	uint64_t evictions;
};

static size_t rc_hash(const uint8_t *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return (size_t)(h ^ (h >> 32));
}

struct replay_cache *replay_cache_new(size_t capacity)
{
	struct replay_cache *c = calloc(1, sizeof(*c));
	size_t size = 64;

	if (!c)
		return NULL;
	while (size < capacity && size < (1U << 20))
		size *= 2;
	c->b = calloc(size, sizeof(*c->b));
	if (!c->b) {
		free(c);
		return NULL;
	}
	c->size = size;
	c->capacity = capacity ? capacity : 1;
	return c;
}

void replay_cache_free(struct replay_cache *c)
{
	struct rc_entry *e, *next;

	if (!c)
		return;
	for (e = c->lru_head; e; e = next) {
		next = e->lru_next;
		free(e);
	}
	free(c->b);
	free(c);
}

static struct rc_entry **rc_find(const struct replay_cache *c,
				 const uint8_t *key, size_t len)
{
	struct rc_entry **pp = &c->b[rc_hash(key, len) & (c->size - 1)];

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->len == len && !memcmp((*pp)->key, key, len))
			return pp;
	return pp;
}

static void lru_unlink(struct replay_cache *c, struct rc_entry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		c->lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		c->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void lru_append(struct replay_cache *c, struct rc_entry *e)
{
	e->lru_prev = c->lru_tail;
	e->lru_next = NULL;
	if (c->lru_tail)
		c->lru_tail->lru_next = e;
	else
		c->lru_head = e;
	c->lru_tail = e;
}

/*
 * What the cache forgets raises the floor (serial-number order): the
 * timestamp it had accepted, but never past the clock.
 */
static void raise_floor(struct replay_cache *c, const struct replay_state *st,
			uint8_t method, uint64_t now_ntp)
{
	uint64_t id = st->last_id;

	if (!st->seen || method != REPLAY_TIMESTAMP)
		return;
	if ((int64_t)(id - now_ntp) > 0)
		id = now_ntp;
	if (!c->has_floor || (int64_t)(id - c->floor) > 0)
		c->floor = id;
	c->has_floor = true;
}

static void evict_lru(struct replay_cache *c, uint64_t now_ntp)
{
	struct rc_entry *e = c->lru_head, **pp;

	pp = rc_find(c, e->key, e->len);
	*pp = e->next;
	lru_unlink(c, e);
	raise_floor(c, &e->st, e->method, now_ntp);
	c->n--;
	c->evictions++;
	free(e);
}

bool replay_cache_get(const struct replay_cache *c, const uint8_t *key,
		      size_t len, struct replay_state *st)
{
	struct rc_entry *e = *rc_find(c, key, len);

	if (e) {
		*st = e->st;
		return true;
	}
	memset(st, 0, sizeof(*st));
	st->seen = c->has_floor;
	st->last_id = c->floor;
	return false;
}

int replay_cache_put(struct replay_cache *c, const uint8_t *key, size_t len,
		     const struct replay_state *st, enum replay_method m,
		     uint64_t now_ntp)
{
	struct rc_entry **pp = rc_find(c, key, len), *e = *pp;

	if (e) {
		e->st = *st;
		e->method = (uint8_t)m;
		lru_unlink(c, e);
		lru_append(c, e);
		return 0;
	}
	if (len > REPLAY_KEY_MAX)
		return -EINVAL;
	e = malloc(sizeof(*e) + len);
	if (!e) {
		raise_floor(c, st, (uint8_t)m, now_ntp);
		return -ENOMEM;
	}
	if (c->n >= c->capacity) {
		evict_lru(c, now_ntp);
		pp = rc_find(c, key, len); /* the chain may have changed */
	}
	e->st = *st;
	e->method = (uint8_t)m;
	e->len = (uint16_t)len;
	memcpy(e->key, key, len);
	e->next = NULL;
	*pp = e;
	lru_append(c, e);
	c->n++;
	return 0;
}

size_t replay_cache_count(const struct replay_cache *c)
{
	return c->n;
}

size_t replay_cache_buckets(const struct replay_cache *c)
{
	return c->size;
}

void replay_cache_bucket(const struct replay_cache *c, size_t i,
			 replay_cache_fn fn, void *ctx)
{
	const struct rc_entry *e;

	for (e = i < c->size ? c->b[i] : NULL; e; e = e->next)
		fn(ctx, e->key, e->len, &e->st, (enum replay_method)e->method);
}

void replay_cache_raise_floor(struct replay_cache *c, uint64_t id,
			      uint64_t now_ntp)
{
	const struct replay_state st = { .seen = true, .last_id = id };

	raise_floor(c, &st, REPLAY_TIMESTAMP, now_ntp);
}

uint64_t replay_cache_floor(const struct replay_cache *c)
{
	return c->floor;
}

uint64_t replay_cache_evictions(const struct replay_cache *c)
{
	return c->evictions;
}

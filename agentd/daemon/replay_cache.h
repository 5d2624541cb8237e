/* SPDX-License-Identifier: GPL-2.0 */
/*
 * replay_cache: the replay state of mobile nodes that have no binding -
 * the high-water mark a binding leaves when it expires, is deregistered,
 * deleted or flushed, and the nonce a denial hands out - keyed by the
 * node's exact identity (never by a hash: two nodes never share state).
 *
 * Bounded: at most `capacity` identities, the least recently used evicted
 * first. Eviction must not reopen a replay, so the cache keeps a floor:
 * the newest identification any evicted entry had accepted. An identity
 * the cache does not hold gets the floor as its high-water mark, so a
 * request older than what the cache forgot is refused (133, and a node
 * with a good clock resynchronises from the reply) rather than accepted.
 */
#ifndef MIPHA_REPLAY_CACHE_H
#define MIPHA_REPLAY_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replay.h"

/* An identity as a key: a kind byte, then the folded NAI or the address. */
#define REPLAY_KEY_MAX (1 + 255)

struct replay_cache;

struct replay_cache *replay_cache_new(size_t capacity);
void replay_cache_free(struct replay_cache *c);
/*
 * The state of this identity: true if the cache holds it; false if not,
 * and then *st is the floor (seen with last_id = the floor, if anything
 * was evicted; else empty).
 */
bool replay_cache_get(const struct replay_cache *c, const uint8_t *key,
		      size_t len, struct replay_state *st);
/*
 * Keeps st, the state of method m, for this identity (-ENOMEM: not kept,
 * the floor is raised). now_ntp is the home agent's clock: what an eviction
 * raises the floor to never exceeds it (an identification ahead of the
 * clock, which a node may send within its window, must not lock everyone
 * else out), and only timestamp state raises it (a nonce method's
 * identification is random).
 */
int replay_cache_put(struct replay_cache *c, const uint8_t *key, size_t len,
		     const struct replay_state *st, enum replay_method m,
		     uint64_t now_ntp);
size_t replay_cache_count(const struct replay_cache *c);
/*
 * A walk in steps (a peer's bulk download, spread over loop turns): the
 * number of buckets, fixed for the cache's life, and each entry of bucket
 * i handed to fn. An entry put or evicted between two steps is in one of
 * them or in neither; never handed twice in one walk unless put again.
 */
size_t replay_cache_buckets(const struct replay_cache *c);
typedef void (*replay_cache_fn)(void *ctx, const uint8_t *key, size_t len,
				const struct replay_state *st,
				enum replay_method m);
void replay_cache_bucket(const struct replay_cache *c, size_t i,
			 replay_cache_fn fn, void *ctx);
/*
 * Raises the floor to id (serial-number order; never lowers it), never
 * past now_ntp: a peer's floor, learnt so that what it forgot stays
 * refused here too.
 */
void replay_cache_raise_floor(struct replay_cache *c, uint64_t id,
			      uint64_t now_ntp);
/* The floor (0 while nothing was evicted), and how many were evicted. */
uint64_t replay_cache_floor(const struct replay_cache *c);
uint64_t replay_cache_evictions(const struct replay_cache *c);

#endif /* MIPHA_REPLAY_CACHE_H */

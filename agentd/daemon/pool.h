/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pool: dynamic home addresses from named local pools (IOS "ip local pool").
 *
 * A pool has one or more ranges (discontinuous), each with a priority
 * 1..255: the HIGHER number is preferred, equal priorities go in
 * configuration order (the definition in the IOS documentation; DESIGN.md).
 * Pools that share a group name are allocated from as one pool: a request
 * for any of them takes an address from the highest-priority range with a
 * free address among all the group's ranges.
 *
 * Within a range, never-used addresses are handed out first, in address
 * order; after that, released addresses are reused least recently released
 * first (so an address just given up is not handed to the next mobile node
 * while packets for the previous one may still be in flight). Allocation
 * and release are O(1) amortised whatever the pool size (a bitmap, a
 * "never used" cursor and a FIFO of released addresses per range); finding
 * the range of an address is O(log ranges).
 *
 * Each pool may have utilisation thresholds (IOS "threshold LOW HIGH", in
 * percent): when its use reaches HIGH a warning is logged and the event
 * callback runs; when it falls back to LOW or below, a notice and the
 * callback again. The hysteresis keeps a pool hovering at HIGH from
 * flapping.
 *
 * Not thread safe (the daemon has one thread).
 */
#ifndef MIPHA_POOL_H
#define MIPHA_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "config.h"

struct pool_set;

enum pool_event_kind {
	POOL_EVENT_HIGH, /* use reached threshold_high (percent) */
	POOL_EVENT_LOW,	 /* after HIGH, use fell to threshold_low */
};

struct pool_event {
	enum pool_event_kind kind;
	const char *pool;	/* name */
	uint64_t used, size;	/* addresses, after the change */
	unsigned int threshold; /* the percentage crossed */
};

typedef void (*pool_event_fn)(void *ctx, const struct pool_event *ev);

/* Per range, for `miphactl pool show`. */
struct pool_range_stats {
	struct config_range range; /* host byte order */
	uint8_t priority;
	uint64_t size, used;
};

/* Per pool. */
struct pool_stats {
	const char *name;
	const char *group;	   /* NULL: none */
	uint64_t size, used;	   /* addresses */
	uint64_t peak;		   /* highest used since start */
	uint64_t allocs;	   /* successful pool_alloc/pool_reserve */
	uint64_t releases;	   /* successful pool_release */
	uint64_t exhausted;	   /* pool_alloc -> -ENOSPC (asked for this
				    * pool) */
	uint8_t threshold_low, threshold_high; /* percent, 0: none */
	bool above_high;	   /* between a HIGH and the next LOW event */
	size_t n_ranges;
};

/*
 * A pool set with every pool of cfg, all addresses free. cfg must outlive
 * the set (names are shared). Returns NULL on allocation failure (errno).
 */
struct pool_set *pool_set_new(const struct config *cfg);
void pool_set_free(struct pool_set *ps);

/* Threshold events go to fn (may be NULL; the log line is written anyway). */
void pool_set_event_fn(struct pool_set *ps, pool_event_fn fn, void *ctx);

/*
 * Takes a free address of pool `name` (or of its group) into *out.
 * Returns 0; -ENOENT if there is no such pool; -ENOSPC if every address is
 * in use.
 */
int pool_alloc(struct pool_set *ps, const char *name, struct in_addr *out);

/*
 * Marks addr as in use (restart recovery: the bindings found in the kernel
 * keep their addresses). name may be NULL; if given, addr must belong to
 * that pool or its group. Returns 0; -ENOENT if no pool (of that name /
 * group) holds addr; -EEXIST if it is already in use.
 */
int pool_reserve(struct pool_set *ps, const char *name, struct in_addr addr);

/*
 * Gives addr back. Returns 0, or -ENOENT if addr was not allocated (or
 * belongs to no pool): counted in pool_set_bad_releases(), logged
 * (rate-limited), nothing changes. -ENOMEM (the release queue could not
 * grow): addr stays allocated.
 */
int pool_release(struct pool_set *ps, struct in_addr addr);

/* Is addr allocated? */
bool pool_in_use(const struct pool_set *ps, struct in_addr addr);
/* Name of the pool whose range holds addr, NULL if none. */
const char *pool_owner(const struct pool_set *ps, struct in_addr addr);

/*
 * Copies every allocation of from into to (a set built from a reloaded
 * configuration). On -ENOENT (an allocated address has no pool in to: a
 * range was removed) *missing says which, and to must be discarded; on
 * -EEXIST to was not fresh.
 */
int pool_set_transfer(const struct pool_set *from, struct pool_set *to,
		      struct in_addr *missing);

/* ---- statistics */
size_t pool_set_count(const struct pool_set *ps);
/* 0, or -ENOENT if i >= pool_set_count(). */
int pool_get_stats(const struct pool_set *ps, size_t i, struct pool_stats *st);
int pool_get_range_stats(const struct pool_set *ps, size_t i, size_t r,
			 struct pool_range_stats *st);
/* Releases of addresses that were not allocated. */
uint64_t pool_set_bad_releases(const struct pool_set *ps);

#endif /* MIPHA_POOL_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * binding_store: the one owner of the daemon's bindings.
 *
 * Every binding the daemon knows of lives here, and changes only by
 * binding_store_upsert() or binding_store_remove(), each with a named cause.
 * Observers (later peer sync, notify hooks) see every change with the old
 * and the new record, so nothing that adds, renews or ends a binding can do
 * it behind their back. Registration, restart recovery and the kernel's
 * notifications are clients; so will a peer's binding update and an IPSP
 * handoff be.
 *
 * What the store keeps besides the records, because it must follow them:
 *  - the rule of one binding per home address and one per NAI (in
 *    binding_table, under the store): an upsert that would give one node's
 *    address or identity to another fails with -EEXIST;
 *  - the pool addresses: a binding from a pool releases its address when it
 *    goes (unless the kernel may still forward for it);
 *  - the expiry timers: armed from each record's expiry, they ask the client
 *    (ops->expire) whether the binding may go;
 *  - the replay high-water marks: a binding that goes leaves its replay
 *    state in the replay cache, so a request it accepted is never accepted
 *    again whatever ended it.
 *
 * The kernel's copy is not the store's business: the client (reg.c, the
 * kernel adapter) changes the kernel first and the store once the kernel
 * answered. Single-threaded, like the rest of the daemon.
 */
#ifndef MIPHA_BINDING_STORE_H
#define MIPHA_BINDING_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "binding_table.h"
#include "replay.h"
#include "replay_cache.h"

struct loop;
struct pool_set;
struct binding_store;

/* Why a binding changed. */
enum binding_cause {
	BINDING_CAUSE_REGISTER,	       /* a new registration (or the node's
					* binding at its old address, when it
					* registers another one) */
	BINDING_CAUSE_RENEW,	       /* a registration of a bound node */
	BINDING_CAUSE_DEREGISTER,      /* the node deregistered */
	BINDING_CAUSE_EXPIRED,	       /* its lifetime ran out */
	BINDING_CAUSE_DELETED_OUTSIDE, /* removed from the kernel by others */
	BINDING_CAUSE_FLUSHED,	       /* the kernel table was flushed */
	BINDING_CAUSE_RECOVERED,       /* rebuilt from the kernel's table */
	BINDING_CAUSE_PEER,	       /* a peer home agent's update */
	BINDING_CAUSE_TAKEN_OVER,      /* a standby took over the peer's */
	BINDING_CAUSE_MAX,
};

/* Where a record came from. */
enum binding_origin {
	BINDING_ORIGIN_LOCAL,	 /* a registration we accepted */
	BINDING_ORIGIN_PEER,	 /* a peer's binding update */
	BINDING_ORIGIN_RECOVERY, /* a kernel binding's agent cookie */
};

/*
 * A binding as a value: what the kernel forwards by, and what only we know.
 * nai, pool and aaa point to storage the record's maker owns; the store
 * copies them. An upsert's record is the binding's whole state: its AAA
 * attributes replace the binding's (none: none kept). Records handed to observers are valid during the call only.
 */
struct binding_rec {
	struct in_addr home_addr; /* the key */
	struct in_addr coa, ha_addr;
	struct in_addr src; /* source of the request (FA or CoA) */
	struct replay_state replay;
	uint64_t reg_time_ms; /* Unix ms of the registration */
	uint64_t expires_ms;  /* monotonic; 0: never */
	uint64_t version;     /* 0 in an upsert: the store counts (+1 a
				   * change); else taken as given (a peer's) */
	uint32_t spi;
	uint32_t granted; /* seconds */
	uint32_t link;	  /* home link ifindex, 0: virtual network */
	uint32_t kflags;  /* enum mipha_binding_flags */
	uint8_t req_flags;
	uint8_t replay_method; /* enum replay_method */
	uint8_t encap;	       /* enum mipha_encap */
	uint8_t origin;	       /* enum binding_origin */
	uint8_t nai_len;       /* 0: the node's identity is its address */
	uint8_t n_aaa;	       /* AAA attributes, 0..BINDING_AAA_MAX */
	const uint8_t *nai;    /* folded realm */
	const char *pool;      /* the pool holding home_addr, or NULL */
	const struct binding_aaa *aaa;
};

/*
 * An observer: old is NULL for a new binding, new is NULL for a removal.
 * It must not change the store from the call (queue the work instead).
 */
typedef void (*binding_observer_fn)(void *ctx, enum binding_cause cause,
				    const struct binding_rec *old,
				    const struct binding_rec *new);

struct binding_store_ops {
	/*
	 * The expiry timer of rec fired (a little after rec->expires_ms). 0:
	 * the binding is gone from the kernel, the store removes it (cause
	 * EXPIRED); -EINPROGRESS: the client removes it when the kernel has
	 * answered; anything else: the kernel may still forward for it. In
	 * both of those cases the store asks again after a grace period if
	 * the binding is still there.
	 */
	int (*expire)(void *ctx, const struct binding_rec *rec);
};

/* Bindings whose expiry the kernel has not reported get this long. */
#define BINDING_EXPIRY_GRACE_MS 1000

int binding_store_new(struct binding_store **sp, struct loop *l,
		      struct pool_set *pools, size_t replay_capacity,
		      const struct binding_store_ops *ops, void *ctx);
/*
 * Frees everything without telling the observers: the daemon stops, the
 * bindings do not end (the kernel keeps forwarding). A flush on the way
 * out is binding_store_remove_all(FLUSHED) first.
 */
void binding_store_free(struct binding_store *s);
/* A reloaded configuration's pools (the allocations were transferred). */
void binding_store_set_pools(struct binding_store *s, struct pool_set *pools);
/* 0 or -ENOMEM. Observers are called in the order they were added. */
int binding_store_observe(struct binding_store *s, binding_observer_fn fn,
			  void *ctx);
/* An observer goes (not from inside a call to it). */
void binding_store_unobserve(struct binding_store *s, binding_observer_fn fn,
			     void *ctx);

/*
 * The two ways to change a binding. upsert: creates the binding of
 * rec->home_addr, or changes it in place. 0; -EEXIST if the address is
 * bound to another identity or the NAI is bound at another address
 * (nothing changes: one node never takes another's); -ENOMEM. The pool
 * address must already be reserved (binding_store_pool_alloc(),
 * binding_store_pool_reserve()): from then on the binding holds it.
 */
int binding_store_upsert(struct binding_store *s, const struct binding_rec *rec,
			 enum binding_cause cause);

enum binding_remove_flags {
	/*
	 * The kernel may still forward for the address (a delete failed):
	 * it is not given back to its pool, so it is never bound and free.
	 */
	BINDING_KEEP_ADDR = 1U << 0,
};

/*
 * remove: the binding goes, its replay state stays in the replay cache,
 * its pool address is released (unless BINDING_KEEP_ADDR). 0, or -ENOENT.
 */
int binding_store_remove(struct binding_store *s, struct in_addr home,
			 enum binding_cause cause, unsigned int flags);
/* Every binding goes, each with this cause. */
void binding_store_remove_all(struct binding_store *s,
			      enum binding_cause cause);

/*
 * Bulk download: mark every binding stale; each upsert clears its mark;
 * sweep removes those still marked (with cause) and returns how many.
 */
void binding_store_mark_stale(struct binding_store *s);
/* The download brought the binding of home unchanged: it stays. */
void binding_store_keep(struct binding_store *s, struct in_addr home);
/* A download that failed: every mark goes, every binding stays. */
void binding_store_unmark_stale(struct binding_store *s);
size_t binding_store_sweep_stale(struct binding_store *s,
				 enum binding_cause cause);

/* ---- reading: the entries are the store's, never changed by callers */
const struct reg_binding *binding_store_find_addr(const struct binding_store *s,
						  struct in_addr home);
const struct reg_binding *binding_store_find_nai(const struct binding_store *s,
						 const uint8_t *nai,
						 size_t len);
size_t binding_store_count(const struct binding_store *s);
/* How many bindings are on this home link (ifindex; 0: virtual networks). */
size_t binding_store_count_link(const struct binding_store *s, uint32_t link);
/* The table, to walk (binding_table_buckets() / _bucket()). */
const struct binding_table *binding_store_table(const struct binding_store *s);
/* The record of an entry (pointers into the entry). */
void binding_store_rec(const struct reg_binding *b, struct binding_rec *rec);

/* ---- pool addresses */
/*
 * A free address of pool (or its group) that no binding holds (a binding
 * that holds an address the pool did not know of adopts it: only its pool
 * name changes, which observers are not told; nothing forwarded changes).
 * 0, -ENOENT (no such pool), -ENOSPC, -ENOMEM.
 */
int binding_store_pool_alloc(struct binding_store *s, const char *pool,
			     struct in_addr *out);
/* An address taken for a binding that was not made after all. */
void binding_store_pool_unreserve(struct binding_store *s, struct in_addr a);
/*
 * An address kept reserved while it was not known whether the kernel
 * still held it: released if its pool has it in use and no binding holds
 * it. True if released.
 */
bool binding_store_pool_release_unbound(struct binding_store *s,
					struct in_addr a);
/*
 * Reserve a recovered binding's address: in pool if it holds it, else in
 * whichever pool holds it now. Returns the pool it is reserved in, or NULL
 * if no pool holds it (the binding keeps it without a pool).
 */
const char *binding_store_pool_reserve(struct binding_store *s,
				       const char *pool, struct in_addr a);
/* Is a a pool address no binding holds? (release after an unknown install) */
bool binding_store_addr_free(const struct binding_store *s, struct in_addr a);

/* ---- replay high-water marks */
/* The replay cache key of an identity: its folded NAI, else its address. */
uint16_t binding_replay_key(uint8_t *key, const uint8_t *nai, uint8_t nai_len,
			    struct in_addr home);
/*
 * The identity of a key, into rec: nai and nai_len (pointing into key), or
 * home_addr. false: not a key binding_replay_key() makes.
 */
bool binding_replay_identity(const uint8_t *key, size_t len,
			     struct binding_rec *rec);
/* The cached state of a node without a binding (the floor if unknown). */
void binding_store_replay_get(const struct binding_store *s, const uint8_t *key,
			      size_t len, struct replay_state *st);
/*
 * The replay state moved without a binding change (a denial's nonce, the
 * identification before a late denial, a deregistration): kept in the
 * node's binding b if it has one, else in the cache under key. Not a
 * change of the binding: observers are not called, the mark travels with
 * the binding's next change.
 */
void binding_store_replay_note(struct binding_store *s,
			       const struct reg_binding *b, const uint8_t *key,
			       size_t len, const struct replay_state *st,
			       enum replay_method m, uint64_t now_ntp);
/*
 * A recovered record's replay state against the cache: whichever is newer
 * (a renewal of unknown outcome, a denial's nonce) wins.
 */
void binding_store_replay_merge(const struct binding_store *s,
				struct binding_rec *rec);
const struct replay_cache *binding_store_replay(const struct binding_store *s);
/* A peer's replay floor: ours is raised to it (replay_cache_raise_floor). */
void binding_store_replay_floor(struct binding_store *s, uint64_t floor,
				uint64_t now_ntp);

const char *binding_cause_str(enum binding_cause cause);

#endif /* MIPHA_BINDING_STORE_H */

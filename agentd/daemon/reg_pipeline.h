/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reg_pipeline: a registration request from its decision to its reply, as
 * a transaction that can wait.
 *
 * A request becomes a struct reg_txn (the request, its identity, the
 * decision, and what it waits for). The pipeline decides it (reg_decide(),
 * pure), then runs its stages:
 *   allocate  a home address, through struct reg_allocator: the local
 *             pools answer at once; an allocator that must ask someone
 *             (IPSP's primary, later RADIUS) answers -EINPROGRESS, and the
 *             transaction is parked (copied off the burst) until it calls
 *             reg_pipeline_alloc_done();
 *   kernel    the install or delete, submitted to the kernel adapter and
 *             pending until reg_pipeline_flush() (one batch for a burst);
 *   finish    the binding store changed (upsert / remove with a cause),
 *             the replay state kept, and the reply handed to ops->reply().
 * The UDP I/O, the clock and the nonces are the caller's (reg.c), through
 * struct reg_pipeline_ops; so the pipeline runs in unit tests too.
 *
 * A request of a node with a change still pending first has the batch
 * flushed and is decided again on the state it left, exactly as if they had
 * come one at a time. A request of a node whose request is parked is
 * dropped (the parked one answers; the node retransmits if it must).
 */
#ifndef MIPHA_REG_PIPELINE_H
#define MIPHA_REG_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "reg.h"
#include "replay_cache.h"

struct binding_store;
struct kadapter;
struct reg_binding;
struct reg_pipeline;

/* Requests decided between two flushes (a burst) at most. */
#define REG_PIPELINE_MAX 64

/* One request, from its decision to its reply. */
struct reg_txn {
	struct sockaddr_in from;
	struct in_addr dst;
	/* the request's identity NAI, realm folded to lower case (0: none) */
	uint8_t ident_len;
	uint8_t ident[255];
	/* the request and its decision */
	struct reg_input in;
	struct reg_decision d;
	uint64_t now_unix_ms, now_mono_ms; /* with in.now_ntp: its clock */
	const struct reg_binding *b; /* what we knew of the node, or NULL */
	uint16_t rkey_len;	     /* replay cache key (0: none) */
	uint8_t rkey[REPLAY_KEY_MAX];
	struct in_addr req_home; /* its Home Address field */
	/* waiting */
	struct reg_pipeline *p;
	bool dereg;	/* a deregistration (else an install) */
	bool allocated; /* d.home_addr came from the allocator for it */
	bool unknown;	/* the kernel's answer lost, and the lookup failed */
	int kerr;	/* the kernel's answer to its install / delete */
	struct reg_cookie cookie;
	/* parked: a copy of the message and of the pool name */
	struct reg_txn *next_parked;
	uint8_t *msg_copy;
	char pool_copy[REG_POOL_NAME_MAX + 1];
	/* the reply (built by the caller) */
	uint8_t code;
	char tx_cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	uint8_t reply[1024];
};

/* Address allocation: the local pools, or IPSP. */
struct reg_allocator_ops {
	/*
	 * An address for t, of its pool (t->d.host.pool; t->req_home is the
	 * Home Address the node asked for, t->ident its NAI: an allocator
	 * may keep a node's address, as IPSP does for a handoff): 0 and
	 * *out; -EINPROGRESS: the answer needs someone else (the request is
	 * parked and wait() called); or -ENOENT (no such pool), -ENOSPC
	 * (exhausted), -EAGAIN (no address may be given now: IPSP's primary
	 * approved none), -EACCES (the address is another node's), -ENOMEM.
	 */
	int (*alloc)(void *ctx, struct reg_txn *t, struct in_addr *out);
	/*
	 * The parked t waits for an address of t->d.host.pool: answer it by
	 * reg_pipeline_alloc_done(t, ...), from the event loop, never from
	 * within this call. Non-zero: it cannot be asked (denied, 130).
	 */
	int (*wait)(void *ctx, struct reg_txn *t);
	/* An address taken for a binding that was not made after all. */
	void (*release)(void *ctx, struct in_addr a);
	/* The parked t is going away (shutdown, reload): never answer it. */
	void (*cancel)(void *ctx, struct reg_txn *t);
};

struct reg_allocator {
	const struct reg_allocator_ops *ops;
	void *ctx;
};

/* The local pools, through the binding store (which adopts held addresses). */
void reg_pool_allocator(struct reg_allocator *a, struct binding_store *store);
/* Another allocator from now on (IPSP's); nothing may be parked. */
void reg_pipeline_set_allocator(struct reg_pipeline *p,
				const struct reg_allocator *a);

struct reg_pipeline_ops {
	/* A fresh clock and nonce into t (t->in, t->now_*). */
	void (*prepare)(void *ctx, struct reg_txn *t);
	/* t is decided: queue its reply (t->d). Not for discarded ones. */
	void (*reply)(void *ctx, struct reg_txn *t);
	/*
	 * A parked t finished outside a burst, its reply queued: send it.
	 * t is freed when this returns.
	 */
	void (*resumed)(void *ctx, struct reg_txn *t);
};

struct reg_pipeline {
	const struct reg_env *env;
	struct binding_store *store;
	struct kadapter *ka;
	struct reg_allocator alloc;
	struct reg_stats *stats;
	const struct reg_pipeline_ops *ops;
	void *ctx;
	struct reg_txn *pending[REG_PIPELINE_MAX]; /* until the flush */
	unsigned int n_pending;
	struct reg_txn *parked; /* waiting for the allocator */
	unsigned int n_parked;
	/* installs of unknown outcome: resync, then free the addresses */
	bool resync_pending;
	struct in_addr unknown_addrs[64];
	unsigned int n_unknown;
};

void reg_pipeline_init(struct reg_pipeline *p, const struct reg_env *env,
		       struct binding_store *store, struct kadapter *ka,
		       const struct reg_allocator *alloc,
		       struct reg_stats *stats,
		       const struct reg_pipeline_ops *ops, void *ctx);
/* Parked transactions are cancelled and freed. */
void reg_pipeline_fini(struct reg_pipeline *p);
/*
 * A reload: a parked request was decided on the configuration that goes
 * (its SA, host, link, lifetime). It is dropped without a reply (its node
 * retransmits and is decided anew). Returns how many.
 */
unsigned int reg_pipeline_cancel_parked(struct reg_pipeline *p);

/*
 * At most this many requests wait for the allocator at once; more are
 * denied (130): each holds a copy of its message.
 */
#define REG_PARKED_MAX 4096

/*
 * One request: t->from, t->dst and t->in (buf, len, src, dst, clock,
 * nonce) and t->now_* are set; buf must stay valid until the next
 * reg_pipeline_flush() (it is copied if the request is parked).
 */
void reg_pipeline_request(struct reg_pipeline *p, struct reg_txn *t);
/* Send the pending kernel changes and finish their requests. */
void reg_pipeline_flush(struct reg_pipeline *p);
/* The allocator's answer for a parked t (err 0: addr is t's). */
void reg_pipeline_alloc_done(struct reg_txn *t, int err, struct in_addr addr);
size_t reg_pipeline_parked(const struct reg_pipeline *p);

#endif /* MIPHA_REG_PIPELINE_H */

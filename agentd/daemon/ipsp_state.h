/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipsp_state: the IP Pool Sharing Protocol's state machine (seed 004),
 * without sockets or timers: the service (ipsp.c) hands it whole frames,
 * the connection's ups and downs and the clock; it answers through struct
 * ipsp_state_ops. Unit-tested with two of them wired back to back.
 *
 * What it keeps: the role played now (primary or secondary; it starts as
 * configured), the peer's, and, per address of every pool (IPSP manages
 * every `pool`: mipha's static addresses are host settings, never pooled),
 * whether it is busied out here. A busied-out address is reserved in the
 * pool set (pool_reserve()), so no allocation here can take it, and marked
 * in a bitmap of IPSP's, so that it is told from an address a binding
 * holds and can be handed back.
 *
 *	primary:   busy = released to the secondary (it is the peer's now)
 *	secondary: busy = not assigned to us; free = assigned and unused
 *	           (our block); bound = ours, a binding holds it
 *
 * Secondary. At start (and whenever it gives the primary role back) every
 * free address is busied out: the pools are locked. Connected, it sends
 * what it holds (HELD: the claims), then asks for a block of `block`
 * addresses of each pool; a GRANT un-busies them and new sessions take
 * them through the pools as usual. A node handed off (it asks for the
 * address it holds, busy here) waits for the primary's approval
 * (ADDR_REQUEST, the registration parked); a new node when our block of
 * its pool is used up waits for the next block. With the primary unknown,
 * not connected, or nothing approved, a registration that needs an
 * address is refused (130).
 *
 * Primary. Answers block requests from its free addresses (reserved and
 * busied out: released) and address requests: an address bound here is
 * released only to the identity (NAI) that holds it, the binding removed
 * from the kernel and the store (cause TAKEN_OVER) and its address kept
 * reserved, busied out; a free one is busied out at once. It allocates
 * nothing new until it has the secondary's claims (or the dead interval
 * passed without one): after a restart it does not know what it released.
 * When no address of its pools is bound or in flight any more it raises
 * "all addresses free", sends ALL_FREE and becomes the secondary (its
 * pools all busied out); the peer becomes the primary and un-busies all.
 *
 * Claims (a secondary's HELD) at the primary: a free address is busied out;
 * one bound here to the same node is released to the claim when the claim
 * is newer (the node's own Identification when both are timestamps; else
 * the claim: a node registers at the secondary only after leaving us) and
 * kept otherwise; one bound here to another node, or in flight, stays ours
 * and goes back in a RELEASE frame: the secondary drops its binding. So
 * no address is ever bound at both.
 *
 * Roles on connecting: different roles stay as they are (after ALL_FREE
 * the configured secondary stays primary). Both primary (the secondary
 * took over while the primary was away, and it came back): the
 * configured secondary gives the role back, busies out everything free
 * and claims its bindings. Both secondary: the configured primary takes
 * the role (un-busies everything, then busies out the claims).
 *
 * Dead interval: a peer not heard from (any frame) for dead-interval
 * seconds is down; a broken connection alone changes nothing. A secondary
 * whose primary is down becomes primary ("acting") if it holds at least
 * one address, and un-busies every address; with none it stays locked.
 * GOING_DOWN (graceful termination): from the primary, preceded by the
 * addresses its bindings hold (HELD), makes the secondary acting primary
 * at once, those addresses still busied out (a handoff of one is granted
 * to the node that held it alone); from the secondary, the primary marks
 * it down. Inactive mode: nothing runs. check-config: HELLOs are compared
 * and every difference reported; nothing is locked, asked or granted.
 */
#ifndef MIPHA_IPSP_STATE_H
#define MIPHA_IPSP_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <jansson.h>

#include "ipsp_msg.h"

struct binding_store;
struct config;
struct pool_set;
struct reg_allocator;
struct reg_txn;
struct ipsp_state;

struct ipsp_state_ops {
	/* Queue one whole frame to the peer. 0, or an error: the service
	 * closes the connection (ipsp_state_disconnected() follows). */
	int (*send)(void *ctx, const uint8_t *buf, size_t len);
	/*
	 * Remove our binding of addr (the kernel's, then the store's with
	 * cause TAKEN_OVER and BINDING_KEEP_ADDR: its address stays
	 * reserved), and then call ipsp_state_release_done(), from the
	 * loop. 0, or an error (nothing was started).
	 */
	int (*release_binding)(void *ctx, struct in_addr addr);
	/* A parked registration's answer (reg_pipeline_alloc_done()). */
	void (*alloc_done)(void *ctx, struct reg_txn *t, int err,
			   struct in_addr addr);
	/* Something an operator follows: what ("peer-up", "peer-down",
	 * "role", "all-free", "config-mismatch", "going-down"), and fields
	 * (the callee takes a reference if it keeps them). May be NULL. */
	void (*event)(void *ctx, const char *what, json_t *fields);
	/* Call ipsp_state_tick() soon (from the loop, not from here). */
	void (*kick)(void *ctx);
	/* Close the connection soon (from the loop, not from here):
	 * ipsp_state_disconnected() follows. May be NULL. */
	void (*close)(void *ctx, const char *why);
};

/*
 * The state for cfg's ipsp section (which must be there) over the pools
 * and the store (both must outlive it). A secondary's pools are locked
 * here. 0, -EINVAL (no ipsp section), -ENOMEM.
 */
int ipsp_state_new(struct ipsp_state **sp, const struct config *cfg,
		   struct pool_set *pools, struct binding_store *store,
		   const struct ipsp_state_ops *ops, void *ctx,
		   uint64_t now_ms);
/* Parked registrations are not answered (reg_pipeline cancels them). */
void ipsp_state_free(struct ipsp_state *st);
/*
 * A reloaded configuration (its pools are the same: config_ipsp refuses
 * a change while IPSP is on) and the pool set the allocations moved to.
 * Mode and dead interval apply now.
 */
void ipsp_state_set_config(struct ipsp_state *st, const struct config *cfg,
			   struct pool_set *pools, uint64_t now_ms);

/* The connection is up (TLS authenticated): our HELLO goes out. */
void ipsp_state_connected(struct ipsp_state *st, uint64_t now_ms);
/* It is gone: requests in flight fail (their registrations: 130). */
void ipsp_state_disconnected(struct ipsp_state *st, uint64_t now_ms);
/*
 * One whole frame from the peer (ipsp_frame_peek() said so). 0; a
 * negative errno for a frame that breaks the protocol (malformed, before
 * HELLO, a role or configuration that cannot work): the service closes
 * the connection and counts it; *why says what.
 */
int ipsp_state_frame(struct ipsp_state *st, const uint8_t *buf, size_t len,
		     uint64_t now_ms, const char **why);
/* Keepalives, the dead interval, all-free. Returns when to call again
 * (an absolute time in ms). */
uint64_t ipsp_state_tick(struct ipsp_state *st, uint64_t now_ms);
/* The binding release_binding() asked for is gone (err 0) or not. */
void ipsp_state_release_done(struct ipsp_state *st, struct in_addr addr,
			     int err);
/* Graceful termination (SIGTERM, IPSP switched off): a primary sends
 * what its bindings hold, then GOING_DOWN; a secondary GOING_DOWN. */
void ipsp_state_going_down(struct ipsp_state *st);

/* Does the mode want a connection at all (not inactive)? */
bool ipsp_state_wants_peer(const struct ipsp_state *st);
/* The registration path's allocator (replaces the pools' own). */
void ipsp_state_allocator(struct ipsp_state *st, struct reg_allocator *a);

/* A view for miphactl ipsp (its JSON schema in ctl/ctl_ipsp.c): the
 * caller adds the connection's fields. */
json_t *ipsp_state_json(const struct ipsp_state *st, uint64_t now_ms);

struct ipsp_counters {
	uint64_t block_requests, addr_requests; /* sent or served */
	uint64_t grants, denials;		/* answered or received */
	uint64_t handoffs;	    /* bindings released to the peer */
	uint64_t claims;	    /* HELD entries received */
	uint64_t conflicts;	    /* an address bound at both */
	uint64_t refused_sessions;  /* registrations refused: no address */
	uint64_t takeovers;	    /* became primary */
	uint64_t going_down_sent, going_down_received;
	uint64_t protocol_errors;
};
const struct ipsp_counters *ipsp_state_counters(const struct ipsp_state *st);
uint8_t ipsp_state_role(const struct ipsp_state *st);
bool ipsp_state_peer_up(const struct ipsp_state *st);
bool ipsp_state_all_free(const struct ipsp_state *st);

#endif /* MIPHA_IPSP_STATE_H */

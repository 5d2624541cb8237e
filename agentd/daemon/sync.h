/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sync: peer sync, the service. Every binding this home agent holds,
 * replicated to its peers over one TLS 1.3 stream each, so that when it
 * dies the one that takes over holds the same table (SYNC-DESIGN.md has
 * the whole plan; sync_msg.h the wire format).
 *
 * Peers are the secure-home-agent sections naming one address; the side
 * with the lower address connects, the other accepts (one connection per
 * pair, nothing to reconcile). Each side sends a HELLO; each resumes the
 * other's stream where it stopped (sync_stream), or, when it cannot, sends
 * its whole table as a bulk download on the same stream.
 *
 * Who sends what.
 *  - Physical-network mode: only the active home agent (HSRP, via
 *    sync_set_role()) accepts registrations, so only it sends its changes
 *    and bulk downloads. A peer that is not active and cannot resume sends
 *    only a restart marker (BULK_START, then BULK_END aborted). A receiver
 *    that is not active marks its bindings stale at a BULK_START and, at a
 *    complete BULK_END, removes those the download did not bring: its
 *    table ends equal to the active's.
 *  - Virtual-network (peer HA) mode: every peer accepts registrations and
 *    sends its changes and, when a stream cannot resume, its table; a
 *    receiver merges (sync_merge: the newer registration wins, the same
 *    way on both sides) and never sweeps: nothing is dropped.
 * Changes caused by a peer's update (cause PEER) are never sent on: no
 * echo, no loop.
 *
 * Applying. A peer's entry goes to the kernel first (through the kernel
 * adapter: the standby forwards what reaches it; its proxy ARP stays off
 * until HSRP makes it active) and into the binding store once the kernel
 * answered. A frame is acknowledged once every entry in it is applied, so
 * what the sender sees acknowledged is what the peer could forward for.
 */
#ifndef MIPHA_SYNC_H
#define MIPHA_SYNC_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>
#include <jansson.h>

#include "sync_msg.h"

struct binding_store;
struct config;
struct kadapter;
struct loop;

/* What sync needs of the rest of the daemon. */
struct sync_host {
	struct loop *loop;
	struct binding_store *store;
	struct kadapter *ka;
	/* A home link's name (NULL if unknown) and an ifindex (0). */
	const char *(*link_name)(void *ctx, uint32_t ifindex);
	uint32_t (*link_index)(void *ctx, const char *name);
	/* A bulk download from the active ended complete (HSRP's preempt
	 * delay sync waits for it). May be NULL. */
	void (*bulk_done)(void *ctx);
	/*
	 * A peer that was active while we were too (a partition) gave way,
	 * and we stay active with the merged table: every home address must
	 * be announced again from here (gratuitous ARP). May be NULL.
	 */
	void (*healed)(void *ctx);
	/*
	 * Something an operator follows (miphactl events redundancy):
	 * fields has "peer" and "what" ("up", "down", "config-mismatch",
	 * "bulk-received", "bulk-sent", "healed") and what goes with it. May be NULL;
	 * fields is the callee's to take a reference of.
	 */
	void (*event)(void *ctx, json_t *fields);
	/*
	 * Does an HSRP group of ours hear a router at addr now (its active
	 * or standby: the address its hellos come from)? A peer on several
	 * paths is called on one whose group sees it (seed 001). May be NULL.
	 */
	bool (*hears)(void *ctx, struct in_addr addr);
	void *ctx;
};

struct sync;

/*
 * The service for cfg (home-agent redundancy = yes, its peers and keys),
 * listening on the redundancy port, connecting to the peers whose address
 * is higher than ours. local: the address to listen and call from
 * (0.0.0.0: any, and the kernel's choice toward each peer). node_id:
 * ours if redundancy { node-id } is not set (0: our address toward the
 * first peer). 0, -EINVAL (no peer with one address), -ENOMEM, -EIO, or a
 * socket's errno.
 */
int sync_new(struct sync **sp, const struct sync_host *host,
	     const struct config *cfg, struct in_addr local, uint32_t node_id);
/* Connections closed without a word (a crash of ours looks the same). */
void sync_free(struct sync *s);

/*
 * A configuration reloaded live: its digests (what a HELLO compares) and
 * the rate and timers. Peers and keys are read at start (a change of
 * secure-home-agent needs a restart while redundancy is on).
 */
void sync_set_config(struct sync *s, const struct config *cfg);

/* Our HSRP role (enum sync_role): decides who sends, and who sweeps. */
void sync_set_role(struct sync *s, uint8_t role);

/*
 * The features (SYNC_FEAT_*) our HELLOs announce from the next connection
 * on; SYNC_FEATURES unless told. Fewer: this side as an older version
 * would be, to a peer (a mixed-version pair, in the tests).
 */
void sync_set_features(struct sync *s, uint16_t features);

/*
 * Every connection closed now (miphactl redundancy reconnect): each comes
 * back after its backoff and resumes its streams where they stopped.
 */
void sync_reconnect(struct sync *s);

/*
 * May the active role be handed over now (miphactl redundancy switchover)?
 * 0 when we are the active (physical-network mode), a standby peer with
 * our configuration is connected and was heard from since since_ms (a
 * dead one's connection lasts until its dead interval), and every
 * connected peer has acknowledged all we sent: no
 * bulk download running, nothing queued or unacknowledged. -EAGAIN with
 * *why when that may still come (a lagging or absent standby), another
 * -errno with *why when it cannot (not active, virtual-network mode).
 */
int sync_handover_ready(const struct sync *s, uint64_t since_ms,
			const char **why);

/* miphactl redundancy: {"node_id", "mode", "role", "peers": [...]}. */
json_t *sync_json(const struct sync *s);

/* Sum over the peers (tests, stats). */
struct sync_totals {
	uint64_t sent, received, applied, acked, lag, resyncs;
	uint64_t refused; /* entries not applied: unknown link, conflict */
	unsigned int connected, mismatched;
};
void sync_totals(const struct sync *s, struct sync_totals *t);

#endif /* MIPHA_SYNC_H */

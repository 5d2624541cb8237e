/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sync_merge: which of two records of one mobile node is the newer, when
 * ours and a peer's disagree.
 *
 * In the physical-network mode only the active home agent accepts
 * registrations, and its stream is the order. In the virtual-network (peer
 * HA) mode both accept them, and after a partition both have: the same
 * node may then have a binding on each side. The newer registration wins,
 * decided the same way on both sides so the tables converge:
 *  - both records from timestamp security associations: the higher
 *    Identification (the mobile node's own clock, RFC 5944 5.7.1: it only
 *    goes forward for one node, whichever home agent it spoke to);
 *  - otherwise (nonces carry no order): the higher version (each change
 *    counts one, and a home agent starts from the version it synced), then
 *    the home agent with the higher node id — an order both agree on.
 * Never the home agents' clocks (reg_time_ms): they skew, and a skewed
 * clock would let an old registration win everywhere.
 *
 * A removal is the removed record's state: a peer's delete of a binding we
 * renewed since (ours newer) leaves ours in place.
 */
#ifndef MIPHA_SYNC_MERGE_H
#define MIPHA_SYNC_MERGE_H

#include <stdint.h>

#include "binding_store.h"

enum sync_merge {
	SYNC_MERGE_THEIRS, /* the peer's record is newer: apply it */
	SYNC_MERGE_OURS,   /* ours is newer: keep it (and tell the peer) */
	SYNC_MERGE_SAME,   /* the same registration: nothing to do */
};

/*
 * Each record with the node id of the home agent that accepted its
 * registration (a synced copy keeps its origin's id).
 */
enum sync_merge sync_merge(const struct binding_rec *ours, uint32_t ours_by,
			   const struct binding_rec *theirs,
			   uint32_t theirs_by);

#endif /* MIPHA_SYNC_MERGE_H */

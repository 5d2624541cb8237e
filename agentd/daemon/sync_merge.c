// SPDX-License-Identifier: GPL-2.0
/*
 * sync_merge: see sync_merge.h.
 */
#include "sync_merge.h"

static enum sync_merge by(uint64_t ours, uint64_t theirs)
{
	if (theirs > ours)
		return SYNC_MERGE_THEIRS;
	if (theirs < ours)
		return SYNC_MERGE_OURS;
	return SYNC_MERGE_SAME;
}

enum sync_merge sync_merge(const struct binding_rec *ours, uint32_t ours_by,
			   const struct binding_rec *theirs, uint32_t theirs_by)
{
	enum sync_merge m;

	if (ours->replay_method == REPLAY_TIMESTAMP &&
	    theirs->replay_method == REPLAY_TIMESTAMP && ours->replay.seen &&
	    theirs->replay.seen) {
		m = by(ours->replay.last_id, theirs->replay.last_id);
		if (m != SYNC_MERGE_SAME)
			return m;
		/*
		 * One request accepted on both sides (a retransmission that
		 * reached each): the same registration if nothing else
		 * moved; else fall through to the agreed order.
		 */
	}
	m = by(ours->version, theirs->version);
	if (m != SYNC_MERGE_SAME)
		return m;
	if (ours_by == theirs_by)
		return SYNC_MERGE_SAME;
	/* Same version, two home agents: both sides pick the same one. */
	return theirs_by > ours_by ? SYNC_MERGE_THEIRS : SYNC_MERGE_OURS;
}

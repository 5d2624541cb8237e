/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Expiry of bindings by the kernel itself, so that nothing forwards to a
 * stale care-of address forever if the agent dies.
 *
 * One delayed work per namespace scans the table when the earliest
 * expiry is due, in batches of buckets with the lock dropped between
 * them (500k bindings never hold the lock long), removing and notifying
 * what has expired and noting when the next scan is due.
 */
#ifndef _MIPHA_EXPIRY_H
#define _MIPHA_EXPIRY_H

#include "netns.h"

void mipha_expiry_init(struct mipha_net *mn);
/* Lock not held: stops the worker for good (namespace teardown). */
void mipha_expiry_stop(struct mipha_net *mn);
/* Lock held: a binding expiring at @expires (jiffies64, 0: never) was set. */
void mipha_expiry_note(struct mipha_net *mn, u64 expires);

#endif /* _MIPHA_EXPIRY_H */

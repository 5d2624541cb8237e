/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per network namespace state: one binding table, its lock, its expiry
 * worker and its statistics. Every namespace gets this small struct; the
 * table array is only 256 buckets until bindings arrive.
 */
#ifndef _MIPHA_NETNS_H
#define _MIPHA_NETNS_H

#include <linux/mutex.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "table.h"

/* Lookups happen on every packet, on any CPU: count them per CPU. */
struct mipha_pcpu_stats {
	u64_stats_t lookup_hits;
	u64_stats_t lookup_misses;
	struct u64_stats_sync syncp;
};

/* Changed only under mipha_net.lock. */
struct mipha_table_stats {
	u64 adds;
	u64 replaces;
	u64 deletes;
	u64 expiries;
	u64 flushes;
};

struct mipha_expiry {
	struct delayed_work work;
	/* When the work is due (jiffies64); 0 while nothing is scheduled. */
	u64 due;
	/* A scan in progress resumes here after dropping the lock. */
	struct mipha_table_cursor cursor;
	unsigned int ti_seq;		/* the array the cursor walks */
	bool scanning;
	/* Earliest expiry among the bindings the scan has left alive, and
	 * among bindings added while it runs: when the next scan is due.
	 */
	u64 scan_min;
};

struct mipha_net {
	struct net *net;
	/* Serialises every change of the table, the stats and expiry. */
	struct mutex lock;
	struct mipha_table table;
	/* Bumped on every change; dumps compare it to flag interruptions.
	 * Written under lock, read locklessly by dumps.
	 */
	u32 generation;
	size_t cookie_bytes;		/* kernel memory held by cookies */
	struct mipha_table_stats stats;
	struct mipha_pcpu_stats __percpu *pcpu_stats;
	struct mipha_expiry expiry;
	/* The table's array between teardown stages (netns.c). */
	struct mipha_table_instance *dying;
};

struct mipha_net *mipha_net(const struct net *net);

int mipha_netns_init(void);
void mipha_netns_exit(void);

static inline void mipha_lock(struct mipha_net *mn)
{
	mutex_lock(&mn->lock);
}

static inline void mipha_unlock(struct mipha_net *mn)
{
	mutex_unlock(&mn->lock);
}

static inline void mipha_assert_locked(struct mipha_net *mn)
{
	lockdep_assert_held(&mn->lock);
}

static inline void mipha_changed(struct mipha_net *mn)
{
	mipha_assert_locked(mn);
	/* Never 0: netlink treats a zero sequence as "not checked". */
	WRITE_ONCE(mn->generation, mn->generation + 1 ?: 1);
}

#endif /* _MIPHA_NETNS_H */

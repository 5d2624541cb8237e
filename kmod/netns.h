/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per network namespace state: one binding table, its lock, its expiry
 * worker and its statistics. Every namespace gets this small struct; the
 * table array is only 256 buckets until bindings arrive.
 */
#ifndef _MIPHA_NETNS_H
#define _MIPHA_NETNS_H

#include <linux/mutex.h>
#include <linux/rhashtable-types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "binding_table.h"

/* Events of the packet path, counted per CPU (see mipha_count()). */
enum mipha_counter {
	MIPHA_CNT_LOOKUP_HITS,
	MIPHA_CNT_LOOKUP_MISSES,
	MIPHA_CNT_TX_PACKETS,
	MIPHA_CNT_RX_PACKETS,
	MIPHA_CNT_DROP_NO_ROUTE,
	MIPHA_CNT_DROP_TOO_BIG,
	MIPHA_CNT_DROP_TTL,
	MIPHA_CNT_DROP_SPOOF,
	MIPHA_CNT_DROP_LOOP,
	MIPHA_CNT_DROP_NO_BINDING,
	MIPHA_CNT_DROP_ERROR,
	MIPHA_CNT_ICMP_ERRORS,
	MIPHA_CNT_PMTU_UPDATES,
	MIPHA_CNT_BROADCASTS,
	MIPHA_CNT_ARP_REPLIES,
	MIPHA_CNT_ANNOUNCEMENTS,
	MIPHA_CNT_DROP_MARTIAN,
	MIPHA_CNT_DROP_RPFILTER,
	MIPHA_CNT_DROP_LINK_DOWN,
	MIPHA_CNT_DROP_BACKLOG,
	MIPHA_CNT_MAX
};

struct mipha_pcpu_stats {
	u64_stats_t count[MIPHA_CNT_MAX];
	struct u64_stats_sync syncp;
};

/* The distinct home agent addresses of the bindings, for the reverse
 * tunnel to tell "tunnelled to us" from "tunnelled to someone else".
 * Published by RCU, rebuilt when the set changes (rarely: a home agent
 * has a handful of addresses).
 */
struct mipha_ha_addrs {
	struct rcu_head rcu;
	unsigned int n;
	__be32 addr[];
};

struct mipha_ha_ref {
	__be32 addr;
	unsigned int refs;		/* bindings using it */
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

struct mipha_route_cache;

/* Home links with broadcast bindings: a handful per namespace. */
#define MIPHA_BCAST_HASH_BITS	3

struct mipha_net {
	struct net *net;
	/* Serialises every change of the table, the stats and expiry. */
	struct mutex lock;
	/*
	 * The memory cgroup of the namespace's creator: what the expiry
	 * worker allocates (a smaller bucket array) is charged there, not to
	 * no one. NULL without memory cgroups.
	 */
	struct mem_cgroup *memcg;
	struct mipha_table table;
	/* Bumped when the list of links changes; link dumps compare it. */
	u32 links_generation;
	size_t cookie_bytes;		/* kernel memory held by cookies */
	u32 max_bindings;		/* new bindings past it: -ENOSPC */
	struct mipha_table_stats stats;
	struct mipha_pcpu_stats __percpu *pcpu_stats;
	struct mipha_expiry expiry;
	/* The table's array between teardown stages (netns.c). */
	struct mipha_table_instance *dying;
	/* Netfilter hooks are registered while the table is not empty. */
	bool hooks_registered;
	/* Bindings with MIPHA_F_BROADCAST, a list per home link (bcast.h). */
	struct hlist_head bcast_lists[1 << MIPHA_BCAST_HASH_BITS];
	/* Home agent addresses in use: refcounts (lock) and published set. */
	struct mipha_ha_ref *ha_refs;
	unsigned int n_ha_refs;
	struct mipha_ha_addrs __rcu *ha_addrs;
	/* Care-of address objects (coa.c): by address, and listed for the
	 * device notifier (route.c).
	 */
	struct rhashtable coas;
	struct list_head coa_list;
	/* Bindings whose care-of address is bound (loops.c). */
	long loop_bindings;
	/* Routes to care-of addresses (route.c), from the first binding on. */
	struct mipha_route_cache __percpu *route_cache;
	/* Home links with proxy ARP settings (struct mipha_link), RCU list. */
	struct list_head links;
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

/* Count one event; BHs off (the packet path, or local_bh_disable()). */
static inline void mipha_count(struct mipha_net *mn, enum mipha_counter c)
{
	struct mipha_pcpu_stats *s = this_cpu_ptr(mn->pcpu_stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->count[c]);
	u64_stats_update_end(&s->syncp);
}

/* Sum of one counter over all CPUs. */
u64 mipha_counter_read(struct mipha_net *mn, enum mipha_counter c);

#endif /* _MIPHA_NETNS_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A mobility binding: home address -> care-of address.
 *
 * A binding is immutable once published, except for its counters: a
 * change is a replacement by a new object (mipha_table_replace), so a
 * reader on the packet path never sees half an update and no key field
 * ever changes under a reader's feet.
 */
#ifndef _MIPHA_BINDING_H
#define _MIPHA_BINDING_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

/*
 * Counters are per binding atomics, not per-CPU: per-CPU counters cost
 * nr_cpu_ids * 32 bytes per binding (a 64-core router with 500k bindings
 * would spend 1 GiB on them). Traffic toward a mobile node arrives
 * unencapsulated from many flows, which RSS spreads over CPUs, so these
 * lines do move between CPUs: they sit in a cache line of their own,
 * apart from the fields every lookup reads, so that their writes never
 * evict what the other CPUs' lookups need.
 */
struct mipha_binding_stats {
	atomic64_t tx_packets;	/* tunnelled to the care-of address */
	atomic64_t tx_bytes;
	atomic64_t rx_packets;	/* received through the reverse tunnel */
	atomic64_t rx_bytes;
};

struct mipha_coa;

/*
 * Two cache lines, aligned (binding.c's slab cache), 128 bytes. The
 * table's buckets hold the key and a pointer (binding_table.h), so a
 * binding is not touched by lookups of other keys; a hit reads the first
 * line only, and tunnelling writes the second.
 */
struct mipha_binding {
	/* Line 0: everything the packet path reads; never written once
	 * published.
	 */
	__be32 home_addr;		/* the key */
	__be32 coa;			/* outer destination */
	__be32 ha_addr;			/* outer source */
	u32 gre_key;			/* valid if has_gre_key */
	u32 flags;			/* enum mipha_binding_flags */
	int link;			/* home link ifindex, 0: virtual network */
	u8 encap;			/* enum mipha_encap */
	bool has_gre_key;
	u16 cookie_len;
	/* Set when first inserted (binding_table.h), kept by replaces: a key
	 * deleted and added again has a new one.
	 */
	u32 gen;
	/* The care-of address's shared state (its cached route), held. */
	struct mipha_coa *coa_obj;
	u64 expires;			/* jiffies64; 0: never */
	u8 *cookie;			/* agent's opaque data, cookie_len bytes */

	/* Line 1: written by the packet path (counters) and by writers. */
	struct mipha_binding_stats stats ____cacheline_aligned;
	/* On its home link's broadcast list while MIPHA_F_BROADCAST is set. */
	struct hlist_node bcast_node;
	struct rcu_head rcu;
} ____cacheline_aligned;

int mipha_binding_cache_init(void);
void mipha_binding_cache_exit(void);

/* A binding with no cookie and zeroed counters; NULL without memory. */
struct mipha_binding *mipha_binding_alloc(gfp_t gfp);
/* Copies @len bytes to a private buffer; -ENOMEM. */
int mipha_binding_set_cookie(struct mipha_binding *b, const void *data,
			     u16 len, gfp_t gfp);
/* Frees at once: @b was never published, or no reader can reach it. */
void mipha_binding_free(struct mipha_binding *b);
/* Frees after a grace period. */
void mipha_binding_free_rcu(struct mipha_binding *b);

static inline void mipha_binding_copy_stats(struct mipha_binding *to,
					    const struct mipha_binding *from)
{
	atomic64_set(&to->stats.tx_packets,
		     atomic64_read(&from->stats.tx_packets));
	atomic64_set(&to->stats.tx_bytes, atomic64_read(&from->stats.tx_bytes));
	atomic64_set(&to->stats.rx_packets,
		     atomic64_read(&from->stats.rx_packets));
	atomic64_set(&to->stats.rx_bytes, atomic64_read(&from->stats.rx_bytes));
}

#endif /* _MIPHA_BINDING_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Routes to care-of addresses.
 *
 * Bindings share care-of addresses (a foreign agent serves many mobile
 * nodes), so the route is cached on the care-of address object (coa.h)
 * every binding behind it points to, as IPVS caches it on its destination
 * (struct ip_vs_dest_dst): one route for all CPUs, validated with
 * dst_check() on every use as dst_cache does (a route or PMTU change makes
 * it stale), replaced under the object's lock, and handed to the packet
 * without a reference (skb_dst_set_noref(), see xmit.c): no atomic per
 * packet. Unlike IPVS the route and its key sit in the object, under a
 * seqcount, not in a separate RCU-freed struct, which saves a pointer (a
 * cache miss per packet with many care-of addresses). What IPVS's struct
 * is for, a route replaced keeps its reference until a grace period has
 * passed, a small holder does, allocated when a route is replaced
 * (route.c retire_dst()).
 *
 * The object caches one key (source, TOS, protocol). Packets with another
 * one, and packets arriving while another CPU is filling the object, use
 * the namespace's older cache: per CPU, direct-mapped, keyed by (care-of
 * address, source, TOS, protocol), validated the same way, and holding a
 * reference per packet. ip_tunnel keeps a per-CPU dst_cache per tunnel; a
 * per-CPU cache per binding would cost 500k * nr_cpus entries.
 */
#ifndef _MIPHA_ROUTE_H
#define _MIPHA_ROUTE_H

#include <net/route.h>

#include "binding.h"
#include "netns.h"

/*
 * Under RCU, BHs off. A route to @b's care-of address, or an ERR_PTR; and
 * @fl4's source and destination. With *@noref, the route is the cached
 * one and no reference was taken: it is valid until rcu_read_unlock(), for
 * skb_dst_set_noref(). Without, the caller owns a reference.
 */
struct rtable *mipha_route_coa(struct mipha_net *mn,
			       const struct mipha_binding *b, u8 tos,
			       struct flowi4 *fl4, bool *noref);

/* Lock held: allocate the cache (first binding of the namespace). */
int mipha_route_cache_init(struct mipha_net *mn);
/* No packet can use the cache any more: drop every cached route. */
void mipha_route_cache_flush(struct mipha_net *mn);
void mipha_route_cache_free(struct mipha_net *mn);

/* The device notifier dropping the cached routes through a device. */
int mipha_route_notifier_init(void);
void mipha_route_notifier_exit(void);

#endif /* _MIPHA_ROUTE_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * Routes to care-of addresses, cached per CPU: see route.h.
 */
#include <linux/hash.h>
#include <linux/percpu.h>
#include <net/dst.h>
#include <uapi/linux/mipha.h>

#include "route.h"

#define ROUTE_CACHE_BITS	8

struct route_slot {
	struct rtable *rt;		/* held; NULL when empty */
	__be32 coa;
	__be32 saddr;
	u8 tos;
	u8 proto;
};

struct mipha_route_cache {
	struct route_slot slot[1 << ROUTE_CACHE_BITS];
};

static struct rtable *route_lookup(struct mipha_net *mn,
				   const struct mipha_binding *b, u8 tos,
				   u8 proto, struct flowi4 *fl4)
{
	memset(fl4, 0, sizeof(*fl4));
	fl4->daddr = b->coa;
	fl4->saddr = b->ha_addr;
	fl4->flowi4_tos = tos;
	fl4->flowi4_proto = proto;
	/*
	 * A standby home agent may tunnel from the shared address before it
	 * owns it (the seeds: "either of the home agents tunnel them").
	 */
	fl4->flowi4_flags = FLOWI_FLAG_ANYSRC;
	return ip_route_output_key(mn->net, fl4);
}

struct rtable *mipha_route_coa(struct mipha_net *mn,
			       const struct mipha_binding *b, u8 tos,
			       struct flowi4 *fl4)
{
	u8 proto = b->encap == MIPHA_ENCAP_GRE ? IPPROTO_GRE : IPPROTO_IPIP;
	struct mipha_route_cache *cache = this_cpu_ptr(mn->route_cache);
	struct route_slot *slot;
	struct rtable *rt;

	tos = RT_TOS(tos);
	slot = &cache->slot[hash_32((__force u32)b->coa ^ tos,
				    ROUTE_CACHE_BITS)];
	rt = slot->rt;
	if (rt && slot->coa == b->coa && slot->saddr == b->ha_addr &&
	    slot->tos == tos && slot->proto == proto &&
	    dst_check(&rt->dst, 0)) {
		dst_hold(&rt->dst);
		fl4->daddr = b->coa;
		fl4->saddr = b->ha_addr;
		return rt;
	}

	rt = route_lookup(mn, b, tos, proto, fl4);
	if (IS_ERR(rt))
		return rt;
	if (slot->rt)
		dst_release(&slot->rt->dst);
	dst_hold(&rt->dst);
	slot->rt = rt;
	slot->coa = b->coa;
	slot->saddr = b->ha_addr;
	slot->tos = tos;
	slot->proto = proto;
	return rt;
}

int mipha_route_cache_init(struct mipha_net *mn)
{
	mipha_assert_locked(mn);
	if (!mn->route_cache)
		mn->route_cache = alloc_percpu_gfp(struct mipha_route_cache,
						   GFP_KERNEL_ACCOUNT);
	return mn->route_cache ? 0 : -ENOMEM;
}

void mipha_route_cache_flush(struct mipha_net *mn)
{
	struct mipha_route_cache *cache;
	unsigned int i;
	int cpu;

	if (!mn->route_cache)
		return;
	for_each_possible_cpu(cpu) {
		cache = per_cpu_ptr(mn->route_cache, cpu);
		for (i = 0; i < ARRAY_SIZE(cache->slot); i++) {
			if (cache->slot[i].rt)
				dst_release(&cache->slot[i].rt->dst);
			cache->slot[i].rt = NULL;
		}
	}
}

void mipha_route_cache_free(struct mipha_net *mn)
{
	mipha_route_cache_flush(mn);
	free_percpu(mn->route_cache);
	mn->route_cache = NULL;
}

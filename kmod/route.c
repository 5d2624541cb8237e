// SPDX-License-Identifier: GPL-2.0
/*
 * Routes to care-of addresses: see route.h.
 */
#include <linux/jhash.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <net/dst.h>
#include <uapi/linux/mipha.h>

#include "coa.h"
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

/* The per-CPU cache: a held route, or an ERR_PTR. */
static struct rtable *route_pcpu(struct mipha_net *mn,
				 const struct mipha_binding *b, u8 tos,
				 u8 proto, struct flowi4 *fl4)
{
	struct mipha_route_cache *cache = this_cpu_ptr(mn->route_cache);
	struct route_slot *slot;
	struct rtable *rt;

	/*
	 * All of the key: bindings of several home agent addresses behind
	 * one care-of address take this cache for all but the key the
	 * object holds, and would take one slot in turn otherwise.
	 */
	slot = &cache->slot[jhash_3words((__force u32)b->coa,
					 (__force u32)b->ha_addr,
					 tos | proto << 8, 0) &
			    ((1 << ROUTE_CACHE_BITS) - 1)];
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

enum coa_route {
	COA_HIT,		/* the cached route, valid for this key */
	COA_STALE,		/* none, or no longer valid: look it up */
	COA_OTHER_KEY,		/* valid, but for another key */
};

/*
 * Lockless: the cached route and its key, consistent (seqcount), and
 * whether it is still valid (dst_check(), as dst_cache does: a route or
 * PMTU change makes it stale). A writer in progress reads as stale: the
 * caller then tries the lock, finds it taken, and does not wait.
 */
static enum coa_route coa_route_read(struct mipha_coa *coa, __be32 saddr,
				     u8 tos, u8 proto, struct dst_entry **dstp,
				     __be32 *src)
{
	struct dst_entry *dst;
	unsigned int seq;
	bool same;

	seq = raw_read_seqcount(&coa->seq);
	if (seq & 1)
		return COA_STALE;
	dst = READ_ONCE(coa->dst);
	same = coa->saddr == saddr && coa->tos == tos && coa->proto == proto;
	*src = coa->src;
	if (read_seqcount_retry(&coa->seq, seq) || !dst ||
	    !dst_check(dst, 0))
		return COA_STALE;
	if (!same)
		return COA_OTHER_KEY;
	*dstp = dst;
	return COA_HIT;
}

/* Lock held: replace the cached route (NULL: none); the old one is ours. */
static struct dst_entry *coa_route_set(struct mipha_coa *coa,
				       struct dst_entry *dst, __be32 saddr,
				       __be32 src, u8 tos, u8 proto)
{
	struct dst_entry *old;

	lockdep_assert_held(&coa->lock);
	write_seqcount_begin(&coa->seq);
	old = coa->dst;
	WRITE_ONCE(coa->dst, dst);
	coa->saddr = saddr;
	coa->src = src;
	coa->tos = tos;
	coa->proto = proto;
	write_seqcount_end(&coa->seq);
	return old;
}

/*
 * A route the object no longer caches: its reference goes only after a
 * grace period, as IPVS's dest_dst does (ip_vs_dest_dst_rcu_free()).
 * Packets took it without a reference in their RCU read-side section, and
 * the object's reference may be the only thing keeping it: the nexthop's
 * per-CPU cache drops its own with dst_release_immediate() (no grace
 * period of ours) when the route goes, so a dst_release() here, even one
 * that does not reach zero, could leave a packet with a freed route.
 */
struct retired_dst {
	struct rcu_head rcu;
	struct dst_entry *dst;
};

static void retired_dst_free(struct rcu_head *head)
{
	struct retired_dst *r = container_of(head, struct retired_dst, rcu);

	dst_release(r->dst);
	kfree(r);
}

/* A holder for retiring a route, or NULL: then keep the route cached. */
static struct retired_dst *retired_dst_alloc(gfp_t gfp)
{
	return kmalloc(sizeof(struct retired_dst), gfp);
}

/* Releases @dst (may be NULL) after a grace period, through @r (ours). */
static void retire_dst(struct retired_dst *r, struct dst_entry *dst)
{
	if (!dst) {
		kfree(r);
		return;
	}
	r->dst = dst;
	call_rcu(&r->rcu, retired_dst_free);
}

/*
 * The cached route is stale or missing: look it up and cache it, under the
 * object's lock, as IPVS's __ip_vs_get_out_rt() does. Only one CPU does: the
 * others, finding the lock taken, use the per-CPU cache meanwhile rather
 * than spin behind a route lookup (a flood toward the bindings of one
 * care-of address right after a route change would otherwise serialise
 * every CPU on it). NULL: go the per-CPU way.
 */
static struct rtable *coa_route_fill(struct mipha_net *mn,
				     struct mipha_coa *coa,
				     const struct mipha_binding *b, u8 tos,
				     u8 proto, struct flowi4 *fl4, bool *noref)
{
	struct dst_entry *old = NULL;
	struct retired_dst *r;
	struct rtable *rt;
	__be32 src;

	/* What the old route is retired with; none: no caching now. */
	r = retired_dst_alloc(GFP_ATOMIC);
	if (!r)
		return NULL;
	if (!spin_trylock(&coa->lock)) {
		kfree(r);
		return NULL;
	}
	/* Another CPU may have filled it since we looked. */
	switch (coa_route_read(coa, b->ha_addr, tos, proto, &old, &src)) {
	case COA_HIT:
		spin_unlock(&coa->lock);
		kfree(r);
		fl4->daddr = b->coa;
		fl4->saddr = src;
		*noref = true;
		return (struct rtable *)old;
	case COA_OTHER_KEY:
		spin_unlock(&coa->lock);
		kfree(r);
		return NULL;
	case COA_STALE:
		break;
	}

	rt = route_lookup(mn, b, tos, proto, fl4);
	if (IS_ERR(rt)) {
		/* A stale route is of no use to anyone: let it go now. */
		old = coa_route_set(coa, NULL, 0, 0, 0, 0);
		*noref = false;
	} else if (!netif_running(rt->dst.dev)) {
		/*
		 * As IPVS: a route through a device going down is not
		 * cached, or it could be cached after the device notifier
		 * (route_netdev_event()) has emptied the object, and keep
		 * the device's routes alive for nothing. The notifier takes
		 * this lock after the device stopped running.
		 */
		*noref = false;
		old = NULL;
	} else {
		/* The lookup's reference becomes the object's. */
		old = coa_route_set(coa, &rt->dst, b->ha_addr, fl4->saddr,
				    tos, proto);
		*noref = true;
	}
	spin_unlock(&coa->lock);
	/* Packets may still be using it without a reference. */
	retire_dst(r, old);
	return rt;
}

struct rtable *mipha_route_coa(struct mipha_net *mn,
			       const struct mipha_binding *b, u8 tos,
			       struct flowi4 *fl4, bool *noref)
{
	u8 proto = b->encap == MIPHA_ENCAP_GRE ? IPPROTO_GRE : IPPROTO_IPIP;
	struct mipha_coa *coa = b->coa_obj;
	struct dst_entry *dst;
	struct rtable *rt;
	__be32 src;

	tos = RT_TOS(tos);
	switch (coa_route_read(coa, b->ha_addr, tos, proto, &dst, &src)) {
	case COA_HIT:
		fl4->daddr = b->coa;
		fl4->saddr = src;
		*noref = true;
		return (struct rtable *)dst;
	case COA_STALE:
		rt = coa_route_fill(mn, coa, b, tos, proto, fl4, noref);
		if (rt)
			return rt;
		break;
	case COA_OTHER_KEY:
		/*
		 * The object caches one route, for the key of the first
		 * packet that found it empty or stale. Bindings behind one
		 * care-of address almost always share it (one home agent
		 * address, one encapsulation), and the route almost never
		 * depends on the TOS; but a second home agent address, or
		 * another protocol, or a TOS a policy rule routes apart, may
		 * give another route. Such packets take the per-CPU cache,
		 * keyed by all of it, so none goes the wrong way; the object
		 * is not re-keyed for them, or packets of two keys would
		 * replace each other's route under its lock in turn (and a
		 * sender choosing its TOS could make them).
		 */
		break;
	}
	*noref = false;
	return route_pcpu(mn, b, tos, proto, fl4);
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

/*
 * Lock held: drop the routes cached on the care-of address objects through
 * @dev. Packets may be using them without a reference: each goes after a
 * grace period (retire_dst()).
 */
static void coa_routes_drop(struct mipha_net *mn, const struct net_device *dev)
{
	struct dst_entry *old, *dst;
	struct retired_dst *r;
	struct mipha_coa *coa;

	mipha_assert_locked(mn);
	list_for_each_entry(coa, &mn->coa_list, list) {
		cond_resched();
		/* A look without the lock first, to allocate where it can
		 * sleep: a packet may replace the route meanwhile; RCU keeps
		 * it readable.
		 */
		rcu_read_lock();
		dst = READ_ONCE(coa->dst);
		r = dst && READ_ONCE(dst->dev) == dev ?
		    retired_dst_alloc(GFP_NOWAIT) : NULL;
		rcu_read_unlock();
		/* Under the lock: a fill in progress has finished. */
		spin_lock_bh(&coa->lock);
		old = NULL;
		if (coa->dst && READ_ONCE(coa->dst->dev) == dev) {
			if (!r)
				r = retired_dst_alloc(GFP_ATOMIC);
			if (r)
				old = coa_route_set(coa, NULL, 0, 0, 0, 0);
		}
		spin_unlock_bh(&coa->lock);
		/* Without memory the route stays: dst_check() fails it. */
		if (r)
			retire_dst(r, old);
	}
}

/*
 * A device going down or away: drop the routes the care-of address objects
 * cache through it, as IPVS's ip_vs_dst_event() does for its destinations.
 *
 * Correctness does not hang on it: the FIB change that comes with the
 * device going down bumps the namespace's route generation, so dst_check()
 * fails for every cached route and the next packet looks its route up
 * again; and on unregistration the kernel itself moves the routes still
 * referenced by someone (cached on the nexthops, or on rt_uncached_list)
 * to blackhole_netdev (dst_dev_put() from rt_fibinfo_free_cpus(),
 * rt_flush_dev()), so a route we hold does not pin the device. That is
 * what the per-CPU cache relies on (its slots can only be changed by
 * their own CPU). But an object whose bindings see no more traffic would
 * hold a dead route, and through it a reference on the device, until
 * its bindings go; here it is released at once.
 */
static int route_netdev_event(struct notifier_block *nb, unsigned long event,
			      void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct mipha_net *mn;

	if (event != NETDEV_DOWN && event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	/*
	 * A dying namespace's devices all go down and away in one batch
	 * under RTNL: walking every object for each of them would hold RTNL
	 * for devices * care-of addresses steps, which any user can make
	 * long. Nothing needs it there: the kernel moves their routes to
	 * blackhole_netdev, and the objects go with the namespace.
	 */
	if (!check_net(dev_net(dev)))
		return NOTIFY_DONE;
	mn = mipha_net(dev_net(dev));
	if (list_empty(&mn->coa_list))
		return NOTIFY_DONE;
	mipha_lock(mn);
	coa_routes_drop(mn, dev);
	mipha_unlock(mn);
	return NOTIFY_DONE;
}

static struct notifier_block route_notifier = {
	.notifier_call = route_netdev_event,
};

int mipha_route_notifier_init(void)
{
	return register_netdevice_notifier(&route_notifier);
}

void mipha_route_notifier_exit(void)
{
	unregister_netdevice_notifier(&route_notifier);
}

void mipha_route_cache_free(struct mipha_net *mn)
{
	mipha_route_cache_flush(mn);
	free_percpu(mn->route_cache);
	mn->route_cache = NULL;
}

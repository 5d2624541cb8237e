// SPDX-License-Identifier: GPL-2.0
/*
 * Home links: proxy ARP and gratuitous ARP. See link.h.
 *
 * Proxy ARP answers from the packet path under RCU. Announcements of a
 * whole link walk the table in batches under the namespace lock, from a
 * delayed work ticking ten times a second with a budget of a tenth of the
 * configured rate (or once per announcement below ten a second); a single
 * new binding is announced at once while the link's token bucket allows,
 * else it joins a sweep.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/jiffies.h>
#include <linux/rculist.h>
#include <linux/netfilter.h>
#include <linux/netfilter_arp.h>
#include <linux/slab.h>
#include <net/arp.h>
#include <uapi/linux/mipha.h>

#include "link.h"

/* Ten ticks a second, or fewer when the rate is below ten a second. */
#define SWEEP_TICKS_PER_SEC	10
/* Buckets one tick may scan, however few of them hold the link's bindings. */
#define SWEEP_SCAN_BUCKETS	4096

static unsigned long tick_interval(const struct mipha_link *link)
{
	return link->announce_rate >= SWEEP_TICKS_PER_SEC ?
	       HZ / SWEEP_TICKS_PER_SEC : HZ / link->announce_rate;
}

/* Announcements per tick: the rate times the tick, at least one. */
static u32 tick_budget(const struct mipha_link *link)
{
	return max_t(u32, 1, (u64)link->announce_rate * tick_interval(link) /
			     HZ);
}

static int arp_out_finish(struct net *net, struct sock *sk,
			  struct sk_buff *skb)
{
	return dev_queue_xmit(skb);
}

/*
 * arp_send(), but telling whether the frame was queued: a full queue
 * (announcing 500k bindings fast) must not count as sent. Goes through
 * ARP_OUT as arp_xmit() does.
 */
static bool arp_out(int type, __be32 dest_ip, struct net_device *dev,
		    __be32 src_ip, const u8 *dest_hw, const u8 *src_hw,
		    const u8 *target_hw)
{
	struct sk_buff *skb;
	int err;

	skb = arp_create(type, ETH_P_ARP, dest_ip, dev, src_ip, dest_hw,
			 src_hw, target_hw);
	if (!skb)
		return false;
	err = NF_HOOK(NFPROTO_ARP, NF_ARP_OUT, dev_net(dev), NULL, skb, NULL,
		      dev, arp_out_finish);
	return !net_xmit_eval(err);
}

/* A gratuitous ARP request: sender and target are the home address. */
static void announce(struct mipha_link *link, struct net_device *dev,
		     __be32 home_addr)
{
	if (!arp_out(ARPOP_REQUEST, home_addr, dev, home_addr, NULL,
		     link->lladdr, NULL))
		return;
	atomic64_inc(&link->announcements);
	local_bh_disable();
	mipha_count(link->mn, MIPHA_CNT_ANNOUNCEMENTS);
	local_bh_enable();
}

void mipha_proxy_arp(struct mipha_net *mn, struct sk_buff *skb,
		     struct net_device *dev)
{
	const struct mipha_binding *b;
	const struct mipha_link_reply *reply = NULL;
	struct mipha_link *link = NULL, *l;
	const struct arphdr *arp;
	__be32 sip, tip;
	const u8 *p;

	list_for_each_entry_rcu(l, &mn->links, list) {
		if (l->ifindex == dev->ifindex) {
			link = l;
			break;
		}
	}
	if (link)
		reply = rcu_dereference(link->reply);
	if (!reply || dev->type != ARPHRD_ETHER)
		return;
	if (!pskb_may_pull(skb, arp_hdr_len(dev)))
		return;
	arp = (const struct arphdr *)skb->data;
	if (arp->ar_op != htons(ARPOP_REQUEST) ||
	    arp->ar_hrd != htons(ARPHRD_ETHER) ||
	    arp->ar_pro != htons(ETH_P_IP) ||
	    arp->ar_hln != ETH_ALEN || arp->ar_pln != 4)
		return;
	p = (const u8 *)(arp + 1);
	memcpy(&sip, p + ETH_ALEN, 4);
	memcpy(&tip, p + 2 * ETH_ALEN + 4, 4);
	/* Probes (sender 0) and announcements are not questions to answer. */
	if (!sip || sip == tip)
		return;
	b = mipha_table_lookup_rcu(&mn->table, tip);
	if (!b || b->link != dev->ifindex)
		return;
	if (!arp_out(ARPOP_REPLY, sip, dev, tip, p, reply->lladdr, p))
		return;
	atomic64_inc(&link->arp_replies);
	mipha_count(mn, MIPHA_CNT_ARP_REPLIES);
}

static void sweep_start(struct mipha_link *link)
{
	if (link->sweeping) {
		link->sweep_again = true;
		return;
	}
	link->sweeping = true;
	link->sweep_again = false;
	link->cursor.bucket = 0;
	link->cursor.index = 0;
	link->ti_seq = link->mn->table.ti_seq;
	mod_delayed_work(system_power_efficient_wq, &link->sweep_work, 0);
}

/* Lock held. Announces up to a tick's budget; true when the sweep is done. */
static bool sweep_batch(struct mipha_link *link, struct net_device *dev)
{
	struct mipha_net *mn = link->mn;
	struct mipha_table_instance *ti;
	struct mipha_binding *b;
	u32 budget = tick_budget(link);
	unsigned int end;

	if (link->ti_seq != mn->table.ti_seq) {
		/* The array was resized: walk the new one from the start. */
		link->cursor.bucket = 0;
		link->cursor.index = 0;
		link->ti_seq = mn->table.ti_seq;
	}
	ti = rcu_dereference_protected(mn->table.ti,
				       lockdep_is_held(&mn->lock));
	end = min(link->cursor.bucket + SWEEP_SCAN_BUCKETS, ti->n_buckets);
	while (budget) {
		b = mipha_table_next(&mn->table, ti, &link->cursor);
		if (!b)
			return true;
		if (link->cursor.bucket >= end) {
			link->cursor.index--;
			return false;
		}
		if (b->link == link->ifindex) {
			announce(link, dev, b->home_addr);
			budget--;
			/* A tick's budget may be 100k frames. */
			if (!(budget & 255))
				cond_resched();
		}
	}
	return false;
}

static void sweep_work(struct work_struct *work)
{
	struct mipha_link *link = container_of(to_delayed_work(work),
					       struct mipha_link, sweep_work);
	struct mipha_net *mn = link->mn;
	struct net_device *dev;

	mipha_lock(mn);
	dev = dev_get_by_index(mn->net, link->ifindex);
	if (!link->proxy_arp || !dev) {
		/* Disabled or gone midway: stop. */
		link->sweeping = false;
	} else if (sweep_batch(link, dev)) {
		link->sweeping = false;
		if (link->sweep_again)
			sweep_start(link);
	} else {
		mod_delayed_work(system_power_efficient_wq, &link->sweep_work,
				 tick_interval(link));
	}
	dev_put(dev);
	mipha_unlock(mn);
}

static bool take_token(struct mipha_link *link)
{
	u64 now = get_jiffies_64();
	u64 refill = (now - link->tokens_time) * link->announce_rate / HZ;

	if (refill) {
		link->tokens = min_t(u64, tick_budget(link),
				     link->tokens + refill);
		link->tokens_time = now;
	}
	if (!link->tokens)
		return false;
	link->tokens--;
	return true;
}

void mipha_link_binding_added(struct mipha_net *mn,
			      const struct mipha_binding *b)
{
	struct mipha_link *link;
	struct net_device *dev;

	mipha_assert_locked(mn);
	if (!b->link)
		return;
	link = mipha_link_find(mn, b->link);
	if (!link || !link->proxy_arp)
		return;
	if (!take_token(link)) {
		sweep_start(link);
		return;
	}
	dev = dev_get_by_index(mn->net, link->ifindex);
	if (dev) {
		announce(link, dev, b->home_addr);
		dev_put(dev);
	}
}

struct mipha_link *mipha_link_find(struct mipha_net *mn, int ifindex)
{
	struct mipha_link *link;

	mipha_assert_locked(mn);
	list_for_each_entry(link, &mn->links, list)
		if (link->ifindex == ifindex)
			return link;
	return NULL;
}

struct mipha_link *mipha_link_get_or_create(struct mipha_net *mn,
					    struct net_device *dev)
{
	struct mipha_link *link = mipha_link_find(mn, dev->ifindex);

	if (link)
		return link;
	link = kzalloc(sizeof(*link), GFP_KERNEL_ACCOUNT);
	if (!link)
		return NULL;
	link->mn = mn;
	link->ifindex = dev->ifindex;
	ether_addr_copy(link->lladdr, dev->dev_addr);
	link->announce_rate = MIPHA_ANNOUNCE_RATE_DEFAULT;
	link->tokens_time = get_jiffies_64();
	link->tokens = tick_budget(link);
	INIT_DELAYED_WORK(&link->sweep_work, sweep_work);
	list_add_tail_rcu(&link->list, &mn->links);
	/* Never 0: netlink takes a zero sequence as "not checked". */
	mn->links_generation = mn->links_generation + 1 ?: 1;
	return link;
}

int mipha_link_set(struct mipha_link *link, bool proxy_arp,
		   const u8 *lladdr, u32 rate)
{
	bool enabling = proxy_arp && !link->proxy_arp;
	struct mipha_link_reply *reply = NULL, *old;

	mipha_assert_locked(link->mn);
	/*
	 * ARP_IN reads the MAC without the lock: it gets a new copy, never
	 * one being rewritten.
	 */
	if (proxy_arp) {
		reply = kmalloc(sizeof(*reply), GFP_KERNEL_ACCOUNT);
		if (!reply)
			return -ENOMEM;
		ether_addr_copy(reply->lladdr, lladdr ?: link->lladdr);
	}
	if (lladdr)
		ether_addr_copy(link->lladdr, lladdr);
	if (rate)
		link->announce_rate = rate;
	link->proxy_arp = proxy_arp;
	old = rcu_replace_pointer(link->reply, reply,
				  lockdep_is_held(&link->mn->lock));
	if (old)
		kfree_rcu(old, rcu);
	/* A takeover: tell every host of the link where its peers are now. */
	if (enabling)
		sweep_start(link);
	return 0;
}

int mipha_link_announce(struct mipha_link *link, __be32 home_addr)
{
	struct mipha_net *mn = link->mn;
	const struct mipha_binding *b;
	struct net_device *dev;

	mipha_assert_locked(mn);
	if (!link->proxy_arp)
		return -ENETDOWN;
	if (!home_addr) {
		sweep_start(link);
		return 0;
	}
	b = mipha_table_lookup_locked(&mn->table, home_addr);
	if (!b || b->link != link->ifindex)
		return -ENOENT;
	dev = dev_get_by_index(mn->net, link->ifindex);
	if (!dev)
		return -ENODEV;
	announce(link, dev, home_addr);
	dev_put(dev);
	return 0;
}

static void link_free_rcu(struct rcu_head *head)
{
	struct mipha_link *link = container_of(head, struct mipha_link, rcu);

	kfree(rcu_dereference_protected(link->reply, true));
	kfree(link);
}

/* Unlinked already: stop its work (which takes the lock) and free it. */
static void link_free(struct mipha_link *link)
{
	cancel_delayed_work_sync(&link->sweep_work);
	call_rcu(&link->rcu, link_free_rcu);
}

void mipha_links_destroy(struct mipha_net *mn)
{
	struct mipha_link *link, *tmp;
	LIST_HEAD(dead);

	/* Readers still on the list finish before it is spliced away. */
	mipha_lock(mn);
	list_splice_init_rcu(&mn->links, &dead, synchronize_rcu);
	mipha_unlock(mn);
	list_for_each_entry_safe(link, tmp, &dead, list)
		link_free(link);
}

/* A device going away takes its link settings with it (its packets in the
 * GRO cells: gro.c's own notifier).
 */
static int link_netdev_event(struct notifier_block *nb, unsigned long event,
			     void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct mipha_net *mn;
	struct mipha_link *link;

	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	mn = mipha_net(dev_net(dev));
	mipha_lock(mn);
	link = mipha_link_find(mn, dev->ifindex);
	if (link) {
		list_del_rcu(&link->list);
		mn->links_generation = mn->links_generation + 1 ?: 1;
	}
	mipha_unlock(mn);
	if (link)
		link_free(link);
	return NOTIFY_DONE;
}

static struct notifier_block link_notifier = {
	.notifier_call = link_netdev_event,
};

int mipha_link_notifier_init(void)
{
	return register_netdevice_notifier(&link_notifier);
}

void mipha_link_notifier_exit(void)
{
	unregister_netdevice_notifier(&link_notifier);
}

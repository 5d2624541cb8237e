// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks of the fast path: see hooks.h.
 */
#include <linux/bottom_half.h>
#include <linux/ip.h>
#include <linux/netfilter.h>
#include <linux/netfilter_arp.h>
#include <linux/netfilter_ipv4.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <uapi/linux/mipha.h>

#include "bcast.h"
#include "binding_ops.h"
#include "decap.h"
#include "firewall.h"
#include "hooks.h"
#include "link.h"
#include "loops.h"
#include "route.h"
#include "xmit.h"

/*
 * A broadcast on a home link goes to every binding of that link that
 * asked for broadcasts (RFC 5944 4.3), as a copy; the original goes on.
 * It is delivered, not routed, so its TTL is left alone.
 */
static void tunnel_broadcast(struct mipha_net *mn, struct sk_buff *skb,
			     const struct net_device *in)
{
	const struct mipha_bcast_list *list;
	struct mipha_binding *b;
	struct sk_buff *copy;
	int why;

	/* Most links have no binding asking: one lookup, no walk. */
	list = mipha_bcast_find_rcu(mn, in->ifindex);
	if (!list)
		return;
	/* Validated as the kernel's broadcast input does (0.0.0.0 is DHCP). */
	why = ip_hdr(skb)->saddr ? mipha_source_check(skb, in) : 0;
	if (why) {
		mipha_count(mn, why);
		return;
	}
	hlist_for_each_entry_rcu(b, &list->bindings, bcast_node) {
		copy = skb_clone(skb, GFP_ATOMIC);
		if (!copy) {
			mipha_count(mn, MIPHA_CNT_DROP_ERROR);
			continue;
		}
		mipha_count(mn, MIPHA_CNT_BROADCASTS);
		mipha_xmit(mn, copy, b, false);
	}
}

/*
 * A packet for a bound home address, as a router forwards it: from a source
 * a router may forward from, with its conntrack entry confirmed (the
 * confirm hook never sees a stolen packet), then tunnelled.
 */
static unsigned int steal(struct mipha_net *mn, struct sk_buff *skb,
			  struct mipha_binding *b, const struct net_device *in)
{
	int why = in ? mipha_source_check(skb, in) : 0;

	if (why || mipha_ct_confirm(skb) != NF_ACCEPT) {
		mipha_count(mn, why ?: MIPHA_CNT_DROP_ERROR);
		kfree_skb(skb);
		return NF_STOLEN;
	}
	mipha_xmit(mn, skb, b, !!in);
	return NF_STOLEN;
}

static unsigned int pre_routing(struct mipha_net *mn, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	struct mipha_binding *b;

	if (skb->pkt_type == PACKET_BROADCAST) {
		tunnel_broadcast(mn, skb, state->in);
		return NF_ACCEPT;
	}
	if (skb->pkt_type != PACKET_HOST)
		return NF_ACCEPT;
	b = mipha_fastpath_lookup(mn, ip_hdr(skb)->daddr);
	if (!b)
		return NF_ACCEPT;
	return steal(mn, skb, b, state->in);
}

/*
 * Every hook runs with BHs off, for the per-CPU route cache, counters and
 * xmit marker. The stack calls PRE_ROUTING and LOCAL_IN from softirq, but
 * not always: after an NFQUEUE verdict nf_reinject() runs the hooks after
 * the queueing one in process context with BHs on, and LOCAL_OUT runs in
 * the sender's context. local_bh_disable() nests and costs little.
 */
static unsigned int mipha_nf_pre_routing(void *priv, struct sk_buff *skb,
					 const struct nf_hook_state *state)
{
	unsigned int verdict;

	local_bh_disable();
	verdict = pre_routing(mipha_net(state->net), skb, state);
	local_bh_enable();
	return verdict;
}

static unsigned int mipha_nf_local_out(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	struct mipha_net *mn = mipha_net(state->net);
	struct mipha_binding *b;
	bool ours;

	/* Raw sockets may hand us less than a header. */
	if (skb->len < sizeof(struct iphdr) ||
	    ip_hdrlen(skb) < sizeof(struct iphdr))
		return NF_ACCEPT;
	local_bh_disable();
	ours = mipha_xmit_is_ours(skb);
	/* What we encapsulated can only come back to us through a loop. */
	b = ours && !mipha_loops_possible(mn) ? NULL :
		mipha_fastpath_lookup(mn, ip_hdr(skb)->daddr);
	if (b && ours) {
		/* Its care-of address is bound here: it would loop for ever. */
		mipha_xmit_looped();
		mipha_count(mn, MIPHA_CNT_DROP_LOOP);
		kfree_skb(skb);
	} else if (b) {
		steal(mn, skb, b, NULL);
	}
	local_bh_enable();
	return b ? NF_STOLEN : NF_ACCEPT;
}

static unsigned int local_in(struct mipha_net *mn, struct sk_buff *skb)
{
	switch (ip_hdr(skb)->protocol) {
	case IPPROTO_IPIP:
	case IPPROTO_GRE:
		return mipha_decap(mn, skb);
	case IPPROTO_ICMP:
		mipha_icmp_pmtu(mn, skb);
		break;
	}
	return NF_ACCEPT;
}

static unsigned int mipha_nf_local_in(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	unsigned int verdict;

	local_bh_disable();
	verdict = local_in(mipha_net(state->net), skb);
	local_bh_enable();
	return verdict;
}

#ifdef CONFIG_NETFILTER_FAMILY_ARP
static unsigned int mipha_nf_arp_in(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	local_bh_disable();
	mipha_proxy_arp(mipha_net(state->net), skb, state->in);
	local_bh_enable();
	return NF_ACCEPT;
}
#endif

static const struct nf_hook_ops mipha_nf_ops[] = {
	{
		.hook = mipha_nf_pre_routing,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = MIPHA_NF_PRI,
	},
	{
		.hook = mipha_nf_local_out,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = MIPHA_NF_PRI,
	},
	{
		.hook = mipha_nf_local_in,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_IN,
		.priority = NF_IP_PRI_FILTER + 1,
	},
#ifdef CONFIG_NETFILTER_FAMILY_ARP
	/* A kernel without ARP netfilter hooks warns on registering one. */
	{
		.hook = mipha_nf_arp_in,
		.pf = NFPROTO_ARP,
		.hooknum = NF_ARP_IN,
		.priority = 0,
	},
#endif
};

int mipha_hooks_enable(struct mipha_net *mn)
{
	int err;

	mipha_assert_locked(mn);
	if (mn->hooks_registered)
		return 0;
	err = mipha_route_cache_init(mn);
	if (err)
		return err;
	err = nf_register_net_hooks(mn->net, mipha_nf_ops,
				    ARRAY_SIZE(mipha_nf_ops));
	if (!err)
		mn->hooks_registered = true;
	return err;
}

void mipha_hooks_unregister(struct mipha_net *mn)
{
	mipha_assert_locked(mn);
	if (!mn->hooks_registered)
		return;
	/*
	 * In 6.1 this swaps in accept_all and frees our entries with
	 * call_rcu(): it does not wait for packets already inside a hook.
	 */
	nf_unregister_net_hooks(mn->net, mipha_nf_ops,
				ARRAY_SIZE(mipha_nf_ops));
	mn->hooks_registered = false;
}

void mipha_hooks_disable(struct mipha_net *mn)
{
	mipha_assert_locked(mn);
	if (!mn->hooks_registered)
		return;
	mipha_hooks_unregister(mn);
	/*
	 * Hooks run under rcu_read_lock() (nf_hook()): after a grace period
	 * no packet is inside one, and no new one can enter, so nothing
	 * uses the per-CPU route slots while they are flushed. The lock keeps
	 * the hooks from coming back meanwhile.
	 */
	synchronize_net();
	/* Cached routes would pin their devices' routes for nothing. */
	mipha_route_cache_flush(mn);
}

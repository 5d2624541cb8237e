// SPDX-License-Identifier: GPL-2.0
/*
 * Tunnel exit point: see decap.h.
 *
 * A packet tunnelled to us is ours when its inner source is a bound home
 * address. It is accepted only from that binding's care-of address, with
 * the binding's encapsulation (and GRE key), and only if the binding was
 * granted reverse tunnelling (RFC 3024); anything else claiming a bound
 * home address is a spoof. The inner packet is then received again, on
 * its home link, through GRO (gro.h), so it is routed, filtered and
 * forwarded like any other packet. Tunnel packets whose inner source is not bound are left
 * to the kernel's own ipip and ip_gre, unless they are addressed to one of
 * our home agent addresses: mobile nodes that lost their binding.
 */
#include <linux/icmp.h>
#include <linux/if_tunnel.h>
#include <linux/ip.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <net/gre.h>
#include <net/inet_ecn.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/route.h>
#include <uapi/linux/mipha.h>

#include "binding_ops.h"
#include "coa.h"
#include "decap.h"
#include "firewall.h"
#include "gro.h"

/* What the outer headers said. */
struct tunnel_hdr {
	unsigned int len;	/* outer IP header + GRE header */
	u8 encap;		/* enum mipha_encap */
	bool has_key;
	u32 key;
};

/*
 * GRE (RFC 2784/2890) carrying IPv4, version 0, no routing. -ENOENT for
 * GRE that is not for us to judge (other payloads and versions), -EINVAL
 * for a malformed one.
 */
static int parse_gre(struct sk_buff *skb, struct tunnel_hdr *th)
{
	unsigned int nhs = ip_hdrlen(skb), len = sizeof(struct gre_base_hdr);
	const struct gre_base_hdr *greh;
	const __be32 *opt;
	__be16 flags;

	if (!pskb_may_pull(skb, nhs + len))
		return -EINVAL;
	greh = (const struct gre_base_hdr *)(skb->data + nhs);
	flags = greh->flags;
	if ((flags & (GRE_VERSION | GRE_ROUTING)) ||
	    greh->protocol != htons(ETH_P_IP))
		return -ENOENT;
	len += (flags & GRE_CSUM ? 4 : 0) + (flags & GRE_KEY ? 4 : 0) +
	       (flags & GRE_SEQ ? 4 : 0);
	if (!pskb_may_pull(skb, nhs + len))
		return -EINVAL;
	/*
	 * The checksum covers the GRE header and payload, with no pseudo
	 * header. Validate it as gre_parse_header() does: what the device or
	 * GRO verified is trusted (CHECKSUM_UNNECESSARY, of which this
	 * consumes one level; CHECKSUM_COMPLETE; the CHECKSUM_PARTIAL of a
	 * GRO-merged packet, whose checksum field is its first segment's and
	 * cannot be summed again), and only the rest is summed in software.
	 * That sum starts at skb->data, the outer IP header: a valid header
	 * sums to zero, so the result is the GRE checksum's own (the reasoning
	 * ip_local_deliver_finish() relies on), and the complete checksum it
	 * leaves stays right when iptunnel_pull_header() pulls the headers.
	 */
	if (flags & GRE_CSUM) {
		if (skb_checksum_simple_validate(skb))
			return -EINVAL;
		skb_checksum_try_convert(skb, IPPROTO_GRE, null_compute_pseudo);
	}

	greh = (const struct gre_base_hdr *)(skb->data + nhs);
	opt = (const __be32 *)(greh + 1) + (flags & GRE_CSUM ? 1 : 0);
	th->has_key = flags & GRE_KEY;
	th->key = th->has_key ? ntohl(*opt) : 0;
	th->len = nhs + len;
	th->encap = MIPHA_ENCAP_GRE;
	return 0;
}

static bool ha_addr_known(struct mipha_net *mn, __be32 addr)
{
	const struct mipha_ha_addrs *set = rcu_dereference(mn->ha_addrs);
	unsigned int i;

	for (i = 0; set && i < set->n; i++)
		if (set->addr[i] == addr)
			return true;
	return false;
}

static bool reverse_tunnel_ok(const struct mipha_binding *b,
			      const struct iphdr *oiph,
			      const struct tunnel_hdr *th)
{
	return (b->flags & MIPHA_F_REVERSE_TUNNEL) &&
	       oiph->saddr == b->coa && oiph->daddr == b->ha_addr &&
	       th->encap == b->encap && th->has_key == b->has_gre_key &&
	       th->key == b->gre_key;
}

static unsigned int drop(struct mipha_net *mn, struct sk_buff *skb,
			 enum mipha_counter why)
{
	mipha_count(mn, why);
	kfree_skb(skb);
	return NF_STOLEN;
}

unsigned int mipha_decap(struct mipha_net *mn, struct sk_buff *skb)
{
	struct tunnel_hdr th = { .len = ip_hdrlen(skb),
				 .encap = MIPHA_ENCAP_IPIP };
	const struct iphdr *oiph, *iph;
	struct net_device *home_dev;
	struct mipha_binding *b;
	unsigned int segs, len;
	u8 outer_tos;
	int err;

	if (ip_hdr(skb)->protocol == IPPROTO_GRE) {
		err = parse_gre(skb, &th);
		if (err)
			return NF_ACCEPT;	/* the kernel's GRE judges it */
	}
	if (!pskb_may_pull(skb, th.len + sizeof(struct iphdr)))
		return NF_ACCEPT;
	oiph = ip_hdr(skb);
	iph = (const struct iphdr *)(skb->data + th.len);
	if (iph->version != 4 || iph->ihl < 5)
		return NF_ACCEPT;

	b = mipha_fastpath_lookup(mn, iph->saddr);
	if (!b) {
		if (ha_addr_known(mn, oiph->daddr))
			return drop(mn, skb, MIPHA_CNT_DROP_NO_BINDING);
		return NF_ACCEPT;
	}
	if (!reverse_tunnel_ok(b, oiph, &th))
		return drop(mn, skb, MIPHA_CNT_DROP_SPOOF);
	/*
	 * The tunnel packet ends here, before the confirm hook: confirm its
	 * entry, so that the tunnel flow is established for the operator's
	 * rules and one entry serves it (not one unconfirmed per packet).
	 */
	if (mipha_ct_confirm(skb) != NF_ACCEPT)
		return drop(mn, skb, MIPHA_CNT_DROP_ERROR);
	home_dev = b->link ? dev_get_by_index_rcu(dev_net(skb->dev), b->link) :
			     NULL;

	outer_tos = oiph->tos;
	if (iptunnel_pull_header(skb, th.len, htons(ETH_P_IP), false))
		return drop(mn, skb, MIPHA_CNT_DROP_ERROR);
	skb_reset_network_header(skb);
	/* RFC 6040: CE outside marks the inner packet; CE over Not-ECT drops. */
	if (INET_ECN_decapsulate(skb, outer_tos, ip_hdr(skb)->tos) > 1)
		return drop(mn, skb, MIPHA_CNT_DROP_ERROR);

	/*
	 * A mobile node's packet comes home: it enters on its home link, so
	 * that a strict rp_filter (the home address routes there) and the
	 * operator's iif rules see it where it belongs. (A virtual network
	 * has no link: its packets enter where the tunnel packet did.) It
	 * enters through GRO (gro.h): a bulk flow from the mobile node is
	 * received, routed and forwarded in aggregates, as from any NIC.
	 */
	segs = skb_shinfo(skb)->gso_segs ?: 1;
	len = skb->len;
	err = mipha_gro_receive(skb, home_dev ?: skb->dev);
	if (unlikely(err == MIPHA_GRO_DROPPED)) {
		/* The backlog dropped (and freed) it. */
		mipha_count(mn, MIPHA_CNT_DROP_BACKLOG);
		return NF_STOLEN;
	}
	if (unlikely(err))
		return drop(mn, skb, err == -ENETDOWN ? MIPHA_CNT_DROP_LINK_DOWN :
				     err == -ENOBUFS ? MIPHA_CNT_DROP_BACKLOG :
				     MIPHA_CNT_DROP_ERROR);
	atomic64_add(segs, &b->stats.rx_packets);
	atomic64_add(len, &b->stats.rx_bytes);
	mipha_count(mn, MIPHA_CNT_RX_PACKETS);
	return NF_STOLEN;
}

/*
 * The path MTU the routing cache holds for the tunnel packet @eiph quoted,
 * looked up exactly as ipv4_update_pmtu() looks up the route it updates:
 * the flow __build_flow_key() builds without a socket (no flow flags, the
 * quoted TOS masked with IPTOS_RT_MASK, the reply mark) and
 * __ip_route_output_key(), no xfrm lookup, so that the MTU compared before
 * and after is the one the update changed. 0 without a route. On a standby,
 * where the HA address is not local, both lookups fail (-ENETUNREACH: the
 * source is not ours): nothing is learned and nothing counted.
 */
static u32 tunnel_path_mtu(struct net *net, const struct sk_buff *skb,
			   const struct iphdr *eiph)
{
	struct flowi4 fl4;
	struct rtable *rt;
	u32 mtu;

	flowi4_init_output(&fl4, 0, IP4_REPLY_MARK(net, skb->mark),
			   eiph->tos & IPTOS_RT_MASK, RT_SCOPE_UNIVERSE,
			   eiph->protocol, 0, eiph->daddr, eiph->saddr, 0, 0,
			   sock_net_uid(net, NULL));
	rt = __ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return 0;
	mtu = dst_mtu(&rt->dst);
	ip_rt_put(rt);
	return mtu;
}

void mipha_icmp_pmtu(struct mipha_net *mn, struct sk_buff *skb)
{
	unsigned int off = ip_hdrlen(skb) + sizeof(struct icmphdr);
	const struct icmphdr *icmph;
	const struct iphdr *eiph;
	u32 mtu, before, after;

	if (!pskb_may_pull(skb, off + sizeof(struct iphdr)))
		return;
	icmph = (const struct icmphdr *)(skb->data + ip_hdrlen(skb));
	eiph = (const struct iphdr *)(skb->data + off);
	if (icmph->type != ICMP_DEST_UNREACH ||
	    icmph->code != ICMP_FRAG_NEEDED ||
	    (eiph->protocol != IPPROTO_IPIP && eiph->protocol != IPPROTO_GRE))
		return;
	/*
	 * Anyone can send one: only errors about a tunnel in use, from one of
	 * our home agent addresses to a care-of address of a binding, may
	 * lower a path MTU, or any destination's could be lowered.
	 */
	if (!ha_addr_known(mn, eiph->saddr) ||
	    !mipha_coa_in_use(mn, eiph->daddr))
		return;
	/* icmp_rcv() checks the checksum only after the hooks. */
	if (!skb_csum_unnecessary(skb) &&
	    csum_fold(skb_checksum(skb, ip_hdrlen(skb),
				   skb->len - ip_hdrlen(skb), 0)))
		return;
	mtu = ntohs(icmph->un.frag.mtu);
	before = tunnel_path_mtu(mn->net, skb, eiph);
	/* ipv4_update_pmtu() reads the quoted header at skb->data. */
	__skb_pull(skb, off);
	ipv4_update_pmtu(skb, mn->net, mtu, 0, eiph->protocol);
	__skb_push(skb, off);
	/*
	 * It says nothing of what it did: count only what the route now
	 * has (no route, a locked MTU or a higher value change nothing).
	 */
	after = tunnel_path_mtu(mn->net, skb, eiph);
	if (after && after < before)
		mipha_count(mn, MIPHA_CNT_PMTU_UPDATES);
}

static int ha_addrs_publish(struct mipha_net *mn)
{
	struct mipha_ha_addrs *set, *old;
	unsigned int i;

	set = kmalloc(struct_size(set, addr, mn->n_ha_refs),
		      GFP_KERNEL_ACCOUNT);
	if (!set)
		return -ENOMEM;
	set->n = mn->n_ha_refs;
	for (i = 0; i < set->n; i++)
		set->addr[i] = mn->ha_refs[i].addr;
	old = rcu_replace_pointer(mn->ha_addrs, set,
				  lockdep_is_held(&mn->lock));
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

int mipha_ha_addr_ref(struct mipha_net *mn, __be32 addr, int delta)
{
	struct mipha_ha_ref *refs;
	unsigned int i;

	mipha_assert_locked(mn);
	for (i = 0; i < mn->n_ha_refs; i++)
		if (mn->ha_refs[i].addr == addr)
			break;
	if (i < mn->n_ha_refs) {
		mn->ha_refs[i].refs += delta;
		if (mn->ha_refs[i].refs)
			return 0;
		mn->ha_refs[i] = mn->ha_refs[--mn->n_ha_refs];
		/* If this fails the old set stays: a stale address is harmless. */
		ha_addrs_publish(mn);
		return 0;
	}
	if (WARN_ON_ONCE(delta <= 0))
		return 0;
	refs = krealloc_array(mn->ha_refs, mn->n_ha_refs + 1, sizeof(*refs),
			      GFP_KERNEL_ACCOUNT);
	if (!refs)
		return -ENOMEM;
	mn->ha_refs = refs;
	refs[mn->n_ha_refs].addr = addr;
	refs[mn->n_ha_refs].refs = delta;
	mn->n_ha_refs++;
	if (ha_addrs_publish(mn)) {
		mn->n_ha_refs--;
		return -ENOMEM;
	}
	return 0;
}

void mipha_ha_addrs_reset(struct mipha_net *mn)
{
	struct mipha_ha_addrs *old;

	mipha_assert_locked(mn);
	old = rcu_replace_pointer(mn->ha_addrs, NULL,
				  lockdep_is_held(&mn->lock));
	if (old)
		kfree_rcu(old, rcu);
	mn->n_ha_refs = 0;
}

void mipha_ha_addrs_free(struct mipha_net *mn)
{
	kfree(rcu_dereference_protected(mn->ha_addrs, true));
	RCU_INIT_POINTER(mn->ha_addrs, NULL);
	kfree(mn->ha_refs);
	mn->ha_refs = NULL;
	mn->n_ha_refs = 0;
}

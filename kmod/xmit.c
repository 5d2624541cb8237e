// SPDX-License-Identifier: GPL-2.0
/*
 * Tunnel entry point: see xmit.h.
 *
 * The outer header is built the way ip_tunnel does it: DF copied from the
 * inner header (so path MTU discovery works end to end), TOS copied (DSCP,
 * and ECN as RFC 6040 normal mode asks), TTL from the route to the care-of
 * address. GSO packets stay GSO: iptunnel_handle_offloads() marks them as
 * IPIP or GRE encapsulated and the device (or the stack, in software)
 * segments them later. ICMP errors go out through icmp_send(), so the
 * kernel's own rate limits apply.
 */
#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/percpu.h>
#include <net/dst.h>
#include <net/gre.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ip_tunnels.h>
#include <net/route.h>
#include <uapi/linux/mipha.h>

#include "coa.h"
#include "route.h"
#include "xmit.h"

static unsigned int encap_header_len(const struct mipha_binding *b)
{
	if (b->encap != MIPHA_ENCAP_GRE)
		return sizeof(struct iphdr);
	return sizeof(struct iphdr) + sizeof(struct gre_base_hdr) +
	       (b->has_gre_key ? 4 : 0);
}

/*
 * icmp_send() needs a route on the packet to pick its source and check
 * for broadcasts; a packet caught in PRE_ROUTING has none yet, so route
 * it as the stack would have (only on this error path).
 */
static void send_icmp(struct mipha_net *mn, struct sk_buff *skb, int type,
		      int code, __be32 info)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (!skb_dst(skb) &&
	    ip_route_input_noref(skb, iph->daddr, iph->saddr, iph->tos,
				 skb->dev))
		return;
	icmp_send(skb, type, code, info);
	mipha_count(mn, MIPHA_CNT_ICMP_ERRORS);
}

/* Would the packet, once encapsulated, exceed the tunnel's @mtu with DF? */
static bool too_big(const struct sk_buff *skb, unsigned int mtu)
{
	if (!(ip_hdr(skb)->frag_off & htons(IP_DF)) || skb->ignore_df)
		return false;
	if (skb_is_gso(skb))
		return !skb_gso_validate_network_len(skb, mtu);
	return skb->len > mtu;
}

/*
 * iptunnel_xmit() of 6.1 (net/ipv4/ip_tunnel_core.c), but for three things.
 * It attaches the route with skb_dst_set(), consuming a reference, so a
 * cached route costs a dst_hold() per packet and a dst_release() when the
 * packet is freed: two atomics on a line all CPUs share. Here the route
 * cached on the care-of address object comes without one (@noref) and is
 * attached with skb_dst_set_noref(), as IPVS does: it is valid for this
 * RCU read-side section (the netfilter hooks hold rcu_read_lock()), and
 * wherever the packet may outlive it the stack takes a reference itself
 * (skb_dst_force() in __dev_queue_xmit(), the neighbour queue, nf_queue).
 * And the namespace is ours, not dev_net() of the route's device: a route
 * whose device was unregistered points at blackhole_netdev, in init_net.
 * And the Identification @id is the care-of address object's (coa.h), not
 * __ip_select_ident()'s.
 * What it does besides, we leave out: iptunnel_xmit_stats() accounts to
 * skb->dev as a tunnel device's, and ours is none (mipha_xmit() clears
 * it). xnet is false: the packet stays in its namespace.
 */
static void tunnel_xmit(struct net *net, struct sk_buff *skb,
			struct rtable *rt, bool noref, __be32 src, __be32 dst,
			u8 proto, u8 tos, u8 ttl, __be16 df, u16 id)
{
	struct iphdr *iph;

	skb_scrub_packet(skb, false);
	skb_clear_hash_if_not_l4(skb);
	if (noref)
		skb_dst_set_noref(skb, &rt->dst);
	else
		skb_dst_set(skb, &rt->dst);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));

	skb_push(skb, sizeof(struct iphdr));
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	iph->version = 4;
	iph->ihl = sizeof(struct iphdr) >> 2;
	iph->frag_off = ip_mtu_locked(&rt->dst) ? 0 : df;
	iph->protocol = proto;
	iph->tos = tos;
	iph->daddr = dst;
	iph->saddr = src;
	iph->ttl = ttl;
	iph->id = htons(id);

	ip_local_out(net, skb->sk, skb);
}

/* Drop the route mipha_route_coa() gave, if it gave a reference. */
static void route_put(struct rtable *rt, bool noref)
{
	if (!noref)
		ip_rt_put(rt);
}

/*
 * The packet this CPU is handing to tunnel_xmit(). ip_local_out() runs
 * the LOCAL_OUT hooks synchronously (BHs off, nothing else can run on this
 * CPU in between), so our hook knows the encapsulated packet as ours: if
 * its destination, the care-of address, is a bound home address, it would
 * be encapsulated a second time, a loop. The hook looks that up only while
 * some binding of the namespace loops (loops.h): not on every packet.
 */
struct xmit_marker {
	const struct sk_buff *skb;
	/*
	 * With the destination: if the route to the care-of address goes
	 * through a kernel tunnel device, the same skb comes to LOCAL_OUT a
	 * second time, encapsulated by that device for another destination,
	 * and is an ordinary packet to us there.
	 */
	__be32 coa;
};

static DEFINE_PER_CPU(struct xmit_marker, mipha_xmit_marker);

bool mipha_xmit_is_ours(const struct sk_buff *skb)
{
	const struct xmit_marker *m = this_cpu_ptr(&mipha_xmit_marker);

	return m->skb == skb && ip_hdr(skb)->daddr == m->coa;
}

void mipha_xmit_looped(void)
{
	/* mipha_xmit() sees the change: the packet was not sent. */
	this_cpu_ptr(&mipha_xmit_marker)->skb = NULL;
}

void mipha_xmit(struct mipha_net *mn, struct sk_buff *skb,
		struct mipha_binding *b, bool forwarded)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int hlen = encap_header_len(b);
	struct xmit_marker prev, *marker;
	unsigned int segs, len;
	u8 tos = iph->tos, outer_tos, proto;
	bool looped;
	enum mipha_counter drop;
	struct rtable *rt;
	struct flowi4 fl4;
	unsigned int mtu;
	bool noref;
	__be16 df;

	if (forwarded && iph->ttl <= 1) {
		send_icmp(mn, skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		drop = MIPHA_CNT_DROP_TTL;
		goto drop;
	}

	rt = mipha_route_coa(mn, b, tos, &fl4, &noref);
	if (IS_ERR(rt)) {
		if (forwarded)
			send_icmp(mn, skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH,
				  0);
		drop = MIPHA_CNT_DROP_NO_ROUTE;
		goto drop;
	}

	mtu = dst_mtu(&rt->dst) - hlen;
	if (mtu < IPV4_MIN_MTU)
		mtu = IPV4_MIN_MTU;
	if (too_big(skb, mtu)) {
		route_put(rt, noref);
		/* The inner route of a local sender learns the tunnel MTU. */
		if (!forwarded && skb_dst(skb))
			skb_dst_update_pmtu_no_confirm(skb, mtu);
		send_icmp(mn, skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED,
			  htonl(mtu));
		drop = MIPHA_CNT_DROP_TOO_BIG;
		goto drop;
	}

	/* The inner header is about to change (TTL): make it ours. */
	if (skb_cow_head(skb, LL_RESERVED_SPACE(rt->dst.dev) +
			 rt->dst.header_len + hlen))
		goto drop_rt;
	iph = ip_hdr(skb);
	if (forwarded)
		ip_decrease_ttl((struct iphdr *)iph);
	df = iph->frag_off & htons(IP_DF);
	/*
	 * RFC 6040 normal mode: the outer ECN field is a copy of the inner
	 * one, CE included (RFC 3168's reset of CE to ECT(0), which
	 * INET_ECN_encapsulate() does, hides congestion from the egress);
	 * DSCP is copied too.
	 */
	outer_tos = tos;

	if (b->encap == MIPHA_ENCAP_GRE) {
		if (iptunnel_handle_offloads(skb, SKB_GSO_GRE))
			goto drop_rt;
		gre_build_header(skb, hlen - sizeof(struct iphdr),
				 b->has_gre_key ? TUNNEL_KEY : 0,
				 htons(ETH_P_IP), htonl(b->gre_key), 0);
		proto = IPPROTO_GRE;
	} else {
		if (iptunnel_handle_offloads(skb, SKB_GSO_IPXIP4))
			goto drop_rt;
		skb_set_inner_ipproto(skb, IPPROTO_IPIP);
		proto = IPPROTO_IPIP;
	}

	segs = skb_shinfo(skb)->gso_segs ?: 1;
	len = skb->len;
	/*
	 * The ingress device (or none): nothing of the outer packet's, and
	 * not a tunnel device to account to (tunnel_xmit()).
	 */
	skb->dev = NULL;
	marker = this_cpu_ptr(&mipha_xmit_marker);
	prev = *marker;
	marker->skb = skb;
	marker->coa = fl4.daddr;
	tunnel_xmit(mn->net, skb, rt, noref, fl4.saddr, fl4.daddr, proto,
		    outer_tos, ip4_dst_hoplimit(&rt->dst), df,
		    mipha_coa_ip_id(b->coa_obj, segs));
	/* Only compared: the packet may be gone by now. */
	looped = marker->skb != skb;
	*marker = prev;
	if (!looped) {
		atomic64_add(segs, &b->stats.tx_packets);
		atomic64_add(len, &b->stats.tx_bytes);
		mipha_count(mn, MIPHA_CNT_TX_PACKETS);
	}
	return;

drop_rt:
	route_put(rt, noref);
	drop = MIPHA_CNT_DROP_ERROR;
drop:
	mipha_count(mn, drop);
	kfree_skb(skb);
}

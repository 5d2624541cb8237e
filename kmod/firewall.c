// SPDX-License-Identifier: GPL-2.0
/*
 * Source validation and conntrack for the packets the fast path steals:
 * see firewall.h.
 */
#include <linux/inetdevice.h>
#include <linux/ip.h>
#include <linux/netfilter.h>
#include <net/ip.h>
#include <net/ip_fib.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/route.h>

#include "firewall.h"

/*
 * The reverse path check of fib_validate_source() (which is not exported):
 * a unicast route back to the source, through @in for strict mode (1),
 * through any device for loose mode (2).
 */
static bool rp_ok(struct sk_buff *skb, const struct net_device *in,
		  struct in_device *idev, int mode)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct flowi4 fl4 = {
		.flowi4_iif = LOOPBACK_IFINDEX,
		.flowi4_l3mdev = l3mdev_master_ifindex_rcu(in),
		.daddr = iph->saddr,
		.saddr = iph->daddr,
		.flowi4_tos = iph->tos & IPTOS_RT_MASK,
		.flowi4_scope = RT_SCOPE_UNIVERSE,
		.flowi4_mark = IN_DEV_SRC_VMARK(idev) ? skb->mark : 0,
	};
	struct fib_result res;

	if (fib_lookup(dev_net(in), &fl4, &res, 0))
		return false;
	if (res.type != RTN_UNICAST &&
	    (res.type != RTN_LOCAL || !IN_DEV_ACCEPT_LOCAL(idev)))
		return false;
	return mode != 1 || fib_info_nh_uses_dev(res.fi, in);
}

int mipha_source_check(struct sk_buff *skb, const struct net_device *in)
{
	__be32 saddr = ip_hdr(skb)->saddr;
	struct in_device *idev;
	int rpf;

	idev = __in_dev_get_rcu(in);
	if (!idev)
		return MIPHA_CNT_DROP_MARTIAN;
	if (ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr) ||
	    ipv4_is_zeronet(saddr) ||
	    (ipv4_is_loopback(saddr) &&
	     !IN_DEV_NET_ROUTE_LOCALNET(idev, dev_net(in))))
		return MIPHA_CNT_DROP_MARTIAN;
	/*
	 * One of our own addresses as source, from outside: refused whatever
	 * rp_filter says, as fib_validate_source() does unless accept_local.
	 */
	if (!IN_DEV_ACCEPT_LOCAL(idev) &&
	    __ip_dev_find(dev_net(in), saddr, false))
		return MIPHA_CNT_DROP_MARTIAN;
	rpf = IN_DEV_RPFILTER(idev);
	if (rpf && !rp_ok(skb, in, idev, rpf))
		return MIPHA_CNT_DROP_RPFILTER;
	return 0;
}

unsigned int mipha_ct_confirm(struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	const struct nf_ct_hook *ct_hook;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	/*
	 * As nf_conntrack_confirm(): only an entry not yet in the table (the
	 * hook's confirm is __nf_conntrack_confirm(), which warns and drops
	 * for an entry already confirmed); templates are not entries.
	 */
	if (!ct || nf_ct_is_confirmed(ct) || nf_ct_is_template(ct))
		return NF_ACCEPT;
	ct_hook = rcu_dereference(nf_ct_hook);
	if (!ct_hook || !ct_hook->confirm)
		return NF_ACCEPT;
	return ct_hook->confirm(skb);
#else
	return NF_ACCEPT;
#endif
}

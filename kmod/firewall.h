/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a router does to a packet before forwarding it, done for the
 * packets the fast path takes before the kernel's routing would:
 *
 *  - source validation: a martian source (loopback, multicast, limited
 *    broadcast, 0.0.0.0 - as the kernel's ip_route_input_slow() sees
 *    them) is never forwarded, and the ingress device's
 *    rp_filter (strict or loose, as the kernel reads it: the maximum of
 *    "all" and the device) applies as in fib_validate_source();
 *  - conntrack: a packet we steal never reaches the confirm hook, so we
 *    confirm its entry ourselves (through nf_ct_hook, no hard dependency
 *    on nf_conntrack): mobile flows become established both ways, and a
 *    stolen packet does not leave an unconfirmed entry behind.
 *
 * The filter point for operators: the fast path's PRE_ROUTING and
 * LOCAL_OUT hooks run at MIPHA_NF_PRI, after conntrack, mangle, DNAT and
 * any nftables chain of priority below 10 ("filter" is 0) on those hooks;
 * iptables has no filter table in PREROUTING: its mangle and raw apply.
 *
 * What a stolen packet does not get, documented in the README: the confirm
 * is __nf_conntrack_confirm(), so conntrack helpers (FTP, SIP) and their
 * expectations, sequence adjustment, source NAT and the delivery of the NEW
 * event (ctnetlink listeners) do not happen for flows that are always
 * tunnelled.
 */
#ifndef _MIPHA_FIREWALL_H
#define _MIPHA_FIREWALL_H

#include <linux/netdevice.h>
#include <linux/netfilter_ipv4.h>
#include <linux/skbuff.h>

#include "netns.h"

/* After every chain of priority filter (0) or below. */
#define MIPHA_NF_PRI (NF_IP_PRI_FILTER + 10)

/*
 * Under rcu_read_lock(), BHs off: may a router forward this packet, which
 * arrived on @in? 0, or the counter of the reason it may not.
 */
int mipha_source_check(struct sk_buff *skb, const struct net_device *in);

/*
 * Confirm the packet's conntrack entry before it is stolen (tunnelled, or
 * decapsulated and re-injected). NF_ACCEPT, or NF_DROP if conntrack
 * refuses it (a clash it resolved by dropping, as its confirm hook would).
 */
unsigned int mipha_ct_confirm(struct sk_buff *skb);

#endif /* _MIPHA_FIREWALL_H */

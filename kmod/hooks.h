/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netfilter hooks of the fast path, registered in a namespace only while
 * its table holds bindings, so that a namespace without mobile nodes pays
 * nothing per packet.
 *
 *   PRE_ROUTING  packets routed through us to a bound home address, and
 *                home link broadcasts for bindings with 'B': tunnelled.
 *   LOCAL_OUT    packets this host sends to a bound home address: tunnelled.
 *   LOCAL_IN     the reverse tunnel, and ICMP errors about our tunnels.
 *   ARP_IN       proxy ARP for bound home addresses on their home link.
 *
 * PRE_ROUTING and LOCAL_OUT run at MIPHA_NF_PRI (firewall.h): after
 * conntrack, mangle, DNAT and the operator's chains of priority filter or
 * lower, so mobile traffic is filtered, NATed and tracked as any forwarded
 * traffic is; before routing, so tunnelled packets need no route to the
 * home address (a virtual network's is unreachable). What routing would
 * have checked - martian sources, rp_filter - is checked here, and the
 * conntrack entry of a stolen packet is confirmed here. LOCAL_IN runs
 * after the filter table, so INPUT rules still apply to tunnel packets.
 * Every hook runs with BHs off (nf_reinject() after an NFQUEUE verdict
 * calls later hooks with BHs on).
 */
#ifndef _MIPHA_HOOKS_H
#define _MIPHA_HOOKS_H

#include "netns.h"

/* Lock held. */
int mipha_hooks_enable(struct mipha_net *mn);
/*
 * Lock held. Unregisters the hooks, waits until no packet is inside them
 * (a grace period) and drops the cached routes they used. Sleeps.
 */
void mipha_hooks_disable(struct mipha_net *mn);
/*
 * Lock held. Only unregisters: packets may still be inside the hooks on
 * return. For namespace pre_exit, which a grace period follows before the
 * exit methods tear down what the hooks use.
 */
void mipha_hooks_unregister(struct mipha_net *mn);

#endif /* _MIPHA_HOOKS_H */

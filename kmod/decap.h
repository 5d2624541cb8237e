/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tunnel exit point: the reverse tunnel (RFC 3024) from mobile nodes, and
 * ICMP errors about the tunnel packets we sent.
 */
#ifndef _MIPHA_DECAP_H
#define _MIPHA_DECAP_H

#include <linux/skbuff.h>

#include "netns.h"

/*
 * LOCAL_IN, under rcu_read_lock(): an IPIP or GRE packet for this host.
 * Returns NF_STOLEN if it was ours (re-injected or dropped and counted),
 * NF_ACCEPT to leave it to the kernel's own tunnels.
 */
unsigned int mipha_decap(struct mipha_net *mn, struct sk_buff *skb);

/* LOCAL_IN: learn the path MTU from an ICMP frag-needed about our tunnel. */
void mipha_icmp_pmtu(struct mipha_net *mn, struct sk_buff *skb);

/* Lock held: the bindings' home agent addresses changed by @delta. */
int mipha_ha_addr_ref(struct mipha_net *mn, __be32 addr, int delta);
/* Lock held: no binding is left. */
void mipha_ha_addrs_reset(struct mipha_net *mn);
/* Teardown, no reader left. */
void mipha_ha_addrs_free(struct mipha_net *mn);

#endif /* _MIPHA_DECAP_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tunnel entry point: encapsulate a packet for a home address and send it
 * to the care-of address of its binding (RFC 2003 IP in IP, RFC 2784/2890
 * GRE), with the semantics RFC 2003 asks of a router.
 */
#ifndef _MIPHA_XMIT_H
#define _MIPHA_XMIT_H

#include <linux/skbuff.h>

#include "binding.h"
#include "netns.h"

/*
 * Under rcu_read_lock() with BHs off. Consumes @skb: sent or dropped (and
 * counted). @forwarded: the packet is being routed through us (its TTL is
 * decremented and checked), not sent by this host.
 */
void mipha_xmit(struct mipha_net *mn, struct sk_buff *skb,
		struct mipha_binding *b, bool forwarded);

/*
 * For the LOCAL_OUT hook, BHs off: is @skb the packet mipha_xmit() is
 * sending on this CPU, i.e. already encapsulated by us? If its destination
 * is bound, the hook drops it as a loop and says so with
 * mipha_xmit_looped() (mipha_xmit() then does not count it as sent).
 */
bool mipha_xmit_is_ours(const struct sk_buff *skb);
void mipha_xmit_looped(void);

#endif /* _MIPHA_XMIT_H */

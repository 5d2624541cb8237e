/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hsrp_arp: gratuitous ARP for an HSRP group's virtual IP.
 *
 * A router that becomes active announces that the VIP is at the virtual
 * MAC (or, with use-bia, at its own MAC): hosts and routers with the VIP
 * in their ARP cache update it, and the LAN's switches learn on which port
 * the virtual MAC now is. IOS sends three, when the group becomes active
 * and 2 and 4 seconds later ("standby arp gratuitous"); repeating is the
 * caller's business.
 */
#ifndef MIPHA_HSRP_ARP_H
#define MIPHA_HSRP_ARP_H

#include <stdint.h>
#include <netinet/in.h>

/*
 * One gratuitous ARP for vip from mac, broadcast on ifindex: a request and
 * a reply (RFC 5944 section 4.6). The Ethernet source is the interface's
 * own MAC, so mac should be it. Returns 0 or -errno (-ENETDOWN if the
 * interface is down); needs CAP_NET_RAW.
 */
int hsrp_garp_send(uint32_t ifindex, const uint8_t mac[6], struct in_addr vip);

#endif /* MIPHA_HSRP_ARP_H */

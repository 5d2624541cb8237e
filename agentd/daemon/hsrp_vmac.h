/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hsrp_vmac: an HSRP group's virtual IP and virtual MAC on this host.
 *
 * While a group is active, its virtual IP (the LAN's gateway, our home
 * agent address) must be answered with the group's virtual MAC (0000.0c07.
 * acXX for v1, 0000.0c9f.fXXX for v2), so that a failover changes no
 * host's ARP cache. Linux gives an interface one MAC, so, as keepalived
 * does for VRRP, the active router holds the VIP on a macvlan of its own
 * over the LAN interface (the "lower"), with the virtual MAC. With
 * "standby use-bia" there is no macvlan: the VIP goes on the lower and is
 * answered with the lower's own MAC (failover then needs the gratuitous
 * ARP, as on IOS).
 *
 * What is ours is marked in the kernel, so a daemon that died while active
 * can find it again: the macvlan by its alias HSRP_VMAC_ALIAS, the VIP by
 * its address protocol HSRP_VMAC_IFAPROT (IFA_PROTO, Linux 6.0 and later).
 * Nothing is kept in memory: each call reads the kernel's state, so calls
 * are idempotent and survive a restart.
 *
 * ARP. A Linux host answers ARP for any of its addresses on any interface
 * by default, so both the lower (with its own MAC) and the macvlan would
 * answer for the VIP, and the macvlan for the lower's addresses. Hence
 * arp_ignore=1 on both, as keepalived sets it (answer only for addresses
 * of the interface the request came in on), and arp_announce=2 on the
 * lower (its own ARP requests name its own address as sender, never the
 * VIP, which would map the VIP to the lower's MAC in every neighbour's
 * cache). hsrp_vmac_down() leaves the lower's values set: other groups
 * may rely on them, and they change nothing for the lower's own
 * addresses.
 *
 * Uses one blocking rtnetlink socket: the kernel answers link and address
 * requests synchronously. Needs CAP_NET_ADMIN and CAP_NET_RAW (the
 * gratuitous ARP). Acts on the caller's network namespace.
 */
#ifndef MIPHA_HSRP_VMAC_H
#define MIPHA_HSRP_VMAC_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "vnet.h"

#define HSRP_VMAC_ALIAS	  "mipha-hsrp" /* IFLA_IFALIAS of our macvlans */
#define HSRP_VMAC_IFAPROT VNET_RTPROT  /* IFA_PROTO of our VIPs: "mipha" */

struct hsrp_vmac;

int hsrp_vmac_open(struct hsrp_vmac **vp);
void hsrp_vmac_close(struct hsrp_vmac *v);

struct hsrp_vmac_spec {
	uint32_t lower_ifindex; /* the group's interface (the home LAN) */
	char name[16];	    /* the macvlan's ("hsrp3.1"), or "" with use_bia */
	uint8_t mac[6];	    /* the virtual MAC */
	struct in_addr vip; /* the virtual IP, network order */
	uint8_t plen;	    /* its prefix length; 0 means 32 */
	bool use_bia;	    /* "standby use-bia": no macvlan, VIP on lower */
};

/*
 * Becoming active: the macvlan (mode private, spec->mac, over the lower)
 * created if missing or rebuilt if it differs, marked, up; the ARP
 * settings above; the VIP added (no prefix route: the lower's connected
 * route stays the only one for the LAN); one gratuitous ARP
 * (hsrp_garp_send()). With use_bia: the VIP on the lower, the gratuitous
 * ARP from the lower's MAC.
 *
 * *ifindex gets the interface that holds the VIP. Returns 0, or -errno
 * with what this call made undone: -ENODEV (no lower), -EEXIST (an
 * interface of that name that is not ours: left alone), -EADDRINUSE (the
 * VIP is already on another interface, or on this one but not ours: left
 * alone; or, from the kernel, the virtual MAC is in use on the lower),
 * -EINVAL (spec). Calling it again while active is harmless (and sends
 * another gratuitous ARP).
 */
int hsrp_vmac_up(struct hsrp_vmac *v, const struct hsrp_vmac_spec *s,
		 uint32_t *ifindex);

/*
 * Leaving active: our VIP removed from every interface, then (without
 * use_bia) the macvlan deleted, if ours. Once it returns 0, nothing here
 * answers ARP for the VIP or receives frames to the virtual MAC. Absent is
 * success.
 */
int hsrp_vmac_down(struct hsrp_vmac *v, const struct hsrp_vmac_spec *s);

/*
 * At start: every macvlan with our alias and every IPv4 address with our
 * protocol in this network namespace deleted (what a daemon killed while
 * active left). Returns how many were deleted (an address that goes with
 * its macvlan is not counted), or -errno.
 */
int hsrp_vmac_cleanup(struct hsrp_vmac *v);

#endif /* MIPHA_HSRP_VMAC_H */

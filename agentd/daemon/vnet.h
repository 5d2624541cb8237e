/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vnet: the kernel routes of the virtual home networks.
 *
 * A virtual network has no link: its home addresses exist only as bindings.
 * So that routing daemons can announce it (IOS "redistribute mobile"),
 * agentd installs each virtual network's prefix in the main routing table
 * as an "unreachable" route with a protocol number of its own,
 * VNET_RTPROT (143). Packets to a bound home address never reach that
 * route (mipha.ko tunnels them from its netfilter hooks, before routing);
 * packets to an unbound one get ICMP "host unreachable", as they should.
 *
 * Redistribute them with, e.g., FRR "redistribute kernel route-map ..."
 * matching the prefixes, or BIRD's "krt_source = 143". iproute2 shows the
 * number by name if /etc/iproute2/rt_protos.d/mipha.conf says "143 mipha"
 * (make install puts that file there).
 *
 * vnet_sync() makes the set of routes with protocol 143 in the main table
 * exactly the configured set: it adds what is missing, leaves what is
 * there, and removes the rest, so it serves at start (cleaning up after a
 * crash), on reload, and (with an empty set) on --flush-on-exit.
 *
 * A route of the main table for a configured prefix with another protocol
 * (an operator's static route, a routing daemon's) is never replaced: the
 * conflict is logged with the other route's protocol, that route is left
 * as it is and ours is not installed (vnet_sync() returns -EEXIST).
 */
#ifndef MIPHA_VNET_H
#define MIPHA_VNET_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#define VNET_RTPROT 143 /* rtm_protocol of our routes: "mipha" */

struct vnet_prefix {
	struct in_addr addr; /* network address (host bits zero) */
	uint8_t len;	     /* prefix length, 0..32 */
};

struct vnet;

int vnet_open(struct vnet **vp);
void vnet_close(struct vnet *v);

/*
 * Make our routes exactly p[0..n). Returns 0, or the first error (the
 * other changes are still attempted); *added and *removed (may be NULL)
 * count what changed.
 */
int vnet_sync(struct vnet *v, const struct vnet_prefix *p, size_t n,
	      unsigned int *added, unsigned int *removed);

#endif /* MIPHA_VNET_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * hsrp_arp: gratuitous ARP over a packet socket.
 *
 * SOCK_DGRAM: the kernel builds the Ethernet header, from the interface's
 * MAC to the address given. Protocol 0: the socket only sends, so no
 * frame of the LAN is ever queued on it.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if_arp.h>
#include <netinet/if_ether.h>
#include <netpacket/packet.h>
#include <sys/socket.h>

#include "hsrp_arp.h"

/*
 * RFC 5944 section 4.6: sender and target protocol address both the VIP,
 * sender hardware address the MAC it is now at; a reply also names that
 * MAC as target hardware address, a request leaves it zero (RFC 5227).
 */
static void garp_build(struct ether_arp *a, uint16_t op,
		       const uint8_t mac[ETH_ALEN], struct in_addr vip)
{
	memset(a, 0, sizeof(*a));
	a->arp_hrd = htons(ARPHRD_ETHER);
	a->arp_pro = htons(ETH_P_IP);
	a->arp_hln = ETH_ALEN;
	a->arp_pln = sizeof(vip);
	a->arp_op = htons(op);
	memcpy(a->arp_sha, mac, ETH_ALEN);
	memcpy(a->arp_spa, &vip, sizeof(vip));
	memcpy(a->arp_tpa, &vip, sizeof(vip));
	if (op == ARPOP_REPLY)
		memcpy(a->arp_tha, mac, ETH_ALEN);
}

int hsrp_garp_send(uint32_t ifindex, const uint8_t mac[6], struct in_addr vip)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ARP),
		.sll_halen = ETH_ALEN,
		.sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};
	/*
	 * Both forms, request first: RFC 5944 allows either, and receivers
	 * differ in which one they act on (Linux and RFC 5227 hosts take
	 * the request; some stacks update their cache only from a reply).
	 */
	static const uint16_t ops[] = { ARPOP_REQUEST, ARPOP_REPLY };
	struct ether_arp a;
	int fd, ret = 0;
	size_t i;

	if (!ifindex || ifindex > INT_MAX)
		return -EINVAL;
	to.sll_ifindex = (int)ifindex;
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		garp_build(&a, ops[i], mac, vip);
		if (sendto(fd, &a, sizeof(a), 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0) {
			ret = -errno;
			break;
		}
	}
	close(fd);
	return ret;
}

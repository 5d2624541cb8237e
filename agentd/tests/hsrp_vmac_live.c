// SPDX-License-Identifier: GPL-2.0
/*
 * hsrp_vmac_live: hsrp_vmac.c and hsrp_arp.c against the kernel, TAP
 * output. It needs root (CAP_NET_ADMIN, CAP_NET_RAW, CAP_SYS_ADMIN for
 * setns), veth, macvlan and iproute2, and rebuilds the network namespace
 * it runs in, so run it in a fresh one:
 *
 *	unshare -n agentd/build/tests/hsrp_vmac_live
 *
 * Two namespaces: the one it runs in ("router") and one it makes ("lan"),
 * joined by a veth pair. The lan side only holds sockets, opened there: a
 * packet socket on veth1 that sees and sends ARP as the LAN does, and a
 * UDP socket.
 *
 *   router                                        lan
 *   veth0 10.0.0.2/24 --------------------------- veth1 10.0.0.9/24
 *     `- hsrp3.1: macvlan, 00:00:0c:07:ac:03,
 *        VIP 10.0.0.1 (use-bia: on veth0)
 *
 * The router's checks read the kernel with rtnetlink dumps of their own
 * and /proc/sys, not with the code under test.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/if_ether.h>
#include <netpacket/packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "hsrp_arp.h"
#include "hsrp_vmac.h"

#define VIP	  "10.0.0.1"
#define ROUTER_IP "10.0.0.2"
#define HOST_IP	  "10.0.0.9"
#define ABSENT_IP "10.0.0.10" /* on the LAN, nobody's */
#define UDP_PORT  4343
#define WAIT_MS	  300 /* for answers on the veth: all local, fast */
#define MAX_ARP	  32

static const uint8_t vmac[6] = { 0x00, 0x00, 0x0c, 0x07, 0xac, 0x03 };

static int test_no, failures;

static void ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	test_no++;
	printf("%sok %d - ", cond ? "" : "not ", test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		failures++;
	fflush(stdout);
}

static void bail(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (%s)\n", strerror(errno));
	exit(1);
}

static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ret = system(cmd);
	if (ret)
		printf("# \"%s\": %d\n", cmd, ret);
	return ret;
}

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

/* /proc/sys/net/ipv4/conf/<dev>/<key> of the namespace we are in. */
static int conf_get(const char *dev, const char *key)
{
	char path[128];
	int val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", dev, key);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &val) != 1)
		val = -1;
	fclose(f);
	return val;
}

static void conf_set(const char *dev, const char *key, int val)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", dev, key);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%d\n", val) < 0 || fclose(f))
		bail("writing %s", path);
}

/* --- the router's kernel, read back over rtnetlink --- */

static struct mnl_socket *nl;
static char nlbuf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
static uint32_t nlseq;

static int nl_run(struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	ssize_t n;
	int ret;

	nlh->nlmsg_seq = ++nlseq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, nlbuf, sizeof(nlbuf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(nlbuf, n, nlseq, 0, cb, data);
	} while (ret == MNL_CB_OK);
	return ret < 0 ? -errno : 0;
}

static int tb_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	/* Each table here is IFLA_MAX + 1 long, the largest of them. */
	if (mnl_attr_get_type(a) <= IFLA_MAX)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

struct tlink {
	bool found;
	uint32_t ifindex;
	unsigned int flags;
	uint8_t mac[6];
	char alias[64];
	char kind[16];
	uint32_t mode;	/* IFLA_MACVLAN_MODE */
	uint32_t lower; /* IFLA_LINK */
};

static int tlink_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { NULL };
	const struct nlattr *info[IFLA_MAX + 1] = { NULL };
	const struct nlattr *mv[IFLA_MAX + 1] = { NULL };
	struct tlink *l = data;

	mnl_attr_parse(nlh, sizeof(*ifi), tb_cb, tb);
	l->found = true;
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6)
		memcpy(l->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
	if (tb[IFLA_IFALIAS])
		snprintf(l->alias, sizeof(l->alias), "%.*s",
			 (int)mnl_attr_get_payload_len(tb[IFLA_IFALIAS]),
			 (const char *)mnl_attr_get_payload(tb[IFLA_IFALIAS]));
	if (tb[IFLA_LINK])
		l->lower = mnl_attr_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINKINFO])
		mnl_attr_parse_nested(tb[IFLA_LINKINFO], tb_cb, info);
	if (info[IFLA_INFO_KIND])
		snprintf(l->kind, sizeof(l->kind), "%s",
			 mnl_attr_get_str(info[IFLA_INFO_KIND]));
	if (info[IFLA_INFO_DATA])
		mnl_attr_parse_nested(info[IFLA_INFO_DATA], tb_cb, mv);
	if (!strcmp(l->kind, "macvlan") && mv[IFLA_MACVLAN_MODE])
		l->mode = mnl_attr_get_u32(mv[IFLA_MACVLAN_MODE]);
	return MNL_CB_OK;
}

static struct tlink link_get(const char *name)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nlbuf);
	struct tlink l = { 0 };
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (nl_run(nlh, tlink_cb, &l))
		memset(&l, 0, sizeof(l));
	return l;
}

struct taddr {
	uint32_t ifindex;
	char local[INET6_ADDRSTRLEN];
	uint8_t plen;
	uint8_t flags; /* ifa_flags: IFA_F_SECONDARY */
	int proto;     /* IFA_PROTO, 0 if none */
};

static struct taddr addrs[256];
static int n_addrs;

static int taddr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { NULL };
	struct taddr *a;

	(void)data;
	if (n_addrs == 256)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*ifa), tb_cb, tb);
	a = &addrs[n_addrs++];
	memset(a, 0, sizeof(*a));
	a->ifindex = ifa->ifa_index;
	a->plen = ifa->ifa_prefixlen;
	a->flags = ifa->ifa_flags;
	if (tb[IFA_LOCAL] || tb[IFA_ADDRESS])
		inet_ntop(ifa->ifa_family,
			  mnl_attr_get_payload(tb[IFA_LOCAL] ?:
							       tb[IFA_ADDRESS]),
			  a->local, sizeof(a->local));
	if (tb[IFA_PROTO])
		a->proto = mnl_attr_get_u8(tb[IFA_PROTO]);
	return MNL_CB_OK;
}

/* Every address of the family, into addrs[]. */
static void addr_snapshot(int family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nlbuf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = family;
	n_addrs = 0;
	if (nl_run(nlh, taddr_cb, NULL))
		bail("address dump");
}

/* The IPv4 address on ifindex (0: any), or NULL. */
static const struct taddr *addr_find(const char *local, uint32_t ifindex)
{
	int i;

	addr_snapshot(AF_INET);
	for (i = 0; i < n_addrs; i++) {
		if (!strcmp(addrs[i].local, local) &&
		    (!ifindex || addrs[i].ifindex == ifindex))
			return &addrs[i];
	}
	return NULL;
}

static int addr_count(const char *local)
{
	int i, n = 0;

	addr_snapshot(AF_INET);
	for (i = 0; i < n_addrs; i++)
		n += !strcmp(addrs[i].local, local);
	return n;
}

/* iproute2 6.1 cannot give an address a protocol, so this does. */
static void addr_add(uint32_t ifindex, const char *local, uint8_t plen,
		     uint8_t proto)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nlbuf);
	struct in_addr a = ip(local);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_index = ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(a), &a);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(a), &a);
	if (proto)
		mnl_attr_put_u8(nlh, IFA_PROTO, proto);
	if (nl_run(nlh, NULL, NULL))
		bail("adding %s", local);
}

/* --- the LAN's view: ARP on veth1 --- */

static int ns_router, ns_lan;
static int lan_arp = -1; /* packet socket on veth1, ETH_P_ARP */
static int lan_udp = -1;
static int lan_ifindex;
static uint8_t lan_mac[6];

static void ns_enter(int fd)
{
	if (setns(fd, CLONE_NEWNET))
		bail("setns");
}

struct arp_seen {
	uint16_t op;
	uint8_t src[6]; /* Ethernet source */
	uint8_t sha[6], tha[6];
	struct in_addr spa, tpa;
};

/* What reached veth1 from the router within ms milliseconds. */
static int arp_collect(struct arp_seen *seen, int max, int ms)
{
	struct pollfd p = { .fd = lan_arp, .events = POLLIN };
	struct sockaddr_ll from;
	socklen_t fromlen;
	struct ether_arp a;
	int n = 0;

	while (n < max && poll(&p, 1, ms) == 1) {
		fromlen = sizeof(from);
		if (recvfrom(lan_arp, &a, sizeof(a), 0,
			     (struct sockaddr *)&from,
			     &fromlen) < (ssize_t)sizeof(a) ||
		    from.sll_pkttype == PACKET_OUTGOING)
			continue;
		seen[n].op = ntohs(a.arp_op);
		memcpy(seen[n].src, from.sll_addr, 6);
		memcpy(seen[n].sha, a.arp_sha, 6);
		memcpy(seen[n].tha, a.arp_tha, 6);
		memcpy(&seen[n].spa, a.arp_spa, 4);
		memcpy(&seen[n].tpa, a.arp_tpa, 4);
		n++;
	}
	return n;
}

static void arp_drain(void)
{
	struct arp_seen seen[MAX_ARP];

	while (arp_collect(seen, MAX_ARP, 0) == MAX_ARP)
		;
}

/* The LAN asks who has target; the replies that came back. */
static int arp_ask(const char *target, struct arp_seen *replies, int max)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ARP),
		.sll_ifindex = lan_ifindex,
		.sll_halen = 6,
		.sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};
	struct arp_seen seen[MAX_ARP];
	struct in_addr spa = ip(HOST_IP), tpa = ip(target);
	struct ether_arp a = { 0 };
	int i, n, r = 0;

	arp_drain();
	a.arp_hrd = htons(ARPHRD_ETHER);
	a.arp_pro = htons(ETH_P_IP);
	a.arp_hln = 6;
	a.arp_pln = 4;
	a.arp_op = htons(ARPOP_REQUEST);
	memcpy(a.arp_sha, lan_mac, 6);
	memcpy(a.arp_spa, &spa, 4);
	memcpy(a.arp_tpa, &tpa, 4);
	if (sendto(lan_arp, &a, sizeof(a), 0, (struct sockaddr *)&to,
		   sizeof(to)) < 0)
		bail("sending an ARP request");
	n = arp_collect(seen, MAX_ARP, WAIT_MS);
	for (i = 0; i < n && r < max; i++) {
		if (seen[i].op == ARPOP_REPLY &&
		    seen[i].spa.s_addr == tpa.s_addr)
			replies[r++] = seen[i];
	}
	return r;
}

/* A gratuitous ARP of op for the VIP from mac among seen[]. */
static bool garp_seen(const struct arp_seen *seen, int n, uint16_t op,
		      const uint8_t mac[6])
{
	struct in_addr vip = ip(VIP);
	int i;

	for (i = 0; i < n; i++) {
		if (seen[i].op == op && seen[i].spa.s_addr == vip.s_addr &&
		    seen[i].tpa.s_addr == vip.s_addr &&
		    !memcmp(seen[i].sha, mac, 6) &&
		    !memcmp(seen[i].src, mac, 6) &&
		    (op == ARPOP_REQUEST || !memcmp(seen[i].tha, mac, 6)))
			return true;
	}
	return false;
}

/* --- setup --- */

static uint32_t veth0;
static uint8_t veth0_mac[6];

static void setup(void)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET };
	struct tlink l;
	struct ifreq ifr = { 0 };

	ns_router = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns_router < 0 || unshare(CLONE_NEWNET))
		bail("making the lan namespace");
	ns_lan = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns_lan < 0)
		bail("opening the lan namespace");
	if (sh("ip link set lo up && ip link add veth1 type veth peer name "
	       "veth0 netns /proc/%d/fd/%d",
	       getpid(), ns_router) ||
	    sh("ip link set veth1 up && ip addr add %s/24 dev veth1", HOST_IP))
		bail("lan side");
	lan_arp =
		socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
	lan_udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (lan_arp < 0 || lan_udp < 0)
		bail("lan sockets");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "veth1");
	if (ioctl(lan_arp, SIOCGIFINDEX, &ifr))
		bail("veth1's index");
	lan_ifindex = ifr.ifr_ifindex;
	if (ioctl(lan_arp, SIOCGIFHWADDR, &ifr))
		bail("veth1's MAC");
	memcpy(lan_mac, ifr.ifr_hwaddr.sa_data, 6);
	ll.sll_protocol = htons(ETH_P_ARP);
	ll.sll_ifindex = lan_ifindex;
	if (bind(lan_arp, (struct sockaddr *)&ll, sizeof(ll)))
		bail("binding to veth1");

	ns_enter(ns_router);
	/*
	 * Strict reverse-path filtering for every device: the macvlan must
	 * still take the LAN's packets to the VIP.
	 */
	conf_set("all", "rp_filter", 1);
	conf_set("default", "rp_filter", 1);
	if (sh("ip link set lo up && ip link set veth0 up && "
	       "ip addr add %s/24 dev veth0",
	       ROUTER_IP))
		bail("router side");
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID))
		bail("rtnetlink");
	l = link_get("veth0");
	if (!l.found)
		bail("veth0");
	veth0 = l.ifindex;
	memcpy(veth0_mac, l.mac, 6);
}

static struct hsrp_vmac_spec spec_vmac(void)
{
	struct hsrp_vmac_spec s = { .lower_ifindex = veth0 };

	snprintf(s.name, sizeof(s.name), "hsrp3.1");
	memcpy(s.mac, vmac, 6);
	s.vip = ip(VIP);
	s.plen = 0; /* means 32 */
	return s;
}

/* --- the tests --- */

/*
 * A failing up leaves nothing behind. The failure: another macvlan of
 * veth0, not ours, already up with the virtual MAC, so ours cannot be set
 * up (-EADDRINUSE) after it was made and configured and veth0's ARP
 * settings changed.
 */
static void test_up_fails(struct hsrp_vmac *v)
{
	struct hsrp_vmac_spec s = spec_vmac();
	uint32_t ifindex = 0;
	int ret;

	if (sh("ip link add other1 link veth0 address 00:00:0c:07:ac:03 type "
	       "macvlan mode private && ip link set other1 up"))
		bail("other1");
	ret = hsrp_vmac_up(v, &s, &ifindex);
	ok(ret == -EADDRINUSE,
	   "up with the virtual MAC in use on veth0 fails (%d)", ret);
	ok(!link_get("hsrp3.1").found && !addr_count(VIP),
	   "a failed up leaves no macvlan and no VIP");
	ok(conf_get("veth0", "arp_ignore") == 0 &&
		   conf_get("veth0", "arp_announce") == 0,
	   "a failed up puts veth0's arp_ignore and arp_announce back");
	ok(link_get("other1").found, "and leaves the other macvlan alone");
	sh("ip link del other1");
}

/* A datagram from the LAN to the VIP reaches a socket bound to it. */
static bool udp_to_vip(void)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(UDP_PORT),
				  .sin_addr = ip(VIP) };
	struct pollfd p = { .events = POLLIN };
	char buf[16] = "";
	bool got = false;

	p.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (p.fd < 0 || bind(p.fd, (struct sockaddr *)&to, sizeof(to)))
		bail("binding to the VIP");
	if (sendto(lan_udp, "hsrp", 4, 0, (struct sockaddr *)&to, sizeof(to)) ==
		    4 &&
	    poll(&p, 1, 2000) == 1 && recv(p.fd, buf, sizeof(buf), 0) == 4)
		got = !memcmp(buf, "hsrp", 4);
	close(p.fd);
	return got;
}

/*
 * The router's own ARP request for a LAN address, sent for a datagram
 * from the VIP: which sender address does it name?
 */
static struct in_addr router_arp_sender(void)
{
	struct sockaddr_in from = { .sin_family = AF_INET,
				    .sin_addr = ip(VIP) };
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(9),
				  .sin_addr = ip(ABSENT_IP) };
	struct arp_seen seen[MAX_ARP];
	struct in_addr none = { 0 };
	int fd, i, n;

	arp_drain();
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&from, sizeof(from)) ||
	    sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)) != 1)
		bail("sending from the VIP");
	close(fd);
	n = arp_collect(seen, MAX_ARP, WAIT_MS);
	for (i = 0; i < n; i++) {
		if (seen[i].op == ARPOP_REQUEST &&
		    seen[i].tpa.s_addr == to.sin_addr.s_addr)
			return seen[i].spa;
	}
	return none;
}

static bool no_ipv6_addr(uint32_t ifindex)
{
	int i;

	addr_snapshot(AF_INET6);
	for (i = 0; i < n_addrs; i++) {
		if (addrs[i].ifindex == ifindex)
			return false;
	}
	return true;
}

static void test_up(struct hsrp_vmac *v)
{
	struct hsrp_vmac_spec s = spec_vmac();
	struct arp_seen seen[MAX_ARP];
	const struct taddr *a;
	uint32_t ifindex = 0;
	struct in_addr sender;
	struct tlink l;
	int ret, n;

	arp_drain();
	ret = hsrp_vmac_up(v, &s, &ifindex);
	n = arp_collect(seen, MAX_ARP, WAIT_MS);
	l = link_get("hsrp3.1");
	ok(ret == 0 && l.found && ifindex == l.ifindex,
	   "up returns 0 and the macvlan's ifindex (%d, %u)", ret, ifindex);
	ok(!strcmp(l.kind, "macvlan") && l.lower == veth0 &&
		   l.mode == MACVLAN_MODE_PRIVATE,
	   "hsrp3.1 is a private-mode macvlan over veth0 (%s, %u, %u)", l.kind,
	   l.lower, l.mode);
	ok(!memcmp(l.mac, vmac, 6), "hsrp3.1 has the virtual MAC");
	ok(!strcmp(l.alias, HSRP_VMAC_ALIAS), "hsrp3.1 is marked ours (%s)",
	   l.alias);
	ok(l.flags & IFF_UP, "hsrp3.1 is up");
	a = addr_find(VIP, l.ifindex);
	ok(a && a->proto == HSRP_VMAC_IFAPROT && a->plen == 32 &&
		   addr_count(VIP) == 1,
	   "the VIP is on hsrp3.1 alone, /32, protocol 143");
	ok(sh("test \"$(ip -j route show dev hsrp3.1)\" = '[]'") == 0,
	   "the VIP brings no route via hsrp3.1");
	ok(conf_get("veth0", "arp_ignore") == 1 &&
		   conf_get("veth0", "arp_announce") == 2,
	   "veth0: arp_ignore 1, arp_announce 2");
	ok(conf_get("hsrp3.1", "arp_ignore") == 1 &&
		   conf_get("hsrp3.1", "rp_filter") == 2,
	   "hsrp3.1: arp_ignore 1, rp_filter 2");
	ok(garp_seen(seen, n, ARPOP_REQUEST, vmac),
	   "the LAN saw a gratuitous ARP request for the VIP from the "
	   "virtual MAC");
	ok(garp_seen(seen, n, ARPOP_REPLY, vmac),
	   "and the reply form, the virtual MAC as target hardware address");

	n = arp_ask(VIP, seen, MAX_ARP);
	ok(n == 1 && !memcmp(seen[0].sha, vmac, 6) &&
		   !memcmp(seen[0].src, vmac, 6),
	   "ARP for the VIP: one reply, from the virtual MAC (%d)", n);
	n = arp_ask(ROUTER_IP, seen, MAX_ARP);
	ok(n == 1 && !memcmp(seen[0].sha, veth0_mac, 6),
	   "ARP for veth0's own address: one reply, from veth0's MAC (%d)", n);
	ok(udp_to_vip(),
	   "a datagram from the LAN reaches the VIP (strict rp_filter in "
	   "\"all\")");
	sender = router_arp_sender();
	ok(sender.s_addr == ip(ROUTER_IP).s_addr,
	   "a datagram from the VIP makes veth0 ARP as %s, not as the VIP "
	   "(%s)",
	   ROUTER_IP, inet_ntoa(sender));
	if (access("/proc/sys/net/ipv6", F_OK))
		ok(true, "hsrp3.1 has no IPv6 address # SKIP no IPv6");
	else
		ok(no_ipv6_addr(l.ifindex), "hsrp3.1 has no IPv6 address");

	ifindex = 0;
	ret = hsrp_vmac_up(v, &s, &ifindex);
	ok(ret == 0 && ifindex == l.ifindex &&
		   link_get("hsrp3.1").ifindex == l.ifindex &&
		   addr_count(VIP) == 1,
	   "up again: 0, the same macvlan, one VIP (%d)", ret);
}

static void test_down(struct hsrp_vmac *v)
{
	struct hsrp_vmac_spec s = spec_vmac();
	struct arp_seen seen[MAX_ARP];
	int ret, n;

	ret = hsrp_vmac_down(v, &s);
	ok(ret == 0, "down returns 0 (%d)", ret);
	ok(!link_get("hsrp3.1").found, "hsrp3.1 is gone");
	ok(addr_count(VIP) == 0, "the VIP is on no interface");
	n = arp_ask(VIP, seen, MAX_ARP);
	ok(n == 0, "ARP for the VIP: no reply (%d)", n);
	ret = hsrp_vmac_down(v, &s);
	ok(ret == 0, "down again returns 0 (%d)", ret);
}

/* With the LAN's prefix length, still no second route to the LAN. */
static void test_prefix(struct hsrp_vmac *v)
{
	struct hsrp_vmac_spec s = spec_vmac();
	const struct taddr *a;
	uint32_t ifindex = 0;
	int ret;

	s.plen = 24;
	ret = hsrp_vmac_up(v, &s, &ifindex);
	a = addr_find(VIP, ifindex);
	ok(ret == 0 && a && a->plen == 24 &&
		   sh("test \"$(ip -j route show dev hsrp3.1)\" = '[]'") == 0,
	   "the VIP as /24 on hsrp3.1 brings no route via it (%d)", ret);
	hsrp_vmac_down(v, &s);
}

static void test_bia(struct hsrp_vmac *v)
{
	struct hsrp_vmac_spec s = spec_vmac();
	struct arp_seen seen[MAX_ARP];
	const struct taddr *a;
	uint32_t ifindex = 0;
	int ret, n;

	s.use_bia = true;
	s.plen = 24;
	arp_drain();
	ret = hsrp_vmac_up(v, &s, &ifindex);
	n = arp_collect(seen, MAX_ARP, WAIT_MS);
	ok(ret == 0 && ifindex == veth0,
	   "use-bia: up returns 0 and veth0's ifindex (%d, %u)", ret, ifindex);
	a = addr_find(VIP, veth0);
	ok(a && a->proto == HSRP_VMAC_IFAPROT && a->plen == 24 &&
		   (a->flags & IFA_F_SECONDARY) && addr_count(VIP) == 1,
	   "use-bia: the VIP is on veth0 alone, secondary, protocol 143");
	ok(!link_get("hsrp3.1").found, "use-bia: no macvlan");
	ok(garp_seen(seen, n, ARPOP_REQUEST, veth0_mac) &&
		   garp_seen(seen, n, ARPOP_REPLY, veth0_mac),
	   "use-bia: gratuitous ARP request and reply from veth0's MAC");
	n = arp_ask(VIP, seen, MAX_ARP);
	ok(n == 1 && !memcmp(seen[0].sha, veth0_mac, 6),
	   "use-bia: ARP for the VIP: one reply, from veth0's MAC (%d)", n);
	ret = hsrp_vmac_up(v, &s, &ifindex);
	ok(ret == 0 && addr_count(VIP) == 1, "use-bia: up again (%d)", ret);
	ret = hsrp_vmac_down(v, &s);
	ok(ret == 0 && addr_count(VIP) == 0 && addr_find(ROUTER_IP, veth0),
	   "use-bia: down removes the VIP, not veth0's own address (%d)", ret);
}

/* What is not ours is refused and left alone; bad specs are refused. */
static void test_not_ours(struct hsrp_vmac *v)
{
	struct hsrp_vmac_spec s = spec_vmac();
	uint32_t ifindex = 0;
	struct tlink l;
	int ret;

	sh("ip link add hsrp3.1 link veth0 address 02:00:00:00:00:01 type "
	   "macvlan mode bridge");
	ret = hsrp_vmac_up(v, &s, &ifindex);
	l = link_get("hsrp3.1");
	ok(ret == -EEXIST && l.found && l.mac[0] == 0x02 && !l.alias[0] &&
		   !addr_count(VIP),
	   "an hsrp3.1 not ours: up fails with -EEXIST, leaves it as it "
	   "was (%d)",
	   ret);
	ret = hsrp_vmac_down(v, &s);
	ok(ret == 0 && link_get("hsrp3.1").found,
	   "an hsrp3.1 not ours: down leaves it (%d)", ret);
	sh("ip link del hsrp3.1");

	addr_add(veth0, VIP, 32, 0);
	ret = hsrp_vmac_up(v, &s, &ifindex);
	ok(ret == -EADDRINUSE && !link_get("hsrp3.1").found &&
		   addr_find(VIP, veth0),
	   "the VIP configured by hand on veth0: up fails with -EADDRINUSE, "
	   "makes no macvlan, keeps the address (%d)",
	   ret);
	ret = hsrp_vmac_down(v, &s);
	ok(ret == 0 && addr_find(VIP, veth0),
	   "and down leaves the address of another protocol (%d)", ret);
	sh("ip addr del %s/32 dev veth0", VIP);

	/* Made by us, marked only after a crash came between: adopted. */
	sh("ip link add hsrp3.1 link veth0 address 00:00:0c:07:ac:03 type "
	   "macvlan mode private");
	ret = hsrp_vmac_up(v, &s, &ifindex);
	l = link_get("hsrp3.1");
	ok(ret == 0 && !strcmp(l.alias, HSRP_VMAC_ALIAS) &&
		   addr_find(VIP, l.ifindex),
	   "an unmarked macvlan just as we build it is adopted (%d)", ret);
	hsrp_vmac_down(v, &s);

	s.name[0] = '\0';
	ok(hsrp_vmac_up(v, &s, &ifindex) == -EINVAL, "no name: -EINVAL");
	s = spec_vmac();
	s.lower_ifindex = 9999;
	ret = hsrp_vmac_up(v, &s, &ifindex);
	ok(ret == -ENODEV && !link_get("hsrp3.1").found,
	   "no such lower: -ENODEV (%d)", ret);
}

static void test_cleanup(struct hsrp_vmac *v)
{
	struct tlink l;
	int ret;

	ret = hsrp_vmac_cleanup(v);
	ok(ret == 0, "cleanup with nothing left over: 0 (%d)", ret);
	sh("ip link add hsrp9.9 link veth0 type macvlan mode private && "
	   "ip link set hsrp9.9 alias %s up",
	   HSRP_VMAC_ALIAS);
	sh("ip link add other0 link veth0 type macvlan mode private");
	l = link_get("hsrp9.9");
	if (!l.found)
		bail("hsrp9.9");
	addr_add(l.ifindex, "10.0.0.99", 32, HSRP_VMAC_IFAPROT);
	addr_add(veth0, "10.0.0.143", 32, HSRP_VMAC_IFAPROT);
	addr_add(veth0, "10.0.0.77", 32, 42);
	addr_add(veth0, "10.0.0.78", 32, 0);
	ret = hsrp_vmac_cleanup(v);
	ok(ret == 2, "cleanup: 2 removed (the macvlan, the address) (%d)", ret);
	ok(!link_get("hsrp9.9").found && link_get("other0").found,
	   "cleanup: our macvlan is gone, another one stays");
	ok(!addr_count("10.0.0.99") && !addr_count("10.0.0.143"),
	   "cleanup: no address of protocol 143 is left");
	ok(addr_find("10.0.0.77", veth0) && addr_find("10.0.0.78", veth0) &&
		   addr_find(ROUTER_IP, veth0),
	   "cleanup: addresses of other protocols (42, none) stay");
	ret = hsrp_vmac_cleanup(v);
	ok(ret == 0, "cleanup again: 0 (%d)", ret);
}

int main(void)
{
	struct hsrp_vmac *v;
	int ret;

	setup();
	ret = hsrp_vmac_open(&v);
	if (ret) {
		errno = -ret;
		bail("hsrp_vmac_open");
	}
	test_up_fails(v);
	test_up(v);
	test_down(v);
	test_prefix(v);
	test_bia(v);
	test_not_ours(v);
	test_cleanup(v);
	hsrp_vmac_close(v);
	mnl_socket_close(nl);
	printf("1..%d\n", test_no);
	return failures ? 1 : 0;
}

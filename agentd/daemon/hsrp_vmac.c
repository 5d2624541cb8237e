// SPDX-License-Identifier: GPL-2.0
/*
 * hsrp_vmac: the virtual IP and MAC over rtnetlink (libmnl).
 *
 * Every call reads the kernel's state first (a link by name, the VIP's
 * addresses by a dump) and changes only what differs; what a failing
 * hsrp_vmac_up() made, it removes again. The ARP settings go over the same
 * socket (IFLA_AF_SPEC, the kernel's devconf), not through /proc/sys: one
 * path for everything, and it works where /proc/sys is read-only.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>

#include "hsrp_arp.h"
#include "hsrp_vmac.h"
#include "kernel.h"
#include "log.h"

#define NL_BUF	   32768 /* a dump's datagram: iproute2's size */
#define DUMP_MAX   64	 /* entries kept per dump; cleanup dumps again */
#define DUMP_TRIES 4	 /* a dump a change interrupted is done again */

struct hsrp_vmac {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	char extack[256]; /* the kernel's message about the last request */
	bool dump_intr;	  /* a change went on during the last dump */
	/* The request, then its answers: netlink messages, 4-aligned. */
	char buf[NL_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));
};

int hsrp_vmac_open(struct hsrp_vmac **vp)
{
	struct hsrp_vmac *v;
	int one = 1, fd, ret;

	*vp = NULL;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!v->nl) {
		ret = -errno;
		free(v);
		return ret;
	}
	/*
	 * The kernel's error text goes into our log; capped ACKs leave out
	 * the copy of the request we do not need.
	 */
	fd = mnl_socket_get_fd(v->nl);
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    mnl_socket_bind(v->nl, 0, MNL_SOCKET_AUTOPID)) {
		ret = -errno;
		mnl_socket_close(v->nl);
		free(v);
		return ret;
	}
	v->portid = mnl_socket_get_portid(v->nl);
	v->seq = (uint32_t)time(NULL);
	*vp = v;
	return 0;
}

void hsrp_vmac_close(struct hsrp_vmac *v)
{
	if (!v)
		return;
	mnl_socket_close(v->nl);
	free(v);
}

/* One request and its answers. */
struct talk {
	struct hsrp_vmac *v;
	mnl_cb_t cb; /* each answer of a GET or a dump; NULL if none */
	void *data;
};

static int talk_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		t->v->dump_intr = true;
	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

/* NLMSG_ERROR (the ACK, or the failure) and NLMSG_DONE (a dump's end). */
static int talk_end_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	struct kernel_error err;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		t->v->dump_intr = true;
	if (kernel_error_parse(nlh, &err)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	snprintf(t->v->extack, sizeof(t->v->extack), "%s", err.msg);
	if (err.error) {
		errno = -err.error;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

/*
 * Send the request in v->buf and read to its end. The answers' callbacks
 * never fail (they skip what they cannot use), so a dump is always read
 * to its NLMSG_DONE and leaves nothing behind for the next request.
 */
static int nl_talk(struct hsrp_vmac *v, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data)
{
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		/* libmnl's is not const */
		[NLMSG_ERROR] = talk_end_cb,
		[NLMSG_DONE] = talk_end_cb,
	};
	struct talk t = { .v = v, .cb = cb, .data = data };
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	v->extack[0] = '\0';
	v->dump_intr = false;
	if (mnl_socket_sendto(v->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(v->nl, v->buf, sizeof(v->buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run2(v->buf, n, seq, v->portid, talk_data_cb, &t,
				  ctl, NLMSG_MIN_TYPE);
	} while (ret == MNL_CB_OK);
	return ret < 0 ? -errno : 0;
}

static void nl_log_err(const struct hsrp_vmac *v, const char *name,
		       const char *what, int err)
{
	if (v->extack[0])
		log_err("hsrp %s: %s: %s (%s)", name, what, strerror(-err),
			v->extack);
	else
		log_err("hsrp %s: %s: %s", name, what, strerror(-err));
}

static struct nlmsghdr *msg_start(struct hsrp_vmac *v, uint16_t type,
				  uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(v->buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++v->seq;
	return nlh;
}

static struct nlmsghdr *link_msg(struct hsrp_vmac *v, uint16_t type,
				 uint16_t flags, uint32_t ifindex)
{
	struct nlmsghdr *nlh = msg_start(v, type, flags);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	return nlh;
}

/* Attributes by type, the last of each kept; what we cannot use, skipped. */
struct attr_tb {
	const struct nlattr **tb;
	unsigned int max;
};

static int attr_tb_cb(const struct nlattr *a, void *data)
{
	const struct attr_tb *t = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= t->max)
		t->tb[type] = a;
	return MNL_CB_OK;
}

static void attr_nested(const struct nlattr *nest, const struct nlattr **tb,
			unsigned int max)
{
	struct attr_tb t = { .tb = tb, .max = max };

	if (nest)
		mnl_attr_parse_nested(nest, attr_tb_cb, &t);
}

/* NULL unless a NUL-terminated string. */
static const char *attr_str(const struct nlattr *a)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return NULL;
	return mnl_attr_get_str(a);
}

static uint32_t attr_u32(const struct nlattr *a)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return 0;
	return mnl_attr_get_u32(a);
}

/* What we need to know of a link. */
struct link_info {
	uint32_t ifindex;
	unsigned int flags; /* ifi_flags */
	char name[IFNAMSIZ];
	uint8_t mac[ETH_ALEN]; /* zero if it has none */
	uint32_t lower;	       /* IFLA_LINK: a macvlan's lower, 0 if none */
	bool ours;	       /* IFLA_IFALIAS is HSRP_VMAC_ALIAS */
	bool macvlan;	       /* IFLA_INFO_KIND "macvlan" */
	uint32_t macvlan_mode; /* IFLA_MACVLAN_MODE */
	int arp_ignore;	       /* its IPv4 devconf, -1 if not told */
	int arp_announce;
};

/* IFLA_AF_SPEC / AF_INET / IFLA_INET_CONF: u32 values, devconf id - 1. */
static void link_parse_conf(const struct nlattr *af_spec, struct link_info *li)
{
	const struct nlattr *af, *a;
	const uint32_t *conf;
	size_t n;

	mnl_attr_for_each_nested(af, af_spec) {
		if (mnl_attr_get_type(af) != AF_INET)
			continue;
		mnl_attr_for_each_nested(a, af) {
			if (mnl_attr_get_type(a) != IFLA_INET_CONF)
				continue;
			conf = mnl_attr_get_payload(a);
			n = mnl_attr_get_payload_len(a) / sizeof(*conf);
			if (n >= IPV4_DEVCONF_ARP_IGNORE)
				li->arp_ignore =
					conf[IPV4_DEVCONF_ARP_IGNORE - 1];
			if (n >= IPV4_DEVCONF_ARP_ANNOUNCE)
				li->arp_announce =
					conf[IPV4_DEVCONF_ARP_ANNOUNCE - 1];
		}
	}
}

static int link_parse(const struct nlmsghdr *nlh, struct link_info *li)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { NULL };
	const struct nlattr *info[IFLA_INFO_MAX + 1] = { NULL };
	const struct nlattr *data[IFLA_MACVLAN_MAX + 1] = { NULL };
	struct attr_tb t = { .tb = tb, .max = IFLA_MAX };
	const char *s;

	memset(li, 0, sizeof(*li));
	li->arp_ignore = li->arp_announce = -1;
	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi) ||
	    mnl_attr_parse(nlh, sizeof(*ifi), attr_tb_cb, &t) < 0)
		return -EBADMSG;
	li->ifindex = ifi->ifi_index;
	li->flags = ifi->ifi_flags;
	s = attr_str(tb[IFLA_IFNAME]);
	if (s)
		snprintf(li->name, sizeof(li->name), "%s", s);
	if (tb[IFLA_ADDRESS] &&
	    mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == ETH_ALEN)
		memcpy(li->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]),
		       ETH_ALEN);
	li->lower = attr_u32(tb[IFLA_LINK]);
	s = attr_str(tb[IFLA_IFALIAS]);
	li->ours = s && !strcmp(s, HSRP_VMAC_ALIAS);
	attr_nested(tb[IFLA_LINKINFO], info, IFLA_INFO_MAX);
	s = attr_str(info[IFLA_INFO_KIND]);
	li->macvlan = s && !strcmp(s, "macvlan");
	if (li->macvlan) {
		attr_nested(info[IFLA_INFO_DATA], data, IFLA_MACVLAN_MAX);
		li->macvlan_mode = attr_u32(data[IFLA_MACVLAN_MODE]);
	}
	if (tb[IFLA_AF_SPEC])
		link_parse_conf(tb[IFLA_AF_SPEC], li);
	return 0;
}

struct link_get {
	struct link_info *li;
	bool found;
};

static int link_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_get *g = data;

	if (!link_parse(nlh, g->li))
		g->found = true;
	return MNL_CB_OK;
}

/* The link with that index, or (ifindex 0) that name; -ENODEV if none. */
static int link_get(struct hsrp_vmac *v, uint32_t ifindex, const char *name,
		    struct link_info *li)
{
	struct link_get g = { .li = li };
	struct nlmsghdr *nlh;
	int ret;

	memset(li, 0, sizeof(*li));

	nlh = link_msg(v, RTM_GETLINK, NLM_F_ACK, ifindex);
	if (!ifindex)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	ret = nl_talk(v, nlh, link_get_cb, &g);
	if (!ret && !g.found)
		ret = -EBADMSG;
	return ret;
}

/* What a dump kept: up to DUMP_MAX entries; truncated if there were more. */
struct dump_head {
	size_t n;
	bool truncated;
};

/* Whether there is room for one more entry. */
static bool dump_slot(struct dump_head *h)
{
	if (h->n == DUMP_MAX) {
		h->truncated = true;
		return false;
	}
	return true;
}

/*
 * Every link (RTM_GETLINK) or IPv4 address (RTM_GETADDR), whole: a dump
 * that a change interrupted (NLM_F_DUMP_INTR) may have missed an entry,
 * so it is done again.
 */
static int dump(struct hsrp_vmac *v, uint16_t type, mnl_cb_t cb,
		struct dump_head *h, void *ctx)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int tries, ret;

	for (tries = 0; tries < DUMP_TRIES; tries++) {
		memset(h, 0, sizeof(*h));
		if (type == RTM_GETLINK) {
			nlh = link_msg(v, type, NLM_F_DUMP, 0);
			mnl_attr_put_u32(nlh, IFLA_EXT_MASK,
					 RTEXT_FILTER_SKIP_STATS);
		} else {
			nlh = msg_start(v, type, NLM_F_DUMP);
			ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
			ifa->ifa_family = AF_INET;
		}
		ret = nl_talk(v, nlh, cb, ctx);
		if (ret || !v->dump_intr)
			return ret;
	}
	return -EAGAIN;
}

/* Our macvlans (by alias and kind). */
struct link_dump {
	struct dump_head h; /* first: dump() resets it */
	struct {
		uint32_t ifindex;
		char name[IFNAMSIZ];
	} l[DUMP_MAX];
};

static int link_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_dump *d = data;
	struct link_info li;

	if (link_parse(nlh, &li) || !li.ours || !li.macvlan ||
	    !dump_slot(&d->h))
		return MNL_CB_OK;
	d->l[d->h.n].ifindex = li.ifindex;
	memcpy(d->l[d->h.n].name, li.name, sizeof(li.name));
	d->h.n++;
	return MNL_CB_OK;
}

/* An IPv4 address as the dump shows it. */
struct addr {
	uint32_t ifindex;
	struct in_addr local;
	uint8_t plen;
	uint8_t proto; /* IFA_PROTO, 0 if none */
};

/* The addresses equal to only (if not 0), of our protocol if ours_only. */
struct addr_dump {
	struct dump_head h; /* first: dump() resets it */
	struct in_addr only;
	bool ours_only;
	struct addr a[DUMP_MAX];
};

static int addr_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = { NULL };
	struct attr_tb t = { .tb = tb, .max = IFA_MAX };
	struct addr_dump *d = data;
	struct addr a = { 0 };

	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa) ||
	    ifa->ifa_family != AF_INET ||
	    mnl_attr_parse(nlh, sizeof(*ifa), attr_tb_cb, &t) < 0 ||
	    !tb[IFA_LOCAL] || mnl_attr_validate(tb[IFA_LOCAL], MNL_TYPE_U32))
		return MNL_CB_OK;
	a.ifindex = ifa->ifa_index;
	a.plen = ifa->ifa_prefixlen;
	a.local.s_addr = mnl_attr_get_u32(tb[IFA_LOCAL]);
	if (tb[IFA_PROTO] && !mnl_attr_validate(tb[IFA_PROTO], MNL_TYPE_U8))
		a.proto = mnl_attr_get_u8(tb[IFA_PROTO]);
	if ((d->only.s_addr && a.local.s_addr != d->only.s_addr) ||
	    (d->ours_only && a.proto != HSRP_VMAC_IFAPROT) || !dump_slot(&d->h))
		return MNL_CB_OK;
	d->a[d->h.n++] = a;
	return MNL_CB_OK;
}

static int addr_change(struct hsrp_vmac *v, uint16_t type, uint32_t ifindex,
		       struct in_addr addr, uint8_t plen)
{
	uint16_t flags = NLM_F_ACK;
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	if (type == RTM_NEWADDR)
		flags |= NLM_F_CREATE | NLM_F_EXCL;
	nlh = msg_start(v, type, flags);
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr), &addr);
	/* With the prefix length, deletion matches this one address only. */
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof(addr), &addr);
	if (type == RTM_NEWADDR) {
		mnl_attr_put_u8(nlh, IFA_PROTO, HSRP_VMAC_IFAPROT);
		/*
		 * No prefix route: on the macvlan it would be a second
		 * route to the LAN, taking the host's own traffic out with
		 * the virtual MAC; the lower's route is the LAN's.
		 */
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NOPREFIXROUTE);
	}
	return nl_talk(v, nlh, NULL, NULL);
}

static int link_del(struct hsrp_vmac *v, uint32_t ifindex)
{
	return nl_talk(v, link_msg(v, RTM_DELLINK, NLM_F_ACK, ifindex), NULL,
		       NULL);
}

static uint8_t spec_plen(const struct hsrp_vmac_spec *s)
{
	return s->plen ? s->plen : 32;
}

static int spec_check(const struct hsrp_vmac_spec *s)
{
	size_t len = strnlen(s->name, sizeof(s->name));

	if (!s->lower_ifindex || s->lower_ifindex > INT_MAX || !s->vip.s_addr ||
	    s->plen > 32 || len == sizeof(s->name))
		return -EINVAL;
	if (!s->use_bia && !len)
		return -EINVAL;
	return 0;
}

/* For log lines: with use-bia, the name may be empty. */
static const char *spec_name(const struct hsrp_vmac_spec *s)
{
	return s->name[0] ? s->name : "(use-bia)";
}

/* Built by us: marked, or exactly what we build (marking came too late). */
static bool link_owned(const struct link_info *li,
		       const struct hsrp_vmac_spec *s)
{
	return li->ours || (li->macvlan && li->lower == s->lower_ifindex &&
			    !memcmp(li->mac, s->mac, ETH_ALEN));
}

static bool link_fits(const struct link_info *li,
		      const struct hsrp_vmac_spec *s)
{
	return li->macvlan && li->lower == s->lower_ifindex &&
	       !memcmp(li->mac, s->mac, ETH_ALEN) &&
	       li->macvlan_mode == MACVLAN_MODE_PRIVATE;
}

/*
 * Where the VIP is now. Ours on holder: nothing to add. Anywhere else, or
 * of another protocol: someone else's address (an operator's, another
 * group's) that we must neither take over nor, later, remove.
 */
static int vip_check(struct hsrp_vmac *v, const struct hsrp_vmac_spec *s,
		     uint32_t holder, bool *have)
{
	struct addr_dump *d;
	char ip[INET_ADDRSTRLEN];
	size_t i;
	int ret;

	*have = false;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->only = s->vip;
	ret = dump(v, RTM_GETADDR, addr_dump_cb, &d->h, d);
	for (i = 0; !ret && i < d->h.n; i++) {
		if (d->a[i].proto == HSRP_VMAC_IFAPROT && holder &&
		    d->a[i].ifindex == holder) {
			*have = true;
			continue;
		}
		inet_ntop(AF_INET, &s->vip, ip, sizeof(ip));
		log_err("hsrp %s: VIP %s is already on ifindex %u "
			"(protocol %u): left alone, not made active",
			spec_name(s), ip, d->a[i].ifindex, d->a[i].proto);
		ret = -EADDRINUSE;
	}
	free(d);
	return ret;
}

/* Our VIP off every interface: how many copies went, or -errno. */
static int vip_remove(struct hsrp_vmac *v, const struct hsrp_vmac_spec *s)
{
	struct addr_dump *d;
	int ret, count = 0;
	size_t i;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->only = s->vip;
	d->ours_only = true;
	ret = dump(v, RTM_GETADDR, addr_dump_cb, &d->h, d);
	for (i = 0; !ret && i < d->h.n; i++) {
		ret = addr_change(v, RTM_DELADDR, d->a[i].ifindex,
				  d->a[i].local, d->a[i].plen);
		if (ret == -EADDRNOTAVAIL || ret == -ENODEV)
			ret = 0;
		else if (ret)
			nl_log_err(v, spec_name(s), "removing the VIP", ret);
		else
			count++;
	}
	free(d);
	return ret ? ret : count;
}

/* What hsrp_vmac_up() changed, undone if a later step fails. */
struct up_undo {
	uint32_t created;     /* the macvlan we created, 0 if none */
	uint32_t vip_ifindex; /* where we added the VIP, 0 if we did not */
	uint32_t lower;
	int arp_ignore;	  /* the lower's old value if we changed it, or -1 */
	int arp_announce; /* the same */
};

struct devconf {
	uint16_t id; /* IPV4_DEVCONF_* */
	uint32_t val;
};

static void put_inet_conf(struct nlmsghdr *nlh, const struct devconf *c,
			  size_t n)
{
	struct nlattr *inet, *conf;
	size_t i;

	inet = mnl_attr_nest_start(nlh, AF_INET);
	conf = mnl_attr_nest_start(nlh, IFLA_INET_CONF);
	for (i = 0; i < n; i++)
		mnl_attr_put_u32(nlh, c[i].id, c[i].val);
	mnl_attr_nest_end(nlh, conf);
	mnl_attr_nest_end(nlh, inet);
}

static int link_set_conf(struct hsrp_vmac *v, uint32_t ifindex,
			 const struct devconf *c, size_t n)
{
	struct nlmsghdr *nlh = link_msg(v, RTM_NEWLINK, NLM_F_ACK, ifindex);
	struct nlattr *spec;

	spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	put_inet_conf(nlh, c, n);
	mnl_attr_nest_end(nlh, spec);
	return nl_talk(v, nlh, NULL, NULL);
}

/* An arp_ignore that answers only for the interface's own addresses. */
static bool arp_ignore_strict(int val)
{
	return val == 1 || val == 2 || val == 8; /* 2, 8: stricter still */
}

/*
 * The lower answers ARP only for its own addresses (arp_ignore) and names
 * only them as sender in its requests (arp_announce 2); the header says
 * why. The kernel applies the larger of "all"'s value and the device's,
 * so raising the device's suffices.
 */
static int lower_arp_set(struct hsrp_vmac *v, const struct link_info *lower,
			 struct up_undo *u)
{
	struct devconf c[2];
	size_t n = 0;
	int ret;

	if (!arp_ignore_strict(lower->arp_ignore))
		c[n++] = (struct devconf){ IPV4_DEVCONF_ARP_IGNORE, 1 };
	if (lower->arp_announce != 2)
		c[n++] = (struct devconf){ IPV4_DEVCONF_ARP_ANNOUNCE, 2 };
	if (!n)
		return 0;
	ret = link_set_conf(v, lower->ifindex, c, n);
	if (ret) {
		nl_log_err(v, lower->name, "setting arp_ignore, arp_announce",
			   ret);
		return ret;
	}
	u->lower = lower->ifindex;
	if (!arp_ignore_strict(lower->arp_ignore))
		u->arp_ignore = lower->arp_ignore;
	if (lower->arp_announce != 2)
		u->arp_announce = lower->arp_announce;
	log_info("hsrp: %s: arp_ignore 1, arp_announce 2 (ARP for a VIP "
		 "answered by its macvlan alone)",
		 lower->name);
	return 0;
}

static void up_undo(struct hsrp_vmac *v, const struct hsrp_vmac_spec *s,
		    const struct up_undo *u)
{
	struct devconf c[2];
	size_t n = 0;

	/*
	 * Best effort: the caller gets the error that made us undo. The
	 * VIP goes with a macvlan we created.
	 */
	if (u->vip_ifindex && u->vip_ifindex != u->created)
		addr_change(v, RTM_DELADDR, u->vip_ifindex, s->vip,
			    spec_plen(s));
	if (u->created)
		link_del(v, u->created);
	if (u->arp_ignore >= 0)
		c[n++] = (struct devconf){ IPV4_DEVCONF_ARP_IGNORE,
					   (uint32_t)u->arp_ignore };
	if (u->arp_announce >= 0)
		c[n++] = (struct devconf){ IPV4_DEVCONF_ARP_ANNOUNCE,
					   (uint32_t)u->arp_announce };
	if (n)
		link_set_conf(v, u->lower, c, n);
}

static int macvlan_create(struct hsrp_vmac *v, const struct hsrp_vmac_spec *s)
{
	struct nlattr *info, *data;
	struct nlmsghdr *nlh;

	nlh = link_msg(v, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
		       0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, s->name);
	mnl_attr_put_u32(nlh, IFLA_LINK, s->lower_ifindex);
	mnl_attr_put(nlh, IFLA_ADDRESS, ETH_ALEN, s->mac);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "macvlan");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/*
	 * Private, as keepalived's: no frames between this macvlan and the
	 * lower's others (another group's virtual MAC), so each group's
	 * traffic goes by the wire, as from a router port of its own.
	 */
	mnl_attr_put_u32(nlh, IFLA_MACVLAN_MODE, MACVLAN_MODE_PRIVATE);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nl_talk(v, nlh, NULL, NULL);
}

/*
 * Marked ours (the kernel ignores an alias given at creation, hence here),
 * and its IPv4 settings: arp_ignore 1, so that it does not answer ARP for
 * the lower's addresses with the virtual MAC; rp_filter 2 (loose), since
 * it has no route (the VIP brings none) and strict mode would drop all
 * that arrives on it; 2 also wins over a strict "all" (the larger counts).
 * With inet6, no IPv6 link-local address either: the macvlan is for an
 * IPv4 VIP, and one from the virtual MAC would move between routers.
 */
static int macvlan_configure(struct hsrp_vmac *v, uint32_t ifindex, bool inet6)
{
	static const struct devconf conf[] = {
		{ IPV4_DEVCONF_ARP_IGNORE, 1 },
		{ IPV4_DEVCONF_RP_FILTER, 2 },
	};
	struct nlattr *spec, *af;
	struct nlmsghdr *nlh;

	nlh = link_msg(v, RTM_NEWLINK, NLM_F_ACK, ifindex);
	mnl_attr_put(nlh, IFLA_IFALIAS, strlen(HSRP_VMAC_ALIAS),
		     HSRP_VMAC_ALIAS);
	spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	put_inet_conf(nlh, conf, sizeof(conf) / sizeof(conf[0]));
	if (inet6) {
		af = mnl_attr_nest_start(nlh, AF_INET6);
		mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE,
				IN6_ADDR_GEN_MODE_NONE);
		mnl_attr_nest_end(nlh, af);
	}
	mnl_attr_nest_end(nlh, spec);
	return nl_talk(v, nlh, NULL, NULL);
}

static int link_set_up(struct hsrp_vmac *v, uint32_t ifindex)
{
	struct nlmsghdr *nlh = link_msg(v, RTM_NEWLINK, NLM_F_ACK, ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nl_talk(v, nlh, NULL, NULL);
}

/* The macvlan as it should be, ours, over the lower; *link gets it. */
static int macvlan_ensure(struct hsrp_vmac *v, const struct hsrp_vmac_spec *s,
			  struct link_info *link, bool *have_vip,
			  struct up_undo *u)
{
	int ret;

	ret = link_get(v, 0, s->name, link);
	if (ret && ret != -ENODEV) {
		nl_log_err(v, s->name, "looking up the macvlan", ret);
		return ret;
	}
	if (!ret && !link_owned(link, s)) {
		log_err("hsrp %s: an interface of that name exists and is "
			"not ours: left alone, not made active",
			s->name);
		return -EEXIST;
	}
	ret = vip_check(v, s, ret ? 0 : link->ifindex, have_vip);
	if (ret)
		return ret;
	if (link->ifindex && link_fits(link, s))
		return 0;
	if (link->ifindex) {
		/* Ours but wrong (another lower, MAC or mode): rebuilt. */
		log_info("hsrp %s: rebuilding the macvlan", s->name);
		ret = link_del(v, link->ifindex);
		if (ret && ret != -ENODEV) {
			nl_log_err(v, s->name, "deleting the macvlan", ret);
			return ret;
		}
		*have_vip = false;
	}
	ret = macvlan_create(v, s);
	if (ret) {
		nl_log_err(v, s->name, "creating the macvlan", ret);
		return ret;
	}
	ret = link_get(v, 0, s->name, link);
	if (ret) {
		nl_log_err(v, s->name, "looking up the new macvlan", ret);
		return ret;
	}
	u->created = link->ifindex;
	return 0;
}

static int up_macvlan(struct hsrp_vmac *v, const struct hsrp_vmac_spec *s,
		      const struct link_info *lower, uint32_t *ifindex)
{
	struct up_undo u = { .arp_ignore = -1, .arp_announce = -1 };
	struct link_info link;
	bool have_vip;
	int ret;

	ret = macvlan_ensure(v, s, &link, &have_vip, &u);
	if (ret)
		goto undo;
	ret = macvlan_configure(v, link.ifindex, true);
	if (ret == -EAFNOSUPPORT) /* no IPv6 here: no link-local either */
		ret = macvlan_configure(v, link.ifindex, false);
	if (ret) {
		nl_log_err(v, s->name, "marking and configuring the macvlan",
			   ret);
		goto undo;
	}
	ret = lower_arp_set(v, lower, &u);
	if (ret)
		goto undo;
	ret = link_set_up(v, link.ifindex);
	if (ret) {
		nl_log_err(v, s->name, "setting the macvlan up", ret);
		goto undo;
	}
	if (!have_vip) {
		ret = addr_change(v, RTM_NEWADDR, link.ifindex, s->vip,
				  spec_plen(s));
		if (ret) {
			nl_log_err(v, s->name, "adding the VIP", ret);
			goto undo;
		}
		u.vip_ifindex = link.ifindex;
	}
	ret = hsrp_garp_send(link.ifindex, s->mac, s->vip);
	if (ret) {
		log_err("hsrp %s: gratuitous ARP: %s", s->name, strerror(-ret));
		goto undo;
	}
	*ifindex = link.ifindex;
	return 0;
undo:
	up_undo(v, s, &u);
	return ret;
}

/* use-bia: the VIP on the lower, answered with the lower's own MAC. */
static int up_bia(struct hsrp_vmac *v, const struct hsrp_vmac_spec *s,
		  const struct link_info *lower, uint32_t *ifindex)
{
	bool have_vip;
	int ret;

	ret = vip_check(v, s, lower->ifindex, &have_vip);
	if (ret)
		return ret;
	if (!have_vip) {
		ret = addr_change(v, RTM_NEWADDR, lower->ifindex, s->vip,
				  spec_plen(s));
		if (ret) {
			nl_log_err(v, lower->name, "adding the VIP", ret);
			return ret;
		}
	}
	ret = hsrp_garp_send(lower->ifindex, lower->mac, s->vip);
	if (ret) {
		log_err("hsrp %s: gratuitous ARP: %s", lower->name,
			strerror(-ret));
		if (!have_vip)
			addr_change(v, RTM_DELADDR, lower->ifindex, s->vip,
				    spec_plen(s));
		return ret;
	}
	*ifindex = lower->ifindex;
	return 0;
}

int hsrp_vmac_up(struct hsrp_vmac *v, const struct hsrp_vmac_spec *s,
		 uint32_t *ifindex)
{
	struct link_info lower;
	int ret;

	ret = spec_check(s);
	if (ret)
		return ret;
	ret = link_get(v, s->lower_ifindex, NULL, &lower);
	if (ret) {
		nl_log_err(v, spec_name(s), "looking up its interface", ret);
		return ret;
	}
	if (s->use_bia)
		return up_bia(v, s, &lower, ifindex);
	return up_macvlan(v, s, &lower, ifindex);
}

int hsrp_vmac_down(struct hsrp_vmac *v, const struct hsrp_vmac_spec *s)
{
	struct link_info link;
	int ret;

	ret = spec_check(s);
	if (ret)
		return ret;
	/* The VIP first: until the macvlan is gone, it must not answer. */
	ret = vip_remove(v, s);
	if (ret < 0 || s->use_bia)
		return ret < 0 ? ret : 0;
	ret = link_get(v, 0, s->name, &link);
	if (ret == -ENODEV)
		return 0;
	if (ret) {
		nl_log_err(v, s->name, "looking up the macvlan", ret);
		return ret;
	}
	if (!link_owned(&link, s)) {
		log_warn("hsrp %s: an interface of that name is not ours: "
			 "left alone",
			 s->name);
		return 0;
	}
	ret = link_del(v, link.ifindex);
	if (ret && ret != -ENODEV) {
		nl_log_err(v, s->name, "deleting the macvlan", ret);
		return ret;
	}
	return 0;
}

static int cleanup_links(struct hsrp_vmac *v)
{
	struct link_dump *d;
	int ret, count = 0;
	size_t i;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	do {
		ret = dump(v, RTM_GETLINK, link_dump_cb, &d->h, d);
		for (i = 0; !ret && i < d->h.n; i++) {
			ret = link_del(v, d->l[i].ifindex);
			if (ret == -ENODEV) {
				ret = 0;
			} else if (ret) {
				nl_log_err(v, d->l[i].name,
					   "deleting a leftover macvlan", ret);
			} else {
				log_info("hsrp %s: leftover macvlan deleted",
					 d->l[i].name);
				count++;
			}
		}
	} while (!ret && d->h.truncated);
	free(d);
	return ret ? ret : count;
}

static int cleanup_addrs(struct hsrp_vmac *v)
{
	char ip[INET_ADDRSTRLEN];
	struct addr_dump *d;
	int ret, count = 0;
	size_t i;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->ours_only = true;
	do {
		ret = dump(v, RTM_GETADDR, addr_dump_cb, &d->h, d);
		for (i = 0; !ret && i < d->h.n; i++) {
			inet_ntop(AF_INET, &d->a[i].local, ip, sizeof(ip));
			ret = addr_change(v, RTM_DELADDR, d->a[i].ifindex,
					  d->a[i].local, d->a[i].plen);
			if (ret == -EADDRNOTAVAIL || ret == -ENODEV) {
				ret = 0;
			} else if (ret) {
				nl_log_err(v, ip, "deleting a leftover VIP",
					   ret);
			} else {
				log_info("hsrp %s: leftover VIP deleted from "
					 "ifindex %u",
					 ip, d->a[i].ifindex);
				count++;
			}
		}
	} while (!ret && d->h.truncated);
	free(d);
	return ret ? ret : count;
}

int hsrp_vmac_cleanup(struct hsrp_vmac *v)
{
	int links, addrs;

	/* Links first: the addresses on them go with them. */
	links = cleanup_links(v);
	if (links < 0)
		return links;
	addrs = cleanup_addrs(v);
	if (addrs < 0)
		return addrs;
	return links + addrs;
}

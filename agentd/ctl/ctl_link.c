// SPDX-License-Identifier: GPL-2.0
/*
 * miphactl kernel link { set | show }, miphactl kernel announce:
 * proxy ARP on home links and gratuitous ARP for home addresses.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "ctl.h"
#include "sort.h"

void link_usage(FILE *f)
{
	fprintf(f,
		"       miphactl kernel link set IFNAME [ proxy-arp { on | off } ]\n"
		"               [ lladdr MAC ] [ announce-rate PER_SECOND ]\n"
		"       miphactl kernel link show [ IFNAME ]\n"
		"       miphactl kernel announce IFNAME [ HOME_ADDR ]\n");
}

static int hex_nibble(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Exactly six colon-separated pairs of hex digits: 02:00:5e:00:01:0a. */
bool parse_mac(const char *s, uint8_t mac[KERNEL_LLADDR_LEN])
{
	int i, hi, lo;

	if (strlen(s) != 3 * KERNEL_LLADDR_LEN - 1)
		return false;
	for (i = 0; i < KERNEL_LLADDR_LEN; i++) {
		const char *p = s + 3 * i;

		hi = hex_nibble(p[0]);
		lo = hex_nibble(p[1]);
		if (hi < 0 || lo < 0)
			return false;
		if (i < KERNEL_LLADDR_LEN - 1 && p[2] != ':')
			return false;
		mac[i] = hi << 4 | lo;
	}
	return true;
}

/* A MAC hosts may put in their ARP cache: not multicast, not all zeros. */
bool mac_is_unicast(const uint8_t mac[KERNEL_LLADDR_LEN])
{
	static const uint8_t zero[KERNEL_LLADDR_LEN];

	return !(mac[0] & 1) && memcmp(mac, zero, KERNEL_LLADDR_LEN);
}

char *fmt_mac(char *buf, size_t len, const uint8_t mac[KERNEL_LLADDR_LEN])
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

/* Arguments of link set, one table entry per keyword. */

struct link_kw {
	const char *name;
	int (*set)(struct ctl *c, struct kernel_link *l, const char *value);
};

static int set_proxy_arp(struct ctl *c, struct kernel_link *l,
			 const char *value)
{
	if (!strcmp(value, "on"))
		l->proxy_arp = true;
	else if (!strcmp(value, "off"))
		l->proxy_arp = false;
	else
		return ctl_fail(c, CTL_USAGE,
				"link set: proxy-arp is on or off, not \"%s\"",
				value);
	l->has_proxy_arp = true;
	return CTL_OK;
}

static int set_lladdr(struct ctl *c, struct kernel_link *l, const char *value)
{
	if (!parse_mac(value, l->lladdr))
		return ctl_fail(c, CTL_USAGE,
				"link set: invalid lladdr \"%.32s\" "
				"(six hex pairs: 02:00:5e:00:01:0a)",
				value);
	if (!mac_is_unicast(l->lladdr))
		return ctl_fail(c, CTL_USAGE,
				"link set: lladdr %s is not a unicast address",
				value);
	l->has_lladdr = true;
	return CTL_OK;
}

_Static_assert(MIPHA_ANNOUNCE_RATE_MAX == 1000000,
	       "update the announce-rate hint");

static int set_rate(struct ctl *c, struct kernel_link *l, const char *value)
{
	if (!parse_u32(value, &l->announce_rate) || !l->announce_rate ||
	    l->announce_rate > MIPHA_ANNOUNCE_RATE_MAX)
		return ctl_fail(c, CTL_USAGE,
				"link set: invalid announce-rate \"%.32s\" "
				"(1..1000000 per second)",
				value);
	l->has_announce_rate = true;
	return CTL_OK;
}

static const struct link_kw link_kws[] = {
	{ "proxy-arp", set_proxy_arp },
	{ "lladdr", set_lladdr },
	{ "announce-rate", set_rate },
};

#define N_LINK_KWS (sizeof(link_kws) / sizeof(link_kws[0]))

static int parse_ifname(struct ctl *c, const char *cmd, const char *name,
			uint32_t *ifindex)
{
	if (!parse_link(name, ifindex))
		return ctl_fail(c, CTL_USAGE, "%s: no such link \"%s\"", cmd,
				name);
	return CTL_OK;
}

int link_parse_set_args(struct ctl *c, int argc, char **argv,
			struct kernel_link *l)
{
	const struct link_kw *kw;
	unsigned int seen = 0, bit;
	size_t k;
	int ret, i;

	memset(l, 0, sizeof(*l));
	if (argc < 1)
		return ctl_fail(c, CTL_USAGE, "link set: IFNAME expected");
	ret = parse_ifname(c, "link set", argv[0], &l->ifindex);
	if (ret)
		return ret;
	for (i = 1; i < argc; i++) {
		kw = NULL;
		for (k = 0; k < N_LINK_KWS && !kw; k++) {
			if (ctl_matches(argv[i], link_kws[k].name))
				kw = &link_kws[k];
		}
		if (!kw)
			return ctl_fail(c, CTL_USAGE,
					"link set: unknown word \"%s\"",
					argv[i]);
		bit = 1U << (kw - link_kws);
		if (seen & bit)
			return ctl_fail(c, CTL_USAGE,
					"link set: \"%s\" given twice",
					kw->name);
		seen |= bit;
		if (++i >= argc)
			return ctl_fail(c, CTL_USAGE,
					"link set: \"%s\" needs a value",
					kw->name);
		ret = kw->set(c, l, argv[i]);
		if (ret)
			return ret;
	}
	if (!seen)
		return ctl_fail(c, CTL_USAGE,
				"link set: nothing to set (proxy-arp, lladdr "
				"or announce-rate)");
	return CTL_OK;
}

/* Output. */

/* One line, in the words of "link set". */
void link_print(struct ctl *c, const struct kernel_link *l)
{
	char name[FMT_ESCAPED_LEN(IF_NAMESIZE)], mac[24];
	FILE *f = c->out;

	fprintf(f, "%s", fmt_link(name, sizeof(name), l->ifindex));
	if (l->has_proxy_arp)
		fprintf(f, " proxy-arp %s", l->proxy_arp ? "on" : "off");
	if (l->has_lladdr)
		fprintf(f, " lladdr %s", fmt_mac(mac, sizeof(mac), l->lladdr));
	if (l->has_announce_rate)
		fprintf(f, " announce-rate %u", l->announce_rate);
	fprintf(f, " arp-replies %llu announcements %llu%s\n",
		(unsigned long long)l->arp_replies,
		(unsigned long long)l->announcements,
		l->announce_pending ? " announcing" : "");
}

json_t *link_json(const struct kernel_link *l)
{
	char name[IF_NAMESIZE], mac[24];
	json_t *o = json_object();

	if (!o)
		return NULL;
	/*
	 * Interface names are bytes, JSON strings UTF-8: jansson refuses a
	 * name that is not valid UTF-8, and it shows as null.
	 */
	if (l->ifindex && if_indextoname(l->ifindex, name))
		json_object_set_new(o, "link",
				    json_string(name) ?: json_null());
	else
		json_object_set_new(o, "link", json_null());
	json_object_set_new(o, "ifindex", json_integer(l->ifindex));
	json_object_set_new(o, "proxy_arp",
			    l->has_proxy_arp ? json_boolean(l->proxy_arp) :
					       json_null());
	json_object_set_new(
		o, "lladdr",
		l->has_lladdr ?
			json_string(fmt_mac(mac, sizeof(mac), l->lladdr)) :
			json_null());
	json_object_set_new(o, "announce_rate",
			    l->has_announce_rate ?
				    json_integer(l->announce_rate) :
				    json_null());
	json_object_set_new(o, "arp_replies",
			    json_integer((json_int_t)l->arp_replies));
	json_object_set_new(o, "announcements",
			    json_integer((json_int_t)l->announcements));
	json_object_set_new(o, "announce_pending",
			    json_boolean(l->announce_pending));
	return o;
}

/* Commands. */

static int do_link_set(struct ctl *c, int argc, char **argv)
{
	struct kernel_link l;
	char what[96], name[FMT_ESCAPED_LEN(IF_NAMESIZE)];
	int ret;

	ret = link_parse_set_args(c, argc, argv, &l);
	if (ret || c->dry_run)
		return ret;
	ret = ctl_kernel(c) ?: ctl_sync(c);
	if (ret)
		return ret;
	ret = kernel_link_set(c->ks, &l);
	if (ret) {
		snprintf(what, sizeof(what), "link set %s",
			 fmt_link(name, sizeof(name), l.ifindex));
		return ctl_kernel_fail(c, what, ret);
	}
	return CTL_OK;
}

/* A dump is collected, then printed sorted by ifindex. */
struct link_list {
	struct kernel_link *v;
	size_t n, cap;
};

static int link_list_add(const struct kernel_link *l, void *data)
{
	struct link_list *ll = data;

	if (ll->n == ll->cap) {
		size_t ncap = ll->cap ? 2 * ll->cap : 16;
		void *nv = realloc(ll->v, ncap * sizeof(*ll->v));

		if (!nv)
			return -ENOMEM;
		ll->v = nv;
		ll->cap = ncap;
	}
	ll->v[ll->n++] = *l;
	return 0;
}

static void link_list_restart(void *data)
{
	((struct link_list *)data)->n = 0;
}

static int link_cmp(const void *x, const void *y)
{
	uint32_t a = ((const struct kernel_link *)x)->ifindex;
	uint32_t b = ((const struct kernel_link *)y)->ifindex;

	return (a > b) - (a < b);
}

void link_list_print(struct ctl *c, struct kernel_link *v, size_t n)
{
	json_t *arr = c->json ? json_array() : NULL;
	size_t i;

	sort_array(v, n, sizeof(*v), link_cmp);
	for (i = 0; i < n; i++) {
		if (arr)
			json_array_append_new(arr, link_json(&v[i]));
		else
			link_print(c, &v[i]);
	}
	if (arr)
		ctl_json_print(c, arr);
}

static int do_link_show(struct ctl *c, int argc, char **argv)
{
	struct link_list ll = {};
	struct kernel_link l;
	uint32_t ifindex = 0;
	char what[64];
	int ret;

	if (argc > 1)
		return ctl_fail(c, CTL_USAGE, "link show: unknown word \"%s\"",
				argv[1]);
	if (argc) {
		ret = parse_ifname(c, "link show", argv[0], &ifindex);
		if (ret)
			return ret;
	}
	if (c->dry_run)
		return CTL_OK;
	ret = ctl_kernel(c) ?: ctl_sync(c);
	if (ret)
		return ret;
	if (ifindex) {
		ret = kernel_link_get(c->ks, ifindex, &l);
		if (ret) {
			snprintf(what, sizeof(what), "link show %s", argv[0]);
			return ctl_kernel_fail(c, what, ret);
		}
		if (c->json)
			ctl_json_print(c, link_json(&l));
		else
			link_print(c, &l);
		return CTL_OK;
	}
	ret = kernel_link_dump(c->ks, link_list_add, link_list_restart, &ll);
	if (ret)
		ret = ctl_kernel_fail(c, "link show", ret);
	else
		link_list_print(c, ll.v, ll.n);
	free(ll.v);
	return ret;
}

static int do_link_help(struct ctl *c, int argc, char **argv)
{
	(void)argc, (void)argv;
	fprintf(c->out, "Usage:\n");
	link_usage(c->out);
	return CTL_OK;
}

static const struct ctl_cmd link_cmds[] = {
	{ "set", do_link_set },	  { "show", do_link_show },
	{ "list", do_link_show }, { "help", do_link_help },
	{ NULL, NULL },
};

int do_link(struct ctl *c, int argc, char **argv)
{
	return ctl_dispatch(c, link_cmds, "kernel link", argc, argv);
}

int announce_parse_args(struct ctl *c, int argc, char **argv, uint32_t *ifindex,
			struct in_addr *home, bool *all)
{
	int ret;

	if (argc < 1)
		return ctl_fail(c, CTL_USAGE, "announce: IFNAME expected");
	if (argc > 2)
		return ctl_fail(c, CTL_USAGE, "announce: unknown word \"%s\"",
				argv[2]);
	ret = parse_ifname(c, "announce", argv[0], ifindex);
	if (ret)
		return ret;
	*all = argc < 2;
	if (!*all && !parse_ipv4(argv[1], home))
		return ctl_fail(c, CTL_USAGE,
				"announce: invalid home address \"%.32s\"",
				argv[1]);
	return CTL_OK;
}

int do_announce(struct ctl *c, int argc, char **argv)
{
	struct in_addr home = {};
	uint32_t ifindex;
	char what[96], addr[INET_ADDRSTRLEN];
	bool all;
	int ret;

	ret = announce_parse_args(c, argc, argv, &ifindex, &home, &all);
	if (ret || c->dry_run)
		return ret;
	ret = ctl_kernel(c) ?: ctl_sync(c);
	if (ret)
		return ret;
	ret = kernel_announce(c->ks, ifindex, all ? NULL : &home);
	if (ret) {
		snprintf(what, sizeof(what), "announce %s%s%s", argv[0],
			 all ? "" : " ", all ? "" : fmt_ipv4(addr, home));
		return ctl_kernel_fail(c, what, ret);
	}
	return CTL_OK;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * vnet: unreachable routes for virtual networks, over rtnetlink (libmnl).
 *
 * The kernel answers route requests synchronously, so a blocking socket
 * costs the event loop no more than the request itself.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "vnet.h"

#define VNET_MAX_ROUTES 4096 /* of ours in a dump; more is not a config */

struct vnet {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
	char buf[8192];
};

int vnet_open(struct vnet **vp)
{
	struct vnet *v;
	int ret;

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
	if (mnl_socket_bind(v->nl, 0, MNL_SOCKET_AUTOPID)) {
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

void vnet_close(struct vnet *v)
{
	if (!v)
		return;
	mnl_socket_close(v->nl);
	free(v);
}

static struct nlmsghdr *route_msg(struct vnet *v, uint16_t type, uint16_t flags,
				  const struct vnet_prefix *p)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(v->buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++v->seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = p->len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = VNET_RTPROT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNREACHABLE;
	mnl_attr_put_u32(nlh, RTA_DST, p->addr.s_addr);
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	return nlh;
}

/* One request, waiting for its ACK. */
static int route_request(struct vnet *v, struct nlmsghdr *nlh)
{
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(v->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(v->nl, v->buf, sizeof(v->buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(v->buf, n, seq, v->portid, NULL, NULL);
	} while (ret == MNL_CB_OK);
	return ret < 0 ? -errno : 0;
}

/* A route of the main table for a prefix, of another protocol than ours. */
struct other_route {
	struct vnet_prefix prefix;
	uint8_t protocol; /* rtm_protocol: RTPROT_STATIC, _BOOT, a daemon's */
};

struct dump_ctx {
	struct vnet_prefix *have; /* our routes (protocol VNET_RTPROT) */
	size_t n;
	const struct vnet_prefix *want; /* other routes: only these prefixes */
	size_t n_want;
	struct other_route *other;
	size_t n_other;
};

static bool prefix_in(const struct vnet_prefix *p,
		      const struct vnet_prefix *set, size_t n);

static int route_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, RTA_MAX) < 0)
		return MNL_CB_OK;
	if ((type == RTA_DST || type == RTA_TABLE) &&
	    mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	tb[type] = a;
	return MNL_CB_OK;
}

static int route_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = { NULL };
	struct dump_ctx *ctx = data;
	uint32_t table = rtm->rtm_table;

	struct vnet_prefix *p;

	if (rtm->rtm_family != AF_INET)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, tb) < 0)
		return MNL_CB_ERROR;
	if (tb[RTA_TABLE])
		table = mnl_attr_get_u32(tb[RTA_TABLE]);
	if (table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	if (rtm->rtm_protocol == VNET_RTPROT) {
		if (ctx->n >= VNET_MAX_ROUTES)
			return MNL_CB_OK;
		p = &ctx->have[ctx->n++];
	} else {
		if (ctx->n_other >= VNET_MAX_ROUTES)
			return MNL_CB_OK;
		ctx->other[ctx->n_other].protocol = rtm->rtm_protocol;
		p = &ctx->other[ctx->n_other].prefix;
	}
	p->len = rtm->rtm_dst_len;
	p->addr.s_addr = tb[RTA_DST] ? mnl_attr_get_u32(tb[RTA_DST]) : 0;
	/* A full routing table must not crowd out the prefixes we need. */
	if (rtm->rtm_protocol != VNET_RTPROT &&
	    prefix_in(p, ctx->want, ctx->n_want))
		ctx->n_other++;
	return MNL_CB_OK;
}

static int route_dump(struct vnet *v, struct dump_ctx *ctx)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(v->buf);
	struct rtmsg *rtm;
	uint32_t seq;
	ssize_t n;
	int ret;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq = ++v->seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	if (mnl_socket_sendto(v->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(v->nl, v->buf, sizeof(v->buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(v->buf, n, seq, v->portid, route_dump_cb, ctx);
	} while (ret == MNL_CB_OK);
	return ret < 0 ? -errno : 0;
}

static bool prefix_eq(const struct vnet_prefix *a, const struct vnet_prefix *b)
{
	return a->len == b->len && a->addr.s_addr == b->addr.s_addr;
}

static bool prefix_in(const struct vnet_prefix *p,
		      const struct vnet_prefix *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (prefix_eq(p, &set[i]))
			return true;
	}
	return false;
}

/* The protocol of another route for p, or -1 if there is none. */
static int other_protocol(const struct vnet_prefix *p,
			  const struct dump_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->n_other; i++) {
		if (prefix_eq(p, &ctx->other[i].prefix))
			return ctx->other[i].protocol;
	}
	return -1;
}

static void prefix_str(const struct vnet_prefix *p, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
}

static void vnet_conflict(const char *name, int proto)
{
	if (proto >= 0)
		log_err("virtual network %s: a route of protocol %d (not ours, "
			"%d) exists for the prefix; left in place, ours not "
			"installed",
			name, proto, VNET_RTPROT);
	else
		log_err("virtual network %s: a route of another protocol "
			"exists for the prefix; left in place, ours not "
			"installed",
			name);
}

int vnet_sync(struct vnet *v, const struct vnet_prefix *p, size_t n,
	      unsigned int *added, unsigned int *removed)
{
	struct dump_ctx ctx = { 0 };
	unsigned int add = 0, del = 0;
	char name[32];
	int ret, proto, first = 0;
	size_t i;

	ctx.want = p;
	ctx.n_want = n;
	ctx.have = calloc(VNET_MAX_ROUTES, sizeof(*ctx.have));
	ctx.other = calloc(VNET_MAX_ROUTES, sizeof(*ctx.other));
	if (!ctx.have || !ctx.other) {
		ret = -ENOMEM;
		goto out;
	}
	ret = route_dump(v, &ctx);
	if (ret)
		goto out;
	for (i = 0; i < ctx.n; i++) {
		if (prefix_in(&ctx.have[i], p, n))
			continue;
		prefix_str(&ctx.have[i], name, sizeof(name));
		ret = route_request(v, route_msg(v, RTM_DELROUTE, 0,
						 &ctx.have[i]));
		if (ret && ret != -ESRCH) {
			log_warn("virtual network %s: removing route: %s", name,
				 strerror(-ret));
			first = first ?: ret;
			continue;
		}
		log_info("virtual network %s: route removed", name);
		del++;
	}
	for (i = 0; i < n; i++) {
		if (prefix_in(&p[i], ctx.have, ctx.n))
			continue;
		prefix_str(&p[i], name, sizeof(name));
		/*
		 * Someone else's route for the prefix (an operator's static
		 * route, a routing daemon's) is theirs: never replace or
		 * shadow it. NLM_F_EXCL closes the race with one added after
		 * the dump (the kernel refuses a second route of the same
		 * prefix and metric).
		 */
		proto = other_protocol(&p[i], &ctx);
		if (proto < 0) {
			ret = route_request(
				v, route_msg(v, RTM_NEWROUTE,
					     NLM_F_CREATE | NLM_F_EXCL, &p[i]));
		} else {
			ret = -EEXIST;
		}
		if (ret == -EEXIST) {
			vnet_conflict(name, proto);
			first = first ?: ret;
			continue;
		}
		if (ret) {
			log_err("virtual network %s: adding route: %s", name,
				strerror(-ret));
			first = first ?: ret;
			continue;
		}
		log_info("virtual network %s: unreachable route installed "
			 "(protocol %d)",
			 name, VNET_RTPROT);
		add++;
	}
	ret = first;
out:
	free(ctx.have);
	free(ctx.other);
	if (added)
		*added = add;
	if (removed)
		*removed = del;
	return ret;
}

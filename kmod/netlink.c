// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "mipha": see uapi/linux/mipha.h for the API.
 *
 * Types, lengths, ranges and flag masks are checked by the policy before
 * a handler runs; the handlers check what a policy cannot (which
 * attributes are required, which addresses make sense, whether a link
 * exists) and name the offending attribute in the extack.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/inetdevice.h>
#include <linux/jiffies.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/mipha.h>

#include "binding_ops.h"
#include "link.h"
#include "netlink.h"

enum mipha_multicast_groups {
	MIPHA_NLGRP_BINDINGS,
	MIPHA_NLGRP_REMOVALS,
	MIPHA_NLGRP_COUNT
};

/*
 * Notifications carry agent cookies (NAI, SPI, replay state): only
 * CAP_NET_ADMIN over the namespace may listen.
 */
static const struct genl_multicast_group mipha_mcgrps[] = {
	[MIPHA_NLGRP_BINDINGS] = { .name = MIPHA_MCGRP_BINDINGS,
				   .flags = GENL_MCAST_CAP_NET_ADMIN },
	[MIPHA_NLGRP_REMOVALS] = { .name = MIPHA_MCGRP_REMOVALS,
				   .flags = GENL_MCAST_CAP_NET_ADMIN },
};

/*
 * May the sender of @skb read agent cookies in @net? Asked in the
 * requester's context: a doit, or a dump's .start (later parts of a dump
 * run in whoever calls recvmsg(), perhaps another task sharing the
 * socket). As netlink_ns_capable(), the socket's opener and the sender
 * both. A sender without the capability is not denied anything (its
 * replies just lack cookies), so its check makes no audit record
 * (ns_capable_noaudit()). The opener's check can: file_ns_capable()
 * asks the LSMs without CAP_OPT_NOAUDIT, so a denial may be audited (as
 * SELinux does), and it has no noaudit variant.
 */
static bool may_read_cookies(const struct sk_buff *skb, struct net *net)
{
	return ns_capable_noaudit(net->user_ns, CAP_NET_ADMIN) &&
	       file_ns_capable(NETLINK_CB(skb).sk->sk_socket->file,
			       net->user_ns, CAP_NET_ADMIN);
}

static struct netlink_range_validation lifetime_range = {
	.min = 1,
	.max = MIPHA_LIFETIME_MAX,
};

static struct netlink_range_validation announce_rate_range = {
	.min = 1,
	.max = MIPHA_ANNOUNCE_RATE_MAX,
};

#define OUTPUT_ONLY { .type = NLA_REJECT, \
		      .reject_message = "attribute is only sent by the kernel" }
#define BULK_ONLY { .type = NLA_REJECT, \
		    .reject_message = "only at the top of BINDING_NEW_BULK" }

static const struct nla_policy mipha_policy[MIPHA_A_MAX + 1] = {
	[MIPHA_A_HOME_ADDR]	= { .type = NLA_BE32 },
	[MIPHA_A_COA]		= { .type = NLA_BE32 },
	[MIPHA_A_HA_ADDR]	= { .type = NLA_BE32 },
	[MIPHA_A_ENCAP]		= NLA_POLICY_RANGE(NLA_U8, MIPHA_ENCAP_IPIP,
						   MIPHA_ENCAP_MAX),
	[MIPHA_A_GRE_KEY]	= { .type = NLA_U32 },
	[MIPHA_A_FLAGS]		= NLA_POLICY_MASK(NLA_U32, MIPHA_F_ALL),
	[MIPHA_A_LINK]		= { .type = NLA_U32 },
	[MIPHA_A_LIFETIME]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&lifetime_range),
	[MIPHA_A_EXPIRES_MS]	= OUTPUT_ONLY,
	/*
	 * Longer: -ERANGE. NLA_POLICY_MAX_LEN() only from 6.2 on; 6.1's
	 * policy dump reports a binary's maximum length only for a range
	 * (NL_POLICY_TYPE_ATTR_MAX_LENGTH), not for NLA_POLICY_MAX().
	 */
	[MIPHA_A_COOKIE]	= NLA_POLICY_RANGE(NLA_BINARY, 0,
						   MIPHA_COOKIE_MAX),
	[MIPHA_A_TX_PACKETS]	= OUTPUT_ONLY,
	[MIPHA_A_TX_BYTES]	= OUTPUT_ONLY,
	[MIPHA_A_RX_PACKETS]	= OUTPUT_ONLY,
	[MIPHA_A_RX_BYTES]	= OUTPUT_ONLY,
	[MIPHA_A_EVENT]		= OUTPUT_ONLY,
	[MIPHA_A_FLUSH_COUNT]	= OUTPUT_ONLY,
	[MIPHA_A_STATS]		= OUTPUT_ONLY,
	[MIPHA_A_PROXY_ARP]	= NLA_POLICY_MAX(NLA_U8, 1),
	[MIPHA_A_LLADDR]	= NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[MIPHA_A_ANNOUNCE_RATE]	= NLA_POLICY_FULL_RANGE(NLA_U32,
							&announce_rate_range),
	[MIPHA_A_ARP_REPLIES]	= OUTPUT_ONLY,
	[MIPHA_A_ANNOUNCEMENTS]	= OUTPUT_ONLY,
	[MIPHA_A_ANNOUNCE_PENDING] = OUTPUT_ONLY,
	[MIPHA_A_MAX_BINDINGS]	= { .type = NLA_U32 },
	[MIPHA_A_BINDINGS]	= BULK_ONLY,
	[MIPHA_A_REPLACE]	= BULK_ONLY,
};

/*
 * BINDING_NEW_BULK. Its entries are validated by the handler, each just
 * before it is installed, not here before any is: an invalid entry must
 * fail where the sender is told it did, after the entries before it.
 */
static const struct nla_policy mipha_bulk_policy[MIPHA_A_MAX + 1] = {
	[MIPHA_A_BINDINGS]	= { .type = NLA_NESTED },
	[MIPHA_A_REPLACE]	= { .type = NLA_FLAG },
};

static struct genl_family mipha_genl_family;

/*
 * NL_REQ_ATTR_CHECK() names the missing attribute (NLMSGERR_ATTR_MISS_TYPE)
 * and the nest it is missing from (NLMSGERR_ATTR_MISS_NEST: an entry of
 * BINDING_NEW_BULK, NULL at the top level); on 6.1 it leaves no text, and
 * every error of ours carries one.
 */
static bool attrs_missing(struct nlattr **attrs, const struct nlattr *nest,
			  int type, struct netlink_ext_ack *extack)
{
	if (!NL_REQ_ATTR_CHECK(extack, nest, attrs, type))
		return false;
	NL_SET_ERR_MSG(extack, "a required attribute is missing");
	return true;
}

static bool attr_missing(struct genl_info *info, int type)
{
	return attrs_missing(info->attrs, NULL, type, info->extack);
}

/* Addresses a binding may hold: unicast, not 0/8, not loopback. */
static bool attr_is_unicast(const struct nlattr *attr)
{
	__be32 addr = nla_get_be32(attr);

	return !ipv4_is_zeronet(addr) && !ipv4_is_loopback(addr) &&
	       !ipv4_is_multicast(addr) && !ipv4_is_lbcast(addr);
}

#define NOT_UNICAST " must be unicast (not 0/8, 127/8, multicast or broadcast)"

static int check_link(struct net *net, struct nlattr **attrs, int ifindex,
		      struct netlink_ext_ack *extack)
{
	bool found;

	if (!ifindex)
		return 0;
	rcu_read_lock();
	found = dev_get_by_index_rcu(net, ifindex);
	rcu_read_unlock();
	if (found)
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attrs[MIPHA_A_LINK],
			    "no such link in this namespace");
	return -ENODEV;
}

static bool encap_is_gre(struct nlattr **attrs)
{
	return attrs[MIPHA_A_ENCAP] &&
	       nla_get_u8(attrs[MIPHA_A_ENCAP]) == MIPHA_ENCAP_GRE;
}

/* @nest: the BINDING_NEW_BULK entry @attrs come from, NULL for BINDING_NEW. */
static int binding_check_attrs(struct net *net, struct nlattr **attrs,
			       const struct nlattr *nest,
			       struct netlink_ext_ack *extack)
{
	if (attrs_missing(attrs, nest, MIPHA_A_HOME_ADDR, extack) ||
	    attrs_missing(attrs, nest, MIPHA_A_COA, extack) ||
	    attrs_missing(attrs, nest, MIPHA_A_HA_ADDR, extack))
		return -EINVAL;
	if (!attr_is_unicast(attrs[MIPHA_A_HOME_ADDR])) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[MIPHA_A_HOME_ADDR],
				    "home address" NOT_UNICAST);
		return -EINVAL;
	}
	if (!attr_is_unicast(attrs[MIPHA_A_COA])) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[MIPHA_A_COA],
				    "care-of address" NOT_UNICAST);
		return -EINVAL;
	}
	if (!attr_is_unicast(attrs[MIPHA_A_HA_ADDR])) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[MIPHA_A_HA_ADDR],
				    "home agent address" NOT_UNICAST);
		return -EINVAL;
	}
	if (attrs[MIPHA_A_GRE_KEY] && !encap_is_gre(attrs)) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[MIPHA_A_GRE_KEY],
				    "a GRE key needs GRE encapsulation");
		return -EINVAL;
	}
	if (attrs[MIPHA_A_LINK])
		return check_link(net, attrs, nla_get_u32(attrs[MIPHA_A_LINK]),
				  extack);
	return 0;
}

/* A new, unpublished binding from BINDING_NEW's attributes, or an ERR_PTR. */
static struct mipha_binding *binding_from_attrs(struct net *net,
						struct nlattr **attrs,
						const struct nlattr *nest,
						struct netlink_ext_ack *extack)
{
	struct mipha_binding *b;
	int err;

	err = binding_check_attrs(net, attrs, nest, extack);
	if (err)
		return ERR_PTR(err);
	b = mipha_binding_alloc(GFP_KERNEL_ACCOUNT);
	if (!b)
		return ERR_PTR(-ENOMEM);
	b->home_addr = nla_get_be32(attrs[MIPHA_A_HOME_ADDR]);
	b->coa = nla_get_be32(attrs[MIPHA_A_COA]);
	b->ha_addr = nla_get_be32(attrs[MIPHA_A_HA_ADDR]);
	b->encap = attrs[MIPHA_A_ENCAP] ? nla_get_u8(attrs[MIPHA_A_ENCAP]) :
					    MIPHA_ENCAP_IPIP;
	if (attrs[MIPHA_A_GRE_KEY]) {
		b->has_gre_key = true;
		b->gre_key = nla_get_u32(attrs[MIPHA_A_GRE_KEY]);
	}
	if (attrs[MIPHA_A_FLAGS])
		b->flags = nla_get_u32(attrs[MIPHA_A_FLAGS]);
	if (attrs[MIPHA_A_LINK])
		b->link = nla_get_u32(attrs[MIPHA_A_LINK]);
	if (attrs[MIPHA_A_LIFETIME])
		b->expires = get_jiffies_64() +
			(u64)nla_get_u32(attrs[MIPHA_A_LIFETIME]) * HZ;
	if (attrs[MIPHA_A_COOKIE]) {
		err = mipha_binding_set_cookie(b, nla_data(attrs[MIPHA_A_COOKIE]),
					       nla_len(attrs[MIPHA_A_COOKIE]),
					       GFP_KERNEL_ACCOUNT);
		if (err) {
			mipha_binding_free(b);
			return ERR_PTR(err);
		}
	}
	return b;
}

static size_t binding_msg_size(const struct mipha_binding *b)
{
	return nla_total_size(4) * 3 +		/* addresses */
	       nla_total_size(1) * 2 +		/* encap, event */
	       nla_total_size(4) * 3 +		/* key, flags, link */
	       nla_total_size_64bit(8) * 5 +	/* expiry, counters */
	       nla_total_size(b->cookie_len);
}

static int binding_put_attrs(struct sk_buff *skb, const struct mipha_binding *b,
			     bool cookie)
{
	const struct mipha_binding_stats *s = &b->stats;
	u64 now = get_jiffies_64();

	if (nla_put_in_addr(skb, MIPHA_A_HOME_ADDR, b->home_addr) ||
	    nla_put_in_addr(skb, MIPHA_A_COA, b->coa) ||
	    nla_put_in_addr(skb, MIPHA_A_HA_ADDR, b->ha_addr) ||
	    nla_put_u8(skb, MIPHA_A_ENCAP, b->encap) ||
	    nla_put_u32(skb, MIPHA_A_FLAGS, b->flags) ||
	    nla_put_u32(skb, MIPHA_A_LINK, b->link))
		return -EMSGSIZE;
	if (b->has_gre_key && nla_put_u32(skb, MIPHA_A_GRE_KEY, b->gre_key))
		return -EMSGSIZE;
	if (b->expires &&
	    nla_put_u64_64bit(skb, MIPHA_A_EXPIRES_MS,
			      time_after64(b->expires, now) ?
			      jiffies64_to_msecs(b->expires - now) : 0,
			      MIPHA_A_PAD))
		return -EMSGSIZE;
	if (cookie && b->cookie_len &&
	    nla_put(skb, MIPHA_A_COOKIE, b->cookie_len, b->cookie))
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, MIPHA_A_TX_PACKETS,
			      atomic64_read(&s->tx_packets), MIPHA_A_PAD) ||
	    nla_put_u64_64bit(skb, MIPHA_A_TX_BYTES,
			      atomic64_read(&s->tx_bytes), MIPHA_A_PAD) ||
	    nla_put_u64_64bit(skb, MIPHA_A_RX_PACKETS,
			      atomic64_read(&s->rx_packets), MIPHA_A_PAD) ||
	    nla_put_u64_64bit(skb, MIPHA_A_RX_BYTES,
			      atomic64_read(&s->rx_bytes), MIPHA_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/*
 * One binding as a message; @event 0 for replies and dumps. The agent
 * cookie only if @cookie: the reader is an admin of the namespace.
 */
static int binding_fill(struct sk_buff *skb, const struct mipha_binding *b,
			u32 portid, u32 seq, int flags, u8 cmd, u8 event,
			bool cookie, struct netlink_callback *cb)
{
	void *hdr = genlmsg_put(skb, portid, seq, &mipha_genl_family, flags,
				cmd);

	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (binding_put_attrs(skb, b, cookie) ||
	    (event && nla_put_u8(skb, MIPHA_A_EVENT, event))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * The groups with listeners that hear of a change: every change goes to
 * "bindings", a removal also to "removals". Asked before a message is
 * built, so that an install nobody listens to costs no notification: the
 * agent follows "removals" only, and would otherwise pay for building,
 * broadcasting and dropping the echo of every binding it installs.
 */
static unsigned long notify_groups(struct mipha_net *mn, bool removal)
{
	unsigned long groups = 0;

	if (genl_has_listeners(&mipha_genl_family, mn->net,
			       MIPHA_NLGRP_BINDINGS))
		__set_bit(MIPHA_NLGRP_BINDINGS, &groups);
	if (removal && genl_has_listeners(&mipha_genl_family, mn->net,
					  MIPHA_NLGRP_REMOVALS))
		__set_bit(MIPHA_NLGRP_REMOVALS, &groups);
	return groups;
}

/* A listener that misses a change must learn it, as rtnetlink does. */
static void notify_lost(struct mipha_net *mn, unsigned long groups)
{
	unsigned int group;

	for_each_set_bit(group, &groups, MIPHA_NLGRP_COUNT)
		genl_set_err(&mipha_genl_family, mn->net, 0, group, -ENOBUFS);
}

/* Sends @skb to each of @groups: a clone to all but the last. */
static void notify(struct mipha_net *mn, struct sk_buff *skb,
		   unsigned long groups)
{
	unsigned int group, last = find_last_bit(&groups, MIPHA_NLGRP_COUNT);
	struct sk_buff *clone;

	for_each_set_bit(group, &groups, last) {
		clone = skb_clone(skb, GFP_KERNEL);
		if (!clone) {
			notify_lost(mn, BIT(group));
			continue;
		}
		genlmsg_multicast_netns(&mipha_genl_family, mn->net, clone, 0,
					group, GFP_KERNEL);
	}
	genlmsg_multicast_netns(&mipha_genl_family, mn->net, skb, 0, last,
				GFP_KERNEL);
}

void mipha_nl_notify_binding(struct mipha_net *mn,
			     const struct mipha_binding *b, u8 event)
{
	bool removal = event != MIPHA_EVENT_ADDED &&
		       event != MIPHA_EVENT_REPLACED;
	u8 cmd = removal ? MIPHA_CMD_BINDING_DEL : MIPHA_CMD_BINDING_NEW;
	unsigned long groups;
	struct sk_buff *skb;

	mipha_assert_locked(mn);
	groups = notify_groups(mn, removal);
	if (!groups)
		return;
	skb = genlmsg_new(binding_msg_size(b), GFP_KERNEL);
	if (!skb || binding_fill(skb, b, 0, 0, 0, cmd, event, true, NULL)) {
		kfree_skb(skb);
		notify_lost(mn, groups);
		return;
	}
	notify(mn, skb, groups);
}

static int flush_fill(struct sk_buff *skb, u32 portid, u32 seq,
		      unsigned int count, u8 event)
{
	void *hdr = genlmsg_put(skb, portid, seq, &mipha_genl_family, 0,
				MIPHA_CMD_BINDING_FLUSH);

	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MIPHA_A_FLUSH_COUNT, count) ||
	    (event && nla_put_u8(skb, MIPHA_A_EVENT, event))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

void mipha_nl_notify_flush(struct mipha_net *mn, unsigned int count)
{
	unsigned long groups;
	struct sk_buff *skb;

	mipha_assert_locked(mn);
	groups = notify_groups(mn, true);
	if (!groups)
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb || flush_fill(skb, 0, 0, count, MIPHA_EVENT_FLUSHED)) {
		kfree_skb(skb);
		notify_lost(mn, groups);
		return;
	}
	notify(mn, skb, groups);
}

/* Installs the binding @attrs describe: BINDING_NEW, or one bulk entry. */
static int binding_install(struct net *net, struct nlattr **attrs,
			   const struct nlattr *nest, bool replace,
			   struct netlink_ext_ack *extack)
{
	struct mipha_net *mn = mipha_net(net);
	struct mipha_binding *b;
	int ret;

	b = binding_from_attrs(net, attrs, nest, extack);
	if (IS_ERR(b))
		return PTR_ERR(b);
	mipha_lock(mn);
	ret = mipha_bindings_set(mn, b, replace, extack);
	mipha_unlock(mn);
	if (ret < 0) {
		NL_SET_BAD_ATTR(extack, attrs[MIPHA_A_HOME_ADDR]);
		mipha_binding_free(b);
		return ret;
	}
	return 0;
}

static int mipha_nl_binding_new_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	return binding_install(genl_info_net(info), info->attrs, NULL,
			       info->nlhdr->nlmsg_flags & NLM_F_REPLACE,
			       info->extack);
}

/*
 * Each entry as one BINDING_NEW, in order, until one fails: the message's
 * cost (command lookup, permission check, attribute table) is paid once
 * for all, which is most of what installing a binding costs besides the
 * binding itself. The failing entry is named in the extack (an attribute
 * inside it, or the entry itself), so the sender knows which entries are
 * installed (those before it) and which were not tried (those after).
 */
static int mipha_nl_binding_new_bulk_doit(struct sk_buff *skb,
					  struct genl_info *info)
{
	bool replace = nla_get_flag(info->attrs[MIPHA_A_REPLACE]);
	struct net *net = genl_info_net(info);
	struct nlattr *tb[MIPHA_A_MAX + 1];
	struct nlattr *entry;
	int rem, ret;

	if (attr_missing(info, MIPHA_A_BINDINGS))
		return -EINVAL;
	/* the list itself must be well formed before any entry is tried */
	nla_for_each_nested(entry, info->attrs[MIPHA_A_BINDINGS], rem)
		;
	/* < 0: the last entry's padding, which nla_next() steps over */
	if (rem > 0) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MIPHA_A_BINDINGS],
				    "trailing bytes after the last entry");
		return -EINVAL;
	}
	nla_for_each_nested(entry, info->attrs[MIPHA_A_BINDINGS], rem) {
		ret = nla_parse_nested(tb, MIPHA_A_MAX, entry, mipha_policy,
				       info->extack);
		if (!ret)
			ret = binding_install(net, tb, entry, replace,
					      info->extack);
		if (ret) {
			if (!info->extack->bad_attr)
				NL_SET_BAD_ATTR(info->extack, entry);
			return ret;
		}
		cond_resched();
	}
	return 0;
}

static int mipha_nl_binding_del_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct mipha_net *mn = mipha_net(genl_info_net(info));
	struct mipha_binding *b;

	if (attr_missing(info, MIPHA_A_HOME_ADDR))
		return -EINVAL;
	mipha_lock(mn);
	b = mipha_table_lookup_locked(&mn->table,
				      nla_get_be32(info->attrs[MIPHA_A_HOME_ADDR]));
	if (b)
		mipha_bindings_remove(mn, b, MIPHA_EVENT_DELETED);
	mipha_unlock(mn);
	if (!b) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MIPHA_A_HOME_ADDR],
				    "no binding for this home address");
		return -ENOENT;
	}
	return 0;
}

static int mipha_nl_binding_get_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	struct mipha_net *mn = mipha_net(genl_info_net(info));
	struct mipha_binding *b;
	struct sk_buff *msg;
	int err = -ENOENT;

	if (attr_missing(info, MIPHA_A_HOME_ADDR))
		return -EINVAL;
	/* Room for the largest binding: filled under RCU, no allocation there. */
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	/* A control-path read: not a data-path hit or miss. */
	rcu_read_lock();
	b = mipha_table_lookup_rcu(&mn->table,
				   nla_get_be32(info->attrs[MIPHA_A_HOME_ADDR]));
	if (b)
		err = binding_fill(msg, b, info->snd_portid, info->snd_seq, 0,
				   MIPHA_CMD_BINDING_GET, 0,
				   may_read_cookies(skb, genl_info_net(info)),
				   NULL);
	rcu_read_unlock();

	if (err) {
		nlmsg_free(msg);
		if (err == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[MIPHA_A_HOME_ADDR],
					    "no binding for this home address");
		return err;
	}
	return genlmsg_reply(msg, info);
}

static bool dump_filter_match(struct nlattr **attrs,
			      const struct mipha_binding *b)
{
	if (attrs[MIPHA_A_LINK] && nla_get_u32(attrs[MIPHA_A_LINK]) != b->link)
		return false;
	if (attrs[MIPHA_A_COA] && nla_get_be32(attrs[MIPHA_A_COA]) != b->coa)
		return false;
	return true;
}

/*
 * Dump state between parts, a struct over cb->ctx (which netlink zeroes
 * when the dump starts; the older cb->args has room for six longs only).
 */
struct binding_dump {
	struct mipha_table_cursor cur;	/* bucket, offset in it */
	__be32 last_key;		/* the key just before that offset */
	u32 last_gen;			/* and its binding's generation */
	unsigned int array_seq;		/* the array the offsets refer to */
	unsigned int inconsistent;	/* inconsistencies seen so far */
	bool cookies;			/* may_read_cookies(), asked at .start */
};

static struct binding_dump *binding_dump(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct binding_dump) > sizeof(cb->ctx));
	return (struct binding_dump *)cb->ctx;
}

static int mipha_nl_binding_get_start(struct netlink_callback *cb)
{
	binding_dump(cb)->cookies = may_read_cookies(cb->skb,
						     sock_net(cb->skb->sk));
	return 0;
}

/*
 * Between two parts of a dump the table may change. A replace changes
 * nothing a cursor depends on, and an insert or removal elsewhere only
 * adds or drops an entry the dump had not reached or had already sent.
 * What can make the dump repeat or skip an entry is a new bucket array
 * (resize, flush) or a change in the bucket the cursor is in; the latter
 * is repaired by finding the last key again (unless it was deleted and
 * added again: then it may sit in an earlier slot of its bucket, and the
 * dump is flagged). Only what cannot be
 * repaired flags the dump NLM_F_DUMP_INTR, so a busy home agent whose
 * bindings renew every second can still dump 500k of them.
 */
static void dump_resume(struct netlink_callback *cb, struct binding_dump *d,
			const struct mipha_table *t,
			const struct mipha_table_instance *ti)
{
	bool started = d->cur.bucket || d->cur.index;
	int pos;

	if (started && d->array_seq != ti->seq) {
		d->inconsistent++;
	} else if (d->cur.index && d->cur.bucket < ti->n_buckets) {
		pos = mipha_table_bucket_pos(t, ti, d->cur.bucket, d->last_key,
					     d->last_gen);
		if (pos < 0)
			d->inconsistent++;
		else
			d->cur.index = pos + 1;
	}
	d->array_seq = ti->seq;
	/* Never 0: netlink takes a zero sequence as "not checked". */
	cb->seq = 1 + d->inconsistent;
}

static int mipha_nl_binding_get_dumpit(struct sk_buff *skb,
				       struct netlink_callback *cb)
{
	struct mipha_net *mn = mipha_net(sock_net(skb->sk));
	struct nlattr **attrs = genl_dumpit_info(cb)->attrs;
	struct binding_dump *d = binding_dump(cb);
	struct mipha_table_instance *ti;
	struct mipha_binding *b;

	rcu_read_lock();
	ti = rcu_dereference(mn->table.ti);
	dump_resume(cb, d, &mn->table, ti);
	while ((b = mipha_table_next(&mn->table, ti, &d->cur))) {
		if (dump_filter_match(attrs, b) &&
		    binding_fill(skb, b, NETLINK_CB(cb->skb).portid,
				 cb->nlh->nlmsg_seq, NLM_F_MULTI,
				 MIPHA_CMD_BINDING_GET, 0, d->cookies, cb)) {
			d->cur.index--;	/* not sent: start there next time */
			break;
		}
		d->last_key = b->home_addr;
		d->last_gen = b->gen;
	}
	rcu_read_unlock();
	return skb->len;
}

static int mipha_nl_binding_flush_doit(struct sk_buff *skb,
				       struct genl_info *info)
{
	struct mipha_net *mn = mipha_net(genl_info_net(info));
	struct sk_buff *msg;
	int count;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	count = mipha_bindings_flush(mn);
	if (count < 0 ||
	    flush_fill(msg, info->snd_portid, info->snd_seq, count, 0)) {
		nlmsg_free(msg);
		return count < 0 ? count : -EMSGSIZE;
	}
	return genlmsg_reply(msg, info);
}

/* Each per-CPU counter and the statistics attribute it goes out as. */
static const u16 counter_attrs[MIPHA_CNT_MAX] = {
	[MIPHA_CNT_LOOKUP_HITS]		= MIPHA_STATS_A_LOOKUP_HITS,
	[MIPHA_CNT_LOOKUP_MISSES]	= MIPHA_STATS_A_LOOKUP_MISSES,
	[MIPHA_CNT_TX_PACKETS]		= MIPHA_STATS_A_TX_PACKETS,
	[MIPHA_CNT_RX_PACKETS]		= MIPHA_STATS_A_RX_PACKETS,
	[MIPHA_CNT_DROP_NO_ROUTE]	= MIPHA_STATS_A_DROP_NO_ROUTE,
	[MIPHA_CNT_DROP_TOO_BIG]	= MIPHA_STATS_A_DROP_TOO_BIG,
	[MIPHA_CNT_DROP_TTL]		= MIPHA_STATS_A_DROP_TTL,
	[MIPHA_CNT_DROP_SPOOF]		= MIPHA_STATS_A_DROP_SPOOF,
	[MIPHA_CNT_DROP_LOOP]		= MIPHA_STATS_A_DROP_LOOP,
	[MIPHA_CNT_DROP_NO_BINDING]	= MIPHA_STATS_A_DROP_NO_BINDING,
	[MIPHA_CNT_DROP_ERROR]		= MIPHA_STATS_A_DROP_ERROR,
	[MIPHA_CNT_ICMP_ERRORS]		= MIPHA_STATS_A_ICMP_ERRORS,
	[MIPHA_CNT_PMTU_UPDATES]	= MIPHA_STATS_A_PMTU_UPDATES,
	[MIPHA_CNT_BROADCASTS]		= MIPHA_STATS_A_BROADCASTS,
	[MIPHA_CNT_ARP_REPLIES]		= MIPHA_STATS_A_ARP_REPLIES,
	[MIPHA_CNT_ANNOUNCEMENTS]	= MIPHA_STATS_A_ANNOUNCEMENTS,
	[MIPHA_CNT_DROP_MARTIAN]	= MIPHA_STATS_A_DROP_MARTIAN,
	[MIPHA_CNT_DROP_RPFILTER]	= MIPHA_STATS_A_DROP_RPFILTER,
	[MIPHA_CNT_DROP_LINK_DOWN]	= MIPHA_STATS_A_DROP_LINK_DOWN,
	[MIPHA_CNT_DROP_BACKLOG]	= MIPHA_STATS_A_DROP_BACKLOG,
};

static int counters_put(struct sk_buff *skb, struct mipha_net *mn)
{
	int c;

	for (c = 0; c < MIPHA_CNT_MAX; c++)
		if (nla_put_u64_64bit(skb, counter_attrs[c],
				      mipha_counter_read(mn, c),
				      MIPHA_STATS_A_PAD))
			return -EMSGSIZE;
	return 0;
}

static int stats_put(struct sk_buff *skb, struct mipha_net *mn)
{
	const struct mipha_table_stats *ts = &mn->stats;
	struct nlattr *nest;

	mipha_assert_locked(mn);
	nest = nla_nest_start(skb, MIPHA_A_STATS);
	if (!nest ||
	    nla_put_u32(skb, MIPHA_STATS_A_BINDINGS, mn->table.count) ||
	    nla_put_u32(skb, MIPHA_STATS_A_BUCKETS,
			mipha_table_buckets(&mn->table)) ||
	    nla_put_u64_64bit(skb, MIPHA_STATS_A_ADDS, ts->adds,
			      MIPHA_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, MIPHA_STATS_A_REPLACES, ts->replaces,
			      MIPHA_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, MIPHA_STATS_A_DELETES, ts->deletes,
			      MIPHA_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, MIPHA_STATS_A_EXPIRIES, ts->expiries,
			      MIPHA_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, MIPHA_STATS_A_FLUSHES, ts->flushes,
			      MIPHA_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, MIPHA_STATS_A_MEMORY,
			      mipha_bindings_memory(mn), MIPHA_STATS_A_PAD) ||
	    nla_put_u32(skb, MIPHA_STATS_A_MAX_BINDINGS, mn->max_bindings) ||
	    counters_put(skb, mn))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int mipha_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mipha_net *mn = mipha_net(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &mipha_genl_family, 0,
				MIPHA_CMD_STATS_GET);
	if (!hdr) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	mipha_lock(mn);
	err = stats_put(msg, mn);
	mipha_unlock(mn);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int link_fill(struct sk_buff *skb, const struct mipha_link *link,
		     u32 portid, u32 seq, int flags, struct netlink_callback *cb)
{
	void *hdr = genlmsg_put(skb, portid, seq, &mipha_genl_family, flags,
				MIPHA_CMD_LINK_GET);

	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, MIPHA_A_LINK, link->ifindex) ||
	    nla_put_u8(skb, MIPHA_A_PROXY_ARP, link->proxy_arp) ||
	    nla_put(skb, MIPHA_A_LLADDR, ETH_ALEN, link->lladdr) ||
	    nla_put_u32(skb, MIPHA_A_ANNOUNCE_RATE, link->announce_rate) ||
	    nla_put_u8(skb, MIPHA_A_ANNOUNCE_PENDING, link->sweeping) ||
	    nla_put_u64_64bit(skb, MIPHA_A_ARP_REPLIES,
			      atomic64_read(&link->arp_replies), MIPHA_A_PAD) ||
	    nla_put_u64_64bit(skb, MIPHA_A_ANNOUNCEMENTS,
			      atomic64_read(&link->announcements),
			      MIPHA_A_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* The device LINK names, held; proxy ARP needs an Ethernet device. */
static struct net_device *link_dev(struct genl_info *info)
{
	struct net_device *dev;

	if (attr_missing(info, MIPHA_A_LINK))
		return ERR_PTR(-EINVAL);
	dev = dev_get_by_index(genl_info_net(info),
			       nla_get_u32(info->attrs[MIPHA_A_LINK]));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MIPHA_A_LINK],
				    "no such link in this namespace");
		return ERR_PTR(-ENODEV);
	}
	if (dev->type != ARPHRD_ETHER) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MIPHA_A_LINK],
				    "proxy ARP needs an Ethernet link");
		dev_put(dev);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return dev;
}

/* Is @dev still in @net's device list (not unlisted for unregister)? */
static bool dev_listed(struct net *net, struct net_device *dev)
{
	bool listed;

	rcu_read_lock();
	listed = dev_get_by_index_rcu(net, dev->ifindex) == dev;
	rcu_read_unlock();
	return listed;
}

static int mipha_nl_link_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mipha_net *mn = mipha_net(genl_info_net(info));
	struct nlattr **attrs = info->attrs;
	const u8 *lladdr = NULL;
	struct mipha_link *link;
	struct net_device *dev;
	bool proxy_arp;
	u32 rate = 0;
	int err = -ENOMEM;

	if (attrs[MIPHA_A_LLADDR]) {
		lladdr = nla_data(attrs[MIPHA_A_LLADDR]);
		if (!is_valid_ether_addr(lladdr)) {
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[MIPHA_A_LLADDR],
					    "link-layer address must be unicast and not zero");
			return -EINVAL;
		}
	}
	if (attrs[MIPHA_A_ANNOUNCE_RATE])
		rate = nla_get_u32(attrs[MIPHA_A_ANNOUNCE_RATE]);
	if (!IS_ENABLED(CONFIG_NETFILTER_FAMILY_ARP) &&
	    attrs[MIPHA_A_PROXY_ARP] && nla_get_u8(attrs[MIPHA_A_PROXY_ARP])) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[MIPHA_A_PROXY_ARP],
				    "this kernel has no ARP netfilter hooks (CONFIG_NETFILTER_FAMILY_ARP)");
		return -EOPNOTSUPP;
	}
	dev = link_dev(info);
	if (IS_ERR(dev))
		return PTR_ERR(dev);

	mipha_lock(mn);
	/*
	 * Our reference may predate the device's unregistration or move to
	 * another namespace: settings made now would outlive it under its
	 * ifindex. Both unlist the device before the NETDEV_UNREGISTER
	 * notifier runs, and the notifier takes our lock: a device still
	 * listed here has its notifier ahead of it, which drops the link.
	 */
	if (!dev_listed(genl_info_net(info), dev)) {
		mipha_unlock(mn);
		dev_put(dev);
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[MIPHA_A_LINK],
				    "the link is going away");
		return -ENODEV;
	}
	link = mipha_link_get_or_create(mn, dev);
	if (link) {
		proxy_arp = attrs[MIPHA_A_PROXY_ARP] ?
			    nla_get_u8(attrs[MIPHA_A_PROXY_ARP]) :
			    link->proxy_arp;
		err = mipha_link_set(link, proxy_arp, lladdr, rate);
	}
	mipha_unlock(mn);
	dev_put(dev);
	return err;
}

static int mipha_nl_link_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mipha_net *mn = mipha_net(genl_info_net(info));
	struct mipha_link *link;
	struct sk_buff *msg;
	int err = -ENOENT;

	if (attr_missing(info, MIPHA_A_LINK))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mipha_lock(mn);
	link = mipha_link_find(mn, nla_get_u32(info->attrs[MIPHA_A_LINK]));
	if (link)
		err = link_fill(msg, link, info->snd_portid, info->snd_seq, 0,
				NULL);
	mipha_unlock(mn);
	if (err) {
		nlmsg_free(msg);
		if (err == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[MIPHA_A_LINK],
					    "no settings for this link");
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* Links are few: the cursor is an index into the list, cb->args[0]. */
static int mipha_nl_link_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	struct mipha_net *mn = mipha_net(sock_net(skb->sk));
	struct mipha_link *link;
	long i = 0;

	mipha_lock(mn);
	cb->seq = mn->links_generation;
	list_for_each_entry(link, &mn->links, list) {
		if (i++ < cb->args[0])
			continue;
		if (link_fill(skb, link, NETLINK_CB(cb->skb).portid,
			      cb->nlh->nlmsg_seq, NLM_F_MULTI, cb)) {
			i--;
			break;
		}
	}
	mipha_unlock(mn);
	cb->args[0] = i;
	return skb->len;
}

static int mipha_nl_announce_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mipha_net *mn = mipha_net(genl_info_net(info));
	struct nlattr *home = info->attrs[MIPHA_A_HOME_ADDR];
	struct mipha_link *link;
	struct net_device *dev;
	int err = -ENOENT;

	dev = link_dev(info);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	mipha_lock(mn);
	link = mipha_link_find(mn, dev->ifindex);
	if (link)
		err = mipha_link_announce(link, home ? nla_get_be32(home) : 0);
	mipha_unlock(mn);
	dev_put(dev);

	if (err == -ENETDOWN || (!link && err == -ENOENT))
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MIPHA_A_LINK],
				    "proxy ARP is off on this link");
	else if (err == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, home,
				    "no binding for this home address on this link");
	return err == -ENETDOWN ? -ENOENT : err;
}

/*
 * The binding limit bounds what a namespace can pin in kernel memory, and
 * any user may own a namespace: its admin may lower the limit, only the
 * initial namespace's may raise it.
 */
static int mipha_nl_config_set_doit(struct sk_buff *skb,
				    struct genl_info *info)
{
	struct mipha_net *mn = mipha_net(genl_info_net(info));
	struct nlattr *attr = info->attrs[MIPHA_A_MAX_BINDINGS];
	int err = 0;
	u32 max;

	if (attr_missing(info, MIPHA_A_MAX_BINDINGS))
		return -EINVAL;
	max = nla_get_u32(attr);
	mipha_lock(mn);
	if (max > mn->max_bindings && !netlink_capable(skb, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "raising the binding limit needs CAP_NET_ADMIN in the initial user namespace");
		err = -EPERM;
	} else {
		mn->max_bindings = max;
	}
	mipha_unlock(mn);
	return err;
}

/* Full ops, not small ones: BINDING_GET's dump has a .start. */
static const struct genl_ops mipha_nl_ops[] = {
	{
		.cmd = MIPHA_CMD_BINDING_NEW,
		.doit = mipha_nl_binding_new_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MIPHA_CMD_BINDING_DEL,
		.doit = mipha_nl_binding_del_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MIPHA_CMD_BINDING_GET,
		.doit = mipha_nl_binding_get_doit,
		.start = mipha_nl_binding_get_start,
		.dumpit = mipha_nl_binding_get_dumpit,
	},
	{
		.cmd = MIPHA_CMD_BINDING_FLUSH,
		.doit = mipha_nl_binding_flush_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MIPHA_CMD_STATS_GET,
		.doit = mipha_nl_stats_get_doit,
	},
	{
		.cmd = MIPHA_CMD_LINK_SET,
		.doit = mipha_nl_link_set_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MIPHA_CMD_LINK_GET,
		.doit = mipha_nl_link_get_doit,
		.dumpit = mipha_nl_link_get_dumpit,
	},
	{
		.cmd = MIPHA_CMD_ANNOUNCE,
		.doit = mipha_nl_announce_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MIPHA_CMD_CONFIG_SET,
		.doit = mipha_nl_config_set_doit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = MIPHA_CMD_BINDING_NEW_BULK,
		.doit = mipha_nl_binding_new_bulk_doit,
		.flags = GENL_UNS_ADMIN_PERM,
		.policy = mipha_bulk_policy,
		.maxattr = MIPHA_A_MAX,
	},
};

static struct genl_family mipha_genl_family __ro_after_init = {
	.name = MIPHA_GENL_NAME,
	.version = MIPHA_GENL_VERSION,
	.maxattr = MIPHA_A_MAX,
	.policy = mipha_policy,
	.netnsok = true,
	/*
	 * Version 1 commands take NLM_F_REPLACE as rtnetlink's do, which the
	 * strict header check of newer generic netlink commands refuses;
	 * commands added later get that check.
	 */
	.resv_start_op = MIPHA_CMD_STATS_GET + 1,
	/* Handlers serialise on the namespace's own lock, not genl_mutex. */
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = mipha_nl_ops,
	.n_ops = ARRAY_SIZE(mipha_nl_ops),
	.mcgrps = mipha_mcgrps,
	.n_mcgrps = ARRAY_SIZE(mipha_mcgrps),
};

int mipha_nl_init(void)
{
	return genl_register_family(&mipha_genl_family);
}

void mipha_nl_exit(void)
{
	genl_unregister_family(&mipha_genl_family);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Home links: proxy ARP for the bound home addresses of a link, and
 * gratuitous ARP announcements, paced so that announcing 500k bindings
 * does not flood the link.
 */
#ifndef _MIPHA_LINK_H
#define _MIPHA_LINK_H

#include <linux/if_ether.h>
#include <linux/netdevice.h>
#include <linux/workqueue.h>

#include "binding.h"
#include "netns.h"

/* What proxy ARP answers with, replaced whole under RCU (never torn). */
struct mipha_link_reply {
	u8 lladdr[ETH_ALEN];
	struct rcu_head rcu;
};

struct mipha_link {
	struct list_head list;		/* mipha_net.links; RCU */
	struct mipha_net *mn;
	int ifindex;
	/* The settings, under the lock. */
	bool proxy_arp;			/* answer ARP for bound addresses */
	u8 lladdr[ETH_ALEN];		/* the MAC we answer and announce with */
	/* For the packet path: lladdr while proxy_arp is on, else NULL. */
	struct mipha_link_reply __rcu *reply;
	u32 announce_rate;		/* gratuitous ARPs per second */
	atomic64_t arp_replies;
	atomic64_t announcements;
	/* Paced announcement of every binding of the link ("sweep"). */
	struct delayed_work sweep_work;
	bool sweeping;
	bool sweep_again;		/* bindings were added behind the cursor */
	struct mipha_table_cursor cursor;
	unsigned int ti_seq;
	/* Token bucket for announcing single new bindings at once. */
	u64 tokens_time;		/* jiffies64 of the last refill */
	u32 tokens;
	struct rcu_head rcu;
};

/* ARP_IN, under rcu_read_lock(): answer for a bound home address. */
void mipha_proxy_arp(struct mipha_net *mn, struct sk_buff *skb,
		     struct net_device *dev);

/* Lock held: @b was just bound; announce it if its link asks for that. */
void mipha_link_binding_added(struct mipha_net *mn,
			      const struct mipha_binding *b);

/* Lock held. */
struct mipha_link *mipha_link_find(struct mipha_net *mn, int ifindex);
/* Lock held: settings for @ifindex, created with defaults if absent. */
struct mipha_link *mipha_link_get_or_create(struct mipha_net *mn,
					    struct net_device *dev);
/* Lock held: applies a change; turning proxy ARP on starts a sweep.
 * -ENOMEM, and nothing changed.
 */
int mipha_link_set(struct mipha_link *link, bool proxy_arp,
		   const u8 *lladdr, u32 rate);
/* Lock held: gratuitous ARP for @home_addr now (0: sweep the link). */
int mipha_link_announce(struct mipha_link *link, __be32 home_addr);

/* Lock not held: forget every link (namespace teardown). */
void mipha_links_destroy(struct mipha_net *mn);

int mipha_link_notifier_init(void);
void mipha_link_notifier_exit(void);

#endif /* _MIPHA_LINK_H */

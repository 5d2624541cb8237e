/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Home link broadcasts (RFC 5944 4.3): the bindings that asked for them
 * (MIPHA_F_BROADCAST), one RCU list per home link, found by the link's
 * ifindex in a small hash of the namespace. A broadcast on a link without
 * such bindings costs that lookup and nothing more.
 *
 * A list lives while it holds a binding: created by the first binding of
 * its link asking for broadcasts, freed (after a grace period) with the
 * last one. It is keyed by ifindex alone and owes nothing to the device or
 * to struct mipha_link: a link's device may go while its bindings stay,
 * and their list with them, until they are removed.
 */
#ifndef _MIPHA_BCAST_H
#define _MIPHA_BCAST_H

#include <linux/hash.h>
#include <linux/rculist.h>
#include <uapi/linux/mipha.h>

#include "binding.h"
#include "netns.h"

struct mipha_bcast_list {
	struct hlist_node node;		/* mipha_net.bcast_lists[]; RCU */
	int ifindex;
	struct hlist_head bindings;	/* mipha_binding.bcast_node; RCU */
	struct rcu_head rcu;
};

/* A binding is on its link's list iff it asked and has a link. */
static inline bool mipha_bcast_listed(const struct mipha_binding *b)
{
	return (b->flags & MIPHA_F_BROADCAST) && b->link > 0;
}

static inline struct hlist_head *mipha_bcast_bucket(struct mipha_net *mn,
						    int ifindex)
{
	return &mn->bcast_lists[hash_32(ifindex, MIPHA_BCAST_HASH_BITS)];
}

/* Under rcu_read_lock(): the list of link @ifindex, NULL if none. */
static inline struct mipha_bcast_list *
mipha_bcast_find_rcu(struct mipha_net *mn, int ifindex)
{
	struct mipha_bcast_list *l;

	hlist_for_each_entry_rcu(l, mipha_bcast_bucket(mn, ifindex), node)
		if (l->ifindex == ifindex)
			return l;
	return NULL;
}

/* Lock held: makes sure @b's list exists if @b is to be listed; -ENOMEM. */
int mipha_bcast_prepare(struct mipha_net *mn, const struct mipha_binding *b);
/* Lock held: lists @b (prepared). */
void mipha_bcast_add(struct mipha_net *mn, struct mipha_binding *b);
/* Lock held: unlists @b (listed); its list stays until mipha_bcast_trim(). */
void mipha_bcast_unlink(struct mipha_binding *b);
/* Lock held: frees the list of link @ifindex if it is empty. */
void mipha_bcast_trim(struct mipha_net *mn, int ifindex);
/*
 * Lock held: forgets every list at once (the table is being flushed and
 * its bindings are freed after a grace period, nodes and all); the lists
 * are freed after a grace period too.
 */
void mipha_bcast_flush(struct mipha_net *mn);
/* Teardown, no reader left: frees every list. */
void mipha_bcast_free(struct mipha_net *mn);

#endif /* _MIPHA_BCAST_H */

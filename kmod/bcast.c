// SPDX-License-Identifier: GPL-2.0
/*
 * Home link broadcast lists: see bcast.h.
 */
#include <linux/slab.h>

#include "bcast.h"

static struct mipha_bcast_list *find_locked(struct mipha_net *mn,
					    int ifindex)
{
	struct mipha_bcast_list *l;

	mipha_assert_locked(mn);
	hlist_for_each_entry(l, mipha_bcast_bucket(mn, ifindex), node)
		if (l->ifindex == ifindex)
			return l;
	return NULL;
}

int mipha_bcast_prepare(struct mipha_net *mn, const struct mipha_binding *b)
{
	struct mipha_bcast_list *l;

	if (!mipha_bcast_listed(b) || find_locked(mn, b->link))
		return 0;
	/* Charged like the bindings: any user can create a namespace. */
	l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);
	if (!l)
		return -ENOMEM;
	l->ifindex = b->link;
	INIT_HLIST_HEAD(&l->bindings);
	hlist_add_head_rcu(&l->node, mipha_bcast_bucket(mn, b->link));
	return 0;
}

void mipha_bcast_add(struct mipha_net *mn, struct mipha_binding *b)
{
	struct mipha_bcast_list *l = find_locked(mn, b->link);

	if (WARN_ON_ONCE(!l))
		return;
	hlist_add_head_rcu(&b->bcast_node, &l->bindings);
}

void mipha_bcast_unlink(struct mipha_binding *b)
{
	hlist_del_rcu(&b->bcast_node);
}

void mipha_bcast_trim(struct mipha_net *mn, int ifindex)
{
	struct mipha_bcast_list *l = find_locked(mn, ifindex);

	if (!l || !hlist_empty(&l->bindings))
		return;
	hlist_del_rcu(&l->node);
	kfree_rcu(l, rcu);
}

void mipha_bcast_flush(struct mipha_net *mn)
{
	struct mipha_bcast_list *l;
	struct hlist_node *next;
	unsigned int i;

	mipha_assert_locked(mn);
	for (i = 0; i < ARRAY_SIZE(mn->bcast_lists); i++) {
		l = hlist_entry_safe(mn->bcast_lists[i].first,
				     struct mipha_bcast_list, node);
		/*
		 * Readers may be on the chain or on a list: neither is
		 * rewritten, only cut off here and freed after them. The
		 * bindings' nodes die with the bindings.
		 */
		WRITE_ONCE(mn->bcast_lists[i].first, NULL);
		for (; l; l = hlist_entry_safe(next, struct mipha_bcast_list,
					       node)) {
			next = l->node.next;
			kfree_rcu(l, rcu);
		}
	}
}

void mipha_bcast_free(struct mipha_net *mn)
{
	struct mipha_bcast_list *l;
	struct hlist_node *next;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mn->bcast_lists); i++) {
		hlist_for_each_entry_safe(l, next, &mn->bcast_lists[i], node)
			kfree(l);
		INIT_HLIST_HEAD(&mn->bcast_lists[i]);
	}
}

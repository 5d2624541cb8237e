// SPDX-License-Identifier: GPL-2.0
/*
 * A namespace's bindings: add, replace, remove, flush, look up.
 */
#include <linux/lockdep.h>
#include <uapi/linux/mipha.h>

#include "bcast.h"
#include "binding_ops.h"
#include "coa.h"
#include "decap.h"
#include "expiry.h"
#include "hooks.h"
#include "link.h"
#include "loops.h"
#include "netlink.h"

int mipha_bindings_set(struct mipha_net *mn, struct mipha_binding *b,
		       bool replace, struct netlink_ext_ack *extack)
{
	struct mipha_binding *old;
	u8 event;
	int err;

	mipha_assert_locked(mn);
	old = mipha_table_lookup_locked(&mn->table, b->home_addr);

	if (old && !replace) {
		NL_SET_ERR_MSG(extack,
			       "home address is already bound (use replace)");
		return -EEXIST;
	}
	if (!old && mn->table.count >= mn->max_bindings) {
		NL_SET_ERR_MSG(extack,
			       "this namespace's binding limit is reached (MIPHA_A_MAX_BINDINGS)");
		return -ENOSPC;
	}
	err = mipha_bcast_prepare(mn, b);
	if (err)
		return err;
	/* Room in the table too: past this point nothing can fail. */
	if (!old) {
		err = mipha_table_reserve(&mn->table, b->home_addr);
		if (err) {
			NL_SET_ERR_MSG(extack, "out of memory for the table");
			goto err_bcast;
		}
	}
	/* The first binding of the namespace brings the fast path up. */
	err = mipha_hooks_enable(mn);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot register netfilter hooks");
		goto err_bcast;
	}
	err = mipha_ha_addr_ref(mn, b->ha_addr, 1);
	if (err)
		goto err_hooks;
	err = mipha_loops_add(mn, b);
	if (err) {
		mipha_ha_addr_ref(mn, b->ha_addr, -1);
		goto err_hooks;
	}

	if (old) {
		mipha_ha_addr_ref(mn, old->ha_addr, -1);
		mipha_binding_copy_stats(b, old);
		mipha_table_replace(&mn->table, old, b);
		mipha_loops_replaced(mn, old, b);
		if (mipha_bcast_listed(old))
			mipha_bcast_unlink(old);
		mn->cookie_bytes -= old->cookie_len;
		mn->stats.replaces++;
		event = MIPHA_EVENT_REPLACED;
	} else {
		mipha_table_insert(&mn->table, b);
		mipha_loops_inserted(mn, b);
		mn->stats.adds++;
		event = MIPHA_EVENT_ADDED;
	}
	if (mipha_bcast_listed(b))
		mipha_bcast_add(mn, b);
	/* Its list goes if the new binding left it. */
	if (old && mipha_bcast_listed(old))
		mipha_bcast_trim(mn, old->link);
	mn->cookie_bytes += b->cookie_len;
	mipha_expiry_note(mn, b->expires);
	mipha_nl_notify_binding(mn, b, event);
	/* Hosts of the home link learn the new address (or its new link). */
	if (!old || old->link != b->link)
		mipha_link_binding_added(mn, b);
	if (old)
		mipha_binding_free_rcu(old);
	return event;

err_hooks:
	if (!mn->table.count)
		mipha_hooks_disable(mn);
err_bcast:
	if (mipha_bcast_listed(b))
		mipha_bcast_trim(mn, b->link);
	return err;
}

void mipha_bindings_remove(struct mipha_net *mn, struct mipha_binding *b,
			   u8 event)
{
	mipha_assert_locked(mn);
	mipha_table_remove(&mn->table, b);
	mipha_loops_removed(mn, b);
	if (mipha_bcast_listed(b)) {
		mipha_bcast_unlink(b);
		mipha_bcast_trim(mn, b->link);
	}
	mipha_ha_addr_ref(mn, b->ha_addr, -1);
	mn->cookie_bytes -= b->cookie_len;
	if (event == MIPHA_EVENT_EXPIRED)
		mn->stats.expiries++;
	else
		mn->stats.deletes++;
	mipha_nl_notify_binding(mn, b, event);
	mipha_binding_free_rcu(b);
	if (!mn->table.count)
		mipha_hooks_disable(mn);
}

int mipha_bindings_flush(struct mipha_net *mn)
{
	struct mipha_table_instance *old;
	unsigned int count;
	unsigned long gp;

	mipha_lock(mn);
	count = mn->table.count;
	old = mipha_table_detach(&mn->table);
	if (!old) {
		mipha_unlock(mn);
		return -ENOMEM;
	}
	gp = get_state_synchronize_rcu();
	/* The detached bindings' list nodes die with them, after readers. */
	mipha_bcast_flush(mn);
	/* Before the care-of address table goes, which the hooks read. */
	mipha_hooks_disable(mn);
	mipha_ha_addrs_reset(mn);
	mipha_loops_reset(mn);
	mn->cookie_bytes = 0;
	mn->stats.flushes++;
	mipha_nl_notify_flush(mn, count);
	mipha_unlock(mn);

	/*
	 * The detached array is ours alone but for readers that found it
	 * before the swap; after a grace period nobody can reach it, and its
	 * bindings are freed at once instead of by one callback each.
	 * Unregistering the hooks waited for one already, if they were on.
	 */
	cond_synchronize_rcu(gp);
	mipha_table_free_instance_bindings(old);
	return count;
}

struct mipha_binding *mipha_fastpath_lookup(struct mipha_net *mn,
					    __be32 home_addr)
{
	struct mipha_binding *b = mipha_table_lookup_rcu(&mn->table, home_addr);

	lockdep_assert_in_softirq();
	mipha_count(mn, b ? MIPHA_CNT_LOOKUP_HITS : MIPHA_CNT_LOOKUP_MISSES);
	return b;
}

u64 mipha_bindings_memory(struct mipha_net *mn)
{
	mipha_assert_locked(mn);
	return (u64)mn->table.count * sizeof(struct mipha_binding) +
	       mn->cookie_bytes + mipha_table_bucket_bytes(&mn->table) +
	       mipha_coa_memory(mn);
}

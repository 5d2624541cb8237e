// SPDX-License-Identifier: GPL-2.0
/*
 * Expiry worker: see expiry.h.
 */
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/sched/mm.h>
#include <uapi/linux/mipha.h>

#include "binding_ops.h"
#include "expiry.h"

/* Buckets scanned per lock hold: up to 2,048 bindings at full load. */
#define EXPIRY_BATCH_BUCKETS	1024

static void expiry_schedule(struct mipha_net *mn, u64 due)
{
	u64 now = get_jiffies_64();

	mn->expiry.due = due;
	mod_delayed_work(system_power_efficient_wq, &mn->expiry.work,
			 due > now ? (unsigned long)(due - now) : 0);
}

void mipha_expiry_note(struct mipha_net *mn, u64 expires)
{
	mipha_assert_locked(mn);
	if (!expires)
		return;
	if (mn->expiry.scanning) {
		/* The scan may have passed this bucket: it will schedule
		 * the next one from scan_min.
		 */
		mn->expiry.scan_min = min(mn->expiry.scan_min, expires);
		return;
	}
	if (!mn->expiry.due || expires < mn->expiry.due)
		expiry_schedule(mn, expires);
}

/* Lock held. Scans one batch; returns true when the scan is complete. */
static bool expiry_scan_batch(struct mipha_net *mn, u64 now)
{
	struct mipha_expiry *e = &mn->expiry;
	struct mipha_table_instance *ti;
	struct mipha_binding *b;
	unsigned int end;

	if (!e->scanning || e->ti_seq != mn->table.ti_seq) {
		/* New scan, or the array was replaced under our cursor. */
		e->scanning = true;
		e->cursor.bucket = 0;
		e->cursor.index = 0;
		e->ti_seq = mn->table.ti_seq;
		e->scan_min = U64_MAX;
	}
	ti = rcu_dereference_protected(mn->table.ti,
				       lockdep_is_held(&mn->lock));
	end = min(e->cursor.bucket + EXPIRY_BATCH_BUCKETS, ti->n_buckets);

	for (;;) {
		b = mipha_table_next(&mn->table, ti, &e->cursor);
		if (!b)
			break;
		if (e->cursor.bucket >= end) {
			/* Batch done: resume at b next time. */
			e->cursor.index--;
			return false;
		}
		if (!b->expires)
			continue;
		if (time_after64(b->expires, now)) {
			e->scan_min = min(e->scan_min, b->expires);
			continue;
		}
		/* Removing b brings the next binding of its bucket to its position. */
		e->cursor.index--;
		mipha_bindings_remove(mn, b, MIPHA_EVENT_EXPIRED);
		/* A shrink replaced the array: start over on the new one. */
		if (e->ti_seq != mn->table.ti_seq)
			return false;
	}
	e->scanning = false;
	return true;
}

static void expiry_work(struct work_struct *work)
{
	struct mipha_net *mn = container_of(to_delayed_work(work),
					    struct mipha_net, expiry.work);
	u64 now = get_jiffies_64();
	struct mem_cgroup *old_memcg;

	mipha_lock(mn);
	/* Removals may shrink the table: charge its new array to its owner. */
	old_memcg = set_active_memcg(mn->memcg);
	mn->expiry.due = 0;
	if (expiry_scan_batch(mn, now)) {
		if (mn->expiry.scan_min != U64_MAX)
			expiry_schedule(mn, mn->expiry.scan_min);
	} else {
		/* More to scan: let writers in, then go on. */
		expiry_schedule(mn, now);
	}
	set_active_memcg(old_memcg);
	mipha_unlock(mn);
}

void mipha_expiry_init(struct mipha_net *mn)
{
	INIT_DELAYED_WORK(&mn->expiry.work, expiry_work);
	mn->expiry.due = 0;
	mn->expiry.scanning = false;
}

void mipha_expiry_stop(struct mipha_net *mn)
{
	/* Only netlink and the work itself queue the work; netlink can no
	 * longer reach a namespace being torn down or a module going away.
	 */
	cancel_delayed_work_sync(&mn->expiry.work);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The operations on a namespace's bindings that netlink and the expiry
 * worker perform: each changes the table, the statistics and the
 * generation together under the namespace lock, and notifies listeners
 * before the lock is dropped, so notifications come in table order.
 */
#ifndef _MIPHA_BINDING_OPS_H
#define _MIPHA_BINDING_OPS_H

#include <linux/netlink.h>

#include "binding.h"
#include "netns.h"

/*
 * Lock held. Installs @b (fully built, unpublished). If its home address
 * is bound: -EEXIST unless @replace, else the old binding is replaced
 * atomically and its counters carry over. Returns MIPHA_EVENT_ADDED or
 * MIPHA_EVENT_REPLACED; on error @b still belongs to the caller.
 */
int mipha_bindings_set(struct mipha_net *mn, struct mipha_binding *b,
		       bool replace, struct netlink_ext_ack *extack);

/* Lock held. Unlinks @b and frees it after a grace period. @event is
 * MIPHA_EVENT_DELETED or MIPHA_EVENT_EXPIRED.
 */
void mipha_bindings_remove(struct mipha_net *mn, struct mipha_binding *b,
			   u8 event);

/* Removes every binding; returns how many, or -ENOMEM. Takes the lock. */
int mipha_bindings_flush(struct mipha_net *mn);

/*
 * The packet path's lookup, under rcu_read_lock() with BHs off: the
 * binding of @home_addr (no reference: valid until the read side ends),
 * counted in the data path's hit and miss statistics. Control paths use
 * mipha_table_lookup_rcu() or _locked(), which count nothing.
 */
struct mipha_binding *mipha_fastpath_lookup(struct mipha_net *mn,
					    __be32 home_addr);

/* Lock held: kernel memory the namespace's table holds, in bytes. */
u64 mipha_bindings_memory(struct mipha_net *mn);

#endif /* _MIPHA_BINDING_OPS_H */

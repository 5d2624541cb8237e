/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Routes to care-of addresses, cached per CPU.
 *
 * ip_tunnel keeps a per-CPU dst_cache per tunnel; a per-CPU cache per
 * binding would cost 500k * nr_cpus entries. Bindings share care-of
 * addresses (a foreign agent serves many mobile nodes), so the namespace
 * keeps one small direct-mapped cache per CPU keyed by (care-of address,
 * source, TOS, protocol), validated with dst_check() on every use as
 * dst_cache does: a route or PMTU change makes the entry stale.
 */
#ifndef _MIPHA_ROUTE_H
#define _MIPHA_ROUTE_H

#include <net/route.h>

#include "binding.h"
#include "netns.h"

/* BHs off. A held route to @b's care-of address, or an ERR_PTR. */
struct rtable *mipha_route_coa(struct mipha_net *mn,
			       const struct mipha_binding *b, u8 tos,
			       struct flowi4 *fl4);

/* Lock held: allocate the cache (first binding of the namespace). */
int mipha_route_cache_init(struct mipha_net *mn);
/* No packet can use the cache any more: drop every cached route. */
void mipha_route_cache_flush(struct mipha_net *mn);
void mipha_route_cache_free(struct mipha_net *mn);

#endif /* _MIPHA_ROUTE_H */

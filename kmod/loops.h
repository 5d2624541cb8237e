/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loop detection without a lookup per packet. A binding loops when its
 * care-of address is itself a bound home address of the same table: its
 * packets, once encapsulated, would be caught and encapsulated again.
 * Checking that per packet costs a table lookup of the care-of address,
 * which at 500,000 bindings is a cache (under TCG: software TLB) miss on
 * every packet, and loops are rare configuration errors. So the namespace
 * keeps, under its lock, how many bindings use each care-of address and
 * how many bindings loop right now (mipha_net.loop_bindings); the packet
 * path looks the care-of address up only while that count is not zero.
 *
 * Every change of the table goes through these, under mn->lock; they also
 * take and drop the bindings' references on their care-of address objects
 * (mipha_binding.coa_obj, coa.h), whose counts are the loop accounting's:
 *	mipha_loops_add()	before a new binding is published (may fail):
 *				sets b->coa_obj
 *	mipha_loops_inserted()	once it is in the table
 *	mipha_loops_replaced()	after a replace (same home address): drops
 *				old's reference
 *	mipha_loops_removed()	after a removal: drops b's reference
 *	mipha_loops_reset()	after a flush, hooks off: drops every object
 */
#ifndef _MIPHA_LOOPS_H
#define _MIPHA_LOOPS_H

#include "binding.h"
#include "netns.h"

void mipha_loops_init(struct mipha_net *mn);

/* Takes a reference on @b's care-of address object (b->coa_obj): -ENOMEM. */
int mipha_loops_add(struct mipha_net *mn, struct mipha_binding *b);
void mipha_loops_inserted(struct mipha_net *mn, const struct mipha_binding *b);
void mipha_loops_replaced(struct mipha_net *mn, const struct mipha_binding *old,
			  const struct mipha_binding *b);
void mipha_loops_removed(struct mipha_net *mn, const struct mipha_binding *b);
void mipha_loops_reset(struct mipha_net *mn);

/* For the packet path: can any binding of the namespace loop? */
static inline bool mipha_loops_possible(const struct mipha_net *mn)
{
	return READ_ONCE(mn->loop_bindings) != 0;
}

#endif /* _MIPHA_LOOPS_H */

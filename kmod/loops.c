// SPDX-License-Identifier: GPL-2.0
/*
 * Loop accounting: see loops.h.
 *
 * With refs(A) the number of bindings whose care-of address is A, and
 * loop_bindings the number of bindings whose care-of address is bound:
 *	insert (H, C):	+= refs(H) (bindings that pointed at H now loop),
 *			refs(C)++, += 1 if C is bound (H included, now)
 *	remove (H, C):	-= 1 if C is bound (H included, still), refs(C)--,
 *			-= refs(H) (bindings pointing at H loop no more)
 *	replace (H, C -> C'): the care-of part of both.
 * refs(A) is the reference count of A's care-of address object (coa.h),
 * which the bindings take and drop here, at the points the accounting
 * needs them. The packet path reads the objects' table under RCU
 * (mipha_coa_in_use()); a flush drops them all once the hooks are
 * gone (after mipha_hooks_disable()).
 */
#include "coa.h"
#include "loops.h"

void mipha_loops_init(struct mipha_net *mn)
{
	mn->loop_bindings = 0;
}

static bool is_bound(struct mipha_net *mn, __be32 addr)
{
	return mipha_table_lookup_locked(&mn->table, addr);
}

static void loops_adjust(struct mipha_net *mn, long delta)
{
	WRITE_ONCE(mn->loop_bindings, mn->loop_bindings + delta);
}

int mipha_loops_add(struct mipha_net *mn, struct mipha_binding *b)
{
	struct mipha_coa *coa;

	mipha_assert_locked(mn);
	coa = mipha_coa_get(mn, b->coa);
	if (IS_ERR(coa))
		return PTR_ERR(coa);
	b->coa_obj = coa;
	return 0;
}

void mipha_loops_inserted(struct mipha_net *mn, const struct mipha_binding *b)
{
	long delta;

	mipha_assert_locked(mn);
	/* Its own reference is in refs(H) only if C == H: counted below. */
	delta = mipha_coa_refs(mn, b->home_addr) - (b->coa == b->home_addr);
	delta += is_bound(mn, b->coa);
	loops_adjust(mn, delta);
}

void mipha_loops_replaced(struct mipha_net *mn, const struct mipha_binding *old,
			  const struct mipha_binding *b)
{
	mipha_assert_locked(mn);
	loops_adjust(mn, (long)is_bound(mn, b->coa) - is_bound(mn, old->coa));
	mipha_coa_put(mn, old->coa_obj);
}

void mipha_loops_removed(struct mipha_net *mn, const struct mipha_binding *b)
{
	long delta;

	mipha_assert_locked(mn);
	/* @b is out of the table: a care-of address equal to its home
	 * address was bound until now.
	 */
	delta = is_bound(mn, b->coa) || b->coa == b->home_addr;
	mipha_coa_put(mn, b->coa_obj);
	delta += mipha_coa_refs(mn, b->home_addr);
	loops_adjust(mn, -delta);
}

void mipha_loops_reset(struct mipha_net *mn)
{
	mipha_assert_locked(mn);
	/* Every reference is gone with the table's bindings. */
	mipha_coa_reset(mn);
	mipha_loops_init(mn);
}

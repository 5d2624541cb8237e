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
 * The references live in an rhashtable changed only under mn->lock. The
 * packet path reads it under RCU (mipha_loops_coa_in_use()), so entries
 * are freed after a grace period, and the whole table only once the hooks
 * are gone (flush: after mipha_hooks_disable(); namespace exit).
 */
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "loops.h"

struct coa_ref {
	struct rhash_head node;
	__be32 coa;
	u32 refs;
	struct rcu_head rcu;
};

static const struct rhashtable_params coa_ref_params = {
	.key_len = sizeof(__be32),
	.key_offset = offsetof(struct coa_ref, coa),
	.head_offset = offsetof(struct coa_ref, node),
	.automatic_shrinking = true,
};

/*
 * The entries are charged to the memory cgroup (mipha_loops_add()); the
 * rhashtable's bucket array cannot be: rhashtable allocates it with
 * GFP_KERNEL, and resizes it from a workqueue, where no task's cgroup
 * is the right one. It holds a pointer per distinct care-of address,
 * bounded by the namespace's binding limit.
 */
int mipha_loops_init(struct mipha_net *mn)
{
	mn->loop_bindings = 0;
	return rhashtable_init(&mn->coa_refs, &coa_ref_params);
}

static void coa_ref_free(void *ptr, void *arg)
{
	kfree(ptr);
}

void mipha_loops_destroy(struct mipha_net *mn)
{
	rhashtable_free_and_destroy(&mn->coa_refs, coa_ref_free, NULL);
}

static struct coa_ref *coa_ref_find(struct mipha_net *mn, __be32 addr)
{
	return rhashtable_lookup_fast(&mn->coa_refs, &addr, coa_ref_params);
}

static u32 refs_of(struct mipha_net *mn, __be32 addr)
{
	struct coa_ref *r = coa_ref_find(mn, addr);

	return r ? r->refs : 0;
}

static bool is_bound(struct mipha_net *mn, __be32 addr)
{
	return mipha_table_lookup_locked(&mn->table, addr);
}

static void loops_adjust(struct mipha_net *mn, long delta)
{
	WRITE_ONCE(mn->loop_bindings, mn->loop_bindings + delta);
}

int mipha_loops_add(struct mipha_net *mn, const struct mipha_binding *b)
{
	struct coa_ref *r;
	int err;

	mipha_assert_locked(mn);
	r = coa_ref_find(mn, b->coa);
	if (r) {
		r->refs++;
		return 0;
	}
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->coa = b->coa;
	r->refs = 1;
	err = rhashtable_insert_fast(&mn->coa_refs, &r->node, coa_ref_params);
	if (err)
		kfree(r);
	return err;
}

static void coa_ref_put(struct mipha_net *mn, __be32 coa)
{
	struct coa_ref *r = coa_ref_find(mn, coa);

	if (WARN_ON_ONCE(!r))
		return;
	if (--r->refs)
		return;
	rhashtable_remove_fast(&mn->coa_refs, &r->node, coa_ref_params);
	kfree_rcu(r, rcu);
}

bool mipha_loops_coa_in_use(struct mipha_net *mn, __be32 addr)
{
	return rhashtable_lookup(&mn->coa_refs, &addr, coa_ref_params);
}

void mipha_loops_inserted(struct mipha_net *mn, const struct mipha_binding *b)
{
	long delta;

	mipha_assert_locked(mn);
	/* Its own reference is in refs(H) only if C == H: counted below. */
	delta = refs_of(mn, b->home_addr) - (b->coa == b->home_addr);
	delta += is_bound(mn, b->coa);
	loops_adjust(mn, delta);
}

void mipha_loops_replaced(struct mipha_net *mn, const struct mipha_binding *old,
			  const struct mipha_binding *b)
{
	mipha_assert_locked(mn);
	loops_adjust(mn, (long)is_bound(mn, b->coa) - is_bound(mn, old->coa));
	coa_ref_put(mn, old->coa);
}

void mipha_loops_removed(struct mipha_net *mn, const struct mipha_binding *b)
{
	long delta;

	mipha_assert_locked(mn);
	/* @b is out of the table: a care-of address equal to its home
	 * address was bound until now.
	 */
	delta = is_bound(mn, b->coa) || b->coa == b->home_addr;
	coa_ref_put(mn, b->coa);
	delta += refs_of(mn, b->home_addr);
	loops_adjust(mn, -delta);
}

void mipha_loops_reset(struct mipha_net *mn)
{
	mipha_assert_locked(mn);
	mipha_loops_destroy(mn);
	/* Cannot fail: with valid parameters rhashtable_init() falls back
	 * to a minimal table allocated with __GFP_NOFAIL.
	 */
	WARN_ON_ONCE(mipha_loops_init(mn));
}

size_t mipha_loops_memory(struct mipha_net *mn)
{
	return atomic_read(&mn->coa_refs.nelems) * sizeof(struct coa_ref);
}

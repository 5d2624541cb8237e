// SPDX-License-Identifier: GPL-2.0
/*
 * Care-of address objects: see coa.h.
 */
#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "coa.h"

/*
 * Their own cache: aligned to the cache line whatever the object's size
 * (coa.h: one line, 64 to a page, without lock debugging), named
 * in /proc/slabinfo (unless merged with a like cache: slab_nomerge), and
 * charged to the memory cgroup of the namespace's writer (a user
 * namespace's owner creates objects through its bindings).
 */
static struct kmem_cache *coa_cache;

#if !defined(CONFIG_DEBUG_SPINLOCK) && !defined(CONFIG_DEBUG_LOCK_ALLOC) && \
	!defined(CONFIG_PREEMPT_RT) && defined(CONFIG_64BIT)
/* A field more would double every object (coa.h). */
static_assert(sizeof(struct mipha_coa) <= SMP_CACHE_BYTES);
#endif

int mipha_coa_cache_init(void)
{
	coa_cache = kmem_cache_create(KBUILD_MODNAME "_coa",
				      sizeof(struct mipha_coa),
				      __alignof__(struct mipha_coa),
				      SLAB_ACCOUNT, NULL);
	return coa_cache ? 0 : -ENOMEM;
}

void mipha_coa_cache_exit(void)
{
	/* Objects freed by call_rcu() must be back before the cache goes. */
	rcu_barrier();
	kmem_cache_destroy(coa_cache);
}

static const struct rhashtable_params coa_params = {
	.key_len = sizeof(__be32),
	.key_offset = offsetof(struct mipha_coa, addr),
	.head_offset = offsetof(struct mipha_coa, node),
	.automatic_shrinking = true,
};

/*
 * The objects are charged to the memory cgroup (their cache's SLAB_ACCOUNT); the
 * rhashtable's bucket array cannot be: rhashtable allocates it with
 * GFP_KERNEL, and resizes it from a workqueue, where no task's cgroup
 * is the right one. It holds a pointer per distinct care-of address,
 * bounded by the namespace's binding limit.
 */
int mipha_coa_init(struct mipha_net *mn)
{
	INIT_LIST_HEAD(&mn->coa_list);
	return rhashtable_init(&mn->coas, &coa_params);
}

static void coa_free(struct mipha_coa *coa)
{
	/* Nobody can read it: the route goes with it. */
	dst_release(coa->dst);
	kmem_cache_free(coa_cache, coa);
}

static void coa_free_rcu(struct rcu_head *head)
{
	coa_free(container_of(head, struct mipha_coa, rcu));
}

static void coa_free_one(void *ptr, void *arg)
{
	coa_free(ptr);
}

void mipha_coa_destroy(struct mipha_net *mn)
{
	rhashtable_free_and_destroy(&mn->coas, coa_free_one, NULL);
}

void mipha_coa_reset(struct mipha_net *mn)
{
	mipha_assert_locked(mn);
	mipha_coa_destroy(mn);
	/* Cannot fail: with valid parameters rhashtable_init() falls back
	 * to a minimal table allocated with __GFP_NOFAIL.
	 */
	WARN_ON_ONCE(mipha_coa_init(mn));
}

void mipha_coa_unlist_all(struct mipha_net *mn)
{
	struct mipha_coa *coa, *tmp;

	mipha_assert_locked(mn);
	/* The objects stay in the table; only the walk forgets them. */
	list_for_each_entry_safe(coa, tmp, &mn->coa_list, list)
		list_del_init(&coa->list);
}

static struct mipha_coa *coa_find(struct mipha_net *mn, __be32 addr)
{
	return rhashtable_lookup_fast(&mn->coas, &addr, coa_params);
}

struct mipha_coa *mipha_coa_get(struct mipha_net *mn, __be32 addr)
{
	struct mipha_coa *coa;
	int err;

	mipha_assert_locked(mn);
	coa = coa_find(mn, addr);
	if (coa) {
		coa->refs++;
		return coa;
	}
	coa = kmem_cache_zalloc(coa_cache, GFP_KERNEL);
	if (!coa)
		return ERR_PTR(-ENOMEM);
	spin_lock_init(&coa->lock);
	seqcount_spinlock_init(&coa->seq, &coa->lock);
	coa->addr = addr;
	coa->refs = 1;
	/* Not where the last object of this address left off (RFC 7739). */
	atomic_set(&coa->ip_id, get_random_u32());
	err = rhashtable_insert_fast(&mn->coas, &coa->node, coa_params);
	if (err) {
		kmem_cache_free(coa_cache, coa);
		return ERR_PTR(err);
	}
	list_add_tail(&coa->list, &mn->coa_list);
	return coa;
}

void mipha_coa_put(struct mipha_net *mn, struct mipha_coa *coa)
{
	mipha_assert_locked(mn);
	if (WARN_ON_ONCE(!coa || !coa->refs) || --coa->refs)
		return;
	rhashtable_remove_fast(&mn->coas, &coa->node, coa_params);
	list_del_init(&coa->list);
	/* Packets holding a binding of it may still use it, or cache a
	 * route on it: released with it, after them.
	 */
	call_rcu(&coa->rcu, coa_free_rcu);
}

u32 mipha_coa_refs(struct mipha_net *mn, __be32 addr)
{
	struct mipha_coa *coa = coa_find(mn, addr);

	return coa ? coa->refs : 0;
}

bool mipha_coa_in_use(struct mipha_net *mn, __be32 addr)
{
	return rhashtable_lookup(&mn->coas, &addr, coa_params);
}

size_t mipha_coa_memory(struct mipha_net *mn)
{
	return atomic_read(&mn->coas.nelems) * sizeof(struct mipha_coa);
}

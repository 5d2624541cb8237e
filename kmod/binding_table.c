// SPDX-License-Identifier: GPL-2.0
/*
 * The binding table: RCU hash table with whole-array swap on resize.
 * See binding_table.h for the locking rules.
 */
#include <linux/bits.h>
#include <linux/jhash.h>
#include <linux/lockdep.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "binding.h"
#include "binding_table.h"

/* Grow above one binding per bucket; shrink below one per four buckets. */
#define TABLE_DEFAULT_MIN_BUCKETS	256
#define TABLE_MAX_BUCKETS		BIT(24)

#define table_deref(t, p) \
	rcu_dereference_protected(p, lockdep_is_held((t)->lock))

static struct mipha_table_instance *instance_alloc(unsigned int n_buckets)
{
	struct mipha_table_instance *ti;
	unsigned int i;

	/* Charged to the memory cgroup of whoever grows the table. */
	ti = kzalloc(sizeof(*ti), GFP_KERNEL_ACCOUNT);
	if (!ti)
		return NULL;
	ti->buckets = kvmalloc_array(n_buckets, sizeof(*ti->buckets),
				     GFP_KERNEL_ACCOUNT);
	if (!ti->buckets) {
		kfree(ti);
		return NULL;
	}
	for (i = 0; i < n_buckets; i++)
		INIT_HLIST_HEAD(&ti->buckets[i]);
	ti->n_buckets = n_buckets;
	ti->hash_seed = get_random_u32();
	return ti;
}

static void table_free_instance(struct mipha_table_instance *ti)
{
	kvfree(ti->buckets);
	kfree(ti);
}

static void instance_free_rcu(struct rcu_head *head)
{
	table_free_instance(container_of(head, struct mipha_table_instance,
					 rcu));
}

static struct hlist_head *bucket(const struct mipha_table_instance *ti,
				 __be32 home_addr)
{
	u32 hash = jhash_1word((__force u32)home_addr, ti->hash_seed);

	return &ti->buckets[hash & (ti->n_buckets - 1)];
}

int mipha_table_init(struct mipha_table *t, struct mutex *lock,
		     unsigned int min_buckets)
{
	struct mipha_table_instance *ti;

	t->min_buckets = min_buckets ?: TABLE_DEFAULT_MIN_BUCKETS;
	ti = instance_alloc(t->min_buckets);
	if (!ti)
		return -ENOMEM;
	t->lock = lock;
	t->count = 0;
	t->ti_seq = 0;
	t->retired_gp = get_state_synchronize_rcu();
	RCU_INIT_POINTER(t->ti, ti);
	return 0;
}

void mipha_table_free_instance_bindings(struct mipha_table_instance *ti)
{
	struct mipha_binding *b;
	struct hlist_node *tmp;
	unsigned int i;

	for (i = 0; i < ti->n_buckets; i++) {
		hlist_for_each_entry_safe(b, tmp, &ti->buckets[i],
					  node[ti->node_ver])
			mipha_binding_free(b);
		/* 500k bindings take a while to free; stay preemptible. */
		if (!(i & 1023))
			cond_resched();
	}
	table_free_instance(ti);
}

void mipha_table_destroy(struct mipha_table *t)
{
	struct mipha_table_instance *ti = rcu_dereference_protected(t->ti, 1);

	RCU_INIT_POINTER(t->ti, NULL);
	t->count = 0;
	mipha_table_free_instance_bindings(ti);
}

struct mipha_binding *mipha_table_lookup_rcu(const struct mipha_table *t,
					     __be32 home_addr)
{
	struct mipha_table_instance *ti = rcu_dereference_check(t->ti,
						lockdep_is_held(t->lock));
	struct mipha_binding *b;

	hlist_for_each_entry_rcu(b, bucket(ti, home_addr), node[ti->node_ver],
				 lockdep_is_held(t->lock)) {
		if (b->home_addr == home_addr)
			return b;
	}
	return NULL;
}

struct mipha_binding *mipha_table_lookup_locked(const struct mipha_table *t,
						__be32 home_addr)
{
	lockdep_assert_held(t->lock);
	return mipha_table_lookup_rcu(t, home_addr);
}

/*
 * Relink every binding into a new array of @n_buckets. The old array's
 * chains are not touched, so readers on it finish their walk; the new
 * chains use the other hlist node of each binding. That node was last
 * used by the array retired before the current one: wait until nobody
 * can still be walking it.
 */
static void table_rehash(struct mipha_table *t, unsigned int n_buckets)
{
	struct mipha_table_instance *old = table_deref(t, t->ti);
	struct mipha_table_instance *new;
	struct mipha_binding *b;
	unsigned int i;

	new = instance_alloc(n_buckets);
	if (!new)
		return;
	new->node_ver = !old->node_ver;
	new->seq = t->ti_seq + 1;
	cond_synchronize_rcu(t->retired_gp);

	for (i = 0; i < old->n_buckets; i++)
		hlist_for_each_entry(b, &old->buckets[i], node[old->node_ver])
			hlist_add_head_rcu(&b->node[new->node_ver],
					   bucket(new, b->home_addr));

	rcu_assign_pointer(t->ti, new);
	t->ti_seq++;
	t->retired_gp = get_state_synchronize_rcu();
	call_rcu(&old->rcu, instance_free_rcu);
}

void mipha_table_insert(struct mipha_table *t, struct mipha_binding *b)
{
	struct mipha_table_instance *ti = table_deref(t, t->ti);

	lockdep_assert_held(t->lock);
	b->gen = ++t->last_gen;
	hlist_add_head_rcu(&b->node[ti->node_ver], bucket(ti, b->home_addr));
	t->count++;
	if (t->count > ti->n_buckets && ti->n_buckets < TABLE_MAX_BUCKETS)
		table_rehash(t, ti->n_buckets * 2);
}

void mipha_table_replace(struct mipha_table *t, struct mipha_binding *old,
			 struct mipha_binding *new)
{
	struct mipha_table_instance *ti = table_deref(t, t->ti);

	lockdep_assert_held(t->lock);
	WARN_ON_ONCE(old->home_addr != new->home_addr);
	/* Same place in the same chain: a dump cursor on @old stays valid. */
	new->gen = old->gen;
	hlist_replace_rcu(&old->node[ti->node_ver], &new->node[ti->node_ver]);
}

void mipha_table_remove(struct mipha_table *t, struct mipha_binding *b)
{
	struct mipha_table_instance *ti = table_deref(t, t->ti);

	lockdep_assert_held(t->lock);
	hlist_del_rcu(&b->node[ti->node_ver]);
	t->count--;
	if (t->count < ti->n_buckets / 4 && ti->n_buckets > t->min_buckets)
		table_rehash(t, ti->n_buckets / 2);
}

struct mipha_table_instance *mipha_table_detach(struct mipha_table *t)
{
	struct mipha_table_instance *old = table_deref(t, t->ti);
	struct mipha_table_instance *empty;

	lockdep_assert_held(t->lock);
	empty = instance_alloc(t->min_buckets);
	if (!empty)
		return NULL;
	empty->seq = t->ti_seq + 1;
	rcu_assign_pointer(t->ti, empty);
	t->ti_seq++;
	t->count = 0;
	/*
	 * The detached bindings are never relinked, so no later rehash
	 * reuses their nodes; the caller's grace period protects readers.
	 */
	return old;
}

struct mipha_binding *mipha_table_next(const struct mipha_table *t,
				       const struct mipha_table_instance *ti,
				       struct mipha_table_cursor *cur)
{
	struct mipha_binding *b;
	unsigned int i;

	for (; cur->bucket < ti->n_buckets; cur->bucket++, cur->index = 0) {
		i = 0;
		hlist_for_each_entry_rcu(b, &ti->buckets[cur->bucket],
					 node[ti->node_ver],
					 lockdep_is_held(t->lock)) {
			if (i++ < cur->index)
				continue;
			cur->index = i;
			return b;
		}
	}
	return NULL;
}

int mipha_table_bucket_pos(const struct mipha_table *t,
			   const struct mipha_table_instance *ti,
			   unsigned int bucket, __be32 home_addr, u32 gen)
{
	struct mipha_binding *b;
	int pos = 0;

	hlist_for_each_entry_rcu(b, &ti->buckets[bucket], node[ti->node_ver],
				 lockdep_is_held(t->lock)) {
		/* Added again, it went to the head of the chain: the
		 * bindings before its old place would be sent twice.
		 */
		if (b->home_addr == home_addr)
			return b->gen == gen ? pos : -ENOENT;
		pos++;
	}
	return -ENOENT;
}

size_t mipha_table_bucket_bytes(const struct mipha_table *t)
{
	const struct mipha_table_instance *ti = table_deref(t, t->ti);

	return sizeof(*ti) + ti->n_buckets * sizeof(*ti->buckets);
}

unsigned int mipha_table_buckets(const struct mipha_table *t)
{
	return table_deref(t, t->ti)->n_buckets;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The binding table: an RCU hash table keyed by home address.
 *
 * Readers (the packet path, dumps) take no lock: rcu_read_lock() and
 * mipha_table_lookup_rcu(). Writers hold the lock the table was initialised
 * with (the namespace's mutex) for every mutation, and every mutator
 * asserts it.
 *
 * Resizing allocates a new bucket array and relinks every binding into it
 * through the second of its two hlist nodes, then publishes the new array
 * with one pointer swap (as Open vSwitch's flow table does). Readers still
 * walking the old array follow the old nodes, which the rehash leaves
 * untouched; before the next rehash reuses those nodes it waits for the
 * grace period that began at the swap.
 */
#ifndef _MIPHA_BINDING_TABLE_H
#define _MIPHA_BINDING_TABLE_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/types.h>

struct mipha_binding;

/* One bucket array. Immutable but for its chains; freed after a grace period. */
struct mipha_table_instance {
	struct hlist_head *buckets;
	unsigned int n_buckets;		/* a power of two */
	unsigned int node_ver;		/* which mipha_binding.node[] chains us */
	unsigned int seq;		/* mipha_table.ti_seq when published */
	u32 hash_seed;
	struct rcu_head rcu;
};

struct mipha_table {
	struct mipha_table_instance __rcu *ti;
	struct mutex *lock;		/* protects every field and all chains */
	unsigned int count;		/* bindings in the table */
	/* Bumped whenever the bucket array is replaced, so that a cursor
	 * kept across lock releases (expiry scan) knows it is stale.
	 */
	unsigned int ti_seq;
	/* Grace-period cookie taken when the last array was retired. */
	unsigned long retired_gp;
	/* Set by the selftest to exercise resizing with a small table. */
	unsigned int min_buckets;
	/* Last mipha_binding.gen given out. */
	u32 last_gen;
};

/* A position in the table for walks that resume: bucket, then chain offset. */
struct mipha_table_cursor {
	unsigned int bucket;
	unsigned int index;
};

int mipha_table_init(struct mipha_table *t, struct mutex *lock,
		     unsigned int min_buckets);
/* Frees every binding; the caller guarantees no reader can see the table. */
void mipha_table_destroy(struct mipha_table *t);

/*
 * The binding of @home_addr, or NULL. No lookup takes a reference: the
 * binding returned is valid while the caller stays in the context it
 * looked up in.
 *
 * _rcu: under rcu_read_lock() (or the table lock); the binding may be
 * replaced or removed meanwhile, and is freed after the read side ends.
 * _locked: the table lock held (asserted); the binding stays in the table
 * until the caller changes it.
 */
struct mipha_binding *mipha_table_lookup_rcu(const struct mipha_table *t,
					     __be32 home_addr);
struct mipha_binding *mipha_table_lookup_locked(const struct mipha_table *t,
						__be32 home_addr);

/* Lock held. @b's home address must not be in the table. Never fails: if
 * growing the bucket array fails, the chains just get longer.
 */
void mipha_table_insert(struct mipha_table *t, struct mipha_binding *b);
/* Lock held. Readers see @old or @new, never neither. */
void mipha_table_replace(struct mipha_table *t, struct mipha_binding *old,
			 struct mipha_binding *new);
/* Lock held. The caller frees @b after a grace period. */
void mipha_table_remove(struct mipha_table *t, struct mipha_binding *b);

/*
 * Lock held. Replaces the bucket array with an empty one and returns the
 * old one, whose bindings now belong to the caller: wait for a grace
 * period, then mipha_table_free_instance_bindings(). NULL if memory ran
 * out (the table is left as it was).
 */
struct mipha_table_instance *mipha_table_detach(struct mipha_table *t);
/* Frees an array that no reader can reach, and every binding on it. */
void mipha_table_free_instance_bindings(struct mipha_table_instance *ti);

/*
 * The binding at @cur or the first one after it in @ti, an array of @t,
 * advancing @cur past it; NULL at the end. Under rcu_read_lock() or the
 * table lock. Bindings
 * added or removed between calls may be seen or missed (callers detect
 * that with a generation counter); none is returned twice unless the
 * table changed.
 */
struct mipha_binding *mipha_table_next(const struct mipha_table *t,
				       const struct mipha_table_instance *ti,
				       struct mipha_table_cursor *cur);

/*
 * Where the binding of @home_addr with generation @gen sits in its chain
 * of @bucket of @ti (an array of @t), or -ENOENT (not there, or deleted
 * and added again since). Under rcu_read_lock() or the table lock.
 */
int mipha_table_bucket_pos(const struct mipha_table *t,
			   const struct mipha_table_instance *ti,
			   unsigned int bucket, __be32 home_addr, u32 gen);

size_t mipha_table_bucket_bytes(const struct mipha_table *t);
unsigned int mipha_table_buckets(const struct mipha_table *t);

#endif /* _MIPHA_BINDING_TABLE_H */

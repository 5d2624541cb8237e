/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The binding table: an RCU hash table keyed by home address.
 *
 * Readers (the packet path, dumps) take no lock: rcu_read_lock() and
 * mipha_table_lookup_rcu(). Writers hold the lock the table was initialised
 * with (the namespace's mutex) for every mutation, and every mutator
 * asserts it.
 *
 * A bucket is one cache line holding up to four {home address, binding}
 * slots, and a pointer to more such lines for the rare bucket that
 * overflows: a lookup that misses reads one line, and one that hits reads
 * that line and the binding's first (binding.h), whatever the number of
 * bindings. A chain of bindings (the hlist this replaced) cost a line per
 * binding walked, each a likely cache miss at 500,000 bindings. The array
 * keeps between an eighth and a half of its slots filled on average: with
 * four slots a bucket, about 5% of buckets overflow at two bindings a
 * bucket (Poisson), 0.4% at one, and its memory is 32 to 128 bytes per
 * binding. A bucket that grows past a few lines all the same (keys chosen
 * to collide, by whoever owns the namespace) makes the table draw a new
 * hash seed: a lookup's cost does not grow with what one user adds.
 *
 * A binding never moves between slots of an array: a removal empties its
 * slot, an insert takes the first empty one, a replace swaps the pointer.
 * A reader compares keys and then checks the binding it found against the
 * key (the slot may have been emptied and reused meanwhile).
 *
 * Resizing builds a new array from the old one and publishes it with one
 * pointer swap; the old one, which readers may still be walking, is freed
 * after a grace period. The bindings themselves are not linked into the
 * array, so both arrays can point at them at once.
 */
#ifndef _MIPHA_BINDING_TABLE_H
#define _MIPHA_BINDING_TABLE_H

#include <linux/cache.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

struct mipha_binding;

/*
 * As many slots as fit in a cache line beside the overflow pointer: 4 on
 * 64-bit machines with 64-byte lines, 10 with 128-byte lines.
 */
#define MIPHA_BUCKET_SLOTS \
	((L1_CACHE_BYTES - sizeof(void *)) / \
	 (sizeof(__be32) + sizeof(void *)))

/* One cache line; an empty slot has a NULL binding (its key is stale). */
struct mipha_bucket {
	__be32 key[MIPHA_BUCKET_SLOTS];
	struct mipha_binding __rcu *binding[MIPHA_BUCKET_SLOTS];
	struct mipha_bucket_more __rcu *more;
} ____cacheline_aligned;

/* An overflow line of a bucket, unlinked and freed once empty. */
struct mipha_bucket_more {
	struct mipha_bucket line;
	/* On its array's list, so that freeing an array walks only these. */
	struct list_head list;
	struct rcu_head rcu;
};

/* One bucket array. Immutable but for its slots; freed after a grace period. */
struct mipha_table_instance {
	struct mipha_bucket *buckets;
	unsigned int n_buckets;		/* a power of two */
	unsigned int n_more;		/* overflow lines, for the memory count */
	struct list_head more_lines;	/* the overflow lines */
	unsigned int seq;		/* mipha_table.ti_seq when published */
	u32 hash_seed;
	struct rcu_head rcu;
};

struct mipha_table {
	struct mipha_table_instance __rcu *ti;
	struct mutex *lock;		/* protects every field and all slots */
	unsigned int count;		/* bindings in the table */
	/* Bumped whenever the bucket array is replaced, so that a cursor
	 * kept across lock releases (expiry scan) knows it is stale.
	 */
	unsigned int ti_seq;
	/* Set by the selftest to exercise resizing with a small table. */
	unsigned int min_buckets;
	/* An overflow line mipha_table_reserve() set aside for the next
	 * insert: a line is published only with a binding in it.
	 */
	struct mipha_bucket_more *spare;
	/* Last mipha_binding.gen given out. */
	u32 last_gen;
};

/*
 * A position in the table for walks that resume: bucket, then how many of
 * its bindings come before (in slot order, overflow lines last), so that
 * removing the binding at the position moves the next one there, as in a
 * chain.
 */
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

/*
 * Lock held: makes sure the next mipha_table_insert() of @home_addr has
 * room (an overflow line, set aside, if its bucket is full). -ENOMEM.
 * Like radix_tree_preload(): the insert that follows, under the same hold
 * of the lock, cannot fail.
 */
int mipha_table_reserve(struct mipha_table *t, __be32 home_addr);
/*
 * Lock held, after mipha_table_reserve() of @b's home address, which must
 * not be in the table. If growing the bucket array fails, buckets just
 * overflow more.
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
 * table lock. Bindings added or removed between calls may be seen or
 * missed (callers detect that with a generation counter); none is
 * returned twice unless the table changed.
 */
struct mipha_binding *mipha_table_next(const struct mipha_table *t,
				       const struct mipha_table_instance *ti,
				       struct mipha_table_cursor *cur);

/*
 * Where the binding of @home_addr with generation @gen sits among the
 * bindings of @bucket of @ti (an array of @t), or -ENOENT (not there, or deleted
 * and added again since). Under rcu_read_lock() or the table lock.
 */
int mipha_table_bucket_pos(const struct mipha_table *t,
			   const struct mipha_table_instance *ti,
			   unsigned int bucket, __be32 home_addr, u32 gen);

size_t mipha_table_bucket_bytes(const struct mipha_table *t);
unsigned int mipha_table_buckets(const struct mipha_table *t);

#endif /* _MIPHA_BINDING_TABLE_H */

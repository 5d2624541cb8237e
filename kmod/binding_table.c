// SPDX-License-Identifier: GPL-2.0
/*
 * The binding table: RCU hash table of one-line buckets with whole-array
 * swap on resize. See binding_table.h for the layout and locking rules.
 */
#include <linux/bits.h>
#include <linux/jhash.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "binding.h"
#include "binding_table.h"

/*
 * Grow above half the slots filled on average (two bindings a bucket of
 * four), shrink below an eighth: a factor of two either way after a
 * resize before the next, so that churn around a threshold does not
 * rebuild the array again and again.
 */
#define TABLE_DEFAULT_MIN_BUCKETS	64
#define TABLE_MAX_BUCKETS		BIT(24)
#define TABLE_GROW_LOAD			(MIPHA_BUCKET_SLOTS / 2)
/* Lines of one bucket past which the hash is drawn again (see the .h). */
#define TABLE_MAX_LINES			4

static_assert(sizeof(struct mipha_bucket) == L1_CACHE_BYTES);

#define table_deref(t, p) \
	rcu_dereference_protected(p, lockdep_is_held((t)->lock))

/* A slot of a bucket line, seen by the table's writer. */
#define slot_binding(t, line, i) table_deref(t, (line)->binding[i])
/* A slot of a bucket line, seen by a reader or the writer. */
#define slot_read(t, line, i) \
	rcu_dereference_check((line)->binding[i], lockdep_is_held((t)->lock))

static struct mipha_table_instance *instance_alloc(unsigned int n_buckets)
{
	struct mipha_table_instance *ti;

	/*
	 * Charged to the memory cgroup of whoever grows the table, or of the
	 * namespace's creator when the expiry worker shrinks it (expiry.c).
	 */
	ti = kzalloc(sizeof(*ti), GFP_KERNEL_ACCOUNT);
	if (!ti)
		return NULL;
	/*
	 * A power of two of lines: kmalloc aligns such sizes naturally, and
	 * vmalloc to a page, so every bucket is one cache line.
	 */
	ti->buckets = kvcalloc(n_buckets, sizeof(*ti->buckets),
			       GFP_KERNEL_ACCOUNT);
	if (!ti->buckets) {
		kfree(ti);
		return NULL;
	}
	ti->n_buckets = n_buckets;
	INIT_LIST_HEAD(&ti->more_lines);
	ti->hash_seed = get_random_u32();
	return ti;
}

/* Frees the array and its overflow lines, not the bindings. */
static void table_free_instance(struct mipha_table_instance *ti)
{
	struct mipha_bucket_more *more, *next;

	list_for_each_entry_safe(more, next, &ti->more_lines, list)
		kfree(more);
	kvfree(ti->buckets);
	kfree(ti);
}

static void instance_free_rcu(struct rcu_head *head)
{
	table_free_instance(container_of(head, struct mipha_table_instance,
					 rcu));
}

static struct mipha_bucket *bucket(const struct mipha_table_instance *ti,
				   __be32 home_addr)
{
	u32 hash = jhash_1word((__force u32)home_addr, ti->hash_seed);

	return &ti->buckets[hash & (ti->n_buckets - 1)];
}

static struct mipha_bucket *more_line(struct mipha_bucket_more *more)
{
	return more ? &more->line : NULL;
}

/* The next line of a bucket of @t: readers under RCU, or the writer. */
#define line_next(t, line) \
	more_line(rcu_dereference_check((line)->more, \
					lockdep_is_held((t)->lock)))
/* The same, of an array nobody else can reach any more. */
#define line_next_owned(line) \
	more_line(rcu_dereference_protected((line)->more, true))

int mipha_table_init(struct mipha_table *t, struct mutex *lock,
		     unsigned int min_buckets)
{
	struct mipha_table_instance *ti;

	t->min_buckets = min_buckets ?: TABLE_DEFAULT_MIN_BUCKETS;
	if (WARN_ON_ONCE(!is_power_of_2(t->min_buckets)))
		return -EINVAL;
	ti = instance_alloc(t->min_buckets);
	if (!ti)
		return -ENOMEM;
	t->lock = lock;
	t->count = 0;
	t->ti_seq = 0;
	t->spare = NULL;
	RCU_INIT_POINTER(t->ti, ti);
	return 0;
}

void mipha_table_free_instance_bindings(struct mipha_table_instance *ti)
{
	const struct mipha_bucket *line;
	struct mipha_binding *b;
	unsigned int i, s;

	for (i = 0; i < ti->n_buckets; i++) {
		for (line = &ti->buckets[i]; line; line = line_next_owned(line)) {
			for (s = 0; s < MIPHA_BUCKET_SLOTS; s++) {
				b = rcu_dereference_protected(line->binding[s],
							      true);
				mipha_binding_free(b);
			}
		}
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
	kfree(t->spare);
	t->spare = NULL;
	mipha_table_free_instance_bindings(ti);
}

/*
 * The one loop of the packet path: the keys of a line are compared first
 * (a miss reads nothing else), and a match is checked against the binding
 * it points to, since a writer may have emptied and refilled that slot.
 */
struct mipha_binding *mipha_table_lookup_rcu(const struct mipha_table *t,
					     __be32 home_addr)
{
	struct mipha_table_instance *ti = rcu_dereference_check(t->ti,
						lockdep_is_held(t->lock));
	const struct mipha_bucket *line = bucket(ti, home_addr);
	struct mipha_binding *b;
	unsigned int s;

	do {
		for (s = 0; s < MIPHA_BUCKET_SLOTS; s++) {
			if (READ_ONCE(line->key[s]) != home_addr)
				continue;
			b = slot_read(t, line, s);
			if (b && b->home_addr == home_addr)
				return b;
		}
		line = line_next(t, line);
	} while (unlikely(line));
	return NULL;
}

struct mipha_binding *mipha_table_lookup_locked(const struct mipha_table *t,
						__be32 home_addr)
{
	lockdep_assert_held(t->lock);
	return mipha_table_lookup_rcu(t, home_addr);
}

/*
 * The first empty slot of @home_addr's bucket in @ti, or -ENOSPC; @linep
 * is its line, or the bucket's last line when full; @lines counts them.
 */
static int free_slot(const struct mipha_table *t,
		     const struct mipha_table_instance *ti, __be32 home_addr,
		     struct mipha_bucket **linep, unsigned int *lines)
{
	struct mipha_bucket *line = bucket(ti, home_addr);
	unsigned int s, n = 0;

	for (;;) {
		n++;
		for (s = 0; s < MIPHA_BUCKET_SLOTS; s++)
			if (!slot_binding(t, line, s)) {
				*linep = line;
				*lines = n;
				return s;
			}
		if (!line_next(t, line))
			break;
		line = line_next(t, line);
	}
	*linep = line;
	*lines = n;
	return -ENOSPC;
}

/*
 * Publishes @b in @ti at its first empty slot, after linking @more (a new
 * empty line) at the end of a full bucket; returns the lines of the
 * bucket. A reader sees the line only once the binding is in it.
 */
static unsigned int slot_fill(const struct mipha_table *t,
			      struct mipha_table_instance *ti, __be32 key,
			      struct mipha_binding *b,
			      struct mipha_bucket_more **more)
{
	struct mipha_bucket *line, *last;
	unsigned int lines;
	int s = free_slot(t, ti, key, &line, &lines);

	last = line;
	if (s < 0) {
		/* Only a caller that did not reserve: never lose @b. */
		if (WARN_ON_ONCE(!*more))
			*more = kzalloc(sizeof(**more),
					GFP_KERNEL_ACCOUNT | __GFP_NOFAIL);
		line = &(*more)->line;
		s = 0;
	}
	WRITE_ONCE(line->key[s], key);
	/* The key and @b's fields before the pointer that reaches them. */
	rcu_assign_pointer(line->binding[s], b);
	if (line != last) {
		list_add(&(*more)->list, &ti->more_lines);
		ti->n_more++;
		rcu_assign_pointer(last->more, *more);
		*more = NULL;
		lines++;
	}
	return lines;
}

int mipha_table_reserve(struct mipha_table *t, __be32 home_addr)
{
	struct mipha_bucket *line;
	unsigned int lines;

	lockdep_assert_held(t->lock);
	if (t->spare ||
	    free_slot(t, table_deref(t, t->ti), home_addr, &line, &lines) >= 0)
		return 0;
	t->spare = kzalloc(sizeof(*t->spare), GFP_KERNEL_ACCOUNT);
	return t->spare ? 0 : -ENOMEM;
}

/*
 * Builds a new array of @n_buckets with a new hash seed, holding every
 * binding of the current one, and publishes it; the old one goes after a
 * grace period. The bindings are shared by both meanwhile: nothing of
 * theirs changes. If memory runs out the table stays as it was.
 */
static void table_rehash(struct mipha_table *t, unsigned int n_buckets)
{
	struct mipha_table_instance *old = table_deref(t, t->ti);
	struct mipha_bucket_more *more = NULL;
	const struct mipha_bucket *line;
	struct mipha_table_instance *new;
	struct mipha_binding *b;
	unsigned int i, s;

	new = instance_alloc(n_buckets);
	if (!new)
		return;
	new->seq = t->ti_seq + 1;
	for (i = 0; i < old->n_buckets; i++) {
		for (line = &old->buckets[i]; line; line = line_next(t, line)) {
			for (s = 0; s < MIPHA_BUCKET_SLOTS; s++) {
				b = slot_binding(t, line, s);
				if (!b)
					continue;
				/* A line at hand in case the bucket is full. */
				if (!more)
					more = kzalloc(sizeof(*more),
						       GFP_KERNEL_ACCOUNT);
				if (!more)
					goto fail;
				slot_fill(t, new, line->key[s], b, &more);
			}
		}
	}
	kfree(more);
	rcu_assign_pointer(t->ti, new);
	t->ti_seq++;
	call_rcu(&old->rcu, instance_free_rcu);
	return;
fail:
	/* Never published: no reader can be on it. */
	table_free_instance(new);
}

void mipha_table_insert(struct mipha_table *t, struct mipha_binding *b)
{
	struct mipha_table_instance *ti = table_deref(t, t->ti);
	unsigned int lines;

	lockdep_assert_held(t->lock);
	b->gen = ++t->last_gen;
	lines = slot_fill(t, ti, b->home_addr, b, &t->spare);
	t->count++;
	if (t->count > TABLE_GROW_LOAD * ti->n_buckets &&
	    ti->n_buckets < TABLE_MAX_BUCKETS)
		table_rehash(t, ti->n_buckets * 2);
	else if (lines > TABLE_MAX_LINES)
		table_rehash(t, ti->n_buckets);
}

/*
 * The line and slot of @b in the current array, and the line before
 * that line (NULL for the bucket's own), or -ENOENT.
 */
static int find_slot(const struct mipha_table *t, const struct mipha_binding *b,
		     struct mipha_bucket **linep, struct mipha_bucket **prevp)
{
	struct mipha_table_instance *ti = table_deref(t, t->ti);
	struct mipha_bucket *line, *prev = NULL;
	unsigned int s;

	for (line = bucket(ti, b->home_addr); line;
	     prev = line, line = line_next(t, line))
		for (s = 0; s < MIPHA_BUCKET_SLOTS; s++)
			if (slot_binding(t, line, s) == b) {
				*linep = line;
				if (prevp)
					*prevp = prev;
				return s;
			}
	return -ENOENT;
}

void mipha_table_replace(struct mipha_table *t, struct mipha_binding *old,
			 struct mipha_binding *new)
{
	struct mipha_bucket *line;
	int s;

	lockdep_assert_held(t->lock);
	WARN_ON_ONCE(old->home_addr != new->home_addr);
	s = find_slot(t, old, &line, NULL);
	if (WARN_ON_ONCE(s < 0))
		return;
	/* Same slot: a dump cursor on @old stays valid. */
	new->gen = old->gen;
	rcu_assign_pointer(line->binding[s], new);
}

static bool line_empty(const struct mipha_table *t,
		       const struct mipha_bucket *line)
{
	unsigned int s;

	for (s = 0; s < MIPHA_BUCKET_SLOTS; s++)
		if (slot_binding(t, line, s))
			return false;
	return true;
}

void mipha_table_remove(struct mipha_table *t, struct mipha_binding *b)
{
	struct mipha_table_instance *ti = table_deref(t, t->ti);
	struct mipha_bucket *line, *prev;
	struct mipha_bucket_more *more;
	int s;

	lockdep_assert_held(t->lock);
	s = find_slot(t, b, &line, &prev);
	if (WARN_ON_ONCE(s < 0))
		return;
	RCU_INIT_POINTER(line->binding[s], NULL);
	WRITE_ONCE(line->key[s], 0);
	/*
	 * An empty overflow line goes: readers on it follow its next
	 * pointer, which stays, until the grace period ends.
	 */
	if (prev && line_empty(t, line)) {
		more = container_of(line, struct mipha_bucket_more, line);
		rcu_assign_pointer(prev->more, table_deref(t, line->more));
		list_del(&more->list);
		ti->n_more--;
		kfree_rcu(more, rcu);
	}
	t->count--;
	if (t->count < ti->n_buckets * MIPHA_BUCKET_SLOTS / 8 &&
	    ti->n_buckets > t->min_buckets)
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
	/* The caller's grace period protects readers of the old array. */
	return old;
}

struct mipha_binding *mipha_table_next(const struct mipha_table *t,
				       const struct mipha_table_instance *ti,
				       struct mipha_table_cursor *cur)
{
	const struct mipha_bucket *line;
	struct mipha_binding *b;
	unsigned int i, s;

	for (; cur->bucket < ti->n_buckets; cur->bucket++, cur->index = 0) {
		i = 0;
		for (line = &ti->buckets[cur->bucket]; line;
		     line = line_next(t, line)) {
			for (s = 0; s < MIPHA_BUCKET_SLOTS; s++) {
				b = slot_read(t, line, s);
				if (!b || i++ < cur->index)
					continue;
				cur->index = i;
				return b;
			}
		}
	}
	return NULL;
}

int mipha_table_bucket_pos(const struct mipha_table *t,
			   const struct mipha_table_instance *ti,
			   unsigned int bucket, __be32 home_addr, u32 gen)
{
	const struct mipha_bucket *line;
	struct mipha_binding *b;
	unsigned int s;
	int pos = 0;

	for (line = &ti->buckets[bucket]; line; line = line_next(t, line)) {
		for (s = 0; s < MIPHA_BUCKET_SLOTS; s++) {
			b = slot_read(t, line, s);
			if (!b)
				continue;
			/* Added again, it may sit in an earlier slot: the
			 * bindings between would be sent twice.
			 */
			if (b->home_addr == home_addr)
				return b->gen == gen ? pos : -ENOENT;
			pos++;
		}
	}
	return -ENOENT;
}

size_t mipha_table_bucket_bytes(const struct mipha_table *t)
{
	const struct mipha_table_instance *ti = table_deref(t, t->ti);

	return sizeof(*ti) + ti->n_buckets * sizeof(*ti->buckets) +
	       (ti->n_more + !!t->spare) * sizeof(struct mipha_bucket_more);
}

unsigned int mipha_table_buckets(const struct mipha_table *t)
{
	return table_deref(t, t->ti)->n_buckets;
}

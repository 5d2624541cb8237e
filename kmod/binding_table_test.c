// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the binding table (binding_table.c), built into their own
 * module, mipha_table_test.ko, which includes the table's sources (as
 * KUnit tests of static code do): mipha.ko exports nothing.
 *
 * A KUnit suite where the kernel has KUnit (CONFIG_KUNIT); Debian's 6.1
 * and the debug kernel do not, so there the same cases run at module load
 * and report in KTAP, as KUnit would, and the load fails if a case failed.
 *
 * random_vs_reference: random inserts, replacements, removals and lookups
 * against a naive reference (a flat array indexed by the low bits of the
 * home address), with buckets overflowing (asserted), their extra lines
 * freed when emptied and never published empty (checked; reservations that
 * no insert follows, as a failed binding set leaves, are made too), in
 * phases that fill the table to two thirds and drain it (the drain
 * removes bound keys, so it empties the table), so that it grows
 * and shrinks many times, down to its minimum bucket count; the number of
 * resizes and the smallest bucket count reached are asserted. Every few
 * hundred operations every key is looked up and the table is walked with
 * a cursor, and both must agree with the reference. Then the table is
 * detached, as a flush does, and must be empty and usable.
 *
 * reader_during_resize: the same churn, the writer pinned to one CPU, while
 * a thread pinned to another reads under rcu_read_lock() only. It walks the
 * whole table with mipha_table_next() inside one read-side section, with a
 * small delay per bucket so that resizes happen during walks (counted; at
 * least one is required), and must see every key that stays bound
 * throughout ("stable") exactly once and no key twice; then it looks up
 * every key, one read-side section each: a stable key must always be found,
 * and no lookup may return another key's binding. Resizes build a new
 * array and free the old one (and its overflow lines), like replaced and
 * removed bindings, after a grace period, which is the rule a long walk
 * catches: freed earlier, the walk reads freed memory (KASAN) or misses
 * keys. Removals free emptied overflow lines the same way. The debug
 * kernel's KASAN and lockdep watch the reader too. Skipped (KTAP SKIP) with one CPU online.
 *
 * colliding_keys: keys chosen to fall in one bucket (the test reads the
 * hash seed) make the table draw a new seed instead of growing the
 * bucket past a few lines; every key is still found.
 *
 * Each case prints its seed. To reproduce a failure, load the module with
 * that seed: insmod mipha_table_test.ko seed=N (0, the default, draws a
 * random seed for each case).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "binding.c"
#include "binding_table.c"

#if IS_ENABLED(CONFIG_KUNIT)
#include <kunit/test.h>
#define tt_log(ctx, fmt, ...)	kunit_info(ctx, fmt, ##__VA_ARGS__)
#define tt_err(ctx, fmt, ...)	kunit_err(ctx, fmt, ##__VA_ARGS__)
#else
struct kunit;			/* NULL: the cases run at load */
/* KTAP diagnostics of a subtest, indented as KUnit's. */
#define tt_log(ctx, fmt, ...)	pr_info("    # " fmt "\n", ##__VA_ARGS__)
#define tt_err(ctx, fmt, ...)	pr_err("    # " fmt "\n", ##__VA_ARGS__)
#endif

#define TT_KEYS		4096		/* 10.200.0.0/20 */
#define TT_STABLE	32		/* keys bound throughout the reader test */
#define TT_OPS		60000
#define TT_PHASE	6000		/* fill, then drain, then fill ... */
#define TT_CHECK_EVERY	500
/* Fill to 2/3 of TT_KEYS grows to 2048 buckets (two bindings a bucket at
 * most), the drain shrinks to the minimum (4 buckets): nine resizes each
 * way, five fills and five drains. Assert most of them.
 */
#define TT_MIN_RESIZES	60
/* With TT_STABLE keys bound, 64 buckets (one binding per two) to 2048 and
 * back: five each way.
 */
#define TT_MIN_RESIZES_STABLE	36
#define TT_MIN_BUCKETS	4
#define TT_WALK_UDELAY	2		/* per bucket, in a reader's walk */
#define TT_SKIP		1		/* a case's result: skipped */

static unsigned long long seed;
module_param(seed, ullong, 0444);
MODULE_PARM_DESC(seed, "PRNG seed of every case (0: a random one each)");

struct table_test {
	struct kunit *ctx;
	struct mutex lock;		/* the table's writer lock */
	struct mipha_table table;
	struct rnd_state rnd;
	unsigned int first_key;		/* keys below it are not churned */
	__be32 ref_coa[TT_KEYS];	/* 0: not bound */
	unsigned int ref_count;
	unsigned long bound[BITS_TO_LONGS(TT_KEYS)];	/* ref_coa != 0 */
	unsigned long seen[BITS_TO_LONGS(TT_KEYS)];
	/* Smallest bucket count the churn saw after its first drain. */
	unsigned int min_buckets_seen;
	/* Most overflow lines a check saw: the case must make some. */
	unsigned int max_more_seen;
	/* The concurrent reader's findings. */
	unsigned long seen_walk[BITS_TO_LONGS(TT_KEYS)];
	unsigned long reads;
	unsigned long walks;
	unsigned long walks_resized;	/* walks during which a resize happened */
	unsigned long stable_missing;
	unsigned long wrong_key;
	unsigned long walk_missing;	/* stable keys a walk did not see */
	/* Stable keys a walk saw twice. (A churned key may be seen twice
	 * rightly: removed from a line the walk left, then added again to a
	 * line it has yet to reach.)
	 */
	unsigned long walk_twice;
};

static __be32 key_addr(unsigned int key)
{
	return htonl(0x0ac80000 | key);
}

static unsigned int addr_key(__be32 addr)
{
	return ntohl(addr) & (TT_KEYS - 1);
}

static int tt_set(struct table_test *tt, unsigned int key)
{
	struct mipha_binding *b = mipha_binding_alloc(GFP_KERNEL);
	struct mipha_binding *old;

	if (!b)
		return -ENOMEM;
	b->home_addr = key_addr(key);
	b->coa = htonl(0xc6336400 | (prandom_u32_state(&tt->rnd) & 0xff)) ?:
		 htonl(1);
	old = mipha_table_lookup_locked(&tt->table, b->home_addr);
	if (old) {
		mipha_table_replace(&tt->table, old, b);
		mipha_binding_free_rcu(old);
	} else {
		int err = mipha_table_reserve(&tt->table, b->home_addr);

		if (err) {
			mipha_binding_free(b);
			return err;
		}
		mipha_table_insert(&tt->table, b);
		tt->ref_count++;
	}
	tt->ref_coa[key] = b->coa;
	__set_bit(key, tt->bound);
	return 0;
}

static void tt_remove(struct table_test *tt, unsigned int key)
{
	struct mipha_binding *b;

	b = mipha_table_lookup_locked(&tt->table, key_addr(key));
	if (!b)
		return;
	mipha_table_remove(&tt->table, b);
	mipha_binding_free_rcu(b);
	tt->ref_coa[key] = 0;
	__clear_bit(key, tt->bound);
	tt->ref_count--;
}

/* A churned key that is bound, the first from @key on (wrapping), or @key. */
static unsigned int tt_bound_from(struct table_test *tt, unsigned int key)
{
	unsigned int k = find_next_bit(tt->bound, TT_KEYS, key);

	if (k >= TT_KEYS)
		k = find_next_bit(tt->bound, TT_KEYS, tt->first_key);
	return k < TT_KEYS ? k : key;
}

static bool tt_lookup_ok(struct table_test *tt, unsigned int key)
{
	struct mipha_binding *b;
	bool ok;

	rcu_read_lock();
	b = mipha_table_lookup_rcu(&tt->table, key_addr(key));
	ok = b ? b->coa == tt->ref_coa[key] : tt->ref_coa[key] == 0;
	rcu_read_unlock();
	if (!ok)
		tt_err(tt->ctx, "lookup of key %u: table %s, reference %s", key,
		       b ? "bound" : "unbound",
		       tt->ref_coa[key] ? "bound" : "unbound");
	return ok;
}

/*
 * The array's overflow lines: each holds a binding (an emptied one goes at
 * once), and the count the memory account uses is theirs.
 */
static bool tt_check_lines(struct table_test *tt,
			   const struct mipha_table_instance *ti)
{
	const struct mipha_bucket *line;
	unsigned int i, s, lines = 0, used;

	for (i = 0; i < ti->n_buckets; i++) {
		for (line = line_next(&tt->table, &ti->buckets[i]); line;
		     line = line_next(&tt->table, line)) {
			for (s = 0, used = 0; s < MIPHA_BUCKET_SLOTS; s++)
				used += !!rcu_access_pointer(line->binding[s]);
			if (!used) {
				tt_err(tt->ctx, "bucket %u keeps an empty line",
				       i);
				return false;
			}
			lines++;
		}
	}
	if (lines != ti->n_more) {
		tt_err(tt->ctx, "%u overflow lines, %u counted", lines,
		       ti->n_more);
		return false;
	}
	tt->max_more_seen = max(tt->max_more_seen, lines);
	return true;
}

/* Every key agrees, and a cursor walk returns each binding exactly once. */
static bool tt_check_all(struct table_test *tt)
{
	struct mipha_table_cursor cur = {};
	struct mipha_table_instance *ti;
	struct mipha_binding *b;
	unsigned int key, walked = 0;

	for (key = 0; key < TT_KEYS; key++)
		if (!tt_lookup_ok(tt, key))
			return false;

	bitmap_zero(tt->seen, TT_KEYS);
	ti = rcu_dereference_protected(tt->table.ti,
				       lockdep_is_held(&tt->lock));
	if (!tt_check_lines(tt, ti))
		return false;
	while ((b = mipha_table_next(&tt->table, ti, &cur))) {
		key = addr_key(b->home_addr);
		if (test_and_set_bit(key, tt->seen) || !tt->ref_coa[key]) {
			tt_err(tt->ctx, "walk returned key %u %s", key,
			       tt->ref_coa[key] ? "twice" : "not in reference");
			return false;
		}
		walked++;
	}
	if (walked != tt->ref_count || tt->table.count != tt->ref_count) {
		tt_err(tt->ctx, "walk saw %u, table counts %u, reference %u",
		       walked, tt->table.count, tt->ref_count);
		return false;
	}
	return true;
}

/* Lock held: TT_OPS random operations on the keys from first_key up. */
static int tt_churn(struct table_test *tt)
{
	unsigned int i, key, op, span = TT_KEYS - tt->first_key;
	bool filling;
	int err;

	for (i = 0; i < TT_OPS; i++) {
		filling = (i / TT_PHASE) % 2 == 0;
		key = tt->first_key + prandom_u32_state(&tt->rnd) % span;
		op = prandom_u32_state(&tt->rnd) % 100;
		if (op < (filling ? 60 : 2)) {
			err = tt_set(tt, key);
			if (err)
				return err;
		} else if (op < 90) {
			/* A drain removes bound keys: it empties the table. */
			tt_remove(tt, filling ? key : tt_bound_from(tt, key));
		} else if (op < 93) {
			/* As a failed set does: room made, nothing added. */
			err = mipha_table_reserve(&tt->table, key_addr(key));
			if (err)
				return err;
		} else if (!tt_lookup_ok(tt, key)) {
			return -ENOTRECOVERABLE;
		}
		if (i % TT_CHECK_EVERY == 0 && !tt_check_all(tt))
			return -ENOTRECOVERABLE;
		if (!filling)
			tt->min_buckets_seen = min(tt->min_buckets_seen,
						   mipha_table_buckets(&tt->table));
		/* Let the reader and RCU in on a non-preemptible kernel. */
		if (!(i & 255))
			cond_resched();
	}
	return tt_check_all(tt) ? 0 : -ENOTRECOVERABLE;
}

/* A detached array holds every binding; the table is empty and usable. */
static int tt_detach(struct table_test *tt)
{
	struct mipha_table_instance *old = mipha_table_detach(&tt->table);
	int err;

	if (!old)
		return -ENOMEM;
	synchronize_rcu();
	mipha_table_free_instance_bindings(old);
	memset(tt->ref_coa, 0, sizeof(tt->ref_coa));
	bitmap_zero(tt->bound, TT_KEYS);
	tt->ref_count = 0;
	if (!tt_check_all(tt))
		return -ENOTRECOVERABLE;
	err = tt_set(tt, 1);
	if (err)
		return err;
	return tt_check_all(tt) ? 0 : -ENOTRECOVERABLE;
}

static struct table_test *tt_create(struct kunit *ctx, u64 *run_seed)
{
	struct table_test *tt = kzalloc(sizeof(*tt), GFP_KERNEL);

	if (!tt)
		return NULL;
	tt->ctx = ctx;
	mutex_init(&tt->lock);
	tt->min_buckets_seen = UINT_MAX;
	/* Four buckets at least, so that the table resizes all the time. */
	if (mipha_table_init(&tt->table, &tt->lock, TT_MIN_BUCKETS)) {
		mutex_destroy(&tt->lock);
		kfree(tt);
		return NULL;
	}
	*run_seed = seed ?: get_random_u64();
	prandom_seed_state(&tt->rnd, *run_seed);
	return tt;
}

static void tt_destroy(struct table_test *tt)
{
	/* Bindings replaced or removed are still waiting for RCU. */
	synchronize_rcu();
	mipha_table_destroy(&tt->table);
	mutex_destroy(&tt->lock);
	kfree(tt);
}

/*
 * The churn resized the table at least @min_resizes times and shrank it to
 * @floor buckets: its drains drained.
 */
static int tt_check_resizes(struct table_test *tt, unsigned int resizes,
			    unsigned int min_resizes, unsigned int floor)
{
	if (resizes >= min_resizes && tt->min_buckets_seen <= floor)
		return 0;
	tt_err(tt->ctx, "%u resizes (want %u), smallest table %u buckets (want %u)",
	       resizes, min_resizes, tt->min_buckets_seen, floor);
	return -ENOTRECOVERABLE;
}

static int random_vs_reference(struct kunit *ctx)
{
	struct table_test *tt;
	unsigned int resizes;
	u64 run_seed;
	int err;

	tt = tt_create(ctx, &run_seed);
	if (!tt)
		return -ENOMEM;
	mutex_lock(&tt->lock);
	err = tt_churn(tt);
	resizes = tt->table.ti_seq;
	if (!err)
		err = tt_check_resizes(tt, resizes, TT_MIN_RESIZES,
				       TT_MIN_BUCKETS);
	if (!err && !tt->max_more_seen) {
		tt_err(ctx, "no bucket overflowed: the case proved nothing");
		err = -ENOTRECOVERABLE;
	}
	if (!err)
		err = tt_detach(tt);
	mutex_unlock(&tt->lock);
	tt_log(ctx, "%u operations, %u resizes, down to %u buckets",
	       TT_OPS, resizes, tt->min_buckets_seen);
	tt_log(ctx, "up to %u overflow lines at a check", tt->max_more_seen);
	tt_log(ctx, "seed %llu: %s", run_seed, err ? "FAIL" : "pass");
	tt_destroy(tt);
	return err;
}

/*
 * One walk of the whole table in one read-side section, a little slow so
 * that the writer resizes meanwhile. Each bucket is walked as the table's
 * readers walk it (its lines and slots), not with mipha_table_next(): that
 * resumes by position, which shifts when the writer adds or removes a
 * binding ahead of it, so it may return a binding twice or skip one (as
 * binding_table.h says) even when the table is right. A slot walk sees
 * every binding that stays in the array exactly once: bindings never move
 * between slots of an array.
 */
static void tt_walk(struct table_test *tt)
{
	struct mipha_table_instance *ti;
	const struct mipha_bucket *line;
	struct mipha_binding *b;
	unsigned int i, s, key;

	bitmap_zero(tt->seen_walk, TT_KEYS);
	rcu_read_lock();
	ti = rcu_dereference(tt->table.ti);
	for (i = 0; i < ti->n_buckets; i++) {
		for (line = &ti->buckets[i]; line;
		     line = line_next(&tt->table, line)) {
			for (s = 0; s < MIPHA_BUCKET_SLOTS; s++) {
				b = rcu_dereference(line->binding[s]);
				if (!b)
					continue;
				key = addr_key(b->home_addr);
				if (b->home_addr != key_addr(key))
					tt->wrong_key++;
				else if (__test_and_set_bit(key,
							    tt->seen_walk) &&
					 key < tt->first_key)
					tt->walk_twice++;
			}
			/* On each line, so that lines are unlinked and
			 * freed under the walk too.
			 */
			udelay(TT_WALK_UDELAY);
		}
	}
	if (rcu_access_pointer(tt->table.ti) != ti)
		tt->walks_resized++;
	rcu_read_unlock();
	tt->walk_missing += tt->first_key -
			    bitmap_weight(tt->seen_walk, tt->first_key);
	tt->walks++;
}

/* Walks the table, then looks up every key, under RCU alone until stopped. */
static int reader_thread(void *data)
{
	struct table_test *tt = data;
	struct mipha_binding *b;
	unsigned int key;

	while (!kthread_should_stop()) {
		tt_walk(tt);
		for (key = 0; key < TT_KEYS; key++) {
			rcu_read_lock();
			b = mipha_table_lookup_rcu(&tt->table, key_addr(key));
			if (b && b->home_addr != key_addr(key))
				tt->wrong_key++;
			else if (!b && key < tt->first_key)
				tt->stable_missing++;
			rcu_read_unlock();
			tt->reads++;
		}
		cond_resched();
	}
	return 0;
}

static int reader_during_resize(struct kunit *ctx)
{
	unsigned int key, resizes = 0, wcpu, rcpu;
	struct task_struct *reader;
	cpumask_var_t saved_mask;
	struct table_test *tt;
	u64 run_seed;
	int err = 0;

	if (num_online_cpus() < 2) {
		tt_log(ctx, "only one CPU online: the reader needs its own");
		return TT_SKIP;
	}
	if (!alloc_cpumask_var(&saved_mask, GFP_KERNEL))
		return -ENOMEM;
	tt = tt_create(ctx, &run_seed);
	if (!tt) {
		free_cpumask_var(saved_mask);
		return -ENOMEM;
	}
	mutex_lock(&tt->lock);
	for (key = 0; key < TT_STABLE && !err; key++)
		err = tt_set(tt, key);
	tt->first_key = TT_STABLE;
	mutex_unlock(&tt->lock);
	if (err)
		goto out;

	/* The writer (this task) on one CPU, the reader on another. */
	cpumask_copy(saved_mask, current->cpus_ptr);
	wcpu = cpumask_first(cpu_online_mask);
	rcpu = cpumask_next(wcpu, cpu_online_mask);
	reader = kthread_create(reader_thread, tt, "mipha_tt_reader");
	if (IS_ERR(reader)) {
		err = PTR_ERR(reader);
		goto out;
	}
	kthread_bind(reader, rcpu);
	err = set_cpus_allowed_ptr(current, cpumask_of(wcpu));
	wake_up_process(reader);
	if (!err) {
		mutex_lock(&tt->lock);
		err = tt_churn(tt);
		resizes = tt->table.ti_seq;
		mutex_unlock(&tt->lock);
	}
	kthread_stop(reader);
	set_cpus_allowed_ptr(current, saved_mask);
	if (err)
		goto out;

	/* With stable keys, the table shrinks no further than this. */
	err = tt_check_resizes(tt, resizes, TT_MIN_RESIZES_STABLE,
			       2 * TT_STABLE);
	if (!err && (tt->stable_missing || tt->wrong_key || !tt->reads ||
		     tt->walk_missing || tt->walk_twice))
		err = -ENOTRECOVERABLE;
	if (!err && !tt->walks_resized) {
		tt_err(ctx, "no walk saw a resize: the case proved nothing");
		err = -ENOTRECOVERABLE;
	}
	tt_log(ctx, "%u operations, %u resizes, down to %u buckets",
	       TT_OPS, resizes, tt->min_buckets_seen);
	tt_log(ctx, "writer on CPU %u, reader on CPU %u", wcpu, rcpu);
	tt_log(ctx, "%lu walks, %lu during a resize: %lu stable keys missed",
	       tt->walks, tt->walks_resized, tt->walk_missing);
	tt_log(ctx, "%lu stable keys seen twice in a walk", tt->walk_twice);
	tt_log(ctx, "%lu lookups: %lu stable keys missed, %lu wrong keys",
	       tt->reads, tt->stable_missing, tt->wrong_key);
	tt_log(ctx, "seed %llu: %s", run_seed, err ? "FAIL" : "pass");
out:
	tt_destroy(tt);
	free_cpumask_var(saved_mask);
	return err;
}

/*
 * Keys chosen to collide, as the owner of a namespace can choose its home
 * addresses: with the array's hash seed in hand (the test reads it; an
 * attacker would need a timing or memory oracle), TT_COLLIDE keys of one
 * bucket are added. The table must draw a new seed rather than let the
 * bucket grow past TABLE_MAX_LINES lines, and find every key after.
 */
#define TT_COLLIDE	(MIPHA_BUCKET_SLOTS * (TABLE_MAX_LINES + 2))

static unsigned int tt_bucket_lines(struct table_test *tt,
				    const struct mipha_table_instance *ti)
{
	const struct mipha_bucket *line;
	unsigned int i, n, most = 0;

	for (i = 0; i < ti->n_buckets; i++) {
		n = 0;
		for (line = &ti->buckets[i]; line;
		     line = line_next(&tt->table, line))
			n++;
		most = max(most, n);
	}
	return most;
}

static int colliding_keys(struct kunit *ctx)
{
	unsigned int added = 0, found = 0, most = 0, seq0, n0, target;
	const struct mipha_table_instance *ti;
	struct mipha_binding *b;
	struct table_test *tt;
	u32 addr, seed0, arrays;
	u64 run_seed;
	int err = 0;

	tt = tt_create(ctx, &run_seed);
	if (!tt)
		return -ENOMEM;
	mutex_lock(&tt->lock);
	/* Big enough that the keys never make it grow: only a new seed. */
	mipha_table_destroy(&tt->table);
	err = mipha_table_init(&tt->table, &tt->lock, 64);
	if (err) {
		mutex_unlock(&tt->lock);
		mutex_destroy(&tt->lock);
		kfree(tt);
		return err;
	}
	seq0 = tt->table.ti_seq;
	ti = rcu_dereference_protected(tt->table.ti, lockdep_is_held(&tt->lock));
	/* Collisions with the seed of the array at the start only. */
	seed0 = ti->hash_seed;
	n0 = ti->n_buckets;
	target = jhash_1word((__force u32)htonl(0x0a000000), seed0) & (n0 - 1);
	for (addr = 0x0a000000; added < TT_COLLIDE && addr < 0x0b000000;
	     addr++) {
		if ((jhash_1word((__force u32)htonl(addr), seed0) & (n0 - 1)) !=
		    target)
			continue;
		b = mipha_binding_alloc(GFP_KERNEL);
		if (!b || mipha_table_reserve(&tt->table, htonl(addr))) {
			mipha_binding_free(b);
			err = -ENOMEM;
			break;
		}
		b->home_addr = htonl(addr);
		b->coa = htonl(addr);
		mipha_table_insert(&tt->table, b);
		added++;
		ti = rcu_dereference_protected(tt->table.ti,
					       lockdep_is_held(&tt->lock));
		most = max(most, tt_bucket_lines(tt, ti));
		if (!(added & 63))
			cond_resched();
	}
	for (addr = 0x0a000000; !err && addr < 0x0b000000 && found < added;
	     addr++) {
		b = mipha_table_lookup_locked(&tt->table, htonl(addr));
		found += b && b->coa == htonl(addr);
		if (!(addr & 0xffff))
			cond_resched();
	}
	arrays = tt->table.ti_seq - seq0;
	if (!err && (added < TT_COLLIDE || found != added ||
		     most > TABLE_MAX_LINES + 1 || !arrays))
		err = -ENOTRECOVERABLE;
	mutex_unlock(&tt->lock);
	tt_log(ctx, "%u colliding keys added, %u found, %u new arrays, at most %u lines a bucket",
	       added, found, arrays, most);
	tt_log(ctx, "seed %llu: %s", run_seed, err ? "FAIL" : "pass");
	tt_destroy(tt);
	return err;
}

#if IS_ENABLED(CONFIG_KUNIT)

static int tt_suite_init(struct kunit_suite *suite)
{
	return mipha_binding_cache_init();
}

static void tt_suite_exit(struct kunit_suite *suite)
{
	mipha_binding_cache_exit();
}

static void kunit_random_vs_reference(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, random_vs_reference(test), 0);
}

static void kunit_reader_during_resize(struct kunit *test)
{
	int err = reader_during_resize(test);

	if (err == TT_SKIP)
		kunit_skip(test, "only one CPU online");
	KUNIT_EXPECT_EQ(test, err, 0);
}

static void kunit_colliding_keys(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, colliding_keys(test), 0);
}

static struct kunit_case mipha_table_cases[] = {
	KUNIT_CASE(kunit_random_vs_reference),
	KUNIT_CASE(kunit_reader_during_resize),
	KUNIT_CASE(kunit_colliding_keys),
	{}
};

static struct kunit_suite mipha_table_suite = {
	.name = "mipha_binding_table",
	.suite_init = tt_suite_init,
	.suite_exit = tt_suite_exit,
	.test_cases = mipha_table_cases,
};

kunit_test_suite(mipha_table_suite);

#else /* !CONFIG_KUNIT: the same cases at load, reported in KTAP */

static const struct {
	const char *name;
	int (*run)(struct kunit *ctx);
} tt_cases[] = {
	{ "random_vs_reference", random_vs_reference },
	{ "reader_during_resize", reader_during_resize },
	{ "colliding_keys", colliding_keys },
};

static int __init tt_init(void)
{
	unsigned int i, failed = 0;
	int err;

	err = mipha_binding_cache_init();
	if (err)
		return err;
	pr_info("KTAP version 1\n");
	pr_info("1..1\n");
	pr_info("    KTAP version 1\n");
	pr_info("    # Subtest: mipha_binding_table\n");
	pr_info("    1..%zu\n", ARRAY_SIZE(tt_cases));
	for (i = 0; i < ARRAY_SIZE(tt_cases); i++) {
		err = tt_cases[i].run(NULL);
		if (err == TT_SKIP) {
			pr_info("    ok %u %s # SKIP only one CPU online\n",
				i + 1, tt_cases[i].name);
			continue;
		}
		if (err) {
			tt_err(NULL, "%s: error %d", tt_cases[i].name, err);
			failed++;
		}
		pr_info("    %s %u %s\n", err ? "not ok" : "ok", i + 1,
			tt_cases[i].name);
	}
	pr_info("%s 1 mipha_binding_table\n", failed ? "not ok" : "ok");
	mipha_binding_cache_exit();
	return failed ? -ENOTRECOVERABLE : 0;
}

static void __exit tt_exit(void)
{
}

module_init(tt_init);
module_exit(tt_exit);

#endif

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Tests of mipha's binding table");

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
 * home address), in phases that fill the table to two thirds and drain it
 * to a few percent, so that it grows and shrinks many times; every few
 * hundred operations every key is looked up and the table is walked with
 * a cursor, and both must agree with the reference. Then the table is
 * detached, as a flush does, and must be empty and usable.
 *
 * reader_during_resize: the same churn while a thread on another CPU looks
 * up, under rcu_read_lock() only, keys that stay bound throughout and keys
 * that come and go: a stable key must always be found, and no lookup may
 * return another key's binding. Resizes relink every binding through its
 * second node and free the old array and replaced bindings after a grace
 * period, which is where RCU mistakes show: the debug kernel's KASAN and
 * lockdep watch the reader too.
 *
 * Each case prints its seed, so that a failure can be reproduced.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
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
#define TT_STABLE	64		/* keys bound throughout the reader test */
#define TT_OPS		60000
#define TT_PHASE	6000		/* fill, then drain, then fill ... */
#define TT_CHECK_EVERY	500

struct table_test {
	struct kunit *ctx;
	struct mutex lock;		/* the table's writer lock */
	struct mipha_table table;
	struct rnd_state rnd;
	unsigned int first_key;		/* keys below it are not churned */
	__be32 ref_coa[TT_KEYS];	/* 0: not bound */
	unsigned int ref_count;
	unsigned long seen[BITS_TO_LONGS(TT_KEYS)];
	/* The concurrent reader's findings. */
	unsigned long reads;
	unsigned long stable_missing;
	unsigned long wrong_key;
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
		mipha_table_insert(&tt->table, b);
		tt->ref_count++;
	}
	tt->ref_coa[key] = b->coa;
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
	tt->ref_count--;
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
			tt_remove(tt, key);
		} else if (!tt_lookup_ok(tt, key)) {
			return -ENOTRECOVERABLE;
		}
		if (i % TT_CHECK_EVERY == 0 && !tt_check_all(tt))
			return -ENOTRECOVERABLE;
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
	tt->ref_count = 0;
	if (!tt_check_all(tt))
		return -ENOTRECOVERABLE;
	err = tt_set(tt, 1);
	if (err)
		return err;
	return tt_check_all(tt) ? 0 : -ENOTRECOVERABLE;
}

static struct table_test *tt_create(struct kunit *ctx, u64 *seed)
{
	struct table_test *tt = kzalloc(sizeof(*tt), GFP_KERNEL);

	if (!tt)
		return NULL;
	tt->ctx = ctx;
	mutex_init(&tt->lock);
	/* Four buckets at least, so that the table resizes all the time. */
	if (mipha_table_init(&tt->table, &tt->lock, 4)) {
		mutex_destroy(&tt->lock);
		kfree(tt);
		return NULL;
	}
	*seed = get_random_u64();
	prandom_seed_state(&tt->rnd, *seed);
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

static int random_vs_reference(struct kunit *ctx)
{
	struct table_test *tt;
	unsigned int resizes;
	u64 seed;
	int err;

	tt = tt_create(ctx, &seed);
	if (!tt)
		return -ENOMEM;
	mutex_lock(&tt->lock);
	err = tt_churn(tt);
	resizes = tt->table.ti_seq;
	if (!err)
		err = tt_detach(tt);
	mutex_unlock(&tt->lock);
	tt_destroy(tt);
	tt_log(ctx, "%u operations, %u resizes, seed %llu: %s", TT_OPS,
	       resizes, seed, err ? "FAIL" : "pass");
	return err;
}

/* Looks up every key over and over under RCU alone until stopped. */
static int reader_thread(void *data)
{
	struct table_test *tt = data;
	struct mipha_binding *b;
	unsigned int key;

	while (!kthread_should_stop()) {
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
	struct task_struct *reader;
	struct table_test *tt;
	unsigned int key, resizes;
	u64 seed;
	int err = 0;

	tt = tt_create(ctx, &seed);
	if (!tt)
		return -ENOMEM;
	mutex_lock(&tt->lock);
	for (key = 0; key < TT_STABLE && !err; key++)
		err = tt_set(tt, key);
	tt->first_key = TT_STABLE;
	mutex_unlock(&tt->lock);
	if (err)
		goto out;

	reader = kthread_run(reader_thread, tt, "mipha_tt_reader");
	if (IS_ERR(reader)) {
		err = PTR_ERR(reader);
		goto out;
	}
	mutex_lock(&tt->lock);
	err = tt_churn(tt);
	resizes = tt->table.ti_seq;
	mutex_unlock(&tt->lock);
	kthread_stop(reader);

	if (!err && (tt->stable_missing || tt->wrong_key || !tt->reads))
		err = -ENOTRECOVERABLE;
	tt_log(ctx, "%u operations, %u resizes, %lu concurrent lookups", TT_OPS,
	       resizes, tt->reads);
	tt_log(ctx, "%lu stable keys missed, %lu wrong keys, seed %llu: %s",
	       tt->stable_missing, tt->wrong_key, seed,
	       err ? "FAIL" : "pass");
out:
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
	KUNIT_EXPECT_EQ(test, reader_during_resize(test), 0);
}

static struct kunit_case mipha_table_cases[] = {
	KUNIT_CASE(kunit_random_vs_reference),
	KUNIT_CASE(kunit_reader_during_resize),
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

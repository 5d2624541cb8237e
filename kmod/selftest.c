// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized self-test of the binding table against a naive reference: a
 * flat array indexed by the low bits of the home address. Random
 * inserts, replacements, removals and lookups, in phases that fill the
 * table to two thirds and then drain it to a few percent, so that it
 * grows and shrinks many times; after every few hundred operations every
 * key is looked up and the table is walked with a cursor, and both must
 * agree with the reference.
 *
 * Runs at module load with selftest=1 and prints its seed, so a failure
 * can be reproduced.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "binding.h"
#include "selftest.h"
#include "table.h"

#define ST_KEYS		4096		/* 10.200.0.0/20 */
#define ST_OPS		60000
#define ST_PHASE	6000		/* fill, then drain, then fill ... */
#define ST_CHECK_EVERY	500

struct selftest {
	struct mutex lock;		/* the table's writer lock */
	struct mipha_table table;
	struct rnd_state rnd;
	__be32 ref_coa[ST_KEYS];	/* 0: not bound */
	unsigned int ref_count;
	unsigned long seen[BITS_TO_LONGS(ST_KEYS)];
};

static __be32 key_addr(unsigned int key)
{
	return htonl(0x0ac80000 | key);
}

static unsigned int addr_key(__be32 addr)
{
	return ntohl(addr) & (ST_KEYS - 1);
}

static int st_set(struct selftest *st, unsigned int key)
{
	struct mipha_binding *b = mipha_binding_alloc(GFP_KERNEL);
	struct mipha_binding *old;

	if (!b)
		return -ENOMEM;
	b->home_addr = key_addr(key);
	b->coa = htonl(0xc6336400 | (prandom_u32_state(&st->rnd) & 0xff)) ?:
		 htonl(1);
	old = mipha_table_find(&st->table, b->home_addr);
	if (old) {
		mipha_table_replace(&st->table, old, b);
		mipha_binding_free_rcu(old);
	} else {
		mipha_table_insert(&st->table, b);
		st->ref_count++;
	}
	st->ref_coa[key] = b->coa;
	return 0;
}

static void st_remove(struct selftest *st, unsigned int key)
{
	struct mipha_binding *b = mipha_table_find(&st->table, key_addr(key));

	if (!b)
		return;
	mipha_table_remove(&st->table, b);
	mipha_binding_free_rcu(b);
	st->ref_coa[key] = 0;
	st->ref_count--;
}

static bool st_lookup_ok(struct selftest *st, unsigned int key)
{
	struct mipha_binding *b;
	bool ok;

	rcu_read_lock();
	b = mipha_table_lookup(&st->table, key_addr(key));
	ok = b ? b->coa == st->ref_coa[key] : st->ref_coa[key] == 0;
	rcu_read_unlock();
	if (!ok)
		pr_err("selftest: lookup of key %u: table %s, reference %s\n",
		       key, b ? "bound" : "unbound",
		       st->ref_coa[key] ? "bound" : "unbound");
	return ok;
}

/* Every key agrees, and a cursor walk returns each binding exactly once. */
static bool st_check_all(struct selftest *st)
{
	struct mipha_table_cursor cur = {};
	struct mipha_table_instance *ti;
	struct mipha_binding *b;
	unsigned int key, walked = 0;

	for (key = 0; key < ST_KEYS; key++)
		if (!st_lookup_ok(st, key))
			return false;

	bitmap_zero(st->seen, ST_KEYS);
	ti = rcu_dereference_protected(st->table.ti,
				       lockdep_is_held(&st->lock));
	while ((b = mipha_table_next(ti, &cur))) {
		key = addr_key(b->home_addr);
		if (test_and_set_bit(key, st->seen) || !st->ref_coa[key]) {
			pr_err("selftest: walk returned key %u %s\n", key,
			       st->ref_coa[key] ? "twice" : "not in reference");
			return false;
		}
		walked++;
	}
	if (walked != st->ref_count || st->table.count != st->ref_count) {
		pr_err("selftest: walk saw %u, table counts %u, reference %u\n",
		       walked, st->table.count, st->ref_count);
		return false;
	}
	return true;
}

static int st_run(struct selftest *st)
{
	unsigned int i, key, op;
	bool filling;
	int err;

	for (i = 0; i < ST_OPS; i++) {
		filling = (i / ST_PHASE) % 2 == 0;
		key = prandom_u32_state(&st->rnd) % ST_KEYS;
		op = prandom_u32_state(&st->rnd) % 100;
		if (op < (filling ? 60 : 2)) {
			err = st_set(st, key);
			if (err)
				return err;
		} else if (op < 90) {
			st_remove(st, key);
		} else if (!st_lookup_ok(st, key)) {
			return -ENOTRECOVERABLE;
		}
		if (i % ST_CHECK_EVERY == 0 && !st_check_all(st))
			return -ENOTRECOVERABLE;
	}
	return st_check_all(st) ? 0 : -ENOTRECOVERABLE;
}

/* A detached array holds every binding; the table is empty and usable. */
static int st_detach(struct selftest *st)
{
	struct mipha_table_instance *old = mipha_table_detach(&st->table);
	int err;

	if (!old)
		return -ENOMEM;
	synchronize_rcu();
	mipha_table_free_instance_bindings(old);
	memset(st->ref_coa, 0, sizeof(st->ref_coa));
	st->ref_count = 0;
	if (!st_check_all(st))
		return -ENOTRECOVERABLE;
	err = st_set(st, 1);
	if (err)
		return err;
	return st_check_all(st) ? 0 : -ENOTRECOVERABLE;
}

int mipha_selftest(void)
{
	struct selftest *st;
	unsigned int resizes;
	u64 seed;
	int err;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	mutex_init(&st->lock);
	/* Four buckets at least, so that the test resizes all the time. */
	err = mipha_table_init(&st->table, &st->lock, 4);
	if (err)
		goto out;
	seed = get_random_u64();
	prandom_seed_state(&st->rnd, seed);

	mutex_lock(&st->lock);
	err = st_run(st);
	resizes = st->table.ti_seq;
	if (!err)
		err = st_detach(st);
	mutex_unlock(&st->lock);
	/* Bindings replaced or removed above are still waiting for RCU. */
	synchronize_rcu();
	mipha_table_destroy(&st->table);

	if (err)
		pr_err("selftest: binding table: FAIL (error %d, seed %llu)\n",
		       err, seed);
	else
		pr_info("selftest: binding table: %u operations, %u resizes, seed %llu: pass\n",
			ST_OPS, resizes, seed);
out:
	mutex_destroy(&st->lock);
	kfree(st);
	return err;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * A micro-benchmark of the binding table's lookup, the one loop of the
 * packet path that grows with the number of bindings: mipha_table_bench.ko
 * (built with the test module, MIPHA_TESTS=m) fills a table of its own
 * with @keys bindings and times lookups of bound keys (hits) and unbound
 * ones (misses) in a random order, then does the same with 1,000, and
 * logs nanoseconds per lookup; the load then fails (-EAGAIN), so that
 * nothing stays. scripts/bench-lookup runs it in the VM.
 *
 * Under TCG there is no PMU and no cache model: time goes with the
 * instructions run and with the pages touched (QEMU's software TLB), which
 * is what a lookup costs on real hardware too, in cycles and cache lines.
 * Only the table's own code is timed: no packet, no hook.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "binding.c"
#include "binding_table.c"

static unsigned int keys = 500000;
module_param(keys, uint, 0444);
MODULE_PARM_DESC(keys, "bindings of the big table (default 500000)");
static unsigned int lookups = 2000000;
module_param(lookups, uint, 0444);
MODULE_PARM_DESC(lookups, "timed lookups of each kind (default 2000000)");

/* Bound keys are 10.0.0.0/8 from 10.0.0.1 on; misses are in 11.0.0.0/8. */
static __be32 hit_addr(u32 i)
{
	return htonl(0x0a000001 + i);
}

static __be32 miss_addr(u32 i)
{
	return htonl(0x0b000001 + i);
}

/* Nanoseconds per lookup of @n addresses drawn from @addr, at random. */
static u64 time_lookups(struct mipha_table *t, __be32 (*addr)(u32), u32 n,
			struct rnd_state *rnd, unsigned long *found)
{
	u32 *order, i;
	u64 start, ns;

	order = kvmalloc_array(lookups, sizeof(*order), GFP_KERNEL);
	if (!order)
		return 0;
	/* Drawn beforehand: only the lookups are timed. */
	for (i = 0; i < lookups; i++)
		order[i] = prandom_u32_state(rnd) % n;
	*found = 0;
	rcu_read_lock();
	start = ktime_get_ns();
	for (i = 0; i < lookups; i++)
		*found += !!mipha_table_lookup_rcu(t, addr(order[i]));
	ns = ktime_get_ns() - start;
	rcu_read_unlock();
	kvfree(order);
	return div_u64(ns, lookups);
}

static int bench(u32 n, struct rnd_state *rnd)
{
	struct mipha_table table;
	struct mipha_binding *b;
	unsigned long found_hit, found_miss;
	u64 hit, miss;
	struct mutex lock;	/* the table's writer lock */
	int err = 0;
	u32 i;

	mutex_init(&lock);
	if (mipha_table_init(&table, &lock, 0))
		return -ENOMEM;
	mutex_lock(&lock);
	for (i = 0; i < n && !err; i++) {
		b = mipha_binding_alloc(GFP_KERNEL);
		if (!b) {
			err = -ENOMEM;
			break;
		}
		b->home_addr = hit_addr(i);
		b->coa = htonl(0xc6120000 | (i & 0xffff));
#ifdef MIPHA_BUCKET_SLOTS
		/* The table of this tree: room first (the base has none). */
		err = mipha_table_reserve(&table, b->home_addr);
		if (err) {
			mipha_binding_free(b);
			break;
		}
#endif
		mipha_table_insert(&table, b);
		if (!(i & 1023))
			cond_resched();
	}
	if (!err) {
		hit = time_lookups(&table, hit_addr, n, rnd, &found_hit);
		miss = time_lookups(&table, miss_addr, n, rnd, &found_miss);
		pr_info("%u bindings, %u buckets, %zu bytes of buckets: hit %llu ns, miss %llu ns (%lu of %u found, %lu wrongly)\n",
			n, mipha_table_buckets(&table),
			mipha_table_bucket_bytes(&table), hit, miss, found_hit,
			lookups, found_miss);
		if (found_hit != lookups || found_miss)
			err = -ENOTRECOVERABLE;
	}
	mutex_unlock(&lock);
	mipha_table_destroy(&table);
	return err;
}

static int __init tb_init(void)
{
	struct rnd_state rnd;
	int err;

	if (!keys || !lookups)
		return -EINVAL;
	prandom_seed_state(&rnd, 1);
	err = mipha_binding_cache_init();
	if (err)
		return err;
	err = bench(keys, &rnd) ?: bench(1000, &rnd);
	mipha_binding_cache_exit();
	return err ?: -EAGAIN;
}

module_init(tb_init);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mipha binding table lookup micro-benchmark");

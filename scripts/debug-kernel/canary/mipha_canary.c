// SPDX-License-Identifier: GPL-2.0
/*
 * mipha_canary: commits one kernel bug on load, chosen by the "bug" parameter, so that
 * scripts/debug-kernel/test-detectors can check that the debug kernel reports each kind of bug
 * the selftests rely on it to catch, in the form scripts/vm/splat-check and
 * scripts/debug-kernel/kmemleak-check look for. Never load it anywhere else.
 *
 *	rcu	rcu_dereference() outside an RCU read-side section (PROVE_RCU)
 *	lockdep	two mutexes taken in both orders (PROVE_LOCKING)
 *	list	list_add() next to a corrupted entry (DEBUG_LIST)
 *	sleep	a GFP_KERNEL allocation under a spinlock (DEBUG_ATOMIC_SLEEP)
 *	ubsan	a shift by more than the type's width (UBSAN)
 *	kasan	a read after kfree() (KASAN)
 *	leak	a kmalloc() whose only pointer is dropped (kmemleak, once the module is gone)
 */
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

static char *bug = "";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "rcu, lockdep, list, sleep, ubsan, kasan or leak");

struct canary_obj {
	int v;
};

static struct canary_obj __rcu *canary_rcu_ptr;
static DEFINE_MUTEX(canary_a);
static DEFINE_MUTEX(canary_b);
static DEFINE_SPINLOCK(canary_lock);
static void *canary_keep;
static volatile int canary_shift = 40;

static noinline void canary_rcu(void)
{
	struct canary_obj *o = kzalloc(sizeof(*o), GFP_KERNEL);

	if (!o)
		return;
	rcu_assign_pointer(canary_rcu_ptr, o);
	pr_info("mipha_canary: rcu %d\n", rcu_dereference(canary_rcu_ptr)->v);
	RCU_INIT_POINTER(canary_rcu_ptr, NULL);
	synchronize_rcu();
	kfree(o);
}

static noinline void canary_lockdep(void)
{
	mutex_lock(&canary_a);
	mutex_lock(&canary_b);
	mutex_unlock(&canary_b);
	mutex_unlock(&canary_a);
	mutex_lock(&canary_b);
	mutex_lock(&canary_a);
	mutex_unlock(&canary_a);
	mutex_unlock(&canary_b);
}

static noinline void canary_list(void)
{
	LIST_HEAD(head);
	struct list_head a, b;

	list_add(&a, &head);
	a.prev = &b;	/* head.next->prev no longer points back at head */
	list_add(&b, &head);
	INIT_LIST_HEAD(&head);
}

static noinline void canary_sleep(void)
{
	/* might_alloc() reports it whether or not the allocation would have slept */
	spin_lock(&canary_lock);
	kfree(kmalloc(64, GFP_KERNEL));
	spin_unlock(&canary_lock);
}

static noinline void canary_ubsan(void)
{
	int s = canary_shift;

	pr_info("mipha_canary: ubsan %d\n", 1 << s);
}

static noinline void canary_kasan(void)
{
	char *p = kmalloc(32, GFP_KERNEL);
	char *volatile q = p;

	if (!p)
		return;
	kfree(p);
	pr_info("mipha_canary: kasan %d\n", READ_ONCE(q[8]));
}

static noinline void canary_leak(void)
{
	canary_keep = kmalloc(200, GFP_KERNEL);
	pr_info("mipha_canary: leaking %zu bytes\n", ksize(canary_keep));
	WRITE_ONCE(canary_keep, NULL);
}

static int __init canary_init(void)
{
	if (!strcmp(bug, "rcu"))
		canary_rcu();
	else if (!strcmp(bug, "lockdep"))
		canary_lockdep();
	else if (!strcmp(bug, "list"))
		canary_list();
	else if (!strcmp(bug, "sleep"))
		canary_sleep();
	else if (!strcmp(bug, "ubsan"))
		canary_ubsan();
	else if (!strcmp(bug, "kasan"))
		canary_kasan();
	else if (!strcmp(bug, "leak"))
		canary_leak();
	else
		return -EINVAL;
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mipha debug-kernel detector self-test: commits one bug on load");

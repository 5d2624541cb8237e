// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state: creation and teardown.
 */
#include <linux/memcontrol.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/user_namespace.h>
#include <net/netns/generic.h>
#include <uapi/linux/mipha.h>

#include "bcast.h"
#include "coa.h"
#include "decap.h"
#include "expiry.h"
#include "hooks.h"
#include "link.h"
#include "loops.h"
#include "route.h"
#include "netns.h"

static unsigned int mipha_net_id __read_mostly;

struct mipha_net *mipha_net(const struct net *net)
{
	return net_generic(net, mipha_net_id);
}

u64 mipha_counter_read(struct mipha_net *mn, enum mipha_counter c)
{
	unsigned int start;
	u64 sum = 0, v;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct mipha_pcpu_stats *s = per_cpu_ptr(mn->pcpu_stats,
							       cpu);

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			v = u64_stats_read(&s->count[c]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum += v;
	}
	return sum;
}

static int __net_init mipha_net_init(struct net *net)
{
	struct mipha_net *mn = mipha_net(net);
	unsigned int i;
	int err;

	mn->net = net;
	mutex_init(&mn->lock);
	/* Whoever creates the namespace: any user can. */
	mn->memcg = get_mem_cgroup_from_mm(current->mm);
	mn->links_generation = 1;
	/* Any user can create a namespace in a user namespace of its own. */
	mn->max_bindings = net->user_ns == &init_user_ns ?
			   MIPHA_MAX_BINDINGS_DEFAULT :
			   MIPHA_MAX_BINDINGS_USERNS;
	for (i = 0; i < ARRAY_SIZE(mn->bcast_lists); i++)
		INIT_HLIST_HEAD(&mn->bcast_lists[i]);
	INIT_LIST_HEAD(&mn->links);
	/* Charged to whoever creates the namespace: any user can. */
	mn->pcpu_stats = __netdev_alloc_pcpu_stats(struct mipha_pcpu_stats,
						   GFP_KERNEL_ACCOUNT);
	if (!mn->pcpu_stats) {
		err = -ENOMEM;
		goto err_memcg;
	}
	err = mipha_table_init(&mn->table, &mn->lock, 0);
	if (err)
		goto err_stats;
	mipha_loops_init(mn);
	err = mipha_coa_init(mn);
	if (err)
		goto err_table;
	mipha_expiry_init(mn);
	return 0;

err_table:
	mipha_table_destroy(&mn->table);
err_stats:
	free_percpu(mn->pcpu_stats);
err_memcg:
	mem_cgroup_put(mn->memcg);
	return err;
}

/*
 * Teardown is staged:
 *  - pre_exit unregisters the netfilter hooks; packets may still be
 *    inside them, using the table, the route cache and the links;
 *  - cleanup_net() then waits for a grace period (one for the whole
 *    batch of dying namespaces): no packet is in our hooks any more;
 *  - exit stops the expiry work, drops the links and the cached routes
 *    and unlinks the table;
 *  - exit_batch waits for one more grace period, for RCU readers other
 *    than the hooks (none should remain, but the bindings are freed
 *    without a callback each, so be sure), then frees the tables.
 * Nothing can reach the tables meanwhile: netlink sockets pin their
 * namespace, and on module unload the family is gone already.
 */
static void __net_exit mipha_net_pre_exit(struct net *net)
{
	struct mipha_net *mn = mipha_net(net);

	mipha_lock(mn);
	mipha_hooks_unregister(mn);
	mipha_unlock(mn);
}

static void __net_exit mipha_net_exit(struct net *net)
{
	struct mipha_net *mn = mipha_net(net);

	mipha_expiry_stop(mn);
	mipha_links_destroy(mn);
	mipha_lock(mn);
	/* The expiry work may have emptied the table: hooks stay off. */
	WARN_ON_ONCE(mn->hooks_registered);
	/* A grace period has passed since pre_exit: no packet uses them. */
	mipha_route_cache_flush(mn);
	/* The device notifier may still run for this namespace. */
	mipha_coa_unlist_all(mn);
	mn->dying = rcu_dereference_protected(mn->table.ti,
					      lockdep_is_held(&mn->lock));
	RCU_INIT_POINTER(mn->table.ti, NULL);
	mn->table.count = 0;
	kfree(mn->table.spare);
	mn->table.spare = NULL;
	mipha_unlock(mn);
}

static void __net_exit mipha_net_exit_batch(struct list_head *net_list)
{
	struct net *net;

	synchronize_rcu();
	list_for_each_entry(net, net_list, exit_list) {
		struct mipha_net *mn = mipha_net(net);

		mipha_table_free_instance_bindings(mn->dying);
		mn->dying = NULL;
		mipha_bcast_free(mn);
		mipha_ha_addrs_free(mn);
		mipha_coa_destroy(mn);
		mipha_route_cache_free(mn);
		free_percpu(mn->pcpu_stats);
		mem_cgroup_put(mn->memcg);
		/* The lock stays usable: device notifiers of this namespace
		 * may still run after us.
		 */
	}
}

static struct pernet_operations mipha_net_ops = {
	.init = mipha_net_init,
	.pre_exit = mipha_net_pre_exit,
	.exit = mipha_net_exit,
	.exit_batch = mipha_net_exit_batch,
	.id = &mipha_net_id,
	.size = sizeof(struct mipha_net),
};

int mipha_netns_init(void)
{
	return register_pernet_subsys(&mipha_net_ops);
}

void mipha_netns_exit(void)
{
	unregister_pernet_subsys(&mipha_net_ops);
}

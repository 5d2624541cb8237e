// SPDX-License-Identifier: GPL-2.0
/*
 * GRO for the reverse tunnel: see gro.h.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <linux/slab.h>

#include "gro.h"

struct mipha_gro_cell {
	/* Locked: the cell's CPU queues, a drain may take from another. */
	struct sk_buff_head queue;
	struct napi_struct napi;
};

static struct net_device *gro_dev;
static struct mipha_gro_cell __percpu *gro_cells;

static int gro_poll(struct napi_struct *napi, int budget)
{
	struct mipha_gro_cell *cell = container_of(napi, struct mipha_gro_cell,
						   napi);
	struct sk_buff_head batch;
	struct sk_buff *skb;
	int done = 0;

	__skb_queue_head_init(&batch);
	spin_lock(&cell->queue.lock);
	while (done < budget && (skb = __skb_dequeue(&cell->queue))) {
		__skb_queue_tail(&batch, skb);
		done++;
	}
	spin_unlock(&cell->queue.lock);
	while ((skb = __skb_dequeue(&batch)))
		napi_gro_receive(napi, skb);
	/*
	 * Fewer than the budget: the queue was empty. A packet queued since
	 * found it empty and scheduled us: NAPI_STATE_MISSED polls again.
	 */
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

/*
 * GRO compares link headers (gro_list_prepare(): dev->hard_header_len
 * bytes at the MAC header) and taps on @dev read one: an Ethernet home link
 * gets one of its own, to itself. Devices without link headers get none.
 */
static int set_link_header(struct sk_buff *skb, const struct net_device *dev)
{
	struct ethhdr *eth;

	if (dev->type != ARPHRD_ETHER || dev->hard_header_len != ETH_HLEN ||
	    !dev->header_ops) {
		skb_reset_mac_header(skb);
		return 0;
	}
	if (skb_cow_head(skb, ETH_HLEN))
		return -ENOMEM;
	eth = skb_push(skb, ETH_HLEN);
	skb_reset_mac_header(skb);
	memcpy(eth->h_dest, dev->dev_addr, ETH_ALEN);
	memcpy(eth->h_source, dev->dev_addr, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	__skb_pull(skb, ETH_HLEN);
	return 0;
}

int mipha_gro_receive(struct sk_buff *skb, struct net_device *dev)
{
	struct mipha_gro_cell *cell;
	bool first;

	/*
	 * Checked under RCU: a device stops running (__dev_close_many())
	 * before a grace period and then NETDEV_DOWN, whose drain finds
	 * whatever was queued by those who saw it running.
	 */
	if (unlikely(!netif_running(dev)))
		return -ENETDOWN;
	/* GRO rewrites the shared info of what it merges: ours alone. */
	if (skb_unclone(skb, GFP_ATOMIC) || set_link_header(skb, dev))
		return -ENOMEM;
	skb->dev = dev;

	cell = this_cpu_ptr(gro_cells);
	spin_lock(&cell->queue.lock);
	if (unlikely(skb_queue_len(&cell->queue) >=
		     READ_ONCE(netdev_max_backlog))) {
		spin_unlock(&cell->queue.lock);
		dev_core_stats_rx_dropped_inc(dev);
		return -ENOBUFS;
	}
	first = skb_queue_empty(&cell->queue);
	__skb_queue_tail(&cell->queue, skb);
	spin_unlock(&cell->queue.lock);
	if (first)
		napi_schedule(&cell->napi);
	return 0;
}

/*
 * Empty and not scheduled: the last poll completed, flushing what GRO held,
 * and nothing is queued. (It may be scheduled again at once, but not for a
 * device that is not running: see mipha_gro_receive().)
 */
static bool cell_idle(struct mipha_gro_cell *cell)
{
	bool empty;

	spin_lock_bh(&cell->queue.lock);
	empty = skb_queue_empty(&cell->queue);
	spin_unlock_bh(&cell->queue.lock);
	return empty && !test_bit(NAPI_STATE_SCHED, &cell->napi.state);
}

/* Lock not held, RTNL or module exit: drops @dev's packets (NULL: all). */
static void cell_drain(struct mipha_gro_cell *cell, struct net_device *dev)
{
	struct sk_buff_head dead;
	struct sk_buff *skb, *tmp;
	bool more;

	__skb_queue_head_init(&dead);
	/*
	 * Not polled any more: GRO held nothing when the last poll completed
	 * (napi_complete_done() flushes it, or napi_complete() when the
	 * disable is pending), and nothing is being received from the queue.
	 */
	napi_disable(&cell->napi);
	spin_lock_bh(&cell->queue.lock);
	skb_queue_walk_safe(&cell->queue, skb, tmp) {
		if (dev && skb->dev != dev)
			continue;
		__skb_unlink(skb, &cell->queue);
		__skb_queue_tail(&dead, skb);
	}
	more = !skb_queue_empty(&cell->queue);
	spin_unlock_bh(&cell->queue.lock);
	if (dev) {
		napi_enable(&cell->napi);
		/* What was queued while disabled could not schedule it. */
		if (more) {
			local_bh_disable();
			napi_schedule(&cell->napi);
			local_bh_enable();
		}
	}
	while ((skb = __skb_dequeue(&dead))) {
		dev_core_stats_rx_dropped_inc(skb->dev);
		kfree_skb(skb);
	}
}

void mipha_gro_dev_down(struct mipha_net *mn, struct net_device *dev)
{
	int cpu;

	/*
	 * Replayed for running devices when our notifier is unregistered:
	 * nothing to do. A namespace whose hooks never ran queued nothing:
	 * gro_used is set before they are registered, and read here after
	 * the grace period __dev_close_many() waits for, which any hook that
	 * saw @dev running has left.
	 */
	if (netif_running(dev) || !READ_ONCE(mn->gro_used))
		return;
	for_each_possible_cpu(cpu) {
		struct mipha_gro_cell *cell = per_cpu_ptr(gro_cells, cpu);

		/* Most downs find most cells idle: no NAPI to stop. */
		if (!cell_idle(cell))
			cell_drain(cell, dev);
	}
}

int mipha_gro_init(void)
{
	int cpu;

	gro_dev = kzalloc(sizeof(*gro_dev), GFP_KERNEL);
	if (!gro_dev)
		return -ENOMEM;
	init_dummy_netdev(gro_dev);
	gro_cells = alloc_percpu(struct mipha_gro_cell);
	if (!gro_cells) {
		kfree(gro_dev);
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu) {
		struct mipha_gro_cell *cell = per_cpu_ptr(gro_cells, cpu);

		skb_queue_head_init(&cell->queue);
		/* Busy polling is for sockets of the NAPI's own device. */
		set_bit(NAPI_STATE_NO_BUSY_POLL, &cell->napi.state);
		netif_napi_add(gro_dev, &cell->napi, gro_poll);
		napi_enable(&cell->napi);
	}
	return 0;
}

void mipha_gro_exit(void)
{
	int cpu;

	/* No hook is left: what the cells hold is delivered or dropped. */
	for_each_possible_cpu(cpu) {
		struct mipha_gro_cell *cell = per_cpu_ptr(gro_cells, cpu);

		cell_drain(cell, NULL);
		__netif_napi_del(&cell->napi);
	}
	/* napi_list readers (netpoll) use RCU; gro_poll() is ours. */
	synchronize_net();
	free_percpu(gro_cells);
	kfree(gro_dev);
}

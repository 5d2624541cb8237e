// SPDX-License-Identifier: GPL-2.0
/*
 * GRO for the reverse tunnel: see gro.h.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/rtnetlink.h>
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
	 * Nothing stays in GRO past this poll, not even with the budget
	 * spent (net_rx_action() would then flush only what is older than a
	 * jiffy): what it holds has no reference on its skb->dev, and a
	 * device's teardown waits only for the polls under way (see
	 * cells_drop()). napi_gro_flush() hands them to the rx list, which
	 * gro_normal_list() delivers in the same softirq: in
	 * napi_complete_done() below, or in __napi_poll() when we return the
	 * budget (directly, or through napi_complete() with a disable
	 * pending). (gro_normal_list() itself calls what is not exported.)
	 */
	napi_gro_flush(napi, false);
	/*
	 * Fewer than the budget: the queue was empty. A packet queued since
	 * found it empty and scheduled us: NAPI_STATE_MISSED polls again.
	 */
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

/*
 * The source address of the Ethernet header we give a decapsulated packet:
 * the link's own with its locally administered bit flipped. Not the
 * link's own: a bridge port warns of every frame received with its own
 * address as the source (br_fdb_update()); not all-zero, which a bridge
 * drops as invalid (br_handle_frame()); and one per link, not one for all:
 * a bridge would learn a shared one on each home link port in turn, and
 * send a notification at every move. For a link with a vendor address
 * (a NIC), the result is locally administered, which no vendor uses.
 */
static void gro_src_mac(u8 *src, const struct net_device *dev)
{
	ether_addr_copy(src, dev->dev_addr);
	src[0] ^= 0x02;
}

/*
 * GRO compares link headers (gro_list_prepare(): dev->hard_header_len
 * bytes at the MAC header) and taps on @dev read one: an Ethernet home link
 * gets an Ethernet header, to its own address from gro_src_mac(). Other
 * links get none,
 * as ip_tunnel_rcv() gives none to the packets of an IPIP or GRE device:
 * the MAC header is the network header and mac_len 0, so that their
 * header_ops (if any: ipgre_header_parse()) and taps read no bytes of
 * ours. Returns 1 for such a link whose hard_header_len is not 0: GRO
 * would compare that many bytes at the network header (the IP header
 * itself, different in every packet, maybe past the linear data), so the
 * packet must not go through GRO.
 */
static int set_link_header(struct sk_buff *skb, const struct net_device *dev)
{
	struct ethhdr *eth;

	if (dev->type != ARPHRD_ETHER || dev->hard_header_len != ETH_HLEN ||
	    !dev->header_ops) {
		skb_reset_mac_header(skb);
		skb->mac_len = 0;
		return dev->hard_header_len ? 1 : 0;
	}
	if (skb_cow_head(skb, ETH_HLEN))
		return -ENOMEM;
	eth = skb_push(skb, ETH_HLEN);
	skb_reset_mac_header(skb);
	skb->mac_len = ETH_HLEN;
	ether_addr_copy(eth->h_dest, dev->dev_addr);
	gro_src_mac(eth->h_source, dev);
	eth->h_proto = htons(ETH_P_IP);
	__skb_pull(skb, ETH_HLEN);
	return 0;
}

int mipha_gro_receive(struct sk_buff *skb, struct net_device *dev)
{
	struct mipha_gro_cell *cell;
	bool first;
	int err;

	/*
	 * Checked under RCU, as gro_cells_receive() checks IFF_UP. Running
	 * alone is not enough: __dev_open() sets __LINK_STATE_START before
	 * ndo_open() and clears it again, with no grace period and no
	 * NETDEV_DOWN, if that fails; IFF_UP is set only once it succeeded.
	 * A device going down stops running, then waits for a grace period
	 * (synchronize_net() in dev_deactivate_many()) and clears IFF_UP
	 * before NETDEV_DOWN: the drain then finds whatever was queued by
	 * those who saw it up (gro_netdev_event()).
	 */
	if (unlikely(!netif_running(dev) || !(READ_ONCE(dev->flags) & IFF_UP)))
		return -ENETDOWN;
	/* GRO rewrites the shared info of what it merges: ours alone. */
	if (skb_unclone(skb, GFP_ATOMIC))
		return -ENOMEM;
	err = set_link_header(skb, dev);
	if (err < 0)
		return err;
	skb->dev = dev;
	/*
	 * As gro_cells_receive(): GRO off or XDP on the home link (or a link
	 * header GRO cannot compare) takes the backlog, which counts its
	 * own drops in @dev's rx_dropped and frees the packet.
	 */
	if (err || netif_elide_gro(dev))
		return netif_rx(skb) == NET_RX_DROP ? MIPHA_GRO_DROPPED : 0;

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
 * Drops @dev's packets from one cell (NULL: all) onto @dead. The queue is
 * taken out whole under its lock and sorted outside it, so that a long
 * queue (netdev_max_backlog may be 100,000) does not hold up the cell's
 * CPU, whose receive and poll take the same lock, for every device going
 * down in any namespace; what stays goes back at the head (new packets
 * only ever go to the tail: the order is kept), and the cell is scheduled,
 * since a poll may have found the queue empty meanwhile and completed.
 */
static void cell_drop(struct mipha_gro_cell *cell, struct net_device *dev,
		      struct sk_buff_head *dead)
{
	struct sk_buff_head mine;
	struct sk_buff *skb, *tmp;

	__skb_queue_head_init(&mine);
	spin_lock_bh(&cell->queue.lock);
	skb_queue_splice_init(&cell->queue, &mine);
	spin_unlock_bh(&cell->queue.lock);
	skb_queue_walk_safe(&mine, skb, tmp) {
		if (dev && skb->dev != dev)
			continue;
		__skb_unlink(skb, &mine);
		__skb_queue_tail(dead, skb);
	}
	if (skb_queue_empty(&mine))
		return;
	spin_lock_bh(&cell->queue.lock);
	skb_queue_splice(&mine, &cell->queue);
	spin_unlock_bh(&cell->queue.lock);
	local_bh_disable();
	napi_schedule(&cell->napi);
	local_bh_enable();
}

/*
 * Drops @dev's packets from every cell (NULL: all packets), counted in
 * their device's rx_dropped. RTNL held. What keeps every device we touch
 * here alive is that none keeps a packet past its own NETDEV_UNREGISTER
 * (this runs then), and device events are serialised by RTNL: a device
 * whose packets are still queued has not had its unregistration yet.
 * NAPIs are left alone: a poll takes from a queue under the same lock,
 * and what it took before us it delivers (to a device that is down, as
 * the backlog does) before it ends; nothing stays in GRO past a poll
 * (gro_poll()).
 */
static void cells_drop(struct net_device *dev)
{
	struct sk_buff_head dead;
	struct sk_buff *skb;
	int cpu;

	ASSERT_RTNL();
	__skb_queue_head_init(&dead);
	for_each_possible_cpu(cpu) {
		struct mipha_gro_cell *cell = per_cpu_ptr(gro_cells, cpu);

		/*
		 * Whoever queued a packet of @dev did so before the grace
		 * period that preceded its NETDEV_DOWN: seen without the lock.
		 */
		if (skb_queue_empty_lockless(&cell->queue))
			continue;
		cell_drop(cell, dev, &dead);
	}
	while ((skb = __skb_dequeue(&dead))) {
		dev_core_stats_rx_dropped_inc(skb->dev);
		kfree_skb(skb);
	}
}

/*
 * A device going down, in any namespace, takes its packets out of the
 * cells, and only its own: other devices' packets and the NAPIs are not
 * touched, so a namespace flapping its devices costs others nothing but a
 * look at each queue. Again at NETDEV_UNREGISTER, should a packet have been
 * queued for a device that never came up (see mipha_gro_receive()).
 *
 * Packets of the device that a poll took before the drain: a poll runs
 * with BHs off, a read-side critical section of RCU, and delivers them or
 * holds them in GRO only until it ends (gro_poll()). unregister_netdevice_
 * many() calls synchronize_net() after NETDEV_UNREGISTER and before the
 * device can be freed (net/core/dev.c of 6.1, twice: after unlisting it
 * and after the notifiers), so every poll that could hold one of them has
 * ended by then.
 *
 * Our own notifier, not link.c's: it must outlive every namespace's hooks
 * (unregistered in mipha_gro_exit(), after mipha_netns_exit()), and it
 * reads nothing of a namespace's mipha state.
 */
static int gro_netdev_event(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	if (event == NETDEV_DOWN || event == NETDEV_UNREGISTER)
		cells_drop(netdev_notifier_info_to_dev(ptr));
	return NOTIFY_DONE;
}

static struct notifier_block gro_notifier = {
	.notifier_call = gro_netdev_event,
};

/* Stops every cell's polls. */
static void cells_stop(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		napi_disable(&per_cpu_ptr(gro_cells, cpu)->napi);
}

/* Frees the stopped, empty cells and their device. */
static void cells_free(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		__netif_napi_del(&per_cpu_ptr(gro_cells, cpu)->napi);
	/* napi_list readers (netpoll) use RCU; gro_poll() is ours. */
	synchronize_net();
	free_percpu(gro_cells);
	kfree(gro_dev);
}

int mipha_gro_init(void)
{
	int cpu, err;

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
	/* Nothing is queued yet: the events it replays find empty cells. */
	err = register_netdevice_notifier(&gro_notifier);
	if (err)
		goto err_notifier;
	return 0;

err_notifier:
	cells_stop();
	cells_free();
	return err;
}

void mipha_gro_exit(void)
{
	/*
	 * After every namespace's exit: no hook is left (pre_exit
	 * unregistered them and a grace period passed before exit), so
	 * nothing is queued any more. Under RTNL, so that no device goes
	 * while its packets are counted: stop the polls, then drop what the
	 * cells still hold (packets of devices that are up; those of every
	 * device that went down were dropped by our notifier).
	 */
	rtnl_lock();
	cells_stop();
	cells_drop(NULL);
	rtnl_unlock();
	/* The events it replays find the cells empty. */
	unregister_netdevice_notifier(&gro_notifier);
	cells_free();
}

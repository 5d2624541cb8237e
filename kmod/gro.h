/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GRO for the reverse tunnel. A decapsulated packet is queued on a per-CPU
 * cell whose NAPI hands it to napi_gro_receive(), as include/net/gro_cells.h
 * does for the kernel's tunnel devices, instead of netif_rx() (a second
 * ip_rcv() per packet, never aggregated).
 *
 * Why not gro_cells itself: a gro_cells belongs to one device, the one its
 * packets are received on, and that device's teardown destroys it. Ours
 * serve every home link of every namespace (the packet enters on its home
 * link, skb->dev), and a home link can go while packets of it wait in a
 * cell or are held by GRO: it does not wait for them (they hold no
 * reference, as in the backlog, which unregister_netdevice flushes). The
 * cells must then drop that device's packets, which struct gro_cell, private
 * to net/core/gro_cells.c, gives no way to do. So these are gro_cells with
 * a lock on the queue (the cell of a CPU is drained from another) and a
 * drain per device, on the NETDEV_DOWN and NETDEV_UNREGISTER of any
 * device (gro.c's own notifier).
 *
 * Why module-wide: GRO needs a NAPI, and a NAPI a net_device (a dummy,
 * init_dummy_netdev(), about 2.5 KiB), plus a NAPI and a queue per
 * possible CPU (about 0.5 KiB each: 128 KiB on a 256-CPU machine). Per
 * namespace, any user could pin that much per namespace it creates in a
 * user namespace, and alloc_percpu() is not charged to it. One set serves
 * all: GRO never merges packets of different devices (gro_list_prepare()),
 * so namespaces do not mix; they share the per-CPU queues as they share
 * the per-CPU backlog of netif_rx(), bounded the same (netdev_max_backlog).
 */
#ifndef _MIPHA_GRO_H
#define _MIPHA_GRO_H

#include <linux/netdevice.h>
#include <linux/skbuff.h>

/*
 * Module init, before any hook can run; exit after every namespace's
 * (their hooks gone), which is when its netdevice notifier goes.
 */
int mipha_gro_init(void);
void mipha_gro_exit(void);

/*
 * BHs off, under rcu_read_lock(): @skb, a decapsulated IPv4 packet at its
 * network header, enters on @dev through GRO. 0, or -errno and @skb is
 * still the caller's: -ENETDOWN (@dev not up), -ENOBUFS (this CPU's
 * queue is full, counted in @dev's rx_dropped), -ENOMEM. With GRO off or
 * XDP on @dev (netif_elide_gro()), @skb goes to netif_rx(): 0, or
 * MIPHA_GRO_DROPPED if the backlog dropped it (consumed all the same).
 */
#define MIPHA_GRO_DROPPED	1
int mipha_gro_receive(struct sk_buff *skb, struct net_device *dev);

#endif /* _MIPHA_GRO_H */

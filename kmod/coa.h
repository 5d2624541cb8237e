/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Care-of address objects: one per distinct care-of address of a
 * namespace's bindings, shared by every binding behind it (a foreign agent
 * serves many mobile nodes), like IPVS's struct ip_vs_dest for the
 * connections to one real server.
 *
 * Each binding holds a reference on the object of its care-of address
 * (mipha_binding.coa_obj), taken before it is published and dropped when it
 * is removed or replaced, under mn->lock (loops.c does both: the reference
 * count is also the loop accounting's refs(A)). The packet path reaches the
 * object through the binding under RCU, so the last put frees it after a
 * grace period, and the route cached on it (route.c) is released then, in
 * the RCU callback: a packet still holding the binding may have cached a
 * new route on it after the put.
 *
 * The objects are also in an rhashtable by address (for the references and
 * mipha_coa_in_use()) and on a list walked under mn->lock by the device
 * notifier (route.c).
 *
 * And the object numbers the packets sent to its address: the outer IP
 * header's Identification comes from a counter of its own (mipha_coa_ip_id()).
 * The kernel's generator (__ip_select_ident(), which iptunnel_xmit() calls)
 * shares a hashed table of counters between all destinations; a counter
 * idle since the last jiffy gets a random increment (the defence against
 * one destination's counter being observed through another's), so a packet
 * to one of thousands of destinations pays two cold lines of that table, a
 * cmpxchg and a random draw: 12% of a tunnelled packet at 65,536 care-of
 * addresses (scripts/bench-forward --attribute). The object is already
 * read for the route, and a counter per destination, started at a random
 * value, is the algorithm RFC 7739 recommends (for IPv6's fragment IDs; the
 * IPv4 requirement is RFC 791's and RFC 6864's: unique per source,
 * destination and protocol while fragments may live). It shares nothing
 * between destinations, which is what the kernel's random steps defend, and
 * is seen only by whoever receives at that address, who sees every packet
 * anyway. Two things it gives up, knowingly: an object created again for an
 * address (its last binding went, then a new one came) starts at a new
 * random value, not where the old one stopped, so each datagram
 * fragmented after it may share its ID with one of those fragmented
 * before, whose fragments may still wait at the receiver (30 s), with
 * probability 2^-16 for each such pair; and a kernel tunnel device with the
 * same endpoints and protocol numbers its packets apart from ours.
 */
#ifndef _MIPHA_COA_H
#define _MIPHA_COA_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/list.h>
#include <linux/rhashtable-types.h>
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <net/dst.h>

#include "netns.h"

struct mipha_coa {
	/*
	 * The cached route to the address (route.c): what the packet path
	 * reads, first. @dst is held by the object, NULL when none; @saddr,
	 * @tos and @proto are the key it was looked up with, @src the
	 * source the lookup gave. Changed under @lock, inside @seq, so a
	 * reader sees a route and its key together without taking a
	 * reference or a lock.
	 */
	seqcount_spinlock_t seq;
	__be32 saddr;
	__be32 src;
	u8 tos;
	u8 proto;
	struct dst_entry *dst;
	spinlock_t lock;		/* writers of the route */

	__be32 addr;			/* the key */
	struct rhash_head node;

	/*
	 * Written by every packet, in the route's line: a line of its own
	 * would double the object (a second object per binding where every
	 * node has a co-located care-of address: 293 bytes a binding at
	 * 500,000 instead of 229, over the 256 the fast path is held to).
	 * The price, on a router with many CPUs sending to one address: a
	 * packet on a CPU that did not write the line last reads it shared
	 * and then takes it for the write, and the reverse tunnel's check
	 * of the source (mipha_coa_in_use(), which reads @addr and @node)
	 * loses its shared copy to those writes. Not measurable under TCG
	 * (no cache model); the memory is.
	 */
	atomic_t ip_id;
	u32 refs;			/* bindings holding it; mn->lock */
	/*
	 * One line in all (64 bytes without lock debugging). The rule that
	 * makes the union safe: no access to @list once @refs is 0.
	 * mipha_coa_put() takes the object off the list (walked only under
	 * mn->lock) before call_rcu(), and nothing looks at the node of an
	 * object it does not hold.
	 */
	union {
		struct list_head list;	/* mn->coa_list; mn->lock */
		struct rcu_head rcu;
	};
} ____cacheline_aligned_in_smp;

/*
 * The Identification of the first of @segs packets (a GSO packet's
 * segments are numbered on from it) to the object's address.
 */
static inline u16 mipha_coa_ip_id(struct mipha_coa *coa, unsigned int segs)
{
	return atomic_add_return(segs, &coa->ip_id) - segs;
}

/* Module init and exit: the objects' slab cache. */
int mipha_coa_cache_init(void);
void mipha_coa_cache_exit(void);

/* The namespace's table of care-of addresses: empty. */
int mipha_coa_init(struct mipha_net *mn);
/* No reader can reach any object any more: free them all at once. */
void mipha_coa_destroy(struct mipha_net *mn);
/* Lock held, after a flush (no packet in the hooks): empty again. */
void mipha_coa_reset(struct mipha_net *mn);
/*
 * Lock held, namespace exit (no packet in the hooks): the device notifier
 * finds no object any more; they are freed later by mipha_coa_destroy().
 */
void mipha_coa_unlist_all(struct mipha_net *mn);

/* Lock held: a reference on @addr's object, created if need be; ERR_PTR. */
struct mipha_coa *mipha_coa_get(struct mipha_net *mn, __be32 addr);
/* Lock held: drop it; the last one frees it after a grace period. */
void mipha_coa_put(struct mipha_net *mn, struct mipha_coa *coa);
/* Lock held: how many bindings have @addr as care-of address. */
u32 mipha_coa_refs(struct mipha_net *mn, __be32 addr);
/* Under RCU, hooks registered: is @addr some binding's care-of address? */
bool mipha_coa_in_use(struct mipha_net *mn, __be32 addr);
/* Kernel memory held by the objects (not the routes: the FIB's). */
size_t mipha_coa_memory(struct mipha_net *mn);

#endif /* _MIPHA_COA_H */

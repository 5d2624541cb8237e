/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kernel_adapter: mirrors the binding store into mipha.ko.
 *
 * A client submits an operation (install, replace, delete) with a
 * completion callback; kadapter_flush() sends everything submitted as one
 * netlink batch (one sendmsg(), one ACK) and calls each completion with the
 * outcome. It knows nothing of who submitted: a burst of registrations,
 * expiry timers, later a peer's updates or an IPSP handoff all go the same
 * way. Batch tags are the adapter's own operation numbers.
 *
 * When the exchange itself fails (the answers were lost: ENOBUFS, a
 * timeout), each operation's outcome is looked up in the kernel: an install
 * whose binding the kernel holds exactly as sent (same CoA, same agent
 * cookie) succeeded, a delete whose binding is gone succeeded. An outcome
 * the lookup cannot tell is reported as unknown: the client must then treat
 * the binding as possibly installed (never free its address) until a
 * resync.
 *
 * "Install or hold": in KADAPTER_HOLD the adapter completes every operation
 * at once without touching the kernel, so a standby can keep records it
 * does not forward for. We run standbys in KADAPTER_INSTALL: the seeds have
 * both home agents of a pair forwarding (and redundancy's virtual-network
 * mode accepts registrations on both), a standby's proxy ARP is off so it
 * forwards only what is routed to it, and a takeover then needs no bulk
 * install at the moment when time matters. HOLD stays for a standby that
 * must not forward at all; switching to INSTALL is the client's to follow
 * with a resubmission of what it holds.
 *
 * Not thread safe; one adapter per kernel socket.
 */
#ifndef MIPHA_KERNEL_ADAPTER_H
#define MIPHA_KERNEL_ADAPTER_H

#include <stdbool.h>
#include <stdint.h>
#include <netinet/in.h>

#include "kernel.h"

struct kadapter;
struct loop;

enum kadapter_mode {
	KADAPTER_INSTALL, /* operations go to the kernel */
	KADAPTER_HOLD,	  /* completed without the kernel */
};

/* The outcome of one operation. */
struct kadapter_result {
	int err;       /* 0, the kernel's error, or the exchange's */
	bool verified; /* the answer was lost and looked up */
	bool unknown;  /* ... and the lookup failed too: may have been done */
};

typedef void (*kadapter_done_fn)(void *ctx, const struct kadapter_result *res);

/*
 * The transport (kernel.c over a socket; tests fake it). Each returns what
 * the kernel.c function of the same name does.
 */
struct kadapter_io {
	int (*batch_send)(void *ctx, struct kernel_batch *batch,
			  kernel_batch_err_cb cb, void *data);
	int (*get)(void *ctx, struct in_addr home, kernel_binding_cb cb,
		   void *data);
	int (*dump)(void *ctx, const struct kernel_dump_ops *ops, void *data);
};

/* Over a kernel.c socket. NULL if out of memory. */
struct kadapter *kadapter_new(struct kernel_sock *ks, struct loop *l);
/* Over another transport, with a batch of its own (tests). */
struct kadapter *kadapter_new_io(const struct kadapter_io *io, void *io_ctx,
				 struct kernel_batch *batch, struct loop *l);
/* Operations not flushed yet complete with -ECANCELED. */
void kadapter_free(struct kadapter *ka);

void kadapter_set_mode(struct kadapter *ka, enum kadapter_mode mode);
enum kadapter_mode kadapter_mode(const struct kadapter *ka);

/*
 * Queue an operation on kb (copied, cookie included). 0; -ENOSPC when the
 * batch is full (flush, then submit again); -ENOMEM. In HOLD mode done is
 * called before this returns.
 */
int kadapter_submit(struct kadapter *ka, enum kernel_op op,
		    const struct kernel_binding *kb, kadapter_done_fn done,
		    void *ctx);
/* Operations queued and not flushed yet. */
unsigned int kadapter_pending(const struct kadapter *ka);
/*
 * Send what is queued as one batch and complete every operation. Returns
 * the number that failed (>= 0), or the exchange's negative errno (the
 * completions have been called in either case).
 */
int kadapter_flush(struct kadapter *ka);
/* Flush from the loop, soon: for submitters that are not a burst. */
void kadapter_flush_soon(struct kadapter *ka);

/* Rebuild from the kernel's table: a dump, through ops. */
int kadapter_resync(struct kadapter *ka, const struct kernel_dump_ops *ops,
		    void *data);

#endif /* MIPHA_KERNEL_ADAPTER_H */

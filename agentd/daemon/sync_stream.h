/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sync_stream: one direction of a peer-sync stream, as sequence numbers.
 *
 * Peer sync sends every change of the binding store to each peer on one
 * ordered stream (dynamic events and bulk downloads interleaved, so that a
 * delete can never be overtaken by a stale copy). TLS over TCP keeps the
 * order while a connection lasts; what it cannot do is survive the
 * connection. This module is what does: pure bookkeeping over opaque
 * frames, no I/O and no codec.
 *
 * Sender (struct sync_out). Each sequenced frame takes the next number of
 * the stream and is retained until the peer acknowledges it. When a
 * connection breaks and comes back, the peer says (in its HELLO) the last
 * number it applied; if the sender still retains everything after it, it
 * resends exactly that and the stream goes on without a bulk download
 * (a link flap, a peer's address moving to another HSRP group). Retention
 * is bounded in bytes: past the bound the oldest frames go, and a peer
 * that stopped before them needs a bulk download. The epoch is drawn at
 * random when the stream starts (the daemon starts): numbers of an earlier
 * life never match.
 *
 * Receiver (struct sync_in). The next frame must carry the next number. A
 * smaller one is a resend of what was applied already (skipped); a larger
 * one is a gap, which cannot happen on an ordered stream unless the peer
 * lost frames: the connection is closed and a bulk download requested.
 * After a HELLO the first frame may also be a BULK_START at any number
 * the sender chose (it could not resume): the stream restarts there.
 * Acknowledgements are cumulative and coalesced, so the sender sees its
 * lag without an ack per frame.
 */
#ifndef MIPHA_SYNC_STREAM_H
#define MIPHA_SYNC_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sync_retained;

struct sync_out {
	uint64_t epoch;
	uint64_t next_seq; /* the number of the next frame (from 1) */
	uint64_t acked;	   /* every frame up to this one was applied */
	uint64_t floor;	   /* frames up to this one are no longer retained */
	size_t retained_bytes;
	size_t limit;			   /* of retained_bytes */
	struct sync_retained *head, *tail; /* retained, oldest first */
	/* counters */
	uint64_t frames, bytes, resent, dropped;
};

/* Retain at most limit bytes of unacknowledged frames. */
void sync_out_init(struct sync_out *o, uint64_t epoch, size_t limit);
void sync_out_fini(struct sync_out *o);

/* The number the next frame must carry (write it into its header). */
static inline uint64_t sync_out_next(const struct sync_out *o)
{
	return o->next_seq;
}

/*
 * Frame buf (carrying sync_out_next()) was queued for the peer: retain a
 * copy and move on. 0 or -ENOMEM (then nothing is retained and the stream
 * can no longer resume before this frame: floor moves past it).
 */
int sync_out_sent(struct sync_out *o, const void *buf, size_t len);

/*
 * The peer acknowledged every frame up to seq. 0; -EINVAL if it
 * acknowledges a frame never sent or goes back (a broken peer).
 */
int sync_out_ack(struct sync_out *o, uint64_t seq);

/* Frames sent and not acknowledged yet. */
static inline uint64_t sync_out_lag(const struct sync_out *o)
{
	return o->next_seq - 1 - o->acked;
}

typedef int (*sync_resend_fn)(void *ctx, uint64_t seq, const void *buf,
			      size_t len);

/*
 * A new connection: the peer applied our stream of epoch up to seq. If
 * the stream can go on from there, resend() is called for every retained
 * frame after seq, oldest first, and 0 returned (or resend's error).
 * -ESTALE: it cannot (another epoch, or frames after seq were dropped):
 * the peer needs a bulk download. -EINVAL: seq was never sent.
 */
int sync_out_resume(struct sync_out *o, uint64_t epoch, uint64_t seq,
		    sync_resend_fn resend, void *ctx);

struct sync_in {
	uint64_t epoch;	   /* the peer's stream; 0: none yet */
	uint64_t applied;  /* the last frame applied */
	uint64_t ack_sent; /* the last acknowledgement sent */
	bool restarting;   /* after a HELLO: a BULK_START may restart */
	/* counters */
	uint64_t frames, duplicates, gaps;
};

enum sync_in_verdict {
	SYNC_IN_APPLY, /* the next frame: apply it, then sync_in_applied() */
	SYNC_IN_DUPLICATE, /* applied already (a resend): skip it */
	SYNC_IN_GAP,	   /* frames were lost: close, ask for a bulk */
};

void sync_in_init(struct sync_in *in);

/*
 * A HELLO from the peer: its stream is epoch. Returns the number to ask it
 * to resume from (what we applied of that epoch; 0 for a new one).
 */
uint64_t sync_in_hello(struct sync_in *in, uint64_t epoch);

/* What to do with the sequenced frame seq (bulk_start: a BULK_START). */
enum sync_in_verdict sync_in_check(struct sync_in *in, uint64_t seq,
				   bool bulk_start);
/* Frame seq, found SYNC_IN_APPLY, was applied. */
void sync_in_applied(struct sync_in *in, uint64_t seq);

/*
 * Is an acknowledgement due? Yes once every frames applied frames went
 * unacknowledged, or when the caller's timer asks (force) and any did.
 * The caller sends ACK(in->applied), then sync_in_acked().
 */
bool sync_in_ack_due(const struct sync_in *in, uint64_t every, bool force);
void sync_in_acked(struct sync_in *in);

#endif /* MIPHA_SYNC_STREAM_H */

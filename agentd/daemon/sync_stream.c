// SPDX-License-Identifier: GPL-2.0
/*
 * sync_stream: see sync_stream.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sync_stream.h"

struct sync_retained {
	struct sync_retained *next;
	uint64_t seq;
	size_t len;
	uint8_t data[];
};

void sync_out_init(struct sync_out *o, uint64_t epoch, size_t limit)
{
	memset(o, 0, sizeof(*o));
	o->epoch = epoch;
	o->next_seq = 1;
	o->limit = limit;
}

/* Forget the oldest retained frame: no resume before it any more. */
static void drop_head(struct sync_out *o)
{
	struct sync_retained *f = o->head;

	o->head = f->next;
	if (!o->head)
		o->tail = NULL;
	o->retained_bytes -= f->len;
	if (f->seq > o->floor)
		o->floor = f->seq;
	free(f);
}

void sync_out_fini(struct sync_out *o)
{
	while (o->head)
		drop_head(o);
}

int sync_out_sent(struct sync_out *o, const void *buf, size_t len)
{
	uint64_t seq = o->next_seq++;
	struct sync_retained *f;

	o->frames++;
	o->bytes += len;
	f = malloc(sizeof(*f) + len);
	if (!f) {
		/* A hole in what we retain: resuming must start after it. */
		while (o->head)
			drop_head(o);
		o->floor = seq;
		o->dropped++;
		return -ENOMEM;
	}
	f->next = NULL;
	f->seq = seq;
	f->len = len;
	memcpy(f->data, buf, len);
	if (o->tail)
		o->tail->next = f;
	else
		o->head = f;
	o->tail = f;
	o->retained_bytes += len;
	/* Keep the newest: a peer that fell further behind needs a bulk. */
	while (o->retained_bytes > o->limit && o->head) {
		drop_head(o);
		o->dropped++;
	}
	return 0;
}

int sync_out_ack(struct sync_out *o, uint64_t seq)
{
	if (seq >= o->next_seq || seq < o->acked)
		return -EINVAL;
	o->acked = seq;
	/* Acknowledged frames are never resent: the floor moves too. */
	while (o->head && o->head->seq <= seq)
		drop_head(o);
	if (seq > o->floor)
		o->floor = seq;
	return 0;
}

int sync_out_resume(struct sync_out *o, uint64_t epoch, uint64_t seq,
		    sync_resend_fn resend, void *ctx)
{
	struct sync_retained *f;
	int err;

	if (epoch != o->epoch)
		return -ESTALE;
	if (seq >= o->next_seq)
		return -EINVAL;
	/* Frames after seq were dropped (acknowledged ones are too). */
	if (seq < o->floor)
		return -ESTALE;
	err = sync_out_ack(o, seq);
	if (err)
		return err;
	for (f = o->head; f; f = f->next) {
		err = resend(ctx, f->seq, f->data, f->len);
		if (err)
			return err;
		o->resent++;
	}
	return 0;
}

void sync_in_init(struct sync_in *in)
{
	memset(in, 0, sizeof(*in));
}

uint64_t sync_in_hello(struct sync_in *in, uint64_t epoch)
{
	if (epoch != in->epoch) {
		in->epoch = epoch;
		in->applied = 0;
		in->ack_sent = 0;
	}
	in->restarting = true;
	return in->applied;
}

enum sync_in_verdict sync_in_check(struct sync_in *in, uint64_t seq,
				   bool bulk_start)
{
	in->frames++;
	if (seq == in->applied + 1) {
		in->restarting = false;
		return SYNC_IN_APPLY;
	}
	if (seq <= in->applied) {
		in->duplicates++;
		return SYNC_IN_DUPLICATE;
	}
	if (in->restarting && bulk_start) {
		/* The peer could not resume: its stream starts over here. */
		in->restarting = false;
		in->applied = seq - 1;
		in->ack_sent = seq - 1;
		return SYNC_IN_APPLY;
	}
	in->gaps++;
	return SYNC_IN_GAP;
}

void sync_in_applied(struct sync_in *in, uint64_t seq)
{
	in->applied = seq;
}

bool sync_in_ack_due(const struct sync_in *in, uint64_t every, bool force)
{
	uint64_t n = in->applied - in->ack_sent;

	return n >= every || (force && n > 0);
}

void sync_in_acked(struct sync_in *in)
{
	in->ack_sent = in->applied;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the peer sync codec (sync_msg.c) on what a peer's TLS
 * stream may carry. The input is the stream: frames one after another,
 * cut where sync_frame_peek() says, each decoded from an exact-size copy
 * (any read past the end is caught). Decoding must never crash, and must
 * answer one of the documented errors or a frame that holds together.
 *
 * Every frame that decodes is encoded again and must come out as it came
 * in, but for what receivers ignore (header flags; HELLO's features,
 * once reserved, travel as sent); one byte less of buffer is refused
 * without a write past it. A BINDINGS frame is taken apart entry by
 * entry and built again twice: from the decoded entries (every field, AAA attributes included; unknown TLVs
 * and flag bits dropped), and from the binding records a receiver would
 * make of them, as its sender would send those records back. Both frames
 * must fit where the original did and decode to the same entries (the
 * second with elapsed_ms clamped at the lifetime, as the receiver's
 * expiry is). What stops a reader (an incomplete frame, another version,
 * a length too large) ends the input; a frame whose body is malformed,
 * on which a reader would close the connection, is stepped over so the
 * rest of the input is decoded too.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The receiver's monotonic clock: not 0, so no expiry is clamped to 1. */
#define NOW_MS 1000000000ull
/* The most entries a frame can hold: each at least its head and fixed part. */
#define MAX_ENTRIES \
	(SYNC_FRAME_MAX / (SYNC_ENTRY_HDR_LEN + SYNC_ENTRY_FIXED_LEN) + 1)

static void check(bool ok)
{
	if (!ok)
		abort();
}

static bool same_hello(const struct sync_hello *a, const struct sync_hello *b)
{
	unsigned int i;

	if (a->node_id != b->node_id || a->mode != b->mode ||
	    a->role != b->role || a->features != b->features ||
	    a->stream_epoch != b->stream_epoch ||
	    a->resume_epoch != b->resume_epoch ||
	    a->resume_from != b->resume_from ||
	    memcmp(a->digest, b->digest, sizeof(a->digest)) ||
	    a->n_sections != b->n_sections || a->n_groups != b->n_groups)
		return false;
	for (i = 0; i < a->n_sections; i++)
		if (a->sections[i].name_len != b->sections[i].name_len ||
		    memcmp(a->sections[i].name, b->sections[i].name,
			   a->sections[i].name_len) ||
		    memcmp(a->sections[i].digest, b->sections[i].digest,
			   SYNC_DIGEST_LEN))
			return false;
	for (i = 0; i < a->n_groups; i++)
		if (a->groups[i].name_len != b->groups[i].name_len ||
		    memcmp(a->groups[i].name, b->groups[i].name,
			   a->groups[i].name_len))
			return false;
	return true;
}

/* Every field the encoder writes (AAA attributes only if with_aaa). */
static bool same_entry(const struct sync_entry *a, const struct sync_entry *b,
		       bool with_aaa)
{
	unsigned int i;

	if (a->op != b->op || a->cause != b->cause ||
	    a->home_addr.s_addr != b->home_addr.s_addr ||
	    a->coa.s_addr != b->coa.s_addr ||
	    a->ha_addr.s_addr != b->ha_addr.s_addr ||
	    a->src.s_addr != b->src.s_addr || a->spi != b->spi ||
	    a->granted != b->granted || a->elapsed_ms != b->elapsed_ms ||
	    a->kflags != b->kflags || a->version != b->version ||
	    a->reg_time_ms != b->reg_time_ms ||
	    a->replay.seen != b->replay.seen ||
	    a->replay.last_id != b->replay.last_id ||
	    a->replay.ha_nonce != b->replay.ha_nonce ||
	    a->replay.has_nonce != b->replay.has_nonce ||
	    a->req_flags != b->req_flags ||
	    a->replay_method != b->replay_method || a->encap != b->encap ||
	    a->flags != b->flags || a->nai_len != b->nai_len ||
	    (a->nai_len && memcmp(a->nai, b->nai, a->nai_len)) ||
	    strcmp(a->pool, b->pool) || strcmp(a->link, b->link))
		return false;
	if (!with_aaa)
		return true;
	if (a->n_aaa != b->n_aaa)
		return false;
	for (i = 0; i < a->n_aaa; i++)
		if (a->aaa[i].type != b->aaa[i].type ||
		    a->aaa[i].len != b->aaa[i].len ||
		    (a->aaa[i].len &&
		     memcmp(a->aaa[i].value, b->aaa[i].value, a->aaa[i].len)))
			return false;
	return true;
}

/* What a decoded entry is bound to be, whatever the input. */
static void check_entry(const struct sync_entry *e, const uint8_t *body,
			size_t body_len)
{
	unsigned int i;

	check((e->op == SYNC_OP_UPSERT || e->op == SYNC_OP_REMOVE ||
	       e->op == SYNC_OP_REPLAY) &&
	      e->cause < BINDING_CAUSE_MAX && e->replay_method <= 1 &&
	      e->encap <= 2 && !(e->flags & ~SYNC_F_ALL) &&
	      e->n_aaa <= SYNC_AAA_MAX &&
	      e->len >= SYNC_ENTRY_HDR_LEN + SYNC_ENTRY_FIXED_LEN &&
	      strlen(e->pool) <= SYNC_POOL_NAME_MAX &&
	      strlen(e->link) <= SYNC_LINK_NAME_MAX);
	check(!e->nai_len ||
	      (e->nai >= body && e->nai + e->nai_len <= body + body_len));
	/* a replay entry: one identity's mark, an address or a NAI */
	check(e->op != SYNC_OP_REPLAY ||
	      (e->replay.seen && !e->nai_len != !e->home_addr.s_addr));
	for (i = 0; i < e->n_aaa; i++)
		check(e->aaa[i].value >= body &&
		      e->aaa[i].value + e->aaa[i].len <= body + body_len);
}

/* A decoded frame other than BINDINGS, by its type's encoder. */
static ssize_t encode(uint8_t *buf, size_t size, const struct sync_frame *f)
{
	switch (f->hdr.type) {
	case SYNC_HELLO:
		return sync_encode_hello(buf, size, &f->hello);
	case SYNC_ACK:
		return sync_encode_ack(buf, size, f->ack.acked);
	case SYNC_BULK_REQUEST:
		return sync_encode_bulk_request(buf, size, &f->bulk_request);
	case SYNC_BULK_START:
		return sync_encode_bulk_start(buf, size, f->hdr.seq,
					      &f->bulk_start);
	case SYNC_BULK_END:
		return sync_encode_bulk_end(buf, size, f->hdr.seq,
					    &f->bulk_end);
	case SYNC_REPLAY_FLOOR:
		return sync_encode_replay_floor(buf, size, f->hdr.seq,
						f->replay_floor.floor);
	}
	abort();
}

/*
 * Encoded again: the same bytes but for the header flags, which the
 * encoder sends as 0. One byte less of buffer is refused.
 */
static void reencode(const uint8_t *in, const struct sync_frame *f)
{
	uint8_t *out = malloc(f->len), *want = malloc(f->len);
	struct sync_frame *back = malloc(sizeof(*back));

	check(out && want && back);
	check(encode(out, f->len, f) == (ssize_t)f->len);
	memcpy(want, in, f->len);
	want[2] = want[3] = 0;
	check(!memcmp(out, want, f->len));
	check(sync_frame_decode(out, f->len, back) == 0);
	if (f->hdr.type == SYNC_HELLO)
		check(same_hello(&f->hello, &back->hello));
	free(out);
	/* exactly sized, so ASan sees a write past it */
	out = malloc(f->len - 1);
	check(out && encode(out, f->len - 1, f) == -ENOSPC);
	free(back);
	free(want);
	free(out);
}

/* What the receiver's record gives when its sender sends it back. */
static void expect_from_rec(const struct sync_entry *e, struct sync_entry *w)
{
	uint64_t granted_ms = (uint64_t)e->granted * 1000;

	*w = *e;
	w->n_aaa = 0;
	if (e->flags & SYNC_F_NO_EXPIRY)
		w->elapsed_ms = 0;
	else if (e->elapsed_ms > granted_ms)
		w->elapsed_ms = (uint32_t)granted_ms;
}

/* The entries of a built frame against the expected ones. */
static void check_rebuilt(const uint8_t *buf, size_t len,
			  const struct sync_entry *want, unsigned int n,
			  bool with_aaa)
{
	struct sync_entry_iter it;
	struct sync_entry got;
	struct sync_frame f;
	unsigned int i = 0;

	check(sync_frame_decode(buf, len, &f) == 0);
	check(f.bindings.n_entries == n);
	sync_entries_init(&it, &f.bindings);
	while (sync_entries_next(&it, &got) == 1) {
		check(i < n && same_entry(&want[i], &got, with_aaa) &&
		      !got.skipped_tlvs);
		i++;
	}
	check(i == n);
}

static void bindings(const struct sync_frame *f, const uint8_t *buf)
{
	static struct sync_entry entries[MAX_ENTRIES], from_rec[MAX_ENTRIES];
	struct sync_builder b1, b2;
	struct sync_entry_iter it;
	struct sync_entry e;
	uint8_t *out1, *out2;
	unsigned int n = 0;
	int ret;

	out1 = malloc(f->len);
	out2 = malloc(f->len);
	check(out1 && out2);
	check(sync_bindings_begin(&b1, out1, f->len, f->hdr.seq) == 0 &&
	      sync_bindings_begin(&b2, out2, f->len, f->hdr.seq) == 0);
	sync_entries_init(&it, &f->bindings);
	while ((ret = sync_entries_next(&it, &e)) == 1) {
		struct binding_rec rec, again;
		struct sync_entry *w;

		check(n < MAX_ENTRIES);
		w = &from_rec[n];
		check_entry(&e, buf + SYNC_HDR_LEN, f->hdr.length);
		entries[n] = e;
		/* Every field back, in no more room than it had. */
		check(sync_bindings_add(&b1, &e) == 0);

		/* The receiver's record, sent back by its sender. */
		sync_entry_to_rec(&e, NOW_MS, &rec);
		check(rec.origin == BINDING_ORIGIN_PEER && !rec.link &&
		      rec.version == e.version &&
		      (e.flags & SYNC_F_NO_EXPIRY ? rec.expires_ms == 0 :
						    rec.expires_ms >= NOW_MS));
		rec.link = e.link[0] ? 1 : 0;
		check(sync_bindings_add_rec(&b2, e.op, e.cause, &rec, NOW_MS,
					    e.link[0] ? e.link : NULL) == 0);
		expect_from_rec(&e, w);
		/* and the record of that is the record we had */
		sync_entry_to_rec(w, NOW_MS, &again);
		check(again.expires_ms == rec.expires_ms);
		n++;
	}
	check(ret == 0 && n == f->bindings.n_entries);
	check(sync_bindings_finish(&b1) <= f->len);
	check(sync_bindings_finish(&b2) <= f->len);
	check_rebuilt(out1, b1.len, entries, n, true);
	check_rebuilt(out2, b2.len, from_rec, n, false);
	free(out2);
	free(out1);
}

static void check_frame(const uint8_t *buf, const struct sync_frame *f)
{
	check(f->hdr.version == SYNC_VERSION &&
	      f->len == SYNC_HDR_LEN + f->hdr.length &&
	      f->hdr.length <= SYNC_FRAME_MAX &&
	      (f->hdr.seq != 0) == sync_type_sequenced(f->hdr.type));
	check(sync_type_str(f->hdr.type)[0] != '?');
	switch (f->hdr.type) {
	case SYNC_HELLO:
		check(sync_mode_str(f->hello.mode)[0] != '?' &&
		      sync_role_str(f->hello.role)[0] != '?' &&
		      f->hello.n_sections <= SYNC_SECTIONS_MAX &&
		      f->hello.n_groups <= SYNC_GROUPS_MAX);
		reencode(buf, f);
		break;
	case SYNC_BINDINGS:
		check(f->bindings.entries == buf + SYNC_HDR_LEN + 2 &&
		      f->bindings.entries_len == f->hdr.length - 2u);
		bindings(f, buf);
		break;
	default:
		reencode(buf, f);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sync_frame *f = malloc(sizeof(*f));
	size_t off = 0;

	if (!f)
		return 0;
	while (off < size) {
		size_t flen;
		uint8_t *frame;
		int err = sync_frame_peek(data + off, size - off, &flen);

		if (err == -EAGAIN) {
			check(flen >= SYNC_HDR_LEN && flen <= SYNC_FRAME_BUF &&
			      flen > size - off);
			break;
		}
		if (err) {
			check(err == -EPROTONOSUPPORT || err == -EBADMSG);
			break;
		}
		check(flen >= SYNC_HDR_LEN && flen <= size - off);
		frame = malloc(flen);
		check(frame != NULL);
		memcpy(frame, data + off, flen);
		err = sync_frame_decode(frame, flen, f);
		if (!err) {
			check_frame(frame, f);
		} else if (err == -ENOMSG) {
			check(f->len == flen &&
			      !sync_type_sequenced(f->hdr.type) &&
			      sync_type_str(f->hdr.type)[0] == '?');
		} else {
			/* peek vouched for the version and the length */
			check(err == -EBADMSG);
		}
		free(frame);
		off += flen;
	}
	free(f);
	return 0;
}

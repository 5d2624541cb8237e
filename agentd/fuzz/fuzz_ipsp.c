// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the IP Pool Sharing Protocol's codec (ipsp_msg.c) on
 * what the peer's TLS stream may carry. The input is the stream: frames
 * one after another, cut where ipsp_frame_peek() says, each decoded from
 * an exact-size copy (any read past the end is caught). Decoding must
 * never crash, and must answer one of the documented errors or a frame
 * that holds together.
 *
 * Every frame that decodes is taken apart (every pool, range and entry
 * through the iterators) and encoded again from its parts, in a buffer of
 * exactly its size: it must come out as it came in, but for what
 * receivers ignore (header flags, reserved bytes, unknown flag bits, which
 * the encoders send as 0), and decode to the same fields, one by one. One
 * byte less of buffer is refused without a write past it. What stops a
 * reader (an incomplete frame, another version, a length too large) ends
 * the input; a frame of an unknown type, or one whose body is malformed,
 * on which a reader would close the connection, is stepped over so the
 * rest of the input is decoded too.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "ipsp_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

/* A decoded string: inside the frame, or nowhere when empty. */
static void check_in(const void *s, size_t len, const uint8_t *buf,
		     size_t buf_len)
{
	const uint8_t *p = s;

	check(!len || (p >= buf && p + len <= buf + buf_len));
}

static bool printable(const void *s, size_t len)
{
	const uint8_t *p = s;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] < 0x21 || p[i] > 0x7e)
			return false;
	return true;
}

static bool same_bytes(const void *a, const void *b, size_t len)
{
	return !len || !memcmp(a, b, len);
}

/* ---- what a decoded frame is bound to be, whatever the input ---------- */

static void check_hello(const struct ipsp_hello *h, const uint8_t *buf,
			size_t len)
{
	struct ipsp_pool_iter it;
	struct ipsp_hello_pool p;
	unsigned int n = 0;

	check((h->role_cfg == IPSP_ROLE_PRIMARY ||
	       h->role_cfg == IPSP_ROLE_SECONDARY) &&
	      strcmp(ipsp_role_name(h->role), "unknown") &&
	      strcmp(ipsp_mode_name(h->mode), "unknown") &&
	      !(h->flags & ~(IPSP_HELLO_ACTING | IPSP_HELLO_ALL_FREE |
				IPSP_HELLO_HANDED)) &&
	      h->dead_interval >= 1 && h->dead_interval <= IPSP_DEAD_MAX &&
	      h->n_pools <= IPSP_POOLS_MAX && !h->pools);
	ipsp_pools_begin(h, &it);
	while (!ipsp_pools_next(&it, &p)) {
		check(p.name_len >= 1 && p.name_len <= IPSP_POOL_NAME_MAX &&
		      printable(p.name, p.name_len));
		check_in(p.name, p.name_len, buf, len);
		check_in(p.digest, IPSP_DIGEST_LEN, buf, len);
		n++;
	}
	check(n == h->n_pools);
}

static void check_grant(const struct ipsp_grant *g)
{
	struct ipsp_range r;
	uint16_t i;

	check(g->status < IPSP_ST_MAX &&
	      strcmp(ipsp_status_name(g->status), "unknown") &&
	      g->n_ranges <= IPSP_RANGES_MAX &&
	      (g->status == IPSP_OK || !g->n_ranges) && !g->ranges);
	for (i = 0; i < g->n_ranges; i++) {
		ipsp_grant_range(g, i, &r);
		check(ntohl(r.first.s_addr) <= ntohl(r.last.s_addr));
	}
}

static void check_held(const struct ipsp_held *h, const uint8_t *buf,
		       size_t len)
{
	struct ipsp_entry_iter it;
	struct ipsp_entry e;
	unsigned int n = 0;
	size_t bytes = 0;

	check(!(h->flags & ~IPSP_HELD_LAST) &&
	      h->entries_raw == buf + IPSP_HDR_LEN + 4 &&
	      h->entries_len == len - IPSP_HDR_LEN - 4);
	ipsp_entries_begin(h, &it);
	while (!ipsp_entries_next(&it, &e)) {
		check(!(e.flags & ~(IPSP_ENTRY_BOUND | IPSP_ENTRY_TIMESTAMP)) &&
		      printable(e.nai, e.nai_len));
		check_in(e.nai, e.nai_len, buf, len);
		bytes += IPSP_ENTRY_FIXED + e.nai_len;
		n++;
	}
	/* the entries fill the body */
	check(n == h->n_entries && bytes == h->entries_len);
}

/* ---- encoded again ---------------------------------------------------- */

/*
 * A decoded frame's body from its parts, by its type's encoder, in size
 * bytes. HELLO pools and GRANT ranges are gathered from the iterators, as
 * a caller that forwards them would.
 */
static ssize_t encode(uint8_t *out, size_t size, const struct ipsp_frame *f)
{
	static struct ipsp_hello_pool pools[IPSP_POOLS_MAX];
	static struct ipsp_range ranges[IPSP_RANGES_MAX];
	struct ipsp_held_builder b;
	struct ipsp_entry_iter it;
	struct ipsp_pool_iter pit;
	struct ipsp_hello h;
	struct ipsp_grant g;
	struct ipsp_entry e;
	unsigned int i;
	int err;

	switch (f->hdr.type) {
	case IPSP_HELLO:
		h = f->u.hello;
		ipsp_pools_begin(&h, &pit);
		for (i = 0; i < h.n_pools; i++)
			check(ipsp_pools_next(&pit, &pools[i]) == 0);
		h.pools = pools;
		h.pools_raw = NULL;
		return ipsp_encode_hello(out, size, &h);
	case IPSP_KEEPALIVE:
	case IPSP_ALL_FREE:
	case IPSP_GOING_DOWN:
		return ipsp_encode_empty(out, size, f->hdr.type);
	case IPSP_BLOCK_REQUEST:
		return ipsp_encode_block_request(out, size, &f->u.block);
	case IPSP_ADDR_REQUEST:
		return ipsp_encode_addr_request(out, size, &f->u.addr);
	case IPSP_GRANT:
		g = f->u.grant;
		for (i = 0; i < g.n_ranges; i++)
			ipsp_grant_range(&g, (uint16_t)i, &ranges[i]);
		g.ranges = ranges;
		g.ranges_raw = NULL;
		return ipsp_encode_grant(out, size, &g);
	case IPSP_HELD:
	case IPSP_RELEASE:
		err = ipsp_held_begin(&b, out, size, f->hdr.type);
		if (err)
			return err;
		/* Entries that do not fit are refused: the last one here. */
		ipsp_entries_begin(&f->u.held, &it);
		while (!ipsp_entries_next(&it, &e)) {
			err = ipsp_held_add(&b, &e);
			if (err) {
				check(err == -ENOSPC && it.left == 0);
				return err;
			}
		}
		return ipsp_held_finish(&b, f->u.held.flags);
	}
	abort();
}

/* The input with what the encoders send as 0 set to 0. */
static void normalize(uint8_t *want, const struct ipsp_frame *f, size_t len)
{
	uint8_t *v = want + IPSP_HDR_LEN;
	size_t off;

	want[2] = want[3] = 0;
	switch (f->hdr.type) {
	case IPSP_HELLO:
		v[3] &= IPSP_HELLO_ACTING | IPSP_HELLO_ALL_FREE |
			IPSP_HELLO_HANDED;
		want[len - 2] = want[len - 1] = 0;
		break;
	case IPSP_GRANT:
		v[5] = 0;
		break;
	case IPSP_HELD:
	case IPSP_RELEASE:
		v[0] &= IPSP_HELD_LAST;
		v[1] = 0;
		for (off = 4; off < f->hdr.length;
		     off += IPSP_ENTRY_FIXED + v[off + 13])
			v[off + 12] &= IPSP_ENTRY_BOUND | IPSP_ENTRY_TIMESTAMP;
		break;
	}
}

static bool same_hello(const struct ipsp_hello *a, const struct ipsp_hello *b)
{
	struct ipsp_pool_iter ia, ib;
	struct ipsp_hello_pool pa, pb;

	if (a->role_cfg != b->role_cfg || a->role != b->role ||
	    a->mode != b->mode || a->flags != b->flags ||
	    a->dead_interval != b->dead_interval ||
	    memcmp(a->digest, b->digest, IPSP_DIGEST_LEN) ||
	    a->n_pools != b->n_pools)
		return false;
	ipsp_pools_begin(a, &ia);
	ipsp_pools_begin(b, &ib);
	while (!ipsp_pools_next(&ia, &pa)) {
		if (ipsp_pools_next(&ib, &pb) || pa.name_len != pb.name_len ||
		    !same_bytes(pa.name, pb.name, pa.name_len) ||
		    memcmp(pa.digest, pb.digest, IPSP_DIGEST_LEN))
			return false;
	}
	return ipsp_pools_next(&ib, &pb) == 1;
}

static bool same_grant(const struct ipsp_grant *a, const struct ipsp_grant *b)
{
	struct ipsp_range ra, rb;
	uint16_t i;

	if (a->id != b->id || a->status != b->status ||
	    a->n_ranges != b->n_ranges)
		return false;
	for (i = 0; i < a->n_ranges; i++) {
		ipsp_grant_range(a, i, &ra);
		ipsp_grant_range(b, i, &rb);
		if (ra.first.s_addr != rb.first.s_addr ||
		    ra.last.s_addr != rb.last.s_addr)
			return false;
	}
	return true;
}

static bool same_held(const struct ipsp_held *a, const struct ipsp_held *b)
{
	struct ipsp_entry_iter ia, ib;
	struct ipsp_entry ea, eb;

	if (a->flags != b->flags || a->n_entries != b->n_entries ||
	    a->entries_len != b->entries_len)
		return false;
	ipsp_entries_begin(a, &ia);
	ipsp_entries_begin(b, &ib);
	while (!ipsp_entries_next(&ia, &ea)) {
		if (ipsp_entries_next(&ib, &eb) ||
		    ea.addr.s_addr != eb.addr.s_addr || ea.id != eb.id ||
		    ea.flags != eb.flags || ea.nai_len != eb.nai_len ||
		    !same_bytes(ea.nai, eb.nai, ea.nai_len))
			return false;
	}
	return ipsp_entries_next(&ib, &eb) == 1;
}

/* decode(encode(x)) == x, field by field. */
static bool same_frame(const struct ipsp_frame *a, const struct ipsp_frame *b)
{
	const struct ipsp_block_request *ba = &a->u.block, *bb = &b->u.block;
	const struct ipsp_addr_request *aa = &a->u.addr, *ab = &b->u.addr;

	if (a->hdr.version != b->hdr.version || a->hdr.type != b->hdr.type ||
	    a->hdr.length != b->hdr.length || b->hdr.flags)
		return false;
	switch (a->hdr.type) {
	case IPSP_HELLO:
		return same_hello(&a->u.hello, &b->u.hello);
	case IPSP_BLOCK_REQUEST:
		return ba->id == bb->id && ba->count == bb->count &&
		       ba->name_len == bb->name_len &&
		       same_bytes(ba->name, bb->name, ba->name_len);
	case IPSP_ADDR_REQUEST:
		return aa->id == ab->id && aa->addr.s_addr == ab->addr.s_addr &&
		       aa->name_len == ab->name_len &&
		       same_bytes(aa->name, ab->name, aa->name_len) &&
		       aa->nai_len == ab->nai_len &&
		       same_bytes(aa->nai, ab->nai, aa->nai_len);
	case IPSP_GRANT:
		return same_grant(&a->u.grant, &b->u.grant);
	case IPSP_HELD:
	case IPSP_RELEASE:
		return same_held(&a->u.held, &b->u.held);
	}
	return true; /* empty */
}

static void reencode(const uint8_t *in, size_t len, const struct ipsp_frame *f)
{
	uint8_t *out = malloc(len), *want = malloc(len);
	struct ipsp_frame back;

	check(out && want);
	check(encode(out, len, f) == (ssize_t)len);
	memcpy(want, in, len);
	normalize(want, f, len);
	check(!memcmp(out, want, len));
	check(ipsp_frame_decode(out, len, &back) == 0);
	check(same_frame(f, &back));
	free(out);
	/* exactly sized, so ASan sees a write past it */
	out = malloc(len - 1);
	check(out && encode(out, len - 1, f) == -ENOSPC);
	free(want);
	free(out);
}

static void check_frame(const uint8_t *buf, size_t len,
			const struct ipsp_frame *f)
{
	check(f->hdr.version == IPSP_VERSION &&
	      len == IPSP_HDR_LEN + f->hdr.length &&
	      f->hdr.length <= IPSP_FRAME_MAX &&
	      strcmp(ipsp_type_name(f->hdr.type), "unknown"));
	switch (f->hdr.type) {
	case IPSP_HELLO:
		check_hello(&f->u.hello, buf, len);
		break;
	case IPSP_KEEPALIVE:
	case IPSP_ALL_FREE:
	case IPSP_GOING_DOWN:
		check(f->hdr.length == 0);
		break;
	case IPSP_BLOCK_REQUEST:
		check(f->u.block.count >= 1 &&
		      f->u.block.count <= IPSP_BLOCK_MAX &&
		      f->u.block.name_len >= 1 &&
		      f->u.block.name_len <= IPSP_POOL_NAME_MAX &&
		      printable(f->u.block.name, f->u.block.name_len));
		check_in(f->u.block.name, f->u.block.name_len, buf, len);
		break;
	case IPSP_ADDR_REQUEST:
		check(f->u.addr.name_len <= IPSP_POOL_NAME_MAX &&
		      printable(f->u.addr.name, f->u.addr.name_len) &&
		      printable(f->u.addr.nai, f->u.addr.nai_len));
		check_in(f->u.addr.name, f->u.addr.name_len, buf, len);
		check_in(f->u.addr.nai, f->u.addr.nai_len, buf, len);
		break;
	case IPSP_GRANT:
		check_grant(&f->u.grant);
		break;
	case IPSP_HELD:
	case IPSP_RELEASE:
		check_held(&f->u.held, buf, len);
		break;
	default:
		abort();
	}
	reencode(buf, len, f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipsp_frame f;
	size_t off = 0;

	while (off < size) {
		size_t flen;
		uint8_t *frame;
		int err = ipsp_frame_peek(data + off, size - off, &flen);

		if (err == -EAGAIN) {
			check(flen >= IPSP_HDR_LEN && flen <= IPSP_FRAME_BUF &&
			      flen > size - off);
			break;
		}
		if (err) {
			check(err == -EPROTO || err == -EMSGSIZE);
			break;
		}
		check(flen >= IPSP_HDR_LEN && flen <= size - off);
		frame = malloc(flen);
		check(frame != NULL);
		memcpy(frame, data + off, flen);
		err = ipsp_frame_decode(frame, flen, &f);
		if (!err) {
			check_frame(frame, flen, &f);
		} else if (err == -ENOMSG) {
			check(f.hdr.length == flen - IPSP_HDR_LEN &&
			      !strcmp(ipsp_type_name(f.hdr.type), "unknown"));
		} else {
			/* peek vouched for the version and the length */
			check(err == -EBADMSG);
		}
		free(frame);
		off += flen;
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of sync_msg.c, the peer sync stream's frames.
 *
 * The format is pinned by two frames written out here by hand, field by
 * field, from the layout in sync_msg.h (tests/sync_vectors.py builds the
 * same bytes with Python's struct): each decodes to what it says and is
 * encoded back byte for byte, the BINDINGS one from binding records. Then
 * round trips of every type at its limits, exactly-full buffers and
 * -ENOSPC with nothing written past them, the stream reader's view of a
 * frame arriving byte by byte, every truncation, every malformed case of
 * the format (each one byte or field away from a good frame), unknown
 * types and TLVs skipped, and the expiry arithmetic at both ends.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "sync_msg.h"

/* HELLO, unsequenced: node 7, physical, active, two sections, one group. */
/* clang-format off */
static const uint8_t hello_frame[] = {
	/* header: version 1, type 1 HELLO, flags 0, length 155, seq 0 */
	0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x9b,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* node_id 7, mode 1 physical, role 3 active, features 0 */
	0x00, 0x00, 0x00, 0x07, 0x01, 0x03, 0x00, 0x00,
	/* stream_epoch 0x0123456789abcdef */
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	/* resume_epoch 0xfedcba9876543210 */
	0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10,
	/* resume_from 41 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x29,
	/* digest 00 01 .. 1f */
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	/* n_sections 2 */
	0x00, 0x02,
	/* "home-agent", digest 11 x 32 */
	0x0a, 'h', 'o', 'm', 'e', '-', 'a', 'g', 'e', 'n', 't',
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	/* "pool", digest 22 x 32 */
	0x04, 'p', 'o', 'o', 'l',
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	/* n_groups 1: "ha-lan" */
	0x00, 0x01,
	0x06, 'h', 'a', '-', 'l', 'a', 'n',
};
/* clang-format on */

#define HELLO_BODY     16 /* offset of the body in hello_frame */
#define HELLO_SECTION1 (HELLO_BODY + 66)
#define HELLO_SECTION2 (HELLO_SECTION1 + 1 + 10 + 32)
#define HELLO_N_GROUPS (HELLO_SECTION2 + 1 + 4 + 32)
#define HELLO_GROUP1   (HELLO_N_GROUPS + 2)

/*
 * BINDINGS, seq 5: alice's renewal (every TLV) and the deregistration of a
 * node known by its address on a virtual network.
 */
/* clang-format off */
static const uint8_t bindings_frame[] = {
	/* header: version 1, type 3 BINDINGS, flags 0, length 184, seq 5 */
	0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
	/* n_entries 2 */
	0x00, 0x02,
	/* entry 1: op 1 upsert, cause 1 renew, entry_len 108 */
	0x01, 0x01, 0x00, 0x6c,
	/* home 10.1.0.5, coa 198.51.100.7, ha 10.1.0.1, src 198.51.100.7 */
	0x0a, 0x01, 0x00, 0x05, 0xc6, 0x33, 0x64, 0x07,
	0x0a, 0x01, 0x00, 0x01, 0xc6, 0x33, 0x64, 0x07,
	/* spi 0x1000, granted 600 s, elapsed 200000 ms, kflags 1 (T) */
	0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x02, 0x58,
	0x00, 0x03, 0x0d, 0x40, 0x00, 0x00, 0x00, 0x01,
	/* version 3 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
	/* reg_time_ms 1700000000000 */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00,
	/* last_id 0xe9a1b2c300000001, ha_nonce 0 */
	0xe9, 0xa1, 0xb2, 0xc3, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00,
	/* replay flags seen, req_flags T, timestamps, IP in IP, flags 0 */
	0x01, 0x02, 0x00, 0x01, 0x00, 0x00,
	/* NAI "alice@example.org" */
	0x01, 0x11, 'a', 'l', 'i', 'c', 'e', '@', 'e', 'x', 'a', 'm', 'p',
	'l', 'e', '.', 'o', 'r', 'g',
	/* pool "mn-pool", link "eth1" */
	0x02, 0x07, 'm', 'n', '-', 'p', 'o', 'o', 'l',
	0x03, 0x04, 'e', 't', 'h', '1',
	/* AAA attribute 25 (Class), "gold" */
	0x04, 0x06, 0x00, 0x19, 'g', 'o', 'l', 'd',
	/* entry 2: op 2 remove, cause 2 deregister, entry_len 66 */
	0x02, 0x02, 0x00, 0x42,
	/* home 10.2.0.9, coa 10.2.0.9, ha 10.2.0.1, src 192.0.2.44 */
	0x0a, 0x02, 0x00, 0x09, 0x0a, 0x02, 0x00, 0x09,
	0x0a, 0x02, 0x00, 0x01, 0xc0, 0x00, 0x02, 0x2c,
	/* spi 0x2000, granted 0, elapsed 0, kflags 0 */
	0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* version 9 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
	/* reg_time_ms 1700000100000 */
	0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe6, 0xee, 0xa0,
	/* last_id 0x0000000500000006, ha_nonce 0x5eed */
	0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x06,
	0x00, 0x00, 0x5e, 0xed,
	/* replay seen + has_nonce, req_flags 0, nonces, GRE, NO_EXPIRY */
	0x03, 0x00, 0x01, 0x02, 0x00, 0x01,
};
/* clang-format on */

#define BINDINGS_BODY 16
#define ENTRY1	      (BINDINGS_BODY + 2)
#define ENTRY1_FIXED  (ENTRY1 + 4)
#define ENTRY1_TLVS   (ENTRY1_FIXED + 66)
#define ENTRY2	      (ENTRY1 + 4 + 108)
#define ENTRY2_FIXED  (ENTRY2 + 4)

/* The sender's and the receiver's monotonic clocks in these tests. */
#define SENDER_NOW   1000000000ull
#define RECEIVER_NOW 5000000ull

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* An exact-size heap copy, so ASan sees any read past its end. */
static uint8_t *dup_bytes(const uint8_t *b, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	assert_non_null(p);
	memcpy(p, b, n);
	return p;
}

/* Decodes bytes[0..len) from an exact copy, freed before returning. */
static int decode_copy(const uint8_t *bytes, size_t len)
{
	struct sync_frame *f = malloc(sizeof(*f));
	uint8_t *copy = dup_bytes(bytes, len);
	int err;

	assert_non_null(f);
	err = sync_frame_decode(copy, len, f);
	free(copy);
	free(f);
	return err;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v & 0xffff);
}

/* A changed copy of a frame: bytes[off] = v, decoded. */
static int decode_patched(const uint8_t *bytes, size_t len, size_t off,
			  uint8_t v)
{
	uint8_t *copy = dup_bytes(bytes, len);
	int err;

	copy[off] = v;
	err = decode_copy(copy, len);
	free(copy);
	return err;
}

/* The bytes of a buffer after n are all still 0xa5. */
static void assert_untouched(const uint8_t *buf, size_t n, size_t size)
{
	for (size_t i = n; i < size; i++)
		assert_int_equal(buf[i], 0xa5);
}

/* clang-format off */
static const uint8_t digest_hello[SYNC_DIGEST_LEN] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};
/* clang-format on */

static void golden_hello(struct sync_hello *h)
{
	memset(h, 0, sizeof(*h));
	h->node_id = 7;
	h->mode = SYNC_MODE_PHYSICAL;
	h->role = SYNC_ROLE_ACTIVE;
	h->stream_epoch = 0x0123456789abcdefull;
	h->resume_epoch = 0xfedcba9876543210ull;
	h->resume_from = 41;
	memcpy(h->digest, digest_hello, sizeof(h->digest));
	h->n_sections = 2;
	h->sections[0].name = "home-agent";
	h->sections[0].name_len = 10;
	memset(h->sections[0].digest, 0x11, SYNC_DIGEST_LEN);
	h->sections[1].name = "pool";
	h->sections[1].name_len = 4;
	memset(h->sections[1].digest, 0x22, SYNC_DIGEST_LEN);
	h->n_groups = 1;
	h->groups[0].name = "ha-lan";
	h->groups[0].name_len = 6;
}

static void assert_hello_equal(const struct sync_hello *a,
			       const struct sync_hello *b)
{
	assert_int_equal(a->node_id, b->node_id);
	assert_int_equal(a->mode, b->mode);
	assert_int_equal(a->role, b->role);
	assert_true(a->stream_epoch == b->stream_epoch);
	assert_true(a->resume_epoch == b->resume_epoch);
	assert_true(a->resume_from == b->resume_from);
	assert_memory_equal(a->digest, b->digest, SYNC_DIGEST_LEN);
	assert_int_equal(a->n_sections, b->n_sections);
	for (unsigned int i = 0; i < a->n_sections; i++) {
		assert_int_equal(a->sections[i].name_len,
				 b->sections[i].name_len);
		assert_memory_equal(a->sections[i].name, b->sections[i].name,
				    a->sections[i].name_len);
		assert_memory_equal(a->sections[i].digest,
				    b->sections[i].digest, SYNC_DIGEST_LEN);
	}
	assert_int_equal(a->n_groups, b->n_groups);
	for (unsigned int i = 0; i < a->n_groups; i++) {
		assert_int_equal(a->groups[i].name_len, b->groups[i].name_len);
		assert_memory_equal(a->groups[i].name, b->groups[i].name,
				    a->groups[i].name_len);
	}
}

static const uint8_t alice[] = "alice@example.org";

/* Entry 1 of bindings_frame as the sender's store holds it. */
static struct binding_rec alice_rec(void)
{
	return (struct binding_rec){
		.home_addr = ip("10.1.0.5"),
		.coa = ip("198.51.100.7"),
		.ha_addr = ip("10.1.0.1"),
		.src = ip("198.51.100.7"),
		.replay = { .seen = true, .last_id = 0xe9a1b2c300000001ull },
		.reg_time_ms = 1700000000000ull,
		/* 600 s granted, 400 s left: 200 s elapsed */
		.expires_ms = SENDER_NOW + 400000,
		.version = 3,
		.spi = 0x1000,
		.granted = 600,
		.link = 4,
		.kflags = 1,
		.req_flags = 0x02,
		.replay_method = REPLAY_TIMESTAMP,
		.encap = 1,
		.origin = BINDING_ORIGIN_LOCAL,
		.nai_len = sizeof(alice) - 1,
		.nai = alice,
		.pool = "mn-pool",
	};
}

/* Entry 2: no NAI, no pool, a virtual network, never expires. */
static struct binding_rec deregistered_rec(void)
{
	return (struct binding_rec){
		.home_addr = ip("10.2.0.9"),
		.coa = ip("10.2.0.9"),
		.ha_addr = ip("10.2.0.1"),
		.src = ip("192.0.2.44"),
		.replay = { .seen = true,
			    .last_id = 0x0000000500000006ull,
			    .ha_nonce = 0x5eed,
			    .has_nonce = true },
		.reg_time_ms = 1700000100000ull,
		.version = 9,
		.spi = 0x2000,
		.replay_method = REPLAY_NONCE,
		.encap = 2,
	};
}

/* ---- the golden frames ------------------------------------------------ */

static void test_golden_hello(void **state)
{
	uint8_t *copy = dup_bytes(hello_frame, sizeof(hello_frame));
	struct sync_hello want;
	struct sync_frame f;
	uint8_t buf[256];
	size_t flen;

	(void)state;
	assert_int_equal(sync_frame_peek(copy, sizeof(hello_frame), &flen), 0);
	assert_int_equal(flen, sizeof(hello_frame));
	assert_int_equal(sync_frame_decode(copy, sizeof(hello_frame), &f), 0);
	assert_int_equal(f.hdr.version, SYNC_VERSION);
	assert_int_equal(f.hdr.type, SYNC_HELLO);
	assert_int_equal(f.hdr.flags, 0);
	assert_int_equal(f.hdr.length, 155);
	assert_true(f.hdr.seq == 0);
	assert_int_equal(f.len, sizeof(hello_frame));
	golden_hello(&want);
	assert_hello_equal(&f.hello, &want);
	/* names point into the frame */
	assert_ptr_equal(f.hello.sections[0].name, copy + HELLO_SECTION1 + 1);
	assert_ptr_equal(f.hello.groups[0].name, copy + HELLO_GROUP1 + 1);

	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(sync_encode_hello(buf, sizeof(buf), &want),
			 sizeof(hello_frame));
	assert_memory_equal(buf, hello_frame, sizeof(hello_frame));
	assert_untouched(buf, sizeof(hello_frame), sizeof(buf));
	/* exactly full, and one byte short */
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(sync_encode_hello(buf, sizeof(hello_frame), &want),
			 sizeof(hello_frame));
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(sync_encode_hello(buf, sizeof(hello_frame) - 1, &want),
			 -ENOSPC);
	assert_untouched(buf, 0, sizeof(buf));
	free(copy);
}

/*
 * A HELLO's features: at body offset 6, where the first release sent 0
 * (and read nothing); unknown bits are decoded as sent.
 */
static void test_hello_features(void **state)
{
	struct sync_hello h;
	uint8_t buf[512];
	struct sync_frame f;
	ssize_t len;

	(void)state;
	golden_hello(&h);
	h.features = SYNC_FEAT_REPLAY_ENTRIES | 0x8000;
	len = sync_encode_hello(buf, sizeof(buf), &h);
	assert_int_equal(len, sizeof(hello_frame));
	assert_int_equal(buf[HELLO_BODY + 6], 0x80);
	assert_int_equal(buf[HELLO_BODY + 7], 0x01);
	/* nothing else moved */
	buf[HELLO_BODY + 6] = buf[HELLO_BODY + 7] = 0;
	assert_memory_equal(buf, hello_frame, sizeof(hello_frame));
	buf[HELLO_BODY + 6] = 0x80;
	buf[HELLO_BODY + 7] = 0x01;
	assert_int_equal(sync_frame_decode(buf, (size_t)len, &f), 0);
	assert_int_equal(f.hello.features, 0x8001);
	/* the golden frame, as the first release sent it: none */
	memcpy(buf, hello_frame, sizeof(hello_frame));
	assert_int_equal(sync_frame_decode(buf, sizeof(hello_frame), &f), 0);
	assert_int_equal(f.hello.features, 0);
}

static void assert_alice(const struct sync_entry *e, const uint8_t *frame)
{
	assert_int_equal(e->op, SYNC_OP_UPSERT);
	assert_int_equal(e->cause, BINDING_CAUSE_RENEW);
	assert_int_equal(e->home_addr.s_addr, ip("10.1.0.5").s_addr);
	assert_int_equal(e->coa.s_addr, ip("198.51.100.7").s_addr);
	assert_int_equal(e->ha_addr.s_addr, ip("10.1.0.1").s_addr);
	assert_int_equal(e->src.s_addr, ip("198.51.100.7").s_addr);
	assert_int_equal(e->spi, 0x1000);
	assert_int_equal(e->granted, 600);
	assert_int_equal(e->elapsed_ms, 200000);
	assert_int_equal(e->kflags, 1);
	assert_true(e->version == 3);
	assert_true(e->reg_time_ms == 1700000000000ull);
	assert_true(e->replay.seen);
	assert_false(e->replay.has_nonce);
	assert_true(e->replay.last_id == 0xe9a1b2c300000001ull);
	assert_int_equal(e->replay.ha_nonce, 0);
	assert_int_equal(e->req_flags, 0x02);
	assert_int_equal(e->replay_method, REPLAY_TIMESTAMP);
	assert_int_equal(e->encap, 1);
	assert_int_equal(e->flags, 0);
	assert_int_equal(e->nai_len, 17);
	assert_memory_equal(e->nai, alice, 17);
	assert_ptr_equal(e->nai, frame + ENTRY1_TLVS + 2);
	assert_string_equal(e->pool, "mn-pool");
	assert_string_equal(e->link, "eth1");
	assert_int_equal(e->n_aaa, 1);
	assert_int_equal(e->aaa[0].type, 25);
	assert_int_equal(e->aaa[0].len, 4);
	assert_memory_equal(e->aaa[0].value, "gold", 4);
	assert_int_equal(e->skipped_tlvs, 0);
	assert_int_equal(e->len, 4 + 108);
}

static void assert_deregistered(const struct sync_entry *e)
{
	assert_int_equal(e->op, SYNC_OP_REMOVE);
	assert_int_equal(e->cause, BINDING_CAUSE_DEREGISTER);
	assert_int_equal(e->home_addr.s_addr, ip("10.2.0.9").s_addr);
	assert_int_equal(e->coa.s_addr, ip("10.2.0.9").s_addr);
	assert_int_equal(e->ha_addr.s_addr, ip("10.2.0.1").s_addr);
	assert_int_equal(e->src.s_addr, ip("192.0.2.44").s_addr);
	assert_int_equal(e->spi, 0x2000);
	assert_int_equal(e->granted, 0);
	assert_int_equal(e->elapsed_ms, 0);
	assert_true(e->version == 9);
	assert_true(e->reg_time_ms == 1700000100000ull);
	assert_true(e->replay.seen);
	assert_true(e->replay.has_nonce);
	assert_true(e->replay.last_id == 0x0000000500000006ull);
	assert_int_equal(e->replay.ha_nonce, 0x5eed);
	assert_int_equal(e->replay_method, REPLAY_NONCE);
	assert_int_equal(e->encap, 2);
	assert_int_equal(e->flags, SYNC_F_NO_EXPIRY);
	assert_int_equal(e->nai_len, 0);
	assert_string_equal(e->pool, "");
	assert_string_equal(e->link, "");
	assert_int_equal(e->n_aaa, 0);
	assert_int_equal(e->len, 4 + 66);
}

static void test_golden_bindings(void **state)
{
	uint8_t *copy = dup_bytes(bindings_frame, sizeof(bindings_frame));
	struct sync_entry_iter it;
	struct sync_entry e;
	struct sync_frame f;

	(void)state;
	assert_int_equal(sync_frame_decode(copy, sizeof(bindings_frame), &f),
			 0);
	assert_int_equal(f.hdr.type, SYNC_BINDINGS);
	assert_int_equal(f.hdr.length, 184);
	assert_true(f.hdr.seq == 5);
	assert_int_equal(f.bindings.n_entries, 2);
	assert_ptr_equal(f.bindings.entries, copy + ENTRY1);
	assert_int_equal(f.bindings.entries_len, 182);

	sync_entries_init(&it, &f.bindings);
	assert_int_equal(sync_entries_next(&it, &e), 1);
	assert_alice(&e, copy);
	assert_int_equal(sync_entries_next(&it, &e), 1);
	assert_deregistered(&e);
	assert_int_equal(sync_entries_next(&it, &e), 0);
	assert_int_equal(sync_entries_next(&it, &e), 0);
	free(copy);
}

/* The golden BINDINGS frame from the sender's records. */
static void test_golden_bindings_encode(void **state)
{
	struct binding_rec a = alice_rec(), d = deregistered_rec();
	uint8_t buf[sizeof(bindings_frame) + 16];
	struct sync_builder b;
	struct sync_entry e;

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(sync_bindings_begin(&b, buf, sizeof(buf), 5), 0);
	/* alice: her record's AAA attribute travels in her entry */
	const struct binding_aaa gold = { .type = 25,
					  .len = 4,
					  .value = (const uint8_t *)"gold" };

	a.aaa = &gold;
	a.n_aaa = 1;
	assert_int_equal(sync_entry_from_rec(&e, SYNC_OP_UPSERT,
					     BINDING_CAUSE_RENEW, &a,
					     SENDER_NOW, "eth1"),
			 0);
	assert_int_equal(e.n_aaa, 1);
	assert_int_equal(sync_bindings_add(&b, &e), 0);
	assert_int_equal(sync_bindings_add_rec(&b, SYNC_OP_REMOVE,
					       BINDING_CAUSE_DEREGISTER, &d,
					       SENDER_NOW, NULL),
			 0);
	assert_int_equal(b.n_entries, 2);
	assert_int_equal(sync_bindings_finish(&b), sizeof(bindings_frame));
	assert_memory_equal(buf, bindings_frame, sizeof(bindings_frame));
	assert_untouched(buf, sizeof(bindings_frame), sizeof(buf));

	/* exactly full */
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(
		sync_bindings_begin(&b, buf, sizeof(bindings_frame), 5), 0);
	assert_int_equal(sync_bindings_add(&b, &e), 0);
	assert_int_equal(sync_bindings_add_rec(&b, SYNC_OP_REMOVE,
					       BINDING_CAUSE_DEREGISTER, &d,
					       SENDER_NOW, NULL),
			 0);
	assert_int_equal(sync_bindings_finish(&b), sizeof(bindings_frame));
	assert_memory_equal(buf, bindings_frame, sizeof(bindings_frame));

	/* a byte short: the second entry does not fit, the first goes alone */
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(
		sync_bindings_begin(&b, buf, sizeof(bindings_frame) - 1, 5), 0);
	assert_int_equal(sync_bindings_add(&b, &e), 0);
	assert_int_equal(sync_bindings_add_rec(&b, SYNC_OP_REMOVE,
					       BINDING_CAUSE_DEREGISTER, &d,
					       SENDER_NOW, NULL),
			 -ENOSPC);
	assert_int_equal(b.n_entries, 1);
	assert_int_equal(b.len, ENTRY2);
	assert_untouched(buf, ENTRY2, sizeof(buf));
	assert_int_equal(sync_bindings_finish(&b), ENTRY2);
	{
		struct sync_entry_iter it;
		struct sync_entry got;
		struct sync_frame f;

		assert_int_equal(sync_frame_decode(buf, ENTRY2, &f), 0);
		assert_int_equal(f.bindings.n_entries, 1);
		sync_entries_init(&it, &f.bindings);
		assert_int_equal(sync_entries_next(&it, &got), 1);
		assert_alice(&got, buf);
		assert_int_equal(sync_entries_next(&it, &got), 0);
	}
}

/*
 * A replay entry (op 3): a node's mark without its binding, by NAI or by
 * address, round trip; one with both identities, or neither, or a mark
 * never seen, is refused by the encoder and by the decoder.
 */
static void test_replay_entry(void **state)
{
	uint8_t buf[512];
	struct binding_rec r = {
		.replay = { .seen = true, .last_id = 0xdeadbeef01234567ULL },
		.replay_method = REPLAY_NONCE,
		.nai = (const uint8_t *)"carol@example.net",
		.nai_len = 17,
	}, got;
	struct sync_builder b;
	struct sync_entry_iter it;
	struct sync_entry e;
	struct sync_frame f;
	size_t len, second;

	(void)state;
	assert_int_equal(sync_bindings_begin(&b, buf, sizeof(buf), 9), 0);
	assert_int_equal(sync_bindings_add_rec(&b, SYNC_OP_REPLAY,
					       BINDING_CAUSE_REGISTER, &r,
					       SENDER_NOW, NULL),
			 0);
	r.nai = NULL;
	r.nai_len = 0;
	inet_pton(AF_INET, "20.0.0.9", &r.home_addr);
	r.replay_method = REPLAY_TIMESTAMP;
	assert_int_equal(sync_bindings_add_rec(&b, SYNC_OP_REPLAY,
					       BINDING_CAUSE_REGISTER, &r,
					       SENDER_NOW, NULL),
			 0);
	len = sync_bindings_finish(&b);
	assert_int_equal(sync_frame_decode(buf, len, &f), 0);
	assert_int_equal(f.bindings.n_entries, 2);
	sync_entries_init(&it, &f.bindings);
	assert_int_equal(sync_entries_next(&it, &e), 1);
	assert_int_equal(e.op, SYNC_OP_REPLAY);
	sync_entry_to_rec(&e, RECEIVER_NOW, &got);
	assert_int_equal(got.nai_len, 17);
	assert_memory_equal(got.nai, "carol@example.net", 17);
	assert_int_equal(got.home_addr.s_addr, 0);
	assert_true(got.replay.seen);
	assert_true(got.replay.last_id == 0xdeadbeef01234567ULL);
	assert_int_equal(got.replay_method, REPLAY_NONCE);
	assert_int_equal(sync_entries_next(&it, &e), 1);
	sync_entry_to_rec(&e, RECEIVER_NOW, &got);
	assert_int_equal(got.nai_len, 0);
	assert_int_equal(got.home_addr.s_addr, r.home_addr.s_addr);
	assert_int_equal(got.replay_method, REPLAY_TIMESTAMP);
	assert_int_equal(sync_entries_next(&it, &e), 0);
	assert_string_equal(sync_op_str(SYNC_OP_REPLAY), "replay");

	/* both identities, none, or never seen: not an entry */
	r.nai = (const uint8_t *)"carol@example.net";
	r.nai_len = 17;
	assert_int_equal(sync_entry_from_rec(&e, SYNC_OP_REPLAY,
					     BINDING_CAUSE_REGISTER, &r,
					     SENDER_NOW, NULL),
			 -EINVAL);
	r.nai = NULL;
	r.nai_len = 0;
	r.home_addr.s_addr = 0;
	assert_int_equal(sync_entry_from_rec(&e, SYNC_OP_REPLAY,
					     BINDING_CAUSE_REGISTER, &r,
					     SENDER_NOW, NULL),
			 -EINVAL);
	inet_pton(AF_INET, "20.0.0.9", &r.home_addr);
	r.replay.seen = false;
	assert_int_equal(sync_entry_from_rec(&e, SYNC_OP_REPLAY,
					     BINDING_CAUSE_REGISTER, &r,
					     SENDER_NOW, NULL),
			 -EINVAL);
	/*
	 * The decoder: the second entry (by address) with its address
	 * zeroed, an identity no more: the frame's iteration fails there.
	 */
	sync_entries_init(&it, &f.bindings);
	assert_int_equal(sync_entries_next(&it, &e), 1);
	second = SYNC_HDR_LEN + 2 + e.len;
	memset(buf + second + SYNC_ENTRY_HDR_LEN, 0, 4);
	assert_int_equal(sync_frame_decode(buf, len, &f), -EBADMSG);
}

/* The records a receiver makes of the golden entries. */
static void test_golden_to_rec(void **state)
{
	uint8_t *copy = dup_bytes(bindings_frame, sizeof(bindings_frame));
	struct sync_entry_iter it;
	struct sync_entry e;
	struct binding_rec r, want = alice_rec();
	struct sync_frame f;

	(void)state;
	assert_int_equal(sync_frame_decode(copy, sizeof(bindings_frame), &f),
			 0);
	sync_entries_init(&it, &f.bindings);
	assert_int_equal(sync_entries_next(&it, &e), 1);
	memset(&r, 0xa5, sizeof(r));
	sync_entry_to_rec(&e, RECEIVER_NOW, &r);
	assert_int_equal(r.home_addr.s_addr, want.home_addr.s_addr);
	assert_int_equal(r.coa.s_addr, want.coa.s_addr);
	assert_int_equal(r.ha_addr.s_addr, want.ha_addr.s_addr);
	assert_int_equal(r.src.s_addr, want.src.s_addr);
	assert_memory_equal(&r.replay, &want.replay, sizeof(r.replay));
	assert_true(r.reg_time_ms == want.reg_time_ms);
	/* the 400 s left, on the receiver's clock */
	assert_true(r.expires_ms == RECEIVER_NOW + 400000);
	assert_true(r.version == 3);
	assert_int_equal(r.spi, want.spi);
	assert_int_equal(r.granted, want.granted);
	assert_int_equal(r.link, 0); /* the caller resolves "eth1" */
	assert_int_equal(r.kflags, want.kflags);
	assert_int_equal(r.req_flags, want.req_flags);
	assert_int_equal(r.replay_method, want.replay_method);
	assert_int_equal(r.encap, want.encap);
	assert_int_equal(r.origin, BINDING_ORIGIN_PEER);
	assert_int_equal(r.nai_len, 17);
	assert_ptr_equal(r.nai, e.nai);
	assert_ptr_equal(r.pool, e.pool);

	assert_int_equal(sync_entries_next(&it, &e), 1);
	sync_entry_to_rec(&e, RECEIVER_NOW, &r);
	assert_true(r.expires_ms == 0); /* never */
	assert_int_equal(r.nai_len, 0);
	assert_null(r.nai);
	assert_null(r.pool);
	assert_true(r.replay.has_nonce);
	assert_int_equal(r.replay.ha_nonce, 0x5eed);
	assert_true(r.version == 9);
	assert_int_equal(r.origin, BINDING_ORIGIN_PEER);
	free(copy);
}

/* ---- the stream ------------------------------------------------------- */

static void test_peek(void **state)
{
	uint8_t buf[sizeof(hello_frame) + sizeof(bindings_frame)];
	size_t flen, i;

	(void)state;
	memcpy(buf, hello_frame, sizeof(hello_frame));
	memcpy(buf + sizeof(hello_frame), bindings_frame,
	       sizeof(bindings_frame));
	/* arriving a byte at a time */
	flen = 1;
	assert_int_equal(sync_frame_peek(buf, 0, &flen), -EAGAIN);
	assert_int_equal(flen, SYNC_HDR_LEN);
	for (i = 1; i < SYNC_HDR_LEN; i++) {
		assert_int_equal(sync_frame_peek(buf, i, &flen), -EAGAIN);
		assert_int_equal(flen, SYNC_HDR_LEN);
	}
	for (; i < sizeof(hello_frame); i++) {
		assert_int_equal(sync_frame_peek(buf, i, &flen), -EAGAIN);
		assert_int_equal(flen, sizeof(hello_frame));
	}
	assert_int_equal(sync_frame_peek(buf, i, &flen), 0);
	assert_int_equal(flen, sizeof(hello_frame));
	/* the next frame's bytes behind it change nothing */
	assert_int_equal(sync_frame_peek(buf, sizeof(buf), &flen), 0);
	assert_int_equal(flen, sizeof(hello_frame));
	assert_int_equal(sync_frame_peek(buf + flen, sizeof(buf) - flen, &flen),
			 0);
	assert_int_equal(flen, sizeof(bindings_frame));

	/* another version: known from the first byte */
	buf[0] = 2;
	assert_int_equal(sync_frame_peek(buf, 1, &flen), -EPROTONOSUPPORT);
	assert_int_equal(sync_frame_peek(buf, sizeof(buf), &flen),
			 -EPROTONOSUPPORT);
	buf[0] = 0;
	assert_int_equal(sync_frame_peek(buf, 1, &flen), -EPROTONOSUPPORT);
	buf[0] = SYNC_VERSION;

	/* the longest body, and one byte more */
	put_be32(buf + 4, SYNC_FRAME_MAX);
	assert_int_equal(sync_frame_peek(buf, sizeof(buf), &flen), -EAGAIN);
	assert_int_equal(flen, SYNC_FRAME_BUF);
	put_be32(buf + 4, SYNC_FRAME_MAX + 1);
	assert_int_equal(sync_frame_peek(buf, sizeof(buf), &flen), -EBADMSG);
	put_be32(buf + 4, UINT32_MAX);
	assert_int_equal(sync_frame_peek(buf, sizeof(buf), &flen), -EBADMSG);
	/* an empty body is a whole frame at 16 bytes */
	put_be32(buf + 4, 0);
	assert_int_equal(sync_frame_peek(buf, SYNC_HDR_LEN, &flen), 0);
	assert_int_equal(flen, SYNC_HDR_LEN);
}

/* A frame of a type from a newer version: skipped by its length. */
static void test_unknown_type(void **state)
{
	/* clang-format off */
	static const uint8_t unknown[] = {
		0x01, 0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, /* type 42 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, /* seq 6 */
		'n', 'e', 'w',
	};
	/* clang-format on */
	uint8_t stream[sizeof(unknown) + sizeof(bindings_frame) +
		       sizeof(hello_frame)];
	unsigned int decoded = 0, skipped = 0;
	size_t off = 0, flen;
	struct sync_frame f;

	(void)state;
	memcpy(stream, unknown, sizeof(unknown));
	memcpy(stream + sizeof(unknown), bindings_frame,
	       sizeof(bindings_frame));
	memcpy(stream + sizeof(unknown) + sizeof(bindings_frame), hello_frame,
	       sizeof(hello_frame));
	while (off < sizeof(stream)) {
		int err;

		assert_int_equal(sync_frame_peek(stream + off,
						 sizeof(stream) - off, &flen),
				 0);
		err = sync_frame_decode(stream + off, flen, &f);
		if (err == -ENOMSG) {
			/* the header is there to count its seq */
			assert_int_equal(f.hdr.type, 42);
			assert_true(f.hdr.seq == 6);
			assert_int_equal(f.hdr.length, 3);
			assert_int_equal(f.len, sizeof(unknown));
			skipped++;
		} else {
			assert_int_equal(err, 0);
			decoded++;
		}
		off += flen;
	}
	assert_int_equal(skipped, 1);
	assert_int_equal(decoded, 2);
	assert_false(sync_type_sequenced(42));
	/* unsequenced, empty, and type 0: all the same */
	{
		uint8_t u[SYNC_HDR_LEN] = { SYNC_VERSION, 0 };

		assert_int_equal(decode_copy(u, sizeof(u)), -ENOMSG);
		u[1] = SYNC_REPLAY_FLOOR + 1;
		assert_int_equal(decode_copy(u, sizeof(u)), -ENOMSG);
		u[1] = 255;
		assert_int_equal(decode_copy(u, sizeof(u)), -ENOMSG);
		/* its length must still be right */
		assert_int_equal(decode_copy(u, sizeof(u) - 1), -EBADMSG);
	}
}

/* What a frame is, whatever its body. */
static void test_header_malformed(void **state)
{
	uint8_t *big;
	size_t n = sizeof(hello_frame);

	(void)state;
	assert_int_equal(decode_copy(hello_frame, 0), -EBADMSG);
	assert_int_equal(decode_copy(hello_frame, SYNC_HDR_LEN - 1), -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, n, 0, 0),
			 -EPROTONOSUPPORT);
	assert_int_equal(decode_patched(hello_frame, n, 0, 2),
			 -EPROTONOSUPPORT);
	/* the length is the body's, no more, no less */
	assert_int_equal(decode_patched(hello_frame, n, 7, 0x9a), -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, n, 7, 0x9c), -EBADMSG);
	{
		uint8_t longer[sizeof(hello_frame) + 1];

		memcpy(longer, hello_frame, n);
		longer[n] = 0;
		assert_int_equal(decode_copy(longer, sizeof(longer)), -EBADMSG);
	}
	/* flags: ignored */
	assert_int_equal(decode_patched(hello_frame, n, 2, 0xff), 0);
	assert_int_equal(decode_patched(hello_frame, n, 3, 0x01), 0);

	/* a body over SYNC_FRAME_MAX, there in full */
	big = calloc(1, SYNC_FRAME_BUF + 1);
	assert_non_null(big);
	big[0] = SYNC_VERSION;
	big[1] = 42;
	put_be32(big + 4, SYNC_FRAME_MAX + 1);
	assert_int_equal(sync_frame_decode(big, SYNC_FRAME_BUF + 1,
					   &(struct sync_frame){ 0 }),
			 -EBADMSG);
	put_be32(big + 4, SYNC_FRAME_MAX);
	assert_int_equal(sync_frame_decode(big, SYNC_FRAME_BUF,
					   &(struct sync_frame){ 0 }),
			 -ENOMSG);
	free(big);
}

/* Sequenced types carry a seq, the others none. */
static void test_seq_rules(void **state)
{
	static const uint8_t types[] = { SYNC_HELLO,	  SYNC_ACK,
					 SYNC_BINDINGS,	  SYNC_BULK_REQUEST,
					 SYNC_BULK_START, SYNC_BULK_END };
	struct sync_bulk_start s = { 1, 2 };
	struct sync_bulk_end e = { 1, 2, 0 };
	struct sync_builder b;
	uint8_t buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(types); i++) {
		bool seqd = types[i] == SYNC_BINDINGS ||
			    types[i] == SYNC_BULK_START ||
			    types[i] == SYNC_BULK_END;

		assert_int_equal(sync_type_sequenced(types[i]), seqd);
	}
	/* hello with a seq; bindings without */
	assert_int_equal(decode_patched(hello_frame, sizeof(hello_frame), 15,
					1),
			 -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, sizeof(hello_frame), 8,
					0x80),
			 -EBADMSG);
	assert_int_equal(decode_patched(bindings_frame, sizeof(bindings_frame),
					15, 0),
			 -EBADMSG);
	/* a large seq is a seq */
	assert_int_equal(decode_patched(bindings_frame, sizeof(bindings_frame),
					8, 0xff),
			 0);
	/* ack, bulk start and end */
	assert_int_equal(sync_encode_ack(buf, sizeof(buf), 9), 24);
	assert_int_equal(decode_patched(buf, 24, 15, 1), -EBADMSG);
	assert_int_equal(sync_encode_bulk_start(buf, sizeof(buf), 3, &s), 24);
	assert_int_equal(decode_patched(buf, 24, 15, 0), -EBADMSG);
	assert_int_equal(sync_encode_bulk_end(buf, sizeof(buf), 4, &e), 25);
	assert_int_equal(decode_patched(buf, 25, 15, 0), -EBADMSG);
	/* the encoders refuse seq 0 where one is due */
	assert_int_equal(sync_encode_bulk_start(buf, sizeof(buf), 0, &s),
			 -EINVAL);
	assert_int_equal(sync_encode_bulk_end(buf, sizeof(buf), 0, &e),
			 -EINVAL);
	assert_int_equal(sync_bindings_begin(&b, buf, sizeof(buf), 0), -EINVAL);
}

/* ---- round trips of the small frames ---------------------------------- */

/*
 * encode(buf, size) must write want_len bytes and nothing past them, fit
 * an exactly-sized buffer and refuse one a byte shorter without writing.
 */
#define ASSERT_ENCODE_LIMITS(call_with_size, want_len)              \
	do {                                                        \
		uint8_t *buf_ = malloc((want_len) + 8);             \
		size_t size;                                        \
		assert_non_null(buf_);                              \
		memset(buf_, 0xa5, (want_len) + 8);                 \
		size = (want_len) + 8;                              \
		assert_int_equal(call_with_size, (want_len));       \
		assert_untouched(buf_, (want_len), (want_len) + 8); \
		size = (want_len);                                  \
		assert_int_equal(call_with_size, (want_len));       \
		memset(buf_, 0xa5, (want_len) + 8);                 \
		size = (want_len)-1;                                \
		assert_int_equal(call_with_size, -ENOSPC);          \
		assert_untouched(buf_, 0, (want_len) + 8);          \
		free(buf_);                                         \
	} while (0)

static void decode_ok(const uint8_t *buf, size_t len, struct sync_frame *f)
{
	assert_int_equal(sync_frame_decode(buf, len, f), 0);
	assert_int_equal(f->len, len);
}

static void test_ack(void **state)
{
	/* clang-format off */
	static const uint8_t want[] = {
		0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03,
	};
	/* clang-format on */
	const uint64_t values[] = { 0, 1, 0x010203, UINT64_MAX };
	struct sync_frame f;
	uint8_t buf[32];

	(void)state;
	assert_int_equal(sync_encode_ack(buf, sizeof(buf), 0x010203), 24);
	assert_memory_equal(buf, want, sizeof(want));
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(sync_encode_ack(buf, sizeof(buf), values[i]),
				 24);
		decode_ok(buf, 24, &f);
		assert_int_equal(f.hdr.type, SYNC_ACK);
		assert_true(f.ack.acked == values[i]);
	}
	ASSERT_ENCODE_LIMITS(sync_encode_ack(buf_, size, 5), 24);
	/* a body a byte short or long */
	put_be32(buf + 4, 7);
	assert_int_equal(decode_copy(buf, 23), -EBADMSG);
	put_be32(buf + 4, 9);
	buf[24] = 0;
	assert_int_equal(decode_copy(buf, 25), -EBADMSG);
}

/* REPLAY_FLOOR: 8 bytes of NTP timestamp, sequenced; a peer of version 1
 * without it skips it as any unknown type. */
static void test_replay_floor(void **state)
{
	/* clang-format off */
	static const uint8_t want[] = {
		0x01, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
		0xed, 0x00, 0x00, 0x01, 0x80, 0x00, 0x00, 0x00,
	};
	/* clang-format on */
	struct sync_frame f;
	uint8_t buf[32];

	(void)state;
	assert_true(sync_type_sequenced(SYNC_REPLAY_FLOOR));
	assert_string_equal(sync_type_str(SYNC_REPLAY_FLOOR), "replay-floor");
	assert_int_equal(sync_encode_replay_floor(buf, sizeof(buf), 9,
						  0xed00000180000000ULL),
			 24);
	assert_memory_equal(buf, want, sizeof(want));
	decode_ok(buf, 24, &f);
	assert_int_equal(f.hdr.type, SYNC_REPLAY_FLOOR);
	assert_true(f.hdr.seq == 9);
	assert_true(f.replay_floor.floor == 0xed00000180000000ULL);
	ASSERT_ENCODE_LIMITS(
		sync_encode_replay_floor(buf_, size, 9, 0xed00000180000000ULL),
		24);
	/* seq 0: refused to encode, malformed to decode */
	assert_int_equal(sync_encode_replay_floor(buf, sizeof(buf), 0, 1),
			 -EINVAL);
	assert_int_equal(decode_patched(want, 24, 15, 0), -EBADMSG);
	/* a body a byte short or long */
	memcpy(buf, want, 24);
	put_be32(buf + 4, 7);
	assert_int_equal(decode_copy(buf, 23), -EBADMSG);
	put_be32(buf + 4, 9);
	buf[24] = 0;
	assert_int_equal(decode_copy(buf, 25), -EBADMSG);
}

static void test_bulk_request(void **state)
{
	/* clang-format off */
	static const uint8_t want[] = {
		0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x4d, /* request 77 */
		0x00, 0x02, /* two addresses */
		0x0a, 0x01, 0x00, 0x01, 0x0a, 0x02, 0x00, 0x01,
	};
	/* clang-format on */
	struct sync_bulk_request r = { .request_id = 77, .n_ha = 2 };
	struct sync_frame f;
	uint8_t buf[SYNC_HDR_LEN + 6 + 4 * SYNC_BULK_HA_MAX + 4];

	(void)state;
	r.ha[0] = ip("10.1.0.1");
	r.ha[1] = ip("10.2.0.1");
	assert_int_equal(sync_encode_bulk_request(buf, sizeof(buf), &r),
			 sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	decode_ok(buf, sizeof(want), &f);
	assert_int_equal(f.bulk_request.request_id, 77);
	assert_int_equal(f.bulk_request.n_ha, 2);
	assert_int_equal(f.bulk_request.ha[0].s_addr, r.ha[0].s_addr);
	assert_int_equal(f.bulk_request.ha[1].s_addr, r.ha[1].s_addr);
	ASSERT_ENCODE_LIMITS(sync_encode_bulk_request(buf_, size, &r),
			     sizeof(want));

	/* none: every binding */
	r.n_ha = 0;
	assert_int_equal(sync_encode_bulk_request(buf, sizeof(buf), &r), 22);
	decode_ok(buf, 22, &f);
	assert_int_equal(f.bulk_request.n_ha, 0);

	/* the most */
	r.n_ha = SYNC_BULK_HA_MAX;
	for (unsigned int i = 0; i < SYNC_BULK_HA_MAX; i++)
		r.ha[i].s_addr = htonl(0x0a000001 + (i << 16));
	ASSERT_ENCODE_LIMITS(sync_encode_bulk_request(buf_, size, &r),
			     22 + 4 * SYNC_BULK_HA_MAX);
	assert_int_equal(sync_encode_bulk_request(buf, sizeof(buf), &r),
			 22 + 4 * SYNC_BULK_HA_MAX);
	decode_ok(buf, 22 + 4 * SYNC_BULK_HA_MAX, &f);
	assert_memory_equal(f.bulk_request.ha, r.ha, sizeof(r.ha));
	/* one more: refused both ways */
	r.n_ha = SYNC_BULK_HA_MAX + 1;
	assert_int_equal(sync_encode_bulk_request(buf, sizeof(buf), &r),
			 -EINVAL);
	put_be32(buf + 4, 6 + 4 * (SYNC_BULK_HA_MAX + 1));
	put_be16(buf + 20, SYNC_BULK_HA_MAX + 1);
	memcpy(buf + 22 + 4 * SYNC_BULK_HA_MAX, "\x0b\0\0\1", 4);
	assert_int_equal(decode_copy(buf, sizeof(buf)), -EBADMSG);

	/* a duplicate address */
	r.n_ha = 2;
	r.ha[1] = r.ha[0];
	assert_int_equal(sync_encode_bulk_request(buf, sizeof(buf), &r),
			 -EINVAL);
	memcpy(buf, want, sizeof(want));
	memcpy(buf + 26, want + 22, 4);
	assert_int_equal(decode_copy(buf, sizeof(want)), -EBADMSG);

	/* n_ha and the length disagree: one address too few, too many */
	memcpy(buf, want, sizeof(want));
	buf[21] = 3;
	assert_int_equal(decode_copy(buf, sizeof(want)), -EBADMSG);
	buf[21] = 1;
	assert_int_equal(decode_copy(buf, sizeof(want)), -EBADMSG);
	/* shorter than its fixed part */
	memcpy(buf, want, sizeof(want));
	put_be32(buf + 4, 5);
	assert_int_equal(decode_copy(buf, 21), -EBADMSG);
}

static void test_bulk_start_end(void **state)
{
	/* clang-format off */
	static const uint8_t want_start[] = {
		0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,
		0x00, 0x00, 0x00, 0x4d, 0x00, 0x01, 0x00, 0x00,
	};
	static const uint8_t want_end[] = {
		0x01, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
		0x00, 0x00, 0x00, 0x4d, 0x00, 0x00, 0xff, 0xfe, 0x01,
	};
	/* clang-format on */
	struct sync_bulk_start s = { .request_id = 77, .expected = 65536 };
	struct sync_bulk_end e = { .request_id = 77,
				   .count = 65534,
				   .status = SYNC_BULK_ABORTED };
	struct sync_frame f;
	uint8_t buf[32];

	(void)state;
	assert_int_equal(sync_encode_bulk_start(buf, sizeof(buf), 4, &s), 24);
	assert_memory_equal(buf, want_start, sizeof(want_start));
	decode_ok(buf, 24, &f);
	assert_int_equal(f.hdr.type, SYNC_BULK_START);
	assert_true(f.hdr.seq == 4);
	assert_int_equal(f.bulk_start.request_id, 77);
	assert_int_equal(f.bulk_start.expected, 65536);
	ASSERT_ENCODE_LIMITS(sync_encode_bulk_start(buf_, size, 4, &s), 24);

	assert_int_equal(sync_encode_bulk_end(buf, sizeof(buf), 7, &e), 25);
	assert_memory_equal(buf, want_end, sizeof(want_end));
	decode_ok(buf, 25, &f);
	assert_int_equal(f.hdr.type, SYNC_BULK_END);
	assert_true(f.hdr.seq == 7);
	assert_int_equal(f.bulk_end.request_id, 77);
	assert_int_equal(f.bulk_end.count, 65534);
	assert_int_equal(f.bulk_end.status, SYNC_BULK_ABORTED);
	ASSERT_ENCODE_LIMITS(sync_encode_bulk_end(buf_, size, 7, &e), 25);
	/* complete, and a status that is neither */
	assert_int_equal(decode_patched(buf, 25, 24, SYNC_BULK_COMPLETE), 0);
	assert_int_equal(decode_patched(buf, 25, 24, 2), -EBADMSG);
	e.status = 2;
	assert_int_equal(sync_encode_bulk_end(buf, sizeof(buf), 7, &e),
			 -EINVAL);

	/* bodies a byte short and long */
	memcpy(buf, want_start, 24);
	put_be32(buf + 4, 7);
	assert_int_equal(decode_copy(buf, 23), -EBADMSG);
	put_be32(buf + 4, 9);
	assert_int_equal(decode_copy(buf, 25), -EBADMSG);
	memcpy(buf, want_end, 25);
	put_be32(buf + 4, 8);
	assert_int_equal(decode_copy(buf, 24), -EBADMSG);
	put_be32(buf + 4, 10);
	buf[25] = 0;
	assert_int_equal(decode_copy(buf, 26), -EBADMSG);
}

/* ---- HELLO ------------------------------------------------------------ */

static char section_names[SYNC_SECTIONS_MAX][SYNC_SECTION_NAME_MAX];
static char group_names[SYNC_GROUPS_MAX][SYNC_GROUP_NAME_MAX];

/* The largest HELLO: every section and group, every name at its longest. */
static void largest_hello(struct sync_hello *h)
{
	memset(h, 0, sizeof(*h));
	h->mode = SYNC_MODE_VIRTUAL;
	h->role = SYNC_ROLE_STANDBY;
	h->n_sections = SYNC_SECTIONS_MAX;
	for (unsigned int i = 0; i < SYNC_SECTIONS_MAX; i++) {
		memset(section_names[i], '~', SYNC_SECTION_NAME_MAX);
		section_names[i][0] = (char)('!' + i);
		h->sections[i].name = section_names[i];
		h->sections[i].name_len = SYNC_SECTION_NAME_MAX;
		memset(h->sections[i].digest, i, SYNC_DIGEST_LEN);
	}
	h->n_groups = SYNC_GROUPS_MAX;
	for (unsigned int i = 0; i < SYNC_GROUPS_MAX; i++) {
		memset(group_names[i], 'g', SYNC_GROUP_NAME_MAX);
		group_names[i][SYNC_GROUP_NAME_MAX - 1] = (char)('!' + i);
		h->groups[i].name = group_names[i];
		h->groups[i].name_len = SYNC_GROUP_NAME_MAX;
	}
}

static void test_hello_largest(void **state)
{
	const size_t want = SYNC_HDR_LEN + 66 +
			    SYNC_SECTIONS_MAX * (1 + 32 + 32) + 2 +
			    SYNC_GROUPS_MAX * (1 + 64);
	struct sync_hello h;
	struct sync_frame f;
	uint8_t *buf = malloc(want + 8);

	(void)state;
	assert_non_null(buf);
	largest_hello(&h);
	ASSERT_ENCODE_LIMITS(sync_encode_hello(buf_, size, &h), want);
	assert_int_equal(sync_encode_hello(buf, want, &h), want);
	decode_ok(buf, want, &f);
	assert_hello_equal(&f.hello, &h);
	assert_int_equal(f.hello.mode, SYNC_MODE_VIRTUAL);
	assert_int_equal(f.hello.role, SYNC_ROLE_STANDBY);
	free(buf);

	/* no section and no group at all */
	memset(&h, 0, sizeof(h));
	h.mode = SYNC_MODE_PHYSICAL;
	buf = malloc(SYNC_HDR_LEN + 68);
	assert_non_null(buf);
	assert_int_equal(sync_encode_hello(buf, SYNC_HDR_LEN + 68, &h),
			 SYNC_HDR_LEN + 68);
	decode_ok(buf, SYNC_HDR_LEN + 68, &f);
	assert_int_equal(f.hello.n_sections, 0);
	assert_int_equal(f.hello.n_groups, 0);
	free(buf);
}

/* What the encoder refuses: all that the decoder would. */
static void test_hello_encode_invalid(void **state)
{
	uint8_t buf[8192];
	struct sync_hello h;

	(void)state;
	golden_hello(&h);
	assert_true(sync_encode_hello(buf, sizeof(buf), &h) > 0);
#define REFUSED(change)                                                   \
	do {                                                              \
		golden_hello(&h);                                         \
		change;                                                   \
		assert_int_equal(sync_encode_hello(buf, sizeof(buf), &h), \
				 -EINVAL);                                \
	} while (0)
	REFUSED(h.mode = 0);
	REFUSED(h.mode = 3);
	REFUSED(h.role = 4);
	REFUSED(h.sections[1].name_len = 0);
	REFUSED(h.sections[1].name = NULL);
	REFUSED((h.sections[1].name = "po ol", h.sections[1].name_len = 5));
	REFUSED((h.sections[1].name = "po\tl", h.sections[1].name_len = 4));
	REFUSED((h.sections[1].name = "po\x7fl", h.sections[1].name_len = 4));
	REFUSED((h.sections[1].name = "home-agent",
		 h.sections[1].name_len = 10));
	REFUSED((h.sections[1].name = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		 h.sections[1].name_len = 33));
	REFUSED(h.groups[0].name_len = 0);
	REFUSED((h.groups[0].name = "ha lan", h.groups[0].name_len = 6));
	REFUSED((h.n_groups = 2, h.groups[1] = h.groups[0]));
	largest_hello(&h);
	h.n_sections = SYNC_SECTIONS_MAX + 1;
	assert_int_equal(sync_encode_hello(buf, sizeof(buf), &h), -EINVAL);
	largest_hello(&h);
	h.n_groups = SYNC_GROUPS_MAX + 1;
	assert_int_equal(sync_encode_hello(buf, sizeof(buf), &h), -EINVAL);
	largest_hello(&h);
	h.groups[3].name_len = SYNC_GROUP_NAME_MAX + 1;
	assert_int_equal(sync_encode_hello(buf, sizeof(buf), &h), -EINVAL);
#undef REFUSED
}

static void test_hello_malformed(void **state)
{
	const size_t n = sizeof(hello_frame);
	uint8_t buf[sizeof(hello_frame) + 64];

	(void)state;
	/* reserved: ignored */
	assert_int_equal(decode_patched(hello_frame, n, HELLO_BODY + 6, 0xff),
			 0);
	assert_int_equal(decode_patched(hello_frame, n, HELLO_BODY + 4, 0),
			 -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, n, HELLO_BODY + 4, 2), 0);
	assert_int_equal(decode_patched(hello_frame, n, HELLO_BODY + 4, 3),
			 -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, n, HELLO_BODY + 5, 0), 0);
	assert_int_equal(decode_patched(hello_frame, n, HELLO_BODY + 5, 4),
			 -EBADMSG);
	/* n_sections: one more than there are, one fewer, over the limit */
	assert_int_equal(decode_patched(hello_frame, n, HELLO_BODY + 65, 3),
			 -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, n, HELLO_BODY + 65, 1),
			 -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, n, HELLO_BODY + 65, 33),
			 -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, n, HELLO_BODY + 64, 1),
			 -EBADMSG);
	/* a section name: empty, control characters, a space, a dup */
	assert_int_equal(decode_patched(hello_frame, n, HELLO_SECTION2, 0),
			 -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, n, HELLO_SECTION2 + 2,
					0x00),
			 -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, n, HELLO_SECTION2 + 2,
					0x1f),
			 -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, n, HELLO_SECTION2 + 2,
					0x7f),
			 -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, n, HELLO_SECTION2 + 2,
					0x80),
			 -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, n, HELLO_SECTION2 + 2,
					' '),
			 -EBADMSG);
	assert_int_equal(
		decode_patched(hello_frame, n, HELLO_SECTION2 + 2, '~'), 0);
	{
		/* "pool" and "pool": both sections of the same name */
		uint8_t *c = dup_bytes(hello_frame, n);

		memcpy(c + HELLO_SECTION1, hello_frame + HELLO_SECTION2, 5);
		memmove(c + HELLO_SECTION1 + 5,
			hello_frame + HELLO_SECTION1 + 11,
			n - HELLO_SECTION1 - 11);
		put_be32(c + 4, 155 - 6);
		assert_int_equal(decode_copy(c, n - 6), -EBADMSG);
		/* "pool" and "poo~" are two */
		c[HELLO_SECTION1 + 4] = '~';
		assert_int_equal(decode_copy(c, n - 6), 0);
		free(c);
	}
	/* groups: more than there are, over the limit, empty, a space */
	assert_int_equal(decode_patched(hello_frame, n, HELLO_N_GROUPS + 1, 2),
			 -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, n, HELLO_N_GROUPS + 1, 0),
			 -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, n, HELLO_N_GROUPS + 1, 65),
			 -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, n, HELLO_GROUP1, 0),
			 -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, n, HELLO_GROUP1 + 3, ' '),
			 -EBADMSG);
	/* a group name of 65 bytes */
	memcpy(buf, hello_frame, n);
	buf[HELLO_GROUP1] = 65;
	memset(buf + HELLO_GROUP1 + 1, 'g', 65);
	put_be32(buf + 4, 155 - 6 + 65);
	assert_int_equal(decode_copy(buf, n - 6 + 65), -EBADMSG);
	buf[HELLO_GROUP1] = 64;
	put_be32(buf + 4, 155 - 6 + 64);
	assert_int_equal(decode_copy(buf, n - 6 + 64), 0);
	/* a byte left over after the groups */
	memcpy(buf, hello_frame, n);
	buf[n] = 0;
	put_be32(buf + 4, 156);
	assert_int_equal(decode_copy(buf, n + 1), -EBADMSG);
}

/* Every prefix of a frame: never whole, and no body cut short decodes. */
static void assert_truncations(const uint8_t *frame, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t *c = dup_bytes(frame, i);
		size_t flen;

		assert_int_equal(sync_frame_peek(c, i, &flen), -EAGAIN);
		assert_int_equal(decode_copy(c, i), -EBADMSG);
		if (i >= SYNC_HDR_LEN) {
			/* the length says this is all: the body is short */
			put_be32(c + 4, (uint32_t)(i - SYNC_HDR_LEN));
			assert_int_equal(sync_frame_peek(c, i, &flen), 0);
			assert_int_equal(decode_copy(c, i), -EBADMSG);
		}
		free(c);
	}
}

static void test_truncations(void **state)
{
	(void)state;
	assert_truncations(hello_frame, sizeof(hello_frame));
	assert_truncations(bindings_frame, sizeof(bindings_frame));
}

/* ---- BINDINGS entries ------------------------------------------------- */

/*
 * A BINDINGS frame of one upsert: alice's fixed part, then tlvs. Returns
 * its length.
 */
static size_t one_entry(uint8_t *out, const uint8_t *tlvs, size_t tlv_len)
{
	const size_t elen = 66 + tlv_len;

	memcpy(out, bindings_frame, ENTRY1_TLVS);
	put_be32(out + 4, (uint32_t)(2 + 4 + elen));
	put_be16(out + BINDINGS_BODY, 1);
	put_be16(out + ENTRY1 + 2, (uint16_t)elen);
	memcpy(out + ENTRY1_TLVS, tlvs, tlv_len);
	return ENTRY1_TLVS + tlv_len;
}

/* Decodes one_entry(tlvs) into *e; returns the frame's decode result. */
static int decode_tlvs(const uint8_t *tlvs, size_t tlv_len,
		       struct sync_entry *e)
{
	uint8_t *frame = malloc(ENTRY1_TLVS + tlv_len);
	struct sync_entry_iter it;
	struct sync_frame f;
	uint8_t *c;
	size_t n;
	int err;

	assert_non_null(frame);
	n = one_entry(frame, tlvs, tlv_len);
	c = dup_bytes(frame, n);
	err = sync_frame_decode(c, n, &f);
	if (!err) {
		sync_entries_init(&it, &f.bindings);
		assert_int_equal(sync_entries_next(&it, e), 1);
		assert_int_equal(sync_entries_next(&it, e), 0);
		/* again, for the caller (the pointers die with c) */
		sync_entries_init(&it, &f.bindings);
		assert_int_equal(sync_entries_next(&it, e), 1);
		e->nai = NULL;
		for (unsigned int i = 0; i < e->n_aaa; i++)
			e->aaa[i].value = NULL;
	}
	free(c);
	free(frame);
	return err;
}

#define TLVS(...) ((const uint8_t[]){ __VA_ARGS__ })
#define DECODE_TLVS(e, ...) \
	decode_tlvs(TLVS(__VA_ARGS__), sizeof(TLVS(__VA_ARGS__)), e)

static void test_entry_tlvs(void **state)
{
	uint8_t tlvs[2 * 300] = { 0 };
	struct sync_entry e;

	(void)state;
	/* none at all: the fixed part is the whole entry */
	assert_int_equal(decode_tlvs(tlvs, 0, &e), 0);
	assert_int_equal(e.nai_len, 0);
	assert_string_equal(e.pool, "");
	assert_string_equal(e.link, "");
	/* unknown types, empty or not, anywhere: skipped */
	assert_int_equal(DECODE_TLVS(&e, 99, 0, 1, 1, 'a', 0, 3, 1, 2, 3, 200,
				     1, 'x'),
			 0);
	assert_int_equal(e.skipped_tlvs, 3);
	assert_int_equal(e.nai_len, 1);
	/* empty NAI, pool, link */
	assert_int_equal(DECODE_TLVS(&e, 1, 0), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 2, 0), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 3, 0), -EBADMSG);
	/* duplicates */
	assert_int_equal(DECODE_TLVS(&e, 1, 1, 'a', 1, 1, 'b'), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 2, 1, 'a', 2, 1, 'b'), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 3, 1, 'a', 3, 1, 'b'), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 1, 1, 'a', 2, 1, 'a', 3, 1, 'a'), 0);
	/* the NAI: the registration path's rule */
	assert_int_equal(DECODE_TLVS(&e, 1, 3, 'a', 0x00, 'b'), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 1, 3, 'a', 0x1f, 'b'), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 1, 3, 'a', 0x7f, 'b'), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 1, 3, 'a', ' ', 'b'), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 1, 3, 'a', 0xc3, 'b'), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 1, 3, 'a', '~', 'b'), 0);
	tlvs[0] = 1;
	tlvs[1] = 255;
	memset(tlvs + 2, 'n', 255);
	assert_int_equal(decode_tlvs(tlvs, 257, &e), 0);
	assert_int_equal(e.nai_len, 255);
	/* the pool: up to 63, printable */
	tlvs[0] = 2;
	tlvs[1] = 63;
	memset(tlvs + 2, 'p', 63);
	assert_int_equal(decode_tlvs(tlvs, 65, &e), 0);
	assert_int_equal(strlen(e.pool), 63);
	tlvs[1] = 64;
	assert_int_equal(decode_tlvs(tlvs, 66, &e), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 2, 3, 'a', ' ', 'b'), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 2, 3, 'a', 0x7f, 'b'), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 2, 3, 'a', 0, 'b'), -EBADMSG);
	/* the link: up to 15, printable, no '/' */
	tlvs[0] = 3;
	tlvs[1] = 15;
	memset(tlvs + 2, 'l', 15);
	assert_int_equal(decode_tlvs(tlvs, 17, &e), 0);
	assert_int_equal(strlen(e.link), 15);
	tlvs[1] = 16;
	assert_int_equal(decode_tlvs(tlvs, 18, &e), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 3, 3, 'a', '/', 'b'), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 3, 3, 'a', ' ', 'b'), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 3, 3, 'a', 0x0a, 'b'), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 3, 6, 'e', 't', 'h', '0', '.', '7'),
			 0);
	assert_string_equal(e.link, "eth0.7");
	/* AAA: at least the attribute type; at most 16 */
	assert_int_equal(DECODE_TLVS(&e, 4, 0), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 4, 1, 0), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 4, 2, 0x01, 0x02), 0);
	assert_int_equal(e.n_aaa, 1);
	assert_int_equal(e.aaa[0].type, 0x0102);
	assert_int_equal(e.aaa[0].len, 0);
	for (unsigned int i = 0; i < 17; i++) {
		tlvs[4 * i] = 4;
		tlvs[4 * i + 1] = 2;
		tlvs[4 * i + 2] = 0;
		tlvs[4 * i + 3] = (uint8_t)i;
	}
	assert_int_equal(decode_tlvs(tlvs, 4 * 16, &e), 0);
	assert_int_equal(e.n_aaa, 16);
	assert_int_equal(e.aaa[15].type, 15);
	assert_int_equal(decode_tlvs(tlvs, 4 * 17, &e), -EBADMSG);
	/* a TLV's header or value running past the entry */
	assert_int_equal(DECODE_TLVS(&e, 99), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 1, 3, 'a', 'b'), -EBADMSG);
	assert_int_equal(DECODE_TLVS(&e, 99, 1), -EBADMSG);
}

/* entry_len against the fixed part, the TLVs and the body. */
static void test_entry_lengths(void **state)
{
	const size_t n = sizeof(bindings_frame);
	uint8_t *c;

	(void)state;
	/* entry_len shorter than the fixed part */
	assert_int_equal(decode_patched(bindings_frame, n, ENTRY2 + 3, 65),
			 -EBADMSG);
	assert_int_equal(decode_patched(bindings_frame, n, ENTRY2 + 3, 0),
			 -EBADMSG);
	/* longer than what is left of the body */
	assert_int_equal(decode_patched(bindings_frame, n, ENTRY2 + 3, 67),
			 -EBADMSG);
	assert_int_equal(decode_patched(bindings_frame, n, ENTRY2 + 2, 1),
			 -EBADMSG);
	/* entry 1 cut in the middle of its AAA TLV: entry 2 then starts
	 * inside it and the frame is refused */
	assert_int_equal(decode_patched(bindings_frame, n, ENTRY1 + 3, 106),
			 -EBADMSG);
	/* one byte longer: entry 2's op read as the rest of a TLV */
	assert_int_equal(decode_patched(bindings_frame, n, ENTRY1 + 3, 109),
			 -EBADMSG);
	/* n_entries: more than there are, fewer, none */
	assert_int_equal(decode_patched(bindings_frame, n, BINDINGS_BODY + 1,
					3),
			 -EBADMSG);
	assert_int_equal(decode_patched(bindings_frame, n, BINDINGS_BODY + 1,
					1),
			 -EBADMSG);
	assert_int_equal(decode_patched(bindings_frame, n, BINDINGS_BODY + 1,
					0),
			 -EBADMSG);
	assert_int_equal(decode_patched(bindings_frame, n, BINDINGS_BODY, 1),
			 -EBADMSG);
	/* a body with no n_entries; one with none and nothing after */
	c = dup_bytes(bindings_frame, SYNC_HDR_LEN + 2);
	put_be32(c + 4, 0);
	assert_int_equal(decode_copy(c, SYNC_HDR_LEN), -EBADMSG);
	put_be32(c + 4, 2);
	put_be16(c + SYNC_HDR_LEN, 0);
	assert_int_equal(decode_copy(c, SYNC_HDR_LEN + 2), 0);
	free(c);
	/* the iterator on its own says the same */
	{
		struct sync_bindings b = { .n_entries = 3,
					   .entries = bindings_frame + ENTRY1,
					   .entries_len = n - ENTRY1 };
		struct sync_entry_iter it;
		struct sync_entry e;

		sync_entries_init(&it, &b);
		assert_int_equal(sync_entries_next(&it, &e), 1);
		assert_int_equal(sync_entries_next(&it, &e), 1);
		assert_int_equal(sync_entries_next(&it, &e), -EBADMSG);
		b.n_entries = 1;
		sync_entries_init(&it, &b);
		assert_int_equal(sync_entries_next(&it, &e), 1);
		assert_int_equal(sync_entries_next(&it, &e), -EBADMSG);
	}
}

/* The fixed part's enumerations and flags. */
static void test_entry_values(void **state)
{
	const size_t n = sizeof(bindings_frame);
	struct sync_entry e;

	(void)state;
	assert_int_equal(decode_patched(bindings_frame, n, ENTRY2, 0),
			 -EBADMSG);
	/* 3, replay: entry 2 (an address, no NAI, a mark) is one too */
	assert_int_equal(decode_patched(bindings_frame, n, ENTRY2, 3), 0);
	assert_int_equal(decode_patched(bindings_frame, n, ENTRY2, 4),
			 -EBADMSG);
	/* but not entry 1 as a replay entry: alice has a NAI and an address */
	assert_int_equal(decode_patched(bindings_frame, n, ENTRY1, 3),
			 -EBADMSG);
	assert_int_equal(decode_patched(bindings_frame, n, ENTRY2, 1), 0);
	assert_int_equal(decode_patched(bindings_frame, n, ENTRY2 + 1,
					BINDING_CAUSE_TAKEN_OVER),
			 0);
	assert_int_equal(decode_patched(bindings_frame, n, ENTRY2 + 1,
					BINDING_CAUSE_MAX),
			 -EBADMSG);
	/* replay method, encapsulation */
	assert_int_equal(decode_patched(bindings_frame, n, ENTRY2_FIXED + 62,
					2),
			 -EBADMSG);
	assert_int_equal(
		decode_patched(bindings_frame, n, ENTRY2_FIXED + 63, 0), 0);
	assert_int_equal(decode_patched(bindings_frame, n, ENTRY2_FIXED + 63,
					3),
			 -EBADMSG);
	/* unknown flag bits of the entry and of the replay: dropped */
	{
		uint8_t *c = dup_bytes(bindings_frame, n);
		struct sync_entry_iter it;
		struct sync_frame f;

		c[ENTRY2_FIXED + 64] = 0xff;
		c[ENTRY2_FIXED + 65] = 0xfe;
		c[ENTRY2_FIXED + 60] = 0xfc;
		assert_int_equal(sync_frame_decode(c, n, &f), 0);
		sync_entries_init(&it, &f.bindings);
		assert_int_equal(sync_entries_next(&it, &e), 1);
		assert_int_equal(sync_entries_next(&it, &e), 1);
		assert_int_equal(e.flags, 0);
		assert_false(e.replay.seen);
		assert_false(e.replay.has_nonce);
		free(c);
	}
	/* kflags and req_flags travel as they are */
	assert_int_equal(
		decode_patched(bindings_frame, n, ENTRY2_FIXED + 28, 0xff), 0);
	assert_int_equal(
		decode_patched(bindings_frame, n, ENTRY2_FIXED + 61, 0xff), 0);
}

/* ---- the builder ------------------------------------------------------ */

static uint8_t long_nai[255];
static uint8_t aaa_value[SYNC_AAA_VALUE_MAX];
static char long_pool[SYNC_POOL_NAME_MAX + 2]; /* NUL-terminated */

/* An entry with every TLV at its longest. */
static void longest_entry(struct sync_entry *e, uint32_t home)
{
	struct binding_rec r = alice_rec();

	memset(long_nai, 'n', sizeof(long_nai));
	memset(aaa_value, 0xaa, sizeof(aaa_value));
	r.home_addr.s_addr = htonl(home);
	r.nai = long_nai;
	r.nai_len = sizeof(long_nai);
	memset(long_pool, 'p', SYNC_POOL_NAME_MAX);
	r.pool = long_pool;
	assert_int_equal(sync_entry_from_rec(e, SYNC_OP_UPSERT,
					     BINDING_CAUSE_REGISTER, &r,
					     SENDER_NOW, "lllllllllllllll"),
			 0);
	e->n_aaa = SYNC_AAA_MAX;
	for (unsigned int i = 0; i < SYNC_AAA_MAX; i++)
		e->aaa[i] = (struct binding_aaa){ .type = (uint16_t)i,
					       .len = SYNC_AAA_VALUE_MAX,
					       .value = aaa_value };
}

/* As many entries as fit a frame, then the next frame. */
static void test_builder_bundles(void **state)
{
	uint8_t *buf = malloc(SYNC_FRAME_BUF + 4096);
	unsigned int added = 0, seen = 0;
	struct sync_entry_iter it;
	struct sync_builder b;
	struct sync_entry e, got;
	struct sync_frame f;
	size_t len;

	(void)state;
	assert_non_null(buf);
	longest_entry(&e, 0x0a000000);
	/* a buffer larger than any frame: the frame's limit stops it */
	assert_int_equal(sync_bindings_begin(&b, buf, SYNC_FRAME_BUF + 4096, 1),
			 0);
	for (;;) {
		int err;

		e.home_addr.s_addr = htonl(0x0a000000 + added);
		err = sync_bindings_add(&b, &e);
		if (err) {
			assert_int_equal(err, -ENOSPC);
			break;
		}
		added++;
	}
	assert_int_equal(added, (SYNC_FRAME_MAX - 2) / SYNC_ENTRY_MAX);
	assert_int_equal(b.n_entries, added);
	len = sync_bindings_finish(&b);
	assert_int_equal(len, SYNC_HDR_LEN + 2 + added * SYNC_ENTRY_MAX);
	assert_true(len <= SYNC_FRAME_BUF);
	assert_int_equal(sync_frame_decode(buf, len, &f), 0);
	sync_entries_init(&it, &f.bindings);
	while (sync_entries_next(&it, &got) == 1) {
		assert_int_equal(ntohl(got.home_addr.s_addr),
				 0x0a000000 + seen);
		assert_int_equal(got.nai_len, 255);
		assert_int_equal(strlen(got.pool), 63);
		assert_int_equal(strlen(got.link), 15);
		assert_int_equal(got.n_aaa, SYNC_AAA_MAX);
		assert_memory_equal(got.aaa[15].value, aaa_value,
				    SYNC_AAA_VALUE_MAX);
		assert_int_equal(got.len, SYNC_ENTRY_MAX);
		seen++;
	}
	assert_int_equal(seen, added);

	/* the one that did not fit opens the next frame */
	assert_int_equal(sync_bindings_begin(&b, buf, SYNC_FRAME_BUF, 2), 0);
	assert_int_equal(sync_bindings_add(&b, &e), 0);
	len = sync_bindings_finish(&b);
	assert_int_equal(sync_frame_decode(buf, len, &f), 0);
	assert_true(f.hdr.seq == 2);
	assert_int_equal(f.bindings.n_entries, 1);
	free(buf);
}

static void test_builder_limits(void **state)
{
	const size_t one = SYNC_HDR_LEN + 2 + SYNC_ENTRY_MAX;
	uint8_t *buf = malloc(one + 8);
	struct sync_builder b;
	struct sync_entry e;
	struct sync_frame f;

	(void)state;
	assert_non_null(buf);
	longest_entry(&e, 0x0a000001);
	/* too small for even an empty frame */
	assert_int_equal(sync_bindings_begin(&b, buf, SYNC_HDR_LEN + 1, 1),
			 -ENOSPC);
	/* an empty frame is a frame */
	assert_int_equal(sync_bindings_begin(&b, buf, SYNC_HDR_LEN + 2, 1), 0);
	assert_int_equal(sync_bindings_finish(&b), SYNC_HDR_LEN + 2);
	assert_int_equal(sync_frame_decode(buf, SYNC_HDR_LEN + 2, &f), 0);
	assert_int_equal(f.bindings.n_entries, 0);
	/* exactly full */
	memset(buf, 0xa5, one + 8);
	assert_int_equal(sync_bindings_begin(&b, buf, one, 1), 0);
	assert_int_equal(sync_bindings_add(&b, &e), 0);
	assert_int_equal(sync_bindings_add(&b, &e), -ENOSPC);
	assert_int_equal(sync_bindings_finish(&b), one);
	assert_untouched(buf, one, one + 8);
	assert_int_equal(sync_frame_decode(buf, one, &f), 0);
	/* a byte short: nothing written, the builder as it was */
	memset(buf, 0xa5, one + 8);
	assert_int_equal(sync_bindings_begin(&b, buf, one - 1, 1), 0);
	assert_int_equal(sync_bindings_add(&b, &e), -ENOSPC);
	assert_int_equal(b.len, SYNC_HDR_LEN + 2);
	assert_int_equal(b.n_entries, 0);
	assert_untouched(buf, SYNC_HDR_LEN + 2, one + 8);
	free(buf);
}

/* What sync_bindings_add() refuses: all that the decoder would. */
static void test_builder_invalid(void **state)
{
	uint8_t buf[1024];
	struct sync_builder b;
	struct sync_entry e;
	struct binding_rec r = alice_rec();

	(void)state;
	assert_int_equal(sync_bindings_begin(&b, buf, sizeof(buf), 1), 0);
#define REFUSED(change)                                                       \
	do {                                                                  \
		assert_int_equal(sync_entry_from_rec(&e, SYNC_OP_UPSERT,      \
						     BINDING_CAUSE_REGISTER,  \
						     &r, SENDER_NOW, "eth1"), \
				 0);                                          \
		change;                                                       \
		assert_int_equal(sync_bindings_add(&b, &e), -EINVAL);         \
	} while (0)
	REFUSED(e.op = 0);
	REFUSED(e.op = 3);
	REFUSED(e.cause = BINDING_CAUSE_MAX);
	REFUSED(e.replay_method = 2);
	REFUSED(e.encap = 3);
	REFUSED(e.flags = 2);
	REFUSED(e.nai = NULL);
	REFUSED(e.nai = (const uint8_t *)"alice example.org");
	REFUSED(e.pool[3] = ' ');
	REFUSED(memset(e.pool, 'p', sizeof(e.pool)));
	REFUSED(e.link[1] = '/');
	REFUSED(memset(e.link, 'l', sizeof(e.link)));
	REFUSED(e.n_aaa = SYNC_AAA_MAX + 1);
	REFUSED((e.n_aaa = 1, e.aaa[0].len = SYNC_AAA_VALUE_MAX + 1,
		 e.aaa[0].value = aaa_value));
	REFUSED((e.n_aaa = 1, e.aaa[0].len = 1, e.aaa[0].value = NULL));
#undef REFUSED
	assert_int_equal(b.n_entries, 0);
	assert_int_equal(b.len, SYNC_HDR_LEN + 2);
}

/* ---- records: what the sender may send -------------------------------- */

static void test_from_rec_invalid(void **state)
{
	static const uint8_t spaced[] = "alice @example.org";
	struct binding_rec r;
	struct sync_entry e;

	(void)state;
#define FROM(op, cause, link) \
	sync_entry_from_rec(&e, op, cause, &r, SENDER_NOW, link)
	r = alice_rec();
	assert_int_equal(FROM(SYNC_OP_UPSERT, BINDING_CAUSE_REGISTER, "eth1"),
			 0);
	assert_int_equal(FROM(0, BINDING_CAUSE_REGISTER, "eth1"), -EINVAL);
	assert_int_equal(FROM(3, BINDING_CAUSE_REGISTER, "eth1"), -EINVAL);
	assert_int_equal(FROM(SYNC_OP_UPSERT, BINDING_CAUSE_MAX, "eth1"),
			 -EINVAL);
	/* a link needs its name, and no link none */
	assert_int_equal(FROM(SYNC_OP_UPSERT, BINDING_CAUSE_REGISTER, NULL),
			 -EINVAL);
	r.link = 0;
	assert_int_equal(FROM(SYNC_OP_UPSERT, BINDING_CAUSE_REGISTER, "eth1"),
			 -EINVAL);
	assert_int_equal(FROM(SYNC_OP_UPSERT, BINDING_CAUSE_REGISTER, NULL), 0);
	r = alice_rec();
	assert_int_equal(FROM(SYNC_OP_UPSERT, BINDING_CAUSE_REGISTER, "a/b"),
			 -EINVAL);
	assert_int_equal(FROM(SYNC_OP_UPSERT, BINDING_CAUSE_REGISTER, ""),
			 -EINVAL);
	assert_int_equal(FROM(SYNC_OP_UPSERT, BINDING_CAUSE_REGISTER,
			      "sixteen-chars-xx"),
			 -EINVAL);
	assert_int_equal(FROM(SYNC_OP_UPSERT, BINDING_CAUSE_REGISTER,
			      "fifteen-chars-x"),
			 0);
	/* the NAI, the pool */
	r.nai = spaced;
	r.nai_len = sizeof(spaced) - 1;
	assert_int_equal(FROM(SYNC_OP_UPSERT, BINDING_CAUSE_REGISTER, "eth1"),
			 -EINVAL);
	r.nai = NULL;
	assert_int_equal(FROM(SYNC_OP_UPSERT, BINDING_CAUSE_REGISTER, "eth1"),
			 -EINVAL);
	r = alice_rec();
	r.pool = "";
	assert_int_equal(FROM(SYNC_OP_UPSERT, BINDING_CAUSE_REGISTER, "eth1"),
			 0);
	assert_string_equal(e.pool, "");
	r.pool = "my pool";
	assert_int_equal(FROM(SYNC_OP_UPSERT, BINDING_CAUSE_REGISTER, "eth1"),
			 -EINVAL);
	memset(long_pool, 'p', SYNC_POOL_NAME_MAX + 1);
	r.pool = long_pool;
	assert_int_equal(FROM(SYNC_OP_UPSERT, BINDING_CAUSE_REGISTER, "eth1"),
			 -EINVAL);
	long_pool[SYNC_POOL_NAME_MAX] = '\0';
	assert_int_equal(FROM(SYNC_OP_UPSERT, BINDING_CAUSE_REGISTER, "eth1"),
			 0);
	/* replay method, encapsulation */
	r = alice_rec();
	r.replay_method = 2;
	assert_int_equal(FROM(SYNC_OP_UPSERT, BINDING_CAUSE_REGISTER, "eth1"),
			 -EINVAL);
	r = alice_rec();
	r.encap = 3;
	assert_int_equal(FROM(SYNC_OP_UPSERT, BINDING_CAUSE_REGISTER, "eth1"),
			 -EINVAL);
#undef FROM
}

/* ---- expiry at both ends ---------------------------------------------- */

/* elapsed_ms the sender puts in for a record granted g s, expiring at x. */
static int elapsed_of(uint32_t g, uint64_t x, uint64_t now, uint32_t *out,
		      uint16_t *flags)
{
	struct binding_rec r = deregistered_rec();
	struct sync_entry e;
	int err;

	r.granted = g;
	r.expires_ms = x;
	err = sync_entry_from_rec(&e, SYNC_OP_UPSERT, BINDING_CAUSE_REGISTER,
				  &r, now, NULL);
	*out = e.elapsed_ms;
	*flags = e.flags;
	return err;
}

static void test_expiry_sender(void **state)
{
	const uint64_t now = SENDER_NOW;
	uint16_t flags;
	uint32_t el;

	(void)state;
	/* never expires */
	assert_int_equal(elapsed_of(600, 0, now, &el, &flags), 0);
	assert_int_equal(flags, SYNC_F_NO_EXPIRY);
	assert_int_equal(el, 0);
	/* just granted, part way, to the millisecond */
	assert_int_equal(elapsed_of(600, now + 600000, now, &el, &flags), 0);
	assert_int_equal(flags, 0);
	assert_int_equal(el, 0);
	assert_int_equal(elapsed_of(600, now + 400000, now, &el, &flags), 0);
	assert_int_equal(el, 200000);
	assert_int_equal(elapsed_of(600, now + 1, now, &el, &flags), 0);
	assert_int_equal(el, 599999);
	/* expiring now, expired already: all of it elapsed, no more */
	assert_int_equal(elapsed_of(600, now, now, &el, &flags), 0);
	assert_int_equal(el, 600000);
	assert_int_equal(elapsed_of(600, now - 50000, now, &el, &flags), 0);
	assert_int_equal(el, 600000);
	assert_int_equal(elapsed_of(600, 1, now, &el, &flags), 0);
	assert_int_equal(el, 600000);
	/* more left than granted (a clock step): nothing elapsed */
	assert_int_equal(elapsed_of(600, now + 700000, now, &el, &flags), 0);
	assert_int_equal(el, 0);
	assert_int_equal(elapsed_of(0, now + 5, now, &el, &flags), 0);
	assert_int_equal(el, 0);
	/* the longest lifetime elapsed_ms holds, and one second more */
	assert_int_equal(elapsed_of(4294967, now - 1, now, &el, &flags), 0);
	assert_int_equal(el, 4294967000u);
	assert_int_equal(elapsed_of(4294968, now - 1, now, &el, &flags),
			 -ERANGE);
	/* a long lifetime is fine while elapsed_ms fits */
	assert_int_equal(elapsed_of(UINT32_MAX,
				    now + (uint64_t)UINT32_MAX * 1000 - 5000,
				    now, &el, &flags),
			 0);
	assert_int_equal(el, 5000);
	/* the largest lifetime Mobile IP grants, 0xfffe s, fully elapsed */
	assert_int_equal(elapsed_of(0xfffe, 1, now, &el, &flags), 0);
	assert_int_equal(el, 0xfffe * 1000u);
}

static uint64_t expires_of(uint32_t granted, uint32_t elapsed, uint16_t flags,
			   uint64_t now)
{
	struct sync_entry e = { .op = SYNC_OP_UPSERT,
				.granted = granted,
				.elapsed_ms = elapsed,
				.flags = flags };
	struct binding_rec r;

	sync_entry_to_rec(&e, now, &r);
	return r.expires_ms;
}

static void test_expiry_receiver(void **state)
{
	const uint64_t now = RECEIVER_NOW;

	(void)state;
	assert_true(expires_of(600, 200000, 0, now) == now + 400000);
	assert_true(expires_of(600, 0, 0, now) == now + 600000);
	assert_true(expires_of(600, 599999, 0, now) == now + 1);
	/* all of it elapsed, or more than all: expires now */
	assert_true(expires_of(600, 600000, 0, now) == now);
	assert_true(expires_of(600, 700000, 0, now) == now);
	assert_true(expires_of(0, 0, 0, now) == now);
	assert_true(expires_of(0, UINT32_MAX, 0, now) == now);
	/* never expires, whatever elapsed says */
	assert_true(expires_of(600, 200000, SYNC_F_NO_EXPIRY, now) == 0);
	assert_true(expires_of(0, 0, SYNC_F_NO_EXPIRY, now) == 0);
	/* expired on a clock at 0: 1, since 0 would mean never */
	assert_true(expires_of(600, 600000, 0, 0) == 1);
	assert_true(expires_of(600, 0, 0, 0) == 600000);
	/* the longest lifetime: no overflow */
	assert_true(expires_of(UINT32_MAX, 0, 0, now) ==
		    now + (uint64_t)UINT32_MAX * 1000);

	/* the sender's view carried over: left is left */
	{
		struct binding_rec r = alice_rec(), back;
		struct sync_entry e;

		r.expires_ms = SENDER_NOW + 123456;
		assert_int_equal(sync_entry_from_rec(&e, SYNC_OP_UPSERT,
						     BINDING_CAUSE_RENEW, &r,
						     SENDER_NOW, "eth1"),
				 0);
		sync_entry_to_rec(&e, now, &back);
		assert_true(back.expires_ms == now + 123456);
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(sync_type_str(SYNC_HELLO), "hello");
	assert_string_equal(sync_type_str(SYNC_ACK), "ack");
	assert_string_equal(sync_type_str(SYNC_BINDINGS), "bindings");
	assert_string_equal(sync_type_str(SYNC_BULK_REQUEST), "bulk-request");
	assert_string_equal(sync_type_str(SYNC_BULK_START), "bulk-start");
	assert_string_equal(sync_type_str(SYNC_BULK_END), "bulk-end");
	assert_string_equal(sync_type_str(0), "?");
	assert_string_equal(sync_type_str(SYNC_REPLAY_FLOOR + 1), "?");
	assert_string_equal(sync_op_str(SYNC_OP_UPSERT), "upsert");
	assert_string_equal(sync_op_str(SYNC_OP_REMOVE), "remove");
	assert_string_equal(sync_op_str(0), "?");
	assert_string_equal(sync_mode_str(SYNC_MODE_PHYSICAL), "physical");
	assert_string_equal(sync_mode_str(SYNC_MODE_VIRTUAL), "virtual");
	assert_string_equal(sync_mode_str(3), "?");
	assert_string_equal(sync_role_str(SYNC_ROLE_UNKNOWN), "unknown");
	assert_string_equal(sync_role_str(SYNC_ROLE_LISTEN), "listen");
	assert_string_equal(sync_role_str(SYNC_ROLE_STANDBY), "standby");
	assert_string_equal(sync_role_str(SYNC_ROLE_ACTIVE), "active");
	assert_string_equal(sync_role_str(4), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_hello),
		cmocka_unit_test(test_hello_features),
		cmocka_unit_test(test_golden_bindings),
		cmocka_unit_test(test_golden_bindings_encode),
		cmocka_unit_test(test_golden_to_rec),
		cmocka_unit_test(test_replay_entry),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_header_malformed),
		cmocka_unit_test(test_seq_rules),
		cmocka_unit_test(test_ack),
		cmocka_unit_test(test_bulk_request),
		cmocka_unit_test(test_replay_floor),
		cmocka_unit_test(test_bulk_start_end),
		cmocka_unit_test(test_hello_largest),
		cmocka_unit_test(test_hello_encode_invalid),
		cmocka_unit_test(test_hello_malformed),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_entry_tlvs),
		cmocka_unit_test(test_entry_lengths),
		cmocka_unit_test(test_entry_values),
		cmocka_unit_test(test_builder_bundles),
		cmocka_unit_test(test_builder_limits),
		cmocka_unit_test(test_builder_invalid),
		cmocka_unit_test(test_from_rec_invalid),
		cmocka_unit_test(test_expiry_sender),
		cmocka_unit_test(test_expiry_receiver),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("sync_msg", tests, NULL, NULL) ? 1 :
									    0;
}

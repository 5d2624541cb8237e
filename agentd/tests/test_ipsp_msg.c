// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of ipsp_msg.c, the IP Pool Sharing Protocol's frames.
 *
 * The format is pinned by frames of every type written out here by hand,
 * field by field, from the layout in ipsp_msg.h: each decodes to what it
 * says and is encoded back byte for byte. Then round trips at the limits,
 * exactly-full buffers and -ENOSPC with nothing written past them, the
 * stream reader's view of a frame arriving byte by byte, every truncation,
 * and every rule of the format: each malformed frame is built byte by byte
 * beside a good one that differs from it in that rule alone, so that a
 * rule the decoder stopped checking fails its test, and each encoder is
 * shown to refuse the same.
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

#include "ipsp_msg.h"

/* clang-format off */
/*
 * HELLO: a secondary acting as the primary, active, dead interval 30 s,
 * two pools.
 */
static const uint8_t hello_frame[] = {
	/* header: version 1, type 1 HELLO, flags 0, length 118 */
	0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x76,
	/* role_cfg 2 secondary, role 1 primary, mode 1 active, ACTING */
	0x02, 0x01, 0x01, 0x01,
	/* dead_interval 30 */
	0x00, 0x00, 0x00, 0x1e,
	/* digest 00 01 .. 1f */
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	/* n_pools 2 */
	0x00, 0x02,
	/* "pool-a", digest 11 x 32 */
	0x06, 'p', 'o', 'o', 'l', '-', 'a',
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
	/* "mn", digest 22 x 32 */
	0x02, 'm', 'n',
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22,
	/* reserved */
	0x00, 0x00,
};

#define HELLO_POOL1 (8 + 42)
#define HELLO_POOL2 (HELLO_POOL1 + 1 + 6 + 32)

static const uint8_t keepalive_frame[] = {
	0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t all_free_frame[] = {
	0x01, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t going_down_frame[] = {
	0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* BLOCK_REQUEST 0x01020304: 16 addresses of "pool-a". */
static const uint8_t block_frame[] = {
	/* header: type 3, length 15 */
	0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0f,
	/* request_id, count 16 */
	0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x10,
	0x06, 'p', 'o', 'o', 'l', '-', 'a',
};

/* ADDR_REQUEST 0x0a0b0c0d: alice's 10.1.0.5 of "pool-a". */
static const uint8_t addr_frame[] = {
	/* header: type 4, length 33 */
	0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x21,
	/* request_id, address 10.1.0.5 */
	0x0a, 0x0b, 0x0c, 0x0d, 0x0a, 0x01, 0x00, 0x05,
	0x06, 'p', 'o', 'o', 'l', '-', 'a',
	0x11, 'a', 'l', 'i', 'c', 'e', '@', 'e', 'x', 'a', 'm', 'p', 'l',
	'e', '.', 'o', 'r', 'g',
};

/* ADDR_REQUEST 42: 192.0.2.7, in whichever pool, of a node without NAI. */
static const uint8_t addr_bare_frame[] = {
	/* header: type 4, length 10 */
	0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a,
	0x00, 0x00, 0x00, 0x2a, 0xc0, 0x00, 0x02, 0x07,
	/* no name, no NAI */
	0x00, 0x00,
};

/* GRANT of 0x01020304: 10.1.0.16-10.1.0.31 and 10.1.1.0 alone. */
static const uint8_t grant_frame[] = {
	/* header: type 5, length 24 */
	0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18,
	/* request_id, status 0 OK, reserved, n_ranges 2 */
	0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x02,
	0x0a, 0x01, 0x00, 0x10, 0x0a, 0x01, 0x00, 0x1f,
	0x0a, 0x01, 0x01, 0x00, 0x0a, 0x01, 0x01, 0x00,
};

/* GRANT of request 7: refused, the pool is exhausted. */
static const uint8_t refusal_frame[] = {
	/* header: type 5, length 8 */
	0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08,
	/* request_id 7, status 3 EXHAUSTED, reserved, no range */
	0x00, 0x00, 0x00, 0x07, 0x03, 0x00, 0x00, 0x00,
};

/* HELD, the last of its set: alice's binding, an address held free. */
static const uint8_t held_frame[] = {
	/* header: type 6, length 49 */
	0x01, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x31,
	/* flags LAST, reserved, n_entries 2 */
	0x01, 0x00, 0x00, 0x02,
	/* 10.1.0.5, id 0xe9a1b2c300000001, BOUND | TIMESTAMP, her NAI */
	0x0a, 0x01, 0x00, 0x05,
	0xe9, 0xa1, 0xb2, 0xc3, 0x00, 0x00, 0x00, 0x01,
	0x03,
	0x11, 'a', 'l', 'i', 'c', 'e', '@', 'e', 'x', 'a', 'm', 'p', 'l',
	'e', '.', 'o', 'r', 'g',
	/* 10.1.0.17, id 0, free, no NAI */
	0x0a, 0x01, 0x00, 0x11,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00,
};

#define HELD_ENTRY1 (8 + 4)
#define HELD_ENTRY2 (HELD_ENTRY1 + 14 + 17)

/* RELEASE: bob's 10.1.0.5, registration 0x0000000500000006. */
static const uint8_t release_frame[] = {
	/* header: type 9, length 21 */
	0x01, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x15,
	/* flags 0, reserved, n_entries 1 */
	0x00, 0x00, 0x00, 0x01,
	0x0a, 0x01, 0x00, 0x05,
	0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x06,
	/* BOUND, "bob" */
	0x01, 0x03, 'b', 'o', 'b',
};
/* clang-format on */

struct golden {
	const char *what;
	const uint8_t *bytes;
	size_t len;
};

/* clang-format off */
#define GOLDEN(f) { #f, f, sizeof(f) }
/* clang-format on */

static const struct golden goldens[] = {
	GOLDEN(hello_frame),	 GOLDEN(keepalive_frame),
	GOLDEN(all_free_frame),	 GOLDEN(going_down_frame),
	GOLDEN(block_frame),	 GOLDEN(addr_frame),
	GOLDEN(addr_bare_frame), GOLDEN(grant_frame),
	GOLDEN(refusal_frame),	 GOLDEN(held_frame),
	GOLDEN(release_frame),
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define N_GOLDENS     ARRAY_SIZE(goldens)

static const char alice[] = "alice@example.org";

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
	if (n)
		memcpy(p, b, n);
	return p;
}

/* Decodes bytes[0..len) from an exact copy, freed before returning. */
static int decode_copy(const uint8_t *bytes, size_t len)
{
	uint8_t *copy = dup_bytes(bytes, len);
	struct ipsp_frame f;
	int err;

	err = ipsp_frame_decode(copy, len, &f);
	free(copy);
	return err;
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

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/* The bytes of a buffer from n to size are all still 0xa5. */
static void assert_untouched(const uint8_t *buf, size_t n, size_t size)
{
	for (size_t i = n; i < size; i++)
		assert_int_equal(buf[i], 0xa5);
}

/*
 * encode(buf_, size) must write want_len bytes and nothing past them, fit
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

/* ---- frames built byte by byte, to break one rule at a time ----------- */

/* A string as the wire has it: any bytes, NUL included. */
struct name {
	const char *s;
	uint8_t len;
};

#define NAME(lit) ((struct name){ (lit), sizeof(lit) - 1 })

struct raw {
	uint8_t buf[IPSP_FRAME_BUF + 64];
	size_t len;
};

static struct raw *raw_new(uint8_t type)
{
	struct raw *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->buf[0] = IPSP_VERSION;
	r->buf[1] = type;
	r->len = IPSP_HDR_LEN;
	return r;
}

static void raw_bytes(struct raw *r, const void *p, size_t n)
{
	assert_true(n <= sizeof(r->buf) - r->len);
	if (n)
		memcpy(r->buf + r->len, p, n);
	r->len += n;
}

static void raw_u8(struct raw *r, uint8_t v)
{
	raw_bytes(r, &v, 1);
}

static void raw_be16(struct raw *r, uint16_t v)
{
	raw_u8(r, v >> 8);
	raw_u8(r, v & 0xff);
}

static void raw_be32(struct raw *r, uint32_t v)
{
	raw_be16(r, v >> 16);
	raw_be16(r, v & 0xffff);
}

static void raw_addr(struct raw *r, const char *s)
{
	struct in_addr a = ip(s);

	raw_bytes(r, &a.s_addr, 4);
}

static void raw_str(struct raw *r, struct name n)
{
	raw_u8(r, n.len);
	raw_bytes(r, n.s, n.len);
}

/* The header's length set to the body written; decoded, and r freed. */
static int raw_decode(struct raw *r)
{
	int err;

	put_be32(r->buf + 4, (uint32_t)(r->len - IPSP_HDR_LEN));
	err = decode_copy(r->buf, r->len);
	free(r);
	return err;
}

static int hello_with(uint8_t role_cfg, uint8_t role, uint8_t mode,
		      uint32_t dead, const struct name *names, unsigned int n)
{
	struct raw *r = raw_new(IPSP_HELLO);
	uint8_t digest[IPSP_DIGEST_LEN];

	memset(digest, 0x33, sizeof(digest));
	raw_u8(r, role_cfg);
	raw_u8(r, role);
	raw_u8(r, mode);
	raw_u8(r, 0);
	raw_be32(r, dead);
	raw_bytes(r, digest, sizeof(digest));
	raw_be16(r, (uint16_t)n);
	for (unsigned int i = 0; i < n; i++) {
		raw_str(r, names[i]);
		raw_bytes(r, digest, sizeof(digest));
	}
	raw_be16(r, 0);
	return raw_decode(r);
}

/* A good HELLO but for its pool names. */
static int hello_names(const struct name *names, unsigned int n)
{
	return hello_with(IPSP_ROLE_PRIMARY, IPSP_ROLE_PRIMARY,
			  IPSP_MODE_ACTIVE, 30, names, n);
}

static int block_with(uint32_t count, struct name name)
{
	struct raw *r = raw_new(IPSP_BLOCK_REQUEST);

	raw_be32(r, 1);
	raw_be32(r, count);
	raw_str(r, name);
	return raw_decode(r);
}

static int addr_with(struct name name, struct name nai)
{
	struct raw *r = raw_new(IPSP_ADDR_REQUEST);

	raw_be32(r, 1);
	raw_addr(r, "10.1.0.5");
	raw_str(r, name);
	raw_str(r, nai);
	return raw_decode(r);
}

/* A GRANT of n times the range first-last. */
static int grant_with(uint8_t status, unsigned int n, const char *first,
		      const char *last)
{
	struct raw *r = raw_new(IPSP_GRANT);

	raw_be32(r, 1);
	raw_u8(r, status);
	raw_u8(r, 0);
	raw_be16(r, (uint16_t)n);
	for (unsigned int i = 0; i < n; i++) {
		raw_addr(r, first);
		raw_addr(r, last);
	}
	return raw_decode(r);
}

static void raw_entry(struct raw *r, const char *addr, uint8_t flags,
		      struct name nai)
{
	raw_addr(r, addr);
	raw_be32(r, 0x01020304);
	raw_be32(r, 0x05060708);
	raw_u8(r, flags);
	raw_str(r, nai);
}

/* A HELD or RELEASE of one entry with this NAI. */
static int held_with(uint8_t type, struct name nai)
{
	struct raw *r = raw_new(type);

	raw_u8(r, 0);
	raw_u8(r, 0);
	raw_be16(r, 1);
	raw_entry(r, "10.1.0.5", IPSP_ENTRY_BOUND, nai);
	return raw_decode(r);
}

/* A name of len bytes of c. */
static struct name name_of(char *buf, uint8_t len, char c)
{
	memset(buf, c, len);
	return (struct name){ buf, len };
}

/* "a", byte, "b": the byte inside a name. */
static struct name name_with(char buf[3], uint8_t byte)
{
	buf[0] = 'a';
	buf[1] = (char)byte;
	buf[2] = 'b';
	return (struct name){ buf, 3 };
}

/* Bytes a name or a NAI may not hold, and the first and last it may. */
static const uint8_t bad_bytes[] = { 0x00, 0x09, 0x20, 0x7f, 0x80, 0xff };
static const uint8_t edge_bytes[] = { 0x21, 0x7e };

/* ---- the golden frames ------------------------------------------------ */

static uint8_t digest_11[IPSP_DIGEST_LEN], digest_22[IPSP_DIGEST_LEN];

static void golden_hello(struct ipsp_hello *h, struct ipsp_hello_pool *pools)
{
	memset(digest_11, 0x11, sizeof(digest_11));
	memset(digest_22, 0x22, sizeof(digest_22));
	pools[0] = (struct ipsp_hello_pool){ 6, "pool-a", digest_11 };
	pools[1] = (struct ipsp_hello_pool){ 2, "mn", digest_22 };
	memset(h, 0, sizeof(*h));
	h->role_cfg = IPSP_ROLE_SECONDARY;
	h->role = IPSP_ROLE_PRIMARY;
	h->mode = IPSP_MODE_ACTIVE;
	h->flags = IPSP_HELLO_ACTING;
	h->dead_interval = 30;
	for (unsigned int i = 0; i < IPSP_DIGEST_LEN; i++)
		h->digest[i] = (uint8_t)i;
	h->n_pools = 2;
	h->pools = pools;
}

/* A decoded HELLO against the one encoded. */
static void assert_hello(const struct ipsp_hello *got,
			 const struct ipsp_hello *want)
{
	struct ipsp_pool_iter it;
	struct ipsp_hello_pool p;

	assert_int_equal(got->role_cfg, want->role_cfg);
	assert_int_equal(got->role, want->role);
	assert_int_equal(got->mode, want->mode);
	assert_int_equal(got->flags, want->flags);
	assert_int_equal(got->dead_interval, want->dead_interval);
	assert_memory_equal(got->digest, want->digest, IPSP_DIGEST_LEN);
	assert_int_equal(got->n_pools, want->n_pools);
	assert_null(got->pools);
	ipsp_pools_begin(got, &it);
	for (unsigned int i = 0; i < want->n_pools; i++) {
		assert_int_equal(ipsp_pools_next(&it, &p), 0);
		assert_int_equal(p.name_len, want->pools[i].name_len);
		assert_memory_equal(p.name, want->pools[i].name, p.name_len);
		assert_memory_equal(p.digest, want->pools[i].digest,
				    IPSP_DIGEST_LEN);
	}
	assert_int_equal(ipsp_pools_next(&it, &p), 1);
	assert_int_equal(ipsp_pools_next(&it, &p), 1);
}

static void test_golden_hello(void **state)
{
	uint8_t *copy = dup_bytes(hello_frame, sizeof(hello_frame));
	struct ipsp_hello_pool pools[2], p;
	struct ipsp_pool_iter it;
	struct ipsp_hello want;
	struct ipsp_frame f;
	uint8_t buf[256];
	size_t flen;

	(void)state;
	assert_int_equal(ipsp_frame_peek(copy, sizeof(hello_frame), &flen), 0);
	assert_int_equal(flen, sizeof(hello_frame));
	assert_int_equal(ipsp_frame_decode(copy, sizeof(hello_frame), &f), 0);
	assert_int_equal(f.hdr.version, IPSP_VERSION);
	assert_int_equal(f.hdr.type, IPSP_HELLO);
	assert_int_equal(f.hdr.flags, 0);
	assert_int_equal(f.hdr.length, 118);
	golden_hello(&want, pools);
	assert_hello(&f.u.hello, &want);
	/* names and digests point into the frame */
	assert_ptr_equal(f.u.hello.pools_raw, copy + HELLO_POOL1);
	ipsp_pools_begin(&f.u.hello, &it);
	assert_int_equal(ipsp_pools_next(&it, &p), 0);
	assert_ptr_equal(p.name, copy + HELLO_POOL1 + 1);
	assert_ptr_equal(p.digest, copy + HELLO_POOL1 + 7);
	assert_int_equal(ipsp_pools_next(&it, &p), 0);
	assert_ptr_equal(p.name, copy + HELLO_POOL2 + 1);

	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(ipsp_encode_hello(buf, sizeof(buf), &want),
			 sizeof(hello_frame));
	assert_memory_equal(buf, hello_frame, sizeof(hello_frame));
	ASSERT_ENCODE_LIMITS(ipsp_encode_hello(buf_, size, &want),
			     sizeof(hello_frame));
	free(copy);
}

static void test_golden_empty(void **state)
{
	static const struct {
		const uint8_t *bytes;
		uint8_t type;
	} empties[] = {
		{ keepalive_frame, IPSP_KEEPALIVE },
		{ all_free_frame, IPSP_ALL_FREE },
		{ going_down_frame, IPSP_GOING_DOWN },
	};
	struct ipsp_frame f;
	uint8_t buf[16];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		uint8_t *copy = dup_bytes(empties[i].bytes, IPSP_HDR_LEN);

		assert_int_equal(ipsp_frame_decode(copy, IPSP_HDR_LEN, &f), 0);
		assert_int_equal(f.hdr.type, empties[i].type);
		assert_int_equal(f.hdr.length, 0);
		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(ipsp_encode_empty(buf, sizeof(buf),
						   empties[i].type),
				 IPSP_HDR_LEN);
		assert_memory_equal(buf, empties[i].bytes, IPSP_HDR_LEN);
		ASSERT_ENCODE_LIMITS(ipsp_encode_empty(buf_, size,
						       empties[i].type),
				     IPSP_HDR_LEN);
		free(copy);
	}
}

static void test_golden_block_request(void **state)
{
	const struct ipsp_block_request want = {
		.id = 0x01020304, .count = 16, .name_len = 6, .name = "pool-a"
	};
	uint8_t *copy = dup_bytes(block_frame, sizeof(block_frame));
	struct ipsp_frame f;
	uint8_t buf[64];

	(void)state;
	assert_int_equal(ipsp_frame_decode(copy, sizeof(block_frame), &f), 0);
	assert_int_equal(f.hdr.type, IPSP_BLOCK_REQUEST);
	assert_int_equal(f.u.block.id, 0x01020304);
	assert_int_equal(f.u.block.count, 16);
	assert_int_equal(f.u.block.name_len, 6);
	assert_ptr_equal(f.u.block.name, copy + 17);
	assert_memory_equal(f.u.block.name, "pool-a", 6);
	assert_int_equal(ipsp_encode_block_request(buf, sizeof(buf), &want),
			 sizeof(block_frame));
	assert_memory_equal(buf, block_frame, sizeof(block_frame));
	ASSERT_ENCODE_LIMITS(ipsp_encode_block_request(buf_, size, &want),
			     sizeof(block_frame));
	free(copy);
}

static void test_golden_addr_request(void **state)
{
	const struct ipsp_addr_request want = {
		.id = 0x0a0b0c0d,
		.addr = ip("10.1.0.5"),
		.name_len = 6,
		.name = "pool-a",
		.nai_len = 17,
		.nai = (const uint8_t *)alice,
	};
	const struct ipsp_addr_request bare = { .id = 42,
						.addr = ip("192.0.2.7") };
	uint8_t *copy = dup_bytes(addr_frame, sizeof(addr_frame));
	struct ipsp_frame f;
	uint8_t buf[64];

	(void)state;
	assert_int_equal(ipsp_frame_decode(copy, sizeof(addr_frame), &f), 0);
	assert_int_equal(f.hdr.type, IPSP_ADDR_REQUEST);
	assert_int_equal(f.u.addr.id, 0x0a0b0c0d);
	assert_int_equal(f.u.addr.addr.s_addr, want.addr.s_addr);
	assert_int_equal(f.u.addr.name_len, 6);
	assert_ptr_equal(f.u.addr.name, copy + 17);
	assert_int_equal(f.u.addr.nai_len, 17);
	assert_ptr_equal(f.u.addr.nai, copy + 24);
	assert_memory_equal(f.u.addr.nai, alice, 17);
	assert_int_equal(ipsp_encode_addr_request(buf, sizeof(buf), &want),
			 sizeof(addr_frame));
	assert_memory_equal(buf, addr_frame, sizeof(addr_frame));
	ASSERT_ENCODE_LIMITS(ipsp_encode_addr_request(buf_, size, &want),
			     sizeof(addr_frame));
	free(copy);

	/* no pool, no NAI */
	copy = dup_bytes(addr_bare_frame, sizeof(addr_bare_frame));
	assert_int_equal(ipsp_frame_decode(copy, sizeof(addr_bare_frame), &f),
			 0);
	assert_int_equal(f.u.addr.id, 42);
	assert_int_equal(f.u.addr.addr.s_addr, bare.addr.s_addr);
	assert_int_equal(f.u.addr.name_len, 0);
	assert_int_equal(f.u.addr.nai_len, 0);
	assert_int_equal(ipsp_encode_addr_request(buf, sizeof(buf), &bare),
			 sizeof(addr_bare_frame));
	assert_memory_equal(buf, addr_bare_frame, sizeof(addr_bare_frame));
	free(copy);
}

static void test_golden_grant(void **state)
{
	const struct ipsp_range ranges[] = {
		{ ip("10.1.0.16"), ip("10.1.0.31") },
		{ ip("10.1.1.0"), ip("10.1.1.0") },
	};
	const struct ipsp_grant want = { .id = 0x01020304,
					 .status = IPSP_OK,
					 .n_ranges = 2,
					 .ranges = ranges };
	const struct ipsp_grant refusal = { .id = 7,
					    .status = IPSP_ST_EXHAUSTED };
	uint8_t *copy = dup_bytes(grant_frame, sizeof(grant_frame));
	struct ipsp_range r;
	struct ipsp_frame f;
	uint8_t buf[64];

	(void)state;
	assert_int_equal(ipsp_frame_decode(copy, sizeof(grant_frame), &f), 0);
	assert_int_equal(f.hdr.type, IPSP_GRANT);
	assert_int_equal(f.u.grant.id, 0x01020304);
	assert_int_equal(f.u.grant.status, IPSP_OK);
	assert_int_equal(f.u.grant.n_ranges, 2);
	assert_ptr_equal(f.u.grant.ranges_raw, copy + 16);
	assert_null(f.u.grant.ranges);
	for (uint16_t i = 0; i < 2; i++) {
		ipsp_grant_range(&f.u.grant, i, &r);
		assert_int_equal(r.first.s_addr, ranges[i].first.s_addr);
		assert_int_equal(r.last.s_addr, ranges[i].last.s_addr);
	}
	assert_int_equal(ipsp_encode_grant(buf, sizeof(buf), &want),
			 sizeof(grant_frame));
	assert_memory_equal(buf, grant_frame, sizeof(grant_frame));
	ASSERT_ENCODE_LIMITS(ipsp_encode_grant(buf_, size, &want),
			     sizeof(grant_frame));
	free(copy);

	copy = dup_bytes(refusal_frame, sizeof(refusal_frame));
	assert_int_equal(ipsp_frame_decode(copy, sizeof(refusal_frame), &f), 0);
	assert_int_equal(f.u.grant.id, 7);
	assert_int_equal(f.u.grant.status, IPSP_ST_EXHAUSTED);
	assert_int_equal(f.u.grant.n_ranges, 0);
	assert_int_equal(ipsp_encode_grant(buf, sizeof(buf), &refusal),
			 sizeof(refusal_frame));
	assert_memory_equal(buf, refusal_frame, sizeof(refusal_frame));
	free(copy);
}

static const struct ipsp_entry held_entries[] = {
	{ .addr = { 0 }, /* 10.1.0.5, set by fix_entries() */
	  .id = 0xe9a1b2c300000001ull,
	  .flags = IPSP_ENTRY_BOUND | IPSP_ENTRY_TIMESTAMP,
	  .nai_len = 17,
	  .nai = (const uint8_t *)alice },
	{ .addr = { 0 } /* 10.1.0.17 */ },
};

/* The golden HELD's entries, addresses included. */
static void fix_entries(struct ipsp_entry *e)
{
	memcpy(e, held_entries, sizeof(held_entries));
	e[0].addr = ip("10.1.0.5");
	e[1].addr = ip("10.1.0.17");
}

static void assert_entry(const struct ipsp_entry *got,
			 const struct ipsp_entry *want)
{
	assert_int_equal(got->addr.s_addr, want->addr.s_addr);
	assert_true(got->id == want->id);
	assert_int_equal(got->flags, want->flags);
	assert_int_equal(got->nai_len, want->nai_len);
	if (want->nai_len)
		assert_memory_equal(got->nai, want->nai, want->nai_len);
}

static void test_golden_held(void **state)
{
	uint8_t *copy = dup_bytes(held_frame, sizeof(held_frame));
	struct ipsp_entry want[2], e;
	struct ipsp_held_builder b;
	struct ipsp_entry_iter it;
	struct ipsp_frame f;
	uint8_t buf[128];

	(void)state;
	fix_entries(want);
	assert_int_equal(ipsp_frame_decode(copy, sizeof(held_frame), &f), 0);
	assert_int_equal(f.hdr.type, IPSP_HELD);
	assert_int_equal(f.u.held.flags, IPSP_HELD_LAST);
	assert_int_equal(f.u.held.n_entries, 2);
	assert_ptr_equal(f.u.held.entries_raw, copy + HELD_ENTRY1);
	assert_int_equal(f.u.held.entries_len, 45);
	ipsp_entries_begin(&f.u.held, &it);
	assert_int_equal(ipsp_entries_next(&it, &e), 0);
	assert_entry(&e, &want[0]);
	assert_ptr_equal(e.nai, copy + HELD_ENTRY1 + 14);
	assert_int_equal(ipsp_entries_next(&it, &e), 0);
	assert_entry(&e, &want[1]);
	assert_null(e.nai);
	assert_int_equal(ipsp_entries_next(&it, &e), 1);
	assert_int_equal(ipsp_entries_next(&it, &e), 1);

	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(ipsp_held_begin(&b, buf, sizeof(buf), IPSP_HELD), 0);
	assert_int_equal(ipsp_held_add(&b, &want[0]), 0);
	assert_int_equal(ipsp_held_add(&b, &want[1]), 0);
	assert_int_equal(ipsp_held_finish(&b, IPSP_HELD_LAST),
			 sizeof(held_frame));
	assert_memory_equal(buf, held_frame, sizeof(held_frame));
	assert_untouched(buf, sizeof(held_frame), sizeof(buf));

	/* exactly full; a byte short: the second entry waits */
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(
		ipsp_held_begin(&b, buf, sizeof(held_frame), IPSP_HELD), 0);
	assert_int_equal(ipsp_held_add(&b, &want[0]), 0);
	assert_int_equal(ipsp_held_add(&b, &want[1]), 0);
	assert_int_equal(ipsp_held_finish(&b, IPSP_HELD_LAST),
			 sizeof(held_frame));
	assert_memory_equal(buf, held_frame, sizeof(held_frame));
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(
		ipsp_held_begin(&b, buf, sizeof(held_frame) - 1, IPSP_HELD), 0);
	assert_int_equal(ipsp_held_add(&b, &want[0]), 0);
	assert_int_equal(ipsp_held_add(&b, &want[1]), -ENOSPC);
	assert_untouched(buf, HELD_ENTRY2, sizeof(buf));
	assert_int_equal(ipsp_held_finish(&b, 0), HELD_ENTRY2);
	assert_int_equal(ipsp_frame_decode(buf, HELD_ENTRY2, &f), 0);
	assert_int_equal(f.u.held.n_entries, 1);
	assert_int_equal(f.u.held.flags, 0);
	free(copy);
}

static void test_golden_release(void **state)
{
	const struct ipsp_entry want = { .addr = ip("10.1.0.5"),
					 .id = 0x0000000500000006ull,
					 .flags = IPSP_ENTRY_BOUND,
					 .nai_len = 3,
					 .nai = (const uint8_t *)"bob" };
	uint8_t *copy = dup_bytes(release_frame, sizeof(release_frame));
	struct ipsp_held_builder b;
	struct ipsp_entry_iter it;
	struct ipsp_entry e;
	struct ipsp_frame f;
	uint8_t buf[64];

	(void)state;
	assert_int_equal(ipsp_frame_decode(copy, sizeof(release_frame), &f), 0);
	assert_int_equal(f.hdr.type, IPSP_RELEASE);
	assert_int_equal(f.u.held.flags, 0);
	assert_int_equal(f.u.held.n_entries, 1);
	ipsp_entries_begin(&f.u.held, &it);
	assert_int_equal(ipsp_entries_next(&it, &e), 0);
	assert_entry(&e, &want);
	assert_int_equal(ipsp_entries_next(&it, &e), 1);

	assert_int_equal(ipsp_held_begin(&b, buf, sizeof(buf), IPSP_RELEASE),
			 0);
	assert_int_equal(ipsp_held_add(&b, &want), 0);
	assert_int_equal(ipsp_held_finish(&b, 0), sizeof(release_frame));
	assert_memory_equal(buf, release_frame, sizeof(release_frame));
	free(copy);
}

/* ---- the stream ------------------------------------------------------- */

static void test_peek(void **state)
{
	uint8_t buf[sizeof(hello_frame) + sizeof(grant_frame)];
	size_t flen, i;

	(void)state;
	memcpy(buf, hello_frame, sizeof(hello_frame));
	memcpy(buf + sizeof(hello_frame), grant_frame, sizeof(grant_frame));
	/* arriving a byte at a time */
	flen = 1;
	assert_int_equal(ipsp_frame_peek(buf, 0, &flen), -EAGAIN);
	assert_int_equal(flen, IPSP_HDR_LEN);
	for (i = 1; i < IPSP_HDR_LEN; i++) {
		assert_int_equal(ipsp_frame_peek(buf, i, &flen), -EAGAIN);
		assert_int_equal(flen, IPSP_HDR_LEN);
	}
	for (; i < sizeof(hello_frame); i++) {
		assert_int_equal(ipsp_frame_peek(buf, i, &flen), -EAGAIN);
		assert_int_equal(flen, sizeof(hello_frame));
	}
	assert_int_equal(ipsp_frame_peek(buf, i, &flen), 0);
	assert_int_equal(flen, sizeof(hello_frame));
	/* the next frame's bytes behind it change nothing */
	assert_int_equal(ipsp_frame_peek(buf, sizeof(buf), &flen), 0);
	assert_int_equal(flen, sizeof(hello_frame));
	assert_int_equal(ipsp_frame_peek(buf + flen, sizeof(buf) - flen, &flen),
			 0);
	assert_int_equal(flen, sizeof(grant_frame));

	/* another version: known from the first byte */
	buf[0] = 2;
	assert_int_equal(ipsp_frame_peek(buf, 1, &flen), -EPROTO);
	assert_int_equal(ipsp_frame_peek(buf, sizeof(buf), &flen), -EPROTO);
	buf[0] = 0;
	assert_int_equal(ipsp_frame_peek(buf, 1, &flen), -EPROTO);
	buf[0] = IPSP_VERSION;

	/* the longest body, and one byte more */
	put_be32(buf + 4, IPSP_FRAME_MAX);
	assert_int_equal(ipsp_frame_peek(buf, sizeof(buf), &flen), -EAGAIN);
	assert_int_equal(flen, IPSP_FRAME_BUF);
	put_be32(buf + 4, IPSP_FRAME_MAX + 1);
	assert_int_equal(ipsp_frame_peek(buf, IPSP_HDR_LEN, &flen), -EMSGSIZE);
	put_be32(buf + 4, UINT32_MAX);
	assert_int_equal(ipsp_frame_peek(buf, sizeof(buf), &flen), -EMSGSIZE);
	/* an empty body is a whole frame at 8 bytes */
	put_be32(buf + 4, 0);
	assert_int_equal(ipsp_frame_peek(buf, IPSP_HDR_LEN, &flen), 0);
	assert_int_equal(flen, IPSP_HDR_LEN);
}

/* A frame of a type from a newer version: skipped by its length. */
static void test_unknown_type(void **state)
{
	/* clang-format off */
	static const uint8_t unknown[] = {
		0x01, 0x2a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, /* type 42 */
		'n', 'e', 'w',
	};
	/* clang-format on */
	static const uint8_t types[] = { 0, IPSP_RELEASE + 1, 42, 255 };
	uint8_t stream[sizeof(unknown) + sizeof(hello_frame) +
		       sizeof(keepalive_frame)];
	unsigned int decoded = 0, skipped = 0;
	size_t off = 0, flen;
	struct ipsp_frame f;

	(void)state;
	memcpy(stream, unknown, sizeof(unknown));
	memcpy(stream + sizeof(unknown), hello_frame, sizeof(hello_frame));
	memcpy(stream + sizeof(unknown) + sizeof(hello_frame), keepalive_frame,
	       sizeof(keepalive_frame));
	while (off < sizeof(stream)) {
		int err;

		assert_int_equal(ipsp_frame_peek(stream + off,
						 sizeof(stream) - off, &flen),
				 0);
		err = ipsp_frame_decode(stream + off, flen, &f);
		if (err == -ENOMSG) {
			/* the header is there, to log what is skipped */
			assert_int_equal(f.hdr.version, IPSP_VERSION);
			assert_int_equal(f.hdr.type, 42);
			assert_int_equal(f.hdr.length, 3);
			skipped++;
		} else {
			assert_int_equal(err, 0);
			decoded++;
		}
		off += flen;
	}
	assert_int_equal(skipped, 1);
	assert_int_equal(decoded, 2);

	for (size_t i = 0; i < sizeof(types); i++) {
		uint8_t u[IPSP_HDR_LEN + 1] = { IPSP_VERSION, types[i] };

		assert_int_equal(decode_copy(u, IPSP_HDR_LEN), -ENOMSG);
		put_be32(u + 4, 1);
		assert_int_equal(decode_copy(u, sizeof(u)), -ENOMSG);
		/* its length must still be right */
		assert_int_equal(decode_copy(u, IPSP_HDR_LEN), -EBADMSG);
	}
}

/* What a frame is, whatever its body. */
static void test_header(void **state)
{
	size_t n = sizeof(hello_frame);
	struct ipsp_frame f;
	uint8_t *big, *copy;

	(void)state;
	assert_int_equal(decode_copy(hello_frame, 0), -EBADMSG);
	assert_int_equal(decode_copy(hello_frame, IPSP_HDR_LEN - 1), -EBADMSG);
	/* another version */
	assert_int_equal(decode_patched(hello_frame, n, 0, 0), -EPROTO);
	assert_int_equal(decode_patched(hello_frame, n, 0, 2), -EPROTO);
	assert_int_equal(decode_patched(hello_frame, n, 0, 0xff), -EPROTO);
	assert_int_equal(decode_copy((const uint8_t[]){ 2 }, 1), -EPROTO);
	/* the length is the frame's, no more, no less */
	assert_int_equal(decode_patched(hello_frame, n, 7, 0x75), -EBADMSG);
	assert_int_equal(decode_patched(hello_frame, n, 7, 0x77), -EBADMSG);
	assert_int_equal(decode_copy(hello_frame, n - 1), -EBADMSG);
	/* flags: ignored, as received */
	copy = dup_bytes(hello_frame, n);
	copy[2] = 0xff;
	copy[3] = 0x01;
	assert_int_equal(ipsp_frame_decode(copy, n, &f), 0);
	assert_int_equal(f.hdr.flags, 0xff01);
	free(copy);

	/* a body over IPSP_FRAME_MAX, there in full or not */
	big = calloc(1, IPSP_FRAME_BUF + 1);
	assert_non_null(big);
	big[0] = IPSP_VERSION;
	big[1] = IPSP_HELD;
	put_be32(big + 4, IPSP_FRAME_MAX + 1);
	assert_int_equal(ipsp_frame_decode(big, IPSP_FRAME_BUF + 1, &f),
			 -EMSGSIZE);
	assert_int_equal(ipsp_frame_decode(big, IPSP_HDR_LEN, &f), -EMSGSIZE);
	put_be32(big + 4, UINT32_MAX);
	assert_int_equal(ipsp_frame_decode(big, IPSP_HDR_LEN, &f), -EMSGSIZE);
	/* the longest: an empty HELD and zeros, which are not entries */
	put_be32(big + 4, IPSP_FRAME_MAX);
	assert_int_equal(ipsp_frame_decode(big, IPSP_FRAME_BUF, &f), -EBADMSG);
	big[1] = 42;
	assert_int_equal(ipsp_frame_decode(big, IPSP_FRAME_BUF, &f), -ENOMSG);
	free(big);
}

/*
 * Every golden frame cut short at every byte of its body (the length
 * saying so) and one byte longer: malformed.
 */
static void test_lengths(void **state)
{
	(void)state;
	for (size_t g = 0; g < N_GOLDENS; g++) {
		const struct golden *gf = &goldens[g];
		uint8_t *b = malloc(gf->len + 1);

		assert_non_null(b);
		assert_int_equal(decode_copy(gf->bytes, gf->len), 0);
		for (size_t cut = IPSP_HDR_LEN; cut < gf->len; cut++) {
			memcpy(b, gf->bytes, cut);
			put_be32(b + 4, (uint32_t)(cut - IPSP_HDR_LEN));
			if (decode_copy(b, cut) != -EBADMSG)
				fail_msg("%s cut at %zu decodes", gf->what,
					 cut);
		}
		memcpy(b, gf->bytes, gf->len);
		b[gf->len] = 0;
		put_be32(b + 4, (uint32_t)(gf->len + 1 - IPSP_HDR_LEN));
		if (decode_copy(b, gf->len + 1) != -EBADMSG)
			fail_msg("%s a byte long decodes", gf->what);
		free(b);
	}
}

/* KEEPALIVE, ALL_FREE, GOING_DOWN: a body of any byte is malformed. */
static void test_empty_rules(void **state)
{
	static const uint8_t types[] = { IPSP_KEEPALIVE, IPSP_ALL_FREE,
					 IPSP_GOING_DOWN };
	uint8_t buf[16];

	(void)state;
	for (size_t i = 0; i < sizeof(types); i++) {
		struct raw *r = raw_new(types[i]);

		assert_int_equal(raw_decode(r), 0);
		r = raw_new(types[i]);
		raw_u8(r, 0);
		assert_int_equal(raw_decode(r), -EBADMSG);
	}
	/* no other type is empty */
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(ipsp_encode_empty(buf, sizeof(buf), IPSP_HELLO),
			 -EINVAL);
	assert_int_equal(ipsp_encode_empty(buf, sizeof(buf), IPSP_HELD),
			 -EINVAL);
	assert_int_equal(ipsp_encode_empty(buf, sizeof(buf), IPSP_RELEASE),
			 -EINVAL);
	assert_int_equal(ipsp_encode_empty(buf, sizeof(buf), 0), -EINVAL);
	assert_int_equal(ipsp_encode_empty(buf, sizeof(buf), 42), -EINVAL);
	assert_int_equal(ipsp_encode_empty(NULL, sizeof(buf), IPSP_KEEPALIVE),
			 -EINVAL);
	assert_untouched(buf, 0, sizeof(buf));
}

/* ---- HELLO ------------------------------------------------------------ */

static void test_hello_rules(void **state)
{
	const struct name two[] = { NAME("pool-a"), NAME("mn") };
	char long_name[IPSP_POOL_NAME_MAX + 1], nb[3];
	struct name names[IPSP_POOLS_MAX + 1];
	static char many[IPSP_POOLS_MAX + 1][8];

	(void)state;
	/* roles: 1 and 2, configured and played */
	for (uint8_t cfg = 0; cfg < 4; cfg++)
		for (uint8_t role = 0; role < 4; role++) {
			bool ok = cfg >= 1 && cfg <= 2 && role >= 1 &&
				  role <= 2;

			assert_int_equal(hello_with(cfg, role, IPSP_MODE_ACTIVE,
						    30, two, 2),
					 ok ? 0 : -EBADMSG);
		}
	assert_int_equal(hello_with(255, 1, 1, 30, two, 2), -EBADMSG);
	assert_int_equal(hello_with(1, 255, 1, 30, two, 2), -EBADMSG);
	/* modes 1..3 */
	for (uint8_t mode = 0; mode < 6; mode++)
		assert_int_equal(hello_with(1, 1, mode, 30, two, 2),
				 mode >= 1 && mode <= 3 ? 0 : -EBADMSG);
	assert_int_equal(hello_with(1, 1, 255, 30, two, 2), -EBADMSG);
	/* dead interval 1..3600 */
	assert_int_equal(hello_with(1, 1, 1, 0, two, 2), -EBADMSG);
	assert_int_equal(hello_with(1, 1, 1, 1, two, 2), 0);
	assert_int_equal(hello_with(1, 1, 1, IPSP_DEAD_MAX, two, 2), 0);
	assert_int_equal(hello_with(1, 1, 1, IPSP_DEAD_MAX + 1, two, 2),
			 -EBADMSG);
	assert_int_equal(hello_with(1, 1, 1, UINT32_MAX, two, 2), -EBADMSG);

	/* names: 1..63 bytes */
	assert_int_equal(hello_names(two, 0), 0);
	names[0] = NAME("");
	assert_int_equal(hello_names(names, 1), -EBADMSG);
	names[0] = NAME("a");
	assert_int_equal(hello_names(names, 1), 0);
	names[0] = name_of(long_name, IPSP_POOL_NAME_MAX, 'p');
	assert_int_equal(hello_names(names, 1), 0);
	names[0] = name_of(long_name, IPSP_POOL_NAME_MAX + 1, 'p');
	assert_int_equal(hello_names(names, 1), -EBADMSG);
	/* of printable ASCII, the second pool's as the first's */
	names[0] = NAME("pool-a");
	for (size_t i = 0; i < sizeof(bad_bytes); i++) {
		names[1] = name_with(nb, bad_bytes[i]);
		assert_int_equal(hello_names(names, 2), -EBADMSG);
		assert_int_equal(hello_names(names + 1, 1), -EBADMSG);
	}
	for (size_t i = 0; i < sizeof(edge_bytes); i++) {
		names[1] = name_with(nb, edge_bytes[i]);
		assert_int_equal(hello_names(names, 2), 0);
	}

	/* distinct, anywhere in the list; a prefix is another name */
	names[0] = NAME("pool");
	names[1] = NAME("pool");
	assert_int_equal(hello_names(names, 2), -EBADMSG);
	names[1] = NAME("pool-a");
	assert_int_equal(hello_names(names, 2), 0);
	names[2] = NAME("pool-b");
	names[3] = NAME("pool-a");
	assert_int_equal(hello_names(names, 4), -EBADMSG);
	names[3] = NAME("Pool");
	assert_int_equal(hello_names(names, 4), 0);

	/* up to 256 pools */
	for (unsigned int i = 0; i <= IPSP_POOLS_MAX; i++) {
		snprintf(many[i], 8, "p%03u", i);
		names[i] = (struct name){ many[i], 4 };
	}
	assert_int_equal(hello_names(names, IPSP_POOLS_MAX), 0);
	assert_int_equal(hello_names(names, IPSP_POOLS_MAX + 1), -EBADMSG);
}

/* Flags and reserved bytes: unknown bits are dropped, reserved ignored. */
static void test_ignored_bits(void **state)
{
	uint8_t *copy = dup_bytes(hello_frame, sizeof(hello_frame));
	struct ipsp_entry_iter it;
	struct ipsp_entry e;
	struct ipsp_frame f;

	(void)state;
	copy[8 + 3] = 0xff;
	copy[sizeof(hello_frame) - 2] = 0xaa;
	copy[sizeof(hello_frame) - 1] = 0x55;
	assert_int_equal(ipsp_frame_decode(copy, sizeof(hello_frame), &f), 0);
	assert_int_equal(f.u.hello.flags,
			 IPSP_HELLO_ACTING | IPSP_HELLO_ALL_FREE |
				 IPSP_HELLO_HANDED);
	free(copy);

	copy = dup_bytes(grant_frame, sizeof(grant_frame));
	copy[8 + 5] = 0xff;
	assert_int_equal(ipsp_frame_decode(copy, sizeof(grant_frame), &f), 0);
	assert_int_equal(f.u.grant.n_ranges, 2);
	free(copy);

	copy = dup_bytes(held_frame, sizeof(held_frame));
	copy[8] = 0xff;
	copy[9] = 0xff;
	copy[HELD_ENTRY1 + 12] = 0xff;
	copy[HELD_ENTRY2 + 12] = 0xfc;
	assert_int_equal(ipsp_frame_decode(copy, sizeof(held_frame), &f), 0);
	assert_int_equal(f.u.held.flags, IPSP_HELD_LAST);
	ipsp_entries_begin(&f.u.held, &it);
	assert_int_equal(ipsp_entries_next(&it, &e), 0);
	assert_int_equal(e.flags, IPSP_ENTRY_BOUND | IPSP_ENTRY_TIMESTAMP);
	assert_int_equal(ipsp_entries_next(&it, &e), 0);
	assert_int_equal(e.flags, 0);
	free(copy);
}

/* The largest HELLO: 256 pools of 63-byte names, and the smallest. */
static void test_hello_largest(void **state)
{
	static char names[IPSP_POOLS_MAX][IPSP_POOL_NAME_MAX];
	static uint8_t digests[IPSP_POOLS_MAX][IPSP_DIGEST_LEN];
	struct ipsp_hello_pool *pools = calloc(IPSP_POOLS_MAX, sizeof(*pools));
	size_t want_len = IPSP_HDR_LEN + 44 + IPSP_POOLS_MAX * (1 + 63 + 32);
	uint8_t *buf = malloc(IPSP_FRAME_BUF);
	struct ipsp_hello h = {
		.role_cfg = IPSP_ROLE_PRIMARY,
		.role = IPSP_ROLE_PRIMARY,
		.mode = IPSP_MODE_CHECK_CONFIG,
		.flags = IPSP_HELLO_ACTING | IPSP_HELLO_ALL_FREE,
		.dead_interval = IPSP_DEAD_MAX,
		.n_pools = IPSP_POOLS_MAX,
		.pools = pools,
	};
	struct ipsp_frame f;

	(void)state;
	assert_non_null(pools);
	assert_non_null(buf);
	memset(h.digest, 0xee, sizeof(h.digest));
	for (unsigned int i = 0; i < IPSP_POOLS_MAX; i++) {
		/* distinct: the first two bytes count i in base 90 */
		memset(names[i], '~', IPSP_POOL_NAME_MAX);
		names[i][0] = (char)('!' + i / 90);
		names[i][1] = (char)('!' + i % 90);
		memset(digests[i], (int)i, IPSP_DIGEST_LEN);
		pools[i] = (struct ipsp_hello_pool){ IPSP_POOL_NAME_MAX,
						     names[i], digests[i] };
	}
	assert_int_equal(ipsp_encode_hello(buf, IPSP_FRAME_BUF, &h), want_len);
	assert_int_equal(ipsp_frame_decode(buf, want_len, &f), 0);
	assert_hello(&f.u.hello, &h);
	ASSERT_ENCODE_LIMITS(ipsp_encode_hello(buf_, size, &h), want_len);

	/* no pool */
	h.n_pools = 0;
	h.pools = NULL;
	h.role = IPSP_ROLE_SECONDARY;
	h.mode = IPSP_MODE_INACTIVE;
	h.dead_interval = 1;
	assert_int_equal(ipsp_encode_hello(buf, IPSP_FRAME_BUF, &h),
			 IPSP_HDR_LEN + 44);
	assert_int_equal(ipsp_frame_decode(buf, IPSP_HDR_LEN + 44, &f), 0);
	assert_hello(&f.u.hello, &h);
	free(buf);
	free(pools);
}

static void test_hello_encode_invalid(void **state)
{
	struct ipsp_hello_pool pools[IPSP_POOLS_MAX + 1];
	char long_name[IPSP_POOL_NAME_MAX + 1], nb[3];
	uint8_t buf[IPSP_FRAME_BUF / 2];
	struct ipsp_hello h, good;
	struct name n;

	(void)state;
	golden_hello(&good, pools);
	memset(buf, 0xa5, sizeof(buf));
#define HELLO_INVALID(change)                                             \
	do {                                                              \
		golden_hello(&h, pools);                                  \
		change;                                                   \
		assert_int_equal(ipsp_encode_hello(buf, sizeof(buf), &h), \
				 -EINVAL);                                \
	} while (0)
	HELLO_INVALID(h.role_cfg = 0);
	HELLO_INVALID(h.role_cfg = 3);
	HELLO_INVALID(h.role = 0);
	HELLO_INVALID(h.role = 3);
	HELLO_INVALID(h.mode = 0);
	HELLO_INVALID(h.mode = 4);
	HELLO_INVALID(h.flags = 0x08);
	HELLO_INVALID(h.dead_interval = 0);
	HELLO_INVALID(h.dead_interval = IPSP_DEAD_MAX + 1);
	HELLO_INVALID(h.pools = NULL);
	HELLO_INVALID(pools[1].name = NULL);
	HELLO_INVALID(pools[1].digest = NULL);
	HELLO_INVALID(pools[1].name_len = 0);
	HELLO_INVALID(pools[1] = pools[0]);
	HELLO_INVALID(pools[1].name = "pool-a"; pools[1].name_len = 6);
	n = name_of(long_name, IPSP_POOL_NAME_MAX + 1, 'x');
	HELLO_INVALID(pools[1].name = n.s; pools[1].name_len = n.len);
	for (size_t i = 0; i < sizeof(bad_bytes); i++) {
		n = name_with(nb, bad_bytes[i]);
		HELLO_INVALID(pools[0].name = n.s; pools[0].name_len = n.len);
	}
	/* 257 pools, all distinct */
	{
		static char names[IPSP_POOLS_MAX + 1][8];

		for (unsigned int i = 0; i <= IPSP_POOLS_MAX; i++)
			snprintf(names[i], sizeof(names[i]), "p%03u", i);
		golden_hello(&h, pools);
		for (unsigned int i = 0; i <= IPSP_POOLS_MAX; i++) {
			pools[i].name_len = 4;
			pools[i].name = names[i];
			pools[i].digest = digest_11;
		}
		h.n_pools = IPSP_POOLS_MAX;
		assert_true(ipsp_encode_hello(buf, sizeof(buf), &h) > 0);
		memset(buf, 0xa5, sizeof(buf));
		h.n_pools = IPSP_POOLS_MAX + 1;
		assert_int_equal(ipsp_encode_hello(buf, sizeof(buf), &h),
				 -EINVAL);
	}
#undef HELLO_INVALID
	assert_untouched(buf, 0, sizeof(buf));
	golden_hello(&good, pools);
	assert_int_equal(ipsp_encode_hello(NULL, sizeof(buf), &good), -EINVAL);
	assert_int_equal(ipsp_encode_hello(buf, sizeof(buf), NULL), -EINVAL);
	/* the limits themselves are good */
	good.dead_interval = 1;
	n = name_of(long_name, IPSP_POOL_NAME_MAX, 'x');
	pools[1].name = n.s;
	pools[1].name_len = n.len;
	assert_true(ipsp_encode_hello(buf, sizeof(buf), &good) > 0);
	good.dead_interval = IPSP_DEAD_MAX;
	assert_true(ipsp_encode_hello(buf, sizeof(buf), &good) > 0);
}

/* ---- BLOCK_REQUEST and ADDR_REQUEST ----------------------------------- */

static void test_block_request_rules(void **state)
{
	char long_name[IPSP_POOL_NAME_MAX + 1], nb[3];
	struct ipsp_block_request r = { .id = 9, .name_len = 1, .name = "a" };
	struct ipsp_frame f;
	uint8_t buf[128];
	struct name n;

	(void)state;
	/* count 1..65536 */
	assert_int_equal(block_with(0, NAME("a")), -EBADMSG);
	assert_int_equal(block_with(1, NAME("a")), 0);
	assert_int_equal(block_with(IPSP_BLOCK_MAX, NAME("a")), 0);
	assert_int_equal(block_with(IPSP_BLOCK_MAX + 1, NAME("a")), -EBADMSG);
	assert_int_equal(block_with(UINT32_MAX, NAME("a")), -EBADMSG);
	/* a name of 1..63 printable bytes */
	assert_int_equal(block_with(1, NAME("")), -EBADMSG);
	assert_int_equal(
		block_with(1, name_of(long_name, IPSP_POOL_NAME_MAX, 'x')), 0);
	assert_int_equal(
		block_with(1, name_of(long_name, IPSP_POOL_NAME_MAX + 1, 'x')),
		-EBADMSG);
	for (size_t i = 0; i < sizeof(bad_bytes); i++)
		assert_int_equal(block_with(1, name_with(nb, bad_bytes[i])),
				 -EBADMSG);
	for (size_t i = 0; i < sizeof(edge_bytes); i++)
		assert_int_equal(block_with(1, name_with(nb, edge_bytes[i])),
				 0);

	/* the encoder: the same rules */
	memset(buf, 0xa5, sizeof(buf));
	r.count = 0;
	assert_int_equal(ipsp_encode_block_request(buf, sizeof(buf), &r),
			 -EINVAL);
	r.count = IPSP_BLOCK_MAX + 1;
	assert_int_equal(ipsp_encode_block_request(buf, sizeof(buf), &r),
			 -EINVAL);
	r.count = 1;
	r.name_len = 0;
	assert_int_equal(ipsp_encode_block_request(buf, sizeof(buf), &r),
			 -EINVAL);
	r.name_len = 1;
	r.name = NULL;
	assert_int_equal(ipsp_encode_block_request(buf, sizeof(buf), &r),
			 -EINVAL);
	n = name_of(long_name, IPSP_POOL_NAME_MAX + 1, 'x');
	r.name = n.s;
	r.name_len = n.len;
	assert_int_equal(ipsp_encode_block_request(buf, sizeof(buf), &r),
			 -EINVAL);
	for (size_t i = 0; i < sizeof(bad_bytes); i++) {
		n = name_with(nb, bad_bytes[i]);
		r.name = n.s;
		r.name_len = n.len;
		assert_int_equal(ipsp_encode_block_request(buf, sizeof(buf),
							   &r),
				 -EINVAL);
	}
	assert_int_equal(ipsp_encode_block_request(NULL, sizeof(buf), &r),
			 -EINVAL);
	assert_int_equal(ipsp_encode_block_request(buf, sizeof(buf), NULL),
			 -EINVAL);
	assert_untouched(buf, 0, sizeof(buf));

	/* the limits, round trip */
	n = name_of(long_name, IPSP_POOL_NAME_MAX, '~');
	r = (struct ipsp_block_request){ .id = UINT32_MAX,
					 .count = IPSP_BLOCK_MAX,
					 .name_len = n.len,
					 .name = n.s };
	assert_int_equal(ipsp_encode_block_request(buf, sizeof(buf), &r),
			 IPSP_HDR_LEN + 9 + 63);
	assert_int_equal(ipsp_frame_decode(buf, IPSP_HDR_LEN + 9 + 63, &f), 0);
	assert_int_equal(f.u.block.id, UINT32_MAX);
	assert_int_equal(f.u.block.count, IPSP_BLOCK_MAX);
	assert_int_equal(f.u.block.name_len, 63);
	assert_memory_equal(f.u.block.name, n.s, 63);
	ASSERT_ENCODE_LIMITS(ipsp_encode_block_request(buf_, size, &r),
			     IPSP_HDR_LEN + 9 + 63);
}

static void test_addr_request_rules(void **state)
{
	char long_name[IPSP_POOL_NAME_MAX + 1], long_nai[255], nb[3];
	struct ipsp_addr_request r = { .id = 1, .addr = ip("10.1.0.5") };
	struct ipsp_frame f;
	uint8_t buf[512];
	struct name n;
	size_t len;

	(void)state;
	/* a name of 0..63 printable bytes, a NAI of 0..255 */
	assert_int_equal(addr_with(NAME(""), NAME("")), 0);
	assert_int_equal(addr_with(name_of(long_name, IPSP_POOL_NAME_MAX, 'x'),
				   name_of(long_nai, 255, 'y')),
			 0);
	assert_int_equal(
		addr_with(name_of(long_name, IPSP_POOL_NAME_MAX + 1, 'x'),
			  NAME("")),
		-EBADMSG);
	for (size_t i = 0; i < sizeof(bad_bytes); i++) {
		assert_int_equal(addr_with(name_with(nb, bad_bytes[i]),
					   NAME("")),
				 -EBADMSG);
		assert_int_equal(addr_with(NAME("p"),
					   name_with(nb, bad_bytes[i])),
				 -EBADMSG);
	}
	for (size_t i = 0; i < sizeof(edge_bytes); i++) {
		assert_int_equal(
			addr_with(name_with(nb, edge_bytes[i]), NAME("")), 0);
		assert_int_equal(
			addr_with(NAME(""), name_with(nb, edge_bytes[i])), 0);
	}

	/* the encoder: the same rules */
	memset(buf, 0xa5, sizeof(buf));
	n = name_of(long_name, IPSP_POOL_NAME_MAX + 1, 'x');
	r.name = n.s;
	r.name_len = n.len;
	assert_int_equal(ipsp_encode_addr_request(buf, sizeof(buf), &r),
			 -EINVAL);
	r.name = NULL;
	r.name_len = 1;
	assert_int_equal(ipsp_encode_addr_request(buf, sizeof(buf), &r),
			 -EINVAL);
	r.name_len = 0;
	r.nai_len = 1;
	assert_int_equal(ipsp_encode_addr_request(buf, sizeof(buf), &r),
			 -EINVAL);
	for (size_t i = 0; i < sizeof(bad_bytes); i++) {
		n = name_with(nb, bad_bytes[i]);
		r.name = n.s;
		r.name_len = n.len;
		r.nai = NULL;
		r.nai_len = 0;
		assert_int_equal(ipsp_encode_addr_request(buf, sizeof(buf), &r),
				 -EINVAL);
		r.name = NULL;
		r.name_len = 0;
		r.nai = (const uint8_t *)n.s;
		r.nai_len = n.len;
		assert_int_equal(ipsp_encode_addr_request(buf, sizeof(buf), &r),
				 -EINVAL);
	}
	assert_int_equal(ipsp_encode_addr_request(NULL, sizeof(buf), &r),
			 -EINVAL);
	assert_int_equal(ipsp_encode_addr_request(buf, sizeof(buf), NULL),
			 -EINVAL);
	assert_untouched(buf, 0, sizeof(buf));

	/* the limits, round trip */
	n = name_of(long_name, IPSP_POOL_NAME_MAX, '!');
	memset(long_nai, 'n', sizeof(long_nai));
	r = (struct ipsp_addr_request){ .id = 77,
					.addr = ip("255.255.255.255"),
					.name_len = n.len,
					.name = n.s,
					.nai_len = 255,
					.nai = (const uint8_t *)long_nai };
	len = IPSP_HDR_LEN + 10 + 63 + 255;
	assert_int_equal(ipsp_encode_addr_request(buf, sizeof(buf), &r), len);
	assert_int_equal(ipsp_frame_decode(buf, len, &f), 0);
	assert_int_equal(f.u.addr.id, 77);
	assert_int_equal(f.u.addr.addr.s_addr, r.addr.s_addr);
	assert_int_equal(f.u.addr.name_len, 63);
	assert_memory_equal(f.u.addr.name, n.s, 63);
	assert_int_equal(f.u.addr.nai_len, 255);
	assert_memory_equal(f.u.addr.nai, long_nai, 255);
	ASSERT_ENCODE_LIMITS(ipsp_encode_addr_request(buf_, size, &r), len);
}

/* ---- GRANT ------------------------------------------------------------ */

static void test_grant_rules(void **state)
{
	(void)state;
	/* every status alone; none past the last */
	for (unsigned int st = 0; st < IPSP_ST_MAX; st++)
		assert_int_equal(grant_with((uint8_t)st, 0, NULL, NULL), 0);
	assert_int_equal(grant_with(IPSP_ST_MAX, 0, NULL, NULL), -EBADMSG);
	assert_int_equal(grant_with(255, 0, NULL, NULL), -EBADMSG);
	/* ranges with OK only */
	assert_int_equal(grant_with(IPSP_OK, 1, "10.0.0.1", "10.0.0.9"), 0);
	for (unsigned int st = 1; st < IPSP_ST_MAX; st++)
		assert_int_equal(grant_with((uint8_t)st, 1, "10.0.0.1",
					    "10.0.0.9"),
				 -EBADMSG);
	/* first <= last as numbers, not as the bytes' host integer */
	assert_int_equal(grant_with(IPSP_OK, 1, "10.0.0.5", "10.0.0.5"), 0);
	assert_int_equal(grant_with(IPSP_OK, 1, "10.0.0.6", "10.0.0.5"),
			 -EBADMSG);
	assert_int_equal(grant_with(IPSP_OK, 1, "10.0.0.255", "10.0.1.0"), 0);
	assert_int_equal(grant_with(IPSP_OK, 1, "10.0.1.0", "10.0.0.255"),
			 -EBADMSG);
	assert_int_equal(grant_with(IPSP_OK, 1, "1.0.0.0", "0.255.255.255"),
			 -EBADMSG);
	assert_int_equal(grant_with(IPSP_OK, 1, "0.255.255.255", "1.0.0.0"), 0);
	/* up to 4096 ranges */
	assert_int_equal(grant_with(IPSP_OK, IPSP_RANGES_MAX, "10.0.0.1",
				    "10.0.0.2"),
			 0);
	assert_int_equal(grant_with(IPSP_OK, IPSP_RANGES_MAX + 1, "10.0.0.1",
				    "10.0.0.2"),
			 -EBADMSG);
}

static void test_grant_encode(void **state)
{
	struct ipsp_range *ranges =
		calloc(IPSP_RANGES_MAX + 1, sizeof(*ranges));
	size_t len = IPSP_HDR_LEN + 8 + 8 * IPSP_RANGES_MAX;
	uint8_t *buf = malloc(len + 64);
	struct ipsp_grant g = { .id = 3, .status = IPSP_OK };
	struct ipsp_range r;
	struct ipsp_frame f;

	(void)state;
	assert_non_null(ranges);
	assert_non_null(buf);
	for (unsigned int i = 0; i <= IPSP_RANGES_MAX; i++) {
		ranges[i].first.s_addr = htonl(0x0a000000 + 16 * i);
		ranges[i].last.s_addr = htonl(0x0a000000 + 16 * i + i % 16);
	}
	memset(buf, 0xa5, len + 64);
	g.ranges = ranges;
	g.n_ranges = IPSP_RANGES_MAX + 1;
	assert_int_equal(ipsp_encode_grant(buf, len + 64, &g), -EINVAL);
	g.n_ranges = 1;
	g.status = IPSP_ST_IN_USE;
	assert_int_equal(ipsp_encode_grant(buf, len + 64, &g), -EINVAL);
	g.status = IPSP_ST_MAX;
	g.n_ranges = 0;
	assert_int_equal(ipsp_encode_grant(buf, len + 64, &g), -EINVAL);
	g.status = IPSP_OK;
	g.n_ranges = 1;
	g.ranges = NULL;
	assert_int_equal(ipsp_encode_grant(buf, len + 64, &g), -EINVAL);
	g.ranges = &(struct ipsp_range){ ip("10.0.1.0"), ip("10.0.0.255") };
	assert_int_equal(ipsp_encode_grant(buf, len + 64, &g), -EINVAL);
	assert_int_equal(ipsp_encode_grant(NULL, len + 64, &g), -EINVAL);
	assert_int_equal(ipsp_encode_grant(buf, len + 64, NULL), -EINVAL);
	assert_untouched(buf, 0, len + 64);
	g.ranges = &(struct ipsp_range){ ip("10.0.0.255"), ip("10.0.1.0") };
	assert_int_equal(ipsp_encode_grant(buf, len + 64, &g), 24);

	/* the most ranges, round trip */
	g.ranges = ranges;
	g.n_ranges = IPSP_RANGES_MAX;
	assert_int_equal(ipsp_encode_grant(buf, len + 64, &g), len);
	assert_int_equal(ipsp_frame_decode(buf, len, &f), 0);
	assert_int_equal(f.u.grant.n_ranges, IPSP_RANGES_MAX);
	for (uint16_t i = 0; i < IPSP_RANGES_MAX; i++) {
		ipsp_grant_range(&f.u.grant, i, &r);
		assert_int_equal(r.first.s_addr, ranges[i].first.s_addr);
		assert_int_equal(r.last.s_addr, ranges[i].last.s_addr);
	}
	ASSERT_ENCODE_LIMITS(ipsp_encode_grant(buf_, size, &g), len);
	/* every refusal */
	g.n_ranges = 0;
	for (uint8_t st = 1; st < IPSP_ST_MAX; st++) {
		g.status = st;
		assert_int_equal(ipsp_encode_grant(buf, len, &g), 16);
		assert_int_equal(ipsp_frame_decode(buf, 16, &f), 0);
		assert_int_equal(f.u.grant.status, st);
		assert_int_equal(f.u.grant.id, 3);
	}
	free(buf);
	free(ranges);
}

/* ---- HELD and RELEASE ------------------------------------------------- */

static void test_held_rules(void **state)
{
	static const uint8_t types[] = { IPSP_HELD, IPSP_RELEASE };
	char long_nai[255], nb[3];
	struct raw *r;

	(void)state;
	for (size_t t = 0; t < 2; t++) {
		uint8_t type = types[t];

		assert_int_equal(held_with(type, NAME("")), 0);
		assert_int_equal(held_with(type, name_of(long_nai, 255, 'z')),
				 0);
		for (size_t i = 0; i < sizeof(bad_bytes); i++)
			assert_int_equal(held_with(type,
						   name_with(nb, bad_bytes[i])),
					 -EBADMSG);
		for (size_t i = 0; i < sizeof(edge_bytes); i++)
			assert_int_equal(
				held_with(type, name_with(nb, edge_bytes[i])),
				0);

		/* no entry */
		r = raw_new(type);
		raw_be32(r, 0);
		assert_int_equal(raw_decode(r), 0);
		/* n_entries says one more, or one less, than there are */
		r = raw_new(type);
		raw_be32(r, 2);
		raw_entry(r, "10.0.0.1", 0, NAME("a"));
		assert_int_equal(raw_decode(r), -EBADMSG);
		r = raw_new(type);
		raw_be32(r, 1);
		raw_entry(r, "10.0.0.1", 0, NAME("a"));
		raw_entry(r, "10.0.0.2", 0, NAME("b"));
		assert_int_equal(raw_decode(r), -EBADMSG);
		/* a NAI past the body's end */
		r = raw_new(type);
		raw_be32(r, 1);
		raw_entry(r, "10.0.0.1", 0, NAME("abc"));
		r->len--;
		assert_int_equal(raw_decode(r), -EBADMSG);
	}
}

static void test_held_encode_invalid(void **state)
{
	struct ipsp_entry e = { .addr = ip("10.0.0.1"), .nai_len = 0 };
	struct ipsp_held_builder b;
	uint8_t buf[64];
	char nb[3];
	struct name n;

	(void)state;
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(ipsp_held_begin(&b, buf, sizeof(buf), IPSP_HELLO),
			 -EINVAL);
	assert_int_equal(ipsp_held_begin(&b, buf, sizeof(buf), IPSP_GRANT),
			 -EINVAL);
	assert_int_equal(ipsp_held_begin(&b, buf, sizeof(buf), 0), -EINVAL);
	assert_int_equal(ipsp_held_begin(NULL, buf, sizeof(buf), IPSP_HELD),
			 -EINVAL);
	assert_int_equal(ipsp_held_begin(&b, NULL, sizeof(buf), IPSP_HELD),
			 -EINVAL);
	assert_int_equal(ipsp_held_begin(&b, buf, IPSP_HDR_LEN + 3, IPSP_HELD),
			 -ENOSPC);
	assert_untouched(buf, 0, sizeof(buf));

	assert_int_equal(ipsp_held_begin(&b, buf, sizeof(buf), IPSP_HELD), 0);
	e.flags = 0x04;
	assert_int_equal(ipsp_held_add(&b, &e), -EINVAL);
	e.flags = 0;
	e.nai_len = 3;
	assert_int_equal(ipsp_held_add(&b, &e), -EINVAL);
	for (size_t i = 0; i < sizeof(bad_bytes); i++) {
		n = name_with(nb, bad_bytes[i]);
		e.nai = (const uint8_t *)n.s;
		assert_int_equal(ipsp_held_add(&b, &e), -EINVAL);
	}
	assert_int_equal(ipsp_held_add(&b, NULL), -EINVAL);
	assert_int_equal(ipsp_held_add(NULL, &e), -EINVAL);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.len, IPSP_HDR_LEN + 4);
	assert_untouched(buf, IPSP_HDR_LEN + 4, sizeof(buf));
	assert_int_equal(ipsp_held_finish(&b, 0x02), -EINVAL);
	assert_int_equal(ipsp_held_finish(NULL, 0), -EINVAL);
	/* an empty frame is a frame */
	assert_int_equal(ipsp_held_finish(&b, IPSP_HELD_LAST),
			 IPSP_HDR_LEN + 4);
	assert_int_equal(decode_copy(buf, IPSP_HDR_LEN + 4), 0);
}

/*
 * Entries of the longest NAI until the frame is full, in a buffer larger
 * than a frame: the builder stops at IPSP_FRAME_MAX. That frame finished,
 * the entry refused opens the next one.
 */
static void test_held_fill(void **state)
{
	const size_t entry = IPSP_ENTRY_FIXED + 255, size = IPSP_FRAME_BUF + 64;
	const unsigned int fit = (IPSP_FRAME_MAX - 4) / entry;
	uint8_t *buf = malloc(size), nai[255];
	struct ipsp_held_builder b;
	struct ipsp_entry_iter it;
	struct ipsp_entry e, got;
	struct ipsp_frame f;
	unsigned int n = 0;
	ssize_t len;
	int err;

	(void)state;
	assert_non_null(buf);
	memset(buf, 0xa5, size);
	assert_int_equal(ipsp_held_begin(&b, buf, size, IPSP_HELD), 0);
	e = (struct ipsp_entry){ .flags = IPSP_ENTRY_BOUND,
				 .nai_len = 255,
				 .nai = nai };
	for (;;) {
		e.addr.s_addr = htonl(0x0a000000 + n);
		e.id = 0x100000000ull * n + n;
		memset(nai, 'a' + n % 26, sizeof(nai));
		err = ipsp_held_add(&b, &e);
		if (err)
			break;
		n++;
	}
	assert_int_equal(err, -ENOSPC);
	assert_int_equal(n, fit);
	assert_int_equal(b.len, IPSP_HDR_LEN + 4 + fit * entry);
	assert_untouched(buf, b.len, size);
	len = ipsp_held_finish(&b, 0);
	assert_int_equal(len, IPSP_HDR_LEN + 4 + fit * entry);
	assert_int_equal(ipsp_frame_decode(buf, (size_t)len, &f), 0);
	assert_int_equal(f.u.held.n_entries, fit);
	assert_int_equal(f.u.held.flags, 0);
	ipsp_entries_begin(&f.u.held, &it);
	for (unsigned int i = 0; i < fit; i++) {
		assert_int_equal(ipsp_entries_next(&it, &got), 0);
		assert_int_equal(ntohl(got.addr.s_addr), 0x0a000000 + i);
		assert_true(got.id == 0x100000000ull * i + i);
		assert_int_equal(got.flags, IPSP_ENTRY_BOUND);
		assert_int_equal(got.nai_len, 255);
		assert_int_equal(got.nai[0], 'a' + i % 26);
		assert_int_equal(got.nai[254], 'a' + i % 26);
	}
	assert_int_equal(ipsp_entries_next(&it, &got), 1);

	/* the next frame, the last of the set, begins with the refused one */
	assert_int_equal(ipsp_held_begin(&b, buf, size, IPSP_HELD), 0);
	assert_int_equal(ipsp_held_add(&b, &e), 0);
	len = ipsp_held_finish(&b, IPSP_HELD_LAST);
	assert_int_equal(len, IPSP_HDR_LEN + 4 + entry);
	assert_int_equal(ipsp_frame_decode(buf, (size_t)len, &f), 0);
	assert_int_equal(f.u.held.flags, IPSP_HELD_LAST);
	ipsp_entries_begin(&f.u.held, &it);
	assert_int_equal(ipsp_entries_next(&it, &got), 0);
	assert_entry(&got, &e);
	assert_int_equal(ipsp_entries_next(&it, &got), 1);

	/* the most entries a frame holds: no NAI at all */
	assert_int_equal(ipsp_held_begin(&b, buf, size, IPSP_RELEASE), 0);
	e = (struct ipsp_entry){ .addr = ip("10.9.9.9") };
	n = 0;
	while (!(err = ipsp_held_add(&b, &e)))
		n++;
	assert_int_equal(err, -ENOSPC);
	assert_int_equal(n, (IPSP_FRAME_MAX - 4) / IPSP_ENTRY_FIXED);
	len = ipsp_held_finish(&b, 0);
	assert_int_equal(ipsp_frame_decode(buf, (size_t)len, &f), 0);
	assert_int_equal(f.hdr.type, IPSP_RELEASE);
	assert_int_equal(f.u.held.n_entries, n);
	free(buf);
}

/* ---- every type, round trip ------------------------------------------- */

/* Each golden frame decoded, encoded again from what was decoded. */
static void test_round_trip(void **state)
{
	(void)state;
	for (size_t g = 0; g < N_GOLDENS; g++) {
		const struct golden *gf = &goldens[g];
		struct ipsp_hello_pool pools[4];
		struct ipsp_range ranges[4];
		struct ipsp_held_builder b;
		struct ipsp_entry_iter it;
		struct ipsp_pool_iter pit;
		struct ipsp_frame f, back;
		struct ipsp_entry e;
		uint8_t out[128];
		ssize_t len = -1;
		unsigned int i;

		assert_int_equal(ipsp_frame_decode(gf->bytes, gf->len, &f), 0);
		switch (f.hdr.type) {
		case IPSP_HELLO:
			ipsp_pools_begin(&f.u.hello, &pit);
			for (i = 0; !ipsp_pools_next(&pit, &pools[i]); i++)
				;
			f.u.hello.pools = pools;
			len = ipsp_encode_hello(out, sizeof(out), &f.u.hello);
			break;
		case IPSP_KEEPALIVE:
		case IPSP_ALL_FREE:
		case IPSP_GOING_DOWN:
			len = ipsp_encode_empty(out, sizeof(out), f.hdr.type);
			break;
		case IPSP_BLOCK_REQUEST:
			len = ipsp_encode_block_request(out, sizeof(out),
							&f.u.block);
			break;
		case IPSP_ADDR_REQUEST:
			len = ipsp_encode_addr_request(out, sizeof(out),
						       &f.u.addr);
			break;
		case IPSP_GRANT:
			for (i = 0; i < f.u.grant.n_ranges; i++)
				ipsp_grant_range(&f.u.grant, (uint16_t)i,
						 &ranges[i]);
			f.u.grant.ranges = ranges;
			len = ipsp_encode_grant(out, sizeof(out), &f.u.grant);
			break;
		case IPSP_HELD:
		case IPSP_RELEASE:
			assert_int_equal(ipsp_held_begin(&b, out, sizeof(out),
							 f.hdr.type),
					 0);
			ipsp_entries_begin(&f.u.held, &it);
			while (!ipsp_entries_next(&it, &e))
				assert_int_equal(ipsp_held_add(&b, &e), 0);
			len = ipsp_held_finish(&b, f.u.held.flags);
			break;
		default:
			fail();
		}
		assert_int_equal(len, gf->len);
		assert_memory_equal(out, gf->bytes, gf->len);
		assert_int_equal(ipsp_frame_decode(out, (size_t)len, &back), 0);
		assert_int_equal(back.hdr.type, f.hdr.type);
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ipsp_type_name(IPSP_HELLO), "hello");
	assert_string_equal(ipsp_type_name(IPSP_KEEPALIVE), "keepalive");
	assert_string_equal(ipsp_type_name(IPSP_BLOCK_REQUEST),
			    "block-request");
	assert_string_equal(ipsp_type_name(IPSP_ADDR_REQUEST), "addr-request");
	assert_string_equal(ipsp_type_name(IPSP_GRANT), "grant");
	assert_string_equal(ipsp_type_name(IPSP_HELD), "held");
	assert_string_equal(ipsp_type_name(IPSP_ALL_FREE), "all-free");
	assert_string_equal(ipsp_type_name(IPSP_GOING_DOWN), "going-down");
	assert_string_equal(ipsp_type_name(IPSP_RELEASE), "release");
	assert_string_equal(ipsp_type_name(0), "unknown");
	assert_string_equal(ipsp_type_name(IPSP_RELEASE + 1), "unknown");
	assert_string_equal(ipsp_type_name(255), "unknown");
	assert_string_equal(ipsp_role_name(IPSP_ROLE_PRIMARY), "primary");
	assert_string_equal(ipsp_role_name(IPSP_ROLE_SECONDARY), "secondary");
	assert_string_equal(ipsp_role_name(0), "unknown");
	assert_string_equal(ipsp_role_name(3), "unknown");
	assert_string_equal(ipsp_mode_name(IPSP_MODE_ACTIVE), "active");
	assert_string_equal(ipsp_mode_name(IPSP_MODE_INACTIVE), "inactive");
	assert_string_equal(ipsp_mode_name(IPSP_MODE_CHECK_CONFIG),
			    "check-config");
	assert_string_equal(ipsp_mode_name(0), "unknown");
	assert_string_equal(ipsp_mode_name(4), "unknown");
	assert_string_equal(ipsp_status_name(IPSP_OK), "ok");
	assert_string_equal(ipsp_status_name(IPSP_ST_IN_USE), "in-use");
	assert_string_equal(ipsp_status_name(IPSP_ST_NO_POOL), "no-pool");
	assert_string_equal(ipsp_status_name(IPSP_ST_EXHAUSTED), "exhausted");
	assert_string_equal(ipsp_status_name(IPSP_ST_NOT_PRIMARY),
			    "not-primary");
	assert_string_equal(ipsp_status_name(IPSP_ST_NOT_READY), "not-ready");
	assert_string_equal(ipsp_status_name(IPSP_ST_ERROR), "error");
	assert_string_equal(ipsp_status_name(IPSP_ST_MAX), "unknown");
	assert_string_equal(ipsp_status_name(255), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_hello),
		cmocka_unit_test(test_golden_empty),
		cmocka_unit_test(test_golden_block_request),
		cmocka_unit_test(test_golden_addr_request),
		cmocka_unit_test(test_golden_grant),
		cmocka_unit_test(test_golden_held),
		cmocka_unit_test(test_golden_release),
		cmocka_unit_test(test_peek),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_empty_rules),
		cmocka_unit_test(test_hello_rules),
		cmocka_unit_test(test_ignored_bits),
		cmocka_unit_test(test_hello_largest),
		cmocka_unit_test(test_hello_encode_invalid),
		cmocka_unit_test(test_block_request_rules),
		cmocka_unit_test(test_addr_request_rules),
		cmocka_unit_test(test_grant_rules),
		cmocka_unit_test(test_grant_encode),
		cmocka_unit_test(test_held_rules),
		cmocka_unit_test(test_held_encode_invalid),
		cmocka_unit_test(test_held_fill),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("ipsp_msg", tests, NULL, NULL) ? 1 :
									    0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of reg_msg.c: registration requests and replies built and
 * parsed back, a request made by hand byte by byte (with an authenticator
 * computed by openssl(1), see test_auth.c), every truncation of a full
 * request, oversized and garbage input, the extension rules of RFC 5944
 * 1.9 (discard vs skip) and the order rules (NAI, MN-HA, MN-FA, FA-HA),
 * what each authenticator covers, and the builders' bounds.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "reg_msg.h"
#include "replay.h"

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static const struct auth_key mn_key = {
	.spi = 256,
	.algo = AUTH_HMAC_MD5,
	.key = "secret-key-16byt",
	.key_len = 16,
};

static const struct auth_key fa_key = {
	.spi = 0x1001,
	.algo = AUTH_PREFIX_SUFFIX_MD5,
	.key = "fa-ha",
	.key_len = 5,
};

static const char nai[] = "mn1@example.net";

static struct reg_request sample_request(void)
{
	struct reg_request r = {
		.flags = REG_F_T | REG_F_G,
		.lifetime = 1800,
		.home_addr = ip("10.0.0.5"),
		.ha_addr = ip("10.0.0.1"),
		.coa = ip("192.0.2.7"),
		.id = 0xe7f0a1b200000001ULL,
		.nai = (const uint8_t *)nai,
		.nai_len = sizeof(nai) - 1,
	};

	return r;
}

/* 24 fixed + 2 + 15 NAI + 22 MN-HA + 22 FA-HA */
#define FULL_LEN (24 + 17 + 22 + 22)

static size_t build_full(uint8_t *buf, size_t size)
{
	struct reg_request r = sample_request();
	ssize_t n = reg_request_build(buf, size, &r, &mn_key, &fa_key);

	assert_int_equal(n, FULL_LEN);
	return (size_t)n;
}

/*
 * The request of test_auth.c, by hand: fixed part, MN-HA SPI 256 and the
 * HMAC-MD5 authenticator openssl computed over the first 30 bytes.
 */
static const uint8_t hand_rrq[] = {
	0x01, 0x02, 0x07, 0x08, /* type, T, lifetime 1800 */
	0x0a, 0x00, 0x00, 0x05, /* home 10.0.0.5 */
	0x0a, 0x00, 0x00, 0x01, /* HA 10.0.0.1 */
	0xc0, 0x00, 0x02, 0x07, /* CoA 192.0.2.7 */
	0xe7, 0xf0, 0xa1, 0xb2, 0x00, 0x00, 0x00, 0x01, /* id */
	0x20, 0x14, 0x00, 0x00, 0x01, 0x00, /* MN-HA, len 20, SPI 256 */
	0xfe, 0xeb, 0x20, 0x7a, 0x3c, 0xbc, 0xc3, 0xef,
	0xa4, 0x7e, 0xe9, 0x6d, 0x68, 0xff, 0x2a, 0x97,
};

static void test_hand_made_request(void **state)
{
	struct reg_request r, in = sample_request();
	uint8_t buf[128];
	ssize_t n;

	(void)state;
	assert_int_equal(reg_request_parse(hand_rrq, sizeof(hand_rrq), &r), 0);
	assert_int_equal(r.flags, REG_F_T);
	assert_int_equal(r.lifetime, 1800);
	assert_int_equal(r.home_addr.s_addr, ip("10.0.0.5").s_addr);
	assert_int_equal(r.ha_addr.s_addr, ip("10.0.0.1").s_addr);
	assert_int_equal(r.coa.s_addr, ip("192.0.2.7").s_addr);
	assert_int_equal(r.id, 0xe7f0a1b200000001ULL);
	assert_null(r.nai);
	assert_true(r.has_mn_ha);
	assert_false(r.has_mn_fa);
	assert_false(r.has_fa_ha);
	assert_int_equal(r.mn_ha.spi, 256);
	assert_int_equal(r.mn_ha.off, 24);
	assert_int_equal(r.mn_ha.covered_len, 30);
	assert_int_equal(r.mn_ha.auth_len, 16);
	assert_ptr_equal(r.mn_ha.auth, hand_rrq + 30);
	assert_int_equal(r.len, sizeof(hand_rrq));
	assert_true(reg_auth_ext_verify(hand_rrq, &r.mn_ha, &mn_key));

	/* and the builder produces the same bytes */
	in.flags = REG_F_T;
	in.nai_len = 0;
	in.nai = NULL;
	n = reg_request_build(buf, sizeof(buf), &in, &mn_key, NULL);
	assert_int_equal(n, sizeof(hand_rrq));
	assert_memory_equal(buf, hand_rrq, sizeof(hand_rrq));
}

static void test_request_round_trip(void **state)
{
	uint8_t buf[256];
	struct reg_request r;
	size_t n;

	(void)state;
	n = build_full(buf, sizeof(buf));
	assert_int_equal(reg_request_parse(buf, n, &r), 0);
	assert_int_equal(r.flags, REG_F_T | REG_F_G);
	assert_int_equal(r.lifetime, 1800);
	assert_int_equal(r.id, 0xe7f0a1b200000001ULL);
	assert_int_equal(r.nai_len, strlen(nai));
	assert_memory_equal(r.nai, nai, strlen(nai));
	assert_int_equal(r.nai_off, 24);
	assert_true(r.has_mn_ha && r.has_fa_ha);
	assert_false(r.has_mn_fa);
	assert_int_equal(r.mn_ha.off, 24 + 17);
	assert_int_equal(r.mn_ha.covered_len, 24 + 17 + 6);
	assert_int_equal(r.fa_ha.spi, 0x1001);
	assert_int_equal(r.fa_ha.off, 24 + 17 + 22);
	assert_int_equal(r.fa_ha.covered_len, 24 + 17 + 22 + 6);
	assert_int_equal(r.skipped_exts, 0);
	assert_true(reg_auth_ext_verify(buf, &r.mn_ha, &mn_key));
	assert_true(reg_auth_ext_verify(buf, &r.fa_ha, &fa_key));
	/* keys are not interchangeable, and the SPI must match */
	assert_false(reg_auth_ext_verify(buf, &r.mn_ha, &fa_key));
	{
		struct auth_key k = mn_key;

		k.spi = 257;
		assert_false(reg_auth_ext_verify(buf, &r.mn_ha, &k));
	}
}

static void test_every_flag_survives(void **state)
{
	struct reg_request in = sample_request(), r;
	uint8_t buf[128];
	unsigned int f;

	(void)state;
	for (f = 0; f < 256; f++) {
		ssize_t n;

		in.flags = (uint8_t)f;
		in.lifetime = (uint16_t)(f * 257);
		n = reg_request_build(buf, sizeof(buf), &in, &mn_key, NULL);
		assert_true(n > 0);
		assert_int_equal(reg_request_parse(buf, (size_t)n, &r), 0);
		assert_int_equal(r.flags, f);
		assert_int_equal(r.lifetime, (uint16_t)(f * 257));
	}
}

/* What the MN-HA and FA-HA authenticators protect, and what they do not. */
static void test_covered(void **state)
{
	uint8_t buf[256];
	struct reg_request r;
	size_t n;

	(void)state;
	n = build_full(buf, sizeof(buf));
	assert_int_equal(reg_request_parse(buf, n, &r), 0);
	assert_int_equal(reg_request_covered(&r, &r.mn_ha), REG_EXTB_NAI);
	assert_int_equal(reg_request_covered(&r, &r.fa_ha),
			 REG_EXTB_NAI | REG_EXTB_MN_HA);

	/* a byte of the NAI changed: both fail */
	buf[26] ^= 0x20;
	assert_false(reg_auth_ext_verify(buf, &r.mn_ha, &mn_key));
	assert_false(reg_auth_ext_verify(buf, &r.fa_ha, &fa_key));
	buf[26] ^= 0x20;
	/* a byte of the MN-HA authenticator: it fails, and FA-HA too */
	buf[r.mn_ha.covered_len] ^= 1;
	assert_false(reg_auth_ext_verify(buf, &r.mn_ha, &mn_key));
	assert_false(reg_auth_ext_verify(buf, &r.fa_ha, &fa_key));
	buf[r.mn_ha.covered_len] ^= 1;
	/* the FA-HA authenticator: MN-HA still good */
	buf[n - 1] ^= 1;
	assert_true(reg_auth_ext_verify(buf, &r.mn_ha, &mn_key));
	assert_false(reg_auth_ext_verify(buf, &r.fa_ha, &fa_key));
	buf[n - 1] ^= 1;
	/* every byte of the fixed part is covered */
	for (size_t i = 0; i < REG_REQUEST_LEN; i++) {
		buf[i] ^= 0x80;
		assert_false(reg_auth_ext_verify(buf, &r.mn_ha, &mn_key));
		buf[i] ^= 0x80;
	}
	assert_true(reg_auth_ext_verify(buf, &r.mn_ha, &mn_key));
}

/*
 * Every prefix of a full request: below the fixed part it is not a
 * request (discard); a cut inside an extension is poorly formed; a cut
 * between extensions is a shorter valid request.
 */
static void test_truncations(void **state)
{
	uint8_t full[256], *buf;
	struct reg_request r;
	size_t n, len;

	(void)state;
	n = build_full(full, sizeof(full));
	for (len = 0; len <= n; len++) {
		int err;

		/* exact-size heap copy: ASan catches any read past len */
		buf = malloc(len ? len : 1);
		assert_non_null(buf);
		memcpy(buf, full, len);
		err = reg_request_parse(buf, len, &r);
		if (len < REG_REQUEST_LEN) {
			assert_int_equal(err, -EPROTO);
		} else if (len == 24 || len == 24 + 17 || len == 24 + 17 + 22 ||
			   len == n) {
			assert_int_equal(err, 0);
			assert_int_equal(r.nai != NULL, len >= 24 + 17);
			assert_int_equal(r.has_mn_ha, len >= 24 + 17 + 22);
			assert_int_equal(r.has_fa_ha, len == n);
		} else {
			assert_int_equal(err, -EBADMSG);
			/* the fixed part is still there, for the 134 */
			assert_int_equal(r.id, 0xe7f0a1b200000001ULL);
			assert_int_equal(r.home_addr.s_addr,
					 ip("10.0.0.5").s_addr);
			assert_null(r.nai);
			assert_false(r.has_mn_ha);
		}
		free(buf);
	}
	assert_int_equal(reg_request_parse(NULL, 0, &r), -EPROTO);
}

static void test_not_a_request(void **state)
{
	uint8_t buf[64];
	struct reg_request r;
	struct reg_reply rep;

	(void)state;
	memcpy(buf, hand_rrq, sizeof(hand_rrq));
	buf[0] = REG_TYPE_REPLY;
	assert_int_equal(reg_request_parse(buf, sizeof(hand_rrq), &r), -EPROTO);
	buf[0] = 0;
	assert_int_equal(reg_request_parse(buf, sizeof(hand_rrq), &r), -EPROTO);
	/* a request is not a reply */
	assert_int_equal(reg_reply_parse(hand_rrq, sizeof(hand_rrq), &rep),
			 -EPROTO);
}

static void test_oversized(void **state)
{
	struct reg_request r;
	uint8_t *buf;
	size_t off;

	(void)state;
	buf = calloc(1, REG_MSG_MAX + 1);
	assert_non_null(buf);
	memcpy(buf, hand_rrq, REG_REQUEST_LEN);
	/* fill the rest with skippable extensions of type 200 */
	for (off = REG_REQUEST_LEN; off < REG_MSG_MAX;) {
		size_t left = REG_MSG_MAX - off;
		uint8_t elen = left - 2 > 255 ? 255 : (uint8_t)(left - 2);

		if (left - 2 > 255 && left - 2 - 255 < 2)
			elen = 250; /* leave room for a last header */
		buf[off] = 200;
		buf[off + 1] = elen;
		off += 2 + elen;
	}
	assert_int_equal(off, REG_MSG_MAX);
	assert_int_equal(reg_request_parse(buf, REG_MSG_MAX, &r), 0);
	assert_true(r.skipped_exts > 200);
	assert_false(r.has_mn_ha);
	assert_int_equal(reg_request_parse(buf, REG_MSG_MAX + 1, &r),
			 -EMSGSIZE);
	assert_int_equal(reg_request_parse(buf, SIZE_MAX, &r), -EMSGSIZE);
	free(buf);
}

/* Builds fixed part + the given extension bytes into buf; returns len. */
static size_t with_exts(uint8_t *buf, const uint8_t *ext, size_t ext_len)
{
	memcpy(buf, hand_rrq, REG_REQUEST_LEN);
	memcpy(buf + REG_REQUEST_LEN, ext, ext_len);
	return REG_REQUEST_LEN + ext_len;
}

#define AUTH(type) (type), 4 + 2, 0, 0, 1, 0, 0xaa, 0xbb /* 2-byte auth */

static void test_unknown_extensions(void **state)
{
	/* clang-format off */
	static const uint8_t skip[] = {
		200, 3, 1, 2, 3,	/* unknown skippable */
		130, 0,			/* encapsulating delivery style */
		131, 2, 'a', 'b',	/* NAI */
		134, 1, 9,		/* NVSE */
		AUTH(32),
		255, 0,			/* after MN-HA: FA's, skipped */
	};
	/* clang-format on */
	static const uint8_t discard[][6] = {
		{ 36, 4, 0, 0, 0, 0 }, /* generalized auth: not ours */
		{ 0, 0 },
		{ 127, 1, 0 },
		{ 38, 0 },
	};
	uint8_t buf[128];
	struct reg_request r;
	size_t n, i;

	(void)state;
	n = with_exts(buf, skip, sizeof(skip));
	assert_int_equal(reg_request_parse(buf, n, &r), 0);
	assert_int_equal(r.skipped_exts, 4);
	assert_int_equal(r.nai_len, 2);
	assert_memory_equal(r.nai, "ab", 2);
	assert_true(r.has_mn_ha);
	assert_int_equal(r.mn_ha.auth_len, 2);
	assert_int_equal(r.mn_ha.auth[0], 0xaa);

	/*
	 * Unknown non-skippable, before or after MN-HA, even as the last,
	 * truncated byte: the whole message is dropped.
	 */
	for (i = 0; i < sizeof(discard) / sizeof(discard[0]); i++) {
		uint8_t ext[32];
		size_t el = 2 + discard[i][1];

		memcpy(ext, discard[i], el);
		n = with_exts(buf, ext, el);
		assert_int_equal(reg_request_parse(buf, n, &r), -EPROTO);
		n = with_exts(buf, skip, sizeof(skip));
		memcpy(buf + n, discard[i], el);
		assert_int_equal(reg_request_parse(buf, n + el, &r), -EPROTO);
		assert_int_equal(reg_request_parse(buf, n + 1, &r), -EPROTO);
	}
}

static void test_order_and_shape(void **state)
{
	static const struct {
		const char *what;
		uint8_t ext[40];
		size_t len;
		int err;
	} cases[] = {
		{ "NAI after MN-HA", { AUTH(32), 131, 1, 'a' }, 11, -EBADMSG },
		{ "two NAIs", { 131, 1, 'a', 131, 1, 'b' }, 6, -EBADMSG },
		{ "empty NAI", { 131, 0 }, 2, -EBADMSG },
		{ "two MN-HA", { AUTH(32), AUTH(32) }, 16, -EBADMSG },
		{ "MN-HA after MN-FA", { AUTH(33), AUTH(32) }, 16, -EBADMSG },
		{ "MN-HA after FA-HA", { AUTH(34), AUTH(32) }, 16, -EBADMSG },
		{ "two MN-FA", { AUTH(32), AUTH(33), AUTH(33) }, 24, -EBADMSG },
		{ "MN-FA after FA-HA",
		  { AUTH(32), AUTH(34), AUTH(33) },
		  24,
		  -EBADMSG },
		{ "two FA-HA", { AUTH(32), AUTH(34), AUTH(34) }, 24, -EBADMSG },
		{ "auth shorter than SPI", { 32, 3, 0, 0, 1 }, 5, -EBADMSG },
		{ "length past the end", { 200, 10, 1, 2 }, 4, -EBADMSG },
		{ "lone skippable type", { 200 }, 1, -EBADMSG },
		{ "auth of SPI only", { 32, 4, 0, 0, 1, 0 }, 6, 0 },
		{ "MN-FA without MN-HA", { AUTH(33) }, 8, 0 },
		{ "all in order",
		  { 131, 1, 'a', AUTH(32), 200, 0, AUTH(33), 201, 0, AUTH(34),
		    202, 0 },
		  33,
		  0 },
		{ "FA-HA alone", { AUTH(34) }, 8, 0 },
	};
	uint8_t buf[128];
	struct reg_request r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = with_exts(buf, cases[i].ext, cases[i].len);
		int err = reg_request_parse(buf, n, &r);

		if (err != cases[i].err)
			fail_msg("%s: got %d, want %d", cases[i].what, err,
				 cases[i].err);
		if (err)
			assert_false(r.has_mn_ha || r.has_mn_fa ||
				     r.has_fa_ha || r.nai || r.skipped_exts);
	}

	/* "all in order": what was found where */
	{
		size_t n = with_exts(buf, cases[14].ext, cases[14].len);

		assert_int_equal(reg_request_parse(buf, n, &r), 0);
		assert_true(r.has_mn_ha && r.has_mn_fa && r.has_fa_ha);
		assert_int_equal(r.skipped_exts, 3);
		assert_int_equal(r.mn_ha.off, 24 + 3);
		assert_int_equal(r.mn_fa.off, 24 + 3 + 8 + 2);
		assert_int_equal(r.fa_ha.off, 24 + 3 + 8 + 2 + 8 + 2);
		assert_int_equal(reg_request_covered(&r, &r.mn_ha),
				 REG_EXTB_NAI);
		assert_int_equal(reg_request_covered(&r, &r.mn_fa),
				 REG_EXTB_NAI | REG_EXTB_MN_HA);
		assert_int_equal(reg_request_covered(&r, &r.fa_ha),
				 REG_EXTB_NAI | REG_EXTB_MN_HA |
					 REG_EXTB_MN_FA);
	}
}

static void test_reply_round_trip(void **state)
{
	struct reg_reply in = {
		.code = REG_CODE_ID_MISMATCH,
		.lifetime = 0,
		.home_addr = ip("10.0.0.5"),
		.ha_addr = ip("10.0.0.1"),
		.id = 0x0123456789abcdefULL,
		.nai = (const uint8_t *)nai,
		.nai_len = sizeof(nai) - 1,
	}, out;
	uint8_t buf[128];
	ssize_t n;

	(void)state;
	n = reg_reply_build(buf, sizeof(buf), &in, &mn_key, &fa_key);
	assert_int_equal(n, 20 + 17 + 22 + 22);
	assert_int_equal(buf[0], REG_TYPE_REPLY);
	assert_int_equal(buf[1], 133);
	assert_int_equal(reg_reply_parse(buf, (size_t)n, &out), 0);
	assert_int_equal(out.code, REG_CODE_ID_MISMATCH);
	assert_int_equal(out.lifetime, 0);
	assert_int_equal(out.home_addr.s_addr, in.home_addr.s_addr);
	assert_int_equal(out.ha_addr.s_addr, in.ha_addr.s_addr);
	assert_int_equal(out.id, in.id);
	assert_int_equal(out.nai_len, in.nai_len);
	assert_memory_equal(out.nai, nai, in.nai_len);
	assert_int_equal(out.nai_off, 20);
	assert_true(out.has_mn_ha && out.has_fa_ha);
	assert_false(out.has_mn_fa);
	assert_int_equal(out.mn_ha.covered_len, 20 + 17 + 6);
	assert_true(reg_auth_ext_verify(buf, &out.mn_ha, &mn_key));
	assert_true(reg_auth_ext_verify(buf, &out.fa_ha, &fa_key));
	assert_int_equal(out.len, (size_t)n);

	/* a 131 for an unknown SPI goes without authenticator */
	in.code = REG_CODE_MN_AUTH;
	in.nai_len = 0;
	in.lifetime = 0xffff;
	n = reg_reply_build(buf, sizeof(buf), &in, NULL, NULL);
	assert_int_equal(n, REG_REPLY_LEN);
	assert_int_equal(reg_reply_parse(buf, (size_t)n, &out), 0);
	assert_false(out.has_mn_ha || out.has_fa_ha || out.nai);
	assert_int_equal(out.lifetime, 0xffff);
	assert_int_equal(out.code, 131);

	/* truncated / wrong type / not a request */
	assert_int_equal(reg_reply_parse(buf, REG_REPLY_LEN - 1, &out),
			 -EPROTO);
	buf[0] = REG_TYPE_REQUEST;
	assert_int_equal(reg_reply_parse(buf, REG_REPLY_LEN, &out), -EPROTO);
}

/* Reply as a foreign agent relays it to the MN: MN-FA after MN-HA. */
static void test_reply_via_fa(void **state)
{
	struct reg_reply in = {
		.code = REG_CODE_ACCEPTED,
		.lifetime = 600,
		.home_addr = ip("10.0.0.5"),
		.ha_addr = ip("10.0.0.1"),
		.id = 42,
	}, out;
	uint8_t buf[128];
	ssize_t n;

	(void)state;
	n = reg_reply_build(buf, sizeof(buf), &in, &mn_key, NULL);
	assert_true(n > 0);
	memcpy(buf + n, (const uint8_t[]){ AUTH(33) }, 8);
	assert_int_equal(reg_reply_parse(buf, (size_t)n + 8, &out), 0);
	assert_true(out.has_mn_ha && out.has_mn_fa);
	assert_int_equal(out.mn_fa.off, n);
	assert_true(reg_auth_ext_verify(buf, &out.mn_ha, &mn_key));
	/* the MN-HA extension cut short: poorly formed */
	assert_int_equal(reg_reply_parse(buf, (size_t)n - 1, &out), -EBADMSG);
	assert_int_equal(out.code, 0);
	assert_int_equal(out.id, 42);
}

/*
 * The builders write nothing past size: every size short of what is
 * needed gives -ENOSPC with the bytes beyond it untouched.
 */
static void test_build_bounds(void **state)
{
	struct reg_request rq = sample_request();
	struct reg_reply rp = { .code = 0,
				.nai = (const uint8_t *)nai,
				.nai_len = 3 };
	uint8_t buf[256];
	size_t size;
	ssize_t n;

	(void)state;
	for (size = 0; size < FULL_LEN; size++) {
		memset(buf, 0x5a, sizeof(buf));
		n = reg_request_build(buf, size, &rq, &mn_key, &fa_key);
		assert_int_equal(n, -ENOSPC);
		for (size_t i = 0; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 0x5a);
	}
	assert_int_equal(reg_request_build(buf, FULL_LEN, &rq, &mn_key,
					   &fa_key),
			 FULL_LEN);
	assert_int_equal(reg_request_build(NULL, 0, &rq, NULL, NULL), -ENOSPC);
	for (size = 0; size < REG_REPLY_LEN + 5 + 22; size++)
		assert_int_equal(reg_reply_build(buf, size, &rp, &mn_key, NULL),
				 -ENOSPC);
	assert_int_equal(reg_reply_build(buf, size, &rp, &mn_key, NULL),
			 REG_REPLY_LEN + 5 + 22);
}

static void test_build_invalid(void **state)
{
	struct reg_request rq = sample_request();
	struct reg_reply rp = { 0 };
	struct auth_key bad = mn_key;
	uint8_t buf[256];

	(void)state;
	bad.key_len = 0;
	assert_int_equal(reg_request_build(buf, sizeof(buf), &rq, &bad, NULL),
			 -EINVAL);
	assert_int_equal(reg_request_build(buf, sizeof(buf), &rq, NULL, &bad),
			 -EINVAL);
	assert_int_equal(reg_reply_build(buf, sizeof(buf), &rp, &bad, NULL),
			 -EINVAL);
	bad = mn_key;
	bad.algo = (enum auth_algo)5;
	assert_int_equal(reg_reply_build(buf, sizeof(buf), &rp, NULL, &bad),
			 -EINVAL);
	rq.nai = NULL;
	assert_int_equal(reg_request_build(buf, sizeof(buf), &rq, NULL, NULL),
			 -EINVAL);
	rp.nai_len = 1;
	assert_int_equal(reg_reply_build(buf, sizeof(buf), &rp, NULL, NULL),
			 -EINVAL);
	assert_int_equal(reg_request_build(buf, sizeof(buf), NULL, NULL, NULL),
			 -EINVAL);
}

/*
 * Garbage: random messages (with a request or reply type byte, so the
 * extension walk runs) of random lengths, in exact-size buffers. Whatever
 * parses must point inside the buffer.
 */
static void check_ext_inside(const uint8_t *buf, size_t len,
			     const struct reg_auth_ext *a, bool has)
{
	if (!has)
		return;
	assert_true(a->covered_len <= len);
	assert_ptr_equal(a->auth, buf + a->covered_len);
	assert_true(a->covered_len + a->auth_len <= len);
}

static void test_garbage(void **state)
{
	unsigned int seed = 12345, i, ok = 0, bad = 0, drop = 0;
	struct reg_request r;
	struct reg_reply p;

	(void)state;
	for (i = 0; i < 20000; i++) {
		size_t len = (size_t)(rand_r(&seed) % 120), j;
		uint8_t *buf = malloc(len ? len : 1);
		int err;

		assert_non_null(buf);
		for (j = 0; j < len; j++) {
			int v = rand_r(&seed);

			/* bias towards types we know, to go deeper */
			buf[j] = (v & 0x300) ? (uint8_t)v :
					       (uint8_t[]){ 32, 33, 34,
							    131 }[(v >> 4) & 3];
		}
		if (len)
			buf[0] = i & 1 ? REG_TYPE_REPLY : REG_TYPE_REQUEST;
		if (i & 1) {
			err = reg_reply_parse(buf, len, &p);
			if (!err) {
				check_ext_inside(buf, len, &p.mn_ha,
						 p.has_mn_ha);
				check_ext_inside(buf, len, &p.fa_ha,
						 p.has_fa_ha);
				check_ext_inside(buf, len, &p.mn_fa,
						 p.has_mn_fa);
			}
		} else {
			err = reg_request_parse(buf, len, &r);
			if (!err) {
				check_ext_inside(buf, len, &r.mn_ha,
						 r.has_mn_ha);
				check_ext_inside(buf, len, &r.fa_ha,
						 r.has_fa_ha);
				check_ext_inside(buf, len, &r.mn_fa,
						 r.has_mn_fa);
				if (r.nai)
					assert_true(r.nai + r.nai_len <=
						    buf + len);
			}
		}
		if (err == 0)
			ok++;
		else if (err == -EBADMSG)
			bad++;
		else if (err == -EPROTO)
			drop++;
		else
			fail_msg("unexpected %d", err);
		free(buf);
	}
	/* all three outcomes are exercised */
	assert_true(ok > 100 && bad > 100 && drop > 100);
}

/*
 * A whole exchange as mipha-mn and the home agent run it, with the codec
 * and replay.c on both sides: the HA side parses, authenticates, checks
 * replay and answers; the MN side parses and authenticates the answer and
 * matches it to its request by the low 32 bits of the Identification.
 */
#define WIN_S	7
#define SEC_NTP (1ULL << 32)
#define T0	(3913056000ULL << 32) /* an NTP time */

struct exchange {
	uint8_t rrq[512], rrp[512];
	ssize_t rrq_len, rrp_len;
	struct reg_request req; /* as the HA parsed it */
	struct reg_reply rep;	/* as the MN parsed it */
};

/* HA side: returns the code it answered with. */
static uint8_t ha_answer(struct exchange *x, enum replay_method m,
			 struct replay_state *st, uint64_t now, uint32_t nonce,
			 struct in_addr assign)
{
	struct reg_reply out = { 0 };
	int code;

	assert_int_equal(reg_request_parse(x->rrq, (size_t)x->rrq_len, &x->req),
			 0);
	assert_true(x->req.has_mn_ha);
	assert_true(reg_auth_ext_verify(x->rrq, &x->req.mn_ha, &mn_key));
	if (x->req.has_fa_ha)
		assert_true(
			reg_auth_ext_verify(x->rrq, &x->req.fa_ha, &fa_key));
	code = replay_check(m, WIN_S, st, x->req.id, now);
	if (code)
		replay_reject(m, st, nonce);
	else
		replay_accept(m, st, x->req.id, nonce);
	out.code = (uint8_t)code;
	out.lifetime = code ? 0 : x->req.lifetime;
	out.home_addr = x->req.home_addr.s_addr ? x->req.home_addr : assign;
	out.ha_addr = x->req.ha_addr;
	out.id = replay_reply_id(m, st, x->req.id, now, code != 0);
	if (reg_request_covered(&x->req, &x->req.mn_ha) & REG_EXTB_NAI) {
		out.nai = x->req.nai;
		out.nai_len = x->req.nai_len;
	}
	x->rrp_len = reg_reply_build(x->rrp, sizeof(x->rrp), &out, &mn_key,
				     x->req.has_fa_ha ? &fa_key : NULL);
	assert_true(x->rrp_len > 0);
	return (uint8_t)code;
}

/* MN side: sends req, parses and authenticates what comes back. */
static void mn_send(struct exchange *x, const struct reg_request *r,
		    bool via_fa)
{
	x->rrq_len = reg_request_build(x->rrq, sizeof(x->rrq), r, &mn_key,
				       via_fa ? &fa_key : NULL);
	assert_true(x->rrq_len > 0);
}

static void mn_receive(struct exchange *x, const struct reg_request *r)
{
	assert_int_equal(reg_reply_parse(x->rrp, (size_t)x->rrp_len, &x->rep),
			 0);
	assert_true(x->rep.has_mn_ha);
	assert_true(reg_auth_ext_verify(x->rrp, &x->rep.mn_ha, &mn_key));
	/* RFC 5944 3.6.2: the low 32 bits match the request */
	assert_int_equal((uint32_t)x->rep.id, (uint32_t)r->id);
}

static void test_exchange_timestamps(void **state)
{
	struct replay_state st = { 0 };
	struct reg_request r = sample_request();
	struct exchange x;
	uint64_t mn_clock;

	(void)state;
	/* NAI, no home address: the HA assigns one (RFC 2794) */
	r.home_addr.s_addr = 0;
	r.id = T0 + 5;
	mn_send(&x, &r, true);
	assert_int_equal(ha_answer(&x, REPLAY_TIMESTAMP, &st, T0, 0,
				   ip("10.1.0.9")),
			 REG_CODE_ACCEPTED);
	mn_receive(&x, &r);
	assert_int_equal(x.rep.code, 0);
	assert_int_equal(x.rep.id, r.id);
	assert_int_equal(x.rep.lifetime, 1800);
	assert_int_equal(x.rep.home_addr.s_addr, ip("10.1.0.9").s_addr);
	assert_true(x.rep.has_fa_ha);
	assert_true(reg_auth_ext_verify(x.rrp, &x.rep.fa_ha, &fa_key));
	assert_int_equal(x.rep.nai_len, strlen(nai));
	assert_memory_equal(x.rep.nai, nai, strlen(nai));

	/* the same request again: replay */
	assert_int_equal(ha_answer(&x, REPLAY_TIMESTAMP, &st, T0 + SEC_NTP, 0,
				   ip("10.1.0.9")),
			 REG_CODE_ID_MISMATCH);

	/* an MN whose clock is 100 s slow is told the HA's time ... */
	mn_clock = T0 + 2 * SEC_NTP - 100 * SEC_NTP;
	r.id = mn_clock | 0x77;
	r.home_addr = ip("10.1.0.9");
	mn_send(&x, &r, false);
	assert_int_equal(ha_answer(&x, REPLAY_TIMESTAMP, &st, T0 + 2 * SEC_NTP,
				   0, ip("0.0.0.0")),
			 REG_CODE_ID_MISMATCH);
	mn_receive(&x, &r);
	assert_int_equal(x.rep.code, REG_CODE_ID_MISMATCH);
	assert_int_equal(x.rep.id >> 32, (T0 + 2 * SEC_NTP) >> 32);
	assert_int_equal(x.rep.lifetime, 0);
	/* ... adopts it, and is accepted */
	r.id = (x.rep.id & ~0xffffffffULL) | 0x78;
	mn_send(&x, &r, false);
	assert_int_equal(ha_answer(&x, REPLAY_TIMESTAMP, &st, T0 + 3 * SEC_NTP,
				   0, ip("0.0.0.0")),
			 REG_CODE_ACCEPTED);
	mn_receive(&x, &r);
	assert_int_equal(x.rep.id, r.id);
	assert_false(x.rep.has_fa_ha);
}

static void test_exchange_nonces(void **state)
{
	struct replay_state st = { 0 };
	struct reg_request r = sample_request(), old;
	struct exchange x;

	(void)state;
	/* first contact: the MN knows no nonce of ours yet */
	r.id = 0x00000000cafe0001ULL;
	mn_send(&x, &r, false);
	assert_int_equal(ha_answer(&x, REPLAY_NONCE, &st, T0, 0x11111111,
				   ip("0.0.0.0")),
			 REG_CODE_ID_MISMATCH);
	mn_receive(&x, &r);
	assert_int_equal(x.rep.id, 0x11111111cafe0001ULL);
	/* with our nonce and a new one of its own: accepted, next nonce */
	r.id = (x.rep.id & ~0xffffffffULL) | 0xcafe0002;
	mn_send(&x, &r, false);
	assert_int_equal(ha_answer(&x, REPLAY_NONCE, &st, T0, 0x22222222,
				   ip("0.0.0.0")),
			 REG_CODE_ACCEPTED);
	mn_receive(&x, &r);
	assert_int_equal(x.rep.id, 0x22222222cafe0002ULL);
	/* a replay of that request is refused (the nonce is spent) */
	old = r;
	mn_send(&x, &old, false);
	assert_int_equal(ha_answer(&x, REPLAY_NONCE, &st, T0, 0x33333333,
				   ip("0.0.0.0")),
			 REG_CODE_ID_MISMATCH);
	mn_receive(&x, &old);
	assert_int_equal(x.rep.id, 0x33333333cafe0002ULL);
	/* the renewal with the latest nonce goes through */
	r.id = 0x33333333cafe0003ULL;
	mn_send(&x, &r, false);
	assert_int_equal(ha_answer(&x, REPLAY_NONCE, &st, T0, 0x44444444,
				   ip("0.0.0.0")),
			 REG_CODE_ACCEPTED);
}

static void test_code_str(void **state)
{
	(void)state;
	assert_string_equal(reg_code_str(0), "accepted");
	assert_string_equal(reg_code_str(133),
			    "registration identification mismatch");
	assert_string_equal(reg_code_str(134), "poorly formed request");
	assert_string_equal(reg_code_str(136), "unknown home agent address");
	assert_string_equal(reg_code_str(138),
			    "reverse tunnel mandatory and T bit not set");
	assert_string_equal(reg_code_str(139),
			    "requested encapsulation unavailable");
	assert_string_equal(reg_code_str(97), "FA: missing NAI");
	assert_string_equal(reg_code_str(2), "unknown code");
	assert_string_equal(reg_code_str(255), "unknown code");
	assert_true(reg_code_accepted(0) && reg_code_accepted(1));
	assert_false(reg_code_accepted(64) || reg_code_accepted(128));
	/* every HA code has a name */
	for (unsigned int c = 128; c <= 139; c++)
		assert_string_not_equal(reg_code_str((uint8_t)c),
					"unknown code");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_made_request),
		cmocka_unit_test(test_request_round_trip),
		cmocka_unit_test(test_every_flag_survives),
		cmocka_unit_test(test_covered),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_not_a_request),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_unknown_extensions),
		cmocka_unit_test(test_order_and_shape),
		cmocka_unit_test(test_reply_round_trip),
		cmocka_unit_test(test_reply_via_fa),
		cmocka_unit_test(test_build_bounds),
		cmocka_unit_test(test_build_invalid),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_exchange_timestamps),
		cmocka_unit_test(test_exchange_nonces),
		cmocka_unit_test(test_code_str),
	};

	return cmocka_run_group_tests_name("reg_msg", tests, NULL, NULL) ? 1 :
									   0;
}

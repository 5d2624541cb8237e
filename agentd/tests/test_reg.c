// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the home agent's registration decision (reg_decide(), every
 * reply code path), of the agent cookie codec, and of the registration
 * pipeline (a request parked while its address is being allocated). The configuration is a
 * fake struct reg_env; requests are built with the codec and signed with
 * real keys, so authentication is exercised for real.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <linux/mipha.h>

#include "binding_store.h"
#include "kernel_adapter.h"
#include "loop.h"
#include "reg.h"
#include "reg_pipeline.h"

static struct in_addr ip(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* ---- a fake configuration --------------------------------------------- */

#define HA	"10.0.0.1"
#define VNET_HA "10.0.0.2"
#define FA	"30.0.0.1"
#define COA	"40.0.0.7"
#define NOW_NTP (((uint64_t)3900000000U) << 32)
#define NONCE	0x5eed1234U

static const struct auth_key key_hmac = {
	.spi = 100,
	.algo = AUTH_HMAC_MD5,
	.key = "0123456789abcdef",
	.key_len = 16,
};
static const struct auth_key key_ps = {
	.spi = 200,
	.algo = AUTH_PREFIX_SUFFIX_MD5,
	.key = "prefixsuffixkey!",
	.key_len = 16,
};
static const struct auth_key key_nonce = {
	.spi = 300,
	.algo = AUTH_HMAC_MD5,
	.key = "nonce-key-012345",
	.key_len = 16,
};
static const struct auth_key key_fa = {
	.spi = 500,
	.algo = AUTH_HMAC_MD5,
	.key = "fa-ha-secret-key",
	.key_len = 16,
};
/* The same FA's second key (a rollover: both valid for a while). */
static const struct auth_key key_fa2 = {
	.spi = 501,
	.algo = AUTH_HMAC_MD5,
	.key = "fa-ha-new-secret",
	.key_len = 16,
};
static const struct auth_key key_wrong = {
	.spi = 100,
	.algo = AUTH_HMAC_MD5,
	.key = "0123456789abcdeX",
	.key_len = 16,
};

static bool fake_is_ha(void *ctx, struct in_addr a)
{
	(void)ctx;
	return a.s_addr == ip(HA).s_addr || a.s_addr == ip(VNET_HA).s_addr;
}

static struct in_addr fake_primary(void *ctx)
{
	(void)ctx;
	return ip(HA);
}

/*
 * Hosts: 20.0.0.1-9 on link 3 (anything goes), .10 reverse tunnel
 * required, .11 no reverse tunnel and IPIP only, .12 GRE only; NAI realm
 * @pool.example on a virtual network with pool "p1".
 */
static int fake_host(void *ctx, struct in_addr home, const uint8_t *nai,
		     uint8_t nai_len, struct reg_host *h)
{
	uint32_t a = ntohl(home.s_addr);

	(void)ctx;
	memset(h, 0, sizeof(*h));
	h->lifetime_limit = 3600;
	h->rt = REG_RT_ALLOWED;
	h->encap = REG_ENCAP_ANY;
	if (nai_len) {
		static const char realm[] = "@pool.example";
		size_t rl = sizeof(realm) - 1;

		if (nai_len < rl || strncasecmp((const char *)nai + nai_len - rl, realm, rl))
			return -ENOENT;
		h->pool = "p1";
		h->ha_addr = ip(VNET_HA);
		h->link = 0;
		return 0;
	}
	if (a < ntohl(ip("20.0.0.1").s_addr) ||
	    a > ntohl(ip("20.0.0.12").s_addr))
		return -ENOENT;
	h->home_addr = home;
	h->link = 3;
	if (a == ntohl(ip("20.0.0.10").s_addr))
		h->rt = REG_RT_REQUIRED;
	if (a == ntohl(ip("20.0.0.11").s_addr)) {
		h->rt = REG_RT_OFF;
		h->encap = REG_ENCAP_IPIP;
	}
	if (a == ntohl(ip("20.0.0.12").s_addr))
		h->encap = REG_ENCAP_GRE;
	return 0;
}

static int fake_sa(void *ctx, struct in_addr home, const uint8_t *nai,
		   uint8_t nai_len, uint32_t spi, struct reg_mn_sa *out)
{
	(void)ctx;
	(void)home;
	(void)nai;
	(void)nai_len;
	memset(out, 0, sizeof(*out));
	out->replay = REPLAY_TIMESTAMP;
	out->window_s = 7;
	if (spi == key_hmac.spi)
		out->key = key_hmac;
	else if (spi == key_ps.spi)
		out->key = key_ps;
	else if (spi == key_nonce.spi) {
		out->key = key_nonce;
		out->replay = REPLAY_NONCE;
	} else
		return -ENOENT;
	return 0;
}

static int fake_fa(void *ctx, struct in_addr fa, uint32_t spi,
		   struct auth_key *out)
{
	(void)ctx;
	if (fa.s_addr != ip(FA).s_addr)
		return -ENOENT;
	if (spi == key_fa.spi)
		*out = key_fa;
	else if (spi == key_fa2.spi)
		*out = key_fa2;
	else
		return -ENOKEY;
	return 0;
}

static const struct reg_env env = {
	.is_ha_addr = fake_is_ha,
	.primary_ha_addr = fake_primary,
	.host = fake_host,
	.mn_ha_sa = fake_sa,
	.fa_ha_sa = fake_fa,
};

/* ---- helpers ---------------------------------------------------------- */

struct rq {
	uint8_t buf[512];
	size_t len;
	struct reg_input in;
	struct reg_prior prior;
	struct reg_decision d;
};

static void build(struct rq *q, const char *home, uint8_t flags,
		  uint16_t lifetime, const char *nai,
		  const struct auth_key *mn_ha, const struct auth_key *fa_ha)
{
	struct reg_request req = {
		.flags = flags,
		.lifetime = lifetime,
		.home_addr = ip(home),
		.ha_addr = ip(HA),
		.coa = ip(COA),
		.id = NOW_NTP + 1,
	};
	ssize_t n;

	if (nai) {
		req.nai = (const uint8_t *)nai;
		req.nai_len = (uint8_t)strlen(nai);
	}
	memset(q, 0, sizeof(*q));
	n = reg_request_build(q->buf, sizeof(q->buf), &req, mn_ha, fa_ha);
	assert_true(n > 0);
	q->len = (size_t)n;
	q->in.buf = q->buf;
	q->in.len = q->len;
	q->in.src = ip(COA);
	q->in.dst = ip(HA);
	q->in.now_ntp = NOW_NTP;
	q->in.nonce = NONCE;
}

/* Rebuild with a different fixed part field, keeping the signature valid. */
static void build_id(struct rq *q, const char *home, uint64_t id,
		     const struct auth_key *k)
{
	struct reg_request req = {
		.lifetime = 600,
		.home_addr = ip(home),
		.ha_addr = ip(HA),
		.coa = ip(COA),
		.id = id,
	};
	ssize_t n = reg_request_build(q->buf, sizeof(q->buf), &req, k, NULL);

	assert_true(n > 0);
	q->len = q->in.len = (size_t)n;
}

/* The prior state: mn1@pool.example's binding of 50.0.0.9. */
static void prior_mn1(struct rq *q)
{
	q->prior.bound = true;
	q->prior.home_addr = ip("50.0.0.9");
	q->prior.nai = (const uint8_t *)"mn1@pool.example";
	q->prior.nai_len = 16;
}

static void decide(struct rq *q)
{
	reg_decide(&env, &q->in, &q->prior, &q->d);
}

static void expect(struct rq *q, enum reg_action act, uint8_t code)
{
	decide(q);
	if (q->d.action != act || q->d.code != code)
		fail_msg("action %d code %u (%s), expected action %d code %u",
			 q->d.action, q->d.code, q->d.why ?: "", act, code);
}

/* ---- accepted --------------------------------------------------------- */

static void test_accept(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "20.0.0.1", 0, 600, NULL, &key_hmac, NULL);
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_int_equal(q.d.lifetime, 600);
	assert_int_equal(q.d.home_addr.s_addr, ip("20.0.0.1").s_addr);
	assert_int_equal(q.d.ha_addr.s_addr, ip(HA).s_addr);
	assert_int_equal(q.d.encap, MIPHA_ENCAP_IPIP);
	assert_int_equal(q.d.kflags, 0);
	assert_int_equal(q.d.host.link, 3);
	assert_true(q.d.sign_mn_ha);
	assert_false(q.d.sign_fa_ha);
	assert_false(q.d.need_addr);
	assert_true(q.d.reply_id == NOW_NTP + 1);
	assert_true(q.d.replay.seen);
	assert_true(q.d.replay.last_id == NOW_NTP + 1);
}

static void test_accept_prefix_suffix(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "20.0.0.2", 0, 600, NULL, &key_ps, NULL);
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_int_equal(q.d.sa.key.algo, AUTH_PREFIX_SUFFIX_MD5);
}

static void test_lifetime_limited(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "20.0.0.1", 0, 0xffff, NULL, &key_hmac, NULL);
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_int_equal(q.d.lifetime, 3600);
	build(&q, "20.0.0.1", 0, 3601, NULL, &key_hmac, NULL);
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_int_equal(q.d.lifetime, 3600);
}

static void test_simultaneous(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "20.0.0.1", REG_F_S, 600, NULL, &key_hmac, NULL);
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED_NO_SIMUL);
	assert_int_equal(q.d.lifetime, 600);
}

static void test_flags_granted(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "20.0.0.1", REG_F_G | REG_F_T | REG_F_B | REG_F_D, 600, NULL,
	      &key_hmac, NULL);
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_int_equal(q.d.encap, MIPHA_ENCAP_GRE);
	assert_int_equal(q.d.kflags,
			 MIPHA_F_REVERSE_TUNNEL | MIPHA_F_BROADCAST);
	/* Reserved bits are ignored (RFC 5944 3.3). */
	build(&q, "20.0.0.1", REG_F_R | REG_F_X, 600, NULL, &key_hmac, NULL);
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
}

static void test_broadcast_vnet_ignored(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "0.0.0.0", REG_F_B, 600, "mn1@pool.example", &key_hmac, NULL);
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_int_equal(q.d.kflags, 0);
}

/* ---- deregistration --------------------------------------------------- */

static void test_dereg_lifetime0(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "20.0.0.1", 0, 0, NULL, &key_hmac, NULL);
	expect(&q, REG_ACT_DEREGISTER, REG_CODE_ACCEPTED);
	assert_int_equal(q.d.lifetime, 0);
	assert_true(q.d.sign_mn_ha);
}

static void test_dereg_coa_home(void **state)
{
	struct reg_request req = {
		.lifetime = 600,
		.home_addr = ip("20.0.0.1"),
		.ha_addr = ip(HA),
		.coa = ip("20.0.0.1"),
		.id = NOW_NTP + 1,
	};
	struct rq q;
	ssize_t n;

	(void)state;
	build(&q, "20.0.0.1", 0, 600, NULL, &key_hmac, NULL);
	n = reg_request_build(q.buf, sizeof(q.buf), &req, &key_hmac, NULL);
	assert_true(n > 0);
	q.len = q.in.len = (size_t)n;
	expect(&q, REG_ACT_DEREGISTER, REG_CODE_ACCEPTED);
	assert_int_equal(q.d.lifetime, 0);
}

static void test_dereg_dynamic_keeps_address(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "0.0.0.0", 0, 0, "mn1@pool.example", &key_hmac, NULL);
	prior_mn1(&q);
	expect(&q, REG_ACT_DEREGISTER, REG_CODE_ACCEPTED);
	assert_int_equal(q.d.home_addr.s_addr, ip("50.0.0.9").s_addr);
	assert_false(q.d.need_addr);
}

/* ---- dynamic addresses ------------------------------------------------ */

static void test_nai_pool(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "0.0.0.0", 0, 600, "mn1@pool.example", &key_hmac, NULL);
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_true(q.d.need_addr);
	assert_string_equal(q.d.host.pool, "p1");
	assert_int_equal(q.d.ha_addr.s_addr, ip(VNET_HA).s_addr);
	assert_int_equal(q.d.host.link, 0);
	/* Re-registration: the NAI keeps its address. */
	build(&q, "0.0.0.0", 0, 600, "mn1@pool.example", &key_hmac, NULL);
	prior_mn1(&q);
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_false(q.d.need_addr);
	assert_int_equal(q.d.home_addr.s_addr, ip("50.0.0.9").s_addr);
}

static void test_home_zero_without_nai(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "0.0.0.0", 0, 600, NULL, &key_hmac, NULL);
	expect(&q, REG_ACT_DENY, REG_CODE_POORLY_FORMED);
}

/* ---- denials ---------------------------------------------------------- */

static void test_poorly_formed(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "20.0.0.1", 0, 600, NULL, &key_hmac, NULL);
	/* The MN-HA extension claims more bytes than there are. */
	q.buf[REG_REQUEST_LEN + 1] = 200;
	expect(&q, REG_ACT_DENY, REG_CODE_POORLY_FORMED);
	assert_false(q.d.sign_mn_ha);
	assert_int_equal(q.d.home_addr.s_addr, ip("20.0.0.1").s_addr);
	assert_true(q.d.reply_id == NOW_NTP + 1);
}

static void test_discard(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "20.0.0.1", 0, 600, NULL, &key_hmac, NULL);
	q.in.len = REG_REQUEST_LEN - 1; /* shorter than the fixed part */
	expect(&q, REG_ACT_DISCARD, 0);
	build(&q, "20.0.0.1", 0, 600, NULL, &key_hmac, NULL);
	q.buf[0] = REG_TYPE_REPLY;
	expect(&q, REG_ACT_DISCARD, 0);
	/* An unknown non-skippable extension: the whole message goes. */
	build(&q, "20.0.0.1", 0, 600, NULL, &key_hmac, NULL);
	q.buf[REG_REQUEST_LEN] = 99;
	expect(&q, REG_ACT_DISCARD, 0);
}

static void test_mn_auth(void **state)
{
	struct rq q;

	(void)state;
	/* No MN-HA extension at all. */
	build(&q, "20.0.0.1", 0, 600, NULL, NULL, NULL);
	expect(&q, REG_ACT_DENY, REG_CODE_MN_AUTH);
	assert_false(q.d.sign_mn_ha);
	/* Unknown SPI. */
	build(&q, "20.0.0.1", 0, 600, NULL,
	      &(struct auth_key){ .spi = 999, .key = "x", .key_len = 1 }, NULL);
	expect(&q, REG_ACT_DENY, REG_CODE_MN_AUTH);
	/* Wrong key. */
	build(&q, "20.0.0.1", 0, 600, NULL, &key_wrong, NULL);
	expect(&q, REG_ACT_DENY, REG_CODE_MN_AUTH);
	assert_false(q.d.sign_mn_ha);
	/* A byte changed after signing. */
	build(&q, "20.0.0.1", 0, 600, NULL, &key_hmac, NULL);
	q.buf[3] ^= 1;
	expect(&q, REG_ACT_DENY, REG_CODE_MN_AUTH);
	assert_int_equal(q.d.lifetime, 0);
}

static void test_fa_auth(void **state)
{
	struct rq q;

	(void)state;
	/* Through an FA we share an SA with, without FA-HA: 132. */
	build(&q, "20.0.0.1", 0, 600, NULL, &key_hmac, NULL);
	q.in.src = ip(FA);
	expect(&q, REG_ACT_DENY, REG_CODE_FA_AUTH);
	assert_true(q.d.sign_mn_ha);
	/* With a wrong FA-HA key: 132. */
	build(&q, "20.0.0.1", 0, 600, NULL, &key_hmac,
	      &(struct auth_key){ .spi = 500, .key = "nope", .key_len = 4 });
	q.in.src = ip(FA);
	expect(&q, REG_ACT_DENY, REG_CODE_FA_AUTH);
	/* Right key: accepted, reply signed for the FA too. */
	build(&q, "20.0.0.1", 0, 600, NULL, &key_hmac, &key_fa);
	q.in.src = ip(FA);
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_true(q.d.sign_fa_ha);
	/* Its second key (rollover): found by the request's SPI. */
	build(&q, "20.0.0.1", 0, 600, NULL, &key_hmac, &key_fa2);
	q.in.src = ip(FA);
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_true(q.d.sign_fa_ha);
	assert_int_equal(q.d.fa_key.spi, key_fa2.spi);
	/* An SPI the FA has no SA with: 132. */
	build(&q, "20.0.0.1", 0, 600, NULL, &key_hmac,
	      &(struct auth_key){ .spi = 502,
				  .algo = AUTH_HMAC_MD5,
				  .key = "fa-ha-new-secret",
				  .key_len = 16 });
	q.in.src = ip(FA);
	expect(&q, REG_ACT_DENY, REG_CODE_FA_AUTH);
	/* An FA-HA extension from an FA we have no SA with is ignored. */
	build(&q, "20.0.0.1", 0, 600, NULL, &key_hmac, &key_fa);
	q.in.src = ip("30.0.0.99");
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_false(q.d.sign_fa_ha);
}

static void test_replay_timestamp(void **state)
{
	struct rq q;
	uint64_t old = NOW_NTP - (20ULL << 32);

	(void)state;
	/* 20 s old: outside the 7 s window. Reply carries our time. */
	build(&q, "20.0.0.1", 0, 600, NULL, &key_hmac, NULL);
	build_id(&q, "20.0.0.1", old | 0xabcd, &key_hmac);
	expect(&q, REG_ACT_DENY, REG_CODE_ID_MISMATCH);
	assert_true(q.d.sign_mn_ha);
	assert_int_equal(q.d.reply_id >> 32, NOW_NTP >> 32);
	assert_int_equal((uint32_t)q.d.reply_id, 0xabcd);
	/* The same identification again: a replay. */
	build(&q, "20.0.0.1", 0, 600, NULL, &key_hmac, NULL);
	q.prior.replay.seen = true;
	q.prior.replay.last_id = NOW_NTP + 1;
	expect(&q, REG_ACT_DENY, REG_CODE_ID_MISMATCH);
	/* A newer one passes. */
	build_id(&q, "20.0.0.1", NOW_NTP + 2, &key_hmac);
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_true(q.d.replay.last_id == NOW_NTP + 2);
}

static void test_replay_nonce(void **state)
{
	struct rq q;
	uint64_t id;

	(void)state;
	/* First contact: 133, and the reply hands out our nonce. */
	build(&q, "20.0.0.1", 0, 600, NULL, &key_nonce, NULL);
	build_id(&q, "20.0.0.1", 0x11111111deadbeefULL, &key_nonce);
	expect(&q, REG_ACT_DENY, REG_CODE_ID_MISMATCH);
	assert_int_equal(q.d.reply_id >> 32, NONCE);
	assert_int_equal((uint32_t)q.d.reply_id, 0xdeadbeef);
	assert_true(q.d.replay.has_nonce);
	/* The node uses it: accepted, and a new nonce comes back. */
	q.prior.replay = q.d.replay;
	id = (uint64_t)NONCE << 32 | 0xcafe;
	build_id(&q, "20.0.0.1", id, &key_nonce);
	q.in.nonce = 0x77777777;
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_int_equal(q.d.reply_id >> 32, 0x77777777);
	assert_int_equal(q.d.replay.ha_nonce, 0x77777777);
}

static void test_unknown_ha(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "20.0.0.1", 0, 600, NULL, &key_hmac, NULL);
	q.in.dst = ip("10.9.9.9");
	expect(&q, REG_ACT_DENY, REG_CODE_UNKNOWN_HA);
	assert_int_equal(q.d.ha_addr.s_addr, ip(HA).s_addr);
	assert_true(q.d.sign_mn_ha);
}

static void test_unknown_host(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "20.0.0.99", 0, 600, NULL, &key_hmac, NULL);
	expect(&q, REG_ACT_DENY, REG_CODE_PROHIBITED);
	build(&q, "0.0.0.0", 0, 600, "mn@other.example", &key_hmac, NULL);
	expect(&q, REG_ACT_DENY, REG_CODE_PROHIBITED);
}

static void test_encap(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "20.0.0.1", REG_F_M, 600, NULL, &key_hmac, NULL);
	expect(&q, REG_ACT_DENY, REG_CODE_ENCAP_UNAVAIL);
	build(&q, "20.0.0.11", REG_F_G, 600, NULL, &key_hmac, NULL);
	expect(&q, REG_ACT_DENY, REG_CODE_ENCAP_UNAVAIL);
	build(&q, "20.0.0.12", 0, 600, NULL, &key_hmac, NULL);
	expect(&q, REG_ACT_DENY, REG_CODE_ENCAP_UNAVAIL);
	build(&q, "20.0.0.12", REG_F_G, 600, NULL, &key_hmac, NULL);
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_int_equal(q.d.encap, MIPHA_ENCAP_GRE);
}

static void test_reverse_tunnel(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "20.0.0.11", REG_F_T, 600, NULL, &key_hmac, NULL);
	expect(&q, REG_ACT_DENY, REG_CODE_RT_UNAVAIL);
	build(&q, "20.0.0.10", 0, 600, NULL, &key_hmac, NULL);
	expect(&q, REG_ACT_DENY, REG_CODE_RT_MANDATORY);
	build(&q, "20.0.0.10", REG_F_T, 600, NULL, &key_hmac, NULL);
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_int_equal(q.d.kflags, MIPHA_F_REVERSE_TUNNEL);
}

/* A denial after authentication does not move the timestamp mark. */
static void test_denial_keeps_replay(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "20.0.0.11", REG_F_T, 600, NULL, &key_hmac, NULL);
	expect(&q, REG_ACT_DENY, REG_CODE_RT_UNAVAIL);
	assert_false(q.d.replay.seen);
	assert_true(q.d.reply_id == NOW_NTP + 1);
}

/* ---- identity: nothing of another node's binding ----------------------- */

/*
 * A binding of another identity given as prior state (a caller's lookup by
 * the wrong key): nothing is decided on it - neither its address taken nor
 * its replay state used - the request is discarded (fail closed).
 */
static void test_prior_of_other_identity(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "0.0.0.0", 0, 600, "eve@pool.example", &key_hmac, NULL);
	prior_mn1(&q);
	expect(&q, REG_ACT_DISCARD, 0);
	assert_false(q.d.prior_own);
	build(&q, "50.0.0.9", 0, 0, "eve@pool.example", &key_hmac, NULL);
	prior_mn1(&q);
	expect(&q, REG_ACT_DISCARD, 0);
	/* an address request and another address's binding */
	build(&q, "20.0.0.2", 0, 600, NULL, &key_hmac, NULL);
	q.prior.bound = true;
	q.prior.home_addr = ip("20.0.0.3");
	q.prior.replay.seen = true;
	q.prior.replay.last_id = NOW_NTP + 5;
	expect(&q, REG_ACT_DISCARD, 0);
	/* an address request and an NAI's binding of that address */
	q.prior.home_addr = ip("20.0.0.2");
	q.prior.nai = (const uint8_t *)"mn1@pool.example";
	q.prior.nai_len = 16;
	expect(&q, REG_ACT_DISCARD, 0);
	/* the node's own binding: its replay state applies (133) */
	q.prior.nai = NULL;
	q.prior.nai_len = 0;
	expect(&q, REG_ACT_DENY, REG_CODE_ID_MISMATCH);
	assert_true(q.d.prior_own);
}

/* One identity whatever the case of the realm: her own binding. */
static void test_prior_realm_case(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "0.0.0.0", 0, 600, "mn1@POOL.example", &key_hmac, NULL);
	prior_mn1(&q);
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_true(q.d.prior_own);
	assert_int_equal(q.d.home_addr.s_addr, ip("50.0.0.9").s_addr);
	/* the user part is case-sensitive: MN1 is someone else */
	build(&q, "0.0.0.0", 0, 600, "MN1@pool.example", &key_hmac, NULL);
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_false(q.d.prior_own);
	assert_true(q.d.need_addr);
}

/* An NAI that is not printable ASCII: 134, never echoed nor stored. */
static void test_malformed_nai(void **state)
{
	static const char *bad[] = { "mn\x1b[2J@pool.example", "mn @pool.example",
				     "mn\x7f@pool.example", "mn\xc3\xa9@pool.example" };
	struct rq q;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		build(&q, "0.0.0.0", 0, 600, bad[i], &key_hmac, NULL);
		expect(&q, REG_ACT_DENY, REG_CODE_POORLY_FORMED);
		assert_false(q.d.parsed);
		assert_false(q.d.sign_mn_ha);
	}
	assert_true(reg_nai_valid((const uint8_t *)"a@b", 3));
	assert_false(reg_nai_valid((const uint8_t *)"", 0));
}

/* The random source failed: a nonce SA's request gets no answer. */
static void test_no_nonce_fails_closed(void **state)
{
	struct rq q;

	(void)state;
	build(&q, "20.0.0.1", 0, 600, NULL, &key_nonce, NULL);
	q.in.no_nonce = true;
	expect(&q, REG_ACT_DISCARD, 0);
	/* Timestamps need no nonce. */
	build(&q, "20.0.0.1", 0, 600, NULL, &key_hmac, NULL);
	q.in.no_nonce = true;
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
}

/* ---- cookie ----------------------------------------------------------- */

static void sample_cookie(struct reg_cookie *c)
{
	memset(c, 0, sizeof(*c));
	c->req_flags = REG_F_G | REG_F_T;
	c->replay_method = REPLAY_NONCE;
	c->replay.seen = true;
	c->replay.has_nonce = true;
	c->replay.last_id = 0x0123456789abcdefULL;
	c->replay.ha_nonce = 0xfeedf00d;
	c->spi = 0x10000101;
	c->granted = 36000;
	c->reg_time_ms = 1763900000123ULL;
	c->src = ip(FA);
	c->nai_len = 16;
	memcpy(c->nai, "mn1@pool.example", 16);
	c->pool_len = 2;
	memcpy(c->pool, "p1", 3);
}

static void test_cookie_roundtrip(void **state)
{
	uint8_t buf[REG_COOKIE_MAX];
	struct reg_cookie c, d;
	int n;

	(void)state;
	sample_cookie(&c);
	n = reg_cookie_encode(&c, buf, sizeof(buf));
	assert_int_equal(n, REG_COOKIE_HDR + 16 + 2);
	assert_true(n <= MIPHA_COOKIE_MAX);
	assert_int_equal(buf[0], REG_COOKIE_VERSION);
	assert_int_equal(reg_cookie_decode(buf, (size_t)n, &d), 0);
	assert_int_equal(d.req_flags, c.req_flags);
	assert_int_equal(d.replay_method, REPLAY_NONCE);
	assert_true(d.replay.seen && d.replay.has_nonce);
	assert_true(d.replay.last_id == c.replay.last_id);
	assert_int_equal(d.replay.ha_nonce, c.replay.ha_nonce);
	assert_int_equal(d.spi, c.spi);
	assert_int_equal(d.granted, 36000);
	assert_true(d.reg_time_ms == c.reg_time_ms);
	assert_int_equal(d.src.s_addr, c.src.s_addr);
	assert_int_equal(d.nai_len, 16);
	assert_memory_equal(d.nai, "mn1@pool.example", 16);
	assert_string_equal(d.pool, "p1");
	/* Big endian on the wire, whatever the host. */
	assert_int_equal(buf[12], 0);
	assert_int_equal(buf[13], 0);
	assert_int_equal(buf[14], 0x8c);
	assert_int_equal(buf[15], 0xa0);
}

static void test_cookie_longest(void **state)
{
	uint8_t buf[REG_COOKIE_MAX];
	struct reg_cookie c, d;
	int n;

	(void)state;
	sample_cookie(&c);
	c.nai_len = 255;
	memset(c.nai, 'n', 255);
	c.pool_len = REG_POOL_NAME_MAX;
	memset(c.pool, 'p', REG_POOL_NAME_MAX);
	c.pool[REG_POOL_NAME_MAX] = '\0';
	n = reg_cookie_encode(&c, buf, sizeof(buf));
	assert_int_equal(n, REG_COOKIE_MAX);
	assert_true(REG_COOKIE_MAX <= MIPHA_COOKIE_MAX);
	assert_int_equal(reg_cookie_decode(buf, (size_t)n, &d), 0);
	assert_int_equal(strlen(d.pool), REG_POOL_NAME_MAX);
	assert_int_equal(reg_cookie_encode(&c, buf, (size_t)n - 1), -ENOSPC);
	c.pool_len = REG_POOL_NAME_MAX + 1;
	assert_int_equal(reg_cookie_encode(&c, buf, sizeof(buf)), -EINVAL);
}

static void test_cookie_bad(void **state)
{
	uint8_t buf[REG_COOKIE_MAX], bad[REG_COOKIE_MAX];
	struct reg_cookie c, d;
	size_t n, i;

	(void)state;
	sample_cookie(&c);
	n = (size_t)reg_cookie_encode(&c, buf, sizeof(buf));
	assert_int_equal(reg_cookie_decode(buf, 0, &d), -EBADMSG);
	/* Every truncation and one byte too many. */
	for (i = 1; i < n; i++)
		assert_int_equal(reg_cookie_decode(buf, i, &d), -EBADMSG);
	memcpy(bad, buf, n);
	bad[n] = 0;
	assert_int_equal(reg_cookie_decode(bad, n + 1, &d), -EBADMSG);
	/* Another version is not ours. */
	memcpy(bad, buf, n);
	bad[0] = 2;
	assert_int_equal(reg_cookie_decode(bad, n, &d), -EPROTONOSUPPORT);
	bad[0] = 0;
	assert_int_equal(reg_cookie_decode(bad, n, &d), -EPROTONOSUPPORT);
	/* Reserved bytes, unknown replay bits or method. */
	memcpy(bad, buf, n);
	bad[6] = 1;
	assert_int_equal(reg_cookie_decode(bad, n, &d), -EBADMSG);
	memcpy(bad, buf, n);
	bad[2] |= 0x40;
	assert_int_equal(reg_cookie_decode(bad, n, &d), -EBADMSG);
	memcpy(bad, buf, n);
	bad[2] = (bad[2] & ~0x0f) | 7;
	assert_int_equal(reg_cookie_decode(bad, n, &d), -EBADMSG);
	/* Lengths that do not add up. */
	memcpy(bad, buf, n);
	bad[3]++;
	assert_int_equal(reg_cookie_decode(bad, n, &d), -EBADMSG);
	memcpy(bad, buf, n);
	bad[4] = REG_POOL_NAME_MAX + 1;
	assert_int_equal(reg_cookie_decode(bad, n, &d), -EBADMSG);
	/* A NUL inside the pool name. */
	memcpy(bad, buf, n);
	bad[n - 1] = '\0';
	assert_int_equal(reg_cookie_decode(bad, n, &d), -EBADMSG);
	/* Garbage of every length never crashes and never decodes wrongly. */
	for (i = 0; i < sizeof(bad); i++)
		bad[i] = (uint8_t)(i * 37 + 11);
	for (i = 0; i <= sizeof(bad); i++)
		reg_cookie_decode(bad, i, &d);
}

/* A request the caller parsed already decides as if reg_decide() had. */
static void test_parsed_once(void **state)
{
	struct reg_request pre;
	struct rq q, q2;

	(void)state;
	build(&q, "0.0.0.0", 0, 600, "mn1@pool.example", &key_hmac, NULL);
	q2 = q;
	q2.in.buf = q2.buf;
	assert_int_equal(reg_request_parse(q2.buf, q2.len, &pre), 0);
	q2.in.req = &pre;
	expect(&q, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	expect(&q2, REG_ACT_REGISTER, REG_CODE_ACCEPTED);
	assert_int_equal(q2.d.reply_id, q.d.reply_id);
	assert_true(q2.d.need_addr);
	assert_int_equal(q2.d.req.nai_len, 16);
	assert_memory_equal(q2.d.req.nai, "mn1@pool.example", 16);
}

/* ---- the pipeline ------------------------------------------------------ */

/* A kernel that makes every change: one batch per flush, counted. */
struct pipe_kernel {
	unsigned int sends, msgs;
};

static int pk_batch_send(void *ctx, struct kernel_batch *batch,
			 kernel_batch_err_cb cb, void *data)
{
	struct pipe_kernel *k = ctx;

	(void)cb;
	(void)data;
	k->sends++;
	k->msgs += kernel_batch_count(batch);
	return 0;
}

static int pk_get(void *ctx, struct in_addr home, kernel_binding_cb cb,
		  void *data)
{
	(void)ctx;
	(void)home;
	(void)cb;
	(void)data;
	return -ENOENT;
}

static int pk_dump(void *ctx, const struct kernel_dump_ops *ops, void *data)
{
	(void)ctx;
	(void)ops;
	(void)data;
	return 0;
}

static const struct kadapter_io pk_io = {
	.batch_send = pk_batch_send,
	.get = pk_get,
	.dump = pk_dump,
};

/* An allocator that must ask someone else (as IPSP asks its primary). */
struct later_alloc {
	struct reg_txn *waiting;
	unsigned int waits, releases;
};

static int la_alloc(void *ctx, struct reg_txn *t, struct in_addr *out)
{
	(void)ctx;
	(void)t;
	(void)out;
	return -EINPROGRESS;
}

static int la_wait(void *ctx, struct reg_txn *t)
{
	struct later_alloc *a = ctx;

	assert_string_equal(t->d.host.pool, "p1");
	a->waiting = t;
	a->waits++;
	return 0;
}

static void la_release(void *ctx, struct in_addr addr)
{
	struct later_alloc *a = ctx;

	(void)addr;
	a->releases++;
}

static void la_cancel(void *ctx, struct reg_txn *t)
{
	struct later_alloc *a = ctx;

	if (a->waiting == t)
		a->waiting = NULL;
}

static const struct reg_allocator_ops la_ops = {
	.alloc = la_alloc,
	.wait = la_wait,
	.release = la_release,
	.cancel = la_cancel,
};

/* What the pipeline handed back. */
struct pipe_out {
	unsigned int replies, resumed;
	uint8_t code;
	struct in_addr home;
	char nai[64];
};

static void po_prepare(void *ctx, struct reg_txn *t)
{
	(void)ctx;
	t->in.now_ntp = NOW_NTP;
	t->now_unix_ms = 1000;
	t->now_mono_ms = 1000;
}

static void po_reply(void *ctx, struct reg_txn *t)
{
	struct pipe_out *o = ctx;

	o->replies++;
	o->code = t->d.code;
	o->home = t->d.home_addr;
	snprintf(o->nai, sizeof(o->nai), "%.*s",
		 t->d.parsed && t->d.req.nai ? t->d.req.nai_len : 0,
		 t->d.parsed && t->d.req.nai ? (const char *)t->d.req.nai : "");
}

static void po_resumed(void *ctx, struct reg_txn *t)
{
	struct pipe_out *o = ctx;

	(void)t;
	o->resumed++;
}

static const struct reg_pipeline_ops po_ops = {
	.prepare = po_prepare,
	.reply = po_reply,
	.resumed = po_resumed,
};

struct pipe_fix {
	struct loop *l;
	struct binding_store *store;
	struct kadapter *ka;
	struct pipe_kernel k;
	struct later_alloc la;
	struct pipe_out out;
	struct reg_stats stats;
	struct reg_pipeline p;
};

static int pipe_setup(void **state)
{
	struct pipe_fix *f = calloc(1, sizeof(*f));
	struct reg_allocator alloc = { &la_ops, NULL };

	assert_non_null(f);
	alloc.ctx = &f->la;
	assert_int_equal(loop_new(&f->l), 0);
	assert_int_equal(binding_store_new(&f->store, f->l, NULL, 16, NULL,
					   NULL),
			 0);
	f->ka = kadapter_new_io(&pk_io, &f->k,
				kernel_batch_alloc(0x1234, 65536, 64), f->l);
	assert_non_null(f->ka);
	reg_pipeline_init(&f->p, &env, f->store, f->ka, &alloc, &f->stats,
			  &po_ops, &f->out);
	*state = f;
	return 0;
}

static int pipe_teardown(void **state)
{
	struct pipe_fix *f = *state;

	reg_pipeline_fini(&f->p);
	kadapter_free(f->ka);
	binding_store_free(f->store);
	loop_free(f->l);
	free(f);
	return 0;
}

/* One request through the pipeline, as reg.c's burst hands it over. */
static void pipe_request(struct pipe_fix *f, struct reg_txn *t, struct rq *q)
{
	memset(t, 0, sizeof(*t));
	t->from.sin_family = AF_INET;
	t->from.sin_addr = q->in.src;
	t->dst = q->in.dst;
	t->in = q->in;
	t->now_unix_ms = 1000;
	t->now_mono_ms = 1000;
	reg_pipeline_request(&f->p, t);
}

/*
 * A request for a pool address waits while the allocator asks; the burst
 * it came in goes on (its slot is reused); the answer completes it: the
 * kernel install, the binding, the reply.
 */
static void test_pipeline_parked_completes(void **state)
{
	struct pipe_fix *f = *state;
	const struct reg_binding *b;
	struct reg_txn slot, other;
	struct rq q;

	build(&q, "0.0.0.0", 0, 600, "mn1@pool.example", &key_hmac, NULL);
	pipe_request(f, &slot, &q);
	reg_pipeline_flush(&f->p);
	assert_int_equal(f->out.replies, 0);
	assert_int_equal(f->la.waits, 1);
	assert_int_equal(reg_pipeline_parked(&f->p), 1);
	assert_non_null(f->la.waiting);
	assert_ptr_not_equal(f->la.waiting, &slot);
	assert_int_equal(binding_store_count(f->store), 0);
	assert_int_equal(f->k.msgs, 0);

	/* the burst's buffers are reused; a retransmission is dropped */
	memset(&slot, 0xa5, sizeof(slot));
	memset(q.buf, 0, sizeof(q.buf));
	build(&q, "0.0.0.0", 0, 600, "mn1@pool.example", &key_hmac, NULL);
	pipe_request(f, &other, &q);
	memset(q.buf, 0, sizeof(q.buf));
	assert_int_equal(f->out.replies, 0);
	assert_int_equal(f->la.waits, 1);
	assert_int_equal(f->stats.discarded, 1);

	/* the allocator answers, later, from the loop */
	reg_pipeline_alloc_done(f->la.waiting, 0, ip("50.0.0.20"));
	assert_int_equal(f->out.replies, 1);
	assert_int_equal(f->out.resumed, 1);
	assert_int_equal(f->out.code, REG_CODE_ACCEPTED);
	assert_int_equal(f->out.home.s_addr, ip("50.0.0.20").s_addr);
	assert_string_equal(f->out.nai, "mn1@pool.example");
	assert_int_equal(f->k.sends, 1);
	assert_int_equal(f->k.msgs, 1);
	assert_int_equal(f->stats.registrations, 1);
	assert_int_equal(reg_pipeline_parked(&f->p), 0);
	b = binding_store_find_nai(f->store, (const uint8_t *)"mn1@pool.example",
				   16);
	assert_non_null(b);
	assert_int_equal(b->home_addr.s_addr, ip("50.0.0.20").s_addr);
	assert_int_equal(b->coa.s_addr, ip(COA).s_addr);
	assert_string_equal(b->pool, "p1");
}

/* A queued delete whose completion removes a binding from the store. */
struct queued_del {
	struct binding_store *store;
	struct in_addr home;
	unsigned int done;
};

static void queued_del_done(void *ctx, const struct kadapter_result *res)
{
	struct queued_del *q = ctx;

	(void)res;
	q->done++;
	binding_store_remove(q->store, q->home, BINDING_CAUSE_EXPIRED, 0);
}

/*
 * While a request waits, the node's binding appears (recovered) and its
 * expiry's delete is queued. The answer finishes that delete first, then
 * decides on what is left: the delete's completion cannot free the binding
 * the resumed request holds (ASAN), nor follow its install to the kernel.
 */
static void test_pipeline_resume_after_queued(void **state)
{
	struct pipe_fix *f = *state;
	struct binding_rec rec = {
		.home_addr = ip("50.0.0.9"),
		.coa = ip(COA),
		.origin = BINDING_ORIGIN_RECOVERY,
		.nai = (const uint8_t *)"mn1@pool.example",
		.nai_len = 16,
	};
	struct queued_del qd = { f->store, ip("50.0.0.9"), 0 };
	struct kernel_binding kb = { .home_addr = ip("50.0.0.9") };
	const struct reg_binding *b;
	struct reg_txn slot;
	struct rq q;

	build(&q, "0.0.0.0", 0, 600, "mn1@pool.example", &key_hmac, NULL);
	pipe_request(f, &slot, &q);
	assert_int_equal(reg_pipeline_parked(&f->p), 1);
	assert_int_equal(binding_store_upsert(f->store, &rec,
					      BINDING_CAUSE_RECOVERED),
			 0);
	assert_int_equal(kadapter_submit(f->ka, KERNEL_OP_DEL, &kb,
					 queued_del_done, &qd),
			 0);
	reg_pipeline_alloc_done(f->la.waiting, 0, ip("50.0.0.20"));
	assert_int_equal(qd.done, 1);
	/* the delete went alone, before the install */
	assert_int_equal(f->k.sends, 2);
	assert_int_equal(f->k.msgs, 2);
	assert_int_equal(f->out.code, REG_CODE_ACCEPTED);
	b = binding_store_find_nai(f->store, (const uint8_t *)"mn1@pool.example",
				   16);
	assert_non_null(b);
	assert_int_equal(b->home_addr.s_addr, ip("50.0.0.20").s_addr);
	assert_null(binding_store_find_addr(f->store, ip("50.0.0.9")));
}

/*
 * A reload drops what waits (it was decided on the configuration that
 * goes): the allocator is told, nothing is answered or bound.
 */
static void test_pipeline_reload_drops_parked(void **state)
{
	struct pipe_fix *f = *state;
	struct reg_txn slot;
	struct rq q;

	build(&q, "0.0.0.0", 0, 600, "mn1@pool.example", &key_hmac, NULL);
	pipe_request(f, &slot, &q);
	assert_int_equal(reg_pipeline_parked(&f->p), 1);
	assert_non_null(f->la.waiting);
	assert_int_equal(reg_pipeline_cancel_parked(&f->p), 1);
	assert_null(f->la.waiting);
	assert_int_equal(reg_pipeline_parked(&f->p), 0);
	assert_int_equal(f->out.replies, 0);
	assert_int_equal(binding_store_count(f->store), 0);
	/* its retransmission is decided anew */
	build(&q, "0.0.0.0", 0, 600, "mn1@pool.example", &key_hmac, NULL);
	pipe_request(f, &slot, &q);
	assert_int_equal(reg_pipeline_parked(&f->p), 1);
	assert_int_equal(f->la.waits, 2);
}

/* The requests waiting at once are bounded: the one past it gets 130. */
static void test_pipeline_parked_bounded(void **state)
{
	struct pipe_fix *f = *state;
	struct reg_txn slot;
	char nai[64];
	struct rq q;
	unsigned int i;

	for (i = 0; i <= REG_PARKED_MAX; i++) {
		snprintf(nai, sizeof(nai), "mn%u@pool.example", i);
		build(&q, "0.0.0.0", 0, 600, nai, &key_hmac, NULL);
		pipe_request(f, &slot, &q);
	}
	assert_int_equal(reg_pipeline_parked(&f->p), REG_PARKED_MAX);
	assert_int_equal(f->la.waits, REG_PARKED_MAX);
	reg_pipeline_flush(&f->p);
	assert_int_equal(f->out.replies, 1);
	assert_int_equal(f->out.code, REG_CODE_RESOURCES);
}

/* An allocator that finally says no: 130, nothing bound, nothing sent. */
static void test_pipeline_parked_denied(void **state)
{
	struct pipe_fix *f = *state;
	struct reg_txn slot;
	struct rq q;

	build(&q, "0.0.0.0", 0, 600, "mn2@pool.example", &key_hmac, NULL);
	pipe_request(f, &slot, &q);
	assert_int_equal(reg_pipeline_parked(&f->p), 1);
	reg_pipeline_alloc_done(f->la.waiting, -ENOSPC, ip("0.0.0.0"));
	assert_int_equal(f->out.replies, 1);
	assert_int_equal(f->out.code, REG_CODE_RESOURCES);
	assert_int_equal(binding_store_count(f->store), 0);
	assert_int_equal(f->k.msgs, 0);
	assert_int_equal(f->la.releases, 0);
}

/* A static address needs no allocator: the reply comes with the flush. */
static void test_pipeline_static_at_flush(void **state)
{
	struct pipe_fix *f = *state;
	struct reg_txn slot;
	struct rq q;

	build(&q, "20.0.0.5", 0, 600, NULL, &key_hmac, NULL);
	pipe_request(f, &slot, &q);
	assert_int_equal(f->out.replies, 0);
	assert_int_equal(f->la.waits, 0);
	reg_pipeline_flush(&f->p);
	assert_int_equal(f->out.replies, 1);
	assert_int_equal(f->out.code, REG_CODE_ACCEPTED);
	assert_int_equal(f->k.sends, 1);
	assert_non_null(binding_store_find_addr(f->store, ip("20.0.0.5")));
	/* and a shutdown with one parked cancels it with the allocator */
	build(&q, "0.0.0.0", 0, 600, "mn3@pool.example", &key_hmac, NULL);
	pipe_request(f, &slot, &q);
	assert_non_null(f->la.waiting);
}

/* A deregistration's delete goes in the batch: the binding goes at the flush. */
static void test_pipeline_dereg_in_batch(void **state)
{
	struct pipe_fix *f = *state;
	struct reg_request req = {
		.lifetime = 0,
		.home_addr = ip("20.0.0.5"),
		.ha_addr = ip(HA),
		.coa = ip(COA),
		.id = NOW_NTP + 2,
	};
	struct reg_txn slot;
	struct rq q;
	ssize_t n;

	build(&q, "20.0.0.5", 0, 600, NULL, &key_hmac, NULL);
	pipe_request(f, &slot, &q);
	reg_pipeline_flush(&f->p);
	assert_int_equal(f->out.code, REG_CODE_ACCEPTED);
	assert_int_equal(f->k.msgs, 1);

	n = reg_request_build(q.buf, sizeof(q.buf), &req, &key_hmac, NULL);
	assert_true(n > 0);
	q.len = q.in.len = (size_t)n;
	pipe_request(f, &slot, &q);
	/* pending: nothing removed, nothing answered before the batch */
	assert_int_equal(f->out.replies, 1);
	assert_non_null(binding_store_find_addr(f->store, ip("20.0.0.5")));
	reg_pipeline_flush(&f->p);
	assert_int_equal(f->k.sends, 2);
	assert_int_equal(f->k.msgs, 2);
	assert_int_equal(f->out.replies, 2);
	assert_int_equal(f->out.code, REG_CODE_ACCEPTED);
	assert_int_equal(f->stats.deregistrations, 1);
	assert_null(binding_store_find_addr(f->store, ip("20.0.0.5")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_accept_prefix_suffix),
		cmocka_unit_test(test_lifetime_limited),
		cmocka_unit_test(test_simultaneous),
		cmocka_unit_test(test_flags_granted),
		cmocka_unit_test(test_broadcast_vnet_ignored),
		cmocka_unit_test(test_dereg_lifetime0),
		cmocka_unit_test(test_dereg_coa_home),
		cmocka_unit_test(test_dereg_dynamic_keeps_address),
		cmocka_unit_test(test_nai_pool),
		cmocka_unit_test(test_home_zero_without_nai),
		cmocka_unit_test(test_poorly_formed),
		cmocka_unit_test(test_discard),
		cmocka_unit_test(test_mn_auth),
		cmocka_unit_test(test_fa_auth),
		cmocka_unit_test(test_replay_timestamp),
		cmocka_unit_test(test_replay_nonce),
		cmocka_unit_test(test_unknown_ha),
		cmocka_unit_test(test_unknown_host),
		cmocka_unit_test(test_encap),
		cmocka_unit_test(test_reverse_tunnel),
		cmocka_unit_test(test_denial_keeps_replay),
		cmocka_unit_test(test_prior_of_other_identity),
		cmocka_unit_test(test_prior_realm_case),
		cmocka_unit_test(test_malformed_nai),
		cmocka_unit_test(test_no_nonce_fails_closed),
		cmocka_unit_test(test_cookie_roundtrip),
		cmocka_unit_test(test_cookie_longest),
		cmocka_unit_test(test_cookie_bad),
		cmocka_unit_test(test_parsed_once),
		cmocka_unit_test_setup_teardown(test_pipeline_parked_completes,
						pipe_setup, pipe_teardown),
		cmocka_unit_test_setup_teardown(test_pipeline_resume_after_queued,
						pipe_setup, pipe_teardown),
		cmocka_unit_test_setup_teardown(test_pipeline_reload_drops_parked,
						pipe_setup, pipe_teardown),
		cmocka_unit_test_setup_teardown(test_pipeline_parked_bounded,
						pipe_setup, pipe_teardown),
		cmocka_unit_test_setup_teardown(test_pipeline_parked_denied,
						pipe_setup, pipe_teardown),
		cmocka_unit_test_setup_teardown(test_pipeline_static_at_flush,
						pipe_setup, pipe_teardown),
		cmocka_unit_test_setup_teardown(test_pipeline_dereg_in_batch,
						pipe_setup, pipe_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

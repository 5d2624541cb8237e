// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: what mipha-agentd reads back from the kernel at start
 * (the agent cookie of every binding) and what it decides on a request.
 *  - reg_cookie_decode() on the input: whatever decodes must re-encode to
 *    exactly the same bytes (the format is canonical), and fit the kernel's
 *    MIPHA_COOKIE_MAX.
 *  - reg_decide() on the input as a datagram, with a fixed configuration
 *    that accepts some nodes: it must never crash, and its outcome must be
 *    self-consistent (accepted codes only with REGISTER/DEREGISTER, a
 *    granted lifetime only when registering, no lifetime above the
 *    request's).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/mipha.h>

#include "reg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct auth_key key = {
	.spi = 256,
	.algo = AUTH_HMAC_MD5,
	.key = "fuzz",
	.key_len = 4,
};

static bool is_ha(void *ctx, struct in_addr a)
{
	(void)ctx;
	return a.s_addr == htonl(0x0a000001);
}

static struct in_addr primary(void *ctx)
{
	(void)ctx;
	return (struct in_addr){ htonl(0x0a000001) };
}

static int host(void *ctx, struct in_addr home, const uint8_t *nai,
		uint8_t nai_len, struct reg_host *h)
{
	(void)ctx;
	(void)nai;
	memset(h, 0, sizeof(*h));
	h->lifetime_limit = 600;
	h->encap = REG_ENCAP_ANY;
	h->rt = (enum reg_rt_policy)(ntohl(home.s_addr) % 3);
	if (nai_len)
		h->pool = "p";
	else
		h->home_addr = home;
	return home.s_addr || nai_len ? 0 : -ENOENT;
}

static int mn_sa(void *ctx, struct in_addr home, const uint8_t *nai,
		 uint8_t nai_len, uint32_t spi, struct reg_mn_sa *out)
{
	(void)ctx;
	(void)home;
	(void)nai;
	(void)nai_len;
	if (spi != key.spi)
		return -ENOENT;
	out->key = key;
	out->replay = (spi & 1) ? REPLAY_NONCE : REPLAY_TIMESTAMP;
	out->window_s = 7;
	return 0;
}

static int fa_sa(void *ctx, struct in_addr fa, uint32_t spi,
		 struct auth_key *out)
{
	(void)ctx;
	(void)fa;
	(void)spi;
	(void)out;
	return -ENOENT;
}

static const struct reg_env env = {
	.is_ha_addr = is_ha,
	.primary_ha_addr = primary,
	.host = host,
	.mn_ha_sa = mn_sa,
	.fa_ha_sa = fa_sa,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ?: 1), out[REG_COOKIE_MAX];
	struct reg_input in = { 0 };
	struct reg_prior prior = { 0 };
	struct reg_decision d;
	struct reg_cookie c;
	int n;

	memcpy(copy, data, size);
	if (!reg_cookie_decode(copy, size, &c)) {
		n = reg_cookie_encode(&c, out, sizeof(out));
		if (n < 0 || (size_t)n != size || memcmp(out, copy, size) ||
		    n > MIPHA_COOKIE_MAX)
			abort();
	}

	in.buf = copy;
	in.len = size;
	in.src.s_addr = htonl(0x28000007);
	in.dst.s_addr = htonl(0x0a000001);
	in.now_ntp = (uint64_t)3900000000U << 32;
	in.nonce = 0x12345678;
	prior.replay.seen = size & 1;
	reg_decide(&env, &in, &prior, &d);
	if (reg_code_accepted(d.code) && d.action != REG_ACT_REGISTER &&
	    d.action != REG_ACT_DEREGISTER && d.action != REG_ACT_DISCARD)
		abort();
	if (d.lifetime &&
	    (d.action != REG_ACT_REGISTER || d.lifetime > d.req.lifetime))
		abort();
	reg_decision_clear(&d);
	free(copy);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the registration codec (reg_msg.c) on what arrives at
 * UDP port 434. The input is one datagram's payload; it goes through the
 * request and the reply parser in an exact-size copy (so any read past the
 * end is caught). Whatever parses is checked for consistency (every
 * pointer inside the buffer, authenticators covering what precedes them),
 * authenticated with both algorithms, and rebuilt: the rebuilt message
 * must parse back to the same fields, and building into a buffer one byte
 * too small must fail without writing past it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reg_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct auth_key hmac_key = {
	.spi = 256,
	.algo = AUTH_HMAC_MD5,
	.key = "fuzz",
	.key_len = 4,
};
static const struct auth_key ps_key = {
	.spi = 257,
	.algo = AUTH_PREFIX_SUFFIX_MD5,
	.key = "fuzz",
	.key_len = 4,
};

static void check_auth(const uint8_t *buf, size_t len,
		       const struct reg_auth_ext *a, bool has)
{
	if (!has)
		return;
	if (a->covered_len != (size_t)a->off + REG_AUTH_EXT_HDR ||
	    a->covered_len + a->auth_len > len ||
	    a->auth != buf + a->covered_len)
		abort();
	/* Whatever the result, it must not crash or read out of bounds. */
	(void)reg_auth_ext_verify(buf, a, &hmac_key);
	(void)reg_auth_ext_verify(buf, a, &ps_key);
}

static void check_nai(const uint8_t *buf, size_t len, const uint8_t *nai,
		      uint8_t nai_len, uint16_t nai_off)
{
	if (!nai)
		return;
	if (nai_len == 0 || nai != buf + nai_off + 2 ||
	    (size_t)nai_off + 2 + nai_len > len)
		abort();
}

/* Rebuilds a parsed request and parses it back. */
static void request_round_trip(const struct reg_request *r)
{
	uint8_t out[REG_REQUEST_LEN + 2 + 255 + 2 * 22], *small;
	struct reg_request back;
	ssize_t n;

	n = reg_request_build(out, sizeof(out), r, &hmac_key, &ps_key);
	if (n < 0 || reg_request_parse(out, (size_t)n, &back))
		abort();
	if (back.flags != r->flags || back.lifetime != r->lifetime ||
	    back.home_addr.s_addr != r->home_addr.s_addr ||
	    back.ha_addr.s_addr != r->ha_addr.s_addr ||
	    back.coa.s_addr != r->coa.s_addr || back.id != r->id ||
	    back.nai_len != r->nai_len ||
	    (r->nai_len && memcmp(back.nai, r->nai, r->nai_len)) ||
	    !back.has_mn_ha || !back.has_fa_ha || back.has_mn_fa ||
	    !reg_auth_ext_verify(out, &back.mn_ha, &hmac_key) ||
	    !reg_auth_ext_verify(out, &back.fa_ha, &ps_key) ||
	    reg_request_covered(&back, &back.mn_ha) !=
		    (r->nai_len ? REG_EXTB_NAI : 0u))
		abort();
	/* One byte short: refused, nothing written past the end (ASan). */
	small = malloc((size_t)n - 1);
	if (!small || reg_request_build(small, (size_t)n - 1, r, &hmac_key,
					&ps_key) != -ENOSPC)
		abort();
	free(small);
}

static void reply_round_trip(const struct reg_reply *p)
{
	uint8_t out[REG_REPLY_LEN + 2 + 255 + 22];
	struct reg_reply back;
	ssize_t n;

	n = reg_reply_build(out, sizeof(out), p, &ps_key, NULL);
	if (n < 0 || reg_reply_parse(out, (size_t)n, &back))
		abort();
	if (back.code != p->code || back.lifetime != p->lifetime ||
	    back.home_addr.s_addr != p->home_addr.s_addr ||
	    back.ha_addr.s_addr != p->ha_addr.s_addr || back.id != p->id ||
	    back.nai_len != p->nai_len ||
	    (p->nai_len && memcmp(back.nai, p->nai, p->nai_len)) ||
	    !back.has_mn_ha || back.has_fa_ha ||
	    !reg_auth_ext_verify(out, &back.mn_ha, &ps_key))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reg_request r;
	struct reg_reply p;
	uint8_t *buf;
	int err;

	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);

	err = reg_request_parse(buf, size, &r);
	if (err == 0) {
		check_nai(buf, size, r.nai, r.nai_len, r.nai_off);
		check_auth(buf, size, &r.mn_ha, r.has_mn_ha);
		check_auth(buf, size, &r.mn_fa, r.has_mn_fa);
		check_auth(buf, size, &r.fa_ha, r.has_fa_ha);
		if (r.has_mn_ha)
			(void)reg_request_covered(&r, &r.mn_ha);
		if (r.has_fa_ha)
			(void)reg_request_covered(&r, &r.fa_ha);
		request_round_trip(&r);
	} else if (err == -EBADMSG) {
		/* fixed part only: what a 134 reply is made of */
		if (r.nai || r.has_mn_ha || r.has_mn_fa || r.has_fa_ha ||
		    size < REG_REQUEST_LEN)
			abort();
	} else if (err != -EPROTO && err != -EMSGSIZE) {
		abort();
	}

	err = reg_reply_parse(buf, size, &p);
	if (err == 0) {
		check_nai(buf, size, p.nai, p.nai_len, p.nai_off);
		check_auth(buf, size, &p.mn_ha, p.has_mn_ha);
		check_auth(buf, size, &p.mn_fa, p.has_mn_fa);
		check_auth(buf, size, &p.fa_ha, p.has_fa_ha);
		reply_round_trip(&p);
	} else if (err != -EBADMSG && err != -EPROTO && err != -EMSGSIZE) {
		abort();
	}
	free(buf);
	return 0;
}

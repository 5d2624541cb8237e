// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the registration decision against a real
 * configuration (config.c, reg_config.c), checking the invariant of
 * registration security: no request authenticated by one mobile node's
 * keys changes a binding of another.
 *
 * The attacker holds what a user of a realm and a host of an address range
 * hold: the shared key of the realm @example.com and the shared key of the
 * address hosts 10.1.0.2-10.1.0.19. The victims: alice@example.com (a key
 * of her own, bound at pool address 20.0.0.7), carol@example.com (a key of
 * her own, and an address key of her static address 10.1.0.20 only),
 * bob@corp.example (another realm, bound at 20.0.0.9) and the address host
 * 10.1.0.40 (its own key), and dave@example.com, whose own key is the address
 * key of his static address 10.1.0.30. The input chooses every field of a request -
 * home address, NAI (the victims', case variants, the attacker's own, or
 * bytes of the input), SPI (any of the configuration's), flags, lifetime,
 * identification - and the harness signs it with one of the attacker's
 * keys. The prior state is what the daemon's lookup by identity gives: a
 * victim's binding when the request names that victim's identity. Whatever
 * the input, a registration must give no victim's address or identity, and
 * no victim's binding may be renewed or deregistered.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "config.h"
#include "reg.h"
#include "reg_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char conf[] =
	"home-agent { address = 10.0.0.1 }\n"
	"virtual-network \"10.1.0.0/24\" {}\n"
	"virtual-network \"20.0.0.0/24\" {}\n"
	"pool \"p\" { range = \"20.0.0.2 20.0.0.200\" }\n"
	"host \"10.1.0.2 10.1.0.19\" { virtual-network = \"10.1.0.0/24\" }\n"
	"host \"10.1.0.40\" { virtual-network = \"10.1.0.0/24\" }\n"
	"host \"nai carol@example.com\" {\n"
	"  virtual-network = \"10.1.0.0/24\"\n"
	"  static-address = 10.1.0.20 }\n"
	"host \"nai dave@example.com\" {\n"
	"  virtual-network = \"10.1.0.0/24\"\n"
	"  static-address = 10.1.0.30 }\n"
	"host \"nai @example.com\" { virtual-network = \"20.0.0.0/24\"\n"
	"  pool = p }\n"
	"host \"nai @corp.example\" { virtual-network = \"20.0.0.0/24\"\n"
	"  pool = p }\n"
	/* the attacker's: the address range's shared key, the realm's */
	"secure-host \"10.1.0.2 10.1.0.19\" { spi = 0x101\n key = \"b9b9b9b9\"\n"
	"  algorithm = hmac-md5 }\n"
	"secure-host \"nai @example.com\" { spi = 0x401\n"
	"  key = \"0e0e0e0e\"\n algorithm = hmac-md5 }\n"
	/* the victims' */
	"secure-host \"10.1.0.20\" { spi = 0x102\n key = \"c0c0c0c0\"\n"
	"  algorithm = hmac-md5 }\n"
	"secure-host \"10.1.0.40\" { spi = 0x103\n key = \"40404040\"\n"
	"  algorithm = hmac-md5 }\n"
	/* dave's own key is the address key of his static address */
	"secure-host \"10.1.0.30\" { spi = 0x104\n key = \"d0d0d0d0\"\n"
	"  algorithm = hmac-md5 }\n"
	"secure-host \"nai alice@example.com\" { spi = 0x200\n"
	"  key = \"a1a1a1a1\"\n algorithm = hmac-md5 }\n"
	"secure-host \"nai carol@example.com\" { spi = 0x201\n"
	"  key = \"c1c1c1c1\"\n algorithm = hmac-md5 }\n"
	"secure-host \"nai @corp.example\" { spi = 0x400\n"
	"  key = \"0c0c0c0c\"\n algorithm = hmac-md5 }\n";

static const struct auth_key attacker[] = {
	{ .spi = 0x101, .algo = AUTH_HMAC_MD5, .key = "\xb9\xb9\xb9\xb9",
	  .key_len = 4 },
	{ .spi = 0x401, .algo = AUTH_HMAC_MD5, .key = "\x0e\x0e\x0e\x0e",
	  .key_len = 4 },
};
static const uint32_t spis[] = { 0x101, 0x102, 0x103, 0x104, 0x200,
				 0x201, 0x400, 0x401, 0x999 };
static const char *const nais[] = {
	NULL,		      "eve@example.com",   "alice@example.com",
	"alice@EXAMPLE.com",  "ALICE@example.com", "carol@example.com",
	"carol@Example.Com",  "bob@corp.example",  "bob@CORP.example",
	"x@unknown.example",  "@example.com",	   "dave@example.com",
	"dave@EXAMPLE.COM",
};
/* home addresses: none, the attacker's, victims' (bound and static) */
static const uint32_t homes[] = { 0,	      0x0a010005, 0x0a010028,
				  0x14000007, 0x0a010014, 0x14000009,
				  0x14000008, 0x0a01001e, 0xffffffff };

struct victim {
	uint32_t home;
	const char *nai; /* NULL: an address host */
};
static const struct victim victims[] = {
	{ 0x14000007, "alice@example.com" },
	{ 0x0a010014, "carol@example.com" },
	{ 0x14000009, "bob@corp.example" },
	{ 0x0a010028, NULL },
	{ 0x0a01001e, "dave@example.com" },
};

static struct config *cfg;
static struct reg_env env;
static struct reg_config_env envdata;

static void setup(void)
{
	char err[256], *text = strdup(conf);

	if (!text || config_parse_text("fuzz", text, strlen(text), &cfg, err,
				       sizeof(err))) {
		fprintf(stderr, "fuzz_decide: configuration: %s\n", err);
		abort();
	}
	free(text);
	if (reg_config_env(&env, &envdata, cfg))
		abort();
}

/* Is this NAI the victim's identity (the realm compares case-insensitively)? */
static bool same_nai(const uint8_t *nai, uint8_t len, const char *v)
{
	size_t vl = strlen(v), at;

	if (len != vl)
		return false;
	at = (size_t)(strrchr(v, '@') - v);
	return !memcmp(nai, v, at) &&
	       !strncasecmp((const char *)nai + at, v + at, vl - at);
}

/* Is the decision about the victim: its home address or its identity? */
static bool touches(const struct reg_decision *d, const struct victim *v)
{
	uint8_t len;
	const uint8_t *nai = reg_request_identity(&d->req, &len);

	if (d->home_addr.s_addr == htonl(v->home))
		return true;
	return v->nai && nai && same_nai(nai, len, v->nai);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t buf[REG_MSG_MAX], own_nai[64], ilen;
	struct reg_request req = { 0 };
	struct reg_input in = { 0 };
	struct reg_prior prior = { 0 };
	struct reg_decision d;
	const struct victim *v;
	const uint8_t *ident;
	const char *nai;
	struct auth_key k;
	size_t i;
	ssize_t n;

	if (!cfg)
		setup();
	if (size < 16)
		return 0;
	k = attacker[data[0] & 1];
	k.spi = spis[(data[0] >> 1) % (sizeof(spis) / sizeof(spis[0]))];
	nai = nais[data[1] % (sizeof(nais) / sizeof(nais[0]))];
	req.home_addr.s_addr = htonl(homes[data[2] % (sizeof(homes) /
						      sizeof(homes[0]))]);
	req.flags = data[3];
	req.lifetime = (uint16_t)(data[4] << 8 | data[5]);
	req.ha_addr.s_addr = htonl(data[6] & 1 ? 0x0a000001 : 0);
	req.coa.s_addr = data[6] & 2 ? req.home_addr.s_addr :
				       htonl(0x28000007);
	memcpy(&req.id, data + 7, sizeof(req.id));
	data += 16;
	size -= 16;
	if (nai) {
		req.nai = (const uint8_t *)nai;
		req.nai_len = (uint8_t)strlen(nai);
	} else if (size && data[0] & 1) {
		/* an NAI of the input's bytes */
		req.nai_len = (uint8_t)(size - 1 < sizeof(own_nai) ?
						size - 1 :
						sizeof(own_nai));
		memcpy(own_nai, data + 1, req.nai_len);
		req.nai = req.nai_len ? own_nai : NULL;
	}
	n = reg_request_build(buf, sizeof(buf), &req, &k, NULL);
	if (n < 0)
		return 0;
	if (reg_request_parse(buf, (size_t)n, &req))
		return 0;

	in.buf = buf;
	in.len = (size_t)n;
	in.src.s_addr = htonl(0x28000007);
	in.dst.s_addr = htonl(0x0a000001);
	in.now_ntp = req.id;
	in.nonce = 0x12345678;
	/* The daemon's lookup by identity: the victim's binding if named. */
	ident = reg_request_identity(&req, &ilen);
	for (i = 0; i < sizeof(victims) / sizeof(victims[0]); i++) {
		v = &victims[i];
		if ((v->nai && ident && same_nai(ident, ilen, v->nai)) ||
		    (!v->nai && !ident &&
		     req.home_addr.s_addr == htonl(v->home))) {
			prior.bound = true;
			prior.home_addr.s_addr = htonl(v->home);
			prior.nai = (const uint8_t *)v->nai;
			prior.nai_len = v->nai ? (uint8_t)strlen(v->nai) : 0;
			break;
		}
	}
	reg_decide(&env, &in, &prior, &d);
	if ((d.action == REG_ACT_REGISTER || d.action == REG_ACT_DEREGISTER) &&
	    d.prior_own) {
		fprintf(stderr, "the attacker's key renewed or removed a "
				"victim's binding\n");
		abort();
	}
	for (i = 0; d.action == REG_ACT_REGISTER &&
		    i < sizeof(victims) / sizeof(victims[0]);
	     i++) {
		if (touches(&d, &victims[i])) {
			fprintf(stderr, "the attacker's key registered a "
					"victim's address or identity\n");
			abort();
		}
	}
	reg_decision_clear(&d);
	return 0;
}

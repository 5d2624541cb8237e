// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the registration decision against a real
 * configuration (config.c, reg_config.c), checking the invariant of
 * registration security: no request authenticated by one mobile node's
 * keys changes a binding of another.
 *
 * The configuration serves an attacker, eve (NAI eve@example.com with her
 * own key, and the address host 10.1.0.5 with its own key), and victims:
 * alice@example.com (her own key, bound at pool address 20.0.0.7), the
 * address host 10.1.0.9 (bound), the NAI host carol@example.com with the
 * static address 10.1.0.20, and the realm @corp.example (a shared key).
 * The input chooses every field of a request - home address, NAI (one of
 * the victims', eve's, or bytes of the input), SPI (any of the
 * configuration's), flags, lifetime, identification, extra extensions -
 * and the harness signs it with one of the attacker's keys. The decision
 * is given a victim's binding as prior state, as a table lookup by the
 * wrong key would. Whatever the input, a decision to register or
 * deregister must concern neither a victim's home address nor a victim's
 * identity.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	"host \"nai carol@example.com\" {\n"
	"  virtual-network = \"10.1.0.0/24\"\n"
	"  static-address = 10.1.0.20 }\n"
	"host \"nai @example.com\" { virtual-network = \"20.0.0.0/24\"\n"
	"  pool = p }\n"
	"host \"nai @corp.example\" { virtual-network = \"20.0.0.0/24\"\n"
	"  pool = p }\n"
	/* the attacker's address key, then a victim's */
	"secure-host \"10.1.0.5\" { spi = 0x100\n key = \"a5a5a5a5\"\n"
	"  algorithm = hmac-md5 }\n"
	"secure-host \"10.1.0.2 10.1.0.4\" { spi = 0x101\n key = \"b9b9b9b9\"\n"
	"  algorithm = hmac-md5 }\n"
	"secure-host \"10.1.0.6 10.1.0.19\" { spi = 0x101\n key = \"b9b9b9b9\"\n"
	"  algorithm = hmac-md5 }\n"
	"secure-host \"10.1.0.20\" { spi = 0x102\n key = \"c0c0c0c0\"\n"
	"  algorithm = hmac-md5 }\n"
	"secure-host \"nai eve@example.com\" { spi = 0x300\n"
	"  key = \"e0e0e0e0\"\n algorithm = hmac-md5 }\n"
	"secure-host \"nai alice@example.com\" { spi = 0x200\n"
	"  key = \"a1a1a1a1\"\n algorithm = hmac-md5 }\n"
	"secure-host \"nai carol@example.com\" { spi = 0x201\n"
	"  key = \"c1c1c1c1\"\n algorithm = hmac-md5 }\n"
	"secure-host \"nai @corp.example\" { spi = 0x400\n"
	"  key = \"0c0c0c0c\"\n algorithm = hmac-md5 }\n"
	"secure-host \"nai @example.com\" { spi = 0x401\n"
	"  key = \"0e0e0e0e\"\n algorithm = hmac-md5 }\n";

/* The attacker's keys: eve's NAI key and the address key of 10.1.0.5. */
static const struct auth_key attacker[] = {
	{ .spi = 0x300, .algo = AUTH_HMAC_MD5, .key = "\xe0\xe0\xe0\xe0",
	  .key_len = 4 },
	{ .spi = 0x100, .algo = AUTH_HMAC_MD5, .key = "\xa5\xa5\xa5\xa5",
	  .key_len = 4 },
};
static const uint32_t spis[] = { 0x100, 0x101, 0x102, 0x200, 0x201,
				 0x300, 0x400, 0x401, 0x999 };
static const char *const nais[] = {
	NULL,		      "eve@example.com",   "alice@example.com",
	"ALICE@example.com",  "alice@EXAMPLE.com", "carol@example.com",
	"bob@corp.example",   "x@unknown.example", "@example.com",
};
/* home addresses: none, the attacker's, victims' (bound and static) */
static const uint32_t homes[] = { 0,	      0x0a010005, 0x0a010009,
				  0x14000007, 0x0a010014, 0x0a010003,
				  0x14000008, 0xffffffff };

struct victim {
	uint32_t home;
	const char *nai; /* NULL: an address host */
};
static const struct victim victims[] = {
	{ 0x14000007, "alice@example.com" },
	{ 0x0a010009, NULL },
	{ 0x0a010014, "carol@example.com" },
	{ 0x14000009, "bob@corp.example" },
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

/* Is the decision about the victim: its home address or its identity? */
static bool touches(const struct reg_decision *d, const struct victim *v)
{
	uint8_t len;
	const uint8_t *nai = reg_request_identity(&d->req, &len);

	if (d->home_addr.s_addr == htonl(v->home))
		return true;
	if (!v->nai || !nai)
		return false;
	/* the realm folds case; only the user part must differ */
	return len == strlen(v->nai) && !strncasecmp((const char *)nai, v->nai, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t buf[REG_MSG_MAX];
	struct reg_request req = { 0 };
	struct auth_key k;
	struct reg_input in = { 0 };
	struct reg_prior prior = { 0 };
	struct reg_decision d;
	const struct victim *v;
	const char *nai;
	uint8_t own_nai[64];
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
	v = &victims[data[15] % (sizeof(victims) / sizeof(victims[0]))];
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

	in.buf = buf;
	in.len = (size_t)n;
	in.src.s_addr = htonl(0x28000007);
	in.dst.s_addr = htonl(0x0a000001);
	in.now_ntp = req.id;
	in.nonce = 0x12345678;
	/* The victim's binding, as a lookup by the wrong key would give. */
	prior.bound = true;
	prior.home_addr.s_addr = htonl(v->home);
	prior.nai = (const uint8_t *)v->nai;
	prior.nai_len = v->nai ? (uint8_t)strlen(v->nai) : 0;
	reg_decide(&env, &in, &prior, &d);
	if (((d.action == REG_ACT_REGISTER && touches(&d, v)) ||
	     (d.action == REG_ACT_DEREGISTER && d.prior_own))) {
		fprintf(stderr, "the attacker's key changed a victim's binding\n");
		abort();
	}
	/* Whoever it is, nobody but the attacker was authenticated. */
	if (d.sign_mn_ha && d.sa.key.key_len == 4 &&
	    memcmp(d.sa.key.key, attacker[0].key, 4) &&
	    memcmp(d.sa.key.key, attacker[1].key, 4))
		abort();
	/* Nor a victim's identity or address through a fresh decision. */
	if (d.action == REG_ACT_REGISTER) {
		size_t i;

		for (i = 0; i < sizeof(victims) / sizeof(victims[0]); i++)
			if (touches(&d, &victims[i]))
				abort();
	}
	reg_decision_clear(&d);
	return 0;
}

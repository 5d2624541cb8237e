// SPDX-License-Identifier: GPL-2.0
/*
 * reg_decide: the home agent's answer to one Registration Request
 * (RFC 5944 3.8.2 and 3.8.3), and the agent cookie codec. Pure: no I/O.
 *
 * The checks run in the order that lets each reply be as useful as it can
 * be to the mobile node while never trusting unauthenticated input:
 * malformed (134) -> MN-HA authentication (131) -> FA-HA authentication
 * (132) -> identification (133) -> home agent address (136) -> then the
 * service checks (139, 137/138, 129) that only an authenticated mobile
 * node learns about.
 */
#include <errno.h>
#include <string.h>
#include <openssl/crypto.h>
#include <linux/mipha.h>

#include "byteorder.h"
#include "reg.h"

#define REG_LIFETIME_INFINITE 0xffff

void reg_decision_clear(struct reg_decision *d)
{
	OPENSSL_cleanse(&d->sa, sizeof(d->sa));
	OPENSSL_cleanse(&d->fa_key, sizeof(d->fa_key));
}

static void deny(struct reg_decision *d, uint8_t code, const char *why)
{
	d->action = REG_ACT_DENY;
	d->code = code;
	d->lifetime = 0;
	d->why = why;
}

static bool addr_is_any(struct in_addr a)
{
	return a.s_addr == htonl(INADDR_ANY) ||
	       a.s_addr == htonl(INADDR_BROADCAST);
}

/* Flags, encapsulation and reverse tunnel: 0 or the denial code. */
static uint8_t check_service(const struct reg_request *req,
			     const struct reg_host *h, struct reg_decision *d)
{
	bool gre = req->flags & REG_F_G;

	if (req->flags & REG_F_M) {
		d->why = "minimal encapsulation is not implemented";
		return REG_CODE_ENCAP_UNAVAIL;
	}
	if (gre && h->encap == REG_ENCAP_IPIP) {
		d->why = "GRE requested, host allows IP in IP only";
		return REG_CODE_ENCAP_UNAVAIL;
	}
	if (!gre && h->encap == REG_ENCAP_GRE) {
		d->why = "IP in IP requested, host allows GRE only";
		return REG_CODE_ENCAP_UNAVAIL;
	}
	if ((req->flags & REG_F_T) && h->rt == REG_RT_OFF) {
		d->why = "reverse tunnel not allowed for this host";
		return REG_CODE_RT_UNAVAIL;
	}
	if (!(req->flags & REG_F_T) && h->rt == REG_RT_REQUIRED) {
		d->why = "reverse tunnel mandatory and T not set";
		return REG_CODE_RT_MANDATORY;
	}
	d->encap = gre ? MIPHA_ENCAP_GRE : MIPHA_ENCAP_IPIP;
	d->kflags = 0;
	if (req->flags & REG_F_T)
		d->kflags |= MIPHA_F_REVERSE_TUNNEL;
	/* Broadcasts exist only on a physical home link. */
	if ((req->flags & REG_F_B) && h->link)
		d->kflags |= MIPHA_F_BROADCAST;
	return 0;
}

static uint16_t grant_lifetime(uint16_t asked, uint32_t limit)
{
	if (!limit || limit >= REG_LIFETIME_INFINITE)
		limit = REG_LIFETIME_INFINITE - 1;
	return asked < limit ? asked : (uint16_t)limit;
}

/* Authentication and replay: false if d was set to a denial. */
static bool check_auth(const struct reg_env *env, const struct reg_input *in,
		       const struct reg_prior *prior, struct reg_decision *d)
{
	const struct reg_request *req = &d->req;
	const uint8_t *nai;
	uint8_t nai_len;
	int code, ret;

	if (!req->has_mn_ha) {
		deny(d, REG_CODE_MN_AUTH, "no MN-HA authentication extension");
		return false;
	}
	/*
	 * Identity first: only what the MN-HA authenticator covers may
	 * select anything, and only the keys of that identity can
	 * authenticate it. An SPI of another node's SA is not found here.
	 */
	nai = reg_request_identity(req, &nai_len);
	if (env->mn_ha_sa(env->ctx, req->home_addr, nai, nai_len,
			  req->mn_ha.spi, &d->sa)) {
		deny(d, REG_CODE_MN_AUTH,
		     "no MN-HA security association of this mobile node "
		     "with this SPI");
		return false;
	}
	if (!reg_auth_ext_verify(in->buf, &req->mn_ha, &d->sa.key)) {
		deny(d, REG_CODE_MN_AUTH, "MN-HA authenticator mismatch");
		return false;
	}
	/* From here on the reply can be authenticated. */
	d->sign_mn_ha = true;
	ret = env->fa_ha_sa(env->ctx, in->src,
			    req->has_fa_ha ? req->fa_ha.spi : 0, &d->fa_key);
	if (ret != -ENOENT) {
		if (!req->has_fa_ha) {
			deny(d, REG_CODE_FA_AUTH,
			     "FA-HA authentication extension missing");
			return false;
		}
		if (ret || !reg_auth_ext_verify(in->buf, &req->fa_ha,
						&d->fa_key)) {
			deny(d, REG_CODE_FA_AUTH,
			     ret ? "no FA-HA security association with this "
				   "SPI" :
				   "FA-HA authenticator mismatch");
			return false;
		}
		d->sign_fa_ha = true;
	}
	if (d->sa.replay == REPLAY_NONCE && in->no_nonce) {
		/* Fail closed: a nonce we hand out must be unpredictable. */
		d->action = REG_ACT_DISCARD;
		d->why = "no random nonce available (RAND_bytes failed)";
		return false;
	}
	code = replay_check(d->sa.replay, d->sa.window_s, &prior->replay,
			    req->id, in->now_ntp);
	if (code) {
		deny(d, REG_CODE_ID_MISMATCH, "identification mismatch");
		return false;
	}
	return true;
}

/* Is the prior binding the requester's own (same NAI, or same address)? */
static bool prior_is_own(const struct reg_prior *prior,
			 const struct reg_request *req, const uint8_t *nai,
			 uint8_t nai_len)
{
	uint8_t a[255], b[255];

	if (nai) {
		/* one identity whatever the case of the realm */
		if (prior->nai_len != nai_len)
			return false;
		reg_nai_fold(nai, nai_len, a);
		reg_nai_fold(prior->nai, nai_len, b);
		return !memcmp(a, b, nai_len);
	}
	return !prior->nai_len &&
	       prior->home_addr.s_addr == req->home_addr.s_addr;
}

void reg_decide(const struct reg_env *env, const struct reg_input *in,
		const struct reg_prior *given, struct reg_decision *d)
{
	struct reg_request *req = &d->req;
	static const struct reg_prior none;
	const struct reg_prior *prior = &none;
	const uint8_t *nai;
	uint8_t code, nai_len;
	int ret;

	memset(d, 0, sizeof(*d));
	if (in->req) {
		*req = *in->req;
		ret = 0;
	} else {
		ret = reg_request_parse(in->buf, in->len, req);
	}
	if (!ret && req->nai && !reg_nai_valid(req->nai, req->nai_len)) {
		/* Not echoed in the reply (d->parsed stays false). */
		deny(d, REG_CODE_POORLY_FORMED, "malformed NAI");
		d->home_addr = req->home_addr;
		d->ha_addr = in->dst;
		d->reply_id = req->id;
		return;
	}
	if (!ret) {
		/*
		 * A binding of another identity is not this node's prior
		 * state: its address, its replay state and its existence
		 * must stay out of this decision.
		 */
		nai = reg_request_identity(req, &nai_len);
		if (given->bound && !prior_is_own(given, req, nai, nai_len)) {
			/*
			 * The caller looks bindings up by identity; one of
			 * another identity here is a bug it must not turn
			 * into a decision: fail closed.
			 */
			d->action = REG_ACT_DISCARD;
			d->why = "prior binding of another identity";
			return;
		}
		prior = given;
		d->prior_own = given->bound;
	}
	d->replay = prior->replay;
	if (ret == -EBADMSG) {
		/* The fixed part is readable: answer with what it says. */
		deny(d, REG_CODE_POORLY_FORMED, "malformed extensions");
		d->home_addr = req->home_addr;
		d->ha_addr = in->dst;
		d->reply_id = req->id;
		return;
	}
	if (ret) {
		d->action = REG_ACT_DISCARD;
		d->why = ret == -EMSGSIZE ? "too long" :
					    "not a request, or an unknown "
					    "non-skippable extension";
		return;
	}
	d->parsed = true;
	d->home_addr = req->home_addr;
	d->ha_addr = in->dst;
	d->reply_id = req->id;
	if (!req->home_addr.s_addr && !req->nai) {
		deny(d, REG_CODE_POORLY_FORMED,
		     "home address 0.0.0.0 without an NAI");
		return;
	}
	if (!check_auth(env, in, prior, d)) {
		if (d->code == REG_CODE_ID_MISMATCH) {
			replay_reject(d->sa.replay, &d->replay, in->nonce);
			d->reply_id = replay_reply_id(d->sa.replay, &d->replay,
						      req->id, in->now_ntp,
						      true);
		}
		return;
	}
	/* Authenticated: the NAI (if any) is covered or ignored. */
	nai = reg_request_identity(req, &nai_len);
	if (!env->is_ha_addr(env->ctx, in->dst) ||
	    (!addr_is_any(req->ha_addr) &&
	     !env->is_ha_addr(env->ctx, req->ha_addr))) {
		deny(d, REG_CODE_UNKNOWN_HA, "not one of our HA addresses");
		d->ha_addr = env->primary_ha_addr(env->ctx);
		goto reject;
	}
	if (env->host(env->ctx, req->home_addr, nai, nai_len, &d->host)) {
		deny(d, REG_CODE_PROHIBITED, "no such mobile host");
		goto reject;
	}
	d->has_host = true;
	if (d->host.ha_addr.s_addr)
		d->ha_addr = d->host.ha_addr;
	if (addr_is_any(req->ha_addr) && !nai) {
		deny(d, REG_CODE_UNKNOWN_HA,
		     "HA address to assign, but no NAI");
		d->ha_addr = env->primary_ha_addr(env->ctx);
		goto reject;
	}

	/* The home address: static, kept from the binding, or from a pool. */
	if (d->host.home_addr.s_addr) {
		d->home_addr = d->host.home_addr;
	} else if (prior->bound) {
		d->home_addr = prior->home_addr;
	} else if (req->lifetime && req->coa.s_addr != req->home_addr.s_addr) {
		d->home_addr.s_addr = 0;
		d->need_addr = true;
	}

	if (!req->lifetime || (req->home_addr.s_addr &&
			       req->coa.s_addr == req->home_addr.s_addr)) {
		/* RFC 5944 3.8.3.1: deregistration, lifetime 0 in reply. */
		d->action = REG_ACT_DEREGISTER;
		d->code = REG_CODE_ACCEPTED;
		d->lifetime = 0;
		goto accept;
	}
	code = check_service(req, &d->host, d);
	if (code) {
		deny(d, code, d->why);
		goto reject;
	}
	d->action = REG_ACT_REGISTER;
	d->lifetime = grant_lifetime(req->lifetime, d->host.lifetime_limit);
	/* One binding per home address: S is answered with code 1. */
	d->code = (req->flags & REG_F_S) ? REG_CODE_ACCEPTED_NO_SIMUL :
					   REG_CODE_ACCEPTED;
accept:
	replay_accept(d->sa.replay, &d->replay, req->id, in->nonce);
	d->reply_id = replay_reply_id(d->sa.replay, &d->replay, req->id,
				      in->now_ntp, false);
	return;
reject:
	replay_reject(d->sa.replay, &d->replay, in->nonce);
	d->reply_id = replay_reply_id(d->sa.replay, &d->replay, req->id,
				      in->now_ntp, false);
}

/* ---- cookie ----------------------------------------------------------- */

#define COOKIE_REPLAY_METHOD 0x0f
#define COOKIE_REPLAY_SEEN   0x10
#define COOKIE_REPLAY_NONCE  0x20

int reg_cookie_encode(const struct reg_cookie *c, uint8_t *buf, size_t size)
{
	size_t len = REG_COOKIE_HDR + c->nai_len + c->pool_len;

	if (c->pool_len > REG_POOL_NAME_MAX ||
	    (unsigned int)c->replay_method > COOKIE_REPLAY_METHOD)
		return -EINVAL;
	if (len > size)
		return -ENOSPC;
	memset(buf, 0, REG_COOKIE_HDR);
	buf[0] = REG_COOKIE_VERSION;
	buf[1] = c->req_flags;
	buf[2] = (uint8_t)c->replay_method |
		 (c->replay.seen ? COOKIE_REPLAY_SEEN : 0) |
		 (c->replay.has_nonce ? COOKIE_REPLAY_NONCE : 0);
	buf[3] = c->nai_len;
	buf[4] = c->pool_len;
	be32_put(buf + 8, c->spi);
	be32_put(buf + 12, c->granted);
	be64_put(buf + 16, c->reg_time_ms);
	be64_put(buf + 24, c->replay.last_id);
	be32_put(buf + 32, c->replay.ha_nonce);
	memcpy(buf + 36, &c->src.s_addr, 4);
	memcpy(buf + REG_COOKIE_HDR, c->nai, c->nai_len);
	memcpy(buf + REG_COOKIE_HDR + c->nai_len, c->pool, c->pool_len);
	return (int)len;
}

int reg_cookie_decode(const uint8_t *buf, size_t len, struct reg_cookie *c)
{
	uint8_t method;

	memset(c, 0, sizeof(*c));
	if (len < 1)
		return -EBADMSG;
	if (buf[0] != REG_COOKIE_VERSION)
		return -EPROTONOSUPPORT;
	if (len < REG_COOKIE_HDR || buf[5] || buf[6] || buf[7])
		return -EBADMSG;
	method = buf[2] & COOKIE_REPLAY_METHOD;
	if ((buf[2] & ~(COOKIE_REPLAY_METHOD | COOKIE_REPLAY_SEEN |
			COOKIE_REPLAY_NONCE)) ||
	    (method != REPLAY_TIMESTAMP && method != REPLAY_NONCE))
		return -EBADMSG;
	c->nai_len = buf[3];
	c->pool_len = buf[4];
	if (c->pool_len > REG_POOL_NAME_MAX ||
	    len != (size_t)REG_COOKIE_HDR + c->nai_len + c->pool_len)
		return -EBADMSG;
	c->req_flags = buf[1];
	c->replay_method = method;
	c->replay.seen = buf[2] & COOKIE_REPLAY_SEEN;
	c->replay.has_nonce = buf[2] & COOKIE_REPLAY_NONCE;
	c->spi = be32_get(buf + 8);
	c->granted = be32_get(buf + 12);
	c->reg_time_ms = be64_get(buf + 16);
	c->replay.last_id = be64_get(buf + 24);
	c->replay.ha_nonce = be32_get(buf + 32);
	memcpy(&c->src.s_addr, buf + 36, 4);
	memcpy(c->nai, buf + REG_COOKIE_HDR, c->nai_len);
	memcpy(c->pool, buf + REG_COOKIE_HDR + c->nai_len, c->pool_len);
	c->pool[c->pool_len] = '\0';
	if (memchr(c->pool, '\0', c->pool_len))
		return -EBADMSG;
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * reg_msg: Mobile IPv4 registration request/reply codec (see reg_msg.h).
 *
 * Every read is bounded by the length the caller gave; every extension's
 * Length is checked against what is left before its data is looked at.
 */
#include <errno.h>
#include <string.h>

#include "byteorder.h"
#include "reg_msg.h"

/* Extension header: Type + Length (RFC 5944 1.9). */
#define REG_EXT_HDR 2
/* An authentication extension's Length counts the SPI and authenticator. */
#define REG_AUTH_SPI_LEN 4

const char *reg_code_str(uint8_t code)
{
	switch (code) {
	case REG_CODE_ACCEPTED:
		return "accepted";
	case REG_CODE_ACCEPTED_NO_SIMUL:
		return "accepted, simultaneous bindings unsupported";
	case REG_CODE_FA_UNSPECIFIED:
		return "FA: reason unspecified";
	case REG_CODE_FA_PROHIBITED:
		return "FA: administratively prohibited";
	case REG_CODE_FA_RESOURCES:
		return "FA: insufficient resources";
	case REG_CODE_FA_MN_AUTH:
		return "FA: mobile node failed authentication";
	case REG_CODE_FA_HA_AUTH:
		return "FA: home agent failed authentication";
	case REG_CODE_FA_LIFETIME:
		return "FA: requested lifetime too long";
	case REG_CODE_FA_POORLY_FORMED_REQ:
		return "FA: poorly formed request";
	case REG_CODE_FA_POORLY_FORMED_REP:
		return "FA: poorly formed reply";
	case REG_CODE_FA_ENCAP:
		return "FA: requested encapsulation unavailable";
	case REG_CODE_FA_VJ:
		return "FA: reserved and unavailable";
	case REG_CODE_FA_RT_UNAVAIL:
		return "FA: requested reverse tunnel unavailable";
	case REG_CODE_FA_RT_MANDATORY:
		return "FA: reverse tunnel mandatory and T bit not set";
	case REG_CODE_FA_TOO_DISTANT:
		return "FA: mobile node too distant";
	case REG_CODE_FA_INVALID_COA:
		return "FA: invalid care-of address";
	case REG_CODE_FA_TIMEOUT:
		return "FA: registration timeout";
	case REG_CODE_FA_DELIVERY_STYLE:
		return "FA: delivery style not supported";
	case REG_CODE_FA_HOME_NET_UNREACH:
		return "FA: home network unreachable";
	case REG_CODE_FA_HA_HOST_UNREACH:
		return "FA: home agent host unreachable";
	case REG_CODE_FA_HA_PORT_UNREACH:
		return "FA: home agent port unreachable";
	case REG_CODE_FA_HA_UNREACH:
		return "FA: home agent unreachable";
	case REG_CODE_FA_NONZERO_HA_REQUIRED:
		return "FA: nonzero home agent address required";
	case REG_CODE_FA_MISSING_NAI:
		return "FA: missing NAI";
	case REG_CODE_FA_MISSING_HA:
		return "FA: missing home agent";
	case REG_CODE_FA_MISSING_HOME_ADDR:
		return "FA: missing home address";
	case REG_CODE_FA_INVALID_HA:
		return "FA: invalid home agent address";
	case REG_CODE_UNSPECIFIED:
		return "reason unspecified";
	case REG_CODE_PROHIBITED:
		return "administratively prohibited";
	case REG_CODE_RESOURCES:
		return "insufficient resources";
	case REG_CODE_MN_AUTH:
		return "mobile node failed authentication";
	case REG_CODE_FA_AUTH:
		return "foreign agent failed authentication";
	case REG_CODE_ID_MISMATCH:
		return "registration identification mismatch";
	case REG_CODE_POORLY_FORMED:
		return "poorly formed request";
	case REG_CODE_TOO_MANY_BINDINGS:
		return "too many simultaneous mobility bindings";
	case REG_CODE_UNKNOWN_HA:
		return "unknown home agent address";
	case REG_CODE_RT_UNAVAIL:
		return "requested reverse tunnel unavailable";
	case REG_CODE_RT_MANDATORY:
		return "reverse tunnel mandatory and T bit not set";
	case REG_CODE_ENCAP_UNAVAIL:
		return "requested encapsulation unavailable";
	}
	return "unknown code";
}

static struct in_addr get_addr(const uint8_t *p)
{
	struct in_addr a;

	memcpy(&a.s_addr, p, 4); /* stays in network order */
	return a;
}

static void put_addr(uint8_t *p, struct in_addr a)
{
	memcpy(p, &a.s_addr, 4);
}

/*
 * Where in the RFC's order we are (RFC 5944 3.6.1.3, 3.7.2.2, RFC 2794 2):
 * each authentication extension may appear once, MN-HA before MN-FA before
 * FA-HA, and the NAI before any of them. What follows FA-HA is covered by
 * no authenticator of ours, so only skippable extensions may stand there.
 */
enum reg_ext_phase {
	PHASE_HA,    /* before MN-HA auth: extensions for the home agent */
	PHASE_FA,    /* after MN-HA auth: extensions for the foreign agent */
	PHASE_MN_FA, /* after MN-FA auth: what the FA appends */
	PHASE_FA_HA, /* after FA-HA auth */
};

static int reg_auth_ext_parse(const uint8_t *buf, size_t off, uint8_t elen,
			      struct reg_auth_ext *a)
{
	if (elen < REG_AUTH_SPI_LEN)
		return -EBADMSG;
	a->off = (uint16_t)off;
	a->spi = be32_get(buf + off + REG_EXT_HDR);
	a->covered_len = off + REG_AUTH_EXT_HDR;
	a->auth = buf + a->covered_len;
	a->auth_len = elen - REG_AUTH_SPI_LEN;
	return 0;
}

static int reg_exts_parse(const uint8_t *buf, size_t len, size_t off,
			  struct reg_exts *x)
{
	enum reg_ext_phase phase = PHASE_HA;
	int err;

	memset(x, 0, sizeof(*x));
	while (off < len) {
		uint8_t type = buf[off], elen;

		/*
		 * An unknown type below 128 cannot even be skipped (its
		 * format may be the long one, RFC 5944 1.10): 1.9 says to
		 * discard the whole message silently. Checked before the
		 * length so that a message ending in such a type is
		 * discarded too rather than called poorly formed.
		 */
		if (type < REG_EXT_SKIPPABLE && type != REG_EXT_MN_HA_AUTH &&
		    type != REG_EXT_MN_FA_AUTH && type != REG_EXT_FA_HA_AUTH)
			return -EPROTO;
		/* Short or TLV format: the Length is always the 2nd byte. */
		if (len - off < REG_EXT_HDR)
			return -EBADMSG;
		elen = buf[off + 1];
		if (len - off - REG_EXT_HDR < elen)
			return -EBADMSG;

		switch (type) {
		case REG_EXT_NAI:
			if (phase != PHASE_HA || x->nai || elen == 0)
				return -EBADMSG;
			x->nai = buf + off + REG_EXT_HDR;
			x->nai_len = elen;
			x->nai_off = (uint16_t)off;
			break;
		case REG_EXT_MN_HA_AUTH:
			if (phase != PHASE_HA)
				return -EBADMSG;
			err = reg_auth_ext_parse(buf, off, elen, &x->mn_ha);
			if (err)
				return err;
			x->has_mn_ha = true;
			phase = PHASE_FA;
			break;
		case REG_EXT_MN_FA_AUTH:
			/* Without MN-HA (phase HA) the caller answers 131. */
			if (phase > PHASE_FA)
				return -EBADMSG;
			err = reg_auth_ext_parse(buf, off, elen, &x->mn_fa);
			if (err)
				return err;
			x->has_mn_fa = true;
			phase = PHASE_MN_FA;
			break;
		case REG_EXT_FA_HA_AUTH:
			if (phase == PHASE_FA_HA)
				return -EBADMSG;
			err = reg_auth_ext_parse(buf, off, elen, &x->fa_ha);
			if (err)
				return err;
			x->has_fa_ha = true;
			phase = PHASE_FA_HA;
			break;
		default:
			/* 128-255 and not ours: skipped (RFC 5944 1.9). */
			x->skipped_exts++;
			break;
		}
		off += REG_EXT_HDR + elen;
	}
	return 0;
}

int reg_request_parse(const uint8_t *buf, size_t len, struct reg_request *req)
{
	int err;

	memset(req, 0, sizeof(*req));
	if (len > REG_MSG_MAX)
		return -EMSGSIZE;
	if (!buf || len < REG_REQUEST_LEN || buf[0] != REG_TYPE_REQUEST)
		return -EPROTO;

	req->flags = buf[1];
	req->lifetime = be16_get(buf + 2);
	req->home_addr = get_addr(buf + 4);
	req->ha_addr = get_addr(buf + 8);
	req->coa = get_addr(buf + 12);
	req->id = be64_get(buf + 16);
	req->len = len;

	err = reg_exts_parse(buf, len, REG_REQUEST_LEN, &req->exts);
	if (err)
		memset(&req->exts, 0, sizeof(req->exts));
	return err;
}

int reg_reply_parse(const uint8_t *buf, size_t len, struct reg_reply *rep)
{
	int err;

	memset(rep, 0, sizeof(*rep));
	if (len > REG_MSG_MAX)
		return -EMSGSIZE;
	if (!buf || len < REG_REPLY_LEN || buf[0] != REG_TYPE_REPLY)
		return -EPROTO;

	rep->code = buf[1];
	rep->lifetime = be16_get(buf + 2);
	rep->home_addr = get_addr(buf + 4);
	rep->ha_addr = get_addr(buf + 8);
	rep->id = be64_get(buf + 12);
	rep->len = len;

	err = reg_exts_parse(buf, len, REG_REPLY_LEN, &rep->exts);
	if (err)
		memset(&rep->exts, 0, sizeof(rep->exts));
	return err;
}

bool reg_nai_valid(const uint8_t *nai, size_t len)
{
	size_t i;

	if (!len || len > 255)
		return false;
	for (i = 0; i < len; i++)
		if (nai[i] <= 0x20 || nai[i] >= 0x7f)
			return false;
	return true;
}

static size_t reg_auth_ext_end(const struct reg_auth_ext *a)
{
	return a->covered_len + a->auth_len;
}

unsigned int reg_request_covered(const struct reg_request *req,
				 const struct reg_auth_ext *auth)
{
	size_t lim = auth->covered_len;
	unsigned int m = 0;

	if (req->nai &&
	    (size_t)req->nai_off + REG_EXT_HDR + req->nai_len <= lim)
		m |= REG_EXTB_NAI;
	if (req->has_mn_ha && reg_auth_ext_end(&req->mn_ha) <= lim)
		m |= REG_EXTB_MN_HA;
	if (req->has_mn_fa && reg_auth_ext_end(&req->mn_fa) <= lim)
		m |= REG_EXTB_MN_FA;
	if (req->has_fa_ha && reg_auth_ext_end(&req->fa_ha) <= lim)
		m |= REG_EXTB_FA_HA;
	return m;
}

void reg_nai_fold(const uint8_t *nai, size_t len, uint8_t *out)
{
	size_t i, at = len;

	for (i = 0; i < len; i++)
		if (nai[i] == '@')
			at = i;
	for (i = 0; i < len; i++)
		out[i] = i > at && nai[i] >= 'A' && nai[i] <= 'Z' ?
				 (uint8_t)(nai[i] | 0x20) :
				 nai[i];
}

const uint8_t *reg_request_identity(const struct reg_request *req,
				    uint8_t *len)
{
	*len = 0;
	if (!req->nai || !req->has_mn_ha ||
	    !(reg_request_covered(req, &req->mn_ha) & REG_EXTB_NAI))
		return NULL;
	*len = req->nai_len;
	return req->nai;
}

bool reg_auth_ext_verify(const uint8_t *buf, const struct reg_auth_ext *ext,
			 const struct auth_key *k)
{
	if (!buf || !ext || !k || ext->spi != k->spi)
		return false;
	return auth_verify(k, buf, ext->covered_len, ext->auth, ext->auth_len);
}

/* Bytes the optional extensions of a built message take. */
static size_t reg_exts_size(uint8_t nai_len, const struct auth_key *mn_ha,
			    const struct auth_key *fa_ha)
{
	size_t n = 0;

	if (nai_len)
		n += REG_EXT_HDR + nai_len;
	if (mn_ha)
		n += REG_AUTH_EXT_HDR + AUTH_MD5_LEN;
	if (fa_ha)
		n += REG_AUTH_EXT_HDR + AUTH_MD5_LEN;
	return n;
}

static bool reg_build_key_ok(const struct auth_key *k)
{
	return !k || (k->key_len > 0 && k->key_len <= AUTH_KEY_MAX &&
		      (k->algo == AUTH_HMAC_MD5 ||
		       k->algo == AUTH_PREFIX_SUFFIX_MD5));
}

/* Appends an authentication extension over buf[0..off) at off. */
static ssize_t reg_put_auth(uint8_t *buf, size_t off, uint8_t type,
			    const struct auth_key *k)
{
	int err;

	buf[off] = type;
	buf[off + 1] = REG_AUTH_SPI_LEN + AUTH_MD5_LEN;
	be32_put(buf + off + REG_EXT_HDR, k->spi);
	err = auth_compute(k, buf, off + REG_AUTH_EXT_HDR,
			   buf + off + REG_AUTH_EXT_HDR);
	if (err)
		return err;
	return off + REG_AUTH_EXT_HDR + AUTH_MD5_LEN;
}

/* NAI, MN-HA auth, FA-HA auth after a fixed part of off bytes. */
static ssize_t reg_put_exts(uint8_t *buf, size_t off, const uint8_t *nai,
			    uint8_t nai_len, const struct auth_key *mn_ha,
			    const struct auth_key *fa_ha)
{
	ssize_t r = off;

	if (nai_len) {
		buf[off] = REG_EXT_NAI;
		buf[off + 1] = nai_len;
		memcpy(buf + off + REG_EXT_HDR, nai, nai_len);
		r = off + REG_EXT_HDR + nai_len;
	}
	if (mn_ha) {
		r = reg_put_auth(buf, r, REG_EXT_MN_HA_AUTH, mn_ha);
		if (r < 0)
			return r;
	}
	if (fa_ha)
		r = reg_put_auth(buf, r, REG_EXT_FA_HA_AUTH, fa_ha);
	return r;
}

ssize_t reg_request_build(uint8_t *buf, size_t size,
			  const struct reg_request *req,
			  const struct auth_key *mn_ha,
			  const struct auth_key *fa_ha)
{
	size_t need;

	if (!req || (req->nai_len && !req->nai) || !reg_build_key_ok(mn_ha) ||
	    !reg_build_key_ok(fa_ha))
		return -EINVAL;
	need = REG_REQUEST_LEN + reg_exts_size(req->nai_len, mn_ha, fa_ha);
	if (!buf || size < need)
		return -ENOSPC;

	buf[0] = REG_TYPE_REQUEST;
	buf[1] = req->flags;
	be16_put(buf + 2, req->lifetime);
	put_addr(buf + 4, req->home_addr);
	put_addr(buf + 8, req->ha_addr);
	put_addr(buf + 12, req->coa);
	be64_put(buf + 16, req->id);
	return reg_put_exts(buf, REG_REQUEST_LEN, req->nai, req->nai_len, mn_ha,
			    fa_ha);
}

ssize_t reg_reply_build(uint8_t *buf, size_t size, const struct reg_reply *rep,
			const struct auth_key *mn_ha,
			const struct auth_key *fa_ha)
{
	size_t need;

	if (!rep || (rep->nai_len && !rep->nai) || !reg_build_key_ok(mn_ha) ||
	    !reg_build_key_ok(fa_ha))
		return -EINVAL;
	need = REG_REPLY_LEN + reg_exts_size(rep->nai_len, mn_ha, fa_ha);
	if (!buf || size < need)
		return -ENOSPC;

	buf[0] = REG_TYPE_REPLY;
	buf[1] = rep->code;
	be16_put(buf + 2, rep->lifetime);
	put_addr(buf + 4, rep->home_addr);
	put_addr(buf + 8, rep->ha_addr);
	be64_put(buf + 12, rep->id);
	return reg_put_exts(buf, REG_REPLY_LEN, rep->nai, rep->nai_len, mn_ha,
			    fa_ha);
}

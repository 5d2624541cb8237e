// SPDX-License-Identifier: GPL-2.0
/*
 * hsrp_msg: HSRP v1 / v2 codec and MD5 authentication (see hsrp_msg.h).
 *
 * Every read is bounded by the length the caller gave; a TLV's Length is
 * checked against what is left before its value is looked at, and a known
 * TLV's value against the exact length it has.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "byteorder.h"
#include "hsrp_msg.h"

/* v1 packet offsets (RFC 2281 5). */
enum {
	V1_VERSION = 0,
	V1_OPCODE = 1,
	V1_STATE = 2,
	V1_HELLO = 3,
	V1_HOLD = 4,
	V1_PRIORITY = 5,
	V1_GROUP = 6,
	V1_RESERVED = 7,
	V1_TEXT = 8,
	V1_VIP = 16,
};

/* Group State TLV value offsets (Wireshark packet-hsrp.c). */
enum {
	GS_VERSION = 0,
	GS_OPCODE = 1,
	GS_STATE = 2,
	GS_IPVER = 3,
	GS_GROUP = 4,
	GS_IDENT = 6,
	GS_PRIORITY = 12,
	GS_HELLO = 16,
	GS_HOLD = 20,
	GS_VIP = 24,
};

/* MD5 Authentication TLV value offsets. */
enum {
	MD5_ALGO = 0,
	MD5_PADDING = 1,
	MD5_FLAGS = 2,
	MD5_SENDER = 4,
	MD5_KEY_ID = 8,
	MD5_DIGEST = 12,
};

#define V1_WIRE_VERSION	 0  /* RFC 2281: "this document describes version 0" */
#define V1_ADVERTISE_LEN 16 /* op code 3, as Wireshark's packet-hsrp.c reads */
#define GS_WIRE_VERSION	 2

/*
 * The states on the wire, indexed by enum hsrp_state: v1 gives each a bit
 * (RFC 2281 5), v2 counts them from 1 (0 is "disabled", never sent).
 */
static const uint8_t v1_states[] = { 0, 1, 2, 4, 8, 16 };
static const uint8_t v2_states[] = { 1, 2, 3, 4, 5, 6 };
#define N_STATES (sizeof(v1_states) / sizeof(v1_states[0]))

static int state_from_wire(const uint8_t *table, uint8_t wire)
{
	unsigned int s;

	for (s = 0; s < N_STATES; s++)
		if (table[s] == wire)
			return (int)s;
	return -EBADMSG;
}

const char *hsrp_opcode_str(uint8_t opcode)
{
	static const char *const names[] = { "hello", "coup", "resign",
					     "advertise" };

	return opcode < sizeof(names) / sizeof(names[0]) ? names[opcode] : "?";
}

const char *hsrp_state_str(uint8_t state)
{
	static const char *const names[] = { "initial", "learn",   "listen",
					     "speak",	"standby", "active" };

	return state < N_STATES ? names[state] : "?";
}

static int md5_tlv_decode(const uint8_t *buf, size_t off,
			  struct hsrp_md5_tlv *t)
{
	const uint8_t *v = buf + off + HSRP_TLV_HDR;

	t->algorithm = v[MD5_ALGO];
	if (t->algorithm != HSRP_MD5_ALGO_MD5)
		return -EPROTO;
	t->padding = v[MD5_PADDING];
	t->flags = be16_get(v + MD5_FLAGS);
	memcpy(&t->sender.s_addr, v + MD5_SENDER, 4);
	t->key_id = be32_get(v + MD5_KEY_ID);
	t->digest = v + MD5_DIGEST;
	t->off = off;
	return 0;
}

static int v1_decode(const uint8_t *buf, size_t len, struct hsrp_msg *m)
{
	int state;

	if (!buf || len < V1_OPCODE + 1 || buf[V1_VERSION] != V1_WIRE_VERSION)
		return -EPROTO;
	/* Another layout altogether (16 bytes): no group in it. Only a whole
	 * one is "well formed but for no group"; a stub is too short. */
	if (buf[V1_OPCODE] == HSRP_OP_ADVERTISE)
		return len < V1_ADVERTISE_LEN ? -EPROTO : -ENOMSG;
	if (len < HSRP_V1_LEN)
		return -EPROTO;
	if (buf[V1_OPCODE] > HSRP_OP_RESIGN)
		return -EBADMSG;
	state = state_from_wire(v1_states, buf[V1_STATE]);
	if (state < 0)
		return state;

	m->version = HSRP_V1;
	m->opcode = buf[V1_OPCODE];
	m->state = (uint8_t)state;
	m->hello_ms = buf[V1_HELLO] * 1000u;
	m->hold_ms = buf[V1_HOLD] * 1000u;
	m->priority = buf[V1_PRIORITY];
	m->group = buf[V1_GROUP];
	m->has_text = true;
	memcpy(m->text, buf + V1_TEXT, HSRP_TEXT_LEN);
	m->ip_version = 4;
	memcpy(&m->vip.v4.s_addr, buf + V1_VIP, 4);
	m->len = len;

	if (len == HSRP_V1_LEN)
		return 0;
	/* What IOS appends (and Wireshark and scapy read): one MD5 TLV. */
	if (len != HSRP_V1_MD5_LEN || buf[HSRP_V1_LEN] != HSRP_TLV_MD5_AUTH ||
	    buf[HSRP_V1_LEN + 1] != HSRP_MD5_TLV_LEN)
		return -EBADMSG;
	m->has_md5 = true;
	return md5_tlv_decode(buf, HSRP_V1_LEN, &m->md5);
}

static int group_tlv_decode(const uint8_t *v, struct hsrp_msg *m)
{
	int state;

	if (v[GS_VERSION] != GS_WIRE_VERSION)
		return -EPROTO;
	if (v[GS_OPCODE] > HSRP_OP_RESIGN)
		return -EBADMSG;
	state = state_from_wire(v2_states, v[GS_STATE]);
	if (state < 0)
		return state;
	if (v[GS_IPVER] != 4 && v[GS_IPVER] != 6)
		return -EPROTO;
	m->group = be16_get(v + GS_GROUP);
	if (m->group > HSRP_V2_GROUP_MAX)
		return -EBADMSG;

	m->opcode = v[GS_OPCODE];
	m->state = (uint8_t)state;
	m->ip_version = v[GS_IPVER];
	memcpy(m->identifier, v + GS_IDENT, sizeof(m->identifier));
	m->priority = be32_get(v + GS_PRIORITY);
	m->hello_ms = be32_get(v + GS_HELLO);
	m->hold_ms = be32_get(v + GS_HOLD);
	if (m->ip_version == 4)
		memcpy(&m->vip.v4.s_addr, v + GS_VIP, 4);
	else
		memcpy(&m->vip.v6, v + GS_VIP, 16);
	return 0;
}

/* The exact value length of each known TLV type; 0 for unknown types. */
static uint8_t tlv_known_len(uint8_t type)
{
	switch (type) {
	case HSRP_TLV_GROUP_STATE:
		return HSRP_GROUP_TLV_LEN;
	case HSRP_TLV_IFSTATE:
		return HSRP_IFSTATE_TLV_LEN;
	case HSRP_TLV_TEXT_AUTH:
		return HSRP_TEXT_LEN;
	case HSRP_TLV_MD5_AUTH:
		return HSRP_MD5_TLV_LEN;
	}
	return 0;
}

static int v2_decode(const uint8_t *buf, size_t len, struct hsrp_msg *m)
{
	bool has_group = false;
	size_t off = 0;
	int err;

	if (!buf || len == 0 || buf[0] == V1_WIRE_VERSION)
		return -EPROTO;
	while (off < len) {
		uint8_t type, tlen, known;
		const uint8_t *v;

		if (len - off < HSRP_TLV_HDR)
			return -EBADMSG;
		type = buf[off];
		tlen = buf[off + 1];
		if (len - off - HSRP_TLV_HDR < tlen)
			return -EBADMSG;
		known = tlv_known_len(type);
		if (known && tlen != known)
			return -EBADMSG;
		v = buf + off + HSRP_TLV_HDR;

		switch (type) {
		case HSRP_TLV_GROUP_STATE:
			if (has_group)
				return -EBADMSG;
			err = group_tlv_decode(v, m);
			if (err)
				return err;
			has_group = true;
			break;
		case HSRP_TLV_TEXT_AUTH:
			if (m->has_text)
				return -EBADMSG;
			memcpy(m->text, v, HSRP_TEXT_LEN);
			m->has_text = true;
			break;
		case HSRP_TLV_MD5_AUTH:
			if (m->has_md5)
				return -EBADMSG;
			err = md5_tlv_decode(buf, off, &m->md5);
			if (err)
				return err;
			m->has_md5 = true;
			break;
		default:
			/* Interface state (no group in it) and unknown types:
			 * the Length says where the next TLV starts. */
			m->skipped_tlvs++;
			break;
		}
		off += HSRP_TLV_HDR + tlen;
	}
	if (!has_group)
		return m->has_text || m->has_md5 ? -EBADMSG : -ENOMSG;
	m->version = HSRP_V2;
	m->len = len;
	return 0;
}

static int decode_with(int (*fn)(const uint8_t *, size_t, struct hsrp_msg *),
		       const uint8_t *buf, size_t len, struct hsrp_msg *m)
{
	int err;

	memset(m, 0, sizeof(*m));
	err = fn(buf, len, m);
	if (err)
		memset(m, 0, sizeof(*m));
	return err;
}

int hsrp_v1_decode(const uint8_t *buf, size_t len, struct hsrp_msg *m)
{
	return decode_with(v1_decode, buf, len, m);
}

int hsrp_v2_decode(const uint8_t *buf, size_t len, struct hsrp_msg *m)
{
	return decode_with(v2_decode, buf, len, m);
}

int hsrp_decode(const uint8_t *buf, size_t len, struct hsrp_msg *m)
{
	if (buf && len && buf[0] == V1_WIRE_VERSION)
		return hsrp_v1_decode(buf, len, m);
	return hsrp_v2_decode(buf, len, m);
}

static bool md5_key_valid(const struct hsrp_md5_key *key)
{
	return key && key->key_len >= 1 && key->key_len <= HSRP_MD5_KEY_MAX;
}

int hsrp_md5_compute(const uint8_t *buf, size_t len, size_t md5_off,
		     const struct hsrp_md5_key *key,
		     uint8_t out[HSRP_MD5_DIGEST_LEN])
{
	static const uint8_t zero[HSRP_MD5_DIGEST_LEN];
	/* key || keyfill: the key, 0x80, zeros, its bit length in 8 bytes,
	 * to a multiple of 64 (two blocks for keys of 56-64 bytes). */
	uint8_t fill[128] = { 0 };
	size_t fill_len, dig, i;
	unsigned int olen = 0;
	uint64_t bits;
	EVP_MD_CTX *ctx;
	int ok;

	if (!buf || !md5_key_valid(key) || md5_off > len ||
	    len - md5_off < HSRP_TLV_HDR + HSRP_MD5_TLV_LEN)
		return -EINVAL;
	dig = md5_off + HSRP_TLV_HDR + MD5_DIGEST;

	fill_len = (key->key_len + 8u) / 64u * 64u + 64u;
	memcpy(fill, key->key, key->key_len);
	fill[key->key_len] = 0x80;
	bits = (uint64_t)key->key_len * 8u;
	for (i = 0; i < 8; i++)
		fill[fill_len - 8 + i] = (uint8_t)(bits >> (8 * i));

	ctx = EVP_MD_CTX_new();
	if (!ctx) {
		OPENSSL_cleanse(fill, sizeof(fill));
		return -EIO;
	}
	ok = EVP_DigestInit_ex(ctx, EVP_md5(), NULL) &&
	     EVP_DigestUpdate(ctx, fill, fill_len) &&
	     EVP_DigestUpdate(ctx, buf, dig) &&
	     EVP_DigestUpdate(ctx, zero, sizeof(zero)) &&
	     EVP_DigestUpdate(ctx, buf + dig + HSRP_MD5_DIGEST_LEN,
			      len - dig - HSRP_MD5_DIGEST_LEN) &&
	     EVP_DigestUpdate(ctx, key->key, key->key_len) &&
	     EVP_DigestFinal_ex(ctx, out, &olen);
	EVP_MD_CTX_free(ctx); /* cleanses the MD5 state holding the key */
	OPENSSL_cleanse(fill, sizeof(fill));
	return ok && olen == HSRP_MD5_DIGEST_LEN ? 0 : -EIO;
}

bool hsrp_md5_verify(const uint8_t *buf, const struct hsrp_msg *m,
		     const struct hsrp_md5_key *key)
{
	uint8_t d[HSRP_MD5_DIGEST_LEN];

	if (!buf || !m || !m->has_md5 || !m->md5.digest ||
	    m->md5.algorithm != HSRP_MD5_ALGO_MD5 ||
	    hsrp_md5_compute(buf, m->len, m->md5.off, key, d))
		return false;
	return CRYPTO_memcmp(d, m->md5.digest, sizeof(d)) == 0;
}

/* What the version can carry, before a byte is written. */
static int encode_check(const struct hsrp_msg *m)
{
	if (m->opcode > HSRP_OP_RESIGN || m->state >= N_STATES)
		return -EINVAL;
	switch (m->version) {
	case HSRP_V1: {
		static const uint8_t none[sizeof(m->identifier)];

		if (m->priority > 255 || m->group > HSRP_V1_GROUP_MAX ||
		    m->hello_ms % 1000 || m->hello_ms > 255000 ||
		    m->hold_ms % 1000 || m->hold_ms > 255000 ||
		    m->ip_version != 4 ||
		    memcmp(m->identifier, none, sizeof(none)))
			return -EINVAL;
		return 0;
	}
	case HSRP_V2:
		if (m->group > HSRP_V2_GROUP_MAX ||
		    (m->ip_version != 4 && m->ip_version != 6))
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

static void v1_put(uint8_t *p, const struct hsrp_msg *m)
{
	p[V1_VERSION] = V1_WIRE_VERSION;
	p[V1_OPCODE] = m->opcode;
	p[V1_STATE] = v1_states[m->state];
	p[V1_HELLO] = (uint8_t)(m->hello_ms / 1000);
	p[V1_HOLD] = (uint8_t)(m->hold_ms / 1000);
	p[V1_PRIORITY] = (uint8_t)m->priority;
	p[V1_GROUP] = (uint8_t)m->group;
	p[V1_RESERVED] = 0;
	memcpy(p + V1_TEXT, m->text, HSRP_TEXT_LEN);
	memcpy(p + V1_VIP, &m->vip.v4.s_addr, 4);
}

static void group_tlv_put(uint8_t *p, const struct hsrp_msg *m)
{
	uint8_t *v = p + HSRP_TLV_HDR;

	p[0] = HSRP_TLV_GROUP_STATE;
	p[1] = HSRP_GROUP_TLV_LEN;
	memset(v, 0, HSRP_GROUP_TLV_LEN);
	v[GS_VERSION] = GS_WIRE_VERSION;
	v[GS_OPCODE] = m->opcode;
	v[GS_STATE] = v2_states[m->state];
	v[GS_IPVER] = m->ip_version;
	be16_put(v + GS_GROUP, m->group);
	memcpy(v + GS_IDENT, m->identifier, sizeof(m->identifier));
	be32_put(v + GS_PRIORITY, m->priority);
	be32_put(v + GS_HELLO, m->hello_ms);
	be32_put(v + GS_HOLD, m->hold_ms);
	if (m->ip_version == 4)
		memcpy(v + GS_VIP, &m->vip.v4.s_addr, 4);
	else
		memcpy(v + GS_VIP, &m->vip.v6, 16);
}

/*
 * The MD5 TLV with a zero digest, to be filled by hsrp_md5_compute(). Its
 * Algorithm is MD5 whatever t says: that is the digest computed, and the
 * one algorithm a decoder (ours included) accepts.
 */
static void md5_tlv_put(uint8_t *p, const struct hsrp_md5_tlv *t)
{
	uint8_t *v = p + HSRP_TLV_HDR;

	p[0] = HSRP_TLV_MD5_AUTH;
	p[1] = HSRP_MD5_TLV_LEN;
	v[MD5_ALGO] = HSRP_MD5_ALGO_MD5;
	v[MD5_PADDING] = t->padding;
	be16_put(v + MD5_FLAGS, t->flags);
	memcpy(v + MD5_SENDER, &t->sender.s_addr, 4);
	be32_put(v + MD5_KEY_ID, t->key_id);
	memset(v + MD5_DIGEST, 0, HSRP_MD5_DIGEST_LEN);
}

ssize_t hsrp_encode(uint8_t *buf, size_t size, const struct hsrp_msg *m,
		    const struct hsrp_md5_key *key)
{
	const size_t md5_len = HSRP_TLV_HDR + HSRP_MD5_TLV_LEN;
	size_t need, off;
	int err;

	if (!buf || !m || (key && !md5_key_valid(key)))
		return -EINVAL;
	err = encode_check(m);
	if (err)
		return err;
	if (m->version == HSRP_V1)
		need = HSRP_V1_LEN;
	else
		need = HSRP_TLV_HDR + HSRP_GROUP_TLV_LEN +
		       (m->has_text ? HSRP_TLV_HDR + HSRP_TEXT_LEN : 0);
	if (key)
		need += md5_len;
	if (size < need)
		return -ENOSPC;

	if (m->version == HSRP_V1) {
		v1_put(buf, m);
		off = HSRP_V1_LEN;
	} else {
		group_tlv_put(buf, m);
		off = HSRP_TLV_HDR + HSRP_GROUP_TLV_LEN;
		if (m->has_text) {
			buf[off] = HSRP_TLV_TEXT_AUTH;
			buf[off + 1] = HSRP_TEXT_LEN;
			memcpy(buf + off + HSRP_TLV_HDR, m->text,
			       HSRP_TEXT_LEN);
			off += HSRP_TLV_HDR + HSRP_TEXT_LEN;
		}
	}
	if (key) {
		md5_tlv_put(buf + off, &m->md5);
		err = hsrp_md5_compute(buf, need, off, key,
				       buf + off + HSRP_TLV_HDR + MD5_DIGEST);
		if (err)
			return err;
	}
	return (ssize_t)need;
}

int hsrp_virtual_mac(uint8_t version, uint16_t group, uint8_t mac[6])
{
	/* Cisco's OUI 00:00:0c, then 07:ac (v1) or 9f:f (v2) and the group */
	mac[0] = 0x00;
	mac[1] = 0x00;
	mac[2] = 0x0c;
	if (version == HSRP_V1 && group <= HSRP_V1_GROUP_MAX) {
		mac[3] = 0x07;
		mac[4] = 0xac;
		mac[5] = (uint8_t)group;
		return 0;
	}
	if (version == HSRP_V2 && group <= HSRP_V2_GROUP_MAX) {
		mac[3] = 0x9f;
		mac[4] = (uint8_t)(0xf0 | group >> 8);
		mac[5] = group & 0xff;
		return 0;
	}
	memset(mac, 0, 6);
	return -EINVAL;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the HSRP codec (hsrp_msg.c) on what arrives at UDP
 * port 1985. The input is one datagram's payload, decoded from an
 * exact-size copy (any read past the end is caught) by hsrp_decode() and
 * by each version's decoder. It must never crash, and must answer one of
 * the documented errors or a self-consistent message: the MD5 TLV and its
 * digest inside the buffer, verification under a key not crashing. An
 * accepted message is re-encoded twice, without MD5 and with the fuzz key
 * (whether or not it had an MD5 TLV: the encoder must not depend on what
 * the decoder happened to fill in), and each is decoded again: the same
 * fields, an MD5 TLV exactly when a key was given and a digest that
 * verifies, and a second encoding identical to the first (decode ->
 * encode is stable). Encoding into one byte less fails without writing
 * past it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hsrp_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct hsrp_md5_key key = {
	.key = "fuzz",
	.key_len = 4,
};

/* The fields the encoder writes back (not len, skipped TLVs, digest). */
static bool same_fields(const struct hsrp_msg *a, const struct hsrp_msg *b)
{
	if (a->version != b->version || a->opcode != b->opcode ||
	    a->state != b->state || a->group != b->group ||
	    a->priority != b->priority || a->hello_ms != b->hello_ms ||
	    a->hold_ms != b->hold_ms || a->ip_version != b->ip_version ||
	    memcmp(a->identifier, b->identifier, sizeof(a->identifier)) ||
	    a->has_text != b->has_text || a->has_md5 != b->has_md5)
		return false;
	if (a->ip_version == 4 ? a->vip.v4.s_addr != b->vip.v4.s_addr :
				 memcmp(&a->vip.v6, &b->vip.v6, 16))
		return false;
	if (a->has_text && memcmp(a->text, b->text, sizeof(a->text)))
		return false;
	return !a->has_md5 || (a->md5.algorithm == b->md5.algorithm &&
			       a->md5.padding == b->md5.padding &&
			       a->md5.flags == b->md5.flags &&
			       a->md5.sender.s_addr == b->md5.sender.s_addr &&
			       a->md5.key_id == b->md5.key_id);
}

static void check_decoded(const uint8_t *buf, size_t size,
			  const struct hsrp_msg *m)
{
	if (m->len != size || (m->version != HSRP_V1 && m->version != HSRP_V2))
		abort();
	if (m->version == HSRP_V1 &&
	    (m->group > HSRP_V1_GROUP_MAX || m->priority > 255 ||
	     m->ip_version != 4 || !m->has_text))
		abort();
	if (m->group > HSRP_V2_GROUP_MAX || m->state > HSRP_STATE_ACTIVE ||
	    m->opcode > HSRP_OP_RESIGN)
		abort();
	if (m->has_md5 &&
	    ((size_t)m->md5.off + HSRP_TLV_HDR + HSRP_MD5_TLV_LEN > size ||
	     m->md5.digest != buf + m->md5.off + HSRP_TLV_HDR + 12))
		abort();
	/* Whatever the result, it must not crash or read out of bounds. */
	(void)hsrp_md5_verify(buf, m, &key);
}

/* m encoded with k (NULL: no MD5 TLV) and decoded back. */
static void round_trip(const struct hsrp_msg *m, const struct hsrp_md5_key *k)
{
	uint8_t out[128], again[128], *small;
	struct hsrp_msg want = *m, back, back2;
	ssize_t n, n2;

	/* What the encoder is to send: an MD5 TLV with a key (algorithm MD5,
	 * the rest from m->md5, zero if m had none), none without. */
	want.has_md5 = k != NULL;
	if (k)
		want.md5.algorithm = HSRP_MD5_ALGO_MD5;
	else
		memset(&want.md5, 0, sizeof(want.md5));
	n = hsrp_encode(out, sizeof(out), m, k);
	if (n <= 0 || hsrp_decode(out, (size_t)n, &back) ||
	    !same_fields(&want, &back) || back.skipped_tlvs ||
	    (k && !hsrp_md5_verify(out, &back, k)))
		abort();
	n2 = hsrp_encode(again, sizeof(again), &back, k);
	if (n2 != n || memcmp(out, again, (size_t)n) ||
	    hsrp_decode(again, (size_t)n2, &back2) ||
	    !same_fields(&back, &back2))
		abort();
	/* One byte short: refused, nothing written past the end (ASan). */
	small = malloc((size_t)n - 1);
	if (!small || hsrp_encode(small, (size_t)n - 1, m, k) != -ENOSPC)
		abort();
	free(small);
}

static void check_error(int err)
{
	if (err != -EPROTO && err != -EBADMSG && err != -ENOMSG)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int (*const decoders[])(const uint8_t *, size_t, struct hsrp_msg *) = {
		hsrp_decode,
		hsrp_v1_decode,
		hsrp_v2_decode,
	};
	struct hsrp_msg m;
	uint8_t *buf;

	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	for (size_t i = 0; i < sizeof(decoders) / sizeof(decoders[0]); i++) {
		int err = decoders[i](buf, size, &m);

		if (err) {
			check_error(err);
			continue;
		}
		check_decoded(buf, size, &m);
		round_trip(&m, NULL);
		round_trip(&m, &key);
	}
	free(buf);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * auth: the authenticators of Mobile IPv4 authentication extensions
 * (MN-HA, MN-FA, FA-HA; RFC 5944 section 3.5).
 *
 * Two algorithms, both over "the protected data" (the registration message
 * from its first byte up to and including the SPI of the extension that
 * carries the authenticator; reg_msg.h computes that range):
 *  - HMAC-MD5 (RFC 2104), the RFC 5944 default; IOS "hmac-md5".
 *  - keyed MD5 in prefix+suffix mode, MD5(key || data || key), the RFC 2002
 *    default still spoken by older mobile nodes; IOS "prefix-suffix".
 * Both give a 16-byte authenticator.
 *
 * Pure functions, no state: safe from any thread. Key material handed in
 * is never copied anywhere but the stack, and that copy is cleansed.
 */
#ifndef MIPHA_AUTH_H
#define MIPHA_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTH_MD5_LEN 16 /* bytes of an HMAC-MD5 / keyed-MD5 authenticator */
#define AUTH_KEY_MAX 64 /* longest key we hold, bytes (one MD5 block) */

enum auth_algo {
	AUTH_HMAC_MD5,		/* HMAC-MD5, RFC 2104 / RFC 5944 3.5.1 */
	AUTH_PREFIX_SUFFIX_MD5, /* MD5(key || data || key), RFC 2002 3.5.1 */
};

/*
 * One security association's key: what the MN-HA or FA-HA SA of the
 * configuration boils down to for computing an authenticator.
 */
struct auth_key {
	uint32_t spi; /* Security Parameter Index: selects the
				     * SA; sent in the extension (host order) */
	enum auth_algo algo;
	uint8_t key[AUTH_KEY_MAX]; /* shared secret, binary */
	uint8_t key_len;	   /* bytes used in key[], 1..AUTH_KEY_MAX */
};

/*
 * Computes the authenticator of data[0..len) with k into out.
 * Returns 0, -EINVAL for a bad key (length 0 or > AUTH_KEY_MAX, unknown
 * algorithm), or -EIO if OpenSSL failed.
 */
int auth_compute(const struct auth_key *k, const uint8_t *data, size_t len,
		 uint8_t out[AUTH_MD5_LEN]);

/*
 * True if auth[0..auth_len) is the authenticator of data[0..len) under k.
 * An authenticator of the wrong length never verifies. The comparison takes
 * the same time wherever the first differing byte is (CRYPTO_memcmp).
 */
bool auth_verify(const struct auth_key *k, const uint8_t *data, size_t len,
		 const uint8_t *auth, size_t auth_len);

/* "hmac-md5" / "prefix-suffix" (the IOS keywords); "?" if unknown. */
const char *auth_algo_name(enum auth_algo algo);

/*
 * Parses an algorithm name: "hmac-md5", "prefix-suffix" (also accepted:
 * "prefix-suffix-md5", "md5" for the latter, as older configurations
 * wrote). Returns 0 or -EINVAL.
 */
int auth_algo_parse(const char *s, enum auth_algo *out);

#endif /* MIPHA_AUTH_H */

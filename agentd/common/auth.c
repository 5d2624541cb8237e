// SPDX-License-Identifier: GPL-2.0
/*
 * auth: HMAC-MD5 and prefix+suffix keyed-MD5 authenticators (see auth.h).
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auth.h"

static bool auth_key_valid(const struct auth_key *k)
{
	if (!k || k->key_len == 0 || k->key_len > AUTH_KEY_MAX)
		return false;
	return k->algo == AUTH_HMAC_MD5 || k->algo == AUTH_PREFIX_SUFFIX_MD5;
}

/*
 * RFC 2002 3.5.1: "the key is used as a prefix and suffix of the data":
 * MD5(key || data || key). An EVP digest context rather than MD5() because
 * the low-level MD5 API is deprecated in OpenSSL 3.
 */
static int auth_prefix_suffix(const struct auth_key *k, const uint8_t *data,
			      size_t len, uint8_t out[AUTH_MD5_LEN])
{
	unsigned int olen = 0;
	EVP_MD_CTX *ctx;
	int ok;

	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_md5(), NULL) &&
	     EVP_DigestUpdate(ctx, k->key, k->key_len) &&
	     EVP_DigestUpdate(ctx, data, len) &&
	     EVP_DigestUpdate(ctx, k->key, k->key_len) &&
	     EVP_DigestFinal_ex(ctx, out, &olen);
	EVP_MD_CTX_free(ctx); /* cleanses the MD5 state holding the key */
	return ok && olen == AUTH_MD5_LEN ? 0 : -EIO;
}

/*
 * HMAC-MD5 (RFC 2104) over an EVP digest context. Not HMAC(): in OpenSSL 3
 * that fetches the MAC and the digest on every call and costs three times
 * as much, and this runs once per registration in each direction. Keys are
 * at most one MD5 block (AUTH_KEY_MAX), so the key is never hashed first.
 */
static int auth_hmac_md5(const struct auth_key *k, const uint8_t *data,
			 size_t len, uint8_t out[AUTH_MD5_LEN])
{
	uint8_t ipad[AUTH_KEY_MAX] = { 0 }, opad[AUTH_KEY_MAX];
	uint8_t inner[AUTH_MD5_LEN];
	unsigned int ilen = 0, olen = 0;
	EVP_MD_CTX *ctx;
	int i, ok;

	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	memcpy(ipad, k->key, k->key_len);
	for (i = 0; i < AUTH_KEY_MAX; i++) {
		opad[i] = ipad[i] ^ 0x5c;
		ipad[i] ^= 0x36;
	}
	ok = EVP_DigestInit_ex(ctx, EVP_md5(), NULL) &&
	     EVP_DigestUpdate(ctx, ipad, sizeof(ipad)) &&
	     EVP_DigestUpdate(ctx, data, len) &&
	     EVP_DigestFinal_ex(ctx, inner, &ilen) &&
	     EVP_DigestInit_ex(ctx, EVP_md5(), NULL) &&
	     EVP_DigestUpdate(ctx, opad, sizeof(opad)) &&
	     EVP_DigestUpdate(ctx, inner, sizeof(inner)) &&
	     EVP_DigestFinal_ex(ctx, out, &olen);
	EVP_MD_CTX_free(ctx);
	OPENSSL_cleanse(ipad, sizeof(ipad));
	OPENSSL_cleanse(opad, sizeof(opad));
	OPENSSL_cleanse(inner, sizeof(inner));
	return ok && ilen == AUTH_MD5_LEN && olen == AUTH_MD5_LEN ? 0 : -EIO;
}

int auth_compute(const struct auth_key *k, const uint8_t *data, size_t len,
		 uint8_t out[AUTH_MD5_LEN])
{
	if (!auth_key_valid(k) || (!data && len))
		return -EINVAL;
	if (k->algo == AUTH_HMAC_MD5)
		return auth_hmac_md5(k, data, len, out);
	return auth_prefix_suffix(k, data, len, out);
}

bool auth_verify(const struct auth_key *k, const uint8_t *data, size_t len,
		 const uint8_t *auth, size_t auth_len)
{
	uint8_t want[AUTH_MD5_LEN];
	bool ok;

	/* The length is public (it is on the wire): no need to hide it. */
	if (!auth || auth_len != AUTH_MD5_LEN)
		return false;
	if (auth_compute(k, data, len, want) < 0)
		return false;
	ok = CRYPTO_memcmp(want, auth, AUTH_MD5_LEN) == 0;
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

const char *auth_algo_name(enum auth_algo algo)
{
	switch (algo) {
	case AUTH_HMAC_MD5:
		return "hmac-md5";
	case AUTH_PREFIX_SUFFIX_MD5:
		return "prefix-suffix";
	}
	return "?";
}

int auth_algo_parse(const char *s, enum auth_algo *out)
{
	if (!s)
		return -EINVAL;
	if (!strcasecmp(s, "hmac-md5")) {
		*out = AUTH_HMAC_MD5;
		return 0;
	}
	if (!strcasecmp(s, "prefix-suffix") ||
	    !strcasecmp(s, "prefix-suffix-md5") || !strcasecmp(s, "md5")) {
		*out = AUTH_PREFIX_SUFFIX_MD5;
		return 0;
	}
	return -EINVAL;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of auth.c: HMAC-MD5 against the RFC 2202 test cases,
 * prefix+suffix keyed MD5 and HMAC-MD5 over a registration request against
 * digests computed outside this code (openssl(1), see below), verification
 * (wrong key, wrong length, one flipped bit anywhere), key validation and
 * algorithm names.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "auth.h"

static void hex(const char *s, uint8_t *out, size_t n)
{
	size_t i;

	assert_int_equal(strlen(s), 2 * n);
	for (i = 0; i < n; i++) {
		unsigned int v;

		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static struct auth_key key_of(enum auth_algo algo, const uint8_t *k, size_t len)
{
	struct auth_key key = { .spi = 256, .algo = algo };

	assert_true(len <= AUTH_KEY_MAX);
	memcpy(key.key, k, len);
	key.key_len = (uint8_t)len;
	return key;
}

static void check_digest(const struct auth_key *k, const void *data, size_t len,
			 const char *want_hex)
{
	uint8_t want[AUTH_MD5_LEN], got[AUTH_MD5_LEN];

	hex(want_hex, want, sizeof(want));
	assert_int_equal(auth_compute(k, data, len, got), 0);
	assert_memory_equal(got, want, AUTH_MD5_LEN);
	assert_true(auth_verify(k, data, len, want, sizeof(want)));
}

/* RFC 2202 section 2, test cases 1-7 for HMAC-MD5. */
static void test_hmac_md5_rfc2202(void **state)
{
	uint8_t k[80], d[80];
	struct auth_key key;
	size_t i;

	(void)state;
	/* 1 */
	memset(k, 0x0b, 16);
	key = key_of(AUTH_HMAC_MD5, k, 16);
	check_digest(&key, "Hi There", 8, "9294727a3638bb1c13f48ef8158bfc9d");
	/* 2 */
	key = key_of(AUTH_HMAC_MD5, (const uint8_t *)"Jefe", 4);
	check_digest(&key, "what do ya want for nothing?", 28,
		     "750c783e6ab0b503eaa86e310a5db738");
	/* 3 */
	memset(k, 0xaa, 16);
	memset(d, 0xdd, 50);
	key = key_of(AUTH_HMAC_MD5, k, 16);
	check_digest(&key, d, 50, "56be34521d144c88dbb8c733f0e8b3f6");
	/* 4: key 0x01..0x19 */
	for (i = 0; i < 25; i++)
		k[i] = (uint8_t)(i + 1);
	memset(d, 0xcd, 50);
	key = key_of(AUTH_HMAC_MD5, k, 25);
	check_digest(&key, d, 50, "697eaf0aca3a3aea3a75164746ffaa79");
	/* 5 (the untruncated digest) */
	memset(k, 0x0c, 16);
	key = key_of(AUTH_HMAC_MD5, k, 16);
	check_digest(&key, "Test With Truncation", 20,
		     "56461ef2342edc00f9bab995690efd4c");
	/*
	 * 6 and 7 use an 80-byte key of 0xaa, longer than the MD5 block;
	 * HMAC (RFC 2104 2) first replaces such a key by its hash, and
	 * AUTH_KEY_MAX is one block, so we feed that hash:
	 * head -c 80 /dev/zero | tr '\0' '\252' | openssl md5
	 *   = 8fb6ab01840023ec453ecdec73dc1b66
	 */
	hex("8fb6ab01840023ec453ecdec73dc1b66", k, 16);
	key = key_of(AUTH_HMAC_MD5, k, 16);
	check_digest(&key,
		     "Test Using Larger Than Block-Size Key - Hash Key First",
		     54, "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
	check_digest(&key,
		     "Test Using Larger Than Block-Size Key and Larger Than "
		     "One Block-Size Data",
		     73, "6f630fad67cda0ee1fb1f562db3aa53e");
}

/*
 * Keys of exactly one MD5 block and one byte less (the longest we hold):
 * 'k' then the bytes 0x01, 0x02, ...:
 *   K=6b$(for i in $(seq 1 63); do printf %02x $i; done)
 *   printf 'Hi There' | openssl dgst -md5 -mac HMAC -macopt hexkey:$K
 *     = 328bdf01dce9b8e600615ac9699ef8b4
 *   ... -macopt hexkey:${K:0:126}
 *     = ff09863b43c839a180be3590b0aaa9e9
 */
static void test_hmac_block_keys(void **state)
{
	uint8_t k[AUTH_KEY_MAX];
	struct auth_key key;
	size_t i;

	(void)state;
	k[0] = 'k';
	for (i = 1; i < sizeof(k); i++)
		k[i] = (uint8_t)i;
	key = key_of(AUTH_HMAC_MD5, k, 64);
	check_digest(&key, "Hi There", 8, "328bdf01dce9b8e600615ac9699ef8b4");
	key = key_of(AUTH_HMAC_MD5, k, 63);
	check_digest(&key, "Hi There", 8, "ff09863b43c839a180be3590b0aaa9e9");
}

/*
 * A registration request up to and including the MN-HA SPI: type 1, flags
 * T, lifetime 1800, home 10.0.0.5, HA 10.0.0.1, CoA 192.0.2.7, id
 * 0xe7f0a1b200000001, MN-HA type 32 length 20 SPI 256. Digests made with:
 *   printf '\001\002\007\010\012\000\000\005\012\000\000\001\300\000\002\007'\
 *          '\347\360\241\262\000\000\000\001\040\024\000\000\001\000' >rrq.bin
 *   printf 'secret-key-16byt' >key.bin
 *   cat key.bin rrq.bin key.bin | openssl md5
 *     = 901028292ffb45415722ee5252054c21            (prefix+suffix)
 *   openssl dgst -md5 -mac HMAC -macopt key:secret-key-16byt rrq.bin
 *     = feeb207a3cbcc3efa47ee96d68ff2a97            (HMAC-MD5)
 */
static const uint8_t rrq[30] = {
	0x01, 0x02, 0x07, 0x08, 0x0a, 0x00, 0x00, 0x05, 0x0a, 0x00,
	0x00, 0x01, 0xc0, 0x00, 0x02, 0x07, 0xe7, 0xf0, 0xa1, 0xb2,
	0x00, 0x00, 0x00, 0x01, 0x20, 0x14, 0x00, 0x00, 0x01, 0x00,
};
static const char rrq_key[] = "secret-key-16byt";

static void test_prefix_suffix_vector(void **state)
{
	struct auth_key key =
		key_of(AUTH_PREFIX_SUFFIX_MD5, (const uint8_t *)rrq_key, 16);

	(void)state;
	check_digest(&key, rrq, sizeof(rrq),
		     "901028292ffb45415722ee5252054c21");
}

static void test_hmac_rrq_vector(void **state)
{
	struct auth_key key =
		key_of(AUTH_HMAC_MD5, (const uint8_t *)rrq_key, 16);

	(void)state;
	check_digest(&key, rrq, sizeof(rrq),
		     "feeb207a3cbcc3efa47ee96d68ff2a97");
}

/* The two algorithms must not be confused with each other. */
static void test_algorithms_differ(void **state)
{
	struct auth_key h = key_of(AUTH_HMAC_MD5, (const uint8_t *)rrq_key, 16);
	struct auth_key p =
		key_of(AUTH_PREFIX_SUFFIX_MD5, (const uint8_t *)rrq_key, 16);
	uint8_t a[AUTH_MD5_LEN];

	(void)state;
	assert_int_equal(auth_compute(&h, rrq, sizeof(rrq), a), 0);
	assert_false(auth_verify(&p, rrq, sizeof(rrq), a, sizeof(a)));
	assert_true(auth_verify(&h, rrq, sizeof(rrq), a, sizeof(a)));
}

static void test_verify_rejects(void **state)
{
	enum auth_algo algos[] = { AUTH_HMAC_MD5, AUTH_PREFIX_SUFFIX_MD5 };
	uint8_t a[AUTH_MD5_LEN + 1], data[sizeof(rrq)];
	size_t i, bit;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct auth_key k =
			key_of(algos[i], (const uint8_t *)rrq_key, 16);
		struct auth_key other = k;

		other.key[15] ^= 1;
		assert_int_equal(auth_compute(&k, rrq, sizeof(rrq), a), 0);
		a[AUTH_MD5_LEN] = 0;
		assert_true(auth_verify(&k, rrq, sizeof(rrq), a, 16));
		/* wrong key, wrong lengths, missing authenticator */
		assert_false(auth_verify(&other, rrq, sizeof(rrq), a, 16));
		assert_false(auth_verify(&k, rrq, sizeof(rrq), a, 15));
		assert_false(auth_verify(&k, rrq, sizeof(rrq), a, 17));
		assert_false(auth_verify(&k, rrq, sizeof(rrq), a, 0));
		assert_false(auth_verify(&k, rrq, sizeof(rrq), NULL, 16));
		/* the data covered is exactly len bytes */
		assert_false(auth_verify(&k, rrq, sizeof(rrq) - 1, a, 16));
		/* any flipped bit of the authenticator or of the data */
		for (bit = 0; bit < AUTH_MD5_LEN * 8; bit++) {
			a[bit / 8] ^= 1 << (bit % 8);
			assert_false(auth_verify(&k, rrq, sizeof(rrq), a, 16));
			a[bit / 8] ^= 1 << (bit % 8);
		}
		memcpy(data, rrq, sizeof(data));
		for (bit = 0; bit < sizeof(data) * 8; bit++) {
			data[bit / 8] ^= 1 << (bit % 8);
			assert_false(
				auth_verify(&k, data, sizeof(data), a, 16));
			data[bit / 8] ^= 1 << (bit % 8);
		}
	}
}

static void test_bad_keys(void **state)
{
	struct auth_key k = key_of(AUTH_HMAC_MD5, (const uint8_t *)"k", 1);
	uint8_t a[AUTH_MD5_LEN];

	(void)state;
	assert_int_equal(auth_compute(&k, rrq, sizeof(rrq), a), 0);
	k.key_len = 0;
	assert_int_equal(auth_compute(&k, rrq, sizeof(rrq), a), -EINVAL);
	assert_false(auth_verify(&k, rrq, sizeof(rrq), a, sizeof(a)));
	k.key_len = AUTH_KEY_MAX + 1;
	assert_int_equal(auth_compute(&k, rrq, sizeof(rrq), a), -EINVAL);
	k.key_len = AUTH_KEY_MAX;
	assert_int_equal(auth_compute(&k, rrq, sizeof(rrq), a), 0);
	k.algo = (enum auth_algo)7;
	assert_int_equal(auth_compute(&k, rrq, sizeof(rrq), a), -EINVAL);
	assert_int_equal(auth_compute(NULL, rrq, sizeof(rrq), a), -EINVAL);
	k.algo = AUTH_PREFIX_SUFFIX_MD5;
	assert_int_equal(auth_compute(&k, NULL, 1, a), -EINVAL);
	/* empty data is legal: MD5(key || key) */
	assert_int_equal(auth_compute(&k, NULL, 0, a), 0);
}

static void test_empty_data_prefix_suffix(void **state)
{
	/* printf 'abcabc' | openssl md5 = 440ac85892ca43ad26d44c7ad9d47d3e */
	struct auth_key k =
		key_of(AUTH_PREFIX_SUFFIX_MD5, (const uint8_t *)"abc", 3);

	(void)state;
	check_digest(&k, "", 0, "440ac85892ca43ad26d44c7ad9d47d3e");
}

static void test_names(void **state)
{
	enum auth_algo a;

	(void)state;
	assert_string_equal(auth_algo_name(AUTH_HMAC_MD5), "hmac-md5");
	assert_string_equal(auth_algo_name(AUTH_PREFIX_SUFFIX_MD5),
			    "prefix-suffix");
	assert_string_equal(auth_algo_name((enum auth_algo)9), "?");
	assert_int_equal(auth_algo_parse("hmac-md5", &a), 0);
	assert_int_equal(a, AUTH_HMAC_MD5);
	assert_int_equal(auth_algo_parse("prefix-suffix", &a), 0);
	assert_int_equal(a, AUTH_PREFIX_SUFFIX_MD5);
	a = AUTH_HMAC_MD5;
	assert_int_equal(auth_algo_parse("MD5", &a), 0);
	assert_int_equal(a, AUTH_PREFIX_SUFFIX_MD5);
	assert_int_equal(auth_algo_parse("sha1", &a), -EINVAL);
	assert_int_equal(auth_algo_parse("", &a), -EINVAL);
	assert_int_equal(auth_algo_parse(NULL, &a), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_md5_rfc2202),
		cmocka_unit_test(test_hmac_block_keys),
		cmocka_unit_test(test_prefix_suffix_vector),
		cmocka_unit_test(test_hmac_rrq_vector),
		cmocka_unit_test(test_algorithms_differ),
		cmocka_unit_test(test_verify_rejects),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_empty_data_prefix_suffix),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("auth", tests, NULL, NULL) ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * miphactl: parsers for command words and formatters for output. Parsers
 * are strict (no trailing junk, no sign, no shorthand addresses): what an
 * operator typed either means exactly one thing or is refused.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>

#include "ctl.h"

/* Dotted quad only: inet_pton refuses "10.1" and other inet_aton forms. */
bool parse_ipv4(const char *s, struct in_addr *addr)
{
	return inet_pton(AF_INET, s, addr) == 1;
}

/* Decimal or 0x-prefixed hexadecimal, 0..UINT32_MAX. */
bool parse_u32(const char *s, uint32_t *v)
{
	unsigned long long n;
	char *end;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!isxdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	n = strtoull(s, &end, base);
	if (errno || *end || n > UINT32_MAX)
		return false;
	*v = n;
	return true;
}

/* Seconds in 1..MIPHA_LIFETIME_MAX, or "infinite" (0: never expires). */
bool parse_lifetime(const char *s, uint32_t *seconds)
{
	uint32_t v;

	if (!strcmp(s, "infinite")) {
		*seconds = 0;
		return true;
	}
	if (!parse_u32(s, &v) || v < 1 || v > MIPHA_LIFETIME_MAX)
		return false;
	*seconds = v;
	return true;
}

bool parse_encap(const char *s, uint8_t *encap)
{
	if (!strcmp(s, "ipip")) {
		*encap = MIPHA_ENCAP_IPIP;
		return true;
	}
	if (!strcmp(s, "gre")) {
		*encap = MIPHA_ENCAP_GRE;
		return true;
	}
	return false;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* An even number of hex digits (optionally after "0x"), at most max bytes. */
bool parse_hex(const char *s, uint8_t *buf, size_t max, size_t *len)
{
	size_t n, i;
	int hi, lo;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	n = strlen(s);
	if (!n || n % 2 || n / 2 > max)
		return false;
	for (i = 0; i < n / 2; i++) {
		hi = hex_digit(s[2 * i]);
		lo = hex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		buf[i] = hi << 4 | lo;
	}
	*len = n / 2;
	return true;
}

/* An interface name of this namespace, as "ip link" shows it. */
bool parse_link(const char *s, uint32_t *ifindex)
{
	unsigned int idx;

	if (!s[0] || strlen(s) >= IF_NAMESIZE)
		return false;
	idx = if_nametoindex(s);
	if (!idx)
		return false;
	*ifindex = idx;
	return true;
}

/* 9992 -> "02:46:32", as IOS shows lifetimes; hours are not capped. */
char *fmt_hms(char *buf, size_t len, uint64_t seconds)
{
	snprintf(buf, len, "%02llu:%02llu:%02llu",
		 (unsigned long long)(seconds / 3600),
		 (unsigned long long)(seconds / 60 % 60),
		 (unsigned long long)(seconds % 60));
	return buf;
}

/*
 * Whole seconds left, rounded up: a binding just given 10000 s shows
 * 10000, not 9999, and one with 1 ms left is not shown as already gone.
 */
uint64_t expires_seconds(uint64_t expires_ms)
{
	return expires_ms / 1000 + (expires_ms % 1000 != 0);
}

char *fmt_hex(char *buf, size_t len, const uint8_t *data, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (!len)
		return buf;
	for (i = 0; i < n && 2 * i + 2 < len; i++) {
		buf[2 * i] = digits[data[i] >> 4];
		buf[2 * i + 1] = digits[data[i] & 0xf];
	}
	buf[2 * i] = '\0';
	return buf;
}

/*
 * s[0..n) made safe for a terminal: printable ASCII stays, a backslash is
 * doubled and every other byte (controls, DEL, any byte >= 0x80, NUL)
 * becomes \\xHH, so the text is unambiguous. Truncated, if len is too
 * small, before an escape, never inside one.
 */
char *fmt_escaped(char *buf, size_t len, const char *s, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i, o = 0;

	if (!len)
		return buf;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
			if (o + 1 >= len)
				break;
			buf[o++] = (char)ch;
		} else if (ch == '\\') {
			if (o + 2 >= len)
				break;
			buf[o++] = '\\';
			buf[o++] = '\\';
		} else {
			if (o + 4 >= len)
				break;
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = digits[ch >> 4];
			buf[o++] = digits[ch & 0xf];
		}
	}
	buf[o] = '\0';
	return buf;
}

/* The same into f, however long s is. */
void fput_escaped(FILE *f, const char *s, size_t n)
{
	char buf[256];
	size_t i, chunk;

	/* 256 >= 4 * 63 + 1: a chunk of 63 bytes always fits. */
	for (i = 0; i < n; i += chunk) {
		chunk = n - i < 63 ? n - i : 63;
		fputs(fmt_escaped(buf, sizeof(buf), s + i, chunk), f);
	}
}

/* A JSON string, from a heap copy of s[0..n) escaped. NULL on ENOMEM. */
static json_t *json_escaped_string(const char *s, size_t n)
{
	char *buf = malloc(4 * n + 1);
	json_t *out;

	if (!buf)
		return NULL;
	out = json_string(fmt_escaped(buf, 4 * n + 1, s, n));
	free(buf);
	return out;
}

/*
 * A copy of a JSON value from the daemon with every string, object keys
 * included, escaped by fmt_escaped() (NULs too: the daemon's answers are
 * read with JSON_ALLOW_NUL), for text output. NULL on ENOMEM.
 */
json_t *json_escaped(const json_t *v)
{
	const char *k;
	json_t *out, *e, *item;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_escaped_string(json_string_value(v),
					   json_string_length(v));
	case JSON_OBJECT:
		out = json_object();
		json_object_foreach((json_t *)v, k, item)
		{
			json_t *key = json_escaped_string(k, strlen(k));

			int ret = -1;

			e = json_escaped(item);
			if (out && key && e)
				ret = json_object_set(
					out, json_string_value(key), e);
			json_decref(e);
			json_decref(key);
			if (ret) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	case JSON_ARRAY:
		out = json_array();
		json_array_foreach(v, i, item)
		{
			e = json_escaped(item);
			if (!out || json_array_append_new(out, e)) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	default:
		return json_deep_copy(v);
	}
}

/* The interface name of ifindex, escaped, or the number if it has none. */
char *fmt_link(char *buf, size_t len, uint32_t ifindex)
{
	char name[IF_NAMESIZE];

	if (ifindex && if_indextoname(ifindex, name))
		fmt_escaped(buf, len, name, strnlen(name, sizeof(name)));
	else
		snprintf(buf, len, "%u", ifindex);
	return buf;
}

/*
 * Registration flag letters as IOS prints them (RFC 5944 order: B before
 * T), only the set ones; unknown bits in hex.
 */
char *fmt_flag_letters(char *buf, size_t len, uint32_t flags)
{
	uint32_t rest = flags & ~MIPHA_F_ALL;
	size_t n = 0;

	if (!flags) {
		snprintf(buf, len, "none");
		return buf;
	}
	buf[0] = '\0';
	if (flags & MIPHA_F_BROADCAST)
		n += snprintf(buf + n, len > n ? len - n : 0, "B");
	if (flags & MIPHA_F_REVERSE_TUNNEL)
		n += snprintf(buf + n, len > n ? len - n : 0, "T");
	if (rest)
		snprintf(buf + n, len > n ? len - n : 0, "%s0x%x", n ? " " : "",
			 rest);
	return buf;
}

char *fmt_ipv4(char *buf, struct in_addr addr)
{
	inet_ntop(AF_INET, &addr, buf, INET_ADDRSTRLEN);
	return buf;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * ipsp_msg: the IP Pool Sharing Protocol's frames (see ipsp_msg.h for the
 * format).
 *
 * Every read is bounded by the length the caller gave, and every count by
 * what is left: a count or a length is checked against the bytes that
 * remain before anything it covers is looked at. The decoder checks a
 * whole body before it returns, so the iterators walk it without a check
 * of their own; the encoders check a body against the decoder's rules
 * before writing a byte, so what they write always decodes.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>

#include "byte_cursor.h"
#include "byteorder.h"
#include "ipsp_msg.h"

/* Header offsets. */
enum {
	HDR_VERSION = 0,
	HDR_TYPE = 1,
	HDR_FLAGS = 2,
	HDR_LENGTH = 4,
};

/* HELLO body offsets, up to the pools; the reserved u16 ends the body. */
enum {
	HELLO_ROLE_CFG = 0,
	HELLO_ROLE = 1,
	HELLO_MODE = 2,
	HELLO_FLAGS = 3,
	HELLO_DEAD = 4,
	HELLO_DIGEST = 8,
	HELLO_N_POOLS = 40,
	HELLO_POOLS = 42,
};

#define HELLO_RESERVED_LEN 2
#define HELLO_FIXED_LEN	   (HELLO_POOLS + HELLO_RESERVED_LEN)
#define POOL_LEN(name_len) (1 + (size_t)(name_len) + IPSP_DIGEST_LEN)

/* BLOCK_REQUEST and ADDR_REQUEST: the fixed part, then the strings. */
enum {
	REQ_ID = 0,
	REQ_COUNT = 4, /* BLOCK_REQUEST */
	REQ_ADDR = 4,  /* ADDR_REQUEST */
	REQ_NAME_LEN = 8,
	REQ_FIXED_LEN = 9,
};

#define BLOCK_LEN(name_len) (REQ_FIXED_LEN + (size_t)(name_len))
#define ADDR_LEN(name_len, nai_len) \
	(REQ_FIXED_LEN + (size_t)(name_len) + 1 + (size_t)(nai_len))

enum {
	GRANT_ID = 0,
	GRANT_STATUS = 4,
	GRANT_RESERVED = 5,
	GRANT_N_RANGES = 6,
	GRANT_FIXED_LEN = 8,
	RANGE_LEN = 8,
};

/* HELD and RELEASE: the fixed part, then the entries. */
enum {
	HELD_FLAGS = 0,
	HELD_RESERVED = 1,
	HELD_N_ENTRIES = 2,
	HELD_FIXED_LEN = 4,
};

enum {
	ENT_ADDR = 0,
	ENT_ID = 4,
	ENT_FLAGS = 12,
	ENT_NAI_LEN = 13,
	ENT_NAI = 14,
};

#define HELLO_FLAGS_ALL \
	(IPSP_HELLO_ACTING | IPSP_HELLO_ALL_FREE | IPSP_HELLO_HANDED)
#define HELD_FLAGS_ALL	IPSP_HELD_LAST
#define ENTRY_FLAGS_ALL (IPSP_ENTRY_BOUND | IPSP_ENTRY_TIMESTAMP)

_Static_assert(ENT_NAI == IPSP_ENTRY_FIXED, "an entry's NAI follows 14 bytes");
_Static_assert(IPSP_HDR_LEN + IPSP_FRAME_MAX == IPSP_FRAME_BUF,
	       "a reader's buffer holds the largest frame");
/*
 * Only HELD and RELEASE can outgrow a frame (their builder stops at
 * IPSP_FRAME_MAX); every other body fits at its limits, so its encoder
 * never has to refuse a valid body for its size alone.
 */
_Static_assert(HELLO_FIXED_LEN +
			       IPSP_POOLS_MAX * POOL_LEN(IPSP_POOL_NAME_MAX) <=
		       IPSP_FRAME_MAX,
	       "the largest HELLO fits a frame");
_Static_assert(GRANT_FIXED_LEN + IPSP_RANGES_MAX * RANGE_LEN <= IPSP_FRAME_MAX,
	       "the largest GRANT fits a frame");
_Static_assert(IPSP_FRAME_MAX / IPSP_ENTRY_FIXED <= UINT16_MAX,
	       "n_entries counts every entry a frame holds");

/* ---- names ------------------------------------------------------------ */

static bool type_known(uint8_t type)
{
	return type >= IPSP_HELLO && type <= IPSP_RELEASE;
}

const char *ipsp_type_name(uint8_t type)
{
	static const char *const names[] = {
		[IPSP_HELLO] = "hello",
		[IPSP_KEEPALIVE] = "keepalive",
		[IPSP_BLOCK_REQUEST] = "block-request",
		[IPSP_ADDR_REQUEST] = "addr-request",
		[IPSP_GRANT] = "grant",
		[IPSP_HELD] = "held",
		[IPSP_ALL_FREE] = "all-free",
		[IPSP_GOING_DOWN] = "going-down",
		[IPSP_RELEASE] = "release",
	};

	return type_known(type) ? names[type] : "unknown";
}

const char *ipsp_role_name(uint8_t role)
{
	return role == IPSP_ROLE_PRIMARY   ? "primary" :
	       role == IPSP_ROLE_SECONDARY ? "secondary" :
					     "unknown";
}

/* The configuration's words (config_ipsp.h: mode = ...). */
const char *ipsp_mode_name(uint8_t mode)
{
	return mode == IPSP_MODE_ACTIVE	      ? "active" :
	       mode == IPSP_MODE_INACTIVE     ? "inactive" :
	       mode == IPSP_MODE_CHECK_CONFIG ? "check-config" :
						"unknown";
}

const char *ipsp_status_name(uint8_t status)
{
	static const char *const names[] = {
		[IPSP_OK] = "ok",
		[IPSP_ST_IN_USE] = "in-use",
		[IPSP_ST_NO_POOL] = "no-pool",
		[IPSP_ST_EXHAUSTED] = "exhausted",
		[IPSP_ST_NOT_PRIMARY] = "not-primary",
		[IPSP_ST_NOT_READY] = "not-ready",
		[IPSP_ST_ERROR] = "error",
	};

	return status < IPSP_ST_MAX ? names[status] : "unknown";
}

/* ---- the rules both directions share ---------------------------------- */

/*
 * Pool names and NAIs are looked up, compared and logged: printable
 * ASCII without space, so one in a log line stays one word.
 */
static bool printable(const uint8_t *s, size_t len)
{
	return bytes_printable(s, len);
}

/* A string a caller hands an encoder: len bytes at s, none if len is 0. */
static bool str_ok(const void *s, size_t len, size_t max)
{
	return len <= max && (!len || (s && printable(s, len)));
}

static bool pool_name_ok(const void *s, size_t len)
{
	return len && str_ok(s, len, IPSP_POOL_NAME_MAX);
}

static bool role_ok(uint8_t role)
{
	return role == IPSP_ROLE_PRIMARY || role == IPSP_ROLE_SECONDARY;
}

static bool mode_ok(uint8_t mode)
{
	return mode >= IPSP_MODE_ACTIVE && mode <= IPSP_MODE_CHECK_CONFIG;
}

static bool dead_ok(uint32_t dead)
{
	return dead >= 1 && dead <= IPSP_DEAD_MAX;
}

static bool count_ok(uint32_t count)
{
	return count >= 1 && count <= IPSP_BLOCK_MAX;
}

/* Ranges go with a grant; a refusal carries none. */
static bool grant_head_ok(uint8_t status, uint16_t n_ranges)
{
	return status < IPSP_ST_MAX && n_ranges <= IPSP_RANGES_MAX &&
	       (status == IPSP_OK || !n_ranges);
}

/* Addresses compare as numbers, in host order. */
static bool range_ok(uint32_t first, uint32_t last)
{
	return first <= last;
}

static bool same_name(const void *a, uint8_t alen, const void *b, uint8_t blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

static bool hello_ok(const struct ipsp_hello *h)
{
	unsigned int i, j;

	if (!role_ok(h->role_cfg) || !role_ok(h->role) || !mode_ok(h->mode) ||
	    (h->flags & ~HELLO_FLAGS_ALL) || !dead_ok(h->dead_interval) ||
	    h->n_pools > IPSP_POOLS_MAX || (h->n_pools && !h->pools))
		return false;
	for (i = 0; i < h->n_pools; i++) {
		const struct ipsp_hello_pool *p = &h->pools[i];

		if (!pool_name_ok(p->name, p->name_len) || !p->digest)
			return false;
		for (j = 0; j < i; j++)
			if (same_name(p->name, p->name_len, h->pools[j].name,
				      h->pools[j].name_len))
				return false;
	}
	return true;
}

static bool grant_ok(const struct ipsp_grant *g)
{
	unsigned int i;

	if (!grant_head_ok(g->status, g->n_ranges) ||
	    (g->n_ranges && !g->ranges))
		return false;
	for (i = 0; i < g->n_ranges; i++)
		if (!range_ok(ntohl(g->ranges[i].first.s_addr),
			      ntohl(g->ranges[i].last.s_addr)))
			return false;
	return true;
}

/* ---- decoding --------------------------------------------------------- */

static void hdr_get(const uint8_t *buf, struct ipsp_hdr *h)
{
	h->version = buf[HDR_VERSION];
	h->type = buf[HDR_TYPE];
	h->flags = be16_get(buf + HDR_FLAGS);
	h->length = be32_get(buf + HDR_LENGTH);
}

int ipsp_frame_peek(const uint8_t *buf, size_t len, size_t *frame_len)
{
	uint32_t length;

	*frame_len = IPSP_HDR_LEN;
	/* Fail at the first byte: nothing after it is ours to read. */
	if (len && buf[HDR_VERSION] != IPSP_VERSION)
		return -EPROTO;
	if (len < IPSP_HDR_LEN)
		return -EAGAIN;
	length = be32_get(buf + HDR_LENGTH);
	if (length > IPSP_FRAME_MAX)
		return -EMSGSIZE;
	*frame_len = IPSP_HDR_LEN + (size_t)length;
	return len < *frame_len ? -EAGAIN : 0;
}

/* A length-prefixed string of min..max printable bytes. */
static int str_take(struct byte_cursor *c, size_t min, size_t max,
		    const uint8_t **s, uint8_t *len)
{
	const uint8_t *l = cursor_take(c, 1), *v;

	if (!l || *l < min || *l > max)
		return -EBADMSG;
	v = cursor_take(c, *l);
	if (!v || !printable(v, *l))
		return -EBADMSG;
	/* An empty string points nowhere, as an encoder's may. */
	*s = *l ? v : NULL;
	*len = *l;
	return 0;
}

static int hello_decode(struct byte_cursor *c, struct ipsp_hello *h)
{
	/* Where each pool's name is, to find a name given twice. */
	const uint8_t *names[IPSP_POOLS_MAX];
	uint8_t lens[IPSP_POOLS_MAX];
	const uint8_t *v = cursor_take(c, HELLO_POOLS);
	unsigned int i, j;

	if (!v)
		return -EBADMSG;
	h->role_cfg = v[HELLO_ROLE_CFG];
	h->role = v[HELLO_ROLE];
	h->mode = v[HELLO_MODE];
	h->flags = v[HELLO_FLAGS] & HELLO_FLAGS_ALL;
	h->dead_interval = be32_get(v + HELLO_DEAD);
	memcpy(h->digest, v + HELLO_DIGEST, IPSP_DIGEST_LEN);
	h->n_pools = be16_get(v + HELLO_N_POOLS);
	if (!role_ok(h->role_cfg) || !role_ok(h->role) || !mode_ok(h->mode) ||
	    !dead_ok(h->dead_interval) || h->n_pools > IPSP_POOLS_MAX)
		return -EBADMSG;
	h->pools_raw = c->p;
	for (i = 0; i < h->n_pools; i++) {
		if (str_take(c, 1, IPSP_POOL_NAME_MAX, &names[i], &lens[i]) ||
		    !cursor_take(c, IPSP_DIGEST_LEN))
			return -EBADMSG;
		for (j = 0; j < i; j++)
			if (same_name(names[i], lens[i], names[j], lens[j]))
				return -EBADMSG;
	}
	return cursor_take(c, HELLO_RESERVED_LEN) ? 0 : -EBADMSG;
}

static int block_decode(struct byte_cursor *c, struct ipsp_block_request *r)
{
	const uint8_t *v = cursor_take(c, REQ_NAME_LEN), *name;

	if (!v)
		return -EBADMSG;
	r->id = be32_get(v + REQ_ID);
	r->count = be32_get(v + REQ_COUNT);
	if (!count_ok(r->count) ||
	    str_take(c, 1, IPSP_POOL_NAME_MAX, &name, &r->name_len))
		return -EBADMSG;
	r->name = (const char *)name;
	return 0;
}

static int addr_decode(struct byte_cursor *c, struct ipsp_addr_request *r)
{
	const uint8_t *v = cursor_take(c, REQ_NAME_LEN), *name;

	if (!v)
		return -EBADMSG;
	r->id = be32_get(v + REQ_ID);
	memcpy(&r->addr.s_addr, v + REQ_ADDR, 4);
	/* No pool name: whichever pool holds the address. */
	if (str_take(c, 0, IPSP_POOL_NAME_MAX, &name, &r->name_len) ||
	    str_take(c, 0, UINT8_MAX, &r->nai, &r->nai_len))
		return -EBADMSG;
	r->name = (const char *)name;
	return 0;
}

static int grant_decode(struct byte_cursor *c, struct ipsp_grant *g)
{
	const uint8_t *v = cursor_take(c, GRANT_FIXED_LEN);
	unsigned int i;

	if (!v)
		return -EBADMSG;
	g->id = be32_get(v + GRANT_ID);
	g->status = v[GRANT_STATUS];
	g->n_ranges = be16_get(v + GRANT_N_RANGES);
	if (!grant_head_ok(g->status, g->n_ranges))
		return -EBADMSG;
	g->ranges_raw = c->p;
	for (i = 0; i < g->n_ranges; i++) {
		v = cursor_take(c, RANGE_LEN);
		if (!v || !range_ok(be32_get(v), be32_get(v + 4)))
			return -EBADMSG;
	}
	return 0;
}

/* Every entry is whole and they fill the body: the iterator trusts them. */
static int held_decode(struct byte_cursor *c, struct ipsp_held *h)
{
	const uint8_t *v = cursor_take(c, HELD_FIXED_LEN), *nai;
	unsigned int i;
	uint8_t nai_len;

	if (!v)
		return -EBADMSG;
	h->flags = v[HELD_FLAGS] & HELD_FLAGS_ALL;
	h->n_entries = be16_get(v + HELD_N_ENTRIES);
	h->entries_raw = c->p;
	h->entries_len = c->left;
	for (i = 0; i < h->n_entries; i++)
		if (!cursor_take(c, ENT_NAI_LEN) ||
		    str_take(c, 0, UINT8_MAX, &nai, &nai_len))
			return -EBADMSG;
	return 0;
}

static int body_decode(struct byte_cursor *c, struct ipsp_frame *f)
{
	switch (f->hdr.type) {
	case IPSP_HELLO:
		return hello_decode(c, &f->u.hello);
	case IPSP_KEEPALIVE:
	case IPSP_ALL_FREE:
	case IPSP_GOING_DOWN:
		return 0; /* empty: the caller sees any byte left */
	case IPSP_BLOCK_REQUEST:
		return block_decode(c, &f->u.block);
	case IPSP_ADDR_REQUEST:
		return addr_decode(c, &f->u.addr);
	case IPSP_GRANT:
		return grant_decode(c, &f->u.grant);
	case IPSP_HELD:
	case IPSP_RELEASE:
		return held_decode(c, &f->u.held);
	}
	return -ENOMSG;
}

static int frame_decode(const uint8_t *buf, size_t len, struct ipsp_frame *f)
{
	struct byte_cursor c;
	int err;

	if (!buf || !len)
		return -EBADMSG;
	if (buf[HDR_VERSION] != IPSP_VERSION)
		return -EPROTO;
	if (len < IPSP_HDR_LEN)
		return -EBADMSG;
	hdr_get(buf, &f->hdr);
	if (f->hdr.length > IPSP_FRAME_MAX)
		return -EMSGSIZE;
	if (len != IPSP_HDR_LEN + (size_t)f->hdr.length)
		return -EBADMSG;
	if (!type_known(f->hdr.type))
		return -ENOMSG;

	c.p = buf + IPSP_HDR_LEN;
	c.left = f->hdr.length;
	err = body_decode(&c, f);
	if (err)
		return err;
	return c.left ? -EBADMSG : 0;
}

int ipsp_frame_decode(const uint8_t *buf, size_t len, struct ipsp_frame *f)
{
	int err;

	memset(f, 0, sizeof(*f));
	err = frame_decode(buf, len, f);
	/* An unknown type keeps its header: the caller logs what it skips. */
	if (err && err != -ENOMSG)
		memset(f, 0, sizeof(*f));
	return err;
}

/* ---- iterating a decoded body ----------------------------------------- */

void ipsp_pools_begin(const struct ipsp_hello *h, struct ipsp_pool_iter *it)
{
	it->p = h->pools_raw;
	it->left = h->n_pools;
}

int ipsp_pools_next(struct ipsp_pool_iter *it, struct ipsp_hello_pool *out)
{
	if (!it->left) {
		memset(out, 0, sizeof(*out));
		return 1;
	}
	out->name_len = it->p[0];
	out->name = (const char *)it->p + 1;
	out->digest = it->p + 1 + out->name_len;
	it->p += POOL_LEN(out->name_len);
	it->left--;
	return 0;
}

void ipsp_grant_range(const struct ipsp_grant *g, uint16_t i,
		      struct ipsp_range *out)
{
	const uint8_t *r = g->ranges_raw + (size_t)i * RANGE_LEN;

	memcpy(&out->first.s_addr, r, 4);
	memcpy(&out->last.s_addr, r + 4, 4);
}

void ipsp_entries_begin(const struct ipsp_held *h, struct ipsp_entry_iter *it)
{
	it->p = h->entries_raw;
	it->left_bytes = h->entries_len;
	it->left = h->n_entries;
}

int ipsp_entries_next(struct ipsp_entry_iter *it, struct ipsp_entry *out)
{
	size_t len;

	/*
	 * The decoder vouched for every entry; the bounds are checked again
	 * only so that a struct ipsp_held made by hand cannot lead a read
	 * astray: it ends where its bytes do.
	 */
	if (!it->left || it->left_bytes < IPSP_ENTRY_FIXED ||
	    it->left_bytes - IPSP_ENTRY_FIXED < it->p[ENT_NAI_LEN]) {
		memset(out, 0, sizeof(*out));
		return 1;
	}
	memcpy(&out->addr.s_addr, it->p + ENT_ADDR, 4);
	out->id = be64_get(it->p + ENT_ID);
	out->flags = it->p[ENT_FLAGS] & ENTRY_FLAGS_ALL;
	out->nai_len = it->p[ENT_NAI_LEN];
	out->nai = out->nai_len ? it->p + ENT_NAI : NULL;
	len = IPSP_ENTRY_FIXED + (size_t)out->nai_len;
	it->p += len;
	it->left_bytes -= len;
	it->left--;
	return 0;
}

/* ---- encoding --------------------------------------------------------- */

static void hdr_put(uint8_t *buf, uint8_t type, uint32_t length)
{
	buf[HDR_VERSION] = IPSP_VERSION;
	buf[HDR_TYPE] = type;
	be16_put(buf + HDR_FLAGS, 0);
	be32_put(buf + HDR_LENGTH, length);
}

/* A string: its length byte, then its bytes (none: s may be NULL). */
static uint8_t *str_put(uint8_t *p, const void *s, uint8_t len)
{
	*p++ = len;
	if (len)
		memcpy(p, s, len);
	return p + len;
}

static size_t hello_len(const struct ipsp_hello *h)
{
	size_t len = HELLO_FIXED_LEN;
	unsigned int i;

	for (i = 0; i < h->n_pools; i++)
		len += POOL_LEN(h->pools[i].name_len);
	return len;
}

ssize_t ipsp_encode_hello(uint8_t *buf, size_t size, const struct ipsp_hello *h)
{
	uint8_t *v, *p;
	size_t body;
	unsigned int i;

	if (!buf || !h || !hello_ok(h))
		return -EINVAL;
	body = hello_len(h);
	if (size < IPSP_HDR_LEN + body)
		return -ENOSPC;
	v = buf + IPSP_HDR_LEN;

	hdr_put(buf, IPSP_HELLO, (uint32_t)body);
	v[HELLO_ROLE_CFG] = h->role_cfg;
	v[HELLO_ROLE] = h->role;
	v[HELLO_MODE] = h->mode;
	v[HELLO_FLAGS] = h->flags;
	be32_put(v + HELLO_DEAD, h->dead_interval);
	memcpy(v + HELLO_DIGEST, h->digest, IPSP_DIGEST_LEN);
	be16_put(v + HELLO_N_POOLS, h->n_pools);
	p = v + HELLO_POOLS;
	for (i = 0; i < h->n_pools; i++) {
		p = str_put(p, h->pools[i].name, h->pools[i].name_len);
		memcpy(p, h->pools[i].digest, IPSP_DIGEST_LEN);
		p += IPSP_DIGEST_LEN;
	}
	be16_put(p, 0); /* reserved */
	return (ssize_t)(IPSP_HDR_LEN + body);
}

ssize_t ipsp_encode_empty(uint8_t *buf, size_t size, enum ipsp_type type)
{
	if (!buf || (type != IPSP_KEEPALIVE && type != IPSP_ALL_FREE &&
		     type != IPSP_GOING_DOWN))
		return -EINVAL;
	if (size < IPSP_HDR_LEN)
		return -ENOSPC;
	hdr_put(buf, (uint8_t)type, 0);
	return IPSP_HDR_LEN;
}

ssize_t ipsp_encode_block_request(uint8_t *buf, size_t size,
				  const struct ipsp_block_request *r)
{
	size_t body;
	uint8_t *v;

	if (!buf || !r || !count_ok(r->count) ||
	    !pool_name_ok(r->name, r->name_len))
		return -EINVAL;
	body = BLOCK_LEN(r->name_len);
	if (size < IPSP_HDR_LEN + body)
		return -ENOSPC;
	v = buf + IPSP_HDR_LEN;
	hdr_put(buf, IPSP_BLOCK_REQUEST, (uint32_t)body);
	be32_put(v + REQ_ID, r->id);
	be32_put(v + REQ_COUNT, r->count);
	str_put(v + REQ_NAME_LEN, r->name, r->name_len);
	return (ssize_t)(IPSP_HDR_LEN + body);
}

ssize_t ipsp_encode_addr_request(uint8_t *buf, size_t size,
				 const struct ipsp_addr_request *r)
{
	size_t body;
	uint8_t *v, *p;

	if (!buf || !r || !str_ok(r->name, r->name_len, IPSP_POOL_NAME_MAX) ||
	    !str_ok(r->nai, r->nai_len, UINT8_MAX))
		return -EINVAL;
	body = ADDR_LEN(r->name_len, r->nai_len);
	if (size < IPSP_HDR_LEN + body)
		return -ENOSPC;
	v = buf + IPSP_HDR_LEN;
	hdr_put(buf, IPSP_ADDR_REQUEST, (uint32_t)body);
	be32_put(v + REQ_ID, r->id);
	memcpy(v + REQ_ADDR, &r->addr.s_addr, 4);
	p = str_put(v + REQ_NAME_LEN, r->name, r->name_len);
	str_put(p, r->nai, r->nai_len);
	return (ssize_t)(IPSP_HDR_LEN + body);
}

ssize_t ipsp_encode_grant(uint8_t *buf, size_t size, const struct ipsp_grant *g)
{
	size_t body;
	uint8_t *v, *r;
	unsigned int i;

	if (!buf || !g || !grant_ok(g))
		return -EINVAL;
	body = GRANT_FIXED_LEN + (size_t)g->n_ranges * RANGE_LEN;
	if (size < IPSP_HDR_LEN + body)
		return -ENOSPC;
	v = buf + IPSP_HDR_LEN;
	hdr_put(buf, IPSP_GRANT, (uint32_t)body);
	be32_put(v + GRANT_ID, g->id);
	v[GRANT_STATUS] = g->status;
	v[GRANT_RESERVED] = 0;
	be16_put(v + GRANT_N_RANGES, g->n_ranges);
	r = v + GRANT_FIXED_LEN;
	for (i = 0; i < g->n_ranges; i++, r += RANGE_LEN) {
		memcpy(r, &g->ranges[i].first.s_addr, 4);
		memcpy(r + 4, &g->ranges[i].last.s_addr, 4);
	}
	return (ssize_t)(IPSP_HDR_LEN + body);
}

int ipsp_held_begin(struct ipsp_held_builder *b, uint8_t *buf, size_t size,
		    enum ipsp_type type)
{
	if (!b || !buf || (type != IPSP_HELD && type != IPSP_RELEASE))
		return -EINVAL;
	if (size < IPSP_HDR_LEN + HELD_FIXED_LEN)
		return -ENOSPC;
	b->buf = buf;
	/* A larger buffer still makes frames a receiver accepts. */
	b->size = size < IPSP_FRAME_BUF ? size : IPSP_FRAME_BUF;
	b->len = IPSP_HDR_LEN + HELD_FIXED_LEN;
	b->n = 0;
	/* Length, flags and count as if empty, until finish sets them. */
	hdr_put(buf, (uint8_t)type, HELD_FIXED_LEN);
	memset(buf + IPSP_HDR_LEN, 0, HELD_FIXED_LEN);
	return 0;
}

int ipsp_held_add(struct ipsp_held_builder *b, const struct ipsp_entry *e)
{
	uint8_t *p;
	size_t len;

	if (!b || !b->buf || !e || (e->flags & ~ENTRY_FLAGS_ALL) ||
	    !str_ok(e->nai, e->nai_len, UINT8_MAX))
		return -EINVAL;
	len = IPSP_ENTRY_FIXED + (size_t)e->nai_len;
	if (b->n == UINT16_MAX || b->size - b->len < len)
		return -ENOSPC;
	p = b->buf + b->len;
	memcpy(p + ENT_ADDR, &e->addr.s_addr, 4);
	be64_put(p + ENT_ID, e->id);
	p[ENT_FLAGS] = e->flags;
	str_put(p + ENT_NAI_LEN, e->nai, e->nai_len);
	b->len += len;
	b->n++;
	return 0;
}

ssize_t ipsp_held_finish(struct ipsp_held_builder *b, uint8_t flags)
{
	uint8_t *v;

	if (!b || !b->buf || (flags & ~HELD_FLAGS_ALL))
		return -EINVAL;
	v = b->buf + IPSP_HDR_LEN;
	be32_put(b->buf + HDR_LENGTH, (uint32_t)(b->len - IPSP_HDR_LEN));
	v[HELD_FLAGS] = flags;
	v[HELD_RESERVED] = 0;
	be16_put(v + HELD_N_ENTRIES, b->n);
	return (ssize_t)b->len;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * sync_msg: the peer sync stream's frames (see sync_msg.h for the format).
 *
 * Every read is bounded by the length the caller gave, and every count by
 * what is left: a count or a length is checked against the bytes that
 * remain before anything it covers is looked at. The encoders check a
 * body against the decoder's rules before writing a byte, so what they
 * write always decodes.
 */
#include <errno.h>
#include <string.h>

#include <linux/mipha.h>

#include "byte_cursor.h"
#include "byteorder.h"
#include "reg.h"
#include "reg_msg.h"
#include "sync_msg.h"

/* The wire carries these enums' values: renumbering one breaks peers. */
_Static_assert(BINDING_CAUSE_REGISTER == 0 && BINDING_CAUSE_RENEW == 1 &&
		       BINDING_CAUSE_DEREGISTER == 2 &&
		       BINDING_CAUSE_EXPIRED == 3 &&
		       BINDING_CAUSE_DELETED_OUTSIDE == 4 &&
		       BINDING_CAUSE_FLUSHED == 5 &&
		       BINDING_CAUSE_RECOVERED == 6 &&
		       BINDING_CAUSE_PEER == 7 &&
		       BINDING_CAUSE_TAKEN_OVER == 8 && BINDING_CAUSE_MAX == 9,
	       "binding_cause values are sync wire values");
_Static_assert(REPLAY_TIMESTAMP == 0 && REPLAY_NONCE == 1,
	       "replay_method values are sync wire values");
_Static_assert(MIPHA_ENCAP_UNSPEC == 0 && MIPHA_ENCAP_IPIP == 1 &&
		       MIPHA_ENCAP_GRE == 2 && MIPHA_ENCAP_MAX == 2,
	       "mipha_encap values are sync wire values");
_Static_assert(SYNC_POOL_NAME_MAX == REG_POOL_NAME_MAX,
	       "a pool name that fits a cookie fits an entry");
_Static_assert(SYNC_ENTRY_MAX - SYNC_ENTRY_HDR_LEN <= 0xffff,
	       "entry_len is 16 bits");

/* Header offsets. */
enum {
	HDR_VERSION = 0,
	HDR_TYPE = 1,
	HDR_FLAGS = 2,
	HDR_LENGTH = 4,
	HDR_SEQ = 8,
};

/* HELLO body offsets, up to the sections. */
enum {
	HELLO_NODE_ID = 0,
	HELLO_MODE = 4,
	HELLO_ROLE = 5,
	HELLO_FEATURES = 6,
	HELLO_EPOCH = 8,
	HELLO_RESUME_EPOCH = 16,
	HELLO_RESUME_FROM = 24,
	HELLO_DIGEST = 32,
	HELLO_N_SECTIONS = 64,
	HELLO_FIXED_LEN = 66,
};

#define ACK_LEN	       8
#define BULK_REQ_FIXED 6 /* request_id, n_ha */
#define BULK_START_LEN 8
#define BULK_END_LEN   9
#define REPLAY_FLOOR_LEN 8
#define BINDINGS_N_LEN 2

/* Entry offsets: the head, then the fixed part from ENT_FIXED. */
enum {
	ENT_OP = 0,
	ENT_CAUSE = 1,
	ENT_LEN = 2,
	ENT_FIXED = SYNC_ENTRY_HDR_LEN,
	ENT_HOME = ENT_FIXED + 0,
	ENT_COA = ENT_FIXED + 4,
	ENT_HA = ENT_FIXED + 8,
	ENT_SRC = ENT_FIXED + 12,
	ENT_SPI = ENT_FIXED + 16,
	ENT_GRANTED = ENT_FIXED + 20,
	ENT_ELAPSED = ENT_FIXED + 24,
	ENT_KFLAGS = ENT_FIXED + 28,
	ENT_VERSION = ENT_FIXED + 32,
	ENT_REG_TIME = ENT_FIXED + 40,
	ENT_LAST_ID = ENT_FIXED + 48,
	ENT_HA_NONCE = ENT_FIXED + 56,
	ENT_REPLAY_FLAGS = ENT_FIXED + 60,
	ENT_REQ_FLAGS = ENT_FIXED + 61,
	ENT_REPLAY_METHOD = ENT_FIXED + 62,
	ENT_ENCAP = ENT_FIXED + 63,
	ENT_FLAGS = ENT_FIXED + 64,
	ENT_TLVS = ENT_FIXED + SYNC_ENTRY_FIXED_LEN,
};

#define AAA_TYPE_LEN 2 /* an AAA TLV's value begins with the attribute type */

/* ---- names ------------------------------------------------------------ */

bool sync_type_sequenced(uint8_t type)
{
	return type == SYNC_BINDINGS || type == SYNC_BULK_START ||
	       type == SYNC_BULK_END || type == SYNC_REPLAY_FLOOR;
}

static bool type_known(uint8_t type)
{
	return type >= SYNC_HELLO && type <= SYNC_REPLAY_FLOOR;
}

const char *sync_type_str(uint8_t type)
{
	static const char *const names[] = {
		[SYNC_HELLO] = "hello",
		[SYNC_ACK] = "ack",
		[SYNC_BINDINGS] = "bindings",
		[SYNC_BULK_REQUEST] = "bulk-request",
		[SYNC_BULK_START] = "bulk-start",
		[SYNC_BULK_END] = "bulk-end",
		[SYNC_REPLAY_FLOOR] = "replay-floor",
	};

	return type_known(type) ? names[type] : "?";
}

const char *sync_op_str(uint8_t op)
{
	return op == SYNC_OP_UPSERT ? "upsert" :
	       op == SYNC_OP_REMOVE ? "remove" :
	       op == SYNC_OP_REPLAY ? "replay" :
				      "?";
}

const char *sync_mode_str(uint8_t mode)
{
	return mode == SYNC_MODE_PHYSICAL ? "physical" :
	       mode == SYNC_MODE_VIRTUAL  ? "virtual" :
					    "?";
}

const char *sync_role_str(uint8_t role)
{
	static const char *const names[] = { "unknown", "listen", "standby",
					     "active" };

	return role <= SYNC_ROLE_ACTIVE ? names[role] : "?";
}

/* ---- the rules both directions share ---------------------------------- */

/*
 * A name the peer looks up and logs: 1..max printable ASCII, no space.
 * Configuration titles, pool and interface names never have one, and a
 * name in a log line stays one word.
 */
static bool name_ok(const uint8_t *s, size_t len, size_t max)
{
	return len && len <= max && bytes_printable(s, len);
}

/* An interface name of another host: no '/', as the kernel refuses it. */
static bool link_name_ok(const uint8_t *s, size_t len)
{
	return name_ok(s, len, SYNC_LINK_NAME_MAX) && !memchr(s, '/', len);
}

/* A NUL-terminated name in an array of size bytes: "" or a valid name. */
static bool cstr_ok(const char *s, size_t size, bool link)
{
	size_t len = strnlen(s, size);

	if (len == size)
		return false;
	if (!len)
		return true;
	return link ? link_name_ok((const uint8_t *)s, len) :
		      name_ok((const uint8_t *)s, len, size - 1);
}

static bool same_name(const char *a, uint8_t alen, const char *b, uint8_t blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

static bool sections_ok(const struct sync_hello *h)
{
	unsigned int i, j;

	if (h->n_sections > SYNC_SECTIONS_MAX)
		return false;
	for (i = 0; i < h->n_sections; i++) {
		const struct sync_hello_section *s = &h->sections[i];

		if (!s->name || !name_ok((const uint8_t *)s->name, s->name_len,
					 SYNC_SECTION_NAME_MAX))
			return false;
		for (j = 0; j < i; j++)
			if (same_name(s->name, s->name_len, h->sections[j].name,
				      h->sections[j].name_len))
				return false;
	}
	return true;
}

static bool groups_ok(const struct sync_hello *h)
{
	unsigned int i, j;

	if (h->n_groups > SYNC_GROUPS_MAX)
		return false;
	for (i = 0; i < h->n_groups; i++) {
		const struct sync_hello_group *g = &h->groups[i];

		if (!g->name || !name_ok((const uint8_t *)g->name, g->name_len,
					 SYNC_GROUP_NAME_MAX))
			return false;
		for (j = 0; j < i; j++)
			if (same_name(g->name, g->name_len, h->groups[j].name,
				      h->groups[j].name_len))
				return false;
	}
	return true;
}

static bool hello_ok(const struct sync_hello *h)
{
	return (h->mode == SYNC_MODE_PHYSICAL ||
		h->mode == SYNC_MODE_VIRTUAL) &&
	       h->role <= SYNC_ROLE_ACTIVE && sections_ok(h) && groups_ok(h);
}

static bool bulk_request_ok(const struct sync_bulk_request *r)
{
	unsigned int i, j;

	if (r->n_ha > SYNC_BULK_HA_MAX)
		return false;
	for (i = 0; i < r->n_ha; i++)
		for (j = 0; j < i; j++)
			if (r->ha[i].s_addr == r->ha[j].s_addr)
				return false;
	return true;
}

/* The enumerated fields of an entry, as both directions require them. */
static bool entry_values_ok(uint8_t op, uint8_t cause, uint8_t method,
			    uint8_t encap)
{
	return (op == SYNC_OP_UPSERT || op == SYNC_OP_REMOVE ||
		op == SYNC_OP_REPLAY) &&
	       cause < BINDING_CAUSE_MAX && method <= REPLAY_NONCE &&
	       encap <= MIPHA_ENCAP_MAX;
}

/* A replay entry is one identity's mark: an address or a NAI, and seen. */
static bool replay_entry_ok(const struct sync_entry *e)
{
	return e->op != SYNC_OP_REPLAY ||
	       (e->replay.seen && !e->nai_len != !e->home_addr.s_addr);
}

static bool entry_ok(const struct sync_entry *e)
{
	unsigned int i;

	if (!entry_values_ok(e->op, e->cause, e->replay_method, e->encap) ||
	    (e->flags & ~SYNC_F_ALL) || e->n_aaa > SYNC_AAA_MAX)
		return false;
	if (e->nai_len && (!e->nai || !reg_nai_valid(e->nai, e->nai_len)))
		return false;
	if (!replay_entry_ok(e))
		return false;
	if (!cstr_ok(e->pool, sizeof(e->pool), false) ||
	    !cstr_ok(e->link, sizeof(e->link), true))
		return false;
	for (i = 0; i < e->n_aaa; i++)
		if (e->aaa[i].len > SYNC_AAA_VALUE_MAX ||
		    (e->aaa[i].len && !e->aaa[i].value))
			return false;
	return true;
}

/* ---- decoding --------------------------------------------------------- */

static void hdr_get(const uint8_t *buf, struct sync_hdr *h)
{
	h->version = buf[HDR_VERSION];
	h->type = buf[HDR_TYPE];
	h->flags = be16_get(buf + HDR_FLAGS);
	h->length = be32_get(buf + HDR_LENGTH);
	h->seq = be64_get(buf + HDR_SEQ);
}

int sync_frame_peek(const uint8_t *buf, size_t len, size_t *frame_len)
{
	uint32_t length;

	*frame_len = SYNC_HDR_LEN;
	/* Fail at the first byte: nothing after it is ours to read. */
	if (len && buf[HDR_VERSION] != SYNC_VERSION)
		return -EPROTONOSUPPORT;
	if (len < SYNC_HDR_LEN)
		return -EAGAIN;
	length = be32_get(buf + HDR_LENGTH);
	if (length > SYNC_FRAME_MAX)
		return -EBADMSG;
	*frame_len = SYNC_HDR_LEN + (size_t)length;
	return len < *frame_len ? -EAGAIN : 0;
}

/* A length-prefixed name: u8 len, then a valid name of that many bytes. */
static int name_take(struct byte_cursor *c, size_t max, const char **name,
		     uint8_t *len)
{
	const uint8_t *l = cursor_take(c, 1), *s;

	if (!l)
		return -EBADMSG;
	s = cursor_take(c, *l);
	if (!s || !name_ok(s, *l, max))
		return -EBADMSG;
	*name = (const char *)s;
	*len = *l;
	return 0;
}

static int hello_decode(struct byte_cursor *c, struct sync_hello *h)
{
	const uint8_t *v = cursor_take(c, HELLO_FIXED_LEN), *n;
	unsigned int i;

	if (!v)
		return -EBADMSG;
	h->node_id = be32_get(v + HELLO_NODE_ID);
	h->mode = v[HELLO_MODE];
	h->role = v[HELLO_ROLE];
	h->features = be16_get(v + HELLO_FEATURES);
	h->stream_epoch = be64_get(v + HELLO_EPOCH);
	h->resume_epoch = be64_get(v + HELLO_RESUME_EPOCH);
	h->resume_from = be64_get(v + HELLO_RESUME_FROM);
	memcpy(h->digest, v + HELLO_DIGEST, SYNC_DIGEST_LEN);
	h->n_sections = be16_get(v + HELLO_N_SECTIONS);
	if (h->n_sections > SYNC_SECTIONS_MAX)
		return -EBADMSG;
	for (i = 0; i < h->n_sections; i++) {
		struct sync_hello_section *s = &h->sections[i];

		if (name_take(c, SYNC_SECTION_NAME_MAX, &s->name,
			      &s->name_len) ||
		    !(v = cursor_take(c, SYNC_DIGEST_LEN)))
			return -EBADMSG;
		memcpy(s->digest, v, SYNC_DIGEST_LEN);
	}
	n = cursor_take(c, 2);
	if (!n)
		return -EBADMSG;
	h->n_groups = be16_get(n);
	if (h->n_groups > SYNC_GROUPS_MAX)
		return -EBADMSG;
	for (i = 0; i < h->n_groups; i++)
		if (name_take(c, SYNC_GROUP_NAME_MAX, &h->groups[i].name,
			      &h->groups[i].name_len))
			return -EBADMSG;
	/* Names were each checked as they came; duplicates once all are in. */
	return hello_ok(h) ? 0 : -EBADMSG;
}

static int bulk_request_decode(struct byte_cursor *c, struct sync_bulk_request *r)
{
	const uint8_t *v = cursor_take(c, BULK_REQ_FIXED);
	unsigned int i;

	if (!v)
		return -EBADMSG;
	r->request_id = be32_get(v);
	r->n_ha = be16_get(v + 4);
	if (r->n_ha > SYNC_BULK_HA_MAX)
		return -EBADMSG;
	for (i = 0; i < r->n_ha; i++) {
		v = cursor_take(c, 4);
		if (!v)
			return -EBADMSG;
		memcpy(&r->ha[i].s_addr, v, 4);
	}
	return bulk_request_ok(r) ? 0 : -EBADMSG;
}

/* One TLV of an entry, its value v of len bytes. */
static int tlv_decode(uint8_t type, const uint8_t *v, uint8_t len,
		      struct sync_entry *e)
{
	switch (type) {
	case SYNC_TLV_NAI:
		if (e->nai_len || !reg_nai_valid(v, len))
			return -EBADMSG;
		e->nai = v;
		e->nai_len = len;
		return 0;
	case SYNC_TLV_POOL:
		if (e->pool[0] || !name_ok(v, len, SYNC_POOL_NAME_MAX))
			return -EBADMSG;
		memcpy(e->pool, v, len);
		e->pool[len] = '\0';
		return 0;
	case SYNC_TLV_LINK:
		if (e->link[0] || !link_name_ok(v, len))
			return -EBADMSG;
		memcpy(e->link, v, len);
		e->link[len] = '\0';
		return 0;
	case SYNC_TLV_AAA: {
		struct binding_aaa *a;

		if (len < AAA_TYPE_LEN || e->n_aaa == SYNC_AAA_MAX)
			return -EBADMSG;
		a = &e->aaa[e->n_aaa++];
		a->type = be16_get(v);
		a->len = len - AAA_TYPE_LEN;
		a->value = v + AAA_TYPE_LEN;
		return 0;
	}
	}
	/* Another version's: its len says where the next one starts. */
	e->skipped_tlvs++;
	return 0;
}

static void fixed_get(const uint8_t *p, struct sync_entry *e)
{
	uint8_t rf = p[ENT_REPLAY_FLAGS];

	memcpy(&e->home_addr.s_addr, p + ENT_HOME, 4);
	memcpy(&e->coa.s_addr, p + ENT_COA, 4);
	memcpy(&e->ha_addr.s_addr, p + ENT_HA, 4);
	memcpy(&e->src.s_addr, p + ENT_SRC, 4);
	e->spi = be32_get(p + ENT_SPI);
	e->granted = be32_get(p + ENT_GRANTED);
	e->elapsed_ms = be32_get(p + ENT_ELAPSED);
	e->kflags = be32_get(p + ENT_KFLAGS);
	e->version = be64_get(p + ENT_VERSION);
	e->reg_time_ms = be64_get(p + ENT_REG_TIME);
	e->replay.last_id = be64_get(p + ENT_LAST_ID);
	e->replay.ha_nonce = be32_get(p + ENT_HA_NONCE);
	e->replay.seen = rf & SYNC_REPLAY_SEEN;
	e->replay.has_nonce = rf & SYNC_REPLAY_HAS_NONCE;
	e->req_flags = p[ENT_REQ_FLAGS];
	e->replay_method = p[ENT_REPLAY_METHOD];
	e->encap = p[ENT_ENCAP];
	e->flags = be16_get(p + ENT_FLAGS) & SYNC_F_ALL;
}

/* The entry at buf, of at most len bytes (the rest of the body). */
static int entry_decode(const uint8_t *buf, size_t len, struct sync_entry *e)
{
	size_t elen, off;
	int err;

	memset(e, 0, sizeof(*e));
	if (len < SYNC_ENTRY_HDR_LEN)
		return -EBADMSG;
	elen = be16_get(buf + ENT_LEN);
	if (elen < SYNC_ENTRY_FIXED_LEN || len - SYNC_ENTRY_HDR_LEN < elen)
		return -EBADMSG;
	e->op = buf[ENT_OP];
	e->cause = buf[ENT_CAUSE];
	fixed_get(buf, e);
	if (!entry_values_ok(e->op, e->cause, e->replay_method, e->encap))
		return -EBADMSG;

	e->len = SYNC_ENTRY_HDR_LEN + elen;
	for (off = ENT_TLVS; off < e->len;) {
		uint8_t type, tlen;

		if (e->len - off < SYNC_TLV_HDR)
			return -EBADMSG;
		type = buf[off];
		tlen = buf[off + 1];
		off += SYNC_TLV_HDR;
		if (e->len - off < tlen)
			return -EBADMSG;
		err = tlv_decode(type, buf + off, tlen, e);
		if (err)
			return err;
		off += tlen;
	}
	return replay_entry_ok(e) ? 0 : -EBADMSG;
}

void sync_entries_init(struct sync_entry_iter *it,
		       const struct sync_bindings *b)
{
	it->next = b->entries;
	it->left = b->entries_len;
	it->remaining = b->n_entries;
}

int sync_entries_next(struct sync_entry_iter *it, struct sync_entry *e)
{
	int err;

	if (!it->remaining)
		return it->left ? -EBADMSG : 0;
	err = entry_decode(it->next, it->left, e);
	if (err) {
		memset(e, 0, sizeof(*e));
		return err;
	}
	it->next += e->len;
	it->left -= e->len;
	it->remaining--;
	return 1;
}

/*
 * Every entry decodes and they fill the body exactly: a frame is refused
 * whole before its first entry is applied.
 */
static int bindings_decode(struct byte_cursor *c, struct sync_bindings *b)
{
	const uint8_t *n = cursor_take(c, BINDINGS_N_LEN);
	struct sync_entry_iter it;
	struct sync_entry e;
	int ret;

	if (!n)
		return -EBADMSG;
	b->n_entries = be16_get(n);
	b->entries = c->p;
	b->entries_len = c->left;
	sync_entries_init(&it, b);
	while ((ret = sync_entries_next(&it, &e)) > 0)
		;
	if (ret)
		return ret;
	c->left = 0;
	return 0;
}

static int body_decode(struct byte_cursor *c, struct sync_frame *f)
{
	const uint8_t *v;

	switch (f->hdr.type) {
	case SYNC_HELLO:
		return hello_decode(c, &f->hello);
	case SYNC_ACK:
		v = cursor_take(c, ACK_LEN);
		if (!v)
			return -EBADMSG;
		f->ack.acked = be64_get(v);
		return 0;
	case SYNC_BINDINGS:
		return bindings_decode(c, &f->bindings);
	case SYNC_BULK_REQUEST:
		return bulk_request_decode(c, &f->bulk_request);
	case SYNC_BULK_START:
		v = cursor_take(c, BULK_START_LEN);
		if (!v)
			return -EBADMSG;
		f->bulk_start.request_id = be32_get(v);
		f->bulk_start.expected = be32_get(v + 4);
		return 0;
	case SYNC_BULK_END:
		v = cursor_take(c, BULK_END_LEN);
		if (!v)
			return -EBADMSG;
		f->bulk_end.request_id = be32_get(v);
		f->bulk_end.count = be32_get(v + 4);
		f->bulk_end.status = v[8];
		return f->bulk_end.status <= SYNC_BULK_ABORTED ? 0 : -EBADMSG;
	case SYNC_REPLAY_FLOOR:
		v = cursor_take(c, REPLAY_FLOOR_LEN);
		if (!v)
			return -EBADMSG;
		f->replay_floor.floor = be64_get(v);
		return 0;
	}
	return -ENOMSG;
}

static int frame_decode(const uint8_t *buf, size_t len, struct sync_frame *f)
{
	struct byte_cursor c;
	int err;

	if (!buf || !len)
		return -EBADMSG;
	if (buf[HDR_VERSION] != SYNC_VERSION)
		return -EPROTONOSUPPORT;
	if (len < SYNC_HDR_LEN)
		return -EBADMSG;
	hdr_get(buf, &f->hdr);
	if (f->hdr.length > SYNC_FRAME_MAX ||
	    len != SYNC_HDR_LEN + (size_t)f->hdr.length)
		return -EBADMSG;
	f->len = len;
	if (!type_known(f->hdr.type))
		return -ENOMSG;
	if ((f->hdr.seq != 0) != sync_type_sequenced(f->hdr.type))
		return -EBADMSG;

	c.p = buf + SYNC_HDR_LEN;
	c.left = f->hdr.length;
	err = body_decode(&c, f);
	if (err)
		return err;
	return c.left ? -EBADMSG : 0;
}

int sync_frame_decode(const uint8_t *buf, size_t len, struct sync_frame *f)
{
	int err;

	memset(f, 0, sizeof(*f));
	err = frame_decode(buf, len, f);
	if (err && err != -ENOMSG)
		memset(f, 0, sizeof(*f));
	return err;
}

/* ---- the record at each end ------------------------------------------- */

int sync_entry_from_rec(struct sync_entry *e, enum sync_op op,
			enum binding_cause cause, const struct binding_rec *rec,
			uint64_t now_ms, const char *link_name)
{
	uint64_t granted_ms = (uint64_t)rec->granted * 1000;

	memset(e, 0, sizeof(*e));
	if (!rec->link != !link_name)
		return -EINVAL;
	if (rec->pool && strlen(rec->pool) >= sizeof(e->pool))
		return -EINVAL;
	if (link_name &&
	    (!link_name[0] || strlen(link_name) >= sizeof(e->link)))
		return -EINVAL;

	*e = (struct sync_entry){
		.op = (uint8_t)op,
		.cause = (uint8_t)cause,
		.home_addr = rec->home_addr,
		.coa = rec->coa,
		.ha_addr = rec->ha_addr,
		.src = rec->src,
		.spi = rec->spi,
		.granted = rec->granted,
		.kflags = rec->kflags,
		.version = rec->version,
		.reg_time_ms = rec->reg_time_ms,
		.replay = rec->replay,
		.req_flags = rec->req_flags,
		.replay_method = rec->replay_method,
		.encap = rec->encap,
		.nai_len = rec->nai_len,
		.nai = rec->nai,
		.n_aaa = rec->n_aaa,
	};
	if (rec->n_aaa > SYNC_AAA_MAX) {
		memset(e, 0, sizeof(*e));
		return -EINVAL;
	}
	if (rec->n_aaa)
		memcpy(e->aaa, rec->aaa, rec->n_aaa * sizeof(e->aaa[0]));
	if (rec->pool)
		strcpy(e->pool, rec->pool);
	if (link_name)
		strcpy(e->link, link_name);

	if (!rec->expires_ms) {
		e->flags = SYNC_F_NO_EXPIRY;
	} else {
		/* What is left, at most what was granted; nothing if past. */
		uint64_t left =
			rec->expires_ms > now_ms ? rec->expires_ms - now_ms : 0;
		uint64_t elapsed = left < granted_ms ? granted_ms - left : 0;

		if (elapsed > UINT32_MAX) {
			memset(e, 0, sizeof(*e));
			return -ERANGE;
		}
		e->elapsed_ms = (uint32_t)elapsed;
	}
	if (!entry_ok(e)) {
		memset(e, 0, sizeof(*e));
		return -EINVAL;
	}
	return 0;
}

void sync_entry_to_rec(const struct sync_entry *e, uint64_t now_ms,
		       struct binding_rec *rec)
{
	*rec = (struct binding_rec){
		.home_addr = e->home_addr,
		.coa = e->coa,
		.ha_addr = e->ha_addr,
		.src = e->src,
		.replay = e->replay,
		.reg_time_ms = e->reg_time_ms,
		.version = e->version,
		.spi = e->spi,
		.granted = e->granted,
		.kflags = e->kflags,
		.req_flags = e->req_flags,
		.replay_method = e->replay_method,
		.encap = e->encap,
		.origin = BINDING_ORIGIN_PEER,
		.nai_len = e->nai_len,
		.nai = e->nai_len ? e->nai : NULL,
		.pool = e->pool[0] ? e->pool : NULL,
		.n_aaa = e->n_aaa,
		.aaa = e->n_aaa ? e->aaa : NULL,
	};
	if (!(e->flags & SYNC_F_NO_EXPIRY)) {
		uint64_t granted_ms = (uint64_t)e->granted * 1000;
		uint64_t left = granted_ms > e->elapsed_ms ?
					granted_ms - e->elapsed_ms :
					0;

		/* 0 would read "never": an expired binding expires now. */
		rec->expires_ms = now_ms + left;
		if (!rec->expires_ms)
			rec->expires_ms = 1;
	}
}

/* ---- encoding --------------------------------------------------------- */

static void hdr_put(uint8_t *buf, uint8_t type, uint32_t length, uint64_t seq)
{
	buf[HDR_VERSION] = SYNC_VERSION;
	buf[HDR_TYPE] = type;
	be16_put(buf + HDR_FLAGS, 0);
	be32_put(buf + HDR_LENGTH, length);
	be64_put(buf + HDR_SEQ, seq);
}

static size_t hello_len(const struct sync_hello *h)
{
	size_t len = HELLO_FIXED_LEN + 2;
	unsigned int i;

	for (i = 0; i < h->n_sections; i++)
		len += 1 + h->sections[i].name_len + SYNC_DIGEST_LEN;
	for (i = 0; i < h->n_groups; i++)
		len += 1 + h->groups[i].name_len;
	return len;
}

static uint8_t *name_put(uint8_t *p, const char *name, uint8_t len)
{
	*p++ = len;
	memcpy(p, name, len);
	return p + len;
}

ssize_t sync_encode_hello(uint8_t *buf, size_t size, const struct sync_hello *h)
{
	uint8_t *v, *p;
	size_t body;
	unsigned int i;

	if (!buf || !h || !hello_ok(h))
		return -EINVAL;
	body = hello_len(h);
	if (size < SYNC_HDR_LEN + body)
		return -ENOSPC;
	v = buf + SYNC_HDR_LEN;

	hdr_put(buf, SYNC_HELLO, (uint32_t)body, 0);
	be32_put(v + HELLO_NODE_ID, h->node_id);
	v[HELLO_MODE] = h->mode;
	v[HELLO_ROLE] = h->role;
	be16_put(v + HELLO_FEATURES, h->features);
	be64_put(v + HELLO_EPOCH, h->stream_epoch);
	be64_put(v + HELLO_RESUME_EPOCH, h->resume_epoch);
	be64_put(v + HELLO_RESUME_FROM, h->resume_from);
	memcpy(v + HELLO_DIGEST, h->digest, SYNC_DIGEST_LEN);
	be16_put(v + HELLO_N_SECTIONS, h->n_sections);
	p = v + HELLO_FIXED_LEN;
	for (i = 0; i < h->n_sections; i++) {
		p = name_put(p, h->sections[i].name, h->sections[i].name_len);
		memcpy(p, h->sections[i].digest, SYNC_DIGEST_LEN);
		p += SYNC_DIGEST_LEN;
	}
	be16_put(p, h->n_groups);
	p += 2;
	for (i = 0; i < h->n_groups; i++)
		p = name_put(p, h->groups[i].name, h->groups[i].name_len);
	return (ssize_t)(SYNC_HDR_LEN + body);
}

ssize_t sync_encode_ack(uint8_t *buf, size_t size, uint64_t acked)
{
	if (!buf)
		return -EINVAL;
	if (size < SYNC_HDR_LEN + ACK_LEN)
		return -ENOSPC;
	hdr_put(buf, SYNC_ACK, ACK_LEN, 0);
	be64_put(buf + SYNC_HDR_LEN, acked);
	return SYNC_HDR_LEN + ACK_LEN;
}

ssize_t sync_encode_bulk_request(uint8_t *buf, size_t size,
				 const struct sync_bulk_request *r)
{
	uint8_t *v;
	size_t body;
	unsigned int i;

	if (!buf || !r || !bulk_request_ok(r))
		return -EINVAL;
	body = BULK_REQ_FIXED + 4 * (size_t)r->n_ha;
	if (size < SYNC_HDR_LEN + body)
		return -ENOSPC;
	v = buf + SYNC_HDR_LEN;
	hdr_put(buf, SYNC_BULK_REQUEST, (uint32_t)body, 0);
	be32_put(v, r->request_id);
	be16_put(v + 4, r->n_ha);
	for (i = 0; i < r->n_ha; i++)
		memcpy(v + BULK_REQ_FIXED + 4 * i, &r->ha[i].s_addr, 4);
	return (ssize_t)(SYNC_HDR_LEN + body);
}

ssize_t sync_encode_bulk_start(uint8_t *buf, size_t size, uint64_t seq,
			       const struct sync_bulk_start *s)
{
	if (!buf || !s || !seq)
		return -EINVAL;
	if (size < SYNC_HDR_LEN + BULK_START_LEN)
		return -ENOSPC;
	hdr_put(buf, SYNC_BULK_START, BULK_START_LEN, seq);
	be32_put(buf + SYNC_HDR_LEN, s->request_id);
	be32_put(buf + SYNC_HDR_LEN + 4, s->expected);
	return SYNC_HDR_LEN + BULK_START_LEN;
}

ssize_t sync_encode_bulk_end(uint8_t *buf, size_t size, uint64_t seq,
			     const struct sync_bulk_end *e)
{
	if (!buf || !e || !seq || e->status > SYNC_BULK_ABORTED)
		return -EINVAL;
	if (size < SYNC_HDR_LEN + BULK_END_LEN)
		return -ENOSPC;
	hdr_put(buf, SYNC_BULK_END, BULK_END_LEN, seq);
	be32_put(buf + SYNC_HDR_LEN, e->request_id);
	be32_put(buf + SYNC_HDR_LEN + 4, e->count);
	buf[SYNC_HDR_LEN + 8] = e->status;
	return SYNC_HDR_LEN + BULK_END_LEN;
}

ssize_t sync_encode_replay_floor(uint8_t *buf, size_t size, uint64_t seq,
				 uint64_t floor)
{
	if (!buf || !seq)
		return -EINVAL;
	if (size < SYNC_HDR_LEN + REPLAY_FLOOR_LEN)
		return -ENOSPC;
	hdr_put(buf, SYNC_REPLAY_FLOOR, REPLAY_FLOOR_LEN, seq);
	be64_put(buf + SYNC_HDR_LEN, floor);
	return SYNC_HDR_LEN + REPLAY_FLOOR_LEN;
}

int sync_bindings_begin(struct sync_builder *b, uint8_t *buf, size_t size,
			uint64_t seq)
{
	if (!b || !buf || !seq)
		return -EINVAL;
	if (size < SYNC_HDR_LEN + BINDINGS_N_LEN)
		return -ENOSPC;
	b->buf = buf;
	b->size = size < SYNC_FRAME_BUF ? size : SYNC_FRAME_BUF;
	b->len = SYNC_HDR_LEN + BINDINGS_N_LEN;
	b->n_entries = 0;
	/* Length and count as if empty, until finish patches them. */
	hdr_put(buf, SYNC_BINDINGS, BINDINGS_N_LEN, seq);
	be16_put(buf + SYNC_HDR_LEN, 0);
	return 0;
}

static size_t entry_len(const struct sync_entry *e)
{
	size_t len = SYNC_ENTRY_HDR_LEN + SYNC_ENTRY_FIXED_LEN;
	unsigned int i;

	if (e->nai_len)
		len += SYNC_TLV_HDR + e->nai_len;
	if (e->pool[0])
		len += SYNC_TLV_HDR + strlen(e->pool);
	if (e->link[0])
		len += SYNC_TLV_HDR + strlen(e->link);
	for (i = 0; i < e->n_aaa; i++)
		len += SYNC_TLV_HDR + AAA_TYPE_LEN + e->aaa[i].len;
	return len;
}

static uint8_t *tlv_put(uint8_t *p, uint8_t type, const void *v, size_t len)
{
	p[0] = type;
	p[1] = (uint8_t)len;
	memcpy(p + SYNC_TLV_HDR, v, len);
	return p + SYNC_TLV_HDR + len;
}

static void fixed_put(uint8_t *p, const struct sync_entry *e)
{
	memcpy(p + ENT_HOME, &e->home_addr.s_addr, 4);
	memcpy(p + ENT_COA, &e->coa.s_addr, 4);
	memcpy(p + ENT_HA, &e->ha_addr.s_addr, 4);
	memcpy(p + ENT_SRC, &e->src.s_addr, 4);
	be32_put(p + ENT_SPI, e->spi);
	be32_put(p + ENT_GRANTED, e->granted);
	be32_put(p + ENT_ELAPSED, e->elapsed_ms);
	be32_put(p + ENT_KFLAGS, e->kflags);
	be64_put(p + ENT_VERSION, e->version);
	be64_put(p + ENT_REG_TIME, e->reg_time_ms);
	be64_put(p + ENT_LAST_ID, e->replay.last_id);
	be32_put(p + ENT_HA_NONCE, e->replay.ha_nonce);
	p[ENT_REPLAY_FLAGS] = (e->replay.seen ? SYNC_REPLAY_SEEN : 0) |
			      (e->replay.has_nonce ? SYNC_REPLAY_HAS_NONCE : 0);
	p[ENT_REQ_FLAGS] = e->req_flags;
	p[ENT_REPLAY_METHOD] = e->replay_method;
	p[ENT_ENCAP] = e->encap;
	be16_put(p + ENT_FLAGS, e->flags);
}

int sync_bindings_add(struct sync_builder *b, const struct sync_entry *e)
{
	uint8_t *p, *t;
	size_t len;
	unsigned int i;

	if (!b || !b->buf || !e || !entry_ok(e))
		return -EINVAL;
	len = entry_len(e);
	if (b->n_entries == UINT16_MAX || b->size - b->len < len)
		return -ENOSPC;

	p = b->buf + b->len;
	p[ENT_OP] = e->op;
	p[ENT_CAUSE] = e->cause;
	be16_put(p + ENT_LEN, (uint16_t)(len - SYNC_ENTRY_HDR_LEN));
	fixed_put(p, e);
	t = p + ENT_TLVS;
	if (e->nai_len)
		t = tlv_put(t, SYNC_TLV_NAI, e->nai, e->nai_len);
	if (e->pool[0])
		t = tlv_put(t, SYNC_TLV_POOL, e->pool, strlen(e->pool));
	if (e->link[0])
		t = tlv_put(t, SYNC_TLV_LINK, e->link, strlen(e->link));
	for (i = 0; i < e->n_aaa; i++) {
		t[0] = SYNC_TLV_AAA;
		t[1] = (uint8_t)(AAA_TYPE_LEN + e->aaa[i].len);
		be16_put(t + SYNC_TLV_HDR, e->aaa[i].type);
		memcpy(t + SYNC_TLV_HDR + AAA_TYPE_LEN, e->aaa[i].value,
		       e->aaa[i].len);
		t += SYNC_TLV_HDR + AAA_TYPE_LEN + e->aaa[i].len;
	}
	b->len += len;
	b->n_entries++;
	return 0;
}

int sync_bindings_add_rec(struct sync_builder *b, enum sync_op op,
			  enum binding_cause cause,
			  const struct binding_rec *rec, uint64_t now_ms,
			  const char *link_name)
{
	struct sync_entry e;
	int err;

	if (!rec)
		return -EINVAL;
	err = sync_entry_from_rec(&e, op, cause, rec, now_ms, link_name);
	return err ? err : sync_bindings_add(b, &e);
}

size_t sync_bindings_finish(struct sync_builder *b)
{
	be32_put(b->buf + HDR_LENGTH, (uint32_t)(b->len - SYNC_HDR_LEN));
	be16_put(b->buf + SYNC_HDR_LEN, b->n_entries);
	return b->len;
}

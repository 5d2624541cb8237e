/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipsp_msg: the wire format of the IP Pool Sharing Protocol (seed 004,
 * StarOS IPSP) between a primary and a secondary home agent. It travels
 * on its own connection of peer sync's secured channel (sync_tls: TLS 1.3,
 * external PSK from the secure-home-agent SA of the IPSP peer); this is
 * the plaintext of that stream, a sequence of frames.
 *
 * Pure byte codec, as sync_msg and hsrp_msg: no I/O, no state, no
 * allocation. A decoded frame points into the caller's buffer (pool names,
 * NAIs, the entries of a HELD frame) and is valid as long as it is.
 *
 * ---- The format, version 1 ----------------------------------------------
 *
 * All integers are unsigned and big endian; addresses are IPv4 addresses
 * as on the wire (network order, like struct in_addr).
 *
 * Frame header, 8 bytes, before every body:
 *	off len field
 *	  0   1 version: IPSP_VERSION (1). Another version cannot be read:
 *		the connection closes.
 *	  1   1 type (enum ipsp_type)
 *	  2   2 flags: none defined; sent as 0, ignored on receipt
 *	  4   4 length: bytes of body after the header, 0..IPSP_FRAME_MAX
 *		(64 KiB); more is malformed
 *
 *	type			body
 *	1 IPSP_HELLO		who the sender is and its pool configuration
 *	2 IPSP_KEEPALIVE	empty: the sender is alive (dead interval)
 *	3 IPSP_BLOCK_REQUEST	secondary: "assign me a block of a pool"
 *	4 IPSP_ADDR_REQUEST	secondary: "assign me this address" (handoff)
 *	5 IPSP_GRANT		primary: the answer to a request
 *	6 IPSP_HELD		the addresses the sender holds (see below)
 *	7 IPSP_ALL_FREE		primary: "I hold no address: be primary"
 *	8 IPSP_GOING_DOWN	the sender stops (graceful termination)
 *	9 IPSP_RELEASE		primary: "drop your binding of these"
 *
 * A frame of a type the receiver does not know is skipped by its length
 * (the decoder says -ENOMSG). A body is exactly what its type says: a
 * byte short or a byte left over is malformed.
 *
 * Strings (pool names, NAIs) are a 1-byte length then the bytes, no NUL:
 * a pool name is 1..IPSP_POOL_NAME_MAX (63) printable ASCII (0x21-0x7e);
 * an NAI is 0..255 bytes of printable ASCII (0x21-0x7e; 0 bytes: the
 * node's identity is its address).
 *
 * HELLO body (44 + pools):
 *	  0   1 role_cfg: the sender's configured role (enum ipsp_role):
 *		1 primary, 2 secondary
 *	  1   1 role: the role it plays now (enum ipsp_role)
 *	  2   1 mode (enum ipsp_mode): 1 active, 2 inactive, 3 check-config
 *	  3   1 hello flags: bit 0 IPSP_HELLO_ACTING (the sender plays
 *		the role it is not configured for: display); bit 1
 *		IPSP_HELLO_ALL_FREE (the sender raised "all addresses free"
 *		and handed the primary's role over); bit 2 IPSP_HELLO_HANDED
 *		(the sender is primary because its peer handed it every
 *		address: when both say primary, it stays so; without it the
 *		configured primary does, see ipsp_state.h); other bits sent
 *		0, ignored
 *	  4   4 dead_interval: seconds, 1..3600
 *	  8  32 digest: SHA-256 over every managed pool's configuration
 *		(config_ipsp_pools_digest(): name, ranges, priorities,
 *		group, in configuration order)
 *	 40   2 n_pools, 0..IPSP_POOLS_MAX (256), then n_pools times
 *		  1 name_len, 1..63
 *		  n name
 *		 32 digest of that pool alone
 *	 .    2 reserved, sent 0, ignored
 *	Pool names are distinct.
 *
 * KEEPALIVE body: empty.
 *
 * BLOCK_REQUEST body (9 + name):
 *	  0   4 request_id, chosen by the requester, echoed in the GRANT
 *	  4   4 count: addresses wanted, 1..IPSP_BLOCK_MAX (65536)
 *	  8   1 name_len 1..63, then the pool name
 *
 * ADDR_REQUEST body (10 + name + nai):
 *	  0   4 request_id
 *	  4   4 address: the one the mobile node holds (its handoff)
 *	  8   1 name_len 0..63 then the pool name: the pool of the node
 *		asking, which must hold the address or share its group (a
 *		node never takes another pool's address; the primary answers
 *		a request without one NO_POOL)
 *	  .   1 nai_len 0..255 then the NAI of the node asking (realm folded
 *		to lower case); the primary releases its binding of that
 *		address only to that identity
 *
 * GRANT body (8 + 8 n):
 *	  0   4 request_id of the request answered
 *	  4   1 status (enum ipsp_status)
 *	  5   1 reserved, sent 0
 *	  6   2 n_ranges 0..IPSP_RANGES_MAX (4096), then n_ranges times
 *		  4 first address
 *		  4 last address (first <= last, in host order comparison)
 *	Status IPSP_OK: the ranges are the sender's grant, now the
 *	receiver's (busied out at the sender). Any other status: no range.
 *
 * HELD body (4 + entries):
 *	  0   1 held flags: bit 0 IPSP_HELD_LAST (the last HELD frame of this
 *		set); other bits sent 0, ignored
 *	  1   1 reserved, sent 0
 *	  2   2 n_entries, then n_entries entries filling the body, each
 *		  4 address
 *		  8 identification: the Identification of the accepted
 *		    registration of the binding (0 without one)
 *		  1 entry flags: bit 0 IPSP_ENTRY_BOUND (a binding holds the
 *		    address; else the sender holds it free, in its block),
 *		    bit 1 IPSP_ENTRY_TIMESTAMP (identification is an NTP
 *		    timestamp of the node: comparable); others 0, ignored
 *		  1 nai_len 0..255, then the NAI
 *	Sent by a secondary on every connection (its claims: every address
 *	granted to it that it still holds), and by a primary just before a
 *	GOING_DOWN (the addresses its bindings hold: the secondary, playing
 *	the primary meanwhile, keeps them for those nodes alone).
 *
 * ALL_FREE body: empty. GOING_DOWN body: empty (the sender's role is in
 * its HELLO).
 *
 * RELEASE body: as HELD (flags, reserved, n_entries, entries). The
 * addresses whose binding at the receiver lost to the sender's (the same
 * address bound to a newer registration, or to another node, at the
 * primary): the receiver removes its binding.
 *
 * ---- What decoding does not check: the receiver must --------------------
 * request ids against what it asked, that a range lies in a pool of its
 * own, roles and modes against its configuration, that an address of a
 * HELD entry is in a managed pool.
 */
#ifndef MIPHA_IPSP_MSG_H
#define MIPHA_IPSP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <netinet/in.h>

#define IPSP_VERSION	   1
#define IPSP_HDR_LEN	   8
#define IPSP_FRAME_MAX	   (64u * 1024)
#define IPSP_FRAME_BUF	   (IPSP_HDR_LEN + IPSP_FRAME_MAX)
#define IPSP_POOL_NAME_MAX 63
#define IPSP_POOLS_MAX	   256
#define IPSP_BLOCK_MAX	   65536
#define IPSP_RANGES_MAX	   4096
#define IPSP_DIGEST_LEN	   32
#define IPSP_DEAD_MAX	   3600
/* Entry bytes before the NAI. */
#define IPSP_ENTRY_FIXED   14

enum ipsp_type {
	IPSP_HELLO = 1,
	IPSP_KEEPALIVE = 2,
	IPSP_BLOCK_REQUEST = 3,
	IPSP_ADDR_REQUEST = 4,
	IPSP_GRANT = 5,
	IPSP_HELD = 6,
	IPSP_ALL_FREE = 7,
	IPSP_GOING_DOWN = 8,
	IPSP_RELEASE = 9,
};

enum ipsp_role {
	IPSP_ROLE_PRIMARY = 1,
	IPSP_ROLE_SECONDARY = 2,
};

enum ipsp_mode {
	IPSP_MODE_ACTIVE = 1,
	IPSP_MODE_INACTIVE = 2,
	IPSP_MODE_CHECK_CONFIG = 3,
};

#define IPSP_HELLO_ACTING   0x01
#define IPSP_HELLO_ALL_FREE 0x02
#define IPSP_HELLO_HANDED   0x04
#define IPSP_HELD_LAST	    0x01
#define IPSP_ENTRY_BOUND    0x01
#define IPSP_ENTRY_TIMESTAMP 0x02

enum ipsp_status {
	IPSP_OK = 0,
	IPSP_ST_IN_USE = 1,	/* the address is bound to another node */
	IPSP_ST_NO_POOL = 2,	/* no such pool, or the address is in none */
	IPSP_ST_EXHAUSTED = 3,	/* no free address left in the pool */
	IPSP_ST_NOT_PRIMARY = 4, /* the receiver is not the primary */
	IPSP_ST_NOT_READY = 5,	/* configuration differs, mode not active */
	IPSP_ST_ERROR = 6,	/* the primary failed (memory, kernel) */
	IPSP_ST_MAX,
};

struct ipsp_hdr {
	uint8_t version;
	uint8_t type;
	uint16_t flags;
	uint32_t length;
};

struct ipsp_hello_pool {
	uint8_t name_len;
	const char *name; /* not NUL-terminated */
	const uint8_t *digest; /* IPSP_DIGEST_LEN bytes */
};

struct ipsp_hello {
	uint8_t role_cfg, role, mode, flags;
	uint32_t dead_interval;
	uint8_t digest[IPSP_DIGEST_LEN];
	uint16_t n_pools;
	/* decoded: points into the frame; encoded: the caller's array */
	const uint8_t *pools_raw; /* decode: the first pool's bytes */
	const struct ipsp_hello_pool *pools; /* encode only */
};

struct ipsp_block_request {
	uint32_t id, count;
	uint8_t name_len;
	const char *name;
};

struct ipsp_addr_request {
	uint32_t id;
	struct in_addr addr;
	uint8_t name_len;
	const char *name;
	uint8_t nai_len;
	const uint8_t *nai;
};

struct ipsp_range {
	struct in_addr first, last;
};

struct ipsp_grant {
	uint32_t id;
	uint8_t status;
	uint16_t n_ranges;
	const uint8_t *ranges_raw;	 /* decode: 8 bytes per range */
	const struct ipsp_range *ranges; /* encode only */
};

struct ipsp_entry {
	struct in_addr addr;
	uint64_t id;
	uint8_t flags;
	uint8_t nai_len;
	const uint8_t *nai;
};

/* HELD and RELEASE. */
struct ipsp_held {
	uint8_t flags;
	uint16_t n_entries;
	const uint8_t *entries_raw; /* decode: the first entry's bytes */
	size_t entries_len;
};

struct ipsp_frame {
	struct ipsp_hdr hdr;
	union {
		struct ipsp_hello hello;
		struct ipsp_block_request block;
		struct ipsp_addr_request addr;
		struct ipsp_grant grant;
		struct ipsp_held held;
	} u;
};

/*
 * Is a whole frame at buf? 0 with *frame_len (header + body) when it is;
 * -EAGAIN if more bytes are needed; -EPROTO (another version), -EMSGSIZE
 * (length over IPSP_FRAME_MAX).
 */
int ipsp_frame_peek(const uint8_t *buf, size_t len, size_t *frame_len);
/*
 * Decode the one frame at buf[0..len) (len: exactly the frame). 0;
 * -ENOMSG for a type this version does not know (skip it); -EBADMSG for a
 * malformed body (the connection closes); -EPROTO, -EMSGSIZE as peek.
 */
int ipsp_frame_decode(const uint8_t *buf, size_t len, struct ipsp_frame *f);

/* Iterate a decoded HELLO's pools: 0, 1 at the end (never malformed:
 * the decoder checked them). */
struct ipsp_pool_iter {
	const uint8_t *p;
	uint16_t left;
};
void ipsp_pools_begin(const struct ipsp_hello *h, struct ipsp_pool_iter *it);
int ipsp_pools_next(struct ipsp_pool_iter *it, struct ipsp_hello_pool *out);
/* A decoded GRANT's range i (< n_ranges). */
void ipsp_grant_range(const struct ipsp_grant *g, uint16_t i,
		      struct ipsp_range *out);
/* Iterate a decoded HELD / RELEASE's entries: 0, 1 at the end. */
struct ipsp_entry_iter {
	const uint8_t *p;
	size_t left_bytes;
	uint16_t left;
};
void ipsp_entries_begin(const struct ipsp_held *h, struct ipsp_entry_iter *it);
int ipsp_entries_next(struct ipsp_entry_iter *it, struct ipsp_entry *out);

/*
 * Encoders: each writes one whole frame (header included) into buf and
 * returns its length, or -ENOSPC (size too small), -EINVAL (a field out
 * of its range: a name too long or not printable, too many pools or
 * ranges, a count of 0).
 */
ssize_t ipsp_encode_hello(uint8_t *buf, size_t size,
			  const struct ipsp_hello *h);
/* KEEPALIVE, ALL_FREE, GOING_DOWN: a header alone. */
ssize_t ipsp_encode_empty(uint8_t *buf, size_t size, enum ipsp_type type);
ssize_t ipsp_encode_block_request(uint8_t *buf, size_t size,
				  const struct ipsp_block_request *r);
ssize_t ipsp_encode_addr_request(uint8_t *buf, size_t size,
				 const struct ipsp_addr_request *r);
ssize_t ipsp_encode_grant(uint8_t *buf, size_t size,
			  const struct ipsp_grant *g);

/*
 * HELD / RELEASE frames are built entry by entry: begin, add (-ENOSPC
 * when the entry does not fit in the frame or in IPSP_FRAME_MAX: finish
 * this one and begin another), finish (sets the flags and the length;
 * returns the frame's length).
 */
struct ipsp_held_builder {
	uint8_t *buf;
	size_t size, len;
	uint16_t n;
};
int ipsp_held_begin(struct ipsp_held_builder *b, uint8_t *buf, size_t size,
		    enum ipsp_type type);
int ipsp_held_add(struct ipsp_held_builder *b, const struct ipsp_entry *e);
ssize_t ipsp_held_finish(struct ipsp_held_builder *b, uint8_t flags);

const char *ipsp_type_name(uint8_t type);
const char *ipsp_role_name(uint8_t role);
const char *ipsp_mode_name(uint8_t mode);
const char *ipsp_status_name(uint8_t status);

#endif /* MIPHA_IPSP_MSG_H */

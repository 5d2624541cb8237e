/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sync_msg: the wire format of peer sync, the stream on which the active
 * home agent replicates every binding of its store (binding_store.h) to
 * the standby ones. One TLS 1.3 connection per peer carries it; this is
 * the plaintext of that stream, a sequence of frames.
 *
 * Pure byte codec, as hsrp_msg and reg_msg: no I/O, no state, no
 * allocation. A decoded frame or entry points into the caller's buffer
 * (names, the NAI, AAA attributes, the entries of a BINDINGS frame) and is
 * valid as long as it is.
 *
 * ---- The format, version 1 ----------------------------------------------
 *
 * All integers are unsigned and big endian (network order); addresses are
 * IPv4 addresses as on the wire. Offsets are in bytes from the start of
 * the structure described.
 *
 * Frame header, 16 bytes, before every body:
 *	off len field
 *	  0   1 version: SYNC_VERSION (1). Another version cannot be read at
 *		all (not even its length): the connection closes.
 *	  1   1 type (enum sync_type)
 *	  2   2 flags: none defined; sent as 0, ignored on receipt
 *	  4   4 length: bytes of body after the header, 0..SYNC_FRAME_MAX
 *		(256 KiB); more is malformed
 *	  8   8 seq: the sender's stream sequence number of a sequenced
 *		frame, 1 for the first sequenced frame of a stream (epoch),
 *		+1 for each next one; 0 in an unsequenced frame
 *
 *	type			sequenced  body
 *	1 SYNC_HELLO		no	   who the sender is, where to resume
 *	2 SYNC_ACK		no	   cumulative acknowledgement
 *	3 SYNC_BINDINGS		yes	   binding changes
 *	4 SYNC_BULK_REQUEST	no	   "send me all (some of) your bindings"
 *	5 SYNC_BULK_START	yes	   a bulk transfer begins
 *	6 SYNC_BULK_END		yes	   it ended
 *	7 SYNC_REPLAY_FLOOR	yes	   the sender's replay cache floor
 *
 * A frame of a type the receiver does not know is skipped by its length
 * (the decoder says -ENOMSG); if its seq is not 0 it counts as applied for
 * acknowledgements, so that acks stay cumulative across types a newer
 * sender adds. A known type with seq 0 where it must be sequenced, or not
 * 0 where it must not, is malformed. A body is exactly what its type says
 * it is: a byte short or a byte left over is malformed (a BINDINGS entry
 * grows by TLVs, any other body by a new type or version).
 *
 * HELLO body, the first frame each side sends (66 + sections + 2 + groups):
 *	  0   4 node_id: the sender's node id
 *	  4   1 mode (enum sync_mode): 1 physical, 2 virtual network
 *	  5   1 role (enum sync_role): 0 unknown, 1 listen, 2 standby,
 *		3 active (its HSRP state, roughly)
 *	  6   2 features (SYNC_FEAT_*): what the sender understands beyond
 *		version 1's first release, which sent 0 here and ignores
 *		it; a sender sends a peer nothing the peer did not announce
 *		(unknown bits are ignored)
 *	  8   8 stream_epoch: random, chosen per outgoing stream (a stream
 *		that restarts its seq at 1 takes a new one)
 *	 16   8 resume_epoch: the epoch of the peer's stream that
 *		resume_from counts in, as the peer announced it; 0 with
 *		resume_from 0
 *	 24   8 resume_from: the highest seq of that stream this side has
 *		applied, 0 for none. If resume_epoch is the peer's current
 *		stream_epoch, the peer resends from resume_from + 1 if it
 *		still can; otherwise it starts a bulk transfer
 *	 32  32 digest: SHA-256 over all the configuration that must be the
 *		same on both sides
 *	 64   2 n_sections, 0..SYNC_SECTIONS_MAX (32), then n_sections times
 *		  1 name_len, 1..SYNC_SECTION_NAME_MAX (32)
 *		  n name (printable ASCII: 0x21-0x7e)
 *		 32 digest: SHA-256 of that section, so a mismatch is named
 *	  .   2 n_groups, 0..SYNC_GROUPS_MAX (64), then n_groups times
 *		  1 name_len, 1..SYNC_GROUP_NAME_MAX (64)
 *		  n name (printable ASCII), the sender's HSRP group names
 *	Section names are distinct, and so are group names.
 *
 * ACK body, 8 bytes:
 *	  0   8 acked: every sequenced frame of the peer's stream up to and
 *		including this seq is applied (0: none yet)
 *
 * BULK_REQUEST body (6 + 4 n_ha):
 *	  0   4 request_id: chosen by the requester, echoed in BULK_START
 *		and BULK_END
 *	  4   2 n_ha, 0..SYNC_BULK_HA_MAX (64), then n_ha times
 *		  4 a home agent address, all distinct
 *	No address: every binding. Otherwise only the bindings whose
 *	ha_addr is one of these (one home agent's "binding information
 *	request" in seed's terms, several in one).
 *
 * BULK_START body, 8 bytes:
 *	  0   4 request_id of the request answered, 0 if unsolicited
 *	  4   4 expected: how many bindings will follow (a hint)
 * Then BINDINGS frames of upserts, then BULK_END:
 *	  0   4 request_id, as in BULK_START
 *	  4   4 count: how many bindings were sent
 *	  8   1 status (enum sync_bulk_status): 0 complete, 1 aborted
 * A complete bulk transfer is all the sender has: the receiver may drop
 * what it holds of the sender's and was not in it.
 *
 * REPLAY_FLOOR body, 8 bytes (added after version 1's first six types: a
 * peer that does not know it skips it, as it would any new type):
 *	  0   8 floor: the newest Identification (NTP timestamp) the sender's
 *		replay cache forgot when it evicted a node's state, which an
 *		identity it does not hold is refused at or below. Sent before
 *		a bulk transfer's end and whenever it rises; the receiver
 *		raises its own floor to it (never lowers it), never past its
 *		clock, so that after a failover a replay of a request the old
 *		active forgot is still refused.
 *
 * BINDINGS body (2 + entries):
 *	  0   2 n_entries, then exactly n_entries entries filling the body
 * Entry (4 + entry_len):
 *	  0   1 op (enum sync_op): 1 upsert, 2 remove, 3 replay (the
 *		replay state of a node without a binding, in a bulk
 *		download: identity (home address 0 and a NAI TLV, or the
 *		home address alone), replay state and method; the other
 *		fields 0)
 *	  1   1 cause (enum binding_cause: 0 register, 1 renew, 2 deregister,
 *		3 expired, 4 deleted outside, 5 flushed, 6 recovered, 7 peer,
 *		8 taken over)
 *	  2   2 entry_len: bytes of the entry after these 4,
 *		SYNC_ENTRY_FIXED_LEN (66) or more
 *	then the fixed part, 66 bytes (offsets from its start):
 *	  0   4 home address (the binding's key)
 *	  4   4 care-of address
 *	  8   4 home agent address
 *	 12   4 source of the registration (foreign agent or care-of)
 *	 16   4 MN-HA SPI
 *	 20   4 granted: the lifetime granted, seconds
 *	 24   4 elapsed_ms: milliseconds since the registration was granted,
 *		as of sending. The receiver's expiry is its now + granted *
 *		1000 - elapsed_ms, not before its now; both sides' monotonic
 *		clocks stay their own. Ignored with SYNC_F_NO_EXPIRY
 *	 28   4 kflags (enum mipha_binding_flags)
 *	 32   8 version: the binding's version (the store's change count)
 *	 40   8 reg_time_ms: the registration's time, Unix milliseconds
 *	 48   8 replay last_id: Identification of the last accepted request
 *	 56   4 replay ha_nonce: the nonce last sent to the node
 *	 60   1 replay flags: bit 0 seen (last_id valid), bit 1 has_nonce
 *		(ha_nonce valid); other bits sent as 0, ignored on receipt
 *	 61   1 req_flags: the accepted request's flags (REG_F_*)
 *	 62   1 replay method (enum replay_method): 0 timestamps, 1 nonces
 *	 63   1 encap (enum mipha_encap): 0 unspecified, 1 IP in IP, 2 GRE
 *	 64   2 entry flags: bit 0 SYNC_F_NO_EXPIRY (the binding never
 *		expires); other bits sent as 0, ignored on receipt
 *	then TLVs to the end of the entry, each
 *	  0   1 type (enum sync_tlv)
 *	  1   1 len of the value
 *	  2   n value
 *	  1 NAI: 1..255 bytes, the node's NAI as the store keeps it (realm
 *	    folded); the rule of the registration path's NAI (printable
 *	    ASCII, no space: reg_nai_valid()). Absent: the node's identity
 *	    is its home address
 *	  2 pool name: 1..63 printable ASCII, the pool holding the home
 *	    address. Absent: none
 *	  3 home link name: the home link's interface name, 1..15 printable
 *	    ASCII without '/' (an ifindex differs between hosts: links
 *	    travel by name). Absent: a virtual network
 *	  4 AAA attribute: u16 attribute type then its value (len 2..255),
 *	    opaque here; up to SYNC_AAA_MAX (16) per entry
 *	NAI, pool and link appear at most once each. TLVs of other types
 *	are skipped by their len: a newer version adds TLV types, never
 *	fixed fields (an older receiver would read them as TLVs).
 * A remove entry has the same fixed part, so the receiver keeps the
 * binding's replay state in its replay cache as the sender did.
 *
 * ---- What decoding does not check: the receiver must --------------------
 *  - the stream: that each sequenced frame's seq is the last one + 1, that
 *    an ACK acknowledges no more than was sent, that request ids match,
 *    that a BULK_END's count agrees with what arrived;
 *  - the peer: its node id, mode, role, digests, groups and epoch against
 *    its own configuration and what it remembers;
 *  - an entry's meaning: kflags and req_flags bits (the kernel refuses
 *    unknown binding flags), a version of 0 (the store would count it
 *    as its own change), that the NAI is folded, that the pool and the
 *    link exist here, that ha_addr is one of ours.
 */
#ifndef MIPHA_SYNC_MSG_H
#define MIPHA_SYNC_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <netinet/in.h>

#include "binding_store.h"
#include "replay.h"

#define SYNC_VERSION   1
#define SYNC_HDR_LEN   16
#define SYNC_FRAME_MAX (256u * 1024) /* most bytes of body in a frame */
/* What a reader needs to hold the largest frame. */
#define SYNC_FRAME_BUF (SYNC_HDR_LEN + SYNC_FRAME_MAX)

enum sync_type {
	SYNC_HELLO = 1,
	SYNC_ACK = 2,
	SYNC_BINDINGS = 3,
	SYNC_BULK_REQUEST = 4,
	SYNC_BULK_START = 5,
	SYNC_BULK_END = 6,
	SYNC_REPLAY_FLOOR = 7,
};

enum sync_mode {
	SYNC_MODE_PHYSICAL = 1,
	SYNC_MODE_VIRTUAL = 2,
};

enum sync_role {
	SYNC_ROLE_UNKNOWN = 0,
	SYNC_ROLE_LISTEN = 1,
	SYNC_ROLE_STANDBY = 2,
	SYNC_ROLE_ACTIVE = 3,
};

enum sync_bulk_status {
	SYNC_BULK_COMPLETE = 0,
	SYNC_BULK_ABORTED = 1,
};

enum sync_op {
	SYNC_OP_UPSERT = 1,
	SYNC_OP_REMOVE = 2,
	SYNC_OP_REPLAY = 3,
};

enum sync_tlv {
	SYNC_TLV_NAI = 1,
	SYNC_TLV_POOL = 2,
	SYNC_TLV_LINK = 3,
	SYNC_TLV_AAA = 4,
};

#define SYNC_DIGEST_LEN	      32 /* SHA-256 */
#define SYNC_SECTIONS_MAX     32
#define SYNC_SECTION_NAME_MAX 32
#define SYNC_GROUPS_MAX	      64
#define SYNC_GROUP_NAME_MAX   64
#define SYNC_BULK_HA_MAX      64

#define SYNC_ENTRY_HDR_LEN   4	/* op, cause, entry_len */
#define SYNC_ENTRY_FIXED_LEN 66 /* the fixed part after it */
#define SYNC_TLV_HDR	     2
#define SYNC_NAI_MAX	     255
#define SYNC_POOL_NAME_MAX   63 /* = REG_POOL_NAME_MAX */
#define SYNC_LINK_NAME_MAX   15 /* IFNAMSIZ - 1 */
#define SYNC_AAA_MAX	     16
#define SYNC_AAA_VALUE_MAX   253 /* a TLV's 255 less the attribute type */
/* The longest entry: every TLV at its longest. */
#define SYNC_ENTRY_MAX                                                     \
	(SYNC_ENTRY_HDR_LEN + SYNC_ENTRY_FIXED_LEN + SYNC_TLV_HDR +        \
	 SYNC_NAI_MAX + SYNC_TLV_HDR + SYNC_POOL_NAME_MAX + SYNC_TLV_HDR + \
	 SYNC_LINK_NAME_MAX + SYNC_AAA_MAX * (SYNC_TLV_HDR + 255))

/* Entry flags. */
#define SYNC_F_NO_EXPIRY (1u << 0)
#define SYNC_F_ALL	 SYNC_F_NO_EXPIRY
/* Replay flags. */
#define SYNC_REPLAY_SEEN      (1u << 0)
#define SYNC_REPLAY_HAS_NONCE (1u << 1)

struct sync_hdr {
	uint8_t version; /* SYNC_VERSION */
	uint8_t type;	 /* enum sync_type, or one we do not know */
	uint16_t flags;	 /* as received; sent as 0 */
	uint32_t length; /* of the body */
	uint64_t seq;	 /* 0: unsequenced */
};

struct sync_hello_section {
	const char *name; /* name_len bytes, not NUL-terminated */
	uint8_t name_len; /* 1..SYNC_SECTION_NAME_MAX */
	uint8_t digest[SYNC_DIGEST_LEN];
};

struct sync_hello_group {
	const char *name; /* name_len bytes, not NUL-terminated */
	uint8_t name_len; /* 1..SYNC_GROUP_NAME_MAX */
};

/*
 * Features a HELLO announces. A BINDINGS entry of an unknown op is
 * malformed (the frame closes the connection): a peer whose decoder
 * predates op 3 would drop every download that carried replay marks, so a
 * download carries them only to a peer that announced it reads them.
 */
#define SYNC_FEAT_REPLAY_ENTRIES 0x0001 /* BINDINGS entries of op 3 */
#define SYNC_FEATURES		 SYNC_FEAT_REPLAY_ENTRIES /* all we know */

struct sync_hello {
	uint32_t node_id;
	uint8_t mode;	       /* enum sync_mode */
	uint8_t role;	       /* enum sync_role */
	uint16_t features;     /* SYNC_FEAT_* */
	uint64_t stream_epoch; /* of the sender's outgoing stream */
	uint64_t resume_epoch; /* of the peer's stream resume_from is in */
	uint64_t resume_from;  /* highest seq of it applied; 0: none */
	uint8_t digest[SYNC_DIGEST_LEN];
	uint16_t n_sections;
	struct sync_hello_section sections[SYNC_SECTIONS_MAX];
	uint16_t n_groups;
	struct sync_hello_group groups[SYNC_GROUPS_MAX];
};

struct sync_ack {
	uint64_t acked;
};

struct sync_bulk_request {
	uint32_t request_id;
	uint16_t n_ha; /* 0: every binding */
	struct in_addr ha[SYNC_BULK_HA_MAX];
};

struct sync_bulk_start {
	uint32_t request_id; /* 0: unsolicited */
	uint32_t expected;   /* a hint */
};

struct sync_bulk_end {
	uint32_t request_id;
	uint32_t count;
	uint8_t status; /* enum sync_bulk_status */
};

/* A decoded BINDINGS body: walk it with sync_entries_init() / _next(). */
struct sync_bindings {
	uint16_t n_entries;
	const uint8_t *entries; /* the first entry, in the decoded buffer */
	size_t entries_len;	/* bytes of all n_entries entries */
};

struct sync_replay_floor {
	uint64_t floor; /* NTP timestamp */
};

struct sync_frame {
	struct sync_hdr hdr;
	union {
		struct sync_replay_floor replay_floor;
		struct sync_hello hello;
		struct sync_ack ack;
		struct sync_bindings bindings;
		struct sync_bulk_request bulk_request;
		struct sync_bulk_start bulk_start;
		struct sync_bulk_end bulk_end;
	};
	size_t len; /* of the whole frame, header included */
};

/*
 * An AAA attribute TLV is a struct binding_aaa (binding_table.h), opaque
 * here: the record's own, so a binding's attributes travel as they are.
 */
_Static_assert(SYNC_AAA_MAX == BINDING_AAA_MAX &&
		       SYNC_AAA_VALUE_MAX == BINDING_AAA_VALUE_MAX,
	       "a binding's AAA attributes fit an entry");

/*
 * One entry of a BINDINGS frame: a binding as it travels, the record's
 * fields (binding_rec) in the units of the wire.
 */
struct sync_entry {
	uint8_t op;    /* enum sync_op */
	uint8_t cause; /* enum binding_cause */
	struct in_addr home_addr, coa, ha_addr, src;
	uint32_t spi;
	uint32_t granted;    /* seconds */
	uint32_t elapsed_ms; /* since granted, at the sender, as of sending */
	uint32_t kflags;     /* enum mipha_binding_flags */
	uint64_t version;
	uint64_t reg_time_ms; /* Unix ms */
	struct replay_state replay;
	uint8_t req_flags;
	uint8_t replay_method; /* enum replay_method */
	uint8_t encap;	       /* enum mipha_encap */
	uint16_t flags;	       /* SYNC_F_*, unknown bits dropped */
	uint8_t nai_len;       /* 0: no NAI */
	const uint8_t *nai;
	char pool[SYNC_POOL_NAME_MAX + 1]; /* "": none */
	char link[SYNC_LINK_NAME_MAX + 1]; /* "": a virtual network */
	uint8_t n_aaa;
	struct binding_aaa aaa[SYNC_AAA_MAX];
	/* Filled by the decoder, ignored by the encoder: */
	unsigned int skipped_tlvs; /* TLVs of unknown types */
	size_t len;		   /* of the entry, its 4-byte head included */
};

/*
 * For a reader accumulating the stream: is a whole frame at the start of
 * buf[0..len)? Checks the header only.
 * Returns
 *  0:                the frame's *frame_len bytes are in buf (more may
 *                    follow: the next frame);
 *  -EAGAIN:          not yet: *frame_len is the length it needs in all
 *                    (SYNC_HDR_LEN while the header is incomplete);
 *  -EPROTONOSUPPORT: the first byte is not SYNC_VERSION;
 *  -EBADMSG:         the length is above SYNC_FRAME_MAX.
 * The last two leave nothing to resynchronise on: close the connection.
 */
int sync_frame_peek(const uint8_t *buf, size_t len, size_t *frame_len);

/*
 * Decodes the frame buf[0..len), exactly one (sync_frame_peek() says how
 * long). A BINDINGS body is checked entry by entry here, so a frame either
 * decodes whole or is refused before the caller applies any of it.
 * Returns
 *  0:                decoded;
 *  -ENOMSG:          a type we do not know: f->hdr and f->len are filled,
 *                    skip f->len bytes (and count a seq not 0 as applied);
 *  -EPROTONOSUPPORT: the version is not SYNC_VERSION;
 *  -EBADMSG:         malformed: len is not the header's length, the
 *                    length is above SYNC_FRAME_MAX, a seq where there must
 *                    be none or none where there must be one, a body that
 *                    does not decode exactly (see the format above).
 * On error other than -ENOMSG *f is zeroed.
 */
int sync_frame_decode(const uint8_t *buf, size_t len, struct sync_frame *f);

/*
 * Walks the entries of a decoded BINDINGS body: next decodes one into *e
 * (pointing into the frame) and returns 1, 0 after the last, or -EBADMSG
 * (not after sync_frame_decode() accepted the frame).
 */
struct sync_entry_iter {
	const uint8_t *next;
	size_t left;	    /* bytes from next to the end of the body */
	uint16_t remaining; /* entries not yet decoded */
};

void sync_entries_init(struct sync_entry_iter *it,
		       const struct sync_bindings *b);
int sync_entries_next(struct sync_entry_iter *it, struct sync_entry *e);

/*
 * Encoders of the frames but BINDINGS: the frame into buf[0..size).
 * Returns its length, -ENOSPC if size is too small (nothing is written
 * past size), -EINVAL if the body is not one the decoder would accept
 * (a value out of its range, a name too long or empty or not printable,
 * a duplicate name or address, too many of them) or seq is 0 for a
 * sequenced frame. Unsequenced frames go out with seq 0.
 */
ssize_t sync_encode_hello(uint8_t *buf, size_t size,
			  const struct sync_hello *h);
ssize_t sync_encode_ack(uint8_t *buf, size_t size, uint64_t acked);
ssize_t sync_encode_bulk_request(uint8_t *buf, size_t size,
				 const struct sync_bulk_request *r);
ssize_t sync_encode_bulk_start(uint8_t *buf, size_t size, uint64_t seq,
			       const struct sync_bulk_start *s);
ssize_t sync_encode_bulk_end(uint8_t *buf, size_t size, uint64_t seq,
			     const struct sync_bulk_end *e);
ssize_t sync_encode_replay_floor(uint8_t *buf, size_t size, uint64_t seq,
				 uint64_t floor);

/*
 * A BINDINGS frame, built one entry at a time so a bulk transfer bundles
 * as many as fit:
 *	sync_bindings_begin(&b, buf, size, seq);
 *	while (there is a binding to send &&
 *	       sync_bindings_add_rec(&b, ...) != -ENOSPC)
 *		next binding;
 *	len = sync_bindings_finish(&b);  (patches n_entries and the length)
 * An entry that did not fit goes first into the next frame. The frame
 * never grows past SYNC_FRAME_MAX of body or 65535 entries, whatever size.
 */
struct sync_builder {
	uint8_t *buf;
	size_t size;	    /* of buf, at most SYNC_FRAME_BUF of it used */
	size_t len;	    /* bytes written so far */
	uint16_t n_entries; /* entries added */
};

/* 0, -ENOSPC (size below an empty frame), -EINVAL (seq 0). */
int sync_bindings_begin(struct sync_builder *b, uint8_t *buf, size_t size,
			uint64_t seq);
/*
 * Appends e (its decoder-only fields ignored). 0; -ENOSPC if it does not
 * fit the buffer or the frame (nothing is written, the builder is as it
 * was); -EINVAL if e is not an entry the decoder would accept.
 */
int sync_bindings_add(struct sync_builder *b, const struct sync_entry *e);
/* sync_entry_from_rec() then sync_bindings_add(). */
int sync_bindings_add_rec(struct sync_builder *b, enum sync_op op,
			  enum binding_cause cause,
			  const struct binding_rec *rec, uint64_t now_ms,
			  const char *link_name);
/* The frame's length; the builder may not be added to afterwards. */
size_t sync_bindings_finish(struct sync_builder *b);

/*
 * The entry of rec: now_ms is the sender's monotonic clock, against which
 * rec->expires_ms gives elapsed_ms = granted * 1000 - time left (0 if more
 * is left than was granted; granted * 1000 if it expired already; a record
 * that never expires has SYNC_F_NO_EXPIRY and 0). link_name names
 * rec->link, and is NULL exactly when rec->link is 0. e's NAI points to
 * rec's. Returns 0; -EINVAL for an op, cause, replay method or encap out
 * of range, an NAI, pool or link name the decoder would refuse, a link
 * name given for no link or none for one; -ERANGE if elapsed_ms does not
 * fit 32 bits (a lifetime above 49 days, which registration never
 * grants: its lifetime is 16-bit seconds).
 */
int sync_entry_from_rec(struct sync_entry *e, enum sync_op op,
			enum binding_cause cause, const struct binding_rec *rec,
			uint64_t now_ms, const char *link_name);

/*
 * The record of a decoded entry at the receiver, whose monotonic clock
 * reads now_ms: expires_ms = now_ms + granted * 1000 - elapsed_ms, at
 * least now_ms, and at least 1 (0 means never), or 0 with
 * SYNC_F_NO_EXPIRY. rec->nai, rec->pool and rec->aaa point into e (keep it while
 * rec is used); rec->link is 0: resolve e->link by name. origin is
 * BINDING_ORIGIN_PEER, version as the peer sent it.
 */
void sync_entry_to_rec(const struct sync_entry *e, uint64_t now_ms,
		       struct binding_rec *rec);

/* Is a frame of this type sequenced? false for unknown types. */
bool sync_type_sequenced(uint8_t type);

/* "hello", "ack", "bindings", "bulk-request", "bulk-start", "bulk-end";
 * "?" otherwise. */
const char *sync_type_str(uint8_t type);
/* "upsert", "remove", "replay"; "?". */
const char *sync_op_str(uint8_t op);
/* "physical", "virtual"; "?". */
const char *sync_mode_str(uint8_t mode);
/* "unknown", "listen", "standby", "active"; "?". */
const char *sync_role_str(uint8_t role);

#endif /* MIPHA_SYNC_MSG_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hsrp_msg: HSRP messages on the wire (UDP port 1985).
 *
 * Version 1: RFC 2281 section 5, the 20-byte packet (its Version field is
 * 0), multicast to 224.0.0.2. Version 2: the TLV format (Group State TLV,
 * Interface State TLV, Text Authentication TLV, MD5 Authentication TLV)
 * that Cisco never published but Wireshark's packet-hsrp.c dissects,
 * multicast to 224.0.0.102. MD5 authentication for both: an MD5
 * Authentication TLV after the v1 packet (50 bytes in all) or among the
 * v2 TLVs, its digest the RFC 1828 keyed MD5 of the whole packet with the
 * digest zeroed (hsrp_md5_compute()).
 *
 * Pure byte codec, as reg_msg: no I/O, no state, no allocation. A decoded
 * message points into the caller's buffer (the MD5 digest) and is valid as
 * long as it is. The HSRP state machine (hsrp.c) decides what a message
 * means; this only says what it is.
 *
 * One struct hsrp_msg for both versions, in the units of version 2 (times
 * in milliseconds, 32-bit priority, groups 0-4095) and with one state
 * numbering (enum hsrp_state; v1 and v2 number the states differently on
 * the wire). Encoding a message as version 1 refuses what v1 cannot carry.
 */
#ifndef MIPHA_HSRP_MSG_H
#define MIPHA_HSRP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <netinet/in.h>

#define HSRP_PORT    1985 /* UDP, source and destination, IPv4 */
#define HSRP_V6_PORT 2029 /* UDP, v2 over IPv6 (ff02::66) */
/* Destination groups, host order: 224.0.0.2 (v1), 224.0.0.102 (v2). */
#define HSRP_V1_MCAST 0xe0000002u
#define HSRP_V2_MCAST 0xe0000066u

/* struct hsrp_msg.version (not the v1 wire Version, which is 0). */
#define HSRP_V1 1
#define HSRP_V2 2

#define HSRP_V1_LEN	     20 /* RFC 2281 packet */
#define HSRP_TLV_HDR	     2	/* v2 TLV: Type, Length (of the value) */
#define HSRP_GROUP_TLV_LEN   40 /* Group State TLV value */
#define HSRP_IFSTATE_TLV_LEN 4	/* Interface State TLV value */
#define HSRP_TEXT_LEN	     8	/* authentication data, v1 and v2 */
#define HSRP_MD5_TLV_LEN     28 /* MD5 Authentication TLV value */
#define HSRP_MD5_DIGEST_LEN  16
#define HSRP_V1_MD5_LEN	     (HSRP_V1_LEN + HSRP_TLV_HDR + HSRP_MD5_TLV_LEN)

#define HSRP_V1_GROUP_MAX 255
#define HSRP_V2_GROUP_MAX 4095
/* Longest key: IOS "key-string" takes up to 64 characters. */
#define HSRP_MD5_KEY_MAX 64

/* v2 TLV types (Wireshark packet-hsrp.c). */
enum hsrp_tlv_type {
	HSRP_TLV_GROUP_STATE = 1,
	HSRP_TLV_IFSTATE = 2, /* interface state: active/passive counts */
	HSRP_TLV_TEXT_AUTH = 3,
	HSRP_TLV_MD5_AUTH = 4,
};

/* Op Code, RFC 2281 5 (the same values in v2's Group State TLV). */
enum hsrp_opcode {
	HSRP_OP_HELLO = 0,
	HSRP_OP_COUP = 1,      /* "I want to be the active router" */
	HSRP_OP_RESIGN = 2,    /* "I no longer want to be active" */
	HSRP_OP_ADVERTISE = 3, /* v1 only: interface-state advertisement, a
				 * different layout; decoded as -ENOMSG */
};

/* The six states of RFC 2281 5, in protocol order (not the wire values). */
enum hsrp_state {
	HSRP_STATE_INITIAL,
	HSRP_STATE_LEARN,
	HSRP_STATE_LISTEN,
	HSRP_STATE_SPEAK,
	HSRP_STATE_STANDBY,
	HSRP_STATE_ACTIVE,
};

/* The MD5 Authentication TLV's one algorithm value. */
#define HSRP_MD5_ALGO_MD5 1

/* The MD5 Authentication TLV (type 4, length 28), fields in host order. */
struct hsrp_md5_tlv {
	uint8_t algorithm;     /* HSRP_MD5_ALGO_MD5 (the encoder always
				* sends it) */
	uint8_t padding;       /* sent as 0, kept as received */
	uint16_t flags;	       /* none defined; sent as 0, kept as received */
	struct in_addr sender; /* IP address of the sending interface
				* (network order) */
	uint32_t key_id;       /* key chain key id; 0 with a key-string */
	/* Filled by the decoder, ignored by the encoder: */
	const uint8_t *digest; /* the 16-byte digest, in the parsed buffer */
	size_t off;	       /* offset of the TLV's Type byte */
};

struct hsrp_msg {
	uint8_t version;    /* HSRP_V1 or HSRP_V2 */
	uint8_t opcode;	    /* enum hsrp_opcode: hello, coup or resign */
	uint8_t state;	    /* enum hsrp_state of the sender */
	uint16_t group;	    /* standby group: 0-255 (v1), 0-4095 (v2) */
	uint32_t priority;  /* higher wins, ties by higher IP address;
			    * 0-255 in v1 */
	uint32_t hello_ms;  /* Hellotime: period between Hellos, ms (v1
			    * carries whole seconds, 0-255) */
	uint32_t hold_ms;   /* Holdtime: how long this Hello is valid, ms */
	uint8_t ip_version; /* of the virtual IP: 4 (always in v1) or 6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} vip; /* virtual IP address, network order; 0 = not configured,
		* learn it from the active router (RFC 2281 5) */
	uint8_t identifier[6]; /* v2: the sender's MAC address; v1: none (0) */
	bool has_text;	       /* v1: always; v2: a Text Authentication TLV */
	uint8_t text[HSRP_TEXT_LEN]; /* clear-text authentication data,
				      * NUL-padded ("cisco" by default; all
				      * zero in a v1 packet with MD5) */
	bool has_md5;		     /* an MD5 Authentication TLV */
	struct hsrp_md5_tlv md5;     /* valid if has_md5 */
	/* Filled by the decoder, ignored by the encoder: */
	unsigned int skipped_tlvs; /* v2 TLVs of other types (interface
				    * state, unknown) skipped */
	size_t len;		   /* length of the whole message */
};

/*
 * Decodes an HSRP message of exactly len bytes (one UDP payload): version
 * 1 if its first byte is 0 (v1's Version), else version 2 (a TLV type).
 * hsrp_v1_decode() and hsrp_v2_decode() take one version only.
 *
 * Version 1: exactly 20 bytes, or 50 with an MD5 Authentication TLV
 * (type 4, length 28) after the packet. Version 2: TLVs, each Type,
 * Length, value; exactly one Group State TLV, at most one Text and one MD5
 * Authentication TLV, in any order; other types are skipped by their
 * Length (counted in skipped_tlvs).
 *
 * Returns
 *  0:         decoded;
 *  -EPROTO:   not a message of a version we speak, to be dropped: shorter
 *             than a v1 packet (16 bytes for an advertisement) or an empty
 *             v2 one, a v1 Version other than
 *             0, a Group State TLV whose version is not 2, an IP version
 *             other than 4 and 6, an MD5 algorithm other than MD5;
 *  -EBADMSG:  malformed: a TLV running past the end or a byte left over
 *             after the last, a known TLV of the wrong length, a duplicate
 *             TLV, authentication TLVs without a Group State TLV,
 *             anything after a v1 packet but one whole MD5 TLV, an
 *             unknown op code or state, a v2 group above 4095;
 *  -ENOMSG:   well formed but for no group: a v1 interface-state
 *             advertisement (op code 3), a v2 message without a Group
 *             State TLV (Interface State TLVs, unknown ones). Ignored, not
 *             counted as bad.
 * On error *m is zeroed.
 *
 * Only the digest says a message is genuine: a message with its MD5 TLV cut
 * off decodes (without has_md5), so the receiver must require MD5 when it
 * is configured (and refuse text when MD5 is, as IOS does).
 *
 * What decoding does not check, the receiver must:
 *  - the version: hsrp_decode() goes by the first byte, so a v1 packet
 *    sent to 224.0.0.102 or a v2 one to 224.0.0.2 decodes all the same. A
 *    group runs one version: call that version's decoder, or drop a
 *    message whose m->version is not the group's. Addresses, port and TTL
 *    are the socket's business;
 *  - the group: any group decodes; compare m->group (and, in v2,
 *    m->ip_version with the group's address family) with the group's own;
 *  - the times, as sent: 0, a Holdtime not above the Hellotime, up to
 *    about 49 days in v2 all decode. RFC 2281 makes them meaningful in
 *    Hellos only, to be learned only from an authenticated Hello when not
 *    configured; range-check them before arming a timer with them;
 *  - the text: compare all 8 bytes with the configured data (NUL-padded,
 *    RFC 2281's default "cisco"); a v2 message may have no Text TLV
 *    (has_text false);
 *  - replay: the MD5 TLV has no sequence number or timestamp, so a
 *    captured genuine message verifies again for as long as its key is
 *    in use. Nothing here (nor in HSRP) detects that.
 */
int hsrp_decode(const uint8_t *buf, size_t len, struct hsrp_msg *m);
int hsrp_v1_decode(const uint8_t *buf, size_t len, struct hsrp_msg *m);
int hsrp_v2_decode(const uint8_t *buf, size_t len, struct hsrp_msg *m);

/* An HSRP MD5 key: the key-string, or one key of a key chain. */
struct hsrp_md5_key {
	uint8_t key[HSRP_MD5_KEY_MAX];
	uint8_t key_len; /* 1..HSRP_MD5_KEY_MAX */
};

/*
 * Encodes m as m->version: v1 the 20-byte packet (m->text as its
 * authentication data), v2 the Group State TLV then a Text Authentication
 * TLV if m->has_text. With key, an MD5 Authentication TLV follows (its
 * padding, flags, sender and key id from m->md5, its algorithm MD5) and
 * its digest is computed; m->has_md5 is ignored.
 * Reserved fields are sent as 0.
 * Returns the length, -ENOSPC if size is too small (nothing is written past
 * size), -EINVAL if m has what its version cannot carry (v1: priority above
 * 255, group above 255, a time not a whole number of seconds or above
 * 255 s, IPv6, an identifier; v2: group above 4095; either: unknown op
 * code or state, IP version other than 4 or 6) or key is bad, -EIO if the
 * digest could not be computed.
 */
ssize_t hsrp_encode(uint8_t *buf, size_t size, const struct hsrp_msg *m,
		    const struct hsrp_md5_key *key);

/*
 * The digest of an MD5-authenticated message buf[0..len) whose MD5 TLV
 * starts at md5_off: RFC 1828 keyed MD5,
 *	MD5(key || keyfill || message with the 16 digest bytes zeroed || key)
 * where keyfill pads the key to a multiple of 64 bytes as MD5 pads its
 * input (0x80, zeros, the key's length in bits, 64-bit little-endian).
 * That is what IOS sends: three captured v1 messages of John the Ripper's
 * "hsrp" format check against it (test_hsrp_msg.c), and plain
 * MD5(key || message || key) matches none.
 * Returns 0, -EINVAL (bad key, or the TLV not inside buf), -EIO.
 */
int hsrp_md5_compute(const uint8_t *buf, size_t len, size_t md5_off,
		     const struct hsrp_md5_key *key,
		     uint8_t out[HSRP_MD5_DIGEST_LEN]);

/*
 * True if m, decoded from buf, has an MD5 TLV with the MD5 algorithm whose
 * digest is that of buf under key (constant-time comparison). Which key
 * (m->md5.key_id) is the caller's choice.
 */
bool hsrp_md5_verify(const uint8_t *buf, const struct hsrp_msg *m,
		     const struct hsrp_md5_key *key);

/*
 * The group's virtual MAC address: v1 0000.0c07.acXX (XX = group, 0-255),
 * v2 0000.0c9f.fXXX (group 0-4095); IPv4 groups. Returns 0 or -EINVAL for
 * a group the version does not have or an unknown version.
 */
int hsrp_virtual_mac(uint8_t version, uint16_t group, uint8_t mac[6]);

/* "hello", "coup", "resign", "advertise"; "?" otherwise. */
const char *hsrp_opcode_str(uint8_t opcode);
/* "initial", "learn", "listen", "speak", "standby", "active"; "?". */
const char *hsrp_state_str(uint8_t state);

#endif /* MIPHA_HSRP_MSG_H */

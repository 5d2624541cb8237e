/* SPDX-License-Identifier: GPL-2.0 */
/*
 * reg_msg: the Mobile IPv4 registration messages on the wire (UDP port 434).
 *
 * RFC 5944 3.3 (Registration Request), 3.4 (Registration Reply), 3.5
 * (authentication extensions), 1.9/1.10 (extension handling), RFC 2794
 * (Mobile Node NAI extension), RFC 3024 (reverse tunnelling: T flag, codes
 * 137-139). Pure byte codec: no I/O, no state, no allocation. Parsed
 * structures point into the caller's buffer and are valid as long as it is.
 *
 * All multi-byte fields in the structures are in host order except the
 * addresses, which stay struct in_addr (network order) as everywhere else.
 *
 * Extension order in a request (RFC 5944 3.6.1.3 and 3.7.2.2):
 *	fixed part | extensions for the HA (e.g. NAI) | MN-HA auth |
 *	extensions for the FA only | MN-FA auth | extensions the FA adds |
 *	FA-HA auth
 * Each authenticator covers everything before it plus its own Type, Length
 * and SPI; struct reg_auth_ext.covered_len is that length. The home agent
 * may use only what the MN-HA authenticator covers; reg_request_covered()
 * says which known extensions that is.
 */
#ifndef MIPHA_REG_MSG_H
#define MIPHA_REG_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <netinet/in.h>

#include "auth.h"

#define REG_PORT 434 /* UDP port of registration messages */

/* Message types (first byte). */
#define REG_TYPE_REQUEST 1
#define REG_TYPE_REPLY	 3

/* Fixed-part lengths, bytes. */
#define REG_REQUEST_LEN 24
#define REG_REPLY_LEN	20
/*
 * Longest message we build or accept: a UDP payload in one IPv4 datagram
 * without fragmentation on any sane path would be smaller, but requests
 * with many extensions may be fragmented; 64 KiB - IP - UDP is the limit.
 */
#define REG_MSG_MAX (65535 - 20 - 8)

/* Request flags (second byte), RFC 5944 3.3 and RFC 3024. */
#define REG_F_S 0x80 /* Simultaneous bindings: keep the old ones too */
#define REG_F_B 0x40 /* Broadcast datagrams: tunnel them to the MN too */
#define REG_F_D 0x20 /* Decapsulation by the MN (co-located care-of) */
#define REG_F_M 0x10 /* Minimal encapsulation (RFC 2004) wanted */
#define REG_F_G 0x08 /* GRE encapsulation (RFC 2784) wanted */
#define REG_F_R 0x04 /* 'r': reserved, sent as zero, ignored */
#define REG_F_T 0x02 /* reverse Tunnelling requested (RFC 3024) */
#define REG_F_X 0x01 /* 'x': reserved, sent as zero, ignored */

/* Registration extension types (IANA "Extensions to Mobile IP Registration
 * Messages"). 0-127 must be understood or the message is discarded; 128-255
 * may be skipped (RFC 5944 1.9). */
#define REG_EXT_MN_HA_AUTH     32  /* Mobile-Home Authentication, 3.5.2 */
#define REG_EXT_MN_FA_AUTH     33  /* Mobile-Foreign Authentication, 3.5.3 */
#define REG_EXT_FA_HA_AUTH     34  /* Foreign-Home Authentication, 3.5.4 */
#define REG_EXT_ENCAP_DELIVERY 130 /* Encapsulating Delivery Style, 3024 */
#define REG_EXT_NAI	       131 /* Mobile Node NAI, RFC 2794 */
#define REG_EXT_SKIPPABLE      128 /* types >= this may be skipped */

/* An authentication extension: Type, Length, SPI (4), Authenticator. */
#define REG_AUTH_EXT_HDR 6 /* Type + Length + SPI */

/* Registration Reply codes (RFC 5944 3.4, RFC 3024 3.3/3.4, RFC 2794 4). */
enum reg_code {
	/* accepted */
	REG_CODE_ACCEPTED = 0,
	REG_CODE_ACCEPTED_NO_SIMUL = 1, /* simultaneous bindings unsupported */
	/* denied by the foreign agent (we only decode these, for mipha-mn) */
	REG_CODE_FA_UNSPECIFIED = 64,
	REG_CODE_FA_PROHIBITED = 65,
	REG_CODE_FA_RESOURCES = 66,
	REG_CODE_FA_MN_AUTH = 67,
	REG_CODE_FA_HA_AUTH = 68,
	REG_CODE_FA_LIFETIME = 69,
	REG_CODE_FA_POORLY_FORMED_REQ = 70,
	REG_CODE_FA_POORLY_FORMED_REP = 71,
	REG_CODE_FA_ENCAP = 72,
	REG_CODE_FA_VJ = 73,
	REG_CODE_FA_RT_UNAVAIL = 74,   /* RFC 3024 */
	REG_CODE_FA_RT_MANDATORY = 75, /* RFC 3024 */
	REG_CODE_FA_TOO_DISTANT = 76,  /* RFC 3024 */
	REG_CODE_FA_INVALID_COA = 77,
	REG_CODE_FA_TIMEOUT = 78,
	REG_CODE_FA_DELIVERY_STYLE = 79, /* RFC 3024 */
	REG_CODE_FA_HOME_NET_UNREACH = 80,
	REG_CODE_FA_HA_HOST_UNREACH = 81,
	REG_CODE_FA_HA_PORT_UNREACH = 82,
	REG_CODE_FA_HA_UNREACH = 88,
	REG_CODE_FA_NONZERO_HA_REQUIRED = 96, /* RFC 2794 */
	REG_CODE_FA_MISSING_NAI = 97,	      /* RFC 2794 */
	REG_CODE_FA_MISSING_HA = 98,	      /* RFC 2794 */
	REG_CODE_FA_MISSING_HOME_ADDR = 99,   /* RFC 2794 */
	REG_CODE_FA_INVALID_HA = 194,
	/* denied by the home agent: what we send */
	REG_CODE_UNSPECIFIED = 128,
	REG_CODE_PROHIBITED = 129,    /* administratively prohibited */
	REG_CODE_RESOURCES = 130,     /* insufficient resources */
	REG_CODE_MN_AUTH = 131,	      /* mobile node failed authentication */
	REG_CODE_FA_AUTH = 132,	      /* foreign agent failed auth */
	REG_CODE_ID_MISMATCH = 133,   /* registration Identification */
	REG_CODE_POORLY_FORMED = 134, /* poorly formed Request */
	REG_CODE_TOO_MANY_BINDINGS = 135, /* too many simultaneous bindings */
	REG_CODE_UNKNOWN_HA = 136,	  /* unknown home agent address */
	REG_CODE_RT_UNAVAIL = 137,	  /* reverse tunnel unavailable, 3024 */
	REG_CODE_RT_MANDATORY = 138,  /* reverse tunnel mandatory, T unset */
	REG_CODE_ENCAP_UNAVAIL = 139, /* requested encapsulation, 3024 */
};

/* Short English text for a code ("accepted", "identification mismatch"),
 * or "unknown code" for a value not listed above. */
const char *reg_code_str(uint8_t code);

/* true for codes 0 and 1. */
static inline bool reg_code_accepted(uint8_t code)
{
	return code <= REG_CODE_ACCEPTED_NO_SIMUL;
}

/* One authentication extension as found in a parsed message. */
struct reg_auth_ext {
	uint32_t spi;	     /* Security Parameter Index, host order */
	const uint8_t *auth; /* the Authenticator, in the parsed buffer */
	uint16_t auth_len;   /* its length: extension Length - 4 */
	uint16_t off;	     /* offset of the extension's Type byte */
	size_t covered_len;  /* bytes from the start of the message up to and
			      * including the SPI: what the authenticator
			      * covers (off + REG_AUTH_EXT_HDR) */
};

/* Which known extensions a message has / an authenticator covers. */
enum reg_ext_bit {
	REG_EXTB_NAI = 1u << 0,
	REG_EXTB_MN_HA = 1u << 1,
	REG_EXTB_MN_FA = 1u << 2,
	REG_EXTB_FA_HA = 1u << 3,
};

/*
 * The extensions of a request or a reply, as the parser fills them: one
 * group, read as members of either message (the kernel's
 * struct_group_tagged()), so neither parser copies them field by field.
 */
#define REG_EXTS_FIELDS                                                     \
	const uint8_t *nai;	   /* NAI bytes (no NUL), NULL if absent */ \
	uint8_t nai_len;	   /* 1..255 */                             \
	uint16_t nai_off;	   /* offset of the NAI extension's Type */ \
	bool has_mn_ha, has_mn_fa, has_fa_ha;                               \
	struct reg_auth_ext mn_ha; /* valid if has_mn_ha */                 \
	struct reg_auth_ext mn_fa; /* valid if has_mn_fa */                 \
	struct reg_auth_ext fa_ha; /* valid if has_fa_ha */                 \
	unsigned int skipped_exts; /* skippable extensions (128-255) we do  \
				    * not know and ignored */

struct reg_exts {
	REG_EXTS_FIELDS
};

struct reg_request {
	uint8_t flags;		  /* REG_F_* */
	uint16_t lifetime;	  /* seconds requested; 0 = deregister, 0xffff =
			     * infinity */
	struct in_addr home_addr; /* MN's home address; 0.0.0.0 = please
				   * assign one (NAI, RFC 2794) */
	struct in_addr ha_addr;	  /* home agent address; 0.0.0.0 or
				   * 255.255.255.255 = please assign (2794) */
	struct in_addr coa;	  /* care-of address; = home_addr means
				   * deregister all ("at home") */
	uint64_t id;		  /* Identification, replay protection */
	union {
		struct {
			REG_EXTS_FIELDS
		};
		struct reg_exts exts;
	};
	size_t len; /* length of the whole message */
};

/*
 * Parses a Registration Request of exactly len bytes.
 * Returns
 *  0:        parsed; see has_* for what was there (the caller replies 131
 *            if the MN-HA extension is missing);
 *  -EBADMSG: the fixed part is readable (*req has it; extension fields are
 *            unset) but the extensions are malformed: an extension running
 *            past the end, an authentication extension shorter than its
 *            SPI, a duplicate, or one out of the RFC's order (NAI after
 *            MN-HA auth, MN-FA or FA-HA before MN-HA, anything but skippable
 *            extensions after FA-HA). The HA replies 134 (poorly formed).
 *  -EPROTO:  to be discarded silently: shorter than the fixed part, not a
 *            request, or an unknown non-skippable extension (0-127; RFC 5944
 *            1.9 says the whole message is discarded).
 *  -EMSGSIZE: longer than REG_MSG_MAX (discarded).
 */
int reg_request_parse(const uint8_t *buf, size_t len, struct reg_request *req);

/*
 * REG_EXTB_* of the known extensions present in req that lie entirely
 * before auth->covered_len, i.e. that auth's authenticator protects.
 * Typical use: reg_request_covered(req, &req->mn_ha) & REG_EXTB_NAI.
 */
unsigned int reg_request_covered(const struct reg_request *req,
				 const struct reg_auth_ext *auth);

/*
 * Is this NAI well formed (RFC 2794 / RFC 4282 as mipha accepts it)? 1 to
 * 255 printable ASCII characters, no space, no control character: an NAI
 * is stored with the binding, logged and printed, so anything else is a
 * poorly formed request (134) and never stored.
 */
bool reg_nai_valid(const uint8_t *nai, size_t len);

/*
 * The NAI as one identity, whatever the case of its realm (RFC 4282:
 * realms compare case-insensitively, user names do not): out gets nai with
 * the part after the last '@' in lower case. out may be nai.
 */
void reg_nai_fold(const uint8_t *nai, size_t len, uint8_t *out);

/*
 * The request's identity NAI: the NAI if present and covered by the MN-HA
 * authenticator (then *len is set), else NULL (the identity is the home
 * address). Only the identity selects the mobile node, its keys and its
 * binding.
 */
const uint8_t *reg_request_identity(const struct reg_request *req,
				    uint8_t *len);

/*
 * Verifies an authentication extension of a parsed message (buf is the
 * message it was parsed from) with key k: the SPI in the extension must be
 * k->spi and the authenticator must match (constant time).
 */
bool reg_auth_ext_verify(const uint8_t *buf, const struct reg_auth_ext *ext,
			 const struct auth_key *k);

/*
 * Builds a Registration Request: fixed part from req (flags, lifetime,
 * addresses, id), then the NAI extension if req->nai_len, then MN-HA auth
 * with mn_ha if not NULL, then FA-HA auth with fa_ha if not NULL (as an FA
 * would append it). The other fields of req are ignored.
 * Returns the length, -ENOSPC if size is too small, -EINVAL for a bad key.
 */
ssize_t reg_request_build(uint8_t *buf, size_t size,
			  const struct reg_request *req,
			  const struct auth_key *mn_ha,
			  const struct auth_key *fa_ha);

struct reg_reply {
	uint8_t code;	   /* enum reg_code */
	uint16_t lifetime; /* seconds granted; 0 on denial or deregistration */
	struct in_addr home_addr; /* the MN's (possibly assigned) home address */
	struct in_addr ha_addr;	  /* the home agent's address */
	uint64_t id;		  /* Identification (see replay.h) */
	/*
	 * The NAI (nai, nai_len) is echoed by reg_reply_build() (RFC 2794);
	 * the rest is filled by reg_reply_parse() and ignored by the builder.
	 */
	union {
		struct {
			REG_EXTS_FIELDS
		};
		struct reg_exts exts;
	};
	size_t len;
};

/*
 * Builds a Registration Reply: fixed part, NAI extension if rep->nai_len,
 * MN-HA auth with mn_ha if not NULL (NULL: e.g. a 131 for an unknown SPI),
 * FA-HA auth with fa_ha if not NULL (the request came through an FA we share
 * an SA with). Returns the length, -ENOSPC, or -EINVAL for a bad key.
 */
ssize_t reg_reply_build(uint8_t *buf, size_t size, const struct reg_reply *rep,
			const struct auth_key *mn_ha,
			const struct auth_key *fa_ha);

/*
 * Parses a Registration Reply (for mipha-mn and an emulated FA). Same return
 * values and extension rules as reg_request_parse(): in a reply the HA puts
 * NAI and MN-HA auth, then FA-HA auth; an FA relaying it to the mobile node
 * may put MN-FA auth after MN-HA.
 */
int reg_reply_parse(const uint8_t *buf, size_t len, struct reg_reply *rep);

#endif /* MIPHA_REG_MSG_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * replay: replay protection of registration requests (RFC 5944 section 5.7),
 * by the 64-bit Identification field.
 *
 * Timestamps (5.7.1): the Identification is an NTP timestamp (seconds since
 * 1900-01-01 in the high 32 bits, binary fraction in the low 32). A request
 * is fresh if its timestamp is within window_s seconds of our clock, either
 * way, and strictly greater than the last one we accepted from that mobile
 * node. On a mismatch the reply's Identification carries our time in its
 * high 32 bits (low 32 bits copied from the request) so the mobile node can
 * resynchronise.
 *
 * Nonces (5.7.2): the high 32 bits of a request's Identification must be
 * the nonce we sent in our last reply to that mobile node; the low 32 bits
 * are the mobile node's own nonce. Every reply (accepted or not) carries a
 * new nonce of ours in the high 32 bits and the mobile node's nonce in the
 * low 32 bits.
 *
 * Pure functions over a struct replay_state the caller keeps per mobile node
 * (in its binding, and in the kernel cookie so that it survives a restart or
 * a failover). Nonces are chosen by the caller (e.g. RAND_bytes), so this
 * module has no state and no randomness of its own.
 *
 * Flow for one request:
 *	code = replay_check(m, win, &st, id, now);
 *	if (code == 0 && <everything else accepted>)
 *		replay_accept(m, &st, id, fresh_nonce);
 *	else
 *		replay_reject(m, &st, fresh_nonce);
 *	reply.id = replay_reply_id(m, &st, id, now, code != 0);
 */
#ifndef MIPHA_REPLAY_H
#define MIPHA_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define REPLAY_WINDOW_DEFAULT 7 /* seconds, as IOS and the issue say */

enum replay_method {
	REPLAY_TIMESTAMP, /* RFC 5944 5.7.1, the default */
	REPLAY_NONCE,	  /* RFC 5944 5.7.2 */
};

/* Per mobile node (per MN-HA security association). Zero = never seen. */
struct replay_state {
	bool seen;	   /* a request was accepted (last_id is valid) */
	uint64_t last_id;  /* Identification of the last accepted request */
	uint32_t ha_nonce; /* nonces: the nonce we sent last (what the next
			    * request must carry in its high 32 bits); valid
			    * only if has_nonce */
	bool has_nonce;	   /* nonces: we sent the mobile node a nonce */
};

/* NTP 64-bit timestamp of CLOCK_REALTIME now (seconds since 1900 << 32). */
uint64_t replay_ntp_now(void);

/* Converts a struct timespec-like pair (Unix epoch) to NTP 64-bit. */
uint64_t replay_ntp_from_unix(int64_t sec, long nsec);

/*
 * Checks a request's Identification against the state.
 * window_s: timestamps only, the tolerated clock difference in seconds; a
 * timestamp exactly window_s away is still accepted.
 * Returns 0 if fresh, REG_CODE_ID_MISMATCH (133) if not.
 */
int replay_check(enum replay_method m, uint32_t window_s,
		 const struct replay_state *st, uint64_t id, uint64_t now_ntp);

/*
 * Records an accepted request: id becomes the high-water mark; with nonces,
 * new_nonce is what the reply carries and the next request must present
 * (ignored with timestamps).
 */
void replay_accept(enum replay_method m, struct replay_state *st, uint64_t id,
		   uint32_t new_nonce);

/*
 * Records a rejected request (any code): with nonces the reply still hands
 * out new_nonce, which the next request must carry; with timestamps nothing
 * changes (a rejected request moves no high-water mark).
 */
void replay_reject(enum replay_method m, struct replay_state *st,
		   uint32_t new_nonce);

/*
 * The Identification the reply to a request with req_id carries, after
 * replay_accept() or replay_reject():
 *  - timestamps, accepted or rejected for another reason than replay: req_id;
 *  - timestamps, mismatch: high 32 = our NTP seconds, low 32 from req_id;
 *  - nonces: high 32 = st->ha_nonce, low 32 from req_id.
 */
uint64_t replay_reply_id(enum replay_method m, const struct replay_state *st,
			 uint64_t req_id, uint64_t now_ntp, bool mismatch);

const char *replay_method_name(enum replay_method m); /* "timestamp"... */
int replay_method_parse(const char *s, enum replay_method *out);

#endif /* MIPHA_REPLAY_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * replay: registration replay protection (see replay.h).
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "reg_msg.h"
#include "replay.h"

/* Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (Unix epoch). */
#define NTP_UNIX_OFFSET 2208988800ULL

uint64_t replay_ntp_from_unix(int64_t sec, long nsec)
{
	/*
	 * NTP seconds wrap modulo 2^32 (era 1 starts in 2036); the low 32
	 * bits are what goes on the wire either way.
	 */
	uint64_t s = (uint64_t)(sec + (int64_t)NTP_UNIX_OFFSET) & 0xffffffffULL;
	uint64_t frac = ((uint64_t)nsec << 32) / 1000000000ULL;

	return s << 32 | (frac & 0xffffffffULL);
}

uint64_t replay_ntp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return replay_ntp_from_unix(ts.tv_sec, ts.tv_nsec);
}

/*
 * |id - now| <= window, in 64-bit NTP units. The difference is taken
 * modulo 2^64 and read as signed, so it stays right across the 2036 NTP
 * era rollover as long as the clocks are within 68 years of each other.
 */
static bool replay_in_window(uint64_t id, uint64_t now, uint32_t window_s)
{
	int64_t d = (int64_t)(id - now);
	uint64_t w = (uint64_t)window_s << 32;
	uint64_t ad = d < 0 ? -(uint64_t)d : (uint64_t)d;

	return ad <= w;
}

int replay_check(enum replay_method m, uint32_t window_s,
		 const struct replay_state *st, uint64_t id, uint64_t now_ntp)
{
	switch (m) {
	case REPLAY_TIMESTAMP:
		if (!replay_in_window(id, now_ntp, window_s))
			return REG_CODE_ID_MISMATCH;
		/* Strictly newer than the last accepted (RFC 5944 5.7.1):
		 * same serial-number arithmetic as the window. */
		if (st->seen && (int64_t)(id - st->last_id) <= 0)
			return REG_CODE_ID_MISMATCH;
		return 0;
	case REPLAY_NONCE:
		/*
		 * The first request of a mobile node cannot know our nonce:
		 * RFC 5944 5.7.2 has it rejected with 133 and a nonce to use.
		 */
		if (!st->has_nonce || (uint32_t)(id >> 32) != st->ha_nonce)
			return REG_CODE_ID_MISMATCH;
		return 0;
	}
	return REG_CODE_ID_MISMATCH;
}

void replay_accept(enum replay_method m, struct replay_state *st, uint64_t id,
		   uint32_t new_nonce)
{
	st->seen = true;
	st->last_id = id;
	if (m == REPLAY_NONCE) {
		st->ha_nonce = new_nonce;
		st->has_nonce = true;
	}
}

void replay_reject(enum replay_method m, struct replay_state *st,
		   uint32_t new_nonce)
{
	if (m == REPLAY_NONCE) {
		st->ha_nonce = new_nonce;
		st->has_nonce = true;
	}
}

uint64_t replay_reply_id(enum replay_method m, const struct replay_state *st,
			 uint64_t req_id, uint64_t now_ntp, bool mismatch)
{
	uint64_t low = req_id & 0xffffffffULL;

	if (m == REPLAY_NONCE)
		return (uint64_t)st->ha_nonce << 32 | low;
	if (mismatch)
		return (now_ntp & ~0xffffffffULL) | low;
	return req_id;
}

const char *replay_method_name(enum replay_method m)
{
	switch (m) {
	case REPLAY_TIMESTAMP:
		return "timestamp";
	case REPLAY_NONCE:
		return "nonce";
	}
	return "?";
}

int replay_method_parse(const char *s, enum replay_method *out)
{
	if (s && !strcasecmp(s, "timestamp")) {
		*out = REPLAY_TIMESTAMP;
		return 0;
	}
	if (s && !strcasecmp(s, "nonce")) {
		*out = REPLAY_NONCE;
		return 0;
	}
	return -EINVAL;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * byte_cursor: what the daemon's stream codecs (sync_msg, ipsp_msg) share
 * to read a frame's body: a cursor whose every take fails once the body is
 * short, and the rule for names the peer sends (printable ASCII without
 * space: looked up, compared, logged as one word).
 */
#ifndef MIPHA_BYTE_CURSOR_H
#define MIPHA_BYTE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct byte_cursor {
	const uint8_t *p;
	size_t left;
};

/* n bytes from the cursor, or NULL (and nothing taken) if fewer are left. */
static inline const uint8_t *cursor_take(struct byte_cursor *c, size_t n)
{
	const uint8_t *p = c->p;

	if (c->left < n)
		return NULL;
	c->p += n;
	c->left -= n;
	return p;
}

/* Every byte printable ASCII, space excluded (0x21-0x7e). */
static inline bool bytes_printable(const uint8_t *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return false;
	return true;
}

#endif /* MIPHA_BYTE_CURSOR_H */

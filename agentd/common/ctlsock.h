/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctlsock: the control socket (/run/mipha/agentd.sock): JSON lines over a
 * unix stream socket, for miphactl. This header is the protocol and its
 * client; the daemon's server is ctlsock_server.h.
 *
 * Protocol. The client sends one request per line, a JSON object:
 *	{"command": "binding show", "home_addr": "20.0.0.1"}
 * and reads answer lines until one with a "status" member:
 *	{"status": "ok", "result": {...}}
 *	{"status": "error", "error": "no binding for 20.0.0.1"}
 * A list answer sends its items first, one JSON object a line, then
 *	{"status": "ok", "count": N}
 * so that 500,000 bindings stream without building one huge document.
 * Several requests may follow on one connection; they are answered one at
 * a time, the next only once the previous answer is written out (a client
 * that does not read its answers stops being read).
 *
 * Events. The request
 *	{"command": "events", "filter": ["standby", "pool"]}
 * ("filter" optional: event name prefixes, at most CTLSOCK_EVENT_FILTERS_MAX
 * of at most CTLSOCK_EVENT_NAME_MAX bytes; absent or empty, every event)
 * makes the connection a subscriber. It is answered
 *	{"status": "ok", "result": {"subscribed": true}}
 * and from then on carries only events, one JSON object a line with no
 * "status" member, until the client closes:
 *	{"event": "reload", "time": "2026-12-03T10:00:00.123Z", "ok": true, ...}
 * "event" (its name: lower-case letters, digits, '.', '-', '_') and "time"
 * (UTC, milliseconds) are in every line; the other members are the event's.
 * What the client sends once subscribed is read and ignored. The daemon
 * never waits for a follower: one that does not read loses the events that
 * no longer fit in what is queued for it, and once it has room again it
 * gets, before any later event and whatever its filter,
 *	{"event": "lost", "time": "...", "count": N}
 * with the number it missed. A subscriber is one of the daemon's clients
 * (at most CTLSOCK_MAX_CLIENTS of them).
 *
 * The socket is created mode 0660 (umask around bind(): no moment with
 * more): root (and the socket's group) only, since it
 * can reload the configuration.
 */
#ifndef MIPHA_CTLSOCK_H
#define MIPHA_CTLSOCK_H

#include <stdbool.h>
#include <stddef.h>

#define CTLSOCK_LINE_MAX    65536
/* The request that makes a connection a follower of the daemon's events. */
#define CTLSOCK_EVENTS_COMMAND	  "events"
#define CTLSOCK_EVENT_NAME_MAX	  64
#define CTLSOCK_EVENT_FILTERS_MAX 16
/* Where the daemon listens unless configured otherwise. */
#define CTLSOCK_DEFAULT_PATH "/run/mipha/agentd.sock"

/*
 * An event name, or a prefix of one in a filter: 1 to CTLSOCK_EVENT_NAME_MAX
 * lower-case letters, digits, '.', '-', '_' (as is in any output).
 */
static inline bool ctlsock_event_name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len > CTLSOCK_EVENT_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '.' || ch == '-' || ch == '_'))
			return false;
	}
	return true;
}

/* Client side (miphactl): connect to path; -errno. */
int ctlsock_connect(const char *path);

#endif /* MIPHA_CTLSOCK_H */

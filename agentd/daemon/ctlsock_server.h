/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket's server, on the daemon's event loop: the protocol is
 * ctlsock.h's; each subsystem registers its commands in a table.
 */
#ifndef MIPHA_CTLSOCK_SERVER_H
#define MIPHA_CTLSOCK_SERVER_H

#include <stdint.h>
#include <jansson.h>

#include "ctlsock.h"

#define CTLSOCK_MAX_CLIENTS 32

struct loop;
struct ctlsock;

/* A list answer: next() returns items (new references) until NULL. */
struct ctlsock_stream {
	json_t *(*next)(void *state);
	void (*free)(void *state);
	void *state;
};

/*
 * Handles one request. Either returns the result (a new reference; the
 * "ok" line carries it), or sets *err (a static or buffer string) and
 * returns NULL, or fills *stream and returns NULL for a list. The command's
 * name is passed so that one handler can serve several entries.
 */
typedef json_t *(*ctlsock_handler)(void *data, const char *command, json_t *req,
				   struct ctlsock_stream *stream,
				   const char **err);

/*
 * A command: its name ("binding show") and its handler. Each subsystem
 * registers its own table of them (ctlsock_register()), so a new subsystem
 * adds commands without touching anyone else's code.
 */
struct ctlsock_command {
	const char *name;
	ctlsock_handler handler;
};

int ctlsock_open(struct ctlsock **cp, struct loop *l, const char *path);
/*
 * Adds a table of commands ending with a { NULL } entry; each handler gets
 * data. -EEXIST if a name is already registered (nothing is added), -ENOMEM.
 * A request naming no registered command gets "unknown command".
 */
int ctlsock_register(struct ctlsock *c, const struct ctlsock_command *table,
		     void *data);
/* Closes every client and removes the socket file. */
void ctlsock_close(struct ctlsock *c);

/*
 * Events (ctlsock_events.c; the protocol is ctlsock.h's). Each subscriber
 * has this many bytes of events queued at most, beyond what its socket
 * holds: 32 clients cost 8 MB at worst, and a follower that stops reading
 * loses events rather than making the daemon wait or grow.
 */
#define CTLSOCK_EVENT_QUEUE_MAX (256 * 1024)

/*
 * Sends the event named event (lower-case letters, digits, '.', '-', '_';
 * not "lost", which is the socket's own) with the members of fields (an
 * object; members named "event" or "time" are ignored) to every subscriber
 * whose filter takes it. Never blocks: the line is queued and written as
 * each subscriber reads; a subscriber whose queue is full loses it and is
 * told how many it lost once it has room again.
 *
 * Takes the reference to fields (json_pack()'s result can be passed as
 * is; NULL is taken for its failure). c may be NULL (no control socket).
 * Returns how many subscribers it was queued for (0 when none wants it:
 * then the line is not even built), -ENOMEM, or -EINVAL for a bad name or
 * fields that are not an object.
 */
int ctlsock_publish(struct ctlsock *c, const char *event, json_t *fields);

/* Followers now, and events they lost since the socket opened. */
struct ctlsock_event_counts {
	unsigned int subscribers;
	uint64_t lost;
};

void ctlsock_event_counts(const struct ctlsock *c,
			  struct ctlsock_event_counts *counts);

#endif /* MIPHA_CTLSOCK_SERVER_H */

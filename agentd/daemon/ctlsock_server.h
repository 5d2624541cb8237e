/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket's server, on the daemon's event loop: the protocol is
 * ctlsock.h's; each subsystem registers its commands in a table.
 */
#ifndef MIPHA_CTLSOCK_SERVER_H
#define MIPHA_CTLSOCK_SERVER_H

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

#endif /* MIPHA_CTLSOCK_SERVER_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctlsock: the control socket (/run/mipha/agentd.sock): JSON lines over a
 * unix stream socket, for miphactl.
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
 * The socket is created mode 0660 (umask around bind(): no moment with
 * more): root (and the socket's group) only, since it
 * can reload the configuration.
 */
#ifndef MIPHA_CTLSOCK_H
#define MIPHA_CTLSOCK_H

#include <jansson.h>

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

#define CTLSOCK_MAX_CLIENTS 32
#define CTLSOCK_LINE_MAX    65536

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

/* Client side (miphactl): connect to path; -errno. */
int ctlsock_connect(const char *path);

#endif /* MIPHA_CTLSOCK_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket server's insides, shared by its two halves and by
 * nothing else: ctlsock_server.c (clients, requests and their answers) and
 * ctlsock_events.c (subscribers and what is published to them). Both run
 * on the daemon's one loop thread: nothing here is locked.
 */
#ifndef MIPHA_CTLSOCK_INT_H
#define MIPHA_CTLSOCK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "ctlsock_server.h"
#include "loop.h"

struct ctl_client {
	struct ctl_client *next;
	struct ctlsock *srv;
	struct loop_io io;
	char *in;
	size_t in_len;
	/* Output: out[out_off, out_len) is still to be written. */
	char *out;
	size_t out_len, out_off, out_size;
	struct ctlsock_stream stream;
	bool streaming;
	size_t count;
	bool closing;  /* close once the output is written */
	bool skipping; /* dropping the rest of a line that was too long */
	/* A subscriber (it asked for "events") takes no more requests. */
	bool subscribed;
	json_t *filter; /* its name prefixes; NULL: every event */
	uint64_t lost;	/* events dropped since its last "lost" line */
};

/* A registered table and the data its handlers get. */
struct ctl_table {
	const struct ctlsock_command *cmds;
	void *data;
};

struct ctlsock {
	struct loop *loop;
	struct loop_io io;
	char *path;
	struct ctl_table *tables;
	size_t ntables;
	struct ctl_client *clients;
	unsigned int nclients;
	unsigned int nsubscribers;
	uint64_t events_lost; /* by every subscriber since the socket opened */
};

/*
 * ctlsock_server.c: appends s[0..len) and a newline to cl's output, unless
 * more than limit bytes would then be waiting to be written: -ENOBUFS.
 * -ENOMEM. Nothing is appended on failure.
 */
int ctlsock_out_line(struct ctl_client *cl, const char *s, size_t len,
		     size_t limit);
/* The same for a JSON object, whose reference it takes (NULL: -ENOMEM). */
int ctlsock_out_put(struct ctl_client *cl, json_t *obj);
void ctlsock_put_error(struct ctl_client *cl, const char *msg);

/* ctlsock_events.c, called by the server for its clients. */
/* Answers the "events" request req: cl becomes a subscriber, or an error. */
void ctlsock_events_subscribe(struct ctl_client *cl, json_t *req);
/* All of a subscriber's output is written: tell it what it lost. */
void ctlsock_events_drained(struct ctl_client *cl);
/* cl is going: it no longer counts as a subscriber. */
void ctlsock_events_unsubscribe(struct ctl_client *cl);

#endif /* MIPHA_CTLSOCK_INT_H */

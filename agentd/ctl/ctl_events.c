// SPDX-License-Identifier: GPL-2.0
/*
 * miphactl events [PREFIX...]: follow mipha-agentd's events (HSRP state
 * changes, reloads, ...; ctlsock.h has the protocol), as monitor follows
 * the kernel's: one line per event, flushed as it comes so that a pipe's
 * reader sees it at once, until the daemon closes the connection.
 *
 * A line is the event's name, then its members as key=value:
 *	reload time=2026-12-03T10:00:00.123Z ok=true message="configuration
 *	reloaded from /etc/mipha/agentd.conf (change mask 0x1)"
 * (one line). Strings are escaped as everything miphactl prints from the
 * daemon (fmt_escaped(): printable ASCII as is, a backslash doubled, any
 * other byte \xHH); a value that is empty or holds a space, '"' or '=' is
 * quoted, its '"' written \x22. Members of an object are named with dots
 * (peer.addr=...), the items of an array joined by commas. With -j, the
 * JSON object as the daemon sent it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctlsock.h"

/* Longest dotted key printed (peer.addr...): the rest is cut. */
#define EVENT_KEY_MAX 256

static void put_value(FILE *f, const char *text)
{
	const char *p;

	if (*text && !strpbrk(text, " \"=")) {
		fputs(text, f);
		return;
	}
	fputc('"', f);
	for (p = text; *p; p++) {
		if (*p == '"')
			fputs("\\x22", f);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/*
 * A value as text, in a heap string (NULL: no memory): a string as it is,
 * an array's items joined by commas, anything else (and anything within
 * an array) as compact JSON.
 */
static char *value_text(const json_t *v)
{
	const int flags = JSON_COMPACT | JSON_ENCODE_ANY | JSON_ENSURE_ASCII;
	const json_t *item;
	size_t i, len;
	char *buf;
	FILE *f;

	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (!json_is_array(v))
		return json_dumps(v, flags);
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	json_array_foreach(v, i, item)
	{
		if (i)
			fputc(',', f);
		if (json_is_string(item))
			fputs(json_string_value(item), f);
		else
			json_dumpf(item, f, flags);
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* " key=value" for each member of obj, objects within named with dots. */
static void pairs_print(FILE *f, const char *prefix, const json_t *obj)
{
	char key[EVENT_KEY_MAX];
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)obj, k, v)
	{
		char *text;

		/* The name came first. */
		if (!*prefix && !strcmp(k, "event"))
			continue;
		snprintf(key, sizeof(key), "%s%s%s", prefix, *prefix ? "." : "",
			 k);
		if (json_is_object(v) && json_object_size(v)) {
			pairs_print(f, key, v);
			continue;
		}
		text = value_text(v);
		fprintf(f, " %s=", key);
		put_value(f, text ?: "?");
		free(text);
	}
}

/*
 * One event, as daemon_next() returns it: for text output its strings are
 * escaped already.
 */
void event_print(struct ctl *c, const json_t *ev)
{
	const char *name = json_string_value(json_object_get(ev, "event"));

	if (c->json) {
		json_dumpf(ev, c->out, JSON_COMPACT | JSON_ENSURE_ASCII);
		fputc('\n', c->out);
		return;
	}
	fputs(name ?: "?", c->out);
	pairs_print(c->out, "", ev);
	fputc('\n', c->out);
}

/* Events until the daemon closes the connection (the normal end: CTL_OK). */
static int follow(struct ctl *c, struct daemon_conn *dc)
{
	json_t *ev;
	int ret;

	for (;;) {
		ret = daemon_next(c, dc, &ev);
		if (ret == DAEMON_ANSWER_END) {
			json_decref(ev);
			return ctl_fail(c, CTL_ERR,
					"events: an answer among the events");
		}
		if (ret && dc->closed) {
			c->err[0] = '\0';
			return CTL_OK;
		}
		if (ret)
			return ret;
		event_print(c, ev);
		json_decref(ev);
		if (fflush(c->out))
			return ctl_fail(c, CTL_ERR, "events: write error: %s",
					strerror(errno));
	}
}

/* *req = {"command": "events", "filter": [PREFIX...]}, or a failure. */
static int events_request(struct ctl *c, int argc, char **argv, json_t **req)
{
	json_t *filter;
	int i;

	*req = NULL;
	if (argc > CTLSOCK_EVENT_FILTERS_MAX)
		return ctl_fail(c, CTL_USAGE, "events: at most %d prefixes",
				CTLSOCK_EVENT_FILTERS_MAX);
	for (i = 0; i < argc; i++) {
		if (!ctlsock_event_name_ok(argv[i], strlen(argv[i])))
			return ctl_fail(c, CTL_USAGE,
					"events: \"%s\" is not an event name "
					"prefix (a-z, 0-9, '.', '-', '_')",
					argv[i]);
	}
	*req = json_pack("{s:s}", "command", CTLSOCK_EVENTS_COMMAND);
	filter = json_array();
	for (i = 0; *req && filter && i < argc; i++) {
		if (json_array_append_new(filter, json_string(argv[i])))
			break;
	}
	if (!*req || !filter || i < argc ||
	    (argc && json_object_set(*req, "filter", filter))) {
		json_decref(filter);
		json_decref(*req);
		*req = NULL;
		return ctl_fail(c, CTL_ERR, "%s", strerror(ENOMEM));
	}
	json_decref(filter);
	return CTL_OK;
}

int do_events(struct ctl *c, int argc, char **argv)
{
	struct daemon_conn dc;
	json_t *req, *obj;
	int ret;

	ret = events_request(c, argc, argv, &req);
	if (ret)
		return ret;
	ret = daemon_open(c, &dc);
	if (ret) {
		json_decref(req);
		return ret;
	}
	ret = daemon_send(c, &dc, req);
	/* Its answer first (an error if it will not be followed). */
	while (!ret) {
		ret = daemon_next(c, &dc, &obj);
		json_decref(obj);
	}
	if (ret == DAEMON_ANSWER_END)
		ret = follow(c, &dc);
	daemon_close(&dc);
	return ret;
}

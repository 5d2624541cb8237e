// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's events: a client that asked for "events" follows
 * what the daemon's subsystems publish (ctlsock.h has the protocol).
 *
 * The loop never waits for a follower. An event is queued on each
 * subscriber's output, at most CTLSOCK_EVENT_QUEUE_MAX bytes of it, and
 * written as the socket takes it (the server's EPOLLOUT path); an event
 * that does not fit is counted as lost for that subscriber alone, and the
 * count reaches it in a "lost" line ahead of anything it gets later. A
 * publish with no subscriber builds nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>

#include "ctlsock_int.h"
#include "log.h"

/* The longest "lost" line, with a 20-digit count. */
#define LOST_LINE_MAX 128

/* NULL if filter is absent or a valid list of prefixes, else why not. */
static const char *filter_check(const json_t *filter)
{
	const json_t *p;
	size_t i;

	if (!filter)
		return NULL;
	if (!json_is_array(filter))
		return "\"filter\" is not an array of event name prefixes";
	if (json_array_size(filter) > CTLSOCK_EVENT_FILTERS_MAX)
		return "\"filter\" has too many prefixes";
	json_array_foreach(filter, i, p)
	{
		if (!json_is_string(p) ||
		    !ctlsock_event_name_ok(json_string_value(p),
					   json_string_length(p)))
			return "\"filter\" has a prefix that is not an event "
			       "name";
	}
	return NULL;
}

void ctlsock_events_subscribe(struct ctl_client *cl, json_t *req)
{
	json_t *filter = json_object_get(req, "filter");
	const char *err = filter_check(filter);

	if (err) {
		ctlsock_put_error(cl, err);
		return;
	}
	if (filter && json_array_size(filter))
		cl->filter = json_incref(filter);
	cl->subscribed = true;
	cl->srv->nsubscribers++;
	/* Without its answer the client would wait forever: end it. */
	if (ctlsock_out_put(cl, json_pack("{s:s, s:{s:b}}", "status", "ok",
					  "result", "subscribed", 1)))
		cl->closing = true;
	log_debug(LOG_CTL, "client subscribed to events");
}

void ctlsock_events_unsubscribe(struct ctl_client *cl)
{
	if (!cl->subscribed)
		return;
	cl->subscribed = false;
	cl->srv->nsubscribers--;
	json_decref(cl->filter);
	cl->filter = NULL;
}

static bool wants(const struct ctl_client *cl, const char *event)
{
	const json_t *p;
	size_t i;

	if (!cl->filter)
		return true;
	json_array_foreach(cl->filter, i, p)
	{
		if (!strncmp(event, json_string_value(p),
			     json_string_length(p)))
			return true;
	}
	return false;
}

/* "2026-12-03T10:00:00.123Z": UTC, the wall clock, milliseconds. */
static void event_time(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* "event" and "time" first, then the fields; a heap line, or NULL. */
static char *event_line(const char *event, json_t *fields)
{
	char when[40];
	json_t *obj;
	char *line;

	event_time(when, sizeof(when));
	obj = json_pack("{s:s, s:s}", "event", event, "time", when);
	if (!obj || json_object_update_missing(obj, fields)) {
		json_decref(obj);
		return NULL;
	}
	line = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	return line;
}

static void want_write(struct ctl_client *cl)
{
	/* A no-op while it already waits for room (loop_io_mod()). */
	loop_io_mod(cl->srv->loop, &cl->io, EPOLLOUT);
}

/* Queues the "lost" line cl is owed; -ENOBUFS or -ENOMEM if it cannot. */
static int put_lost(struct ctl_client *cl)
{
	char when[40], line[LOST_LINE_MAX];
	int len;

	event_time(when, sizeof(when));
	len = snprintf(line, sizeof(line),
		       "{\"event\":\"lost\",\"time\":\"%s\",\"count\":%llu}",
		       when, (unsigned long long)cl->lost);
	if (len < 0 || (size_t)len >= sizeof(line))
		return -ENOMEM;
	if (ctlsock_out_line(cl, line, (size_t)len, CTLSOCK_EVENT_QUEUE_MAX))
		return -ENOBUFS;
	cl->lost = 0;
	want_write(cl);
	return 0;
}

void ctlsock_events_drained(struct ctl_client *cl)
{
	if (cl->subscribed && cl->lost)
		put_lost(cl);
}

static void lose(struct ctl_client *cl)
{
	if (!cl->lost)
		log_ratelimited(LOG_WARNING,
				"control socket: an events follower does not "
				"keep up: events lost");
	cl->lost++;
	cl->srv->events_lost++;
}

/*
 * Queues line (NULL: it could not be built) for cl, after the "lost" line
 * it is owed: no event reaches a follower ahead of the notice of a gap
 * before it, so both fit or the event is lost too.
 */
static bool deliver(struct ctl_client *cl, const char *line, size_t len)
{
	size_t pending = cl->out_len - cl->out_off;
	size_t need = len + 1 + (cl->lost ? LOST_LINE_MAX : 0);

	if (!line || need > CTLSOCK_EVENT_QUEUE_MAX - pending)
		goto lost;
	if (cl->lost && put_lost(cl))
		goto lost;
	if (ctlsock_out_line(cl, line, len, CTLSOCK_EVENT_QUEUE_MAX))
		goto lost;
	want_write(cl);
	return true;

lost:
	lose(cl);
	return false;
}

int ctlsock_publish(struct ctlsock *s, const char *event, json_t *fields)
{
	struct ctl_client *cl;
	char *line = NULL;
	bool built = false;
	size_t len = 0;
	int n = 0;

	if (!fields)
		return -ENOMEM;
	if (!event || !ctlsock_event_name_ok(event, strlen(event)) ||
	    !strcmp(event, "lost") || !json_is_object(fields)) {
		json_decref(fields);
		return -EINVAL;
	}
	if (!s || !s->nsubscribers) {
		json_decref(fields);
		return 0;
	}
	for (cl = s->clients; cl; cl = cl->next) {
		if (!cl->subscribed || cl->closing || !wants(cl, event))
			continue;
		/* Once, and only for someone who wants it. */
		if (!built) {
			line = event_line(event, fields);
			len = line ? strlen(line) : 0;
			built = true;
		}
		if (deliver(cl, line, len))
			n++;
	}
	json_decref(fields);
	if (built && !line)
		return -ENOMEM;
	free(line);
	return n;
}

void ctlsock_event_counts(const struct ctlsock *s,
			  struct ctlsock_event_counts *counts)
{
	counts->subscribers = s ? s->nsubscribers : 0;
	counts->lost = s ? s->events_lost : 0;
}

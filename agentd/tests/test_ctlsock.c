// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the control socket server, client and server in one
 * process: the server runs on the event loop, the test plays the client
 * on a non-blocking socket and turns the loop between reads. Covers
 * results, errors, malformed requests, pipelined requests on one
 * connection, a streamed list far larger than the socket buffers, a line
 * that is too long (refused, then skipped), and refusing to take over a live daemon's socket.
 * Events: order and fields, filters (and bad ones), requests on other
 * connections meanwhile, a follower that does not read (the loop goes on,
 * its losses counted and told), one that goes away, none at all, and the
 * client limit.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <cmocka.h>

#include "ctlsock_server.h"
#include "loop.h"

#define LIST_ITEMS 20000
#define BIG_ANSWER 16384 /* bytes of a "big" command's result */

/*
 * bind() as ctlsock_open() calls it: the real one, then the mode of the
 * unix socket file it created, at that moment.
 */
static mode_t bind_mode;

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)addr;
	struct stat st;
	int ret = (int)syscall(SYS_bind, fd, addr, len);

	if (!ret && addr->sa_family == AF_UNIX && !stat(sun->sun_path, &st))
		bind_mode = st.st_mode & 07777;
	return ret;
}

static unsigned int handled; /* requests the handler saw */

/* The test's end of one connection. */
struct conn {
	int fd;
	size_t len;
	char buf[1 << 16];
};

struct fixture {
	char dir[64];
	char path[128];
	struct loop *loop;
	struct ctlsock *cs;
	struct conn cl;
};

struct list_state {
	int i, n;
};

static json_t *list_next(void *data)
{
	struct list_state *st = data;

	if (st->i >= st->n)
		return NULL;
	st->i++;
	return json_pack("{s:i, s:s}", "i", st->i, "pad",
			 "some bytes so that the list is large");
}

static void list_free(void *data)
{
	free(data);
}

static json_t *handler(void *data, const char *cmd, json_t *req,
		       struct ctlsock_stream *stream, const char **err)
{
	(void)data;
	handled++;
	if (!strcmp(cmd, "big")) {
		char *pad = malloc(BIG_ANSWER + 1);
		json_t *o;

		memset(pad, 'x', BIG_ANSWER);
		pad[BIG_ANSWER] = '\0';
		o = json_pack("{s:O, s:s}", "req", req, "pad", pad);
		free(pad);
		return o;
	}
	if (!strcmp(cmd, "echo"))
		return json_pack("{s:O}", "req", req);
	if (!strcmp(cmd, "list")) {
		struct list_state *st = calloc(1, sizeof(*st));

		st->n = (int)json_integer_value(json_object_get(req, "n"));
		stream->next = list_next;
		stream->free = list_free;
		stream->state = st;
		return NULL;
	}
	*err = "no such command";
	return NULL;
}

/* One handler serves every test command (it looks at the name). */
static const struct ctlsock_command test_commands[] = {
	{ "big", handler },
	{ "echo", handler },
	{ "list", handler },
	{ NULL }
};

static int open_registered(struct ctlsock **cs, struct loop *l,
			   const char *path, void *data)
{
	int ret = ctlsock_open(cs, l, path);

	if (!ret)
		ret = ctlsock_register(*cs, test_commands, data);
	return ret;
}

static void conn_open(struct fixture *f, struct conn *c)
{
	c->fd = ctlsock_connect(f->path);
	assert_true(c->fd >= 0);
	fcntl(c->fd, F_SETFL, O_NONBLOCK);
	c->len = 0;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/test_ctlsock.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/sub/agentd.sock", f->dir);
	assert_int_equal(loop_new(&f->loop), 0);
	assert_int_equal(open_registered(&f->cs, f->loop, f->path, f), 0);
	conn_open(f, &f->cl);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char sub[160];

	close(f->cl.fd);
	ctlsock_close(f->cs);
	loop_free(f->loop);
	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	rmdir(sub);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void conn_send(struct fixture *f, struct conn *c, const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = write(c->fd, s + off, len - off);

		if (n < 0) {
			assert_int_equal(errno, EAGAIN);
			loop_run_once(f->loop, 10);
			continue;
		}
		off += (size_t)n;
	}
}

/* The next line on c, turning the loop until it comes (NULL: closed). */
static json_t *conn_next(struct fixture *f, struct conn *c)
{
	int rounds;

	for (rounds = 0; rounds < 10000; rounds++) {
		char *nl = memchr(c->buf, '\n', c->len);
		ssize_t n;

		if (nl) {
			json_t *o;

			*nl = '\0';
			o = json_loads(c->buf, 0, NULL);
			assert_non_null(o);
			c->len -= (size_t)(nl + 1 - c->buf);
			memmove(c->buf, nl + 1, c->len);
			return o;
		}
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (n == 0)
			return NULL;
		if (n > 0) {
			c->len += (size_t)n;
			continue;
		}
		assert_int_equal(errno, EAGAIN);
		assert_int_equal(loop_run_once(f->loop, 10), 0);
	}
	fail_msg("no answer");
	return NULL;
}

static void send_str(struct fixture *f, const char *s)
{
	conn_send(f, &f->cl, s);
}

static json_t *next_line(struct fixture *f)
{
	return conn_next(f, &f->cl);
}

static void expect_error(struct fixture *f, const char *msg)
{
	json_t *o = next_line(f);

	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "status")),
			    "error");
	if (msg)
		assert_string_equal(
			json_string_value(json_object_get(o, "error")), msg);
	json_decref(o);
}

static void test_result(void **state)
{
	struct fixture *f = *state;
	json_t *o;

	send_str(f, "{\"command\":\"echo\",\"x\":42}\n");
	o = next_line(f);
	assert_string_equal(json_string_value(json_object_get(o, "status")),
			    "ok");
	assert_int_equal(
		json_integer_value(json_object_get(
			json_object_get(json_object_get(o, "result"), "req"),
			"x")),
		42);
	json_decref(o);
}

static void test_errors(void **state)
{
	struct fixture *f = *state;

	send_str(f, "not json\n");
	expect_error(f, "request is not a JSON object");
	send_str(f, "[1,2]\n");
	expect_error(f, "request is not a JSON object");
	send_str(f, "{\"x\":1}\n");
	expect_error(f, "request has no \"command\"");
	/* No table registered it: the socket answers, no handler runs. */
	send_str(f, "{\"command\":\"nope\"}\n");
	expect_error(f, "unknown command \"nope\"");
	/* The connection still works after errors. */
	send_str(f, "{\"command\":\"echo\"}\n");
	json_decref(next_line(f));
}

/* A name registered twice is refused and the first table still answers. */
static void test_register_duplicate(void **state)
{
	static const struct ctlsock_command again[] = {
		{ "other", handler },
		{ "echo", handler },
		{ NULL }
	};
	struct fixture *f = *state;

	assert_int_equal(ctlsock_register(f->cs, again, NULL), -EEXIST);
	send_str(f, "{\"command\":\"other\"}\n");
	expect_error(f, "unknown command \"other\"");
	send_str(f, "{\"command\":\"echo\"}\n");
	json_decref(next_line(f));
}

/* Requests sent back to back, one write, are answered in order. */
static void test_pipelined(void **state)
{
	struct fixture *f = *state;
	json_t *o;
	int i;

	send_str(f, "{\"command\":\"echo\",\"n\":1}\n"
		    "{\"command\":\"list\",\"n\":3}\n"
		    "{\"command\":\"echo\",\"n\":2}\n");
	o = next_line(f);
	assert_int_equal(
		json_integer_value(json_object_get(
			json_object_get(json_object_get(o, "result"), "req"),
			"n")),
		1);
	json_decref(o);
	for (i = 1; i <= 3; i++) {
		o = next_line(f);
		assert_int_equal(json_integer_value(json_object_get(o, "i")),
				 i);
		json_decref(o);
	}
	o = next_line(f);
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 3);
	json_decref(o);
	o = next_line(f);
	assert_int_equal(
		json_integer_value(json_object_get(
			json_object_get(json_object_get(o, "result"), "req"),
			"n")),
		2);
	json_decref(o);
}

/* The socket file never exists with a wider mode than 0660. */
static void test_mode_at_bind(void **state)
{
	struct fixture *f = *state;
	struct ctlsock *cs;
	char path[160];
	struct stat st;
	mode_t old = umask(0);

	/* The most permissive umask: bind() alone would make it 0777. */
	snprintf(path, sizeof(path), "%s/other.sock", f->dir);
	bind_mode = 0;
	assert_int_equal(open_registered(&cs, f->loop, path, f), 0);
	assert_int_equal(bind_mode, 0660);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0660);
	/* The process's umask is back. */
	assert_int_equal(umask(old), 0);
	ctlsock_close(cs);
}

/*
 * A client that pipelines requests without reading the answers: the
 * daemon answers one at a time while output is pending, so it holds about
 * what the socket buffer takes, not an answer per request sent; once the
 * client reads, every request is answered, in order.
 */
static void test_pipelined_unread(void **state)
{
	struct fixture *f = *state;
	const unsigned int n = 200;
	char req[64];
	unsigned int i;
	json_t *o;

	for (i = 1; i <= n; i++) {
		snprintf(req, sizeof(req), "{\"command\":\"big\",\"n\":%u}\n",
			 i);
		send_str(f, req);
	}
	handled = 0;
	for (i = 0; i < 200; i++)
		assert_int_equal(loop_run_once(f->loop, 1), 0);
	/*
	 * A unix stream socket holds about 200 KB (net.core.wmem_default):
	 * some 13 answers of 16 KB, plus the one being written.
	 */
	assert_true(handled < 40);
	for (i = 1; i <= n; i++) {
		o = next_line(f);
		assert_non_null(o);
		assert_int_equal(
			json_integer_value(json_object_get(
				json_object_get(json_object_get(o, "result"),
						"req"),
				"n")),
			i);
		json_decref(o);
	}
	assert_int_equal(handled, n);
}

/* A list of ~1 MB streams through in order, ending with its count. */
static void test_large_list(void **state)
{
	struct fixture *f = *state;
	json_t *o;
	int i;

	send_str(f, "{\"command\":\"list\",\"n\":20000}\n");
	for (i = 1; i <= LIST_ITEMS; i++) {
		o = next_line(f);
		assert_non_null(o);
		assert_null(json_object_get(o, "status"));
		assert_int_equal(json_integer_value(json_object_get(o, "i")),
				 i);
		json_decref(o);
	}
	o = next_line(f);
	assert_string_equal(json_string_value(json_object_get(o, "status")),
			    "ok");
	assert_int_equal(json_integer_value(json_object_get(o, "count")),
			 LIST_ITEMS);
	json_decref(o);
}

static void test_line_too_long(void **state)
{
	struct fixture *f = *state;
	char *big = malloc(CTLSOCK_LINE_MAX + 2);
	json_t *o;

	memset(big, 'x', CTLSOCK_LINE_MAX + 1);
	big[CTLSOCK_LINE_MAX + 1] = '\0';
	send_str(f, big);
	free(big);
	expect_error(f, "request line too long");
	/* The rest of that line is dropped; the next line is served. */
	send_str(f, "more of the long line\n{\"command\":\"echo\"}\n");
	o = next_line(f);
	assert_string_equal(json_string_value(json_object_get(o, "status")),
			    "ok");
	json_decref(o);
}

/* A second server on the same path refuses while the first answers. */
static void test_in_use(void **state)
{
	struct fixture *f = *state;
	struct ctlsock *cs2;
	struct stat st;

	assert_int_equal(open_registered(&cs2, f->loop, f->path, f),
			 -EADDRINUSE);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
}

/* ---- events ------------------------------------------------------------ */

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_int_t jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* Makes c a subscriber (filter: a JSON array, or NULL), its answer read. */
static void subscribe(struct fixture *f, struct conn *c, const char *filter)
{
	char req[512];
	json_t *o;

	snprintf(req, sizeof(req), "{\"command\":\"events\"%s%s}\n",
		 filter ? ",\"filter\":" : "", filter ?: "");
	conn_send(f, c, req);
	o = conn_next(f, c);
	assert_non_null(o);
	assert_string_equal(jstr(o, "status"), "ok");
	assert_true(json_is_true(
		json_object_get(json_object_get(o, "result"), "subscribed")));
	json_decref(o);
}

/* The next line on c is the event name; returned for more checks. */
static json_t *expect_event(struct fixture *f, struct conn *c, const char *name)
{
	json_t *o = conn_next(f, c);

	assert_non_null(o);
	assert_null(json_object_get(o, "status"));
	assert_string_equal(jstr(o, "event"), name);
	return o;
}

/* "2026-12-03T10:00:00.123Z" */
static void assert_event_time(const char *t)
{
	int y, mo, d, h, mi, sec, ms;
	char z;

	assert_non_null(t);
	assert_int_equal(strlen(t), 24);
	assert_int_equal(sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo, &d,
				&h, &mi, &sec, &ms, &z),
			 8);
	assert_true(y >= 2024 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31);
	assert_true(h < 24 && mi < 60 && sec < 61 && ms < 1000);
	assert_int_equal(z, 'Z');
}

static unsigned int followers(struct fixture *f)
{
	struct ctlsock_event_counts n;

	ctlsock_event_counts(f->cs, &n);
	return n.subscribers;
}

static uint64_t events_lost(struct fixture *f)
{
	struct ctlsock_event_counts n;

	ctlsock_event_counts(f->cs, &n);
	return n.lost;
}

/* A subscriber gets every event, in order, with "event", "time", fields. */
static void test_events_in_order(void **state)
{
	struct fixture *f = *state;
	json_t *o;

	subscribe(f, &f->cl, NULL);
	assert_int_equal(followers(f), 1);
	assert_int_equal(ctlsock_publish(f->cs, "reload",
					 json_pack("{s:b, s:s}", "ok", 1,
						   "message", "reloaded")),
			 1);
	assert_int_equal(ctlsock_publish(f->cs, "standby",
					 json_pack("{s:s, s:i, s:{s:s}}",
						   "group", "ha1", "priority",
						   110, "peer", "addr",
						   "10.0.0.2")),
			 1);
	/* Members named "event" or "time" cannot forge them. */
	assert_int_equal(ctlsock_publish(f->cs, "pool.high",
					 json_pack("{s:s, s:s, s:i}", "event",
						   "lost", "time", "never",
						   "used", 9)),
			 1);

	o = expect_event(f, &f->cl, "reload");
	/* "event" first, then "time": a reader of the raw line sees them. */
	assert_string_equal(json_object_iter_key(json_object_iter(o)), "event");
	assert_event_time(jstr(o, "time"));
	assert_true(json_is_true(json_object_get(o, "ok")));
	assert_string_equal(jstr(o, "message"), "reloaded");
	assert_int_equal(json_object_size(o), 4);
	json_decref(o);

	o = expect_event(f, &f->cl, "standby");
	assert_event_time(jstr(o, "time"));
	assert_string_equal(jstr(o, "group"), "ha1");
	assert_int_equal(jint(o, "priority"), 110);
	assert_string_equal(jstr(json_object_get(o, "peer"), "addr"),
			    "10.0.0.2");
	json_decref(o);

	o = expect_event(f, &f->cl, "pool.high");
	assert_event_time(jstr(o, "time"));
	assert_int_equal(jint(o, "used"), 9);
	json_decref(o);
	assert_int_equal(events_lost(f), 0);
}

/* A filter's prefixes choose the events; another subscriber gets all. */
static void test_events_filter(void **state)
{
	static const struct {
		const char *name;
		int followers; /* how many want it */
	} ev[] = {
		{ "standby", 2 },	{ "pool", 1 },	{ "sync.peer", 2 },
		{ "standby.state", 2 }, { "syncx", 1 }, { "end", 2 },
	};
	struct fixture *f = *state;
	struct conn *all = calloc(1, sizeof(*all));
	size_t i;
	json_t *o;

	conn_open(f, all);
	subscribe(f, &f->cl, "[\"standby\",\"sync.\",\"end\"]");
	subscribe(f, all, "[]");
	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		assert_int_equal(
			ctlsock_publish(f->cs, ev[i].name,
					json_pack("{s:i}", "i", (int)i)),
			ev[i].followers);
	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
		if (ev[i].followers < 2)
			continue;
		o = expect_event(f, &f->cl, ev[i].name);
		assert_int_equal(jint(o, "i"), (json_int_t)i);
		json_decref(o);
	}
	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
		o = expect_event(f, all, ev[i].name);
		assert_int_equal(jint(o, "i"), (json_int_t)i);
		json_decref(o);
	}
	close(all->fd);
	free(all);
}

/* A bad filter is refused and the connection stays an ordinary client. */
static void test_events_bad_filter(void **state)
{
	static const char *const bad[] = {
		"\"standby\"",
		"[1]",
		"[\"Standby\"]",
		"[\"\"]",
		"[\"a b\"]",
		"[\"a\\u001b[2J\"]",
		"[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"a\"]",
		"[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\","
		"\"k\",\"l\",\"m\",\"n\",\"o\",\"p\",\"q\"]",
	};
	static const struct ctlsock_command events[] = {
		{ CTLSOCK_EVENTS_COMMAND, handler },
		{ NULL },
	};
	struct fixture *f = *state;
	char req[512];
	size_t i;
	json_t *o;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(req, sizeof(req),
			 "{\"command\":\"events\",\"filter\":%s}\n", bad[i]);
		send_str(f, req);
		expect_error(f, NULL);
	}
	assert_int_equal(followers(f), 0);
	assert_int_equal(ctlsock_publish(f->cs, "standby", json_object()), 0);
	send_str(f, "{\"command\":\"echo\",\"n\":7}\n");
	o = next_line(f);
	assert_string_equal(jstr(o, "status"), "ok");
	json_decref(o);
	/* The socket's own command cannot be taken by a subsystem. */
	assert_int_equal(ctlsock_register(f->cs, events, NULL), -EEXIST);
}

/*
 * Requests on another connection are answered while events flow; what a
 * subscriber sends is ignored, answered by nothing.
 */
static void test_events_alongside_requests(void **state)
{
	struct fixture *f = *state;
	struct conn *sub = calloc(1, sizeof(*sub));
	char req[64];
	json_t *o;
	int i;

	conn_open(f, sub);
	subscribe(f, sub, NULL);
	conn_send(f, sub, "{\"command\":\"echo\"}\nnot even json\n");
	for (i = 1; i <= 50; i++) {
		assert_int_equal(ctlsock_publish(f->cs, "tick",
						 json_pack("{s:i}", "n", i)),
				 1);
		snprintf(req, sizeof(req), "{\"command\":\"echo\",\"n\":%d}\n",
			 i);
		send_str(f, req);
		o = next_line(f);
		assert_string_equal(jstr(o, "status"), "ok");
		assert_int_equal(
			jint(json_object_get(json_object_get(o, "result"),
					     "req"),
			     "n"),
			i);
		json_decref(o);
	}
	for (i = 1; i <= 50; i++) {
		o = expect_event(f, sub, "tick");
		assert_int_equal(jint(o, "n"), i);
		json_decref(o);
	}
	/* Nothing else came: no answer to what it sent. */
	assert_int_equal(ctlsock_publish(f->cs, "last", json_object()), 1);
	json_decref(expect_event(f, sub, "last"));
	close(sub->fd);
	free(sub);
}

#define FLOOD 100000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A follower that does not read: publishing 100,000 events never waits
 * for it and the loop goes on answering others; what does not fit in its
 * queue is lost and counted, and once it reads it gets every event that
 * fitted, in order, then one "lost" line with the count of the rest, then
 * the events published after.
 */
static void test_events_slow_follower(void **state)
{
	struct fixture *f = *state;
	struct conn *sub = calloc(1, sizeof(*sub));
	json_int_t seq, got = 0;
	size_t bytes = 0;
	double t0;
	json_t *o;
	int i, ret;

	conn_open(f, sub);
	subscribe(f, sub, NULL);
	t0 = now_s();
	for (i = 1; i <= FLOOD; i++) {
		ret = ctlsock_publish(
			f->cs, "flood",
			json_pack("{s:i, s:s}", "seq", i, "pad",
				  "some bytes to fill the follower's queue"));
		assert_true(ret == 0 || ret == 1);
		if (i % 100 == 0)
			assert_int_equal(loop_run_once(f->loop, 0), 0);
		/* Others are answered all along. */
		if (i % 10000 == 0) {
			send_str(f, "{\"command\":\"echo\"}\n");
			o = next_line(f);
			assert_string_equal(jstr(o, "status"), "ok");
			json_decref(o);
		}
	}
	/* Generous for ASAN on a busy machine; a blocked loop never ends. */
	assert_true(now_s() - t0 < 60);
	assert_true(events_lost(f) > 0);
	assert_int_equal(followers(f), 1);

	for (seq = 1;; seq++) {
		char *line;

		o = conn_next(f, sub);
		assert_non_null(o);
		if (!strcmp(jstr(o, "event"), "lost")) {
			assert_event_time(jstr(o, "time"));
			assert_int_equal(jint(o, "count"), FLOOD - got);
			json_decref(o);
			break;
		}
		assert_string_equal(jstr(o, "event"), "flood");
		assert_int_equal(jint(o, "seq"), seq);
		line = json_dumps(o, JSON_COMPACT);
		bytes += strlen(line) + 1;
		free(line);
		got++;
		json_decref(o);
	}
	assert_int_equal(events_lost(f), FLOOD - got);
	/* What it got is bounded: its queue and what the socket holds. */
	assert_true(got < FLOOD);
	assert_true(bytes <= CTLSOCK_EVENT_QUEUE_MAX + (4 << 20));
	/* After the gap, events flow again, no second "lost" line. */
	assert_int_equal(ctlsock_publish(f->cs, "flood",
					 json_pack("{s:i}", "seq", FLOOD + 1)),
			 1);
	o = expect_event(f, sub, "flood");
	assert_int_equal(jint(o, "seq"), FLOOD + 1);
	json_decref(o);
	close(sub->fd);
	free(sub);
}

/*
 * A follower that reads while events keep coming: its queue never empties,
 * yet the "lost" line reaches it before the first event after the gap.
 */
static void test_events_lost_before_next(void **state)
{
	struct fixture *f = *state;
	json_int_t last = 0, next = 20001;
	bool lost_seen = false;
	json_t *o;
	int i;

	subscribe(f, &f->cl, NULL);
	/* Fill the queue and the socket without turning the loop. */
	for (i = 1; i <= 20000; i++)
		ctlsock_publish(f->cs, "a",
				json_pack("{s:i, s:s}", "seq", i, "pad",
					  "0123456789012345678901234567890"));
	assert_true(events_lost(f) > 0);
	/* Read, and publish one more after each line read. */
	for (;;) {
		o = next_line(f);
		assert_non_null(o);
		if (!strcmp(jstr(o, "event"), "lost")) {
			assert_false(lost_seen);
			lost_seen = true;
			assert_int_equal(jint(o, "count"), 20000 - last);
			json_decref(o);
			continue;
		}
		if (jint(o, "seq") > 20000) {
			/* The first event after the gap: the notice came. */
			assert_true(lost_seen);
			assert_int_equal(jint(o, "seq"), 20001);
			json_decref(o);
			break;
		}
		assert_false(lost_seen);
		assert_int_equal(jint(o, "seq"), last + 1);
		last = jint(o, "seq");
		json_decref(o);
		ctlsock_publish(f->cs, "a", json_pack("{s:I}", "seq", next++));
	}
}

/* A subscriber that goes away, events queued for it, is freed. */
static void test_events_disconnect(void **state)
{
	struct fixture *f = *state;
	struct conn *sub = calloc(1, sizeof(*sub));
	int i;

	conn_open(f, sub);
	subscribe(f, sub, "[\"x\"]");
	for (i = 0; i < 5000; i++)
		ctlsock_publish(f->cs, "x", json_pack("{s:i}", "i", i));
	close(sub->fd);
	free(sub);
	for (i = 0; i < 100 && followers(f); i++)
		assert_int_equal(loop_run_once(f->loop, 10), 0);
	assert_int_equal(followers(f), 0);
	assert_int_equal(ctlsock_publish(f->cs, "x", json_object()), 0);
	/* The rest of the socket is unaffected. */
	send_str(f, "{\"command\":\"echo\"}\n");
	json_decref(next_line(f));
}

/*
 * Events with no one following are dropped at once: no backlog for a
 * later subscriber, nothing counted lost. Bad names and fields refused.
 */
static void test_events_nobody(void **state)
{
	struct fixture *f = *state;
	int i;

	for (i = 0; i < FLOOD; i++)
		assert_int_equal(ctlsock_publish(f->cs, "standby",
						 json_pack("{s:i}", "i", i)),
				 0);
	assert_int_equal(events_lost(f), 0);
	assert_int_equal(ctlsock_publish(NULL, "standby", json_object()), 0);
	assert_int_equal(ctlsock_publish(f->cs, "", json_object()), -EINVAL);
	assert_int_equal(ctlsock_publish(f->cs, "Standby", json_object()),
			 -EINVAL);
	assert_int_equal(ctlsock_publish(f->cs, "lost", json_object()),
			 -EINVAL);
	assert_int_equal(ctlsock_publish(f->cs, NULL, json_object()), -EINVAL);
	assert_int_equal(ctlsock_publish(f->cs, "x", json_array()), -EINVAL);
	assert_int_equal(ctlsock_publish(f->cs, "x", NULL), -ENOMEM);

	subscribe(f, &f->cl, NULL);
	assert_int_equal(ctlsock_publish(f->cs, "after", json_object()), 1);
	json_decref(expect_event(f, &f->cl, "after"));
}

/* A subscriber is a client: CTLSOCK_MAX_CLIENTS of them in all. */
static void test_events_max_clients(void **state)
{
	struct fixture *f = *state;
	struct conn *c = calloc(CTLSOCK_MAX_CLIENTS, sizeof(*c));
	int i;

	subscribe(f, &f->cl, NULL);
	for (i = 1; i < CTLSOCK_MAX_CLIENTS; i++) {
		conn_open(f, &c[i]);
		subscribe(f, &c[i], NULL);
	}
	assert_int_equal(followers(f), CTLSOCK_MAX_CLIENTS);
	/* One more is closed at once. */
	conn_open(f, &c[0]);
	assert_null(conn_next(f, &c[0]));
	assert_int_equal(ctlsock_publish(f->cs, "all", json_object()),
			 CTLSOCK_MAX_CLIENTS);
	for (i = 1; i < CTLSOCK_MAX_CLIENTS; i++) {
		json_decref(expect_event(f, &c[i], "all"));
		close(c[i].fd);
	}
	json_decref(expect_event(f, &f->cl, "all"));
	close(c[0].fd);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_result, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_duplicate, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelined, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_large_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_line_too_long, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_in_use, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode_at_bind, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pipelined_unread, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_events_in_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_events_filter, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_events_bad_filter, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_events_alongside_requests,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_slow_follower,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_lost_before_next,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_disconnect, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_events_nobody, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_events_max_clients, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

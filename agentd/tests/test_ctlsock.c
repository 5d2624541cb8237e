// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the control socket server, client and server in one
 * process: the server runs on the event loop, the test plays the client
 * on a non-blocking socket and turns the loop between reads. Covers
 * results, errors, malformed requests, pipelined requests on one
 * connection, a streamed list far larger than the socket buffers, a line
 * that is too long (refused, then skipped), and refusing to take over a live daemon's socket.
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

struct fixture {
	char dir[64];
	char path[128];
	struct loop *loop;
	struct ctlsock *cs;
	int fd;
	char buf[1 << 16];
	size_t len;
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

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/test_ctlsock.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/sub/agentd.sock", f->dir);
	assert_int_equal(loop_new(&f->loop), 0);
	assert_int_equal(open_registered(&f->cs, f->loop, f->path, f), 0);
	f->fd = ctlsock_connect(f->path);
	assert_true(f->fd >= 0);
	fcntl(f->fd, F_SETFL, O_NONBLOCK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char sub[160];

	close(f->fd);
	ctlsock_close(f->cs);
	loop_free(f->loop);
	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	rmdir(sub);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void send_str(struct fixture *f, const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = write(f->fd, s + off, len - off);

		if (n < 0) {
			assert_int_equal(errno, EAGAIN);
			loop_run_once(f->loop, 10);
			continue;
		}
		off += (size_t)n;
	}
}

/* The next answer line, turning the loop until it comes (NULL: closed). */
static json_t *next_line(struct fixture *f)
{
	int rounds;

	for (rounds = 0; rounds < 10000; rounds++) {
		char *nl = memchr(f->buf, '\n', f->len);
		ssize_t n;

		if (nl) {
			json_t *o;

			*nl = '\0';
			o = json_loads(f->buf, 0, NULL);
			assert_non_null(o);
			f->len -= (size_t)(nl + 1 - f->buf);
			memmove(f->buf, nl + 1, f->len);
			return o;
		}
		n = read(f->fd, f->buf + f->len, sizeof(f->buf) - f->len);
		if (n == 0)
			return NULL;
		if (n > 0) {
			f->len += (size_t)n;
			continue;
		}
		assert_int_equal(errno, EAGAIN);
		assert_int_equal(loop_run_once(f->loop, 10), 0);
	}
	fail_msg("no answer");
	return NULL;
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's server: unix stream, JSON lines, non-blocking, on the
 * loop. Clients and their requests; what subscribers are sent is
 * ctlsock_events.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "ctlsock_int.h"
#include "log.h"
#include "loop.h"

/* Output is refilled from a stream while less than this is queued. */
#define CTL_OUT_LOW 65536

static void client_free(struct ctl_client *cl)
{
	struct ctlsock *s = cl->srv;
	struct ctl_client **pp;

	for (pp = &s->clients; *pp; pp = &(*pp)->next) {
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	}
	s->nclients--;
	ctlsock_events_unsubscribe(cl);
	loop_io_del(s->loop, &cl->io);
	close(cl->io.fd);
	if (cl->streaming && cl->stream.free)
		cl->stream.free(cl->stream.state);
	free(cl->in);
	free(cl->out);
	free(cl);
}

int ctlsock_out_line(struct ctl_client *cl, const char *s, size_t len,
		     size_t limit)
{
	size_t pending = cl->out_len - cl->out_off, need;

	if (pending > limit || len + 1 > limit - pending)
		return -ENOBUFS;
	/*
	 * What was written makes room first: a follower's queue may never
	 * be written out completely while events keep coming.
	 */
	if (cl->out_off && cl->out_len + len + 1 > cl->out_size) {
		memmove(cl->out, cl->out + cl->out_off, pending);
		cl->out_off = 0;
		cl->out_len = pending;
	}
	need = cl->out_len + len + 1;
	if (need > cl->out_size) {
		size_t size = need <= limit / 2 ? need * 2 : limit;
		char *n = realloc(cl->out, size);

		if (!n)
			return -ENOMEM;
		cl->out = n;
		cl->out_size = size;
	}
	memcpy(cl->out + cl->out_len, s, len);
	cl->out[cl->out_len + len] = '\n';
	cl->out_len += len + 1;
	return 0;
}

int ctlsock_out_put(struct ctl_client *cl, json_t *obj)
{
	char *s = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	int ret;

	json_decref(obj);
	if (!s)
		return -ENOMEM;
	/* An answer is as long as it is: it is held back, never cut. */
	ret = ctlsock_out_line(cl, s, strlen(s), SIZE_MAX);
	free(s);
	return ret;
}

void ctlsock_put_error(struct ctl_client *cl, const char *msg)
{
	ctlsock_out_put(cl, json_pack("{s:s, s:s}", "status", "error", "error",
				      msg));
}

/* Move stream items into the output buffer until it has enough. */
static void stream_fill(struct ctl_client *cl)
{
	while (cl->streaming && cl->out_len - cl->out_off < CTL_OUT_LOW) {
		json_t *item = cl->stream.next(cl->stream.state);

		if (!item) {
			if (cl->stream.free)
				cl->stream.free(cl->stream.state);
			cl->streaming = false;
			ctlsock_out_put(cl, json_pack("{s:s, s:I}", "status",
						      "ok", "count",
						      (json_int_t)cl->count));
			break;
		}
		cl->count++;
		if (ctlsock_out_put(cl, item)) {
			cl->closing = true;
			break;
		}
	}
}

static const struct ctlsock_command *find_command(const struct ctlsock *s,
						 const char *name, void **data)
{
	const struct ctlsock_command *c;
	size_t i;

	for (i = 0; i < s->ntables; i++) {
		for (c = s->tables[i].cmds; c->name; c++) {
			if (!strcmp(c->name, name)) {
				*data = s->tables[i].data;
				return c;
			}
		}
	}
	return NULL;
}

int ctlsock_register(struct ctlsock *s, const struct ctlsock_command *table,
		     void *data)
{
	const struct ctlsock_command *c;
	struct ctl_table *t;
	void *unused;

	for (c = table; c->name; c++)
		if (!strcmp(c->name, CTLSOCK_EVENTS_COMMAND) ||
		    find_command(s, c->name, &unused))
			return -EEXIST;
	t = realloc(s->tables, (s->ntables + 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	t[s->ntables].cmds = table;
	t[s->ntables].data = data;
	s->tables = t;
	s->ntables++;
	return 0;
}

static void handle_line(struct ctl_client *cl, char *line)
{
	const struct ctlsock_command *c;
	char unknown[768];
	void *data;
	struct ctlsock *s = cl->srv;
	struct ctlsock_stream st = { 0 };
	const char *err = NULL, *cmd;
	json_error_t jerr;
	json_t *req, *res;

	req = json_loads(line, 0, &jerr);
	if (!req || !json_is_object(req)) {
		json_decref(req);
		ctlsock_put_error(cl, "request is not a JSON object");
		return;
	}
	cmd = json_string_value(json_object_get(req, "command"));
	if (!cmd) {
		json_decref(req);
		ctlsock_put_error(cl, "request has no \"command\"");
		return;
	}
	log_debug(LOG_CTL, "command \"%s\"", cmd);
	/* The socket's own: it changes the connection, not a subsystem. */
	if (!strcmp(cmd, CTLSOCK_EVENTS_COMMAND)) {
		ctlsock_events_subscribe(cl, req);
		json_decref(req);
		return;
	}
	c = find_command(s, cmd, &data);
	if (!c) {
		snprintf(unknown, sizeof(unknown), "unknown command \"%s\"",
			 cmd);
		json_decref(req);
		ctlsock_put_error(cl, unknown);
		return;
	}
	res = c->handler(data, cmd, req, &st, &err);
	json_decref(req);
	if (res) {
		ctlsock_out_put(cl, json_pack("{s:s, s:o}", "status", "ok",
					      "result", res));
	} else if (st.next) {
		cl->stream = st;
		cl->streaming = true;
		cl->count = 0;
		stream_fill(cl);
	} else {
		ctlsock_put_error(cl, err ?: "failed");
	}
}

static void client_write(struct ctl_client *cl)
{
	while (cl->out_off < cl->out_len) {
		ssize_t n = write(cl->io.fd, cl->out + cl->out_off,
				  cl->out_len - cl->out_off);

		if (n < 0) {
			if (errno == EAGAIN)
				break;
			cl->closing = true;
			cl->out_off = cl->out_len = 0;
			return;
		}
		cl->out_off += (size_t)n;
		if (cl->out_off == cl->out_len) {
			cl->out_off = cl->out_len = 0;
			stream_fill(cl);
			ctlsock_events_drained(cl);
		}
	}
}

/*
 * Answer the complete lines received, one request at a time: the next one
 * only once the previous answer is written out, so that a client sending
 * requests without reading the answers makes us hold one answer, not one
 * per request it managed to send.
 */
static void process_input(struct ctl_client *cl)
{
	char *nl;

	while (!cl->streaming && !cl->subscribed && !cl->closing &&
	       cl->out_len == cl->out_off &&
	       (nl = memchr(cl->in, '\n', cl->in_len))) {
		*nl = '\0';
		if (!cl->skipping)
			handle_line(cl, cl->in);
		cl->skipping = false;
		cl->in_len -= (size_t)(nl + 1 - cl->in);
		memmove(cl->in, nl + 1, cl->in_len);
	}
	/* A follower's requests are over: what it sends now is dropped. */
	if (cl->subscribed) {
		cl->in_len = 0;
		return;
	}
	/*
	 * Refuse an endless line once, then drop it up to its newline. A full
	 * buffer of complete lines waiting for their turn is not one.
	 */
	if (cl->in_len == CTLSOCK_LINE_MAX &&
	    !memchr(cl->in, '\n', cl->in_len)) {
		if (!cl->skipping)
			ctlsock_put_error(cl, "request line too long");
		cl->skipping = true;
		cl->in_len = 0;
	}
}

static void client_cb(struct loop_io *io, uint32_t events)
{
	struct ctl_client *cl = io->data;

	if (events & EPOLLIN) {
		ssize_t n = read(io->fd, cl->in + cl->in_len,
				 CTLSOCK_LINE_MAX - cl->in_len);

		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			client_free(cl);
			return;
		}
		if (n > 0)
			cl->in_len += (size_t)n;
	} else if (events & (EPOLLHUP | EPOLLERR)) {
		client_free(cl);
		return;
	}
	for (;;) {
		process_input(cl);
		client_write(cl);
		/* Written out and more requests queued: answer them too. */
		if (cl->streaming || cl->closing || cl->out_len ||
		    !memchr(cl->in, '\n', cl->in_len))
			break;
	}
	if (cl->closing && cl->out_len == cl->out_off) {
		client_free(cl);
		return;
	}
	/* Wait for room to write while output is pending; else for input. */
	loop_io_mod(cl->srv->loop, &cl->io,
		    cl->out_len > cl->out_off || cl->streaming ? EPOLLOUT :
								 EPOLLIN);
}

static void accept_cb(struct loop_io *io, uint32_t events)
{
	struct ctlsock *s = io->data;
	struct ctl_client *cl;
	int fd;

	(void)events;
	for (;;) {
		fd = accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_ratelimited(LOG_WARNING,
						"control socket: accept: %s",
						strerror(errno));
			return;
		}
		if (s->nclients >= CTLSOCK_MAX_CLIENTS) {
			log_ratelimited(LOG_WARNING,
					"control socket: too many clients");
			close(fd);
			continue;
		}
		cl = calloc(1, sizeof(*cl));
		if (cl)
			cl->in = malloc(CTLSOCK_LINE_MAX);
		if (!cl || !cl->in ||
		    loop_io_add(s->loop, &cl->io, fd, EPOLLIN, client_cb, cl)) {
			if (cl)
				free(cl->in);
			free(cl);
			close(fd);
			continue;
		}
		cl->srv = s;
		cl->next = s->clients;
		s->clients = cl;
		s->nclients++;
		log_debug(LOG_CTL, "client connected");
	}
}

static int mkdir_parent(const char *path)
{
	char *dup = strdup(path), *dir;
	int ret = 0;

	if (!dup)
		return -ENOMEM;
	dir = dirname(dup);
	if (mkdir(dir, 0755) && errno != EEXIST)
		ret = -errno;
	free(dup);
	return ret;
}

int ctlsock_open(struct ctlsock **cp, struct loop *l, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctlsock *s;
	mode_t old_umask;
	int fd, ret;

	*cp = NULL;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	ret = mkdir_parent(path);
	if (ret)
		return ret;
	/* A live daemon answers on it: do not steal its socket. */
	fd = ctlsock_connect(path);
	if (fd >= 0) {
		close(fd);
		return -EADDRINUSE;
	}
	unlink(path);
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->path = strdup(path);
	if (!s->path) {
		ret = -ENOMEM;
		goto err_free;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		goto err_free;
	}
	/*
	 * The socket file gets its final mode, 0660, when bind() creates
	 * it: with chmod() afterwards there would be a window in which
	 * anyone the daemon's umask let in could connect and keep the
	 * connection. The daemon has one thread: nothing else creates
	 * files while the umask is changed.
	 */
	old_umask = umask(0117);
	ret = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old_umask);
	if (ret) {
		ret = -errno;
		goto err_close;
	}
	if (listen(fd, 16)) {
		ret = -errno;
		goto err_unlink;
	}
	s->loop = l;
	ret = loop_io_add(l, &s->io, fd, EPOLLIN, accept_cb, s);
	if (ret)
		goto err_unlink;
	*cp = s;
	return 0;

err_unlink:
	unlink(path);
err_close:
	close(fd);
err_free:
	free(s->path);
	free(s);
	return ret;
}

void ctlsock_close(struct ctlsock *s)
{
	if (!s)
		return;
	while (s->clients)
		client_free(s->clients);
	loop_io_del(s->loop, &s->io);
	close(s->io.fd);
	unlink(s->path);
	free(s->path);
	free(s->tables);
	free(s);
}

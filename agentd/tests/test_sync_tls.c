// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of sync_tls: a real TLS server and client in this process, on
 * 127.0.0.1 and one real loop. The server listens on an ephemeral port; its
 * listener hands each accepted socket to sync_tls_accept() (or keeps it raw,
 * for a peer that does not speak TLS).
 *
 * The happy paths: handshake, the peer's SPI, the suite and an (EC)DHE
 * group (forward secrecy), data both ways, 1 MB through a small socket
 * buffer (the output queue's high-water mark refuses, drained lets the
 * sender go on, frames straddling records are handed again until consumed),
 * two keys on the server (rollover) and a reload that keeps the connection
 * up. The attacks and failures: a wrong key and an unknown SPI (both sides
 * see an authentication failure and nothing is delivered), a TCP server
 * that says nothing (handshake timeout, both sides), a reset and a refused
 * connect, a peer closing mid-stream, garbage instead of a ClientHello, a
 * frame larger than the input buffer, a server presenting a certificate
 * instead of using the PSK. Each connection is freed from inside its own
 * callbacks (down always; up and recv in their test), so ASan sees any use
 * after free. OpenSSL's own s_client and s_server, when installed, check
 * that an independent implementation agrees with us.
 *
 * SIGPIPE stays at its default: a write of the module's to a socket the
 * peer closed would kill the test (the module sends with MSG_NOSIGNAL).
 * After every test, OpenSSL's error queue must be empty and no fd may be
 * left open.
 *
 * Nothing depends on how fast the machine is: waits for a condition end
 * at a deadline only a hang reaches; the only times compared are lower
 * bounds (a timeout does not fire early).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <openssl/err.h>

#include "loop.h"
#include "sync_tls.h"

/* Only a hang gets there. */
#define DEADLINE_MS 30000
#define TICK_MS	    20
/* Happy paths: a handshake never times out on a loaded machine. */
#define LONG_HS_MS  60000
#define OPENSSL_BIN "/usr/bin/openssl"

#define SPI_A 0x1000 /* "mipha-ha-spi-4096" */
#define SPI_B 0x1001

static const uint8_t key_a[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
	0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};
/* key_a with one bit flipped. */
static const uint8_t key_a2[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
	0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1e,
};
static uint8_t key_b[SYNC_TLS_KEY_MAX]; /* 64 bytes, filled in main() */

/* One end of a connection, as its owner sees it. */
struct side {
	const char *name;
	struct sync_tls_conn *c;
	unsigned int ups, downs, recvs, drains;
	bool spi_known_at_up;
	uint32_t spi_at_up;
	char group[32]; /* the (EC)DHE group, at up */
	struct sync_tls_close why;
	char detail[256];
	struct sync_tls_stats last_stats; /* at down */
	/* Received and consumed, in order. */
	uint8_t *rx;
	size_t rx_len, rx_cap;
	size_t frame;	    /* consume whole frames of this size; 0: all */
	size_t max_offered; /* largest len handed to recv */
	bool consume_none;  /* recv consumes nothing */
	bool free_in_up, free_in_recv;
	/* Bulk sending (pump()). */
	size_t tx_total, tx_done;
	unsigned int refused; /* sends that returned -ENOBUFS */
};

struct env {
	struct loop *loop;
	struct sync_tls_ctx *sctx, *cctx;
	int lfd;
	struct loop_io lio;
	struct sockaddr_in addr; /* the listener */
	bool raw;		 /* keep accepted sockets raw */
	int raw_fds[4];
	unsigned int n_raw;
	bool reset_raw;	  /* close raw sockets at once with an RST */
	int small_rcvbuf; /* SO_RCVBUF of accepted sockets; 0: leave */
	struct sync_tls_conn_cfg scfg, ccfg;
	struct side srv, cli;
	unsigned int n_fds; /* open at setup */
};

static struct sync_tls_ops ops;

static unsigned int count_fds(void)
{
	struct dirent *d;
	unsigned int n = 0;
	DIR *dir = opendir("/proc/self/fd");

	if (!dir)
		return 0;
	while ((d = readdir(dir)))
		n += d->d_name[0] != '.';
	closedir(dir);
	return n;
}

/* ---- the owner's callbacks ---------------------------------------------- */

static void cb_up(struct sync_tls_conn *c, void *data)
{
	struct side *s = data;

	assert_ptr_equal(c, s->c);
	s->ups++;
	s->spi_known_at_up = sync_tls_conn_peer_spi(c, &s->spi_at_up);
	assert_non_null(sync_tls_conn_group(c));
	snprintf(s->group, sizeof(s->group), "%s", sync_tls_conn_group(c));
	if (s->free_in_up) {
		sync_tls_conn_free(c);
		s->c = NULL;
	}
}

static void rx_append(struct side *s, const uint8_t *buf, size_t n)
{
	if (s->rx_len + n > s->rx_cap) {
		s->rx_cap = (s->rx_len + n) * 2;
		s->rx = realloc(s->rx, s->rx_cap);
		assert_non_null(s->rx);
	}
	memcpy(s->rx + s->rx_len, buf, n);
	s->rx_len += n;
}

static size_t cb_recv(struct sync_tls_conn *c, const uint8_t *buf, size_t len,
		      void *data)
{
	struct side *s = data;
	size_t n;

	assert_ptr_equal(c, s->c);
	assert_true(len > 0);
	s->recvs++;
	if (len > s->max_offered)
		s->max_offered = len;
	if (s->consume_none)
		return 0;
	n = s->frame ? len - len % s->frame : len;
	rx_append(s, buf, n);
	if (s->free_in_recv) {
		sync_tls_conn_free(c);
		s->c = NULL;
	}
	return n;
}

static void pump(struct side *s);

static void cb_drained(struct sync_tls_conn *c, void *data)
{
	struct side *s = data;

	assert_ptr_equal(c, s->c);
	s->drains++;
	pump(s);
}

/* The owner's rule: free it in down. */
static void cb_down(struct sync_tls_conn *c, const struct sync_tls_close *why,
		    void *data)
{
	struct side *s = data;

	assert_ptr_equal(c, s->c);
	s->downs++;
	s->why = *why;
	snprintf(s->detail, sizeof(s->detail), "%s", why->detail);
	s->why.detail = s->detail;
	s->last_stats = *sync_tls_conn_stats(c);
	assert_int_equal(sync_tls_conn_state(c), SYNC_TLS_CLOSED);
	assert_int_equal(sync_tls_conn_fd(c), -1);
	assert_int_equal(sync_tls_send(c, "x", 1), -EPIPE);
	sync_tls_conn_free(c);
	s->c = NULL;
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)((i * 7 + i / 251) % 256);
}

/* Send the bulk pattern in 7000-byte messages until refused or done. */
static void pump(struct side *s)
{
	uint8_t msg[7000];

	while (s->c && s->tx_done < s->tx_total) {
		size_t n = s->tx_total - s->tx_done, i;
		int ret;

		if (n > sizeof(msg))
			n = sizeof(msg);
		for (i = 0; i < n; i++)
			msg[i] = pattern(s->tx_done + i);
		ret = sync_tls_send(s->c, msg, n);
		if (ret == -ENOBUFS) {
			s->refused++;
			return;
		}
		assert_int_equal(ret, 0);
		s->tx_done += n;
	}
}

/* ---- OpenSSL's own tools ------------------------------------------------ */

struct child {
	pid_t pid;   /* 0: none */
	int in, out; /* its stdin (ours to write), its stdout (to read) */
	char text[65536];
	size_t len;
	struct loop_io io;
};

static void child_read(struct loop_io *io, uint32_t events)
{
	struct child *ch = io->data;
	ssize_t n;

	(void)events;
	n = read(ch->out, ch->text + ch->len, sizeof(ch->text) - 1 - ch->len);
	if (n > 0) {
		ch->len += (size_t)n;
		ch->text[ch->len] = '\0';
	}
}

static void child_spawn(struct env *e, struct child *ch, char *const argv[])
{
	posix_spawn_file_actions_t fa;
	int in[2], out[2];
	extern char **environ;

	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, out[1], 2);
	assert_int_equal(
		posix_spawn(&ch->pid, argv[0], &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	ch->in = in[1];
	ch->out = out[0];
	ch->len = 0;
	ch->text[0] = '\0';
	assert_int_equal(fcntl(ch->out, F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(loop_io_add(e->loop, &ch->io, ch->out, EPOLLIN,
				     child_read, ch),
			 0);
}

static struct child the_child;
/* The running one, for the tests' conditions and for teardown. */
static struct child *s_child;

/* What a failed test left: kill, reap. */
static void child_kill(struct child *ch)
{
	if (!ch->pid)
		return;
	kill(ch->pid, SIGKILL);
	waitpid(ch->pid, NULL, 0);
	ch->pid = 0;
}

/* Waits for its exit (after closing its stdin); its status. */
static int child_end(struct env *e, struct child *ch, bool kill_it)
{
	int status = -1;

	if (ch->in >= 0)
		close(ch->in);
	ch->in = -1;
	if (kill_it)
		kill(ch->pid, SIGTERM);
	loop_io_del(e->loop, &ch->io);
	close(ch->out);
	assert_int_equal(waitpid(ch->pid, &status, 0), ch->pid);
	ch->pid = 0;
	return status;
}

static void hex(char *buf, const uint8_t *key, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		sprintf(buf + 2 * i, "%02x", key[i]);
}

/* ---- the harness -------------------------------------------------------- */

static void on_accept(struct loop_io *io, uint32_t events)
{
	struct env *e = io->data;
	int fd;

	(void)events;
	fd = accept4(e->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (e->small_rcvbuf)
		assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUF,
					    &e->small_rcvbuf,
					    sizeof(e->small_rcvbuf)),
				 0);
	if (e->raw) {
		if (e->reset_raw) {
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };

			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
			close(fd);
			return;
		}
		assert_true(e->n_raw < 4);
		e->raw_fds[e->n_raw++] = fd;
		return;
	}
	/* One server connection at a time in these tests. */
	assert_null(e->srv.c);
	assert_int_equal(
		sync_tls_accept(&e->srv.c, e->sctx, e->loop, fd, &e->scfg), 0);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	socklen_t len = sizeof(e->addr);

	if (!e)
		return -1;
	e->n_fds = count_fds();
	if (loop_new(&e->loop))
		return -1;
	e->addr.sin_family = AF_INET;
	e->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	e->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (e->lfd < 0 ||
	    bind(e->lfd, (struct sockaddr *)&e->addr, sizeof(e->addr)) ||
	    listen(e->lfd, 8) ||
	    getsockname(e->lfd, (struct sockaddr *)&e->addr, &len) ||
	    loop_io_add(e->loop, &e->lio, e->lfd, EPOLLIN, on_accept, e))
		return -1;
	e->srv.name = "server";
	e->cli.name = "client";
	e->scfg = (struct sync_tls_conn_cfg){
		.ops = &ops,
		.data = &e->srv,
		.handshake_timeout_ms = LONG_HS_MS,
	};
	e->ccfg = e->scfg;
	e->ccfg.data = &e->cli;
	*state = e;
	return 0;
}

/* Frees what a test left; fails if OpenSSL's error queue is not empty or
 * an fd stayed open. */
static int teardown(void **state)
{
	struct env *e = *state;
	bool errors_left = ERR_peek_error() != 0;
	unsigned int i;
	int ret = 0;

	ERR_clear_error();
	if (s_child)
		child_kill(s_child);
	s_child = NULL;
	sync_tls_conn_free(e->srv.c);
	sync_tls_conn_free(e->cli.c);
	sync_tls_ctx_free(e->sctx);
	sync_tls_ctx_free(e->cctx);
	for (i = 0; i < e->n_raw; i++)
		close(e->raw_fds[i]);
	loop_io_del(e->loop, &e->lio);
	close(e->lfd);
	loop_free(e->loop);
	free(e->srv.rx);
	free(e->cli.rx);
	if (errors_left) {
		fprintf(stderr, "OpenSSL's error queue was left non-empty\n");
		ret = -1;
	}
	if (count_fds() != e->n_fds) {
		fprintf(stderr, "%u fds open, %u at setup\n", count_fds(),
			e->n_fds);
		ret = -1;
	}
	free(e);
	return ret;
}

static void ctxs(struct env *e, const struct sync_tls_key *skeys, size_t ns,
		 const struct sync_tls_key *ckeys, size_t nc)
{
	assert_int_equal(sync_tls_ctx_new(&e->sctx, skeys, ns), 0);
	assert_int_equal(sync_tls_ctx_new(&e->cctx, ckeys, nc), 0);
}

static void connect_client(struct env *e, uint32_t spi)
{
	assert_null(e->cli.c);
	assert_int_equal(sync_tls_connect(&e->cli.c, e->cctx, e->loop, spi,
					  &e->addr, NULL, &e->ccfg),
			 0);
	assert_non_null(e->cli.c);
	assert_true(sync_tls_conn_is_client(e->cli.c));
	assert_int_equal(sync_tls_send(e->cli.c, "x", 1), -ENOTCONN);
}

static const char *s_child_text(void);

typedef bool (*cond_fn)(struct env *e);

static void run_until(struct env *e, cond_fn done)
{
	uint64_t t0 = loop_now_ms();

	while (!done(e)) {
		if (loop_now_ms() - t0 >= DEADLINE_MS && s_child)
			fprintf(stderr, "child said: %s\n", s_child_text());
		assert_true(loop_now_ms() - t0 < DEADLINE_MS);
		assert_int_equal(loop_run_once(e->loop, TICK_MS), 0);
	}
}

static size_t want_srv_rx, want_cli_rx;

static bool rx_reached(struct env *e)
{
	return e->srv.rx_len >= want_srv_rx && e->cli.rx_len >= want_cli_rx;
}

/* Until the server and the client consumed this much. */
static void wait_rx(struct env *e, size_t srv, size_t cli)
{
	want_srv_rx = srv;
	want_cli_rx = cli;
	run_until(e, rx_reached);
}

/* A few more rounds, for what must not happen. */
static void run_rounds(struct env *e, unsigned int n)
{
	while (n--)
		assert_int_equal(loop_run_once(e->loop, TICK_MS), 0);
}

static bool both_up(struct env *e)
{
	return e->srv.ups && e->cli.ups;
}

static bool both_down(struct env *e)
{
	return e->srv.downs && e->cli.downs;
}

static bool cli_up(struct env *e)
{
	return e->cli.ups;
}

static bool srv_up(struct env *e)
{
	return e->srv.ups;
}

static bool srv_down(struct env *e)
{
	return e->srv.downs;
}

static bool cli_down(struct env *e)
{
	return e->cli.downs;
}

static void expect_auth_failure(const struct side *s, enum sync_tls_auth auth)
{
	if (s->why.reason != SYNC_TLS_AUTH || s->why.auth != auth)
		fail_msg("%s: %s / %s (%s), expected authentication failure "
			 "/ %s",
			 s->name, sync_tls_reason_name(s->why.reason),
			 sync_tls_auth_name(s->why.auth), s->detail,
			 sync_tls_auth_name(auth));
	assert_true(s->why.in_handshake);
	assert_int_equal(s->ups, 0);
	assert_int_equal(s->recvs, 0);
	assert_int_equal(s->last_stats.hs_auth_failures, 1);
	assert_int_equal(s->last_stats.handshakes, 0);
	assert_int_equal(s->last_stats.bytes_in, 0);
}

/*
 * The alert of a binder that does not verify: OpenSSL 3 sends
 * illegal_parameter (47); RFC 8446 6.2 names decrypt_error (51), which a
 * later OpenSSL may switch to. Either way the same for a wrong key and an
 * unknown SPI.
 */
static void expect_binder_alert(const struct side *s, bool received)
{
	if (s->why.alert != 47 && s->why.alert != 51)
		fail_msg("%s: alert %u (%s)", s->name, s->why.alert, s->detail);
	assert_int_equal(s->why.alert_received, received);
}

static void expect_reason(const struct side *s, enum sync_tls_reason r)
{
	if (s->why.reason != r)
		fail_msg("%s: closed with %s (%s), expected %s", s->name,
			 sync_tls_reason_name(s->why.reason), s->detail,
			 sync_tls_reason_name(r));
}

/* ---- identity and keys -------------------------------------------------- */

static void test_identity(void **state)
{
	char buf[SYNC_TLS_IDENTITY_MAX];
	uint32_t spi;

	(void)state;
	assert_int_equal(sync_tls_identity(4096, buf, sizeof(buf)), 17);
	assert_string_equal(buf, "mipha-ha-spi-4096");
	assert_int_equal(sync_tls_identity(UINT32_MAX, buf, sizeof(buf)),
			 sizeof(buf) - 1);
	assert_string_equal(buf, "mipha-ha-spi-4294967295");
#define PARSE(s) sync_tls_identity_parse((const uint8_t *)(s), strlen(s), &spi)
	assert_true(PARSE("mipha-ha-spi-4096"));
	assert_int_equal(spi, 4096);
	assert_true(PARSE("mipha-ha-spi-4294967295"));
	assert_int_equal(spi, UINT32_MAX);
	assert_true(PARSE("mipha-ha-spi-0"));
	assert_int_equal(spi, 0);
	/* One spelling per SPI, nothing around it. */
	assert_false(PARSE("mipha-ha-spi-04096"));
	assert_false(PARSE("mipha-ha-spi-4294967296"));
	assert_false(PARSE("mipha-ha-spi-99999999999"));
	assert_false(PARSE("mipha-ha-spi-"));
	assert_false(PARSE("mipha-ha-spi-+1"));
	assert_false(PARSE("mipha-ha-spi-0x100"));
	assert_false(PARSE("mipha-ha-spi-4096 "));
	assert_false(PARSE("Mipha-ha-spi-4096"));
	assert_false(PARSE("4096"));
	assert_false(
		sync_tls_identity_parse((const uint8_t *)"mipha-ha-spi-40\0"
							 "96",
					19, &spi));
#undef PARSE
}

static void test_keys_invalid(void **state)
{
	struct env *e = *state;
	struct sync_tls_ctx *ctx = NULL;
	struct sync_tls_key k[2] = {
		{ SPI_A, key_a, sizeof(key_a) },
		{ SPI_B, key_b, sizeof(key_b) },
	};

	k[0].key_len = SYNC_TLS_KEY_MIN - 1;
	assert_int_equal(sync_tls_ctx_new(&ctx, k, 2), -EINVAL);
	assert_null(ctx);
	k[0].key_len = sizeof(key_a);
	k[1].key_len = SYNC_TLS_KEY_MAX + 1;
	assert_int_equal(sync_tls_ctx_new(&ctx, k, 2), -EINVAL);
	k[1].key_len = sizeof(key_b);
	k[1].spi = SPI_A; /* one key per SPI */
	assert_int_equal(sync_tls_ctx_new(&ctx, k, 2), -EINVAL);
	k[1].spi = SPI_B;
	k[0].key_len = SYNC_TLS_KEY_MIN; /* both ends of the range */
	assert_int_equal(sync_tls_ctx_new(&ctx, k, 2), 0);
	/* A failed replacement keeps the old keys. */
	k[1].spi = SPI_A;
	assert_int_equal(sync_tls_ctx_set_keys(ctx, k, 2), -EINVAL);
	e->cctx = ctx;
	assert_int_equal(sync_tls_connect(&e->cli.c, ctx, e->loop, 0x2000,
					  &e->addr, NULL, &e->ccfg),
			 -ENOKEY);
	assert_null(e->cli.c);
	connect_client(e, SPI_B); /* still there */
	sync_tls_conn_free(e->cli.c);
	e->cli.c = NULL;
}

/* ---- the happy path ----------------------------------------------------- */

static void test_handshake_and_data(void **state)
{
	struct env *e = *state;
	const struct sync_tls_key k = { SPI_A, key_a, sizeof(key_a) };
	const struct sync_tls_stats *st;
	uint32_t spi;

	ctxs(e, &k, 1, &k, 1);
	connect_client(e, SPI_A);
	run_until(e, both_up);
	/* The server learns the SPI from the identity, before up. */
	assert_true(e->srv.spi_known_at_up);
	assert_int_equal(e->srv.spi_at_up, SPI_A);
	assert_true(e->cli.spi_known_at_up);
	assert_int_equal(e->cli.spi_at_up, SPI_A);
	assert_true(sync_tls_conn_peer_spi(e->srv.c, &spi));
	assert_int_equal(spi, SPI_A);
	assert_false(sync_tls_conn_is_client(e->srv.c));
	assert_string_equal(sync_tls_conn_cipher(e->srv.c),
			    "TLS_AES_128_GCM_SHA256");
	assert_string_equal(sync_tls_conn_cipher(e->cli.c),
			    "TLS_AES_128_GCM_SHA256");
	/* psk_dhe_ke: an ephemeral group was negotiated. */
	assert_string_equal(e->cli.group, "x25519");
	assert_string_equal(e->srv.group, "x25519");
	assert_string_equal(sync_tls_conn_group(e->cli.c), "x25519");

	assert_int_equal(sync_tls_send(e->cli.c, "hello ", 6), 0);
	assert_int_equal(sync_tls_send(e->cli.c, "server", 6), 0);
	assert_int_equal(sync_tls_send(e->srv.c, "hello client", 12), 0);
	assert_int_equal(sync_tls_send(e->srv.c, NULL, 0), 0);
	wait_rx(e, 12, 12);
	assert_memory_equal(e->srv.rx, "hello server", 12);
	assert_memory_equal(e->cli.rx, "hello client", 12);
	assert_int_equal(e->srv.rx_len, 12);
	assert_int_equal(e->cli.rx_len, 12);

	st = sync_tls_conn_stats(e->cli.c);
	assert_int_equal(st->handshakes, 1);
	assert_int_equal(st->bytes_out, 12);
	assert_int_equal(st->bytes_in, 12);
	/* ClientHello, ChangeCipherSpec, Finished, 2 records of data. */
	assert_true(st->records_out >= 4);
	assert_true(st->records_in >= 3);
	assert_true(st->wire_out > st->bytes_out);
	st = sync_tls_ctx_stats(e->sctx);
	assert_int_equal(st->handshakes, 1);
	assert_int_equal(st->bytes_in, 12);
	assert_int_equal(st->hs_auth_failures + st->hs_other + st->hs_timeouts,
			 0);

	/* The client goes: the server sees its close_notify. */
	sync_tls_conn_free(e->cli.c);
	e->cli.c = NULL;
	run_until(e, srv_down);
	expect_reason(&e->srv, SYNC_TLS_PEER_CLOSED);
	assert_false(e->srv.why.in_handshake);
	assert_string_equal(e->srv.detail, "close_notify");
	assert_int_equal(e->srv.downs, 1);
}

static bool bulk_done(struct env *e)
{
	return e->srv.rx_len == e->cli.tx_total;
}

/*
 * About 1 MB one way through a small socket buffer: TLS must wait for the
 * socket (WANT_WRITE), the queue reaches its high-water mark and refuses,
 * drained lets the sender go on. The server consumes 3000-byte frames
 * only, which straddle the 16 KB records: the rest is handed again.
 */
static void test_bulk(void **state)
{
	struct env *e = *state;
	const struct sync_tls_key k = { SPI_A, key_a, sizeof(key_a) };
	const struct sync_tls_stats *st;
	int sndbuf = 8192;
	size_t i;

	ctxs(e, &k, 1, &k, 1);
	e->small_rcvbuf = 8192;
	e->ccfg.out_high = 64 * 1024;
	e->ccfg.out_low = 16 * 1024;
	e->srv.frame = 3000;
	e->cli.tx_total = 350 * 3000; /* 1 050 000 bytes */
	connect_client(e, SPI_A);
	assert_int_equal(setsockopt(sync_tls_conn_fd(e->cli.c), SOL_SOCKET,
				    SO_SNDBUF, &sndbuf, sizeof(sndbuf)),
			 0);
	run_until(e, both_up);
	pump(&e->cli);
	assert_true(e->cli.refused > 0);
	assert_true(sync_tls_conn_queued(e->cli.c) >= 64 * 1024);
	assert_int_equal(sync_tls_send(e->cli.c, "x", 1), -ENOBUFS);
	run_until(e, bulk_done);

	assert_int_equal(e->cli.tx_done, e->cli.tx_total);
	for (i = 0; i < e->srv.rx_len; i++) {
		if (e->srv.rx[i] != pattern(i))
			fail_msg("byte %zu: %u, expected %u", i, e->srv.rx[i],
				 pattern(i));
	}
	assert_true(e->cli.drains > 0);
	assert_true(e->cli.refused >= e->cli.drains);
	/* Frames were handed again with what followed. */
	assert_true(e->srv.max_offered > 3000);
	st = sync_tls_conn_stats(e->cli.c);
	assert_true(st->write_blocked > 0);
	assert_int_equal(st->bytes_out, e->cli.tx_total);
	assert_true(st->records_out >= e->cli.tx_total / 16384);
	assert_int_equal(sync_tls_conn_queued(e->cli.c), 0);
	assert_int_equal(sync_tls_conn_stats(e->srv.c)->bytes_in,
			 e->cli.tx_total);
	assert_int_equal(e->srv.downs + e->cli.downs, 0);
}

/* ---- authentication ----------------------------------------------------- */

static void test_wrong_key(void **state)
{
	struct env *e = *state;
	const struct sync_tls_key ks = { SPI_A, key_a, sizeof(key_a) };
	const struct sync_tls_key kc = { SPI_A, key_a2, sizeof(key_a2) };

	ctxs(e, &ks, 1, &kc, 1);
	connect_client(e, SPI_A);
	run_until(e, both_down);
	run_rounds(e, 5);
	/* The server's binder check failed, and it said so. */
	expect_auth_failure(&e->srv, SYNC_TLS_AUTH_BAD_KEY);
	expect_binder_alert(&e->srv, false);
	assert_non_null(strstr(e->srv.detail, "binder"));
	expect_auth_failure(&e->cli, SYNC_TLS_AUTH_PEER_ALERT);
	expect_binder_alert(&e->cli, true);
	assert_int_equal(sync_tls_ctx_stats(e->sctx)->hs_bad_key, 1);
	assert_int_equal(sync_tls_ctx_stats(e->cctx)->hs_peer_refused, 1);
	assert_int_equal(sync_tls_ctx_stats(e->sctx)->hs_auth_failures, 1);
	assert_int_equal(sync_tls_ctx_stats(e->cctx)->hs_auth_failures, 1);
	assert_int_equal(e->srv.downs + e->cli.downs, 2);
}

static void test_unknown_spi(void **state)
{
	struct env *e = *state;
	const struct sync_tls_key ks = { SPI_A, key_a, sizeof(key_a) };
	const struct sync_tls_key kc = { SPI_B, key_a, sizeof(key_a) };

	ctxs(e, &ks, 1, &kc, 1);
	connect_client(e, SPI_B);
	run_until(e, both_down);
	run_rounds(e, 5);
	expect_auth_failure(&e->srv, SYNC_TLS_AUTH_UNKNOWN_IDENTITY);
	assert_non_null(strstr(e->srv.detail, "\"mipha-ha-spi-4097\""));
	assert_int_equal(sync_tls_ctx_stats(e->sctx)->hs_unknown_identity, 1);
	/* The client cannot tell it from a wrong key: the same alert. */
	expect_binder_alert(&e->srv, false);
	expect_auth_failure(&e->cli, SYNC_TLS_AUTH_PEER_ALERT);
	expect_binder_alert(&e->cli, true);
}

static void reset_sides(struct env *e)
{
	free(e->srv.rx);
	free(e->cli.rx);
	memset(&e->srv, 0, sizeof(e->srv));
	memset(&e->cli, 0, sizeof(e->cli));
	e->srv.name = "server";
	e->cli.name = "client";
}

static void up_and_echo(struct env *e, uint32_t spi)
{
	reset_sides(e);
	connect_client(e, spi);
	run_until(e, both_up);
	assert_int_equal(e->srv.spi_at_up, spi);
	assert_int_equal(sync_tls_send(e->cli.c, "ping", 4), 0);
	wait_rx(e, 4, 0);
	assert_memory_equal(e->srv.rx, "ping", 4);
}

/*
 * Key rollover: the server holds the old and the new SA of a peer and
 * takes either. A reload that drops the old one refuses new handshakes
 * with it, and leaves the connection up on the new one running.
 */
static void test_rollover(void **state)
{
	struct env *e = *state;
	const struct sync_tls_key both[2] = {
		{ SPI_B, key_b, sizeof(key_b) },
		{ SPI_A, key_a, sizeof(key_a) },
	};

	ctxs(e, both, 2, both, 2);
	up_and_echo(e, SPI_A);
	sync_tls_conn_free(e->cli.c);
	e->cli.c = NULL;
	run_until(e, srv_down);

	up_and_echo(e, SPI_B);
	/* Reload: only the new SA, and the old key in the client's list is
	 * refused from now on. */
	assert_int_equal(sync_tls_ctx_set_keys(e->sctx, both, 1), 0);
	assert_int_equal(sync_tls_send(e->cli.c, "pong", 4), 0);
	wait_rx(e, 8, 0);
	assert_memory_equal(e->srv.rx + 4, "pong", 4);
	assert_int_equal(e->srv.downs + e->cli.downs, 0);
	sync_tls_conn_free(e->cli.c);
	e->cli.c = NULL;
	run_until(e, srv_down);

	reset_sides(e);
	connect_client(e, SPI_A);
	run_until(e, both_down);
	expect_auth_failure(&e->srv, SYNC_TLS_AUTH_UNKNOWN_IDENTITY);
	expect_auth_failure(&e->cli, SYNC_TLS_AUTH_PEER_ALERT);
	assert_int_equal(sync_tls_ctx_stats(e->sctx)->handshakes, 2);
}

/* ---- failures of the transport ------------------------------------------ */

static bool raw_accepted(struct env *e)
{
	return e->n_raw > 0;
}

/* Against a TCP server that accepts and says nothing, and a TCP client
 * that connects and says nothing: each side's own timeout. */
static void test_handshake_timeout(void **state)
{
	struct env *e = *state;
	const struct sync_tls_key k = { SPI_A, key_a, sizeof(key_a) };
	struct sockaddr_in a = e->addr;
	uint64_t t0;
	int fd;

	ctxs(e, &k, 1, &k, 1);
	e->raw = true;
	e->ccfg.handshake_timeout_ms = 300;
	t0 = loop_now_ms();
	connect_client(e, SPI_A);
	run_until(e, cli_down);
	assert_true(loop_now_ms() - t0 >= 300);
	assert_true(raw_accepted(e));
	expect_reason(&e->cli, SYNC_TLS_TIMEOUT);
	assert_true(e->cli.why.in_handshake);
	assert_int_equal(e->cli.ups + e->cli.recvs, 0);
	assert_int_equal(sync_tls_ctx_stats(e->cctx)->hs_timeouts, 1);

	/* The server side: a client that never sends its ClientHello. */
	e->raw = false;
	e->scfg.handshake_timeout_ms = 300;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	t0 = loop_now_ms();
	run_until(e, srv_down);
	assert_true(loop_now_ms() - t0 >= 300 - TICK_MS);
	expect_reason(&e->srv, SYNC_TLS_TIMEOUT);
	assert_int_equal(sync_tls_ctx_stats(e->sctx)->hs_timeouts, 1);
	close(fd);
}

static void test_reset_and_refused(void **state)
{
	struct env *e = *state;
	const struct sync_tls_key k = { SPI_A, key_a, sizeof(key_a) };
	struct sockaddr_in closed = e->addr;
	int fd;

	ctxs(e, &k, 1, &k, 1);
	/* Reset during the handshake. */
	e->raw = true;
	e->reset_raw = true;
	connect_client(e, SPI_A);
	run_until(e, cli_down);
	expect_reason(&e->cli, SYNC_TLS_IO_ERROR);
	if (e->cli.why.err != ECONNRESET && e->cli.why.err != EPIPE)
		fail_msg("err %d (%s)", e->cli.why.err, e->cli.detail);
	assert_true(e->cli.why.in_handshake);
	assert_int_equal(sync_tls_ctx_stats(e->cctx)->hs_other, 1);

	/* Refused: a port nobody listens on (bound, not listening). */
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	closed.sin_port = 0;
	assert_int_equal(bind(fd, (struct sockaddr *)&closed, sizeof(closed)),
			 0);
	{
		socklen_t len = sizeof(closed);

		assert_int_equal(
			getsockname(fd, (struct sockaddr *)&closed, &len), 0);
	}
	reset_sides(e);
	assert_int_equal(sync_tls_connect(&e->cli.c, e->cctx, e->loop, SPI_A,
					  &closed, NULL, &e->ccfg),
			 0);
	/* Never from inside the call: down comes from the loop. */
	assert_int_equal(e->cli.downs, 0);
	run_until(e, cli_down);
	expect_reason(&e->cli, SYNC_TLS_IO_ERROR);
	assert_int_equal(e->cli.why.err, ECONNREFUSED);
	assert_int_equal(sync_tls_ctx_stats(e->cctx)->hs_other, 2);
	close(fd);
}

/* A source address that is not ours. */
static void test_bind_local(void **state)
{
	struct env *e = *state;
	const struct sync_tls_key k = { SPI_A, key_a, sizeof(key_a) };
	struct sockaddr_in local = { .sin_family = AF_INET };
	struct sockaddr_in got;
	socklen_t len = sizeof(got);

	ctxs(e, &k, 1, &k, 1);
	local.sin_addr.s_addr = inet_addr("192.0.2.1");
	assert_int_equal(sync_tls_connect(&e->cli.c, e->cctx, e->loop, SPI_A,
					  &e->addr, &local, &e->ccfg),
			 -EADDRNOTAVAIL);
	assert_null(e->cli.c);
	local.sin_addr.s_addr = inet_addr("127.0.0.2");
	assert_int_equal(sync_tls_connect(&e->cli.c, e->cctx, e->loop, SPI_A,
					  &e->addr, &local, &e->ccfg),
			 0);
	assert_int_equal(getsockname(sync_tls_conn_fd(e->cli.c),
				     (struct sockaddr *)&got, &len),
			 0);
	assert_int_equal(got.sin_addr.s_addr, inet_addr("127.0.0.2"));
	run_until(e, both_up);
}

/* The peer goes in the middle of a frame: the half frame is never
 * consumed, and the close is "peer closed". */
static void test_peer_closes_midstream(void **state)
{
	struct env *e = *state;
	const struct sync_tls_key k = { SPI_A, key_a, sizeof(key_a) };
	uint8_t buf[150];

	ctxs(e, &k, 1, &k, 1);
	memset(buf, 'a', sizeof(buf));
	e->srv.frame = 100;
	connect_client(e, SPI_A);
	run_until(e, both_up);
	assert_int_equal(sync_tls_send(e->cli.c, buf, sizeof(buf)), 0);
	sync_tls_conn_free(e->cli.c);
	e->cli.c = NULL;
	run_until(e, srv_down);
	expect_reason(&e->srv, SYNC_TLS_PEER_CLOSED);
	assert_false(e->srv.why.in_handshake);
	assert_int_equal(e->srv.rx_len, 100);
	assert_int_equal(e->srv.max_offered, 150);
	assert_int_equal(sync_tls_ctx_stats(e->sctx)->hs_other, 0);
}

/* ---- freeing from callbacks --------------------------------------------- */

static void test_free_in_up(void **state)
{
	struct env *e = *state;
	const struct sync_tls_key k = { SPI_A, key_a, sizeof(key_a) };

	ctxs(e, &k, 1, &k, 1);
	e->cli.free_in_up = true;
	connect_client(e, SPI_A);
	run_until(e, srv_down);
	assert_int_equal(e->cli.ups, 1);
	assert_null(e->cli.c);
	assert_int_equal(e->cli.downs, 0); /* freeing never calls back */
	/* The client was up, so its close_notify went out. */
	expect_reason(&e->srv, SYNC_TLS_PEER_CLOSED);
	assert_string_equal(e->srv.detail, "close_notify");
}

static void test_free_in_recv(void **state)
{
	struct env *e = *state;
	const struct sync_tls_key k = { SPI_A, key_a, sizeof(key_a) };
	static uint8_t big[200000];

	ctxs(e, &k, 1, &k, 1);
	e->srv.free_in_recv = true;
	connect_client(e, SPI_A);
	run_until(e, both_up);
	/* More than one record is waiting when the server frees itself. */
	assert_int_equal(sync_tls_send(e->cli.c, big, sizeof(big)), 0);
	run_until(e, cli_down);
	assert_int_equal(e->srv.recvs, 1);
	assert_null(e->srv.c);
	assert_int_equal(e->srv.downs, 0);
	if (e->cli.why.reason != SYNC_TLS_PEER_CLOSED &&
	    e->cli.why.reason != SYNC_TLS_IO_ERROR)
		fail_msg("client: %s (%s)",
			 sync_tls_reason_name(e->cli.why.reason),
			 e->cli.detail);
}

/* ---- bad input ---------------------------------------------------------- */

static void test_garbage_client_hello(void **state)
{
	struct env *e = *state;
	const struct sync_tls_key k = { SPI_A, key_a, sizeof(key_a) };
	static const char junk[] = "GET / HTTP/1.0\r\n\r\n\x16\x03\x01\xff\xff";
	int fd;

	ctxs(e, &k, 1, &k, 1);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(
		connect(fd, (struct sockaddr *)&e->addr, sizeof(e->addr)), 0);
	assert_int_equal(write(fd, junk, sizeof(junk)), sizeof(junk));
	run_until(e, srv_down);
	expect_reason(&e->srv, SYNC_TLS_PROTOCOL);
	assert_true(e->srv.why.in_handshake);
	assert_int_equal(e->srv.ups + e->srv.recvs, 0);
	assert_int_equal(sync_tls_ctx_stats(e->sctx)->hs_other, 1);
	assert_int_equal(sync_tls_ctx_stats(e->sctx)->hs_auth_failures, 0);
	close(fd);

	/* A record header announcing more than TLS allows. */
	reset_sides(e);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(
		connect(fd, (struct sockaddr *)&e->addr, sizeof(e->addr)), 0);
	assert_int_equal(write(fd, "\x16\x03\x01\xff\xff", 5), 5);
	run_until(e, srv_down);
	expect_reason(&e->srv, SYNC_TLS_PROTOCOL);
	assert_int_equal(e->srv.ups + e->srv.recvs, 0);
	close(fd);
}

/* A frame larger than the input buffer ends the connection (whose
 * context the owner freed already). */
static void test_frame_too_large(void **state)
{
	struct env *e = *state;
	const struct sync_tls_key k = { SPI_A, key_a, sizeof(key_a) };
	static uint8_t big[10000];

	ctxs(e, &k, 1, &k, 1);
	e->scfg.in_max = 4096;
	e->srv.consume_none = true;
	connect_client(e, SPI_A);
	run_until(e, both_up);
	/* The owner may drop its contexts: connections keep theirs. */
	sync_tls_ctx_free(e->sctx);
	sync_tls_ctx_free(e->cctx);
	e->sctx = e->cctx = NULL;
	assert_int_equal(sync_tls_send(e->cli.c, big, sizeof(big)), 0);
	run_until(e, srv_down);
	expect_reason(&e->srv, SYNC_TLS_PROTOCOL);
	assert_false(e->srv.why.in_handshake);
	assert_int_equal(e->srv.max_offered, 4096);
}

static const char *s_child_text(void)
{
	return s_child->text;
}

static bool child_says_pong(struct env *e)
{
	(void)e;
	return strstr(s_child->text, "hello from mipha") != NULL;
}

static bool srv_got_hello(struct env *e)
{
	return e->srv.rx_len >= 20;
}

/*
 * openssl s_client against our server:
 *   openssl s_client -tls1_3 -psk <key hex> -psk_identity mipha-ha-spi-4096
 *	-connect 127.0.0.1:PORT -nocommands [-allow_no_dhe_kex]
 * It speaks first, we answer, it prints our answer; closing its stdin makes
 * it send close_notify and exit 0. It must report the PSK used ("Reused")
 * and an ephemeral key ("Server Temp Key"), also when it would allow a
 * plain psk_ke exchange: our server insists on (EC)DHE. With key_update,
 * its command "K" first sends a KeyUpdate that asks for ours: what we say
 * next it can read only if we updated our keys too.
 */
static uint64_t records_mark;

static bool srv_records_grew(struct env *e)
{
	return sync_tls_conn_stats(e->srv.c)->records_in > records_mark;
}

static void s_client_session(struct env *e, bool allow_no_dhe, bool key_update)
{
	char keyhex[2 * sizeof(key_a) + 1], connect[32];
	char *argv[16] = {
		OPENSSL_BIN, "s_client",      "-tls1_3",	   "-psk",
		keyhex,	     "-psk_identity", "mipha-ha-spi-4096", "-connect",
		connect
	};
	size_t argc = 9;
	struct child *ch = &the_child;
	int status;

	if (!key_update)
		argv[argc++] = "-nocommands";
	if (allow_no_dhe)
		argv[argc++] = "-allow_no_dhe_kex";
	reset_sides(e);
	hex(keyhex, key_a, sizeof(key_a));
	snprintf(connect, sizeof(connect), "127.0.0.1:%u",
		 ntohs(e->addr.sin_port));
	child_spawn(e, ch, argv);
	s_child = ch;
	if (key_update) {
		run_until(e, srv_up);
		records_mark = sync_tls_conn_stats(e->srv.c)->records_in;
		assert_int_equal(write(ch->in, "K\n", 2), 2);
		/* Its KeyUpdate came in and was taken (nothing to deliver). */
		run_until(e, srv_records_grew);
		assert_int_equal(e->srv.recvs, 0);
	}
	assert_int_equal(write(ch->in, "hello from s_client\n", 20), 20);
	run_until(e, srv_got_hello);
	assert_memory_equal(e->srv.rx, "hello from s_client\n", 20);
	assert_int_equal(e->srv.spi_at_up, SPI_A);
	assert_string_equal(e->srv.group, "x25519");
	assert_int_equal(sync_tls_send(e->srv.c, "hello from mipha\n", 17), 0);
	run_until(e, child_says_pong);
	close(ch->in);
	ch->in = -1;
	run_until(e, srv_down);
	expect_reason(&e->srv, SYNC_TLS_PEER_CLOSED);
	assert_string_equal(e->srv.detail, "close_notify");
	status = child_end(e, ch, false);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(
		strstr(ch->text, "Reused, TLSv1.3, Cipher is TLS_AES_128_GCM"));
	assert_non_null(strstr(ch->text, "Server Temp Key: X25519"));
	if (key_update)
		assert_non_null(strstr(ch->text, "KEYUPDATE"));
}

static void test_openssl_s_client(void **state)
{
	struct env *e = *state;
	const struct sync_tls_key k = { SPI_A, key_a, sizeof(key_a) };

	if (access(OPENSSL_BIN, X_OK))
		skip();
	ctxs(e, &k, 1, &k, 1);
	s_client_session(e, false, false);
	s_client_session(e, true, false);
	s_client_session(e, false, true);
}

static bool child_accepting(struct env *e)
{
	(void)e;
	return strstr(s_child->text, "ACCEPT") != NULL;
}

static bool child_got_hello(struct env *e)
{
	(void)e;
	return strstr(s_child->text, "hello from mipha") != NULL;
}

static uint16_t free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

/* Our client against openssl s_server -nocert -psk. */
static void test_openssl_s_server(void **state)
{
	struct env *e = *state;
	const struct sync_tls_key k = { SPI_A, key_a, sizeof(key_a) };
	char keyhex[2 * sizeof(key_a) + 1], accept[32];
	char *argv[] = {
		OPENSSL_BIN, "s_server", "-tls1_3",	  "-nocert",
		"-psk",	     keyhex,	 "-psk_identity", "mipha-ha-spi-4096",
		"-accept",   accept,	 "-naccept",	  "1",
		NULL
	};
	struct sockaddr_in a = e->addr;
	struct child *ch = &the_child;

	if (access(OPENSSL_BIN, X_OK))
		skip();
	ctxs(e, &k, 1, &k, 1);
	hex(keyhex, key_a, sizeof(key_a));
	a.sin_port = htons(free_port());
	snprintf(accept, sizeof(accept), "127.0.0.1:%u", ntohs(a.sin_port));
	child_spawn(e, ch, argv);
	s_child = ch;
	run_until(e, child_accepting);
	assert_int_equal(sync_tls_connect(&e->cli.c, e->cctx, e->loop, SPI_A,
					  &a, NULL, &e->ccfg),
			 0);
	run_until(e, cli_up);
	assert_int_equal(sync_tls_send(e->cli.c, "hello from mipha\n", 17), 0);
	run_until(e, child_got_hello);
	/* What s_server reads on its stdin goes to us. */
	assert_int_equal(write(ch->in, "hello from s_server\n", 20), 20);
	wait_rx(e, 0, 20);
	assert_memory_equal(e->cli.rx, "hello from s_server\n", 20);
	sync_tls_conn_free(e->cli.c);
	e->cli.c = NULL;
	child_end(e, ch, true);
}

/*
 * A server without our key that presents a certificate instead (s_server
 * with a fresh self-signed one): the client refuses it.
 */
static void test_certificate_server(void **state)
{
	struct env *e = *state;
	const struct sync_tls_key k = { SPI_A, key_a, sizeof(key_a) };
	char dir[] = "/tmp/mipha-sync-tls-XXXXXX", keyp[64], certp[64];
	char accept[32];
	char *req[] = { OPENSSL_BIN,
			"req",
			"-x509",
			"-newkey",
			"ec",
			"-pkeyopt",
			"ec_paramgen_curve:P-256",
			"-nodes",
			"-keyout",
			keyp,
			"-out",
			certp,
			"-subj",
			"/CN=eve",
			"-days",
			"1",
			NULL };
	char *argv[] = { OPENSSL_BIN, "s_server", "-tls1_3", "-cert",
			 certp,	      "-key",	  keyp,	     "-accept",
			 accept,      "-naccept", "1",	     NULL };
	struct sockaddr_in a = e->addr;
	struct child *ch = &the_child;
	int status;

	if (access(OPENSSL_BIN, X_OK))
		skip();
	ctxs(e, &k, 1, &k, 1);
	assert_non_null(mkdtemp(dir));
	snprintf(keyp, sizeof(keyp), "%s/key.pem", dir);
	snprintf(certp, sizeof(certp), "%s/cert.pem", dir);
	child_spawn(e, ch, req);
	status = child_end(e, ch, false);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	a.sin_port = htons(free_port());
	snprintf(accept, sizeof(accept), "127.0.0.1:%u", ntohs(a.sin_port));
	child_spawn(e, ch, argv);
	s_child = ch;
	run_until(e, child_accepting);
	assert_int_equal(sync_tls_connect(&e->cli.c, e->cctx, e->loop, SPI_A,
					  &a, NULL, &e->ccfg),
			 0);
	run_until(e, cli_down);
	expect_auth_failure(&e->cli, SYNC_TLS_AUTH_NO_PSK);
	assert_int_equal(sync_tls_ctx_stats(e->cctx)->hs_no_psk, 1);
	child_end(e, ch, true);
	unlink(keyp);
	unlink(certp);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),
		cmocka_unit_test_setup_teardown(test_keys_invalid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_handshake_and_data, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bulk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unknown_spi, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rollover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handshake_timeout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reset_and_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bind_local, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_peer_closes_midstream,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_in_up, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_free_in_recv, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_garbage_client_hello,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame_too_large, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_openssl_s_client, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_openssl_s_server, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_certificate_server, setup,
						teardown),
	};
	size_t i;

	for (i = 0; i < sizeof(key_b); i++)
		key_b[i] = (uint8_t)(0xa5 ^ (i * 29));
	ops = (struct sync_tls_ops){
		.up = cb_up,
		.recv = cb_recv,
		.drained = cb_drained,
		.down = cb_down,
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

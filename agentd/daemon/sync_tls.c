// SPDX-License-Identifier: GPL-2.0
/*
 * sync_tls: TLS 1.3 with an external PSK over a non-blocking TCP socket on
 * the loop (sync_tls.h says what and why).
 *
 * OpenSSL does the TLS; this file gives it a socket, keys and a loop:
 *  - a BIO of our own over the socket (recv/send with MSG_NOSIGNAL, so a
 *    peer gone away is an EPIPE here and never a SIGPIPE; it also keeps the
 *    errno of a failed call and counts the bytes on the wire);
 *  - the PSK callbacks: the client offers its SA (psk_use_session), the
 *    server looks the identity's SPI up (psk_find_session); both build a
 *    TLS 1.3 session whose master key is the SA's key, as s_client and
 *    s_server do for -psk;
 *  - a message callback, which counts records and remembers the last alert
 *    sent or received (how a failed handshake is told apart).
 *
 * A connection's life: CONNECTING (client) -> HANDSHAKE -> UP -> CLOSED.
 * Entering CLOSED tears the socket down at once and leaves the down report
 * pending; it is delivered when control is back at a loop callback of the
 * connection (enter()/leave() bracket each), or from the kick timer (zero
 * delay) when the close happened inside a call of the owner's
 * (sync_tls_send()). So an owner's call never calls back, and the owner's
 * callbacks always run from the loop.
 *
 * Freeing from a callback: every loop callback of a connection holds it
 * busy; sync_tls_conn_free() of a busy connection only marks it dead, and
 * the outermost leave() frees it. After each owner callback the code checks
 * gone() before touching the connection's TLS state again.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "log.h"
#include "sync_tls.h"

/* The one cipher suite, and its code as SSL_CIPHER_find() wants it. */
#define SYNC_TLS_SUITE "TLS_AES_128_GCM_SHA256"
static const unsigned char sync_tls_suite_id[2] = { 0x13, 0x01 };

/* Largest plaintext of one TLS record (RFC 8446 5.1). */
#define SYNC_TLS_RECORD 16384
/* Records read per wakeup before the loop gets a turn. */
#define SYNC_TLS_READ_BUDGET 64
/* An empty buffer bigger than this is given back. */
#define SYNC_TLS_BUF_KEEP (64 * 1024)
#define SYNC_TLS_DETAIL	  256

struct ctx_key {
	uint32_t spi;
	size_t key_len;
	uint8_t key[SYNC_TLS_KEY_MAX];
};

struct sync_tls_ctx {
	SSL_CTX *ssl_ctx;
	BIO_METHOD *bio_meth;
	struct ctx_key *keys;
	size_t n_keys;
	unsigned int refs; /* the owner's and one per connection */
	struct sync_tls_stats stats;
};

/* Bytes data[head, head + len) of size allocated. */
struct sync_buf {
	uint8_t *data;
	size_t head, len, size;
};

struct sync_tls_conn {
	struct sync_tls_ctx *ctx;
	struct loop *loop;
	struct loop_io lio;
	bool registered; /* lio is on the loop */
	int fd;
	SSL *ssl;
	enum sync_tls_state state;
	bool client;
	struct sync_tls_ops ops;
	void *data;
	uint32_t hs_timeout_ms;
	size_t out_high, out_low, in_max;
	struct loop_timer hs_timer; /* handshake deadline */
	struct loop_timer kick;	    /* deferred work, zero delay */

	struct ctx_key offer; /* client: the SA it offers */
	char identity[SYNC_TLS_IDENTITY_MAX];
	uint32_t peer_spi;
	bool have_spi;

	struct sync_buf in, out;
	size_t wpend;	 /* length of an SSL_write() to repeat; 0: none */
	bool want_write; /* TLS waits for the socket to be writable */
	bool above_high; /* the queue reached out_high: drained is owed */

	/* What the BIO and the callbacks saw, for telling failures apart. */
	int sock_err;	       /* errno of the last failed recv/send */
	bool eof;	       /* recv returned 0 */
	bool unknown_identity; /* server: no key for the offered identity */
	bool got_cert;	       /* client: the server sent a certificate */
	uint8_t alert;	       /* last alert other than close_notify */
	bool alert_received;
	bool fatal;	       /* TLS failed: no close_notify on free */
	char bad_identity[48]; /* the unknown identity, printable */

	struct sync_tls_close why;
	char detail[SYNC_TLS_DETAIL];
	bool down_pending;
	unsigned int busy; /* loop callbacks of ours on the stack */
	bool dead;	   /* freed while busy */
	struct sync_tls_stats stats;
};

#define STAT_ADD(c, field, n)                 \
	do {                                  \
		(c)->stats.field += (n);      \
		(c)->ctx->stats.field += (n); \
	} while (0)
#define STAT_INC(c, field) STAT_ADD(c, field, 1)

static void conn_close(struct sync_tls_conn *c, enum sync_tls_reason reason,
		       enum sync_tls_auth auth, int err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* ---- identity ----------------------------------------------------------- */

size_t sync_tls_identity(uint32_t spi, char *buf, size_t size)
{
	int n = snprintf(buf, size, SYNC_TLS_IDENTITY_PREFIX "%" PRIu32, spi);

	return n < 0 ? 0 : (size_t)n;
}

bool sync_tls_identity_parse(const uint8_t *id, size_t len, uint32_t *spi)
{
	const size_t plen = sizeof(SYNC_TLS_IDENTITY_PREFIX) - 1;
	uint64_t v = 0;
	size_t i;

	if (len <= plen || len > plen + 10 ||
	    memcmp(id, SYNC_TLS_IDENTITY_PREFIX, plen))
		return false;
	/* One spelling per SPI: no leading zeros, no sign, no spaces. */
	if (id[plen] == '0' && len > plen + 1)
		return false;
	for (i = plen; i < len; i++) {
		if (id[i] < '0' || id[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(id[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*spi = (uint32_t)v;
	return true;
}

/* ---- names -------------------------------------------------------------- */

const char *sync_tls_reason_name(enum sync_tls_reason r)
{
	switch (r) {
	case SYNC_TLS_AUTH:
		return "authentication failed";
	case SYNC_TLS_TIMEOUT:
		return "handshake timeout";
	case SYNC_TLS_PEER_CLOSED:
		return "peer closed";
	case SYNC_TLS_IO_ERROR:
		return "I/O error";
	case SYNC_TLS_PROTOCOL:
		return "protocol error";
	}
	return "?";
}

const char *sync_tls_auth_name(enum sync_tls_auth a)
{
	switch (a) {
	case SYNC_TLS_AUTH_NONE:
		return "none";
	case SYNC_TLS_AUTH_PEER_ALERT:
		return "refused by the peer";
	case SYNC_TLS_AUTH_UNKNOWN_IDENTITY:
		return "unknown PSK identity";
	case SYNC_TLS_AUTH_BAD_KEY:
		return "the peer's key differs";
	case SYNC_TLS_AUTH_NO_PSK:
		return "the peer did not use the PSK";
	}
	return "?";
}

/* ---- buffers ------------------------------------------------------------ */

/*
 * Room for want more bytes after the data: moves the data to the front or
 * grows the buffer (doubling, but not past cap if cap is not 0).
 */
static int buf_reserve(struct sync_buf *b, size_t want, size_t cap)
{
	size_t need = b->len + want, size;
	uint8_t *d;

	if (b->size - b->head - b->len >= want)
		return 0;
	if (b->size >= need) {
		memmove(b->data, b->data + b->head, b->len);
		b->head = 0;
		return 0;
	}
	size = b->size * 2 > need ? b->size * 2 : need;
	if (cap && size > cap)
		size = cap > need ? cap : need;
	if (b->head) {
		memmove(b->data, b->data + b->head, b->len);
		b->head = 0;
	}
	d = realloc(b->data, size);
	if (!d)
		return -ENOMEM;
	b->data = d;
	b->size = size;
	return 0;
}

static void buf_consume(struct sync_buf *b, size_t n)
{
	b->head += n;
	b->len -= n;
	if (b->len)
		return;
	b->head = 0;
	/* After a bulk transfer, an idle peer keeps no megabytes. */
	if (b->size > SYNC_TLS_BUF_KEEP) {
		free(b->data);
		b->data = NULL;
		b->size = 0;
	}
}

/* ---- OpenSSL's error queue ---------------------------------------------- */

/*
 * Empties the queue (nothing of ours may be left for the next caller of
 * OpenSSL to misread) and writes the first error, the root cause, to buf.
 * Returns that error's code, 0 if the queue was empty.
 */
static unsigned long drain_errors(char *buf, size_t size)
{
	unsigned long e, first = 0;

	if (size)
		buf[0] = '\0';
	while ((e = ERR_get_error())) {
		if (!first && size)
			ERR_error_string_n(e, buf, size);
		if (!first)
			first = e;
	}
	return first;
}

/* ---- the socket BIO ----------------------------------------------------- */

static int bio_write(BIO *b, const char *buf, int len)
{
	struct sync_tls_conn *c = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	n = send(c->fd, buf, (size_t)len, MSG_NOSIGNAL);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			BIO_set_retry_write(b);
		else
			c->sock_err = errno;
		return -1;
	}
	STAT_ADD(c, wire_out, (uint64_t)n);
	return (int)n;
}

static int bio_read(BIO *b, char *buf, int len)
{
	struct sync_tls_conn *c = BIO_get_data(b);
	ssize_t n;

	BIO_clear_retry_flags(b);
	n = recv(c->fd, buf, (size_t)len, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			BIO_set_retry_read(b);
		else
			c->sock_err = errno;
		return -1;
	}
	if (n == 0)
		c->eof = true;
	STAT_ADD(c, wire_in, (uint64_t)n);
	return (int)n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct sync_tls_conn *c = BIO_get_data(b);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1; /* nothing is buffered here */
	case BIO_CTRL_EOF:
		/* Lets OpenSSL tell a truncated stream from an error. */
		return c && c->eof;
	default:
		return 0;
	}
}

static int bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static BIO_METHOD *bio_method(void)
{
	/* One type number for all contexts: OpenSSL has only 128 of them. */
	static int type;
	BIO_METHOD *m;

	if (!type) {
		type = BIO_get_new_index();
		if (type < 0) {
			type = 0;
			return NULL;
		}
	}
	m = BIO_meth_new(type | BIO_TYPE_SOURCE_SINK, "mipha sync socket");
	if (!m)
		return NULL;
	if (!BIO_meth_set_write(m, bio_write) ||
	    !BIO_meth_set_read(m, bio_read) ||
	    !BIO_meth_set_ctrl(m, bio_ctrl) ||
	    !BIO_meth_set_create(m, bio_create)) {
		BIO_meth_free(m);
		return NULL;
	}
	return m;
}

/* ---- keys and PSK sessions ---------------------------------------------- */

static const struct ctx_key *ctx_find_key(const struct sync_tls_ctx *ctx,
					  uint32_t spi)
{
	size_t i;

	for (i = 0; i < ctx->n_keys; i++) {
		if (ctx->keys[i].spi == spi)
			return &ctx->keys[i];
	}
	return NULL;
}

/*
 * A TLS 1.3 session whose resumption secret is the key: for OpenSSL, an
 * external PSK is such a session (SSL_CTX_set_psk_use_session_callback(3)).
 * Its cipher fixes the PSK's hash (SHA-256).
 */
static SSL_SESSION *psk_session(SSL *ssl, const uint8_t *key, size_t len)
{
	const SSL_CIPHER *cipher = SSL_CIPHER_find(ssl, sync_tls_suite_id);
	SSL_SESSION *s;

	if (!cipher)
		return NULL;
	s = SSL_SESSION_new();
	if (!s)
		return NULL;
	if (!SSL_SESSION_set1_master_key(s, key, len) ||
	    !SSL_SESSION_set_cipher(s, cipher) ||
	    !SSL_SESSION_set_protocol_version(s, TLS1_3_VERSION)) {
		SSL_SESSION_free(s); /* cleanses the key */
		return NULL;
	}
	return s;
}

/* Client: offer our SA. Called for the ClientHello (md NULL), and again
 * after a HelloRetryRequest with the suite's hash. */
static int psk_use_cb(SSL *ssl, const EVP_MD *md, const unsigned char **id,
		      size_t *idlen, SSL_SESSION **sess)
{
	struct sync_tls_conn *c = SSL_get_app_data(ssl);
	SSL_SESSION *s;

	*id = NULL;
	*idlen = 0;
	*sess = NULL;
	if (md && EVP_MD_get_type(md) != NID_sha256)
		return 1; /* cannot happen with our one suite: no PSK */
	s = psk_session(ssl, c->offer.key, c->offer.key_len);
	if (!s)
		return 0;
	*sess = s; /* OpenSSL's now */
	*id = (const unsigned char *)c->identity;
	*idlen = strlen(c->identity);
	return 1;
}

static void printable(char *dst, size_t size, const uint8_t *src, size_t len)
{
	size_t o = 0, i;

	for (i = 0; i < len && o + 5 < size; i++) {
		if (src[i] >= 0x20 && src[i] < 0x7f && src[i] != '"' &&
		    src[i] != '\\')
			dst[o++] = (char)src[i];
		else
			o += (size_t)snprintf(dst + o, size - o, "\\x%02x",
					      src[i]);
	}
	dst[o] = '\0';
}

/*
 * Server: the key of the identity's SPI. For an identity we have no key for
 * the handshake goes on with a random key instead, so that it fails at the
 * binder check exactly as a wrong key does (RFC 8446 4.2.11 lets a server
 * answer an unknown identity as an invalid one): a prober cannot tell which
 * SPIs exist. We remember which it was. (Returning no session instead would
 * go on without a PSK and, having no certificate, end with a bare close,
 * which the client could not tell from a network failure.)
 */
static int psk_find_cb(SSL *ssl, const unsigned char *id, size_t len,
		       SSL_SESSION **sess)
{
	struct sync_tls_conn *c = SSL_get_app_data(ssl);
	const struct ctx_key *k = NULL;
	uint8_t dummy[32];
	uint32_t spi;

	*sess = NULL;
	if (sync_tls_identity_parse(id, len, &spi))
		k = ctx_find_key(c->ctx, spi);
	if (k) {
		c->peer_spi = spi; /* confirmed when the handshake completes */
		*sess = psk_session(ssl, k->key, k->key_len);
		return *sess != NULL;
	}
	c->unknown_identity = true;
	printable(c->bad_identity, sizeof(c->bad_identity), id, len);
	if (RAND_bytes(dummy, sizeof(dummy)) != 1)
		return 0;
	*sess = psk_session(ssl, dummy, sizeof(dummy));
	OPENSSL_cleanse(dummy, sizeof(dummy));
	return *sess != NULL;
}

/* Client: a certificate means the server is not using our PSK. Refuse. */
static int reject_certificate(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(
		store, SSL_get_ex_data_X509_STORE_CTX_idx());

	(void)ok;
	if (ssl) {
		struct sync_tls_conn *c = SSL_get_app_data(ssl);

		c->got_cert = true;
	}
	return 0;
}

/* Every record and alert, read or written. */
static void msg_cb(int write_p, int version, int content_type, const void *buf,
		   size_t len, SSL *ssl, void *arg)
{
	struct sync_tls_conn *c = arg;
	const uint8_t *a = buf;

	(void)version;
	(void)ssl;
	if (content_type == SSL3_RT_HEADER) {
		if (write_p)
			STAT_INC(c, records_out);
		else
			STAT_INC(c, records_in);
	} else if (content_type == SSL3_RT_ALERT && len == 2 &&
		   a[1] != SSL_AD_CLOSE_NOTIFY) {
		c->alert = a[1];
		c->alert_received = !write_p;
	}
}

/* ---- context ------------------------------------------------------------ */

static int check_keys(const struct sync_tls_key *keys, size_t n)
{
	size_t i, j;

	if (n && !keys)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!keys[i].key || keys[i].key_len < SYNC_TLS_KEY_MIN ||
		    keys[i].key_len > SYNC_TLS_KEY_MAX)
			return -EINVAL;
		/* The server finds a key by SPI: one key per SPI. */
		for (j = 0; j < i; j++) {
			if (keys[j].spi == keys[i].spi)
				return -EINVAL;
		}
	}
	return 0;
}

int sync_tls_ctx_set_keys(struct sync_tls_ctx *ctx,
			  const struct sync_tls_key *keys, size_t n)
{
	struct ctx_key *k = NULL;
	size_t i;
	int ret;

	if (!ctx)
		return -EINVAL;
	ret = check_keys(keys, n);
	if (ret)
		return ret;
	if (n) {
		k = calloc(n, sizeof(*k));
		if (!k)
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		k[i].spi = keys[i].spi;
		k[i].key_len = keys[i].key_len;
		memcpy(k[i].key, keys[i].key, keys[i].key_len);
	}
	if (ctx->keys) {
		OPENSSL_cleanse(ctx->keys, ctx->n_keys * sizeof(*ctx->keys));
		free(ctx->keys);
	}
	ctx->keys = k;
	ctx->n_keys = n;
	return 0;
}

static int ctx_setup(SSL_CTX *s)
{
	/* TLS 1.3 only: its PSK handshake has the binder and (EC)DHE. */
	if (!SSL_CTX_set_min_proto_version(s, TLS1_3_VERSION) ||
	    !SSL_CTX_set_max_proto_version(s, TLS1_3_VERSION) ||
	    !SSL_CTX_set_ciphersuites(s, SYNC_TLS_SUITE))
		return -EIO;
	/*
	 * No tickets, no session cache, no early data: every connection is
	 * authenticated by the configured key, not by a ticket that would
	 * outlive a key removed on reload, and nothing can be replayed.
	 */
	SSL_CTX_set_options(s, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
	if (!SSL_CTX_set_num_tickets(s, 0) ||
	    !SSL_CTX_set_max_early_data(s, 0) ||
	    !SSL_CTX_set_recv_max_early_data(s, 0))
		return -EIO;
	SSL_CTX_set_session_cache_mode(s, SSL_SESS_CACHE_OFF);
	/*
	 * psk_dhe_ke only (the default; said here because it is the point):
	 * without SSL_OP_ALLOW_NO_DHE_KEX the client offers only psk_dhe_ke
	 * and the server ignores a psk_ke offer, so the key exchange always
	 * adds ephemeral (EC)DHE: forward secrecy.
	 */
	SSL_CTX_clear_options(s, SSL_OP_ALLOW_NO_DHE_KEX);
	/* Our output buffer moves when it grows; a retried SSL_write() sees
	 * the same bytes at another address. */
	SSL_CTX_set_mode(s, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_psk_use_session_callback(s, psk_use_cb);
	SSL_CTX_set_psk_find_session_callback(s, psk_find_cb);
	return 0;
}

int sync_tls_ctx_new(struct sync_tls_ctx **ctxp,
		     const struct sync_tls_key *keys, size_t n)
{
	struct sync_tls_ctx *ctx;
	char why[SYNC_TLS_DETAIL];
	int ret;

	if (!ctxp)
		return -EINVAL;
	*ctxp = NULL;
	ret = check_keys(keys, n);
	if (ret)
		return ret;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->refs = 1;
	ERR_clear_error();
	ret = -ENOMEM;
	ctx->ssl_ctx = SSL_CTX_new(TLS_method());
	if (!ctx->ssl_ctx)
		goto err;
	ret = ctx_setup(ctx->ssl_ctx);
	if (ret)
		goto err;
	ret = -ENOMEM;
	ctx->bio_meth = bio_method();
	if (!ctx->bio_meth)
		goto err;
	ret = sync_tls_ctx_set_keys(ctx, keys, n);
	if (ret)
		goto err;
	*ctxp = ctx;
	return 0;
err:
	/* The daemon's start or reload fails on this: say why. */
	if (drain_errors(why, sizeof(why)))
		log_err("sync: cannot set up TLS 1.3 with PSK: %s", why);
	BIO_meth_free(ctx->bio_meth);
	SSL_CTX_free(ctx->ssl_ctx);
	free(ctx);
	return ret;
}

static void ctx_put(struct sync_tls_ctx *ctx)
{
	if (--ctx->refs)
		return;
	if (ctx->keys) {
		OPENSSL_cleanse(ctx->keys, ctx->n_keys * sizeof(*ctx->keys));
		free(ctx->keys);
	}
	BIO_meth_free(ctx->bio_meth);
	SSL_CTX_free(ctx->ssl_ctx);
	free(ctx);
}

void sync_tls_ctx_free(struct sync_tls_ctx *ctx)
{
	if (ctx)
		ctx_put(ctx);
}

const struct sync_tls_stats *sync_tls_ctx_stats(const struct sync_tls_ctx *ctx)
{
	return &ctx->stats;
}

/* ---- closing ------------------------------------------------------------ */

static bool gone(const struct sync_tls_conn *c)
{
	return c->dead || c->state == SYNC_TLS_CLOSED;
}

static void io_teardown(struct sync_tls_conn *c)
{
	if (c->registered) {
		loop_io_del(c->loop, &c->lio);
		c->registered = false;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	loop_timer_cancel(c->loop, &c->hs_timer);
}

static void count_handshake_failure(struct sync_tls_conn *c)
{
	switch (c->why.reason) {
	case SYNC_TLS_AUTH:
		STAT_INC(c, hs_auth_failures);
		if (c->why.auth == SYNC_TLS_AUTH_UNKNOWN_IDENTITY)
			STAT_INC(c, hs_unknown_identity);
		else if (c->why.auth == SYNC_TLS_AUTH_BAD_KEY)
			STAT_INC(c, hs_bad_key);
		else if (c->why.auth == SYNC_TLS_AUTH_PEER_ALERT)
			STAT_INC(c, hs_peer_refused);
		else if (c->why.auth == SYNC_TLS_AUTH_NO_PSK)
			STAT_INC(c, hs_no_psk);
		break;
	case SYNC_TLS_TIMEOUT:
		STAT_INC(c, hs_timeouts);
		break;
	default:
		STAT_INC(c, hs_other);
		break;
	}
}

/*
 * The connection is over: record why, close the socket, and have down
 * reported from the loop (leave(), or the kick timer if no callback of ours
 * is on the stack).
 */
static void conn_close(struct sync_tls_conn *c, enum sync_tls_reason reason,
		       enum sync_tls_auth auth, int err, const char *fmt, ...)
{
	va_list ap;

	if (c->state == SYNC_TLS_CLOSED)
		return;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	c->why = (struct sync_tls_close){
		.reason = reason,
		.auth = reason == SYNC_TLS_AUTH ? auth : SYNC_TLS_AUTH_NONE,
		.in_handshake = c->state != SYNC_TLS_UP,
		.err = err,
		.alert = c->alert,
		.alert_received = c->alert_received,
		.detail = c->detail,
	};
	if (c->why.in_handshake)
		count_handshake_failure(c);
	/* The peer's close_notify gets ours (RFC 8446 6.1), best effort. */
	if (reason == SYNC_TLS_PEER_CLOSED && !c->fatal &&
	    (SSL_get_shutdown(c->ssl) & SSL_RECEIVED_SHUTDOWN))
		SSL_shutdown(c->ssl);
	ERR_clear_error();
	io_teardown(c);
	c->state = SYNC_TLS_CLOSED;
	c->down_pending = true;
	if (!c->busy)
		loop_timer_arm(c->loop, &c->kick, 0);
}

static bool auth_alert(uint8_t alert)
{
	/*
	 * What a peer sends in answer to our handshake when our PSK does not
	 * check out: illegal_parameter (OpenSSL's alert for a binder that
	 * does not verify, so ours for a wrong key and an unknown identity
	 * alike), decrypt_error (what RFC 8446 6.2 names for a binder or
	 * Finished that does not verify: other implementations),
	 * unknown_psk_identity, bad_record_mac (our handshake records did
	 * not decrypt with its key). handshake_failure is not here: it also
	 * means "no suite or group in common", a configuration mismatch
	 * rather than a wrong key.
	 */
	return alert == SSL_AD_ILLEGAL_PARAMETER ||
	       alert == SSL_AD_DECRYPT_ERROR ||
	       alert == SSL_AD_UNKNOWN_PSK_IDENTITY ||
	       alert == SSL_AD_BAD_RECORD_MAC;
}

/* Our own check failed: the peer holds another key. */
static bool auth_error(int reason)
{
	return reason == SSL_R_BINDER_DOES_NOT_VERIFY ||
	       reason == SSL_R_DIGEST_CHECK_FAILED ||
	       reason == SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC;
}

/* A handshake error that is an authentication failure, or false. */
static bool classify_auth(struct sync_tls_conn *c, int reason, const char *ossl)
{
	if (c->unknown_identity) {
		/* ossl says "binder does not verify": our random key's. */
		conn_close(c, SYNC_TLS_AUTH, SYNC_TLS_AUTH_UNKNOWN_IDENTITY, 0,
			   "no key for PSK identity \"%s\" (refused as a "
			   "wrong key)",
			   c->bad_identity);
		return true;
	}
	if (c->got_cert || reason == SSL_R_CERTIFICATE_VERIFY_FAILED) {
		conn_close(c, SYNC_TLS_AUTH, SYNC_TLS_AUTH_NO_PSK, 0,
			   "the server sent a certificate instead of using "
			   "the PSK (%s)",
			   ossl);
		return true;
	}
	if (auth_error(reason)) {
		conn_close(c, SYNC_TLS_AUTH, SYNC_TLS_AUTH_BAD_KEY, 0,
			   "the peer's key for SPI %" PRIu32 " differs (%s)",
			   c->client ? c->offer.spi : c->peer_spi, ossl);
		return true;
	}
	if (c->alert_received && auth_alert(c->alert)) {
		conn_close(c, SYNC_TLS_AUTH, SYNC_TLS_AUTH_PEER_ALERT, 0,
			   "the peer refused our key%s: alert %s",
			   c->client ? " (wrong key or unknown SPI)" : "",
			   SSL_alert_desc_string_long(c->alert));
		return true;
	}
	return false;
}

/* SSL_do_handshake/read/write returned r, SSL_get_error() e. */
static void conn_fail(struct sync_tls_conn *c, int r, int e)
{
	char ossl[160];
	unsigned long first = drain_errors(ossl, sizeof(ossl));
	int reason = ERR_GET_REASON(first);

	if (!ossl[0])
		snprintf(ossl, sizeof(ossl), "no OpenSSL error");
	if (e == SSL_ERROR_ZERO_RETURN) {
		conn_close(c, SYNC_TLS_PEER_CLOSED, 0, 0, "close_notify");
		return;
	}
	c->fatal = true;
	if (e == SSL_ERROR_SYSCALL) {
		if (c->sock_err)
			conn_close(c, SYNC_TLS_IO_ERROR, 0, c->sock_err, "%s",
				   strerror(c->sock_err));
		else
			conn_close(c, SYNC_TLS_PEER_CLOSED, 0, 0,
				   "TCP stream ended without close_notify%s",
				   r ? " (no errno)" : "");
		return;
	}
	if (e != SSL_ERROR_SSL) {
		conn_close(c, SYNC_TLS_PROTOCOL, 0, 0,
			   "unexpected SSL_get_error() %d (%s)", e, ossl);
		return;
	}
	if (c->state != SYNC_TLS_UP && classify_auth(c, reason, ossl))
		return;
	if (reason == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		conn_close(c, SYNC_TLS_PEER_CLOSED, 0, 0,
			   "TCP stream ended without close_notify");
	else if (c->sock_err)
		conn_close(c, SYNC_TLS_IO_ERROR, 0, c->sock_err, "%s (%s)",
			   strerror(c->sock_err), ossl);
	else if (c->alert)
		conn_close(c, SYNC_TLS_PROTOCOL, 0, 0, "alert %s %s (%s)",
			   SSL_alert_desc_string_long(c->alert),
			   c->alert_received ? "received" : "sent", ossl);
	else
		conn_close(c, SYNC_TLS_PROTOCOL, 0, 0, "%s", ossl);
}

/* ---- events ------------------------------------------------------------- */

static void update_events(struct sync_tls_conn *c)
{
	uint32_t ev;

	if (!c->registered)
		return;
	if (c->state == SYNC_TLS_CONNECTING)
		ev = EPOLLOUT;
	else
		ev = EPOLLIN | (c->want_write ? EPOLLOUT : 0);
	/* Cannot fail for a registered fd short of running out of memory;
	 * then the handshake timer or the peer ends it. */
	loop_io_mod(c->loop, &c->lio, ev);
}

static void set_want_write(struct sync_tls_conn *c, bool want)
{
	if (want && !c->want_write)
		STAT_INC(c, write_blocked);
	c->want_write = want;
	update_events(c);
}

/* Deliver what was received; the owner consumes what it can. */
static void deliver(struct sync_tls_conn *c)
{
	size_t n;

	n = c->ops.recv(c, c->in.data + c->in.head, c->in.len, c->data);
	if (c->dead)
		return;
	if (n > c->in.len)
		n = c->in.len; /* the owner's bug; do not run off the end */
	buf_consume(&c->in, n);
}

static void read_some(struct sync_tls_conn *c)
{
	unsigned int budget = SYNC_TLS_READ_BUDGET;

	while (budget-- && !gone(c)) {
		size_t room = c->in_max - c->in.len;
		int r, e;

		if (!room) {
			conn_close(c, SYNC_TLS_PROTOCOL, 0, 0,
				   "%zu bytes received and not consumed: a "
				   "frame larger than the input buffer",
				   c->in.len);
			return;
		}
		if (room > SYNC_TLS_RECORD)
			room = SYNC_TLS_RECORD;
		if (buf_reserve(&c->in, room, c->in_max)) {
			conn_close(c, SYNC_TLS_IO_ERROR, 0, ENOMEM,
				   "no memory for the input buffer");
			return;
		}
		ERR_clear_error();
		r = SSL_read(c->ssl, c->in.data + c->in.head + c->in.len,
			     (int)room);
		if (r <= 0) {
			e = SSL_get_error(c->ssl, r);
			if (e == SSL_ERROR_WANT_READ) {
				/* What a read wanted written (a KeyUpdate's
				 * answer) went out: no more EPOLLOUT, which
				 * would fire every round, unless a write of
				 * ours waits for it. */
				if (!c->wpend && c->want_write)
					set_want_write(c, false);
				return;
			}
			if (e == SSL_ERROR_WANT_WRITE) {
				set_want_write(c, true);
				return;
			}
			conn_fail(c, r, e);
			return;
		}
		c->in.len += (size_t)r;
		STAT_ADD(c, bytes_in, (uint64_t)r);
		deliver(c);
	}
	/* Out of budget with a record half read: its rest is in OpenSSL,
	 * where epoll does not see it. */
	if (!gone(c) && SSL_pending(c->ssl) > 0)
		loop_timer_arm(c->loop, &c->kick, 0);
}

/* Hand the queue to TLS until it is empty or the socket is full. */
static void flush_out(struct sync_tls_conn *c)
{
	while (c->out.len && c->state == SYNC_TLS_UP) {
		size_t n = c->out.len < SYNC_TLS_RECORD ? c->out.len :
							  SYNC_TLS_RECORD;
		int r, e;

		/* A repeated write repeats its length (SSL_write(3)). */
		if (c->wpend)
			n = c->wpend;

		ERR_clear_error();
		r = SSL_write(c->ssl, c->out.data + c->out.head, (int)n);
		if (r > 0) {
			c->wpend = 0;
			buf_consume(&c->out, (size_t)r);
			STAT_ADD(c, bytes_out, (uint64_t)r);
			continue;
		}
		c->wpend = n;
		e = SSL_get_error(c->ssl, r);
		if (e == SSL_ERROR_WANT_WRITE) {
			set_want_write(c, true);
			return;
		}
		if (e == SSL_ERROR_WANT_READ) {
			set_want_write(c, false); /* EPOLLIN is always on */
			return;
		}
		conn_fail(c, r, e);
		return;
	}
	if (c->want_write && c->state == SYNC_TLS_UP)
		set_want_write(c, false);
}

static void check_drained(struct sync_tls_conn *c)
{
	if (gone(c) || !c->above_high || c->out.len > c->out_low)
		return;
	c->above_high = false;
	if (c->ops.drained)
		c->ops.drained(c, c->data);
}

/* Data, both ways, once up. */
static void run_up(struct sync_tls_conn *c)
{
	if (c->out.len)
		flush_out(c);
	if (gone(c))
		return;
	read_some(c);
	check_drained(c);
}

static void handshake_done(struct sync_tls_conn *c)
{
	/* Our server has no certificate and our client refuses one, so a
	 * completed handshake used the PSK; checked all the same. */
	if (!SSL_session_reused(c->ssl)) {
		c->fatal = true;
		conn_close(c, SYNC_TLS_AUTH, SYNC_TLS_AUTH_NO_PSK, 0,
			   "handshake completed without the PSK");
		return;
	}
	if (c->client)
		c->peer_spi = c->offer.spi;
	c->have_spi = true;
	c->state = SYNC_TLS_UP;
	loop_timer_cancel(c->loop, &c->hs_timer);
	STAT_INC(c, handshakes);
	c->ops.up(c, c->data);
	if (gone(c))
		return;
	run_up(c);
}

static void do_handshake(struct sync_tls_conn *c)
{
	int r, e;

	ERR_clear_error();
	r = SSL_do_handshake(c->ssl);
	if (r == 1) {
		c->want_write = false;
		update_events(c);
		handshake_done(c);
		return;
	}
	e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ)
		set_want_write(c, false);
	else if (e == SSL_ERROR_WANT_WRITE)
		set_want_write(c, true);
	else
		conn_fail(c, r, e);
}

static void connect_done(struct sync_tls_conn *c)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len))
		err = errno;
	if (err) {
		conn_close(c, SYNC_TLS_IO_ERROR, 0, err, "connect: %s",
			   strerror(err));
		return;
	}
	c->state = SYNC_TLS_HANDSHAKE;
	update_events(c);
	do_handshake(c);
}

static void enter(struct sync_tls_conn *c)
{
	c->busy++;
}

/* The end of every loop callback: report down, free if freed meanwhile. */
static void destroy(struct sync_tls_conn *c);

static void leave(struct sync_tls_conn *c)
{
	if (!c->dead && c->down_pending) {
		c->down_pending = false;
		loop_timer_cancel(c->loop, &c->kick);
		c->ops.down(c, &c->why, c->data);
	}
	if (--c->busy == 0 && c->dead)
		destroy(c);
}

static void on_io(struct loop_io *lio, uint32_t events)
{
	struct sync_tls_conn *c = lio->data;

	(void)events;
	enter(c);
	switch (c->state) {
	case SYNC_TLS_CONNECTING:
		connect_done(c);
		break;
	case SYNC_TLS_HANDSHAKE:
		do_handshake(c);
		break;
	case SYNC_TLS_UP:
		run_up(c);
		break;
	case SYNC_TLS_CLOSED:
		break;
	}
	leave(c);
}

static void on_kick(struct loop_timer *t)
{
	struct sync_tls_conn *c = t->data;

	enter(c);
	if (c->state == SYNC_TLS_HANDSHAKE)
		do_handshake(c);
	else if (c->state == SYNC_TLS_UP)
		run_up(c);
	leave(c);
}

static void on_hs_timeout(struct loop_timer *t)
{
	struct sync_tls_conn *c = t->data;

	enter(c);
	if (c->state == SYNC_TLS_CONNECTING || c->state == SYNC_TLS_HANDSHAKE)
		conn_close(c, SYNC_TLS_TIMEOUT, 0, 0,
			   "%s not done after %" PRIu32 " ms",
			   c->state == SYNC_TLS_CONNECTING ? "connect" :
							     "handshake",
			   c->hs_timeout_ms);
	leave(c);
}

/* ---- connections -------------------------------------------------------- */

static int conn_new(struct sync_tls_conn **cp, struct sync_tls_ctx *ctx,
		    struct loop *l, const struct sync_tls_conn_cfg *cfg,
		    bool client)
{
	struct sync_tls_conn *c;

	if (!cfg || !cfg->ops || !cfg->ops->up || !cfg->ops->recv ||
	    !cfg->ops->down)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->ctx = ctx;
	ctx->refs++;
	c->loop = l;
	c->fd = -1;
	c->client = client;
	c->ops = *cfg->ops;
	c->data = cfg->data;
	c->hs_timeout_ms = cfg->handshake_timeout_ms ?
				   cfg->handshake_timeout_ms :
				   SYNC_TLS_HANDSHAKE_TIMEOUT_MS;
	c->out_high = cfg->out_high ? cfg->out_high : SYNC_TLS_OUT_HIGH;
	c->out_low = cfg->out_low ? cfg->out_low : SYNC_TLS_OUT_LOW;
	if (c->out_low >= c->out_high)
		c->out_low = c->out_high / 2;
	c->in_max = cfg->in_max ? cfg->in_max : SYNC_TLS_IN_MAX;
	loop_timer_init(&c->hs_timer, on_hs_timeout, c);
	loop_timer_init(&c->kick, on_kick, c);
	*cp = c;
	return 0;
}

/* The TLS object over c->fd, registered with the loop, the clock running. */
static int conn_start(struct sync_tls_conn *c, uint32_t events)
{
	int one = 1, ret;
	BIO *bio;

	/* Sync messages are small and waited for: no Nagle delay. */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ERR_clear_error();
	c->ssl = SSL_new(c->ctx->ssl_ctx);
	bio = c->ssl ? BIO_new(c->ctx->bio_meth) : NULL;
	if (!bio) {
		ERR_clear_error();
		return -ENOMEM;
	}
	BIO_set_data(bio, c);
	SSL_set_bio(c->ssl, bio, bio);
	SSL_set_app_data(c->ssl, c);
	SSL_set_msg_callback(c->ssl, msg_cb);
	SSL_set_msg_callback_arg(c->ssl, c);
	if (c->client) {
		SSL_set_connect_state(c->ssl);
		SSL_set_verify(c->ssl, SSL_VERIFY_PEER, reject_certificate);
	} else {
		SSL_set_accept_state(c->ssl);
	}
	ret = loop_io_add(c->loop, &c->lio, c->fd, events, on_io, c);
	if (ret)
		return ret;
	c->registered = true;
	return loop_timer_arm(c->loop, &c->hs_timer, c->hs_timeout_ms);
}

int sync_tls_connect(struct sync_tls_conn **cp, struct sync_tls_ctx *ctx,
		     struct loop *l, uint32_t spi,
		     const struct sockaddr_in *peer,
		     const struct sockaddr_in *local,
		     const struct sync_tls_conn_cfg *cfg)
{
	const struct ctx_key *key;
	struct sync_tls_conn *c;
	int ret;

	if (!cp || !ctx || !l || !peer || peer->sin_family != AF_INET ||
	    (local && local->sin_family != AF_INET))
		return -EINVAL;
	*cp = NULL;
	key = ctx_find_key(ctx, spi);
	if (!key)
		return -ENOKEY;
	ret = conn_new(&c, ctx, l, cfg, true);
	if (ret)
		return ret;
	c->offer = *key;
	sync_tls_identity(spi, c->identity, sizeof(c->identity));
	c->state = SYNC_TLS_CONNECTING;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       IPPROTO_TCP);
	if (c->fd < 0 || (local && bind(c->fd, (const struct sockaddr *)local,
					sizeof(*local)))) {
		ret = -errno;
		goto err;
	}
	ret = conn_start(c, EPOLLOUT);
	if (ret)
		goto err;
	if (!connect(c->fd, (const struct sockaddr *)peer, sizeof(*peer))) {
		c->state = SYNC_TLS_HANDSHAKE;
		update_events(c);
		loop_timer_arm(c->loop, &c->kick, 0);
	} else if (errno != EINPROGRESS) {
		/* Reported like a refusal found later: through down. */
		conn_close(c, SYNC_TLS_IO_ERROR, 0, errno, "connect: %s",
			   strerror(errno));
	}
	*cp = c;
	return 0;
err:
	destroy(c);
	return ret;
}

int sync_tls_accept(struct sync_tls_conn **cp, struct sync_tls_ctx *ctx,
		    struct loop *l, int fd, const struct sync_tls_conn_cfg *cfg)
{
	struct sync_tls_conn *c;
	int fl, ret;

	if (!cp || !ctx || !l || fd < 0) {
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	*cp = NULL;
	ret = conn_new(&c, ctx, l, cfg, false);
	if (ret) {
		close(fd);
		return ret;
	}
	c->fd = fd;
	c->state = SYNC_TLS_HANDSHAKE;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK)) {
		ret = -errno;
		goto err;
	}
	ret = conn_start(c, EPOLLIN);
	if (ret)
		goto err;
	*cp = c;
	return 0;
err:
	destroy(c);
	return ret;
}

static void destroy(struct sync_tls_conn *c)
{
	/* A close_notify if the connection is sound; never waited for. */
	if (c->state == SYNC_TLS_UP && !c->fatal) {
		ERR_clear_error();
		SSL_shutdown(c->ssl);
		ERR_clear_error();
	}
	io_teardown(c);
	loop_timer_cancel(c->loop, &c->kick);
	SSL_free(c->ssl); /* and the BIO */
	free(c->in.data);
	free(c->out.data);
	OPENSSL_cleanse(&c->offer, sizeof(c->offer));
	ctx_put(c->ctx);
	free(c);
}

void sync_tls_conn_free(struct sync_tls_conn *c)
{
	if (!c)
		return;
	if (c->busy) {
		c->dead = true; /* the outermost leave() frees it */
		return;
	}
	destroy(c);
}

int sync_tls_send(struct sync_tls_conn *c, const void *buf, size_t len)
{
	if (!c || (!buf && len))
		return -EINVAL;
	if (gone(c))
		return -EPIPE;
	if (c->state != SYNC_TLS_UP)
		return -ENOTCONN;
	if (c->out.len >= c->out_high) {
		c->above_high = true;
		return -ENOBUFS;
	}
	if (!len)
		return 0;
	if (buf_reserve(&c->out, len, 0))
		return -ENOMEM;
	memcpy(c->out.data + c->out.head + c->out.len, buf, len);
	c->out.len += len;
	if (c->out.len >= c->out_high)
		c->above_high = true;
	/* Waiting for the socket: the write in progress must finish first. */
	if (!c->want_write)
		flush_out(c);
	/* Callbacks only from the loop: drained, or down, comes from there. */
	if (!c->busy && !c->dead &&
	    (c->state == SYNC_TLS_CLOSED ||
	     (c->above_high && c->out.len <= c->out_low)))
		loop_timer_arm(c->loop, &c->kick, 0);
	return 0;
}

size_t sync_tls_conn_queued(const struct sync_tls_conn *c)
{
	return c->out.len;
}

enum sync_tls_state sync_tls_conn_state(const struct sync_tls_conn *c)
{
	return c->state;
}

bool sync_tls_conn_is_client(const struct sync_tls_conn *c)
{
	return c->client;
}

bool sync_tls_conn_peer_spi(const struct sync_tls_conn *c, uint32_t *spi)
{
	if (c->client) {
		*spi = c->offer.spi;
		return true;
	}
	if (!c->have_spi)
		return false;
	*spi = c->peer_spi;
	return true;
}

int sync_tls_conn_fd(const struct sync_tls_conn *c)
{
	return c->fd;
}

const char *sync_tls_conn_cipher(const struct sync_tls_conn *c)
{
	if (!c->have_spi)
		return NULL;
	return SSL_get_cipher_name(c->ssl);
}

const char *sync_tls_conn_group(const struct sync_tls_conn *c)
{
	int nid;

	if (!c->have_spi)
		return NULL;
	nid = SSL_get_negotiated_group(c->ssl);
	return nid ? SSL_group_to_name(c->ssl, nid) : NULL;
}

const struct sync_tls_stats *sync_tls_conn_stats(const struct sync_tls_conn *c)
{
	return &c->stats;
}

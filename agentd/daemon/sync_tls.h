/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sync_tls: the secured channel of peer sync. One TCP connection per peer
 * home agent, secured by TLS 1.3 with an external pre-shared key: the key
 * of the HA-HA security association (secure-home-agent: SPI and key).
 *
 * Why TLS 1.3 with an external PSK: the home agents of one deployment
 * already share a key per pair (the HA-HA SA the operator configures for
 * Mobile IP), and nothing else. A PSK handshake authenticates both ends by
 * that key alone: no certificates, no CA, no expiry to manage, and a peer
 * that does not hold the key cannot complete the handshake (the server
 * checks the client's PSK binder, the client the server's Finished). With
 * psk_dhe_ke (the only mode offered or accepted) the session keys come
 * from an ephemeral (EC)DHE exchange as well, so a key that leaks later
 * does not decrypt what was recorded before: forward secrecy, which plain
 * psk_ke would not give. TLS 1.3 only: TLS 1.2's PSK suites have neither
 * the binder nor mandatory forward secrecy.
 *
 * Why no tickets, no resumption, no early data: a resumed session would be
 * authenticated by a ticket the server issued rather than by the
 * configured key, so removing a key on reload would not cut off a peer
 * that still holds a ticket; and 0-RTT data can be replayed. Every
 * connection is a full handshake with the configured key.
 *
 * The PSK identity: the ASCII string "mipha-ha-spi-" followed by the SA's
 * SPI in decimal, without leading zeros ("mipha-ha-spi-4096" for the SA
 * configured as spi = 0x1000), no terminating NUL on the wire. The server
 * looks the SPI up among its keys; an identity of another form, or an SPI
 * it has no key for, fails the handshake exactly as a wrong key does (the
 * binder does not verify: OpenSSL answers illegal_parameter), so a prober
 * learns nothing about which SPIs exist; the server itself knows and
 * reports which it was. The PSK's
 * hash is SHA-256 and the one cipher suite TLS_AES_128_GCM_SHA256 (what
 * "openssl s_client -psk" and most external-PSK implementations use); the
 * key bytes are the PSK (the key must be SYNC_TLS_KEY_MIN..SYNC_TLS_KEY_MAX
 * bytes: a TLS PSK shorter than 128 bits is not worth the name).
 *
 * Interoperates with OpenSSL's own tools, e.g. against a listening
 * mipha-agentd with spi = 0x1000 and a 32-byte key:
 *	openssl s_client -tls1_3 -psk <key in hex> \
 *		-psk_identity mipha-ha-spi-4096 -connect 192.0.2.1:PORT
 *
 * Keys: a struct sync_tls_ctx holds a list of SAs {spi, key}. The server
 * side accepts any of them (several SAs per peer during a key rollover);
 * the client side offers the one it is told to (the peer's newest). The
 * caller checks that the SPI a peer authenticated with belongs to that
 * peer's address. sync_tls_ctx_set_keys() replaces the list on a reload:
 * handshakes started after it use the new list, connections already up
 * keep running (their keys are in their TLS state, not in the list).
 *
 * A connection (struct sync_tls_conn) is made by connecting (client) or by
 * handing over an accepted socket (server). It lives on the event loop:
 * non-blocking connect, handshake, then plaintext both ways. What it tells
 * its owner, through struct sync_tls_ops, always from the loop (never from
 * inside a call the owner made):
 *   up       the handshake completed; sync_tls_conn_peer_spi() is known.
 *   recv     plaintext arrived: the callback is handed everything received
 *            and not yet consumed, and returns how much it consumed. The
 *            rest (a partial frame) stays and is handed again, with what
 *            follows, next time. At most in_max bytes are kept: if the
 *            buffer is full and the callback consumes nothing, the
 *            connection is closed as a protocol error (a frame larger
 *            than in_max).
 *   drained  the output queue, which had reached out_high, is down to
 *            out_low: a bulk sender may go on.
 *   down     the connection is closed (struct sync_tls_close says why);
 *            nothing is called after it. The owner frees it then.
 *
 * Freeing: sync_tls_conn_free() may be called at any time, including from
 * inside any of the connection's own callbacks (the memory goes when the
 * callback returns; nothing more is called). It never calls back. If the
 * handshake had completed and no error ended the connection, a close_notify
 * is sent first, best effort (if the socket cannot take it at once, it is
 * not sent); then the socket is closed.
 *
 * The module never writes to a socket with SIGPIPE armed (MSG_NOSIGNAL),
 * leaves nothing on OpenSSL's error queue (it drains it into the close
 * reason), and logs nothing but a failure of OpenSSL's setup in
 * sync_tls_ctx_new(): the owner logs the close reason with the peer's
 * name.
 *
 * Single-threaded, like the loop.
 */
#ifndef MIPHA_SYNC_TLS_H
#define MIPHA_SYNC_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "loop.h"

#define SYNC_TLS_KEY_MIN	 16 /* bytes: 128 bits */
#define SYNC_TLS_KEY_MAX	 64 /* bytes: as the SAs hold (AUTH_KEY_MAX) */
#define SYNC_TLS_IDENTITY_PREFIX "mipha-ha-spi-"
/* "mipha-ha-spi-4294967295" and its NUL. */
#define SYNC_TLS_IDENTITY_MAX (sizeof(SYNC_TLS_IDENTITY_PREFIX) + 10)

/* Defaults of struct sync_tls_conn_cfg's zero fields. */
#define SYNC_TLS_HANDSHAKE_TIMEOUT_MS 10000
#define SYNC_TLS_OUT_HIGH	      (1024 * 1024)
#define SYNC_TLS_OUT_LOW	      (256 * 1024)
#define SYNC_TLS_IN_MAX		      (1024 * 1024)

struct sync_tls_ctx;
struct sync_tls_conn;

/* One HA-HA SA as the caller holds it; the context copies the key. */
struct sync_tls_key {
	uint32_t spi;
	const uint8_t *key;
	size_t key_len; /* SYNC_TLS_KEY_MIN..SYNC_TLS_KEY_MAX */
};

/* Why a connection closed. */
enum sync_tls_reason {
	SYNC_TLS_AUTH,	      /* handshake: the PSK did not authenticate (see
				 enum sync_tls_auth) */
	SYNC_TLS_TIMEOUT,     /* handshake not done within its timeout */
	SYNC_TLS_PEER_CLOSED, /* the peer closed: close_notify, or the TCP
				 stream ended (then detail says so) */
	SYNC_TLS_IO_ERROR,    /* the socket failed: err is the errno
				 (ECONNREFUSED, ECONNRESET, ETIMEDOUT..) */
	SYNC_TLS_PROTOCOL,    /* the peer does not speak our TLS: garbage,
				 a record that does not decrypt after the
				 handshake, an unexpected message or alert, a
				 frame larger than in_max */
};

/* What failed in an SYNC_TLS_AUTH handshake. */
enum sync_tls_auth {
	SYNC_TLS_AUTH_NONE,
	SYNC_TLS_AUTH_PEER_ALERT,	/* the peer refused our key with an
					   alert (illegal_parameter from
					   OpenSSL, decrypt_error from others:
					   wrong key or unknown SPI, the peer
					   knows which) */
	SYNC_TLS_AUTH_UNKNOWN_IDENTITY, /* server: no key for the identity
					   the client offered */
	SYNC_TLS_AUTH_BAD_KEY,		/* our check failed: the client's
					   binder (server), the server's
					   Finished or first record (client):
					   the peer holds another key */
	SYNC_TLS_AUTH_NO_PSK,		/* client: the server did not use the
					   PSK (offered a certificate) */
};

struct sync_tls_close {
	enum sync_tls_reason reason;
	enum sync_tls_auth auth; /* reason SYNC_TLS_AUTH */
	bool in_handshake;	 /* closed before the handshake completed */
	int err;		 /* errno (SYNC_TLS_IO_ERROR), else 0 */
	uint8_t alert;		 /* TLS alert received or sent, 0: none */
	bool alert_received;	 /* alert came from the peer */
	const char *detail;	 /* human-readable, OpenSSL's reason
				    included; valid during the callback */
};

/*
 * Counters, per connection and summed per context. A handshake ends as
 * exactly one of handshakes, hs_auth_failures, hs_timeouts or hs_other
 * (unless the owner freed the connection first: then none).
 */
struct sync_tls_stats {
	uint64_t handshakes;	      /* completed */
	uint64_t hs_auth_failures;    /* SYNC_TLS_AUTH, broken down below */
	uint64_t hs_unknown_identity; /* of them: no key for the identity */
	uint64_t hs_bad_key;	      /* of them: our check of their key */
	uint64_t hs_peer_refused;     /* of them: refused by the peer */
	uint64_t hs_no_psk;	      /* of them: server did not use the PSK */
	uint64_t hs_timeouts;	      /* SYNC_TLS_TIMEOUT */
	uint64_t hs_other; /* refused, reset, closed, garbage (not auth) */
	uint64_t bytes_in, bytes_out;	  /* plaintext */
	uint64_t records_in, records_out; /* TLS records, handshake ones too */
	uint64_t wire_in, wire_out;	  /* TCP payload bytes */
	uint64_t write_blocked;		  /* times the socket took no more */
};

struct sync_tls_ops {
	void (*up)(struct sync_tls_conn *c, void *data);
	/* Returns how many of the len bytes it consumed (<= len). */
	size_t (*recv)(struct sync_tls_conn *c, const uint8_t *buf, size_t len,
		       void *data);
	void (*drained)(struct sync_tls_conn *c, void *data); /* optional */
	void (*down)(struct sync_tls_conn *c, const struct sync_tls_close *why,
		     void *data);
};

/* A connection's parameters; a zero field takes its default. */
struct sync_tls_conn_cfg {
	const struct sync_tls_ops *ops; /* up, recv and down required */
	void *data;			/* handed to the ops */
	uint32_t handshake_timeout_ms;	/* from creation (connect included) */
	size_t out_high; /* queued bytes from which sends are refused */
	size_t out_low;	 /* drained fires at or below this (< out_high) */
	size_t in_max;	 /* most received plaintext kept unconsumed */
};

enum sync_tls_state {
	SYNC_TLS_CONNECTING, /* TCP connect in progress (client) */
	SYNC_TLS_HANDSHAKE,
	SYNC_TLS_UP,
	SYNC_TLS_CLOSED, /* down reported, or about to be */
};

/*
 * A context over keys[0..n) (copied; n may be 0: every handshake then
 * fails). Returns 0, -EINVAL (a key too short or too long, an SPI twice),
 * -ENOMEM, or -EIO if OpenSSL could not set up TLS 1.3 with PSK.
 */
int sync_tls_ctx_new(struct sync_tls_ctx **ctxp,
		     const struct sync_tls_key *keys, size_t n);
/* Replace the keys (as sync_tls_ctx_new() checks them); on error the old
 * ones stay. Connections up or in their handshake are not affected. */
int sync_tls_ctx_set_keys(struct sync_tls_ctx *ctx,
			  const struct sync_tls_key *keys, size_t n);
/* Drops the owner's reference: the context goes with its last connection. */
void sync_tls_ctx_free(struct sync_tls_ctx *ctx);
const struct sync_tls_stats *sync_tls_ctx_stats(const struct sync_tls_ctx *ctx);

/*
 * Connect to peer (IPv4 address and port) from local (NULL, or address
 * and port 0 for any port), offering the context's key of spi (copied:
 * a reload does not change what this connection offers). Returns 0 with a
 * connection that reports up or down later, even if connect() fails at
 * once; -EINVAL, -ENOKEY (no key for spi), or the errno of socket() or
 * bind() (-EADDRNOTAVAIL: local is not ours).
 */
int sync_tls_connect(struct sync_tls_conn **cp, struct sync_tls_ctx *ctx,
		     struct loop *l, uint32_t spi,
		     const struct sockaddr_in *peer,
		     const struct sockaddr_in *local,
		     const struct sync_tls_conn_cfg *cfg);
/*
 * Serve fd, a TCP socket from accept() (made non-blocking here). Takes fd
 * in every case: on error it is closed. Returns 0, -EINVAL, -ENOMEM.
 */
int sync_tls_accept(struct sync_tls_conn **cp, struct sync_tls_ctx *ctx,
		    struct loop *l, int fd,
		    const struct sync_tls_conn_cfg *cfg);
/* See the top of the file: safe from the connection's own callbacks. */
void sync_tls_conn_free(struct sync_tls_conn *c);

/*
 * Queue len bytes of plaintext (copied) and send what the socket takes.
 * All or nothing: returns 0 (queued), -ENOBUFS if out_high bytes or more
 * are already queued (drained will follow), -ENOTCONN before up, -EPIPE
 * once closed, -ENOMEM. A message is refused only by what is queued
 * before it, so any size gets through once the queue is below out_high.
 * An error of the socket found while sending comes later, through down.
 */
int sync_tls_send(struct sync_tls_conn *c, const void *buf, size_t len);
/* Plaintext bytes queued and not yet taken by the socket. */
size_t sync_tls_conn_queued(const struct sync_tls_conn *c);

enum sync_tls_state sync_tls_conn_state(const struct sync_tls_conn *c);
bool sync_tls_conn_is_client(const struct sync_tls_conn *c);
/* The SPI the peer authenticated with (once up; the client's own offer
 * from the start). false if not known yet. */
bool sync_tls_conn_peer_spi(const struct sync_tls_conn *c, uint32_t *spi);
/* The socket, for getpeername() and socket options; -1 once closed. */
int sync_tls_conn_fd(const struct sync_tls_conn *c);
/* Once up: "TLS_AES_128_GCM_SHA256", the (EC)DHE group ("x25519"). */
const char *sync_tls_conn_cipher(const struct sync_tls_conn *c);
const char *sync_tls_conn_group(const struct sync_tls_conn *c);
const struct sync_tls_stats *sync_tls_conn_stats(const struct sync_tls_conn *c);

/* The identity of spi, as sent ("mipha-ha-spi-4096"); buf of at least
 * SYNC_TLS_IDENTITY_MAX bytes. Returns its length. */
size_t sync_tls_identity(uint32_t spi, char *buf, size_t size);
/* The SPI of an identity as received (exactly the canonical form). */
bool sync_tls_identity_parse(const uint8_t *id, size_t len, uint32_t *spi);

const char *sync_tls_reason_name(enum sync_tls_reason r);
const char *sync_tls_auth_name(enum sync_tls_auth a);

#endif /* MIPHA_SYNC_TLS_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctlsock: the control socket (/run/mipha/agentd.sock): JSON lines over a
 * unix stream socket, for miphactl. This header is the protocol and its
 * client; the daemon's server is ctlsock_server.h.
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

#define CTLSOCK_LINE_MAX    65536
/* Where the daemon listens unless configured otherwise. */
#define CTLSOCK_DEFAULT_PATH "/run/mipha/agentd.sock"

/* Client side (miphactl): connect to path; -errno. */
int ctlsock_connect(const char *path);

#endif /* MIPHA_CTLSOCK_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * miphactl: shared state of one invocation, command dispatch, argument
 * parsing helpers and output formatting. One file per command group
 * (ctl_binding.c, ctl_link.c, ctl_stats.c, ctl_monitor.c, ctl_daemon.c,
 * ctl_events.c, ctl_ipsp.c), ctl_batch.c for -b.
 */
#ifndef MIPHA_CTL_H
#define MIPHA_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>
#include <jansson.h>

#include "kernel.h"

/* Exit statuses, and what command handlers return. */
enum ctl_status {
	CTL_OK = 0,
	CTL_ERR = 1,   /* the command failed */
	CTL_USAGE = 2, /* the command line was wrong */
};

/* Errors of one netlink batch shown without -force. */
#define CTL_BATCH_ERRORS_SHOWN 10

/* Longest batch line and most words in one command. */
#define CTL_LINE_MAX 8192
#define CTL_ARGS_MAX 64

struct ctl {
	bool json;    /* -j: JSON output */
	bool force;   /* -force: in batch mode, go on after errors */
	bool dry_run; /* parse only, never talk to the kernel */
	FILE *out;    /* normal output (stdout) */
	FILE *errf;   /* error output (stderr) */
	const char *sock_path; /* -socket: mipha-agentd's control socket */

	/* Batch mode (-b): where we are, for error messages. */
	const char *file; /* NULL outside batch mode */
	unsigned long line;
	unsigned int failed;	   /* failed commands so far */
	bool stop;		   /* an error ended the batch */
	unsigned long batch_first; /* lines of the queued changes */
	unsigned long batch_last;
	unsigned int shown;  /* errors of the last batch reported */
	unsigned int hidden; /* and not reported */

	struct kernel_sock *ks;	    /* opened on first use */
	struct kernel_batch *batch; /* batch mode: queued changes */

	/*
	 * Message of the last failure. A handler that failed with an empty
	 * message has already reported it (batch errors come many at once).
	 */
	char err[1024];
};

/* A word of a command table; the first entry that word abbreviates wins. */
struct ctl_cmd {
	const char *name;
	int (*run)(struct ctl *c, int argc, char **argv);
};

/* ctl.c */
void ctl_init(struct ctl *c);
void ctl_fini(struct ctl *c);
int ctl_main(int argc, char **argv);
int ctl_run(struct ctl *c, int argc, char **argv);
int ctl_dispatch(struct ctl *c, const struct ctl_cmd *cmds, const char *ctx,
		 int argc, char **argv);
bool ctl_matches(const char *word, const char *name);
int ctl_fail(struct ctl *c, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int ctl_kernel_fail(struct ctl *c, const char *what, int ret);
void ctl_report(struct ctl *c, unsigned long line, const char *msg);
int ctl_kernel(struct ctl *c);
int ctl_sync(struct ctl *c);
int ctl_batch_queue(struct ctl *c, enum kernel_op op,
		    const struct kernel_binding *b);
void ctl_json_print(struct ctl *c, json_t *obj);
void ctl_usage(FILE *f);

/* ctl_batch.c */
int ctl_split_line(char *line, char **argv, int max, int *argc);
int ctl_batch_stream(struct ctl *c, FILE *f, const char *name);
int ctl_batch_file(struct ctl *c, const char *name);

/* ctl_parse.c: small parsers, true on success. */
bool parse_ipv4(const char *s, struct in_addr *addr);
bool parse_u32(const char *s, uint32_t *v);
bool parse_lifetime(const char *s, uint32_t *seconds);
bool parse_encap(const char *s, uint8_t *encap);
bool parse_hex(const char *s, uint8_t *buf, size_t max, size_t *len);
bool parse_link(const char *s, uint32_t *ifindex);

/* ctl_parse.c: formatting. */
char *fmt_hms(char *buf, size_t len, uint64_t seconds);
uint64_t expires_seconds(uint64_t expires_ms);
char *fmt_hex(char *buf, size_t len, const uint8_t *data, size_t n);
char *fmt_link(char *buf, size_t len, uint32_t ifindex);
/*
 * Strings from the network or the kernel, for text output: printable
 * ASCII as is, a backslash doubled, any other byte as \xHH (a terminal
 * escape sequence shows as \x1b[...). A buffer of FMT_ESCAPED_LEN(n)
 * bytes holds any n bytes escaped.
 */
#define FMT_ESCAPED_LEN(n) (4 * (n) + 1)
char *fmt_escaped(char *buf, size_t len, const char *s, size_t n);
void fput_escaped(FILE *f, const char *s, size_t n);
json_t *json_escaped(const json_t *v);
char *fmt_flag_letters(char *buf, size_t len, uint32_t flags);
char *fmt_ipv4(char *buf, struct in_addr addr);

/* ctl_binding.c */
struct binding_args {
	struct kernel_binding b;
	uint8_t cookie[MIPHA_COOKIE_MAX];
};

int binding_parse_args(struct ctl *c, const char *cmd, int argc, char **argv,
		       struct binding_args *a);
int binding_parse_filter(struct ctl *c, int argc, char **argv,
			 struct kernel_dump_filter *f);
void binding_print(struct ctl *c, const struct kernel_binding *b);
void binding_print_line(struct ctl *c, const struct kernel_binding *b);
void binding_json_print(FILE *f, const struct kernel_binding *b,
			const char *event);
void json_put_str(FILE *f, const char *s);
int do_binding(struct ctl *c, int argc, char **argv);
void binding_usage(FILE *f);

/* ctl_stats.c: the namespace's statistics and its binding limit */
void stats_print(struct ctl *c, const struct kernel_stats *st);
int do_stats(struct ctl *c, int argc, char **argv);
int kconfig_parse_args(struct ctl *c, int argc, char **argv,
		       uint32_t *max_bindings);
int do_kernel_config(struct ctl *c, int argc, char **argv);

/* ctl_link.c */
bool parse_mac(const char *s, uint8_t mac[KERNEL_LLADDR_LEN]);
bool mac_is_unicast(const uint8_t mac[KERNEL_LLADDR_LEN]);
char *fmt_mac(char *buf, size_t len, const uint8_t mac[KERNEL_LLADDR_LEN]);
int link_parse_set_args(struct ctl *c, int argc, char **argv,
			struct kernel_link *l);
int announce_parse_args(struct ctl *c, int argc, char **argv, uint32_t *ifindex,
			struct in_addr *home, bool *all);
void link_print(struct ctl *c, const struct kernel_link *l);
json_t *link_json(const struct kernel_link *l);
void link_list_print(struct ctl *c, struct kernel_link *v, size_t n);
int do_link(struct ctl *c, int argc, char **argv);
int do_announce(struct ctl *c, int argc, char **argv);
void link_usage(FILE *f);

/* ctl_daemon.c: the connection to mipha-agentd's control socket */
struct daemon_conn {
	FILE *f;
	char *line;
	size_t size;
	bool closed; /* the daemon ended the connection */
};

/* daemon_next(): the final "ok" line was read (CTL_* are 0..2). */
#define DAEMON_ANSWER_END 100

int daemon_open(struct ctl *c, struct daemon_conn *dc);
void daemon_close(struct daemon_conn *dc);
/* Sends req (its reference taken) as one request line. */
int daemon_send(struct ctl *c, struct daemon_conn *dc, json_t *req);
/*
 * Next answer line into *obj: CTL_OK for a list item (or an event),
 * DAEMON_ANSWER_END for the final "ok" line, or an error (reported, *obj
 * NULL). For text output every string of *obj is escaped (json_escaped()).
 */
int daemon_next(struct ctl *c, struct daemon_conn *dc, json_t **obj);

/* ctl_daemon.c: commands answered by mipha-agentd */
/* One request (stolen) whose answer is one result (*result, new). */
int daemon_call(struct ctl *c, json_t *req, json_t **result);
/* A member of an answer: 0 / "" when absent. */
json_int_t jint(const json_t *o, const char *k);
const char *jstr(const json_t *o, const char *k);
int do_daemon_binding(struct ctl *c, int argc, char **argv);
int do_pool(struct ctl *c, int argc, char **argv);
int do_daemon_stats(struct ctl *c, int argc, char **argv);
int do_config(struct ctl *c, int argc, char **argv);
void daemon_usage(FILE *f);

/* ctl_standby.c: the HSRP groups (IOS show standby) */
int do_standby(struct ctl *c, int argc, char **argv);
int do_redundancy(struct ctl *c, int argc, char **argv);

/* ctl_ipsp.c: IP Pool Sharing Protocol state (StarOS show ip ipsp) */
void ipsp_print(struct ctl *c, const json_t *st);
int do_ipsp(struct ctl *c, int argc, char **argv);

/* ctl_monitor.c */
void notification_print(struct ctl *c, const struct kernel_notification *n);
int do_monitor(struct ctl *c, int argc, char **argv);

/* ctl_events.c: mipha-agentd's events, followed */
void event_print(struct ctl *c, const json_t *ev);
int do_events(struct ctl *c, int argc, char **argv);

#endif /* MIPHA_CTL_H */

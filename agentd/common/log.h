/* SPDX-License-Identifier: GPL-2.0 */
/*
 * log: the daemon's logging. To stderr (foreground, systemd's journal picks
 * it up) or to syslog (daemon facility). Errors, warnings, notices and
 * informational lines always go out; debug lines only for the subsystems
 * switched on (-d registration,pool or "debug" in the configuration).
 *
 * Warnings that bad input from the network can trigger at line rate go
 * through log_ratelimited(): each call site gets LOG_RL_BURST lines per
 * LOG_RL_INTERVAL_MS, then one line saying how many were suppressed.
 *
 * Not thread safe (the daemon has one thread).
 */
#ifndef MIPHA_LOG_H
#define MIPHA_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

/* Debug switches, one per subsystem; the names are what -d takes. */
enum log_subsys {
	LOG_REGISTRATION, /* "registration": each request and its decision */
	LOG_POOL,	  /* "pool": allocations and releases */
	LOG_KERNEL,	  /* "kernel": netlink requests and notifications */
	LOG_CTL,	  /* "ctl": control socket clients and commands */
	LOG_CONFIG,	  /* "config": loading and reloading */
	LOG_STANDBY,	  /* "standby": HSRP messages and timers */
	LOG_SUBSYS_MAX,
};

#define LOG_SUBSYS_ALL ((1U << LOG_SUBSYS_MAX) - 1)

enum log_target {
	LOG_TO_STDERR,
	LOG_TO_SYSLOG,
};

/* Repeated warnings: this many lines per call site and interval. */
#define LOG_RL_BURST	   10
#define LOG_RL_INTERVAL_MS 5000

/* State of one rate-limited call site (zero-initialised). */
struct log_ratelimit {
	uint64_t start_ms;	 /* monotonic start of the current interval */
	unsigned int printed;	 /* lines printed in the interval */
	unsigned int suppressed; /* lines dropped in the interval */
};

/* facility: LOG_DAEMON, LOG_LOCAL0.. (syslog only). */
void log_open(const char *ident, enum log_target target, int facility);
void log_close(void);
enum log_target log_get_target(void);

/* Debug switches: a mask of (1 << enum log_subsys). */
void log_set_debug(unsigned int mask);
unsigned int log_get_debug(void);
extern unsigned int log_debug_mask; /* read through log_debug_on() */

static inline bool log_debug_on(enum log_subsys s)
{
	return log_debug_mask & (1U << s);
}

/*
 * "registration,pool" -> mask; "all" for every subsystem, "" or "none" for
 * none. Returns 0, or -EINVAL with the offending word copied to bad.
 */
int log_parse_debug(const char *list, unsigned int *mask, char *bad,
		    size_t badlen);
const char *log_subsys_name(enum log_subsys s);

void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_debug_msg(enum log_subsys s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Returns true if the line was printed. */
bool log_rl_msg(struct log_ratelimit *rl, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The rate-limiting decision alone, with the time given (for tests). */
bool log_rl_allow(struct log_ratelimit *rl, uint64_t now_ms,
		  unsigned int *suppressed);

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(s, ...)                              \
	do {                                           \
		if (log_debug_on(s))                   \
			log_debug_msg(s, __VA_ARGS__); \
	} while (0)
/* A warning that bad input may repeat at line rate. */
#define log_ratelimited(prio, ...)                            \
	do {                                                  \
		static struct log_ratelimit log_rl_site_;     \
		log_rl_msg(&log_rl_site_, prio, __VA_ARGS__); \
	} while (0)

#endif /* MIPHA_LOG_H */

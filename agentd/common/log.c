// SPDX-License-Identifier: GPL-2.0
/*
 * log: stderr or syslog, debug switches per subsystem, rate limiting.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

unsigned int log_debug_mask;
static enum log_target log_target = LOG_TO_STDERR;
static const char *log_ident = "mipha-agentd";

static const char *const subsys_names[LOG_SUBSYS_MAX] = {
	[LOG_REGISTRATION] = "registration",
	[LOG_POOL] = "pool",
	[LOG_KERNEL] = "kernel",
	[LOG_CTL] = "ctl",
	[LOG_CONFIG] = "config",
	[LOG_STANDBY] = "standby",
};

void log_open(const char *ident, enum log_target target, int facility)
{
	if (ident)
		log_ident = ident;
	if (log_target == LOG_TO_SYSLOG)
		closelog();
	log_target = target;
	if (target == LOG_TO_SYSLOG)
		openlog(log_ident, LOG_PID | LOG_NDELAY, facility);
}

void log_close(void)
{
	if (log_target == LOG_TO_SYSLOG)
		closelog();
	log_target = LOG_TO_STDERR;
}

enum log_target log_get_target(void)
{
	return log_target;
}

void log_set_debug(unsigned int mask)
{
	log_debug_mask = mask & LOG_SUBSYS_ALL;
}

unsigned int log_get_debug(void)
{
	return log_debug_mask;
}

const char *log_subsys_name(enum log_subsys s)
{
	return (unsigned int)s < LOG_SUBSYS_MAX ? subsys_names[s] : "?";
}

int log_parse_debug(const char *list, unsigned int *mask, char *bad,
		    size_t badlen)
{
	unsigned int m = 0;
	const char *p = list;

	if (bad && badlen)
		bad[0] = '\0';
	while (*p) {
		size_t len = strcspn(p, ", ");
		int i;

		if (!len) {
			p++;
			continue;
		}
		if (len == 3 && !strncmp(p, "all", 3)) {
			m = LOG_SUBSYS_ALL;
		} else if (len == 4 && !strncmp(p, "none", 4)) {
			/* nothing */
		} else {
			for (i = 0; i < LOG_SUBSYS_MAX; i++) {
				if (strlen(subsys_names[i]) == len &&
				    !strncmp(p, subsys_names[i], len))
					break;
			}
			if (i == LOG_SUBSYS_MAX) {
				if (bad && badlen)
					snprintf(bad, badlen, "%.*s", (int)len,
						 p);
				return -EINVAL;
			}
			m |= 1U << i;
		}
		p += len;
	}
	*mask = m;
	return 0;
}

static const char *prio_tag(int prio)
{
	switch (prio) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error: ";
	case LOG_WARNING:
		return "warning: ";
	default:
		return "";
	}
}

static void log_vmsg(int prio, const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_target == LOG_TO_SYSLOG) {
		syslog(prio, "%s%s", prefix, line);
		return;
	}
	fprintf(stderr, "%s: %s%s%s\n", log_ident, prio_tag(prio), prefix,
		line);
	fflush(stderr);
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, "", fmt, ap);
	va_end(ap);
}

void log_debug_msg(enum log_subsys s, const char *fmt, ...)
{
	char prefix[32];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "%s: ", log_subsys_name(s));
	va_start(ap, fmt);
	log_vmsg(LOG_DEBUG, prefix, fmt, ap);
	va_end(ap);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A new interval starts when the old one is over; the first line of the
 * new interval reports what the old one suppressed.
 */
bool log_rl_allow(struct log_ratelimit *rl, uint64_t now_ms,
		  unsigned int *suppressed)
{
	*suppressed = 0;
	if (!rl->start_ms || now_ms - rl->start_ms >= LOG_RL_INTERVAL_MS) {
		*suppressed = rl->suppressed;
		rl->start_ms = now_ms ?: 1;
		rl->printed = 0;
		rl->suppressed = 0;
	}
	if (rl->printed >= LOG_RL_BURST) {
		rl->suppressed++;
		return false;
	}
	rl->printed++;
	return true;
}

bool log_rl_msg(struct log_ratelimit *rl, int prio, const char *fmt, ...)
{
	unsigned int suppressed;
	va_list ap;

	if (!log_rl_allow(rl, mono_ms(), &suppressed))
		return false;
	if (suppressed)
		log_msg(prio, "%u similar messages suppressed", suppressed);
	va_start(ap, fmt);
	log_vmsg(prio, "", fmt, ap);
	va_end(ap);
	return true;
}

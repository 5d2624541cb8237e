// SPDX-License-Identifier: GPL-2.0
/*
 * miphactl: the commands answered by mipha-agentd over its control socket
 * (binding list/show/summary, pool show, stats, config reload), the
 * connection to it that ctl_events.c follows events on, and
 * "config check FILE", which runs the daemon's own check
 * (mipha-agentd --check FILE).
 *
 * The socket is /run/mipha/agentd.sock unless -socket PATH or
 * $MIPHA_AGENTD_SOCK say otherwise. See ctlsock.h for the protocol.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/wait.h>

#include "ctl.h"
#include "ctlsock.h"
#include "reg_msg.h"

static const char *sock_path(const struct ctl *c)
{
	const char *env = getenv("MIPHA_AGENTD_SOCK");

	if (c->sock_path)
		return c->sock_path;
	return env && *env ? env : CTLSOCK_DEFAULT_PATH;
}

int daemon_open(struct ctl *c, struct daemon_conn *dc)
{
	const char *path = sock_path(c);
	int fd = ctlsock_connect(path);

	memset(dc, 0, sizeof(*dc));
	if (fd < 0)
		return ctl_fail(c, CTL_ERR, "%s: %s (is mipha-agentd running?)",
				path, strerror(-fd));
	dc->f = fdopen(fd, "r+");
	if (!dc->f) {
		close(fd);
		return ctl_fail(c, CTL_ERR, "%s", strerror(errno));
	}
	return CTL_OK;
}

void daemon_close(struct daemon_conn *dc)
{
	if (dc->f)
		fclose(dc->f);
	free(dc->line);
}

int daemon_send(struct ctl *c, struct daemon_conn *dc, json_t *req)
{
	int ret = json_dumpf(req, dc->f, JSON_COMPACT);

	json_decref(req);
	if (ret || fputc('\n', dc->f) == EOF || fflush(dc->f))
		return ctl_fail(c, CTL_ERR, "control socket: write failed");
	return CTL_OK;
}

int daemon_next(struct ctl *c, struct daemon_conn *dc, json_t **obj)
{
	json_error_t jerr;
	const char *status;
	bool end;

	*obj = NULL;
	if (getline(&dc->line, &dc->size, dc->f) < 0) {
		/* Its end: EOF, or a reset if it had our bytes unread. */
		dc->closed = feof(dc->f) || errno == ECONNRESET;
		return ctl_fail(c, CTL_ERR,
				"control socket: connection closed by the "
				"daemon");
	}
	/*
	 * A NUL in a string (an NAI, a cookie's) must not make the whole
	 * answer unreadable: it is escaped like any other byte.
	 */
	*obj = json_loads(dc->line, JSON_ALLOW_NUL, &jerr);
	if (!*obj || !json_is_object(*obj)) {
		json_decref(*obj);
		*obj = NULL;
		return ctl_fail(c, CTL_ERR, "control socket: bad answer: %s",
				jerr.text);
	}
	status = json_string_value(json_object_get(*obj, "status"));
	if (status && strcmp(status, "ok")) {
		json_t *ev = json_object_get(*obj, "error");
		char e[FMT_ESCAPED_LEN(256)];
		int ret;

		if (!json_is_string(ev))
			ev = json_object_get(*obj, "status");
		fmt_escaped(e, sizeof(e), json_string_value(ev),
			    json_string_length(ev));
		ret = ctl_fail(c, CTL_ERR, "mipha-agentd: %s", e);
		json_decref(*obj);
		*obj = NULL;
		return ret;
	}
	end = status != NULL; /* "ok": the final line; else a list item */
	/*
	 * Text output prints the strings as they are: escape them all here,
	 * once (NAIs come from the network, pool names and cookies' contents
	 * from files and the kernel). JSON output is escaped by jansson.
	 */
	if (!c->json) {
		json_t *e = json_escaped(*obj);

		json_decref(*obj);
		*obj = e;
		if (!e)
			return ctl_fail(c, CTL_ERR, "%s", strerror(ENOMEM));
	}
	return end ? DAEMON_ANSWER_END : CTL_OK;
}

/* One request whose answer is a single result. */
int daemon_call(struct ctl *c, json_t *req, json_t **result)
{
	struct daemon_conn dc;
	json_t *obj;
	int ret;

	*result = NULL;
	ret = daemon_open(c, &dc);
	if (ret) {
		json_decref(req);
		return ret;
	}
	ret = daemon_send(c, &dc, req);
	while (!ret) {
		ret = daemon_next(c, &dc, &obj);
		if (ret == DAEMON_ANSWER_END) {
			*result = json_incref(json_object_get(obj, "result"));
			json_decref(obj);
			ret = CTL_OK;
			break;
		}
		json_decref(obj); /* stray items: not expected here */
	}
	daemon_close(&dc);
	return ret;
}

json_int_t jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k)) ?: "";
}

/* The block of "show ip mobile binding" for one binding. */
static void binding_block(struct ctl *c, const json_t *b)
{
	const char *opts = jstr(b, "routing_options");
	char granted[32], remaining[32];

	fmt_hms(granted, sizeof(granted), (uint64_t)jint(b, "lifetime"));
	fmt_hms(remaining, sizeof(remaining), (uint64_t)jint(b, "remaining"));
	fprintf(c->out, "%s:\n", jstr(b, "home_addr"));
	if (json_object_get(b, "nai"))
		fprintf(c->out, "    NAI %s%s%s\n", jstr(b, "nai"),
			json_object_get(b, "pool") ? ", pool " : "",
			jstr(b, "pool"));
	fprintf(c->out, "    Care-of Addr %s, Src Addr %s,\n", jstr(b, "coa"),
		jstr(b, "src"));
	fprintf(c->out, "    Lifetime granted %s (%lld), remaining %s\n",
		granted, (long long)jint(b, "lifetime"), remaining);
	fprintf(c->out, "    Flags %s, Identification %s,\n", jstr(b, "flags"),
		jstr(b, "identification"));
	fprintf(c->out, "    Tunnel src %s dest %s %s\n", jstr(b, "ha_addr"),
		jstr(b, "coa"),
		json_is_true(json_object_get(b, "reverse_tunnel")) ?
			"reverse-allowed" :
			"reverse-off");
	fprintf(c->out, "    Routing Options -%s%s%s%s\n",
		strchr(opts, 'B') ? " (B)Broadcast" : "",
		strchr(opts, 'D') ? " (D)Direct-to-MN" : "",
		strchr(opts, 'G') ? " (G)GRE" : "",
		strchr(opts, 'T') ? " (T)Reverse-tunnel" : "");
}

static int binding_list(struct ctl *c, int argc, char **argv)
{
	struct daemon_conn dc;
	json_t *obj, *all = NULL;
	const char *ha = NULL;
	struct in_addr a;
	bool first = true;
	int ret;

	/* IOS: show ip mobile binding [home-agent ADDR]. */
	if (argc == 2 && ctl_matches(argv[0], "home-agent") &&
	    parse_ipv4(argv[1], &a))
		ha = argv[1];
	else if (argc)
		return ctl_fail(c, CTL_USAGE,
				"binding list: expected [home-agent ADDR]");
	ret = daemon_open(c, &dc);
	if (ret)
		return ret;
	ret = daemon_send(c, &dc,
			  json_pack("{s:s}", "command", "binding list"));
	/* Text needs the total first: keep the items (JSON streams them). */
	if (!c->json)
		all = json_array();
	else
		fputs("[", c->out);
	while (!ret) {
		ret = daemon_next(c, &dc, &obj);
		if (ret == DAEMON_ANSWER_END) {
			if (c->json) {
				fputs("]\n", c->out);
			} else {
				size_t i;

				fprintf(c->out,
					"Mobility Binding List:\n"
					"Total %zu\n",
					json_array_size(all));
				for (i = 0; i < json_array_size(all); i++)
					binding_block(c,
						      json_array_get(all, i));
			}
			json_decref(obj);
			ret = CTL_OK;
			break;
		}
		if (ret)
			break;
		if (ha && strcmp(jstr(obj, "ha_addr"), ha)) {
			json_decref(obj);
			continue;
		}
		if (c->json) {
			if (!first)
				fputc(',', c->out);
			first = false;
			json_dumpf(obj, c->out,
				   JSON_COMPACT | JSON_ENSURE_ASCII);
			json_decref(obj);
		} else {
			json_array_append_new(all, obj);
		}
	}
	json_decref(all);
	daemon_close(&dc);
	return ret;
}

static int binding_show(struct ctl *c, int argc, char **argv)
{
	struct in_addr a;
	json_t *res;
	int ret;

	if (argc != 1 || !parse_ipv4(argv[0], &a))
		return ctl_fail(c, CTL_USAGE,
				"binding show: one home address expected");
	ret = daemon_call(c,
			  json_pack("{s:s, s:s}", "command", "binding show",
				    "home_addr", argv[0]),
			  &res);
	if (ret)
		return ret;
	if (c->json)
		ctl_json_print(c, res);
	else {
		binding_block(c, res);
		json_decref(res);
	}
	return CTL_OK;
}

static int binding_summary(struct ctl *c, int argc, char **argv)
{
	const char *k;
	json_t *res, *v;
	int ret;

	if (argc)
		return ctl_fail(c, CTL_USAGE,
				"binding summary: unexpected \"%s\"", argv[0]);
	ret = daemon_call(c, json_pack("{s:s}", "command", "binding summary"),
			  &res);
	if (ret)
		return ret;
	if (c->json) {
		ctl_json_print(c, res);
		return CTL_OK;
	}
	fprintf(c->out,
		"Mobility Binding List:\nTotal %lld\n"
		"  dynamic addresses %lld, virtual networks %lld, GRE %lld, "
		"reverse tunnel %lld\n",
		(long long)jint(res, "total"), (long long)jint(res, "dynamic"),
		(long long)jint(res, "virtual_network"),
		(long long)jint(res, "gre"),
		(long long)jint(res, "reverse_tunnel"));
	json_object_foreach(json_object_get(res, "by_ha_addr"), k, v)
		fprintf(c->out, "  home agent %s: %lld\n", k,
			(long long)json_integer_value(v));
	json_decref(res);
	return CTL_OK;
}

static int binding_help(struct ctl *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(c->out,
		"Usage: miphactl binding { list [home-agent ADDR] | show ADDR | "
		"summary }\n");
	return CTL_OK;
}

static const struct ctl_cmd binding_cmds[] = {
	{ "list", binding_list },
	{ "show", binding_show },
	{ "summary", binding_summary },
	{ "help", binding_help },
	{ NULL, NULL },
};

int do_daemon_binding(struct ctl *c, int argc, char **argv)
{
	return ctl_dispatch(c, binding_cmds, "binding", argc, argv);
}

static int pool_show(struct ctl *c, int argc, char **argv)
{
	json_t *res, *p, *r;
	size_t i, j;
	int ret;

	if (argc)
		return ctl_fail(c, CTL_USAGE, "pool show: unexpected \"%s\"",
				argv[0]);
	ret = daemon_call(c, json_pack("{s:s}", "command", "pool show"), &res);
	if (ret)
		return ret;
	if (c->json) {
		ctl_json_print(c, res);
		return CTL_OK;
	}
	json_array_foreach(json_object_get(res, "pools"), i, p)
	{
		fprintf(c->out,
			"Pool %s%s%s: %lld of %lld in use (peak %lld), "
			"%lld allocated, %lld released, %lld exhausted\n",
			jstr(p, "name"),
			json_object_get(p, "group") ? ", group " : "",
			jstr(p, "group"), (long long)jint(p, "used"),
			(long long)jint(p, "size"), (long long)jint(p, "peak"),
			(long long)jint(p, "allocs"),
			(long long)jint(p, "releases"),
			(long long)jint(p, "exhausted"));
		if (jint(p, "threshold_high"))
			fprintf(c->out,
				"  threshold low %lld%% high %lld%%%s\n",
				(long long)jint(p, "threshold_low"),
				(long long)jint(p, "threshold_high"),
				json_is_true(json_object_get(p, "above_high")) ?
					" (above high)" :
					"");
		json_array_foreach(json_object_get(p, "ranges"), j, r) fprintf(
			c->out,
			"  %s - %s priority %lld: %lld of %lld in use\n",
			jstr(r, "first"), jstr(r, "last"),
			(long long)jint(r, "priority"),
			(long long)jint(r, "used"), (long long)jint(r, "size"));
	}
	json_decref(res);
	return CTL_OK;
}

static const struct ctl_cmd pool_cmds[] = {
	{ "show", pool_show },
	{ NULL, NULL },
};

int do_pool(struct ctl *c, int argc, char **argv)
{
	return ctl_dispatch(c, pool_cmds, "pool", argc, argv);
}

int do_daemon_stats(struct ctl *c, int argc, char **argv)
{
	const char *k;
	json_t *res, *v;
	int ret;

	if (argc)
		return ctl_fail(c, CTL_USAGE, "stats: unexpected \"%s\"",
				argv[0]);
	ret = daemon_call(c, json_pack("{s:s}", "command", "stats"), &res);
	if (ret)
		return ret;
	if (c->json) {
		ctl_json_print(c, res);
		return CTL_OK;
	}
	json_object_foreach(res, k, v)
	{
		if (json_is_integer(v))
			fprintf(c->out, "%-18s %lld\n", k,
				(long long)json_integer_value(v));
	}
	fprintf(c->out, "replies by code:\n");
	json_object_foreach(json_object_get(res, "replies"), k, v)
		fprintf(c->out, "  %3s %-40s %lld\n", k,
			reg_code_str((uint8_t)atoi(k)),
			(long long)json_integer_value(v));
	json_decref(res);
	return CTL_OK;
}

/*
 * "config check" runs the daemon's own check, mipha-agentd --check FILE,
 * as keepalived -t and nginx -t do: the verdict is the one the daemon
 * will reach at start, and miphactl does not link the configuration
 * loader (nor what its sections will need). The daemon is the one
 * installed beside miphactl, else the first on $PATH.
 */
#define CHECK_OUT_MAX 4096	/* bytes kept of each of its outputs */
#define CHECK_TIMEOUT_MS 30000	/* a check reads one file: it answers */

/* One output of the child: the first size - 1 bytes kept, NUL-terminated. */
struct check_out {
	int fd;
	char *buf;
	size_t size, len;
};

/* Reads what is there; false at EOF or on an error. */
static bool check_read(struct check_out *o)
{
	char drop[256];
	char *p = o->len < o->size - 1 ? o->buf + o->len : drop;
	size_t room = o->len < o->size - 1 ? o->size - 1 - o->len : sizeof(drop);
	ssize_t n = read(o->fd, p, room);

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	if (p != drop)
		o->len += n;
	return true;
}

/*
 * Reads both outputs to EOF, whichever writes (a child filling one pipe
 * while we wait on the other would hang both). -ETIMEDOUT if it has not
 * closed them within the timeout.
 */
static long ms_left(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return CHECK_TIMEOUT_MS - ((t.tv_sec - t0->tv_sec) * 1000 +
				   (t.tv_nsec - t0->tv_nsec) / 1000000);
}

static int check_read_both(struct check_out *out, struct check_out *err,
			   const struct timespec *t0)
{
	struct pollfd pfd[2] = { { .fd = out->fd, .events = POLLIN },
				 { .fd = err->fd, .events = POLLIN } };
	struct check_out *o[2] = { out, err };
	int ret = 0, n, i, open_fds = 2;

	while (open_fds) {
		long left = ms_left(t0);

		if (left <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		n = poll(pfd, 2, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			break;
		}
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			if (!check_read(o[i])) {
				pfd[i].fd = -1;
				open_fds--;
			}
		}
	}
	out->buf[out->len] = '\0';
	err->buf[err->len] = '\0';
	return ret;
}

/*
 * Its outputs closed, the check exits: wait for it within what is left of
 * the timeout (a child that closed them and hung must not hang us).
 * -ETIMEDOUT if it has not exited by then.
 */
static int check_wait(pid_t pid, int *status, const struct timespec *t0)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (ms_left(t0) <= 0)
			return -ETIMEDOUT;
		usleep(10000);
	}
}

/*
 * The child's outputs must not land on fds 0-2 (a miphactl started with
 * one closed): dup2() onto itself would keep O_CLOEXEC, and one pipe
 * could be overwritten by the other. Any of them closed is opened on
 * /dev/null first.
 */
static void std_fds_open(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		int n;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		n = open("/dev/null", O_RDWR);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
}

static void exec_agentd(const char *file)
{
	char self[4096], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash && (size_t)(slash - self) + sizeof("/mipha-agentd") <=
				     sizeof(self)) {
			strcpy(slash, "/mipha-agentd");
			execl(self, "mipha-agentd", "--check", file,
			      (char *)NULL);
		}
	}
	execlp("mipha-agentd", "mipha-agentd", "--check", file, (char *)NULL);
}

/*
 * Runs the check: 0 with out holding its report, 1 with err holding the
 * FILE:LINE message, -errno if it could not run.
 */
static int run_check(const char *file, char *out, char *err, size_t size)
{
	struct check_out o_out = { .buf = out, .size = size };
	struct check_out o_err = { .buf = err, .size = size };
	int po[2], pe[2], status, ret;
	struct timespec t0;
	pid_t pid;

	std_fds_open();
	/* Inherited as ignored, the child would be reaped behind our back. */
	signal(SIGCHLD, SIG_DFL);
	if (pipe2(po, O_CLOEXEC))
		return -errno;
	if (pipe2(pe, O_CLOEXEC)) {
		ret = -errno;
		close(po[0]);
		close(po[1]);
		return ret;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (dup2(po[1], STDOUT_FILENO) < 0 ||
		    dup2(pe[1], STDERR_FILENO) < 0)
			_exit(127);
		exec_agentd(file);
		dprintf(STDERR_FILENO,
			"config check: cannot run mipha-agentd: %s",
			strerror(errno));
		_exit(127);
	}
	ret = pid < 0 ? -errno : 0;
	close(po[1]);
	close(pe[1]);
	if (!ret) {
		o_out.fd = po[0];
		o_err.fd = pe[0];
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ret = check_read_both(&o_out, &o_err, &t0);
		if (!ret)
			ret = check_wait(pid, &status, &t0);
		/* Not one already reaped: its pid may be another's now. */
		if (ret && ret != -ECHILD) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
		}
	}
	close(po[0]);
	close(pe[0]);
	if (ret == -ETIMEDOUT) {
		snprintf(err, size, "mipha-agentd --check: no answer in %d s",
			 CHECK_TIMEOUT_MS / 1000);
		return 1;
	}
	if (ret)
		return ret;
	err[strcspn(err, "\n")] = '\0';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (!err[0])
		snprintf(err, size, "mipha-agentd --check: exit status %d",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 1;
}

static int config_check(struct ctl *c, int argc, char **argv)
{
	char out[CHECK_OUT_MAX], err[CHECK_OUT_MAX];
	unsigned long long hosts, pools, vnets;
	const char *p, *q;
	int ret;

	if (argc != 1)
		return ctl_fail(c, CTL_USAGE,
				"config check: one file expected");
	ret = run_check(argv[0], out, err, sizeof(err));
	if (ret < 0)
		return ctl_fail(c, CTL_ERR, "config check: %s", strerror(-ret));
	if (ret) {
		if (c->json)
			ctl_json_print(c, json_pack("{s:b, s:s}", "valid", 0,
						    "error", err));
		return ctl_fail(c, CTL_ERR, "%s", err);
	}
	/* "FILE: configuration valid: H hosts, P pools, V virtual
	 * networks" (agentd.c); FILE may hold anything: from the end. */
	for (p = NULL, q = out; (q = strstr(q, ": configuration valid: ")); q++)
		p = q;
	if (!p || sscanf(p,
			 ": configuration valid: %llu hosts, %llu pools, "
			 "%llu virtual networks",
			 &hosts, &pools, &vnets) != 3)
		return ctl_fail(c, CTL_ERR,
				"config check: unexpected answer from "
				"mipha-agentd: %.200s",
				out);
	if (c->json)
		ctl_json_print(c,
			       json_pack("{s:b, s:I, s:I, s:I}", "valid", 1,
					 "hosts", (json_int_t)hosts, "pools",
					 (json_int_t)pools, "virtual_networks",
					 (json_int_t)vnets));
	else
		fprintf(c->out, "%s: valid\n", argv[0]);
	return CTL_OK;
}

static int config_reload(struct ctl *c, int argc, char **argv)
{
	json_t *res;
	int ret;

	if (argc)
		return ctl_fail(c, CTL_USAGE,
				"config reload: unexpected \"%s\"", argv[0]);
	ret = daemon_call(c, json_pack("{s:s}", "command", "config reload"),
			  &res);
	if (ret)
		return ret;
	if (c->json)
		ctl_json_print(c, res);
	else {
		fprintf(c->out, "%s\n", jstr(res, "message"));
		json_decref(res);
	}
	return CTL_OK;
}

static const struct ctl_cmd config_cmds[] = {
	{ "check", config_check },
	{ "reload", config_reload },
	{ NULL, NULL },
};

int do_config(struct ctl *c, int argc, char **argv)
{
	return ctl_dispatch(c, config_cmds, "config", argc, argv);
}

void daemon_usage(FILE *f)
{
	fprintf(f,
		"       miphactl binding { list [home-agent ADDR] | show ADDR |\n"
		"                          summary }\n"
		"       miphactl pool show\n"
		"       miphactl standby [show [NAME] | resign NAME | resume NAME |\n"
		"                         sync-done NAME]\n"
		"       miphactl redundancy [show | reconnect | switchover [SECONDS]]\n"
		"       miphactl stats\n"
		"       miphactl config { check FILE | reload }\n"
		"       miphactl events [PREFIX...]\n");
}

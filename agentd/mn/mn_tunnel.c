// SPDX-License-Identifier: GPL-2.0
/*
 * mn_tunnel: the data path of emulated mobile nodes, built from the
 * kernel's own tunnel devices (--setup-tunnel), so what the home agent
 * sends is decapsulated, and what is reverse tunnelled is built, by an
 * implementation independent of mipha:
 *
 *	ip link add mipI type ipip|gre local COA remote HA
 *	ip addr add HOME/32 dev mipI		one per mobile node
 *	ip route replace default dev mipI table T	(-T: reverse tunnel)
 *	ip rule add from HOME lookup T		(-T: one per mobile node)
 *
 * The rules route only what comes from a home address into the tunnel: the
 * registration traffic itself (from the care-of address) keeps the normal
 * routes. Meant for a handful of nodes (it runs ip(8) per node, blocking
 * the loop for a few milliseconds each), not for the 100k of a load test.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "mn.h"

extern char **environ;

#define RULE_PREF 434 /* before the main table's rule (32766) */

/* Runs "ip ARGS" (space-separated after formatting); 0 if it exited 0. */
static int run_ip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int run_ip(const char *fmt, ...)
{
	char line[256], *argv[24], *save = NULL, *tok;
	int argc = 0, st;
	va_list ap;
	pid_t pid;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	argv[argc++] = "ip";
	for (tok = strtok_r(line, " ", &save); tok && argc < 23;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	st = posix_spawnp(&pid, "ip", NULL, NULL, argv, environ);
	if (st) {
		fprintf(stderr, "mipha-mn: cannot run ip: %s\n", strerror(st));
		return -st;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) && !WEXITSTATUS(st) ? 0 : -EIO;
}

static void dev_name(const struct mn_ctx *c, unsigned int i, char *buf,
		     size_t size)
{
	snprintf(buf, size, "%s%u", c->opts->tunnel_name, i);
}

int mn_tunnel_open(struct mn_ctx *c)
{
	const struct mn_opts *o = c->opts;
	char coa[INET_ADDRSTRLEN], ha[INET_ADDRSTRLEN], dev[24];
	unsigned int i;
	uint32_t n;

	inet_ntop(AF_INET, &o->ha, ha, sizeof(ha));
	for (i = 0; i < o->n_coas; i++) {
		inet_ntop(AF_INET, &o->coas[i], coa, sizeof(coa));
		dev_name(c, i, dev, sizeof(dev));
		if (run_ip("link add name %s type %s local %s remote %s", dev,
			   o->flags & REG_F_G ? "gre" : "ipip", coa, ha)) {
			fprintf(stderr,
				"mipha-mn: cannot create tunnel %s (%s -> %s)\n",
				dev, coa, ha);
			mn_tunnel_close(c);
			return -EIO;
		}
		c->tunnels_open = true;
		/* No IPv6 link-local address: nothing but what the mobile
		 * node sends goes into the tunnel (no router solicitations). */
		if (run_ip("link set %s addrgenmode none", dev) ||
		    run_ip("link set %s up", dev) ||
		    ((o->flags & REG_F_T) &&
		     run_ip("route replace default dev %s table %u", dev,
			    o->tunnel_table))) {
			mn_tunnel_close(c);
			return -EIO;
		}
	}
	/* Static home addresses go on now: the first packets the HA tunnels
	 * after its reply must find them. Dynamic ones when assigned. */
	for (n = 0; n < o->count; n++)
		if (c->nodes[n].home.s_addr && mn_tunnel_add_home(c, n)) {
			mn_tunnel_close(c);
			return -EIO;
		}
	return 0;
}

int mn_tunnel_add_home(struct mn_ctx *c, uint32_t idx)
{
	const struct mn_opts *o = c->opts;
	struct mn_node *n = &c->nodes[idx];
	char home[INET_ADDRSTRLEN], dev[24];

	if (n->in_tunnel || !n->home.s_addr)
		return 0;
	inet_ntop(AF_INET, &n->home, home, sizeof(home));
	dev_name(c, n->sock, dev, sizeof(dev));
	if (run_ip("addr add %s/32 dev %s", home, dev)) {
		fprintf(stderr, "mipha-mn: cannot add %s to %s\n", home, dev);
		return -EIO;
	}
	n->in_tunnel = true;
	if (!(o->flags & REG_F_T))
		return 0;
	if (!(c->n_tunnel_rules & (c->n_tunnel_rules + 1)) ||
	    !c->tunnel_rules) {
		/* grow at powers of two */
		uint32_t *p = realloc(c->tunnel_rules,
				      (c->n_tunnel_rules * 2 + 1) * sizeof(*p));

		if (!p)
			return -ENOMEM;
		c->tunnel_rules = p;
	}
	if (run_ip("rule add from %s/32 lookup %u pref %u", home,
		   o->tunnel_table, RULE_PREF)) {
		fprintf(stderr, "mipha-mn: cannot add the rule for %s\n", home);
		return -EIO;
	}
	c->tunnel_rules[c->n_tunnel_rules++] = n->home.s_addr;
	return 0;
}

void mn_tunnel_close(struct mn_ctx *c)
{
	const struct mn_opts *o = c->opts;
	char dev[24], home[INET_ADDRSTRLEN];
	unsigned int i;
	size_t r;

	if (o->keep_tunnel)
		return;
	for (r = 0; r < c->n_tunnel_rules; r++) {
		inet_ntop(AF_INET, &c->tunnel_rules[r], home, sizeof(home));
		run_ip("rule del from %s/32 lookup %u pref %u", home,
		       o->tunnel_table, RULE_PREF);
	}
	c->n_tunnel_rules = 0;
	free(c->tunnel_rules);
	c->tunnel_rules = NULL;
	if (!c->tunnels_open)
		return;
	/* Deleting a device takes its addresses and routes along. */
	for (i = 0; i < o->n_coas; i++) {
		dev_name(c, i, dev, sizeof(dev));
		run_ip("link del %s", dev);
	}
	c->tunnels_open = false;
}

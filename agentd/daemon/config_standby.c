// SPDX-License-Identifier: GPL-2.0
/*
 * config_standby: the standby "NAME" { } sections (config_standby.h has
 * the IOS mapping).
 *
 * Reload: priority, preempt and its delays, timers, authentication,
 * tracking and the notify hook change live (hsrp.c hands them to the
 * running group). A group added or removed, or its interface, group
 * number, version, virtual IP, MAC or follow changed, needs a restart:
 * they are what the other routers and the hosts of the LAN know the
 * group by, and changing them under a running group would leave two
 * owners of one address for a hold time.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "config_kit.h"
#include "config_standby.h"
#include "hsrp_fsm.h"

static cfg_opt_t standby_opts[] = {
	CONFIG_OPT("interface"),
	CONFIG_OPT("group"),
	CONFIG_OPT("version"),
	CONFIG_OPT("ip"),
	CONFIG_OPT("priority"),
	CONFIG_OPT("preempt"),
	CONFIG_OPT("preempt-delay-minimum"),
	CONFIG_OPT("preempt-delay-reload"),
	CONFIG_OPT("preempt-delay-sync"),
	CONFIG_OPT("timers"),
	CONFIG_OPT("authentication"),
	CONFIG_OPT("authentication-md5"),
	CONFIG_OPT("authentication-md5-key-file"),
	CONFIG_OPT("authentication-md5-key-id"),
	CONFIG_OPT_LIST("track"),
	CONFIG_OPT("follow"),
	CONFIG_OPT("mac-address"),
	CONFIG_OPT("use-bia"),
	CONFIG_OPT("notify"),
	CFG_END(),
};

static cfg_opt_t top_opts[] = {
	CFG_SEC("standby", standby_opts, CONFIG_MULTI),
	CFG_END(),
};

static const char *const secrets[] = { "authentication", "authentication-md5",
				       NULL };

extern const struct config_section config_standby_section;

static struct config_standby **slot(struct config *c)
{
	return (struct config_standby **)config_section_data(
		c, &config_standby_section);
}

const struct config_standby *config_standby(const struct config *c)
{
	static const struct config_standby none;
	struct config_standby *s = *slot((struct config *)c);

	return s ? s : &none;
}

const struct config_standby_group *
config_standby_by_name(const struct config *c, const char *name)
{
	const struct config_standby *s = config_standby(c);
	size_t i;

	for (i = 0; i < s->n_groups; i++)
		if (!strcmp(s->groups[i].name, name))
			return &s->groups[i];
	return NULL;
}

bool config_standby_on_link(const struct config *c, const char *ifname)
{
	const struct config_standby_group *g;

	if (!c->standby_group)
		return false;
	g = config_standby_by_name(c, c->standby_group);
	return g && !strcmp(g->ifname, ifname);
}

/* Names go into logs, JSON and a hook's argv: printable, no option. */
static bool name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n > 64 || s[0] == '-' || s[0] == '.')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	return n && n < 16 && !strchr(s, '/') && !strchr(s, ':') &&
	       !strchr(s, ' ') && strcmp(s, ".") && strcmp(s, "..");
}

/*
 * IOS: "timers [msec] HELLO [msec] HOLD": seconds, or milliseconds after
 * msec (version 2 and IOS's fast hellos; version 1 carries whole seconds).
 */
static const char *parse_timers(char *v, uint8_t version, uint32_t *hello,
				uint32_t *hold)
{
	char *w[4];
	size_t n = config_split_words(v, w, 4), i = 0;
	uint32_t *out[2] = { hello, hold };
	unsigned int k;

	for (k = 0; k < 2; k++) {
		bool msec = i < n && !strcmp(w[i], "msec");

		i += msec;
		if (i >= n)
			return "expects \"[msec] HELLO [msec] HOLD\"";
		if (msec ? !config_parse_u32(w[i], HSRP_HELLO_MIN_MS, 255000,
					     out[k]) :
			   !config_parse_u32(w[i], 1, 255, out[k]))
			return msec ? "msec values are 20-255000" :
				      "seconds are 1-255";
		if (!msec)
			*out[k] *= 1000;
		i++;
	}
	if (i != n)
		return "expects \"[msec] HELLO [msec] HOLD\"";
	if (*hold <= *hello)
		return "the hold time must be longer than the hello time";
	if (version == HSRP_V1 && (*hello % 1000 || *hold % 1000))
		return "version 1 carries whole seconds (use version 2 for "
		       "msec)";
	return NULL;
}

/* "0000.0c07.ac01" (IOS) or "00:00:0c:07:ac:01". */
static bool parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6], i;
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) == 6) {
		for (i = 0; i < 6; i++)
			mac[i] = (uint8_t)b[i];
	} else if (sscanf(s, "%4x.%4x.%4x%c", &b[0], &b[1], &b[2], &end) == 3 &&
		   strlen(s) == 14) {
		for (i = 0; i < 3; i++) {
			mac[2 * i] = (uint8_t)(b[i] >> 8);
			mac[2 * i + 1] = (uint8_t)b[i];
		}
	} else {
		return false;
	}
	/* A virtual MAC is a unicast address. */
	return !(mac[0] & 1) &&
	       (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

static int load_auth(struct config_load *l, cfg_t *s,
		     struct config_standby_group *g)
{
	const char *text = config_str(s, "authentication"),
		   *md5 = config_str(s, "authentication-md5"),
		   *file = config_str(s, "authentication-md5-key-file");
	int err;

	if (!!text + !!md5 + !!file > 1)
		return config_fail(l, g->line,
				   "standby \"%s\": one of authentication, "
				   "authentication-md5, "
				   "authentication-md5-key-file",
				   g->name);
	memset(g->text, 0, sizeof(g->text));
	if (text) {
		if (!*text || strlen(text) > HSRP_TEXT_LEN)
			return config_fail(
				l, config_opt_line(l, s, "authentication", 0),
				"authentication: 1-%d characters",
				HSRP_TEXT_LEN);
		memcpy(g->text, text, strlen(text));
	} else if (md5) {
		size_t n = strlen(md5);

		if (!n || n > HSRP_MD5_KEY_MAX)
			return config_fail(
				l,
				config_opt_line(l, s, "authentication-md5", 0),
				"authentication-md5: the key string is 1-%d "
				"characters",
				HSRP_MD5_KEY_MAX);
		memcpy(g->md5.key, md5, n);
		g->md5.key_len = (uint8_t)n;
		g->has_md5 = true;
	} else if (file) {
		uint8_t key[AUTH_KEY_MAX > HSRP_MD5_KEY_MAX ? AUTH_KEY_MAX :
							      HSRP_MD5_KEY_MAX];
		uint8_t len = 0;

		err = config_read_key_file(
			l,
			config_opt_line(l, s, "authentication-md5-key-file", 0),
			file, key, &len);
		if (err) {
			OPENSSL_cleanse(key, sizeof(key));
			return err;
		}
		if (!len || len > HSRP_MD5_KEY_MAX) {
			OPENSSL_cleanse(key, sizeof(key));
			return config_fail(
				l,
				config_opt_line(
					l, s, "authentication-md5-key-file", 0),
				"authentication-md5-key-file: the key is 1-%d "
				"bytes",
				HSRP_MD5_KEY_MAX);
		}
		memcpy(g->md5.key, key, len);
		g->md5.key_len = len;
		g->has_md5 = true;
		OPENSSL_cleanse(key, sizeof(key));
	} else {
		memcpy(g->text, "cisco", 5); /* RFC 2281 5.1 */
	}
	if (config_str(s, "authentication-md5-key-id") && !g->has_md5)
		return config_fail(
			l,
			config_opt_line(l, s, "authentication-md5-key-id", 0),
			"authentication-md5-key-id without an MD5 key");
	return config_get_u32(l, s, "authentication-md5-key-id", 0, UINT32_MAX,
			      &g->md5_key_id);
}

static int load_tracks(struct config_load *l, cfg_t *s,
		       struct config_standby_group *g)
{
	unsigned int n = cfg_size(s, "track"), i;

	g->tracks = calloc(n ? n : 1, sizeof(*g->tracks));
	if (!g->tracks)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct config_standby_track *t = &g->tracks[i];
		int line = config_opt_line(l, s, "track", i);
		char buf[64], *w[3];
		size_t nw;

		snprintf(buf, sizeof(buf), "%s", cfg_getnstr(s, "track", i));
		nw = config_split_words(buf, w, 3);
		if (nw < 1 || nw > 2 || !ifname_ok(w[0]))
			return config_fail(l, line,
					   "track: expects \"IFNAME "
					   "[DECREMENT]\"");
		strcpy(t->ifname, w[0]);
		t->decrement = CONFIG_TRACK_DECREMENT_DEFAULT;
		if (nw == 2 && !config_parse_u32(w[1], 1, 255, &t->decrement))
			return config_fail(l, line,
					   "track %s: the decrement is 1-255",
					   w[0]);
		g->n_tracks++;
	}
	return 0;
}

static int load_notify(struct config_load *l, cfg_t *s,
		       struct config_standby_group *g)
{
	return config_get_hook(l, s, "notify", &g->notify);
}

static int load_times(struct config_load *l, cfg_t *s,
		      struct config_standby_group *g)
{
	static const char *const delays[] = { "preempt-delay-minimum",
					      "preempt-delay-reload",
					      "preempt-delay-sync" };
	uint32_t *out[] = { &g->preempt_min_ms, &g->preempt_reload_ms,
			    &g->preempt_sync_ms };
	const char *v = config_str(s, "timers"), *msg;
	unsigned int i;
	int err;

	for (i = 0; i < 3; i++) {
		err = config_get_u32(l, s, delays[i], 0, 3600, out[i]);
		if (err)
			return err;
		*out[i] *= 1000;
	}
	if (v) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%s", v);
		msg = parse_timers(buf, g->version, &g->hello_ms, &g->hold_ms);
		if (msg)
			return config_fail(l,
					   config_opt_line(l, s, "timers", 0),
					   "timers \"%s\": %s", v, msg);
	}
	return 0;
}

static int load_group(struct config_load *l, cfg_t *s,
		      struct config_standby_group *g)
{
	const char *v;
	uint32_t u;
	int err;

	g->line = config_sec_line(l, s);
	g->name = strdup(cfg_title(s));
	if (!g->name)
		return -ENOMEM;
	if (!name_ok(g->name))
		return config_fail(l, g->line,
				   "standby: a group name is 1-64 of A-Z a-z "
				   "0-9 . _ - (not first)");
	v = config_str(s, "interface");
	if (!v || !ifname_ok(v))
		return config_fail(l, g->line,
				   "standby \"%s\": needs interface = IFNAME",
				   g->name);
	strcpy(g->ifname, v);
	u = HSRP_V1;
	err = config_get_u32(l, s, "version", 1, 2, &u);
	if (err)
		return err;
	g->version = (uint8_t)u;
	u = 0;
	err = config_get_u32(l, s, "group", 0,
			     g->version == HSRP_V1 ? HSRP_V1_GROUP_MAX :
						     HSRP_V2_GROUP_MAX,
			     &u);
	if (err)
		return err;
	g->group = (uint16_t)u;
	if (config_str(s, "ip")) {
		err = config_get_addr(l, s, "ip", 0, &g->vip);
		if (err)
			return err;
		if (!config_addr_unicast(g->vip))
			return config_fail(l, config_opt_line(l, s, "ip", 0),
					   "ip: not a unicast address");
	}
	g->priority = CONFIG_STANDBY_PRIORITY;
	err = config_get_u32(l, s, "priority", 1, 255, &g->priority);
	if (!err)
		err = config_get_bool(l, s, "preempt", &g->preempt);
	if (!err)
		err = load_times(l, s, g);
	if (!err)
		err = load_auth(l, s, g);
	if (!err)
		err = load_tracks(l, s, g);
	if (!err)
		err = config_get_bool(l, s, "use-bia", &g->use_bia);
	if (err)
		return err;
	v = config_str(s, "mac-address");
	if (v) {
		if (g->use_bia)
			return config_fail(
				l, config_opt_line(l, s, "mac-address", 0),
				"mac-address and use-bia exclude each other");
		if (!parse_mac(v, g->mac))
			return config_fail(
				l, config_opt_line(l, s, "mac-address", 0),
				"mac-address %s: not a unicast MAC address", v);
		g->has_mac = true;
	}
	v = config_str(s, "follow");
	if (v) {
		g->follow = strdup(v);
		if (!g->follow)
			return -ENOMEM;
	}
	return load_notify(l, s, g);
}

static int standby_load(struct config_load *l)
{
	unsigned int n = cfg_size(l->top, "standby"), i;
	struct config_standby *sb;
	int err;

	sb = calloc(1, sizeof(*sb));
	if (!sb)
		return -ENOMEM;
	*slot(l->cfg) = sb;
	sb->groups = calloc(n ? n : 1, sizeof(*sb->groups));
	if (!sb->groups)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		sb->n_groups++;
		err = load_group(l, cfg_getnsec(l->top, "standby", i),
				 &sb->groups[i]);
		if (err)
			return err;
	}
	return 0;
}

/* After every section: names refer to groups, one group per number. */
static int standby_check(struct config_load *l)
{
	const struct config_standby *sb = config_standby(l->cfg);
	size_t i, j;

	for (i = 0; i < sb->n_groups; i++) {
		const struct config_standby_group *g = &sb->groups[i], *f;

		for (j = 0; j < i; j++) {
			const struct config_standby_group *o = &sb->groups[j];

			if (!strcmp(o->ifname, g->ifname) &&
			    o->version == g->version && o->group == g->group)
				return config_fail(
					l, g->line,
					"standby \"%s\": group %u version %u "
					"on %s is standby \"%s\" already",
					g->name, g->group, g->version,
					g->ifname, o->name);
			if (g->vip.s_addr && o->vip.s_addr == g->vip.s_addr)
				return config_fail(
					l, g->line,
					"standby \"%s\": ip is standby "
					"\"%s\"'s already",
					g->name, o->name);
		}
		if (!g->follow)
			continue;
		if (!g->vip.s_addr)
			return config_fail(
				l, g->line,
				"standby \"%s\": a follow group needs "
				"its own ip",
				g->name);
		f = config_standby_by_name(l->cfg, g->follow);
		if (!f || f == g || f->follow)
			return config_fail(l, g->line,
					   "standby \"%s\": follow \"%s\": no "
					   "such group leading its own "
					   "election",
					   g->name, g->follow);
	}
	return 0;
}

static void standby_free(struct config *c)
{
	struct config_standby *sb = *slot(c);
	size_t i;

	if (!sb)
		return;
	for (i = 0; i < sb->n_groups; i++) {
		struct config_standby_group *g = &sb->groups[i];

		OPENSSL_cleanse(&g->md5, sizeof(g->md5));
		OPENSSL_cleanse(g->text, sizeof(g->text));
		free(g->name);
		free(g->tracks);
		free(g->follow);
		free(g->notify);
	}
	free(sb->groups);
	free(sb);
	*slot(c) = NULL;
}

/* What the group is known by on the LAN: changing it needs a restart. */
static bool identity_equal(const struct config_standby_group *a,
			   const struct config_standby_group *b)
{
	return !strcmp(a->ifname, b->ifname) && a->version == b->version &&
	       a->group == b->group && a->vip.s_addr == b->vip.s_addr &&
	       a->use_bia == b->use_bia && a->has_mac == b->has_mac &&
	       !memcmp(a->mac, b->mac, sizeof(a->mac)) &&
	       config_str_eq(a->follow, b->follow);
}

static bool live_equal(const struct config_standby_group *a,
		       const struct config_standby_group *b)
{
	size_t i;

	if (a->priority != b->priority || a->preempt != b->preempt ||
	    a->preempt_min_ms != b->preempt_min_ms ||
	    a->preempt_reload_ms != b->preempt_reload_ms ||
	    a->preempt_sync_ms != b->preempt_sync_ms ||
	    a->hello_ms != b->hello_ms || a->hold_ms != b->hold_ms ||
	    a->has_md5 != b->has_md5 || a->md5_key_id != b->md5_key_id ||
	    CRYPTO_memcmp(a->text, b->text, sizeof(a->text)) ||
	    a->md5.key_len != b->md5.key_len ||
	    CRYPTO_memcmp(a->md5.key, b->md5.key, sizeof(a->md5.key)) ||
	    a->n_tracks != b->n_tracks || !config_str_eq(a->notify, b->notify))
		return false;
	for (i = 0; i < a->n_tracks; i++)
		if (strcmp(a->tracks[i].ifname, b->tracks[i].ifname) ||
		    a->tracks[i].decrement != b->tracks[i].decrement)
			return false;
	return true;
}

static void standby_diff(const struct config *o, const struct config *n,
			 struct config_diff *d)
{
	const struct config_standby *a = config_standby(o),
				    *b = config_standby(n);
	char why[320];
	size_t i;
	bool live = false;

	for (i = 0; i < a->n_groups; i++) {
		const struct config_standby_group *g = &a->groups[i],
						  *h = config_standby_by_name(
							  n, g->name);

		if (!h) {
			snprintf(why, sizeof(why),
				 "standby \"%s\" removed (a running group "
				 "stops with a restart)",
				 g->name);
			config_diff_restart(d, 0, why);
		} else if (!identity_equal(g, h)) {
			snprintf(why, sizeof(why),
				 "standby \"%s\": interface, group, version, "
				 "ip, MAC or follow changed (what the LAN "
				 "knows the group by)",
				 g->name);
			config_diff_restart(d, 0, why);
		} else if (!live_equal(g, h)) {
			live = true;
		}
	}
	for (i = 0; i < b->n_groups; i++)
		if (!config_standby_by_name(o, b->groups[i].name)) {
			snprintf(why, sizeof(why),
				 "standby \"%s\" added (groups start with "
				 "the daemon)",
				 b->groups[i].name);
			config_diff_restart(d, 0, why);
		}
	if (live)
		config_diff_live(d, 0, "standby");
}

const struct config_section config_standby_section = {
	.name = "standby",
	.opts = top_opts,
	.secrets = secrets,
	.load = standby_load,
	.check = standby_check,
	.free = standby_free,
	.diff = standby_diff,
};

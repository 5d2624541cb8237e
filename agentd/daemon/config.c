// SPDX-License-Identifier: GPL-2.0
/*
 * config: loading agentd.conf section by section (see config.h, and
 * config_kit.h for what a section is), freeing it, and deciding on a
 * reload what changes live and what needs a restart.
 *
 * The file is read and parsed once (config_read.c); then each section, in
 * the order of the table below, builds its part of struct config; then
 * each runs its checks (those that need the others loaded). The first
 * error stops the load and is reported as FILE:LINE: message.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config_kit.h"

/*
 * The sections of agentd.conf, in the order they are loaded and checked:
 * a section may use what the ones before it built (hosts name virtual
 * networks, home links and pools; SAs inherit home-agent's replay
 * window).
 *
 * A new section (standby, redundancy, ipsp...) is a file of its own,
 * config_NAME.c, defining "const struct config_section
 * config_NAME_section" (its options, load, check, free and reload rule;
 * its state in a struct of its own behind config_section_data()), and
 * one line in this list, e.g.:
 *
 *	X(standby)		\
 *
 * Nothing else changes: the declarations, the table, the option table,
 * the free and the reload verdict are all made from this list, and a
 * section's reload rule needs no bit of enum config_change
 * (config_diff_restart(d, 0, why)).
 */
#define CONFIG_SECTIONS(X) \
	X(home_agent)      \
	X(vnet)            \
	X(link)            \
	X(pool)            \
	X(host)            \
	X(sa)              \
	X(daemon)          \
	X(standby)         \
	X(redundancy)      \
	X(ipsp)            \
	X(digest)

#define SECTION_DECLARE(name) \
	extern const struct config_section config_##name##_section;
#define SECTION_ENTRY(name) &config_##name##_section,

CONFIG_SECTIONS(SECTION_DECLARE)

static const struct config_section *const sections[] = {
	CONFIG_SECTIONS(SECTION_ENTRY)
};

#define N_SECTIONS (sizeof(sections) / sizeof(sections[0]))

_Static_assert(N_SECTIONS <= CONFIG_SECTIONS_MAX,
	       "raise CONFIG_SECTIONS_MAX (config.h)");

void **config_section_data(struct config *c, const struct config_section *s)
{
	size_t i;

	for (i = 0; i < N_SECTIONS; i++)
		if (sections[i] == s)
			return &c->section_data[i];
	return NULL;
}

/* The top level libconfuse parses: every section's entries, in order. */
static cfg_opt_t *top_opts(void)
{
	cfg_opt_t *opts, *o;
	size_t n = 1, i;

	for (i = 0; i < N_SECTIONS; i++)
		for (o = sections[i]->opts; o->type != CFGT_NONE; o++)
			n++;
	opts = calloc(n, sizeof(*opts));
	if (!opts)
		return NULL;
	n = 0;
	for (i = 0; i < N_SECTIONS; i++)
		for (o = sections[i]->opts; o->type != CFGT_NONE; o++)
			opts[n++] = *o;
	opts[n] = (cfg_opt_t)CFG_END();
	return opts;
}

/* Does an option of this name hold key material (any section's)? */
static bool is_secret(const char *name)
{
	const char *const *n;
	size_t i;

	for (i = 0; i < N_SECTIONS; i++)
		for (n = sections[i]->secrets; n && *n; n++)
			if (!strcmp(*n, name))
				return true;
	return false;
}

static int build(struct config_load *l)
{
	size_t i;
	int err = 0;

	for (i = 0; i < N_SECTIONS && !err; i++)
		if (sections[i]->load)
			err = sections[i]->load(l);
	for (i = 0; i < N_SECTIONS && !err; i++)
		if (sections[i]->check)
			err = sections[i]->check(l);
	return err;
}

static int parse_text(const char *name, char *text, size_t len,
		      struct config **out, char *err, size_t errlen)
{
	struct config_load l = {
		.path = name,
		.err = err,
		.errlen = errlen,
	};
	cfg_opt_t *opts = NULL;
	int ret;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (memchr(text, '\0', len)) {
		int line = 1;
		size_t i;

		for (i = 0; text[i]; i++)
			line += text[i] == '\n';
		return config_fail(&l, line, "NUL byte in the file");
	}
	text[len] = '\0';
	ret = config_strip_comments(&l, text, len);
	if (ret)
		return ret;

	l.cfg = calloc(1, sizeof(*l.cfg));
	opts = top_opts();
	l.top = opts ? cfg_init(opts, 0) : NULL;
	if (!l.cfg || !l.top) {
		ret = -ENOMEM;
		goto out;
	}
	l.cfg->path = strdup(name);
	if (!l.cfg->path) {
		ret = -ENOMEM;
		goto out;
	}
	cfg_set_error_function(l.top, config_confuse_error);
	config_kit_attach(&l);
	ret = config_parse_cfg(l.top, text, len);
	config_kit_detach();
	if (ret != CFG_SUCCESS) {
		if (!l.error)
			config_fail(&l, l.top->line, "syntax error");
		ret = l.error;
		goto out;
	}
	if (l.error) { /* out of memory in a callback */
		ret = l.error;
		goto out;
	}
	ret = config_lines_done(&l);
	if (!ret)
		ret = build(&l);
	if (!ret && l.error)
		ret = l.error;
out:
	if (ret == -ENOMEM && !l.error)
		config_fail(&l, 0, "out of memory");
	if (l.top) {
		config_cleanse_keys(l.top, is_secret);
		cfg_free(l.top);
	}
	free(opts);
	free(l.recs); /* options' names and lines: no values */
	if (ret) {
		config_free(l.cfg);
		return ret;
	}
	*out = l.cfg;
	return 0;
}

int config_parse_text(const char *name, char *text, size_t len,
		      struct config **out, char *err, size_t errlen)
{
	int ret = parse_text(name, text, len, out, err, errlen);

	/* The file's text holds the keys: none of it outlives the parse. */
	OPENSSL_cleanse(text, len + 1);
	return ret;
}

int config_load(const char *path, struct config **out, char *err, size_t errlen)
{
	struct config_load l = { .path = path, .err = err, .errlen = errlen };
	char *text = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	ret = config_read_text(&l, path, &text, &len);
	if (ret)
		return ret;
	ret = config_parse_text(path, text, len, out, err, errlen);
	free(text);
	return ret;
}

void config_free(struct config *c)
{
	size_t i;

	if (!c)
		return;
	for (i = N_SECTIONS; i-- > 0;)
		if (sections[i]->free)
			sections[i]->free(c);
	free(c->path);
	free(c);
}

/* ---- reload ----------------------------------------------------------- */

static void add_text(char *buf, size_t size, const char *sep, const char *what)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, "%s%s", n ? sep : "", what);
}

void config_diff_live(struct config_diff *d, unsigned int change,
		      const char *what)
{
	d->changes |= change;
	add_text(d->live, sizeof(d->live), ", ", what);
}

void config_diff_restart(struct config_diff *d, unsigned int change,
			 const char *why)
{
	d->changes |= change;
	d->live_ok = false;
	add_text(d->reason, sizeof(d->reason), "; ", why);
}

void config_diff(const struct config *o, const struct config *n,
		 struct config_diff *d)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	d->live_ok = true;
	for (i = 0; i < N_SECTIONS; i++)
		if (sections[i]->diff)
			sections[i]->diff(o, n, d);
}

const char *config_rt_policy_name(enum config_rt_policy p)
{
	switch (p) {
	case CONFIG_RT_OFF:
		return "off";
	case CONFIG_RT_ALLOWED:
		return "allowed";
	case CONFIG_RT_REQUIRED:
		return "required";
	}
	return "?";
}

const char *config_encap_name(enum config_encap e)
{
	switch (e) {
	case CONFIG_ENCAP_ANY:
		return "any";
	case CONFIG_ENCAP_IPIP:
		return "ipip";
	case CONFIG_ENCAP_GRE:
		return "gre";
	}
	return "?";
}

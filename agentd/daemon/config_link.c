// SPDX-License-Identifier: GPL-2.0
/*
 * config_link: home-link "IF" { proxy-arp = BOOL }: the physical home
 * links that "host ... interface IF" names.
 *
 * Reload: live. The daemon sets each configured link's proxy ARP in the
 * kernel as configured, and switches it off on a link the new
 * configuration no longer has (config_link_gone()): else mipha.ko would
 * go on answering ARP for home addresses on a link we stopped serving.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config_kit.h"

static cfg_opt_t link_opts[] = {
	CONFIG_OPT("proxy-arp"),
	CFG_END(),
};

static cfg_opt_t top_opts[] = {
	CFG_SEC("home-link", link_opts, CONFIG_MULTI),
	CFG_END(),
};

static bool ifname_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n >= 16 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (i = 0; i < n; i++)
		if (!config_nai_char_ok(s[i]) || s[i] == '/' || s[i] == ':')
			return false;
	return true;
}

static int link_load(struct config_load *l)
{
	struct config *c = l->cfg;
	unsigned int n = cfg_size(l->top, "home-link"), i;
	int err;

	c->links = calloc(n ? n : 1, sizeof(*c->links));
	if (!c->links)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		cfg_t *s = cfg_getnsec(l->top, "home-link", i);
		struct config_link *k = &c->links[i];

		k->line = config_sec_line(l, s);
		if (!ifname_ok(cfg_title(s)))
			return config_fail(
				l, k->line,
				"home-link \"%s\": not an interface name",
				cfg_title(s));
		strcpy(k->ifname, cfg_title(s));
		k->proxy_arp = true;
		err = config_get_bool(l, s, "proxy-arp", &k->proxy_arp);
		if (err)
			return err;
		c->n_links++;
	}
	return 0;
}

static void link_free(struct config *c)
{
	free(c->links);
}

static void link_diff(const struct config *o, const struct config *n,
		      struct config_diff *d)
{
	size_t i;

	for (i = 0; i < o->n_links && o->n_links == n->n_links; i++)
		if (strcmp(o->links[i].ifname, n->links[i].ifname) ||
		    o->links[i].proxy_arp != n->links[i].proxy_arp)
			break;
	if (o->n_links != n->n_links || i < o->n_links)
		config_diff_live(d, CONFIG_CHG_LINKS, "home links");
}

const struct config_section config_link_section = {
	.name = "home-link",
	.opts = top_opts,
	.load = link_load,
	.free = link_free,
	.diff = link_diff,
};

/* ---- lookups ---------------------------------------------------------- */

const struct config_link *config_link_by_name(const struct config *c,
					      const char *name)
{
	size_t i;

	for (i = 0; i < c->n_links; i++)
		if (!strcmp(c->links[i].ifname, name))
			return &c->links[i];
	return NULL;
}

bool config_link_gone(const struct config *old, const struct config *new,
		      size_t i)
{
	return i < old->n_links &&
	       !config_link_by_name(new, old->links[i].ifname);
}

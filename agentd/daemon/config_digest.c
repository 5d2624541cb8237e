// SPDX-License-Identifier: GPL-2.0
/*
 * config_digest: see config_digest.h. A section with no options of its
 * own: its load hook reads the other sections' parsed values (before key
 * text is cleansed from libconfuse's tree) and keeps only their digests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "config_digest.h"
#include "config_kit.h"

/* What must match, in the order digested (and reported). */
static const char *const digested[] = {
	"home-agent", "virtual-network",      "home-link",   "pool",
	"host",	      "secure-foreign-agent", "secure-host",
};
#define N_DIGESTED (sizeof(digested) / sizeof(digested[0]))

struct digest_data {
	struct config_digest d;
	struct config_digest_part parts[N_DIGESTED];
};

extern const struct config_section config_digest_section;

static struct digest_data **slot(struct config *c)
{
	return (struct digest_data **)config_section_data(
		c, &config_digest_section);
}

const struct config_digest *config_digest(const struct config *c)
{
	static const struct config_digest none;
	struct digest_data *dd = *slot((struct config *)c);

	return dd ? &dd->d : &none;
}

/* A string with its length, so that no two sequences hash alike. */
static int put_str(EVP_MD_CTX *md, const char *s)
{
	uint32_t n = s ? (uint32_t)strlen(s) + 1 : 0;
	uint8_t len[4] = { n >> 24, n >> 16, n >> 8, n };

	if (!EVP_DigestUpdate(md, len, sizeof(len)))
		return -ENOMEM;
	return n && !EVP_DigestUpdate(md, s, n) ? -ENOMEM : 0;
}

static int put_sec(EVP_MD_CTX *md, cfg_t *sec);

/* One option: its name, how many values, each value (string or section). */
static int put_opt(EVP_MD_CTX *md, cfg_t *sec, cfg_opt_t *opt)
{
	unsigned int i, n = cfg_opt_size(opt);
	char count[12];
	int err;

	snprintf(count, sizeof(count), "%u", n);
	err = put_str(md, opt->name);
	if (!err)
		err = put_str(md, count);
	for (i = 0; i < n && !err; i++) {
		if (opt->type == CFGT_SEC)
			err = put_sec(md, cfg_getnsec(sec, opt->name, i));
		else if (opt->type == CFGT_STR)
			err = put_str(md, cfg_getnstr(sec, opt->name, i));
		else
			err = -EINVAL; /* every option is a string (kit) */
	}
	return err;
}

static int put_sec(EVP_MD_CTX *md, cfg_t *sec)
{
	cfg_opt_t *opt;
	int err;

	err = put_str(md, cfg_title(sec));
	for (opt = sec->opts; opt && opt->name && !err; opt++)
		err = put_opt(md, sec, opt);
	return err;
}

static int digest_load(struct config_load *l)
{
	struct digest_data *dd = calloc(1, sizeof(*dd));
	EVP_MD_CTX *md = EVP_MD_CTX_new(), *all = EVP_MD_CTX_new();
	unsigned int len;
	size_t i;
	int err = 0;

	if (!dd || !md || !all || !EVP_DigestInit_ex(all, EVP_sha256(), NULL)) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < N_DIGESTED && !err; i++) {
		struct config_digest_part *p = &dd->parts[i];

		p->name = digested[i];
		if (!EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
			err = -ENOMEM;
			break;
		}
		err = put_opt(md, l->top, cfg_getopt(l->top, digested[i]));
		if (!err && !EVP_DigestFinal_ex(md, p->digest, &len))
			err = -ENOMEM;
		if (!err)
			err = put_str(all, p->name);
		if (!err &&
		    !EVP_DigestUpdate(all, p->digest, sizeof(p->digest)))
			err = -ENOMEM;
	}
	if (!err && !EVP_DigestFinal_ex(all, dd->d.all, &len))
		err = -ENOMEM;
	if (!err) {
		dd->d.parts = dd->parts;
		dd->d.n_parts = N_DIGESTED;
		*slot(l->cfg) = dd;
		dd = NULL;
	}
out:
	EVP_MD_CTX_free(md);
	EVP_MD_CTX_free(all);
	if (dd)
		OPENSSL_cleanse(dd, sizeof(*dd));
	free(dd);
	return err;
}

static void digest_free(struct config *c)
{
	struct digest_data **dd = slot(c);

	if (*dd)
		OPENSSL_cleanse(*dd, sizeof(**dd));
	free(*dd);
	*dd = NULL;
}

static cfg_opt_t top_opts[] = {
	CFG_END(),
};

const struct config_section config_digest_section = {
	.name = "digest",
	.opts = top_opts,
	.load = digest_load,
	.free = digest_free,
};

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * config_kit: what every section of agentd.conf is loaded with, and how a
 * section plugs into the loader. Private to config*.c: the rest of agentd
 * sees only config.h.
 *
 * A section is one module, config_NAME.c, that owns
 *  - its options (libconfuse entries of the top level: a section, a few
 *    sections or a plain option),
 *  - how they become its part of struct config, and their validation
 *    (FILE:LINE errors through config_fail()),
 *  - the checks that need the other sections loaded first,
 *  - freeing its part (and cleansing key material),
 *  - its reload rule: what changes live and what needs a restart, with
 *    the reason (config_diff_live() / config_diff_restart()).
 * config.c lists the sections (CONFIG_SECTIONS there); their order is the
 * order of loading (a section may use those before it) and of the checks.
 *
 * The kit:
 *  - line bookkeeping: libconfuse gives options no line number, so every
 *    option is a string option with a callback (CONFIG_OPT / _LIST below)
 *    that records where each value was read;
 *  - value parsers and getters that name the option, the value and the
 *    accepted range in their messages;
 *  - reading the file, blanking comments, parsing with a cleansable stdio
 *    buffer and cleansing key text left in libconfuse's tree
 *    (config_read.c).
 */
#ifndef MIPHA_CONFIG_KIT_H
#define MIPHA_CONFIG_KIT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include <confuse.h>

#include "config.h"

/* Where a value was read. */
struct config_line_rec {
	const cfg_t *sec; /* the section the value was read in */
	const char *opt;  /* option name (static, from the option table) */
	int line;	  /* line of the value */
	int sec_line;	  /* line of the section's opening brace */
	size_t seq;	  /* reading order */
};

/* One load in progress. */
struct config_load {
	const char *path;
	char *err;
	size_t errlen;
	int error; /* first error (negative errno), 0 if none */
	struct config_line_rec *recs;
	size_t n_recs, cap_recs;
	cfg_t *top;
	struct config *cfg;
};

struct config_diff;

/*
 * A section of agentd.conf. Every hook but opts may be NULL.
 *  - opts: its top-level libconfuse entries, ended by CFG_END();
 *  - load: builds its part of l->cfg from l->top (sections before it in
 *    the table are loaded);
 *  - check: validation that needs every section loaded (cross checks,
 *    lookup indexes), run in table order after every load;
 *  - free: frees its part of c, whatever the stage a failed load left
 *    it in (counts say what was started); cleanses key material;
 *  - diff: old against new, for a reload: every change reported with
 *    config_diff_live() or config_diff_restart() (then with the reason);
 *  - secrets: the names of its options that hold key material (NULL or
 *    NULL-terminated): their text is cleansed from libconfuse's tree.
 */
struct config_section {
	const char *name;
	cfg_opt_t *opts;
	const char *const *secrets;
	int (*load)(struct config_load *l);
	int (*check)(struct config_load *l);
	void (*free)(struct config *c);
	void (*diff)(const struct config *o, const struct config *n,
		     struct config_diff *d);
};

/*
 * The slot for a section's own state in c (config.c's table order): a new
 * section keeps its settings in a struct of its own there, declares its
 * accessors in config_NAME.h, and frees it in its free hook - struct
 * config does not change.
 */
void **config_section_data(struct config *c, const struct config_section *s);


/* ---- options: every value is a string, its line recorded */

int config_record_value(cfg_t *sec, cfg_opt_t *opt, const char *value,
			void *result);
#define CONFIG_OPT(name) \
	CFG_STR_CB(name, NULL, CFGF_NODEFAULT, config_record_value)
#define CONFIG_OPT_LIST(name) \
	CFG_STR_LIST_CB(name, NULL, CFGF_NODEFAULT, config_record_value)
/* A section that may appear many times, each with a distinct title. */
#define CONFIG_MULTI (CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES)

/* ---- errors and lines (config_kit.c) */

/* Records the first error as "FILE:LINE: message" ("FILE: message" if
 * line <= 0); returns -EINVAL so that callers can "return config_fail()". */
int __attribute__((format(printf, 3, 4)))
config_fail(struct config_load *l, int line, const char *fmt, ...);
void config_fail_v(struct config_load *l, int line, const char *fmt,
		   va_list ap);
/* The load libconfuse's callbacks report to (they have no context). */
void config_kit_attach(struct config_load *l);
void config_kit_detach(void);
void config_confuse_error(cfg_t *c, const char *fmt, va_list ap);
/* After the parse: sorts the records, refuses an option set twice. */
int config_lines_done(struct config_load *l);
/* The line section s opened on; of value idx of option name in s. */
int config_sec_line(const struct config_load *l, const cfg_t *s);
int config_opt_line(const struct config_load *l, const cfg_t *s,
		    const char *name, unsigned int idx);

/* ---- values (config_kit.c) */

bool config_parse_addr(const char *s, struct in_addr *a);
bool config_addr_unicast(struct in_addr a);
bool config_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
size_t config_split_words(char *s, char **w, size_t max);
const char *config_parse_range_words(char **w, size_t n,
				     struct config_range *r);
const char *config_parse_prefix(const char *str, struct in_addr *net,
				uint8_t *plen);
uint32_t config_plen_mask(uint8_t plen);
bool config_nai_char_ok(unsigned char c);
const char *config_parse_match(const char *title, enum config_match_kind *k,
			       struct config_range *r, char **nai);
const char *config_parse_hex_key(const char *s, size_t slen, uint8_t *key,
				 uint8_t *key_len);
int config_read_key_file(struct config_load *l, int line, const char *path,
			 uint8_t *key, uint8_t *key_len);
/* nai (not NUL-terminated) copied into buf with its realm in lower case;
 * *realm points at its "@realm" in buf (NULL if none). */
bool config_nai_normalize(const uint8_t *nai, size_t len, char *buf,
			  const char **realm);
/* An NAI ("user@realm" or "@realm") and what it names, in sorted arrays. */
struct config_nai_ent {
	const char *nai;
	const void *item;
};
/* The first entry of key in v[0..n) sorted by nai, NULL if none. */
const struct config_nai_ent *config_nai_find(const struct config_nai_ent *v,
					     size_t n, const char *key);
void config_fmt_range(char *buf, size_t len, const struct config_range *r);
bool config_str_eq(const char *a, const char *b);

/* ---- getters: absent options leave *out alone (config_kit.c) */

const char *config_str(cfg_t *s, const char *name);
int config_get_u32(struct config_load *l, cfg_t *s, const char *name,
		   uint32_t min, uint32_t max, uint32_t *out);
int config_get_bool(struct config_load *l, cfg_t *s, const char *name,
		    bool *out);
int config_get_addr(struct config_load *l, cfg_t *s, const char *name,
		    unsigned int idx, struct in_addr *out);
int config_get_rt(struct config_load *l, cfg_t *s, enum config_rt_policy *out);
int config_get_encap(struct config_load *l, cfg_t *s, enum config_encap *out);
/*
 * A notify hook's path (option name, keepalived's notify): absolute, an
 * executable file, owned by root (or us) and writable by nobody else: it
 * runs as root on every event. *out is a copy (the caller frees it),
 * left alone if the option is absent.
 */
int config_get_hook(struct config_load *l, cfg_t *s, const char *name,
		    char **out);

/* ---- reading (config_read.c) */

/* The file into memory (NUL-terminated, at most 16 MiB). */
int config_read_text(struct config_load *l, const char *path, char **out,
		     size_t *outlen);
/* Comments blanked out, newlines kept (libconfuse miscounts lines). */
int config_strip_comments(struct config_load *l, char *s, size_t len);
/* cfg_parse_buf() with a stdio buffer that is cleansed afterwards. */
int config_parse_cfg(cfg_t *top, char *text, size_t len);
/* Key text in libconfuse's tree cleansed (before cfg_free()): the values
 * of every string option whose name is_secret() says holds a key. */
void config_cleanse_keys(cfg_t *sec, bool (*is_secret)(const char *name));

/* ---- reload verdicts (config.c) */

/* A live change: what (for the log), and its enum config_change bit (0
 * for a section that has none: new sections need no bit). */
void config_diff_live(struct config_diff *d, unsigned int change,
		      const char *what);
/* A change that needs a restart: why (it is logged and answered). */
void config_diff_restart(struct config_diff *d, unsigned int change,
			 const char *why);

/* ---- cross-section lookups used while loading */

const struct config_vnet *config_find_vnet(const struct config *c,
					   struct in_addr net, uint8_t plen);
bool config_in_vnet(const struct config_vnet *v, uint32_t a);
int config_add_ha_addr(struct config *c, struct in_addr a);
/* Home addresses are handed out by exactly one item (config_claims.c). */
int config_check_claims(struct config_load *l);

#endif /* MIPHA_CONFIG_KIT_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * config_kit: what every section of agentd.conf is loaded with (see
 * config_kit.h): the line of every value, FILE:LINE errors, value parsers
 * and getters whose messages name the option and the accepted range.
 *
 * libconfuse options carry no line number. Every option is a string
 * option with a parse callback that records (section, option, line) as
 * libconfuse reads it; semantic errors found later name the line of the
 * offending value. A section's own line is that of its opening brace (the
 * top level's line while the section is being read). Numbers, booleans
 * and addresses are parsed here rather than by libconfuse so that every
 * message names the option and the accepted range.
 *
 * libconfuse keeps its lexer state in globals, and its callbacks have no
 * context pointer: a load is not reentrant (the daemon has one thread),
 * and the load in progress is reached through `cur`
 * (config_kit_attach()).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config_kit.h"
#include "sort.h"

#define KEY_FILE_MAX 4096 /* bytes of a key file */

/* ---- errors and lines ------------------------------------------------- */

static struct config_load *cur;

void config_fail_v(struct config_load *l, int line, const char *fmt, va_list ap)
{
	int n;

	if (l->error)
		return;
	l->error = -EINVAL;
	if (!l->errlen)
		return;
	if (line > 0)
		n = snprintf(l->err, l->errlen, "%s:%d: ", l->path, line);
	else
		n = snprintf(l->err, l->errlen, "%s: ", l->path);
	if (n >= 0 && (size_t)n < l->errlen)
		vsnprintf(l->err + n, l->errlen - n, fmt, ap);
}

/* Records the first error; returns -EINVAL so that callers can
 * "return config_fail(...)". */
int config_fail(struct config_load *l, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	config_fail_v(l, line, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void config_confuse_error(cfg_t *c, const char *fmt, va_list ap)
{
	if (cur)
		config_fail_v(cur, c ? c->line : 0, fmt, ap);
}

int config_record_value(cfg_t *sec, cfg_opt_t *opt, const char *value,
			void *result)
{
	struct config_load *l = cur;
	struct config_line_rec *r;

	if (l->n_recs == l->cap_recs) {
		size_t cap = l->cap_recs ? 2 * l->cap_recs : 256;

		r = realloc(l->recs, cap * sizeof(*r));
		if (!r) {
			config_fail(l, sec->line, "out of memory");
			l->error = -ENOMEM;
			return -1;
		}
		l->recs = r;
		l->cap_recs = cap;
	}
	r = &l->recs[l->n_recs];
	r->sec = sec;
	r->opt = opt->name;
	r->line = sec->line;
	/* While a section is read, only its own cfg_t counts lines: the top
	 * level still holds the line the section opened on. */
	r->sec_line = l->top->line;
	r->seq = l->n_recs++;
	*(const char **)result = value;
	return 0;
}

static int rec_cmp(const void *a, const void *b)
{
	const struct config_line_rec *x = a, *y = b;
	uintptr_t px = (uintptr_t)x->sec, py = (uintptr_t)y->sec;

	if (px != py)
		return px < py ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* First record of section s (records sorted by rec_cmp). */
static const struct config_line_rec *sec_first(const struct config_load *l,
					       const cfg_t *s)
{
	size_t lo = 0, hi = l->n_recs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if ((uintptr_t)l->recs[mid].sec < (uintptr_t)s)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < l->n_recs && l->recs[lo].sec == s)
		return &l->recs[lo];
	return NULL;
}

/* The line a section opened on (for an empty section: its closing brace,
 * the best libconfuse tells). */
int config_sec_line(const struct config_load *l, const cfg_t *s)
{
	const struct config_line_rec *r = sec_first(l, s);

	if (s == l->top)
		return 0;
	return r ? r->sec_line : s->line;
}

/* Line of value idx of option name in section s; the section's line if
 * the value was not read from the file. */
int config_opt_line(const struct config_load *l, const cfg_t *s,
		    const char *name, unsigned int idx)
{
	const struct config_line_rec *r = sec_first(l, s);
	const struct config_line_rec *end = l->recs + l->n_recs;

	for (; r && r < end && r->sec == s; r++) {
		if (strcmp(r->opt, name))
			continue;
		if (!idx--)
			return r->line;
	}
	return config_sec_line(l, s);
}

/*
 * libconfuse silently keeps the last of two "x = ..." lines (and replaces
 * a whole list on a second "list = ..."): an operator translating line by
 * line would lose the first without a word. Refuse instead.
 */
static int rec_opt_cmp(const void *a, const void *b)
{
	const struct config_line_rec *x = a, *y = b;
	int c = rec_cmp(a, b);

	if (x->sec != y->sec)
		return c;
	c = strcmp(x->opt, y->opt);
	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int check_repeats(struct config_load *l)
{
	struct config_line_rec *r;
	size_t i, j;
	int err = 0;

	if (!l->n_recs)
		return 0;
	/* A copy grouped by (section, option), in reading order within. */
	r = malloc(l->n_recs * sizeof(*r));
	if (!r)
		return -ENOMEM;
	memcpy(r, l->recs, l->n_recs * sizeof(*r));
	sort_array(r, l->n_recs, sizeof(*r), rec_opt_cmp);
	for (i = 0; i < l->n_recs && !err; i = j) {
		cfg_opt_t *opt = cfg_getopt((cfg_t *)r[i].sec, r[i].opt);
		size_t n;

		for (j = i + 1; j < l->n_recs && r[j].sec == r[i].sec &&
				!strcmp(r[j].opt, r[i].opt);
		     j++)
			;
		n = j - i;
		if (!opt)
			continue;
		if (!(opt->flags & CFGF_LIST) && n > 1)
			err = config_fail(l, r[i + 1].line,
					  "'%s' set twice (first at line %d)",
					  r[i].opt, r[i].line);
		else if ((opt->flags & CFGF_LIST) && n != cfg_opt_size(opt))
			/* The values kept are the last ones read: the
			 * assignment that replaced the others starts at the
			 * first of them. */
			err = config_fail(
				l,
				r[j -
				  (cfg_opt_size(opt) ? cfg_opt_size(opt) : 1)]
					.line,
				"'%s' assigned again (first at line %d): "
				"use '+=' to add to a list",
				r[i].opt, r[i].line);
	}
	free(r);
	return err;
}

void config_kit_attach(struct config_load *l)
{
	cur = l;
}

void config_kit_detach(void)
{
	cur = NULL;
}

int config_lines_done(struct config_load *l)
{
	sort_array(l->recs, l->n_recs, sizeof(*l->recs), rec_cmp);
	return check_repeats(l);
}

/* ---- value parsers ---------------------------------------------------- */

bool config_parse_addr(const char *s, struct in_addr *a)
{
	return inet_pton(AF_INET, s, a) == 1;
}

/* A unicast address a host or an agent can have. */
bool config_addr_unicast(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return h != 0 && h != 0xffffffff && (h >> 28) != 0xe;
}

bool config_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return true;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* Splits s into at most max whitespace-separated words (modifies s);
 * max + 1 (w[max] unset) if there are more. */
size_t config_split_words(char *s, char **w, size_t max)
{
	size_t n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(s, " \t\r\n", &save); t;
	     t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == max)
			return max + 1;
		w[n++] = t;
	}
	return n;
}

/* "A" or "A B" (inclusive, A <= B). */
const char *config_parse_range_words(char **w, size_t n, struct config_range *r)
{
	struct in_addr a, b;

	if (n < 1 || n > 2)
		return "expected ADDRESS [ADDRESS]";
	if (!config_parse_addr(w[0], &a))
		return "bad address";
	b = a;
	if (n == 2 && !config_parse_addr(w[1], &b))
		return "bad address";
	if (!config_addr_unicast(a) || !config_addr_unicast(b))
		return "not a unicast address";
	r->first = ntohl(a.s_addr);
	r->last = ntohl(b.s_addr);
	if (r->first > r->last)
		return "range ends before it starts";
	return NULL;
}

/* "NET MASK" or "NET/LEN"; host bits must be zero. */
const char *config_parse_prefix(const char *str, struct in_addr *net,
				uint8_t *plen)
{
	char buf[64], *w[3], *slash;
	struct in_addr a, m;
	uint32_t mask, len;
	size_t n;

	if (strlen(str) >= sizeof(buf))
		return "expected NETWORK MASK or NETWORK/LENGTH";
	strcpy(buf, str);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (!config_parse_addr(buf, &a) ||
		    !config_parse_u32(slash + 1, 1, 32, &len))
			return "expected NETWORK/LENGTH (length 1-32)";
		mask = 0xffffffffu << (32 - len);
	} else {
		n = config_split_words(buf, w, 2);
		if (n != 2 || !config_parse_addr(w[0], &a) ||
		    !config_parse_addr(w[1], &m))
			return "expected NETWORK MASK or NETWORK/LENGTH";
		mask = ntohl(m.s_addr);
		if (!mask || (~mask & (~mask + 1)))
			return "mask is not contiguous";
		len = 32 - __builtin_ctz(mask);
		if (mask == 0xffffffffu)
			len = 32;
	}
	if (ntohl(a.s_addr) & ~mask)
		return "host bits set in the network address";
	*net = a;
	*plen = len;
	return NULL;
}

uint32_t config_plen_mask(uint8_t plen)
{
	return plen ? 0xffffffffu << (32 - plen) : 0;
}

bool config_nai_char_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

/*
 * NAI as configured: "user@realm" or "@realm" (realm != ""), or a bare
 * "user". Returns a copy with the realm in lower case (RFC 4282: realms
 * compare case-insensitively, user names do not).
 */
static const char *parse_nai(const char *s, char **out, bool *realm_only)
{
	size_t len = strlen(s), i;
	const char *at = strrchr(s, '@');
	char *c;

	if (!len || len > CONFIG_NAI_MAX)
		return "NAI must be 1-255 characters";
	for (i = 0; i < len; i++)
		if (!config_nai_char_ok(s[i]))
			return "NAI with a space or a control character";
	if (at && !at[1])
		return "NAI with an empty realm";
	c = strdup(s);
	if (!c)
		return "out of memory";
	if (at)
		for (i = at - s; i < len; i++)
			c[i] = tolower((unsigned char)c[i]);
	*realm_only = at == s;
	*out = c;
	return NULL;
}

/* Hex digits (an even number) to bytes. */
const char *config_parse_hex_key(const char *s, size_t slen, uint8_t *key,
				 uint8_t *key_len)
{
	size_t i, n = 0;

	if (slen >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		slen -= 2;
	}
	for (i = 0; i < slen; i++)
		if (!isxdigit((unsigned char)s[i]))
			return "key must be hex digits";
	if (!slen || slen % 2)
		return "key must be an even number of hex digits";
	if (slen / 2 > AUTH_KEY_MAX)
		return "key longer than 64 bytes";
	for (i = 0; i < slen; i += 2) {
		int hi, lo;

		hi = isdigit((unsigned char)s[i]) ? s[i] - '0' :
						    (s[i] | 0x20) - 'a' + 10;
		lo = isdigit((unsigned char)s[i + 1]) ?
			     s[i + 1] - '0' :
			     (s[i + 1] | 0x20) - 'a' + 10;
		key[n++] = hi << 4 | lo;
	}
	*key_len = n;
	return NULL;
}

/*
 * A key file: hex digits (surrounding white space ignored). Refused if
 * anyone but its owner may read or write it, or if its owner is neither
 * root nor us: the key would not be secret (or someone else could change
 * it).
 */
int config_read_key_file(struct config_load *l, int line, const char *path,
			 uint8_t *key, uint8_t *key_len)
{
	char buf[KEY_FILE_MAX + 1];
	struct stat st;
	const char *msg, *s;
	size_t len = 0, slen;
	int fd;

	if (path[0] != '/')
		return config_fail(l, line, "key-file %s: not an absolute path",
				   path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return config_fail(l, line, "key-file %s: %s", path,
				   strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return config_fail(l, line, "key-file %s: not a regular file",
				   path);
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		close(fd);
		return config_fail(l, line,
				   "key-file %s: owned by uid %u, not by root",
				   path, (unsigned int)st.st_uid);
	}
	if (st.st_mode & 077) {
		close(fd);
		return config_fail(l, line,
				   "key-file %s: group or others have access "
				   "(mode %04o); chmod 600 it",
				   path, (unsigned int)(st.st_mode & 07777));
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return config_fail(l, line, "key-file %s: %s", path,
					   strerror(errno));
		}
		if (!n)
			break;
		len += n;
		if (len == sizeof(buf) - 1) {
			close(fd);
			OPENSSL_cleanse(buf, sizeof(buf));
			return config_fail(l, line, "key-file %s: too large",
					   path);
		}
	}
	close(fd);
	buf[len] = '\0';
	s = buf;
	while (isspace((unsigned char)*s))
		s++;
	slen = strlen(s);
	while (slen && isspace((unsigned char)s[slen - 1]))
		slen--;
	if (strlen(s) != len - (s - buf))
		msg = "key must be hex digits";
	else
		msg = config_parse_hex_key(s, slen, key, key_len);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (msg)
		return config_fail(l, line, "key-file %s: %s", path, msg);
	return 0;
}

const char *config_parse_match(const char *title, enum config_match_kind *k,
			       struct config_range *r, char **nai)
{
	char buf[300], *w[3];
	bool realm;
	size_t n;
	const char *msg;

	if (strlen(title) >= sizeof(buf))
		return "expected ADDRESS [ADDRESS] or nai NAI";
	strcpy(buf, title);
	n = config_split_words(buf, w, 2);
	if (n == 2 && !strcmp(w[0], "nai")) {
		msg = parse_nai(w[1], nai, &realm);
		if (msg)
			return msg;
		*k = realm ? CONFIG_MATCH_REALM : CONFIG_MATCH_NAI;
		return NULL;
	}
	if (n == 0 || n > 2)
		return "expected ADDRESS [ADDRESS] or nai NAI";
	*k = CONFIG_MATCH_ADDR;
	return config_parse_range_words(w, n, r);
}

/* nai (not NUL-terminated) copied with its realm in lower case. */
bool config_nai_normalize(const uint8_t *nai, size_t len, char *buf,
			  const char **realm)
{
	size_t i, at = len;

	if (!len || len > CONFIG_NAI_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (!config_nai_char_ok(nai[i]))
			return false;
		if (nai[i] == '@')
			at = i;
	}
	for (i = 0; i < len; i++)
		buf[i] = i > at ? tolower(nai[i]) : (char)nai[i];
	buf[len] = '\0';
	*realm = at < len ? buf + at : NULL;
	return true;
}

const struct config_nai_ent *config_nai_find(const struct config_nai_ent *v,
					     size_t n, const char *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(v[mid].nai, key);

		if (!c) {
			/* the first of equal keys (SAs differ by SPI) */
			while (mid && !strcmp(v[mid - 1].nai, key))
				mid--;
			return &v[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void config_fmt_range(char *buf, size_t len, const struct config_range *r)
{
	struct in_addr a = { htonl(r->first) }, b = { htonl(r->last) };
	char x[INET_ADDRSTRLEN], y[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, x, sizeof(x));
	inet_ntop(AF_INET, &b, y, sizeof(y));
	if (r->first == r->last)
		snprintf(buf, len, "%s", x);
	else
		snprintf(buf, len, "%s-%s", x, y);
}

bool config_str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* ---- getters ---------------------------------------------------------- */

const char *config_str(cfg_t *s, const char *name)
{
	return cfg_size(s, name) ? cfg_getstr(s, name) : NULL;
}

int config_get_u32(struct config_load *l, cfg_t *s, const char *name,
		   uint32_t min, uint32_t max, uint32_t *out)
{
	const char *v = config_str(s, name);

	if (!v)
		return 0;
	if (!config_parse_u32(v, min, max, out))
		return config_fail(l, config_opt_line(l, s, name, 0),
				   "%s: '%s' is not a number in %u-%u", name, v,
				   min, max);
	return 0;
}

int config_get_bool(struct config_load *l, cfg_t *s, const char *name,
		    bool *out)
{
	const char *v = config_str(s, name);

	if (v && !parse_bool(v, out))
		return config_fail(l, config_opt_line(l, s, name, 0),
				   "%s: '%s' is not true or false", name, v);
	return 0;
}

int config_get_addr(struct config_load *l, cfg_t *s, const char *name,
		    unsigned int idx, struct in_addr *out)
{
	const char *v = cfg_getnstr(s, name, idx);

	if (!config_parse_addr(v, out) || !config_addr_unicast(*out))
		return config_fail(l, config_opt_line(l, s, name, idx),
				   "%s: '%s' is not a unicast IPv4 address",
				   name, v);
	return 0;
}

int config_get_rt(struct config_load *l, cfg_t *s, enum config_rt_policy *out)
{
	const char *v = config_str(s, "reverse-tunnel");

	if (!v)
		return 0;
	if (!strcmp(v, "off"))
		*out = CONFIG_RT_OFF;
	else if (!strcmp(v, "allowed"))
		*out = CONFIG_RT_ALLOWED;
	else if (!strcmp(v, "required"))
		*out = CONFIG_RT_REQUIRED;
	else
		return config_fail(
			l, config_opt_line(l, s, "reverse-tunnel", 0),
			"reverse-tunnel: '%s' is not off, allowed or "
			"required",
			v);
	return 0;
}

int config_get_encap(struct config_load *l, cfg_t *s, enum config_encap *out)
{
	const char *v = config_str(s, "encapsulation");

	if (!v)
		return 0;
	if (!strcmp(v, "any"))
		*out = CONFIG_ENCAP_ANY;
	else if (!strcmp(v, "ipip"))
		*out = CONFIG_ENCAP_IPIP;
	else if (!strcmp(v, "gre"))
		*out = CONFIG_ENCAP_GRE;
	else
		return config_fail(
			l, config_opt_line(l, s, "encapsulation", 0),
			"encapsulation: '%s' is not ipip, gre or any", v);
	return 0;
}

int config_get_hook(struct config_load *l, cfg_t *s, const char *name,
		    char **out)
{
	const char *p = config_str(s, name);
	int line = config_opt_line(l, s, name, 0);
	struct stat st;

	if (!p)
		return 0;
	if (p[0] != '/')
		return config_fail(l, line, "%s %s: not an absolute path", name,
				   p);
	if (stat(p, &st) || !S_ISREG(st.st_mode) || access(p, X_OK))
		return config_fail(l, line, "%s %s: not an executable file",
				   name, p);
	/* Run as root on every event: nobody else may change it. */
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022))
		return config_fail(l, line,
				   "%s %s: writable by others than its "
				   "owner, or not owned by root",
				   name, p);
	*out = strdup(p);
	return *out ? 0 : -ENOMEM;
}

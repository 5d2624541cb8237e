// SPDX-License-Identifier: GPL-2.0
/*
 * config: loading and validating agentd.conf (see config.h and README
 * "Configuration").
 *
 * libconfuse does the syntax. Two of its habits are worked around here:
 *  - libconfuse 3.3 counts each '#' or '//' comment line two lines too many
 *    (and a block comment one), and refuses a comment inside a list. So the
 *    file is read into memory first and its comments are blanked out
 *    (newlines kept) before libconfuse sees it: line numbers are then exact.
 *  - options carry no line number. Every option is a string option with a
 *    parse callback that records (section, option, line) as libconfuse
 *    reads it; semantic errors found later name the line of the offending
 *    value. A section's own line is that of its opening brace (the top
 *    level's line while the section is being read).
 * Numbers, booleans and addresses are parsed here rather than by libconfuse
 * so that every message names the option and the accepted range.
 *
 * libconfuse keeps its lexer state in globals, and its callbacks have no
 * context pointer: config_load() is not reentrant (the daemon has one
 * thread), and the load in progress is reached through `cur`.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <confuse.h>
#include <openssl/crypto.h>

#include "config.h"
#include "log.h"
#include "sort.h"

#define CONFIG_FILE_MAX (16 << 20) /* bytes; a huge file is a mistake */
#define KEY_FILE_MAX	4096	   /* bytes of a key file */

/* ---- line bookkeeping ------------------------------------------------- */

struct line_rec {
	const cfg_t *sec; /* the section the value was read in */
	const char *opt;  /* option name (static, from the option table) */
	int line;	  /* line of the value */
	int sec_line;	  /* line of the section's opening brace */
	size_t seq;	  /* reading order */
};

struct load {
	const char *path;
	char *err;
	size_t errlen;
	int error; /* first error (negative errno), 0 if none */
	struct line_rec *recs;
	size_t n_recs, cap_recs;
	cfg_t *top;
	struct config *cfg;
};

static struct load *cur;

static void load_fail_v(struct load *l, int line, const char *fmt, va_list ap)
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
 * "return fail(...)". */
static int __attribute__((format(printf, 3, 4)))
fail(struct load *l, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	load_fail_v(l, line, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void confuse_error(cfg_t *c, const char *fmt, va_list ap)
{
	if (cur)
		load_fail_v(cur, c ? c->line : 0, fmt, ap);
}

static int record_value(cfg_t *sec, cfg_opt_t *opt, const char *value,
			void *result)
{
	struct load *l = cur;
	struct line_rec *r;

	if (l->n_recs == l->cap_recs) {
		size_t cap = l->cap_recs ? 2 * l->cap_recs : 256;

		r = realloc(l->recs, cap * sizeof(*r));
		if (!r) {
			fail(l, sec->line, "out of memory");
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
	const struct line_rec *x = a, *y = b;
	uintptr_t px = (uintptr_t)x->sec, py = (uintptr_t)y->sec;

	if (px != py)
		return px < py ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* First record of section s (records sorted by rec_cmp). */
static const struct line_rec *sec_first(const struct load *l, const cfg_t *s)
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
static int sec_line(const struct load *l, const cfg_t *s)
{
	const struct line_rec *r = sec_first(l, s);

	if (s == l->top)
		return 0;
	return r ? r->sec_line : s->line;
}

/* Line of value idx of option name in section s; the section's line if
 * the value was not read from the file. */
static int opt_line(const struct load *l, const cfg_t *s, const char *name,
		    unsigned int idx)
{
	const struct line_rec *r = sec_first(l, s);
	const struct line_rec *end = l->recs + l->n_recs;

	for (; r && r < end && r->sec == s; r++) {
		if (strcmp(r->opt, name))
			continue;
		if (!idx--)
			return r->line;
	}
	return sec_line(l, s);
}

/*
 * libconfuse silently keeps the last of two "x = ..." lines (and replaces
 * a whole list on a second "list = ..."): an operator translating line by
 * line would lose the first without a word. Refuse instead.
 */
static int rec_opt_cmp(const void *a, const void *b)
{
	const struct line_rec *x = a, *y = b;
	int c = rec_cmp(a, b);

	if (x->sec != y->sec)
		return c;
	c = strcmp(x->opt, y->opt);
	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int check_repeats(struct load *l)
{
	struct line_rec *r;
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
			err = fail(l, r[i + 1].line,
				   "'%s' set twice (first at line %d)",
				   r[i].opt, r[i].line);
		else if ((opt->flags & CFGF_LIST) && n != cfg_opt_size(opt))
			/* The values kept are the last ones read: the
			 * assignment that replaced the others starts at the
			 * first of them. */
			err = fail(
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

/* ---- reading the file ------------------------------------------------- */

/*
 * Blanks out comments ('#' and '//' to the end of the line, C block
 * comments) outside quoted strings, keeping every newline, as libconfuse's
 * lexer would see them: '//' and '/' '*' start a comment only where a word
 * starts (inside an unquoted word they are part of it).
 */
static int strip_comments(struct load *l, char *s, size_t len)
{
	size_t i = 0;
	int line = 1, open_line = 0;
	bool in_word = false;

	while (i < len) {
		char c = s[i];

		if (c == '\n')
			line++;
		if (c == '"' || c == '\'') {
			char q = c;

			open_line = line;
			for (i++; i < len && s[i] != q; i++) {
				if (s[i] == '\n')
					line++;
				if (s[i] == '\\' && i + 1 < len) {
					i++;
					if (s[i] == '\n')
						line++;
				}
			}
			if (i >= len)
				return fail(l, open_line,
					    "unterminated string");
			i++;
			in_word = false;
			continue;
		}
		if (c == '#' ||
		    (!in_word && c == '/' && i + 1 < len && s[i + 1] == '/')) {
			while (i < len && s[i] != '\n')
				s[i++] = ' ';
			in_word = false;
			continue;
		}
		if (!in_word && c == '/' && i + 1 < len && s[i + 1] == '*') {
			open_line = line;
			s[i++] = ' ';
			s[i++] = ' ';
			while (i < len && !(s[i] == '*' && i + 1 < len &&
					    s[i + 1] == '/')) {
				if (s[i] == '\n')
					line++;
				else
					s[i] = ' ';
				i++;
			}
			if (i >= len)
				return fail(l, open_line,
					    "unterminated comment");
			s[i++] = ' ';
			s[i++] = ' ';
			in_word = false;
			continue;
		}
		in_word = !strchr(" \t\r\n={}()+,", c);
		i++;
	}
	return 0;
}

static int read_text(struct load *l, const char *path, char **out,
		     size_t *outlen)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		err = -errno;
		fail(l, 0, "%s", strerror(errno));
		l->error = err;
		return err;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		fail(l, 0, "not a regular file");
		return -EINVAL;
	}
	if (st.st_size > CONFIG_FILE_MAX) {
		close(fd);
		fail(l, 0, "larger than %d MiB", CONFIG_FILE_MAX >> 20);
		return -EFBIG;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			fail(l, 0, "read: %s", strerror(-err));
			l->error = err;
			close(fd);
			OPENSSL_cleanse(buf, len);
			free(buf);
			return err;
		}
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

/* ---- value parsers ---------------------------------------------------- */

static bool parse_addr(const char *s, struct in_addr *a)
{
	return inet_pton(AF_INET, s, a) == 1;
}

/* A unicast address a host or an agent can have. */
static bool addr_unicast(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return h != 0 && h != 0xffffffff && (h >> 28) != 0xe;
}

static bool parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
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
static size_t split_words(char *s, char **w, size_t max)
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
static const char *parse_range_words(char **w, size_t n, struct config_range *r)
{
	struct in_addr a, b;

	if (n < 1 || n > 2)
		return "expected ADDRESS [ADDRESS]";
	if (!parse_addr(w[0], &a))
		return "bad address";
	b = a;
	if (n == 2 && !parse_addr(w[1], &b))
		return "bad address";
	if (!addr_unicast(a) || !addr_unicast(b))
		return "not a unicast address";
	r->first = ntohl(a.s_addr);
	r->last = ntohl(b.s_addr);
	if (r->first > r->last)
		return "range ends before it starts";
	return NULL;
}

/* "NET MASK" or "NET/LEN"; host bits must be zero. */
static const char *parse_prefix(const char *str, struct in_addr *net,
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
		if (!parse_addr(buf, &a) || !parse_u32(slash + 1, 1, 32, &len))
			return "expected NETWORK/LENGTH (length 1-32)";
		mask = 0xffffffffu << (32 - len);
	} else {
		n = split_words(buf, w, 2);
		if (n != 2 || !parse_addr(w[0], &a) || !parse_addr(w[1], &m))
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

static uint32_t plen_mask(uint8_t plen)
{
	return plen ? 0xffffffffu << (32 - plen) : 0;
}

static bool nai_char_ok(unsigned char c)
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
		if (!nai_char_ok(s[i]))
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
static const char *parse_hex_key(const char *s, size_t slen, uint8_t *key,
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
static int read_key_file(struct load *l, int line, const char *path,
			 uint8_t *key, uint8_t *key_len)
{
	char buf[KEY_FILE_MAX + 1];
	struct stat st;
	const char *msg, *s;
	size_t len = 0, slen;
	int fd;

	if (path[0] != '/')
		return fail(l, line, "key-file %s: not an absolute path", path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return fail(l, line, "key-file %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(l, line, "key-file %s: not a regular file", path);
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		close(fd);
		return fail(l, line,
			    "key-file %s: owned by uid %u, not by root", path,
			    (unsigned int)st.st_uid);
	}
	if (st.st_mode & 077) {
		close(fd);
		return fail(l, line,
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
			return fail(l, line, "key-file %s: %s", path,
				    strerror(errno));
		}
		if (!n)
			break;
		len += n;
		if (len == sizeof(buf) - 1) {
			close(fd);
			OPENSSL_cleanse(buf, sizeof(buf));
			return fail(l, line, "key-file %s: too large", path);
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
		msg = parse_hex_key(s, slen, key, key_len);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (msg)
		return fail(l, line, "key-file %s: %s", path, msg);
	return 0;
}

/* ---- the option tables ------------------------------------------------ */

#define S(name)	 CFG_STR_CB(name, NULL, CFGF_NODEFAULT, record_value)
#define SL(name) CFG_STR_LIST_CB(name, NULL, CFGF_NODEFAULT, record_value)
#define MULTI	 (CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES)

static cfg_opt_t home_agent_opts[] = {
	SL("address"),	    S("dynamic-address"), S("redundancy"),
	S("standby"),	    S("lifetime"),	  S("max-lifetime"),
	S("replay-window"), S("reverse-tunnel"),  S("encapsulation"),
	CFG_END(),
};

static cfg_opt_t vnet_opts[] = {
	S("address"),
	CFG_END(),
};

static cfg_opt_t link_opts[] = {
	S("proxy-arp"),
	CFG_END(),
};

static cfg_opt_t host_opts[] = {
	S("virtual-network"), S("interface"),
	SL("static-address"), S("pool"),
	S("lifetime"),	      S("reverse-tunnel"),
	S("encapsulation"),   CFG_END(),
};

static cfg_opt_t sa_opts[] = {
	S("spi"),      S("key"),	   S("key-ascii"),
	S("key-file"), S("algorithm"),	   S("mode"),
	S("replay"),   S("replay-window"), CFG_END(),
};

static cfg_opt_t pool_opts[] = {
	SL("range"), S("priority"), S("group"), SL("threshold"), CFG_END(),
};

static cfg_opt_t log_opts[] = {
	S("target"),
	S("facility"),
	SL("debug"),
	CFG_END(),
};

static cfg_opt_t top_opts[] = {
	CFG_SEC("home-agent", home_agent_opts, CFGF_NONE),
	CFG_SEC("virtual-network", vnet_opts, MULTI),
	CFG_SEC("home-link", link_opts, MULTI),
	CFG_SEC("host", host_opts, MULTI),
	CFG_SEC("secure-host", sa_opts, MULTI),
	CFG_SEC("secure-foreign-agent", sa_opts, MULTI),
	CFG_SEC("secure-home-agent", sa_opts, MULTI),
	CFG_SEC("pool", pool_opts, MULTI),
	CFG_SEC("log", log_opts, CFGF_NONE),
	S("control-socket"),
	CFG_END(),
};

/* ---- building struct config ------------------------------------------- */

static const char *str(cfg_t *s, const char *name)
{
	return cfg_size(s, name) ? cfg_getstr(s, name) : NULL;
}

static int get_u32(struct load *l, cfg_t *s, const char *name, uint32_t min,
		   uint32_t max, uint32_t *out)
{
	const char *v = str(s, name);

	if (!v)
		return 0;
	if (!parse_u32(v, min, max, out))
		return fail(l, opt_line(l, s, name, 0),
			    "%s: '%s' is not a number in %u-%u", name, v, min,
			    max);
	return 0;
}

static int get_bool(struct load *l, cfg_t *s, const char *name, bool *out)
{
	const char *v = str(s, name);

	if (v && !parse_bool(v, out))
		return fail(l, opt_line(l, s, name, 0),
			    "%s: '%s' is not true or false", name, v);
	return 0;
}

static int get_addr(struct load *l, cfg_t *s, const char *name,
		    unsigned int idx, struct in_addr *out)
{
	const char *v = cfg_getnstr(s, name, idx);

	if (!parse_addr(v, out) || !addr_unicast(*out))
		return fail(l, opt_line(l, s, name, idx),
			    "%s: '%s' is not a unicast IPv4 address", name, v);
	return 0;
}

static int get_rt(struct load *l, cfg_t *s, enum config_rt_policy *out)
{
	const char *v = str(s, "reverse-tunnel");

	if (!v)
		return 0;
	if (!strcmp(v, "off"))
		*out = CONFIG_RT_OFF;
	else if (!strcmp(v, "allowed"))
		*out = CONFIG_RT_ALLOWED;
	else if (!strcmp(v, "required"))
		*out = CONFIG_RT_REQUIRED;
	else
		return fail(l, opt_line(l, s, "reverse-tunnel", 0),
			    "reverse-tunnel: '%s' is not off, allowed or "
			    "required",
			    v);
	return 0;
}

static int get_encap(struct load *l, cfg_t *s, enum config_encap *out)
{
	const char *v = str(s, "encapsulation");

	if (!v)
		return 0;
	if (!strcmp(v, "any"))
		*out = CONFIG_ENCAP_ANY;
	else if (!strcmp(v, "ipip"))
		*out = CONFIG_ENCAP_IPIP;
	else if (!strcmp(v, "gre"))
		*out = CONFIG_ENCAP_GRE;
	else
		return fail(l, opt_line(l, s, "encapsulation", 0),
			    "encapsulation: '%s' is not ipip, gre or any", v);
	return 0;
}

static int add_ha_addr(struct load *l, int line, struct in_addr a)
{
	struct config *c = l->cfg;
	struct in_addr *n;
	size_t i;

	for (i = 0; i < c->n_ha_addrs; i++)
		if (c->ha_addrs[i].s_addr == a.s_addr)
			return 0;
	(void)line;
	n = realloc(c->ha_addrs, (c->n_ha_addrs + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	n[c->n_ha_addrs++] = a;
	c->ha_addrs = n;
	return 0;
}

static int load_home_agent(struct load *l)
{
	struct config *c = l->cfg;
	cfg_t *s = cfg_getsec(l->top, "home-agent");
	unsigned int i, j;
	const char *v;
	int err;

	c->lifetime = CONFIG_DEFAULT_LIFETIME;
	c->max_lifetime = CONFIG_LIFETIME_MAX;
	c->replay_window = REPLAY_WINDOW_DEFAULT;
	c->reverse_tunnel = CONFIG_RT_ALLOWED;
	c->encap = CONFIG_ENCAP_ANY;
	if (!s)
		return 0;
	for (i = 0; i < cfg_size(s, "address"); i++) {
		struct in_addr a;

		err = get_addr(l, s, "address", i, &a);
		if (err)
			return err;
		for (j = 0; j < c->n_ha_addrs; j++)
			if (c->ha_addrs[j].s_addr == a.s_addr)
				return fail(l, opt_line(l, s, "address", i),
					    "address %s listed twice",
					    inet_ntoa(a));
		err = add_ha_addr(l, 0, a);
		if (err)
			return err;
	}
	if (str(s, "dynamic-address")) {
		err = get_addr(l, s, "dynamic-address", 0, &c->dynamic_addr);
		if (err)
			return err;
	}
	err = get_bool(l, s, "redundancy", &c->redundancy);
	if (err)
		return err;
	v = str(s, "standby");
	if (v) {
		if (!*v || strlen(v) > 255)
			return fail(l, opt_line(l, s, "standby", 0),
				    "standby: group name must be 1-255 "
				    "characters");
		c->standby_group = strdup(v);
		if (!c->standby_group)
			return -ENOMEM;
	}
	err = get_u32(l, s, "max-lifetime", 1, CONFIG_LIFETIME_MAX,
		      &c->max_lifetime);
	if (err)
		return err;
	if (str(s, "lifetime")) {
		err = get_u32(l, s, "lifetime", 1, c->max_lifetime,
			      &c->lifetime);
		if (err)
			return err;
	} else if (c->lifetime > c->max_lifetime) {
		c->lifetime = c->max_lifetime;
	}
	err = get_u32(l, s, "replay-window", 1, 3600, &c->replay_window);
	if (err)
		return err;
	err = get_rt(l, s, &c->reverse_tunnel);
	if (err)
		return err;
	return get_encap(l, s, &c->encap);
}

static int load_vnets(struct load *l)
{
	struct config *c = l->cfg;
	unsigned int n = cfg_size(l->top, "virtual-network"), i, j;
	int err;

	c->vnets = calloc(n ? n : 1, sizeof(*c->vnets));
	if (!c->vnets)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		cfg_t *s = cfg_getnsec(l->top, "virtual-network", i);
		struct config_vnet *v = &c->vnets[i];
		const char *msg;

		v->line = sec_line(l, s);
		msg = parse_prefix(cfg_title(s), &v->net, &v->plen);
		if (msg)
			return fail(l, v->line, "virtual-network \"%s\": %s",
				    cfg_title(s), msg);
		if (str(s, "address")) {
			err = get_addr(l, s, "address", 0, &v->ha_addr);
			if (err)
				return err;
			err = add_ha_addr(l, 0, v->ha_addr);
			if (err)
				return err;
		}
		for (j = 0; j < i; j++) {
			const struct config_vnet *o = &c->vnets[j];
			uint32_t m = plen_mask(o->plen < v->plen ? o->plen :
								   v->plen);

			if ((ntohl(o->net.s_addr) & m) ==
			    (ntohl(v->net.s_addr) & m))
				return fail(l, v->line,
					    "virtual-network \"%s\" overlaps "
					    "the one at line %d",
					    cfg_title(s), o->line);
		}
		c->n_vnets++;
	}
	return 0;
}

static bool ifname_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n >= 16 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (i = 0; i < n; i++)
		if (!nai_char_ok(s[i]) || s[i] == '/' || s[i] == ':')
			return false;
	return true;
}

static int load_links(struct load *l)
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

		k->line = sec_line(l, s);
		if (!ifname_ok(cfg_title(s)))
			return fail(l, k->line,
				    "home-link \"%s\": not an interface name",
				    cfg_title(s));
		strcpy(k->ifname, cfg_title(s));
		k->proxy_arp = true;
		err = get_bool(l, s, "proxy-arp", &k->proxy_arp);
		if (err)
			return err;
		c->n_links++;
	}
	return 0;
}

static bool pool_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n > CONFIG_POOL_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i]))
			return false;
	return true;
}

/* "A [B] [priority P]" */
static const char *parse_pool_range(const char *v, uint8_t defprio,
				    struct config_pool_range *r)
{
	char buf[128], *w[5];
	size_t n;
	uint32_t prio = defprio;
	const char *msg;

	if (strlen(v) >= sizeof(buf))
		return "expected FIRST [LAST] [priority 1-255]";
	strcpy(buf, v);
	n = split_words(buf, w, 4);
	if (n > 4)
		return "expected FIRST [LAST] [priority 1-255]";
	if (n >= 2 && !strcmp(w[n - 2], "priority")) {
		if (!parse_u32(w[n - 1], 1, 255, &prio))
			return "priority must be 1-255";
		n -= 2;
	}
	if (n < 1 || n > 2)
		return "expected FIRST [LAST] [priority 1-255]";
	msg = parse_range_words(w, n, &r->range);
	if (msg)
		return msg;
	/* Bounds the allocator's memory (two bits per address). */
	if (r->range.last - r->range.first >= CONFIG_POOL_RANGE_MAX)
		return "more than 16777216 addresses (a /8) in one range";
	r->priority = prio;
	return NULL;
}

static int load_pools(struct load *l)
{
	struct config *c = l->cfg;
	unsigned int n = cfg_size(l->top, "pool"), i, j;
	int err;

	c->pools = calloc(n ? n : 1, sizeof(*c->pools));
	if (!c->pools)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		cfg_t *s = cfg_getnsec(l->top, "pool", i);
		struct config_pool *p = &c->pools[c->n_pools];
		unsigned int nr = cfg_size(s, "range");
		uint32_t prio = CONFIG_PRIORITY_DEFAULT, th;
		const char *g;

		p->line = sec_line(l, s);
		if (!pool_name_ok(cfg_title(s)))
			return fail(l, p->line,
				    "pool \"%s\": a name is 1-%d letters, "
				    "digits, '.', '_' or '-'",
				    cfg_title(s), CONFIG_POOL_NAME_MAX);
		strcpy(p->name, cfg_title(s));
		c->n_pools++;
		err = get_u32(l, s, "priority", 1, 255, &prio);
		if (err)
			return err;
		g = str(s, "group");
		if (g) {
			if (!pool_name_ok(g))
				return fail(l, opt_line(l, s, "group", 0),
					    "group: a name is 1-%d letters, "
					    "digits, '.', '_' or '-'",
					    CONFIG_POOL_NAME_MAX);
			p->group = strdup(g);
			if (!p->group)
				return -ENOMEM;
		}
		if (cfg_size(s, "threshold")) {
			uint32_t lo, hi;

			if (cfg_size(s, "threshold") != 2)
				return fail(l, opt_line(l, s, "threshold", 0),
					    "threshold: expected {LOW, HIGH} "
					    "in percent");
			for (j = 0; j < 2; j++) {
				const char *v = cfg_getnstr(s, "threshold", j);

				if (!parse_u32(v, 0, 100, &th))
					return fail(l,
						    opt_line(l, s, "threshold",
							     j),
						    "threshold: '%s' is not a "
						    "percentage (0-100)",
						    v);
				if (j)
					hi = th;
				else
					lo = th;
			}
			if (lo >= hi)
				return fail(l, opt_line(l, s, "threshold", 0),
					    "threshold: low %u%% must be below "
					    "high %u%%",
					    lo, hi);
			p->threshold_low = lo;
			p->threshold_high = hi;
		}
		if (!nr)
			return fail(l, p->line, "pool \"%s\": no range",
				    p->name);
		p->ranges = calloc(nr, sizeof(*p->ranges));
		if (!p->ranges)
			return -ENOMEM;
		for (j = 0; j < nr; j++) {
			struct config_pool_range *r = &p->ranges[j];
			const char *msg;

			r->line = opt_line(l, s, "range", j);
			msg = parse_pool_range(cfg_getnstr(s, "range", j), prio,
					       r);
			if (msg)
				return fail(l, r->line, "range \"%s\": %s",
					    cfg_getnstr(s, "range", j), msg);
			p->size += (uint64_t)r->range.last - r->range.first + 1;
			p->n_ranges++;
		}
	}
	return 0;
}

static const struct config_vnet *find_vnet(const struct config *c,
					   struct in_addr net, uint8_t plen)
{
	size_t i;

	for (i = 0; i < c->n_vnets; i++)
		if (c->vnets[i].net.s_addr == net.s_addr &&
		    c->vnets[i].plen == plen)
			return &c->vnets[i];
	return NULL;
}

static const struct config_link *find_link(const struct config *c,
					   const char *name)
{
	size_t i;

	for (i = 0; i < c->n_links; i++)
		if (!strcmp(c->links[i].ifname, name))
			return &c->links[i];
	return NULL;
}

static bool in_vnet(const struct config_vnet *v, uint32_t a)
{
	uint32_t m = plen_mask(v->plen);

	return (a & m) == ntohl(v->net.s_addr);
}

/*
 * A title naming what a host or an SA applies to: "A", "A B" (an address
 * range) or "nai NAI" ("nai @realm" for a whole realm).
 */
static const char *parse_match(const char *title, enum config_match_kind *k,
			       struct config_range *r, char **nai)
{
	char buf[300], *w[3];
	bool realm;
	size_t n;
	const char *msg;

	if (strlen(title) >= sizeof(buf))
		return "expected ADDRESS [ADDRESS] or nai NAI";
	strcpy(buf, title);
	n = split_words(buf, w, 2);
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
	return parse_range_words(w, n, r);
}

static int load_host(struct load *l, cfg_t *s, struct config_host *h)
{
	struct config *c = l->cfg;
	enum config_match_kind k;
	const char *msg, *v, *vn = str(s, "virtual-network"),
			     *ifn = str(s, "interface");
	unsigned int i, ns = cfg_size(s, "static-address");
	int err;

	h->line = sec_line(l, s);
	msg = parse_match(cfg_title(s), &k, &h->range, &h->nai);
	if (msg)
		return fail(l, h->line, "host \"%s\": %s", cfg_title(s), msg);
	h->kind = k == CONFIG_MATCH_ADDR ? CONFIG_HOST_ADDR :
		  k == CONFIG_MATCH_NAI	 ? CONFIG_HOST_NAI :
					   CONFIG_HOST_REALM;
	if (!vn == !ifn)
		return fail(l, h->line,
			    "host \"%s\": needs either virtual-network or "
			    "interface (its home network)",
			    cfg_title(s));
	if (vn) {
		struct in_addr net;
		uint8_t plen;

		msg = parse_prefix(vn, &net, &plen);
		if (msg)
			return fail(l, opt_line(l, s, "virtual-network", 0),
				    "virtual-network \"%s\": %s", vn, msg);
		h->vnet = find_vnet(c, net, plen);
		if (!h->vnet)
			return fail(l, opt_line(l, s, "virtual-network", 0),
				    "virtual-network \"%s\" is not defined",
				    vn);
	} else {
		h->link = find_link(c, ifn);
		if (!h->link)
			return fail(l, opt_line(l, s, "interface", 0),
				    "interface \"%s\" is not a home-link", ifn);
	}
	h->lifetime = c->lifetime;
	err = get_u32(l, s, "lifetime", 1, c->max_lifetime, &h->lifetime);
	if (err)
		return err;
	h->reverse_tunnel = c->reverse_tunnel;
	err = get_rt(l, s, &h->reverse_tunnel);
	if (err)
		return err;
	h->encap = c->encap;
	err = get_encap(l, s, &h->encap);
	if (err)
		return err;

	v = str(s, "pool");
	if (h->kind == CONFIG_HOST_ADDR) {
		if (ns || v)
			return fail(l,
				    opt_line(l, s,
					     ns ? "static-address" : "pool", 0),
				    "host \"%s\": static-address and pool are "
				    "for NAI hosts (host \"nai ...\")",
				    cfg_title(s));
		if (h->vnet && (!in_vnet(h->vnet, h->range.first) ||
				!in_vnet(h->vnet, h->range.last)))
			return fail(l, h->line,
				    "host \"%s\": outside its virtual-network "
				    "\"%s\"",
				    cfg_title(s), vn);
		return 0;
	}
	if (!ns == !v)
		return fail(l, h->line,
			    "host \"%s\": needs either static-address or pool",
			    cfg_title(s));
	if (h->kind == CONFIG_HOST_REALM && ns)
		return fail(l, opt_line(l, s, "static-address", 0),
			    "host \"%s\": a realm shares a pool; "
			    "static addresses belong to one NAI",
			    cfg_title(s));
	if (v) {
		const struct config_pool *p = config_pool_by_name(c, v);

		if (!p)
			return fail(l, opt_line(l, s, "pool", 0),
				    "pool \"%s\" is not defined", v);
		h->pool = p->name;
		return 0;
	}
	h->static_addrs = calloc(ns, sizeof(*h->static_addrs));
	if (!h->static_addrs)
		return -ENOMEM;
	for (i = 0; i < ns; i++) {
		struct in_addr a;

		err = get_addr(l, s, "static-address", i, &a);
		if (err)
			return err;
		if (h->vnet && !in_vnet(h->vnet, ntohl(a.s_addr)))
			return fail(l, opt_line(l, s, "static-address", i),
				    "static-address %s is outside "
				    "virtual-network \"%s\"",
				    inet_ntoa(a), vn);
		h->static_addrs[h->n_static++] = a;
	}
	return 0;
}

static int load_hosts(struct load *l)
{
	struct config *c = l->cfg;
	unsigned int n = cfg_size(l->top, "host"), i;
	int err;

	c->hosts = calloc(n ? n : 1, sizeof(*c->hosts));
	if (!c->hosts)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		/* Counted first: config_free() frees what was started. */
		c->n_hosts++;
		err = load_host(l, cfg_getnsec(l->top, "host", i),
				&c->hosts[i]);
		if (err)
			return err;
	}
	return 0;
}

static int load_sa(struct load *l, cfg_t *s, const char *what,
		   struct config_sa *sa)
{
	struct config *c = l->cfg;
	const char *msg, *key = str(s, "key"), *ascii = str(s, "key-ascii"),
			 *file = str(s, "key-file"), *alg = str(s, "algorithm"),
			 *mode = str(s, "mode"), *rp = str(s, "replay");
	uint32_t spi;
	int err, nkeys = !!key + !!ascii + !!file;

	sa->line = sec_line(l, s);
	msg = parse_match(cfg_title(s), &sa->match, &sa->range, &sa->nai);
	if (msg)
		return fail(l, sa->line, "%s \"%s\": %s", what, cfg_title(s),
			    msg);
	if (sa->match != CONFIG_MATCH_ADDR && strcmp(what, "secure-host"))
		return fail(l, sa->line,
			    "%s \"%s\": agents are named by address", what,
			    cfg_title(s));
	if (!str(s, "spi"))
		return fail(l, sa->line, "%s \"%s\": no spi", what,
			    cfg_title(s));
	/* IOS takes the SPI in hex: "spi 100" is 0x100. */
	if (!parse_u32(str(s, "spi"), 0, UINT32_MAX, &spi))
		return fail(l, opt_line(l, s, "spi", 0),
			    "spi: '%s' is not a 32-bit number", str(s, "spi"));
	if (spi < 256)
		return fail(l, opt_line(l, s, "spi", 0),
			    "spi %u is reserved (0-255, RFC 5944); IOS SPIs "
			    "are hexadecimal: write spi = 0x%u",
			    spi, spi);
	sa->key.spi = spi;

	if (nkeys != 1)
		return fail(l, sa->line,
			    "%s \"%s\": needs exactly one of key, key-ascii, "
			    "key-file",
			    what, cfg_title(s));
	if (key) {
		msg = parse_hex_key(key, strlen(key), sa->key.key,
				    &sa->key.key_len);
		if (msg)
			return fail(l, opt_line(l, s, "key", 0), "key: %s",
				    msg);
	} else if (ascii) {
		size_t n = strlen(ascii);

		if (!n || n > AUTH_KEY_MAX)
			return fail(l, opt_line(l, s, "key-ascii", 0),
				    "key-ascii: must be 1-%d characters",
				    AUTH_KEY_MAX);
		memcpy(sa->key.key, ascii, n);
		sa->key.key_len = n;
	} else {
		err = read_key_file(l, opt_line(l, s, "key-file", 0), file,
				    sa->key.key, &sa->key.key_len);
		if (err)
			return err;
	}

	/* IOS's default: algorithm md5 mode prefix-suffix. */
	sa->key.algo = AUTH_PREFIX_SUFFIX_MD5;
	if (alg && !strcmp(alg, "hmac-md5")) {
		sa->key.algo = AUTH_HMAC_MD5;
		if (mode)
			return fail(l, opt_line(l, s, "mode", 0),
				    "mode: only with algorithm md5");
	} else if (alg && strcmp(alg, "md5")) {
		return fail(l, opt_line(l, s, "algorithm", 0),
			    "algorithm: '%s' is not md5 or hmac-md5", alg);
	}
	if (mode && strcmp(mode, "prefix-suffix"))
		return fail(l, opt_line(l, s, "mode", 0),
			    "mode: '%s' is not prefix-suffix", mode);

	sa->replay = REPLAY_TIMESTAMP;
	if (rp && !strcmp(rp, "nonce"))
		sa->replay = REPLAY_NONCE;
	else if (rp && strcmp(rp, "timestamp"))
		return fail(l, opt_line(l, s, "replay", 0),
			    "replay: '%s' is not timestamp or nonce", rp);
	sa->replay_window = c->replay_window;
	return get_u32(l, s, "replay-window", 1, 3600, &sa->replay_window);
}

static int load_sas(struct load *l, const char *what, struct config_sa **out,
		    size_t *count)
{
	unsigned int n = cfg_size(l->top, what), i;
	int err;

	*out = calloc(n ? n : 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		(*count)++;
		err = load_sa(l, cfg_getnsec(l->top, what, i), what,
			      &(*out)[i]);
		if (err)
			return err;
	}
	return 0;
}

static int load_log(struct load *l)
{
	static const struct {
		const char *name;
		int facility;
	} fac[] = {
		{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
		{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
		{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};
	struct config *c = l->cfg;
	cfg_t *s = cfg_getsec(l->top, "log");
	const char *v;
	unsigned int i;
	size_t f;

	c->log_target = CONFIG_LOG_STDERR;
	c->log_facility = LOG_DAEMON;
	if (!s)
		return 0;
	v = str(s, "target");
	if (v && !strcmp(v, "syslog"))
		c->log_target = CONFIG_LOG_SYSLOG;
	else if (v && strcmp(v, "stderr"))
		return fail(l, opt_line(l, s, "target", 0),
			    "target: '%s' is not stderr or syslog", v);
	v = str(s, "facility");
	if (v) {
		for (f = 0; f < sizeof(fac) / sizeof(fac[0]); f++)
			if (!strcmp(v, fac[f].name))
				break;
		if (f == sizeof(fac) / sizeof(fac[0]))
			return fail(l, opt_line(l, s, "facility", 0),
				    "facility: '%s' is not daemon, user or "
				    "local0-local7",
				    v);
		c->log_facility = fac[f].facility;
	}
	for (i = 0; i < cfg_size(s, "debug"); i++) {
		unsigned int m;
		char bad[64];

		v = cfg_getnstr(s, "debug", i);
		if (log_parse_debug(v, &m, bad, sizeof(bad)) || !*v)
			return fail(l, opt_line(l, s, "debug", i),
				    "debug: unknown subsystem '%s' (all, none, "
				    "registration, pool, kernel, ctl, config)",
				    *v ? bad : v);
		c->debug_mask |= m;
	}
	return 0;
}

static int load_top(struct load *l)
{
	struct config *c = l->cfg;
	const char *v = str(l->top, "control-socket");

	if (!v)
		v = CONFIG_DEFAULT_SOCKET;
	else if (v[0] != '/' ||
		 strlen(v) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return fail(l, opt_line(l, l->top, "control-socket", 0),
			    "control-socket: an absolute path of at most %zu "
			    "bytes",
			    sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
	c->control_socket = strdup(v);
	return c->control_socket ? 0 : -ENOMEM;
}

/* ---- cross checks and the index --------------------------------------- */

/* An address range owned by a configuration item, for overlap checks. */
struct claim {
	struct config_range r;
	int line;
	const char *what; /* "host", "pool range", ... */
	const void *owner;
};

static int claim_cmp(const void *a, const void *b)
{
	const struct claim *x = a, *y = b;

	if (x->r.first != y->r.first)
		return x->r.first < y->r.first ? -1 : 1;
	return x->line - y->line;
}

static void fmt_range(char *buf, size_t len, const struct config_range *r)
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

/*
 * Home addresses are handed out by exactly one item: an address host, an
 * NAI's static address or a pool range; none of them may be one of our
 * own addresses. Sorted by first address, each claim is compared with the
 * one reaching furthest before it (ranges may nest): O(n log n).
 */
static int check_claims(struct load *l, struct claim *cl, size_t n)
{
	size_t i, widest = 0;
	char a[40], b[40];

	sort_array(cl, n, sizeof(*cl), claim_cmp);
	for (i = 1; i < n; i++) {
		const struct claim *p = &cl[widest], *q = &cl[i];

		if (q->r.first <= p->r.last) {
			if (p->line > q->line) {
				const struct claim *t = p;

				p = q;
				q = t;
			}
			fmt_range(a, sizeof(a), &q->r);
			fmt_range(b, sizeof(b), &p->r);
			if (!p->line) /* our own address: no line of its own */
				return fail(l, q->line, "%s %s holds %s %s",
					    q->what, a, p->what, b);
			return fail(l, q->line,
				    "%s %s overlaps %s %s (line %d)", q->what,
				    a, p->what, b, p->line);
		}
		if (cl[i].r.last > cl[widest].r.last)
			widest = i;
	}
	return 0;
}

struct addr_ent {
	struct config_range r;
	const struct config_host *host;
};

struct nai_ent {
	const char *nai;
	const void *item;
};

struct sa_ent {
	struct config_range r;
	const struct config_sa *sa;
};

struct sa_index {
	struct sa_ent *addr; /* sorted by first, then spi */
	size_t n_addr;
	struct nai_ent *nai; /* exact NAIs, sorted by (nai, spi) */
	size_t n_nai;
	struct nai_ent *realm; /* "@realm", sorted by (realm, spi) */
	size_t n_realm;
};

struct config_index {
	struct addr_ent *addr; /* hosts by home address, disjoint, sorted */
	size_t n_addr;
	struct nai_ent *nai; /* NAI hosts, sorted */
	size_t n_nai;
	struct nai_ent *realm; /* realm hosts, sorted */
	size_t n_realm;
	struct sa_index mn_ha, fa_ha, ha_ha;
};

static int addr_ent_cmp(const void *a, const void *b)
{
	const struct addr_ent *x = a, *y = b;

	return x->r.first < y->r.first ? -1 : x->r.first > y->r.first;
}

static int nai_ent_cmp(const void *a, const void *b)
{
	const struct nai_ent *x = a, *y = b;

	return strcmp(x->nai, y->nai);
}

static int sa_nai_cmp(const void *a, const void *b)
{
	const struct nai_ent *x = a, *y = b;
	const struct config_sa *p = x->item, *q = y->item;
	int c = strcmp(x->nai, y->nai);

	if (c)
		return c;
	return p->key.spi < q->key.spi ? -1 : p->key.spi > q->key.spi;
}

static int sa_ent_cmp(const void *a, const void *b)
{
	const struct sa_ent *x = a, *y = b;

	if (x->r.first != y->r.first)
		return x->r.first < y->r.first ? -1 : 1;
	if (x->r.last != y->r.last)
		return x->r.last < y->r.last ? -1 : 1;
	return x->sa->key.spi < y->sa->key.spi ?
		       -1 :
		       x->sa->key.spi > y->sa->key.spi;
}

/*
 * SAs of one kind: address ranges must be identical (several SPIs for the
 * same nodes, e.g. during a key change) or disjoint; an (item, SPI) pair
 * must be unique.
 */
static int build_sa_index(struct load *l, const char *what,
			  const struct config_sa *sas, size_t n,
			  struct sa_index *ix)
{
	size_t i;
	char a[40], b[40];

	ix->addr = calloc(n ? n : 1, sizeof(*ix->addr));
	ix->nai = calloc(n ? n : 1, sizeof(*ix->nai));
	ix->realm = calloc(n ? n : 1, sizeof(*ix->realm));
	if (!ix->addr || !ix->nai || !ix->realm)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct config_sa *sa = &sas[i];

		if (sa->match == CONFIG_MATCH_ADDR)
			ix->addr[ix->n_addr++] =
				(struct sa_ent){ sa->range, sa };
		else if (sa->match == CONFIG_MATCH_NAI)
			ix->nai[ix->n_nai++] = (struct nai_ent){ sa->nai, sa };
		else
			ix->realm[ix->n_realm++] =
				(struct nai_ent){ sa->nai, sa };
	}
	sort_array(ix->addr, ix->n_addr, sizeof(*ix->addr), sa_ent_cmp);
	sort_array(ix->nai, ix->n_nai, sizeof(*ix->nai), sa_nai_cmp);
	sort_array(ix->realm, ix->n_realm, sizeof(*ix->realm), sa_nai_cmp);

	for (i = 1; i < ix->n_addr; i++) {
		const struct config_sa *x = ix->addr[i - 1].sa,
				       *y = ix->addr[i].sa;

		if (sa_ent_cmp(&ix->addr[i - 1], &ix->addr[i]))
			continue;
		if (x->line > y->line) {
			x = ix->addr[i].sa;
			y = ix->addr[i - 1].sa;
		}
		fmt_range(a, sizeof(a), &y->range);
		return fail(l, y->line,
			    "%s: duplicate SPI 0x%x for %s (line %d)", what,
			    y->key.spi, a, x->line);
	}
	/* Disjoint unless identical: compare each with the widest before. */
	if (ix->n_addr) {
		size_t w = 0;

		for (i = 1; i < ix->n_addr; i++) {
			const struct sa_ent *p = &ix->addr[w],
					    *q = &ix->addr[i];
			const struct config_sa *x = p->sa, *y = q->sa;

			if (p->r.first == q->r.first && p->r.last == q->r.last)
				continue;
			if (q->r.first <= p->r.last) {
				if (x->line > y->line) {
					x = q->sa;
					y = p->sa;
				}
				fmt_range(a, sizeof(a), &y->range);
				fmt_range(b, sizeof(b), &x->range);
				return fail(l, y->line,
					    "%s %s partly overlaps %s (line "
					    "%d): ranges must be equal or "
					    "disjoint",
					    what, a, b, x->line);
			}
			if (q->r.last > p->r.last)
				w = i;
		}
	}
	for (i = 1; i < ix->n_nai; i++)
		if (!sa_nai_cmp(&ix->nai[i - 1], &ix->nai[i])) {
			const struct config_sa *x = ix->nai[i - 1].item,
					       *y = ix->nai[i].item;

			if (x->line > y->line) {
				const struct config_sa *t = x;

				x = y;
				y = t;
			}
			return fail(l, y->line,
				    "%s: duplicate SPI 0x%x for NAI %s (line "
				    "%d)",
				    what, y->key.spi, y->nai, x->line);
		}
	for (i = 1; i < ix->n_realm; i++)
		if (!sa_nai_cmp(&ix->realm[i - 1], &ix->realm[i])) {
			const struct config_sa *x = ix->realm[i - 1].item,
					       *y = ix->realm[i].item;

			if (x->line > y->line) {
				const struct config_sa *t = x;

				x = y;
				y = t;
			}
			return fail(l, y->line,
				    "%s: duplicate SPI 0x%x for realm %s (line "
				    "%d)",
				    what, y->key.spi, y->nai, x->line);
		}
	return 0;
}

static int build_index(struct load *l)
{
	struct config *c = l->cfg;
	struct config_index *ix;
	struct claim *cl;
	size_t n_cl = 0, cap = c->n_ha_addrs, i, j;
	int err;

	ix = calloc(1, sizeof(*ix));
	if (!ix)
		return -ENOMEM;
	c->index = ix;

	for (i = 0; i < c->n_hosts; i++)
		cap += c->hosts[i].kind == CONFIG_HOST_ADDR ?
			       1 :
			       c->hosts[i].n_static;
	for (i = 0; i < c->n_pools; i++)
		cap += c->pools[i].n_ranges;
	cl = calloc(cap ? cap : 1, sizeof(*cl));
	ix->addr = calloc(cap ? cap : 1, sizeof(*ix->addr));
	ix->nai = calloc(c->n_hosts ? c->n_hosts : 1, sizeof(*ix->nai));
	ix->realm = calloc(c->n_hosts ? c->n_hosts : 1, sizeof(*ix->realm));
	if (!cl || !ix->addr || !ix->nai || !ix->realm) {
		free(cl);
		return -ENOMEM;
	}

	for (i = 0; i < c->n_hosts; i++) {
		const struct config_host *h = &c->hosts[i];

		if (h->kind == CONFIG_HOST_ADDR) {
			cl[n_cl++] =
				(struct claim){ h->range, h->line, "host", h };
			ix->addr[ix->n_addr++] =
				(struct addr_ent){ h->range, h };
			continue;
		}
		for (j = 0; j < h->n_static; j++) {
			uint32_t a = ntohl(h->static_addrs[j].s_addr);
			struct config_range r = { a, a };

			cl[n_cl++] = (struct claim){ r, h->line,
						     "static-address", h };
			ix->addr[ix->n_addr++] = (struct addr_ent){ r, h };
		}
		if (h->kind == CONFIG_HOST_NAI)
			ix->nai[ix->n_nai++] = (struct nai_ent){ h->nai, h };
		else
			ix->realm[ix->n_realm++] =
				(struct nai_ent){ h->nai, h };
	}
	for (i = 0; i < c->n_pools; i++)
		for (j = 0; j < c->pools[i].n_ranges; j++)
			cl[n_cl++] =
				(struct claim){ c->pools[i].ranges[j].range,
						c->pools[i].ranges[j].line,
						"pool range", &c->pools[i] };
	for (i = 0; i < c->n_ha_addrs; i++) {
		uint32_t a = ntohl(c->ha_addrs[i].s_addr);

		cl[n_cl++] = (struct claim){
			{ a, a }, 0, "home-agent address", NULL
		};
	}
	/* Our addresses carry line 0: an overlap is reported at the line
	 * of the other item. */
	err = check_claims(l, cl, n_cl);
	free(cl);
	if (err)
		return err;

	sort_array(ix->addr, ix->n_addr, sizeof(*ix->addr), addr_ent_cmp);
	sort_array(ix->nai, ix->n_nai, sizeof(*ix->nai), nai_ent_cmp);
	sort_array(ix->realm, ix->n_realm, sizeof(*ix->realm), nai_ent_cmp);
	for (i = 1; i < ix->n_nai; i++)
		if (!strcmp(ix->nai[i - 1].nai, ix->nai[i].nai)) {
			const struct config_host *x = ix->nai[i - 1].item,
						 *y = ix->nai[i].item;

			return fail(l, x->line > y->line ? x->line : y->line,
				    "host \"nai %s\" defined twice (line %d)",
				    y->nai,
				    x->line > y->line ? y->line : x->line);
		}
	for (i = 1; i < ix->n_realm; i++)
		if (!strcmp(ix->realm[i - 1].nai, ix->realm[i].nai)) {
			const struct config_host *x = ix->realm[i - 1].item,
						 *y = ix->realm[i].item;

			return fail(l, x->line > y->line ? x->line : y->line,
				    "host \"nai %s\" defined twice (line %d)",
				    y->nai,
				    x->line > y->line ? y->line : x->line);
		}

	err = build_sa_index(l, "secure-host", c->mn_ha, c->n_mn_ha,
			     &ix->mn_ha);
	if (!err)
		err = build_sa_index(l, "secure-foreign-agent", c->fa_ha,
				     c->n_fa_ha, &ix->fa_ha);
	if (!err)
		err = build_sa_index(l, "secure-home-agent", c->ha_ha,
				     c->n_ha_ha, &ix->ha_ha);
	return err;
}

/* Every address an address host covers has an MN-HA SA. */
static bool sa_covers(const struct sa_index *ix, struct config_range r)
{
	uint64_t next = r.first;
	size_t i;

	/* Sorted by first: walk the ranges, extending the covered prefix. */
	for (i = 0; i < ix->n_addr && next <= r.last; i++) {
		if (ix->addr[i].r.first > next)
			break;
		if ((uint64_t)ix->addr[i].r.last + 1 > next)
			next = (uint64_t)ix->addr[i].r.last + 1;
	}
	return next > r.last;
}

static bool realm_has_sa(const struct sa_index *ix, const char *realm)
{
	size_t i, rl = strlen(realm);

	for (i = 0; i < ix->n_realm; i++)
		if (!strcmp(ix->realm[i].nai, realm))
			return true;
	/* or some user of the realm has one */
	for (i = 0; i < ix->n_nai; i++) {
		const char *n = ix->nai[i].nai;
		size_t nl = strlen(n);

		if (nl > rl && !strcmp(n + nl - rl, realm))
			return true;
	}
	return false;
}

/*
 * mipha has no AAA server to fetch security associations from (IOS
 * "aaa"): a host without an MN-HA SA could never register. Refuse it at
 * load rather than answer 131 to every request.
 */
static int check_host_sas(struct load *l)
{
	const struct config *c = l->cfg;
	const struct config_index *ix = c->index;
	size_t i, j;

	for (i = 0; i < c->n_hosts; i++) {
		const struct config_host *h = &c->hosts[i];
		bool ok;

		switch (h->kind) {
		case CONFIG_HOST_ADDR:
			ok = sa_covers(&ix->mn_ha, h->range);
			break;
		case CONFIG_HOST_NAI:
			ok = config_has_mn_ha_sa(c, (struct in_addr){ 0 },
						 (const uint8_t *)h->nai,
						 strlen(h->nai));
			/* by the rule registration uses (mn_sa()) */
			for (j = 0; !ok && j < h->n_static; j++)
				ok = config_has_mn_ha_sa(
					c, h->static_addrs[j],
					(const uint8_t *)h->nai, strlen(h->nai));
			break;
		default:
			ok = realm_has_sa(&ix->mn_ha, h->nai);
			break;
		}
		if (!ok)
			return fail(l, h->line,
				    "host has no MN-HA security association "
				    "(secure-host) for all its addresses");
	}
	return 0;
}

static int check_ha_present(struct load *l)
{
	if (!l->cfg->n_ha_addrs)
		return fail(l, 0,
			    "no home-agent address: set home-agent { address "
			    "} or a virtual-network address");
	return 0;
}

/* ---- load ------------------------------------------------------------- */

static int build(struct load *l)
{
	int err;

	err = load_home_agent(l);
	if (!err)
		err = load_vnets(l);
	if (!err)
		err = load_links(l);
	if (!err)
		err = load_pools(l);
	if (!err)
		err = load_hosts(l);
	if (!err)
		err = load_sas(l, "secure-host", &l->cfg->mn_ha,
			       &l->cfg->n_mn_ha);
	if (!err)
		err = load_sas(l, "secure-foreign-agent", &l->cfg->fa_ha,
			       &l->cfg->n_fa_ha);
	if (!err)
		err = load_sas(l, "secure-home-agent", &l->cfg->ha_ha,
			       &l->cfg->n_ha_ha);
	if (!err)
		err = load_log(l);
	if (!err)
		err = load_top(l);
	if (!err)
		err = check_ha_present(l);
	if (!err)
		err = build_index(l);
	if (!err)
		err = check_host_sas(l);
	return err;
}

static int parse_text(const char *name, char *text, size_t len,
		      struct config **out, char *err, size_t errlen);

/*
 * Key text in libconfuse's option values (strdup'ed copies): cleansed
 * before cfg_free() frees them. Every section is walked, so that a key
 * option in any section, present or future, is covered.
 */
static bool is_key_opt(const cfg_opt_t *opt)
{
	return opt->type == CFGT_STR &&
	       (!strcmp(opt->name, "key") || !strcmp(opt->name, "key-ascii"));
}

static void cleanse_keys(cfg_t *sec)
{
	cfg_opt_t *opt;
	unsigned int i;

	if (!sec)
		return;
	for (opt = sec->opts; opt && opt->type != CFGT_NONE; opt++) {
		for (i = 0; i < opt->nvalues; i++) {
			cfg_value_t *v = opt->values[i];

			if (!v)
				continue;
			if (opt->type == CFGT_SEC)
				cleanse_keys(v->section);
			else if (is_key_opt(opt) && v->string)
				OPENSSL_cleanse(v->string, strlen(v->string));
		}
	}
}

/* A stdio buffer of our own for the parse: cleansed after fclose(). */
#define PARSE_IOBUF 8192

/*
 * cfg_parse_buf() as libconfuse 3.3 does it (fmemopen, cfg_parse_fp), but
 * with a stdio buffer we can cleanse: glibc would malloc one and free it
 * holding a copy of the text, keys included.
 */
static int parse_cfg(cfg_t *top, char *text, size_t len)
{
	char *iobuf;
	FILE *fp;
	int ret;

	if (!len)
		return CFG_SUCCESS;
	iobuf = malloc(PARSE_IOBUF);
	if (!iobuf)
		return CFG_PARSE_ERROR;
	fp = fmemopen(text, len, "r");
	if (!fp || setvbuf(fp, iobuf, _IOFBF, PARSE_IOBUF)) {
		if (fp)
			fclose(fp);
		free(iobuf);
		return CFG_PARSE_ERROR;
	}
	ret = cfg_parse_fp(top, fp);
	fclose(fp);
	OPENSSL_cleanse(iobuf, PARSE_IOBUF);
	free(iobuf);
	return ret;
}

int config_parse_text(const char *name, char *text, size_t len,
		      struct config **out, char *err, size_t errlen)
{
	int ret = parse_text(name, text, len, out, err, errlen);

	/* The file's text holds the keys: none of it outlives the parse. */
	OPENSSL_cleanse(text, len + 1);
	return ret;
}

static int parse_text(const char *name, char *text, size_t len,
		      struct config **out, char *err, size_t errlen)
{
	struct load l = {
		.path = name,
		.err = err,
		.errlen = errlen,
	};
	int ret;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	if (memchr(text, '\0', len)) {
		int line = 1;
		size_t i;

		for (i = 0; text[i]; i++)
			line += text[i] == '\n';
		return fail(&l, line, "NUL byte in the file");
	}
	text[len] = '\0';
	ret = strip_comments(&l, text, len);
	if (ret)
		return ret;

	l.cfg = calloc(1, sizeof(*l.cfg));
	l.top = cfg_init(top_opts, 0);
	if (!l.cfg || !l.top) {
		ret = -ENOMEM;
		goto out;
	}
	l.cfg->path = strdup(name);
	if (!l.cfg->path) {
		ret = -ENOMEM;
		goto out;
	}
	cfg_set_error_function(l.top, confuse_error);
	cur = &l;
	ret = parse_cfg(l.top, text, len);
	cur = NULL;
	if (ret != CFG_SUCCESS) {
		if (!l.error)
			fail(&l, l.top->line, "syntax error");
		ret = l.error;
		goto out;
	}
	if (l.error) { /* out of memory in a callback */
		ret = l.error;
		goto out;
	}
	sort_array(l.recs, l.n_recs, sizeof(*l.recs), rec_cmp);
	ret = check_repeats(&l);
	if (!ret)
		ret = build(&l);
	if (!ret && l.error)
		ret = l.error;
out:
	if (ret == -ENOMEM && !l.error)
		fail(&l, 0, "out of memory");
	if (l.top) {
		cleanse_keys(l.top);
		cfg_free(l.top);
	}
	free(l.recs); /* options' names and lines: no values */
	if (ret) {
		config_free(l.cfg);
		return ret;
	}
	*out = l.cfg;
	return 0;
}

int config_load(const char *path, struct config **out, char *err, size_t errlen)
{
	struct load l = { .path = path, .err = err, .errlen = errlen };
	char *text = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	if (errlen)
		err[0] = '\0';
	ret = read_text(&l, path, &text, &len);
	if (ret)
		return ret;
	ret = config_parse_text(path, text, len, out, err, errlen);
	free(text);
	return ret;
}

static void free_sa_index(struct sa_index *ix)
{
	free(ix->addr);
	free(ix->nai);
	free(ix->realm);
}

static void free_sas(struct config_sa *sas, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(sas[i].nai);
	if (sas)
		OPENSSL_cleanse(sas, n * sizeof(*sas));
	free(sas);
}

void config_free(struct config *c)
{
	struct config_index *ix;
	size_t i;

	if (!c)
		return;
	ix = c->index;
	if (ix) {
		free(ix->addr);
		free(ix->nai);
		free(ix->realm);
		free_sa_index(&ix->mn_ha);
		free_sa_index(&ix->fa_ha);
		free_sa_index(&ix->ha_ha);
		free(ix);
	}
	for (i = 0; i < c->n_hosts; i++) {
		free(c->hosts[i].nai);
		free(c->hosts[i].static_addrs);
	}
	free(c->hosts);
	for (i = 0; i < c->n_pools; i++) {
		free(c->pools[i].ranges);
		free(c->pools[i].group);
	}
	free(c->pools);
	free_sas(c->mn_ha, c->n_mn_ha);
	free_sas(c->fa_ha, c->n_fa_ha);
	free_sas(c->ha_ha, c->n_ha_ha);
	free(c->vnets);
	free(c->links);
	free(c->ha_addrs);
	free(c->standby_group);
	free(c->control_socket);
	free(c->path);
	free(c);
}

/* ---- lookups ---------------------------------------------------------- */

const struct config_host *config_host_by_addr(const struct config *c,
					      struct in_addr addr)
{
	const struct config_index *ix = c->index;
	uint32_t a = ntohl(addr.s_addr);
	size_t lo = 0, hi = ix->n_addr;

	/* Disjoint ranges sorted by first: the last one starting <= a. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->addr[mid].r.first <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && ix->addr[lo - 1].r.last >= a)
		return ix->addr[lo - 1].host;
	return NULL;
}

/* nai (not NUL-terminated) copied with its realm in lower case. */
static bool nai_normalize(const uint8_t *nai, size_t len, char *buf,
			  const char **realm)
{
	size_t i, at = len;

	if (!len || len > CONFIG_NAI_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (!nai_char_ok(nai[i]))
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

static const struct nai_ent *nai_find(const struct nai_ent *v, size_t n,
				      const char *key)
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

const struct config_host *config_host_by_nai(const struct config *c,
					     const uint8_t *nai, size_t len)
{
	const struct config_index *ix = c->index;
	char buf[CONFIG_NAI_MAX + 1];
	const struct nai_ent *e;
	const char *realm;

	if (!nai_normalize(nai, len, buf, &realm))
		return NULL;
	e = nai_find(ix->nai, ix->n_nai, buf);
	if (!e && realm)
		e = nai_find(ix->realm, ix->n_realm, realm);
	return e ? e->item : NULL;
}

/* SA with spi among those for key, or any of them if !spi_valid. */
static const struct config_sa *sa_by_nai(const struct nai_ent *v, size_t n,
					 const char *key, uint32_t spi,
					 bool spi_valid)
{
	const struct nai_ent *e = nai_find(v, n, key);

	for (; e && e < v + n && !strcmp(e->nai, key); e++) {
		const struct config_sa *sa = e->item;

		if (!spi_valid || sa->key.spi == spi)
			return sa;
	}
	return NULL;
}

static const struct config_sa *sa_by_addr(const struct sa_index *ix,
					  struct in_addr addr, uint32_t spi,
					  bool spi_valid)
{
	uint32_t a = ntohl(addr.s_addr);
	size_t lo = 0, hi = ix->n_addr;
	const struct sa_ent *g, *e;

	if (!a)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ix->addr[mid].r.first <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	/*
	 * Ranges are equal or disjoint, sorted by (first, last, spi): only
	 * the group of equal ranges that starts last at or before a can
	 * hold it, and that group ends at lo - 1.
	 */
	g = &ix->addr[lo - 1];
	if (g->r.last < a)
		return NULL;
	for (e = g;; e--) {
		if (e->r.first != g->r.first)
			break;
		if (!spi_valid || e->sa->key.spi == spi)
			return e->sa;
		if (e == ix->addr)
			break;
	}
	return NULL;
}

/* Is addr one of the static addresses of NAI host h? */
static bool host_has_static(const struct config_host *h, struct in_addr addr)
{
	size_t i;

	for (i = 0; addr.s_addr && i < h->n_static; i++)
		if (h->static_addrs[i].s_addr == addr.s_addr)
			return true;
	return false;
}

/* Does every address of range r belong to NAI host h's static addresses? */
static bool range_within_statics(const struct config_host *h,
				 struct config_range r)
{
	uint64_t a;

	if ((uint64_t)r.last - r.first >= h->n_static)
		return false;
	for (a = r.first; a <= r.last; a++)
		if (!host_has_static(h, (struct in_addr){ htonl((uint32_t)a) }))
			return false;
	return true;
}

/*
 * Does NAI host h have an address SA of its own: one whose range holds only
 * its static addresses?
 */
static bool host_has_own_addr_sa(const struct config_index *ix,
				 const struct config_host *h)
{
	const struct config_sa *sa;
	size_t i;

	for (i = 0; i < h->n_static; i++) {
		sa = sa_by_addr(&ix->mn_ha, h->static_addrs[i], 0, false);
		if (sa && range_within_statics(h, sa->range))
			return true;
	}
	return false;
}

/*
 * Identity first: a mobile node known by NAI is authenticated only by the
 * most specific SAs it has - its own NAI's SAs if there is any, else the
 * address SAs of its own static addresses (a range holding nothing else),
 * else its realm's. So a realm's shared key cannot act as a node that has
 * a key of its own, and an address key shared by a range cannot act as an
 * NAI. Without an NAI, by the SAs of its home address. An SPI of another
 * node's SA finds nothing here, which is a 131.
 */
static const struct config_sa *mn_sa(const struct config *c,
				     struct in_addr home, const uint8_t *nai,
				     size_t nai_len, uint32_t spi,
				     bool spi_valid)
{
	const struct config_index *ix = c->index;
	const struct config_host *h;
	const struct config_sa *sa;
	char buf[CONFIG_NAI_MAX + 1];
	const char *realm;

	if (!nai || !nai_len)
		return sa_by_addr(&ix->mn_ha, home, spi, spi_valid);
	if (!nai_normalize(nai, nai_len, buf, &realm))
		return NULL;
	if (nai_find(ix->mn_ha.nai, ix->mn_ha.n_nai, buf))
		return sa_by_nai(ix->mn_ha.nai, ix->mn_ha.n_nai, buf, spi,
				 spi_valid);
	h = config_host_by_nai(c, nai, nai_len);
	if (h && h->kind == CONFIG_HOST_NAI && host_has_own_addr_sa(ix, h)) {
		if (!host_has_static(h, home))
			return NULL;
		sa = sa_by_addr(&ix->mn_ha, home, spi, spi_valid);
		return sa && range_within_statics(h, sa->range) ? sa : NULL;
	}
	if (realm && nai_find(ix->mn_ha.realm, ix->mn_ha.n_realm, realm))
		return sa_by_nai(ix->mn_ha.realm, ix->mn_ha.n_realm, realm, spi,
				 spi_valid);
	return NULL;
}

const struct config_sa *config_mn_ha_sa(const struct config *c,
					struct in_addr home_addr,
					const uint8_t *nai, size_t nai_len,
					uint32_t spi)
{
	return mn_sa(c, home_addr, nai, nai_len, spi, true);
}

bool config_has_mn_ha_sa(const struct config *c, struct in_addr home_addr,
			 const uint8_t *nai, size_t nai_len)
{
	return mn_sa(c, home_addr, nai, nai_len, 0, false) != NULL;
}

const struct config_sa *config_fa_ha_sa(const struct config *c,
					struct in_addr fa, uint32_t spi,
					bool spi_valid)
{
	const struct config_index *ix = c->index;

	return sa_by_addr(&ix->fa_ha, fa, spi, spi_valid);
}

const struct config_sa *config_ha_ha_sa(const struct config *c,
					struct in_addr peer, uint32_t spi,
					bool spi_valid)
{
	const struct config_index *ix = c->index;

	return sa_by_addr(&ix->ha_ha, peer, spi, spi_valid);
}

bool config_is_ha_addr(const struct config *c, struct in_addr addr)
{
	size_t i;

	if (c->dynamic_addr.s_addr && c->dynamic_addr.s_addr == addr.s_addr)
		return true;
	for (i = 0; i < c->n_ha_addrs; i++)
		if (c->ha_addrs[i].s_addr == addr.s_addr)
			return true;
	return false;
}

struct in_addr config_primary_ha_addr(const struct config *c)
{
	if (c->dynamic_addr.s_addr)
		return c->dynamic_addr;
	return c->n_ha_addrs ? c->ha_addrs[0] : (struct in_addr){ 0 };
}

const struct config_pool *config_pool_by_name(const struct config *c,
					      const char *name)
{
	size_t i;

	for (i = 0; i < c->n_pools; i++)
		if (!strcmp(c->pools[i].name, name))
			return &c->pools[i];
	return NULL;
}

const struct config_vnet *config_vnet_by_addr(const struct config *c,
					      struct in_addr addr)
{
	const struct config_vnet *best = NULL;
	size_t i;

	for (i = 0; i < c->n_vnets; i++)
		if (in_vnet(&c->vnets[i], ntohl(addr.s_addr)) &&
		    (!best || c->vnets[i].plen > best->plen))
			best = &c->vnets[i];
	return best;
}

/* ---- reload ----------------------------------------------------------- */

static void add_reason(struct config_diff *d, const char *why)
{
	size_t n = strlen(d->reason);

	snprintf(d->reason + n, sizeof(d->reason) - n, "%s%s", n ? "; " : "",
		 why);
}

static bool addrs_equal(const struct config *a, const struct config *b)
{
	size_t i;

	if (a->n_ha_addrs != b->n_ha_addrs)
		return false;
	for (i = 0; i < a->n_ha_addrs; i++)
		if (!config_is_ha_addr(b, a->ha_addrs[i]))
			return false;
	return true;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool host_eq(const struct config_host *a, const struct config_host *b)
{
	if (a->kind != b->kind || a->range.first != b->range.first ||
	    a->range.last != b->range.last || !str_eq(a->nai, b->nai) ||
	    a->n_static != b->n_static || !str_eq(a->pool, b->pool) ||
	    a->lifetime != b->lifetime ||
	    a->reverse_tunnel != b->reverse_tunnel || a->encap != b->encap ||
	    !a->vnet != !b->vnet || !a->link != !b->link)
		return false;
	if (a->n_static && memcmp(a->static_addrs, b->static_addrs,
				  a->n_static * sizeof(*a->static_addrs)))
		return false;
	if (a->vnet && (a->vnet->net.s_addr != b->vnet->net.s_addr ||
			a->vnet->plen != b->vnet->plen))
		return false;
	return !a->link || !strcmp(a->link->ifname, b->link->ifname);
}

static bool sas_eq(const struct config_sa *a, size_t na,
		   const struct config_sa *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (a[i].match != b[i].match ||
		    a[i].range.first != b[i].range.first ||
		    a[i].range.last != b[i].range.last ||
		    !str_eq(a[i].nai, b[i].nai) ||
		    a[i].key.spi != b[i].key.spi ||
		    a[i].key.algo != b[i].key.algo ||
		    a[i].key.key_len != b[i].key.key_len ||
		    CRYPTO_memcmp(a[i].key.key, b[i].key.key,
				  a[i].key.key_len) ||
		    a[i].replay != b[i].replay ||
		    a[i].replay_window != b[i].replay_window)
			return false;
	return true;
}

/* Is every range of old pool p still in new, in a pool of the same name? */
static bool pool_kept(const struct config_pool *p, const struct config *n,
		      bool *changed)
{
	const struct config_pool *q = config_pool_by_name(n, p->name);
	size_t i, j;

	if (!q)
		return false;
	if (p->n_ranges != q->n_ranges || !str_eq(p->group, q->group) ||
	    p->threshold_low != q->threshold_low ||
	    p->threshold_high != q->threshold_high)
		*changed = true;
	for (i = 0; i < p->n_ranges; i++) {
		for (j = 0; j < q->n_ranges; j++)
			if (p->ranges[i].range.first ==
				    q->ranges[j].range.first &&
			    p->ranges[i].range.last == q->ranges[j].range.last)
				break;
		if (j == q->n_ranges)
			return false;
		if (p->ranges[i].priority != q->ranges[j].priority)
			*changed = true;
	}
	return true;
}

void config_diff(const struct config *o, const struct config *n,
		 struct config_diff *d)
{
	size_t i;
	bool pools_changed = false;

	memset(d, 0, sizeof(*d));
	if (!addrs_equal(o, n)) {
		d->changes |= CONFIG_CHG_HA_ADDRS;
		add_reason(d, "home-agent addresses changed (the registration "
			      "sockets are bound at start)");
	}
	if (o->dynamic_addr.s_addr != n->dynamic_addr.s_addr) {
		d->changes |= CONFIG_CHG_DYNAMIC;
		add_reason(d, "dynamic-address changed (bindings in the kernel "
			      "carry it as their tunnel source)");
	}
	if (o->redundancy != n->redundancy ||
	    !str_eq(o->standby_group, n->standby_group)) {
		d->changes |= CONFIG_CHG_REDUNDANCY;
		add_reason(d, "redundancy or standby group changed");
	}
	if (strcmp(o->control_socket, n->control_socket)) {
		d->changes |= CONFIG_CHG_SOCKET;
		add_reason(d, "control-socket changed (clients would lose the "
			      "daemon)");
	}
	for (i = 0; i < o->n_pools; i++) {
		if (!pool_kept(&o->pools[i], n, &pools_changed)) {
			char why[160];

			d->changes |= CONFIG_CHG_POOL_REMOVED;
			snprintf(why, sizeof(why),
				 "pool %s or one of its ranges removed "
				 "(addresses may be in use)",
				 o->pools[i].name);
			add_reason(d, why);
		}
	}
	if (pools_changed || o->n_pools != n->n_pools)
		d->changes |= CONFIG_CHG_POOLS;
	if (o->lifetime != n->lifetime || o->max_lifetime != n->max_lifetime)
		d->changes |= CONFIG_CHG_LIFETIME;
	if (o->reverse_tunnel != n->reverse_tunnel || o->encap != n->encap ||
	    o->replay_window != n->replay_window)
		d->changes |= CONFIG_CHG_POLICY;
	if (o->n_hosts != n->n_hosts) {
		d->changes |= CONFIG_CHG_HOSTS;
	} else {
		for (i = 0; i < o->n_hosts; i++)
			if (!host_eq(&o->hosts[i], &n->hosts[i]))
				d->changes |= CONFIG_CHG_HOSTS;
	}
	if (!sas_eq(o->mn_ha, o->n_mn_ha, n->mn_ha, n->n_mn_ha) ||
	    !sas_eq(o->fa_ha, o->n_fa_ha, n->fa_ha, n->n_fa_ha) ||
	    !sas_eq(o->ha_ha, o->n_ha_ha, n->ha_ha, n->n_ha_ha))
		d->changes |= CONFIG_CHG_SAS;
	if (o->n_vnets != n->n_vnets) {
		d->changes |= CONFIG_CHG_VNETS;
	} else {
		for (i = 0; i < o->n_vnets; i++)
			if (o->vnets[i].net.s_addr != n->vnets[i].net.s_addr ||
			    o->vnets[i].plen != n->vnets[i].plen ||
			    o->vnets[i].ha_addr.s_addr !=
				    n->vnets[i].ha_addr.s_addr)
				d->changes |= CONFIG_CHG_VNETS;
	}
	if (o->n_links != n->n_links) {
		d->changes |= CONFIG_CHG_LINKS;
	} else {
		for (i = 0; i < o->n_links; i++)
			if (strcmp(o->links[i].ifname, n->links[i].ifname) ||
			    o->links[i].proxy_arp != n->links[i].proxy_arp)
				d->changes |= CONFIG_CHG_LINKS;
	}
	if (o->log_target != n->log_target ||
	    o->log_facility != n->log_facility ||
	    o->debug_mask != n->debug_mask)
		d->changes |= CONFIG_CHG_LOG;
	d->live_ok = !(d->changes & CONFIG_CHG_NOT_LIVE);
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

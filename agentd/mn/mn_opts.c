// SPDX-License-Identifier: GPL-2.0
/*
 * mn_opts: mipha-mn's command line. Every bad value is refused with a
 * message naming the option; nothing runs on a half-parsed command line.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "mn.h"

void mn_usage(FILE *f)
{
	fputs("Usage: mipha-mn [OPTIONS] -H HA (--coa ADDR[,ADDR...] | --fa ADDR)\n"
	      "                (--home ADDR | --nai FORMAT) --spi SPI (--key HEX | --key-file FILE)\n"
	      "       mipha-mn --reflector ADDR[:PORT] --spi SPI (--key HEX | --key-file FILE)\n"
	      "\n"
	      "Mobile IPv4 mobile-node / foreign-agent emulator and registration load\n"
	      "generator (RFC 5944, RFC 2794 NAI, RFC 3024 reverse tunnelling).\n"
	      "\n"
	      "Mobile nodes:\n"
	      "  -n, --count N           mobile nodes (default 1, at most 1048575)\n"
	      "      --home ADDR         home address of the first node, the next count up\n"
	      "      --nai FORMAT        NAI of each node, e.g. user%d@example.com; without\n"
	      "                          --home the nodes ask for a dynamic address (0.0.0.0)\n"
	      "      --nai-start N       first value of %d (default 1)\n"
	      "      --coa ADDR[,ADDR]   co-located care-of address(es), local to this host;\n"
	      "                          nodes take them in turn\n"
	      "      --fa ADDR           emulate a foreign agent: requests come from ADDR and\n"
	      "                          carry it as care-of address\n"
	      "      --sport PORT        source port (default: any)\n"
	      "Home agent:\n"
	      "  -H, --ha ADDR           home agent address (requests go there)\n"
	      "      --ha-port PORT      its registration port (default 434)\n"
	      "Security:\n"
	      "      --spi SPI           MN-HA security parameter index (decimal or 0x...)\n"
	      "      --key HEX           MN-HA key, hexadecimal\n"
	      "      --key-file FILE     MN-HA key, hexadecimal text in FILE\n"
	      "      --algo ALGO         hmac-md5 (default) or prefix-suffix\n"
	      "      --fa-spi SPI, --fa-key HEX, --fa-key-file FILE, --fa-algo ALGO\n"
	      "                          FA-HA authentication added by the emulated FA\n"
	      "      --replay METHOD     timestamp (default) or nonce\n"
	      "Requests:\n"
	      "  -l, --lifetime S        requested lifetime (default 600, 65535 = infinite)\n"
	      "  -g, --gre               ask for GRE encapsulation (G flag)\n"
	      "  -T, --reverse-tunnel    ask for a reverse tunnel (T flag)\n"
	      "  -S, --simultaneous      ask for simultaneous bindings (S flag)\n"
	      "      --flags HEX         also set these flag bits (0x10: M, ...)\n"
	      "Run:\n"
	      "      (default)           register, renew before expiry, deregister at exit\n"
	      "                          (SIGINT, SIGTERM or --duration)\n"
	      "      --once              register each node once, leave the bindings, exit\n"
	      "      --deregister        send one deregistration per node, exit\n"
	      "  -d, --duration S        hold for S seconds (default: until a signal)\n"
	      "      --renew PCT         renew at PCT % of the granted lifetime (default 80)\n"
	      "      --no-dereg          do not deregister at exit\n"
	      "      --dereg-all         deregistrations carry CoA = home address\n"
	      "  -r, --rate N            new requests per second (default: no limit)\n"
	      "  -w, --window N          requests waiting for a reply at most (default 256)\n"
	      "      --timeout MS        first retransmission timeout (default 1000), doubled\n"
	      "                          on each retransmission up to --max-timeout (8000)\n"
	      "      --retries N         retransmissions per request (default 3)\n"
	      "Data path (co-located care-of address, or the emulated FA):\n"
	      "      --setup-tunnel      create the kernel's ipip (gre with -g) device from\n"
	      "                          each care-of address to the HA holding the home\n"
	      "                          addresses; with -T, traffic from a home address is\n"
	      "                          routed into it (policy routing, table --table)\n"
	      "      --tunnel-name NAME  device name prefix (default mip: mip0, mip1, ...)\n"
	      "      --table N           routing table of the reverse tunnel (default 434)\n"
	      "      --keep-tunnel       leave the devices in place at exit\n"
	      "Output:\n"
	      "  -j, --json              report as JSON\n"
	      "      --list              per-node results in the report\n"
	      "  -v, --verbose           one line per reply on stderr\n"
	      "Conformance testing:\n"
	      "      --id HEX            fixed Identification (one node, no resync)\n"
	      "      --clock-offset S    skew our timestamps by S seconds\n"
	      "      --no-resync         on 133 do not resend with the HA's time or nonce\n"
	      "      --ha-field ADDR     Home Agent field other than the destination\n"
	      "      --malformed         append an extension overrunning the message (134)\n"
	      "      --copies N          send each request N times at once (1 to 16), as a\n"
	      "                          network that duplicates packets does\n"
	      "Baseline for benchmarks:\n"
	      "      --reflector ADDR[:PORT]  answer registration requests at ADDR (port 434)\n"
	      "                          the cheapest way: verify MN-HA, reply accepted with\n"
	      "                          MN-HA; until SIGINT/SIGTERM\n"
	      "\n"
	      "Signals: SIGINT/SIGTERM end the run (deregistering first unless --once or\n"
	      "--no-dereg; a second one ends it at once), SIGUSR1 prints the report so\n"
	      "far on stderr.\n"
	      "\n"
	      "Exit status: 0 if every node's last request was accepted, 1 if one was\n"
	      "denied or unanswered, 2 on a usage or setup error.\n",
	      f);
}

enum {
	OPT_HOME = 256,
	OPT_NAI,
	OPT_NAI_START,
	OPT_COA,
	OPT_FA,
	OPT_SPORT,
	OPT_HA_PORT,
	OPT_SPI,
	OPT_KEY,
	OPT_KEY_FILE,
	OPT_ALGO,
	OPT_FA_SPI,
	OPT_FA_KEY,
	OPT_FA_KEY_FILE,
	OPT_FA_ALGO,
	OPT_REPLAY,
	OPT_FLAGS,
	OPT_ONCE,
	OPT_DEREGISTER,
	OPT_RENEW,
	OPT_NO_DEREG,
	OPT_DEREG_ALL,
	OPT_TIMEOUT,
	OPT_MAX_TIMEOUT,
	OPT_RETRIES,
	OPT_SETUP_TUNNEL,
	OPT_TUNNEL_NAME,
	OPT_TABLE,
	OPT_KEEP_TUNNEL,
	OPT_LIST,
	OPT_ID,
	OPT_CLOCK_OFFSET,
	OPT_NO_RESYNC,
	OPT_HA_FIELD,
	OPT_MALFORMED,
	OPT_COPIES,
	OPT_REFLECTOR,
};

static const struct option long_opts[] = {
	{ "count", required_argument, NULL, 'n' },
	{ "home", required_argument, NULL, OPT_HOME },
	{ "nai", required_argument, NULL, OPT_NAI },
	{ "nai-start", required_argument, NULL, OPT_NAI_START },
	{ "coa", required_argument, NULL, OPT_COA },
	{ "fa", required_argument, NULL, OPT_FA },
	{ "sport", required_argument, NULL, OPT_SPORT },
	{ "ha", required_argument, NULL, 'H' },
	{ "ha-port", required_argument, NULL, OPT_HA_PORT },
	{ "spi", required_argument, NULL, OPT_SPI },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "key-file", required_argument, NULL, OPT_KEY_FILE },
	{ "algo", required_argument, NULL, OPT_ALGO },
	{ "fa-spi", required_argument, NULL, OPT_FA_SPI },
	{ "fa-key", required_argument, NULL, OPT_FA_KEY },
	{ "fa-key-file", required_argument, NULL, OPT_FA_KEY_FILE },
	{ "fa-algo", required_argument, NULL, OPT_FA_ALGO },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "lifetime", required_argument, NULL, 'l' },
	{ "gre", no_argument, NULL, 'g' },
	{ "reverse-tunnel", no_argument, NULL, 'T' },
	{ "simultaneous", no_argument, NULL, 'S' },
	{ "flags", required_argument, NULL, OPT_FLAGS },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "deregister", no_argument, NULL, OPT_DEREGISTER },
	{ "duration", required_argument, NULL, 'd' },
	{ "renew", required_argument, NULL, OPT_RENEW },
	{ "no-dereg", no_argument, NULL, OPT_NO_DEREG },
	{ "dereg-all", no_argument, NULL, OPT_DEREG_ALL },
	{ "rate", required_argument, NULL, 'r' },
	{ "window", required_argument, NULL, 'w' },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "max-timeout", required_argument, NULL, OPT_MAX_TIMEOUT },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "setup-tunnel", no_argument, NULL, OPT_SETUP_TUNNEL },
	{ "tunnel-name", required_argument, NULL, OPT_TUNNEL_NAME },
	{ "table", required_argument, NULL, OPT_TABLE },
	{ "keep-tunnel", no_argument, NULL, OPT_KEEP_TUNNEL },
	{ "json", no_argument, NULL, 'j' },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "verbose", no_argument, NULL, 'v' },
	{ "id", required_argument, NULL, OPT_ID },
	{ "clock-offset", required_argument, NULL, OPT_CLOCK_OFFSET },
	{ "no-resync", no_argument, NULL, OPT_NO_RESYNC },
	{ "ha-field", required_argument, NULL, OPT_HA_FIELD },
	{ "malformed", no_argument, NULL, OPT_MALFORMED },
	{ "copies", required_argument, NULL, OPT_COPIES },
	{ "reflector", required_argument, NULL, OPT_REFLECTOR },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int bad(const char *opt, const char *val, const char *why)
{
	fprintf(stderr, "mipha-mn: --%s %s: %s\n", opt, val, why);
	return -EINVAL;
}

/* An unsigned number (decimal, or 0x hex) in [min, max]. */
static int parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max,
		     uint64_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (!*s || *s == '-')
		return bad(opt, s, "not a number");
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return bad(opt, s, "not a number");
	if (v < min || v > max) {
		char why[96];

		snprintf(why, sizeof(why), "out of range %llu..%llu",
			 (unsigned long long)min, (unsigned long long)max);
		return bad(opt, s, why);
	}
	*out = v;
	return 0;
}

static int parse_uint(const char *opt, const char *s, unsigned int min,
		      unsigned int max, unsigned int *out)
{
	uint64_t v;
	int ret = parse_u64(opt, s, min, max, &v);

	if (!ret)
		*out = (unsigned int)v;
	return ret;
}

static int parse_double(const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || v < 0 || v > 1e9)
		return bad(opt, s, "not a non-negative number");
	*out = v;
	return 0;
}

static int parse_addr(const char *opt, const char *s, struct in_addr *a)
{
	if (inet_pton(AF_INET, s, a) != 1)
		return bad(opt, s, "not an IPv4 address");
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Hex digits (whitespace and a leading 0x ignored) into k->key. */
static int parse_hex_key(const char *opt, const char *s, struct auth_key *k)
{
	size_t n = 0;
	int hi = -1;

	while (isspace((unsigned char)*s))
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++) {
		int v;

		if (isspace((unsigned char)*s))
			continue;
		v = hexval((unsigned char)*s);
		if (v < 0)
			return bad(opt, "(key)", "not hexadecimal");
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == AUTH_KEY_MAX)
			return bad(opt, "(key)", "longer than 64 bytes");
		k->key[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return bad(opt, "(key)", "odd number of hex digits");
	if (!n)
		return bad(opt, "(key)", "empty");
	k->key_len = (uint8_t)n;
	return 0;
}

static int read_key_file(const char *opt, const char *path, struct auth_key *k)
{
	char buf[4 * AUTH_KEY_MAX + 16];
	size_t n;
	FILE *f;
	int ret;

	f = fopen(path, "re");
	if (!f) {
		fprintf(stderr, "mipha-mn: --%s %s: %s\n", opt, path,
			strerror(errno));
		return -errno;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	if (!feof(f)) {
		fclose(f);
		OPENSSL_cleanse(buf, sizeof(buf));
		return bad(opt, path, "too long for a key");
	}
	fclose(f);
	buf[n] = 0;
	ret = parse_hex_key(opt, buf, k);
	OPENSSL_cleanse(buf, sizeof(buf));
	return ret;
}

static int parse_coas(struct mn_opts *o, const char *arg)
{
	char *dup = strdup(arg), *tok, *save = NULL;
	int ret = 0;

	if (!dup)
		return -ENOMEM;
	for (tok = strtok_r(dup, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->n_coas == MN_MAX_COAS) {
			ret = bad("coa", arg, "more than 64 addresses");
			break;
		}
		ret = parse_addr("coa", tok, &o->coas[o->n_coas]);
		if (ret)
			break;
		o->n_coas++;
	}
	free(dup);
	return ret;
}

/* ADDR or ADDR:PORT */
static int parse_addr_port(const char *opt, const char *arg, struct in_addr *a,
			   uint16_t *port)
{
	char buf[64], *colon;
	unsigned int p;

	if (strlen(arg) >= sizeof(buf))
		return bad(opt, arg, "not ADDR[:PORT]");
	strcpy(buf, arg);
	colon = strchr(buf, ':');
	if (colon) {
		*colon = 0;
		if (parse_uint(opt, colon + 1, 1, 65535, &p))
			return -EINVAL;
		*port = (uint16_t)p;
	}
	return parse_addr(opt, buf, a);
}

/* The format must hold exactly one %d / %u (and %% escapes). */
static bool nai_fmt_ok(const char *f)
{
	unsigned int convs = 0;

	for (; *f; f++) {
		if (*f != '%')
			continue;
		f++;
		if (*f == '%')
			continue;
		if (*f != 'd' && *f != 'u')
			return false;
		convs++;
	}
	return convs <= 1;
}

static void defaults(struct mn_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->count = 1;
	o->ha_port = REG_PORT;
	o->nai_start = 1;
	o->mn_ha.algo = AUTH_HMAC_MD5;
	o->fa_ha.algo = AUTH_HMAC_MD5;
	o->lifetime = 600;
	o->renew_pct = 80;
	o->window = 256;
	o->timeout_ms = 1000;
	o->max_timeout_ms = 8000;
	o->retries = 3;
	o->action = MN_ACT_HOLD;
	o->dereg_at_exit = true;
	o->replay = REPLAY_TIMESTAMP;
	o->resync = true;
	o->copies = 1;
	o->tunnel_name = "mip";
	o->tunnel_table = 434;
	o->reflect_port = REG_PORT;
}

static int check(struct mn_opts *o, bool have_spi, bool have_fa_spi,
		 bool have_fa_key)
{
	if (!have_spi || !o->mn_ha.key_len) {
		fprintf(stderr,
			"mipha-mn: --spi and --key or --key-file are needed\n");
		return -EINVAL;
	}
	if (o->reflector)
		return 0;
	if (!o->ha.s_addr) {
		fprintf(stderr, "mipha-mn: --ha is needed\n");
		return -EINVAL;
	}
	if (!o->ha_field.s_addr)
		o->ha_field = o->ha;
	if (!o->n_coas) {
		fprintf(stderr, "mipha-mn: --coa or --fa is needed\n");
		return -EINVAL;
	}
	if (!o->home_start.s_addr && !o->nai_fmt) {
		fprintf(stderr, "mipha-mn: --home or --nai is needed\n");
		return -EINVAL;
	}
	if (o->home_start.s_addr &&
	    (uint64_t)ntohl(o->home_start.s_addr) + o->count - 1 > UINT32_MAX) {
		fprintf(stderr,
			"mipha-mn: --home + --count runs past 255.255.255.255\n");
		return -EINVAL;
	}
	if (have_fa_spi != have_fa_key) {
		fprintf(stderr,
			"mipha-mn: FA-HA authentication needs both --fa-spi and --fa-key\n");
		return -EINVAL;
	}
	if (o->has_fa_ha && !o->fa_mode) {
		fprintf(stderr, "mipha-mn: --fa-spi/--fa-key need --fa\n");
		return -EINVAL;
	}
	if (o->fixed_id && o->count != 1) {
		fprintf(stderr, "mipha-mn: --id needs --count 1\n");
		return -EINVAL;
	}
	if (o->fixed_id)
		o->resync = false;
	if (o->action == MN_ACT_DEREG && !o->home_start.s_addr) {
		fprintf(stderr,
			"mipha-mn: --deregister needs --home (the addresses to deregister)\n");
		return -EINVAL;
	}
	if (o->max_timeout_ms < o->timeout_ms)
		o->max_timeout_ms = o->timeout_ms;
	return 0;
}

int mn_opts_parse(struct mn_opts *o, int argc, char **argv)
{
	bool have_spi = false, have_fa_spi = false, have_fa_key = false;
	uint64_t v;
	unsigned int u = 0;
	int c, ret = 0;

	defaults(o);
	while ((c = getopt_long(argc, argv, "n:H:l:gTSd:r:w:jvh", long_opts,
				NULL)) != -1) {
		const char *a = optarg;

		switch (c) {
		case 'n':
			ret = parse_uint("count", a, 1, MN_MAX_NODES,
					 &o->count);
			break;
		case OPT_HOME:
			ret = parse_addr("home", a, &o->home_start);
			if (!ret && !o->home_start.s_addr)
				ret = bad(
					"home", a,
					"0.0.0.0: use --nai for a dynamic address");
			break;
		case OPT_NAI:
			if (!*a || strlen(a) > 200 || !nai_fmt_ok(a))
				ret = bad("nai", a,
					  "a NAI with at most one %d");
			o->nai_fmt = a;
			break;
		case OPT_NAI_START:
			ret = parse_uint("nai-start", a, 0, INT_MAX,
					 &o->nai_start);
			break;
		case OPT_COA:
			if (o->fa_mode)
				ret = bad("coa", a,
					  "--coa and --fa exclude each other");
			else
				ret = parse_coas(o, a);
			break;
		case OPT_FA:
			if (o->n_coas)
				ret = bad("fa", a,
					  "--coa and --fa exclude each other");
			else
				ret = parse_addr("fa", a, &o->coas[0]);
			o->n_coas = 1;
			o->fa_mode = true;
			break;
		case OPT_SPORT:
			ret = parse_uint("sport", a, 1, 65535, &u);
			o->sport = (uint16_t)u;
			break;
		case 'H':
			ret = parse_addr("ha", a, &o->ha);
			break;
		case OPT_HA_PORT:
			ret = parse_uint("ha-port", a, 1, 65535, &u);
			o->ha_port = (uint16_t)u;
			break;
		case OPT_SPI:
			ret = parse_u64("spi", a, 0, UINT32_MAX, &v);
			o->mn_ha.spi = (uint32_t)v;
			have_spi = true;
			break;
		case OPT_KEY:
			ret = parse_hex_key("key", a, &o->mn_ha);
			break;
		case OPT_KEY_FILE:
			ret = read_key_file("key-file", a, &o->mn_ha);
			break;
		case OPT_ALGO:
			if (auth_algo_parse(a, &o->mn_ha.algo))
				ret = bad("algo", a,
					  "hmac-md5 or prefix-suffix");
			break;
		case OPT_FA_SPI:
			ret = parse_u64("fa-spi", a, 0, UINT32_MAX, &v);
			o->fa_ha.spi = (uint32_t)v;
			have_fa_spi = o->has_fa_ha = true;
			break;
		case OPT_FA_KEY:
			ret = parse_hex_key("fa-key", a, &o->fa_ha);
			have_fa_key = o->has_fa_ha = true;
			break;
		case OPT_FA_KEY_FILE:
			ret = read_key_file("fa-key-file", a, &o->fa_ha);
			have_fa_key = o->has_fa_ha = true;
			break;
		case OPT_FA_ALGO:
			if (auth_algo_parse(a, &o->fa_ha.algo))
				ret = bad("fa-algo", a,
					  "hmac-md5 or prefix-suffix");
			break;
		case OPT_REPLAY:
			if (replay_method_parse(a, &o->replay))
				ret = bad("replay", a, "timestamp or nonce");
			break;
		case 'l':
			ret = parse_uint("lifetime", a, 0, 65535, &u);
			o->lifetime = (uint16_t)u;
			break;
		case 'g':
			o->flags |= REG_F_G;
			break;
		case 'T':
			o->flags |= REG_F_T;
			break;
		case 'S':
			o->flags |= REG_F_S;
			break;
		case OPT_FLAGS:
			ret = parse_uint("flags", a, 0, 255, &u);
			o->flags |= (uint8_t)u;
			break;
		case OPT_ONCE:
			o->action = MN_ACT_ONCE;
			break;
		case OPT_DEREGISTER:
			o->action = MN_ACT_DEREG;
			break;
		case 'd':
			ret = parse_double("duration", a, &o->duration);
			break;
		case OPT_RENEW:
			ret = parse_uint("renew", a, 1, 99, &o->renew_pct);
			break;
		case OPT_NO_DEREG:
			o->dereg_at_exit = false;
			break;
		case OPT_DEREG_ALL:
			o->dereg_all = true;
			break;
		case 'r':
			ret = parse_double("rate", a, &o->rate);
			break;
		case 'w':
			ret = parse_uint("window", a, 1, MN_MAX_NODES,
					 &o->window);
			break;
		case OPT_TIMEOUT:
			ret = parse_uint("timeout", a, 1, 600000,
					 &o->timeout_ms);
			break;
		case OPT_MAX_TIMEOUT:
			ret = parse_uint("max-timeout", a, 1, 600000,
					 &o->max_timeout_ms);
			break;
		case OPT_RETRIES:
			ret = parse_uint("retries", a, 0, 20, &o->retries);
			break;
		case OPT_SETUP_TUNNEL:
			o->setup_tunnel = true;
			break;
		case OPT_TUNNEL_NAME:
			if (!*a || strlen(a) > 10 || strpbrk(a, " /%"))
				ret = bad("tunnel-name", a,
					  "1-10 characters, no space or /");
			o->tunnel_name = a;
			break;
		case OPT_TABLE:
			ret = parse_uint("table", a, 1, 0xfffffffeU,
					 &o->tunnel_table);
			break;
		case OPT_KEEP_TUNNEL:
			o->keep_tunnel = true;
			break;
		case 'j':
			o->json = true;
			break;
		case OPT_LIST:
			o->list = true;
			break;
		case 'v':
			o->verbose++;
			break;
		case OPT_ID:
			ret = parse_u64("id", a, 0, UINT64_MAX, &o->id);
			o->fixed_id = true;
			break;
		case OPT_CLOCK_OFFSET: {
			char *end;
			long long s;

			errno = 0;
			s = strtoll(a, &end, 0);
			if (errno || *end || !*a || s < -86400 * 365 ||
			    s > 86400 * 365)
				ret = bad("clock-offset", a,
					  "seconds, within a year");
			o->clock_offset_s = s;
			break;
		}
		case OPT_NO_RESYNC:
			o->resync = false;
			break;
		case OPT_HA_FIELD:
			ret = parse_addr("ha-field", a, &o->ha_field);
			break;
		case OPT_MALFORMED:
			o->malformed = true;
			break;
		case OPT_COPIES:
			ret = parse_uint("copies", a, 1, 16, &o->copies);
			break;
		case OPT_REFLECTOR:
			ret = parse_addr_port("reflector", a, &o->reflect_addr,
					      &o->reflect_port);
			o->reflector = true;
			break;
		case 'h':
			mn_usage(stdout);
			exit(0);
		default:
			mn_usage(stderr);
			return -EINVAL;
		}
		if (ret)
			return ret;
	}
	if (optind < argc) {
		fprintf(stderr, "mipha-mn: unexpected argument: %s\n",
			argv[optind]);
		return -EINVAL;
	}
	return check(o, have_spi, have_fa_spi, have_fa_key);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * config_read: agentd.conf from the disk to libconfuse's tree, and the
 * key text cleansed out of every copy made on the way.
 *
 * libconfuse 3.3 counts each '#' or '//' comment line two lines too many
 * (and a block comment one), and refuses a comment inside a list. So the
 * file is read into memory first and its comments are blanked out
 * (newlines kept) before libconfuse sees it: line numbers are then exact.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config_kit.h"

#define CONFIG_FILE_MAX (16 << 20) /* bytes; a huge file is a mistake */

/*
 * Blanks out comments ('#' and '//' to the end of the line, C block
 * comments) outside quoted strings, keeping every newline, as libconfuse's
 * lexer would see them: '//' and '/' '*' start a comment only where a word
 * starts (inside an unquoted word they are part of it).
 */
int config_strip_comments(struct config_load *l, char *s, size_t len)
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
				return config_fail(l, open_line,
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
				return config_fail(l, open_line,
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

int config_read_text(struct config_load *l, const char *path, char **out,
		     size_t *outlen)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		err = -errno;
		config_fail(l, 0, "%s", strerror(errno));
		l->error = err;
		return err;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		config_fail(l, 0, "not a regular file");
		return -EINVAL;
	}
	if (st.st_size > CONFIG_FILE_MAX) {
		close(fd);
		config_fail(l, 0, "larger than %d MiB", CONFIG_FILE_MAX >> 20);
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
			config_fail(l, 0, "read: %s", strerror(-err));
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

/* ---- the parse and the keys ------------------------------------------- */

/*
 * Key text in libconfuse's option values (strdup'ed copies): cleansed
 * before cfg_free() frees them. Every section is walked, and an option
 * is secret by its name (is_secret(): the names the sections declare),
 * so that a secret option is covered wherever it sits.
 */
void config_cleanse_keys(cfg_t *sec, bool (*is_secret)(const char *name))
{
	cfg_opt_t *opt;
	unsigned int i;

	if (!sec)
		return;
	for (opt = sec->opts; opt && opt->type != CFGT_NONE; opt++) {
		bool secret = opt->type == CFGT_STR && is_secret(opt->name);

		for (i = 0; i < opt->nvalues; i++) {
			cfg_value_t *v = opt->values[i];

			if (!v)
				continue;
			if (opt->type == CFGT_SEC)
				config_cleanse_keys(v->section, is_secret);
			else if (secret && v->string)
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
int config_parse_cfg(cfg_t *top, char *text, size_t len)
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

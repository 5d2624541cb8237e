// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: miphactl's batch reader and every command's argument
 * parser. The input is a batch file; it runs dry (parsed, never sent), with
 * -force so every line is parsed, and -j or not by the first byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct ctl c;
	FILE *in;

	if (!size)
		return 0;
	if (!null)
		null = fopen("/dev/null", "w");
	ctl_init(&c);
	c.dry_run = true;
	c.force = true;
	c.json = data[0] & 1;
	c.out = null;
	c.errf = null;
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	ctl_batch_stream(&c, in, "fuzz");
	fclose(in);
	ctl_fini(&c);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * binding_kernel: a binding record as mipha.ko holds it, and back.
 *
 * The kernel forwards by a binding's addresses, flags and link, and keeps
 * what only the daemon needs (NAI, SPI, replay state, registration time,
 * pool) in the agent cookie (reg_cookie), so that a restarted daemon, or
 * a standby taking over, can rebuild the record from the kernel's table.
 * Registration (reg_pipeline), restart recovery (reg.c) and peer sync
 * each turn records into kernel bindings; they do it here, one way.
 *
 * Pure: no I/O, no clock of its own (the caller passes its monotonic
 * time), no allocation.
 */
#ifndef MIPHA_BINDING_KERNEL_H
#define MIPHA_BINDING_KERNEL_H

#include <stdint.h>

#include "binding_store.h"
#include "kernel.h"
#include "reg.h"

/*
 * The kernel binding of rec at monotonic now_ms, its cookie written into
 * cookie[0..size) (REG_COOKIE_MAX is enough) and pointed to by kb. The
 * lifetime is what is left of rec's, rounded up to a second (the kernel
 * counts seconds; 0 there means "never", so a record due now gets 1 s
 * rather than forever; at most MIPHA_LIFETIME_MAX). Returns 0, or -EINVAL (an NAI or pool name the
 * cookie cannot carry) / -ENOSPC (size).
 */
int binding_rec_to_kernel(const struct binding_rec *rec, uint64_t now_ms,
			  uint8_t *cookie, size_t size,
			  struct kernel_binding *kb);

/*
 * The record of a kernel binding (a dump, a get) whose cookie decoded as
 * c, at monotonic now_ms: origin as given; nai and pool point into c.
 */
void binding_rec_from_kernel(const struct kernel_binding *kb,
			     const struct reg_cookie *c, uint64_t now_ms,
			     enum binding_origin origin,
			     struct binding_rec *rec);

#endif /* MIPHA_BINDING_KERNEL_H */

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MIPHA_SELFTEST_H
#define _MIPHA_SELFTEST_H

/* Randomized test of the binding table against a naive reference:
 * 0 if it passed, -ENOTRECOVERABLE if it did not, -ENOMEM.
 */
int mipha_selftest(void);

#endif /* _MIPHA_SELFTEST_H */

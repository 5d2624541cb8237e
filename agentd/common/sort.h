/* SPDX-License-Identifier: GPL-2.0 */
/*
 * qsort() that takes an empty array: qsort(NULL, 0, ...) is undefined
 * behaviour (glibc declares the base nonnull; UBSan stops the program), and
 * an empty list is often an unallocated one.
 */
#ifndef MIPHA_SORT_H
#define MIPHA_SORT_H

#include <stdlib.h>

static inline void sort_array(void *base, size_t n, size_t size,
			      int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

#endif /* MIPHA_SORT_H */

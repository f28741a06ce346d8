/* SPDX-License-Identifier: MIT */
/*
 * CRC-32 of gzip members (RFC 1952 §8: ISO 3309, the reflected polynomial 0xEDB88320),
 * with zlib's crc32() semantics but folded with carry-less multiplication where the CPU
 * has it: zlib 1.2.13's table-driven loop was 6% of a --compressed download's CPU.
 */
#ifndef H2GET_CRC32_H
#define H2GET_CRC32_H

#include <stddef.h>
#include <stdint.h>

/*
 * crc32_update - the CRC-32 of the bytes whose CRC-32 is `crc` followed by `p[0..n)`
 * (start with 0), as zlib's crc32(crc, p, n) gives it.
 */
uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n);

/* crc32_folds - whether crc32_update folds with PCLMULQDQ on this CPU (for tests). */
int crc32_folds(void);

#endif

/* Unsigned LEB128 varints as the Go execution tracer writes and reads them.
 *
 * Little-endian base-128: 7 value bits per byte, 0x80 set on every byte but the last.
 * A uint64 needs at most ST_VARINT_MAX = 10 bytes; in a 10-byte varint the 10th byte may
 * only hold the value's top bit (0 or 1). Writers produce the minimal width, except the
 * Go 1.20+ EvStack length, which is always padded to exactly 10 bytes. */
#ifndef ST_VARINT_H
#define ST_VARINT_H

#include "stacktab/st_export.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ST_VARINT_MAX 10u

typedef enum {
  ST_VARINT_OK = 0,       /* a complete varint of at most 10 bytes, value fits 64 bits */
  ST_VARINT_SHORT,        /* the input ended before the last byte: need more bytes */
  ST_VARINT_OVERLONG,     /* the 10th byte still has the continuation bit: 11+ bytes */
  ST_VARINT_OVERFLOW      /* 10 bytes whose 10th byte is above 1: bits past 64 */
} st_varint_status;

/* Minimal width of v, 1..10. */
ST_API size_t st_varint_size(uint64_t v);

/* Writes v in its minimal width at dst (room for ST_VARINT_MAX bytes); returns the width. */
ST_API size_t st_varint_put(uint8_t *dst, uint64_t v);

/* Writes v in exactly `width` bytes (st_varint_size(v) <= width <= 10): the first width-1
 * bytes carry the continuation bit, so shorter values are padded with 0x80 groups. Returns
 * width, or 0 when v does not fit in that width. width 10 is the Go 1.20+ EvStack length. */
ST_API size_t st_varint_put_width(uint8_t *dst, uint64_t v, size_t width);

/* Reads one varint from src[0..avail). On ST_VARINT_OK sets *v and *width (bytes used).
 * On ST_VARINT_OVERFLOW *v holds the low 64 bits (what Go 1.19's reader keeps) and *width
 * is 10. On ST_VARINT_SHORT and ST_VARINT_OVERLONG, *v and *width are unspecified. */
ST_API st_varint_status st_varint_get(const uint8_t *src, size_t avail, uint64_t *v, size_t *width);

#ifdef __cplusplus
}
#endif
#endif

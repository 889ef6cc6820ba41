/* The varint writer as an inline function, for the library's inner loops (the dump's frames,
 * the decoder's reference log); st_varint_put is the same, callable. */
#ifndef ST_VARINT_INT_H
#define ST_VARINT_INT_H

#include <stddef.h>
#include <stdint.h>

/* Writes v as a minimal varint at dst (room for ST_VARINT_MAX bytes); returns its width. */
static inline size_t sti_varint_put(uint8_t *dst, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    dst[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  dst[n++] = (uint8_t)v;
  return n;
}

#endif

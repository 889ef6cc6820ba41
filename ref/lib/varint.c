#include "stacktab/st_varint.h"
#include "varint_int.h"

size_t st_varint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

size_t st_varint_put(uint8_t *dst, uint64_t v) { return sti_varint_put(dst, v); }

size_t st_varint_put_width(uint8_t *dst, uint64_t v, size_t width) {
  if (width == 0 || width > ST_VARINT_MAX || st_varint_size(v) > width) return 0;
  for (size_t i = 0; i + 1 < width; i++) {
    dst[i] = (uint8_t)(0x80 | (v & 0x7f));
    v >>= 7;
  }
  dst[width - 1] = (uint8_t)v;
  return width;
}

st_varint_status st_varint_get(const uint8_t *src, size_t avail, uint64_t *v, size_t *width) {
  uint64_t x = 0;
  size_t lim = avail < ST_VARINT_MAX ? avail : ST_VARINT_MAX;
  /* cppcheck 2.10 wrongly infers lim < 1 from the ternary above (false positive). */
  for (size_t i = 0; i < lim; i++) {  /* cppcheck-suppress knownConditionTrueFalse */
    uint8_t b = src[i];
    if (i == ST_VARINT_MAX - 1) {
      /* The 10th byte: only its lowest bit still fits in 64 bits. */
      if (b & 0x80) return ST_VARINT_OVERLONG;
      *v = x | ((uint64_t)b << 63);
      *width = ST_VARINT_MAX;
      return b > 1 ? ST_VARINT_OVERFLOW : ST_VARINT_OK;
    }
    x |= (uint64_t)(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) {
      *v = x;
      *width = i + 1;
      return ST_VARINT_OK;
    }
  }
  return ST_VARINT_SHORT;
}

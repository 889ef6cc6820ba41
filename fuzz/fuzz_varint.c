/* varint: the LEB128 codec against an independent model.
 *
 * 1. Every suffix of the input is read with st_varint_get and with a model that sums the
 *    7-bit groups in 128-bit arithmetic: status, value and width must agree (short input,
 *    overlong 11+ byte varints, 10-byte varints whose value passes 64 bits). A varint read OK
 *    is written back with st_varint_put_width at its width and must give the same bytes
 *    (each (value, width) has exactly one encoding); it is minimal exactly when its width is
 *    st_varint_size.
 * 2. The input is also read as records (selector byte + 8 bytes) giving values, biased to the
 *    7-bit group boundaries; each value is written minimal and at every width 1..10 and read
 *    back, with the bytes checked against the encoding rules and nothing written past the
 *    width. A fixed sweep of all boundaries runs once per process. */
#include <string.h>

#include "fuzz_util.h"
#include "stacktab/st_varint.h"

__extension__ typedef unsigned __int128 u128;

/* The model: value = sum of (byte & 0x7f) * 128^i over at most 10 bytes. */
static st_varint_status model_get(const uint8_t *src, size_t avail, uint64_t *v, size_t *w) {
  u128 value = 0;
  for (size_t i = 0; i < 10; i++) {
    if (i == avail) return ST_VARINT_SHORT;
    value += (u128)(src[i] & 0x7f) << (7 * i);
    if (!(src[i] & 0x80)) {
      *v = (uint64_t)value; /* the low 64 bits */
      *w = i + 1;
      return value >> 64 ? ST_VARINT_OVERFLOW : ST_VARINT_OK;
    }
  }
  return ST_VARINT_OVERLONG;
}

/* The fewest 7-bit groups that hold v. */
static size_t model_size(uint64_t v) {
  size_t w = 1;
  while (w < 10 && ((u128)v >> (7 * w)) != 0) w++;
  return w;
}

static const char *st_name(st_varint_status s) {
  switch (s) {
    case ST_VARINT_OK: return "OK";
    case ST_VARINT_SHORT: return "SHORT";
    case ST_VARINT_OVERLONG: return "OVERLONG";
    case ST_VARINT_OVERFLOW: return "OVERFLOW";
  }
  return "?";
}

static void check_bytes(const uint8_t *src, size_t avail) {
  uint64_t mv = 0, v = 0;
  size_t mw = 0, w = 0;
  st_varint_status ms = model_get(src, avail, &mv, &mw);
  st_varint_status s = st_varint_get(src, avail, &v, &w);
  FZ_CHECK(s == ms, "st_varint_get says %s, the model %s (first byte 0x%02x, %zu bytes)",
           st_name(s), st_name(ms), avail ? src[0] : 0, avail);
  if (ms == ST_VARINT_OK || ms == ST_VARINT_OVERFLOW) {
    FZ_CHECK(v == mv && w == mw, "read %llu in %zu bytes, model %llu in %zu bytes",
             (unsigned long long)v, w, (unsigned long long)mv, mw);
  }
  if (ms != ST_VARINT_OK) return;
  uint8_t out[16];
  memset(out, 0xaa, sizeof out);
  FZ_CHECK(st_varint_put_width(out, v, w) == w, "value %llu read in %zu bytes not writable in %zu",
           (unsigned long long)v, w, w);
  FZ_CHECK(memcmp(out, src, w) == 0, "%zu-byte encoding of %llu differs from the bytes read",
           w, (unsigned long long)v);
  FZ_CHECK((w == st_varint_size(v)) == (w == model_size(v)), "minimality of %llu in %zu bytes",
           (unsigned long long)v, w);
  /* Any proper prefix is short. */
  for (size_t k = 0; k < w; k++) {
    uint64_t pv;
    size_t pw;
    FZ_CHECK(st_varint_get(src, k, &pv, &pw) == ST_VARINT_SHORT, "a %zu-byte prefix is not short",
             k);
  }
}

static void check_value(uint64_t v) {
  uint8_t buf[16];
  size_t ms = model_size(v);
  FZ_CHECK(st_varint_size(v) == ms, "st_varint_size(%llu) = %zu, want %zu", (unsigned long long)v,
           st_varint_size(v), ms);
  memset(buf, 0xaa, sizeof buf);
  size_t n = st_varint_put(buf, v);
  FZ_CHECK(n == ms, "st_varint_put wrote %zu bytes for %llu, want %zu", n, (unsigned long long)v, ms);
  FZ_CHECK(buf[n] == 0xaa, "st_varint_put wrote past its width");
  uint64_t back = 0;
  size_t bw = 0;
  FZ_CHECK(st_varint_get(buf, n, &back, &bw) == ST_VARINT_OK && back == v && bw == n,
           "minimal %llu does not read back", (unsigned long long)v);
  uint8_t minimal[16];
  memcpy(minimal, buf, n);
  FZ_CHECK(st_varint_put_width(buf, v, 0) == 0 && st_varint_put_width(buf, v, 11) == 0,
           "width 0 or 11 accepted");
  for (size_t w = 1; w <= 10; w++) {
    memset(buf, 0xaa, sizeof buf);
    size_t r = st_varint_put_width(buf, v, w);
    if (w < ms) {
      FZ_CHECK(r == 0, "%llu written in %zu bytes, needs %zu", (unsigned long long)v, w, ms);
      continue;
    }
    FZ_CHECK(r == w, "st_varint_put_width(%llu, %zu) returned %zu", (unsigned long long)v, w, r);
    FZ_CHECK(buf[w] == 0xaa, "st_varint_put_width wrote past width %zu", w);
    for (size_t i = 0; i + 1 < w; i++)
      FZ_CHECK(buf[i] & 0x80, "byte %zu of a %zu-byte varint lacks the continuation bit", i, w);
    FZ_CHECK(!(buf[w - 1] & 0x80), "last byte of a %zu-byte varint continues", w);
    FZ_CHECK(w < 10 || buf[9] <= 1, "10th byte 0x%02x", buf[9]);
    if (w == ms) FZ_CHECK(memcmp(buf, minimal, w) == 0, "width %zu differs from minimal", w);
    FZ_CHECK(st_varint_get(buf, w, &back, &bw) == ST_VARINT_OK && back == v && bw == w,
             "%llu padded to %zu bytes does not read back", (unsigned long long)v, w);
    check_bytes(buf, w);
  }
}

static void sweep_once(void) {
  static int done;
  if (done) return;
  done = 1;
  for (unsigned k = 0; k <= 64; k++) {
    uint64_t p = k < 64 ? (uint64_t)1 << k : 0;
    check_value(p - 1);
    check_value(p);
    check_value(p + 1);
  }
  check_value(UINT64_MAX);
  /* Hand-checked encodings from the spec (section 5.1): 9 and 300 padded to 10 bytes. */
  static const uint8_t nine[10] = {0x89, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  static const uint8_t three_hundred[10] = {0xac, 0x82, 0x80, 0x80, 0x80,
                                            0x80, 0x80, 0x80, 0x80, 0x00};
  uint8_t buf[10];
  FZ_CHECK(st_varint_put_width(buf, 9, 10) == 10 && memcmp(buf, nine, 10) == 0, "9 padded");
  FZ_CHECK(st_varint_put_width(buf, 300, 10) == 10 && memcmp(buf, three_hundred, 10) == 0,
           "300 padded");
  /* pid -1 of the global buffer: ff x 9 then 01 (section 3). */
  static const uint8_t all_ones[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
  uint64_t v;
  size_t w;
  FZ_CHECK(st_varint_get(all_ones, 10, &v, &w) == ST_VARINT_OK && v == UINT64_MAX && w == 10,
           "max uint64");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sweep_once();
  for (size_t i = 0; i < size; i++) check_bytes(data + i, size - i);
  fz_reader r = {data, size, 0};
  while (fz_left(&r) >= 9) {
    uint8_t sel = fz_u8(&r);
    uint64_t x = fz_u64(&r), v;
    unsigned k = (unsigned)(x % 10) + 1;
    switch (sel & 3) {
      case 0: v = x; break;
      case 1: v = ((uint64_t)1 << (x & 63)) + (uint64_t)(int8_t)(sel >> 2); break;
      case 2: v = (k < 10 ? ((uint64_t)1 << (7 * k)) : 0) + (uint64_t)(int8_t)(x >> 8); break;
      default: v = x >> (sel >> 2 & 63); break;
    }
    check_value(v);
  }
  return 0;
}

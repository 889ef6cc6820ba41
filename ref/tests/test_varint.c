/* Varints (st_varint.h) against hand-written bytes: every width boundary, padded encodings of
 * every width, the spec's examples (go-trace-v1.md §5.1) and the 10th-byte overflow rules of §6.
 * Expected bytes below were written out by hand from the LEB128 rule, not produced by the code
 * under test. */
#include <string.h>

#include "st_test_util.h"

typedef struct {
  uint64_t v;
  size_t width;
  uint8_t bytes[ST_VARINT_MAX];
} known;

/* Every width boundary: the largest value of width k (2^(7k) - 1) and the smallest of width
 * k + 1 (2^(7k)), plus 0, 1, 300, the spec's PC 0x4a1b2c and 2^64 - 1. */
static const known k_known[] = {
    {0, 1, {0x00}},
    {1, 1, {0x01}},
    {127, 1, {0x7f}},
    {128, 2, {0x80, 0x01}},
    {300, 2, {0xac, 0x02}},
    {16383, 2, {0xff, 0x7f}},
    {16384, 3, {0x80, 0x80, 0x01}},
    {0x4a1b2c, 4, {0xac, 0xb6, 0xa8, 0x02}}, /* spec §5.1 example record */
    {(1ull << 21) - 1, 3, {0xff, 0xff, 0x7f}},
    {1ull << 21, 4, {0x80, 0x80, 0x80, 0x01}},
    {(1ull << 28) - 1, 4, {0xff, 0xff, 0xff, 0x7f}},
    {1ull << 28, 5, {0x80, 0x80, 0x80, 0x80, 0x01}},
    {(1ull << 35) - 1, 5, {0xff, 0xff, 0xff, 0xff, 0x7f}},
    {1ull << 35, 6, {0x80, 0x80, 0x80, 0x80, 0x80, 0x01}},
    {(1ull << 42) - 1, 6, {0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}},
    {1ull << 42, 7, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}},
    {(1ull << 49) - 1, 7, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}},
    {1ull << 49, 8, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}},
    {(1ull << 56) - 1, 8, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}},
    {1ull << 56, 9, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}},
    {(1ull << 63) - 1, 9, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}},
    {1ull << 63, 10, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}},
    {UINT64_MAX, 10, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
};
#define NKNOWN (sizeof k_known / sizeof k_known[0])

static void test_size_of_boundaries(void **state) {
  (void)state;
  for (size_t i = 0; i < NKNOWN; i++) assert_int_equal(st_varint_size(k_known[i].v), k_known[i].width);
}

static void test_put_matches_hand_bytes(void **state) {
  (void)state;
  for (size_t i = 0; i < NKNOWN; i++) {
    uint8_t out[ST_VARINT_MAX + 4];
    memset(out, 0xee, sizeof out);
    assert_int_equal(st_varint_put(out, k_known[i].v), k_known[i].width);
    assert_memory_equal(out, k_known[i].bytes, k_known[i].width);
    /* Nothing written past the width. */
    assert_int_equal(out[k_known[i].width], 0xee);
  }
}

static void test_get_hand_bytes(void **state) {
  (void)state;
  for (size_t i = 0; i < NKNOWN; i++) {
    /* Trailing bytes after the varint must not be read. */
    uint8_t in[ST_VARINT_MAX + 2];
    memset(in, 0xff, sizeof in);
    memcpy(in, k_known[i].bytes, k_known[i].width);
    uint64_t v = 12345;
    size_t w = 99;
    assert_int_equal(st_varint_get(in, sizeof in, &v, &w), ST_VARINT_OK);
    assert_true(v == k_known[i].v);
    assert_int_equal(w, k_known[i].width);
    /* Exactly the bytes of the varint are enough. */
    assert_int_equal(st_varint_get(in, k_known[i].width, &v, &w), ST_VARINT_OK);
    assert_true(v == k_known[i].v);
    assert_int_equal(w, k_known[i].width);
  }
}

static void test_round_trip_widths(void **state) {
  (void)state;
  /* Every value 2^k - 1, 2^k, 2^k + 1 round-trips at its minimal width. */
  for (unsigned k = 0; k < 64; k++) {
    uint64_t base = 1ull << k;
    uint64_t vals[3] = {base - 1, base, base + 1};
    for (int j = 0; j < 3; j++) {
      uint8_t buf[ST_VARINT_MAX];
      size_t n = st_varint_put(buf, vals[j]);
      /* Width from the bit length: ceil(bits / 7), at least 1. */
      unsigned bits = 0;
      for (uint64_t x = vals[j]; x; x >>= 1) bits++;
      size_t want = bits == 0 ? 1 : (bits + 6) / 7;
      assert_int_equal(n, want);
      uint64_t v;
      size_t w;
      assert_int_equal(st_varint_get(buf, n, &v, &w), ST_VARINT_OK);
      assert_true(v == vals[j]);
      assert_int_equal(w, n);
    }
  }
}

static void test_padded_every_width(void **state) {
  (void)state;
  /* Hand bytes of 0 and 5 at every width 1..10: (w-1) groups with the continuation bit, then
   * the final byte. */
  for (size_t w = 1; w <= ST_VARINT_MAX; w++) {
    uint8_t want0[ST_VARINT_MAX], want5[ST_VARINT_MAX];
    memset(want0, 0x80, w);
    want0[w - 1] = 0x00;
    memset(want5, 0x80, w);
    want5[0] = w == 1 ? 0x05 : 0x85;
    want5[w - 1] = w == 1 ? 0x05 : 0x00;
    uint8_t out[ST_VARINT_MAX];
    assert_int_equal(st_varint_put_width(out, 0, w), w);
    assert_memory_equal(out, want0, w);
    assert_int_equal(st_varint_put_width(out, 5, w), w);
    assert_memory_equal(out, want5, w);
  }
  /* Round trip of several values at every width they fit: get gives the value and that width. */
  static const uint64_t vals[] = {0, 1, 9, 127, 128, 300, 16383, 16384, 0x4a1b2c,
                                  (1ull << 56) - 1, 1ull << 56, (1ull << 63) - 1, 1ull << 63,
                                  UINT64_MAX};
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
    size_t minw = st_varint_size(vals[i]);
    for (size_t w = minw; w <= ST_VARINT_MAX; w++) {
      uint8_t out[ST_VARINT_MAX + 1];
      out[w] = 0x42;
      assert_int_equal(st_varint_put_width(out, vals[i], w), w);
      assert_int_equal(out[w], 0x42);
      for (size_t k = 0; k + 1 < w; k++) assert_true(out[k] & 0x80);
      assert_false(out[w - 1] & 0x80);
      uint64_t v;
      size_t got_w;
      assert_int_equal(st_varint_get(out, w, &v, &got_w), ST_VARINT_OK);
      assert_true(v == vals[i]);
      assert_int_equal(got_w, w);
    }
  }
}

static void test_padded_refuses_small_width(void **state) {
  (void)state;
  uint8_t out[ST_VARINT_MAX + 1];
  assert_int_equal(st_varint_put_width(out, 128, 1), 0);
  assert_int_equal(st_varint_put_width(out, 16384, 2), 0);
  assert_int_equal(st_varint_put_width(out, 1ull << 63, 9), 0);
  assert_int_equal(st_varint_put_width(out, UINT64_MAX, 9), 0);
  assert_int_equal(st_varint_put_width(out, 0, 0), 0);
  assert_int_equal(st_varint_put_width(out, 0, 11), 0);
  for (size_t i = 0; i < NKNOWN; i++)
    if (k_known[i].width > 1)
      assert_int_equal(st_varint_put_width(out, k_known[i].v, k_known[i].width - 1), 0);
}

static void test_spec_examples(void **state) {
  (void)state;
  /* go-trace-v1.md §5.1: the Go 1.20+ EvStack length, always 10 bytes. */
  static const uint8_t nine[10] = {0x89, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  static const uint8_t three_hundred[10] = {0xac, 0x82, 0x80, 0x80, 0x80,
                                            0x80, 0x80, 0x80, 0x80, 0x00};
  uint8_t out[10];
  assert_int_equal(st_varint_put_width(out, 9, 10), 10);
  assert_memory_equal(out, nine, 10);
  assert_int_equal(st_varint_put_width(out, 300, 10), 10);
  assert_memory_equal(out, three_hundred, 10);
  uint64_t v;
  size_t w;
  assert_int_equal(st_varint_get(nine, 10, &v, &w), ST_VARINT_OK);
  assert_true(v == 9);
  assert_int_equal(w, 10);
  assert_int_equal(st_varint_get(three_hundred, 10, &v, &w), ST_VARINT_OK);
  assert_true(v == 300);
  assert_int_equal(w, 10);
  /* The whole example record's payload: 05 01 ac b6 a8 02 07 08 2a. */
  static const uint8_t payload[] = {0x05, 0x01, 0xac, 0xb6, 0xa8, 0x02, 0x07, 0x08, 0x2a};
  static const uint64_t want[] = {5, 1, 0x4a1b2c, 7, 8, 42};
  size_t pos = 0;
  for (size_t i = 0; i < 6; i++) {
    assert_int_equal(st_varint_get(payload + pos, sizeof payload - pos, &v, &w), ST_VARINT_OK);
    assert_true(v == want[i]);
    pos += w;
  }
  assert_int_equal(pos, sizeof payload);
}

/* Nine continuation bytes then `last`. */
static void ten(uint8_t out[11], uint8_t fill, uint8_t last) {
  memset(out, fill, 9);
  out[9] = last;
  out[10] = 0x00;
}

static void test_tenth_byte(void **state) {
  (void)state;
  uint8_t b[11];
  uint64_t v;
  size_t w;
  /* 10th byte 0: a padded 0. */
  ten(b, 0x80, 0x00);
  assert_int_equal(st_varint_get(b, 10, &v, &w), ST_VARINT_OK);
  assert_true(v == 0);
  assert_int_equal(w, 10);
  /* 10th byte 1: 2^63 and 2^64-1, the top boundaries. */
  ten(b, 0x80, 0x01);
  assert_int_equal(st_varint_get(b, 10, &v, &w), ST_VARINT_OK);
  assert_true(v == 1ull << 63);
  assert_int_equal(w, 10);
  ten(b, 0xff, 0x01);
  assert_int_equal(st_varint_get(b, 10, &v, &w), ST_VARINT_OK);
  assert_true(v == UINT64_MAX);
  assert_int_equal(w, 10);
  /* 10th byte 2: bit 64 set. Go 1.19's readVal keeps (0x02 & 0x7f) << 63 = 0 for that byte. */
  ten(b, 0x80, 0x02);
  assert_int_equal(st_varint_get(b, 10, &v, &w), ST_VARINT_OVERFLOW);
  assert_true(v == 0);
  assert_int_equal(w, 10);
  ten(b, 0xff, 0x02);
  assert_int_equal(st_varint_get(b, 10, &v, &w), ST_VARINT_OVERFLOW);
  assert_true(v == (1ull << 63) - 1);
  assert_int_equal(w, 10);
  /* 10th byte 3: low bit kept. */
  ten(b, 0x80, 0x03);
  assert_int_equal(st_varint_get(b, 10, &v, &w), ST_VARINT_OVERFLOW);
  assert_true(v == 1ull << 63);
  /* 10th byte 0x7f: (0x7f << 63) mod 2^64 = 2^63. */
  ten(b, 0xff, 0x7f);
  assert_int_equal(st_varint_get(b, 10, &v, &w), ST_VARINT_OVERFLOW);
  assert_true(v == UINT64_MAX);
  assert_int_equal(w, 10);
  ten(b, 0x80, 0x7f);
  assert_int_equal(st_varint_get(b, 10, &v, &w), ST_VARINT_OVERFLOW);
  assert_true(v == 1ull << 63);
  /* 10th byte with the continuation bit: overlong, whether or not more bytes follow. */
  ten(b, 0x80, 0x80);
  assert_int_equal(st_varint_get(b, 10, &v, &w), ST_VARINT_OVERLONG);
  assert_int_equal(st_varint_get(b, 11, &v, &w), ST_VARINT_OVERLONG);
  ten(b, 0xff, 0x81);
  assert_int_equal(st_varint_get(b, 11, &v, &w), ST_VARINT_OVERLONG);
  /* An 11-byte encoding of 0: 80 x 10, 00. */
  memset(b, 0x80, 10);
  b[10] = 0x00;
  assert_int_equal(st_varint_get(b, 11, &v, &w), ST_VARINT_OVERLONG);
}

static void test_short(void **state) {
  (void)state;
  uint64_t v;
  size_t w;
  uint8_t b[11];
  /* Every truncation of a 10-byte varint, for several fills. */
  static const uint8_t fills[] = {0x80, 0xff, 0x81};
  for (size_t f = 0; f < sizeof fills; f++) {
    ten(b, fills[f], 0x01);
    for (size_t n = 0; n < 10; n++) assert_int_equal(st_varint_get(b, n, &v, &w), ST_VARINT_SHORT);
    assert_int_equal(st_varint_get(b, 10, &v, &w), ST_VARINT_OK);
  }
  /* Truncations of the shorter boundary encodings. */
  for (size_t i = 0; i < NKNOWN; i++)
    for (size_t n = 0; n < k_known[i].width; n++)
      assert_int_equal(st_varint_get(k_known[i].bytes, n, &v, &w), ST_VARINT_SHORT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_size_of_boundaries),
      cmocka_unit_test(test_put_matches_hand_bytes),
      cmocka_unit_test(test_get_hand_bytes),
      cmocka_unit_test(test_round_trip_widths),
      cmocka_unit_test(test_padded_every_width),
      cmocka_unit_test(test_padded_refuses_small_width),
      cmocka_unit_test(test_spec_examples),
      cmocka_unit_test(test_tenth_byte),
      cmocka_unit_test(test_short),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

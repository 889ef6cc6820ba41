/* Trace buffers: EvBatch bytes, tick rule, the room check at its exact boundary, writes that
 * would pass the capacity, the 10-byte back-patched varint, and the bound functions. Expected
 * bytes are worked out by hand from spec §3, §5.1 and §6. */
#include <string.h>

#include "st_test_util.h"
#include "stacktab/st_tbuf.h"

typedef struct {
  stt_bytes out;
  size_t batch_len[16];
  int nbatches;
  uint64_t ticks[16];
  int nticks, tick_i;
} env;

static int sink(void *u, const uint8_t *p, size_t n) {
  env *e = u;
  stt_put(&e->out, p, n);
  if (e->nbatches < 16) e->batch_len[e->nbatches++] = n;
  return 0;
}
static uint64_t clk(void *u) {
  env *e = u;
  return e->ticks[e->tick_i < e->nticks ? e->tick_i++ : e->nticks - 1];
}

static void setup_env(env *e, st_tbuf *b, uint8_t *mem, size_t cap) {
  memset(e, 0, sizeof *e);
  e->ticks[0] = 100;
  e->nticks = 1;
  assert_int_equal(st_tbuf_init(b, mem, cap, sink, e, clk, e), ST_ENC_OK);
}

static void test_batch_header(void **s) {
  (void)s;
  env e;
  st_tbuf b;
  uint8_t mem[64];
  setup_env(&e, &b, mem, sizeof mem);
  assert_int_equal(st_tbuf_flush(&b, 3), ST_ENC_OK);
  assert_int_equal(st_tbuf_room(&b), 64 - 3);
  assert_int_equal(st_tbuf_finish(&b), ST_ENC_OK);
  const uint8_t want[] = {0x41, 0x03, 0x64};
  assert_int_equal(e.out.len, 3);
  assert_memory_equal(e.out.p, want, 3);
  stt_free(&e.out);
  /* The global buffer's pid -1 as uint64: a 10-byte varint (spec §3). */
  setup_env(&e, &b, mem, sizeof mem);
  e.ticks[0] = 300;
  assert_int_equal(st_tbuf_flush(&b, UINT64_MAX), ST_ENC_OK);
  assert_int_equal(st_tbuf_finish(&b), ST_ENC_OK);
  const uint8_t want2[] = {0x41, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0xac, 0x02};
  assert_int_equal(e.out.len, sizeof want2);
  assert_memory_equal(e.out.p, want2, sizeof want2);
  stt_free(&e.out);
}

static void test_ticks_differ_from_previous(void **s) {
  (void)s;
  env e;
  st_tbuf b;
  uint8_t mem[64];
  setup_env(&e, &b, mem, sizeof mem);
  e.ticks[0] = e.ticks[1] = e.ticks[2] = 5;
  e.nticks = 3;
  for (int i = 0; i < 3; i++) assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_OK);
  assert_int_equal(st_tbuf_finish(&b), ST_ENC_OK);
  /* 5, then 5 again -> 6, then 5 differs from 6 and stays (only the previous batch counts). */
  const uint8_t want[] = {0x41, 0, 5, 0x41, 0, 6, 0x41, 0, 5};
  assert_int_equal(e.out.len, sizeof want);
  assert_memory_equal(e.out.p, want, sizeof want);
  assert_int_equal(b.batches, 3);
  stt_free(&e.out);
}

static void test_reserve_exact_boundary(void **s) {
  (void)s;
  env e;
  st_tbuf b;
  uint8_t mem[32];
  setup_env(&e, &b, mem, sizeof mem);
  assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_OK); /* 41 00 64: 29 bytes left */
  assert_int_equal(st_tbuf_room(&b), 29);
  /* Fits with 0 bytes to spare: stays in the batch. */
  assert_int_equal(st_tbuf_reserve(&b, 0, 29), ST_ENC_OK);
  assert_int_equal(e.nbatches, 0);
  uint8_t fill[28];
  memset(fill, 0xaa, sizeof fill);
  st_tbuf_bytes(&b, fill, sizeof fill); /* 1 byte left */
  /* One byte short: flushes. */
  assert_int_equal(st_tbuf_reserve(&b, 0, 2), ST_ENC_OK);
  assert_int_equal(e.nbatches, 1);
  assert_int_equal(e.batch_len[0], 31);
  assert_int_equal(b.pos, 3);
  assert_int_equal(b.ticks, 101); /* the clock repeated 100 */
  assert_int_equal(b.err, ST_ENC_OK);
  stt_free(&e.out);
}

static void test_too_big_is_an_error(void **s) {
  (void)s;
  env e;
  st_tbuf b;
  uint8_t mem[40];
  memset(mem, 0x5a, sizeof mem);
  setup_env(&e, &b, mem, 32); /* the last 8 bytes are a guard */
  assert_int_equal(st_tbuf_reserve(&b, 0, 30), ST_ENC_E_TOO_BIG);
  assert_int_equal(st_tbuf_reserve(&b, 0, 29), ST_ENC_OK);
  /* A write past the capacity is refused and recorded, never performed. */
  uint8_t big[40] = {0};
  st_tbuf_bytes(&b, big, 30);
  assert_int_equal(b.err, ST_ENC_E_STATE);
  for (int i = 32; i < 40; i++) assert_int_equal(mem[i], 0x5a);
  assert_int_equal(b.pos, 3);
  assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_E_STATE); /* sticky */
  stt_free(&e.out);
}

static void test_varint_at(void **s) {
  (void)s;
  env e;
  st_tbuf b;
  uint8_t mem[64];
  setup_env(&e, &b, mem, sizeof mem);
  assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_OK);
  size_t p1 = st_tbuf_skip(&b, 10);
  size_t p2 = st_tbuf_skip(&b, 10);
  st_tbuf_varint_at(&b, p1, 9);
  st_tbuf_varint_at(&b, p2, 300);
  /* Spec §5.1: 9 and 300 as 10-byte varints. */
  const uint8_t w9[] = {0x89, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  const uint8_t w300[] = {0xac, 0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  assert_memory_equal(mem + p1, w9, 10);
  assert_memory_equal(mem + p2, w300, 10);
  /* A gap that does not end inside the batch is refused. */
  st_tbuf_varint_at(&b, p2 + 1, 1);
  assert_int_equal(b.err, ST_ENC_E_STATE);
  stt_free(&e.out);
}

static void test_varint_near_the_end(void **s) {
  (void)s;
  env e;
  st_tbuf b;
  uint8_t mem[32];
  setup_env(&e, &b, mem, sizeof mem);
  assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_OK);
  uint8_t fill[27] = {0};
  st_tbuf_bytes(&b, fill, sizeof fill); /* 2 bytes left */
  st_tbuf_varint(&b, 300);              /* ac 02: fits exactly */
  assert_int_equal(b.err, ST_ENC_OK);
  assert_int_equal(b.pos, 32);
  assert_int_equal(mem[30], 0xac);
  assert_int_equal(mem[31], 0x02);
  st_tbuf_varint(&b, 0);
  assert_int_equal(b.err, ST_ENC_E_STATE);
  stt_free(&e.out);
}

static void test_bounds(void **s) {
  (void)s;
  assert_int_equal(st_string_bound(0), 21);
  assert_int_equal(st_string_bound(5), 26);
  assert_int_equal(st_stack_payload_bound(0), 20);
  assert_int_equal(st_stack_payload_bound(1), 60);
  assert_int_equal(st_stack_record_bound(1), 71);
  assert_int_equal(st_stack_record_bound(128), 31 + 40 * 128);
  assert_int_equal(st_stack_legacy_need(9), 20);
  assert_int_equal(st_event_bound(), 52);
  assert_true(st_stack_record_bound(SIZE_MAX / 2) == SIZE_MAX);
  assert_true(st_string_bound(SIZE_MAX - 3) == SIZE_MAX);
}

static void test_init_params(void **s) {
  (void)s;
  st_tbuf b;
  uint8_t mem[64];
  env e;
  memset(&e, 0, sizeof e);
  assert_int_equal(st_tbuf_init(&b, mem, ST_TBUF_MIN_CAP - 1, sink, &e, clk, &e), ST_ENC_E_PARAM);
  assert_int_equal(st_tbuf_init(&b, NULL, 64, sink, &e, clk, &e), ST_ENC_E_PARAM);
  assert_int_equal(st_tbuf_init(&b, mem, 64, NULL, &e, clk, &e), ST_ENC_E_PARAM);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_batch_header),        cmocka_unit_test(test_ticks_differ_from_previous),
      cmocka_unit_test(test_reserve_exact_boundary), cmocka_unit_test(test_too_big_is_an_error),
      cmocka_unit_test(test_varint_at),           cmocka_unit_test(test_varint_near_the_end),
      cmocka_unit_test(test_bounds),              cmocka_unit_test(test_init_params),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

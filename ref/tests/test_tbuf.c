/* Trace buffers: EvBatch bytes, tick rule, the room check at its exact boundary, writes that
 * would pass the capacity, the 10-byte back-patched varint, and the bound functions. Expected
 * bytes are worked out by hand from spec §3, §5.1 and §6. Also the error contract of st_tbuf.h:
 * refused init arguments, a failing sink (sticky), writes with no batch open or after an error. */
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

/* st_tbuf_init: every missing pointer and a capacity one below the minimum are refused; the
 * minimum itself is accepted (header: "ST_ENC_E_PARAM if cap < ST_TBUF_MIN_CAP or a pointer is
 * NULL"). */
static void test_init_params(void **s) {
  (void)s;
  uint8_t mem[64];
  env e;
  memset(&e, 0, sizeof e);
  const struct {
    int null_b, null_mem, null_sink, null_clock;
    size_t cap;
    st_enc_status want;
  } cases[] = {
      {0, 0, 0, 0, ST_TBUF_MIN_CAP, ST_ENC_OK},
      {0, 0, 0, 0, ST_TBUF_MIN_CAP - 1, ST_ENC_E_PARAM},
      {0, 0, 0, 0, 0, ST_ENC_E_PARAM},
      {1, 0, 0, 0, 64, ST_ENC_E_PARAM},
      {0, 1, 0, 0, 64, ST_ENC_E_PARAM},
      {0, 0, 1, 0, 64, ST_ENC_E_PARAM},
      {0, 0, 0, 1, 64, ST_ENC_E_PARAM},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    st_tbuf b;
    st_enc_status got = st_tbuf_init(cases[i].null_b ? NULL : &b, cases[i].null_mem ? NULL : mem,
                                     cases[i].cap, cases[i].null_sink ? NULL : sink, &e,
                                     cases[i].null_clock ? NULL : clk, &e);
    assert_int_equal(got, cases[i].want);
  }
}

/* A sink that accepts the first `ok` batches and then refuses everything. */
typedef struct {
  int ok, calls;
} failing_sink;
static int sink_fails(void *u, const uint8_t *p, size_t n) {
  (void)p;
  (void)n;
  failing_sink *f = u;
  return f->calls++ < f->ok ? 0 : 1;
}
static uint64_t clk7(void *u) {
  (void)u;
  return 7;
}

/* The header: a failing sink gives ST_ENC_E_SINK, the batch is closed whatever the sink says,
 * and the error is sticky: every later call returns it without calling the sink again, and
 * the counters only count what the sink accepted. */
static void test_sink_failure_is_sticky(void **s) {
  (void)s;
  /* Each way of reaching the sink: flush (a new batch), finish, and a room check that flushes. */
  enum { BY_FLUSH, BY_FINISH, BY_MAKE_ROOM, BY_RESERVE };
  for (int how = BY_FLUSH; how <= BY_RESERVE; how++) {
    failing_sink f = {1, 0}; /* the first batch goes through, the second fails */
    st_tbuf b;
    uint8_t mem[32];
    assert_int_equal(st_tbuf_init(&b, mem, sizeof mem, sink_fails, &f, clk7, NULL), ST_ENC_OK);
    assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_OK);
    assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_OK); /* 41 00 07 to the sink */
    assert_int_equal(b.batches, 1);
    assert_int_equal(b.bytes_out, 3);
    st_tbuf_byte(&b, 0x06);
    st_enc_status got = ST_ENC_OK;
    switch (how) {
      case BY_FLUSH: got = st_tbuf_flush(&b, 1); break;
      case BY_FINISH: got = st_tbuf_finish(&b); break;
      case BY_MAKE_ROOM: got = st_tbuf_make_room(&b, 1, 30); break; /* 28 left */
      case BY_RESERVE: got = st_tbuf_reserve(&b, 1, 30); break;
    }
    assert_int_equal(got, ST_ENC_E_SINK);
    assert_int_equal(f.calls, 2);
    assert_int_equal(b.err, ST_ENC_E_SINK);
    assert_int_equal(b.open, 0);
    assert_int_equal(st_tbuf_room(&b), 0);
    assert_int_equal(b.batches, 1);
    assert_int_equal(b.bytes_out, 3);
    /* Sticky: no call reaches the sink again or opens a batch. */
    assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_E_SINK);
    assert_int_equal(st_tbuf_finish(&b), ST_ENC_E_SINK);
    assert_int_equal(st_tbuf_make_room(&b, 0, 1), ST_ENC_E_SINK);
    assert_int_equal(st_tbuf_reserve(&b, 0, 1), ST_ENC_E_SINK);
    assert_int_equal(f.calls, 2);
    assert_int_equal(b.open, 0);
    /* A refused write keeps the first error (not ST_ENC_E_STATE). */
    st_tbuf_byte(&b, 1);
    st_tbuf_varint(&b, 1);
    assert_int_equal(b.err, ST_ENC_E_SINK);
  }
}

/* With no batch open (never flushed, or after finish) every byte writer is refused: nothing is
 * written and the error becomes ST_ENC_E_STATE, which later flushes return. */
static void w_byte(st_tbuf *b) { st_tbuf_byte(b, 0x41); }
static void w_varint(st_tbuf *b) { st_tbuf_varint(b, 1); }
static void w_bytes(st_tbuf *b) { st_tbuf_bytes(b, "ab", 2); }
static void w_skip(st_tbuf *b) { (void)st_tbuf_skip(b, 1); }
static void w_byte_at(st_tbuf *b) { st_tbuf_byte_at(b, 0, 1); }
static void w_varint_at(st_tbuf *b) { st_tbuf_varint_at(b, 0, 1); }

static void test_writes_without_open_batch(void **s) {
  (void)s;
  void (*const ops[])(st_tbuf *) = {w_byte, w_varint, w_bytes, w_skip, w_byte_at, w_varint_at};
  for (int after_finish = 0; after_finish < 2; after_finish++) {
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
      env e;
      st_tbuf b;
      uint8_t mem[64];
      memset(mem, 0x5a, sizeof mem);
      setup_env(&e, &b, mem, sizeof mem);
      if (after_finish) {
        assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_OK);
        assert_int_equal(st_tbuf_finish(&b), ST_ENC_OK);
        assert_int_equal(e.nbatches, 1);
        memset(mem, 0x5a, sizeof mem);
      }
      assert_int_equal(st_tbuf_room(&b), 0);
      ops[i](&b);
      assert_int_equal(b.err, ST_ENC_E_STATE);
      assert_int_equal(b.pos, 0);
      for (size_t k = 0; k < sizeof mem; k++) assert_int_equal(mem[k], 0x5a);
      assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_E_STATE);
      assert_int_equal(e.nbatches, after_finish);
      stt_free(&e.out);
    }
  }
}

/* Once the error is set, writes are dropped even where they would fit (the fast varint path
 * included): the batch keeps exactly what was written before. */
static void test_writes_after_error_are_dropped(void **s) {
  (void)s;
  env e;
  st_tbuf b;
  uint8_t mem[64];
  setup_env(&e, &b, mem, sizeof mem);
  assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_OK); /* 41 00 64 */
  st_tbuf_byte(&b, 0x06);
  assert_int_equal(b.pos, 4);
  /* byte_at may only overwrite what was written: position 4 is not written yet. */
  st_tbuf_byte_at(&b, 4, 0xee);
  assert_int_equal(b.err, ST_ENC_E_STATE);
  assert_int_equal(st_tbuf_room(&b), 60); /* plenty of room, yet: */
  st_tbuf_varint(&b, 300);
  st_tbuf_byte(&b, 1);
  st_tbuf_bytes(&b, "xy", 2);
  assert_int_equal(st_tbuf_skip(&b, 10), 4); /* the position, but nothing skipped */
  assert_int_equal(b.pos, 4);
  const uint8_t want[] = {0x41, 0x00, 0x64, 0x06};
  assert_memory_equal(mem, want, sizeof want);
  assert_int_equal(b.err, ST_ENC_E_STATE);
  assert_int_equal(st_tbuf_finish(&b), ST_ENC_E_STATE);
  assert_int_equal(e.nbatches, 0);
  stt_free(&e.out);
}

/* The positional writers on a healthy batch: byte_at overwrites a byte already written (the
 * writer's event length); varint_at may not start past the end of the batch. A zero-length
 * st_tbuf_bytes on an exactly full batch passes no capacity and is not an error. */
static void test_positional_writes(void **s) {
  (void)s;
  env e;
  st_tbuf b;
  uint8_t mem[32];
  setup_env(&e, &b, mem, sizeof mem);
  assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_OK); /* 41 00 64 */
  size_t at = st_tbuf_skip(&b, 1);
  assert_int_equal(at, 3);
  st_tbuf_byte(&b, 0x09);
  st_tbuf_byte_at(&b, at, 0x4c);
  assert_int_equal(b.err, ST_ENC_OK);
  const uint8_t want[] = {0x41, 0x00, 0x64, 0x4c, 0x09};
  assert_int_equal(b.pos, sizeof want);
  assert_memory_equal(mem, want, sizeof want);
  uint8_t fill[27] = {0};
  st_tbuf_bytes(&b, fill, sizeof fill);
  assert_int_equal(st_tbuf_room(&b), 0);
  st_tbuf_bytes(&b, fill, 0);
  assert_int_equal(b.err, ST_ENC_OK);
  assert_int_equal(b.pos, 32);
  /* A 10-byte gap starting past the written bytes. */
  st_tbuf_varint_at(&b, b.pos + 1, 5);
  assert_int_equal(b.err, ST_ENC_E_STATE);
  stt_free(&e.out);
}

/* The direct-writing window: after a flush of a 64-byte buffer the batch header 41 00 64 takes
 * 3 bytes, so the window reaches exactly the 61 bytes left and not one more; what is written
 * there and committed is what the sink receives. A window or commit past the room, or with no
 * open batch, is refused with the sticky ST_ENC_E_STATE and moves nothing. */
static void test_window_and_commit(void **s) {
  (void)s;
  env e;
  st_tbuf b;
  uint8_t mem[64];
  setup_env(&e, &b, mem, sizeof mem);
  assert_null(st_tbuf_window(&b, 1)); /* no open batch yet */
  assert_int_equal(b.err, ST_ENC_E_STATE);

  setup_env(&e, &b, mem, sizeof mem);
  assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_OK);
  assert_int_equal(b.pos, 3);
  uint8_t *w = st_tbuf_window(&b, 61);
  assert_ptr_equal(w, mem + 3);
  w[0] = 0xaa;
  w[1] = 0xbb;
  st_tbuf_commit(&b, 2);
  assert_int_equal(b.pos, 5);
  assert_int_equal(b.err, ST_ENC_OK);
  assert_non_null(st_tbuf_window(&b, 59)); /* exactly the room left */
  st_tbuf_commit(&b, 60);                  /* one more than the room */
  assert_int_equal(b.err, ST_ENC_E_STATE);
  assert_int_equal(b.pos, 5);
  assert_null(st_tbuf_window(&b, 1)); /* the error is sticky */
  stt_free(&e.out);

  setup_env(&e, &b, mem, sizeof mem);
  assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_OK);
  assert_null(st_tbuf_window(&b, 62));
  assert_int_equal(b.err, ST_ENC_E_STATE);
  stt_free(&e.out);

  setup_env(&e, &b, mem, sizeof mem);
  assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_OK);
  w = st_tbuf_window(&b, 4);
  memcpy(w, "\x01\x02\x03\x04", 4);
  st_tbuf_commit(&b, 3);
  assert_int_equal(st_tbuf_finish(&b), ST_ENC_OK);
  const uint8_t want[] = {0x41, 0x00, 0x64, 0x01, 0x02, 0x03}; /* ticks 100 */
  assert_int_equal(e.out.len, sizeof want);
  assert_memory_equal(e.out.p, want, sizeof want);
  stt_free(&e.out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_batch_header),        cmocka_unit_test(test_ticks_differ_from_previous),
      cmocka_unit_test(test_reserve_exact_boundary), cmocka_unit_test(test_too_big_is_an_error),
      cmocka_unit_test(test_varint_at),           cmocka_unit_test(test_varint_near_the_end),
      cmocka_unit_test(test_bounds),              cmocka_unit_test(test_init_params),
      cmocka_unit_test(test_sink_failure_is_sticky),
      cmocka_unit_test(test_writes_without_open_batch),
      cmocka_unit_test(test_writes_after_error_are_dropped),
      cmocka_unit_test(test_positional_writes),
      cmocka_unit_test(test_window_and_commit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Whole-trace writer: hand-computed bytes of a minimal trace in both footer forms, the event
 * encodings (inline and length-prefixed), automatic continuation batches, refused calls, and
 * strict decoding of what it writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_util.h"
#include "stacktab/st_writer.h"

static int out(void *u, const uint8_t *p, size_t n) {
  stt_put(u, p, n);
  return 0;
}
static size_t sym(void *u, uint64_t pc, st_enc_frame *o, size_t max) {
  (void)u;
  if (max < 1) return 1;
  o[0] = (st_enc_frame){pc, "main.f", 6, "m.go", 4, 7};
  return 1;
}

static void open_writer(st_writer *w, stt_bytes *b, int version, st_dump_algo algo, size_t cap) {
  st_writer_config c;
  st_writer_config_default(&c);
  c.version = version;
  c.algo = algo;
  c.buf_size = cap;
  c.freq = 100;
  c.symbolize = sym;
  c.write = out;
  c.write_user = b;
  assert_int_equal(st_writer_init(w, &c), ST_ENC_OK);
}

static void test_minimal_trace_bytes(void **s) {
  (void)s;
  for (int algo = 0; algo < 2; algo++) {
    stt_bytes b = {0};
    st_writer w;
    open_writer(&w, &b, ST_VER_1_19, (st_dump_algo)algo, ST_DEFAULT_BUF_SIZE);
    uint64_t arg = 1000, off;
    assert_int_equal(st_writer_batch(&w, 0, 5), ST_ENC_OK);
    assert_int_equal(st_writer_event(&w, ST_EV_HEAP_ALLOC, 7, &arg, 1, &off), ST_ENC_OK);
    assert_int_equal(off, 19);
    assert_int_equal(st_writer_finish(&w), ST_ENC_OK);
    /* header | 41 00 05 | 61 02 e8 07 (HeapAlloc, field 1, delta 2, 1000) | footer.
     * Footer ticks: latest ticks (7) + 1 = 8. Legacy: 02 64 | 41 00 08. Direct: 41 00 08 02 64. */
    stt_bytes want = {0};
    stt_header(&want, ST_VER_1_19);
    const uint8_t body[] = {0x41, 0, 5, 0x61, 2, 0xe8, 0x07};
    stt_put(&want, body, sizeof body);
    const uint8_t legacy[] = {0x02, 0x64, 0x41, 0, 8}, direct[] = {0x41, 0, 8, 0x02, 0x64};
    stt_put(&want, algo ? direct : legacy, 5);
    assert_int_equal(b.len, want.len);
    assert_memory_equal(b.p, want.p, want.len);
    assert_int_equal(w.offset, b.len);
    st_writer_free(&w);
    stt_free(&b);
    stt_free(&want);
  }
}

static void test_event_encodings(void **s) {
  (void)s;
  stt_bytes b = {0};
  st_writer w;
  open_writer(&w, &b, ST_VER_1_11, ST_ALGO_LEGACY, ST_DEFAULT_BUF_SIZE);
  uint64_t stk, pcs[] = {0x401000};
  assert_int_equal(st_writer_stack(&w, pcs, 1, &stk), ST_ENC_OK);
  assert_int_equal(stk, 1);
  assert_int_equal(st_writer_batch(&w, 1, 100), ST_ENC_OK);
  uint64_t a3[] = {9, stk, stk}; /* GoCreate: g, start stack, stack: field 3 with a length */
  assert_int_equal(st_writer_event(&w, ST_EV_GO_CREATE, 100, a3, 3, NULL), ST_ENC_OK);
  uint64_t a0[1];
  assert_int_equal(st_writer_event(&w, ST_EV_PROC_STOP, 90, a0, 0, NULL), ST_ENC_OK); /* earlier */
  uint64_t a2[] = {9, 1}; /* GoStart: g, seq */
  assert_int_equal(st_writer_event(&w, ST_EV_GO_START, 300, a2, 2, NULL), ST_ENC_OK);
  uint64_t id;
  assert_int_equal(st_writer_string(&w, "task", 4, &id), ST_ENC_OK);
  assert_int_equal(id, 1);
  assert_int_equal(st_writer_finish(&w), ST_ENC_OK);
  const uint8_t want[] = {
      0x41, 0x01, 0x64,                    /* batch p=1 ticks=100 */
      0xcd, 0x04, 0x00, 0x09, 0x01, 0x01,  /* GoCreate: len 4, delta 0, 9, 1, 1 */
      0x06, 0x00,                          /* ProcStop, earlier than the batch: delta 0 */
      0x8e, 0xc8, 0x01, 0x09, 0x01,        /* GoStart: delta 200, 9, 1 */
      0x25, 0x01, 0x04, 't', 'a', 's', 'k', /* EvString */
      0x02, 0x64,                          /* bare Frequency */
      0x41, 0x00, 0xad, 0x02,              /* dump batch: ticks 301 */
      0x25, 0x02, 0x06, 'm', 'a', 'i', 'n', '.', 'f', 0x25, 0x03, 0x04, 'm', '.', 'g', 'o',
      0xc3, 0x09, 0x01, 0x01, 0x80, 0xa0, 0x80, 0x02, 0x02, 0x03, 0x07};
  assert_int_equal(b.len, 16 + sizeof want);
  assert_memory_equal(b.p + 16, want, sizeof want);
  st_writer_free(&w);
  stt_free(&b);
}

static void test_refused_calls(void **s) {
  (void)s;
  stt_bytes b = {0};
  st_writer w;
  open_writer(&w, &b, ST_VER_1_11, ST_ALGO_LEGACY, ST_DEFAULT_BUF_SIZE);
  uint64_t a[4] = {0};
  assert_int_equal(st_writer_event(&w, ST_EV_HEAP_ALLOC, 1, a, 1, NULL), ST_ENC_E_STATE);
  assert_int_equal(st_writer_batch(&w, 0, 1), ST_ENC_OK);
  assert_int_equal(st_writer_event(&w, ST_EV_HEAP_ALLOC, 1, a, 2, NULL), ST_ENC_E_PARAM);
  assert_int_equal(st_writer_event(&w, ST_EV_USER_LOG, 1, a, 3, NULL), ST_ENC_E_PARAM);
  assert_int_equal(st_writer_event(&w, ST_EV_CPU_SAMPLE, 1, a, 4, NULL), ST_ENC_E_PARAM); /* 1.19+ */
  assert_int_equal(st_writer_event(&w, ST_EV_STRING, 1, a, 0, NULL), ST_ENC_E_PARAM);
  assert_int_equal(st_writer_event(&w, 60, 1, a, 0, NULL), ST_ENC_E_PARAM);
  st_writer_free(&w);
  stt_free(&b);
  st_writer_config c;
  st_writer_config_default(&c);
  c.symbolize = sym;
  c.write = out;
  c.write_user = &b;
  c.version = 1020;
  assert_int_equal(st_writer_init(&w, &c), ST_ENC_E_PARAM);
  st_writer_free(&w);
}

/* A small buffer: events continue in new batches of the same P, each within the capacity. */
static void test_continuation_batches_decode_strictly(void **s) {
  (void)s;
  for (int algo = 0; algo < 2; algo++) {
    stt_bytes b = {0};
    st_writer w;
    open_writer(&w, &b, ST_VER_1_19, (st_dump_algo)algo, 128);
    assert_int_equal(st_writer_batch(&w, 2, 10), ST_ENC_OK);
    for (uint64_t i = 0; i < 100; i++) {
      uint64_t arg = i * 1000;
      assert_int_equal(st_writer_event(&w, ST_EV_HEAP_ALLOC, 10 + i, &arg, 1, NULL), ST_ENC_OK);
    }
    assert_int_equal(st_writer_finish(&w), ST_ENC_OK);
    st_decode_config cfg;
    st_decode_config_default(&cfg);
    cfg.buf_size = 128; /* BATCH-TOO-LARGE past this */
    stt_run r;
    stt_decode_cfg(&r, &cfg, b.p, b.len, 0);
    if (r.ndiags) printf("%s", r.text);
    assert_int_equal(r.ndiags, 0);
    assert_int_equal(r.status, ST_OK);
    /* Several batches of P 2 (text lines "E off 1 1 size=.. 2 ticks"). */
    int p2 = 0;
    for (const char *t = r.text; (t = strstr(t, "E ")) != NULL; t++) {
      unsigned long long off, sz, a0;
      unsigned ty, fl;
      if (sscanf(t, "E %llu %u %u size=%llu %llu", &off, &ty, &fl, &sz, &a0) == 5 && ty == 1 && a0 == 2) p2++;
    }
    /* 100 events of at most 5 bytes; a batch takes events while 52 bytes are left, so at most
     * (128 - 3 - 52) / 4 + 1 = 19 per batch: at least 6 batches. */
    assert_true(p2 >= 6);
    stt_run_free(&r);
    st_writer_free(&w);
    stt_free(&b);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_minimal_trace_bytes),
      cmocka_unit_test(test_event_encodings),
      cmocka_unit_test(test_refused_calls),
      cmocka_unit_test(test_continuation_batches_decode_strictly),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

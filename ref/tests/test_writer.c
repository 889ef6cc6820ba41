/* Whole-trace writer: hand-computed bytes of a minimal trace in both footer forms, the event
 * encodings (inline and length-prefixed), automatic continuation batches, refused calls, and
 * strict decoding of what it writes; seeded strings, call order, and allocation and output
 * failures at every call. */
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

/* st_writer_init refuses each missing piece, an unknown version and a buffer below the
 * minimum; the minimum itself is accepted. A refused writer can still be freed. */
static void test_init_params(void **s) {
  (void)s;
  stt_bytes b = {0};
  enum { OK_CFG, NO_W, NO_CFG, NO_WRITE, NO_SYM, BAD_VERSION, SMALL_BUF };
  const struct {
    int what;
    st_enc_status want;
  } cases[] = {
      {OK_CFG, ST_ENC_OK},        {NO_W, ST_ENC_E_PARAM},        {NO_CFG, ST_ENC_E_PARAM},
      {NO_WRITE, ST_ENC_E_PARAM}, {NO_SYM, ST_ENC_E_PARAM},      {BAD_VERSION, ST_ENC_E_PARAM},
      {SMALL_BUF, ST_ENC_E_PARAM},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    st_writer_config c;
    st_writer_config_default(&c);
    c.symbolize = sym;
    c.write = out;
    c.write_user = &b;
    c.buf_size = ST_TBUF_MIN_CAP;
    int w = cases[i].what;
    if (w == NO_WRITE) c.write = NULL;
    if (w == NO_SYM) c.symbolize = NULL;
    if (w == BAD_VERSION) c.version = 1018;
    if (w == SMALL_BUF) c.buf_size = ST_TBUF_MIN_CAP - 1;
    st_writer wr;
    assert_int_equal(st_writer_init(w == NO_W ? NULL : &wr, w == NO_CFG ? NULL : &c),
                     cases[i].want);
    if (w != NO_W) st_writer_free(&wr);
    /* Only the accepted writer wrote its header. */
    assert_int_equal(b.len, cases[i].want == ST_ENC_OK ? 16 : 0);
    stt_free(&b);
  }
}

/* Calls out of order are refused with ST_ENC_E_STATE (st_enc.h); refused arguments with
 * ST_ENC_E_PARAM or ST_ENC_E_DUP leave the writer usable. After st_writer_finish every call
 * is out of order. */
static void test_call_order(void **s) {
  (void)s;
  stt_bytes b = {0};
  st_writer w;
  open_writer(&w, &b, ST_VER_1_19, ST_ALGO_LEGACY, ST_DEFAULT_BUF_SIZE);
  uint64_t id, a[3] = {0};
  assert_int_equal(st_writer_string(&w, "x", 1, &id), ST_ENC_E_STATE); /* no batch yet */
  assert_int_equal(st_writer_seed_string(&w, 3, "fn", 2), ST_ENC_OK);
  assert_int_equal(st_writer_seed_string(&w, 4, "fn", 2), ST_ENC_E_DUP);
  assert_int_equal(st_writer_seed_string(&w, 0, "g", 1), ST_ENC_E_PARAM);
  assert_int_equal(st_writer_set_next_string_id(&w, 0), ST_ENC_E_PARAM);
  assert_int_equal(st_writer_batch(&w, 0, 1), ST_ENC_OK);
  assert_int_equal(st_writer_event(&w, ST_EV_HEAP_ALLOC, 2, NULL, 1, NULL), ST_ENC_E_PARAM);
  assert_int_equal(st_writer_event(&w, ST_EV_HEAP_ALLOC, 2, a, 1, NULL), ST_ENC_OK);
  assert_int_equal(st_writer_failed_stack(&w), 0);
  assert_int_equal(st_writer_finish(&w), ST_ENC_OK);
  size_t len = b.len;
  assert_int_equal(st_writer_seed_string(&w, 5, "h", 1), ST_ENC_E_STATE);
  assert_int_equal(st_writer_set_next_string_id(&w, 9), ST_ENC_E_STATE);
  assert_int_equal(st_writer_stack(&w, a, 1, &id), ST_ENC_E_STATE);
  assert_int_equal(st_writer_batch(&w, 0, 5), ST_ENC_E_STATE);
  assert_int_equal(st_writer_string(&w, "x", 1, &id), ST_ENC_E_STATE);
  assert_int_equal(st_writer_event(&w, ST_EV_HEAP_ALLOC, 9, a, 1, NULL), ST_ENC_E_STATE);
  assert_int_equal(st_writer_finish(&w), ST_ENC_E_STATE);
  assert_int_equal(b.len, len); /* nothing more written */
  assert_int_equal(st_writer_failed_stack(&w), 0);
  st_writer_free(&w);
  stt_free(&b);
}

/* Seeded strings are looked up and never written; set_next_string_id picks the next new ID.
 * 41 00 05 | 25 0a 03 'new' | 02 64 | 41 00 06 (footer: latest ticks 5, + 1). */
static void test_seeded_strings(void **s) {
  (void)s;
  stt_bytes b = {0};
  st_writer w;
  open_writer(&w, &b, ST_VER_1_19, ST_ALGO_LEGACY, ST_DEFAULT_BUF_SIZE);
  assert_int_equal(st_writer_seed_string(&w, 7, "known", 5), ST_ENC_OK);
  assert_int_equal(st_writer_set_next_string_id(&w, 10), ST_ENC_OK);
  assert_int_equal(st_writer_batch(&w, 0, 5), ST_ENC_OK);
  uint64_t id;
  assert_int_equal(st_writer_string(&w, "known", 5, &id), ST_ENC_OK);
  assert_int_equal(id, 7);
  assert_int_equal(st_writer_string(&w, "new", 3, &id), ST_ENC_OK);
  assert_int_equal(id, 10);
  assert_int_equal(st_writer_finish(&w), ST_ENC_OK);
  const uint8_t want[] = {0x41, 0, 5, 0x25, 0x0a, 3, 'n', 'e', 'w', 0x02, 0x64, 0x41, 0, 6};
  assert_int_equal(b.len, 16 + sizeof want);
  assert_memory_equal(b.p + 16, want, sizeof want);
  st_writer_free(&w);
  stt_free(&b);
}

/* A string that does not fit continues in a new batch of the same P, whose ticks become the
 * base of the next event's delta. Buffer 100: 41 01 0a leaves 97; a 40-byte string needs 61
 * and stays (43 bytes, 54 left); a 34-byte string needs 55: new batch, ticks 10 again, so 11
 * (traceFlush); the event at 20 then has delta 20 - 11 = 9. Footer: latest ticks 20, + 1. */
static void test_string_continues_in_new_batch(void **s) {
  (void)s;
  stt_bytes b = {0};
  st_writer w;
  open_writer(&w, &b, ST_VER_1_19, ST_ALGO_LEGACY, 100);
  char s40[41], s34[35];
  memset(s40, 'a', 40);
  s40[40] = 0;
  memset(s34, 'b', 34);
  s34[34] = 0;
  assert_int_equal(st_writer_batch(&w, 1, 10), ST_ENC_OK);
  uint64_t id, arg = 7;
  assert_int_equal(st_writer_string(&w, s40, 40, &id), ST_ENC_OK);
  assert_int_equal(st_writer_string(&w, s34, 34, &id), ST_ENC_OK);
  assert_int_equal(id, 2);
  assert_int_equal(st_writer_event(&w, ST_EV_HEAP_ALLOC, 20, &arg, 1, NULL), ST_ENC_OK);
  assert_int_equal(st_writer_finish(&w), ST_ENC_OK);
  stt_bytes want = {0};
  stt_header(&want, ST_VER_1_19);
  stt_batch(&want, 1, 10);
  stt_string(&want, 1, s40);
  stt_batch(&want, 1, 11);
  stt_string(&want, 2, s34);
  const uint8_t ev[] = {0x61, 9, 7};
  stt_put(&want, ev, sizeof ev);
  stt_freq(&want, 100);
  stt_batch(&want, 0, 21);
  assert_int_equal(b.len, want.len);
  assert_memory_equal(b.p, want.p, want.len);
  st_writer_free(&w);
  stt_free(&b);
  stt_free(&want);
}

/* An event's room check is 52 bytes: a buffer of 32..51 can never hold one. The event fails
 * with ST_ENC_E_TOO_BIG and the writer is failed: later calls are ST_ENC_E_STATE. */
static void test_event_too_big_for_buffer(void **s) {
  (void)s;
  for (size_t cap = ST_TBUF_MIN_CAP; cap <= 52; cap += 52 - ST_TBUF_MIN_CAP - 1) {
    stt_bytes b = {0};
    st_writer w;
    open_writer(&w, &b, ST_VER_1_19, ST_ALGO_LEGACY, cap);
    uint64_t arg = 1;
    assert_int_equal(st_writer_batch(&w, 0, 1), ST_ENC_OK);
    st_enc_status want = cap < 52 ? ST_ENC_E_TOO_BIG : ST_ENC_OK;
    assert_int_equal(st_writer_event(&w, ST_EV_HEAP_ALLOC, 2, &arg, 1, NULL), want);
    assert_int_equal(st_writer_finish(&w), want ? ST_ENC_E_STATE : ST_ENC_OK);
    st_writer_free(&w);
    stt_free(&b);
  }
}

/* A record too big for the footer's batches fails st_writer_finish, and
 * st_writer_failed_stack names it. Legacy, buffer 64: a fresh batch has 61 bytes; the writer's
 * symbolizer gives one frame per PC, 6 bytes each here (3-byte PC, string IDs 1 and 2, line 7),
 * so 10 PCs make a payload of 2 + 60 bytes needing 11 + 62 = 73: too big; stack 1 (one PC)
 * fits. */
static void test_dump_failure_names_stack(void **s) {
  (void)s;
  stt_bytes b = {0};
  st_writer w;
  open_writer(&w, &b, ST_VER_1_19, ST_ALGO_LEGACY, 64);
  uint64_t pcs[10], id;
  for (int i = 0; i < 10; i++) pcs[i] = 0x401000 + (uint64_t)i;
  assert_int_equal(st_writer_stack(&w, pcs, 1, &id), ST_ENC_OK);
  assert_int_equal(st_writer_stack(&w, pcs, 10, &id), ST_ENC_OK);
  assert_int_equal(id, 2);
  assert_int_equal(st_writer_batch(&w, 0, 1), ST_ENC_OK);
  assert_int_equal(st_writer_failed_stack(&w), 0);
  assert_int_equal(st_writer_finish(&w), ST_ENC_E_TOO_BIG);
  assert_int_equal(st_writer_failed_stack(&w), 2);
  assert_int_equal(st_writer_finish(&w), ST_ENC_E_STATE);
  st_writer_free(&w);
  stt_free(&b);
}

/* A small trace, step by step, with an allocator and an output that can each fail once. */
typedef struct {
  const st_alloc *alloc;
  int fail_write_at; /* 1-based output call that fails; 0 none */
  int calls;
  stt_bytes out;     /* what the output accepted */
} scen_io;

static int scen_write(void *u, const uint8_t *p, size_t n) {
  scen_io *io = u;
  if (++io->calls == io->fail_write_at) return 1;
  stt_put(&io->out, p, n);
  return 0;
}

enum { SCEN_MAX = 64, SCEN_FINISH_ONLY = -1 };
/* Returns the number of steps; st[i] is each step's status and st[n - 1] that of finish. */
static int run_scenario(st_writer *w, scen_io *io, st_dump_algo algo, st_enc_status *st) {
  st_writer_config c;
  st_writer_config_default(&c);
  c.algo = algo;
  c.buf_size = 128;
  c.freq = 100;
  c.symbolize = sym;
  c.write = scen_write;
  c.write_user = io;
  c.alloc = io->alloc;
  int k = 0;
  st[k++] = st_writer_init(w, &c);
  uint64_t id, pcs[] = {0x401000, 0x402000, 0x403000};
  st[k++] = st_writer_stack(w, pcs, 2, &id);
  st[k++] = st_writer_stack(w, pcs + 2, 1, &id);
  st[k++] = st_writer_batch(w, 1, 10);
  st[k++] = st_writer_string(w, "task", 4, &id);
  for (uint64_t i = 0; i < 30; i++) {
    uint64_t arg = 1000 * i;
    st[k++] = st_writer_event(w, ST_EV_HEAP_ALLOC, 10 + i, &arg, 1, NULL);
  }
  st[k++] = st_writer_batch(w, 2, 500);
  uint64_t a3[] = {9, 1, 2};
  st[k++] = st_writer_event(w, ST_EV_GO_CREATE, 600, a3, 3, NULL);
  st[k++] = st_writer_finish(w);
  assert_true(k <= SCEN_MAX);
  return k;
}

/* The first step that fails returns `err`; every later step is ST_ENC_E_STATE ("use after
 * failure"). Returns the failing step, or -1 when none failed. */
static int check_fails_once(const st_enc_status *st, int n, st_enc_status err) {
  int first = -1;
  for (int i = 0; i < n; i++) {
    if (first < 0) {
      if (st[i] != ST_ENC_OK) {
        assert_int_equal(st[i], err);
        first = i;
      }
    } else {
      assert_int_equal(st[i], ST_ENC_E_STATE);
    }
  }
  return first;
}

/* Each allocation in turn fails once, in both algorithms: the step that meets it returns
 * ST_ENC_E_NOMEM, the writer refuses everything after, and free returns every byte. The run
 * that meets no failure decodes strictly. */
static void test_alloc_failure_every_call(void **s) {
  (void)s;
  for (int algo = 0; algo < 2; algo++) {
    for (long fail_at = 1;; fail_at++) {
      stt_alloc a;
      stt_alloc_init(&a, fail_at);
      scen_io io = {&a.a, 0, 0, {0}};
      st_writer w;
      st_enc_status st[SCEN_MAX];
      int n = run_scenario(&w, &io, (st_dump_algo)algo, st);
      int first = check_fails_once(st, n, ST_ENC_E_NOMEM);
      assert_int_equal(first >= 0, a.failures == 1);
      /* Only a record of the dump (in finish) can name a failed stack. */
      if (first != n - 1) assert_int_equal(st_writer_failed_stack(&w), 0);
      else assert_true(st_writer_failed_stack(&w) <= 2);
      st_writer_free(&w);
      assert_int_equal(a.live, 0);
      assert_int_equal(a.bytes, 0);
      assert_int_equal(a.bad_old, 0);
      if (first < 0) {
        assert_true(fail_at > 5); /* buffer, buckets, scratch, stack arrays, strings */
        st_decode_config cfg;
        st_decode_config_default(&cfg);
        cfg.buf_size = 128;
        stt_run r;
        stt_decode_cfg(&r, &cfg, io.out.p, io.out.len, 0);
        assert_int_equal(r.ndiags, 0);
        assert_int_equal(r.status, ST_OK);
        stt_run_free(&r);
        stt_free(&io.out);
        break;
      }
      stt_free(&io.out);
    }
  }
}

/* Each output call in turn fails once, in both algorithms (header, full batches, the bare
 * Frequency of legacy, the last batch): the step that meets it returns ST_ENC_E_SINK, the
 * writer refuses everything after, `offset` counts exactly the bytes the output accepted, and
 * those are the start of the trace the unfailing run writes. */
static void test_output_failure_every_call(void **s) {
  (void)s;
  for (int algo = 0; algo < 2; algo++) {
    scen_io ref = {NULL, 0, 0, {0}};
    st_writer w;
    st_enc_status st[SCEN_MAX];
    int n = run_scenario(&w, &ref, (st_dump_algo)algo, st);
    assert_int_equal(check_fails_once(st, n, ST_ENC_E_SINK), -1);
    st_writer_free(&w);
    /* P 1's batch: 41 01 0a, "task" (7 bytes), event 0 (3 bytes), events 1..16 (4 bytes:
     * delta 1, arg < 16384) end at byte 77, past 128 - 52: event 17 starts a second batch.
     * Calls: header, P 1 twice, P 2, then legacy: the bare Frequency and one footer batch;
     * direct: two footer batches, as 41 00 d9 04 | 02 64 | the EvStrings "main.f" (9 bytes)
     * and "m.go" (7) fill 22 bytes and the 2-frame record asks for 31 + 80 = 111 > 106. */
    assert_int_equal(ref.calls, 6);
    for (int k = 1; k <= ref.calls; k++) {
      scen_io io = {NULL, k, 0, {0}};
      n = run_scenario(&w, &io, (st_dump_algo)algo, st);
      int first = check_fails_once(st, n, ST_ENC_E_SINK);
      assert_true(first >= 0);
      if (k == 1) assert_int_equal(first, 0); /* the header, in init */
      if (k == ref.calls) assert_int_equal(first, n - 1); /* the last batch, in finish */
      assert_int_equal(w.offset, io.out.len);
      assert_true(io.out.len < ref.out.len);
      if (io.out.len) assert_memory_equal(io.out.p, ref.out.p, io.out.len);
      st_writer_free(&w);
      stt_free(&io.out);
    }
    stt_free(&ref.out);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_minimal_trace_bytes),
      cmocka_unit_test(test_event_encodings),
      cmocka_unit_test(test_refused_calls),
      cmocka_unit_test(test_continuation_batches_decode_strictly),
      cmocka_unit_test(test_init_params),
      cmocka_unit_test(test_call_order),
      cmocka_unit_test(test_seeded_strings),
      cmocka_unit_test(test_string_continues_in_new_batch),
      cmocka_unit_test(test_event_too_big_for_buffer),
      cmocka_unit_test(test_dump_failure_names_stack),
      cmocka_unit_test(test_alloc_failure_every_call),
      cmocka_unit_test(test_output_failure_every_call),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

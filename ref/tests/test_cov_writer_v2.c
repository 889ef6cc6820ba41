/* The v2 writer's error paths: a v2 scenario (pre-registered strings, log messages, more than
 * 64 event batches, more than 64 CPU samples, two generations) run with each allocation and
 * each output call failing once; refused configurations; v2 calls on a v1 writer and calls
 * after the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_util.h"
#include "stacktab/st_writer.h"

static size_t sym(void *u, uint64_t pc, st_enc_frame *o, size_t max) {
  (void)u;
  if (max < 1) return 1;
  o[0] = (st_enc_frame){pc, "main.f", 6, "m.go", 4, 7};
  return 1;
}

typedef struct {
  const st_alloc *alloc;
  int fail_write_at; /* 1-based output call that fails; 0 none */
  int calls;
  stt_bytes out;
} scen_io;

static int scen_write(void *u, const uint8_t *p, size_t n) {
  scen_io *io = u;
  if (++io->calls == io->fail_write_at) return 1;
  stt_put(&io->out, p, n);
  return 0;
}

static int plain_write(void *u, const uint8_t *p, size_t n) {
  stt_put(u, p, n);
  return 0;
}

enum { SCEN_MAX = 400 };

/* Returns the number of steps; st[i] is each step's status, the last one finish's. */
static int run_scenario(st_writer *w, scen_io *io, int version, st_enc_status *st) {
  st_writer_config c;
  st_writer_config_default(&c);
  c.version = version;
  c.buf_size = 256;
  c.freq = 100;
  c.preregister = 1;
  c.order = version == ST_VER_1_22 ? ST_ORDER_BUCKETS : ST_ORDER_TRIE;
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
  st[k++] = st_writer_emit_string(w, "log message", 11, &id);
  for (uint64_t i = 0; i < 30; i++) {
    uint64_t arg = 1000 * i;
    st[k++] = st_writer_event(w, ST_EV2_HEAP_ALLOC, 10 + i, &arg, 1, NULL);
  }
  for (uint64_t i = 0; i < 70; i++) st[k++] = st_writer_cpu_sample(w, 50 + i, 1, 2, 3, 1);
  /* 66 more event batches: the table of batch offsets grows past its first 64. */
  for (uint64_t i = 0; i < 66; i++) {
    uint64_t arg = i;
    st[k++] = st_writer_batch(w, 2, 200 + 2 * i);
    st[k++] = st_writer_event(w, ST_EV2_HEAP_ALLOC, 201 + 2 * i, &arg, 1, NULL);
  }
  st[k++] = st_writer_generation(w);
  st[k++] = st_writer_stack(w, pcs, 3, &id);
  st[k++] = st_writer_batch(w, 1, 1000);
  uint64_t a3[] = {9, id, id};
  st[k++] = st_writer_event(w, ST_EV2_GO_CREATE, 1001, a3, 3, NULL);
  st[k++] = st_writer_cpu_sample(w, 1002, 1, 2, 3, id);
  st[k++] = st_writer_finish(w);
  assert_true(k <= SCEN_MAX);
  return k;
}

/* The first step that fails returns `err` (or `alt`); every later step is ST_ENC_E_STATE.
 * Returns the failing step, or -1. */
static int check_fails_once2(const st_enc_status *st, int n, st_enc_status err,
                             st_enc_status alt) {
  int first = -1;
  for (int i = 0; i < n; i++) {
    if (first < 0) {
      if (st[i] != ST_ENC_OK) {
        if (st[i] != err && st[i] != alt)
          print_error("step %d: status %d, want %d\n", i, st[i], err);
        assert_true(st[i] == err || st[i] == alt);
        first = i;
      }
    } else {
      if (st[i] != ST_ENC_E_STATE) print_error("step %d after %d: status %d\n", i, first, st[i]);
      assert_int_equal(st[i], ST_ENC_E_STATE);
    }
  }
  return first;
}
static int check_fails_once(const st_enc_status *st, int n, st_enc_status err) {
  return check_fails_once2(st, n, err, err);
}

static const int k_versions[] = {ST_VER_1_22, ST_VER_1_23, ST_VER_1_25};

static void decode_strictly(const stt_bytes *b) {
  stt_run r;
  stt_decode(&r, b->p, b->len, 0, ST_MODE_STRICT);
  for (size_t i = 0; i < r.ndiags; i++)
    print_error("diag %s at %llu\n", st_rule_id(r.diags[i].rule),
                (unsigned long long)r.diags[i].off);
  assert_int_equal(r.ndiags, 0);
  assert_int_equal(r.status, ST_OK);
  stt_run_free(&r);
}

/* Each allocation in turn fails once: the step that meets it returns ST_ENC_E_NOMEM, every
 * later one ST_ENC_E_STATE, and free returns every byte with its size. One exception, as the
 * library is: the table of event-batch offsets grows inside the event buffer's sink, so its
 * failure reaches the caller as the sink's, ST_ENC_E_SINK (exactly once per version: when the
 * 65th event batch is handed out, at st_writer_batch). */
static void test_v2_alloc_failure_every_call(void **s) {
  (void)s;
  for (size_t v = 0; v < 3; v++) {
    long fail_at;
    int nsink = 0;
    for (fail_at = 1;; fail_at++) {
      stt_alloc a;
      stt_alloc_init(&a, fail_at);
      scen_io io = {&a.a, 0, 0, {0}};
      st_writer w;
      st_enc_status st[SCEN_MAX];
      int n = run_scenario(&w, &io, k_versions[v], st);
      int first = check_fails_once2(st, n, ST_ENC_E_NOMEM, ST_ENC_E_SINK);
      assert_int_equal(first >= 0, a.failures == 1);
      if (first >= 0 && st[first] == ST_ENC_E_SINK) {
        nsink++;
      }
      st_writer_free(&w);
      assert_int_equal(a.live, 0);
      assert_int_equal(a.bytes, 0);
      assert_int_equal(a.bad_old, 0);
      if (first < 0) {
        decode_strictly(&io.out);
        stt_free(&io.out);
        break;
      }
      stt_free(&io.out);
    }
    /* The four buffers, the two tables, the CPU samples and batch offsets at least. */
    assert_true(fail_at > 8);
    assert_int_equal(nsink, 2); /* the table's first 64 entries and its growth to 128 */
  }
}

/* Each output call in turn fails once: the step that meets it returns ST_ENC_E_SINK, `offset`
 * counts exactly the bytes accepted, and they are the start of the unfailing run's trace. */
static void test_v2_output_failure_every_call(void **s) {
  (void)s;
  for (size_t v = 0; v < 3; v++) {
    scen_io ref = {NULL, 0, 0, {0}};
    st_writer w;
    st_enc_status st[SCEN_MAX];
    int n = run_scenario(&w, &ref, k_versions[v], st);
    assert_int_equal(check_fails_once(st, n, ST_ENC_E_SINK), -1);
    st_writer_free(&w);
    decode_strictly(&ref.out);
    assert_true(ref.calls > 70);
    for (int k = 1; k <= ref.calls; k++) {
      scen_io io = {NULL, k, 0, {0}};
      n = run_scenario(&w, &io, k_versions[v], st);
      int first = check_fails_once(st, n, ST_ENC_E_SINK);
      assert_true(first >= 0);
      if (k == 1) assert_int_equal(first, 0); /* the header, in init */
      if (k == ref.calls) assert_int_equal(first, n - 1); /* the last strings batch */
      assert_int_equal(w.offset, io.out.len);
      assert_true(io.out.len < ref.out.len);
      if (io.out.len) assert_memory_equal(io.out.p, ref.out.p, io.out.len);
      st_writer_free(&w);
      stt_free(&io.out);
    }
    stt_free(&ref.out);
  }
}

/* A 1.25 writer whose output fails at the second call: the first generation's sync batch. */
static void test_v2_sync_batch_output_fails(void **s) {
  (void)s;
  scen_io io = {NULL, 2, 0, {0}};
  st_writer_config c;
  st_writer_config_default(&c);
  c.version = ST_VER_1_25;
  c.symbolize = sym;
  c.write = scen_write;
  c.write_user = &io;
  st_writer w;
  assert_int_equal(st_writer_init(&w, &c), ST_ENC_E_SINK);
  assert_int_equal(io.out.len, 16); /* the header only */
  assert_int_equal(w.offset, 16);
  st_writer_free(&w);
  stt_free(&io.out);
}

static st_enc_status init_v2(st_writer *w, stt_bytes *b, size_t buf, uint64_t gen, int order,
                             size_t max_frames) {
  st_writer_config c;
  st_writer_config_default(&c);
  c.version = ST_VER_1_23;
  c.buf_size = buf;
  c.first_gen = gen;
  c.order = (st_dump_order)order;
  c.max_frames = max_frames;
  c.symbolize = sym;
  c.write = plain_write;
  c.write_user = b;
  return st_writer_init(w, &c);
}

/* Refused v2 configurations write nothing; max_frames 0 or over 128 becomes 128. */
static void test_v2_config(void **s) {
  (void)s;
  stt_bytes b = {0};
  st_writer w;
  assert_int_equal(init_v2(&w, &b, ST_TBUF_MIN_CAP_V2 - 1, 1, ST_ORDER_ID, 0), ST_ENC_E_PARAM);
  st_writer_free(&w);
  assert_int_equal(init_v2(&w, &b, 0, 0, ST_ORDER_ID, 0), ST_ENC_E_PARAM);
  st_writer_free(&w);
  assert_int_equal(init_v2(&w, &b, 0, 1, 3, 0), ST_ENC_E_PARAM);
  st_writer_free(&w);
  assert_int_equal(init_v2(&w, &b, 0, 1, -1, 0), ST_ENC_E_PARAM);
  st_writer_free(&w);
  assert_int_equal(b.len, 0);
  /* The minimum capacity and the default (65504) are accepted; max_frames is clamped. */
  assert_int_equal(init_v2(&w, &b, ST_TBUF_MIN_CAP_V2, 1, ST_ORDER_ID, 0), ST_ENC_OK);
  assert_int_equal(w.cfg.max_frames, 128);
  assert_int_equal(w.cfg.buf_size, 64);
  st_writer_free(&w);
  assert_int_equal(init_v2(&w, &b, 0, 7, ST_ORDER_BUCKETS, 500), ST_ENC_OK);
  assert_int_equal(w.cfg.max_frames, 128);
  assert_int_equal(w.cfg.buf_size, ST_V2_BUF_SIZE);
  assert_int_equal(st_writer_gen(&w), 7);
  st_writer_free(&w);
  assert_int_equal(init_v2(&w, &b, 0, 1, ST_ORDER_TRIE, 5), ST_ENC_OK);
  assert_int_equal(w.cfg.max_frames, 5);
  st_writer_free(&w);
  assert_int_equal(b.len, 3 * 16); /* three headers */
  stt_free(&b);
}

/* v2 calls on a v1 writer, v2 events refused, calls before a batch and after the end. */
static void test_v2_refused_calls(void **s) {
  (void)s;
  stt_bytes b = {0};
  st_writer w;
  st_writer_config c;
  st_writer_config_default(&c);
  c.symbolize = sym;
  c.write = plain_write;
  c.write_user = &b;
  assert_int_equal(st_writer_init(&w, &c), ST_ENC_OK);
  uint64_t id;
  assert_int_equal(st_writer_cpu_sample(&w, 1, 1, 1, 1, 1), ST_ENC_E_STATE);
  assert_int_equal(st_writer_generation(&w), ST_ENC_E_STATE);
  assert_int_equal(st_writer_emit_string(&w, "x", 1, &id), ST_ENC_E_STATE);
  assert_int_equal(st_writer_batch(&w, 0, 1), ST_ENC_OK); /* still usable */
  assert_int_equal(st_writer_finish(&w), ST_ENC_OK);
  st_writer_free(&w);
  stt_free(&b);

  assert_int_equal(init_v2(&w, &b, 0, 1, ST_ORDER_ID, 0), ST_ENC_OK);
  uint64_t a[4] = {1, 2, 3, 4}, tok = 0;
  /* No batch open yet. */
  assert_int_equal(st_writer_event(&w, ST_EV2_HEAP_ALLOC, 5, a, 1, NULL), ST_ENC_E_STATE);
  assert_int_equal(st_writer_batch(&w, 3, 5), ST_ENC_OK);
  assert_int_equal(st_writer_event(&w, 200, 6, a, 1, NULL), ST_ENC_E_PARAM);             /* unknown */
  assert_int_equal(st_writer_event(&w, ST_EV2_STRING, 6, a, 1, NULL), ST_ENC_E_PARAM);    /* untimed */
  assert_int_equal(st_writer_event(&w, ST_EV2_SYNC, 6, a, 0, NULL), ST_ENC_E_PARAM);      /* 1.25 */
  assert_int_equal(st_writer_event(&w, ST_EV2_HEAP_ALLOC, 6, a, 2, NULL), ST_ENC_E_PARAM);
  assert_int_equal(st_writer_event(&w, ST_EV2_HEAP_ALLOC, 6, NULL, 1, NULL), ST_ENC_E_PARAM);
  uint64_t gc[2] = {1, 0}; /* seq 1, no stack */
  assert_int_equal(st_writer_event(&w, ST_EV2_GC_BEGIN, 6, gc, 2, &tok), ST_ENC_OK);
  /* The batch is not out yet: no offset; nor for a batch never handed out. */
  assert_int_equal(st_writer_event_offset(&w, tok), UINT64_MAX);
  assert_int_equal(st_writer_event_offset(&w, 5ull << 32), UINT64_MAX);
  assert_int_equal(st_writer_finish(&w), ST_ENC_OK);
  /* Header 16; 1.23's end of generation writes the frequency batch first: 01 V(gen 1)
   * V(M 2^64-1, 10 bytes) V(time 7) and the 10-byte size, 08 V(15625000, 4 bytes): 28 bytes.
   * Then the event batch: 01 01 03 05 and the 10-byte size, then GCBegin 1d V(dt 1) V(seq 1)
   * V(stack 0): the event at 16 + 28 + 4 + 10 = 58. */
  assert_int_equal(st_writer_event_offset(&w, tok), 58);
  static const uint8_t fb[] = {0x01, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                               0x01, 0x07};
  assert_memory_equal(b.p + 16, fb, sizeof fb);
  static const uint8_t ev[] = {ST_EV2_GC_BEGIN, 1, 1, 0};
  assert_memory_equal(b.p + 58, ev, sizeof ev);
  assert_int_equal(st_writer_emit_string(&w, "x", 1, &id), ST_ENC_E_STATE);
  assert_int_equal(st_writer_string(&w, "x", 1, &id), ST_ENC_E_STATE);
  assert_int_equal(st_writer_cpu_sample(&w, 1, 1, 1, 1, 1), ST_ENC_E_STATE);
  assert_int_equal(st_writer_generation(&w), ST_ENC_E_STATE);
  assert_int_equal(st_writer_event(&w, ST_EV2_HEAP_ALLOC, 9, a, 1, NULL), ST_ENC_E_STATE);
  assert_int_equal(st_writer_finish(&w), ST_ENC_E_STATE);
  st_writer_free(&w);
  decode_strictly(&b);
  stt_free(&b);
}

/* end_ticks: the first batch of a generation's end gets it when it is past every time written,
 * else one past the latest time. 1.22: the frequency batch comes first, at 16: 01 V(gen 1)
 * V(2^64-1) V(time). */
static void test_v2_end_ticks(void **s) {
  (void)s;
  static const uint64_t ends[] = {1000, 3};
  static const uint8_t want_time[2][2] = {{0xe8, 0x07}, {0x07, 0x00}};
  for (int k = 0; k < 2; k++) {
    stt_bytes b = {0};
    st_writer_config c;
    st_writer_config_default(&c);
    c.version = ST_VER_1_22;
    c.end_ticks = ends[k];
    c.symbolize = sym;
    c.write = plain_write;
    c.write_user = &b;
    st_writer w;
    assert_int_equal(st_writer_init(&w, &c), ST_ENC_OK);
    assert_int_equal(st_writer_batch(&w, 1, 5), ST_ENC_OK);
    uint64_t a = 7;
    assert_int_equal(st_writer_event(&w, ST_EV2_HEAP_ALLOC, 6, &a, 1, NULL), ST_ENC_OK);
    assert_int_equal(st_writer_finish(&w), ST_ENC_OK);
    st_writer_free(&w);
    static const uint8_t head[] = {0x01, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0x01};
    assert_memory_equal(b.p + 16, head, sizeof head);
    /* 1000 = e8 07; 3 is not past 6: 7. */
    assert_memory_equal(b.p + 16 + sizeof head, want_time[k], k == 0 ? 2 : 1);
    decode_strictly(&b);
    stt_free(&b);
  }
}

/* 1.22 has no GoSwitch; an event without arguments needs no argument array. */
static void test_v2_event_versions(void **s) {
  (void)s;
  stt_bytes b = {0};
  st_writer_config c;
  st_writer_config_default(&c);
  c.version = ST_VER_1_22;
  c.symbolize = sym;
  c.write = plain_write;
  c.write_user = &b;
  st_writer w;
  assert_int_equal(st_writer_init(&w, &c), ST_ENC_OK);
  assert_int_equal(st_writer_batch(&w, 1, 5), ST_ENC_OK);
  uint64_t a[2] = {2, 1};
  assert_int_equal(st_writer_event(&w, ST_EV2_GO_SWITCH, 6, a, 2, NULL), ST_ENC_E_PARAM);
  assert_int_equal(st_writer_event(&w, ST_EV2_PROC_STOP, 6, NULL, 0, NULL), ST_ENC_OK);
  assert_int_equal(st_writer_finish(&w), ST_ENC_OK);
  st_writer_free(&w);
  /* The frequency batch (28 bytes at 16), then the event batch 01 01 01 05 [size]: ProcStop
   * 0b V(dt 1) at 58. */
  assert_int_equal(b.p[58], ST_EV2_PROC_STOP);
  assert_int_equal(b.p[59], 1);
  decode_strictly(&b);
  stt_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_v2_config),
      cmocka_unit_test(test_v2_refused_calls),
      cmocka_unit_test(test_v2_sync_batch_output_fails),
      cmocka_unit_test(test_v2_end_ticks),
      cmocka_unit_test(test_v2_event_versions),
      cmocka_unit_test(test_v2_alloc_failure_every_call),
      cmocka_unit_test(test_v2_output_failure_every_call),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

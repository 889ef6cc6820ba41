/* verify-dump on hand-built v1 traces, one departure each, with every difference reported
 * (kind, offset, message) worked out from the bytes; forced algorithms; capacities outside the
 * range the rewrite takes; and allocation failures at every call of st_verify_buffer on v1
 * legacy, v1 direct and v2 traces.
 *
 * The hand-built traces share a prefix: the 16-byte header, a pid-1 batch `41 01 01` (16..18)
 * holding a HeapAlloc `61 01 05` (19..21), so that a Frequency at 22 is bare. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_util.h"
#include "stacktab/st_verify.h"
#include "stacktab/st_writer.h"

typedef struct {
  char list[1024];     /* "KIND@OFF KIND@OFF ..." */
  char first_msg[240];
  size_t n;
} seen;

static void on_diff(void *u, const st_verify_diff *d) {
  seen *s = u;
  size_t l = strlen(s->list);
  snprintf(s->list + l, sizeof s->list - l, "%s%s@%llu", l ? " " : "", st_verify_kind_id(d->kind),
           (unsigned long long)d->off);
  if (s->n++ == 0) snprintf(s->first_msg, sizeof s->first_msg, "%s", d->message);
}

static st_status verify(const stt_bytes *b, st_mode mode, st_verify_algo algo, uint64_t cap,
                        seen *s, st_verify_result *r) {
  st_verify_config c;
  st_verify_config_default(&c);
  c.mode = mode;
  c.algo = algo;
  c.cap = cap;
  c.on_diff = on_diff;
  memset(s, 0, sizeof *s);
  c.user = s;
  return st_verify_buffer(&c, b->p, b->len, r);
}

/* Expects ST_E_INVALID with exactly the differences `list`, the first with message `msg`. */
static void expect(stt_bytes *b, st_mode mode, st_verify_algo algo, uint64_t cap,
                   const char *list, const char *msg, st_verify_result *out) {
  seen s;
  st_verify_result r;
  st_status st = verify(b, mode, algo, cap, &s, &r);
  if (strcmp(s.list, list) || strcmp(s.first_msg, msg))
    fail_msg("got [%s] \"%s\"; want [%s] \"%s\"", s.list, s.first_msg, list, msg);
  assert_int_equal(st, ST_E_INVALID);
  assert_int_equal(r.decode_errors, 0);
  assert_int_equal(r.diffs, s.n);
  if (out) *out = r;
  stt_free(b);
}

static void expect_ok(stt_bytes *b, st_mode mode, st_verify_algo algo, uint64_t cap,
                      st_verify_result *out) {
  seen s;
  st_verify_result r;
  st_status st = verify(b, mode, algo, cap, &s, &r);
  if (st != ST_OK) fail_msg("status %d: [%s] %s", st, s.list, s.first_msg);
  assert_int_equal(r.diffs, 0);
  if (out) *out = r;
  stt_free(b);
}

static const uint64_t F1[] = {0x10, 1, 2, 7}; /* pc, fn 1 "f", file 2 "a.go", line */

#define BYTES(b, ...)                               \
  do {                                              \
    static const uint8_t x_[] = {__VA_ARGS__};      \
    stt_put((b), x_, sizeof x_);                    \
  } while (0)

/* Header, the pid-1 batch with its HeapAlloc: 22 bytes. */
static void pre(stt_bytes *b) {
  stt_header(b, ST_VER_1_19);
  stt_batch(b, 1, 1);
  BYTES(b, 0x61, 0x01, 0x05);
  assert_int_equal(b->len, 22);
}

/* The reference's legacy region after pre: 02 64 (22) | 41 00 02 (24) | 25 01 01 'f' (27) |
 * 25 02 04 'a.go' (31) | c3 06 01 01 10 01 02 07 (38..45). */
static void legacy_region(stt_bytes *b) {
  stt_freq(b, 100);
  stt_batch(b, 0, 2);
  stt_string(b, 1, "f");
  stt_string(b, 2, "a.go");
  stt_stack(b, 1, F1, 1);
}

static void test_v1_reference_region(void **s) {
  (void)s;
  stt_bytes b = {0};
  st_verify_result r;
  pre(&b);
  legacy_region(&b);
  assert_int_equal(b.len, 46);
  expect_ok(&b, ST_MODE_STRICT, ST_VERIFY_AUTO, 0, &r);
  assert_int_equal(r.algo, ST_VERIFY_LEGACY);
  assert_int_equal(r.format, 1);
  assert_int_equal(r.version, ST_VER_1_19);
  /* Every room check fits below the minimum capacity (32), which is the smallest consistent
   * one; no flush bounds it above. */
  assert_int_equal(r.cap_min, 32);
  assert_int_equal(r.cap_max, UINT64_MAX);
  assert_int_equal(r.cap_used, 32);
  assert_int_equal(r.batches, 1);
  assert_int_equal(r.flushes, 0);
  assert_int_equal(r.strings, 2);
  assert_int_equal(r.stacks, 1);
  /* ST_VERIFY_V2 on a v1 trace verifies it as v1 (AUTO's choice). */
  pre(&b);
  legacy_region(&b);
  expect_ok(&b, ST_MODE_STRICT, ST_VERIFY_V2, 0, &r);
  assert_int_equal(r.algo, ST_VERIFY_LEGACY);
}

static void test_v1_headers_and_records(void **s) {
  (void)s;
  stt_bytes b = {0};
  /* The dump batch of pid 2. */
  pre(&b);
  stt_freq(&b, 100);
  stt_batch(&b, 2, 2);
  stt_string(&b, 1, "f");
  stt_string(&b, 2, "a.go");
  stt_stack(&b, 1, F1, 1);
  expect(&b, ST_MODE_STRICT, 0, 0, "DUMP-BATCH-HEADER@24",
         "dump batch of pid 2; the dump writes pid 0", NULL);
  /* Its ticks padded: 41 00 82 00. */
  pre(&b);
  stt_freq(&b, 100);
  BYTES(&b, 0x41, 0x00, 0x82, 0x00);
  stt_string(&b, 1, "f");
  stt_string(&b, 2, "a.go");
  stt_stack(&b, 1, F1, 1);
  expect(&b, ST_MODE_STRICT, 0, 0, "DUMP-BATCH-HEADER@24",
         "EvBatch is not written with minimal varints", NULL);
  /* String 1's ID padded: 25 81 00 01 'f' at 27. */
  pre(&b);
  stt_freq(&b, 100);
  stt_batch(&b, 0, 2);
  BYTES(&b, 0x25, 0x81, 0x00, 0x01, 'f');
  stt_string(&b, 2, "a.go");
  stt_stack(&b, 1, F1, 1);
  expect(&b, ST_MODE_STRICT, 0, 0, "DUMP-RECORD@27", "EvString 1 is not in the minimal form", NULL);
  /* The stack's PC padded: c3 07 01 01 90 00 01 02 07 at 38. */
  pre(&b);
  stt_freq(&b, 100);
  stt_batch(&b, 0, 2);
  stt_string(&b, 1, "f");
  stt_string(&b, 2, "a.go");
  BYTES(&b, 0xc3, 0x07, 0x01, 0x01, 0x90, 0x00, 0x01, 0x02, 0x07);
  expect(&b, ST_MODE_STRICT, 0, 0, "DUMP-RECORD@38",
         "EvStack 1 is not written with minimal varints", NULL);
  /* The stack's frame count padded (81 00): the payload check stops at the count. */
  pre(&b);
  stt_freq(&b, 100);
  stt_batch(&b, 0, 2);
  stt_string(&b, 1, "f");
  stt_string(&b, 2, "a.go");
  BYTES(&b, 0xc3, 0x07, 0x01, 0x81, 0x00, 0x10, 0x01, 0x02, 0x07);
  expect(&b, ST_MODE_STRICT, 0, 0, "DUMP-RECORD@38",
         "EvStack 1 is not written with minimal varints", NULL);
  /* The Frequency padded (02 e4 00): no check but the rewrite names it, at the record holding
   * the first differing byte (region byte 1, file offset 23: the Frequency at 22). */
  pre(&b);
  BYTES(&b, 0x02, 0xe4, 0x00);
  stt_batch(&b, 0, 2);
  stt_string(&b, 1, "f");
  stt_string(&b, 2, "a.go");
  stt_stack(&b, 1, F1, 1);
  stt_bytes c = {0};
  stt_put(&c, b.p, b.len);
  expect(&b, ST_MODE_STRICT, 0, 0, "DUMP-BYTES@22",
         "the dump region's bytes written again differ from the file at byte 1 (offset 23)", NULL);
  /* At a capacity over 2^30 the region is not written again: nothing is found. */
  st_verify_result r;
  expect_ok(&c, ST_MODE_STRICT, 0, 1ull << 31, &r);
  assert_int_equal(r.cap_used, 1ull << 31);
  /* An empty pid-0 batch after the region: the reference writes 24 bytes less (it opens no
   * batch it does not fill). */
  pre(&b);
  legacy_region(&b);
  stt_batch(&b, 0, 3);
  expect(&b, ST_MODE_GO, 0, 0, "DUMP-BYTES@46",
         "the dump region's bytes written again differ from the file at byte 24 (offset 46): the "
         "reference writes less", NULL);
}

static void test_v1_region_and_frequency(void **s) {
  (void)s;
  stt_bytes b = {0};
  st_verify_result r;
  /* No Frequency (go mode: a trace cut before its footer). */
  pre(&b);
  expect(&b, ST_MODE_GO, 0, 0, "DUMP-REGION@22", "the trace has no Frequency, so no dump region",
         NULL);
  /* An event batch after the dump: its header (pid 1 at 46) and its event (49). */
  pre(&b);
  legacy_region(&b);
  stt_batch(&b, 1, 3);
  BYTES(&b, 0x61, 0x01, 0x05);
  expect(&b, ST_MODE_GO, 0, 0, "DUMP-BATCH-HEADER@46 DUMP-REGION@49",
         "dump batch of pid 1; the dump writes pid 0", &r);
  assert_int_equal(r.flushes, 1);
  /* Direct forced on a legacy region: the bare Frequency, and the minimal length. */
  pre(&b);
  legacy_region(&b);
  expect(&b, ST_MODE_STRICT, ST_VERIFY_DIRECT, 0, "DUMP-FREQ@22 DUMP-LEN-WIDTH@38",
         "the Frequency is bare; the direct dump writes it first in a new pid-0 batch", &r);
  assert_int_equal(r.algo, ST_VERIFY_DIRECT);
  /* Legacy forced on a Frequency that opens a batch (41 00 02 at 22, 02 64 at 25). */
  pre(&b);
  stt_batch(&b, 0, 2);
  stt_freq(&b, 100);
  stt_string(&b, 1, "f");
  stt_string(&b, 2, "a.go");
  stt_stack(&b, 1, F1, 1);
  expect(&b, ST_MODE_STRICT, ST_VERIFY_LEGACY, 0, "DUMP-FREQ@25",
         "the Frequency opens a batch; the legacy dump writes it bare, then its own batches", &r);
  assert_int_equal(r.algo, ST_VERIFY_LEGACY);
  /* Records right after the bare Frequency, outside any batch (go mode decodes them). */
  pre(&b);
  stt_freq(&b, 100);
  stt_string(&b, 1, "f");
  stt_string(&b, 2, "a.go");
  stt_stack(&b, 1, F1, 1);
  expect(&b, ST_MODE_GO, 0, 0, "DUMP-REGION@24",
         "a record outside any batch after the bare Frequency; the legacy dump opens a new batch "
         "first", NULL);
  /* A region of a batch header only: nothing to check; at a capacity below the minimum the
   * rewrite is skipped. */
  pre(&b);
  stt_freq(&b, 100);
  stt_batch(&b, 0, 2);
  expect_ok(&b, ST_MODE_GO, 0, 16, &r);
  assert_int_equal(r.cap_used, 16);
  assert_int_equal(r.cap_min, 3);
  /* A stack whose names the file never defines (go mode: a partial trace): placeholders. */
  pre(&b);
  stt_freq(&b, 100);
  stt_batch(&b, 0, 2);
  stt_stack(&b, 1, F1, 1);
  expect_ok(&b, ST_MODE_GO, 0, 0, &r);
  assert_int_equal(r.stacks, 1);
  assert_int_equal(r.strings, 0);
}

static void test_v1_string_order(void **s) {
  (void)s;
  stt_bytes b = {0};
  /* A string no stack needs, after the stack. */
  pre(&b);
  legacy_region(&b);
  stt_string(&b, 3, "zzz");
  expect(&b, ST_MODE_GO, 0, 0, "DUMP-STRING-ORDER@46",
         "string 3 is one the reference does not write here (no later stack needs it first, or "
         "it is defined already)", NULL);
  /* "a.go" written after the stack that needs it (stack at 31, the string at 39). */
  pre(&b);
  stt_freq(&b, 100);
  stt_batch(&b, 0, 2);
  stt_string(&b, 1, "f");
  stt_stack(&b, 1, F1, 1);
  stt_string(&b, 2, "a.go");
  expect(&b, ST_MODE_GO, 0, 0, "DUMP-STRING-ORDER@31",
         "stack 1 needs string 2 (\"a.go\") before it; the file writes it after, at offset 39",
         NULL);
  /* The two strings swapped: the reference numbers "f" 2 and "a.go" 3 from the first new ID
   * (2), so neither file string is one it writes, and neither of its strings is in the file. */
  pre(&b);
  stt_freq(&b, 100);
  stt_batch(&b, 0, 2);
  stt_string(&b, 2, "a.go");
  stt_string(&b, 1, "f");
  stt_stack(&b, 1, F1, 1);
  expect(&b, ST_MODE_GO, 0, 0,
         "DUMP-STRING-ORDER@27 DUMP-STRING-ORDER@34 DUMP-STRING-ORDER@38 DUMP-STRING-ORDER@38",
         "string 2 is one the reference does not write here (no later stack needs it first, or "
         "it is defined already)", NULL);
  /* A string written early: "a.go" before "f" with their reference IDs, i.e. out of frame
   * order (the reference writes it right before the stack, after "f"). */
  pre(&b);
  stt_freq(&b, 100);
  stt_batch(&b, 0, 2);
  stt_string(&b, 2, "a.go");
  stt_string(&b, 1, "f");
  stt_string(&b, 3, "g");
  static const uint64_t F2[] = {0x10, 1, 2, 7, 0x20, 3, 2, 8};
  stt_stack(&b, 1, F2, 2);
  seen sn;
  st_verify_result r;
  assert_int_equal(verify(&b, ST_MODE_GO, 0, 0, &sn, &r), ST_E_INVALID);
  assert_true(sn.n >= 1);
  assert_non_null(strstr(sn.list, "DUMP-STRING-ORDER@27"));
  stt_free(&b);
}

/* ---- allocation failures ---- */

static size_t sym(void *u, uint64_t pc, st_enc_frame *out, size_t max) {
  (void)u;
  static char names[64][24];
  unsigned k = (unsigned)(pc % 64);
  snprintf(names[k], sizeof names[k], "main.fn%03u", k);
  if (max) out[0] = (st_enc_frame){pc, names[k], strlen(names[k]), "main.go", 7, pc % 1000};
  return 1;
}

static int put(void *u, const uint8_t *p, size_t n) {
  stt_put(u, p, n);
  return 0;
}

/* A writer trace of 1.21 (direct) or 1.23 with a small buffer: several dump batches. */
static stt_bytes writer_trace(int version, size_t cap, int nstacks) {
  stt_bytes out = {0};
  st_writer_config c;
  st_writer_config_default(&c);
  c.version = version;
  c.algo = ST_ALGO_DIRECT;
  c.buf_size = cap;
  c.symbolize = sym;
  c.write = put;
  c.write_user = &out;
  st_writer w;
  assert_int_equal(st_writer_init(&w, &c), 0);
  assert_int_equal(st_writer_batch(&w, version >= ST_VER_1_22 ? 1 : 0, 100), 0);
  for (uint64_t s = 1; s <= (uint64_t)nstacks; s++) {
    uint64_t pcs[8], id;
    for (int k = 0; k < 8; k++) pcs[k] = 0x1000 + s * 64 + (uint64_t)k;
    assert_int_equal(st_writer_stack(&w, pcs, 1 + s % 8, &id), 0);
    if (version >= ST_VER_1_22) {
      uint64_t a[3] = {s, 1, id}; /* GoUnblock: g, seq, stack */
      assert_int_equal(st_writer_event(&w, ST_EV2_GO_UNBLOCK, 100 + s, a, 3, NULL), 0);
    } else {
      uint64_t a[1] = {id};
      assert_int_equal(st_writer_event(&w, ST_EV_GO_SCHED, 100 + s, a, 1, NULL), 0);
    }
  }
  assert_int_equal(st_writer_finish(&w), 0);
  st_writer_free(&w);
  return out;
}

/* Each allocation of st_verify_buffer in turn fails once: ST_E_NOMEM, nothing reported as a
 * difference, every block freed with its size; the run without failure verifies. */
static void alloc_walk_want(const uint8_t *p, size_t n, st_mode mode, uint64_t cap,
                            long min_calls, st_status want, size_t want_diffs) {
  long fail_at;
  for (fail_at = 1;; fail_at++) {
    stt_alloc a;
    stt_alloc_init(&a, fail_at);
    st_verify_config c;
    st_verify_config_default(&c);
    c.mode = mode;
    c.cap = cap;
    c.alloc = &a.a;
    seen s;
    memset(&s, 0, sizeof s);
    c.on_diff = on_diff;
    c.user = &s;
    st_verify_result r;
    st_status st = st_verify_buffer(&c, p, n, &r);
    if (a.live || a.bytes || a.bad_old)
      print_error("trace of %zu bytes, allocation %ld failed: status %d, %ld blocks (%zu bytes) left, %ld bad sizes\n", n,
                  fail_at, st, a.live, a.bytes, a.bad_old);
    assert_int_equal(a.live, 0);
    assert_int_equal(a.bytes, 0);
    assert_int_equal(a.bad_old, 0);
    if (a.failures == 0) {
      if (st != want) fail_msg("status %d: [%s] %s", st, s.list, s.first_msg);
      assert_int_equal(s.n, want_diffs);
      break;
    }
    if (st != ST_E_NOMEM)
      fail_msg("allocation %ld failed: status %d, [%s] %s", fail_at, st, s.list, s.first_msg);
    assert_int_equal(s.n, 0);
  }
  if (fail_at <= min_calls) fail_msg("only %ld allocations", fail_at - 1);
}

static void alloc_walk(const uint8_t *p, size_t n, st_mode mode, uint64_t cap, long min_calls) {
  alloc_walk_want(p, n, mode, cap, min_calls, ST_OK, 0);
}

static void test_alloc_failure_v1_legacy(void **s) {
  (void)s;
  stt_bytes b = {0};
  pre(&b);
  legacy_region(&b);
  alloc_walk(b.p, b.len, ST_MODE_STRICT, 0, 5);
  stt_free(&b);
  char path[512];
  snprintf(path, sizeof path, "%s/corpus/own/go1.19-own-small.trace", ST_SOURCE_DIR);
  size_t n;
  uint8_t *p = stt_read_file(path, &n);
  assert_non_null(p);
  alloc_walk(p, n, ST_MODE_STRICT, 0, 10);
  free(p);
}

static void test_alloc_failure_v1_direct(void **s) {
  (void)s;
  stt_bytes t = writer_trace(ST_VER_1_21, 700, 60);
  alloc_walk(t.p, t.len, ST_MODE_STRICT, 0, 10);
  stt_free(&t);
}

static void test_alloc_failure_v2(void **s) {
  (void)s;
  stt_bytes t = writer_trace(ST_VER_1_23, 700, 40);
  alloc_walk(t.p, t.len, ST_MODE_STRICT, 700, 10);
  stt_free(&t);
  char path[512];
  snprintf(path, sizeof path, "%s/corpus/own/go1.23-own-small.trace", ST_SOURCE_DIR);
  size_t n;
  uint8_t *p = stt_read_file(path, &n);
  assert_non_null(p);
  alloc_walk(p, n, ST_MODE_STRICT, 0, 10);
  free(p);
}

static void swapped(stt_bytes *b) {
  pre(b);
  stt_freq(b, 100);
  stt_batch(b, 0, 2);
  stt_string(b, 2, "a.go");
  stt_string(b, 1, "f");
  stt_stack(b, 1, F1, 1);
}

/* With differences to collect: a failure while growing the difference list is ST_E_NOMEM
 * too, and nothing is reported. */
static void test_alloc_failure_with_differences(void **s) {
  (void)s;
  stt_bytes b = {0};
  swapped(&b);
  alloc_walk_want(b.p, b.len, ST_MODE_GO, 0, 5, ST_E_INVALID, 4);
  stt_free(&b);
}

/* Without callbacks: the result still counts the differences and decoder errors. */
static void test_no_callbacks(void **s) {
  (void)s;
  stt_bytes b = {0};
  swapped(&b);
  st_verify_config c;
  st_verify_config_default(&c);
  c.mode = ST_MODE_GO;
  st_verify_result r;
  assert_int_equal(st_verify_buffer(&c, b.p, b.len, &r), ST_E_INVALID);
  assert_int_equal(r.diffs, 4);
  assert_int_equal(r.decode_errors, 0);
  /* Cut inside the stack: a decoder error, not forwarded anywhere. */
  assert_int_equal(st_verify_buffer(&c, b.p, b.len - 2, &r), ST_E_INVALID);
  assert_int_equal(r.decode_errors, 1);
  assert_int_equal(r.diffs, 0);
  stt_free(&b);
}

static void test_v1_more(void **s) {
  (void)s;
  stt_bytes b = {0};
  /* A header only (go mode decodes it): no records at all. */
  stt_header(&b, ST_VER_1_19);
  expect(&b, ST_MODE_GO, 0, 0, "DUMP-REGION@16", "the trace has no Frequency, so no dump region",
         NULL);
  /* A stack whose length is padded (c3 87 00) and whose PC is too (90 00): both at 38, the
   * length's first (the kinds' order breaks the tie). */
  pre(&b);
  stt_freq(&b, 100);
  stt_batch(&b, 0, 2);
  stt_string(&b, 1, "f");
  stt_string(&b, 2, "a.go");
  BYTES(&b, 0xc3, 0x87, 0x00, 0x01, 0x01, 0x90, 0x00, 0x01, 0x02, 0x07);
  expect(&b, ST_MODE_STRICT, 0, 0, "DUMP-LEN-WIDTH@38 DUMP-RECORD@38",
         "EvStack 1 length 7 in 2 bytes; the legacy dump writes it minimal (1)", NULL);
  /* A file name of 1100 bytes. */
  pre(&b);
  stt_freq(&b, 100);
  stt_batch(&b, 0, 2);
  stt_string(&b, 1, "f");
  char *x = malloc(1101);
  memset(x, 'x', 1100);
  x[1100] = 0;
  stt_string(&b, 2, x);
  free(x);
  stt_stack(&b, 1, F1, 1);
  expect(&b, ST_MODE_STRICT, 0, 0, "DUMP-STRING-CUT@31",
         "string 2, the file name of stack 1 frame 0, is 1100 bytes; the writer keeps the last "
         "1024", NULL);
  /* The trace ends with the bare Frequency: at capacity 64 the reference still opens its
   * pid-0 batch (41 00 and the ticks, 3 bytes) that the file does not have. */
  pre(&b);
  stt_freq(&b, 100);
  expect(&b, ST_MODE_GO, 0, 64, "DUMP-BYTES@24",
         "the dump region's bytes written again are 3 bytes longer than the file's", NULL);
}

#define LONG_NAME "/src/a/very/long/directory/name/that/is/over/forty/bytes.go" /* 59 bytes */

static void pre21(stt_bytes *b) {
  stt_header(b, ST_VER_1_21);
  stt_batch(b, 1, 1);
  BYTES(b, 0x61, 0x01, 0x05);
}

static void test_v1_more_order_and_algorithms(void **s) {
  (void)s;
  stt_bytes b = {0};
  st_verify_result r;
  /* The stack's ID padded (c3 07 81 00 ...): the payload check stops at the ID. */
  pre(&b);
  stt_freq(&b, 100);
  stt_batch(&b, 0, 2);
  stt_string(&b, 1, "f");
  stt_string(&b, 2, "a.go");
  BYTES(&b, 0xc3, 0x07, 0x81, 0x00, 0x01, 0x10, 0x01, 0x02, 0x07);
  expect(&b, ST_MODE_STRICT, 0, 0, "DUMP-RECORD@38", "EvStack 1 is not written with minimal varints",
         NULL);
  /* A file name over 40 bytes written after the stack (stack at 31, the string at 39): the
   * message quotes its first 40 bytes. */
  pre(&b);
  stt_freq(&b, 100);
  stt_batch(&b, 0, 2);
  stt_string(&b, 1, "f");
  stt_stack(&b, 1, F1, 1);
  stt_string(&b, 2, LONG_NAME);
  expect(&b, ST_MODE_GO, 0, 0, "DUMP-STRING-ORDER@31",
         "stack 1 needs string 2 (\"/src/a/very/long/directory/name/that/is/\") before it; the "
         "file writes it after, at offset 39", NULL);
  /* The long name and "f" written with swapped IDs (as in test_v1_string_order): the long
   * name (59 bytes) at 27, "f" at 27 + 3 + 59 = 89, the stack at 93; neither reference string
   * (2 "f", 3 the long name) is in the file. */
  pre(&b);
  stt_freq(&b, 100);
  stt_batch(&b, 0, 2);
  stt_string(&b, 2, LONG_NAME);
  stt_string(&b, 1, "f");
  stt_stack(&b, 1, F1, 1);
  seen sn;
  assert_int_equal(verify(&b, ST_MODE_GO, 0, 0, &sn, &r), ST_E_INVALID);
  assert_string_equal(sn.list, "DUMP-STRING-ORDER@27 DUMP-STRING-ORDER@89 DUMP-STRING-ORDER@93 "
                               "DUMP-STRING-ORDER@93");
  stt_free(&b);
  /* String 3 ("g", for the second stack) written before the first stack: early. The reference
   * writes 1, 2, stack 1, 3, stack 2; the file 1, 2, 3 (38), stack 1, stack 2. */
  pre(&b);
  stt_freq(&b, 100);
  stt_batch(&b, 0, 2);
  stt_string(&b, 1, "f");
  stt_string(&b, 2, "a.go");
  stt_string(&b, 3, "g");
  stt_stack(&b, 1, F1, 1);
  static const uint64_t F3[] = {0x20, 3, 2, 8};
  stt_stack(&b, 2, F3, 1);
  expect(&b, ST_MODE_GO, 0, 0, "DUMP-STRING-ORDER@38",
         "string 3 is written before the reference writes it (it belongs right before the first "
         "stack that uses it)", NULL);
  /* String 2 is one no stack names ("zzzz", as long as "a.go"), the stack names 1 and 3: the
   * reference gives "a.go" ID 2, so the file's 2 and 3 are both out of place. */
  pre(&b);
  stt_freq(&b, 100);
  stt_batch(&b, 0, 2);
  stt_string(&b, 1, "f");
  stt_string(&b, 2, "zzzz");
  stt_string(&b, 3, "a.go");
  static const uint64_t F13[] = {0x10, 1, 3, 7};
  stt_stack(&b, 1, F13, 1);
  assert_int_equal(verify(&b, ST_MODE_GO, 0, 0, &sn, &r), ST_E_INVALID);
  assert_string_equal(sn.list, "DUMP-STRING-ORDER@31 DUMP-STRING-ORDER@38 DUMP-STRING-ORDER@45");
  assert_string_equal(sn.first_msg, "string 2 is one the reference does not write here (no later "
                                    "stack needs it first, or it is defined already)");
  stt_free(&b);
  /* Go 1.21, a pid-0 batch with the Frequency and nothing else: no stack to count, so the
   * algorithm goes by the Frequency's place (in a batch: direct). */
  pre21(&b);
  stt_batch(&b, 0, 2);
  stt_freq(&b, 100);
  expect_ok(&b, ST_MODE_GO, 0, 0, &r);
  assert_int_equal(r.algo, ST_VERIFY_DIRECT);
  assert_int_equal(r.batches, 1);
  /* A direct dump that flushes right after its Frequency (41 00 03 at 27): the strings still
   * fitted the first batch. No capacity is consistent: the first batch must be at least 85
   * for the stack, yet 5 bytes + string 1's room check 22 did not fit (below 27). */
  pre21(&b);
  stt_batch(&b, 0, 2);
  stt_freq(&b, 100);
  stt_batch(&b, 0, 3);
  stt_string(&b, 1, "f");
  stt_string(&b, 2, "a.go");
  BYTES(&b, 0xc3, 0x86, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0x01, 0x10,
        0x01, 0x02, 0x07);
  expect(&b, ST_MODE_GO, 0, 0, "DUMP-FLUSH-EARLY@27",
         "a new batch begins although string 1 (room check 22 bytes) still fitted: 5 of 85 bytes "
         "were used", &r);
  assert_int_equal(r.flushes, 1);
  assert_int_equal(r.cap_min, 85);
  assert_int_equal(r.cap_max, 26);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_v1_reference_region),
      cmocka_unit_test(test_v1_headers_and_records),
      cmocka_unit_test(test_v1_region_and_frequency),
      cmocka_unit_test(test_v1_string_order),
      cmocka_unit_test(test_v1_more),
      cmocka_unit_test(test_v1_more_order_and_algorithms),
      cmocka_unit_test(test_no_callbacks),
      cmocka_unit_test(test_alloc_failure_with_differences),
      cmocka_unit_test(test_alloc_failure_v1_legacy),
      cmocka_unit_test(test_alloc_failure_v1_direct),
      cmocka_unit_test(test_alloc_failure_v2),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

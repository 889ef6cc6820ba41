/* verify-dump on v2 traces from the library's writer at a small capacity (many string and
 * stack batches), each copy with one departure planted: the capacity interval and the flush
 * checks at other capacities, batch headers (varint form, M), records (varint form), string
 * IDs out of order, a frame naming a string the dump would not have given it, and capacities
 * outside the rewrite's range. Events are located with the decoder on the unmodified file;
 * the expected offset is the planted record's (or its batch's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_util.h"
#include "stacktab/st_varint.h"
#include "stacktab/st_verify.h"
#include "stacktab/st_writer.h"

typedef struct {
  uint64_t off, size, id;
  unsigned type;
} loc;
typedef struct {
  loc e[4096];
  size_t n;
} locs;

static void on_loc(void *u, const st_event *ev) {
  locs *l = u;
  assert_true(l->n < 4096);
  l->e[l->n++] = (loc){ev->off, ev->size,
                       ev->type == ST_EV2_STRING ? ev->str_id : ev->stack_id, ev->type};
}

static void locate(locs *l, const uint8_t *p, size_t n) {
  l->n = 0;
  st_decode_config c;
  st_decode_config_default(&c);
  c.on_event = on_loc;
  c.user = l;
  assert_int_equal(st_decode_buffer(&c, p, n), ST_OK);
}

typedef struct {
  st_verify_diff first;
  size_t n;
} seen;

static void on_diff(void *u, const st_verify_diff *d) {
  seen *s = u;
  if (s->n++ == 0) s->first = *d;
}

static st_status verify(const uint8_t *p, size_t n, uint64_t cap, seen *s, st_verify_result *r) {
  st_verify_config c;
  st_verify_config_default(&c);
  c.cap = cap;
  c.on_diff = on_diff;
  memset(s, 0, sizeof *s);
  c.user = s;
  return st_verify_buffer(&c, p, n, r);
}

static void expect_first(const uint8_t *p, size_t n, uint64_t cap, st_verify_kind kind,
                         uint64_t off, const char *msg) {
  seen s;
  st_verify_result r;
  st_status st = verify(p, n, cap, &s, &r);
  if (s.n == 0 || s.first.kind != kind || s.first.off != off ||
      (msg && strcmp(s.first.message, msg)))
    fail_msg("want %s at %llu (%s); got %zu, first %s at %llu: %s", st_verify_kind_id(kind),
             (unsigned long long)off, msg ? msg : "", s.n, st_verify_kind_id(s.first.kind),
             (unsigned long long)s.first.off, s.first.message);
  assert_int_equal(st, ST_E_INVALID);
  assert_int_equal(r.decode_errors, 0);
}

static size_t sym(void *u, uint64_t pc, st_enc_frame *out, size_t max) {
  (void)u;
  if ((pc >> 6) % 5 == 0 && pc % 64 == 2) return 0; /* unresolved: a frame of zeros */
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

/* Go 1.23, capacity cap: stacks of 1 to 3 frames (room checks 62, 102, 142) or all of `frames`,
 * some PCs unresolved (a frame of zeros), so that the stack section takes many batches; a user
 * string "hello" and two log messages, "" and "hello". */
static stt_bytes v2_trace_cap(int nstacks, size_t cap, int frames) {
  stt_bytes out = {0};
  st_writer_config c;
  st_writer_config_default(&c);
  c.version = ST_VER_1_23;
  c.buf_size = cap;
  c.symbolize = sym;
  c.write = put;
  c.write_user = &out;
  st_writer w;
  assert_int_equal(st_writer_init(&w, &c), 0);
  assert_int_equal(st_writer_batch(&w, 1, 100), 0);
  for (uint64_t s = 1; s <= (uint64_t)nstacks; s++) {
    uint64_t pcs[3], id;
    for (int k = 0; k < 3; k++) pcs[k] = 0x1000 + s * 64 + (uint64_t)k;
    assert_int_equal(st_writer_stack(&w, pcs, frames ? (size_t)frames : 1 + s % 3, &id), 0);
    uint64_t a[3] = {s, 1, id};
    assert_int_equal(st_writer_event(&w, ST_EV2_GO_UNBLOCK, 100 + s, a, 3, NULL), 0);
    if (s == 3) {
      assert_int_equal(st_writer_string(&w, "hello", 5, &id), 0);
      /* Log messages: an empty one, and one whose text was put before. */
      assert_int_equal(st_writer_emit_string(&w, "", 0, &id), 0);
      assert_int_equal(st_writer_emit_string(&w, "hello", 5, &id), 0);
    }
  }
  assert_int_equal(st_writer_finish(&w), 0);
  st_writer_free(&w);
  return out;
}

static stt_bytes v2_trace(int nstacks) { return v2_trace_cap(nstacks, 200, 0); }

/* The batch header holding record i: the latest EventBatch before it. */
static const loc *batch_of(const locs *l, size_t i) {
  while (l->e[i].type != ST_EV2_EVENT_BATCH) i--;
  return &l->e[i];
}

/* Adds delta to the 10-byte size field of the v2 batch header at q[off]. */
static void patch_size(uint8_t *q, uint64_t off, int64_t delta) {
  size_t pos = (size_t)off + 1, w;
  uint64_t x;
  for (int i = 0; i < 3; i++) {
    assert_int_equal(st_varint_get(q + pos, 10, &x, &w), ST_VARINT_OK);
    pos += w;
  }
  assert_int_equal(st_varint_get(q + pos, 10, &x, &w), ST_VARINT_OK);
  assert_int_equal(w, 10);
  st_varint_put_width(q + pos, (uint64_t)((int64_t)x + delta), 10);
}

/* A copy of p with `del` bytes at `at` replaced by ins[0..nins). */
static uint8_t *splice(const uint8_t *p, size_t n, size_t at, size_t del, const uint8_t *ins,
                       size_t nins, size_t *outn) {
  *outn = n - del + nins;
  uint8_t *q = malloc(*outn + 1);
  memcpy(q, p, at);
  memcpy(q + at, ins, nins);
  memcpy(q + at + nins, p + at + del, n - at - del);
  return q;
}

static size_t find(const locs *l, unsigned type, size_t nth) {
  for (size_t i = 0; i < l->n; i++)
    if (l->e[i].type == type && nth-- == 0) return i;
  fail();
  return 0;
}

/* The writer's trace verifies at its capacity, which lies in the interval; 90 stacks take
 * over 16 stacks batches (the batch lists grow past 16). At 160 a stack is past the room check; at 500
 * a batch begins though the next stack fitted; at 64 the rewrite is not skipped but every
 * record after the first of a batch is past the room check; beyond 2^30 the rewrite is
 * skipped. */
static void test_v2_capacities(void **s) {
  (void)s;
  stt_bytes t = v2_trace(90);
  seen sn;
  st_verify_result r;
  assert_int_equal(verify(t.p, t.len, 0, &sn, &r), ST_OK);
  assert_int_equal(r.algo, ST_VERIFY_V2);
  assert_int_equal(r.generations, 1);
  assert_int_equal(r.stacks, 90);
  assert_true(r.cap_min <= 200 && 200 <= r.cap_max);
  assert_true(r.flushes >= 19);
  assert_int_equal(verify(t.p, t.len, 200, &sn, &r), ST_OK);
  locs *l = malloc(sizeof *l);
  locate(l, t.p, t.len);
  /* The second stack of the first stacks batch: too far in for capacity 160 when its room
   * check does not fit. */
  size_t k = find(l, ST_EV2_STACKS, 0);
  const loc *b0 = batch_of(l, k);
  size_t i = k + 2;
  for (; l->e[i].type == ST_EV2_STACK; i++) {
    uint64_t pos = l->e[i].off - b0->off;
    /* frames: 1 + id % 3 as written; room check 22 + 40 n */
    if (pos + 22 + 40 * (1 + l->e[i].id % 3) > 160) break;
  }
  assert_int_equal(l->e[i].type, ST_EV2_STACK);
  seen x;
  assert_int_equal(verify(t.p, t.len, 160, &x, &r), ST_E_INVALID);
  assert_int_equal(x.first.kind, ST_VD_ROOM);
  assert_int_equal(x.first.off, l->e[i].off);
  /* At 500 the second stacks batch began early. */
  size_t k2 = find(l, ST_EV2_STACKS, 1);
  expect_first(t.p, t.len, 500, ST_VD_FLUSH_EARLY, batch_of(l, k2)->off, NULL);
  expect_first(t.p, t.len, 64, ST_VD_ROOM, l->e[k + 2].off, NULL);
  assert_int_equal(verify(t.p, t.len, 1ull << 31, &x, &r), ST_E_INVALID);
  assert_int_equal(x.first.kind, ST_VD_FLUSH_EARLY);
  free(l);
  stt_free(&t);
}

static void test_v2_headers_and_records(void **s) {
  (void)s;
  stt_bytes t = v2_trace(12);
  locs *l = malloc(sizeof *l);
  locate(l, t.p, t.len);
  size_t n;
  uint8_t *q;
  /* A strings batch's generation padded (01 81 00 ...): its header is not minimal. */
  const loc *sb = batch_of(l, find(l, ST_EV2_STRINGS, 0));
  static const uint8_t gen_pad[] = {0x01, 0x81, 0x00};
  q = splice(t.p, t.len, (size_t)sb->off, 2, gen_pad, sizeof gen_pad, &n);
  expect_first(q, n, 200, ST_VD_BATCH_HEADER, sb->off,
               "the batch header is not written with minimal varints");
  free(q);
  /* A strings batch of M 5 (the 10-byte 2^64-1 replaced by 05). */
  static const uint8_t m5[] = {0x05};
  q = splice(t.p, t.len, (size_t)sb->off + 2, 10, m5, 1, &n);
  expect_first(q, n, 200, ST_VD_BATCH_HEADER, sb->off,
               "a strings batch of M 5; the writer uses 2^64-1");
  free(q);
  /* String 2's ID padded (05 82 00 ...), its batch's size patched. */
  size_t si = find(l, ST_EV2_STRING, 1);
  assert_int_equal(l->e[si].id, 2);
  static const uint8_t id_pad[] = {0x05, 0x82, 0x00};
  q = splice(t.p, t.len, (size_t)l->e[si].off, 2, id_pad, sizeof id_pad, &n);
  patch_size(q, batch_of(l, si)->off, 1);
  expect_first(q, n, 200, ST_VD_RECORD, l->e[si].off,
               "String 2 is not written with minimal varints");
  free(q);
  /* Strings 1 and 2 swapped: IDs out of the order they are given. */
  size_t s1 = find(l, ST_EV2_STRING, 0);
  assert_int_equal(s1 + 1, si);
  uint8_t *sw = malloc((size_t)(l->e[s1].size + l->e[si].size));
  memcpy(sw, t.p + l->e[si].off, (size_t)l->e[si].size);
  memcpy(sw + l->e[si].size, t.p + l->e[s1].off, (size_t)l->e[s1].size);
  q = splice(t.p, t.len, (size_t)l->e[s1].off, (size_t)(l->e[s1].size + l->e[si].size), sw,
             (size_t)(l->e[s1].size + l->e[si].size), &n);
  expect_first(q, n, 200, ST_VD_STRING_ORDER, l->e[s1].off + l->e[si].size,
               "String 1 comes after String 2; the writer gives IDs in the order it writes "
               "strings");
  free(sw);
  free(q);
  /* The first stack's ID padded (03 81 00 ...), its batch's size patched. */
  size_t ki = find(l, ST_EV2_STACK, 0);
  q = malloc(t.len + 1);
  n = t.len + 1;
  uint64_t id = l->e[ki].id;
  assert_true(id < 128);
  size_t at = (size_t)l->e[ki].off;
  memcpy(q, t.p, at + 1);
  q[at + 1] = (uint8_t)(0x80 | id);
  q[at + 2] = 0x00;
  memcpy(q + at + 3, t.p + at + 2, t.len - at - 2);
  patch_size(q, batch_of(l, ki)->off, 1);
  char msg[80];
  snprintf(msg, sizeof msg, "Stack %llu is not written with minimal varints",
           (unsigned long long)id);
  expect_first(q, n, 200, ST_VD_RECORD, l->e[ki].off, msg);
  /* Its frame count padded instead: the payload check stops at the count. */
  memcpy(q, t.p, at + 2);
  q[at + 2] = (uint8_t)(0x80 | t.p[at + 2]);
  q[at + 3] = 0x00;
  memcpy(q + at + 4, t.p + at + 3, t.len - at - 3);
  patch_size(q, batch_of(l, ki)->off, 1);
  expect_first(q, n, 200, ST_VD_RECORD, l->e[ki].off, msg);
  free(q);
  /* The first stack's first frame names its file's string as its function: the dump interns
   * names in frame order, so that is not the ID the reference gives it. Frame: pc fn file line
   * after 03 V(id) V(n). */
  q = malloc(t.len);
  memcpy(q, t.p, t.len);
  size_t pos = at + 1, w;
  uint64_t v;
  for (int f = 0; f < 3; f++) { /* id, n, pc */
    assert_int_equal(st_varint_get(q + pos, 10, &v, &w), ST_VARINT_OK);
    pos += w;
  }
  uint64_t fn, file;
  size_t wfn, wfile;
  assert_int_equal(st_varint_get(q + pos, 10, &fn, &wfn), ST_VARINT_OK);
  assert_int_equal(st_varint_get(q + pos + wfn, 10, &file, &wfile), ST_VARINT_OK);
  assert_int_equal(wfn, 1);
  assert_int_equal(wfile, 1);
  q[pos] = (uint8_t)file;
  snprintf(msg, sizeof msg,
           "Stack %llu frame 0 names string %llu; interning the dump's names in its order gives "
           "%llu",
           (unsigned long long)id, (unsigned long long)file, (unsigned long long)fn);
  expect_first(q, t.len, 200, ST_VD_STRING_ORDER, l->e[ki].off, msg);
  free(q);
  free(l);
  stt_free(&t);
}

/* An experimental batch (31 V(exp 0) V(gen) V(M) V(time) [size 5]) with a 5-byte payload,
 * put after the first event batch: no part of the tables. */
static void test_v2_experimental_batch(void **s) {
  (void)s;
  stt_bytes t = v2_trace(12);
  locs *l = malloc(sizeof *l);
  locate(l, t.p, t.len);
  size_t first = find(l, ST_EV2_EVENT_BATCH, 1); /* the first is the frequency batch */
  size_t at = (size_t)(l->e[first].off + l->e[first].size);
  while (l->e[first + 1].off < at || l->e[first + 1].type != ST_EV2_EVENT_BATCH) first++;
  at = (size_t)l->e[first + 1].off; /* the end of the first event batch */
  static const uint8_t exp[] = {0x31, 0x00, 0x01, 0x01, 0x64, 0x85, 0x80, 0x80, 0x80, 0x80,
                                0x80, 0x80, 0x80, 0x80, 0x00, 0x80, 0x01, 0x01, 0x01, 0x01};
  size_t n;
  uint8_t *q = splice(t.p, t.len, at, 0, exp, sizeof exp, &n);
  seen sn;
  st_verify_result r;
  st_status st = verify(q, n, 200, &sn, &r);
  if (st != ST_OK) fail_msg("status %d, %zu differences, first at %llu: %s", st, sn.n,
                            (unsigned long long)sn.first.off, sn.first.message);
  assert_int_equal(r.stacks, 12);
  /* The decoder reads the batch and its event as such. */
  locs *m = malloc(sizeof *m);
  locate(m, q, n);
  size_t e = 0;
  while (e < m->n && m->e[e].off != at) e++;
  assert_true(e + 1 < m->n);
  assert_int_equal(m->e[e].type, ST_EV2_EXPERIMENTAL_BATCH);
  /* Its payload is the experiment's: the next event is the batch after it. */
  assert_int_equal(m->e[e + 1].off, at + sizeof exp);
  assert_int_equal(m->e[e + 1].type, ST_EV2_EVENT_BATCH);
  free(m);
  free(q);
  free(l);
  stt_free(&t);
}

static void test_v2_more(void **s) {
  (void)s;
  stt_bytes t = v2_trace(12);
  locs *l = malloc(sizeof *l);
  locate(l, t.p, t.len);
  size_t n;
  uint8_t *q;
  /* A stacks batch of M 5. */
  const loc *kb = batch_of(l, find(l, ST_EV2_STACKS, 0));
  static const uint8_t m5[] = {0x05};
  q = splice(t.p, t.len, (size_t)kb->off + 2, 10, m5, 1, &n);
  expect_first(q, n, 200, ST_VD_BATCH_HEADER, kb->off,
               "a stacks batch of M 5; the writer uses 2^64-1");
  free(q);
  /* The first stack's first PC padded (one more byte), its batch's size patched. */
  size_t ki = find(l, ST_EV2_STACK, 0);
  size_t at = (size_t)l->e[ki].off + 1, w;
  uint64_t v;
  for (int f = 0; f < 2; f++) { /* id, n */
    assert_int_equal(st_varint_get(t.p + at, 10, &v, &w), ST_VARINT_OK);
    at += w;
  }
  uint64_t pc;
  assert_int_equal(st_varint_get(t.p + at, 10, &pc, &w), ST_VARINT_OK);
  uint8_t pad[ST_VARINT_MAX];
  size_t pw = st_varint_put_width(pad, pc, w + 1);
  q = splice(t.p, t.len, at, w, pad, pw, &n);
  patch_size(q, batch_of(l, ki)->off, 1);
  char msg[80];
  snprintf(msg, sizeof msg, "Stack %llu is not written with minimal varints",
           (unsigned long long)l->e[ki].id);
  expect_first(q, n, 200, ST_VD_RECORD, l->e[ki].off, msg);
  free(q);
  free(l);
  stt_free(&t);
  /* One generation whose tables fit one batch each: nothing to flush, so at a capacity over
   * 2^30 the rewrite is skipped and nothing differs. */
  t = v2_trace_cap(3, ST_V2_BUF_SIZE, 0);
  seen sn;
  st_verify_result r;
  assert_int_equal(verify(t.p, t.len, 1ull << 31, &sn, &r), ST_OK);
  assert_int_equal(r.cap_used, 1ull << 31);
  assert_int_equal(r.flushes, 0);
  stt_free(&t);
  /* Three 3-frame stacks (room check 22 + 120 = 142), each first in its own stacks batch at
   * capacity 200, every string batch within 100: at capacity 100 no room check of the file
   * fails (a batch's first record is not checked against the capacity), but the reference
   * cannot write a stack at all. */
  t = v2_trace_cap(3, 170, 3);
  locate(l = malloc(sizeof *l), t.p, t.len);
  size_t s0 = find(l, ST_EV2_STRINGS, 0);
  assert_int_equal(verify(t.p, t.len, 170, &sn, &r), ST_OK);
  assert_int_equal(r.cap_min, 165); /* a stack batch's header 23 bytes, then 142 */
  assert_int_equal(verify(t.p, t.len, 164, &sn, &r), ST_E_INVALID);
  assert_int_equal(sn.first.kind, ST_VD_BYTES);
  assert_int_equal(sn.first.off, batch_of(l, s0)->off); /* named at the first strings batch */
  assert_string_equal(sn.first.message, "the reference cannot write generation 1's tables at "
                                        "capacity 164: record too big for an empty buffer of "
                                        "this capacity");
  free(l);
  stt_free(&t);
}

/* Each allocation in turn fails once over a trace with over 16 stacks batches: ST_E_NOMEM, nothing
 * reported, every block freed with its size. */
static void test_v2_alloc_failure(void **s) {
  (void)s;
  stt_bytes t = v2_trace(90);
  long fail_at;
  for (fail_at = 1;; fail_at++) {
    stt_alloc a;
    stt_alloc_init(&a, fail_at);
    st_verify_config c;
    st_verify_config_default(&c);
    c.alloc = &a.a;
    seen sn;
    memset(&sn, 0, sizeof sn);
    c.on_diff = on_diff;
    c.user = &sn;
    st_verify_result r;
    st_status st = st_verify_buffer(&c, t.p, t.len, &r);
    assert_int_equal(a.live, 0);
    assert_int_equal(a.bytes, 0);
    assert_int_equal(a.bad_old, 0);
    if (a.failures == 0) {
      assert_int_equal(st, ST_OK);
      break;
    }
    if (st != ST_E_NOMEM) fail_msg("allocation %ld: status %d", fail_at, st);
    assert_int_equal(sn.n, 0);
  }
  assert_true(fail_at > 10);
  stt_free(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_v2_capacities),
      cmocka_unit_test(test_v2_headers_and_records),
      cmocka_unit_test(test_v2_experimental_batch),
      cmocka_unit_test(test_v2_more),
      cmocka_unit_test(test_v2_alloc_failure),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

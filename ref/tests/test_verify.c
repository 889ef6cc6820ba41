/* verify-dump: real traces verify, and each kind of difference planted into a copy of a real
 * trace or of an encoder output is reported with its ID at the offset of the event where the
 * copy departs from the reference (worked out here from the planted edit). Events are located
 * with the decoder on the unmodified file. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_util.h"
#include "stacktab/st_verify.h"
#include "stacktab/st_writer.h"

typedef struct {
  uint64_t off, size, id, len, nframes, fn0;
  unsigned type;
  uint8_t width, format;
} loc;

typedef struct {
  loc *e;
  size_t n;
} locs;

static void on_loc(void *u, const st_event *ev) {
  locs *l = u;
  l->e = realloc(l->e, (l->n + 1) * sizeof *l->e);
  loc *x = &l->e[l->n++];
  x->off = ev->off;
  x->size = ev->size;
  x->type = ev->type;
  x->width = ev->len_width;
  x->len = ev->len;
  x->format = ev->format;
  x->id = ev->type == (ev->format == 2 ? ST_EV2_STRING : ST_EV_STRING) ? ev->str_id : ev->stack_id;
  x->nframes = ev->nframes;
  x->fn0 = ev->nframes && ev->frames ? ev->frames[0].fn_id : 0;
}

static locs locate(const uint8_t *p, size_t n) {
  locs l = {NULL, 0};
  st_decode_config c;
  st_decode_config_default(&c);
  c.mode = ST_MODE_GO;
  c.on_event = on_loc;
  c.user = &l;
  assert_int_equal(st_decode_buffer(&c, p, n), ST_OK);
  return l;
}

typedef struct {
  st_verify_diff first;
  size_t n;
} diffs;

static void on_diff(void *u, const st_verify_diff *d) {
  diffs *x = u;
  if (x->n++ == 0) x->first = *d;
}

static st_status verify(const uint8_t *p, size_t n, st_mode mode, uint64_t cap, diffs *out,
                        st_verify_result *res) {
  st_verify_config c;
  st_verify_config_default(&c);
  c.mode = mode;
  c.cap = cap;
  c.on_diff = on_diff;
  memset(out, 0, sizeof *out);
  c.user = out;
  return st_verify_buffer(&c, p, n, res);
}

static void expect_diff(const uint8_t *p, size_t n, st_mode mode, uint64_t cap,
                        st_verify_kind kind, uint64_t off) {
  diffs d;
  st_verify_result r;
  st_status s = verify(p, n, mode, cap, &d, &r);
  if (d.n == 0 || d.first.kind != kind || d.first.off != off)
    print_error("want %s at %llu, got %zu differences, first %s at %llu: %s\n",
                st_verify_kind_id(kind), (unsigned long long)off, d.n,
                st_verify_kind_id(d.first.kind), (unsigned long long)d.first.off, d.first.message);
  assert_int_equal(s, ST_E_INVALID);
  assert_int_equal(r.decode_errors, 0);
  assert_int_equal(d.first.kind, kind);
  assert_int_equal(d.first.off, off);
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

static uint8_t *read_own(const char *name, size_t *n) {
  char path[512];
  snprintf(path, sizeof path, "%s/corpus/own/%s", ST_SOURCE_DIR, name);
  uint8_t *p = stt_read_file(path, n);
  assert_non_null(p);
  return p;
}

/* The first EvStack after the last Frequency (the v1 dump region). */
static size_t first_region_stack(const locs *l) {
  size_t f = 0;
  for (size_t i = 0; i < l->n; i++)
    if (l->e[i].type == ST_EV_FREQUENCY) f = i;
  for (size_t i = f; i < l->n; i++)
    if (l->e[i].type == ST_EV_STACK) return i;
  fail();
  return 0;
}

/* ---- v1, legacy: Go 1.19's own trace ---- */

static void test_legacy_length_padded(void **state) {
  (void)state;
  size_t n, m;
  uint8_t *p = read_own("go1.19-own-small.trace", &n);
  locs l = locate(p, n);
  const loc *k = &l.e[first_region_stack(&l)];
  uint8_t w[ST_VARINT_MAX];
  size_t ww = st_varint_put_width(w, k->len, k->width + 1u); /* one byte wider */
  uint8_t *q = splice(p, n, (size_t)k->off + 1, k->width, w, ww, &m);
  expect_diff(q, m, ST_MODE_STRICT, 0, ST_VD_LEN_WIDTH, k->off);
  free(q);
  free(l.e);
  free(p);
}

/* A string moved behind the stack that uses it (legal for go mode's decoding only). */
static void test_legacy_string_after_stack(void **state) {
  (void)state;
  size_t n, m;
  uint8_t *p = read_own("go1.19-own-small.trace", &n);
  locs l = locate(p, n);
  size_t i = first_region_stack(&l);
  for (; i < l.n; i++) /* a stack right after a string it names first */
    if (l.e[i].type == ST_EV_STACK && l.e[i - 1].type == ST_EV_STRING && l.e[i].fn0 == l.e[i - 1].id)
      break;
  assert_true(i < l.n);
  const loc *s = &l.e[i - 1], *k = &l.e[i];
  uint8_t *swapped = malloc(s->size + k->size);
  memcpy(swapped, p + k->off, k->size);
  memcpy(swapped + k->size, p + s->off, s->size);
  uint8_t *q = splice(p, n, (size_t)s->off, s->size + k->size, swapped, s->size + k->size, &m);
  /* The stack now starts where the string did. */
  expect_diff(q, m, ST_MODE_GO, 0, ST_VD_STRING_ORDER, s->off);
  free(swapped);
  free(q);
  free(l.e);
  free(p);
}

/* A flush inserted where the record still fitted: at the runtime's capacity, 64488. */
static void test_legacy_flush_inserted(void **state) {
  (void)state;
  size_t n, m;
  uint8_t *p = read_own("go1.19-own-small.trace", &n);
  locs l = locate(p, n);
  size_t i = first_region_stack(&l) + 10;
  static const uint8_t batch[] = {0x41, 0x00, 0x01}; /* pid 0, ticks 1 */
  uint8_t *q = splice(p, n, (size_t)l.e[i].off, 0, batch, sizeof batch, &m);
  expect_diff(q, m, ST_MODE_STRICT, 64488, ST_VD_FLUSH_EARLY, l.e[i].off);
  free(q);
  free(l.e);
  free(p);
}

/* A function name made longer than 1024 bytes (the writer keeps its last 1024). */
static void test_legacy_name_not_cut(void **state) {
  (void)state;
  size_t n, m;
  uint8_t *p = read_own("go1.19-own-small.trace", &n);
  locs l = locate(p, n);
  size_t i = first_region_stack(&l);
  size_t s = 0;
  for (size_t j = 0; j < l.n; j++)
    if (l.e[j].type == ST_EV_STRING && l.e[j].id == l.e[i].fn0) s = j;
  const loc *str = &l.e[s];
  /* EvString: 25 V(id) V(len) bytes: rebuild it with 1100 more bytes. */
  uint8_t *rec = malloc(str->size + 1200);
  size_t r = 0, idw = st_varint_size(str->id), lw;
  uint64_t len;
  assert_int_equal(st_varint_get(p + str->off + 1 + idw, 10, &len, &lw), ST_VARINT_OK);
  rec[r++] = ST_EV_STRING;
  r += st_varint_put(rec + r, str->id);
  r += st_varint_put(rec + r, len + 1100);
  memset(rec + r, 'x', 1100);
  r += 1100;
  memcpy(rec + r, p + str->off + 1 + idw + lw, (size_t)len);
  r += (size_t)len;
  uint8_t *q = splice(p, n, (size_t)str->off, str->size, rec, r, &m);
  expect_diff(q, m, ST_MODE_STRICT, 0, ST_VD_STRING_CUT, str->off);
  free(rec);
  free(q);
  free(l.e);
  free(p);
}

/* ---- v1, direct: a trace from the library's writer with a small buffer (many batches) ---- */

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

static stt_bytes direct_trace(size_t cap) {
  stt_bytes out = {0};
  st_writer_config c;
  st_writer_config_default(&c);
  c.version = ST_VER_1_21;
  c.algo = ST_ALGO_DIRECT;
  c.buf_size = cap;
  c.symbolize = sym;
  c.write = put;
  c.write_user = &out;
  st_writer w;
  assert_int_equal(st_writer_init(&w, &c), 0);
  assert_int_equal(st_writer_batch(&w, 0, 100), 0);
  for (uint64_t s = 1; s <= 60; s++) {
    uint64_t pcs[8], id;
    for (int k = 0; k < 8; k++) pcs[k] = 0x1000 + s * 64 + (uint64_t)k;
    assert_int_equal(st_writer_stack(&w, pcs, 1 + s % 8, &id), 0);
    uint64_t a[1] = {id};
    assert_int_equal(st_writer_event(&w, ST_EV_GO_SCHED, 100 + s, a, 1, NULL), 0);
  }
  assert_int_equal(st_writer_finish(&w), 0);
  st_writer_free(&w);
  return out;
}

static void test_direct_verifies_and_cap_interval(void **state) {
  (void)state;
  stt_bytes t = direct_trace(700);
  diffs d;
  st_verify_result r;
  assert_int_equal(verify(t.p, t.len, ST_MODE_STRICT, 0, &d, &r), ST_OK);
  assert_int_equal(r.algo, ST_VERIFY_DIRECT);
  assert_true(r.flushes >= 3);
  assert_true(r.cap_min <= 700 && 700 <= r.cap_max);
  /* The same at the writer's capacity; one below the interval is not the reference's. */
  assert_int_equal(verify(t.p, t.len, ST_MODE_STRICT, 700, &d, &r), ST_OK);
  assert_int_equal(verify(t.p, t.len, ST_MODE_STRICT, r.cap_min - 1, &d, &r), ST_E_INVALID);
  stt_free(&t);
}

static void test_direct_length_minimal(void **state) {
  (void)state;
  stt_bytes t = direct_trace(700);
  locs l = locate(t.p, t.len);
  const loc *k = &l.e[first_region_stack(&l)];
  uint8_t w[ST_VARINT_MAX];
  size_t ww = st_varint_put(w, k->len);
  size_t m;
  uint8_t *q = splice(t.p, t.len, (size_t)k->off + 1, 10, w, ww, &m);
  expect_diff(q, m, ST_MODE_STRICT, 700, ST_VD_LEN_WIDTH, k->off);
  free(q);
  free(l.e);
  stt_free(&t);
}

/* The first record of the second dump batch moved across the flush, to the end of the first:
 * it now sits past the room check. */
static void test_direct_record_across_flush(void **state) {
  (void)state;
  stt_bytes t = direct_trace(700);
  locs l = locate(t.p, t.len);
  size_t f = 0, b = 0;
  for (size_t i = 0; i < l.n; i++)
    if (l.e[i].type == ST_EV_FREQUENCY) f = i;
  for (size_t i = f + 1; i < l.n && !b; i++)
    if (l.e[i].type == ST_EV_BATCH) b = i;
  assert_true(b > 0 && b + 1 < l.n);
  const loc *hdr = &l.e[b], *rec = &l.e[b + 1];
  uint8_t *sw = malloc(hdr->size + rec->size);
  memcpy(sw, t.p + rec->off, rec->size);
  memcpy(sw + rec->size, t.p + hdr->off, hdr->size);
  size_t m;
  uint8_t *q = splice(t.p, t.len, (size_t)hdr->off, hdr->size + rec->size, sw,
                      hdr->size + rec->size, &m);
  expect_diff(q, m, ST_MODE_STRICT, 700, ST_VD_ROOM, hdr->off);
  free(sw);
  free(q);
  free(l.e);
  stt_free(&t);
}

/* ---- v2: the project's own Go 1.23 traces ---- */

/* Offset of the size field in the v2 batch header at p[off], its width, and its value. */
static size_t size_field(const uint8_t *p, size_t off, size_t *w, uint64_t *v) {
  size_t pos = off + 1, k;
  uint64_t x;
  for (int i = 0; i < 3; i++) {
    assert_int_equal(st_varint_get(p + pos, 10, &x, &k), ST_VARINT_OK);
    pos += k;
  }
  assert_int_equal(st_varint_get(p + pos, 10, v, w), ST_VARINT_OK);
  return pos;
}

static void test_v2_size_field_minimal(void **state) {
  (void)state;
  size_t n, m;
  uint8_t *p = read_own("go1.23-own-small.trace", &n);
  locs l = locate(p, n);
  size_t b = 0;
  for (size_t i = 0; i + 1 < l.n && !b; i++)
    if (l.e[i].type == ST_EV2_EVENT_BATCH && l.e[i + 1].type == ST_EV2_STACKS) b = i;
  assert_true(b > 0);
  size_t w;
  uint64_t size;
  size_t at = size_field(p, (size_t)l.e[b].off, &w, &size);
  uint8_t enc[ST_VARINT_MAX];
  uint8_t *q = splice(p, n, at, w, enc, st_varint_put(enc, size), &m);
  expect_diff(q, m, ST_MODE_STRICT, 65504, ST_VD_SIZE_WIDTH, l.e[b].off);
  free(q);
  free(l.e);
  free(p);
}

/* A stack record moved across a flush: the first Stack of a generation's second stacks batch
 * moved to the end of the first, whose size and the second's are patched to match. */
static void test_v2_stack_across_flush(void **state) {
  (void)state;
  size_t n;
  uint8_t *p = read_own("go1.23-own-varied.trace", &n);
  locs l = locate(p, n);
  size_t b1 = 0, b2 = 0;
  for (size_t i = 0; i + 1 < l.n && !b2; i++) {
    if (l.e[i].type != ST_EV2_EVENT_BATCH || l.e[i + 1].type != ST_EV2_STACKS) continue;
    if (!b1) b1 = i;
    else if (l.e[i].off > l.e[b1].off) b2 = i;
  }
  assert_true(b1 && b2);
  /* The two batches are consecutive stacks batches of generation 1 (their times ascend). */
  const loc *h2 = &l.e[b2], *rec = &l.e[b2 + 2];
  assert_int_equal(rec->type, ST_EV2_STACK);
  size_t w1, w2;
  uint64_t s1, s2;
  size_t f1 = size_field(p, (size_t)l.e[b1].off, &w1, &s1);
  size_t f2 = size_field(p, (size_t)h2->off, &w2, &s2);
  assert_int_equal(w1, 10);
  assert_int_equal(w2, 10);
  uint8_t *q = malloc(n);
  size_t end1 = (size_t)h2->off; /* batch 1 ends where batch 2 starts */
  size_t pos = 0;
  memcpy(q, p, end1);
  pos = end1;
  memcpy(q + pos, p + rec->off, rec->size); /* the record, now batch 1's last */
  pos += (size_t)rec->size;
  memcpy(q + pos, p + h2->off, (size_t)(rec->off - h2->off)); /* batch 2's header and 02 */
  pos += (size_t)(rec->off - h2->off);
  memcpy(q + pos, p + rec->off + rec->size, n - (size_t)(rec->off + rec->size));
  st_varint_put_width(q + f1, s1 + rec->size, 10);
  st_varint_put_width(q + f2 + rec->size, s2 - rec->size, 10);
  expect_diff(q, n, ST_MODE_STRICT, 65504, ST_VD_ROOM, end1);
  free(q);
  free(l.e);
  free(p);
}

/* A v2 trace where a log message emitted before the dump has a name's bytes (the dump puts the
 * name again under a new ID) and the last string before the dump is a name put by a GoLabel
 * (the dump finds it): both as the runtime writes them, so the verifier must accept it. */
static size_t sym_f(void *u, uint64_t pc, st_enc_frame *out, size_t max) {
  (void)u;
  if (max) out[0] = (st_enc_frame){pc, "main.f", 6, "main.go", 7, 12};
  return 1;
}

static void test_v2_emitted_and_named_strings(void **state) {
  (void)state;
  stt_bytes out = {0};
  st_writer_config c;
  st_writer_config_default(&c);
  c.version = ST_VER_1_23;
  c.symbolize = sym_f;
  c.write = put;
  c.write_user = &out;
  st_writer w;
  assert_int_equal(st_writer_init(&w, &c), 0);
  assert_int_equal(st_writer_batch(&w, 1, 100), 0);
  uint64_t status[3] = {0, 1}; /* ProcStatus p 0 running */
  assert_int_equal(st_writer_event(&w, ST_EV2_PROC_STATUS, 101, status, 2, NULL), 0);
  uint64_t msg, label, stk, pc = 0x1000;
  assert_int_equal(st_writer_emit_string(&w, "main.go", 7, &msg), 0);
  uint64_t log[4] = {0, 0, msg, 0};
  assert_int_equal(st_writer_event(&w, ST_EV2_USER_LOG, 102, log, 4, NULL), 0);
  assert_int_equal(st_writer_string(&w, "main.f", 6, &label), 0);
  assert_int_equal(st_writer_event(&w, ST_EV2_GO_LABEL, 103, &label, 1, NULL), 0);
  assert_int_equal(st_writer_stack(&w, &pc, 1, &stk), 0);
  uint64_t alloc[1] = {4096};
  assert_int_equal(st_writer_event(&w, ST_EV2_HEAP_ALLOC, 104, alloc, 1, NULL), 0);
  assert_int_equal(st_writer_finish(&w), 0);
  st_writer_free(&w);
  /* The dump put main.go again (3) after the emitted one (1) and found main.f (2). */
  diffs d;
  st_verify_result r;
  st_status st = verify(out.p, out.len, ST_MODE_STRICT, 0, &d, &r);
  if (st != ST_OK) print_error("%s at %llu: %s\n", st_verify_kind_id(d.first.kind),
                               (unsigned long long)d.first.off, d.first.message);
  assert_int_equal(st, ST_OK);
  assert_int_equal(r.strings, 3);
  assert_int_equal(r.stacks, 1);
  stt_free(&out);
}

/* ---- every real and own trace verifies; the runtime's capacity is in the interval ---- */

static void verify_dir(const char *dir, const char *prefix) {
  DIR *d = opendir(dir);
  if (!d) {
    print_message("%s absent: skipped\n", dir);
    return;
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t l = strlen(e->d_name);
    if (l < 7 || strcmp(e->d_name + l - 6, ".trace") || strncmp(e->d_name, prefix, strlen(prefix)))
      continue;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    size_t n;
    uint8_t *p = stt_read_file(path, &n);
    diffs df;
    st_verify_result r;
    st_status s = verify(p, n, ST_MODE_STRICT, 0, &df, &r);
    if (s != ST_OK) print_error("%s: %s at %llu: %s\n", path, st_verify_kind_id(df.first.kind),
                                (unsigned long long)df.first.off, df.first.message);
    assert_int_equal(s, ST_OK);
    uint64_t runtime = r.format == 2 ? 65504 : 64488;
    if (r.cap_max != UINT64_MAX) assert_true(r.cap_min <= runtime && runtime <= r.cap_max);
    print_message("%s: %s, capacity %llu..%llu, %llu flushes\n", e->d_name,
                  r.format == 2 ? "v2" : r.algo == ST_VERIFY_DIRECT ? "direct" : "legacy",
                  (unsigned long long)r.cap_min, (unsigned long long)r.cap_max,
                  (unsigned long long)r.flushes);
    free(p);
  }
  closedir(d);
}

static void test_real_traces_verify(void **state) {
  (void)state;
  verify_dir(ST_SHARED_CORPUS, "go1.");
  verify_dir(ST_SHARED_CORPUS "-v2", "go1.");
  verify_dir(ST_SOURCE_DIR "/corpus/own", "go1.");
}

/* Every encoder golden file verifies (go mode: the boundary cases are dump regions without
 * event batches, which strict mode calls BATCH-MISSING). */
static void test_encoder_golden_files_verify(void **state) {
  (void)state;
  DIR *d = opendir(ST_SOURCE_DIR "/conformance/cases");
  assert_non_null(d);
  struct dirent *e;
  int count = 0;
  while ((e = readdir(d)) != NULL) {
    size_t l = strlen(e->d_name);
    if (strncmp(e->d_name, "e_", 2) || l < 7 || strcmp(e->d_name + l - 6, ".trace")) continue;
    char path[512];
    snprintf(path, sizeof path, "%s/conformance/cases/%s", ST_SOURCE_DIR, e->d_name);
    size_t n;
    uint8_t *p = stt_read_file(path, &n);
    diffs df;
    st_verify_result r;
    st_status s = verify(p, n, ST_MODE_GO, 0, &df, &r);
    if (s != ST_OK) print_error("%s: %s at %llu: %s\n", path, st_verify_kind_id(df.first.kind),
                                (unsigned long long)df.first.off, df.first.message);
    assert_int_equal(s, ST_OK);
    count++;
    free(p);
  }
  closedir(d);
  assert_true(count >= 20);
}

static void on_diag_count(void *u, const st_diag *d) {
  (void)d;
  (*(int *)u)++;
}

/* A trace that does not decode: the decoder's diagnostics, nothing verified. */
static void test_not_decoding(void **state) {
  (void)state;
  size_t n;
  uint8_t *p = read_own("go1.19-own-small.trace", &n);
  st_verify_config c;
  st_verify_config_default(&c);
  int ndiag = 0;
  c.on_diag = on_diag_count;
  c.user = &ndiag;
  st_verify_result r;
  assert_int_equal(st_verify_buffer(&c, p, 2500, &r), ST_E_INVALID);
  assert_int_equal(r.decode_errors, 1);
  assert_int_equal(ndiag, 1);
  assert_int_equal(r.diffs, 0);
  c.algo = (st_verify_algo)7;
  assert_int_equal(st_verify_buffer(&c, p, n, &r), ST_E_PARAM);
  assert_string_equal(st_verify_kind_id(ST_VD_ROOM), "DUMP-ROOM");
  assert_string_equal(st_verify_kind_id(ST_VD_COUNT), "NONE");
  assert_true(strlen(st_verify_kind_summary(ST_VD_FLUSH_EARLY)) > 10);
  assert_string_equal(st_verify_kind_summary(ST_VD_COUNT), "");
  free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_real_traces_verify),
      cmocka_unit_test(test_encoder_golden_files_verify),
      cmocka_unit_test(test_not_decoding),
      cmocka_unit_test(test_legacy_length_padded),
      cmocka_unit_test(test_legacy_string_after_stack),
      cmocka_unit_test(test_legacy_flush_inserted),
      cmocka_unit_test(test_legacy_name_not_cut),
      cmocka_unit_test(test_direct_verifies_and_cap_interval),
      cmocka_unit_test(test_direct_length_minimal),
      cmocka_unit_test(test_direct_record_across_flush),
      cmocka_unit_test(test_v2_size_field_minimal),
      cmocka_unit_test(test_v2_stack_across_flush),
      cmocka_unit_test(test_v2_emitted_and_named_strings),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

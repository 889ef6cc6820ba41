/* Round trip: random stack tables written by the writer (both algorithms, capacities from the
 * smallest that holds the largest record up to 64488) and read back by the strict decoder.
 * Checks: the decoder reports nothing; every stack comes back with exactly the expected frames
 * (names cut to their last 1024 bytes, a zero frame where nothing resolved); no batch exceeds
 * the capacity; no frame names a string not defined before it; direct lengths are 10 bytes,
 * legacy lengths minimal; legacy and direct give the same stacks and strings. One byte less
 * than the smallest capacity makes the largest record fail with ST_ENC_E_TOO_BIG. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_util.h"
#include "stacktab/st_writer.h"

static uint64_t g_rng;
static uint64_t rnd(void) { /* xorshift64* */
  g_rng ^= g_rng >> 12;
  g_rng ^= g_rng << 25;
  g_rng ^= g_rng >> 27;
  return g_rng * 2685821657736338717ull;
}

#define MAXF 4
typedef struct {
  uint64_t pc;
  size_t nf;
  st_enc_frame f[MAXF];
} sym_t;

typedef struct {
  sym_t *syms;
  size_t nsyms;
  char **names;
  size_t nnames;
  uint64_t (*stacks)[9]; /* [0] = count, then PCs */
  size_t nstacks;
} model;

static size_t symbolize(void *u, uint64_t pc, st_enc_frame *out, size_t max) {
  const model *m = u;
  for (size_t i = 0; i < m->nsyms; i++)
    if (m->syms[i].pc == pc) {
      for (size_t k = 0; k < m->syms[i].nf && k < max; k++) out[k] = m->syms[i].f[k];
      return m->syms[i].nf;
    }
  return 0;
}

static const uint64_t k_lines[] = {0, 1, 127, 128, 16383, 16384, (1u << 21) - 1, 1u << 21,
                                   1ull << 63, UINT64_MAX};

static void make_model(model *m, uint64_t seed, size_t nstacks) {
  memset(m, 0, sizeof *m);
  g_rng = seed * 0x9e3779b97f4a7c15ull + 1;
  /* Names: "", short, 1024 bytes, 1500 and 3000 bytes (cut), arbitrary bytes. */
  static const size_t lens[] = {0, 1, 5, 17, 200, 1023, 1024, 1025, 1500, 3000};
  m->nnames = 24;
  m->names = calloc(m->nnames, sizeof *m->names);
  size_t *nlen = calloc(m->nnames, sizeof *nlen);
  for (size_t i = 0; i < m->nnames; i++) {
    size_t l = i < 10 ? lens[i] : 1 + rnd() % 60;
    m->names[i] = malloc(l + 1);
    for (size_t k = 0; k < l; k++) m->names[i][k] = (char)(i < 12 ? 'a' + (k + i) % 26 : 1 + rnd() % 255);
    /* Make every name distinct even after the 1024-byte cut. */
    if (l >= 4) memcpy(m->names[i] + l - 4, &(uint32_t){(uint32_t)(0x41414100u + i)}, 4);
    m->names[i][l] = 0;
    nlen[i] = l;
  }
  m->nsyms = 40;
  m->syms = calloc(m->nsyms, sizeof *m->syms);
  for (size_t i = 0; i < m->nsyms; i++) {
    sym_t *s = &m->syms[i];
    s->pc = i == 0 ? UINT64_MAX : i == 1 ? 1ull << 63 : i == 2 ? 1 : rnd() >> (rnd() % 64);
    if (s->pc == 0) s->pc = 2;
    s->nf = i % 7 == 6 ? 0 : 1 + rnd() % MAXF; /* some PCs resolve to nothing */
    for (size_t k = 0; k < s->nf; k++) {
      size_t a = rnd() % m->nnames, b = rnd() % m->nnames;
      s->f[k] = (st_enc_frame){k == 0 ? s->pc : rnd(), m->names[a], nlen[a], m->names[b], nlen[b],
                               rnd() % 3 ? k_lines[rnd() % 10] : rnd()};
    }
  }
  m->nstacks = nstacks;
  m->stacks = calloc(nstacks, sizeof *m->stacks);
  for (size_t i = 0; i < nstacks; i++) {
    size_t n = 1 + rnd() % 8;
    m->stacks[i][0] = n;
    for (size_t k = 0; k < n; k++)
      m->stacks[i][1 + k] = rnd() % 10 ? m->syms[rnd() % m->nsyms].pc : 0xdead0000u + rnd() % 5;
  }
  free(nlen);
}

static void free_model(model *m) {
  for (size_t i = 0; i < m->nnames; i++) free(m->names[i]);
  free(m->names);
  free(m->syms);
  free(m->stacks);
}

/* What the dump must write for a stack: frames with names cut to the last 1024 bytes. */
static size_t expected(const model *m, size_t i, st_enc_frame *out) {
  size_t n = 0;
  for (size_t k = 0; k < m->stacks[i][0]; k++) n += symbolize((void *)m, m->stacks[i][1 + k], out + n, 64);
  if (n == 0) out[n++] = (st_enc_frame){0, "", 0, "", 0, 0};
  for (size_t k = 0; k < n; k++) {
    if (out[k].fn_len > 1024) out[k].fn += out[k].fn_len - 1024, out[k].fn_len = 1024;
    if (out[k].file_len > 1024) out[k].file += out[k].file_len - 1024, out[k].file_len = 1024;
  }
  return n;
}

typedef struct {
  size_t cap;
  int direct;
  uint8_t *defined;   /* string IDs seen so far */
  size_t ndefined;
  size_t batch_bytes, max_batch;
  int in_batch;
  size_t stacks_seen, bad;
  stt_bytes table;    /* canonical text of stacks and strings, to compare the algorithms */
  const model *m;
  uint64_t *ids;      /* stack IDs of the model, in put order */
} check_t;

static void on_event(void *u, const st_event *ev) {
  check_t *c = u;
  char line[256];
  if (ev->type == ST_EV_BATCH) {
    c->batch_bytes = 0;
    c->in_batch = 1;
  }
  /* Legacy's bare Frequency sits between batches: not part of one. */
  if (!(ev->type == ST_EV_FREQUENCY && !c->direct)) c->batch_bytes += ev->size;
  if (c->batch_bytes > c->max_batch) c->max_batch = c->batch_bytes;
  if (ev->type == ST_EV_STRING) {
    if (ev->str_id >= c->ndefined) {
      size_t n = (size_t)ev->str_id * 2 + 16;
      c->defined = realloc(c->defined, n);
      memset(c->defined + c->ndefined, 0, n - c->ndefined);
      c->ndefined = n;
    }
    c->defined[ev->str_id] = 1;
    snprintf(line, sizeof line, "S %llu %zu\n", (unsigned long long)ev->str_id, ev->str_len);
    stt_put(&c->table, line, strlen(line));
    stt_put(&c->table, ev->str, ev->str_len);
  }
  if (ev->type != ST_EV_STACK) return;
  c->stacks_seen++;
  if (c->direct ? ev->len_width != 10 : ev->len_width != st_varint_size(ev->len)) c->bad++;
  /* The model stack with this ID. */
  size_t idx = SIZE_MAX;
  for (size_t i = 0; i < c->m->nstacks; i++)
    if (c->ids[i] == ev->stack_id) idx = i;
  if (idx == SIZE_MAX) {
    c->bad++;
    return;
  }
  st_enc_frame want[8 * 64];
  size_t n = expected(c->m, idx, want);
  if (ev->nframes != n) {
    c->bad++;
    return;
  }
  snprintf(line, sizeof line, "K %llu %zu\n", (unsigned long long)ev->stack_id, n);
  stt_put(&c->table, line, strlen(line));
  for (size_t k = 0; k < n; k++) {
    const st_frame *f = &ev->frames[k];
    if (f->pc != want[k].pc || f->line != want[k].line || f->fn_len != want[k].fn_len ||
        f->file_len != want[k].file_len || (f->fn_len && memcmp(f->fn, want[k].fn, f->fn_len)) ||
        (f->file_len && memcmp(f->file, want[k].file, f->file_len)))
      c->bad++;
    /* Defined strictly before use. */
    if ((f->fn_id && (f->fn_id >= c->ndefined || !c->defined[f->fn_id])) ||
        (f->file_id && (f->file_id >= c->ndefined || !c->defined[f->file_id])))
      c->bad++;
    snprintf(line, sizeof line, "F %llx %llu %llu %llu\n", (unsigned long long)f->pc,
             (unsigned long long)f->fn_id, (unsigned long long)f->file_id, (unsigned long long)f->line);
    stt_put(&c->table, line, strlen(line));
  }
}

static void on_diag(void *u, const st_diag *d) {
  check_t *c = u;
  printf("  diag %s at %llu: %s\n", st_rule_id(d->rule), (unsigned long long)d->off, d->message);
  c->bad++;
}

static int out(void *u, const uint8_t *p, size_t n) {
  stt_put(u, p, n);
  return 0;
}

/* Writes the model's trace; returns the writer's status. */
static st_enc_status write_trace(const model *m, int direct, size_t cap, stt_bytes *b, uint64_t *ids) {
  st_writer_config c;
  st_writer_config_default(&c);
  c.algo = direct ? ST_ALGO_DIRECT : ST_ALGO_LEGACY;
  c.buf_size = cap;
  c.end_ticks = 1000; /* dump batches: ticks 1000.. (2-byte varints) */
  c.symbolize = symbolize;
  c.sym_user = (void *)m;
  c.write = out;
  c.write_user = b;
  st_writer w;
  st_enc_status s = st_writer_init(&w, &c);
  for (size_t i = 0; i < m->nstacks && !s; i++)
    s = st_writer_stack(&w, &m->stacks[i][1], (size_t)m->stacks[i][0], &ids[i]);
  uint64_t a = 1;
  if (!s) s = st_writer_batch(&w, 0, 1);
  if (!s) s = st_writer_event(&w, ST_EV_HEAP_ALLOC, 2, &a, 1, NULL);
  if (!s) s = st_writer_finish(&w);
  st_writer_free(&w);
  return s;
}

/* The largest room any record or string asks for, and whether a stack record sets it. */
static size_t largest_need(const model *m, int direct, int *from_record) {
  size_t need = 0;
  *from_record = 0;
  st_enc_frame f[8 * 64];
  for (size_t i = 0; i < m->nstacks; i++) {
    size_t n = expected(m, i, f);
    size_t r;
    if (direct) {
      r = st_stack_record_bound(n);
    } else {
      size_t payload = st_varint_size(i + 1) + st_varint_size(n);
      for (size_t k = 0; k < n; k++) /* string IDs < 128 here: one byte each */
        payload += st_varint_size(f[k].pc) + 1 + 1 + st_varint_size(f[k].line);
      r = st_stack_legacy_need(payload);
    }
    if (r > need) need = r, *from_record = 1;
    size_t sl = st_string_bound(f[0].fn_len > f[0].file_len ? f[0].fn_len : f[0].file_len);
    for (size_t k = 0; k < n; k++) {
      size_t l = st_string_bound(f[k].fn_len > f[k].file_len ? f[k].fn_len : f[k].file_len);
      if (l > sl) sl = l;
    }
    if (sl > need) need = sl, *from_record = 0;
  }
  return need;
}

static void run(const model *m, int direct, size_t cap, stt_bytes *table) {
  stt_bytes b = {0};
  uint64_t *ids = calloc(m->nstacks, sizeof *ids);
  assert_int_equal(write_trace(m, direct, cap, &b, ids), ST_ENC_OK);
  check_t c;
  memset(&c, 0, sizeof c);
  c.cap = cap;
  c.direct = direct;
  c.m = m;
  c.ids = ids;
  st_decode_config cfg;
  st_decode_config_default(&cfg);
  cfg.buf_size = cap;
  cfg.on_event = on_event;
  cfg.on_diag = on_diag;
  cfg.user = &c;
  assert_int_equal(st_decode_buffer(&cfg, b.p, b.len), ST_OK);
  size_t distinct = 0;
  for (size_t i = 0; i < m->nstacks; i++) distinct = ids[i] > distinct ? ids[i] : distinct;
  if (c.bad) printf("  %s cap %zu: %zu problems\n", direct ? "direct" : "legacy", cap, c.bad);
  assert_int_equal(c.bad, 0);
  assert_int_equal(c.stacks_seen, distinct);
  assert_true(c.max_batch <= cap);
  *table = c.table;
  free(c.defined);
  free(ids);
  stt_free(&b);
}

static void test_round_trip(void **s) {
  (void)s;
  for (uint64_t seed = 1; seed <= 12; seed++) {
    model m;
    make_model(&m, seed, seed < 4 ? 3 : 40 + seed * 17);
    stt_bytes ref[2] = {{0}, {0}};
    for (int direct = 0; direct < 2; direct++) {
      int from_record;
      size_t min = 4 + largest_need(&m, direct, &from_record);
      size_t caps[] = {min, min + 1, min + 7, min + 40 * 3 + 5, 4096, ST_DEFAULT_BUF_SIZE};
      for (size_t k = 0; k < sizeof caps / sizeof caps[0]; k++) {
        if (caps[k] < min || caps[k] > ST_DEFAULT_BUF_SIZE) continue;
        stt_bytes t;
        run(&m, direct, caps[k], &t);
        if (k == 0) ref[direct] = t;
        else {
          /* The table decodes the same whatever the capacity. */
          assert_int_equal(t.len, ref[direct].len);
          assert_memory_equal(t.p, ref[direct].p, t.len);
          stt_free(&t);
        }
      }
      if (from_record) { /* one byte less: the largest record cannot fit an empty batch */
        stt_bytes b = {0};
        uint64_t *ids = calloc(m.nstacks, sizeof *ids);
        assert_int_equal(write_trace(&m, direct, min - 1, &b, ids), ST_ENC_E_TOO_BIG);
        free(ids);
        stt_free(&b);
      }
    }
    /* Legacy and direct: the same stacks and strings, with the same IDs. */
    assert_int_equal(ref[0].len, ref[1].len);
    assert_memory_equal(ref[0].p, ref[1].p, ref[0].len);
    stt_free(&ref[0]);
    stt_free(&ref[1]);
    free_model(&m);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_round_trip)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* v2 round trip: random stack tables over several generations, written by the v2 writer (every
 * dump order, capacities from 5200 bytes (a 128-frame stack needs 22 + 40 * 128 = 5142 and
 * a batch header) up to 65504) and read back by the strict decoder.
 * Checks, against a model kept here: the decoder reports nothing; in every generation each
 * stack put comes back once with exactly the expected frames (names cut to their last 1024
 * bytes, a zero frame where nothing resolved, inlined frames innermost first); log messages
 * come back as one record each (emit), the other strings once; every batch is at most the
 * capacity with its header and has a 10-byte size field; and every flush is where the room
 * check says: within a strings or stacks stream each record starts in its batch only if it
 * fitted there (position + room check <= capacity), and a batch that follows another of its
 * stream was opened only because the next record did not fit in the previous one. */
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

#define NNAMES 20
#define NSYMS 40
#define MAXF 3
typedef struct {
  uint64_t pc;
  size_t nf;
  st_enc_frame f[MAXF];
} sym_t;

typedef struct {
  char *names[NNAMES];
  size_t name_len[NNAMES];
  sym_t syms[NSYMS];
} model;

static size_t symbolize(void *u, uint64_t pc, st_enc_frame *out, size_t max) {
  const model *m = u;
  for (size_t i = 0; i < NSYMS; i++)
    if (m->syms[i].pc == pc) {
      for (size_t k = 0; k < m->syms[i].nf && k < max; k++) out[k] = m->syms[i].f[k];
      return m->syms[i].nf;
    }
  return 0;
}

/* PCs and lines at every varint width boundary. */
static uint64_t boundary(void) {
  unsigned w = (unsigned)(rnd() % 10);
  uint64_t base = w == 0 ? 0 : 1ull << (7 * w > 63 ? 63 : 7 * w);
  return rnd() % 2 ? base : base - 1;
}

static void make_model(model *m) {
  static const size_t lens[] = {0, 1, 9, 200, 1023, 1024, 1025, 3000};
  for (size_t i = 0; i < NNAMES; i++) {
    size_t n = lens[rnd() % (sizeof lens / sizeof lens[0])];
    m->names[i] = malloc(n + 1);
    for (size_t k = 0; k < n; k++) m->names[i][k] = (char)('a' + (rnd() + k + i) % 26);
    if (n > 1) m->names[i][0] = (char)('A' + i); /* distinct when long */
    m->name_len[i] = n;
  }
  for (size_t i = 0; i < NSYMS; i++) {
    sym_t *s = &m->syms[i];
    s->pc = boundary() ^ (uint64_t)i << 40; /* unique PCs */
    s->nf = i % 7 == 0 ? 0 : 1 + rnd() % MAXF; /* some resolve to nothing */
    for (size_t k = 0; k < s->nf; k++) {
      size_t a = rnd() % NNAMES, b = rnd() % NNAMES;
      s->f[k] = (st_enc_frame){boundary(), m->names[a], m->name_len[a], m->names[b],
                               m->name_len[b], boundary()};
    }
  }
}

static void free_model(model *m) {
  for (size_t i = 0; i < NNAMES; i++) free(m->names[i]);
}

/* ---- what the decoder gives back ---- */
typedef struct {
  uint64_t gen;
  uint64_t id, n;
  uint64_t *f;        /* per frame: pc, line */
  char **names;       /* per frame: fn, file */
  size_t *lens;
} got_stack;

typedef struct {
  stt_bytes diags;
  got_stack *stacks;
  size_t nstacks;
  size_t nlogs;       /* String records whose bytes are a log message */
  uint64_t cap;
  int stream;         /* kind of the open batch: 0 events, 1 strings, 2 stacks */
  uint64_t batch_off, batch_head;
  uint64_t last_end[3]; /* bytes used in the previous batch of each stream (header included) */
  int have_prev[3], first_record;
  uint64_t prev_gen;
} got;

static size_t record_bound(const st_event *ev) {
  if (ev->type == ST_EV2_STRING) return 22 + ev->str_len;
  return 22 + 40 * (size_t)ev->nframes;
}

static void on_event(void *u, const st_event *ev) {
  got *g = u;
  if (ev->type == ST_EV2_EVENT_BATCH) {
    assert_int_equal(ev->len_width, 10);
    assert_true(ev->size + ev->len <= g->cap);
    g->stream = 0;
    g->batch_off = ev->off;
    g->batch_head = ev->size;
    g->first_record = 1;
    if (ev->gen != g->prev_gen) memset(g->have_prev, 0, sizeof g->have_prev);
    g->prev_gen = ev->gen;
    return;
  }
  if (ev->type == ST_EV2_STRINGS || ev->type == ST_EV2_STACKS) {
    g->stream = ev->type == ST_EV2_STRINGS ? 1 : 2;
    return;
  }
  if (ev->type != ST_EV2_STRING && ev->type != ST_EV2_STACK) return;
  /* The flush rule: bytes used before this record, header and marker included. */
  uint64_t used = ev->off - g->batch_off;
  uint64_t before_marker = used - 1;
  size_t need = record_bound(ev);
  if (g->first_record) {
    /* A new batch: either its stream's first, or the record did not fit in the previous. */
    if (g->have_prev[g->stream]) assert_true(g->last_end[g->stream] + need > g->cap);
    assert_true(before_marker + need <= g->cap);
  } else {
    assert_true(used + need <= g->cap);
  }
  g->first_record = 0;
  g->last_end[g->stream] = ev->off + ev->size - g->batch_off;
  g->have_prev[g->stream] = 1;
  if (ev->type == ST_EV2_STRING) {
    if (ev->str_len >= 4 && !memcmp(ev->str, "log ", 4)) g->nlogs++;
    return;
  }
  g->stacks = realloc(g->stacks, (g->nstacks + 1) * sizeof *g->stacks);
  got_stack *s = &g->stacks[g->nstacks++];
  s->gen = ev->gen;
  s->id = ev->stack_id;
  s->n = ev->nframes;
  s->f = calloc(2 * s->n + 1, sizeof *s->f);
  s->names = calloc(2 * s->n + 1, sizeof *s->names);
  s->lens = calloc(2 * s->n + 1, sizeof *s->lens);
  for (uint64_t i = 0; i < s->n; i++) {
    const st_frame *f = &ev->frames[i];
    s->f[2 * i] = f->pc;
    s->f[2 * i + 1] = f->line;
    s->names[2 * i] = malloc(f->fn_len + 1);
    s->names[2 * i + 1] = malloc(f->file_len + 1);
    if (f->fn_len) memcpy(s->names[2 * i], f->fn, f->fn_len);
    if (f->file_len) memcpy(s->names[2 * i + 1], f->file, f->file_len);
    s->lens[2 * i] = f->fn_len;
    s->lens[2 * i + 1] = f->file_len;
  }
}

static void on_diag(void *u, const st_diag *d) {
  got *g = u;
  char line[300];
  snprintf(line, sizeof line, "%llu %s %s\n", (unsigned long long)d->off, st_rule_id(d->rule),
           d->message);
  stt_put(&g->diags, line, strlen(line));
}

static int out_put(void *u, const uint8_t *p, size_t n) {
  stt_put(u, p, n);
  return 0;
}

/* The expected frames of a PC list: each PC's frames, innermost first; names keep their last
 * 1024 bytes; nothing at all gives one zero frame. */
static size_t expect_frames(const model *m, const uint64_t *pcs, size_t n, st_enc_frame *out) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) k += symbolize((void *)m, pcs[i], out + k, 1000);
  for (size_t i = 0; i < k; i++) {
    if (out[i].fn_len > 1024) out[i].fn += out[i].fn_len - 1024, out[i].fn_len = 1024;
    if (out[i].file_len > 1024) out[i].file += out[i].file_len - 1024, out[i].file_len = 1024;
  }
  if (k == 0) {
    out[0] = (st_enc_frame){0, "", 0, "", 0, 0};
    k = 1;
  }
  return k;
}

static void round_trip(uint64_t seed, size_t cap, st_dump_order order, int version) {
  g_rng = seed * 0x9e3779b97f4a7c15ull + 7;
  model m;
  make_model(&m);
  stt_bytes out = {0};
  st_writer_config cfg;
  st_writer_config_default(&cfg);
  cfg.version = version;
  cfg.buf_size = cap;
  cfg.order = order;
  cfg.preregister = (int)(seed % 2);
  cfg.symbolize = symbolize;
  cfg.sym_user = &m;
  cfg.write = out_put;
  cfg.write_user = &out;
  st_writer w;
  assert_int_equal(st_writer_init(&w, &cfg), ST_ENC_OK);
  /* Per generation: stacks of 1..128 PCs-worth of frames (a few at the 128 limit). */
  enum { NGEN = 4, NSTK = 30 };
  uint64_t pcs[NGEN][NSTK][130];
  size_t npcs[NGEN][NSTK], nlogs = 0;
  uint64_t ids[NGEN][NSTK];
  for (int gi = 0; gi < NGEN; gi++) {
    assert_int_equal(st_writer_batch(&w, 7, 1000 * (uint64_t)(gi + 1)), ST_ENC_OK);
    uint64_t a[1] = {4096};
    assert_int_equal(st_writer_event(&w, ST_EV2_HEAP_ALLOC, 1000 * (uint64_t)(gi + 1) + 1, a, 1,
                                     NULL), ST_ENC_OK);
    for (int k = 0; k < NSTK; k++) {
      /* Frames per stack <= 128: at most 42 PCs of up to 3 frames, or 128 one-frame PCs. */
      size_t n = k == 0 ? 0 : k == 1 ? 128 : 1 + rnd() % 42;
      for (size_t i = 0; i < n; i++) {
        const sym_t *s = &m.syms[rnd() % NSYMS];
        if (k == 1) /* 128 frames: one-frame symbols only */
          do s = &m.syms[rnd() % NSYMS]; while (s->nf != 1);
        pcs[gi][k][i] = s->pc;
      }
      npcs[gi][k] = n;
      assert_int_equal(st_writer_stack(&w, pcs[gi][k], n, &ids[gi][k]), ST_ENC_OK);
      /* A log message (emitted: one record per call, even for the same text) per stack. */
      uint64_t sid;
      char msg[32];
      for (int r = 0; r < 30; r++) {
        snprintf(msg, sizeof msg, "log %.*s", (int)(rnd() % 24), "abcdefghijklmnopqrstuvwx");
        assert_int_equal(st_writer_emit_string(&w, msg, strlen(msg), &sid), ST_ENC_OK);
        nlogs++;
      }
    }
    if (gi + 1 < NGEN) assert_int_equal(st_writer_generation(&w), ST_ENC_OK);
  }
  assert_int_equal(st_writer_finish(&w), ST_ENC_OK);
  st_writer_free(&w);

  got g;
  memset(&g, 0, sizeof g);
  g.cap = cap;
  st_decode_config dc;
  st_decode_config_default(&dc);
  dc.buf_size_v2 = cap;
  dc.on_event = on_event;
  dc.on_diag = on_diag;
  dc.user = &g;
  st_status st = st_decode_buffer(&dc, out.p, out.len);
  if (st != ST_OK || g.diags.len) {
    stt_put(&g.diags, "", 1);
    print_error("seed %llu cap %zu order %d: %s\n", (unsigned long long)seed, cap, order,
                (const char *)g.diags.p);
  }
  assert_int_equal(st, ST_OK);
  assert_int_equal(g.diags.len, 0);
  assert_int_equal(g.nlogs, nlogs);
  /* Every distinct stack of every generation came back once, with its frames. */
  st_enc_frame want[1200];
  size_t seen = 0;
  for (int gi = 0; gi < NGEN; gi++)
    for (int k = 0; k < NSTK; k++) {
      if (ids[gi][k] == 0) continue; /* the empty stack: ID 0, never dumped */
      int dup = 0;
      for (int j = 0; j < k; j++) dup |= ids[gi][j] == ids[gi][k];
      if (dup) continue;
      const got_stack *s = NULL;
      for (size_t i = 0; i < g.nstacks; i++)
        if (g.stacks[i].gen == (uint64_t)gi + 1 && g.stacks[i].id == ids[gi][k]) s = &g.stacks[i];
      assert_non_null(s);
      seen++;
      size_t n = expect_frames(&m, pcs[gi][k], npcs[gi][k], want);
      assert_int_equal(s->n, n);
      for (size_t i = 0; i < n; i++) {
        assert_int_equal(s->f[2 * i], want[i].pc);
        assert_int_equal(s->f[2 * i + 1], want[i].line);
        assert_int_equal(s->lens[2 * i], want[i].fn_len);
        assert_int_equal(s->lens[2 * i + 1], want[i].file_len);
        assert_memory_equal(s->names[2 * i], want[i].fn, want[i].fn_len);
        assert_memory_equal(s->names[2 * i + 1], want[i].file, want[i].file_len);
      }
    }
  assert_int_equal(seen, g.nstacks);
  for (size_t i = 0; i < g.nstacks; i++) {
    for (uint64_t k = 0; k < 2 * g.stacks[i].n; k++) free(g.stacks[i].names[k]);
    free(g.stacks[i].names);
    free(g.stacks[i].lens);
    free(g.stacks[i].f);
  }
  free(g.stacks);
  stt_free(&g.diags);
  stt_free(&out);
  free_model(&m);
}

/* ---- the room checks at their exact boundaries, bytes worked out by hand ----
 * A 100-byte buffer, generation 1, M 2^64-1, time 1: the header is 01 01 ff*9 01 01 and the
 * 10-byte size, 23 bytes.
 * The clock always says 1, so a second batch of the same buffer gets time 2 (refill: later
 * than the previous batch). */
static const uint8_t k_head[] = {0x01, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                 0xff, 0xff, 0x01};

static void expect_batch(const stt_sink *k, size_t at, size_t len, uint8_t marker,
                         uint8_t time) {
  assert_true(at + len <= k->out.len);
  assert_memory_equal(k->out.p + at, k_head, sizeof k_head);
  assert_int_equal(k->out.p[at + 12], time);
  uint64_t size;
  size_t w;
  assert_int_equal(st_varint_get(k->out.p + at + 13, 10, &size, &w), ST_VARINT_OK);
  assert_int_equal(w, 10);
  assert_int_equal(size, len - 23);
  assert_int_equal(k->out.p[at + 23], marker);
}

static uint64_t one(void *u) {
  (void)u;
  return 1;
}

/* Strings: ensure(22 + len). "A"x40 opens the batch (marker at 23, record 05 01 28 + 40 bytes:
 * 43 bytes, so 67 used); then 33 bytes are left: "B"x11 needs 22 + 11 = 33 and stays (0
 * spare), "B"x12 needs 34 and opens a new batch. */
static void strings_boundary(size_t blen, size_t want_first) {
  uint8_t mem[100];
  stt_sink k;
  memset(&k, 0, sizeof k);
  st_tbuf b;
  assert_int_equal(st_tbuf_init(&b, mem, sizeof mem, stt_sink_put, &k, one, NULL), 0);
  assert_int_equal(st_tbuf_set_v2(&b, 1, -1), 0);
  st_strtab t;
  st_strtab_init(&t, NULL);
  st_strtab_set_v2(&t);
  char a[40], bb[12];
  memset(a, 'A', sizeof a);
  memset(bb, 'B', sizeof bb);
  uint64_t id;
  assert_int_equal(st_strtab_intern(&t, &b, UINT64_MAX, a, sizeof a, &id), 0);
  assert_int_equal(b.pos, 67);
  assert_int_equal(st_strtab_intern(&t, &b, UINT64_MAX, bb, blen, &id), 0);
  assert_int_equal(id, 2);
  assert_int_equal(st_tbuf_finish(&b), 0);
  expect_batch(&k, 0, want_first, ST_EV2_STRINGS, 1);
  if (want_first == 67) { /* flushed: the second batch holds 04 05 02 0c + 12 bytes */
    expect_batch(&k, 67, 23 + 1 + 3 + blen, ST_EV2_STRINGS, 2);
    assert_int_equal(k.out.p[67 + 24], ST_EV2_STRING);
    assert_int_equal(k.out.p[67 + 25], 2);
    assert_int_equal(k.out.len, 67 + 27 + blen);
  } else {
    assert_int_equal(k.out.len, want_first);
  }
  st_strtab_free(&t);
  stt_free(&k.out);
}

/* Stacks: ensure(22 + 40n). One-frame stacks (03 ID 01 pc fn file line, 7 bytes with small
 * values) need 62: the first opens the batch (02 at 23, record to 31), the second (room 69)
 * and third (room 62: 0 spare) stay, the fourth (room 55) opens a new batch. */
static void test_stack_boundary(void **state) {
  (void)state;
  uint8_t mem[100], smem[100];
  stt_sink k, ks;
  memset(&k, 0, sizeof k);
  memset(&ks, 0, sizeof ks);
  st_tbuf b, sb;
  assert_int_equal(st_tbuf_init(&b, mem, sizeof mem, stt_sink_put, &k, one, NULL), 0);
  assert_int_equal(st_tbuf_init(&sb, smem, sizeof smem, stt_sink_put, &ks, one, NULL), 0);
  assert_int_equal(st_tbuf_set_v2(&b, 1, -1), 0);
  assert_int_equal(st_tbuf_set_v2(&sb, 1, -1), 0);
  st_strtab t;
  st_strtab_init(&t, NULL);
  st_strtab_set_v2(&t);
  st_dump_config dc;
  st_dump_config_default(&dc);
  dc.algo = ST_ALGO_V2;
  dc.pid = UINT64_MAX;
  dc.max_frames = ST_V2_ENC_MAX_FRAMES;
  st_dumper d;
  assert_int_equal(st_dumper_init(&d, &dc, &b, &t, NULL), 0);
  st_dumper_set_string_buf(&d, &sb);
  st_enc_frame f = {5, "", 0, "", 0, 9};
  for (uint64_t id = 1; id <= 4; id++) {
    assert_int_equal(st_dump_record(&d, id, &f, 1), 0);
    assert_int_equal(b.pos, id < 4 ? 24 + 7 * id : 31);
  }
  assert_int_equal(st_tbuf_finish(&b), 0);
  expect_batch(&k, 0, 45, ST_EV2_STACKS, 1);
  expect_batch(&k, 45, 31, ST_EV2_STACKS, 2);
  static const uint8_t rec4[] = {0x03, 0x04, 0x01, 0x05, 0x00, 0x00, 0x09};
  assert_memory_equal(k.out.p + 45 + 24, rec4, sizeof rec4);
  assert_int_equal(ks.out.len, 0); /* names "" are ID 0: nothing written */
  /* 129 frames: refused, nothing written. */
  st_enc_frame many[129];
  for (int i = 0; i < 129; i++) many[i] = f;
  assert_int_equal(st_dump_record(&d, 5, many, 129), ST_ENC_E_LIMIT);
  st_dumper_free(&d);
  st_strtab_free(&t);
  stt_free(&k.out);
  stt_free(&ks.out);
}

static void test_string_boundary(void **state) {
  (void)state;
  strings_boundary(11, 81); /* fits with 0 bytes to spare */
  strings_boundary(12, 67); /* one byte short: flushed */
}

static void test_round_trip(void **state) {
  (void)state;
  static const size_t caps[] = {5200, 5201, 6000, 9000, ST_V2_BUF_SIZE}; /* 128 frames: 5142 */
  static const st_dump_order orders[] = {ST_ORDER_ID, ST_ORDER_BUCKETS, ST_ORDER_TRIE};
  static const int versions[] = {ST_VER_1_22, ST_VER_1_23, ST_VER_1_25};
  for (uint64_t seed = 1; seed <= 12; seed++)
    round_trip(seed, caps[seed % 5], orders[seed % 3], versions[seed % 3]);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_string_boundary),
                                     cmocka_unit_test(test_stack_boundary),
                                     cmocka_unit_test(test_round_trip)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The decoder's fast paths and its stack-ID table at real sizes.
 *
 * Fast paths: ordinary events are committed by a loop that reads 8 bytes at a time when there
 * is no event callback and byte by byte when there is one, and the general parser takes every
 * event the loop declines (and every event near a chunk's end). Real traces of both formats,
 * and copies with bytes changed at random, must give the same diagnostics either way, and the
 * same as 7-byte pushes (where the loops hardly run), in both modes.
 *
 * The stack-ID table at real sizes: dense IDs cost two bits each, so the default
 * limits accept millions of stacks in little memory (issue 14: 6 million distinct shallow
 * stacks stopped at LIMIT-STACKS with 1,048,576 IDs), while sparse IDs (above 2^26) still work
 * through the hash fallback; and STACK-UNDEFINED still names the first reference that was
 * never defined, dense or sparse, with the same-offset tie going to the smaller ID. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_util.h"

#define RAW(b, ...)                                   \
  do {                                                \
    const uint8_t raw_[] = {__VA_ARGS__};             \
    stt_put((b), raw_, sizeof raw_);                  \
  } while (0)

/* An allocator that keeps the peak of live bytes. */
typedef struct {
  st_alloc a;
  size_t live, peak;
} peak_alloc;
static void *peak_realloc(void *ctx, void *p, size_t old, size_t n) {
  peak_alloc *x = ctx;
  x->live -= old;
  if (n == 0) {
    free(p);
    return NULL;
  }
  void *q = realloc(p, n);
  if (!q) {
    x->live += old;
    return NULL;
  }
  x->live += n;
  if (x->live > x->peak) x->peak = x->live;
  return q;
}

typedef struct {
  uint64_t events, stacks, diags;
  st_rule first_rule;
  uint64_t first_off;
  char first_msg[200];
} counts;
static void on_event(void *u, const st_event *ev) {
  counts *c = u;
  c->events++;
  if (ev->type == ST_EV_STACK && ev->nframes == 1 && ev->frames[0].pc >= 0x7f0000000000ull)
    c->stacks++;
}
static void on_diag(void *u, const st_diag *d) {
  counts *c = u;
  if (c->diags++ == 0) {
    c->first_rule = d->rule;
    c->first_off = d->off;
    snprintf(c->first_msg, sizeof c->first_msg, "%s", d->message);
  }
}

/* 6,000,000 distinct stacks of one frame with a 6-byte PIE-style PC, in 64488-byte batches,
 * generated and pushed a batch at a time: valid under the default limits, in a few MB. */
static void test_six_million_stacks_default_limits(void **state) {
  (void)state;
  const uint64_t nstacks = 6000000;
  peak_alloc pa;
  memset(&pa, 0, sizeof pa);
  pa.a.ctx = &pa;
  pa.a.realloc = peak_realloc;
  counts c;
  memset(&c, 0, sizeof c);
  st_decode_config cfg;
  st_decode_config_default(&cfg);
  cfg.alloc = &pa.a;
  cfg.on_event = on_event;
  cfg.on_diag = on_diag;
  cfg.user = &c;
  st_decoder d;
  assert_int_equal(st_decoder_init(&d, &cfg), ST_OK);
  stt_bytes b = {0};
  stt_header(&b, ST_VER_1_19);
  RAW(&b, 0x41, 0x00, 0x01); /* Batch(pid 0, ticks 1) */
  RAW(&b, 0x02, 0x64);       /* the bare Frequency of Go 1.19's footer */
  assert_int_equal(st_decoder_push(&d, b.p, b.len), ST_OK);
  uint64_t id = 1, ticks = 2;
  while (id <= nstacks) {
    b.len = 0;
    stt_byte(&b, 0x41);
    stt_uv(&b, 0);
    stt_uv(&b, ticks++);
    while (id <= nstacks && b.len + 32 <= ST_DEFAULT_BUF_SIZE) {
      stt_bytes p = {0};
      stt_uv(&p, id);
      stt_uv(&p, 1);
      stt_uv(&p, 0x7f0000000000ull + id * 16); /* 6 bytes */
      stt_uv(&p, 0);
      stt_uv(&p, 0);
      stt_uv(&p, 10 + id % 5000);
      stt_byte(&b, 0xc3);
      stt_uv(&b, p.len);
      stt_put(&b, p.p, p.len);
      stt_free(&p);
      id++;
    }
    assert_int_equal(st_decoder_push(&d, b.p, b.len), ST_OK);
  }
  stt_free(&b);
  assert_int_equal(st_decoder_finish(&d), ST_OK);
  st_decoder_free(&d);
  if (c.diags) print_error("first diagnostic at %llu: %s\n", (unsigned long long)c.first_off,
                           c.first_msg);
  assert_int_equal(c.diags, 0);
  assert_int_equal(c.stacks, nstacks);
  /* Two bits per ID (1.5 MB for 6M) plus the fixed scratch: far from the old 32-byte entries. */
  assert_true(pa.peak < st_decode_scratch_bound() + ((size_t)4 << 20));
  assert_int_equal(pa.live, 0);
}

/* Runs b in strict mode, whole and byte by byte: the same first diagnostic both times. */
static counts run(const stt_bytes *b, uint64_t max_stacks) {
  counts c[2];
  for (int k = 0; k < 2; k++) {
    memset(&c[k], 0, sizeof c[k]);
    st_decode_config cfg;
    st_decode_config_default(&cfg);
    if (max_stacks) cfg.limits.max_stacks = max_stacks;
    cfg.on_diag = on_diag;
    cfg.on_event = on_event;
    cfg.user = &c[k];
    st_decoder d;
    assert_int_equal(st_decoder_init(&d, &cfg), ST_OK);
    size_t chunk = k ? 1 : b->len;
    for (size_t i = 0; i < b->len; i += chunk)
      st_decoder_push(&d, b->p + i, b->len - i < chunk ? b->len - i : chunk);
    st_decoder_finish(&d);
    st_decoder_free(&d);
  }
  assert_int_equal(c[0].diags, c[1].diags);
  assert_int_equal(c[0].first_off, c[1].first_off);
  assert_string_equal(c[0].first_msg, c[1].first_msg);
  return c[0];
}

static void base(stt_bytes *b) {
  stt_header(b, ST_VER_1_19);
  RAW(b, 0x41, 0x00, 0x01);
  RAW(b, 0x02, 0x64); /* the next event is at 21 */
}
/* GoSched (2 args: ts, stack) on stack id. */
static void sched(stt_bytes *b, uint64_t id) {
  RAW(b, 0x51, 0x01);
  stt_uv(b, id);
}
static void stack(stt_bytes *b, uint64_t id) {
  const uint64_t f[4] = {0x401000, 0, 0, 1};
  stt_stack(b, id, f, 1);
}

static void test_undefined_dense_and_sparse(void **state) {
  (void)state;
  const uint64_t sparse = (1ull << 40) + 3;
  stt_bytes b = {0};
  /* Refs: 5 at 21, sparse at 24, 7 at 32, 5 again at 35; only 5 and 7 get defined. */
  base(&b);
  sched(&b, 5);
  sched(&b, sparse);
  sched(&b, 7);
  sched(&b, 5);
  stack(&b, 5);
  stack(&b, 7);
  counts c = run(&b, 0);
  assert_int_equal(c.diags, 1);
  assert_int_equal(c.first_rule, ST_RULE_STACK_UNDEFINED);
  assert_int_equal(c.first_off, 24);
  assert_non_null(strstr(c.first_msg, "stack 1099511627779,"));
  assert_non_null(strstr(c.first_msg, "(1 undefined"));
  stt_free(&b);

  /* Nothing defined: the dense 5 at 21 comes first; 3 undefined in all. */
  base(&b);
  sched(&b, 5);
  sched(&b, sparse);
  sched(&b, 7);
  c = run(&b, 0);
  assert_int_equal(c.first_off, 21);
  assert_non_null(strstr(c.first_msg, "stack 5,"));
  assert_non_null(strstr(c.first_msg, "(3 undefined"));
  stt_free(&b);

  /* Only the sparse one defined; 7 referenced after 5 was defined. */
  base(&b);
  sched(&b, 5);
  sched(&b, sparse);
  stack(&b, 5);
  stack(&b, sparse);
  size_t at = b.len;
  sched(&b, 7);
  c = run(&b, 0);
  assert_int_equal(c.first_off, at);
  assert_non_null(strstr(c.first_msg, "stack 7,"));
  stt_free(&b);

  /* GoCreate (ts, g, new stack 9, creator stack 8) at 21: one offset, two IDs; the smaller
   * one is named, as before; also when one is dense and the other sparse (70 000 000 > 2^26). */
  base(&b);
  RAW(&b, 0xcd, 0x04, 0x01, 0x01, 0x09, 0x08);
  c = run(&b, 0);
  assert_int_equal(c.first_off, 21);
  assert_non_null(strstr(c.first_msg, "stack 8,"));
  assert_non_null(strstr(c.first_msg, "(2 undefined"));
  stt_free(&b);

  base(&b);
  RAW(&b, 0xcd, 0x07, 0x01, 0x01, 0x09);
  stt_uv(&b, 70000000); /* 4 bytes */
  c = run(&b, 0);
  assert_int_equal(c.first_off, 21);
  assert_non_null(strstr(c.first_msg, "stack 9,"));
  stt_free(&b);
}

/* The limit counts dense and sparse IDs alike, references and definitions alike. */
static void test_limit_counts_every_id(void **state) {
  (void)state;
  stt_bytes b = {0};
  base(&b);
  sched(&b, 1000000);     /* 21 */
  sched(&b, 1ull << 50);  /* 25 */
  stack(&b, 3);
  size_t at = b.len;
  sched(&b, 4);
  counts c = run(&b, 3);
  assert_int_equal(c.first_rule, ST_RULE_LIMIT_STACKS);
  assert_int_equal(c.first_off, at);
  stt_free(&b);
}

/* ---- fast paths against the general path ---- */

typedef struct {
  char text[1 << 16];
  size_t len;
  uint64_t events;
} diag_log;
static void log_diag(void *u, const st_diag *d) {
  diag_log *l = u;
  int k = snprintf(l->text + l->len, sizeof l->text - l->len, "%llu %s %s\n",
                   (unsigned long long)d->off, st_rule_id(d->rule), d->message);
  if (k > 0) l->len = l->len + (size_t)k < sizeof l->text ? l->len + (size_t)k : sizeof l->text - 1;
}
static uint64_t mix(uint64_t h, uint64_t v) { return (h ^ v) * 0x100000001b3ull; }
/* Everything a callback sees of an event, folded into one number: framing, arguments, a
 * string's bytes, a stack's ID and every frame with its resolved names. */
static void log_event(void *u, const st_event *ev) {
  diag_log *l = u;
  uint64_t h = mix(mix(mix(ev->off, ev->size), ev->type), ev->nargs);
  for (unsigned i = 0; i < ev->nargs; i++) h = mix(h, ev->args[i]);
  h = mix(mix(mix(h, ev->has_len), ev->len), ev->len_width);
  h = mix(mix(h, ev->str_id), ev->str_len);
  for (size_t i = 0; i < ev->str_len; i++) h = mix(h, ev->str[i]);
  h = mix(mix(mix(h, ev->stack_id), ev->nframes), ev->gen);
  for (uint64_t i = 0; i < ev->nframes; i++) {
    const st_frame *f = &ev->frames[i];
    h = mix(mix(mix(mix(h, f->pc), f->fn_id), f->file_id), f->line);
    h = mix(mix(h, f->fn_len), f->file_len);
    for (size_t k = 0; k < f->fn_len; k++) h = mix(h, f->fn[k]);
    for (size_t k = 0; k < f->file_len; k++) h = mix(h, f->file[k]);
  }
  l->events += h;
}

/* Table limits for compare_paths' decodes (0: the defaults); tight ones make the fast paths
 * meet them. */
static uint64_t g_max_stacks, g_max_strings, g_max_string_bytes;

static void decode_log(diag_log *l, const uint8_t *p, size_t n, st_mode mode, int with_events,
                       size_t chunk, int no_simd) {
  memset(l, 0, sizeof *l);
  st_decode_config cfg;
  st_decode_config_default(&cfg);
  if (g_max_stacks) cfg.limits.max_stacks = g_max_stacks;
  if (g_max_strings) cfg.limits.max_strings = g_max_strings;
  if (g_max_string_bytes) cfg.limits.max_string_bytes = g_max_string_bytes;
  cfg.mode = mode;
  cfg.on_diag = log_diag;
  cfg.no_simd = no_simd;
  if (with_events) cfg.on_event = log_event;
  cfg.user = l;
  st_decoder d;
  assert_int_equal(st_decoder_init(&d, &cfg), ST_OK);
  for (size_t i = 0; i < n; i += chunk) st_decoder_push(&d, p + i, n - i < chunk ? n - i : chunk);
  st_decoder_finish(&d);
  st_decoder_free(&d);
}

/* The fast paths (64 KiB pushes: with all the CPU has, with SSE2 alone, with the portable word
 * code, with a callback) against the general path (7-byte pushes, where they hardly run), in
 * both modes. */
static void compare_paths(const char *name, const uint8_t *p, size_t n, uint64_t *events) {
  for (int m = 0; m < 2; m++) {
    st_mode mode = m ? ST_MODE_GO : ST_MODE_STRICT;
    static diag_log fast_words, fast_scalar, fast_sse2, fast_bytes, slow, slow_events;
    decode_log(&fast_words, p, n, mode, 0, 65536, 0);
    decode_log(&fast_scalar, p, n, mode, 0, 65536, 1);
    decode_log(&fast_sse2, p, n, mode, 0, 65536, 2);
    decode_log(&fast_bytes, p, n, mode, 1, 65536, 0);
    decode_log(&slow, p, n, mode, 0, 7, 0);
    decode_log(&slow_events, p, n, mode, 1, 7, 0);
    if (strcmp(fast_words.text, slow.text) != 0 || strcmp(fast_bytes.text, slow.text) != 0 ||
        strcmp(fast_scalar.text, slow.text) != 0)
      print_error("%s (mode %d):\n--- 64 KiB, no callback\n%s--- 64 KiB, no SIMD\n%s--- 64 KiB, "
                  "callback\n%s--- 7-byte pushes\n%s", name, m, fast_words.text, fast_scalar.text,
                  fast_bytes.text, slow.text);
    assert_string_equal(fast_words.text, slow.text);
    assert_string_equal(fast_scalar.text, slow.text);
    assert_string_equal(fast_sse2.text, slow.text);
    assert_string_equal(fast_bytes.text, slow.text);
    assert_string_equal(slow_events.text, slow.text);
    assert_int_equal(fast_bytes.events, slow_events.events);
    if (events) *events = fast_bytes.events;
  }
}

static void mutate_and_compare(const char *name, const uint8_t *p, size_t n) {
  uint64_t ev;
  compare_paths(name, p, n, &ev);
  size_t len = n < 48000 ? n : 48000;
  uint8_t *q = malloc(len);
  assert_non_null(q);
  static uint64_t rng = 0x9E3779B97F4A7C15ull;
  for (int k = 0; k < 24; k++) {
    memcpy(q, p, len);
    int flips = 1 + k % 3;
    for (int f = 0; f < flips; f++) {
      rng ^= rng << 13;
      rng ^= rng >> 7;
      rng ^= rng << 17;
      size_t at = 16 + (size_t)(rng % (len - 16));
      q[at] = (uint8_t)(k % 2 ? q[at] ^ (1u << (rng >> 40) % 8) : (rng >> 32));
    }
    char what[600];
    snprintf(what, sizeof what, "%s, variant %d", name, k);
    compare_paths(what, q, len, NULL);
  }
  free(q);
}

static void test_fast_paths_match_general_path(void **state) {
  (void)state;
  static const char *own[] = {"go1.19-own-small.trace", "go1.19-own-varied.trace",
                              "go1.22-own-small.trace", "go1.22-own-varied.trace",
                              "go1.23-own-small.trace", "go1.23-own-varied.trace"};
  char path[1024];
  int files = 0;
  for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
    snprintf(path, sizeof path, "%s/corpus/own/%s", ST_SOURCE_DIR, own[i]);
    size_t n;
    uint8_t *p = stt_read_file(path, &n);
    if (!p) continue;
    mutate_and_compare(path, p, n);
    free(p);
    files++;
  }
  static char real[64][512];
  int nreal = stt_real_traces(real, 64);
  for (int i = 0; i < nreal; i++) {
    size_t n;
    uint8_t *p = stt_read_file(real[i], &n);
    if (!p) continue;
    mutate_and_compare(real[i], p, n);
    free(p);
    files++;
  }
  assert_true(files >= 1);
}

/* A synthetic v1 stream of ordinary events in every form the fast path takes or declines:
 * arguments of 1 to 9 bytes (and some of 10), inline and length-prefixed forms, wrong counts,
 * stack IDs of 1 to 6 bytes (dense and sparse). Every stack is defined at the end except
 * `undef`, referenced once by event `at`, so that a stack argument read wrong shows as a
 * missing or different STACK-UNDEFINED. */
static void synth_v1(stt_bytes *b, uint64_t seed, int nevents, uint64_t undef, int at) {
  static const struct { uint8_t type, nargs, stack_at; } k_types[] = {
      {17, 2, 1}, {14, 3, 0}, {5, 2, 0}, {21, 4, 3}, {13, 4, 3}, {22, 2, 1}, {33, 2, 0}, {6, 1, 0},
      {4, 3, 2}};
  uint64_t r = seed;
#define NEXT() (r ^= r << 13, r ^= r >> 7, r ^= r << 17, r)
  stt_header(b, ST_VER_1_19);
  RAW(b, 0x41, 0x00, 0x01);
  RAW(b, 0x02, 0x64);
  for (int e = 0; e < nevents; e++) {
    if (e % 900 == 899) {
      stt_byte(b, 0x41);
      stt_uv(b, NEXT() % 4);
      stt_uv(b, 1 + (uint64_t)e);
    }
    unsigned t = (unsigned)(NEXT() % (sizeof k_types / sizeof k_types[0]));
    if (e == at) t = 0; /* GoSched, inline: the 8-byte reader's case */
    unsigned na = k_types[t].nargs;
    int wrong = e != at && NEXT() % 97 == 0; /* one argument too many or too few */
    unsigned n = wrong ? (NEXT() % 2 ? na + 1 : na - 1) : na;
    stt_bytes args = {0};
    for (unsigned i = 0; i < n; i++) {
      uint64_t v;
      int is_stack = i == k_types[t].stack_at && k_types[t].stack_at != 0;
      if (is_stack || (k_types[t].type == 13 && i == 2)) {
        uint64_t pick = NEXT() % 100;
        v = pick < 90 ? 2 + 2 * (NEXT() % 150) : pick < 95 ? 60000 + 2 * (NEXT() % 50)
                                               : pick < 98 ? (1ull << 30) : (1ull << 40);
        if (NEXT() % 13 == 0) v = 0;
        if (e == at) v = undef;
      } else {
        unsigned width = wrong ? 1 : 1 + (unsigned)(NEXT() % 9);
        v = NEXT() >> (64 - 7 * width);
      }
      if (!wrong && NEXT() % 401 == 0) {
        stt_uvw(&args, v, 10); /* a 10-byte varint: the general path */
      } else {
        stt_uv(&args, v);
      }
    }
    int prefixed = n == 0 || n > 3 || (e != at && NEXT() % 5 == 0);
    if (prefixed) {
      stt_byte(b, (uint8_t)(0xc0 | k_types[t].type));
      stt_uv(b, args.len);
    } else {
      stt_byte(b, (uint8_t)(((n - 1) << 6) | k_types[t].type));
    }
    stt_put(b, args.p, args.len);
    stt_free(&args);
  }
  for (uint64_t id = 2; id <= 300; id += 2) stack(b, id);
  for (uint64_t id = 60000; id < 60100; id += 2) stack(b, id);
  stack(b, 1ull << 30);
  stack(b, 1ull << 40);
#undef NEXT
}

static void test_fast_paths_synthetic(void **state) {
  (void)state;
  static const uint64_t k_undef[] = {1, 3, 127, 129, 301, 16383, 16385, 60001, (1ull << 30) + 1,
                                      (1ull << 40) + 1};
  for (uint64_t seed = 1; seed <= 2 * sizeof k_undef / sizeof k_undef[0]; seed++) {
    stt_bytes b = {0};
    uint64_t undef = k_undef[(seed - 1) / 2];
    synth_v1(&b, seed * 0x9E3779B97F4A7C15ull, 12000, undef, 1000 + (int)seed * 501);
    char name[96];
    snprintf(name, sizeof name, "synthetic v1 stream, seed %llu, stack %llu undefined",
             (unsigned long long)seed, (unsigned long long)undef);
    static diag_log l;
    decode_log(&l, b.p, b.len, ST_MODE_STRICT, 0, 65536, 0);
    char want[64];
    snprintf(want, sizeof want, "refers to stack %llu,", (unsigned long long)undef);
    if (!strstr(l.text, want)) {
      const char *last = l.text, *nl;
      while ((nl = strchr(last, '\n')) != NULL && nl[1]) last = nl + 1;
      print_error("%s: last diagnostic: %s", name, last);
    }
    assert_non_null(strstr(l.text, want));
    uint64_t ev;
    compare_paths(name, b.p, b.len, &ev);
    stt_free(&b);
  }
}

/* A varint of value v, minimal, or padded to `width` bytes when that is wider. */
static void uv_pad(stt_bytes *b, uint64_t v, unsigned width) {
  stt_bytes t = {0};
  stt_uv(&t, v);
  if (width > t.len && width <= 10)
    stt_uvw(b, v, width);
  else
    stt_put(b, t.p, t.len);
  stt_free(&t);
}

/* A synthetic v1 stack table in every form the record fast paths (EvString, EvStack) take or
 * decline: PCs and lines of 1-10 bytes, names of 1-4 bytes and IDs past 2^20, names not
 * defined yet, strings defined out of order, twice, empty or with ID 0, stack IDs new, repeated,
 * zero, referenced before, sparse, lengths one byte off, the inline form, frames up to 60 and
 * past 1000, records over 2048 bytes. Most records are valid, so the diagnostics at the end
 * (STACK-UNDEFINED) depend on every stack read before. */
static uint64_t xorshift(uint64_t *r) {
  *r ^= *r << 13;
  *r ^= *r >> 7;
  *r ^= *r << 17;
  return *r;
}

static void synth_v1_table(stt_bytes *b, uint64_t seed, int nrecords) {
  uint64_t r = seed;
  stt_header(b, ST_VER_1_19);
  RAW(b, 0x41, 0x00, 0x01);
  RAW(b, 0x02, 0x64);
  uint64_t next_str = 1, next_stack = 1;
  for (int e = 0; e < nrecords; e++) {
    const uint64_t pick = xorshift(&r) % 100;
    if (e % 700 == 699) {
      stt_byte(b, 0x41);
      stt_uv(b, xorshift(&r) % 4);
      stt_uv(b, 1 + (uint64_t)e);
    }
    if (pick < 30) { /* a string */
      uint64_t id = next_str++;
      const uint64_t odd = xorshift(&r) % 64;
      if (odd == 0) id = 0;
      if (odd == 1) id = id > 3 ? id - 3 : id;               /* defined already */
      if (odd == 2) id = (1ull << 20) + xorshift(&r) % 64;         /* sparse */
      if (odd == 3) id = next_str++ + 1;                      /* a gap, filled next */
      size_t len = odd == 4 ? 0 : 1 + (size_t)(xorshift(&r) % (odd == 5 ? 3000 : 40));
      stt_byte(b, (uint8_t)(ST_EV_STRING | (xorshift(&r) % 4) << 6));
      stt_uv(b, id);
      stt_uv(b, len);
      for (size_t i = 0; i < len; i++) stt_byte(b, (uint8_t)('a' + (xorshift(&r) + i) % 26));
      continue;
    }
    if (pick < 35) { /* an event naming a stack that may come later */
      RAW(b, 0x51, 0x01);
      stt_uv(b, next_stack + xorshift(&r) % 3);
      continue;
    }
    const uint64_t odd = xorshift(&r) % 80;
    uint64_t id = next_stack++;
    if (odd == 0) id = 0;
    if (odd == 1) id = id > 5 ? id - 5 : id;                  /* defined already */
    if (odd == 2) id = (1ull << 40) + xorshift(&r) % 8;             /* sparse */
    uint64_t n = xorshift(&r) % 9 == 0 ? xorshift(&r) % 61 : xorshift(&r) % 5;
    if (odd == 3) n = 1001;
    stt_bytes body = {0};
    uv_pad(&body, id, odd == 4 ? 10 : 0);
    uv_pad(&body, n, 0);
    for (uint64_t i = 0; i < n && i < 1100; i++) {
      const uint64_t tight = xorshift(&r) % 150;
      if (tight < 2) { /* 13 bytes: a 10-byte varint whose 10th byte overflows, three of 1 */
        static const uint8_t over[10] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f};
        if (tight == 0) stt_put(&body, over, sizeof over); else stt_byte(&body, 5);
        stt_byte(&body, 0);
        stt_byte(&body, next_str > 1 ? 1 : 0);
        if (tight == 1) stt_put(&body, over, sizeof over); else stt_byte(&body, 7);
        continue;
      }
      const unsigned pw = xorshift(&r) % 40 == 0 ? 1 + (unsigned)(xorshift(&r) % 10) : 0;
      uint64_t pc = xorshift(&r) % 3 ? 0x401000 + xorshift(&r) % 0x100000 : 0x55d4a0000000ull + xorshift(&r) % 4096;
      uv_pad(&body, pc, pw);
      for (int k = 0; k < 2; k++) {
        uint64_t name = next_str > 1 ? 1 + xorshift(&r) % (next_str - 1) : 0;
        const uint64_t how = xorshift(&r) % 200;
        if (how == 0) name = next_str + 2;                      /* not defined yet */
        if (how == 5) name = next_str;                          /* the first one not defined */
        if (how == 1) name = (1ull << 20) + xorshift(&r) % 64;        /* sparse, maybe defined */
        if (how == 2) name = 0;
        /* padded to 2-4 and 10 bytes */
        uv_pad(&body, name, how == 3 ? 2 + (unsigned)(xorshift(&r) % 3) : how == 4 ? 10 : 0);
      }
      uv_pad(&body, xorshift(&r) % 5 ? xorshift(&r) % 3000 : xorshift(&r), xorshift(&r) % 50 == 0 ? 10 : 0);
    }
    if (odd == 5) {
      stt_byte(b, (uint8_t)(ST_EV_STACK | 2u << 6)); /* inline: three arguments */
      stt_uv(b, id);
      stt_uv(b, 0);
      stt_uv(b, 0x401000);
    } else {
      stt_byte(b, (uint8_t)(ST_EV_STACK | 3u << 6));
      uint64_t len = body.len;
      const int late = e > nrecords - nrecords / 50; /* fatal from here: decoding stops */
      if (odd == 6 && late) len++;
      if (odd == 7 && late && len > 2) len--;
      stt_uv(b, len);
      stt_put(b, body.p, body.len);
    }
    stt_free(&body);
  }
}

/* The record fast paths against the general path on synthetic stack tables and their mutated
 * copies; and a check that the stream is mostly taken by them (no diagnostic would show if
 * they declined everything). */
static void test_fast_paths_stack_tables(void **state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 8; seed++) {
    stt_bytes b = {0};
    synth_v1_table(&b, seed * 0x2545F4914F6CDD1Dull, 3000);
    char name[96];
    snprintf(name, sizeof name, "synthetic v1 stack table, seed %llu", (unsigned long long)seed);
    uint64_t ev;
    compare_paths(name, b.p, b.len, &ev);
    mutate_and_compare(name, b.p, b.len);
    stt_free(&b);
  }
}

/* Events naming stacks and strings: GoStop (ts, reason string, stack), GoCreate (ts, g, two
 * stacks); IDs from 1 to the given maxima, some past them. */
static void v2_events(stt_bytes *b, uint64_t *r, uint64_t gen, int n, uint64_t max_stack,
                      uint64_t max_str) {
  size_t at = stt_v2_batch_open(b, gen, 1);
  for (int i = 0; i < n; i++) {
    if (xorshift(r) % 2) {
      stt_byte(b, ST_EV2_GO_STOP);
      stt_uv(b, 1 + xorshift(r) % 300);
      stt_uv(b, xorshift(r) % (max_str + 3));
      stt_uv(b, xorshift(r) % (max_stack + 3));
    } else {
      stt_byte(b, ST_EV2_GO_CREATE);
      stt_uv(b, 1 + xorshift(r) % 300);
      stt_uv(b, 1 + xorshift(r) % 50);
      stt_uv(b, xorshift(r) % (max_stack + 3));
      stt_uv(b, xorshift(r) % (max_stack + 3));
    }
  }
  stt_v2_batch_end(b, at);
}

/* The strings batch of a generation: IDs 1..nstr in order, some repeated or zero; late in the
 * last generation one past 1024 bytes (fatal). */
static void v2_strings(stt_bytes *b, uint64_t *r, uint64_t gen, int ngen, uint64_t nstr) {
  size_t at = stt_v2_batch_open(b, gen, 0);
  stt_byte(b, ST_EV2_STRINGS);
  for (uint64_t sid = 1; sid <= nstr; sid++) {
    const uint64_t odd = xorshift(r) % 80;
    const int late = gen == (uint64_t)ngen && sid > nstr - nstr / 8;
    size_t len = odd == 0 && late ? 1100 : odd == 1 ? 0 : 1 + (size_t)(xorshift(r) % 30);
    stt_byte(b, ST_EV2_STRING);
    stt_uv(b, odd == 2 ? 0 : odd == 3 && sid > 2 ? sid - 2 : sid);
    stt_uv(b, len);
    for (size_t i = 0; i < len; i++) stt_byte(b, (uint8_t)('a' + (sid + i) % 26));
  }
  stt_v2_batch_end(b, at);
}

/* A synthetic Go 1.23 trace whose generations hold the v2 record fast paths' cases: per
 * generation an event batch, stacks batches (stacks naming strings the generation defines
 * later, some never, with PCs and lines of 1-10 bytes, 4-byte names, repeated and zero IDs), a
 * second event batch naming strings that only stacks named so far, and the strings batch (IDs
 * in order, some repeated or zero). Fatal cases (over 128 frames, a batch whose size ends
 * inside a record, a string past 1024 bytes) only late in the last generation: decoding stops
 * there. */
static void synth_v2_table(stt_bytes *b, uint64_t seed, int ngen) {
  uint64_t r = seed * 0x9E3779B97F4A7C15ull;
  stt_header(b, ST_VER_1_23);
  for (uint64_t gen = 1; gen <= (uint64_t)ngen; gen++) {
    size_t at = stt_v2_batch_open(b, gen, 0);
    RAW(b, 0x08, 0x64);
    stt_v2_batch_end(b, at);
    const uint64_t nstr = 40 + xorshift(&r) % 400, nstack = 100 + xorshift(&r) % 300;
    /* Now and then the strings come first: no name waits, nothing is held (callbacks too). */
    const int strings_first = gen == 2 && seed % 2;
    if (strings_first) v2_strings(b, &r, gen, ngen, nstr);
    v2_events(b, &r, gen, 40, nstack, nstr - 3); /* defined strings only */
    uint64_t id = 1;
    while (id <= nstack) {
      at = stt_v2_batch_open(b, gen, 0);
      stt_byte(b, ST_EV2_STACKS);
      const uint64_t per = 20 + xorshift(&r) % 60;
      for (uint64_t k = 0; k < per && id <= nstack; k++, id++) {
        const uint64_t odd = xorshift(&r) % 60;
        stt_byte(b, ST_EV2_STACK);
        uv_pad(b, odd == 0 ? 0 : odd == 1 && id > 3 ? id - 3 : id, odd == 2 ? 10 : 0);
        const int late = gen == (uint64_t)ngen && id > nstack - nstack / 8; /* fatal cases */
        const uint64_t n = odd == 3 && late ? 129
                           : xorshift(&r) % 4 ? xorshift(&r) % 12 : xorshift(&r) % 129;
        stt_uv(b, n);
        for (uint64_t f = 0; f < n; f++) {
          const uint64_t pw = xorshift(&r) % 40 == 0 ? 1 + xorshift(&r) % 10 : 0;
          uv_pad(b, 0x401000 + xorshift(&r) % 0x100000, (unsigned)pw);
          for (int q = 0; q < 2; q++) {
            uint64_t name = 1 + xorshift(&r) % (nstr + 2); /* nstr + 1, + 2: never defined */
            const uint64_t how = xorshift(&r) % 150;
            if (how == 0) name = 0;
            if (how == 1) name = (1ull << 21) + xorshift(&r) % 8; /* 4 bytes */
            uv_pad(b, name, how == 2 ? 4 : how == 3 ? 10 : 0);
          }
          uv_pad(b, xorshift(&r) % 4000, xorshift(&r) % 60 == 0 ? 10 : 0);
        }
      }
      /* now and then the size ends 3 bytes inside the last record (BATCH-OVERRUN) */
      const uint64_t short_by = gen == (uint64_t)ngen && xorshift(&r) % 4 == 0 ? 3 : 0;
      stt_v2_batch_close(b, at, b->len - at - 10 - short_by);
    }
    v2_events(b, &r, gen, 40, nstack, nstr + 2);
    if (!strings_first) v2_strings(b, &r, gen, ngen, nstr);
  }
}

/* The stream meets a limit (else the test below would prove nothing). */
static void expect_limit(const char *name, const stt_bytes *b) {
  static diag_log l;
  decode_log(&l, b->p, b->len, ST_MODE_STRICT, 0, 65536, 0);
  if (!strstr(l.text, "LIMIT-")) print_error("%s: no LIMIT diagnostic\n%s", name, l.text);
  assert_non_null(strstr(l.text, "LIMIT-"));
}

/* The fast paths meet the table limits where the general path would report them: the same
 * LIMIT-* diagnostics at the same offsets, v1 and v2, limits met by the first few hundred or
 * thousand records. */
static void test_fast_paths_at_limits(void **state) {
  (void)state;
  static const uint64_t limits[][3] = {{90, 0, 0}, {0, 30, 0}, {0, 0, 300}, {400, 100, 0}};
  for (size_t k = 0; k < sizeof limits / sizeof limits[0]; k++) {
    g_max_stacks = limits[k][0];
    g_max_strings = limits[k][1];
    g_max_string_bytes = limits[k][2];
    for (uint64_t seed = 1; seed <= 2; seed++) {
      stt_bytes b = {0};
      char name[96];
      synth_v1_table(&b, seed * 0x2545F4914F6CDD1Dull, 3000);
      snprintf(name, sizeof name, "v1 stack table at limits %zu, seed %llu", k,
               (unsigned long long)seed);
      compare_paths(name, b.p, b.len, NULL);
      expect_limit(name, &b);
      stt_free(&b);
      synth_v2_table(&b, seed, 3);
      snprintf(name, sizeof name, "v2 stack tables at limits %zu, seed %llu", k,
               (unsigned long long)seed);
      compare_paths(name, b.p, b.len, NULL);
      expect_limit(name, &b);
      stt_free(&b);
    }
  }
  g_max_stacks = g_max_strings = g_max_string_bytes = 0;
}

/* no_simd takes 0, 1 or 2 only. */
static void test_no_simd_values(void **state) {
  (void)state;
  for (int v = -1; v <= 3; v++) {
    st_decode_config cfg;
    st_decode_config_default(&cfg);
    cfg.no_simd = v;
    st_decoder d;
    st_status s = st_decoder_init(&d, &cfg);
    assert_int_equal(s, v >= 0 && v <= 2 ? ST_OK : ST_E_PARAM);
    if (s == ST_OK) st_decoder_free(&d);
  }
}

static void test_fast_paths_v2_tables(void **state) {
  (void)state;
  for (uint64_t seed = 1; seed <= 6; seed++) {
    stt_bytes b = {0};
    synth_v2_table(&b, seed, 3);
    char name[96];
    snprintf(name, sizeof name, "synthetic v2 stack tables, seed %llu", (unsigned long long)seed);
    uint64_t ev;
    compare_paths(name, b.p, b.len, &ev);
    mutate_and_compare(name, b.p, b.len);
    stt_free(&b);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_six_million_stacks_default_limits),
      cmocka_unit_test(test_undefined_dense_and_sparse),
      cmocka_unit_test(test_limit_counts_every_id),
      cmocka_unit_test(test_fast_paths_match_general_path),
      cmocka_unit_test(test_fast_paths_synthetic),
      cmocka_unit_test(test_fast_paths_stack_tables),
      cmocka_unit_test(test_fast_paths_v2_tables),
      cmocka_unit_test(test_no_simd_values),
      cmocka_unit_test(test_fast_paths_at_limits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

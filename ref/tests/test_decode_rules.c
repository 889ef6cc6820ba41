/* Every rule of st_rules.h on hand-built traces: a minimal failing input that reports exactly
 * that rule at the offset worked out by hand from the bytes, and a minimal passing input at the
 * boundary. Each input is decoded in both modes (strict-only rules must stay silent in go mode)
 * and with chunk sizes 1, 2, 3, 7, 64 and whole, which must give identical events and
 * diagnostics. Offsets: the header is bytes 0..15; base() adds Batch(0, 1) = 41 00 01 at 16 and
 * Frequency(100) = 02 64 at 19, so the first event after base() starts at 21. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_util.h"

#define RAW(b, ...)                                   \
  do {                                                \
    const uint8_t raw_[] = {__VA_ARGS__};             \
    stt_put((b), raw_, sizeof raw_);                  \
  } while (0)

static const size_t k_chunks[] = {1, 2, 3, 7, 64};

/* ---- running and checking ---- */

/* Decodes whole, then in every chunk size: the text of events and diagnostics must not change. */
static void run(stt_run *r, const st_decode_config *cfg, const stt_bytes *b) {
  stt_decode_cfg(r, cfg, b->p, b->len, 0);
  for (size_t i = 0; i < sizeof k_chunks / sizeof k_chunks[0]; i++) {
    stt_run o;
    stt_decode_cfg(&o, cfg, b->p, b->len, k_chunks[i]);
    if (strcmp(o.text, r->text) != 0)
      print_error("chunk %zu differs:\n--- whole\n%s--- chunked\n%s", k_chunks[i], r->text, o.text);
    assert_string_equal(o.text, r->text);
    assert_int_equal(o.status, r->status);
    stt_run_free(&o);
  }
}

static st_decode_config mode_cfg(st_mode m) {
  st_decode_config c;
  st_decode_config_default(&c);
  c.mode = m;
  return c;
}

/* Diagnostics other than LEN-OVER-2048 warnings (deep stacks also trip that one). */
static size_t count_diags(const stt_run *r, st_rule keep_warning, int *last) {
  size_t n = 0;
  for (size_t i = 0; i < r->ndiags; i++) {
    if (r->diags[i].rule == ST_RULE_LEN_OVER_2048 && keep_warning != ST_RULE_LEN_OVER_2048)
      continue;
    n++;
    if (last) *last = (int)i;
  }
  return n;
}

/* Exactly one diagnostic (LEN-OVER-2048 warnings aside): `rule` at `off`. */
static void expect_rule_cfg(const st_decode_config *cfg, const stt_bytes *b, st_rule rule,
                            uint64_t off) {
  stt_run r;
  run(&r, cfg, b);
  int i = -1;
  size_t n = count_diags(&r, rule, &i);
  if (n != 1 || r.diags[i].rule != rule || r.diags[i].off != off)
    print_error("mode %d: want only %s at %llu, got:\n%s", cfg->mode, st_rule_id(rule),
                (unsigned long long)off, r.text);
  assert_int_equal(n, 1);
  assert_int_equal(r.diags[i].rule, rule);
  assert_int_equal(r.diags[i].off, off);
  const st_rule_desc *rd = st_rule_describe(rule);
  assert_int_equal(r.diags[i].severity, rd->severity);
  assert_true(r.diags[i].message[0] != '\0');
  assert_int_equal(r.status, rd->severity == ST_SEV_ERROR ? ST_E_INVALID : ST_OK);
  stt_run_free(&r);
}

static void expect_rule(const stt_bytes *b, st_mode m, st_rule rule, uint64_t off) {
  st_decode_config c = mode_cfg(m);
  expect_rule_cfg(&c, b, rule, off);
}

/* No diagnostic (LEN-OVER-2048 warnings aside) and status OK. */
static void expect_clean_cfg(const st_decode_config *cfg, const stt_bytes *b) {
  stt_run r;
  run(&r, cfg, b);
  size_t n = count_diags(&r, ST_RULE_NONE, NULL);
  if (n != 0 || r.status != ST_OK) print_error("mode %d: want clean, got:\n%s", cfg->mode, r.text);
  assert_int_equal(n, 0);
  assert_int_equal(r.status, ST_OK);
  stt_run_free(&r);
}

static void expect_clean(const stt_bytes *b, st_mode m) {
  st_decode_config c = mode_cfg(m);
  expect_clean_cfg(&c, b);
}

/* ---- byte builders ---- */

/* Header, Batch(0, 1) at 16, Frequency(100) at 19: 21 bytes. */
static void base_v(stt_bytes *b, int version) {
  size_t start = b->len;
  stt_header(b, version);
  RAW(b, 0x41, 0x00, 0x01);
  RAW(b, 0x02, 0x64);
  assert_int_equal(b->len - start, 21);
}
static void base(stt_bytes *b) { base_v(b, ST_VER_1_19); }
/* HeapAlloc (type 33, field 1): ts 1, mem 5. */
static void heap(stt_bytes *b) { RAW(b, 0x61, 0x01, 0x05); }
/* EvStack id with one all-zero frame: c3 06 id 01 00 00 00 00 (8 bytes for id < 128). */
static void stack1(stt_bytes *b, uint8_t id) { RAW(b, 0xc3, 0x06, id, 0x01, 0x00, 0x00, 0x00, 0x00); }

/* EvStack `id` (< 128) whose payload is exactly `L` bytes (about 1000..2600): 200 frames with
 * fn/file/line 0 and PCs whose minimal widths add up to what is left. */
static void stack_payload_len(stt_bytes *b, uint64_t id, uint64_t L) {
  const uint64_t n = 200;                  /* varint c8 01 */
  uint64_t pcs = L - 1 - 2 - 3 * n;        /* bytes left for the PCs */
  uint64_t w = pcs / n, extra = pcs % n;   /* `extra` PCs one byte wider */
  assert_true(w >= 1 && w + (extra ? 1 : 0) <= 10);
  stt_bytes body = {0};
  stt_uv(&body, id);
  stt_uv(&body, n);
  for (uint64_t i = 0; i < n; i++) {
    uint64_t wi = w + (i < extra ? 1 : 0);
    uint64_t pc = 1ull << (7 * (wi - 1)); /* smallest value of minimal width wi */
    stt_uv(&body, pc);
    RAW(&body, 0x00, 0x00, 0x00);
  }
  assert_int_equal(body.len, L);
  stt_byte(b, 0xc3);
  stt_uv(b, L);
  stt_put(b, body.p, body.len);
  stt_free(&body);
}

/* EvStack id 1 with n all-zero frames. */
static void stack_zero_frames(stt_bytes *b, uint64_t n) {
  uint64_t *fr = calloc(4 * n + 1, sizeof *fr);
  stt_stack(b, 1, fr, n);
  free(fr);
}

/* ---- the per-rule cases ---- */

static void f_hdr_bad(stt_bytes *b) {
  stt_put(b, "xo 1.19 trace\0\0\0", 16);
  RAW(b, 0x41, 0x00, 0x01, 0x02, 0x64);
  heap(b);
}
static void f_hdr_unsupported(stt_bytes *b) {
  stt_put(b, "go 1.24 trace\0\0\0", 16); /* Go 1.24 writes "go 1.23 trace" */
  RAW(b, 0x41, 0x00, 0x01, 0x02, 0x64);
  heap(b);
}
static void p_hdr_unsupported(stt_bytes *b) {
  base_v(b, ST_VER_1_21);
  heap(b);
}
static void f_hdr_repeated(stt_bytes *b) {
  base(b);
  heap(b); /* 21..23 */
  base(b); /* second header at 24 */
  heap(b);
}
static void p_hdr_repeated(stt_bytes *b) {
  /* A header's text inside a string is not a header. */
  base(b);
  stt_string(b, 1, "go 1.19 trace");
  heap(b);
}
static void f_truncated(stt_bytes *b) {
  base(b);
  RAW(b, 0x61, 0x01); /* HeapAlloc missing its second argument */
}
static void p_plain(stt_bytes *b) {
  base(b);
  heap(b);
}
static void f_varint_overlong(stt_bytes *b) {
  base(b);
  RAW(b, 0x61, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x05);
}
static void p_varint_overlong(stt_bytes *b) {
  base(b);
  RAW(b, 0x61, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x05);
}
static void f_varint_overflow(stt_bytes *b) {
  base(b);
  RAW(b, 0x61, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02);
}
static void p_varint_overflow(stt_bytes *b) {
  base(b);
  RAW(b, 0x61, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
}
static void f_event_unknown(stt_bytes *b) {
  base(b);
  RAW(b, 0x00, 0x01);
}
static void f_event_nargs(stt_bytes *b) {
  base(b);
  RAW(b, 0x21, 0x01); /* HeapAlloc with field 0: one argument of two */
}
static void f_event_length(stt_bytes *b) {
  base(b);
  RAW(b, 0xe1, 0x02, 0x01, 0x80, 0x01); /* L = 2, but mem 80 01 ends at 3 */
}
static void p_event_length(stt_bytes *b) {
  base(b);
  RAW(b, 0xe1, 0x03, 0x01, 0x80, 0x01);
}
static void f_batch_missing(stt_bytes *b) {
  stt_header(b, ST_VER_1_19);
  heap(b); /* 16: before any batch */
  RAW(b, 0x41, 0x00, 0x01, 0x02, 0x64);
}
/* Batch at 16: 41 00 01 (3) + 02 64 (2) + HeapAlloc (3) = 8 bytes. */
static void c_buf7(st_decode_config *c) { c->buf_size = 7; }
static void c_buf8(st_decode_config *c) { c->buf_size = 8; }
static void f_string_id_zero(stt_bytes *b) {
  base(b);
  RAW(b, 0x25, 0x00, 0x01, 'a');
}
static void p_string(stt_bytes *b) {
  base(b);
  RAW(b, 0x25, 0x01, 0x01, 'a');
}
static void f_string_dup(stt_bytes *b) {
  base(b);
  RAW(b, 0x25, 0x01, 0x01, 'a'); /* 21..24 */
  RAW(b, 0x25, 0x01, 0x01, 'b'); /* 25 */
}
static void p_string_dup(stt_bytes *b) {
  base(b);
  RAW(b, 0x25, 0x01, 0x01, 'a');
  RAW(b, 0x25, 0x02, 0x01, 'b');
}
static void f_string_empty(stt_bytes *b) {
  base(b);
  RAW(b, 0x25, 0x01, 0x00);
}
/* 1000000 = 0xf4240: c0 84 3d; 1000001: c1 84 3d. */
static void string_of(stt_bytes *b, int over) {
  base(b);
  if (over)
    RAW(b, 0x25, 0x01, 0xc1, 0x84, 0x3d);
  else
    RAW(b, 0x25, 0x01, 0xc0, 0x84, 0x3d);
  size_t n = 1000000u + (over ? 1u : 0u);
  char *s = malloc(n);
  memset(s, 'x', n);
  stt_put(b, s, n);
  free(s);
}
static void f_string_too_long(stt_bytes *b) { string_of(b, 1); }
static void p_string_too_long(stt_bytes *b) { string_of(b, 0); }
static void f_stack_nframes(stt_bytes *b) {
  base(b);
  RAW(b, 0xc3, 0x03, 0x01, 0x01, 0x00); /* says 1 frame, has 1 of its 4 values */
}
static void p_stack(stt_bytes *b) {
  base(b);
  stack1(b, 1);
}
static void f_stack_too_deep(stt_bytes *b) {
  base(b);
  stack_zero_frames(b, 1001);
  /* 1001 = e9 07; L = 1 + 2 + 4004 = 4007 = a7 1f. */
  assert_int_equal(b->p[21], 0xc3);
  assert_int_equal(b->p[22], 0xa7);
  assert_int_equal(b->p[23], 0x1f);
  assert_int_equal(b->p[25], 0xe9);
  assert_int_equal(b->p[26], 0x07);
}
static void p_stack_too_deep(stt_bytes *b) {
  base(b);
  stack_zero_frames(b, 1000);
}
static void f_stack_form(stt_bytes *b) {
  base(b);
  RAW(b, 0x43, 0x01, 0x00); /* EvStack inline, field 1: id 1, 0 frames */
}
static void p_stack_form(stt_bytes *b) {
  base(b);
  RAW(b, 0xc3, 0x02, 0x01, 0x00);
}
static void f_stack_id_zero(stt_bytes *b) {
  base(b);
  stack1(b, 0);
}
static void f_stack_dup(stt_bytes *b) {
  base(b);
  stack1(b, 1); /* 21..28 */
  stack1(b, 1); /* 29 */
}
static void p_stack_dup(stt_bytes *b) {
  base(b);
  stack1(b, 1);
  stack1(b, 2);
}
static void f_stack_string_undef(stt_bytes *b) {
  base(b);
  RAW(b, 0xc3, 0x06, 0x01, 0x01, 0x10, 0x01, 0x02, 0x07); /* fn 1, file 2, not yet defined */
  RAW(b, 0x25, 0x01, 0x01, 'f');
  RAW(b, 0x25, 0x02, 0x01, 'g');
}
static void p_stack_string_undef(stt_bytes *b) {
  base(b);
  RAW(b, 0x25, 0x01, 0x01, 'f');
  RAW(b, 0x25, 0x02, 0x01, 'g');
  RAW(b, 0xc3, 0x06, 0x01, 0x01, 0x10, 0x01, 0x02, 0x07);
}
static void f_stack_undefined(stt_bytes *b) {
  base(b);
  RAW(b, 0x51, 0x01, 0x07); /* GoSched, stack 7, never defined */
}
static void p_stack_undefined(stt_bytes *b) {
  base(b);
  RAW(b, 0x51, 0x01, 0x07);
  stack1(b, 7); /* defined after its use: fine */
}
static void f_freq_missing(stt_bytes *b) {
  stt_header(b, ST_VER_1_19);
  RAW(b, 0x41, 0x00, 0x01);
  heap(b); /* ends at 22: the end-of-trace check reports there */
}
static void f_freq_invalid(stt_bytes *b) {
  stt_header(b, ST_VER_1_19);
  RAW(b, 0x41, 0x00, 0x01);
  RAW(b, 0x02, 0x00); /* 19 */
  heap(b);
}
static void p_freq_invalid(stt_bytes *b) {
  stt_header(b, ST_VER_1_19);
  RAW(b, 0x41, 0x00, 0x01);
  RAW(b, 0x02, 0x01);
  heap(b);
}
/* A 1e6-byte string cannot fit a 64488-byte batch: give the writer bigger buffers. */
static void c_big_buf(st_decode_config *c) { c->buf_size = 2000000; }
static void c_max_strings1(st_decode_config *c) { c->limits.max_strings = 1; }
static void c_max_strings2(st_decode_config *c) { c->limits.max_strings = 2; }
static void c_max_stacks1(st_decode_config *c) { c->limits.max_stacks = 1; }
static void c_max_stacks2(st_decode_config *c) { c->limits.max_stacks = 2; }
static void f_len_over(stt_bytes *b) {
  base(b);
  stack_payload_len(b, 1, 2049);
}
static void p_len_over(stt_bytes *b) {
  base(b);
  stack_payload_len(b, 1, 2048);
}

typedef struct {
  st_rule rule;
  uint64_t off;
  void (*fail_fn)(stt_bytes *);
  void (*pass_fn)(stt_bytes *);
  void (*fail_cfg)(st_decode_config *); /* NULL: defaults */
  void (*pass_cfg)(st_decode_config *);
} rule_case;

static const rule_case k_cases[] = {
    {ST_RULE_HDR_BAD, 0, f_hdr_bad, p_plain, NULL, NULL},
    {ST_RULE_HDR_UNSUPPORTED, 0, f_hdr_unsupported, p_hdr_unsupported, NULL, NULL},
    {ST_RULE_HDR_REPEATED, 24, f_hdr_repeated, p_hdr_repeated, NULL, NULL},
    {ST_RULE_TRUNCATED, 21, f_truncated, p_plain, NULL, NULL},
    {ST_RULE_VARINT_OVERLONG, 21, f_varint_overlong, p_varint_overlong, NULL, NULL},
    {ST_RULE_VARINT_OVERFLOW, 21, f_varint_overflow, p_varint_overflow, NULL, NULL},
    {ST_RULE_EVENT_UNKNOWN, 21, f_event_unknown, p_plain, NULL, NULL},
    {ST_RULE_EVENT_NARGS, 21, f_event_nargs, p_plain, NULL, NULL},
    {ST_RULE_EVENT_LENGTH, 21, f_event_length, p_event_length, NULL, NULL},
    {ST_RULE_BATCH_MISSING, 16, f_batch_missing, p_plain, NULL, NULL},
    {ST_RULE_BATCH_TOO_LARGE, 16, p_plain, p_plain, c_buf7, c_buf8},
    {ST_RULE_STRING_ID_ZERO, 21, f_string_id_zero, p_string, NULL, NULL},
    {ST_RULE_STRING_DUP_ID, 25, f_string_dup, p_string_dup, NULL, NULL},
    {ST_RULE_STRING_EMPTY, 21, f_string_empty, p_string, NULL, NULL},
    {ST_RULE_STRING_TOO_LONG, 21, f_string_too_long, p_string_too_long, c_big_buf, c_big_buf},
    {ST_RULE_STACK_NFRAMES, 21, f_stack_nframes, p_stack, NULL, NULL},
    {ST_RULE_STACK_TOO_DEEP, 21, f_stack_too_deep, p_stack_too_deep, NULL, NULL},
    {ST_RULE_STACK_FORM, 21, f_stack_form, p_stack_form, NULL, NULL},
    {ST_RULE_STACK_ID_ZERO, 21, f_stack_id_zero, p_stack, NULL, NULL},
    {ST_RULE_STACK_DUP_ID, 29, f_stack_dup, p_stack_dup, NULL, NULL},
    {ST_RULE_STACK_STRING_UNDEFINED, 21, f_stack_string_undef, p_stack_string_undef, NULL, NULL},
    {ST_RULE_STACK_UNDEFINED, 21, f_stack_undefined, p_stack_undefined, NULL, NULL},
    {ST_RULE_FREQ_MISSING, 22, f_freq_missing, p_plain, NULL, NULL},
    {ST_RULE_FREQ_INVALID, 19, f_freq_invalid, p_freq_invalid, NULL, NULL},
    {ST_RULE_LIMIT_STRINGS, 25, p_string_dup, p_string_dup, c_max_strings1, c_max_strings2},
    {ST_RULE_LIMIT_STACKS, 29, p_stack_dup, p_stack_dup, c_max_stacks1, c_max_stacks2},
    {ST_RULE_LEN_OVER_2048, 21, f_len_over, p_len_over, NULL, NULL},
};
#define NCASES (sizeof k_cases / sizeof k_cases[0])

/* Rules of the v2 format (Go 1.22+) only: test_decode_v2.c covers them. */
static const st_rule k_v2_only[] = {
    ST_RULE_BATCH_EXPECTED, ST_RULE_BATCH_SIZE,   ST_RULE_BATCH_OVERRUN,
    ST_RULE_BATCH_RECORD,   ST_RULE_BATCH_TRAILING, ST_RULE_GEN_ZERO,
    ST_RULE_GEN_ORDER,      ST_RULE_GEN_NO_EVENTS, ST_RULE_FREQ_REPEATED,
    ST_RULE_STRING_UNDEFINED, ST_RULE_CPU_STACK_UNDEFINED,
};

static int v2_only(st_rule r) {
  for (size_t i = 0; i < sizeof k_v2_only / sizeof k_v2_only[0]; i++)
    if (k_v2_only[i] == r) return 1;
  return 0;
}

static void test_every_rule_has_a_case(void **state) {
  (void)state;
  for (unsigned r = 1; r < ST_RULE_COUNT; r++) {
    if (v2_only((st_rule)r)) continue;
    int found = 0;
    for (size_t i = 0; i < NCASES; i++) found |= k_cases[i].rule == (st_rule)r;
    if (!found) print_error("rule %s has no case\n", st_rule_id((st_rule)r));
    assert_true(found);
  }
}

static void test_rule_cases(void **state) {
  (void)state;
  for (size_t i = 0; i < NCASES; i++) {
    const rule_case *k = &k_cases[i];
    const st_rule_desc *rd = st_rule_describe(k->rule);
    print_message("%s\n", rd->id);
    stt_bytes fail = {0}, pass = {0};
    k->fail_fn(&fail);
    k->pass_fn(&pass);
    for (int m = ST_MODE_STRICT; m <= ST_MODE_GO; m++) {
      st_decode_config fc = mode_cfg((st_mode)m), pc = mode_cfg((st_mode)m);
      if (k->fail_cfg) k->fail_cfg(&fc);
      if (k->pass_cfg) k->pass_cfg(&pc);
      if (m == ST_MODE_GO && st_rule_strict_only(k->rule, 1))
        expect_clean_cfg(&fc, &fail);
      else
        expect_rule_cfg(&fc, &fail, k->rule, k->off);
      expect_clean_cfg(&pc, &pass);
    }
    stt_free(&fail);
    stt_free(&pass);
  }
}

/* ---- headers ---- */

static void test_header_supported(void **state) {
  (void)state;
  static const int vers[] = {ST_VER_1_11, ST_VER_1_19, ST_VER_1_21};
  for (size_t i = 0; i < 3; i++) {
    stt_bytes b = {0};
    base_v(&b, vers[i]);
    heap(&b);
    expect_clean(&b, ST_MODE_STRICT);
    expect_clean(&b, ST_MODE_GO);
    stt_free(&b);
  }
}

static void test_header_unsupported(void **state) {
  (void)state;
  static const struct {
    const char h[17];
    const char *shown;
  } k[] = {
      {"go 1.5 trace\0\0\0\0", "go 1.5 "},  {"go 1.10 trace\0\0\0", "go 1.10 "},
      {"go 1.24 trace\0\0\0", "go 1.24 "},  {"go 1.9 trace\0\0\0\0", "go 1.9 "},
      {"go 1.7 trace\0\0\0\0", "go 1.7 "}, {"go 1.123 trace\0\0", "go 1.123 "},  {"go 1.20 trace\0\0\0", "go 1.20 "},
      {"go 1.26 trace\0\0\0", "go 1.26 "},  {"go 2.1 trace\0\0\0\0", "go 2.1 "},
  };
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
    stt_bytes b = {0};
    stt_put(&b, k[i].h, 16);
    RAW(&b, 0x41, 0x00, 0x01, 0x02, 0x64);
    heap(&b);
    for (int m = ST_MODE_STRICT; m <= ST_MODE_GO; m++) {
      expect_rule(&b, (st_mode)m, ST_RULE_HDR_UNSUPPORTED, 0);
      stt_run r;
      stt_decode(&r, b.p, b.len, 0, (st_mode)m);
      if (!strstr(r.diags[0].message, k[i].shown))
        print_error("message '%s' lacks '%s'\n", r.diags[0].message, k[i].shown);
      assert_non_null(strstr(r.diags[0].message, k[i].shown));
      assert_int_equal(r.nevents, 0);
      stt_run_free(&r);
    }
    stt_free(&b);
  }
}

/* Go 1.22, 1.23 and 1.25 headers are the v2 format: supported, so v1 bytes after them are
 * not a batch header (0x41 is not 01 or 31): BATCH-EXPECTED at 16, in both modes. */
static void test_header_v2_then_v1_bytes(void **state) {
  (void)state;
  static const char k[][17] = {"go 1.22 trace\0\0\0", "go 1.23 trace\0\0\0",
                               "go 1.25 trace\0\0\0"};
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
    stt_bytes b = {0};
    stt_put(&b, k[i], 16);
    RAW(&b, 0x41, 0x00, 0x01, 0x02, 0x64);
    heap(&b);
    expect_rule(&b, ST_MODE_STRICT, ST_RULE_BATCH_EXPECTED, 16);
    expect_rule(&b, ST_MODE_GO, ST_RULE_BATCH_EXPECTED, 16);
    stt_free(&b);
  }
}

static void test_header_bad(void **state) {
  (void)state;
  static const char k[][17] = {
      "hello, world!!!!",   "go 1.19 trace\0\0x", "go 1.19 trace   ",  "GO 1.19 trace\0\0\0",
      "go 1.0 trace\0\0\0\0", "go 0.1 trace\0\0\0\0", "go 1.19 trac\0\0\0\0",
      "go 1.19trace\0\0\0\0", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", "go 1.x trace\0\0\0\0",
  };
  for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
    stt_bytes b = {0};
    stt_put(&b, k[i], 16);
    RAW(&b, 0x41, 0x00, 0x01, 0x02, 0x64);
    heap(&b);
    expect_rule(&b, ST_MODE_STRICT, ST_RULE_HDR_BAD, 0);
    expect_rule(&b, ST_MODE_GO, ST_RULE_HDR_BAD, 0);
    stt_free(&b);
  }
}

static void test_header_short(void **state) {
  (void)state;
  for (size_t n = 0; n < 16; n++) {
    stt_bytes b = {0};
    stt_put(&b, "go 1.19 trace\0\0\0", n);
    expect_rule(&b, ST_MODE_STRICT, ST_RULE_TRUNCATED, 0);
    expect_rule(&b, ST_MODE_GO, ST_RULE_TRUNCATED, 0);
    stt_free(&b);
  }
  /* The header alone, in go mode, is a complete (empty) input. */
  stt_bytes b = {0};
  stt_header(&b, ST_VER_1_19);
  expect_clean(&b, ST_MODE_GO);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_FREQ_MISSING, 16);
  stt_free(&b);
}

static void test_concatenated(void **state) {
  (void)state;
  static const int vers[] = {ST_VER_1_11, ST_VER_1_19, ST_VER_1_21};
  for (size_t v = 0; v < 3; v++) {
    /* Second header right after the Frequency (21), or after an event (24). */
    stt_bytes b = {0};
    base(&b);
    base_v(&b, vers[v]);
    heap(&b);
    expect_rule(&b, ST_MODE_STRICT, ST_RULE_HDR_REPEATED, 21);
    expect_rule(&b, ST_MODE_GO, ST_RULE_HDR_REPEATED, 21);
    stt_free(&b);
  }
  /* Only "go 1." of a second header, at the very end. */
  stt_bytes b = {0};
  base(&b);
  heap(&b);
  stt_put(&b, "go 1.", 5);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_HDR_REPEATED, 24);
  expect_rule(&b, ST_MODE_GO, ST_RULE_HDR_REPEATED, 24);
  stt_free(&b);
}

/* ---- events ---- */

static void test_event_unknown(void **state) {
  (void)state;
  unsigned types[15];
  size_t nt = 0;
  types[nt++] = 0;
  for (unsigned t = 50; t <= 63; t++) types[nt++] = t;
  for (size_t i = 0; i < nt; i++)
    for (unsigned field = 0; field < 4; field++) {
      stt_bytes b = {0};
      base(&b);
      stt_byte(&b, (uint8_t)(field << 6 | types[i]));
      RAW(&b, 0x01, 0x01, 0x01, 0x01);
      expect_rule(&b, ST_MODE_STRICT, ST_RULE_EVENT_UNKNOWN, 21);
      expect_rule(&b, ST_MODE_GO, ST_RULE_EVENT_UNKNOWN, 21);
      stt_free(&b);
    }
  /* CPUSample (49), length-prefixed: ts 1, real ts 2, p 0, g 1, stack 0. */
  static const int vers[] = {ST_VER_1_11, ST_VER_1_19, ST_VER_1_21};
  for (size_t v = 0; v < 3; v++) {
    stt_bytes b = {0};
    base_v(&b, vers[v]);
    RAW(&b, 0xf1, 0x05, 0x01, 0x02, 0x00, 0x01, 0x00);
    for (int m = ST_MODE_STRICT; m <= ST_MODE_GO; m++) {
      if (vers[v] == ST_VER_1_11)
        expect_rule(&b, (st_mode)m, ST_RULE_EVENT_UNKNOWN, 21);
      else
        expect_clean(&b, (st_mode)m);
    }
    stt_free(&b);
  }
}

static void test_event_nargs_and_length(void **state) {
  (void)state;
  stt_bytes b = {0};
  /* Length-prefixed HeapAlloc holding only its timestamp. */
  base(&b);
  RAW(&b, 0xe1, 0x01, 0x01);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_EVENT_NARGS, 21);
  expect_rule(&b, ST_MODE_GO, ST_RULE_EVENT_NARGS, 21);
  stt_free(&b);
  /* HeapAlloc with field 2: three arguments of two. */
  base(&b);
  RAW(&b, 0xa1, 0x01, 0x05, 0x06);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_EVENT_NARGS, 21);
  stt_free(&b);
  /* Length 21 for two arguments (at most 20 bytes). */
  base(&b);
  RAW(&b, 0xe1, 0x15);
  for (int i = 0; i < 21; i++) stt_byte(&b, 0x01);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_EVENT_LENGTH, 21);
  expect_rule(&b, ST_MODE_GO, ST_RULE_EVENT_LENGTH, 21);
  stt_free(&b);
  /* Length 20 with two padded 10-byte arguments: fine. */
  base(&b);
  RAW(&b, 0xe1, 0x14);
  stt_uvw(&b, 1, 10);
  stt_uvw(&b, 5, 10);
  expect_clean(&b, ST_MODE_STRICT);
  stt_free(&b);
  /* EvStack whose length is more than its frame count can take. */
  base(&b);
  RAW(&b, 0xc3, 0x3d, 0x01, 0x01); /* L 61 > (2 + 4) x 10 */
  for (int i = 0; i < 59; i++) stt_byte(&b, 0x00);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_STACK_NFRAMES, 21);
  stt_free(&b);
  /* EvStack with fewer than 2 arguments. */
  base(&b);
  RAW(&b, 0xc3, 0x01, 0x01);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_STACK_NFRAMES, 21);
  expect_rule(&b, ST_MODE_GO, ST_RULE_STACK_NFRAMES, 21);
  stt_free(&b);
}

/* A valid trace with one event of each framing kind; offsets written out by hand. */
static const uint64_t k_kinds_off[] = {16, 19, 21, 24, 29, 35, 43, 53, 70};
static void kinds_trace(stt_bytes *b) {
  base(b);                                         /* Batch 16, Frequency 19 */
  heap(b);                                         /* 21: inline args */
  RAW(b, 0xe1, 0x03, 0x01, 0x80, 0x01);            /* 24: length-prefixed */
  RAW(b, 0x25, 0x01, 0x03, 'a', 'b', 'c');         /* 29: EvString */
  RAW(b, 0xc3, 0x06, 0x01, 0x01, 0x00, 0x01, 0x01, 0x00); /* 35: EvStack */
  RAW(b, 0xf0, 0x04, 0x01, 0x00, 0x00, 0x00, 0x03, 'm', 's', 'g'); /* 43: UserLog */
  /* 53: EvStack with the Go 1.20+ 10-byte length 6 */
  RAW(b, 0xc3, 0x86, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x02, 0x01, 0x00,
      0x00, 0x00, 0x00);
  assert_int_equal(b->len, 70);
}

static void test_truncated_every_cut(void **state) {
  (void)state;
  stt_bytes full = {0};
  kinds_trace(&full);
  expect_clean(&full, ST_MODE_STRICT);
  expect_clean(&full, ST_MODE_GO);
  for (size_t cut = 0; cut < full.len; cut++) {
    stt_bytes b = {0};
    stt_put(&b, full.p, cut);
    int boundary = 0;
    uint64_t start = 0;
    for (size_t k = 0; k < sizeof k_kinds_off / sizeof k_kinds_off[0]; k++) {
      if (k_kinds_off[k] == cut) boundary = 1;
      if (k_kinds_off[k] <= cut) start = k_kinds_off[k];
    }
    if (cut < 16) {
      expect_rule(&b, ST_MODE_STRICT, ST_RULE_TRUNCATED, 0);
      expect_rule(&b, ST_MODE_GO, ST_RULE_TRUNCATED, 0);
    } else if (boundary) {
      expect_clean(&b, ST_MODE_GO);
      if (cut >= 21)
        expect_clean(&b, ST_MODE_STRICT);
      else
        expect_rule(&b, ST_MODE_STRICT, ST_RULE_FREQ_MISSING, cut);
    } else {
      expect_rule(&b, ST_MODE_STRICT, ST_RULE_TRUNCATED, start);
      expect_rule(&b, ST_MODE_GO, ST_RULE_TRUNCATED, start);
    }
    stt_free(&b);
  }
  stt_free(&full);
}

static void test_userlog_message(void **state) {
  (void)state;
  stt_bytes b = {0};
  kinds_trace(&b);
  stt_run r;
  st_decode_config c = mode_cfg(ST_MODE_STRICT);
  run(&r, &c, &b);
  /* UserLog at 43, type 48, field 3, 10 bytes: args ts 1, task 0, key 0, stack 0; message. */
  if (!strstr(r.text, "E 43 48 3 size=10 1 0 0 0 s=0:msg\n")) print_error("%s", r.text);
  assert_non_null(strstr(r.text, "E 43 48 3 size=10 1 0 0 0 s=0:msg\n"));
  /* The padded EvStack: 17 bytes, id 2, one zero frame. */
  assert_non_null(strstr(r.text, "E 53 3 3 size=17 stk=2 n=1 [0   0]\n"));
  /* The stack at 35 resolves string 1 for fn and file. */
  assert_non_null(strstr(r.text, "E 35 3 3 size=8 stk=1 n=1 [0 abc abc 0]\n"));
  stt_run_free(&r);
  stt_free(&b);

  /* An empty message is allowed; 1e6 bytes pass, 1e6 + 1 fail at the UserLog's offset. */
  base(&b);
  RAW(&b, 0xf0, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00);
  expect_clean(&b, ST_MODE_STRICT);
  stt_free(&b);
  for (int over = 0; over < 2; over++) {
    base(&b);
    RAW(&b, 0xf0, 0x04, 0x01, 0x00, 0x00, 0x00);
    if (over)
      RAW(&b, 0xc1, 0x84, 0x3d);
    else
      RAW(&b, 0xc0, 0x84, 0x3d);
    size_t n = 1000000u + (size_t)over;
    char *s = malloc(n);
    memset(s, 'y', n);
    stt_put(&b, s, n);
    free(s);
    if (over) {
      expect_rule(&b, ST_MODE_STRICT, ST_RULE_STRING_TOO_LONG, 21);
      expect_rule(&b, ST_MODE_GO, ST_RULE_STRING_TOO_LONG, 21);
    } else {
      st_decode_config c = mode_cfg(ST_MODE_STRICT);
      c_big_buf(&c);
      expect_clean_cfg(&c, &b);
    }
    stt_free(&b);
  }
}

/* ---- rules with more than one boundary ---- */

static void test_len_over_2048_is_a_warning(void **state) {
  (void)state;
  stt_bytes b = {0};
  base(&b);
  stack_payload_len(&b, 1, 2049);
  heap(&b);
  st_decode_config c = mode_cfg(ST_MODE_STRICT);
  st_decoder d;
  assert_int_equal(st_decoder_init(&d, &c), ST_OK);
  assert_int_equal(st_decoder_push(&d, b.p, b.len), ST_OK);
  assert_int_equal(st_decoder_finish(&d), ST_OK);
  assert_int_equal(st_decoder_warnings(&d), 1);
  assert_int_equal(st_decoder_errors(&d), 0);
  st_decoder_free(&d);
  stt_free(&b);
  /* Go 1.22+ limits the length L (2048), not the event's whole size: L = 2046 with its 2-byte
   * length and type byte is 2049 bytes in all and still accepted there. */
  base(&b);
  stack_payload_len(&b, 1, 2046);
  assert_int_equal(b.len - 21, 2049);
  stt_run r;
  run(&r, &c, &b);
  if (r.ndiags) print_error("%s", r.text);
  assert_int_equal(r.ndiags, 0);
  stt_run_free(&r);
  stt_free(&b);
}

static void test_batch_capacity_default(void **state) {
  (void)state;
  /* A batch of exactly 64488 bytes: Batch 3 + Frequency 2 + one 4-byte HeapAlloc + 21493
   * 3-byte ones. */
  for (int over = 0; over < 2; over++) {
    stt_bytes b = {0};
    base(&b);
    if (over)
      RAW(&b, 0x61, 0x01, 0x80, 0x80, 0x01); /* mem 16384: one byte more */
    else
      RAW(&b, 0x61, 0x01, 0x80, 0x01); /* mem 128 */
    for (int i = 0; i < 21493; i++) heap(&b);
    assert_int_equal(b.len - 16, 64488 + (size_t)over);
    /* Then a second batch, which closes the first. */
    RAW(&b, 0x41, 0x01, 0x05);
    heap(&b);
    if (over) {
      expect_rule(&b, ST_MODE_STRICT, ST_RULE_BATCH_TOO_LARGE, 16);
      expect_clean(&b, ST_MODE_GO);
    } else {
      st_decode_config c = mode_cfg(ST_MODE_STRICT);
      c_big_buf(&c);
      expect_clean_cfg(&c, &b);
    }
    stt_free(&b);
  }
}

static void test_batch_bare_frequency(void **state) {
  (void)state;
  /* Go 1.19 writes Frequency bare, after the batches: not part of the batch before it. */
  stt_bytes b = {0};
  stt_header(&b, ST_VER_1_19);
  RAW(&b, 0x41, 0x00, 0x01); /* 16 */
  heap(&b);                  /* 19: the batch is 6 bytes */
  RAW(&b, 0x02, 0x64);       /* 22: bare */
  RAW(&b, 0x41, 0x00, 0x02); /* 24: a second, 3-byte batch */
  st_decode_config c = mode_cfg(ST_MODE_STRICT);
  c.buf_size = 6;
  expect_clean_cfg(&c, &b);
  c.buf_size = 5;
  expect_rule_cfg(&c, &b, ST_RULE_BATCH_TOO_LARGE, 16);
  stt_free(&b);
}

static void test_freq_negative(void **state) {
  (void)state;
  for (int neg = 0; neg < 2; neg++) {
    stt_bytes b = {0};
    stt_header(&b, ST_VER_1_19);
    RAW(&b, 0x41, 0x00, 0x01);
    stt_byte(&b, 0x02); /* 19 */
    if (neg)
      RAW(&b, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01); /* 2^63 */
    else
      RAW(&b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f); /* 2^63 - 1 */
    heap(&b);
    if (neg)
      expect_rule(&b, ST_MODE_STRICT, ST_RULE_FREQ_INVALID, 19);
    else
      expect_clean(&b, ST_MODE_STRICT);
    expect_clean(&b, ST_MODE_GO);
    stt_free(&b);
  }
}

static void test_limit_string_bytes(void **state) {
  (void)state;
  stt_bytes b = {0};
  base(&b);
  stt_string(&b, 1, "ab"); /* 21..25 */
  stt_string(&b, 2, "cd"); /* 26 */
  st_decode_config c = mode_cfg(ST_MODE_STRICT);
  c.limits.max_string_bytes = 4;
  expect_clean_cfg(&c, &b);
  c.limits.max_string_bytes = 3;
  expect_rule_cfg(&c, &b, ST_RULE_LIMIT_STRINGS, 26);
  c.mode = ST_MODE_GO;
  expect_rule_cfg(&c, &b, ST_RULE_LIMIT_STRINGS, 26);
  stt_free(&b);
}

static void test_string_forward_reference(void **state) {
  (void)state;
  stt_bytes b = {0};
  f_stack_string_undef(&b);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_STACK_STRING_UNDEFINED, 21);
  expect_clean(&b, ST_MODE_GO);
  stt_free(&b);
  /* Only the file string missing. */
  base(&b);
  RAW(&b, 0x25, 0x01, 0x01, 'f');
  RAW(&b, 0xc3, 0x06, 0x01, 0x01, 0x10, 0x01, 0x02, 0x07); /* 25 */
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_STACK_STRING_UNDEFINED, 25);
  expect_clean(&b, ST_MODE_GO);
  stt_free(&b);
  /* String ID 0 in a frame is the empty string, always defined. */
  base(&b);
  stack1(&b, 1);
  expect_clean(&b, ST_MODE_STRICT);
  stt_free(&b);
}

static void test_duplicate_stack_go_mode(void **state) {
  (void)state;
  stt_bytes b = {0};
  base(&b);
  stack1(&b, 1);
  RAW(&b, 0xc3, 0x06, 0x01, 0x01, 0x22, 0x00, 0x00, 0x03); /* 29: same ID, other frame */
  RAW(&b, 0x51, 0x01, 0x01);                               /* GoSched on stack 1 */
  expect_clean(&b, ST_MODE_GO);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_STACK_DUP_ID, 29);
  /* Both records are still delivered as events in go mode. */
  stt_run r;
  stt_decode(&r, b.p, b.len, 0, ST_MODE_GO);
  assert_int_equal(r.nevents, 5);
  stt_run_free(&r);
  stt_free(&b);
}

static void test_stack_undefined_first_reference(void **state) {
  (void)state;
  /* Two undefined stacks: one report, at the earliest reference. */
  stt_bytes b = {0};
  base(&b);
  RAW(&b, 0x51, 0x01, 0x09); /* 21 */
  RAW(&b, 0x51, 0x01, 0x08); /* 24 */
  RAW(&b, 0x51, 0x01, 0x09); /* 27 */
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_STACK_UNDEFINED, 21);
  expect_clean(&b, ST_MODE_GO);
  stt_free(&b);
  /* Stack 0 means none. */
  base(&b);
  RAW(&b, 0x51, 0x01, 0x00);
  expect_clean(&b, ST_MODE_STRICT);
  stt_free(&b);
}

/* ---- the decoder's own contract: memory and call order ---- */

/* Every allocation fails once in turn on a trace that grows the string arena (past 4096 bytes),
 * the string-ID table and the stack-ID table (stacks referenced before they are defined). The
 * call that meets the failure returns ST_E_NOMEM (init, or the push), the decoder refuses the
 * rest of the input and is freed with nothing left allocated; st_decode_buffer passes the
 * ST_E_NOMEM on. The run that meets no failure is clean. */
static void test_alloc_failure_every_call(void **state) {
  (void)state;
  stt_bytes b = {0};
  base(&b);
  char name[40];
  for (int i = 1; i <= 300; i++) {
    snprintf(name, sizeof name, "main.function_number_%03d", i);
    stt_string(&b, (uint64_t)i, name);
  }
  for (uint8_t i = 1; i <= 100; i++) RAW(&b, 0x51, 0x01, i); /* GoSched on stack i */
  for (uint64_t i = 1; i <= 100; i++) {
    uint64_t fr[4] = {0x1000 + i, i, i + 1, 7};
    stt_stack(&b, i, fr, 1);
  }
  for (long fail_at = 1;; fail_at++) {
    stt_alloc a;
    stt_alloc_init(&a, fail_at);
    st_decode_config cfg;
    st_decode_config_default(&cfg);
    cfg.alloc = &a.a;
    st_decoder d;
    st_status s = st_decoder_init(&d, &cfg), f = ST_OK;
    if (s == ST_OK) {
      s = st_decoder_push(&d, b.p, b.len);
      if (s == ST_E_NOMEM) assert_int_equal(st_decoder_push(&d, b.p, 1), ST_E_INVALID);
      f = st_decoder_finish(&d);
      if (s == ST_E_NOMEM) assert_int_equal(f, ST_E_INVALID);
    }
    st_decoder_free(&d);
    assert_int_equal(a.live, 0);
    assert_int_equal(a.bytes, 0);
    assert_int_equal(a.bad_old, 0);
    if (a.failures) {
      assert_int_equal(s, ST_E_NOMEM);
      stt_alloc_init(&a, fail_at);
      assert_int_equal(st_decode_buffer(&cfg, b.p, b.len), ST_E_NOMEM);
      assert_int_equal(a.live, 0);
      continue;
    }
    assert_int_equal(s, ST_OK);
    assert_int_equal(f, ST_OK);
    assert_true(fail_at > 5); /* scratch twice, arena, both ID tables */
    break;
  }
  stt_free(&b);
}

static void *no_realloc_ctx;

/* st_decode.h: ST_E_PARAM for a bad configuration (an allocator without its function);
 * ST_E_STATE for a push or finish after finish, or on a context never initialised; a freed
 * decoder can be initialised again. */
static void test_call_order(void **state) {
  (void)state;
  stt_bytes b = {0};
  base(&b);
  st_decode_config cfg;
  st_decode_config_default(&cfg);
  st_alloc broken = {NULL, &no_realloc_ctx};
  cfg.alloc = &broken;
  st_decoder d;
  assert_int_equal(st_decoder_init(&d, &cfg), ST_E_PARAM);
  st_decoder_free(&d);
  memset(&d, 0, sizeof d); /* never initialised */
  assert_int_equal(st_decoder_push(&d, b.p, b.len), ST_E_STATE);
  assert_int_equal(st_decoder_finish(&d), ST_E_STATE);
  st_decoder_free(&d);
  st_decode_config_default(&cfg);
  for (int round = 0; round < 2; round++) {
    assert_int_equal(st_decoder_init(&d, &cfg), ST_OK);
    assert_int_equal(st_decoder_push(&d, b.p, b.len), ST_OK);
    assert_int_equal(st_decoder_finish(&d), ST_OK);
    assert_int_equal(st_decoder_push(&d, b.p, 1), ST_E_STATE);
    assert_int_equal(st_decoder_finish(&d), ST_E_STATE);
    st_decoder_free(&d);
  }
  stt_free(&b);
}

/* 0x67 is 'g', which may start a repeated "go 1." header, so the decoder waits for 5 bytes
 * before deciding. When the input ends first, the 3 bytes are decided as what they are:
 * GoUnblockLocal (type 39) with field 1, i.e. a timestamp and one argument where the event
 * takes three (ts, g, stack): EVENT-NARGS at 21, not TRUNCATED. */
static void test_short_g_at_end(void **state) {
  (void)state;
  stt_bytes b = {0};
  base(&b);
  RAW(&b, 0x67, 0x01, 0x02);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_EVENT_NARGS, 21);
  stt_free(&b);
  /* Followed by another event: with small chunks the 5 bytes waited for hold the start of the
   * next event, which is then decoded from what is left over (GoSched, stack 0: clean). */
  base(&b);
  RAW(&b, 0x67, 0x01, 0x02);
  RAW(&b, 0x51, 0x01, 0x00);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_EVENT_NARGS, 21);
  stt_free(&b);
}

/* Edge cases of rules covered elsewhere by their first occurrence:
 *  - BATCH-MISSING is reported once, at the first event before any batch (16), not again for
 *    the second (19);
 *  - VARINT-OVERFLOW is reported once per event (at the event's offset), even when two of its
 *    varints overflow (10th byte 0x7f: bits past 64);
 *  - LIMIT-STACKS also stops a reference to a new stack ID, not only a definition: with room
 *    for one ID, GoSched on stack 1 (21) passes and GoSched on stack 2 (24) is refused. */
static void test_rule_edge_cases(void **state) {
  (void)state;
  stt_bytes b = {0};
  stt_header(&b, ST_VER_1_19);
  heap(&b);
  heap(&b);
  RAW(&b, 0x41, 0x00, 0x01);
  RAW(&b, 0x02, 0x64);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_BATCH_MISSING, 16);
  stt_free(&b);

  base(&b);
  RAW(&b, 0x61, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff,
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_VARINT_OVERFLOW, 21);
  stt_free(&b);

  base(&b);
  RAW(&b, 0x51, 0x01, 0x01); /* 21 */
  RAW(&b, 0x51, 0x01, 0x02); /* 24 */
  stack1(&b, 1);
  st_decode_config c = mode_cfg(ST_MODE_STRICT);
  c.limits.max_stacks = 1;
  expect_rule_cfg(&c, &b, ST_RULE_LIMIT_STACKS, 24);
  stt_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_rule_has_a_case),
      cmocka_unit_test(test_rule_cases),
      cmocka_unit_test(test_header_supported),
      cmocka_unit_test(test_header_unsupported),
      cmocka_unit_test(test_header_v2_then_v1_bytes),
      cmocka_unit_test(test_header_bad),
      cmocka_unit_test(test_header_short),
      cmocka_unit_test(test_concatenated),
      cmocka_unit_test(test_event_unknown),
      cmocka_unit_test(test_event_nargs_and_length),
      cmocka_unit_test(test_truncated_every_cut),
      cmocka_unit_test(test_userlog_message),
      cmocka_unit_test(test_len_over_2048_is_a_warning),
      cmocka_unit_test(test_batch_capacity_default),
      cmocka_unit_test(test_batch_bare_frequency),
      cmocka_unit_test(test_freq_negative),
      cmocka_unit_test(test_limit_string_bytes),
      cmocka_unit_test(test_string_forward_reference),
      cmocka_unit_test(test_duplicate_stack_go_mode),
      cmocka_unit_test(test_stack_undefined_first_reference),
      cmocka_unit_test(test_alloc_failure_every_call),
      cmocka_unit_test(test_call_order),
      cmocka_unit_test(test_short_g_at_end),
      cmocka_unit_test(test_rule_edge_cases),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

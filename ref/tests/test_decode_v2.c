/* The v2 decoder (Go 1.22+ traces) on hand-built traces: for every rule that applies to v2, a
 * minimal failing input that reports exactly that rule at the offset worked out by hand from
 * the bytes, and a passing input at the boundary; each decoded in both modes (rules that are
 * strict-only for v2 must stay silent in go mode), whole and in chunks of 1, 2, 3, 7 and 64
 * bytes, which must give identical events and diagnostics. Then: versions, late name
 * resolution (and its memory limit), per-generation tables, the v2 event fields.
 *
 * Offsets. A batch header (stt_v2_batch_open) with gen, M and time below 128 is 14 bytes:
 * 01 gen M time + the 10-byte size. base(): header 0..15, frequency batch at 16 (header
 * 16..29, Frequency 08 64 at 30..31, payload size 2), so the next batch starts at 32 and its
 * first payload byte is at 46. The rule cases run for "go 1.22 trace" and "go 1.23 trace". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_util.h"
#include "stacktab/st_events.h"
#include "stacktab/st_varint.h"

#define RAW(b, ...)                       \
  do {                                    \
    const uint8_t raw_[] = {__VA_ARGS__}; \
    stt_put((b), raw_, sizeof raw_);      \
  } while (0)

/* A batch with the given payload bytes. */
#define BATCH(b, gen, m, ...)                        \
  do {                                               \
    size_t at_ = stt_v2_batch_open((b), (gen), (m)); \
    RAW((b), __VA_ARGS__);                           \
    stt_v2_batch_end((b), at_);                      \
  } while (0)

static const size_t k_chunks[] = {1, 2, 3, 7, 64};
static int g_ver = ST_VER_1_22;

/* ---- running and checking ---- */

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

/* Exactly one diagnostic: `rule` at `off`, status INVALID. */
static void expect_rule_cfg(const st_decode_config *cfg, const stt_bytes *b, st_rule rule,
                            uint64_t off) {
  stt_run r;
  run(&r, cfg, b);
  if (r.ndiags != 1 || r.diags[0].rule != rule || r.diags[0].off != off)
    print_error("go 1.%d mode %d: want only %s at %llu, got:\n%s", g_ver % 1000, cfg->mode,
                st_rule_id(rule), (unsigned long long)off, r.text);
  assert_int_equal(r.ndiags, 1);
  assert_int_equal(r.diags[0].rule, rule);
  assert_int_equal(r.diags[0].off, off);
  const st_rule_desc *rd = st_rule_describe(rule);
  assert_int_equal(r.diags[0].severity, rd->severity);
  assert_true(r.diags[0].message[0] != '\0');
  assert_int_equal(r.status, ST_E_INVALID);
  stt_run_free(&r);
}

static void expect_rule(const stt_bytes *b, st_mode m, st_rule rule, uint64_t off) {
  st_decode_config c = mode_cfg(m);
  expect_rule_cfg(&c, b, rule, off);
}

static void expect_clean_cfg(const st_decode_config *cfg, const stt_bytes *b) {
  stt_run r;
  run(&r, cfg, b);
  if (r.ndiags != 0 || r.status != ST_OK)
    print_error("go 1.%d mode %d: want clean, got:\n%s", g_ver % 1000, cfg->mode, r.text);
  assert_int_equal(r.ndiags, 0);
  assert_int_equal(r.status, ST_OK);
  assert_true(r.nevents > 0);
  stt_run_free(&r);
}

static void expect_clean(const stt_bytes *b, st_mode m) {
  st_decode_config c = mode_cfg(m);
  expect_clean_cfg(&c, b);
}

/* ---- byte builders ---- */


/* Header, then the frequency batch of generation 1 at 16 (Frequency 100 at 30): 32 bytes.
 * (Go 1.25: a sync batch 32 08 64 instead, 33 bytes.) */
static void base_gen(stt_bytes *b, uint64_t gen) {
  if (g_ver >= ST_VER_1_25)
    BATCH(b, gen, 0, 0x32, 0x08, 0x64);
  else
    BATCH(b, gen, 0, 0x08, 0x64);
}
static void base(stt_bytes *b) {
  stt_header(b, g_ver);
  base_gen(b, 1);
  if (g_ver < ST_VER_1_25) assert_int_equal(b->len, 32);
}
/* An event batch of generation gen, M 1, with one GoDestroy (11 01): 16 bytes. */
static void events_gen(stt_bytes *b, uint64_t gen) { BATCH(b, gen, 1, 0x11, 0x01); }
/* A strings batch defining id = s. */
static void strings_batch(stt_bytes *b, uint64_t gen, uint64_t id, const char *s) {
  size_t at = stt_v2_batch_open(b, gen, 0);
  RAW(b, 0x04, 0x05);
  stt_uv(b, id);
  stt_uv(b, strlen(s));
  stt_put(b, s, strlen(s));
  stt_v2_batch_end(b, at);
}

/* ---- the per-rule cases (offsets: see the file comment) ---- */

/* base + event batch at 32 (GoDestroy at 46): 48 bytes. */
static void p_plain(stt_bytes *b) {
  base(b);
  events_gen(b, 1);
  if (g_ver < ST_VER_1_25) assert_int_equal(b->len, 48);
}
static void f_hdr_bad(stt_bytes *b) {
  stt_put(b, "xo 1.22 trace\0\0\0", 16);
  BATCH(b, 1, 0, 0x08, 0x64);
  events_gen(b, 1);
}
static void f_hdr_unsupported(stt_bytes *b) {
  stt_put(b, "go 1.24 trace\0\0\0", 16); /* Go 1.24 writes "go 1.23 trace" */
  BATCH(b, 1, 0, 0x08, 0x64);
  events_gen(b, 1);
}
static void f_hdr_repeated(stt_bytes *b) {
  p_plain(b);
  stt_header(b, g_ver); /* 48 */
  BATCH(b, 1, 0, 0x08, 0x64);
}
static void p_hdr_repeated(stt_bytes *b) {
  /* A header's text inside a string is not a header (nor is a batch with a 'g' byte). */
  base(b);
  strings_batch(b, 1, 1, "go 1.22 trace");
  BATCH(b, 1, 1, 0x11, 0x01, 0x11, 'g');
}
static void f_truncated(stt_bytes *b) {
  base(b);
  size_t at = stt_v2_batch_open(b, 1, 1); /* 32 */
  RAW(b, 0x11);                    /* 46: GoDestroy without its dt; size says 2 */
  stt_v2_batch_close(b, at, 2);
}
static void f_varint_overlong(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 1, 0x11, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
}
static void p_varint_overlong(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 1, 0x11, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
}
static void f_varint_overflow(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 1, 0x11, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02);
}
static void p_varint_overflow(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 1, 0x11, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
}
static void f_event_unknown(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 1, 0x40, 0x01); /* 46: type 64, no such event */
}
/* Event batch at 32 with two GoDestroy: 14 + 4 = 18 bytes (the frequency batch is 16). */
static void p_two_events(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 1, 0x11, 0x01, 0x11, 0x01);
}
static void c_buf17(st_decode_config *c) { c->buf_size_v2 = 17; }
static void c_buf18(st_decode_config *c) { c->buf_size_v2 = 18; }
static void c_big_buf(st_decode_config *c) { c->buf_size_v2 = 1u << 20; }
/* Strings batch at 32: 04 at 46, the first String at 47. */
static void f_string_id_zero(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 0, 0x04, 0x05, 0x00, 0x01, 'a');
  events_gen(b, 1);
}
static void p_string(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 0, 0x04, 0x05, 0x01, 0x01, 'a');
  events_gen(b, 1);
}
static void f_string_dup(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 0, 0x04, 0x05, 0x01, 0x01, 'a', /* 51 */ 0x05, 0x01, 0x01, 'b');
  events_gen(b, 1);
}
static void p_string_dup(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 0, 0x04, 0x05, 0x01, 0x01, 'a', 0x05, 0x02, 0x01, 'b');
  events_gen(b, 1);
}
/* String of n bytes at 47: 1024 = 80 08, 1025 = 81 08. */
static void string_of(stt_bytes *b, size_t n) {
  base(b);
  size_t at = stt_v2_batch_open(b, 1, 0);
  RAW(b, 0x04, 0x05, 0x01);
  stt_uv(b, n);
  for (size_t i = 0; i < n; i++) stt_byte(b, 'x');
  stt_v2_batch_end(b, at);
  events_gen(b, 1);
}
static void f_string_too_long(stt_bytes *b) {
  string_of(b, 1025);
  assert_int_equal(b->p[49], 0x81);
  assert_int_equal(b->p[50], 0x08);
}
static void p_string_too_long(stt_bytes *b) { string_of(b, 1024); }
/* Stacks batch at 32: 02 at 46, Stack 1 with n zero frames at 47 (129 = 81 01, 128 = 80 01). */
static void stack_zero_frames(stt_bytes *b, uint64_t n) {
  base(b);
  size_t at = stt_v2_batch_open(b, 1, 0);
  RAW(b, 0x02, 0x03, 0x01);
  stt_uv(b, n);
  for (uint64_t i = 0; i < 4 * n; i++) stt_byte(b, 0x00);
  stt_v2_batch_end(b, at);
  events_gen(b, 1);
}
static void f_stack_too_deep(stt_bytes *b) {
  stack_zero_frames(b, 129);
  assert_int_equal(b->p[49], 0x81);
}
static void p_stack_too_deep(stt_bytes *b) { stack_zero_frames(b, 128); }
static void f_stack_id_zero(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 0, 0x02, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00);
  events_gen(b, 1);
}
static void p_stack(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 0, 0x02, 0x03, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00);
  events_gen(b, 1);
}
static void f_stack_dup(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 0, 0x02, 0x03, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, /* 54 */ 0x03, 0x01, 0x01, 0x00,
        0x00, 0x00, 0x00);
  events_gen(b, 1);
}
static void p_stack_dup(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 0, 0x02, 0x03, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x00,
        0x00, 0x00);
  events_gen(b, 1);
}
/* Stack 1 at 47: one frame pc 0x10, fn string 1, file string 2, line 7. */
static void f_stack_string_undef(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 0, 0x02, 0x03, 0x01, 0x01, 0x10, 0x01, 0x02, 0x07);
  events_gen(b, 1);
  strings_batch(b, 1, 1, "f"); /* only the fn string; file string 2 never comes */
}
static void p_stack_string_undef(stt_bytes *b) {
  /* The strings after the stack that names them, in the same generation: fine in v2. */
  base(b);
  BATCH(b, 1, 0, 0x02, 0x03, 0x01, 0x01, 0x10, 0x01, 0x02, 0x07);
  events_gen(b, 1);
  BATCH(b, 1, 0, 0x04, 0x05, 0x01, 0x01, 'f', 0x05, 0x02, 0x01, 'g');
}
/* GoStop (13): dt 1, reason string, stack. */
static void f_stack_undefined(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 1, 0x13, 0x01, 0x00, 0x07); /* 46: stack 7, never defined */
}
static void p_stack_undefined(stt_bytes *b) {
  f_stack_undefined(b);
  BATCH(b, 1, 0, 0x02, 0x03, 0x07, 0x01, 0x00, 0x00, 0x00, 0x00); /* defined after its use */
}
static void f_freq_missing(stt_bytes *b) {
  stt_header(b, g_ver);
  events_gen(b, 1); /* 16: the generation's first batch */
}
static void f_freq_invalid(stt_bytes *b) {
  stt_header(b, g_ver);
  BATCH(b, 1, 0, 0x08, 0x00); /* Frequency 0 at 30 */
  events_gen(b, 1);
}
static void p_freq_invalid(stt_bytes *b) {
  stt_header(b, g_ver);
  BATCH(b, 1, 0, 0x08, 0x01);
  events_gen(b, 1);
}
static void c_max_strings1(st_decode_config *c) { c->limits.max_strings = 1; }
static void c_max_strings2(st_decode_config *c) { c->limits.max_strings = 2; }
static void c_max_stacks1(st_decode_config *c) { c->limits.max_stacks = 1; }
static void c_max_stacks2(st_decode_config *c) { c->limits.max_stacks = 2; }
static void f_batch_expected(stt_bytes *b) {
  base(b);
  RAW(b, 0x02, 0x01, 0x01); /* 32: not 01 */
}
static void f_batch_size(stt_bytes *b) {
  base(b);
  size_t at = stt_v2_batch_open(b, 1, 1); /* 32 */
  stt_v2_batch_close(b, at, 65537);
}
static void p_batch_size(stt_bytes *b) {
  base(b);
  size_t at = stt_v2_batch_open(b, 1, 1);
  for (int i = 0; i < 32768; i++) RAW(b, 0x11, 0x01);
  stt_v2_batch_end(b, at);
  assert_int_equal(b->len - at - 10, 65536);
}
static void f_batch_overrun(stt_bytes *b) {
  base(b);
  size_t at = stt_v2_batch_open(b, 1, 1);
  RAW(b, 0x11, 0x01); /* 46: GoDestroy is 2 bytes, the batch 1 */
  stt_v2_batch_close(b, at, 1);
}
static void f_batch_record(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 0, 0x04, 0x03, 0x01, 0x00); /* 47: a Stack in a strings batch */
  events_gen(b, 1);
}
static void f_batch_trailing(stt_bytes *b) {
  stt_header(b, g_ver);
  BATCH(b, 1, 0, 0x08, 0x64, 0x00); /* Frequency at 30, then one more byte */
  events_gen(b, 1);
}
static void f_gen_zero(stt_bytes *b) {
  stt_header(b, g_ver);
  BATCH(b, 0, 0, 0x08, 0x64); /* 16 */
  events_gen(b, 0);
}
static void f_gen_order(stt_bytes *b) {
  p_plain(b);
  base_gen(b, 3); /* 48: generation 3 after 1 */
  events_gen(b, 3);
}
static void p_gen_order(stt_bytes *b) {
  p_plain(b);
  base_gen(b, 2);
  events_gen(b, 2);
}
static void f_gen_no_events(stt_bytes *b) {
  base(b); /* generation 1 (first batch at 16) has only its frequency */
}
static void f_freq_repeated(stt_bytes *b) {
  base(b);
  base_gen(b, 1); /* 32: a second frequency batch, Frequency at 46 */
  events_gen(b, 1);
}
static void f_string_undefined(stt_bytes *b) {
  base(b);
  BATCH(b, 1, 1, 0x13, 0x01, 0x05, 0x00); /* 46: GoStop, reason string 5 */
}
static void p_string_undefined(stt_bytes *b) {
  f_string_undefined(b);
  strings_batch(b, 1, 5, "reason"); /* defined later in the generation */
}
static void f_cpu_stack_undefined(stt_bytes *b) {
  p_plain(b);
  BATCH(b, 1, 0, 0x06, 0x07, 0x01, 0x01, 0x01, 0x01, 0x09); /* 48: CPUSample at 63, stack 9 */
}
static void p_cpu_stack_undefined(stt_bytes *b) {
  f_cpu_stack_undefined(b);
  BATCH(b, 1, 0, 0x02, 0x03, 0x09, 0x01, 0x00, 0x00, 0x00, 0x00);
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
    {ST_RULE_HDR_UNSUPPORTED, 0, f_hdr_unsupported, p_plain, NULL, NULL},
    {ST_RULE_HDR_REPEATED, 48, f_hdr_repeated, p_hdr_repeated, NULL, NULL},
    {ST_RULE_TRUNCATED, 46, f_truncated, p_plain, NULL, NULL},
    {ST_RULE_VARINT_OVERLONG, 46, f_varint_overlong, p_varint_overlong, NULL, NULL},
    {ST_RULE_VARINT_OVERFLOW, 46, f_varint_overflow, p_varint_overflow, NULL, NULL},
    {ST_RULE_EVENT_UNKNOWN, 46, f_event_unknown, p_plain, NULL, NULL},
    {ST_RULE_BATCH_TOO_LARGE, 32, p_two_events, p_two_events, c_buf17, c_buf18},
    {ST_RULE_STRING_ID_ZERO, 47, f_string_id_zero, p_string, NULL, NULL},
    {ST_RULE_STRING_DUP_ID, 51, f_string_dup, p_string_dup, NULL, NULL},
    {ST_RULE_STRING_TOO_LONG, 47, f_string_too_long, p_string_too_long, NULL, NULL},
    {ST_RULE_STACK_TOO_DEEP, 47, f_stack_too_deep, p_stack_too_deep, NULL, NULL},
    {ST_RULE_STACK_ID_ZERO, 47, f_stack_id_zero, p_stack, NULL, NULL},
    {ST_RULE_STACK_DUP_ID, 54, f_stack_dup, p_stack_dup, NULL, NULL},
    {ST_RULE_STACK_STRING_UNDEFINED, 47, f_stack_string_undef, p_stack_string_undef, NULL, NULL},
    {ST_RULE_STACK_UNDEFINED, 46, f_stack_undefined, p_stack_undefined, NULL, NULL},
    {ST_RULE_FREQ_MISSING, 16, f_freq_missing, p_plain, NULL, NULL},
    {ST_RULE_FREQ_INVALID, 30, f_freq_invalid, p_freq_invalid, NULL, NULL},
    {ST_RULE_LIMIT_STRINGS, 51, p_string_dup, p_string_dup, c_max_strings1, c_max_strings2},
    {ST_RULE_LIMIT_STACKS, 54, p_stack_dup, p_stack_dup, c_max_stacks1, c_max_stacks2},
    {ST_RULE_BATCH_EXPECTED, 32, f_batch_expected, p_plain, NULL, NULL},
    {ST_RULE_BATCH_SIZE, 32, f_batch_size, p_batch_size, NULL, c_big_buf},
    {ST_RULE_BATCH_OVERRUN, 46, f_batch_overrun, p_plain, NULL, NULL},
    {ST_RULE_BATCH_RECORD, 47, f_batch_record, p_string, NULL, NULL},
    {ST_RULE_BATCH_TRAILING, 30, f_batch_trailing, p_plain, NULL, NULL},
    {ST_RULE_GEN_ZERO, 16, f_gen_zero, p_plain, NULL, NULL},
    {ST_RULE_GEN_ORDER, 48, f_gen_order, p_gen_order, NULL, NULL},
    {ST_RULE_GEN_NO_EVENTS, 16, f_gen_no_events, p_plain, NULL, NULL},
    {ST_RULE_FREQ_REPEATED, 46, f_freq_repeated, p_plain, NULL, NULL},
    {ST_RULE_STRING_UNDEFINED, 46, f_string_undefined, p_string_undefined, NULL, NULL},
    {ST_RULE_CPU_STACK_UNDEFINED, 63, f_cpu_stack_undefined, p_cpu_stack_undefined, NULL, NULL},
};
#define NCASES (sizeof k_cases / sizeof k_cases[0])

/* The rules that apply to v2 traces, and those that only exist in v1. */
static const st_rule k_v2_rules[] = {
    ST_RULE_HDR_BAD, ST_RULE_HDR_UNSUPPORTED, ST_RULE_HDR_REPEATED, ST_RULE_TRUNCATED,
    ST_RULE_VARINT_OVERLONG, ST_RULE_VARINT_OVERFLOW, ST_RULE_EVENT_UNKNOWN,
    ST_RULE_BATCH_TOO_LARGE, ST_RULE_STRING_ID_ZERO, ST_RULE_STRING_DUP_ID,
    ST_RULE_STRING_TOO_LONG, ST_RULE_STACK_TOO_DEEP, ST_RULE_STACK_ID_ZERO,
    ST_RULE_STACK_DUP_ID, ST_RULE_STACK_STRING_UNDEFINED, ST_RULE_STACK_UNDEFINED,
    ST_RULE_FREQ_MISSING, ST_RULE_FREQ_INVALID, ST_RULE_LIMIT_STRINGS, ST_RULE_LIMIT_STACKS,
    ST_RULE_BATCH_EXPECTED, ST_RULE_BATCH_SIZE, ST_RULE_BATCH_OVERRUN, ST_RULE_BATCH_RECORD,
    ST_RULE_BATCH_TRAILING, ST_RULE_GEN_ZERO, ST_RULE_GEN_ORDER, ST_RULE_GEN_NO_EVENTS,
    ST_RULE_FREQ_REPEATED, ST_RULE_STRING_UNDEFINED, ST_RULE_CPU_STACK_UNDEFINED,
};
static const st_rule k_v1_only[] = {
    ST_RULE_EVENT_NARGS, ST_RULE_EVENT_LENGTH, ST_RULE_BATCH_MISSING, ST_RULE_STRING_EMPTY,
    ST_RULE_STACK_NFRAMES, ST_RULE_STACK_FORM, ST_RULE_LEN_OVER_2048,
};

static int in_list(const st_rule *l, size_t n, st_rule r) {
  for (size_t i = 0; i < n; i++)
    if (l[i] == r) return 1;
  return 0;
}

static void test_every_v2_rule_has_a_case(void **state) {
  (void)state;
  const size_t n2 = sizeof k_v2_rules / sizeof k_v2_rules[0];
  const size_t n1 = sizeof k_v1_only / sizeof k_v1_only[0];
  for (unsigned r = 1; r < ST_RULE_COUNT; r++) {
    int v2 = in_list(k_v2_rules, n2, (st_rule)r), v1 = in_list(k_v1_only, n1, (st_rule)r);
    /* A new rule must be sorted into one list or the other. */
    if (v2 == v1) print_error("rule %s: v2 %d, v1-only %d\n", st_rule_id((st_rule)r), v2, v1);
    assert_true(v2 != v1);
    if (!v2) continue;
    int found = 0;
    for (size_t i = 0; i < NCASES; i++) found |= k_cases[i].rule == (st_rule)r;
    if (!found) print_error("rule %s has no v2 case\n", st_rule_id((st_rule)r));
    assert_true(found);
  }
}

static void test_rule_cases(void **state) {
  (void)state;
  static const int vers[] = {ST_VER_1_22, ST_VER_1_23};
  for (size_t v = 0; v < 2; v++) {
    g_ver = vers[v];
    for (size_t i = 0; i < NCASES; i++) {
      const rule_case *k = &k_cases[i];
      print_message("go 1.%d %s\n", g_ver % 1000, st_rule_id(k->rule));
      stt_bytes fail = {0}, pass = {0};
      k->fail_fn(&fail);
      k->pass_fn(&pass);
      for (int m = ST_MODE_STRICT; m <= ST_MODE_GO; m++) {
        st_decode_config fc = mode_cfg((st_mode)m), pc = mode_cfg((st_mode)m);
        if (k->fail_cfg) k->fail_cfg(&fc);
        if (k->pass_cfg) k->pass_cfg(&pc);
        if (m == ST_MODE_GO && st_rule_strict_only(k->rule, 2))
          expect_clean_cfg(&fc, &fail);
        else
          expect_rule_cfg(&fc, &fail, k->rule, k->off);
        expect_clean_cfg(&pc, &pass);
      }
      stt_free(&fail);
      stt_free(&pass);
    }
  }
  g_ver = ST_VER_1_22;
}

/* ---- versions ---- */

/* Every kind of batch of the version, in two generations. */
static void kinds_trace(stt_bytes *b) {
  for (uint64_t gen = 1; gen <= 2; gen++) {
    if (gen == 1)
      base(b);
    else
      base_gen(b, gen);
    BATCH(b, gen, 0, 0x02, 0x03, 0x01, 0x02, 0x10, 0x01, 0x02, 0x07, 0x20, 0x03, 0x00, 0x08);
    BATCH(b, gen, 1, 0x0d, 0x01, 0x00, 0x01, /* ProcStatus */ 0x13, 0x01, 0x04, 0x01, /* GoStop */
          0x11, 0x01);
    BATCH(b, gen, 0, 0x06, 0x07, 0x05, 0x01, 0x00, 0x01, 0x01);
    BATCH(b, gen, 0, 0x04, 0x05, 0x01, 0x04, 'm', 'a', 'i', 'n', 0x05, 0x02, 0x07, 'm', 'a', 'i',
          'n', '.', 'g', 'o', 0x05, 0x03, 0x03, 'f', 'o', 'o', 0x05, 0x04, 0x00);
  }
}

static void test_versions(void **state) {
  (void)state;
  static const int vers[] = {ST_VER_1_22, ST_VER_1_23, ST_VER_1_25};
  for (size_t v = 0; v < 3; v++) {
    g_ver = vers[v];
    stt_bytes b = {0};
    kinds_trace(&b);
    expect_clean(&b, ST_MODE_STRICT);
    expect_clean(&b, ST_MODE_GO);
    stt_free(&b);
    /* A 1.25 sync batch also holds a ClockSnapshot (33 dt mono sec nsec). */
    if (g_ver == ST_VER_1_25) {
      stt_header(&b, g_ver);
      BATCH(&b, 1, 0, 0x32, 0x08, 0x64, 0x33, 0x01, 0x02, 0x03, 0x04);
      events_gen(&b, 1);
      expect_clean(&b, ST_MODE_STRICT);
      expect_clean(&b, ST_MODE_GO);
      stt_free(&b);
      /* Anything else in a sync batch (a GoDestroy at 31). */
      stt_header(&b, g_ver);
      BATCH(&b, 1, 0, 0x32, 0x08, 0x64, 0x11, 0x01);
      expect_rule(&b, ST_MODE_STRICT, ST_RULE_BATCH_RECORD, 33);
      expect_rule(&b, ST_MODE_GO, ST_RULE_BATCH_RECORD, 33);
      stt_free(&b);
    }
    /* The other generation's kind of frequency batch is an event batch whose first byte is no
     * timed event: 08 under 1.25, 32 under 1.22/1.23, at 30. */
    stt_header(&b, g_ver);
    if (g_ver >= ST_VER_1_25)
      BATCH(&b, 1, 0, 0x08, 0x64);
    else
      BATCH(&b, 1, 0, 0x32, 0x08, 0x64);
    events_gen(&b, 1);
    expect_rule(&b, ST_MODE_STRICT, ST_RULE_EVENT_UNKNOWN, 30);
    expect_rule(&b, ST_MODE_GO, ST_RULE_EVENT_UNKNOWN, 30);
    stt_free(&b);
    /* An experimental batch (31 exp gen M time size, payload opaque): from 1.23; Go's 1.23
     * reader (go mode) takes it in a 1.22 file too. */
    p_plain(&b);
    const uint64_t exp_off = b.len; /* 48 (1.25: 49) */
    stt_byte(&b, 0x31);
    stt_byte(&b, 0x01);
    RAW(&b, 0x01, 0x00, 0x01);
    stt_uvw(&b, 3, 10);
    RAW(&b, 0xaa, 0xbb, 0xcc);
    if (g_ver == ST_VER_1_22)
      expect_rule(&b, ST_MODE_STRICT, ST_RULE_BATCH_EXPECTED, exp_off);
    else
      expect_clean(&b, ST_MODE_STRICT);
    expect_clean(&b, ST_MODE_GO);
    stt_free(&b);
  }
  g_ver = ST_VER_1_22;
}

/* GoSwitch (45 = 2d: dt, g, gseq) is a Go 1.23 event: a 1.22 trace with it is refused in strict
 * mode and accepted in go mode (Go 1.23's reader uses one table for both). */
static void test_go_1_23_event_in_1_22(void **state) {
  (void)state;
  static const int vers[] = {ST_VER_1_22, ST_VER_1_23};
  for (size_t v = 0; v < 2; v++) {
    g_ver = vers[v];
    stt_bytes b = {0};
    base(&b);
    BATCH(&b, 1, 1, 0x2d, 0x01, 0x02, 0x03); /* 46 */
    if (g_ver == ST_VER_1_22)
      expect_rule(&b, ST_MODE_STRICT, ST_RULE_EVENT_UNKNOWN, 46);
    else
      expect_clean(&b, ST_MODE_STRICT);
    expect_clean(&b, ST_MODE_GO);
    stt_free(&b);
  }
  g_ver = ST_VER_1_22;
}

/* Edge cases of the framing and generation rules. */
static void test_framing_edges(void **state) {
  (void)state;
  stt_bytes b = {0};
  /* A generation going back: 2 then 1 (at 48). */
  stt_header(&b, g_ver);
  base_gen(&b, 2);
  events_gen(&b, 2);
  base_gen(&b, 1);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_GEN_ORDER, 48);
  expect_rule(&b, ST_MODE_GO, ST_RULE_GEN_ORDER, 48);
  stt_free(&b);
  /* Generations may start at any number (a later trace of the same process). */
  stt_header(&b, g_ver);
  base_gen(&b, 3);
  events_gen(&b, 3);
  base_gen(&b, 4);
  events_gen(&b, 4);
  expect_clean(&b, ST_MODE_STRICT);
  stt_free(&b);
  /* Generation 2 (first batch at 48) lacks its frequency: reported when the input ends. */
  p_plain(&b);
  events_gen(&b, 2);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_FREQ_MISSING, 48);
  stt_free(&b);
  /* The header alone: no batches, no frequency (at 16). */
  stt_header(&b, g_ver);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_FREQ_MISSING, 16);
  expect_rule(&b, ST_MODE_GO, ST_RULE_FREQ_MISSING, 16);
  stt_free(&b);
  /* An empty event batch (size 0) is accepted. */
  p_plain(&b);
  size_t at = stt_v2_batch_open(&b, 1, 2);
  stt_v2_batch_end(&b, at);
  expect_clean(&b, ST_MODE_STRICT);
  stt_free(&b);
  /* The input ends inside a batch header (at 32). */
  base(&b);
  RAW(&b, 0x01, 0x01, 0x01, 0x01, 0x80);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_TRUNCATED, 32);
  expect_rule(&b, ST_MODE_GO, ST_RULE_TRUNCATED, 32);
  stt_free(&b);
  /* The input ends between records, inside a batch's payload (GoDestroy at 46 complete, the
   * batch says 4 bytes): TRUNCATED where the missing bytes start (48). */
  base(&b);
  at = stt_v2_batch_open(&b, 1, 1);
  RAW(&b, 0x11, 0x01);
  stt_v2_batch_close(&b, at, 4);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_TRUNCATED, 48);
  expect_rule(&b, ST_MODE_GO, ST_RULE_TRUNCATED, 48);
  stt_free(&b);
  /* A record of the wrong kind in a stacks and in a CPU-sample batch (at 47). */
  base(&b);
  BATCH(&b, 1, 0, 0x02, 0x05, 0x01, 0x01, 'a');
  events_gen(&b, 1);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_BATCH_RECORD, 47);
  expect_rule(&b, ST_MODE_GO, ST_RULE_BATCH_RECORD, 47);
  stt_free(&b);
  base(&b);
  BATCH(&b, 1, 0, 0x06, 0x11, 0x01);
  events_gen(&b, 1);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_BATCH_RECORD, 47);
  stt_free(&b);
  /* A structural record inside an event batch (a String at 46). */
  base(&b);
  BATCH(&b, 1, 1, 0x11, 0x01, 0x05, 0x01, 0x01, 'a');
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_EVENT_UNKNOWN, 48);
  expect_rule(&b, ST_MODE_GO, ST_RULE_EVENT_UNKNOWN, 48);
  stt_free(&b);
  /* An empty string (length 0) is fine in v2 (an empty log message). */
  base(&b);
  BATCH(&b, 1, 0, 0x04, 0x05, 0x01, 0x00);
  events_gen(&b, 1);
  expect_clean(&b, ST_MODE_STRICT);
  stt_free(&b);
  /* The default v2 buffer: a batch of 65504 bytes with its header passes, 65505 fails. */
  for (int over = 0; over < 2; over++) {
    base(&b);
    at = stt_v2_batch_open(&b, 1, 1);
    /* 65490 payload bytes: 32745 GoDestroy; 65491: 32744, then one with dt 81 00. */
    for (int i = 0; i < (over ? 32744 : 32745); i++) RAW(&b, 0x11, 0x01);
    if (over) RAW(&b, 0x11, 0x81, 0x00);
    stt_v2_batch_end(&b, at);
    assert_int_equal(b.len - 32, 65504 + (size_t)over);
    if (over) {
      expect_rule(&b, ST_MODE_STRICT, ST_RULE_BATCH_TOO_LARGE, 32);
      expect_clean(&b, ST_MODE_GO);
    } else {
      expect_clean(&b, ST_MODE_STRICT);
    }
    stt_free(&b);
  }
}

/* ---- late name resolution ---- */

typedef struct {
  uint64_t off, gen, batch_off, batch_m, nframes, stack_id;
  int version;
  uint8_t format, type;
  uint8_t nargs, has_len, len_width;
  uint64_t len, args[ST_MAX_ARGS];
  char fn[2][32], file[2][32];
  int fn_null[2], file_null[2];
} rec;

typedef struct {
  rec *v;
  size_t n, ndiags;
} recs;

static void rec_event(void *u, const st_event *ev) {
  recs *r = u;
  r->v = realloc(r->v, (r->n + 1) * sizeof *r->v);
  rec *x = &r->v[r->n++];
  memset(x, 0, sizeof *x);
  x->off = ev->off;
  x->gen = ev->gen;
  x->batch_off = ev->batch_off;
  x->batch_m = ev->batch_m;
  x->version = ev->version;
  x->format = ev->format;
  x->type = ev->type;
  x->nargs = ev->nargs;
  x->has_len = ev->has_len;
  x->len_width = ev->len_width;
  x->len = ev->len;
  memcpy(x->args, ev->args, sizeof x->args);
  x->stack_id = ev->stack_id;
  x->nframes = ev->nframes;
  for (uint64_t i = 0; i < ev->nframes && i < 2 && ev->frames; i++) {
    const st_frame *f = &ev->frames[i];
    x->fn_null[i] = f->fn == NULL;
    x->file_null[i] = f->file == NULL;
    if (f->fn) snprintf(x->fn[i], sizeof x->fn[i], "%.*s", (int)f->fn_len, f->fn);
    if (f->file) snprintf(x->file[i], sizeof x->file[i], "%.*s", (int)f->file_len, f->file);
  }
}

static void rec_diag(void *u, const st_diag *d) {
  recs *r = u;
  print_message("diag %s at %llu: %s\n", st_rule_id(d->rule), (unsigned long long)d->off,
                d->message);
  r->ndiags++;
}

static st_status decode_recs(recs *r, const stt_bytes *b, st_decode_config *cfg, size_t chunk) {
  memset(r, 0, sizeof *r);
  cfg->on_event = rec_event;
  cfg->on_diag = rec_diag;
  cfg->user = r;
  st_decoder d;
  assert_int_equal(st_decoder_init(&d, cfg), ST_OK);
  if (chunk == 0) chunk = b->len;
  for (size_t i = 0; i < b->len; i += chunk)
    st_decoder_push(&d, b->p + i, b->len - i < chunk ? b->len - i : chunk);
  st_status s = st_decoder_finish(&d);
  st_decoder_free(&d);
  return s;
}

static const rec *find_off(const recs *r, uint64_t off) {
  for (size_t i = 0; i < r->n; i++)
    if (r->v[i].off == off) return &r->v[i];
  return NULL;
}

static void assert_file_order(const recs *r) {
  for (size_t i = 1; i < r->n; i++) {
    if (r->v[i].off <= r->v[i - 1].off)
      print_error("event %zu at %llu after one at %llu\n", i, (unsigned long long)r->v[i].off,
                  (unsigned long long)r->v[i - 1].off);
    assert_true(r->v[i].off > r->v[i - 1].off);
  }
}

/* kinds_trace: per generation a Stack (at 47 in generation 1) names strings 1, 2, 3 that the
 * last strings batch defines; it is delivered with the names, in file order. */
static void test_late_names_v2(void **state) {
  (void)state;
  stt_bytes b = {0};
  kinds_trace(&b);
  for (int m = ST_MODE_STRICT; m <= ST_MODE_GO; m++)
    for (size_t c = 0; c < 3; c++) {
      static const size_t chunks[] = {0, 1, 5};
      st_decode_config cfg = mode_cfg((st_mode)m);
      recs r;
      assert_int_equal(decode_recs(&r, &b, &cfg, chunks[c]), ST_OK);
      assert_int_equal(r.ndiags, 0);
      assert_file_order(&r);
      size_t nstacks = 0;
      for (size_t i = 0; i < r.n; i++) {
        const rec *x = &r.v[i];
        if (x->type != ST_EV2_STACK) continue;
        nstacks++;
        assert_int_equal(x->nframes, 2);
        assert_false(x->fn_null[0]);
        assert_false(x->file_null[0]);
        assert_string_equal(x->fn[0], "main");
        assert_string_equal(x->file[0], "main.go");
        assert_false(x->fn_null[1]);
        assert_string_equal(x->fn[1], "foo");
        assert_true(x->file_null[1]); /* string ID 0 */
      }
      assert_int_equal(nstacks, 2);
      const rec *s = find_off(&r, 47);
      assert_non_null(s);
      assert_int_equal(s->type, ST_EV2_STACK);
      free(r.v);
    }
  stt_free(&b);
}

/* A v2 String may be empty (length 0). A frame naming one gets a defined name: fn non-NULL
 * with length 0, also when it is the generation's first string (the decoder's string arena is
 * still unallocated then; it used to return NULL + 0 there, undefined behaviour, and a NULL
 * name as if the string were not defined). Minimal input, go 1.23:
 *   header, 01 01 00 01 [size 2] 08 64 (frequency), 01 01 00 01 [size 4] 04 05 01 00 (String 1
 *   = ""), 01 01 00 01 [size 8] 02 03 01 01 10 01 00 07 (Stack 1: fn 1), 01 01 01 01 [size 2]
 *   11 01 (GoDestroy). */
static void test_empty_string_name(void **state) {
  (void)state;
  g_ver = ST_VER_1_23;
  for (int first = 0; first < 2; first++) {
    stt_bytes b = {0};
    base(&b);
    if (first)
      BATCH(&b, 1, 0, 0x04, 0x05, 0x01, 0x00);
    else
      BATCH(&b, 1, 0, 0x04, 0x05, 0x02, 0x01, 'x', 0x05, 0x01, 0x00);
    const uint64_t stack_off = b.len + 15;
    BATCH(&b, 1, 0, 0x02, 0x03, 0x01, 0x01, 0x10, 0x01, 0x00, 0x07);
    events_gen(&b, 1);
    expect_clean(&b, ST_MODE_STRICT);
    st_decode_config cfg = mode_cfg(ST_MODE_STRICT);
    recs r;
    assert_int_equal(decode_recs(&r, &b, &cfg, 0), ST_OK);
    const rec *s = find_off(&r, stack_off);
    assert_non_null(s);
    assert_int_equal(s->type, ST_EV2_STACK);
    if (s->fn_null[0]) print_error("first %d: the empty fn string resolves to NULL\n", first);
    assert_false(s->fn_null[0]);
    assert_string_equal(s->fn[0], "");
    free(r.v);
    stt_free(&b);
  }
  g_ver = ST_VER_1_22;
}

/* v1 in go mode: EvStack at 21 before the EvStrings it names (legal there) is delivered with
 * the names (it used to print ""); strict mode reports it and still resolves the names. */
static void test_late_names_v1(void **state) {
  (void)state;
  stt_bytes b = {0};
  stt_header(&b, ST_VER_1_19);
  RAW(&b, 0x41, 0x00, 0x01, 0x02, 0x64);
  RAW(&b, 0xc3, 0x06, 0x01, 0x01, 0x10, 0x01, 0x02, 0x07); /* 21 */
  RAW(&b, 0x61, 0x01, 0x05);                               /* 29: HeapAlloc */
  stt_string(&b, 1, "fn");
  stt_string(&b, 2, "file.go");
  for (int m = ST_MODE_STRICT; m <= ST_MODE_GO; m++) {
    stt_run r;
    st_decode_config cfg = mode_cfg((st_mode)m);
    run(&r, &cfg, &b);
    if (!strstr(r.text, "E 21 3 3 size=8 stk=1 n=1 [10 fn file.go 7]\n")) print_error("%s", r.text);
    assert_non_null(strstr(r.text, "E 21 3 3 size=8 stk=1 n=1 [10 fn file.go 7]\n"));
    assert_int_equal(r.ndiags, m == ST_MODE_STRICT ? 1 : 0);
    stt_run_free(&r);
    recs x;
    assert_int_equal(decode_recs(&x, &b, &cfg, 1), m == ST_MODE_STRICT ? ST_E_INVALID : ST_OK);
    assert_file_order(&x);
    assert_int_equal(x.n, 6);
    const rec *s = find_off(&x, 21);
    assert_non_null(s);
    assert_string_equal(s->fn[0], "fn");
    assert_string_equal(s->file[0], "file.go");
    assert_int_equal(x.v[0].format, 1);
    free(x.v);
  }
  stt_free(&b);
}

/* Past limits.max_hold_bytes the held events are delivered with the names known so far: no
 * diagnostic, no event lost, file order kept; the next generation holds again. */
static void test_hold_limit(void **state) {
  (void)state;
  stt_bytes b = {0};
  uint64_t stack_off[2];
  for (uint64_t gen = 1; gen <= 2; gen++) {
    if (gen == 1)
      base(&b);
    else
      base_gen(&b, gen);
    stack_off[gen - 1] = b.len + 15;
    BATCH(&b, gen, 0, 0x02, 0x03, 0x01, 0x01, 0x10, 0x01, 0x02, 0x07);
    size_t at = stt_v2_batch_open(&b, gen, 1);
    /* GoStop on stack 1: 40 of them in generation 1 (past the limit), 1 in generation 2 */
    for (int i = 0; i < (gen == 1 ? 40 : 1); i++) RAW(&b, 0x13, 0x01, 0x00, 0x01);
    stt_v2_batch_end(&b, at);
    BATCH(&b, gen, 0, 0x04, 0x05, 0x01, 0x01, 'f', 0x05, 0x02, 0x01, 'g');
  }
  assert_int_equal(stack_off[0], 47);
  for (int m = ST_MODE_STRICT; m <= ST_MODE_GO; m++) {
    st_decode_config cfg = mode_cfg((st_mode)m);
    recs all, lim;
    assert_int_equal(decode_recs(&all, &b, &cfg, 0), ST_OK);
    assert_int_equal(all.ndiags, 0);
    cfg.limits.max_hold_bytes = 600;
    for (size_t chunk = 0; chunk <= 7; chunk += 7) {
      assert_int_equal(decode_recs(&lim, &b, &cfg, chunk), ST_OK);
      assert_int_equal(lim.ndiags, 0);
      assert_int_equal(lim.n, all.n);
      assert_file_order(&lim);
      for (size_t i = 0; i < all.n; i++) assert_int_equal(lim.v[i].off, all.v[i].off);
      const rec *s1 = find_off(&all, stack_off[0]), *l1 = find_off(&lim, stack_off[0]);
      const rec *l2 = find_off(&lim, stack_off[1]);
      assert_non_null(s1);
      assert_non_null(l1);
      assert_non_null(l2);
      assert_string_equal(s1->fn[0], "f");
      assert_string_equal(s1->file[0], "g");
      /* Generation 1 went past the limit before its strings came: names unknown. */
      assert_true(l1->fn_null[0]);
      assert_true(l1->file_null[0]);
      assert_int_equal(l1->nframes, 1);
      /* Generation 2 holds again from its stack: resolved. */
      assert_string_equal(l2->fn[0], "f");
      assert_string_equal(l2->file[0], "g");
      free(lim.v);
    }
    free(all.v);
  }
  stt_free(&b);
}

/* ---- generations ---- */

static void test_generation_tables(void **state) {
  (void)state;
  /* The same string and stack IDs in generations 1 and 2, with other contents: fine; each
   * generation's stack gets its own generation's names. */
  stt_bytes b = {0};
  uint64_t soff[2];
  for (uint64_t gen = 1; gen <= 2; gen++) {
    if (gen == 1)
      base(&b);
    else
      base_gen(&b, gen);
    strings_batch(&b, gen, 1, gen == 1 ? "one" : "two");
    soff[gen - 1] = b.len + 15;
    BATCH(&b, gen, 0, 0x02, 0x03, 0x01, 0x01, 0x10, 0x01, 0x01, 0x07);
    BATCH(&b, gen, 1, 0x13, 0x01, 0x01, 0x01); /* GoStop, reason string 1, stack 1 */
  }
  expect_clean(&b, ST_MODE_STRICT);
  expect_clean(&b, ST_MODE_GO);
  st_decode_config cfg = mode_cfg(ST_MODE_STRICT);
  recs r;
  assert_int_equal(decode_recs(&r, &b, &cfg, 0), ST_OK);
  assert_string_equal(find_off(&r, soff[0])->fn[0], "one");
  assert_string_equal(find_off(&r, soff[1])->fn[0], "two");
  assert_int_equal(find_off(&r, soff[1])->gen, 2);
  free(r.v);
  stt_free(&b);

  /* Generation 2's stack names string 1, which only generation 1 defined. Layout: base 0..31,
   * strings batch 32..50 (14 + 04 05 01 01 'a'), events 51..66, frequency batch of gen 2 at
   * 67..82, stacks batch at 83 (02 at 97, Stack at 98), events at 106. */
  p_string(&b);
  assert_int_equal(b.len, 67);
  base_gen(&b, 2);
  BATCH(&b, 2, 0, 0x02, 0x03, 0x01, 0x01, 0x10, 0x01, 0x00, 0x07);
  events_gen(&b, 2);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_STACK_STRING_UNDEFINED, 98);
  expect_rule(&b, ST_MODE_GO, ST_RULE_STACK_STRING_UNDEFINED, 98);
  stt_free(&b);

  /* Generation 2's event names stack 1 and string 1 of generation 1 only. p_stack: stacks
   * batch 32..53, events 54..69; gen 2 frequency at 70, events at 86 (GoStop at 100). */
  p_stack(&b);
  assert_int_equal(b.len, 70);
  base_gen(&b, 2);
  BATCH(&b, 2, 1, 0x13, 0x01, 0x00, 0x01);
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_STACK_UNDEFINED, 100);
  expect_rule(&b, ST_MODE_GO, ST_RULE_STACK_UNDEFINED, 100);
  stt_free(&b);
  p_string(&b);
  base_gen(&b, 2);
  BATCH(&b, 2, 1, 0x13, 0x01, 0x01, 0x00); /* 97: reason string 1 */
  expect_rule(&b, ST_MODE_STRICT, ST_RULE_STRING_UNDEFINED, 97);
  stt_free(&b);
}

/* The v2 fields of st_event: format, version, gen, batch_off, batch_m; the batch header's
 * arguments and size field. */
static void test_event_fields(void **state) {
  (void)state;
  stt_bytes b = {0};
  stt_header(&b, ST_VER_1_23);
  BATCH(&b, 1, 0, 0x08, 0x64);         /* 16, Frequency at 30 */
  BATCH(&b, 1, 5, 0x11, 0x01);         /* 32, GoDestroy at 46 */
  BATCH(&b, 2, 0, 0x08, 0x64);         /* 48 */
  size_t at = stt_v2_batch_open(&b, 2, 300);  /* 64: M 300 = ac 02, so the header is 15 bytes */
  RAW(&b, 0x11, 0x03);                 /* 79 */
  stt_v2_batch_end(&b, at);
  st_decode_config cfg = mode_cfg(ST_MODE_STRICT);
  recs r;
  assert_int_equal(decode_recs(&r, &b, &cfg, 3), ST_OK);
  assert_int_equal(r.n, 8);
  for (size_t i = 0; i < r.n; i++) {
    assert_int_equal(r.v[i].format, 2);
    assert_int_equal(r.v[i].version, ST_VER_1_23);
  }
  const rec *h = find_off(&r, 16);
  assert_int_equal(h->type, ST_EV2_EVENT_BATCH);
  assert_int_equal(h->nargs, 4);
  assert_int_equal(h->args[0], 1);
  assert_int_equal(h->args[1], 0);
  assert_int_equal(h->args[2], 1);
  assert_int_equal(h->args[3], 2);
  assert_int_equal(h->has_len, 1);
  assert_int_equal(h->len, 2);
  assert_int_equal(h->len_width, 10);
  assert_int_equal(h->gen, 1);
  assert_int_equal(h->batch_off, 16);
  assert_int_equal(h->batch_m, 0);
  const rec *f = find_off(&r, 30);
  assert_int_equal(f->type, ST_EV2_FREQUENCY);
  assert_int_equal(f->args[0], 100);
  assert_int_equal(f->gen, 1);
  assert_int_equal(f->batch_off, 16);
  const rec *e = find_off(&r, 46);
  assert_int_equal(e->type, ST_EV2_GO_DESTROY);
  assert_int_equal(e->nargs, 1);
  assert_int_equal(e->args[0], 1);
  assert_int_equal(e->gen, 1);
  assert_int_equal(e->batch_off, 32);
  assert_int_equal(e->batch_m, 5);
  const rec *h2 = find_off(&r, 64);
  assert_int_equal(h2->gen, 2);
  assert_int_equal(h2->batch_off, 64);
  assert_int_equal(h2->batch_m, 300);
  assert_int_equal(h2->args[1], 300);
  const rec *e2 = find_off(&r, 79);
  assert_non_null(e2);
  assert_int_equal(e2->args[0], 3);
  assert_int_equal(e2->gen, 2);
  assert_int_equal(e2->batch_off, 64);
  assert_int_equal(e2->batch_m, 300);
  free(r.v);
  /* The experimental batch's header: exp first, then gen M time size. */
  stt_free(&b);
  g_ver = ST_VER_1_23;
  p_plain(&b);
  RAW(&b, 0x31, 0x01, 0x01, 0x07, 0x01); /* 48 */
  stt_uvw(&b, 2, 10);
  RAW(&b, 0xaa, 0xbb);
  assert_int_equal(decode_recs(&r, &b, &cfg, 0), ST_OK);
  const rec *x = find_off(&r, 48);
  assert_non_null(x);
  assert_int_equal(x->type, ST_EV2_EXPERIMENTAL_BATCH);
  assert_int_equal(x->nargs, 5);
  assert_int_equal(x->args[0], 1);
  assert_int_equal(x->args[1], 1);
  assert_int_equal(x->args[2], 7);
  assert_int_equal(x->args[4], 2);
  assert_int_equal(x->gen, 1);
  assert_int_equal(x->batch_m, 7);
  free(r.v);
  stt_free(&b);
  g_ver = ST_VER_1_22;
}

/* Every prefix of kinds_trace: the same output in every chunk size, and a refusal always names
 * an error at an offset inside the prefix. */
static void test_every_cut(void **state) {
  (void)state;
  stt_bytes full = {0};
  kinds_trace(&full);
  for (size_t cut = 0; cut <= full.len; cut++) {
    stt_bytes b = {0};
    stt_put(&b, full.p, cut);
    for (int m = ST_MODE_STRICT; m <= ST_MODE_GO; m++) {
      st_decode_config cfg = mode_cfg((st_mode)m);
      stt_run r;
      run(&r, &cfg, &b);
      if (cut == full.len) assert_int_equal(r.status, ST_OK);
      if (r.status != ST_OK) {
        assert_int_equal(r.status, ST_E_INVALID);
        assert_true(r.ndiags > 0);
      }
      for (size_t i = 0; i < r.ndiags; i++) assert_true(r.diags[i].off <= cut);
      stt_run_free(&r);
    }
    stt_free(&b);
  }
  stt_free(&full);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_v2_rule_has_a_case),
      cmocka_unit_test(test_rule_cases),
      cmocka_unit_test(test_versions),
      cmocka_unit_test(test_go_1_23_event_in_1_22),
      cmocka_unit_test(test_framing_edges),
      cmocka_unit_test(test_late_names_v2),
      cmocka_unit_test(test_late_names_v1),
      cmocka_unit_test(test_empty_string_name),
      cmocka_unit_test(test_hold_limit),
      cmocka_unit_test(test_generation_tables),
      cmocka_unit_test(test_event_fields),
      cmocka_unit_test(test_every_cut),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

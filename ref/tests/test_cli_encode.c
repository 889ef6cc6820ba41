/* `stacktab encode` as a user runs it: the text description (ref/ENCODE_FORMAT.md) in, a trace
 * out. Every refusal names FILE:LINE and exits 1; usage and I/O problems exit 2; what it writes
 * is checked by decoding it again, not against bytes this encoder produced earlier. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "st_test_cli.h"

/* `stacktab encode` refuses a bad description with exit 1 and FILE:LINE (the line worked out
 * from each text), and usage problems with exit 2; a good one writes a trace `check` accepts. */
static void test_encode_errors(void **state) {
  (void)state;
  static const struct {
    const char *text;
    int line;
    const char *mentions;
  } bad[] = {
      {"frobnicate 1\n", 1, "frobnicate"},
      {"# comment\nheader 1.20\n", 2, "header"},
      {"stack s 0x1\nstack s 0x2\n", 2, "'s'"},
      {"GoSched +1 1\n", 1, "batch"},
      {"batch 0 1\nGoSched +1 1 2 3 4\n", 2, "GoSched"},
      {"string \"unterminated\n", 1, "quoted"},
      {"sym 0x1 f\n", 1, "sym"},
      {"batch 0 1\nGoSched +1 nolabel\n", 2, "nolabel"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *p = stt_temp_with(bad[i].text, strlen(bad[i].text));
    char where[96];
    snprintf(where, sizeof where, "%s:%d: ", p, bad[i].line);
    stt_cli_result r;
    STT_CLI(&r, NULL, "encode", p);
    if (r.rc != 1 || !strstr(r.err, where) || !strstr(r.err, bad[i].mentions))
      fail_msg("case %zu: rc %d, stderr: %s", i, r.rc, r.err);
    assert_string_equal(r.out, "");
    stt_cli_result_free(&r);
    stt_temps_cleanup(NULL);
  }
  stt_cli_result r;
  STT_CLI(&r, NULL, "encode", "--bogus");
  assert_int_equal(r.rc, 2);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "encode", "/nonexistent/x.txt");
  assert_int_equal(r.rc, 2);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "encode", "--help");
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "usage: stacktab encode"));
  stt_cli_result_free(&r);

  const char good[] = "sym 0x10 main.main /a.go 7\nstack s 0x10\nbatch 0 1\nGoSched +1 s\n";
  const char *src = stt_temp_with(good, sizeof good - 1);
  char out[64];
  snprintf(out, sizeof out, "%s.trace", src);
  STT_CLI(&r, NULL, "encode", src, "-o", out);
  assert_int_equal(r.rc, 0);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "check", out);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "");
  stt_cli_result_free(&r);
  /* The same trace through every option form: -oFILE, -o FILE before the input, --header
   * VALUE / --header=VALUE, --algorithm VALUE, --list FILE after the input, --output FILE
   * and `--` before the input. */
  size_t want_len;
  uint8_t *want = stt_read_file(out, &want_len);
  assert_non_null(want);
  char oarg[80], list[80];
  snprintf(oarg, sizeof oarg, "-o%s.2", src);
  snprintf(list, sizeof list, "%s.list", src);
  const char *out2 = oarg + 2;
  const char *const form0[] = {"encode", oarg, src, NULL};
  const char *const form1[] = {"encode", "-o", out2, src, "--header", "1.19", NULL};
  const char *const form2[] = {"encode", src, "--algorithm", "legacy", "--header=1.19",
                               "--list", list, "-o", out2, NULL};
  const char *const form3[] = {"encode", "--output", out2, "--", src, NULL};
  const char *const *forms[] = {form0, form1, form2, form3};
  for (size_t i = 0; i < 4; i++) {
    stt_cli(&r, NULL, forms[i]);
    if (r.rc != 0) fail_msg("form %zu: rc %d, %s", i, r.rc, r.err);
    stt_cli_result_free(&r);
    size_t got_len;
    uint8_t *got = stt_read_file(out2, &got_len);
    assert_non_null(got);
    if (got_len != want_len || memcmp(got, want, want_len)) fail_msg("form %zu: other bytes", i);
    free(got);
    unlink(out2);
  }
  size_t list_len;
  uint8_t *l = stt_read_file(list, &list_len);
  assert_non_null(l);
  assert_true(list_len > 0);
  free(l);
  unlink(list);
  /* A header value given separately is checked like --header=VALUE. */
  STT_CLI(&r, NULL, "encode", src, "--header", "1.20");
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "--header"));
  stt_cli_result_free(&r);
  free(want);
  unlink(out);
}

/* ---- Accepted descriptions: the exact bytes, worked out by hand from ENCODE_FORMAT.md ---- */

/* An ordinary event as the format describes it: type byte with min(n, 3) in its top two bits,
 * for n >= 3 a length byte (the bytes after it), the timestamp delta, the arguments. */
static void ev(stt_bytes *b, uint8_t type, uint64_t delta, const uint64_t *args, size_t n) {
  stt_bytes body = {0};
  stt_uv(&body, delta);
  for (size_t i = 0; i < n; i++) stt_uv(&body, args[i]);
  stt_byte(b, (uint8_t)(type | (n < 3 ? n : 3) << 6));
  if (n >= 3) stt_byte(b, (uint8_t)body.len);
  stt_put(b, body.p, body.len);
  stt_free(&body);
}
#define EV(b, type, delta, ...)                                                      \
  do {                                                                               \
    const uint64_t a_[] = {__VA_ARGS__};                                             \
    ev((b), (type), (delta), a_, sizeof a_ / sizeof a_[0]);                          \
  } while (0)
#define EV0(b, type, delta) ev((b), (type), (delta), NULL, 0)

/* EvStack: legacy has a minimal length, direct a 10-byte one (back-patched in Go 1.20+). */
static void stk(stt_bytes *b, int direct, uint64_t id, const uint64_t *frames, size_t n) {
  if (!direct) {
    stt_stack(b, id, frames, n);
    return;
  }
  stt_bytes body = {0};
  stt_uv(&body, id);
  stt_uv(&body, n);
  for (size_t i = 0; i < 4 * n; i++) stt_uv(&body, frames[i]);
  stt_byte(b, 0xc3);
  stt_uvw(b, body.len, 10);
  stt_put(b, body.p, body.len);
  stt_free(&body);
}

/* Event type bytes from Go's table (spec §2.4). */
enum {
  T_PROC_START = 5, T_STW_START = 9, T_GO_CREATE = 13, T_GO_END = 15, T_GO_SCHED = 17,
  T_GO_BLOCK = 20, T_USER_TASK_CREATE = 45, T_USER_REGION = 47
};
#define FREQ_DEFAULT 15625000u

/* Writes args + `-o OUT` for src, runs the CLI; returns the written trace (NULL if none). */
static uint8_t *run_encode(const char *src, const char *const *opts, size_t nopts, const char *out,
                           stt_cli_result *r, size_t *len) {
  const char *args[16];
  size_t n = 0;
  args[n++] = "encode";
  for (size_t i = 0; i < nopts && opts[i]; i++) args[n++] = opts[i];
  args[n++] = src;
  args[n++] = "-o";
  args[n++] = out;
  args[n] = NULL;
  unlink(out);
  stt_cli(r, NULL, args);
  return stt_read_file(out, len);
}

static void assert_same_bytes(const char *what, const uint8_t *got, size_t got_len,
                              const stt_bytes *want) {
  size_t i = 0;
  while (i < got_len && i < want->len && got[i] == want->p[i]) i++;
  if (i == got_len && i == want->len) return;
  fail_msg("%s: %zu bytes written, %zu expected; first difference at byte %zu (got %02x, want %02x)",
           what, got_len, want->len, i, i < got_len ? got[i] : 0u, i < want->len ? want->p[i] : 0u);
}

/* Encodes text with opts and checks the file is exactly `want`; with `clean`, the library's
 * strict decoder must also accept it without a diagnostic. */
static void expect_encodes(const char *what, const char *text, size_t len, const char *const *opts,
                           size_t nopts, const stt_bytes *want, int clean) {
  const char *src = stt_temp_with(text, len);
  char out[80];
  snprintf(out, sizeof out, "%s.trace", src);
  stt_cli_result r;
  size_t got_len = 0;
  uint8_t *got = run_encode(src, opts, nopts, out, &r, &got_len);
  if (r.rc != 0 || !got) fail_msg("%s: rc %d, stderr: %s", what, r.rc, r.err);
  assert_string_equal(r.out, ""); /* the trace goes to -o, nothing to stdout */
  assert_string_equal(r.err, "");
  assert_same_bytes(what, got, got_len, want);
  if (clean) {
    stt_run d;
    stt_decode(&d, got, got_len, 0, ST_MODE_STRICT);
    if (d.status != ST_OK || d.ndiags != 0) fail_msg("%s: decoder says:\n%s", what, d.text);
    stt_run_free(&d);
  }
  free(got);
  stt_cli_result_free(&r);
  unlink(out);
}

/* Inlined frames (two sym lines for PC 0x20, the first with its own frame PC), a PC without
 * symbols dropped, a stack where nothing resolves (one zero frame), an empty stack (ID 0), an
 * equal PC list under a second label (same ID); relative, absolute and earlier timestamps.
 * Labels use every character class a label may hold. Lines end in CR LF or carry tabs; the
 * last ends in a comment without a newline. */
#define DESC_INLINE                                                                        \
  "# stacks from inlined, relabelled and unresolved PCs\n"                                 \
  "sym 0x20 inner /b.go 9 pc=0x21\r\n"                                                     \
  "sym 0x10 main.main /a.go 7\n"                                                           \
  "sym\t0x20 outer /a.go 8   # PC 0x20's second (outer) frame\n"                           \
  "stack s1 0x10\n"                                                                        \
  "stack S-2.x_Y9\t0x20 0x10 0x99\n"                                                       \
  "stack _s3 0x99\n"                                                                       \
  "stack e\n"                                                                              \
  "stack s1b 0x10\n"                                                                       \
  "\n"                                                                                     \
  "batch 0 100\n"                                                                          \
  "GoSched +5 S-2.x_Y9\n"                                                                  \
  "GoBlock 103 s1b\n"                                                                      \
  "GoSched +10 e# the last line: no newline"

static void build_inline(stt_bytes *b, int direct) {
  stt_header(b, ST_VER_1_19);
  stt_batch(b, 0, 100);
  EV(b, T_GO_SCHED, 5, 2);  /* ts 105; stack 2 */
  EV(b, T_GO_BLOCK, 0, 1);  /* ts 103 is before 105: delta 0; s1b is stack 1 */
  EV(b, T_GO_SCHED, 8, 0);  /* ts 103 + 10 = 113, 8 after the batch's last time 105; stack 0 */
  if (!direct) stt_freq(b, FREQ_DEFAULT);
  stt_batch(b, 0, 114); /* latest ticks 113, + 1 */
  if (direct) stt_freq(b, FREQ_DEFAULT);
  stt_string(b, 1, "main.main");
  stt_string(b, 2, "/a.go");
  stk(b, direct, 1, (const uint64_t[]){0x10, 1, 2, 7}, 1);
  stt_string(b, 3, "inner");
  stt_string(b, 4, "/b.go");
  stt_string(b, 5, "outer");
  stk(b, direct, 2, (const uint64_t[]){0x21, 3, 4, 9, 0x20, 5, 2, 8, 0x10, 1, 2, 7}, 3);
  stk(b, direct, 3, (const uint64_t[]){0, 0, 0, 0}, 1);
}
static void build_inline_legacy(stt_bytes *b) { build_inline(b, 0); }
static void build_inline_direct(stt_bytes *b) { build_inline(b, 1); }

/* Settings in the file: header 1.21, the largest valid frequency, end-ticks, the bucket order; a
 * global-buffer batch and 1.21's name for GCSTWStart. */
#define DESC_SETTINGS           \
  "header 1.21\n"               \
  "frequency 0X7FFFFFFFFFFFFFFF\n" \
  "end-ticks 0x10\n"            \
  "order buckets\n"             \
  "sym 0x1 f /f.go 1\n"         \
  "sym 0x2 g /g.go 2\n"         \
  "stack a 0x1\n"               \
  "stack b 0x2\n"               \
  "batch 0xffffffffffffffff 7\n" \
  "STWStart +1 3\n"

/* The dump order `buckets` walks FNV-1a-64 (over each PC's 8 little-endian bytes) mod 8192. */
static uint64_t bucket_of(uint64_t pc) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned k = 0; k < 8; k++) {
    h ^= (uint8_t)(pc >> (8 * k));
    h *= 1099511628211ull;
  }
  return h % 8192;
}

static void build_settings(stt_bytes *b) {
  /* 0x2's bucket comes first, so the bucket walk reverses ID order (checked, not assumed). */
  assert_true(bucket_of(0x2) < bucket_of(0x1));
  stt_header(b, ST_VER_1_21);
  stt_batch(b, UINT64_MAX, 7);
  EV(b, T_STW_START, 1, 3);
  stt_freq(b, INT64_MAX); /* the largest Go reads as a positive int64 */
  stt_batch(b, 0, 16); /* end-ticks */
  stt_string(b, 1, "g");
  stt_string(b, 2, "/g.go");
  stt_stack(b, 2, (const uint64_t[]){0x2, 1, 2, 2}, 1);
  stt_string(b, 3, "f");
  stt_string(b, 4, "/f.go");
  stt_stack(b, 1, (const uint64_t[]){0x1, 3, 4, 1}, 1);
}

/* Strings: seeded (used, never written), next-string-id, every escape, a quoted event argument
 * that is new (its EvString first) or known; events of 3 and 4 arguments (length byte); a
 * batch whose ticks equal the previous one's. The file says 1.21, --header=1.11 wins. */
#define DESC_STRINGS                          \
  "header 1.21\n"                             \
  "seed 5 \"seeded\"\n"                       \
  "next-string-id 10\n"                       \
  "batch 1 50\n"                              \
  "string \"a\\\"b\\\\c\\n\\t\\r\\x00\\xfF\"#c\n" \
  "UserTaskCreate +1 7 0 \"seeded\" 0\n"      \
  "UserRegion +1 7 0 \"region\" 0\n"          \
  "string \"region\"\n"                       \
  "batch 1 50\n"                              \
  "GoCreate +2 3 0 0\n"

static void build_strings(stt_bytes *b) {
  stt_header(b, ST_VER_1_11);
  stt_batch(b, 1, 50);
  stt_byte(b, 0x25); /* EvString 10: a " b \ c LF TAB CR NUL 0xff */
  stt_uv(b, 10);
  stt_uv(b, 10);
  stt_put(b, "a\"b\\c\n\t\r\0\xff", 10);
  EV(b, T_USER_TASK_CREATE, 1, 7, 0, 5, 0); /* ts 51; the seeded ID */
  stt_string(b, 11, "region");
  EV(b, T_USER_REGION, 1, 7, 0, 11, 0); /* ts 52 */
  stt_batch(b, 1, 51);                  /* ticks 50 again: 51 */
  EV(b, T_GO_CREATE, 2, 3, 0, 0);       /* ts 53 */
  stt_freq(b, FREQ_DEFAULT);
  stt_batch(b, 0, 54);
}

/* A full batch continues in a new batch of the same P at the event's time: header 4 bytes, three
 * 3-byte events leave 51 of 64 bytes, under the 52-byte room check. --buf-size beats the file. */
#define DESC_FULL         \
  "buf-size 65536\n"      \
  "sym 0x10 f /f.go 1\n"  \
  "stack s 0x10\n"        \
  "batch 2 1000\n"        \
  "GoSched +1 s\n"        \
  "GoSched +1 s\n"        \
  "GoSched +1 s\n"        \
  "GoSched +1 s\n"        \
  "GoSched +1 s\n"

static void build_full(stt_bytes *b) {
  stt_header(b, ST_VER_1_19);
  stt_batch(b, 2, 1000);
  for (int i = 0; i < 3; i++) EV(b, T_GO_SCHED, 1, 1);
  stt_batch(b, 2, 1004);
  EV(b, T_GO_SCHED, 0, 1); /* at the new batch's own ticks */
  EV(b, T_GO_SCHED, 1, 1);
  stt_freq(b, FREQ_DEFAULT);
  stt_batch(b, 0, 1006);
  stt_string(b, 1, "f");
  stt_string(b, 2, "/f.go");
  stt_stack(b, 1, (const uint64_t[]){0x10, 1, 2, 1}, 1);
}

/* No stacks at all: legacy still opens its dump batch, direct holds just Frequency. The last
 * token ends the file (no newline). */
#define DESC_EMPTY "batch 3 9\nProcStart 9 4"
static void build_empty(stt_bytes *b, int direct) {
  stt_header(b, ST_VER_1_19);
  stt_batch(b, 3, 9);
  EV(b, T_PROC_START, 0, 4);
  if (!direct) stt_freq(b, FREQ_DEFAULT);
  stt_batch(b, 0, 10);
  if (direct) stt_freq(b, FREQ_DEFAULT);
}
static void build_empty_legacy(stt_bytes *b) { build_empty(b, 0); }
static void build_empty_direct(stt_bytes *b) { build_empty(b, 1); }

static void test_encode_exact(void **state) {
  (void)state;
  static const struct {
    const char *name, *text;
    const char *opt[2];
    void (*build)(stt_bytes *);
    int clean; /* the strict decoder accepts it as it is */
  } cases[] = {
      {"inline legacy", DESC_INLINE, {NULL}, build_inline_legacy, 1},
      {"inline direct (option)", DESC_INLINE, {"--algorithm=direct"}, build_inline_direct, 1},
      {"inline direct (file)", "algorithm direct\norder id\n" DESC_INLINE, {NULL}, build_inline_direct, 1},
      {"inline legacy (option beats file)", "algorithm direct\n" DESC_INLINE,
       {"--algorithm=legacy"}, build_inline_legacy, 1},
      {"settings", DESC_SETTINGS, {NULL}, build_settings, 1},
      /* The seeded string 5 is never defined in this trace: not decoded (a partial trace). */
      {"strings", DESC_STRINGS, {"--header=1.11"}, build_strings, 0},
      {"full batch", DESC_FULL, {"--buf-size=64"}, build_full, 1},
      {"no stacks legacy", DESC_EMPTY, {NULL}, build_empty_legacy, 1},
      {"no stacks direct", "algorithm direct\n" DESC_EMPTY, {NULL}, build_empty_direct, 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    stt_bytes want = {0};
    cases[i].build(&want);
    expect_encodes(cases[i].name, cases[i].text, strlen(cases[i].text), cases[i].opt, 2, &want,
                   cases[i].clean);
    stt_free(&want);
    stt_temps_cleanup(NULL);
  }
}

/* Past the first 64 symbols, stack labels and stack IDs and 256 tokens of a line (the tables
 * grow): 70 PCs, each its own function, listed in descending PC order (the symbolizer sorts). */
enum { MANY = 70 };
static char *many_desc(size_t *len, int with_big) {
  size_t cap = 64 * 1024, n = 0;
  char *t = malloc(cap);
  assert_non_null(t);
#define ADD(...) (n += (size_t)snprintf(t + n, cap - n, __VA_ARGS__), assert_true(n < cap))
  for (int i = MANY - 1; i >= 0; i--) ADD("sym 0x%x f%d /f.go %d\n", 0x1000 + i, i, i + 1);
  for (int i = 0; i < MANY; i++) ADD("stack s%d 0x%x\n", i, 0x1000 + i);
  ADD("stack again 0x1000\n"); /* s0's PCs: stack 1 again */
  if (with_big) {
    /* Line MANY * 2 + 2: 1001 frames, one more than an EvStack may hold; put again below. */
    ADD("stack big");
    for (int k = 0; k < 1001; k++) ADD(" 0x1000");
    ADD("\nstack big2");
    for (int k = 0; k < 1001; k++) ADD(" 0x1000");
    ADD("\n");
  }
  ADD("batch 0 1\nGoSched +1 s69\nGoSched +1 again\n");
#undef ADD
  *len = n;
  return t;
}

static void test_encode_many(void **state) {
  (void)state;
  size_t len;
  char *text = many_desc(&len, 0);
  stt_bytes want = {0};
  stt_header(&want, ST_VER_1_19);
  stt_batch(&want, 0, 1);
  EV(&want, T_GO_SCHED, 1, MANY); /* s69 is stack 70 */
  EV(&want, T_GO_SCHED, 1, 1);
  stt_freq(&want, FREQ_DEFAULT);
  stt_batch(&want, 0, 4);
  for (int i = 0; i < MANY; i++) {
    char fn[16];
    snprintf(fn, sizeof fn, "f%d", i);
    /* Function i gets string ID i + 2 from the second stack on: "/f.go" is ID 2. */
    uint64_t fn_id = i == 0 ? 1 : (uint64_t)i + 2;
    stt_string(&want, fn_id, fn);
    if (i == 0) stt_string(&want, 2, "/f.go");
    stt_stack(&want, (uint64_t)i + 1, (const uint64_t[]){0x1000u + (uint64_t)i, fn_id, 2, (uint64_t)i + 1}, 1);
  }
  expect_encodes("many", text, len, NULL, 0, &want, 1);
  stt_free(&want);
  free(text);

  /* The same with stack 71 too deep to dump: the error names the line of its first `stack`
   * statement (past the first 64 IDs), not of the later equal one. */
  text = many_desc(&len, 1);
  const char *src = stt_temp_with(text, len);
  char out[80], where[96];
  snprintf(out, sizeof out, "%s.trace", src);
  snprintf(where, sizeof where, "%s:%d: ", src, MANY * 2 + 2);
  stt_cli_result r;
  size_t got_len;
  uint8_t *got = run_encode(src, NULL, 0, out, &r, &got_len);
  if (r.rc != 1 || !strstr(r.err, where) || !strstr(r.err, "stack 71") || !strstr(r.err, "limit"))
    fail_msg("rc %d, stderr: %s", r.rc, r.err);
  assert_null(got); /* nothing written */
  stt_cli_result_free(&r);
  free(text);
}

/* A string bigger than the output's first 64 KiB block, in a batch big enough to hold it. */
static void test_encode_big_string(void **state) {
  (void)state;
  enum { BIG = 200000 };
  const char head[] = "buf-size 1048576\nbatch 0 1\nstring \"";
  size_t len = sizeof head - 1 + BIG + 2;
  char *text = malloc(len);
  assert_non_null(text);
  memcpy(text, head, sizeof head - 1);
  memset(text + sizeof head - 1, 'A', BIG);
  memcpy(text + sizeof head - 1 + BIG, "\"\n", 2);
  stt_bytes want = {0};
  stt_header(&want, ST_VER_1_19);
  stt_batch(&want, 0, 1);
  stt_byte(&want, 0x25);
  stt_uv(&want, 1);
  stt_uv(&want, BIG);
  stt_put(&want, text + sizeof head - 1, BIG);
  stt_freq(&want, FREQ_DEFAULT);
  stt_batch(&want, 0, 2);
  /* Not decoded as clean: the batch is larger than the decoder's default 64488-byte limit. */
  expect_encodes("big string", text, len, NULL, 0, &want, 0);
  stt_free(&want);
  free(text);
}

/* ---- Refused descriptions: exit 1, one line naming FILE:LINE and the culprit, no output ---- */

static size_t count_char(const char *s, char c) {
  size_t n = 0;
  for (; *s; s++) n += *s == c;
  return n;
}

static void test_encode_rejects(void **state) {
  (void)state;
  static const struct {
    const char *text;
    const char *opt[2];
    int line;
    const char *mentions[2];
  } bad[] = {
      /* Lexical: quotes and escapes. */
      {"string \"ab\\q\"\n", {NULL}, 1, {"\\q", "escape"}},
      {"batch 0 1\nstring \"\\x4g\"\n", {NULL}, 2, {"\\x", "hex"}},
      {"string \"\\xg4\"\n", {NULL}, 1, {"\\x", "hex"}},
      {"string \"\\x4", {NULL}, 1, {"\\x", "hex"}},
      {"string \"\\x", {NULL}, 1, {"\\x", "hex"}},
      {"string \"ab\\\nx\"\n", {NULL}, 1, {"unterminated", "quoted"}},
      {"string \"ab\\", {NULL}, 1, {"unterminated", "quoted"}},
      {"# c\n\nstring \"abc", {NULL}, 3, {"unterminated", "quoted"}},
      /* Numbers, through a setting that takes one. */
      {"frequency 18446744073709551616\n", {NULL}, 1, {"frequency", "bad number"}},
      {"frequency 0x10000000000000000\n", {NULL}, 1, {"frequency", "bad number"}},
      {"frequency 0x\n", {NULL}, 1, {"frequency", "bad number"}},
      {"frequency 0xg1\n", {NULL}, 1, {"frequency", "bad number"}},
      {"frequency 0xG1\n", {NULL}, 1, {"frequency", "bad number"}},
      {"frequency 0x:1\n", {NULL}, 1, {"frequency", "bad number"}},
      {"frequency 0x/1\n", {NULL}, 1, {"frequency", "bad number"}},
      {"frequency 0y1\n", {NULL}, 1, {"frequency", "bad number"}},
      {"frequency 12a\n", {NULL}, 1, {"frequency", "bad number"}},
      {"frequency \"5\"\n", {NULL}, 1, {"frequency", "bad number"}},
      {"end-ticks -1\n", {NULL}, 1, {"end-ticks", "bad number"}},
      /* Settings. */
      {"header\n", {NULL}, 1, {"header", "one value"}},
      {"order id buckets\n", {NULL}, 1, {"order", "one value"}},
      {"header 1.19\n\nheader 1.19\n", {NULL}, 3, {"header", "already set on line 1"}},
      {"header \"1.19\"\n", {NULL}, 1, {"header", "1.21"}},
      {"algorithm legacx\n", {NULL}, 1, {"algorithm", "direct"}},
      {"algorithm fast\n", {NULL}, 1, {"algorithm", "direct"}},
      {"algorithm \"legacy\"\n", {NULL}, 1, {"algorithm", "direct"}},
      {"order random\n", {NULL}, 1, {"order", "buckets"}},
      {"order \"id\"\n", {NULL}, 1, {"order", "buckets"}},
      {"buf-size 31\n", {NULL}, 1, {"buf-size", "32"}},
      {"buf-size 1073741825\n", {NULL}, 1, {"buf-size", "32"}},
      {"buf-size x\n", {NULL}, 1, {"buf-size", "bad number"}},
      /* Symbols. */
      {"sym 0x1 f /f.go\n", {NULL}, 1, {"sym", "PC FUNC FILE LINE"}},
      {"sym 0x1 f /f.go 1 pc=0x2 x\n", {NULL}, 1, {"sym", "PC FUNC FILE LINE"}},
      {"sym zz f /f.go 1\n", {NULL}, 1, {"sym", "'zz'"}},
      {"sym 1 f /f.go 1x\n", {NULL}, 1, {"sym", "'1x'"}},
      {"sym 1 f /f.go 1 pc=\n", {NULL}, 1, {"sym", "pc=FRAMEPC"}},
      {"sym 1 f /f.go 1 \"pc=5\"\n", {NULL}, 1, {"sym", "pc=FRAMEPC"}},
      {"sym 1 f /f.go 1 xx=55\n", {NULL}, 1, {"sym", "pc=FRAMEPC"}},
      {"sym 1 f /f.go 1 pc=zz\n", {NULL}, 1, {"sym", "frame PC"}},
      /* seed and next-string-id. */
      {"seed 1\n", {NULL}, 1, {"seed", "ID"}},
      {"seed 0 \"x\"\n", {NULL}, 1, {"seed", ">= 1"}},
      {"seed x \"y\"\n", {NULL}, 1, {"seed", "ID"}},
      {"seed 1 \"\"\n", {NULL}, 1, {"seed", "non-empty"}},
      {"seed 1 \"x\"\nseed 2 \"x\"\n", {NULL}, 2, {"seed", "already in the table"}},
      {"next-string-id\n", {NULL}, 1, {"next-string-id", ">= 1"}},
      {"next-string-id 0\n", {NULL}, 1, {"next-string-id", ">= 1"}},
      {"next-string-id q\n", {NULL}, 1, {"next-string-id", ">= 1"}},
      /* stack. */
      {"stack\n", {NULL}, 1, {"stack", "LABEL"}},
      {"stack 9a 0x1\n", {NULL}, 1, {"stack", "LABEL"}},
      {"stack \"s\" 0x1\n", {NULL}, 1, {"stack", "LABEL"}},
      {"stack sym 0x1\n", {NULL}, 1, {"stack", "LABEL"}},
      {"stack a$b 0x1\n", {NULL}, 1, {"stack", "LABEL"}},
      {"stack a~b 0x1\n", {NULL}, 1, {"stack", "LABEL"}},
      {"stack -a 0x1\n", {NULL}, 1, {"stack", "LABEL"}},
      {"stack {a 0x1\n", {NULL}, 1, {"stack", "LABEL"}},
      {"stack s 0xzz 0x1\n", {NULL}, 1, {"stack", "'0xzz'"}},
      {"stack s 1 2 x\n", {NULL}, 1, {"stack", "'x'"}},
      /* batch and string. */
      {"batch 0\n", {NULL}, 1, {"batch", "PID TICKS"}},
      {"batch x 1\n", {NULL}, 1, {"batch", "PID TICKS"}},
      {"batch 0 y\n", {NULL}, 1, {"batch", "PID TICKS"}},
      {"batch 0 1\nstring x\n", {NULL}, 2, {"string", "quoted"}},
      {"batch 0 1\nstring \"a\" \"b\"\n", {NULL}, 2, {"string", "quoted"}},
      {"string \"a\"\n", {NULL}, 1, {"string", "outside a batch"}},
      /* The uint64 string ID space runs out: a `string` and a quoted argument both say so. */
      {"next-string-id 0xffffffffffffffff\nbatch 0 1\nstring \"a\"\nstring \"b\"\n", {NULL}, 4,
       {"string", "limit"}},
      {"next-string-id 0xffffffffffffffff\nbatch 0 1\nstring \"a\"\nUserRegion 1 1 0 \"b\" 0\n",
       {NULL}, 4, {"string", "limit"}},
      /* Events that cannot be written. */
      {"batch 0 1\nBatch 1 2 3\n", {NULL}, 2, {"Batch", "ordinary event"}},
      {"batch 0 1\nFrequency 1\n", {NULL}, 2, {"Frequency", "ordinary event"}},
      {"batch 0 1\nTimerGoroutine 1\n", {NULL}, 2, {"TimerGoroutine", "ordinary event"}},
      {"batch 0 1\nUserLog 1 1 1 1\n", {NULL}, 2, {"UserLog", "ordinary event"}},
      {"header 1.11\nbatch 0 1\nCPUSample 1 1 1 1 0\n", {NULL}, 3, {"CPUSample", "version"}},
      {"batch 0 1\nGoEnd\n", {NULL}, 2, {"GoEnd", "timestamp"}},
      {"batch 0 1\nGoEnd 1 2\n", {NULL}, 2, {"GoEnd", "0 arguments"}},
      {"batch 0 1\nProcStart 1\n", {NULL}, 2, {"ProcStart", "1 argument after the timestamp, got 0"}},
      {"batch 0 1\nGoEnd +\n", {NULL}, 2, {"GoEnd", "timestamp '+'"}},
      {"batch 0 1\nGoEnd +x\n", {NULL}, 2, {"GoEnd", "timestamp '+x'"}},
      {"batch 0 1\nGoEnd \"5\"\n", {NULL}, 2, {"GoEnd", "timestamp"}},
      {"batch 0 1\nProcStart 1 -5\n", {NULL}, 2, {"ProcStart", "'-5'"}},
      {"batch 0 1\nGoSched 1 9s\n", {NULL}, 2, {"GoSched", "'9s'"}},
      {"batch 0 1\nGoSched 1 a$b\n", {NULL}, 2, {"GoSched", "'a$b'"}},
      {"stack s 1\nbatch 0 1\nGoSched 1 Unknown_L\n", {NULL}, 3, {"label", "'Unknown_L'"}},
      {"batch 0 1\n\"GoSched\" 1 0\n", {NULL}, 2, {"unknown statement", "GoSched"}},
      {"batch 0 1\nNone 1\n", {NULL}, 2, {"unknown statement", "None"}},
      {"batch 0 1\nfoo\nbar\n", {NULL}, 2, {"unknown statement", "'foo'"}},
      {"GoEnd 1\n", {NULL}, 1, {"event outside a batch", "batch PID TICKS"}},
      /* Records that cannot fit an empty buffer: an event needs 52 bytes of room; a Go 1.20+
       * EvStack of one frame 71 (the error names the line of its `stack` statement). */
      {"batch 0 1\nGoEnd +1\n", {"--buf-size=32"}, 2, {"GoEnd", "too big"}},
      {DESC_FULL, {"--buf-size=64", "--algorithm=direct"}, 3, {"dump of stack 1", "too big"}},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *p = stt_temp_with(bad[i].text, strlen(bad[i].text));
    char where[96], out[80];
    snprintf(where, sizeof where, "stacktab: %s:%d: ", p, bad[i].line);
    snprintf(out, sizeof out, "%s.trace", p);
    stt_cli_result r;
    size_t got_len;
    uint8_t *got = run_encode(p, bad[i].opt, 2, out, &r, &got_len);
    /* One line (README: a problem is one line) starting with FILE:LINE. */
    if (r.rc != 1 || strncmp(r.err, where, strlen(where)) != 0 || count_char(r.err, '\n') != 1 ||
        !strstr(r.err, bad[i].mentions[0]) || !strstr(r.err, bad[i].mentions[1]))
      fail_msg("case %zu (%s): rc %d, stderr: %s", i, bad[i].text, r.rc, r.err);
    assert_string_equal(r.out, "");
    if (got) fail_msg("case %zu: a trace was written for an invalid description", i);
    stt_cli_result_free(&r);
    stt_temps_cleanup(NULL);
  }

  /* A NUL byte after a backslash is an unknown escape too; the message shows it as a space
   * rather than cutting itself short at the NUL. */
  const char nul[] = "string \"\\\0\"\n";
  const char *p = stt_temp_with(nul, sizeof nul - 1);
  stt_cli_result r;
  STT_CLI(&r, NULL, "encode", p);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.err, ":1: unknown escape \\  (use"));
  stt_cli_result_free(&r);
}

/* ---- Usage and I/O: exit 2, the reason on stderr, no trace ---- */

static void test_encode_usage(void **state) {
  (void)state;
  const char good[] = "batch 0 1\nGoEnd +1\n";
  const char *src = stt_temp_with(good, sizeof good - 1);
  const struct {
    const char *args[4];
    const char *mentions;
  } cases[] = {
      {{"-o"}, "-o needs a file"},
      {{"a.txt", "b.txt"}, "one input file only"},
      {{"-x"}, "'-x'"},
      {{"--header=1.20", src}, "--header"},
      {{"--algorithm=fast", src}, "--algorithm"},
      {{"--buf-size=", src}, "--buf-size"},
      {{"--buf-size=31", src}, "--buf-size"},
      {{"--buf-size=1073741825", src}, "--buf-size"},
      {{"--buf-size=64k", src}, "--buf-size"},
      {{"--list=/nonexistent-dir/l.txt", src}, "/nonexistent-dir/l.txt"},
      {{src, "-o", "/nonexistent-dir/t.trace"}, "/nonexistent-dir/t.trace"},
      /* The output cannot be written: a full device. */
      {{src, "-o", "/dev/full"}, "/dev/full"},
      {{"--list=/dev/full", src, "-o", "/dev/null"}, "/dev/full"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *args[8] = {"encode"};
    size_t n = 1;
    for (size_t k = 0; k < 4 && cases[i].args[k]; k++) args[n++] = cases[i].args[k];
    args[n] = NULL;
    stt_cli_result r;
    stt_cli(&r, NULL, args);
    if (r.rc != 2 || !strstr(r.err, cases[i].mentions))
      fail_msg("case %zu (%s): rc %d, stderr: %s", i, cases[i].mentions, r.rc, r.err);
    assert_string_equal(r.out, "");
    stt_cli_result_free(&r);
  }

  /* A trace larger than stdio's buffer: the write itself fails, not just the final flush. */
  enum { LONG = 20000 };
  char *big = malloc(LONG + 32);
  assert_non_null(big);
  int n0 = snprintf(big, 32, "batch 0 1\nstring \"");
  memset(big + n0, 'x', LONG);
  memcpy(big + n0 + LONG, "\"\n", 2);
  const char *lsrc = stt_temp_with(big, (size_t)n0 + LONG + 2);
  free(big);
  stt_cli_result r;
  STT_CLI(&r, NULL, "encode", lsrc, "-o", "/dev/full");
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "/dev/full"));
  stt_cli_result_free(&r);

  /* An invalid description stays exit 1 even when the list cannot be written either. */
  const char bad[] = "batch 0 1\nGoEnd +1\nfoo\n";
  const char *bsrc = stt_temp_with(bad, sizeof bad - 1);
  STT_CLI(&r, NULL, "encode", "--list=/dev/full", bsrc, "-o", "/dev/null");
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.err, "'foo'"));
  stt_cli_result_free(&r);
  /* Options are checked after the file's settings: a bad setting wins, exit 1. */
  const char badset[] = "order random\n";
  const char *ssrc = stt_temp_with(badset, sizeof badset - 1);
  STT_CLI(&r, NULL, "encode", "--header=1.20", ssrc);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.err, "order"));
  assert_null(strstr(r.err, "--header"));
  stt_cli_result_free(&r);

  STT_CLI(&r, NULL, "encode", "-h");
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "usage: stacktab encode"));
  stt_cli_result_free(&r);
}

/* The description from standard input, without FILE or as "-": errors name <stdin>, the trace
 * goes to -o or to standard output. */
static void test_encode_stdin(void **state) {
  (void)state;
  const char good[] = "header 1.21\nbatch 0 1\nGoEnd +1\n";
  const char *src = stt_temp_with(good, sizeof good - 1);
  char out[80];
  snprintf(out, sizeof out, "%s.trace", src);
  stt_bytes want = {0};
  stt_header(&want, ST_VER_1_21);
  stt_batch(&want, 0, 1);
  EV0(&want, T_GO_END, 1);
  stt_freq(&want, FREQ_DEFAULT);
  stt_batch(&want, 0, 3);
  stt_cli_result r;
  STT_CLI(&r, src, "encode", "-o", out);
  assert_int_equal(r.rc, 0);
  stt_cli_result_free(&r);
  size_t len;
  uint8_t *got = stt_read_file(out, &len);
  assert_non_null(got);
  assert_same_bytes("stdin", got, len, &want);
  free(got);
  unlink(out);
  stt_free(&want);

  /* To standard output (binary: the captured text ends at the header's first NUL). */
  STT_CLI(&r, src, "encode", "-");
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "go 1.21 trace");
  assert_string_equal(r.err, "");
  stt_cli_result_free(&r);

  const char bad[] = "batch 0 1\n\nGoEnd\n";
  const char *bsrc = stt_temp_with(bad, sizeof bad - 1);
  STT_CLI(&r, bsrc, "encode");
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.err, "<stdin>:3: "));
  assert_string_equal(r.out, "");
  stt_cli_result_free(&r);
}

/* --list: one "OFFSET NAME" line per ordinary event (no strings, no batches), offsets counted by
 * hand: header 16, batch headers 3 bytes, ProcStart/STWStart 3, GoCreate 6 (length byte),
 * EvString "r" 4, UserRegion 7. The name follows the header version (STWStart from 1.21). */
static void test_encode_list(void **state) {
  (void)state;
  const char desc[] =
      "header 1.21\n"
      "batch 0 5\n"
      "ProcStart +1 4\n"
      "STWStart +1 0\n"
      "GoCreate +1 1 0 0\n"
      "UserRegion +1 1 0 \"r\" 0\n"
      "batch 1 5\n"
      "GoEnd +1\n";
  static const struct {
    const char *header;
    const char *want;
  } cases[] = {
      {NULL, "19 ProcStart\n22 STWStart\n25 GoCreate\n35 UserRegion\n45 GoEnd\n"},
      {"--header=1.19", "19 ProcStart\n22 GCSTWStart\n25 GoCreate\n35 UserRegion\n45 GoEnd\n"},
  };
  const char *src = stt_temp_with(desc, sizeof desc - 1);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char out[80], list[80], opt[96];
    snprintf(out, sizeof out, "%s.trace", src);
    snprintf(list, sizeof list, "%s.list", src);
    snprintf(opt, sizeof opt, "--list=%s", list);
    const char *opts[2] = {opt, cases[i].header};
    stt_cli_result r;
    size_t len, list_len;
    uint8_t *got = run_encode(src, opts, 2, out, &r, &len);
    assert_int_equal(r.rc, 0);
    assert_non_null(got);
    char *l = (char *)stt_read_file(list, &list_len);
    assert_non_null(l);
    l = realloc(l, list_len + 1);
    l[list_len] = '\0';
    assert_string_equal(l, cases[i].want);
    /* The offsets are those of the events in the trace: the decoder finds each there. */
    stt_run d;
    stt_decode(&d, got, len, 0, ST_MODE_STRICT);
    assert_int_equal(d.status, ST_OK);
    for (const char *p = l; *p; p = strchr(p, '\n') + 1) {
      char key[32];
      snprintf(key, sizeof key, "E %ld ", strtol(p, NULL, 10));
      if (!strstr(d.text, key)) fail_msg("no event at offset %s in:\n%s", key, d.text);
    }
    stt_run_free(&d);
    free(l);
    free(got);
    stt_cli_result_free(&r);
    unlink(out);
    unlink(list);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_encode_errors, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_encode_exact, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_encode_many, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_encode_big_string, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_encode_rejects, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_encode_usage, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_encode_stdin, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_encode_list, stt_temps_cleanup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* stacktab verify-dump from the command line, beyond test_cli_verify: --quiet with differences
 * and with a trace that does not decode, --json --all with several differences and several
 * decoder errors, --algorithm=legacy, --mode=go and --mode=strict, a direct dump's report,
 * warnings kept out of the report, several files with mixed results, a file that cannot be read,
 * and output that cannot be written. Traces are built here byte by byte (see test_cov_verify.c
 * for the offsets). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "st_test_cli.h"

#define BYTES(b, ...)                          \
  do {                                         \
    static const uint8_t x_[] = {__VA_ARGS__}; \
    stt_put((b), x_, sizeof x_);               \
  } while (0)

static const uint64_t F1[] = {0x10, 1, 2, 7};

/* Header, a pid-1 batch (16) with a HeapAlloc (19): 22 bytes. */
static void pre(stt_bytes *b, int version) {
  stt_header(b, version);
  stt_batch(b, 1, 1);
  BYTES(b, 0x61, 0x01, 0x05);
}

/* The reference's legacy region: 02 64 (22) | 41 00 02 | "f" (27) | "a.go" (31) | stack (38). */
static void good_legacy(stt_bytes *b) {
  pre(b, ST_VER_1_19);
  stt_freq(b, 100);
  stt_batch(b, 0, 2);
  stt_string(b, 1, "f");
  stt_string(b, 2, "a.go");
  stt_stack(b, 1, F1, 1);
}

/* The two strings swapped: four DUMP-STRING-ORDER differences (27, 34, 38, 38). */
static void swapped(stt_bytes *b) {
  pre(b, ST_VER_1_19);
  stt_freq(b, 100);
  stt_batch(b, 0, 2);
  stt_string(b, 2, "a.go");
  stt_string(b, 1, "f");
  stt_stack(b, 1, F1, 1);
}

/* The direct (Go 1.21) region: 41 00 02 (22) | 02 64 (25) | "f" (27) | "a.go" (31) | the stack
 * with its length in 10 bytes (38). */
static void good_direct(stt_bytes *b) {
  pre(b, ST_VER_1_21);
  stt_batch(b, 0, 2);
  stt_freq(b, 100);
  stt_string(b, 1, "f");
  stt_string(b, 2, "a.go");
  BYTES(b, 0xc3, 0x86, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x01, 0x01, 0x10,
        0x01, 0x02, 0x07);
}

static const char *temp_trace(void (*build)(stt_bytes *)) { return stt_temp_trace(build); }

static void test_quiet(void **state) {
  (void)state;
  const char *t = temp_trace(swapped);
  stt_cli_result r;
  STT_CLI(&r, NULL, "verify-dump", "-q", "--all", t);
  assert_int_equal(r.rc, 1);
  assert_string_equal(r.out, "");
  assert_string_equal(r.err, "");
  stt_cli_result_free(&r);
  /* A trace that does not decode (cut inside the stack): no diagnostics printed either. */
  stt_bytes b = {0};
  good_legacy(&b);
  const char *cut = stt_temp_with(b.p, b.len - 3);
  stt_free(&b);
  STT_CLI(&r, NULL, "verify-dump", "--quiet", cut);
  assert_int_equal(r.rc, 1);
  assert_string_equal(r.out, "");
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "verify-dump", cut);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, ":38: "));
  stt_cli_result_free(&r);
  stt_temps_cleanup(NULL);
}

static void test_json_all(void **state) {
  (void)state;
  const char *t = temp_trace(swapped);
  stt_cli_result r;
  STT_CLI(&r, NULL, "verify-dump", "--json", "--all", t);
  assert_int_equal(r.rc, 1);
  char want[2048];
  snprintf(want, sizeof want,
           "{\"file\":\"%s\",\"problems\":["
           "{\"off\":27,\"id\":\"DUMP-STRING-ORDER\",\"message\":\"string 2 is one the reference "
           "does not write here (no later stack needs it first, or it is defined already)\"},"
           "{\"off\":34,\"id\":\"DUMP-STRING-ORDER\",\"message\":\"string 1 is one the reference "
           "does not write here (no later stack needs it first, or it is defined already)\"},"
           "{\"off\":38,\"id\":\"DUMP-STRING-ORDER\",\"message\":\"stack 1 needs string 2 "
           "(\\\"f\\\") before it; the file does not write it there\"},"
           "{\"off\":38,\"id\":\"DUMP-STRING-ORDER\",\"message\":\"stack 1 needs string 3 "
           "(\\\"a.go\\\") before it; the file does not write it there\"}"
           "],\"format\":1,\"version\":1019,\"algorithm\":\"legacy\",\"cap_min\":32,"
           "\"cap_max\":null,\"cap_used\":32,\"generations\":0,\"stacks\":1,\"strings\":2,"
           "\"batches\":1,\"flushes\":0}\n",
           t);
  assert_string_equal(r.out, want);
  stt_cli_result_free(&r);
  /* Without --all, the first only. */
  STT_CLI(&r, NULL, "verify-dump", "--json", t);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, "\"problems\":[{\"off\":27,"));
  assert_null(strstr(r.out, "\"off\":34"));
  stt_cli_result_free(&r);
  stt_temps_cleanup(NULL);
}

static void two_errors(stt_bytes *b) {
  pre(b, ST_VER_1_19);
  stt_freq(b, 100);
  stt_batch(b, 0, 2);
  stt_string(b, 1, "f");
  stt_string(b, 2, "a.go");
  /* Stack 1 twice more (46, 54): STACK-DUP-ID each time; verify reports both, in order. */
  stt_stack(b, 1, F1, 1);
  stt_stack(b, 1, F1, 1);
  stt_stack(b, 1, F1, 1);
}

static void test_json_decode_errors(void **state) {
  (void)state;
  const char *t = temp_trace(two_errors);
  stt_cli_result r;
  STT_CLI(&r, NULL, "verify-dump", "--json", t);
  assert_int_equal(r.rc, 1);
  char want[1024];
  snprintf(want, sizeof want,
           "{\"file\":\"%s\",\"problems\":["
           "{\"off\":46,\"id\":\"STACK-DUP-ID\",\"message\":\"EvStack ID 1 is already defined\"},"
           "{\"off\":54,\"id\":\"STACK-DUP-ID\",\"message\":\"EvStack ID 1 is already defined\"}"
           "],\"format\":0,\"version\":0,\"algorithm\":\"legacy\",\"cap_min\":0,\"cap_max\":null,"
           "\"cap_used\":0,\"generations\":0,\"stacks\":0,\"strings\":0,\"batches\":0,"
           "\"flushes\":0}\n",
           t);
  assert_string_equal(r.out, want);
  stt_cli_result_free(&r);
  stt_temps_cleanup(NULL);
}

static void test_algorithm_and_mode(void **state) {
  (void)state;
  const char *leg = temp_trace(good_legacy), *dir = temp_trace(good_direct);
  stt_cli_result r;
  STT_CLI(&r, NULL, "verify-dump", "--algorithm=legacy", "--mode=strict", leg);
  assert_int_equal(r.rc, 0);
  char want[1024];
  snprintf(want, sizeof want,
           "%s: legacy dump (go 1.19): capacity 32..inf (verified at 32), 1 stacks, 2 strings, "
           "1 batch(es), 0 flush(es): the reference's\n",
           leg);
  assert_string_equal(r.out, want);
  stt_cli_result_free(&r);
  /* The direct dump: its 1-frame stack at 38 - 22 = 16 in the batch needs the room check
   * st_stack_record_bound(1) = 1 + 10 + 10 * (2 + 4) = 71 bytes: capacity 87 at least. */
  STT_CLI(&r, NULL, "verify-dump", dir);
  assert_int_equal(r.rc, 0);
  snprintf(want, sizeof want,
           "%s: direct dump (go 1.21): capacity 87..inf (verified at 87), 1 stacks, 2 strings, "
           "1 batch(es), 0 flush(es): the reference's\n",
           dir);
  assert_string_equal(r.out, want);
  stt_cli_result_free(&r);
  /* Legacy forced on the direct dump: the Frequency that opens a batch (25) first. */
  STT_CLI(&r, NULL, "verify-dump", "--algorithm", "legacy", dir);
  assert_int_equal(r.rc, 1);
  snprintf(want, sizeof want,
           "%s:25: DUMP-FREQ: the Frequency opens a batch; the legacy dump writes it bare, then "
           "its own batches\n",
           dir);
  assert_string_equal(r.out, want);
  stt_cli_result_free(&r);
  stt_temps_cleanup(NULL);
}

/* No Frequency: strict decoding refuses the trace (it ends without one); go mode decodes it
 * and verify-dump finds no region. */
static void no_freq(stt_bytes *b) { pre(b, ST_VER_1_19); }

static void test_mode_go(void **state) {
  (void)state;
  const char *t = temp_trace(no_freq);
  stt_cli_result r;
  STT_CLI(&r, NULL, "verify-dump", "--mode=go", t);
  assert_int_equal(r.rc, 1);
  char want[512];
  snprintf(want, sizeof want, "%s:22: DUMP-REGION: the trace has no Frequency, so no dump region\n",
           t);
  assert_string_equal(r.out, want);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "verify-dump", "--mode", "strict", t);
  assert_int_equal(r.rc, 1);
  assert_null(strstr(r.out, "DUMP-REGION"));
  stt_cli_result_free(&r);
  stt_temps_cleanup(NULL);
}

/* A 400-frame stack (6 bytes a frame: its length 2402 is over 2048): the decoder's warning
 * LEN-OVER-2048 is no difference and is not printed. */
static void long_stack(stt_bytes *b) {
  pre(b, ST_VER_1_19);
  stt_freq(b, 100);
  stt_batch(b, 0, 2);
  stt_string(b, 1, "f");
  stt_string(b, 2, "a.go");
  uint64_t *f = malloc(400 * 4 * sizeof *f);
  for (size_t i = 0; i < 400; i++) {
    f[4 * i] = 0x1000 + i;
    f[4 * i + 1] = 1;
    f[4 * i + 2] = 2;
    f[4 * i + 3] = 300;
  }
  stt_stack(b, 1, f, 400);
  free(f);
}

static void test_warning_not_reported(void **state) {
  (void)state;
  const char *t = temp_trace(long_stack);
  stt_cli_result r;
  STT_CLI(&r, NULL, "check", t);
  assert_non_null(strstr(r.out, "LEN-OVER-2048"));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "verify-dump", t);
  assert_int_equal(r.rc, 0);
  assert_null(strstr(r.out, "LEN-OVER-2048"));
  assert_non_null(strstr(r.out, ": legacy dump (go 1.19): capacity "));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "verify-dump", "--json", t);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "\"problems\":[],\"format\":1,"));
  stt_cli_result_free(&r);
  stt_temps_cleanup(NULL);
}

/* Several files: each reported in turn; the exit status is the worst (2 for a file that cannot
 * be read, which is reported on stderr and skipped). A directory opens but does not read. */
static void test_several_files(void **state) {
  (void)state;
  const char *good = temp_trace(good_legacy), *bad = temp_trace(swapped);
  stt_cli_result r;
  STT_CLI(&r, NULL, "verify-dump", good, bad);
  assert_int_equal(r.rc, 1);
  char want[1024];
  snprintf(want, sizeof want,
           "%s: legacy dump (go 1.19): capacity 32..inf (verified at 32), 1 stacks, 2 strings, "
           "1 batch(es), 0 flush(es): the reference's\n"
           "%s:27: DUMP-STRING-ORDER: string 2 is one the reference does not write here (no later "
           "stack needs it first, or it is defined already)\n",
           good, bad);
  assert_string_equal(r.out, want);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "verify-dump", "--json", bad, "/", good);
  assert_int_equal(r.rc, 2);
  assert_string_equal(r.err, "stacktab: /: read error\n");
  /* Two JSON lines: the unreadable file has none. */
  const char *nl = strchr(r.out, '\n');
  assert_non_null(nl);
  assert_non_null(strchr(nl + 1, '\n'));
  assert_null(strchr(strchr(nl + 1, '\n') + 1, '\n'));
  assert_null(strstr(r.out, "\"file\":\"/\""));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "verify-dump", "/nonexistent-dir/t.trace", good);
  assert_int_equal(r.rc, 2);
  assert_string_equal(r.err, "stacktab: /nonexistent-dir/t.trace: No such file or directory\n");
  assert_non_null(strstr(r.out, ": the reference's\n"));
  stt_cli_result_free(&r);
  stt_temps_cleanup(NULL);
}

/* Standard output that cannot be written (/dev/full): exit 2 and the reason on stderr. */
static void test_output_fails(void **state) {
  (void)state;
  const char *good = temp_trace(good_legacy);
  const char *err = stt_temp_with("", 0);
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "'%s' verify-dump '%s' >/dev/full 2>'%s'", ST_CLI_PATH, good, err);
  int st = system(cmd);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 2);
  size_t n;
  char *e = (char *)stt_read_file(err, &n);
  assert_non_null(e);
  const char want[] = "stacktab: writing output: No space left on device\n";
  assert_int_equal(n, sizeof want - 1);
  assert_memory_equal(e, want, n);
  free(e);
  stt_temps_cleanup(NULL);
}

/* A v2 trace in JSON: algorithm "v2" and a bounded capacity interval (corpus/own/README.md: the
 * varied 1.23 trace flushes its tables, 4 generations). */
static void test_json_v2(void **state) {
  (void)state;
  char path[512];
  snprintf(path, sizeof path, "%s/corpus/own/go1.23-own-varied.trace", ST_SOURCE_DIR);
  stt_cli_result r;
  STT_CLI(&r, NULL, "verify-dump", "--json", path);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "\"problems\":[],\"format\":2,\"version\":1023,\"algorithm\":\"v2\","
                                "\"cap_min\":65497,\"cap_max\":65511,\"cap_used\":65497,"
                                "\"generations\":4,"));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "verify-dump", "--cap=abc", path);
  assert_int_equal(r.rc, 2);
  assert_string_equal(r.err,
                      "stacktab verify-dump: --cap needs a positive whole number, not 'abc'\n");
  stt_cli_result_free(&r);
}

/* Out of memory: at --cap=2^30 the rewrite needs a 1 GiB buffer, which an address-space limit
 * of 400 MiB refuses (everything else takes a few MiB): exit 2, "out of memory" on stderr, and
 * in JSON the object is still closed with its line. A control run under the same limit must
 * succeed first (an ASan build, which reserves terabytes, cannot start there: skipped). */
static int run_limited(const char *args, const char *file, char **out, char **err) {
  const char *o = stt_temp_with("", 0), *e = stt_temp_with("", 0);
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "ulimit -v 409600 && exec '%s' verify-dump %s '%s' >'%s' 2>'%s'",
           ST_CLI_PATH, args, file, o, e);
  int st = system(cmd);
  char **dst[2] = {out, err};
  const char *src[2] = {o, e};
  for (int i = 0; i < 2; i++) {
    size_t n;
    uint8_t *p = stt_read_file(src[i], &n);
    assert_non_null(p);
    *dst[i] = calloc(n + 1, 1);
    memcpy(*dst[i], p, n);
    free(p);
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_out_of_memory(void **state) {
  (void)state;
  const char *t = temp_trace(good_legacy);
  char *out, *err;
  int rc = run_limited("--cap=64488", t, &out, &err);
  int control_ok = rc == 0 && strstr(out, "verified at 64488") != NULL;
  if (!control_ok) print_message("control run under ulimit -v failed (rc %d: %s): skipped\n", rc, err);
  free(out);
  free(err);
  if (control_ok) {
    rc = run_limited("--cap=1073741824", t, &out, &err);
    assert_int_equal(rc, 2);
    char want[512];
    snprintf(want, sizeof want, "stacktab: %s: out of memory\n", t);
    assert_string_equal(err, want);
    assert_string_equal(out, "");
    free(out);
    free(err);
    rc = run_limited("--json --cap=1073741824", t, &out, &err);
    assert_int_equal(rc, 2);
    assert_string_equal(err, want);
    /* The object is closed on its line (nothing was verified: no problems listed). */
    assert_ptr_equal(strstr(out, "{\"file\":"), out);
    char *nl = strchr(out, '\n');
    assert_non_null(nl);
    assert_true(nl > out && nl[-1] == '}');
    assert_non_null(strstr(out, "\"problems\":[],"));
    assert_int_equal(strspn(nl, "\n"), strlen(nl));
    free(out);
    free(err);
  }
  stt_temps_cleanup(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_quiet),
      cmocka_unit_test(test_json_all),
      cmocka_unit_test(test_json_decode_errors),
      cmocka_unit_test(test_algorithm_and_mode),
      cmocka_unit_test(test_mode_go),
      cmocka_unit_test(test_warning_not_reported),
      cmocka_unit_test(test_several_files),
      cmocka_unit_test(test_output_fails),
      cmocka_unit_test(test_json_v2),
      cmocka_unit_test(test_out_of_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

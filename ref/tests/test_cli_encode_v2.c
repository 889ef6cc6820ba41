/* `stacktab encode` with v2 statements: every refusal of `generation`, `cpusample`, the v2-only
 * and v1-only settings, events a version does not have, dump failures at a generation's end
 * (named at the stack's line) and in the footer; a good description with log messages, stack
 * labels used again in a later generation, inlined frames and --list, checked against the
 * decoded trace. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "st_test_cli.h"

typedef struct {
  const char *text;
  const char *args[3]; /* extra arguments, NULL-padded */
  int rc;
  int line;            /* 0: the message has no FILE:LINE */
  const char *message; /* exact text after "stacktab: FILE:LINE: " (or all of stderr) */
} bad_case;

static void run_bad(const bad_case *b, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const char *p = stt_temp_with(b[i].text, strlen(b[i].text));
    char out[300], want[512];
    snprintf(out, sizeof out, "%s.trace", p);
    const char *args[8] = {"encode", p, "-o", out};
    size_t k = 4;
    for (size_t j = 0; j < 3 && b[i].args[j]; j++) args[k++] = b[i].args[j];
    args[k] = NULL;
    stt_cli_result r;
    stt_cli(&r, NULL, args);
    if (b[i].line) snprintf(want, sizeof want, "stacktab: %s:%d: %s\n", p, b[i].line, b[i].message);
    else snprintf(want, sizeof want, "%s\n", b[i].message);
    if (r.rc != b[i].rc || strcmp(r.err, want) != 0)
      fail_msg("case %zu: rc %d (want %d), stderr: %swant: %s", i, r.rc, b[i].rc, r.err, want);
    assert_string_equal(r.out, "");
    /* Nothing is written on a refusal. */
    FILE *f = fopen(out, "rb");
    assert_null(f);
    stt_cli_result_free(&r);
    stt_temps_cleanup(NULL);
  }
}

static void test_encode_v2_refusals(void **state) {
  (void)state;
  static const bad_case cases[] = {
      {"header 1.23\ngeneration 5\n", {NULL}, 1, 2, "generation takes no arguments"},
      {"header 1.23\ncpusample 1 2 3\n", {NULL}, 1, 2, "cpusample needs: TIME M P G STACK"},
      {"header 1.23\ncpusample 1 2 x 4 0\n", {NULL}, 1, 2, "cpusample: bad number 'x'"},
      {"header 1.23\ncpusample 1 2 3 4 nolabel\n", {NULL}, 1, 2, "unknown stack label 'nolabel'"},
      {"header 1.23\ncpusample 1 2 3 4 1x\n", {NULL}, 1, 2, "cpusample: bad argument '1x'"},
      {"header 1.23\nalgorithm direct\n", {NULL}, 1, 2,
       "algorithm: v1 only (v2 has one stack-section writer)"},
      {"# v1\n\norder trie\n", {NULL}, 1, 3, "order trie: v2 only (Go 1.23+)"},
      {"order bogus\n", {NULL}, 1, 1, "order: id, buckets or trie"},
      {"preregister on\n", {NULL}, 1, 1, "preregister: v2 only"},
      {"header 1.23\npreregister maybe\n", {NULL}, 1, 2, "preregister: on or off"},
      {"header 1.22\nbuf-size 63\n", {NULL}, 1, 2, "buf-size: at least 64 for v2"},
      {"header 1.22\nbatch 1 1\nGoSwitch +1 2 3\n", {NULL}, 1, 3,
       "GoSwitch does not exist in this header's version"},
      /* Not a v2 event name (and not a statement). */
      {"header 1.23\nbatch 1 1\nGoSched +1 0\n", {NULL}, 1, 3, "unknown statement 'GoSched'"},
      {"header 1.23\nbatch 1 1\nExperimentalBatch +1\n", {NULL}, 1, 3,
       "unknown statement 'ExperimentalBatch'"},
      /* A v1 description made v2 by --header keeps its v1-only setting: refused at its line. */
      {"\nalgorithm legacy\n", {"--header", "1.23"}, 1, 2,
       "algorithm: v1 only (v2 has one stack-section writer)"},
      /* The same given on the command line: usage errors. */
      {"header 1.23\n", {"--algorithm=direct"}, 2, 0,
       "stacktab encode: --algorithm: v1 only (v2 has one stack-section writer) (see stacktab "
       "encode --help)"},
      {"header 1.23\n", {"--buf-size", "40"}, 2, 0,
       "stacktab encode: --buf-size: at least 64 for v2 (see stacktab encode --help)"},
      {"header 1.23\n", {"--header=1.20"}, 2, 0,
       "stacktab encode: --header: 1.11, 1.19, 1.21, 1.22, 1.23 or 1.25 (see stacktab encode "
       "--help)"},
      /* 64 bytes: a v2 batch header is 1 + 1 + 10 + 1 + 10 = 23 bytes, leaving 41; a stack's
       * room check is 22 + 40 per frame, so a 3-frame stack cannot be dumped: named at the
       * line of its `stack` statement when the generation ends. */
      {"header 1.23\nbuf-size 64\nsym 0x10 main.main /a.go 7\n\nstack big 0x10 0x10 0x10\n"
       "generation\n",
       {NULL}, 1, 5, "dump of stack 1: record too big for an empty buffer of this capacity"},
      /* A CPU sample's room check is 52 bytes: the generation's CPU section cannot be written;
       * no stack to name, so the `generation` line. */
      {"header 1.23\nbuf-size 64\ncpusample 1 2 3 4 0\ngeneration\n", {NULL}, 1, 4,
       "generation end: record too big for an empty buffer of this capacity"},
      /* The same at the end of the file: the footer, named at the last line. */
      {"header 1.25\nbuf-size 64\ncpusample 1 2 3 4 0\n", {NULL}, 1, 3,
       "footer: record too big for an empty buffer of this capacity"},
      {"header 1.23\nbuf-size 64\nsym 0x10 main.main /a.go 7\nstack big 0x10 0x10 0x10\n", {NULL},
       1, 4, "dump of stack 1: record too big for an empty buffer of this capacity"},
      /* v1 has neither statement. */
      {"batch 1 1\ngeneration\n", {NULL}, 1, 2, "unknown statement 'generation'"},
      {"cpusample 1 2 3 4 0\n", {NULL}, 1, 1, "unknown statement 'cpusample'"},
  };
  run_bad(cases, sizeof cases / sizeof cases[0]);
  stt_cli_result r;
  STT_CLI(&r, NULL, "encode", "--list");
  assert_int_equal(r.rc, 2);
  assert_string_equal(r.err,
                      "stacktab encode: option '--list' needs a value (see stacktab encode --help)\n");
  stt_cli_result_free(&r);
}

/* Output that cannot be written: exit 2 naming the file and the reason. */
static void test_encode_output_fails(void **state) {
  (void)state;
  const char *p = stt_temp_with("batch 0 1\nGoSched +1 0\n", 23);
  stt_cli_result r;
  STT_CLI(&r, NULL, "encode", p, "-o", "/dev/full");
  assert_int_equal(r.rc, 2);
  assert_string_equal(r.err, "stacktab: /dev/full: No space left on device\n");
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "encode", p, "-o", "/nonexistent-dir/x.trace");
  assert_int_equal(r.rc, 2);
  assert_string_equal(r.err, "stacktab: /nonexistent-dir/x.trace: No such file or directory\n");
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "encode", p, "--list", "/nonexistent-dir/x.list");
  assert_int_equal(r.rc, 2);
  assert_string_equal(r.err, "stacktab: /nonexistent-dir/x.list: No such file or directory\n");
  assert_string_equal(r.out, "");
  stt_cli_result_free(&r);
  /* The list file fails on close: /dev/full takes the fopen, then refuses the bytes. */
  STT_CLI(&r, NULL, "encode", p, "-o", "/dev/null", "--list", "/dev/full");
  assert_int_equal(r.rc, 2);
  assert_string_equal(r.err, "stacktab: /dev/full: No space left on device\n");
  stt_cli_result_free(&r);
  stt_temps_cleanup(NULL);
}

/* Standard output that cannot be written: exit 2, named <stdout>. */
static void test_encode_stdout_fails(void **state) {
  (void)state;
  const char *p = stt_temp_with("header 1.23\nbatch 0 1\nHeapAlloc +1 5\n", 36);
  const char *err = stt_temp_with("", 0);
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "'%s' encode '%s' >/dev/full 2>'%s'", ST_CLI_PATH, p, err);
  int st = system(cmd);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 2);
  size_t n;
  char *e = (char *)stt_read_file(err, &n);
  assert_non_null(e);
  const char want[] = "stacktab: <stdout>: No space left on device\n";
  assert_int_equal(n, sizeof want - 1);
  assert_memory_equal(e, want, n);
  free(e);
  stt_temps_cleanup(NULL);
}

/* Lines of `dump`'s text output that start with "OFF TYPE". */
static int has_line(const char *dump, const char *line) {
  size_t n = strlen(line);
  for (const char *p = dump; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
    if (!strncmp(p, line, n) && (p[n] == '\n' || p[n] == ' ' || p[n] == 0)) return 1;
  return 0;
}

/* A good v2 description: UserLog messages are emitted (a new string each time, even when the
 * text repeats), stack labels are put again into a later generation's table (IDs restart at
 * 1), a PC with two `sym` lines is one inlined stack of two frames (in line order), an empty
 * stack is label ID 0, `string` outside any batch is fine in v2, and --list gives each event's
 * offset in the file. */
static void test_encode_v2_good(void **state) {
  (void)state;
  const char text[] =
      "header 1.23\n"
      "preregister off\n"
      "order id\n"
      "sym 0x10 main.main /a.go 7\n"
      "sym 0x10 main.inl /a.go 9\n"
      "stack s 0x10\n"
      "stack e\n"
      "string \"early\"\n"
      "batch 1 100\n"
      "UserLog +1 0 \"key\" \"message\" s\n"
      "UserLog +1 0 \"key\" \"message\" e\n"
      "cpusample 101 1 2 3 s\n"
      "generation\n"
      "batch 1 200\n"
      "UserLog +1 0 \"key\" \"message\" s\n"
      "cpusample 201 1 2 3 e\n";
  const char *src = stt_temp_with(text, sizeof text - 1);
  char out[300], list[300];
  snprintf(out, sizeof out, "%s.trace", src);
  snprintf(list, sizeof list, "%s.list", src);
  stt_cli_result r;
  STT_CLI(&r, NULL, "encode", src, "-o", out, "--list", list);
  if (r.rc) fail_msg("rc %d: %s", r.rc, r.err);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "check", out);
  assert_int_equal(r.rc, 0);
  stt_cli_result_free(&r);
  size_t ln;
  char *l = (char *)stt_read_file(list, &ln);
  assert_non_null(l);
  /* Header 16; gen 1: the frequency batch (01 01 V(M) V(103) size, 08 V(15625000): 28 bytes),
   * then the event batch 01 01 01 V(100) size (14 bytes): the first UserLog at 58, 6 bytes
   * (2c dt task key value stack), the second at 64. */
  assert_int_equal(ln, strlen("58 UserLog\n64 UserLog\n268 UserLog\n"));
  assert_memory_equal(l, "58 UserLog\n64 UserLog\n268 UserLog\n", ln);
  free(l);
  size_t tn;
  uint8_t *t = stt_read_file(out, &tn);
  assert_non_null(t);
  static const uint8_t log1[] = {ST_EV2_USER_LOG, 1, 0, 2, 3, 1};
  static const uint8_t log2[] = {ST_EV2_USER_LOG, 1, 0, 2, 4, 0};
  static const uint8_t log3[] = {ST_EV2_USER_LOG, 1, 0, 1, 2, 1};
  assert_memory_equal(t + 58, log1, sizeof log1);
  assert_memory_equal(t + 64, log2, sizeof log2);
  assert_memory_equal(t + 268, log3, sizeof log3);
  free(t);
  STT_CLI(&r, NULL, "dump", out);
  assert_int_equal(r.rc, 0);
  /* Each message a string of its own; generation 2 puts the stack again as ID 1. */
  assert_true(has_line(r.out, "159 String id=1 \"early\""));
  assert_true(has_line(r.out, "173 String id=3 \"message\""));
  assert_true(has_line(r.out, "183 String id=4 \"message\""));
  assert_true(has_line(r.out, "94 CPUSample 101 1 2 3 1"));
  assert_true(has_line(r.out, "124 Stack id=1 frames=2"));
  assert_true(has_line(r.out, "299 CPUSample 201 1 2 3 0"));
  assert_true(has_line(r.out, "331 Stack id=1 frames=2"));
  assert_non_null(strstr(r.out, "331 Stack id=1 frames=2\n    0x10 \"main.main\" \"/a.go\":7\n"
                                "    0x10 \"main.inl\" \"/a.go\":9\n"));
  assert_true(has_line(r.out, "373 String id=2 \"message\""));
  stt_cli_result_free(&r);
  stt_temps_cleanup(NULL);
}

/* More than 256 v2 events with --list (the pending list grows): the list has one line per
 * event, each offset holding that event's type byte. */
static void test_encode_v2_long_list(void **state) {
  (void)state;
  size_t cap = 64 * 1024, n = 0;
  char *text = malloc(cap);
  n += (size_t)snprintf(text + n, cap - n, "header 1.22\nbatch 3 10\n");
  for (int i = 0; i < 300; i++) n += (size_t)snprintf(text + n, cap - n, "HeapAlloc +1 %d\n", i);
  const char *src = stt_temp_with(text, n);
  free(text);
  char out[300], list[300];
  snprintf(out, sizeof out, "%s.trace", src);
  snprintf(list, sizeof list, "%s.list", src);
  stt_cli_result r;
  STT_CLI(&r, NULL, "encode", src, "-o", out, "--list", list);
  assert_int_equal(r.rc, 0);
  stt_cli_result_free(&r);
  size_t ln, tn;
  char *l = (char *)stt_read_file(list, &ln);
  uint8_t *t = stt_read_file(out, &tn);
  assert_non_null(l);
  assert_non_null(t);
  int lines = 0;
  unsigned long long prev = 0;
  for (char *p = l; p < l + ln;) {
    char *end;
    unsigned long long off = strtoull(p, &end, 10);
    assert_true(!strncmp(end, " HeapAlloc\n", 11));
    assert_true(off < tn && off > prev);
    assert_int_equal(t[off], ST_EV2_HEAP_ALLOC);
    prev = off;
    lines++;
    p = end + 11;
  }
  assert_int_equal(lines, 300);
  free(l);
  free(t);
  stt_temps_cleanup(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_encode_v2_refusals),
      cmocka_unit_test(test_encode_output_fails),
      cmocka_unit_test(test_encode_stdout_fails),
      cmocka_unit_test(test_encode_v2_good),
      cmocka_unit_test(test_encode_v2_long_list),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The CLI on v2 traces: dump (text and JSON, with generations and late-resolved names),
 * stats (per generation, batches by kind, size-field widths), and encode for 1.25 (sync
 * batches). Expected values come from the project's own traces' README table and from bytes
 * built here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_cli.h"

static const char *own(const char *name) {
  static char path[512];
  snprintf(path, sizeof path, "%s/corpus/own/%s", ST_SOURCE_DIR, name);
  return path;
}

static size_t count_lines(const char *s) {
  size_t n = 0;
  for (; *s; s++) n += *s == '\n';
  return n;
}

/* corpus/own/README.md: go1.23-own-small.trace has 497 events, 93 stacks, 130 strings. */
static void test_dump_v2(void **state) {
  (void)state;
  stt_cli_result r;
  STT_CLI(&r, NULL, "dump", "--json", own("go1.23-own-small.trace"));
  assert_int_equal(r.rc, 0);
  assert_int_equal(count_lines(r.out), 497);
  assert_ptr_equal(strstr(r.out, "{\"off\":16,\"gen\":1,\"type\":\"EventBatch\",\"args\":[1,"), r.out);
  assert_non_null(strstr(r.out, "\"type\":\"Stack\",\"id\":1,\"frames\":[{\"pc\":"));
  assert_non_null(strstr(r.out, ",\"fn_id\":"));
  assert_non_null(strstr(r.out, "\"type\":\"Strings\",\"args\":[]}"));
  /* Late names: no frame of a stack has an empty function name in this trace. */
  assert_null(strstr(r.out, "\"fn\":\"\""));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "dump", own("go1.23-own-small.trace"));
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "16 EventBatch 1 18446744073709551615 "));
  assert_non_null(strstr(r.out, " Stack id=1 frames="));
  assert_non_null(strstr(r.out, " Strings\n"));
  stt_cli_result_free(&r);
}

static void test_stats_v2(void **state) {
  (void)state;
  stt_cli_result r;
  STT_CLI(&r, NULL, "stats", own("go1.23-own-varied.trace"));
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "header          go 1.23 trace (v2)\n"));
  assert_non_null(strstr(r.out, "generations     4\n"));
  assert_non_null(strstr(r.out, "stacks          6716\n"));
  assert_non_null(strstr(r.out, "strings         802\n"));
  assert_non_null(strstr(r.out, "size fields     by width: 10:42\n"));
  assert_non_null(strstr(r.out, "(capacity 65504)"));
  assert_non_null(strstr(r.out, " stacks 12 "));
  /* One row per generation, numbered 1..4. */
  for (int g = 1; g <= 4; g++) {
    char row[8];
    snprintf(row, sizeof row, "\n%d ", g);
    assert_non_null(strstr(r.out, row));
  }
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "stats", "--buf-size=1000", own("go1.23-own-small.trace"));
  assert_int_equal(r.rc, 1); /* BATCH-TOO-LARGE at the small capacity */
  assert_non_null(strstr(r.out, "(capacity 1000)"));
  assert_non_null(strstr(r.err, ": BATCH-TOO-LARGE: "));
  stt_cli_result_free(&r);
}

/* A 1.23 trace with an experimental batch (31 01: AllocFree), a frequency batch and an event
 * batch, built by hand: dump shows the experimental batch with its data, stats counts it. */
static void test_experimental_batch(void **state) {
  (void)state;
  static const uint8_t exp[] = {0x31, 0x01, 0x01, 0x05, 0x0a, 0x83, 0x80, 0x80, 0x80, 0x80,
                                0x80, 0x80, 0x80, 0x80, 0x00, 'a', 'b', 'c'};
  static const uint8_t freq[] = {0x01, 0x01, 0x05, 0x0b, 0x82, 0x80, 0x80, 0x80, 0x80,
                                 0x80, 0x80, 0x80, 0x80, 0x00, 0x08, 0x64};
  /* Event batch payload: ProcStop (0x0b) dt 1, ProcStop dt 1, ProcStop dt 1 = 3 x 2 bytes. */
  stt_bytes t = {0};
  stt_header(&t, ST_VER_1_23);
  stt_put(&t, exp, sizeof exp);
  stt_put(&t, freq, sizeof freq);
  static const uint8_t evb[] = {0x01, 0x01, 0x07, 0x0c, 0x86, 0x80, 0x80, 0x80, 0x80,
                                0x80, 0x80, 0x80, 0x80, 0x00, 0x0b, 0x01, 0x0b, 0x01, 0x0b, 0x01};
  stt_put(&t, evb, sizeof evb);
  const char *path = stt_temp_with(t.p, t.len);
  stt_free(&t);
  stt_cli_result r;
  STT_CLI(&r, NULL, "dump", "--json", path);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "{\"off\":16,\"gen\":1,\"type\":\"ExperimentalBatch\",\"args\":[1,1,5,10,3],\"data\":\"abc\"}"));
  assert_non_null(strstr(r.out, "\"type\":\"Frequency\",\"args\":[100]}"));
  assert_int_equal(count_lines(r.out), 1 + 2 + 1 + 3);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "dump", path);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "16 ExperimentalBatch 1 1 5 10 3 \"abc\"\n"));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "stats", path);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "batches         3: events 1 frequency 1 experimental 1\n"));
  assert_non_null(strstr(r.out, "ProcStop                      3            6\n"));
  stt_cli_result_free(&r);
}

/* encode for 1.25: a sync batch opens every generation; stats and check read it. */
static void test_encode_1_25(void **state) {
  (void)state;
  static const char src[] =
      "header 1.25\n"
      "batch 3 100\n"
      "ProcStatus 100 0 1\n"
      "generation\n"
      "batch 3 200\n"
      "ProcStatus 200 0 1\n";
  const char *in = stt_temp_with(src, sizeof src - 1);
  const char *out = stt_temp_with("", 0);
  stt_cli_result r;
  STT_CLI(&r, NULL, "encode", in, "-o", out);
  assert_int_equal(r.rc, 0);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "stats", out);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "header          go 1.25 trace (v2)\n"));
  assert_non_null(strstr(r.out, "generations     2\n"));
  assert_non_null(strstr(r.out, "sync 2"));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "dump", "--json", out);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "\"type\":\"Sync\",\"args\":[]}"));
  assert_non_null(strstr(r.out, "\"type\":\"ClockSnapshot\",\"args\":[1,0,0,0]}"));
  stt_cli_result_free(&r);
}

/* A v2 header followed by v1 bytes: decoding stops at the first batch; stats still answers. */
static void test_stats_v2_broken(void **state) {
  (void)state;
  stt_bytes t = {0};
  stt_header(&t, ST_VER_1_22);
  stt_batch(&t, 0, 1);
  const char *path = stt_temp_with(t.p, t.len);
  stt_free(&t);
  stt_cli_result r;
  STT_CLI(&r, NULL, "stats", path);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.err, ":16: BATCH-EXPECTED: "));
  assert_non_null(strstr(r.out, "events          0\n"));
  stt_cli_result_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_dump_v2, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_stats_v2, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_experimental_batch, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_encode_1_25, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_stats_v2_broken, stt_temps_cleanup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

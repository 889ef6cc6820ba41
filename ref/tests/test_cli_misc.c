/* The CLI's remaining paths: stats of a v2 trace with more generations than its first table
 * holds (16) and an empty event batch; a file that opens but cannot be read (a directory) for
 * the streaming decoder (check, stats, dump) and for verify-dump's whole-file read. Expected
 * offsets come from the v2 batch layout (spec §3): a frequency batch is 01 V(gen) V(2^64-1)
 * V(time) [10-byte size] 08 V(15625000) = 1 + 1 + 10 + 1 + 10 + 5 = 28 bytes while its time is
 * below 128, 29 after; an event batch 01 V(gen) V(M 1) V(time) [size] is 14 bytes with a
 * one-byte time, 15 with a two-byte one; HeapAlloc 25 V(dt) V(5) is 3 bytes. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_cli.h"

static void test_stats_many_generations(void **state) {
  (void)state;
  char text[4096];
  size_t n = (size_t)snprintf(text, sizeof text, "header 1.23\nbatch 1 5\nbatch 1 6\nHeapAlloc +1 5\n");
  for (int g = 2; g <= 17; g++)
    n += (size_t)snprintf(text + n, sizeof text - n, "generation\nbatch 1 %d\nHeapAlloc +1 5\n",
                          g * 100);
  const char *src = stt_temp_with(text, n);
  char out[300];
  snprintf(out, sizeof out, "%s.trace", src);
  stt_cli_result r;
  STT_CLI(&r, NULL, "encode", src, "-o", out);
  assert_int_equal(r.rc, 0);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "stats", out);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "\nheader          go 1.23 trace (v2)\n"));
  assert_non_null(strstr(r.out, "\nevents          69\n")); /* 35 batches, 17 Frequency, 17 HeapAlloc */
  assert_non_null(strstr(r.out, "\ngenerations     17\n"));
  /* The empty batch (01 01 01 05, nothing after its size) counts as an event batch. */
  assert_non_null(strstr(r.out, "\nbatches         35: events 18 frequency 17\n"));
  /* Generation 1 at 16: its frequency batch (28), the empty event batch (14) and the one
   * with the HeapAlloc (14 + 3): 59 bytes, so generation 2 starts at 75; each later one takes
   * 29 + 15 + 3 = 47 bytes: generation 17 at 75 + 15 * 47 = 780. */
  assert_non_null(strstr(r.out, "\n1             16        3        0        0        0        0"));
  assert_non_null(strstr(r.out, "\n2             75        2        0        0        0        0"));
  assert_non_null(strstr(r.out, "\n17           780        2        0        0        0        0"));
  stt_cli_result_free(&r);
  stt_temps_cleanup(NULL);
}

static void test_read_errors(void **state) {
  (void)state;
  static const char *const cmds[] = {"check", "stats", "dump"};
  for (size_t i = 0; i < 3; i++) {
    stt_cli_result r;
    STT_CLI(&r, NULL, cmds[i], "/");
    assert_int_equal(r.rc, 2);
    assert_string_equal(r.err, "stacktab: /: read error: Is a directory\n");
    stt_cli_result_free(&r);
  }
  stt_cli_result r;
  STT_CLI(&r, NULL, "verify-dump", "/");
  assert_int_equal(r.rc, 2);
  assert_string_equal(r.err, "stacktab: /: read error\n");
  assert_string_equal(r.out, "");
  stt_cli_result_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stats_many_generations),
      cmocka_unit_test(test_read_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

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
  unlink(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_encode_errors, stt_temps_cleanup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

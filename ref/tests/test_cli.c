/* The stacktab CLI as a user runs it: `check` exit codes (0 valid, 1 invalid, 2 usage or I/O),
 * the line format FILE:OFFSET: RULE-ID: message, --werror, --mode, --buf-size, `-` for stdin,
 * and --help / --version. Inputs are hand-built traces written to temporary files; offsets are
 * worked out from the bytes (header 0..15, Batch at 16, Frequency at 19, next event at 21). */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "st_test_cli.h"
#include "stacktab/st_version.h"

#define RAW(b, ...)                            \
  do {                                         \
    const uint8_t raw_[] = {__VA_ARGS__};      \
    stt_put((b), raw_, sizeof raw_);           \
  } while (0)

/* The line `check` must print for a diagnostic: built from what the library reports for the
 * same bytes, so the test checks the CLI's formatting, not the message wording. */
static void expected_lines(char *out, size_t cap, const char *path, const stt_bytes *b,
                           st_mode mode) {
  stt_run r;
  stt_decode(&r, b->p, b->len, 0, mode);
  size_t n = 0;
  out[0] = '\0';
  for (size_t i = 0; i < r.ndiags; i++)
    n += (size_t)snprintf(out + n, cap - n, "%s:%llu: %s: %s%s\n", path,
                          (unsigned long long)r.diags[i].off, st_rule_id(r.diags[i].rule),
                          r.diags[i].severity == ST_SEV_WARNING ? "warning: " : "",
                          r.diags[i].message);
  stt_run_free(&r);
}

/* ---- inputs ---- */

static void base(stt_bytes *b) {
  stt_header(b, ST_VER_1_19);
  RAW(b, 0x41, 0x00, 0x01, 0x02, 0x64);
}
static void valid(stt_bytes *b) {
  base(b);
  RAW(b, 0x61, 0x01, 0x05); /* HeapAlloc: batch of 8 bytes */
}
static void string_id_zero(stt_bytes *b) {
  base(b);
  RAW(b, 0x25, 0x00, 0x01, 'a'); /* 21 */
}
static void two_problems(stt_bytes *b) {
  base(b);
  RAW(b, 0x25, 0x00, 0x01, 'a'); /* 21: STRING-ID-ZERO */
  RAW(b, 0x25, 0x01, 0x00);      /* 25: STRING-EMPTY */
}
static void dup_stack(stt_bytes *b) {
  base(b);
  RAW(b, 0xc3, 0x06, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00); /* 21 */
  RAW(b, 0xc3, 0x06, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00); /* 29: duplicate, strict only */
}
/* An EvStack whose length L is 2049 (> 2048): a warning only. 200 zero frames with PCs of
 * 7 or 8 bytes: 1 + 2 + 200 x 3 + 154 x 7 + 46 x 8 = 2049. */
static void long_stack(stt_bytes *b) {
  base(b);
  stt_bytes body = {0};
  RAW(&body, 0x01, 0xc8, 0x01);
  for (int i = 0; i < 200; i++) {
    stt_uv(&body, i < 46 ? 1ull << 49 : 1ull << 42);
    RAW(&body, 0x00, 0x00, 0x00);
  }
  assert_int_equal(body.len, 2049);
  RAW(b, 0xc3, 0x81, 0x10); /* 2049 = 0x801 */
  stt_put(b, body.p, body.len);
  stt_free(&body);
}

/* ---- tests ---- */

static void test_check_valid(void **state) {
  (void)state;
  const char *p = stt_temp_trace(valid);
  stt_cli_result r;
  STT_CLI(&r, NULL, "check", p);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "");
  assert_string_equal(r.err, "");
  stt_cli_result_free(&r);
}

static void test_check_invalid_line(void **state) {
  (void)state;
  const char *p = stt_temp_trace(string_id_zero);
  stt_cli_result r;
  STT_CLI(&r, NULL, "check", p);
  assert_int_equal(r.rc, 1);
  /* FILE:OFFSET: RULE-ID: message, one line. */
  char prefix[128];
  snprintf(prefix, sizeof prefix, "%s:21: STRING-ID-ZERO: ", p);
  assert_memory_equal(r.out, prefix, strlen(prefix));
  size_t len = strlen(r.out);
  assert_true(len > strlen(prefix) + 1);
  assert_int_equal(r.out[len - 1], '\n');
  assert_ptr_equal(strchr(r.out, '\n'), r.out + len - 1);
  stt_bytes b = {0};
  string_id_zero(&b);
  char want[1024];
  expected_lines(want, sizeof want, p, &b, ST_MODE_STRICT);
  assert_string_equal(r.out, want);
  stt_free(&b);
  stt_cli_result_free(&r);

  /* -q: only the exit status. */
  STT_CLI(&r, NULL, "check", "-q", p);
  assert_int_equal(r.rc, 1);
  assert_string_equal(r.out, "");
  stt_cli_result_free(&r);
}

static void test_check_lines_in_file_order(void **state) {
  (void)state;
  const char *p = stt_temp_trace(two_problems);
  stt_cli_result r;
  STT_CLI(&r, NULL, "check", p);
  assert_int_equal(r.rc, 1);
  char l1[128], l2[128];
  snprintf(l1, sizeof l1, "%s:21: STRING-ID-ZERO: ", p);
  snprintf(l2, sizeof l2, "\n%s:25: STRING-EMPTY: ", p);
  assert_memory_equal(r.out, l1, strlen(l1));
  assert_non_null(strstr(r.out, l2));
  stt_bytes b = {0};
  two_problems(&b);
  char want[1024];
  expected_lines(want, sizeof want, p, &b, ST_MODE_STRICT);
  assert_string_equal(r.out, want);
  stt_free(&b);
  stt_cli_result_free(&r);
}

static void test_check_missing_file(void **state) {
  (void)state;
  stt_cli_result r;
  STT_CLI(&r, NULL, "check", "/nonexistent/stacktab-no-such.trace");
  assert_int_equal(r.rc, 2);
  assert_string_equal(r.out, "");
  assert_non_null(strstr(r.err, "/nonexistent/stacktab-no-such.trace"));
  stt_cli_result_free(&r);
}

static void test_check_usage_errors(void **state) {
  (void)state;
  const char *p = stt_temp_trace(valid);
  stt_cli_result r;
  STT_CLI(&r, NULL, "check", "--frob", p);
  assert_int_equal(r.rc, 2);
  assert_true(r.err[0] != '\0');
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "check", "--mode=lenient", p);
  assert_int_equal(r.rc, 2);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "check", "--buf-size=abc", p);
  assert_int_equal(r.rc, 2);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "check", "--buf-size=0", p);
  assert_int_equal(r.rc, 2);
  stt_cli_result_free(&r);
  /* No FILE. */
  STT_CLI(&r, NULL, "check");
  assert_int_equal(r.rc, 2);
  assert_true(r.err[0] != '\0');
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "check", "--werror");
  assert_int_equal(r.rc, 2);
  stt_cli_result_free(&r);
  /* No command at all, and an unknown one. */
  const char *const none[] = {NULL};
  stt_cli(&r, NULL, none);
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "usage"));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "frobnicate", p);
  assert_int_equal(r.rc, 2);
  stt_cli_result_free(&r);
}

static void test_check_several_files(void **state) {
  (void)state;
  const char *ok = stt_temp_trace(valid), *bad = stt_temp_trace(string_id_zero);
  const char *missing = "/nonexistent/stacktab-missing.trace";
  stt_cli_result r;
  STT_CLI(&r, NULL, "check", ok, ok);
  assert_int_equal(r.rc, 0);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "check", ok, bad, ok);
  assert_int_equal(r.rc, 1);
  char prefix[128];
  snprintf(prefix, sizeof prefix, "%s:21: STRING-ID-ZERO: ", bad);
  assert_memory_equal(r.out, prefix, strlen(prefix));
  assert_null(strstr(r.out, ok));
  stt_cli_result_free(&r);
  /* An I/O error outranks an invalid file; the other files are still checked. */
  STT_CLI(&r, NULL, "check", bad, missing);
  assert_int_equal(r.rc, 2);
  assert_memory_equal(r.out, prefix, strlen(prefix));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "check", missing, ok);
  assert_int_equal(r.rc, 2);
  stt_cli_result_free(&r);
}

static void test_check_werror(void **state) {
  (void)state;
  const char *p = stt_temp_trace(long_stack);
  stt_cli_result r;
  char prefix[128];
  snprintf(prefix, sizeof prefix, "%s:21: LEN-OVER-2048: warning: ", p);
  STT_CLI(&r, NULL, "check", p);
  assert_int_equal(r.rc, 0);
  assert_memory_equal(r.out, prefix, strlen(prefix));
  stt_bytes b = {0};
  long_stack(&b);
  char want[1024];
  expected_lines(want, sizeof want, p, &b, ST_MODE_STRICT);
  assert_string_equal(r.out, want);
  stt_free(&b);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "check", "--werror", p);
  assert_int_equal(r.rc, 1);
  assert_string_equal(r.out, want);
  stt_cli_result_free(&r);
  /* --werror changes nothing for a file without warnings. */
  const char *ok = stt_temp_trace(valid);
  STT_CLI(&r, NULL, "check", "--werror", ok);
  assert_int_equal(r.rc, 0);
  stt_cli_result_free(&r);
}

static void test_check_mode(void **state) {
  (void)state;
  const char *p = stt_temp_trace(dup_stack);
  stt_cli_result r;
  char prefix[128];
  snprintf(prefix, sizeof prefix, "%s:29: STACK-DUP-ID: ", p);
  STT_CLI(&r, NULL, "check", p);
  assert_int_equal(r.rc, 1);
  assert_memory_equal(r.out, prefix, strlen(prefix));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "check", "--mode=strict", p);
  assert_int_equal(r.rc, 1);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "check", "--mode=go", p);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "");
  stt_cli_result_free(&r);
  /* Rules of both modes still fail in go mode. */
  const char *bad = stt_temp_trace(string_id_zero);
  STT_CLI(&r, NULL, "check", "--mode=go", bad);
  assert_int_equal(r.rc, 1);
  stt_cli_result_free(&r);
}

static void test_check_buf_size(void **state) {
  (void)state;
  const char *p = stt_temp_trace(valid); /* one batch of 3 + 2 + 3 = 8 bytes */
  stt_cli_result r;
  STT_CLI(&r, NULL, "check", "--buf-size=8", p);
  assert_int_equal(r.rc, 0);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "check", "--buf-size=7", p);
  assert_int_equal(r.rc, 1);
  char prefix[128];
  snprintf(prefix, sizeof prefix, "%s:16: BATCH-TOO-LARGE: ", p);
  assert_memory_equal(r.out, prefix, strlen(prefix));
  stt_cli_result_free(&r);
}

static void test_check_stdin(void **state) {
  (void)state;
  const char *bad = stt_temp_trace(string_id_zero), *ok = stt_temp_trace(valid);
  stt_cli_result r;
  STT_CLI(&r, bad, "check", "-");
  assert_int_equal(r.rc, 1);
  assert_memory_equal(r.out, "-:21: STRING-ID-ZERO: ", strlen("-:21: STRING-ID-ZERO: "));
  stt_cli_result_free(&r);
  STT_CLI(&r, ok, "check", "-");
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "");
  stt_cli_result_free(&r);
  /* Empty stdin: the header is missing. */
  STT_CLI(&r, NULL, "check", "-");
  assert_int_equal(r.rc, 1);
  assert_memory_equal(r.out, "-:0: TRUNCATED: ", strlen("-:0: TRUNCATED: "));
  stt_cli_result_free(&r);
}

static void test_help_and_version(void **state) {
  (void)state;
  static const char *const cmds[] = {"check", "dump", "stats"};
  stt_cli_result r;
  for (size_t i = 0; i < 3; i++) {
    char want[64];
    snprintf(want, sizeof want, "usage: stacktab %s", cmds[i]);
    STT_CLI(&r, NULL, cmds[i], "--help");
    assert_int_equal(r.rc, 0);
    assert_memory_equal(r.out, want, strlen(want));
    stt_cli_result_free(&r);
  }
  STT_CLI(&r, NULL, "--help");
  assert_int_equal(r.rc, 0);
  assert_memory_equal(r.out, "usage: stacktab", strlen("usage: stacktab"));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "--version");
  assert_int_equal(r.rc, 0);
  assert_memory_equal(r.out, "stacktab ", strlen("stacktab "));
  assert_true(r.out[9] >= '0' && r.out[9] <= '9');
  /* The version of the headers, the library and the CLI agree. */
  assert_string_equal(r.out, "stacktab " ST_VERSION_STRING "\n");
  assert_string_equal(st_version(), ST_VERSION_STRING);
  assert_int_equal(st_version_number(), ST_VERSION_NUMBER);
  assert_int_equal(ST_VERSION_NUMBER,
                   ST_VERSION_MAJOR * 10000 + ST_VERSION_MINOR * 100 + ST_VERSION_PATCH);
  char want[32];
  snprintf(want, sizeof want, "%d.%d.%d", ST_VERSION_MAJOR, ST_VERSION_MINOR, ST_VERSION_PATCH);
  assert_string_equal(want, ST_VERSION_STRING);
  stt_cli_result_free(&r);
}

/* One event of each printed shape; offsets and values worked out by hand from these bytes. */
static void shapes(stt_bytes *b) {
  stt_header(b, ST_VER_1_19);
  RAW(b, 0x41, 0x00, 0x01);                                     /* 16 Batch p=0 ticks=1 */
  RAW(b, 0x02, 0x64);                                           /* 19 Frequency 100 */
  RAW(b, 0x25, 0x01, 0x04, 'm', 'a', 'i', 'n');                 /* 21 String 1 "main" */
  RAW(b, 0x25, 0x02, 0x04, 'a', '.', 'g', 'o');                 /* 28 String 2 "a.go" */
  RAW(b, 0x51, 0x01, 0x01);                                     /* 35 GoSched ts=1 stack=1 */
  RAW(b, 0xf0, 0x04, 0x01, 0x00, 0x00, 0x00, 0x03, 'h', 'e', 'y'); /* 38 UserLog, L=4 */
  RAW(b, 0xc3, 0x06, 0x01, 0x01, 0x10, 0x01, 0x02, 0x07);       /* 48 Stack 1, 1 frame */
}

static void test_dump_json(void **state) {
  (void)state;
  const char *p = stt_temp_trace(shapes);
  stt_cli_result r;
  STT_CLI(&r, NULL, "dump", "--json", p);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.err, "");
  assert_string_equal(r.out,
      "{\"off\":16,\"type\":\"Batch\",\"args\":[0,1]}\n"
      "{\"off\":19,\"type\":\"Frequency\",\"args\":[100]}\n"
      "{\"off\":21,\"type\":\"String\",\"id\":1,\"str\":\"main\"}\n"
      "{\"off\":28,\"type\":\"String\",\"id\":2,\"str\":\"a.go\"}\n"
      "{\"off\":35,\"type\":\"GoSched\",\"args\":[1,1]}\n"
      "{\"off\":38,\"type\":\"UserLog\",\"args\":[1,0,0,0],\"str\":\"hey\"}\n"
      "{\"off\":48,\"type\":\"Stack\",\"id\":1,\"frames\":[{\"pc\":16,\"fn\":\"main\","
      "\"file\":\"a.go\",\"line\":7}]}\n");
  stt_cli_result_free(&r);
}

static void test_dump_text(void **state) {
  (void)state;
  const char *p = stt_temp_trace(shapes);
  stt_cli_result r;
  for (int from_stdin = 0; from_stdin < 2; from_stdin++) {
    if (from_stdin)
      STT_CLI(&r, p, "dump", "-");
    else
      STT_CLI(&r, NULL, "dump", p);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out,
        "16 Batch 0 1\n"
        "19 Frequency 100\n"
        "21 String id=1 \"main\"\n"
        "28 String id=2 \"a.go\"\n"
        "35 GoSched 1 1\n"
        "38 UserLog 1 0 0 0 \"hey\"\n"
        "48 Stack id=1 frames=1\n"
        "    0x10 \"main\" \"a.go\":7\n");
    stt_cli_result_free(&r);
  }
}

/* A regular file is pushed from memory maps of 64 pushes at a time, a pipe is read: the same
 * output and status either way, with windows small enough (100- and 4096-byte pushes) that
 * events straddle many of them, on real traces of both formats and a copy cut short. */
static void test_file_mapped_or_read(void **state) {
  (void)state;
  static const char *own[] = {"go1.19-own-varied.trace", "go1.23-own-varied.trace"};
  static const char *chunks[] = {"--chunk-size=100", "--chunk-size=4096", "--chunk-size=65536"};
  for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/corpus/own/%s", ST_SOURCE_DIR, own[i]);
    size_t n;
    uint8_t *p = stt_read_file(path, &n);
    assert_non_null(p);
    const char *cut = stt_temp_with(p, n - n / 3);
    const char *files[] = {path, cut};
    for (size_t f = 0; f < 2; f++) {
      for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        stt_cli_result mapped, piped;
        STT_CLI(&mapped, NULL, "dump", "--json", chunks[c], files[f]);
        STT_CLI_PIPED(&piped, files[f], "dump", "--json", chunks[c], "-");
        assert_int_equal(mapped.rc, f == 0 ? 0 : 1);
        assert_int_equal(piped.rc, mapped.rc);
        assert_true(strlen(mapped.out) > 1000);
        assert_string_equal(piped.out, mapped.out);
        /* stderr names the file or "-" */
        assert_int_equal(strlen(piped.err) > 0, strlen(mapped.err) > 0);
        stt_cli_result_free(&mapped);
        stt_cli_result_free(&piped);
      }
    }
    free(p);
  }
  /* An empty regular file is not mapped (nothing to map): read, the header is missing. */
  const char *empty = stt_temp_with("", 0);
  stt_cli_result mapped, piped;
  STT_CLI(&mapped, NULL, "check", empty);
  STT_CLI_PIPED(&piped, empty, "check", "-");
  assert_int_equal(mapped.rc, 1);
  assert_int_equal(piped.rc, 1);
  assert_non_null(strstr(mapped.out, "TRUNCATED"));
  assert_non_null(strstr(piped.out, "TRUNCATED"));
  stt_cli_result_free(&mapped);
  stt_cli_result_free(&piped);
}

static void test_dump_invalid_and_usage(void **state) {
  (void)state;
  const char *p = stt_temp_trace(string_id_zero);
  stt_cli_result r;
  STT_CLI(&r, NULL, "dump", "--json", p);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.err, ":21: STRING-ID-ZERO: "));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "dump");
  assert_int_equal(r.rc, 2);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "dump", p, p);
  assert_int_equal(r.rc, 2);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "stats", "--bogus", p);
  assert_int_equal(r.rc, 2);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "stats", "/nonexistent/x.trace");
  assert_int_equal(r.rc, 2);
  stt_cli_result_free(&r);
}

/* Output that cannot be written is an I/O error (exit 2), not a silent success. */
static void test_dump_to_full_disk(void **state) {
  (void)state;
  if (access("/dev/full", W_OK) != 0) {
    printf("SKIP: no /dev/full\n");
    return;
  }
  const char *p = stt_temp_trace(shapes);
  fflush(stdout);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int fd = open("/dev/full", O_WRONLY);
    int nul = open("/dev/null", O_WRONLY);
    if (fd < 0 || nul < 0 || dup2(fd, 1) < 0 || dup2(nul, 2) < 0) _exit(127);
    execl(ST_CLI_PATH, ST_CLI_PATH, "dump", "--json", p, (char *)NULL);
    _exit(126);
  }
  int st = 0;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 2);
}

static void test_stats(void **state) {
  (void)state;
  const char *p = stt_temp_trace(shapes);
  stt_cli_result r;
  STT_CLI(&r, NULL, "stats", p);
  assert_int_equal(r.rc, 0);
  static const char *const want[] = {
      "header          go 1.19 trace\n",
      "events          7\n",
      "batches         1\n",
      "strings         2\n",
      "stacks          1\n",
      "frames          1\n",
      "stack lengths   1 minimal, 0 padded; by width: 1:1\n",
      "largest stack   8 bytes (payload 6), 1 frames, at offset 48\n",
      "largest batch   40 bytes, at offset 16\n",
      "bytes           header 16, batch headers 3, strings 14, stacks 8, other events 15\n",
      "String                        2           14\n",
      "UserLog                       1           10\n",
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    if (!strstr(r.out, want[i])) fail_msg("stats output lacks: %s\n%s", want[i], r.out);
  stt_cli_result_free(&r);
}

/* Two batches, two strings, a stack with a padded 10-byte length and one with a minimal one,
 * and a bare Frequency after the stacks (outside any batch, as Go 1.19 writes it):
 *   16 Batch p=0 (3)   19 String 1 "main" (7)   26 String 2 "a.go" (7)
 *   33 Batch p=1 (3)   36 Stack 1, length 6 padded to 10 bytes (1+10+6 = 17)
 *   53 Stack 2, length 6 minimal (8)   61 Frequency 100 (2)   63 Batch p=2, empty (3)   66 end */
static void two_of_each(stt_bytes *b) {
  stt_header(b, ST_VER_1_19);
  RAW(b, 0x41, 0x00, 0x01);
  stt_string(b, 1, "main");
  stt_string(b, 2, "a.go");
  RAW(b, 0x41, 0x01, 0x02);
  stt_byte(b, 0xc3);
  stt_uvw(b, 6, 10);
  RAW(b, 0x01, 0x01, 0x10, 0x01, 0x02, 0x07);
  RAW(b, 0xc3, 0x06, 0x02, 0x01, 0x10, 0x01, 0x02, 0x07);
  RAW(b, 0x02, 0x64);
  RAW(b, 0x41, 0x02, 0x03);
}

/* `stats` counts batches, both length encodings and byte shares as worked out above by hand;
 * the bare Frequency belongs to no batch, so the largest batch is the second (3 + 17 + 8), ahead
 * of the first (17) and the last (3). An inline EvStack, which go mode accepts, has no length
 * to count. Reading from stdin gives the same numbers. */
static void test_stats_batches_and_padding(void **state) {
  (void)state;
  const char *p = stt_temp_trace(two_of_each);
  stt_cli_result r;
  STT_CLI(&r, NULL, "stats", p);
  assert_int_equal(r.rc, 0);
  static const char *const want[] = {
      "events          8\n",
      "batches         3\n",
      "strings         2\n",
      "stacks          2\n",
      "frames          2\n",
      "stack lengths   1 minimal, 1 padded; by width: 1:1 10:1\n",
      "largest stack   17 bytes (payload 6), 1 frames, at offset 36\n",
      "largest batch   28 bytes, at offset 33\n",
      "bytes           header 16, batch headers 9, strings 14, stacks 25, other events 2\n",
  };
  for (int from_stdin = 0; from_stdin < 2; from_stdin++) {
    if (from_stdin) STT_CLI(&r, p, "stats", "--mode=go", "-");
    assert_int_equal(r.rc, 0);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
      if (!strstr(r.out, want[i])) fail_msg("stats output lacks: %s\n%s", want[i], r.out);
    assert_string_equal(r.err, "");
    stt_cli_result_free(&r);
  }
  /* 16 Batch, 19 Frequency, 21 Stack 3 inline with no frames (0x43: two inline arguments). */
  static const uint8_t inline_stack[] = {0x41, 0x00, 0x01, 0x02, 0x64, 0x43, 0x03, 0x00};
  stt_bytes b = {0};
  stt_header(&b, ST_VER_1_19);
  stt_put(&b, inline_stack, sizeof inline_stack);
  p = stt_temp_with(b.p, b.len);
  stt_free(&b);
  STT_CLI(&r, NULL, "stats", "--mode=go", p);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "stacks          1\n"));
  assert_non_null(strstr(r.out, "stack lengths   0 minimal, 0 padded; by width:\n"));
  stt_cli_result_free(&r);
}

/* `stats` on input it rejects still prints what it saw, the diagnostics go to stderr and the
 * exit status is 1; with no readable header there is no "header" line at all. */
static void test_stats_invalid(void **state) {
  (void)state;
  const char *p = stt_temp_trace(string_id_zero);
  stt_cli_result r;
  STT_CLI(&r, NULL, "stats", p);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.err, ":21: STRING-ID-ZERO: "));
  assert_non_null(strstr(r.out, "header          go 1.19 trace\n"));
  stt_cli_result_free(&r);
  const char *empty = stt_temp_with("", 0);
  STT_CLI(&r, NULL, "stats", empty);
  assert_int_equal(r.rc, 1);
  assert_null(strstr(r.out, "header          go"));
  assert_non_null(strstr(r.out, "events          0\n"));
  assert_non_null(strstr(r.err, ":0: "));
  stt_cli_result_free(&r);
}

/* Every command that takes decoder options refuses a malformed number the same way (exit 2,
 * the option named on stderr, nothing on stdout), and their usage errors exit 2. */
static void test_option_values_refused(void **state) {
  (void)state;
  const char *p = stt_temp_trace(valid);
  static const char *const cmds[] = {"check", "dump", "stats"};
  static const struct {
    const char *arg, *mentions;
  } bad[] = {
      {"--buf-size=", "--buf-size"},
      {"--buf-size=-1", "--buf-size"},
      {"--max-strings=+5", "--max-strings"},
      {"--max-string-bytes=0", "--max-string-bytes"},
      {"--max-stacks=99999999999999999999999", "--max-stacks"}, /* over 2^64 */
      {"--chunk-size=12k", "--chunk-size"},
      {"--mode=", "--mode"},
  };
  for (size_t c = 0; c < 3; c++)
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
      stt_cli_result r;
      STT_CLI(&r, NULL, cmds[c], bad[i].arg, p);
      if (r.rc != 2 || !strstr(r.err, bad[i].mentions) || r.out[0])
        fail_msg("%s %s: rc %d, stderr: %s", cmds[c], bad[i].arg, r.rc, r.err);
      stt_cli_result_free(&r);
    }
  /* An option that only starts like a known one is unknown, not a bad value of it. */
  stt_cli_result r;
  STT_CLI(&r, NULL, "check", "--modes=go", p);
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "unknown option '--modes=go'"));
  stt_cli_result_free(&r);
  /* stats: no FILE, two FILEs, --help. */
  STT_CLI(&r, NULL, "stats");
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "no FILE"));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "stats", p, p);
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "unexpected argument"));
  stt_cli_result_free(&r);
  static const char *const helps[] = {"check", "dump", "stats"};
  for (size_t c = 0; c < 3; c++) {
    STT_CLI(&r, NULL, helps[c], "-h");
    assert_int_equal(r.rc, 0);
    char want[64];
    snprintf(want, sizeof want, "usage: stacktab %s", helps[c]);
    if (!strstr(r.out, want) || !strstr(r.out, "--max-stacks=N")) fail_msg("%s -h: %s", helps[c], r.out);
    stt_cli_result_free(&r);
  }
  static const char *const top_helps[] = {"help", "-h"};
  for (size_t c = 0; c < 2; c++) {
    STT_CLI(&r, NULL, top_helps[c]);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "usage"));
    stt_cli_result_free(&r);
  }
}

/* The table limits reach the decoder: each cuts at the event that would cross it (offsets from
 * two_of_each), the rule is LIMIT-STRINGS or LIMIT-STACKS, and the exit status is 1. */
static void test_limit_options(void **state) {
  (void)state;
  const char *p = stt_temp_trace(two_of_each);
  static const struct {
    const char *arg;
    const char *line; /* after "FILE:" */
  } cases[] = {
      {"--max-strings=1", "26: LIMIT-STRINGS: "},
      {"--max-string-bytes=7", "26: LIMIT-STRINGS: "}, /* "main" + "a.go" = 8 bytes */
      {"--max-stacks=1", "53: LIMIT-STACKS: "},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    stt_cli_result r;
    STT_CLI(&r, NULL, "check", cases[i].arg, p);
    char want[128];
    snprintf(want, sizeof want, "%s:%s", p, cases[i].line);
    if (r.rc != 1 || strncmp(r.out, want, strlen(want)) != 0)
      fail_msg("%s: rc %d, out: %s", cases[i].arg, r.rc, r.out);
    stt_cli_result_free(&r);
  }
  /* At exactly the sizes the file needs, nothing is cut. */
  stt_cli_result r;
  STT_CLI(&r, NULL, "check", "--max-strings=2", "--max-string-bytes=8", "--max-stacks=2", p);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "");
  stt_cli_result_free(&r);
}

/* I/O failures are exit 2 with the path and the reason: a directory opens but cannot be read,
 * and a push buffer the machine cannot allocate is refused before any decoding. */
static void test_read_errors(void **state) {
  (void)state;
  char dir[] = "/tmp/stacktab-cli-dir-XXXXXX";
  assert_non_null(mkdtemp(dir));
  static const char *const cmds[] = {"check", "dump", "stats", "encode"};
  for (size_t c = 0; c < 4; c++) {
    stt_cli_result r;
    STT_CLI(&r, NULL, cmds[c], dir);
    if (r.rc != 2 || !strstr(r.err, dir) || !strstr(r.err, "read error"))
      fail_msg("%s DIR: rc %d, stderr: %s", cmds[c], r.rc, r.err);
    stt_cli_result_free(&r);
  }
  rmdir(dir);
  const char *p = stt_temp_trace(valid);
  stt_cli_result r;
  STT_CLI(&r, NULL, "check", "--chunk-size=18446744073709551615", p);
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "out of memory"));
  stt_cli_result_free(&r);
}

/* After `--` every argument is a FILE, even one that looks like an option: "-x" is then a
 * missing file (exit 2, named), not an unknown option. -q prints nothing, not even problems,
 * and only the exit status tells. */
static void test_check_double_dash_and_quiet(void **state) {
  (void)state;
  const char *good = stt_temp_trace(valid), *bad = stt_temp_trace(string_id_zero);
  stt_cli_result r;
  STT_CLI(&r, NULL, "check", "--", "-x", good);
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "stacktab: -x: "));
  assert_null(strstr(r.err, "unknown option"));
  stt_cli_result_free(&r);
  static const char *const quiet[] = {"-q", "--quiet"};
  for (size_t i = 0; i < 2; i++) {
    STT_CLI(&r, NULL, "check", quiet[i], good, bad);
    assert_int_equal(r.rc, 1);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "");
    stt_cli_result_free(&r);
  }
}

/* Options are parsed as Unix tools parse them (getopt_long): `--opt VALUE` as well as
 * `--opt=VALUE`, bundled short flags (-qw), `--` ending the options, options after the
 * operands; and a missing value, a value given to a flag, an unknown flag inside a bundle are
 * usage errors (exit 2) that name the option. Before 0.2.0 `--mode go` and `-qw` were refused. */
static void test_option_forms(void **state) {
  (void)state;
  const char *dup = stt_temp_trace(dup_stack), *warn = stt_temp_trace(long_stack),
             *ok = stt_temp_trace(valid);
  stt_cli_result r;
  /* --mode go == --mode=go: the duplicate stack ID is accepted in go mode only. */
  static const char *const go_forms[][3] = {
      {"--mode", "go", NULL}, {"--mode=go", NULL, NULL}};
  for (size_t i = 0; i < 2; i++) {
    const char *args[6] = {"check"};
    size_t n = 1;
    for (size_t k = 0; go_forms[i][k]; k++) args[n++] = go_forms[i][k];
    args[n++] = dup;
    args[n] = NULL;
    stt_cli(&r, NULL, args);
    if (r.rc != 0 || r.out[0] || r.err[0]) fail_msg("form %zu: rc %d, %s%s", i, r.rc, r.out, r.err);
    stt_cli_result_free(&r);
    /* The same options after the operand. */
    const char *after[6] = {"check", dup};
    n = 2;
    for (size_t k = 0; go_forms[i][k]; k++) after[n++] = go_forms[i][k];
    after[n] = NULL;
    stt_cli(&r, NULL, after);
    if (r.rc != 0 || r.out[0] || r.err[0]) fail_msg("form %zu after FILE: rc %d, %s%s", i, r.rc, r.out, r.err);
    stt_cli_result_free(&r);
  }
  STT_CLI(&r, NULL, "check", "--mode", "strict", dup);
  assert_int_equal(r.rc, 1);
  stt_cli_result_free(&r);
  /* --buf-size 7 (separate value) makes the 8-byte batch too large, as --buf-size=7 does. */
  STT_CLI(&r, NULL, "check", "--buf-size", "7", ok);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, "BATCH-TOO-LARGE"));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "stats", ok, "--buf-size", "7");
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.err, "BATCH-TOO-LARGE"));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "dump", ok, "--json", "--buf-size", "7");
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, "{\"off\":16,"));
  stt_cli_result_free(&r);
  /* -qw, -wq, -q -w, --quiet --werror, -w and -q after the file: a warning fails, silently. */
  static const char *const bundles[][3] = {
      {"-qw", NULL, NULL}, {"-wq", NULL, NULL}, {"-q", "-w", NULL}, {"--quiet", "--werror", NULL}};
  for (size_t i = 0; i < 4; i++) {
    const char *args[6] = {"check"};
    size_t n = 1;
    for (size_t k = 0; bundles[i][k]; k++) args[n++] = bundles[i][k];
    args[n++] = warn;
    args[n] = NULL;
    stt_cli(&r, NULL, args);
    if (r.rc != 1 || r.out[0] || r.err[0]) fail_msg("bundle %zu: rc %d, %s%s", i, r.rc, r.out, r.err);
    stt_cli_result_free(&r);
  }
  STT_CLI(&r, NULL, "check", warn, "-w");
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, "LEN-OVER-2048: warning: "));
  stt_cli_result_free(&r);
  /* Without -w the warning is printed and the trace is valid. */
  STT_CLI(&r, NULL, "check", warn);
  assert_int_equal(r.rc, 0);
  stt_cli_result_free(&r);
  /* `--` ends the options: "-q" after it is a FILE (missing: exit 2, named). */
  STT_CLI(&r, NULL, "check", "-w", "--", "-q");
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "stacktab: -q: "));
  stt_cli_result_free(&r);
  /* Usage errors name the option. */
  const struct {
    const char *args[4], *mentions;
  } bad[] = {
      {{"check", ok, "--mode"}, "stacktab check: option '--mode' needs a value"},
      {{"stats", ok, "--max-stacks"}, "stacktab stats: option '--max-stacks' needs a value"},
      {{"check", "-qx", ok}, "stacktab check: unknown option '-x'"},
      {{"check", "-xq", ok}, "stacktab check: unknown option '-x'"},
      {{"check", "--quiet=1", ok}, "stacktab check: option '--quiet' takes no value"},
      {{"dump", "--json=yes", ok}, "stacktab dump: option '--json' takes no value"},
      {{"dump", ok, "--frob"}, "stacktab dump: unknown option '--frob'"},
      {{"check", "--mode", "lenient", ok}, "--mode must be strict or go, not 'lenient'"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    const char *args[6];
    size_t n = 0;
    for (size_t k = 0; k < 4 && bad[i].args[k]; k++) args[n++] = bad[i].args[k];
    args[n] = NULL;
    stt_cli(&r, NULL, args);
    if (r.rc != 2 || !strstr(r.err, bad[i].mentions) || r.out[0])
      fail_msg("case %zu: rc %d, stderr: %s", i, r.rc, r.err);
    stt_cli_result_free(&r);
  }
}

/* Trace strings are bytes, not text: `dump --json` must still print valid JSON. Quotes,
 * backslashes and control bytes are escaped, well-formed UTF-8 passes through, and every byte
 * of a malformed sequence (stray continuation, overlong form, surrogate, beyond U+10FFFF, bad
 * lead, missing or cut-off continuation) becomes \u00XX on its own. Expected text by hand. */
static const char k_odd_string[] =
    "\"\\\n\t\r\x01\x1f" "A"
    "\xc3\xa9" "\xe2\x82\xac" "\xee\x80\x80" "\xf0\x9f\x98\x80" /* é € U+E000 😀 */
    "\x80" "\xc0\xaf" "\xe0\x80\x80" "\xed\xa0\x80" "\xf4\x90\x80\x80" "\xf0\x80\x80\x80"
    "\xf5" "\xc3" "A" "\xe2\x82";
static const char k_odd_json[] =
    "\"\\\"\\\\\\n\\t\\r\\u0001\\u001fA"
    "\xc3\xa9\xe2\x82\xac\xee\x80\x80\xf0\x9f\x98\x80"
    "\\u0080\\u00c0\\u00af\\u00e0\\u0080\\u0080\\u00ed\\u00a0\\u0080"
    "\\u00f4\\u0090\\u0080\\u0080\\u00f0\\u0080\\u0080\\u0080"
    "\\u00f5\\u00c3A\\u00e2\\u0082\"";

static void odd_string(stt_bytes *b) {
  base(b);
  stt_byte(b, 0x25);
  stt_uv(b, 1);
  stt_uv(b, sizeof k_odd_string - 1);
  stt_put(b, k_odd_string, sizeof k_odd_string - 1);
}

static void test_dump_json_escapes(void **state) {
  (void)state;
  const char *p = stt_temp_trace(odd_string);
  stt_cli_result r;
  STT_CLI(&r, NULL, "dump", "--json", p);
  assert_int_equal(r.rc, 0);
  char want[256];
  snprintf(want, sizeof want, "\"str\":%s", k_odd_json);
  if (!strstr(r.out, want)) fail_msg("dump --json lacks %s\n%s", want, r.out);
  stt_cli_result_free(&r);
  /* The text dump quotes the same way. */
  STT_CLI(&r, NULL, "dump", p);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, k_odd_json));
  stt_cli_result_free(&r);
}

/* A description longer than the first 64 KiB read buffer, from stdin: it must be read whole
 * (the buffer grows), so the trace holds every one of its 6001 GoSched events. */
static void test_encode_large_stdin(void **state) {
  (void)state;
  enum { N = 6000 };
  static const char head[] = "sym 0x10 main.main /a.go 7\nstack s 0x10\nbatch 0 1\nGoSched +1 s\n";
  static const char line[] = "GoSched +1 s\n";
  size_t len = sizeof head - 1 + N * (sizeof line - 1);
  assert_true(len > (1u << 16));
  char *text = malloc(len + 1);
  assert_non_null(text);
  memcpy(text, head, sizeof head - 1);
  for (size_t i = 0; i < N; i++) memcpy(text + sizeof head - 1 + i * (sizeof line - 1), line, sizeof line - 1);
  const char *src = stt_temp_with(text, len);
  free(text);
  char out[80];
  snprintf(out, sizeof out, "%s.trace", src);
  stt_cli_result r;
  STT_CLI(&r, src, "encode", "-", "-o", out);
  assert_int_equal(r.rc, 0);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "stats", out);
  assert_int_equal(r.rc, 0);
  char want[80];
  snprintf(want, sizeof want, "\n%-20s %10d ", "GoSched", N + 1);
  if (!strstr(r.out, want)) fail_msg("stats lacks '%s':\n%s", want, r.out);
  stt_cli_result_free(&r);
  unlink(out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_check_valid, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_check_invalid_line, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_check_lines_in_file_order, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_check_missing_file, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_check_usage_errors, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_check_several_files, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_check_werror, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_check_mode, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_check_buf_size, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_check_stdin, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_file_mapped_or_read, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_help_and_version, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_dump_json, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_dump_text, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_dump_invalid_and_usage, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_dump_to_full_disk, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_stats, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_stats_batches_and_padding, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_stats_invalid, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_option_values_refused, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_limit_options, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_read_errors, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_check_double_dash_and_quiet, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_option_forms, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_dump_json_escapes, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_encode_large_stdin, stt_temps_cleanup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

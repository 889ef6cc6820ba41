/* stacktab verify-dump from the command line: the one-line report, the first difference (and
 * --all), --json, --cap and --algorithm, a trace that does not decode, stdin, exit statuses
 * and usage errors. Expected texts come from the bytes planted here and the help's contract. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_cli.h"

static const char *own(const char *name) {
  static char path[4][512];
  static int k;
  k = (k + 1) % 4;
  snprintf(path[k], sizeof path[k], "%s/corpus/own/%s", ST_SOURCE_DIR, name);
  return path[k];
}

static void test_verified(void **state) {
  (void)state;
  stt_cli_result r;
  const char *v1 = own("go1.19-own-small.trace"), *v2 = own("go1.23-own-varied.trace");
  STT_CLI(&r, NULL, "verify-dump", v1, v2);
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "go1.19-own-small.trace: legacy dump (go 1.19): capacity "));
  assert_non_null(strstr(r.out, "go1.23-own-varied.trace: v2 (go 1.23), 4 generation(s): "));
  assert_non_null(strstr(r.out, "..inf (verified at "));
  assert_string_equal(r.err, "");
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "verify-dump", "-q", v1);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.out, "");
  stt_cli_result_free(&r);
  /* From stdin. */
  STT_CLI(&r, v1, "verify-dump", "-");
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "-: legacy dump"));
  stt_cli_result_free(&r);
}

/* Events of the unmodified file, found with the decoder. */
typedef struct {
  uint64_t off[8192], len[8192];
  uint8_t type[8192], width[8192];
  size_t n;
} events;

static void on_ev(void *u, const st_event *ev) {
  events *e = u;
  if (e->n == 8192) return;
  e->off[e->n] = ev->off;
  e->len[e->n] = ev->len;
  e->type[e->n] = ev->type;
  e->width[e->n] = ev->len_width;
  e->n++;
}

/* go1.19-own-small.trace with its first two dump EvStacks' lengths padded by one byte. Sets
 * the offsets where the two stacks start in the new file, and the Frequency's. */
static const char *planted(uint64_t *k1, uint64_t *k2, uint64_t *freq) {
  size_t n;
  uint8_t *p = stt_read_file(own("go1.19-own-small.trace"), &n);
  assert_non_null(p);
  static events e;
  memset(&e, 0, sizeof e);
  st_decode_config c;
  st_decode_config_default(&c);
  c.on_event = on_ev;
  c.user = &e;
  assert_int_equal(st_decode_buffer(&c, p, n), ST_OK);
  size_t f = 0, s[2] = {0, 0}, ns = 0;
  for (size_t i = 0; i < e.n; i++)
    if (e.type[i] == ST_EV_FREQUENCY) f = i;
  for (size_t i = f; i < e.n && ns < 2; i++)
    if (e.type[i] == ST_EV_STACK) s[ns++] = i;
  assert_int_equal(ns, 2);
  stt_bytes out = {0};
  size_t at = 0;
  for (int k = 0; k < 2; k++) {
    size_t len_at = (size_t)e.off[s[k]] + 1;
    stt_put(&out, p + at, len_at - at);
    stt_uvw(&out, e.len[s[k]], e.width[s[k]] + 1u);
    at = len_at + e.width[s[k]];
  }
  stt_put(&out, p + at, n - at);
  *freq = e.off[f];
  *k1 = e.off[s[0]];
  *k2 = e.off[s[1]] + 1; /* after the first padded byte */
  const char *path = stt_temp_with(out.p, out.len);
  stt_free(&out);
  free(p);
  return path;
}

static void test_differences(void **state) {
  (void)state;
  uint64_t k1, k2, freq;
  const char *t = planted(&k1, &k2, &freq);
  char want1[700], want2[700];
  snprintf(want1, sizeof want1, "%s:%llu: DUMP-LEN-WIDTH: ", t, (unsigned long long)k1);
  snprintf(want2, sizeof want2, "%s:%llu: DUMP-LEN-WIDTH: ", t, (unsigned long long)k2);
  stt_cli_result r;
  STT_CLI(&r, NULL, "verify-dump", t);
  assert_int_equal(r.rc, 1);
  assert_ptr_equal(strstr(r.out, want1), r.out); /* the first difference only */
  assert_ptr_equal(strchr(r.out, '\n'), r.out + strlen(r.out) - 1); /* one line */
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "verify-dump", "--all", t);
  assert_int_equal(r.rc, 1);
  assert_ptr_equal(strstr(r.out, want1), r.out);
  assert_non_null(strstr(r.out, want2));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "verify-dump", "--json", t);
  assert_int_equal(r.rc, 1);
  char wantj[200];
  snprintf(wantj, sizeof wantj, "\"problems\":[{\"off\":%llu,\"id\":\"DUMP-LEN-WIDTH\",",
           (unsigned long long)k1);
  assert_non_null(strstr(r.out, wantj));
  assert_non_null(strstr(r.out, "\"format\":1,\"version\":1019,\"algorithm\":\"legacy\""));
  assert_null(strstr(r.out, "}},{")); /* one problem listed */
  stt_cli_result_free(&r);
  /* The unmodified legacy trace against the direct algorithm: its bare Frequency comes first. */
  const char *orig = own("go1.19-own-small.trace");
  STT_CLI(&r, NULL, "verify-dump", "--algorithm=direct", orig);
  assert_int_equal(r.rc, 1);
  char wantf[700];
  snprintf(wantf, sizeof wantf, "%s:%llu: DUMP-FREQ: ", orig, (unsigned long long)freq);
  assert_ptr_equal(strstr(r.out, wantf), r.out);
  stt_cli_result_free(&r);
  /* At a capacity far below the file's flush points: records past the room check. */
  STT_CLI(&r, NULL, "verify-dump", "--cap=100", orig);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, ": DUMP-ROOM: "));
  stt_cli_result_free(&r);
}

/* A trace that does not decode is reported as check reports it. */
static void test_not_decoding(void **state) {
  (void)state;
  size_t n;
  uint8_t *p = stt_read_file(own("go1.19-own-small.trace"), &n);
  const char *t = stt_temp_with(p, 2500); /* cut inside an event */
  free(p);
  stt_cli_result r;
  STT_CLI(&r, NULL, "verify-dump", t);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, ": TRUNCATED: "));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "verify-dump", "--json", t);
  assert_int_equal(r.rc, 1);
  assert_non_null(strstr(r.out, "\"id\":\"TRUNCATED\""));
  stt_cli_result_free(&r);
}

static void test_usage(void **state) {
  (void)state;
  stt_cli_result r;
  STT_CLI(&r, NULL, "verify-dump");
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "no FILE given"));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "verify-dump", "--algorithm=v3", own("go1.19-own-small.trace"));
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "--algorithm must be legacy or direct"));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "verify-dump", "--cap", "0", own("go1.19-own-small.trace"));
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "--cap needs a positive whole number"));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "verify-dump", "--mode=loose", own("go1.19-own-small.trace"));
  assert_int_equal(r.rc, 2);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "verify-dump", "--bogus", own("go1.19-own-small.trace"));
  assert_int_equal(r.rc, 2);
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "verify-dump", "/nonexistent/t.trace");
  assert_int_equal(r.rc, 2);
  assert_non_null(strstr(r.err, "/nonexistent/t.trace"));
  stt_cli_result_free(&r);
  STT_CLI(&r, NULL, "verify-dump", "--help");
  assert_int_equal(r.rc, 0);
  assert_non_null(strstr(r.out, "usage: stacktab verify-dump"));
  assert_non_null(strstr(r.out, "DUMP-FLUSH-EARLY"));
  stt_cli_result_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_verified, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_differences, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_not_decoding, stt_temps_cleanup),
      cmocka_unit_test_teardown(test_usage, stt_temps_cleanup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Every allocation of a CLI run failing in turn (an LD_PRELOAD shim, shim/st_failmalloc.c,
 * fails the Nth malloc/calloc/realloc of the process once): encode (v1 and v2, with --list),
 * verify-dump (v1 and v2), stats, check and dump. Whatever allocation fails, the CLI ends
 * normally (no signal) with exit 1 or 2 and says why on stderr ("out of memory", or the C
 * library's "Cannot allocate memory" for a stream it could not open), or - when the failure
 * hit a buffer the C library can do without - writes exactly what the unfailing run writes.
 * Skipped when the shim does not take the CLI's allocations (sanitizer builds bring their own
 * malloc). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "st_test_cli.h"

typedef struct {
  int rc; /* exit status; -1: killed by a signal */
  int fired;
  char *out, *err;
} run_t;

static char *slurp(const char *path) {
  size_t n;
  uint8_t *p = stt_read_file(path, &n);
  char *s = calloc(n + 1, 1);
  if (p) memcpy(s, p, n);
  free(p);
  return s;
}

/* Runs the CLI with `args` (already shell-quoted), failing allocation n (0: none). */
static void run(run_t *r, const char *args, long n) {
  static char out[64], err[64], mark[64];
  snprintf(out, sizeof out, "/tmp/st-oom-%ld.out", (long)getpid());
  snprintf(err, sizeof err, "/tmp/st-oom-%ld.err", (long)getpid());
  snprintf(mark, sizeof mark, "/tmp/st-oom-%ld.mark", (long)getpid());
  unlink(mark);
  char cmd[4096];
  snprintf(cmd, sizeof cmd,
           "ST_FAIL_ALLOC=%ld ST_FAIL_ALLOC_MARK='%s' LD_PRELOAD='%s' '%s' %s >'%s' 2>'%s'", n,
           mark, ST_FAILMALLOC_PATH, ST_CLI_PATH, args, out, err);
  int st = system(cmd);
  r->rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r->fired = access(mark, F_OK) == 0;
  r->out = slurp(out);
  r->err = slurp(err);
  unlink(out);
  unlink(err);
  unlink(mark);
}

static void run_free(run_t *r) {
  free(r->out);
  free(r->err);
}

enum {
  /* encode keeps the trace in memory until the end: a failure to grow that buffer is the
   * writer's output failing ("writer: output failed" / "footer: output failed"). */
  OUTPUT_FAILED = 1,
  /* stats of a v2 trace: a failure to grow the per-generation table loses that row (and the
   * "generations" count with it) but nothing else (stats_v2.c). */
  LOST_ROW = 2,
};

/* Each line of `part` is a line of `whole`, in order, except a "generations" line. */
static int lost_rows_only(const char *part, const char *whole) {
  const char *w = whole;
  for (const char *p = part; *p;) {
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p + 1) : strlen(p);
    if (strncmp(p, "generations ", 12) != 0) {
      const char *f = w;
      while (*f && strncmp(f, p, n)) {
        const char *nl = strchr(f, '\n');
        f = nl ? nl + 1 : f + strlen(f);
      }
      if (!*f) return 0;
      w = f + n;
    }
    p += n;
  }
  return 1;
}

/* The walk: the unfailing run (exit `want_rc`), then allocation 1, 2, ... failing until a run
 * meets no failure. Returns the number of allocations walked. */
static long walk(const char *args, int want_rc, int allow) {
  run_t ref;
  run(&ref, args, 0);
  if (ref.rc != want_rc) fail_msg("%s: exit %d: %s", args, ref.rc, ref.err);
  long n;
  for (n = 1;; n++) {
    run_t r;
    run(&r, args, n);
    if (!r.fired) {
      assert_int_equal(r.rc, want_rc);
      assert_string_equal(r.out, ref.out);
      run_free(&r);
      break;
    }
    int said = strstr(r.err, "out of memory") || strstr(r.err, "Cannot allocate memory") ||
               ((allow & OUTPUT_FAILED) && strstr(r.err, ": output failed\n"));
    int same = r.rc == want_rc && !strcmp(r.out, ref.out) && !strcmp(r.err, ref.err);
    int lost = (allow & LOST_ROW) && r.rc == want_rc && !*r.err && lost_rows_only(r.out, ref.out);
    if (r.rc < 0 || !(same || lost || ((r.rc == 1 || r.rc == 2) && said)))
      fail_msg("%s, allocation %ld failing: exit %d, stderr: %s", args, n, r.rc, r.err);
    run_free(&r);
  }
  run_free(&ref);
  return n - 1;
}

static int g_preload_ok;

static int setup(void **state) {
  (void)state;
  /* The shim must take the CLI's allocations: not so where the CLI brings its own malloc
   * (ASan's, in the executable, comes before any preloaded library). */
  char args[600];
  snprintf(args, sizeof args, "check '%s/corpus/own/go1.19-own-small.trace'", ST_SOURCE_DIR);
  run_t r;
  run(&r, args, 1);
  g_preload_ok = r.fired;
  if (!g_preload_ok) print_message("the shim does not take the CLI's allocations here: skipped\n");
  run_free(&r);
  return 0;
}

static const char k_v2[] =
    "header 1.23\n"
    "preregister on\n"
    "sym 0x10 main.main /a.go 7\n"
    "sym 0x10 main.inl /a.go 9\n"
    "sym 0x20 main.work /b.go 3\n"
    "stack s 0x10\n"
    "stack w 0x20 0x10\n"
    "stack e\n"
    "string \"early\"\n"
    "batch 1 100\n"
    "UserLog +1 0 \"key\" \"message\" s\n"
    "GoCreate +1 2 w s\n"
    "batch 2 150\n" /* hands the first event batch out: its offset is noted */
    "HeapAlloc +1 5\n"
    "cpusample 101 1 2 3 s\n"
    "generation\n"
    "batch 1 200\n"
    "UserLog +1 0 \"key\" \"message\" w\n"
    "cpusample 201 1 2 3 e\n";

static const char k_v1[] =
    "header 1.19\n"
    "sym 0x10 main.main /a.go 7\n"
    "stack s 0x10\n"
    "seed 5 \"seeded\"\n"
    "next-string-id 10\n"
    "batch 1 100\n"
    "string \"task\"\n"
    "GoSched +1 s\n";

static void test_encode(void **state) {
  (void)state;
  if (!g_preload_ok) return;
  const char *v2 = stt_temp_with(k_v2, sizeof k_v2 - 1), *v1 = stt_temp_with(k_v1, sizeof k_v1 - 1);
  char args[1024];
  snprintf(args, sizeof args, "encode '%s' -o '%s.trace' --list '%s.list'", v2, v2, v2);
  assert_true(walk(args, 0, OUTPUT_FAILED) > 20);
  snprintf(args, sizeof args, "encode '%s' --list '%s.list'", v1, v1);
  assert_true(walk(args, 0, OUTPUT_FAILED) > 10);
  /* From stdin. */
  snprintf(args, sizeof args, "encode - <'%s'", v1);
  assert_true(walk(args, 0, OUTPUT_FAILED) > 10);
  /* 257 tokens, the last (index 256, where the token array grows past its first 256) a
   * quoted one: header 1.23 (2), generation (1), 127 times string "sNNN" (2 each). */
  char text[4096];
  size_t n = (size_t)snprintf(text, sizeof text, "header 1.23\ngeneration\n");
  for (int i = 0; i < 127; i++) n += (size_t)snprintf(text + n, sizeof text - n, "string \"s%03d\"\n", i);
  const char *many = stt_temp_with(text, n);
  snprintf(args, sizeof args, "encode '%s' -o /dev/null", many);
  assert_true(walk(args, 0, OUTPUT_FAILED) > 5);
  stt_temps_cleanup(NULL);
}

static void test_readers(void **state) {
  (void)state;
  if (!g_preload_ok) return;
  char v1[512], v2[512], args[1200];
  snprintf(v1, sizeof v1, "%s/corpus/own/go1.19-own-small.trace", ST_SOURCE_DIR);
  snprintf(v2, sizeof v2, "%s/corpus/own/go1.23-own-small.trace", ST_SOURCE_DIR);
  snprintf(args, sizeof args, "verify-dump '%s' '%s'", v1, v2);
  assert_true(walk(args, 0, 0) > 20);
  snprintf(args, sizeof args, "verify-dump --json - <'%s'", v2);
  assert_true(walk(args, 0, 0) > 10);
  snprintf(args, sizeof args, "stats '%s'", v2);
  assert_true(walk(args, 0, LOST_ROW) > 5);
  snprintf(args, sizeof args, "stats '%s'", v1);
  assert_true(walk(args, 0, 0) > 5);
  snprintf(args, sizeof args, "check '%s'", v2);
  assert_true(walk(args, 0, 0) > 5);
  snprintf(args, sizeof args, "dump --json '%s'", v1);
  assert_true(walk(args, 0, 0) > 5);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_encode),
      cmocka_unit_test(test_readers),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}

/* The decoder on real traces from Go runtimes (../shared/corpus/real): accepted in both modes,
 * the same output for every chunk size, and every damaged copy handled without a crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_util.h"

#define MAX_TRACES 64
static char g_paths[MAX_TRACES][512];
static int g_ntraces;

static int setup(void **state) {
  (void)state;
  g_ntraces = stt_real_traces(g_paths, MAX_TRACES);
  return 0;
}

static int need_corpus(void) {
  if (g_ntraces > 0) return 1;
  printf("SKIP: no real traces in %s\n", ST_SHARED_CORPUS);
  return 0;
}

/* The counts the corpus README lists for each file, measured by an independent walk. */
typedef struct {
  const char *name;
  size_t events, stacks, strings, frames;
} expected_counts;

static const expected_counts k_expected[] = {
  {"go1.11-http.trace", 133, 18, 55, 75},
  {"go1.19-http.trace", 2442, 165, 261, 1251},
  {"go1.19-stress-start-stop.trace", 1315, 43, 64, 116},
  {"go1.19-stress.trace", 85521, 117, 187, 596},
  {"go1.19-user-task-region.trace", 106, 22, 43, 49},
  {"go1.20-small.trace", 151, 16, 41, 32},
  {"go1.20-stress-start-stop.trace", 1238, 32, 57, 75},
  {"go1.20-stress.trace", 179174, 119, 202, 652},
  {"go1.21-http.trace", 938, 27, 67, 121},
  {"go1.21-task.trace", 62, 12, 27, 20},
  {"go1.21-user-task-region.trace", 111, 25, 42, 53},
};

typedef struct {
  size_t events, stacks, strings, frames;
} counts;

static void count_event(void *user, const st_event *ev) {
  counts *c = user;
  c->events++;
  if (ev->type == ST_EV_STACK) {
    c->stacks++;
    c->frames += ev->nframes;
  }
  if (ev->type == ST_EV_STRING) c->strings++;
}

/* A decode that keeps only what the damage tests check: faster than stt_decode's full text. */
typedef struct {
  size_t ndiags;
  int bad_diag;
  uint64_t max_off;
} diag_summary;

static void summarise_diag(void *user, const st_diag *d) {
  diag_summary *s = user;
  s->ndiags++;
  if (d->rule <= ST_RULE_NONE || d->rule >= ST_RULE_COUNT || !d->message[0]) s->bad_diag = 1;
  if (d->off > s->max_off) s->max_off = d->off;
}

static st_status decode_summary(const uint8_t *data, size_t len, st_mode mode, diag_summary *s) {
  st_decode_config cfg;
  st_decode_config_default(&cfg);
  cfg.mode = mode;
  cfg.on_diag = summarise_diag;
  cfg.user = s;
  memset(s, 0, sizeof *s);
  return st_decode_buffer(&cfg, data, len);
}

static void accepted_in_both_modes(void **state) {
  (void)state;
  if (!need_corpus()) return;
  for (int i = 0; i < g_ntraces; i++) {
    size_t len;
    uint8_t *data = stt_read_file(g_paths[i], &len);
    assert_non_null(data);
    for (int mode = ST_MODE_STRICT; mode <= ST_MODE_GO; mode++) {
      stt_run r;
      stt_decode(&r, data, len, 0, (st_mode)mode);
      if (r.status != ST_OK || r.ndiags != 0)
        fail_msg("%s (mode %d): %s", g_paths[i], mode, r.text);
      stt_run_free(&r);
    }
    const char *base = strrchr(g_paths[i], '/') + 1;
    for (size_t k = 0; k < sizeof k_expected / sizeof k_expected[0]; k++) {
      if (strcmp(base, k_expected[k].name)) continue;
      counts c = {0};
      st_decode_config cfg;
      st_decode_config_default(&cfg);
      cfg.on_event = count_event;
      cfg.user = &c;
      assert_int_equal(st_decode_buffer(&cfg, data, len), ST_OK);
      assert_int_equal(c.events, k_expected[k].events);
      assert_int_equal(c.stacks, k_expected[k].stacks);
      assert_int_equal(c.strings, k_expected[k].strings);
      assert_int_equal(c.frames, k_expected[k].frames);
    }
    free(data);
  }
}

static void same_output_for_every_chunk_size(void **state) {
  (void)state;
  if (!need_corpus()) return;
  static const size_t chunks[] = {1, 2, 3, 5, 7, 13, 64, 1000, 4096, 65536};
  for (int i = 0; i < g_ntraces; i++) {
    size_t len;
    uint8_t *data = stt_read_file(g_paths[i], &len);
    stt_run whole;
    stt_decode(&whole, data, len, 0, ST_MODE_STRICT);
    assert_true(whole.nevents > 0);
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
      stt_run r;
      stt_decode(&r, data, len, chunks[c], ST_MODE_STRICT);
      if (r.text_len != whole.text_len || memcmp(r.text, whole.text, r.text_len))
        fail_msg("%s: chunk size %zu gives different output", g_paths[i], chunks[c]);
      stt_run_free(&r);
    }
    stt_run_free(&whole);
    free(data);
  }
}

/* Every proper prefix is invalid: a cut inside an event is TRUNCATED, and a cut between events
 * loses the frequency or stacks that earlier events refer to. Traces up to 32 KiB are cut at
 * every offset; larger ones at 400 points spread over the file and 400 in their last 4 KiB
 * (the stack and string tables), to keep the test fast under sanitizers. */
static void every_truncation_is_rejected_with_rule_and_offset(void **state) {
  (void)state;
  if (!need_corpus()) return;
  for (int i = 0; i < g_ntraces; i++) {
    size_t len;
    uint8_t *data = stt_read_file(g_paths[i], &len);
    size_t tail = len > 32768 ? len - 4096 : 0;
    size_t stride = len > 32768 ? len / 400 : 1;
    size_t tail_stride = len > 32768 ? 10 : 1;
    for (size_t cut = 0; cut < len; cut = cut < tail ? cut + stride : cut + tail_stride) {
      diag_summary s;
      if (decode_summary(data, cut, ST_MODE_STRICT, &s) != ST_E_INVALID || s.ndiags == 0)
        fail_msg("%s cut at %zu: accepted", g_paths[i], cut);
      assert_false(s.bad_diag);
      assert_true(s.max_off <= cut);
    }
    free(data);
  }
}

/* Flipping a byte may leave a valid trace (a timestamp changes), but must never crash or hang,
 * and every rejection names a rule and an offset inside the file. */
static void byte_flips_never_crash(void **state) {
  (void)state;
  if (!need_corpus()) return;
  static const uint8_t masks[] = {0x01, 0xff};
  for (int i = 0; i < g_ntraces; i++) {
    size_t len;
    uint8_t *data = stt_read_file(g_paths[i], &len);
    /* About 150 positions spread over each file. */
    size_t stride = len / 150 + 1;
    size_t rejected = 0, tried = 0;
    for (size_t pos = 0; pos < len; pos += stride) {
      for (size_t m = 0; m < sizeof masks; m++) {
        data[pos] ^= masks[m];
        for (int mode = ST_MODE_STRICT; mode <= ST_MODE_GO; mode++) {
          diag_summary s;
          tried++;
          if (decode_summary(data, len, (st_mode)mode, &s) == ST_E_INVALID) {
            rejected++;
            assert_true(s.ndiags > 0);
          }
          assert_false(s.bad_diag);
          assert_true(s.max_off <= len);
        }
        data[pos] ^= masks[m];
      }
    }
    printf("%s: %zu of %zu damaged copies rejected\n", strrchr(g_paths[i], '/') + 1, rejected,
           tried);
    free(data);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(accepted_in_both_modes),
    cmocka_unit_test(same_output_for_every_chunk_size),
    cmocka_unit_test(every_truncation_is_rejected_with_rule_and_offset),
    cmocka_unit_test(byte_flips_never_crash),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}

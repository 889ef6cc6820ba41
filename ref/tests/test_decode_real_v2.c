/* The decoder on real v2 traces (Go 1.22, 1.23): ../shared/corpus/real-v2 (read in place, the
 * sibling of ST_SHARED_CORPUS) and the project's own corpus/own/go1.22-own-*, go1.23-own-*.
 * Both modes accept them; the event counts match the corpus README; every Stack arrives with
 * its names resolved; every chunk size gives the same output; and every prefix and single-byte
 * change of the small traces gives OK or INVALID with a diagnostic inside the input. Each part
 * is skipped with a message when its folder or files are absent. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_util.h"
#include "stacktab/st_events.h"

#define REAL_V2 ST_SHARED_CORPUS "-v2"
#define OWN ST_SOURCE_DIR "/corpus/own"
#define MAX_TRACES 32

static char g_paths[MAX_TRACES][512];
static int g_n;

static int cmp_paths(const void *a, const void *b) { return strcmp(a, b); }

/* Appends dir/<name> for names starting with one of the prefixes and ending in ".trace". */
static void add_dir(const char *dir, const char *const *prefixes, size_t nprefixes) {
  DIR *d = opendir(dir);
  if (!d) {
    printf("SKIP part: no folder %s\n", dir);
    return;
  }
  struct dirent *e;
  int before = g_n;
  while ((e = readdir(d)) != NULL && g_n < MAX_TRACES) {
    size_t l = strlen(e->d_name);
    if (l <= 6 || strcmp(e->d_name + l - 6, ".trace") != 0) continue;
    int ok = nprefixes == 0;
    for (size_t i = 0; i < nprefixes; i++)
      ok |= strncmp(e->d_name, prefixes[i], strlen(prefixes[i])) == 0;
    if (ok) snprintf(g_paths[g_n++], 512, "%s/%s", dir, e->d_name);
  }
  closedir(d);
  qsort(g_paths[before], (size_t)(g_n - before), 512, cmp_paths);
  if (g_n == before) printf("SKIP part: no v2 traces in %s\n", dir);
}

static int setup(void **state) {
  (void)state;
  static const char *const own[] = {"go1.22-own-", "go1.23-own-"};
  add_dir(REAL_V2, NULL, 0);
  add_dir(OWN, own, 2);
  return 0;
}

static int need_traces(void) {
  if (g_n > 0) return 1;
  printf("SKIP: no v2 traces (%s, %s)\n", REAL_V2, OWN);
  return 0;
}

static const char *base_name(const char *p) { return strrchr(p, '/') + 1; }

/* ../shared/corpus/real-v2/README.md: events (batch headers and section markers included),
 * EvStack, EvString. */
static const struct {
  const char *name;
  size_t events, stacks, strings;
} k_expected[] = {
    {"go1.22-small.trace", 208, 23, 64},
    {"go1.22-medium.trace", 101626, 602, 1976},
    {"go1.23-small.trace", 227, 27, 75},
    {"go1.23-medium.trace", 105193, 608, 2002},
};

typedef struct {
  size_t events, stacks, strings, frames, unresolved;
  uint64_t last_off;
  int out_of_order, bad_format;
} counts;

static void count_event(void *user, const st_event *ev) {
  counts *c = user;
  if (c->events && ev->off <= c->last_off) c->out_of_order = 1;
  c->last_off = ev->off;
  c->events++;
  if (ev->format != 2 || (ev->version != ST_VER_1_22 && ev->version != ST_VER_1_23) ||
      ev->gen == 0)
    c->bad_format = 1;
  if (ev->type == ST_EV2_STACK) {
    c->stacks++;
    c->frames += ev->nframes;
    for (uint64_t i = 0; i < ev->nframes; i++) {
      const st_frame *f = &ev->frames[i];
      if (f->fn_id && !f->fn) c->unresolved++;
      if (f->file_id && !f->file) c->unresolved++;
    }
  }
  if (ev->type == ST_EV2_STRING) c->strings++;
}

static void accepted_counted_resolved(void **state) {
  (void)state;
  if (!need_traces()) return;
  size_t matched = 0;
  for (int i = 0; i < g_n; i++) {
    size_t len;
    uint8_t *data = stt_read_file(g_paths[i], &len);
    assert_non_null(data);
    for (int mode = ST_MODE_STRICT; mode <= ST_MODE_GO; mode++) {
      st_decode_config cfg;
      st_decode_config_default(&cfg);
      cfg.mode = (st_mode)mode;
      stt_run r;
      stt_decode_cfg(&r, &cfg, data, len, 0);
      if (r.status != ST_OK || r.ndiags != 0)
        fail_msg("%s (mode %d): %.2000s", g_paths[i], mode, r.text);
      stt_run_free(&r);
      counts c = {0};
      cfg.on_event = count_event;
      cfg.user = &c;
      assert_int_equal(st_decode_buffer(&cfg, data, len), ST_OK);
      printf("%s mode %d: %zu events, %zu stacks, %zu strings, %zu frames\n",
             base_name(g_paths[i]), mode, c.events, c.stacks, c.strings, c.frames);
      assert_int_equal(c.unresolved, 0);
      assert_false(c.out_of_order);
      assert_false(c.bad_format);
      assert_true(c.stacks > 0);
      for (size_t k = 0; k < sizeof k_expected / sizeof k_expected[0]; k++) {
        if (strcmp(base_name(g_paths[i]), k_expected[k].name) != 0) continue;
        matched += mode == ST_MODE_STRICT;
        assert_int_equal(c.events, k_expected[k].events);
        assert_int_equal(c.stacks, k_expected[k].stacks);
        assert_int_equal(c.strings, k_expected[k].strings);
      }
    }
    free(data);
  }
  printf("%zu traces with README counts checked\n", matched);
}

static void same_output_for_every_chunk_size(void **state) {
  (void)state;
  if (!need_traces()) return;
  static const size_t chunks[] = {1, 3, 7, 64, 1000, 65536};
  for (int i = 0; i < g_n; i++) {
    size_t len;
    uint8_t *data = stt_read_file(g_paths[i], &len);
    for (int mode = ST_MODE_STRICT; mode <= ST_MODE_GO; mode++) {
      stt_run whole;
      stt_decode(&whole, data, len, 0, (st_mode)mode);
      assert_true(whole.nevents > 0);
      for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        /* Byte at a time only on the small traces (it is the slow one). */
        if (chunks[c] < 7 && len > 100000) continue;
        stt_run r;
        stt_decode(&r, data, len, chunks[c], (st_mode)mode);
        if (r.text_len != whole.text_len || memcmp(r.text, whole.text, r.text_len))
          fail_msg("%s: chunk size %zu gives different output", g_paths[i], chunks[c]);
        stt_run_free(&r);
      }
      stt_run_free(&whole);
    }
    free(data);
  }
}

/* ---- damage ---- */

typedef struct {
  size_t ndiags, nerrors;
  int bad_diag;
  uint64_t max_off;
} diag_summary;

static void summarise_diag(void *user, const st_diag *d) {
  diag_summary *s = user;
  s->ndiags++;
  if (d->severity == ST_SEV_ERROR) s->nerrors++;
  if (d->rule <= ST_RULE_NONE || d->rule >= ST_RULE_COUNT || !d->message[0]) s->bad_diag = 1;
  if (d->off > s->max_off) s->max_off = d->off;
}

static void noop_event(void *user, const st_event *ev) {
  (void)user;
  (void)ev;
}

/* One decode with an event callback (so that events are held and released too). */
static void check_damaged(const char *name, const uint8_t *data, size_t len, const char *what,
                          size_t pos, size_t *rejected) {
  for (int mode = ST_MODE_STRICT; mode <= ST_MODE_GO; mode++) {
    diag_summary s;
    memset(&s, 0, sizeof s);
    st_decode_config cfg;
    st_decode_config_default(&cfg);
    cfg.mode = (st_mode)mode;
    cfg.on_diag = summarise_diag;
    cfg.on_event = noop_event;
    cfg.user = &s;
    st_status st = st_decode_buffer(&cfg, data, len);
    if (st != ST_OK && st != ST_E_INVALID)
      fail_msg("%s %s at %zu (mode %d): status %d", name, what, pos, mode, st);
    if (st == ST_E_INVALID) {
      ++*rejected;
      if (s.nerrors == 0) fail_msg("%s %s at %zu (mode %d): INVALID without an error", name, what,
                                   pos, mode);
    }
    if (s.bad_diag || s.max_off > len)
      fail_msg("%s %s at %zu (mode %d): diagnostic with a bad rule or offset %llu > %zu", name,
               what, pos, mode, (unsigned long long)s.max_off, len);
  }
}

static void small_traces_damaged(void **state) {
  (void)state;
  static const char *const small[] = {"go1.23-small.trace", "go1.22-small.trace"};
  for (size_t t = 0; t < 2; t++) {
    char path[600];
    snprintf(path, sizeof path, "%s/%s", REAL_V2, small[t]);
    size_t len;
    uint8_t *data = stt_read_file(path, &len);
    if (!data) {
      printf("SKIP: no %s\n", path);
      continue;
    }
    size_t rejected = 0, tried = 0;
    for (size_t cut = 0; cut < len; cut++, tried += 2)
      check_damaged(small[t], data, cut, "cut", cut, &rejected);
    printf("%s: %zu of %zu prefixes rejected\n", small[t], rejected, tried);
    rejected = tried = 0;
    for (size_t pos = 0; pos < len; pos++) {
      const uint8_t orig = data[pos];
      const uint8_t vals[4] = {(uint8_t)(orig ^ 0x01), (uint8_t)(orig ^ 0x80), 0x00, 0xff};
      for (size_t k = 0; k < 4; k++) {
        if (vals[k] == orig) continue;
        data[pos] = vals[k];
        check_damaged(small[t], data, len, "byte change", pos, &rejected);
        tried += 2;
      }
      data[pos] = orig;
    }
    printf("%s: %zu of %zu single-byte changes rejected\n", small[t], rejected, tried);
    free(data);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(accepted_counted_resolved),
      cmocka_unit_test(same_output_for_every_chunk_size),
      cmocka_unit_test(small_traces_damaged),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}

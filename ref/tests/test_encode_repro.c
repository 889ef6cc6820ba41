/* Strong independent check of the dump algorithms (spec §0.4): for every real trace in
 * ../shared/corpus/real, re-run the legacy (minimal EvStack lengths: Go 1.11/1.19) or direct
 * (10-byte lengths: Go 1.20/1.21) algorithm over the stacks in the order the trace lists them,
 * with the strings defined before the dump region pre-seeded, a 64488-byte capacity, pid 0 and
 * the clock taken from the real EvBatch ticks. The whole dump region must come out byte for
 * byte, batch boundaries included. The dump region is found by a small walk written here, not
 * by the library's decoder. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_util.h"
#include "stacktab/st_stacktab.h"

#define MAX_TRACES 64
static char g_paths[MAX_TRACES][512];
static int g_ntraces;

/* One event as the walk sees it. */
typedef struct {
  size_t off, end;
  unsigned type;
  uint64_t a0, a1;          /* Batch: pid, ticks; Frequency: freq; String: id */
  const uint8_t *body;      /* String: bytes; Stack: payload */
  size_t body_len;
  size_t len_width;         /* Stack: width of the length varint */
} wev;

static uint64_t uv(const uint8_t *d, size_t len, size_t *pos) {
  uint64_t v;
  size_t w;
  assert_int_equal(st_varint_get(d + *pos, len - *pos, &v, &w), ST_VARINT_OK);
  *pos += w;
  return v;
}

/* Reads the event at *pos (version >= 1007 layout: field 0-2 = field+1 varints, field 3 = a
 * length then that many bytes; EvString and UserLog's message are special). */
static void walk_one(const uint8_t *d, size_t len, size_t *pos, wev *e) {
  memset(e, 0, sizeof *e);
  e->off = *pos;
  uint8_t b = d[(*pos)++];
  e->type = b & 0x3f;
  unsigned field = b >> 6;
  if (e->type == ST_EV_STRING) {
    e->a0 = uv(d, len, pos);
    e->body_len = (size_t)uv(d, len, pos);
    e->body = d + *pos;
    *pos += e->body_len;
  } else if (field == 3) {
    size_t at = *pos;
    uint64_t l = uv(d, len, pos);
    e->len_width = *pos - at;
    e->body = d + *pos;
    e->body_len = (size_t)l;
    *pos += l;
    if (e->type == ST_EV_USER_LOG) *pos += (size_t)uv(d, len, pos);
  } else {
    for (unsigned i = 0; i <= field; i++) {
      uint64_t v = uv(d, len, pos);
      if (i == 0) e->a0 = v;
      if (i == 1) e->a1 = v;
    }
  }
  e->end = *pos;
  assert_true(e->end <= len);
}

/* Output collector and replayed clock. */
typedef struct {
  stt_bytes out;
  uint64_t ticks[256];
  size_t nticks, next;
} repro;

static int sink(void *user, const uint8_t *p, size_t n) {
  stt_put(&((repro *)user)->out, p, n);
  return 0;
}
static uint64_t clock_fn(void *user) {
  repro *r = user;
  assert_true(r->next < r->nticks);
  return r->ticks[r->next++];
}

/* Strings by ID (all of the file), to turn frames back into names. */
typedef struct {
  const uint8_t *p;
  size_t len;
} sref;

static void reproduce(const char *path) {
  size_t len;
  uint8_t *d = stt_read_file(path, &len);
  assert_non_null(d);
  size_t pos = ST_HEADER_SIZE;
  size_t cap = 1024;
  wev *evs = malloc(cap * sizeof *evs);
  size_t n = 0;
  while (pos < len) {
    if (n == cap) evs = realloc(evs, (cap *= 2) * sizeof *evs);
    walk_one(d, len, &pos, &evs[n++]);
  }
  /* The last Frequency; the first EvStack tells the algorithm by its length width. */
  size_t freq = SIZE_MAX, first_stack = SIZE_MAX;
  uint64_t max_id = 0;
  for (size_t i = 0; i < n; i++) {
    if (evs[i].type == ST_EV_FREQUENCY) freq = i;
    if (evs[i].type == ST_EV_STACK && first_stack == SIZE_MAX) first_stack = i;
    if (evs[i].type == ST_EV_STRING && evs[i].a0 > max_id) max_id = evs[i].a0;
  }
  assert_true(freq != SIZE_MAX && first_stack != SIZE_MAX);
  int direct = evs[first_stack].len_width == 10;
  /* Legacy: the bare Frequency comes right before the dump's first batch. Direct: Frequency is
   * the first event of the dump's first batch. */
  size_t start = direct ? freq - 1 : freq + 1;
  assert_int_equal(evs[start].type, ST_EV_BATCH);
  assert_int_equal(evs[start].a0, 0);
  sref *strs = calloc(max_id + 1, sizeof *strs);
  repro r;
  memset(&r, 0, sizeof r);
  st_strtab st;
  assert_int_equal(st_strtab_init(&st, NULL), ST_ENC_OK);
  size_t seeded = 0, nstacks = 0;
  for (size_t i = 0; i < n; i++) {
    wev *e = &evs[i];
    if (e->type == ST_EV_STRING) {
      strs[e->a0] = (sref){e->body, e->body_len};
      if (i < start) {
        assert_int_equal(st_strtab_seed(&st, e->a0, (const char *)e->body, e->body_len), ST_ENC_OK);
        seeded++;
      }
    }
    if (i >= start && e->type == ST_EV_BATCH) {
      assert_int_equal(e->a0, 0);
      assert_true(r.nticks < 256);
      r.ticks[r.nticks++] = e->a1;
    }
    if (i >= start && e->type == ST_EV_STACK) {
      nstacks++;
      /* Every EvStack in the region must have the width of its algorithm. */
      if (direct) assert_int_equal(e->len_width, 10);
      else assert_int_equal(e->len_width, st_varint_size(e->body_len));
    }
    /* The region holds only batches, strings, stacks (and Frequency in the direct form). */
    if (i >= start)
      assert_true(e->type == ST_EV_BATCH || e->type == ST_EV_STRING || e->type == ST_EV_STACK ||
                  (direct && i == freq));
  }
  /* The next new string gets the ID after the largest one seen before the dump. */
  uint64_t max_before = 0;
  for (size_t i = 0; i < start; i++)
    if (evs[i].type == ST_EV_STRING && evs[i].a0 > max_before) max_before = evs[i].a0;
  assert_int_equal(st_strtab_set_next_id(&st, max_before + 1), ST_ENC_OK);

  uint8_t *mem = malloc(ST_DEFAULT_BUF_SIZE);
  st_tbuf b;
  assert_int_equal(st_tbuf_init(&b, mem, ST_DEFAULT_BUF_SIZE, sink, &r, clock_fn, &r), ST_ENC_OK);
  st_dump_config dc;
  st_dump_config_default(&dc);
  dc.algo = direct ? ST_ALGO_DIRECT : ST_ALGO_LEGACY;
  st_dumper dm;
  assert_int_equal(st_dumper_init(&dm, &dc, &b, &st, NULL), ST_ENC_OK);
  /* The footer's start: Go 1.19's dump opens a batch; Go 1.20+ opens one for Frequency. */
  assert_int_equal(st_tbuf_flush(&b, 0), ST_ENC_OK);
  if (direct) {
    assert_int_equal(st_tbuf_reserve(&b, 0, 11), ST_ENC_OK);
    st_tbuf_byte(&b, ST_EV_FREQUENCY);
    st_tbuf_varint(&b, evs[freq].a0);
  }
  st_enc_frame *frames = malloc(1024 * sizeof *frames);
  for (size_t i = start; i < n; i++) {
    if (evs[i].type != ST_EV_STACK) continue;
    size_t p = 0, bl = evs[i].body_len;
    uint64_t id = uv(evs[i].body, bl, &p), nf = uv(evs[i].body, bl, &p);
    assert_true(nf <= 1024);
    for (uint64_t k = 0; k < nf; k++) {
      st_enc_frame *f = &frames[k];
      f->pc = uv(evs[i].body, bl, &p);
      uint64_t fn = uv(evs[i].body, bl, &p), file = uv(evs[i].body, bl, &p);
      f->line = uv(evs[i].body, bl, &p);
      assert_true(fn <= max_id && file <= max_id);
      f->fn = (const char *)strs[fn].p;
      f->fn_len = strs[fn].len;
      f->file = (const char *)strs[file].p;
      f->file_len = strs[file].len;
    }
    assert_int_equal(p, bl);
    assert_int_equal(st_dump_record(&dm, id, frames, (size_t)nf), ST_ENC_OK);
  }
  assert_int_equal(st_tbuf_finish(&b), ST_ENC_OK);
  size_t want = len - evs[start].off;
  const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
  printf("%s: %s, %zu stacks, %zu strings seeded, %zu batches, %zu bytes\n", base,
         direct ? "direct" : "legacy", nstacks, seeded, r.nticks, want);
  assert_int_equal(r.next, r.nticks);
  assert_int_equal(r.out.len, want);
  size_t diff = 0;
  while (diff < want && r.out.p[diff] == d[evs[start].off + diff]) diff++;
  if (diff != want) printf("  first difference at file offset %zu\n", evs[start].off + diff);
  assert_int_equal(diff, want);
  st_dumper_free(&dm);
  st_strtab_free(&st);
  stt_free(&r.out);
  free(frames);
  free(mem);
  free(strs);
  free(evs);
  free(d);
}

static void test_reproduce_real_dumps(void **state) {
  (void)state;
  for (int i = 0; i < g_ntraces; i++) reproduce(g_paths[i]);
}

/* The project's own v1 traces (corpus/own), when present; the v2 ones (go1.22-*, go1.23-*) are
 * test_encode_repro_v2's. */
static void add_own_traces(void) {
  DIR *dir = opendir(ST_SOURCE_DIR "/corpus/own");
  if (!dir) return;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL && g_ntraces < MAX_TRACES) {
    size_t l = strlen(e->d_name);
    if (l > 6 && strcmp(e->d_name + l - 6, ".trace") == 0 && !strstr(e->d_name, "go1.22") &&
        !strstr(e->d_name, "go1.23"))
      snprintf(g_paths[g_ntraces++], 512, "%s/corpus/own/%s", ST_SOURCE_DIR, e->d_name);
  }
  closedir(dir);
}

/* With arguments: reproduce those trace files instead (used by the ctest that makes a Go 1.19
 * trace with a dump large enough to flush). */
int main(int argc, char **argv) {
  if (argc > 1) {
    for (int i = 1; i < argc && g_ntraces < MAX_TRACES; i++)
      snprintf(g_paths[g_ntraces++], 512, "%s", argv[i]);
  } else {
    g_ntraces = stt_real_traces(g_paths, MAX_TRACES);
    if (g_ntraces < 0) {
      printf("SKIP: no real traces in %s\n", ST_SHARED_CORPUS);
      return 77;
    }
    add_own_traces();
  }
  if (g_ntraces == 0) {
    printf("SKIP: no traces to reproduce\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_reproduce_real_dumps)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The v2 writer against the real runtime (v2 spec §5.4, §6.4, §8.2, §8.3): for every real v2
 * trace (../shared/corpus/real-v2 and the project's own corpus/own/go1.2[23]-*.trace), each
 * generation's string batches and stack batches are written again by the library from the
 * strings (in ID order: the order the runtime wrote them) and the stacks (in file order), with
 * capacity 65504, M = 2^64-1, the generation's number and each batch's time taken from the
 * file. Both streams must come out byte for byte, batch boundaries and back-patched sizes
 * included. The file is read by a small walk written here, not by the library's decoder.
 * With file arguments, those files are reproduced instead.
 *
 * Which strings the runtime wrote before its stack dump and which the dump interned: the
 * dump's names take the generation's highest IDs, contiguous (spec §0.7); every string not
 * named by a stack frame was written before the dump, so the dump starts one past the largest
 * of those. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "st_test_util.h"
#include "stacktab/st_stacktab.h"

#define MAX_TRACES 32
static char g_paths[MAX_TRACES][512];
static int g_ntraces;

typedef struct {
  size_t off, len; /* the whole batch, header included */
  uint64_t time;
} batch_ref;

typedef struct {
  uint64_t id;
  const uint8_t *s;
  size_t len;
  int named_by_frame;
} str_rec;

typedef struct {
  uint64_t id, n;
  size_t frames_at; /* index into the generation's frame array */
} stk_rec;

typedef struct {
  uint64_t gen;
  batch_ref *sb, *kb;    /* strings and stacks batches in file order */
  size_t nsb, nkb;
  str_rec *strs;
  size_t nstrs;
  stk_rec *stks;
  size_t nstks;
  uint64_t *frames;      /* 4 per frame: pc, fn, file, line */
  size_t nframes;
} gen_data;

/* Appends v, growing the array to the next power of two (so sanitizer builds stay fast). */
#define PUSH(arr, n, v)                                                  \
  do {                                                                   \
    if (((n) & ((n) - 1)) == 0) {                                        \
      (arr) = realloc((arr), ((n) ? 2 * (n) : 1) * sizeof *(arr));       \
      assert_non_null(arr);                                              \
    }                                                                    \
    (arr)[(n)++] = (v);                                                  \
  } while (0)

static uint64_t uv(const uint8_t *d, size_t end, size_t *pos) {
  uint64_t v;
  size_t w;
  assert_int_equal(st_varint_get(d + *pos, end - *pos, &v, &w), ST_VARINT_OK);
  *pos += w;
  return v;
}

/* The walk: batches by their size; strings and stacks batches record by record. */
static gen_data *walk(const uint8_t *d, size_t len, size_t *ngens) {
  gen_data *gens = NULL;
  size_t ng = 0, pos = 16;
  while (pos < len) {
    size_t off = pos;
    uint8_t b = d[pos++];
    if (b == 0x31) pos++; /* experimental: its byte, then the same header */
    else assert_int_equal(b, 0x01);
    uint64_t gen = uv(d, len, &pos);
    uv(d, len, &pos); /* M */
    uint64_t time = uv(d, len, &pos);
    uint64_t size = uv(d, len, &pos);
    size_t end = pos + (size_t)size;
    assert_true(end <= len);
    if (ng == 0 || gens[ng - 1].gen != gen) {
      gen_data z;
      memset(&z, 0, sizeof z);
      z.gen = gen;
      PUSH(gens, ng, z);
    }
    gen_data *g = &gens[ng - 1];
    batch_ref br = {off, end - off, time};
    if (b == 0x01 && size > 0 && d[pos] == 0x04) {
      PUSH(g->sb, g->nsb, br);
      for (pos++; pos < end;) {
        assert_int_equal(d[pos++], 0x05);
        str_rec r = {0, NULL, 0, 0};
        r.id = uv(d, end, &pos);
        r.len = (size_t)uv(d, end, &pos);
        r.s = d + pos;
        pos += r.len;
        PUSH(g->strs, g->nstrs, r);
      }
    } else if (b == 0x01 && size > 0 && d[pos] == 0x02) {
      PUSH(g->kb, g->nkb, br);
      for (pos++; pos < end;) {
        assert_int_equal(d[pos++], 0x03);
        stk_rec k;
        k.id = uv(d, end, &pos);
        k.n = uv(d, end, &pos);
        k.frames_at = g->nframes;
        for (uint64_t i = 0; i < 4 * k.n; i++) PUSH(g->frames, g->nframes, uv(d, end, &pos));
        PUSH(g->stks, g->nstks, k);
      }
    }
    pos = end;
  }
  *ngens = ng;
  return gens;
}

static int cmp_str(const void *a, const void *b) {
  const str_rec *x = a, *y = b;
  return x->id < y->id ? -1 : x->id > y->id;
}

static const str_rec *find_str(const gen_data *g, uint64_t id) {
  str_rec key = {id, NULL, 0, 0};
  return bsearch(&key, g->strs, g->nstrs, sizeof key, cmp_str);
}

/* Each stream's batches get their times from the file, in order. */
typedef struct {
  const batch_ref *b;
  size_t n, next;
  stt_bytes out;
} stream;

static uint64_t stream_clock(void *u) {
  stream *s = u;
  return s->next < s->n ? s->b[s->next++].time : 0;
}

static int stream_sink(void *u, const uint8_t *p, size_t n) {
  stt_put(&((stream *)u)->out, p, n);
  return 0;
}

static void expect_stream(const char *path, uint64_t gen, const char *what, const uint8_t *d,
                          const stream *s) {
  stt_bytes want = {0};
  for (size_t i = 0; i < s->n; i++) stt_put(&want, d + s->b[i].off, s->b[i].len);
  if (want.len != s->out.len || memcmp(want.p, s->out.p, want.len) != 0) {
    size_t k = 0;
    while (k < want.len && k < s->out.len && want.p[k] == s->out.p[k]) k++;
    print_error("%s gen %llu %s: %zu bytes written, %zu in the file, first difference at byte "
                "%zu of the stream\n", path, (unsigned long long)gen, what, s->out.len, want.len, k);
  }
  assert_int_equal(s->out.len, want.len);
  assert_memory_equal(s->out.p, want.p, want.len);
  stt_free(&want);
}

static void reproduce(const char *path, const uint8_t *d, gen_data *g) {
  qsort(g->strs, g->nstrs, sizeof *g->strs, cmp_str);
  for (size_t i = 0; i < g->nframes; i += 4)
    for (int k = 1; k <= 2; k++) {
      str_rec key = {g->frames[i + (size_t)k], NULL, 0, 0};
      str_rec *r = bsearch(&key, g->strs, g->nstrs, sizeof key, cmp_str);
      if (r) r->named_by_frame = 1;
    }
  uint64_t dump_first = 1;
  for (size_t i = 0; i < g->nstrs; i++)
    if (!g->strs[i].named_by_frame && g->strs[i].id >= dump_first) dump_first = g->strs[i].id + 1;

  stream ss = {g->sb, g->nsb, 0, {0}}, ks = {g->kb, g->nkb, 0, {0}};
  uint8_t *smem = malloc(ST_V2_BUF_SIZE), *kmem = malloc(ST_V2_BUF_SIZE);
  st_tbuf sb, kb;
  assert_int_equal(st_tbuf_init(&sb, smem, ST_V2_BUF_SIZE, stream_sink, &ss, stream_clock, &ss), 0);
  assert_int_equal(st_tbuf_init(&kb, kmem, ST_V2_BUF_SIZE, stream_sink, &ks, stream_clock, &ks), 0);
  assert_int_equal(st_tbuf_set_v2(&sb, g->gen, -1), 0);
  assert_int_equal(st_tbuf_set_v2(&kb, g->gen, -1), 0);
  st_strtab t;
  assert_int_equal(st_strtab_init(&t, NULL), 0);
  st_strtab_set_v2(&t);
  /* Before the dump: every string in ID order; a content seen before was an emit (Log). */
  for (size_t i = 0; i < g->nstrs && g->strs[i].id < dump_first; i++) {
    const str_rec *r = &g->strs[i];
    uint64_t id, have;
    assert_int_equal(st_strtab_set_next_id(&t, r->id), 0);
    if (r->len && !st_strtab_find(&t, (const char *)r->s, r->len, &have))
      assert_int_equal(st_strtab_intern(&t, &sb, UINT64_MAX, (const char *)r->s, r->len, &id), 0);
    else
      assert_int_equal(st_strtab_emit(&t, &sb, UINT64_MAX, (const char *)r->s, r->len, &id), 0);
    assert_int_equal(id, r->id);
  }
  assert_int_equal(st_strtab_set_next_id(&t, dump_first), 0);
  /* The dump: each stack in file order, its frames' names from the generation's strings. */
  st_dump_config dc;
  st_dump_config_default(&dc);
  dc.algo = ST_ALGO_V2;
  dc.pid = UINT64_MAX;
  dc.max_frames = ST_V2_ENC_MAX_FRAMES;
  st_dumper dm;
  assert_int_equal(st_dumper_init(&dm, &dc, &kb, &t, NULL), 0);
  st_dumper_set_string_buf(&dm, &sb);
  st_enc_frame fr[ST_V2_ENC_MAX_FRAMES];
  for (size_t i = 0; i < g->nstks; i++) {
    const stk_rec *k = &g->stks[i];
    for (uint64_t j = 0; j < k->n; j++) {
      const uint64_t *f = &g->frames[k->frames_at + 4 * j];
      const str_rec *fn = f[1] ? find_str(g, f[1]) : NULL, *fl = f[2] ? find_str(g, f[2]) : NULL;
      assert_true(!f[1] || fn);
      assert_true(!f[2] || fl);
      fr[j] = (st_enc_frame){f[0], fn ? (const char *)fn->s : "", fn ? fn->len : 0,
                             fl ? (const char *)fl->s : "", fl ? fl->len : 0, f[3]};
    }
    assert_int_equal(st_dump_record(&dm, k->id, fr, (size_t)k->n), 0);
  }
  /* The stack writer's last batch, then the generation's last strings batch. */
  assert_int_equal(st_tbuf_finish(&kb), 0);
  assert_int_equal(st_tbuf_finish(&sb), 0);
  expect_stream(path, g->gen, "strings batches", d, &ss);
  expect_stream(path, g->gen, "stacks batches", d, &ks);
  st_dumper_free(&dm);
  st_strtab_free(&t);
  free(smem);
  free(kmem);
  stt_free(&ss.out);
  stt_free(&ks.out);
}

static void test_reproduce_real_v2(void **state) {
  (void)state;
  if (g_ntraces == 0) {
    print_message("no v2 traces found (../shared/corpus/real-v2, corpus/own): skipped\n");
    skip();
  }
  for (int i = 0; i < g_ntraces; i++) {
    size_t len, ng;
    uint8_t *d = stt_read_file(g_paths[i], &len);
    assert_non_null(d);
    gen_data *gens = walk(d, len, &ng);
    size_t nstk = 0, nstr = 0, nsb = 0, nkb = 0;
    for (size_t k = 0; k < ng; k++) {
      nstk += gens[k].nstks;
      nstr += gens[k].nstrs;
      nsb += gens[k].nsb;
      nkb += gens[k].nkb;
      reproduce(g_paths[i], d, &gens[k]);
      free(gens[k].sb);
      free(gens[k].kb);
      free(gens[k].strs);
      free(gens[k].stks);
      free(gens[k].frames);
    }
    print_message("%s: %zu generations, %zu strings in %zu batches, %zu stacks in %zu batches: "
                  "reproduced\n", g_paths[i], ng, nstr, nsb, nstk, nkb);
    free(gens);
    free(d);
  }
}

static void add_dir(const char *dir, const char *prefix) {
  DIR *dp = opendir(dir);
  if (!dp) {
    print_message("%s absent: its traces skipped\n", dir);
    return;
  }
  struct dirent *e;
  while ((e = readdir(dp)) != NULL && g_ntraces < MAX_TRACES) {
    size_t l = strlen(e->d_name);
    if (l > 6 && !strcmp(e->d_name + l - 6, ".trace") &&
        !strncmp(e->d_name, prefix, strlen(prefix)) &&
        (strstr(e->d_name, "go1.22") || strstr(e->d_name, "go1.23")))
      snprintf(g_paths[g_ntraces++], 512, "%s/%s", dir, e->d_name);
  }
  closedir(dp);
}

/* With arguments: reproduce those trace files instead (used by gocheck.runtime-repro, which
 * writes fresh traces with Go 1.22 and Go 1.23; any v2 file name is accepted). */
int main(int argc, char **argv) {
  if (argc > 1) {
    for (int i = 1; i < argc && g_ntraces < MAX_TRACES; i++)
      snprintf(g_paths[g_ntraces++], 512, "%s", argv[i]);
  } else {
    add_dir(ST_SHARED_CORPUS "-v2", "go1.2");
    add_dir(ST_SOURCE_DIR "/corpus/own", "go1.2");
  }
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_reproduce_real_v2)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Decoder benchmark: throughput of the streaming decoder next to the physical limit (memcpy and
 * plain read() of the same bytes), in one run, on the same machine.
 *
 * usage: st_bench_decode [-r REPS] FILE...          measure each file (default 5 reps, best kept)
 *        st_bench_decode --gen OUT MB [SHAPE]       write a synthetic stack-table-heavy trace
 *
 * Measuring: the file is mapped once (page cache warm after the first pass); each rep pushes it
 * through a strict-mode decoder in 64 KiB chunks twice: as `stacktab check` does (no event
 * callback: "check"), and counting events in a callback ("decode": names resolved, strings
 * kept). The same bytes are then copied in 64 KiB chunks with memcpy, and read with pread() in
 * 64 KiB chunks. Best of REPS for each. One line per file (MB = 1e6 bytes), columns:
 *   file bytes events decode_MB/s events/s memcpy_MB/s read_MB/s decode/memcpy decode/read
 *   check_MB/s check/memcpy
 *
 * Generating (--gen): a trace that is nearly all stack table (as at the end of a long trace),
 * until the file holds at least MB * 1e6 bytes, every stack distinct (its first PC is), names
 * drawn from 4096 symbols unless said otherwise. SHAPE:
 *   deep     200-220 frames, 3-byte PCs, line numbers around 1e6 (3-byte varints), records
 *            just under Go 1.22+'s 2048-byte limit (default)
 *   medium   8-60 frames, 3-byte PCs, small lines
 *   shallow  1-4 frames, 6-byte PIE-style PCs (0x55d4xxxxxxxx)
 *   strings  2-8 frames whose names are mostly new: 300 000 distinct function names
 *   v2       medium stacks in a Go 1.23 (v2) trace: per generation 20 000 stacks, their
 *            string and stack sections, a timed event and the frequency batch (st_writer)
 *   a number N: N frames per stack, as deep otherwise (the old FRAMES argument)
 * v1 shapes: a Go 1.19 header, one empty batch, the bare EvFrequency the legacy footer starts
 * with, then EvStack records (IDs 1, 2, ...) written by the library's legacy dumper into
 * 64488-byte pid-0 batches, with the EvStrings they need. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "stacktab/st_decode.h"
#include "stacktab/st_stacktab.h"
#include "stacktab/st_writer.h"
#include "bench_common.h"

#define CHUNK ((size_t)1 << 16)


/* ---- measuring ---- */

typedef struct {
  uint64_t events, errors;
} counts;

static void on_event(void *u, const st_event *ev) {
  (void)ev;
  ((counts *)u)->events++;
}
static void on_diag(void *u, const st_diag *d) {
  counts *c = u;
  if (d->severity != ST_SEV_WARNING && c->errors++ == 0)
    fprintf(stderr, "st_bench_decode: diagnostic at %llu: %s\n", (unsigned long long)d->off,
            d->message);
}

/* With with_cb, events go to a counting callback (names resolved, strings kept); without, as
 * `stacktab check` decodes: diagnostics only. */
static int decode_once(const uint8_t *p, size_t n, counts *c, int with_cb) {
  st_decode_config cfg;
  st_decode_config_default(&cfg);
  cfg.on_event = with_cb ? on_event : NULL;
  cfg.on_diag = on_diag;
  cfg.user = c;
  st_decoder d;
  if (st_decoder_init(&d, &cfg) != ST_OK) return -1;
  for (size_t off = 0; off < n; off += CHUNK) {
    size_t k = n - off < CHUNK ? n - off : CHUNK;
    if (st_decoder_push(&d, p + off, k) == ST_E_NOMEM) break;
  }
  st_status s = st_decoder_finish(&d);
  st_decoder_free(&d);
  return s == ST_OK ? 0 : -1;
}

static volatile uint8_t g_sink;

static void memcpy_once(const uint8_t *p, size_t n, uint8_t *buf) {
  uint8_t acc = 0;
  for (size_t off = 0; off < n; off += CHUNK) {
    size_t k = n - off < CHUNK ? n - off : CHUNK;
    memcpy(buf, p + off, k);
    acc ^= buf[k - 1]; /* keeps the copy observable */
  }
  g_sink = acc;
}

static int read_once(int fd, size_t n, uint8_t *buf) {
  uint8_t acc = 0;
  for (size_t off = 0; off < n;) {
    ssize_t k = pread(fd, buf, CHUNK, (off_t)off);
    if (k <= 0) return -1;
    acc ^= buf[k - 1];
    off += (size_t)k;
  }
  g_sink = acc;
  return 0;
}

static int measure(const char *path, int reps) {
  int fd = open(path, O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || st.st_size <= 0) {
    fprintf(stderr, "st_bench_decode: cannot open %s (or empty)\n", path);
    if (fd >= 0) close(fd);
    return 2;
  }
  size_t n = (size_t)st.st_size;
  const uint8_t *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
  static uint8_t buf[CHUNK];
  if (p == MAP_FAILED) {
    fprintf(stderr, "st_bench_decode: mmap %s failed\n", path);
    close(fd);
    return 2;
  }
  double best_dec = 1e30, best_chk = 1e30, best_cpy = 1e30, best_rd = 1e30;
  counts c = {0, 0};
  int rc = 0;
  memcpy_once(p, n, buf); /* fault the mapping in: no rep pays for page-cache misses */
  for (int r = 0; r < reps; r++) {
    c = (counts){0, 0};
    counts quiet = {0, 0};
    double tq = now();
    if (decode_once(p, n, &quiet, 0) != 0) rc = 1;
    double t0 = now();
    if (decode_once(p, n, &c, 1) != 0) rc = 1;
    double t1 = now();
    memcpy_once(p, n, buf);
    double t2 = now();
    if (read_once(fd, n, buf) != 0) rc = 2;
    double t3 = now();
    if (t1 - t0 < best_dec) best_dec = t1 - t0;
    if (t0 - tq < best_chk) best_chk = t0 - tq;
    if (t2 - t1 < best_cpy) best_cpy = t2 - t1;
    if (t3 - t2 < best_rd) best_rd = t3 - t2;
  }
  double mb = (double)n / 1e6;
  printf("%s %zu %llu %.1f %.0f %.1f %.1f %.4f %.4f %.1f %.4f%s\n", path, n,
         (unsigned long long)c.events, mb / best_dec, (double)c.events / best_dec, mb / best_cpy,
         mb / best_rd, best_cpy / best_dec, best_rd / best_dec, mb / best_chk,
         best_cpy / best_chk, rc == 1 ? " INVALID" : "");
  munmap((void *)p, n);
  close(fd);
  return rc;
}

/* ---- generating ---- */


typedef struct {
  FILE *f;
  uint64_t bytes;
} out_file;
static int sink(void *u, const uint8_t *p, size_t n) {
  out_file *o = u;
  o->bytes += n;
  return fwrite(p, 1, n, o->f) == n ? 0 : 1;
}
static uint64_t clk(void *u) {
  uint64_t *t = u;
  return ++*t;
}

enum { SHAPE_DEEP, SHAPE_MEDIUM, SHAPE_SHALLOW, SHAPE_STRINGS, SHAPE_V2 };

/* "strings": distinct function names, made on demand: name k is a package path, a type and a
 * method (30-45 bytes). */
#define NSTRNAMES 300000u
static const char *strings_name(size_t k, size_t *len) {
  static char buf[8][64];
  static unsigned slot;
  char *p = buf[slot++ % 8];
  int n = snprintf(p, 64, "example.com/svc%zu/pkg%zu.(*T%zu).Method%zu", k % 97, k % 1013,
                   k % 7919, k);
  *len = (size_t)n;
  return p;
}

/* The frames of stack `id` in the given shape; returns how many. */
static size_t shape_frames(int shape, size_t fixed, uint64_t id, st_enc_frame *fr, size_t max) {
  static const char files[4][24] = {"/src/runtime/proc.go", "/src/net/http/server.go",
                                    "/src/app/handler.go", "/src/encoding/json/x.go"};
  static size_t next_name;
  size_t n;
  switch (shape) {
    case SHAPE_MEDIUM: case SHAPE_V2: n = 8 + (size_t)(rnd() % 53); break;
    case SHAPE_SHALLOW: n = 1 + (size_t)(rnd() % 4); break;
    case SHAPE_STRINGS: n = 2 + (size_t)(rnd() % 7); break;
    default: n = fixed ? fixed : 200 + (size_t)(rnd() % 21); break;
  }
  if (n > max) n = max;
  for (size_t k = 0; k < n; k++) {
    size_t j = (size_t)(rnd() % NSYM);
    uint64_t pc, line = 10 + j;
    const char *fn = g_names[j];
    size_t fn_len = g_name_len[j];
    switch (shape) {
      case SHAPE_SHALLOW:
        pc = 0x55d4a0000000ull + (k == 0 ? id * 64 : j * 16);
        break;
      case SHAPE_STRINGS:
        pc = 0x400000 + (k == 0 ? id * 64 : j * 16);
        if (next_name < NSTRNAMES || rnd() % 4 == 0)
          fn = strings_name(next_name < NSTRNAMES ? next_name++ : (size_t)(rnd() % NSTRNAMES), &fn_len);
        break;
      case SHAPE_DEEP:
        pc = 0x10000 + (k == 0 ? id * 64 : j * 16);
        line = 1000000 + j * 13;
        break;
      default: /* 3-byte varints: below 2^21 */
        pc = 0x100000 + (k == 0 ? (id * 64) % 0xfffc0 : j * 16);
        break;
    }
    fr[k] = (st_enc_frame){pc, fn, fn_len, files[j % 4], strlen(files[j % 4]), line};
  }
  return n;
}

/* v2: the writer's symbolizer: PC -> the frame generate_v2 stored for it. */
typedef struct {
  st_enc_frame *fr;
  size_t n;
} v2_stack;
static size_t v2_sym(void *u, uint64_t pc, st_enc_frame *out, size_t max) {
  const v2_stack *s = u;
  size_t k = (size_t)pc - 1; /* a PC is its frame's index in the generation + 1 */
  if (k >= s->n || max < 1) return 1;
  out[0] = s->fr[k];
  return 1;
}
static int v2_write(void *u, const uint8_t *p, size_t n) { return sink(u, p, n); }

static int generate_v2(out_file *o, double mb) {
  st_enc_frame fr[ST_V2_ENC_MAX_FRAMES];
  v2_stack cur = {fr, 0};
  st_writer_config c;
  st_writer_config_default(&c);
  c.version = ST_VER_1_23;
  c.algo = ST_ALGO_V2;
  c.symbolize = v2_sym;
  c.sym_user = &cur;
  c.write = v2_write;
  c.write_user = o;
  st_writer w;
  if (st_writer_init(&w, &c)) return 2;
  uint64_t target = (uint64_t)(mb * 1e6), id = 0, ts = 1;
  /* The symbolizer is called at the generation's end: keep each stack's frames until then. */
  size_t per_gen = 20000;
  st_enc_frame *keep = calloc(per_gen * ST_V2_ENC_MAX_FRAMES, sizeof *keep);
  size_t *keep_n = calloc(per_gen, sizeof *keep_n);
  if (!keep || !keep_n) return 2;
  (void)keep_n;
  for (int first = 1; o->bytes < target; first = 0) {
    uint64_t a[2] = {1, 0};
    if (!first && st_writer_generation(&w)) {
      fprintf(stderr, "st_bench_decode: v2 generation failed\n");
      return 2;
    }
    if (st_writer_batch(&w, 1, ts++) || st_writer_event(&w, ST_EV2_PROC_STOP, ts++, a, 0, NULL)) {
      fprintf(stderr, "st_bench_decode: v2 event failed\n");
      return 2;
    }
    cur.fr = keep;
    cur.n = 0;
    for (size_t s = 0; s < per_gen && o->bytes < target; s++) {
      id++;
      size_t n = shape_frames(SHAPE_V2, 0, id, keep + cur.n, ST_V2_ENC_MAX_FRAMES);
      uint64_t pcs[ST_V2_ENC_MAX_FRAMES];
      for (size_t k = 0; k < n; k++) pcs[k] = cur.n + k + 1;
      cur.n += n;
      uint64_t sid;
      if (st_writer_stack(&w, pcs, n, &sid)) {
        fprintf(stderr, "st_bench_decode: v2 stack failed\n");
        return 2;
      }
    }
  }
  int rc = st_writer_finish(&w) ? 2 : 0;
  st_writer_free(&w);
  free(keep);
  free(keep_n);
  fprintf(stderr, "st_bench_decode: wrote v2: %llu bytes, %llu stacks\n",
          (unsigned long long)o->bytes, (unsigned long long)id);
  return rc;
}

static int generate(const char *path, double mb, int shape, size_t fixed) {
  static uint8_t mem[ST_DEFAULT_BUF_SIZE];
  make_names();
  out_file o = {fopen(path, "wb"), 0};
  if (!o.f) {
    fprintf(stderr, "st_bench_decode: cannot create %s\n", path);
    return 2;
  }
  if (shape == SHAPE_V2) {
    int rc = generate_v2(&o, mb);
    if (fclose(o.f) != 0) rc = 2;
    return rc;
  }
  /* Header; an empty pid-0 batch at ticks 1000 (41 00 varint(1000)); the legacy footer's bare
   * EvFrequency (02 varint(15625000)); then the dump batches at ticks 1001, 1002, ... */
  static const uint8_t head[] = {'g',  'o',  ' ',  '1',  '.', '1',  '9',  ' ',  't',  'r',
                                 'a',  'c',  'e',  0,    0,   0,    0x41, 0x00, 0xe8, 0x07,
                                 0x02, 0xa8, 0xd6, 0xb9, 0x07};
  fwrite(head, 1, sizeof head, o.f);
  o.bytes = sizeof head;
  uint64_t ticks = 1000;
  st_tbuf b;
  st_strtab s;
  st_dumper d;
  st_dump_config cfg;
  st_dump_config_default(&cfg);
  cfg.algo = ST_ALGO_LEGACY;
  st_enc_frame *fr = calloc(ST_MAX_FRAMES, sizeof *fr);
  if (!fr || st_tbuf_init(&b, mem, sizeof mem, sink, &o, clk, &ticks) || st_strtab_init(&s, NULL) ||
      st_dumper_init(&d, &cfg, &b, &s, NULL) || st_tbuf_flush(&b, 0)) {
    fprintf(stderr, "st_bench_decode: encoder init failed\n");
    return 2;
  }
  uint64_t target = (uint64_t)(mb * 1e6), id = 0, frames = 0;
  while (o.bytes + b.pos < target) {
    id++;
    size_t n = shape_frames(shape, fixed, id, fr, ST_MAX_FRAMES);
    frames += n;
    if (st_dump_record(&d, id, fr, n)) {
      fprintf(stderr, "st_bench_decode: dump failed at stack %llu\n", (unsigned long long)id);
      return 2;
    }
  }
  int rc = st_tbuf_finish(&b) ? 2 : 0;
  if (fclose(o.f) != 0) rc = 2;
  fprintf(stderr, "st_bench_decode: wrote %s: %llu bytes, %llu stacks, %llu frames, %zu strings\n",
          path, (unsigned long long)o.bytes, (unsigned long long)id, (unsigned long long)frames,
          s.count);
  st_dumper_free(&d);
  st_strtab_free(&s);
  free(fr);
  return rc;
}

int main(int argc, char **argv) {
  if (argc >= 4 && !strcmp(argv[1], "--gen")) {
    static const char *shapes[] = {"deep", "medium", "shallow", "strings", "v2"};
    const char *sh = argc > 4 ? argv[4] : "deep";
    int shape = -1;
    size_t fixed = 0;
    for (int k = 0; k < 5; k++)
      if (!strcmp(sh, shapes[k])) shape = k;
    if (shape < 0 && (fixed = (size_t)strtoul(sh, NULL, 10)) > 0 && fixed <= ST_MAX_FRAMES)
      shape = SHAPE_DEEP;
    if (shape < 0) {
      fprintf(stderr, "st_bench_decode: unknown shape %s (deep, medium, shallow, strings, v2, "
                      "or a frame count)\n", sh);
      return 2;
    }
    return generate(argv[2], atof(argv[3]), shape, fixed);
  }
  int reps = 5, i = 1, rc = 0;
  if (argc > 2 && !strcmp(argv[1], "-r")) {
    reps = atoi(argv[2]);
    i = 3;
  }
  if (i >= argc || reps <= 0) {
    fprintf(stderr, "usage: st_bench_decode [-r REPS] FILE...\n"
                    "       st_bench_decode --gen OUT MB [deep|medium|shallow|strings|v2|FRAMES]\n");
    return 2;
  }
  printf("# file bytes events decode_MB/s events/s memcpy_MB/s read_MB/s decode/memcpy "
         "decode/read\n");
  for (; i < argc; i++) {
    int r = measure(argv[i], reps);
    if (r > rc) rc = r;
  }
  return rc;
}

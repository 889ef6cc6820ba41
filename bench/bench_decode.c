/* Decoder benchmark: throughput of the streaming decoder next to the physical limit (memcpy and
 * plain read() of the same bytes), in one run, on the same machine.
 *
 * usage: st_bench_decode [-r REPS] FILE...          measure each file (default 5 reps, best kept)
 *        st_bench_decode --gen OUT MB [FRAMES]      write a synthetic stack-table-heavy trace
 *
 * Measuring: the file is mapped once (page cache warm after the first pass); each rep pushes it
 * through a strict-mode decoder in 64 KiB chunks, as `stacktab check` does, counting events in a
 * callback. The same bytes are then copied in 64 KiB chunks with memcpy, and read with pread()
 * in 64 KiB chunks. Best of REPS for each. One line per file (MB = 1e6 bytes), columns:
 *   file bytes events decode_MB/s events/s memcpy_MB/s read_MB/s decode/memcpy decode/read
 *
 * Generating (--gen): a Go 1.19 header, one empty batch, the bare EvFrequency the legacy footer starts with, then
 * EvStack records (IDs 1, 2, ...) of FRAMES frames each (default 200) written by the library's
 * legacy dumper into 64488-byte pid-0 batches, with the EvStrings they need, until the file
 * holds at least MB * 1e6 bytes. Function names come from 4096 symbols; so the file is nearly
 * all stack table, as at the end of a long trace with deep, distinct stacks. */
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

static int decode_once(const uint8_t *p, size_t n, counts *c) {
  st_decode_config cfg;
  st_decode_config_default(&cfg);
  cfg.on_event = on_event;
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
  double best_dec = 1e30, best_cpy = 1e30, best_rd = 1e30;
  counts c = {0, 0};
  int rc = 0;
  memcpy_once(p, n, buf); /* fault the mapping in: no rep pays for page-cache misses */
  for (int r = 0; r < reps; r++) {
    c = (counts){0, 0};
    double t0 = now();
    if (decode_once(p, n, &c) != 0) rc = 1;
    double t1 = now();
    memcpy_once(p, n, buf);
    double t2 = now();
    if (read_once(fd, n, buf) != 0) rc = 2;
    double t3 = now();
    if (t1 - t0 < best_dec) best_dec = t1 - t0;
    if (t2 - t1 < best_cpy) best_cpy = t2 - t1;
    if (t3 - t2 < best_rd) best_rd = t3 - t2;
  }
  double mb = (double)n / 1e6;
  printf("%s %zu %llu %.1f %.0f %.1f %.1f %.4f %.4f%s\n", path, n, (unsigned long long)c.events,
         mb / best_dec, (double)c.events / best_dec, mb / best_cpy, mb / best_rd,
         best_cpy / best_dec, best_rd / best_dec, rc == 1 ? " INVALID" : "");
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

static int generate(const char *path, double mb, size_t nframes) {
  static const char files[4][24] = {"/src/runtime/proc.go", "/src/net/http/server.go",
                                    "/src/app/handler.go", "/src/encoding/json/x.go"};
  static uint8_t mem[ST_DEFAULT_BUF_SIZE];
  make_names();
  out_file o = {fopen(path, "wb"), 0};
  if (!o.f) {
    fprintf(stderr, "st_bench_decode: cannot create %s\n", path);
    return 2;
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
  st_enc_frame *fr = calloc(nframes, sizeof *fr);
  if (!fr || st_tbuf_init(&b, mem, sizeof mem, sink, &o, clk, &ticks) || st_strtab_init(&s, NULL) ||
      st_dumper_init(&d, &cfg, &b, &s, NULL) || st_tbuf_flush(&b, 0)) {
    fprintf(stderr, "st_bench_decode: encoder init failed\n");
    return 2;
  }
  uint64_t target = (uint64_t)(mb * 1e6), id = 0;
  while (o.bytes + b.pos < target) {
    id++;
    for (size_t k = 0; k < nframes; k++) {
      size_t j = (size_t)(rnd() % NSYM);
      /* Distinct first PC per stack: every record is a new stack, as in a real table. */
      uint64_t pc = k == 0 ? 0x400000 + id * 64 : 0x400000 + j * 16;
      fr[k] = (st_enc_frame){pc, g_names[j], g_name_len[j], files[j % 4], strlen(files[j % 4]),
                             10 + j};
    }
    if (st_dump_record(&d, id, fr, nframes)) {
      fprintf(stderr, "st_bench_decode: dump failed at stack %llu\n", (unsigned long long)id);
      return 2;
    }
  }
  int rc = st_tbuf_finish(&b) ? 2 : 0;
  if (fclose(o.f) != 0) rc = 2;
  fprintf(stderr, "st_bench_decode: wrote %s: %llu bytes, %llu stacks of %zu frames\n", path,
          (unsigned long long)o.bytes, (unsigned long long)id, nframes);
  st_dumper_free(&d);
  st_strtab_free(&s);
  free(fr);
  return rc;
}

int main(int argc, char **argv) {
  if (argc >= 4 && !strcmp(argv[1], "--gen")) {
    size_t nframes = argc > 4 ? (size_t)strtoul(argv[4], NULL, 10) : 200;
    if (nframes == 0 || nframes > ST_MAX_FRAMES) nframes = 200;
    return generate(argv[2], atof(argv[3]), nframes);
  }
  int reps = 5, i = 1, rc = 0;
  if (argc > 2 && !strcmp(argv[1], "-r")) {
    reps = atoi(argv[2]);
    i = 3;
  }
  if (i >= argc || reps <= 0) {
    fprintf(stderr, "usage: st_bench_decode [-r REPS] FILE...\n"
                    "       st_bench_decode --gen OUT MB [FRAMES]\n");
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

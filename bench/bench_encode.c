/* Encoder benchmark: dump throughput of the Go 1.19 (legacy) and Go 1.20+ (direct) algorithms,
 * and of Go 1.22+'s v2 stack section (names into the string table's own batches)
 * on the same stack table, side by side in one run.
 *
 * usage: st_bench_encode [STACKS [SECONDS [legacy|direct|v2]]]
 *   (default 20000 stacks, 1 second per algorithm, all three). SECONDS 0 runs one dump per slice (5
 *   in all), and naming one algorithm runs only that one: together they give a fixed amount of
 *   work to count instructions of, free of timing noise:
 *     valgrind --tool=callgrind --toggle-collect=st_dump_table st_bench_encode 20000 0 legacy
 *
 * A deterministic table: STACKS distinct stacks of 1..64 PCs drawn from 4096 symbols, one PC in
 * eight expanding to two frames (inlining); names of 10..90 bytes. Each round puts every stack,
 * then times the dump alone (strings interned and written from an empty string table, EvStacks,
 * flushes into 64488-byte batches handed to a sink that only counts bytes). Reported: frames/s
 * and MB/s of dump output (1 MB = 1e6 bytes), and direct/legacy and v2/legacy ratios. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stacktab/st_stacktab.h"
#include "bench_common.h"


static size_t symbolize(void *u, uint64_t pc, st_enc_frame *out, size_t max) {
  (void)u;
  size_t i = (size_t)(pc >> 4) % NSYM, n = (i % 8 == 0) ? 2 : 1;
  for (size_t k = 0; k < n && k < max; k++) {
    size_t j = (i + k * 7) % NSYM;
    out[k] = (st_enc_frame){pc, g_names[j], g_name_len[j], "/src/pkg/file.go", 16, 10 + j};
  }
  return n;
}

typedef struct {
  uint64_t bytes, batches;
} counter;
static int sink(void *u, const uint8_t *p, size_t n) {
  (void)p;
  counter *c = u;
  c->bytes += n;
  c->batches++;
  return 0;
}
static uint64_t clk(void *u) {
  (void)u;
  static uint64_t t;
  return ++t;
}


typedef struct {
  double secs;
  uint64_t frames, bytes, records, rounds;
} result;

static result bench(st_dump_algo algo, uint64_t (*stacks)[65], size_t nstacks, double min_secs) {
  static uint8_t mem[ST_V2_BUF_SIZE], smem[ST_V2_BUF_SIZE];
  int v2 = algo == ST_ALGO_V2;
  result r = {0};
  counter c = {0};
  st_tbuf b, sb;
  st_strtab s;
  st_stacktab t;
  st_dumper d;
  st_dump_config cfg;
  st_dump_config_default(&cfg);
  cfg.algo = algo;
  cfg.symbolize = symbolize;
  /* v1: one 64488-byte buffer for strings and stacks; v2: the stack writer's 65504-byte
   * buffer and the string table's own, both with v2 batch headers. */
  size_t cap = v2 ? ST_V2_BUF_SIZE : ST_DEFAULT_BUF_SIZE;
  if (v2) cfg.pid = UINT64_MAX;
  if (st_tbuf_init(&b, mem, cap, sink, &c, clk, NULL) ||
      st_tbuf_init(&sb, smem, cap, sink, &c, clk, NULL) ||
      (v2 && (st_tbuf_set_v2(&b, 1, -1) || st_tbuf_set_v2(&sb, 1, -1))) ||
      st_strtab_init(&s, NULL) || st_stacktab_init(&t, NULL) ||
      st_dumper_init(&d, &cfg, &b, &s, NULL)) {
    fprintf(stderr, "init failed\n");
    exit(1);
  }
  if (v2) {
    st_strtab_set_v2(&s);
    st_dumper_set_string_buf(&d, &sb);
  }
  do { /* at least one round, so that SECONDS 0 means exactly one */
    uint64_t id;
    for (size_t i = 0; i < nstacks; i++) st_stacktab_put(&t, &stacks[i][1], (size_t)stacks[i][0], &id);
    st_strtab_reset(&s);
    uint64_t b0 = c.bytes, f0 = d.frames_written, r0 = d.records_written;
    double t0 = now();
    if ((!v2 && st_tbuf_flush(&b, 0)) || st_dump_table(&d, &t) || st_tbuf_finish(&b) ||
        st_tbuf_finish(&sb)) {
      fprintf(stderr, "dump failed\n");
      exit(1);
    }
    r.secs += now() - t0;
    r.bytes += c.bytes - b0;
    r.frames += d.frames_written - f0;
    r.records += d.records_written - r0;
    r.rounds++;
  } while (r.secs < min_secs);
  st_dumper_free(&d);
  st_stacktab_free(&t);
  st_strtab_free(&s);
  return r;
}

int main(int argc, char **argv) {
  size_t nstacks = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 20000;
  double secs = argc > 2 ? atof(argv[2]) : 1.0;
  int only = -1; /* -1: every algorithm; else the index of the one to run */
  if (argc > 3)
    only = !strcmp(argv[3], "legacy") ? 0 : !strcmp(argv[3], "direct") ? 1 : !strcmp(argv[3], "v2") ? 2 : -2;
  if (nstacks == 0 || secs < 0 || only == -2) {
    fprintf(stderr, "usage: st_bench_encode [STACKS [SECONDS [legacy|direct|v2]]]\n");
    return 2;
  }
  make_names();
  uint64_t(*stacks)[65] = calloc(nstacks, sizeof *stacks);
  for (size_t i = 0; i < nstacks; i++) {
    size_t n = 1 + rnd() % 64;
    stacks[i][0] = n;
    for (size_t k = 0; k < n; k++) stacks[i][1 + k] = 0x400000 + (rnd() % NSYM) * 16;
    stacks[i][1] = 0x400000 + i * 16 * NSYM + 16; /* distinct first PC: distinct stacks */
  }
  /* Alternate the two algorithms in 5 slices each, so that a change in machine load during
   * the run weighs on both alike and the ratio stays meaningful. */
  static const st_dump_algo algos[3] = {ST_ALGO_LEGACY, ST_ALGO_DIRECT, ST_ALGO_V2};
  result r[3];
  memset(r, 0, sizeof r);
  for (int slice = 0; slice < 5; slice++) {
    for (int a = 0; a < 3; a++) {
      if (only >= 0 && a != only) continue;
      result x = bench(algos[a], stacks, nstacks, secs / 5);
      r[a].secs += x.secs;
      r[a].frames += x.frames;
      r[a].bytes += x.bytes;
      r[a].records += x.records;
      r[a].rounds += x.rounds;
    }
  }
  int first = only >= 0 ? only : 0;
  printf("stack-table dump, %zu stacks, %llu frames and %llu bytes per dump (%s)\n", nstacks,
         (unsigned long long)(r[first].frames / r[first].rounds),
         (unsigned long long)(r[first].bytes / r[first].rounds),
         first == 2 ? "v2" : first ? "direct" : "legacy");
  printf("%-8s %8s %14s %10s %12s\n", "algo", "rounds", "frames/s", "MB/s", "bytes/dump");
  const char *names[3] = {"legacy", "direct", "v2"};
  double fps[3], mbs[3];
  for (int a = 0; a < 3; a++) {
    if (only >= 0 && a != only) continue;
    fps[a] = r[a].frames / r[a].secs;
    mbs[a] = r[a].bytes / r[a].secs / 1e6;
    printf("%-8s %8llu %14.0f %10.1f %12llu\n", names[a], (unsigned long long)r[a].rounds, fps[a],
           mbs[a], (unsigned long long)(r[a].bytes / r[a].rounds));
  }
  if (only < 0) {
    printf("direct/legacy: frames/s %.2fx, MB/s %.2fx, output size %.3fx\n", fps[1] / fps[0],
         mbs[1] / mbs[0], (double)r[1].bytes / r[1].rounds / ((double)r[0].bytes / r[0].rounds));
    printf("v2/legacy:     frames/s %.2fx, MB/s %.2fx, output size %.3fx\n", fps[2] / fps[0],
         mbs[2] / mbs[0], (double)r[2].bytes / r[2].rounds / ((double)r[0].bytes / r[0].rounds));
  }
  free(stacks);
  return 0;
}

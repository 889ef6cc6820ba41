/* What both benchmarks need: a monotonic clock in seconds, a fixed pseudo-random sequence (so
 * every run builds the same input), and 4096 symbol names of 10..90 bytes drawn from it. */
#ifndef ST_BENCH_COMMON_H
#define ST_BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64 from a fixed seed. */
static uint64_t g_rng = 88172645463325252ull;
static uint64_t rnd(void) {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 7;
  g_rng ^= g_rng << 17;
  return g_rng;
}

#define NSYM 4096
static char g_names[NSYM][96];
static size_t g_name_len[NSYM];

/* "pkgN.func" padded with letters to a length of 10..90 bytes, one rnd() per name. */
static void make_names(void) {
  for (size_t i = 0; i < NSYM; i++) {
    size_t l = 10 + rnd() % 80;
    int k = snprintf(g_names[i], sizeof g_names[i], "pkg%zu.func", i);
    for (size_t j = (size_t)k; j < l; j++) g_names[i][j] = (char)('a' + (i + j) % 26);
    g_name_len[i] = l;
  }
}

#endif

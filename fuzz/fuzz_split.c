/* split: the same trace pushed whole and in chunks must give the same events and
 * diagnostics, byte for byte (offsets, arguments, strings, frames, messages) and the same
 * final status and counts. Without an event callback the decoder takes other fast paths
 * (whole stack records, SIMD or not): their diagnostics must be those of the callback runs,
 * whole with all the CPU has and split with less (cfg.no_simd).
 *
 * Input layout (so the fuzzer chooses the split points):
 *   byte 0        bit 0: go mode instead of strict; bits 1-4: number of split points k (0-15);
 *                 bit 5: also feed one byte at a time; bit 6: insert empty pushes; bit 7: the
 *                 chunked run without a callback uses SSE2 alone (cfg.no_simd 2), else no
 *                 vector instructions (1)
 *   2 x k bytes   split points, little-endian uint16, taken modulo (trace length + 1)
 *   the rest      the trace
 * The seed corpus wraps real traces in this layout (ci/make-seeds.sh). */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

typedef struct {
  fz_log log;   /* events and diagnostics */
  fz_log diags; /* diagnostics alone */
} sink;

static void on_event(void *user, const st_event *ev) { fz_log_event(&((sink *)user)->log, ev); }
static void on_diag(void *user, const st_diag *d) {
  fz_log_diag(&((sink *)user)->log, d);
  fz_log_diag(&((sink *)user)->diags, d);
}

static int cmp_size(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return x < y ? -1 : x > y;
}

/* Decodes trace[0..len) pushing the chunks between the sorted cut points; logs the status
 * and counts at the end. With bytewise, every push is one byte. */
static void decode(const uint8_t *trace, size_t len, st_mode mode, const size_t *cuts, size_t k,
                   int bytewise, int empties, int events, int no_simd, fz_log *out,
                   fz_log *diags) {
  sink s;
  memset(&s, 0, sizeof s);
  fz_heap heap;
  st_alloc alloc;
  fz_heap_init(&heap, &alloc, 0);
  st_decode_config cfg;
  st_decode_config_default(&cfg);
  cfg.mode = mode;
  cfg.alloc = &alloc;
  cfg.on_event = events ? on_event : NULL;
  cfg.on_diag = on_diag;
  cfg.no_simd = no_simd;
  cfg.user = &s;
  st_decoder d;
  FZ_CHECK(st_decoder_init(&d, &cfg) == ST_OK, "init failed");
  size_t prev = 0;
  for (size_t i = 0; i <= k; i++) {
    size_t end = i < k ? cuts[i] : len;
    if (bytewise) {
      for (size_t j = prev; j < end; j++) (void)st_decoder_push(&d, trace + j, 1);
    } else {
      (void)st_decoder_push(&d, trace + prev, end - prev);
    }
    if (empties) (void)st_decoder_push(&d, trace + end, 0);
    prev = end;
  }
  st_status fs = st_decoder_finish(&d);
  fz_log_u64(&s.log, (uint64_t)(int64_t)fs);
  fz_log_u64(&s.log, st_decoder_errors(&d));
  fz_log_u64(&s.log, st_decoder_warnings(&d));
  fz_log_u64(&s.log, (uint64_t)st_decoder_version(&d));
  fz_log_u64(&s.diags, (uint64_t)(int64_t)fs);
  fz_log_u64(&s.diags, st_decoder_errors(&d));
  fz_log_u64(&s.diags, st_decoder_warnings(&d));
  st_decoder_free(&d);
  FZ_CHECK(heap.live_blocks == 0, "leak: %llu blocks live after free",
           (unsigned long long)heap.live_blocks);
  *out = s.log;
  *diags = s.diags;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fz_reader r = {data, size, 0};
  uint8_t flags = fz_u8(&r);
  st_mode mode = (flags & 1) ? ST_MODE_GO : ST_MODE_STRICT;
  size_t k = (flags >> 1) & 15;
  int bytewise = (flags >> 5) & 1, empties = (flags >> 6) & 1;
  uint16_t raw[15];
  for (size_t i = 0; i < k; i++) raw[i] = fz_u16(&r);
  const uint8_t *trace = data + r.pos;
  size_t len = fz_left(&r);
  /* Byte-at-a-time costs a parse attempt per byte; keep it to inputs that stay fast. */
  if (len > 16384) bytewise = 0;
  size_t cuts[15];
  for (size_t i = 0; i < k; i++) cuts[i] = raw[i] % (len + 1);
  qsort(cuts, k, sizeof cuts[0], cmp_size);

  fz_log whole, split, whole_diags, split_diags, quiet, quiet_diags, scalar, scalar_diags;
  decode(trace, len, mode, NULL, 0, 0, 0, 1, 0, &whole, &whole_diags);
  decode(trace, len, mode, cuts, k, bytewise, empties, 1, 0, &split, &split_diags);
  FZ_CHECK(fz_log_equal(&whole, &split),
           "chunked decode differs from the whole-buffer decode at log byte %zu (%zu vs %zu "
           "bytes; %zu cuts, bytewise %d)",
           fz_log_diff_at(&whole, &split), whole.len, split.len, k, bytewise);
  decode(trace, len, mode, NULL, 0, 0, 0, 0, 0, &quiet, &quiet_diags);
  decode(trace, len, mode, cuts, k, 0, empties, 0, (flags >> 7) ? 2 : 1, &scalar, &scalar_diags);
  FZ_CHECK(fz_log_equal(&whole_diags, &quiet_diags),
           "without an event callback the diagnostics differ at log byte %zu (%zu vs %zu bytes)",
           fz_log_diff_at(&whole_diags, &quiet_diags), whole_diags.len, quiet_diags.len);
  FZ_CHECK(fz_log_equal(&quiet_diags, &scalar_diags),
           "with no_simd %d (chunked, %zu cuts) the diagnostics differ at log byte %zu (%zu vs "
           "%zu bytes)", (flags >> 7) ? 2 : 1, k, fz_log_diff_at(&quiet_diags, &scalar_diags), quiet_diags.len,
           scalar_diags.len);
  fz_log *logs[] = {&whole, &split, &whole_diags, &split_diags, &quiet, &quiet_diags, &scalar,
                    &scalar_diags};
  for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) fz_log_free(logs[i]);
  return 0;
}

/* decode: arbitrary bytes into the strict and the go-mode decoder.
 *
 * Properties checked on every input:
 *  - no crash, no leak (the accounting allocator must be empty after st_decoder_free), and a
 *    refused allocation always surfaces as ST_E_NOMEM, never as a silent success;
 *  - the reported events tile the input: each starts where the previous ended (the first at
 *    byte 16); no event comes after a rule marked fatal; and when they stop short of the end
 *    of the input, the last diagnostic is an error at the point where they stopped (some
 *    rules not marked fatal, e.g. STACK-NFRAMES on an absurd length, also stop decoding);
 *  - diagnostics are well formed (known rule, its severity, an offset inside the input, a
 *    message) and the status agrees with them (ST_OK exactly when no error was reported);
 *  - go mode is strict mode minus the strict-only rules: the same events, and the same
 *    diagnostics once strict-only ones are removed. In particular strict OK implies go OK. */
#include <stdio.h>
#include <string.h>

#include "fuzz_util.h"

typedef struct {
  st_mode mode;
  size_t input_len;
  fz_log all;        /* every event and diagnostic */
  fz_log common;     /* events and the diagnostics of rules that both modes check */
  uint64_t next_off; /* where the next event must start */
  uint64_t nfatal, nerr, nwarn, nevents;
  int header_diag;   /* a header rule fired (or the input ended inside the header) */
  uint64_t fatal_off;
  uint64_t last_diag_off;
  int last_diag_error;
  uint64_t allocs;   /* allocations the run made */
} run_log;

static void on_event(void *user, const st_event *ev) {
  run_log *r = user;
  FZ_CHECK(ev->off == r->next_off, "event at %llu, but the previous one ended at %llu",
           (unsigned long long)ev->off, (unsigned long long)r->next_off);
  FZ_CHECK(ev->size > 0 && ev->off + ev->size <= r->input_len,
           "event at %llu of %llu bytes in an input of %zu", (unsigned long long)ev->off,
           (unsigned long long)ev->size, r->input_len);
  FZ_CHECK(ev->type > 0 && ev->type < ST_EV_COUNT, "event type %u reported", ev->type);
  FZ_CHECK(ev->version == ST_VER_1_11 || ev->version == ST_VER_1_19 || ev->version == ST_VER_1_21,
           "event with version %d", ev->version);
  /* An EvStack that broke a rule comes with frames == NULL (its nframes is what it declared). */
  if (ev->type == ST_EV_STACK && ev->frames)
    FZ_CHECK(ev->nframes <= ST_MAX_FRAMES, "EvStack with %llu frames delivered",
             (unsigned long long)ev->nframes);
  FZ_CHECK(r->nfatal == 0, "event at %llu after a fatal rule at %llu",
           (unsigned long long)ev->off, (unsigned long long)r->fatal_off);
  r->next_off = ev->off + ev->size;
  r->nevents++;
  fz_log_event(&r->all, ev);
  fz_log_event(&r->common, ev);
}

static void on_diag(void *user, const st_diag *d) {
  run_log *r = user;
  FZ_CHECK(d->rule > ST_RULE_NONE && d->rule < ST_RULE_COUNT, "diagnostic with rule %d", d->rule);
  const st_rule_desc *rd = st_rule_describe(d->rule);
  FZ_CHECK(d->severity == rd->severity, "%s reported with severity %d", rd->id, d->severity);
  FZ_CHECK(d->off <= r->input_len, "%s at offset %llu, input is %zu bytes", rd->id,
           (unsigned long long)d->off, r->input_len);
  FZ_CHECK(d->message[0] != '\0', "%s without a message", rd->id);
  FZ_CHECK(memchr(d->message, 0, sizeof d->message) != NULL, "%s message not terminated", rd->id);
  FZ_CHECK(r->mode == ST_MODE_STRICT || !rd->strict_only,
           "strict-only rule %s reported in go mode", rd->id);
  if (rd->fatal) {
    r->nfatal++;
    r->fatal_off = d->off;
  }
  if (d->rule == ST_RULE_HDR_BAD || d->rule == ST_RULE_HDR_UNSUPPORTED ||
      (d->rule == ST_RULE_TRUNCATED && d->off == 0 && r->next_off == ST_HEADER_SIZE &&
       r->input_len < ST_HEADER_SIZE))
    r->header_diag = 1;
  r->last_diag_off = d->off;
  r->last_diag_error = d->severity == ST_SEV_ERROR;
  if (d->severity == ST_SEV_ERROR)
    r->nerr++;
  else
    r->nwarn++;
  fz_log_diag(&r->all, d);
  if (!rd->strict_only) fz_log_diag(&r->common, d);
}

/* One decode of the whole input in one push; checks the per-run properties. */
static st_status run(const uint8_t *data, size_t size, st_mode mode, run_log *r) {
  memset(r, 0, sizeof *r);
  r->mode = mode;
  r->input_len = size;
  r->next_off = ST_HEADER_SIZE;
  fz_heap heap;
  st_alloc alloc;
  fz_heap_init(&heap, &alloc, 0);
  st_decode_config cfg;
  st_decode_config_default(&cfg);
  cfg.mode = mode;
  cfg.alloc = &alloc;
  cfg.on_event = on_event;
  cfg.on_diag = on_diag;
  cfg.user = r;
  st_decoder d;
  st_status s = st_decoder_init(&d, &cfg);
  FZ_CHECK(s == ST_OK, "init failed: %d", s);
  st_status ps = st_decoder_push(&d, data, size);
  st_status fs = st_decoder_finish(&d);
  FZ_CHECK(st_decoder_errors(&d) == r->nerr, "decoder counts %llu errors, reported %llu",
           (unsigned long long)st_decoder_errors(&d), (unsigned long long)r->nerr);
  FZ_CHECK(st_decoder_warnings(&d) == r->nwarn, "decoder counts %llu warnings, reported %llu",
           (unsigned long long)st_decoder_warnings(&d), (unsigned long long)r->nwarn);
  FZ_CHECK(st_decoder_push(&d, data, size) == ST_E_STATE, "push after finish accepted");
  st_decoder_free(&d);
  r->allocs = heap.allocs;
  FZ_CHECK(heap.live_blocks == 0 && heap.live_bytes == 0,
           "leak: %llu blocks, %llu bytes still live after st_decoder_free",
           (unsigned long long)heap.live_blocks, (unsigned long long)heap.live_bytes);

  FZ_CHECK(ps == ST_OK || ps == ST_E_INVALID, "push returned %d", ps);
  FZ_CHECK(fs == (r->nerr ? ST_E_INVALID : ST_OK), "finish returned %d with %llu errors", fs,
           (unsigned long long)r->nerr);
  FZ_CHECK(ps == ST_OK || r->nerr > 0, "push said invalid with no error reported");
  FZ_CHECK(r->nfatal <= 1, "%llu fatal diagnostics: decoding must stop at the first",
           (unsigned long long)r->nfatal);
  if (size < ST_HEADER_SIZE) {
    FZ_CHECK(fs == ST_E_INVALID && r->nevents == 0, "a %zu-byte input decoded", size);
  } else if (!r->header_diag) {
    if (r->nfatal)
      FZ_CHECK(r->fatal_off == r->next_off, "fatal rule at %llu, but events end at %llu",
               (unsigned long long)r->fatal_off, (unsigned long long)r->next_off);
    if (r->next_off != size)
      FZ_CHECK(r->last_diag_error && r->last_diag_off == r->next_off,
               "events end at %llu, input at %zu, with no error there to say why",
               (unsigned long long)r->next_off, size);
  }
  return fs;
}

/* One more strict decode whose allocator refuses allocation number fail_at. */
static void run_refusing(const uint8_t *data, size_t size, uint64_t fail_at, const fz_log *full) {
  run_log r;
  memset(&r, 0, sizeof r);
  r.mode = ST_MODE_STRICT;
  r.input_len = size;
  r.next_off = ST_HEADER_SIZE;
  fz_heap heap;
  st_alloc alloc;
  fz_heap_init(&heap, &alloc, fail_at);
  st_decode_config cfg;
  st_decode_config_default(&cfg);
  cfg.alloc = &alloc;
  cfg.on_event = on_event;
  cfg.on_diag = on_diag;
  cfg.user = &r;
  st_status s = st_decode_buffer(&cfg, data, size);
  FZ_CHECK(heap.live_blocks == 0, "leak after refused allocation %llu: %llu blocks live",
           (unsigned long long)fail_at, (unsigned long long)heap.live_blocks);
  if (heap.refused) {
    FZ_CHECK(s == ST_E_NOMEM, "allocation %llu refused, but the decode returned %d",
             (unsigned long long)fail_at, s);
    /* What was reported before the refusal is a prefix of the full run. */
    FZ_CHECK(r.all.len <= full->len && (r.all.len == 0 || memcmp(r.all.p, full->p, r.all.len) == 0),
             "reports before the refused allocation differ from the full run");
  } else {
    FZ_CHECK(fz_log_equal(&r.all, full), "same allocations, different reports");
  }
  fz_log_free(&r.all);
  fz_log_free(&r.common);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  run_log strict, go;
  st_status ss = run(data, size, ST_MODE_STRICT, &strict);
  st_status gs = run(data, size, ST_MODE_GO, &go);
  FZ_CHECK(ss != ST_OK || gs == ST_OK, "strict mode accepts, go mode rejects");
  FZ_CHECK(fz_log_equal(&strict.common, &go.common),
           "go mode differs from strict mode beyond the strict-only rules (byte %zu of %zu/%zu)",
           fz_log_diff_at(&strict.common, &go.common), strict.common.len, go.common.len);

  /* Refuse one of the allocations the run makes (picked from the input, so the fuzzer can
   * steer it) and check the failure path. */
  uint64_t n = strict.allocs;
  if (n > 0) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 1099511628211ull;
    run_refusing(data, size, 1 + h % n, &strict.all);
  }
  fz_log_free(&strict.all);
  fz_log_free(&strict.common);
  fz_log_free(&go.all);
  fz_log_free(&go.common);
  return 0;
}

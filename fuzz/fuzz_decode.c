/* decode: arbitrary bytes into the strict and the go-mode decoder.
 *
 * Properties checked on every input:
 *  - no crash, no leak (the accounting allocator must be empty after st_decoder_free), and a
 *    refused allocation always surfaces as ST_E_NOMEM, never as a silent success;
 *  - the reported events tile the input: each starts where the previous ended (the first at
 *    byte 16; v2: after a frequency batch's Frequency, at the batch's end, as the bytes after
 *    it are skipped); no event after a rule marked fatal, except events held back for late
 *    name resolution, which are released then and lie before it; and when they stop short of
 *    the end of the input, the last diagnostic is an error at the point where they stopped
 *    (some rules not marked fatal, e.g. STACK-NFRAMES on an absurd length, also stop decoding);
 *  - events are of the format and version of the header; v2 events carry the generation,
 *    offset and M of the batch header they follow, and lie inside that batch;
 *  - diagnostics are well formed (known rule, its severity, an offset inside the input, a
 *    message) and the status agrees with them (ST_OK exactly when no error was reported);
 *  - go mode is strict mode minus the strict-only rules: the same events, and the same
 *    diagnostics once strict-only ones are removed (strict-only for the trace's format). In
 *    particular strict OK implies go OK. One more difference: go mode reads a Go 1.22 trace
 *    with Go 1.23's tables, so where strict mode stops at a 1.23-only event (EVENT-UNKNOWN) or
 *    experimental batch (BATCH-EXPECTED), go mode may go on: there only what comes before
 *    that diagnostic must agree. */
#include <stdio.h>
#include <string.h>

#include "fuzz_util.h"

typedef struct {
  st_mode mode;
  size_t input_len;
  fz_log all;        /* every event and diagnostic */
  fz_log common;     /* events and the diagnostics of rules that both modes check */
  fz_log skel;       /* events without their frames' resolved names */
  fz_log diags;      /* diagnostics only */
  uint64_t next_off; /* where the next event must start */
  uint64_t nfatal, nerr, nwarn, nevents;
  int header_diag;   /* a header rule fired (or the input ended inside the header) */
  uint64_t fatal_off;
  uint64_t last_diag_off;
  int last_diag_error;
  uint64_t allocs;   /* allocations the run made */
  const st_decoder *dec;
  int dec_version;
  /* v2: the batch the events are in (its header's offset, generation, M, end). */
  int in_v2_batch;
  uint64_t b_off, b_gen, b_m, b_end;
  /* Length of `common` before the fatal diagnostic, and that diagnostic's rule. */
  size_t common_before_fatal;
  st_rule fatal_rule;
} run_log;

/* The event without the names of its frames: a decode that fails part way delivers the events
 * it held with the names known then (fewer than at the end of the generation). */
static void log_skeleton(fz_log *l, const st_event *ev) {
  static st_frame frames[ST_MAX_FRAMES];
  st_event e = *ev;
  if (ev->frames) {
    uint64_t n = ev->nframes < ST_MAX_FRAMES ? ev->nframes : ST_MAX_FRAMES;
    for (uint64_t i = 0; i < n; i++) {
      frames[i] = ev->frames[i];
      frames[i].fn = frames[i].file = NULL;
      frames[i].fn_len = frames[i].file_len = 0;
    }
    e.frames = frames;
  }
  fz_log_event(l, &e);
}

static int log_prefix(const fz_log *a, const fz_log *full) {
  return a->len <= full->len && (a->len == 0 || memcmp(a->p, full->p, a->len) == 0);
}

static void run_log_free(run_log *r) {
  fz_log_free(&r->all);
  fz_log_free(&r->common);
  fz_log_free(&r->skel);
  fz_log_free(&r->diags);
}

static void check_v2_event(run_log *r, const st_event *ev) {
  FZ_CHECK(ev->type < ST_EV2_COUNT && st_event2_describe(ev->type) != NULL,
           "v2 event type %u reported", ev->type);
  FZ_CHECK(ev->version == ST_VER_1_22 || ev->version == ST_VER_1_23 || ev->version == ST_VER_1_25,
           "v2 event with version %d", ev->version);
  FZ_CHECK(ev->field == 0, "v2 event with field %u", ev->field);
  if (ev->type == ST_EV2_STACK && ev->frames)
    FZ_CHECK(ev->nframes <= ST_V2_MAX_FRAMES, "v2 Stack with %llu frames delivered",
             (unsigned long long)ev->nframes);
  if (ev->type == ST_EV2_STRING && ev->str)
    FZ_CHECK(ev->str_len <= ST_V2_MAX_STRING_LEN, "v2 String of %zu bytes", ev->str_len);
  int header = !r->in_v2_batch;
  if (header) {
    FZ_CHECK(ev->type == ST_EV2_EVENT_BATCH || ev->type == ST_EV2_EXPERIMENTAL_BATCH,
             "v2 event %u at %llu outside any batch", ev->type, (unsigned long long)ev->off);
    FZ_CHECK(ev->gen != 0 && ev->batch_off == ev->off && ev->has_len && ev->len_width > 0,
             "v2 batch header at %llu: gen %llu, batch_off %llu", (unsigned long long)ev->off,
             (unsigned long long)ev->gen, (unsigned long long)ev->batch_off);
    FZ_CHECK(ev->len <= ST_V2_MAX_BATCH_PAYLOAD, "v2 batch of %llu bytes delivered",
             (unsigned long long)ev->len);
    FZ_CHECK(ev->gen == ev->args[ev->nargs - 4] && ev->batch_m == ev->args[ev->nargs - 3],
             "v2 batch header at %llu: gen/M fields differ from its arguments",
             (unsigned long long)ev->off);
    r->b_off = ev->off;
    r->b_gen = ev->gen;
    r->b_m = ev->batch_m;
    /* An experimental batch's payload is part of its header event. */
    r->b_end = ev->off + ev->size + (ev->type == ST_EV2_EVENT_BATCH ? ev->len : 0);
    r->in_v2_batch = r->b_end > ev->off + ev->size;
  } else {
    FZ_CHECK(ev->gen == r->b_gen && ev->batch_off == r->b_off && ev->batch_m == r->b_m,
             "v2 event at %llu: gen %llu batch %llu M %llu, but its batch (at %llu) is gen %llu "
             "M %llu", (unsigned long long)ev->off, (unsigned long long)ev->gen,
             (unsigned long long)ev->batch_off, (unsigned long long)ev->batch_m,
             (unsigned long long)r->b_off, (unsigned long long)r->b_gen,
             (unsigned long long)r->b_m);
    FZ_CHECK(ev->off + ev->size <= r->b_end, "v2 event at %llu ends past its batch (end %llu)",
             (unsigned long long)ev->off, (unsigned long long)r->b_end);
  }
}

static void on_event(void *user, const st_event *ev) {
  run_log *r = user;
  FZ_CHECK(ev->off == r->next_off, "event at %llu, but the previous one ended at %llu",
           (unsigned long long)ev->off, (unsigned long long)r->next_off);
  FZ_CHECK(ev->size > 0 && ev->off + ev->size <= r->input_len,
           "event at %llu of %llu bytes in an input of %zu", (unsigned long long)ev->off,
           (unsigned long long)ev->size, r->input_len);
  FZ_CHECK(ev->format == st_version_format(ev->version) && ev->format != 0,
           "event with format %u and version %d", ev->format, ev->version);
  FZ_CHECK(ev->version == st_decoder_version(r->dec), "event of version %d in a trace of %d",
           ev->version, st_decoder_version(r->dec));
  if (ev->format == 2) {
    check_v2_event(r, ev);
  } else {
    FZ_CHECK(ev->type > 0 && ev->type < ST_EV_COUNT, "event type %u reported", ev->type);
    FZ_CHECK(ev->version == ST_VER_1_11 || ev->version == ST_VER_1_19 ||
                 ev->version == ST_VER_1_21,
             "event with version %d", ev->version);
    /* An EvStack that broke a rule comes with frames == NULL (its nframes is what it
     * declared). */
    if (ev->type == ST_EV_STACK && ev->frames)
      FZ_CHECK(ev->nframes <= ST_MAX_FRAMES, "EvStack with %llu frames delivered",
               (unsigned long long)ev->nframes);
  }
  /* Held events are released after a fatal rule: they lie before it. */
  FZ_CHECK(r->nfatal == 0 || ev->off + ev->size <= r->fatal_off,
           "event at %llu after a fatal rule at %llu", (unsigned long long)ev->off,
           (unsigned long long)r->fatal_off);
  r->next_off = ev->off + ev->size;
  if (ev->format == 2 && r->in_v2_batch) {
    /* The bytes after a frequency batch's Frequency are skipped (BATCH-TRAILING in strict). */
    /* (Before 1.25 a Frequency can only be the first record of a frequency batch.) */
    if (ev->type == ST_EV2_FREQUENCY && ev->version < ST_VER_1_25)
      r->next_off = r->b_end < r->input_len ? r->b_end : r->input_len;
    if (r->next_off >= r->b_end) r->in_v2_batch = 0;
  }
  r->nevents++;
  fz_log_event(&r->all, ev);
  log_skeleton(&r->skel, ev);
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
  const int strict_only = st_rule_strict_only(d->rule, st_decoder_format(r->dec));
  FZ_CHECK(r->mode == ST_MODE_STRICT || !strict_only,
           "strict-only rule %s reported in go mode", rd->id);
  if (rd->fatal) {
    r->nfatal++;
    r->fatal_off = d->off;
    r->fatal_rule = d->rule;
    r->common_before_fatal = r->common.len;
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
  fz_log_diag(&r->diags, d);
  if (!strict_only) fz_log_diag(&r->common, d);
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
  r->dec = &d;
  st_status s = st_decoder_init(&d, &cfg);
  FZ_CHECK(s == ST_OK, "init failed: %d", s);
  st_status ps = st_decoder_push(&d, data, size);
  st_status fs = st_decoder_finish(&d);
  FZ_CHECK(st_decoder_errors(&d) == r->nerr, "decoder counts %llu errors, reported %llu",
           (unsigned long long)st_decoder_errors(&d), (unsigned long long)r->nerr);
  FZ_CHECK(st_decoder_warnings(&d) == r->nwarn, "decoder counts %llu warnings, reported %llu",
           (unsigned long long)st_decoder_warnings(&d), (unsigned long long)r->nwarn);
  FZ_CHECK(st_decoder_push(&d, data, size) == ST_E_STATE, "push after finish accepted");
  r->dec_version = st_decoder_version(&d);
  st_decoder_free(&d);
  r->dec = NULL;
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
static void run_refusing(const uint8_t *data, size_t size, uint64_t fail_at, const run_log *full) {
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
  st_decoder d;
  r.dec = &d;
  st_status s = st_decoder_init(&d, &cfg);
  if (s == ST_OK) {
    st_status ps = st_decoder_push(&d, data, size);
    s = st_decoder_finish(&d);
    if (ps == ST_E_NOMEM) s = ps;
  }
  st_decoder_free(&d);
  FZ_CHECK(heap.live_blocks == 0, "leak after refused allocation %llu: %llu blocks live",
           (unsigned long long)fail_at, (unsigned long long)heap.live_blocks);
  if (heap.refused) {
    FZ_CHECK(s == ST_E_NOMEM, "allocation %llu refused, but the decode returned %d",
             (unsigned long long)fail_at, s);
    /* What was reported before the refusal is a prefix of the full run: the events (held
     * ones are released at the refusal, with the names known then, and so come earlier
     * relative to the diagnostics and may lack names) and the diagnostics, each on its own. */
    FZ_CHECK(log_prefix(&r.skel, &full->skel),
             "events before the refused allocation differ from the full run");
    FZ_CHECK(log_prefix(&r.diags, &full->diags),
             "diagnostics before the refused allocation differ from the full run");
  } else {
    FZ_CHECK(fz_log_equal(&r.all, &full->all), "same allocations, different reports");
  }
  run_log_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  run_log strict, go;
  st_status ss = run(data, size, ST_MODE_STRICT, &strict);
  st_status gs = run(data, size, ST_MODE_GO, &go);
  FZ_CHECK(ss != ST_OK || gs == ST_OK, "strict mode accepts, go mode rejects");
  if (strict.dec_version == ST_VER_1_22 && strict.nfatal &&
      (strict.fatal_rule == ST_RULE_EVENT_UNKNOWN || strict.fatal_rule == ST_RULE_BATCH_EXPECTED)) {
    size_t n = strict.common_before_fatal;
    FZ_CHECK(go.common.len >= n && memcmp(go.common.p, strict.common.p, n) == 0,
             "go mode differs from strict mode before strict mode's %s on a 1.22 trace",
             st_rule_id(strict.fatal_rule));
  } else {
    FZ_CHECK(fz_log_equal(&strict.common, &go.common),
             "go mode differs from strict mode beyond the strict-only rules (byte %zu of %zu/%zu)",
             fz_log_diff_at(&strict.common, &go.common), strict.common.len, go.common.len);
  }

  /* Refuse one of the allocations the run makes (picked from the input, so the fuzzer can
   * steer it) and check the failure path. */
  uint64_t n = strict.allocs;
  if (n > 0) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 1099511628211ull;
    run_refusing(data, size, 1 + h % n, &strict);
  }
  run_log_free(&strict);
  run_log_free(&go);
  return 0;
}

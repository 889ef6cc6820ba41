/* The v2 framing (Go 1.22+): batches found by their size, batch kinds by the first payload
 * byte, the records of each kind, generations, and the per-generation checks that run when a
 * generation ends (frequency present, every string and stack reference defined). */
#include <string.h>

#include "decode_int.h"
#include "idmap.h"

/* What the next bytes are: a batch header, or a record of the current batch's kind. */
enum { K_HEADER = 0, K_FIRST, K_STRINGS, K_STACKS, K_CPU, K_EVENTS, K_SYNC, K_TRAIL };

static const char *kind_name(int kind) {
  switch (kind) {
    case K_STRINGS: return "strings";
    case K_STACKS: return "stacks";
    case K_CPU: return "CPU-sample";
    default: return "sync";
  }
}

/* ---- parsing (no side effects) ---- */

static int parse_header(st_decoder *d, sti_parse *P, uint64_t off) {
  const uint8_t b = P->p[0];
  if (b == 'g' && !P->eof && P->avail < 5) {
    P->need = 5;
    return R_NEED;
  }
  if (sti_is_header(P)) {
    sti_pend(P, ST_RULE_HDR_REPEATED,
             "a second trace header starts here: several traces concatenated in one file");
    return R_FATAL;
  }
  /* The 1.22 runtime writes no experimental batch; Go 1.23's reader takes one in any v2 file. */
  int exp = b == ST_EV2_EXPERIMENTAL_BATCH &&
            (d->version >= ST_VER_1_23 || d->cfg.mode == ST_MODE_GO);
  if (b != ST_EV2_EVENT_BATCH && !exp) {
    sti_pend(P, ST_RULE_BATCH_EXPECTED,
             "expected a batch header (byte 0x01%s), got byte 0x%02x",
             d->version >= ST_VER_1_23 ? " or 0x31" : "", b);
    return R_FATAL;
  }
  st_event *ev = &P->ev;
  ev->type = b;
  P->pos = 1;
  unsigned a = 0;
  if (exp) {
    int r = sti_have(P, 2);
    if (r != R_OK) return r;
    ev->args[a++] = P->p[1];
    P->pos = 2;
  }
  size_t w;
  RD("batch generation", &ev->args[a], NULL);
  RD("batch M", &ev->args[a + 1], NULL);
  RD("batch time", &ev->args[a + 2], NULL);
  RD("batch size", &ev->args[a + 3], &w);
  ev->nargs = (uint8_t)(a + 4);
  P->nargs = ev->nargs;
  uint64_t gen = ev->args[a], size = ev->args[a + 3];
  ev->has_len = 1;
  ev->len = size;
  ev->len_width = (uint8_t)w;
  ev->gen = gen;
  ev->batch_off = off;
  ev->batch_m = ev->args[a + 1];
  if (size > ST_V2_MAX_BATCH_PAYLOAD) {
    sti_pend(P, ST_RULE_BATCH_SIZE, "batch size %llu is over the maximum of 65536",
             (unsigned long long)size);
    return R_FATAL;
  }
  if (gen == 0) {
    sti_pend(P, ST_RULE_GEN_ZERO, "batch of generation 0 (generations start at 1)");
    return R_FATAL;
  }
  P->next_kind = size ? K_FIRST : K_HEADER;
  if (exp) {
    /* An experimental batch's payload is opaque: it is one event with its data. */
    int r = sti_rd_bytes(P, size);
    if (r != R_OK) return r;
    P->next_kind = K_HEADER;
  }
  return R_OK;
}

static int parse_args(sti_parse *P, uint64_t off, unsigned n) {
  for (unsigned i = 0; i < n; i++) RD("argument", &P->ev.args[i], NULL);
  P->ev.nargs = (uint8_t)n;
  P->nargs = n;
  return R_OK;
}

static int parse_stack(st_decoder *d, sti_parse *P, uint64_t off) {
  st_event *ev = &P->ev;
  uint64_t n;
  RD("Stack ID", &ev->stack_id, NULL);
  RD("Stack frame count", &n, NULL);
  ev->nframes = n;
  if (n > ST_V2_MAX_FRAMES) {
    sti_pend(P, ST_RULE_STACK_TOO_DEEP, "Stack %llu has %llu frames, over 128",
             (unsigned long long)ev->stack_id, (unsigned long long)n);
    return R_FATAL;
  }
  uint64_t k = sti_fast_frames(d, P, P->avail, n);
  for (; k < 4 * n; k++) {
    st_frame *f = &d->frames[k / 4];
    uint64_t *v = k % 4 == 0 ? &f->pc : k % 4 == 1 ? &f->fn_id : k % 4 == 2 ? &f->file_id
                                                                            : &f->line;
    const int r = sti_rd(P, off, "Stack frame", v, NULL);
    if (r == R_NEED && !P->eof) {
      /* Every varint after this one has a byte at least: wait for them all, or a stream of
       * small pushes parses the record again for each byte (sti_v2_step caps this at the
       * batch's end). */
      P->need += (size_t)(4 * n - k - 1);
      P->need_ahead = 1;
    }
    if (r != R_OK) return r;
  }
  ev->frames = d->frames;
  return R_OK;
}

static int parse_event(st_decoder *d, sti_parse *P, uint64_t off) {
  const uint8_t b = P->p[0];
  if (!d->allowed[b]) {
    const st_event2_desc *e = st_event2_describe(b);
    if (e && e->min_ver <= d->version && !e->timed)
      sti_pend(P, ST_RULE_EVENT_UNKNOWN, "%s (byte 0x%02x) inside an event batch", e->name, b);
    else
      sti_pend(P, ST_RULE_EVENT_UNKNOWN, "unknown event type %u (byte 0x%02x) for go 1.%d", b, b,
               d->version % 1000);
    return R_FATAL;
  }
  return parse_args(P, off, st_event2_describe(b)->nargs);
}

static int parse_v2(st_decoder *d, sti_parse *P, uint64_t off, int kind) {
  st_event *ev = &P->ev;
  ev->off = off;
  ev->version = d->version;
  ev->format = 2;
  if (kind == K_HEADER) return parse_header(d, P, off);
  const uint8_t b = P->p[0];
  ev->type = b;
  P->pos = 1;
  P->next_kind = kind;
  if (kind == K_FIRST) {
    P->next_kind = K_EVENTS;
    switch (b) {
      case ST_EV2_STRINGS: P->next_kind = K_STRINGS; return R_OK;
      case ST_EV2_STACKS: P->next_kind = K_STACKS; return R_OK;
      case ST_EV2_CPU_SAMPLES: P->next_kind = K_CPU; return R_OK;
      case ST_EV2_FREQUENCY:
        if (d->version >= ST_VER_1_25) break;
        P->next_kind = K_TRAIL;
        return parse_args(P, off, 1);
      case ST_EV2_SYNC:
        if (d->version < ST_VER_1_25) break;
        P->next_kind = K_SYNC;
        return R_OK;
      default:
        break;
    }
    kind = K_EVENTS;
  }
  static const uint8_t want[] = {[K_STRINGS] = ST_EV2_STRING, [K_STACKS] = ST_EV2_STACK,
                                 [K_CPU] = ST_EV2_CPU_SAMPLE};
  switch (kind) {
    case K_EVENTS:
      return parse_event(d, P, off);
    case K_SYNC:
      if (b == ST_EV2_FREQUENCY) return parse_args(P, off, 1);
      if (b == ST_EV2_CLOCK_SNAPSHOT) return parse_args(P, off, 4);
      sti_pend(P, ST_RULE_BATCH_RECORD,
               "expected Frequency (0x08) or ClockSnapshot (0x33) in a sync batch, got byte "
               "0x%02x", b);
      return R_FATAL;
    default:
      break;
  }
  if (b != want[kind]) {
    sti_pend(P, ST_RULE_BATCH_RECORD, "expected %s (0x%02x) in a %s batch, got byte 0x%02x",
             st_event2_describe(want[kind])->name, want[kind], kind_name(kind), b);
    return R_FATAL;
  }
  if (kind == K_CPU) return parse_args(P, off, 5);
  if (kind == K_STACKS) return parse_stack(d, P, off);
  uint64_t len;
  RD("String ID", &ev->str_id, NULL);
  RD("String length", &len, NULL);
  if (len > ST_V2_MAX_STRING_LEN) {
    sti_pend(P, ST_RULE_STRING_TOO_LONG, "String %llu has length %llu, over 1024",
             (unsigned long long)ev->str_id, (unsigned long long)len);
    return R_FATAL;
  }
  return sti_rd_bytes(P, len);
}

/* ---- generations ---- */

static void report_cpu_stacks(st_decoder *d) {
  uint64_t first_off = 0, first_id = 0, count = 0;
  const st_idmap *m = &d->pend_cpu_stacks;
  for (size_t i = 0; i < m->cap; i++) {
    uint64_t id = m->keys[i], o = m->vals[i];
    if (!id || sti_stack_is_defined(d, id)) continue;
    if (count++ == 0 || o < first_off || (o == first_off && id < first_id)) {
      first_off = o;
      first_id = id;
    }
  }
  if (count)
    sti_reportf(d, ST_RULE_CPU_STACK_UNDEFINED, first_off,
                "CPU sample names stack %llu, which generation %llu never defines (%llu such "
                "IDs in the generation)", (unsigned long long)first_id,
                (unsigned long long)d->gen, (unsigned long long)count);
}

/* The checks that need the whole generation, then its tables are released. */
static void end_generation(st_decoder *d) {
  if (d->gen_freqs == 0)
    sti_reportf(d, ST_RULE_FREQ_MISSING, d->gen_off,
                "generation %llu (first batch at offset %llu) has no %s batch",
                (unsigned long long)d->gen, (unsigned long long)d->gen_off,
                d->version >= ST_VER_1_25 ? "sync" : "frequency");
  if (d->gen_timed == 0)
    sti_reportf(d, ST_RULE_GEN_NO_EVENTS, d->gen_off,
                "generation %llu (first batch at offset %llu) has no timed event",
                (unsigned long long)d->gen, (unsigned long long)d->gen_off);
  sti_report_pending(d, &d->pend_frame_strings, ST_RULE_STACK_STRING_UNDEFINED,
                     "a stack frame names string");
  sti_report_pending(d, &d->pend_event_strings, ST_RULE_STRING_UNDEFINED,
                     "event names string");
  sti_report_undefined_stacks(d);
  report_cpu_stacks(d);
  sti_hold_release(d);
  sti_tables_clear(d);
  d->gen_freqs = d->gen_timed = 0;
}

/* ---- committing ---- */

static int commit_header(st_decoder *d, sti_parse *P) {
  st_event *ev = &P->ev;
  uint64_t gen = ev->gen;
  /* A header varint that overflowed comes first: the generation read from it means nothing. */
  for (int i = 0; i < P->npend; i++) sti_report(d, P->pend[i].rule, ev->off, P->pend[i].msg);
  if (d->gen != 0 && gen != d->gen && gen != d->gen + 1) {
    sti_reportf(d, ST_RULE_GEN_ORDER, ev->off,
                "batch of generation %llu after generation %llu (generations are contiguous "
                "and ascend)", (unsigned long long)gen, (unsigned long long)d->gen);
    return -1;
  }
  if (gen != d->gen) {
    if (d->gen != 0) end_generation(d);
    d->gen = gen;
    d->gen_off = ev->off;
  }
  uint64_t header = ev->type == ST_EV2_EXPERIMENTAL_BATCH ? ev->size - ev->len : ev->size;
  uint64_t whole = header + ev->len;
  if (whole > d->cfg.buf_size_v2)
    sti_reportf(d, ST_RULE_BATCH_TOO_LARGE, ev->off,
                "batch at offset %llu is %llu bytes with its header, over the buffer capacity "
                "%llu", (unsigned long long)ev->off, (unsigned long long)whole,
                (unsigned long long)d->cfg.buf_size_v2);
  d->in_batch = P->next_kind != K_HEADER;
  d->batch_kind = P->next_kind;
  d->batch_left = ev->len;
  d->batch_off = ev->off;
  d->batch_m = ev->batch_m;
  return 0;
}

static int commit_string(st_decoder *d, const st_event *ev) {
  if (ev->str_id == 0) {
    sti_report(d, ST_RULE_STRING_ID_ZERO, ev->off, "String has ID 0 (reserved for \"\")");
    return 0;
  }
  if (sti_string_has(d, ev->str_id)) {
    sti_reportf(d, ST_RULE_STRING_DUP_ID, ev->off,
                "String ID %llu is already defined in generation %llu",
                (unsigned long long)ev->str_id, (unsigned long long)d->gen);
    return 0;
  }
  int r = sti_string_put(d, ev->off, ev->str_id, ev->str, ev->str_len);
  if (r == 0) r = sti_str_known_set(d, ev->str_id);
  if (r == 0) sti_ev_str_known_set(d, ev->str_id);
  return r;
}

static int commit_stack(st_decoder *d, st_event *ev) {
  int r;
  for (uint64_t i = 0; i < ev->nframes; i++) {
    const st_frame *f = &d->frames[i];
    uint64_t ids[2] = {f->fn_id, f->file_id};
    for (int k = 0; k < 2; k++) {
      if (!ids[k] || sti_string_known(d, ids[k])) continue;
      /* Normal in v2: the names come in the generation's last strings batch. */
      sti_hold_start(d);
      if ((r = sti_pend_ref(d, &d->pend_frame_strings, ev->off, ids[k], 1)) != 0) return r;
      if ((r = sti_str_known_set(d, ids[k])) != 0) return r;
    }
  }
  if (d->cfg.on_event) sti_resolve_frames(d, d->frames, ev->nframes); /* names: for it only */
  if (ev->stack_id == 0) {
    sti_report(d, ST_RULE_STACK_ID_ZERO, ev->off, "Stack has ID 0 (reserved for no stack)");
    return 0;
  }
  int dup;
  if ((r = sti_stack_define(d, ev->off, ev->stack_id, &dup)) != 0) return r;
  if (dup)
    sti_reportf(d, ST_RULE_STACK_DUP_ID, ev->off,
                "Stack ID %llu is already defined in generation %llu",
                (unsigned long long)ev->stack_id, (unsigned long long)d->gen);
  return 0;
}

static int reference_stack(st_decoder *d, uint64_t off, uint64_t id) {
  if (id == 0) return 0;
  return sti_stack_ref(d, off, id);
}

static int commit_timed(st_decoder *d, const st_event *ev) {
  const st_event2_desc *desc = st_event2_describe(ev->type);
  d->gen_timed++;
  for (unsigned i = 0; i < desc->nargs; i++) {
    int r = 0;
    uint64_t id = ev->args[i];
    if (desc->stack_args & (1u << i))
      r = reference_stack(d, ev->off, id);
    else if ((desc->string_args & (1u << i)) && id && !sti_string_has(d, id)) {
      r = sti_pend_ref(d, &d->pend_event_strings, ev->off, id, 1);
      if (r == 0) sti_ev_str_known_set(d, id);
    }
    if (r != 0) return r;
  }
  return 0;
}

static int commit_frequency(st_decoder *d, sti_parse *P, int kind) {
  const st_event *ev = &P->ev;
  if (++d->gen_freqs > 1)
    sti_reportf(d, ST_RULE_FREQ_REPEATED, ev->off,
                "a second frequency in generation %llu", (unsigned long long)d->gen);
  if (ev->args[0] == 0)
    sti_report(d, ST_RULE_FREQ_INVALID, ev->off, "Frequency is 0 ticks per second");
  if (kind == K_FIRST && d->batch_left > P->pos)
    sti_reportf(d, ST_RULE_BATCH_TRAILING, ev->off,
                "%llu bytes after the frequency in its batch",
                (unsigned long long)(d->batch_left - P->pos));
  return 0;
}

static int commit_cpu(st_decoder *d, const st_event *ev) {
  uint64_t id = ev->args[4];
  /* Go's reader never checks these; only strict mode keeps the references. */
  if (id == 0 || d->cfg.mode != ST_MODE_STRICT) return 0;
  if (sti_stack_is_defined(d, id)) return 0;
  return sti_pend_ref(d, &d->pend_cpu_stacks, ev->off, id, 0);
}

static int commit(st_decoder *d, sti_parse *P, int kind) {
  st_event *ev = &P->ev;
  int r = 0;
  if (kind == K_HEADER) {
    if ((r = commit_header(d, P)) != 0) return r;
    return sti_deliver(d, ev, P->p, kind);
  }
  ev->gen = d->gen;
  ev->batch_off = d->batch_off;
  ev->batch_m = d->batch_m;
  for (int i = 0; i < P->npend; i++) sti_report(d, P->pend[i].rule, ev->off, P->pend[i].msg);
  switch (ev->type) {
    case ST_EV2_STRING:
      if (kind == K_STRINGS) r = commit_string(d, ev);
      break;
    case ST_EV2_STACK:
      if (kind == K_STACKS) r = commit_stack(d, ev);
      break;
    case ST_EV2_CPU_SAMPLE:
      if (kind == K_CPU) r = commit_cpu(d, ev);
      break;
    case ST_EV2_FREQUENCY:
      if (kind == K_FIRST || kind == K_SYNC) r = commit_frequency(d, P, kind);
      break;
    default:
      break;
  }
  if (P->next_kind == K_EVENTS || kind == K_EVENTS) r = commit_timed(d, ev);
  if (r != 0) return r;
  return sti_deliver(d, ev, P->p, kind);
}

/* ---- stepping ---- */

int sti_v2_step(st_decoder *d, const uint8_t *p, size_t avail, int eof, size_t *used,
                size_t *need, st_status *err) {
  if (d->in_batch && d->batch_kind == K_TRAIL) {
    /* The rest of a frequency batch: Go's reader ignores it (reported once, at the Frequency). */
    size_t skip = avail < d->batch_left ? avail : (size_t)d->batch_left;
    d->batch_left -= skip;
    d->in_batch = d->batch_left > 0;
    d->off += skip;
    *used = skip;
    return R_OK;
  }
  /* A record must end inside its batch: parse at most up to the batch's end. */
  int kind = d->in_batch ? d->batch_kind : K_HEADER;
  size_t lim = avail;
  int at_end = eof;
  if (d->in_batch && avail >= d->batch_left) {
    lim = (size_t)d->batch_left;
    at_end = 1;
  }
  sti_parse P;
  sti_parse_init(&P, p, lim, at_end);
  int r = parse_v2(d, &P, d->off, kind);
  /* More bytes than the batch has left, counted ahead: the batch's end is what to wait for
   * (the record is read again then, with every check, and overruns only if it must). */
  if (r == R_NEED && P.need_ahead && d->in_batch && P.need > d->batch_left)
    P.need = (size_t)d->batch_left;
  if (r == R_NEED && d->in_batch && P.need > d->batch_left) {
    uint64_t end = d->off + d->batch_left;
    sti_reportf(d, ST_RULE_BATCH_OVERRUN, d->off,
                "%s (byte 0x%02x) runs past the end of its batch (batch at offset %llu ends at "
                "offset %llu)", st_event_name(p[0], d->version), p[0],
                (unsigned long long)d->batch_off,
                (unsigned long long)end);
    *err = ST_E_INVALID;
    return R_FATAL;
  }
  if (r == R_NEED) {
    *need = P.need;
    return R_NEED;
  }
  if (r == R_FATAL) {
    for (int i = 0; i < P.npend; i++) sti_report(d, P.pend[i].rule, d->off, P.pend[i].msg);
    *err = ST_E_INVALID;
    return R_FATAL;
  }
  P.ev.size = P.pos;
  int c = commit(d, &P, kind);
  if (c != 0) {
    *err = c == -2 ? ST_E_NOMEM : ST_E_INVALID;
    return R_FATAL;
  }
  if (kind != K_HEADER) {
    d->batch_left -= P.pos;
    d->batch_kind = P.next_kind;
    d->in_batch = d->batch_left > 0;
  }
  d->off += P.pos;
  *used = P.pos;
  return R_OK;
}

/* ---- the fast path ----
 * The timed events of an event batch, framed and committed here while they need nothing
 * beyond what the general path would do for them: an allowed type, short varints, the event
 * inside its batch, stack IDs already known, string IDs defined or already waiting as an
 * event's string (below STI_EV_STR_KNOWN_MAX), not holding. Anything else stops the loop
 * before that event and the general path takes it, with every check. */
#define FAST_MARGIN 64u /* type byte + 5 ten-byte arguments, with room */
enum { FAST_NARGS = 0x0f, FAST_STACK = 0x40, FAST_STRING = 0x80 };

void sti_v2_fast_init(st_decoder *d) {
  memset(d->fast, 0, sizeof d->fast);
  for (unsigned b = 0; b < 256; b++) {
    const st_event2_desc *e = st_event2_describe(b);
    if (!d->allowed[b] || !e || e->nargs == 0 || e->nargs > 5) continue;
    d->fast[b] = (uint8_t)(e->nargs | (e->stack_args ? FAST_STACK : 0) |
                           (e->string_args ? FAST_STRING : 0));
    d->fast_stack_args[b] = e->stack_args;
    d->fast_string_args[b] = e->string_args;
  }
}

FAST_INLINE size_t fast_loop(st_decoder *d, const uint8_t *p, size_t lim, uint64_t *timed,
                             const int with_cb) {
  st_event ev;
  if (with_cb) {
    memset(&ev, 0, sizeof ev);
    ev.version = d->version;
    ev.format = 2;
    ev.gen = d->gen;
    ev.batch_off = d->batch_off;
    ev.batch_m = d->batch_m;
  }
  const uint8_t *q = p;
  const uint8_t *const end = p + (lim - FAST_MARGIN);
  uint64_t count = 0;
  while (q <= end) {
    const unsigned f = d->fast[q[0]];
    if (!f) break;
    const unsigned na = f & FAST_NARGS;
    uint64_t a[8];
    size_t w = 1, k;
    for (unsigned i = 0; i < na; i++) {
      if (q[w] < 0x80) {
        a[i] = q[w++];
      } else {
        if (!(k = sti_short_varint(q + w, &a[i]))) goto out;
        w += k;
      }
    }
    if (f & FAST_STACK) {
      unsigned m = d->fast_stack_args[q[0]];
      for (unsigned i = 0; m; i++, m >>= 1)
        /* the mask names only arguments read above */
        if ((m & 1) && a[i] && !sti_stack_known(d, a[i])) goto out; /* NOLINT(clang-analyzer-core.uninitialized.Branch) */
    }
    if (f & FAST_STRING) {
      unsigned m = d->fast_string_args[q[0]];
      for (unsigned i = 0; m; i++, m >>= 1) {
        uint64_t id = a[i]; /* NOLINT(clang-analyzer-core.uninitialized.Assign) */
        if ((m & 1) && id &&
            (id >= STI_EV_STR_KNOWN_MAX || !(d->ev_str_known[id / 64] >> (id % 64) & 1)))
          goto out;
      }
    }
    count++;
    if (with_cb) {
      ev.off = d->off + (uint64_t)(q - p);
      ev.size = w;
      ev.type = q[0];
      ev.nargs = (uint8_t)na;
      for (unsigned i = 0; i < na; i++) ev.args[i] = a[i];
      d->cfg.on_event(d->cfg.user, &ev);
    }
    q += w;
  }
out:
  *timed = count;
  return (size_t)(q - p);
}

#if STI_SWAR
/* The records of a stacks batch, while each is wholly inside the batch and the buffer (with 72
 * readable bytes after its last frame's start), its varints short, its stack ID new and dense,
 * and every name defined or already waiting as a frame's name (the general path would then add
 * nothing to the tables but the stack). Not while holding events: delivering them may need
 * memory. */
FAST_INLINE size_t fast_stacks(st_decoder *d, const uint8_t *p, size_t lim, size_t avail,
                               const int with_cb, const int simd) {
  const uint8_t *q = p;
  const uint8_t *const stop = p + lim;
  while ((size_t)(q - p) < lim && avail - (size_t)(q - p) >= 96 && q[0] == ST_EV2_STACK) {
    uint64_t id, nf;
    size_t w;
    const uint8_t *r = q + 1;
    if (!(w = sti_short_varint(r, &id))) break;
    r += w;
    if (!(w = sti_short_varint(r, &nf))) break;
    r += w;
    if (id == 0 || nf > ST_V2_MAX_FRAMES) break;
    /* The last place a frame may start: inside the batch, 72 bytes before the buffer's end. */
    const size_t last = avail - 72 < lim ? avail - 72 : lim;
    const uint8_t *e = sti_swar_frames(d, r, p + last, nf, d->frames, with_cb, simd);
    if (!e || e > stop || !sti_stack_define_fast(d, id)) break;
    if (with_cb) {
      st_event ev;
      sti_fast_event(d, &ev, d->off + (uint64_t)(q - p), (size_t)(e - q), ST_EV2_STACK);
      ev.stack_id = id;
      ev.nframes = nf;
      ev.frames = d->frames;
      sti_resolve_frames(d, d->frames, nf);
      d->cfg.on_event(d->cfg.user, &ev);
    }
    q = e;
  }
  return (size_t)(q - p);
}

/* fast_stacks per callback flag, once per instruction set. */
static size_t fast_stacks_base(st_decoder *d, const uint8_t *p, size_t lim, size_t avail, int cb,
                               int simd) {
  return cb ? fast_stacks(d, p, lim, avail, 1, simd) : fast_stacks(d, p, lim, avail, 0, simd);
}
#if STI_X86_V3
STI_TARGET_V3 static size_t fast_stacks_v3(st_decoder *d, const uint8_t *p, size_t lim,
                                           size_t avail, int cb, int simd) {
  return cb ? fast_stacks(d, p, lim, avail, 1, simd) : fast_stacks(d, p, lim, avail, 0, simd);
}
#endif

/* The records of a strings batch: a new dense ID, the bytes inside the batch and the buffer,
 * the table's limits and memory already there. */
FAST_INLINE size_t fast_strings(st_decoder *d, const uint8_t *p, size_t lim, const int with_cb) {
  const uint8_t *q = p;
  while (lim - (size_t)(q - p) >= 24 && q[0] == ST_EV2_STRING) {
    uint64_t id, len;
    size_t w1, w2;
    if (!(w1 = sti_short_varint(q + 1, &id)) || !(w2 = sti_short_varint(q + 1 + w1, &len))) break;
    const size_t head = 1 + w1 + w2;
    if (len > ST_V2_MAX_STRING_LEN || len > lim - (size_t)(q - p) - head) break;
    if (!sti_string_fast_ok(d, id, len)) break;
    sti_string_put_dense(d, id, q + head, (size_t)len);
    sti_str_mark(d, id);
    sti_ev_str_known_set(d, id);
    if (with_cb) {
      st_event ev;
      sti_fast_event(d, &ev, d->off + (uint64_t)(q - p), head + (size_t)len, ST_EV2_STRING);
      ev.str_id = id;
      ev.str = q + head;
      ev.str_len = (size_t)len;
      d->cfg.on_event(d->cfg.user, &ev);
    }
    q += head + (size_t)len;
  }
  return (size_t)(q - p);
}
#endif

size_t sti_v2_fast(st_decoder *d, const uint8_t *p, size_t n) {
  if (!d->in_batch || d->hold.active) return 0;
#if STI_SWAR
  if (d->batch_kind == K_STACKS || d->batch_kind == K_STRINGS) {
    const size_t lim = n < d->batch_left ? n : (size_t)d->batch_left;
    const int cb = d->cfg.on_event != NULL, simd = d->cfg.no_simd != 1;
    size_t used;
    if (d->batch_kind == K_STRINGS)
      used = cb ? fast_strings(d, p, lim, 1) : fast_strings(d, p, lim, 0);
    else
#if STI_X86_V3
      used = d->fast_v3 ? fast_stacks_v3(d, p, lim, n, cb, simd)
                        : fast_stacks_base(d, p, lim, n, cb, simd);
#else
      used = fast_stacks_base(d, p, lim, n, cb, simd);
#endif
    d->batch_left -= used;
    d->in_batch = d->batch_left > 0;
    d->off += used;
    return used;
  }
#endif
  if (d->batch_kind != K_EVENTS) return 0;
  size_t lim = n < d->batch_left ? n : (size_t)d->batch_left;
  if (lim < FAST_MARGIN) return 0;
  uint64_t timed;
  size_t used = d->cfg.on_event ? fast_loop(d, p, lim, &timed, 1) : fast_loop(d, p, lim, &timed, 0);
  if (used) {
    d->gen_timed += timed;
    d->batch_left -= used;
    d->in_batch = d->batch_left > 0;
    d->off += used;
  }
  return used;
}

int sti_v2_reparse(st_decoder *d, sti_parse *P, uint64_t off, int kind) {
  if (parse_v2(d, P, off, kind) != R_OK) return R_FATAL;
  P->ev.size = P->pos;
  if (P->ev.type == ST_EV2_STACK && P->ev.frames) sti_resolve_frames(d, d->frames, P->ev.nframes);
  return R_OK;
}

void sti_v2_finish(st_decoder *d) {
  if (d->in_batch && d->batch_left > 0) {
    sti_reportf(d, ST_RULE_TRUNCATED, d->off,
                "input ends inside the batch at offset %llu: %llu of its payload bytes are "
                "missing", (unsigned long long)d->batch_off,
                (unsigned long long)d->batch_left);
    return;
  }
  if (d->gen == 0) {
    sti_report(d, ST_RULE_FREQ_MISSING, d->off, "the trace has no batches (no frequency)");
    return;
  }
  end_generation(d);
}

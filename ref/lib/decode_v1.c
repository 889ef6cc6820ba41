/* The v1 framing (Go 1.11-1.21): every event's layout by its type byte and argument-count
 * field, EvString and EvStack, batches, and the v1 rules of st_rules.h. */
#include <string.h>

#include "decode_int.h"
#include "idmap.h"

/* Longest valid EvStack payload: 2 + 4 * 1000 ten-byte varints. */
#define MAX_STACK_PAYLOAD ((2ull + 4ull * ST_MAX_FRAMES) * ST_VARINT_MAX)

static int parse_string(st_decoder *d, sti_parse *P, uint64_t off) {
  uint64_t id, len;
  (void)d;
  RD("EvString ID", &id, NULL);
  RD("EvString length", &len, NULL);
  P->ev.str_id = id;
  if (len > ST_MAX_STRING_LEN) {
    sti_pend(P, ST_RULE_STRING_TOO_LONG, "EvString %llu has length %llu, over 1000000",
         (unsigned long long)id, (unsigned long long)len);
    return R_FATAL;
  }
  return sti_rd_bytes(P, len);
}

/* An EvStack payload (after L) or inline EvStack args: id, n, then 4 varints per frame. */
static int parse_stack_args(st_decoder *d, sti_parse *P, uint64_t off, uint64_t end, int prefixed) {
  uint64_t v;
  uint64_t n = 0;
  for (uint64_t i = 0; prefixed ? P->pos < end : i < end; i++) {
    RD("EvStack argument", &v, NULL);
    if (prefixed && P->pos > end) {
      sti_pend(P, ST_RULE_EVENT_LENGTH,
           "EvStack argument %llu ends %llu bytes past the event's length %llu",
           (unsigned long long)i, (unsigned long long)(P->pos - end),
           (unsigned long long)P->ev.len);
      return R_FATAL;
    }
    if (i == 0) {
      P->ev.stack_id = v;
    } else if (i == 1) {
      n = v;
      P->ev.nframes = v;
      if (prefixed && n > ST_MAX_FRAMES && P->ev.len > MAX_STACK_PAYLOAD) {
        /* Too long to skip over: no valid reading of it exists. */
        sti_pend(P, ST_RULE_STACK_TOO_DEEP, "EvStack %llu has %llu frames, over 1000",
             (unsigned long long)P->ev.stack_id, (unsigned long long)n);
        return R_FATAL;
      }
      if (prefixed && n <= ST_MAX_FRAMES && P->ev.len > (2 + 4 * n) * ST_VARINT_MAX) {
        sti_pend(P, ST_RULE_STACK_NFRAMES,
             "EvStack %llu: length %llu is more than %llu frames can take",
             (unsigned long long)P->ev.stack_id, (unsigned long long)P->ev.len,
             (unsigned long long)n);
        return R_FATAL;
      }
      if (prefixed && n <= ST_MAX_FRAMES) i += sti_fast_frames(d, P, end, n);
    } else {
      uint64_t k = i - 2;
      if (k / 4 < ST_MAX_FRAMES) {
        st_frame *f = &d->frames[k / 4];
        switch (k % 4) {
          case 0: f->pc = v; break;
          case 1: f->fn_id = v; break;
          case 2: f->file_id = v; break;
          default: f->line = v; break;
        }
      }
    }
    P->nargs = i + 1;
  }
  return R_OK;
}

/* The varint arguments of an ordinary event: inline (count known) or up to the length end. */
static int parse_args(sti_parse *P, uint64_t off, uint64_t count, uint64_t end, int prefixed) {
  uint64_t v;
  for (uint64_t i = 0; prefixed ? P->pos < end : i < count; i++) {
    RD("argument", &v, NULL);
    if (prefixed && P->pos > end) {
      sti_pend(P, ST_RULE_EVENT_LENGTH, "argument %llu ends %llu bytes past the event's length %llu",
           (unsigned long long)i, (unsigned long long)(P->pos - end),
           (unsigned long long)P->ev.len);
      return R_FATAL;
    }
    if (i < ST_MAX_ARGS) P->ev.args[i] = v;
    P->nargs = i + 1;
  }
  P->ev.nargs = (uint8_t)(P->nargs < ST_MAX_ARGS ? P->nargs : ST_MAX_ARGS);
  return R_OK;
}

static int parse_event(st_decoder *d, sti_parse *P, uint64_t off) {
  uint8_t b = P->p[0];
  unsigned type = b & 0x3f, field = b >> 6;
  P->pos = 1;
  P->ev.off = off;
  P->ev.version = d->version;
  P->ev.type = (uint8_t)type;
  P->ev.field = (uint8_t)field;

  if (b == 'g' && !P->eof && P->avail < 5) {
    P->need = 5;
    return R_NEED;
  }
  if (sti_is_header(P)) {
    sti_pend(P, ST_RULE_HDR_REPEATED,
         "a second trace header starts here: several traces concatenated in one file");
    return R_FATAL;
  }
  if (!d->allowed[type]) {
    sti_pend(P, ST_RULE_EVENT_UNKNOWN, "unknown event type %u (byte 0x%02x) for go 1.%d", type, b,
         d->version % 1000);
    return R_FATAL;
  }
  if (type == ST_EV_STRING) return parse_string(d, P, off);

  const st_event_desc *desc = st_event_describe(type);
  int r;
  if (field < 3) {
    if (type == ST_EV_STACK)
      r = parse_stack_args(d, P, off, field + 1, 0);
    else
      r = parse_args(P, off, field + 1, 0, 0);
  } else {
    size_t w;
    RD("event length", &P->ev.len, &w);
    P->ev.has_len = 1;
    P->ev.len_width = (uint8_t)w;
    uint64_t start = P->pos;
    uint64_t max = type == ST_EV_STACK ? MAX_STACK_PAYLOAD : (uint64_t)desc->nargs * ST_VARINT_MAX;
    if (type != ST_EV_STACK && P->ev.len > max) {
      sti_pend(P, ST_RULE_EVENT_LENGTH, "%s length %llu is more than its %u arguments can take (%llu)",
           desc->name, (unsigned long long)P->ev.len, desc->nargs, (unsigned long long)max);
      return R_FATAL;
    }
    if (type == ST_EV_STACK) {
      /* Wait for the whole payload when it is valid-sized, so its varints are read once. */
      if (P->ev.len <= max && (r = sti_have(P, start + P->ev.len)) != R_OK) return r;
      r = parse_stack_args(d, P, off, start + P->ev.len, 1);
    } else {
      r = parse_args(P, off, 0, start + P->ev.len, 1);
    }
  }
  if (r != R_OK) return r;
  if (type == ST_EV_USER_LOG) {
    uint64_t len;
    RD("UserLog message length", &len, NULL);
    if (len > ST_MAX_STRING_LEN) {
      sti_pend(P, ST_RULE_STRING_TOO_LONG, "UserLog message has length %llu, over 1000000",
           (unsigned long long)len);
      return R_FATAL;
    }
    if ((r = sti_rd_bytes(P, len)) != R_OK) return r;
  }
  return R_OK;
}

/* ---- committing a complete event ---- */

static void batch_close(st_decoder *d) {
  if (d->seen_batch && d->batch_bytes > d->cfg.buf_size)
    sti_reportf(d, ST_RULE_BATCH_TOO_LARGE, d->batch_off,
                "batch at offset %llu is %llu bytes, over the buffer capacity %llu",
                (unsigned long long)d->batch_off, (unsigned long long)d->batch_bytes,
                (unsigned long long)d->cfg.buf_size);
}

static int commit_string(st_decoder *d, st_event *ev) {
  uint64_t off = ev->off;
  if (ev->str_id == 0) {
    sti_report(d, ST_RULE_STRING_ID_ZERO, off,
               "EvString has ID 0 (reserved for the empty string)");
    return 0;
  }
  if (sti_string_has(d, ev->str_id)) {
    sti_reportf(d, ST_RULE_STRING_DUP_ID, off, "EvString ID %llu is already defined",
                (unsigned long long)ev->str_id);
    return 0;
  }
  if (ev->str_len == 0) {
    sti_reportf(d, ST_RULE_STRING_EMPTY, off, "EvString %llu has length 0",
                (unsigned long long)ev->str_id);
    return 0;
  }
  int r = sti_string_put(d, off, ev->str_id, ev->str, ev->str_len);
  if (r == 0) r = sti_str_known_set(d, ev->str_id);
  return r;
}

enum { SHAPE_OK, SHAPE_FEW_ARGS, SHAPE_TOO_DEEP, SHAPE_NARGS };

/* Whether an EvStack's arguments make a stack. A malformed stack is still delivered, without
 * frames: frames stays NULL, so nframes is then set to 0 or callbacks would index NULL. */
static int stack_shape(sti_parse *P) {
  st_event *ev = &P->ev;
  int shape = SHAPE_OK;
  if (P->nargs < 2)
    shape = SHAPE_FEW_ARGS;
  else if (ev->nframes > ST_MAX_FRAMES)
    shape = SHAPE_TOO_DEEP;
  else if (P->nargs != 2 + 4 * ev->nframes)
    shape = SHAPE_NARGS;
  if (shape != SHAPE_OK) ev->nframes = 0;
  return shape;
}

static int commit_stack(st_decoder *d, sti_parse *P) {
  st_event *ev = &P->ev;
  uint64_t off = ev->off, n = ev->nframes;
  if (!ev->has_len)
    sti_reportf(d, ST_RULE_STACK_FORM, off,
                "EvStack written inline (field %u), not length-prefixed", ev->field);
  switch (stack_shape(P)) {
    case SHAPE_FEW_ARGS:
      sti_reportf(d, ST_RULE_STACK_NFRAMES, off, "EvStack has %llu arguments, needs at least 2",
                  (unsigned long long)P->nargs);
      return 0;
    case SHAPE_TOO_DEEP:
      sti_reportf(d, ST_RULE_STACK_TOO_DEEP, off, "EvStack %llu has %llu frames, over 1000",
                  (unsigned long long)ev->stack_id, (unsigned long long)n);
      return 0;
    case SHAPE_NARGS:
      sti_reportf(d, ST_RULE_STACK_NFRAMES, off,
                  "EvStack %llu declares %llu frames (%llu arguments) but has %llu arguments",
                  (unsigned long long)ev->stack_id, (unsigned long long)n,
                  2 + 4 * (unsigned long long)n, (unsigned long long)P->nargs);
      return 0;
    default:
      break;
  }
  ev->frames = d->frames;
  /* The names only matter to a callback; without one, only whether they are defined. */
  if (d->cfg.on_event ? sti_resolve_frames(d, d->frames, n) : sti_frames_missing(d, d->frames, n)) {
    /* Legal in go mode (Go 1.19 resolves names after reading everything): hold the events
     * from here so that the names are filled in at the end of the trace. */
    sti_hold_start(d);
    for (uint64_t i = 0; i < n; i++) {
      const st_frame *f = &d->frames[i];
      const int fn_missing = f->fn_id && !sti_string_known(d, f->fn_id);
      if (fn_missing || (f->file_id && !sti_string_known(d, f->file_id))) {
        sti_reportf(d, ST_RULE_STACK_STRING_UNDEFINED, off,
                    "EvStack %llu frame %llu uses string ID %llu, not defined before it",
                    (unsigned long long)ev->stack_id, (unsigned long long)i,
                    (unsigned long long)(fn_missing ? f->fn_id : f->file_id));
        break;
      }
    }
  }
  if (ev->stack_id == 0) {
    sti_report(d, ST_RULE_STACK_ID_ZERO, off, "EvStack has ID 0 (reserved for no stack)");
    return 0;
  }
  int dup;
  int r = sti_stack_define(d, off, ev->stack_id, &dup);
  if (r != 0) return r;
  if (dup)
    sti_reportf(d, ST_RULE_STACK_DUP_ID, off, "EvStack ID %llu is already defined",
                (unsigned long long)ev->stack_id);
  return 0;
}

static int reference_stack(st_decoder *d, uint64_t off, uint64_t id) {
  if (id == 0 || d->cfg.mode != ST_MODE_STRICT) return 0;
  return sti_stack_ref(d, off, id);
}

static int commit_ordinary(st_decoder *d, sti_parse *P) {
  st_event *ev = &P->ev;
  const st_event_desc *desc = st_event_describe(ev->type);
  if (P->nargs != desc->nargs) {
    sti_reportf(d, ST_RULE_EVENT_NARGS, ev->off, "%s has %llu arguments, want %u",
                st_event_name(ev->type, d->version), (unsigned long long)P->nargs,
                desc->nargs);
    return 0;
  }
  if (ev->type == ST_EV_FREQUENCY) {
    d->seen_freq = 1;
    if ((int64_t)ev->args[0] <= 0)
      sti_reportf(d, ST_RULE_FREQ_INVALID, ev->off, "EvFrequency is %lld ticks per second",
                  (long long)ev->args[0]);
  }
  int r = 0;
  if (desc->has_stack) r = reference_stack(d, ev->off, ev->args[desc->nargs - 1]);
  if (r == 0 && ev->type == ST_EV_GO_CREATE) r = reference_stack(d, ev->off, ev->args[2]);
  return r;
}

/* Reports and records a complete event. Returns 0, -1 (fatal, reported) or -2 (no memory). */
static int commit(st_decoder *d, sti_parse *P) {
  st_event *ev = &P->ev;
  for (int i = 0; i < P->npend; i++) sti_report(d, P->pend[i].rule, ev->off, P->pend[i].msg);

  if (ev->type == ST_EV_BATCH) {
    batch_close(d);
    d->seen_batch = 1;
    d->batch_off = ev->off;
    d->batch_bytes = ev->size;
    d->at_batch_start = 1;
  } else {
    if (!d->seen_batch && !d->batch_missing_reported) {
      sti_reportf(d, ST_RULE_BATCH_MISSING, ev->off, "%s before the first EvBatch",
                  st_event_name(ev->type, d->version));
      d->batch_missing_reported = 1;
    }
    /* Go 1.19 writes its Frequency bare, between the batches; Go 1.20+ as a batch's first
     * event. Only the latter belongs to the batch. */
    if (ev->type != ST_EV_FREQUENCY || d->at_batch_start) d->batch_bytes += ev->size;
    d->at_batch_start = 0;
  }
  /* Go 1.22+ compares the length varint L (the bytes after it), not the whole event. */
  if (ev->has_len && ev->len > ST_GO122_MAX_LEN)
    sti_reportf(d, ST_RULE_LEN_OVER_2048, ev->off,
                "%s has length %llu; Go 1.22+ readers refuse a length-prefixed event whose "
                "length is over 2048",
                st_event_name(ev->type, d->version), (unsigned long long)ev->len);

  int r;
  if (ev->type == ST_EV_STRING)
    r = commit_string(d, ev);
  else if (ev->type == ST_EV_STACK)
    r = commit_stack(d, P);
  else
    r = commit_ordinary(d, P);
  if (r != 0) return r;
  return sti_deliver(d, ev, P->p, 0);
}

static void parse_start(st_decoder *d, sti_parse *P, uint64_t off) {
  P->ev.off = off;
  P->ev.version = d->version;
  P->ev.format = 1;
}

int sti_v1_step(st_decoder *d, const uint8_t *p, size_t avail, int eof, size_t *used,
                size_t *need, st_status *err) {
  sti_parse P;
  sti_parse_init(&P, p, avail, eof);
  parse_start(d, &P, d->off);
  int r = parse_event(d, &P, d->off);
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
  int c = commit(d, &P);
  if (c != 0) {
    *err = c == -2 ? ST_E_NOMEM : ST_E_INVALID;
    return R_FATAL;
  }
  d->off += P.pos;
  *used = P.pos;
  return R_OK;
}

/* ---- the fast path ----
 * Most of a real trace is small ordinary events (ProcStart, GoSched, GoStart, ...): a type
 * byte and 1-5 short varints. While at least FAST_MARGIN bytes are buffered, such an event is
 * framed and committed here with what the general path would do for it and nothing else:
 * allowed type, the argument count the event must have, varints of at most 9 bytes (no
 * overflow possible), a stack reference to an ID already known, inside a batch, not holding.
 * Anything else (strings, stacks, batches, frequency, UserLog, a new stack ID, any rule that
 * would fire) stops the loop before that event and the general path takes it, so both give
 * the same events and diagnostics at the same offsets. */
#define FAST_MARGIN 128u /* type byte + 10-byte length + 8 ten-byte arguments, with room */
/* fast[byte]: the argument count (inline form: it matches the byte's count field), and
 * whether the event is length-prefixed, has a stack argument last, or is GoCreate. */
enum { FAST_NARGS = 0x0f, FAST_LEN = 0x10, FAST_REC = 0x20, FAST_STACK = 0x40, FAST_CREATE = 0x80 };
#define STACK_BYTE (ST_EV_STACK | 3u << 6) /* EvStack, length-prefixed: the form runtimes write */

void sti_v1_fast_init(st_decoder *d) {
  memset(d->fast, 0, sizeof d->fast);
  for (unsigned b = 0; b < 256; b++) {
    unsigned t = b & 0x3f, field = b >> 6;
    const st_event_desc *e = t < ST_EV_COUNT ? st_event_describe(t) : NULL;
#if STI_SWAR
    /* Whole EvStack and EvString records have their own fast paths (v1_fast_stack/string). */
    if (d->allowed[t] && (b == STACK_BYTE || t == ST_EV_STRING)) {
      d->fast[b] = FAST_REC;
      continue;
    }
#endif
    if (!d->allowed[t] || !e || e->nargs == 0 || e->nargs > ST_MAX_ARGS || b == 'g') continue;
    if (t == ST_EV_BATCH || t == ST_EV_FREQUENCY || t == ST_EV_STACK || t == ST_EV_STRING ||
        t == ST_EV_USER_LOG)
      continue;
    if (field < 3 && field + 1 != e->nargs) continue; /* EVENT-NARGS: the general path */
    d->fast[b] = (uint8_t)(e->nargs | (field == 3 ? FAST_LEN : 0) |
                              (e->has_stack ? FAST_STACK : 0) |
                              (t == ST_EV_GO_CREATE ? FAST_CREATE : 0));
  }
}

/* 1 when a reference to id needs nothing recorded (0, go mode, or an ID already known). */
static inline int ref_known(const st_decoder *d, int strict, uint64_t id) {
  if (id == 0 || !strict) return 1;
  size_t w = 2 * (size_t)(id / 64);
  return id <= STI_DENSE_MAX && w < d->stack_words &&
         ((d->stack_bits[w] | d->stack_bits[w + 1]) >> (id & 63) & 1);
}

#if STI_SWAR
/* The table records that make stack-heavy streams. Each returns the record's size when it
 * committed it, or 0 to leave it to the general path: the record must be wholly buffered
 * (with 72 readable bytes after it for the word reads), every varint short, and nothing in it
 * may fire a rule, so the general path would have done exactly this and reported nothing. */

/* EvStack (length-prefixed): frames that end exactly at the length, every name defined, a new
 * dense stack ID; the length within what Go 1.22+ readers take. */
FAST_INLINE size_t v1_fast_stack(st_decoder *d, const uint8_t *q, size_t avail, uint64_t off,
                                 const int with_cb) {
  uint64_t len, id, nf;
  size_t lw, w;
  if (!(lw = sti_short_varint(q + 1, &len)) || len > ST_GO122_MAX_LEN ||
      1 + lw + len + 72 > avail)
    return 0;
  const uint8_t *const rec_end = q + 1 + lw + len;
  const uint8_t *r = q + 1 + lw;
  if (!(w = sti_short_varint(r, &id))) return 0;
  r += w;
  if (!(w = sti_short_varint(r, &nf))) return 0;
  r += w;
  if (id == 0 || nf > ST_MAX_FRAMES || len > (2 + 4 * nf) * ST_VARINT_MAX) return 0;
  if (sti_swar_frames(d, r, rec_end, nf, d->frames, with_cb, d->cfg.no_simd != 1) != rec_end)
    return 0;
  if (!sti_stack_define_fast(d, id)) return 0;
  const size_t size = (size_t)(rec_end - q);
  if (with_cb) {
    st_event ev;
    sti_fast_event(d, &ev, off, size, ST_EV_STACK);
    ev.field = 3;
    ev.has_len = 1;
    ev.len_width = (uint8_t)lw;
    ev.len = len;
    ev.stack_id = id;
    ev.nframes = nf;
    ev.frames = d->frames;
    sti_resolve_frames(d, d->frames, nf);
    d->cfg.on_event(d->cfg.user, &ev);
  }
  return size;
}

/* EvString: a new dense ID, a nonempty string within the table's limits. */
FAST_INLINE size_t v1_fast_string(st_decoder *d, const uint8_t *q, size_t avail, uint64_t off,
                                  const int with_cb) {
  uint64_t id, len;
  size_t w1, w2;
  if (!(w1 = sti_short_varint(q + 1, &id)) || !(w2 = sti_short_varint(q + 1 + w1, &len)))
    return 0;
  const size_t head = 1 + w1 + w2;
  if (len == 0 || len > ST_MAX_STRING_LEN || len > avail - head) return 0;
  if (!sti_string_fast_ok(d, id, len)) return 0;
  sti_string_put_dense(d, id, q + head, (size_t)len);
  sti_str_mark(d, id);
  if (with_cb) {
    st_event ev;
    sti_fast_event(d, &ev, off, head + (size_t)len, ST_EV_STRING);
    ev.field = (uint8_t)(q[0] >> 6);
    ev.str_id = id;
    ev.str = q + head;
    ev.str_len = (size_t)len;
    d->cfg.on_event(d->cfg.user, &ev);
  }
  return head + (size_t)len;
}
#endif

/* The loop, specialised by the compiler for each (callback, strict) pair: with constant
 * flags, the arguments stay in registers when nobody looks at the event. */
FAST_INLINE size_t fast_loop(st_decoder *d, const uint8_t *p, size_t n, const int with_cb,
                             const int strict) {
  const uint8_t *const tab = d->fast;
  st_event ev;
  if (with_cb) {
    memset(&ev, 0, sizeof ev);
    ev.version = d->version;
    ev.format = 1;
  }
  const uint8_t *q = p;
  const uint8_t *const end = p + (n - FAST_MARGIN);
  while (q <= end) {
    const unsigned f = tab[q[0]];
    if (!f) break;
#if STI_SWAR
    if (f == FAST_REC) {
      const size_t avail = n - (size_t)(q - p);
      const uint64_t off = d->off + (uint64_t)(q - p);
      const size_t used = q[0] == STACK_BYTE ? v1_fast_stack(d, q, avail, off, with_cb)
                                             : v1_fast_string(d, q, avail, off, with_cb);
      if (!used) break;
      q += used;
      continue;
    }
#endif
    const unsigned na = f & FAST_NARGS;
    uint64_t a[ST_MAX_ARGS];
    size_t w = 1, k, lw = 0;
    uint64_t len = 0;
    if (!(f & FAST_LEN)) {
#if STI_SWAR
      /* The next 8 bytes at once: a byte below 0x80 ends a varint; the na-th such byte ends
       * the event. Only the stack argument's value is needed unless there is a callback. */
      uint64_t x;
      memcpy(&x, q + 1, sizeof x);
      uint64_t m = ~x & 0x8080808080808080ull, prev = m;
      switch (na) { /* inline events have 1..3 arguments: drop the first na - 1 ends */
        case 3: m &= m - 1; /* fall through */
        case 2: prev = m; m &= m - 1; break;
        default: break;
      }
      if (m && !with_cb) {
        const unsigned last = (unsigned)__builtin_ctzll(m) >> 3;
        w = 2 + last;
        if (strict && (f & FAST_STACK)) {
          unsigned i = na == 1 ? 0 : ((unsigned)__builtin_ctzll(prev) >> 3) + 1;
          uint64_t v = 0;
          for (unsigned sh = 0; i <= last; i++, sh += 7) v |= (uint64_t)(q[1 + i] & 0x7f) << sh;
          a[na - 1] = v; /* GoCreate (4 arguments) is never inline: not here */
        }
        goto framed;
      }
#endif
      unsigned i = 0;
      do {
        if (q[w] < 0x80) {
          a[i] = q[w++];
        } else {
          if (!(k = sti_short_varint(q + w, &a[i]))) goto out;
          w += k;
        }
      } while (++i < na);
    } else {
      if (!(lw = sti_short_varint(q + 1, &len)) || len > (uint64_t)na * ST_VARINT_MAX) break;
      w += lw;
      const size_t stop = w + (size_t)len;
      unsigned i = 0;
      while (w < stop) {
        if (i == na || !(k = sti_short_varint(q + w, &a[i]))) goto out;
        w += k;
        i++;
      }
      if (w != stop || i != na) break;
    }
#if STI_SWAR
  framed:
#endif
    if (strict && (f & (FAST_STACK | FAST_CREATE))) {
      /* a[0..na) were all read above (the loop ends with i == na) */
      if ((f & FAST_STACK) && !ref_known(d, strict, a[na - 1])) break; /* NOLINT(clang-analyzer-core.CallAndMessage) */
      if ((f & FAST_CREATE) && !ref_known(d, strict, a[2])) break; /* NOLINT(clang-analyzer-core.CallAndMessage) */
    }
    if (with_cb) {
      ev.off = d->off + (uint64_t)(q - p);
      ev.size = w;
      ev.type = (uint8_t)(q[0] & 0x3f);
      ev.field = (uint8_t)(q[0] >> 6);
      ev.has_len = (f & FAST_LEN) != 0;
      ev.len_width = (uint8_t)lw;
      ev.len = len;
      ev.nargs = (uint8_t)na;
      for (unsigned i = 0; i < na; i++) ev.args[i] = a[i];
      d->cfg.on_event(d->cfg.user, &ev);
    }
    q += w;
  }
out:
  return (size_t)(q - p);
}

/* The four specialisations, once per instruction set. */
FAST_INLINE size_t fast_loops(st_decoder *d, const uint8_t *p, size_t n, int cb, int strict) {
  return cb ? (strict ? fast_loop(d, p, n, 1, 1) : fast_loop(d, p, n, 1, 0))
            : (strict ? fast_loop(d, p, n, 0, 1) : fast_loop(d, p, n, 0, 0));
}
static size_t fast_loops_base(st_decoder *d, const uint8_t *p, size_t n, int cb, int strict) {
  return fast_loops(d, p, n, cb, strict);
}
#if STI_X86_V3
STI_TARGET_V3 static size_t fast_loops_v3(st_decoder *d, const uint8_t *p, size_t n, int cb,
                                          int strict) {
  return fast_loops(d, p, n, cb, strict);
}
#endif

size_t sti_v1_fast(st_decoder *d, const uint8_t *p, size_t n) {
  if (n < FAST_MARGIN || !d->seen_batch || d->hold.active) return 0;
  const int strict = d->cfg.mode == ST_MODE_STRICT, cb = d->cfg.on_event != NULL;
#if STI_X86_V3
  size_t used = d->fast_v3 ? fast_loops_v3(d, p, n, cb, strict)
                           : fast_loops_base(d, p, n, cb, strict);
#else
  size_t used = fast_loops_base(d, p, n, cb, strict);
#endif
  if (used) {
    /* Every byte consumed was an event or table record of the open batch. */
    d->at_batch_start = 0;
    d->batch_bytes += used;
    d->off += used;
  }
  return used;
}

int sti_v1_reparse(st_decoder *d, sti_parse *P, uint64_t off) {
  parse_start(d, P, off);
  if (parse_event(d, P, off) != R_OK) return R_FATAL;
  P->ev.size = P->pos;
  if (P->ev.type == ST_EV_STACK && stack_shape(P) == SHAPE_OK) {
    P->ev.frames = d->frames;
    sti_resolve_frames(d, d->frames, P->ev.nframes);
  }
  return R_OK;
}

void sti_v1_finish(st_decoder *d) {
  batch_close(d);
  if (!d->seen_freq)
    sti_report(d, ST_RULE_FREQ_MISSING, d->off, "the trace has no EvFrequency event");
  sti_report_undefined_stacks(d);
}

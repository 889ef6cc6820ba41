/* The streaming decoder: framing of every v1 event, the string and stack tables, and the
 * rules of st_rules.h.
 *
 * Chunk independence: an event is parsed from one contiguous span of bytes. parse_event() has
 * no side effects until it has every byte of the event; when bytes are missing it says how many
 * it needs in total, the caller keeps the partial event in the carry buffer, and parses it again
 * once that many bytes are there. So the same diagnostics and events come out whatever the
 * chunk boundaries, and a byte-at-a-time feed costs at most one re-parse per varint byte. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "idmap.h"
#include "stacktab/st_decode.h"

enum { S_UNINIT = 0, S_HEADER, S_EVENTS, S_FAILED, S_FINISHED };
enum { R_OK, R_NEED, R_FATAL };

/* Bytes of the longest event the decoder may have to hold whole: a UserLog with 10-byte length,
 * 5 ten-byte arguments, a 10-byte message length and a 1e6-byte message; an EvString is
 * shorter, and EvStack is at most 1 + 10 + (2 + 4 * 1000) * 10 = 40031 bytes. */
#define CARRY_BOUND (1u + 10u + 5u * 10u + 10u + ST_MAX_STRING_LEN)
/* Longest valid EvStack payload: 2 + 4 * 1000 ten-byte varints. */
#define MAX_STACK_PAYLOAD ((2ull + 4ull * ST_MAX_FRAMES) * ST_VARINT_MAX)

#define STACK_DEFINED (1ull << 63)
#define STACK_REFERENCED (1ull << 62)
#define STACK_OFF_MASK ((1ull << 62) - 1)

typedef struct {
  st_rule rule;
  char msg[sizeof(((st_diag *)0)->message)];
} pending;

/* One parse attempt over p[0..avail): the event and the diagnostics it will report. */
typedef struct {
  const uint8_t *p;
  size_t avail, pos, need;
  int eof;
  st_event ev;
  uint64_t nargs;          /* arguments read (may exceed ST_MAX_ARGS) */
  pending pend[6];
  int npend;
  int overflowed;
} parse;

static void pend(parse *P, st_rule r, const char *fmt, ...) {
  if (P->npend >= (int)(sizeof P->pend / sizeof P->pend[0])) return;
  pending *x = &P->pend[P->npend++];
  x->rule = r;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(x->msg, sizeof x->msg, fmt, ap);
  va_end(ap);
}

static void report(st_decoder *d, st_rule r, uint64_t off, const char *msg) {
  const st_rule_desc *desc = st_rule_describe(r);
  if (desc->strict_only && d->cfg.mode != ST_MODE_STRICT) return;
  if (desc->severity == ST_SEV_WARNING)
    d->warnings++;
  else
    d->errors++;
  if (!d->cfg.on_diag) return;
  st_diag dg;
  dg.rule = r;
  dg.severity = desc->severity;
  dg.off = off;
  snprintf(dg.message, sizeof dg.message, "%s", msg);
  d->cfg.on_diag(d->cfg.user, &dg);
}

static void reportf(st_decoder *d, st_rule r, uint64_t off, const char *fmt, ...) {
  char msg[sizeof(((st_diag *)0)->message)];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  report(d, r, off, msg);
}

/* Width of the varint at q if it has at most 9 bytes (so it cannot overflow), else 0. */
static inline size_t short_varint(const uint8_t *q, uint64_t *v) {
  uint64_t x = 0;
  for (size_t i = 0; i < ST_VARINT_MAX - 1; i++) {
    x |= (uint64_t)(q[i] & 0x7f) << (7 * i);
    if (!(q[i] & 0x80)) {
      *v = x;
      return i + 1;
    }
  }
  return 0;
}

/* Reads one varint at P->pos. R_NEED sets P->need; R_FATAL leaves a pending fatal diagnostic. */
static int rd(parse *P, uint64_t off, const char *what, uint64_t *v, size_t *w) {
  size_t width = 0;
  /* Fast path (the decoder's hot spot): a varint of at most 9 bytes wholly in the buffer cannot
   * be short, overlong or overflowing, so it is read here without the library call. */
  if (P->avail - P->pos >= ST_VARINT_MAX && (width = short_varint(P->p + P->pos, v)) != 0) {
    P->pos += width;
    if (w) *w = width;
    return R_OK;
  }
  switch (st_varint_get(P->p + P->pos, P->avail - P->pos, v, &width)) {
    case ST_VARINT_OK:
      break;
    case ST_VARINT_OVERFLOW:
      if (!P->overflowed)
        pend(P, ST_RULE_VARINT_OVERFLOW,
             "%s: 10-byte varint at offset %llu has 10th byte 0x%02x (bits past 64)", what,
             (unsigned long long)off + P->pos, P->p[P->pos + 9]);
      P->overflowed = 1;
      break;
    case ST_VARINT_SHORT:
      P->need = P->avail + 1;
      return R_NEED;
    case ST_VARINT_OVERLONG:
      pend(P, ST_RULE_VARINT_OVERLONG, "%s: varint at offset %llu is longer than 10 bytes", what,
           (unsigned long long)off + P->pos);
      return R_FATAL;
  }
  P->pos += width;
  if (w) *w = width;
  return R_OK;
}

#define RD(what, v, w)                       \
  do {                                       \
    int r_ = rd(P, off, (what), (v), (w));   \
    if (r_ != R_OK) return r_;               \
  } while (0)

/* Needs n bytes from the event start; R_NEED if they are not all there. */
static int have(parse *P, uint64_t n) {
  if (n <= P->avail) return R_OK;
  P->need = (size_t)n;
  return R_NEED;
}

/* A string's bytes (EvString or UserLog's message) after its length varint was read. */
static int rd_bytes(parse *P, uint64_t len) {
  int r = have(P, P->pos + len);
  if (r != R_OK) return r;
  P->ev.str = P->p + P->pos;
  P->ev.str_len = (size_t)len;
  P->pos += (size_t)len;
  return R_OK;
}

static int parse_string(st_decoder *d, parse *P, uint64_t off) {
  uint64_t id, len;
  (void)d;
  RD("EvString ID", &id, NULL);
  RD("EvString length", &len, NULL);
  P->ev.str_id = id;
  if (len > ST_MAX_STRING_LEN) {
    pend(P, ST_RULE_STRING_TOO_LONG, "EvString %llu has length %llu, over 1000000",
         (unsigned long long)id, (unsigned long long)len);
    return R_FATAL;
  }
  return rd_bytes(P, len);
}

/* The hot loop of stack-heavy traces: whole frames read straight from a payload that is
 * entirely in the buffer. It stops at the first frame that comes within 40 bytes of the
 * payload's end or holds a 10-byte varint, and the general loop reads the rest with every
 * check; so both paths give the same result. Returns the number of varints it read. */
static uint64_t fast_frames(st_decoder *d, parse *P, uint64_t end, uint64_t n) {
  if (end > P->avail) return 0;
  uint64_t f = 0;
  const uint8_t *p = P->p;
  size_t pos = P->pos;
  for (; f < n && pos + (size_t)4 * ST_VARINT_MAX <= end; f++) {
    st_frame *fr = &d->frames[f];
    size_t w0, w1, w2, w3;
    if (!(w0 = short_varint(p + pos, &fr->pc))) break;
    if (!(w1 = short_varint(p + pos + w0, &fr->fn_id))) break;
    if (!(w2 = short_varint(p + pos + w0 + w1, &fr->file_id))) break;
    if (!(w3 = short_varint(p + pos + w0 + w1 + w2, &fr->line))) break;
    pos += w0 + w1 + w2 + w3;
  }
  P->pos = pos;
  P->nargs = 2 + 4 * f;
  return 4 * f;
}

/* An EvStack payload (after L) or inline EvStack args: id, n, then 4 varints per frame. */
static int parse_stack_args(st_decoder *d, parse *P, uint64_t off, uint64_t end, int prefixed) {
  uint64_t v;
  uint64_t n = 0;
  for (uint64_t i = 0; prefixed ? P->pos < end : i < end; i++) {
    RD("EvStack argument", &v, NULL);
    if (prefixed && P->pos > end) {
      pend(P, ST_RULE_EVENT_LENGTH,
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
        pend(P, ST_RULE_STACK_TOO_DEEP, "EvStack %llu has %llu frames, over 1000",
             (unsigned long long)P->ev.stack_id, (unsigned long long)n);
        return R_FATAL;
      }
      if (prefixed && n <= ST_MAX_FRAMES && P->ev.len > (2 + 4 * n) * ST_VARINT_MAX) {
        pend(P, ST_RULE_STACK_NFRAMES,
             "EvStack %llu: length %llu is more than %llu frames can take",
             (unsigned long long)P->ev.stack_id, (unsigned long long)P->ev.len,
             (unsigned long long)n);
        return R_FATAL;
      }
      if (prefixed && n <= ST_MAX_FRAMES) i += fast_frames(d, P, end, n);
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
static int parse_args(parse *P, uint64_t off, uint64_t count, uint64_t end, int prefixed) {
  uint64_t v;
  for (uint64_t i = 0; prefixed ? P->pos < end : i < count; i++) {
    RD("argument", &v, NULL);
    if (prefixed && P->pos > end) {
      pend(P, ST_RULE_EVENT_LENGTH, "argument %llu ends %llu bytes past the event's length %llu",
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

static int is_repeated_header(const parse *P) {
  return P->avail >= 5 && memcmp(P->p, "go 1.", 5) == 0;
}

static int parse_event(st_decoder *d, parse *P, uint64_t off) {
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
  if (is_repeated_header(P)) {
    pend(P, ST_RULE_HDR_REPEATED,
         "a second trace header starts here: several traces concatenated in one file");
    return R_FATAL;
  }
  if (!d->allowed[type]) {
    pend(P, ST_RULE_EVENT_UNKNOWN, "unknown event type %u (byte 0x%02x) for go 1.%d", type, b,
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
      pend(P, ST_RULE_EVENT_LENGTH, "%s length %llu is more than its %u arguments can take (%llu)",
           desc->name, (unsigned long long)P->ev.len, desc->nargs, (unsigned long long)max);
      return R_FATAL;
    }
    if (type == ST_EV_STACK) {
      /* Wait for the whole payload when it is valid-sized, so its varints are read once. */
      if (P->ev.len <= max && (r = have(P, start + P->ev.len)) != R_OK) return r;
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
      pend(P, ST_RULE_STRING_TOO_LONG, "UserLog message has length %llu, over 1000000",
           (unsigned long long)len);
      return R_FATAL;
    }
    if ((r = rd_bytes(P, len)) != R_OK) return r;
  }
  return R_OK;
}

/* ---- tables ---- */

static const uint8_t *string_get(const st_decoder *d, uint64_t id, size_t *len) {
  const uint64_t *v = id ? st_idmap_find(&d->strings, id) : NULL;
  if (!v) {
    *len = 0;
    return NULL;
  }
  *len = (size_t)(*v & 0xffffff);
  return d->arena + (*v >> 24);
}

/* Keeps a string; -1 when a limit or memory ran out (reported). */
static int string_put(st_decoder *d, uint64_t off, uint64_t id, const uint8_t *s, size_t len) {
  const st_alloc *a = d->cfg.alloc;
  if (d->strings.count + 1 > d->cfg.limits.max_strings ||
      d->arena_len + len > d->cfg.limits.max_string_bytes) {
    reportf(d, ST_RULE_LIMIT_STRINGS, off,
            "string table limit reached: %llu strings, %llu bytes (limits %llu, %llu)",
            (unsigned long long)d->strings.count, (unsigned long long)d->arena_len,
            (unsigned long long)d->cfg.limits.max_strings,
            (unsigned long long)d->cfg.limits.max_string_bytes);
    return -1;
  }
  if (d->arena_len + len > d->arena_cap) {
    size_t ncap = d->arena_cap ? d->arena_cap : 4096;
    while (ncap < d->arena_len + len) ncap *= 2;
    uint8_t *na = a->realloc(a->ctx, d->arena, d->arena_cap, ncap);
    if (!na) return -2;
    d->arena = na;
    d->arena_cap = ncap;
  }
  if (len) memcpy(d->arena + d->arena_len, s, len);
  if (!st_idmap_insert(&d->strings, a, id, ((uint64_t)d->arena_len << 24) | len)) return -2;
  d->arena_len += len;
  return 0;
}

/* The stack-ID table entry of id, created when absent. NULL when out of limit or memory. */
static uint64_t *stack_entry(st_decoder *d, uint64_t off, uint64_t id, int *nomem) {
  uint64_t *v = st_idmap_find(&d->stacks, id);
  if (v) return v;
  if (d->stacks.count + 1 > d->cfg.limits.max_stacks) {
    reportf(d, ST_RULE_LIMIT_STACKS, off, "stack-ID table limit reached: %llu stack IDs",
            (unsigned long long)d->stacks.count);
    return NULL;
  }
  v = st_idmap_insert(&d->stacks, d->cfg.alloc, id, 0);
  if (!v) *nomem = 1;
  return v;
}

/* ---- committing a complete event ---- */

static void batch_close(st_decoder *d) {
  if (d->seen_batch && d->batch_bytes > d->cfg.buf_size)
    reportf(d, ST_RULE_BATCH_TOO_LARGE, d->batch_off,
            "batch at offset %llu is %llu bytes, over the buffer capacity %llu",
            (unsigned long long)d->batch_off, (unsigned long long)d->batch_bytes,
            (unsigned long long)d->cfg.buf_size);
}

static int commit_string(st_decoder *d, st_event *ev) {
  uint64_t off = ev->off;
  if (ev->str_id == 0) {
    report(d, ST_RULE_STRING_ID_ZERO, off, "EvString has ID 0 (reserved for the empty string)");
    return 0;
  }
  if (st_idmap_find(&d->strings, ev->str_id)) {
    reportf(d, ST_RULE_STRING_DUP_ID, off, "EvString ID %llu is already defined",
            (unsigned long long)ev->str_id);
    return 0;
  }
  if (ev->str_len == 0) {
    reportf(d, ST_RULE_STRING_EMPTY, off, "EvString %llu has length 0",
            (unsigned long long)ev->str_id);
    return 0;
  }
  return string_put(d, off, ev->str_id, ev->str, ev->str_len);
}

static int commit_stack(st_decoder *d, parse *P) {
  st_event *ev = &P->ev;
  uint64_t off = ev->off, n = ev->nframes;
  int strict = d->cfg.mode == ST_MODE_STRICT;
  if (!ev->has_len)
    reportf(d, ST_RULE_STACK_FORM, off, "EvStack written inline (field %u), not length-prefixed",
            ev->field);
  /* A malformed stack is still delivered, without frames: frames stays NULL, so nframes
   * must be 0 or callbacks would index a NULL array. */
  if (P->nargs < 2) {
    reportf(d, ST_RULE_STACK_NFRAMES, off, "EvStack has %llu arguments, needs at least 2",
            (unsigned long long)P->nargs);
    ev->nframes = 0;
    return 0;
  }
  if (n > ST_MAX_FRAMES) {
    reportf(d, ST_RULE_STACK_TOO_DEEP, off, "EvStack %llu has %llu frames, over 1000",
            (unsigned long long)ev->stack_id, (unsigned long long)n);
    ev->nframes = 0;
    return 0;
  }
  if (P->nargs != 2 + 4 * n) {
    reportf(d, ST_RULE_STACK_NFRAMES, off,
            "EvStack %llu declares %llu frames (%llu arguments) but has %llu arguments",
            (unsigned long long)ev->stack_id, (unsigned long long)n,
            2 + 4 * (unsigned long long)n, (unsigned long long)P->nargs);
    ev->nframes = 0;
    return 0;
  }
  int undefined_reported = 0;
  for (uint64_t i = 0; i < n; i++) {
    st_frame *f = &d->frames[i];
    f->fn = string_get(d, f->fn_id, &f->fn_len);
    f->file = string_get(d, f->file_id, &f->file_len);
    if (strict && !undefined_reported && ((f->fn_id && !f->fn) || (f->file_id && !f->file))) {
      reportf(d, ST_RULE_STACK_STRING_UNDEFINED, off,
              "EvStack %llu frame %llu uses string ID %llu, not defined before it",
              (unsigned long long)ev->stack_id, (unsigned long long)i,
              (unsigned long long)(f->fn_id && !f->fn ? f->fn_id : f->file_id));
      undefined_reported = 1;
    }
  }
  ev->frames = d->frames;
  if (ev->stack_id == 0) {
    report(d, ST_RULE_STACK_ID_ZERO, off, "EvStack has ID 0 (reserved for no stack)");
    return 0;
  }
  int nomem = 0;
  uint64_t *e = stack_entry(d, off, ev->stack_id, &nomem);
  if (!e) return nomem ? -2 : -1;
  if (*e & STACK_DEFINED)
    reportf(d, ST_RULE_STACK_DUP_ID, off, "EvStack ID %llu is already defined",
            (unsigned long long)ev->stack_id);
  *e |= STACK_DEFINED;
  return 0;
}

static int reference_stack(st_decoder *d, uint64_t off, uint64_t id) {
  if (id == 0 || d->cfg.mode != ST_MODE_STRICT) return 0;
  int nomem = 0;
  uint64_t *e = stack_entry(d, off, id, &nomem);
  if (!e) return nomem ? -2 : -1;
  if (!(*e & (STACK_DEFINED | STACK_REFERENCED))) *e |= STACK_REFERENCED | (off & STACK_OFF_MASK);
  return 0;
}

static int commit_ordinary(st_decoder *d, parse *P) {
  st_event *ev = &P->ev;
  const st_event_desc *desc = st_event_describe(ev->type);
  if (P->nargs != desc->nargs) {
    reportf(d, ST_RULE_EVENT_NARGS, ev->off, "%s has %llu arguments, want %u",
            st_event_name(ev->type, d->version), (unsigned long long)P->nargs, desc->nargs);
    return 0;
  }
  if (ev->type == ST_EV_FREQUENCY) {
    d->seen_freq = 1;
    if ((int64_t)ev->args[0] <= 0)
      reportf(d, ST_RULE_FREQ_INVALID, ev->off, "EvFrequency is %lld ticks per second",
              (long long)ev->args[0]);
  }
  int r = 0;
  if (desc->has_stack) r = reference_stack(d, ev->off, ev->args[desc->nargs - 1]);
  if (r == 0 && ev->type == ST_EV_GO_CREATE) r = reference_stack(d, ev->off, ev->args[2]);
  return r;
}

/* Reports and records a complete event. Returns 0, -1 (fatal, reported) or -2 (no memory). */
static int commit(st_decoder *d, parse *P) {
  st_event *ev = &P->ev;
  for (int i = 0; i < P->npend; i++) report(d, P->pend[i].rule, ev->off, P->pend[i].msg);

  if (ev->type == ST_EV_BATCH) {
    batch_close(d);
    d->seen_batch = 1;
    d->batch_off = ev->off;
    d->batch_bytes = ev->size;
    d->at_batch_start = 1;
  } else {
    if (!d->seen_batch && !d->batch_missing_reported) {
      reportf(d, ST_RULE_BATCH_MISSING, ev->off, "%s before the first EvBatch",
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
    reportf(d, ST_RULE_LEN_OVER_2048, ev->off,
            "%s has length %llu; Go 1.22+ readers refuse a length-prefixed event whose length "
            "is over 2048", st_event_name(ev->type, d->version), (unsigned long long)ev->len);

  int r;
  if (ev->type == ST_EV_STRING)
    r = commit_string(d, ev);
  else if (ev->type == ST_EV_STACK)
    r = commit_stack(d, P);
  else
    r = commit_ordinary(d, P);
  if (r != 0) return r;
  if (d->cfg.on_event) d->cfg.on_event(d->cfg.user, ev);
  return 0;
}

/* Parses and commits one event at p. Returns R_OK (*used set), R_NEED (*need set) or R_FATAL. */
static int step(st_decoder *d, const uint8_t *p, size_t avail, int eof, size_t *used,
                size_t *need, st_status *err) {
  /* Field by field, not memset: the pending messages are large and written only when a rule
   * fires, and args[] beyond nargs is never read; clearing them per event dominated the cost. */
  parse P;
  st_event *ev = &P.ev;
  ev->size = ev->len = ev->str_id = ev->stack_id = ev->nframes = 0;
  ev->has_len = ev->len_width = ev->nargs = 0;
  ev->str = NULL;
  ev->str_len = 0;
  ev->frames = NULL;
  P.nargs = 0;
  P.npend = 0;
  P.overflowed = 0;
  P.need = 0;
  P.pos = 0;
  P.p = p;
  P.avail = avail;
  P.eof = eof;
  int r = parse_event(d, &P, d->off);
  if (r == R_NEED) {
    *need = P.need;
    return R_NEED;
  }
  if (r == R_FATAL) {
    for (int i = 0; i < P.npend; i++) report(d, P.pend[i].rule, d->off, P.pend[i].msg);
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

/* ---- header ---- */

static int check_header(st_decoder *d, const uint8_t *h) {
  static const char tail[] = " trace\0\0\0\0";
  int ok = memcmp(h, "go ", 3) == 0 && h[3] >= '1' && h[3] <= '9' && h[4] == '.' &&
           h[5] >= '1' && h[5] <= '9';
  int major = 0, minor = 0;
  if (ok) {
    int i = 6;
    major = h[3] - '0';
    minor = h[5] - '0';
    while (i < 8 && h[i] >= '0' && h[i] <= '9') minor = minor * 10 + (h[i++] - '0');
    ok = memcmp(h + i, tail, (size_t)(ST_HEADER_SIZE - i)) == 0;
  }
  if (!ok) {
    char shown[64];
    size_t n = 0;
    for (int k = 0; k < (int)ST_HEADER_SIZE && n + 5 < sizeof shown; k++)
      n += (size_t)snprintf(shown + n, sizeof shown - n, "%02x", h[k]);
    reportf(d, ST_RULE_HDR_BAD, 0, "not a Go execution trace: header bytes %s", shown);
    return -1;
  }
  int ver = major * 1000 + minor;
  if (ver != ST_VER_1_11 && ver != ST_VER_1_19 && ver != ST_VER_1_21) {
    reportf(d, ST_RULE_HDR_UNSUPPORTED, 0,
            "trace version go %d.%d is not supported (v1 stack tables: go 1.11, 1.19, 1.21)",
            major, minor);
    return -1;
  }
  d->version = ver;
  for (unsigned t = 0; t < 64; t++) d->allowed[t] = (uint8_t)st_event_allowed(t, ver);
  return 0;
}

/* ---- public API ---- */

void st_decode_config_default(st_decode_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->mode = ST_MODE_STRICT;
  cfg->buf_size = ST_DEFAULT_BUF_SIZE;
  cfg->limits.max_string_bytes = 32u << 20;
  cfg->limits.max_strings = 1u << 20;
  cfg->limits.max_stacks = 1u << 20;
}

size_t st_decode_scratch_bound(void) {
  return CARRY_BOUND + ST_MAX_FRAMES * sizeof(st_frame);
}

st_status st_decoder_init(st_decoder *d, const st_decode_config *cfg) {
  memset(d, 0, sizeof *d);
  d->cfg = *cfg;
  if (!d->cfg.alloc) d->cfg.alloc = &st_alloc_libc;
  if (cfg->mode != ST_MODE_STRICT && cfg->mode != ST_MODE_GO) return ST_E_PARAM;
  if (!d->cfg.alloc->realloc) return ST_E_PARAM;
  const st_alloc *a = d->cfg.alloc;
  d->carry_cap = CARRY_BOUND;
  d->carry = a->realloc(a->ctx, NULL, 0, d->carry_cap);
  d->frames = a->realloc(a->ctx, NULL, 0, ST_MAX_FRAMES * sizeof(st_frame));
  if (!d->carry || !d->frames) {
    st_decoder_free(d);
    return ST_E_NOMEM;
  }
  d->state = S_HEADER;
  d->carry_need = ST_HEADER_SIZE;
  return ST_OK;
}

static st_status fail(st_decoder *d, st_status s) {
  d->state = S_FAILED;
  return s;
}

static st_status current(const st_decoder *d) { return d->errors ? ST_E_INVALID : ST_OK; }

/* Feeds bytes; eof = 1 on the final call from st_decoder_finish (with len 0). */
static st_status feed(st_decoder *d, const uint8_t *p, size_t n, int eof) {
  if (d->state == S_HEADER) {
    size_t take = ST_HEADER_SIZE - d->carry_len < n ? ST_HEADER_SIZE - d->carry_len : n;
    memcpy(d->carry + d->carry_len, p, take);
    d->carry_len += take;
    p += take;
    n -= take;
    if (d->carry_len < ST_HEADER_SIZE) return ST_OK;
    if (check_header(d, d->carry) != 0) return fail(d, ST_E_INVALID);
    d->carry_len = 0;
    d->off = ST_HEADER_SIZE;
    d->state = S_EVENTS;
  }
  size_t used = 0, need = 0;
  st_status err = ST_OK;
  for (;;) {
    if (d->carry_len > 0) {
      size_t take = d->carry_need > d->carry_len ? d->carry_need - d->carry_len : 0;
      if (take > n) take = n;
      /* st_decoder_finish feeds (NULL, 0): neither memcpy nor p + 0 may see that NULL. */
      if (take) {
        memcpy(d->carry + d->carry_len, p, take);
        d->carry_len += take;
        p += take;
        n -= take;
      }
      if (d->carry_len < d->carry_need && !eof) return current(d);
      int r = step(d, d->carry, d->carry_len, eof && n == 0, &used, &need, &err);
      if (r == R_FATAL) return fail(d, err);
      if (r == R_NEED) {
        if (eof && n == 0) return ST_OK; /* the caller reports the truncation */
        d->carry_need = need;
        continue;
      }
      memmove(d->carry, d->carry + used, d->carry_len - used);
      d->carry_len -= used;
      d->carry_need = d->carry_len;
      continue;
    }
    if (n == 0) return current(d);
    int r = step(d, p, n, 0, &used, &need, &err);
    if (r == R_FATAL) return fail(d, err);
    if (r == R_NEED) {
      /* need <= CARRY_BOUND: parse_event never asks for more than the longest valid event. */
      memcpy(d->carry, p, n);
      d->carry_len = n;
      d->carry_need = need;
      return current(d);
    }
    p += used;
    n -= used;
  }
}

st_status st_decoder_push(st_decoder *d, const void *data, size_t len) {
  if (d->state == S_FAILED) return ST_E_INVALID;
  if (d->state != S_HEADER && d->state != S_EVENTS) return ST_E_STATE;
  return feed(d, data, len, 0);
}

static void report_undefined_stacks(st_decoder *d) {
  uint64_t first_off = 0, first_id = 0, count = 0;
  for (size_t i = 0; i < d->stacks.cap; i++) {
    uint64_t v = d->stacks.vals[i];
    if (!d->stacks.keys[i] || (v & STACK_DEFINED) || !(v & STACK_REFERENCED)) continue;
    uint64_t o = v & STACK_OFF_MASK;
    if (count++ == 0 || o < first_off || (o == first_off && d->stacks.keys[i] < first_id)) {
      first_off = o;
      first_id = d->stacks.keys[i];
    }
  }
  if (count)
    reportf(d, ST_RULE_STACK_UNDEFINED, first_off,
            "event refers to stack %llu, which the trace never defines (%llu undefined stack IDs "
            "in all)", (unsigned long long)first_id, (unsigned long long)count);
}

st_status st_decoder_finish(st_decoder *d) {
  if (d->state == S_FAILED) {
    d->state = S_FINISHED;
    return ST_E_INVALID;
  }
  if (d->state != S_HEADER && d->state != S_EVENTS) return ST_E_STATE;
  if (d->state == S_HEADER) {
    reportf(d, ST_RULE_TRUNCATED, 0, "input ends after %zu of the 16 header bytes", d->carry_len);
    d->state = S_FINISHED;
    return ST_E_INVALID;
  }
  if (d->carry_len > 0) {
    st_status s = feed(d, NULL, 0, 1);
    if (d->state == S_FAILED) {
      d->state = S_FINISHED;
      return s;
    }
    if (d->carry_len > 0) {
      uint8_t b = d->carry[0];
      reportf(d, ST_RULE_TRUNCATED, d->off,
              "input ends inside %s (byte 0x%02x): %zu bytes present, at least %zu needed",
              st_event_name(b & 0x3f, d->version), b, d->carry_len, d->carry_need);
      d->state = S_FINISHED;
      return ST_E_INVALID;
    }
  }
  batch_close(d);
  if (!d->seen_freq) report(d, ST_RULE_FREQ_MISSING, d->off, "the trace has no EvFrequency event");
  report_undefined_stacks(d);
  d->state = S_FINISHED;
  return current(d);
}

uint64_t st_decoder_errors(const st_decoder *d) { return d->errors; }
uint64_t st_decoder_warnings(const st_decoder *d) { return d->warnings; }
int st_decoder_version(const st_decoder *d) { return d->version; }

void st_decoder_free(st_decoder *d) {
  const st_alloc *a = d->cfg.alloc ? d->cfg.alloc : &st_alloc_libc;
  if (d->carry) a->realloc(a->ctx, d->carry, d->carry_cap, 0);
  if (d->frames) a->realloc(a->ctx, d->frames, ST_MAX_FRAMES * sizeof(st_frame), 0);
  if (d->arena) a->realloc(a->ctx, d->arena, d->arena_cap, 0);
  st_idmap_free(&d->strings, a);
  st_idmap_free(&d->stacks, a);
  d->carry = NULL;
  d->frames = NULL;
  d->arena = NULL;
  d->state = S_UNINIT;
}

st_status st_decode_buffer(const st_decode_config *cfg, const void *data, size_t len) {
  st_decoder d;
  st_status s = st_decoder_init(&d, cfg);
  if (s != ST_OK) return s;
  s = st_decoder_push(&d, data, len);
  st_status f = st_decoder_finish(&d);
  st_decoder_free(&d);
  if (s == ST_E_NOMEM) return s;
  return f;
}

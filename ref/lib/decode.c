/* The decoder's streaming core: the public API, the header, the carry buffer that holds an
 * event split across pushes, diagnostics, and the varint reader both framings use. The v1 and
 * v2 framings are in decode_v1.c and decode_v2.c, the tables in dectab.c. */
#include <stdio.h>
#include <string.h>

#include "decode_int.h"
#include "idmap.h"

enum { S_UNINIT = 0, S_HEADER, S_EVENTS, S_FAILED, S_FINISHED };

/* Bytes of the longest event the decoder may have to hold whole: a v1 UserLog with 10-byte
 * length, 5 ten-byte arguments, a 10-byte message length and a 1e6-byte message; a v1 EvString
 * is shorter, and EvStack is at most 1 + 10 + (2 + 4 * 1000) * 10 = 40031 bytes. Every v2
 * record (a whole experimental batch at most) is shorter still. */
#define CARRY_BOUND (1u + 10u + 5u * 10u + 10u + ST_MAX_STRING_LEN)

void sti_pend(sti_parse *P, st_rule r, const char *fmt, ...) {
  if (P->npend >= (int)(sizeof P->pend / sizeof P->pend[0])) return;
  sti_pending *x = &P->pend[P->npend++];
  x->rule = r;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(x->msg, sizeof x->msg, fmt, ap);
  va_end(ap);
}

void sti_report(st_decoder *d, st_rule r, uint64_t off, const char *msg) {
  const st_rule_desc *desc = st_rule_describe(r);
  if (st_rule_strict_only(r, d->format) && d->cfg.mode != ST_MODE_STRICT) return;
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

void sti_reportf(st_decoder *d, st_rule r, uint64_t off, const char *fmt, ...) {
  char msg[sizeof(((st_diag *)0)->message)];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  sti_report(d, r, off, msg);
}

void sti_parse_init(sti_parse *P, const uint8_t *p, size_t avail, int eof) {
  /* Field by field, not memset: the pending messages are large and written only when a rule
   * fires, and args[] beyond nargs is never read; clearing them per event dominated the cost. */
  st_event *ev = &P->ev;
  ev->size = ev->len = ev->str_id = ev->stack_id = ev->nframes = 0;
  ev->has_len = ev->len_width = ev->nargs = ev->field = 0;
  ev->str = NULL;
  ev->str_len = 0;
  ev->frames = NULL;
  ev->gen = ev->batch_off = ev->batch_m = 0;
  P->nargs = 0;
  P->npend = 0;
  P->overflowed = 0;
  P->need = 0;
  P->pos = 0;
  P->p = p;
  P->avail = avail;
  P->eof = eof;
  P->next_kind = 0;
  P->need_ahead = 0;
}

int sti_rd_slow(sti_parse *P, uint64_t off, const char *what, uint64_t *v, size_t *w) {
  size_t width = 0;
  switch (st_varint_get(P->p + P->pos, P->avail - P->pos, v, &width)) {
    case ST_VARINT_OK:
      break;
    case ST_VARINT_OVERFLOW:
      if (!P->overflowed)
        sti_pend(P, ST_RULE_VARINT_OVERFLOW,
                 "%s: 10-byte varint at offset %llu has 10th byte 0x%02x (bits past 64)", what,
                 (unsigned long long)off + P->pos, P->p[P->pos + 9]);
      P->overflowed = 1;
      break;
    case ST_VARINT_SHORT:
      P->need = P->avail + 1;
      return R_NEED;
    case ST_VARINT_OVERLONG:
      sti_pend(P, ST_RULE_VARINT_OVERLONG, "%s: varint at offset %llu is longer than 10 bytes",
               what, (unsigned long long)off + P->pos);
      return R_FATAL;
  }
  P->pos += width;
  if (w) *w = width;
  return R_OK;
}

int sti_rd_bytes(sti_parse *P, uint64_t len) {
  int r = sti_have(P, P->pos + len);
  if (r != R_OK) return r;
  P->ev.str = P->p + P->pos;
  P->ev.str_len = (size_t)len;
  P->pos += (size_t)len;
  return R_OK;
}

/* The hot loop of stack-heavy traces: whole frames read straight from a payload that is
 * entirely in the buffer. A frame is read while 4 short varints from it stay inside the
 * buffered bytes, and kept only when it ends inside the payload; the loop stops at a frame that
 * would not, or that holds a 10-byte varint, and the general loop reads the rest with every
 * check; so both paths give the same result. */
uint64_t sti_fast_frames(st_decoder *d, sti_parse *P, uint64_t end, uint64_t n) {
  if (end > P->avail || P->avail < (size_t)4 * (ST_VARINT_MAX - 1)) return 0;
  uint64_t f = 0;
  const uint8_t *p = P->p;
  size_t pos = P->pos;
  const size_t lim = P->avail - (size_t)4 * (ST_VARINT_MAX - 1);
  for (; f < n && pos <= lim; f++) {
    st_frame *fr = &d->frames[f];
    size_t w0, w1, w2, w3;
    if (!(w0 = sti_short_varint(p + pos, &fr->pc))) break;
    if (!(w1 = sti_short_varint(p + pos + w0, &fr->fn_id))) break;
    if (!(w2 = sti_short_varint(p + pos + w0 + w1, &fr->file_id))) break;
    if (!(w3 = sti_short_varint(p + pos + w0 + w1 + w2, &fr->line))) break;
    size_t next = pos + w0 + w1 + w2 + w3;
    if (next > end) break;
    pos = next;
  }
  P->pos = pos;
  return 4 * f;
}

int sti_is_header(const sti_parse *P) {
  return P->avail >= 5 && memcmp(P->p, "go 1.", 5) == 0;
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
    sti_reportf(d, ST_RULE_HDR_BAD, 0, "not a Go execution trace: header bytes %s", shown);
    return -1;
  }
  int ver = major * 1000 + minor;
  int format = st_version_format(ver);
  if (format == 0) {
    sti_reportf(d, ST_RULE_HDR_UNSUPPORTED, 0,
                "trace version go %d.%d is not supported (v1: go 1.11, 1.19, 1.21; v2: go 1.22, "
                "1.23, 1.25)", major, minor);
    return -1;
  }
  d->version = ver;
  d->format = format;
  memset(d->allowed, 0, sizeof d->allowed);
  if (format == 1) {
    for (unsigned t = 0; t < 64; t++) d->allowed[t] = (uint8_t)st_event_allowed(t, ver);
    sti_v1_fast_init(d);
    return 0;
  }
  /* v2 event batches: the timed events of the version. Go mode reads 1.22 traces with Go
   * 1.23's table (its reader uses one table for both), so 1.23's events pass there too. */
  int table = d->cfg.mode == ST_MODE_GO && ver == ST_VER_1_22 ? ST_VER_1_23 : ver;
  for (unsigned t = 0; t < ST_EV2_COUNT; t++) {
    const st_event2_desc *e = st_event2_describe(t);
    d->allowed[t] = (uint8_t)(e && e->timed && e->min_ver <= table);
  }
  sti_v2_fast_init(d);
  return 0;
}

/* ---- public API ---- */

void st_decode_config_default(st_decode_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->mode = ST_MODE_STRICT;
  cfg->buf_size = ST_DEFAULT_BUF_SIZE;
  cfg->buf_size_v2 = ST_V2_DEFAULT_BUF_SIZE;
  cfg->limits.max_string_bytes = 32u << 20;
  cfg->limits.max_strings = 1u << 20;
  cfg->limits.max_stacks = 1u << 26;
  cfg->limits.max_hold_bytes = 64u << 20;
}

size_t st_decode_scratch_bound(void) {
  return CARRY_BOUND + ST_MAX_FRAMES * sizeof(st_frame);
}

st_status st_decoder_init(st_decoder *d, const st_decode_config *cfg) {
  memset(d, 0, sizeof *d);
  d->cfg = *cfg;
  if (!d->cfg.alloc) d->cfg.alloc = &st_alloc_libc;
  if (cfg->mode != ST_MODE_STRICT && cfg->mode != ST_MODE_GO) return ST_E_PARAM;
  if (cfg->no_simd < 0 || cfg->no_simd > 2) return ST_E_PARAM;
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
  d->fast_v3 = sti_fast_v3_usable(&d->cfg);
  return ST_OK;
}

int sti_fast_v3_usable(const st_decode_config *cfg) {
#if STI_X86_V3
  if (cfg->no_simd) return 0;
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
         __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt");
#else
  (void)cfg;
  return 0;
#endif
}

static st_status fail(st_decoder *d, st_status s) {
  d->state = S_FAILED;
  /* What was held so far is still delivered: a dump shows the events before the problem. */
  sti_hold_release(d);
  return s;
}

static st_status current(const st_decoder *d) { return d->errors ? ST_E_INVALID : ST_OK; }

static int step(st_decoder *d, const uint8_t *p, size_t avail, int eof, size_t *used,
                size_t *need, st_status *err) {
  if (d->format == 2) return sti_v2_step(d, p, avail, eof, used, need, err);
  return sti_v1_step(d, p, avail, eof, used, need, err);
}

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
        if (eof && n == 0) { /* the caller reports the truncation, with this parse's need */
          d->carry_need = need;
          return ST_OK;
        }
        d->carry_need = need;
        continue;
      }
      memmove(d->carry, d->carry + used, d->carry_len - used);
      d->carry_len -= used;
      d->carry_need = d->carry_len;
      continue;
    }
    if (n == 0) return current(d);
    {
      size_t k = d->format == 1 ? sti_v1_fast(d, p, n) : sti_v2_fast(d, p, n);
      p += k;
      n -= k;
      if (n == 0) return current(d); /* a fast path may take every byte (a batch's last) */
    }
    int r = step(d, p, n, 0, &used, &need, &err);
    if (r == R_FATAL) return fail(d, err);
    if (r == R_NEED) {
      /* need <= CARRY_BOUND: a parse never asks for more than the longest valid event. */
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

st_status st_decoder_finish(st_decoder *d) {
  if (d->state == S_FAILED) {
    d->state = S_FINISHED;
    return ST_E_INVALID;
  }
  if (d->state != S_HEADER && d->state != S_EVENTS) return ST_E_STATE;
  if (d->state == S_HEADER) {
    sti_reportf(d, ST_RULE_TRUNCATED, 0, "input ends after %zu of the 16 header bytes",
                d->carry_len);
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
      unsigned t = d->format == 2 ? b : (unsigned)(b & 0x3f);
      const char *name = d->format == 2 && !d->in_batch ? "a batch header"
                                                        : st_event_name(t, d->version);
      sti_reportf(d, ST_RULE_TRUNCATED, d->off,
                  "input ends inside %s (byte 0x%02x): %zu bytes present, at least %zu needed",
                  name, b, d->carry_len, d->carry_need);
      d->state = S_FINISHED;
      sti_hold_release(d);
      return ST_E_INVALID;
    }
  }
  if (d->format == 2)
    sti_v2_finish(d);
  else
    sti_v1_finish(d);
  sti_hold_release(d);
  d->state = S_FINISHED;
  return current(d);
}

uint64_t st_decoder_errors(const st_decoder *d) { return d->errors; }
uint64_t st_decoder_warnings(const st_decoder *d) { return d->warnings; }
int st_decoder_version(const st_decoder *d) { return d->version; }
int st_decoder_format(const st_decoder *d) { return d->format; }

void st_decoder_free(st_decoder *d) {
  const st_alloc *a = d->cfg.alloc ? d->cfg.alloc : &st_alloc_libc;
  if (d->carry) a->realloc(a->ctx, d->carry, d->carry_cap, 0);
  if (d->frames) a->realloc(a->ctx, d->frames, ST_MAX_FRAMES * sizeof(st_frame), 0);
  d->cfg.alloc = a;
  sti_tables_clear(d);
  sti_hold_free(d);
  d->carry = NULL;
  d->frames = NULL;
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

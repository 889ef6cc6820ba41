/* Trace buffers and traceFlush (spec §3). */
#include "stacktab/st_tbuf.h"

#include <string.h>

#include "stacktab/st_events.h"
#include "stacktab/st_varint.h"

st_enc_status st_tbuf_init(st_tbuf *b, uint8_t *mem, size_t cap, st_sink_fn sink, void *sink_user,
                           st_clock_fn clock, void *clock_user) {
  if (!b) return ST_ENC_E_PARAM;
  memset(b, 0, sizeof *b);
  if (!mem || !sink || !clock || cap < ST_TBUF_MIN_CAP) return ST_ENC_E_PARAM;
  b->mem = mem;
  b->cap = cap;
  b->sink = sink;
  b->sink_user = sink_user;
  b->clock = clock;
  b->clock_user = clock_user;
  return ST_ENC_OK;
}

static st_enc_status fail(st_tbuf *b, st_enc_status s) {
  if (b->err == ST_ENC_OK) b->err = s;
  return s;
}

st_enc_status st_tbuf_set_v2(st_tbuf *b, uint64_t gen, int exp) {
  if (b->open || b->cap < ST_TBUF_MIN_CAP_V2 || exp < -1 || exp > 255) return ST_ENC_E_PARAM;
  b->v2 = 1;
  b->gen = gen;
  b->exp = exp;
  return ST_ENC_OK;
}

void st_tbuf_set_gen(st_tbuf *b, uint64_t gen) { b->gen = gen; }

/* Hands the open batch to the sink; the batch is closed whatever the sink says. */
static st_enc_status emit(st_tbuf *b) {
  if (!b->open) return ST_ENC_OK;
  b->open = 0;
  /* v2: traceBufFlush patches the payload length into the reserved 10 bytes. */
  if (b->v2) st_varint_put_width(b->mem + b->size_pos, b->pos - (b->size_pos + 10), 10);
  if (b->sink(b->sink_user, b->mem, b->pos) != 0) return fail(b, ST_ENC_E_SINK);
  b->batches++;
  b->bytes_out += b->pos;
  b->pos = 0;
  return ST_ENC_OK;
}

st_enc_status st_tbuf_flush(st_tbuf *b, uint64_t pid) {
  if (b->err) return b->err;
  st_enc_status s = emit(b);
  if (s) return s;
  uint64_t ticks = b->clock(b->clock_user);
  /* traceFlush: a buffer's ticks must differ from its previous value (v2's refill: be later). */
  if (b->have_prev && (b->v2 ? ticks <= b->prev_ticks : ticks == b->prev_ticks))
    ticks = b->prev_ticks + 1;
  b->have_prev = 1;
  b->prev_ticks = ticks;
  b->ticks = ticks;
  b->pid = pid;
  b->open = 1;
  b->pos = 0;
  if (b->v2) {
    /* cap >= ST_TBUF_MIN_CAP_V2 > ST_V2_BATCH_HEADER_BOUND: the header always fits. */
    if (b->exp < 0) {
      b->mem[b->pos++] = ST_EV2_EVENT_BATCH;
    } else {
      b->mem[b->pos++] = ST_EV2_EXPERIMENTAL_BATCH;
      b->mem[b->pos++] = (uint8_t)b->exp;
    }
    b->pos += st_varint_put(b->mem + b->pos, b->gen);
    b->pos += st_varint_put(b->mem + b->pos, pid);
    b->pos += st_varint_put(b->mem + b->pos, ticks);
    b->size_pos = b->pos;
    memset(b->mem + b->pos, 0, 10);
    b->pos += 10;
    b->head_len = b->pos;
    return ST_ENC_OK;
  }
  /* cap >= ST_TBUF_MIN_CAP > ST_BATCH_HEADER_BOUND, so the header always fits. */
  b->mem[b->pos++] = 0x41;
  b->pos += st_varint_put(b->mem + b->pos, pid);
  b->pos += st_varint_put(b->mem + b->pos, ticks);
  b->head_len = b->pos;
  return ST_ENC_OK;
}

st_enc_status st_tbuf_finish(st_tbuf *b) {
  if (b->err) return b->err;
  return emit(b);
}

size_t st_tbuf_room(const st_tbuf *b) { return b->open ? b->cap - b->pos : 0; }

st_enc_status st_tbuf_make_room(st_tbuf *b, uint64_t pid, size_t need) {
  if (b->err) return b->err;
  if (!b->open || b->cap - b->pos < need) return st_tbuf_flush(b, pid);
  return ST_ENC_OK;
}

st_enc_status st_tbuf_reserve(st_tbuf *b, uint64_t pid, size_t need) {
  st_enc_status s = st_tbuf_make_room(b, pid, need);
  if (s) return s;
  return b->cap - b->pos < need ? ST_ENC_E_TOO_BIG : ST_ENC_OK;
}

/* Every writer goes through this check: a write past the capacity is a caller bug. */
static int fits(st_tbuf *b, size_t n) {
  if (b->open && b->err == ST_ENC_OK && n <= b->cap - b->pos) return 1;
  fail(b, ST_ENC_E_STATE);
  return 0;
}

void st_tbuf_byte(st_tbuf *b, uint8_t v) {
  if (fits(b, 1)) b->mem[b->pos++] = v;
}

void st_tbuf_varint(st_tbuf *b, uint64_t v) {
  if (b->open && b->cap - b->pos >= ST_VARINT_MAX && b->err == ST_ENC_OK) {
    b->pos += st_varint_put(b->mem + b->pos, v); /* fast path: room for any varint */
    return;
  }
  size_t n = st_varint_size(v);
  if (fits(b, n)) b->pos += st_varint_put(b->mem + b->pos, v);
}

void st_tbuf_bytes(st_tbuf *b, const void *p, size_t n) {
  if (n && fits(b, n)) {
    memcpy(b->mem + b->pos, p, n);
    b->pos += n;
  }
}

size_t st_tbuf_skip(st_tbuf *b, size_t n) {
  size_t at = b->pos;
  if (fits(b, n)) {
    memset(b->mem + b->pos, 0, n);
    b->pos += n;
  }
  return at;
}

void st_tbuf_byte_at(st_tbuf *b, size_t pos, uint8_t v) {
  if (!b->open || pos >= b->pos) {
    fail(b, ST_ENC_E_STATE);
    return;
  }
  b->mem[pos] = v;
}

void st_tbuf_varint_at(st_tbuf *b, size_t pos, uint64_t v) {
  if (!b->open || pos > b->pos || b->pos - pos < ST_VARINT_MAX) {
    fail(b, ST_ENC_E_STATE);
    return;
  }
  st_varint_put_width(b->mem + pos, v, ST_VARINT_MAX);
}

uint8_t *st_tbuf_window(st_tbuf *b, size_t n) { return fits(b, n) ? b->mem + b->pos : NULL; }

void st_tbuf_commit(st_tbuf *b, size_t used) {
  if (fits(b, used)) b->pos += used;
}

/* Saturating arithmetic for the bounds: a huge n must not wrap to a small size. */
static size_t sat_add(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }
/* a > 0 at every call below: 4, sat_add(2, ...) >= 2 or sat_add(nargs, 1) >= 1. */
static size_t sat_mul(size_t a, size_t b) { return b > SIZE_MAX / a ? SIZE_MAX : a * b; }

size_t st_string_bound(size_t len) { return sat_add(1 + 2 * ST_BYTES_PER_NUMBER, len); }

size_t st_stack_payload_bound(size_t nframes) {
  return sat_mul(sat_add(2, sat_mul(4, nframes)), ST_BYTES_PER_NUMBER);
}

size_t st_stack_record_bound(size_t nframes) {
  return sat_add(1 + ST_BYTES_PER_NUMBER, st_stack_payload_bound(nframes));
}

size_t st_stack_legacy_need(size_t payload_len) {
  return sat_add(1 + ST_BYTES_PER_NUMBER, payload_len);
}

size_t st_event_bound(void) { return 2 + 5 * ST_BYTES_PER_NUMBER; }

size_t st_v2_string_bound(size_t len) { return sat_add(2 + 2 * ST_BYTES_PER_NUMBER, len); }

size_t st_v2_stack_bound(size_t nframes) {
  return sat_add(2, st_stack_payload_bound(nframes));
}

size_t st_v2_event_bound(size_t nargs) {
  return sat_add(1, sat_mul(sat_add(nargs, 1), ST_BYTES_PER_NUMBER));
}

size_t st_v2_cpu_sample_bound(void) { return 2 + 5 * ST_BYTES_PER_NUMBER; }

/* Whole v2 traces (Go 1.22+, v2 spec §3.4, §5.3, §8): generations of event batches, string
 * batches, CPU samples, the stack section and the last strings batch, in the runtime's order. */
#include <string.h>

#include "stacktab/st_varint.h"
#include "writer_int.h"

#define M_NONE UINT64_MAX /* batches written without an M: strings, stacks, CPU, frequency */

/* traceRegisterLabelsAndReasons (v2 spec §5.3): put in this order at every generation's start;
 * "unspecified" and "preempted" recur and keep their first IDs. */
static const char *const k_prereg[] = {
    "Not worker", "GC (dedicated)", "GC (fractional)", "GC (idle)",
    "unspecified", "forever", "network", "select", "sync.(*Cond).Wait", "sync", "chan send",
    "chan receive", "GC mark assist wait for work", "GC background sweeper wait",
    "system goroutine wait", "preempted", "wait for debug call", "wait until GC ends", "sleep",
    "GC weak to strong wait", /* Go 1.23 on */
    "unspecified", "runtime.Gosched", "preempted"};

static st_enc_status preregister(st_writer *w) {
  if (!w->cfg.preregister) return ST_ENC_OK;
  for (size_t i = 0; i < sizeof k_prereg / sizeof k_prereg[0]; i++) {
    if (i == 19 && w->cfg.version < ST_VER_1_23) continue;
    uint64_t id;
    st_enc_status s = stw_v2_string(w, k_prereg[i], strlen(k_prereg[i]), &id, 0);
    if (s) return s;
  }
  return ST_ENC_OK;
}

/* A batch written and closed at once (frequency, sync): a tbuf of its own, as the runtime's.
 * Only its sink can fail: mem is 80 bytes (>= ST_TBUF_MIN_CAP_V2), the tbuf is fresh, and its
 * header (at most 41 bytes) and payload (at most 17) fit without a flush. */
static st_enc_status one_shot(st_writer *w, const uint8_t *payload, size_t len) {
  uint8_t mem[ST_TBUF_MIN_CAP_V2 + 16];
  st_tbuf b;
  st_tbuf_init(&b, mem, sizeof mem, stw_sink, w, stw_clock, w);
  st_tbuf_set_v2(&b, w->gen, -1);
  st_tbuf_reserve(&b, M_NONE, len);
  st_tbuf_bytes(&b, payload, len);
  return st_tbuf_finish(&b);
}

static st_enc_status sync_batch(st_writer *w) {
  uint8_t p[3 + ST_VARINT_MAX + 4];
  size_t n = 0;
  p[n++] = ST_EV2_SYNC;
  p[n++] = ST_EV2_FREQUENCY;
  n += st_varint_put(p + n, w->cfg.freq);
  /* ClockSnapshot: dt 1 after the batch's time (a fresh buffer), mono, sec and nsec 0. */
  p[n++] = ST_EV2_CLOCK_SNAPSHOT;
  p[n++] = 1;
  p[n++] = 0;
  p[n++] = 0;
  p[n++] = 0;
  return one_shot(w, p, n);
}

static void set_gen(st_writer *w, uint64_t gen) {
  w->gen = gen;
  st_tbuf_set_gen(&w->buf, gen);
  st_tbuf_set_gen(&w->sbuf, gen);
  st_tbuf_set_gen(&w->kbuf, gen);
  st_tbuf_set_gen(&w->cbuf, gen);
}

/* The start of a generation: 1.25's sync batch, then the pre-registered strings. */
static st_enc_status start_generation(st_writer *w) {
  st_enc_status s = ST_ENC_OK;
  if (w->cfg.version >= ST_VER_1_25) {
    w->in_footer = 1;
    if (w->footer_ticks <= w->max_ticks) w->footer_ticks = w->max_ticks + 1;
    s = sync_batch(w);
    w->in_footer = 0;
  }
  if (!s) s = preregister(w);
  return s;
}

static uint8_t *alloc_mem(st_writer *w) {
  return w->cfg.alloc->realloc(w->cfg.alloc->ctx, NULL, 0, w->cfg.buf_size);
}

/* The event buffer's sink notes where each event batch lands, for st_writer_event_offset. */
static int event_sink(void *user, const uint8_t *p, size_t n) {
  st_writer *w = user;
  if (w->nev_base == w->ev_base_cap) {
    size_t ncap = w->ev_base_cap ? w->ev_base_cap * 2 : 64;
    uint64_t *b = w->cfg.alloc->realloc(w->cfg.alloc->ctx, w->ev_base,
                                        w->ev_base_cap * sizeof *b, ncap * sizeof *b);
    if (!b) return -1;
    w->ev_base = b;
    w->ev_base_cap = ncap;
  }
  w->ev_base[w->nev_base++] = w->offset;
  return stw_sink(user, p, n);
}

uint64_t st_writer_event_offset(const st_writer *w, uint64_t token) {
  uint64_t batch = token >> 32;
  return batch < w->nev_base ? w->ev_base[batch] + (token & 0xffffffffu) : UINT64_MAX;
}

static st_enc_status init_buf(st_writer *w, st_tbuf *b, uint8_t *mem) {
  st_enc_status s = st_tbuf_init(b, mem, w->cfg.buf_size, b == &w->buf ? event_sink : stw_sink,
                                 w, stw_clock, w);
  if (!s) s = st_tbuf_set_v2(b, w->cfg.first_gen, -1);
  return s;
}

st_enc_status stw_v2_init(st_writer *w, const uint8_t *header) {
  const st_alloc *a = w->cfg.alloc;
  w->v2 = 1;
  if (w->cfg.buf_size == 0) w->cfg.buf_size = ST_V2_BUF_SIZE;
  if (w->cfg.buf_size < ST_TBUF_MIN_CAP_V2 || w->cfg.first_gen == 0) return ST_ENC_E_PARAM;
  if (w->cfg.max_frames == 0 || w->cfg.max_frames > ST_V2_ENC_MAX_FRAMES)
    w->cfg.max_frames = ST_V2_ENC_MAX_FRAMES;
  if (w->cfg.order != ST_ORDER_ID && w->cfg.order != ST_ORDER_BUCKETS &&
      w->cfg.order != ST_ORDER_TRIE)
    return ST_ENC_E_PARAM;
  w->mem = alloc_mem(w);
  w->smem = alloc_mem(w);
  w->kmem = alloc_mem(w);
  w->cmem = alloc_mem(w);
  if (!w->mem || !w->smem || !w->kmem || !w->cmem) return stw_failed(w, ST_ENC_E_NOMEM);
  st_enc_status s = init_buf(w, &w->buf, w->mem);
  if (!s) s = init_buf(w, &w->sbuf, w->smem);
  if (!s) s = init_buf(w, &w->kbuf, w->kmem);
  if (!s) s = init_buf(w, &w->cbuf, w->cmem);
  if (!s) s = st_strtab_init(&w->strings, a);
  if (!s) {
    st_strtab_set_v2(&w->strings);
    s = st_stacktab_init(&w->stacks, a);
  }
  if (!s) {
    st_dump_config dc;
    st_dump_config_default(&dc);
    dc.algo = ST_ALGO_V2;
    dc.order = w->cfg.order;
    dc.pid = M_NONE;
    dc.max_frames = w->cfg.max_frames;
    dc.symbolize = w->cfg.symbolize;
    dc.sym_user = w->cfg.sym_user;
    s = st_dumper_init(&w->dumper, &dc, &w->kbuf, &w->strings, a);
    st_dumper_set_string_buf(&w->dumper, &w->sbuf);
  }
  if (!s && stw_sink(w, header, ST_HEADER_SIZE) != 0) s = ST_ENC_E_SINK;
  w->state = 1;
  w->gen = w->cfg.first_gen;
  if (!s) s = start_generation(w);
  return stw_failed(w, s);
}

void stw_v2_free(st_writer *w) {
  const st_alloc *a = w->cfg.alloc;
  if (!a) return;
  uint8_t **mems[] = {&w->smem, &w->kmem, &w->cmem};
  for (size_t i = 0; i < 3; i++) {
    if (*mems[i]) a->realloc(a->ctx, *mems[i], w->cfg.buf_size, 0);
    *mems[i] = NULL;
  }
  if (w->cpu) a->realloc(a->ctx, w->cpu, w->cpu_cap * 5 * sizeof *w->cpu, 0);
  w->cpu = NULL;
  w->ncpu = w->cpu_cap = 0;
  if (w->ev_base) a->realloc(a->ctx, w->ev_base, w->ev_base_cap * sizeof *w->ev_base, 0);
  w->ev_base = NULL;
  w->nev_base = w->ev_base_cap = 0;
}

st_enc_status stw_v2_batch(st_writer *w, uint64_t m, uint64_t ticks) {
  w->now = ticks;
  st_enc_status s = st_tbuf_flush(&w->buf, m);
  if (s) return stw_failed(w, s);
  w->last_ts = w->buf.ticks;
  stw_saw_ticks(w, w->buf.ticks);
  return ST_ENC_OK;
}

st_enc_status stw_v2_string(st_writer *w, const char *s, size_t len, uint64_t *id, int emit) {
  if (w->state != 1) return ST_ENC_E_STATE;
  st_enc_status st = emit ? st_strtab_emit(&w->strings, &w->sbuf, M_NONE, s, len, id)
                          : st_strtab_intern(&w->strings, &w->sbuf, M_NONE, s, len, id);
  return stw_failed(w, st);
}

st_enc_status st_writer_emit_string(st_writer *w, const char *s, size_t len, uint64_t *id) {
  if (!w->v2) return ST_ENC_E_STATE;
  return stw_v2_string(w, s, len, id, 1);
}

st_enc_status stw_v2_event(st_writer *w, unsigned type, uint64_t ts, const uint64_t *args,
                           size_t nargs, uint64_t *off) {
  if (w->state != 1 || !w->buf.open) return ST_ENC_E_STATE;
  const st_event2_desc *d = st_event2_describe(type);
  if (!d || !d->timed || d->min_ver > w->cfg.version) return ST_ENC_E_PARAM;
  if (nargs + 1 != d->nargs || (nargs && !args)) return ST_ENC_E_PARAM;
  st_tbuf *b = &w->buf;
  uint64_t before = b->batches;
  w->now = ts;
  st_enc_status s = st_tbuf_reserve(b, b->pid, st_v2_event_bound(nargs));
  if (s) return stw_failed(w, s);
  if (b->batches != before) w->last_ts = b->ticks; /* the batch was full: a new one */
  /* traceWriter.event: a time not after the last becomes last + 1, so dt >= 1. */
  if (ts <= w->last_ts) ts = w->last_ts + 1;
  uint64_t dt = ts - w->last_ts;
  w->last_ts = ts;
  stw_saw_ticks(w, ts);
  if (off) *off = b->batches << 32 | b->pos; /* resolved by st_writer_event_offset */
  st_tbuf_byte(b, (uint8_t)type);
  st_tbuf_varint(b, dt);
  for (size_t i = 0; i < nargs; i++) st_tbuf_varint(b, args[i]);
  return stw_failed(w, b->err);
}

st_enc_status st_writer_cpu_sample(st_writer *w, uint64_t time, uint64_t m, uint64_t p,
                                   uint64_t g, uint64_t stack_id) {
  if (!w->v2 || w->state != 1) return ST_ENC_E_STATE;
  if (w->ncpu == w->cpu_cap) {
    size_t ncap = w->cpu_cap ? w->cpu_cap * 2 : 64;
    if (ncap > SIZE_MAX / (5 * sizeof *w->cpu)) return stw_failed(w, ST_ENC_E_NOMEM);
    uint64_t *c = w->cfg.alloc->realloc(w->cfg.alloc->ctx, w->cpu,
                                        w->cpu_cap * 5 * sizeof *c, ncap * 5 * sizeof *c);
    if (!c) return stw_failed(w, ST_ENC_E_NOMEM);
    w->cpu = c;
    w->cpu_cap = ncap;
  }
  uint64_t *e = w->cpu + 5 * w->ncpu++;
  e[0] = time;
  e[1] = m;
  e[2] = p;
  e[3] = g;
  e[4] = stack_id;
  stw_saw_ticks(w, time);
  return ST_ENC_OK;
}

/* The CPU-sample section: ensure(52), `06` when that opened a batch, the record. */
static st_enc_status cpu_section(st_writer *w) {
  st_tbuf *b = &w->cbuf;
  for (size_t i = 0; i < w->ncpu; i++) {
    st_enc_status s = st_tbuf_reserve(b, M_NONE, st_v2_cpu_sample_bound());
    if (s) return s;
    if (b->pos == b->head_len) st_tbuf_byte(b, ST_EV2_CPU_SAMPLES);
    st_tbuf_byte(b, ST_EV2_CPU_SAMPLE);
    for (int k = 0; k < 5; k++) st_tbuf_varint(b, w->cpu[5 * i + (size_t)k]);
    if (b->err) return b->err;
  }
  w->ncpu = 0;
  return st_tbuf_finish(b);
}

/* traceAdvance's end of a generation, in the runtime's order (v2 spec §3.4). */
static st_enc_status end_generation(st_writer *w) {
  w->in_footer = 1;
  w->footer_ticks = w->cfg.end_ticks > w->max_ticks ? w->cfg.end_ticks : w->max_ticks + 1;
  st_enc_status s = ST_ENC_OK;
  if (w->cfg.version < ST_VER_1_25) {
    uint8_t f[1 + ST_VARINT_MAX];
    f[0] = ST_EV2_FREQUENCY;
    s = one_shot(w, f, 1 + st_varint_put(f + 1, w->cfg.freq));
  }
  if (!s) s = st_tbuf_finish(&w->buf);
  if (!s) s = cpu_section(w);
  if (!s) s = st_dump_table(&w->dumper, &w->stacks);
  if (!s) s = st_tbuf_finish(&w->kbuf);
  if (!s) s = st_tbuf_finish(&w->sbuf);
  if (w->footer_ticks > w->max_ticks) w->max_ticks = w->footer_ticks - 1;
  w->in_footer = 0;
  st_strtab_reset(&w->strings);
  return s;
}

st_enc_status st_writer_generation(st_writer *w) {
  if (!w->v2 || w->state != 1) return ST_ENC_E_STATE;
  st_enc_status s = end_generation(w);
  if (!s) {
    set_gen(w, w->gen + 1);
    s = start_generation(w);
  }
  return stw_failed(w, s);
}

uint64_t st_writer_gen(const st_writer *w) { return w->gen; }

st_enc_status stw_v2_finish(st_writer *w) {
  st_enc_status s = end_generation(w);
  if (s) return stw_failed(w, s);
  w->state = 2;
  return ST_ENC_OK;
}

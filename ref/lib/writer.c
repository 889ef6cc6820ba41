/* Whole-trace writer (spec §3, §7): header, batches, footer, dump. */
#include "stacktab/st_writer.h"

#include <string.h>

#include "stacktab/st_varint.h"
#include "writer_int.h"

void st_writer_config_default(st_writer_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->version = ST_VER_1_19;
  cfg->algo = ST_ALGO_LEGACY;
  cfg->order = ST_ORDER_ID;
  cfg->buf_size = 0;
  cfg->freq = 15625000;
  cfg->first_gen = 1;
  cfg->max_frames = ST_ENC_MAX_FRAMES;
}

int stw_sink(void *user, const uint8_t *p, size_t n) {
  st_writer *w = user;
  if (w->cfg.write(w->cfg.write_user, p, n) != 0) return -1;
  w->offset += n;
  return 0;
}

/* Inside the trace the clock is the time of the event being written; in the footer it counts
 * up from end_ticks, one tick per batch. */
uint64_t stw_clock(void *user) {
  st_writer *w = user;
  return w->in_footer ? w->footer_ticks++ : w->now;
}

st_enc_status stw_failed(st_writer *w, st_enc_status s) {
  if (s != ST_ENC_OK) w->state = 3;
  return s;
}

st_enc_status st_writer_init(st_writer *w, const st_writer_config *cfg) {
  if (!w) return ST_ENC_E_PARAM;
  memset(w, 0, sizeof *w);
  if (!cfg || !cfg->write || !cfg->symbolize) return ST_ENC_E_PARAM;
  w->cfg = *cfg;
  if (!w->cfg.alloc) w->cfg.alloc = &st_alloc_libc;
  const st_alloc *a = w->cfg.alloc;
  uint8_t header[ST_HEADER_SIZE];
  if (st_header_put(header, cfg->version) != 0) return ST_ENC_E_PARAM;
  if (st_version_format(cfg->version) == 2) return stw_v2_init(w, header);
  if (w->cfg.buf_size == 0) w->cfg.buf_size = ST_DEFAULT_BUF_SIZE;
  if (w->cfg.buf_size < ST_TBUF_MIN_CAP) return ST_ENC_E_PARAM;
  w->mem = a->realloc(a->ctx, NULL, 0, w->cfg.buf_size);
  if (!w->mem) return ST_ENC_E_NOMEM;
  /* Neither can fail: mem and the callbacks are set, buf_size >= ST_TBUF_MIN_CAP; a table. */
  st_tbuf_init(&w->buf, w->mem, w->cfg.buf_size, stw_sink, w, stw_clock, w);
  st_strtab_init(&w->strings, a);
  st_enc_status s = st_stacktab_init(&w->stacks, a);
  if (!s) {
    st_dump_config dc;
    st_dump_config_default(&dc);
    dc.algo = cfg->algo;
    dc.order = cfg->order;
    dc.max_frames = cfg->max_frames;
    dc.symbolize = cfg->symbolize;
    dc.sym_user = cfg->sym_user;
    s = st_dumper_init(&w->dumper, &dc, &w->buf, &w->strings, a);
  }
  if (!s && stw_sink(w, header, sizeof header) != 0) s = ST_ENC_E_SINK;
  w->state = 1;
  return stw_failed(w, s);
}

void st_writer_free(st_writer *w) {
  if (w->mem) w->cfg.alloc->realloc(w->cfg.alloc->ctx, w->mem, w->cfg.buf_size, 0);
  w->mem = NULL;
  stw_v2_free(w);
  st_dumper_free(&w->dumper);
  st_stacktab_free(&w->stacks);
  st_strtab_free(&w->strings);
  w->state = 0;
}

st_enc_status st_writer_seed_string(st_writer *w, uint64_t id, const char *s, size_t len) {
  if (w->state != 1) return ST_ENC_E_STATE;
  return st_strtab_seed(&w->strings, id, s, len);
}

st_enc_status st_writer_set_next_string_id(st_writer *w, uint64_t next_id) {
  if (w->state != 1) return ST_ENC_E_STATE;
  return st_strtab_set_next_id(&w->strings, next_id);
}

st_enc_status st_writer_stack(st_writer *w, const uint64_t *pcs, size_t n, uint64_t *id) {
  if (w->state != 1) return ST_ENC_E_STATE;
  return stw_failed(w, st_stacktab_put(&w->stacks, pcs, n, id));
}

void stw_saw_ticks(st_writer *w, uint64_t t) {
  if (t > w->max_ticks) w->max_ticks = t;
}

st_enc_status st_writer_batch(st_writer *w, uint64_t pid, uint64_t ticks) {
  if (w->state != 1) return ST_ENC_E_STATE;
  if (w->v2) return stw_v2_batch(w, pid, ticks);
  w->now = ticks;
  st_enc_status s = st_tbuf_flush(&w->buf, pid);
  if (s) return stw_failed(w, s);
  w->last_ts = w->buf.ticks;
  stw_saw_ticks(w, w->buf.ticks);
  return ST_ENC_OK;
}

st_enc_status st_writer_string(st_writer *w, const char *s, size_t len, uint64_t *id) {
  if (w->v2) return stw_v2_string(w, s, len, id, 0);
  if (w->state != 1 || !w->buf.open) return ST_ENC_E_STATE;
  uint64_t before = w->buf.batches;
  st_enc_status st = st_strtab_intern(&w->strings, &w->buf, w->buf.pid, s, len, id);
  if (st) return stw_failed(w, st);
  if (w->buf.batches != before) w->last_ts = w->buf.ticks; /* continued in a new batch */
  return ST_ENC_OK;
}

st_enc_status st_writer_event(st_writer *w, unsigned type, uint64_t ts, const uint64_t *args,
                              size_t nargs, uint64_t *off) {
  if (w->v2) return stw_v2_event(w, type, ts, args, nargs, off);
  if (w->state != 1 || !w->buf.open) return ST_ENC_E_STATE;
  const st_event_desc *d = st_event_describe(type);
  if (!d || !st_event_allowed(type, w->cfg.version) || !d->has_ts || type == ST_EV_USER_LOG)
    return ST_ENC_E_PARAM;
  if (nargs + 1 != d->nargs || (nargs && !args)) return ST_ENC_E_PARAM;
  st_tbuf *b = &w->buf;
  uint64_t before = b->batches;
  w->now = ts;
  st_enc_status s = st_tbuf_reserve(b, b->pid, st_event_bound());
  if (s) return stw_failed(w, s);
  if (b->batches != before) w->last_ts = b->ticks; /* the batch was full: a new one */
  uint64_t delta = ts > w->last_ts ? ts - w->last_ts : 0;
  if (ts > w->last_ts) w->last_ts = ts;
  stw_saw_ticks(w, ts);
  if (off) *off = w->offset + b->pos;
  unsigned field = nargs < 3 ? (unsigned)nargs : 3;
  st_tbuf_byte(b, (uint8_t)(type | field << 6));
  size_t len_pos = 0;
  if (field == 3) len_pos = st_tbuf_skip(b, 1); /* one length byte, as the runtime */
  st_tbuf_varint(b, delta);
  for (size_t i = 0; i < nargs; i++) st_tbuf_varint(b, args[i]);
  /* At most 5 varints follow the length byte: below 128, so one byte holds it. */
  if (field == 3) st_tbuf_byte_at(b, len_pos, (uint8_t)(b->pos - len_pos - 1));
  return stw_failed(w, b->err);
}

st_enc_status st_writer_finish(st_writer *w) {
  if (w->state != 1) return ST_ENC_E_STATE;
  if (w->v2) return stw_v2_finish(w);
  st_tbuf *b = &w->buf;
  st_enc_status s = st_tbuf_finish(b);
  if (s) return stw_failed(w, s);
  w->in_footer = 1;
  w->footer_ticks = w->cfg.end_ticks ? w->cfg.end_ticks : w->max_ticks + 1;
  uint8_t freq[1 + ST_VARINT_MAX];
  freq[0] = ST_EV_FREQUENCY;
  size_t freq_len = 1 + st_varint_put(freq + 1, w->cfg.freq);
  if (w->cfg.algo == ST_ALGO_LEGACY) {
    /* Go 1.19: Frequency as a bare chunk, then dump() opens its own pid-0 batch. */
    if (stw_sink(w, freq, freq_len) != 0) return stw_failed(w, ST_ENC_E_SINK);
    st_tbuf_flush(b, 0);
  } else {
    /* Go 1.20+: a fresh pid-0 batch holds Frequency; the dump continues in it. */
    st_tbuf_flush(b, 0);
    st_tbuf_reserve(b, 0, freq_len);
    st_tbuf_bytes(b, freq, freq_len);
  }
  /* The flush cannot fail (the batch was closed above: nothing goes to the sink), nor the
   * reserve (a fresh batch: header <= 21 bytes, Frequency <= 11, capacity >= 32). */
  s = st_dump_table(&w->dumper, &w->stacks);
  if (!s) s = st_tbuf_finish(b);
  if (s) return stw_failed(w, s);
  w->state = 2;
  return ST_ENC_OK;
}

uint64_t st_writer_failed_stack(const st_writer *w) { return w->dumper.failed_id; }

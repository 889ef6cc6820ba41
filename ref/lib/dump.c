/* The stack-table dump: the Go 1.19 (legacy) and Go 1.20+ (direct) EvStack writers (v1 spec
 * §5.1) and the Go 1.22+ stack section (v2 spec §6.4, §8.3). */
#include "stacktab/st_stacktab.h"

#include <string.h>

#include "stacktab/st_events.h"
#include "stacktab/st_varint.h"

#define EV_STACK_BYTE (ST_EV_STACK | 3u << 6) /* 0xC3: EvStack, length-prefixed */

void st_dump_config_default(st_dump_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->algo = ST_ALGO_LEGACY;
  cfg->order = ST_ORDER_ID;
  cfg->pid = 0;
  cfg->max_frames = ST_ENC_MAX_FRAMES;
}

size_t st_dump_scratch_bound(size_t max_frames) {
  size_t payload = st_stack_payload_bound(max_frames);
  size_t ids = max_frames > SIZE_MAX / (2 * sizeof(uint64_t)) ? SIZE_MAX
                                                                : 2 * max_frames * sizeof(uint64_t);
  size_t frames = max_frames > SIZE_MAX / sizeof(st_enc_frame) ? SIZE_MAX
                                                                : max_frames * sizeof(st_enc_frame);
  if (payload > SIZE_MAX - ids || payload + ids > SIZE_MAX - frames) return SIZE_MAX;
  return payload + ids + frames;
}

st_enc_status st_dumper_init(st_dumper *d, const st_dump_config *cfg, st_tbuf *buf,
                             st_strtab *strings, const st_alloc *alloc) {
  if (!d) return ST_ENC_E_PARAM;
  memset(d, 0, sizeof *d);
  if (!cfg || !buf || !strings || cfg->max_frames == 0) return ST_ENC_E_PARAM;
  if (cfg->algo != ST_ALGO_LEGACY && cfg->algo != ST_ALGO_DIRECT && cfg->algo != ST_ALGO_V2)
    return ST_ENC_E_PARAM;
  if (cfg->order != ST_ORDER_ID && cfg->order != ST_ORDER_BUCKETS && cfg->order != ST_ORDER_TRIE)
    return ST_ENC_E_PARAM;
  d->cfg = *cfg;
  d->alloc = alloc ? alloc : &st_alloc_libc;
  d->buf = buf;
  d->str_buf = buf;
  d->strings = strings;
  size_t len = st_dump_scratch_bound(cfg->max_frames);
  if (len == SIZE_MAX) return ST_ENC_E_PARAM;
  /* One block: frames and ids first (aligned), payload bytes last. */
  uint8_t *p = d->alloc->realloc(d->alloc->ctx, NULL, 0, len);
  if (!p) return ST_ENC_E_NOMEM;
  d->scratch_len = len;
  d->frames = (st_enc_frame *)(void *)p;
  d->ids = (uint64_t *)(void *)(p + cfg->max_frames * sizeof(st_enc_frame));
  d->payload = p + cfg->max_frames * sizeof(st_enc_frame) + 2 * cfg->max_frames * sizeof(uint64_t);
  return ST_ENC_OK;
}

void st_dumper_set_string_buf(st_dumper *d, st_tbuf *b) { d->str_buf = b; }

void st_dumper_free(st_dumper *d) {
  if (d->frames) d->alloc->realloc(d->alloc->ctx, d->frames, d->scratch_len, 0);
  d->frames = NULL;
  d->ids = NULL;
  d->payload = NULL;
}

/* Go 1.19: strings are interned frame by frame while the payload is built aside; the room
 * check then uses the payload's real length and the length is a minimal varint. */
static st_enc_status record_legacy(st_dumper *d, uint64_t id, const st_enc_frame *f, size_t n) {
  uint8_t *p = d->payload;
  size_t len = 0;
  uint64_t pid = d->cfg.pid;
  len += st_varint_put(p + len, id);
  len += st_varint_put(p + len, n);
  for (size_t i = 0; i < n; i++) {
    uint64_t fn, file;
    st_enc_status s = st_strtab_intern_name(d->strings, d->buf, pid, f[i].fn, f[i].fn_len, &fn);
    if (s) return s;
    s = st_strtab_intern_name(d->strings, d->buf, pid, f[i].file, f[i].file_len, &file);
    if (s) return s;
    len += st_varint_put(p + len, f[i].pc);
    len += st_varint_put(p + len, fn);
    len += st_varint_put(p + len, file);
    len += st_varint_put(p + len, f[i].line);
  }
  st_enc_status s = st_tbuf_reserve(d->buf, pid, st_stack_legacy_need(len));
  if (s) return s;
  st_tbuf_byte(d->buf, EV_STACK_BYTE);
  st_tbuf_varint(d->buf, len);
  st_tbuf_bytes(d->buf, p, len);
  return d->buf->err;
}

/* Go 1.20+: every string first, then a room check on the worst case, then the body written in
 * place behind a 10-byte gap that receives the length. */
static st_enc_status record_direct(st_dumper *d, uint64_t id, const st_enc_frame *f, size_t n) {
  uint64_t pid = d->cfg.pid;
  uint64_t *ids = d->ids;
  for (size_t i = 0; i < n; i++) {
    st_enc_status s =
        st_strtab_intern_name(d->strings, d->buf, pid, f[i].fn, f[i].fn_len, &ids[2 * i]);
    if (s) return s;
    s = st_strtab_intern_name(d->strings, d->buf, pid, f[i].file, f[i].file_len, &ids[2 * i + 1]);
    if (s) return s;
  }
  size_t need = st_stack_record_bound(n);
  st_enc_status s = st_tbuf_reserve(d->buf, pid, need);
  if (s) return s;
  /* The reserve covered the worst case, so the record goes straight into the batch with no
   * room check per varint: type byte, 10 bytes kept for the length, the body, then the body's
   * length back-patched as a padded 10-byte varint. */
  uint8_t *p = st_tbuf_window(d->buf, need);
  if (!p) return d->buf->err;
  const size_t body = 1 + ST_VARINT_MAX;
  size_t len = body;
  p[0] = EV_STACK_BYTE;
  len += st_varint_put(p + len, id);
  len += st_varint_put(p + len, n);
  for (size_t i = 0; i < n; i++) {
    len += st_varint_put(p + len, f[i].pc);
    len += st_varint_put(p + len, ids[2 * i]);
    len += st_varint_put(p + len, ids[2 * i + 1]);
    len += st_varint_put(p + len, f[i].line);
  }
  st_varint_put_width(p + 1, len - body, ST_VARINT_MAX);
  st_tbuf_commit(d->buf, len);
  return d->buf->err;
}

/* Go 1.22+: the names go to the string table's own buffer first; then the stack buffer's room
 * check (with a byte for `02`), and the record with minimal varints. */
static st_enc_status record_v2(st_dumper *d, uint64_t id, const st_enc_frame *f, size_t n) {
  uint64_t m = d->cfg.pid;
  uint64_t *ids = d->ids;
  for (size_t i = 0; i < n; i++) {
    st_enc_status s =
        st_strtab_intern_name(d->strings, d->str_buf, m, f[i].fn, f[i].fn_len, &ids[2 * i]);
    if (s) return s;
    s = st_strtab_intern_name(d->strings, d->str_buf, m, f[i].file, f[i].file_len,
                              &ids[2 * i + 1]);
    if (s) return s;
  }
  size_t need = st_v2_stack_bound(n);
  st_enc_status s = st_tbuf_reserve(d->buf, m, need);
  if (s) return s;
  if (d->buf->pos == d->buf->head_len) st_tbuf_byte(d->buf, ST_EV2_STACKS);
  uint8_t *p = st_tbuf_window(d->buf, need - 1);
  if (!p) return d->buf->err;
  size_t len = 0;
  p[len++] = ST_EV2_STACK;
  len += st_varint_put(p + len, id);
  len += st_varint_put(p + len, n);
  for (size_t i = 0; i < n; i++) {
    len += st_varint_put(p + len, f[i].pc);
    len += st_varint_put(p + len, ids[2 * i]);
    len += st_varint_put(p + len, ids[2 * i + 1]);
    len += st_varint_put(p + len, f[i].line);
  }
  st_tbuf_commit(d->buf, len);
  return d->buf->err;
}

st_enc_status st_dump_record(st_dumper *d, uint64_t id, const st_enc_frame *frames, size_t n) {
  if (n > d->cfg.max_frames || (d->cfg.algo == ST_ALGO_V2 && n > ST_V2_ENC_MAX_FRAMES)) {
    d->failed_id = id;
    return ST_ENC_E_LIMIT;
  }
  st_enc_status s = d->cfg.algo == ST_ALGO_DIRECT ? record_direct(d, id, frames, n)
                    : d->cfg.algo == ST_ALGO_V2   ? record_v2(d, id, frames, n)
                                                  : record_legacy(d, id, frames, n);
  if (s) {
    d->failed_id = id;
    return s;
  }
  d->records_written++;
  d->frames_written += n;
  return ST_ENC_OK;
}

/* Resolves stack i's PCs into d->frames; a stack where nothing resolves gets one zero frame. */
static st_enc_status resolve(st_dumper *d, const st_stacktab *t, size_t i, size_t *nframes) {
  const st_stackent *e = &t->ents[i];
  const uint64_t *pcs = t->pcs + e->off;
  size_t n = 0, max = d->cfg.max_frames;
  for (size_t k = 0; k < e->n; k++) {
    size_t got = d->cfg.symbolize(d->cfg.sym_user, pcs[k], d->frames + n, max - n);
    if (got > max - n) return ST_ENC_E_LIMIT;
    n += got;
  }
  if (n == 0) {
    memset(&d->frames[0], 0, sizeof d->frames[0]);
    d->frames[0].fn = d->frames[0].file = "";
    n = 1;
  }
  *nframes = n;
  return ST_ENC_OK;
}

static st_enc_status dump_one(st_dumper *d, const st_stacktab *t, size_t i) {
  size_t n;
  st_enc_status s = resolve(d, t, i, &n);
  if (s) {
    d->failed_id = i + 1;
    return s;
  }
  return st_dump_record(d, i + 1, d->frames, n);
}

/* Go 1.23's trie order: records are inserted in ID order, each descending by two hash bits at
 * a time from the top; then a pre-order walk. Scratch: 4 children per record and a walk stack. */
static st_enc_status dump_trie(st_dumper *d, const st_stacktab *t) {
  size_t n = t->count;
  if (n == 0) return ST_ENC_OK;
  if (n > SIZE_MAX / (5 * sizeof(uint32_t))) return ST_ENC_E_NOMEM;
  size_t bytes = 5 * n * sizeof(uint32_t);
  uint32_t *kids = d->alloc->realloc(d->alloc->ctx, NULL, 0, bytes);
  if (!kids) return ST_ENC_E_NOMEM;
  uint32_t *stack = kids + 4 * n;
  memset(kids, 0, 4 * n * sizeof *kids);
  for (size_t i = 1; i < n; i++) {
    size_t node = 0;
    uint64_t h = t->ents[i].hash;
    for (;;) {
      uint32_t *slot = &kids[4 * node + (size_t)(h >> 62)];
      h <<= 2;
      if (*slot == 0) {
        *slot = (uint32_t)i + 1;
        break;
      }
      node = *slot - 1;
    }
  }
  st_enc_status s = ST_ENC_OK;
  size_t top = 0;
  stack[top++] = 1;
  while (top && !s) {
    uint32_t node = stack[--top] - 1;
    s = dump_one(d, t, node);
    for (int c = 3; c >= 0; c--) /* children 0..3 are visited in that order */
      if (kids[(size_t)node * 4 + (size_t)c]) stack[top++] = kids[(size_t)node * 4 + (size_t)c];
  }
  d->alloc->realloc(d->alloc->ctx, kids, bytes, 0);
  return s;
}

st_enc_status st_dump_table(st_dumper *d, st_stacktab *t) {
  if (!d->cfg.symbolize) return ST_ENC_E_PARAM;
  st_enc_status s = ST_ENC_OK;
  if (d->cfg.order == ST_ORDER_TRIE) {
    s = dump_trie(d, t);
  } else if (d->cfg.order == ST_ORDER_ID) {
    for (size_t i = 0; i < t->count && !s; i++) s = dump_one(d, t, i);
  } else {
    for (size_t b = 0; b < ST_STACK_BUCKETS && !s; b++)
      for (uint32_t i = t->buckets[b]; i != 0 && !s; i = t->ents[i - 1].next) s = dump_one(d, t, i - 1);
  }
  if (s) return s;
  st_stacktab_reset(t);
  return ST_ENC_OK;
}

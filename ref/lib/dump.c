/* The stack-table dump: the Go 1.19 (legacy) and Go 1.20+ (direct) EvStack writers (v1 spec
 * §5.1) and the Go 1.22+ stack section (v2 spec §6.4, §8.3). */
#include "stacktab/st_stacktab.h"

#include <string.h>

#include "stacktab/st_events.h"
#include "stacktab/st_varint.h"

#define EV_STACK_BYTE (ST_EV_STACK | 3u << 6) /* 0xC3: EvStack, length-prefixed */

/* st_varint_put inlined: the records' four varints per frame are the dump's inner loop. */
static inline size_t put_uv(uint8_t *dst, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    dst[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  dst[n++] = (uint8_t)v;
  return n;
}

/* A record's frames: PC, function and file string IDs, line, per frame. */
static inline size_t put_frames(uint8_t *p, const st_enc_frame *f, const uint64_t *ids, size_t n) {
  size_t len = 0;
  for (size_t i = 0; i < n; i++) {
    len += put_uv(p + len, f[i].pc);
    len += put_uv(p + len, ids[2 * i]);
    len += put_uv(p + len, ids[2 * i + 1]);
    len += put_uv(p + len, f[i].line);
  }
  return len;
}

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

/* The strings of frames [from, to) into ids[2i], ids[2i + 1]: function name, then file name,
 * frame by frame, as every algorithm interns them (the legacy dump interleaves them with
 * building the payload aside, which writes nothing, so the bytes are the same). New strings
 * go to the string buffer: v1 the record's own, v2 the string table's. */
static st_enc_status intern_frames(st_dumper *d, const st_enc_frame *f, uint64_t *ids, size_t from,
                                   size_t to) {
  st_tbuf *sb = d->cfg.algo == ST_ALGO_V2 ? d->str_buf : d->buf;
  uint64_t pid = d->cfg.pid;
  for (size_t i = from; i < to; i++) {
    st_enc_status s = st_strtab_intern_name(d->strings, sb, pid, f[i].fn, f[i].fn_len, &ids[2 * i]);
    if (s) return s;
    s = st_strtab_intern_name(d->strings, sb, pid, f[i].file, f[i].file_len, &ids[2 * i + 1]);
    if (s) return s;
  }
  return ST_ENC_OK;
}

/* Go 1.19: the payload is built aside; the room check then uses its real length and the
 * length is a minimal varint. */
static st_enc_status record_legacy(st_dumper *d, uint64_t id, const st_enc_frame *f,
                                   const uint64_t *ids, size_t n) {
  uint8_t *p = d->payload;
  size_t len = 0;
  len += put_uv(p + len, id);
  len += put_uv(p + len, n);
  len += put_frames(p + len, f, ids, n);
  st_enc_status s = st_tbuf_reserve(d->buf, d->cfg.pid, st_stack_legacy_need(len));
  if (s) return s;
  st_tbuf_byte(d->buf, EV_STACK_BYTE);
  st_tbuf_varint(d->buf, len);
  st_tbuf_bytes(d->buf, p, len);
  return d->buf->err;
}

/* Go 1.20+: (every string first,) then a room check on the worst case, then the body written
 * in place behind a 10-byte gap that receives the length. */
static st_enc_status record_direct(st_dumper *d, uint64_t id, const st_enc_frame *f,
                                   const uint64_t *ids, size_t n) {
  size_t need = st_stack_record_bound(n);
  st_enc_status s = st_tbuf_reserve(d->buf, d->cfg.pid, need);
  if (s) return s;
  /* The reserve covered the worst case, so the record goes straight into the batch with no
   * room check per varint: type byte, 10 bytes kept for the length, the body, then the body's
   * length back-patched as a padded 10-byte varint. */
  uint8_t *p = st_tbuf_window(d->buf, need);
  if (!p) return d->buf->err;
  const size_t body = 1 + ST_VARINT_MAX;
  size_t len = body;
  p[0] = EV_STACK_BYTE;
  len += put_uv(p + len, id);
  len += put_uv(p + len, n);
  len += put_frames(p + len, f, ids, n);
  st_varint_put_width(p + 1, len - body, ST_VARINT_MAX);
  st_tbuf_commit(d->buf, len);
  return d->buf->err;
}

/* Go 1.22+: (the names went to the string table's own buffer first;) then the stack buffer's
 * room check (with a byte for `02`), and the record with minimal varints. */
static st_enc_status record_v2(st_dumper *d, uint64_t id, const st_enc_frame *f,
                               const uint64_t *ids, size_t n) {
  uint64_t m = d->cfg.pid;
  size_t need = st_v2_stack_bound(n);
  st_enc_status s = st_tbuf_reserve(d->buf, m, need);
  if (s) return s;
  if (d->buf->pos == d->buf->head_len) st_tbuf_byte(d->buf, ST_EV2_STACKS);
  uint8_t *p = st_tbuf_window(d->buf, need - 1);
  if (!p) return d->buf->err;
  size_t len = 0;
  p[len++] = ST_EV2_STACK;
  len += put_uv(p + len, id);
  len += put_uv(p + len, n);
  len += put_frames(p + len, f, ids, n);
  st_tbuf_commit(d->buf, len);
  return d->buf->err;
}

/* Writes the record of frames whose string IDs are all in d->ids; keeps the statistics. */
static st_enc_status write_record(st_dumper *d, uint64_t id, const st_enc_frame *f, size_t n) {
  st_enc_status s = d->cfg.algo == ST_ALGO_DIRECT ? record_direct(d, id, f, d->ids, n)
                    : d->cfg.algo == ST_ALGO_V2   ? record_v2(d, id, f, d->ids, n)
                                                  : record_legacy(d, id, f, d->ids, n);
  if (s) {
    d->failed_id = id;
    return s;
  }
  d->records_written++;
  d->frames_written += n;
  return ST_ENC_OK;
}

static int over_limit(const st_dumper *d, size_t n) {
  return n > d->cfg.max_frames || (d->cfg.algo == ST_ALGO_V2 && n > ST_V2_ENC_MAX_FRAMES);
}

st_enc_status st_dump_record(st_dumper *d, uint64_t id, const st_enc_frame *frames, size_t n) {
  if (over_limit(d, n)) {
    d->failed_id = id;
    return ST_ENC_E_LIMIT;
  }
  st_enc_status s = intern_frames(d, frames, d->ids, 0, n);
  if (s) {
    d->failed_id = id;
    return s;
  }
  return write_record(d, id, frames, n);
}

/* ---- the table dump, with a PC cache ----
 * Within one st_dump_table the string table only grows, so a PC's frames, once symbolized and
 * interned, have fixed string IDs: a PC seen again takes its frames' PCs, lines and IDs from
 * the cache, without the symbolizer or a lookup; only frames not from the cache are interned,
 * in frame order, which is every write interning would have made. The symbolizer must give
 * the same frames for the same PC (it is called once per distinct PC and dump). The cache's
 * memory is the dump's: when it runs out the dump fails with ST_ENC_E_NOMEM (as the trie
 * order's scratch does). */
typedef struct {
  uint64_t pc, line, fn_id, file_id;
} cached_frame;
typedef struct {
  uint64_t pc;
  uint32_t first; /* into frames; UINT32_MAX: empty slot */
  uint32_t n;
} pc_slot;
typedef struct {
  const st_alloc *a;
  pc_slot *slots;
  size_t nslots, count;
  cached_frame *frames;
  size_t nframes, frames_cap;
  /* per stack: the PCs missed, their frames' start in d->frames and count */
  struct miss {
    uint64_t pc;
    size_t start, n;
  } *miss;
  size_t nmiss, miss_cap;
} pc_cache;

static size_t pc_slot_of(uint64_t pc, size_t nslots) {
  return (size_t)((pc * 0x9E3779B97F4A7C15ull) >> 29) & (nslots - 1);
}

static const pc_slot *cache_find(const pc_cache *c, uint64_t pc) {
  if (!c->count) return NULL;
  for (size_t i = pc_slot_of(pc, c->nslots);; i = (i + 1) & (c->nslots - 1)) {
    const pc_slot *e = &c->slots[i];
    if (e->first == UINT32_MAX) return NULL;
    if (e->pc == pc) return e;
  }
}

/* Makes *p (of *cap elements) hold at least need; 0 or -1 (no memory). */
static int cache_grow(pc_cache *c, void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return 0;
  size_t n = *cap ? *cap : 256;
  while (n < need) n *= 2;
  if (n > SIZE_MAX / elem || n > UINT32_MAX) return -1;
  void *q = c->a->realloc(c->a->ctx, *p, *cap * elem, n * elem);
  if (!q) return -1;
  *p = q;
  *cap = n;
  return 0;
}

static void cache_free(pc_cache *c) {
  if (c->slots) c->a->realloc(c->a->ctx, c->slots, c->nslots * sizeof *c->slots, 0);
  if (c->frames) c->a->realloc(c->a->ctx, c->frames, c->frames_cap * sizeof *c->frames, 0);
  if (c->miss) c->a->realloc(c->a->ctx, c->miss, c->miss_cap * sizeof *c->miss, 0);
  c->slots = NULL;
  c->frames = NULL;
  c->miss = NULL;
}

/* Adds pc with frames f[0..n) and their IDs. */
static st_enc_status cache_add(pc_cache *c, uint64_t pc, const st_enc_frame *f,
                               const uint64_t *ids, size_t n) {
  if ((c->count + 1) * 2 > c->nslots) {
    size_t nn = c->nslots ? 2 * c->nslots : 1024;
    pc_slot *ns = nn <= SIZE_MAX / sizeof *ns ? c->a->realloc(c->a->ctx, NULL, 0, nn * sizeof *ns) : NULL;
    if (!ns) return ST_ENC_E_NOMEM;
    for (size_t i = 0; i < nn; i++) ns[i].first = UINT32_MAX;
    for (size_t i = 0; i < c->nslots; i++) {
      if (c->slots[i].first == UINT32_MAX) continue;
      size_t j = pc_slot_of(c->slots[i].pc, nn);
      while (ns[j].first != UINT32_MAX) j = (j + 1) & (nn - 1);
      ns[j] = c->slots[i];
    }
    if (c->slots) c->a->realloc(c->a->ctx, c->slots, c->nslots * sizeof *c->slots, 0);
    c->slots = ns;
    c->nslots = nn;
  }
  void *p = c->frames;
  if (cache_grow(c, &p, &c->frames_cap, c->nframes + n, sizeof *c->frames)) return ST_ENC_E_NOMEM;
  c->frames = p;
  size_t i = pc_slot_of(pc, c->nslots);
  while (c->slots[i].first != UINT32_MAX) i = (i + 1) & (c->nslots - 1);
  c->slots[i].pc = pc;
  c->slots[i].first = (uint32_t)c->nframes;
  c->slots[i].n = (uint32_t)n;
  for (size_t k = 0; k < n; k++)
    c->frames[c->nframes + k] = (cached_frame){f[k].pc, f[k].line, ids[2 * k], ids[2 * k + 1]};
  c->nframes += n;
  c->count++;
  return ST_ENC_OK;
}

/* Resolves stack i into d->frames and d->ids: cached PCs with their IDs, the others through
 * the symbolizer (recorded in c->miss); a stack where nothing resolves gets one zero frame. */
static st_enc_status resolve(st_dumper *d, pc_cache *c, const st_stacktab *t, size_t i,
                             size_t *nframes) {
  const st_stackent *e = &t->ents[i];
  const uint64_t *pcs = t->pcs + e->off;
  size_t n = 0, max = d->cfg.max_frames;
  c->nmiss = 0;
  for (size_t k = 0; k < e->n; k++) {
    const pc_slot *hit = cache_find(c, pcs[k]);
    if (hit) {
      if (hit->n > max - n) return ST_ENC_E_LIMIT;
      if (hit->n == 0) continue; /* no frames: c->frames may still be NULL (NULL + 0 is UB) */
      const cached_frame *cf = &c->frames[hit->first];
      for (size_t j = 0; j < hit->n; j++, n++) {
        d->frames[n].pc = cf[j].pc;
        d->frames[n].line = cf[j].line;
        d->ids[2 * n] = cf[j].fn_id;
        d->ids[2 * n + 1] = cf[j].file_id;
      }
      continue;
    }
    size_t got = d->cfg.symbolize(d->cfg.sym_user, pcs[k], d->frames + n, max - n);
    if (got > max - n) return ST_ENC_E_LIMIT;
    void *p = c->miss;
    if (cache_grow(c, &p, &c->miss_cap, c->nmiss + 1, sizeof *c->miss)) return ST_ENC_E_NOMEM;
    c->miss = p;
    c->miss[c->nmiss++] = (struct miss){pcs[k], n, got};
    n += got;
  }
  if (n == 0) {
    memset(&d->frames[0], 0, sizeof d->frames[0]);
    d->frames[0].fn = d->frames[0].file = "";
    d->ids[0] = d->ids[1] = 0;
    n = 1;
  }
  *nframes = n;
  return ST_ENC_OK;
}

static st_enc_status dump_one(st_dumper *d, pc_cache *c, const st_stacktab *t, size_t i) {
  size_t n;
  uint64_t id = i + 1;
  st_enc_status s = resolve(d, c, t, i, &n);
  if (!s && over_limit(d, n)) s = ST_ENC_E_LIMIT;
  /* Only the frames the symbolizer gave, in frame order; the cached ones are in the table
   * already (interning them would find them and write nothing). */
  for (size_t m = 0; m < c->nmiss && !s; m++)
    s = intern_frames(d, d->frames, d->ids, c->miss[m].start, c->miss[m].start + c->miss[m].n);
  for (size_t m = 0; m < c->nmiss && !s; m++) {
    /* A PC twice in one stack was missed twice: cache it once. */
    if (cache_find(c, c->miss[m].pc)) continue;
    s = cache_add(c, c->miss[m].pc, d->frames + c->miss[m].start, d->ids + 2 * c->miss[m].start,
                  c->miss[m].n);
  }
  if (s) {
    d->failed_id = id;
    return s;
  }
  return write_record(d, id, d->frames, n);
}

/* Go 1.23's trie order: records are inserted in ID order, each descending by two hash bits at
 * a time from the top; then a pre-order walk. Scratch: 4 children per record and a walk stack. */
static st_enc_status dump_trie(st_dumper *d, pc_cache *c, const st_stacktab *t) {
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
    s = dump_one(d, c, t, node);
    for (int c = 3; c >= 0; c--) /* children 0..3 are visited in that order */
      if (kids[(size_t)node * 4 + (size_t)c]) stack[top++] = kids[(size_t)node * 4 + (size_t)c];
  }
  d->alloc->realloc(d->alloc->ctx, kids, bytes, 0);
  return s;
}

st_enc_status st_dump_table(st_dumper *d, st_stacktab *t) {
  if (!d->cfg.symbolize) return ST_ENC_E_PARAM;
  st_enc_status s = ST_ENC_OK;
  pc_cache c;
  memset(&c, 0, sizeof c);
  c.a = d->alloc;
  if (d->cfg.order == ST_ORDER_TRIE) {
    s = dump_trie(d, &c, t);
  } else if (d->cfg.order == ST_ORDER_ID) {
    for (size_t i = 0; i < t->count && !s; i++) s = dump_one(d, &c, t, i);
  } else {
    for (size_t b = 0; b < ST_STACK_BUCKETS && !s; b++)
      for (uint32_t i = t->buckets[b]; i != 0 && !s; i = t->ents[i - 1].next) s = dump_one(d, &c, t, i - 1);
  }
  cache_free(&c);
  if (s) return s;
  st_stacktab_reset(t);
  return ST_ENC_OK;
}

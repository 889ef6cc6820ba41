/* The stack-table dump: the Go 1.19 (legacy) and Go 1.20+ (direct) EvStack writers (v1 spec
 * §5.1) and the Go 1.22+ stack section (v2 spec §6.4, §8.3). */
#include "stacktab/st_stacktab.h"

#include <string.h>

#include "stacktab/st_events.h"
#include "stacktab/st_varint.h"
#include "varint_int.h"

#define EV_STACK_BYTE (ST_EV_STACK | 3u << 6) /* 0xC3: EvStack, length-prefixed */


/* A record's frames: PC, function and file string IDs, line, per frame. */
static inline size_t put_frames(uint8_t *p, const st_enc_frame *f, const uint64_t *ids, size_t n) {
  size_t len = 0;
  for (size_t i = 0; i < n; i++) {
    len += sti_varint_put(p + len, f[i].pc);
    len += sti_varint_put(p + len, ids[2 * i]);
    len += sti_varint_put(p + len, ids[2 * i + 1]);
    len += sti_varint_put(p + len, f[i].line);
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
  len += sti_varint_put(p + len, id);
  len += sti_varint_put(p + len, n);
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
  len += sti_varint_put(p + len, id);
  len += sti_varint_put(p + len, n);
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
  len += sti_varint_put(p + len, id);
  len += sti_varint_put(p + len, n);
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
 * interned, have fixed string IDs, and so fixed record bytes: the cache keeps each PC's
 * encoded frames (per frame V(pc) V(fn) V(file) V(line)), and a record is its ID and frame
 * count followed by the byte runs of its PCs. A PC seen again costs a lookup and a copy:
 * no symbolizer call, no string lookup, no varint. Only frames from the symbolizer are
 * interned, in frame order, which is every write interning would have made (interning a
 * cached frame's names would find them and write nothing). The symbolizer must give the same
 * frames for the same PC (it is called once per distinct PC and dump). The cache's memory is
 * the dump's: when it runs out the dump fails with ST_ENC_E_NOMEM (as the trie order's scratch
 * does). */
typedef struct {
  uint64_t pc;
  uint32_t off, len; /* its frames' bytes in the cache's arena */
  uint32_t n;        /* frames */
} pc_ent;
struct miss {
  size_t k, start, n; /* the stack's k-th PC, its frames at d->frames[start..start + n) */
};
typedef struct {
  const st_alloc *a;
  uint32_t *slots; /* entry index + 1; 0 = empty */
  size_t nslots;
  pc_ent *ents;
  size_t nents, ents_cap;
  uint8_t *bytes;
  size_t nbytes, bytes_cap;
  uint32_t *parts; /* per PC of the stack being written: its entry */
  size_t parts_cap;
  struct miss *miss;
  size_t nmiss, miss_cap;
} pc_cache;

static size_t pc_slot_of(uint64_t pc, size_t nslots) {
  return (size_t)((pc * 0x9E3779B97F4A7C15ull) >> 29) & (nslots - 1);
}

/* The entry of pc, or -1. */
static long cache_find(const pc_cache *c, uint64_t pc) {
  if (!c->nents) return -1;
  for (size_t i = pc_slot_of(pc, c->nslots);; i = (i + 1) & (c->nslots - 1)) {
    uint32_t e = c->slots[i];
    if (!e) return -1;
    if (c->ents[e - 1].pc == pc) return (long)e - 1;
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
  const st_alloc *a = c->a;
  if (c->slots) a->realloc(a->ctx, c->slots, c->nslots * sizeof *c->slots, 0);
  if (c->ents) a->realloc(a->ctx, c->ents, c->ents_cap * sizeof *c->ents, 0);
  if (c->bytes) a->realloc(a->ctx, c->bytes, c->bytes_cap, 0);
  if (c->parts) a->realloc(a->ctx, c->parts, c->parts_cap * sizeof *c->parts, 0);
  if (c->miss) a->realloc(a->ctx, c->miss, c->miss_cap * sizeof *c->miss, 0);
  memset(c, 0, sizeof *c);
  c->a = a;
}

/* Adds pc with frames f[0..n) and their IDs, encoded; *idx receives its entry. */
static st_enc_status cache_add(pc_cache *c, uint64_t pc, const st_enc_frame *f,
                               const uint64_t *ids, size_t n, uint32_t *idx) {
  if ((c->nents + 1) * 2 > c->nslots) {
    size_t nn = c->nslots ? 2 * c->nslots : 1024;
    uint32_t *ns = nn <= SIZE_MAX / sizeof *ns ? c->a->realloc(c->a->ctx, NULL, 0, nn * sizeof *ns) : NULL;
    if (!ns) return ST_ENC_E_NOMEM;
    memset(ns, 0, nn * sizeof *ns);
    for (size_t e = 0; e < c->nents; e++) {
      size_t j = pc_slot_of(c->ents[e].pc, nn);
      while (ns[j]) j = (j + 1) & (nn - 1);
      ns[j] = (uint32_t)e + 1;
    }
    if (c->slots) c->a->realloc(c->a->ctx, c->slots, c->nslots * sizeof *c->slots, 0);
    c->slots = ns;
    c->nslots = nn;
  }
  void *p = c->ents;
  if (cache_grow(c, &p, &c->ents_cap, c->nents + 1, sizeof *c->ents)) return ST_ENC_E_NOMEM;
  c->ents = p;
  if (n > (UINT32_MAX - c->nbytes) / ((size_t)4 * ST_VARINT_MAX)) return ST_ENC_E_NOMEM;
  p = c->bytes;
  if (cache_grow(c, &p, &c->bytes_cap, c->nbytes + (size_t)4 * ST_VARINT_MAX * n, 1))
    return ST_ENC_E_NOMEM;
  c->bytes = p;
  /* A PC without frames has no bytes: c->bytes may still be NULL (NULL + 0 is UB). */
  size_t len = n ? put_frames(c->bytes + c->nbytes, f, ids, n) : 0;
  c->ents[c->nents] = (pc_ent){pc, (uint32_t)c->nbytes, (uint32_t)len, (uint32_t)n};
  c->nbytes += len;
  size_t i = pc_slot_of(pc, c->nslots);
  while (c->slots[i]) i = (i + 1) & (c->nslots - 1);
  c->slots[i] = (uint32_t)c->nents + 1;
  *idx = (uint32_t)c->nents++;
  return ST_ENC_OK;
}

/* Resolves stack i: each PC's entry in c->parts when cached, else its frames from the
 * symbolizer into d->frames (listed in c->miss). *nframes: the record's frames; *zero: no
 * PC resolved, the record is one zero frame. */
static st_enc_status resolve(st_dumper *d, pc_cache *c, const st_stacktab *t, size_t i,
                             size_t *nframes, int *zero) {
  const st_stackent *e = &t->ents[i];
  const uint64_t *pcs = t->pcs + e->off;
  size_t n = 0, max = d->cfg.max_frames;
  void *p = c->parts;
  if (cache_grow(c, &p, &c->parts_cap, e->n, sizeof *c->parts)) return ST_ENC_E_NOMEM;
  c->parts = p;
  c->nmiss = 0;
  for (size_t k = 0; k < e->n; k++) {
    long hit = cache_find(c, pcs[k]);
    if (hit >= 0) {
      /* hit >= 0: the entry exists (the analyzer cannot see that c->ents is then set) */
      if (c->ents[hit].n > max - n) return ST_ENC_E_LIMIT; /* NOLINT(clang-analyzer-core.NullDereference) */
      c->parts[k] = (uint32_t)hit;
      n += c->ents[hit].n;
      continue;
    }
    size_t got = d->cfg.symbolize(d->cfg.sym_user, pcs[k], d->frames + n, max - n);
    if (got > max - n) return ST_ENC_E_LIMIT;
    p = c->miss;
    if (cache_grow(c, &p, &c->miss_cap, c->nmiss + 1, sizeof *c->miss)) return ST_ENC_E_NOMEM;
    c->miss = p;
    c->miss[c->nmiss++] = (struct miss){k, n, got};
    n += got;
  }
  *zero = n == 0;
  *nframes = n ? n : 1;
  return ST_ENC_OK;
}

/* The record of a resolved stack: its ID, frame count and the byte runs of its PCs. */
static st_enc_status write_runs(st_dumper *d, const pc_cache *c, size_t npcs, uint64_t id,
                                size_t n, int zero) {
  static const uint8_t zero_frame[4] = {0, 0, 0, 0}; /* PC 0, "", "", line 0 */
  st_tbuf *b = d->buf;
  uint64_t pid = d->cfg.pid;
  uint8_t *p;
  size_t len = 0, body = 0;
  if (d->cfg.algo == ST_ALGO_LEGACY) {
    p = d->payload; /* aside: the length is known only at the end */
  } else {
    size_t need = d->cfg.algo == ST_ALGO_V2 ? st_v2_stack_bound(n) : st_stack_record_bound(n);
    st_enc_status s = st_tbuf_reserve(b, pid, need);
    if (s) return s;
    if (d->cfg.algo == ST_ALGO_V2) {
      if (b->pos == b->head_len) st_tbuf_byte(b, ST_EV2_STACKS);
      need--;
    }
    if (!(p = st_tbuf_window(b, need))) return b->err;
    if (d->cfg.algo == ST_ALGO_V2) {
      p[len++] = ST_EV2_STACK;
    } else {
      p[0] = EV_STACK_BYTE; /* then 10 bytes for the length, back-patched */
      len = body = 1 + ST_VARINT_MAX;
    }
  }
  len += sti_varint_put(p + len, id);
  len += sti_varint_put(p + len, n);
  for (size_t k = 0; k < npcs; k++) {
    const pc_ent *e = &c->ents[c->parts[k]];
    if (!e->len) continue; /* no frames: c->bytes may still be NULL */
    memcpy(p + len, c->bytes + e->off, e->len); /* NOLINT(clang-analyzer-core.NonNullParamChecker): e->len > 0 */
    len += e->len;
  }
  if (zero) {
    memcpy(p + len, zero_frame, sizeof zero_frame);
    len += sizeof zero_frame;
  }
  if (d->cfg.algo == ST_ALGO_LEGACY) {
    st_enc_status s = st_tbuf_reserve(b, pid, st_stack_legacy_need(len));
    if (s) return s;
    st_tbuf_byte(b, EV_STACK_BYTE);
    st_tbuf_varint(b, len);
    st_tbuf_bytes(b, p, len);
    return b->err;
  }
  if (d->cfg.algo == ST_ALGO_DIRECT) st_varint_put_width(p + 1, len - body, ST_VARINT_MAX);
  st_tbuf_commit(b, len);
  return b->err;
}

static st_enc_status dump_one(st_dumper *d, pc_cache *c, const st_stacktab *t, size_t i) {
  size_t n;
  int zero = 0;
  uint64_t id = i + 1;
  st_enc_status s = resolve(d, c, t, i, &n, &zero);
  if (!s && over_limit(d, n)) s = ST_ENC_E_LIMIT;
  for (size_t m = 0; m < c->nmiss && !s; m++)
    s = intern_frames(d, d->frames, d->ids, c->miss[m].start, c->miss[m].start + c->miss[m].n);
  for (size_t m = 0; m < c->nmiss && !s; m++) {
    const struct miss *x = &c->miss[m];
    /* A PC twice in one stack was missed twice: cached once, its bytes are the same. */
    long have = cache_find(c, t->pcs[t->ents[i].off + x->k]);
    uint32_t idx = (uint32_t)have;
    if (have < 0)
      s = cache_add(c, t->pcs[t->ents[i].off + x->k], d->frames + x->start, d->ids + 2 * x->start,
                    x->n, &idx);
    c->parts[x->k] = idx;
  }
  if (!s) s = write_runs(d, c, t->ents[i].n, id, n, zero);
  if (s) {
    d->failed_id = id;
    return s;
  }
  d->records_written++;
  d->frames_written += n;
  return ST_ENC_OK;
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
    for (int ch = 3; ch >= 0; ch--) /* children 0..3 are visited in that order */
      if (kids[(size_t)node * 4 + (size_t)ch]) stack[top++] = kids[(size_t)node * 4 + (size_t)ch];
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

/* The decoder's tables: strings (ID -> bytes), stack IDs (defined / referenced), references
 * waiting for their definition, and the events held back until names can be resolved. Their
 * scope is the whole trace for v1 and one generation for v2 (cleared at its end). */
#include <string.h>

#include "decode_int.h"
#include "idmap.h"
#include "varint_int.h"

/* ---- strings ----
 * IDs up to STI_STR_DENSE_MAX (the runtime numbers strings 1, 2, ...) index an array; others go
 * to the `strings` map. Either way the value is the arena offset << 24 | length. */
#define STI_STR_DENSE_MAX ((uint64_t)1 << 20)

static int string_value(const st_decoder *d, uint64_t id, uint64_t *v) {
  if (id <= STI_STR_DENSE_MAX) {
    if (id >= d->str_dense_cap || !d->str_dense[id]) return 0;
    *v = d->str_dense[id] - 1;
    return 1;
  }
  const uint64_t *e = st_idmap_find(&d->strings, id);
  if (!e) return 0;
  *v = *e;
  return 1;
}

int sti_string_has(const st_decoder *d, uint64_t id) {
  uint64_t v;
  return id && string_value(d, id, &v);
}

static uint64_t string_count(const st_decoder *d) { return d->strings.count + d->str_dense_count; }

const uint8_t *sti_string_get(const st_decoder *d, uint64_t id, size_t *len) {
  uint64_t v;
  if (!id || !string_value(d, id, &v)) {
    *len = 0;
    return NULL;
  }
  *len = (size_t)(v & 0xffffff);
  /* Only empty strings were kept so far: no arena yet (NULL + 0 is undefined). */
  return d->arena ? d->arena + (v >> 24) : (const uint8_t *)"";
}

static void report_string_limit(st_decoder *d, uint64_t off) {
  sti_reportf(d, ST_RULE_LIMIT_STRINGS, off,
              "string table limit reached: %llu strings, %llu bytes (limits %llu, %llu)",
              (unsigned long long)string_count(d), (unsigned long long)d->arena_len,
              (unsigned long long)d->cfg.limits.max_strings,
              (unsigned long long)d->cfg.limits.max_string_bytes);
}

int sti_string_put(st_decoder *d, uint64_t off, uint64_t id, const uint8_t *s, size_t len) {
  const st_alloc *a = d->cfg.alloc;
  if (string_count(d) + 1 > d->cfg.limits.max_strings ||
      d->arena_len + len > d->cfg.limits.max_string_bytes) {
    report_string_limit(d, off);
    return -1;
  }
  /* The bytes matter only to an event callback (names, strings): without one only their
   * count is kept, for the limit. */
  if (d->cfg.on_event && d->arena_len + len > d->arena_cap) {
    size_t ncap = d->arena_cap ? d->arena_cap : 4096;
    while (ncap < d->arena_len + len) ncap *= 2;
    uint8_t *na = a->realloc(a->ctx, d->arena, d->arena_cap, ncap);
    if (!na) return -2;
    d->arena = na;
    d->arena_cap = ncap;
  }
  uint64_t v = ((uint64_t)d->arena_len << 24) | len;
  if (id <= STI_STR_DENSE_MAX) {
    if (id >= d->str_dense_cap) {
      size_t n = d->str_dense_cap ? 2 * d->str_dense_cap : 1024;
      while (n <= id) n *= 2;
      if (n > STI_STR_DENSE_MAX + 1) n = (size_t)STI_STR_DENSE_MAX + 1;
      uint64_t *nd = a->realloc(a->ctx, d->str_dense, d->str_dense_cap * sizeof *nd, n * sizeof *nd);
      if (!nd) return -2;
      memset(nd + d->str_dense_cap, 0, (n - d->str_dense_cap) * sizeof *nd);
      d->str_dense = nd;
      d->str_dense_cap = n;
    }
    d->str_dense[id] = v + 1;
    d->str_dense_count++;
  } else if (!st_idmap_insert(&d->strings, a, id, v)) {
    return -2;
  }
  if (len && d->cfg.on_event) memcpy(d->arena + d->arena_len, s, len);
  d->arena_len += len;
  return 0;
}

int sti_str_known_set(st_decoder *d, uint64_t id) {
  if (id > STI_STR_DENSE_MAX) return 0;
  if (id >= (uint64_t)d->str_bits_words * 64) { /* grown by doubling, to 2^21 bits at most */
    size_t n = d->str_bits_words ? 2 * d->str_bits_words : 64;
    while ((uint64_t)n * 64 <= id) n *= 2;
    const st_alloc *a = d->cfg.alloc;
    uint64_t *nb = a->realloc(a->ctx, d->str_bits, d->str_bits_words * sizeof *nb, n * sizeof *nb);
    if (!nb) return -2;
    memset(nb + d->str_bits_words, 0, (n - d->str_bits_words) * sizeof *nb);
    if (!d->str_bits) {
      nb[0] = 1; /* ID 0: no name */
      d->str_known_below = 1;
      d->str_known_below_enc = 1;
    }
    d->str_bits = nb;
    d->str_bits_words = n;
  }
  sti_str_mark(d, id);
  return 0;
}

void sti_str_advance(st_decoder *d) {
  uint64_t k = d->str_known_below;
  const uint64_t nbits = (uint64_t)d->str_bits_words * 64;
  while (k < nbits && (d->str_bits[k / 64] >> (k % 64) & 1)) k++;
  d->str_known_below = k;
  /* k <= 2^20 + 1 (no ID above 2^20 is marked): a varint of 3 bytes at most */
  const uint64_t b0 = (k & 0x7f) | 0x80, b1 = (k >> 7 & 0x7f) | 0x80;
  d->str_known_below_enc = (uint32_t)(k < 0x80     ? k
                                      : k < 0x4000 ? b0 | (k >> 7) << 8
                                                   : b0 | b1 << 8 | (k >> 14) << 16);
}

/* ---- stack IDs ----
 * Dense IDs (1..STI_DENSE_MAX) live in a bitset, two bits each; the rare sparse IDs above in
 * the `stacks` map (flags and first-reference offset), capped at STI_SPARSE_MAX entries. The
 * first-reference offsets of dense IDs go to an append-only log instead of a table: the
 * runtime numbers stacks in first-use order, so an entry is usually 2-4 bytes. */
#define STI_SPARSE_MAX (1u << 20)
#define STI_REF_LOG_MAX ((size_t)32 << 20)

static int stack_limit(st_decoder *d, uint64_t off) {
  if (d->stack_count + 1 > d->cfg.limits.max_stacks) {
    sti_reportf(d, ST_RULE_LIMIT_STACKS, off, "stack-ID table limit reached: %llu stack IDs",
                (unsigned long long)d->stack_count);
    return -1;
  }
  return 0;
}

/* Makes the bitset cover id (<= STI_DENSE_MAX). 0 or -2. */
static int stack_cover(st_decoder *d, uint64_t id) {
  size_t need = 2 * (size_t)(id / 64 + 1);
  if (need <= d->stack_words) return 0;
  size_t n = d->stack_words ? 2 * d->stack_words : 64;
  if (n < need) n = need;
  size_t max = 2 * (size_t)(STI_DENSE_MAX / 64 + 1);
  if (n > max) n = max;
  const st_alloc *a = d->cfg.alloc;
  uint64_t *nb = a->realloc(a->ctx, d->stack_bits, d->stack_words * sizeof *nb, n * sizeof *nb);
  if (!nb) return -2;
  memset(nb + d->stack_words, 0, (n - d->stack_words) * sizeof *nb);
  d->stack_bits = nb;
  d->stack_words = n;
  return 0;
}

static uint64_t get_uvarint(const uint8_t *p, size_t *pos) {
  uint64_t v = 0;
  for (unsigned s = 0;; s += 7) {
    uint8_t b = p[(*pos)++];
    v |= (uint64_t)(b & 0x7f) << s;
    if (!(b & 0x80)) return v;
  }
}

/* Logs the first reference of dense id at off. 0, -1 (limit, reported) or -2. */
static int ref_log_add(st_decoder *d, uint64_t off, uint64_t id) {
  if (d->ref_log_cap - d->ref_log_len < (size_t)2 * ST_VARINT_MAX) {
    if (d->ref_log_cap >= STI_REF_LOG_MAX) {
      sti_reportf(d, ST_RULE_LIMIT_STACKS, off,
                  "stack-ID table limit reached: %llu stack IDs (%zu bytes of references "
                  "waiting for their stacks)", (unsigned long long)d->stack_count,
                  d->ref_log_len);
      return -1;
    }
    size_t n = d->ref_log_cap ? 2 * d->ref_log_cap : 4096;
    const st_alloc *a = d->cfg.alloc;
    uint8_t *nl = a->realloc(a->ctx, d->ref_log, d->ref_log_cap, n);
    if (!nl) return -2;
    d->ref_log = nl;
    d->ref_log_cap = n;
  }
  uint64_t dz = id - d->ref_log_id;
  dz = (dz << 1) ^ (uint64_t)-(int64_t)(dz >> 63); /* zigzag of the signed delta */
  d->ref_log_len += sti_varint_put(d->ref_log + d->ref_log_len, dz);
  d->ref_log_len += sti_varint_put(d->ref_log + d->ref_log_len, off - d->ref_log_off);
  d->ref_log_id = id;
  d->ref_log_off = off;
  return 0;
}

/* The sparse entry of id, created when absent; NULL past a limit (reported) or out of
 * memory (*nomem). */
static uint64_t *sparse_entry(st_decoder *d, uint64_t off, uint64_t id, int *nomem) {
  uint64_t *v = st_idmap_find(&d->stacks, id);
  if (v) return v;
  if (stack_limit(d, off) != 0) return NULL;
  if (d->stacks.count >= STI_SPARSE_MAX) {
    sti_reportf(d, ST_RULE_LIMIT_STACKS, off,
                "stack-ID table limit reached: %llu stack IDs (%llu of them sparse, above %llu)",
                (unsigned long long)d->stack_count, (unsigned long long)d->stacks.count,
                (unsigned long long)STI_DENSE_MAX);
    return NULL;
  }
  v = st_idmap_insert(&d->stacks, d->cfg.alloc, id, 0);
  if (!v) *nomem = 1;
  else d->stack_count++;
  return v;
}

int sti_stack_define(st_decoder *d, uint64_t off, uint64_t id, int *dup) {
  *dup = 0;
  if (id > STI_DENSE_MAX) {
    int nomem = 0;
    uint64_t *e = sparse_entry(d, off, id, &nomem);
    if (!e) return nomem ? -2 : -1;
    *dup = (*e & STI_STACK_DEFINED) != 0;
    *e |= STI_STACK_DEFINED;
    return 0;
  }
  uint64_t m = 1ull << (id & 63);
  size_t w = 2 * (size_t)(id / 64);
  if (w >= d->stack_words || !((d->stack_bits[w] | d->stack_bits[w + 1]) & m)) {
    if (stack_limit(d, off) != 0) return -1;
    if (stack_cover(d, id) != 0) return -2;
    d->stack_count++;
  }
  *dup = (d->stack_bits[w] & m) != 0;
  d->stack_bits[w] |= m;
  return 0;
}

int sti_stack_ref_slow(st_decoder *d, uint64_t off, uint64_t id) {
  if (id > STI_DENSE_MAX) {
    int nomem = 0;
    uint64_t *e = sparse_entry(d, off, id, &nomem);
    if (!e) return nomem ? -2 : -1;
    if (!(*e & (STI_STACK_DEFINED | STI_STACK_REFERENCED)))
      *e |= STI_STACK_REFERENCED | (off & STI_STACK_OFF_MASK);
    return 0;
  }
  uint64_t m = 1ull << (id & 63);
  size_t w = 2 * (size_t)(id / 64);
  if (w < d->stack_words && ((d->stack_bits[w] | d->stack_bits[w + 1]) & m)) return 0;
  if (stack_limit(d, off) != 0) return -1;
  if (stack_cover(d, id) != 0) return -2;
  int r = ref_log_add(d, off, id);
  if (r != 0) return r;
  d->stack_count++;
  d->stack_bits[w + 1] |= m;
  return 0;
}

int sti_stack_is_defined(const st_decoder *d, uint64_t id) {
  if (id > STI_DENSE_MAX) {
    const uint64_t *e = st_idmap_find(&d->stacks, id);
    return e && (*e & STI_STACK_DEFINED);
  }
  size_t w = 2 * (size_t)(id / 64);
  return w < d->stack_words && (d->stack_bits[w] >> (id & 63) & 1);
}

static void stacks_clear(st_decoder *d) {
  const st_alloc *a = d->cfg.alloc;
  if (d->stack_bits) a->realloc(a->ctx, d->stack_bits, d->stack_words * sizeof *d->stack_bits, 0);
  if (d->ref_log) a->realloc(a->ctx, d->ref_log, d->ref_log_cap, 0);
  d->stack_bits = NULL;
  d->ref_log = NULL;
  d->stack_words = d->ref_log_len = d->ref_log_cap = 0;
  d->ref_log_id = d->ref_log_off = 0;
  d->stack_count = 0;
  st_idmap_free(&d->stacks, a);
}

int sti_pend_ref(st_decoder *d, st_idmap *m, uint64_t off, uint64_t id, int strings_limit) {
  if (st_idmap_find(m, id)) return 0;
  /* Pending references count against the table they wait for: hostile input cannot grow
   * them past the limits either. */
  if (strings_limit ? m->count + 1 > d->cfg.limits.max_strings
                    : m->count + 1 > d->cfg.limits.max_stacks) {
    if (strings_limit)
      report_string_limit(d, off);
    else
      sti_reportf(d, ST_RULE_LIMIT_STACKS, off, "stack-ID table limit reached: %llu stack IDs",
                  (unsigned long long)m->count);
    return -1;
  }
  return st_idmap_insert(m, d->cfg.alloc, id, off) ? 0 : -2;
}

/* One name of a frame: dense IDs straight from the array (the hot path of stack tables). */
static inline const uint8_t *frame_string(const st_decoder *d, const uint8_t *arena, uint64_t id,
                                          size_t *len) {
  if (id < d->str_dense_cap) {
    const uint64_t v = d->str_dense[id];
    *len = v ? (size_t)((v - 1) & 0xffffff) : 0;
    return v ? arena + ((v - 1) >> 24) : NULL;
  }
  return sti_string_get(d, id, len);
}

uint64_t sti_resolve_frames(const st_decoder *d, st_frame *f, uint64_t n) {
  uint64_t missing = 0;
  /* Only empty strings were kept so far: no arena yet (NULL + 0 is undefined). */
  const uint8_t *arena = d->arena ? d->arena : (const uint8_t *)"";
  for (uint64_t i = 0; i < n; i++) {
    f[i].fn = frame_string(d, arena, f[i].fn_id, &f[i].fn_len);
    f[i].file = frame_string(d, arena, f[i].file_id, &f[i].file_len);
    missing += (f[i].fn_id && !f[i].fn) + (f[i].file_id && !f[i].file);
  }
  return missing;
}

void sti_report_undefined_stacks(st_decoder *d) {
  uint64_t first_off = 0, first_id = 0, count = 0;
  for (size_t i = 0; i < d->stacks.cap; i++) {
    uint64_t v = d->stacks.vals[i];
    if (!d->stacks.keys[i] || (v & STI_STACK_DEFINED) || !(v & STI_STACK_REFERENCED)) continue;
    uint64_t o = v & STI_STACK_OFF_MASK;
    if (count++ == 0 || o < first_off || (o == first_off && d->stacks.keys[i] < first_id)) {
      first_off = o;
      first_id = d->stacks.keys[i];
    }
  }
  /* Dense IDs: referenced and never defined, counted from the bits; the first such reference
   * from the log (in file order: the first entry not defined, and same-offset ties). */
  uint64_t dense = 0;
  for (size_t w = 0; w < d->stack_words; w += 2) {
    uint64_t u = d->stack_bits[w + 1] & ~d->stack_bits[w];
    while (u) {
      u &= u - 1;
      dense++;
    }
  }
  if (dense) {
    uint64_t id = 0, o = 0, hit_off = 0, hit_id = 0;
    int hit = 0;
    for (size_t pos = 0; pos < d->ref_log_len;) {
      uint64_t z = get_uvarint(d->ref_log, &pos);
      id += (z >> 1) ^ (uint64_t)-(int64_t)(z & 1);
      o += get_uvarint(d->ref_log, &pos);
      if (hit && o != hit_off) break;
      if (!sti_stack_is_defined(d, id) && (!hit || id < hit_id)) {
        hit = 1;
        hit_off = o;
        hit_id = id;
      }
    }
    if (hit && (count == 0 || hit_off < first_off || (hit_off == first_off && hit_id < first_id))) {
      first_off = hit_off;
      first_id = hit_id;
    }
    count += dense;
  }
  if (count)
    sti_reportf(d, ST_RULE_STACK_UNDEFINED, first_off,
                "event refers to stack %llu, which the %s never defines (%llu undefined stack "
                "IDs in all)", (unsigned long long)first_id,
                d->format == 2 ? "generation" : "trace", (unsigned long long)count);
}

void sti_report_pending(st_decoder *d, const st_idmap *m, st_rule rule, const char *what) {
  uint64_t first_off = 0, first_id = 0, count = 0;
  for (size_t i = 0; i < m->cap; i++) {
    uint64_t id = m->keys[i], o = m->vals[i];
    if (!id || sti_string_has(d, id)) continue;
    if (count++ == 0 || o < first_off || (o == first_off && id < first_id)) {
      first_off = o;
      first_id = id;
    }
  }
  if (count)
    sti_reportf(d, rule, first_off,
                "%s %llu, which generation %llu never defines (%llu such IDs in the generation)",
                what, (unsigned long long)first_id, (unsigned long long)d->gen,
                (unsigned long long)count);
}

void sti_tables_clear(st_decoder *d) {
  const st_alloc *a = d->cfg.alloc;
  if (d->arena) a->realloc(a->ctx, d->arena, d->arena_cap, 0);
  d->arena = NULL;
  d->arena_len = d->arena_cap = 0;
  st_idmap_free(&d->strings, a);
  if (d->str_dense) a->realloc(a->ctx, d->str_dense, d->str_dense_cap * sizeof *d->str_dense, 0);
  d->str_dense = NULL;
  d->str_dense_cap = d->str_dense_count = 0;
  stacks_clear(d);
  if (d->str_bits) a->realloc(a->ctx, d->str_bits, d->str_bits_words * sizeof *d->str_bits, 0);
  d->str_bits = NULL;
  d->str_bits_words = 0;
  d->str_known_below = 0;
  d->str_known_below_enc = 0;
  memset(d->ev_str_known, 0, sizeof d->ev_str_known);
  st_idmap_free(&d->pend_frame_strings, a);
  st_idmap_free(&d->pend_event_strings, a);
  st_idmap_free(&d->pend_cpu_stacks, a);
}

/* ---- held events ----
 * Each held event is a record header and the event's bytes, parsed again at release. */
typedef struct {
  uint64_t off, size, gen, batch_off, batch_m;
  int kind;
} held;

void sti_hold_start(st_decoder *d) {
  if (d->cfg.on_event && !d->hold.off_for_scope) d->hold.active = 1;
}

static int hold_grow(st_decoder *d, size_t more) {
  st_hold *h = &d->hold;
  if (h->len + more <= h->cap) return 0;
  size_t ncap = h->cap ? h->cap : 65536;
  while (ncap < h->len + more) ncap *= 2;
  const st_alloc *a = d->cfg.alloc;
  uint8_t *nb = a->realloc(a->ctx, h->buf, h->cap, ncap);
  if (!nb) return -2;
  h->buf = nb;
  h->cap = ncap;
  return 0;
}

static void release(st_decoder *d) {
  st_hold *h = &d->hold;
  size_t pos = 0;
  while (pos < h->len) {
    held rec;
    memcpy(&rec, h->buf + pos, sizeof rec);
    pos += sizeof rec;
    sti_parse P;
    sti_parse_init(&P, h->buf + pos, (size_t)rec.size, 1);
    int r = d->format == 2 ? sti_v2_reparse(d, &P, rec.off, rec.kind)
                           : sti_v1_reparse(d, &P, rec.off);
    pos += (size_t)rec.size;
    if (r != R_OK) continue; /* unreachable: the bytes parsed once already */
    P.ev.gen = rec.gen;
    P.ev.batch_off = rec.batch_off;
    P.ev.batch_m = rec.batch_m;
    d->cfg.on_event(d->cfg.user, &P.ev);
  }
  h->len = 0;
}

int sti_deliver(st_decoder *d, const st_event *ev, const uint8_t *bytes, int kind) {
  st_hold *h = &d->hold;
  if (!h->active) {
    if (d->cfg.on_event) d->cfg.on_event(d->cfg.user, ev);
    return 0;
  }
  held rec = {ev->off, ev->size, ev->gen, ev->batch_off, ev->batch_m, kind};
  if (h->len + sizeof rec + ev->size > d->cfg.limits.max_hold_bytes) {
    /* Past the limit: deliver what is held with the names known now, and hold no more in
     * this scope. */
    release(d);
    h->active = 0;
    h->off_for_scope = 1;
    d->cfg.on_event(d->cfg.user, ev);
    return 0;
  }
  if (hold_grow(d, sizeof rec + (size_t)ev->size) != 0) return -2;
  memcpy(h->buf + h->len, &rec, sizeof rec);
  memcpy(h->buf + h->len + sizeof rec, bytes, (size_t)ev->size);
  h->len += sizeof rec + (size_t)ev->size;
  return 0;
}

void sti_hold_release(st_decoder *d) {
  if (d->hold.len) release(d);
  d->hold.active = 0;
  d->hold.off_for_scope = 0;
}

void sti_hold_free(st_decoder *d) {
  const st_alloc *a = d->cfg.alloc;
  if (d->hold.buf) a->realloc(a->ctx, d->hold.buf, d->hold.cap, 0);
  memset(&d->hold, 0, sizeof d->hold);
}

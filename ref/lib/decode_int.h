/* Private to the decoder: what its streaming core (decode.c), the v1 and v2 framings
 * (decode_v1.c, decode_v2.c) and its tables (dectab.c) share.
 *
 * Chunk independence: an event is parsed from one contiguous span of bytes. A parse function
 * has no side effects until it has every byte of the event; when bytes are missing it says how
 * many it needs in total, the caller keeps the partial event in the carry buffer, and parses it
 * again once that many bytes are there. So the same diagnostics and events come out whatever
 * the chunk boundaries. Committing an event (tables, diagnostics, delivery) happens once. */
#ifndef ST_DECODE_INT_H
#define ST_DECODE_INT_H

#include <stdarg.h>
#include <string.h>

#include "stacktab/st_decode.h"

/* Forced inline in optimised builds: the fast loops are specialised by constant flags. Not at
 * -O0 (debug and coverage builds), where every forced copy would count its branches again. */
#if defined(__GNUC__) && defined(__OPTIMIZE__)
#define FAST_INLINE static inline __attribute__((always_inline))
#else
#define FAST_INLINE static inline
#endif

enum { R_OK, R_NEED, R_FATAL };

typedef struct {
  st_rule rule;
  char msg[sizeof(((st_diag *)0)->message)];
} sti_pending;

/* One parse attempt over p[0..avail): the event and the diagnostics it will report. */
typedef struct {
  const uint8_t *p;
  size_t avail, pos, need;
  int eof;
  st_event ev;
  uint64_t nargs;          /* arguments read (may exceed ST_MAX_ARGS) */
  sti_pending pend[6];
  int npend;
  int overflowed;
  int next_kind;           /* v2: the batch kind after this record */
  int need_ahead;          /* need counts bytes ahead of the missing one (v2 stacks) */
} sti_parse;

/* ---- diagnostics (decode.c) ---- */
void sti_pend(sti_parse *P, st_rule r, const char *fmt, ...);
void sti_report(st_decoder *d, st_rule r, uint64_t off, const char *msg);
void sti_reportf(st_decoder *d, st_rule r, uint64_t off, const char *fmt, ...);
/* Resets the per-event fields of P before parsing p[0..avail). */
void sti_parse_init(sti_parse *P, const uint8_t *p, size_t avail, int eof);

/* Width of the varint at q if it has at most 9 bytes (so it cannot overflow), else 0. */
FAST_INLINE size_t sti_short_varint(const uint8_t *q, uint64_t *v) {
  /* Most varints of a trace have 1 to 3 bytes: those unrolled. */
  const uint64_t b0 = q[0];
  if (b0 < 0x80) {
    *v = b0;
    return 1;
  }
  const uint64_t b1 = q[1];
  if (b1 < 0x80) {
    *v = (b0 & 0x7f) | b1 << 7;
    return 2;
  }
  const uint64_t b2 = q[2];
  if (b2 < 0x80) {
    *v = (b0 & 0x7f) | (b1 & 0x7f) << 7 | b2 << 14;
    return 3;
  }
  uint64_t x = (b0 & 0x7f) | (b1 & 0x7f) << 7 | (b2 & 0x7f) << 14;
  for (size_t i = 3; i < ST_VARINT_MAX - 1; i++) {
    x |= (uint64_t)(q[i] & 0x7f) << (7 * i);
    if (!(q[i] & 0x80)) {
      *v = x;
      return i + 1;
    }
  }
  return 0;
}

/* Reads one varint at P->pos, the general case (decode.c). */
int sti_rd_slow(sti_parse *P, uint64_t off, const char *what, uint64_t *v, size_t *w);

/* Reads one varint at P->pos. R_NEED sets P->need; R_FATAL leaves a pending fatal diagnostic. */
static inline int sti_rd(sti_parse *P, uint64_t off, const char *what, uint64_t *v, size_t *w) {
  size_t width;
  /* Fast path (the decoder's hot spot): a varint of at most 9 bytes wholly in the buffer cannot
   * be short, overlong or overflowing, so it is read here without the library call. */
  if (P->avail - P->pos >= ST_VARINT_MAX && (width = sti_short_varint(P->p + P->pos, v)) != 0) {
    P->pos += width;
    if (w) *w = width;
    return R_OK;
  }
  return sti_rd_slow(P, off, what, v, w);
}

#define RD(what, v, w)                         \
  do {                                         \
    int r_ = sti_rd(P, off, (what), (v), (w)); \
    if (r_ != R_OK) return r_;                 \
  } while (0)

/* Needs n bytes from the event start; R_NEED if they are not all there. */
static inline int sti_have(sti_parse *P, uint64_t n) {
  if (n <= P->avail) return R_OK;
  P->need = (size_t)n;
  return R_NEED;
}

/* A string's bytes after its length varint was read. */
int sti_rd_bytes(sti_parse *P, uint64_t len);

/* Reads the frames of a stack whose payload is entirely buffered up to `end` into d->frames;
 * stops early (the caller reads the rest with every check). Returns the varints read. */
uint64_t sti_fast_frames(st_decoder *d, sti_parse *P, uint64_t end, uint64_t n);

/* 1 when the bytes at P look like a second "go 1." header. */
int sti_is_header(const sti_parse *P);

/* ---- tables (dectab.c): strings, stacks, pending references ---- */
#define STI_STACK_DEFINED (1ull << 63)
#define STI_STACK_REFERENCED (1ull << 62)
#define STI_STACK_OFF_MASK ((1ull << 62) - 1)

const uint8_t *sti_string_get(const st_decoder *d, uint64_t id, size_t *len);
/* 1 when string id (nonzero) is defined. */
int sti_string_has(const st_decoder *d, uint64_t id);
static inline int sti_string_known(const st_decoder *d, uint64_t id) {
  if (id < d->str_dense_cap) return d->str_dense[id] != 0; /* dense[0] is never set */
  return sti_string_has(d, id);
}
/* How many of the frames' names (nonzero IDs) are not defined yet: sti_resolve_frames's count
 * without filling the names, for when no callback will see them. */
static inline uint64_t sti_frames_missing(const st_decoder *d, const st_frame *f, uint64_t n) {
  const uint64_t *const dense = d->str_dense;
  const uint64_t cap = d->str_dense_cap;
  uint64_t missing = 0;
  for (uint64_t i = 0; i < n; i++) {
    const uint64_t a = f[i].fn_id, b = f[i].file_id;
    missing += (a && (a < cap ? !dense[a] : !sti_string_has(d, a))) +
               (b && (b < cap ? !dense[b] : !sti_string_has(d, b)));
  }
  return missing;
}
/* sti_string_put for the fast paths, once they checked what it would: a dense ID below
 * str_dense_cap not defined yet, the limits, and room in the arena when the bytes are kept. */
static inline void sti_string_put_dense(st_decoder *d, uint64_t id, const uint8_t *s, size_t len) {
  d->str_dense[id] = (((uint64_t)d->arena_len << 24) | len) + 1;
  d->str_dense_count++;
  if (len && d->cfg.on_event) memcpy(d->arena + d->arena_len, s, len);
  d->arena_len += len;
}
/* Whether the record fast paths may store string id (len bytes) without the general path:
 * a new dense ID within the arrays as they are, the table's limits, room for the bytes when
 * they are kept (nothing to allocate, nothing to report). */
FAST_INLINE int sti_string_fast_ok(const st_decoder *d, uint64_t id, uint64_t len) {
  return id != 0 && id < d->str_dense_cap && !d->str_dense[id] &&
         id < (uint64_t)d->str_bits_words * 64 &&
         d->strings.count + d->str_dense_count + 1 <= d->cfg.limits.max_strings &&
         d->arena_len + len <= d->cfg.limits.max_string_bytes &&
         (!d->cfg.on_event || len <= d->arena_cap - d->arena_len);
}
/* Keeps a string: 0, -1 (a limit was reached, reported) or -2 (no memory). */
int sti_string_put(st_decoder *d, uint64_t off, uint64_t id, const uint8_t *s, size_t len);
/* Stack IDs: dense IDs (up to STI_DENSE_MAX) in a bitset, others in d->stacks. */
#define STI_DENSE_MAX ((uint64_t)1 << 26)
/* Defines stack id (nonzero) seen at off; *dup when it was defined already. 0, -1 (a limit,
 * reported) or -2 (no memory). */
int sti_stack_define(st_decoder *d, uint64_t off, uint64_t id, int *dup);
/* Notes a reference to stack id (nonzero) at off, keeping the first one of an ID not defined
 * yet. 0, -1 (a limit, reported) or -2 (no memory). */
int sti_stack_ref_slow(st_decoder *d, uint64_t off, uint64_t id);
static inline int sti_stack_ref(st_decoder *d, uint64_t off, uint64_t id) {
  size_t w = 2 * (size_t)(id / 64);
  /* Known already (defined, or referenced before): nothing to record. */
  if (id <= STI_DENSE_MAX && w < d->stack_words &&
      ((d->stack_bits[w] | d->stack_bits[w + 1]) >> (id & 63) & 1))
    return 0;
  return sti_stack_ref_slow(d, off, id);
}
int sti_stack_is_defined(const st_decoder *d, uint64_t id);
/* sti_stack_define for the record fast paths: defines dense id and returns 1 when nothing
 * would be reported or allocated (not defined yet, the bitset covers it, within the limit);
 * else 0 and nothing changes (the general path takes the record). */
FAST_INLINE int sti_stack_define_fast(st_decoder *d, uint64_t id) {
  const size_t w = 2 * (size_t)(id / 64);
  const uint64_t m = 1ull << (id & 63);
  if (id == 0 || id > STI_DENSE_MAX || w >= d->stack_words || (d->stack_bits[w] & m)) return 0;
  if (!(d->stack_bits[w + 1] & m)) { /* not referenced before: a new ID to count */
    if (d->stack_count + 1 > d->cfg.limits.max_stacks) return 0;
    d->stack_count++;
  }
  d->stack_bits[w] |= m;
  return 1;
}
/* The fixed fields of an event a fast path delivers; the rest are zero, as the general path
 * leaves them (v2 events carry their generation and batch). */
static inline void sti_fast_event(const st_decoder *d, st_event *ev, uint64_t off, size_t size,
                                  uint8_t type) {
  memset(ev, 0, sizeof *ev);
  ev->off = off;
  ev->size = size;
  ev->type = type;
  ev->version = d->version;
  ev->format = (uint8_t)d->format;
  if (d->format == 2) {
    ev->gen = d->gen;
    ev->batch_off = d->batch_off;
    ev->batch_m = d->batch_m;
  }
}
/* Records that the event at off names `id` before its definition: keeps the first offset per
 * ID in m. 0, -1 (limit, reported) or -2 (no memory). */
int sti_pend_ref(st_decoder *d, st_idmap *m, uint64_t off, uint64_t id, int strings_limit);
/* Resolves every frame's names from the string table; returns how many names are missing. */
uint64_t sti_resolve_frames(const st_decoder *d, st_frame *f, uint64_t n);
/* Reports the stack references of d->stacks that were never defined (STACK-UNDEFINED). */
void sti_report_undefined_stacks(st_decoder *d);
/* Reports the IDs of m that the string table lacks, at the earliest offset, once. */
void sti_report_pending(st_decoder *d, const st_idmap *m, st_rule rule, const char *what);
/* Frees the string and stack tables and the pending references (a v2 generation's end). */
void sti_tables_clear(st_decoder *d);

/* ---- late name resolution (dectab.c) ---- */
/* Delivers ev now, or holds it when holding is on. `kind` is what the framing needs to parse
 * the bytes again. 0 or -2 (no memory). */
int sti_deliver(st_decoder *d, const st_event *ev, const uint8_t *bytes, int kind);
/* Starts holding (a stack has a name that is not known yet), if there is an event callback. */
void sti_hold_start(st_decoder *d);
/* Delivers every held event, parsing each again with its names resolved now; ends holding. */
void sti_hold_release(st_decoder *d);
void sti_hold_free(st_decoder *d);

/* ---- framings ---- */
/* Parses and commits one event at p. Returns R_OK (*used set), R_NEED (*need set) or R_FATAL
 * (*err set). */
int sti_v1_step(st_decoder *d, const uint8_t *p, size_t avail, int eof, size_t *used,
                size_t *need, st_status *err);
int sti_v2_step(st_decoder *d, const uint8_t *p, size_t avail, int eof, size_t *used,
                size_t *need, st_status *err);
/* v1: the per-type table of the fast path (after the header), and the fast path itself:
 * commits the ordinary events at the start of p[0..n) that need no check beyond framing and
 * returns their bytes (0 when the next event is for the general path). */
void sti_v1_fast_init(st_decoder *d);
size_t sti_v1_fast(st_decoder *d, const uint8_t *p, size_t n);
/* The fast paths read 8 bytes as one little-endian word to find varint ends (GCC/Clang on
 * little-endian targets; -DST_NO_SWAR turns it off); elsewhere a byte loop alone. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
    !defined(ST_NO_SWAR)
#define STI_SWAR 1
#else
#define STI_SWAR 0
#endif
/* x86-64 always has SSE2: the stack fast path reads a frame's varint ends from 16 bytes at
 * once. -DST_NO_SIMD leaves the word reader alone (so does cfg.no_simd, at run time). */
#if STI_SWAR && defined(__SSE2__) && !defined(ST_NO_SIMD)
#define STI_SSE2 1
#include <emmintrin.h>
#else
#define STI_SSE2 0
#endif
/* x86-64 with GCC or Clang: the fast loops are also built for AVX2/BMI1/BMI2/POPCNT (one
 * instruction for a mask's lowest bit cleared, and-not, trailing zeros, variable shifts) and
 * chosen at run time when the CPU has them (sti_fast_v3_usable), unless cfg.no_simd says not. */
#if STI_SSE2 && defined(__x86_64__) && defined(__GNUC__)
#define STI_X86_V3 1
#define STI_TARGET_V3 __attribute__((target("avx2,bmi,bmi2,popcnt")))
#else
#define STI_X86_V3 0
#endif
/* 1 when the fast loops' x86-64-v3 build may run here (decode.c, at init). */
int sti_fast_v3_usable(const st_decode_config *cfg);
#if STI_SWAR
#define STI_HIGH_BITS 0x8080808080808080ull
static inline uint64_t sti_load64(const uint8_t *q) {
  uint64_t x;
  memcpy(&x, q, sizeof x);
  return x;
}
/* Whether a name's string ID is not known: its varint has width w (bytes) and x holds its
 * first 4 bytes. First without decoding it: the bytes of varints of one width, read as a
 * little-endian number, sort as their values do, and shorter varints come first; so a varint
 * whose bytes (kept to its width) are below those of str_known_below names an ID below it,
 * known. (A padded varint is no exception: one wider than the bound has a byte of 0x80 or
 * more where the bound's last byte, below 0x80, is; one as wide or narrower has a value below
 * 128^(w-1), which the bound is not.) IDs below str_known_below are usually all of them: the
 * runtime numbers strings in the order it defines them. Then decoded: an ID of more than 3
 * bytes is past 2^20 (never marked), as is one past the bits. */
static inline uint64_t sti_name_unknown(const st_decoder *d, uint32_t x, unsigned w) {
  static const uint32_t bytes[4] = {0xffffffff, 0xff, 0xffff, 0xffffff};
  const unsigned k = w < 4 ? w : 0;
  if ((x & bytes[k]) < d->str_known_below_enc) return 0;
  /* By width 1-3: the decoded value's bits; any other width gives 2^21 - 1, never marked. */
  static const uint32_t keep[4] = {0, 0x7f, 0x3fff, 0x1fffff};
  static const uint32_t other[4] = {0x1fffff, 0, 0, 0};
  const uint32_t v = (((x & 0x7f) | (x >> 1 & 0x3f80) | (x >> 2 & 0x1fc000)) & keep[k]) | other[k];
  if (v < d->str_known_below) return 0;
  return v >= (uint64_t)d->str_bits_words * 64 || !(d->str_bits[v >> 6] >> (v & 63) & 1);
}
/* Whether a decoded name's string ID is not known. */
static inline uint64_t sti_id_unknown(const st_decoder *d, uint64_t id) {
  if (id < d->str_known_below) return 0;
  return id >= (uint64_t)d->str_bits_words * 64 || !(d->str_bits[id / 64] >> (id % 64) & 1);
}
/* The varint ends among the 64 bytes at p (the bytes whose high bit is clear), bit i for byte
 * i: by four 16-byte vectors, or by eight words whose high bits a multiply gathers. */
FAST_INLINE uint64_t sti_ends64(const uint8_t *p, const int simd) {
  (void)simd;
#if STI_SSE2
  if (simd) {
    const __m128i *v = (const __m128i *)(const void *)p;
    const uint64_t m = (uint64_t)(unsigned)_mm_movemask_epi8(_mm_loadu_si128(v)) |
                       (uint64_t)(unsigned)_mm_movemask_epi8(_mm_loadu_si128(v + 1)) << 16 |
                       (uint64_t)(unsigned)_mm_movemask_epi8(_mm_loadu_si128(v + 2)) << 32 |
                       (uint64_t)(unsigned)_mm_movemask_epi8(_mm_loadu_si128(v + 3)) << 48;
    return ~m;
  }
#endif
  uint64_t m = 0;
  for (size_t i = 0; i < 8; i++) {
    const uint64_t h = (~sti_load64(p + 8 * i) & STI_HIGH_BITS) >> 7; /* bits 0, 8, ..., 56 */
    m |= (h * 0x0102040810204080ull >> 56) << (8 * i);
  }
  return m;
}
/* Reads the n frames of a stack record at q, 4 varints each, for the fast paths: NULL (the
 * general path reads the record) at a varint of 10 or more bytes, at a frame that starts past
 * lim (the caller keeps 72 bytes readable after lim), or when a name is not sti_str_known;
 * else the end of the frames. With full, every value goes to fr (a frame at a time). Else only
 * the names are decoded, to be checked, and the frames are found from the varint ends of 64
 * bytes at a time: the next load does not wait for the frame before, only the bit masks do. */
FAST_INLINE const uint8_t *sti_swar_frames(const st_decoder *d, const uint8_t *q,
                                           const uint8_t *lim, uint64_t n, st_frame *fr,
                                           const int full, const int simd) {
  uint64_t unknown = 0;
  if (!d->str_bits) return NULL; /* no string yet */
  if (full) { /* every value: byte by byte, whose branches the CPU predicts well */
    for (uint64_t i = 0; i < n; i++) {
      size_t w;
      if (q > lim) return NULL;
      if (!(w = sti_short_varint(q, &fr[i].pc))) return NULL;
      q += w;
      if (!(w = sti_short_varint(q, &fr[i].fn_id))) return NULL;
      q += w;
      if (!(w = sti_short_varint(q, &fr[i].file_id))) return NULL;
      q += w;
      if (!(w = sti_short_varint(q, &fr[i].line))) return NULL;
      q += w;
      unknown |= sti_id_unknown(d, fr[i].fn_id) | sti_id_unknown(d, fr[i].file_id);
    }
    return unknown ? NULL : q;
  }
  const uint8_t *base = q;
  uint64_t mask = 0;  /* ends not used yet, relative to base */
  unsigned pos = 0;   /* the frame's start, relative to base */
  uint64_t wide = 0;  /* a PC or line of 10 bytes or more: for the general path */
  for (uint64_t i = 0; i < n; i++) {
    uint64_t m1 = mask & (mask - 1), m2 = m1 & (m1 - 1), m3 = m2 & (m2 - 1);
    if (!m3) { /* fewer than 4 ends left: 64 bytes from this frame on */
      base += pos;
      pos = 0;
      if (base > lim) return NULL;
      mask = sti_ends64(base, simd);
      m1 = mask & (mask - 1);
      m2 = m1 & (m1 - 1);
      m3 = m2 & (m2 - 1);
      if (!m3) return NULL;
    }
    const unsigned e0 = (unsigned)__builtin_ctzll(mask), e1 = (unsigned)__builtin_ctzll(m1),
                   e2 = (unsigned)__builtin_ctzll(m2), e3 = (unsigned)__builtin_ctzll(m3);
    mask = m3 & (m3 - 1);
    uint32_t fn, file;
    memcpy(&fn, base + e0 + 1, sizeof fn);
    memcpy(&file, base + e1 + 1, sizeof file);
    unknown |= sti_name_unknown(d, fn, e1 - e0) | sti_name_unknown(d, file, e2 - e1);
    if (e3 - pos >= 12) /* a frame of 12 bytes or less has no varint of 10 (the others >= 1) */
      wide |= (uint64_t)(e0 - pos >= 9) | (uint64_t)(e3 - e2 >= 10);
    pos = e3 + 1;
  }
  return unknown | wide ? NULL : base + pos;
}
#endif
/* v2: the same for the timed events of an event batch. */
void sti_v2_fast_init(st_decoder *d);
size_t sti_v2_fast(st_decoder *d, const uint8_t *p, size_t n);
/* v2: marks string id as one an event may name on the fast path (defined, or waiting as an
 * event's string: each kind of reference has its own report at the generation's end). */
#define STI_EV_STR_KNOWN_MAX 4096u
static inline void sti_ev_str_known_set(st_decoder *d, uint64_t id) {
  if (id < STI_EV_STR_KNOWN_MAX) d->ev_str_known[id / 64] |= 1ull << (id % 64);
}
/* Marks string id as one a stack's frames may name on the fast path (defined; v2: or waiting
 * as a frame's name); IDs past 2^20 are not marked, so the general path keeps taking them. 0,
 * or -2 (no memory: only the first call allocates). */
int sti_str_known_set(st_decoder *d, uint64_t id);
/* Moves str_known_below past the IDs now marked, with its encoding. */
void sti_str_advance(st_decoder *d);
/* sti_str_known_set once the bits cover id. */
static inline void sti_str_mark(st_decoder *d, uint64_t id) {
  d->str_bits[id / 64] |= 1ull << (id % 64);
  if (id == d->str_known_below) sti_str_advance(d);
}
/* 1 when the fast path may skip stack id: known already. */
static inline int sti_stack_known(const st_decoder *d, uint64_t id) {
  size_t w = 2 * (size_t)(id / 64);
  return id <= STI_DENSE_MAX && w < d->stack_words &&
         ((d->stack_bits[w] | d->stack_bits[w + 1]) >> (id & 63) & 1);
}
/* Parses held bytes again and fills P->ev (no diagnostics, no table changes); R_OK or not. */
int sti_v1_reparse(st_decoder *d, sti_parse *P, uint64_t off);
int sti_v2_reparse(st_decoder *d, sti_parse *P, uint64_t off, int kind);
/* End-of-input checks of each format (after the last complete event). */
void sti_v1_finish(st_decoder *d);
void sti_v2_finish(st_decoder *d);

#endif

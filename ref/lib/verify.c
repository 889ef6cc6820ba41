/* verify-dump's common part: decoding the trace into records, the capacity interval, the
 * difference list, the final byte comparison, and the public API. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verify_int.h"

static const struct {
  const char *id, *summary;
} k_kinds[ST_VD_COUNT] = {
    [ST_VD_NONE] = {"NONE", "no difference"},
    [ST_VD_REGION] = {"DUMP-REGION", "the trace has its table region where the algorithm puts "
                                     "it, with only batch headers, strings and stacks in it"},
    [ST_VD_FREQ] = {"DUMP-FREQ", "the Frequency is where the algorithm puts it (legacy: bare, "
                                 "before the dump's batches; direct: first in the dump's batch)"},
    [ST_VD_BATCH_HEADER] = {"DUMP-BATCH-HEADER", "a table batch's header is the reference's "
                                                 "(pid 0 / M 2^64-1, the generation, minimal "
                                                 "varints)"},
    [ST_VD_SIZE_WIDTH] = {"DUMP-SIZE-WIDTH", "a v2 batch's size field is the reserved 10-byte "
                                             "varint"},
    [ST_VD_LEN_WIDTH] = {"DUMP-LEN-WIDTH", "an EvStack length is minimal (legacy) or 10 bytes "
                                           "(direct)"},
    [ST_VD_RECORD] = {"DUMP-RECORD", "a string or stack record is the reference's encoding of "
                                     "its content (minimal varints)"},
    [ST_VD_ROOM] = {"DUMP-ROOM", "a record stays in its batch only if the room check lets it"},
    [ST_VD_FLUSH_EARLY] = {"DUMP-FLUSH-EARLY", "a batch begins only when the record after it "
                                               "did not fit in the batch before"},
    [ST_VD_STRING_ORDER] = {"DUMP-STRING-ORDER", "strings come where the reference interns "
                                                 "them"},
    [ST_VD_STRING_CUT] = {"DUMP-STRING-CUT", "function and file names keep at most their last "
                                             "1024 bytes"},
    [ST_VD_BYTES] = {"DUMP-BYTES", "the region is, byte for byte, what the reference writes"},
};

const char *st_verify_kind_id(st_verify_kind k) {
  return (unsigned)k < ST_VD_COUNT ? k_kinds[k].id : "NONE";
}
const char *st_verify_kind_summary(st_verify_kind k) {
  return (unsigned)k < ST_VD_COUNT ? k_kinds[k].summary : "";
}

void st_verify_config_default(st_verify_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->mode = ST_MODE_STRICT;
}

static int grow(vctx *v, void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return 0;
  size_t ncap = *cap ? *cap : 64;
  while (ncap < need) ncap *= 2;
  void *q = v->alloc->realloc(v->alloc->ctx, *p, *cap * elem, ncap * elem);
  if (!q) {
    v->nomem = 1;
    return -1;
  }
  *p = q;
  *cap = ncap;
  return 0;
}

void stv_diff(vctx *v, st_verify_kind k, uint64_t off, const char *fmt, ...) {
  if (grow(v, (void **)&v->diffs, &v->diffs_cap, v->ndiffs + 1, sizeof *v->diffs)) return;
  st_verify_diff *d = &v->diffs[v->ndiffs++];
  d->kind = k;
  d->off = off;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(d->message, sizeof d->message, fmt, ap);
  va_end(ap);
}

static int cmp_strref(const void *a, const void *b);

void stv_need_at_least(vctx *v, uint64_t c) {
  if (c > v->res->cap_min) v->res->cap_min = c;
}
void stv_need_below(vctx *v, uint64_t c) {
  if (c - 1 < v->res->cap_max) v->res->cap_max = c - 1;
}

const vrec *stv_string_rec(const vctx *v, uint64_t gen, uint64_t id) {
  uint64_t key[3] = {v->format == 2 ? gen : 0, id, 0};
  const uint64_t *e = v->nstr_index ? bsearch(key, v->str_index, v->nstr_index,
                                              3 * sizeof *v->str_index, cmp_strref)
                                    : NULL;
  return e ? &v->recs[e[2]] : NULL;
}

int stv_event_ref(const vctx *v, uint64_t gen, uint64_t id, int *emitted) {
  uint64_t key[3] = {gen, id, 0};
  const uint64_t *e = v->nevrefs ? bsearch(key, v->evrefs, v->nevrefs, 3 * sizeof *v->evrefs,
                                           cmp_strref)
                                 : NULL;
  *emitted = 0;
  if (!e) return 0;
  /* Any of the equal keys may be found: look at all of them for the UserLog value. */
  const uint64_t *lo = e, *hi = e, *end = v->evrefs + 3 * v->nevrefs;
  while (lo > v->evrefs && lo[-3] == gen && lo[-2] == id) lo -= 3;
  while (hi + 3 < end && hi[3] == gen && hi[4] == id) hi += 3;
  for (const uint64_t *x = lo; x <= hi; x += 3) *emitted |= (int)x[2];
  return 1;
}

const uint8_t *stv_string(const vctx *v, uint64_t gen, uint64_t id, size_t *len) {
  *len = 0;
  if (id == 0) return (const uint8_t *)"";
  const vrec *r = stv_string_rec(v, gen, id);
  if (!r) return NULL;
  *len = (size_t)r->str_len;
  return v->data + r->str_off;
}

int stv_minimal_stack(const vctx *v, const vrec *r, size_t at) {
  const uint8_t *p = v->data + r->off;
  const uint64_t *f = v->frames + r->frames_at;
  uint8_t tmp[ST_VARINT_MAX];
  for (uint64_t i = 0; i < 2 + 4 * r->nframes; i++) {
    size_t w = st_varint_put(tmp, i == 0 ? r->id : i == 1 ? r->nframes : f[i - 2]);
    if (at + w > r->size || memcmp(p + at, tmp, w) != 0) return 0;
    at += w;
  }
  return at == r->size;
}

int stv_put(void *user, const uint8_t *p, size_t n) {
  stv_bytes *b = user;
  if (b->len + n > b->cap) {
    size_t ncap = b->cap ? b->cap : 65536;
    while (ncap < b->len + n) ncap *= 2;
    uint8_t *q = b->a->realloc(b->a->ctx, b->p, b->cap, ncap);
    if (!q) {
      b->nomem = 1;
      return -1;
    }
    b->p = q;
    b->cap = ncap;
  }
  memcpy(b->p + b->len, p, n);
  b->len += n;
  return 0;
}

void stv_bytes_free(stv_bytes *b) {
  if (b->p) b->a->realloc(b->a->ctx, b->p, b->cap, 0);
  b->p = NULL;
  b->len = b->cap = 0;
}

/* The record holding file byte `at` (the latest record starting at or before it). */
static const vrec *record_at(const vctx *v, uint64_t at) {
  const vrec *best = NULL;
  for (size_t i = 0; i < v->nrecs; i++)
    if (v->recs[i].off <= at) best = &v->recs[i];
  return best;
}

void stv_compare(vctx *v, const stv_bytes *model, const uint64_t *span_off,
                 const uint64_t *span_len, size_t nspans, const char *what) {
  uint64_t k = 0; /* position in the model */
  for (size_t s = 0; s < nspans; s++) {
    for (uint64_t i = 0; i < span_len[s]; i++, k++) {
      uint64_t at = span_off[s] + i;
      if (k < model->len && model->p[k] == v->data[at]) continue;
      const vrec *r = record_at(v, at);
      stv_diff(v, ST_VD_BYTES, r->off, /* every span starts at a record: r is set */
               "%s written again differ from the file at byte %llu (offset %llu)%s", what,
               (unsigned long long)k, (unsigned long long)at,
               k >= model->len ? ": the reference writes less" : "");
      return;
    }
  }
  if (k < model->len)
    stv_diff(v, ST_VD_BYTES, v->len, "%s written again are %llu bytes longer than the file's",
             what, (unsigned long long)(model->len - k));
}

/* ---- decoding into records ---- */

/* The string IDs a v2 timed event names: written before the generation's stack dump. */
static void note_string_args(vctx *v, const st_event *ev) {
  const st_event2_desc *desc = st_event2_describe(ev->type);
  for (unsigned i = 0; desc && i < ev->nargs; i++) {
    if (!(desc->string_args & (1u << i)) || ev->args[i] == 0) continue;
    if (grow(v, (void **)&v->evrefs, &v->evrefs_cap, 3 * (v->nevrefs + 1), sizeof *v->evrefs))
      return;
    uint64_t *e = &v->evrefs[3 * v->nevrefs++];
    e[0] = ev->gen;
    e[1] = ev->args[i];
    e[2] = ev->type == ST_EV2_USER_LOG && i == 3;
  }
}

static vrec *add(vctx *v, const st_event *ev, int kind) {
  if (grow(v, (void **)&v->recs, &v->recs_cap, v->nrecs + 1, sizeof *v->recs)) return NULL;
  vrec *r = &v->recs[v->nrecs++];
  memset(r, 0, sizeof *r);
  r->off = ev->off;
  r->size = ev->size;
  r->kind = (uint8_t)kind;
  r->gen = ev->gen;
  r->batch = v->cur_batch;
  return r;
}

static void on_event(void *user, const st_event *ev) {
  vctx *v = user;
  v->format = ev->format;
  v->version = ev->version;
  int v2 = ev->format == 2;
  vrec *r;
  unsigned t = ev->type;
  if (t == (v2 ? ST_EV2_EVENT_BATCH : ST_EV_BATCH)) {
    if (!(r = add(v, ev, VK_BATCH))) return;
    r->id = ev->args[v2 ? 1 : 0];
    r->a = v2 ? ev->len : ev->args[1];
    r->a_time = v2 ? ev->args[2] : 0;
    if (v2) r->width = ev->len_width;
    v->cur_batch = v->nrecs - 1;
    r->batch = v->cur_batch;
  } else if (t == (v2 ? ST_EV2_FREQUENCY : ST_EV_FREQUENCY)) {
    if ((r = add(v, ev, VK_FREQ))) r->a = ev->args[0];
  } else if (t == (v2 ? ST_EV2_STRING : ST_EV_STRING)) {
    if ((r = add(v, ev, VK_STRING))) {
      r->id = ev->str_id;
      r->str_len = ev->str_len;
      r->str_off = ev->off + ev->size - ev->str_len;
    }
  } else if (t == (v2 ? ST_EV2_STACK : ST_EV_STACK)) {
    if (!(r = add(v, ev, VK_STACK))) return;
    r->id = ev->stack_id;
    r->width = ev->len_width;
    r->nframes = ev->nframes;
    r->frames_at = v->nframes;
    if (grow(v, (void **)&v->frames, &v->frames_cap, v->nframes + 4 * ev->nframes,
             sizeof *v->frames))
      return;
    for (uint64_t i = 0; i < ev->nframes; i++) {
      uint64_t *f = &v->frames[v->nframes];
      f[0] = ev->frames[i].pc;
      f[1] = ev->frames[i].fn_id;
      f[2] = ev->frames[i].file_id;
      f[3] = ev->frames[i].line;
      v->nframes += 4;
    }
  } else if (v2 && (t == ST_EV2_STRINGS || t == ST_EV2_STACKS || t == ST_EV2_CPU_SAMPLES ||
                    t == ST_EV2_SYNC)) {
    if ((r = add(v, ev, VK_MARKER))) r->id = t;
  } else if (v2 && t == ST_EV2_EXPERIMENTAL_BATCH) {
    v->cur_batch = SIZE_MAX;
  } else {
    v->last_other_off = ev->off;
    v->have_other = 1;
    if (v2) note_string_args(v, ev);
  }
}

static void forward_diag(void *user, const st_diag *d) {
  vctx *v = user;
  if (v->cfg->on_diag) v->cfg->on_diag(v->cfg->user, d);
}

static int cmp_strref(const void *a, const void *b) {
  const uint64_t *x = a, *y = b; /* gen, id, record index */
  if (x[0] != y[0]) return x[0] < y[0] ? -1 : 1;
  return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* Every string record by (generation, ID), for stv_string's binary search. */
static int index_strings(vctx *v) {
  size_t n = 0;
  for (size_t i = 0; i < v->nrecs; i++) n += v->recs[i].kind == VK_STRING;
  if (n == 0) return 0;
  v->str_index = v->alloc->realloc(v->alloc->ctx, NULL, 0, 3 * n * sizeof *v->str_index);
  if (!v->str_index) return -1;
  for (size_t i = 0; i < v->nrecs; i++) {
    if (v->recs[i].kind != VK_STRING) continue;
    uint64_t *e = &v->str_index[3 * v->nstr_index++];
    e[0] = v->format == 2 ? v->recs[i].gen : 0;
    e[1] = v->recs[i].id;
    e[2] = i;
  }
  qsort(v->str_index, v->nstr_index, 3 * sizeof *v->str_index, cmp_strref);
  return 0;
}

static int cmp_diff(const void *a, const void *b) {
  const st_verify_diff *x = a, *y = b;
  if (x->off != y->off) return x->off < y->off ? -1 : 1;
  return x->kind < y->kind ? -1 : x->kind > y->kind;
}

st_status st_verify_buffer(const st_verify_config *cfg, const void *data, size_t len,
                           st_verify_result *res) {
  memset(res, 0, sizeof *res);
  res->cap_max = UINT64_MAX;
  if (cfg->algo < ST_VERIFY_AUTO || cfg->algo > ST_VERIFY_V2) return ST_E_PARAM;
  vctx v;
  memset(&v, 0, sizeof v);
  v.cfg = cfg;
  v.alloc = cfg->alloc ? cfg->alloc : &st_alloc_libc;
  v.data = data;
  v.len = len;
  v.res = res;
  v.cur_batch = SIZE_MAX;
  st_decode_config dc;
  st_decode_config_default(&dc);
  dc.mode = cfg->mode;
  dc.alloc = v.alloc;
  dc.on_event = on_event;
  dc.on_diag = forward_diag;
  dc.user = &v;
  st_decoder d;
  st_status s = st_decoder_init(&d, &dc);
  if (s != ST_OK) return s;
  s = st_decoder_push(&d, data, len);
  st_status f = st_decoder_finish(&d);
  res->decode_errors = st_decoder_errors(&d);
  st_decoder_free(&d);
  st_status out = ST_OK;
  if (s == ST_E_NOMEM || v.nomem) {
    out = ST_E_NOMEM;
  } else if (f != ST_OK) {
    out = ST_E_INVALID;
  } else {
    res->format = v.format;
    res->version = v.version;
    int r = index_strings(&v);
    if (v.nevrefs > 1) qsort(v.evrefs, v.nevrefs, 3 * sizeof *v.evrefs, cmp_strref);
    if (r == 0) r = v.format == 2 ? stv_v2(&v) : stv_v1(&v);
    if (r != 0 || v.nomem) {
      out = ST_E_NOMEM;
    } else {
      if (v.ndiffs > 1) qsort(v.diffs, v.ndiffs, sizeof *v.diffs, cmp_diff);
      res->diffs = v.ndiffs;
      for (size_t i = 0; i < v.ndiffs && cfg->on_diff; i++) cfg->on_diff(cfg->user, &v.diffs[i]);
      if (v.ndiffs) out = ST_E_INVALID;
    }
  }
  const st_alloc *a = v.alloc;
  if (v.recs) a->realloc(a->ctx, v.recs, v.recs_cap * sizeof *v.recs, 0);
  if (v.frames) a->realloc(a->ctx, v.frames, v.frames_cap * sizeof *v.frames, 0);
  if (v.diffs) a->realloc(a->ctx, v.diffs, v.diffs_cap * sizeof *v.diffs, 0);
  if (v.str_index) a->realloc(a->ctx, v.str_index, 3 * v.nstr_index * sizeof *v.str_index, 0);
  if (v.evrefs) a->realloc(a->ctx, v.evrefs, v.evrefs_cap * sizeof *v.evrefs, 0);
  return out;
}

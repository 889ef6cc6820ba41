/* verify-dump for v2 traces (Go 1.22+): each generation's string and stack sections. */
#include <stdlib.h>
#include <string.h>

#include "stacktab/st_stacktab.h"
#include "stacktab/st_varint.h"
#include "verify_int.h"

enum { S_STRINGS, S_STACKS };

/* The batches of one stream (strings or stacks) of one generation, in file order. */
typedef struct {
  size_t *b; /* record indexes of the batch headers */
  size_t n, cap;
} batch_list;

static int list_add(vctx *v, batch_list *l, size_t i) {
  if (l->n == l->cap) {
    size_t nc = l->cap ? l->cap * 2 : 16;
    size_t *q = v->alloc->realloc(v->alloc->ctx, l->b, l->cap * sizeof *q, nc * sizeof *q);
    if (!q) return -1;
    l->b = q;
    l->cap = nc;
  }
  l->b[l->n++] = i;
  return 0;
}

static void list_free(vctx *v, batch_list *l) {
  if (l->b) v->alloc->realloc(v->alloc->ctx, l->b, l->cap * sizeof *l->b, 0);
  memset(l, 0, sizeof *l);
}

static uint64_t total(const vrec *b) { return b->size + b->a; } /* header + payload */

/* `01 V(gen) V(M) V(time)` with minimal varints before the size field. */
static void check_header(vctx *v, const vrec *b) {
  uint8_t want[1 + 3 * ST_VARINT_MAX];
  size_t n = 0;
  want[n++] = ST_EV2_EVENT_BATCH;
  n += st_varint_put(want + n, b->gen);
  n += st_varint_put(want + n, b->id);
  n += st_varint_put(want + n, b->a_time);
  if (n + b->width != b->size || memcmp(want, v->data + b->off, n) != 0)
    stv_diff(v, ST_VD_BATCH_HEADER, b->off, "the batch header is not written with minimal "
             "varints");
}

/* The record's bytes against the reference encoding of its content (minimal varints). */
static void check_record(vctx *v, const vrec *r) {
  const uint8_t *p = v->data + r->off;
  if (r->kind == VK_STRING) {
    uint8_t head[1 + 2 * ST_VARINT_MAX];
    size_t n = 0;
    head[n++] = ST_EV2_STRING;
    n += st_varint_put(head + n, r->id);
    n += st_varint_put(head + n, r->str_len);
    if (n + r->str_len != r->size || memcmp(head, p, n) != 0)
      stv_diff(v, ST_VD_RECORD, r->off, "String %llu is not written with minimal varints",
               (unsigned long long)r->id);
    return;
  }
  if (p[0] != ST_EV2_STACK || !stv_minimal_stack(v, r, 1))
    stv_diff(v, ST_VD_RECORD, r->off, "Stack %llu is not written with minimal varints",
             (unsigned long long)r->id);
}

/* The room checks of one stream: ensure(22 + len) / ensure(22 + 40n) against each record's
 * position in its batch (header and marker included). */
static void room_checks(vctx *v, const batch_list *l, uint64_t cap, int report) {
  for (size_t k = 0; k < l->n; k++) {
    const vrec *b = &v->recs[l->b[k]];
    if (!report) stv_need_at_least(v, total(b));
    int first = 1;
    for (size_t i = l->b[k] + 1; i < v->nrecs && v->recs[i].kind != VK_BATCH; i++) {
      const vrec *r = &v->recs[i];
      if (r->kind != VK_STRING && r->kind != VK_STACK) continue;
      uint64_t need = r->kind == VK_STRING ? st_v2_string_bound((size_t)r->str_len)
                                           : st_v2_stack_bound((size_t)r->nframes);
      uint64_t pos = r->off - b->off;
      const char *what = r->kind == VK_STRING ? "String" : "Stack";
      /* A batch's first record: the reference needs its room in the fresh batch (it refuses
       * a record that cannot fit an empty one); the marker comes after that check. */
      if (first && !report) stv_need_at_least(v, pos - 1 + need);
      if (first && k > 0) {
        uint64_t prev = total(&v->recs[l->b[k - 1]]);
        if (!report)
          stv_need_below(v, prev + need);
        else if (prev + need <= cap)
          stv_diff(v, ST_VD_FLUSH_EARLY, b->off,
                   "a new batch begins although %s %llu (room check %llu bytes) still fitted: "
                   "%llu of %llu bytes were used", what, (unsigned long long)r->id,
                   (unsigned long long)need, (unsigned long long)prev, (unsigned long long)cap);
      } else if (!first) {
        if (!report)
          stv_need_at_least(v, pos + need);
        else if (pos + need > cap)
          stv_diff(v, ST_VD_ROOM, r->off,
                   "%s %llu is written with %llu bytes left in its batch; the room check needs "
                   "%llu (capacity %llu)", what, (unsigned long long)r->id,
                   (unsigned long long)(cap > pos ? cap - pos : 0), (unsigned long long)need,
                   (unsigned long long)cap);
      }
      first = 0;
    }
  }
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* The first ID the dump interned (spec §0.7: the dump's names take the generation's highest
 * IDs): one past every string written before it, that is every string a timed event names
 * (written when the event was) and every string no frame names. */
static uint64_t dump_first_id(vctx *v, uint64_t gen, const batch_list *strs,
                              const batch_list *stks, int *nomem) {
  size_t n = 0;
  for (size_t k = 0; k < stks->n; k++)
    for (size_t i = stks->b[k] + 1; i < v->nrecs && v->recs[i].kind != VK_BATCH; i++)
      if (v->recs[i].kind == VK_STACK) n += 2 * (size_t)v->recs[i].nframes;
  /* One more than needed, so that there is an array even for no frame at all. */
  uint64_t *named = v->alloc->realloc(v->alloc->ctx, NULL, 0, (n + 1) * sizeof *named);
  if (!named) {
    *nomem = 1;
    return 1;
  }
  size_t m = 0;
  for (size_t k = 0; k < stks->n; k++)
    for (size_t i = stks->b[k] + 1; i < v->nrecs && v->recs[i].kind != VK_BATCH; i++) {
      const vrec *r = &v->recs[i];
      if (r->kind != VK_STACK) continue;
      for (uint64_t j = 0; j < r->nframes; j++) {
        named[m++] = v->frames[r->frames_at + 4 * j + 1];
        named[m++] = v->frames[r->frames_at + 4 * j + 2];
      }
    }
  if (m > 1) qsort(named, m, sizeof *named, cmp_u64);
  uint64_t first = 1;
  for (size_t k = 0; k < strs->n; k++)
    for (size_t i = strs->b[k] + 1; i < v->nrecs && v->recs[i].kind != VK_BATCH; i++) {
      const vrec *r = &v->recs[i];
      if (r->kind != VK_STRING || r->gen != gen) continue;
      int emitted;
      if ((stv_event_ref(v, gen, r->id, &emitted) ||
           !bsearch(&r->id, named, m, sizeof *named, cmp_u64)) &&
          r->id >= first)
        first = r->id + 1;
    }
  v->alloc->realloc(v->alloc->ctx, named, (n + 1) * sizeof *named, 0);
  return first;
}

/* The strings stream in ID order (IDs are given as strings are written), and the dump's
 * names numbered in the order the dump interns them. */
static int check_order(vctx *v, uint64_t gen, const batch_list *strs, const batch_list *stks,
                       uint64_t dump_first) {
  uint64_t prev = 0;
  for (size_t k = 0; k < strs->n; k++)
    for (size_t i = strs->b[k] + 1; i < v->nrecs && v->recs[i].kind != VK_BATCH; i++) {
      const vrec *r = &v->recs[i];
      if (r->kind != VK_STRING) continue;
      if (r->id <= prev)
        stv_diff(v, ST_VD_STRING_ORDER, r->off,
                 "String %llu comes after String %llu; the writer gives IDs in the order it "
                 "writes strings", (unsigned long long)r->id, (unsigned long long)prev);
      prev = r->id;
    }
  st_strtab t;
  st_strtab_init(&t, v->alloc); /* cannot fail with a table pointer */
  st_strtab_set_v2(&t);
  int err = 0;
  for (size_t k = 0; k < strs->n; k++)
    for (size_t i = strs->b[k] + 1; i < v->nrecs && v->recs[i].kind != VK_BATCH; i++) {
      const vrec *r = &v->recs[i];
      uint64_t have;
      int emitted = 0;
      /* A log message was emitted: never in the table the dump looks names up in. */
      if (r->kind == VK_STRING && r->id < dump_first && r->str_len &&
          !(stv_event_ref(v, gen, r->id, &emitted) && emitted) &&
          !st_strtab_find(&t, (const char *)v->data + r->str_off, (size_t)r->str_len, &have) &&
          st_strtab_seed(&t, r->id, (const char *)v->data + r->str_off, (size_t)r->str_len) ==
              ST_ENC_E_NOMEM)
        err = -1;
    }
  st_strtab_set_next_id(&t, dump_first);
  for (size_t k = 0; k < stks->n && !err; k++)
    for (size_t i = stks->b[k] + 1; i < v->nrecs && v->recs[i].kind != VK_BATCH && !err; i++) {
      const vrec *r = &v->recs[i];
      if (r->kind != VK_STACK) continue;
      const uint64_t *f = v->frames + r->frames_at;
      for (uint64_t j = 0; j < 2 * r->nframes; j++) {
        uint64_t fid = f[4 * (j / 2) + 1 + j % 2];
        size_t len;
        const uint8_t *s = stv_string(v, gen, fid, &len);
        if (!s || len == 0) continue;
        uint64_t id;
        if (!st_strtab_find(&t, (const char *)s, len, &id)) {
          id = t.next_id;
          if (st_strtab_seed(&t, id, (const char *)s, len) != ST_ENC_OK) {
            err = -1;
            break;
          }
        }
        if (id != fid) {
          stv_diff(v, ST_VD_STRING_ORDER, r->off,
                   "Stack %llu frame %llu names string %llu; interning the dump's names in its "
                   "order gives %llu", (unsigned long long)r->id, (unsigned long long)(j / 2),
                   (unsigned long long)fid, (unsigned long long)id);
          break;
        }
      }
    }
  st_strtab_free(&t);
  return err;
}

typedef struct {
  const vctx *v;
  const batch_list *l;
  size_t next;
} tick_src;

static uint64_t file_time(void *u) {
  tick_src *t = u;
  return t->next < t->l->n ? t->v->recs[t->l->b[t->next++]].a_time : 0;
}

/* Both streams written again by the library and compared byte for byte. */
static int rewrite(vctx *v, uint64_t gen, const batch_list *strs, const batch_list *stks,
                   uint64_t dump_first, uint64_t cap) {
  if (cap < ST_TBUF_MIN_CAP_V2 || cap > (1u << 30)) return 0;
  const st_alloc *a = v->alloc;
  stv_bytes so = {a, NULL, 0, 0, 0}, ko = {a, NULL, 0, 0, 0};
  uint8_t *smem = a->realloc(a->ctx, NULL, 0, (size_t)cap);
  uint8_t *kmem = a->realloc(a->ctx, NULL, 0, (size_t)cap);
  tick_src st = {v, strs, 0}, kt = {v, stks, 0};
  st_tbuf sb, kb;
  st_strtab t;
  st_dumper d;
  int have_d = 0;
  st_strtab_init(&t, a); /* cannot fail with a table pointer; freed on every path below */
  st_strtab_set_v2(&t);
  st_enc_status s = !smem || !kmem ? ST_ENC_E_NOMEM : ST_ENC_OK;
  if (!s) s = st_tbuf_init(&sb, smem, (size_t)cap, stv_put, &so, file_time, &st);
  if (!s) s = st_tbuf_init(&kb, kmem, (size_t)cap, stv_put, &ko, file_time, &kt);
  if (!s) s = st_tbuf_set_v2(&sb, gen, -1);
  if (!s) s = st_tbuf_set_v2(&kb, gen, -1);
  /* Before the dump: the strings in ID order; a content seen before was an emit. */
  for (size_t k = 0; k < strs->n && !s; k++)
    for (size_t i = strs->b[k] + 1; i < v->nrecs && v->recs[i].kind != VK_BATCH && !s; i++) {
      const vrec *r = &v->recs[i];
      if (r->kind != VK_STRING || r->id >= dump_first) continue;
      const char *p = (const char *)v->data + r->str_off;
      uint64_t id, have;
      int emitted = 0;
      s = st_strtab_set_next_id(&t, r->id);
      if (!s && r->str_len && !(stv_event_ref(v, gen, r->id, &emitted) && emitted) &&
          !st_strtab_find(&t, p, (size_t)r->str_len, &have))
        s = st_strtab_intern(&t, &sb, UINT64_MAX, p, (size_t)r->str_len, &id);
      else if (!s)
        s = st_strtab_emit(&t, &sb, UINT64_MAX, p, (size_t)r->str_len, &id);
    }
  if (!s) s = st_strtab_set_next_id(&t, dump_first);
  st_dump_config dc;
  st_dump_config_default(&dc);
  dc.algo = ST_ALGO_V2;
  dc.pid = UINT64_MAX;
  dc.max_frames = ST_V2_ENC_MAX_FRAMES;
  if (!s && (s = st_dumper_init(&d, &dc, &kb, &t, a)) == ST_ENC_OK) {
    have_d = 1;
    st_dumper_set_string_buf(&d, &sb);
  }
  st_enc_frame fr[ST_V2_ENC_MAX_FRAMES];
  for (size_t k = 0; k < stks->n && !s; k++)
    for (size_t i = stks->b[k] + 1; i < v->nrecs && v->recs[i].kind != VK_BATCH && !s; i++) {
      const vrec *r = &v->recs[i];
      if (r->kind != VK_STACK) continue;
      const uint64_t *f = v->frames + r->frames_at;
      for (uint64_t j = 0; j < r->nframes; j++) {
        size_t fl, ll;
        const uint8_t *fn = stv_string(v, gen, f[4 * j + 1], &fl);
        const uint8_t *file = stv_string(v, gen, f[4 * j + 2], &ll);
        fr[j] = (st_enc_frame){f[4 * j], fn ? (const char *)fn : "", fn ? fl : 0,
                               file ? (const char *)file : "", file ? ll : 0, f[4 * j + 3]};
      }
      s = st_dump_record(&d, r->id, fr, (size_t)r->nframes);
    }
  if (!s) s = st_tbuf_finish(&kb);
  if (!s) s = st_tbuf_finish(&sb);
  int nomem = s == ST_ENC_E_NOMEM || so.nomem || ko.nomem;
  if (!s) { /* so.nomem / ko.nomem imply s: stv_put is the tbufs' sink (sticky ST_ENC_E_SINK) */
    const batch_list *ls[2] = {strs, stks};
    const stv_bytes *outs[2] = {&so, &ko};
    const char *what[2] = {"the strings batches", "the stacks batches"};
    for (int q = 0; q < 2; q++) {
      uint64_t *o = a->realloc(a->ctx, NULL, 0, (ls[q]->n + 1) * sizeof *o);
      uint64_t *l = a->realloc(a->ctx, NULL, 0, (ls[q]->n + 1) * sizeof *l);
      if (o && l) {
        for (size_t k = 0; k < ls[q]->n; k++) {
          o[k] = v->recs[ls[q]->b[k]].off;
          l[k] = total(&v->recs[ls[q]->b[k]]);
        }
        stv_compare(v, outs[q], o, l, ls[q]->n, what[q]);
      } else {
        nomem = 1;
      }
      if (o) a->realloc(a->ctx, o, (ls[q]->n + 1) * sizeof *o, 0);
      if (l) a->realloc(a->ctx, l, (ls[q]->n + 1) * sizeof *l, 0);
    }
  } else if (!nomem) {
    stv_diff(v, ST_VD_BYTES, strs->n ? v->recs[strs->b[0]].off : 0,
             "the reference cannot write generation %llu's tables at capacity %llu: %s",
             (unsigned long long)gen, (unsigned long long)cap, st_enc_status_str(s));
  }
  if (have_d) st_dumper_free(&d);
  st_strtab_free(&t);
  if (smem) a->realloc(a->ctx, smem, (size_t)cap, 0);
  if (kmem) a->realloc(a->ctx, kmem, (size_t)cap, 0);
  stv_bytes_free(&so);
  stv_bytes_free(&ko);
  return nomem ? -1 : 0;
}

/* Walks the generations in file order; at each one's end calls fn with its two streams. */
typedef int (*gen_fn)(vctx *v, uint64_t gen, const batch_list *strs, const batch_list *stks,
                      int pass);

static int each_generation(vctx *v, int pass, gen_fn fn) {
  batch_list S = {0}, K = {0};
  uint64_t cur = 0;
  int err = 0;
  for (size_t i = 0; i <= v->nrecs && !err; i++) {
    int at_end = i == v->nrecs;
    uint64_t g = at_end ? 0 : v->recs[i].gen;
    if ((at_end || g != cur) && cur != 0) {
      err = fn(v, cur, &S, &K, pass);
      list_free(v, &S);
      list_free(v, &K);
    }
    if (at_end) break;
    cur = g;
    const vrec *r = &v->recs[i];
    if (r->kind != VK_BATCH || i + 1 >= v->nrecs || v->recs[i + 1].kind != VK_MARKER ||
        v->recs[i + 1].batch != i)
      continue;
    uint64_t m = v->recs[i + 1].id;
    if (m == ST_EV2_STRINGS || m == ST_EV2_STACKS) err = list_add(v, m == ST_EV2_STRINGS ? &S : &K, i);
  }
  list_free(v, &S);
  list_free(v, &K);
  return err;
}

/* Pass 1: headers, records, order, and the capacity interval. Pass 2: the flush checks with
 * the capacity, then (while nothing differs) the bytes written again. */
static int check_generation(vctx *v, uint64_t gen, const batch_list *strs,
                            const batch_list *stks, int pass) {
  st_verify_result *res = v->res;
  int nomem = 0;
  uint64_t dump_first = dump_first_id(v, gen, strs, stks, &nomem);
  if (nomem) return -1;
  if (pass == 2) {
    room_checks(v, strs, res->cap_used, 1);
    room_checks(v, stks, res->cap_used, 1);
    return v->ndiffs ? 0 : rewrite(v, gen, strs, stks, dump_first, res->cap_used);
  }
  res->generations++;
  const batch_list *ls[2] = {strs, stks};
  for (int q = 0; q < 2; q++)
    for (size_t k = 0; k < ls[q]->n; k++) {
      const vrec *b = &v->recs[ls[q]->b[k]];
      res->batches++;
      if (k > 0) res->flushes++;
      check_header(v, b);
      if (b->width != ST_VARINT_MAX)
        stv_diff(v, ST_VD_SIZE_WIDTH, b->off,
                 "batch size %llu in %u bytes; the writer reserves 10 and back-patches them",
                 (unsigned long long)b->a, b->width);
      if (b->id != UINT64_MAX)
        stv_diff(v, ST_VD_BATCH_HEADER, b->off, "a %s batch of M %llu; the writer uses 2^64-1",
                 q ? "stacks" : "strings", (unsigned long long)b->id);
      for (size_t i = ls[q]->b[k] + 1; i < v->nrecs && v->recs[i].kind != VK_BATCH; i++) {
        const vrec *r = &v->recs[i];
        if (r->kind == VK_STRING) res->strings++;
        if (r->kind == VK_STACK) res->stacks++;
        if (r->kind == VK_STRING || r->kind == VK_STACK) check_record(v, r);
      }
    }
  room_checks(v, strs, 0, 0);
  room_checks(v, stks, 0, 0);
  return check_order(v, gen, strs, stks, dump_first);
}

int stv_v2(vctx *v) {
  v->res->algo = ST_VERIFY_V2;
  int err = each_generation(v, 1, check_generation);
  if (err) return err;
  v->res->cap_used = v->cfg->cap ? v->cfg->cap : v->res->cap_min;
  return each_generation(v, 2, check_generation);
}

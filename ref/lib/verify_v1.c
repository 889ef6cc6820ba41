/* verify-dump for v1 traces: the legacy (Go 1.11-1.19) and direct (Go 1.20-1.21) dumps. */
#include <string.h>

#include "stacktab/st_stacktab.h"
#include "stacktab/st_varint.h"
#include "verify_int.h"

typedef struct {
  int is_stack;
  uint64_t id, off;
  const uint8_t *s; /* strings: content */
  size_t len;
  int done;         /* matched out of place already */
} seq_ent;

/* The room check the algorithm makes before a record. */
static uint64_t need_of(const vrec *r, st_verify_algo algo) {
  if (r->kind == VK_STRING) return st_string_bound((size_t)r->str_len);
  if (algo == ST_VERIFY_DIRECT) return st_stack_record_bound((size_t)r->nframes);
  return st_stack_legacy_need((size_t)(r->size - 1 - r->width));
}

static void check_header(vctx *v, const vrec *b) {
  uint8_t want[1 + 2 * ST_VARINT_MAX];
  size_t n = 0;
  want[n++] = 0x41;
  n += st_varint_put(want + n, b->id);
  n += st_varint_put(want + n, b->a);
  if (b->id != 0)
    stv_diff(v, ST_VD_BATCH_HEADER, b->off, "dump batch of pid %llu; the dump writes pid 0",
             (unsigned long long)b->id);
  else if (n != b->size || memcmp(want, v->data + b->off, n) != 0)
    stv_diff(v, ST_VD_BATCH_HEADER, b->off, "EvBatch is not written with minimal varints");
}

/* The record's bytes against the reference's encoding of its content. */
static void check_record(vctx *v, const vrec *r, st_verify_algo algo) {
  const uint8_t *p = v->data + r->off;
  if (r->kind == VK_STRING) {
    uint8_t head[1 + 2 * ST_VARINT_MAX];
    size_t n = 0;
    head[n++] = ST_EV_STRING;
    n += st_varint_put(head + n, r->id);
    n += st_varint_put(head + n, r->str_len);
    if (n + r->str_len != r->size || memcmp(head, p, n) != 0)
      stv_diff(v, ST_VD_RECORD, r->off, "EvString %llu is not in the minimal form",
               (unsigned long long)r->id);
    return;
  }
  uint64_t L = r->size - 1 - r->width;
  if (algo == ST_VERIFY_DIRECT && r->width != ST_VARINT_MAX)
    stv_diff(v, ST_VD_LEN_WIDTH, r->off,
             "EvStack %llu length %llu in %u bytes; the direct dump back-patches 10",
             (unsigned long long)r->id, (unsigned long long)L, r->width);
  else if (algo == ST_VERIFY_LEGACY && r->width != st_varint_size(L))
    stv_diff(v, ST_VD_LEN_WIDTH, r->off,
             "EvStack %llu length %llu in %u bytes; the legacy dump writes it minimal (%u)",
             (unsigned long long)r->id, (unsigned long long)L, r->width,
             (unsigned)st_varint_size(L));
  if (p[0] != (ST_EV_STACK | 3u << 6) || !stv_minimal_stack(v, r, 1 + r->width))
    stv_diff(v, ST_VD_RECORD, r->off, "EvStack %llu is not written with minimal varints",
             (unsigned long long)r->id);
}

/* Names over 1024 bytes: the writer keeps their last 1024. Reported at the string's record. */
static void check_names(vctx *v, const vrec *r) {
  const uint64_t *f = v->frames + r->frames_at;
  for (uint64_t i = 0; i < r->nframes; i++)
    for (int k = 1; k <= 2; k++) {
      const vrec *s = stv_string_rec(v, 0, f[4 * i + (uint64_t)k]);
      if (s && s->str_len > ST_NAME_MAX)
        stv_diff(v, ST_VD_STRING_CUT, s->off,
                 "string %llu, the %s name of stack %llu frame %llu, is %llu bytes; the writer "
                 "keeps the last 1024", (unsigned long long)s->id,
                 k == 1 ? "function" : "file", (unsigned long long)r->id,
                 (unsigned long long)i, (unsigned long long)s->str_len);
    }
}

static int push(vctx *v, seq_ent **a, size_t *n, size_t *cap, seq_ent e) {
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 256;
    seq_ent *q = v->alloc->realloc(v->alloc->ctx, *a, *cap * sizeof *q, nc * sizeof *q);
    if (!q) return -1;
    *a = q;
    *cap = nc;
  }
  (*a)[(*n)++] = e;
  return 0;
}

static int same(const seq_ent *a, const seq_ent *b) {
  return a->is_stack == b->is_stack && a->id == b->id &&
         (a->is_stack || (a->len == b->len && !memcmp(a->s, b->s, a->len)));
}

/* Strings where the reference interns them: before the first stack that uses them, in frame
 * order (function, then file). The file's sequence against the model's, re-synchronising on
 * each record. */
static int check_string_order(vctx *v, size_t start) {
  st_strtab t;
  st_strtab_init(&t, v->alloc); /* cannot fail with a table pointer */
  uint64_t max_seed = 0, first_new = 0;
  int err = 0;
  for (size_t i = 0; i < v->nrecs; i++) {
    const vrec *r = &v->recs[i];
    if (r->kind != VK_STRING) continue;
    if (i < start) {
      if (st_strtab_seed(&t, r->id, (const char *)v->data + r->str_off, (size_t)r->str_len) ==
          ST_ENC_E_NOMEM)
        err = -1; /* ST_ENC_E_DUP / E_PARAM: a repeated or empty string, looked up as before */
      if (r->id > max_seed) max_seed = r->id;
    } else if (!first_new) {
      first_new = r->id;
    }
  }
  st_strtab_set_next_id(&t, first_new ? first_new : max_seed + 1);
  seq_ent *E = NULL, *F = NULL;
  size_t ne = 0, nf = 0, ce = 0, cf = 0;
  for (size_t i = start; i < v->nrecs && !err; i++) {
    const vrec *r = &v->recs[i];
    if (r->kind == VK_STRING) {
      err = push(v, &F, &nf, &cf, (seq_ent){0, r->id, r->off, v->data + r->str_off,
                                             (size_t)r->str_len, 0});
    } else if (r->kind == VK_STACK) {
      const uint64_t *f = v->frames + r->frames_at;
      for (uint64_t k = 0; k < 2 * r->nframes && !err; k++) {
        size_t len;
        const uint8_t *s = stv_string(v, 0, f[4 * (k / 2) + 1 + k % 2], &len);
        /* A name over 1024 bytes is DUMP-STRING-CUT's; here it is taken as the file has it. */
        if (!s || len == 0) continue;
        uint64_t id;
        if (st_strtab_find(&t, (const char *)s, len, &id)) continue;
        id = t.next_id;
        if (st_strtab_seed(&t, id, (const char *)s, len) != ST_ENC_OK) err = -1;
        else err = push(v, &E, &ne, &ce, (seq_ent){0, id, 0, s, len, 0});
      }
      if (!err) err = push(v, &E, &ne, &ce, (seq_ent){1, r->id, r->off, NULL, 0, 0});
      if (!err) err = push(v, &F, &nf, &cf, (seq_ent){1, r->id, r->off, NULL, 0, 0});
    }
  }
  size_t i = 0, j = 0;
  while (!err && (i < nf || j < ne)) {
    if (i < nf && F[i].done) { i++; continue; }
    if (j < ne && E[j].done) { j++; continue; }
    if (i < nf && j < ne && same(&F[i], &E[j])) { i++, j++; continue; }
    if (i < nf && j < ne && F[i].is_stack && !E[j].is_stack) {
      /* The reference writes string E[j] here, before stack F[i]. */
      size_t later = i;
      while (later < nf && !(same(&F[later], &E[j]))) later++;
      if (later < nf) {
        F[later].done = 1;
        stv_diff(v, ST_VD_STRING_ORDER, F[i].off,
                 "stack %llu needs string %llu (\"%.*s\") before it; the file writes it after, "
                 "at offset %llu", (unsigned long long)F[i].id, (unsigned long long)E[j].id,
                 (int)(E[j].len < 40 ? E[j].len : 40), (const char *)E[j].s,
                 (unsigned long long)F[later].off);
      } else {
        stv_diff(v, ST_VD_STRING_ORDER, F[i].off,
                 "stack %llu needs string %llu (\"%.*s\") before it; the file does not write it "
                 "there", (unsigned long long)F[i].id, (unsigned long long)E[j].id,
                 (int)(E[j].len < 40 ? E[j].len : 40), (const char *)E[j].s);
      }
      j++;
      continue;
    }
    if (i < nf && !F[i].is_stack) {
      /* A string the reference does not write here. */
      size_t later = j;
      while (later < ne && !same(&E[later], &F[i])) later++;
      if (later < ne) E[later].done = 1;
      stv_diff(v, ST_VD_STRING_ORDER, F[i].off,
               later < ne ? "string %llu is written before the reference writes it (it belongs "
                            "right before the first stack that uses it)"
                          : "string %llu is one the reference does not write here (no later "
                            "stack needs it first, or it is defined already)",
               (unsigned long long)F[i].id);
      i++;
      continue;
    }
    /* Stacks out of step (only after the skips above): move both on. */
    if (i < nf) i++;
    if (j < ne) j++;
  }
  if (E) v->alloc->realloc(v->alloc->ctx, E, ce * sizeof *E, 0);
  if (F) v->alloc->realloc(v->alloc->ctx, F, cf * sizeof *F, 0);
  st_strtab_free(&t);
  return err;
}

/* The flush checks with capacity cap (report 1) or the interval's bounds (report 0). */
static void room_checks(vctx *v, size_t start, st_verify_algo algo, uint64_t cap, int report) {
  size_t first_batch = SIZE_MAX, prev_batch = SIZE_MAX, cur = SIZE_MAX;
  int first_in_batch = 0;
  for (size_t i = start; i < v->nrecs; i++) {
    const vrec *r = &v->recs[i];
    if (r->kind == VK_BATCH) {
      prev_batch = cur;
      cur = i;
      if (first_batch == SIZE_MAX) first_batch = i;
      first_in_batch = 1;
      uint64_t end = i + 1 < v->nrecs ? v->recs[i + 1].off : v->len;
      /* The batch's bytes: up to the next batch (the region is contiguous). */
      for (size_t k = i + 1; k < v->nrecs && v->recs[k].kind != VK_BATCH; k++)
        end = v->recs[k].off + v->recs[k].size;
      if (!report) stv_need_at_least(v, end - r->off);
      continue;
    }
    if (r->kind == VK_FREQ || cur == SIZE_MAX) continue; /* a direct dump's Frequency opens it */
    uint64_t pos = r->off - v->recs[cur].off, need = need_of(r, algo);
    if (first_in_batch && cur != first_batch) { /* so prev_batch, the batch before cur, is set */
      uint64_t prev_used = v->recs[cur].off - v->recs[prev_batch].off;
      /* After the flush the reference still needs the room for a stack (it refuses a record
       * that cannot fit an empty batch); a string too long is cut to fit instead. */
      if (!report && r->kind == VK_STACK) stv_need_at_least(v, pos + need);
      if (!report)
        stv_need_below(v, prev_used + need);
      else if (prev_used + need <= cap)
        stv_diff(v, ST_VD_FLUSH_EARLY, v->recs[cur].off,
                 "a new batch begins although %s %llu (room check %llu bytes) still fitted: "
                 "%llu of %llu bytes were used", r->kind == VK_STRING ? "string" : "stack",
                 (unsigned long long)r->id, (unsigned long long)need,
                 (unsigned long long)prev_used, (unsigned long long)cap);
    } else if (!report) {
      stv_need_at_least(v, pos + need);
    } else if (pos + need > cap) {
      stv_diff(v, ST_VD_ROOM, r->off,
               "%s %llu is written with %llu bytes left in its batch; the room check needs %llu "
               "(capacity %llu)", r->kind == VK_STRING ? "string" : "stack",
               (unsigned long long)r->id, (unsigned long long)(cap > pos ? cap - pos : 0),
               (unsigned long long)need, (unsigned long long)cap);
    }
    first_in_batch = 0;
  }
}

typedef struct {
  const vctx *v;
  size_t next;
} tick_src;

/* The model's batches take their ticks from the file's batches, in order. */
static uint64_t file_ticks(void *u) {
  tick_src *t = u;
  for (; t->next < t->v->nrecs; t->next++)
    if (t->v->recs[t->next].kind == VK_BATCH) return t->v->recs[t->next++].a;
  return 0;
}

/* A frame's name for the model: the file's string, or for an ID the file never defines
 * (a partial trace, go mode) a placeholder the model's table holds under that ID. */
static const char *model_name(const vctx *v, uint64_t id, uint8_t ph[10], size_t *len) {
  const uint8_t *s = stv_string(v, 0, id, len);
  if (s) return (const char *)s;
  ph[0] = 0xff;
  ph[1] = 0x00;
  for (int i = 0; i < 8; i++) ph[2 + i] = (uint8_t)(id >> (8 * i));
  *len = 10;
  return (const char *)ph;
}

/* The region written again by the library, compared byte for byte. */
static int rewrite(vctx *v, size_t start, size_t freq, st_verify_algo algo, uint64_t cap) {
  if (cap < ST_TBUF_MIN_CAP || cap > (1u << 30)) return 0;
  stv_bytes out = {v->alloc, NULL, 0, 0, 0};
  uint8_t *mem = v->alloc->realloc(v->alloc->ctx, NULL, 0, (size_t)cap);
  if (!mem) return -1;
  tick_src ts = {v, start};
  st_tbuf b;
  st_strtab t;
  st_dumper d;
  st_dump_config dc;
  st_dump_config_default(&dc);
  dc.algo = algo == ST_VERIFY_DIRECT ? ST_ALGO_DIRECT : ST_ALGO_LEGACY;
  /* Neither can fail: mem, sink and clock are set and cap >= ST_TBUF_MIN_CAP (above). */
  st_tbuf_init(&b, mem, (size_t)cap, stv_put, &out, file_ticks, &ts);
  st_strtab_init(&t, v->alloc);
  int err = 0;
  uint64_t max_seed = 0, first_new = 0;
  for (size_t i = 0; i < v->nrecs && !err; i++) {
    const vrec *r = &v->recs[i];
    if (r->kind != VK_STRING) continue;
    if (i < start) {
      if (st_strtab_seed(&t, r->id, (const char *)v->data + r->str_off, (size_t)r->str_len) ==
          ST_ENC_E_NOMEM)
        err = 1;
      if (r->id > max_seed) max_seed = r->id;
    } else if (!first_new) {
      first_new = r->id;
    }
  }
  st_strtab_set_next_id(&t, first_new ? first_new : max_seed + 1);
  int have_d = !err && st_dumper_init(&d, &dc, &b, &t, v->alloc) == ST_ENC_OK;
  if (!have_d) err = 1;
  uint8_t fb[1 + ST_VARINT_MAX];
  fb[0] = ST_EV_FREQUENCY;
  size_t flen = 1 + st_varint_put(fb + 1, v->recs[freq].a);
  st_enc_status s = ST_ENC_OK;
  if (!err && algo == ST_VERIFY_LEGACY) {
    s = stv_put(&out, fb, flen) ? ST_ENC_E_SINK : st_tbuf_flush(&b, 0);
  } else if (!err) { /* neither fails: a fresh tbuf (nothing to emit) and cap >= 32 */
    st_tbuf_flush(&b, 0);
    st_tbuf_reserve(&b, 0, flen);
    st_tbuf_bytes(&b, fb, flen);
  }
  /* Names the file never defines are seeded as placeholders under their IDs. */
  for (size_t i = start; i < v->nrecs && !err; i++) {
    const vrec *r = &v->recs[i];
    for (uint64_t k = 0; r->kind == VK_STACK && k < 2 * r->nframes; k++) {
      uint64_t id = v->frames[r->frames_at + 4 * (k / 2) + 1 + k % 2];
      size_t len;
      if (id && !stv_string(v, 0, id, &len)) {
        uint8_t ph[10];
        const char *name = model_name(v, id, ph, &len);
        /* ST_ENC_E_DUP for the second frame naming it */
        if (st_strtab_seed(&t, id, name, len) == ST_ENC_E_NOMEM) err = 1;
      }
    }
  }
  st_enc_frame fr[ST_MAX_FRAMES];
  uint8_t (*ph)[2][10] = v->alloc->realloc(v->alloc->ctx, NULL, 0, sizeof *ph * ST_MAX_FRAMES);
  if (!ph) err = 1;
  for (size_t i = start; i < v->nrecs && !err && !s; i++) {
    const vrec *r = &v->recs[i];
    if (r->kind != VK_STACK) continue;
    const uint64_t *f = v->frames + r->frames_at;
    for (uint64_t k = 0; k < r->nframes; k++) {
      size_t fl, ll;
      const char *fn = model_name(v, f[4 * k + 1], ph[k][0], &fl);
      const char *file = model_name(v, f[4 * k + 2], ph[k][1], &ll);
      fr[k] = (st_enc_frame){f[4 * k], fn, fl, file, ll, f[4 * k + 3]};
    }
    s = st_dump_record(&d, r->id, fr, (size_t)r->nframes);
  }
  if (ph) v->alloc->realloc(v->alloc->ctx, ph, sizeof *ph * ST_MAX_FRAMES, 0);
  if (!err && !s) s = st_tbuf_finish(&b);
  if (!err && !s) { /* out.nomem implies s: stv_put is the tbuf's sink and the bare put's */
    uint64_t off = v->recs[start].off;
    uint64_t len = v->recs[v->nrecs - 1].off + v->recs[v->nrecs - 1].size - off;
    stv_compare(v, &out, &off, &len, 1, "the dump region's bytes");
  } else if (!err && s != ST_ENC_E_NOMEM) {
    stv_diff(v, ST_VD_BYTES, v->recs[start].off, "the reference cannot write this region at "
             "capacity %llu: %s", (unsigned long long)cap, st_enc_status_str(s));
  }
  if (have_d) st_dumper_free(&d); /* also when the placeholder array below failed */
  st_strtab_free(&t);
  v->alloc->realloc(v->alloc->ctx, mem, (size_t)cap, 0);
  int nomem = out.nomem || s == ST_ENC_E_NOMEM;
  stv_bytes_free(&out);
  return err || nomem ? -1 : 0;
}

int stv_v1(vctx *v) {
  st_verify_result *res = v->res;
  size_t freq = SIZE_MAX;
  for (size_t i = 0; i < v->nrecs; i++)
    if (v->recs[i].kind == VK_FREQ) freq = i;
  if (freq == SIZE_MAX) {
    stv_diff(v, ST_VD_REGION, v->len, "the trace has no Frequency, so no dump region");
    return 0;
  }
  const vrec *fr = &v->recs[freq];
  /* Go 1.20+ opens a pid-0 batch with the Frequency; Go 1.19 writes it bare. */
  int in_batch = freq > 0 && v->recs[freq - 1].kind == VK_BATCH &&
                 v->recs[freq - 1].off + v->recs[freq - 1].size == fr->off;
  size_t start = in_batch ? freq - 1 : freq;
  /* The algorithm from the EvStack lengths: 10 bytes is direct. By majority, so that one
   * planted or broken length is reported as such instead of turning the whole region into
   * the other algorithm; a tie (or no stack) goes by where the Frequency is. */
  uint64_t ten = 0, other = 0;
  for (size_t i = start; i < v->nrecs; i++)
    if (v->recs[i].kind == VK_STACK) {
      if (v->recs[i].width == ST_VARINT_MAX) ten++;
      else other++;
    }
  st_verify_algo algo = v->cfg->algo;
  if (algo == ST_VERIFY_AUTO || algo == ST_VERIFY_V2)
    algo = ten != other ? (ten > other ? ST_VERIFY_DIRECT : ST_VERIFY_LEGACY)
                        : (in_batch ? ST_VERIFY_DIRECT : ST_VERIFY_LEGACY);
  res->algo = algo;
  if (v->have_other && v->last_other_off > v->recs[start].off)
    stv_diff(v, ST_VD_REGION, v->last_other_off,
             "an event that is no part of a dump, after the Frequency that opens the dump");
  if (algo == ST_VERIFY_DIRECT && !in_batch)
    stv_diff(v, ST_VD_FREQ, fr->off, "the Frequency is bare; the direct dump writes it first in "
             "a new pid-0 batch");
  if (algo == ST_VERIFY_LEGACY && in_batch)
    stv_diff(v, ST_VD_FREQ, fr->off, "the Frequency opens a batch; the legacy dump writes it "
             "bare, then its own batches");
  if (!in_batch && freq + 1 < v->nrecs && v->recs[freq + 1].kind != VK_BATCH)
    stv_diff(v, ST_VD_REGION, v->recs[freq + 1].off, "a record outside any batch after the "
             "bare Frequency; the legacy dump opens a new batch first");
  for (size_t i = start; i < v->nrecs; i++) {
    const vrec *r = &v->recs[i];
    if (r->kind == VK_BATCH) {
      res->batches++;
      if (i != start && !(i == freq + 1 && !in_batch)) res->flushes++;
      check_header(v, r);
    } else if (r->kind == VK_STRING) {
      res->strings++;
      check_record(v, r, algo);
    } else if (r->kind == VK_STACK) {
      res->stacks++;
      check_record(v, r, algo);
      check_names(v, r);
    }
  }
  if (check_string_order(v, start)) return -1;
  room_checks(v, start, algo, 0, 0);
  uint64_t cap = v->cfg->cap ? v->cfg->cap : res->cap_min;
  res->cap_used = cap;
  room_checks(v, start, algo, cap, 1);
  if (v->ndiffs == 0) return rewrite(v, start, freq, algo, cap);
  return 0;
}

#include "fuzz_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stacktab/st_decode.h"
#include "stacktab/st_varint.h"
#include "stacktab/st_verify.h"

/* ---- input ---- */

static int same_pcs(const ft_table *t, size_t a, size_t b) {
  return t->npcs[a] == t->npcs[b] &&
         memcmp(t->pcs[a], t->pcs[b], t->npcs[a] * sizeof t->pcs[a][0]) == 0;
}

static const ft_sym *find_sym(const ft_table *t, uint64_t pc) {
  for (size_t i = 0; i < t->nsyms; i++)
    if (t->syms[i].pc == pc) return &t->syms[i];
  return NULL;
}

/* Bytes a name keeps in the trace: its last 1024 (traceFrameForPC). */
static size_t cut_len(size_t len) { return len > ST_NAME_MAX ? ST_NAME_MAX : len; }
static const char *cut_ptr(const char *s, size_t len) {
  return len > ST_NAME_MAX ? s + (len - ST_NAME_MAX) : s;
}

int ft_parse(ft_table *t, const uint8_t *data, size_t size) {
  memset(t, 0, sizeof *t);
  fz_reader r = {data, size, 0};
  uint8_t set = fz_u8(&r);
  static const int versions[4] = {ST_VER_1_19, ST_VER_1_11, ST_VER_1_21, ST_VER_1_19};
  t->version = versions[set & 3];
  t->algo = (set & 4) ? ST_ALGO_DIRECT : ST_ALGO_LEGACY;
  t->order = (set & 8) ? ST_ORDER_BUCKETS : ST_ORDER_ID;
  int big = (set & 16) != 0;
  t->pid = (uint64_t)(set >> 5);
  uint16_t slack = fz_u16(&r);

  t->nnames = fz_u8(&r) % (FT_MAX_NAMES + 1);
  for (size_t i = 0; i < t->nnames; i++) {
    size_t len = fz_u8(&r);
    if (len == 255) len = 1000 + fz_u8(&r);
    for (size_t k = 0; k < len; k++) {
      /* Bytes past the input's end still make a distinct name per index. */
      t->names[i][k] = fz_left(&r) ? (char)fz_u8(&r) : (char)('a' + (i + k) % 26);
    }
    t->name_len[i] = len;
  }
  t->nsyms = fz_u8(&r) % (FT_MAX_SYMS + 1);
  for (size_t i = 0; i < t->nsyms; i++) {
    ft_sym *s = &t->syms[i];
    s->pc = fz_u64(&r);
    s->nframes = fz_u8(&r) % (FT_MAX_FRAMES_PER_PC + 1);
    for (size_t k = 0; k < s->nframes; k++) {
      uint8_t fn = fz_u8(&r), file = fz_u8(&r), w = fz_u8(&r) & 3;
      s->f[k].fn = t->nnames ? (uint8_t)(fn % t->nnames) : 0xff;
      s->f[k].file = t->nnames ? (uint8_t)(file % t->nnames) : 0xff;
      s->f[k].line = w == 0 ? fz_u8(&r) : w == 1 ? fz_u16(&r) : w == 2 ? fz_u32(&r) : fz_u64(&r);
    }
  }
  t->nstacks = fz_u8(&r) % (FT_MAX_STACKS + 1);
  for (size_t i = 0; i < t->nstacks; i++) {
    t->npcs[i] = fz_u8(&r) % (FT_MAX_PCS + 1);
    for (size_t k = 0; k < t->npcs[i]; k++) {
      uint8_t sel = fz_u8(&r);
      if ((sel & 0x80) || t->nsyms == 0)
        t->pcs[i][k] = fz_u64(&r);
      else
        t->pcs[i][k] = t->syms[sel % t->nsyms].pc;
    }
  }

  /* The expected IDs: distinct non-empty PC lists, first-seen order (spec 5.3). */
  for (size_t i = 0; i < t->nstacks; i++) {
    if (t->npcs[i] == 0) {
      t->given[i] = 0;
      continue;
    }
    size_t k = 0;
    while (k < t->nids && !same_pcs(t, t->id_src[k], i)) k++;
    if (k == t->nids) t->id_src[t->nids++] = i;
    t->given[i] = k + 1;
  }

  /* The smallest buffer that takes every record and string whole, plus the fuzzer's slack.
   * Below it the encoder legitimately fails (TOO_BIG) or cuts strings. */
  st_enc_frame fr[FT_MAX_FRAMES];
  size_t need = st_event_bound();
  for (size_t k = 0; k < t->nids; k++) {
    size_t n = ft_expected_frames(t, t->id_src[k], fr);
    if (st_stack_record_bound(n) > need) need = st_stack_record_bound(n);
  }
  for (size_t i = 0; i < t->nnames; i++)
    if (st_string_bound(cut_len(t->name_len[i])) > need)
      need = st_string_bound(cut_len(t->name_len[i]));
  size_t min_cap = ST_BATCH_HEADER_BOUND + need;
  t->cap = big ? ST_DEFAULT_BUF_SIZE : min_cap + slack % 4096;
  return 1;
}

size_t ft_expected_frames(const ft_table *t, size_t s, st_enc_frame *out) {
  size_t n = 0;
  for (size_t k = 0; k < t->npcs[s]; k++) {
    const ft_sym *sym = find_sym(t, t->pcs[s][k]);
    if (!sym) continue; /* no function info: the PC is dropped */
    for (size_t j = 0; j < sym->nframes; j++) {
      st_enc_frame *f = &out[n++];
      f->pc = sym->pc;
      f->fn = sym->f[j].fn == 0xff ? "" : t->names[sym->f[j].fn];
      f->fn_len = sym->f[j].fn == 0xff ? 0 : t->name_len[sym->f[j].fn];
      f->file = sym->f[j].file == 0xff ? "" : t->names[sym->f[j].file];
      f->file_len = sym->f[j].file == 0xff ? 0 : t->name_len[sym->f[j].file];
      f->line = sym->f[j].line;
    }
  }
  if (n == 0) { /* nothing resolved: one zero frame */
    memset(&out[0], 0, sizeof out[0]);
    out[0].fn = out[0].file = "";
    n = 1;
  }
  return n;
}

/* ---- encoding ---- */

static size_t symbolize(void *user, uint64_t pc, st_enc_frame *out, size_t max) {
  const ft_table *t = user;
  const ft_sym *sym = find_sym(t, pc);
  if (!sym) return 0;
  for (size_t j = 0; j < sym->nframes && j < max; j++) {
    out[j].pc = pc;
    out[j].fn = sym->f[j].fn == 0xff ? "" : t->names[sym->f[j].fn];
    out[j].fn_len = sym->f[j].fn == 0xff ? 0 : t->name_len[sym->f[j].fn];
    out[j].file = sym->f[j].file == 0xff ? "" : t->names[sym->f[j].file];
    out[j].file_len = sym->f[j].file == 0xff ? 0 : t->name_len[sym->f[j].file];
    out[j].line = sym->f[j].line;
  }
  return sym->nframes;
}

static int write_out(void *user, const uint8_t *p, size_t n) {
  fz_log_put(user, p, n);
  return 0;
}

st_enc_status ft_encode(const ft_table *t, st_dump_algo algo, fz_log *out) {
  fz_heap heap;
  st_alloc alloc;
  fz_heap_init(&heap, &alloc, 0);
  st_writer_config cfg;
  st_writer_config_default(&cfg);
  cfg.version = t->version;
  cfg.algo = algo;
  cfg.order = t->order;
  cfg.buf_size = t->cap;
  cfg.freq = FT_FREQ;
  cfg.end_ticks = FT_END_TICKS;
  cfg.alloc = &alloc;
  cfg.symbolize = symbolize;
  cfg.sym_user = (void *)t;
  cfg.write = write_out;
  cfg.write_user = out;
  st_writer w;
  st_enc_status s = st_writer_init(&w, &cfg);
  if (!s) s = st_writer_batch(&w, t->pid, FT_EVENT_TICKS);
  for (size_t i = 0; i < t->nstacks && !s; i++) {
    uint64_t id = 0;
    s = st_writer_stack(&w, t->pcs[i], t->npcs[i], &id);
    if (s) break;
    FZ_CHECK(id == t->given[i], "stack %zu got ID %llu, want %llu (first-seen order)", i,
             (unsigned long long)id, (unsigned long long)t->given[i]);
    uint64_t ts = FT_EVENT_TICKS + 1 + i;
    if (i % 2) {
      uint64_t args[3] = {i + 1, id, id}; /* GoCreate: g, start-PC stack, creating stack */
      s = st_writer_event(&w, ST_EV_GO_CREATE, ts, args, 3, NULL);
    } else {
      s = st_writer_event(&w, ST_EV_GO_SCHED, ts, &id, 1, NULL);
    }
  }
  if (!s) s = st_writer_finish(&w);
  st_writer_free(&w);
  FZ_CHECK(heap.live_blocks == 0, "writer leaked %llu blocks", (unsigned long long)heap.live_blocks);
  return s;
}

/* ---- decoding ---- */

typedef struct {
  ft_decoded *d;
  size_t stacks_cap;
  int in_batch, prev_was_batch;
  uint64_t batch_start;
} collect;

static void close_batch(collect *c, uint64_t end) {
  if (c->in_batch && end - c->batch_start > c->d->max_batch) c->d->max_batch = end - c->batch_start;
  c->in_batch = 0;
}

static void on_event(void *user, const st_event *ev) {
  collect *c = user;
  ft_decoded *d = c->d;
  d->version = ev->version;
  if (ev->type == ST_EV_BATCH) {
    close_batch(c, ev->off);
    c->in_batch = 1;
    c->batch_start = ev->off;
  } else if (ev->type == ST_EV_FREQUENCY && !c->prev_was_batch) {
    close_batch(c, ev->off); /* Go 1.19's bare Frequency sits between batches */
  }
  c->prev_was_batch = ev->type == ST_EV_BATCH;
  if (ev->type == ST_EV_STRING) {
    d->nstrings++;
    fz_log_u64(&d->strings, ev->str_id);
    fz_log_u64(&d->strings, ev->str_len);
    fz_log_put(&d->strings, ev->str, ev->str_len);
  }
  if (ev->type != ST_EV_STACK) return;
  d->stack_events++;
  if (d->nstacks == c->stacks_cap) {
    if (c->stacks_cap >= 4 * FT_MAX_STACKS) return; /* far more than any table here */
    c->stacks_cap = c->stacks_cap ? 2 * c->stacks_cap : 8;
    ft_stack *ns = realloc(d->stacks, c->stacks_cap * sizeof *ns);
    FZ_CHECK(ns != NULL, "out of memory");
    d->stacks = ns;
  }
  ft_stack *s = &d->stacks[d->nstacks++];
  memset(s, 0, sizeof *s);
  s->id = ev->stack_id;
  s->len = ev->len;
  s->len_width = ev->len_width;
  s->nframes = (size_t)(ev->nframes <= FT_MAX_FRAMES ? ev->nframes : FT_MAX_FRAMES + 1);
  if (!ev->frames) return;
  for (size_t i = 0; i < s->nframes && i < FT_MAX_FRAMES; i++) {
    const st_frame *f = &ev->frames[i];
    ft_frame *o = &s->frames[i];
    o->pc = f->pc;
    o->line = f->line;
    o->fn_id = f->fn_id;
    o->file_id = f->file_id;
    if (f->fn_len) fz_log_put(&o->fn, f->fn, f->fn_len);
    if (f->file_len) fz_log_put(&o->file, f->file, f->file_len);
  }
}

static void on_diag(void *user, const st_diag *dg) {
  collect *c = user;
  char line[300];
  int n = snprintf(line, sizeof line, "  %llu: %s: %s\n", (unsigned long long)dg->off,
                   st_rule_id(dg->rule), dg->message);
  if (n > 0) fz_log_put(&c->d->diags, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void ft_decode(const uint8_t *trace, size_t len, size_t cap, ft_decoded *d) {
  memset(d, 0, sizeof *d);
  collect c;
  memset(&c, 0, sizeof c);
  c.d = d;
  st_decode_config cfg;
  st_decode_config_default(&cfg);
  cfg.buf_size = cap;
  cfg.on_event = on_event;
  cfg.on_diag = on_diag;
  cfg.user = &c;
  st_decoder dec;
  FZ_CHECK(st_decoder_init(&dec, &cfg) == ST_OK, "decoder init");
  (void)st_decoder_push(&dec, trace, len);
  (void)st_decoder_finish(&dec);
  close_batch(&c, len);
  d->errors = st_decoder_errors(&dec);
  d->warnings = st_decoder_warnings(&dec);
  st_decoder_free(&dec);
  fz_log_put(&d->diags, "", 1); /* NUL-terminated text */
}

void ft_decoded_free(ft_decoded *d) {
  for (size_t i = 0; i < d->nstacks; i++)
    for (size_t k = 0; k < FT_MAX_FRAMES; k++) {
      fz_log_free(&d->stacks[i].frames[k].fn);
      fz_log_free(&d->stacks[i].frames[k].file);
    }
  free(d->stacks);
  fz_log_free(&d->strings);
  fz_log_free(&d->diags);
  memset(d, 0, sizeof *d);
}

static int bytes_eq(const fz_log *l, const char *s, size_t n) {
  return l->len == n && (n == 0 || memcmp(l->p, s, n) == 0);
}

void ft_check_table(const ft_table *t, const ft_decoded *d, const char *what) {
  FZ_CHECK(d->nstacks == t->nids, "%s: %zu EvStack records decoded, the table has %zu stacks",
           what, d->nstacks, t->nids);
  uint8_t seen[FT_MAX_STACKS + 1];
  memset(seen, 0, sizeof seen);
  st_enc_frame want[FT_MAX_FRAMES];
  for (size_t i = 0; i < d->nstacks; i++) {
    const ft_stack *s = &d->stacks[i];
    FZ_CHECK(s->id >= 1 && s->id <= t->nids, "%s: EvStack with ID %llu, the table has 1..%zu",
             what, (unsigned long long)s->id, t->nids);
    FZ_CHECK(!seen[s->id], "%s: stack %llu written twice", what, (unsigned long long)s->id);
    seen[s->id] = 1;
    size_t n = ft_expected_frames(t, t->id_src[s->id - 1], want);
    FZ_CHECK(s->nframes == n, "%s: stack %llu has %zu frames, want %zu", what,
             (unsigned long long)s->id, s->nframes, n);
    for (size_t k = 0; k < n; k++) {
      const ft_frame *f = &s->frames[k];
      FZ_CHECK(f->pc == want[k].pc && f->line == want[k].line,
               "%s: stack %llu frame %zu: pc %llu line %llu, want pc %llu line %llu", what,
               (unsigned long long)s->id, k, (unsigned long long)f->pc,
               (unsigned long long)f->line, (unsigned long long)want[k].pc,
               (unsigned long long)want[k].line);
      FZ_CHECK(bytes_eq(&f->fn, cut_ptr(want[k].fn, want[k].fn_len), cut_len(want[k].fn_len)),
               "%s: stack %llu frame %zu: function name (ID %llu) is not the table's", what,
               (unsigned long long)s->id, k, (unsigned long long)f->fn_id);
      FZ_CHECK(bytes_eq(&f->file, cut_ptr(want[k].file, want[k].file_len),
                        cut_len(want[k].file_len)),
               "%s: stack %llu frame %zu: file name (ID %llu) is not the table's", what,
               (unsigned long long)s->id, k, (unsigned long long)f->file_id);
      FZ_CHECK((f->fn_id == 0) == (want[k].fn_len == 0) &&
                   (f->file_id == 0) == (want[k].file_len == 0),
               "%s: stack %llu frame %zu: string ID 0 is for the empty name only", what,
               (unsigned long long)s->id, k);
    }
  }
}

/* ---- the model of the footer ---- */

typedef struct {
  const ft_table *t;
  fz_log *out;
  size_t pos;        /* bytes in the open batch */
  uint64_t ticks;    /* of the next batch */
  /* strings defined so far: name index -> ID (0 = not yet); equal contents share one ID */
  uint64_t next_id;
  const char *str[2 * FT_MAX_NAMES];
  size_t str_len[2 * FT_MAX_NAMES];
  uint64_t str_id[2 * FT_MAX_NAMES];
  size_t nstr;
} model;

static void m_bytes(model *m, const void *p, size_t n) {
  fz_log_put(m->out, p, n);
  m->pos += n;
}

static void m_uv(model *m, uint64_t v) {
  uint8_t b[10];
  size_t n = 0;
  do { /* LEB128, written here without the library's codec */
    b[n] = (uint8_t)(v & 0x7f);
    v >>= 7;
    if (v) b[n] |= 0x80;
    n++;
  } while (v);
  m_bytes(m, b, n);
}

static size_t uv_len(uint64_t v) {
  size_t n = 1;
  while (v >>= 7) n++;
  return n;
}

static void m_flush(model *m) {
  m->pos = 0;
  uint8_t b = 0x41;
  m_bytes(m, &b, 1);
  m_uv(m, 0); /* the dump's batches belong to pid 0 */
  m_uv(m, m->ticks++);
}

/* traceString: room for 1 + 2*10 + len, else a new batch; then 25 id len bytes. */
static uint64_t m_intern(model *m, const char *s, size_t len) {
  s = cut_ptr(s, len);
  len = cut_len(len);
  if (len == 0) return 0;
  for (size_t i = 0; i < m->nstr; i++)
    if (m->str_len[i] == len && memcmp(m->str[i], s, len) == 0) return m->str_id[i];
  if (m->t->cap - m->pos < 21 + len) m_flush(m);
  uint64_t id = m->next_id++;
  uint8_t b = 0x25;
  m_bytes(m, &b, 1);
  m_uv(m, id);
  m_uv(m, len);
  m_bytes(m, s, len);
  FZ_CHECK(m->nstr < 2 * FT_MAX_NAMES, "model: too many strings");
  m->str[m->nstr] = s;
  m->str_len[m->nstr] = len;
  m->str_id[m->nstr++] = id;
  return id;
}

static void m_record(model *m, st_dump_algo algo, uint64_t id, const st_enc_frame *f, size_t n) {
  uint64_t ids[2 * FT_MAX_FRAMES];
  /* Payload length with minimal varints, computed as the strings get their IDs. */
  size_t plen = uv_len(id) + uv_len(n);
  for (size_t i = 0; i < n; i++) {
    ids[2 * i] = m_intern(m, f[i].fn, f[i].fn_len);
    ids[2 * i + 1] = m_intern(m, f[i].file, f[i].file_len);
    plen += uv_len(f[i].pc) + uv_len(ids[2 * i]) + uv_len(ids[2 * i + 1]) + uv_len(f[i].line);
  }
  /* Room check: Go 1.19 on the real payload, Go 1.20+ on the worst case 31 + 40n. */
  size_t need = algo == ST_ALGO_DIRECT ? 31 + 40 * n : 1 + 10 + plen;
  if (m->t->cap - m->pos < need) m_flush(m);
  uint8_t b = 0xc3;
  m_bytes(m, &b, 1);
  if (algo == ST_ALGO_DIRECT) {
    uint8_t pad[10];
    size_t v = plen;
    for (int i = 0; i < 10; i++, v >>= 7) pad[i] = (uint8_t)((v & 0x7f) | (i < 9 ? 0x80 : 0));
    m_bytes(m, pad, 10);
  } else {
    m_uv(m, plen);
  }
  m_uv(m, id);
  m_uv(m, n);
  for (size_t i = 0; i < n; i++) {
    m_uv(m, f[i].pc);
    m_uv(m, ids[2 * i]);
    m_uv(m, ids[2 * i + 1]);
    m_uv(m, f[i].line);
  }
}

/* FNV-1a 64 over the PCs as little-endian 8-byte words: the encoder's documented bucket hash. */
static uint64_t m_hash(const uint64_t *pcs, size_t n) {
  uint64_t h = 14695981039346656037ull;
  for (size_t i = 0; i < n; i++)
    for (int k = 0; k < 8; k++) {
      h ^= (uint8_t)(pcs[i] >> (8 * k));
      h *= 1099511628211ull;
    }
  return h;
}

void ft_model_footer(const ft_table *t, st_dump_algo algo, fz_log *out) {
  model m;
  memset(&m, 0, sizeof m);
  m.t = t;
  m.out = out;
  m.ticks = FT_END_TICKS;
  m.next_id = 1;
  uint8_t f = 0x02;
  if (algo == ST_ALGO_LEGACY) {
    m_bytes(&m, &f, 1); /* bare Frequency, then the dump's own batch */
    m_uv(&m, FT_FREQ);
    m_flush(&m);
  } else {
    m_flush(&m); /* a pid-0 batch holding Frequency, the dump continuing in it */
    m_bytes(&m, &f, 1);
    m_uv(&m, FT_FREQ);
  }
  /* Dump order: ascending ID, or buckets 0..8191 with the newest record first in each. */
  size_t order[FT_MAX_STACKS];
  for (size_t k = 0; k < t->nids; k++) order[k] = k;
  if (t->order == ST_ORDER_BUCKETS) {
    uint64_t bucket[FT_MAX_STACKS];
    for (size_t k = 0; k < t->nids; k++) {
      size_t s = t->id_src[k];
      bucket[k] = m_hash(t->pcs[s], t->npcs[s]) % ST_STACK_BUCKETS;
    }
    for (size_t i = 1; i < t->nids; i++) /* insertion sort: bucket up, ID down */
      for (size_t j = i; j > 0; j--) {
        size_t a = order[j - 1], b = order[j];
        if (bucket[a] < bucket[b] || (bucket[a] == bucket[b] && a > b)) break;
        order[j - 1] = b;
        order[j] = a;
      }
  }
  st_enc_frame fr[FT_MAX_FRAMES];
  for (size_t k = 0; k < t->nids; k++) {
    size_t n = ft_expected_frames(t, t->id_src[order[k]], fr);
    m_record(&m, algo, order[k] + 1, fr, n);
  }
}

/* ---- the verifier ---- */

static void on_vdiff(void *user, const st_verify_diff *df) {
  char line[400];
  int n = snprintf(line, sizeof line, "  %llu: %s: %s\n", (unsigned long long)df->off,
                   st_verify_kind_id(df->kind), df->message);
  if (n > 0) fz_log_put(user, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void ft_verify(const ft_table *t, st_dump_algo algo, const fz_log *whole, const char *what) {
  /* Without stacks the harness's event batch is empty: `41 V(pid) V(ticks)` and nothing else.
   * Before a legacy footer that is, for pid 0, the same bytes as a direct footer's Frequency
   * batch, so it is cut out: the trace is then the footer alone (no event batch: go mode for the
   * bare legacy Frequency, which strict mode reports as BATCH-MISSING). */
  fz_log cut = {0};
  const fz_log *trace = whole;
  if (t->nstacks == 0) {
    size_t h = ST_HEADER_SIZE, n = 1 + uv_len(t->pid) + uv_len(FT_EVENT_TICKS);
    FZ_CHECK(whole->len >= h + n && whole->p[h] == 0x41, "%s: no event batch after the header",
             what);
    fz_log_put(&cut, whole->p, h);
    fz_log_put(&cut, whole->p + h + n, whole->len - h - n);
    trace = &cut;
  }
  int strict = trace->len > ST_HEADER_SIZE && trace->p[ST_HEADER_SIZE] == 0x41;
  for (int pass = 0; pass < 2; pass++) {
    st_verify_config vc;
    st_verify_config_default(&vc);
    vc.mode = strict ? ST_MODE_STRICT : ST_MODE_GO;
    vc.algo = algo == ST_ALGO_DIRECT ? ST_VERIFY_DIRECT : ST_VERIFY_LEGACY;
    vc.cap = pass == 0 ? t->cap : 0;
    fz_log diffs = {0};
    vc.on_diff = on_vdiff;
    vc.user = &diffs;
    st_verify_result r;
    memset(&r, 0, sizeof r);
    st_status s = st_verify_buffer(&vc, trace->p, trace->len, &r);
    fz_log_put(&diffs, "", 1);
    if (pass == 0)
      FZ_CHECK(s == ST_OK && r.diffs == 0 && r.decode_errors == 0,
               "%s: st_verify_buffer (cap %zu) rejects the writer's trace: status %d, %llu "
               "differences, %llu decode errors\n%s",
               what, t->cap, (int)s, (unsigned long long)r.diffs,
               (unsigned long long)r.decode_errors, (const char *)diffs.p);
    else
      FZ_CHECK(r.decode_errors == 0 && r.cap_min <= t->cap && t->cap <= r.cap_max,
               "%s: st_verify_buffer (cap 0) reports capacities %llu..%llu, the writer's is %zu "
               "(status %d, %llu differences)\n%s",
               what, (unsigned long long)r.cap_min, (unsigned long long)r.cap_max, t->cap, (int)s,
               (unsigned long long)r.diffs, (const char *)diffs.p);
    fz_log_free(&diffs);
  }
  fz_log_free(&cut);
}

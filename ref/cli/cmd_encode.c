/* stacktab encode: build a trace from a text description (format: ref/ENCODE_FORMAT.md). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "decode_opts.h"
#include "encode_src.h"
#include "stacktab/st_writer.h"

static const char k_help[] =
    "usage: stacktab encode [OPTIONS] [FILE]   (FILE or - : the text description; default stdin)\n"
    "\n"
    "Builds a Go execution trace from a text description and writes its bytes: v1 (headers\n"
    "1.11, 1.19, 1.21) or v2 (headers 1.22, 1.23, 1.25). See ref/ENCODE_FORMAT.md.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE         write the trace to FILE (default: stdout)\n"
    "  --algorithm=legacy|direct dump algorithm and Frequency placement (overrides the file)\n"
    "  --buf-size=N              batch capacity in bytes, >= 32 (v2: >= 64; overrides the file)\n"
    "  --header=VERSION          1.11, 1.19, 1.21 (v1) or 1.22, 1.23, 1.25 (v2); overrides the\n"
    "                            file\n"
    "  --list=FILE               also write one line per event: \"OFFSET NAME\" (decimal offset)\n"
    "\n"
    "The description is line based; '#' starts a comment. Tokens are bare words or \"quoted\n"
    "strings\" (escapes \\\\ \\\" \\n \\t \\r \\xHH). Numbers are decimal or 0x hex. Settings\n"
    "(each at most once, anywhere in the file):\n"
    "  header VERSION             1.11, 1.19, 1.21, 1.22, 1.23 or 1.25; default 1.19\n"
    "  algorithm legacy|direct    v1: default legacy (Go 1.19); direct = Go 1.20+\n"
    "  buf-size N                 default 64488 (v1), 65504 with the batch header (v2)\n"
    "  frequency N                EvFrequency, ticks per second; default 15625000\n"
    "  end-ticks N                ticks of the first footer batch; default latest ticks + 1\n"
    "  order id|buckets|trie      dump order; default id (ascending stack ID); buckets = Go\n"
    "                             1.11-1.22's walk, trie = Go 1.23+'s (v2)\n"
    "  preregister on|off         v2: the runtime's pre-registered strings first in every\n"
    "                             generation; default off\n"
    "  sym PC FUNC FILE LINE [pc=FRAMEPC]\n"
    "                             a frame of PC; repeat the PC for inlined frames (inner first)\n"
    "Statements (in order):\n"
    "  seed ID STRING             string ID already defined: used, never written\n"
    "  next-string-id N           the ID the next new string gets\n"
    "  stack LABEL PC...          put a stack (innermost PC first); LABEL stands for its ID\n"
    "  batch PID TICKS            start a batch of processor PID at TICKS\n"
    "  string STRING              intern a string now (EvString in the open batch if new)\n"
    "  EVENT TS ARG...            an event (Go's name, e.g. GoCreate); TS absolute ticks or +N;\n"
    "                             ARG: a number, a stack LABEL, or a \"string\" (its ID)\n"
    "v2 only:\n"
    "  batch M TICKS              start an event batch of thread M\n"
    "  generation                 end the generation (its sections as the runtime writes\n"
    "                             them) and start the next; tables and IDs restart\n"
    "  cpusample TIME M P G STACK a CPU sample, written in the generation's CPU section\n"
    "\n"
    "example:\n"
    "  header 1.19\n"
    "  algorithm direct\n"
    "  sym 0x401000 main.main /src/main.go 12\n"
    "  sym 0x401100 main.work /src/main.go 30     # main.work inlined into main.main:\n"
    "  sym 0x401100 main.main /src/main.go 14\n"
    "  stack s_main 0x401000\n"
    "  stack s_work 0x401100 0x401000\n"
    "  batch 0 1000\n"
    "  Gomaxprocs 1000 4 s_main                   # procs=4, stack s_main\n"
    "  GoCreate +5 1 s_work s_main                # g=1, start stack, creator's stack\n"
    "\n"
    "exit status: 0 success, 1 invalid description (message names FILE:LINE), 2 usage or I/O\n";

typedef struct {
  uint64_t pc, frame_pc, line;
  const char *fn, *file;
  size_t fn_len, file_len;
  size_t seq; /* line order, to keep inlined frames in order after sorting */
} sym_ent;

typedef struct {
  const char *name;
  size_t len;
  uint64_t id;
  size_t pcs_off, npcs;  /* its PCs in pc_arena (v2 puts them again in later generations) */
  uint64_t gen;          /* v2: the generation whose table holds `id` */
  unsigned line;
} label_ent;

typedef struct {
  const char *path;
  st_src src;
  sym_ent *syms;
  size_t nsyms;
  label_ent *labels;
  size_t nlabels;
  unsigned *id_line; /* stack ID -> line of the `stack` statement that first put it */
  size_t id_line_len;
  uint8_t *out;
  size_t out_len, out_cap;
  FILE *list;
  uint64_t *pc_arena;
  size_t pc_len, pc_cap;
  /* v2 --list: events' offset tokens and names, written once every batch is out. */
  struct list_ent {
    uint64_t token;
    const char *name;
  } *pend_list;
  size_t npend_list, pend_list_cap;
  st_writer_config cfg;
  unsigned set_line[7]; /* where each setting was given (0: not given) */
} enc_ctx;

enum { SET_HEADER, SET_ALGO, SET_BUF, SET_FREQ, SET_END, SET_ORDER, SET_PREREG, NSETTINGS };
static const char *const k_settings[NSETTINGS] = {"header", "algorithm", "buf-size",
                                                  "frequency", "end-ticks", "order",
                                                  "preregister"};

static int is_v2(const enc_ctx *c) { return st_version_format(c->cfg.version) == 2; }

static int bad(const enc_ctx *c, unsigned line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "stacktab: %s:%u: ", c->path, line);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return ST_EXIT_INVALID;
}

static int out_write(void *user, const uint8_t *p, size_t n) {
  enc_ctx *c = user;
  if (c->out_len + n > c->out_cap) {
    size_t cap = c->out_cap ? c->out_cap : 1 << 16;
    while (cap < c->out_len + n) cap *= 2;
    uint8_t *q = realloc(c->out, cap);
    if (!q) return -1;
    c->out = q;
    c->out_cap = cap;
  }
  memcpy(c->out + c->out_len, p, n);
  c->out_len += n;
  return 0;
}

static int cmp_sym(const void *a, const void *b) {
  const sym_ent *x = a, *y = b;
  if (x->pc != y->pc) return x->pc < y->pc ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The symbolizer over the `sym` lines: every frame listed for the PC, in line order. */
static size_t symbolize(void *user, uint64_t pc, st_enc_frame *out, size_t max) {
  const enc_ctx *c = user;
  size_t lo = 0, hi = c->nsyms;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (c->syms[mid].pc < pc) lo = mid + 1;
    else hi = mid;
  }
  size_t n = 0;
  for (size_t i = lo; i < c->nsyms && c->syms[i].pc == pc; i++, n++) {
    if (n >= max) continue;
    const sym_ent *s = &c->syms[i];
    out[n] = (st_enc_frame){s->frame_pc, s->fn, s->fn_len, s->file, s->file_len, s->line};
  }
  return n;
}

static int is_label(const st_tok *t) {
  if (t->quoted || t->len == 0) return 0;
  char c0 = t->p[0];
  if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '_')) return 0;
  for (size_t i = 1; i < t->len; i++) {
    char c = t->p[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.' || c == '-'))
      return 0;
  }
  return 1;
}

static const label_ent *find_label(const enc_ctx *c, const st_tok *t) {
  for (size_t i = 0; i < c->nlabels; i++)
    if (c->labels[i].len == t->len && !memcmp(c->labels[i].name, t->p, t->len)) return &c->labels[i];
  return NULL;
}

static int parse_version(const st_tok *t) {
  if (st_tok_is(t, "1.11")) return ST_VER_1_11;
  if (st_tok_is(t, "1.19")) return ST_VER_1_19;
  if (st_tok_is(t, "1.21")) return ST_VER_1_21;
  if (st_tok_is(t, "1.22")) return ST_VER_1_22;
  if (st_tok_is(t, "1.23")) return ST_VER_1_23;
  if (st_tok_is(t, "1.25")) return ST_VER_1_25;
  return 0;
}

static int parse_algo(const char *s, size_t len, st_dump_algo *a) {
  if (len == 6 && !memcmp(s, "legacy", 6)) *a = ST_ALGO_LEGACY;
  else if (len == 6 && !memcmp(s, "direct", 6)) *a = ST_ALGO_DIRECT;
  else return -1;
  return 0;
}

/* Pass 1: settings and symbols, wherever they are. */
static int pass_settings(enc_ctx *c) {
  size_t cap = 0;
  for (size_t li = 0; li < c->src.nlines; li++) {
    const st_srcline *l = &c->src.lines[li];
    const st_tok *t = &c->src.toks[l->first];
    if (st_tok_is(t, "sym")) {
      if (l->n != 5 && l->n != 6)
        return bad(c, l->lineno, "sym needs: PC FUNC FILE LINE [pc=FRAMEPC]");
      sym_ent s = {0};
      if (st_tok_u64(&t[1], &s.pc)) return bad(c, l->lineno, "sym: bad PC '%.*s'", (int)t[1].len, t[1].p);
      if (st_tok_u64(&t[4], &s.line))
        return bad(c, l->lineno, "sym: bad line number '%.*s'", (int)t[4].len, t[4].p);
      s.frame_pc = s.pc;
      if (l->n == 6) {
        st_tok v = t[5];
        if (v.quoted || v.len < 4 || memcmp(v.p, "pc=", 3) != 0)
          return bad(c, l->lineno, "sym: the optional 5th field is pc=FRAMEPC");
        v.p += 3;
        v.len -= 3;
        if (st_tok_u64(&v, &s.frame_pc)) return bad(c, l->lineno, "sym: bad frame PC");
      }
      s.fn = t[2].p;
      s.fn_len = t[2].len;
      s.file = t[3].p;
      s.file_len = t[3].len;
      s.seq = c->nsyms;
      if (c->nsyms == cap) {
        cap = cap ? cap * 2 : 64;
        sym_ent *p = realloc(c->syms, cap * sizeof *p);
        if (!p) return bad(c, l->lineno, "out of memory");
        c->syms = p;
      }
      c->syms[c->nsyms++] = s;
      continue;
    }
    int k = -1;
    for (int i = 0; i < NSETTINGS; i++)
      if (st_tok_is(t, k_settings[i])) k = i;
    if (k < 0) continue;
    if (l->n != 2) return bad(c, l->lineno, "%s takes one value", k_settings[k]);
    if (c->set_line[k])
      return bad(c, l->lineno, "%s already set on line %u", k_settings[k], c->set_line[k]);
    c->set_line[k] = l->lineno;
    const st_tok *v = &t[1];
    uint64_t n = 0;
    switch (k) {
      case SET_HEADER:
        if (!(c->cfg.version = parse_version(v)))
          return bad(c, l->lineno, "header: 1.11, 1.19, 1.21, 1.22, 1.23 or 1.25");
        break;
      case SET_ALGO:
        if (v->quoted || parse_algo(v->p, v->len, &c->cfg.algo))
          return bad(c, l->lineno, "algorithm: legacy or direct");
        break;
      case SET_ORDER:
        if (st_tok_is(v, "id")) c->cfg.order = ST_ORDER_ID;
        else if (st_tok_is(v, "buckets")) c->cfg.order = ST_ORDER_BUCKETS;
        else if (st_tok_is(v, "trie")) c->cfg.order = ST_ORDER_TRIE;
        else return bad(c, l->lineno, "order: id, buckets or trie");
        break;
      case SET_PREREG:
        if (st_tok_is(v, "on")) c->cfg.preregister = 1;
        else if (st_tok_is(v, "off")) c->cfg.preregister = 0;
        else return bad(c, l->lineno, "preregister: on or off");
        break;
      default:
        if (st_tok_u64(v, &n)) return bad(c, l->lineno, "%s: bad number", k_settings[k]);
        if (k == SET_BUF) {
          if (n < ST_TBUF_MIN_CAP || n > (1u << 30))
            return bad(c, l->lineno, "buf-size: %u to %u", ST_TBUF_MIN_CAP, 1u << 30);
          c->cfg.buf_size = (size_t)n;
        } else if (k == SET_FREQ) {
          c->cfg.freq = n;
        } else {
          c->cfg.end_ticks = n;
        }
    }
  }
  /* syms is NULL when the description names no symbols; qsort(NULL, 0, ...) is UB. */
  if (c->nsyms > 1) qsort(c->syms, c->nsyms, sizeof *c->syms, cmp_sym);
  return ST_EXIT_OK;
}

static int usage(const char *msg);

/* Settings that only one format has (after the command line's overrides): refused at their
 * line, or as a usage error when the command line gave them. */
static int check_format(const enc_ctx *c, int algo_opt, int buf_opt) {
  if (is_v2(c) && algo_opt) return usage("--algorithm: v1 only (v2 has one stack-section writer)");
  if (is_v2(c) && buf_opt && c->cfg.buf_size < ST_TBUF_MIN_CAP_V2)
    return usage("--buf-size: at least 64 for v2");
  if (is_v2(c) && c->set_line[SET_ALGO])
    return bad(c, c->set_line[SET_ALGO], "algorithm: v1 only (v2 has one stack-section writer)");
  if (!is_v2(c) && c->cfg.order == ST_ORDER_TRIE)
    return bad(c, c->set_line[SET_ORDER], "order trie: v2 only (Go 1.23+)");
  if (!is_v2(c) && c->set_line[SET_PREREG])
    return bad(c, c->set_line[SET_PREREG], "preregister: v2 only");
  if (is_v2(c) && c->cfg.buf_size && c->cfg.buf_size < ST_TBUF_MIN_CAP_V2)
    return bad(c, c->set_line[SET_BUF], "buf-size: at least %u for v2", ST_TBUF_MIN_CAP_V2);
  return ST_EXIT_OK;
}

static int enc_fail(const enc_ctx *c, unsigned line, const char *what, st_enc_status s) {
  return bad(c, line, "%s: %s", what, st_enc_status_str(s));
}

static unsigned event_type(const enc_ctx *c, const st_tok *t) {
  if (t->quoted) return 0;
  if (is_v2(c)) {
    for (unsigned e = 1; e < ST_EV2_COUNT; e++) {
      const st_event2_desc *d = st_event2_describe(e);
      if (d && d->timed && strlen(d->name) == t->len && !memcmp(d->name, t->p, t->len)) return e;
    }
    return 0;
  }
  for (unsigned e = 1; e < ST_EV_COUNT; e++) {
    const char *a = st_event_describe(e)->name, *b = st_event_name(e, ST_VER_1_21);
    if ((strlen(a) == t->len && !memcmp(a, t->p, t->len)) ||
        (strlen(b) == t->len && !memcmp(b, t->p, t->len)))
      return e;
  }
  return 0;
}

static int note_stack_line(enc_ctx *c, uint64_t id, unsigned line);

/* The ID a stack label stands for now: v2 puts the label's stack into the current
 * generation's table the first time the generation uses it. */
static int label_id(enc_ctx *c, st_writer *w, label_ent *e, unsigned line, uint64_t *id) {
  if (is_v2(c) && e->gen != st_writer_gen(w)) {
    st_enc_status s = st_writer_stack(w, c->pc_arena + e->pcs_off, e->npcs, &e->id);
    if (s) return enc_fail(c, line, "stack", s);
    e->gen = st_writer_gen(w);
    if (e->id && note_stack_line(c, e->id, e->line)) return bad(c, line, "out of memory");
  }
  *id = e->id;
  return ST_EXIT_OK;
}

/* An argument: a number, a stack label, or a "string" (put; emitted for UserLog's value). */
static int event_arg(enc_ctx *c, st_writer *w, const st_srcline *l, const st_tok *a, int emit,
                     const char *name, uint64_t *v) {
  if (a->quoted) {
    st_enc_status s = emit ? st_writer_emit_string(w, a->p, a->len, v)
                           : st_writer_string(w, a->p, a->len, v);
    if (s) return enc_fail(c, l->lineno, "string", s);
  } else if (is_label(a)) {
    label_ent *e = (label_ent *)find_label(c, a);
    if (!e) return bad(c, l->lineno, "unknown stack label '%.*s'", (int)a->len, a->p);
    return label_id(c, w, e, l->lineno, v);
  } else if (st_tok_u64(a, v)) {
    return bad(c, l->lineno, "%s: bad argument '%.*s'", name, (int)a->len, a->p);
  }
  return ST_EXIT_OK;
}

static int do_event(enc_ctx *c, st_writer *w, const st_srcline *l, unsigned type,
                    uint64_t *prev_ts) {
  const st_tok *t = &c->src.toks[l->first];
  const char *name = st_event_name(type, c->cfg.version);
  size_t want;
  if (is_v2(c)) {
    const st_event2_desc *d2 = st_event2_describe(type);
    if (d2->min_ver > c->cfg.version)
      return bad(c, l->lineno, "%s does not exist in this header's version", name);
    want = d2->nargs - 1u;
  } else {
    const st_event_desc *d = st_event_describe(type);
    if (!d->has_ts || type == ST_EV_USER_LOG)
      return bad(c, l->lineno, "%s cannot be written as an ordinary event", name);
    if (!st_event_allowed(type, c->cfg.version))
      return bad(c, l->lineno, "%s does not exist in this header's version", name);
    want = d->nargs - 1u;
  }
  if (l->n < 2) return bad(c, l->lineno, "%s: missing timestamp", name);
  if (l->n - 2 != want)
    return bad(c, l->lineno, "%s takes %zu argument%s after the timestamp, got %zu", name, want,
               want == 1 ? "" : "s", l->n - 2);
  uint64_t ts;
  st_tok v = t[1];
  int rel = !v.quoted && v.len > 1 && v.p[0] == '+';
  if (rel) {
    v.p++;
    v.len--;
  }
  if (st_tok_u64(&v, &ts)) return bad(c, l->lineno, "%s: bad timestamp '%.*s'", name, (int)t[1].len, t[1].p);
  if (rel) ts += *prev_ts;
  uint64_t args[8]; /* the most any event takes is 4 */
  for (size_t i = 0; i < want; i++) {
    /* v2 UserLog: task, key, value, stack; the value (a message) is emitted, not put. */
    int emit = is_v2(c) && type == ST_EV2_USER_LOG && i == 2;
    int r = event_arg(c, w, l, &t[2 + i], emit, name, &args[i]);
    if (r != ST_EXIT_OK) return r;
  }
  uint64_t off;
  st_enc_status s = st_writer_event(w, type, ts, args, want, &off);
  if (s) return enc_fail(c, l->lineno, name, s);
  *prev_ts = ts;
  if (c->list && is_v2(c)) {
    if (c->npend_list == c->pend_list_cap) {
      size_t ncap = c->pend_list_cap ? c->pend_list_cap * 2 : 256;
      struct list_ent *p = realloc(c->pend_list, ncap * sizeof *p);
      if (!p) return bad(c, l->lineno, "out of memory");
      c->pend_list = p;
      c->pend_list_cap = ncap;
    }
    c->pend_list[c->npend_list++] = (struct list_ent){off, name};
  } else if (c->list) {
    fprintf(c->list, "%llu %s\n", (unsigned long long)off, name);
  }
  return ST_EXIT_OK;
}

static int note_stack_line(enc_ctx *c, uint64_t id, unsigned line) {
  if (id >= c->id_line_len) {
    size_t n = c->id_line_len ? c->id_line_len : 64;
    while (n <= id) n *= 2;
    unsigned *p = realloc(c->id_line, n * sizeof *p);
    if (!p) return -1;
    memset(p + c->id_line_len, 0, (n - c->id_line_len) * sizeof *p);
    c->id_line = p;
    c->id_line_len = n;
  }
  if (c->id_line[id] == 0) c->id_line[id] = line; /* the first `stack` line with this ID */
  return 0;
}

/* A dump that failed names the line of the stack's `stack` statement when it can. */
static int generation_fail(const enc_ctx *c, const st_writer *w, unsigned line,
                           st_enc_status s) {
  uint64_t id = st_writer_failed_stack(w);
  if (id && id < c->id_line_len && c->id_line[id])
    return bad(c, c->id_line[id], "dump of stack %llu: %s", (unsigned long long)id,
               st_enc_status_str(s));
  return enc_fail(c, line, id ? "dump" : "generation end", s);
}

/* Pass 2: statements in order. */
static int pass_statements(enc_ctx *c, st_writer *w) {
  uint64_t prev_ts = 0;
  int in_batch = 0;
  size_t labels_cap = 0;
  uint64_t *pcs = NULL;
  int rc = ST_EXIT_OK;
  for (size_t li = 0; li < c->src.nlines && rc == ST_EXIT_OK; li++) {
    const st_srcline *l = &c->src.lines[li];
    const st_tok *t = &c->src.toks[l->first];
    int skip = st_tok_is(t, "sym");
    for (int i = 0; i < NSETTINGS; i++) skip |= st_tok_is(t, k_settings[i]);
    if (skip) continue;
    st_enc_status s;
    uint64_t a, b;
    unsigned type;
    if (st_tok_is(t, "seed")) {
      if (l->n != 3 || st_tok_u64(&t[1], &a) || a == 0 || t[2].len == 0)
        rc = bad(c, l->lineno, "seed needs: ID (>= 1) STRING (non-empty)");
      else if ((s = st_writer_seed_string(w, a, t[2].p, t[2].len)))
        rc = enc_fail(c, l->lineno, "seed", s);
    } else if (st_tok_is(t, "next-string-id")) {
      if (l->n != 2 || st_tok_u64(&t[1], &a) || a == 0)
        rc = bad(c, l->lineno, "next-string-id needs a number >= 1");
      else if ((s = st_writer_set_next_string_id(w, a)))
        rc = enc_fail(c, l->lineno, "next-string-id", s);
    } else if (st_tok_is(t, "stack")) {
      if (l->n < 2 || !is_label(&t[1]) || st_tok_is(&t[1], "sym")) {
        rc = bad(c, l->lineno, "stack needs: LABEL PC... (LABEL: a letter, then letters, digits, _ . -)");
        continue;
      }
      if (find_label(c, &t[1])) {
        rc = bad(c, l->lineno, "stack label '%.*s' already defined", (int)t[1].len, t[1].p);
        continue;
      }
      size_t n = l->n - 2;
      uint64_t *p = realloc(pcs, (n ? n : 1) * sizeof *p);
      if (!p) {
        rc = bad(c, l->lineno, "out of memory");
        continue;
      }
      pcs = p;
      for (size_t i = 0; i < n && rc == ST_EXIT_OK; i++)
        if (st_tok_u64(&t[2 + i], &pcs[i]))
          rc = bad(c, l->lineno, "stack: bad PC '%.*s'", (int)t[2 + i].len, t[2 + i].p);
      if (rc) continue;
      uint64_t id;
      if ((s = st_writer_stack(w, pcs, n, &id))) {
        rc = enc_fail(c, l->lineno, "stack", s);
        continue;
      }
      if (c->nlabels == labels_cap) {
        labels_cap = labels_cap ? labels_cap * 2 : 64;
        label_ent *q = realloc(c->labels, labels_cap * sizeof *q);
        if (!q) {
          rc = bad(c, l->lineno, "out of memory");
          continue;
        }
        c->labels = q;
      }
      if (c->pc_len + n > c->pc_cap) {
        size_t ncap = c->pc_cap ? c->pc_cap : 256;
        while (ncap < c->pc_len + n) ncap *= 2;
        uint64_t *q = realloc(c->pc_arena, ncap * sizeof *q);
        if (!q) {
          rc = bad(c, l->lineno, "out of memory");
          continue;
        }
        c->pc_arena = q;
        c->pc_cap = ncap;
      }
      if (n) memcpy(c->pc_arena + c->pc_len, pcs, n * sizeof *pcs);
      c->labels[c->nlabels++] =
          (label_ent){t[1].p, t[1].len, id, c->pc_len, n, st_writer_gen(w), l->lineno};
      c->pc_len += n;
      if (id && note_stack_line(c, id, l->lineno)) rc = bad(c, l->lineno, "out of memory");
    } else if (st_tok_is(t, "batch")) {
      if (l->n != 3 || st_tok_u64(&t[1], &a) || st_tok_u64(&t[2], &b))
        rc = bad(c, l->lineno, "batch needs: PID TICKS");
      else if ((s = st_writer_batch(w, a, b)))
        rc = enc_fail(c, l->lineno, "batch", s);
      else {
        in_batch = 1;
        prev_ts = w->buf.ticks;
      }
    } else if (st_tok_is(t, "generation") && is_v2(c)) {
      if (l->n != 1)
        rc = bad(c, l->lineno, "generation takes no arguments");
      else if ((s = st_writer_generation(w)))
        rc = generation_fail(c, w, l->lineno, s);
      in_batch = 0;
      c->id_line_len = 0; /* stack IDs restart */
    } else if (st_tok_is(t, "cpusample") && is_v2(c)) {
      uint64_t v[5];
      if (l->n != 6) {
        rc = bad(c, l->lineno, "cpusample needs: TIME M P G STACK");
        continue;
      }
      for (int i = 0; i < 4 && rc == ST_EXIT_OK; i++)
        if (st_tok_u64(&t[1 + i], &v[i]))
          rc = bad(c, l->lineno, "cpusample: bad number '%.*s'", (int)t[1 + i].len, t[1 + i].p);
      if (rc == ST_EXIT_OK) rc = event_arg(c, w, l, &t[5], 0, "cpusample", &v[4]);
      if (rc == ST_EXIT_OK && (s = st_writer_cpu_sample(w, v[0], v[1], v[2], v[3], v[4])))
        rc = enc_fail(c, l->lineno, "cpusample", s);
    } else if (st_tok_is(t, "string")) {
      if (l->n != 2 || !t[1].quoted)
        rc = bad(c, l->lineno, "string needs one \"quoted\" string");
      else if (!in_batch && !is_v2(c))
        rc = bad(c, l->lineno, "string outside a batch (start one with: batch PID TICKS)");
      else if ((s = st_writer_string(w, t[1].p, t[1].len, &a)))
        rc = enc_fail(c, l->lineno, "string", s);
    } else if ((type = event_type(c, t)) != 0) {
      if (!in_batch) rc = bad(c, l->lineno, "event outside a batch (start one with: batch PID TICKS)");
      else rc = do_event(c, w, l, type, &prev_ts);
    } else {
      rc = bad(c, l->lineno, "unknown statement '%.*s'", (int)t->len, t->p);
    }
  }
  free(pcs);
  return rc;
}

static int usage(const char *msg) {
  fprintf(stderr, "stacktab encode: %s (see stacktab encode --help)\n", msg);
  return ST_EXIT_USAGE;
}

int st_cmd_encode(int argc, char **argv) {
  enc_ctx c;
  memset(&c, 0, sizeof c);
  st_writer_config_default(&c.cfg);
  const char *in = NULL, *out_path = NULL, *list_path = NULL, *opt_algo = NULL, *opt_buf = NULL,
             *opt_header = NULL;
  enum { OPT_ALGO = 0x100, OPT_BUF, OPT_HEADER, OPT_LIST };
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {"output", required_argument, NULL, 'o'},
                                       {"algorithm", required_argument, NULL, OPT_ALGO},
                                       {"buf-size", required_argument, NULL, OPT_BUF},
                                       {"header", required_argument, NULL, OPT_HEADER},
                                       {"list", required_argument, NULL, OPT_LIST},
                                       {NULL, 0, NULL, 0}};
  int opt;
  st_opt_reset();
  while ((opt = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
    switch (opt) {
      case 'h': fputs(k_help, stdout); return ST_EXIT_OK;
      case 'o': out_path = optarg; break;
      case OPT_ALGO: opt_algo = optarg; break;
      case OPT_BUF: opt_buf = optarg; break;
      case OPT_HEADER: opt_header = optarg; break;
      case OPT_LIST: list_path = optarg; break;
      case ':':
        if (optopt == 'o') return usage("-o needs a file");
        return st_opt_error("encode", opt, opts, argv);
      default: return st_opt_error("encode", opt, opts, argv);
    }
  }
  if (optind < argc) in = argv[optind];
  if (optind + 1 < argc) return usage("one input file only");
  if (!in) in = "-";
  c.path = strcmp(in, "-") ? in : "<stdin>";
  size_t len;
  char *text = (char *)st_cli_read_all(in, &len);
  if (!text) return ST_EXIT_USAGE;
  int rc;
  unsigned bad_line;
  char err[160];
  if (st_src_parse(&c.src, text, len, &bad_line, err, sizeof err)) {
    rc = bad(&c, bad_line, "%s", err);
    free(text);
    return rc;
  }
  st_writer w;
  int have_writer = 0;
  rc = pass_settings(&c);
  if (rc == ST_EXIT_OK) {
    /* Command-line options override the file's settings. */
    if (opt_header) {
      st_tok t = {opt_header, strlen(opt_header), 0};
      if (!(c.cfg.version = parse_version(&t)))
        rc = usage("--header: 1.11, 1.19, 1.21, 1.22, 1.23 or 1.25");
    }
    if (opt_algo && parse_algo(opt_algo, strlen(opt_algo), &c.cfg.algo))
      rc = usage("--algorithm: legacy or direct");
    if (opt_buf) {
      st_tok t = {opt_buf, strlen(opt_buf), 0};
      uint64_t n;
      if (st_tok_u64(&t, &n) || n < ST_TBUF_MIN_CAP || n > (1u << 30))
        rc = usage("--buf-size: a number from 32 to 2^30");
      else c.cfg.buf_size = (size_t)n;
    }
  }
  if (rc == ST_EXIT_OK) rc = check_format(&c, opt_algo != NULL, opt_buf != NULL);
  if (rc == ST_EXIT_OK && list_path && !(c.list = fopen(list_path, "w"))) {
    fprintf(stderr, "stacktab: %s: %s\n", list_path, strerror(errno));
    rc = ST_EXIT_USAGE;
  }
  if (rc == ST_EXIT_OK) {
    c.cfg.symbolize = symbolize;
    c.cfg.sym_user = &c;
    c.cfg.write = out_write;
    c.cfg.write_user = &c;
    st_enc_status s = st_writer_init(&w, &c.cfg);
    have_writer = 1;
    if (s) rc = enc_fail(&c, 1, "writer", s);
  }
  if (rc == ST_EXIT_OK) rc = pass_statements(&c, &w);
  if (rc == ST_EXIT_OK) {
    st_enc_status s = st_writer_finish(&w);
    if (s) {
      uint64_t id = st_writer_failed_stack(&w);
      unsigned line = id && id < c.id_line_len ? c.id_line[id] : 0;
      if (id) rc = bad(&c, line, "dump of stack %llu: %s", (unsigned long long)id, st_enc_status_str(s));
      else rc = enc_fail(&c, c.src.nlines ? c.src.lines[c.src.nlines - 1].lineno : 1, "footer", s);
    }
  }
  for (size_t i = 0; rc == ST_EXIT_OK && i < c.npend_list; i++)
    fprintf(c.list, "%llu %s\n", (unsigned long long)st_writer_event_offset(&w, c.pend_list[i].token),
            c.pend_list[i].name);
  if (rc == ST_EXIT_OK) {
    FILE *f = out_path ? fopen(out_path, "wb") : stdout;
    if (!f || fwrite(c.out, 1, c.out_len, f) != c.out_len || fflush(f) != 0) {
      fprintf(stderr, "stacktab: %s: %s\n", out_path ? out_path : "<stdout>", strerror(errno));
      rc = ST_EXIT_USAGE;
    }
    if (f && f != stdout) fclose(f);
  }
  if (c.list && fclose(c.list) != 0 && rc == ST_EXIT_OK) {
    fprintf(stderr, "stacktab: %s: %s\n", list_path, strerror(errno));
    rc = ST_EXIT_USAGE;
  }
  if (have_writer) st_writer_free(&w);
  st_src_free(&c.src);
  free(c.syms);
  free(c.labels);
  free(c.id_line);
  free(c.pc_arena);
  free(c.pend_list);
  free(c.out);
  free(text);
  return rc;
}

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
    "Builds a Go execution trace (v1) from a text description and writes its bytes.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE         write the trace to FILE (default: stdout)\n"
    "  --algorithm=legacy|direct dump algorithm and Frequency placement (overrides the file)\n"
    "  --buf-size=N              batch capacity in bytes, >= 32 (overrides the file)\n"
    "  --header=1.11|1.19|1.21   trace header version (overrides the file)\n"
    "  --list=FILE               also write one line per event: \"OFFSET NAME\" (decimal offset)\n"
    "\n"
    "The description is line based; '#' starts a comment. Tokens are bare words or \"quoted\n"
    "strings\" (escapes \\\\ \\\" \\n \\t \\r \\xHH). Numbers are decimal or 0x hex. Settings\n"
    "(each at most once, anywhere in the file):\n"
    "  header 1.11|1.19|1.21      default 1.19\n"
    "  algorithm legacy|direct    default legacy (Go 1.19); direct = Go 1.20+\n"
    "  buf-size N                 default 64488\n"
    "  frequency N                EvFrequency, ticks per second; default 15625000\n"
    "  end-ticks N                ticks of the first footer batch; default latest ticks + 1\n"
    "  order id|buckets           dump order; default id (ascending stack ID)\n"
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
  st_writer_config cfg;
  unsigned set_line[6]; /* where each setting was given (0: not given) */
} enc_ctx;

enum { SET_HEADER, SET_ALGO, SET_BUF, SET_FREQ, SET_END, SET_ORDER };
static const char *const k_settings[] = {"header", "algorithm", "buf-size", "frequency",
                                          "end-ticks", "order"};

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
    for (int i = 0; i < 6; i++)
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
        if (!(c->cfg.version = parse_version(v))) return bad(c, l->lineno, "header: 1.11, 1.19 or 1.21");
        break;
      case SET_ALGO:
        if (v->quoted || parse_algo(v->p, v->len, &c->cfg.algo))
          return bad(c, l->lineno, "algorithm: legacy or direct");
        break;
      case SET_ORDER:
        if (st_tok_is(v, "id")) c->cfg.order = ST_ORDER_ID;
        else if (st_tok_is(v, "buckets")) c->cfg.order = ST_ORDER_BUCKETS;
        else return bad(c, l->lineno, "order: id or buckets");
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

static int enc_fail(const enc_ctx *c, unsigned line, const char *what, st_enc_status s) {
  return bad(c, line, "%s: %s", what, st_enc_status_str(s));
}

static unsigned event_type(const st_tok *t) {
  if (t->quoted) return 0;
  for (unsigned e = 1; e < ST_EV_COUNT; e++) {
    const char *a = st_event_describe(e)->name, *b = st_event_name(e, ST_VER_1_21);
    if ((strlen(a) == t->len && !memcmp(a, t->p, t->len)) ||
        (strlen(b) == t->len && !memcmp(b, t->p, t->len)))
      return e;
  }
  return 0;
}

static int do_event(enc_ctx *c, st_writer *w, const st_srcline *l, unsigned type,
                    uint64_t *prev_ts) {
  const st_tok *t = &c->src.toks[l->first];
  const st_event_desc *d = st_event_describe(type);
  const char *name = st_event_name(type, c->cfg.version);
  if (!d->has_ts || type == ST_EV_USER_LOG)
    return bad(c, l->lineno, "%s cannot be written as an ordinary event", name);
  if (!st_event_allowed(type, c->cfg.version))
    return bad(c, l->lineno, "%s does not exist in this header's version", name);
  size_t want = d->nargs - 1u;
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
    const st_tok *a = &t[2 + i];
    if (a->quoted) {
      st_enc_status s = st_writer_string(w, a->p, a->len, &args[i]);
      if (s) return enc_fail(c, l->lineno, "string", s);
    } else if (is_label(a)) {
      const label_ent *e = find_label(c, a);
      if (!e) return bad(c, l->lineno, "unknown stack label '%.*s'", (int)a->len, a->p);
      args[i] = e->id;
    } else if (st_tok_u64(a, &args[i])) {
      return bad(c, l->lineno, "%s: bad argument '%.*s'", name, (int)a->len, a->p);
    }
  }
  uint64_t off;
  st_enc_status s = st_writer_event(w, type, ts, args, want, &off);
  if (s) return enc_fail(c, l->lineno, name, s);
  *prev_ts = ts;
  if (c->list) fprintf(c->list, "%llu %s\n", (unsigned long long)off, name);
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
    for (int i = 0; i < 6; i++) skip |= st_tok_is(t, k_settings[i]);
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
      c->labels[c->nlabels++] = (label_ent){t[1].p, t[1].len, id};
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
    } else if (st_tok_is(t, "string")) {
      if (l->n != 2 || !t[1].quoted)
        rc = bad(c, l->lineno, "string needs one \"quoted\" string");
      else if (!in_batch)
        rc = bad(c, l->lineno, "string outside a batch (start one with: batch PID TICKS)");
      else if ((s = st_writer_string(w, t[1].p, t[1].len, &a)))
        rc = enc_fail(c, l->lineno, "string", s);
    } else if ((type = event_type(t)) != 0) {
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
      if (!(c.cfg.version = parse_version(&t))) rc = usage("--header: 1.11, 1.19 or 1.21");
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
  free(c.out);
  free(text);
  return rc;
}

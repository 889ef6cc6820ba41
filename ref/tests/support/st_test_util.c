#include "st_test_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint8_t *stt_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  uint8_t *p = malloc(cap);
  for (;;) {
    if (n == cap) p = realloc(p, cap *= 2);
    size_t got = fread(p + n, 1, cap - n, f);
    if (got == 0) break;
    n += got;
  }
  fclose(f);
  *len = n;
  return p;
}

static int cmp_paths(const void *a, const void *b) { return strcmp(a, b); }

int stt_real_traces(char paths[][512], int max) {
  DIR *d = opendir(ST_SHARED_CORPUS);
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && n < max) {
    size_t l = strlen(e->d_name);
    if (l > 6 && strcmp(e->d_name + l - 6, ".trace") == 0)
      snprintf(paths[n++], 512, "%s/%s", ST_SHARED_CORPUS, e->d_name);
  }
  closedir(d);
  qsort(paths, (size_t)n, 512, cmp_paths);
  return n;
}

void stt_put(stt_bytes *b, const void *data, size_t n) {
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2 + 64;
    b->p = realloc(b->p, b->cap);
  }
  if (n) memcpy(b->p + b->len, data, n);
  b->len += n;
}
void stt_byte(stt_bytes *b, uint8_t v) { stt_put(b, &v, 1); }
void stt_uv(stt_bytes *b, uint64_t v) {
  uint8_t t[ST_VARINT_MAX];
  stt_put(b, t, st_varint_put(t, v));
}
void stt_uvw(stt_bytes *b, uint64_t v, size_t width) {
  uint8_t t[ST_VARINT_MAX];
  size_t n = st_varint_put_width(t, v, width);
  assert_true(n == width);
  stt_put(b, t, n);
}
void stt_header(stt_bytes *b, int version) {
  uint8_t h[ST_HEADER_SIZE];
  assert_int_equal(st_header_put(h, version), 0);
  stt_put(b, h, sizeof h);
}
void stt_batch(stt_bytes *b, uint64_t pid, uint64_t ticks) {
  stt_byte(b, 0x41);
  stt_uv(b, pid);
  stt_uv(b, ticks);
}
void stt_freq(stt_bytes *b, uint64_t freq) {
  stt_byte(b, 0x02);
  stt_uv(b, freq);
}
void stt_string(stt_bytes *b, uint64_t id, const char *s) {
  stt_byte(b, 0x25);
  stt_uv(b, id);
  stt_uv(b, strlen(s));
  stt_put(b, s, strlen(s));
}
void stt_stack(stt_bytes *b, uint64_t id, const uint64_t *frames, size_t n) {
  stt_bytes body = {0};
  stt_uv(&body, id);
  stt_uv(&body, n);
  for (size_t i = 0; i < 4 * n; i++) stt_uv(&body, frames[i]);
  stt_byte(b, 0xc3);
  stt_uv(b, body.len);
  stt_put(b, body.p, body.len);
  stt_free(&body);
}

size_t stt_v2_batch_open(stt_bytes *b, uint64_t gen, uint64_t m) {
  stt_byte(b, ST_EV2_EVENT_BATCH);
  stt_uv(b, gen);
  stt_uv(b, m);
  stt_uv(b, 1);
  size_t at = b->len;
  stt_uvw(b, 0, 10);
  return at;
}

void stt_v2_batch_close(stt_bytes *b, size_t at, uint64_t size) {
  uint8_t t[ST_VARINT_MAX];
  assert_int_equal(st_varint_put_width(t, size, 10), 10);
  memcpy(b->p + at, t, 10);
}

void stt_v2_batch_end(stt_bytes *b, size_t at) { stt_v2_batch_close(b, at, b->len - at - 10); }
void stt_free(stt_bytes *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

int stt_sink_put(void *u, const uint8_t *p, size_t n) {
  stt_sink *e = u;
  stt_put(&e->out, p, n);
  if (e->nbatches < 64) e->batch_len[e->nbatches] = n;
  e->nbatches++;
  return 0;
}

uint64_t stt_sink_clock(void *u) { return ++((stt_sink *)u)->now; }

static void *stt_alloc_realloc(void *ctx, void *p, size_t old_size, size_t new_size) {
  stt_alloc *x = ctx;
  if (!p && old_size) x->bad_old++;
  if (new_size == 0) {
    if (p) {
      x->live--;
      x->bytes -= old_size;
      free(p);
    }
    return NULL;
  }
  if (++x->calls == x->fail_at) {
    x->failures++;
    return NULL;
  }
  void *q = realloc(p, new_size);
  if (!q) return NULL;
  if (!p) x->live++;
  x->bytes = x->bytes - old_size + new_size;
  return q;
}

void stt_alloc_init(stt_alloc *x, long fail_at) {
  memset(x, 0, sizeof *x);
  x->a.realloc = stt_alloc_realloc;
  x->a.ctx = x;
  x->fail_at = fail_at;
}

static void text_add(stt_run *r, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n >= sizeof tmp) n = sizeof tmp - 1;
  if (r->text_len + (size_t)n + 1 > r->text_cap) {
    r->text_cap = (r->text_len + (size_t)n + 1) * 2;
    r->text = realloc(r->text, r->text_cap);
  }
  memcpy(r->text + r->text_len, tmp, (size_t)n + 1);
  r->text_len += (size_t)n;
}

static void on_event(void *user, const st_event *ev) {
  stt_run *r = user;
  r->nevents++;
  text_add(r, "E %llu %u %u size=%llu", (unsigned long long)ev->off, ev->type, ev->field,
           (unsigned long long)ev->size);
  for (unsigned i = 0; i < ev->nargs; i++) text_add(r, " %llu", (unsigned long long)ev->args[i]);
  if (ev->str) text_add(r, " s=%llu:%.*s", (unsigned long long)ev->str_id, (int)ev->str_len, ev->str);
  if (ev->type == ST_EV_STACK) {
    text_add(r, " stk=%llu n=%llu", (unsigned long long)ev->stack_id, (unsigned long long)ev->nframes);
    for (uint64_t i = 0; i < ev->nframes; i++) {
      const st_frame *f = &ev->frames[i];
      text_add(r, " [%llx %.*s %.*s %llu]", (unsigned long long)f->pc, (int)f->fn_len,
               f->fn ? (const char *)f->fn : "", (int)f->file_len, f->file ? (const char *)f->file : "",
               (unsigned long long)f->line);
    }
  }
  if (ev->format == 2)
    text_add(r, " v2 gen=%llu batch=%llu m=%llu", (unsigned long long)ev->gen,
             (unsigned long long)ev->batch_off, (unsigned long long)ev->batch_m);
  text_add(r, "\n");
}

static void on_diag(void *user, const st_diag *d) {
  stt_run *r = user;
  r->diags = realloc(r->diags, (r->ndiags + 1) * sizeof *r->diags);
  r->diags[r->ndiags++] = *d;
  text_add(r, "D %s %llu %s\n", st_rule_id(d->rule), (unsigned long long)d->off, d->message);
}

void stt_decode_cfg(stt_run *r, const st_decode_config *cfg0, const uint8_t *data, size_t len,
                    size_t chunk) {
  memset(r, 0, sizeof *r);
  st_decode_config cfg = *cfg0;
  cfg.on_event = on_event;
  cfg.on_diag = on_diag;
  cfg.user = r;
  st_decoder d;
  assert_int_equal(st_decoder_init(&d, &cfg), ST_OK);
  if (chunk == 0) chunk = len ? len : 1;
  for (size_t i = 0; i < len; i += chunk) {
    size_t n = len - i < chunk ? len - i : chunk;
    st_decoder_push(&d, data + i, n);
  }
  r->status = st_decoder_finish(&d);
  st_decoder_free(&d);
  if (!r->text) text_add(r, "");
}

void stt_decode(stt_run *r, const uint8_t *data, size_t len, size_t chunk, st_mode mode) {
  st_decode_config cfg;
  st_decode_config_default(&cfg);
  cfg.mode = mode;
  stt_decode_cfg(r, &cfg, data, len, chunk);
}

int stt_find_diag(const stt_run *r, st_rule rule) {
  for (size_t i = 0; i < r->ndiags; i++)
    if (r->diags[i].rule == rule) return (int)i;
  return -1;
}

void stt_run_free(stt_run *r) {
  free(r->diags);
  free(r->text);
  memset(r, 0, sizeof *r);
}

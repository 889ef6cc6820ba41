#include "fuzz_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fz_fail(const char *file, int line, const char *cond, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s:%d: property broken: %s\n  ", file, line, cond);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  fflush(stderr);
  abort();
}

void fz_log_put(fz_log *l, const void *data, size_t n) {
  if (n == 0) return;
  if (l->len + n > l->cap) {
    size_t ncap = l->cap ? l->cap : 256;
    while (ncap < l->len + n) ncap *= 2;
    uint8_t *np = realloc(l->p, ncap);
    if (!np) {
      fputs("fuzz harness: out of memory\n", stderr);
      abort();
    }
    l->p = np;
    l->cap = ncap;
  }
  memcpy(l->p + l->len, data, n);
  l->len += n;
}

void fz_log_u64(fz_log *l, uint64_t v) {
  uint8_t b[8];
  for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
  fz_log_put(l, b, 8);
}

void fz_log_free(fz_log *l) {
  free(l->p);
  l->p = NULL;
  l->len = l->cap = 0;
}

int fz_log_equal(const fz_log *a, const fz_log *b) {
  return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

size_t fz_log_diff_at(const fz_log *a, const fz_log *b) {
  size_t n = a->len < b->len ? a->len : b->len, i = 0;
  while (i < n && a->p[i] == b->p[i]) i++;
  return i;
}

/* A string field: its length, then its bytes (NULL and empty both log as length 0, plus a
 * marker saying which, since a NULL name means "string not defined"). */
static void log_str(fz_log *l, const uint8_t *s, size_t n) {
  fz_log_u64(l, s ? 1 : 0);
  fz_log_u64(l, n);
  if (s) fz_log_put(l, s, n);
}

void fz_log_event(fz_log *l, const st_event *ev) {
  fz_log_put(l, "E", 1);
  fz_log_u64(l, ev->off);
  fz_log_u64(l, ev->size);
  fz_log_u64(l, (uint64_t)ev->version);
  fz_log_u64(l, ev->type);
  fz_log_u64(l, ev->field);
  fz_log_u64(l, ev->has_len);
  fz_log_u64(l, ev->len_width);
  fz_log_u64(l, ev->len);
  fz_log_u64(l, ev->nargs);
  for (unsigned i = 0; i < ev->nargs && i < ST_MAX_ARGS; i++) fz_log_u64(l, ev->args[i]);
  fz_log_u64(l, ev->str_id);
  log_str(l, ev->str, ev->str_len);
  fz_log_u64(l, ev->stack_id);
  fz_log_u64(l, ev->nframes);
  fz_log_u64(l, ev->format);
  fz_log_u64(l, ev->gen);
  fz_log_u64(l, ev->batch_off);
  fz_log_u64(l, ev->batch_m);
  /* v1 EvStack and v2 Stack are both type 3. */
  if (ev->type == ST_EV_STACK && ev->frames) {
    uint64_t n = ev->nframes < ST_MAX_FRAMES ? ev->nframes : ST_MAX_FRAMES;
    for (uint64_t i = 0; i < n; i++) {
      const st_frame *f = &ev->frames[i];
      fz_log_u64(l, f->pc);
      fz_log_u64(l, f->fn_id);
      fz_log_u64(l, f->file_id);
      fz_log_u64(l, f->line);
      log_str(l, f->fn, f->fn_len);
      log_str(l, f->file, f->file_len);
    }
  }
}

void fz_log_diag(fz_log *l, const st_diag *d) {
  fz_log_put(l, "D", 1);
  fz_log_u64(l, (uint64_t)d->rule);
  fz_log_u64(l, (uint64_t)d->severity);
  fz_log_u64(l, d->off);
  const char *nul = memchr(d->message, 0, sizeof d->message);
  size_t n = nul ? (size_t)(nul - d->message) : sizeof d->message;
  fz_log_u64(l, n);
  fz_log_put(l, d->message, n);
}

/* The decoder takes about 1 MiB of scratch at init. Fresh blocks that large are mmap'ed and
 * unmapped on every run, which costs more than the decoding itself; so a few large freed
 * blocks are kept for reuse. Under ASan they stay poisoned while parked, so a use after free
 * is still caught. */
#if defined(__SANITIZE_ADDRESS__)
#define FZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FZ_ASAN 1
#endif
#endif
#ifdef FZ_ASAN
#include <sanitizer/asan_interface.h>
#define FZ_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define FZ_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define FZ_POISON(p, n) ((void)(p), (void)(n))
#define FZ_UNPOISON(p, n) ((void)(p), (void)(n))
#endif
#define PARK_MIN 65536u
#define PARK_SLOTS 8
static struct {
  void *p;
  size_t size;
} g_park[PARK_SLOTS];

/* Each block carries a header with its size, so a free with a different size is caught. */
typedef struct {
  uint64_t size;
  uint64_t magic;
} blk;
#define BLK_MAGIC 0x5354465aa5a5f00dull

static void *heap_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size) {
  fz_heap *h = ctx;
  blk *b = ptr ? (blk *)ptr - 1 : NULL;
  if (b) {
    FZ_CHECK(b->magic == BLK_MAGIC, "realloc/free of a block this allocator did not give");
    FZ_CHECK(b->size == old_size, "block of %llu bytes handed back as %zu bytes",
             (unsigned long long)b->size, old_size);
  } else {
    FZ_CHECK(old_size == 0, "NULL pointer with old size %zu", old_size);
  }
  if (new_size == 0) {
    if (b) {
      size_t sz = (size_t)b->size;
      b->magic = 0;
      h->live_blocks--;
      h->live_bytes -= sz;
      if (sz >= PARK_MIN) {
        for (int i = 0; i < PARK_SLOTS; i++) {
          if (g_park[i].p) continue;
          g_park[i].p = b;
          g_park[i].size = sz;
          FZ_POISON(b, sizeof(blk) + sz);
          return NULL;
        }
      }
      free(b);
    }
    return NULL;
  }
  if (new_size > old_size) {
    h->allocs++;
    if (h->fail_at && h->allocs == h->fail_at) {
      h->refused = 1;
      return NULL;
    }
  }
  blk *nb = NULL;
  if (!b && new_size >= PARK_MIN) {
    for (int i = 0; i < PARK_SLOTS && !nb; i++) {
      if (!g_park[i].p || g_park[i].size != new_size) continue;
      nb = g_park[i].p;
      g_park[i].p = NULL;
      FZ_UNPOISON(nb, sizeof(blk) + new_size);
    }
  }
  if (!nb) nb = realloc(b, sizeof(blk) + new_size);
  if (!nb) return NULL;
  if (!b) h->live_blocks++;
  h->live_bytes += new_size - old_size;
  nb->size = new_size;
  nb->magic = BLK_MAGIC;
  return nb + 1;
}

void fz_heap_init(fz_heap *h, st_alloc *a, uint64_t fail_at) {
  memset(h, 0, sizeof *h);
  h->fail_at = fail_at;
  a->realloc = heap_realloc;
  a->ctx = h;
}

uint8_t fz_u8(fz_reader *r) { return r->pos < r->len ? r->p[r->pos++] : 0; }
uint16_t fz_u16(fz_reader *r) {
  uint16_t lo = fz_u8(r);
  return (uint16_t)(lo | (uint16_t)fz_u8(r) << 8);
}
uint32_t fz_u32(fz_reader *r) {
  uint32_t lo = fz_u16(r);
  return lo | (uint32_t)fz_u16(r) << 16;
}
uint64_t fz_u64(fz_reader *r) {
  uint64_t lo = fz_u32(r);
  return lo | (uint64_t)fz_u32(r) << 32;
}
size_t fz_left(const fz_reader *r) { return r->len - r->pos; }

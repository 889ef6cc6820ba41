#include "idmap.h"

#include <string.h>

static size_t slot_of(uint64_t id, size_t cap) {
  /* Fibonacci hashing: IDs are usually dense small integers, so spread them. */
  return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

uint64_t *st_idmap_find(const st_idmap *m, uint64_t id) {
  if (m->cap == 0) return NULL;
  for (size_t i = slot_of(id, m->cap);; i = (i + 1) & (m->cap - 1)) {
    if (m->keys[i] == id) return &m->vals[i];
    if (m->keys[i] == 0) return NULL;
  }
}

static int grow(st_idmap *m, const st_alloc *a) {
  size_t ncap = m->cap ? m->cap * 2 : 256;
  uint64_t *keys = a->realloc(a->ctx, NULL, 0, ncap * sizeof *keys);
  uint64_t *vals = a->realloc(a->ctx, NULL, 0, ncap * sizeof *vals);
  if (!keys || !vals) {
    if (keys) a->realloc(a->ctx, keys, ncap * sizeof *keys, 0);
    if (vals) a->realloc(a->ctx, vals, ncap * sizeof *vals, 0);
    return -1;
  }
  memset(keys, 0, ncap * sizeof *keys);
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->keys[i]) continue;
    size_t j = slot_of(m->keys[i], ncap);
    while (keys[j]) j = (j + 1) & (ncap - 1);
    keys[j] = m->keys[i];
    vals[j] = m->vals[i];
  }
  st_idmap_free(m, a);
  m->keys = keys;
  m->vals = vals;
  m->cap = ncap;
  return 0;
}

uint64_t *st_idmap_insert(st_idmap *m, const st_alloc *a, uint64_t id, uint64_t v) {
  if ((m->count + 1) * 2 > m->cap && grow(m, a) != 0) return NULL;
  size_t i = slot_of(id, m->cap);
  while (m->keys[i]) i = (i + 1) & (m->cap - 1);
  m->keys[i] = id;
  m->vals[i] = v;
  m->count++;
  return &m->vals[i];
}

void st_idmap_free(st_idmap *m, const st_alloc *a) {
  size_t cap = m->cap;
  if (m->keys) a->realloc(a->ctx, m->keys, cap * sizeof *m->keys, 0);
  if (m->vals) a->realloc(a->ctx, m->vals, cap * sizeof *m->vals, 0);
  m->keys = m->vals = NULL;
  m->cap = m->count = 0;
}

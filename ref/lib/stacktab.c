/* The stack table (traceStackTable, spec §5.3) with a fixed hash. */
#include "stacktab/st_stacktab.h"

#include <string.h>

st_enc_status st_stacktab_init(st_stacktab *t, const st_alloc *alloc) {
  if (!t) return ST_ENC_E_PARAM;
  memset(t, 0, sizeof *t);
  t->alloc = alloc ? alloc : &st_alloc_libc;
  t->buckets = t->alloc->realloc(t->alloc->ctx, NULL, 0, ST_STACK_BUCKETS * sizeof *t->buckets);
  if (!t->buckets) return ST_ENC_E_NOMEM;
  memset(t->buckets, 0, ST_STACK_BUCKETS * sizeof *t->buckets);
  return ST_ENC_OK;
}

void st_stacktab_free(st_stacktab *t) {
  const st_alloc *a = t->alloc;
  if (!a) return;
  if (t->buckets) a->realloc(a->ctx, t->buckets, ST_STACK_BUCKETS * sizeof *t->buckets, 0);
  if (t->ents) a->realloc(a->ctx, t->ents, t->ents_cap * sizeof *t->ents, 0);
  if (t->pcs) a->realloc(a->ctx, t->pcs, t->pcs_cap * sizeof *t->pcs, 0);
  memset(t, 0, sizeof *t);
}

void st_stacktab_reset(st_stacktab *t) {
  memset(t->buckets, 0, ST_STACK_BUCKETS * sizeof *t->buckets);
  t->count = 0;
  t->npcs = 0;
}

uint64_t st_stack_hash(const uint64_t *pcs, size_t n) {
  uint64_t h = 14695981039346656037ull; /* FNV-1a 64 */
  for (size_t i = 0; i < n; i++)
    for (unsigned k = 0; k < 8; k++) {
      h ^= (uint8_t)(pcs[i] >> (8 * k));
      h *= 1099511628211ull;
    }
  return h;
}

size_t st_stacktab_count(const st_stacktab *t) { return t->count; }

int st_stacktab_get(const st_stacktab *t, uint64_t id, const uint64_t **pcs, size_t *n) {
  if (id == 0 || id > t->count) return 0;
  const st_stackent *e = &t->ents[id - 1];
  *pcs = t->pcs + e->off;
  *n = e->n;
  return 1;
}

static void *grow_array(const st_alloc *a, void *p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return p;
  size_t c = *cap ? *cap : 64;
  while (c < need) {
    if (c > SIZE_MAX / 2 / elem) return NULL;
    c *= 2;
  }
  void *q = a->realloc(a->ctx, p, *cap * elem, c * elem);
  if (q) *cap = c;
  return q;
}

st_enc_status st_stacktab_put(st_stacktab *t, const uint64_t *pcs, size_t n, uint64_t *id) {
  if (n == 0) {
    *id = 0; /* "no stack" */
    return ST_ENC_OK;
  }
  uint64_t h = st_stack_hash(pcs, n);
  uint32_t *head = &t->buckets[h % ST_STACK_BUCKETS];
  for (uint32_t i = *head; i != 0; i = t->ents[i - 1].next) {
    const st_stackent *e = &t->ents[i - 1];
    if (e->hash == h && e->n == n && memcmp(t->pcs + e->off, pcs, n * sizeof *pcs) == 0) {
      *id = i;
      return ST_ENC_OK;
    }
  }
  if (t->count >= UINT32_MAX - 1) return ST_ENC_E_LIMIT;
  if (n > SIZE_MAX / sizeof *pcs - t->npcs) return ST_ENC_E_NOMEM;
  void *p = grow_array(t->alloc, t->ents, &t->ents_cap, t->count + 1, sizeof *t->ents);
  if (!p) return ST_ENC_E_NOMEM;
  t->ents = p;
  p = grow_array(t->alloc, t->pcs, &t->pcs_cap, t->npcs + n, sizeof *t->pcs);
  if (!p) return ST_ENC_E_NOMEM;
  t->pcs = p;
  memcpy(t->pcs + t->npcs, pcs, n * sizeof *pcs);
  st_stackent *e = &t->ents[t->count];
  e->hash = h;
  e->off = t->npcs;
  e->n = n;
  e->next = *head; /* to the front of the bucket, as the runtime */
  t->npcs += n;
  t->count++;
  *head = (uint32_t)t->count;
  *id = t->count;
  return ST_ENC_OK;
}

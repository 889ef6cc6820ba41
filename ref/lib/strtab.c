/* String table and EvString writing (spec §4). */
#include "stacktab/st_strtab.h"

#include <string.h>

#include "stacktab/st_events.h"
#include "stacktab/st_varint.h"

st_enc_status st_strtab_init(st_strtab *t, const st_alloc *alloc) {
  if (!t) return ST_ENC_E_PARAM;
  memset(t, 0, sizeof *t);
  t->alloc = alloc ? alloc : &st_alloc_libc;
  t->next_id = 1;
  return ST_ENC_OK;
}

void st_strtab_free(st_strtab *t) {
  if (t->slots) t->alloc->realloc(t->alloc->ctx, t->slots, t->nslots * sizeof *t->slots, 0);
  if (t->arena) t->alloc->realloc(t->alloc->ctx, t->arena, t->arena_cap, 0);
  const st_alloc *a = t->alloc;
  memset(t, 0, sizeof *t);
  t->alloc = a;
  t->next_id = 1;
}

void st_strtab_reset(st_strtab *t) {
  if (t->slots) memset(t->slots, 0, t->nslots * sizeof *t->slots);
  t->count = 0;
  t->arena_len = 0;
  t->next_id = 1;
  t->written = t->truncated = 0;
}

uint64_t st_strtab_hash(const char *s, size_t len) {
  uint64_t h = 14695981039346656037ull; /* FNV-1a 64 offset basis */
  for (size_t i = 0; i < len; i++) {
    h ^= (uint8_t)s[i];
    h *= 1099511628211ull; /* FNV prime */
  }
  return h;
}

/* The table's own hash (the lookups' hot spot when dumping): 8 bytes per step instead of
 * FNV-1a's one, with a final mix so that the low bits (the slot) depend on every byte. Only
 * lookups use it: which slot a string sits in never shows in the output, so the bytes written
 * are the same as with st_strtab_hash. The value depends on the machine's byte order. */
static uint64_t name_hash(const char *s, size_t len) {
  const uint64_t k = 0x9E3779B97F4A7C15ull;
  uint64_t h = (uint64_t)len * k ^ 0xD6E8FEB86659FD93ull;
  while (len >= 8) {
    uint64_t w;
    memcpy(&w, s, 8);
    h = (h ^ w) * k;
    h ^= h >> 29;
    s += 8;
    len -= 8;
  }
  if (len) {
    uint64_t w = 0;
    memcpy(&w, s, len);
    h = (h ^ w) * k;
  }
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ull;
  return h ^ (h >> 32);
}

/* Slot holding s, or the empty slot where it would go. nslots is a power of two. */
static st_strent *probe(const st_strtab *t, uint64_t h, const char *s, size_t len) {
  size_t mask = t->nslots - 1;
  for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
    st_strent *e = &t->slots[i];
    if (e->id == 0) return e;
    if (e->hash == h && e->len == len && memcmp(t->arena + e->off, s, len) == 0) return e;
  }
}

int st_strtab_find(const st_strtab *t, const char *s, size_t len, uint64_t *id) {
  if (len == 0) {
    *id = 0;
    return 1;
  }
  if (t->count == 0) return 0;
  st_strent *e = probe(t, name_hash(s, len), s, len);
  if (e->id == 0) return 0;
  *id = e->id;
  return 1;
}

/* Makes room for one more entry of len bytes, so that the insert after it cannot fail. */
static st_enc_status grow(st_strtab *t, size_t len) {
  if (len > SIZE_MAX / 2 - t->arena_len) return ST_ENC_E_NOMEM;
  if (t->arena_len + len > t->arena_cap) {
    size_t cap = t->arena_cap ? t->arena_cap : 4096;
    while (cap < t->arena_len + len) cap *= 2;
    char *p = t->alloc->realloc(t->alloc->ctx, t->arena, t->arena_cap, cap);
    if (!p) return ST_ENC_E_NOMEM;
    t->arena = p;
    t->arena_cap = cap;
  }
  if ((t->count + 1) * 2 > t->nslots) { /* keep the load at most 1/2 */
    size_t n = t->nslots ? t->nslots * 2 : 256;
    st_strent *slots = t->alloc->realloc(t->alloc->ctx, NULL, 0, n * sizeof *slots);
    if (!slots) return ST_ENC_E_NOMEM;
    memset(slots, 0, n * sizeof *slots);
    st_strent *old = t->slots;
    size_t oldn = t->nslots;
    t->slots = slots;
    t->nslots = n;
    for (size_t i = 0; i < oldn; i++) {
      if (old[i].id == 0) continue;
      size_t mask = n - 1, j = (size_t)old[i].hash & mask;
      while (slots[j].id != 0) j = (j + 1) & mask;
      slots[j] = old[i];
    }
    if (old) t->alloc->realloc(t->alloc->ctx, old, oldn * sizeof *old, 0);
  }
  return ST_ENC_OK;
}

static void insert(st_strtab *t, st_strent *slot, uint64_t h, uint64_t id, const char *s,
                   size_t len) {
  memcpy(t->arena + t->arena_len, s, len);
  slot->hash = h;
  slot->id = id;
  slot->off = t->arena_len;
  slot->len = len;
  t->arena_len += len;
  t->count++;
}

st_enc_status st_strtab_seed(st_strtab *t, uint64_t id, const char *s, size_t len) {
  if (id == 0 || len == 0) return ST_ENC_E_PARAM;
  uint64_t old;
  if (st_strtab_find(t, s, len, &old)) return ST_ENC_E_DUP;
  st_enc_status st = grow(t, len);
  if (st) return st;
  uint64_t h = name_hash(s, len);
  insert(t, probe(t, h, s, len), h, id, s, len);
  if (id != UINT64_MAX && t->next_id <= id) t->next_id = id + 1;
  return ST_ENC_OK;
}

st_enc_status st_strtab_set_next_id(st_strtab *t, uint64_t next_id) {
  if (next_id == 0) return ST_ENC_E_PARAM;
  t->next_id = next_id;
  return ST_ENC_OK;
}

/* Longest slen with width(slen) + slen <= room: the cut that keeps declared == written. */
static size_t fit_len(size_t room) {
  size_t slen = room - 1;
  while (slen > 0 && st_varint_size(slen) + slen > room) slen--;
  return slen;
}

void st_strtab_set_v2(st_strtab *t) { t->v2 = 1; }

/* v2 writeString: the room check, `04` when it opened a batch, then the record. */
static st_enc_status write_v2(st_tbuf *b, uint64_t m, uint64_t id, const char *s, size_t len) {
  if (len > ST_V2_MAX_STRING_LEN) len = ST_V2_MAX_STRING_LEN; /* keeps the first bytes */
  st_enc_status st = st_tbuf_make_room(b, m, st_v2_string_bound(len));
  if (st) return st;
  if (b->pos == b->head_len) st_tbuf_byte(b, ST_EV2_STRINGS);
  if (st_tbuf_room(b) < st_v2_string_bound(len) - 1) return ST_ENC_E_TOO_BIG;
  st_tbuf_byte(b, ST_EV2_STRING);
  st_tbuf_varint(b, id);
  st_tbuf_varint(b, len);
  st_tbuf_bytes(b, s, len);
  return b->err;
}

st_enc_status st_strtab_emit(st_strtab *t, st_tbuf *b, uint64_t m, const char *s, size_t len,
                             uint64_t *id) {
  if (!t->v2) return ST_ENC_E_STATE;
  if (t->next_id == 0) return ST_ENC_E_LIMIT;
  st_enc_status st = write_v2(b, m, t->next_id, s, len);
  if (st) return st;
  *id = t->next_id++;
  t->written++;
  return ST_ENC_OK;
}

st_enc_status st_strtab_intern(st_strtab *t, st_tbuf *b, uint64_t pid, const char *s, size_t len,
                               uint64_t *id) {
  if (len == 0) {
    *id = 0; /* "" is ID 0 and is never written */
    return ST_ENC_OK;
  }
  const uint64_t h = name_hash(s, len);
  if (t->count) {
    const st_strent *e = probe(t, h, s, len);
    if (e->id) {
      *id = e->id;
      return ST_ENC_OK;
    }
  }
  if (t->next_id == 0) return ST_ENC_E_LIMIT; /* the uint64 ID space wrapped */
  st_enc_status st = grow(t, len);
  if (st) return st;
  uint64_t nid = t->next_id;
  if (t->v2) {
    if ((st = write_v2(b, pid, nid, s, len)) != ST_ENC_OK) return st;
    t->next_id++;
    t->written++;
    insert(t, probe(t, h, s, len), h, nid, s, len);
    *id = nid;
    return ST_ENC_OK;
  }
  st = st_tbuf_make_room(b, pid, st_string_bound(len));
  if (st) return st;
  size_t room = st_tbuf_room(b);
  size_t head = 1 + st_varint_size(nid);
  /* A string needs its type byte, ID, a length and at least one byte. */
  if (room < head + 2) return ST_ENC_E_TOO_BIG;
  size_t r = room - head; /* room for the length and the bytes */
  size_t declared = len, copied = len;
  if (t->runtime_truncation) {
    /* The runtime's double check: room < len + 10 declares `room` and copies what fits. */
    if (r < len + ST_BYTES_PER_NUMBER) {
      declared = r;
      copied = r - st_varint_size(declared);
      if (copied > len) copied = len;
    }
  } else if (st_varint_size(len) + len > r) {
    declared = copied = fit_len(r);
  }
  st_tbuf_byte(b, ST_EV_STRING);
  st_tbuf_varint(b, nid);
  st_tbuf_varint(b, declared);
  st_tbuf_bytes(b, s, copied);
  if (b->err) return b->err;
  t->next_id++;
  t->written++;
  if (copied < len) t->truncated++;
  insert(t, probe(t, h, s, len), h, nid, s, len);
  *id = nid;
  return ST_ENC_OK;
}

st_enc_status st_strtab_intern_name(st_strtab *t, st_tbuf *b, uint64_t pid, const char *s,
                                    size_t len, uint64_t *id) {
  if (len > ST_NAME_MAX) { /* keep the suffix: the end of a long name tells most */
    s += len - ST_NAME_MAX;
    len = ST_NAME_MAX;
  }
  return st_strtab_intern(t, b, pid, s, len, id);
}

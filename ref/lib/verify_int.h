/* Private to verify-dump: the records of a decoded trace, and what the v1 and v2 checks share. */
#ifndef ST_VERIFY_INT_H
#define ST_VERIFY_INT_H

#include "stacktab/st_verify.h"

enum { VK_BATCH, VK_FREQ, VK_STRING, VK_STACK, VK_MARKER };

/* One record of the file: a batch header, a Frequency, a string, a stack, a v2 section marker. */
typedef struct {
  uint64_t off, size;
  uint64_t id;         /* string/stack ID; batch: pid (v1) or M (v2); marker: its type */
  uint64_t a;          /* v1 batch: ticks; Frequency: its value; v2 batch: payload size */
  uint64_t a_time;     /* v2 batch: its time */
  uint64_t gen;        /* v2 */
  uint64_t nframes;
  size_t frames_at;    /* 4 per frame in vctx.frames: pc, fn, file, line */
  uint64_t str_off, str_len; /* the string's bytes in the file */
  size_t batch;        /* index of the batch record it is in (SIZE_MAX: none) */
  uint8_t kind, width; /* width: v1 EvStack length / v2 batch size field */
} vrec;

typedef struct {
  const st_verify_config *cfg;
  const st_alloc *alloc;
  const uint8_t *data;
  size_t len;
  int format, version;
  vrec *recs;
  size_t nrecs, recs_cap;
  uint64_t *frames;
  size_t nframes, frames_cap;
  uint64_t last_other_off;   /* the latest event that is none of the above (0: none) */
  int have_other;
  size_t cur_batch;
  int nomem;
  st_verify_diff *diffs;     /* collected, then sorted by offset and reported */
  size_t ndiffs, diffs_cap;
  st_verify_result *res;
  uint64_t *str_index;       /* (generation, ID, record index) triples, sorted */
  size_t nstr_index;
  /* v2: the string IDs timed events name, as (generation, ID, emitted) triples, sorted;
   * emitted = 1 for UserLog's value, which the runtime writes with a fresh ID (emit), never
   * into the table. */
  uint64_t *evrefs;
  size_t nevrefs, evrefs_cap;
} vctx;

/* Records a difference (message formatted like printf). */
void stv_diff(vctx *v, st_verify_kind k, uint64_t off, const char *fmt, ...);
/* The capacity interval: a lower bound from what fitted, an upper bound from what did not. */
void stv_need_at_least(vctx *v, uint64_t c);
void stv_need_below(vctx *v, uint64_t c); /* the capacity is less than c */
/* The string's bytes ("" for ID 0; v1: gen ignored), or NULL when the file has no such string. */
const uint8_t *stv_string(const vctx *v, uint64_t gen, uint64_t id, size_t *len);
/* v2: 1 when a timed event of gen names string id; *emitted: it is UserLog's value. */
int stv_event_ref(const vctx *v, uint64_t gen, uint64_t id, int *emitted);
/* The record that defines string id (in gen, for v2), or NULL. */
const vrec *stv_string_rec(const vctx *v, uint64_t gen, uint64_t id);
/* 1 when a stack record's bytes from `at` to its end are V(id) V(n) and per frame V(pc) V(fn)
 * V(file) V(line), all minimal: the payload every algorithm writes (v1 after the length). */
int stv_minimal_stack(const vctx *v, const vrec *r, size_t at);
/* A growable byte buffer through the caller's allocator. */
typedef struct {
  const st_alloc *a;
  uint8_t *p;
  size_t len, cap;
  int nomem;
} stv_bytes;
int stv_put(void *user, const uint8_t *p, size_t n); /* an st_sink_fn */
void stv_bytes_free(stv_bytes *b);
/* Compares the region written again (model) with the file's bytes at the given spans; on the
 * first difference names the file record holding that byte (ST_VD_BYTES). */
void stv_compare(vctx *v, const stv_bytes *model, const uint64_t *span_off,
                 const uint64_t *span_len, size_t nspans, const char *what);

int stv_v1(vctx *v);
int stv_v2(vctx *v);

#endif

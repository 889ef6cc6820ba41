/* Stack table and its dump: the encoder side of EvStack (spec §5).
 *
 * Table (traceStackTable): st_stacktab_put(pcs, n) returns an ID: 0 for an empty stack, else
 * the ID of an equal PC list already in the table, else the next ID (1, 2, ... in first-seen
 * order). Lookups go through 8192 hash buckets as in the runtime, but with a fixed hash so that
 * everything is deterministic: FNV-1a 64 over the PCs, each as 8 little-endian bytes
 * (st_stack_hash); bucket = hash mod 8192; a new record goes to the front of its bucket.
 *
 * Dump order (st_dump_order): ST_ORDER_ID (default) writes the records in ascending ID. The
 * runtime walks buckets 0..8191, newest first in each, and its memhash is seeded per process,
 * so its order is pseudo-random; ST_ORDER_BUCKETS does that walk with the fixed hash.
 *
 * Dump (st_dumper): each record's PCs go through the caller's symbolizer (one PC may give
 * several frames: inlining); a stack whose PCs resolve to nothing is written with one zero
 * frame (PC 0, names "", line 0), as the runtime's allFrames/traceFrames do. Strings per frame:
 * the function name, then the file name. Two algorithms:
 *  - ST_ALGO_LEGACY (Go 1.11-1.19): for each frame intern its strings (writing new EvStrings,
 *    which may flush) while building the payload in scratch memory; then require
 *    1 + 10 + payload_len bytes (else flush); write C3, the length as a minimal varint, payload.
 *  - ST_ALGO_DIRECT (Go 1.20+): intern every string of every frame first; then require
 *    1 + 10 + (2 + 4n) * 10 bytes (else flush); write C3, skip 10 bytes, write the payload in
 *    place, then back-patch the length as a 10-byte padded varint.
 * A record that does not fit an empty buffer fails with ST_ENC_E_TOO_BIG (the runtime has no
 * such check). Records never span two batches; strings never sit inside a record.
 * After st_dump_table the table is empty (IDs restart at 1) and reusable. */
#ifndef ST_STACKTAB_H
#define ST_STACKTAB_H

#include "stacktab/st_export.h"

#include <stddef.h>
#include <stdint.h>

#include "stacktab/st_alloc.h"
#include "stacktab/st_enc.h"
#include "stacktab/st_strtab.h"
#include "stacktab/st_tbuf.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ST_STACK_BUCKETS 8192u
/* Default cap on frames per record after symbolization: what the strict decoder accepts. */
#define ST_ENC_MAX_FRAMES 1000u

/* ST_ALGO_V2 (Go 1.22+, v2 spec §6.4, §8.3): per stack, every frame's names interned first
 * (into the string buffer, st_dumper_set_string_buf), then ensure(22 + 40n) on the stack
 * buffer, `02` (EvStacks) when that opened a batch, then `03 V(id) V(n)` and per frame
 * `V(pc) V(fn) V(file) V(line)`, all minimal varints. At most 128 frames. */
typedef enum { ST_ALGO_LEGACY = 0, ST_ALGO_DIRECT = 1, ST_ALGO_V2 = 2 } st_dump_algo;
/* ST_ORDER_TRIE: Go 1.23+'s dump order, a pre-order walk (node, then children 0..3) of a 4-ary
 * trie where each stack, in first-put order, descends by its hash's top two bits, then the
 * next two, ...; ST_ORDER_BUCKETS is also Go 1.22's order (8192 buckets, newest first). Both
 * use stacktab's fixed hash (st_stack_hash). */
typedef enum { ST_ORDER_ID = 0, ST_ORDER_BUCKETS = 1, ST_ORDER_TRIE = 2 } st_dump_order;
/* Most frames a v2 stack record may have (the readers' MaxFramesPerStack). */
#define ST_V2_ENC_MAX_FRAMES 128u

typedef struct {
  uint64_t hash;
  size_t off, n;   /* PCs in the table's PC arena */
  uint32_t next;   /* next record in the bucket: index + 1, 0 = end */
} st_stackent;

typedef struct {
  /* Private. Record i has ID i + 1. */
  const st_alloc *alloc;
  uint32_t *buckets;   /* ST_STACK_BUCKETS heads: index + 1, 0 = empty */
  st_stackent *ents;
  size_t count, ents_cap;
  uint64_t *pcs;
  size_t npcs, pcs_cap;
} st_stacktab;

/* alloc NULL: the C library's. Allocates the 8192 buckets. */
ST_API st_enc_status st_stacktab_init(st_stacktab *t, const st_alloc *alloc);
ST_API void st_stacktab_free(st_stacktab *t);
/* Empties the table (memory kept); IDs restart at 1. */
ST_API void st_stacktab_reset(st_stacktab *t);

/* The stack's ID (0 for n == 0), adding it when new. ST_ENC_E_LIMIT past 2^32 - 1 records. */
ST_API st_enc_status st_stacktab_put(st_stacktab *t, const uint64_t *pcs, size_t n, uint64_t *id);
/* Records in the table; IDs are 1..count. */
ST_API size_t st_stacktab_count(const st_stacktab *t);
/* PCs of stack id: 1 and the list, or 0 for an unknown ID. Valid until the next put. */
ST_API int st_stacktab_get(const st_stacktab *t, uint64_t id, const uint64_t **pcs, size_t *n);
/* FNV-1a 64 over the PCs as 8 little-endian bytes each. */
ST_API uint64_t st_stack_hash(const uint64_t *pcs, size_t n);

typedef struct {
  st_dump_algo algo;
  st_dump_order order;
  uint64_t pid;              /* of the dump's batches: 0, as the runtime */
  size_t max_frames;         /* frames per record (default ST_ENC_MAX_FRAMES) */
  st_symbolize_fn symbolize; /* needed by st_dump_table only */
  void *sym_user;
} st_dump_config;

/* Fills cfg with: legacy, ascending ID, pid 0, ST_ENC_MAX_FRAMES, no symbolizer. */
ST_API void st_dump_config_default(st_dump_config *cfg);

/* Scratch bytes a dumper allocates at init for max_frames. */
ST_API size_t st_dump_scratch_bound(size_t max_frames);

typedef struct {
  st_dump_config cfg;
  /* Read-only statistics. */
  uint64_t records_written, frames_written;
  uint64_t failed_id;        /* the stack ID whose record failed, 0 if none */
  /* Private. */
  const st_alloc *alloc;
  st_tbuf *buf;
  st_strtab *strings;
  st_tbuf *str_buf;          /* where new strings go: buf, or the v2 string buffer */
  uint8_t *payload;          /* legacy: (2 + 4 * max_frames) * 10 bytes */
  uint64_t *ids;             /* direct: 2 string IDs per frame */
  st_enc_frame *frames;      /* st_dump_table: a record's resolved frames */
  size_t scratch_len;
} st_dumper;

/* Binds a dumper to the buffer and string table it writes through (both stay the caller's). */
ST_API st_enc_status st_dumper_init(st_dumper *d, const st_dump_config *cfg, st_tbuf *buf,
                             st_strtab *strings, const st_alloc *alloc);
ST_API void st_dumper_free(st_dumper *d);
/* v2: the buffer new strings are written to (the string table's own batches, M = cfg.pid). */
ST_API void st_dumper_set_string_buf(st_dumper *d, st_tbuf *b);

/* Writes one EvStack record for stack `id` with n resolved frames, with the configured
 * algorithm, including the EvStrings it needs first. The primitive the table dump uses; tests
 * and reproductions call it to drive an exact sequence. ST_ENC_E_LIMIT if n > max_frames. */
ST_API st_enc_status st_dump_record(st_dumper *d, uint64_t id, const st_enc_frame *frames, size_t n);

/* Dumps every record of t in the configured order, then empties t. The buffer is left open
 * (the caller finishes it: Go 1.19 queues it, Go 1.20+ returns it to readTrace). */
ST_API st_enc_status st_dump_table(st_dumper *d, st_stacktab *t);

#ifdef __cplusplus
}
#endif
#endif

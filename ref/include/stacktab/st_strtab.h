/* String table: the encoder side of EvString (v1 spec §4) and of the v2 string section (v2
 * spec §5, st_strtab_set_v2).
 *
 * v2: IDs restart at 1 every generation (st_strtab_reset); a new string is written as
 * `05 V(id) V(len) bytes` into the strings buffer, cut to its FIRST 1024 bytes (the table keeps
 * the whole string as its key, so two strings that differ after byte 1024 get two IDs), after
 * the room check ensure(22 + len); a batch opened by that check starts with `04` (EvStrings).
 * st_strtab_emit writes a record with a fresh ID every call, without adding it to the table
 * (trace.Log messages; "" is written too).
 *
 * IDs start at 1 and go to strings in first-use order; each distinct content is written once
 * for the whole trace (until st_strtab_reset). The empty string is ID 0 and writes nothing.
 * Function and file names keep only their LAST ST_NAME_MAX bytes (traceFrameForPC).
 *
 * Writing follows traceString: when the open batch has fewer than 1 + 2*10 + len bytes left,
 * the buffer is flushed (a new batch for the same pid), then `25 varint(id) varint(len) bytes`.
 *
 * Strings too long for an empty buffer: this table cuts the string so that the declared length
 * equals the bytes written and the batch ends exactly at the capacity. The Go runtime differs
 * here: it declares len = the room left after the ID (when that room is below len + 10) and then
 * copies only room - width(len) bytes, so its declared length exceeds what it wrote by 1-3 bytes
 * and the trace is corrupt (spec §4; only strings over about 64 KB, or tiny buffers, reach it).
 * Set `runtime_truncation` to reproduce the runtime's bytes exactly, e.g. for bad golden files.
 * In both modes the table keeps the whole string under its ID, as the runtime does.
 *
 * Memory: entries and string bytes grow through the caller's st_alloc; a lookup allocates
 * nothing. */
#ifndef ST_STRTAB_H
#define ST_STRTAB_H

#include "stacktab/st_export.h"

#include <stddef.h>
#include <stdint.h>

#include "stacktab/st_alloc.h"
#include "stacktab/st_enc.h"
#include "stacktab/st_tbuf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* traceFrameForPC's maxLen: longer function and file names keep their last 1024 bytes. */
#define ST_NAME_MAX 1024u

typedef struct {
  uint64_t hash;  /* the table's internal hash of the bytes; slot empty when id == 0 */
  uint64_t id;
  size_t off;     /* into the arena */
  size_t len;
} st_strent;

typedef struct {
  /* Read-only for callers. */
  uint64_t next_id;       /* the ID the next new string gets (1 after init/reset) */
  size_t count;           /* strings in the table */
  uint64_t written;       /* EvString records written */
  uint64_t truncated;     /* of which cut because they could not fit an empty buffer */
  /* Settable: 1 = write oversize strings as the Go runtime does (declared > written). */
  int runtime_truncation;
  int v2;                 /* the v2 record layout (st_strtab_set_v2) */
  /* Private. */
  const st_alloc *alloc;
  st_strent *slots;       /* open addressing, power-of-two size */
  size_t nslots;
  char *arena;
  size_t arena_len, arena_cap;
} st_strtab;

/* alloc NULL: the C library's. Allocates nothing until the first string. */
ST_API st_enc_status st_strtab_init(st_strtab *t, const st_alloc *alloc);
ST_API void st_strtab_free(st_strtab *t);
/* Empties the table (memory kept) and sets next_id back to 1: a new trace. */
ST_API void st_strtab_reset(st_strtab *t);

/* Pre-seeds a string already defined (e.g. earlier in a trace being reproduced): later
 * lookups of s give id and nothing is written. next_id becomes at least id + 1.
 * ST_ENC_E_PARAM for id 0 or an empty s; ST_ENC_E_DUP when s is already in the table. */
ST_API st_enc_status st_strtab_seed(st_strtab *t, uint64_t id, const char *s, size_t len);
/* Sets the ID the next new string gets (must be >= 1). */
ST_API st_enc_status st_strtab_set_next_id(st_strtab *t, uint64_t next_id);

/* Looks s up without writing: 1 and *id when present (ID 0 for ""), else 0. */
ST_API int st_strtab_find(const st_strtab *t, const char *s, size_t len, uint64_t *id);

/* traceString: the ID of s; a new string is added and written to b (in a batch of pid). */
ST_API st_enc_status st_strtab_intern(st_strtab *t, st_tbuf *b, uint64_t pid, const char *s, size_t len,
                               uint64_t *id);
/* As st_strtab_intern after cutting a function/file name to its last ST_NAME_MAX bytes. */
ST_API st_enc_status st_strtab_intern_name(st_strtab *t, st_tbuf *b, uint64_t pid, const char *s,
                                    size_t len, uint64_t *id);

/* Switches the table to the v2 records and rules (before any string is added). */
ST_API void st_strtab_set_v2(st_strtab *t);
/* v2 only: writes s with a fresh ID (not added to the table, "" written too). ST_ENC_E_STATE
 * for a v1 table. */
ST_API st_enc_status st_strtab_emit(st_strtab *t, st_tbuf *b, uint64_t m, const char *s, size_t len,
                             uint64_t *id);

/* FNV-1a 64 over the string's bytes. (The table's lookups use a faster internal hash, read 8
 * bytes at a time; it never shows in the output.) */
ST_API uint64_t st_strtab_hash(const char *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif

/* Whole-trace writer: header, per-P batches of ordinary events, footer and stack-table dump.
 *
 * Output, in order (spec §3):
 *  1. the 16-byte header of cfg.version ("go 1.11 trace", "go 1.19 trace", "go 1.21 trace");
 *  2. the batches the caller opens with st_writer_batch(pid, ticks), each holding the events
 *     and strings written after it. A batch that fills up continues in a new batch of the same
 *     pid (the runtime's flush), its ticks taken from the event that did not fit;
 *  3. the footer, placed as the algorithm's Go version does:
 *     - ST_ALGO_LEGACY (Go 1.11-1.19): a bare `02 varint(freq)` outside any batch, then the dump
 *       in new pid-0 batches (the first one opened even when the table is empty);
 *     - ST_ALGO_DIRECT (Go 1.20+): a new pid-0 batch holding `02 varint(freq)`, with the dump
 *       continuing in that same batch.
 *
 * Events follow traceEventLocked: a room check of 2 + 5*10 bytes, the type byte with the
 * argument count (not counting the timestamp) capped at 3 in its top bits, the timestamp delta
 * from the previous event of the batch (or from the batch's ticks), the arguments; with 3 or
 * more arguments a one-byte length (size - 2) follows the type byte. A timestamp before the
 * batch's last one is written as delta 0. Footer batches get ticks end_ticks, end_ticks + 1, ...
 * (end_ticks 0: one past the latest ticks written). The output callback sees every byte once,
 * in file order. */
#ifndef ST_WRITER_H
#define ST_WRITER_H

#include "stacktab/st_export.h"

#include <stddef.h>
#include <stdint.h>

#include "stacktab/st_alloc.h"
#include "stacktab/st_enc.h"
#include "stacktab/st_events.h"
#include "stacktab/st_stacktab.h"
#include "stacktab/st_strtab.h"
#include "stacktab/st_tbuf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Receives output bytes in file order. Returns 0, or nonzero to fail with ST_ENC_E_SINK. */
typedef int (*st_write_fn)(void *user, const uint8_t *p, size_t n);

typedef struct {
  int version;               /* ST_VER_1_11, ST_VER_1_19 (default) or ST_VER_1_21 */
  st_dump_algo algo;         /* dump algorithm and Frequency placement (default legacy) */
  st_dump_order order;       /* default ST_ORDER_ID */
  size_t buf_size;           /* batch capacity (default ST_DEFAULT_BUF_SIZE) */
  uint64_t freq;             /* EvFrequency: ticks per second (default 15625000 = 1e9/64) */
  uint64_t end_ticks;        /* first footer batch's ticks; 0 = latest ticks + 1 */
  size_t max_frames;         /* per EvStack (default ST_ENC_MAX_FRAMES) */
  const st_alloc *alloc;     /* NULL: the C library's */
  st_symbolize_fn symbolize; /* PC -> frames, used by the dump */
  void *sym_user;
  st_write_fn write;         /* output */
  void *write_user;
} st_writer_config;

ST_API void st_writer_config_default(st_writer_config *cfg);

typedef struct {
  st_writer_config cfg;
  /* Read-only. */
  uint64_t offset;           /* bytes handed to the output so far */
  /* Private. */
  int state;                 /* 0 none, 1 writing, 2 finished, 3 failed */
  st_tbuf buf;
  uint8_t *mem;
  st_strtab strings;
  st_stacktab stacks;
  st_dumper dumper;
  uint64_t last_ts;          /* of the open batch: base of the next delta */
  uint64_t max_ticks;        /* latest ticks written anywhere */
  uint64_t now;              /* what the clock says for the next flush */
  int in_footer;
  uint64_t footer_ticks;
} st_writer;

/* Allocates the buffer and tables and writes the header. The buffer keeps a pointer to w: do
 * not copy or move an initialised writer. */
ST_API st_enc_status st_writer_init(st_writer *w, const st_writer_config *cfg);
ST_API void st_writer_free(st_writer *w);

/* Strings already defined (see st_strtab_seed): looked up, never written. */
ST_API st_enc_status st_writer_seed_string(st_writer *w, uint64_t id, const char *s, size_t len);
ST_API st_enc_status st_writer_set_next_string_id(st_writer *w, uint64_t next_id);

/* Puts a stack (PCs, innermost first) into the table: its ID for use in event arguments. */
ST_API st_enc_status st_writer_stack(st_writer *w, const uint64_t *pcs, size_t n, uint64_t *id);

/* Closes the open batch (to the output) and opens one for pid with the given ticks (+1 if equal
 * to the previous batch's, as traceFlush). */
ST_API st_enc_status st_writer_batch(st_writer *w, uint64_t pid, uint64_t ticks);

/* The ID of a user string (task or region name...), writing EvString into the open batch when
 * it is new. */
ST_API st_enc_status st_writer_string(st_writer *w, const char *s, size_t len, uint64_t *id);

/* Writes an ordinary event at absolute time ts (ticks) into the open batch. args excludes the
 * timestamp; a stack ID, when the event has one, is the last. nargs must match the event's
 * table entry; events without a timestamp (Batch, Frequency, Stack, String, TimerGoroutine) and
 * UserLog (trailing message) are refused with ST_ENC_E_PARAM. *off (may be NULL) receives the
 * event's byte offset in the file. */
ST_API st_enc_status st_writer_event(st_writer *w, unsigned type, uint64_t ts, const uint64_t *args,
                              size_t nargs, uint64_t *off);

/* Writes the footer (Frequency and the dump) and hands out the last batch. */
ST_API st_enc_status st_writer_finish(st_writer *w);

/* The stack ID whose dump record failed (after st_writer_finish failed), else 0. */
ST_API uint64_t st_writer_failed_stack(const st_writer *w);

#ifdef __cplusplus
}
#endif
#endif

/* Whole-trace writer: header, per-P batches of ordinary events, footer and stack-table dump.
 *
 * v2 traces (cfg.version 1022, 1023 or 1025; v2 spec §3.4, §8): the header, then generations.
 * During a generation, st_writer_batch opens event batches (`01 gen M time size`, the size a
 * back-patched 10-byte varint), st_writer_event writes timed events (ensure(1 + 10(n+1)),
 * type, V(dt) with dt >= 1, the arguments), strings go into the string table's own batches
 * (M = 2^64-1, flushed when full, so they interleave with event batches in flush order), and
 * st_writer_cpu_sample queues CPU samples. st_writer_generation ends a generation as the
 * runtime's traceAdvance: the frequency batch (1.22/1.23), the open event batch, the CPU-sample
 * section, the stack section (names interned into the string batches, ensure(22 + 40n)), then
 * the last strings batch; tables restart (IDs from 1) in the next generation, whose number is
 * one more. 1.25 writes a sync batch (`32`, `08 V(freq)`, `33 V(1) 0 0 0`) at the start of each
 * generation instead of the frequency batch. cfg.preregister puts the runtime's pre-registered
 * strings (GC worker labels, block and stop reasons; 20 for 1.22, 21 from 1.23) first in every
 * generation. Batches written at a generation's end get times end_ticks, end_ticks + 1, ...
 * (end_ticks 0: one past the latest time written so far).
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
  int version;               /* ST_VER_1_11, ST_VER_1_19 (default), ST_VER_1_21; v2: 1022, 1023,
                              * 1025 */
  st_dump_algo algo;         /* dump algorithm and Frequency placement (default legacy) */
  st_dump_order order;       /* default ST_ORDER_ID */
  size_t buf_size;           /* batch capacity; 0 (default): the runtime's, ST_DEFAULT_BUF_SIZE
                              * for v1, ST_V2_BUF_SIZE (header included) for v2 */
  uint64_t freq;             /* EvFrequency: ticks per second (default 15625000 = 1e9/64) */
  uint64_t end_ticks;        /* first footer batch's ticks; 0 = latest ticks + 1 */
  size_t max_frames;         /* per EvStack (default ST_ENC_MAX_FRAMES; v2: at most 128) */
  uint64_t first_gen;        /* v2: the first generation's number (default 1) */
  int preregister;           /* v2: write the runtime's pre-registered strings (default 0) */
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
  /* v2 */
  int v2;
  uint64_t gen;
  st_tbuf sbuf, kbuf, cbuf;  /* strings, stacks, CPU samples */
  uint8_t *smem, *kmem, *cmem;
  uint64_t *cpu;             /* queued CPU samples: time, m, p, g, stack */
  size_t ncpu, cpu_cap;
  uint64_t *ev_base;         /* file offset of each event batch handed out, in order */
  size_t nev_base, ev_base_cap;
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
 * event's byte offset in the file. v2: `type` is a v2 timed event of the version (ST_EV2_*),
 * args in Go's order without dt; a time not after the batch's last becomes last + 1; *off
 * receives a token for st_writer_event_offset. */
ST_API st_enc_status st_writer_event(st_writer *w, unsigned type, uint64_t ts, const uint64_t *args,
                              size_t nargs, uint64_t *off);

/* v2: a string written with a fresh ID every call (a trace.Log message), into the string
 * batches. ST_ENC_E_STATE for v1. */
ST_API st_enc_status st_writer_emit_string(st_writer *w, const char *s, size_t len, uint64_t *id);
/* v2: queues a CPU sample of this generation (written at its end). */
ST_API st_enc_status st_writer_cpu_sample(st_writer *w, uint64_t time, uint64_t m, uint64_t p,
                                   uint64_t g, uint64_t stack_id);
/* v2: ends the current generation (its sections, as traceAdvance) and starts the next. */
ST_API st_enc_status st_writer_generation(st_writer *w);
/* v2: the file offset of an event from the token st_writer_event gave in *off (v2 batches
 * reach the file in the order they are flushed, so an event's offset is known only once its
 * batch is out: after the next st_writer_batch, st_writer_generation or st_writer_finish);
 * UINT64_MAX before that. */
ST_API uint64_t st_writer_event_offset(const st_writer *w, uint64_t token);
/* v2: the current generation's number. */
ST_API uint64_t st_writer_gen(const st_writer *w);

/* Writes the footer (Frequency and the dump; v2: ends the last generation) and hands out the
 * last batch. */
ST_API st_enc_status st_writer_finish(st_writer *w);

/* The stack ID whose dump record failed (after st_writer_finish failed), else 0. */
ST_API uint64_t st_writer_failed_stack(const st_writer *w);

#ifdef __cplusplus
}
#endif
#endif

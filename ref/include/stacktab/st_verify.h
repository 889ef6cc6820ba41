/* Verifying a writer's stack and string tables against the reference writer.
 *
 * st_verify_buffer decodes a whole trace, takes the table region its writer produced (v1:
 * the Go 1.11-1.19 "legacy" dump from the bare Frequency on, or the Go 1.20-1.21 "direct" dump
 * from the pid-0 batch that starts with the Frequency; v2: each generation's string and stack
 * batches) and checks it record by record against what the reference algorithm writes for the
 * same strings and stacks, in the order the file lists them, with the strings defined before
 * the region counted as already interned and the batch times taken from the file:
 *  - every record is in the reference's form (minimal varints; v1 EvStack lengths minimal for
 *    legacy, 10 bytes for direct; v2 batch sizes 10 bytes);
 *  - every flush is where the room check puts it: a record stays in its batch only if the
 *    room check let it (written past the room check: DUMP-ROOM), and a batch begins only
 *    when the record after it did not fit in the one before (DUMP-FLUSH-EARLY);
 *  - strings come where the reference interns them (v1: each before the first stack that
 *    uses it, in frame order; v2: in ID order, the dump's names numbered in the order the dump
 *    interns them);
 *  - finally the region is written again by the library and compared byte for byte.
 * Each check is made against the file's own state at that record, so one early flush is one
 * difference, not a cascade. The buffer capacity is the smallest consistent with the file's
 * own flush points (reported as an interval), or cfg.cap.
 *
 * Differences have stable IDs (st_verify_kind_id, conformance/RULES.md "verify-dump") and the
 * byte offset of the event where the file departs from the reference. */
#ifndef ST_VERIFY_H
#define ST_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "stacktab/st_decode.h"
#include "stacktab/st_export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { ST_VERIFY_AUTO = 0, ST_VERIFY_LEGACY = 1, ST_VERIFY_DIRECT = 2, ST_VERIFY_V2 = 3 }
    st_verify_algo;

typedef enum {
  ST_VD_NONE = 0,
  ST_VD_REGION,         /* no table region where the algorithm puts one, or foreign events in it */
  ST_VD_FREQ,           /* the Frequency is not where the algorithm puts it */
  ST_VD_BATCH_HEADER,   /* a batch header differs (pid/M, generation, varint form) */
  ST_VD_SIZE_WIDTH,     /* v2: a batch size field that is not the reserved 10 bytes */
  ST_VD_LEN_WIDTH,      /* v1: an EvStack length of the wrong width for the algorithm */
  ST_VD_RECORD,         /* a record's bytes are not the reference's encoding of its content */
  ST_VD_ROOM,           /* a record written where the room check would have flushed */
  ST_VD_FLUSH_EARLY,    /* a new batch where the record still fitted */
  ST_VD_STRING_ORDER,   /* a string missing before the stack that needs it, or out of place */
  ST_VD_STRING_CUT,     /* a name longer than 1024 bytes (the writer keeps its last 1024) */
  ST_VD_BYTES,          /* the region written again differs (what no other check names) */
  ST_VD_COUNT
} st_verify_kind;

typedef struct {
  st_verify_kind kind;
  uint64_t off;          /* the offending event's first byte */
  char message[240];
} st_verify_diff;

typedef void (*st_verify_diff_fn)(void *user, const st_verify_diff *d);

typedef struct {
  st_mode mode;              /* rules the trace must pass first (default strict) */
  st_verify_algo algo;       /* v1: AUTO (from the region's EvStack length widths, by majority:
                              * 10 bytes is direct; a tie goes by the Frequency's place),
                              * LEGACY or DIRECT */
  uint64_t cap;              /* 0: the smallest capacity consistent with the file */
  const st_alloc *alloc;     /* NULL: the C library's */
  st_verify_diff_fn on_diff; /* every difference, in file order */
  st_diag_fn on_diag;        /* the decoder's diagnostics when the trace does not decode */
  void *user;
} st_verify_config;

typedef struct {
  int format, version;
  st_verify_algo algo;       /* what was verified against */
  uint64_t cap_min, cap_max; /* capacities consistent with the file (cap_max UINT64_MAX: none
                              * bounds it above; cap_min > cap_max: none is consistent) */
  uint64_t cap_used;
  uint64_t generations;      /* v2 */
  uint64_t stacks, strings, batches, flushes; /* in the region(s) */
  uint64_t decode_errors;    /* > 0: the trace did not decode; nothing was verified */
  uint64_t diffs;
} st_verify_result;

ST_API void st_verify_config_default(st_verify_config *cfg);
/* The stable ID of a difference kind, e.g. "DUMP-FLUSH-EARLY"; one-line summaries. */
ST_API const char *st_verify_kind_id(st_verify_kind k);
ST_API const char *st_verify_kind_summary(st_verify_kind k);
/* Verifies data[0..len): ST_OK when the region is the reference's, ST_E_INVALID when the trace
 * does not decode or differs (see res), ST_E_NOMEM, ST_E_PARAM. */
ST_API st_status st_verify_buffer(const st_verify_config *cfg, const void *data, size_t len,
                                  st_verify_result *res);

#ifdef __cplusplus
}
#endif
#endif

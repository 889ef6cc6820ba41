/* Streaming, validating decoder of Go execution traces: v1 (Go 1.11-1.21) and v2 (Go 1.22+).
 *
 * The format is picked at the header; the caller sees one decoder and one event callback, and
 * each event says its format and version. v2 tables are per generation: a v2 stack usually
 * names strings written after it, so the decoder resolves references when the generation ends
 * and, when there is an event callback, holds the generation's events from the first stack
 * with an unresolved name until then, so that Stack events arrive with their names (in file
 * order). v1 traces whose stacks use strings defined later (legal in go mode) are held the
 * same way until the end of the trace.
 *
 * The caller owns the st_decoder context, pushes bytes in chunks of any size, and receives
 * every event and every diagnostic through callbacks, in file order. The events and the
 * diagnostics are the same whatever the chunk boundaries. Memory: the context holds fixed
 * scratch space (a carry buffer for events that straddle chunks, frame storage) allocated once
 * at init; only the string table and the stack-ID table grow, within the limits given.
 * No allocation happens per ordinary event. */
#ifndef ST_DECODE_H
#define ST_DECODE_H

#include "stacktab/st_export.h"

#include <stddef.h>
#include <stdint.h>

#include "stacktab/st_alloc.h"
#include "stacktab/st_events.h"
#include "stacktab/st_rules.h"
#include "stacktab/st_varint.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Format limits the rules enforce. */
#define ST_MAX_STRING_LEN 1000000u   /* longest EvString / UserLog message */
#define ST_MAX_FRAMES 1000u          /* deepest EvStack */
#define ST_DEFAULT_BUF_SIZE 64488u   /* the 64-bit runtime's trace buffer payload */
#define ST_GO122_MAX_LEN 2048u       /* Go 1.22+ readers' limit on length-prefixed events */
/* Most varint arguments an ordinary (non-stack) event can have. */
#define ST_MAX_ARGS 8u

typedef enum {
  ST_MODE_STRICT = 0, /* every rule */
  ST_MODE_GO = 1      /* only what Go 1.19's internal/trace rejects at framing and table level */
} st_mode;

typedef enum {
  ST_OK = 0,
  ST_E_INVALID = -1,  /* the input broke an error rule (diagnostics were reported) */
  ST_E_NOMEM = -2,    /* the allocator failed */
  ST_E_STATE = -3,    /* push after finish, or a context that was never initialised */
  ST_E_PARAM = -4     /* a bad configuration value */
} st_status;

typedef struct {
  uint64_t max_string_bytes;  /* total bytes of all strings kept (default 32 MiB) */
  uint64_t max_strings;       /* number of distinct string IDs (default 1 << 20) */
  /* Number of distinct stack IDs, defined or referenced (default 1 << 26). IDs up to 2^26
   * cost two bits each (a dense bitset); sparse IDs above take a hash entry each and are
   * capped at 1 << 20 of them whatever this limit says. */
  uint64_t max_stacks;
  /* Bytes of events held back for late name resolution (64 MiB). Past it, the held events are
   * delivered with the names known so far and the rest of the generation is not held. */
  uint64_t max_hold_bytes;
} st_decode_limits;

typedef struct {
  uint64_t pc;
  uint64_t fn_id, file_id;    /* string IDs */
  uint64_t line;
  /* Resolved strings (NULL/0 for ID 0 or a string not defined yet): valid during the callback. */
  const uint8_t *fn;
  size_t fn_len;
  const uint8_t *file;
  size_t file_len;
} st_frame;

typedef struct {
  uint64_t off;        /* byte offset of the event's first byte in the stream */
  uint64_t size;       /* bytes of the whole event, first byte to last */
  int version;         /* the header's version (1011, 1019, 1021; 1022, 1023, 1025) */
  uint8_t format;      /* 1 (v1) or 2 (v2) */
  uint8_t type;        /* v1: ST_EV_* (low 6 bits); v2: ST_EV2_* (the whole type byte) */
  uint8_t field;       /* v1: argument-count field (top 2 bits); v2: 0 */
  /* v1 length-prefixed events (field 3, and EvStack): the length L and its varint width.
   * v2 batch headers: the size field (payload bytes) and its width. */
  uint8_t has_len;
  uint8_t len_width;
  uint64_t len;
  /* Ordinary events, Batch, Frequency: the varints in wire order (timestamp delta first,
   * no length). nargs is capped at ST_MAX_ARGS (more is an EVENT-NARGS error anyway).
   * v2: EventBatch gen, m, time, size; ExperimentalBatch exp, gen, m, time, size (its payload
   * in str); CPUSample time, m, p, g, stack; Frequency freq; timed events dt first. */
  uint8_t nargs;
  uint64_t args[ST_MAX_ARGS];
  /* EvString: its ID and bytes. EvUserLog: the trailing message (str_id 0). Valid during the
   * callback only. */
  uint64_t str_id;
  const uint8_t *str;
  size_t str_len;
  /* EvStack: its ID and frames (valid during the callback only). A malformed stack (wrong
   * argument count, too deep) is delivered with nframes 0 and frames NULL; whenever nframes is
   * above 0, frames points to nframes entries. */
  uint64_t stack_id;
  uint64_t nframes;
  const st_frame *frames;
  /* v2: the generation, and the batch the event is in (its header's offset and M). */
  uint64_t gen;
  uint64_t batch_off;
  uint64_t batch_m;
} st_event;

typedef struct {
  st_rule rule;
  st_severity severity;
  uint64_t off;        /* offset of the offending event's first byte; 0 for the header */
  char message[200];   /* for a person: what was found, with the values involved */
} st_diag;

typedef void (*st_event_fn)(void *user, const st_event *ev);
typedef void (*st_diag_fn)(void *user, const st_diag *d);

typedef struct {
  st_mode mode;
  uint64_t buf_size;         /* v1 batch capacity for BATCH-TOO-LARGE (ST_DEFAULT_BUF_SIZE) */
  uint64_t buf_size_v2;      /* v2 batch capacity, header included (ST_V2_DEFAULT_BUF_SIZE) */
  st_decode_limits limits;
  const st_alloc *alloc;     /* NULL: the C library's */
  st_event_fn on_event;      /* may be NULL */
  st_diag_fn on_diag;        /* may be NULL */
  void *user;
  int no_simd;               /* 0: the fast paths use what the CPU has (x86-64: SSE2, and
                                AVX2/BMI2 when present); 1: no vector instructions (the
                                portable word-at-a-time code); 2: x86-64's baseline SSE2 only.
                                For tests and comparisons: the results are the same. */
} st_decode_config;

/* Fills cfg with the defaults: strict mode, 64488-byte (v1) and 65504-byte (v2) buffers,
 * default limits, libc memory. */
ST_API void st_decode_config_default(st_decode_config *cfg);

/* Worst-case size of the fixed scratch memory a decoder allocates at init (the carry buffer
 * that holds one event split across pushes, plus frame storage). */
ST_API size_t st_decode_scratch_bound(void);

/* Internal hash table of (ID -> value); fields are private. */
typedef struct {
  uint64_t *keys;   /* 0 = empty slot; IDs are stored + 0 (ID 0 is never stored) */
  uint64_t *vals;
  size_t cap, count;
} st_idmap;

/* Events held back for late name resolution (private). */
typedef struct {
  uint8_t *buf;
  size_t len, cap;
  int active;                /* holding since a stack with an unresolved name */
  int off_for_scope;         /* max_hold_bytes was reached: no hold until the scope ends */
} st_hold;

typedef struct {
  st_decode_config cfg;
  /* Everything below is private. */
  int state;                 /* 0 uninit, 1 header, 2 events, 3 failed, 4 finished */
  int version;
  int format;                /* 1 or 2 */
  uint8_t allowed[256];      /* event types of this version (looked up per event) */
  uint64_t off;              /* stream offset of carry[0] (or of the next byte) */
  uint8_t *carry;            /* bytes of an event that straddles pushes */
  size_t carry_len, carry_cap, carry_need;
  st_frame *frames;
  int seen_batch, seen_freq, at_batch_start, batch_missing_reported;
  uint64_t batch_off, batch_bytes;
  uint64_t errors, warnings;
  st_idmap strings;          /* string ID -> arena offset << 24 | length */
  uint8_t *arena;
  size_t arena_len, arena_cap;
  st_idmap stacks;           /* stack ID -> flags and first-reference offset */
  /* v2: the generation, the batch being read, references waiting for the generation's end */
  uint64_t gen, gen_off, gen_freqs, gen_timed;
  int in_batch, batch_kind;
  uint64_t batch_left, batch_m;
  st_idmap pend_frame_strings; /* string ID -> offset of the first stack naming it undefined */
  st_idmap pend_event_strings; /* string ID -> offset of the first event naming it undefined */
  st_idmap pend_cpu_stacks;    /* stack ID -> offset of the first CPU sample naming it */
  st_hold hold;
  /* Stack IDs 1..2^26 (private): 2 words per 64 IDs, [2k] defined, [2k+1] referenced before
   * its definition; `stacks` above holds only the sparse IDs past that. Every first reference
   * of a dense ID is logged (delta varints of ID and offset, in file order) for the
   * STACK-UNDEFINED report. */
  uint64_t *stack_bits;
  size_t stack_words;
  uint64_t stack_count;       /* distinct stack IDs, dense and sparse */
  uint8_t *ref_log;
  size_t ref_log_len, ref_log_cap;
  uint64_t ref_log_id, ref_log_off;
  /* Per first byte, what the fast path for ordinary events needs (0: the general path) */
  uint8_t fast[256];
  uint8_t fast_stack_args[256], fast_string_args[256]; /* v2: the descriptor's masks */
  /* v2: string IDs below 4096 defined or already waiting as an event's string (private) */
  uint64_t ev_str_known[64];
  /* String IDs 0..2^20 a stack's frames may name without a look-up: defined (v2: or already
   * waiting as a frame's name); bit 0 (no name) set once allocated. */
  int fast_v3;               /* the fast paths' x86-64-v3 build is used (private) */
  uint64_t *str_bits;
  size_t str_bits_words;
  uint64_t str_known_below;  /* every ID below it is marked in str_bits */
  uint32_t str_known_below_enc; /* its varint's bytes as a little-endian number */
  /* String IDs 1..2^20 (private): arena offset << 24 | length, + 1 (0: not defined); the
   * `strings` map above holds only the IDs past that. */
  uint64_t *str_dense;
  size_t str_dense_cap, str_dense_count;
} st_decoder;

/* Initialises d with cfg (copied). Returns ST_OK, ST_E_NOMEM or ST_E_PARAM. */
ST_API st_status st_decoder_init(st_decoder *d, const st_decode_config *cfg);

/* Decodes len more bytes. Returns ST_OK while the input is valid so far, ST_E_INVALID once an
 * error rule fired (later pushes are then ignored if the error was fatal), ST_E_NOMEM. */
ST_API st_status st_decoder_push(st_decoder *d, const void *data, size_t len);

/* Marks the end of input and runs the end-of-trace checks (TRUNCATED, FREQ-MISSING,
 * STACK-UNDEFINED). Returns ST_OK if the whole input was valid, else ST_E_INVALID. */
ST_API st_status st_decoder_finish(st_decoder *d);

/* Counts so far. */
ST_API uint64_t st_decoder_errors(const st_decoder *d);
ST_API uint64_t st_decoder_warnings(const st_decoder *d);
/* Header version (1011, 1019, 1021), or 0 before the header was read. */
ST_API int st_decoder_version(const st_decoder *d);
/* Format of the header's version: 1 (v1), 2 (v2), or 0 before the header was read. */
ST_API int st_decoder_format(const st_decoder *d);

/* Frees what the decoder allocated; d may be initialised again afterwards. */
ST_API void st_decoder_free(st_decoder *d);

/* One shot: init, push the whole buffer, finish, free. */
ST_API st_status st_decode_buffer(const st_decode_config *cfg, const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif

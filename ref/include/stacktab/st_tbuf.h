/* Trace buffer: one batch being filled, as the runtime's traceBuf plus traceFlush.
 *
 * Two header policies. v1 (the default, Go 1.11-1.21) is described below. v2 (Go 1.22+,
 * st_tbuf_set_v2): every batch starts `01 V(gen) V(M) V(time)` (or `31 exp ...` for an
 * experimental batch) and a 10-byte size field reserved at open and back-patched with the
 * payload length when the batch is handed out (varintReserve/varintAt); the capacity counts
 * the header, as the runtime's `arr` (65504 on 64-bit hosts). A new batch's time is the clock's
 * reading, or the previous batch's time + 1 when the reading is not later (refill).
 *
 * The caller owns the st_tbuf and the memory behind it (`cap` payload bytes: the batch,
 * EvBatch included, is at most cap bytes, as the runtime's `arr`). Every batch starts with
 * EvBatch: 0x41 varint(pid) varint(ticks), counted inside the capacity. Ticks come from the
 * caller's clock; like traceFlush, a reading equal to the previous batch's ticks becomes that
 * value + 1, so two consecutive batches never carry the same ticks. A full batch goes to the
 * sink callback when the next one starts (st_tbuf_flush) or at st_tbuf_finish.
 *
 * Room checks follow the runtime: a writer asks for its worst case first (st_tbuf_reserve or
 * st_tbuf_make_room); when the open batch has less room, the buffer is flushed. The byte
 * writers below never pass the capacity: a write that would is dropped and the buffer's sticky
 * error becomes ST_ENC_E_STATE (a bug in the caller's room check, never silent overflow). */
#ifndef ST_TBUF_H
#define ST_TBUF_H

#include "stacktab/st_export.h"

#include <stddef.h>
#include <stdint.h>

#include "stacktab/st_enc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The 64-bit runtime's buffer payload: a 64 KiB traceBuf minus its 1048-byte header. The same
 * value as st_decode.h's; defined here too so the encoder does not need the decoder's header. */
#ifndef ST_DEFAULT_BUF_SIZE
#define ST_DEFAULT_BUF_SIZE 64488u
#endif
/* Smallest capacity accepted: room for the largest EvBatch (1 + 10 + 10 bytes) and a little. */
#define ST_TBUF_MIN_CAP 32u
/* Largest EvBatch: 0x41, a 10-byte pid, 10-byte ticks. */
#define ST_BATCH_HEADER_BOUND 21u
/* Largest v2 batch header: 31, exp, gen, M, time (10 bytes each), the 10-byte size. */
#define ST_V2_BATCH_HEADER_BOUND 42u
/* Smallest v2 capacity accepted: the largest header and a little. */
#define ST_TBUF_MIN_CAP_V2 64u
/* The 64-bit Go 1.22+ runtime's buffer (`arr`, header included). */
#define ST_V2_BUF_SIZE 65504u

/* Receives one whole batch (EvBatch first). Returns 0, or nonzero to fail with ST_ENC_E_SINK. */
typedef int (*st_sink_fn)(void *user, const uint8_t *batch, size_t len);
/* The time in ticks for a new batch. Deterministic in tests. */
typedef uint64_t (*st_clock_fn)(void *user);

typedef struct {
  /* Read-only for callers. */
  uint8_t *mem;
  size_t cap;          /* payload capacity, EvBatch included */
  size_t pos;          /* bytes used in the open batch */
  size_t head_len;     /* bytes of the open batch's EvBatch */
  int open;            /* 1 while a batch is open */
  uint64_t pid;        /* of the open batch */
  uint64_t ticks;      /* of the open batch, after the differ-from-previous rule */
  int have_prev;       /* a batch was started before (its ticks are in prev_ticks) */
  uint64_t prev_ticks;
  uint64_t batches;    /* batches handed to the sink */
  uint64_t bytes_out;  /* bytes handed to the sink */
  st_enc_status err;   /* sticky: the first failure */
  /* v2 policy (st_tbuf_set_v2). */
  int v2;
  uint64_t gen;        /* generation written into new batches */
  int exp;             /* -1: EventBatch (01); else ExperimentalBatch (31) with this byte */
  size_t size_pos;     /* where the open batch's 10-byte size field is */
  /* Private. */
  st_sink_fn sink;
  void *sink_user;
  st_clock_fn clock;
  void *clock_user;
} st_tbuf;

/* Sets b up over mem[0..cap). No batch is open yet. ST_ENC_E_PARAM if cap < ST_TBUF_MIN_CAP or a
 * pointer is NULL. */
ST_API st_enc_status st_tbuf_init(st_tbuf *b, uint8_t *mem, size_t cap, st_sink_fn sink, void *sink_user,
                           st_clock_fn clock, void *clock_user);

/* Switches b (no batch open) to the v2 header policy for generation gen; exp -1 for event
 * batches, 0..255 for experimental batches of that experiment. ST_ENC_E_PARAM when the
 * capacity is below ST_TBUF_MIN_CAP_V2 or a batch is open. */
ST_API st_enc_status st_tbuf_set_v2(st_tbuf *b, uint64_t gen, int exp);
/* The generation of the batches opened from now on (v2). */
ST_API void st_tbuf_set_gen(st_tbuf *b, uint64_t gen);

/* traceFlush: hands the open batch (if any) to the sink, then opens a new one for pid (v2: the
 * M), with ticks from the clock (previous ticks + 1 when the clock repeats them; v2: when the
 * clock is not later). */
ST_API st_enc_status st_tbuf_flush(st_tbuf *b, uint64_t pid);

/* Hands the open batch (if any) to the sink and leaves no batch open. */
ST_API st_enc_status st_tbuf_finish(st_tbuf *b);

/* Room left in the open batch (0 when none is open). */
ST_API size_t st_tbuf_room(const st_tbuf *b);

/* The runtime's room check: flushes (new batch for pid) when no batch is open or fewer than
 * `need` bytes are left. Does not fail when even the new batch is too small: the caller
 * decides (EvString truncates). */
ST_API st_enc_status st_tbuf_make_room(st_tbuf *b, uint64_t pid, size_t need);

/* "Reserve or flush": as st_tbuf_make_room, then ST_ENC_E_TOO_BIG when even the fresh batch has
 * fewer than `need` bytes left. Nothing is written past the capacity either way. */
ST_API st_enc_status st_tbuf_reserve(st_tbuf *b, uint64_t pid, size_t need);

/* Byte writers, for use after a successful room check. */
ST_API void st_tbuf_byte(st_tbuf *b, uint8_t v);
ST_API void st_tbuf_varint(st_tbuf *b, uint64_t v);                /* minimal width */
ST_API void st_tbuf_bytes(st_tbuf *b, const void *p, size_t n);
/* Skips n bytes (left as zero) and returns their position, for a later st_tbuf_varint_at. */
ST_API size_t st_tbuf_skip(st_tbuf *b, size_t n);
/* Overwrites the byte at pos (a placeholder written before), e.g. a one-byte event length. */
ST_API void st_tbuf_byte_at(st_tbuf *b, size_t pos, uint8_t v);
/* Writes v as a 10-byte padded varint at pos (the Go 1.20+ varintAt, for EvStack lengths). */
ST_API void st_tbuf_varint_at(st_tbuf *b, size_t pos, uint64_t v);
/* Direct writing, for a writer that has already reserved its worst case (as the Go 1.20+
 * runtime writes EvStack: one room check, then bytes straight into the buffer): the open
 * batch's next n bytes, or NULL when there is no open batch, an error, or fewer than n bytes
 * left (the sticky error then becomes ST_ENC_E_STATE, as for the byte writers). Write there,
 * then st_tbuf_commit the bytes used, at most n; nothing else may write in between. */
ST_API uint8_t *st_tbuf_window(st_tbuf *b, size_t n);
ST_API void st_tbuf_commit(st_tbuf *b, size_t used);

/* Worst-case sizes, as the runtime computes them (all saturate at SIZE_MAX). */
/* EvString: 1 + 2*10 + len. */
ST_API size_t st_string_bound(size_t len);
/* EvStack payload for n frames: (2 + 4n) * 10. */
ST_API size_t st_stack_payload_bound(size_t nframes);
/* Whole EvStack record for n frames, either algorithm: 1 + 10 + (2 + 4n) * 10 = 31 + 40n. It is
 * also the Go 1.20+ (direct) room check. */
ST_API size_t st_stack_record_bound(size_t nframes);
/* The Go 1.19 (legacy) room check for a built payload of payload_len bytes: 1 + 10 + len. */
ST_API size_t st_stack_legacy_need(size_t payload_len);
/* Ordinary event (traceEventLocked's maxSize with no extra bytes): 2 + 5 * 10 = 52. */
ST_API size_t st_event_bound(void);
/* v2 room checks (spec §8): a String record 2 + 2*10 + len (22 + len, the marker included); a
 * Stack record 1 + 1 + (2 + 4n)*10 (22 + 40n); a timed event 1 + (nargs + 1)*10; a CPU sample
 * 2 + 5*10 = 52. */
ST_API size_t st_v2_string_bound(size_t len);
ST_API size_t st_v2_stack_bound(size_t nframes);
ST_API size_t st_v2_event_bound(size_t nargs);
ST_API size_t st_v2_cpu_sample_bound(void);

#ifdef __cplusplus
}
#endif
#endif

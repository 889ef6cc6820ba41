/* What every encoder part shares: status codes, the resolved frame, the symbolizer callback.
 *
 * The encoder is split by job: st_tbuf.h (trace buffers and flushing), st_strtab.h (string
 * table, EvString), st_stacktab.h (stack table and its dump, EvStack), st_writer.h (whole
 * traces). All of them report failures with st_enc_status and never write past a buffer. */
#ifndef ST_ENC_H
#define ST_ENC_H

#include "stacktab/st_export.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  ST_ENC_OK = 0,
  ST_ENC_E_TOO_BIG = -1, /* a record cannot fit even in an empty buffer of this capacity */
  ST_ENC_E_NOMEM = -2,   /* the allocator failed */
  ST_ENC_E_PARAM = -3,   /* a bad argument or configuration value */
  ST_ENC_E_STATE = -4,   /* a call out of order (an event before any batch, use after failure) */
  ST_ENC_E_SINK = -5,    /* the sink / output callback reported a failure */
  ST_ENC_E_LIMIT = -6,   /* more frames than the configured limit, or an ID space exhausted */
  ST_ENC_E_DUP = -7      /* a seeded string ID or string already in the table */
} st_enc_status;

/* A short English description of s ("record too big for the buffer", ...). */
ST_API const char *st_enc_status_str(st_enc_status s);

/* The Go runtime reserves this much per varint when it sizes a record (traceBytesPerNumber). */
#define ST_BYTES_PER_NUMBER 10u

/* One resolved frame as the dump writes it: PC, function name, file name, line. Names are
 * byte strings with a length (no NUL needed); "" (len 0) is string ID 0. */
typedef struct {
  uint64_t pc;
  const char *fn;
  size_t fn_len;
  const char *file;
  size_t file_len;
  uint64_t line;
} st_enc_frame;

/* Symbolizer: turns one PC into frames, innermost first, as runtime.CallersFrames does (an
 * inlined call gives several frames for one PC). Writes at most `max` frames to out and returns
 * how many frames the PC has (0 when nothing resolves: the PC is then dropped, as the runtime
 * drops a PC without function info). A return value above max means frames were lost: the dump
 * fails with ST_ENC_E_LIMIT. The name bytes must stay valid until the dump returns. It must
 * give the same frames for the same PC: st_dump_table calls it once per distinct PC and dump
 * and reuses the frames (encoded, with their string IDs) for the PC's later stacks. */
typedef size_t (*st_symbolize_fn)(void *user, uint64_t pc, st_enc_frame *out, size_t max);

#ifdef __cplusplus
}
#endif
#endif

/* Shared by the roundtrip and differential harnesses: fuzzer bytes read as a stack table
 * (names, symbols, stacks, writer settings), the trace the encoder writes for it, what the
 * strict decoder reads back, and an independent model of the footer bytes.
 *
 * Input layout (every field is optional: missing bytes read as 0):
 *   u8  settings   bits 0-1 version (0,3: 1.19, 1: 1.11, 2: 1.21); bit 2 direct algorithm;
 *                  bit 3 bucket dump order; bit 4 the default 64488-byte buffer; bits 5-7 pid
 *   u16 slack      buffer capacity = the smallest that fits every record and string + slack
 *   u8  nnames     (mod 17) names, each: u8 len (255: 1000 + u8, to pass the 1024-byte cut),
 *                  then len bytes
 *   u8  nsyms      (mod 33) symbols, each: u64 pc, u8 nframes (mod 4; 0 = the PC is dropped),
 *                  per frame: u8 fn name, u8 file name (indexes mod nnames), u8 line width
 *                  (1, 2, 4 or 8 bytes, low 2 bits), then the line
 *   u8  nstacks    (mod 65) stacks, each: u8 npcs (mod 17), per PC: u8 symbol index mod nsyms,
 *                  or with bit 7 set a raw u64 PC (unknown unless it equals a symbol's) */
#ifndef ST_FUZZ_TABLE_H
#define ST_FUZZ_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "fuzz_util.h"
#include "stacktab/st_writer.h"

#define FT_MAX_NAMES 16
#define FT_MAX_SYMS 32
#define FT_MAX_FRAMES_PER_PC 3
#define FT_MAX_STACKS 64
#define FT_MAX_PCS 16
#define FT_MAX_FRAMES (FT_MAX_PCS * FT_MAX_FRAMES_PER_PC)
#define FT_NAME_MAX 1255

typedef struct {
  uint64_t pc;
  size_t nframes;
  struct {
    uint8_t fn, file; /* name indexes */
    uint64_t line;
  } f[FT_MAX_FRAMES_PER_PC];
} ft_sym;

typedef struct {
  /* settings */
  int version;
  st_dump_algo algo;
  st_dump_order order;
  size_t cap;
  uint64_t pid;
  /* symbols */
  size_t nnames;
  char names[FT_MAX_NAMES][FT_NAME_MAX];
  size_t name_len[FT_MAX_NAMES];
  size_t nsyms;
  ft_sym syms[FT_MAX_SYMS];
  /* stacks as given (duplicates and empty ones included) */
  size_t nstacks;
  size_t npcs[FT_MAX_STACKS];
  uint64_t pcs[FT_MAX_STACKS][FT_MAX_PCS];
  /* The expected table, built by the harness (not by the encoder): distinct non-empty PC
   * lists in first-seen order get IDs 1, 2, ...; given[i] is stack i's expected ID. */
  size_t nids;
  size_t id_src[FT_MAX_STACKS]; /* ID k+1 is the PC list of stack id_src[k] */
  uint64_t given[FT_MAX_STACKS];
} ft_table;

/* One decoded frame / stack / string, copied out of the decoder's callbacks. */
typedef struct {
  uint64_t pc, line;
  uint64_t fn_id, file_id;
  fz_log fn, file; /* resolved bytes */
} ft_frame;

typedef struct {
  uint64_t id;
  size_t nframes;
  ft_frame frames[FT_MAX_FRAMES];
  uint8_t len_width;
  uint64_t len;
} ft_stack;

typedef struct {
  uint64_t errors, warnings;
  fz_log diags;            /* text of every diagnostic, for failure messages */
  size_t nstacks;
  ft_stack *stacks;        /* in file order; up to FT_MAX_STACKS + 1 kept */
  uint64_t nstrings;
  fz_log strings;          /* every EvString: id, length, bytes, in file order */
  uint64_t stack_events;   /* EvStack records seen */
  int version;
  uint64_t max_batch;      /* longest batch, EvBatch included */
} ft_decoded;

/* Reads the table; 0 when the input is unusable (nothing is checked then). */
int ft_parse(ft_table *t, const uint8_t *data, size_t size);

/* The frames stack `s` (an index into t->stacks) resolves to, as the dump must write them:
 * each PC's frames, and one zero frame when none resolves. */
size_t ft_expected_frames(const ft_table *t, size_t s, st_enc_frame *out);

/* Encodes the table with the given algorithm (and t's other settings): one batch of events
 * using every stack, then the footer. Returns the writer's status; the bytes in *out. */
st_enc_status ft_encode(const ft_table *t, st_dump_algo algo, fz_log *out);

/* Strict decode of a trace, with buf_size = cap, collecting stacks and strings. */
void ft_decode(const uint8_t *trace, size_t len, size_t cap, ft_decoded *d);
void ft_decoded_free(ft_decoded *d);

/* Checks that the decoded stacks are exactly the expected table (every ID once, frames
 * equal, names cut to their last 1024 bytes). `what` names the run in messages. */
void ft_check_table(const ft_table *t, const ft_decoded *d, const char *what);

/* The footer (Frequency and the whole dump) as the spec's algorithm writes it, computed
 * independently of the encoder: the flush points, string placement and length widths. */
void ft_model_footer(const ft_table *t, st_dump_algo algo, fz_log *out);

/* st_verify_buffer on the writer's trace (issue 13): with cap = t->cap it must accept it (ST_OK,
 * no difference), and with cap 0 the interval of capacities it reports must contain t->cap.
 * Whole traces are verified in strict mode. A table without stacks leaves the event batch
 * empty; it is cut out first (for pid 0 its bytes before a legacy footer are those of a direct
 * footer's Frequency batch), and a legacy trace without event batches is verified in go mode
 * (strict mode reports its bare Frequency as BATCH-MISSING). */
void ft_verify(const ft_table *t, st_dump_algo algo, const fz_log *trace, const char *what);

/* Footer settings both the encoder run and the model use. */
#define FT_FREQ 15625000u
#define FT_END_TICKS 1000000u
#define FT_EVENT_TICKS 100u

#endif

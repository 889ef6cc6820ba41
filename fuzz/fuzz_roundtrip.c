/* roundtrip: fuzzer bytes read as a stack table (PCs, frames, names, lines, buffer capacity,
 * header version, dump algorithm and order; layout in fuzz_table.h) -> st_writer -> strict
 * decoder. Properties:
 *  - the writer succeeds (the capacity is chosen so every record and string fits whole), and
 *    st_writer_stack gives IDs 1, 2, ... in first-seen order, 0 for an empty stack;
 *  - the strict decoder reports no error: no batch over the capacity (BATCH-TOO-LARGE with
 *    buf_size = the capacity), no string used before it is defined (STACK-STRING-UNDEFINED),
 *    every referenced stack defined, lengths and argument counts right;
 *  - it reads back exactly the table: every ID once, with the symbolizer's frames (one zero
 *    frame when nothing resolves) and the names cut to their last 1024 bytes;
 *  - EvStack lengths are minimal varints (legacy) or exactly 10 bytes (direct);
 *  - the footer is byte for byte what an independent model of the spec's algorithm writes:
 *    the same flush points, string placement and lengths;
 *  - st_verify_buffer accepts the trace at the writer's capacity, and with cap 0 reports an
 *    interval of capacities that contains it (ft_verify). */
#include <string.h>

#include "fuzz_table.h"
#include "stacktab/st_varint.h"

static ft_table g_table; /* large; static to keep it off the stack (one harness per process) */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ft_table *t = &g_table;
  if (!ft_parse(t, data, size)) return 0;
  fz_log trace = {0};
  st_enc_status s = ft_encode(t, t->algo, &trace);
  FZ_CHECK(s == ST_ENC_OK, "writer failed: %s (capacity %zu, %zu stacks)", st_enc_status_str(s),
           t->cap, t->nids);

  ft_decoded d;
  ft_decode(trace.p, trace.len, t->cap, &d);
  FZ_CHECK(d.errors == 0, "strict decoder rejects the encoder's trace (capacity %zu, %s):\n%s",
           t->cap, t->algo == ST_ALGO_DIRECT ? "direct" : "legacy", (const char *)d.diags.p);
  FZ_CHECK(d.version == t->version || d.stack_events == 0, "header version %d, want %d",
           d.version, t->version);
  FZ_CHECK(d.max_batch <= t->cap, "a batch of %llu bytes, capacity %zu",
           (unsigned long long)d.max_batch, t->cap);
  ft_check_table(t, &d, "roundtrip");
  for (size_t i = 0; i < d.nstacks; i++) {
    size_t want = t->algo == ST_ALGO_DIRECT ? 10 : st_varint_size(d.stacks[i].len);
    FZ_CHECK(d.stacks[i].len_width == want, "stack %llu: length %llu written in %u bytes, want %zu",
             (unsigned long long)d.stacks[i].id, (unsigned long long)d.stacks[i].len,
             d.stacks[i].len_width, want);
  }

  fz_log model = {0};
  ft_model_footer(t, t->algo, &model);
  FZ_CHECK(trace.len >= model.len &&
               memcmp(trace.p + trace.len - model.len, model.p, model.len) == 0,
           "footer differs from the model of the %s algorithm (capacity %zu): first difference "
           "at footer byte %zu of %zu",
           t->algo == ST_ALGO_DIRECT ? "direct" : "legacy", t->cap,
           trace.len >= model.len
               ? fz_log_diff_at(&(fz_log){trace.p + trace.len - model.len, model.len, model.len},
                                &model)
               : (size_t)0,
           model.len);
  fz_log_free(&model);
  ft_verify(t, t->algo, &trace, "roundtrip");
  ft_decoded_free(&d);
  fz_log_free(&trace);
  return 0;
}

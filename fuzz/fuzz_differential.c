/* differential: the same stack table (layout in fuzz_table.h) dumped with the Go 1.19 legacy
 * algorithm and with the Go 1.20+ direct one. Both traces must decode (strict, no error) to the
 * same content: the same strings under the same IDs in the same order, the same stacks with the
 * same frames in the same order, and that content is the table. Only the framing may differ:
 * every EvStack length is a minimal varint in the legacy trace and exactly 10 bytes in the
 * direct one, and the flush points may move (the direct room check is the worst case).
 * st_verify_buffer accepts both traces at the writer's capacity (and with cap 0 reports an
 * interval of capacities containing it). */
#include <string.h>

#include "fuzz_table.h"
#include "stacktab/st_varint.h"

static ft_table g_table;

static void content(const ft_decoded *d, fz_log *out) {
  fz_log_put(out, d->strings.p, d->strings.len);
  for (size_t i = 0; i < d->nstacks; i++) {
    const ft_stack *s = &d->stacks[i];
    fz_log_u64(out, s->id);
    fz_log_u64(out, s->nframes);
    for (size_t k = 0; k < s->nframes && k < FT_MAX_FRAMES; k++) {
      const ft_frame *f = &s->frames[k];
      fz_log_u64(out, f->pc);
      fz_log_u64(out, f->fn_id);
      fz_log_u64(out, f->file_id);
      fz_log_u64(out, f->line);
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ft_table *t = &g_table;
  if (!ft_parse(t, data, size)) return 0;
  fz_log legacy = {0}, direct = {0};
  st_enc_status s = ft_encode(t, ST_ALGO_LEGACY, &legacy);
  FZ_CHECK(s == ST_ENC_OK, "legacy dump failed: %s", st_enc_status_str(s));
  s = ft_encode(t, ST_ALGO_DIRECT, &direct);
  FZ_CHECK(s == ST_ENC_OK, "direct dump failed: %s", st_enc_status_str(s));

  ft_decoded dl, dd;
  ft_decode(legacy.p, legacy.len, t->cap, &dl);
  ft_decode(direct.p, direct.len, t->cap, &dd);
  FZ_CHECK(dl.errors == 0, "legacy trace rejected:\n%s", (const char *)dl.diags.p);
  FZ_CHECK(dd.errors == 0, "direct trace rejected:\n%s", (const char *)dd.diags.p);
  FZ_CHECK(dl.nstrings == dd.nstrings, "%llu strings in the legacy dump, %llu in the direct one",
           (unsigned long long)dl.nstrings, (unsigned long long)dd.nstrings);
  FZ_CHECK(dl.nstacks == dd.nstacks, "%zu stacks in the legacy dump, %zu in the direct one",
           dl.nstacks, dd.nstacks);
  fz_log cl = {0}, cd = {0};
  content(&dl, &cl);
  content(&dd, &cd);
  FZ_CHECK(fz_log_equal(&cl, &cd), "legacy and direct dumps decode to different content "
           "(byte %zu of %zu/%zu)", fz_log_diff_at(&cl, &cd), cl.len, cd.len);
  for (size_t i = 0; i < dl.nstacks; i++)
    FZ_CHECK(dl.stacks[i].len_width == st_varint_size(dl.stacks[i].len),
             "legacy stack %llu: length %llu in %u bytes, not minimal",
             (unsigned long long)dl.stacks[i].id, (unsigned long long)dl.stacks[i].len,
             dl.stacks[i].len_width);
  for (size_t i = 0; i < dd.nstacks; i++)
    FZ_CHECK(dd.stacks[i].len_width == 10, "direct stack %llu: length %llu in %u bytes, not 10",
             (unsigned long long)dd.stacks[i].id, (unsigned long long)dd.stacks[i].len,
             dd.stacks[i].len_width);
  ft_check_table(t, &dl, "legacy");
  ft_check_table(t, &dd, "direct");
  /* Up to the footer (whose length the model gives) both traces are the same bytes. */
  fz_log ml = {0}, md = {0};
  ft_model_footer(t, ST_ALGO_LEGACY, &ml);
  ft_model_footer(t, ST_ALGO_DIRECT, &md);
  FZ_CHECK(legacy.len >= ml.len && direct.len >= md.len &&
               legacy.len - ml.len == direct.len - md.len &&
               fz_log_diff_at(&legacy, &direct) >= legacy.len - ml.len,
           "the traces differ before the footer");
  fz_log_free(&ml);
  fz_log_free(&md);
  ft_verify(t, ST_ALGO_LEGACY, &legacy, "legacy");
  ft_verify(t, ST_ALGO_DIRECT, &direct, "direct");
  fz_log_free(&cl);
  fz_log_free(&cd);
  ft_decoded_free(&dl);
  ft_decoded_free(&dd);
  fz_log_free(&legacy);
  fz_log_free(&direct);
  return 0;
}

/* The v2 figures of `stacktab stats`: batches by kind, tables and the sizes the runtime's
 * buffer bounds, per generation. */
#include "stats_v2.h"

#include <stdio.h>
#include <stdlib.h>

enum { B_EVENTS, B_STRINGS, B_STACKS, B_CPU, B_FREQ, B_SYNC, B_EXP, B_KINDS };
static const char *const k_kind[B_KINDS] = {"events", "strings", "stacks", "cpu",
                                            "frequency", "sync", "experimental"};

typedef struct {
  uint64_t gen, first_off, batches[B_KINDS], events, strings, stacks, frames;
  uint64_t max_batch, max_batch_off, max_stack, max_stack_off;
} gen_stats;

struct st_stats_v2 {
  int version;
  gen_stats total, cur;
  gen_stats *gens;
  size_t ngens, cap;
  uint64_t generations; /* all of them, also those whose row ran out of memory */
  uint64_t count[256], bytes[256], width[ST_VARINT_MAX + 1];
  int batch_kind_known;   /* the current batch's kind was counted */
};

st_stats_v2 *st_stats_v2_new(void) { return calloc(1, sizeof(st_stats_v2)); }

int st_stats_v2_version(const st_stats_v2 *s) { return s->version; }

static void max_at(uint64_t *max, uint64_t *at, uint64_t v, uint64_t off) {
  if (v > *max) {
    *max = v;
    *at = off;
  }
}

static void close_generation(st_stats_v2 *s) {
  if (!s->cur.gen) return;
  s->generations++;
  if (s->ngens == s->cap) {
    size_t ncap = s->cap ? s->cap * 2 : 16;
    gen_stats *g = realloc(s->gens, ncap * sizeof *g);
    if (!g) return; /* the per-generation table loses a row; the totals stay right */
    s->gens = g;
    s->cap = ncap;
  }
  s->gens[s->ngens++] = s->cur;
}

static void count_batch_kind(st_stats_v2 *s, int kind) {
  s->cur.batches[kind]++;
  s->total.batches[kind]++;
  s->batch_kind_known = 1;
}

void st_stats_v2_event(st_stats_v2 *s, const st_event *ev) {
  s->version = ev->version;
  s->count[ev->type]++;
  s->bytes[ev->type] += ev->size;
  if (ev->gen != s->cur.gen) {
    close_generation(s);
    gen_stats z = {0};
    s->cur = z;
    s->cur.gen = ev->gen;
    s->cur.first_off = ev->off;
  }
  s->cur.events++;
  s->total.events++;
  if (ev->type == ST_EV2_EVENT_BATCH || ev->type == ST_EV2_EXPERIMENTAL_BATCH) {
    s->width[ev->len_width]++;
    uint64_t whole = ev->type == ST_EV2_EXPERIMENTAL_BATCH ? ev->size : ev->size + ev->len;
    max_at(&s->cur.max_batch, &s->cur.max_batch_off, whole, ev->off);
    max_at(&s->total.max_batch, &s->total.max_batch_off, whole, ev->off);
    s->batch_kind_known = 0;
    if (ev->type == ST_EV2_EXPERIMENTAL_BATCH)
      count_batch_kind(s, B_EXP);
    else if (ev->len == 0)
      count_batch_kind(s, B_EVENTS);
    return;
  }
  if (!s->batch_kind_known) {
    switch (ev->type) {
      case ST_EV2_STRINGS: count_batch_kind(s, B_STRINGS); break;
      case ST_EV2_STACKS: count_batch_kind(s, B_STACKS); break;
      case ST_EV2_CPU_SAMPLES: count_batch_kind(s, B_CPU); break;
      case ST_EV2_SYNC: count_batch_kind(s, B_SYNC); break;
      case ST_EV2_FREQUENCY: count_batch_kind(s, B_FREQ); break;
      default: count_batch_kind(s, B_EVENTS); break;
    }
  }
  if (ev->type == ST_EV2_STRING) {
    s->cur.strings++;
    s->total.strings++;
  } else if (ev->type == ST_EV2_STACK) {
    s->cur.stacks++;
    s->total.stacks++;
    s->cur.frames += ev->nframes;
    s->total.frames += ev->nframes;
    max_at(&s->cur.max_stack, &s->cur.max_stack_off, ev->size, ev->off);
    max_at(&s->total.max_stack, &s->total.max_stack_off, ev->size, ev->off);
  }
}

static uint64_t nbatches(const gen_stats *g) {
  uint64_t n = 0;
  for (int k = 0; k < B_KINDS; k++) n += g->batches[k];
  return n;
}

void st_stats_v2_print(st_stats_v2 *s, const char *path, uint64_t buf_size) {
  close_generation(s);
  gen_stats *t = &s->total;
  printf("file            %s\n", path);
  if (s->version)
    printf("header          go %d.%d trace (v2)\n", s->version / 1000, s->version % 1000);
  printf("events          %llu\n", (unsigned long long)t->events);
  printf("generations     %llu\n", (unsigned long long)s->generations);
  printf("batches         %llu:", (unsigned long long)nbatches(t));
  for (int k = 0; k < B_KINDS; k++)
    if (t->batches[k]) printf(" %s %llu", k_kind[k], (unsigned long long)t->batches[k]);
  printf("\n");
  printf("strings         %llu\n", (unsigned long long)t->strings);
  printf("stacks          %llu\n", (unsigned long long)t->stacks);
  printf("frames          %llu\n", (unsigned long long)t->frames);
  printf("size fields     by width:");
  for (unsigned w = 1; w <= ST_VARINT_MAX; w++)
    if (s->width[w]) printf(" %u:%llu", w, (unsigned long long)s->width[w]);
  printf("\n");
  printf("largest batch   %llu bytes with its header (capacity %llu), at offset %llu\n",
         (unsigned long long)t->max_batch, (unsigned long long)buf_size,
         (unsigned long long)t->max_batch_off);
  printf("largest stack   %llu bytes, at offset %llu\n", (unsigned long long)t->max_stack,
         (unsigned long long)t->max_stack_off);
  printf("\n%-5s %10s %8s %8s %8s %8s %8s %10s %12s %12s\n", "gen", "offset", "batches",
         "strbatch", "stkbatch", "strings", "stacks", "frames", "max-batch", "max-stack");
  for (size_t i = 0; i < s->ngens; i++) {
    const gen_stats *g = &s->gens[i];
    printf("%-5llu %10llu %8llu %8llu %8llu %8llu %8llu %10llu %12llu %12llu\n",
           (unsigned long long)g->gen, (unsigned long long)g->first_off,
           (unsigned long long)nbatches(g), (unsigned long long)g->batches[B_STRINGS],
           (unsigned long long)g->batches[B_STACKS], (unsigned long long)g->strings,
           (unsigned long long)g->stacks, (unsigned long long)g->frames,
           (unsigned long long)g->max_batch, (unsigned long long)g->max_stack);
  }
  printf("\n%-20s %10s %12s\n", "event", "count", "bytes");
  for (unsigned ty = 1; ty < 256; ty++)
    if (s->count[ty])
      printf("%-20s %10llu %12llu\n", st_event_name(ty, s->version),
             (unsigned long long)s->count[ty], (unsigned long long)s->bytes[ty]);
}

void st_stats_v2_free(st_stats_v2 *s) {
  if (!s) return;
  free(s->gens);
  free(s);
}

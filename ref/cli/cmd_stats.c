/* stacktab stats: what a trace is made of, with the stack-table figures in front. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "decode_opts.h"
#include "stats_v2.h"

static const char k_help[] =
    "usage: stacktab stats [OPTIONS] FILE   (FILE may be - for stdin)\n"
    "\n"
    "v1 traces (Go 1.11-1.21). Prints: the header version; events, stacks, frames and\n"
    "strings; how many EvStack lengths\n"
    "are minimal varints and how many are padded (by width); the largest EvStack and the\n"
    "largest batch with their offsets; bytes per part (header, batch headers, strings, stacks,\n"
    "other events); then the count and bytes of each event type. Problems go to stderr as in\n"
    "`check`; the figures cover the events decoded before a fatal problem.\n"
    "\n"
    "v2 traces (Go 1.22+): the header; events, generations, batches by kind (events, strings,\n"
    "stacks, cpu, frequency, sync, experimental), strings, stacks, frames; the widths of the\n"
    "batch size fields; the largest batch (header included) against the buffer capacity\n"
    "(--buf-size, default 65504) and the largest Stack record; then one row per generation\n"
    "and the count and bytes of each event type.\n"
    "\n"
    "options:\n"
    "%s"
    "\n"
    "exit status: 0 valid, 1 invalid, 2 usage or I/O error\n";

typedef struct {
  const char *path;
  int version;
  unsigned long long count[ST_EV_COUNT], bytes[ST_EV_COUNT];
  unsigned long long events, frames, len_minimal, len_padded, width[ST_VARINT_MAX + 1];
  unsigned long long max_stack, max_stack_len, max_stack_off, max_stack_frames;
  unsigned long long batch_off, batch_bytes, max_batch, max_batch_off, nbatches;
  int at_batch_start;
  st_stats_v2 *v2;
} stats_ctx;

static void close_batch(stats_ctx *s) {
  if (s->nbatches && s->batch_bytes > s->max_batch) {
    s->max_batch = s->batch_bytes;
    s->max_batch_off = s->batch_off;
  }
}

static void on_event(void *user, const st_event *ev) {
  stats_ctx *s = user;
  if (ev->format == 2) {
    st_stats_v2_event(s->v2, ev);
    return;
  }
  s->version = ev->version;
  s->events++;
  s->count[ev->type]++;
  s->bytes[ev->type] += ev->size;
  /* Batches as the decoder measures them: a bare Go 1.19 Frequency is outside any batch. */
  if (ev->type == ST_EV_BATCH) {
    close_batch(s);
    s->nbatches++;
    s->batch_off = ev->off;
    s->batch_bytes = ev->size;
    s->at_batch_start = 1;
  } else {
    if (ev->type != ST_EV_FREQUENCY || s->at_batch_start) s->batch_bytes += ev->size;
    s->at_batch_start = 0;
  }
  if (ev->type != ST_EV_STACK) return;
  s->frames += ev->nframes;
  if (ev->has_len) {
    s->width[ev->len_width]++;
    if (ev->len_width == st_varint_size(ev->len))
      s->len_minimal++;
    else
      s->len_padded++;
  }
  if (ev->size > s->max_stack) {
    s->max_stack = ev->size;
    s->max_stack_len = ev->len;
    s->max_stack_off = ev->off;
    s->max_stack_frames = ev->nframes;
  }
}

static void on_diag(void *user, const st_diag *d) {
  st_print_diag(stderr, ((stats_ctx *)user)->path, d);
}

int st_cmd_stats(int argc, char **argv) {
  st_decode_config cfg;
  st_decode_config_default(&cfg);
  size_t chunk = 1 << 16;
  const char *path = NULL;
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, ST_DECODER_LONGOPTS,
                                       {NULL, 0, NULL, 0}};
  int c;
  st_opt_reset();
  while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (c) {
      case 'h': printf(k_help, st_opt_decoder_help); return ST_EXIT_OK;
      case '?':
      case ':': return st_opt_error("stats", c, opts, argv);
      default:
        if (st_opt_decoder(c, optarg, &cfg, &chunk) < 0) return ST_EXIT_USAGE;
    }
  }
  if (optind < argc) path = argv[optind];
  if (optind + 1 < argc) {
    fprintf(stderr, "stacktab stats: unexpected argument '%s' (see stacktab stats --help)\n",
            argv[optind + 1]);
    return ST_EXIT_USAGE;
  }
  if (!path) {
    fprintf(stderr, "stacktab stats: no FILE given (see stacktab stats --help)\n");
    return ST_EXIT_USAGE;
  }
  static stats_ctx s;
  memset(&s, 0, sizeof s);
  s.path = path;
  s.v2 = st_stats_v2_new();
  if (!s.v2) {
    fprintf(stderr, "stacktab: out of memory\n");
    return ST_EXIT_USAGE;
  }
  cfg.on_event = on_event;
  cfg.on_diag = on_diag;
  cfg.user = &s;
  int rc = st_run_decoder(path, &cfg, chunk);
  int v2 = st_stats_v2_version(s.v2) != 0;
  if (rc != ST_EXIT_USAGE && v2) st_stats_v2_print(s.v2, path, cfg.buf_size_v2);
  st_stats_v2_free(s.v2);
  if (rc == ST_EXIT_USAGE) return rc;
  if (v2) return st_cli_finish_output(rc);
  close_batch(&s);

  unsigned long long other = 0;
  for (unsigned t = 0; t < ST_EV_COUNT; t++)
    if (t != ST_EV_BATCH && t != ST_EV_STRING && t != ST_EV_STACK) other += s.bytes[t];
  printf("file            %s\n", path);
  if (s.version) printf("header          go %d.%d trace\n", s.version / 1000, s.version % 1000);
  printf("events          %llu\n", s.events);
  printf("batches         %llu\n", s.count[ST_EV_BATCH]);
  printf("strings         %llu\n", s.count[ST_EV_STRING]);
  printf("stacks          %llu\n", s.count[ST_EV_STACK]);
  printf("frames          %llu\n", s.frames);
  printf("stack lengths   %llu minimal, %llu padded; by width:", s.len_minimal, s.len_padded);
  for (unsigned w = 1; w <= ST_VARINT_MAX; w++)
    if (s.width[w]) printf(" %u:%llu", w, s.width[w]);
  printf("\n");
  printf("largest stack   %llu bytes (payload %llu), %llu frames, at offset %llu\n",
         s.max_stack, s.max_stack_len, s.max_stack_frames, s.max_stack_off);
  printf("largest batch   %llu bytes, at offset %llu\n", s.max_batch, s.max_batch_off);
  printf("bytes           header %u, batch headers %llu, strings %llu, stacks %llu, other "
         "events %llu\n",
         ST_HEADER_SIZE, s.bytes[ST_EV_BATCH], s.bytes[ST_EV_STRING], s.bytes[ST_EV_STACK], other);
  printf("\n%-20s %10s %12s\n", "event", "count", "bytes");
  for (unsigned t = 1; t < ST_EV_COUNT; t++)
    if (s.count[t])
      printf("%-20s %10llu %12llu\n", st_event_name(t, s.version), s.count[t], s.bytes[t]);
  return st_cli_finish_output(rc);
}

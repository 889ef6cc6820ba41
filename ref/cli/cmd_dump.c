/* stacktab dump: every event in file order, as text or one JSON object per line. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "decode_opts.h"
#include "json_out.h"

static const char k_help[] =
    "usage: stacktab dump [--json] [OPTIONS] FILE   (FILE may be - for stdin)\n"
    "\n"
    "Prints every event in file order on stdout; problems go to stderr as in `check`.\n"
    "With --json, one JSON object per line:\n"
    "  {\"off\":N,\"type\":\"GoCreate\",\"args\":[...]}   varints in wire order, timestamp delta\n"
    "                                            first, no length prefix\n"
    "  {\"off\":N,\"type\":\"String\",\"id\":N,\"str\":\"...\"}\n"
    "  {\"off\":N,\"type\":\"Stack\",\"id\":N,\"frames\":[{\"pc\":N,\"fn\":\"..\",\"file\":\"..\",\"line\":N}]}\n"
    "  {\"off\":N,\"type\":\"UserLog\",\"args\":[...],\"str\":\"...\"}\n"
    "type is Go's event name without \"Ev\" (Go 1.21 traces: STWStart/STWDone for 9/10).\n"
    "v2 traces (Go 1.22+): every object also has \"gen\" (its generation); batch headers are\n"
    "  {\"type\":\"EventBatch\",\"args\":[gen,m,time,size]} (ExperimentalBatch: [exp,gen,m,\n"
    "  time,size] and \"data\"); section markers (Strings, Stacks, CPUSamples, Sync) have\n"
    "  \"args\":[]; frames also carry \"fn_id\" and \"file_id\". This is the order and the\n"
    "  values of Go 1.23's `go tool trace -d=2`.\n"
    "fn and file are the resolved strings (\"\" for ID 0 or a string never defined). Names\n"
    "defined after their stack (every v2 generation; v1 in go mode) are resolved too: the\n"
    "events from that stack on are printed when the generation (v1: the trace) ends.\n"
    "Bytes that are not UTF-8 are written as \\u00XX.\n"
    "Decoding stops at a fatal error.\n"
    "\n"
    "options:\n"
    "  --json                 JSON lines instead of text\n"
    "%s"
    "\n"
    "exit status: 0 valid, 1 invalid (the events before the problem are printed), 2 usage or\n"
    "I/O error\n";

typedef struct {
  const char *path;
  int json;
} dump_ctx;

static int is_string(const st_event *ev) {
  return ev->type == (ev->format == 2 ? ST_EV2_STRING : ST_EV_STRING);
}
static int is_stack(const st_event *ev) {
  return ev->type == (ev->format == 2 ? ST_EV2_STACK : ST_EV_STACK);
}
/* Events with a byte string after their arguments: v1 UserLog's message, v2 experimental
 * batches' payload. */
static const char *trailing_key(const st_event *ev) {
  if (ev->format == 2) return ev->type == ST_EV2_EXPERIMENTAL_BATCH ? "data" : NULL;
  return ev->type == ST_EV_USER_LOG ? "str" : NULL;
}

static void text_event(const st_event *ev) {
  printf("%llu %s", (unsigned long long)ev->off, st_event_name(ev->type, ev->version));
  if (is_string(ev)) {
    printf(" id=%llu ", (unsigned long long)ev->str_id);
    st_json_string(stdout, ev->str, ev->str_len);
  } else if (is_stack(ev)) {
    printf(" id=%llu frames=%llu", (unsigned long long)ev->stack_id,
           (unsigned long long)ev->nframes);
    for (uint64_t i = 0; i < ev->nframes; i++) {
      const st_frame *f = &ev->frames[i];
      printf("\n    %#llx ", (unsigned long long)f->pc);
      st_json_string(stdout, f->fn, f->fn_len);
      putchar(' ');
      st_json_string(stdout, f->file, f->file_len);
      printf(":%llu", (unsigned long long)f->line);
    }
  } else {
    for (unsigned i = 0; i < ev->nargs; i++) printf(" %llu", (unsigned long long)ev->args[i]);
    if (trailing_key(ev)) {
      putchar(' ');
      st_json_string(stdout, ev->str, ev->str_len);
    }
  }
  putchar('\n');
}

static void json_event(const st_event *ev) {
  printf("{\"off\":%llu,", (unsigned long long)ev->off);
  if (ev->format == 2) printf("\"gen\":%llu,", (unsigned long long)ev->gen);
  printf("\"type\":\"%s\"", st_event_name(ev->type, ev->version));
  if (is_string(ev)) {
    printf(",\"id\":%llu,\"str\":", (unsigned long long)ev->str_id);
    st_json_string(stdout, ev->str, ev->str_len);
  } else if (is_stack(ev)) {
    printf(",\"id\":%llu,\"frames\":[", (unsigned long long)ev->stack_id);
    for (uint64_t i = 0; i < ev->nframes; i++) {
      const st_frame *f = &ev->frames[i];
      printf("%s{\"pc\":%llu,", i ? "," : "", (unsigned long long)f->pc);
      /* v2 listings (go tool trace -d=2) show the string IDs; v1 golden files do not. */
      if (ev->format == 2) printf("\"fn_id\":%llu,", (unsigned long long)f->fn_id);
      fputs("\"fn\":", stdout);
      st_json_string(stdout, f->fn, f->fn_len);
      if (ev->format == 2) printf(",\"file_id\":%llu", (unsigned long long)f->file_id);
      fputs(",\"file\":", stdout);
      st_json_string(stdout, f->file, f->file_len);
      printf(",\"line\":%llu}", (unsigned long long)f->line);
    }
    putchar(']');
  } else {
    fputs(",\"args\":[", stdout);
    for (unsigned i = 0; i < ev->nargs; i++)
      printf("%s%llu", i ? "," : "", (unsigned long long)ev->args[i]);
    putchar(']');
    const char *key = trailing_key(ev);
    if (key) {
      printf(",\"%s\":", key);
      st_json_string(stdout, ev->str, ev->str_len);
    }
  }
  puts("}");
}

static void on_event(void *user, const st_event *ev) {
  dump_ctx *c = user;
  if (c->json)
    json_event(ev);
  else
    text_event(ev);
}

static void on_diag(void *user, const st_diag *d) {
  dump_ctx *c = user;
  fflush(stdout);
  st_print_diag(stderr, c->path, d);
}

int st_cmd_dump(int argc, char **argv) {
  st_decode_config cfg;
  st_decode_config_default(&cfg);
  size_t chunk = 1 << 16;
  const char *path = NULL;
  dump_ctx c = {NULL, 0};
  enum { OPT_JSON = 0x200 };
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {"json", no_argument, NULL, OPT_JSON},
                                       ST_DECODER_LONGOPTS,
                                       {NULL, 0, NULL, 0}};
  int opt;
  st_opt_reset();
  while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
    switch (opt) {
      case 'h': printf(k_help, st_opt_decoder_help); return ST_EXIT_OK;
      case OPT_JSON: c.json = 1; break;
      case '?':
      case ':': return st_opt_error("dump", opt, opts, argv);
      default:
        if (st_opt_decoder(opt, optarg, &cfg, &chunk) < 0) return ST_EXIT_USAGE;
    }
  }
  if (optind < argc) path = argv[optind];
  if (optind + 1 < argc) {
    fprintf(stderr, "stacktab dump: unexpected argument '%s' (see stacktab dump --help)\n",
            argv[optind + 1]);
    return ST_EXIT_USAGE;
  }
  if (!path) {
    fprintf(stderr, "stacktab dump: no FILE given (see stacktab dump --help)\n");
    return ST_EXIT_USAGE;
  }
  c.path = path;
  cfg.on_event = on_event;
  cfg.on_diag = on_diag;
  cfg.user = &c;
  return st_cli_finish_output(st_run_decoder(path, &cfg, chunk));
}

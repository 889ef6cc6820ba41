/* stacktab verify-dump: a trace's stack and string tables against the reference writer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "decode_opts.h"
#include "json_out.h"
#include "stacktab/st_verify.h"

static const char k_help[] =
    "usage: stacktab verify-dump [OPTIONS] FILE...   (FILE may be - for stdin)\n"
    "\n"
    "Checks that a trace's stack and string tables are exactly what the reference writer\n"
    "writes for the same strings and stacks, in the order the file lists them (strings\n"
    "defined before the tables counted as interned, batch times taken from the file):\n"
    "  v1: the dump region - Go 1.11-1.19 (legacy: minimal EvStack lengths, after a bare\n"
    "      Frequency) or Go 1.20-1.21 (direct: 10-byte lengths, after the pid-0 batch that\n"
    "      starts with the Frequency); the algorithm comes from the EvStack lengths (most\n"
    "      of them 10 bytes: direct);\n"
    "  v2: each generation's string and stack batches.\n"
    "Every record must be in the reference's form, every flush where the room check puts it,\n"
    "every string where the reference interns it; then the region, written again by the\n"
    "library, must be the file's byte for byte. The buffer capacity is worked out from the\n"
    "file's own flush points (the interval of capacities consistent with them; verified at\n"
    "its smallest) unless --cap is given.\n"
    "\n"
    "A trace that does not decode is reported as `check` reports it (exit 1). A difference:\n"
    "  FILE:OFFSET: DUMP-ID: message\n"
    "OFFSET is the offset of the event where the file departs from the reference. IDs:\n"
    "DUMP-REGION, DUMP-FREQ, DUMP-BATCH-HEADER, DUMP-SIZE-WIDTH, DUMP-LEN-WIDTH, DUMP-RECORD,\n"
    "DUMP-ROOM (written past the room check), DUMP-FLUSH-EARLY (a flush where the record\n"
    "still fitted), DUMP-STRING-ORDER, DUMP-STRING-CUT, DUMP-BYTES (conformance/RULES.md).\n"
    "A verified file prints one line: the algorithm, the capacity interval (N..inf when no\n"
    "flush bounds it above), stacks, strings, batches and flushes.\n"
    "\n"
    "options:\n"
    "  --algorithm=legacy|direct  v1: verify against this algorithm (default: detected)\n"
    "  --cap=N                    verify at buffer capacity N (v1: bytes after EvBatch's\n"
    "                             start, 64488 for the 64-bit runtime; v2: with the batch\n"
    "                             header, 65504)\n"
    "  --all                      every difference, not only the first\n"
    "  --json                     one JSON object per file\n"
    "  --mode=strict|go           rules the trace must pass first (default strict)\n"
    "  -q, --quiet                print nothing; only the exit status\n"
    "\n"
    "exit status: 0 every file is the reference's, 1 a file differs or does not decode,\n"
    "2 usage or I/O error\n";

enum { OPT_ALGO = 0x200, OPT_CAP, OPT_ALL, OPT_JSON, OPT_MODE };

typedef struct {
  const char *path;
  int all, json, quiet, shown;
  int first_item;
} vctx_cli;

static void json_msg(const char *s) { st_json_string(stdout, (const unsigned char *)s, strlen(s)); }

static void on_diff(void *user, const st_verify_diff *d) {
  vctx_cli *c = user;
  if (c->quiet || (!c->all && c->shown)) return;
  c->shown++;
  if (c->json) {
    printf("%s{\"off\":%llu,\"id\":\"%s\",\"message\":", c->first_item ? "" : ",",
           (unsigned long long)d->off, st_verify_kind_id(d->kind));
    json_msg(d->message);
    putchar('}');
    c->first_item = 0;
  } else {
    printf("%s:%llu: %s: %s\n", c->path, (unsigned long long)d->off, st_verify_kind_id(d->kind),
           d->message);
  }
}

static void on_diag(void *user, const st_diag *d) {
  vctx_cli *c = user;
  if (c->quiet || d->severity == ST_SEV_WARNING) return;
  if (c->json) {
    printf("%s{\"off\":%llu,\"id\":\"%s\",\"message\":", c->first_item ? "" : ",",
           (unsigned long long)d->off, st_rule_id(d->rule));
    json_msg(d->message);
    putchar('}');
    c->first_item = 0;
  } else {
    st_print_diag(stdout, c->path, d);
  }
}

static const char *algo_name(st_verify_algo a) {
  return a == ST_VERIFY_V2 ? "v2" : a == ST_VERIFY_DIRECT ? "direct" : "legacy";
}

static void summary(const vctx_cli *c, const st_verify_result *r) {
  char hi[32];
  if (r->cap_max == UINT64_MAX) snprintf(hi, sizeof hi, "inf");
  else snprintf(hi, sizeof hi, "%llu", (unsigned long long)r->cap_max);
  if (c->json) {
    printf("],\"format\":%d,\"version\":%d,\"algorithm\":\"%s\",\"cap_min\":%llu,\"cap_max\":%s,"
           "\"cap_used\":%llu,\"generations\":%llu,\"stacks\":%llu,\"strings\":%llu,"
           "\"batches\":%llu,\"flushes\":%llu}\n",
           r->format, r->version, algo_name(r->algo), (unsigned long long)r->cap_min,
           r->cap_max == UINT64_MAX ? "null" : hi, (unsigned long long)r->cap_used,
           (unsigned long long)r->generations, (unsigned long long)r->stacks,
           (unsigned long long)r->strings, (unsigned long long)r->batches,
           (unsigned long long)r->flushes);
    return;
  }
  if (c->quiet) return; /* text: called only for ST_OK, i.e. no difference */
  if (r->format == 2)
    printf("%s: v2 (go 1.%d), %llu generation(s): capacity %llu..%s (verified at %llu), %llu stacks, "
           "%llu strings, %llu batch(es), %llu flush(es): the reference's\n",
           c->path, r->version % 1000, (unsigned long long)r->generations,
           (unsigned long long)r->cap_min, hi, (unsigned long long)r->cap_used,
           (unsigned long long)r->stacks, (unsigned long long)r->strings,
           (unsigned long long)r->batches, (unsigned long long)r->flushes);
  else
    printf("%s: %s dump (go 1.%d): capacity %llu..%s (verified at %llu), %llu stacks, %llu "
           "strings, %llu batch(es), %llu flush(es): the reference's\n",
           c->path, algo_name(r->algo), r->version % 1000, (unsigned long long)r->cap_min, hi,
           (unsigned long long)r->cap_used, (unsigned long long)r->stacks,
           (unsigned long long)r->strings, (unsigned long long)r->batches,
           (unsigned long long)r->flushes);
}

int st_cmd_verify(int argc, char **argv) {
  st_verify_config cfg;
  st_verify_config_default(&cfg);
  vctx_cli c = {NULL, 0, 0, 0, 0, 1};
  int opt;
  unsigned long long n;
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"algorithm", required_argument, NULL, OPT_ALGO},
                                       {"cap", required_argument, NULL, OPT_CAP},
                                       {"all", no_argument, NULL, OPT_ALL},
                                       {"json", no_argument, NULL, OPT_JSON},
                                       {"mode", required_argument, NULL, OPT_MODE},
                                       {NULL, 0, NULL, 0}};
  st_opt_reset();
  while ((opt = getopt_long(argc, argv, ":hq", opts, NULL)) != -1) {
    switch (opt) {
      case 'h': fputs(k_help, stdout); return ST_EXIT_OK;
      case 'q': c.quiet = 1; break;
      case OPT_ALL: c.all = 1; break;
      case OPT_JSON: c.json = 1; break;
      case OPT_ALGO:
        if (!strcmp(optarg, "legacy")) cfg.algo = ST_VERIFY_LEGACY;
        else if (!strcmp(optarg, "direct")) cfg.algo = ST_VERIFY_DIRECT;
        else {
          fprintf(stderr, "stacktab verify-dump: --algorithm must be legacy or direct, not '%s'\n",
                  optarg);
          return ST_EXIT_USAGE;
        }
        break;
      case OPT_CAP:
        if (st_opt_u64(optarg, &n) || n == 0) {
          fprintf(stderr, "stacktab verify-dump: --cap needs a positive whole number, not '%s'\n",
                  optarg);
          return ST_EXIT_USAGE;
        }
        cfg.cap = n;
        break;
      case OPT_MODE:
        if (!strcmp(optarg, "strict")) cfg.mode = ST_MODE_STRICT;
        else if (!strcmp(optarg, "go")) cfg.mode = ST_MODE_GO;
        else {
          fprintf(stderr, "stacktab verify-dump: --mode must be strict or go, not '%s'\n", optarg);
          return ST_EXIT_USAGE;
        }
        break;
      default: return st_opt_error("verify-dump", opt, opts, argv);
    }
  }
  int nfiles = argc - optind;
  argv += optind;
  if (nfiles == 0) {
    fprintf(stderr, "stacktab verify-dump: no FILE given (see stacktab verify-dump --help)\n");
    return ST_EXIT_USAGE;
  }
  int worst = ST_EXIT_OK;
  for (int k = 0; k < nfiles; k++) {
    size_t len;
    unsigned char *data = st_cli_read_all(argv[k], &len);
    if (!data) {
      worst = ST_EXIT_USAGE;
      continue;
    }
    c.path = argv[k];
    c.shown = 0;
    c.first_item = 1;
    cfg.on_diff = on_diff;
    cfg.on_diag = on_diag;
    cfg.user = &c;
    if (c.json) {
      printf("{\"file\":");
      json_msg(c.path);
      printf(",\"problems\":[");
    }
    st_verify_result r;
    st_status s = st_verify_buffer(&cfg, data, len, &r);
    free(data);
    int rc = ST_EXIT_OK;
    if (s == ST_E_NOMEM || s == ST_E_PARAM) {
      fprintf(stderr, "stacktab: %s: %s\n", c.path,
              s == ST_E_NOMEM ? "out of memory" : "bad verify configuration");
      rc = ST_EXIT_USAGE;
    } else if (s != ST_OK) {
      rc = ST_EXIT_INVALID;
    }
    if (c.json) {
      summary(&c, &r);
      if (rc == ST_EXIT_USAGE) printf("\n");
    } else if (rc == ST_EXIT_OK) {
      summary(&c, &r);
    }
    if (rc > worst) worst = rc;
  }
  return st_cli_finish_output(worst);
}

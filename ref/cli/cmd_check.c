/* stacktab check: validate traces; one line per problem. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "decode_opts.h"

static const char k_help[] =
    "usage: stacktab check [OPTIONS] FILE...   (FILE may be - for stdin)\n"
    "\n"
    "Validates each trace (v1, Go 1.11-1.21, or v2, Go 1.22+: the header picks the format)\n"
    "and prints one line per problem:\n"
    "  FILE:OFFSET: RULE-ID: message            (an error)\n"
    "  FILE:OFFSET: RULE-ID: warning: message   (a warning)\n"
    "OFFSET is the byte offset of the offending event's first byte (0 for the header).\n"
    "The rule IDs are listed in conformance/RULES.md. Nothing is printed for a valid trace.\n"
    "\n"
    "options:\n"
    "  -w, --werror           warnings make the trace invalid too\n"
    "  -q, --quiet            print nothing; only the exit status\n"
    "%s"
    "\n"
    "exit status: 0 every file valid, 1 any file invalid, 2 usage or I/O error\n";

typedef struct {
  const char *path;
  int quiet;
  unsigned long long warnings;
} check_ctx;

static void on_diag(void *user, const st_diag *d) {
  check_ctx *c = user;
  if (d->severity == ST_SEV_WARNING) c->warnings++;
  if (!c->quiet) st_print_diag(stdout, c->path, d);
}

int st_cmd_check(int argc, char **argv) {
  st_decode_config cfg;
  st_decode_config_default(&cfg);
  size_t chunk = 1 << 16;
  int werror = 0, quiet = 0, opt;
  static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"werror", no_argument, NULL, 'w'},
                                       ST_DECODER_LONGOPTS,
                                       {NULL, 0, NULL, 0}};
  st_opt_reset();
  while ((opt = getopt_long(argc, argv, ":hqw", opts, NULL)) != -1) {
    switch (opt) {
      case 'h': printf(k_help, st_opt_decoder_help); return ST_EXIT_OK;
      case 'q': quiet = 1; break;
      case 'w': werror = 1; break;
      case '?':
      case ':': return st_opt_error("check", opt, opts, argv);
      default:
        if (st_opt_decoder(opt, optarg, &cfg, &chunk) < 0) return ST_EXIT_USAGE;
    }
  }
  /* getopt_long moved the operands, in order, to argv[optind..]. */
  int nfiles = argc - optind;
  argv += optind - 1;
  if (nfiles == 0) {
    fprintf(stderr, "stacktab check: no FILE given (see stacktab check --help)\n");
    return ST_EXIT_USAGE;
  }
  int worst = ST_EXIT_OK;
  for (int k = 0; k < nfiles; k++) {
    check_ctx c = {argv[1 + k], quiet, 0};
    cfg.on_diag = on_diag;
    cfg.user = &c;
    int rc = st_run_decoder(c.path, &cfg, chunk);
    if (rc == ST_EXIT_OK && werror && c.warnings) rc = ST_EXIT_INVALID;
    /* 2 (I/O) outranks 1 (invalid) outranks 0. */
    if (rc > worst) worst = rc;
  }
  return worst;
}

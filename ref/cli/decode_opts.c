#include "decode_opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char st_opt_decoder_help[] =
    "  --mode=strict|go       strict (default): every rule; go: only what Go's reader rejects\n"
    "                         at framing and table level (v1: Go 1.19's, v2: Go 1.23's), plus a\n"
    "                         v1 file cut inside a UserLog message, go 1.7-1.10 headers and the\n"
    "                         --max-* limits (see \"Where go mode is stricter\" in RULES.md)\n"
    "  --buf-size=N           writer buffer capacity for BATCH-TOO-LARGE (default: v1 64488\n"
    "                         bytes after EvBatch's; v2 65504 bytes, batch header included)\n"
    "  --max-strings=N        string table limit, count (default 1048576)\n"
    "  --max-string-bytes=N   string table limit, bytes (default 33554432)\n"
    "  --max-stacks=N         stack-ID table limit (default 67108864)\n"
    "  --chunk-size=N         bytes per push into the decoder (default 65536; any gives the\n"
    "                         same result)\n";

int st_opt_u64(const char *s, unsigned long long *v) {
  if (!*s || *s == '-' || *s == '+') return -1;
  char *end;
  errno = 0;
  *v = strtoull(s, &end, 10);
  return (*end || errno) ? -1 : 0;
}

int st_opt_decoder(int opt, const char *val, st_decode_config *cfg, size_t *chunk) {
  unsigned long long n;
  if (opt == ST_OPT_MODE) {
    if (!strcmp(val, "strict"))
      cfg->mode = ST_MODE_STRICT;
    else if (!strcmp(val, "go"))
      cfg->mode = ST_MODE_GO;
    else {
      fprintf(stderr, "stacktab: --mode must be strict or go, not '%s'\n", val);
      return -1;
    }
    return 1;
  }
  static const char *const names[] = {"--buf-size", "--max-strings", "--max-string-bytes",
                                      "--max-stacks", "--chunk-size"};
  if (opt < ST_OPT_BUF_SIZE || opt > ST_OPT_CHUNK_SIZE) return 0;
  unsigned i = (unsigned)(opt - ST_OPT_BUF_SIZE);
  if (st_opt_u64(val, &n) || n == 0) {
    fprintf(stderr, "stacktab: %s needs a positive whole number, not '%s'\n", names[i], val);
    return -1;
  }
  switch (opt) {
    case ST_OPT_BUF_SIZE: cfg->buf_size = cfg->buf_size_v2 = n; break;
    case ST_OPT_MAX_STRINGS: cfg->limits.max_strings = n; break;
    case ST_OPT_MAX_STRING_BYTES: cfg->limits.max_string_bytes = n; break;
    case ST_OPT_MAX_STACKS: cfg->limits.max_stacks = n; break;
    default: *chunk = (size_t)n; break;
  }
  return 1;
}

void st_opt_reset(void) {
  /* glibc: optind 0 reinitialises getopt completely (also its position inside a bundle). */
  optind = 0;
  opterr = 0;
}

/* The long name of a known option: every value getopt_long reports for ':' (and, after
 * known(), for '?') is in the command's table. */
static const char *long_name(int val, const struct option *opts) {
  while (opts->val != val) opts++;
  return opts->name;
}

static int known(int val, const struct option *opts) {
  for (const struct option *o = opts; o->name; o++)
    if (o->val == val) return 1;
  return 0;
}

int st_opt_error(const char *cmd, int c, const struct option *opts, char **argv) {
  if (c == ':') {
    fprintf(stderr, "stacktab %s: option '--%s' needs a value (see stacktab %s --help)\n", cmd,
            long_name(optopt, opts), cmd);
  } else if (optopt == 0) {
    /* An unknown (or ambiguous) long option: it is the element getopt just stepped over. */
    fprintf(stderr, "stacktab %s: unknown option '%s' (see stacktab %s --help)\n", cmd,
            argv[optind - 1], cmd);
  } else if (known(optopt, opts)) {
    /* A known long option without a value, given one: --quiet=1. */
    fprintf(stderr, "stacktab %s: option '--%s' takes no value (see stacktab %s --help)\n", cmd,
            long_name(optopt, opts), cmd);
  } else {
    fprintf(stderr, "stacktab %s: unknown option '-%c' (see stacktab %s --help)\n", cmd,
            optopt, cmd);
  }
  return ST_EXIT_USAGE;
}

void st_print_diag(FILE *f, const char *path, const st_diag *d) {
  fprintf(f, "%s:%llu: %s: %s%s\n", path, (unsigned long long)d->off, st_rule_id(d->rule),
          d->severity == ST_SEV_WARNING ? "warning: " : "", d->message);
}

int st_run_decoder(const char *path, const st_decode_config *cfg, size_t chunk) {
  FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  if (!f) {
    fprintf(stderr, "stacktab: %s: %s\n", path, strerror(errno));
    return ST_EXIT_USAGE;
  }
  st_decoder d;
  st_status s = st_decoder_init(&d, cfg);
  unsigned char *buf = s == ST_OK ? malloc(chunk) : NULL;
  int rc = ST_EXIT_OK;
  if (!buf) {
    fprintf(stderr, "stacktab: %s: out of memory\n", path);
    rc = ST_EXIT_USAGE;
  } else {
    size_t n;
    const int mapped = st_push_mapped(f, path, &d, chunk, &s);
    if (mapped < 0) errno = EIO;
    while (mapped == 0 && s != ST_E_NOMEM && (n = fread(buf, 1, chunk, f)) > 0)
      s = st_decoder_push(&d, buf, n);
    if (mapped < 0 || ferror(f)) {
      fprintf(stderr, "stacktab: %s: read error: %s\n", path, strerror(errno));
      rc = ST_EXIT_USAGE;
    } else if (s == ST_E_NOMEM) {
      fprintf(stderr, "stacktab: %s: out of memory\n", path);
      rc = ST_EXIT_USAGE;
    } else {
      s = st_decoder_finish(&d);
      rc = s == ST_OK ? ST_EXIT_OK : ST_EXIT_INVALID;
    }
  }
  free(buf);
  st_decoder_free(&d);
  if (f != stdin) fclose(f);
  return rc;
}

#include "decode_opts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char st_opt_decoder_help[] =
    "  --mode=strict|go       strict (default): every rule; go: only what Go's reader rejects\n"
    "                         at framing and table level (v1: Go 1.19's, v2: Go 1.23's)\n"
    "  --buf-size=N           writer buffer capacity for BATCH-TOO-LARGE (default: v1 64488\n"
    "                         bytes after EvBatch's; v2 65504 bytes, batch header included)\n"
    "  --max-strings=N        string table limit, count (default 1048576)\n"
    "  --max-string-bytes=N   string table limit, bytes (default 33554432)\n"
    "  --max-stacks=N         stack-ID table limit (default 1048576)\n"
    "  --chunk-size=N         bytes per push into the decoder (default 65536; any gives the\n"
    "                         same result)\n";

int st_opt_u64(const char *s, unsigned long long *v) {
  if (!*s || *s == '-' || *s == '+') return -1;
  char *end;
  errno = 0;
  *v = strtoull(s, &end, 10);
  return (*end || errno) ? -1 : 0;
}

static int opt_value(const char *arg, const char *name, const char **val) {
  size_t n = strlen(name);
  if (strncmp(arg, name, n) != 0 || arg[n] != '=') return 0;
  *val = arg + n + 1;
  return 1;
}

int st_opt_decoder(const char *arg, st_decode_config *cfg, size_t *chunk) {
  const char *v;
  unsigned long long n;
  if (opt_value(arg, "--mode", &v)) {
    if (!strcmp(v, "strict"))
      cfg->mode = ST_MODE_STRICT;
    else if (!strcmp(v, "go"))
      cfg->mode = ST_MODE_GO;
    else {
      fprintf(stderr, "stacktab: --mode must be strict or go, not '%s'\n", v);
      return -1;
    }
    return 1;
  }
  static const char *const names[] = {"--buf-size", "--max-strings", "--max-string-bytes",
                                      "--max-stacks", "--chunk-size"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (!opt_value(arg, names[i], &v)) continue;
    if (st_opt_u64(v, &n) || n == 0) {
      fprintf(stderr, "stacktab: %s needs a positive whole number, not '%s'\n", names[i], v);
      return -1;
    }
    switch (i) {
      case 0: cfg->buf_size = cfg->buf_size_v2 = n; break;
      case 1: cfg->limits.max_strings = n; break;
      case 2: cfg->limits.max_string_bytes = n; break;
      case 3: cfg->limits.max_stacks = n; break;
      default: *chunk = (size_t)n; break;
    }
    return 1;
  }
  return 0;
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
    while ((n = fread(buf, 1, chunk, f)) > 0) {
      s = st_decoder_push(&d, buf, n);
      if (s == ST_E_NOMEM) break;
    }
    if (ferror(f)) {
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

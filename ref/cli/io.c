#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

unsigned char *st_cli_read_all(const char *path, size_t *len) {
  FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
  if (!f) {
    fprintf(stderr, "stacktab: %s: %s\n", path, strerror(errno));
    return NULL;
  }
  size_t cap = 1 << 16, n = 0;
  unsigned char *p = malloc(cap);
  while (p) {
    if (n == cap) {
      unsigned char *q = realloc(p, cap * 2);
      if (!q) {
        free(p);
        p = NULL;
        break;
      }
      p = q;
      cap *= 2;
    }
    /* p is non-NULL here (loop condition; the realloc failure path breaks out), which
     * cppcheck 2.10 does not see through the break. */
    size_t got = fread(p + n, 1, cap - n, f);  /* cppcheck-suppress nullPointerArithmeticRedundantCheck */
    if (got == 0) break;
    n += got;
  }
  int bad = !p || ferror(f);
  if (bad) fprintf(stderr, "stacktab: %s: %s\n", path, p ? "read error" : "out of memory");
  if (f != stdin) fclose(f);
  if (bad) {
    free(p);
    return NULL;
  }
  *len = n;
  return p;
}

int st_cli_finish_output(int rc) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "stacktab: writing output: %s\n", strerror(errno));
    return ST_EXIT_USAGE;
  }
  return rc;
}

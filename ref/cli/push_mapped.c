/* Pushing a regular file into a decoder from memory maps rather than read(): the kernel then
 * maps the page cache's pages instead of copying them (a quarter of `check`'s time on a
 * stack table went to that copy). A window of 64 pushes is mapped at a time and unmapped
 * before the next, so memory stays bounded whatever the file's size. */
#if defined(__unix__) || defined(__APPLE__)
/* A feature-test macro (MAP_POPULATE, sigaction): its name is the C library's to choose. */
#define _DEFAULT_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "cli.h"
#include "decode_opts.h"

#if defined(__unix__) || defined(__APPLE__)

/* A file cut short by someone else while it is mapped raises SIGBUS when the missing pages
 * are touched: report it and exit like a read error instead of dying. The path is kept for
 * the handler, which may only use async-signal-safe calls. No test can cut a file at the
 * right moment without a race, so the handler is outside the coverage count; checked by hand
 * (`stacktab check BIG & sleep 0.1; kill -BUS $!`: the message below, exit status 2). */
static const char *volatile g_path;

/* LCOV_EXCL_START */
static void put(const char *s) {
  size_t n = strlen(s);
  while (n > 0) {
    ssize_t k = write(2, s, n);
    if (k <= 0) return;
    s += k;
    n -= (size_t)k;
  }
}

static void on_sigbus(int sig) {
  (void)sig;
  put("stacktab: ");
  put(g_path ? g_path : "input");
  put(": read error: the file shrank while it was read\n");
  _exit(ST_EXIT_USAGE);
}
/* LCOV_EXCL_STOP */

int st_push_mapped(FILE *f, const char *path, st_decoder *d, size_t chunk, st_status *s) {
  struct stat st;
  const int fd = fileno(f);
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) return 0;
  const long page = sysconf(_SC_PAGESIZE);
  if (page <= 0 || chunk > ((size_t)1 << 30)) return 0; /* (a push of over 1 GiB: read it) */
  /* 64 pushes, whole pages: mmap offsets must be page multiples. */
  size_t window = chunk * 64;
  window += (size_t)page - window % (size_t)page;
  const uint64_t size = (uint64_t)st.st_size;

  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigbus;
  sigemptyset(&sa.sa_mask);
  g_path = path;
  (void)sigaction(SIGBUS, &sa, &old); /* without it a SIGBUS ends the process, as before */
  int flags = MAP_PRIVATE;
#ifdef MAP_POPULATE
  flags |= MAP_POPULATE; /* the window's pages at once, not a fault per few pages */
#endif
  int done = 1;
  for (uint64_t at = 0; at < size; at += window) {
    const size_t len = size - at < window ? (size_t)(size - at) : window;
    void *m = mmap(NULL, len, PROT_READ, flags, fd, (off_t)at);
    if (m == MAP_FAILED) { /* not mappable: read instead; part-way: a read error */
      done = at == 0 ? 0 : -1; /* LCOV_EXCL_LINE (no file here refuses mmap) */
      break;                   /* LCOV_EXCL_LINE */
    }
    const uint8_t *p = m;
    for (size_t o = 0; o < len && *s != ST_E_NOMEM; o += chunk)
      *s = st_decoder_push(d, p + o, len - o < chunk ? len - o : chunk);
    munmap(m, len);
    if (*s == ST_E_NOMEM) break;
  }
  sigaction(SIGBUS, &old, NULL);
  g_path = NULL;
  return done;
}

#else

int st_push_mapped(FILE *f, const char *path, st_decoder *d, size_t chunk, st_status *s) {
  (void)f, (void)path, (void)d, (void)chunk, (void)s;
  return 0;
}

#endif

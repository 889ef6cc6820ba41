/* LD_PRELOAD shim for test_cli_oom: the Nth allocating call made while the program's main runs
 * (malloc, calloc, realloc to a nonzero size; N from ST_FAIL_ALLOC) returns NULL with ENOMEM,
 * once, and creates the file named by ST_FAIL_ALLOC_MARK so that the test knows it happened.
 * Allocations before main and after exit() begins are never failed: they are not the CLI's
 * (the dynamic loader's, gcov's data dump in a coverage build). Everything goes to glibc's
 * own allocator. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdint.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static long g_fail_at, g_calls;
static int g_armed;

static int fail_now(void) {
  if (!g_armed || ++g_calls != g_fail_at) return 0;
  const char *mark = getenv("ST_FAIL_ALLOC_MARK"); /* getenv allocates nothing */
  if (mark) {
    int fd = open(mark, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) close(fd);
  }
  errno = ENOMEM;
  return 1;
}

void *malloc(size_t n) { return fail_now() ? NULL : __libc_malloc(n); }
void *calloc(size_t n, size_t m) { return fail_now() ? NULL : __libc_calloc(n, m); }
void *realloc(void *p, size_t n) {
  if (n && fail_now()) return NULL;
  return __libc_realloc(p, n);
}

static void disarm(void) { g_armed = 0; }

typedef int (*main_fn)(int, char **, char **);
static main_fn g_main;

static int armed_main(int argc, char **argv, char **envp) {
  const char *v = getenv("ST_FAIL_ALLOC");
  for (; v && *v >= '0' && *v <= '9'; v++) g_fail_at = g_fail_at * 10 + (*v - '0');
  atexit(disarm); /* registered after the loader's and gcov's exit work: runs before them */
  g_armed = g_fail_at > 0;
  return g_main(argc, argv, envp);
}

typedef int (*start_fn)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void),
                        void *);

int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void),
                      void (*fini)(void), void (*rtld_fini)(void), void *stack_end) {
  g_main = main;
  start_fn real = (start_fn)(uintptr_t)dlsym(RTLD_NEXT, "__libc_start_main");
  return real(armed_main, argc, argv, init, fini, rtld_fini, stack_end);
}

/* See st_test_cli.h. */
#define _POSIX_C_SOURCE 200809L
#include "st_test_cli.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_TEMPS 64
static char g_temps[MAX_TEMPS][64];
static int g_ntemps;

const char *stt_temp_with(const void *data, size_t len) {
  assert_true(g_ntemps < MAX_TEMPS);
  char *path = g_temps[g_ntemps++];
  snprintf(path, 64, "/tmp/stacktab-cli-XXXXXX");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  const uint8_t *p = data;
  while (len) {
    ssize_t n = write(fd, p, len);
    assert_true(n > 0);
    p += n;
    len -= (size_t)n;
  }
  close(fd);
  return path;
}

const char *stt_temp_trace(void (*build)(stt_bytes *)) {
  stt_bytes b = {0};
  build(&b);
  const char *p = stt_temp_with(b.p, b.len);
  stt_free(&b);
  return p;
}

int stt_temps_cleanup(void **state) {
  (void)state;
  for (int i = 0; i < g_ntemps; i++) unlink(g_temps[i]);
  g_ntemps = 0;
  return 0;
}

static char *slurp_fd(int fd) {
  off_t end = lseek(fd, 0, SEEK_END);
  assert_true(end >= 0);
  char *s = malloc((size_t)end + 1);
  assert_non_null(s);
  assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
  size_t got = 0;
  while (got < (size_t)end) {
    ssize_t n = read(fd, s + got, (size_t)end - got);
    assert_true(n > 0);
    got += (size_t)n;
  }
  s[got] = '\0';
  return s;
}

static void run_cli(stt_cli_result *r, const char *stdin_path, int piped,
                    const char *const *args) {
  char outp[] = "/tmp/stacktab-cli-out-XXXXXX", errp[] = "/tmp/stacktab-cli-err-XXXXXX";
  int ofd = mkstemp(outp), efd = mkstemp(errp);
  assert_true(ofd >= 0 && efd >= 0);
  unlink(outp);
  unlink(errp);
  const char *argv[16];
  int n = 0;
  argv[n++] = ST_CLI_PATH;
  for (; args[n - 1] && n < 15; n++) argv[n] = args[n - 1];
  assert_null(args[n - 1]); /* more arguments than argv holds */
  argv[n] = NULL;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int in = open(stdin_path ? stdin_path : "/dev/null", O_RDONLY);
    if (in >= 0 && piped) { /* a writer process copies the file into a pipe */
      int fds[2];
      if (pipe(fds) != 0) _exit(127);
      pid_t w = fork();
      if (w < 0) _exit(127);
      if (w == 0) {
        close(fds[0]);
        char b[4096];
        ssize_t k;
        while ((k = read(in, b, sizeof b)) > 0)
          if (write(fds[1], b, (size_t)k) != k) break;
        _exit(0);
      }
      close(fds[1]);
      close(in);
      in = fds[0];
    }
    if (in < 0 || dup2(in, 0) < 0 || dup2(ofd, 1) < 0 || dup2(efd, 2) < 0) _exit(127);
    execv(ST_CLI_PATH, (char *const *)argv);
    _exit(126);
  }
  int st = 0;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  assert_true(WIFEXITED(st)); /* no crash, no signal */
  r->rc = WEXITSTATUS(st);
  assert_true(r->rc != 126 && r->rc != 127);
  r->out = slurp_fd(ofd);
  r->err = slurp_fd(efd);
  close(ofd);
  close(efd);
}

void stt_cli(stt_cli_result *r, const char *stdin_path, const char *const *args) {
  run_cli(r, stdin_path, 0, args);
}

void stt_cli_piped(stt_cli_result *r, const char *stdin_path, const char *const *args) {
  run_cli(r, stdin_path, 1, args);
}

void stt_cli_result_free(stt_cli_result *r) {
  free(r->out);
  free(r->err);
}

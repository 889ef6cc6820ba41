/* Running the stacktab CLI from a test: temporary input files and one child process per call,
 * with its exit status, standard output and standard error captured. */
#ifndef ST_TEST_CLI_H
#define ST_TEST_CLI_H

#include "st_test_util.h"

/* A temporary file holding data (removed by stt_temps_cleanup); its path stays valid until then. */
const char *stt_temp_with(const void *data, size_t len);
/* A temporary file holding the trace that build writes. */
const char *stt_temp_trace(void (*build)(stt_bytes *));
/* Removes every temporary file made so far; usable as a cmocka teardown. */
int stt_temps_cleanup(void **state);

typedef struct {
  int rc;          /* exit status; the run fails the test if the child crashed */
  char *out, *err; /* everything written to stdout and stderr, NUL-terminated */
} stt_cli_result;

/* Runs ST_CLI_PATH with args (NULL-terminated, at most 14), stdin from stdin_path
 * (NULL: /dev/null). */
void stt_cli(stt_cli_result *r, const char *stdin_path, const char *const *args);
/* The same with stdin a pipe that stdin_path's bytes are written into (not a regular file:
 * the CLI reads it instead of mapping it). */
void stt_cli_piped(stt_cli_result *r, const char *stdin_path, const char *const *args);
void stt_cli_result_free(stt_cli_result *r);

#define STT_CLI(r, in, ...)                              \
  do {                                                   \
    const char *const args_[] = {__VA_ARGS__, NULL};     \
    stt_cli((r), (in), args_);                           \
  } while (0)
#define STT_CLI_PIPED(r, in, ...)                        \
  do {                                                   \
    const char *const args_[] = {__VA_ARGS__, NULL};     \
    stt_cli_piped((r), (in), args_);                     \
  } while (0)

#endif

/* Options every decoding command shares, and running the decoder over a file. */
#ifndef ST_DECODE_OPTS_H
#define ST_DECODE_OPTS_H

#include <getopt.h>
#include <stdio.h>

#include "stacktab/st_decode.h"

/* Options are parsed with getopt_long: `--opt VALUE` and `--opt=VALUE`, bundled short flags
 * (-qw), `--` ends the options, options may follow operands. The decoder options have no
 * short form; their getopt_long values are above every character. */
enum {
  ST_OPT_MODE = 0x100,
  ST_OPT_BUF_SIZE,
  ST_OPT_MAX_STRINGS,
  ST_OPT_MAX_STRING_BYTES,
  ST_OPT_MAX_STACKS,
  ST_OPT_CHUNK_SIZE
};

/* The decoder options' entries, to put in each decoding command's `struct option` table. */
#define ST_DECODER_LONGOPTS                                              \
  {"mode", required_argument, NULL, ST_OPT_MODE},                        \
  {"buf-size", required_argument, NULL, ST_OPT_BUF_SIZE},                \
  {"max-strings", required_argument, NULL, ST_OPT_MAX_STRINGS},          \
  {"max-string-bytes", required_argument, NULL, ST_OPT_MAX_STRING_BYTES}, \
  {"max-stacks", required_argument, NULL, ST_OPT_MAX_STACKS},            \
  {"chunk-size", required_argument, NULL, ST_OPT_CHUNK_SIZE}

/* Applies one decoder option (getopt_long's return value `opt`, its argument `val`) to cfg /
 * *chunk. Returns 1 if consumed, 0 if `opt` is not a decoder option, -1 on a bad value
 * (message printed). */
int st_opt_decoder(int opt, const char *val, st_decode_config *cfg, size_t *chunk);

/* Resets getopt's global state before a command parses its arguments. */
void st_opt_reset(void);

/* Reports getopt_long's '?' (unknown option, or a value given to a flag) or ':' (missing
 * value) as "stacktab CMD: ... (see stacktab CMD --help)" and returns ST_EXIT_USAGE.
 * `c` is what getopt_long returned, `opts` the command's table, argv as passed to it. */
int st_opt_error(const char *cmd, int c, const struct option *opts, char **argv);

/* Help text for those options. */
extern const char st_opt_decoder_help[];

/* Parses "N" as an unsigned decimal; -1 if not a number. */
int st_opt_u64(const char *s, unsigned long long *v);

/* Streams path ("-" = stdin) through a decoder built from cfg, `chunk` bytes per push.
 * Returns ST_EXIT_OK if valid, ST_EXIT_INVALID if an error rule fired, ST_EXIT_USAGE on an
 * I/O error (printed) or when memory ran out. */
int st_run_decoder(const char *path, const st_decode_config *cfg, size_t chunk);

/* Pushes the regular file f (at its start) into d, chunk bytes a push, from memory maps
 * (push_mapped.c); *s is the last push's status. 1: done; 0: not mapped (not a regular file, or
 * no mmap here), the caller reads f from its current position; -1: could not go on. */
int st_push_mapped(FILE *f, const char *path, st_decoder *d, size_t chunk, st_status *s);

/* Prints a diagnostic as "FILE:OFFSET: RULE-ID: [warning: ]message" to f. */
void st_print_diag(FILE *f, const char *path, const st_diag *d);

#endif

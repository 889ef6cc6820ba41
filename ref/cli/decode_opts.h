/* Options every decoding command shares, and running the decoder over a file. */
#ifndef ST_DECODE_OPTS_H
#define ST_DECODE_OPTS_H

#include <stdio.h>

#include "stacktab/st_decode.h"

/* Parses one decoder option (--mode=, --buf-size=, --max-strings=, --max-string-bytes=,
 * --max-stacks=, --chunk-size=) into cfg / *chunk. Returns 1 if consumed, 0 if not a decoder
 * option, -1 on a bad value (message printed). */
int st_opt_decoder(const char *arg, st_decode_config *cfg, size_t *chunk);

/* Help text for those options. */
extern const char st_opt_decoder_help[];

/* Parses "N" as an unsigned decimal; -1 if not a number. */
int st_opt_u64(const char *s, unsigned long long *v);

/* Streams path ("-" = stdin) through a decoder built from cfg, `chunk` bytes per push.
 * Returns ST_EXIT_OK if valid, ST_EXIT_INVALID if an error rule fired, ST_EXIT_USAGE on an
 * I/O error (printed) or when memory ran out. */
int st_run_decoder(const char *path, const st_decode_config *cfg, size_t chunk);

/* Prints a diagnostic as "FILE:OFFSET: RULE-ID: [warning: ]message" to f. */
void st_print_diag(FILE *f, const char *path, const st_diag *d);

#endif

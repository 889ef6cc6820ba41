/* The stacktab command line: one function per subcommand, dispatched by main.c.
 * Exit codes are stable: 0 valid / success, 1 invalid input, 2 usage or I/O error. */
#ifndef ST_CLI_H
#define ST_CLI_H

#include <stdio.h>

enum { ST_EXIT_OK = 0, ST_EXIT_INVALID = 1, ST_EXIT_USAGE = 2 };

/* Each takes the arguments after the subcommand name (argv[0] is the subcommand). */
int st_cmd_check(int argc, char **argv);
int st_cmd_dump(int argc, char **argv);
int st_cmd_stats(int argc, char **argv);
int st_cmd_encode(int argc, char **argv);
int st_cmd_verify(int argc, char **argv);

/* Reads a whole file ("-" = stdin) into memory; prints "stacktab: PATH: reason" and returns
 * NULL on failure. The caller frees the result. */
unsigned char *st_cli_read_all(const char *path, size_t *len);

/* Flushes stdout; prints "stacktab: writing output: reason" and returns ST_EXIT_USAGE when the
 * output could not be written (a full disk, a closed pipe), else `rc`. */
int st_cli_finish_output(int rc);

#endif

/* stacktab: validate, dump and build Go execution traces (v1 format, Go 1.11-1.21; v2 format,
 * Go 1.22+). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "stacktab/st_version.h"

static const char k_usage[] =
    "usage: stacktab COMMAND [OPTIONS] ...\n"
    "\n"
    "Validate and inspect Go execution traces in the v1 format (Go 1.11-1.21) and the v2\n"
    "format (Go 1.22, 1.23, 1.25), build them, and verify a writer's tables, with the stack\n"
    "and string tables checked byte by byte.\n"
    "\n"
    "commands:\n"
    "  check FILE...   validate traces; one line per problem: FILE:OFFSET: RULE-ID: message\n"
    "  dump FILE       print every event in file order (--json: one JSON object per line)\n"
    "  stats FILE      counts per event type, stack and string table sizes, length widths\n"
    "  encode [FILE]   build a trace from a text description (see `stacktab encode --help`)\n"
    "  verify-dump FILE...  a trace's stack and string tables against the reference writer\n"
    "\n"
    "  stacktab COMMAND --help   options of one command\n"
    "  stacktab --version\n"
    "\n"
    "exit status: 0 valid/success, 1 invalid input, 2 usage or I/O error\n";

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(k_usage, stderr);
    return ST_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    fputs(k_usage, stdout);
    return ST_EXIT_OK;
  }
  if (!strcmp(cmd, "--version")) {
    printf("stacktab %s\n", st_version());
    return ST_EXIT_OK;
  }
  if (!strcmp(cmd, "check")) return st_cmd_check(argc - 1, argv + 1);
  if (!strcmp(cmd, "dump")) return st_cmd_dump(argc - 1, argv + 1);
  if (!strcmp(cmd, "stats")) return st_cmd_stats(argc - 1, argv + 1);
  if (!strcmp(cmd, "encode")) return st_cmd_encode(argc - 1, argv + 1);
  if (!strcmp(cmd, "verify-dump")) return st_cmd_verify(argc - 1, argv + 1);
  fprintf(stderr, "stacktab: unknown command '%s'\n\n%s", cmd, k_usage);
  return ST_EXIT_USAGE;
}

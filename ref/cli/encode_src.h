/* Tokenizer of the `stacktab encode` text format (ENCODE_FORMAT.md): lines of whitespace-
 * separated tokens, `#` comments, "quoted" strings with C-like escapes. */
#ifndef ST_ENCODE_SRC_H
#define ST_ENCODE_SRC_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  const char *p;  /* bytes (escapes already decoded for quoted tokens) */
  size_t len;
  int quoted;     /* 1 for a "..." token */
} st_tok;

typedef struct {
  size_t first, n;   /* tokens of the line */
  unsigned lineno;   /* 1-based line number in the input */
} st_srcline;

typedef struct {
  st_tok *toks;
  size_t ntoks, toks_cap;
  st_srcline *lines;   /* lines with at least one token */
  size_t nlines, lines_cap;
} st_src;

/* Tokenizes text[0..len) in place (quoted tokens are decoded into the text). Returns 0, or -1
 * with *bad_line and a message in err (unterminated quote, bad escape, out of memory). */
int st_src_parse(st_src *s, char *text, size_t len, unsigned *bad_line, char *err, size_t errlen);
void st_src_free(st_src *s);

/* 1 when the token is the bare word w. */
int st_tok_is(const st_tok *t, const char *w);
/* Parses a bare decimal or 0x-hex number up to 2^64 - 1: 0 and *v, or -1. */
int st_tok_u64(const st_tok *t, uint64_t *v);

#endif

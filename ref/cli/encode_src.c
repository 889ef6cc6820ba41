#include "encode_src.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int push_tok(st_src *s, const char *p, size_t len, int quoted) {
  if (s->ntoks == s->toks_cap) {
    size_t cap = s->toks_cap ? s->toks_cap * 2 : 256;
    st_tok *t = realloc(s->toks, cap * sizeof *t);
    if (!t) return -1;
    s->toks = t;
    s->toks_cap = cap;
  }
  s->toks[s->ntoks++] = (st_tok){p, len, quoted};
  return 0;
}

static int push_line(st_src *s, size_t first, unsigned lineno) {
  if (s->nlines == s->lines_cap) {
    size_t cap = s->lines_cap ? s->lines_cap * 2 : 64;
    st_srcline *l = realloc(s->lines, cap * sizeof *l);
    if (!l) return -1;
    s->lines = l;
    s->lines_cap = cap;
  }
  s->lines[s->nlines++] = (st_srcline){first, s->ntoks - first, lineno};
  return 0;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int st_src_parse(st_src *s, char *text, size_t len, unsigned *bad_line, char *err, size_t errlen) {
  memset(s, 0, sizeof *s);
  unsigned lineno = 1;
  size_t i = 0;
  while (i < len) {
    size_t first = s->ntoks;
    /* One line: tokens until '\n'. */
    while (i < len && text[i] != '\n') {
      char c = text[i];
      if (c == ' ' || c == '\t' || c == '\r') {
        i++;
      } else if (c == '#') {
        while (i < len && text[i] != '\n') i++;
      } else if (c == '"') {
        /* Decode in place: the output never runs ahead of the input. */
        size_t start = ++i, o = start;
        for (;;) {
          if (i >= len || text[i] == '\n') {
            snprintf(err, errlen, "unterminated quoted string");
            goto fail;
          }
          char q = text[i++];
          if (q == '"') break;
          if (q != '\\') {
            text[o++] = q;
            continue;
          }
          /* A backslash ending the line (or the input) leaves the string open. */
          if (i >= len || text[i] == '\n') {
            snprintf(err, errlen, "unterminated quoted string");
            goto fail;
          }
          char e = text[i++];
          switch (e) {
            case '\\': text[o++] = '\\'; break;
            case '"': text[o++] = '"'; break;
            case 'n': text[o++] = '\n'; break;
            case 't': text[o++] = '\t'; break;
            case 'r': text[o++] = '\r'; break;
            case 'x': {
              int h = i < len ? hexval(text[i]) : -1, l = i + 1 < len ? hexval(text[i + 1]) : -1;
              if (h < 0 || l < 0) {
                snprintf(err, errlen, "\\x needs two hex digits");
                goto fail;
              }
              text[o++] = (char)(h * 16 + l);
              i += 2;
              break;
            }
            default:
              snprintf(err, errlen, "unknown escape \\%c (use \\\\ \\\" \\n \\t \\r \\xHH)", e ? e : ' ');
              goto fail;
          }
        }
        if (push_tok(s, text + start, o - start, 1)) goto nomem;
      } else {
        size_t start = i;
        while (i < len && text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n' &&
               text[i] != '#')
          i++;
        if (push_tok(s, text + start, i - start, 0)) goto nomem;
      }
    }
    if (s->ntoks > first && push_line(s, first, lineno)) goto nomem;
    i++; /* the '\n' */
    lineno++;
  }
  return 0;
nomem:
  snprintf(err, errlen, "out of memory");
fail:
  *bad_line = lineno;
  st_src_free(s);
  return -1;
}

void st_src_free(st_src *s) {
  free(s->toks);
  free(s->lines);
  memset(s, 0, sizeof *s);
}

int st_tok_is(const st_tok *t, const char *w) {
  return !t->quoted && t->len == strlen(w) && memcmp(t->p, w, t->len) == 0;
}

int st_tok_u64(const st_tok *t, uint64_t *v) {
  if (t->quoted || t->len == 0) return -1;
  uint64_t x = 0;
  size_t i = 0;
  unsigned base = 10;
  if (t->len > 2 && t->p[0] == '0' && (t->p[1] == 'x' || t->p[1] == 'X')) {
    base = 16;
    i = 2;
  }
  for (; i < t->len; i++) {
    int d = base == 16 ? hexval(t->p[i]) : (t->p[i] >= '0' && t->p[i] <= '9' ? t->p[i] - '0' : -1);
    if (d < 0) return -1;
    if (x > (UINT64_MAX - (uint64_t)d) / base) return -1; /* past 2^64 - 1 */
    x = x * base + (uint64_t)d;
  }
  *v = x;
  return 0;
}

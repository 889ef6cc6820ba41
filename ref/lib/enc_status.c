#include "stacktab/st_enc.h"

const char *st_enc_status_str(st_enc_status s) {
  switch (s) {
    case ST_ENC_OK: return "ok";
    case ST_ENC_E_TOO_BIG: return "record too big for an empty buffer of this capacity";
    case ST_ENC_E_NOMEM: return "out of memory";
    case ST_ENC_E_PARAM: return "bad parameter";
    case ST_ENC_E_STATE: return "call out of order";
    case ST_ENC_E_SINK: return "output failed";
    case ST_ENC_E_LIMIT: return "limit exceeded";
    case ST_ENC_E_DUP: return "already in the table";
  }
  return "unknown status";
}

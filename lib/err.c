/*  err.c: filling err_t. See err.h for the convention. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
err_set (err_t *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start (ap, fmt);
        vsnprintf (err->msg, sizeof err->msg, fmt, ap);
        va_end (ap);
        err->code = code;
    }
    return code;
}

int
err_prefix (err_t *err, const char *fmt, ...)
{
    if (!err)
        return ERR_OK;
    char head[ERR_MSG_MAX];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (head, sizeof head, fmt, ap);
    va_end (ap);
    /*  Shift the old message right to make room; what does not fit is cut. */
    size_t head_len = strlen (head);
    if (head_len >= sizeof err->msg)
        head_len = sizeof err->msg - 1;
    size_t tail_len = strnlen (err->msg, sizeof err->msg - 1);
    if (head_len + tail_len >= sizeof err->msg)
        tail_len = sizeof err->msg - 1 - head_len;
    memmove (err->msg + head_len, err->msg, tail_len);
    memcpy (err->msg, head, head_len);
    err->msg[head_len + tail_len] = '\0';
    return err->code;
}

void
err_clear (err_t *err)
{
    if (err) {
        err->code = ERR_OK;
        err->msg[0] = '\0';
    }
}

const char *
err_name (int code)
{
    switch (code) {
    case ERR_OK: return "ok";
    case ERR_NOMEM: return "out of memory";
    case ERR_IO: return "i/o error";
    case ERR_PARSE: return "parse error";
    case ERR_INVALID: return "invalid";
    case ERR_NOTFOUND: return "not found";
    case ERR_TIMEOUT: return "timeout";
    case ERR_UNREACHABLE: return "unreachable";
    case ERR_REJECTED: return "rejected";
    case ERR_STORAGE: return "storage error";
    case ERR_TOOBIG: return "too large";
    case ERR_UNSUPPORTED: return "unsupported";
    case ERR_STATE: return "wrong state";
    case ERR_USAGE: return "usage";
    case ERR_FORBIDDEN: return "forbidden";
    default: return "error";
    }
}

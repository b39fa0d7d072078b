/*  err.h: the one error convention of the project.

    Functions return 0 on success or a negative ERR_* code, and write their output
    parameters only on success. Where a person will read the failure, the function also
    takes an err_t and fills it with a message that says what and where (file:line,
    setting, account id, campaign week) and, where it helps, what to do. The message is
    always NUL-terminated; err_t may be NULL when the caller does not want the text.
*/
#ifndef CAMPAIGN_ERR_H
#define CAMPAIGN_ERR_H

#include <stddef.h>

enum {
    ERR_OK = 0,
    ERR_NOMEM = -1,        /* out of memory: an ordinary error */
    ERR_IO = -2,           /* file or socket I/O failed */
    ERR_PARSE = -3,        /* text could not be read (CSV, config, JSON) */
    ERR_INVALID = -4,      /* well-formed, but a value is not acceptable */
    ERR_NOTFOUND = -5,     /* names something that does not exist */
    ERR_TIMEOUT = -6,      /* no answer in time */
    ERR_UNREACHABLE = -7,  /* gave up on the broker after retries */
    ERR_REJECTED = -8,     /* the broker said no */
    ERR_STORAGE = -9,      /* the durable store failed */
    ERR_TOOBIG = -10,      /* over a configured size limit */
    ERR_UNSUPPORTED = -11, /* unknown kind or version */
    ERR_STATE = -12,       /* not allowed in the current state */
    ERR_USAGE = -13,       /* command line misuse */
    ERR_FORBIDDEN = -14    /* the person's role does not allow it */
};

#define ERR_MSG_MAX 1024

typedef struct {
    int code;
    char msg[ERR_MSG_MAX];
} err_t;

/*  Record code and a printf-style message in err (if not NULL); returns code, so a
    caller can write `return err_set (err, ERR_INVALID, "...")`. */
int err_set (err_t *err, int code, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/*  Prefix the message already in err with more context ("accounts.csv: " + msg). */
int err_prefix (err_t *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/*  Clear err to "no error". */
void err_clear (err_t *err);

/*  A short constant name for a code ("invalid", "timeout"...). */
const char *err_name (int code);

#endif

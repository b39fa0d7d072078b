/*  log.h: levelled logging for daemons and tools.

    One process-wide logger: to stderr (systemd style, the default) or syslog. Lines on
    stderr read "2026-11-22T07:18:13.123Z campaign-broker[1234] warn: message". The level
    can change at run time (SIGHUP reload). Thread-safe: one write(2) per line.
*/
#ifndef CAMPAIGN_LOG_H
#define CAMPAIGN_LOG_H

#include <stdarg.h>
#include <stdbool.h>

typedef enum {
    LOG_LEVEL_ERROR = 0,
    LOG_LEVEL_WARN = 1,
    LOG_LEVEL_INFO = 2,
    LOG_LEVEL_DEBUG = 3
} log_level_t;

/*  Start logging as `ident` (the program name). use_syslog sends lines to syslog(3)
    with LOG_DAEMON instead of stderr. May be called again to change target. */
void log_open (const char *ident, log_level_t level, bool use_syslog);

/*  Flush and close syslog if it was used. */
void log_close (void);

void log_set_level (log_level_t level);
log_level_t log_get_level (void);

/*  Parse "error", "warn", "info", "debug" (case-insensitive). 0 or ERR_INVALID. */
int log_level_parse (const char *name, log_level_t *level);
const char *log_level_name (log_level_t level);

void log_write (log_level_t level, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
void log_vwrite (log_level_t level, const char *fmt, va_list ap);

#define log_error(...) log_write (LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_write (LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)  log_write (LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_write (LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif

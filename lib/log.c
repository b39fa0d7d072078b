/*  log.c: the process-wide logger (see log.h).

    Owns the ident, the target (stderr or syslog) and the level. The level is an atomic
    so a SIGHUP reload can change it while other threads log; the ident and target are
    guarded by a mutex because syslog keeps a pointer to the ident. Each line is built
    whole in a buffer and sent with one write(2), so lines of concurrent threads and
    processes sharing stderr do not interleave. Logging never changes errno: callers
    often log a failure and then report errno themselves. log_set_level is safe in a
    signal handler; log_write is not (it takes the mutex).
*/
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "err.h"

#define IDENT_MAX 64
/*  Longer messages are cut; a log line is not the place for a bulk dump. */
#define LINE_MAX_LEN 4096

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static char s_ident[IDENT_MAX] = "campaign";
static bool s_syslog = false;
static atomic_int s_level = LOG_LEVEL_INFO;

static const char *const s_level_names[] = {"error", "warn", "info", "debug"};

void
log_open (const char *ident, log_level_t level, bool use_syslog)
{
    pthread_mutex_lock (&s_lock);
    if (s_syslog)
        closelog ();
    snprintf (s_ident, sizeof s_ident, "%s", ident && *ident ? ident : "campaign");
    s_syslog = use_syslog;
    if (s_syslog)
        openlog (s_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
    pthread_mutex_unlock (&s_lock);
    log_set_level (level);
}

void
log_close (void)
{
    pthread_mutex_lock (&s_lock);
    if (s_syslog)
        closelog ();
    /*  Whatever is still logged (at exit) goes to stderr rather than nowhere. */
    s_syslog = false;
    pthread_mutex_unlock (&s_lock);
}

void
log_set_level (log_level_t level)
{
    if (level < LOG_LEVEL_ERROR)
        level = LOG_LEVEL_ERROR;
    if (level > LOG_LEVEL_DEBUG)
        level = LOG_LEVEL_DEBUG;
    atomic_store (&s_level, (int)level);
}

log_level_t
log_get_level (void)
{
    return (log_level_t)atomic_load (&s_level);
}

int
log_level_parse (const char *name, log_level_t *level)
{
    if (!name)
        return ERR_INVALID;
    for (int i = LOG_LEVEL_ERROR; i <= LOG_LEVEL_DEBUG; i++)
        if (strcasecmp (name, s_level_names[i]) == 0) {
            *level = (log_level_t)i;
            return 0;
        }
    return ERR_INVALID;
}

const char *
log_level_name (log_level_t level)
{
    if (level < LOG_LEVEL_ERROR || level > LOG_LEVEL_DEBUG)
        return "unknown";
    return s_level_names[level];
}

static int
s_syslog_priority (log_level_t level)
{
    switch (level) {
    case LOG_LEVEL_ERROR: return LOG_ERR;
    case LOG_LEVEL_WARN: return LOG_WARNING;
    case LOG_LEVEL_INFO: return LOG_INFO;
    default: return LOG_DEBUG;
    }
}

/*  One write(2) for the whole line; only a signal or a full pipe splits it. */
static void
s_write_all (int fd, const char *data, size_t size)
{
    while (size > 0) {
        ssize_t done = write (fd, data, size);
        if (done < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        data += done;
        size -= (size_t)done;
    }
}

void
log_vwrite (log_level_t level, const char *fmt, va_list ap)
{
    if (level < LOG_LEVEL_ERROR || (int)level > atomic_load (&s_level))
        return;
    int saved_errno = errno;

    char message[LINE_MAX_LEN];
    int length = vsnprintf (message, sizeof message, fmt, ap);
    if (length < 0)
        snprintf (message, sizeof message, "(unprintable log message: %s)", fmt);
    /*  One call is one line: a newline inside would start a line without the prefix
        that tools and journald read. */
    for (char *p = message; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';

    pthread_mutex_lock (&s_lock);
    if (s_syslog)
        syslog (s_syslog_priority (level), "%s", message);
    else {
        struct timespec now;
        clock_gettime (CLOCK_REALTIME, &now);
        struct tm tm;
        gmtime_r (&now.tv_sec, &tm);
        char stamp[32];
        strftime (stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);

        char line[LINE_MAX_LEN + IDENT_MAX + 64];
        int size = snprintf (line, sizeof line, "%s.%03ldZ %s[%ld] %s: %s\n", stamp,
                             now.tv_nsec / 1000000, s_ident, (long)getpid (),
                             log_level_name (level), message);
        if (size >= (int)sizeof line) {
            size = (int)sizeof line - 1;
            line[size - 1] = '\n';
        }
        if (size > 0)
            s_write_all (STDERR_FILENO, line, (size_t)size);
    }
    pthread_mutex_unlock (&s_lock);
    errno = saved_errno;
}

void
log_write (log_level_t level, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    log_vwrite (level, fmt, ap);
    va_end (ap);
}

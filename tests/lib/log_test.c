/*  log_test.c: level names, filtering and the stderr line format.

    Each test that looks at output points stderr (fd 2) at a file in a temp dir and
    puts it back before asserting, so Criterion's own reports are not swallowed.
*/
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "test_support.h"

TS_SUITE (log);

typedef struct {
    char *dir;
    char *path;
    int saved_stderr;
} capture_t;

static void
s_capture_start (capture_t *capture)
{
    capture->dir = ts_tempdir ();
    cr_assert_not_null (capture->dir);
    capture->path = ts_write_file (capture->dir, "stderr.log", "");
    cr_assert_not_null (capture->path);
    int fd = open (capture->path, O_WRONLY | O_APPEND);
    cr_assert_geq (fd, 0);
    fflush (stderr);
    capture->saved_stderr = dup (STDERR_FILENO);
    cr_assert_geq (capture->saved_stderr, 0);
    cr_assert_geq (dup2 (fd, STDERR_FILENO), 0);
    close (fd);
}

/*  Restores stderr and returns what was written (malloc'd); frees the rest. */
static char *
s_capture_stop (capture_t *capture)
{
    dup2 (capture->saved_stderr, STDERR_FILENO);
    close (capture->saved_stderr);
    char *text = ts_read_file (capture->path);
    free (capture->path);
    ts_tempdir_remove (&capture->dir);
    return text;
}

static int
s_count_lines (const char *text)
{
    int lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    return lines;
}

Test (log, level_names)
{
    log_level_t level = LOG_LEVEL_ERROR;
    cr_assert_eq (log_level_parse ("debug", &level), 0);
    cr_assert_eq (level, LOG_LEVEL_DEBUG);
    cr_assert_eq (log_level_parse ("WARN", &level), 0);
    cr_assert_eq (level, LOG_LEVEL_WARN);
    cr_assert_eq (log_level_parse ("Info", &level), 0);
    cr_assert_eq (level, LOG_LEVEL_INFO);
    cr_assert_eq (log_level_parse ("error", &level), 0);
    cr_assert_eq (level, LOG_LEVEL_ERROR);

    level = LOG_LEVEL_INFO;
    cr_assert_eq (log_level_parse ("verbose", &level), ERR_INVALID);
    cr_assert_eq (log_level_parse ("", &level), ERR_INVALID);
    cr_assert_eq (log_level_parse ("info ", &level), ERR_INVALID);
    cr_assert_eq (log_level_parse (NULL, &level), ERR_INVALID);
    cr_assert_eq (level, LOG_LEVEL_INFO, "a failed parse wrote the output");

    cr_assert_str_eq (log_level_name (LOG_LEVEL_ERROR), "error");
    cr_assert_str_eq (log_level_name (LOG_LEVEL_WARN), "warn");
    cr_assert_str_eq (log_level_name (LOG_LEVEL_INFO), "info");
    cr_assert_str_eq (log_level_name (LOG_LEVEL_DEBUG), "debug");
    cr_assert_str_eq (log_level_name ((log_level_t)9), "unknown");
}

Test (log, set_and_get_level)
{
    log_open ("campaign-test", LOG_LEVEL_WARN, false);
    cr_assert_eq (log_get_level (), LOG_LEVEL_WARN);
    log_set_level (LOG_LEVEL_DEBUG);
    cr_assert_eq (log_get_level (), LOG_LEVEL_DEBUG);
    log_close ();
}

Test (log, line_format)
{
    capture_t capture;
    s_capture_start (&capture);
    log_open ("campaign-broker", LOG_LEVEL_INFO, false);
    log_warn ("lease %d expired for %s", 42, "identifier/1");
    log_close ();
    char *text = s_capture_stop (&capture);
    cr_assert_not_null (text);

    char expected_pid[32];
    snprintf (expected_pid, sizeof expected_pid, "[%ld]", (long)getpid ());
    regex_t regex;
    cr_assert_eq (regcomp (&regex,
                           "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
                           "campaign-broker\\[[0-9]+\\] warn: lease 42 expired for "
                           "identifier/1\n$",
                           REG_EXTENDED | REG_NOSUB),
                  0);
    int match = regexec (&regex, text, 0, NULL, 0);
    regfree (&regex);
    cr_expect_eq (match, 0, "unexpected line: '%s'", text);
    cr_expect_not_null (strstr (text, expected_pid), "no pid in '%s'", text);
    free (text);
}

Test (log, filtering_by_level)
{
    capture_t capture;
    s_capture_start (&capture);
    log_open ("campaign-test", LOG_LEVEL_INFO, false);
    log_debug ("hidden debug");
    log_info ("shown info");
    log_warn ("shown warn");
    log_error ("shown error");
    log_set_level (LOG_LEVEL_ERROR);
    log_info ("hidden info");
    log_warn ("hidden warn");
    log_error ("second error");
    log_set_level (LOG_LEVEL_DEBUG);
    log_debug ("shown debug");
    log_close ();
    char *text = s_capture_stop (&capture);
    cr_assert_not_null (text);

    cr_expect_null (strstr (text, "hidden"), "filtered lines were written:\n%s", text);
    cr_expect_not_null (strstr (text, " info: shown info\n"), "%s", text);
    cr_expect_not_null (strstr (text, " warn: shown warn\n"), "%s", text);
    cr_expect_not_null (strstr (text, " error: shown error\n"), "%s", text);
    cr_expect_not_null (strstr (text, " error: second error\n"), "%s", text);
    cr_expect_not_null (strstr (text, " debug: shown debug\n"), "%s", text);
    cr_expect_eq (s_count_lines (text), 5, "%s", text);
    free (text);
}

Test (log, one_call_one_line_and_errno_kept)
{
    capture_t capture;
    s_capture_start (&capture);
    log_open ("campaign-test", LOG_LEVEL_INFO, false);
    errno = ENOENT;
    log_info ("first part\nsecond part");
    int after = errno;
    log_close ();
    char *text = s_capture_stop (&capture);
    cr_assert_not_null (text);
    cr_expect_eq (after, ENOENT);
    cr_expect_eq (s_count_lines (text), 1, "%s", text);
    cr_expect_not_null (strstr (text, "info: first part second part\n"), "%s", text);
    free (text);
}

Test (log, long_message_is_cut_to_one_line)
{
    size_t size = 20000;
    char *big = malloc (size + 1);
    cr_assert_not_null (big);
    memset (big, 'x', size);
    big[size] = '\0';

    capture_t capture;
    s_capture_start (&capture);
    log_open ("campaign-test", LOG_LEVEL_INFO, false);
    log_info ("%s", big);
    log_info ("after");
    log_close ();
    free (big);
    char *text = s_capture_stop (&capture);
    cr_assert_not_null (text);
    cr_expect_eq (s_count_lines (text), 2, "lines: %d", s_count_lines (text));
    cr_expect_not_null (strstr (text, "info: after\n"));
    free (text);
}

#define THREADS          4
#define LINES_PER_THREAD 500

static void *
s_writer (void *arg)
{
    long id = (long)(intptr_t)arg;
    for (int i = 0; i < LINES_PER_THREAD; i++)
        log_info ("thread %ld line %d %s", id, i,
                  "padding-padding-padding-padding-padding-padding-padding-padding");
    return NULL;
}

Test (log, concurrent_lines_do_not_interleave)
{
    capture_t capture;
    s_capture_start (&capture);
    log_open ("campaign-test", LOG_LEVEL_INFO, false);
    pthread_t threads[THREADS];
    for (long i = 0; i < THREADS; i++)
        cr_assert_eq (pthread_create (&threads[i], NULL, s_writer, (void *)(intptr_t)i), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join (threads[i], NULL);
    log_close ();
    char *text = s_capture_stop (&capture);
    cr_assert_not_null (text);

    cr_expect_eq (s_count_lines (text), THREADS * LINES_PER_THREAD);
    int good = 0;
    char *save = NULL;
    for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save)) {
        long id;
        int index;
        char tail[128];
        if (sscanf (strstr (line, "info: ") ? strstr (line, "info: ") : "",
                    "info: thread %ld line %d %127s", &id, &index, tail) == 3 &&
            strcmp (tail, "padding-padding-padding-padding-padding-padding-padding-padding") ==
                0)
            good++;
    }
    cr_expect_eq (good, THREADS * LINES_PER_THREAD);
    free (text);
}

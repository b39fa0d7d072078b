/*  cli.c: common options, configuration loading and exit codes (see cli.h). */
#include "cli.h"

#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *s_usage;

static void
s_print_usage_line (FILE *out, const char *usage)
{
    const char *end = strchr (usage, '\n');
    fprintf (out, "%.*s\nTry --help for more.\n",
             end ? (int)(end - usage) : (int)strlen (usage), usage);
}

int
cli_usage_error (cli_t *self, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    fprintf (stderr, "%s: ", self->program);
    vfprintf (stderr, fmt, ap);
    fputc ('\n', stderr);
    va_end (ap);
    if (s_usage)
        s_print_usage_line (stderr, s_usage);
    return CLI_EXIT_USAGE;
}

bool
cli_whole_number (const char *text, unsigned long long lo, unsigned long long hi,
                  unsigned long long *out)
{
    if (!text || *text < '0' || *text > '9')
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull (text, &end, 10);
    if (errno || *end || value < lo || value > hi)
        return false;
    *out = value;
    return true;
}

int
cli_exit_code (int err_code)
{
    switch (err_code) {
    case ERR_OK: return CLI_EXIT_OK;
    case ERR_USAGE: return CLI_EXIT_USAGE;
    case ERR_UNREACHABLE:
    case ERR_TIMEOUT: return CLI_EXIT_UNREACHABLE;
    default: return CLI_EXIT_REJECTED;
    }
}

static int
s_load (cli_t *self, conf_t **out, err_t *err)
{
    conf_t *conf = conf_new ();
    if (!conf)
        return err_set (err, ERR_NOMEM, "out of memory");
    int rc = 0;
    for (int i = 0; !rc && i < self->nfiles; i++)
        rc = conf_load_file (conf, self->files[i], err);
    for (int i = 0; !rc && i < self->noverrides; i++)
        rc = conf_override (conf, self->overrides[i], err);
    if (rc)
        conf_destroy (&conf);
    else
        *out = conf;
    return rc;
}

int
cli_reload (cli_t *self, err_t *err)
{
    conf_t *fresh = NULL;
    int rc = s_load (self, &fresh, err);
    if (rc)
        return rc;
    conf_destroy (&self->conf);
    self->conf = fresh;
    return 0;
}

int
cli_start (cli_t *self, int argc, char **argv, const char *usage)
{
    memset (self, 0, sizeof *self);
    const char *slash = strrchr (argv[0], '/');
    self->program = slash ? slash + 1 : argv[0];
    s_usage = usage;
    self->argv = calloc ((size_t)argc + 1, sizeof (char *));
    self->files = calloc ((size_t)argc + 1, sizeof (char *));
    self->overrides = calloc ((size_t)argc + 1, sizeof (char *));
    int rc = -1;
    if (!self->argv || !self->files || !self->overrides) {
        fprintf (stderr, "%s: out of memory\n", self->program);
        rc = CLI_EXIT_CONFIG;
        goto cleanup;
    }
    bool rest_only = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (rest_only) {
            self->argv[self->argc++] = argv[i];
            continue;
        }
        if (strcmp (arg, "--") == 0)
            rest_only = true;
        else if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0) {
            fputs (usage, stdout);
            rc = CLI_EXIT_OK;
            goto cleanup;
        } else if (strcmp (arg, "--version") == 0) {
            printf ("%s %s\n", self->program, CAMPAIGN_VERSION);
            rc = CLI_EXIT_OK;
            goto cleanup;
        } else if (strcmp (arg, "-c") == 0 || strcmp (arg, "--config") == 0) {
            if (i + 1 >= argc) {
                rc = cli_usage_error (self, "%s needs a file", arg);
                goto cleanup;
            }
            self->files[self->nfiles++] = argv[++i];
        } else if (strcmp (arg, "-o") == 0 || strcmp (arg, "--option") == 0) {
            if (i + 1 >= argc) {
                rc = cli_usage_error (self, "%s needs PATH=VALUE", arg);
                goto cleanup;
            }
            self->overrides[self->noverrides++] = argv[++i];
        } else if (strncmp (arg, "-c", 2) == 0 && arg[2])
            self->files[self->nfiles++] = arg + 2;
        else if (strncmp (arg, "-o", 2) == 0 && arg[2])
            self->overrides[self->noverrides++] = arg + 2;
        else
            self->argv[self->argc++] = argv[i];
    }
    if (self->nfiles == 0) {
        const char *env = getenv ("CAMPAIGN_CONFIG");
        self->files[self->nfiles++] = env && *env ? env : CAMPAIGN_DEFAULT_CONFIG;
    }
    err_t err;
    int lrc = s_load (self, &self->conf, &err);
    if (lrc == ERR_USAGE)
        rc = cli_usage_error (self, "%s", err.msg);
    else if (lrc) {
        fprintf (stderr, "%s: configuration error: %s\n", self->program, err.msg);
        rc = CLI_EXIT_CONFIG;
    }
cleanup:
    if (rc != -1)
        cli_end (self);
    return rc;
}

int
cli_open_log (cli_t *self, err_t *err)
{
    const char *level_name;
    bool use_syslog = false;
    log_level_t level;
    int rc = conf_string (self->conf, "log.level", "info", &level_name, err);
    if (!rc)
        rc = conf_bool (self->conf, "log.syslog", false, &use_syslog, err);
    if (rc)
        return rc;
    if (log_level_parse (level_name, &level)) {
        char where[256];
        return err_set (
            err, ERR_INVALID, "%s: log.level '%s' is not one of error, warn, info, debug",
            conf_where (self->conf, conf_lookup (self->conf, "log.level"), where, sizeof where),
            level_name);
    }
    log_open (self->program, level, use_syslog);
    return 0;
}

void
cli_end (cli_t *self)
{
    conf_destroy (&self->conf);
    free (self->argv);
    free (self->files);
    free (self->overrides);
    self->argv = NULL;
    self->files = self->overrides = NULL;
    self->argc = 0;
}

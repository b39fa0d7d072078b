/*  cli.h: the command-line contract every executable shares (SPEC section 8).

    -c FILE (repeatable; later files override earlier ones), -o PATH=VALUE (repeatable),
    --help, --version, and the exit codes. cli_start handles all of that and leaves the
    program's own arguments, in order, in cli->argc/argv. Without -c, the configuration
    is $CAMPAIGN_CONFIG if set, else the bundled default (config/campaign.cfg).
*/
#ifndef CAMPAIGN_CLI_H
#define CAMPAIGN_CLI_H

#include <stdbool.h>

#include "conf.h"

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_REJECTED = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_UNREACHABLE = 3,
    CLI_EXIT_CONFIG = 4
};

typedef struct {
    const char *program; /* basename of argv[0] */
    conf_t *conf;        /* loaded configuration, owned */
    int argc;            /* the program's own arguments */
    char **argv;         /* owned array of borrowed strings, NULL-terminated */
    const char **files;  /* configuration files, in order (borrowed strings) */
    int nfiles;
    const char **overrides; /* -o assignments, in order (borrowed strings) */
    int noverrides;
} cli_t;

/*  Parse the common options, print usage for --help or the version for --version,
    load the configuration. Returns -1 when the caller should go on, or an exit code
    to return from main (0 after --help/--version, 2 for a usage error, 4 for a
    configuration error, all already reported on stderr). usage is the full text printed
    by --help and, shortened to its first line, after a usage error. */
int cli_start (cli_t *self, int argc, char **argv, const char *usage);

/*  Load the same files and overrides again (SIGHUP). On success the new configuration
    replaces cli->conf; on error the old one stays and err says why. */
int cli_reload (cli_t *self, err_t *err);

/*  Open the log from log.level ("info") and log.syslog (false) for a daemon; on a
    reload, call again to apply a new level. 0 or ERR_INVALID with err. */
int cli_open_log (cli_t *self, err_t *err);

/*  Free what cli_start allocated. */
void cli_end (cli_t *self);

/*  Report a usage error ("program: message" and the usage line) and return 2. */
int cli_usage_error (cli_t *self, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/*  Map an ERR_* code to the exit code of SPEC section 8. */
int cli_exit_code (int err_code);

/*  text as a whole decimal number within lo..hi (digits only: no sign, no space), in
 *out; false, *out untouched, otherwise. */
bool cli_whole_number (const char *text, unsigned long long lo, unsigned long long hi,
                       unsigned long long *out);

#endif

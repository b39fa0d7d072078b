/*  campaign-report: write the campaign's reports into reports.dir (report.h). */
#include "cli.h"
#include "client.h"
#include "report.h"
#include "signals.h"

#include <stdio.h>
#include <string.h>

static const char s_usage[] =
    "Usage: campaign-report [-c FILE]... [-o PATH=VALUE]... [--dir DIR]\n"
    "\n"
    "Ask the broker for the campaign's state and opportunities and write the reports:\n"
    "snapshot.json, pipeline.csv, pipeline.json and targets.csv (the tiered target list:\n"
    "qualified open opportunities, Tier 1 first, then by potential ARR). Each file is\n"
    "written whole or not at all. Run it any time; the files reflect that moment.\n"
    "\n"
    "Options:\n"
    "      --dir DIR          where to write (default: the setting reports.dir)\n"
    "  -c, --config FILE      configuration (repeatable; later files win)\n"
    "  -o, --option PATH=VAL  override one setting\n"
    "  -h, --help             this text\n"
    "      --version          print the version\n"
    "\n"
    "Settings used: reports.dir, broker.endpoint, campaign.id, client.*.\n"
    "\n"
    "Exit codes: 0 written, 1 a file could not be written, 2 usage, 3 broker unreachable,\n"
    "4 configuration error.\n";

int
main (int argc, char **argv)
{
    cli_t cli;
    int rc = cli_start (&cli, argc, argv, s_usage);
    if (rc >= 0)
        return rc;
    const char *dir = NULL;
    for (int i = 0; i < cli.argc; i++) {
        if (strcmp (cli.argv[i], "--dir") == 0 && i + 1 < cli.argc)
            dir = cli.argv[++i];
        else {
            rc = cli_usage_error (&cli, "unexpected argument '%s'", cli.argv[i]);
            cli_end (&cli);
            return rc;
        }
    }
    err_t err;
    client_t *client = NULL;
    if ((!dir && conf_string (cli.conf, "reports.dir", "reports", &dir, &err)) ||
        client_new_from_conf (cli.conf, "campaign-report", &client, &err)) {
        fprintf (stderr, "%s: configuration error: %s\n", cli.program, err.msg);
        cli_end (&cli);
        return CLI_EXIT_CONFIG;
    }
    signals_install ();
    size_t written = 0;
    rc = report_write (client, dir, &written, &err);
    if (rc)
        fprintf (stderr, "%s: %s\n", cli.program, err.msg);
    else
        printf ("%s: snapshot.json, pipeline.csv, pipeline.json, targets.csv (%zu "
                "opportunities)\n",
                dir, written);
    client_destroy (&client);
    cli_end (&cli);
    return rc == 0                                      ? CLI_EXIT_OK
           : rc == ERR_UNREACHABLE || rc == ERR_TIMEOUT ? CLI_EXIT_UNREACHABLE
                                                        : CLI_EXIT_REJECTED;
}

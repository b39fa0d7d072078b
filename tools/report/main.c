/*  campaign-report: write the campaign's reports into reports.dir (report.h). */
#include "calendar.h"
#include "cli.h"
#include "client.h"
#include "report.h"
#include "signals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char s_usage[] =
    "Usage: campaign-report [-c FILE]... [-o PATH=VALUE]... [--dir DIR]\n"
    "\n"
    "Ask the broker for the campaign's state and opportunities and write the reports:\n"
    "snapshot.json, pipeline.csv, pipeline.json, targets.csv (the tiered target list:\n"
    "qualified open opportunities, Tier 1 first, then by potential ARR), the segmentation\n"
    "analyst's segments.csv, cohorts.csv and calibration.csv once it has reported, and\n"
    "dashboard.html (the campaign on one self-contained page). Each file is written whole\n"
    "or not at all. Run it any time; the files reflect that moment.\n"
    "\n"
    "Options:\n"
    "      --dir DIR          where to write (default: the setting reports.dir)\n"
    "  -c, --config FILE      configuration (repeatable; later files win)\n"
    "  -o, --option PATH=VAL  override one setting\n"
    "  -h, --help             this text\n"
    "      --version          print the version\n"
    "\n"
    "Settings used: reports.dir, broker.endpoint, campaign.id, campaign.start_date,\n"
    "campaign.weeks, pipeline.stages, client.*.\n"
    "\n"
    "Exit codes: 0 written, 1 a file could not be written, 2 usage, 3 broker unreachable,\n"
    "4 configuration error.\n";

/*  pipeline.stages (the funnel's order): pointers into the configuration, which outlives
    the settings. */
static int
s_stages (conf_t *conf, report_settings_t *settings, err_t *err)
{
    config_setting_t *list = conf_lookup (conf, "pipeline.stages");
    int n = list ? config_setting_length (list) : 0;
    const char **stages = calloc ((size_t)n + 1, sizeof *stages);
    if (!stages)
        return err_set (err, ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        stages[i] = config_setting_get_string_elem (list, i);
        if (!stages[i]) {
            char where[256];
            free (stages);
            return err_set (err, ERR_INVALID, "%s: pipeline.stages item %d is not a stage name",
                            conf_where (conf, list, where, sizeof where), i + 1);
        }
    }
    settings->stages = stages;
    return 0;
}

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
    report_settings_t settings = {0};
    const char *start_date = NULL;
    int64_t weeks = 12;
    if ((!dir && conf_string (cli.conf, "reports.dir", "reports", &dir, &err)) ||
        conf_string (cli.conf, "campaign.start_date", "2026-10-05", &start_date, &err) ||
        conf_int_range (cli.conf, "campaign.weeks", 12, 1, 520, &weeks, &err) ||
        s_stages (cli.conf, &settings, &err) ||
        client_new_from_conf (cli.conf, "campaign-report", &client, &err)) {
        fprintf (stderr, "%s: configuration error: %s\n", cli.program, err.msg);
        free ((void *)settings.stages);
        cli_end (&cli);
        return CLI_EXIT_CONFIG;
    }
    if (date_parse (start_date, &settings.start_day) != 0) {
        fprintf (stderr,
                 "%s: configuration error: campaign.start_date '%s' is not a date "
                 "(YYYY-MM-DD)\n",
                 cli.program, start_date);
        free ((void *)settings.stages);
        client_destroy (&client);
        cli_end (&cli);
        return CLI_EXIT_CONFIG;
    }
    settings.dir = dir;
    settings.weeks = (int)weeks;
    signals_install ();
    size_t written = 0;
    rc = report_write (client, &settings, &written, &err);
    if (rc)
        fprintf (stderr, "%s: %s\n", cli.program, err.msg);
    else
        printf ("%s: snapshot.json, pipeline.csv, pipeline.json, targets.csv, dashboard.html "
                "(%zu opportunities)\n",
                dir, written);
    free ((void *)settings.stages);
    client_destroy (&client);
    cli_end (&cli);
    return rc == 0                                      ? CLI_EXIT_OK
           : rc == ERR_UNREACHABLE || rc == ERR_TIMEOUT ? CLI_EXIT_UNREACHABLE
                                                        : CLI_EXIT_REJECTED;
}

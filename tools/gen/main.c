/*  campaign-gen: a realistic portfolio, roster and history from a seed, with the truth
    behind them (SPEC section 8; the model is documented in synth.h).

    Parses the arguments, reads the optional gen.* settings, hands over to synth and maps
    the result to an exit code. */
#include "cli.h"
#include "synth.h"

#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char s_usage[] =
    "Usage: campaign-gen [-c FILE]... [-o PATH=VALUE]... --accounts N --seed N --out DIR\n"
    "                    [--history-campaigns N] [--start YYYY-MM-DD]\n"
    "\n"
    "Write a synthetic but realistic customer portfolio for an expansion campaign, drawn\n"
    "from a known ground truth, into DIR (created if missing):\n"
    "\n"
    "  accounts.csv   the portfolio (SPEC section 4): segments, regions, tiers, modules,\n"
    "                 usage, NPS, support load, renewal dates; features that move together\n"
    "                 because one latent engagement and one growth factor drive them\n"
    "  roster.csv     CSMs per region (one per gen.accounts_per_csm accounts), AEs, two\n"
    "                 leads, two marketers, two product managers, an operator\n"
    "  history.csv    past campaigns' opportunities, their outcomes drawn from the truth\n"
    "  truth.csv      per account the true probability of expanding by each play (seat,\n"
    "                 tier, cross-sell, geo) and of churning, the latent factors, the ARR\n"
    "                 each play would add\n"
    "  truth.md       this run's calibrated model: weights, intercepts, base rates\n"
    "\n"
    "The same arguments and settings give byte-identical files. Each file is written under\n"
    "a temporary name and renamed when complete.\n"
    "\n"
    "Options:\n"
    "      --accounts N           accounts to generate (1..100000000)\n"
    "      --seed N               seed of the random streams (0..18446744073709551615)\n"
    "      --out DIR              output directory; its parent must exist\n"
    "      --history-campaigns N  past campaigns in history.csv (default 2, 0..100)\n"
    "      --start YYYY-MM-DD     campaign start: renewals fall in the year after it, past\n"
    "                             campaigns before it (default campaign.start_date)\n"
    "  -c, --config FILE          configuration (repeatable; later files win)\n"
    "  -o, --option PATH=VALUE    override one setting\n"
    "  -h, --help                 this text\n"
    "      --version              print the version\n"
    "\n"
    "Settings used (all optional but campaign.start_date; defaults in brackets):\n"
    "  campaign.start_date                 unless --start is given\n"
    "  plays.[].win_rate, cycle_days       per play: the targeted accounts' win rate (the\n"
    "                                      middle of the range) and past deals' cycle\n"
    "  gen.segment_mix [0.55,0.33,0.12]    smb, mid-market, enterprise\n"
    "  gen.region_mix [0.50,0.30,0.20]     americas, emea, apac\n"
    "  gen.tier_prices [240,420,660,960]   USD per seat per year, starter..enterprise-plus\n"
    "  gen.module_uplift.NAME              ARR uplift of analytics 0.25, workflow 0.20,\n"
    "                                      automation 0.30, security 0.15, integrations 0.10\n"
    "  gen.volume_discount [0.08]          discount slope per doubling of seats over 25\n"
    "  gen.tier_upgrade_share [0.6]        share of a contract a tier upgrade moves up\n"
    "  gen.stakeholder_change_share [0.125]  key stakeholder changed in the last year\n"
    "  gen.accounts_per_csm [50], gen.csms_per_ae [5]\n"
    "  gen.geo_win_rate [0.35,0.45]        the geo play (not in the seed's plays)\n"
    "  gen.high_propensity_share [0.10]    top share of a play's accounts it targets\n"
    "  gen.target_segment [mid-market]     where opportunities are counted\n"
    "  gen.opportunities_per_1500 [125]    (account, play) pairs with p >= the next\n"
    "  gen.opportunity_probability [0.30]  per 1,500 accounts in the target segment\n"
    "  gen.churn_rate [0.10]               mean probability of churning at renewal\n"
    "  gen.history_share [0.10]            accounts with an opportunity per past campaign\n"
    "  gen.history_spacing_days [182]      days between past campaigns\n"
    "  gen.calibration_sample [50000]      accounts the calibration looks at, at most\n"
    "\n"
    "Prints what it wrote and the calibrated base rates on stdout.\n"
    "\n"
    "Exit codes: 0 written, 1 I/O error (nothing is left under the final names of the\n"
    "files that failed), 2 usage, 4 configuration error.\n";

#define ACCOUNTS_MAX          100000000ULL
#define HISTORY_CAMPAIGNS_MAX 100

typedef struct {
    const char *accounts, *seed, *out, *history, *start;
} s_args_t;

/*  --name VALUE or --name=VALUE into args; returns 0 or a usage exit code. */
static int
s_parse_args (cli_t *cli, s_args_t *args)
{
    static const char *const names[] = {"--accounts", "--seed", "--out", "--history-campaigns",
                                        "--start"};
    const char **slots[] = {&args->accounts, &args->seed, &args->out, &args->history,
                            &args->start};
    for (int i = 0; i < cli->argc; i++) {
        const char *arg = cli->argv[i];
        int found = -1;
        const char *value = NULL;
        for (int k = 0; k < 5 && found < 0; k++) {
            size_t len = strlen (names[k]);
            if (strncmp (arg, names[k], len) == 0 && (arg[len] == '\0' || arg[len] == '=')) {
                found = k;
                value = arg[len] == '=' ? arg + len + 1 : NULL;
            }
        }
        if (found < 0)
            return arg[0] == '-' ? cli_usage_error (cli, "unknown option '%s'", arg)
                                 : cli_usage_error (cli, "unexpected argument '%s'", arg);
        if (!value) {
            if (i + 1 >= cli->argc)
                return cli_usage_error (cli, "%s needs a value", names[found]);
            value = cli->argv[++i];
        }
        *slots[found] = value;
    }
    if (!args->accounts)
        return cli_usage_error (cli, "--accounts N is required");
    if (!args->seed)
        return cli_usage_error (cli, "--seed N is required");
    if (!args->out || !*args->out)
        return cli_usage_error (cli, "--out DIR is required");
    return 0;
}

int
main (int argc, char **argv)
{
    cli_t cli;
    int rc = cli_start (&cli, argc, argv, s_usage);
    if (rc >= 0)
        return rc;
    s_args_t args = {NULL, NULL, NULL, NULL, NULL};
    synth_params_t params;
    synth_params_default (&params);
    unsigned long long number;
    rc = s_parse_args (&cli, &args);
    if (rc)
        goto done;
    if (!cli_whole_number (args.accounts, 1, ACCOUNTS_MAX, &number)) {
        rc = cli_usage_error (&cli, "--accounts '%s' is not a whole number in 1..%llu",
                              args.accounts, ACCOUNTS_MAX);
        goto done;
    }
    params.accounts = number;
    if (!cli_whole_number (args.seed, 0, UINT64_MAX, &number)) {
        rc = cli_usage_error (&cli, "--seed '%s' is not a whole number in 0..%llu", args.seed,
                              (unsigned long long)UINT64_MAX);
        goto done;
    }
    params.seed = number;
    if (args.history) {
        if (!cli_whole_number (args.history, 0, HISTORY_CAMPAIGNS_MAX, &number)) {
            rc = cli_usage_error (&cli,
                                  "--history-campaigns '%s' is not a whole number in 0..%d",
                                  args.history, HISTORY_CAMPAIGNS_MAX);
            goto done;
        }
        params.history_campaigns = (int)number;
    }
    if (args.start && date_parse (args.start, &params.start_day) != 0) {
        rc = cli_usage_error (&cli, "--start '%s' is not a date (YYYY-MM-DD)", args.start);
        goto done;
    }

    err_t err;
    if (synth_params_load (&params, cli.conf, &err) != 0) {
        fprintf (stderr, "%s: configuration error: %s\n", cli.program, err.msg);
        rc = CLI_EXIT_CONFIG;
        goto done;
    }
    synth_t *synth = synth_new (&params);
    synth_counts_t counts;
    int synth_rc = synth ? synth_write (synth, args.out, &counts, &err)
                         : err_set (&err, ERR_NOMEM, "out of memory");
    if (synth_rc) {
        fprintf (stderr, "%s: %s\n", cli.program, err.msg);
        rc = cli_exit_code (synth_rc);
    } else {
        const synth_rates_t *r = synth_rates (synth);
        printf ("%s: wrote %llu accounts, %llu people, %llu history records to %s\n",
                cli.program, (unsigned long long)counts.accounts,
                (unsigned long long)counts.people, (unsigned long long)counts.history_records,
                args.out);
        printf ("targeted win rates: seat %.3f, tier %.3f, cross-sell %.3f, geo %.3f; "
                "opportunities per 1,500 accounts in the target segment: %.1f; "
                "mean p_expand %.3f, p_churn %.3f\n",
                r->targeted_rate[SYNTH_SEAT], r->targeted_rate[SYNTH_TIER],
                r->targeted_rate[SYNTH_CROSS_SELL], r->targeted_rate[SYNTH_GEO],
                r->opportunities_total, r->expand_rate, r->churn_rate);
        rc = CLI_EXIT_OK;
    }
    synth_destroy (&synth);
done:
    cli_end (&cli);
    return rc;
}

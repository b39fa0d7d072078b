/*  campaign-model: fit and evaluate propensity model files (SPEC sections 5 and 8,
    issue 7 item 1; the model and its file format are documented in lib/model.h).

    Parses the arguments, hands the CSV to lib/model, prints through summary.h and maps
    the result to an exit code. */
#include "cli.h"
#include "csvreader.h"
#include "model.h"
#include "summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char s_usage[] =
    "Usage: campaign-model [-c FILE]... [-o PATH=VALUE]... fit DATA.csv --out MODEL.cfg\n"
    "                      --label COL [--features A,B,...] [--categorical A,B,...]\n"
    "                      [--ignore A,B,...] [--group COL] [--lambda X] [--folds K]\n"
    "                      [--seed N] [--max-iterations N]\n"
    "       campaign-model [-c FILE]... evaluate MODEL.cfg DATA.csv [--json] [--bins K]\n"
    "\n"
    "fit: fit a logistic propensity model with an L2 penalty on DATA.csv (a header row,\n"
    "RFC 4180) and write it to MODEL.cfg, a libconfig file whose numeric part has the\n"
    "identifier's propensity form: p = logistic (intercept + sum weight x (x - mean) /\n"
    "scale), plus one weight per non-reference level of each categorical column.\n"
    "Numeric columns are standardised (mean, population sd; a constant column gets scale\n"
    "1, weight 0 and a warning); categorical columns are one-hot encoded against their\n"
    "most frequent level. Newton's method with step halving fits the weights; a singular\n"
    "design or separable data get a small extra ridge and a warning, never an endless\n"
    "fit. K-fold cross-validated AUC and Brier score (stratified folds drawn from --seed)\n"
    "are printed and recorded in the file. The file is written whole or not at all.\n"
    "\n"
    "evaluate: score every row of DATA.csv with MODEL.cfg and print AUC, Brier score, log\n"
    "loss, and calibration and lift by decile (mean predicted vs observed rate, ECE). A\n"
    "categorical level the model has not seen counts as its reference level.\n"
    "\n"
    "Options of fit:\n"
    "      --out MODEL.cfg        where to write the model (required)\n"
    "      --label COL            the outcome: 1/0, yes/no, won/lost, true/false\n"
    "      --features A,B,...     the feature columns (default: every other column)\n"
    "      --categorical A,B,...  these features are categorical (default: a column with\n"
    "                             any cell that is not a number)\n"
    "      --ignore A,B,...       columns never used (ids, dates, free text)\n"
    "      --group COL            one model per value of COL (e.g. opportunity_type)\n"
    "      --lambda X             L2 penalty on the weights, >= 0 (default 1)\n"
    "      --folds K              cross-validation folds, 0 for none or 2..100 (default 5)\n"
    "      --seed N               fold assignment (default 1)\n"
    "      --max-iterations N     Newton iterations per fit (default 100)\n"
    "Options of evaluate:\n"
    "      --json                 one JSON object instead of the table\n"
    "      --bins K               calibration bins (default 10: deciles)\n"
    "Common:\n"
    "  -c, --config FILE          configuration (repeatable; none of it is needed here)\n"
    "  -o, --option PATH=VALUE    override one setting\n"
    "  -h, --help                 this text\n"
    "      --version              print the version\n"
    "\n"
    "Warnings (constant columns, separation, singular design) go to stderr.\n"
    "\n"
    "Exit codes: 0 done, 1 the model file could not be written, 2 usage, 4 bad input\n"
    "(unreadable or invalid CSV or model file; nothing is written then).\n";

typedef struct {
    const char *out, *label, *features, *categorical, *ignore, *group, *lambda, *folds, *seed,
        *iterations, *bins;
    bool json;
    const char *positional[2];
    int n_positional;
} s_args_t;

/*  --name VALUE or --name=VALUE; returns 0 or a usage exit code. */
static int
s_parse_args (cli_t *cli, int first, s_args_t *args)
{
    static const char *const names[] = {
        "--out",    "--label", "--features", "--categorical",    "--ignore", "--group",
        "--lambda", "--folds", "--seed",     "--max-iterations", "--bins"};
    const char **slots[] = {&args->out,         &args->label,  &args->features,
                            &args->categorical, &args->ignore, &args->group,
                            &args->lambda,      &args->folds,  &args->seed,
                            &args->iterations,  &args->bins};
    size_t count = sizeof names / sizeof *names;
    for (int i = first; i < cli->argc; i++) {
        const char *arg = cli->argv[i];
        if (strcmp (arg, "--json") == 0) {
            args->json = true;
            continue;
        }
        int found = -1;
        const char *value = NULL;
        for (size_t k = 0; k < count && found < 0; k++) {
            size_t len = strlen (names[k]);
            if (strncmp (arg, names[k], len) == 0 && (arg[len] == '\0' || arg[len] == '=')) {
                found = (int)k;
                value = arg[len] == '=' ? arg + len + 1 : NULL;
            }
        }
        if (found < 0) {
            if (arg[0] == '-' && arg[1])
                return cli_usage_error (cli, "unknown option '%s'", arg);
            if (args->n_positional == 2)
                return cli_usage_error (cli, "unexpected argument '%s'", arg);
            args->positional[args->n_positional++] = arg;
            continue;
        }
        if (!value) {
            if (i + 1 >= cli->argc)
                return cli_usage_error (cli, "%s needs a value", names[found]);
            value = cli->argv[++i];
        }
        *slots[found] = value;
    }
    return 0;
}

/*  "a,b,c" into a NULL-terminated array of copies (free with s_list_free); NULL for
    NULL text. Empty names are a usage error. */
static int
s_split (cli_t *cli, const char *option, const char *text, char ***out)
{
    *out = NULL;
    if (!text)
        return 0;
    size_t n = 1;
    for (const char *c = text; *c; c++)
        n += *c == ',';
    char **list = calloc (n + 1, sizeof *list);
    char *copy = strdup (text);
    if (!list || !copy) {
        free (list);
        free (copy);
        fprintf (stderr, "%s: out of memory\n", cli->program);
        return CLI_EXIT_REJECTED;
    }
    size_t k = 0;
    for (char *save = NULL, *token = strtok_r (copy, ",", &save); token;
         token = strtok_r (NULL, ",", &save))
        list[k++] = token;
    if (k == 0 || k != n) {
        free (list);
        free (copy);
        return cli_usage_error (cli, "%s '%s': empty column name", option, text);
    }
    *out = list; /* list[0] is the start of copy: freeing it frees every name */
    return 0;
}

static void
s_list_free (char **list)
{
    if (list)
        free (list[0]);
    free (list);
}

/*  Bad input (CSV, model file) is 4; a file we failed to write is 1. */
static int
s_exit_code (int rc)
{
    switch (rc) {
    case 0: return CLI_EXIT_OK;
    case ERR_USAGE: return CLI_EXIT_USAGE;
    case ERR_IO:
    case ERR_NOMEM: return CLI_EXIT_REJECTED;
    default: return CLI_EXIT_CONFIG;
    }
}

static int
s_fit (cli_t *cli, s_args_t *args)
{
    if (args->n_positional != 1)
        return cli_usage_error (cli, "fit needs one DATA.csv");
    if (!args->out || !*args->out)
        return cli_usage_error (cli, "fit needs --out MODEL.cfg");
    if (!args->label || !*args->label)
        return cli_usage_error (cli, "fit needs --label COL");
    if (args->json || args->bins)
        return cli_usage_error (cli, "--json and --bins are options of evaluate");
    model_options_t options;
    model_options_default (&options);
    options.label = args->label;
    options.group = args->group;
    unsigned long long number;
    if (args->lambda) {
        char *end = NULL;
        options.lambda = strtod (args->lambda, &end);
        if (!*args->lambda || *end || !(options.lambda >= 0) || options.lambda > 1e12)
            return cli_usage_error (cli, "--lambda '%s' is not a number in 0..1e12",
                                    args->lambda);
    }
    if (args->folds) {
        if (!cli_whole_number (args->folds, 0, 100, &number) || number == 1)
            return cli_usage_error (cli, "--folds '%s' is not 0 or a whole number in 2..100",
                                    args->folds);
        options.folds = (int)number;
    }
    if (args->seed) {
        if (!cli_whole_number (args->seed, 0, UINT64_MAX, &number))
            return cli_usage_error (cli, "--seed '%s' is not a whole number", args->seed);
        options.seed = number;
    }
    if (args->iterations) {
        if (!cli_whole_number (args->iterations, 1, 10000, &number))
            return cli_usage_error (cli,
                                    "--max-iterations '%s' is not a whole number in "
                                    "1..10000",
                                    args->iterations);
        options.max_iterations = (int)number;
    }
    char **features = NULL, **categorical = NULL, **ignore = NULL;
    int rc = s_split (cli, "--features", args->features, &features);
    if (!rc)
        rc = s_split (cli, "--categorical", args->categorical, &categorical);
    if (!rc)
        rc = s_split (cli, "--ignore", args->ignore, &ignore);
    if (rc)
        goto done;
    options.features = (const char *const *)features;
    options.categorical = (const char *const *)categorical;
    options.ignore = (const char *const *)ignore;

    err_t err;
    csvreader_t *csv = NULL;
    model_t *model = NULL;
    int model_rc = csvreader_open (args->positional[0], &csv, &err);
    if (model_rc == ERR_IO)
        model_rc = ERR_INVALID; /* an unreadable input is bad input, not a failed write */
    if (!model_rc)
        model_rc = model_fit (csv, &options, &model, &err);
    if (!model_rc) {
        for (size_t i = 0; i < model_notes (model); i++)
            fprintf (stderr, "%s: warning: %s\n", cli->program, model_note (model, i));
        model_rc = model_save (model, args->out, &err);
    }
    if (model_rc) {
        if (model_rc == ERR_USAGE)
            rc = cli_usage_error (cli, "%s", err.msg);
        else {
            fprintf (stderr, "%s: %s\n", cli->program, err.msg);
            rc = s_exit_code (model_rc);
        }
    } else {
        summary_fit (stdout, model);
        printf ("\nwrote %s\n", args->out);
        rc = CLI_EXIT_OK;
    }
    model_destroy (&model);
    csvreader_destroy (&csv);
done:
    s_list_free (features);
    s_list_free (categorical);
    s_list_free (ignore);
    return rc;
}

static int
s_evaluate (cli_t *cli, s_args_t *args)
{
    if (args->n_positional != 2)
        return cli_usage_error (cli, "evaluate needs MODEL.cfg and DATA.csv");
    if (args->out || args->label || args->features || args->categorical || args->ignore ||
        args->group || args->lambda || args->folds || args->seed || args->iterations)
        return cli_usage_error (cli, "evaluate takes only --json and --bins");
    unsigned long long bins = 10;
    if (args->bins && !cli_whole_number (args->bins, 1, 1000, &bins))
        return cli_usage_error (cli, "--bins '%s' is not a whole number in 1..1000",
                                args->bins);
    err_t err;
    model_t *model = NULL;
    csvreader_t *csv = NULL;
    model_evaluation_t *eval = NULL;
    int rc = model_load (args->positional[0], &model, &err);
    if (!rc)
        rc = csvreader_open (args->positional[1], &csv, &err);
    if (!rc)
        rc = model_evaluate (model, csv, (size_t)bins, &eval, &err);
    if (rc) {
        fprintf (stderr, "%s: %s\n", cli->program, err.msg);
        rc = rc == ERR_NOMEM ? CLI_EXIT_REJECTED : CLI_EXIT_CONFIG;
    } else if (args->json)
        rc = summary_evaluation_json (stdout, eval) ? CLI_EXIT_REJECTED : CLI_EXIT_OK;
    else {
        summary_evaluation (stdout, eval);
        rc = CLI_EXIT_OK;
    }
    model_evaluation_destroy (&eval);
    csvreader_destroy (&csv);
    model_destroy (&model);
    return rc;
}

int
main (int argc, char **argv)
{
    cli_t cli;
    int rc = cli_start (&cli, argc, argv, s_usage);
    if (rc >= 0)
        return rc;
    s_args_t args;
    memset (&args, 0, sizeof args);
    if (cli.argc < 1)
        rc = cli_usage_error (&cli, "a command is required: fit or evaluate");
    else if (strcmp (cli.argv[0], "fit") != 0 && strcmp (cli.argv[0], "evaluate") != 0)
        rc = cli_usage_error (&cli, "unknown command '%s' (fit or evaluate)", cli.argv[0]);
    else {
        rc = s_parse_args (&cli, 1, &args);
        if (!rc)
            rc = strcmp (cli.argv[0], "fit") == 0 ? s_fit (&cli, &args)
                                                  : s_evaluate (&cli, &args);
    }
    cli_end (&cli);
    return rc;
}

/*  gen_test.c: campaign-gen, run as people run it (bin/campaign-gen in a temp dir).

    What it writes must load through the records importers, look like a real portfolio
    (proportions, features that move together, every account's CSM in its region), be
    byte-identical for a seed, and carry a truth whose base rates are the seed's. The
    runs use a one-line configuration of their own so the bundled one can change
    without moving these numbers. */
#include "test_support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "csvreader.h"
#include "records.h"

TS_SUITE (gen);

#define START_DATE "2026-10-05"

/*  The seed's ranges (shared/seeds/000_*.txt, "Campaign Variations"); geo is the
    generator's default. */
static const char *const s_plays[] = {"seat", "tier", "cross-sell", "geo"};
static const double s_win_lo[] = {0.60, 0.45, 0.35, 0.35};
static const double s_win_hi[] = {0.70, 0.55, 0.45, 0.45};
static const int s_cycle_lo[] = {30, 60, 60, 60};
static const int s_cycle_hi[] = {45, 90, 120, 120};

typedef struct {
    char *dir;    /* temp dir: config and the output directory */
    char *config; /* campaign.start_date only */
    char *out;    /* dir/out */
} s_run_t;

static void
s_run_init (s_run_t *run)
{
    run->dir = ts_tempdir ();
    cr_assert_not_null (run->dir);
    run->config = ts_write_file (run->dir, "gen.cfg",
                                 "campaign = { start_date = \"" START_DATE "\"; };\n");
    cr_assert_not_null (run->config);
    cr_assert (asprintf (&run->out, "%s/out", run->dir) > 0);
}

static void
s_run_cleanup (s_run_t *run)
{
    free (run->config);
    free (run->out);
    ts_tempdir_remove (&run->dir);
}

/*  Run bin/campaign-gen -c config with the NULL-terminated arguments; returns the exit
    code, stdout and stderr in *out / *err_out if wanted. */
#define s_gen(run, out, err_out, ...)                                                          \
    ts_program ("campaign-gen", (char *const[]){"-c", (run)->config, NULL}, out, err_out,      \
                __VA_ARGS__)

/*  Generate `accounts` accounts with `seed` into run->out; asserts success. */
static void
s_generate (s_run_t *run, const char *accounts, const char *seed)
{
    char *err_text = NULL;
    int rc = s_gen (run, NULL, &err_text, "--accounts", accounts, "--seed", seed, "--out",
                    run->out, NULL);
    cr_assert_eq (rc, 0, "campaign-gen exited %d: %s", rc, err_text ? err_text : "");
    free (err_text);
}

static char *
s_read (const s_run_t *run, const char *name)
{
    char *path = NULL;
    cr_assert (asprintf (&path, "%s/%s", run->out, name) > 0);
    char *text = ts_read_file (path);
    cr_assert_not_null (text, "cannot read %s", path);
    free (path);
    return text;
}

/*  The three SPEC files, loaded by the importers the broker uses. */
typedef struct {
    Campaign__ImportPortfolio *portfolio;
    Campaign__ImportRoster *roster;
    Campaign__ImportHistory *history;
} s_world_t;

static void
s_load (const s_run_t *run, s_world_t *world)
{
    char path[4096];
    err_t err;
    snprintf (path, sizeof path, "%s/accounts.csv", run->out);
    cr_assert_eq (records_load_accounts (path, &world->portfolio, &err), 0, "%s", err.msg);
    snprintf (path, sizeof path, "%s/roster.csv", run->out);
    cr_assert_eq (records_load_roster (path, &world->roster, &err), 0, "%s", err.msg);
    snprintf (path, sizeof path, "%s/history.csv", run->out);
    cr_assert_eq (records_load_history (path, &world->history, &err), 0, "%s", err.msg);
}

static void
s_world_free (s_world_t *world)
{
    campaign__import_portfolio__free_unpacked (world->portfolio, NULL);
    campaign__import_roster__free_unpacked (world->roster, NULL);
    campaign__import_history__free_unpacked (world->history, NULL);
}

static double
s_correlation (const double *x, const double *y, size_t n)
{
    double mx = 0, my = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i];
        my += y[i];
    }
    mx /= n;
    my /= n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / sqrt (sxx * syy);
}

static bool
s_listed (char **items, size_t n, const char *item)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp (items[i], item) == 0)
            return true;
    return false;
}

static int32_t
s_day (const char *text)
{
    int32_t day = 0;
    cr_assert_eq (date_parse (text, &day), 0, "'%s' is not a date", text);
    return day;
}

Test (gen, same_seed_gives_the_same_bytes)
{
    static const char *const files[] = {"accounts.csv", "roster.csv", "history.csv",
                                        "truth.csv", "truth.md"};
    s_run_t a, b, c;
    s_run_init (&a);
    s_run_init (&b);
    s_run_init (&c);
    s_generate (&a, "400", "7");
    s_generate (&b, "400", "7");
    s_generate (&c, "400", "8");
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *x = s_read (&a, files[i]), *y = s_read (&b, files[i]);
        cr_expect_str_eq (x, y, "%s differs between two runs with seed 7", files[i]);
        free (x);
        free (y);
    }
    static const char *const varying[] = {"accounts.csv", "history.csv", "truth.csv"};
    for (size_t i = 0; i < sizeof varying / sizeof varying[0]; i++) {
        char *x = s_read (&a, varying[i]), *z = s_read (&c, varying[i]);
        cr_expect_str_neq (x, z, "%s is the same for seeds 7 and 8", varying[i]);
        free (x);
        free (z);
    }
    s_run_cleanup (&a);
    s_run_cleanup (&b);
    s_run_cleanup (&c);
}

Test (gen, files_load_whole_through_the_importers)
{
    s_run_t run;
    s_run_init (&run);
    char *out = NULL;
    int rc =
        s_gen (&run, &out, NULL, "--accounts", "1500", "--seed", "7", "--out", run.out, NULL);
    cr_assert_eq (rc, 0);
    cr_expect (strstr (out, "wrote 1500 accounts"), "stdout: %s", out);
    free (out);
    s_world_t world;
    s_load (&run, &world);
    cr_expect_eq (world.portfolio->n_accounts, 1500);
    cr_expect_str_eq (world.portfolio->accounts[0]->account_id, "A-0001");
    cr_expect_str_eq (world.portfolio->accounts[1499]->account_id, "A-1500");
    cr_expect_gt (world.roster->n_people, 30);
    cr_expect_gt (world.history->n_records, 100);
    /*  Every history record is about an account of the portfolio (ids are A-0001..). */
    for (size_t i = 0; i < world.history->n_records; i++) {
        const char *id = world.history->records[i]->account_id;
        int number = atoi (id + 2);
        cr_expect (strncmp (id, "A-", 2) == 0 && number >= 1 && number <= 1500,
                   "history names unknown account %s", id);
    }
    s_world_free (&world);
    s_run_cleanup (&run);
}

Test (gen, portfolio_has_realistic_proportions)
{
    s_run_t run;
    s_run_init (&run);
    s_generate (&run, "1500", "7");
    s_world_t world;
    s_load (&run, &world);
    size_t n = world.portfolio->n_accounts;
    int32_t start = s_day (START_DATE);
    double segments[3] = {0}, regions[3] = {0}, changed = 0, low_utilisation = 0;
    double upper_tier[3] = {0}; /* enterprise or enterprise-plus, per segment */
    double arr_per_seat[4] = {0}, tier_count[4] = {0};
    for (size_t i = 0; i < n; i++) {
        const Campaign__Account *a = world.portfolio->accounts[i];
        int segment = -1, region = -1, tier = -1;
        for (int k = 0; k < 3; k++) {
            if (strcmp (a->segment, records_segments[k]) == 0)
                segment = k;
            if (strcmp (a->region, records_regions[k]) == 0)
                region = k;
        }
        for (int k = 0; k < 4; k++)
            if (strcmp (a->tier, records_tiers[k]) == 0)
                tier = k;
        cr_assert (segment >= 0 && region >= 0 && tier >= 0);
        segments[segment]++;
        regions[region]++;
        upper_tier[segment] += tier >= 2;
        arr_per_seat[tier] += a->arr / a->seats_purchased;
        tier_count[tier]++;
        changed += a->has_stakeholder_change_days;
        low_utilisation += (double)a->seats_active / a->seats_purchased < 0.6;
        cr_expect_gt (a->employees, a->seats_purchased, "%s", a->account_id);
        cr_expect (s_listed (a->products, a->n_products, "core"), "%s", a->account_id);
        cr_expect (s_listed (a->regions_present, a->n_regions_present, a->region));
        for (size_t k = 0; k < a->n_regions_licensed; k++)
            cr_expect (
                s_listed (a->regions_present, a->n_regions_present, a->regions_licensed[k]),
                "%s licenses a region it is not present in", a->account_id);
        if (a->has_stakeholder_change_days)
            cr_expect (a->stakeholder_change_days >= 1 && a->stakeholder_change_days <= 365);
        int32_t renewal = s_day (a->renewal_date), contract = s_day (a->contract_start);
        cr_expect (renewal >= start && renewal < start + 365, "%s renews %s", a->account_id,
                   a->renewal_date);
        cr_expect (contract <= start - 365 && contract >= start - 5 * 366, "%s started %s",
                   a->account_id, a->contract_start);
    }
    static const double segment_share[] = {0.55, 0.33, 0.12};
    static const double region_share[] = {0.50, 0.30, 0.20};
    for (int k = 0; k < 3; k++) {
        cr_expect (fabs (segments[k] / n - segment_share[k]) < 0.04, "%s share %.3f",
                   records_segments[k], segments[k] / n);
        cr_expect (fabs (regions[k] / n - region_share[k]) < 0.04, "%s share %.3f",
                   records_regions[k], regions[k] / n);
    }
    /*  Tiers follow the segment; the price per seat follows the tier. */
    cr_expect_lt (upper_tier[0] / segments[0], 0.2);
    cr_expect_gt (upper_tier[2] / segments[2], 0.6);
    for (int t = 1; t < 4; t++)
        cr_expect_gt (arr_per_seat[t] / tier_count[t], arr_per_seat[t - 1] / tier_count[t - 1],
                      "ARR per seat of %s", records_tiers[t]);
    cr_expect (changed / n >= 0.10 && changed / n <= 0.15, "stakeholder changes %.3f",
               changed / n);
    cr_expect (low_utilisation / n > 0.10 && low_utilisation / n < 0.35,
               "utilisation below 60%%: %.3f", low_utilisation / n);
    s_world_free (&world);
    s_run_cleanup (&run);
}

Test (gen, engagement_moves_the_features_together)
{
    s_run_t run;
    s_run_init (&run);
    s_generate (&run, "1500", "7");
    s_world_t world;
    s_load (&run, &world);
    size_t n = world.portfolio->n_accounts;
    double *adoption = calloc (n, sizeof (double)), *nps = calloc (n, sizeof (double));
    double *tickets = calloc (n, sizeof (double)), *utilisation = calloc (n, sizeof (double));
    double *usage = calloc (n, sizeof (double));
    cr_assert (adoption && nps && tickets && utilisation && usage);
    for (size_t i = 0; i < n; i++) {
        const Campaign__Account *a = world.portfolio->accounts[i];
        adoption[i] = a->feature_adoption_pct;
        nps[i] = a->nps;
        tickets[i] = a->support_tickets_90d;
        utilisation[i] = (double)a->seats_active / a->seats_purchased;
        usage[i] = a->usage_growth_pct;
    }
    cr_expect_gt (s_correlation (adoption, nps, n), 0.3);
    cr_expect_lt (s_correlation (adoption, tickets, n), -0.1);
    cr_expect_gt (s_correlation (adoption, utilisation, n), 0.3);
    cr_expect_gt (s_correlation (adoption, usage, n), 0.2);
    cr_expect_lt (s_correlation (nps, tickets, n), -0.1);
    free (adoption);
    free (nps);
    free (tickets);
    free (utilisation);
    free (usage);
    s_world_free (&world);
    s_run_cleanup (&run);
}

Test (gen, every_account_has_a_csm_of_its_region)
{
    s_run_t run;
    s_run_init (&run);
    s_generate (&run, "1500", "7");
    s_world_t world;
    s_load (&run, &world);
    const Campaign__ImportRoster *roster = world.roster;
    double csms[3] = {0}, aes[3] = {0}, accounts[3] = {0};
    int leads = 0, marketing = 0, product = 0, operators = 0;
    for (size_t i = 0; i < roster->n_people; i++) {
        const Campaign__Person *p = roster->people[i];
        for (int r = 0; r < 3; r++)
            if (strcmp (p->region, records_regions[r]) == 0) {
                csms[r] += strcmp (p->role, "csm") == 0;
                aes[r] += strcmp (p->role, "ae") == 0;
            }
        leads += strcmp (p->role, "leadership") == 0;
        marketing += strcmp (p->role, "marketing") == 0;
        product += strcmp (p->role, "product") == 0;
        operators += strcmp (p->role, "operator") == 0;
        if (strcmp (p->role, "csm") == 0)
            cr_expect (strncmp (p->person_id, "CSM-", 4) == 0, "%s", p->person_id);
        if (strcmp (p->role, "ae") == 0)
            cr_expect (strncmp (p->person_id, "AE-", 3) == 0, "%s", p->person_id);
    }
    cr_expect_eq (leads, 2);
    cr_expect_eq (marketing, 2);
    cr_expect_eq (product, 2);
    cr_expect_eq (operators, 1);
    for (size_t i = 0; i < world.portfolio->n_accounts; i++) {
        const Campaign__Account *a = world.portfolio->accounts[i];
        const Campaign__Person *csm = NULL;
        for (size_t k = 0; k < roster->n_people && !csm; k++)
            if (strcmp (roster->people[k]->person_id, a->csm) == 0)
                csm = roster->people[k];
        cr_assert_not_null (csm, "%s: csm %s is not on the roster", a->account_id, a->csm);
        cr_expect_str_eq (csm->role, "csm", "%s: %s", a->account_id, a->csm);
        cr_expect_str_eq (csm->region, a->region, "%s (%s) has %s of %s", a->account_id,
                          a->region, a->csm, csm->region);
        for (int r = 0; r < 3; r++)
            accounts[r] += strcmp (a->region, records_regions[r]) == 0;
    }
    for (int r = 0; r < 3; r++) {
        cr_expect_geq (aes[r], 1, "no AE in %s", records_regions[r]);
        cr_expect (accounts[r] / csms[r] >= 40 && accounts[r] / csms[r] <= 60,
                   "%s: %.0f accounts for %.0f CSMs", records_regions[r], accounts[r], csms[r]);
        cr_expect (csms[r] / aes[r] >= 3 && csms[r] / aes[r] <= 8, "%s: %.0f CSMs, %.0f AEs",
                   records_regions[r], csms[r], aes[r]);
    }
    s_world_free (&world);
    s_run_cleanup (&run);
}

static int
s_descending (const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

Test (gen, truth_is_calibrated_to_the_seed)
{
    s_run_t run;
    s_run_init (&run);
    s_generate (&run, "1500", "7");
    s_world_t world;
    s_load (&run, &world);
    char path[4096];
    snprintf (path, sizeof path, "%s/truth.csv", run.out);
    csvreader_t *csv = NULL;
    err_t err;
    cr_assert_eq (csvreader_open (path, &csv, &err), 0, "%s", err.msg);
    size_t n = csvreader_rows (csv);
    cr_assert_eq (n, world.portfolio->n_accounts);

    double *p[4];
    size_t possible[4] = {0};
    for (int k = 0; k < 4; k++)
        cr_assert_not_null (p[k] = calloc (n, sizeof (double)));
    double opportunities = 0, churn = 0;
    for (size_t i = 0; i < n; i++) {
        const Campaign__Account *a = world.portfolio->accounts[i];
        cr_assert_str_eq (csvreader_cell (csv, i, csvreader_column (csv, "account_id")),
                          a->account_id);
        bool can[4] = {true, strcmp (a->tier, "enterprise-plus") != 0, a->n_products < 6,
                       a->n_regions_licensed < a->n_regions_present};
        double none = 1.0;
        for (int k = 0; k < 4; k++) {
            char column[32];
            snprintf (column, sizeof column, "p_%s", k == 2 ? "cross_sell" : s_plays[k]);
            double value;
            cr_assert_eq (csvreader_double (csv, i, column, 0, 1, &value, &err), 0, "%s",
                          err.msg);
            if (can[k]) {
                cr_expect (value > 0 && value < 1, "%s %s %f", a->account_id, column, value);
                p[k][possible[k]++] = value;
                if (strcmp (a->segment, "mid-market") == 0 && value >= 0.30)
                    opportunities++;
            } else
                cr_expect_eq (value, 0, "%s: %s is impossible but %f", a->account_id, column,
                              value);
            none *= 1 - value;
        }
        double expand, churn_p;
        cr_assert_eq (csvreader_double (csv, i, "p_expand", 0, 1, &expand, &err), 0);
        cr_assert_eq (csvreader_double (csv, i, "p_churn", 0, 1, &churn_p, &err), 0);
        cr_expect (fabs (expand - (1 - none)) < 2e-6, "%s p_expand", a->account_id);
        cr_expect (churn_p > 0 && churn_p < 1);
        churn += churn_p;
    }
    /*  The targeted high-propensity accounts (top 10 % of those a play is possible for)
        win at the seed's rates. */
    for (int k = 0; k < 4; k++) {
        qsort (p[k], possible[k], sizeof (double), s_descending);
        size_t top = (size_t)llround (0.10 * possible[k]);
        cr_assert_gt (top, 0, "%s is possible for no account", s_plays[k]);
        double sum = 0;
        for (size_t i = 0; i < top; i++)
            sum += p[k][i];
        cr_expect (sum / top >= s_win_lo[k] && sum / top <= s_win_hi[k],
                   "%s: targeted accounts win at %.3f", s_plays[k], sum / top);
        free (p[k]);
    }
    cr_expect (opportunities >= 100 && opportunities <= 150, "%.0f opportunities in mid-market",
               opportunities);
    cr_expect (churn / n > 0.08 && churn / n < 0.12, "churn %.3f", churn / n);
    csvreader_destroy (&csv);
    s_world_free (&world);
    s_run_cleanup (&run);
}

Test (gen, history_follows_the_plays)
{
    s_run_t run;
    s_run_init (&run);
    s_generate (&run, "1500", "7");
    s_world_t world;
    s_load (&run, &world);
    int32_t start = s_day (START_DATE);
    size_t won = 0, per_play[4] = {0};
    for (size_t i = 0; i < world.history->n_records; i++) {
        const Campaign__HistoryRecord *h = world.history->records[i];
        int play = -1;
        for (int k = 0; k < 4; k++)
            if (strcmp (h->opportunity_type, s_plays[k]) == 0)
                play = k;
        cr_assert (play >= 0);
        per_play[play]++;
        int32_t opened = s_day (h->opened), closed = s_day (h->closed);
        cr_expect_lt (closed, start, "%s closed %s, after the start", h->account_id, h->closed);
        cr_expect (strcmp (h->campaign, "2026-H1") == 0 || strcmp (h->campaign, "2025-H2") == 0,
                   "campaign %s", h->campaign);
        if (strcmp (h->outcome, "won") == 0) {
            won++;
            cr_expect_gt (h->arr_delta, 0);
            cr_expect (
                closed - opened >= s_cycle_lo[play] && closed - opened <= s_cycle_hi[play],
                "%s %s took %d days", h->account_id, h->opportunity_type, closed - opened);
        } else {
            cr_expect_eq (h->arr_delta, 0);
            cr_expect_leq (closed - opened, s_cycle_hi[play]);
        }
    }
    double rate = (double)won / world.history->n_records;
    cr_expect (rate > 0.2 && rate < 0.7, "past win rate %.3f", rate);
    for (int k = 0; k < 3; k++)
        cr_expect_gt (per_play[k], 0, "no past %s deals", s_plays[k]);
    s_world_free (&world);
    s_run_cleanup (&run);
}

Test (gen, history_campaigns_and_start_are_honoured)
{
    s_run_t run;
    s_run_init (&run);
    int rc = s_gen (&run, NULL, NULL, "--accounts", "300", "--seed", "3", "--out", run.out,
                    "--history-campaigns", "0", "--start", "2027-01-04", NULL);
    cr_assert_eq (rc, 0);
    s_world_t world;
    s_load (&run, &world);
    cr_expect_eq (world.history->n_records, 0);
    int32_t start = s_day ("2027-01-04");
    for (size_t i = 0; i < world.portfolio->n_accounts; i++) {
        int32_t renewal = s_day (world.portfolio->accounts[i]->renewal_date);
        cr_expect (renewal >= start && renewal < start + 365);
    }
    s_world_free (&world);
    s_run_cleanup (&run);
}

Test (gen, usage_errors_exit_2)
{
    s_run_t run;
    s_run_init (&run);
    const char *o = run.out;
    struct {
        const char *args[10];
    } cases[] = {
        {{NULL}},
        {{"--seed", "7", "--out", o, NULL}},
        {{"--accounts", "10", "--out", o, NULL}},
        {{"--accounts", "10", "--seed", "7", NULL}},
        {{"--accounts", "0", "--seed", "7", "--out", o, NULL}},
        {{"--accounts", "ten", "--seed", "7", "--out", o, NULL}},
        {{"--accounts", "-5", "--seed", "7", "--out", o, NULL}},
        {{"--accounts", "10", "--seed", "7x", "--out", o, NULL}},
        {{"--accounts", "10", "--seed", "7", "--out", o, "--start", "2026-13-01", NULL}},
        {{"--accounts", "10", "--seed", "7", "--out", o, "--history-campaigns", "101", NULL}},
        {{"--accounts", "10", "--seed", "7", "--out", o, "--bogus", NULL}},
        {{"--accounts", "10", "--seed", "7", "--out", o, "extra", NULL}},
        {{"--accounts", "10", "--seed", "7", "--out", NULL}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const char *const *a = cases[c].args;
        char *err_text = NULL;
        int rc = s_gen (&run, NULL, &err_text, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7],
                        a[8], NULL);
        cr_expect_eq (rc, 2, "case %zu exited %d: %s", c, rc, err_text ? err_text : "");
        cr_expect (err_text && strstr (err_text, "Usage: campaign-gen"), "case %zu: %s", c,
                   err_text ? err_text : "");
        free (err_text);
    }
    char *out = NULL;
    cr_expect_eq (s_gen (&run, &out, NULL, "--help", NULL), 0);
    cr_expect (out && strstr (out, "--history-campaigns"));
    free (out);
    s_run_cleanup (&run);
}

Test (gen, configuration_and_io_errors)
{
    s_run_t run;
    s_run_init (&run);
    char *err_text = NULL;
    int rc = s_gen (&run, NULL, &err_text, "-o", "gen.segment_mix=[1, 2]", "--accounts", "10",
                    "--seed", "1", "--out", run.out, NULL);
    cr_expect_eq (rc, 4, "%s", err_text ? err_text : "");
    cr_expect (err_text && strstr (err_text, "gen.segment_mix"), "%s", err_text);
    free (err_text);
    err_text = NULL;
    rc = s_gen (&run, NULL, &err_text, "-o", "gen.target_segment=\"giant\"", "--accounts", "10",
                "--seed", "1", "--out", run.out, NULL);
    cr_expect_eq (rc, 4, "%s", err_text ? err_text : "");
    free (err_text);
    err_text = NULL;
    char *deep = NULL;
    cr_assert (asprintf (&deep, "%s/missing/out", run.dir) > 0);
    rc = s_gen (&run, NULL, &err_text, "--accounts", "10", "--seed", "1", "--out", deep, NULL);
    cr_expect_eq (rc, 1, "%s", err_text ? err_text : "");
    cr_expect (err_text && strstr (err_text, "missing"), "%s", err_text);
    free (err_text);
    free (deep);
    s_run_cleanup (&run);
}

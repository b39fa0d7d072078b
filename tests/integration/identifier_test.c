/*  identifier_test.c: the real expansion-opportunity-identifier through the real broker
    (issue 5 items 1-6), with the real customer-health-scorer and
    customer-segmentation-analyst (issue 6: its target segment in week 1, its cohort
    performance of the closed deals in week 11), from week 1 to week 11.

    A campaign-gen portfolio (300 accounts, seed 7) is scanned in week 1: opportunities
    with potentials and propensities are stored. Leadership sets targets; week 2 designs
    the campaign (plays on the calendar from week 3). Week 3 qualification tiers every
    opportunity, keeps Tier 1 within its configured share, never qualifies an at-risk
    account, and the broker opens the Sales handoff of every qualified opportunity above
    $50K. Then people move four qualified deals with campaign-submit: the week-5
    monitoring counts them by stage and finds stalled deals, the week-8 forecast brackets
    its expectation with P10-P90 against the $400K target, and the week-11 results report
    the two won deals ($35K), the lost one, ROI, cost of acquisition and NRR impact. */
#include "test_support.h"

#include <signal.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <string.h>

TS_SUITE (identifier);

#define ACCOUNTS    300
#define TIER1_SHARE 0.024 /* config/campaign.cfg identifier.tiers.tier1_share */

typedef struct {
    const char *activity;
    uint64_t done_at_least;
} s_until_t;

/*  The activity has started and nothing is queued, leased or waiting for a retry. */
static bool
s_settled (const Campaign__Snapshot *snap, void *arg)
{
    const s_until_t *until = arg;
    return snap->activity && strcmp (snap->activity, until->activity) == 0 && snap->tasks &&
           snap->tasks->queued == 0 && snap->tasks->leased == 0 && snap->tasks->failed == 0 &&
           snap->tasks->done >= until->done_at_least;
}

static uint64_t
s_done (ts_broker_t *broker)
{
    wire_envelope_t *reply = NULL;
    cr_assert_eq (ts_snapshot (broker, 5000, &reply), 0);
    uint64_t done = reply->snapshot->tasks ? reply->snapshot->tasks->done : 0;
    wire_free (&reply);
    return done;
}

static sqlite3 *
s_store (ts_broker_t *broker)
{
    char *path = NULL;
    cr_assert (asprintf (&path, "%s/state/campaign.db", broker->dir) > 0);
    sqlite3 *db = NULL;
    cr_assert_eq (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout (db, 5000);
    free (path);
    return db;
}

static int
s_count (sqlite3 *db, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    cr_assert_eq (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), SQLITE_OK, "%s: %s", sql,
                  sqlite3_errmsg (db));
    cr_assert_eq (sqlite3_step (stmt), SQLITE_ROW);
    int n = sqlite3_column_int (stmt, 0);
    sqlite3_finalize (stmt);
    return n;
}

/*  The number of a stored fact (fails the test if there is none). */
static double
s_fact (sqlite3 *db, const char *name)
{
    sqlite3_stmt *stmt = NULL;
    cr_assert_eq (
        sqlite3_prepare_v2 (db, "SELECT number FROM facts WHERE name = ?1", -1, &stmt, NULL),
        SQLITE_OK);
    sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
    cr_assert_eq (sqlite3_step (stmt), SQLITE_ROW, "no fact %s", name);
    double number = sqlite3_column_double (stmt, 0);
    sqlite3_finalize (stmt);
    return number;
}

static void
s_advance (ts_broker_t *broker, const char *weeks)
{
    cr_assert_eq (
        ts_tool (broker, NULL, NULL, "campaign-submit", "advance", "--weeks", weeks, NULL), 0);
}

/*  campaign-submit --as CSM-01 <args...> (NULL-terminated, at most 10). */
static void
s_submit (ts_broker_t *broker, ...)
{
    va_list ap;
    const char *args[12] = {NULL};
    int n = 0;
    va_start (ap, broker);
    for (const char *a; n < 11 && (a = va_arg (ap, const char *));)
        args[n++] = a;
    va_end (ap);
    char *err = NULL;
    int rc = ts_tool (broker, NULL, &err, "campaign-submit", args[0], args[1], args[2], args[3],
                      args[4], args[5], args[6], args[7], args[8], args[9], args[10], NULL);
    cr_assert_eq (rc, 0, "campaign-submit %s %s: %s", args[0], args[2], err ? err : "");
    free (err);
}

/*  campaign-gen's portfolio of ACCOUNTS accounts (seed 7) in the broker's directory:
    the accounts' and the roster's paths (free both). */
static void
s_generate (ts_broker_t *broker, char **accounts, char **roster)
{
    char *gen = ts_bin ("campaign-gen");
    char *out_dir = NULL, count[16];
    snprintf (count, sizeof count, "%d", ACCOUNTS);
    cr_assert (asprintf (&out_dir, "%s/data", broker->dir) > 0);
    char *argv[] = {gen, "--accounts", count, "--seed", "7", "--out", out_dir, NULL};
    cr_assert_eq (ts_run (argv, 60000, NULL, NULL), 0);
    cr_assert (asprintf (accounts, "%s/accounts.csv", out_dir) > 0);
    cr_assert (asprintf (roster, "%s/roster.csv", out_dir) > 0);
    free (out_dir);
    free (gen);
}

Test (identifier, runs_a_generated_portfolio_through_week_11, .timeout = 400)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, "log = { level = \"info\"; };\n"), 0);
    char *accounts = NULL, *roster = NULL;
    s_generate (&broker, &accounts, &roster);
    pid_t scorer = ts_agent_spawn (&broker, "customer-health-scorer", "h-1");
    pid_t identifier = ts_agent_spawn (&broker, "expansion-opportunity-identifier", "i-1");
    pid_t segmentation = ts_agent_spawn (&broker, "customer-segmentation-analyst", "seg-1");
    cr_assert_eq (
        ts_tool (&broker, NULL, NULL, "campaign-submit", "import-roster", roster, NULL), 0);
    cr_assert_eq (
        ts_tool (&broker, NULL, NULL, "campaign-submit", "import-portfolio", accounts, NULL),
        0);

    /*  Week 1: health.portfolio, the scan, the segmentation: 3 tasks done. */
    s_until_t until = {"opportunity identification", 3};
    cr_assert_eq (ts_wait_snapshot (&broker, 60000, s_settled, &until), 0,
                  "the week-1 tasks did not finish");
    sqlite3 *db = s_store (&broker);
    cr_expect_eq (s_count (db, "SELECT count(*) FROM tasks WHERE name = "
                               "'identifier.portfolio_scan' AND state = 'done'"),
                  1);
    int opportunities = s_count (db, "SELECT count(*) FROM opportunities");
    cr_expect_gt (opportunities, 0);
    cr_expect_eq (
        s_count (db, "SELECT count(*) FROM opportunities WHERE potential_arr <= 5000"), 0,
        "every opportunity is above identifier.min_potential");
    cr_expect_eq (s_count (db, "SELECT count(*) FROM opportunities WHERE tier <> 0 OR "
                               "qualified <> 0 OR stage <> 'identified'"),
                  0, "the scan neither tiers nor qualifies");
    cr_expect_gt (s_count (db, "SELECT count(DISTINCT type) FROM opportunities"), 2);
    /*  The real analyst named a target segment of the generated portfolio. */
    cr_expect_eq (s_count (db, "SELECT count(*) FROM facts WHERE name = 'segment.target' AND "
                               "length (text) > 0 AND number >= 20"),
                  1, "a target segment of at least segmentation.min_accounts accounts");
    cr_expect_geq (s_fact (db, "segment.clusters"), 2);
    cr_expect_gt (s_fact (db, "segment.target.potential"), 0);
    sqlite3_stmt *stmt = NULL;
    cr_assert_eq (sqlite3_prepare_v2 (db, "SELECT body FROM opportunities", -1, &stmt, NULL),
                  SQLITE_OK);
    int with_propensity = 0;
    while (sqlite3_step (stmt) == SQLITE_ROW) {
        Campaign__Opportunity *o = campaign__opportunity__unpack (
            NULL, (size_t)sqlite3_column_bytes (stmt, 0), sqlite3_column_blob (stmt, 0));
        cr_assert_not_null (o);
        cr_expect (o->propensity >= 0 && o->propensity <= 100);
        with_propensity += o->propensity > 0;
        cr_expect (o->csm && *o->csm, "%s has the account's CSM", o->opportunity_id);
        campaign__opportunity__free_unpacked (o, NULL);
    }
    sqlite3_finalize (stmt);
    cr_expect_eq (with_propensity, opportunities);
    cr_expect_gt (s_count (db, "SELECT count(*) FROM facts WHERE name = "
                               "'identifier.scan.inventory_arr' AND number > 0"),
                  0);
    sqlite3_close (db);

    /*  Leadership sets targets; week 2 designs the campaign. */
    cr_assert_eq (ts_tool (&broker, NULL, NULL, "campaign-submit", "--as", "LEAD-01", "targets",
                           "--arr-goal", "400K", "--conversion", "40%", "--deals", "25",
                           "--investment", "60K", NULL),
                  0);
    s_advance (&broker, "1");
    until = (s_until_t){"campaign design", 4};
    cr_assert_eq (ts_wait_snapshot (&broker, 60000, s_settled, &until), 0,
                  "the campaign design did not finish");
    db = s_store (&broker);
    cr_expect_eq (s_count (db, "SELECT count(*) FROM tasks WHERE name = "
                               "'identifier.campaign_design' AND state = 'done'"),
                  1);
    cr_expect_float_eq (s_fact (db, "design.plays"), 4, 1e-9, "the four configured plays");
    cr_expect_gt (s_fact (db, "design.roi_inputs"), 0);
    cr_expect_gt (s_fact (db, "design.seat.conversion_target"), 0);
    sqlite3_close (db);
    uint64_t done = s_done (&broker);
    s_advance (&broker, "1");
    /*  Week 3: the gate opens on the design; the pre-campaign check, the qualification. */
    until = (s_until_t){"qualification and outreach", done + 2};
    if (ts_wait_snapshot (&broker, 60000, s_settled, &until)) {
        wire_envelope_t *reply = NULL;
        cr_assert_eq (ts_snapshot (&broker, 5000, &reply), 0);
        const Campaign__Snapshot *snap = reply->snapshot;
        char *log = ts_read_file (broker.log);
        cr_log_error (
            "week %u %s held %d; queued %lu leased %lu done %lu failed %lu dead %lu\n%s",
            snap->week, snap->activity, snap->held, snap->tasks->queued, snap->tasks->leased,
            snap->tasks->done, snap->tasks->failed, snap->tasks->dead,
            log ? log + (strlen (log) > 4000 ? strlen (log) - 4000 : 0) : "");
        free (log);
        wire_free (&reply);
        cr_assert_fail ("the qualification did not finish");
    }

    db = s_store (&broker);
    cr_expect_eq (s_count (db, "SELECT count(*) FROM tasks WHERE name = "
                               "'identifier.qualification' AND state = 'done'"),
                  1);
    cr_expect_eq (
        s_count (db, "SELECT count(*) FROM opportunities WHERE tier NOT IN (1, 2, 3)"), 0,
        "every opportunity is tiered");
    int tier1 = s_count (db, "SELECT count(*) FROM opportunities WHERE tier = 1");
    cr_expect (tier1 >= 1 && tier1 <= (int)(TIER1_SHARE * ACCOUNTS + 0.5), "tier 1: %d", tier1);
    cr_expect_eq (s_count (db, "SELECT count(*) FROM opportunities o JOIN health h ON "
                               "h.account_id = o.account_id WHERE h.band = 'at-risk' AND "
                               "o.qualified <> 0"),
                  0, "an at-risk account is never qualified");
    cr_expect_gt (s_count (db, "SELECT count(*) FROM opportunities WHERE qualified <> 0"), 0);
    cr_expect_eq (s_count (db,
                           "SELECT count(*) FROM opportunities o WHERE o.qualified <> 0 AND "
                           "o.potential_arr > 50000 AND NOT EXISTS (SELECT 1 FROM handoffs "
                           "x WHERE x.team = 'sales' AND x.opportunity_id = "
                           "o.opportunity_id)"),
                  0, "every qualified opportunity over $50K has its Sales handoff");
    cr_expect_eq (
        s_count (db, "SELECT count(*) FROM facts WHERE name = 'identifier.unassigned'"), 1,
        "what cannot be assigned is reported");
    /*  Four qualified deals people will work. */
    char *deal[4] = {NULL};
    cr_assert_eq (sqlite3_prepare_v2 (db,
                                      "SELECT opportunity_id FROM opportunities WHERE "
                                      "qualified <> 0 ORDER BY tier, opportunity_id LIMIT 4",
                                      -1, &stmt, NULL),
                  SQLITE_OK);
    for (int i = 0; i < 4; i++) {
        cr_assert_eq (sqlite3_step (stmt), SQLITE_ROW, "fewer than 4 qualified deals");
        deal[i] = strdup ((const char *)sqlite3_column_text (stmt, 0));
    }
    sqlite3_finalize (stmt);
    double portfolio = 0;
    cr_assert_eq (sqlite3_prepare_v2 (db, "SELECT body FROM accounts", -1, &stmt, NULL),
                  SQLITE_OK);
    while (sqlite3_step (stmt) == SQLITE_ROW) {
        Campaign__Account *a = campaign__account__unpack (
            NULL, (size_t)sqlite3_column_bytes (stmt, 0), sqlite3_column_blob (stmt, 0));
        cr_assert_not_null (a);
        portfolio += a->arr;
        campaign__account__free_unpacked (a, NULL);
    }
    sqlite3_finalize (stmt);
    sqlite3_close (db);
    for (int i = 0; i < 4; i++)
        s_submit (&broker, "stage", "--opportunity", deal[i], "--stage", "discovery", NULL);

    /*  Week 5: monitoring. The identified deals opened in week 1 are past 21 days. */
    done = s_done (&broker);
    s_advance (&broker, "2");
    until = (s_until_t){"demonstrations and value selling", done + 1};
    cr_assert_eq (ts_wait_snapshot (&broker, 60000, s_settled, &until), 0,
                  "the pipeline monitoring did not finish");
    db = s_store (&broker);
    cr_expect_float_eq (s_fact (db, "monitor.stage.discovery"), 4, 1e-9);
    cr_expect_gt (s_fact (db, "monitor.stalled"), 0);
    cr_expect_gt (s_fact (db, "monitor.coached"), 0);
    sqlite3_close (db);
    s_submit (&broker, "stage", "--opportunity", deal[0], "--stage", "proposal", NULL);
    s_submit (&broker, "stage", "--opportunity", deal[1], "--stage", "negotiation", NULL);
    s_submit (&broker, "outcome", "--opportunity", deal[2], "--lost", "--reason",
              "budget frozen", NULL);

    /*  Week 8: the forecast against the $400K target. */
    done = s_done (&broker);
    s_advance (&broker, "3");
    until = (s_until_t){"negotiation and close", done + 1};
    cr_assert_eq (ts_wait_snapshot (&broker, 60000, s_settled, &until), 0,
                  "the forecast did not finish");
    db = s_store (&broker);
    double expected = s_fact (db, "forecast.expected_arr");
    cr_expect_gt (expected, 0);
    cr_expect_leq (s_fact (db, "forecast.p10"), expected);
    cr_expect_geq (s_fact (db, "forecast.p90"), expected);
    cr_expect_float_eq (s_fact (db, "forecast.target"), 400000, 1e-6);
    cr_expect_float_eq (s_fact (db, "forecast.lost"), 1, 1e-9);
    sqlite3_close (db);
    s_submit (&broker, "outcome", "--opportunity", deal[0], "--won", "--amount", "15000",
              "--reason", "volume discount", NULL);
    s_submit (&broker, "outcome", "--opportunity", deal[1], "--won", "--amount", "20000",
              "--reason", "exec sponsor", NULL);

    /*  Week 11: the results and the cohort performance. */
    done = s_done (&broker);
    s_advance (&broker, "3");
    until = (s_until_t){"performance analysis", done + 2};
    cr_assert_eq (ts_wait_snapshot (&broker, 60000, s_settled, &until), 0,
                  "the results did not finish");
    db = s_store (&broker);
    double won = s_fact (db, "results.arr_won");
    cr_expect_float_eq (won, 35000, 1e-6);
    cr_expect_float_eq (s_fact (db, "results.deals_won"), 2, 1e-9);
    cr_expect_float_eq (s_fact (db, "results.deals_lost"), 1, 1e-9);
    cr_expect_float_eq (s_fact (db, "results.avg_deal"), 17500, 1e-6);
    cr_expect_float_eq (s_fact (db, "results.roi"), 35000.0 / 60000, 1e-9);
    cr_expect_float_eq (s_fact (db, "results.cac_pct"), 100 * 60000.0 / 35000, 1e-9);
    cr_expect_float_eq (s_fact (db, "results.vs_target"), 35000.0 / 400000, 1e-9);
    cr_expect_float_eq (s_fact (db, "results.portfolio_arr"), portfolio, 1e-3);
    cr_expect_float_eq (s_fact (db, "results.nrr_impact_pct"), 100 * 35000 / portfolio, 1e-9);
    double cycle = s_fact (db, "results.avg_cycle_days");
    cr_expect (cycle >= 49 && cycle <= 56, "opened in week 1, won in week 8: %.1f", cycle);
    double conversion = s_fact (db, "results.conversion");
    cr_expect (conversion > 0 && conversion <= 0.5, "2 won of at least 4 qualified: %.3f",
               conversion);
    cr_expect_gt (s_count (db, "SELECT count(*) FROM facts WHERE name LIKE "
                               "'results.conversion.tier.%'"),
                  2);
    cr_expect_gt (s_count (db, "SELECT count(*) FROM facts WHERE name LIKE "
                               "'results.conversion.segment.%'"),
                  0);
    cr_expect_gt (s_count (db, "SELECT count(*) FROM facts WHERE name LIKE "
                               "'results.conversion.type.%'"),
                  0);
    cr_expect_float_eq (s_fact (db, "cohort.closed"), 3, 1e-9);
    cr_expect_float_eq (s_fact (db, "cohort.win_rate"), 2.0 / 3, 1e-9);
    cr_log_info ("week 11: ARR won $%.0f, conversion %.3f, average deal $%.0f, cycle %.1f "
                 "days, ROI %.3f, CAC %.1f%%, NRR +%.3f points of $%.0f",
                 won, conversion, s_fact (db, "results.avg_deal"), cycle,
                 s_fact (db, "results.roi"), s_fact (db, "results.cac_pct"),
                 s_fact (db, "results.nrr_impact_pct"), portfolio);
    sqlite3_close (db);
    for (int i = 0; i < 4; i++)
        free (deal[i]);

    ts_stop (identifier, 5000);
    ts_stop (scorer, 5000);
    ts_stop (segmentation, 5000);
    cr_assert_eq (ts_broker_signal (&broker, SIGTERM), 0);
    free (accounts);
    free (roster);
    ts_broker_cleanup (&broker);
}

/*  A scan run in several batches: its counts and sums are the portfolio's, each batch's
    part added up by the broker (Fact.additive), not the last batch's. */
Test (identifier, a_scan_in_batches_reports_the_portfolio, .timeout = 120)
{
    ts_broker_t broker;
    cr_assert_eq (
        ts_broker_start (
            &broker,
            "activities = (\n"
            "  { name = \"opportunity identification\"; weeks = [1, 1];\n"
            "    tasks = ( { agent = \"expansion-opportunity-identifier\";\n"
            "      name = \"identifier.portfolio_scan\";\n"
            "      per_account = true; batch = 100; } ); },\n" TS_ACTIVITIES_FROM_WEEK_2
            ");\n"),
        0);
    char *accounts = NULL, *roster = NULL;
    s_generate (&broker, &accounts, &roster);
    pid_t identifier = ts_agent_spawn (&broker, "expansion-opportunity-identifier", "i-1");
    cr_assert_eq (
        ts_tool (&broker, NULL, NULL, "campaign-submit", "import-portfolio", accounts, NULL),
        0);
    s_until_t until = {"opportunity identification", 3};
    cr_assert_eq (ts_wait_snapshot (&broker, 60000, s_settled, &until), 0,
                  "the three scan batches did not finish");
    sqlite3 *db = s_store (&broker);
    cr_expect_eq (s_count (db, "SELECT count(*) FROM tasks WHERE name = "
                               "'identifier.portfolio_scan' AND state = 'done'"),
                  3);
    cr_expect_float_eq (s_fact (db, "identifier.scan.accounts"), ACCOUNTS, 1e-9);
    int opportunities = s_count (db, "SELECT count(*) FROM opportunities");
    cr_expect_float_eq (s_fact (db, "identifier.scan.opportunities"), opportunities, 1e-9);
    cr_expect_float_eq (s_fact (db, "identifier.scan.propensity.high") +
                            s_fact (db, "identifier.scan.propensity.medium") +
                            s_fact (db, "identifier.scan.propensity.low"),
                        opportunities, 1e-9);
    cr_expect_float_eq (s_fact (db, "identifier.scan.seat.count"),
                        s_count (db, "SELECT count(*) FROM opportunities WHERE type = 'seat'"),
                        1e-9);
    sqlite3_stmt *stmt = NULL;
    cr_assert_eq (sqlite3_prepare_v2 (db, "SELECT total (potential_arr) FROM opportunities", -1,
                                      &stmt, NULL),
                  SQLITE_OK);
    cr_assert_eq (sqlite3_step (stmt), SQLITE_ROW);
    cr_expect_float_eq (s_fact (db, "identifier.scan.inventory_arr"),
                        sqlite3_column_double (stmt, 0), 0.5);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
    ts_stop (identifier, 5000);
    free (accounts);
    free (roster);
    ts_broker_cleanup (&broker);
}

/*  campaign_test.c: a whole 12-week campaign on the simulated clock, with stand-in
    agents of the four kinds, driven by the real tools (SPEC section 3, issue 3).

    Every boundary in order; a gate that holds until leadership sets targets, and keeps
    holding across a SIGKILL of the broker; an override recorded with the criteria that
    failed; acceptance windows at both edges; each handoff rule; the snapshot's week,
    phase, activity, gate and open handoffs at every step. */
#include "test_support.h"

#include <signal.h>
#include <string.h>

TS_SUITE (campaign);

static const char s_roster[] = "person_id,name,role,region,capacity_hours_per_week\n"
                               "P-001,Maria Lopez,csm,americas,30\n"
                               "P-002,Jonas Weber,csm,emea,28\n"
                               "P-003,Yuki Sato,csm,apac,32\n"
                               "L-001,Tom Bradley,leadership,americas,4\n"
                               "AE-01,Priya Nair,ae,emea,20\n"
                               "AE-02,Sam Ortiz,ae,americas,20\n"
                               "M-001,Nicole Anderson,marketing,americas,10\n"
                               "PR-01,Dev Rao,product,global,10\n";

typedef struct {
    ts_broker_t broker;
    pid_t agents[4];
    char *roster;
    char *portfolio;
} s_campaign_t;

static const char *const s_kinds[] = {"expansion-opportunity-identifier",
                                      "customer-segmentation-analyst", "customer-health-scorer",
                                      "retrospective-analyzer"};

static void
s_start (s_campaign_t *c, const char *extra)
{
    memset (c, 0, sizeof *c);
    cr_assert_eq (ts_broker_start (&c->broker, extra), 0, "broker did not start");
    for (int i = 0; i < 4; i++)
        c->agents[i] = ts_agent_start (&c->broker, s_kinds[i], "standin");
    c->roster = ts_write_file (c->broker.dir, "roster.csv", s_roster);
    c->portfolio = ts_data_path ("accounts_small.csv");
}

static void
s_stop (s_campaign_t *c)
{
    for (int i = 0; i < 4; i++)
        if (c->agents[i] > 0)
            ts_stop (c->agents[i], 5000);
    free (c->roster);
    free (c->portfolio);
    ts_broker_cleanup (&c->broker);
}

/*  campaign-submit as person; returns the exit code, stderr in *err if asked. */
#define SUBMIT(c, err, ...)                                                                    \
    ts_tool (&(c)->broker, NULL, err, "campaign-submit", __VA_ARGS__, NULL)

static bool
s_settled (const Campaign__Snapshot *snap, void *arg)
{
    return snap->tasks && snap->tasks->queued == 0 && snap->tasks->leased == 0;
}

/*  Wait (bounded) until no task is queued or leased, then return a snapshot. */
static wire_envelope_t *
s_settle (s_campaign_t *c)
{
    cr_assert_eq (ts_wait_snapshot (&c->broker, 20000, s_settled, NULL), 0,
                  "tasks never settled");
    wire_envelope_t *reply = NULL;
    cr_assert_eq (ts_snapshot (&c->broker, 5000, &reply), 0);
    return reply;
}

static void
s_expect_position (s_campaign_t *c, uint32_t week, const char *phase, const char *activity,
                   bool held)
{
    wire_envelope_t *reply = s_settle (c);
    const Campaign__Snapshot *snap = reply->snapshot;
    cr_expect_eq (snap->week, week, "week %u, expected %u", snap->week, week);
    cr_expect_str_eq (snap->phase, phase, "week %u", week);
    cr_expect_str_eq (snap->activity, activity, "week %u", week);
    cr_expect_eq (snap->held, held, "week %u: held %d", week, snap->held);
    wire_free (&reply);
}

static bool
s_held (const Campaign__Snapshot *snap, void *arg)
{
    return snap->held;
}

static bool
s_failing (const Campaign__Snapshot *snap, const char *criterion)
{
    for (size_t i = 0; i < snap->n_gate; i++)
        if (strcmp (snap->gate[i]->name, criterion) == 0)
            return !snap->gate[i]->met;
    return false;
}

static uint64_t
s_open (const Campaign__Snapshot *snap, const char *team)
{
    for (size_t i = 0; i < snap->n_handoffs; i++)
        if (strcmp (snap->handoffs[i]->name, team) == 0)
            return snap->handoffs[i]->count;
    return 0;
}

/*  Ids from the broker's store (read-only, beside the running broker). */
static char *
s_first (s_campaign_t *c, const char *sql)
{
    char *bin = NULL, *out = NULL;
    char *path = NULL;
    cr_assert (asprintf (&path, "%s/state/campaign.db", c->broker.dir) > 0);
    cr_assert (asprintf (&bin, "/usr/bin/sqlite3") > 0);
    char *argv[] = {bin, "-readonly", path, (char *)sql, NULL};
    cr_assert_eq (ts_run (argv, 10000, &out, NULL), 0);
    free (bin);
    free (path);
    char *newline = strchr (out, '\n');
    if (newline)
        *newline = '\0';
    return out;
}

static bool
s_has (const char *text, const char *needle)
{
    return text && strstr (text, needle);
}

Test (campaign, twelve_weeks_with_holds_overrides_windows_and_handoffs, .timeout = 300)
{
    s_campaign_t c;
    /*  The real retro window (the fixture opens it for the spine's tests). */
    s_start (&c, "windows = { retro = [12, 12]; };\n");
    char *err = NULL;

    /*  Week 1: opportunity identification; the gate into design waits for the data. */
    s_expect_position (&c, 1, "planning", "opportunity identification", false);
    cr_expect_eq (SUBMIT (&c, &err, "note", "--account", "A-0001", "--text", "early"), 1);
    cr_expect (s_has (err,
                      "discovery notes are accepted in weeks 3-12; the campaign is in week 1 "
                      "(planning)"),
               "%s", err);
    free (err);
    cr_assert_eq (SUBMIT (&c, NULL, "import-portfolio", c.portfolio), 0);
    cr_assert_eq (SUBMIT (&c, NULL, "import-roster", c.roster), 0);
    wire_envelope_t *reply = s_settle (&c);
    cr_expect (!s_failing (reply->snapshot, "portfolio_loaded"));
    cr_expect (!s_failing (reply->snapshot, "fact:segment.target"), "segmentation ran");
    cr_expect_str_eq (reply->snapshot->next_activity, "campaign design");
    wire_free (&reply);

    /*  Week 2: campaign design. Targets are accepted up to its last week. */
    cr_assert_eq (SUBMIT (&c, NULL, "advance"), 0);
    s_expect_position (&c, 2, "planning", "campaign design", false);

    /*  Week 3 without targets: held at the gate into qualification. */
    cr_assert_eq (SUBMIT (&c, NULL, "advance"), 0);
    s_expect_position (&c, 3, "planning", "campaign design", true);
    reply = s_settle (&c);
    cr_expect (s_failing (reply->snapshot, "targets_set"));
    cr_expect_eq (reply->snapshot->activity_week, 2, "a held campaign works in its last week");
    wire_free (&reply);
    cr_expect_eq (SUBMIT (&c, &err, "note", "--account", "A-0001", "--text", "held"), 1);
    cr_expect (s_has (err, "held in week 2"), "%s", err);
    free (err);
    /*  Two days pass while held; then the broker is killed and comes back: the hold,
        the date and the position survive. */
    cr_assert_eq (SUBMIT (&c, NULL, "advance", "--days", "2"), 0);
    cr_assert_eq (ts_broker_signal (&c.broker, SIGKILL), 128 + SIGKILL);
    cr_assert_eq (ts_broker_restart (&c.broker), 0);
    reply = s_settle (&c);
    cr_expect_str_eq (reply->snapshot->date, "2026-10-21");
    cr_expect (reply->snapshot->held);
    cr_expect_str_eq (reply->snapshot->activity, "campaign design");
    wire_free (&reply);

    /*  Leadership sets targets: the gate passes at once. */
    cr_assert_eq (SUBMIT (&c, NULL, "--as", "L-001", "targets", "--arr-goal", "400K",
                          "--conversion", "40%", "--deals", "25", "--investment", "60K"),
                  0);
    s_expect_position (&c, 3, "execution", "qualification and outreach", false);
    reply = s_settle (&c);
    bool found = false;
    for (size_t i = 0; i < reply->snapshot->n_gates; i++)
        if (strcmp (reply->snapshot->gates[i]->activity, "qualification and outreach") == 0) {
            found = true;
            cr_expect_eq (reply->snapshot->gates[i]->held_days, 2, "the hold is recorded");
            cr_expect_str_eq (reply->snapshot->gates[i]->passed, "2026-10-21");
        }
    cr_expect (found, "gate history has the held gate");
    /*  Qualification ran: tiered opportunities, Sales and nurture handoffs. */
    cr_expect_gt (s_open (reply->snapshot, "sales"), 0, "qualified > $50K get an AE");
    wire_free (&reply);
    char *tier3 = s_first (&c, "SELECT count(DISTINCT account_id) FROM opportunities "
                               "WHERE tier = 3");
    char *nurture = s_first (&c, "SELECT count(*) FROM handoffs WHERE kind = 'nurture'");
    cr_expect_str_eq (nurture, tier3,
                      "every account with a Tier 3 opportunity goes to nurture");
    free (tier3);
    free (nurture);
    char *big = s_first (&c, "SELECT count(*) FROM opportunities WHERE qualified = 1 AND "
                             "(potential_arr > 50000)");
    char *sales = s_first (&c, "SELECT count(*) FROM handoffs WHERE team = 'sales'");
    cr_expect (atoi (sales) >= atoi (big), "sales handoffs %s for %s large qualified", sales,
               big);
    free (big);
    free (sales);

    /*  Week 3 is the first week of notes: a feature request goes to Product. */
    cr_expect_eq (SUBMIT (&c, NULL, "--as", "P-001", "note", "--account", "A-0001", "--need",
                          "high", "--feature-request", "SSO for contractors", "--text",
                          "40 seats"),
                  0);
    char *product = s_first (&c, "SELECT 'H' || seq FROM handoffs WHERE team = 'product'");
    cr_expect_str_neq (product, "", "product handoff opened");
    /*  A CSM cannot acknowledge it; product can. */
    cr_expect_eq (SUBMIT (&c, &err, "--as", "P-001", "ack-handoff", product), 1);
    cr_expect (s_has (err, "needs role product"), "%s", err);
    free (err);
    cr_expect_eq (SUBMIT (&c, NULL, "--as", "PR-01", "ack-handoff", product), 0);
    cr_expect_eq (SUBMIT (&c, &err, "--as", "PR-01", "ack-handoff", product), 1);
    cr_expect (s_has (err, "already acknowledged by PR-01"), "%s", err);
    free (err);
    free (product);
    /*  Outcomes open in week 3 too. */
    char *qualified =
        s_first (&c, "SELECT opportunity_id FROM opportunities WHERE qualified = 1 "
                     "ORDER BY opportunity_id LIMIT 1");
    cr_assert_str_neq (qualified, "");
    cr_expect_eq (SUBMIT (&c, NULL, "--as", "P-001", "stage", "--opportunity", qualified,
                          "--stage", "demo"),
                  0);

    /*  Weeks 4-5: into demonstrations. */
    cr_assert_eq (SUBMIT (&c, NULL, "advance", "--weeks", "2"), 0);
    s_expect_position (&c, 5, "execution", "demonstrations and value selling", false);
    /*  A win: Marketing gets a case study; impossible moves are refused. */
    cr_expect_eq (SUBMIT (&c, &err, "outcome", "--opportunity", qualified, "--won", "--amount",
                          "5M", "--reason", "typo"),
                  1);
    cr_expect (s_has (err, "more than 5x"), "%s", err);
    free (err);
    cr_expect_eq (SUBMIT (&c, NULL, "--as", "P-001", "outcome", "--opportunity", qualified,
                          "--won", "--amount", "24K", "--reason", "pilot converted"),
                  0);
    cr_expect_eq (
        SUBMIT (&c, &err, "stage", "--opportunity", qualified, "--stage", "discovery"), 1);
    cr_expect (s_has (err, "a closed deal does not move"), "%s", err);
    free (err);
    char *case_study = s_first (&c, "SELECT count(*) FROM handoffs WHERE kind = 'case-study'");
    cr_expect_str_eq (case_study, "1");
    free (case_study);
    /*  The pipeline says where the deal closed from. */
    char *won = NULL;
    cr_expect_eq (ts_tool (&c.broker, &won, NULL, "campaign-status", "--json", "--pipeline",
                           "--stage", "closed-won", NULL),
                  0);
    cr_expect (s_has (won, "\"closed_from\":\"demo\""), "%s", won);
    free (won);
    free (qualified);

    /*  Week 8: negotiation; weeks 11-12: performance analysis, retrospective. */
    cr_assert_eq (SUBMIT (&c, NULL, "advance", "--weeks", "3"), 0);
    s_expect_position (&c, 8, "execution", "negotiation and close", false);
    cr_expect_eq (SUBMIT (&c, &err, "retro", "--kind", "worked", "--text", "early"), 1);
    cr_expect (s_has (err, "retrospective input is accepted in week 12"), "%s", err);
    free (err);
    /*  The forecast is weekly: it ran when week 8 began and runs again in week 9, once,
        even across a restart of the broker. */
    char *forecasts =
        s_first (&c, "SELECT count(*) FROM tasks WHERE name = 'identifier.forecast'");
    cr_expect_str_eq (forecasts, "1");
    free (forecasts);
    cr_assert_eq (SUBMIT (&c, NULL, "advance", "--weeks", "1"), 0);
    s_expect_position (&c, 9, "execution", "negotiation and close", false);
    cr_assert_eq (ts_broker_signal (&c.broker, SIGKILL), 128 + SIGKILL);
    cr_assert_eq (ts_broker_restart (&c.broker), 0);
    s_expect_position (&c, 9, "execution", "negotiation and close", false);
    forecasts = s_first (&c, "SELECT count(*) FROM tasks WHERE name = 'identifier.forecast'");
    cr_expect_str_eq (forecasts, "2");
    free (forecasts);
    /*  The identifier stops before week 11: its results task cannot run, so the gate
        into the retrospective holds, and leadership overrides it. */
    ts_stop (c.agents[0], 5000);
    c.agents[0] = -1;
    cr_assert_eq (SUBMIT (&c, NULL, "advance", "--weeks", "3"), 0);
    cr_assert_eq (ts_wait_snapshot (&c.broker, 10000, s_held, NULL), 0, "never held");
    reply = NULL;
    cr_assert_eq (ts_snapshot (&c.broker, 5000, &reply), 0);
    cr_expect_eq (reply->snapshot->week, 12);
    cr_expect_str_eq (reply->snapshot->activity, "performance analysis");
    cr_expect (s_failing (reply->snapshot, "tasks_done:identifier.results"));
    wire_free (&reply);
    cr_expect_eq (SUBMIT (&c, NULL, "--as", "L-001", "override-gate", "--reason",
                          "identifier down; results by hand"),
                  0);
    reply = NULL;
    cr_assert_eq (ts_snapshot (&c.broker, 5000, &reply), 0);
    cr_expect_str_eq (reply->snapshot->activity, "retrospective");
    cr_expect (!reply->snapshot->held);
    const Campaign__GateRecord *last = reply->snapshot->gates[reply->snapshot->n_gates - 1];
    cr_expect_str_eq (last->activity, "retrospective");
    cr_expect_str_eq (last->override_by ? last->override_by : "", "L-001");
    cr_expect (last->n_failed >= 1 &&
                   strcmp (last->failed[0], "tasks_done:identifier.results") == 0,
               "the override records what failed");
    wire_free (&reply);
    /*  Every boundary was crossed, in order, on its due date or after a recorded hold. */
    reply = NULL;
    cr_assert_eq (ts_snapshot (&c.broker, 5000, &reply), 0);
    cr_expect_eq (reply->snapshot->n_gates, 7, "one gate record per activity");
    for (size_t i = 1; i < reply->snapshot->n_gates; i++) {
        const Campaign__GateRecord *a = reply->snapshot->gates[i - 1];
        const Campaign__GateRecord *b = reply->snapshot->gates[i];
        cr_expect_lt (strcmp (a->due, b->due), 0, "%s due before %s", a->activity, b->activity);
        cr_expect_leq (strcmp (a->passed, b->passed), 0, "%s entered before %s", a->activity,
                       b->activity);
        cr_expect_str_neq (b->passed, "", "%s entered", b->activity);
    }
    wire_free (&reply);
    cr_expect_eq (SUBMIT (&c, &err, "override-gate", "--reason", "again"), 1);
    cr_expect (s_has (err, "no gate is holding"), "%s", err);
    free (err);

    /*  Week 12: retrospective input opens; after the end, notes close. */
    cr_expect_eq (SUBMIT (&c, NULL, "--as", "L-001", "retro", "--kind", "worked", "--text",
                          "pilot-first plays"),
                  0);
    cr_assert_eq (SUBMIT (&c, NULL, "advance"), 0);
    cr_expect_eq (SUBMIT (&c, &err, "note", "--account", "A-0002", "--text", "late"), 1);
    cr_expect (s_has (err, "ended after week 12"), "%s", err);
    free (err);
    s_stop (&c);
}

Test (campaign, a_wrong_plan_is_refused_with_its_line, .timeout = 60)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, NULL), 0);
    ts_broker_signal (&broker, SIGTERM);
    char *bad =
        ts_write_file (broker.dir, "bad.cfg",
                       "phases = ( { name = \"all\"; weeks = [1, 12]; } );\n"
                       "activities = (\n"
                       "  { name = \"all\"; weeks = [1, 12]; gate = [\"moon_phase\"]; }\n"
                       ");\n");
    char *bin = ts_bin ("campaign-broker");
    char *argv[12] = {bin};
    int n = 1;
    ts_config_argv (&broker, argv, &n);
    argv[n++] = "-c";
    argv[n++] = bad;
    argv[n] = NULL;
    char *err = NULL;
    int rc = ts_run (argv, 10000, NULL, &err);
    cr_expect_eq (rc, 4, "exit %d: %s", rc, err);
    cr_expect (s_has (err, "bad.cfg:3"), "names file and line: %s", err);
    cr_expect (s_has (err, "moon_phase"), "names the criterion: %s", err);
    free (err);
    free (bin);
    free (bad);
    ts_broker_cleanup (&broker);
}

Test (campaign, the_pipeline_can_be_listed_by_csm_and_stage, .timeout = 120)
{
    s_campaign_t c;
    s_start (&c, NULL);
    cr_assert_eq (SUBMIT (&c, NULL, "import-portfolio", c.portfolio), 0);
    cr_assert_eq (SUBMIT (&c, NULL, "import-roster", c.roster), 0);
    wire_envelope_t *reply = s_settle (&c);
    wire_free (&reply);
    char *all = NULL, *one = NULL;
    cr_assert_eq (
        ts_tool (&c.broker, &all, NULL, "campaign-status", "--pipeline", "--json", NULL), 0);
    int lines = 0;
    for (char *p = all; p && (p = strchr (p, '\n')); p++)
        lines++;
    cr_expect_eq (lines, 5, "one opportunity per account of the stand-in scan: %s", all);
    cr_expect (s_has (all, "\"stage\":\"identified\""), "%s", all);
    cr_assert_eq (ts_tool (&c.broker, &one, NULL, "campaign-status", "--pipeline", "--stage",
                           "qualified", NULL),
                  0);
    cr_expect (s_has (one, "OPPORTUNITY"), "a header line: %s", one);
    cr_expect (!s_has (one, "identified"), "filtered by stage: %s", one);
    free (all);
    free (one);
    s_stop (&c);
}

Test (campaign, reports_are_written_whole, .timeout = 120)
{
    s_campaign_t c;
    s_start (&c, NULL);
    cr_assert_eq (SUBMIT (&c, NULL, "import-portfolio", c.portfolio), 0);
    cr_assert_eq (SUBMIT (&c, NULL, "import-roster", c.roster), 0);
    cr_assert_eq (SUBMIT (&c, NULL, "--as", "L-001", "targets", "--arr-goal", "400K",
                          "--conversion", "40%", "--deals", "25", "--investment", "60K"),
                  0);
    cr_assert_eq (SUBMIT (&c, NULL, "advance", "--weeks", "2"), 0);
    wire_envelope_t *reply = s_settle (&c);
    wire_free (&reply);
    char *out = NULL;
    cr_assert_eq (ts_tool (&c.broker, &out, NULL, "campaign-report", NULL), 0);
    cr_expect (s_has (out, "5 opportunities"), "%s", out);
    free (out);
    const char *files[] = {"snapshot.json", "pipeline.csv", "pipeline.json", "targets.csv"};
    for (size_t i = 0; i < 4; i++) {
        char *path = NULL;
        cr_assert (asprintf (&path, "%s/reports/%s", c.broker.dir, files[i]) > 0);
        char *text = ts_read_file (path);
        cr_expect_not_null (text, "%s written", files[i]);
        if (i == 0)
            cr_expect (s_has (text, "\"activity\": \"qualification and outreach\""), "%s",
                       text);
        if (i == 1) {
            int rows = 0;
            for (char *p = text; p && (p = strchr (p, '\n')); p++)
                rows++;
            cr_expect_eq (rows, 6, "a header and 5 opportunities: %s", text);
            cr_expect (s_has (text, "opportunity_id,account_id,type,stage,tier"), "%s", text);
        }
        if (i == 3) {
            /*  Every data row's sixth column (qualified) says yes; Tier 1 rows come first. */
            char *cursor = text, *line = strsep (&cursor, "\n"); /* the header */
            unsigned last_tier = 0;
            while ((line = strsep (&cursor, "\n")) && *line) {
                char *field = line, *cell = NULL;
                unsigned tier = 0;
                for (int column = 0; column < 6 && (cell = strsep (&field, ",")); column++)
                    if (column == 4)
                        tier = (unsigned)atoi (cell);
                cr_expect_str_eq (cell, "yes", "only qualified opportunities");
                cr_expect_geq (tier, last_tier, "tiers in order");
                last_tier = tier;
            }
        }
        free (text);
        free (path);
    }
    s_stop (&c);
}

static bool
s_one_dead (const Campaign__Snapshot *snap, void *arg)
{
    return snap->tasks && snap->tasks->dead == 1 && snap->tasks->leased == 0;
}

/*  A per-account task whose input is over broker.max_message_bytes could never be read
    by an agent: when the broker assembles it for an agent it fails the task at once,
    dead with the reason, on the alert topic and in its log, naming the setting, instead
    of letting lease after lease expire in silence. */
Test (campaign, a_task_over_the_message_limit_is_alerted, .timeout = 60)
{
    s_campaign_t c;
    s_start (&c, "broker = { max_message_bytes = 4500; };\n");
    cr_assert_eq (SUBMIT (&c, NULL, "import-portfolio", c.portfolio), 0);
    cr_expect (ts_wait_file_contains (c.broker.log, "(health.portfolio) not handed out", 10000),
               "no alert in %s", c.broker.log);
    cr_expect (ts_wait_file_contains (c.broker.log, "now dead): its input is", 1000));
    cr_expect (
        ts_wait_file_contains (c.broker.log, "over broker.max_message_bytes (4500)", 1000));
    cr_expect_eq (ts_wait_snapshot (&c.broker, 10000, s_one_dead, NULL), 0,
                  "the task is dead at its first attempt, never leased");
    s_stop (&c);
}

/*  A task that reads the whole portfolio but has to be split (more accounts than its
    batch) would report one batch's figures as the portfolio's: the broker says so on the
    alert topic and in its log when it starts it. */
Test (campaign, a_whole_portfolio_task_split_is_alerted, .timeout = 60)
{
    s_campaign_t c;
    s_start (&c, "activities = (\n"
                 "  { name = \"opportunity identification\"; weeks = [1, 1]; tasks = (\n"
                 "      { agent = \"customer-segmentation-analyst\";\n"
                 "        name = \"segmentation.target_segments\";\n"
                 "        per_account = true; whole = true; batch = 2; }\n"
                 "    ); },\n" TS_ACTIVITIES_FROM_WEEK_2 ");\n");
    cr_assert_eq (SUBMIT (&c, NULL, "import-portfolio", c.portfolio), 0);
    cr_expect (ts_wait_file_contains (c.broker.log,
                                      "segmentation.target_segments reads the whole portfolio, "
                                      "but 5 accounts are more than its batch of 2: it runs in "
                                      "3 batches",
                                      10000),
               "no alert in %s", c.broker.log);
    s_stop (&c);
}

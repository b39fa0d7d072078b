/*  roles_test.c: who may do what (issue 9, part 3), with the real broker and
    campaign-submit on ipc:// in a temp dir.

    Bootstrapping (only import-roster before a roster exists), each kind refused to a
    role that may not make it with the role needed and the person's role named, and the
    ownership rules: a CSM reports only on their own accounts and deals, an AE only on
    deals they are attached to. A refusal changes nothing. */
#include "test_support.h"

#include <signal.h>
#include <string.h>

TS_SUITE (roles);

static const char s_roster[] = "person_id,name,role,region,capacity_hours_per_week\n"
                               "P-001,Maria Lopez,csm,americas,30\n"
                               "P-002,Jonas Weber,csm,emea,28\n"
                               "L-001,Tom Bradley,leadership,americas,4\n"
                               "AE-01,Priya Nair,ae,emea,20\n"
                               "M-001,Nicole Anderson,marketing,americas,10\n"
                               "OPS-01,Ops Desk,operator,global,10\n";

/*  Roles on (the fixture turns them off for the spine's tests), every window open, and
    stand-ins for the agents so that the week-1 scan creates opportunities. */
static const char s_config[] =
    "roles = { enforce = true; };\n"
    "windows = { targets = [0, 13]; note = [0, 13]; stage = [0, 13]; outcome = [0, 13]; };\n";

static const char *const s_kinds[] = {"expansion-opportunity-identifier",
                                      "customer-segmentation-analyst", "customer-health-scorer",
                                      "retrospective-analyzer"};

#define SUBMIT(broker, err, ...)                                                               \
    ts_tool ((broker), NULL, err, "campaign-submit", __VA_ARGS__, NULL)

static bool
s_has (const char *text, const char *needle)
{
    return text && strstr (text, needle);
}

/*  The first column of the first row of sql on the broker's store (read-only). */
static char *
s_first (ts_broker_t *broker, const char *sql)
{
    char *path = NULL, *out = NULL;
    cr_assert (asprintf (&path, "%s/state/campaign.db", broker->dir) > 0);
    char *argv[] = {"/usr/bin/sqlite3", "-readonly", path, (char *)sql, NULL};
    cr_assert_eq (ts_run (argv, 10000, &out, NULL), 0);
    free (path);
    char *newline = strchr (out, '\n');
    if (newline)
        *newline = '\0';
    return out;
}

static bool
s_has_opportunities (const Campaign__Snapshot *snap, void *arg)
{
    uint64_t n = 0;
    for (size_t i = 0; i < snap->n_pipeline; i++)
        n += snap->pipeline[i]->opportunities;
    return n >= *(uint64_t *)arg && snap->tasks && snap->tasks->queued == 0 &&
           snap->tasks->leased == 0;
}

/*  Expect campaign-submit args... to be refused (exit 1) with every needle in stderr. */
#define REFUSED(broker, needles, ...)                                                          \
    do {                                                                                       \
        char *err_ = NULL;                                                                     \
        cr_expect_eq (SUBMIT (broker, &err_, __VA_ARGS__), 1, "not refused: %s",               \
                      #__VA_ARGS__);                                                           \
        for (const char *const *n_ = (needles); *n_; n_++)                                     \
            cr_expect (s_has (err_, *n_), "'%s' not in: %s", *n_, err_);                       \
        free (err_);                                                                           \
    } while (0)

Test (roles, bootstrap_then_each_kind_for_its_roles, .timeout = 60)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, s_config), 0);
    char *roster = ts_write_file (broker.dir, "roster.csv", s_roster);
    char *portfolio = ts_data_path ("accounts_small.csv");

    /*  No roster yet: nothing but the roster import. */
    REFUSED (&broker,
             ((const char *const[]){"no roster yet", "imports the roster first", NULL}), "--as",
             "OPS-01", "import-portfolio", portfolio);
    cr_assert_eq (SUBMIT (&broker, NULL, "--as", "OPS-01", "import-roster", roster), 0);

    /*  Now the roster says who is who. */
    REFUSED (
        &broker,
        ((const char *const[]){"import-portfolio needs role operator", "P-001 is csm", NULL}),
        "--as", "P-001", "import-portfolio", portfolio);
    REFUSED (&broker, ((const char *const[]){"'X-999' is not on the roster", NULL}), "--as",
             "X-999", "retro", "--kind", "worked", "--text", "sneaky");
    pid_t agents[4];
    for (int i = 0; i < 4; i++)
        cr_assert_gt ((agents[i] = ts_agent_start (&broker, s_kinds[i], "standin")), 0);
    cr_assert_eq (SUBMIT (&broker, NULL, "--as", "OPS-01", "import-portfolio", portfolio), 0);

    /*  Targets: leadership only. */
    REFUSED (&broker,
             ((const char *const[]){"targets needs role leadership", "P-001 is csm", NULL}),
             "--as", "P-001", "targets", "--arr-goal", "400K", "--conversion", "40%", "--deals",
             "25", "--investment", "60K");
    REFUSED (
        &broker,
        ((const char *const[]){"targets needs role leadership", "M-001 is marketing", NULL}),
        "--as", "M-001", "targets", "--arr-goal", "400K", "--conversion", "40%", "--deals",
        "25", "--investment", "60K");
    cr_expect_eq (SUBMIT (&broker, NULL, "--as", "L-001", "targets", "--arr-goal", "400K",
                          "--conversion", "40%", "--deals", "25", "--investment", "60K"),
                  0);
    /*  Operators' things. */
    REFUSED (
        &broker,
        ((const char *const[]){"advance needs role operator", "L-001 is leadership", NULL}),
        "--as", "L-001", "advance", "--days", "1");
    REFUSED (&broker,
             ((const char *const[]){"override-gate needs role leadership", "OPS-01 is operator",
                                    NULL}),
             "--as", "OPS-01", "override-gate", "--reason", "impatient");

    /*  The week-1 scan gives each account an opportunity. */
    uint64_t accounts = 3;
    cr_assert_eq (ts_wait_snapshot (&broker, 20000, s_has_opportunities, &accounts), 0);
    /*  A-0001 is P-001's account, A-0002 P-002's (tests/data/accounts_small.csv). */
    char *mine = s_first (&broker, "SELECT opportunity_id FROM opportunities "
                                   "WHERE account_id = 'A-0001'");
    char *theirs = s_first (&broker, "SELECT opportunity_id FROM opportunities "
                                     "WHERE account_id = 'A-0002'");
    cr_assert_str_neq (mine, "");
    cr_assert_str_neq (theirs, "");

    /*  Notes: on one's own account only; leadership does not write notes. */
    cr_expect_eq (SUBMIT (&broker, NULL, "--as", "P-001", "note", "--account", "A-0001",
                          "--text", "call went well"),
                  0);
    REFUSED (&broker,
             ((const char *const[]){"account A-0002 is not P-001's", "needs role csm or ae",
                                    "P-001 is csm", NULL}),
             "--as", "P-001", "note", "--account", "A-0002", "--text", "not mine");
    REFUSED (&broker,
             ((const char *const[]){"note needs role csm or ae", "L-001 is leadership", NULL}),
             "--as", "L-001", "note", "--account", "A-0001", "--text", "from the top");

    /*  Stage changes and outcomes: a CSM on their own deals only. */
    cr_expect_eq (SUBMIT (&broker, NULL, "--as", "P-001", "stage", "--opportunity", mine,
                          "--stage", "discovery"),
                  0);
    REFUSED (&broker,
             ((const char *const[]){"is not P-001's deal", "needs role csm or ae",
                                    "P-001 is csm", NULL}),
             "--as", "P-001", "stage", "--opportunity", theirs, "--stage", "discovery");
    REFUSED (&broker,
             ((const char *const[]){"is not P-001's deal", "outcome needs role csm or ae",
                                    "P-001 is csm", NULL}),
             "--as", "P-001", "outcome", "--opportunity", theirs, "--won", "--amount", "20K",
             "--reason", "closing someone else's deal");
    /*  An AE on deals they are not attached to. */
    REFUSED (&broker, ((const char *const[]){"is not AE-01's deal", "AE-01 is ae", NULL}),
             "--as", "AE-01", "outcome", "--opportunity", theirs, "--lost", "--reason", "nope");
    cr_expect_eq (SUBMIT (&broker, NULL, "--as", "P-002", "outcome", "--opportunity", theirs,
                          "--lost", "--reason", "budget went elsewhere"),
                  0);

    /*  A refusal changed nothing: the other CSM's deal closed only once, as lost. */
    char *stage = s_first (&broker, "SELECT stage FROM opportunities WHERE account_id = "
                                    "'A-0002'");
    cr_expect_str_eq (stage, "closed-lost");
    char *notes = s_first (&broker, "SELECT count(*) FROM notes");
    cr_expect_str_eq (notes, "1");
    free (stage);
    free (notes);
    free (mine);
    free (theirs);
    for (int i = 0; i < 4; i++)
        ts_stop (agents[i], 5000);
    free (roster);
    free (portfolio);
    ts_broker_cleanup (&broker);
}

Test (roles, configured_operators_alone_bootstrap, .timeout = 30)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, "roles = { enforce = true; operators = "
                                            "[\"OPS-01\"]; };\n"),
                  0);
    char *roster = ts_write_file (broker.dir, "roster.csv", s_roster);
    REFUSED (&broker,
             ((const char *const[]){"no roster yet", "an operator of roles.operators", NULL}),
             "--as", "P-001", "import-roster", roster);
    cr_expect_eq (SUBMIT (&broker, NULL, "--as", "OPS-01", "import-roster", roster), 0);
    free (roster);
    ts_broker_cleanup (&broker);
}

Test (roles, a_misspelt_kind_or_role_stops_the_broker, .timeout = 30)
{
    ts_broker_t broker;
    /*  The fixture's broker starts; one with a bad roles block exits 4 naming it. */
    cr_assert_eq (ts_broker_start (&broker, NULL), 0);
    cr_assert_eq (ts_broker_signal (&broker, SIGTERM), 0);
    char *bad = ts_write_file (broker.dir, "bad.cfg",
                               "roles = { allow = { target = [\"leadership\"]; }; };\n");
    char *bin = ts_bin ("campaign-broker");
    char *err = NULL;
    char *argv[] = {bin, "-c", broker.base, "-c", broker.config, "-c", bad, NULL};
    cr_expect_eq (ts_run (argv, 10000, NULL, &err), 4);
    cr_expect (s_has (err, "bad.cfg:1") && s_has (err, "'target' is not a submission kind"),
               "%s", err);
    free (err);
    char *worse = ts_write_file (broker.dir, "worse.cfg",
                                 "roles = { allow = { targets = [\"boss\"]; }; };\n");
    argv[6] = worse;
    cr_expect_eq (ts_run (argv, 10000, NULL, &err), 4);
    cr_expect (s_has (err, "'boss' is not a role"), "%s", err);
    free (err);
    free (bin);
    free (bad);
    free (worse);
    ts_broker_cleanup (&broker);
}

/*  campaign-status args... (NULL-terminated); its exit code, stdout in *out. */
#define STATUS(broker, out, err, ...)                                                          \
    ts_tool ((broker), out, err, "campaign-status", __VA_ARGS__, NULL)

static int
s_lines (const char *text, const char *needle)
{
    int n = 0;
    for (const char *line = text; line && *line;) {
        const char *end = strchr (line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen (line);
        char buf[4096];
        snprintf (buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1),
                  line);
        n += strstr (buf, needle) != NULL;
        line = end ? end + 1 : NULL;
    }
    return n;
}

Test (roles, the_audit_trail_holds_every_attempt, .timeout = 60)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, s_config), 0);
    char *roster = ts_write_file (broker.dir, "roster.csv", s_roster);
    cr_assert_eq (SUBMIT (&broker, NULL, "--as", "OPS-01", "import-roster", roster), 0);
    cr_expect_eq (SUBMIT (&broker, NULL, "--as", "P-001", "targets", "--arr-goal", "400K",
                          "--conversion", "40%", "--deals", "25", "--investment", "60K"),
                  1);
    cr_expect_eq (
        SUBMIT (&broker, NULL, "--as", "X-999", "retro", "--kind", "worked", "--text", "hi"),
        1);
    cr_expect_eq (SUBMIT (&broker, NULL, "--as", "L-001", "targets", "--arr-goal", "400K",
                          "--conversion", "40%", "--deals", "25", "--investment", "60K"),
                  0);
    /*  Refused for a reason other than a role: audited all the same. */
    cr_expect_eq (SUBMIT (&broker, NULL, "--as", "L-001", "targets", "--arr-goal", "0",
                          "--conversion", "40%", "--deals", "25", "--investment", "60K"),
                  1);

    char *out = NULL, *err = NULL;
    cr_assert_eq (STATUS (&broker, &out, &err, "--as", "L-001", "--audit", "--json"), 0, "%s",
                  err);
    cr_expect_eq (s_lines (out, "\"kind\""), 5, "every attempt: %s", out);
    cr_expect_eq (s_lines (out, "\"outcome\":\"accepted\""), 2, "%s", out);
    cr_expect_eq (s_lines (out, "\"outcome\":\"refused\""), 3, "%s", out);
    free (out);
    free (err);
    cr_assert_eq (STATUS (&broker, &out, NULL, "--as", "OPS-01", "--audit", "--json",
                          "--person", "P-001", "--refused"),
                  0);
    cr_expect_eq (s_lines (out, "\"kind\""), 1, "%s", out);
    cr_expect (s_has (out, "\"role\":\"csm\"") && s_has (out, "REJECT_FORBIDDEN") &&
                   s_has (out, "targets needs role leadership") &&
                   s_has (out, "\"campaign_date\":\"2026-10-05\""),
               "%s", out);
    free (out);
    /*  Text for people: who, role, when, what, outcome. */
    cr_assert_eq (STATUS (&broker, &out, NULL, "--as", "L-001", "--audit", "--kind", "targets",
                          "--accepted"),
                  0);
    cr_expect (s_has (out, "L-001") && s_has (out, "leadership") && s_has (out, "accepted") &&
                   s_has (out, "targets set"),
               "%s", out);
    free (out);
    /*  Reading it is for leadership and operators. */
    cr_expect_eq (STATUS (&broker, NULL, &err, "--as", "P-001", "--audit"), 1);
    cr_expect (s_has (err, "the audit trail needs role leadership or operator, and P-001 is "
                           "csm"),
               "%s", err);
    free (err);

    /*  Durable: a SIGKILL later, all five are there; and the store refuses to change them. */
    cr_assert_eq (ts_broker_signal (&broker, SIGKILL), 128 + SIGKILL);
    cr_assert_eq (ts_broker_restart (&broker), 0);
    cr_assert_eq (STATUS (&broker, &out, NULL, "--as", "L-001", "--audit", "--json"), 0);
    cr_expect_eq (s_lines (out, "\"kind\""), 5, "%s", out);
    free (out);
    char *path = NULL;
    cr_assert (asprintf (&path, "%s/state/campaign.db", broker.dir) > 0);
    char *del[] = {"/usr/bin/sqlite3", path, "DELETE FROM refusals", NULL};
    cr_expect_neq (ts_run (del, 10000, NULL, &err), 0);
    cr_expect (s_has (err, "append-only"), "%s", err);
    free (err);
    char *upd[] = {"/usr/bin/sqlite3", path, "UPDATE journal SET person = 'L-002'", NULL};
    cr_expect_neq (ts_run (upd, 10000, NULL, &err), 0);
    cr_expect (s_has (err, "append-only"), "%s", err);
    free (err);
    free (path);
    free (roster);
    ts_broker_cleanup (&broker);
}

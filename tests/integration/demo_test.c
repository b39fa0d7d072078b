/*  demo_test.c: the demo's path at small size (issue 8): campaign-gen's data, the fleet
    from the bundled configuration (every agent real),
    campaign-sim for 12 weeks, campaign-report, and a stop that leaves nothing running.

    The fleet daemonizes, out of reach of the fixture's teardown: after `start`, this
    test only uses non-fatal expectations, so it always reaches `stop`. */
#include "test_support.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

TS_SUITE (demo);

static bool
s_has (const char *text, const char *needle)
{
    return text && strstr (text, needle);
}

Test (demo, the_main_job_at_small_size, .timeout = 300)
{
    ts_broker_t broker;
    /*  The fixture writes the configuration layers; the fleet runs its own broker. */
    /*  Roles on, as the bundled configuration has them: the simulator submits as people
        whose roles allow it. */
    /*  200 accounts close about 20 seat and 10 tier deals: the retrospective refits
        plays from 10 outcomes (3 folds) so that it writes a model file. */
    cr_assert_eq (ts_broker_start (&broker, "log = { level = \"info\"; };\n"
                                            "roles = { enforce = true; };\n"
                                            "retrospective = { model = { min_rows = 10; "
                                            "folds = 3; }; };\n"),
                  0);
    cr_assert_eq (ts_broker_signal (&broker, SIGTERM), 0);
    char *data = NULL;
    cr_assert (asprintf (&data, "%s/data", broker.dir) > 0);
    char *gen = ts_bin ("campaign-gen");
    char *gen_argv[] = {gen, "--accounts", "200", "--seed", "3", "--out", data, NULL};
    cr_assert_eq (ts_run (gen_argv, 60000, NULL, NULL), 0);

    char *out = NULL, *err = NULL;
    int rc = ts_tool (&broker, &out, &err, "campaign-fleet", "start", NULL);
    cr_expect_eq (rc, 0, "start: %s %s", out, err);
    free (out);
    free (err);
    if (rc == 0) {
        rc = ts_tool (&broker, &out, &err, "campaign-sim", "--seed", "3", "--data", data,
                      "--quiet", NULL);
        cr_expect_eq (rc, 0, "sim: %s", err);
        cr_expect (s_has (out, "final position     week 12, wrap-up / retrospective"), "%s",
                   out);
        free (out);
        free (err);
        /*  The status tells the booked ARR from the pipeline's potential. */
        rc = ts_tool (&broker, &out, &err, "campaign-status", "--once", NULL);
        cr_expect_eq (rc, 0, "status: %s", err);
        cr_expect (s_has (out, "pipeline (opportunities, potential ARR)"), "%s", out);
        cr_expect (s_has (out, "expected within the campaign (P10 $"), "%s", out);
        cr_expect (s_has (out, "expansion ARR won"), "%s", out);
        free (out);
        free (err);
        rc = ts_tool (&broker, &out, &err, "campaign-report", NULL);
        cr_expect_eq (rc, 0, "report: %s", err);
        free (out);
        free (err);
        char *targets = NULL;
        cr_assert (asprintf (&targets, "%s/reports/targets.csv", broker.dir) > 0);
        char *text = ts_read_file (targets);
        cr_expect (s_has (text, "opportunity_id,account_id"), "the target list is written");
        free (text);
        free (targets);
        /*  The identifier's week-11 results, written by the broker as a report. */
        char *results = NULL;
        cr_assert (asprintf (&results, "%s/reports/identifier.results.json", broker.dir) > 0);
        text = ts_read_file (results);
        cr_expect (s_has (text, "{"), "identifier.results.json is written: %s", results);
        free (text);
        free (results);
        /*  The retrospective and the next campaign's files (issue 7). */
        static const char *const files[][2] = {{"retrospective.md", "## Summary"},
                                               {"propensity.model", "groups"},
                                               {"plays.cfg", "plays = ("},
                                               {"segments.csv", "name,kind"},
                                               {"calibration.csv", "bin,deals"}};
        for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
            char *path = NULL;
            cr_assert (asprintf (&path, "%s/reports/%s", broker.dir, files[f][0]) > 0);
            text = ts_read_file (path);
            cr_expect (s_has (text, files[f][1]), "%s holds '%s'", path, files[f][1]);
            free (text);
            free (path);
        }
    }
    rc = ts_tool (&broker, &out, &err, "campaign-fleet", "stop", NULL);
    cr_expect_eq (rc, 0, "stop: %s %s", out, err);
    free (out);
    free (err);
    /*  Nothing of the fleet is left: every pid the status file names is gone. */
    char *status = NULL;
    cr_assert (asprintf (&status, "%s/state/fleet.status", broker.dir) > 0);
    char *text = ts_read_file (status);
    int alive = 0;
    for (char *line = text ? strtok (text, "\n") : NULL; line; line = strtok (NULL, "\n")) {
        char name[128];
        int pid = 0;
        if (sscanf (line, "%127s %d", name, &pid) == 2 && pid > 0 && kill (pid, 0) == 0)
            alive++;
    }
    cr_expect_eq (alive, 0, "no process of the fleet is left");
    free (text);
    free (status);

    /*  A second campaign configured with the first one's refined model and plays runs to
        week 12 (issue 7: "a second campaign configured with them runs"). */
    char *plays = NULL, *model = NULL, *state = NULL, *reports = NULL;
    cr_assert (asprintf (&plays, "%s/reports/plays.cfg", broker.dir) > 0);
    cr_assert (asprintf (&model, "identifier.propensity.model=%s/reports/propensity.model",
                         broker.dir) > 0);
    cr_assert (asprintf (&state, "broker.state_dir=%s/second", broker.dir) > 0);
    cr_assert (asprintf (&reports, "reports.dir=%s/second/reports", broker.dir) > 0);
    rc = ts_tool (&broker, &out, &err, "campaign-fleet", "-c", plays, "-o", model, "-o", state,
                  "-o", reports, "start", NULL);
    cr_expect_eq (rc, 0, "second start: %s %s", out, err);
    free (out);
    free (err);
    if (rc == 0) {
        rc = ts_tool (&broker, &out, &err, "campaign-sim", "-c", plays, "-o", model, "-o",
                      state, "-o", reports, "--seed", "4", "--data", data, "--quiet", NULL);
        cr_expect_eq (rc, 0, "second sim: %s", err);
        cr_expect (s_has (out, "final position     week 12, wrap-up / retrospective"), "%s",
                   out);
        free (out);
        free (err);
        char *second = NULL;
        cr_assert (asprintf (&second, "%s/second/reports/retrospective.run.json", broker.dir) >
                   0);
        text = ts_read_file (second);
        cr_expect (s_has (text, "\"auc_before\""), "the second retrospective ran: %s", second);
        free (text);
        free (second);
    }
    /*  Stopped whatever the start said: a start that gave up on one process keeps the
        others (the broker among them) running. */
    rc = ts_tool (&broker, &out, &err, "campaign-fleet", "-c", plays, "-o", model, "-o", state,
                  "-o", reports, "stop", NULL);
    cr_expect_eq (rc, 0, "second stop: %s %s", out, err);
    free (out);
    free (err);
    free (plays);
    free (model);
    free (state);
    free (reports);
    free (gen);
    free (data);
    ts_broker_cleanup (&broker);
}

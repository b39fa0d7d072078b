/*  sim_test.c: the participant simulator plays a whole campaign (issue 8, part 5).

    A broker with the real customer-health-scorer and stand-ins for the other three
    kinds, campaign-gen's 300-account portfolio (seed 7), and campaign-sim to the end:
    week 12 in the retrospective, no gate held, every gate passed without an override,
    deals won and lost. The same seed on a second fresh broker gives the same final
    figures, and a re-run against the first broker applies nothing twice. */
#include "test_support.h"

#include <string.h>

TS_SUITE (sim);

static const char *const s_standin_kinds[] = {"expansion-opportunity-identifier",
                                              "customer-segmentation-analyst",
                                              "retrospective-analyzer"};

typedef struct {
    ts_broker_t broker;
    pid_t agents[4];
} s_fleet_t;

static void
s_fleet_start (s_fleet_t *fleet)
{
    memset (fleet, 0, sizeof *fleet);
    /*  Roles on: every submission of the simulator is made by a person allowed to. */
    cr_assert_eq (ts_broker_start (&fleet->broker, "roles = { enforce = true; };\n"), 0,
                  "broker did not start");
    fleet->agents[0] = ts_agent_spawn (&fleet->broker, "customer-health-scorer", "real-1");
    for (int i = 0; i < 3; i++)
        fleet->agents[i + 1] = ts_agent_start (&fleet->broker, s_standin_kinds[i], "standin");
    for (int i = 0; i < 4; i++)
        cr_assert_gt (fleet->agents[i], 0, "agent %d did not start", i);
}

static void
s_fleet_stop (s_fleet_t *fleet)
{
    for (int i = 0; i < 4; i++)
        if (fleet->agents[i] > 0)
            ts_stop (fleet->agents[i], 5000);
    ts_broker_cleanup (&fleet->broker);
}

/*  campaign-gen --accounts 300 --seed 7 into dir/data; returns the malloc'd path. */
static char *
s_generate (const char *dir)
{
    char *out = NULL;
    cr_assert (asprintf (&out, "%s/data", dir) > 0);
    char *bin = ts_bin ("campaign-gen");
    char *argv[] = {bin, "--accounts", "300", "--seed", "7", "--out", out, NULL};
    cr_assert_eq (ts_run (argv, 60000, NULL, NULL), 0, "campaign-gen failed");
    free (bin);
    return out;
}

/*  Run campaign-sim to the end (bounded); returns its exit code, the summary in *out. */
static int
s_sim (s_fleet_t *fleet, const char *data, char **out, char **err_out)
{
    char *bin = ts_bin ("campaign-sim");
    char *argv[16] = {bin};
    int n = 1;
    ts_config_argv (&fleet->broker, argv, &n);
    argv[n++] = "--seed";
    argv[n++] = "7";
    argv[n++] = "--data";
    argv[n++] = (char *)data;
    argv[n++] = "--quiet";
    argv[n] = NULL;
    int rc = ts_run (argv, 120000, out, err_out);
    free (bin);
    return rc;
}

static uint64_t
s_stage_count (const Campaign__Snapshot *snap, const char *stage)
{
    for (size_t i = 0; i < snap->n_pipeline; i++)
        if (strcmp (snap->pipeline[i]->stage, stage) == 0)
            return snap->pipeline[i]->opportunities;
    return 0;
}

static int
s_compare_stages (const void *a, const void *b)
{
    return strcmp ((*(Campaign__StageTotal *const *)a)->stage,
                   (*(Campaign__StageTotal *const *)b)->stage);
}

static int
s_compare_counts (const void *a, const void *b)
{
    return strcmp ((*(Campaign__Count *const *)a)->name, (*(Campaign__Count *const *)b)->name);
}

/*  The final figures of a snapshot as text: pipeline by stage and journal by kind, each
    sorted by name. The broker lists stages in the order its counters first met them
    (and kinds in its hash table's order), which follows the order it applied the
    submissions of different accounts in, and the simulator keeps several in flight:
    the figures are the same, their listing is not a figure. */
static char *
s_figures (const Campaign__Snapshot *snap)
{
    char *text = NULL;
    size_t size = 0;
    FILE *file = open_memstream (&text, &size);
    cr_assert (file);
    fprintf (file, "week %u %s %s\n", snap->week, snap->date, snap->activity);
    qsort (snap->pipeline, snap->n_pipeline, sizeof *snap->pipeline, s_compare_stages);
    for (size_t i = 0; i < snap->n_pipeline; i++)
        fprintf (file, "stage %s %llu %.2f\n", snap->pipeline[i]->stage,
                 (unsigned long long)snap->pipeline[i]->opportunities, snap->pipeline[i]->arr);
    qsort (snap->journal, snap->n_journal, sizeof *snap->journal, s_compare_counts);
    for (size_t i = 0; i < snap->n_journal; i++)
        fprintf (file, "journal %s %llu\n", snap->journal[i]->name,
                 (unsigned long long)snap->journal[i]->count);
    fclose (file);
    return text;
}

/*  The summary up to the handoffs line: what the pipeline says, not what was sent. */
static void
s_cut_summary (char *summary)
{
    char *cut = strstr (summary, "  handoffs");
    if (cut)
        *cut = '\0';
}

/*  Run one whole campaign on a fresh fleet and check where it ends; returns the final
    figures and the summary (both malloc'd). */
static void
s_campaign (s_fleet_t *fleet, const char *data, char **figures, char **summary)
{
    char *err = NULL;
    int rc = s_sim (fleet, data, summary, &err);
    cr_assert_eq (rc, 0, "campaign-sim exited %d: %s\n%s", rc, err ? err : "",
                  *summary ? *summary : "");
    free (err);
    wire_envelope_t *reply = NULL;
    cr_assert_eq (ts_snapshot (&fleet->broker, 5000, &reply), 0);
    const Campaign__Snapshot *snap = reply->snapshot;
    cr_expect_eq (snap->week, 12);
    cr_expect_str_eq (snap->activity, "retrospective");
    cr_expect (!snap->held, "no gate holds at the end");
    cr_expect_geq (snap->n_gates, 6, "every boundary has a gate record (%zu)", snap->n_gates);
    for (size_t i = 0; i < snap->n_gates; i++) {
        const Campaign__GateRecord *gate = snap->gates[i];
        cr_expect (gate->passed && *gate->passed, "gate into %s never passed", gate->activity);
        cr_expect (!gate->override_by || !*gate->override_by,
                   "gate into %s was overridden by %s", gate->activity, gate->override_by);
    }
    cr_expect_gt (s_stage_count (snap, "closed-won"), 0, "deals were won");
    cr_expect_gt (s_stage_count (snap, "closed-lost"), 0, "deals were lost");
    *figures = s_figures (snap);
    wire_free (&reply);
}

Test (sim, twelve_weeks_deterministic_and_idempotent, .timeout = 300)
{
    s_fleet_t first, second;
    char *dir = ts_tempdir ();
    cr_assert (dir);
    char *data = s_generate (dir);
    s_fleet_start (&first);
    char *figures1 = NULL, *summary1 = NULL;
    s_campaign (&first, data, &figures1, &summary1);
    cr_expect (strstr (summary1, "ARR won"), "%s", summary1);

    /*  Running again against the same state applies nothing twice. */
    char *summary_again = NULL;
    cr_expect_eq (s_sim (&first, data, &summary_again, NULL), 0);
    wire_envelope_t *reply = NULL;
    cr_assert_eq (ts_snapshot (&first.broker, 5000, &reply), 0);
    char *figures_again = s_figures (reply->snapshot);
    wire_free (&reply);
    cr_expect_str_eq (figures_again, figures1, "a re-run changed the campaign");
    cr_expect (strstr (summary_again, " 0 accepted,"), "a re-run is all duplicates:\n%s",
               summary_again);
    s_fleet_stop (&first);

    /*  The same seed on a fresh broker: the same campaign. */
    s_fleet_start (&second);
    char *figures2 = NULL, *summary2 = NULL;
    s_campaign (&second, data, &figures2, &summary2);
    cr_expect_str_eq (figures2, figures1, "the same seed gave other figures:\n%s---\n%s",
                      figures1, figures2);
    cr_expect_str_eq (summary2, summary1, "the same seed gave another summary:\n%s---\n%s",
                      summary1, summary2);
    s_cut_summary (summary_again);
    s_cut_summary (summary1);
    cr_expect_str_eq (summary_again, summary1, "a re-run reports the same figures");
    s_fleet_stop (&second);

    free (figures1);
    free (figures2);
    free (figures_again);
    free (summary1);
    free (summary2);
    free (summary_again);
    free (data);
    ts_tempdir_remove (&dir);
}

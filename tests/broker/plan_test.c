/*  plan_test.c: the campaign plan read from configuration (broker/plan.h).

    Proves that the bundled config/campaign.cfg is the seed's table as data (7 activities,
    phases and activities by week, acceptance windows, pipeline stages, handoff rules),
    that layering config/emea.cfg on top changes exactly what EMEA adapts, that a missing
    section falls back to the documented defaults, and that every mistake an operator can
    make in the plan is refused with the file, the line and the setting path in the
    message, leaving no plan behind. Configurations are written into a temp dir and read
    through lib/conf.h as the broker does.
*/
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

TS_SUITE (plan);

#define BUNDLED CAMPAIGN_SOURCE_DIR "/config/campaign.cfg"
#define EMEA    CAMPAIGN_SOURCE_DIR "/config/emea.cfg"

/* --------------------------------------------------------------------------
   A small valid plan in sections; each test replaces the section it breaks. */

static const char *const s_phases = "phases = (\n"
                                    "    { name = \"planning\"; weeks = [1, 2]; },\n"
                                    "    { name = \"execution\"; weeks = [3, 10]; },\n"
                                    "    { name = \"wrap-up\"; weeks = [11, 12]; }\n"
                                    ");\n";

#define TASK_HEALTH                                                                            \
    "{ agent = \"customer-health-scorer\"; name = \"health.portfolio\"; per_account = true; "  \
    "batch = 100; }"
#define TASK_QUALIFY                                                                           \
    "{ agent = \"expansion-opportunity-identifier\"; name = \"identifier.qualification\"; "    \
    "after = [\"health.portfolio\"]; }"
#define TASK_RETRO "{ agent = \"retrospective-analyzer\"; name = \"retrospective.run\"; }"

static const char *const s_activities =
    "activities = (\n"
    "    { name = \"identify\"; weeks = [1, 2]; gate = []; tasks = ( " TASK_HEALTH " ); },\n"
    "    { name = \"execute\"; weeks = [3, 10]; gate = [\"tasks_done:health.portfolio\"]; "
    "tasks = ( " TASK_QUALIFY " ); },\n"
    "    { name = \"wrap up\"; weeks = [11, 12]; gate = [\"fact:segment.target\"]; "
    "tasks = ( " TASK_RETRO " ); }\n"
    ");\n";

static const char *const s_windows = "windows = {\n"
                                     "    targets = [0, 2];\n"
                                     "    note = [3, 12];\n"
                                     "};\n";

static const char *const s_pipeline =
    "pipeline = {\n"
    "    stages = [\"identified\", \"qualified\", \"demo\", \"closed-won\", \"closed-lost\"];\n"
    "    max_amount_ratio = 4.0;\n"
    "};\n";

typedef struct {
    const char *phases;
    const char *activities;
    const char *windows;
    const char *pipeline;
    const char *extra;
} s_sections_t;

/*  The configuration text: every NULL section takes the valid default. */
static char *
s_text (const s_sections_t *sections)
{
    char *text = NULL;
    cr_assert_gt (asprintf (&text, "# a plan for plan_test\n%s%s%s%s%s",
                            sections->phases ? sections->phases : s_phases,
                            sections->activities ? sections->activities : s_activities,
                            sections->windows ? sections->windows : s_windows,
                            sections->pipeline ? sections->pipeline : s_pipeline,
                            sections->extra ? sections->extra : ""),
                  0);
    return text;
}

/*  1-based line of the first occurrence of needle in text (0: not there). */
static int
s_line_of (const char *text, const char *needle)
{
    const char *at = strstr (text, needle);
    if (!at)
        return 0;
    int line = 1;
    for (const char *p = text; p < at; p++)
        line += *p == '\n';
    return line;
}

static zhashx_t *
s_kinds (const char *const *names)
{
    zhashx_t *kinds = zhashx_new ();
    cr_assert_not_null (kinds);
    for (int i = 0; names[i]; i++)
        zhashx_insert (kinds, names[i], (void *)1);
    return kinds;
}

static const char *const s_four_kinds[] = {
    "expansion-opportunity-identifier", "customer-segmentation-analyst",
    "customer-health-scorer", "retrospective-analyzer", NULL};

typedef struct {
    char *dir;
    char *path; /* dir/plan.cfg */
    char *text;
    conf_t *conf;
    zhashx_t *kinds;
    plan_t *plan;
    err_t err;
} s_fixture_t;

static void
s_setup (s_fixture_t *fx)
{
    memset (fx, 0, sizeof *fx);
    fx->dir = ts_tempdir ();
    cr_assert_not_null (fx->dir);
    fx->conf = conf_new ();
    cr_assert_not_null (fx->conf);
    fx->kinds = s_kinds (s_four_kinds);
    err_clear (&fx->err);
}

static void
s_teardown (s_fixture_t *fx)
{
    plan_destroy (&fx->plan);
    cr_assert_null (fx->plan);
    conf_destroy (&fx->conf);
    zhashx_destroy (&fx->kinds);
    free (fx->text);
    free (fx->path);
    ts_tempdir_remove (&fx->dir);
}

/*  Write the sections as dir/plan.cfg, load them as a layer; returns plan_load's rc. */
static int
s_load_sections (s_fixture_t *fx, const s_sections_t *sections)
{
    fx->text = s_text (sections);
    fx->path = ts_write_file (fx->dir, "plan.cfg", fx->text);
    cr_assert_not_null (fx->path);
    cr_assert_eq (conf_load_file (fx->conf, fx->path, &fx->err), 0, "%s", fx->err.msg);
    return plan_load (fx->conf, 12, fx->kinds, &fx->plan, &fx->err);
}

/*  The load must fail with ERR_INVALID, leave no plan, and name plan.cfg:LINE (the line
    of `where` in the text), the setting path and every fragment given. */
static void
s_expect_refused (s_fixture_t *fx, const char *where, const char *setting,
                  const char *const *fragments)
{
    char place[64];
    int line = s_line_of (fx->text, where);
    cr_assert_gt (line, 0, "test bug: '%s' is not in the text", where);
    snprintf (place, sizeof place, "plan.cfg:%d", line);
    cr_assert_null (fx->plan, "a refused plan is not handed out");
    cr_assert_eq (fx->err.code, ERR_INVALID, "code %d: %s", fx->err.code, fx->err.msg);
    cr_assert_not_null (strstr (fx->err.msg, place), "message names %s: %s", place,
                        fx->err.msg);
    char quoted[128];
    snprintf (quoted, sizeof quoted, "'%s'", setting);
    cr_assert_not_null (strstr (fx->err.msg, quoted), "message names setting %s: %s", quoted,
                        fx->err.msg);
    for (int i = 0; fragments && fragments[i]; i++)
        cr_assert_not_null (strstr (fx->err.msg, fragments[i]), "message says '%s': %s",
                            fragments[i], fx->err.msg);
}

/*  Load the bundled campaign.cfg (and optionally emea.cfg on top) with the agent kinds
    campaign.cfg configures. */
static void
s_load_bundled (s_fixture_t *fx, bool emea)
{
    cr_assert_eq (conf_load_file (fx->conf, BUNDLED, &fx->err), 0, "%s", fx->err.msg);
    if (emea)
        cr_assert_eq (conf_load_file (fx->conf, EMEA, &fx->err), 0, "%s", fx->err.msg);
    zhashx_destroy (&fx->kinds);
    fx->kinds = zhashx_new ();
    config_setting_t *kinds = conf_lookup (fx->conf, "agents.kinds");
    cr_assert_not_null (kinds);
    cr_assert_eq (config_setting_length (kinds), 4);
    for (int i = 0; i < config_setting_length (kinds); i++)
        zhashx_insert (fx->kinds, config_setting_get_string_elem (kinds, i), (void *)1);
    int64_t weeks = 0;
    cr_assert_eq (conf_int (fx->conf, "campaign.weeks", 12, &weeks, &fx->err), 0);
    cr_assert_eq (weeks, 12);
    cr_assert_eq (plan_load (fx->conf, (int)weeks, fx->kinds, &fx->plan, &fx->err), 0, "%s",
                  fx->err.msg);
    cr_assert_not_null (fx->plan);
}

static void
s_expect_window (plan_t *plan, const char *kind, int first, int last)
{
    int got_first = -99, got_last = -99;
    cr_assert (plan_window (plan, kind, &got_first, &got_last), "window of %s", kind);
    cr_assert_eq (got_first, first, "first week of %s: %d", kind, got_first);
    cr_assert_eq (got_last, last, "last week of %s: %d", kind, got_last);
}

static void
s_expect_no_window (plan_t *plan, const char *kind)
{
    int first = -99, last = -99;
    cr_assert_not (plan_window (plan, kind, &first, &last), "%s has no window", kind);
    cr_assert_eq (first, -99, "outputs untouched");
    cr_assert_eq (last, -99, "outputs untouched");
}

/* --------------------------------------------------------------------------
   The bundled plan */

Test (plan, bundled_config_is_the_seed_table)
{
    s_fixture_t fx;
    s_setup (&fx);
    s_load_bundled (&fx, false);
    plan_t *plan = fx.plan;

    static const struct {
        const char *name, *phase;
        int first, last;
        size_t tasks, gate;
    } expected[] = {
        {"opportunity identification", "planning", 1, 1, 3, 0},
        {"campaign design", "planning", 2, 2, 1, 5},
        {"qualification and outreach", "execution", 3, 4, 2, 3},
        {"demonstrations and value selling", "execution", 5, 7, 1, 3},
        {"negotiation and close", "execution", 8, 10, 1, 0},
        {"performance analysis", "wrap-up", 11, 11, 2, 0},
        {"retrospective", "wrap-up", 12, 12, 1, 2},
    };
    cr_assert_eq (plan_activities (plan), 7);
    for (size_t i = 0; i < 7; i++) {
        const plan_activity_t *activity = plan_activity (plan, i);
        cr_assert_not_null (activity);
        cr_assert_str_eq (activity->name, expected[i].name);
        cr_assert_str_eq (activity->phase, expected[i].phase, "%s", activity->name);
        cr_assert_eq (activity->first_week, expected[i].first, "%s", activity->name);
        cr_assert_eq (activity->last_week, expected[i].last, "%s", activity->name);
        cr_assert_eq (activity->n_tasks, expected[i].tasks, "%s", activity->name);
        cr_assert_eq (activity->n_gate, expected[i].gate, "%s", activity->name);
    }
    cr_assert_null (plan_activity (plan, 7));

    /*  The first activity's tasks, as configured. */
    const plan_activity_t *first = plan_activity (plan, 0);
    cr_assert_str_eq (first->tasks[0].agent, "customer-health-scorer");
    cr_assert_str_eq (first->tasks[0].name, "health.portfolio");
    cr_assert (first->tasks[0].per_account);
    cr_assert_eq (first->tasks[0].batch_size, 500);
    cr_assert_eq (first->tasks[0].n_after, 0);
    cr_assert_null (first->tasks[0].args);
    cr_assert_str_eq (first->tasks[1].name, "identifier.portfolio_scan");
    cr_assert_eq (first->tasks[1].n_after, 1);
    cr_assert_str_eq (first->tasks[1].after[0], "health.portfolio");
    /*  The segmentation reads the whole portfolio: one batch of every account. */
    cr_assert_str_eq (first->tasks[2].name, "segmentation.target_segments");
    cr_assert (first->tasks[2].per_account);
    cr_assert_eq (first->tasks[2].batch_size, 100000);
    cr_assert_not (first->tasks[2].weekly);
    cr_assert (first->tasks[2].whole);
    cr_assert_not (first->tasks[0].whole, "the health scorer's batches are batches");
    /*  Monitoring and the forecast follow the pipeline week by week. */
    const plan_activity_t *demos = plan_activity (plan, 3);
    cr_assert_str_eq (demos->tasks[0].name, "identifier.pipeline_monitoring");
    cr_assert (demos->tasks[0].weekly);
    const plan_activity_t *design = plan_activity (plan, 1);
    cr_assert_str_eq (design->gate[0], "portfolio_loaded");
    cr_assert_str_eq (design->gate[4], "fact:segment.target");

    cr_assert (plan_has_task (plan, "retrospective.run"));
    cr_assert (plan_has_task (plan, "segmentation.cohort_performance"));
    cr_assert_not (plan_has_task (plan, "retrospective"));
    cr_assert_not (plan_has_task (plan, ""));
    s_teardown (&fx);
}

Test (plan, phases_and_activities_by_week)
{
    s_fixture_t fx;
    s_setup (&fx);
    s_load_bundled (&fx, false);
    plan_t *plan = fx.plan;
    for (int week = 1; week <= 12; week++) {
        const char *phase = week <= 2 ? "planning" : week <= 10 ? "execution" : "wrap-up";
        cr_assert_str_eq (plan_phase_of_week (plan, week), phase, "week %d", week);
    }
    cr_assert_str_eq (plan_phase_of_week (plan, 0), "");
    cr_assert_str_eq (plan_phase_of_week (plan, 13), "");
    cr_assert_str_eq (plan_phase_of_week (plan, -5), "");

    static const struct {
        int week, activity;
    } cases[] = {{-1, -1}, {0, -1}, {1, 0},  {2, 1},  {3, 2},  {4, 2},  {5, 3},
                 {7, 3},   {8, 4},  {10, 4}, {11, 5}, {12, 6}, {13, 6}, {40, 6}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert_eq (plan_activity_of_week (plan, cases[i].week), cases[i].activity,
                      "week %d: activity %d", cases[i].week,
                      plan_activity_of_week (plan, cases[i].week));
    s_teardown (&fx);
}

Test (plan, bundled_windows_stages_and_handoffs)
{
    s_fixture_t fx;
    s_setup (&fx);
    s_load_bundled (&fx, false);
    plan_t *plan = fx.plan;

    s_expect_window (plan, "import-portfolio", 0, 2);
    s_expect_window (plan, "import-roster", 0, 12);
    s_expect_window (plan, "import-history", 0, 2);
    s_expect_window (plan, "targets", 0, 2);
    s_expect_window (plan, "note", 3, 12);
    s_expect_window (plan, "stage", 3, 12);
    s_expect_window (plan, "outcome", 3, 12);
    s_expect_window (plan, "retro", 11, 12);
    s_expect_no_window (plan, "advance");
    s_expect_no_window (plan, "override-gate");
    s_expect_no_window (plan, "ack-handoff");
    s_expect_no_window (plan, "run-task");
    s_expect_no_window (plan, "no-such-kind");

    static const char *const stages[] = {"identified", "qualified",  "discovery", "demo",
                                         "trial",      "pilot",      "proposal",  "negotiation",
                                         "closed-won", "closed-lost"};
    const char *const *got = plan_stages (plan);
    size_t n = 0;
    while (got[n])
        n++;
    cr_assert_eq (n, 10);
    for (size_t i = 0; i < n; i++) {
        cr_assert_str_eq (got[i], stages[i]);
        cr_assert_eq (plan_stage_is_closed (plan, got[i]), i >= 8, "%s", got[i]);
    }
    cr_assert_not (plan_stage_is_closed (plan, "won"));
    cr_assert_float_eq (plan_max_amount_ratio (plan), 5.0, 1e-9);

    const plan_handoffs_t *h = plan_handoffs (plan);
    cr_assert_float_eq (h->sales_arr_over, 50000.0, 1e-9);
    cr_assert_float_eq (h->sales_credit_split, 0.5, 1e-9);
    cr_assert (h->marketing_case_study);
    cr_assert_eq (h->marketing_nurture_tier, 3);
    cr_assert (h->product_feature_requests);
    s_teardown (&fx);
}

Test (plan, emea_layer_changes_only_what_emea_adapts)
{
    s_fixture_t fx;
    s_setup (&fx);
    s_load_bundled (&fx, true);
    plan_t *plan = fx.plan;
    const plan_handoffs_t *h = plan_handoffs (plan);
    cr_assert_float_eq (h->sales_arr_over, 75000.0, 1e-9);
    cr_assert_float_eq (h->sales_credit_split, 0.6, 1e-9);
    s_expect_window (plan, "outcome", 3, 13);
    /*  The rest comes from the global file. */
    cr_assert (h->marketing_case_study);
    cr_assert_eq (h->marketing_nurture_tier, 3);
    cr_assert (h->product_feature_requests);
    s_expect_window (plan, "note", 3, 12);
    s_expect_window (plan, "stage", 3, 12);
    s_expect_window (plan, "targets", 0, 2);
    s_expect_window (plan, "retro", 11, 12);
    s_expect_window (plan, "import-roster", 0, 12);
    s_expect_no_window (plan, "advance");
    cr_assert_eq (plan_activities (plan), 7);
    cr_assert_str_eq (plan_phase_of_week (plan, 11), "wrap-up");
    cr_assert_float_eq (plan_max_amount_ratio (plan), 5.0, 1e-9);
    cr_assert_eq (plan_activity_of_week (plan, 13), 6);
    s_teardown (&fx);
}

Test (plan, override_changes_one_setting)
{
    s_fixture_t fx;
    s_setup (&fx);
    cr_assert_eq (conf_load_file (fx.conf, BUNDLED, &fx.err), 0, "%s", fx.err.msg);
    cr_assert_eq (conf_override (fx.conf, "handoffs.sales.arr_over=60000", &fx.err), 0, "%s",
                  fx.err.msg);
    cr_assert_eq (conf_override (fx.conf, "windows.note=[4, 11]", &fx.err), 0, "%s",
                  fx.err.msg);
    cr_assert_eq (plan_load (fx.conf, 12, fx.kinds, &fx.plan, &fx.err), 0, "%s", fx.err.msg);
    cr_assert_float_eq (plan_handoffs (fx.plan)->sales_arr_over, 60000.0, 1e-9);
    cr_assert_float_eq (plan_handoffs (fx.plan)->sales_credit_split, 0.5, 1e-9);
    s_expect_window (fx.plan, "note", 4, 11);
    s_expect_window (fx.plan, "outcome", 3, 12);
    s_teardown (&fx);
}

Test (plan, bad_override_names_the_override)
{
    s_fixture_t fx;
    s_setup (&fx);
    cr_assert_eq (conf_load_file (fx.conf, BUNDLED, &fx.err), 0, "%s", fx.err.msg);
    cr_assert_eq (conf_override (fx.conf, "handoffs.sales.credit_split=1.5", &fx.err), 0);
    cr_assert_eq (plan_load (fx.conf, 12, fx.kinds, &fx.plan, &fx.err), ERR_INVALID);
    cr_assert_null (fx.plan);
    cr_assert_not_null (strstr (fx.err.msg, "-o handoffs.sales.credit_split=1.5"), "%s",
                        fx.err.msg);
    cr_assert_not_null (strstr (fx.err.msg, "0 to 1"), "%s", fx.err.msg);
    s_teardown (&fx);
}

/* --------------------------------------------------------------------------
   A plan of our own: what loads, and the defaults of what is left out */

Test (plan, small_plan_loads_as_written)
{
    s_fixture_t fx;
    s_setup (&fx);
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){0}), 0, "%s", fx.err.msg);
    plan_t *plan = fx.plan;
    cr_assert_eq (plan_activities (plan), 3);
    cr_assert_str_eq (plan_activity (plan, 1)->phase, "execution");
    cr_assert_eq (plan_activity (plan, 0)->tasks[0].batch_size, 100);
    cr_assert_eq (plan_activity (plan, 1)->tasks[0].batch_size, 500, "default batch");
    cr_assert_eq (plan_activity (plan, 1)->n_gate, 1);
    cr_assert_str_eq (plan_activity (plan, 1)->gate[0], "tasks_done:health.portfolio");
    cr_assert_eq (plan_activity_of_week (plan, 10), 1);
    cr_assert_eq (plan_activity_of_week (plan, 11), 2);
    s_expect_window (plan, "note", 3, 12);
    s_expect_no_window (plan, "outcome");
    const char *const *stages = plan_stages (plan);
    cr_assert_str_eq (stages[2], "demo");
    cr_assert_null (stages[5]);
    cr_assert (plan_stage_is_closed (plan, "closed-lost"));
    cr_assert_not (plan_stage_is_closed (plan, "demo"));
    cr_assert_float_eq (plan_max_amount_ratio (plan), 4.0, 1e-9);
    s_teardown (&fx);
}

Test (plan, missing_sections_take_the_defaults)
{
    s_fixture_t fx;
    s_setup (&fx);
    /*  No windows, no pipeline, no handoffs settings at all. */
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.windows = "", .pipeline = ""}), 0,
                  "%s", fx.err.msg);
    plan_t *plan = fx.plan;
    s_expect_no_window (plan, "note");
    s_expect_no_window (plan, "outcome");
    const char *const *stages = plan_stages (plan);
    size_t n = 0;
    while (stages[n])
        n++;
    cr_assert_eq (n, 10);
    cr_assert_str_eq (stages[0], "identified");
    cr_assert_str_eq (stages[8], "closed-won");
    cr_assert_str_eq (stages[9], "closed-lost");
    cr_assert_float_eq (plan_max_amount_ratio (plan), 5.0, 1e-9);
    const plan_handoffs_t *h = plan_handoffs (plan);
    cr_assert_float_eq (h->sales_arr_over, 50000.0, 1e-9);
    cr_assert_float_eq (h->sales_credit_split, 0.5, 1e-9);
    cr_assert (h->marketing_case_study);
    cr_assert_eq (h->marketing_nurture_tier, 3);
    cr_assert (h->product_feature_requests);
    s_teardown (&fx);
}

Test (plan, handoff_settings_are_read)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *handoffs = "handoffs = {\n"
                           "    sales = { arr_over = 20000; credit_split = 0.7; };\n"
                           "    marketing = { case_study_on_win = false; nurture_tier = 0; };\n"
                           "    product = { feature_requests = false; };\n"
                           "};\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.extra = handoffs}), 0, "%s",
                  fx.err.msg);
    const plan_handoffs_t *h = plan_handoffs (fx.plan);
    cr_assert_float_eq (h->sales_arr_over, 20000.0, 1e-9, "an integer is taken as a number");
    cr_assert_float_eq (h->sales_credit_split, 0.7, 1e-9);
    cr_assert_not (h->marketing_case_study);
    cr_assert_eq (h->marketing_nurture_tier, 0);
    cr_assert_not (h->product_feature_requests);
    s_teardown (&fx);
}

Test (plan, window_may_reach_week_zero_and_the_week_after)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *windows = "windows = {\n"
                          "    import-portfolio = [0, 0];\n"
                          "    outcome = [3, 13];\n"
                          "};\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.windows = windows}), 0, "%s",
                  fx.err.msg);
    s_expect_window (fx.plan, "import-portfolio", 0, 0);
    s_expect_window (fx.plan, "outcome", 3, 13);
    s_teardown (&fx);
}

/* --------------------------------------------------------------------------
   Mistakes: each refused with file:line and setting path */

Test (plan, unknown_agent_kind_in_a_task)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *activities =
        "activities = (\n"
        "    { name = \"identify\"; weeks = [1, 2]; tasks = ( " TASK_HEALTH " ); },\n"
        "    { name = \"execute\"; weeks = [3, 10]; tasks = (\n"
        "        { agent = \"customer-happiness-scorer\"; name = \"happy\"; }\n"
        "    ); },\n"
        "    { name = \"wrap up\"; weeks = [11, 12]; }\n"
        ");\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.activities = activities}),
                  ERR_INVALID);
    s_expect_refused (
        &fx, "customer-happiness-scorer", "activities.[1].tasks.[0].agent",
        (const char *const[]){"'customer-happiness-scorer'", "agents.kinds", NULL});
    s_teardown (&fx);
}

Test (plan, week_out_of_range)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *activities = "activities = (\n"
                             "    { name = \"identify\"; weeks = [1, 2]; },\n"
                             "    { name = \"execute\"; weeks = [3, 10]; },\n"
                             "    { name = \"wrap up\"; weeks = [11, 13]; }\n"
                             ");\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.activities = activities}),
                  ERR_INVALID);
    s_expect_refused (&fx, "[11, 13]", "activities.[2].weeks",
                      (const char *const[]){"[11, 13]", "1..12", NULL});
    s_teardown (&fx);
}

Test (plan, phase_week_out_of_range)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *phases = "phases = (\n"
                         "    { name = \"planning\"; weeks = [0, 2]; },\n"
                         "    { name = \"execution\"; weeks = [3, 12]; }\n"
                         ");\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.phases = phases}), ERR_INVALID);
    s_expect_refused (&fx, "[0, 2]", "phases.[0].weeks", (const char *const[]){"[0, 2]", NULL});
    s_teardown (&fx);
}

Test (plan, overlapping_activities)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *activities = "activities = (\n"
                             "    { name = \"identify\"; weeks = [1, 2]; },\n"
                             "    { name = \"design\"; weeks = [2, 2]; },\n"
                             "    { name = \"execute\"; weeks = [3, 10]; },\n"
                             "    { name = \"wrap up\"; weeks = [11, 12]; }\n"
                             ");\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.activities = activities}),
                  ERR_INVALID);
    s_expect_refused (&fx, "\"design\"", "activities.[1]",
                      (const char *const[]){"start at 2", "week 3", NULL});
    s_teardown (&fx);
}

Test (plan, gap_between_activities)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *activities = "activities = (\n"
                             "    { name = \"identify\"; weeks = [1, 2]; },\n"
                             "    { name = \"execute\"; weeks = [4, 10]; },\n"
                             "    { name = \"wrap up\"; weeks = [11, 12]; }\n"
                             ");\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.activities = activities}),
                  ERR_INVALID);
    s_expect_refused (&fx, "\"execute\"", "activities.[1]",
                      (const char *const[]){"start at 4", "week 3", NULL});
    s_teardown (&fx);
}

Test (plan, activities_not_reaching_the_last_week)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *activities = "activities = ( { name = \"identify\"; weeks = [1, 2]; },\n"
                             "    { name = \"execute\"; weeks = [3, 10]; } );\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.activities = activities}),
                  ERR_INVALID);
    s_expect_refused (&fx, "activities = (", "activities",
                      (const char *const[]){"11..12", "not covered", NULL});
    s_teardown (&fx);
}

Test (plan, phases_not_covering_the_weeks)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *phases = "phases = ( { name = \"planning\"; weeks = [1, 2]; },\n"
                         "    { name = \"execution\"; weeks = [3, 10]; } );\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.phases = phases}), ERR_INVALID);
    s_expect_refused (&fx, "phases = (", "phases",
                      (const char *const[]){"11..12", "not covered", NULL});
    s_teardown (&fx);
}

Test (plan, activity_spanning_two_phases)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *activities = "activities = (\n"
                             "    { name = \"identify\"; weeks = [1, 3]; },\n"
                             "    { name = \"execute\"; weeks = [4, 10]; },\n"
                             "    { name = \"wrap up\"; weeks = [11, 12]; }\n"
                             ");\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.activities = activities}),
                  ERR_INVALID);
    s_expect_refused (&fx, "\"identify\"", "activities.[0]",
                      (const char *const[]){"'identify'", "spans two phases", NULL});
    s_teardown (&fx);
}

Test (plan, unknown_gate_criterion)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *activities = "activities = (\n"
                             "    { name = \"identify\"; weeks = [1, 2]; },\n"
                             "    { name = \"execute\"; weeks = [3, 10];\n"
                             "      gate = [\"portfolio_loaded\", \"portfolio_loadedd\"]; },\n"
                             "    { name = \"wrap up\"; weeks = [11, 12]; }\n"
                             ");\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.activities = activities}),
                  ERR_INVALID);
    s_expect_refused (&fx, "gate = [", "activities.[1].gate",
                      (const char *const[]){"'portfolio_loadedd'", "does not exist", NULL});
    s_teardown (&fx);
}

Test (plan, malformed_gate_criterion)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *activities = "activities = (\n"
                             "    { name = \"identify\"; weeks = [1, 2]; },\n"
                             "    { name = \"execute\"; weeks = [3, 10]; },\n"
                             "    { name = \"wrap up\"; weeks = [11, 12];\n"
                             "      gate = [\"tasks_done:\"]; }\n"
                             ");\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.activities = activities}),
                  ERR_INVALID);
    s_expect_refused (&fx, "gate = [", "activities.[2].gate",
                      (const char *const[]){"'tasks_done:'", NULL});
    s_teardown (&fx);
}

Test (plan, gate_criterion_must_be_a_string)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *activities = "activities = (\n"
                             "    { name = \"identify\"; weeks = [1, 2]; },\n"
                             "    { name = \"execute\"; weeks = [3, 10];\n"
                             "      gate = [42]; },\n"
                             "    { name = \"wrap up\"; weeks = [11, 12]; }\n"
                             ");\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.activities = activities}),
                  ERR_INVALID);
    s_expect_refused (&fx, "gate = [", "activities.[1].gate",
                      (const char *const[]){"item 1", NULL});
    s_teardown (&fx);
}

Test (plan, task_after_naming_a_later_task)
{
    s_fixture_t fx;
    s_setup (&fx);
    /*  identifier.qualification exists, but only in the next activity. */
    const char *activities =
        "activities = (\n"
        "    { name = \"identify\"; weeks = [1, 2]; tasks = (\n"
        "        { agent = \"customer-health-scorer\"; name = \"health.portfolio\";\n"
        "          after = [\"identifier.qualification\"]; }\n"
        "    ); },\n"
        "    { name = \"execute\"; weeks = [3, 10]; tasks = ( " TASK_QUALIFY " ); },\n"
        "    { name = \"wrap up\"; weeks = [11, 12]; }\n"
        ");\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.activities = activities}),
                  ERR_INVALID);
    s_expect_refused (&fx, "{ agent = \"customer-health-scorer\"", "activities.[0].tasks.[0]",
                      (const char *const[]){"'health.portfolio'",
                                            "waits for 'identifier.qualification'", NULL});
    s_teardown (&fx);
}

Test (plan, task_after_naming_no_task)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *activities =
        "activities = (\n"
        "    { name = \"identify\"; weeks = [1, 2]; tasks = ( " TASK_HEALTH " ); },\n"
        "    { name = \"execute\"; weeks = [3, 10]; tasks = (\n"
        "        { agent = \"retrospective-analyzer\"; name = \"retro.early\";\n"
        "          after = [\"health.portfolio\", \"health.portfolo\"]; }\n"
        "    ); },\n"
        "    { name = \"wrap up\"; weeks = [11, 12]; }\n"
        ");\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.activities = activities}),
                  ERR_INVALID);
    s_expect_refused (&fx, "{ agent = \"retrospective-analyzer\"", "activities.[1].tasks.[0]",
                      (const char *const[]){"waits for 'health.portfolo'", NULL});
    s_teardown (&fx);
}

Test (plan, task_after_itself)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *activities =
        "activities = (\n"
        "    { name = \"identify\"; weeks = [1, 2]; tasks = (\n"
        "        { agent = \"customer-health-scorer\"; name = \"health.portfolio\";\n"
        "          after = [\"health.portfolio\"]; }\n"
        "    ); },\n"
        "    { name = \"execute\"; weeks = [3, 10]; },\n"
        "    { name = \"wrap up\"; weeks = [11, 12]; }\n"
        ");\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.activities = activities}),
                  ERR_INVALID);
    s_expect_refused (&fx, "{ agent = \"customer-health-scorer\"", "activities.[0].tasks.[0]",
                      (const char *const[]){"waits for 'health.portfolio'", NULL});
    s_teardown (&fx);
}

/*  Two tasks of one activity each waiting for the other would never start: the
    campaign would hold at the next gate for ever. */
Test (plan, tasks_waiting_for_each_other)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *activities =
        "activities = (\n"
        "    { name = \"identify\"; weeks = [1, 2]; tasks = (\n"
        "        { agent = \"customer-health-scorer\"; name = \"health.portfolio\";\n"
        "          after = [\"identifier.portfolio_scan\"]; },\n"
        "        { agent = \"expansion-opportunity-identifier\";\n"
        "          name = \"identifier.portfolio_scan\"; after = [\"health.portfolio\"]; }\n"
        "    ); },\n"
        "    { name = \"execute\"; weeks = [3, 10]; },\n"
        "    { name = \"wrap up\"; weeks = [11, 12]; }\n"
        ");\n";
    int rc = s_load_sections (&fx, &(s_sections_t){.activities = activities});
    bool loaded = fx.plan != NULL;
    char msg[ERR_MSG_MAX];
    snprintf (msg, sizeof msg, "%s", fx.err.msg);
    s_teardown (&fx);
    cr_assert_eq (rc, ERR_INVALID, "a dependency cycle loads (rc %d, plan %s): %s", rc,
                  loaded ? "handed out" : "none", msg);
    cr_assert_not_null (strstr (msg, "plan.cfg:"), "%s", msg);
}

/*  A gate that waits for a task no activity starts (a typo) can never pass. */
Test (plan, gate_waiting_for_a_task_no_activity_starts)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *activities =
        "activities = (\n"
        "    { name = \"identify\"; weeks = [1, 2]; tasks = ( " TASK_HEALTH " ); },\n"
        "    { name = \"execute\"; weeks = [3, 10];\n"
        "      gate = [\"tasks_done:health.portfolo\"]; },\n"
        "    { name = \"wrap up\"; weeks = [11, 12]; }\n"
        ");\n";
    int rc = s_load_sections (&fx, &(s_sections_t){.activities = activities});
    char msg[ERR_MSG_MAX];
    snprintf (msg, sizeof msg, "%s", fx.err.msg);
    s_teardown (&fx);
    cr_assert_eq (rc, ERR_INVALID,
                  "gate tasks_done:health.portfolo (no such task in the plan) is accepted: "
                  "rc %d %s",
                  rc, msg);
    cr_assert_not_null (strstr (msg, "health.portfolo"), "%s", msg);
}

Test (plan, unknown_submission_kind_in_windows)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *windows = "windows = {\n"
                          "    note = [3, 12];\n"
                          "    notes = [3, 12];\n"
                          "};\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.windows = windows}), ERR_INVALID);
    s_expect_refused (&fx, "notes =", "windows.notes",
                      (const char *const[]){"'notes' is not a submission kind", NULL});
    s_teardown (&fx);
}

/*  A typo in the global file's windows must not hide behind a regional layer that has a
    windows group of its own. */
Test (plan, unknown_submission_kind_in_a_lower_layer)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *windows = "windows = {\n"
                          "    note = [3, 12];\n"
                          "    notes = [3, 12];\n"
                          "};\n";
    fx.text = s_text (&(s_sections_t){.windows = windows});
    fx.path = ts_write_file (fx.dir, "plan.cfg", fx.text);
    char *region = ts_write_file (fx.dir, "region.cfg", "windows = { outcome = [3, 13]; };\n");
    cr_assert_eq (conf_load_file (fx.conf, fx.path, &fx.err), 0, "%s", fx.err.msg);
    cr_assert_eq (conf_load_file (fx.conf, region, &fx.err), 0, "%s", fx.err.msg);
    free (region);
    int rc = plan_load (fx.conf, 12, fx.kinds, &fx.plan, &fx.err);
    char msg[ERR_MSG_MAX];
    snprintf (msg, sizeof msg, "%s", fx.err.msg);
    int line = s_line_of (fx.text, "notes =");
    s_teardown (&fx);
    cr_assert_eq (rc, ERR_INVALID,
                  "windows.notes in the lower layer is accepted when the upper layer has a "
                  "windows group (rc %d)",
                  rc);
    char place[64];
    snprintf (place, sizeof place, "plan.cfg:%d", line);
    cr_assert_not_null (strstr (msg, place), "%s", msg);
    cr_assert_not_null (strstr (msg, "'notes'"), "%s", msg);
}

Test (plan, window_out_of_range)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *windows = "windows = {\n"
                          "    targets = [0, 2];\n"
                          "    note = [3, 14];\n"
                          "};\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.windows = windows}), ERR_INVALID);
    s_expect_refused (&fx, "note = [3, 14]", "windows.note",
                      (const char *const[]){"[3, 14]", "0..13", NULL});
    s_teardown (&fx);
}

Test (plan, window_before_week_zero)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *windows = "windows = {\n"
                          "    targets = [-1, 2];\n"
                          "};\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.windows = windows}), ERR_INVALID);
    s_expect_refused (&fx, "targets = [-1, 2]", "windows.targets",
                      (const char *const[]){"[-1, 2]", NULL});
    s_teardown (&fx);
}

Test (plan, window_backwards)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *windows = "windows = {\n"
                          "    retro = [12, 11];\n"
                          "};\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.windows = windows}), ERR_INVALID);
    s_expect_refused (&fx, "retro =", "windows.retro", (const char *const[]){"[12, 11]", NULL});
    s_teardown (&fx);
}

Test (plan, window_not_a_pair)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *windows = "windows = {\n"
                          "    retro = \"week 12\";\n"
                          "};\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.windows = windows}), ERR_INVALID);
    s_expect_refused (&fx, "retro =", "windows.retro", NULL);
    s_teardown (&fx);
}

Test (plan, stages_not_ending_with_the_closed_ones)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *pipeline =
        "pipeline = {\n"
        "    stages = [\"identified\", \"qualified\", \"closed-lost\", \"closed-won\"];\n"
        "};\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.pipeline = pipeline}), ERR_INVALID);
    s_expect_refused (&fx, "stages =", "pipeline.stages",
                      (const char *const[]){"closed-won", "closed-lost", NULL});
    s_teardown (&fx);
}

Test (plan, stages_without_an_open_stage)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *pipeline = "pipeline = {\n"
                           "    stages = [\"closed-won\", \"closed-lost\"];\n"
                           "};\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.pipeline = pipeline}), ERR_INVALID);
    s_expect_refused (&fx, "stages =", "pipeline.stages",
                      (const char *const[]){"open stage", NULL});
    s_teardown (&fx);
}

Test (plan, batch_zero)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *activities =
        "activities = (\n"
        "    { name = \"identify\"; weeks = [1, 2]; tasks = (\n"
        "        { agent = \"customer-health-scorer\"; name = \"health.portfolio\";\n"
        "          per_account = true; batch = 0; }\n"
        "    ); },\n"
        "    { name = \"execute\"; weeks = [3, 10]; },\n"
        "    { name = \"wrap up\"; weeks = [11, 12]; }\n"
        ");\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.activities = activities}),
                  ERR_INVALID);
    s_expect_refused (&fx, "batch = 0", "activities.[0].tasks.[0].batch",
                      (const char *const[]){"batch must be a whole number >= 1", NULL});
    s_teardown (&fx);
}

/*  The task flags other than per_account (below): a value that is not a boolean is
    refused, naming the flag. */
Test (plan, task_flags_not_booleans)
{
    const char *flags[][2] = {{"weekly", "1"}, {"whole", "\"yes\""}};
    for (size_t f = 0; f < 2; f++) {
        s_fixture_t fx;
        s_setup (&fx);
        char activities[512], line[64], setting[64], message[64];
        snprintf (line, sizeof line, "%s = %s", flags[f][0], flags[f][1]);
        snprintf (activities, sizeof activities,
                  "activities = (\n"
                  "    { name = \"identify\"; weeks = [1, 2]; tasks = (\n"
                  "        { agent = \"customer-health-scorer\"; name = \"health.portfolio\";\n"
                  "          %s; }\n"
                  "    ); },\n"
                  "    { name = \"execute\"; weeks = [3, 10]; },\n"
                  "    { name = \"wrap up\"; weeks = [11, 12]; }\n"
                  ");\n",
                  line);
        snprintf (setting, sizeof setting, "activities.[0].tasks.[0].%s", flags[f][0]);
        snprintf (message, sizeof message, "%s must be true or false", flags[f][0]);
        cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.activities = activities}),
                      ERR_INVALID);
        s_expect_refused (&fx, line, setting, (const char *const[]){message, NULL});
        s_teardown (&fx);
    }
}

/*  A per_account that is not a boolean must not silently make a per-account task run
    over the whole portfolio as one. */
Test (plan, per_account_not_a_boolean)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *activities =
        "activities = (\n"
        "    { name = \"identify\"; weeks = [1, 2]; tasks = (\n"
        "        { agent = \"customer-health-scorer\"; name = \"health.portfolio\";\n"
        "          per_account = \"true\"; batch = 100; }\n"
        "    ); },\n"
        "    { name = \"execute\"; weeks = [3, 10]; },\n"
        "    { name = \"wrap up\"; weeks = [11, 12]; }\n"
        ");\n";
    int rc = s_load_sections (&fx, &(s_sections_t){.activities = activities});
    bool per_account = fx.plan && plan_activity (fx.plan, 0)->tasks[0].per_account;
    char msg[ERR_MSG_MAX];
    snprintf (msg, sizeof msg, "%s", fx.err.msg);
    s_teardown (&fx);
    cr_assert_eq (rc, ERR_INVALID,
                  "per_account = \"true\" is accepted (rc %d) and read as per_account = %s", rc,
                  per_account ? "true" : "false");
    cr_assert_not_null (strstr (msg, "per_account"), "%s", msg);
}

Test (plan, task_without_a_name)
{
    s_fixture_t fx;
    s_setup (&fx);
    const char *activities = "activities = (\n"
                             "    { name = \"identify\"; weeks = [1, 2]; tasks = (\n"
                             "        { agent = \"customer-health-scorer\"; name = \"\"; }\n"
                             "    ); },\n"
                             "    { name = \"execute\"; weeks = [3, 10]; },\n"
                             "    { name = \"wrap up\"; weeks = [11, 12]; }\n"
                             ");\n";
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.activities = activities}),
                  ERR_INVALID);
    s_expect_refused (&fx, "name = \"\"", "activities.[0].tasks.[0].name",
                      (const char *const[]){"non-empty string", NULL});
    s_teardown (&fx);
}

Test (plan, missing_phases_or_activities)
{
    s_fixture_t fx;
    s_setup (&fx);
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.phases = "# none\n"}), ERR_INVALID);
    cr_assert_null (fx.plan);
    cr_assert_not_null (strstr (fx.err.msg, "'phases' is required"), "%s", fx.err.msg);
    s_teardown (&fx);

    s_setup (&fx);
    cr_assert_eq (s_load_sections (&fx, &(s_sections_t){.activities = "activities = ();\n"}),
                  ERR_INVALID);
    cr_assert_null (fx.plan);
    s_expect_refused (&fx, "activities = ()", "activities",
                      (const char *const[]){"non-empty list", NULL});
    s_teardown (&fx);
}

Test (plan, destroy_is_null_safe)
{
    plan_t *plan = NULL;
    plan_destroy (&plan);
    plan_destroy (NULL);
    cr_assert_null (plan);
}

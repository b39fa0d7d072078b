/*  dashboard_test.c: dashboard.html in a real browser (issue 7, item 3).

    The demo's path at small size (campaign-gen's 200 accounts, the fleet from the
    bundled configuration, campaign-sim for 12 weeks) with campaign-report run twice:
    before the campaign has any data (the page says what is missing) and at the end.
    Then headless Chromium (Debian's chromium, which scripts/setup installs) renders the
    page: --dump-dom gives the DOM it built, whose charts must carry the figures this
    test computes on its own from pipeline.json, snapshot.json and the segmentation
    analyst's JSON; --screenshot saves a PNG under the build directory (its path is
    printed). The page must name no external resource.

    Only when no chromium can be found is the test skipped, saying so. The fleet
    daemonizes, out of reach of the fixture's teardown: after `start`, this test only
    uses non-fatal expectations, so it always reaches `stop`. */
#include "test_support.h"

#include "calendar.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

TS_SUITE (dashboard);

#define S_BROWSER_MS 90000 /* one chromium run: a few seconds, bounded generously */

/*  $CHROMIUM, else chromium (or chromium-browser, google-chrome) on PATH; malloc'd or
    NULL. */
static char *
s_find_chromium (void)
{
    const char *env = getenv ("CHROMIUM");
    if (env && *env && access (env, X_OK) == 0)
        return strdup (env);
    static const char *const names[] = {"chromium", "chromium-browser", "google-chrome", NULL};
    const char *path = getenv ("PATH");
    char *dirs = strdup (path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
    char *found = NULL;
    for (int n = 0; names[n] && !found; n++) {
        char *copy = strdup (dirs);
        char *save = NULL;
        for (char *dir = strtok_r (copy, ":", &save); dir && !found;
             dir = strtok_r (NULL, ":", &save)) {
            char *candidate = NULL;
            if (asprintf (&candidate, "%s/%s", dir, names[n]) > 0 &&
                access (candidate, X_OK) == 0)
                found = candidate;
            else
                free (candidate);
        }
        free (copy);
    }
    free (dirs);
    return found;
}

/*  Run chromium headless on a file; returns its exit code, stdout in *out. */
static int
s_chromium (const char *chromium, const char *profile, const char *action, const char *file,
            char **out, long long *elapsed_ms)
{
    char *user_data = NULL, *url = NULL;
    cr_assert (asprintf (&user_data, "--user-data-dir=%s", profile) > 0);
    cr_assert (asprintf (&url, "file://%s", file) > 0);
    char *argv[] = {(char *)chromium,
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                    "--disable-extensions",
                    "--window-size=1280,2400",
                    user_data,
                    (char *)action,
                    url,
                    NULL};
    char *err = NULL;
    long long start = ts_now_ms ();
    int rc = ts_run (argv, S_BROWSER_MS, out, &err);
    *elapsed_ms = ts_now_ms () - start;
    if (rc != 0)
        cr_log_error ("chromium %s exited %d: %s", action, rc, err ? err : "");
    free (err);
    free (user_data);
    free (url);
    return rc;
}

/*  Expect the text to contain the formatted needle. */
static void
s_expect_has (const char *text, const char *what, const char *format, ...)
{
    char needle[1024];
    va_list args;
    va_start (args, format);
    vsnprintf (needle, sizeof needle, format, args);
    va_end (args);
    cr_expect (text && strstr (text, needle), "%s: the page lacks %s", what, needle);
}

static char *
s_path (const char *dir, const char *name)
{
    char *path = NULL;
    cr_assert (asprintf (&path, "%s/%s", dir, name) > 0);
    return path;
}

static json_t *
s_json (const char *dir, const char *name)
{
    char *path = s_path (dir, name);
    json_error_t jerr;
    json_t *root = json_load_file (path, 0, &jerr);
    cr_expect (root, "%s: %s", path, jerr.text);
    free (path);
    return root;
}

/*  The page stands alone: nothing it would fetch. */
static void
s_expect_self_contained (const char *html)
{
    static const char *const banned[] = {"http://", "https://", "src=",  "href=", "<script",
                                         "url(",    "@import",  "<link", "//cdn", NULL};
    for (int i = 0; banned[i]; i++)
        cr_expect (!strstr (html, banned[i]), "dashboard.html refers outside itself: '%s'",
                   banned[i]);
}

/*  The funnel, stage-by-type cells, tiers and won ARR per week, from pipeline.json. */
static void
s_expect_pipeline (const char *dom, json_t *pipeline, int32_t start_day)
{
    static const char *const stages[] = {"identified", "qualified",  "discovery", "demo",
                                         "trial",      "pilot",      "proposal",  "negotiation",
                                         "closed-won", "closed-lost"};
    static const char *const types[] = {"seat", "tier", "cross-sell", "geo"};
    double won_by_week[13] = {0}, won_arr = 0;
    unsigned long long tier_all[4] = {0}, tier_closed[4] = {0}, tier_won[4] = {0}, won = 0;
    for (size_t s = 0; s < sizeof stages / sizeof *stages; s++) {
        unsigned long long count = 0, cell_count[4] = {0};
        double arr = 0, cell_arr[4] = {0};
        size_t i;
        json_t *o;
        json_array_foreach (pipeline, i, o)
        {
            if (strcmp (json_string_value (json_object_get (o, "stage")), stages[s]) != 0)
                continue;
            double potential = json_number_value (json_object_get (o, "potential_arr"));
            count++;
            arr += potential;
            const char *type = json_string_value (json_object_get (o, "type"));
            for (size_t t = 0; t < 4; t++)
                if (type && strcmp (type, types[t]) == 0) {
                    cell_count[t]++;
                    cell_arr[t] += potential;
                }
        }
        s_expect_has (dom, "funnel", "data-stage=\"%s\" data-count=\"%llu\" data-arr=\"%.0f\"",
                      stages[s], count, arr);
        for (size_t t = 0; t < 4; t++)
            s_expect_has (dom, "stage by type",
                          "<td data-stage=\"%s\" data-type=\"%s\" data-count=\"%llu\" "
                          "data-arr=\"%.0f\"",
                          stages[s], types[t], cell_count[t], cell_arr[t]);
    }
    size_t i;
    json_t *o;
    json_array_foreach (pipeline, i, o)
    {
        const char *stage = json_string_value (json_object_get (o, "stage"));
        json_int_t tier = json_integer_value (json_object_get (o, "tier"));
        if (tier < 1 || tier > 3)
            tier = 0;
        tier_all[tier]++;
        bool is_won = strcmp (stage, "closed-won") == 0;
        if (is_won || strcmp (stage, "closed-lost") == 0)
            tier_closed[tier]++;
        if (!is_won)
            continue;
        tier_won[tier]++;
        won++;
        json_t *amount = json_object_get (o, "amount");
        double value = amount ? json_number_value (amount)
                              : json_number_value (json_object_get (o, "potential_arr"));
        won_arr += value;
        int32_t day = 0;
        cr_expect_eq (date_parse (json_string_value (json_object_get (o, "closed")), &day), 0,
                      "a won deal has a closed date");
        int week = day < start_day ? 1 : (day - start_day) / 7 + 1;
        won_by_week[week > 12 ? 12 : week] += value;
    }
    cr_expect_gt (won, 0, "the campaign won deals");
    s_expect_has (dom, "won ARR", "id=\"figure-won-arr\" data-value=\"%.0f\"", won_arr);
    double cumulative = 0;
    for (int w = 1; w <= 12; w++) {
        cumulative += won_by_week[w];
        s_expect_has (dom, "won ARR by week",
                      "data-series=\"won\" data-week=\"%d\" data-value=\"%.0f\"", w,
                      cumulative);
    }
    for (int t = 1; t <= 3; t++) {
        char rate[32] = "";
        if (tier_closed[t])
            snprintf (rate, sizeof rate, "%.3f", (double)tier_won[t] / (double)tier_closed[t]);
        s_expect_has (dom, "conversion by tier",
                      "data-tier=\"%d\" data-opportunities=\"%llu\" data-closed=\"%llu\" "
                      "data-won=\"%llu\" data-rate=\"%s\"",
                      t, tier_all[t], tier_closed[t], tier_won[t], rate);
    }
}

/*  Header, target, forecast points, handoffs and gate history, from snapshot.json. */
static void
s_expect_snapshot (const char *dom, json_t *snap)
{
    s_expect_has (dom, "header", "data-week=\"%d\"",
                  (int)json_integer_value (json_object_get (snap, "week")));
    s_expect_has (dom, "header", "data-held=\"%s\"",
                  json_is_true (json_object_get (snap, "held")) ? "yes" : "no");
    json_t *targets = json_object_get (snap, "targets");
    cr_expect (targets, "snapshot.json has the targets");
    double goal = json_number_value (json_object_get (targets, "arr_goal"));
    s_expect_has (dom, "target", "data-series=\"target\" data-value=\"%.0f\"", goal);
    /*  The forecast: the last in-campaign expectation and band of each week it ran. */
    const char *names[3] = {"forecast.expected_in_campaign", "forecast.in_campaign_p10",
                            "forecast.in_campaign_p90"};
    double values[3][13] = {{0}};
    bool has[13] = {false};
    size_t i;
    json_t *point;
    json_array_foreach (json_object_get (snap, "fact_history"), i, point)
    {
        const char *name = json_string_value (json_object_get (point, "name"));
        json_int_t week = json_integer_value (json_object_get (point, "week"));
        for (int k = 0; k < 3; k++)
            if (strcmp (name, names[k]) == 0) {
                cr_assert (week >= 1 && week <= 12);
                values[k][week] = json_number_value (json_object_get (point, "number"));
                has[week] |= k == 0;
            }
    }
    int forecasts = 0;
    for (int w = 1; w <= 12; w++)
        if (has[w]) {
            s_expect_has (dom, "forecast",
                          "data-series=\"forecast\" data-week=\"%d\" data-value=\"%.0f\" "
                          "data-p10=\"%.0f\" data-p90=\"%.0f\"",
                          w, values[0][w], values[1][w], values[2][w]);
            cr_expect_leq (values[1][w], values[0][w], "week %d: p10 <= expected", w);
            cr_expect_geq (values[2][w], values[0][w], "week %d: p90 >= expected", w);
            forecasts++;
        }
    cr_expect_gt (forecasts, 0, "the forecast of weeks 8-10 is in the fact history");
    const char *team;
    json_t *open;
    json_t *handoffs = json_object_get (snap, "handoffs");
    json_object_foreach (handoffs, team, open)
        s_expect_has (dom, "handoffs", "data-team=\"%s\" data-open=\"%lld\"", team,
                      (long long)json_integer_value (open));
    if (!json_object_size (handoffs))
        s_expect_has (dom, "handoffs", "No handoff is open.");
    json_t *gates = json_object_get (snap, "gates");
    cr_expect_geq (json_array_size (gates), 6, "the gate history is in snapshot.json");
    json_t *gate;
    json_array_foreach (gates, i, gate)
        s_expect_has (dom, "gate history",
                      "data-activity=\"%s\" data-due=\"%s\" data-passed=\"%s\" "
                      "data-held-days=\"%lld\" data-override=\"%s\"",
                      json_string_value (json_object_get (gate, "activity")),
                      json_string_value (json_object_get (gate, "due")),
                      json_string_value (json_object_get (gate, "passed")),
                      (long long)json_integer_value (json_object_get (gate, "held_days")),
                      json_object_get (gate, "override_by") ? "yes" : "no");
}

/*  The calibration chart, from the segmentation analyst's week-11 JSON. */
static void
s_expect_calibration (const char *dom, json_t *cohorts)
{
    json_t *accuracy = json_object_get (cohorts, "propensity_accuracy");
    json_t *bins = json_object_get (accuracy, "calibration");
    cr_expect_gt (json_array_size (bins), 0, "the cohort performance has a calibration");
    s_expect_has (dom, "calibration", "data-auc=\"%.4f\" data-brier=\"%.4f\"",
                  json_number_value (json_object_get (accuracy, "auc")),
                  json_number_value (json_object_get (accuracy, "brier")));
    size_t i;
    json_t *bin;
    json_array_foreach (bins, i, bin)
        s_expect_has (dom, "calibration",
                      "data-bin=\"%lld\" data-deals=\"%lld\" data-won=\"%lld\" "
                      "data-predicted=\"%.3f\" data-observed=\"%.3f\"",
                      (long long)json_integer_value (json_object_get (bin, "bin")),
                      (long long)json_integer_value (json_object_get (bin, "deals")),
                      (long long)json_integer_value (json_object_get (bin, "won")),
                      json_number_value (json_object_get (bin, "mean_predicted")),
                      json_number_value (json_object_get (bin, "observed_rate")));
}

/*  The PNG is there, 1280 x 2400, and not a blank page's few bytes. */
static void
s_expect_png (const char *path)
{
    struct stat st;
    cr_expect_eq (stat (path, &st), 0, "no screenshot at %s", path);
    cr_expect_gt (st.st_size, 30000, "the screenshot %s is only %lld bytes", path,
                  (long long)st.st_size);
    FILE *file = fopen (path, "rb");
    unsigned char head[24] = {0};
    size_t got = file ? fread (head, 1, sizeof head, file) : 0;
    if (file)
        fclose (file);
    cr_expect (got == sizeof head && memcmp (head, "\x89PNG\r\n\x1a\n", 8) == 0,
               "%s is not a PNG", path);
    unsigned width = (unsigned)head[16] << 24 | head[17] << 16 | head[18] << 8 | head[19];
    unsigned height = (unsigned)head[20] << 24 | head[21] << 16 | head[22] << 8 | head[23];
    cr_expect (width == 1280 && height == 2400, "screenshot is %ux%u", width, height);
}

Test (dashboard, renders_in_chromium_with_the_campaigns_figures, .timeout = 500)
{
    char *chromium = s_find_chromium ();
    if (!chromium)
        cr_skip_test ("chromium not found (set CHROMIUM or install Debian's chromium: "
                      "scripts/setup does): dashboard.html was not rendered");
    ts_broker_t broker;
    /*  The fixture writes the configuration layers; the fleet runs its own broker. */
    cr_assert_eq (ts_broker_start (&broker, "log = { level = \"info\"; };\n"
                                            "roles = { enforce = true; };\n"),
                  0);
    cr_assert_eq (ts_broker_signal (&broker, SIGTERM), 0);
    char *data = s_path (broker.dir, "data");
    char *reports = s_path (broker.dir, "reports");
    char *profile = s_path (broker.dir, "chromium-profile");
    char *dashboard = s_path (reports, "dashboard.html");
    char *gen = ts_bin ("campaign-gen");
    char *gen_argv[] = {gen, "--accounts", "200", "--seed", "3", "--out", data, NULL};
    cr_assert_eq (ts_run (gen_argv, 60000, NULL, NULL), 0);

    char *out = NULL, *err = NULL, *early = NULL, *html = NULL;
    int rc = ts_tool (&broker, &out, &err, "campaign-fleet", "start", NULL);
    cr_expect_eq (rc, 0, "start: %s %s", out, err);
    free (out);
    free (err);
    if (rc == 0) {
        /*  On demand before anything exists: a page that says what is missing. */
        rc = ts_tool (&broker, &out, &err, "campaign-report", NULL);
        cr_expect_eq (rc, 0, "early report: %s", err);
        free (out);
        free (err);
        early = ts_read_file (dashboard);
        rc = ts_tool (&broker, &out, &err, "campaign-sim", "--seed", "3", "--data", data,
                      "--quiet", NULL);
        cr_expect_eq (rc, 0, "sim: %s", err);
        free (out);
        free (err);
        rc = ts_tool (&broker, &out, &err, "campaign-report", NULL);
        cr_expect_eq (rc, 0, "report: %s", err);
        cr_expect (out && strstr (out, "dashboard.html"), "%s", out);
        free (out);
        free (err);
        html = ts_read_file (dashboard);
    }
    rc = ts_tool (&broker, &out, &err, "campaign-fleet", "stop", NULL);
    cr_expect_eq (rc, 0, "stop: %s %s", out, err);
    free (out);
    free (err);

    cr_assert (early, "no early dashboard.html");
    s_expect_has (early, "early", "No opportunities yet");
    s_expect_has (early, "early", "Not yet measured");
    s_expect_has (early, "early", "Nothing to draw yet");
    s_expect_has (early, "early", "No tiered deal has closed yet.");
    s_expect_self_contained (early);
    cr_assert (html, "no dashboard.html at %s", dashboard);
    s_expect_self_contained (html);
    printf ("dashboard.html: %zu bytes\n", strlen (html));

    /*  What the browser built from it. */
    char *dom = NULL;
    long long dom_ms = 0, shot_ms = 0;
    cr_expect_eq (s_chromium (chromium, profile, "--dump-dom", dashboard, &dom, &dom_ms), 0);
    cr_assert (dom && strstr (dom, "</html>"), "chromium gave no DOM");
    static const char *const ids[] = {"summary",          "chart-funnel",
                                      "chart-stage-type", "table-stage-type",
                                      "chart-forecast",   "table-forecast",
                                      "chart-tier",       "chart-calibration",
                                      "table-gates",      NULL};
    for (int i = 0; ids[i]; i++)
        s_expect_has (dom, "charts", "id=\"%s\"", ids[i]);
    json_t *pipeline = s_json (reports, "pipeline.json");
    json_t *snap = s_json (reports, "snapshot.json");
    json_t *cohorts = s_json (reports, "segmentation.cohort_performance.json");
    int32_t start_day = 0;
    cr_assert_eq (date_parse ("2026-10-05", &start_day), 0);
    if (pipeline)
        s_expect_pipeline (dom, pipeline, start_day);
    if (snap)
        s_expect_snapshot (dom, snap);
    if (cohorts)
        s_expect_calibration (dom, cohorts);

    /*  The screenshot, kept under the build directory for people to look at. */
    char *shots = s_path (CAMPAIGN_BUILD_DIR, "test-output");
    cr_assert (mkdir (shots, 0755) == 0 || errno == EEXIST, "%s: %s", shots, strerror (errno));
    char *png = s_path (shots, "dashboard.png");
    char *action = NULL;
    cr_assert (asprintf (&action, "--screenshot=%s", png) > 0);
    remove (png);
    cr_expect_eq (s_chromium (chromium, profile, action, dashboard, NULL, &shot_ms), 0);
    s_expect_png (png);
    char *copy = s_path (shots, "dashboard.html");
    FILE *file = fopen (copy, "w");
    if (file) {
        fputs (html, file);
        fclose (file);
    }
    printf ("dashboard screenshot: %s (page: %s); chromium: DOM in %lld ms, screenshot in "
            "%lld ms\n",
            png, copy, dom_ms, shot_ms);
    fflush (stdout);

    json_decref (pipeline);
    json_decref (snap);
    json_decref (cohorts);
    free (copy);
    free (action);
    free (png);
    free (shots);
    free (dom);
    free (html);
    free (early);
    free (gen);
    free (dashboard);
    free (profile);
    free (reports);
    free (data);
    free (chromium);
    ts_broker_cleanup (&broker);
}

/*  dashboard_test.c: campaign-report's dashboard module on hand-made inputs: a page
    before any data, the figures behind each chart, the retrospective section, and
    escaping of every text that comes from data. (dashboard_test in integration/ renders
    a real campaign's page in Chromium.) */
#include "test_support.h"

#include "calendar.h"
#include "dashboard.h"

#include <stdlib.h>
#include <string.h>

TS_SUITE (dashboard_page);

static char *
s_render (const dashboard_input_t *input)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    cr_assert (out);
    err_t err;
    cr_expect_eq (dashboard_render (out, input, &err), 0, "%s", err.msg);
    fclose (out);
    return text;
}

static void
s_expect_has (const char *page, const char *needle)
{
    cr_expect (strstr (page, needle), "the page lacks: %s", needle);
}

static dashboard_input_t
s_input (const Campaign__Snapshot *snap)
{
    static const char *const stages[] = {"identified", "qualified",   "proposal",
                                         "closed-won", "closed-lost", NULL};
    dashboard_input_t input = {.snapshot = snap, .stages = stages, .weeks = 12};
    cr_assert_eq (date_parse ("2026-10-05", &input.start_day), 0);
    return input;
}

Test (dashboard_page, before_any_data_says_what_is_missing)
{
    Campaign__Snapshot snap = CAMPAIGN__SNAPSHOT__INIT;
    snap.campaign = "q4";
    snap.date = "2026-10-05";
    snap.week = 1;
    dashboard_input_t input = s_input (&snap);
    input.reports_dir = "/nonexistent";
    char *page = s_render (&input);
    s_expect_has (page, "<!DOCTYPE html>");
    s_expect_has (page, "No opportunities yet");
    s_expect_has (page, "Nothing to draw yet");
    s_expect_has (page, "No tiered deal has closed yet.");
    s_expect_has (page, "Not yet measured");
    s_expect_has (page, "No handoff is open.");
    s_expect_has (page, "No gate has been reached yet.");
    s_expect_has (page, "data-held=\"no\"");
    cr_expect (!strstr (page, "id=\"retrospective\""), "no retrospective without its JSON");
    cr_expect (!strstr (page, "http"), "the page names nothing outside itself");
    free (page);
}

static Campaign__Opportunity
s_opportunity (const char *id, const char *type, const char *stage, unsigned tier,
               double potential, const char *closed, double amount)
{
    Campaign__Opportunity o = CAMPAIGN__OPPORTUNITY__INIT;
    o.opportunity_id = (char *)id;
    o.account_id = "A-1";
    o.type = (char *)type;
    o.stage = (char *)stage;
    o.tier = tier;
    o.potential_arr = potential;
    o.closed = (char *)closed;
    if (amount > 0) {
        o.has_amount = 1;
        o.amount = amount;
    }
    return o;
}

Test (dashboard_page, charts_carry_their_figures)
{
    char *dir = ts_tempdir ();
    char *path = ts_write_file (
        dir, "segmentation.cohort_performance.json",
        "{\"propensity_accuracy\": {\"auc\": 0.8123, \"brier\": 0.1712, \"ece\": 0.05,"
        " \"calibration\": [{\"bin\": 1, \"deals\": 4, \"won\": 3, \"score_min\": 70,"
        " \"score_max\": 90, \"mean_predicted\": 0.8, \"observed_rate\": 0.75}]}}");
    free (path);
    path = ts_write_file (dir, "retrospective.run.json",
                          "{\"summary\": \"Tier 1 <closed> well\", \"start\": [\"earlier AE "
                          "handoffs\"], \"stop\": [{\"text\": \"cold geo plays\"}]}");
    free (path);
    Campaign__Opportunity o[4] = {
        s_opportunity ("O-1", "seat", "closed-won", 1, 1000, "2026-10-20", 1200),
        s_opportunity ("O-2", "tier", "closed-won", 2, 5000, "2026-11-30", 0),
        s_opportunity ("O-3", "seat", "closed-lost", 1, 700, "2026-11-01", 0),
        s_opportunity ("O-4", "geo", "proposal", 3, 300, NULL, 0)};
    Campaign__Opportunity *list[4] = {&o[0], &o[1], &o[2], &o[3]};
    /*  Drawn: the in-campaign forecast; the all-open figure only in the table. */
    Campaign__FactPoint p[4] = {CAMPAIGN__FACT_POINT__INIT, CAMPAIGN__FACT_POINT__INIT,
                                CAMPAIGN__FACT_POINT__INIT, CAMPAIGN__FACT_POINT__INIT};
    const char *names[4] = {"forecast.expected_in_campaign", "forecast.in_campaign_p10",
                            "forecast.expected_in_campaign", "forecast.expected_arr"};
    double numbers[4] = {9000, 4000, 9500, 12345};
    uint32_t weeks[4] = {8, 8, 9, 8};
    Campaign__FactPoint *points[4];
    for (int i = 0; i < 4; i++) {
        p[i].name = (char *)names[i];
        p[i].number = numbers[i];
        p[i].week = weeks[i];
        points[i] = &p[i];
    }
    Campaign__Targets targets = CAMPAIGN__TARGETS__INIT;
    targets.arr_goal = 10000;
    Campaign__Count sales = CAMPAIGN__COUNT__INIT;
    sales.name = "sales";
    sales.count = 2;
    sales.oldest_days = 4;
    Campaign__Count *handoffs[1] = {&sales};
    Campaign__Snapshot snap = CAMPAIGN__SNAPSHOT__INIT;
    snap.campaign = "q4";
    snap.date = "2026-12-02";
    snap.week = 9;
    snap.held = true;
    snap.next_activity = "negotiation and close";
    snap.targets = &targets;
    snap.n_fact_history = 4;
    snap.fact_history = points;
    snap.n_handoffs = 1;
    snap.handoffs = handoffs;
    dashboard_input_t input = s_input (&snap);
    input.opportunities = list;
    input.n_opportunities = 4;
    input.reports_dir = dir;
    char *page = s_render (&input);
    s_expect_has (page, "data-held=\"yes\"");
    s_expect_has (page, "data-stage=\"closed-won\" data-count=\"2\" data-arr=\"6000\"");
    s_expect_has (page, "data-stage=\"qualified\" data-count=\"0\" data-arr=\"0\"");
    s_expect_has (page, "<td data-stage=\"closed-won\" data-type=\"seat\" data-count=\"1\" "
                        "data-arr=\"1000\"");
    /*  Won ARR: the amount when there is one (1,200 in week 3), else the potential
        (5,000 in week 9); cumulative, drawn up to the current week. */
    s_expect_has (page, "id=\"figure-won-arr\" data-value=\"6200\"");
    s_expect_has (page, "data-series=\"won\" data-week=\"2\" data-value=\"0\"");
    s_expect_has (page, "data-series=\"won\" data-week=\"3\" data-value=\"1200\"");
    s_expect_has (page, "data-series=\"won\" data-week=\"9\" data-value=\"6200\"");
    cr_expect (!strstr (page, "data-series=\"won\" data-week=\"10\""), "no future weeks");
    s_expect_has (page, "data-series=\"target\" data-value=\"10000\"");
    s_expect_has (page, "data-series=\"forecast\" data-week=\"8\" data-value=\"9000\" "
                        "data-p10=\"4000\"");
    s_expect_has (page, "data-series=\"forecast\" data-week=\"9\" data-value=\"9500\"");
    cr_expect (!strstr (page, "data-value=\"12345\""), "the all-open figure is not drawn");
    s_expect_has (page, "<td>$4,000</td><td></td><td>$12,345</td>");
    s_expect_has (page, "data-tier=\"1\" data-opportunities=\"2\" data-closed=\"2\" "
                        "data-won=\"1\" data-rate=\"0.500\"");
    s_expect_has (page, "data-tier=\"3\" data-opportunities=\"1\" data-closed=\"0\" "
                        "data-won=\"0\" data-rate=\"\"");
    s_expect_has (page, "data-auc=\"0.8123\" data-brier=\"0.1712\"");
    s_expect_has (page, "data-bin=\"1\" data-deals=\"4\" data-won=\"3\" "
                        "data-predicted=\"0.800\" data-observed=\"0.750\"");
    s_expect_has (page, "data-team=\"sales\" data-open=\"2\" data-oldest-days=\"4\"");
    s_expect_has (page, "id=\"retrospective\"");
    s_expect_has (page, "Tier 1 &lt;closed&gt; well");
    s_expect_has (page, "<li>cold geo plays</li>");
    free (page);
    ts_tempdir_remove (&dir);
}

Test (dashboard_page, text_from_data_is_escaped)
{
    Campaign__Opportunity o = s_opportunity ("O-1", "\"><img onerror=x>",
                                             "<script>alert(1)</script>", 1, 10, NULL, 0);
    Campaign__Opportunity *list[1] = {&o};
    Campaign__GateRecord gate = CAMPAIGN__GATE_RECORD__INIT;
    gate.activity = "design & <b>";
    gate.due = "2026-10-12";
    gate.passed = "2026-10-13";
    gate.override_by = "LEAD-01";
    gate.override_reason = "'quoted' \"reason\"";
    Campaign__GateRecord *gates[1] = {&gate};
    Campaign__Snapshot snap = CAMPAIGN__SNAPSHOT__INIT;
    snap.campaign = "<q4>";
    snap.date = "2026-10-13";
    snap.week = 2;
    snap.n_gates = 1;
    snap.gates = gates;
    dashboard_input_t input = s_input (&snap);
    input.opportunities = list;
    input.n_opportunities = 1;
    char *page = s_render (&input);
    cr_expect (!strstr (page, "<script"), "a stage name became markup");
    cr_expect (!strstr (page, "<img"), "a type name became markup");
    cr_expect (!strstr (page, "<q4>"), "the campaign name became markup");
    cr_expect (!strstr (page, "design & <b>"), "a gate name became markup");
    s_expect_has (page, "&lt;script&gt;alert(1)&lt;/script&gt;");
    s_expect_has (page, "data-type=\"&quot;&gt;&lt;img onerror=x&gt;\"");
    s_expect_has (page, "data-activity=\"design &amp; &lt;b&gt;\"");
    s_expect_has (page, "data-override=\"yes\"");
    s_expect_has (page, "LEAD-01: &#39;quoted&#39; &quot;reason&quot;");
    free (page);
}

Test (dashboard_page, week_of_a_date)
{
    Campaign__Snapshot snap = CAMPAIGN__SNAPSHOT__INIT;
    dashboard_input_t input = s_input (&snap);
    cr_expect_eq (dashboard_week_of (&input, "2026-10-05"), 1);
    cr_expect_eq (dashboard_week_of (&input, "2026-10-11"), 1);
    cr_expect_eq (dashboard_week_of (&input, "2026-10-12"), 2);
    cr_expect_eq (dashboard_week_of (&input, "2026-09-01"), 1, "before the start: week 1");
    cr_expect_eq (dashboard_week_of (&input, "2027-06-01"), 12, "after the end: the last");
    cr_expect_eq (dashboard_week_of (&input, "soon"), 0);
    cr_expect_eq (dashboard_week_of (&input, NULL), 0);
}

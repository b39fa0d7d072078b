/*  windows_test.c: every submission kind's acceptance window at both edges (issue 3).

    A plan without gates or tasks (a test layer over the bundled configuration) keeps the
    campaign on the calendar week, so each edge is the window alone. A submission inside
    its window may still be refused for what it says (an unknown opportunity), never for
    the week; one outside is refused naming the window and the week. */
#include "test_support.h"

#include <string.h>

TS_SUITE (windows);

static const char s_plain_plan[] =
    "activities = (\n"
    "  { name = \"opportunity identification\"; weeks = [1, 1]; },\n" TS_ACTIVITIES_FROM_WEEK_2
    ");\n"
    "windows = { retro = [12, 12]; };\n";

typedef struct {
    const char *kind;
    const char *args[12];
    int first;
    int last;
} s_case_t;

/*  Submit; true if refused for its window. */
static bool
s_out_of_window (ts_broker_t *broker, const s_case_t *c, int week)
{
    char *argv[16];
    int n = 0;
    for (; c->args[n]; n++)
        argv[n] = (char *)c->args[n];
    argv[n] = NULL;
    char *err = NULL;
    int rc =
        ts_tool (broker, NULL, &err, "campaign-submit", "--as", "L-001", argv[0], argv[1],
                 argv[2], argv[3], argv[4], argv[5], argv[6], argv[7], argv[8], argv[9], NULL);
    bool refused = rc == 1 && err && strstr (err, " accepted in week");
    if (refused) {
        char expect[64];
        snprintf (expect, sizeof expect, "week %d", week);
        cr_expect (strstr (err, expect), "%s in week %d: the message names the week: %s",
                   c->kind, week, err);
    }
    free (err);
    return refused;
}

Test (windows, each_kind_at_both_edges, .timeout = 180)
{
    ts_broker_t broker;
    cr_assert_eq (ts_broker_start (&broker, s_plain_plan), 0);
    char *portfolio = ts_data_path ("accounts_small.csv");
    const s_case_t cases[] = {
        {"import-portfolio", {"import-portfolio", portfolio}, 0, 2},
        {"targets",
         {"targets", "--arr-goal", "1M", "--conversion", "0.4", "--deals", "10", "--investment",
          "10K"},
         0,
         2},
        {"note", {"note", "--account", "A-0001", "--text", "x"}, 3, 12},
        {"stage", {"stage", "--opportunity", "O-none", "--stage", "demo"}, 3, 12},
        {"outcome", {"outcome", "--opportunity", "O-none", "--lost", "--reason", "x"}, 3, 12},
        {"retro", {"retro", "--kind", "worked", "--text", "x"}, 12, 12},
    };
    size_t n = sizeof cases / sizeof *cases;
    /*  Walk weeks 1..13 and try each kind at every week next to an edge. */
    for (int week = 1; week <= 13; week++) {
        for (size_t i = 0; i < n; i++) {
            const s_case_t *c = &cases[i];
            bool near_edge = week == c->first || week == c->first - 1 || week == c->last ||
                             week == c->last + 1;
            if (!near_edge)
                continue;
            bool inside = week >= c->first && week <= c->last;
            bool refused = s_out_of_window (&broker, c, week);
            cr_expect_eq (refused, !inside, "%s in week %d: %s", c->kind, week,
                          inside ? "refused inside its window" : "accepted outside its window");
        }
        if (week < 13)
            cr_assert_eq (ts_tool (&broker, NULL, NULL, "campaign-submit", "advance", NULL), 0);
    }
    free (portfolio);
    ts_broker_cleanup (&broker);
}

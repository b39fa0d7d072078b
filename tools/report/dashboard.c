/*  dashboard.c: dashboard.html, the campaign on one page (see dashboard.h).

    Figures are computed here from the opportunities and the snapshot; the propensity
    calibration and the retrospective come from the agents' JSON in the reports
    directory. The charts are SVG written as text: fixed sizes, no script, so the page
    shows the same in any browser and prints.
*/
#include "dashboard.h"

#include "calendar.h"

#include <assert.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define S_WIDTH 760 /* every wide chart's width in px */

static const char *const s_palette[] = {"#3b6fb6", "#e08a2c", "#4a9a5b", "#b84a4a",
                                        "#7d5ba6", "#8c6d3f", "#c45ea0", "#6b7785"};
#define S_COLOURS (sizeof s_palette / sizeof *s_palette)

/*  Names in first-seen order; the strings belong to the inputs. */
typedef struct {
    const char **items;
    size_t n;
    size_t size;
} s_names_t;

typedef struct {
    const dashboard_input_t *in;
    const Campaign__Snapshot *snap;
    s_names_t stages;
    s_names_t types;
    uint64_t *count; /* [stage * types.size + type]: opportunities */
    double *arr;     /* the same cells: potential ARR */
    uint64_t won, lost;
    double won_arr;  /* closed-won: the amount (the potential when none was given) */
    double open_arr; /* open: potential ARR */
    uint64_t tier_all[4], tier_closed[4], tier_won[4];
    double *won_by_week; /* [1..weeks]: ARR closed-won that week */
    int week;            /* the snapshot's week within 1..weeks */
    double target;       /* the ARR goal, 0 while unknown */
    json_t *cohorts;     /* segmentation.cohort_performance.json, or NULL */
    json_t *retro;       /* retrospective.run.json, or NULL */
} s_data_t;

/* --------------------------------------------------------------------------
   Writing text */

/*  Text from data, safe in element content and in quoted attribute values. */
static void
s_esc (FILE *out, const char *text)
{
    for (const char *c = text ? text : ""; *c; c++)
        switch (*c) {
        case '&': fputs ("&amp;", out); break;
        case '<': fputs ("&lt;", out); break;
        case '>': fputs ("&gt;", out); break;
        case '"': fputs ("&quot;", out); break;
        case '\'': fputs ("&#39;", out); break;
        default: fputc (*c, out);
        }
}

/*  "$1,234,567" (rounded to the dollar). */
static const char *
s_money (double value, char *buf, size_t size)
{
    char digits[64];
    snprintf (digits, sizeof digits, "%.0f", fabs (value));
    size_t n = strlen (digits), o = 0;
    if (value < 0 && strcmp (digits, "0") != 0 && o + 1 < size)
        buf[o++] = '-';
    if (o + 1 < size)
        buf[o++] = '$';
    for (size_t i = 0; i < n && o + 2 < size; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

static const char *
s_colour (size_t i)
{
    return s_palette[i % S_COLOURS];
}

/* --------------------------------------------------------------------------
   The figures */

static long
s_name_index (s_names_t *names, const char *name, bool add)
{
    for (size_t i = 0; i < names->n; i++)
        if (strcmp (names->items[i], name) == 0)
            return (long)i;
    if (!add)
        return -1;
    if (names->n == names->size) {
        size_t size = names->size ? names->size * 2 : 16;
        const char **grown = realloc (names->items, size * sizeof *grown);
        if (!grown)
            return -2;
        names->items = grown;
        names->size = size;
    }
    names->items[names->n] = name;
    return (long)names->n++;
}

int
dashboard_week_of (const dashboard_input_t *input, const char *date)
{
    int32_t day;
    if (!date || date_parse (date, &day) != 0)
        return 0;
    long week = day < input->start_day ? 1 : (long)(day - input->start_day) / 7 + 1;
    int weeks = input->weeks > 0 ? input->weeks : 1;
    return week > weeks ? weeks : (int)week;
}

static const Campaign__Fact *
s_fact (const Campaign__Snapshot *snap, const char *name)
{
    for (size_t i = 0; i < snap->n_facts; i++)
        if (snap->facts[i]->name && strcmp (snap->facts[i]->name, name) == 0)
            return snap->facts[i];
    return NULL;
}

static json_t *
s_load_json (const char *dir, const char *name)
{
    if (!dir)
        return NULL;
    char path[4200];
    snprintf (path, sizeof path, "%s/%s", dir, name);
    json_error_t jerr;
    json_t *root = json_load_file (path, 0, &jerr);
    if (root && !json_is_object (root))
        json_decref (root), root = NULL;
    return root;
}

static int
s_compute (s_data_t *d, const dashboard_input_t *in, err_t *err)
{
    static const char *const known_types[] = {"seat", "tier", "cross-sell", "geo", NULL};
    d->in = in;
    d->snap = in->snapshot;
    bool ok = true;
    for (size_t i = 0; ok && in->stages && in->stages[i]; i++)
        ok = s_name_index (&d->stages, in->stages[i], true) >= 0;
    for (size_t i = 0; ok && known_types[i]; i++)
        ok = s_name_index (&d->types, known_types[i], true) >= 0;
    for (size_t i = 0; ok && i < in->n_opportunities; i++) {
        const Campaign__Opportunity *o = in->opportunities[i];
        ok = s_name_index (&d->stages, o->stage ? o->stage : "identified", true) >= 0 &&
             s_name_index (&d->types, o->type && *o->type ? o->type : "other", true) >= 0;
    }
    int weeks = in->weeks > 0 ? in->weeks : 1;
    size_t cells = (d->stages.n ? d->stages.n : 1) * (d->types.n ? d->types.n : 1);
    d->count = ok ? calloc (cells, sizeof *d->count) : NULL;
    d->arr = ok ? calloc (cells, sizeof *d->arr) : NULL;
    d->won_by_week = ok ? calloc ((size_t)weeks + 1, sizeof *d->won_by_week) : NULL;
    if (!d->count || !d->arr || !d->won_by_week)
        return err_set (err, ERR_NOMEM, "out of memory drawing the dashboard");
    for (size_t i = 0; i < in->n_opportunities; i++) {
        const Campaign__Opportunity *o = in->opportunities[i];
        const char *stage = o->stage ? o->stage : "identified";
        size_t s = (size_t)s_name_index (&d->stages, stage, false);
        size_t t =
            (size_t)s_name_index (&d->types, o->type && *o->type ? o->type : "other", false);
        d->count[s * d->types.n + t]++;
        d->arr[s * d->types.n + t] += o->potential_arr;
        bool won = strcmp (stage, "closed-won") == 0, lost = strcmp (stage, "closed-lost") == 0;
        unsigned tier = o->tier <= 3 ? o->tier : 0;
        d->tier_all[tier]++;
        if (won || lost)
            d->tier_closed[tier]++;
        if (won) {
            double amount = o->has_amount ? o->amount : o->potential_arr;
            d->won++;
            d->tier_won[tier]++;
            d->won_arr += amount;
            int week =
                dashboard_week_of (in, o->closed && *o->closed ? o->closed : o->stage_changed);
            d->won_by_week[week ? week : 1] += amount;
        } else if (lost)
            d->lost++;
        else
            d->open_arr += o->potential_arr;
    }
    d->week = d->snap->week < 1                 ? 1
              : d->snap->week > (uint32_t)weeks ? weeks
                                                : (int)d->snap->week;
    if (d->snap->targets && d->snap->targets->arr_goal > 0)
        d->target = d->snap->targets->arr_goal;
    else {
        const Campaign__Fact *goal = s_fact (d->snap, "forecast.target");
        d->target = goal && isfinite (goal->number) && goal->number > 0 ? goal->number : 0;
    }
    d->cohorts = s_load_json (in->reports_dir, "segmentation.cohort_performance.json");
    d->retro = s_load_json (in->reports_dir, "retrospective.run.json");
    return 0;
}

static void
s_data_free (s_data_t *d)
{
    free (d->stages.items);
    free (d->types.items);
    free (d->count);
    free (d->arr);
    free (d->won_by_week);
    json_decref (d->cohorts);
    json_decref (d->retro);
}

/* --------------------------------------------------------------------------
   The page */

static const char s_style[] =
    "body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
    "margin:0;background:#f4f5f7;color:#1d2330}"
    "header{background:#1d2330;color:#fff;padding:16px 24px}"
    "header h1{margin:0 0 4px;font-size:22px}header p{margin:0;color:#c9cfdb}"
    ".held{background:#b84a4a;color:#fff;border-radius:4px;padding:1px 6px;font-weight:600}"
    "main{max-width:1200px;margin:0 auto;padding:16px 24px}"
    ".figures{display:flex;flex-wrap:wrap;gap:12px;margin-bottom:16px}"
    ".figure{background:#fff;border-radius:6px;padding:10px 14px;min-width:150px;"
    "box-shadow:0 1px 2px rgba(0,0,0,.08)}"
    ".figure b{display:block;font-size:20px}.figure span{color:#5b6475;font-size:12px}"
    "section{background:#fff;border-radius:6px;padding:12px 16px;margin-bottom:16px;"
    "box-shadow:0 1px 2px rgba(0,0,0,.08)}"
    "section h2{font-size:16px;margin:0 0 8px}"
    ".missing{color:#8a5a00;background:#fff6e0;padding:6px 10px;border-radius:4px}"
    "table{border-collapse:collapse;margin-top:8px;font-size:13px}"
    "th,td{border-bottom:1px solid #e3e6eb;padding:3px 8px;text-align:right}"
    "th:first-child,td:first-child{text-align:left}"
    "svg text{font-size:12px;fill:#1d2330}svg .axis{stroke:#9aa3b2;stroke-width:1}"
    "svg .grid{stroke:#e3e6eb;stroke-width:1}"
    ".legend span{display:inline-block;margin-right:14px}"
    ".legend i{display:inline-block;width:10px;height:10px;margin-right:4px}"
    "footer{color:#5b6475;font-size:12px;padding:0 24px 24px;max-width:1200px;margin:0 auto}";

static void
s_missing (FILE *out, const char *what)
{
    fputs ("<p class=\"missing\">", out);
    s_esc (out, what);
    fputs ("</p>\n", out);
}

static void
s_figure (FILE *out, const char *id, const char *value_attr, const char *shown,
          const char *label)
{
    fprintf (out, "<div class=\"figure\" id=\"%s\" data-value=\"%s\"><b>", id, value_attr);
    s_esc (out, shown);
    fputs ("</b><span>", out);
    s_esc (out, label);
    fputs ("</span></div>\n", out);
}

static void
s_header (FILE *out, const s_data_t *d)
{
    const Campaign__Snapshot *snap = d->snap;
    fputs ("<header id=\"summary\" data-campaign=\"", out);
    s_esc (out, snap->campaign);
    fputs ("\" data-date=\"", out);
    s_esc (out, snap->date);
    fprintf (out, "\" data-week=\"%u\" data-phase=\"", snap->week);
    s_esc (out, snap->phase);
    fputs ("\" data-activity=\"", out);
    s_esc (out, snap->activity);
    fprintf (out, "\" data-held=\"%s\">\n<h1>Campaign ", snap->held ? "yes" : "no");
    s_esc (out, snap->campaign);
    fputs ("</h1>\n<p>", out);
    s_esc (out, snap->date);
    fprintf (out, " &middot; week %u of %d &middot; ", snap->week, d->in->weeks);
    if (snap->phase && *snap->phase) {
        s_esc (out, snap->phase);
        fputs (" / ", out);
        s_esc (out, snap->activity);
    } else
        fputs ("not started", out);
    if (snap->held) {
        fputs (" &middot; <span class=\"held\">HELD at the gate into ", out);
        s_esc (out, snap->next_activity);
        fputs ("</span>", out);
    }
    fputs ("</p>\n</header>\n<main>\n<div class=\"figures\">\n", out);
    char money[64], attr[64];
    snprintf (attr, sizeof attr, "%.0f", d->won_arr);
    s_figure (out, "figure-won-arr", attr, s_money (d->won_arr, money, sizeof money),
              "ARR closed-won");
    char shown[64];
    snprintf (attr, sizeof attr, "%llu", (unsigned long long)d->won);
    snprintf (shown, sizeof shown, "%llu won, %llu lost", (unsigned long long)d->won,
              (unsigned long long)d->lost);
    s_figure (out, "figure-deals", attr, shown, "deals closed");
    snprintf (attr, sizeof attr, "%.0f", d->target);
    s_figure (out, "figure-target", d->target > 0 ? attr : "",
              d->target > 0 ? s_money (d->target, money, sizeof money) : "not set",
              "ARR target");
    if (d->target > 0) {
        snprintf (attr, sizeof attr, "%.3f", d->won_arr / d->target);
        snprintf (shown, sizeof shown, "%.0f%%", 100 * d->won_arr / d->target);
        s_figure (out, "figure-attainment", attr, shown, "of the ARR target won");
    }
    snprintf (attr, sizeof attr, "%.0f", d->open_arr);
    s_figure (out, "figure-open-arr", attr, s_money (d->open_arr, money, sizeof money),
              "open pipeline (potential ARR)");
    fputs ("</div>\n", out);
}

static uint64_t
s_stage_count (const s_data_t *d, size_t s, double *arr)
{
    uint64_t count = 0;
    double sum = 0;
    for (size_t t = 0; t < d->types.n; t++) {
        count += d->count[s * d->types.n + t];
        sum += d->arr[s * d->types.n + t];
    }
    *arr = sum;
    return count;
}

static void
s_funnel (FILE *out, const s_data_t *d)
{
    fputs ("<section id=\"funnel\">\n<h2>Funnel: opportunities by stage</h2>\n", out);
    if (!d->in->n_opportunities) {
        s_missing (out, "No opportunities yet: the week-1 portfolio scan has not reported.");
        fputs ("</section>\n", out);
        return;
    }
    uint64_t most = 1;
    for (size_t s = 0; s < d->stages.n; s++) {
        double arr;
        uint64_t count = s_stage_count (d, s, &arr);
        most = count > most ? count : most;
    }
    int row = 30, height = (int)d->stages.n * row + 10;
    double left = 130, room = 440;
    fprintf (out,
             "<svg id=\"chart-funnel\" class=\"chart\" width=\"%d\" height=\"%d\" "
             "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"Opportunities by stage\">\n",
             S_WIDTH, height, S_WIDTH, height);
    for (size_t s = 0; s < d->stages.n; s++) {
        double arr;
        uint64_t count = s_stage_count (d, s, &arr);
        double width = room * (double)count / (double)most;
        double x = left + (room - width) / 2, y = 5 + (double)s * row;
        char money[64];
        fputs ("<g class=\"bar\" data-stage=\"", out);
        s_esc (out, d->stages.items[s]);
        fprintf (out, "\" data-count=\"%llu\" data-arr=\"%.0f\">", (unsigned long long)count,
                 arr);
        fprintf (out, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", left - 8, y + 17);
        s_esc (out, d->stages.items[s]);
        fprintf (out,
                 "</text><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"22\" "
                 "fill=\"%s\"/><text x=\"%.0f\" y=\"%.1f\">%llu &middot; %s</text></g>\n",
                 x, y, width, s_colour (s), left + room + 10, y + 17, (unsigned long long)count,
                 s_money (arr, money, sizeof money));
    }
    fputs ("</svg>\n<p>Bar width: opportunities now in the stage; the figure after it is "
           "their potential ARR.</p>\n</section>\n",
           out);
}

static void
s_stage_type (FILE *out, const s_data_t *d)
{
    fputs ("<section id=\"stage-type\">\n<h2>Pipeline by stage and type</h2>\n", out);
    if (!d->in->n_opportunities) {
        s_missing (out, "No opportunities yet.");
        fputs ("</section>\n", out);
        return;
    }
    fputs ("<p class=\"legend\">", out);
    for (size_t t = 0; t < d->types.n; t++) {
        fprintf (out, "<span><i style=\"background:%s\"></i>", s_colour (t));
        s_esc (out, d->types.items[t]);
        fputs ("</span>", out);
    }
    fputs ("</p>\n", out);
    double most = 1;
    for (size_t s = 0; s < d->stages.n; s++) {
        double arr;
        s_stage_count (d, s, &arr);
        most = arr > most ? arr : most;
    }
    int row = 26, height = (int)d->stages.n * row + 10;
    double left = 130, room = 500;
    fprintf (out,
             "<svg id=\"chart-stage-type\" class=\"chart\" width=\"%d\" height=\"%d\" "
             "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"Potential ARR by stage and "
             "type\">\n",
             S_WIDTH, height, S_WIDTH, height);
    for (size_t s = 0; s < d->stages.n; s++) {
        double y = 5 + (double)s * row, x = left, total;
        s_stage_count (d, s, &total);
        fprintf (out, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", left - 8, y + 15);
        s_esc (out, d->stages.items[s]);
        fputs ("</text>", out);
        for (size_t t = 0; t < d->types.n; t++) {
            size_t cell = s * d->types.n + t;
            if (!d->count[cell])
                continue;
            double width = room * d->arr[cell] / most;
            fputs ("<rect data-stage=\"", out);
            s_esc (out, d->stages.items[s]);
            fputs ("\" data-type=\"", out);
            s_esc (out, d->types.items[t]);
            fprintf (out,
                     "\" data-count=\"%llu\" data-arr=\"%.0f\" x=\"%.1f\" y=\"%.1f\" "
                     "width=\"%.1f\" height=\"18\" fill=\"%s\"/>",
                     (unsigned long long)d->count[cell], d->arr[cell], x, y, width,
                     s_colour (t));
            x += width;
        }
        char money[64];
        fprintf (out, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + 6, y + 15,
                 s_money (total, money, sizeof money));
    }
    fputs ("</svg>\n<table id=\"table-stage-type\">\n<tr><th>stage</th>", out);
    for (size_t t = 0; t < d->types.n; t++) {
        fputs ("<th>", out);
        s_esc (out, d->types.items[t]);
        fputs ("</th>", out);
    }
    fputs ("<th>all</th></tr>\n", out);
    for (size_t s = 0; s < d->stages.n; s++) {
        fputs ("<tr><td>", out);
        s_esc (out, d->stages.items[s]);
        fputs ("</td>", out);
        for (size_t t = 0; t < d->types.n; t++) {
            size_t cell = s * d->types.n + t;
            char money[64];
            fputs ("<td data-stage=\"", out);
            s_esc (out, d->stages.items[s]);
            fputs ("\" data-type=\"", out);
            s_esc (out, d->types.items[t]);
            fprintf (out, "\" data-count=\"%llu\" data-arr=\"%.0f\">%llu<br>%s</td>",
                     (unsigned long long)d->count[cell], d->arr[cell],
                     (unsigned long long)d->count[cell],
                     s_money (d->arr[cell], money, sizeof money));
        }
        double total;
        uint64_t count = s_stage_count (d, s, &total);
        char money[64];
        fprintf (out, "<td>%llu<br>%s</td></tr>\n", (unsigned long long)count,
                 s_money (total, money, sizeof money));
    }
    fputs ("</table>\n<p>Counts and potential ARR.</p>\n</section>\n", out);
}

/*  The latest value per week of one fact's series; *any tells if there was one. */
static void
s_series (const s_data_t *d, const char *name, double *by_week, bool *has, bool *any)
{
    *any = false;
    for (size_t i = 0; i < d->snap->n_fact_history; i++) {
        const Campaign__FactPoint *p = d->snap->fact_history[i];
        if (!p->name || strcmp (p->name, name) != 0 || !isfinite (p->number))
            continue;
        int week = (int)p->week < 1              ? 1
                   : (int)p->week > d->in->weeks ? d->in->weeks
                                                 : (int)p->week;
        by_week[week] = p->number;
        has[week] = *any = true;
    }
}

static void
s_forecast (FILE *out, const s_data_t *d)
{
    int weeks = d->in->weeks > 0 ? d->in->weeks : 1;
    fputs ("<section id=\"forecast\">\n<h2>Won ARR and forecast vs target, by week</h2>\n",
           out);
    double *expected = calloc ((size_t)weeks + 1, sizeof *expected);
    double *p10 = calloc ((size_t)weeks + 1, sizeof *p10);
    double *p90 = calloc ((size_t)weeks + 1, sizeof *p90);
    bool *has_e = calloc ((size_t)weeks + 1, sizeof *has_e);
    bool *has_10 = calloc ((size_t)weeks + 1, sizeof *has_10);
    bool *has_90 = calloc ((size_t)weeks + 1, sizeof *has_90);
    double *won = calloc ((size_t)weeks + 1, sizeof *won);
    double *open = calloc ((size_t)weeks + 1, sizeof *open);
    bool *has_open = calloc ((size_t)weeks + 1, sizeof *has_open);
    if (!expected || !p10 || !p90 || !has_e || !has_10 || !has_90 || !won || !open ||
        !has_open) {
        s_missing (out, "out of memory drawing this chart");
        goto cleanup;
    }
    /*  Drawn: what is expected to close within the campaign, comparable with the target;
        the table adds what every open deal would bring, whenever it closes. */
    bool any_forecast, any;
    s_series (d, "forecast.expected_in_campaign", expected, has_e, &any_forecast);
    s_series (d, "forecast.in_campaign_p10", p10, has_10, &any);
    s_series (d, "forecast.in_campaign_p90", p90, has_90, &any);
    s_series (d, "forecast.expected_arr", open, has_open, &any);
    double most = d->target;
    for (int w = 1; w <= weeks; w++) {
        won[w] = won[w - 1] + d->won_by_week[w];
        most = fmax (most,
                     fmax (won[w], fmax (has_e[w] ? expected[w] : 0, has_90[w] ? p90[w] : 0)));
    }
    if (most <= 0) {
        s_missing (out,
                   "Nothing to draw yet: no deal is won, no forecast made and no ARR target "
                   "set.");
        goto cleanup;
    }
    most *= 1.1;
    double left = 90, top = 10, plot_w = 640, plot_h = 260;
    int height = (int)(top + plot_h + 40);
#define S_X(w) (left + (weeks > 1 ? ((double)(w)-1) / (weeks - 1) : 0.5) * plot_w)
#define S_Y(v) (top + plot_h - (v) / most * plot_h)
    fprintf (out,
             "<p class=\"legend\"><span><i style=\"background:%s\"></i>ARR closed-won, "
             "cumulative (from the deals' closed dates)</span><span><i style=\"background:%s"
             "\"></i>forecast: expected ARR closed within the campaign "
             "(p10-p90)</span><span><i style=\"background:%s"
             "\"></i>ARR target</span></p>\n",
             s_palette[2], s_palette[0], s_palette[3]);
    fprintf (out,
             "<svg id=\"chart-forecast\" class=\"chart\" width=\"%d\" height=\"%d\" "
             "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"Won ARR and forecast vs "
             "target by week\" data-weeks=\"%d\" data-week=\"%d\">\n",
             S_WIDTH, height, S_WIDTH, height, weeks, d->week);
    for (int g = 0; g <= 4; g++) {
        double v = most / 1.1 * g / 4;
        char money[64];
        fprintf (out,
                 "<line class=\"grid\" x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>"
                 "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                 left, S_Y (v), left + plot_w, S_Y (v), left - 6, S_Y (v) + 4,
                 s_money (v, money, sizeof money));
    }
    for (int w = 1; w <= weeks; w++)
        fprintf (out, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">w%d</text>", S_X (w),
                 top + plot_h + 18, w);
    fprintf (out, "\n<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\"/>\n",
             left, top + plot_h, left + plot_w, top + plot_h);
    if (d->target > 0)
        fprintf (out,
                 "<line class=\"target\" data-series=\"target\" data-value=\"%.0f\" "
                 "x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"%s\" "
                 "stroke-width=\"2\" stroke-dasharray=\"6 4\"/>\n",
                 d->target, left, S_Y (d->target), left + plot_w, S_Y (d->target),
                 s_palette[3]);
    fprintf (out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" points=\"",
             s_palette[2]);
    for (int w = 1; w <= d->week; w++)
        fprintf (out, "%s%.1f,%.1f", w > 1 ? " " : "", S_X (w), S_Y (won[w]));
    fputs ("\"/>\n", out);
    for (int w = 1; w <= d->week; w++)
        fprintf (out,
                 "<circle class=\"won\" data-series=\"won\" data-week=\"%d\" "
                 "data-value=\"%.0f\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>\n",
                 w, won[w], S_X (w), S_Y (won[w]), s_palette[2]);
    for (int w = 1; w <= weeks; w++) {
        if (!has_e[w])
            continue;
        if (has_10[w] && has_90[w])
            fprintf (out,
                     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                     "stroke-width=\"2\"/>",
                     S_X (w), S_Y (p10[w]), S_X (w), S_Y (p90[w]), s_palette[0]);
        fprintf (out,
                 "<rect class=\"forecast\" data-series=\"forecast\" data-week=\"%d\" "
                 "data-value=\"%.0f\" data-p10=\"%.0f\" data-p90=\"%.0f\" x=\"%.1f\" "
                 "y=\"%.1f\" width=\"9\" height=\"9\" fill=\"%s\"/>\n",
                 w, expected[w], has_10[w] ? p10[w] : 0, has_90[w] ? p90[w] : 0, S_X (w) - 4.5,
                 S_Y (expected[w]) - 4.5, s_palette[0]);
    }
#undef S_X
#undef S_Y
    fputs ("</svg>\n", out);
    if (!any_forecast)
        s_missing (out, "No forecast yet: the identifier's forecast runs in weeks 8-10.");
    fputs ("<table id=\"table-forecast\">\n<tr><th>week</th><th>won ARR (cumulative)</th>"
           "<th>forecast within the campaign</th><th>p10</th><th>p90</th>"
           "<th>all open deals, whenever they close</th><th>target</th></tr>\n",
           out);
    for (int w = 1; w <= weeks; w++) {
        if (w > d->week && !has_e[w] && !has_open[w])
            continue;
        char a[64], b[64], c[64], e[64], o[64], t[64];
        fprintf (out,
                 "<tr data-week=\"%d\"><td>%d</td><td>%s</td><td>%s</td><td>%s</td>"
                 "<td>%s</td><td>%s</td><td>%s</td></tr>\n",
                 w, w, w <= d->week ? s_money (won[w], a, sizeof a) : "",
                 has_e[w] ? s_money (expected[w], b, sizeof b) : "",
                 has_10[w] ? s_money (p10[w], c, sizeof c) : "",
                 has_90[w] ? s_money (p90[w], e, sizeof e) : "",
                 has_open[w] ? s_money (open[w], o, sizeof o) : "",
                 d->target > 0 ? s_money (d->target, t, sizeof t) : "");
    }
    fputs ("</table>\n", out);
cleanup:
    fputs ("</section>\n", out);
    free (expected);
    free (p10);
    free (p90);
    free (has_e);
    free (has_10);
    free (has_90);
    free (won);
    free (open);
    free (has_open);
}

static void
s_tiers (FILE *out, const s_data_t *d)
{
    fputs ("<section id=\"tiers\">\n<h2>Conversion by tier (won / closed)</h2>\n", out);
    uint64_t closed = d->tier_closed[1] + d->tier_closed[2] + d->tier_closed[3];
    if (!closed)
        s_missing (out, "No tiered deal has closed yet.");
    static const char *const names[] = {"", "Tier 1 (close now)", "Tier 2 (develop)",
                                        "Tier 3 (nurture)"};
    int row = 34, height = 3 * row + 10;
    double left = 150, room = 300;
    fprintf (out,
             "<svg id=\"chart-tier\" class=\"chart\" width=\"%d\" height=\"%d\" "
             "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"Win rate by tier\">\n",
             S_WIDTH, height, S_WIDTH, height);
    for (int t = 1; t <= 3; t++) {
        double y = 5 + (t - 1) * row;
        double rate =
            d->tier_closed[t] ? (double)d->tier_won[t] / (double)d->tier_closed[t] : 0;
        char rate_attr[32] = "";
        if (d->tier_closed[t])
            snprintf (rate_attr, sizeof rate_attr, "%.3f", rate);
        fprintf (out,
                 "<g class=\"bar\" data-tier=\"%d\" data-opportunities=\"%llu\" "
                 "data-closed=\"%llu\" data-won=\"%llu\" data-rate=\"%s\">"
                 "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s</text>"
                 "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.0f\" height=\"24\" fill=\"#e3e6eb\"/>"
                 "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"24\" fill=\"%s\"/>",
                 t, (unsigned long long)d->tier_all[t], (unsigned long long)d->tier_closed[t],
                 (unsigned long long)d->tier_won[t], rate_attr, left - 8, y + 17, names[t],
                 left, y, room, left, y, room * rate, s_colour ((size_t)t - 1));
        if (d->tier_closed[t])
            fprintf (out,
                     "<text x=\"%.0f\" y=\"%.1f\">%.0f%% &middot; %llu of %llu closed "
                     "won (%llu opportunities)</text></g>\n",
                     left + room + 10, y + 17, 100 * rate, (unsigned long long)d->tier_won[t],
                     (unsigned long long)d->tier_closed[t], (unsigned long long)d->tier_all[t]);
        else
            fprintf (out,
                     "<text x=\"%.0f\" y=\"%.1f\">none closed (%llu opportunities)</text>"
                     "</g>\n",
                     left + room + 10, y + 17, (unsigned long long)d->tier_all[t]);
    }
    fputs ("</svg>\n</section>\n", out);
}

static double
s_number (json_t *object, const char *key)
{
    json_t *value = json_object_get (object, key);
    return json_is_number (value) ? json_number_value (value) : NAN;
}

static void
s_calibration (FILE *out, const s_data_t *d)
{
    fputs ("<section id=\"calibration\">\n<h2>Propensity calibration</h2>\n", out);
    json_t *accuracy = json_object_get (d->cohorts, "propensity_accuracy");
    json_t *bins = json_object_get (accuracy, "calibration");
    if (!json_is_array (bins) || !json_array_size (bins)) {
        json_t *why = json_object_get (accuracy, "error");
        s_missing (out, json_is_string (why)
                            ? json_string_value (why)
                            : "Not yet measured: the segmentation analyst's week-11 cohort "
                              "performance (segmentation.cohort_performance.json) is not in "
                              "the reports directory yet.");
        fputs ("</section>\n", out);
        return;
    }
    double auc = s_number (accuracy, "auc"), brier = s_number (accuracy, "brier"),
           ece = s_number (accuracy, "ece");
    fprintf (out,
             "<p id=\"calibration-metrics\" data-auc=\"%.4f\" data-brier=\"%.4f\" "
             "data-ece=\"%.4f\">AUC <b>%.3f</b> &middot; Brier score <b>%.3f</b> &middot; "
             "expected calibration error <b>%.3f</b> (closed deals scored before they "
             "closed)</p>\n",
             auc, brier, ece, auc, brier, ece);
    double left = 60, top = 10, side = 300;
    int size = (int)(top + side + 50);
#define S_PX(v) (left + (v)*side)
#define S_PY(v) (top + side - (v)*side)
    fprintf (out,
             "<svg id=\"chart-calibration\" class=\"chart\" width=\"%d\" height=\"%d\" "
             "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"Mean predicted vs observed win "
             "rate by score bin\">\n",
             size + 80, size, size + 80, size);
    for (int g = 0; g <= 4; g++) {
        double v = g / 4.0;
        fprintf (out,
                 "<line class=\"grid\" x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>"
                 "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>"
                 "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%.2f</text>\n",
                 left, S_PY (v), left + side, S_PY (v), left - 6, S_PY (v) + 4, v, S_PX (v),
                 top + side + 16, v);
    }
    fprintf (out,
             "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#9aa3b2\" "
             "stroke-dasharray=\"4 4\"/>\n<text x=\"%.0f\" y=\"%.0f\" "
             "text-anchor=\"middle\">mean predicted</text>\n<text transform=\"translate(14 "
             "%.0f) rotate(-90)\" text-anchor=\"middle\">observed win rate</text>\n",
             S_PX (0.0), S_PY (0.0), S_PX (1.0), S_PY (1.0), S_PX (0.5), top + side + 36,
             S_PY (0.5));
    size_t i;
    json_t *bin;
    json_array_foreach (bins, i, bin)
    {
        double predicted = s_number (bin, "mean_predicted"),
               observed = s_number (bin, "observed_rate");
        if (!isfinite (predicted) || !isfinite (observed))
            continue;
        double deals = s_number (bin, "deals");
        fprintf (
            out,
            "<circle class=\"bin\" data-bin=\"%.0f\" data-deals=\"%.0f\" data-won=\"%.0f\" "
            "data-predicted=\"%.3f\" data-observed=\"%.3f\" cx=\"%.1f\" cy=\"%.1f\" "
            "r=\"5\" fill=\"%s\"/>\n",
            s_number (bin, "bin"), deals, s_number (bin, "won"), predicted, observed,
            S_PX (fmin (fmax (predicted, 0), 1)), S_PY (fmin (fmax (observed, 0), 1)),
            s_palette[0]);
    }
#undef S_PX
#undef S_PY
    fputs ("</svg>\n<table id=\"table-calibration\"><tr><th>bin</th><th>scores</th>"
           "<th>deals</th><th>won</th><th>mean predicted</th><th>observed</th></tr>\n",
           out);
    json_array_foreach (bins, i, bin)
        fprintf (out,
                 "<tr><td>%.0f</td><td>%.1f-%.1f</td><td>%.0f</td><td>%.0f</td>"
                 "<td>%.3f</td><td>%.3f</td></tr>\n",
                 s_number (bin, "bin"), s_number (bin, "score_min"),
                 s_number (bin, "score_max"), s_number (bin, "deals"), s_number (bin, "won"),
                 s_number (bin, "mean_predicted"), s_number (bin, "observed_rate"));
    fputs ("</table>\n</section>\n", out);
}

static void
s_handoffs (FILE *out, const s_data_t *d)
{
    const Campaign__Snapshot *snap = d->snap;
    fputs ("<section id=\"handoffs\">\n<h2>Open handoffs by team</h2>\n", out);
    if (!snap->n_handoffs) {
        s_missing (out, "No handoff is open.");
        fputs ("</section>\n", out);
        return;
    }
    uint64_t most = 1;
    for (size_t i = 0; i < snap->n_handoffs; i++)
        most = snap->handoffs[i]->count > most ? snap->handoffs[i]->count : most;
    int row = 30, height = (int)snap->n_handoffs * row + 10;
    double left = 130, room = 440;
    fprintf (out,
             "<svg id=\"chart-handoffs\" class=\"chart\" width=\"%d\" height=\"%d\" "
             "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"Open handoffs by team\">\n",
             S_WIDTH, height, S_WIDTH, height);
    for (size_t i = 0; i < snap->n_handoffs; i++) {
        const Campaign__Count *c = snap->handoffs[i];
        double y = 5 + (double)i * row;
        fputs ("<g class=\"bar\" data-team=\"", out);
        s_esc (out, c->name);
        fprintf (out, "\" data-open=\"%llu\" data-oldest-days=\"%u\">",
                 (unsigned long long)c->count, c->oldest_days);
        fprintf (out, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", left - 8, y + 17);
        s_esc (out, c->name);
        fprintf (out,
                 "</text><rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"22\" "
                 "fill=\"%s\"/><text x=\"%.0f\" y=\"%.1f\">%llu open, oldest %u days</text>"
                 "</g>\n",
                 left, y, room * (double)c->count / (double)most, s_colour (i + 4),
                 left + room + 10, y + 17, (unsigned long long)c->count, c->oldest_days);
    }
    fputs ("</svg>\n</section>\n", out);
}

static void
s_gates (FILE *out, const s_data_t *d)
{
    const Campaign__Snapshot *snap = d->snap;
    fputs ("<section id=\"gates\">\n<h2>Gate history</h2>\n", out);
    if (!snap->n_gates) {
        s_missing (out, "No gate has been reached yet.");
        fputs ("</section>\n", out);
        return;
    }
    fputs ("<table id=\"table-gates\">\n<tr><th>gate into</th><th>due</th><th>passed</th>"
           "<th>held days</th><th>override</th></tr>\n",
           out);
    for (size_t i = 0; i < snap->n_gates; i++) {
        const Campaign__GateRecord *g = snap->gates[i];
        bool overridden = g->override_by && *g->override_by;
        fputs ("<tr data-activity=\"", out);
        s_esc (out, g->activity);
        fputs ("\" data-due=\"", out);
        s_esc (out, g->due);
        fputs ("\" data-passed=\"", out);
        s_esc (out, g->passed);
        fprintf (out, "\" data-held-days=\"%u\" data-override=\"%s\"><td>", g->held_days,
                 overridden ? "yes" : "no");
        s_esc (out, g->activity);
        fputs ("</td><td>", out);
        s_esc (out, g->due);
        fputs ("</td><td>", out);
        if (g->passed && *g->passed)
            s_esc (out, g->passed);
        else
            fputs ("<span class=\"held\">held</span>", out);
        fprintf (out, "</td><td>%u</td><td>", g->held_days);
        if (overridden) {
            s_esc (out, g->override_by);
            fputs (": ", out);
            s_esc (out, g->override_reason);
            if (g->n_failed) {
                fputs (" (failing: ", out);
                for (size_t f = 0; f < g->n_failed; f++) {
                    if (f)
                        fputs (", ", out);
                    s_esc (out, g->failed[f]);
                }
                fputs (")", out);
            }
        }
        fputs ("</td></tr>\n", out);
    }
    fputs ("</table>\n</section>\n", out);
}

/*  A list item of the retrospective: a string, or an object's first string member. */
static const char *
s_item_text (json_t *item)
{
    if (json_is_string (item))
        return json_string_value (item);
    const char *key;
    json_t *value;
    json_object_foreach (item, key, value)
    {
        if (json_is_string (value))
            return json_string_value (value);
    }
    return NULL;
}

/*  Only when the retrospective's JSON is there: its start / stop / continue lists. */
static void
s_retrospective (FILE *out, const s_data_t *d)
{
    if (!d->retro)
        return;
    static const char *const lists[] = {"start", "stop", "continue", NULL};
    fputs ("<section id=\"retrospective\">\n<h2>Retrospective</h2>\n", out);
    json_t *summary = json_object_get (d->retro, "summary");
    if (json_is_string (summary)) {
        fputs ("<p>", out);
        s_esc (out, json_string_value (summary));
        fputs ("</p>\n", out);
    }
    bool shown = false;
    for (int l = 0; lists[l]; l++) {
        json_t *items = json_object_get (d->retro, lists[l]);
        if (!json_is_array (items) || !json_array_size (items))
            continue;
        fprintf (out, "<h3>%s</h3>\n<ul>\n", lists[l]);
        size_t i;
        json_t *item;
        json_array_foreach (items, i, item)
        {
            const char *text = s_item_text (item);
            if (!text || i >= 8)
                continue;
            fputs ("<li>", out);
            s_esc (out, text);
            fputs ("</li>\n", out);
        }
        fputs ("</ul>\n", out);
        shown = true;
    }
    if (!shown && !json_is_string (summary))
        s_missing (out, "retrospective.run.json is there but has no summary or start / stop / "
                        "continue lists this page knows how to show.");
    fputs ("</section>\n", out);
}

int
dashboard_render (FILE *out, const dashboard_input_t *input, err_t *err)
{
    assert (out && input && input->snapshot);
    s_data_t d = {0};
    int rc = s_compute (&d, input, err);
    if (!rc) {
        fputs ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<title>Campaign ",
               out);
        s_esc (out, d.snap->campaign);
        fprintf (out, " &ndash; dashboard</title>\n<style>%s</style>\n</head>\n<body>\n",
                 s_style);
        s_header (out, &d);
        s_funnel (out, &d);
        s_stage_type (out, &d);
        s_forecast (out, &d);
        s_tiers (out, &d);
        s_calibration (out, &d);
        s_handoffs (out, &d);
        s_gates (out, &d);
        s_retrospective (out, &d);
        fputs ("</main>\n<footer>Written by campaign-report from the broker's snapshot (status "
               "sequence ",
               out);
        fprintf (out, "%llu) and %zu opportunities.</footer>\n</body>\n</html>\n",
                 (unsigned long long)d.snap->seq, input->n_opportunities);
        if (ferror (out))
            rc = err_set (err, ERR_IO, "cannot write the dashboard");
    }
    s_data_free (&d);
    return rc;
}

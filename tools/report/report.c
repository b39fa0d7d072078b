/*  report.c: writing the campaign's reports (see report.h). */
#include "report.h"

#include "csvreader.h"
#include "dashboard.h"
#include "retrospective.h"
#include "view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

FILE *
report_file_open (const char *dir, const char *name, char *tmp, char *final, size_t size,
                  err_t *err)
{
    snprintf (final, size, "%s/%s", dir, name);
    snprintf (tmp, size, "%s/.%s.tmp", dir, name);
    FILE *file = fopen (tmp, "w");
    if (!file)
        err_set (err, ERR_IO, "cannot write %s: %s", tmp, strerror (errno));
    return file;
}

int
report_file_close (FILE *file, const char *tmp, const char *final, err_t *err)
{
    bool ok = fflush (file) == 0 && !ferror (file);
    ok = fclose (file) == 0 && ok;
    if (!ok || rename (tmp, final) != 0) {
        remove (tmp);
        return err_set (err, ERR_IO, "cannot write %s: %s", final, strerror (errno));
    }
    return 0;
}

static const char *const s_columns[] = {
    "opportunity_id", "account_id",    "type",       "stage",  "tier",        "qualified",
    "complex",        "potential_arr", "propensity", "csm",    "ae",          "opened",
    "stage_changed",  "amount",        "closed",     "reason", "closed_from", NULL};

static void
s_csv_row (FILE *file, const Campaign__Opportunity *o)
{
    char number[4][32];
    snprintf (number[0], sizeof number[0], "%u", o->tier);
    snprintf (number[1], sizeof number[1], "%.0f", o->potential_arr);
    snprintf (number[2], sizeof number[2], "%.1f", o->propensity);
    snprintf (number[3], sizeof number[3], "%.0f", o->has_amount ? o->amount : 0);
    const char *cells[] = {o->opportunity_id,
                           o->account_id,
                           o->type,
                           o->stage,
                           number[0],
                           o->qualified ? "yes" : "no",
                           o->complex ? "yes" : "no",
                           number[1],
                           number[2],
                           o->csm,
                           o->ae,
                           o->opened,
                           o->stage_changed,
                           o->has_amount ? number[3] : "",
                           o->closed,
                           o->reason,
                           o->closed_from};
    for (size_t c = 0; c < sizeof cells / sizeof *cells; c++) {
        if (c)
            fputc (',', file);
        csvreader_write_cell (file, cells[c] ? cells[c] : "");
    }
    fputs ("\r\n", file);
}

static void
s_csv_header (FILE *file)
{
    for (int c = 0; s_columns[c]; c++)
        fprintf (file, "%s%s", c ? "," : "", s_columns[c]);
    fputs ("\r\n", file);
}

/*  Tier 1 first (0, not tiered, last), then the largest potential. */
static int
s_by_tier (const void *a, const void *b)
{
    const Campaign__Opportunity *x = *(Campaign__Opportunity *const *)a;
    const Campaign__Opportunity *y = *(Campaign__Opportunity *const *)b;
    unsigned tx = x->tier ? x->tier : 99, ty = y->tier ? y->tier : 99;
    if (tx != ty)
        return tx < ty ? -1 : 1;
    if (x->potential_arr != y->potential_arr)
        return x->potential_arr > y->potential_arr ? -1 : 1;
    return strcmp (x->opportunity_id, y->opportunity_id);
}

/*  A JSON number or integer cell ("" for null or absent). */
static void
s_cell_number (FILE *file, json_t *value, bool first)
{
    if (!first)
        fputc (',', file);
    if (json_is_integer (value))
        fprintf (file, "%lld", (long long)json_integer_value (value));
    else if (json_is_real (value))
        fprintf (file, "%.10g", json_real_value (value));
}

static void
s_cell_text (FILE *file, const char *text, bool first)
{
    if (!first)
        fputc (',', file);
    csvreader_write_cell (file, text ? text : "");
}

/*  One CSV file from an array of JSON objects: columns named by keys (numbers and
    strings), plus the first element of an array member (e.g. the top trigger). */
static int
s_json_csv (const char *dir, const char *name, json_t *rows, const char *const *columns,
            err_t *err)
{
    char tmp[4200], final[4200];
    FILE *file = report_file_open (dir, name, tmp, final, sizeof tmp, err);
    if (!file)
        return ERR_IO;
    for (int c = 0; columns[c]; c++)
        fprintf (file, "%s%s", c ? "," : "", columns[c]);
    fputs ("\r\n", file);
    size_t i;
    json_t *row;
    json_array_foreach (rows, i, row)
    {
        for (int c = 0; columns[c]; c++) {
            json_t *value = json_object_get (row, columns[c]);
            if (json_is_string (value))
                s_cell_text (file, json_string_value (value), c == 0);
            else if (json_is_boolean (value))
                s_cell_text (file, json_is_true (value) ? "yes" : "no", c == 0);
            else
                s_cell_number (file, value, c == 0);
        }
        fputs ("\r\n", file);
    }
    return report_file_close (file, tmp, final, err);
}

/*  The segmentation analyst's JSON (written by the broker into dir when it runs on
    this host) as CSV: segments.csv (week 1), cohorts.csv and calibration.csv (week 11).
    A missing file means the task has not run yet: nothing to convert. */
static int
s_segmentation_csv (const char *dir, err_t *err)
{
    char path[4200];
    json_error_t jerr;
    int rc = 0;
    snprintf (path, sizeof path, "%s/segmentation.target_segments.json", dir);
    json_t *week1 = json_load_file (path, 0, &jerr);
    if (week1) {
        static const char *const columns[] = {"name",
                                              "kind",
                                              "definition",
                                              "accounts",
                                              "arr",
                                              "potential_arr",
                                              "expected_arr",
                                              "mean_propensity",
                                              "high_propensity_share",
                                              "historic_expansion_rate",
                                              "top_trigger",
                                              "top_trigger_lift",
                                              NULL};
        json_t *segments = json_object_get (week1, "segments");
        size_t i;
        json_t *row;
        json_array_foreach (segments, i, row)
        {
            json_t *top = json_array_get (json_object_get (row, "triggers"), 0);
            json_object_set (row, "top_trigger", json_object_get (top, "signal"));
            json_object_set (row, "top_trigger_lift", json_object_get (top, "lift"));
        }
        rc = s_json_csv (dir, "segments.csv", segments, columns, err);
        json_decref (week1);
    }
    snprintf (path, sizeof path, "%s/segmentation.cohort_performance.json", dir);
    json_t *week11 = rc ? NULL : json_load_file (path, 0, &jerr);
    if (week11) {
        static const char *const columns[] = {
            "by",      "cohort",       "accounts",       "expanded", "deals",
            "won",     "lost",         "open",           "win_rate", "expansion_rate",
            "arr_won", "average_deal", "difference_pts", "z",        "verdict",
            NULL};
        json_t *all = json_array ();
        const char *by;
        json_t *list;
        json_object_foreach (json_object_get (week11, "cohorts"), by, list)
            json_array_extend (all, list);
        rc = s_json_csv (dir, "cohorts.csv", all, columns, err);
        json_decref (all);
        static const char *const bins[] = {"bin",           "deals",     "won",
                                           "score_min",     "score_max", "mean_predicted",
                                           "observed_rate", "lift",      NULL};
        json_t *calibration =
            json_object_get (json_object_get (week11, "propensity_accuracy"), "calibration");
        if (!rc && calibration)
            rc = s_json_csv (dir, "calibration.csv", calibration, bins, err);
        json_decref (week11);
    }
    return rc;
}

/*  dashboard.html, last: it reads the analysts' JSON beside it. */
static int
s_dashboard (const report_settings_t *settings, const Campaign__Snapshot *snapshot,
             const client_pipeline_t *pipeline, err_t *err)
{
    char tmp[4200], final[4200];
    FILE *file =
        report_file_open (settings->dir, "dashboard.html", tmp, final, sizeof tmp, err);
    if (!file)
        return ERR_IO;
    dashboard_input_t input = {.snapshot = snapshot,
                               .opportunities = pipeline->items,
                               .n_opportunities = pipeline->n,
                               .stages = settings->stages,
                               .start_day = settings->start_day,
                               .weeks = settings->weeks,
                               .reports_dir = settings->dir};
    int rc = dashboard_render (file, &input, err);
    if (rc) {
        fclose (file);
        remove (tmp);
        return rc;
    }
    return report_file_close (file, tmp, final, err);
}

int
report_write (client_t *client, const report_settings_t *settings, size_t *written, err_t *err)
{
    const char *dir = settings->dir;
    if (mkdir (dir, 0755) != 0 && errno != EEXIST)
        return err_set (err, ERR_IO, "cannot create the reports directory %s: %s", dir,
                        strerror (errno));
    wire_envelope_t *snapshot = NULL;
    int rc = client_snapshot (client, &snapshot, err);
    if (rc)
        return rc;
    client_pipeline_t pipeline = {0};
    rc = client_pipeline (client, NULL, NULL, &pipeline, err);
    char tmp[4200], final[4200];
    FILE *file = NULL;
    if (!rc && (file = report_file_open (dir, "snapshot.json", tmp, final, sizeof tmp, err))) {
        json_t *object = view_snapshot_json (snapshot->snapshot);
        json_dumpf (object, file, JSON_INDENT (2));
        fputc ('\n', file);
        json_decref (object);
        rc = report_file_close (file, tmp, final, err);
    } else if (!rc)
        rc = ERR_IO;
    if (!rc && (file = report_file_open (dir, "pipeline.csv", tmp, final, sizeof tmp, err))) {
        s_csv_header (file);
        for (size_t i = 0; i < pipeline.n; i++)
            s_csv_row (file, pipeline.items[i]);
        rc = report_file_close (file, tmp, final, err);
    } else if (!rc)
        rc = ERR_IO;
    if (!rc && (file = report_file_open (dir, "pipeline.json", tmp, final, sizeof tmp, err))) {
        json_t *array = json_array ();
        for (size_t i = 0; i < pipeline.n; i++)
            json_array_append_new (array, view_opportunity_json (pipeline.items[i]));
        json_dumpf (array, file, JSON_INDENT (1));
        fputc ('\n', file);
        json_decref (array);
        rc = report_file_close (file, tmp, final, err);
    } else if (!rc)
        rc = ERR_IO;
    if (!rc && (file = report_file_open (dir, "targets.csv", tmp, final, sizeof tmp, err))) {
        /*  The tiered target list: what is qualified and still open, best first. */
        Campaign__Opportunity **targets = calloc (pipeline.n + 1, sizeof *targets);
        size_t n = 0;
        for (size_t i = 0; targets && i < pipeline.n; i++) {
            const char *stage = pipeline.items[i]->stage ? pipeline.items[i]->stage : "";
            if (pipeline.items[i]->qualified && strncmp (stage, "closed-", 7) != 0)
                targets[n++] = pipeline.items[i];
        }
        if (targets)
            qsort (targets, n, sizeof *targets, s_by_tier);
        s_csv_header (file);
        for (size_t i = 0; i < n; i++)
            s_csv_row (file, targets[i]);
        free (targets);
        rc = report_file_close (file, tmp, final, err);
    } else if (!rc)
        rc = ERR_IO;
    if (!rc)
        rc = s_segmentation_csv (dir, err);
    if (!rc)
        rc = retrospective_write (dir, err);
    if (!rc)
        rc = s_dashboard (settings, snapshot->snapshot, &pipeline, err);
    if (!rc)
        *written = pipeline.n;
    client_pipeline_free (&pipeline);
    wire_free (&snapshot);
    return rc;
}

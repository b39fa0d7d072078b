/*  report.c: writing the campaign's reports (see report.h). */
#include "report.h"

#include "csvreader.h"
#include "view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/*  Open dir/name.tmp for writing; report_close renames it into place. */
static FILE *
s_open (const char *dir, const char *name, char *tmp, char *final, size_t size, err_t *err)
{
    snprintf (final, size, "%s/%s", dir, name);
    snprintf (tmp, size, "%s/.%s.tmp", dir, name);
    FILE *file = fopen (tmp, "w");
    if (!file)
        err_set (err, ERR_IO, "cannot write %s: %s", tmp, strerror (errno));
    return file;
}

static int
s_close (FILE *file, const char *tmp, const char *final, err_t *err)
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
    "opportunity_id", "account_id",    "type",       "stage",  "tier", "qualified",
    "complex",        "potential_arr", "propensity", "csm",    "ae",   "opened",
    "stage_changed",  "amount",        "closed",     "reason", NULL};

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
                           o->reason};
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

int
report_write (client_t *client, const char *dir, size_t *written, err_t *err)
{
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
    if (!rc && (file = s_open (dir, "snapshot.json", tmp, final, sizeof tmp, err))) {
        json_t *object = view_snapshot_json (snapshot->snapshot);
        json_dumpf (object, file, JSON_INDENT (2));
        fputc ('\n', file);
        json_decref (object);
        rc = s_close (file, tmp, final, err);
    } else if (!rc)
        rc = ERR_IO;
    if (!rc && (file = s_open (dir, "pipeline.csv", tmp, final, sizeof tmp, err))) {
        s_csv_header (file);
        for (size_t i = 0; i < pipeline.n; i++)
            s_csv_row (file, pipeline.items[i]);
        rc = s_close (file, tmp, final, err);
    } else if (!rc)
        rc = ERR_IO;
    if (!rc && (file = s_open (dir, "pipeline.json", tmp, final, sizeof tmp, err))) {
        json_t *array = json_array ();
        for (size_t i = 0; i < pipeline.n; i++)
            json_array_append_new (array, view_opportunity_json (pipeline.items[i]));
        json_dumpf (array, file, JSON_INDENT (1));
        fputc ('\n', file);
        json_decref (array);
        rc = s_close (file, tmp, final, err);
    } else if (!rc)
        rc = ERR_IO;
    if (!rc && (file = s_open (dir, "targets.csv", tmp, final, sizeof tmp, err))) {
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
        rc = s_close (file, tmp, final, err);
    } else if (!rc)
        rc = ERR_IO;
    if (!rc)
        *written = pipeline.n;
    client_pipeline_free (&pipeline);
    wire_free (&snapshot);
    return rc;
}

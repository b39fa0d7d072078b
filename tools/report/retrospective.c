/*  retrospective.c: retrospective.md and the next campaign's files (retrospective.h). */
#include "retrospective.h"

#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*  A text file holding one string member of the JSON. */
static int
s_text_file (const char *dir, const char *name, const char *text, err_t *err)
{
    char tmp[4200], final[4200];
    FILE *file = report_file_open (dir, name, tmp, final, sizeof tmp, err);
    if (!file)
        return ERR_IO;
    fputs (text, file);
    return report_file_close (file, tmp, final, err);
}

static double
s_num (json_t *object, const char *key)
{
    json_t *value = json_object_get (object, key);
    return json_is_number (value) ? json_number_value (value) : NAN;
}

static const char *
s_str (json_t *object, const char *key)
{
    const char *text = json_string_value (json_object_get (object, key));
    return text ? text : "";
}

/*  "$1,234,567" or "n/a". */
static const char *
s_money (double x, char *buf, size_t size)
{
    if (!isfinite (x)) {
        snprintf (buf, size, "n/a");
        return buf;
    }
    char digits[64];
    snprintf (digits, sizeof digits, "%.0f", fabs (x));
    size_t len = strlen (digits), at = 0;
    buf[at++] = '$';
    if (x < 0)
        buf[at++] = '-';
    for (size_t i = 0; i < len && at + 2 < size; i++) {
        if (i && (len - i) % 3 == 0)
            buf[at++] = ',';
        buf[at++] = digits[i];
    }
    buf[at] = '\0';
    return buf;
}

static void
s_list (FILE *out, const char *title, json_t *list)
{
    fprintf (out, "\n### %s\n\n", title);
    if (!json_array_size (list))
        fprintf (out, "- (none)\n");
    size_t i;
    json_t *item;
    json_array_foreach (list, i, item)
        fprintf (out, "- %s\n", json_string_value (item) ? json_string_value (item) : "");
}

static void
s_pct (FILE *out, double x)
{
    if (isfinite (x))
        fprintf (out, "%.1f%%", 100 * x);
    else
        fprintf (out, "n/a");
}

static void
s_markdown (FILE *out, json_t *root)
{
    json_t *sum = json_object_get (root, "summary");
    char a[64], b[64];
    fprintf (out,
             "# Retrospective: campaign %s\n\nWritten on %s by the retrospective-analyzer.\n",
             s_str (root, "campaign"), s_str (root, "date"));
    fprintf (out, "\n## Summary: targets against actuals\n\n| measure | target | actual |\n"
                  "|---|---|---|\n");
    fprintf (out, "| ARR won | %s | %s (", s_money (s_num (sum, "arr_goal"), a, sizeof a),
             s_money (s_num (sum, "arr_won"), b, sizeof b));
    s_pct (out, s_num (sum, "arr_vs_goal"));
    fprintf (out, " of goal) |\n| deals won | %s | %.0f |\n",
             isfinite (s_num (sum, "deals_goal"))
                 ? (snprintf (a, sizeof a, "%.0f", s_num (sum, "deals_goal")), a)
                 : "n/a",
             s_num (sum, "deals_won"));
    fprintf (out, "| conversion (won / qualified) | ");
    s_pct (out, s_num (sum, "conversion_goal"));
    fprintf (out, " | ");
    s_pct (out, s_num (sum, "conversion"));
    fprintf (out, " |\n| win rate (won / closed) | | ");
    s_pct (out, s_num (sum, "win_rate"));
    fprintf (out, " |\n| average deal | | %s |\n",
             s_money (s_num (sum, "average_deal"), a, sizeof a));
    fprintf (out, "| average cycle (days) | | %.1f |\n", s_num (sum, "average_cycle_days"));
    fprintf (out, "| investment | %s | |\n| ROI (ARR won / investment) | | %.2f |\n",
             s_money (s_num (sum, "investment"), a, sizeof a), s_num (sum, "roi"));
    fprintf (out,
             "\n%.0f opportunities, %.0f qualified; %.0f won, %.0f lost, %.0f still open.\n",
             s_num (sum, "opportunities"), s_num (sum, "qualified"), s_num (sum, "deals_won"),
             s_num (sum, "deals_lost"), s_num (sum, "deals_open"));

    fprintf (out, "\n## What worked and what did not\n");
    s_list (out, "Worked", json_object_get (root, "what_worked"));
    s_list (out, "Did not work", json_object_get (root, "what_did_not"));
    fprintf (out, "\n## Start, stop, continue\n");
    s_list (out, "Start", json_object_get (root, "start"));
    s_list (out, "Stop", json_object_get (root, "stop"));
    s_list (out, "Continue", json_object_get (root, "continue"));

    json_t *model = json_object_get (root, "model");
    fprintf (out, "\n## Refined propensity model\n\n");
    fprintf (out,
             "Refitted on %.0f outcomes (%.0f from this campaign, %.0f from history; %.0f "
             "won). Plays refitted: %s.\n\n",
             s_num (model, "rows"), s_num (model, "from_campaign"),
             s_num (model, "from_history"), s_num (model, "positives"),
             *s_str (model, "plays_refitted") ? s_str (model, "plays_refitted") : "none");
    fprintf (out, "| model | AUC | Brier |\n|---|---|---|\n");
    fprintf (out, "| the campaign's (on these outcomes) | %.4f | %.4f |\n",
             s_num (model, "auc_before"), s_num (model, "brier_before"));
    fprintf (out, "| refitted (cross-validated) | %.4f | %.4f |\n", s_num (model, "auc_after"),
             s_num (model, "brier_after"));
    if (*s_str (model, "notes"))
        fprintf (out, "\nNotes: %s\n", s_str (model, "notes"));
    fprintf (out, "\n%s\n",
             json_is_true (json_object_get (model, "better"))
                 ? "The refit is better: `propensity.model` here is for the next campaign "
                   "(`identifier.propensity.model`)."
                 : "The refit is not better than the campaign's model; `propensity.model` is "
                   "written for reference.");

    fprintf (out, "\n## Plays as they ran\n\n| play | won | lost | win rate | cycle days "
                  "(configured -> observed) | win rate (configured -> updated) |\n"
                  "|---|---|---|---|---|---|\n");
    size_t i;
    json_t *play;
    json_array_foreach (json_object_get (root, "plays"), i, play)
    {
        json_t *cc = json_object_get (play, "configured_cycle_days");
        json_t *uc = json_object_get (play, "updated_cycle_days");
        json_t *cw = json_object_get (play, "configured_win_rate");
        json_t *uw = json_object_get (play, "updated_win_rate");
        fprintf (out, "| %s | %.0f | %.0f | ", s_str (play, "play"), s_num (play, "won"),
                 s_num (play, "lost"));
        s_pct (out, s_num (play, "win_rate"));
        fprintf (out, " | %.0f-%.0f -> %.0f-%.0f | %.2f-%.2f -> %.2f-%.2f |\n",
                 json_number_value (json_array_get (cc, 0)),
                 json_number_value (json_array_get (cc, 1)),
                 json_number_value (json_array_get (uc, 0)),
                 json_number_value (json_array_get (uc, 1)),
                 json_number_value (json_array_get (cw, 0)),
                 json_number_value (json_array_get (cw, 1)),
                 json_number_value (json_array_get (uw, 0)),
                 json_number_value (json_array_get (uw, 1)));
    }
    fprintf (out, "\nThe updated plays are in `plays.cfg` (layer it with `-c`).\n");

    fprintf (out, "\n## Success stories (for Marketing)\n\n");
    json_t *story;
    json_array_foreach (json_object_get (root, "success_stories"), i, story)
    {
        fprintf (out, "%zu. **%s** (%s, %s): %s play, %s new ARR", i + 1, s_str (story, "name"),
                 s_str (story, "account"), s_str (story, "segment"), s_str (story, "play"),
                 s_money (s_num (story, "amount"), a, sizeof a));
        if (isfinite (s_num (story, "cycle_days")))
            fprintf (out, " in %.0f days", s_num (story, "cycle_days"));
        fprintf (out, ", propensity %.0f, CSM %s%s%s.\n", s_num (story, "propensity"),
                 s_str (story, "csm"), *s_str (story, "reason") ? ": " : "",
                 s_str (story, "reason"));
    }
    if (!json_array_size (json_object_get (root, "success_stories")))
        fprintf (out, "No deal was won.\n");
    s_list (out, "Recommendations for the next campaign",
            json_object_get (root, "recommendations"));
}

int
retrospective_write (const char *dir, err_t *err)
{
    char path[4200];
    snprintf (path, sizeof path, "%s/retrospective.run.json", dir);
    json_error_t jerr;
    json_t *root = json_load_file (path, 0, &jerr);
    if (!root) {
        FILE *probe = fopen (path, "r");
        if (!probe)
            return 0; /* the retrospective has not run */
        fclose (probe);
        return err_set (err, ERR_INVALID, "%s:%d: %s", path, jerr.line, jerr.text);
    }
    char tmp[4200], final[4200];
    FILE *file = report_file_open (dir, "retrospective.md", tmp, final, sizeof tmp, err);
    int rc = file ? 0 : ERR_IO;
    if (file) {
        s_markdown (file, root);
        rc = report_file_close (file, tmp, final, err);
    }
    const char *model =
        json_string_value (json_object_get (json_object_get (root, "model"), "model_file"));
    if (!rc && model)
        rc = s_text_file (dir, "propensity.model", model, err);
    const char *plays = json_string_value (json_object_get (root, "plays_file"));
    if (!rc && plays)
        rc = s_text_file (dir, "plays.cfg", plays, err);
    json_decref (root);
    return rc;
}

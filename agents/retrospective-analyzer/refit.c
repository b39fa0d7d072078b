/*  refit.c: refitting the propensity model on outcomes (refit.h). */
#include "refit.h"

#include "answer.h"
#include "csvreader.h"
#include "lookup.h"
#include "model.h"
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
refit_load (conf_t *conf, refit_t *out, err_t *err)
{
    memset (out, 0, sizeof *out);
    int64_t folds = 0, seed = 0, min_rows = 0;
    int rc = propensity_model_load (conf, &out->current, err);
    if (!rc)
        rc = whitespace_load (conf, &out->whitespace, err);
    if (!rc)
        rc = conf_double_range (conf, "retrospective.model.lambda", 1.0, 0, 1e6, &out->lambda,
                                err);
    if (!rc)
        rc = conf_int_range (conf, "retrospective.model.folds", 5, 2, 100, &folds, err);
    if (!rc)
        rc = conf_int_range (conf, "retrospective.model.seed", 7, 0, INT64_MAX, &seed, err);
    if (!rc)
        rc = conf_int_range (conf, "retrospective.model.min_rows", 30, 2, 100000000, &min_rows,
                             err);
    out->folds = (int)folds;
    out->seed = (uint64_t)seed;
    out->min_rows = (size_t)min_rows;
    if (rc)
        refit_free (out);
    return rc;
}

void
refit_free (refit_t *self)
{
    propensity_model_destroy (&self->current);
    whitespace_destroy (&self->whitespace);
}

void
refit_result_free (refit_result_t *result)
{
    free (result->plays_refitted);
    free (result->notes);
    free (result->model_text);
    memset (result, 0, sizeof *result);
}

static int
s_play (const char *type)
{
    for (int p = 0; type && p < PROP_PLAYS; p++)
        if (strcmp (type, propensity_plays[p]) == 0)
            return p;
    return -1;
}

/*  The training rows so far: one CSV line per row, the old model's probability and the
    label kept for the "before" figures. */
typedef struct {
    answer_t csv;
    double *p_old;
    int *label;
    int *play;
    size_t *start; /* offset of the row's line in csv */
    size_t n, cap;
    size_t per_play[PROP_PLAYS][2]; /* [play][label] */
} s_rows_t;

static void
s_row (const refit_t *self, s_rows_t *rows, const lookup_t *lookup,
       const Campaign__Account *account, int play, int won)
{
    whitespace_potential_t ws;
    whitespace_potential (self->whitespace, account,
                          lookup_health (lookup, account->account_id), 0, &ws);
    double x[PROP_FEATURES];
    propensity_account_features (account, ws.adjacent, x);
    propensity_t old;
    propensity_score (self->current, (propensity_play_t)play, x, &old);
    if (rows->n == rows->cap) {
        size_t cap = rows->cap ? rows->cap * 2 : 256;
        double *p = realloc (rows->p_old, cap * sizeof *p);
        if (p)
            rows->p_old = p;
        int *l = realloc (rows->label, cap * sizeof *l);
        if (l)
            rows->label = l;
        int *y = realloc (rows->play, cap * sizeof *y);
        if (y)
            rows->play = y;
        size_t *o = realloc (rows->start, cap * sizeof *o);
        if (o)
            rows->start = o;
        if (!p || !l || !y || !o) {
            rows->csv.nomem = true;
            return;
        }
        rows->cap = cap;
    }
    rows->p_old[rows->n] = old.score / 100;
    rows->play[rows->n] = play;
    rows->start[rows->n] = rows->csv.text_len;
    rows->label[rows->n++] = won;
    rows->per_play[play][won]++;
    for (int k = 0; k < PROP_FEATURES; k++)
        answer_say (&rows->csv, "%.17g,", x[k]);
    answer_say (&rows->csv, "%s,%d\n", propensity_plays[play], won);
}

int
refit_run (const refit_t *self, const Campaign__TaskInput *input, refit_result_t *out,
           err_t *err)
{
    memset (out, 0, sizeof *out);
    out->auc_before = out->brier_before = out->auc_after = out->brier_after = NAN;
    /*  Accounts and health by id: a scan per training row would be rows x accounts. */
    lookup_t *lookup = lookup_new (input);
    if (!lookup)
        return err_set (err, ERR_NOMEM, "out of memory");
    s_rows_t rows = {0};
    for (int k = 0; k < PROP_FEATURES; k++)
        answer_say (&rows.csv, "%s,", propensity_features[k]);
    answer_say (&rows.csv, "play,won\n");
    for (size_t i = 0; i < input->n_opportunities; i++) {
        const Campaign__Opportunity *o = input->opportunities[i];
        const char *stage = o->stage ? o->stage : "";
        bool won = strcmp (stage, "closed-won") == 0;
        int play = s_play (o->type);
        const Campaign__Account *a = lookup_account (lookup, o->account_id);
        if (play < 0 || !a || (!won && strcmp (stage, "closed-lost") != 0))
            continue;
        s_row (self, &rows, lookup, a, play, won);
        out->from_campaign++;
    }
    for (size_t i = 0; i < input->n_history; i++) {
        const Campaign__HistoryRecord *h = input->history[i];
        int play = s_play (h->opportunity_type);
        const Campaign__Account *a = lookup_account (lookup, h->account_id);
        if (play < 0 || !a || !h->outcome ||
            (strcmp (h->outcome, "won") != 0 && strcmp (h->outcome, "lost") != 0))
            continue;
        s_row (self, &rows, lookup, a, play, strcmp (h->outcome, "won") == 0);
        out->from_history++;
    }
    lookup_destroy (&lookup);
    int rc = rows.csv.nomem ? err_set (err, ERR_NOMEM, "out of memory") : 0;
    out->rows = rows.n;
    for (size_t i = 0; i < rows.n; i++)
        out->positives += (size_t)rows.label[i];
    err_t why;
    if (!rc && out->positives && out->positives < rows.n) {
        stats_auc (rows.p_old, rows.label, rows.n, &out->auc_before, &why);
        stats_brier (rows.p_old, rows.label, rows.n, &out->brier_before, &why);
    }
    /*  The plays with enough rows of both outcomes are refitted; the others' rows stay out
        of the fit. */
    answer_t notes = {0}, refitted = {0}, fit_csv = {0};
    bool use[PROP_PLAYS] = {false};
    size_t usable = 0;
    for (int p = 0; p < PROP_PLAYS; p++) {
        size_t n = rows.per_play[p][0] + rows.per_play[p][1];
        use[p] = n >= self->min_rows && rows.per_play[p][0] >= (size_t)self->folds &&
                 rows.per_play[p][1] >= (size_t)self->folds;
        if (use[p]) {
            usable++;
            answer_say (&refitted, "%s%s", refitted.text_len ? ", " : "", propensity_plays[p]);
        } else if (n)
            answer_say (
                &notes,
                "%s%s: %zu won and %zu lost is too few to refit (retrospective.model."
                "min_rows %zu, and %d of each for the folds): the campaign's coefficients "
                "stay",
                notes.text_len ? "; " : "", propensity_plays[p], rows.per_play[p][1],
                rows.per_play[p][0], self->min_rows, self->folds);
    }
    if (!rc && usable) {
        /*  The header and the usable plays' rows. */
        answer_say (&fit_csv, "%.*s", (int)(rows.n ? rows.start[0] : rows.csv.text_len),
                    rows.csv.text);
        for (size_t r = 0; r < rows.n; r++)
            if (use[rows.play[r]]) {
                size_t end = r + 1 < rows.n ? rows.start[r + 1] : rows.csv.text_len;
                answer_say (&fit_csv, "%.*s", (int)(end - rows.start[r]),
                            rows.csv.text + rows.start[r]);
            }
        csvreader_t *csv = NULL;
        model_t *model = NULL;
        rc = fit_csv.nomem ? err_set (err, ERR_NOMEM, "out of memory")
                           : csvreader_parse ("campaign outcomes", fit_csv.text,
                                              fit_csv.text_len, &csv, err);
        model_options_t options;
        model_options_default (&options);
        options.label = "won";
        options.group = "play";
        const char *features[PROP_FEATURES + 1] = {NULL}; /* NULL-terminated */
        memcpy (features, propensity_features, sizeof propensity_features);
        options.features = features;
        options.lambda = self->lambda;
        options.folds = self->folds;
        options.seed = self->seed;
        if (!rc)
            rc = model_fit (csv, &options, &model, err);
        int folds;
        if (!rc)
            model_cv (model, &folds, &out->auc_after, &out->brier_after);
        for (size_t i = 0; !rc && i < model_notes (model); i++)
            answer_say (&notes, "%s%s", notes.text_len ? "; " : "", model_note (model, i));
        char *text = NULL;
        size_t size = 0;
        FILE *memory = rc ? NULL : open_memstream (&text, &size);
        if (!rc && !memory)
            rc = err_set (err, ERR_NOMEM, "out of memory");
        if (memory) {
            fprintf (memory,
                     "# Propensity model refitted by the retrospective on %zu outcomes (%zu of "
                     "this campaign, %zu from history).\n"
                     "# Load it in the next campaign: identifier.propensity.model = \"<this "
                     "file>\".\n",
                     rows.n, out->from_campaign, out->from_history);
            rc = model_write (model, memory, err);
            if (fclose (memory) != 0 && !rc)
                rc = err_set (err, ERR_NOMEM, "out of memory");
            if (rc)
                free (text);
            else
                out->model_text = text;
        }
        model_destroy (&model);
        csvreader_destroy (&csv);
    } else if (!rc && !usable)
        answer_say (&notes,
                    "%sno play has enough outcomes to refit: the campaign's model stays",
                    notes.text_len ? "; " : "");
    if (!rc && (notes.nomem || refitted.nomem))
        rc = err_set (err, ERR_NOMEM, "out of memory");
    out->notes = notes.text ? notes.text : strdup ("");
    out->plays_refitted = refitted.text ? refitted.text : strdup ("");
    free (fit_csv.text);
    free (rows.csv.text);
    free (rows.p_old);
    free (rows.label);
    free (rows.play);
    free (rows.start);
    if (rc)
        refit_result_free (out);
    return rc;
}

/*  summary.c: campaign-model's printed output (summary.h). */
#include "summary.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

static void
s_weight (FILE *file, const char *label, double weight, const char *detail)
{
    fprintf (file, "    %-32s %+10.4f%s%s\n", label, weight, *detail ? "   " : "", detail);
}

void
summary_fit (FILE *file, const model_t *model)
{
    fprintf (file, "label '%s': %zu rows, %zu positive (%.1f%%); lambda %g; %zu model%s%s%s\n",
             model_label (model), model_trained_on (model), model_positives (model),
             100.0 * (double)model_positives (model) / (double)model_trained_on (model),
             model_lambda (model), model_groups (model), model_groups (model) == 1 ? "" : "s",
             *model_group_by (model) ? ", one per value of " : "", model_group_by (model));
    for (size_t g = 0; g < model_groups (model); g++) {
        const model_group_t *group = model_group (model, g);
        char label[256], detail[256];
        fprintf (file, "\n%s%s%s%zu rows, %zu positive, %d Newton iterations%s",
                 *group->group ? "group '" : "", group->group, *group->group ? "': " : "",
                 group->trained_on, group->positives, group->iterations,
                 group->converged ? "" : " (not converged)");
        if (group->has_cv)
            fprintf (file, "; cross-validated AUC %.4f, Brier %.4f", group->cv_auc,
                     group->cv_brier);
        fprintf (file, "\n");
        s_weight (file, "intercept", group->intercept, "");
        for (size_t k = 0; k < group->n_numeric; k++) {
            const model_numeric_t *num = &group->numeric[k];
            snprintf (detail, sizeof detail, "per sd: (x - %.6g) / %.6g", num->mean,
                      num->scale);
            s_weight (file, num->name, num->weight, detail);
        }
        for (size_t q = 0; q < group->n_categorical; q++) {
            const model_categorical_t *cat = &group->categorical[q];
            snprintf (detail, sizeof detail, "vs the reference '%s'", cat->reference);
            for (size_t l = 0; l < cat->n_levels; l++) {
                snprintf (label, sizeof label, "%s = %s", cat->name, cat->levels[l].level);
                s_weight (file, label, cat->levels[l].weight, detail);
            }
        }
    }
    int folds = 0;
    double auc = 0, brier = 0;
    if (model_cv (model, &folds, &auc, &brier))
        fprintf (file, "\ncross-validated (%d folds): AUC %.4f, Brier %.4f\n", folds, auc,
                 brier);
}

void
summary_evaluation (FILE *file, const model_evaluation_t *eval)
{
    fprintf (file, "rows %zu, positive %zu (%.1f%%)\n", eval->n, eval->positives,
             100.0 * (double)eval->positives / (double)eval->n);
    if (isnan (eval->auc))
        fprintf (file, "AUC        undefined (one outcome only)\n");
    else
        fprintf (file, "AUC        %.4f\n", eval->auc);
    fprintf (file, "Brier      %.4f\nlog loss   %.4f\n", eval->brier, eval->log_loss);
    const stats_calibration_t *cal = eval->calibration;
    if (!cal) {
        fprintf (file, "no positive case: no calibration or lift table\n");
        return;
    }
    fprintf (file, "ECE        %.4f\ntop lift   %.2f\n\n", cal->ece, cal->top_lift);
    fprintf (file, "%-4s %8s %9s %21s %10s %9s %6s\n", "bin", "rows", "positive",
             "predicted range", "predicted", "observed", "lift");
    for (size_t b = 0; b < cal->bins; b++) {
        const stats_bin_t *bin = &cal->bin[b];
        fprintf (file, "%-4zu %8zu %9zu %10.4f-%-10.4f %10.4f %9.4f %6.2f\n", b + 1, bin->count,
                 bin->positives, bin->score_min, bin->score_max, bin->mean_predicted,
                 bin->observed_rate, bin->lift);
    }
    fprintf (file, "(bin 1 holds the highest predictions)\n");
}

int
summary_evaluation_json (FILE *file, const model_evaluation_t *eval)
{
    json_t *root = json_object ();
    json_t *bins = json_array ();
    if (!root || !bins) {
        json_decref (root);
        json_decref (bins);
        return ERR_NOMEM;
    }
    json_object_set_new (root, "rows", json_integer ((json_int_t)eval->n));
    json_object_set_new (root, "positives", json_integer ((json_int_t)eval->positives));
    json_object_set_new (root, "auc", isnan (eval->auc) ? json_null () : json_real (eval->auc));
    json_object_set_new (root, "brier", json_real (eval->brier));
    json_object_set_new (root, "log_loss", json_real (eval->log_loss));
    const stats_calibration_t *cal = eval->calibration;
    json_object_set_new (root, "ece", cal ? json_real (cal->ece) : json_null ());
    json_object_set_new (root, "top_lift", cal ? json_real (cal->top_lift) : json_null ());
    for (size_t b = 0; cal && b < cal->bins; b++) {
        const stats_bin_t *bin = &cal->bin[b];
        json_t *item = json_pack (
            "{s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f}", "bin", (json_int_t)b + 1, "count",
            (json_int_t)bin->count, "positives", (json_int_t)bin->positives, "score_min",
            bin->score_min, "score_max", bin->score_max, "mean_predicted", bin->mean_predicted,
            "observed_rate", bin->observed_rate, "lift", bin->lift);
        if (item)
            json_array_append_new (bins, item);
    }
    json_object_set_new (root, "bins", bins);
    int rc = json_dumpf (root, file, JSON_INDENT (2) | JSON_REAL_PRECISION (10));
    fputc ('\n', file);
    json_decref (root);
    return rc == 0 ? 0 : ERR_IO;
}

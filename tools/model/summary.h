/*  summary.h: what campaign-model prints: a fitted model's coefficients and
    cross-validation, and an evaluation as a table or as JSON.

    Printing only; the numbers come from lib/model (which computes them with lib/stats).
*/
#ifndef CAMPAIGN_MODEL_SUMMARY_H
#define CAMPAIGN_MODEL_SUMMARY_H

#include <stdio.h>

#include "model.h"

/*  The fit: rows, groups, each weight with its encoding, cross-validation. */
void summary_fit (FILE *file, const model_t *model);

/*  The evaluation: AUC, Brier, log loss, ECE and the calibration / lift table by bin. */
void summary_evaluation (FILE *file, const model_evaluation_t *eval);

/*  The same as one JSON object: {"rows", "positives", "auc" (null if undefined),
    "brier", "log_loss", "ece", "top_lift", "bins": [{"bin", "count", "positives",
    "score_min", "score_max", "mean_predicted", "observed_rate", "lift"}]}. 0, or
    ERR_NOMEM. */
int summary_evaluation_json (FILE *file, const model_evaluation_t *eval);

#endif

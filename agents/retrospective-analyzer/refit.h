/*  refit.h: the refined propensity model of the retrospective (issue 7 item 2).

    Training rows: every closed deal of this campaign (won = 1, lost = 0) and every won or
    lost record of the accounts' history, each with the identifier's fifteen account
    features (propensity.h, computed as the identifier computes them) and its play. One
    logistic model per play is fitted with lib/model.h (L2 penalty
    retrospective.model.lambda, retrospective.model.folds-fold cross-validation seeded by
    retrospective.model.seed); a play with fewer than retrospective.model.min_rows rows
    or only one outcome keeps the campaign's coefficients and is named in the notes.

    Before and after: the model the campaign used (identifier.propensity, or its model
    file) scores the same rows, which it was not fitted on: its AUC and Brier are honest
    out-of-sample figures. The refit's are cross-validated. Both are pooled over plays.
    The result is a campaign-model file the next campaign loads with
    identifier.propensity.model.
*/
#ifndef CAMPAIGN_REFIT_H
#define CAMPAIGN_REFIT_H

#include <stdint.h>

#include "campaign.pb-c.h"
#include "conf.h"
#include "err.h"
#include "propensity.h"
#include "whitespace.h"

typedef struct {
    propensity_model_t *current; /* the model the campaign used */
    whitespace_t *whitespace;    /* the adjacency behind the `adjacent` feature */
    double lambda;
    int folds;
    uint64_t seed;
    size_t min_rows;
} refit_t;

typedef struct {
    size_t rows, positives;
    size_t from_campaign, from_history;
    double auc_before, brier_before; /* NaN when one class is missing */
    double auc_after, brier_after;   /* NaN when nothing was refitted */
    char *plays_refitted;            /* "seat, tier" */
    char *notes;                     /* why a play was not refitted, fit warnings */
    char *model_text;                /* the model file; NULL when nothing was refitted */
} refit_result_t;

int refit_load (conf_t *conf, refit_t *out, err_t *err);
void refit_free (refit_t *self);

/*  Refit on input (its opportunities, accounts, health and history). 0, or ERR_NOMEM /
    ERR_INVALID (the fit refused the data) with err. Free out with refit_result_free. */
int refit_run (const refit_t *self, const Campaign__TaskInput *input, refit_result_t *out,
               err_t *err);
void refit_result_free (refit_result_t *result);

#endif

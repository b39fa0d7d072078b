/*  model.h: logistic propensity models: fit on a CSV, cross-validate, save, load,
    predict, evaluate (SPEC section 5 "Propensity" and "Retrospective"; issue 7 item 1).

    A model predicts p = logistic (intercept + sum_k w_k (x_k - mean_k) / scale_k
    + sum_c w_c,level) for one row, where the first sum runs over numeric features (the
    identifier's propensity form, propensity.h, exactly: weight applies to the
    standardised value) and the second over categorical features, one-hot encoded
    against a reference level whose weight is 0. A model file may hold one such model
    per value of a group column (e.g. opportunity_type: seat, tier, cross-sell, geo).

    Fitting (model_fit): numeric columns get the mean and population sd (lib/stats) of
    all rows, shared by every group as the identifier's one `features` block is, so a
    grouped file maps onto identifier.propensity without conversion; a constant column
    gets scale 1 and weight 0 and is reported (so does one constant within a group).
    Categorical levels are per group: the most frequent level (ties: the first in byte
    order) is the reference, the others get one indicator each. The weights
    minimise the penalised negative log-likelihood
        -sum_i [y_i ln p_i + (1 - y_i) ln (1 - p_i)] + lambda / 2 x sum_k w_k^2
    (the intercept is not penalised) by Newton's method (IRLS) with step halving, so
    every step lowers the objective, until max |gradient| <= tolerance x n or
    max_iterations. Two degenerate cases are detected and fitted with a small extra
    ridge (MODEL_RIDGE_FALLBACK) instead, with a warning: a singular design (a column
    that repeats or combines others; the warning names it), and separation at
    lambda = 0 (a weight beyond MODEL_SEPARATION_WEIGHT on the standardised scale, or
    every row fitted to within 1e-9 of its label: the maximum-likelihood weights are
    infinite). So a fit always ends with finite weights, and never loops unbounded.

    Cross-validation (options.folds >= 2): rows of each group are dealt into folds by
    label (stratified), shuffled by options.seed, so one seed gives one assignment;
    each fold is predicted by weights fitted on the others, with the group's full-data
    encoding (the encoding uses no labels, so no outcome leaks). AUC and Brier of the
    pooled out-of-fold predictions are recorded per group and over all groups. A group
    with fewer than `folds` rows of either label is not cross-validated (a warning).

    Labels: 1/0, yes/no, won/lost, true/false (case-insensitive). Every data cell the
    model uses must be non-empty; a numeric feature must be a finite number. Errors
    name file:line and column.

    The model file (libconfig; model_save writes it, model_load reads it):

        model = {
          version = 1;
          label = "won";              # the label column
          group_by = "opportunity_type";  # "" when not grouped
          lambda = 1.0;
          trained_on = 1234; positives = 400;
          cv = { folds = 5; seed = 1; auc = 0.78; brier = 0.17; };  # absent: no CV
          notes = ( "column 'x' is constant ..." );                 # fit warnings
          groups = (
            { group = "seat";         # "" when not grouped
              trained_on = 600; positives = 250; iterations = 7; converged = true;
              intercept = -1.2;
              numeric = ( { name = "utilisation"; mean = 0.74; scale = 0.18;
                            weight = 1.39; }, ... );
              categorical = ( { name = "segment"; reference = "smb";
                                levels = ( { level = "enterprise"; weight = 0.3; },
                                           ... ); } );
              cv = { auc = 0.77; brier = 0.18; };                   # absent: no CV
            }, ... );
        };

    Numbers are written with the fewest digits that read back to the same double, so a
    saved and reloaded model predicts bit-identically. model_load needs version, label,
    groups and, per group, group, intercept, numeric and categorical (lists may be
    empty); the rest is informative and optional. Every scale must be > 0, every number
    finite, group, feature and level names unique.

    At prediction time a categorical level the model has not seen counts as the
    reference (weight 0): a new segment is scored like the most common one.

    Ownership: a model_t owns all its strings; pointers model_* hands out live as long
    as the model. Not thread-safe to mutate; const use from many threads is fine.
*/
#ifndef CAMPAIGN_MODEL_H
#define CAMPAIGN_MODEL_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include "csvreader.h"
#include "err.h"
#include "stats.h"

#define MODEL_FORMAT_VERSION 1

/*  Extra ridge added to lambda when the design is singular or the data separable
    (absolute, in the units of the objective, i.e. of a sum over rows). */
#define MODEL_RIDGE_FALLBACK 1e-2

/*  A weight on a standardised column (or an indicator) beyond this, at lambda = 0,
    means the likelihood has no finite maximum (separation): e^15, an odds ratio of
    3 million per standard deviation, is no real propensity. With the default
    tolerance a separated weight passes 18 before the gradient is small enough. */
#define MODEL_SEPARATION_WEIGHT 15.0

/* --------------------------------------------------------------------------
   The model, as data */

typedef struct {
    char *name;
    double mean;
    double scale;  /* > 0; 1 for a constant column */
    double weight; /* on (x - mean) / scale; 0 for a constant column */
} model_numeric_t;

typedef struct {
    char *level;
    double weight;
} model_level_t;

typedef struct {
    char *name;
    char *reference;       /* weight 0; also used for unseen levels */
    size_t n_levels;       /* the non-reference levels */
    model_level_t *levels; /* sorted by level (byte order) */
} model_categorical_t;

typedef struct {
    char *group; /* "" when the model is not grouped */
    double intercept;
    size_t n_numeric;
    model_numeric_t *numeric;
    size_t n_categorical;
    model_categorical_t *categorical;
    size_t trained_on, positives;
    int iterations;
    bool converged;
    bool has_cv;
    double cv_auc, cv_brier;
} model_group_t;

typedef struct _model_t model_t;

/* --------------------------------------------------------------------------
   Fitting */

typedef struct {
    const char *label;              /* label column (required) */
    const char *const *features;    /* NULL-terminated; NULL: every other column */
    const char *const *categorical; /* NULL-terminated; NULL: auto-detect (a column
                                       with any non-numeric cell is categorical) */
    const char *const *ignore;      /* NULL-terminated columns never used; may be NULL */
    const char *group;              /* one model per value of this column; NULL: one */
    double lambda;                  /* L2 penalty >= 0 (default 1.0) */
    int folds;                      /* cross-validation folds: 0 none, else 2..100
                                       (default 5) */
    uint64_t seed;                  /* fold assignment (default 1) */
    int max_iterations;             /* Newton iterations per fit, 1.. (default 100) */
    double tolerance;               /* on max |gradient| / n (default 1e-9) */
} model_options_t;

void model_options_default (model_options_t *options);

/*  Fit a model on the rows of csv as options say. 0 with *out (model_destroy it), or
    ERR_INVALID naming file:line and column: a missing label, feature or group column,
    a label that is not one of the accepted words, an empty cell, a feature listed as
    numeric whose cell is not a number, no rows, a group with no row of one label;
    ERR_USAGE for contradictory options (the label is also a feature, bad lambda, ...).
    Warnings (constant columns, singular design, separation, groups not
    cross-validated) are kept in the model (model_notes). */
int model_fit (csvreader_t *csv, const model_options_t *options, model_t **out, err_t *err);

/*  What one penalised Newton fit did (model_logistic_fit). */
typedef struct {
    int iterations;
    bool converged;         /* gradient criterion met */
    bool singular;          /* the Hessian was singular: fitted with extra ridge */
    size_t singular_column; /* the first column found to depend on earlier ones */
    bool separated;         /* separation at lambda = 0: fitted with extra ridge */
    double ridge;           /* the ridge actually added to lambda (0 if none) */
    double objective;       /* penalised negative log-likelihood at the answer */
} model_fit_report_t;

/*  The core: weights of a logistic model on an already encoded design. x is row-major
    n x d (no intercept column), y n labels 0/1, rows (may be NULL: all) an index list of
    n_rows rows to fit on. beta receives d + 1 values: the intercept, then the d
    weights. Needs n_rows >= 1 and both labels present unless lambda > 0. 0 with beta
    and report, ERR_INVALID for bad input, ERR_NOMEM. */
int model_logistic_fit (const double *x, const int *y, size_t n, size_t d, const size_t *rows,
                        size_t n_rows, double lambda, int max_iterations, double tolerance,
                        double *beta, model_fit_report_t *report, err_t *err);

/* --------------------------------------------------------------------------
   The model file */

/*  Write the model to path atomically (path.tmp, then rename): on error nothing is
    left at path or path.tmp. ERR_IO naming the path. */
int model_save (const model_t *self, const char *path, err_t *err);

/*  The same text written to an open file (a memory stream, say): ERR_IO if writing
    failed. */
int model_write (const model_t *self, FILE *file, err_t *err);

/*  Read a model file. ERR_IO if unreadable, ERR_PARSE "path:line: message" if libconfig
    rejects it, ERR_INVALID "path:line: setting 'model.groups.[0].numeric.[1].scale':
    ..." for a missing or ill-typed setting or a bad value. */
int model_load (const char *path, model_t **out, err_t *err);

void model_destroy (model_t **self_p);

/*  Read access. */
const char *model_label (const model_t *self);
const char *model_group_by (const model_t *self); /* "" if not grouped */
double model_lambda (const model_t *self);
size_t model_groups (const model_t *self);
const model_group_t *model_group (const model_t *self, size_t index);
/*  The group of that name ("" or NULL for an ungrouped model), or NULL. */
const model_group_t *model_group_find (const model_t *self, const char *group);
size_t model_trained_on (const model_t *self);
size_t model_positives (const model_t *self);
/*  Pooled cross-validation over all groups: false if none was run. */
bool model_cv (const model_t *self, int *folds, double *auc, double *brier);
/*  Fit warnings, in the order they arose. */
size_t model_notes (const model_t *self);
const char *model_note (const model_t *self, size_t index);

/* --------------------------------------------------------------------------
   Prediction */

/*  One named feature value: a number for a numeric feature, a level (text) for a
    categorical one. */
typedef struct {
    const char *name;
    double number;
    const char *level; /* NULL for a numeric value */
} model_value_t;

/*  Probability of the label for one case of group (NULL or "" for an ungrouped model)
    with n named values (order free; names the model does not use are ignored).
    ERR_NOTFOUND for an unknown group, ERR_INVALID if a feature of the model has no
    value, or a numeric feature's value is not finite or given as a level (or the
    reverse). An unknown level counts as the reference. */
int model_predict (const model_t *self, const char *group, const model_value_t *values,
                   size_t n, double *p, err_t *err);

/* --------------------------------------------------------------------------
   Evaluation on labelled data */

typedef struct {
    size_t n, positives;
    double auc; /* NaN when one label is absent (AUC undefined) */
    double brier;
    double log_loss;
    stats_calibration_t *calibration; /* deciles (fewer bins if n < 10); NULL when there
                                         is no positive */
} model_evaluation_t;

/*  Predict every row of csv (which must have the model's label, group and feature
    columns) and measure. ERR_INVALID naming file:line and column for bad cells,
    ERR_NOTFOUND for a group value the model does not have. Free with
    model_evaluation_destroy. */
int model_evaluate (const model_t *self, csvreader_t *csv, size_t bins,
                    model_evaluation_t **out, err_t *err);
void model_evaluation_destroy (model_evaluation_t **self_p);

/*  Parse a label cell: 1/0, yes/no, won/lost, true/false (case-insensitive, spaces
    around allowed). 0 with *label, or -1. */
int model_parse_label (const char *text, int *label);

#endif

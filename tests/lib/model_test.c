/*  model_test.c: the logistic propensity models of lib/model.

    Small problems whose answer is worked out by hand (a single binary feature or one
    categorical column: the maximum-likelihood fit is the log odds of each cell's rate),
    the unpenalised fit against a plain gradient descent written here independently,
    the penalty's optimality condition and shrinkage, the degenerate designs (separable
    data, duplicated and constant columns), the file round trip, the errors' wording,
    and a large sample drawn from a known model whose weights and AUC must come back. */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "propensity.h"
#include "rng.h"
#include "test_support.h"

TS_SUITE (model);

static double
s_logit (double p)
{
    return log (p / (1 - p));
}

static double
s_sigmoid (double t)
{
    return 1 / (1 + exp (-t));
}

/*  Parse text as "data.csv" and fit it; returns model_fit's code, the model in *out. */
static int
s_fit_text (const char *text, const model_options_t *options, model_t **out, err_t *err)
{
    csvreader_t *csv = NULL;
    int rc = csvreader_parse ("data.csv", text, strlen (text), &csv, err);
    if (!rc)
        rc = model_fit (csv, options, out, err);
    csvreader_destroy (&csv);
    return rc;
}

/*  Options for exact fits: no penalty, no CV. */
static model_options_t
s_exact (const char *label)
{
    model_options_t options;
    model_options_default (&options);
    options.label = label;
    options.lambda = 0;
    options.folds = 0;
    return options;
}

static bool
s_has_note (const model_t *model, const char *fragment)
{
    for (size_t i = 0; i < model_notes (model); i++)
        if (strstr (model_note (model, i), fragment))
            return true;
    return false;
}

/*  rows of "x,label" (x in {0,1}) with the given counts appended to a stream. */
static void
s_cells (FILE *stream, const char *x, int rows, int positives)
{
    for (int i = 0; i < rows; i++)
        fprintf (stream, "%s,%s\n", x, i < positives ? "won" : "lost");
}

/* --------------------------------------------------------------------------
   Hand-worked fits */

Test (model, single_binary_feature_gives_the_log_odds_ratio)
{
    /*  x = 0: 30 rows, 6 won (rate 0.2); x = 1: 10 rows, 7 won (0.7). The MLE
        reproduces both rates. mean x = 0.25, population sd = sqrt (0.25 x 0.75), so
        z = (x - 0.25) / sd; logit p = b0 + w z gives w = LOR x sd with LOR = logit 0.7 -
        logit 0.2, and b0 = logit 0.2 + LOR x 0.25. */
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream (&text, &size);
    fprintf (stream, "x,outcome\n");
    s_cells (stream, "0", 30, 6);
    s_cells (stream, "1", 10, 7);
    fclose (stream);
    model_options_t options = s_exact ("outcome");
    model_t *model = NULL;
    err_t err;
    cr_assert_eq (s_fit_text (text, &options, &model, &err), 0, "%s", err.msg);
    free (text);
    const model_group_t *group = model_group (model, 0);
    cr_assert_eq (group->n_numeric, 1);
    double sd = sqrt (0.25 * 0.75), lor = s_logit (0.7) - s_logit (0.2);
    cr_expect_float_eq (group->numeric[0].mean, 0.25, 1e-12);
    cr_expect_float_eq (group->numeric[0].scale, sd, 1e-12);
    cr_expect_float_eq (group->numeric[0].weight, lor * sd, 1e-6, "w %.9f",
                        group->numeric[0].weight);
    cr_expect_float_eq (group->intercept, s_logit (0.2) + lor * 0.25, 1e-6);
    cr_expect (group->converged);
    cr_expect_eq (model_trained_on (model), 40);
    cr_expect_eq (model_positives (model), 13);
    cr_expect_eq (model_notes (model), 0, "%s", model_note (model, 0));

    double p = 0;
    model_value_t value = {"x", 0, NULL};
    cr_assert_eq (model_predict (model, NULL, &value, 1, &p, &err), 0, "%s", err.msg);
    cr_expect_float_eq (p, 0.2, 1e-7);
    value.number = 1;
    cr_assert_eq (model_predict (model, "", &value, 1, &p, &err), 0, "%s", err.msg);
    cr_expect_float_eq (p, 0.7, 1e-7);
    model_destroy (&model);
    cr_expect_null (model);
    model_destroy (&model); /* NULL-safe */
}

Test (model, categorical_levels_against_the_most_frequent_reference)
{
    /*  smb 50 rows (10 won, 0.2), mid 30 (15, 0.5), ent 20 (16, 0.8): smb is the
        reference; each level's weight is its log odds minus smb's; the intercept is
        smb's log odds. */
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream (&text, &size);
    fprintf (stream, "segment,won\n");
    const char *names[] = {"mid", "smb", "ent"};
    const int rows[] = {30, 50, 20}, won[] = {15, 10, 16};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < rows[k]; i++)
            fprintf (stream, "%s,%d\n", names[k], i < won[k]);
    fclose (stream);
    model_options_t options = s_exact ("won");
    model_t *model = NULL;
    err_t err;
    cr_assert_eq (s_fit_text (text, &options, &model, &err), 0, "%s", err.msg);
    free (text);
    const model_group_t *group = model_group (model, 0);
    cr_assert_eq (group->n_numeric, 0);
    cr_assert_eq (group->n_categorical, 1, "segment auto-detected as categorical");
    const model_categorical_t *cat = &group->categorical[0];
    cr_expect_str_eq (cat->reference, "smb");
    cr_assert_eq (cat->n_levels, 2);
    cr_expect_str_eq (cat->levels[0].level, "ent"); /* byte order */
    cr_expect_str_eq (cat->levels[1].level, "mid");
    cr_expect_float_eq (group->intercept, s_logit (0.2), 1e-6);
    cr_expect_float_eq (cat->levels[0].weight, s_logit (0.8) - s_logit (0.2), 1e-6);
    cr_expect_float_eq (cat->levels[1].weight, s_logit (0.5) - s_logit (0.2), 1e-6);

    /*  An unseen level scores as the reference. */
    double p_new = 0, p_smb = 0;
    model_value_t value = {"segment", 0, "public-sector"};
    cr_assert_eq (model_predict (model, NULL, &value, 1, &p_new, &err), 0, "%s", err.msg);
    value.level = "smb";
    cr_assert_eq (model_predict (model, NULL, &value, 1, &p_smb, &err), 0, "%s", err.msg);
    cr_expect_eq (p_new, p_smb);
    cr_expect_float_eq (p_smb, 0.2, 1e-7);
    model_destroy (&model);
}

Test (model, label_words)
{
    const char *ones[] = {"1", "yes", "Won", "TRUE", " true "};
    const char *zeros[] = {"0", "no", "lost", "False"};
    const char *bad[] = {"", "2", "maybe", "wonlost", "1.0"};
    int label = -1;
    for (size_t i = 0; i < 5; i++) {
        cr_expect_eq (model_parse_label (ones[i], &label), 0, "%s", ones[i]);
        cr_expect_eq (label, 1, "%s", ones[i]);
    }
    for (size_t i = 0; i < 4; i++) {
        cr_expect_eq (model_parse_label (zeros[i], &label), 0, "%s", zeros[i]);
        cr_expect_eq (label, 0, "%s", zeros[i]);
    }
    for (size_t i = 0; i < 5; i++)
        cr_expect_eq (model_parse_label (bad[i], &label), -1, "'%s'", bad[i]);
}

/* --------------------------------------------------------------------------
   The unpenalised fit is the MLE; the penalty shrinks */

#define DESIGN_N 300
#define DESIGN_D 3

/*  A well-conditioned design with an outcome drawn from a logistic model. */
static void
s_design (uint64_t seed, double *x, int *y)
{
    rng_t rng;
    rng_seed (&rng, seed);
    const double truth[DESIGN_D + 1] = {-0.3, 0.8, -0.5, 0.3};
    for (size_t i = 0; i < DESIGN_N; i++) {
        double eta = truth[0];
        for (size_t j = 0; j < DESIGN_D; j++) {
            x[i * DESIGN_D + j] = rng_normal (&rng);
            eta += truth[j + 1] * x[i * DESIGN_D + j];
        }
        y[i] = rng_unit (&rng) < s_sigmoid (eta);
    }
}

/*  The gradient of the penalised objective at beta, into g (D values). */
static void
s_gradient (const double *x, const int *y, const double *beta, double lambda, double *g)
{
    memset (g, 0, (DESIGN_D + 1) * sizeof *g);
    for (size_t i = 0; i < DESIGN_N; i++) {
        double eta = beta[0];
        for (size_t j = 0; j < DESIGN_D; j++)
            eta += beta[j + 1] * x[i * DESIGN_D + j];
        double r = s_sigmoid (eta) - y[i];
        g[0] += r;
        for (size_t j = 0; j < DESIGN_D; j++)
            g[j + 1] += r * x[i * DESIGN_D + j];
    }
    for (size_t j = 1; j <= DESIGN_D; j++)
        g[j] += lambda * beta[j];
}

Test (model, unpenalised_fit_equals_gradient_descent_mle)
{
    double x[DESIGN_N * DESIGN_D];
    int y[DESIGN_N];
    s_design (7, x, y);
    double beta[DESIGN_D + 1];
    model_fit_report_t report;
    err_t err;
    cr_assert_eq (model_logistic_fit (x, y, DESIGN_N, DESIGN_D, NULL, 0, 0, 100, 1e-10, beta,
                                      &report, &err),
                  0, "%s", err.msg);
    cr_expect (report.converged);
    cr_expect_not (report.separated || report.singular);
    cr_expect_lt (report.iterations, 15, "Newton needs few steps: %d", report.iterations);

    /*  Plain gradient descent on the mean log loss, fixed step 1 (the mean loss's
        curvature is below 1/4 x the largest eigenvalue of x'x/n, about 1.3 here). */
    double reference[DESIGN_D + 1] = {0}, g[DESIGN_D + 1];
    for (int it = 0; it < 20000; it++) {
        s_gradient (x, y, reference, 0, g);
        for (size_t j = 0; j <= DESIGN_D; j++)
            reference[j] -= g[j] / DESIGN_N;
    }
    s_gradient (x, y, reference, 0, g);
    for (size_t j = 0; j <= DESIGN_D; j++)
        cr_assert_lt (fabs (g[j]) / DESIGN_N, 1e-9, "gradient descent converged");
    for (size_t j = 0; j <= DESIGN_D; j++)
        cr_expect_float_eq (beta[j], reference[j], 1e-4, "beta[%zu] %.8f vs %.8f", j, beta[j],
                            reference[j]);
}

Test (model, penalty_meets_its_optimality_condition_and_shrinks)
{
    double x[DESIGN_N * DESIGN_D];
    int y[DESIGN_N];
    s_design (11, x, y);
    const double lambdas[] = {0, 1, 10, 100, 1000, 1e6};
    double previous = INFINITY;
    for (size_t k = 0; k < 6; k++) {
        double beta[DESIGN_D + 1], g[DESIGN_D + 1];
        err_t err;
        cr_assert_eq (model_logistic_fit (x, y, DESIGN_N, DESIGN_D, NULL, 0, lambdas[k], 100,
                                          1e-10, beta, NULL, &err),
                      0, "%s", err.msg);
        /*  At the penalised optimum x'(p - y) + lambda w = 0 and sum (p - y) = 0. */
        s_gradient (x, y, beta, lambdas[k], g);
        for (size_t j = 0; j <= DESIGN_D; j++)
            cr_expect_lt (fabs (g[j]), 1e-6, "lambda %g: gradient[%zu] = %g", lambdas[k], j,
                          g[j]);
        double norm = 0;
        for (size_t j = 1; j <= DESIGN_D; j++)
            norm += beta[j] * beta[j];
        norm = sqrt (norm);
        cr_expect_lt (norm, previous, "lambda %g: |w| %g not below %g", lambdas[k], norm,
                      previous);
        previous = norm;
    }
    cr_expect_lt (previous, 1e-3, "lambda 1e6 leaves |w| = %g", previous);
}

/* --------------------------------------------------------------------------
   Degenerate designs */

Test (model, separable_data_end_finite_with_a_warning)
{
    /*  won exactly when x > 10: the unpenalised weight would be infinite. */
    char text[1024] = "x,won\n";
    for (int i = 1; i <= 20; i++)
        snprintf (text + strlen (text), sizeof text - strlen (text), "%d,%d\n", i, i > 10);
    model_options_t options = s_exact ("won");
    model_t *model = NULL;
    err_t err;
    cr_assert_eq (s_fit_text (text, &options, &model, &err), 0, "%s", err.msg);
    const model_group_t *group = model_group (model, 0);
    cr_expect (isfinite (group->intercept) && isfinite (group->numeric[0].weight));
    cr_expect_gt (group->numeric[0].weight, 1, "still points the right way: %g",
                  group->numeric[0].weight);
    cr_expect (group->converged);
    cr_expect (s_has_note (model, "separation"), "notes: %s", model_note (model, 0));
    model_destroy (&model);

    /*  Quasi-separation: level 'b' is never won; the rest overlaps. */
    char *quasi = NULL;
    size_t size = 0;
    FILE *stream = open_memstream (&quasi, &size);
    fprintf (stream, "kind,x,won\n");
    for (int i = 0; i < 40; i++)
        fprintf (stream, "a,%d,%d\n", i % 7, i % 3 == 0);
    for (int i = 0; i < 10; i++)
        fprintf (stream, "b,%d,0\n", i % 7);
    fclose (stream);
    cr_assert_eq (s_fit_text (quasi, &options, &model, &err), 0, "%s", err.msg);
    free (quasi);
    group = model_group (model, 0);
    cr_expect (isfinite (group->categorical[0].levels[0].weight));
    cr_expect_lt (group->categorical[0].levels[0].weight, -1);
    cr_expect (s_has_note (model, "separation"));
    model_destroy (&model);

    /*  With a penalty the optimum is finite anyway: no warning. */
    options.lambda = 1;
    cr_assert_eq (s_fit_text (text, &options, &model, &err), 0, "%s", err.msg);
    cr_expect_eq (model_notes (model), 0);
    model_destroy (&model);
}

Test (model, duplicated_column_is_fitted_with_a_ridge_and_named)
{
    /*  b repeats a: the weights are not identified; the ridge splits them equally and
        predictions match the fit on a alone. */
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream (&text, &size);
    fprintf (stream, "a,b,won\n");
    for (int i = 0; i < 60; i++)
        fprintf (stream, "%d,%d,%d\n", i % 10, i % 10, (i * 7) % 10 < i % 10);
    fclose (stream);
    model_options_t options = s_exact ("won");
    model_t *model = NULL, *alone = NULL;
    err_t err;
    cr_assert_eq (s_fit_text (text, &options, &model, &err), 0, "%s", err.msg);
    const char *const only_a[] = {"a", NULL};
    options.features = only_a;
    cr_assert_eq (s_fit_text (text, &options, &alone, &err), 0, "%s", err.msg);
    free (text);
    const model_group_t *group = model_group (model, 0);
    cr_expect (s_has_note (model, "singular design: 'b'"), "notes: %s", model_note (model, 0));
    cr_expect_float_eq (group->numeric[0].weight, group->numeric[1].weight, 1e-9);
    double shared = group->numeric[0].weight + group->numeric[1].weight;
    /*  The ridge (MODEL_RIDGE_FALLBACK over 60 rows) moves the sum by about 1e-3. */
    cr_expect_float_eq (shared, model_group (alone, 0)->numeric[0].weight, 5e-3, "%g vs %g",
                        shared, model_group (alone, 0)->numeric[0].weight);
    model_destroy (&model);
    model_destroy (&alone);
}

Test (model, constant_column_gets_scale_one_and_weight_zero)
{
    char text[1024] = "x,flat,won\n";
    for (int i = 0; i < 30; i++)
        snprintf (text + strlen (text), sizeof text - strlen (text), "%d,4.5,%d\n", i % 6,
                  (i * 5) % 6 < i % 6);
    model_options_t options = s_exact ("won");
    model_t *model = NULL;
    err_t err;
    cr_assert_eq (s_fit_text (text, &options, &model, &err), 0, "%s", err.msg);
    const model_group_t *group = model_group (model, 0);
    cr_assert_eq (group->n_numeric, 2);
    cr_expect_str_eq (group->numeric[1].name, "flat");
    cr_expect_eq (group->numeric[1].mean, 4.5);
    cr_expect_eq (group->numeric[1].scale, 1.0);
    cr_expect_eq (group->numeric[1].weight, 0.0);
    cr_expect (s_has_note (model, "column 'flat' is constant"));
    cr_expect_not (s_has_note (model, "singular"), "a constant column is not in the design");
    model_destroy (&model);

    /*  Constant within one group only: the shared scale stays, that group's weight is 0. */
    char grouped[2048] = "kind,x,won\n";
    for (int i = 0; i < 40; i++)
        snprintf (grouped + strlen (grouped), sizeof grouped - strlen (grouped), "%s,%d,%d\n",
                  i < 20 ? "a" : "b", i < 20 ? 3 : i % 6, (i * 5) % 7 < 3);
    options.group = "kind";
    cr_assert_eq (s_fit_text (grouped, &options, &model, &err), 0, "%s", err.msg);
    const model_group_t *a = model_group_find (model, "a"), *b = model_group_find (model, "b");
    cr_assert (a && b);
    cr_expect_eq (a->numeric[0].weight, 0.0);
    cr_expect_neq (b->numeric[0].weight, 0.0);
    cr_expect_eq (a->numeric[0].scale, b->numeric[0].scale);
    cr_expect_gt (a->numeric[0].scale, 1.0);
    cr_expect (s_has_note (model, "column 'x' is constant in group 'a'"), "%s",
               model_note (model, 0));
    cr_expect_not (s_has_note (model, "singular"));
    model_destroy (&model);
}

/* --------------------------------------------------------------------------
   Groups, cross-validation, the file */

/*  n rows of a grouped data set with a numeric, a categorical and an id column. */
static char *
s_grouped_csv (size_t n, uint64_t seed)
{
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream (&text, &size);
    rng_t rng;
    rng_seed (&rng, seed);
    const char *types[] = {"seat", "tier", "cross-sell"};
    const char *segments[] = {"smb", "smb", "mid-market", "enterprise"};
    fprintf (stream, "account_id,opportunity_type,utilisation,segment,outcome\n");
    for (size_t i = 0; i < n; i++) {
        size_t type = rng_below (&rng, 3), segment = rng_below (&rng, 4);
        double u = 0.7 + 0.2 * rng_normal (&rng);
        double eta = -0.5 + 0.5 * (double)type + 3 * (u - 0.7) + (segment == 3 ? 0.8 : 0);
        fprintf (stream, "A-%05zu,%s,%.4f,%s,%s\n", i, types[type], u, segments[segment],
                 rng_unit (&rng) < s_sigmoid (eta) ? "won" : "lost");
    }
    fclose (stream);
    return text;
}

Test (model, cross_validation_is_deterministic_for_a_seed)
{
    char *text = s_grouped_csv (900, 5);
    model_options_t options;
    model_options_default (&options);
    options.label = "outcome";
    options.group = "opportunity_type";
    const char *const ignore[] = {"account_id", NULL};
    options.ignore = ignore;
    model_t *a = NULL, *b = NULL, *c = NULL;
    err_t err;
    cr_assert_eq (s_fit_text (text, &options, &a, &err), 0, "%s", err.msg);
    cr_assert_eq (s_fit_text (text, &options, &b, &err), 0, "%s", err.msg);
    options.seed = 99;
    cr_assert_eq (s_fit_text (text, &options, &c, &err), 0, "%s", err.msg);
    free (text);
    int folds = 0;
    double auc_a, brier_a, auc_b, brier_b, auc_c, brier_c;
    cr_assert (model_cv (a, &folds, &auc_a, &brier_a));
    cr_expect_eq (folds, 5);
    cr_assert (model_cv (b, NULL, &auc_b, &brier_b));
    cr_assert (model_cv (c, NULL, &auc_c, &brier_c));
    cr_expect_eq (auc_a, auc_b);
    cr_expect_eq (brier_a, brier_b);
    cr_expect (auc_a != auc_c || brier_a != brier_c, "another seed, other folds");
    cr_expect_lt (fabs (auc_a - auc_c), 0.03, "but about the same AUC: %g vs %g", auc_a, auc_c);
    /*  One model per type, in byte order, each cross-validated. */
    cr_assert_eq (model_groups (a), 3);
    cr_expect_str_eq (model_group (a, 0)->group, "cross-sell");
    cr_expect_str_eq (model_group (a, 2)->group, "tier");
    size_t rows = 0;
    for (size_t g = 0; g < 3; g++) {
        cr_expect (model_group (a, g)->has_cv);
        cr_expect_eq (model_group (a, g)->n_numeric, 1, "account_id ignored");
        cr_expect_str_eq (model_group (a, g)->categorical[0].reference, "smb");
        rows += model_group (a, g)->trained_on;
    }
    cr_expect_eq (rows, 900);
    cr_expect_str_eq (model_group_by (a), "opportunity_type");
    model_destroy (&a);
    model_destroy (&b);
    model_destroy (&c);
}

/*  Predict data row r of csv with model (grouped by opportunity_type). */
static double
s_predict_row (const model_t *model, csvreader_t *csv, size_t r)
{
    model_value_t values[2] = {{"utilisation", 0, NULL}, {"segment", 0, NULL}};
    err_t err;
    cr_assert_eq (csvreader_double (csv, r, "utilisation", -1e9, 1e9, &values[0].number, &err),
                  0);
    values[1].level = csvreader_cell (csv, r, csvreader_column (csv, "segment"));
    const char *group = csvreader_cell (csv, r, csvreader_column (csv, "opportunity_type"));
    double p = -1;
    cr_assert_eq (model_predict (model, group, values, 2, &p, &err), 0, "%s", err.msg);
    return p;
}

Test (model, save_and_load_predict_identically)
{
    char *text = s_grouped_csv (600, 8);
    csvreader_t *csv = NULL;
    err_t err;
    cr_assert_eq (csvreader_parse ("data.csv", text, strlen (text), &csv, &err), 0);
    free (text);
    model_options_t options;
    model_options_default (&options);
    options.label = "outcome";
    options.group = "opportunity_type";
    const char *const features[] = {"utilisation", "segment", NULL};
    options.features = features;
    options.lambda = 0.37;
    model_t *fitted = NULL, *loaded = NULL, *again = NULL;
    cr_assert_eq (model_fit (csv, &options, &fitted, &err), 0, "%s", err.msg);

    char *dir = ts_tempdir ();
    char *path = NULL, *path2 = NULL;
    cr_assert (asprintf (&path, "%s/model.cfg", dir) > 0);
    cr_assert (asprintf (&path2, "%s/model2.cfg", dir) > 0);
    cr_assert_eq (model_save (fitted, path, &err), 0, "%s", err.msg);
    cr_assert_eq (model_load (path, &loaded, &err), 0, "%s", err.msg);
    for (size_t r = 0; r < csvreader_rows (csv); r++)
        cr_expect_eq (s_predict_row (fitted, csv, r), s_predict_row (loaded, csv, r), "row %zu",
                      r);
    cr_expect_str_eq (model_label (loaded), "outcome");
    cr_expect_str_eq (model_group_by (loaded), "opportunity_type");
    cr_expect_eq (model_lambda (loaded), 0.37);
    cr_expect_eq (model_trained_on (loaded), 600);
    cr_expect_eq (model_positives (loaded), model_positives (fitted));
    double auc_f, auc_l, brier_f, brier_l;
    cr_assert (model_cv (fitted, NULL, &auc_f, &brier_f));
    cr_assert (model_cv (loaded, NULL, &auc_l, &brier_l));
    cr_expect_eq (auc_f, auc_l);
    cr_expect_eq (brier_f, brier_l);
    cr_expect_eq (model_group (loaded, 1)->cv_auc, model_group (fitted, 1)->cv_auc);

    /*  Saving what was loaded writes the same bytes. */
    cr_assert_eq (model_save (loaded, path2, &err), 0, "%s", err.msg);
    char *one = ts_read_file (path), *two = ts_read_file (path2);
    cr_assert (one && two);
    cr_expect_str_eq (one, two);
    char *tmp = NULL;
    cr_assert (asprintf (&tmp, "%s.tmp", path) > 0);
    cr_expect_null (ts_read_file (tmp), "no temporary left behind");

    /*  Evaluation of the training data: the same figures either way. */
    model_evaluation_t *e1 = NULL, *e2 = NULL;
    cr_assert_eq (model_evaluate (fitted, csv, 10, &e1, &err), 0, "%s", err.msg);
    cr_assert_eq (model_evaluate (loaded, csv, 10, &e2, &err), 0, "%s", err.msg);
    cr_expect_eq (e1->auc, e2->auc);
    cr_expect_eq (e1->log_loss, e2->log_loss);
    cr_expect_eq (e1->calibration->bins, 10);
    cr_expect_eq (e1->n, 600);
    cr_expect_gt (e1->auc, 0.6);

    /*  An unwritable path: an I/O error, nothing created. */
    char *bad = NULL;
    cr_assert (asprintf (&bad, "%s/missing/model.cfg", dir) > 0);
    cr_expect_eq (model_save (fitted, bad, &err), ERR_IO);
    cr_expect (strstr (err.msg, "missing/model.cfg"), "%s", err.msg);

    free (one);
    free (two);
    free (tmp);
    free (bad);
    model_evaluation_destroy (&e1);
    model_evaluation_destroy (&e2);
    model_destroy (&fitted);
    model_destroy (&loaded);
    model_destroy (&again);
    csvreader_destroy (&csv);
    free (path);
    free (path2);
    ts_tempdir_remove (&dir);
}

Test (model, numeric_part_scores_like_the_identifier)
{
    /*  A model grouped by play on features named as the identifier names them, written
        into an identifier.propensity layer, gives the identifier's scores exactly: one
        shared mean and scale per feature, weight on (x - mean) / scale. */
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream (&text, &size);
    rng_t rng;
    rng_seed (&rng, 21);
    fprintf (stream, "play,utilisation,adoption,nps,won\n");
    for (int i = 0; i < 1000; i++) {
        int seat = rng_below (&rng, 2) == 0;
        double u = 0.7 + 0.2 * rng_normal (&rng), a = 50 + 20 * rng_normal (&rng),
               nps = 20 + 40 * rng_normal (&rng);
        double eta = (seat ? 4 * (u - 0.7) : 0.03 * (a - 50)) + 0.01 * nps - 0.5;
        fprintf (stream, "%s,%.5f,%.3f,%.1f,%d\n", seat ? "seat" : "tier", u, a, nps,
                 rng_unit (&rng) < s_sigmoid (eta));
    }
    fclose (stream);
    model_options_t options;
    model_options_default (&options);
    options.label = "won";
    options.group = "play";
    options.folds = 0;
    model_t *model = NULL;
    err_t err;
    cr_assert_eq (s_fit_text (text, &options, &model, &err), 0, "%s", err.msg);
    free (text);

    stream = open_memstream (&text, &size);
    const model_group_t *seat = model_group_find (model, "seat");
    const model_group_t *tier = model_group_find (model, "tier");
    cr_assert (seat && tier);
    fprintf (stream, "identifier = { propensity = {\n    features = {\n");
    for (size_t k = 0; k < seat->n_numeric; k++) {
        cr_expect_eq (seat->numeric[k].mean, tier->numeric[k].mean, "shared");
        cr_expect_eq (seat->numeric[k].scale, tier->numeric[k].scale, "shared");
        fprintf (stream, "        %s = { mean = %.17g; scale = %.17g; };\n",
                 seat->numeric[k].name, seat->numeric[k].mean, seat->numeric[k].scale);
    }
    fprintf (stream, "    };\n");
    const model_group_t *groups[] = {seat, tier};
    for (size_t g = 0; g < 2; g++) {
        fprintf (stream, "    %s = { intercept = %.17g; weights = {", groups[g]->group,
                 groups[g]->intercept);
        for (size_t k = 0; k < groups[g]->n_numeric; k++)
            fprintf (stream, " %s = %.17g;", groups[g]->numeric[k].name,
                     groups[g]->numeric[k].weight);
        fprintf (stream, " }; };\n");
    }
    fprintf (stream, "}; };\n");
    fclose (stream);
    conf_t *conf = ts_conf ("identifier.cfg", text);
    free (text);
    propensity_model_t *identifier = NULL;
    cr_assert_eq (propensity_model_load (conf, &identifier, &err), 0, "%s", err.msg);

    for (int i = 0; i < 50; i++) {
        double x[PROP_FEATURES] = {0};
        x[PROP_UTILISATION] = 0.7 + 0.3 * rng_normal (&rng);
        x[PROP_ADOPTION] = 50 + 25 * rng_normal (&rng);
        x[PROP_NPS] = 20 + 50 * rng_normal (&rng);
        model_value_t values[3] = {{"utilisation", x[PROP_UTILISATION], NULL},
                                   {"adoption", x[PROP_ADOPTION], NULL},
                                   {"nps", x[PROP_NPS], NULL}};
        for (size_t g = 0; g < 2; g++) {
            double p = -1;
            cr_assert_eq (model_predict (model, groups[g]->group, values, 3, &p, &err), 0, "%s",
                          err.msg);
            propensity_t score;
            propensity_score (identifier, g == 0 ? PROP_SEAT : PROP_TIER, x, &score);
            cr_expect_float_eq (score.score / 100, p, 1e-12, "%s: %.15f vs %.15f",
                                groups[g]->group, score.score / 100, p);
        }
    }
    propensity_model_destroy (&identifier);
    conf_destroy (&conf);
    model_destroy (&model);
}

/* --------------------------------------------------------------------------
   Errors name the place */

static void
s_fit_fails (const char *text, const model_options_t *options, int code, const char *fragment)
{
    model_t *model = NULL;
    err_t err = {0};
    int rc = s_fit_text (text, options, &model, &err);
    cr_expect_eq (rc, code, "rc %d for '%s': %s", rc, fragment, err.msg);
    cr_expect_null (model);
    cr_expect (strstr (err.msg, fragment), "'%s' not in '%s'", fragment, err.msg);
    model_destroy (&model);
}

Test (model, bad_csv_names_line_and_column)
{
    model_options_t options = s_exact ("won");
    s_fit_fails ("x,result\n1,1\n", &options, ERR_INVALID,
                 "data.csv:1: missing label column 'won'");
    s_fit_fails ("x,won\n1,1\n2,maybe\n", &options, ERR_INVALID,
                 "data.csv:3: column 'won': 'maybe' is not a label");
    s_fit_fails ("x,won\n", &options, ERR_INVALID, "no data rows");
    s_fit_fails ("x,y,won\n1,2,1\n3,,0\n", &options, ERR_INVALID,
                 "data.csv:3: column 'y': empty cell");
    s_fit_fails ("x,y,won\n1,2,1\n3,0\n", &options, ERR_INVALID, "data.csv:3");
    s_fit_fails ("x,won\n1,1\n2,1\n", &options, ERR_INVALID, "a model needs both outcomes");
    const char *const categorical[] = {"c", NULL};
    options.categorical = categorical;
    s_fit_fails ("x,c,won\n1,a,1\n2x,b,0\n", &options, ERR_INVALID,
                 "data.csv:3: column 'x': '2x' is not a number");
    options.categorical = NULL;
    const char *const features[] = {"x", "nope", NULL};
    options.features = features;
    s_fit_fails ("x,won\n1,1\n0,0\n", &options, ERR_INVALID, "missing feature column 'nope'");
    options.features = NULL;
    options.group = "kind";
    s_fit_fails ("x,kind,won\n1,a,1\n0,a,0\n1,b,1\n", &options, ERR_INVALID, "in group 'b'");
    options.group = NULL;
    options.lambda = -1;
    s_fit_fails ("x,won\n1,1\n0,0\n", &options, ERR_USAGE, "lambda");

    /*  An empty file is refused by the reader already. */
    csvreader_t *csv = NULL;
    err_t err;
    cr_expect_neq (csvreader_parse ("data.csv", "", 0, &csv, &err), 0);

    /*  An identifier auto-detected as categorical is refused with a hint. */
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream (&text, &size);
    fprintf (stream, "id,won\n");
    for (int i = 0; i < 300; i++)
        fprintf (stream, "A-%d,%d\n", i, i % 2);
    fclose (stream);
    options = s_exact ("won");
    s_fit_fails (text, &options, ERR_INVALID, "--ignore");
    free (text);
}

Test (model, bad_model_files_name_the_setting)
{
    char *dir = ts_tempdir ();
    struct {
        const char *text, *fragment;
    } cases[] = {
        {"model = { version = 1; label = \"won\"\n groups = (); };\n", "m.cfg:2:"},
        {"model = { version = 1; label = \"won\"; groups = (); };\n", "no group"},
        {"model = { version = 1; groups = ({ group = \"\"; intercept = 0.0; numeric = (); "
         "categorical = (); }); };\n",
         "missing 'label'"},
        {"model = { version = 1; label = \"won\";\n groups = ({ group = \"\"; intercept = "
         "0.0;\n"
         " numeric = ({ name = \"x\"; mean = 0.0; scale = \"big\"; weight = 1.0; });\n"
         " categorical = (); }); };\n",
         "m.cfg:3: setting 'model.groups.[0].numeric.[0].scale': expected a number, found a "
         "string"},
        {"model = { version = 1; label = \"won\"; groups = ({ group = \"\"; intercept = 0.0; "
         "numeric = ({ name = \"x\"; mean = 0.0; scale = 0.0; weight = 1.0; }); categorical = "
         "(); }); };\n",
         "scale': 0 is not > 0"},
        {"model = { version = 1; label = \"won\"; groups = ({ group = \"\"; numeric = (); "
         "categorical = (); }); };\n",
         "setting 'model.groups.[0]': missing 'intercept'"},
        {"model = { version = 2; label = \"won\"; groups = (); };\n", "version"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *path = ts_write_file (dir, "m.cfg", cases[i].text);
        model_t *model = NULL;
        err_t err = {0};
        cr_expect_neq (model_load (path, &model, &err), 0, "case %zu", i);
        cr_expect_null (model);
        cr_expect (strstr (err.msg, cases[i].fragment), "case %zu: '%s' not in '%s'", i,
                   cases[i].fragment, err.msg);
        model_destroy (&model);
        free (path);
    }
    model_t *model = NULL;
    err_t err;
    cr_expect_eq (model_load ("/nonexistent/m.cfg", &model, &err), ERR_IO);
    ts_tempdir_remove (&dir);
}

Test (model, prediction_errors)
{
    char *text = s_grouped_csv (300, 3);
    model_options_t options;
    model_options_default (&options);
    options.label = "outcome";
    options.group = "opportunity_type";
    const char *const ignore[] = {"account_id", NULL};
    options.ignore = ignore;
    options.folds = 0;
    model_t *model = NULL;
    err_t err;
    cr_assert_eq (s_fit_text (text, &options, &model, &err), 0, "%s", err.msg);
    free (text);
    model_value_t values[2] = {{"utilisation", 0.8, NULL}, {"segment", 0, "smb"}};
    double p = -1;
    cr_expect_eq (model_predict (model, "geo", values, 2, &p, &err), ERR_NOTFOUND);
    cr_expect (strstr (err.msg, "group 'geo'"), "%s", err.msg);
    cr_expect_eq (model_predict (model, "seat", values, 1, &p, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "'segment' has no value"), "%s", err.msg);
    values[0].number = NAN;
    cr_expect_eq (model_predict (model, "seat", values, 2, &p, &err), ERR_INVALID);
    cr_expect_eq (p, -1.0, "nothing written on failure");
    values[0].number = 0.8;
    cr_expect_eq (model_predict (model, "seat", values, 2, &p, &err), 0, "%s", err.msg);
    cr_expect (p > 0 && p < 1);
    model_destroy (&model);
}

/* --------------------------------------------------------------------------
   A large sample from a known model */

Test (model, large_sample_recovers_the_true_model)
{
    /*  20,000 rows, four features in raw units; the truth is a logistic model on them.
        The fitted weights per raw unit (weight / scale) must match the truth's within
        about four standard errors, and the cross-validated AUC the AUC of the true
        probabilities within 0.01. */
    enum { N = 20000, D = 4 };
    const double mean[D] = {0.7, 20, 8, 2.5}, sd[D] = {0.2, 40, 10, 1.2};
    const double weight[D] = {4.0, 0.02, -0.06, 0.5}; /* per raw unit */
    const double intercept = -1.0;
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream (&text, &size);
    fprintf (stream, "a,b,c,d,won\n");
    double *truth = malloc (N * sizeof *truth);
    int *y = malloc (N * sizeof *y);
    cr_assert (truth && y);
    rng_t rng;
    rng_seed (&rng, 2026);
    for (size_t i = 0; i < N; i++) {
        double x[D], eta = intercept;
        for (size_t k = 0; k < D; k++) {
            x[k] = mean[k] + sd[k] * rng_normal (&rng);
            eta += weight[k] * (x[k] - mean[k]);
        }
        truth[i] = s_sigmoid (eta);
        y[i] = rng_unit (&rng) < truth[i];
        fprintf (stream, "%.17g,%.17g,%.17g,%.17g,%d\n", x[0], x[1], x[2], x[3], y[i]);
    }
    fclose (stream);
    double true_auc = 0;
    cr_assert_eq (stats_auc (truth, y, N, &true_auc, NULL), 0);
    model_options_t options;
    model_options_default (&options);
    options.label = "won";
    model_t *model = NULL;
    err_t err;
    long long start = ts_now_ms ();
    cr_assert_eq (s_fit_text (text, &options, &model, &err), 0, "%s", err.msg);
    long long elapsed = ts_now_ms () - start;
    const model_group_t *group = model_group (model, 0);
    double eta_at_mean = group->intercept;
    for (size_t k = 0; k < D; k++) {
        const model_numeric_t *num = &group->numeric[k];
        double per_unit = num->weight / num->scale;
        /*  Standard error of a weight on the standardised scale is about
            1 / sqrt (n p (1 - p)) = 0.016 here; 0.07 on that scale, per raw unit. */
        double tolerance = 0.07 / sd[k];
        cr_expect_float_eq (per_unit, weight[k], tolerance, "%s: %.5f vs %.5f", num->name,
                            per_unit, weight[k]);
        cr_log_info ("%s: %.5f per unit vs true %.5f (%+.4f on the sd scale)", num->name,
                     per_unit, weight[k], (per_unit - weight[k]) * sd[k]);
        eta_at_mean += per_unit * (mean[k] - num->mean);
    }
    cr_expect_float_eq (eta_at_mean, intercept, 0.07, "logit at the true means %.4f",
                        eta_at_mean);
    double cv_auc = 0;
    cr_assert (model_cv (model, NULL, &cv_auc, NULL));
    cr_expect_float_eq (cv_auc, true_auc, 0.01, "CV AUC %.4f, true %.4f", cv_auc, true_auc);
    cr_log_info ("20,000 x 4 fit + 5-fold CV: %lld ms; CV AUC %.4f, true AUC %.4f", elapsed,
                 cv_auc, true_auc);
    free (text);
    free (truth);
    free (y);
    model_destroy (&model);
}

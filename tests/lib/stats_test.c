/*  stats_test.c: the shared statistics against values worked out by hand on small
    cases (each case's arithmetic is in its comments), plus the properties that cannot
    be hand-computed: k-means recovering known clusters for any seed, identical results
    for one seed, and the rank-formula AUC agreeing with counting every pair. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test_support.h"

TS_SUITE (stats);

#define TOLERANCE    1e-9
#define COUNT(array) (sizeof (array) / sizeof *(array))

/* --------------------------------------------------------------------------
   Standardisation */

Test (stats, mean_and_standard_deviation)
{
    /*  Sum 40 over 8 values: mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32, so the
        population sd is sqrt (32/8) = 2 and the sample sd sqrt (32/7). */
    const double values[] = {2, 4, 4, 4, 5, 5, 7, 9};
    double mean = 0, sd = 0;
    cr_assert_eq (stats_mean (values, 8, &mean, NULL), 0);
    cr_expect_float_eq (mean, 5.0, TOLERANCE);
    cr_assert_eq (stats_sd (values, 8, STATS_POPULATION, &sd, NULL), 0);
    cr_expect_float_eq (sd, 2.0, TOLERANCE);
    cr_assert_eq (stats_sd (values, 8, STATS_SAMPLE, &sd, NULL), 0);
    cr_expect_float_eq (sd, sqrt (32.0 / 7.0), TOLERANCE);

    /*  One value: population sd 0, sample sd undefined. */
    cr_assert_eq (stats_sd (values, 1, STATS_POPULATION, &sd, NULL), 0);
    cr_expect_float_eq (sd, 0.0, TOLERANCE);
    err_t err;
    sd = -1;
    cr_assert_eq (stats_sd (values, 1, STATS_SAMPLE, &sd, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "2 or more"), "%s", err.msg);
    cr_expect_float_eq (sd, -1.0, 0, "sd written on failure");
    mean = -1;
    cr_assert_eq (stats_mean (values, 0, &mean, &err), ERR_INVALID);
    cr_expect_float_eq (mean, -1.0, 0, "mean written on failure");

    const double bad[] = {1, NAN, 3};
    cr_assert_eq (stats_mean (bad, 3, &mean, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "values[1] is NaN"), "%s", err.msg);
}

Test (stats, constant_values_have_exactly_zero_spread)
{
    /*  0.1 x 3 does not sum to exactly 0.3; the sd must still be 0, not 1e-17. */
    const double values[] = {0.1, 0.1, 0.1};
    double sd = -1;
    cr_assert_eq (stats_sd (values, 3, STATS_SAMPLE, &sd, NULL), 0);
    cr_expect_eq (sd, 0.0);
}

Test (stats, zscores)
{
    const double values[] = {2, 4, 4, 4, 5, 5, 7, 9};
    double z[8], mean = 0, sd = 0;
    cr_assert_eq (stats_zscores (values, 8, STATS_POPULATION, z, &mean, &sd, NULL), 0);
    const double expected[] = {-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2};
    for (size_t i = 0; i < 8; i++)
        cr_expect_float_eq (z[i], expected[i], TOLERANCE, "z[%zu] = %g", i, z[i]);
    cr_expect_float_eq (mean, 5.0, TOLERANCE);
    cr_expect_float_eq (sd, 2.0, TOLERANCE);

    /*  In place, sample sd. */
    double in_place[] = {1, 2, 3};
    cr_assert_eq (stats_zscores (in_place, 3, STATS_SAMPLE, in_place, NULL, NULL, NULL), 0);
    cr_expect_float_eq (in_place[0], -1.0, TOLERANCE);
    cr_expect_float_eq (in_place[1], 0.0, TOLERANCE);
    cr_expect_float_eq (in_place[2], 1.0, TOLERANCE);

    err_t err;
    const double flat[] = {3, 3, 3, 3};
    double out[4] = {7, 7, 7, 7};
    cr_assert_eq (stats_zscores (flat, 4, STATS_POPULATION, out, NULL, NULL, &err),
                  ERR_INVALID);
    cr_expect (strstr (err.msg, "zero variance"), "%s", err.msg);
    cr_expect_float_eq (out[0], 7.0, 0, "z written on failure");
    cr_assert_eq (stats_zscores (values, 1, STATS_POPULATION, out, NULL, NULL, &err),
                  ERR_INVALID);
    cr_expect (strstr (err.msg, "2 or more"), "%s", err.msg);
}

Test (stats, standardise_columns)
{
    /*  Column 0: 1, 2, 3 (mean 2, population sd sqrt (2/3)); column 1: 10, 10, 40
        (mean 20, sd sqrt (600/3)). */
    double matrix[] = {1, 10, 2, 10, 3, 40};
    double means[2], sds[2];
    cr_assert_eq (stats_standardise_columns (matrix, 3, 2, STATS_POPULATION, means, sds, NULL),
                  0);
    cr_expect_float_eq (means[0], 2.0, TOLERANCE);
    cr_expect_float_eq (means[1], 20.0, TOLERANCE);
    cr_expect_float_eq (sds[0], sqrt (2.0 / 3.0), TOLERANCE);
    cr_expect_float_eq (sds[1], sqrt (200.0), TOLERANCE);
    cr_expect_float_eq (matrix[0], -1.0 / sqrt (2.0 / 3.0), TOLERANCE);
    cr_expect_float_eq (matrix[2], 0.0, TOLERANCE);
    cr_expect_float_eq (matrix[5], 20.0 / sqrt (200.0), TOLERANCE);

    /*  A constant column is refused by number and nothing is changed. */
    double constant[] = {1, 5, 2, 5, 3, 5};
    err_t err;
    cr_assert_eq (stats_standardise_columns (constant, 3, 2, STATS_SAMPLE, NULL, NULL, &err),
                  ERR_INVALID);
    cr_expect (strstr (err.msg, "column 1"), "%s", err.msg);
    cr_expect_float_eq (constant[0], 1.0, 0, "matrix changed on failure");
}

/* --------------------------------------------------------------------------
   AUC */

Test (stats, auc_without_ties)
{
    /*  Ascending ranks: 0.1 -> 1, 0.35 -> 2, 0.4 -> 3, 0.8 -> 4. The positives (0.35,
        0.8) have rank sum 6, U = 6 - 2 x 3 / 2 = 3, AUC = 3 / (2 x 2) = 0.75. */
    const double scores[] = {0.1, 0.4, 0.35, 0.8};
    const int labels[] = {0, 0, 1, 1};
    double auc = -1;
    cr_assert_eq (stats_auc (scores, labels, 4, &auc, NULL), 0);
    cr_expect_float_eq (auc, 0.75, TOLERANCE);
}

Test (stats, auc_with_ties_uses_mid_ranks)
{
    /*  All equal: every pair is a tie worth one half. */
    const double flat[] = {0.5, 0.5, 0.5, 0.5};
    const int flat_labels[] = {1, 0, 0, 1};
    double auc = -1;
    cr_assert_eq (stats_auc (flat, flat_labels, 4, &auc, NULL), 0);
    cr_expect_float_eq (auc, 0.5, TOLERANCE);

    /*  Positives 0.6, 0.9, 0.2; negatives 0.2, 0.6. Pairs: 0.6 beats 0.2 (1), ties 0.6
        (1/2); 0.9 beats both (2); 0.2 ties 0.2 (1/2), loses to 0.6 (0): 4 of 6.
        Mid-ranks: 0.2 -> 1.5, 0.6 -> 3.5, 0.9 -> 5; positives sum 1.5 + 3.5 + 5 = 10,
        U = 10 - 6 = 4. */
    const double scores[] = {0.2, 0.6, 0.6, 0.9, 0.2};
    const int labels[] = {0, 1, 0, 1, 1};
    cr_assert_eq (stats_auc (scores, labels, 5, &auc, NULL), 0);
    cr_expect_float_eq (auc, 4.0 / 6.0, TOLERANCE);
}

Test (stats, auc_perfect_and_inverted)
{
    const double scores[] = {0.9, 0.8, 0.3, 0.1, 0.7};
    const int perfect[] = {1, 1, 0, 0, 1};
    const int inverted[] = {0, 0, 1, 1, 0};
    double auc = -1;
    cr_assert_eq (stats_auc (scores, perfect, 5, &auc, NULL), 0);
    cr_expect_float_eq (auc, 1.0, TOLERANCE);
    cr_assert_eq (stats_auc (scores, inverted, 5, &auc, NULL), 0);
    cr_expect_float_eq (auc, 0.0, TOLERANCE);
}

Test (stats, auc_single_class_is_an_error_not_nan)
{
    const double scores[] = {0.9, 0.8, 0.3};
    const int ones[] = {1, 1, 1};
    const int zeros[] = {0, 0, 0};
    err_t err;
    double auc = 42;
    cr_assert_eq (stats_auc (scores, ones, 3, &auc, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "both classes"), "%s", err.msg);
    cr_expect (strstr (err.msg, "are 1"), "%s", err.msg);
    cr_assert_eq (stats_auc (scores, zeros, 3, &auc, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "are 0"), "%s", err.msg);
    cr_expect_float_eq (auc, 42.0, 0, "auc written on failure");

    const int odd[] = {0, 2, 1};
    cr_assert_eq (stats_auc (scores, odd, 3, &auc, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "labels[1] is 2"), "%s", err.msg);
    const int mixed[] = {0, 1, 1};
    const double nan_scores[] = {0.1, NAN, 0.3};
    cr_assert_eq (stats_auc (nan_scores, mixed, 3, &auc, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "scores[1] is NaN"), "%s", err.msg);
    cr_assert_eq (stats_auc (scores, mixed, 0, &auc, &err), ERR_INVALID);
    cr_expect_float_eq (auc, 42.0, 0, "auc written on failure");
}

/*  A small deterministic generator for test data (not the module's own). */
static uint64_t
s_lcg (uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return *state >> 33;
}

Test (stats, auc_rank_formula_matches_counting_every_pair)
{
    /*  500 scores on a coarse grid (many ties) against the O(n^2) definition. */
    enum { N = 500 };
    double scores[N];
    int labels[N];
    uint64_t state = 7;
    for (size_t i = 0; i < N; i++) {
        scores[i] = (double)(s_lcg (&state) % 20) / 20.0;
        labels[i] = s_lcg (&state) % 100 < 30 + 40 * scores[i] ? 1 : 0;
    }
    double wins = 0, pairs = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++)
            if (labels[i] == 1 && labels[j] == 0) {
                pairs++;
                wins += scores[i] > scores[j] ? 1.0 : scores[i] == scores[j] ? 0.5 : 0.0;
            }
    double auc = -1;
    cr_assert_eq (stats_auc (scores, labels, N, &auc, NULL), 0);
    cr_expect_float_eq (auc, wins / pairs, 1e-12);
    cr_expect (auc > 0.55 && auc < 0.9, "auc %g", auc);
}

/* --------------------------------------------------------------------------
   Brier, log loss */

Test (stats, brier_and_log_loss_by_hand)
{
    /*  Brier: (0.1^2 + 0.2^2 + 0.6^2 + 0.6^2) / 4 = (0.01 + 0.04 + 0.36 + 0.36) / 4.
        Log loss: -(ln 0.9 + ln 0.8 + ln 0.4 + ln 0.4) / 4 = 0.540271382680... */
    const double p[] = {0.9, 0.2, 0.6, 0.4};
    const int y[] = {1, 0, 0, 1};
    double brier = -1, loss = -1;
    cr_assert_eq (stats_brier (p, y, 4, &brier, NULL), 0);
    cr_expect_float_eq (brier, 0.1925, TOLERANCE);
    cr_assert_eq (stats_log_loss (p, y, 4, &loss, NULL), 0);
    cr_expect_float_eq (loss, 0.5402713826800865, TOLERANCE);

    /*  Certain and right: 0 for both. Certain and wrong: Brier 1, log loss clamped to
        -ln (1e-15) = 34.5387763949... instead of infinity. */
    const double certain[] = {1.0, 0.0};
    const int right[] = {1, 0};
    const int wrong[] = {0, 1};
    cr_assert_eq (stats_brier (certain, right, 2, &brier, NULL), 0);
    cr_expect_float_eq (brier, 0.0, TOLERANCE);
    cr_assert_eq (stats_log_loss (certain, right, 2, &loss, NULL), 0);
    cr_expect_float_eq (loss, 0.0, 1e-12);
    cr_assert_eq (stats_brier (certain, wrong, 2, &brier, NULL), 0);
    cr_expect_float_eq (brier, 1.0, TOLERANCE);
    cr_assert_eq (stats_log_loss (certain, wrong, 2, &loss, NULL), 0);
    cr_expect_float_eq (loss, -log (STATS_LOG_LOSS_EPSILON), 1e-6);
    cr_expect_float_eq (loss, 34.538776394910684, 1e-6);
}

Test (stats, brier_and_log_loss_refuse_what_is_not_a_probability)
{
    const double p[] = {0.5, 1.2};
    const int y[] = {1, 0};
    err_t err;
    double value = 42;
    cr_assert_eq (stats_brier (p, y, 2, &value, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "probabilities[1] is 1.2"), "%s", err.msg);
    cr_assert_eq (stats_log_loss (p, y, 2, &value, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "log loss"), "%s", err.msg);
    cr_assert_eq (stats_brier (p, y, 0, &value, &err), ERR_INVALID);
    cr_expect_float_eq (value, 42.0, 0, "written on failure");
}

/* --------------------------------------------------------------------------
   Calibration and lift */

Test (stats, calibration_five_bins_of_ten_points)
{
    /*  Scores 0.1 .. 1.0 given out of order; positives at 1.0, 0.9, 0.8, 0.5 (rate
        4/10). Highest first, bins of two:
          {1.0, 0.9}  mean 0.95  observed 1.0  |0.05|  lift 2.5
          {0.8, 0.7}  mean 0.75  observed 0.5  |0.25|  lift 1.25
          {0.6, 0.5}  mean 0.55  observed 0.5  |0.05|  lift 1.25
          {0.4, 0.3}  mean 0.35  observed 0    |0.35|  lift 0
          {0.2, 0.1}  mean 0.15  observed 0    |0.15|  lift 0
        ECE = 2/10 x (0.05 + 0.25 + 0.05 + 0.35 + 0.15) = 0.17. */
    const double scores[] = {0.3, 1.0, 0.5, 0.7, 0.1, 0.9, 0.4, 0.6, 0.2, 0.8};
    const int labels[] = {0, 1, 1, 0, 0, 1, 0, 0, 0, 1};
    stats_calibration_t *table = NULL;
    cr_assert_eq (stats_calibration (scores, labels, 10, 5, &table, NULL), 0);
    cr_assert_eq (table->bins, 5);
    cr_expect_eq (table->n, 10);
    cr_expect_eq (table->positives, 4);
    cr_expect_float_eq (table->overall_rate, 0.4, TOLERANCE);
    const double mean[] = {0.95, 0.75, 0.55, 0.35, 0.15};
    const double observed[] = {1.0, 0.5, 0.5, 0, 0};
    const double lift[] = {2.5, 1.25, 1.25, 0, 0};
    for (size_t b = 0; b < 5; b++) {
        cr_expect_eq (table->bin[b].count, 2, "bin %zu", b);
        cr_expect_float_eq (table->bin[b].mean_predicted, mean[b], TOLERANCE, "bin %zu", b);
        cr_expect_float_eq (table->bin[b].observed_rate, observed[b], TOLERANCE, "bin %zu", b);
        cr_expect_float_eq (table->bin[b].lift, lift[b], TOLERANCE, "bin %zu", b);
    }
    cr_expect_float_eq (table->bin[0].score_max, 1.0, TOLERANCE);
    cr_expect_float_eq (table->bin[0].score_min, 0.9, TOLERANCE);
    cr_expect_float_eq (table->bin[4].score_min, 0.1, TOLERANCE);
    cr_expect_float_eq (table->ece, 0.17, TOLERANCE);
    cr_expect_float_eq (table->top_lift, 2.5, TOLERANCE);
    stats_calibration_destroy (&table);
    cr_expect_null (table);
    stats_calibration_destroy (&table);
    stats_calibration_destroy (NULL);

    /*  Deciles of ten points: one point each, in score order. */
    cr_assert_eq (stats_calibration (scores, labels, 10, 10, &table, NULL), 0);
    for (size_t b = 0; b < 10; b++) {
        cr_expect_eq (table->bin[b].count, 1);
        cr_expect_float_eq (table->bin[b].mean_predicted, 1.0 - 0.1 * (double)b, TOLERANCE);
    }
    /*  |1-1| + |0.9-1| + |0.8-1| + |0.7-0| + |0.6-0| + |0.5-1| + 0.4 + 0.3 + 0.2 + 0.1
        = 3.1 over 10 cases. */
    cr_expect_float_eq (table->ece, 0.31, TOLERANCE);
    cr_expect_float_eq (table->top_lift, 2.5, TOLERANCE);
    stats_calibration_destroy (&table);
}

Test (stats, calibration_thirteen_points_uneven_bins_and_ties_at_edges)
{
    /*  13 points in 10 bins: sizes 2, 2, 2 then seven of 1 (the top bins take the
        extra). Three cases tie at 0.9 across the edge of bins 0 and 1: the lower index
        goes first, so bin 0 is indices 0 and 1 (labels 0, 1) and index 2 opens bin 1.
        Positives: 1, 2, 4, 7, rate 4/13.
          bin  cases    mean   observed  |diff|
          0    0, 1     0.9    0.5       0.4
          1    2, 3     0.85   0.5       0.35
          2    4, 5     0.7    0.5       0.2
          3    6        0.6    0         0.6
          4    7        0.5    1         0.5
          5..9 8..12    0.4 .. 0.0   0   0.4, 0.3, 0.2, 0.1, 0
        ECE = (2 x 0.4 + 2 x 0.35 + 2 x 0.2 + 0.6 + 0.5 + 0.4 + 0.3 + 0.2 + 0.1) / 13
            = 4 / 13. Lift of bin 0: 0.5 / (4/13) = 1.625; of bin 4: 13/4. */
    const double scores[] = {0.9, 0.9, 0.9, 0.8, 0.7, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0};
    const int labels[] = {0, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0};
    stats_calibration_t *table = NULL;
    cr_assert_eq (stats_calibration (scores, labels, 13, 10, &table, NULL), 0);
    const size_t count[] = {2, 2, 2, 1, 1, 1, 1, 1, 1, 1};
    const double mean[] = {0.9, 0.85, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0};
    const double observed[] = {0.5, 0.5, 0.5, 0, 1, 0, 0, 0, 0, 0};
    for (size_t b = 0; b < 10; b++) {
        cr_expect_eq (table->bin[b].count, count[b], "bin %zu", b);
        cr_expect_float_eq (table->bin[b].mean_predicted, mean[b], TOLERANCE, "bin %zu", b);
        cr_expect_float_eq (table->bin[b].observed_rate, observed[b], TOLERANCE, "bin %zu", b);
        cr_expect_float_eq (table->bin[b].lift, observed[b] * 13.0 / 4.0, TOLERANCE, "bin %zu",
                            b);
    }
    cr_expect_float_eq (table->bin[1].score_max, 0.9, TOLERANCE);
    cr_expect_float_eq (table->bin[1].score_min, 0.8, TOLERANCE);
    cr_expect_float_eq (table->ece, 4.0 / 13.0, TOLERANCE);
    cr_expect_float_eq (table->top_lift, 1.625, TOLERANCE);
    stats_calibration_destroy (&table);

    /*  The same points in reverse order: the 0.9 ties are now indices 10 (label 1),
        11 (label 1), 12 (label 0), so bin 0 observes 1.0 and bin 1 observes 0. */
    double reversed_scores[13];
    int reversed_labels[13];
    for (size_t i = 0; i < 13; i++) {
        reversed_scores[i] = scores[12 - i];
        reversed_labels[i] = labels[12 - i];
    }
    cr_assert_eq (stats_calibration (reversed_scores, reversed_labels, 13, 10, &table, NULL),
                  0);
    cr_expect_float_eq (table->bin[0].observed_rate, 1.0, TOLERANCE);
    cr_expect_float_eq (table->bin[1].observed_rate, 0.0, TOLERANCE);
    cr_expect_float_eq (table->top_lift, 13.0 / 4.0, TOLERANCE);
    stats_calibration_destroy (&table);
}

Test (stats, calibration_refuses_bad_bins_and_no_positives)
{
    const double scores[] = {0.9, 0.5, 0.1};
    const int labels[] = {1, 0, 0};
    const int none[] = {0, 0, 0};
    stats_calibration_t *table = NULL;
    err_t err;
    cr_assert_eq (stats_calibration (scores, labels, 3, 4, &table, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "4 bins for 3 cases"), "%s", err.msg);
    cr_assert_eq (stats_calibration (scores, labels, 3, 0, &table, &err), ERR_INVALID);
    cr_assert_eq (stats_calibration (scores, none, 3, 3, &table, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "lift"), "%s", err.msg);
    cr_expect_null (table);
}

/* --------------------------------------------------------------------------
   k-means and silhouette */

/*  Three tight blobs around (0,0), (10,0) and (0,10), five points each, interleaved
    (point i belongs to blob i % 3) so the answer is not simply the input order. */
#define BLOB_POINTS 15
static void
s_blobs (double *points)
{
    const double centre[3][2] = {{0, 0}, {10, 0}, {0, 10}};
    const double offset[5][2] = {{0, 0}, {0.3, 0}, {-0.3, 0}, {0, 0.3}, {0, -0.3}};
    for (size_t i = 0; i < BLOB_POINTS; i++) {
        points[2 * i] = centre[i % 3][0] + offset[i / 3][0];
        points[2 * i + 1] = centre[i % 3][1] + offset[i / 3][1];
    }
}

/*  Whether assignment puts i and j together exactly when their blobs do. */
static bool
s_same_partition_as_blobs (const size_t *assignment)
{
    for (size_t i = 0; i < BLOB_POINTS; i++)
        for (size_t j = 0; j < BLOB_POINTS; j++)
            if ((assignment[i] == assignment[j]) != (i % 3 == j % 3))
                return false;
    return true;
}

Test (stats, kmeans_recovers_three_blobs_for_every_seed)
{
    double points[2 * BLOB_POINTS];
    s_blobs (points);
    /*  Each blob's squared distances to its centre: 4 x 0.09, so inertia 3 x 0.36. */
    for (uint64_t seed = 1; seed <= 20; seed++) {
        stats_kmeans_options_t options = {.seed = seed, .max_iterations = 100};
        stats_kmeans_t *clustering = NULL;
        cr_assert_eq (stats_kmeans (points, BLOB_POINTS, 2, 3, &options, &clustering, NULL), 0);
        cr_expect (s_same_partition_as_blobs (clustering->assignment), "seed %llu",
                   (unsigned long long)seed);
        cr_expect (clustering->converged, "seed %llu", (unsigned long long)seed);
        cr_expect_float_eq (clustering->inertia, 1.08, TOLERANCE, "seed %llu",
                            (unsigned long long)seed);
        for (size_t c = 0; c < 3; c++)
            cr_expect_eq (clustering->sizes[c], 5);
        stats_kmeans_destroy (&clustering);
    }
}

Test (stats, kmeans_tiny_case_by_hand)
{
    /*  Two pairs far apart: centroids (0,1) and (100,1), each point 1 away: inertia 4. */
    const double points[] = {0, 0, 100, 2, 0, 2, 100, 0};
    stats_kmeans_options_t options = {.seed = 42, .max_iterations = 10};
    stats_kmeans_t *clustering = NULL;
    cr_assert_eq (stats_kmeans (points, 4, 2, 2, &options, &clustering, NULL), 0);
    cr_expect_float_eq (clustering->inertia, 4.0, TOLERANCE);
    cr_expect_eq (clustering->assignment[0], clustering->assignment[2]);
    cr_expect_eq (clustering->assignment[1], clustering->assignment[3]);
    cr_expect_neq (clustering->assignment[0], clustering->assignment[1]);
    size_t left = clustering->assignment[0];
    cr_expect_float_eq (clustering->centroids[2 * left], 0.0, TOLERANCE);
    cr_expect_float_eq (clustering->centroids[2 * left + 1], 1.0, TOLERANCE);
    cr_expect_float_eq (clustering->centroids[2 * (1 - left)], 100.0, TOLERANCE);
    stats_kmeans_destroy (&clustering);
    cr_expect_null (clustering);
    stats_kmeans_destroy (&clustering);
    stats_kmeans_destroy (NULL);

    /*  k = 1: the centroid is the mean, (50, 1); inertia 4 x (50^2 + 1). */
    cr_assert_eq (stats_kmeans (points, 4, 2, 1, &options, &clustering, NULL), 0);
    cr_expect_float_eq (clustering->centroids[0], 50.0, TOLERANCE);
    cr_expect_float_eq (clustering->inertia, 4.0 * 2501.0, 1e-6);
    stats_kmeans_destroy (&clustering);
}

Test (stats, kmeans_is_deterministic_for_a_seed)
{
    /*  200 points in 3 dimensions with no clear structure: the answer depends on the
        seeding, so two runs with one seed must agree to the bit. */
    enum { N = 200, D = 3 };
    double *points = malloc (N * D * sizeof *points);
    uint64_t state = 99;
    for (size_t i = 0; i < N * D; i++)
        points[i] = (double)(s_lcg (&state) % 10000) / 1000.0;
    stats_kmeans_options_t options = {.seed = 2024, .max_iterations = 50};
    stats_kmeans_t *first = NULL, *second = NULL;
    cr_assert_eq (stats_kmeans (points, N, D, 5, &options, &first, NULL), 0);
    cr_assert_eq (stats_kmeans (points, N, D, 5, &options, &second, NULL), 0);
    cr_expect (memcmp (first->assignment, second->assignment, N * sizeof (size_t)) == 0);
    cr_expect (memcmp (first->centroids, second->centroids, 5 * D * sizeof (double)) == 0);
    cr_expect_eq (first->inertia, second->inertia);
    cr_expect_eq (first->iterations, second->iterations);
    size_t total = 0;
    for (size_t c = 0; c < 5; c++) {
        cr_expect_geq (first->sizes[c], 1);
        total += first->sizes[c];
    }
    cr_expect_eq (total, N);
    stats_kmeans_destroy (&first);
    stats_kmeans_destroy (&second);
    free (points);
}

Test (stats, kmeans_refuses_bad_arguments)
{
    const double points[] = {0, 0, 1, 1, 2, 2};
    stats_kmeans_options_t options = {.seed = 1, .max_iterations = 10};
    stats_kmeans_t *clustering = NULL;
    err_t err;
    cr_assert_eq (stats_kmeans (points, 3, 2, 4, &options, &clustering, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "k = 4 clusters for 3 points"), "%s", err.msg);
    cr_assert_eq (stats_kmeans (points, 3, 2, 0, &options, &clustering, &err), ERR_INVALID);
    stats_kmeans_options_t no_iterations = {.seed = 1, .max_iterations = 0};
    cr_assert_eq (stats_kmeans (points, 3, 2, 2, &no_iterations, &clustering, &err),
                  ERR_INVALID);
    cr_expect (strstr (err.msg, "max_iterations"), "%s", err.msg);
    const double bad[] = {0, 0, INFINITY, 1};
    cr_assert_eq (stats_kmeans (bad, 2, 2, 1, &options, &clustering, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "point 1, feature 0 is infinite"), "%s", err.msg);
    cr_expect_null (clustering);
}

Test (stats, kmeans_duplicate_points_leave_no_cluster_empty)
{
    /*  Four identical points, k = 2: both centres land on the same spot, every point
        first goes to cluster 0, and the empty cluster 1 is re-seeded with point 0 (all
        distances tie at 0: the lowest index). */
    const double points[] = {1, 1, 1, 1, 1, 1, 1, 1};
    stats_kmeans_options_t options = {.seed = 3, .max_iterations = 10};
    stats_kmeans_t *clustering = NULL;
    cr_assert_eq (stats_kmeans (points, 4, 2, 2, &options, &clustering, NULL), 0);
    cr_expect_eq (clustering->sizes[0], 3);
    cr_expect_eq (clustering->sizes[1], 1);
    cr_expect_eq (clustering->assignment[0], 1);
    cr_expect_float_eq (clustering->inertia, 0.0, TOLERANCE);
    cr_expect (clustering->converged);
    stats_kmeans_destroy (&clustering);
}

Test (stats, silhouette_by_hand)
{
    /*  x = 0, 1 | 4, 6 (y = 0):
          0: a = 1, b = (4 + 6) / 2 = 5,   s = 4/5
          1: a = 1, b = (3 + 5) / 2 = 4,   s = 3/4
          4: a = 2, b = (4 + 3) / 2 = 3.5, s = 1.5/3.5
          6: a = 2, b = (6 + 5) / 2 = 5.5, s = 3.5/5.5
        mean 0.653733766... */
    const double points[] = {0, 0, 1, 0, 4, 0, 6, 0};
    const size_t assignment[] = {0, 0, 1, 1};
    double mean = -2;
    cr_assert_eq (stats_silhouette (points, 4, 2, assignment, 2, &mean, NULL), 0);
    cr_expect_float_eq (mean, (0.8 + 0.75 + 1.5 / 3.5 + 3.5 / 5.5) / 4, TOLERANCE);
    cr_expect_float_eq (mean, 0.6537337662337662, TOLERANCE);

    /*  x = 0, 1 | 10: the lone point counts 0; 0: a = 1, b = 10 (0.9); 1: a = 1, b = 9
        (8/9). */
    const double three[] = {0, 0, 1, 0, 10, 0};
    const size_t split[] = {1, 1, 0};
    cr_assert_eq (stats_silhouette (three, 3, 2, split, 2, &mean, NULL), 0);
    cr_expect_float_eq (mean, (0.9 + 8.0 / 9.0) / 3, TOLERANCE);

    /*  An unused cluster number is allowed (k = 3, cluster 2 empty). */
    cr_assert_eq (stats_silhouette (points, 4, 2, assignment, 3, &mean, NULL), 0);
    cr_expect_float_eq (mean, 0.6537337662337662, TOLERANCE);
}

Test (stats, silhouette_refuses_fewer_than_two_clusters)
{
    const double points[] = {0, 0, 1, 0, 4, 0};
    const size_t together[] = {0, 0, 0};
    const size_t out_of_range[] = {0, 1, 5};
    err_t err;
    double mean = 42;
    cr_assert_eq (stats_silhouette (points, 3, 2, together, 1, &mean, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "k = 1"), "%s", err.msg);
    cr_assert_eq (stats_silhouette (points, 3, 2, together, 2, &mean, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "one cluster"), "%s", err.msg);
    cr_assert_eq (stats_silhouette (points, 3, 2, out_of_range, 2, &mean, &err), ERR_INVALID);
    cr_expect (strstr (err.msg, "assignment[2] is 5"), "%s", err.msg);
    cr_expect_float_eq (mean, 42.0, 0, "mean written on failure");
}

Test (stats, silhouette_sampled)
{
    double points[2 * BLOB_POINTS];
    s_blobs (points);
    size_t assignment[BLOB_POINTS];
    for (size_t i = 0; i < BLOB_POINTS; i++)
        assignment[i] = i % 3;
    double exact = 0, all = 0, sampled = 0, again = 0;
    cr_assert_eq (stats_silhouette (points, BLOB_POINTS, 2, assignment, 3, &exact, NULL), 0);
    /*  0 or a sample as large as the data is the exact value. */
    cr_assert_eq (
        stats_silhouette_sampled (points, BLOB_POINTS, 2, assignment, 3, 0, 5, &all, NULL), 0);
    cr_expect_eq (all, exact);
    cr_assert_eq (
        stats_silhouette_sampled (points, BLOB_POINTS, 2, assignment, 3, 100, 5, &all, NULL),
        0);
    cr_expect_eq (all, exact);
    /*  A sample of 12 is close on well-separated blobs, and the same for one seed. */
    cr_assert_eq (
        stats_silhouette_sampled (points, BLOB_POINTS, 2, assignment, 3, 12, 5, &sampled, NULL),
        0);
    cr_assert_eq (
        stats_silhouette_sampled (points, BLOB_POINTS, 2, assignment, 3, 12, 5, &again, NULL),
        0);
    cr_expect_eq (sampled, again);
    cr_expect (exact > 0.9, "exact %g", exact);
    cr_expect (sampled > 0.9, "sampled %g", sampled);
}

Test (stats, choose_k_finds_the_three_blobs)
{
    double points[2 * BLOB_POINTS];
    s_blobs (points);
    for (uint64_t seed = 1; seed <= 5; seed++) {
        stats_kmeans_options_t options = {.seed = seed, .max_iterations = 100};
        stats_kchoice_t *choice = NULL;
        err_t err;
        cr_assert_eq (
            stats_kmeans_choose (points, BLOB_POINTS, 2, 2, 6, &options, &choice, &err), 0,
            "%s", err.msg);
        cr_expect_eq (choice->best_k, 3, "seed %llu", (unsigned long long)seed);
        cr_expect_eq (choice->k_min, 2);
        cr_expect_eq (choice->k_max, 6);
        cr_expect_eq (choice->best->k, 3);
        cr_expect (s_same_partition_as_blobs (choice->best->assignment));
        for (size_t k = 2; k <= 6; k++)
            if (k != 3)
                cr_expect_lt (choice->silhouette[k - 2], choice->silhouette[1], "k = %zu", k);
        stats_kchoice_destroy (&choice);
        cr_expect_null (choice);
    }
    stats_kchoice_destroy (NULL);
}

Test (stats, choose_k_ties_go_to_the_smaller_k)
{
    /*  Four identical points: every clustering has a = b = 0 for every point, so the
        silhouette is 0 for k = 2, 3 and 4 alike, and the smallest k wins. */
    const double points[] = {5, 5, 5, 5, 5, 5, 5, 5};
    stats_kmeans_options_t options = {.seed = 9, .max_iterations = 10};
    stats_kchoice_t *choice = NULL;
    cr_assert_eq (stats_kmeans_choose (points, 4, 2, 2, 4, &options, &choice, NULL), 0);
    cr_expect_eq (choice->best_k, 2);
    for (size_t i = 0; i < 3; i++)
        cr_expect_float_eq (choice->silhouette[i], 0.0, TOLERANCE);
    stats_kchoice_destroy (&choice);
}

Test (stats, choose_k_refuses_a_bad_range)
{
    double points[2 * BLOB_POINTS];
    s_blobs (points);
    stats_kmeans_options_t options = {.seed = 1, .max_iterations = 10};
    stats_kchoice_t *choice = NULL;
    err_t err;
    cr_assert_eq (stats_kmeans_choose (points, BLOB_POINTS, 2, 1, 4, &options, &choice, &err),
                  ERR_INVALID);
    cr_expect (strstr (err.msg, "2 <= k_min"), "%s", err.msg);
    cr_assert_eq (stats_kmeans_choose (points, BLOB_POINTS, 2, 5, 4, &options, &choice, &err),
                  ERR_INVALID);
    cr_assert_eq (stats_kmeans_choose (points, BLOB_POINTS, 2, 2, 16, &options, &choice, &err),
                  ERR_INVALID);
    cr_expect_null (choice);
}

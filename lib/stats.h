/*  stats.h: the shared statistics of the fleet, in one place.

    Standardisation (mean, standard deviation, z-scores), propensity-score accuracy
    (AUC, Brier score, log loss, calibration and lift by equal-count bins) and
    clustering (k-means++ with Lloyd iterations, mean silhouette, choosing k by
    silhouette). Every agent that scores, segments or validates uses these, so the
    numbers in every report are computed the same way.

    Conventions, for every function here:
    - It returns 0 or a negative ERR_* (err.h) and writes its outputs only on success;
      err (may be NULL) then says what is wrong with which input ("scores[3] is NaN",
      "AUC needs both classes: all 12 labels are 1").
    - Inputs are arrays the caller owns and keeps alive for the call; nothing is
      retained. NaN or infinite inputs are ERR_INVALID, never propagated into a result.
    - Labels are int 0 (did not happen: no expansion, lost) or 1 (happened); any other
      value is ERR_INVALID.
    - Results that need memory are allocated here and freed by the matching
      stats_*_destroy (&p), which sets p to NULL and accepts NULL.
    - Everything is deterministic: no rand(), no clock. Random choices (k-means++ seeding,
      silhouette sampling) come from a splitmix64 generator seeded by the caller.
*/
#ifndef CAMPAIGN_STATS_H
#define CAMPAIGN_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* --------------------------------------------------------------------------
   Standardisation */

/*  Which standard deviation: population divides the sum of squared deviations by n
    (what z-scoring a whole portfolio uses), sample by n - 1 (an estimate of the spread
    of a population the values were drawn from). */
typedef enum { STATS_POPULATION = 0, STATS_SAMPLE = 1 } stats_sd_kind_t;

/*  Arithmetic mean of n >= 1 finite values. */
int stats_mean (const double *values, size_t n, double *mean, err_t *err);

/*  Standard deviation of n finite values (two-pass: mean, then squared deviations).
    Population needs n >= 1, sample n >= 2. Zero is a valid answer here. */
int stats_sd (const double *values, size_t n, stats_sd_kind_t kind, double *sd, err_t *err);

/*  z[i] = (values[i] - mean) / sd for n >= 2 finite values; z may be values itself (in
    place). Zero variance is ERR_INVALID (a constant column cannot be standardised).
    mean_out and sd_out (may be NULL) receive the mean and sd used, so new values can be
    scaled the same way later. */
int stats_zscores (const double *values, size_t n, stats_sd_kind_t kind, double *z,
                   double *mean_out, double *sd_out, err_t *err);

/*  Standardise every column of the row-major n x d matrix in place (n >= 2). means and
    sds (each d doubles, may be NULL) receive what was used. A constant column is
    ERR_INVALID naming the column, and then the matrix is left untouched. */
int stats_standardise_columns (double *matrix, size_t n, size_t d, stats_sd_kind_t kind,
                               double *means, double *sds, err_t *err);

/* --------------------------------------------------------------------------
   Propensity-score accuracy. scores[i] is the score of case i, labels[i] its outcome. */

/*  Area under the ROC curve: the Mann-Whitney U of the positives' scores over the
    negatives' divided by n_pos x n_neg, with tied scores given their mid-rank (a tie
    between a positive and a negative counts one half). O(n log n). Scores need only be
    finite and comparable, not probabilities. No positives or no negatives is
    ERR_INVALID: the AUC is not defined then. */
int stats_auc (const double *scores, const int *labels, size_t n, double *auc, err_t *err);

/*  Brier score: mean of (p - y)^2 over n >= 1 cases; probabilities must lie in [0, 1]. */
int stats_brier (const double *probabilities, const int *labels, size_t n, double *brier,
                 err_t *err);

/*  The clamp of stats_log_loss: the probability given to what happened (p for a 1,
    1 - p for a 0) counts as at least eps, so a confident miss costs -ln (eps) (about
    34.5) instead of infinity. */
#define STATS_LOG_LOSS_EPSILON 1e-15

/*  Log loss (binary cross-entropy, natural log): -mean (y ln p + (1 - y) ln (1 - p))
    clamped (STATS_LOG_LOSS_EPSILON); probabilities must lie in [0, 1]. */
int stats_log_loss (const double *probabilities, const int *labels, size_t n, double *loss,
                    err_t *err);

/*  One equal-count bin of a calibration / lift table. */
typedef struct {
    size_t count;          /* cases in the bin */
    size_t positives;      /* of which label 1 */
    double score_min;      /* lowest score in the bin */
    double score_max;      /* highest score in the bin */
    double mean_predicted; /* mean score */
    double observed_rate;  /* positives / count */
    double lift;           /* observed_rate / the overall rate */
} stats_bin_t;

typedef struct {
    size_t n;            /* cases */
    size_t positives;    /* label-1 cases */
    double overall_rate; /* positives / n */
    size_t bins;         /* number of bins (k) */
    stats_bin_t *bin;    /* bins[k]: bin[0] holds the HIGHEST scores (the top decile) */
    double ece;          /* expected calibration error: sum of count/n x |mean_predicted
                            - observed_rate| over the bins */
    double top_lift;     /* bin[0].lift */
} stats_calibration_t;

/*  Calibration and lift by k equal-count bins (k = 10: deciles). Cases are sorted by
    score, highest first, and equal scores by index (lower index first), so ties at a
    bin edge are split deterministically by position, never by chance. Bin sizes are
    n / k, and the first n % k bins (the highest scores) hold one more. Needs
    1 <= k <= n and at least one positive (lift divides by the overall rate). Scores
    need only be finite; mean_predicted and ece mean something only for
    probabilities. Free with stats_calibration_destroy. */
int stats_calibration (const double *scores, const int *labels, size_t n, size_t k,
                       stats_calibration_t **result, err_t *err);
void stats_calibration_destroy (stats_calibration_t **self_p);

/* --------------------------------------------------------------------------
   Clustering. points is a row-major n x d matrix of features already standardised
   (stats_standardise_columns): k-means uses plain Euclidean distance, so a feature on
   a larger scale would dominate. */

typedef struct {
    uint64_t seed;            /* the same seed gives the same clustering */
    int max_iterations;       /* Lloyd iterations at most (>= 1) */
    size_t silhouette_sample; /* stats_kmeans_choose: 0 = exact silhouette on all
                                 points, else on this many points sampled by seed */
} stats_kmeans_options_t;

typedef struct {
    size_t n, d, k;
    double *centroids;  /* k x d row-major */
    size_t *assignment; /* n: cluster of each point, 0..k-1 */
    size_t *sizes;      /* k: points per cluster, every one >= 1 */
    double inertia;     /* sum of squared distances of points to their centroid */
    int iterations;     /* Lloyd iterations run */
    bool converged;     /* assignments stopped changing before max_iterations */
} stats_kmeans_t;

/*  k-means++ seeding (first centre uniform, each next one drawn with probability
    proportional to the squared distance to the nearest centre chosen so far), then
    Lloyd iterations until no point changes cluster or options->max_iterations. A point
    equally near two centroids goes to the lower-numbered one at first and afterwards
    stays where it is. A cluster left empty is re-seeded with the point farthest from
    its own centroid (lowest index on ties) taken from a cluster of two or more, so
    every cluster ends non-empty. Needs 1 <= k <= n, d >= 1, finite points. With fewer
    distinct points than k some centroids coincide. Free with stats_kmeans_destroy. */
int stats_kmeans (const double *points, size_t n, size_t d, size_t k,
                  const stats_kmeans_options_t *options, stats_kmeans_t **result, err_t *err);
void stats_kmeans_destroy (stats_kmeans_t **self_p);

/*  Mean silhouette of a clustering (Euclidean distance): for each point, a = mean
    distance to the other members of its cluster, b = the smallest mean distance to
    the members of another cluster, s = (b - a) / max (a, b); a point alone in its
    cluster has s = 0 (as does one whose a and b are both 0). Exact: O(n^2 d) time,
    O(k) extra memory; for large n use stats_silhouette_sampled. Needs k >= 2, every
    assignment < k, and at least two non-empty clusters. */
int stats_silhouette (const double *points, size_t n, size_t d, const size_t *assignment,
                      size_t k, double *mean, err_t *err);

/*  The same on `sample` points drawn without replacement (seeded): the silhouette of
    the sample as a clustering of its own, O(sample^2 d). sample = 0 or >= n is exact.
    A cluster that keeps a single point in the sample counts it as 0, so a small
    sample slightly underestimates. */
int stats_silhouette_sampled (const double *points, size_t n, size_t d,
                              const size_t *assignment, size_t k, size_t sample, uint64_t seed,
                              double *mean, err_t *err);

typedef struct {
    size_t k_min, k_max;
    double *silhouette;   /* k_max - k_min + 1 values: silhouette[k - k_min] */
    size_t best_k;        /* highest mean silhouette; the smaller k on ties */
    stats_kmeans_t *best; /* the clustering with best_k (owned by this result) */
} stats_kchoice_t;

/*  Run stats_kmeans for every k in [k_min, k_max] (same options and seed each) and keep
    the one with the best mean silhouette (sampled per options->silhouette_sample).
    Needs 2 <= k_min <= k_max <= n. Free with stats_kchoice_destroy. */
int stats_kmeans_choose (const double *points, size_t n, size_t d, size_t k_min, size_t k_max,
                         const stats_kmeans_options_t *options, stats_kchoice_t **result,
                         err_t *err);
void stats_kchoice_destroy (stats_kchoice_t **self_p);

#endif

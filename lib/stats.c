/*  stats.c: the shared statistics (see stats.h for the contract of each function).

    Every entry point validates all of its input before it computes or allocates, so
    an error leaves the outputs untouched, and builds any result completely before
    handing it over. Sorting is by qsort on (score, index) pairs: the index breaks ties,
    which makes bin edges and AUC tie groups independent of the qsort implementation.
    Random choices come from splitmix64 (Steele, Lea and Flood 2014), a 64-bit state
    generator that is small, fast and identical on every platform, unlike rand().
    The caller guarantees that array lengths match the counts it passes; a NULL array
    with a count above 0 is refused as ERR_INVALID.
*/
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --------------------------------------------------------------------------
   Helpers */

typedef struct {
    double score;
    size_t index;
    int label;
} s_case_t;

/*  splitmix64: the next 64 random bits. */
static uint64_t
s_rng_next (uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/*  Uniform in [0, 1) with 53 random bits. */
static double
s_rng_uniform (uint64_t *state)
{
    return (double)(s_rng_next (state) >> 11) * 0x1.0p-53;
}

/*  Uniform in 0..n-1 (n >= 1), by rejection so no index is favoured. */
static size_t
s_rng_index (uint64_t *state, size_t n)
{
    uint64_t bound = (uint64_t)n;
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t x;
    do
        x = s_rng_next (state);
    while (x >= limit);
    return (size_t)(x % bound);
}

static int
s_check_finite (const double *values, size_t n, const char *what, const char *name, err_t *err)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite (values[i]))
            return err_set (err, ERR_INVALID, "%s: %s[%zu] is %s", what, name, i,
                            isnan (values[i]) ? "NaN" : "infinite");
    return 0;
}

static int
s_check_labels (const int *labels, size_t n, const char *what, size_t *positives, err_t *err)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (labels[i] != 0 && labels[i] != 1)
            return err_set (err, ERR_INVALID, "%s: labels[%zu] is %d, not 0 or 1", what, i,
                            labels[i]);
        count += (size_t)labels[i];
    }
    *positives = count;
    return 0;
}

static int
s_check_probabilities (const double *probabilities, size_t n, const char *what, err_t *err)
{
    for (size_t i = 0; i < n; i++)
        if (!(probabilities[i] >= 0.0 && probabilities[i] <= 1.0))
            return err_set (err, ERR_INVALID,
                            "%s: probabilities[%zu] is %g, outside 0..1 (or not a number)",
                            what, i, probabilities[i]);
    return 0;
}

/*  Validate scores and labels of a classification measure; gives the positives. */
static int
s_check_scored (const double *scores, const int *labels, size_t n, const char *what,
                const char *scores_name, size_t *positives, err_t *err)
{
    if (n == 0)
        return err_set (err, ERR_INVALID, "%s: no cases (n = 0)", what);
    if (!scores || !labels)
        return err_set (err, ERR_INVALID, "%s: %s is NULL", what,
                        !scores ? scores_name : "labels");
    int rc = s_check_finite (scores, n, what, scores_name, err);
    if (rc == 0)
        rc = s_check_labels (labels, n, what, positives, err);
    return rc;
}

static int
s_compare_ascending (const void *left, const void *right)
{
    const s_case_t *a = left, *b = right;
    if (a->score != b->score)
        return a->score < b->score ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

/*  Highest score first; equal scores by index, lowest first. */
static int
s_compare_descending (const void *left, const void *right)
{
    const s_case_t *a = left, *b = right;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static s_case_t *
s_sorted_cases (const double *scores, const int *labels, size_t n, bool descending)
{
    s_case_t *cases = malloc (n * sizeof *cases);
    if (!cases)
        return NULL;
    for (size_t i = 0; i < n; i++)
        cases[i] = (s_case_t){scores[i], i, labels[i]};
    qsort (cases, n, sizeof *cases, descending ? s_compare_descending : s_compare_ascending);
    return cases;
}

/*  Mean and sd of n values spaced stride apart. Values that are all equal give exactly
    that value and sd 0, whatever the rounding of their sum would say. */
static void
s_mean_sd (const double *values, size_t stride, size_t n, stats_sd_kind_t kind,
           double *mean_out, double *sd_out)
{
    bool constant = true;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += values[i * stride];
        if (values[i * stride] != values[0])
            constant = false;
    }
    if (constant) {
        *mean_out = values[0];
        *sd_out = 0;
        return;
    }
    double mean = sum / (double)n;
    double squares = 0;
    for (size_t i = 0; i < n; i++) {
        double deviation = values[i * stride] - mean;
        squares += deviation * deviation;
    }
    *mean_out = mean;
    *sd_out = sqrt (squares / (double)(kind == STATS_SAMPLE ? n - 1 : n));
}

/*  n x d doubles fit in a size_t byte count. */
static bool
s_matrix_fits (size_t n, size_t d)
{
    return d == 0 || n <= SIZE_MAX / sizeof (double) / d;
}

static int
s_check_points (const double *points, size_t n, size_t d, const char *what, err_t *err)
{
    if (n == 0 || d == 0)
        return err_set (err, ERR_INVALID, "%s: empty matrix (%zu points x %zu features)", what,
                        n, d);
    if (!points)
        return err_set (err, ERR_INVALID, "%s: points is NULL", what);
    if (!s_matrix_fits (n, d))
        return err_set (err, ERR_TOOBIG, "%s: %zu x %zu points do not fit in memory", what, n,
                        d);
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite (points[i]))
            return err_set (err, ERR_INVALID, "%s: point %zu, feature %zu is %s", what, i / d,
                            i % d, isnan (points[i]) ? "NaN" : "infinite");
    return 0;
}

static double
s_distance2 (const double *a, const double *b, size_t d)
{
    double sum = 0;
    for (size_t j = 0; j < d; j++) {
        double delta = a[j] - b[j];
        sum += delta * delta;
    }
    return sum;
}

/* --------------------------------------------------------------------------
   Standardisation */

int
stats_mean (const double *values, size_t n, double *mean, err_t *err)
{
    if (n == 0)
        return err_set (err, ERR_INVALID, "mean: no values (n = 0)");
    if (!values)
        return err_set (err, ERR_INVALID, "mean: values is NULL");
    int rc = s_check_finite (values, n, "mean", "values", err);
    if (rc)
        return rc;
    double m, sd;
    s_mean_sd (values, 1, n, STATS_POPULATION, &m, &sd);
    *mean = m;
    return 0;
}

int
stats_sd (const double *values, size_t n, stats_sd_kind_t kind, double *sd, err_t *err)
{
    size_t needed = kind == STATS_SAMPLE ? 2 : 1;
    if (n < needed)
        return err_set (err, ERR_INVALID,
                        "%s standard deviation: needs %zu or more values, got %zu",
                        kind == STATS_SAMPLE ? "sample" : "population", needed, n);
    if (!values)
        return err_set (err, ERR_INVALID, "standard deviation: values is NULL");
    int rc = s_check_finite (values, n, "standard deviation", "values", err);
    if (rc)
        return rc;
    double m, s;
    s_mean_sd (values, 1, n, kind, &m, &s);
    *sd = s;
    return 0;
}

int
stats_zscores (const double *values, size_t n, stats_sd_kind_t kind, double *z,
               double *mean_out, double *sd_out, err_t *err)
{
    if (n < 2)
        return err_set (err, ERR_INVALID, "z-scores: needs 2 or more values, got %zu", n);
    if (!values || !z)
        return err_set (err, ERR_INVALID, "z-scores: %s is NULL", !values ? "values" : "z");
    int rc = s_check_finite (values, n, "z-scores", "values", err);
    if (rc)
        return rc;
    double mean, sd;
    s_mean_sd (values, 1, n, kind, &mean, &sd);
    if (sd == 0)
        return err_set (err, ERR_INVALID,
                        "z-scores: all %zu values are %g (zero variance): nothing to scale", n,
                        values[0]);
    for (size_t i = 0; i < n; i++)
        z[i] = (values[i] - mean) / sd;
    if (mean_out)
        *mean_out = mean;
    if (sd_out)
        *sd_out = sd;
    return 0;
}

int
stats_standardise_columns (double *matrix, size_t n, size_t d, stats_sd_kind_t kind,
                           double *means, double *sds, err_t *err)
{
    if (n < 2)
        return err_set (err, ERR_INVALID, "standardise: needs 2 or more rows, got %zu", n);
    int rc = s_check_points (matrix, n, d, "standardise", err);
    if (rc)
        return rc;
    double *column_mean = malloc (2 * d * sizeof *column_mean);
    if (!column_mean)
        return err_set (err, ERR_NOMEM, "standardise: out of memory for %zu columns", d);
    double *column_sd = column_mean + d;
    for (size_t j = 0; j < d; j++) {
        s_mean_sd (matrix + j, d, n, kind, &column_mean[j], &column_sd[j]);
        if (column_sd[j] == 0) {
            rc = err_set (err, ERR_INVALID,
                          "standardise: column %zu is %g in all %zu rows (zero variance)", j,
                          matrix[j], n);
            goto cleanup;
        }
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            matrix[i * d + j] = (matrix[i * d + j] - column_mean[j]) / column_sd[j];
    if (means)
        memcpy (means, column_mean, d * sizeof *means);
    if (sds)
        memcpy (sds, column_sd, d * sizeof *sds);
cleanup:
    free (column_mean);
    return rc;
}

/* --------------------------------------------------------------------------
   Propensity-score accuracy */

int
stats_auc (const double *scores, const int *labels, size_t n, double *auc, err_t *err)
{
    size_t positives = 0;
    int rc = s_check_scored (scores, labels, n, "AUC", "scores", &positives, err);
    if (rc)
        return rc;
    if (positives == 0 || positives == n)
        return err_set (err, ERR_INVALID,
                        "AUC needs both classes: all %zu labels are %d, so there is no pair "
                        "of a positive and a negative to rank",
                        n, positives ? 1 : 0);
    s_case_t *cases = s_sorted_cases (scores, labels, n, false);
    if (!cases)
        return err_set (err, ERR_NOMEM, "AUC: out of memory sorting %zu scores", n);
    /*  Rank sum of the positives, a tie group at positions first..last-1 (0-based)
        sharing the mid-rank (first + 1 + last) / 2. Integers and halves are exact in a
        double up to 2^52, far beyond any portfolio. */
    double rank_sum = 0;
    for (size_t first = 0; first < n;) {
        size_t last = first;
        size_t group_positives = 0;
        while (last < n && cases[last].score == cases[first].score)
            group_positives += (size_t)cases[last++].label;
        rank_sum += (double)group_positives * ((double)(first + 1 + last) / 2.0);
        first = last;
    }
    free (cases);
    double n_pos = (double)positives;
    double n_neg = (double)(n - positives);
    double u = rank_sum - n_pos * (n_pos + 1) / 2.0;
    *auc = u / (n_pos * n_neg);
    return 0;
}

int
stats_brier (const double *probabilities, const int *labels, size_t n, double *brier,
             err_t *err)
{
    size_t positives;
    int rc = s_check_scored (probabilities, labels, n, "Brier score", "probabilities",
                             &positives, err);
    if (rc == 0)
        rc = s_check_probabilities (probabilities, n, "Brier score", err);
    if (rc)
        return rc;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        double miss = probabilities[i] - labels[i];
        sum += miss * miss;
    }
    *brier = sum / (double)n;
    return 0;
}

int
stats_log_loss (const double *probabilities, const int *labels, size_t n, double *loss,
                err_t *err)
{
    size_t positives;
    int rc =
        s_check_scored (probabilities, labels, n, "log loss", "probabilities", &positives, err);
    if (rc == 0)
        rc = s_check_probabilities (probabilities, n, "log loss", err);
    if (rc)
        return rc;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        /*  Clamp the probability given to what happened: 1 - p is exact for p near 1,
            where clamping p to 1 - eps first would round. */
        double p = labels[i] ? probabilities[i] : 1.0 - probabilities[i];
        sum += log (fmax (p, STATS_LOG_LOSS_EPSILON));
    }
    *loss = -sum / (double)n;
    return 0;
}

int
stats_calibration (const double *scores, const int *labels, size_t n, size_t k,
                   stats_calibration_t **result, err_t *err)
{
    size_t positives = 0;
    int rc = s_check_scored (scores, labels, n, "calibration", "scores", &positives, err);
    if (rc)
        return rc;
    if (k == 0 || k > n)
        return err_set (err, ERR_INVALID,
                        "calibration: %zu bins for %zu cases: give 1 to %zu bins", k, n, n);
    if (positives == 0)
        return err_set (err, ERR_INVALID,
                        "calibration: all %zu labels are 0, so the overall rate is 0 and "
                        "lift is not defined",
                        n);
    s_case_t *cases = s_sorted_cases (scores, labels, n, true);
    stats_calibration_t *self = calloc (1, sizeof *self);
    stats_bin_t *bins = calloc (k, sizeof *bins);
    if (!cases || !self || !bins) {
        free (cases);
        free (self);
        free (bins);
        return err_set (err, ERR_NOMEM, "calibration: out of memory for %zu cases", n);
    }
    self->n = n;
    self->positives = positives;
    self->overall_rate = (double)positives / (double)n;
    self->bins = k;
    self->bin = bins;
    size_t base = n / k, extra = n % k, next = 0;
    for (size_t b = 0; b < k; b++) {
        stats_bin_t *bin = &bins[b];
        bin->count = base + (b < extra ? 1 : 0);
        double sum = 0;
        for (size_t i = next; i < next + bin->count; i++) {
            sum += cases[i].score;
            bin->positives += (size_t)cases[i].label;
        }
        bin->score_max = cases[next].score;
        bin->score_min = cases[next + bin->count - 1].score;
        bin->mean_predicted = sum / (double)bin->count;
        bin->observed_rate = (double)bin->positives / (double)bin->count;
        bin->lift = bin->observed_rate / self->overall_rate;
        self->ece +=
            (double)bin->count / (double)n * fabs (bin->mean_predicted - bin->observed_rate);
        next += bin->count;
    }
    self->top_lift = bins[0].lift;
    free (cases);
    *result = self;
    return 0;
}

void
stats_calibration_destroy (stats_calibration_t **self_p)
{
    if (self_p && *self_p) {
        free ((*self_p)->bin);
        free (*self_p);
        *self_p = NULL;
    }
}

/* --------------------------------------------------------------------------
   Clustering */

void
stats_kmeans_destroy (stats_kmeans_t **self_p)
{
    if (self_p && *self_p) {
        stats_kmeans_t *self = *self_p;
        free (self->centroids);
        free (self->assignment);
        free (self->sizes);
        free (self);
        *self_p = NULL;
    }
}

/*  k-means++: the first centre uniform, each next one drawn with probability
    proportional to nearest[i], the squared distance to the nearest centre so far. When
    every point already sits on a centre (fewer distinct points than k) the draw is
    uniform. */
static void
s_kmeans_seed (stats_kmeans_t *self, const double *points, double *nearest, uint64_t *rng)
{
    size_t n = self->n, d = self->d;
    size_t chosen = s_rng_index (rng, n);
    memcpy (self->centroids, points + chosen * d, d * sizeof (double));
    for (size_t i = 0; i < n; i++)
        nearest[i] = s_distance2 (points + i * d, self->centroids, d);
    for (size_t c = 1; c < self->k; c++) {
        double total = 0;
        for (size_t i = 0; i < n; i++)
            total += nearest[i];
        if (total > 0) {
            double target = s_rng_uniform (rng) * total;
            double cumulative = 0;
            chosen = SIZE_MAX;
            size_t last_positive = 0;
            for (size_t i = 0; i < n && chosen == SIZE_MAX; i++) {
                if (nearest[i] > 0) {
                    cumulative += nearest[i];
                    last_positive = i;
                    if (target < cumulative)
                        chosen = i;
                }
            }
            if (chosen == SIZE_MAX) /* rounding left target at the very end */
                chosen = last_positive;
        } else
            chosen = s_rng_index (rng, n);
        double *centre = self->centroids + c * d;
        memcpy (centre, points + chosen * d, d * sizeof (double));
        for (size_t i = 0; i < n; i++) {
            double distance = s_distance2 (points + i * d, centre, d);
            if (distance < nearest[i])
                nearest[i] = distance;
        }
    }
}

/*  Assign every point to its nearest centroid; a tie keeps the current cluster, or
    goes to the lowest-numbered one for a point not yet assigned (SIZE_MAX). nearest[i]
    gets the squared distance. Returns whether any point moved. */
static bool
s_kmeans_assign (stats_kmeans_t *self, const double *points, double *nearest)
{
    size_t d = self->d;
    bool changed = false;
    for (size_t i = 0; i < self->n; i++) {
        const double *point = points + i * d;
        size_t best = self->assignment[i] == SIZE_MAX ? 0 : self->assignment[i];
        double best_distance = s_distance2 (point, self->centroids + best * d, d);
        for (size_t c = 0; c < self->k; c++) {
            double distance = s_distance2 (point, self->centroids + c * d, d);
            if (distance < best_distance) {
                best = c;
                best_distance = distance;
            }
        }
        if (best != self->assignment[i])
            changed = true;
        self->assignment[i] = best;
        nearest[i] = best_distance;
    }
    return changed;
}

/*  Give each empty cluster the point farthest from its centroid (lowest index on ties)
    among clusters of two or more; one always exists while n >= k. Returns whether any
    cluster was empty. */
static bool
s_kmeans_reseed (stats_kmeans_t *self, double *nearest)
{
    memset (self->sizes, 0, self->k * sizeof *self->sizes);
    for (size_t i = 0; i < self->n; i++)
        self->sizes[self->assignment[i]]++;
    bool reseeded = false;
    for (size_t c = 0; c < self->k; c++) {
        if (self->sizes[c] > 0)
            continue;
        size_t farthest = SIZE_MAX;
        for (size_t i = 0; i < self->n; i++)
            if (self->sizes[self->assignment[i]] > 1 &&
                (farthest == SIZE_MAX || nearest[i] > nearest[farthest]))
                farthest = i;
        self->sizes[self->assignment[farthest]]--;
        self->assignment[farthest] = c;
        self->sizes[c] = 1;
        nearest[farthest] = 0;
        reseeded = true;
    }
    return reseeded;
}

static void
s_kmeans_update (stats_kmeans_t *self, const double *points)
{
    size_t d = self->d;
    memset (self->centroids, 0, self->k * d * sizeof (double));
    for (size_t i = 0; i < self->n; i++) {
        double *centre = self->centroids + self->assignment[i] * d;
        for (size_t j = 0; j < d; j++)
            centre[j] += points[i * d + j];
    }
    for (size_t c = 0; c < self->k; c++)
        for (size_t j = 0; j < d; j++)
            self->centroids[c * d + j] /= (double)self->sizes[c];
}

int
stats_kmeans (const double *points, size_t n, size_t d, size_t k,
              const stats_kmeans_options_t *options, stats_kmeans_t **result, err_t *err)
{
    int rc = s_check_points (points, n, d, "k-means", err);
    if (rc)
        return rc;
    if (k == 0 || k > n)
        return err_set (err, ERR_INVALID,
                        "k-means: k = %zu clusters for %zu points: give 1 to %zu", k, n, n);
    if (!options || options->max_iterations < 1)
        return err_set (err, ERR_INVALID, "k-means: max_iterations must be 1 or more (got %d)",
                        options ? options->max_iterations : 0);

    stats_kmeans_t *self = calloc (1, sizeof *self);
    double *nearest = malloc (n * sizeof *nearest);
    if (self) {
        self->centroids = malloc (k * d * sizeof *self->centroids);
        self->assignment = malloc (n * sizeof *self->assignment);
        self->sizes = calloc (k, sizeof *self->sizes);
    }
    if (!self || !nearest || !self->centroids || !self->assignment || !self->sizes) {
        stats_kmeans_destroy (&self);
        free (nearest);
        return err_set (err, ERR_NOMEM, "k-means: out of memory for %zu points, k = %zu", n, k);
    }
    self->n = n;
    self->d = d;
    self->k = k;

    uint64_t rng = options->seed;
    s_kmeans_seed (self, points, nearest, &rng);
    for (size_t i = 0; i < n; i++)
        self->assignment[i] = SIZE_MAX;
    while (self->iterations < options->max_iterations) {
        bool changed = s_kmeans_assign (self, points, nearest);
        self->iterations++;
        if (s_kmeans_reseed (self, nearest))
            changed = true;
        s_kmeans_update (self, points);
        if (!changed) {
            self->converged = true;
            break;
        }
    }
    for (size_t i = 0; i < n; i++)
        self->inertia +=
            s_distance2 (points + i * d, self->centroids + self->assignment[i] * d, d);
    free (nearest);
    *result = self;
    return 0;
}

int
stats_silhouette (const double *points, size_t n, size_t d, const size_t *assignment, size_t k,
                  double *mean, err_t *err)
{
    int rc = s_check_points (points, n, d, "silhouette", err);
    if (rc)
        return rc;
    if (k < 2)
        return err_set (err, ERR_INVALID,
                        "silhouette: k = %zu: needs 2 or more clusters to compare", k);
    if (!assignment)
        return err_set (err, ERR_INVALID, "silhouette: assignment is NULL");
    size_t *sizes = calloc (k, sizeof *sizes);
    double *sums = malloc (k * sizeof *sums);
    if (!sizes || !sums) {
        rc = err_set (err, ERR_NOMEM, "silhouette: out of memory for k = %zu", k);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        if (assignment[i] >= k) {
            rc = err_set (err, ERR_INVALID,
                          "silhouette: assignment[%zu] is %zu, not below k = %zu", i,
                          assignment[i], k);
            goto cleanup;
        }
        sizes[assignment[i]]++;
    }
    size_t non_empty = 0;
    for (size_t c = 0; c < k; c++)
        non_empty += sizes[c] > 0;
    if (non_empty < 2) {
        rc = err_set (err, ERR_INVALID,
                      "silhouette: all %zu points are in one cluster: needs two or more", n);
        goto cleanup;
    }
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t own = assignment[i];
        if (sizes[own] == 1)
            continue; /* alone in its cluster: s = 0 */
        memset (sums, 0, k * sizeof *sums);
        for (size_t j = 0; j < n; j++)
            if (j != i)
                sums[assignment[j]] += sqrt (s_distance2 (points + i * d, points + j * d, d));
        double a = sums[own] / (double)(sizes[own] - 1);
        double b = INFINITY;
        for (size_t c = 0; c < k; c++)
            if (c != own && sizes[c] > 0 && sums[c] / (double)sizes[c] < b)
                b = sums[c] / (double)sizes[c];
        double larger = fmax (a, b);
        if (larger > 0)
            total += (b - a) / larger;
    }
    *mean = total / (double)n;
cleanup:
    free (sizes);
    free (sums);
    return rc;
}

static int
s_compare_size (const void *left, const void *right)
{
    size_t a = *(const size_t *)left, b = *(const size_t *)right;
    return a < b ? -1 : a > b;
}

int
stats_silhouette_sampled (const double *points, size_t n, size_t d, const size_t *assignment,
                          size_t k, size_t sample, uint64_t seed, double *mean, err_t *err)
{
    if (sample == 0 || sample >= n)
        return stats_silhouette (points, n, d, assignment, k, mean, err);
    int rc = s_check_points (points, n, d, "silhouette", err);
    if (rc)
        return rc;
    if (k < 2)
        return err_set (err, ERR_INVALID,
                        "silhouette: k = %zu: needs 2 or more clusters to compare", k);
    if (!assignment)
        return err_set (err, ERR_INVALID, "silhouette: assignment is NULL");
    for (size_t i = 0; i < n; i++)
        if (assignment[i] >= k)
            return err_set (err, ERR_INVALID,
                            "silhouette: assignment[%zu] is %zu, not below k = %zu", i,
                            assignment[i], k);
    if (sample < 2)
        return err_set (err, ERR_INVALID,
                        "silhouette: a sample of %zu point cannot compare clusters: give 2 "
                        "or more (or 0 for all)",
                        sample);
    size_t *order = malloc (n * sizeof *order);
    double *sub_points = malloc (sample * d * sizeof *sub_points);
    size_t *sub_assignment = malloc (sample * sizeof *sub_assignment);
    if (!order || !sub_points || !sub_assignment) {
        rc = err_set (err, ERR_NOMEM, "silhouette: out of memory sampling %zu of %zu points",
                      sample, n);
        goto cleanup;
    }
    /*  Partial Fisher-Yates: the first `sample` slots are a uniform draw without
        replacement; sorting them keeps the sample in the caller's order. */
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    uint64_t rng = seed;
    for (size_t i = 0; i < sample; i++) {
        size_t j = i + s_rng_index (&rng, n - i);
        size_t swap = order[i];
        order[i] = order[j];
        order[j] = swap;
    }
    qsort (order, sample, sizeof *order, s_compare_size);
    for (size_t i = 0; i < sample; i++) {
        memcpy (sub_points + i * d, points + order[i] * d, d * sizeof *sub_points);
        sub_assignment[i] = assignment[order[i]];
    }
    rc = stats_silhouette (sub_points, sample, d, sub_assignment, k, mean, err);
    if (rc)
        err_prefix (err, "in a sample of %zu points: ", sample);
cleanup:
    free (order);
    free (sub_points);
    free (sub_assignment);
    return rc;
}

void
stats_kchoice_destroy (stats_kchoice_t **self_p)
{
    if (self_p && *self_p) {
        stats_kmeans_destroy (&(*self_p)->best);
        free ((*self_p)->silhouette);
        free (*self_p);
        *self_p = NULL;
    }
}

int
stats_kmeans_choose (const double *points, size_t n, size_t d, size_t k_min, size_t k_max,
                     const stats_kmeans_options_t *options, stats_kchoice_t **result,
                     err_t *err)
{
    if (k_min < 2 || k_max < k_min || k_max > n)
        return err_set (err, ERR_INVALID,
                        "choosing k: range %zu..%zu for %zu points: needs 2 <= k_min <= "
                        "k_max <= %zu",
                        k_min, k_max, n, n);
    if (!options)
        return err_set (err, ERR_INVALID, "choosing k: options is NULL");
    stats_kchoice_t *self = calloc (1, sizeof *self);
    if (self)
        self->silhouette = calloc (k_max - k_min + 1, sizeof *self->silhouette);
    if (!self || !self->silhouette) {
        stats_kchoice_destroy (&self);
        return err_set (err, ERR_NOMEM, "choosing k: out of memory");
    }
    self->k_min = k_min;
    self->k_max = k_max;
    int rc = 0;
    for (size_t k = k_min; k <= k_max; k++) {
        stats_kmeans_t *clustering = NULL;
        double silhouette = 0;
        rc = stats_kmeans (points, n, d, k, options, &clustering, err);
        if (rc == 0)
            rc = stats_silhouette_sampled (points, n, d, clustering->assignment, k,
                                           options->silhouette_sample, options->seed,
                                           &silhouette, err);
        if (rc) {
            stats_kmeans_destroy (&clustering);
            err_prefix (err, "choosing k, at k = %zu: ", k);
            stats_kchoice_destroy (&self);
            return rc;
        }
        self->silhouette[k - k_min] = silhouette;
        if (!self->best || silhouette > self->silhouette[self->best_k - k_min]) {
            stats_kmeans_destroy (&self->best);
            self->best = clustering;
            self->best_k = k;
        } else
            stats_kmeans_destroy (&clustering);
    }
    *result = self;
    return 0;
}

/*  clusters.c: k-means segments described in words (clusters.h). */
#include "clusters.h"

#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
clusters_destroy (clusters_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    clusters_t *self = *self_p;
    for (size_t i = 0; i < self->d; i++) {
        free (self->feature[i].high);
        free (self->feature[i].low);
    }
    free (self->feature);
    free (self);
    *self_p = NULL;
}

int
clusters_load (conf_t *conf, clusters_t **out, err_t *err)
{
    clusters_t *self = calloc (1, sizeof *self);
    if (!self)
        return err_set (err, ERR_NOMEM, "out of memory");
    int64_t seed = 0, sample = 0, iterations = 0, top = 0;
    char where[512];
    int rc = conf_int_range (conf, "segmentation.seed", 7, 0, INT64_MAX, &seed, err);
    if (!rc)
        rc = conf_int_range (conf, "segmentation.clusters.silhouette_sample", 2000, 0, 1000000,
                             &sample, err);
    if (!rc)
        rc = conf_int_range (conf, "segmentation.clusters.max_iterations", 100, 1, 100000,
                             &iterations, err);
    if (!rc)
        rc = conf_int_range (conf, "segmentation.clusters.describe_top", 3, 1, 10, &top, err);
    if (!rc)
        rc = conf_double_range (conf, "segmentation.clusters.distinctive_z", 0.5, 0, 10,
                                &self->distinctive_z, err);
    if (!rc)
        rc = conf_double_range (conf, "segmentation.clusters.majority", 0.6, 0.5, 1,
                                &self->majority, err);
    self->seed = (uint64_t)seed;
    self->silhouette_sample = (size_t)sample;
    self->max_iterations = (int)iterations;
    self->describe_top = (size_t)top;
    self->k_min = 2;
    self->k_max = 8;
    config_setting_t *k = rc ? NULL : conf_lookup (conf, "segmentation.clusters.k");
    if (k) {
        double lo, hi;
        if (config_setting_length (k) != 2 ||
            conf_setting_number (config_setting_get_elem (k, 0), &lo) ||
            conf_setting_number (config_setting_get_elem (k, 1), &hi) || lo < 2 || hi < lo ||
            hi > 50 || lo != floor (lo) || hi != floor (hi))
            rc = err_set (err, ERR_INVALID,
                          "%s: segmentation.clusters.k must be [min, max] with 2 <= min <= max "
                          "<= 50",
                          conf_where (conf, k, where, sizeof where));
        else {
            self->k_min = (size_t)lo;
            self->k_max = (size_t)hi;
        }
    }
    config_setting_t *features =
        rc ? NULL : conf_lookup (conf, "segmentation.clusters.features");
    int n = features ? config_setting_length (features) : 0;
    if (!rc && (n == 0 || n > CLUSTERS_FEATURES_MAX))
        rc = err_set (err, ERR_INVALID,
                      "segmentation.clusters.features: between 1 and %d features, e.g. "
                      "( { field = \"arr\"; log = true; high = \"large\"; low = \"small\"; } )",
                      CLUSTERS_FEATURES_MAX);
    if (!rc && !(self->feature = calloc ((size_t)n, sizeof *self->feature)))
        rc = err_set (err, ERR_NOMEM, "out of memory");
    for (int i = 0; !rc && i < n; i++) {
        config_setting_t *item = config_setting_get_elem (features, (unsigned)i);
        const char *field = NULL, *high = NULL, *low = NULL;
        int log_flag = 0;
        config_setting_lookup_bool (item, "log", &log_flag);
        if (!config_setting_is_group (item) ||
            !config_setting_lookup_string (item, "field", &field) ||
            !config_setting_lookup_string (item, "high", &high) ||
            !config_setting_lookup_string (item, "low", &low)) {
            rc = err_set (err, ERR_INVALID,
                          "%s: segmentation.clusters.features item %d must be { field = "
                          "\"...\"; high = \"words\"; low = \"words\"; }",
                          conf_where (conf, item, where, sizeof where), i + 1);
            break;
        }
        int f = profile_field (field);
        if (!profile_field_is_number (f)) {
            rc = err_set (err, ERR_INVALID,
                          "%s: segmentation.clusters.features item %d: '%s' is not a numeric "
                          "field (fields: %s)",
                          conf_where (conf, item, where, sizeof where), i + 1, field,
                          profile_field_list ());
            break;
        }
        clusters_feature_t *feature = &self->feature[self->d++];
        feature->field = f;
        feature->log = log_flag;
        if (!(feature->high = strdup (high)) || !(feature->low = strdup (low)))
            rc = err_set (err, ERR_NOMEM, "out of memory");
    }
    if (rc)
        clusters_destroy (&self);
    else
        *out = self;
    return rc;
}

void
clusters_result_destroy (clusters_result_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    clusters_result_t *self = *self_p;
    for (size_t c = 0; self->name && c < self->k; c++)
        free (self->name[c]);
    free (self->name);
    free (self->silhouettes);
    free (self->assignment);
    free (self->sizes);
    free (self->mean_z);
    free (self);
    *self_p = NULL;
}

/*  The words of cluster c: the majority account segment, then its most distinctive
    features, strongest first. */
static char *
s_describe (const clusters_t *self, const profiles_t *profiles, const clusters_result_t *r,
            size_t c)
{
    char text[512] = "";
    size_t len = 0;
    /*  The account segment most of the cluster is in, if most is most. */
    const char *segments[3] = {"smb", "mid-market", "enterprise"};
    size_t count[3] = {0};
    for (size_t i = 0; i < profiles->n; i++)
        if (r->assignment[i] == c)
            for (int s = 0; s < 3; s++)
                count[s] +=
                    strcmp (profiles->rows[i].text[PF_SEGMENT - PF_NUMBERS], segments[s]) == 0;
    for (int s = 0; s < 3; s++)
        if ((double)count[s] >= self->majority * (double)r->sizes[c]) {
            len += (size_t)snprintf (text + len, sizeof text - len, "%s", segments[s]);
            break;
        }
    /*  Features by |mean z|, strongest first; ties by configuration order. */
    const double *z = r->mean_z + c * self->d;
    bool used[CLUSTERS_FEATURES_MAX] = {false};
    for (size_t named = 0; named < self->describe_top && named < self->d; named++) {
        size_t best = self->d;
        for (size_t j = 0; j < self->d; j++)
            if (!used[j] && (best == self->d || fabs (z[j]) > fabs (z[best])))
                best = j;
        if (best == self->d || fabs (z[best]) < self->distinctive_z)
            break;
        used[best] = true;
        const clusters_feature_t *f = &self->feature[best];
        len += (size_t)snprintf (text + len, len < sizeof text ? sizeof text - len : 0, "%s%s",
                                 len ? ", " : "", z[best] > 0 ? f->high : f->low);
    }
    if (!len)
        snprintf (text, sizeof text, "typical accounts");
    char *name = malloc (strlen (text) + 32);
    if (name)
        sprintf (name, "cluster %zu: %s", c + 1, text);
    return name;
}

int
clusters_run (const clusters_t *self, const profiles_t *profiles, clusters_result_t **out,
              err_t *err)
{
    clusters_result_t *r = calloc (1, sizeof *r);
    if (!r)
        return err_set (err, ERR_NOMEM, "out of memory");
    size_t n = profiles->n, d = self->d;
    r->k_min = self->k_min;
    r->k_max = self->k_max < n ? self->k_max : n - (n > 0);
    if (n <= self->k_min || r->k_max < r->k_min) {
        *out = r; /* too few accounts: no clusters */
        return 0;
    }
    double *x = malloc (n * d * sizeof *x);
    int rc = x ? 0 : err_set (err, ERR_NOMEM, "out of memory clustering %zu accounts", n);
    for (size_t j = 0; !rc && j < d; j++) {
        const clusters_feature_t *f = &self->feature[j];
        double median = profiles_median (profiles, f->field, NULL, 0);
        if (isnan (median))
            median = 0;
        for (size_t i = 0; i < n; i++) {
            double v = profiles->rows[i].number[f->field];
            if (isnan (v))
                v = median;
            x[i * d + j] = f->log ? log1p (v > 0 ? v : 0) : v;
        }
    }
    /*  Standardise each column; a constant one (every account alike, or no account
        scored yet) becomes 0 and takes no part in the distances. */
    double *column = rc ? NULL : malloc (n * sizeof *column);
    if (!rc && !column)
        rc = err_set (err, ERR_NOMEM, "out of memory");
    for (size_t j = 0; !rc && j < d; j++) {
        double mean = 0, sd = 0;
        for (size_t i = 0; i < n; i++)
            column[i] = x[i * d + j];
        rc = stats_mean (column, n, &mean, err);
        if (!rc)
            rc = stats_sd (column, n, STATS_POPULATION, &sd, err);
        for (size_t i = 0; !rc && i < n; i++)
            x[i * d + j] = sd > 0 ? (column[i] - mean) / sd : 0;
    }
    free (column);
    stats_kchoice_t *choice = NULL;
    stats_kmeans_options_t options = {.seed = self->seed,
                                      .max_iterations = self->max_iterations,
                                      .silhouette_sample = self->silhouette_sample};
    if (!rc)
        rc = stats_kmeans_choose (x, n, d, r->k_min, r->k_max, &options, &choice, err);
    if (!rc) {
        size_t k = choice->best_k, span = r->k_max - r->k_min + 1;
        r->k = k;
        r->silhouette = choice->silhouette[k - r->k_min];
        r->silhouettes = malloc (span * sizeof *r->silhouettes);
        r->assignment = malloc (n * sizeof *r->assignment);
        r->sizes = calloc (k, sizeof *r->sizes);
        r->mean_z = calloc (k * d, sizeof *r->mean_z);
        r->name = calloc (k, sizeof *r->name);
        if (!r->silhouettes || !r->assignment || !r->sizes || !r->mean_z || !r->name)
            rc = err_set (err, ERR_NOMEM, "out of memory");
        else {
            memcpy (r->silhouettes, choice->silhouette, span * sizeof *r->silhouettes);
            memcpy (r->assignment, choice->best->assignment, n * sizeof *r->assignment);
            memcpy (r->sizes, choice->best->sizes, k * sizeof *r->sizes);
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < d; j++)
                    r->mean_z[r->assignment[i] * d + j] += x[i * d + j];
            for (size_t c = 0; c < k; c++)
                for (size_t j = 0; j < d; j++)
                    r->mean_z[c * d + j] /= (double)r->sizes[c];
            for (size_t c = 0; !rc && c < k; c++)
                if (!(r->name[c] = s_describe (self, profiles, r, c)))
                    rc = err_set (err, ERR_NOMEM, "out of memory");
        }
    }
    stats_kchoice_destroy (&choice);
    free (x);
    if (rc)
        clusters_result_destroy (&r);
    else
        *out = r;
    return rc;
}

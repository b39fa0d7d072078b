/*  clusters.h: data-driven segments. k-means++ on standardised account features (lib
    stats.h), k chosen by the mean silhouette over a configured range, each cluster
    described in words from its most distinctive features.

    Settings (segmentation.clusters): k = [min, max]; silhouette_sample (0: exact, else
    the silhouette of that many accounts drawn by seed, O(sample^2) instead of O(n^2));
    max_iterations; describe_top (how many features name a cluster); distinctive_z (a
    cluster mean this many standard deviations from the portfolio's counts as
    distinctive); majority (a share of one account segment that names the cluster after
    it); features = ( { field = "arr"; log = true; high = "large"; low = "small"; }, ...)
    with numeric profile fields (profile.h). The seed is segmentation.seed.

    Missing values (an account without a health score) take the portfolio median before
    standardising, so they sit in the middle and never drive a cluster. Deterministic: the
    same accounts, settings and seed give the same clusters and words.
*/
#ifndef CAMPAIGN_CLUSTERS_H
#define CAMPAIGN_CLUSTERS_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "err.h"
#include "profile.h"

#define CLUSTERS_FEATURES_MAX 64

typedef struct {
    int field;
    bool log; /* cluster on log (1 + max (x, 0)): money and counts are skewed */
    char *high, *low;
} clusters_feature_t;

typedef struct {
    clusters_feature_t *feature;
    size_t d;
    size_t k_min, k_max;
    size_t silhouette_sample;
    int max_iterations;
    size_t describe_top;
    double distinctive_z;
    double majority;
    uint64_t seed;
} clusters_t;

typedef struct {
    size_t k;            /* 0: too few accounts to cluster */
    double silhouette;   /* mean silhouette of the chosen k */
    double *silhouettes; /* per k from k_min: silhouettes[k - k_min] */
    size_t k_min, k_max; /* the range actually tried (capped by the accounts) */
    size_t *assignment;  /* per profile row */
    size_t *sizes;       /* per cluster */
    double *mean_z;      /* k x d: cluster means of the standardised features */
    char **name;         /* k: "cluster 1: enterprise, high adoption, near plan limit" */
} clusters_result_t;

int clusters_load (conf_t *conf, clusters_t **out, err_t *err);
void clusters_destroy (clusters_t **self_p);

/*  Cluster the rows of profiles. Fewer than k_min + 1 accounts: a result with k = 0.
    Free with clusters_result_destroy. */
int clusters_run (const clusters_t *self, const profiles_t *profiles, clusters_result_t **out,
                  err_t *err);
void clusters_result_destroy (clusters_result_t **self_p);

#endif

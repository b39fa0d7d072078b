/*  segmentation_bench: the segmentation analyst's week-1 work on a large portfolio, in
    this process (issue 6, item 5).

    Times, on a campaign-gen portfolio: building the account rows, one k-means run at
    k = 4 (the baseline: the least the clustering can cost), choosing k over
    segmentation.clusters.k by the mean silhouette (on segmentation.clusters.
    silhouette_sample accounts drawn by seed: the exact silhouette is O(n^2)), and the
    whole segmentation.target_segments task (rules, clusters, triggers, JSON). Prints the
    ratio of the k choice to the single run and the peak resident memory.

    Usage: campaign-segmentation-bench [--accounts N] [--quick]  (default 1,000,000;
    quick 100,000)
*/
#include "test_support.h"

#include "clusters.h"
#include "records.h"
#include "segments.h"
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static long
s_peak_mib (void)
{
    struct rusage usage;
    getrusage (RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}

int
main (int argc, char **argv)
{
    int accounts = ts_bench_accounts (argc, argv, "campaign-segmentation-bench");
    if (accounts < 0)
        return 2;
    char *dir = ts_tempdir ();
    char *portfolio = ts_write_portfolio (dir, accounts);
    err_t err;
    Campaign__ImportPortfolio *records = NULL;
    conf_t *conf = conf_new ();
    segments_t *settings = NULL;
    if (records_load_accounts (portfolio, &records, &err) ||
        conf_load_file (conf, CAMPAIGN_SOURCE_DIR "/config/campaign.cfg", &err) ||
        segments_load (conf, &settings, &err)) {
        fprintf (stderr, "%s\n", err.msg);
        return 1;
    }
    Campaign__TaskInput input = CAMPAIGN__TASK_INPUT__INIT;
    input.accounts = records->accounts;
    input.n_accounts = records->n_accounts;
    long base_mib = s_peak_mib ();

    long long start = ts_now_ms ();
    profiles_t profiles;
    if (profiles_build (&input, &profiles, &err)) {
        fprintf (stderr, "%s\n", err.msg);
        return 1;
    }
    long long rows_ms = ts_now_ms () - start;

    /*  Baseline: one k-means at k = 4 on the same standardised features. */
    const clusters_t *c = settings->clusters;
    size_t n = profiles.n, d = c->d;
    double *x = malloc (n * d * sizeof *x);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            double v = profiles.rows[i].number[c->feature[j].field];
            x[i * d + j] = v == v ? v : 0;
        }
    stats_standardise_columns (x, n, d, STATS_POPULATION, NULL, NULL, &err);
    stats_kmeans_options_t options = {
        .seed = c->seed, .max_iterations = c->max_iterations, .silhouette_sample = 0};
    stats_kmeans_t *one = NULL;
    start = ts_now_ms ();
    if (stats_kmeans (x, n, d, 4, &options, &one, &err)) {
        fprintf (stderr, "%s\n", err.msg);
        return 1;
    }
    long long single_ms = ts_now_ms () - start;

    start = ts_now_ms ();
    clusters_result_t *chosen = NULL;
    if (clusters_run (c, &profiles, &chosen, &err)) {
        fprintf (stderr, "%s\n", err.msg);
        return 1;
    }
    long long choose_ms = ts_now_ms () - start;

    answer_t answer;
    memset (&answer, 0, sizeof answer);
    start = ts_now_ms ();
    if (segments_target (settings, &input, &answer, &err)) {
        fprintf (stderr, "%s\n", err.msg);
        return 1;
    }
    long long task_ms = ts_now_ms () - start;

    printf ("segmentation of %d accounts (%zu features, k %zu-%zu, silhouette on %zu "
            "accounts, seed %llu)\n",
            accounts, d, c->k_min, c->k_max, c->silhouette_sample, (unsigned long long)c->seed);
    printf ("  account rows                 %8lld ms\n", rows_ms);
    printf ("  baseline: one k-means, k=4   %8lld ms (%d iterations)\n", single_ms,
            one->iterations);
    printf ("  k chosen by silhouette       %8lld ms: k = %zu, silhouette %.3f  (%.1fx the "
            "single run for %zu runs)\n",
            choose_ms, chosen->k, chosen->silhouette,
            single_ms ? (double)choose_ms / (double)single_ms : 0, c->k_max - c->k_min + 1);
    for (size_t k = 0; k < chosen->k; k++)
        printf ("    %-70s %zu accounts\n", chosen->name[k], chosen->sizes[k]);
    printf ("  whole target_segments task   %8lld ms: %s\n", task_ms, answer.summary);
    printf ("  peak memory %ld MiB (%ld MiB after loading the portfolio)\n", s_peak_mib (),
            base_mib);
    answer_free (&answer);
    clusters_result_destroy (&chosen);
    stats_kmeans_destroy (&one);
    free (x);
    profiles_free (&profiles);
    segments_destroy (&settings);
    conf_destroy (&conf);
    campaign__import_portfolio__free_unpacked (records, NULL);
    free (portfolio);
    ts_tempdir_remove (&dir);
    return 0;
}

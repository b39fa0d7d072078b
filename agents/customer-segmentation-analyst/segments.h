/*  segments.h: the analyst's settings and its week-1 task, segmentation.target_segments
    (issue 6 item 1): rule segments (rules.h) and clusters (clusters.h) of the portfolio,
    each with its size (accounts, ARR, expansion potential from the identifier's
    whitespace), characteristics (medians against the portfolio's), expansion triggers
    (conditions with the highest lift among past winners when history exists, else among
    high-propensity accounts) and benchmark expansion rates from history by play; then the
    campaign's target segment: segmentation.target when set, else the segment of at least
    segmentation.min_accounts with the largest expected expansion ARR (sum of potential x
    propensity), which sets the fact segment.target the week-2 gate tests.

    Settings (segmentation.*): seed, target, min_accounts, high_propensity,
    low_propensity, min_support (accounts showing a trigger before its lift counts),
    top_triggers, segments (rules.h), triggers (rules.h), clusters (clusters.h),
    cohorts (cohorts.h).

    Input: the task is per-account with one batch for the whole portfolio (the plan in
    config/campaign.cfg), so the TaskInput carries every account, its health,
    opportunities and history. Payload: JSON (the broker writes it to the reports
    directory); facts segment.*.
*/
#ifndef CAMPAIGN_SEGMENTS_H
#define CAMPAIGN_SEGMENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "answer.h"
#include "clusters.h"
#include "conf.h"
#include "err.h"
#include "profile.h"
#include "rules.h"

typedef struct {
    rules_t *rules;
    rules_t *triggers;
    clusters_t *clusters;
    char *target; /* "" = the best-ranked */
    size_t min_accounts;
    double high_propensity, low_propensity;
    size_t min_support;
    size_t top_triggers;
    size_t min_closed; /* cohorts: closed deals before a cohort is judged */
    double z;          /* cohorts: |z| of a difference that counts */
    size_t deciles;    /* cohorts: calibration bins */
} segments_t;

int segments_load (conf_t *conf, segments_t **out, err_t *err);
void segments_destroy (segments_t **self_p);

/*  One segment's members: rule segments, then clusters. */
typedef struct {
    char *name;
    const char *kind; /* "rule" or "cluster" */
    char *definition; /* the rule's conditions joined by AND, or the cluster's words */
    size_t *rows;
    size_t n;
} segments_group_t;

typedef struct {
    segments_group_t *group;
    size_t n;
    clusters_result_t *clusters;
    size_t first_cluster; /* group index of cluster 1 */
} segments_groups_t;

/*  Every rule segment and cluster of profiles. Free with segments_groups_free. */
int segments_groups (const segments_t *self, const profiles_t *profiles, segments_groups_t *out,
                     err_t *err);
void segments_groups_free (segments_groups_t *groups);

/*  The week-1 task on input: JSON payload, facts and summary into answer. 0, or an error
    (ERR_NOMEM; an input problem is ERR_INVALID). */
int segments_target (const segments_t *self, const Campaign__TaskInput *input, answer_t *answer,
                     err_t *err);

/*  Dump json (stolen) as the answer's payload. */
void segments_payload (answer_t *answer, json_t *json);

#endif

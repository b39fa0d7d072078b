/*  cohorts.h: the analyst's week-11 task, segmentation.cohort_performance (issue 6 item
    2): how the campaign's deals went by account segment, rule segment, cluster, region,
    play and tier; which cohorts did better or worse than the rest (two-proportion z test
    of the win rate, |z| >= segmentation.cohorts.z with at least min_closed closed deals);
    which opportunity types converted best; and how good the propensity score was on the
    closed deals: AUC (ties as mid-ranks), Brier score, calibration by equal-count bins
    (segmentation.cohorts.deciles) with the expected calibration error, lift by bin, and
    the win rate of high- against low-propensity deals (segmentation.high_propensity,
    low_propensity).

    Definitions: a deal is closed when its stage is closed-won or closed-lost; win rate =
    won / closed; expansion rate = accounts with a won deal / accounts with a deal; ARR
    is the won amount. Clusters are recomputed on the week-11 data with the week-1 seed.
    With closed deals of only one outcome the accuracy cannot be measured: the payload says
    so and no cohort.auc fact is set.

    Payload: JSON; facts cohort.*.
*/
#ifndef CAMPAIGN_COHORTS_H
#define CAMPAIGN_COHORTS_H

#include "answer.h"
#include "segments.h"

int cohorts_performance (const segments_t *self, const Campaign__TaskInput *input,
                         answer_t *answer, err_t *err);

#endif

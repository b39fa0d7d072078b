/*  pipeline.h: opportunities and their stages.

    Agents propose and re-score opportunities (pipeline_from_agent): the broker keeps what
    people own (stage, outcome, the AE attached) and takes the scores. People move
    opportunities through the configured stages (pipeline_stage) and close them
    (pipeline_outcome). Impossible moves are refused: a closed deal does not move, a stage
    change does not close a deal (an outcome does), a won amount must be positive and not
    absurd against the opportunity's potential (pipeline.max_amount_ratio), an outcome
    date must lie between the opening and today.
*/
#ifndef CAMPAIGN_PIPELINE_H
#define CAMPAIGN_PIPELINE_H

#include "campaign.pb-c.h"
#include "err.h"
#include "turn.h"

/*  Create or update from an agent's result. ERR_INVALID for a malformed record. */
int pipeline_from_agent (const turn_t *turn, const Campaign__Opportunity *incoming, err_t *err);

int pipeline_stage (const turn_t *turn, const Campaign__StageChange *change, char *detail,
                    size_t detail_size, err_t *err);
int pipeline_outcome (const turn_t *turn, const Campaign__Outcome *outcome, char *detail,
                      size_t detail_size, err_t *err);

#endif

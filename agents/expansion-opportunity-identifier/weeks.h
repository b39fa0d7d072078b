/*  weeks.h: the identifier's tasks after qualification, as answers built from one
    TaskInput (issue 5 items 2, 4, 5, 6): identifier.campaign_design (week 2),
    identifier.pipeline_monitoring (weeks 5-7), identifier.forecast (weeks 8-10) and
    identifier.results (week 11). The arithmetic lives in design.h, monitor.h, forecast.h
    and results.h; this file reads the TaskInput, calls it, and writes facts and the
    payload.

    Input: these tasks are per-account in the plan (config/campaign.cfg) with one batch
    for the whole portfolio, so the TaskInput carries every account, its health, notes
    and opportunities, the roster and the targets. A portfolio split into several batches
    would give each batch's figures only (a fact keeps the last batch's value).

    Facts: design.*, monitor.* (monitor.progressed_week[.<stage>], monitor.conversion.
    <stage>, monitor.lost, ...), forecast.* (forecast.at_risk[.<reason>],
    forecast.accelerated, forecast.expected_in_campaign, forecast.in_campaign_p10 and
    _p90, forecast.close_by, forecast.nurture_deals and _expected, ...), results.*
    (results.conversion.tier.N, results.conversion.type.T, results.conversion.segment.S
    per group; results.winloss.{tier,type}.<key>.{won,lost,win_rate,avg_won,
    loss_reason.N}). Payload: JSON for design, forecast (each at-risk deal with "risks"
    and "acceleration") and results (each group with deals_won, deals_lost, win_rate,
    avg_won, loss_reasons); for the
    monitoring, a line of this week's progression, a line of conversion between
    stages, then one line per deal that needs attention. No opportunity is returned: these tasks
   read the pipeline, people own it.
*/
#ifndef CAMPAIGN_WEEKS_H
#define CAMPAIGN_WEEKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "answer.h"
#include "campaign.pb-c.h"
#include "conf.h"
#include "design.h"
#include "err.h"
#include "forecast.h"
#include "monitor.h"
#include "plays.h"
#include "results.h"

typedef struct {
    plays_t plays;
    design_t design;
    monitor_t monitor;
    forecast_t forecast;
    int32_t start;       /* campaign.start_date */
    int32_t end;         /* the campaign's last day (campaign.weeks after the start) */
    int32_t selling_end; /* the last day of identifier.assignment.last_week, at most end */
    int top_reasons;     /* identifier.results.top_reasons: loss reasons per group */
} weeks_t;

/*  Read plays, identifier.design, identifier.monitor, identifier.forecast,
    identifier.results; 0, or ERR_INVALID with file:line in err. */
int weeks_load (conf_t *conf, int32_t campaign_start, weeks_t *out, err_t *err);

/*  Whether name is one of the four tasks. */
bool weeks_handles (const char *name);

/*  Answer task name for input on campaign day today into answer (zeroed by the caller).
    0, or ERR_NOMEM. */
int weeks_run (const weeks_t *self, const char *name, const Campaign__TaskInput *input,
               int32_t today, answer_t *answer);

#endif

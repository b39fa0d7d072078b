/*  monitor.h: the weeks 5-7 pipeline monitoring (issue 5 item 4): stage progression
    since last week, conversion between stages, days in stage, stalled deals, obstacles
    and coaching recommendations from configured rules.

    The agent keeps no state between weeks, so "since last week" comes from the data: a
    deal progressed this week when its Opportunity.stage_changed falls in the
    identifier.monitor.progress_days days before the task's campaign date (today - N <=
    stage_changed < today; a change made on the task's own day counts next week, so a
    weekly task counts each change once whatever the time of day it runs). It
    progressed to its current stage.

    Conversion between stages (the funnel, monitor_funnel_*): pipeline.stages is the
    order; a deal in open stage k has passed every stage before k, and a closed-won deal
    has passed every open stage. reached(k) = deals at k or past it, went_on(k) = deals
    past k, conversion(k) = went_on(k) / reached(k), "so far": a deal still at k may yet
    move on. A closed-lost deal counts as having reached the stage it closed from
    (Opportunity.closed_from, kept by the broker's outcome) and every stage before it,
    and as going on from each stage before that one only: its loss is on the step it
    failed. A closed-lost deal without closed_from (a store from before the field)
    counts in the totals (lost) and in no stage's conversion: a guessed stage would put
    its loss on the wrong step. The evaluation stages (demo, trial, pilot) are alternatives
    of different plays in one order: a tier deal in trial counts as having passed demo.

    Days in stage = the task's campaign date - Opportunity.stage_changed (opened when the
    stage never changed). The limit of a stage: the play's plays.[i].stall_days.<stage>,
    else identifier.monitor.stall_days.<stage>; a stage with neither (closed-won,
    closed-lost) never stalls.

    The obstacle of an open deal, the first that holds:
      stalled         days in stage above the limit
      health-dropped  the account's health fell by identifier.monitor.health_drop points
                      or more since the last score, or its band is at-risk
      no-sponsor      a complex deal without an executive sponsor
      no-champion     no champion on the account
      unassigned      no CSM
    Coaching: the first rule of identifier.monitor.coaching whose stage, play and
    obstacle match ("*" matches anything), as { stage; play; obstacle; text; }.
*/
#ifndef CAMPAIGN_MONITOR_H
#define CAMPAIGN_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "campaign.pb-c.h"
#include "conf.h"
#include "err.h"
#include "plays.h"

#define MONITOR_RULES 32

typedef struct {
    char stage[32];
    char play[32];
    char obstacle[32];
    char text[256];
} monitor_rule_t;

typedef struct {
    char stages[PLAYS_STAGES][32]; /* pipeline.stages, in order */
    size_t n_stages;
    plays_limit_t stall[PLAYS_STAGES]; /* identifier.monitor.stall_days */
    size_t n_stall;
    double health_drop;
    int progress_days; /* identifier.monitor.progress_days */
    monitor_rule_t rules[MONITOR_RULES];
    size_t n_rules;
} monitor_t;

typedef struct {
    int days_in_stage;
    int limit; /* -1: no limit */
    bool stalled;
    const char *obstacle; /* static text, NULL: none */
    const char *coaching; /* borrowed from the monitor, NULL: no rule matches */
} monitor_deal_t;

/*  The funnel of conversion between stages (see above). */
typedef struct {
    size_t reached[PLAYS_STAGES];
    size_t went_on[PLAYS_STAGES];
    size_t won, lost;
    size_t lost_unplaced; /* of lost: no known stage it closed from, in no conversion */
    size_t unknown;       /* a stage not in pipeline.stages */
} monitor_funnel_t;

/*  Read pipeline.stages and identifier.monitor.* into out; a stall limit or rule naming
    a stage not in pipeline.stages, or an unknown obstacle, is refused with file:line. */
int monitor_load (conf_t *conf, monitor_t *out, err_t *err);

/*  Index of stage in pipeline.stages, -1 if unknown. */
int monitor_stage (const monitor_t *self, const char *stage);

/*  Stall limit of stage for play (NULL: no play), -1 for none. */
int monitor_stall_limit (const monitor_t *self, const plays_play_t *play, const char *stage);

/*  The index in pipeline.stages of the stage o progressed to this week (see above), or
    -1: its stage did not change in the window, or the date or stage is unknown. */
int monitor_progressed (const monitor_t *self, const Campaign__Opportunity *o, int32_t today);

/*  Count a deal in stage (closed_from: where a closed deal closed from, or NULL) into
    funnel (zeroed by the caller). */
void monitor_funnel_add (const monitor_t *self, monitor_funnel_t *funnel, const char *stage,
                         const char *closed_from);

/*  went_on (k) / reached (k) of funnel (see above); 0 when nobody reached stage k. */
double monitor_conversion (const monitor_funnel_t *funnel, size_t k);

/*  Whether stage k is open (not closed-won, not closed-lost: "closed..."). */
bool monitor_open_stage (const monitor_t *self, size_t k);

/*  Whether health (NULL: unknown, false) fell by health_drop points or more since the
    last score, or is in the at-risk band: the health-dropped obstacle. */
bool monitor_health_dropped (const monitor_t *self, const Campaign__AccountHealth *health);

/*  Assess one open deal on day today; account and health may be NULL. */
void monitor_assess (const monitor_t *self, const plays_play_t *play,
                     const Campaign__Opportunity *o, const Campaign__Account *account,
                     const Campaign__AccountHealth *health, int32_t today, monitor_deal_t *out);

#endif

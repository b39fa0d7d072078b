/*  monitor.h: the weeks 5-7 pipeline monitoring (issue 5 item 4): days in stage, stalled
    deals, obstacles and coaching recommendations from configured rules.

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

/*  Read pipeline.stages and identifier.monitor.* into out; a stall limit or rule naming
    a stage not in pipeline.stages, or an unknown obstacle, is refused with file:line. */
int monitor_load (conf_t *conf, monitor_t *out, err_t *err);

/*  Index of stage in pipeline.stages, -1 if unknown. */
int monitor_stage (const monitor_t *self, const char *stage);

/*  Stall limit of stage for play (NULL: no play), -1 for none. */
int monitor_stall_limit (const monitor_t *self, const plays_play_t *play, const char *stage);

/*  Assess one open deal on day today; account and health may be NULL. */
void monitor_assess (const monitor_t *self, const plays_play_t *play,
                     const Campaign__Opportunity *o, const Campaign__Account *account,
                     const Campaign__AccountHealth *health, int32_t today, monitor_deal_t *out);

#endif

/*  plan.h: the campaign plan, read from the configuration (SPEC section 3).

    A plan is what the seed's table says, as data: phases by week range, activities by
    week range with the agent tasks each starts and the gate before it, the acceptance
    window of each submission kind, the pipeline stages and the handoff rules. plan_load
    checks everything an operator can get wrong (unknown agent kind, a week out of range,
    overlapping or missing weeks, an unknown gate criterion or submission kind, a task
    that waits for a task that does not exist) and names file, line and setting.
*/
#ifndef CAMPAIGN_PLAN_H
#define CAMPAIGN_PLAN_H

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "err.h"

typedef struct {
    char *agent;      /* agent kind */
    char *name;       /* task name, e.g. "health.portfolio" */
    bool per_account; /* split the portfolio into batches */
    bool weekly;      /* run again at the start of every later week of its activity */
    bool whole;       /* reads the whole portfolio: meant as one batch (see campaign.cfg) */
    uint32_t batch_size;
    char **after; /* task names that must all be done first */
    size_t n_after;
    char *args; /* free text handed to the agent (TaskInput.args) */
} plan_task_t;

typedef struct {
    char *name;
    char *phase;
    int first_week;
    int last_week;
    char **gate; /* criteria (see gate.h), all must hold to enter */
    size_t n_gate;
    plan_task_t *tasks;
    size_t n_tasks;
} plan_activity_t;

typedef struct {
    double sales_arr_over;           /* qualified opportunities above this get an AE */
    double sales_credit_split;       /* the CSM's share of the credit */
    bool marketing_case_study;       /* won deals become case-study candidates */
    uint32_t marketing_nurture_tier; /* this tier goes to nurture (0: none) */
    bool product_feature_requests;
} plan_handoffs_t;

typedef struct _plan_t plan_t;

/*  Read the plan from conf for a campaign of `weeks` weeks whose agents are
    agent_kinds (keys). ERR_INVALID with file:line and setting for any mistake. */
int plan_load (conf_t *conf, int weeks, zhashx_t *agent_kinds, plan_t **out, err_t *err);
void plan_destroy (plan_t **self_p);

size_t plan_activities (plan_t *self);
const plan_activity_t *plan_activity (plan_t *self, size_t index);

/*  Index of the activity that week falls in; -1 before week 1, the last one after the
    last week. */
int plan_activity_of_week (plan_t *self, int week);

/*  Phase name of a week ("" outside the campaign). */
const char *plan_phase_of_week (plan_t *self, int week);

/*  The acceptance window of a submission kind ("note", "import-portfolio"...): true
    with first/last if one is configured, false if the kind is accepted any time. */
bool plan_window (plan_t *self, const char *kind, int *first, int *last);

/*  Pipeline stages in order, NULL-terminated; the last two are the closed ones. */
const char *const *plan_stages (plan_t *self);
bool plan_stage_is_closed (plan_t *self, const char *stage);

/*  A won amount above this multiple of the opportunity's potential is refused. */
double plan_max_amount_ratio (plan_t *self);

const plan_handoffs_t *plan_handoffs (plan_t *self);

/*  Whether some activity starts a task of this name. */
bool plan_has_task (plan_t *self, const char *name);

#endif

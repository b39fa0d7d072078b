/*  retrospective-analyzer: the campaign's week-12 retrospective (issue 7 item 2), on the
    shared agent runtime. Task: retrospective.run (retro.h). Any other task name fails with
    ERR_UNSUPPORTED: the broker dead-letters it. */
#include "agent.h"
#include "answer.h"
#include "retro.h"

#include <string.h>

static const char s_usage[] =
    "Usage: retrospective-analyzer [-c FILE]... [-o PATH=VALUE]... [--instance NAME]\n"
    "\n"
    "Agent: the week-12 retrospective of the campaign: targets against actuals, what\n"
    "worked and what did not (plays, tiers, segments, loss reasons, stalled stages),\n"
    "start / stop / continue merged with the team's input, the propensity model refitted\n"
    "on the outcomes (AUC and Brier before and after, a model file for the next\n"
    "campaign), the plays as they ran (a plays file), success stories and\n"
    "recommendations.\n"
    "Settings: retrospective.* (min_deals, margin, stories, model.*, plays.*), plays,\n"
    "pipeline.stages, identifier.propensity (the model the campaign used), catalog.*,\n"
    "and the runtime's broker.endpoint, campaign.id, agents.*.\n" AGENT_USAGE_TAIL;

static int
s_init (void *arg, conf_t *conf, err_t *err)
{
    return retro_load (conf, arg, err);
}

static int
s_answer (const void *self, const char *name, const Campaign__TaskInput *input, int32_t today,
          answer_t *answer, err_t *err)
{
    (void)name;
    return retro_run (self, input, today, answer, err);
}

static int
s_task (void *arg, const Campaign__Task *task, agent_output_t *out, err_t *err)
{
    if (strcmp (task->name, "retrospective.run") != 0)
        return err_set (err, ERR_UNSUPPORTED,
                        "%s: not a task of the retrospective-analyzer (retrospective.run)",
                        task->name);
    return answer_task (task, s_answer, arg, out, err);
}

int
main (int argc, char **argv)
{
    retro_t self;
    memset (&self, 0, sizeof self);
    int rc = agent_main (argc, argv, "retrospective-analyzer", s_usage, s_init, s_task, &self);
    retro_free (&self);
    return rc;
}

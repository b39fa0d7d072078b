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
    "and the runtime's broker.endpoint, campaign.id, agents.*.\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE      configuration (repeatable; later files win)\n"
    "  -o, --option PATH=VAL  override one setting\n"
    "      --instance NAME    this instance's name (default: the pid)\n"
    "  -h, --help             this text\n"
    "      --version          print the version\n"
    "\n"
    "Exit codes: 0 stopped, 2 usage, 3 broker unreachable at start, 4 configuration\n"
    "error or refused by the broker.\n";

static int
s_init (void *arg, conf_t *conf, err_t *err)
{
    return retro_load (conf, arg, err);
}

static int
s_task (void *arg, const Campaign__Task *task, agent_output_t *out, err_t *err)
{
    const retro_t *self = arg;
    if (strcmp (task->name, "retrospective.run") != 0)
        return err_set (err, ERR_UNSUPPORTED,
                        "%s: not a task of the retrospective-analyzer (retrospective.run)",
                        task->name);
    Campaign__TaskInput *input = NULL;
    int32_t today = 0;
    int rc = answer_input (task, &input, &today, err);
    if (rc)
        return rc;
    answer_t answer;
    memset (&answer, 0, sizeof answer);
    rc = retro_run (self, input, today, &answer, err);
    if (!rc)
        rc = answer_pack (&answer, NULL, 0, out, err);
    answer_free (&answer);
    campaign__task_input__free_unpacked (input, NULL);
    return rc;
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

/*  customer-segmentation-analyst: the analyst's tasks of the campaign (issue 6), on the
    shared agent runtime.

    segmentation.target_segments (week 1, after the portfolio scan): rule segments and
    clusters, their size, characteristics, triggers and benchmarks, and the target
    segment (segments.h). segmentation.cohort_performance (week 11): cohorts and the
    propensity score's accuracy (cohorts.h). Any other task name fails with
    ERR_UNSUPPORTED: the broker dead-letters it.
*/
#include "agent.h"
#include "answer.h"
#include "cohorts.h"
#include "segments.h"

#include <stdlib.h>
#include <string.h>

static const char s_usage[] =
    "Usage: customer-segmentation-analyst [-c FILE]... [-o PATH=VALUE]... [--instance NAME]\n"
    "\n"
    "Agent: defines the campaign's target segments in week 1 (rule segments from the\n"
    "configuration and k-means clusters described in words, each with its size,\n"
    "characteristics, expansion triggers and history benchmarks; the target segment) and\n"
    "analyses cohort performance and the propensity score's accuracy in week 11 (AUC,\n"
    "Brier, calibration by decile, lift).\n"
    "Settings: segmentation.* (segments, triggers, clusters, target, thresholds, cohorts),\n"
    "and the runtime's broker.endpoint, campaign.id, agents.*.\n" AGENT_USAGE_TAIL;

static int
s_init (void *arg, conf_t *conf, err_t *err)
{
    return segments_load (conf, (segments_t **)arg, err);
}

/*  Week 1 or week 11 (s_task checked the name). */
static int
s_answer (const void *arg, const char *name, const Campaign__TaskInput *input, int32_t today,
          answer_t *answer, err_t *err)
{
    (void)today;
    const segments_t *self = arg;
    return strcmp (name, "segmentation.target_segments") == 0
               ? segments_target (self, input, answer, err)
               : cohorts_performance (self, input, answer, err);
}

static int
s_task (void *arg, const Campaign__Task *task, agent_output_t *out, err_t *err)
{
    if (strcmp (task->name, "segmentation.target_segments") != 0 &&
        strcmp (task->name, "segmentation.cohort_performance") != 0)
        return err_set (err, ERR_UNSUPPORTED,
                        "%s: not a task of the customer-segmentation-analyst "
                        "(segmentation.target_segments, segmentation.cohort_performance)",
                        task->name);
    return answer_task (task, s_answer, *(segments_t **)arg, out, err);
}

int
main (int argc, char **argv)
{
    segments_t *self = NULL;
    int rc = agent_main (argc, argv, "customer-segmentation-analyst", s_usage, s_init, s_task,
                         &self);
    segments_destroy (&self);
    return rc;
}

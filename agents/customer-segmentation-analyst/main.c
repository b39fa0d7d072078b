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
    "and the runtime's broker.endpoint, campaign.id, agents.*.\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE      configuration (repeatable; later files win)\n"
    "  -o, --option PATH=VAL  override one setting\n"
    "      --instance NAME    this instance's name (default: the pid)\n"
    "  -h, --help             this text\n"
    "      --version          print the version\n"
    "\n"
    "Signals: SIGTERM/SIGINT finish the task in hand, say goodbye and exit 0.\n"
    "Exit codes: 0 stopped, 2 usage, 3 broker unreachable at start, 4 configuration\n"
    "error (a segment rule naming an unknown field, say) or refused by the broker.\n";

static int
s_init (void *arg, conf_t *conf, err_t *err)
{
    return segments_load (conf, (segments_t **)arg, err);
}

static int
s_task (void *arg, const Campaign__Task *task, agent_output_t *out, err_t *err)
{
    const segments_t *self = *(segments_t **)arg;
    bool target = strcmp (task->name, "segmentation.target_segments") == 0;
    if (!target && strcmp (task->name, "segmentation.cohort_performance") != 0)
        return err_set (err, ERR_UNSUPPORTED,
                        "%s: not a task of the customer-segmentation-analyst "
                        "(segmentation.target_segments, segmentation.cohort_performance)",
                        task->name);
    Campaign__TaskInput *input = NULL;
    int32_t today = 0;
    int rc = answer_input (task, &input, &today, err);
    if (rc)
        return rc;
    answer_t answer;
    memset (&answer, 0, sizeof answer);
    rc = target ? segments_target (self, input, &answer, err)
                : cohorts_performance (self, input, &answer, err);
    if (!rc)
        rc = answer_pack (&answer, NULL, 0, out, err);
    answer_free (&answer);
    campaign__task_input__free_unpacked (input, NULL);
    return rc;
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

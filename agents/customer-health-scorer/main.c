/*  customer-health-scorer: scores account health for the campaign (health.h), on the
    shared agent runtime. Tasks: health.portfolio (week 1) and health.precampaign_check
    (weeks 3-4); both score the accounts of their batch. */
#include "agent.h"
#include "answer.h"
#include "calendar.h"
#include "health.h"

#include <stdlib.h>
#include <string.h>

static const char s_usage[] =
    "Usage: customer-health-scorer [-c FILE]... [-o PATH=VALUE]... [--instance NAME]\n"
    "\n"
    "Agent: scores the health of each account of the batches the broker leases to it\n"
    "(health 0-100, band, signed contributions of each measure, risk flags, expansion\n"
    "readiness). Several instances share the work. Settings: health.* (measures with\n"
    "weight, low, high; bands; ready_above; stakeholder_quiet_days; flags.*), and the\n"
    "agent runtime's broker.endpoint, campaign.id, agents.*.\n" AGENT_USAGE_TAIL;

static int
s_init (void *arg, conf_t *conf, err_t *err)
{
    return health_model_load (conf, (health_model_t **)arg, err);
}

static int
s_task (void *arg, const Campaign__Task *task, agent_output_t *out, err_t *err)
{
    health_model_t *model = *(health_model_t **)arg;
    if (strncmp (task->name, "health.", 7) != 0)
        return err_set (err, ERR_UNSUPPORTED, "the health scorer does not do '%s'", task->name);
    Campaign__TaskInput *input = NULL;
    int32_t today;
    int rc = answer_input (task, &input, &today, err);
    if (rc)
        return rc;
    if (input->n_accounts != input->n_account_ids)
        rc = err_set (err, ERR_INVALID, "task %s: %zu account ids but %zu records",
                      task->task_id, input->n_account_ids, input->n_accounts);
    Campaign__Result result = CAMPAIGN__RESULT__INIT;
    Campaign__AccountHealth **scores = calloc (input->n_accounts + 1, sizeof *scores);
    if (!rc && !scores)
        rc = err_set (err, ERR_NOMEM, "out of memory");
    size_t bands[3] = {0, 0, 0};
    for (size_t i = 0; !rc && i < input->n_accounts; i++) {
        rc = health_score (model, input->accounts[i], today, &scores[i], err);
        if (!rc) {
            result.n_health = i + 1;
            const char *band = scores[i]->band;
            bands[band[0] == 'h' ? 0 : band[0] == 'w' ? 1 : 2]++;
        }
    }
    char summary[128];
    if (!rc) {
        snprintf (summary, sizeof summary,
                  "%zu accounts scored: %zu healthy, %zu watch, %zu at risk", result.n_health,
                  bands[0], bands[1], bands[2]);
        result.health = scores;
        result.summary = summary;
        size_t size = campaign__result__get_packed_size (&result);
        out->payload = malloc (size ? size : 1);
        if (!out->payload)
            rc = err_set (err, ERR_NOMEM, "out of memory");
        else {
            campaign__result__pack (&result, out->payload);
            out->size = size;
            out->is_result = true;
        }
    }
    for (size_t i = 0; scores && i < input->n_accounts; i++)
        if (scores[i])
            campaign__account_health__free_unpacked (scores[i], NULL);
    free (scores);
    campaign__task_input__free_unpacked (input, NULL);
    return rc;
}

int
main (int argc, char **argv)
{
    health_model_t *model = NULL;
    int rc = agent_main (argc, argv, "customer-health-scorer", s_usage, s_init, s_task, &model);
    health_model_destroy (&model);
    return rc;
}

/*  campaign-test-agent: a stand-in agent for tests, demos and benchmarks, on the real
    agent runtime.

    Its kind comes from --kind (default "test-worker"). Scripted task names let a test
    provoke failures (the payload is raw text):
      echo        result = the payload
      work        spin for payload-many milliseconds of CPU, then echo (a long task)
      fail        a retryable failure
      fail-fatal  a failure that must not be retried
      crash       abort() the whole process
    Any other task carries a TaskInput (the campaign plan's tasks) and gets a stand-in
    answer, deterministic per account, so the campaign engine can be driven end to end
    before the real agents exist:
      health.*                        fact "<task>.accounts" = accounts in the batch
      identifier.portfolio_scan       one opportunity per account (tier 0)
      identifier.qualification        the same opportunities, tiered 1-3 and qualified
      segmentation.target_segments    fact "segment.target"
      anything else                   fact "<task>" = "done"
    and args of the form "fact NAME=VALUE; fact NAME2=VALUE2" add facts.
*/
#include "agent.h"
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char s_usage[] =
    "Usage: campaign-test-agent [-c FILE]... [-o PATH=VALUE]... [--kind KIND] [--instance "
    "NAME]\n"
    "\n"
    "A stand-in agent for tests and demos: scripted task names (echo, work, fail,\n"
    "fail-fatal, crash) and stand-in answers to the campaign plan's tasks.\n";

static uint32_t
s_hash (const char *text)
{
    uint32_t hash = 2166136261u;
    for (; *text; text++)
        hash = (hash ^ (uint8_t)*text) * 16777619u;
    return hash;
}

static int
s_copy_payload (const Campaign__Task *task, agent_output_t *out, err_t *err)
{
    size_t size = task->has_payload ? task->payload.len : 0;
    out->payload = malloc (size ? size : 1);
    if (!out->payload)
        return err_set (err, ERR_NOMEM, "out of memory");
    if (size)
        memcpy (out->payload, task->payload.data, size);
    out->size = size;
    out->summary = strdup (task->name);
    return 0;
}

static int
s_scripted (const Campaign__Task *task, agent_output_t *out, err_t *err)
{
    if (strcmp (task->name, "fail") == 0)
        return err_set (err, ERR_IO, "scripted retryable failure of %s", task->task_id);
    if (strcmp (task->name, "fail-fatal") == 0)
        return err_set (err, ERR_INVALID, "scripted fatal failure of %s", task->task_id);
    if (strcmp (task->name, "crash") == 0)
        abort ();
    if (strcmp (task->name, "work") == 0) {
        char text[32] = "0";
        if (task->has_payload && task->payload.len < sizeof text) {
            memcpy (text, task->payload.data, task->payload.len);
            text[task->payload.len] = '\0';
        }
        /*  Busy work, not a sleep: this is the task taking time, as real analytics do. */
        struct timespec start, now;
        clock_gettime (CLOCK_MONOTONIC, &start);
        long ms = strtol (text, NULL, 10);
        do
            clock_gettime (CLOCK_MONOTONIC, &now);
        while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 <
               ms);
    }
    return s_copy_payload (task, out, err);
}

/*  The result under construction: facts and opportunities, freed at the end. */
typedef struct {
    Campaign__Result result;
    Campaign__Fact facts[8];
    Campaign__Fact *fact_ptrs[8];
    char fact_text[8][128];
    char fact_name[8][192];
    Campaign__Opportunity *opportunities;
    Campaign__Opportunity **opportunity_ptrs;
    char (*ids)[160];
} s_answer_t;

static void
s_fact (s_answer_t *answer, const char *name, const char *text, double number)
{
    size_t i = answer->result.n_facts;
    if (i >= 8)
        return;
    campaign__fact__init (&answer->facts[i]);
    snprintf (answer->fact_name[i], sizeof answer->fact_name[i], "%s", name);
    answer->facts[i].name = answer->fact_name[i];
    if (text) {
        snprintf (answer->fact_text[i], sizeof answer->fact_text[i], "%s", text);
        answer->facts[i].text = answer->fact_text[i];
    }
    answer->facts[i].has_number = 1;
    answer->facts[i].number = number;
    answer->fact_ptrs[i] = &answer->facts[i];
    answer->result.facts = answer->fact_ptrs;
    answer->result.n_facts = i + 1;
}

static int
s_opportunities (s_answer_t *answer, const Campaign__TaskInput *input, bool tiered, err_t *err)
{
    static const char *const types[] = {"seat", "tier", "cross-sell"};
    size_t n = input->n_account_ids;
    answer->opportunities = calloc (n ? n : 1, sizeof *answer->opportunities);
    answer->opportunity_ptrs = calloc (n ? n : 1, sizeof *answer->opportunity_ptrs);
    answer->ids = calloc (n ? n : 1, sizeof *answer->ids);
    if (!answer->opportunities || !answer->opportunity_ptrs || !answer->ids)
        return err_set (err, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *account = input->account_ids[i];
        uint32_t hash = s_hash (account);
        Campaign__Opportunity *o = &answer->opportunities[i];
        campaign__opportunity__init (o);
        o->type = (char *)types[hash % 3];
        snprintf (answer->ids[i], sizeof answer->ids[i], "O-%s-%s", account, o->type);
        o->opportunity_id = answer->ids[i];
        o->account_id = (char *)account;
        o->has_potential_arr = o->has_propensity = o->has_tier = o->has_qualified = 1;
        o->potential_arr = 10000 + (hash >> 8) % 90000;
        o->propensity = (hash >> 4) % 100;
        if (tiered) {
            o->tier = 1 + (hash >> 12) % 3;
            o->qualified = o->tier <= 2;
            o->has_complex = 1;
            o->complex = (hash >> 16) % 7 == 0;
        }
        answer->opportunity_ptrs[i] = o;
    }
    answer->result.opportunities = answer->opportunity_ptrs;
    answer->result.n_opportunities = n;
    return 0;
}

static int
s_standin (const Campaign__Task *task, agent_output_t *out, err_t *err)
{
    Campaign__TaskInput *input =
        campaign__task_input__unpack (NULL, task->has_payload ? task->payload.len : 0,
                                      task->has_payload ? task->payload.data : NULL);
    if (!input)
        return err_set (err, ERR_INVALID, "task %s (%s) has no readable TaskInput",
                        task->task_id, task->name);
    s_answer_t answer;
    memset (&answer, 0, sizeof answer);
    campaign__result__init (&answer.result);
    int rc = 0;
    char name[160];
    if (strncmp (task->name, "health.", 7) == 0) {
        snprintf (name, sizeof name, "%s.accounts", task->name);
        s_fact (&answer, name, NULL, (double)input->n_account_ids);
    } else if (strcmp (task->name, "identifier.portfolio_scan") == 0)
        rc = s_opportunities (&answer, input, false, err);
    else if (strcmp (task->name, "identifier.qualification") == 0)
        rc = s_opportunities (&answer, input, true, err);
    else if (strcmp (task->name, "segmentation.target_segments") == 0)
        s_fact (&answer, "segment.target", "healthy mid-market with <50% feature adoption", 0);
    else
        s_fact (&answer, task->name, "done", 0);
    /*  args: "fact NAME=VALUE; fact NAME=VALUE" */
    char *args = input->args ? strdup (input->args) : NULL, *cursor = args, *part;
    while (args && (part = strsep (&cursor, ";"))) {
        while (*part == ' ')
            part++;
        char *eq = strchr (part, '=');
        if (strncmp (part, "fact ", 5) == 0 && eq) {
            *eq = '\0';
            s_fact (&answer, part + 5, eq + 1, 0);
        }
    }
    free (args);
    if (!rc) {
        /*  The runtime sends out->payload as the Result payload; the facts and
            opportunities travel in a nested Result the broker does not need, so pack
            them into the payload for the record and hand them to the runtime below. */
        answer.result.summary = task->name;
        size_t size = campaign__result__get_packed_size (&answer.result);
        out->payload = malloc (size ? size : 1);
        if (!out->payload)
            rc = err_set (err, ERR_NOMEM, "out of memory");
        else {
            campaign__result__pack (&answer.result, out->payload);
            out->size = size;
            out->summary = strdup (task->name);
            out->is_result = true;
        }
    }
    free (answer.opportunities);
    free (answer.opportunity_ptrs);
    free (answer.ids);
    campaign__task_input__free_unpacked (input, NULL);
    return rc;
}

static int
s_task (void *arg, const Campaign__Task *task, agent_output_t *out, err_t *err)
{
    static const char *const scripted[] = {"echo", "work", "fail", "fail-fatal", "crash", NULL};
    for (int i = 0; scripted[i]; i++)
        if (strcmp (task->name, scripted[i]) == 0)
            return s_scripted (task, out, err);
    return s_standin (task, out, err);
}

int
main (int argc, char **argv)
{
    const char *kind = "test-worker";
    /*  Take --kind out before the standard agent main sees the arguments. */
    int kept = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv[i], "--kind") == 0 && i + 1 < argc)
            kind = argv[++i];
        else
            argv[kept++] = argv[i];
    }
    argv[kept] = NULL;
    return agent_main (kept, argv, kind, s_usage, NULL, s_task, NULL);
}

/*  answer.c: an agent task's answer and its Result (answer.h). */
#include "answer.h"

#include "calendar.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
answer_input (const Campaign__Task *task, Campaign__TaskInput **input, int32_t *today,
              err_t *err)
{
    Campaign__TaskInput *decoded =
        campaign__task_input__unpack (NULL, task->has_payload ? task->payload.len : 0,
                                      task->has_payload ? task->payload.data : NULL);
    if (!decoded)
        return err_set (err, ERR_INVALID, "task %s: the input does not decode", task->task_id);
    int rc = 0;
    int32_t date = 0;
    if (!task->campaign_date || date_parse (task->campaign_date, &date))
        rc = err_set (err, ERR_INVALID, "task %s has no campaign date", task->task_id);
    for (size_t i = 0; !rc && i < decoded->n_accounts; i++)
        if (!decoded->accounts[i]->account_id)
            rc = err_set (err, ERR_INVALID, "task %s: account record %zu has no id",
                          task->task_id, i + 1);
    if (rc) {
        campaign__task_input__free_unpacked (decoded, NULL);
        return rc;
    }
    *input = decoded;
    *today = date;
    return 0;
}

static void
s_sayv (answer_t *answer, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy (copy, ap);
    int need = vsnprintf (NULL, 0, fmt, copy);
    va_end (copy);
    if (need < 0 || answer->nomem)
        return;
    if (answer->text_len + (size_t)need + 1 > answer->text_cap) {
        size_t cap = (answer->text_cap + (size_t)need + 1) * 2;
        char *grown = realloc (answer->text, cap);
        if (!grown) {
            answer->nomem = true;
            return;
        }
        answer->text = grown;
        answer->text_cap = cap;
    }
    vsnprintf (answer->text + answer->text_len, answer->text_cap - answer->text_len, fmt, ap);
    answer->text_len += (size_t)need;
}

void
answer_say (answer_t *answer, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    s_sayv (answer, fmt, ap);
    va_end (ap);
}

void
answer_json_string (answer_t *answer, const char *text)
{
    answer_say (answer, "\"");
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == '"' || *p == '\\')
            answer_say (answer, "\\%c", *p);
        else
            answer_say (answer, "%c", (unsigned char)*p < 0x20 ? ' ' : *p);
    }
    answer_say (answer, "\"");
}

json_t *
answer_json_rounded (double x, double unit)
{
    if (!isfinite (x))
        return json_null ();
    return json_real (unit > 0 ? round (x / unit) * unit : x);
}

void
answer_set_text (answer_t *answer, const char *text)
{
    answer->text_len = 0;
    answer_say (answer, "%s", text);
}

void
answer_fact (answer_t *answer, const char *name, const char *text, double number)
{
    if (answer->nomem)
        return;
    Campaign__Fact **grown =
        realloc (answer->facts, (answer->n_facts + 1) * sizeof *answer->facts);
    Campaign__Fact *fact = calloc (1, sizeof *fact);
    if (grown)
        answer->facts = grown;
    if (!grown || !fact) {
        free (fact);
        answer->nomem = true;
        return;
    }
    campaign__fact__init (fact);
    answer->facts[answer->n_facts++] = fact;
    fact->name = strdup (name);
    fact->text = text ? strdup (text) : NULL;
    fact->has_number = 1;
    fact->number = isfinite (number) ? number : 0;
    if (!fact->name || (text && !fact->text))
        answer->nomem = true;
}

void
answer_factf (answer_t *answer, double number, const char *text, const char *fmt, ...)
{
    char name[128];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (name, sizeof name, fmt, ap);
    va_end (ap);
    answer_fact (answer, name, text, number);
}

void
answer_fact_sum (answer_t *answer, const char *name, const char *text, double number)
{
    answer_fact (answer, name, text, number);
    if (!answer->nomem)
        answer->facts[answer->n_facts - 1]->has_additive =
            answer->facts[answer->n_facts - 1]->additive = 1;
}

int
answer_pack (const answer_t *answer, Campaign__Opportunity **opportunities, size_t n,
             agent_output_t *out, err_t *err)
{
    if (answer->nomem)
        return err_set (err, ERR_NOMEM, "out of memory building the answer");
    Campaign__Result result = CAMPAIGN__RESULT__INIT;
    result.summary = (char *)answer->summary;
    result.has_payload = 1;
    result.payload.data = (uint8_t *)answer->text;
    result.payload.len = answer->text_len;
    result.facts = answer->facts;
    result.n_facts = answer->n_facts;
    result.opportunities = opportunities;
    result.n_opportunities = n;
    size_t size = campaign__result__get_packed_size (&result);
    out->payload = malloc (size ? size : 1);
    out->summary = strdup (answer->summary);
    if (!out->payload || !out->summary) {
        free (out->payload);
        free (out->summary);
        out->payload = NULL;
        out->summary = NULL;
        return err_set (err, ERR_NOMEM, "out of memory");
    }
    campaign__result__pack (&result, out->payload);
    out->size = size;
    out->is_result = true;
    return 0;
}

void
answer_free (answer_t *answer)
{
    for (size_t i = 0; i < answer->n_facts; i++)
        campaign__fact__free_unpacked (answer->facts[i], NULL);
    free (answer->facts);
    free (answer->text);
    answer->facts = NULL;
    answer->text = NULL;
    answer->n_facts = answer->text_len = answer->text_cap = 0;
}

int
answer_task (const Campaign__Task *task, answer_fn *fn, const void *self, agent_output_t *out,
             err_t *err)
{
    Campaign__TaskInput *input = NULL;
    int32_t today = 0;
    int rc = answer_input (task, &input, &today, err);
    if (rc)
        return rc;
    answer_t answer;
    memset (&answer, 0, sizeof answer);
    rc = fn (self, task->name, input, today, &answer, err);
    if (!rc)
        rc = answer_pack (&answer, NULL, 0, out, err);
    answer_free (&answer);
    campaign__task_input__free_unpacked (input, NULL);
    return rc;
}

/*  answer.h: what an agent's task builds before it becomes a Result.

    Every analysis task reads one TaskInput (the accounts of its batch and what the broker
    knows about them) and answers with a summary line, named facts (what gates and later
    tasks test), a payload (JSON or text lines for people and the reports directory) and,
    for some tasks, opportunities or health scores. This module owns that answer, so the
    agents build it one way: answer_input decodes the task, answer_say/answer_fact grow
    the answer, answer_pack turns it into the runtime's output.

    Allocation failures are sticky: the first one sets answer->nomem and later calls do
    nothing, so a task checks once, at the end.
*/
#ifndef CAMPAIGN_ANSWER_H
#define CAMPAIGN_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "agent.h"
#include "campaign.pb-c.h"
#include "err.h"

/*  The answer of one task; zero it before use, free it with answer_free. */
typedef struct {
    Campaign__Fact **facts;
    size_t n_facts;
    char *text; /* the payload */
    size_t text_len;
    size_t text_cap;
    bool nomem;
    char summary[512];
} answer_t;

/*  Decode task's TaskInput into *input (free with campaign__task_input__free_unpacked)
    and its campaign date into *today. ERR_INVALID, naming the task, when the input does
    not decode, the date is missing or wrong, or an account record has no id. */
int answer_input (const Campaign__Task *task, Campaign__TaskInput **input, int32_t *today,
                  err_t *err);

/*  Append printf-style text to the payload. */
void answer_say (answer_t *answer, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/*  Append text as a JSON string, quotes included; control characters become spaces. */
void answer_json_string (answer_t *answer, const char *text);

/*  x rounded to a multiple of unit (unit <= 0: as it is) as a JSON real, or JSON null
    when x is not finite (a rate of nothing): jansson refuses NaN. New reference. */
json_t *answer_json_rounded (double x, double unit);

/*  Replace the payload with text (copied). */
void answer_set_text (answer_t *answer, const char *text);

/*  Append a fact (name, optional text, number: not finite becomes 0). */
void answer_fact (answer_t *answer, const char *name, const char *text, double number);

/*  The same, the name built printf-style. */
void answer_factf (answer_t *answer, double number, const char *text, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

/*  A count or a sum over the batch's accounts (Fact.additive): when the task runs in
    several batches, the broker stores the sum of every batch's number. Its text must
    hold for the sum (no share of the batch). */
void answer_fact_sum (answer_t *answer, const char *name, const char *text, double number);

/*  The answer (summary, payload, facts) and n opportunities (borrowed) as a packed Result
    in out. ERR_NOMEM when the answer ran out of memory or packing does. */
int answer_pack (const answer_t *answer, Campaign__Opportunity **opportunities, size_t n,
                 agent_output_t *out, err_t *err);

void answer_free (answer_t *answer);

/*  An analysis task whose Result is an answer without opportunities: fn answers task's
    decoded input (answer zeroed; fn fills it, or returns an error with err), and
    answer_task packs it into out. Decoding errors are answer_input's. */
typedef int (answer_fn) (const void *self, const char *name, const Campaign__TaskInput *input,
                         int32_t today, answer_t *answer, err_t *err);
int answer_task (const Campaign__Task *task, answer_fn *fn, const void *self,
                 agent_output_t *out, err_t *err);

#endif

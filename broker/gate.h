/*  gate.h: the criteria a gate checks before the campaign enters an activity.

    Every criterion is evaluated from the broker's own store, never from what an agent
    or a person says at that moment. Built-in criteria:
      portfolio_loaded, roster_loaded, history_loaded   an import is in
      targets_set, investment_set                        leadership's targets are in
      qualified_opportunity, tier1_opportunity           the pipeline has one
    and two families:
      tasks_done:NAME   every task named NAME is done (at least one exists, none dead)
      fact:NAME         a result recorded the fact NAME (non-empty, non-zero)
*/
#ifndef CAMPAIGN_GATE_H
#define CAMPAIGN_GATE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "store.h"

/*  Whether criterion names something gate_evaluate knows. */
bool gate_criterion_known (const char *criterion);

/*  Evaluate one criterion: *met, and a short detail for people ("1500 accounts",
    "2 of 3 batches done", "no fact 'segment.target' yet"). ERR_STORAGE on a store
    failure. */
int gate_evaluate (store_t *store, const char *criterion, bool *met, char *detail,
                   size_t detail_size, err_t *err);

#endif

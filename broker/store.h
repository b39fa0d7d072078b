/*  store.h: the broker's durable store, one SQLite database per campaign.

    WAL mode with synchronous=FULL: a COMMIT returns only once the WAL is on disk, so
    whatever the broker acknowledges after store_commit survives SIGKILL and power loss.
    The broker runs one transaction per turn of its loop (group commit: every submission
    and result read in that turn shares one fsync).

    Tables: meta (campaign id, status sequence, campaign date, targets...), journal
    (append-only: every accepted submission and every applied result, keyed by message
    id for idempotency), refusals (append-only: every refused submission), tasks (the
    queue's durable half; leases are not stored because a restart voids them), accounts,
    people, history (the imported records), handoffs, facts and fact_history (append-only:
    the values of the facts whose series reports show).

    Single-threaded: the caller (the broker loop) owns the handle.
*/
#ifndef CAMPAIGN_STORE_H
#define CAMPAIGN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "campaign.pb-c.h"
#include "err.h"

/*  2: the audit trail (refusals; the journal records the submitter's role).
    3: task recipes (tasks.assemble: the payload names the batch's accounts and the broker
       assembles the input when it hands the task out; an older broker would send the
       bare recipe, so it must refuse this store). */
#define STORE_SCHEMA_VERSION 3

typedef struct _store_t store_t;

/*  Open or create the database at path and bring its schema up to date. A database
    made by a newer build is refused (ERR_UNSUPPORTED). */
int store_open (const char *path, store_t **out, err_t *err);
void store_destroy (store_t **self_p);

int store_begin (store_t *self, err_t *err);
int store_commit (store_t *self, err_t *err);
void store_rollback (store_t *self);
bool store_in_transaction (store_t *self);

/*  Copy the WAL back into the database (passive: never blocks a writer). The broker
    calls it from its timer, outside a turn; automatic checkpoints are off so that a
    commit, and so an acknowledgement, never waits for one. */
int store_checkpoint (store_t *self, err_t *err);

/*  A savepoint inside the open transaction, so one submission of a batch can be undone
    alone. Not nested. */
int store_savepoint (store_t *self, err_t *err);
void store_savepoint_release (store_t *self);
void store_savepoint_rollback (store_t *self);

/*  meta key/value. store_meta_get: ERR_NOTFOUND if absent; *value malloc'd. */
int store_meta_get (store_t *self, const char *key, char **value, err_t *err);
int store_meta_set (store_t *self, const char *key, const char *value, err_t *err);
int store_meta_get_blob (store_t *self, const char *key, uint8_t **data, size_t *size,
                         err_t *err);
int store_meta_set_blob (store_t *self, const char *key, const uint8_t *data, size_t size,
                         err_t *err);

/*  The journal entry of message_id, if any: 0 with *seq and *detail (malloc'd), or
    ERR_NOTFOUND. */
int store_journal_find (store_t *self, const char *message_id, int64_t *seq, char **detail,
                        err_t *err);

typedef struct {
    const char *message_id;
    const char *kind; /* "note", "import-portfolio", "result:health.portfolio"... */
    const char *sender;
    const char *person;
    int64_t received_ms;
    const char *campaign_date;
    const uint8_t *body; /* the submission or result, packed */
    size_t body_size;
    const char *detail; /* what the acknowledgement says (a refusal: why) */
    const char *role;   /* the submitter's roster role (NULL or "": unknown) */
} store_entry_t;

/*  Append an entry; *seq is its journal sequence number. ERR_INVALID if message_id is
    already journaled (callers check store_journal_find first). */
int store_journal_append (store_t *self, const store_entry_t *entry, int64_t *seq, err_t *err);

/*  The audit trail (issue 9): every accepted submission is a journal entry, every
    refused one a refusal; neither table can be updated or deleted from (triggers). A
    refusal: entry->detail is the reason, code the rejection code's name. */
int store_refusal_append (store_t *self, const store_entry_t *entry, const char *code,
                          err_t *err);

typedef struct {
    const char *person; /* NULL: anyone */
    const char *kind;   /* NULL: any submission kind */
    int outcome;        /* 0 both, 1 accepted only, -1 refused only */
    size_t limit;       /* the latest this many */
} store_audit_filter_t;

typedef struct {
    bool refused;
    int64_t seq; /* journal or refusal sequence */
    store_entry_t entry;
    const char *code; /* refusals: the rejection code */
} store_audit_t;

/*  The latest filter->limit submissions that match, newest first; *more says whether
    older ones match too. Agents' results are not in the audit trail. */
typedef void (store_audit_fn) (void *arg, const store_audit_t *row);
int store_audit_scan (store_t *self, const store_audit_filter_t *filter, store_audit_fn *fn,
                      void *arg, bool *more, err_t *err);

/*  Accepted entries counted by kind, in kind order. */
typedef void (store_count_fn) (void *arg, const char *kind, int64_t count);
int store_journal_counts (store_t *self, store_count_fn *fn, void *arg, err_t *err);

/*  Every journal entry in order (for tests and audits). */
typedef void (store_entry_fn) (void *arg, int64_t seq, const store_entry_t *entry);
int store_journal_scan (store_t *self, store_entry_fn *fn, void *arg, err_t *err);

/*  Tasks. States on disk: "queued", "done", "dead". */
typedef struct {
    int64_t id;
    const char *agent_kind;
    const char *name;
    const uint8_t *payload;
    size_t payload_size;
    const char *state;
    uint32_t attempts;
    int64_t not_before_ms;
    const char *last_error;
    bool assemble; /* the payload is a recipe: see store_task_input */
    int64_t created_ms;
} store_task_t;

int store_task_insert (store_t *self, const char *agent_kind, const char *name,
                       const uint8_t *payload, size_t size, bool assemble, int64_t created_ms,
                       const char *campaign_date, int64_t *id, err_t *err);
int store_task_attempt (store_t *self, int64_t id, uint32_t attempts, int64_t not_before_ms,
                        const char *last_error, err_t *err);
int store_task_finish (store_t *self, int64_t id, const char *state, uint32_t attempts,
                       const uint8_t *result, size_t size, const char *summary,
                       const char *error, const char *done_by, int64_t finished_ms, err_t *err);
/*  Calls fn for every task in state `state` (NULL: all), in id order. */
typedef void (store_task_fn) (void *arg, const store_task_t *task);
int store_tasks_scan (store_t *self, const char *state, store_task_fn *fn, void *arg,
                      err_t *err);
/*  Whether a task with this id was ever created. */
bool store_task_exists (store_t *self, int64_t id);

/*  Tasks counted by state. */
int store_task_count (store_t *self, const char *state, int64_t *count, err_t *err);

/*  Imported records: each import replaces the whole set, inside the caller's
    transaction, so an import is all or nothing. */
int store_replace_accounts (store_t *self, const Campaign__ImportPortfolio *import, err_t *err);
int store_replace_people (store_t *self, const Campaign__ImportRoster *import, err_t *err);
int store_replace_history (store_t *self, const Campaign__ImportHistory *import, err_t *err);
int store_count_rows (store_t *self, const char *table, int64_t *count, err_t *err);
bool store_account_exists (store_t *self, const char *account_id);

/*  Handoffs (SPEC section 3). store_handoff_add records one unless the same team, kind
    and subject already has one (the subject is the opportunity; for account-level
    handoffs such as feature requests, the account and the detail); on creation it sets
    handoff->handoff_id ("H12", valid until the next call) and *created. */
int store_handoff_add (store_t *self, Campaign__Handoff *handoff, int32_t created_day,
                       bool *created, err_t *err);
int store_handoff_get (store_t *self, const char *id, Campaign__Handoff **out, err_t *err);
/*  ERR_NOTFOUND, or ERR_STATE naming who acknowledged it already. */
int store_handoff_ack (store_t *self, const char *id, const char *person, int32_t day,
                       const char *date, err_t *err);
typedef void (store_handoff_fn) (void *arg, const char *team, int64_t open,
                                 int32_t oldest_created_day);
int store_handoffs_open (store_t *self, store_handoff_fn *fn, void *arg, err_t *err);
/*  Handoffs of team not acknowledged yet, from the store's in-memory aggregate (no scan:
    it is announced with every handoff opened). */
int64_t store_handoffs_open_count (store_t *self, const char *team);

/*  Facts results establish, by name (the last one wins). */
int store_fact_set (store_t *self, const char *name, const char *text, double number,
                    const char *task_id, int64_t now_ms, err_t *err);
/*  One batch's part of an additive fact (Fact.additive) of a task run (the tasks created
    together, named by run): stored or replaced (a retried batch) by task id; *sum is the
    run's parts added up, the value to store with store_fact_set. */
int store_fact_part (store_t *self, const char *name, const char *run, const char *task_id,
                     double number, double *sum, err_t *err);
/*  Call fn for every fact, by name. */
typedef void (store_fact_fn) (void *arg, const char *name, const char *text, double number);
int store_facts (store_t *self, store_fact_fn *fn, void *arg, err_t *err);

/*  The series of a fact: append one value with the campaign date and week its result
    was applied (one row per name and task: a result applied twice adds nothing). */
int store_fact_history_add (store_t *self, const char *name, double number, const char *date,
                            int week, const char *task_id, err_t *err);
/*  Call fn for every recorded value, oldest first. */
typedef void (store_fact_point_fn) (void *arg, const char *name, double number,
                                    const char *date, int week);
int store_fact_history (store_t *self, store_fact_point_fn *fn, void *arg, err_t *err);

/*  *text malloc'd (may be NULL); ERR_NOTFOUND if there is no such fact. */
int store_fact_get (store_t *self, const char *name, char **text, double *number, err_t *err);

/*  Tasks of one name: how many exist, are done, are dead. */
int store_task_progress (store_t *self, const char *name, int64_t *total, int64_t *done,
                         int64_t *dead, err_t *err);

/*  Opportunities, whole records by id. A put names the stage and potential of the version
    it replaces, as the caller read it (was_stage NULL: a new opportunity), so the
    pipeline's per-stage aggregate moves without reading the row again. */
int store_opportunity_put (store_t *self, const Campaign__Opportunity *opportunity,
                           const char *was_stage, double was_arr, err_t *err);
int store_opportunity_get (store_t *self, const char *id, Campaign__Opportunity **out,
                           err_t *err);
/*  Count of opportunities of a tier (0: any), qualified ones only if asked; lost deals
    do not count. */
int store_opportunity_count (store_t *self, uint32_t tier, bool qualified_only, int64_t *count,
                             err_t *err);
/*  A page of opportunities in id order after `after` (NULL: from the start), filtered
    by assignee csm and stage when not NULL; *more says whether another page follows.
    Free each with campaign__opportunity__free_unpacked, then the array. */
int store_opportunities_page (store_t *self, const char *csm, const char *stage,
                              const char *after, size_t limit, Campaign__Opportunity ***out,
                              size_t *n, bool *more, err_t *err);
typedef void (store_stage_fn) (void *arg, const char *stage, int64_t count, double arr);
int store_pipeline (store_t *self, store_stage_fn *fn, void *arg, err_t *err);

/*  Discovery notes, kept for the agents that qualify opportunities. */
int store_note_add (store_t *self, const Campaign__Note *note, const char *person,
                    const char *campaign_date, err_t *err);

/*  The roster role of a person (*role malloc'd); ERR_NOTFOUND if not on the roster. */
int store_person_role (store_t *self, const char *person_id, char **role, err_t *err);

/*  Whether a roster has been imported (any person on it). */
bool store_roster_loaded (store_t *self);

/*  Whether person works on account_id in role: a "csm" owns the account or is the
    assignee of one of its opportunities; an "ae" is attached to one of its deals (a
    Sales handoff names them). Any other role: false. */
bool store_person_on_account (store_t *self, const char *account_id, const char *person,
                              const char *role);

/*  The AE for an account's sales handoff: same region first, then the one with the
    fewest handoffs so far (*ae malloc'd); ERR_NOTFOUND if the roster has no AE. */
int store_pick_ae (store_t *self, const char *account_id, char **ae, err_t *err);

/*  An account's latest health; sets health->change from the score it replaces. */
int store_health_put (store_t *self, Campaign__AccountHealth *health, int32_t day, err_t *err);
/*  Accounts per health band. */
int store_health_bands (store_t *self, store_count_fn *fn, void *arg, err_t *err);
bool store_account_has_opportunity (store_t *self, const char *account_id);

/*  The input of a per-account task, assembled when it is handed to an agent from its
    recipe: a packed TaskInput naming the activity, args, batch numbering and the batch's
    account ids (sorted, unique). Added from the store as it is now: the accounts' records,
    latest health, discovery notes, opportunities and past campaigns' history, the roster
    and the targets; for a task of one batch (batches = 1) also every fact and the team's
    retrospective input. Stored bodies go into the message as they are, never decoded;
    an account removed since the recipe was written is left out. *out is malloc'd. */
int store_task_input (store_t *self, const uint8_t *recipe, size_t recipe_size, uint8_t **out,
                      size_t *out_size, err_t *err);

/*  Multi-part imports: stage one part (replacing a resent one; abandoning other
    unfinished imports of the kind); *staged is how many parts of import_id are in. */
int store_stage_part (store_t *self, const char *kind, const char *import_id, uint32_t part,
                      const uint8_t *data, size_t size, int64_t *staged, err_t *err);
/*  Hand every staged part of import_id to fn in part order (fn returns 0 or an ERR_*),
    then drop the kind's staging. */
typedef int (store_part_fn) (void *arg, uint32_t part, const void *data, size_t size);
int store_staged_parts (store_t *self, const char *kind, const char *import_id,
                        store_part_fn *fn, void *arg, err_t *err);

/*  Every account id, sorted (malloc'd array of malloc'd strings). */
int store_account_ids (store_t *self, char ***ids, size_t *count, err_t *err);

/*  Gate history: a boundary reached (kept once), a gate passed (with the override, if
    any, and the criteria that failed then). */
int store_gate_due (store_t *self, int activity_index, const char *activity, int32_t day,
                    err_t *err);
int store_gate_pass (store_t *self, int activity_index, int32_t day, const char *override_by,
                     const char *override_reason, const char *failed, err_t *err);
typedef void (store_gate_fn) (void *arg, int activity_index, const char *activity,
                              int32_t due_day, int32_t passed_day, const char *override_by,
                              const char *override_reason, const char *failed);
int store_gates_scan (store_t *self, store_gate_fn *fn, void *arg, err_t *err);

/*  Which of an activity's configured tasks have been started (mark: record it). */
int store_task_started (store_t *self, int activity_index, int task_index, bool mark,
                        bool *started, err_t *err);

#endif

/*  broker.c: the campaign broker's loop and its protocol handlers (see broker.h).

    A turn: store_begin, read up to broker.batch_max messages without blocking, handle
    each, lease tasks, persist the status sequence and the campaign date, store_commit,
    then send what the turn produced (acks, welcomes, tasks) and publish its events.
    Nothing leaves the broker before the commit that makes it true, which is what lets
    a client treat an acknowledgement as "durable" and lets the status sequence survive
    a crash. If the commit fails, the turn is undone: memory state is reloaded from the
    store and every acknowledgement becomes a storage rejection the client may retry.
*/
#include "broker.h"

#include "calendar.h"
#include "campaign.h"
#include "intake.h"
#include "log.h"
#include "pipeline.h"
#include "plan.h"
#include "queue.h"
#include "registry.h"
#include "roles.h"
#include "security.h"
#include "signals.h"
#include "status.h"
#include "store.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define SENDER "campaign-broker"

typedef enum { OUT_PLAIN, OUT_ACK, OUT_TASK } out_kind_t;

typedef struct {
    zframe_t *identity;
    zframe_t *frame;
    out_kind_t kind;
    char correlation[WIRE_ID_MAX + 1];
} s_out_t;

typedef struct {
    char *kind;
    uint64_t count;
} s_count_t;

/*  A report task's output, written into reports.dir once its result is committed. */
typedef struct {
    char *name;
    uint8_t *data;
    size_t size;
} s_report_t;

static void
s_report_free (void **item)
{
    s_report_t *report = *item;
    if (report) {
        free (report->name);
        free (report->data);
        free (report);
        *item = NULL;
    }
}

struct _broker_t {
    /* settings */
    char *campaign;
    char *endpoint;
    char *status_endpoint;
    char *state_dir;
    char *reports_dir;      /* where results of report tasks are written ("" for none) */
    zhashx_t *report_tasks; /* task names whose result payload is a report */
    zhashx_t *fact_series;  /* fact names whose every value is kept (reports.fact_history) */
    size_t max_bytes;
    int batch_max;
    int heartbeat_ms;
    int liveness;

    /* parts */
    zsock_t *router;
    zsock_t *pub;
    store_t *store;
    queue_t *queue;
    registry_t *registry;
    status_t *status;
    calendar_t *calendar;
    plan_t *plan;
    campaign_t *engine;   /* where the campaign is in its plan */
    roles_t *roles;       /* who may submit what */
    security_t *security; /* CURVE (NULL: off) */
    security_peer_t peer; /* with CURVE: who sent the message being handled */
    zhashx_t *agent_kinds;
    zhashx_t *journal_counts; /* kind -> s_count_t */
    zlistx_t *outbox;         /* s_out_t, sent after commit */
    zlistx_t *snapshots;      /* s_out_t holding requests answered after commit */
    zlistx_t *reports;        /* s_report_t written after commit */
    int pid_fd;
    char pid_path[4096];

    /* turn state */
    int64_t now_ms;  /* wall clock of the turn */
    int64_t mono_ms; /* monotonic clock of the turn */
    int32_t today;   /* persisted campaign date */
    char today_text[DATE_TEXT_MAX];
    Campaign__TaskCounts last_counts;
    int64_t next_beat_ms;
    int64_t next_checkpoint_ms;
    int64_t last_tick_ms; /* monotonic time of the previous tick */
    bool storage_failed;
    bool reload; /* SIGHUP seen: leave the loop so main can reload */
};

/* --------------------------------------------------------------------------
   Outbox: what a turn sends once it has committed */

static void
s_out_free (void **item)
{
    s_out_t *out = *item;
    if (out) {
        zframe_destroy (&out->identity);
        zframe_destroy (&out->frame);
        free (out);
        *item = NULL;
    }
}

static void
s_queue_out (broker_t *self, zlistx_t *list, zframe_t *identity, const wire_envelope_t *env,
             out_kind_t kind)
{
    s_out_t *out = calloc (1, sizeof *out);
    if (!out || !(out->identity = zframe_dup (identity)) || wire_pack (env, &out->frame)) {
        void *item = out;
        s_out_free (&item);
        log_error ("out of memory queueing a %s", wire_body_name (env->body_case));
        return;
    }
    out->kind = kind;
    if (env->correlation_id)
        snprintf (out->correlation, sizeof out->correlation, "%s", env->correlation_id);
    zlistx_add_end (list, out);
}

static void
s_reply (broker_t *self, zframe_t *identity, wire_out_t *out, out_kind_t kind)
{
    s_queue_out (self, self->outbox, identity, &out->env, kind);
}

static void
s_reject (broker_t *self, zframe_t *identity, const char *correlation,
          Campaign__RejectCode code, const char *message)
{
    wire_out_t out;
    wire_out_init (&out, self->campaign, SENDER, correlation);
    Campaign__Rejection rejection = CAMPAIGN__REJECTION__INIT;
    rejection.has_code = 1;
    rejection.code = code;
    rejection.message = (char *)message;
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_REJECTION;
    out.env.rejection = &rejection;
    s_reply (self, identity, &out, OUT_PLAIN);
}

static Campaign__RejectCode
s_reject_code (int rc)
{
    switch (rc) {
    case ERR_PARSE: return CAMPAIGN__REJECT_CODE__REJECT_MALFORMED;
    case ERR_INVALID: return CAMPAIGN__REJECT_CODE__REJECT_INVALID;
    case ERR_UNSUPPORTED: return CAMPAIGN__REJECT_CODE__REJECT_UNSUPPORTED;
    case ERR_NOTFOUND: return CAMPAIGN__REJECT_CODE__REJECT_NOT_FOUND;
    case ERR_STATE: return CAMPAIGN__REJECT_CODE__REJECT_OUT_OF_WINDOW;
    case ERR_TOOBIG: return CAMPAIGN__REJECT_CODE__REJECT_TOO_LARGE;
    case ERR_FORBIDDEN: return CAMPAIGN__REJECT_CODE__REJECT_FORBIDDEN;
    case ERR_STORAGE:
    case ERR_NOMEM: return CAMPAIGN__REJECT_CODE__REJECT_STORAGE;
    default: return CAMPAIGN__REJECT_CODE__REJECT_UNKNOWN;
    }
}

/* --------------------------------------------------------------------------
   Counters and events */

static void
s_count_free (void **item)
{
    s_count_t *count = *item;
    if (count) {
        free (count->kind);
        free (count);
        *item = NULL;
    }
}

static void
s_load_count (void *arg, const char *kind, int64_t count)
{
    broker_t *self = arg;
    s_count_t *entry = calloc (1, sizeof *entry);
    if (entry && (entry->kind = strdup (kind))) {
        entry->count = (uint64_t)count;
        zhashx_update (self->journal_counts, kind, entry);
    } else
        free (entry);
}

static uint64_t
s_count_journal (broker_t *self, const char *kind)
{
    s_count_t *entry = zhashx_lookup (self->journal_counts, kind);
    if (!entry) {
        s_load_count (self, kind, 0);
        entry = zhashx_lookup (self->journal_counts, kind);
        if (!entry)
            return 0;
    }
    return ++entry->count;
}

static int
s_week (broker_t *self)
{
    return calendar_week_of (self->calendar, self->today);
}

static void
s_emit (broker_t *self, const char *topic, Campaign__StatusEvent *event)
{
    if (status_emit (self->status, topic, event, self->today_text, (uint32_t)s_week (self)))
        log_error ("out of memory queueing a status event");
}

static void
s_turn_emit (void *arg, const char *topic, Campaign__StatusEvent *event)
{
    s_emit (arg, topic, event);
}

/*  What the handlers need of this turn. */
static turn_t
s_turn (broker_t *self)
{
    turn_t turn = {.store = self->store,
                   .queue = self->queue,
                   .plan = self->plan,
                   .calendar = self->calendar,
                   .campaign = self->engine,
                   .agent_kinds = self->agent_kinds,
                   .roles = self->roles,
                   .now_ms = self->now_ms,
                   .today = self->today,
                   .today_text = self->today_text,
                   .emit = s_turn_emit,
                   .emit_arg = self};
    return turn;
}

static void
s_emit_agent (broker_t *self, peer_t *peer, const char *what)
{
    Campaign__StatusEvent event = CAMPAIGN__STATUS_EVENT__INIT;
    Campaign__AgentState state;
    registry_state (peer, &state);
    char summary[256];
    snprintf (summary, sizeof summary, "agent %s/%s %s", peer->kind, peer->instance, what);
    event.summary = summary;
    event.agent = &state;
    s_emit (self, "agent", &event);
    log_info ("%s", summary);
}

/* --------------------------------------------------------------------------
   Protocol handlers, one per message */

static peer_t *
s_known_agent (broker_t *self, zframe_t *identity, const wire_envelope_t *env)
{
    peer_t *peer = registry_find (self->registry, identity);
    if (peer) {
        peer->last_seen_ms = self->mono_ms;
        peer->last_seen_wall_ms = self->now_ms;
    } else
        s_reject (self, identity, env->message_id, CAMPAIGN__REJECT_CODE__REJECT_UNKNOWN_AGENT,
                  "unknown agent: say hello first");
    return peer;
}

static void
s_release_peer (broker_t *self, peer_t *peer, const char *why)
{
    err_t err;
    int released = queue_release_owner (self->queue, peer->key, why, self->now_ms, &err);
    if (released < 0)
        log_error ("releasing the leases of %s/%s: %s", peer->kind, peer->instance, err.msg);
    else if (released > 0)
        log_info ("%d task(s) of %s/%s back in the queue (%s)", released, peer->kind,
                  peer->instance, why);
}

static void
s_hello (broker_t *self, zframe_t *identity, const wire_envelope_t *env)
{
    const Campaign__Hello *hello = env->hello;
    if (!hello->kind || !hello->instance || !*hello->instance) {
        s_reject (self, identity, env->message_id, CAMPAIGN__REJECT_CODE__REJECT_INVALID,
                  "hello needs a kind and an instance");
        return;
    }
    if (self->security &&
        (self->peer.kind != SECURITY_AGENT || strcmp (self->peer.name, hello->kind) != 0)) {
        char message[512], who[200];
        snprintf (message, sizeof message,
                  "hello as %s refused: it needs an agent certificate of that kind, and this "
                  "connection is %s",
                  hello->kind, security_describe (&self->peer, who, sizeof who));
        log_warn ("%s: %s", env->sender, message);
        s_reject (self, identity, env->message_id, CAMPAIGN__REJECT_CODE__REJECT_FORBIDDEN,
                  message);
        return;
    }
    if (!zhashx_lookup (self->agent_kinds, hello->kind)) {
        char message[512];
        snprintf (message, sizeof message,
                  "agent kind '%s' is not configured for campaign %s (agents.kinds)",
                  hello->kind, self->campaign);
        log_warn ("%s: hello refused: %s", env->sender, message);
        s_reject (self, identity, env->message_id, CAMPAIGN__REJECT_CODE__REJECT_INVALID,
                  message);
        return;
    }
    uint32_t capacity = hello->has_capacity && hello->capacity ? hello->capacity : 1;
    if (capacity > 1024)
        capacity = 1024;
    peer_t *replaced = NULL;
    bool fresh = false;
    peer_t *peer = registry_hello (self->registry, identity, hello->kind, hello->instance,
                                   capacity, self->mono_ms, self->now_ms, &replaced, &fresh);
    if (replaced) {
        s_release_peer (self, replaced, "instance reconnected");
        s_emit_agent (self, replaced, "replaced by a new connection");
    }
    if (!peer) {
        log_error ("out of memory registering %s", env->sender);
        return;
    }
    wire_out_t out;
    wire_out_init (&out, self->campaign, SENDER, env->message_id);
    Campaign__Welcome welcome = CAMPAIGN__WELCOME__INIT;
    welcome.has_heartbeat_ms = welcome.has_liveness = 1;
    welcome.heartbeat_ms = (uint32_t)self->heartbeat_ms;
    welcome.liveness = (uint32_t)self->liveness;
    welcome.campaign_date = self->today_text;
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_WELCOME;
    out.env.welcome = &welcome;
    s_reply (self, identity, &out, OUT_PLAIN);
    if (fresh)
        s_emit_agent (self, peer, "registered");
}

static void
s_heartbeat (broker_t *self, zframe_t *identity, const wire_envelope_t *env)
{
    s_known_agent (self, identity, env);
}

static void
s_lease_done (broker_t *self, const task_t *task)
{
    /*  The owner's capacity frees up whoever reported: a result may come from the
        previous holder of an expired lease. */
    if (!task->lease_owner || task->state != TASK_LEASED)
        return;
    for (peer_t *peer = registry_first (self->registry); peer;
         peer = registry_next (self->registry))
        if (peer->state == PEER_READY && strcmp (peer->key, task->lease_owner) == 0) {
            if (peer->leased > 0)
                peer->leased--;
            return;
        }
}

static void
s_result (broker_t *self, zframe_t *identity, const wire_envelope_t *env)
{
    /*  A result is applied even from an agent we do not know (it held a lease before
        our restart): the work is valid, and applying it once is all that matters. */
    s_known_agent (self, identity, env);
    const Campaign__Result *result = env->result;
    task_t *task = queue_find (self->queue, result->task_id ? result->task_id : "");
    if (!task) {
        log_debug ("result for %s from %s dropped: task finished already or unknown",
                   result->task_id ? result->task_id : "(none)", env->sender);
        return;
    }
    char kind[160];
    snprintf (kind, sizeof kind, "result:%s", task->name);
    int64_t created_ms = task->created_ms; /* the task is gone once completed */
    s_lease_done (self, task);
    size_t size = campaign__result__get_packed_size (result);
    uint8_t *packed = malloc (size ? size : 1);
    if (!packed) {
        log_error ("out of memory applying a result");
        return;
    }
    campaign__result__pack (result, packed);
    err_t err;
    char task_id[24];
    snprintf (task_id, sizeof task_id, "%s", task->id_text);
    /*  The whole result (payload, facts, opportunities) is kept once, with the task;
        the journal records that it was applied and points there. */
    int rc = queue_complete (self->queue, task_id, packed, size, result->summary, env->sender,
                             self->now_ms, &err);
    if (!rc) {
        int64_t seq;
        char detail[320];
        snprintf (detail, sizeof detail, "%s attempt %u: %s", task_id, result->attempt,
                  result->summary ? result->summary : "");
        store_entry_t entry = {.message_id = env->message_id,
                               .kind = kind,
                               .sender = env->sender,
                               .person = NULL,
                               .received_ms = self->now_ms,
                               .campaign_date = self->today_text,
                               .body = NULL,
                               .body_size = 0,
                               .detail = detail};
        rc = store_journal_append (self->store, &entry, &seq, &err);
        if (rc == ERR_INVALID)
            rc = 0; /* the same result message delivered twice: journaled once */
    }
    turn_t turn = s_turn (self);
    /*  An additive fact of a task run in batches is the sum of the batches' parts: the
        run is the tasks created together (same name, same creation time). */
    char run[200];
    snprintf (run, sizeof run, "%s@%lld", kind + 7, (long long)created_ms);
    for (size_t i = 0; !rc && i < result->n_facts; i++) {
        const Campaign__Fact *fact = result->facts[i];
        if (!fact->name || !*fact->name)
            continue;
        double number = fact->has_number ? fact->number : 0;
        if (fact->has_additive && fact->additive)
            rc = store_fact_part (self->store, fact->name, run, task_id, number, &number, &err);
        if (!rc)
            rc = store_fact_set (self->store, fact->name, fact->text, number, task_id,
                                 self->now_ms, &err);
        if (!rc && fact->has_number && zhashx_lookup (self->fact_series, fact->name))
            rc = store_fact_history_add (self->store, fact->name, number, self->today_text,
                                         s_week (self), task_id, &err);
    }
    size_t alerts = 0;
    for (size_t i = 0; !rc && i < result->n_health; i++) {
        Campaign__AccountHealth *health = result->health[i];
        if (!health->account_id || !store_account_exists (self->store, health->account_id) ||
            !health->band) {
            log_warn ("result of %s from %s: a health score for an unknown account dropped",
                      task_id, env->sender);
            continue;
        }
        rc = store_health_put (self->store, health, self->today, &err);
        /*  An at-risk account that is a campaign target (it has an opportunity) is
            something people must see now. */
        if (!rc && strcmp (health->band, "at-risk") == 0 &&
            store_account_has_opportunity (self->store, health->account_id)) {
            Campaign__StatusEvent event = CAMPAIGN__STATUS_EVENT__INIT;
            char summary[512];
            snprintf (summary, sizeof summary, "target account %s is at risk: health %.0f%s%s",
                      health->account_id, health->score, health->n_flags ? ", " : "",
                      health->n_flags ? health->flags[0]->reason : "");
            event.summary = summary;
            s_emit (self, "alert", &event);
            alerts++;
        }
    }
    if (alerts)
        log_warn ("%s: %zu target accounts at risk (alert topic)", task_id, alerts);
    size_t refused = 0;
    for (size_t i = 0; !rc && i < result->n_opportunities; i++) {
        err_t opportunity_err;
        int orc = pipeline_from_agent (&turn, result->opportunities[i], &opportunity_err);
        if (orc == ERR_INVALID) {
            if (refused++ < 5)
                log_warn ("result of %s from %s: %s", task_id, env->sender,
                          opportunity_err.msg);
        } else if (orc) {
            rc = orc;
            err = opportunity_err;
        }
    }
    if (refused)
        log_warn ("result of %s from %s: %zu of %zu opportunities refused", task_id,
                  env->sender, refused, result->n_opportunities);
    if (!rc && *self->reports_dir && zhashx_lookup (self->report_tasks, kind + 7) &&
        result->has_payload && result->payload.len > 0) {
        s_report_t *report = calloc (1, sizeof *report);
        if (report && (report->name = strdup (kind + 7)) &&
            (report->data = malloc (result->payload.len))) {
            memcpy (report->data, result->payload.data, result->payload.len);
            report->size = result->payload.len;
            zlistx_add_end (self->reports, report);
        } else {
            void *item = report;
            s_report_free (&item);
        }
    }
    if (!rc && zhashx_lookup (self->report_tasks, kind + 7)) {
        /*  A report task's outcome is news: published on report.<task>. */
        Campaign__StatusEvent event = CAMPAIGN__STATUS_EVENT__INIT;
        char topic[160], summary[512];
        snprintf (topic, sizeof topic, "report.%s", kind + 7);
        snprintf (summary, sizeof summary, "%s: %s", kind + 7,
                  result->summary ? result->summary : "done");
        event.summary = summary;
        s_emit (self, topic, &event);
    }
    free (packed);
    if (rc)
        log_error ("result for %s from %s not applied: %s", task_id, env->sender, err.msg);
    else
        log_debug ("task %s done by %s", task_id, env->sender);
}

static void
s_failure (broker_t *self, zframe_t *identity, const wire_envelope_t *env)
{
    s_known_agent (self, identity, env);
    const Campaign__Failure *failure = env->failure;
    task_t *task = queue_find (self->queue, failure->task_id ? failure->task_id : "");
    if (!task)
        return;
    s_lease_done (self, task);
    char task_id[24], name[128];
    snprintf (task_id, sizeof task_id, "%s", task->id_text);
    snprintf (name, sizeof name, "%s", task->name);
    uint32_t attempts = task->attempts;
    bool dead = false;
    err_t err;
    const char *reason = failure->reason ? failure->reason : "no reason given";
    bool retryable = !failure->has_retryable || failure->retryable;
    if (queue_fail (self->queue, task_id, reason, retryable, self->now_ms, &dead, &err)) {
        log_error ("failure of %s not recorded: %s", task_id, err.msg);
        return;
    }
    if (dead) {
        Campaign__StatusEvent event = CAMPAIGN__STATUS_EVENT__INIT;
        char summary[512];
        snprintf (summary, sizeof summary, "task %s (%s) is dead after %u attempt(s): %s",
                  task_id, name, attempts, reason);
        event.summary = summary;
        s_emit (self, "alert", &event);
        log_warn ("%s", summary);
    } else
        log_info ("task %s (%s) attempt %u failed, will retry: %s", task_id, name, attempts,
                  reason);
}

static void
s_goodbye (broker_t *self, zframe_t *identity, const wire_envelope_t *env)
{
    peer_t *peer = registry_find (self->registry, identity);
    if (!peer)
        return;
    s_release_peer (self, peer, "agent said goodbye");
    registry_mark (self->registry, peer, PEER_GONE);
    s_emit_agent (self, peer, "left");
}

static void
s_ack (broker_t *self, zframe_t *identity, const char *correlation, int64_t seq,
       const char *detail, bool duplicate)
{
    wire_out_t out;
    wire_out_init (&out, self->campaign, SENDER, correlation);
    Campaign__Ack ack = CAMPAIGN__ACK__INIT;
    char stored_id[32];
    snprintf (stored_id, sizeof stored_id, "J%06" PRId64, seq);
    ack.stored_id = stored_id;
    ack.has_journal_seq = 1;
    ack.journal_seq = (uint64_t)seq;
    ack.detail = (char *)detail;
    ack.has_duplicate = 1;
    ack.duplicate = duplicate;
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_ACK;
    out.env.ack = &ack;
    s_reply (self, identity, &out, OUT_ACK);
}

/*  The sender the audit trail records: what the envelope says, and with CURVE, for a
    simulator certificate, which one it was (the envelope's sender is only a claim). */
static const char *
s_sender (broker_t *self, const wire_envelope_t *env, char *buf, size_t size)
{
    if (self->security && self->peer.kind == SECURITY_SIMULATOR) {
        snprintf (buf, size, "simulator %s (%s)", self->peer.name,
                  env->sender ? env->sender : "?");
        return buf;
    }
    return env->sender;
}

/*  Record a refused submission in the audit trail, inside the turn's transaction (so a
    refusal costs an insert, not a commit of its own). */
static void
s_audit_refusal (broker_t *self, const wire_envelope_t *env, const char *role,
                 Campaign__RejectCode code, const char *reason)
{
    char sender[300];
    const Campaign__Submission *sub = env->submission;
    const ProtobufCEnumValue *value =
        protobuf_c_enum_descriptor_get_value (&campaign__reject_code__descriptor, code);
    store_entry_t entry = {.message_id = env->message_id,
                           .kind = wire_submission_name (sub->kind_case),
                           .sender = s_sender (self, env, sender, sizeof sender),
                           .person = sub->person,
                           .role = role,
                           .received_ms = self->now_ms,
                           .campaign_date = self->today_text,
                           .detail = reason};
    err_t err;
    if (store_refusal_append (self->store, &entry, value ? value->name : "REJECT_UNKNOWN",
                              &err))
        log_error ("refusal of %s not audited: %s", env->message_id, err.msg);
}

static void
s_submission (broker_t *self, zframe_t *identity, const wire_envelope_t *env)
{
    char sender[300];
    const Campaign__Submission *sub = env->submission;
    const char *kind = wire_submission_name (sub->kind_case);
    err_t err;
    err_clear (&err);

    if (self->security) {
        /*  The certificate says who submits; a conflicting --as is refused. */
        char message[512], who[200];
        Campaign__Submission *claimed = env->submission;
        if (self->peer.kind == SECURITY_SIMULATOR) {
            /*  A rehearsal's simulator plays the people it names (allow_simulators). */
            if (!claimed->person || !*claimed->person)
                snprintf (message, sizeof message,
                          "%s refused: a simulator certificate must say whom it plays (--as)",
                          kind);
            else {
                message[0] = '\0';
                log_debug ("%s as %s through simulator certificate %s", kind, claimed->person,
                           self->peer.name);
            }
        } else if (self->peer.kind != SECURITY_PERSON) {
            snprintf (message, sizeof message,
                      "%s refused: a submission needs a person's certificate, and this "
                      "connection is %s",
                      kind, security_describe (&self->peer, who, sizeof who));
        } else if (claimed->person && *claimed->person &&
                   strcmp (claimed->person, self->peer.name) != 0) {
            snprintf (message, sizeof message,
                      "%s refused: it says it is from %s, but the certificate is %s's", kind,
                      claimed->person, self->peer.name);
        } else {
            char *person = strdup (self->peer.name);
            if (person) {
                free (claimed->person);
                claimed->person = person;
            }
            message[0] = '\0';
        }
        if (*message) {
            log_warn ("%s: %s", env->sender, message);
            s_audit_refusal (self, env, NULL, CAMPAIGN__REJECT_CODE__REJECT_FORBIDDEN, message);
            s_reject (self, identity, env->message_id, CAMPAIGN__REJECT_CODE__REJECT_FORBIDDEN,
                      message);
            return;
        }
    }
    int64_t seq;
    char *detail = NULL;
    int rc = store_journal_find (self->store, env->message_id, &seq, &detail, &err);
    if (rc == 0) {
        /*  A retry of something already applied: the original answer, nothing new. */
        s_ack (self, identity, env->message_id, seq, detail, true);
        free (detail);
        return;
    }
    if (rc != ERR_NOTFOUND) {
        s_reject (self, identity, env->message_id, CAMPAIGN__REJECT_CODE__REJECT_STORAGE,
                  err.msg);
        return;
    }
    if (strcmp (kind, "none") == 0) {
        s_audit_refusal (self, env, NULL, CAMPAIGN__REJECT_CODE__REJECT_UNSUPPORTED,
                         "submission of a kind this broker does not know");
        s_reject (self, identity, env->message_id, CAMPAIGN__REJECT_CODE__REJECT_UNSUPPORTED,
                  "submission of a kind this broker does not know");
        return;
    }
    turn_t turn = s_turn (self);
    char line[512] = "", role[32] = "";
    /*  A savepoint makes each submission all-or-nothing inside the shared turn. */
    rc = store_savepoint (self->store, &err);
    if (!rc)
        rc = intake_submission (&turn, sub, role, sizeof role, line, sizeof line, &err);
    if (!rc) {
        size_t size = campaign__submission__get_packed_size (sub);
        uint8_t *packed = malloc (size ? size : 1);
        if (!packed)
            rc = err_set (&err, ERR_NOMEM, "out of memory");
        else {
            campaign__submission__pack (sub, packed);
            store_entry_t entry = {.message_id = env->message_id,
                                   .kind = kind,
                                   .sender = s_sender (self, env, sender, sizeof sender),
                                   .person = sub->person,
                                   .received_ms = self->now_ms,
                                   .campaign_date = self->today_text,
                                   .body = packed,
                                   .body_size = size,
                                   .detail = line,
                                   .role = role};
            rc = store_journal_append (self->store, &entry, &seq, &err);
            free (packed);
        }
    }
    if (rc) {
        store_savepoint_rollback (self->store);
        /*  Memory follows the store back: the clock and the campaign's position. */
        if (sub->kind_case == CAMPAIGN__SUBMISSION__KIND_ADVANCE)
            calendar_restore (self->calendar, self->today, self->now_ms);
        err_t reload_err;
        if (campaign_reload (self->engine, &reload_err))
            log_error ("campaign state after a rejected submission: %s", reload_err.msg);
        log_info ("%s from %s rejected: %s", kind, env->sender, err.msg);
        s_audit_refusal (self, env, role, s_reject_code (rc), err.msg);
        s_reject (self, identity, env->message_id, s_reject_code (rc), err.msg);
        return;
    }
    store_savepoint_release (self->store);
    uint64_t count = s_count_journal (self, kind);
    Campaign__StatusEvent event = CAMPAIGN__STATUS_EVENT__INIT;
    Campaign__Count journal = CAMPAIGN__COUNT__INIT;
    journal.name = (char *)kind;
    journal.has_count = 1;
    journal.count = count;
    event.journal = &journal;
    char summary[640];
    snprintf (summary, sizeof summary, "%s by %s: %s", kind,
              sub->person && *sub->person ? sub->person : env->sender, line);
    event.summary = summary;
    s_emit (self, "journal", &event);
    log_info ("%s", summary);
    s_ack (self, identity, env->message_id, seq, line, false);
}

static void
s_snapshot_request (broker_t *self, zframe_t *identity, const wire_envelope_t *env)
{
    /*  Answered after the turn commits, so the snapshot's sequence is published. */
    s_queue_out (self, self->snapshots, identity, env, OUT_PLAIN);
}

static void
s_pipeline_request (broker_t *self, zframe_t *identity, const wire_envelope_t *env)
{
    const Campaign__PipelineRequest *request = env->pipeline_request;
    size_t limit = request->has_limit && request->limit ? request->limit : 1000;
    if (limit > 10000)
        limit = 10000;
    Campaign__Opportunity **items = NULL;
    size_t n = 0;
    bool more = false;
    err_t err;
    if (store_opportunities_page (self->store,
                                  request->csm && *request->csm ? request->csm : NULL,
                                  request->stage && *request->stage ? request->stage : NULL,
                                  request->after && *request->after ? request->after : NULL,
                                  limit, &items, &n, &more, &err)) {
        s_reject (self, identity, env->message_id, CAMPAIGN__REJECT_CODE__REJECT_STORAGE,
                  err.msg);
        return;
    }
    wire_out_t out;
    wire_out_init (&out, self->campaign, SENDER, env->message_id);
    Campaign__Pipeline pipeline = CAMPAIGN__PIPELINE__INIT;
    pipeline.opportunities = items;
    pipeline.n_opportunities = n;
    pipeline.has_more = 1;
    pipeline.more = more;
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_PIPELINE;
    out.env.pipeline = &pipeline;
    s_reply (self, identity, &out, OUT_PLAIN);
    for (size_t i = 0; i < n; i++)
        campaign__opportunity__free_unpacked (items[i], NULL);
    free (items);
}

typedef struct {
    Campaign__AuditEntry **items;
    size_t n;
    size_t cap;
} s_audit_t;

static void
s_collect_audit (void *arg, const store_audit_t *row)
{
    s_audit_t *audit = arg;
    if (audit->n == audit->cap)
        return; /* cap rows were allocated up front */
    Campaign__AuditEntry *item = calloc (1, sizeof *item);
    if (!item)
        return;
    campaign__audit_entry__init (item);
    char id[32];
    snprintf (id, sizeof id, "%c%06" PRId64, row->refused ? 'R' : 'J', row->seq);
    const store_entry_t *e = &row->entry;
    item->id = strdup (id);
    item->has_at_ms = item->has_accepted = 1;
    item->at_ms = e->received_ms;
    item->accepted = !row->refused;
    item->campaign_date = strdup (e->campaign_date ? e->campaign_date : "");
    item->person = strdup (e->person ? e->person : "");
    item->role = strdup (e->role ? e->role : "");
    item->sender = strdup (e->sender ? e->sender : "");
    item->kind = strdup (e->kind ? e->kind : "");
    item->message_id = strdup (e->message_id ? e->message_id : "");
    item->detail = strdup (e->detail ? e->detail : "");
    item->code = row->code ? strdup (row->code) : NULL;
    audit->items[audit->n++] = item;
}

/*  With CURVE, the status topic (its snapshots, the pipeline pages, the PUB socket) is
    for agents and for people whose role roles.read_status allows; without it a request
    names nobody, and the topic is open to whoever reaches the socket. */
static bool
s_status_reader (void *arg, const security_peer_t *peer)
{
    broker_t *self = arg;
    err_t err;
    return peer->kind == SECURITY_AGENT || peer->kind == SECURITY_SIMULATOR ||
           (peer->kind == SECURITY_PERSON &&
            roles_may_read_status (self->roles, self->store, peer->name, &err) == 0);
}

static bool
s_may_read_status (broker_t *self, zframe_t *identity, const wire_envelope_t *env)
{
    if (!self->security || s_status_reader (self, &self->peer))
        return true;
    err_t err;
    if (self->peer.kind == SECURITY_PERSON)
        roles_may_read_status (self->roles, self->store, self->peer.name, &err);
    else
        err_set (&err, ERR_FORBIDDEN, "the status topic needs a valid certificate");
    s_reject (self, identity, env->message_id, CAMPAIGN__REJECT_CODE__REJECT_FORBIDDEN,
              err.msg);
    return false;
}

static int
s_on_zap (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void)loop;
    (void)reader;
    broker_t *self = arg;
    security_zap_answer (self->security, s_status_reader, self);
    return 0;
}

static void
s_audit_request (broker_t *self, zframe_t *identity, const wire_envelope_t *env)
{
    const Campaign__AuditRequest *request = env->audit_request;
    err_t err;
    const char *reader = self->security ? self->peer.name : request->person;
    if ((self->security && self->peer.kind != SECURITY_PERSON) ||
        roles_may_read_audit (self->roles, self->store, reader, &err)) {
        if (self->security && self->peer.kind != SECURITY_PERSON)
            err_set (&err, ERR_FORBIDDEN, "the audit trail needs a person's certificate");
        s_reject (self, identity, env->message_id, CAMPAIGN__REJECT_CODE__REJECT_FORBIDDEN,
                  err.msg);
        return;
    }
    const char *outcome = request->outcome && *request->outcome ? request->outcome : NULL;
    if (outcome && strcmp (outcome, "accepted") && strcmp (outcome, "refused")) {
        s_reject (self, identity, env->message_id, CAMPAIGN__REJECT_CODE__REJECT_INVALID,
                  "audit: outcome must be \"accepted\" or \"refused\"");
        return;
    }
    store_audit_filter_t filter = {
        .person = request->of_person && *request->of_person ? request->of_person : NULL,
        .kind = request->kind && *request->kind ? request->kind : NULL,
        .outcome = !outcome                            ? 0
                   : strcmp (outcome, "accepted") == 0 ? 1
                                                       : -1,
        .limit = request->has_limit && request->limit ? request->limit : 100};
    if (filter.limit > 10000)
        filter.limit = 10000;
    s_audit_t audit = {calloc (filter.limit, sizeof *audit.items), 0, filter.limit};
    bool more = false;
    if (!audit.items) {
        s_reject (self, identity, env->message_id, CAMPAIGN__REJECT_CODE__REJECT_STORAGE,
                  "out of memory");
        return;
    }
    if (store_audit_scan (self->store, &filter, s_collect_audit, &audit, &more, &err))
        s_reject (self, identity, env->message_id, CAMPAIGN__REJECT_CODE__REJECT_STORAGE,
                  err.msg);
    else {
        /*  The store gives the newest first; people read a trail oldest first. */
        for (size_t i = 0; i < audit.n / 2; i++) {
            Campaign__AuditEntry *swap = audit.items[i];
            audit.items[i] = audit.items[audit.n - 1 - i];
            audit.items[audit.n - 1 - i] = swap;
        }
        wire_out_t out;
        wire_out_init (&out, self->campaign, SENDER, env->message_id);
        Campaign__Audit body = CAMPAIGN__AUDIT__INIT;
        body.entries = audit.items;
        body.n_entries = audit.n;
        body.has_more = 1;
        body.more = more;
        out.env.body_case = CAMPAIGN__ENVELOPE__BODY_AUDIT;
        out.env.audit = &body;
        s_reply (self, identity, &out, OUT_PLAIN);
    }
    for (size_t i = 0; i < audit.n; i++)
        campaign__audit_entry__free_unpacked (audit.items[i], NULL);
    free (audit.items);
}

static void
s_handle (broker_t *self, zframe_t *identity, const wire_envelope_t *env)
{
    if (env->campaign_id && *env->campaign_id && strcmp (env->campaign_id, self->campaign)) {
        char message[512];
        snprintf (message, sizeof message, "this broker runs campaign '%s', not '%s'",
                  self->campaign, env->campaign_id);
        if (env->body_case == CAMPAIGN__ENVELOPE__BODY_SUBMISSION)
            s_audit_refusal (self, env, NULL, CAMPAIGN__REJECT_CODE__REJECT_WRONG_CAMPAIGN,
                             message);
        s_reject (self, identity, env->message_id, CAMPAIGN__REJECT_CODE__REJECT_WRONG_CAMPAIGN,
                  message);
        return;
    }
    if (self->security) {
        bool agent_body = env->body_case == CAMPAIGN__ENVELOPE__BODY_RESULT ||
                          env->body_case == CAMPAIGN__ENVELOPE__BODY_FAILURE ||
                          env->body_case == CAMPAIGN__ENVELOPE__BODY_HEARTBEAT ||
                          env->body_case == CAMPAIGN__ENVELOPE__BODY_GOODBYE;
        if (self->peer.kind == SECURITY_NOBODY ||
            (agent_body && self->peer.kind != SECURITY_AGENT)) {
            char message[512], who[200];
            snprintf (message, sizeof message, "a %s from %s is refused",
                      wire_body_name (env->body_case),
                      security_describe (&self->peer, who, sizeof who));
            log_warn ("%s: %s", env->sender, message);
            if (env->body_case == CAMPAIGN__ENVELOPE__BODY_SUBMISSION)
                s_audit_refusal (self, env, NULL, CAMPAIGN__REJECT_CODE__REJECT_FORBIDDEN,
                                 message);
            s_reject (self, identity, env->message_id, CAMPAIGN__REJECT_CODE__REJECT_FORBIDDEN,
                      message);
            return;
        }
    }
    switch (env->body_case) {
    case CAMPAIGN__ENVELOPE__BODY_HELLO: s_hello (self, identity, env); break;
    case CAMPAIGN__ENVELOPE__BODY_HEARTBEAT: s_heartbeat (self, identity, env); break;
    case CAMPAIGN__ENVELOPE__BODY_RESULT: s_result (self, identity, env); break;
    case CAMPAIGN__ENVELOPE__BODY_FAILURE: s_failure (self, identity, env); break;
    case CAMPAIGN__ENVELOPE__BODY_GOODBYE: s_goodbye (self, identity, env); break;
    case CAMPAIGN__ENVELOPE__BODY_SUBMISSION: s_submission (self, identity, env); break;
    case CAMPAIGN__ENVELOPE__BODY_SNAPSHOT_REQUEST:
        if (s_may_read_status (self, identity, env))
            s_snapshot_request (self, identity, env);
        break;
    case CAMPAIGN__ENVELOPE__BODY_PIPELINE_REQUEST:
        if (s_may_read_status (self, identity, env))
            s_pipeline_request (self, identity, env);
        break;
    case CAMPAIGN__ENVELOPE__BODY_AUDIT_REQUEST: s_audit_request (self, identity, env); break;
    default: {
        char message[128];
        snprintf (message, sizeof message, "a %s is not something the broker accepts",
                  wire_body_name (env->body_case));
        log_warn ("%s: %s", env->sender, message);
        s_reject (self, identity, env->message_id, CAMPAIGN__REJECT_CODE__REJECT_UNSUPPORTED,
                  message);
    }
    }
}

/* --------------------------------------------------------------------------
   Snapshot */

typedef struct {
    Campaign__Count **items;
    size_t n;
    size_t cap;
    int32_t today; /* handoffs: to age them */
} s_counts_t;

typedef struct {
    Campaign__StageTotal **items;
    size_t n;
} s_stages_t;

static void
s_collect_stage (void *arg, const char *stage, int64_t count, double arr)
{
    s_stages_t *stages = arg;
    Campaign__StageTotal **grown = realloc (stages->items, (stages->n + 1) * sizeof *grown);
    Campaign__StageTotal *item = calloc (1, sizeof *item);
    if (!grown || !item) {
        free (item);
        if (grown)
            stages->items = grown;
        return;
    }
    stages->items = grown;
    campaign__stage_total__init (item);
    item->stage = strdup (stage);
    item->has_opportunities = item->has_arr = 1;
    item->opportunities = (uint64_t)count;
    item->arr = arr;
    stages->items[stages->n++] = item;
}

static void
s_collect_count (void *arg, const char *name, int64_t count)
{
    s_counts_t *counts = arg;
    if (counts->n == counts->cap) {
        size_t cap = counts->cap ? counts->cap * 2 : 8;
        Campaign__Count **items = realloc (counts->items, cap * sizeof *items);
        if (!items)
            return;
        counts->items = items;
        counts->cap = cap;
    }
    Campaign__Count *item = calloc (1, sizeof *item);
    if (!item)
        return;
    campaign__count__init (item);
    item->name = strdup (name);
    item->has_count = 1;
    item->count = (uint64_t)count;
    counts->items[counts->n++] = item;
}

static void
s_collect_handoffs (void *arg, const char *team, int64_t open, int32_t oldest_day)
{
    s_counts_t *counts = arg;
    s_collect_count (counts, team, open);
    if (counts->n > 0 && strcmp (counts->items[counts->n - 1]->name, team) == 0) {
        Campaign__Count *item = counts->items[counts->n - 1];
        item->has_oldest_days = 1;
        item->oldest_days =
            counts->today > oldest_day ? (uint32_t)(counts->today - oldest_day) : 0;
    }
}

static void
s_counts_free (s_counts_t *counts)
{
    for (size_t i = 0; i < counts->n; i++) {
        free (counts->items[i]->name);
        free (counts->items[i]);
    }
    free (counts->items);
}

/*  The facts of a snapshot: heap copies, texts cut so that a long one (a list of
    opportunity ids) does not swell every snapshot. */
typedef struct {
    Campaign__Fact **items;
    size_t n;
} s_facts_t;

static void
s_collect_fact (void *arg, const char *name, const char *text, double number)
{
    s_facts_t *facts = arg;
    Campaign__Fact **grown = realloc (facts->items, (facts->n + 1) * sizeof *grown);
    Campaign__Fact *fact = calloc (1, sizeof *fact);
    if (!grown || !fact) {
        if (grown)
            facts->items = grown;
        free (fact);
        return;
    }
    facts->items = grown;
    campaign__fact__init (fact);
    fact->name = strdup (name ? name : "");
    fact->text = text ? strndup (text, 200) : NULL;
    fact->has_number = 1;
    fact->number = number;
    facts->items[facts->n++] = fact;
}

/*  The fact series of a snapshot (reports.fact_history), oldest first. */
typedef struct {
    Campaign__FactPoint **items;
    size_t n;
} s_points_t;

static void
s_collect_point (void *arg, const char *name, double number, const char *date, int week)
{
    s_points_t *points = arg;
    Campaign__FactPoint **grown = realloc (points->items, (points->n + 1) * sizeof *grown);
    Campaign__FactPoint *point = calloc (1, sizeof *point);
    if (grown)
        points->items = grown;
    if (!grown || !point) {
        free (point);
        return;
    }
    campaign__fact_point__init (point);
    point->name = strdup (name ? name : "");
    point->date = strdup (date ? date : "");
    point->has_number = point->has_week = 1;
    point->number = number;
    point->week = week > 0 ? (uint32_t)week : 0;
    points->items[points->n++] = point;
}

static void
s_points_free (s_points_t *points)
{
    for (size_t i = 0; i < points->n; i++) {
        free (points->items[i]->name);
        free (points->items[i]->date);
        free (points->items[i]);
    }
    free (points->items);
}

static void
s_facts_free (s_facts_t *facts)
{
    for (size_t i = 0; i < facts->n; i++) {
        free (facts->items[i]->name);
        free (facts->items[i]->text);
        free (facts->items[i]);
    }
    free (facts->items);
}

static void
s_answer_snapshot (broker_t *self, s_out_t *request)
{
    wire_envelope_t *env = NULL;
    if (wire_unpack (zframe_data (request->frame), zframe_size (request->frame), SIZE_MAX, &env,
                     NULL))
        return;
    Campaign__Snapshot snap = CAMPAIGN__SNAPSHOT__INIT;
    snap.campaign = self->campaign;
    snap.date = self->today_text;
    snap.has_week = snap.has_seq = 1;
    snap.week = (uint32_t)s_week (self);
    snap.seq = status_seq (self->status);
    snap.clock = (char *)calendar_mode_name (calendar_mode (self->calendar));
    turn_t turn = s_turn (self);
    err_t err;
    if (campaign_fill_snapshot (self->engine, &turn, &snap, &err))
        log_error ("snapshot: %s", err.msg);
    s_stages_t pipeline = {0};
    if (store_pipeline (self->store, s_collect_stage, &pipeline, &err))
        log_error ("snapshot: %s", err.msg);
    snap.n_pipeline = pipeline.n;
    snap.pipeline = pipeline.items;

    size_t n_agents = 0;
    for (peer_t *peer = registry_first (self->registry); peer;
         peer = registry_next (self->registry))
        n_agents++;
    Campaign__AgentState *states = calloc (n_agents ? n_agents : 1, sizeof *states);
    Campaign__AgentState **state_ptrs = calloc (n_agents ? n_agents : 1, sizeof *state_ptrs);
    if (states && state_ptrs) {
        size_t i = 0;
        for (peer_t *peer = registry_first (self->registry); peer && i < n_agents;
             peer = registry_next (self->registry), i++) {
            registry_state (peer, &states[i]);
            state_ptrs[i] = &states[i];
        }
        snap.n_agents = n_agents;
        snap.agents = state_ptrs;
    }
    Campaign__TaskCounts counts;
    queue_counts (self->queue, &counts);
    snap.tasks = &counts;

    s_counts_t journal = {0}, handoffs = {0};
    for (s_count_t *count = zhashx_first (self->journal_counts); count;
         count = zhashx_next (self->journal_counts))
        s_collect_count (&journal, count->kind, (int64_t)count->count);
    handoffs.today = self->today;
    if (store_handoffs_open (self->store, s_collect_handoffs, &handoffs, &err))
        log_error ("snapshot: %s", err.msg);
    snap.n_journal = journal.n;
    snap.journal = journal.items;
    snap.n_handoffs = handoffs.n;
    snap.handoffs = handoffs.items;
    s_counts_t bands = {0};
    if (store_health_bands (self->store, s_collect_count, &bands, &err))
        log_error ("snapshot: %s", err.msg);
    snap.n_health_bands = bands.n;
    snap.health_bands = bands.items;
    s_facts_t facts = {0};
    if (store_facts (self->store, s_collect_fact, &facts, &err))
        log_error ("snapshot: %s", err.msg);
    snap.n_facts = facts.n;
    snap.facts = facts.items;
    s_points_t points = {0};
    if (store_fact_history (self->store, s_collect_point, &points, &err))
        log_error ("snapshot: %s", err.msg);
    snap.n_fact_history = points.n;
    snap.fact_history = points.items;
    Campaign__Targets *targets = NULL;
    uint8_t *targets_data = NULL;
    size_t targets_size = 0;
    if (store_meta_get_blob (self->store, "targets", &targets_data, &targets_size, NULL) == 0)
        targets = campaign__targets__unpack (NULL, targets_size, targets_data);
    free (targets_data);
    snap.targets = targets;

    wire_out_t out;
    wire_out_init (&out, self->campaign, SENDER, env->message_id);
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_SNAPSHOT;
    out.env.snapshot = &snap;
    if (wire_send (self->router, request->identity, &out.env))
        log_debug ("snapshot not sent: %s", zmq_strerror (errno));
    s_counts_free (&journal);
    s_counts_free (&handoffs);
    s_counts_free (&bands);
    s_facts_free (&facts);
    s_points_free (&points);
    if (targets)
        campaign__targets__free_unpacked (targets, NULL);
    for (size_t i = 0; i < pipeline.n; i++) {
        free (pipeline.items[i]->stage);
        free (pipeline.items[i]);
    }
    free (pipeline.items);
    campaign_free_snapshot (&snap);
    free (states);
    free (state_ptrs);
    wire_free (&env);
}

/* --------------------------------------------------------------------------
   Leasing */

static void
s_send_task (broker_t *self, peer_t *peer, task_t *task, const uint8_t *input, size_t size)
{
    wire_out_t out;
    wire_out_init (&out, self->campaign, SENDER, NULL);
    Campaign__Task msg = CAMPAIGN__TASK__INIT;
    msg.task_id = task->id_text;
    msg.has_attempt = msg.has_payload = msg.has_lease_ms = 1;
    msg.attempt = task->attempts;
    msg.name = task->name;
    msg.payload.data = (uint8_t *)input;
    msg.payload.len = size;
    msg.lease_ms = (uint32_t)(task->lease_expires_ms - self->now_ms);
    msg.campaign_date = self->today_text;
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_TASK;
    out.env.task = &msg;
    s_queue_out (self, self->outbox, peer->identity, &out.env, OUT_TASK);
}

/*  A task that cannot be handed out (its input does not assemble, or no agent could read
    it): the attempt fails now, with the reason, instead of expiring lease after lease. */
static void
s_task_unsendable (broker_t *self, peer_t *peer, task_t *task, const char *reason,
                   bool retryable)
{
    char task_id[24], name[128];
    snprintf (task_id, sizeof task_id, "%s", task->id_text);
    snprintf (name, sizeof name, "%s", task->name);
    uint32_t attempts = task->attempts + 1;
    bool dead = false;
    err_t err;
    if (queue_lease (self->queue, task, peer->key, self->now_ms, &err) ||
        queue_fail (self->queue, task_id, reason, retryable, self->now_ms, &dead, &err)) {
        log_error ("task %s not handed out, and its failure not recorded: %s", task_id,
                   err.msg);
        return;
    }
    Campaign__StatusEvent event = CAMPAIGN__STATUS_EVENT__INIT;
    char summary[768];
    snprintf (summary, sizeof summary, "task %s (%s) not handed out (attempt %u%s): %s",
              task_id, name, attempts, dead ? ", now dead" : ", will retry", reason);
    event.summary = summary;
    s_emit (self, "alert", &event);
    log_error ("%s", summary);
}

/*  Round-robin over the ready agents, one task each per pass, so instances of a kind
    share the work instead of the first one taking everything. A recipe's input is
    assembled here, from the store as it is now, and not kept: the queue holds recipes.
    A task that cannot be handed out ends the pass, whether its failure could be recorded
    or not (the next turn goes on): a task retried at once, a failing store or many
    oversized tasks never hold one turn. */
static void
s_dispatch (broker_t *self)
{
    bool progress = true;
    while (progress) {
        progress = false;
        for (peer_t *peer = registry_first (self->registry); peer;
             peer = registry_next (self->registry)) {
            if (peer->state != PEER_READY || peer->leased >= peer->capacity)
                continue;
            task_t *task = queue_next (self->queue, peer->kind, self->now_ms);
            if (!task)
                continue;
            progress = true;
            err_t err;
            uint8_t *assembled = NULL;
            const uint8_t *input = task->payload;
            size_t size = task->payload_size;
            if (task->assemble) {
                int rc = store_task_input (self->store, task->payload, task->payload_size,
                                           &assembled, &size, &err);
                if (rc) {
                    s_task_unsendable (self, peer, task, err.msg, rc != ERR_INVALID);
                    return;
                }
                input = assembled;
            }
            /*  An envelope over broker.max_message_bytes is dropped unseen by the agent's
                socket: the task could only expire, attempt after attempt. */
            if (self->max_bytes && size + 4096 > self->max_bytes) {
                char reason[512];
                snprintf (reason, sizeof reason,
                          "its input is %zu bytes, over broker.max_message_bytes (%zu): no "
                          "agent can read it; raise the setting for every process, or lower "
                          "the task's batch",
                          size, (size_t)self->max_bytes);
                free (assembled);
                s_task_unsendable (self, peer, task, reason, false);
                return;
            }
            if (queue_lease (self->queue, task, peer->key, self->now_ms, &err)) {
                log_error ("lease of %s failed: %s", task->id_text, err.msg);
                free (assembled);
                return;
            }
            peer->leased++;
            s_send_task (self, peer, task, input, size);
            free (assembled);
        }
    }
}

/* --------------------------------------------------------------------------
   Turns */

static int
s_persist_date (broker_t *self, err_t *err)
{
    char text[32];
    snprintf (text, sizeof text, "%d", self->today);
    return store_meta_set (self->store, "campaign_day", text, err);
}

static int
s_reload (broker_t *self, err_t *err)
{
    zhashx_purge (self->journal_counts);
    int rc = queue_reload (self->queue, err);
    if (!rc)
        rc = store_journal_counts (self->store, s_load_count, self, err);
    char *text = NULL;
    if (!rc && self->engine)
        rc = campaign_reload (self->engine, err);
    if (!rc && store_meta_get (self->store, "campaign_day", &text, NULL) == 0) {
        self->today = (int32_t)strtol (text, NULL, 10);
        free (text);
        if (calendar_mode (self->calendar) == CALENDAR_SIMULATED)
            calendar_restore (self->calendar, self->today, self->now_ms);
    } else if (!rc)
        self->today = calendar_today (self->calendar, self->now_ms);
    date_format (self->today, self->today_text);
    /*  Leases are gone with the reload: no agent holds anything now. */
    for (peer_t *peer = registry_first (self->registry); peer;
         peer = registry_next (self->registry))
        peer->leased = 0;
    return rc;
}

static void
s_turn_begin (broker_t *self)
{
    self->now_ms = wire_now_ms ();
    self->mono_ms = zclock_mono ();
    if (self->security)
        security_refresh (self->security);
    err_t err;
    if (!store_in_transaction (self->store) && store_begin (self->store, &err))
        log_error ("%s", err.msg);
}

static void
s_clock_check (broker_t *self)
{
    int32_t today = calendar_today (self->calendar, self->now_ms);
    if (today == self->today)
        return;
    int old_week = s_week (self);
    self->today = today;
    date_format (today, self->today_text);
    err_t err;
    if (s_persist_date (self, &err))
        log_error ("%s", err.msg);
    Campaign__StatusEvent event = CAMPAIGN__STATUS_EVENT__INIT;
    char summary[128];
    snprintf (summary, sizeof summary, "campaign date is now %s (week %d)", self->today_text,
              s_week (self));
    event.summary = summary;
    s_emit (self, old_week != s_week (self) ? "clock.week" : "clock.day", &event);
    log_info ("%s", summary);
}

static int s_mkdirs (const char *path, err_t *err);

/*  Write a report task's output as reports.dir/<task>.json (or .txt when it is not
    JSON), whole or not at all. */
static void
s_write_report (broker_t *self, const s_report_t *report)
{
    err_t err;
    if (s_mkdirs (self->reports_dir, &err)) {
        log_warn ("report %s not written: %s", report->name, err.msg);
        return;
    }
    bool json = report->size > 0 && (report->data[0] == '{' || report->data[0] == '[');
    char path[4200], tmp[4210];
    snprintf (path, sizeof path, "%s/%s.%s", self->reports_dir, report->name,
              json ? "json" : "txt");
    snprintf (tmp, sizeof tmp, "%s.tmp", path);
    FILE *file = fopen (tmp, "w");
    bool ok = file && fwrite (report->data, 1, report->size, file) == report->size;
    ok = file && fclose (file) == 0 && ok;
    if (!ok || rename (tmp, path) != 0) {
        log_warn ("report %s not written: %s", path, strerror (errno));
        remove (tmp);
    } else
        log_info ("report written: %s", path);
}

static void
s_turn_end (broker_t *self)
{
    s_clock_check (self);
    turn_t turn = s_turn (self);
    err_t step_err;
    if (campaign_step (self->engine, &turn, &step_err))
        log_error ("campaign step: %s", step_err.msg);
    s_dispatch (self);
    Campaign__TaskCounts counts;
    queue_counts (self->queue, &counts);
    if (memcmp (&counts, &self->last_counts, sizeof counts) != 0) {
        Campaign__StatusEvent event = CAMPAIGN__STATUS_EVENT__INIT;
        char summary[160];
        snprintf (summary, sizeof summary,
                  "tasks: %" PRIu64 " queued, %" PRIu64 " leased, %" PRIu64 " done, %" PRIu64
                  " retrying, %" PRIu64 " dead",
                  counts.queued, counts.leased, counts.done, counts.failed, counts.dead);
        event.summary = summary;
        event.tasks = &counts;
        s_emit (self, "task", &event);
        self->last_counts = counts;
    }
    err_t err;
    int rc = status_persist (self->status, &err);
    if (!rc)
        rc = store_commit (self->store, &err);
    if (rc) {
        /*  Nothing of this turn is durable: undo it in memory, and tell every client
            whose submission was in it to retry. */
        log_error ("commit failed, turn undone: %s", err.msg);
        store_rollback (self->store);
        status_discard (self->status);
        err_t reload_err;
        if (s_reload (self, &reload_err)) {
            log_error ("reloading state after a failed commit: %s", reload_err.msg);
            self->storage_failed = true;
        }
        queue_counts (self->queue, &self->last_counts);
    }
    s_out_t *out;
    while ((out = zlistx_detach (self->outbox, NULL))) {
        if (rc && out->kind == OUT_TASK) {
            void *item = out;
            s_out_free (&item);
            continue;
        }
        if (rc && out->kind == OUT_ACK) {
            zframe_t *identity = out->identity;
            out->identity = NULL;
            s_reject (self, identity, out->correlation, CAMPAIGN__REJECT_CODE__REJECT_STORAGE,
                      "the broker could not store this; retry later");
            zframe_destroy (&identity);
            s_out_t *rejection = zlistx_detach (self->outbox, zlistx_last (self->outbox));
            void *item = out;
            s_out_free (&item);
            out = rejection;
            if (!out)
                continue;
        }
        void *handle = zsock_resolve (self->router);
        if (zmq_send (handle, zframe_data (out->identity), zframe_size (out->identity),
                      ZMQ_SNDMORE) < 0 ||
            zmq_send (handle, zframe_data (out->frame), zframe_size (out->frame), 0) < 0)
            log_debug ("reply not sent: %s", zmq_strerror (errno));
        void *item = out;
        s_out_free (&item);
    }
    if (!rc)
        status_flush (self->status);
    s_report_t *report;
    while ((report = zlistx_detach (self->reports, NULL))) {
        if (!rc)
            s_write_report (self, report);
        void *item = report;
        s_report_free (&item);
    }
    while ((out = zlistx_detach (self->snapshots, NULL))) {
        s_answer_snapshot (self, out);
        void *item = out;
        s_out_free (&item);
    }
}

static int
s_on_router (zloop_t *loop, zsock_t *reader, void *arg)
{
    broker_t *self = arg;
    s_turn_begin (self);
    void *handle = zsock_resolve (self->router);
    for (int i = 0; i < self->batch_max; i++) {
        zmsg_t *msg = NULL;
        /*  Non-blocking reads drain what is waiting: that batch shares one commit. */
        if (!(zsock_events (self->router) & ZMQ_POLLIN))
            break;
        msg = zmsg_recv_nowait (handle);
        if (!msg)
            break;
        zframe_t *identity = zmsg_pop (msg);
        if (!identity || zmsg_size (msg) != 1) {
            log_warn ("message with %zu frames dropped (expected identity + envelope)",
                      zmsg_size (msg) + (identity ? 1 : 0));
            zframe_destroy (&identity);
            zmsg_destroy (&msg);
            continue;
        }
        zframe_t *frame = zmsg_first (msg);
        wire_envelope_t *env = NULL;
        err_t err;
        int rc =
            wire_unpack (zframe_data (frame), zframe_size (frame), self->max_bytes, &env, &err);
        if (rc) {
            log_warn ("frame from peer %02x%02x... refused: %s",
                      zframe_size (identity) > 0 ? zframe_data (identity)[0] : 0,
                      zframe_size (identity) > 1 ? zframe_data (identity)[1] : 0, err.msg);
            s_reject (self, identity, NULL, s_reject_code (rc), err.msg);
        } else {
            if (self->security)
                security_peer (self->security, frame, &self->peer);
            s_handle (self, identity, env);
        }
        wire_free (&env);
        zframe_destroy (&identity);
        zmsg_destroy (&msg);
    }
    s_turn_end (self);
    return self->storage_failed ? -1 : 0;
}

static int
s_on_tick (zloop_t *loop, int timer_id, void *arg)
{
    broker_t *self = arg;
    s_turn_begin (self);
    int64_t timeout = (int64_t)self->heartbeat_ms * self->liveness;
    peer_t *peer;
    /*  If this loop was busy (a large import, a long commit) for longer than a heartbeat,
        the agents' silence is ours: we were not listening. Start counting afresh. */
    if (self->last_tick_ms && self->mono_ms - self->last_tick_ms > self->heartbeat_ms) {
        log_warn ("the broker loop stalled for %lld ms; agents get a fresh heartbeat window",
                  (long long)(self->mono_ms - self->last_tick_ms));
        for (peer = registry_first (self->registry); peer;
             peer = registry_next (self->registry))
            if (peer->state == PEER_READY && peer->last_seen_ms < self->mono_ms)
                peer->last_seen_ms = self->mono_ms;
    }
    self->last_tick_ms = self->mono_ms;
    while ((peer = registry_next_silent (self->registry, self->mono_ms, timeout))) {
        s_release_peer (self, peer, "agent lost");
        registry_mark (self->registry, peer, PEER_LOST);
        s_emit_agent (self, peer, "lost (no heartbeat)");
    }
    err_t err;
    int expired = queue_expire (self->queue, self->now_ms, &err);
    if (expired < 0)
        log_error ("expiring leases: %s", err.msg);
    else if (expired > 0)
        log_warn ("%d lease(s) expired; tasks back in the queue", expired);
    if (self->mono_ms >= self->next_beat_ms) {
        wire_out_t out;
        wire_out_init (&out, self->campaign, SENDER, NULL);
        Campaign__Heartbeat beat = CAMPAIGN__HEARTBEAT__INIT;
        out.env.body_case = CAMPAIGN__ENVELOPE__BODY_HEARTBEAT;
        out.env.heartbeat = &beat;
        for (peer = registry_first (self->registry); peer;
             peer = registry_next (self->registry))
            if (peer->state == PEER_READY)
                s_reply (self, peer->identity, &out, OUT_PLAIN);
        self->next_beat_ms = self->mono_ms + self->heartbeat_ms;
    }
    s_turn_end (self);
    if (self->mono_ms >= self->next_checkpoint_ms) {
        err_t checkpoint_err;
        if (store_checkpoint (self->store, &checkpoint_err))
            log_warn ("%s", checkpoint_err.msg);
        self->next_checkpoint_ms = self->mono_ms + 1000;
    }
    if (signals_take_reload ())
        self->reload = true;
    return self->reload || self->storage_failed || signals_stop_requested () ? -1 : 0;
}

/* --------------------------------------------------------------------------
   Construction */

static int
s_settings (broker_t *self, conf_t *conf, err_t *err)
{
    const char *campaign, *endpoint, *status_endpoint, *state_dir;
    int64_t max_bytes, batch_max, heartbeat_ms, liveness;
    int rc = conf_string (conf, "campaign.id", NULL, &campaign, err);
    if (!rc && (!campaign || !*campaign))
        rc = err_set (err, ERR_INVALID, "setting 'campaign.id' is required");
    if (!rc)
        rc = conf_string (conf, "broker.endpoint", "ipc:///tmp/campaign-broker.ipc", &endpoint,
                          err);
    if (!rc)
        rc = conf_string (conf, "broker.status_endpoint", "ipc:///tmp/campaign-status.ipc",
                          &status_endpoint, err);
    if (!rc)
        rc = conf_string (conf, "broker.state_dir", "/var/lib/campaign", &state_dir, err);
    if (!rc)
        rc = conf_int_range (conf, "broker.max_message_bytes", WIRE_MAX_BYTES, 1024, INT32_MAX,
                             &max_bytes, err);
    if (!rc)
        rc = conf_int_range (conf, "broker.batch_max", 512, 1, 100000, &batch_max, err);
    const char *reports_dir = "";
    if (!rc)
        rc = conf_string (conf, "reports.dir", "", &reports_dir, err);
    if (!rc && !(self->reports_dir = strdup (reports_dir)))
        rc = err_set (err, ERR_NOMEM, "out of memory");
    if (!rc && !(self->report_tasks = zhashx_new ()))
        rc = err_set (err, ERR_NOMEM, "out of memory");
    config_setting_t *report_tasks = rc ? NULL : conf_lookup (conf, "reports.task_outputs");
    for (int i = 0; report_tasks && i < config_setting_length (report_tasks); i++) {
        const char *name = config_setting_get_string_elem (report_tasks, i);
        char where[256];
        if (!name || !*name) {
            rc = err_set (err, ERR_INVALID,
                          "%s: reports.task_outputs item %d is not a task name",
                          conf_where (conf, report_tasks, where, sizeof where), i + 1);
            break;
        }
        zhashx_insert (self->report_tasks, name, (void *)1);
    }
    if (!rc && !(self->fact_series = zhashx_new ()))
        rc = err_set (err, ERR_NOMEM, "out of memory");
    config_setting_t *series = rc ? NULL : conf_lookup (conf, "reports.fact_history");
    for (int i = 0; series && i < config_setting_length (series); i++) {
        const char *name = config_setting_get_string_elem (series, i);
        char where[256];
        if (!name || !*name) {
            rc = err_set (err, ERR_INVALID,
                          "%s: reports.fact_history item %d is not a fact name",
                          conf_where (conf, series, where, sizeof where), i + 1);
            break;
        }
        zhashx_insert (self->fact_series, name, (void *)1);
    }
    if (!rc)
        rc = conf_int_range (conf, "agents.heartbeat_ms", 1000, 10, 600000, &heartbeat_ms, err);
    if (!rc)
        rc = conf_int_range (conf, "agents.liveness", 3, 1, 100, &liveness, err);
    if (rc)
        return rc;
    self->campaign = strdup (campaign);
    self->endpoint = strdup (endpoint);
    self->status_endpoint = strdup (status_endpoint);
    self->state_dir = strdup (state_dir);
    if (!self->campaign || !self->endpoint || !self->status_endpoint || !self->state_dir)
        return err_set (err, ERR_NOMEM, "out of memory");
    self->max_bytes = (size_t)max_bytes;
    self->batch_max = (int)batch_max;
    self->heartbeat_ms = (int)heartbeat_ms;
    self->liveness = (int)liveness;

    self->agent_kinds = zhashx_new ();
    if (!self->agent_kinds)
        return err_set (err, ERR_NOMEM, "out of memory");
    config_setting_t *kinds = conf_lookup (conf, "agents.kinds");
    if (kinds) {
        char where[256];
        if (!config_setting_is_aggregate (kinds))
            return err_set (err, ERR_INVALID,
                            "%s: setting 'agents.kinds' must be a list of names",
                            conf_where (conf, kinds, where, sizeof where));
        for (int i = 0; i < config_setting_length (kinds); i++) {
            const char *kind = config_setting_get_string_elem (kinds, i);
            if (!kind || !*kind)
                return err_set (err, ERR_INVALID,
                                "%s: setting 'agents.kinds' item %d is not a name",
                                conf_where (conf, kinds, where, sizeof where), i + 1);
            zhashx_insert (self->agent_kinds, kind, (void *)1);
        }
    } else {
        static const char *const defaults[] = {
            "expansion-opportunity-identifier", "customer-segmentation-analyst",
            "customer-health-scorer", "retrospective-analyzer", NULL};
        for (int i = 0; defaults[i]; i++)
            zhashx_insert (self->agent_kinds, defaults[i], (void *)1);
    }
    return 0;
}

static int
s_calendar (broker_t *self, conf_t *conf, err_t *err)
{
    const char *start, *clock;
    int64_t weeks, offset;
    double seconds_per_week;
    int rc = conf_string (conf, "campaign.start_date", NULL, &start, err);
    if (!rc && !start)
        rc = err_set (err, ERR_INVALID,
                      "setting 'campaign.start_date' is required (YYYY-MM-DD)");
    if (!rc)
        rc = conf_string (conf, "campaign.clock", "calendar", &clock, err);
    if (!rc)
        rc = conf_int_range (conf, "campaign.weeks", 12, 1, 104, &weeks, err);
    if (!rc)
        rc = conf_int_range (conf, "campaign.utc_offset_minutes", 0, -14 * 60, 14 * 60, &offset,
                             err);
    if (!rc)
        rc = conf_double_range (conf, "campaign.seconds_per_week", 0, 0, 1e9, &seconds_per_week,
                                err);
    if (rc)
        return rc;
    int32_t start_day;
    calendar_mode_t mode;
    char where[256];
    if (date_parse (start, &start_day))
        return err_set (
            err, ERR_INVALID, "%s: campaign.start_date '%s' is not a date (YYYY-MM-DD)",
            conf_where (conf, conf_lookup (conf, "campaign.start_date"), where, sizeof where),
            start);
    if (calendar_mode_parse (clock, &mode))
        return err_set (
            err, ERR_INVALID, "%s: campaign.clock '%s' is not \"calendar\" or \"simulated\"",
            conf_where (conf, conf_lookup (conf, "campaign.clock"), where, sizeof where),
            clock);
    self->calendar = calendar_new (start_day, (int)weeks, mode);
    if (!self->calendar)
        return err_set (err, ERR_NOMEM, "out of memory");
    calendar_set_utc_offset (self->calendar, (int)offset);
    calendar_set_seconds_per_week (self->calendar, seconds_per_week);
    return 0;
}

static int
s_lock_pid (broker_t *self, err_t *err)
{
    snprintf (self->pid_path, sizeof self->pid_path, "%s/campaign-broker.pid", self->state_dir);
    self->pid_fd = open (self->pid_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (self->pid_fd < 0)
        return err_set (err, ERR_IO, "cannot open pid file %s: %s", self->pid_path,
                        strerror (errno));
    if (flock (self->pid_fd, LOCK_EX | LOCK_NB) != 0) {
        char text[32] = "";
        ssize_t n = read (self->pid_fd, text, sizeof text - 1);
        text[n > 0 ? n : 0] = '\0';
        text[strcspn (text, "\n")] = '\0';
        close (self->pid_fd);
        self->pid_fd = -1;
        return err_set (err, ERR_STATE,
                        "another broker (pid %s) is running campaign '%s' in %s",
                        *text ? text : "?", self->campaign, self->state_dir);
    }
    char text[32];
    int len = snprintf (text, sizeof text, "%ld\n", (long)getpid ());
    if (ftruncate (self->pid_fd, 0) != 0 || pwrite (self->pid_fd, text, (size_t)len, 0) != len)
        return err_set (err, ERR_IO, "cannot write pid file %s: %s", self->pid_path,
                        strerror (errno));
    return 0;
}

static int
s_mkdirs (const char *path, err_t *err)
{
    char buf[4096];
    snprintf (buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir (buf, 0755);
            *p = '/';
        }
    if (mkdir (buf, 0755) != 0 && errno != EEXIST)
        return err_set (err, ERR_IO, "cannot create state directory %s: %s", path,
                        strerror (errno));
    return 0;
}

static int
s_check_campaign (broker_t *self, err_t *err)
{
    char *stored = NULL;
    int rc = store_meta_get (self->store, "campaign_id", &stored, NULL);
    if (rc == ERR_NOTFOUND)
        return store_meta_set (self->store, "campaign_id", self->campaign, err);
    if (rc)
        return err_set (err, ERR_STORAGE, "cannot read the campaign id from the store");
    rc = strcmp (stored, self->campaign) == 0
             ? 0
             : err_set (err, ERR_INVALID,
                        "the store in %s belongs to campaign '%s', not '%s' (campaign.id); "
                        "use another broker.state_dir",
                        self->state_dir, stored, self->campaign);
    free (stored);
    return rc;
}

int
broker_new (conf_t *conf, broker_t **out, err_t *err)
{
    broker_t *self = calloc (1, sizeof *self);
    if (!self)
        return err_set (err, ERR_NOMEM, "out of memory");
    self->pid_fd = -1;
    int rc = s_settings (self, conf, err);
    if (!rc)
        rc = s_calendar (self, conf, err);
    if (!rc)
        rc = plan_load (conf, calendar_weeks (self->calendar), self->agent_kinds, &self->plan,
                        err);
    if (!rc)
        rc = roles_load (conf, &self->roles, err);
    if (!rc)
        rc = security_load (conf, self->endpoint, self->status_endpoint, &self->security, err);
    queue_options_t options = {0};
    int64_t max_attempts = 5, lease_ms = 60000, retry_base_ms = 1000, retry_max_ms = 60000;
    if (!rc)
        rc = conf_int_range (conf, "tasks.max_attempts", 5, 1, 1000, &max_attempts, err);
    if (!rc)
        rc = conf_int_range (conf, "tasks.lease_ms", 60000, 10, 86400000, &lease_ms, err);
    if (!rc)
        rc = conf_int_range (conf, "tasks.retry_base_ms", 1000, 0, 86400000, &retry_base_ms,
                             err);
    if (!rc)
        rc =
            conf_int_range (conf, "tasks.retry_max_ms", 60000, 0, 86400000, &retry_max_ms, err);
    if (rc) {
        rc = rc == ERR_NOMEM ? rc : ERR_INVALID;
        goto cleanup;
    }
    options.max_attempts = (uint32_t)max_attempts;
    options.lease_ms = lease_ms;
    options.retry_base_ms = retry_base_ms;
    options.retry_max_ms = retry_max_ms;
    options.jitter_seed = (uint32_t)getpid ();

    if ((rc = s_mkdirs (self->state_dir, err)) || (rc = s_lock_pid (self, err)))
        goto cleanup;
    char db_path[4200];
    snprintf (db_path, sizeof db_path, "%s/campaign.db", self->state_dir);
    if ((rc = store_open (db_path, &self->store, err)) || (rc = s_check_campaign (self, err)))
        goto cleanup;
    self->registry = registry_new ();
    self->journal_counts = zhashx_new ();
    self->outbox = zlistx_new ();
    self->snapshots = zlistx_new ();
    self->reports = zlistx_new ();
    if (!self->registry || !self->journal_counts || !self->outbox || !self->snapshots ||
        !self->reports) {
        rc = err_set (err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    zhashx_set_destructor (self->journal_counts, s_count_free);
    zlistx_set_destructor (self->outbox, s_out_free);
    zlistx_set_destructor (self->snapshots, s_out_free);
    zlistx_set_destructor (self->reports, s_report_free);
    self->now_ms = wire_now_ms ();
    if ((rc = queue_new (self->store, &options, &self->queue, err)) ||
        (rc = campaign_new (self->plan, self->store, &self->engine, err)) ||
        (rc = s_reload (self, err)))
        goto cleanup;

    self->router = zsock_new (ZMQ_ROUTER);
    self->pub = zsock_new (ZMQ_PUB);
    if (!self->router || !self->pub) {
        rc = err_set (err, ERR_NOMEM, "cannot create sockets");
        goto cleanup;
    }
    /*  libzmq drops a connection that sends a frame over this size; frames between
        max_message_bytes and this get a TOO_LARGE rejection from wire_unpack. */
    zsock_set_maxmsgsize (self->router, (int64_t)self->max_bytes * 2 + 4096);
    zsock_set_linger (self->router, 1000);
    zsock_set_sndhwm (self->router, 100000);
    zsock_set_rcvhwm (self->router, 100000);
    zsock_set_sndhwm (self->pub, 100000);
    if (self->security && (rc = security_start (self->security, self->router, self->pub, err)))
        goto cleanup;
    if (zsock_bind (self->router, "%s", self->endpoint) < 0) {
        rc = err_set (err, ERR_IO, "cannot bind broker.endpoint '%s': %s", self->endpoint,
                      zmq_strerror (zmq_errno ()));
        goto cleanup;
    }
    if (zsock_bind (self->pub, "%s", self->status_endpoint) < 0) {
        rc = err_set (err, ERR_IO, "cannot bind broker.status_endpoint '%s': %s",
                      self->status_endpoint, zmq_strerror (zmq_errno ()));
        goto cleanup;
    }
    if ((rc = status_new (self->pub, self->store, self->campaign, &self->status, err)))
        goto cleanup;
    queue_counts (self->queue, &self->last_counts);
    log_info ("campaign %s: store %s, date %s (week %d, %s clock), %s, status %s, seq %" PRIu64,
              self->campaign, db_path, self->today_text, s_week (self),
              calendar_mode_name (calendar_mode (self->calendar)), self->endpoint,
              self->status_endpoint, status_seq (self->status));
cleanup:
    if (rc)
        broker_destroy (&self);
    else
        *out = self;
    return rc;
}

void
broker_destroy (broker_t **self_p)
{
    if (self_p && *self_p) {
        broker_t *self = *self_p;
        status_destroy (&self->status);
        zsock_destroy (&self->router);
        zsock_destroy (&self->pub);
        security_destroy (&self->security);
        queue_destroy (&self->queue);
        if (self->store)
            store_rollback (self->store);
        store_destroy (&self->store);
        registry_destroy (&self->registry);
        campaign_destroy (&self->engine);
        plan_destroy (&self->plan);
        roles_destroy (&self->roles);
        calendar_destroy (&self->calendar);
        zhashx_destroy (&self->agent_kinds);
        zhashx_destroy (&self->journal_counts);
        zlistx_destroy (&self->outbox);
        zlistx_destroy (&self->snapshots);
        zlistx_destroy (&self->reports);
        zhashx_destroy (&self->report_tasks);
        zhashx_destroy (&self->fact_series);
        free (self->reports_dir);
        if (self->pid_fd >= 0) {
            unlink (self->pid_path);
            close (self->pid_fd);
        }
        free (self->campaign);
        free (self->endpoint);
        free (self->status_endpoint);
        free (self->state_dir);
        free (self);
        *self_p = NULL;
    }
}

int
broker_run (broker_t *self)
{
    zloop_t *loop = zloop_new ();
    if (!loop)
        return ERR_NOMEM;
    zloop_reader (loop, self->router, s_on_router, self);
    if (self->security)
        zloop_reader (loop, security_zap (self->security), s_on_zap, self);
    int tick = self->heartbeat_ms < 100 ? self->heartbeat_ms : 100;
    zloop_timer (loop, (size_t)tick, 0, s_on_tick, self);
    zloop_set_nonstop (loop, true); /* we decide when to stop, from the flags */
    self->reload = false;
    while (!signals_stop_requested () && !self->storage_failed) {
        zloop_start (loop);
        if (self->reload || signals_take_reload ()) {
            zloop_destroy (&loop);
            return 1;
        }
    }
    zloop_destroy (&loop);
    log_info ("campaign %s: stopping at seq %" PRIu64, self->campaign,
              status_seq (self->status));
    return self->storage_failed ? ERR_STORAGE : 0;
}

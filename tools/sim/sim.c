/*  sim.c: the participant simulator (see sim.h).

    The people's many submissions (notes, stage changes, outcomes, handoff
    acknowledgements) go through a pool of sim.in_flight clients (lib/clientpool.h), so
    the broker's group commit shares its fsyncs among them; what is about one account
    keeps its order (the pool's key is the account), and the pool is drained before
    anything reads the broker's state, so a week sees what the last one did. Imports,
    targets, overrides, the clock and the retrospective go alone through one client
    (Lazy Pirate, lib/client.h), which also reads snapshots and the pipeline. Each
    submission is signed with the person's id; one SUB socket follows "handoff." from
    the start so no handoff is missed. The week loop is: settle (no task queued or
    leased), clear a held gate (targets, else an override), the week's people work,
    settle, acknowledge the open handoffs, advance. The figures of the summary are read
    back from the broker (pipeline and gate history), so a re-run reports the same
    campaign. */
#include "rng.h"
#include "sim.h"

#include "calendar.h"
#include "client.h"
#include "clientpool.h"
#include "csvreader.h"
#include "records.h"
#include "signals.h"

#include <czmq.h>
#include <stdarg.h>
#include <unistd.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define S_PLAYS 4 /* seat, tier, cross-sell, geo: truth.csv's order */

static const char *const s_play_names[S_PLAYS] = {"seat", "tier", "cross-sell", "geo"};
/*  Days from opened to the decision (seed: seat 30-45, tier 60-90, cross-sell 60-120; geo
    as cross-sell). */
static const int s_cycle_days[S_PLAYS][2] = {{30, 45}, {60, 90}, {60, 120}, {60, 120}};
/*  The evaluation stage of each play (seed: demo, 30-day trial, 60-day pilot). */
static const char *const s_evaluation_stage[S_PLAYS] = {"demo", "trial", "pilot", "pilot"};

static const char *const s_won_reasons[] = {
    "business case accepted", "ROI calculator convinced finance",
    "pilot hit its success metrics", "champion secured budget", "volume discount closed it"};
static const char *const s_lost_reasons[] = {"budget frozen",
                                             "no executive sponsor",
                                             "chose a competitor",
                                             "timing: next fiscal year",
                                             "not enough usage to justify",
                                             "champion left"};
static const char *const s_feature_requests[] = {
    "SSO for contractors",  "audit log export", "Salesforce sync",      "custom roles",
    "data residency in EU", "bulk user import", "API rate limit raise", "offline mobile app"};
static const char *const s_timing_soon[] = {"this quarter", "30 days", "60 days", "q4"};
static const char *const s_timing_later[] = {"next year", "6 months", "not this year"};

#define S_COUNT(array) (sizeof (array) / sizeof (array)[0])

/*  Submissions queued per pooled client before the people wait: enough to keep every
    client busy, few enough that a million accounts' notes are not all in memory. */
#define S_QUEUE_PER_CLIENT 64

/*  ---------------------------------------------------------------------------------
    Draws: xoshiro256** seeded by splitmix64, one stream per decision and entity. */

static size_t
s_rng_pick (rng_t *rng, size_t n)
{
    return (size_t)(rng_unit (rng) * (double)n) % n;
}

static uint64_t
s_fnv (const char *text, uint64_t hash)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        hash ^= *p;
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

/*  ---------------------------------------------------------------------------------
    The world campaign-gen wrote. */

typedef struct {
    char *account_id;
    double p[S_PLAYS];
    double arr[S_PLAYS];
} s_truth_t;

typedef struct {
    const char **ids;
    size_t n;
} s_people_t;

typedef struct {
    char *id;
    char *team;
    char *ae;
    char *subject; /* kind, opportunity and account: the same whatever id the broker gave */
    bool acked;
} s_handoff_t;

typedef struct {
    unsigned won, lost, open;
    double arr;
} s_play_stats_t;

struct _sim_t {
    sim_options_t options;
    char *data_dir;
    conf_t *conf;
    client_t *client;   /* snapshots, pipelines and the submissions that must go alone */
    clientpool_t *pool; /* the people's many submissions, sim.in_flight at a time */
    zsock_t *sub;
    char *campaign;
    uint64_t base; /* seed and campaign, mixed */
    int64_t poll_ms;
    int64_t settle_timeout_ms;
    int64_t in_flight;
    int64_t weeks;
    double target_arr, target_conversion, target_investment;
    int64_t target_deals;

    Campaign__ImportPortfolio *portfolio;
    Campaign__ImportRoster *roster;
    Campaign__ImportHistory *history; /* NULL without history.csv */
    Campaign__Account **accounts;     /* sorted by id, borrowed from portfolio */
    size_t n_accounts;
    s_truth_t *truth; /* sorted by id */
    size_t n_truth;
    s_people_t csms, aes, leaders, marketing, product, operators;

    zhash_t *handoffs; /* id -> s_handoff_t */
    size_t handoffs_seen;
    unsigned handoffs_acked;
    bool targets_sent;
    bool noted_early; /* the week-3 share of the notes went out */

    unsigned accepted, duplicates, rejected;
    unsigned notes, feature_requests, stages, outcomes, retros;

    /*  Final figures. */
    bool finished;
    s_play_stats_t plays[S_PLAYS + 1]; /* [S_PLAYS]: any other type */
    char final_position[256];
    char *overrides; /* "activity (by X: failing a, b); ..." or NULL */
    unsigned overridden;
};

static int
s_play_index (const char *type)
{
    for (int i = 0; i < S_PLAYS; i++)
        if (type && strcmp (type, s_play_names[i]) == 0)
            return i;
    return -1;
}

static int
s_compare_accounts (const void *a, const void *b)
{
    return strcmp ((*(Campaign__Account *const *)a)->account_id,
                   (*(Campaign__Account *const *)b)->account_id);
}

static int
s_compare_truth (const void *a, const void *b)
{
    return strcmp (((const s_truth_t *)a)->account_id, ((const s_truth_t *)b)->account_id);
}

static int
s_compare_strings (const void *a, const void *b)
{
    return strcmp (*(const char *const *)a, *(const char *const *)b);
}

static const Campaign__Account *
s_account (sim_t *self, const char *id)
{
    Campaign__Account key = CAMPAIGN__ACCOUNT__INIT;
    key.account_id = (char *)id;
    Campaign__Account *keyp = &key;
    Campaign__Account **found = bsearch (&keyp, self->accounts, self->n_accounts,
                                         sizeof *self->accounts, s_compare_accounts);
    return found ? *found : NULL;
}

static const s_truth_t *
s_truth (sim_t *self, const char *id)
{
    s_truth_t key = {.account_id = (char *)id};
    return bsearch (&key, self->truth, self->n_truth, sizeof *self->truth, s_compare_truth);
}

/*  A stream for one decision about one entity: the same seed, campaign, purpose and id
    give the same draws whatever else happened. */
static void
s_stream (sim_t *self, rng_t *rng, const char *purpose, const char *id)
{
    uint64_t state = s_fnv (id, s_fnv ("/", s_fnv (purpose, self->base)));
    rng_seed (rng, state);
}

static int
s_load_truth (sim_t *self, const char *path, err_t *err)
{
    static const char *const required[] = {
        "account_id", "p_seat",   "p_tier",         "p_cross_sell", "p_geo",
        "arr_seat",   "arr_tier", "arr_cross_sell", "arr_geo",      NULL};
    static const char *const p_columns[S_PLAYS] = {"p_seat", "p_tier", "p_cross_sell", "p_geo"};
    static const char *const arr_columns[S_PLAYS] = {"arr_seat", "arr_tier", "arr_cross_sell",
                                                     "arr_geo"};
    csvreader_t *csv = NULL;
    int rc = csvreader_open (path, &csv, err);
    if (!rc)
        rc = csvreader_require (csv, required, err);
    size_t rows = rc ? 0 : csvreader_rows (csv);
    if (!rc) {
        self->truth = calloc (rows ? rows : 1, sizeof *self->truth);
        if (!self->truth)
            rc = err_set (err, ERR_NOMEM, "out of memory reading %s", path);
    }
    for (size_t row = 0; !rc && row < rows; row++) {
        s_truth_t *truth = &self->truth[row];
        const char *id = NULL;
        rc = csvreader_text (csv, row, "account_id", &id, err);
        if (!rc && !(truth->account_id = strdup (id)))
            rc = err_set (err, ERR_NOMEM, "out of memory reading %s", path);
        for (int play = 0; !rc && play < S_PLAYS; play++) {
            rc = csvreader_double (csv, row, p_columns[play], 0.0, 1.0, &truth->p[play], err);
            if (!rc)
                rc = csvreader_double (csv, row, arr_columns[play], 0.0, 1e12,
                                       &truth->arr[play], err);
        }
        self->n_truth = row + 1;
    }
    csvreader_destroy (&csv);
    if (!rc)
        qsort (self->truth, self->n_truth, sizeof *self->truth, s_compare_truth);
    return rc;
}

static int
s_people_add (s_people_t *people, const char *id)
{
    const char **grown = realloc (people->ids, (people->n + 1) * sizeof *grown);
    if (!grown)
        return ERR_NOMEM;
    people->ids = grown;
    people->ids[people->n++] = id;
    return 0;
}

static int
s_sort_roster (sim_t *self, err_t *err)
{
    static const char *const roles[] = {"csm",       "ae",      "leadership",
                                        "marketing", "product", "operator"};
    s_people_t *lists[] = {&self->csms,      &self->aes,     &self->leaders,
                           &self->marketing, &self->product, &self->operators};
    for (size_t i = 0; i < self->roster->n_people; i++) {
        const Campaign__Person *person = self->roster->people[i];
        for (size_t r = 0; r < S_COUNT (roles); r++)
            if (strcmp (person->role, roles[r]) == 0 &&
                s_people_add (lists[r], person->person_id))
                return err_set (err, ERR_NOMEM, "out of memory reading the roster");
    }
    for (size_t r = 0; r < S_COUNT (lists); r++)
        if (lists[r]->n)
            qsort (lists[r]->ids, lists[r]->n, sizeof *lists[r]->ids, s_compare_strings);
    if (!self->leaders.n)
        return err_set (err, ERR_INVALID,
                        "%s/roster.csv: no person with role leadership; targets, overrides and "
                        "the retrospective need one",
                        self->data_dir);
    return 0;
}

static void
s_handoff_free (void *item)
{
    s_handoff_t *handoff = item;
    free (handoff->id);
    free (handoff->team);
    free (handoff->ae);
    free (handoff->subject);
    free (handoff);
}

int
sim_new (conf_t *conf, const sim_options_t *options, sim_t **out, err_t *err)
{
    sim_t *self = calloc (1, sizeof *self);
    if (!self)
        return err_set (err, ERR_NOMEM, "out of memory");
    self->options = *options;
    self->conf = conf;
    self->data_dir = strdup (options->data_dir ? options->data_dir : "data");
    self->handoffs = zhash_new ();
    int rc = self->data_dir && self->handoffs ? 0 : err_set (err, ERR_NOMEM, "out of memory");
    const char *campaign = NULL, *status_endpoint = NULL;
    if (!rc)
        rc = conf_string (conf, "campaign.id", "campaign", &campaign, err);
    if (!rc)
        rc = conf_string (conf, "broker.status_endpoint", "ipc:///tmp/campaign-status.ipc",
                          &status_endpoint, err);
    if (!rc)
        rc = conf_int_range (conf, "campaign.weeks", 12, 1, 52, &self->weeks, err);
    if (!rc)
        rc = conf_int_range (conf, "sim.poll_ms", 150, 10, 10000, &self->poll_ms, err);
    if (!rc)
        rc = conf_int_range (conf, "sim.settle_timeout_ms", 600000, 100, 86400000,
                             &self->settle_timeout_ms, err);
    if (!rc)
        rc = conf_int_range (conf, "sim.in_flight", 16, 1, 1024, &self->in_flight, err);
    if (!rc)
        rc = conf_double_range (conf, "sim.targets.arr_goal", 400000.0, 0.0, 1e12,
                                &self->target_arr, err);
    if (!rc)
        rc = conf_double_range (conf, "sim.targets.conversion", 0.40, 0.0, 1.0,
                                &self->target_conversion, err);
    if (!rc)
        rc = conf_int_range (conf, "sim.targets.deals", 25, 1, 1000000, &self->target_deals,
                             err);
    if (!rc)
        rc = conf_double_range (conf, "sim.targets.investment", 60000.0, 0.0, 1e12,
                                &self->target_investment, err);
    if (!rc && !(self->campaign = strdup (campaign)))
        rc = err_set (err, ERR_NOMEM, "out of memory");
    if (!rc) {
        uint64_t state = options->seed;
        self->base = s_fnv (campaign, rng_splitmix (&state));
    }
    if (!rc)
        rc = client_new_from_conf (conf, "campaign-sim", &self->client, err);
    if (!rc)
        rc = clientpool_new_from_conf (conf, "campaign-sim", (size_t)self->in_flight,
                                       S_QUEUE_PER_CLIENT, &self->pool, err);

    /*  The data, all checked before anything is sent. */
    char path[4096];
    if (!rc) {
        snprintf (path, sizeof path, "%s/accounts.csv", self->data_dir);
        rc = records_load_accounts (path, &self->portfolio, err);
    }
    if (!rc) {
        snprintf (path, sizeof path, "%s/roster.csv", self->data_dir);
        rc = records_load_roster (path, &self->roster, err);
    }
    if (!rc) {
        snprintf (path, sizeof path, "%s/history.csv", self->data_dir);
        if (access (path, F_OK) == 0)
            rc = records_load_history (path, &self->history, err);
    }
    if (!rc) {
        snprintf (path, sizeof path, "%s/truth.csv", self->data_dir);
        rc = s_load_truth (self, path, err);
    }
    if (!rc) {
        self->n_accounts = self->portfolio->n_accounts;
        self->accounts =
            calloc (self->n_accounts ? self->n_accounts : 1, sizeof *self->accounts);
        if (!self->accounts)
            rc = err_set (err, ERR_NOMEM, "out of memory");
    }
    if (!rc) {
        memcpy (self->accounts, self->portfolio->accounts,
                self->n_accounts * sizeof *self->accounts);
        qsort (self->accounts, self->n_accounts, sizeof *self->accounts, s_compare_accounts);
        rc = s_sort_roster (self, err);
    }

    /*  Follow the handoffs from now on: events before the subscription are lost. */
    if (!rc) {
        self->sub = zsock_new (ZMQ_SUB);
        if (self->sub)
            curve_apply (client_curve (self->client), self->sub);
        if (!self->sub || zsock_connect (self->sub, "%s", status_endpoint) != 0)
            rc = err_set (err, ERR_INVALID, "broker.status_endpoint '%s': cannot connect",
                          status_endpoint);
    }
    if (!rc) {
        zsock_set_rcvhwm (self->sub, 1000000);
        zsock_set_subscribe (self->sub, "handoff.");
        *out = self;
        return 0;
    }
    sim_destroy (&self);
    return rc;
}

void
sim_destroy (sim_t **self_p)
{
    sim_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    clientpool_destroy (&self->pool); /* first: its callbacks update self */
    zsock_destroy (&self->sub);
    client_destroy (&self->client);
    if (self->portfolio)
        campaign__import_portfolio__free_unpacked (self->portfolio, NULL);
    if (self->roster)
        campaign__import_roster__free_unpacked (self->roster, NULL);
    if (self->history)
        campaign__import_history__free_unpacked (self->history, NULL);
    for (size_t i = 0; i < self->n_truth; i++)
        free (self->truth[i].account_id);
    free (self->truth);
    free (self->accounts);
    s_people_t *lists[] = {&self->csms,      &self->aes,     &self->leaders,
                           &self->marketing, &self->product, &self->operators};
    for (size_t r = 0; r < S_COUNT (lists); r++)
        free (lists[r]->ids);
    zhash_destroy (&self->handoffs);
    free (self->overrides);
    free (self->campaign);
    free (self->data_dir);
    free (self);
    *self_p = NULL;
}

/*  ---------------------------------------------------------------------------------
    Talking to the broker. */

static void s_progress (sim_t *self, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

static void
s_progress (sim_t *self, const char *fmt, ...)
{
    if (self->options.quiet)
        return;
    va_list ap;
    va_start (ap, fmt);
    vprintf (fmt, ap);
    va_end (ap);
    putchar ('\n');
    fflush (stdout);
}

/*  The message id of an action: the same seed, campaign and action give the same id, so
    the broker applies it once however often it is sent. */
static void
s_message_id (sim_t *self, const char *action, char *out)
{
    uint64_t state = s_fnv (action, self->base);
    uint64_t high = rng_splitmix (&state);
    uint64_t low = rng_splitmix (&state);
    snprintf (out, WIRE_ID_MAX + 1, "sim-%016" PRIx64 "%016" PRIx64, high, low);
}

/*  The envelope of a submission as person (sender holds 160 bytes). */
static void
s_envelope (sim_t *self, const char *person, const char *action,
            Campaign__Submission *submission, wire_out_t *out, char *sender)
{
    client_prepare (self->client, out);
    s_message_id (self, action, out->id);
    snprintf (sender, 160, "campaign-sim/%s", person);
    out->env.sender = sender;
    submission->person = (char *)person;
    out->env.body_case = CAMPAIGN__ENVELOPE__BODY_SUBMISSION;
    out->env.submission = submission;
}

/*  Count the broker's answer to action: 0 for an ack (or a duplicate of one),
    ERR_REJECTED with the broker's reason. */
static int
s_count (sim_t *self, const char *person, const char *action, const wire_envelope_t *reply,
         err_t *err)
{
    if (reply->body_case == CAMPAIGN__ENVELOPE__BODY_ACK) {
        if (reply->ack->has_duplicate && reply->ack->duplicate)
            self->duplicates++;
        else
            self->accepted++;
        return 0;
    }
    self->rejected++;
    return err_set (err, ERR_REJECTED, "%s (as %s) was rejected: %s", action, person,
                    reply->body_case == CAMPAIGN__ENVELOPE__BODY_REJECTION &&
                            reply->rejection->message
                        ? reply->rejection->message
                        : wire_body_name (reply->body_case));
}

/*  Wait until every submission in flight is answered: before anything that reads the
    broker's state or the counters, and before a submission that must go alone. 0, or
    the first hard error (ERR_UNREACHABLE) of any of them. */
static int
s_drain (sim_t *self, err_t *err)
{
    return clientpool_drain (self->pool, err);
}

/*  Send one submission as person, after everything in flight, and wait for it. 0 when
    acknowledged (or a duplicate of one), ERR_REJECTED with the broker's reason,
    ERR_UNREACHABLE. */
static int
s_submit (sim_t *self, const char *person, const char *action, Campaign__Submission *submission,
          err_t *err)
{
    int rc = s_drain (self, err);
    if (rc)
        return rc;
    wire_out_t out;
    char sender[160];
    s_envelope (self, person, action, submission, &out, sender);
    wire_envelope_t *reply = NULL;
    /*  client_submit sends a large import in parts, with ids derived from this one. */
    rc = client_submit (self->client, &out.env, NULL, NULL, &reply, err);
    if (!rc)
        rc = s_count (self, person, action, reply, err);
    wire_free (&reply);
    return rc;
}

/*  Same, for what one person may get wrong without stopping the campaign: a rejection is
    reported and the run goes on. */
static int
s_submit_soft (sim_t *self, const char *person, const char *action,
               Campaign__Submission *submission, err_t *err)
{
    int rc = s_submit (self, person, action, submission, err);
    if (rc == ERR_REJECTED) {
        fprintf (stderr, "campaign-sim: warning: %s\n", err->msg);
        return 1;
    }
    return rc;
}

/*  A submission in flight: what to count when the broker acknowledges it. */
typedef struct {
    sim_t *sim;
    unsigned *counted; /* one more when acknowledged (NULL: none) */
    unsigned *also;    /* a second figure (a note's feature request), or NULL */
    char person[64];
    char action[192];
} s_in_flight_t;

/*  The pool's answer (serialised under its lock, so the counters need no lock of their
    own; the week reads them after s_drain). A hard error is s_drain's to report. */
static void
s_answered (void *arg, int rc, const wire_envelope_t *reply, const err_t *err)
{
    (void)err;
    s_in_flight_t *in_flight = arg;
    err_t why;
    if (rc == 0 &&
        s_count (in_flight->sim, in_flight->person, in_flight->action, reply, &why) == 0) {
        if (in_flight->counted)
            (*in_flight->counted)++;
        if (in_flight->also)
            (*in_flight->also)++;
    } else if (rc == 0)
        fprintf (stderr, "campaign-sim: warning: %s\n", why.msg);
    free (in_flight);
}

/*  Queue a submission a person may get wrong without stopping the campaign (a rejection
    is reported as a warning when it comes back) among sim.in_flight in flight. key
    keeps the order of what is about one account: its submissions go one after another.
    counted and also (may be NULL) grow when it is acknowledged. 0 when queued, else the
    first hard error of the submissions before it. */
static int
s_submit_later (sim_t *self, const char *key, const char *person, const char *action,
                Campaign__Submission *submission, unsigned *counted, unsigned *also, err_t *err)
{
    s_in_flight_t *in_flight = calloc (1, sizeof *in_flight);
    if (!in_flight)
        return err_set (err, ERR_NOMEM, "out of memory");
    in_flight->sim = self;
    in_flight->counted = counted;
    in_flight->also = also;
    snprintf (in_flight->person, sizeof in_flight->person, "%s", person);
    snprintf (in_flight->action, sizeof in_flight->action, "%s", action);
    wire_out_t out;
    char sender[160];
    s_envelope (self, person, action, submission, &out, sender);
    int rc = clientpool_submit (self->pool, key, &out.env, s_answered, in_flight, err);
    if (rc)
        free (in_flight);
    return rc;
}

static int
s_snapshot (sim_t *self, wire_envelope_t **out, err_t *err)
{
    int rc = s_drain (self, err);
    return rc ? rc : client_snapshot (self->client, out, err);
}

/*  The pipeline, once what is in flight has been applied. */
static int
s_pipeline (sim_t *self, client_pipeline_t *out, err_t *err)
{
    int rc = s_drain (self, err);
    return rc ? rc : client_pipeline (self->client, NULL, NULL, out, err);
}

static void
s_handoff_event (sim_t *self, const Campaign__Handoff *handoff)
{
    if (!handoff->handoff_id || !*handoff->handoff_id)
        return;
    s_handoff_t *known = zhash_lookup (self->handoffs, handoff->handoff_id);
    bool acked = handoff->acked_by && *handoff->acked_by;
    if (known) {
        known->acked |= acked;
        return;
    }
    known = calloc (1, sizeof *known);
    if (!known)
        return;
    known->id = strdup (handoff->handoff_id);
    known->team = strdup (handoff->team ? handoff->team : "");
    known->ae = strdup (handoff->ae ? handoff->ae : "");
    known->subject = zsys_sprintf ("%s/%s/%s/%s", handoff->kind ? handoff->kind : "",
                                   handoff->team ? handoff->team : "",
                                   handoff->opportunity_id ? handoff->opportunity_id : "",
                                   handoff->account_id ? handoff->account_id : "");
    known->acked = acked;
    if (!known->id || !known->team || !known->ae || !known->subject ||
        zhash_insert (self->handoffs, known->id, known) != 0) {
        s_handoff_free (known);
        return;
    }
    zhash_freefn (self->handoffs, known->id, s_handoff_free);
    self->handoffs_seen++;
}

/*  Take in the status events that arrive within timeout_ms (this is the wait between two
    polls: it returns early only when the time is up, never spins). */
static void
s_listen (sim_t *self, int64_t timeout_ms)
{
    int64_t deadline = zclock_mono () + timeout_ms;
    for (int64_t left = timeout_ms; left > 0; left = deadline - zclock_mono ()) {
        zmq_pollitem_t item = {zsock_resolve (self->sub), 0, ZMQ_POLLIN, 0};
        if (zmq_poll (&item, 1, (long)left) <= 0)
            continue;
        zmsg_t *msg;
        while ((item.revents & ZMQ_POLLIN) && (msg = zmsg_recv_nowait (self->sub))) {
            zframe_t *frame = zmsg_size (msg) == 2 ? zmsg_last (msg) : NULL;
            wire_envelope_t *env = NULL;
            if (frame &&
                wire_unpack (zframe_data (frame), zframe_size (frame), WIRE_MAX_BYTES, &env,
                             NULL) == 0 &&
                env->body_case == CAMPAIGN__ENVELOPE__BODY_STATUS_EVENT &&
                env->status_event->handoff)
                s_handoff_event (self, env->status_event->handoff);
            wire_free (&env);
            zmsg_destroy (&msg);
        }
    }
}

/*  Wait (bounded by sim.settle_timeout_ms) until no task is queued or leased; *out is the
    snapshot that showed it (owned by the caller). */
static int
s_settle (sim_t *self, wire_envelope_t **out, err_t *err)
{
    int64_t start = zclock_mono ();
    for (;;) {
        wire_envelope_t *reply = NULL;
        int rc = s_snapshot (self, &reply, err);
        if (rc)
            return rc;
        const Campaign__Snapshot *snap = reply->snapshot;
        if (!snap->tasks || (snap->tasks->queued == 0 && snap->tasks->leased == 0)) {
            *out = reply;
            return 0;
        }
        if (signals_stop_requested ()) {
            err_set (err, ERR_STATE, "week %u: interrupted", snap->week);
            wire_free (&reply);
            return ERR_STATE;
        }
        if (zclock_mono () - start > self->settle_timeout_ms) {
            err_set (err, ERR_TIMEOUT,
                     "week %u (%s): the agents' tasks did not settle within %" PRId64
                     " ms (%" PRIu64 " queued, %" PRIu64 " leased); is every agent kind "
                     "running? (sim.settle_timeout_ms)",
                     snap->week, snap->activity ? snap->activity : "?", self->settle_timeout_ms,
                     snap->tasks->queued, snap->tasks->leased);
            wire_free (&reply);
            return ERR_TIMEOUT;
        }
        wire_free (&reply);
        s_listen (self, self->poll_ms);
    }
}

/*  ---------------------------------------------------------------------------------
    The people. */

static const char *
s_first_of (const s_people_t *people, const char *fallback)
{
    return people->n ? people->ids[0] : fallback;
}

/*  Who works an opportunity: its assignee, else the account's CSM, else a CSM. */
static const char *
s_csm_of (sim_t *self, const Campaign__Opportunity *opportunity)
{
    if (opportunity->csm && *opportunity->csm)
        return opportunity->csm;
    const Campaign__Account *account = s_account (self, opportunity->account_id);
    if (account && account->csm && *account->csm)
        return account->csm;
    return s_first_of (&self->csms, s_first_of (&self->leaders, "csm"));
}

static bool
s_is_closed (const Campaign__Opportunity *opportunity)
{
    return opportunity->stage && strncmp (opportunity->stage, "closed", 6) == 0;
}

/*  Position of a stage on the way to a decision: -1 before discovery, 0 discovery,
    1 evaluation (demo, trial, pilot), 2 proposal, 3 negotiation. */
static int
s_stage_rank (const char *stage)
{
    static const char *const ranks[][3] = {{"discovery", NULL, NULL},
                                           {"demo", "trial", "pilot"},
                                           {"proposal", NULL, NULL},
                                           {"negotiation", NULL, NULL}};
    for (int r = 0; stage && r < 4; r++)
        for (int i = 0; i < 3 && ranks[r][i]; i++)
            if (strcmp (stage, ranks[r][i]) == 0)
                return r;
    return -1;
}

static int
s_import (sim_t *self, err_t *err)
{
    const char *operator_id =
        s_first_of (&self->operators, s_first_of (&self->leaders, "operator"));
    Campaign__Submission submission = CAMPAIGN__SUBMISSION__INIT;
    submission.kind_case = CAMPAIGN__SUBMISSION__KIND_IMPORT_ROSTER;
    submission.import_roster = self->roster;
    int rc = s_submit (self, operator_id, "import-roster", &submission, err);
    if (!rc && self->history) {
        submission.kind_case = CAMPAIGN__SUBMISSION__KIND_IMPORT_HISTORY;
        submission.import_history = self->history;
        rc = s_submit (self, operator_id, "import-history", &submission, err);
    }
    if (!rc) {
        submission.kind_case = CAMPAIGN__SUBMISSION__KIND_IMPORT_PORTFOLIO;
        submission.import_portfolio = self->portfolio;
        rc = s_submit (self, operator_id, "import-portfolio", &submission, err);
    }
    if (!rc)
        s_progress (self, "week 1: %s imported %zu people, %zu history records, %zu accounts",
                    operator_id, self->roster->n_people,
                    self->history ? self->history->n_records : 0, self->n_accounts);
    return rc;
}

static double
s_round_to (double value, double unit)
{
    double rounded = floor (value / unit + 0.5) * unit;
    return rounded < unit ? unit : rounded;
}

/*  Leadership's targets, scaled from the seed's figures by the portfolio's size. */
static int
s_targets (sim_t *self, err_t *err)
{
    double scale = (double)self->n_accounts / 1500.0;
    Campaign__Targets targets = CAMPAIGN__TARGETS__INIT;
    targets.has_arr_goal = targets.has_conversion = targets.has_deals = 1;
    targets.has_investment = 1;
    targets.arr_goal = s_round_to (self->target_arr * scale, 1000.0);
    targets.conversion = self->target_conversion;
    double deals = floor ((double)self->target_deals * scale + 0.5);
    targets.deals = deals < 1 ? 1 : (uint32_t)deals;
    targets.investment = s_round_to (self->target_investment * scale, 1000.0);
    Campaign__Submission submission = CAMPAIGN__SUBMISSION__INIT;
    submission.kind_case = CAMPAIGN__SUBMISSION__KIND_TARGETS;
    submission.targets = &targets;
    const char *leader = self->leaders.ids[0];
    self->targets_sent = true;
    int rc = s_submit_soft (self, leader, "targets", &submission, err);
    if (rc == 0)
        s_progress (self,
                    "%s set targets: ARR $%.0f, conversion %.0f%%, %u deals, investment $%.0f",
                    leader, targets.arr_goal, targets.conversion * 100, targets.deals,
                    targets.investment);
    return rc < 0 ? rc : 0;
}

/*  One account a CSM calls: the open opportunity with the best true chance speaks. */
typedef struct {
    const char *account_id;
    const char *csm;
    const char *type;
    double p;
} s_call_t;

static int
s_compare_calls (const void *a, const void *b)
{
    const s_call_t *x = a, *y = b;
    int c = strcmp (x->account_id, y->account_id);
    if (c)
        return c;
    return x->p > y->p ? -1 : x->p < y->p ? 1 : strcmp (x->type, y->type);
}

static double
s_true_p (sim_t *self, const Campaign__Opportunity *opportunity)
{
    int play = s_play_index (opportunity->type);
    const s_truth_t *truth = s_truth (self, opportunity->account_id);
    if (truth && play >= 0)
        return truth->p[play];
    return opportunity->has_propensity ? opportunity->propensity / 100.0 : 0.1;
}

static int
s_note (sim_t *self, const s_call_t *call, err_t *err)
{
    rng_t rng;
    s_stream (self, &rng, "note", call->account_id);
    double p = call->p;
    Campaign__Note note = CAMPAIGN__NOTE__INIT;
    note.account_id = (char *)call->account_id;
    double u = rng_unit (&rng);
    note.budget = u < 0.15 + 0.7 * p ? "yes" : rng_unit (&rng) < 0.5 ? "no" : "unknown";
    u = rng_unit (&rng);
    note.authority = u < 0.25 + 0.65 * p ? "yes" : rng_unit (&rng) < 0.5 ? "no" : "unknown";
    u = rng_unit (&rng);
    note.need = u < p                    ? "high"
                : u < p + (1 - p) * 0.40 ? "medium"
                : u < p + (1 - p) * 0.75 ? "low"
                                         : "none";
    note.timing = rng_unit (&rng) < p
                      ? (char *)s_timing_soon[s_rng_pick (&rng, S_COUNT (s_timing_soon))]
                      : (char *)s_timing_later[s_rng_pick (&rng, S_COUNT (s_timing_later))];
    char *request = NULL;
    if (rng_unit (&rng) < 0.12) {
        request = (char *)s_feature_requests[s_rng_pick (&rng, S_COUNT (s_feature_requests))];
        note.feature_requests = &request;
        note.n_feature_requests = 1;
    }
    char text[256];
    snprintf (text, sizeof text,
              "discovery call about the %s play: need %s, budget %s, "
              "authority %s, timing %s",
              call->type, note.need, note.budget, note.authority, note.timing);
    note.text = text;
    Campaign__Submission submission = CAMPAIGN__SUBMISSION__INIT;
    submission.kind_case = CAMPAIGN__SUBMISSION__KIND_NOTE;
    submission.note = &note;
    char action[256];
    snprintf (action, sizeof action, "note %s", call->account_id);
    return s_submit_later (self, call->account_id, call->csm, action, &submission, &self->notes,
                           request ? &self->feature_requests : NULL, err);
}

static int
s_stage (sim_t *self, const char *person, const Campaign__Opportunity *opportunity,
         const char *stage, err_t *err)
{
    Campaign__StageChange change = CAMPAIGN__STAGE_CHANGE__INIT;
    change.opportunity_id = opportunity->opportunity_id;
    change.stage = (char *)stage;
    Campaign__Submission submission = CAMPAIGN__SUBMISSION__INIT;
    submission.kind_case = CAMPAIGN__SUBMISSION__KIND_STAGE;
    submission.stage = &change;
    char action[256];
    snprintf (action, sizeof action, "stage %s %s", opportunity->opportunity_id, stage);
    return s_submit_later (self, opportunity->account_id, person, action, &submission,
                           &self->stages, NULL, err);
}

/*  Weeks 3-4: every account with an open opportunity gets a discovery call, half of
    them (drawn per account) in week 3 and the rest in week 4; its qualified deals move
    to discovery. */
static int
s_discovery (sim_t *self, uint32_t week, err_t *err)
{
    client_pipeline_t pipeline;
    int rc = s_pipeline (self, &pipeline, err);
    if (rc)
        return rc;
    s_call_t *calls = calloc (pipeline.n ? pipeline.n : 1, sizeof *calls);
    if (!calls) {
        client_pipeline_free (&pipeline);
        return err_set (err, ERR_NOMEM, "out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < pipeline.n; i++) {
        const Campaign__Opportunity *o = pipeline.items[i];
        if (s_is_closed (o))
            continue;
        calls[n++] = (s_call_t){o->account_id, s_csm_of (self, o), o->type ? o->type : "?",
                                s_true_p (self, o)};
    }
    if (n)
        qsort (calls, n, sizeof *calls, s_compare_calls);
    bool everyone = week >= 4 && !self->noted_early;
    unsigned before_notes = self->notes, before_stages = self->stages;
    for (size_t i = 0; !rc && i < n; i++) {
        if (i > 0 && strcmp (calls[i].account_id, calls[i - 1].account_id) == 0)
            continue;
        rng_t rng;
        s_stream (self, &rng, "note-week", calls[i].account_id);
        bool early = rng_unit (&rng) < 0.5;
        if (early != (week <= 3) && !everyone)
            continue;
        rc = s_note (self, &calls[i], err);
    }
    /*  The account's qualified deals move to discovery once it was called. */
    for (size_t i = 0; rc >= 0 && i < pipeline.n; i++) {
        const Campaign__Opportunity *o = pipeline.items[i];
        if (!o->qualified || s_is_closed (o) || s_stage_rank (o->stage) >= 0)
            continue;
        rng_t rng;
        s_stream (self, &rng, "note-week", o->account_id);
        bool early = rng_unit (&rng) < 0.5;
        if (early != (week <= 3) && !everyone)
            continue;
        rc = s_stage (self, s_csm_of (self, o), o, "discovery", err);
    }
    if (week <= 3)
        self->noted_early = true;
    free (calls);
    client_pipeline_free (&pipeline);
    if (rc >= 0)
        rc = s_drain (self, err); /* the figures below count what was acknowledged */
    s_progress (self,
                "week %u: CSMs sent %u discovery notes (%u feature requests so far), "
                "%u deals into discovery",
                week, self->notes - before_notes, self->feature_requests,
                self->stages - before_stages);
    return rc < 0 ? rc : 0;
}

static int
s_outcome (sim_t *self, const char *person, const Campaign__Opportunity *opportunity,
           const char *today, rng_t *rng, err_t *err)
{
    double p = s_true_p (self, opportunity);
    bool won = rng_unit (rng) < p;
    double share = 0.6 + 0.4 * rng_unit (rng);
    double potential = opportunity->potential_arr;
    if (potential <= 0) {
        const s_truth_t *truth = s_truth (self, opportunity->account_id);
        int play = s_play_index (opportunity->type);
        potential = truth && play >= 0 && truth->arr[play] > 0 ? truth->arr[play] : 10000.0;
    }
    Campaign__Outcome outcome = CAMPAIGN__OUTCOME__INIT;
    outcome.opportunity_id = opportunity->opportunity_id;
    outcome.has_won = 1;
    outcome.won = won;
    if (won) {
        outcome.has_amount = 1;
        outcome.amount = s_round_to (potential * share, 10.0);
    }
    outcome.date = (char *)today;
    outcome.reason = won ? (char *)s_won_reasons[s_rng_pick (rng, S_COUNT (s_won_reasons))]
                         : (char *)s_lost_reasons[s_rng_pick (rng, S_COUNT (s_lost_reasons))];
    Campaign__Submission submission = CAMPAIGN__SUBMISSION__INIT;
    submission.kind_case = CAMPAIGN__SUBMISSION__KIND_OUTCOME;
    submission.outcome = &outcome;
    char action[256];
    snprintf (action, sizeof action, "outcome %s", opportunity->opportunity_id);
    return s_submit_later (self, opportunity->account_id, person, action, &submission,
                           &self->outcomes, NULL, err);
}

/*  Weeks 5-10: each qualified deal follows its play's timeline from the day it opened:
    evaluation after 35 % of its cycle, proposal after 60 %, negotiation after 80 %, the
    decision when the cycle is over. */
static int
s_deals (sim_t *self, const Campaign__Snapshot *snap, err_t *err)
{
    int32_t today;
    if (!snap->date || date_parse (snap->date, &today))
        return err_set (err, ERR_STATE, "week %u: the snapshot has no campaign date",
                        snap->week);
    client_pipeline_t pipeline;
    int rc = s_pipeline (self, &pipeline, err);
    if (rc)
        return rc;
    unsigned before_stages = self->stages, before_outcomes = self->outcomes;
    for (size_t i = 0; rc >= 0 && i < pipeline.n; i++) {
        const Campaign__Opportunity *o = pipeline.items[i];
        if (!o->qualified || s_is_closed (o))
            continue;
        int play = s_play_index (o->type);
        int cycle_lo = s_cycle_days[play < 0 ? 2 : play][0];
        int cycle_hi = s_cycle_days[play < 0 ? 2 : play][1];
        rng_t rng;
        s_stream (self, &rng, "deal", o->opportunity_id);
        int cycle = cycle_lo + (int)s_rng_pick (&rng, (size_t)(cycle_hi - cycle_lo + 1));
        int32_t opened;
        if (!o->opened || date_parse (o->opened, &opened))
            opened = today;
        const char *csm = s_csm_of (self, o);
        const char *closer = o->ae && *o->ae ? o->ae : csm;
        double elapsed = (double)(today - opened) / cycle;
        if (elapsed >= 1.0) {
            rc = s_outcome (self, closer, o, snap->date, &rng, err);
            continue;
        }
        int target = elapsed >= 0.8 ? 3 : elapsed >= 0.6 ? 2 : elapsed >= 0.35 ? 1 : 0;
        if (target <= s_stage_rank (o->stage))
            continue;
        const char *stage = target == 3   ? "negotiation"
                            : target == 2 ? "proposal"
                            : target == 1 ? s_evaluation_stage[play < 0 ? 2 : play]
                                          : "discovery";
        rc = s_stage (self, target >= 2 ? closer : csm, o, stage, err);
    }
    client_pipeline_free (&pipeline);
    if (rc >= 0)
        rc = s_drain (self, err); /* the figures below count what was acknowledged */
    s_progress (self, "week %u (%s): %u stage changes, %u outcomes", snap->week, snap->date,
                self->stages - before_stages, self->outcomes - before_outcomes);
    return rc < 0 ? rc : 0;
}

/*  Closed deals by play, from the broker's pipeline. */
static int
s_tally (sim_t *self, err_t *err)
{
    client_pipeline_t pipeline;
    int rc = s_pipeline (self, &pipeline, err);
    if (rc)
        return rc;
    memset (self->plays, 0, sizeof self->plays);
    for (size_t i = 0; i < pipeline.n; i++) {
        const Campaign__Opportunity *o = pipeline.items[i];
        int play = s_play_index (o->type);
        s_play_stats_t *stats = &self->plays[play < 0 ? S_PLAYS : play];
        if (o->stage && strcmp (o->stage, "closed-won") == 0) {
            stats->won++;
            stats->arr += o->amount;
        } else if (o->stage && strcmp (o->stage, "closed-lost") == 0)
            stats->lost++;
        else if (o->qualified)
            stats->open++;
    }
    client_pipeline_free (&pipeline);
    return 0;
}

static double
s_win_rate (const s_play_stats_t *stats)
{
    unsigned closed = stats->won + stats->lost;
    return closed ? (double)stats->won / closed : -1.0;
}

static int
s_retro_one (sim_t *self, const char *person, const char *kind, const char *text, err_t *err)
{
    Campaign__Retro retro = CAMPAIGN__RETRO__INIT;
    retro.kind = (char *)kind;
    retro.text = (char *)text;
    Campaign__Submission submission = CAMPAIGN__SUBMISSION__INIT;
    submission.kind_case = CAMPAIGN__SUBMISSION__KIND_RETRO;
    submission.retro = &retro;
    char action[256];
    snprintf (action, sizeof action, "retro %s %s", person, kind);
    int rc = s_submit_soft (self, person, action, &submission, err);
    self->retros += rc == 0;
    return rc < 0 ? rc : 0;
}

/*  Week 11: what worked and what did not, from the best and the worst play by win rate. */
static int
s_retrospective (sim_t *self, err_t *err)
{
    int rc = s_tally (self, err);
    if (rc)
        return rc;
    int best = -1, worst = -1;
    for (int play = 0; play < S_PLAYS; play++) {
        double rate = s_win_rate (&self->plays[play]);
        if (rate < 0)
            continue;
        if (best < 0 || rate > s_win_rate (&self->plays[best]))
            best = play;
        if (worst < 0 || rate < s_win_rate (&self->plays[worst]))
            worst = play;
    }
    const char *leader = self->leaders.ids[0];
    char text[512];
    if (best < 0) {
        rc = s_retro_one (
            self, leader, "didnt",
            "no deal closed within the campaign: cycles were longer than 12 weeks", err);
    } else {
        const s_play_stats_t *b = &self->plays[best], *w = &self->plays[worst];
        snprintf (text, sizeof text,
                  "the %s play won %u of %u closed deals (%.0f%%), $%.0f ARR",
                  s_play_names[best], b->won, b->won + b->lost, 100 * s_win_rate (b), b->arr);
        rc = s_retro_one (self, leader, "worked", text, err);
        snprintf (text, sizeof text, "the %s play won only %u of %u closed deals (%.0f%%)",
                  s_play_names[worst], w->won, w->won + w->lost, 100 * s_win_rate (w));
        if (!rc)
            rc = s_retro_one (self, leader, "didnt", text, err);
    }
    const char *best_name = best < 0 ? "seat" : s_play_names[best];
    const char *worst_name = worst < 0 ? "cross-sell" : s_play_names[worst];
    static const char *const kinds[] = {"continue", "start", "stop"};
    for (size_t i = 0; !rc && i < self->csms.n && i < S_COUNT (kinds); i++) {
        if (i == 0)
            snprintf (text, sizeof text, "leading with the %s play on healthy accounts",
                      best_name);
        else if (i == 1)
            snprintf (text, sizeof text,
                      "qualifying %s deals with an executive sponsor before the first demo",
                      worst_name);
        else
            snprintf (text, sizeof text,
                      "carrying %s deals past their expected close date without a next step",
                      worst_name);
        rc = s_retro_one (self, self->csms.ids[i], kinds[i], text, err);
    }
    s_progress (self, "week 11: %u retrospective inputs from leadership and CSMs",
                self->retros);
    return rc;
}

static int
s_compare_handoffs (const void *a, const void *b)
{
    const s_handoff_t *x = *(s_handoff_t *const *)a, *y = *(s_handoff_t *const *)b;
    unsigned long long nx = strtoull (x->id + (x->id[0] == 'H'), NULL, 10);
    unsigned long long ny = strtoull (y->id + (y->id[0] == 'H'), NULL, 10);
    return nx < ny ? -1 : nx > ny ? 1 : strcmp (x->id, y->id);
}

static uint64_t
s_open_handoffs (const Campaign__Snapshot *snap)
{
    uint64_t open = 0;
    for (size_t i = 0; i < snap->n_handoffs; i++)
        open += snap->handoffs[i]->count;
    return open;
}

/*  The person of the handoff's team who takes it: the deal's AE for Sales, else one of
    the team drawn per handoff, else leadership. */
static const char *
s_handoff_owner (sim_t *self, const s_handoff_t *handoff)
{
    const s_people_t *team = strcmp (handoff->team, "sales") == 0       ? &self->aes
                             : strcmp (handoff->team, "marketing") == 0 ? &self->marketing
                             : strcmp (handoff->team, "product") == 0   ? &self->product
                                                                        : &self->leaders;
    if (team == &self->aes && *handoff->ae)
        return handoff->ae;
    if (!team->n)
        team = &self->leaders;
    /*  Drawn by subject, not by id: the broker numbers handoffs in the order it applies
        the submissions that open them, which differs between runs when several are in
        flight. */
    rng_t rng;
    s_stream (self, &rng, "handoff-owner", handoff->subject);
    return team->ids[s_rng_pick (&rng, team->n)];
}

/*  Acknowledge every open handoff the status topic announced, in handoff order. First
    wait (briefly, bounded) until the events of what the snapshot counts have arrived. */
static int
s_ack_handoffs (sim_t *self, err_t *err)
{
    for (int tries = 0; tries < 10; tries++) {
        wire_envelope_t *reply = NULL;
        int rc = s_snapshot (self, &reply, err);
        if (rc)
            return rc;
        uint64_t open = s_open_handoffs (reply->snapshot);
        wire_free (&reply);
        uint64_t known = 0;
        for (s_handoff_t *h = zhash_first (self->handoffs); h; h = zhash_next (self->handoffs))
            known += !h->acked;
        if (known >= open)
            break;
        s_listen (self, self->poll_ms);
    }
    size_t n = 0;
    s_handoff_t **pending = calloc (zhash_size (self->handoffs) + 1, sizeof *pending);
    if (!pending)
        return err_set (err, ERR_NOMEM, "out of memory");
    for (s_handoff_t *h = zhash_first (self->handoffs); h; h = zhash_next (self->handoffs))
        if (!h->acked)
            pending[n++] = h;
    if (n)
        qsort (pending, n, sizeof *pending, s_compare_handoffs);
    int rc = 0;
    unsigned before = self->handoffs_acked;
    for (size_t i = 0; !rc && i < n; i++) {
        Campaign__AckHandoff ack = CAMPAIGN__ACK_HANDOFF__INIT;
        ack.handoff_id = pending[i]->id;
        Campaign__Submission submission = CAMPAIGN__SUBMISSION__INIT;
        submission.kind_case = CAMPAIGN__SUBMISSION__KIND_ACK_HANDOFF;
        submission.ack_handoff = &ack;
        char action[128];
        snprintf (action, sizeof action, "ack-handoff %s", pending[i]->id);
        rc = s_submit_later (self, pending[i]->id, s_handoff_owner (self, pending[i]), action,
                             &submission, &self->handoffs_acked, NULL, err);
        pending[i]->acked = true; /* taken care of, or refused: not asked again */
    }
    free (pending);
    if (!rc)
        rc = s_drain (self, err);
    if (!rc && self->handoffs_acked > before)
        s_progress (self, "handoffs: %u acknowledged by Sales, Marketing and Product",
                    self->handoffs_acked - before);
    return rc;
}

static bool
s_failing (const Campaign__Snapshot *snap, const char *criterion)
{
    for (size_t i = 0; i < snap->n_gate; i++)
        if (snap->gate[i]->name && strcmp (snap->gate[i]->name, criterion) == 0)
            return !snap->gate[i]->met;
    return false;
}

/*  A held gate: leadership gives what only people know (targets, investment); if the
    gate still holds once the agents are done, nobody can do more, and leadership
    overrides it naming the criteria that fail. *snap_p is replaced by a fresh snapshot. */
static int
s_clear_hold (sim_t *self, wire_envelope_t **snap_p, err_t *err)
{
    const Campaign__Snapshot *snap = (*snap_p)->snapshot;
    if (!snap->held)
        return 0;
    int rc = 0;
    if ((s_failing (snap, "targets_set") || s_failing (snap, "investment_set")) &&
        !self->targets_sent) {
        rc = s_targets (self, err);
        if (!rc) {
            wire_free (snap_p);
            rc = s_settle (self, snap_p, err);
        }
        if (rc)
            return rc;
        snap = (*snap_p)->snapshot;
        if (!snap->held)
            return 0;
    }
    char failing[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < snap->n_gate && used < sizeof failing; i++)
        if (!snap->gate[i]->met)
            used += snprintf (failing + used, sizeof failing - used, "%s%s", used ? ", " : "",
                              snap->gate[i]->name);
    const char *into = snap->next_activity && *snap->next_activity ? snap->next_activity : "?";
    char reason[1024];
    snprintf (reason, sizeof reason,
              "held at the gate into %s in week %u with nothing people can supply; failing: %s",
              into, snap->week, *failing ? failing : "(none reported)");
    Campaign__OverrideGate override = CAMPAIGN__OVERRIDE_GATE__INIT;
    override.reason = reason;
    Campaign__Submission submission = CAMPAIGN__SUBMISSION__INIT;
    submission.kind_case = CAMPAIGN__SUBMISSION__KIND_OVERRIDE_GATE;
    submission.override_gate = &override;
    char action[256];
    snprintf (action, sizeof action, "override-gate %s %s", into, snap->date);
    const char *leader = self->leaders.ids[0];
    fprintf (stderr, "campaign-sim: week %u: %s overrides the gate into %s (failing: %s)\n",
             snap->week, leader, into, failing);
    rc = s_submit (self, leader, action, &submission, err);
    if (!rc) {
        wire_free (snap_p);
        rc = s_settle (self, snap_p, err);
    }
    if (!rc && (*snap_p)->snapshot->held)
        rc = err_set (err, ERR_STATE, "week %u: the gate into %s still holds after an override",
                      (*snap_p)->snapshot->week, into);
    return rc;
}

/*  The people's work of one week. */
static int
s_play_week (sim_t *self, const Campaign__Snapshot *snap, err_t *err)
{
    uint32_t week = snap->week;
    if (week <= 1)
        return s_import (self, err);
    if (week == 2)
        return self->targets_sent ? 0 : s_targets (self, err);
    if (week <= 4)
        return s_discovery (self, week, err);
    if (week <= 10)
        return s_deals (self, snap, err);
    /*  The team's input goes in during the performance analysis (week 11), so the
        retrospective that runs when week 12 begins has it. */
    if (week == (uint32_t)self->weeks - 1 && !self->retros)
        return s_retrospective (self, err);
    return 0;
}

static int
s_advance (sim_t *self, const Campaign__Snapshot *snap, err_t *err)
{
    Campaign__Advance advance = CAMPAIGN__ADVANCE__INIT;
    advance.has_days = 1;
    advance.days = 7;
    Campaign__Submission submission = CAMPAIGN__SUBMISSION__INIT;
    submission.kind_case = CAMPAIGN__SUBMISSION__KIND_ADVANCE;
    submission.advance = &advance;
    char action[128];
    snprintf (action, sizeof action, "advance %s", snap->date ? snap->date : "?");
    const char *operator_id = s_first_of (&self->operators, self->leaders.ids[0]);
    int rc = s_submit (self, operator_id, action, &submission, err);
    if (rc == ERR_REJECTED)
        err_prefix (err, "week %u: the clock did not move: ", snap->week);
    return rc;
}

/*  The figures the summary shows, read back from the broker. */
static int
s_finish (sim_t *self, const Campaign__Snapshot *snap, err_t *err)
{
    int rc = s_tally (self, err);
    if (rc)
        return rc;
    snprintf (self->final_position, sizeof self->final_position, "week %u, %s / %s, %s%s",
              snap->week, snap->phase ? snap->phase : "?",
              snap->activity ? snap->activity : "?", snap->date ? snap->date : "?",
              snap->held ? " (held)" : "");
    char buffer[4096] = "";
    size_t used = 0;
    self->overridden = 0;
    for (size_t i = 0; i < snap->n_gates && used < sizeof buffer; i++) {
        const Campaign__GateRecord *gate = snap->gates[i];
        if (!gate->override_by || !*gate->override_by)
            continue;
        self->overridden++;
        used += snprintf (buffer + used, sizeof buffer - used,
                          "%s%s (by %s, failing:", used ? "; " : "", gate->activity,
                          gate->override_by);
        for (size_t f = 0; f < gate->n_failed && used < sizeof buffer; f++)
            used += snprintf (buffer + used, sizeof buffer - used, "%s %s", f ? "," : "",
                              gate->failed[f]);
        if (used < sizeof buffer)
            used += snprintf (buffer + used, sizeof buffer - used, ")");
    }
    free (self->overrides);
    self->overrides = used ? strdup (buffer) : NULL;
    self->finished = true;
    return 0;
}

int
sim_run (sim_t *self, err_t *err)
{
    wire_envelope_t *snap = NULL;
    int rc = 0;
    bool done = false;
    /*  Bounded: a week per turn, plus room for holds. */
    for (int turn = 0; !rc && !done && turn < 4 * self->weeks; turn++) {
        wire_free (&snap);
        rc = s_settle (self, &snap, err);
        if (!rc)
            rc = s_clear_hold (self, &snap, err);
        if (!rc)
            rc = s_play_week (self, snap->snapshot, err);
        if (!rc) {
            wire_free (&snap);
            rc = s_settle (self, &snap, err);
        }
        if (!rc)
            rc = s_ack_handoffs (self, err);
        if (!rc && snap->snapshot->week >= (uint32_t)self->weeks)
            done = true;
        else if (!rc)
            rc = s_advance (self, snap->snapshot, err);
    }
    if (!rc && !done)
        rc = err_set (err, ERR_STATE,
                      "the campaign did not reach week %" PRId64 " (it is in week %u)",
                      self->weeks, snap ? snap->snapshot->week : 0);
    if (!rc) {
        wire_free (&snap);
        rc = s_settle (self, &snap, err);
    }
    if (!rc)
        rc = s_finish (self, snap->snapshot, err);
    if (!rc && snap->snapshot->held)
        rc = err_set (err, ERR_STATE, "week %u: the campaign ends held at the gate into %s",
                      snap->snapshot->week, snap->snapshot->next_activity);
    wire_free (&snap);
    return rc;
}

void
sim_print_summary (sim_t *self, FILE *out)
{
    fprintf (out, "campaign-sim summary: campaign %s, seed %" PRIu64 ", %zu accounts\n",
             self->campaign, self->options.seed, self->n_accounts);
    if (!self->finished) {
        fprintf (out, "  (the campaign was not completed)\n");
        return;
    }
    s_play_stats_t total = {0, 0, 0, 0.0};
    for (int play = 0; play <= S_PLAYS; play++) {
        total.won += self->plays[play].won;
        total.lost += self->plays[play].lost;
        total.open += self->plays[play].open;
        total.arr += self->plays[play].arr;
    }
    fprintf (out, "  final position     %s\n", self->final_position);
    fprintf (out, "  ARR won            $%.0f\n", total.arr);
    double rate = s_win_rate (&total);
    fprintf (out, "  deals              %u won, %u lost, %u still open; win rate %.1f%%\n",
             total.won, total.lost, total.open, rate < 0 ? 0.0 : 100 * rate);
    for (int play = 0; play <= S_PLAYS; play++) {
        const s_play_stats_t *stats = &self->plays[play];
        if (play == S_PLAYS && !stats->won && !stats->lost && !stats->open)
            continue;
        double play_rate = s_win_rate (stats);
        char rate_text[32];
        if (play_rate < 0)
            snprintf (rate_text, sizeof rate_text, "-");
        else
            snprintf (rate_text, sizeof rate_text, "%.1f%%", 100 * play_rate);
        fprintf (out, "  %-10s         %4u won %4u lost %4u open  win rate %6s  $%.0f\n",
                 play < S_PLAYS ? s_play_names[play] : "other", stats->won, stats->lost,
                 stats->open, rate_text, stats->arr);
    }
    fprintf (out, "  handoffs           %zu opened, %u acknowledged\n", self->handoffs_seen,
             self->handoffs_acked);
    fprintf (out, "  gates overridden   %u%s%s\n", self->overridden,
             self->overrides ? ": " : "", self->overrides ? self->overrides : "");
    fprintf (out,
             "  people's input     %u notes (%u feature requests), %u stage changes, "
             "%u outcomes, %u retrospective inputs\n",
             self->notes, self->feature_requests, self->stages, self->outcomes, self->retros);
    fprintf (out, "  submissions        %u accepted, %u duplicates, %u rejected\n",
             self->accepted, self->duplicates, self->rejected);
    fflush (out);
}

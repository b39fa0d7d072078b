/*  client.c: Lazy Pirate requests from tools to the broker (see client.h). */
#include "client.h"

#include <string.h>

struct _client_t {
    char *endpoint;
    char *campaign;
    char *sender;
    int timeout_ms;
    int retries;
    size_t max_bytes;
    size_t part_records;
    curve_t *curve; /* NULL: plaintext */
    zsock_t *dealer;
};

client_t *
client_new (const char *endpoint, const char *campaign, const char *sender)
{
    client_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->endpoint = strdup (endpoint);
    self->campaign = strdup (campaign);
    self->sender = strdup (sender);
    self->timeout_ms = 5000;
    self->retries = 3;
    self->max_bytes = WIRE_MAX_BYTES;
    self->part_records = 10000;
    if (!self->endpoint || !self->campaign || !self->sender)
        client_destroy (&self);
    return self;
}

int
client_new_from_conf (conf_t *conf, const char *sender, client_t **out, err_t *err)
{
    const char *endpoint, *campaign;
    int64_t timeout_ms, retries, max_bytes, part_records;
    int rc =
        conf_string (conf, "broker.endpoint", "ipc:///tmp/campaign-broker.ipc", &endpoint, err);
    if (!rc)
        rc = conf_string (conf, "campaign.id", "campaign", &campaign, err);
    if (!rc)
        rc = conf_int_range (conf, "client.timeout_ms", 5000, 10, 3600000, &timeout_ms, err);
    if (!rc)
        rc = conf_int_range (conf, "client.retries", 3, 0, 1000, &retries, err);
    if (!rc)
        rc = conf_int_range (conf, "broker.max_message_bytes", WIRE_MAX_BYTES, 1024, INT32_MAX,
                             &max_bytes, err);
    if (!rc)
        rc = conf_int_range (conf, "client.import_part_records", 10000, 1, 10000000,
                             &part_records, err);
    curve_t *curve = NULL;
    if (!rc)
        rc = curve_from_conf (conf, NULL, &curve, err);
    if (rc)
        return rc;
    client_t *self = client_new (endpoint, campaign, sender);
    if (!self) {
        curve_destroy (&curve);
        return err_set (err, ERR_NOMEM, "out of memory");
    }
    self->curve = curve;
    client_set_timeout (self, (int)timeout_ms, (int)retries);
    self->max_bytes = (size_t)max_bytes;
    self->part_records = (size_t)part_records;
    *out = self;
    return 0;
}

void
client_destroy (client_t **self_p)
{
    if (self_p && *self_p) {
        client_t *self = *self_p;
        zsock_destroy (&self->dealer);
        curve_destroy (&self->curve);
        free (self->endpoint);
        free (self->campaign);
        free (self->sender);
        free (self);
        *self_p = NULL;
    }
}

void
client_set_timeout (client_t *self, int timeout_ms, int retries)
{
    self->timeout_ms = timeout_ms;
    self->retries = retries;
}

void
client_prepare (client_t *self, wire_out_t *out)
{
    wire_out_init (out, self->campaign, self->sender, NULL);
}

const char *
client_endpoint (client_t *self)
{
    return self->endpoint;
}

const curve_t *
client_curve (client_t *self)
{
    return self->curve;
}

const char *
client_campaign (client_t *self)
{
    return self->campaign;
}

static int
s_connect (client_t *self)
{
    zsock_destroy (&self->dealer);
    self->dealer = zsock_new (ZMQ_DEALER);
    if (!self->dealer)
        return ERR_NOMEM;
    zsock_set_linger (self->dealer, 0);
    /*  Replies larger than our limit are refused by libzmq rather than buffered. */
    zsock_set_maxmsgsize (self->dealer, (int64_t)self->max_bytes + 4096);
    curve_apply (self->curve, self->dealer);
    if (zsock_connect (self->dealer, "%s", self->endpoint) != 0) {
        zsock_destroy (&self->dealer);
        return ERR_INVALID;
    }
    return 0;
}

int
client_request (client_t *self, const wire_envelope_t *req, wire_envelope_t **reply, err_t *err)
{
    zframe_t *frame;
    int rc = wire_pack (req, &frame);
    if (rc)
        return err_set (err, rc, "out of memory packing the request");
    int tries = self->retries + 1;
    for (int attempt = 1; attempt <= tries; attempt++) {
        if (!self->dealer && (rc = s_connect (self)) != 0) {
            zframe_destroy (&frame);
            return err_set (err, ERR_UNREACHABLE, "cannot connect to broker endpoint '%s'",
                            self->endpoint);
        }
        zframe_t *copy = zframe_dup (frame);
        if (!copy || zframe_send (&copy, self->dealer, 0) != 0) {
            zframe_destroy (&copy);
            zsock_destroy (&self->dealer);
            continue;
        }
        int64_t deadline = zclock_mono () + self->timeout_ms;
        for (;;) {
            int64_t left = deadline - zclock_mono ();
            if (left <= 0)
                break;
            zmq_pollitem_t item = {zsock_resolve (self->dealer), 0, ZMQ_POLLIN, 0};
            if (zmq_poll (&item, 1, (long)left) < 0)
                break; /* interrupted */
            if (!(item.revents & ZMQ_POLLIN))
                continue;
            wire_envelope_t *answer = NULL;
            err_t ignore;
            if (wire_recv (self->dealer, false, self->max_bytes, NULL, &answer, &ignore) != 0)
                continue; /* unreadable answer: keep waiting for a good one */
            if (answer->correlation_id &&
                strcmp (answer->correlation_id, req->message_id) == 0) {
                zframe_destroy (&frame);
                *reply = answer;
                return 0;
            }
            wire_free (&answer); /* a late answer to an earlier request */
        }
        /*  Lazy Pirate: the socket may hold our request in a dead connection's queue;
            only a new socket guarantees the retry is really sent. */
        zsock_destroy (&self->dealer);
        if (zsys_interrupted)
            break;
    }
    zframe_destroy (&frame);
    /*  A CURVE broker drops a handshake it refuses without a word: say so. */
    return err_set (err, ERR_UNREACHABLE,
                    "broker at '%s' did not answer (%d tries, %d ms each); is it running%s?",
                    self->endpoint, tries, self->timeout_ms,
                    self->curve ? ", and is this certificate still allowed (not revoked)"
                                : ", and does it want a CURVE certificate (curve.certificate)");
}

void
client_set_part_records (client_t *self, size_t records)
{
    self->part_records = records ? records : 1;
}

/*  The import message of a submission, if it is one. */
static ProtobufCMessage *
s_import_of (Campaign__Submission *sub)
{
    switch (sub->kind_case) {
    case CAMPAIGN__SUBMISSION__KIND_IMPORT_PORTFOLIO: return &sub->import_portfolio->base;
    case CAMPAIGN__SUBMISSION__KIND_IMPORT_ROSTER: return &sub->import_roster->base;
    case CAMPAIGN__SUBMISSION__KIND_IMPORT_HISTORY: return &sub->import_history->base;
    default: return NULL;
    }
}

int
client_submit (client_t *self, const wire_envelope_t *req, client_part_fn *on_part, void *arg,
               wire_envelope_t **reply, err_t *err)
{
    Campaign__Submission *sub =
        req->body_case == CAMPAIGN__ENVELOPE__BODY_SUBMISSION ? req->submission : NULL;
    ProtobufCMessage *import = sub ? s_import_of (sub) : NULL;
    if (!import || *wire_repeated_count (import, 2) <= self->part_records)
        return client_request (self, req, reply, err);

    /*  The three import messages share their layout: 2 records, 3 import_id, 4 part,
        5 parts; the portfolio's struct stands for all three. */
    Campaign__ImportPortfolio *view = (Campaign__ImportPortfolio *)import;
    size_t total = *wire_repeated_count (import, 2);
    void **all = *wire_repeated_items (import, 2);
    uint32_t parts = (uint32_t)((total + self->part_records - 1) / self->part_records);
    wire_envelope_t part_req = *req;
    char id[WIRE_ID_MAX + 1];
    view->import_id = req->message_id;
    view->has_part = view->has_parts = 1;
    view->parts = parts;
    int rc = 0;
    *reply = NULL;
    for (uint32_t p = 0; p < parts; p++) {
        size_t from = (size_t)p * self->part_records;
        size_t count = total - from < self->part_records ? total - from : self->part_records;
        *wire_repeated_items (import, 2) = all + from;
        *wire_repeated_count (import, 2) = count;
        view->part = p + 1;
        snprintf (id, sizeof id, "%.*s.%u", WIRE_ID_MAX - 11, req->message_id, p + 1);
        part_req.message_id = id;
        wire_free (reply);
        if ((rc = client_request (self, &part_req, reply, err)))
            break;
        if ((*reply)->body_case != CAMPAIGN__ENVELOPE__BODY_ACK || p + 1 == parts)
            break; /* a refusal ends the import; the last ack is the whole import's */
        if (on_part)
            on_part (arg, p + 1, parts);
    }
    *wire_repeated_items (import, 2) = all;
    *wire_repeated_count (import, 2) = total;
    view->import_id = NULL;
    view->has_part = view->has_parts = 0;
    view->part = view->parts = 0;
    return rc;
}

/*  Send req; 0 when the answer has body `expect`, ERR_REJECTED (the answer freed)
    naming what came instead and the broker's reason if it was a rejection. */
static int
s_request_expect (client_t *self, const wire_envelope_t *req, int expect, const char *what,
                  wire_envelope_t **reply, err_t *err)
{
    int rc = client_request (self, req, reply, err);
    if (rc || (int)(*reply)->body_case == expect)
        return rc;
    rc = err_set (err, ERR_REJECTED, "the broker answered %s with a %s%s%s", what,
                  wire_body_name ((*reply)->body_case),
                  (*reply)->body_case == CAMPAIGN__ENVELOPE__BODY_REJECTION ? ": " : "",
                  (*reply)->body_case == CAMPAIGN__ENVELOPE__BODY_REJECTION &&
                          (*reply)->rejection->message
                      ? (*reply)->rejection->message
                      : "");
    wire_free (reply);
    return rc;
}

int
client_snapshot (client_t *self, wire_envelope_t **reply, err_t *err)
{
    wire_out_t req;
    client_prepare (self, &req);
    Campaign__SnapshotRequest request = CAMPAIGN__SNAPSHOT_REQUEST__INIT;
    req.env.body_case = CAMPAIGN__ENVELOPE__BODY_SNAPSHOT_REQUEST;
    req.env.snapshot_request = &request;
    return s_request_expect (self, &req.env, CAMPAIGN__ENVELOPE__BODY_SNAPSHOT,
                             "a snapshot request", reply, err);
}

int
client_audit (client_t *self, const Campaign__AuditRequest *request, wire_envelope_t **reply,
              err_t *err)
{
    wire_out_t req;
    client_prepare (self, &req);
    req.env.body_case = CAMPAIGN__ENVELOPE__BODY_AUDIT_REQUEST;
    req.env.audit_request = (Campaign__AuditRequest *)request;
    return s_request_expect (self, &req.env, CAMPAIGN__ENVELOPE__BODY_AUDIT, "an audit request",
                             reply, err);
}

void
client_pipeline_free (client_pipeline_t *pipeline)
{
    for (size_t i = 0; i < pipeline->n_pages; i++)
        wire_free (&pipeline->pages[i]);
    free (pipeline->pages);
    free (pipeline->items);
    memset (pipeline, 0, sizeof *pipeline);
}

int
client_pipeline_each (client_t *self, const char *csm, const char *stage, client_page_fn *fn,
                      void *arg, err_t *err)
{
    char after[WIRE_ID_MAX * 4] = "";
    for (;;) {
        wire_out_t req;
        client_prepare (self, &req);
        Campaign__PipelineRequest request = CAMPAIGN__PIPELINE_REQUEST__INIT;
        request.csm = (char *)csm;
        request.stage = (char *)stage;
        request.after = after;
        request.has_limit = 1;
        request.limit = 10000;
        req.env.body_case = CAMPAIGN__ENVELOPE__BODY_PIPELINE_REQUEST;
        req.env.pipeline_request = &request;
        wire_envelope_t *reply = NULL;
        int rc = s_request_expect (self, &req.env, CAMPAIGN__ENVELOPE__BODY_PIPELINE,
                                   "a pipeline request", &reply, err);
        if (rc)
            return rc;
        const Campaign__Pipeline *page = reply->pipeline;
        bool last = !page->more || page->n_opportunities == 0;
        if (page->n_opportunities)
            snprintf (after, sizeof after, "%s",
                      page->opportunities[page->n_opportunities - 1]->opportunity_id);
        /*  fn takes the reply: it keeps it or frees it. */
        if ((rc = fn (arg, &reply, err)))
            return rc;
        if (last)
            return 0;
    }
}

static int
s_keep_page (void *arg, wire_envelope_t **reply, err_t *err)
{
    client_pipeline_t *out = arg;
    const Campaign__Pipeline *page = (*reply)->pipeline;
    wire_envelope_t **pages = realloc (out->pages, (out->n_pages + 1) * sizeof *pages);
    if (pages)
        out->pages = pages;
    Campaign__Opportunity **items =
        pages ? realloc (out->items, (out->n + page->n_opportunities + 1) * sizeof *items)
              : NULL;
    if (items)
        out->items = items;
    if (!items) {
        wire_free (reply);
        return err_set (err, ERR_NOMEM, "out of memory reading the pipeline");
    }
    for (size_t i = 0; i < page->n_opportunities; i++)
        out->items[out->n++] = page->opportunities[i];
    out->pages[out->n_pages++] = *reply;
    *reply = NULL;
    return 0;
}

int
client_pipeline (client_t *self, const char *csm, const char *stage, client_pipeline_t *out,
                 err_t *err)
{
    memset (out, 0, sizeof *out);
    int rc = client_pipeline_each (self, csm, stage, s_keep_page, out, err);
    if (rc)
        client_pipeline_free (out);
    return rc;
}

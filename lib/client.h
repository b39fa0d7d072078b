/*  client.h: the tool side of a request to the broker (ZeroMQ Guide "Lazy Pirate").

    A client sends one envelope on a DEALER socket and waits for the answer whose
    correlation id is the request's message id, ignoring stale answers. If none comes
    within the timeout it closes the socket (dropping the queued request), reconnects and
    sends the same envelope again, with the same message id, so the broker applies it at
    most once and answers a retry with the original acknowledgement. After the last try
    it gives up with ERR_UNREACHABLE (exit code 3).

    Settings: client.timeout_ms (default 5000) and client.retries (default 3) from the
    configuration; see client_new_from_conf.
*/
#ifndef CAMPAIGN_CLIENT_H
#define CAMPAIGN_CLIENT_H

#include "conf.h"
#include "curve.h"
#include "wire.h"

typedef struct _client_t client_t;

/*  A client of the broker at endpoint for campaign, identified as sender. NULL on
    allocation failure. */
client_t *client_new (const char *endpoint, const char *campaign, const char *sender);

/*  Same, reading broker.endpoint, campaign.id, client.timeout_ms, client.retries,
    broker.max_message_bytes from conf. ERR_INVALID with err for a bad setting. */
int client_new_from_conf (conf_t *conf, const char *sender, client_t **out, err_t *err);

void client_destroy (client_t **self_p);

void client_set_timeout (client_t *self, int timeout_ms, int retries);

/*  The CURVE certificate the client connects with (curve.certificate), NULL for
    plaintext: for the status subscriber a tool opens beside it. */
const curve_t *client_curve (client_t *self);

/*  Build an envelope for this client's campaign and sender with a fresh message id. */
void client_prepare (client_t *self, wire_out_t *out);

/*  Send req and wait for its answer (see above). On success *reply is the broker's
    envelope (an ack, a rejection, a snapshot...), owned by the caller (wire_free).
    ERR_UNREACHABLE after the last try; err says which endpoint and how long. */
int client_request (client_t *self, const wire_envelope_t *req, wire_envelope_t **reply,
                    err_t *err);

/*  Send a prepared envelope carrying a Submission and wait for its answer, as
    client_request does; an import (portfolio, roster, history) with more records than
    client.import_part_records goes in parts: the import id is the envelope's message
    id, part k's message id is that id followed by ".k", so a re-run sends the same parts
    and the broker answers duplicates. on_part (may be NULL) hears of each acknowledged
    part but the last. *reply is the last answer: the whole import's acknowledgement or
    the first refusal. The submission is left as it was given. */
typedef void (client_part_fn) (void *arg, uint32_t part, uint32_t parts);
int client_submit (client_t *self, const wire_envelope_t *req, client_part_fn *on_part,
                   void *arg, wire_envelope_t **reply, err_t *err);

/*  Imports larger than this many records go in parts (client.import_part_records). */
void client_set_part_records (client_t *self, size_t records);

/*  The campaign's snapshot: 0 with *reply (a Snapshot body; wire_free it),
    ERR_UNREACHABLE, or ERR_REJECTED naming what the broker answered instead. */
int client_snapshot (client_t *self, wire_envelope_t **reply, err_t *err);

/*  The audit trail as request asks for it (issue 9): 0 with *reply (an Audit body;
    wire_free it), ERR_UNREACHABLE, or ERR_REJECTED naming the broker's answer (a person
    whose role may not read it is refused). */
int client_audit (client_t *self, const Campaign__AuditRequest *request,
                  wire_envelope_t **reply, err_t *err);

/*  Every opportunity of the campaign (only csm's and/or those in stage, when not NULL),
    fetched page by page, in opportunity id order. items point into the pages, which the
    structure owns: free it with client_pipeline_free. ERR_UNREACHABLE, or ERR_REJECTED
    when the broker answers something else. */
typedef struct {
    Campaign__Opportunity **items;
    size_t n;
    wire_envelope_t **pages;
    size_t n_pages;
} client_pipeline_t;

int client_pipeline (client_t *self, const char *csm, const char *stage, client_pipeline_t *out,
                     err_t *err);

/*  The same, one page at a time, for callers that stream (a listing of millions): fn gets
    each reply (a Pipeline body) and owns it (wire_free it, or keep it and set *reply to
    NULL); a non-zero return stops the walk and is returned. */
typedef int (client_page_fn) (void *arg, wire_envelope_t **reply, err_t *err);
int client_pipeline_each (client_t *self, const char *csm, const char *stage,
                          client_page_fn *fn, void *arg, err_t *err);
void client_pipeline_free (client_pipeline_t *pipeline);

const char *client_endpoint (client_t *self);
const char *client_campaign (client_t *self);

#endif

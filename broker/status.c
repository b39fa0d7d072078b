/*  status.c: sequenced status events, published after commit (see status.h). */
#include "status.h"

#include "log.h"
#include "wire.h"

#include <inttypes.h>
#include <string.h>

typedef struct {
    char *topic;
    zframe_t *frame;
} s_event_t;

struct _status_t {
    zsock_t *pub;
    store_t *store;
    char *campaign;
    uint64_t seq;           /* last sequence handed out */
    uint64_t persisted_seq; /* last sequence known to be in the store */
    zlistx_t *pending;      /* s_event_t */
};

static void
s_event_free (void **item)
{
    s_event_t *event = *item;
    if (event) {
        free (event->topic);
        zframe_destroy (&event->frame);
        free (event);
        *item = NULL;
    }
}

int
status_new (zsock_t *pub, store_t *store, const char *campaign, status_t **out, err_t *err)
{
    status_t *self = calloc (1, sizeof *self);
    if (!self)
        return err_set (err, ERR_NOMEM, "out of memory");
    self->pub = pub;
    self->store = store;
    self->campaign = strdup (campaign);
    self->pending = zlistx_new ();
    if (!self->campaign || !self->pending) {
        status_destroy (&self);
        return err_set (err, ERR_NOMEM, "out of memory");
    }
    zlistx_set_destructor (self->pending, s_event_free);
    char *text = NULL;
    int rc = store_meta_get (store, "status_seq", &text, err);
    if (rc == 0) {
        self->seq = strtoull (text, NULL, 10);
        free (text);
    } else if (rc != ERR_NOTFOUND) {
        status_destroy (&self);
        return rc;
    }
    self->persisted_seq = self->seq;
    *out = self;
    return 0;
}

void
status_destroy (status_t **self_p)
{
    if (self_p && *self_p) {
        status_t *self = *self_p;
        zlistx_destroy (&self->pending);
        free (self->campaign);
        free (self);
        *self_p = NULL;
    }
}

int
status_emit (status_t *self, const char *topic, Campaign__StatusEvent *event,
             const char *campaign_date, uint32_t week)
{
    event->has_seq = 1;
    event->seq = self->seq + 1;
    event->topic = (char *)topic;
    event->has_at_ms = 1;
    event->at_ms = wire_now_ms ();
    event->campaign_date = (char *)campaign_date;
    event->has_week = 1;
    event->week = week;

    wire_out_t out;
    wire_out_init (&out, self->campaign, "campaign-broker", NULL);
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_STATUS_EVENT;
    out.env.status_event = event;
    s_event_t *queued = calloc (1, sizeof *queued);
    if (!queued)
        return ERR_NOMEM;
    queued->topic = strdup (topic);
    if (!queued->topic || wire_pack (&out.env, &queued->frame)) {
        void *item = queued;
        s_event_free (&item);
        return ERR_NOMEM;
    }
    zlistx_add_end (self->pending, queued);
    self->seq++;
    return 0;
}

int
status_persist (status_t *self, err_t *err)
{
    if (self->seq == self->persisted_seq)
        return 0;
    char text[32];
    snprintf (text, sizeof text, "%" PRIu64, self->seq);
    return store_meta_set (self->store, "status_seq", text, err);
}

void
status_flush (status_t *self)
{
    s_event_t *event;
    while ((event = zlistx_detach (self->pending, NULL))) {
        if (wire_publish_frame (self->pub, event->topic, event->frame) != 0)
            log_warn ("status event on '%s' not published: %s", event->topic,
                      zmq_strerror (errno));
        void *item = event;
        s_event_free (&item);
    }
    self->persisted_seq = self->seq;
}

void
status_discard (status_t *self)
{
    zlistx_purge (self->pending);
    self->seq = self->persisted_seq;
}

uint64_t
status_seq (status_t *self)
{
    return self->seq;
}

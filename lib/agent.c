/*  agent.c: the agent runtime (see agent.h).

    Two threads: the main loop owns the DEALER socket, the heartbeats and the queue of
    leased tasks; the worker actor runs the task function on one task at a time and
    hands back a packed Result or Failure envelope. Only packed frames cross between
    them, so neither touches the other's memory.
*/
#include "agent.h"

#include "cli.h"
#include "log.h"
#include "signals.h"

#include <string.h>
#include <unistd.h>

struct _agent_t {
    agent_options_t opts;
    char *kind, *instance, *version, *endpoint, *campaign;
    char sender[256];
    agent_task_fn *fn;
    void *arg;

    zsock_t *dealer;
    zactor_t *worker;
    zlist_t *pending; /* zframe_t * packed Task envelopes, in arrival order */
    bool busy;        /* the worker holds a task */
    bool welcomed;
    int heartbeat_ms;
    int liveness;
    int reconnect_ms;        /* next back-off delay */
    int64_t last_heard_ms;   /* last message from the broker (monotonic) */
    int64_t next_beat_ms;    /* next heartbeat or hello */
    int64_t reconnect_at_ms; /* when disconnected: when to try again */
    uint64_t done;
    bool refused; /* the broker will not have us (unknown kind): stop */
};

/* --------------------------------------------------------------------------
   Worker thread */

static zframe_t *
s_run_task (agent_t *self, zframe_t *frame)
{
    wire_envelope_t *env = NULL;
    err_t err;
    err_clear (&err);
    if (wire_unpack (zframe_data (frame), zframe_size (frame), self->opts.max_bytes, &env,
                     &err) ||
        env->body_case != CAMPAIGN__ENVELOPE__BODY_TASK)
        return NULL; /* checked by the main loop before queueing */
    Campaign__Task *task = env->task;

    agent_output_t out = {NULL, 0, NULL, false};
    int rc = self->fn (self->arg, task, &out, &err);

    wire_out_t reply;
    wire_out_init (&reply, self->campaign, self->sender, env->message_id);
    Campaign__Result plain = CAMPAIGN__RESULT__INIT;
    Campaign__Result *result = &plain;
    Campaign__Failure failure = CAMPAIGN__FAILURE__INIT;
    if (rc == 0 && out.is_result) {
        result = campaign__result__unpack (NULL, out.size, out.payload);
        if (!result) {
            result = &plain;
            rc = err_set (&err, ERR_INVALID, "the task built a result that does not decode");
        }
    } else if (rc == 0) {
        plain.has_payload = 1;
        plain.payload.data = out.payload;
        plain.payload.len = out.size;
        plain.summary = out.summary;
    }
    if (rc == 0) {
        result->task_id = task->task_id;
        result->has_attempt = 1;
        result->attempt = task->attempt;
        reply.env.body_case = CAMPAIGN__ENVELOPE__BODY_RESULT;
        reply.env.result = result;
    } else {
        failure.task_id = task->task_id;
        failure.has_attempt = 1;
        failure.attempt = task->attempt;
        failure.reason = err.msg[0] ? err.msg : (char *)err_name (rc);
        failure.has_retryable = 1;
        failure.retryable = !(rc == ERR_INVALID || rc == ERR_UNSUPPORTED);
        reply.env.body_case = CAMPAIGN__ENVELOPE__BODY_FAILURE;
        reply.env.failure = &failure;
        log_warn ("task %s (%s) attempt %u failed: %s", task->task_id, task->name,
                  task->attempt, failure.reason);
    }
    zframe_t *packed = NULL;
    if (wire_pack (&reply.env, &packed))
        packed = NULL;
    if (result != &plain) {
        /*  The ids are borrowed from the task; do not let free_unpacked take them. */
        result->task_id = NULL;
        campaign__result__free_unpacked (result, NULL);
    }
    free (out.payload);
    free (out.summary);
    wire_free (&env);
    return packed;
}

static void
s_worker (zsock_t *pipe, void *args)
{
    agent_t *self = args;
    zsock_signal (pipe, 0);
    for (;;) {
        zmsg_t *msg = zmsg_recv (pipe);
        if (!msg)
            break;
        zframe_t *first = zmsg_first (msg);
        if (zframe_streq (first, "$TERM")) {
            zmsg_destroy (&msg);
            break;
        }
        zframe_t *reply = s_run_task (self, first);
        zmsg_destroy (&msg);
        if (!reply)
            reply = zframe_new ("", 0); /* still tells the main loop we are free */
        zframe_send (&reply, pipe, 0);
    }
}

/* --------------------------------------------------------------------------
   Main loop */

static void
s_send (agent_t *self, wire_out_t *out)
{
    if (self->dealer && wire_send (self->dealer, NULL, &out->env) != 0)
        log_debug ("send %s failed: %s", wire_body_name (out->env.body_case),
                   zmq_strerror (errno));
}

static void
s_send_hello (agent_t *self)
{
    wire_out_t out;
    wire_out_init (&out, self->campaign, self->sender, NULL);
    Campaign__Hello hello = CAMPAIGN__HELLO__INIT;
    hello.kind = self->kind;
    hello.instance = self->instance;
    hello.version = self->version;
    hello.has_capacity = 1;
    hello.capacity = self->opts.capacity;
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_HELLO;
    out.env.hello = &hello;
    s_send (self, &out);
}

static void
s_send_heartbeat (agent_t *self)
{
    wire_out_t out;
    wire_out_init (&out, self->campaign, self->sender, NULL);
    Campaign__Heartbeat beat = CAMPAIGN__HEARTBEAT__INIT;
    beat.has_busy = 1;
    beat.busy = (uint32_t)zlist_size (self->pending) + (self->busy ? 1 : 0);
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_HEARTBEAT;
    out.env.heartbeat = &beat;
    s_send (self, &out);
}

static void
s_send_goodbye (agent_t *self, const char *reason)
{
    wire_out_t out;
    wire_out_init (&out, self->campaign, self->sender, NULL);
    Campaign__Goodbye bye = CAMPAIGN__GOODBYE__INIT;
    bye.reason = (char *)reason;
    out.env.body_case = CAMPAIGN__ENVELOPE__BODY_GOODBYE;
    out.env.goodbye = &bye;
    s_send (self, &out);
}

/*  How long the broker may be silent before we reconnect. */
static int64_t
s_patience (agent_t *self)
{
    int64_t beats = (int64_t)self->heartbeat_ms * self->liveness;
    return beats > self->opts.broker_silence_ms ? beats : self->opts.broker_silence_ms;
}

static void
s_drop_pending (agent_t *self)
{
    zframe_t *frame;
    while ((frame = zlist_pop (self->pending)))
        zframe_destroy (&frame);
}

static int
s_connect (agent_t *self)
{
    zsock_destroy (&self->dealer);
    self->dealer = zsock_new (ZMQ_DEALER);
    if (!self->dealer)
        return ERR_NOMEM;
    zsock_set_linger (self->dealer, 1000);
    zsock_set_maxmsgsize (self->dealer, (int64_t)self->opts.max_bytes + 4096);
    zsock_set_sndtimeo (self->dealer, 1000);
    curve_apply (self->opts.curve, self->dealer);
    if (zsock_connect (self->dealer, "%s", self->endpoint) != 0) {
        log_error ("cannot connect to broker endpoint '%s'", self->endpoint);
        zsock_destroy (&self->dealer);
        return ERR_INVALID;
    }
    self->welcomed = false;
    self->last_heard_ms = zclock_mono ();
    self->next_beat_ms = 0; /* say hello at once */
    return 0;
}

static void
s_disconnect (agent_t *self, const char *why)
{
    log_warn ("%s; reconnecting to %s in %d ms", why, self->endpoint, self->reconnect_ms);
    zsock_destroy (&self->dealer);
    s_drop_pending (self); /* the broker re-queues leases it cannot see us holding */
    self->welcomed = false;
    self->reconnect_at_ms = zclock_mono () + self->reconnect_ms;
    self->reconnect_ms *= 2;
    if (self->reconnect_ms > self->opts.reconnect_max_ms)
        self->reconnect_ms = self->opts.reconnect_max_ms;
}

static void
s_dispatch (agent_t *self)
{
    if (self->busy || zlist_size (self->pending) == 0)
        return;
    zframe_t *frame = zlist_pop (self->pending);
    self->busy = true;
    zframe_send (&frame, self->worker, 0);
}

static void
s_on_broker (agent_t *self)
{
    wire_envelope_t *env = NULL;
    err_t err;
    if (wire_recv (self->dealer, false, self->opts.max_bytes, NULL, &env, &err) != 0) {
        log_warn ("unreadable message from the broker dropped: %s", err.msg);
        return;
    }
    self->last_heard_ms = zclock_mono ();
    switch (env->body_case) {
    case CAMPAIGN__ENVELOPE__BODY_WELCOME:
        if (!self->welcomed)
            log_info ("registered with broker %s as %s", self->endpoint, self->sender);
        self->welcomed = true;
        self->reconnect_ms = self->opts.reconnect_min_ms;
        if (env->welcome->has_heartbeat_ms && env->welcome->heartbeat_ms > 0)
            self->heartbeat_ms = (int)env->welcome->heartbeat_ms;
        if (env->welcome->has_liveness && env->welcome->liveness > 0)
            self->liveness = (int)env->welcome->liveness;
        self->next_beat_ms = zclock_mono () + self->heartbeat_ms;
        break;
    case CAMPAIGN__ENVELOPE__BODY_HEARTBEAT: break;
    case CAMPAIGN__ENVELOPE__BODY_TASK: {
        Campaign__Task *task = env->task;
        if (!task->task_id || !task->name) {
            log_warn ("task without id or name dropped");
            break;
        }
        log_debug ("task %s (%s) attempt %u leased", task->task_id, task->name, task->attempt);
        zframe_t *frame = NULL;
        if (wire_pack (env, &frame) == 0)
            zlist_append (self->pending, frame);
        s_dispatch (self);
        break;
    }
    case CAMPAIGN__ENVELOPE__BODY_REJECTION:
        if (env->rejection->code == CAMPAIGN__REJECT_CODE__REJECT_UNKNOWN_AGENT) {
            /*  The broker restarted or declared us dead: our leases are gone there. */
            if (self->welcomed)
                log_warn ("broker no longer knows us; saying hello again");
            s_drop_pending (self);
            self->welcomed = false;
            self->next_beat_ms = 0;
        } else if (!self->welcomed &&
                   env->rejection->code == CAMPAIGN__REJECT_CODE__REJECT_INVALID) {
            /*  Our hello was refused: retrying cannot help, the deployment is wrong. */
            log_error ("broker refused us: %s",
                       env->rejection->message ? env->rejection->message : "(no reason)");
            self->refused = true;
        } else
            log_warn ("broker rejected a message: %s",
                      env->rejection->message ? env->rejection->message : "(no reason)");
        break;
    default: log_debug ("ignoring %s from the broker", wire_body_name (env->body_case));
    }
    wire_free (&env);
}

static void
s_on_worker (agent_t *self)
{
    zframe_t *frame = zframe_recv (self->worker);
    self->busy = false;
    if (frame && zframe_size (frame) > 0 && self->dealer) {
        self->done++;
        void *handle = zsock_resolve (self->dealer);
        if (zmq_send (handle, zframe_data (frame), zframe_size (frame), 0) < 0)
            log_warn ("result could not be sent: %s", zmq_strerror (errno));
    }
    zframe_destroy (&frame);
    s_dispatch (self);
}

int
agent_run (agent_t *self)
{
    int rc = s_connect (self);
    if (rc)
        return rc;
    log_info ("%s starting, broker %s, capacity %u", self->sender, self->endpoint,
              self->opts.capacity);
    while (!signals_stop_requested () && !self->refused) {
        int64_t now = zclock_mono ();
        if (!self->dealer) {
            if (now >= self->reconnect_at_ms && s_connect (self) != 0)
                return ERR_INVALID;
        } else if (now - self->last_heard_ms > s_patience (self))
            s_disconnect (self, "broker silent");
        else if (now >= self->next_beat_ms) {
            if (self->welcomed)
                s_send_heartbeat (self);
            else
                s_send_hello (self);
            self->next_beat_ms = now + self->heartbeat_ms;
        }
        int64_t wake = self->dealer ? self->next_beat_ms : self->reconnect_at_ms;
        long timeout = (long)(wake - zclock_mono ());
        if (timeout < 0)
            timeout = 0;
        zmq_pollitem_t items[2] = {
            {zsock_resolve (self->worker), 0, ZMQ_POLLIN, 0},
            {self->dealer ? zsock_resolve (self->dealer) : NULL, 0, ZMQ_POLLIN, 0}};
        if (zmq_poll (items, self->dealer ? 2 : 1, timeout) < 0)
            continue; /* EINTR: check the stop flag */
        if (items[0].revents & ZMQ_POLLIN)
            s_on_worker (self);
        if (self->dealer && (items[1].revents & ZMQ_POLLIN))
            s_on_broker (self);
        if (signals_take_reload ())
            log_info ("SIGHUP: nothing to reload in the agent runtime");
    }
    /*  Clean stop: hand back the task in hand, then say goodbye so the broker
        re-queues the rest at once instead of waiting for our heartbeats to stop. */
    if (self->busy) {
        zmq_pollitem_t item = {zsock_resolve (self->worker), 0, ZMQ_POLLIN, 0};
        if (zmq_poll (&item, 1, 30000) > 0)
            s_on_worker (self);
    }
    s_drop_pending (self);
    if (self->refused)
        return ERR_INVALID;
    s_send_goodbye (self, "stopping");
    log_info ("%s stopped after %llu tasks", self->sender, (unsigned long long)self->done);
    return 0;
}

agent_t *
agent_new (const agent_options_t *opts, agent_task_fn *fn, void *arg)
{
    agent_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->opts = *opts;
    self->kind = strdup (opts->kind);
    self->instance = strdup (opts->instance);
    self->version = strdup (opts->version ? opts->version : CAMPAIGN_VERSION);
    self->endpoint = strdup (opts->endpoint);
    self->campaign = strdup (opts->campaign);
    self->fn = fn;
    self->arg = arg;
    self->heartbeat_ms = opts->heartbeat_ms > 0 ? opts->heartbeat_ms : 1000;
    self->liveness = opts->liveness > 0 ? opts->liveness : 3;
    self->reconnect_ms = opts->reconnect_min_ms > 0 ? opts->reconnect_min_ms : 100;
    if (self->opts.reconnect_max_ms < self->reconnect_ms)
        self->opts.reconnect_max_ms = self->reconnect_ms;
    self->opts.reconnect_min_ms = self->reconnect_ms;
    if (self->opts.max_bytes == 0)
        self->opts.max_bytes = WIRE_MAX_BYTES;
    if (self->opts.capacity == 0)
        self->opts.capacity = 1;
    snprintf (self->sender, sizeof self->sender, "%s/%s", opts->kind, opts->instance);
    self->pending = zlist_new ();
    if (!self->kind || !self->instance || !self->version || !self->endpoint ||
        !self->campaign || !self->pending) {
        agent_destroy (&self);
        return NULL;
    }
    self->worker = zactor_new (s_worker, self);
    if (!self->worker)
        agent_destroy (&self);
    return self;
}

void
agent_destroy (agent_t **self_p)
{
    if (self_p && *self_p) {
        agent_t *self = *self_p;
        zactor_destroy (&self->worker);
        zsock_destroy (&self->dealer);
        if (self->pending) {
            s_drop_pending (self);
            zlist_destroy (&self->pending);
        }
        free (self->kind);
        free (self->instance);
        free (self->version);
        free (self->endpoint);
        free (self->campaign);
        free (self);
        *self_p = NULL;
    }
}

uint64_t
agent_tasks_done (agent_t *self)
{
    return self->done;
}

int
agent_options_from_conf (conf_t *conf, const char *kind, const char *instance,
                         agent_options_t *opts, err_t *err)
{
    memset (opts, 0, sizeof *opts);
    const char *endpoint, *campaign;
    int64_t capacity, heartbeat_ms, liveness, rmin, rmax, max_bytes;
    int rc =
        conf_string (conf, "broker.endpoint", "ipc:///tmp/campaign-broker.ipc", &endpoint, err);
    if (!rc)
        rc = conf_string (conf, "campaign.id", "campaign", &campaign, err);
    if (!rc)
        rc = conf_int_range (conf, "agents.capacity", 1, 1, 1024, &capacity, err);
    if (!rc)
        rc = conf_int_range (conf, "agents.heartbeat_ms", 1000, 10, 600000, &heartbeat_ms, err);
    if (!rc)
        rc = conf_int_range (conf, "agents.liveness", 3, 1, 100, &liveness, err);
    if (!rc)
        rc = conf_int_range (conf, "agents.reconnect_min_ms", 100, 1, 600000, &rmin, err);
    if (!rc)
        rc = conf_int_range (conf, "agents.reconnect_max_ms", 5000, 1, 3600000, &rmax, err);
    int64_t silence = 0;
    if (!rc)
        rc = conf_int_range (conf, "agents.broker_silence_ms", 30000, 0, 86400000, &silence,
                             err);
    if (!rc)
        rc = conf_int_range (conf, "broker.max_message_bytes", WIRE_MAX_BYTES, 1024, INT32_MAX,
                             &max_bytes, err);
    if (rc)
        return rc;
    opts->kind = kind;
    opts->instance = instance;
    opts->version = CAMPAIGN_VERSION;
    opts->endpoint = endpoint;
    opts->campaign = campaign;
    opts->capacity = (uint32_t)capacity;
    opts->heartbeat_ms = (int)heartbeat_ms;
    opts->liveness = (int)liveness;
    opts->reconnect_min_ms = (int)rmin;
    opts->reconnect_max_ms = (int)rmax;
    opts->broker_silence_ms = (int)silence;
    opts->max_bytes = (size_t)max_bytes;
    return 0;
}

int
agent_main (int argc, char **argv, const char *kind, const char *usage, agent_init_fn *init,
            agent_task_fn *fn, void *arg)
{
    cli_t cli;
    int rc = cli_start (&cli, argc, argv, usage);
    if (rc >= 0)
        return rc;
    char default_instance[64];
    snprintf (default_instance, sizeof default_instance, "%ld", (long)getpid ());
    const char *instance = default_instance;
    for (int i = 0; i < cli.argc; i++) {
        if (strcmp (cli.argv[i], "--instance") == 0 && i + 1 < cli.argc)
            instance = cli.argv[++i];
        else {
            rc = cli_usage_error (&cli, "unexpected argument '%s'", cli.argv[i]);
            cli_end (&cli);
            return rc;
        }
    }
    err_t err;
    agent_options_t opts;
    curve_t *curve = NULL;
    if (agent_options_from_conf (cli.conf, kind, instance, &opts, &err) ||
        curve_from_conf (cli.conf, kind, &curve, &err) || cli_open_log (&cli, &err) ||
        (init && init (arg, cli.conf, &err))) {
        fprintf (stderr, "%s: configuration error: %s\n", cli.program, err.msg);
        curve_destroy (&curve);
        cli_end (&cli);
        return CLI_EXIT_CONFIG;
    }
    opts.curve = curve;
    signals_install ();
    agent_t *agent = agent_new (&opts, fn, arg);
    rc = agent ? agent_run (agent) : ERR_NOMEM;
    agent_destroy (&agent);
    curve_destroy (&curve);
    cli_end (&cli);
    log_close ();
    return rc == 0 ? CLI_EXIT_OK : rc == ERR_INVALID ? CLI_EXIT_CONFIG : CLI_EXIT_UNREACHABLE;
}

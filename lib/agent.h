/*  agent.h: the runtime every agent process is built on.

    An agent is a stateless worker (SPEC section 2). The runtime connects a DEALER to the
    broker, says hello (kind, instance, version, capacity), and once welcomed exchanges
    heartbeats both ways. Tasks arrive under a lease; each runs on a worker thread, so
    heartbeats go on during long work, and its result (or failure) goes back to the
    broker. If the broker falls silent for `liveness` heartbeats, or answers that it does
    not know us (after its restart), the runtime reconnects with exponential back-off and
    says hello again (ZeroMQ Guide "Paranoid Pirate"). SIGTERM/SIGINT: the task in hand
    is finished, a goodbye is sent, agent_run returns 0.

    The task function runs on the worker thread, one task at a time; it must not touch
    the runtime. It fills out->payload/out->summary (malloc'd, the runtime frees them) and
    returns 0, or returns an error with err filled: ERR_INVALID / ERR_UNSUPPORTED are
    reported as not retryable (the input is wrong), anything else as retryable.
*/
#ifndef CAMPAIGN_AGENT_H
#define CAMPAIGN_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "curve.h"
#include "wire.h"

typedef struct {
    uint8_t *payload;
    size_t size;
    char *summary;
    /*  false: payload is the task's output, sent as Result.payload.
        true: payload is a packed Campaign__Result built by the task (payload, summary,
        facts, opportunities); the runtime fills in task id and attempt and sends it. */
    bool is_result;
} agent_output_t;

typedef int (agent_task_fn) (void *arg, const Campaign__Task *task, agent_output_t *out,
                             err_t *err);

typedef struct {
    const char *kind;
    const char *instance;
    const char *version;
    const char *endpoint;
    const char *campaign;
    uint32_t capacity; /* tasks the broker may lease to us at once */
    int heartbeat_ms;  /* until the broker's welcome says otherwise */
    int liveness;      /* missed heartbeats before the broker is presumed gone */
    int reconnect_min_ms;
    int reconnect_max_ms;
    int broker_silence_ms; /* reconnect only after this much silence (at least
                              liveness heartbeats): a broker busy with a large import
                              is slow, not gone */
    size_t max_bytes;
    const curve_t *curve; /* CURVE client certificate (NULL: plaintext), borrowed */
} agent_options_t;

/*  Fill opts from conf (broker.endpoint, campaign.id, agents.capacity,
    agents.heartbeat_ms, agents.liveness, agents.reconnect_min_ms,
    agents.reconnect_max_ms, agents.broker_silence_ms, broker.max_message_bytes). kind and
    instance are borrowed. */
int agent_options_from_conf (conf_t *conf, const char *kind, const char *instance,
                             agent_options_t *opts, err_t *err);

typedef struct _agent_t agent_t;

agent_t *agent_new (const agent_options_t *opts, agent_task_fn *fn, void *arg);
void agent_destroy (agent_t **self_p);

/*  Run until SIGTERM/SIGINT. 0 on a clean stop; ERR_INVALID if the broker refused our
    hello (a kind it is not configured for) or the endpoint is wrong; other ERR_* if the
    runtime could not start. */
int agent_run (agent_t *self);

/*  Counters for logs and tests. */
uint64_t agent_tasks_done (agent_t *self);

/*  The standard main of an agent executable: cli, --instance NAME, log setup, init
    (if not NULL: read the agent's own settings from the configuration into arg; an
    error is a configuration error), agent_run, exit code (0 clean stop, 2 usage,
    4 configuration error or refused by the broker). usage is the --help text. */
typedef int (agent_init_fn) (void *arg, conf_t *conf, err_t *err);

/*  The end of every agent's --help text: the options agent_main reads, the signals and
    the exit codes. An agent's usage is its own description followed by this. */
#define AGENT_USAGE_TAIL                                                                       \
    "\n"                                                                                       \
    "Options:\n"                                                                               \
    "  -c, --config FILE      configuration (repeatable; later files win)\n"                   \
    "  -o, --option PATH=VAL  override one setting\n"                                          \
    "      --instance NAME    this instance's name (default: the pid)\n"                       \
    "  -h, --help             this text\n"                                                     \
    "      --version          print the version\n"                                             \
    "\n"                                                                                       \
    "Signals: SIGTERM/SIGINT finish the task in hand, say goodbye and exit 0.\n"               \
    "Exit codes: 0 stopped, 2 usage, 3 broker unreachable at start, 4 configuration\n"         \
    "error or refused by the broker.\n"
int agent_main (int argc, char **argv, const char *kind, const char *usage, agent_init_fn *init,
                agent_task_fn *fn, void *arg);

#endif

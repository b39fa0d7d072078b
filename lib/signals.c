/*  signals.c: stop and reload requests from signals (see signals.h). */
#include "signals.h"

#include <czmq.h>
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t s_stop;
static volatile sig_atomic_t s_reload;

static void
s_handler (int signum)
{
    if (signum == SIGHUP)
        s_reload = 1;
    else {
        s_stop = 1;
        zsys_interrupted = 1;
    }
}

void
signals_install (void)
{
    zsys_init ();
    zsys_handler_set (NULL);
    struct sigaction action;
    memset (&action, 0, sizeof action);
    action.sa_handler = s_handler;
    sigemptyset (&action.sa_mask);
    sigaction (SIGTERM, &action, NULL);
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGHUP, &action, NULL);
    signal (SIGPIPE, SIG_IGN);
}

bool
signals_stop_requested (void)
{
    return s_stop || zsys_interrupted;
}

bool
signals_take_reload (void)
{
    if (!s_reload)
        return false;
    s_reload = 0;
    return true;
}

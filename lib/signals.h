/*  signals.h: how daemons and tools react to signals.

    SIGTERM and SIGINT ask for a clean stop: they set czmq's zsys_interrupted, so
    zloop/zpoller based loops end, and signals_stop_requested() turns true. SIGHUP asks
    for a reload (log level and the like): signals_take_reload() returns true once per
    SIGHUP. A signal interrupts a blocking poll (EINTR), so loops must check both after
    their poll returns. SIGPIPE is ignored. Call after the first czmq socket is made or
    after zsys_init(), since zsys_init installs czmq's own handlers.
*/
#ifndef CAMPAIGN_SIGNALS_H
#define CAMPAIGN_SIGNALS_H

#include <stdbool.h>

void signals_install (void);
bool signals_stop_requested (void);
bool signals_take_reload (void);

#endif

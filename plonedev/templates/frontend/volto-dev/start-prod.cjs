// Written by plonedev into core/ (regenerated on each `plonedev up`; do not edit).
//
// Runs Volto's production server (build/server.js, from the current folder) as a
// container's PID 1. The kernel gives PID 1 no default signal handlers, and Volto sets
// none: without these, `docker stop` and rolling updates wait their whole grace period,
// then kill it. In a Swarm stack the task leaves the service's DNS when it is asked to
// stop, but the ingress may send requests for a few more seconds (its DNS cache): keep
// serving for DRAIN_SECONDS (default 0), then exit.
'use strict';

const path = require('path');

const drain = Math.max(0, Number(process.env.DRAIN_SECONDS || 0)) * 1000;
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    if (stopping) process.exit(0); // a second signal: now
    stopping = true;
    setTimeout(() => process.exit(0), drain);
  });
}

require(path.resolve('build', 'server.js'));

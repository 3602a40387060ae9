// Written by plonedev into core/ (regenerated on each `plonedev up`; do not edit).
//
// Runs Volto's production server (build/server.js, from the current folder) as a
// container's PID 1. The kernel gives PID 1 no default signal handlers, and Volto sets
// none: without these, `docker stop` and rolling updates wait their whole grace period,
// then kill it.
'use strict';

const path = require('path');

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}

require(path.resolve('build', 'server.js'));

// The compiled addon. Loading throws when the build did not happen (optional dependency: the
// gateway then falls back to node:dgram); src/dns/server/udp-batch.ts catches that.
'use strict';
module.exports = require('./build/Release/udp_batch.node');

'use strict';
// CommonJS entry: Nimbus is an ES module; require('nimbus') gets functions that load it on first use.
let loaded;
const load = () => (loaded ??= import('../dist/src/index.js'));

exports.startNimbus = (options) => load().then((m) => m.startNimbus(options));
exports.TEST_CREDENTIALS = Object.freeze({ accessKeyId: 'test', secretAccessKey: 'test' });

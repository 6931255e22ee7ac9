/* global require, exports */
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS by design, see below */
// Failure converter used when payload encryption is on (FERRY_CODEC_KEYS): failure messages and
// stack traces go into an encoded payload, so the codec encrypts them like every other payload.
// CommonJS on purpose: the worker `require`s this path and bundles it into the workflow sandbox,
// which works the same for the compiled CLI and for the TypeScript sources under the test runner.
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

#!/usr/bin/env node
// Mints an access token for the edge gateway, with the format code the
// worker itself uses (src/token.js). The key comes from the environment, not
// the command line, so it stays out of shell history and process lists.
//
//   GATEWAY_TOKEN_KEY=... node examples/edge-gateway/mint-token.mjs --client alice [--scopes forward,policy:strict] [--ttl 3600]
//   node examples/edge-gateway/mint-token.mjs --new-key     # prints a fresh random key
import { parseArgs } from 'node:util';
import { base64urlEncode, importTokenKey, mintToken } from './src/token.js';

const usage = 'usage: GATEWAY_TOKEN_KEY=... mint-token.mjs --client ID [--scopes forward,admin,policy:NAME] [--ttl SECONDS] | --new-key';

let args;
try {
  args = parseArgs({
    options: {
      client: { type: 'string' },
      scopes: { type: 'string', default: 'forward' },
      ttl: { type: 'string', default: '3600' },
      'new-key': { type: 'boolean', default: false },
    },
  }).values;
} catch (e) {
  console.error(`${e.message}\n${usage}`);
  process.exit(2);
}

if (args['new-key']) {
  console.log(base64urlEncode(crypto.getRandomValues(new Uint8Array(32))));
  process.exit(0);
}

const ttl = Number(args.ttl);
if (!args.client || !Number.isSafeInteger(ttl) || ttl <= 0) {
  console.error(usage);
  process.exit(2);
}
try {
  const key = await importTokenKey(process.env.GATEWAY_TOKEN_KEY);
  const scopes = args.scopes.split(',').filter(Boolean);
  console.log(await mintToken(key, { sub: args.client, scp: scopes, exp: Math.floor(Date.now() / 1000) + ttl }));
} catch (e) {
  console.error(`${e.message}\n${usage}`);
  process.exit(2);
}

#!/usr/bin/env node
// Validate a .glb/.gltf file with the Khronos glTF Validator (npm "gltf-validator",
// installed by scripts/install-tools.sh into <repo>/.tools/node).
//
// Usage:  node scripts/gltf_validate.js path/to/file.glb
// Prints JSON: {uri, validatorVersion, issues:{numErrors,numWarnings,numInfos,numHints,truncated},
//               messages:[{code,severity,pointer,message}, ... (max 50)]}
// Exit:   0 if numErrors == 0, 2 if numErrors > 0, 1 on usage/IO/parse-setup error.
'use strict';
const fs = require('fs');
const path = require('path');

const modPath = path.join(__dirname, '..', '.tools', 'node', 'node_modules', 'gltf-validator');
let validator;
try {
  validator = require(modPath);
} catch (e) {
  console.error(`gltf_validate: cannot load ${modPath}; run scripts/install-tools.sh (${e.message})`);
  process.exit(1);
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/gltf_validate.js FILE.glb');
  process.exit(1);
}
let data;
try {
  data = fs.readFileSync(file);
} catch (e) {
  console.error(`gltf_validate: cannot read ${file}: ${e.message}`);
  process.exit(1);
}

const SEVERITY = ['error', 'warning', 'info', 'hint'];
const MAX_MESSAGES = 50;

validator.validateBytes(new Uint8Array(data), {
  uri: path.basename(file),
  maxIssues: 0,            // unlimited; counts are always complete
  writeTimestamp: false,
  // external resources (.bin/.png next to a .gltf) are loaded relative to the file
  externalResourceFunction: (uri) => new Promise((resolve, reject) => {
    fs.readFile(path.resolve(path.dirname(file), decodeURIComponent(uri)),
      (err, buf) => (err ? reject(err.toString()) : resolve(new Uint8Array(buf))));
  }),
}).then((report) => {
  const iss = report.issues || {};
  const msgs = iss.messages || [];
  const out = {
    uri: report.uri,
    validatorVersion: report.validatorVersion,
    issues: {
      numErrors: iss.numErrors,
      numWarnings: iss.numWarnings,
      numInfos: iss.numInfos,
      numHints: iss.numHints,
      truncated: iss.truncated,
    },
    messages: msgs.slice(0, MAX_MESSAGES).map((m) => ({
      code: m.code,
      severity: SEVERITY[m.severity] ?? m.severity,
      pointer: m.pointer,
      message: m.message,
    })),
  };
  if (msgs.length > MAX_MESSAGES) out.messagesOmitted = msgs.length - MAX_MESSAGES;
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  process.exit(iss.numErrors === 0 ? 0 : 2);
}, (err) => {
  // rejection: invalid arguments or unrecognised format (not glTF/GLB at all)
  console.error(`gltf_validate: validator rejected input: ${err}`);
  process.exit(1);
});

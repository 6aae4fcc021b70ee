#!/usr/bin/env bash
# Checks deploy/k8s/harmonia.yaml without a cluster: every document is typed with the Kubernetes API types of the
# npm package kubernetes-models (generated from Kubernetes' OpenAPI schema) and compiled with TypeScript, whose
# excess-property check refuses unknown or misspelled fields and wrong types anywhere in the tree; then each document
# is validated against the package's JSON schemas (required fields, enums, formats). Needs node and npm (the packages
# are installed into a temporary directory). With a cluster at hand, `kubectl apply --dry-run=server -f` checks more.
#   deploy/k8s/validate.sh [manifest]   (default deploy/k8s/harmonia.yaml)
set -euo pipefail
MANIFEST="$(realpath "${1:-$(dirname "$0")/harmonia.yaml}")"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund kubernetes-models@4 js-yaml@4 typescript@5 >/dev/null
cat > check.js <<'EOF'
const fs = require('fs');
const yaml = require('js-yaml');
const kinds = {
  Service: ['IService', 'kubernetes-models/v1'],
  Deployment: ['IDeployment', 'kubernetes-models/apps/v1'],
  PodDisruptionBudget: ['IPodDisruptionBudget', 'kubernetes-models/policy/v1'],
};
const docs = yaml.loadAll(fs.readFileSync(process.argv[2], 'utf8')).filter(d => d);
let ts = '';
let bad = 0;
docs.forEach((doc, i) => {
  const kind = kinds[doc.kind];
  if (!kind) {
    console.log(`document ${i + 1}: expected one of ${Object.keys(kinds)}, found kind ${doc.kind}`);
    bad++;
    return;
  }
  ts += `import type { ${kind[0]} as T${i} } from "${kind[1]}";\n`
      + `export const d${i}: T${i} = ${JSON.stringify(doc, null, 1)};\n`;
  const { [doc.kind]: Model } = require(kind[1]);
  try {
    new Model(doc).validate();
    console.log(`schema ok: ${doc.apiVersion} ${doc.kind} ${doc.metadata.name}`);
  } catch (e) {
    console.log(`schema INVALID: ${doc.kind} ${doc.metadata && doc.metadata.name}: ${e.message}`);
    bad++;
  }
});
fs.writeFileSync('manifest.ts', ts);
process.exit(bad ? 1 : 0);
EOF
status=0
node check.js "$MANIFEST" || status=1
if npx tsc --noEmit --strict --skipLibCheck --target es2020 --moduleResolution node manifest.ts; then
  echo "fields ok: every field of $MANIFEST is a known field of its Kubernetes type"
else
  echo "fields INVALID (above: manifest.ts is $MANIFEST as TypeScript, one document per export)"
  status=1
fi
exit $status

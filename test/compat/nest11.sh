#!/usr/bin/env bash
# Runs the @logstash-async/nest specs against Nest 11 (the repository develops on Nest 12):
# packs core and nest, installs them with Nest 11 in a temporary directory, type-checks the
# package's sources and specs there against Nest 11's types, and runs the specs with mocha.
# Not part of `npm test` (it installs from the registry); run it after `npm run build`.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
node="$root/node_modules/node/bin/node"
tsc="$root/node_modules/.bin/tsc"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
npm pack --silent -w packages/core -w packages/nest --pack-destination "$work" >/dev/null 2>&1
cd "$work"
cat > package.json <<'JSON'
{
  "name": "nest11-compat",
  "private": true,
  "dependencies": {
    "@logstash-async/core": "file:./logstash-async-core-0.1.0.tgz",
    "@logstash-async/nest": "file:./logstash-async-nest-0.1.0.tgz",
    "@nestjs/common": "^11.1.0",
    "@nestjs/core": "^11.1.0",
    "@nestjs/platform-express": "^11.1.0",
    "@nestjs/platform-fastify": "^11.1.0",
    "reflect-metadata": "^0.2.2",
    "rxjs": "^7.8.2",
    "supertest": "^7.3.2",
    "mocha": "^12.0.3",
    "@types/node": "^24.19.2",
    "@types/mocha": "^10.0.10",
    "@types/supertest": "^7.2.1"
  }
}
JSON
npm install --no-audit --no-fund --loglevel=error >/dev/null 2>&1
echo "Nest $(cd node_modules/@nestjs/core && "$node" -p 'require("./package.json").version')"

# The same relative layout as the repository, so the specs' imports resolve unchanged.
mkdir -p ws/packages/nest ws/test
cp -r "$root/packages/nest/src" "$root/packages/nest/test" ws/packages/nest/
cp -r "$root/test/helpers" ws/test/
cp "$root/tsconfig.base.json" ws/
cat > ws/tsconfig.json <<'JSON'
{
  "extends": "./tsconfig.base.json",
  "compilerOptions": {
    "rootDir": ".", "outDir": "build", "composite": false, "incremental": false,
    "declaration": false, "declarationMap": false, "types": ["node", "mocha"]
  },
  "include": ["packages/nest/src/**/*.ts", "packages/nest/test/**/*.ts", "test/helpers/*.ts"]
}
JSON
cd ws
"$tsc" -p tsconfig.json
"$node" ../node_modules/mocha/bin/mocha.js --timeout 20000 'build/packages/nest/test/*.test.js'

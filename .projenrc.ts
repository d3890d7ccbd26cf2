import { awscdk, github, javascript } from 'projen';

// ---- Issue 14: toolchains for GitHub Actions ----
// `npm test` builds and runs the Python, Java and Go bindings and lints the workflows with
// actionlint (a Go program), so every GitHub job that runs it sets up the same toolchains as
// this project's machines: Java 17 (Maven comes with the runner image), Python 3.11, Go 1.25+.
const bindingToolchains: github.workflows.JobStep[] = [
  { name: 'Set up Java 17', uses: 'actions/setup-java@v6.0.0', with: { 'distribution': 'temurin', 'java-version': '17' } },
  { name: 'Set up Python 3.11', uses: 'actions/setup-python@v7.0.0', with: { 'python-version': '3.11' } },
  { name: 'Set up Go', uses: 'actions/setup-go@v7.0.0', with: { 'go-version-file': 'bindings/go/go.mod', 'cache': false } },
];
// ---- end issue 14 ----

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-saas-privatelink',
  description:
    'AWS CDK constructs that connect an AWS network to SaaS vendors (Dynatrace, Monte Carlo, Rivery, any other) over AWS PrivateLink, safe by default.',
  author: 'cdk-saas-privatelink maintainers',
  authorAddress: 'maintainers@users.noreply.h-seed-0ce3368c.example',
  repositoryUrl: 'https://github.com/maintainers/cdk-saas-privatelink.git',
  license: 'Apache-2.0',
  keywords: ['cdk', 'aws-cdk', 'privatelink', 'vpc-endpoint', 'dynatrace', 'monte-carlo', 'rivery'],
  stability: 'experimental',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  // The lowest aws-cdk-lib where Validations.of(app).addPlugins(new PrivateLinkChecks(app)) reports, and fails, in
  // every language (2.258 hands plugins the construct tree; from 2.262 a failed validation throws, so Python exits 1).
  cdkVersion: '2.262.0',
  constructsVersion: '10.5.1',
  jsiiVersion: '~5.9.0',
  typescriptVersion: '~5.9.0',

  // ---- Issue 14: Node.js 22/24, GitHub workflows, releases ----
  // The supported Node.js LTS lines are 22 and 24 (engines: >= 22); CI and GitHub run on 24.
  minNodeVersion: '22.0.0',
  workflowNodeVersion: '24.x',
  // build.yml (build = `npm test` + packaging, self-mutation), release.yml (npm, PyPI, Maven
  // Central, NuGet, Go), upgrade-main.yml (dependency upgrades as pull requests).
  github: true,
  // No Mergify app, no semantic-title rule for pull requests, no template: the workflows only.
  githubOptions: { mergify: false, pullRequestLint: false },
  pullRequestTemplate: false,
  release: true,
  releaseToNpm: true,
  buildWorkflowOptions: {
    // `npm ci` as in .ci/run; files the build changes are still pushed back (self-mutation).
    mutableInstall: false,
    preBuildSteps: bindingToolchains,
  },
  releaseWorkflowSetupSteps: bindingToolchains,
  // ---- end issue 14 ----
  publishToPypi: {
    distName: 'cdk-saas-privatelink',
    module: 'cdk_saas_privatelink',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdksaasprivatelink',
    mavenGroupId: 'io.github.cdk-saas-privatelink',
    mavenArtifactId: 'cdk-saas-privatelink',
  },
  publishToNuget: {
    dotNetNamespace: 'CdkSaasPrivateLink',
    packageId: 'CdkSaasPrivateLink',
  },
  publishToGo: {
    moduleName: 'github.com/maintainers/cdk-saas-privatelink-go',
    packageName: 'cdksaasprivatelink',
  },

  // Runtime dependencies are bundled into the jsii package (jsii requires it).
  bundledDeps: ['yaml@^2'],
  // The PrivateLinkChecks rule pack extends cdk-nag's NagPack.
  peerDeps: ['cdk-nag@^3.0.2'],
  devDeps: [
    '@aws-sdk/client-ec2@^3',
    '@aws-sdk/client-secrets-manager@^3',
    '@aws-sdk/client-elastic-load-balancing-v2@^3',
    '@aws-sdk/client-cloudwatch@^3',
    '@aws-sdk/client-lambda@^3',
    'dns-packet@^5',
    '@types/dns-packet@^5',
    'fast-check@^4',
    'tsconfig-paths@^4',
    '@types/node@^22', // issue 14: the lowest supported Node.js line
    // issue 14: integ.*.ts apps (test/integ/) with assertions (2.245.0-alpha.0 is the newest
    // integ-tests-alpha the registry serves; its peer range covers the floor), and the CLI that
    // deploys them (2.1144.0 is the first that reads the floor's cloud assembly schema 54).
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    'aws-cdk@^2.1144.0',
  ],

  // Handlers (*.lambda.ts) are bundled by esbuild when the library is built, never at the user's synth.
  lambdaAutoDiscover: true,
  // SDK v3 reuses connections by itself; no environment variable needed.
  lambdaOptions: { runtime: awscdk.LambdaRuntime.NODEJS_24_X, awsSdkConnectionReuse: false },

  jestOptions: {
    // Snapshots are assertions: `npm test` never rewrites them (`npx projen test:update` does).
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      moduleNameMapper: {
        '^cdk-saas-privatelink$': '<rootDir>/src/index.ts',
      },
      testPathIgnorePatterns: ['/node_modules/', '/examples/cdk.out/'],
      modulePathIgnorePatterns: ['<rootDir>/examples/cdk.out/', '<rootDir>/dist/'],
    },
  },
  // Lint in `npm test` reports; it never rewrites files.
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'scripts', 'bench'],
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
    commandOptions: { fix: false },
  },
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    compilerOptions: {
      baseUrl: '.',
      paths: { 'cdk-saas-privatelink': ['src/index.ts'] },
    },
    include: ['.projenrc.ts', 'projenrc/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
  },
  gitignore: ['/examples/cdk.out/', '/.venv/', '/.checkov-report/', '/.venv-bindings/', '/bindings/java/target/'],
  npmIgnoreOptions: { ignorePatterns: ['/examples/', '/bench/', '/.ci/', '/scripts/', '/.venv/', '/docs/', '/bindings/', '/.venv-bindings/'] },
});


// Handlers run on Lambda, whose Node.js runtime provides the AWS SDK v3: they may import it
// although the library lists it as a dev dependency only.
project.eslint?.addOverride({
  files: ['src/**/*.lambda.ts', 'src/internal/runtime/**/*.ts'],
  rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true, peerDependencies: true }] },
});

// The main job: synthesize every example app and print what each stack creates.
const examples = project.addTask('examples', {
  description: 'Synthesize every app in examples/ into examples/cdk.out/ and print what each stack creates',
});
examples.spawn(project.bundler.bundleTask);
examples.exec('ts-node --project tsconfig.dev.json -r tsconfig-paths/register scripts/synth-examples.ts');

// Benchmarks measure and print; they never fail on time and are not part of npm test.
const bench = project.addTask('bench', {
  description: 'Run the benchmarks in bench/ and print their figures',
});
bench.spawn(project.bundler.bundleTask);
// Issue 21: stacks, waves, resources, functions and custom resources of 1, 50 and 125 spokes, and their synth time.
bench.exec('ts-node --project tsconfig.dev.json -r tsconfig-paths/register bench/spoke-layout.ts');
bench.exec('ts-node --project tsconfig.dev.json -r tsconfig-paths/register bench/synth-spokes.ts');
bench.exec('ts-node --project tsconfig.dev.json -r tsconfig-paths/register bench/reference-app.ts');
bench.exec('ts-node --project tsconfig.dev.json bench/handlers.ts');
// Python binding synth time ÷ TypeScript synth time for the same app (builds the wheel first).
bench.exec('bash bench/python-binding.sh');

// Architecture pictures for the README, rendered from the synthesized examples with Graphviz's dot
// (Debian package graphviz). Not part of `npm test`: CI does not need Graphviz.
const pictures = project.addTask('pictures', {
  description: 'Synthesize the main examples and render docs/pictures/<example>.png and .svg with Graphviz (apt-get install graphviz)',
});
pictures.exec('dot -V || (echo "pictures: Graphviz dot not found, install it with: apt-get install graphviz" && exit 1)');
pictures.spawn(project.bundler.bundleTask);
pictures.exec('ts-node --project tsconfig.dev.json -r tsconfig-paths/register scripts/pictures.ts');

// Barrels load their modules (and cdk-nag, behind PrivateLinkChecks) on first use, not with the package (import cost).
project.tasks.tryFind('post-compile')!.exec('ts-node --project tsconfig.dev.json scripts/lazy-index.ts');

// The refusals catalogue in README.md is generated from the source (a test checks it is current).
project.addTask('refusals', {
  description: 'Regenerate the catalogue of synth-time refusals in README.md from src/',
  exec: 'ts-node --project tsconfig.dev.json scripts/refusals.ts',
});

// The Lifecycle tables in README.md are rendered from the rows the handler tests assert (a test checks they are current).
project.addTask('lifecycle', {
  description: 'Regenerate the Lifecycle tables in README.md from test/**/*.lifecycle.ts',
  exec: 'ts-node --project tsconfig.dev.json scripts/lifecycle.ts',
});

// Python tools (cfn-lint, checkov, and moto as a local AWS stand-in for handler tests).
const pythonTools = project.addTask('python-tools', {
  description: 'Create .venv/ with the pinned Python tools the tests use',
  exec: 'bash scripts/python-tools.sh',
});

// Template checks users trust: cfn-lint and checkov over every synthesized example template.
const templateChecks = project.addTask('test:templates', {
  description: 'cfn-lint and checkov over every synthesized example template (Python tools in .venv)',
});
templateChecks.spawn(examples);
templateChecks.exec('bash scripts/check-templates.sh');

// `npm test` runs everything: jsii compile, jest, eslint, then the template checks.
const test = project.tasks.tryFind('test')!;
// ts-jest transpiles without type checks; type-check tests, examples, bench and scripts here.
const typecheck = project.addTask('typecheck', {
  description: 'Type-check everything outside src/ (tests, examples, bench, scripts)',
  exec: 'tsc --noEmit -p tsconfig.dev.json',
});
test.prependSpawn(typecheck);
test.prependSpawn(project.tasks.tryFind('post-compile')!);
test.prependSpawn(project.tasks.tryFind('compile')!);
test.prependSpawn(project.tasks.tryFind('pre-compile')!);
test.prependSpawn(pythonTools);
test.spawn(templateChecks);
// ---- Issue 14: Node.js check, jsii-diff, the latest aws-cdk-lib pass, actionlint ----
// Folders of the clone's own: Node.js (scripts/use-node.sh), the latest CDK packages
// (scripts/latest-cdk.ts), Go tools such as actionlint (GOBIN, scripts/actionlint.sh). Not in git,
// not in the npm package, and jest neither crawls nor resolves modules from them.
const ownFolders = ['.node', '.latest-cdk', '.tools'];
project.gitignore.exclude(...ownFolders.map((dir) => `/${dir}/`));
project.npmignore?.exclude(...ownFolders.map((dir) => `/${dir}/`));
project.tryFindObjectFile('package.json')!.addToArray('jest.modulePathIgnorePatterns', ...ownFolders.map((dir) => `<rootDir>/${dir}/`));
// The first line of `npm test`: the node it runs on (22 or later, or it stops with what to do).
const nodeCheck = project.addTask('node-check', {
  description: 'Print the Node.js in use; fail if it is older than 22 (scripts/use-node.sh installs one into .node/)',
  exec: 'bash scripts/use-node.sh --check',
});
test.prependSpawn(nodeCheck);
// jsii-diff against the last release on npm; a dry run that cannot fail until there is one.
const compat = project.tasks.tryFind('compat')!;
compat.reset('bash scripts/compat.sh');
compat.description = 'jsii-diff against the last release on npm (a dry run that cannot fail before the first release)';
test.spawn(compat);
// The examples on a later aws-cdk-lib, compared with the floor (issue 24). The later versions that
// fail npm test are the ones recorded in scripts/latest-cdk.json, moved deliberately with
// latest-cdk:bump, so a publish upstream cannot turn main red; the newest on the registry is
// reported by a step that never fails.
const latestCdk = project.addTask('test:latest-cdk', {
  description: 'Synthesize every example on the aws-cdk-lib recorded in scripts/latest-cdk.json and on the floor; fail on an unexplained difference or a handler outside the runtime policy',
  exec: 'ts-node -T --project tsconfig.dev.json scripts/latest-cdk.ts check',
});
test.spawn(latestCdk);
const latestCdkNewest = project.addTask('test:latest-cdk:newest', {
  description: 'Report what the newest aws-cdk-lib, constructs and cdk-nag on the registry would change against the record (never fails)',
  exec: 'ts-node -T --project tsconfig.dev.json scripts/latest-cdk.ts newest',
});
test.spawn(latestCdkNewest);
project.addTask('latest-cdk:bump', {
  description: 'Record the newest (or the given) aws-cdk-lib in scripts/latest-cdk.json, drop known differences no longer seen, add new ones for their reasons',
  exec: 'ts-node -T --project tsconfig.dev.json scripts/latest-cdk.ts bump',
  receiveArgs: true,
});
// actionlint over the generated GitHub workflows (installed with Go into .tools/bin/).
const workflowsLint = project.addTask('test:workflows', {
  description: 'Lint .github/workflows/*.yml with actionlint (needs Go; installs it into .tools/bin/)',
  exec: 'bash scripts/actionlint.sh',
});
test.spawn(workflowsLint);
// The integration tests (test/integ/integ.*.ts): their snapshots are checked in `npm test` without
// deploying; `integ:deploy` deploys and verifies them with an account (scripts/integ.ts says why
// this is not integ-runner: no release of it on the registry reads the floor's assembly schema).
const integ = project.addTask('integ', {
  description: 'Synthesize test/integ/integ.*.ts and compare each with its committed snapshot (no AWS)',
  exec: 'ts-node -T --project tsconfig.dev.json scripts/integ.ts check',
  receiveArgs: true,
});
project.addTask('integ:update', {
  description: 'Rewrite the snapshots of test/integ/integ.*.ts from a fresh synth (no AWS)',
  exec: 'ts-node -T --project tsconfig.dev.json scripts/integ.ts update',
  receiveArgs: true,
});
project.addTask('integ:deploy', {
  description: 'Deploy each test/integ/integ.*.ts with your AWS credentials, check its assertions, then destroy it (--keep keeps it)',
  exec: 'ts-node -T --project tsconfig.dev.json scripts/integ.ts deploy',
  receiveArgs: true,
});
test.spawn(integ);
// GitHub's build and release jobs run `npx projen build`: the projen synth (self-mutation), then
// exactly `npm test` (which compiles first), then packaging; not a second compile before the
// tests. The build workflow locks the build task, so this overrides its steps in tasks.json.
project.tryFindObjectFile('.projen/tasks.json')!.addOverride('tasks.build.steps', [
  { spawn: project.defaultTask!.name },
  { spawn: test.name },
  { spawn: project.packageTask.name },
]);
// ---- end issue 14 ----
// The Python, Java and Go bindings, built with jsii-pacmak, each synthesizing the Dynatrace
// same-region scenario in its own language (pytest, Maven Surefire, go test). Needs the compile above.
const bindingsTask = project.addTask('test:bindings', {
  description: 'Build the Python, Java and Go bindings with jsii-pacmak and run a small app in each language',
  exec: 'bash bindings/run.sh',
});
test.spawn(bindingsTask);
// Snapshots of examples include handler assets, so bundle before re-recording them.
project.tasks.tryFind('test:update')?.prependSpawn(project.bundler.bundleTask);
// API.md is generated by the compile above; a stale committed copy fails the run.
test.exec('git diff --exit-code --stat -- API.md || (echo "API.md is out of date: run npx projen build and commit it" >&2; exit 1)');
// The last line of the run: the jest totals, as "jest: N passed, N failed".
test.exec('bash scripts/test-summary.sh');

// unrs-resolver 1.13.0 (under eslint-import-resolver-typescript) lists platform bindings that the
// registry does not serve, which leaves package-lock.json out of sync and breaks `npm ci`.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

project.synth();

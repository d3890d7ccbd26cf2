#!/usr/bin/env bash
# Builds the Python, Java and Go bindings with jsii-pacmak and runs, in each language, a small app
# that synthesizes the Dynatrace same-region scenario through the binding and checks the resources
# it produced (pytest, Maven Surefire with JUnit 5, go test). Part of `npm test` (test:bindings).
#
# Needs the jsii compile (`npx projen compile`: .jsii, lib/, assets/) and installs the rest itself:
#   Python  .venv-bindings/ with bindings/python/requirements.txt from PyPI, plus dist/python/*.whl
#   Java    Maven Central into $MAVEN_REPO_LOCAL (default ~/.m2/repository); the binding from dist/java
#   Go      the Go module proxy into Go's module cache; the binding from dist/go/cdksaasprivatelink
# .NET is not built: no .NET SDK can be installed on this project's machines (see README, Bindings).
#
# Usage: bash bindings/run.sh [--prepare-only] [python] [java] [go]   (default: all three)
#   --prepare-only  build and install, run no test (bench/python-binding.sh uses it for Python)
# Runs every language asked for, then exits non-zero if any build or test failed.
set -euo pipefail
cd "$(dirname "$0")/.."

prepare_only=false
langs=()
for arg in "$@"; do
  case "$arg" in
    --prepare-only) prepare_only=true ;;
    python | java | go) langs+=("$arg") ;;
    *) echo "bindings/run.sh: unknown argument '$arg' (expected --prepare-only, python, java, go)" >&2; exit 2 ;;
  esac
done
[ ${#langs[@]} -gt 0 ] || langs=(python java go)

for f in .jsii lib/index.js assets; do
  if [ ! -e "$f" ]; then
    echo "bindings/run.sh: $f is missing: run 'npx projen compile' (or 'npm test') first" >&2
    exit 1
  fi
done

export PYTHONDONTWRITEBYTECODE=1
maven_repo=${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}
pacmak=(npx --no-install jsii-pacmak --no-npmignore)

step() { printf '\n=== bindings: %s (%ss)\n' "$*" "$SECONDS"; }

python_binding() {
  step "python: build the wheel with jsii-pacmak"
  # --force: the fingerprint covers the assembly only, not lib/*.js or the bundled handlers.
  "${pacmak[@]}" --force --target python
  local wheel venv=.venv-bindings requirements=bindings/python/requirements.txt
  wheel=$(ls dist/python/cdk_saas_privatelink-*.whl)
  step "python: install into $venv"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  local stamp="$venv/.installed-$(sha256sum "$requirements" | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    rm -f "$venv"/.installed-*
    touch "$stamp"
  fi
  # The version is always 0.0.0: force the reinstall, then check that its dependencies are met.
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall "$wheel"
  "$venv/bin/python" -m pip check --disable-pip-version-check
  $prepare_only && return 0
  step "python: pytest"
  "$venv/bin/python" -m pytest -p no:cacheprovider bindings/python
}

java_binding() {
  # jsii-pacmak asks Maven for cdknag [3.0.2,4.0.0); the version listing that Maven Central serves
  # here stops at 2.x although 3.0.2 itself is there, so the range finds nothing. Installing the
  # exact version into the local repository (maven-metadata-local.xml) lets the range resolve.
  local nag_version
  nag_version=$(node -p "require('cdk-nag/package.json').version")
  if ! grep -qs "<version>$nag_version</version>" "$maven_repo/io/github/cdklabs/cdknag/maven-metadata-local.xml"; then
    step "java: install cdknag $nag_version from Maven Central into the local repository"
    local packaging dir="$maven_repo/io/github/cdklabs/cdknag/$nag_version" tmp
    for packaging in jar pom; do
      mvn -B -q -ntp dependency:get -Dmaven.repo.local="$maven_repo" -Dtransitive=false \
        -Dartifact="io.github.cdklabs:cdknag:$nag_version:$packaging"
    done
    tmp=$(mktemp -d)
    cp "$dir/cdknag-$nag_version.jar" "$dir/cdknag-$nag_version.pom" "$tmp/"
    mvn -B -q -ntp install:install-file -Dmaven.repo.local="$maven_repo" \
      -Dfile="$tmp/cdknag-$nag_version.jar" -DpomFile="$tmp/cdknag-$nag_version.pom"
    rm -rf "$tmp"
  fi
  step "java: build the jar with jsii-pacmak (Maven)"
  "${pacmak[@]}" --force --target java --maven-local-repository "$maven_repo"
  # Same version every build: drop the copy Maven cached from dist/java by an earlier run.
  rm -rf "$maven_repo/io/github/cdk-saas-privatelink/cdk-saas-privatelink"
  $prepare_only && return 0
  step "java: mvn test"
  mvn -B -ntp -Dmaven.repo.local="$maven_repo" -f bindings/java/pom.xml test
}

go_binding() {
  step "go: generate the module with jsii-pacmak"
  "${pacmak[@]}" --force --target go --code-only
  # The library's Go module imports cdk-nag's (PrivateLinkChecks extends NagPack). The Go module
  # proxy reachable here does not serve github.com/cdklabs/cdk-nag-go, so generate that module
  # too, from the cdk-nag npm package the library was compiled against (same generator, same code).
  "${pacmak[@]}" --force --target go --code-only --outdir dist node_modules/cdk-nag
  # Generated go.mod files list aws-cdk-lib's own dependencies (asset and schema modules) as
  # `// indirect` at the versions in node_modules; some of those exact versions are not on the
  # proxy reachable here. Drop them: aws-cdk-go's own go.mod (bindings/go/go.mod) chooses them.
  local mod req
  for mod in dist/go/cdksaasprivatelink dist/go/cdknag; do
    for req in $(awk '/\/\/ indirect/ { print $1 }' "$mod/go.mod"); do
      (cd "$mod" && go mod edit -droprequire="$req")
    done
  done
  # -mod=mod: go.sum may gain entries when the generated module's requirements change.
  if $prepare_only; then
    step "go: download modules and compile the test"
    (cd bindings/go && GOFLAGS="${GOFLAGS:-} -mod=mod" go test -c -o /dev/null .)
    return 0
  fi
  step "go: go test (downloads modules and compiles first)"
  (cd bindings/go && GOFLAGS="${GOFLAGS:-} -mod=mod" go test -count=1 -v ./...)
}

# The toolchain each language needs. A machine with only Node.js and Python (the README's promise
# for `npm test`) skips Java and Go loudly; CI (CI=true) has them all and skips nothing.
toolchain() {
  case "$1" in
    python) command -v python3 ;;
    java) command -v java && command -v mvn ;;
    go) command -v go ;;
  esac
}

failed=()
skipped=()
for lang in "${langs[@]}"; do
  if ! toolchain "$lang" > /dev/null; then
    if [ "${CI:-}" = "true" ]; then
      echo "bindings: $lang FAILED: its toolchain is missing on this CI machine" >&2
      failed+=("$lang")
    else
      echo "bindings: $lang SKIPPED: its toolchain is not installed here (java + mvn, or go); CI runs it" >&2
      skipped+=("$lang")
    fi
    continue
  fi
  # A subshell with -e of its own (not in an `if`, where bash would ignore -e): the first failing
  # step ends that language, and the next language still runs.
  set +e
  (set -e; "${lang}_binding")
  rc=$?
  set -e
  if [ $rc -ne 0 ]; then
    echo "bindings: $lang FAILED (exit $rc)" >&2
    failed+=("$lang")
  fi
done

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "bindings: failed: ${failed[*]} (of ${langs[*]}) after ${SECONDS}s" >&2
  exit 1
fi
ran=()
for lang in "${langs[@]}"; do [[ " ${skipped[*]} " == *" $lang "* ]] || ran+=("$lang"); done
echo "bindings: ${ran[*]:-none} ok after ${SECONDS}s${skipped[0]:+; SKIPPED (toolchain missing): ${skipped[*]}} (.NET not built: see README, Bindings)"

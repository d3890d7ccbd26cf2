/*
 * The init container's side of EdgeConnect: where it writes edgeConnect.yaml and the
 * certificates, and the POSIX shell script that writes them.
 */

/** Where the init container writes edgeConnect.yaml and the certificates. */
export const CONFIG_DIR = '/etc/edgeconnect-config';

export function certificatePath(index: number, format: string): string {
  return `${CONFIG_DIR}/certs/root-${index}.${format}`;
}

/** The init container's variable holding the token of `config.secrets[index]` from Secrets Manager. */
export function tokenVariable(index: number): string {
  return `PLACEHOLDER_TOKEN_${index}`;
}

/** What stands for that token in EDGE_CONNECT_YAML until the init container puts it in. */
export function tokenMarker(index: number): string {
  return `__${tokenVariable(index)}__`;
}

/**
 * The init container's script: the YAML and PEM certificates arrive as environment
 * variables (PEM from secrets and parameters as is, files as base64) and become files.
 * Placeholder tokens from Secrets Manager arrive as ECS secrets: each is checked against the
 * token format (a failure names the entry, never the value) and replaces its marker in the
 * YAML. Only shell built-ins touch a token, so it never shows in a process's arguments.
 */
export function initScript(certificates: { format: string; base64: boolean }[], tokens: number[]): string {
  const lines = [
    'set -eu',
    'umask 022',
    `mkdir -p ${CONFIG_DIR}/certs`,
  ];
  if (tokens.length === 0) {
    lines.push(`printf '%s\\n' "$EDGE_CONNECT_YAML" > ${CONFIG_DIR}/edgeConnect.yaml`);
  } else {
    // POSIX sh only (busybox, dash): no grep or sed, so a custom initImage needs nothing more.
    const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    lines.push(
      'bad_token() { echo "config.secrets[$1].tokenSecret: the placeholder token in Secrets Manager must be \\"dt0e01.\\" ' +
        'followed by 24 and then 64 characters of A-Z and 2-7, separated by a dot, with no spaces or newline (value not shown)" >&2; exit 1; }',
      'check_token() { case $2 in dt0e01.*) r=${2#dt0e01.} ;; *) r= ;; esac; id=${r%%.*}; s=${r#*.}; ' +
        `if [ \${#id} -ne 24 ] || [ \${#s} -ne 64 ]; then bad_token "$1"; fi; case $id$s in *[!${base32}]*) bad_token "$1" ;; esac; }`,
      'yaml=$EDGE_CONNECT_YAML',
    );
    for (const i of tokens) {
      const variable = tokenVariable(i);
      lines.push(
        `check_token ${i} "$${variable}"`,
        `yaml=\${yaml%%"${tokenMarker(i)}"*}$${variable}\${yaml#*"${tokenMarker(i)}"}`,
      );
    }
    lines.push(`printf '%s\\n' "$yaml" > ${CONFIG_DIR}/edgeConnect.yaml`);
  }
  certificates.forEach(({ format, base64 }, i) => {
    lines.push(base64
      ? `printf '%s' "$ROOT_CERTIFICATE_${i}" | base64 -d > ${certificatePath(i, format)}`
      : `printf '%s\\n' "$ROOT_CERTIFICATE_${i}" > ${certificatePath(i, format)}`);
  });
  return lines.join('\n');
}

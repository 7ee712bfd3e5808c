// Kubernetes-style variable references in command and args: `$(PORT)` becomes the value of PORT in
// the replica's effective env; `$$` is a literal `$` (so `$$(PORT)` stays `$(PORT)`); a reference to
// an unknown variable is left as written. Lets a command take its port as an argument
// (`busybox httpd -p $(PORT)`) without a shell.
const REF = /\$(\$|\(([A-Za-z_][A-Za-z0-9_]*)\))/g;

export function expandVars(text: string, env: ReadonlyMap<string, string>): string {
  if (!text.includes('$')) return text;
  return text.replace(REF, (whole, inner: string, name: string | undefined) => {
    if (inner === '$') return '$';
    const value = name !== undefined ? env.get(name) : undefined;
    return value ?? whole;
  });
}

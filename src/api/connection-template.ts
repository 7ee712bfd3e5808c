// Connection-string templates (Resource spec.connectionString, spec.databases[].connectionString):
// literal text with placeholders in braces. One grammar for the builder (which checks templates)
// and the replicas controller (which resolves them from the consumer's side):
//   {cache.tcp.host}     endpoint `tcp` of resource `cache`: host | port | url | hostAndPort | scheme | targetPort
//   {cache.password}     the parameter `cache-password` (a resource's parameter, Aspire's naming)
//   {api-key}            the parameter `api-key`
//   {connectionString}   (database templates) the owning resource's connection string
//   {{ and }}            literal braces
import type { EndpointProperty } from './types.ts';

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'endpoint'; resource: string; endpoint: string; property: EndpointProperty }
  | { kind: 'parameter'; name: string }
  | { kind: 'connectionString' };

export type ParsedTemplate = { ok: true; parts: TemplatePart[] } | { ok: false; message: string };

const PROPERTIES: readonly EndpointProperty[] = ['url', 'host', 'port', 'targetPort', 'scheme', 'hostAndPort'];

function placeholder(token: string): TemplatePart | string {
  const t = token.trim();
  if (t === 'connectionString') return { kind: 'connectionString' };
  const segments = t.split('.');
  if (segments.some((s) => s === '')) return `empty name in {${token}}`;
  if (segments.length === 1) return { kind: 'parameter', name: t };
  if (segments.length === 2) return { kind: 'parameter', name: `${segments[0]}-${segments[1]}` };
  if (segments.length === 3) {
    const property = PROPERTIES.find((p) => p.toLowerCase() === segments[2]!.toLowerCase());
    if (!property) return `{${token}}: unknown endpoint property "${segments[2]}" (one of ${PROPERTIES.join(', ')})`;
    return { kind: 'endpoint', resource: segments[0]!, endpoint: segments[1]!, property };
  }
  return `{${token}}: expected {resource.endpoint.property}, {resource.parameter} or {parameter}`;
}

export function parseConnectionTemplate(template: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  let text = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if ((c === '{' || c === '}') && template[i + 1] === c) {
      text += c;
      i++;
      continue;
    }
    if (c === '}') return { ok: false, message: `unmatched "}" at ${i} (write }} for a literal brace)` };
    if (c !== '{') {
      text += c;
      continue;
    }
    const end = template.indexOf('}', i + 1);
    if (end < 0) return { ok: false, message: `unclosed "{" at ${i} (write {{ for a literal brace)` };
    const part = placeholder(template.slice(i + 1, end));
    if (typeof part === 'string') return { ok: false, message: part };
    if (text) parts.push({ kind: 'text', text });
    text = '';
    parts.push(part);
    i = end;
  }
  if (text) parts.push({ kind: 'text', text });
  return { ok: true, parts };
}

/** `ConnectionStrings__<name>`: the .NET configuration key Aspire injects. */
export function connectionStringVariableName(name: string): string {
  return `ConnectionStrings__${name}`;
}

/** `Parameters__<name>`: where a parameter's value is read from apphost's own environment. */
export function parameterVariableName(name: string): string {
  return `Parameters__${name}`;
}

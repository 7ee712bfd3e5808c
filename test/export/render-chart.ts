// Renders an exported chart as `helm template` does, with the real Go text/template engine (Go's
// own package compiled to WebAssembly): each templates/* file with {Values, Release, Chart}, then
// split into YAML documents. The chart uses Go built-ins only, so this is the rendering Helm does;
// Helm itself cannot be installed here (no Debian or npm package). The engine fails on a key
// missing from the values (Helm would print nothing), so a typo in a template fails the test.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as renderGoTemplate } from '@evertdespiegeleer/go-template';
import { parse, parseAllDocuments } from 'yaml';

export interface RenderedChart {
  objects: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: unknown }[];
  notes: string;
}

export async function renderChart(dir: string, release: { name: string; namespace: string }, overrides: (values: Record<string, unknown>) => void = () => {}): Promise<RenderedChart> {
  const chart = parse(readFileSync(join(dir, 'Chart.yaml'), 'utf8')) as { name: string; version: string; appVersion?: string };
  const values = parse(readFileSync(join(dir, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  overrides(values);
  const root = {
    Values: values,
    Release: { Name: release.name, Namespace: release.namespace, Service: 'Helm', IsInstall: true, IsUpgrade: false, Revision: 1 },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion ?? '' },
  };
  const objects: RenderedChart['objects'] = [];
  let notes = '';
  for (const file of readdirSync(join(dir, 'templates')).sort()) {
    const text = await renderGoTemplate(readFileSync(join(dir, 'templates', file), 'utf8'), root);
    if (file === 'NOTES.txt') {
      notes = text;
      continue;
    }
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) throw new Error(`templates/${file}: ${doc.errors[0]!.message}\n${text}`);
      const obj = doc.toJS();
      if (obj) objects.push(obj);
    }
  }
  return { objects, notes };
}

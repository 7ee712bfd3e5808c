// Scraping apphost's /metrics with the real kubectl (`get --raw /metrics`) and parsing the text with
// the official Prometheus client's parser (Debian's python3-prometheus-client), so a malformed
// exposition fails the test instead of being read around.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
const PYTHON = '/usr/bin/python3';

export interface Sample {
  /** Series name, e.g. `workqueue_adds_total` or `..._bucket`. */
  name: string;
  labels: Record<string, string>;
  value: number;
  /** The family's TYPE. */
  type: string;
}

const PARSE = `
import json, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.append({"name": s.name, "labels": s.labels, "value": s.value, "type": family.type})
json.dump(out, sys.stdout)
`;

/** Parses Prometheus text exposition (throws on malformed text). */
export async function parseMetrics(text: string): Promise<Sample[]> {
  const child = run(PYTHON, ['-c', PARSE], { maxBuffer: 64 * 1024 * 1024 });
  child.child.stdin!.end(text);
  const { stdout } = await child;
  return JSON.parse(stdout) as Sample[];
}

/** `kubectl get --raw /metrics`, parsed. */
export async function scrape(kubeconfig: string): Promise<Sample[]> {
  const { stdout } = await run(KUBECTL, ['--kubeconfig', kubeconfig, 'get', '--raw', '/metrics'], { timeout: 20_000, maxBuffer: 64 * 1024 * 1024 });
  return parseMetrics(stdout);
}

/** The value of the one series `name` whose labels include `labels` (undefined when there is none). */
export function sample(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} series ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

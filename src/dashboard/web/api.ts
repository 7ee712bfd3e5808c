// Actions: POST /api/resources/<name>/<action>. A refused write rejects with the API's message.
export async function runAction(resource: string, action: 'restart' | 'stop' | 'start' | 'scale', body: object = {}): Promise<void> {
  const res = await fetch(`/api/resources/${encodeURIComponent(resource)}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.ok) return;
  let message = `${res.status} ${res.statusText}`;
  try {
    const status = (await res.json()) as { message?: string };
    if (status.message) message = status.message;
  } catch {
    // not JSON
  }
  throw new Error(message);
}

// Size limits shared by every way in: the API server's request bodies, manifest files read by
// `up -f` / `apply -f`, and objects applied in-process (an apphost file, Apphost.apply). The same
// 3 MiB as kube-apiserver's request limit, so what apphost takes a real cluster takes too.

export const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

/** `5.0 MiB`, `812 KiB`, `90 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} bytes`;
}

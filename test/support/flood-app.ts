// A replica for log-flood tests: writes `lines` lines of about `lineBytes` bytes as fast as its pipe
// takes them (`flood 00000042 xxx...`), prints FLOOD-DONE, then idles until SIGTERM.
export function floodApp(options: { lines: number; lineBytes: number }): string {
  return `
const pad = 'x'.repeat(${Math.max(0, options.lineBytes - 16)});
let i = 0;
function pump() {
  while (i < ${options.lines}) {
    if (!process.stdout.write(\`flood \${String(i++).padStart(8, '0')} \${pad}\\n\`)) return process.stdout.once('drain', pump);
  }
  console.log('FLOOD-DONE');
}
pump();
setInterval(() => {}, 1 << 30);
process.on('SIGTERM', () => process.exit(0));
`;
}

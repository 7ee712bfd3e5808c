// Generated configurations: nginx (the backend, one worker) and HAProxy (the reference: one thread
// when pinned, or its default threads, one per core, as a user runs it).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A page about the size of nginx's default index.html. */
export const SMALL_PAGE = `<!DOCTYPE html>\n<html><head><title>bench</title></head><body>${'apphost proxy benchmark. '.repeat(22)}</body></html>\n`;

export function writeNginxConfig(dir: string, port: number): string {
  const www = join(dir, 'www');
  mkdirSync(www, { recursive: true });
  writeFileSync(join(www, 'index.html'), SMALL_PAGE);
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub), { recursive: true });
  const file = join(dir, 'nginx.conf');
  writeFileSync(
    file,
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:${port} backlog=4096;
    root ${www};
    location / { }
  }
}
`,
  );
  return file;
}

export function writeHaproxyConfig(dir: string, port: number, backendPort: number, threads: 'one' | 'default'): string {
  const file = join(dir, `haproxy-${threads}.cfg`);
  writeFileSync(
    file,
    `global
${threads === 'one' ? '  nbthread 1\n' : ''}  maxconn 4096
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:${port}
  default_backend be
backend be
  server nginx 127.0.0.1:${backendPort}
`,
  );
  return file;
}

// Run by tls.test.mjs in a process of its own, because Node reads NODE_EXTRA_CA_CERTS only when
// it starts: one consoleAction call of the official SDK (credentials and base URL from the
// environment), its answer or its error printed as one JSON line.
import { consoleAction } from '@baiducloud/qianfan';

const [route, action, data] = process.argv.slice(2);
try {
  const resp = await consoleAction({ base_api_route: route, action, data: JSON.parse(data) });
  console.log(JSON.stringify({ ok: true, resp }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e?.message ?? e) }));
}

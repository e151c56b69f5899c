// Type-checks the declarations users get (tsc --strict, no emit): the Express middleware and
// its Request augmentation, the Fastify plugin and its FastifyRequest augmentation, and the
// browser client.
import express from 'express';
import Fastify from 'fastify';
import { Authenticator } from 'notiflows-auth';
import * as forExpress from 'notiflows-auth/middleware/express';
import * as forFastify from 'notiflows-auth/middleware/fastify';
import { createNotiflowsClient, NotiflowsAuthError, tokenFromEndpoint, type NotiflowsClient } from 'notiflows-auth/browser/client.js';

const authenticator = new Authenticator();
const app = express();
app.use('/v1', forExpress.notiflowsAuth({ authenticator }));
app.get('/notiflows-token', forExpress.tokenEndpoint({ userId: (req: express.Request) => req.get('x-user') ?? null }));
app.get('/v1/me', (req, res) => {
  const user: forExpress.NotiflowsUser | undefined = req.notiflows;
  const id: string | undefined = user?.userId;
  const exp: number | null | undefined = user?.expiresAt;
  // @ts-expect-error: NotiflowsUser has no such member
  void user?.nope;
  res.json({ id, exp, project: user?.project });
});

async function fastifyServer(): Promise<void> {
  const f = Fastify();
  await f.register(forFastify.notiflowsAuth, { authenticator, preflightRoute: true });
  f.get('/notiflows-token', forFastify.tokenEndpoint({ userId: () => 'alice', expiresInSeconds: 600 }));
  f.get('/me', async (request) => {
    const user: forFastify.NotiflowsUser | null = request.notiflows;
    // @ts-expect-error: null before the plugin ran, so strict mode wants a check
    void request.notiflows.userId;
    return { mode: user?.mode };
  });
}
void fastifyServer;

const client: NotiflowsClient = createNotiflowsClient({
  apiKey: 'pk_live_123',
  fetchToken: tokenFromEndpoint('/notiflows-token'),
  refreshMarginSeconds: 30,
  minRefreshIntervalSeconds: 5,
});
async function browser(): Promise<void> {
  try {
    const res: Response = await client.fetch('https://api.example/v1/me');
    await res.json();
  } catch (e) {
    if (e instanceof NotiflowsAuthError) {
      const code: string | null = e.code;
      const status: number = e.status;
      void [code, status];
    }
  }
  // @ts-expect-error: fetchToken must give a string or { userKey }
  createNotiflowsClient({ apiKey: 'pk', fetchToken: async () => 42 });
  const n: number = client.refreshCount;
  void n;
  client.stop();
}
void browser;

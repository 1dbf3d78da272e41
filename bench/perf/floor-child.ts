/**
 * The floor for the api and extender benches: a bare Fastify server (its own process, as `anvil serve`
 * is). `GET /floor` answers a small JSON object (the api section's floor); the filter and prioritize
 * routes parse the same ExtenderArgs as Anvil's and answer the same shapes with every candidate passing,
 * with no decision at all. What Anvil takes beyond it is its own work. Run as a child: prints
 * `listening URL` on stdout.
 */
import Fastify from 'fastify';

const names = { type: 'array', items: { type: 'string' } } as const;
const failed = { type: 'object', additionalProperties: { type: 'string' } } as const;

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  app.post<{ Body: { NodeNames: string[] } }>(
    '/scheduler/filter',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            properties: {
              Nodes: { type: 'null' },
              NodeNames: names,
              FailedNodes: failed,
              FailedAndUnresolvableNodes: failed,
              Error: { type: 'string' },
            },
          },
        },
      },
    },
    async (req) => ({ Nodes: null, NodeNames: req.body.NodeNames, FailedNodes: {}, FailedAndUnresolvableNodes: {}, Error: '' }),
  );
  app.post<{ Body: { NodeNames: string[] } }>(
    '/scheduler/prioritize',
    {
      schema: {
        response: {
          200: { type: 'array', items: { type: 'object', properties: { Host: { type: 'string' }, Score: { type: 'integer' } } } },
        },
      },
    },
    async (req) => req.body.NodeNames.map((Host) => ({ Host, Score: 10 })),
  );
  app.get('/floor', async () => ({ status: 'ok' }));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`listening ${url}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();

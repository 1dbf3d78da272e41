/** L2 networks: list, get, create, delete. */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { NetworkObject } from '../object-schemas.js';
import { bearer, Message, NameParams, ObjectName, responses } from '../schemas.js';
import type { Api } from '../api.js';
import { ListQuery, listOrPage } from '../paging.js';
import { change, list, one } from './common.js';

const Ipv4 = Type.String({ format: 'ipv4' });
const NetworkBody = Type.Object(
  {
    name: ObjectName,
    subnet: Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+$', description: 'CIDR, e.g. 192.168.30.0/24' }),
    start: Ipv4,
    end: Ipv4,
    gateway: Ipv4,
    vlan: Type.Optional(Type.Integer({ minimum: 1, maximum: 4094 })),
    zone: Type.Optional(ObjectName),
    is_default: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const networksPlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  const tags = ['networks'];
  app.get(
    '/networks',
    {
      schema: {
        tags,
        security: bearer,
        operationId: 'listNetworks',
        summary: 'the networks',
        description: 'Every L2 network: subnet, the range pods take addresses from, gateway, VLAN and zone.',
        querystring: ListQuery,
        response: responses(listOrPage(NetworkObject, 'the networks')),
      },
    },
    (req, reply) => void reply.send(list(api, req, reply, 'networks')),
  );
  app.get<{ Params: Static<typeof NameParams> }>(
    '/networks/:name',
    {
      schema: {
        tags,
        security: bearer,
        operationId: 'getNetwork',
        summary: 'one network',
        description: 'One L2 network.',
        params: NameParams,
        response: responses(NetworkObject),
      },
    },
    async (req) => one(api, req, 'networks', req.params.name),
  );
  app.post<{ Body: Static<typeof NetworkBody> }>(
    '/networks',
    {
      schema: {
        tags,
        security: bearer,
        operationId: 'createNetwork',
        summary: 'create a network',
        description: 'Creates an L2 network; networks may not overlap, and the gateway lies outside the range.',
        body: NetworkBody,
        response: responses(NetworkObject, 201),
      },
    },
    async (req, reply) =>
      reply.status(201).send(await change(api, req, 'create networks', `networks/${req.body.name}`, (cp) => cp.createNetwork(req.body))),
  );
  app.delete<{ Params: Static<typeof NameParams> }>(
    '/networks/:name',
    {
      schema: {
        tags,
        security: bearer,
        operationId: 'deleteNetwork',
        summary: 'delete a network',
        description: 'Deletes a network no pod or endpoint uses.',
        params: NameParams,
        response: responses(Message),
      },
    },
    async (req) => {
      await change(api, req, 'delete networks', `networks/${req.params.name}`, (cp) => cp.deleteNetwork(req.params.name));
      return { message: `network ${req.params.name} deleted` };
    },
  );
};

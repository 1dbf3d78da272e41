/** L2 networks: list, get, create, delete. */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AnyObject, bearer, Message, NameParams, ObjectList, ObjectName, responses } from '../schemas.js';
import type { Api } from '../api.js';
import { change, list, one } from './common.js';

const Ipv4 = Type.String({ format: 'ipv4' });
const NetworkBody = Type.Object({
  name: ObjectName,
  subnet: Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+$', description: 'CIDR, e.g. 192.168.30.0/24' }),
  start: Ipv4, end: Ipv4, gateway: Ipv4,
  vlan: Type.Optional(Type.Integer({ minimum: 1, maximum: 4094 })),
  zone: Type.Optional(ObjectName),
  is_default: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

export const networksPlugin: FastifyPluginAsync<{ api: Api }> = async (app, { api }) => {
  const tags = ['networks'];
  app.get('/networks', { schema: { tags, security: bearer, response: responses(ObjectList) } }, async (req) => list(api, req, 'networks'));
  app.get<{ Params: Static<typeof NameParams> }>('/networks/:name', { schema: { tags, security: bearer, params: NameParams, response: responses(AnyObject) } }, async (req) => one(api, req, 'networks', req.params.name));
  app.post<{ Body: Static<typeof NetworkBody> }>('/networks', { schema: { tags, security: bearer, body: NetworkBody, response: responses(AnyObject, 201) } }, async (req, reply) =>
    reply.status(201).send(change(api, req, 'create networks', `networks/${req.body.name}`, (cp) => cp.createNetwork(req.body))),
  );
  app.delete<{ Params: Static<typeof NameParams> }>('/networks/:name', { schema: { tags, security: bearer, params: NameParams, response: responses(Message) } }, async (req) => {
    change(api, req, 'delete networks', `networks/${req.params.name}`, (cp) => cp.deleteNetwork(req.params.name));
    return { message: `network ${req.params.name} deleted` };
  });
};
